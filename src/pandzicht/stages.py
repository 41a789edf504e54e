"""The stages of `analyse`, declared once: what each runs, reads and writes, and whether the baseline has it.

`pipeline.analyse_store` runs them in this order and `link.bench` times the
linking ones from the same declaration, so the two cannot drift. The tables a
stage reads and writes are documentation and a checked contract
(tests/test_stages.py): every table read is written by an earlier stage or
delivered by intake, and every table written exists after an analysis. Tables
that start with `_` are scratch tables and not declared; `analyse_terugval`
(pandzicht.fallback) is written by any stage that falls back and not declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pandzicht.adapters.kortverblijf_link import link_listings
from pandzicht.changes import HISTORY as SCORE_HISTORY
from pandzicht.changes import TABLE as CHANGES_TABLE
from pandzicht.changes import build_changes
from pandzicht.contract.sources import ADDRESS_TEXT_SOURCES
from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.indicators.run import DERIVED, run_indicators
from pandzicht.link.address_context import link_through_people
from pandzicht.link.address_match import AddressIndex, link_addresses
from pandzicht.link.address_reuse import REPLACED as ADDRESS_TEXT_LINKS
from pandzicht.link.company_context import TABLE as COMPANY_NUMBERS
from pandzicht.link.graph import build_graph, build_record_units
from pandzicht.link.mentions import collect_mentions
from pandzicht.link.network import build_network_measures
from pandzicht.link.parties_exact import resolve_exact
from pandzicht.link.parties_incremental import resolve_delivery
from pandzicht.link.parties_splink import MODEL_TABLE, prioritise_review_queue
from pandzicht.link.stable_ids import HISTORY as ENTITY_HISTORY
from pandzicht.link.stable_ids import keep_entity_ids
from pandzicht.score import model_reuse, point_in_time
from pandzicht.score.model import TransparentModel
from pandzicht.score.model_reuse import Decision
from pandzicht.score.shortlist import score_parties, score_units
from pandzicht.store.engine import Store, raw_table

# Tables intake writes besides raw_<source> and quarantine_<source>, which a stage may read.
INTAKE_TABLES = ("bundel_meta",)


@dataclass
class StageInput:
    """What a stage runs on: the loaded store and the analysis's arguments."""

    store: Store
    catalogue: list[Indicator] = field(default_factory=load_catalogue)
    previous: Path | None = None  # the published store of the delivery this one continues
    judgements: Path | None = None  # the analysts' pair judgements Splink's clustering respects
    opnieuw: bool = False  # link everything again (and retrain) even when continuing an earlier analysis
    hertrain: bool = False  # compute the score models' training rows again even when the previous delivery's fit
    koppeling: dict[str, Any] = field(default_factory=dict)  # how linking ran: incremental or full, and why
    peildata: dict[str, Any] = field(default_factory=dict)  # past indicator values reused or computed, and why
    scoremodel: Decision | None = None  # training rows reused from `previous` or computed, and why
    hergebruik: dict[str, Any] = field(default_factory=dict)  # per stage: what was taken over from `previous`
    _address_index: AddressIndex | None = field(default=None, init=False, repr=False)

    def address_index(self) -> AddressIndex:
        """The BAG addresses indexed once per analysis: address linking and linking through people both match
        against them, and the BAG does not change between the two (at 1M units the index takes seconds)."""
        if self._address_index is None:
            self._address_index = AddressIndex.from_store(self.store)
        return self._address_index


StageFn = Callable[[StageInput], Any]


def _always(store: Store) -> bool:
    return True


@dataclass(frozen=True)
class Stage:
    """One step of the analysis. `exact` is what it runs in the exact-key baseline (None: not there);
    `count` names the entry of the result's counts its return value becomes."""

    name: str
    run: StageFn
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    exact: StageFn | None
    applies: Callable[[Store], bool] = _always
    count: str | None = None

    def step(self, exact_only: bool) -> StageFn | None:
        """The function this stage runs in a full analysis or in the baseline (None: the stage is skipped)."""
        return self.exact if exact_only else self.run


def _raw(*sources: str) -> tuple[str, ...]:
    return tuple(raw_table(s) for s in sources)


@cache
def indicator_tables(phase: str) -> tuple[str, ...]:
    """The tables the catalogue's indicators of one phase read, from their `bronnen` and `bronnen_optioneel`."""
    tables = {b if b in DERIVED else raw_table(b) for i in load_catalogue() if i.fase == phase
              for b in (*i.bronnen, *i.optioneel)}
    return tuple(sorted(tables))


def _addresses(i: StageInput) -> int:
    if i.store.name == "spark":  # the same matching per partition of the texts, on the executors
        from pandzicht.link.address_match_spark import link_addresses_spark

        return link_addresses_spark(i.store)
    return link_addresses(i.store, previous=None if i.opnieuw else i.previous, index=i.address_index)


def _addresses_exact(i: StageInput) -> int:
    return link_addresses(i.store, resolve=False)


def _mentions(i: StageInput) -> int:
    # a continued delivery takes a mention whose source row is unchanged from the previous analysis
    n, reuse = collect_mentions(i.store, previous=None if i.opnieuw else i.previous)
    i.hergebruik["vermeldingen"] = reuse
    return n


def _parties(i: StageInput) -> int:
    # Splink runs on the store's engine: on Spark, in the store's own session. A delivery that continues an
    # earlier analysis resolves only its new and changed records (link/parties_incremental.py).
    n, plan = resolve_delivery(i.store, i.previous, i.opnieuw, i.judgements, engine=i.store.name,
                               spark=getattr(i.store, "spark", None))
    i.koppeling.update(plan.report())
    # company mentions whose KvK number the data settled (link/company_context.py), per ground
    i.koppeling["kvk_afgeleid"] = {grond: int(k) for grond, k in i.store.rows(
        f"SELECT grond, count(*) FROM {COMPANY_NUMBERS} GROUP BY 1 ORDER BY 1")} \
        if i.store.has_table(COMPANY_NUMBERS) else {}
    i.hergebruik["entiteiten"] = plan.reuse()
    return n


def _parties_exact(i: StageInput) -> int:
    return resolve_exact(i.store)


def _stable_ids(i: StageInput) -> dict[str, int]:
    return keep_entity_ids(i.store, i.previous)


def _through_people(i: StageInput) -> int:
    return link_through_people(i.store, i.address_index)


def _record_units(i: StageInput) -> None:
    build_record_units(i.store)


def _listings(i: StageInput) -> None:
    link_listings(i.store)


def _graph(i: StageInput) -> int:
    return build_graph(i.store)


def _network_measures(i: StageInput) -> dict[str, int]:
    return build_network_measures(i.store)


def _indicators(i: StageInput) -> dict[str, list[str]]:
    return run_indicators(i.store, i.catalogue)


def _network_evidence(i: StageInput) -> dict[str, list[str]]:
    return run_indicators(i.store, i.catalogue, phase="na_adresscore")


def _score_units(i: StageInput) -> TransparentModel:
    i.peildata.update(carry_point_in_time(i))
    i.scoremodel = model_reuse.decide(i.store, i.previous, i.opnieuw, i.hertrain, i.koppeling, i.catalogue)
    if i.scoremodel.kept is not None:
        # the previous delivery's past values stay (for the delivery that computes every row again); the new
        # checks' values are added to them
        point_in_time.keep_previous(i.store)
        i.peildata.update({"modus": "aangevuld", "reden": "trainingsrijen van de vorige levering hergebruikt; alleen "
                           "de nieuwe controles zijn op hun eerdere peildata berekend en bij de bewaarde waarden "
                           "gevoegd"})
    return score_units(i.store, i.catalogue, i.scoremodel)


def _score_parties(i: StageInput) -> None:
    score_parties(i.store, i.catalogue, i.scoremodel)
    i.peildata.update(point_in_time.summary(i.store))


def carry_point_in_time(i: StageInput) -> dict[str, str]:
    """Take over the previous delivery's past indicator values when its parties still mean the same: linking
    continued with the earlier model. Otherwise every reference date is computed again; the reason is reported."""
    if i.previous is None:
        return {"modus": "volledig", "reden": "geen eerdere levering"}
    if i.opnieuw:
        return {"modus": "volledig", "reden": "--opnieuw"}
    if i.koppeling.get("model") != "hergebruikt":
        return {"modus": "volledig", "reden": "het koppelmodel is opnieuw getraind"}
    if i.store.name != "duckdb" or not point_in_time.carry_previous(i.store, i.previous):
        return {"modus": "volledig", "reden": "de vorige analyse bewaarde geen waarden op eerdere peildata"}
    return {"modus": "incrementeel", "reden": "ongewijzigde indicatoren op eerdere peildata overgenomen"}


def _review_queue(i: StageInput) -> int:
    return prioritise_review_queue(i.store)


def _changes(i: StageInput) -> int:
    return build_changes(i.store, i.previous)


def _has_listings(store: Store) -> bool:
    return store.has_table(raw_table("kortverblijf_advertentie"))


_RECORD_UNIT_SOURCES = ("huurcontract", "politie_incident", "melding")

STAGES: tuple[Stage, ...] = (
    Stage("adreskoppeling", _addresses, _raw("bag_verblijfsobject", *ADDRESS_TEXT_SOURCES),
          ("adres_koppeling", ADDRESS_TEXT_LINKS),
          exact=_addresses_exact, count="adressen_gekoppeld"),
    Stage("vermeldingen", _mentions,
          (*_raw("brp_inschrijving", "kadaster_eigendom", "kvk_vestiging", "kvk_functionaris", "huurcontract",
                 "politie_betrokkene", "politie_incident", "melding"), "adres_koppeling"),
          ("partij_vermelding",), exact=_mentions, count="vermeldingen"),
    Stage("entiteiten", _parties, ("partij_vermelding",),
          ("entiteit", "beoordeling_wachtrij", MODEL_TABLE, COMPANY_NUMBERS),
          exact=_parties_exact, count="entiteiten"),
    Stage("stabiele_ids", _stable_ids, ("entiteit", "bundel_meta"), ("entiteit", ENTITY_HISTORY),
          exact=_stable_ids),
    Stage("adres_via_personen", _through_people,
          (*_raw("bag_verblijfsobject", "brp_inschrijving", "huurcontract", "politie_incident", "politie_betrokkene"),
           "adres_koppeling", "entiteit"),
          ("adres_koppeling", ADDRESS_TEXT_LINKS), exact=None, count="adressen_via_personen"),
    Stage("record_adres", _record_units, (*_raw(*_RECORD_UNIT_SOURCES), "adres_koppeling"),
          ("contract_adres", "incident_adres", "melding_adres"), exact=_record_units),
    Stage("kortverblijf", _listings, _raw("kortverblijf_advertentie", "bag_verblijfsobject"),
          ("kortverblijf_koppeling",), exact=_listings, applies=_has_listings),
    Stage("netwerk", _graph,
          (*_raw("kadaster_eigendom", "huurcontract", "brp_inschrijving", "kvk_functionaris", "politie_betrokkene",
                 "politie_incident", "melding"), "entiteit", "contract_adres", "incident_adres", "melding_adres"),
          ("relatie",), exact=_graph, count="relaties"),
    Stage("netwerkmaten", _network_measures, ("relatie", raw_table("handhaving_uitkomst")),
          ("partij_portefeuille", "gedeelde_functionaris", "stroman_kandidaat", "netwerk_afstand"),
          exact=_network_measures),
    Stage("indicatoren", _indicators, indicator_tables("indicatoren"), ("indicator_waarde",), exact=_indicators),
    Stage("score_adressen", _score_units,
          ("indicator_waarde", *_raw("bag_verblijfsobject", "handhaving_uitkomst"), "quarantine_bag_verblijfsobject",
           *indicator_tables("indicatoren")),
          ("adres_score", "bijdrage_adres", "model_adres", "typologie_kans", "model_typologie",
           *point_in_time.KEPT), exact=_score_units),
    Stage("netwerkbewijs", _network_evidence, (*indicator_tables("na_adresscore"), "indicator_waarde"),
          ("indicator_waarde",), exact=_network_evidence),
    Stage("score_partijen", _score_parties,
          ("indicator_waarde", "partij_vermelding", "entiteit", "relatie", raw_table("handhaving_uitkomst"),
           *indicator_tables("indicatoren")),
          ("partij_score", "bijdrage_partij", "model_partij", model_reuse.TABLE, model_reuse.ROWS,
           *point_in_time.KEPT),
          exact=_score_parties),
    Stage("wachtrij", _review_queue, ("beoordeling_wachtrij", "entiteit", "partij_score", "adres_score"),
          ("beoordeling_wachtrij",), exact=None),
    Stage("wijzigingen", _changes, ("adres_score", "bundel_meta"), (CHANGES_TABLE, SCORE_HISTORY), exact=_changes),
)

BY_NAME: dict[str, Stage] = {s.name: s for s in STAGES}


def is_intake_table(name: str) -> bool:
    """Whether intake writes this table (a delivered source's rows, its quarantine, or the bundle's metadata)."""
    return name.startswith(("raw_", "quarantine_")) or name in INTAKE_TABLES
