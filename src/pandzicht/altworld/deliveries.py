"""`generate_deliveries`: consecutive deliveries of one evolving independent world.

The world is built as `generate()` builds it for the first peildatum and then evolves a month at a time
(evolve.py, evolve_use.py). Every record is made once: its key is drawn at random with a fixed width (so a new
record's key sorts anywhere among the old ones, as real partners' keys do) and its names and address text are
spelled once. Delivery k shows the records that exist by its peildatum, with end dates that lie after it left
empty, sorted by their keys, and carries its own truth/. Each source spells and keys from its own random
streams and the world evolves month by month, so a shorter run's deliveries equal a longer run's first ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import shutil
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from pandzicht.altworld import signals
from pandzicht.altworld.bundle import SUPPLIERS, _write_csv
from pandzicht.altworld.evolve import Evolution, month_end
from pandzicht.altworld.evolve_use import step
from pandzicht.altworld.geo import Unit, address_text
from pandzicht.altworld.model import Company, Crime, World, iso
from pandzicht.altworld.names import Person, birth_noise, company_alias, render_person, typo
from pandzicht.altworld.params import params
from pandzicht.altworld.world import GENERATOR, VARIANT_STREAM, build_with_cast
from pandzicht.contract.manifest import declaration
from pandzicht.contract.sources import CONTRACT_VERSION, SOURCES

# (prefix, digits) of the keys partners assign; KvK numbers are 8 digits as the contract demands.
KEYS = {"brp_inschrijving": ("bsn-", 9), "kadaster_eigendom": ("KAD", 10), "kvk_vestiging": ("", 8),
        "kvk_functionaris": ("FUN", 9), "huurcontract": ("HC", 9), "politie_incident": ("PL", 10),
        "politie_betrokkene": ("BTR", 9), "melding": ("MLD-", 8)}
STREAMS = tuple(SUPPLIERS)  # a source's random streams are numbered by its place here
FIRST_MONTH_BACK = 24  # energy is delivered from 2023-03, two years before the first peildatum's month


@cache
def day_text(day: int) -> str:
    """`iso(day)`, one string per day: millions of records share a few thousand dates."""
    return iso(day)


def values(row: dict, columns: list[str]) -> tuple:
    """A row as the tuple of its columns' values ('' for a missing or None one), as the CSV writer puts it."""
    return tuple("" if row.get(c) is None else row[c] for c in columns)


@dataclass(slots=True)
class Rec:
    """One record as made once: its row's values in column order (end left empty), when it is first known, and
    what the truth needs. Slots and a tuple row: a world of a million units makes millions of these."""

    key: str
    row: tuple
    seen: int
    end: int | None = None
    end_at: int = -1  # the column of the end date, else -1
    gone: int | None = None  # from this day on it is no longer delivered (a Kadaster right after a sale)
    mentions: tuple[str, ...] = ()  # record_sleutel, ware_persoon, record_sleutel, ware_persoon, ...
    text: str = ""  # the unit a text-only address names

    def at(self, peil: int) -> tuple | None:
        """The row as delivered on `peil`, or None when the record does not exist (yet, or any more)."""
        if self.seen > peil or (self.gone is not None and self.gone <= peil):
            return None
        if self.end_at < 0:
            return self.row
        j = self.end_at
        end = day_text(self.end) if self.end is not None and self.end <= peil else ""
        return (*self.row[:j], end, *self.row[j + 1:])


class Render:
    """Renders every record of the evolved world once, each source from its own spelling and key streams."""

    def __init__(self, w: World, ev: Evolution, stream: list[int]) -> None:
        self.w, self.ev = w, ev
        self.rngs = {s: np.random.default_rng([*stream, 1, k]) for k, s in enumerate(STREAMS)}
        self.key_rngs = {s: np.random.default_rng([*stream, 2, k]) for k, s in enumerate(STREAMS)}
        self.used: set[str] = set()
        self.token: dict[str, str] = {}
        self.kvk: dict[str, str] = {}
        self.recs: dict[str, list[Rec]] = {s: [] for s in STREAMS}
        self.columns = {s: SOURCES[s].column_names for s in STREAMS}

    def add(self, source: str, key: str, row: dict, seen: int, end: int | None = None, end_field: str = "",
            gone: int | None = None, mentions: tuple[tuple[str, str], ...] = (), text: str = "") -> None:
        """Keep a record as the tuple its CSV line is written from (a dict per record cost several times more)."""
        columns = self.columns[source]
        self.recs[source].append(Rec(key, values(row, columns), seen, end,
                                     columns.index(end_field) if end_field in columns else -1, gone,
                                     tuple(x for pair in mentions for x in pair), text))

    def key(self, source: str) -> str:
        """A fresh random key of the source's fixed width: it says nothing about when the record was made."""
        prefix, digits = KEYS[source]
        while True:
            key = f"{prefix}{int(self.key_rngs[source].integers(10 ** (digits - 1), 10 ** digits))}"
            if key not in self.used:
                self.used.add(key)
                return key

    def name(self, party: Person | Company, rng: np.random.Generator, noise: float) -> str:
        if isinstance(party, Person):
            return render_person(party, rng, noise)
        return company_alias(party.naam, rng, noise)

    def place(self, source: str, row: dict, unit: int, text_only: bool, also_text: float) -> str:
        """BAG id or address text (or both); returns the unit a text-only address names, else ''."""
        u, rng = self.w.units[unit], self.rngs[source]
        row["verblijfsobject_id"] = "" if text_only else u.vo
        row["adres_tekst"] = address_text(u, rng, self.w.p.sloppy_address) \
            if text_only or rng.random() < also_text else ""
        return u.vo if text_only else ""

    def all(self) -> dict[str, list[Rec]]:
        """Every record but the BAG's and the meter readings' (those are written straight from the world)."""
        for co in self.w.companies:  # numbers first: deeds and contracts cite them
            self.kvk[co.ware] = self.key("kvk_vestiging")
        for part in (self._brp, self._kadaster, self._kvk, self._contracts, self._police, self._tips):
            part()
        for o in self.w.outcomes:
            self.add("handhaving_uitkomst", "", o, dt.date.fromisoformat(o["datum"]).toordinal())
        return self.recs

    def _brp(self) -> None:
        for k, (who, i, start, end) in enumerate(self.w.registrations):
            if who.ware not in self.token:
                self.token[who.ware] = self.key("brp_inschrijving")
            if k in self.ev.void:
                continue
            token = self.token[who.ware]
            self.add("brp_inschrijving", token, {
                "persoon_id": token, "geslachtsnaam": who.geslachtsnaam, "voorvoegsel": who.voorvoegsel,
                "voornamen": who.voornamen, "geboortedatum": who.geboortedatum,
                "verblijfsobject_id": self.w.units[i].vo, "datum_aanvang": day_text(start), "datum_einde": ""},
                start, None if end is None else max(start, end), "datum_einde", mentions=((token, who.ware),))

    def _kadaster(self) -> None:
        rng, noise = self.rngs["kadaster_eigendom"], self.w.p.name_noise
        for o in self.ev.ownerships:
            key = self.key("kadaster_eigendom")
            if isinstance(o.owner, Person):
                name = typo(o.owner.full, rng) if rng.random() < noise / 3 else o.owner.full
                who = {"eigenaar_type": "natuurlijk_persoon", "eigenaar_naam": name,
                       "eigenaar_geboortedatum": o.owner.geboortedatum, "eigenaar_kvk": ""}
            else:
                who = {"eigenaar_type": "rechtspersoon", "eigenaar_naam": o.owner.naam, "eigenaar_geboortedatum": "",
                       "eigenaar_kvk": self.kvk[o.owner.ware]}
            self.add("kadaster_eigendom", key, {
                "eigendom_id": key, "verblijfsobject_id": self.w.units[o.unit].vo, **who,
                "eigenaar_correspondentieadres": o.corr, "aandeel": o.share, "datum_verkrijging": day_text(o.day),
                "koopsom_eur": o.price or ""}, o.day, gone=o.until, mentions=((key, o.owner.ware),))

    def _kvk(self) -> None:
        for co in self.w.companies:
            kvk = self.kvk[co.ware]
            self.add("kvk_vestiging", kvk, {
                "kvk_nummer": kvk, "naam": co.naam, "rechtsvorm": co.rechtsvorm, "sbi_code": co.sbi,
                "verblijfsobject_id": self.w.units[co.unit].vo if co.unit is not None else "",
                "adres_tekst": co.adres if co.unit is None else "", "datum_inschrijving": day_text(co.start),
                "datum_opheffing": ""}, co.start, None if co.end is None else max(co.end, co.start), "datum_opheffing",
                mentions=((kvk, co.ware),))
        rng, noise = self.rngs["kvk_functionaris"], self.w.p.name_noise
        for co, j in self.ev.officers:
            who, rol, start, stop = co.officers[j]
            key = self.key("kvk_functionaris")
            self.add("kvk_functionaris", key, {
                "functionaris_id": key, "kvk_nummer": self.kvk[co.ware], "naam": render_person(who, rng, noise / 2),
                "geboortedatum": birth_noise(who.geboortedatum, rng, 0.1, 0.0), "rol": rol,
                "datum_aanvang": day_text(start), "datum_einde": ""}, start, None if stop is None else max(start, stop),
                "datum_einde", mentions=((key, who.ware),))

    def _contracts(self) -> None:
        w, rng = self.w, self.rngs["huurcontract"]
        for k in w.contracts:
            key = self.key("huurcontract")
            corp = "register" not in k.bron
            row: dict = {"contract_id": key, "bron": k.bron}
            text = self.place("huurcontract", row, k.unit, rng.random() > (0.95 if corp else 1 - w.p.text_only), 0.2)
            mentions = []
            for role, party in (("verhuurder", k.landlord), ("bemiddelaar", k.agent), ("huurder", k.tenant)):
                if party is None:
                    row[f"{role}_naam"], row[f"{role}_kvk"] = "", ""
                    continue
                row[f"{role}_naam"] = party.naam if isinstance(party, Company) and corp and role == "verhuurder" \
                    else self.name(party, rng, w.p.name_noise)
                row[f"{role}_kvk"] = self.kvk[party.ware] if isinstance(party, Company) and (
                    corp or rng.random() < party.contract_kvk) else ""
                mentions.append((f"{key}:{role}", party.ware))
            t = k.tenant
            row["huurder_geboortedatum"] = birth_noise(t.geboortedatum, rng, 0.35, 0.02) \
                if isinstance(t, Person) else ""
            row["datum_aanvang"], row["datum_einde"] = day_text(k.start), ""
            row["huurprijs_eur"] = k.rent if rng.random() < 0.92 else ""
            row["betaalwijze"] = k.pay if rng.random() < 0.9 else ""
            self.add("huurcontract", key, row, k.start, None if k.end is None else max(k.start, k.end), "datum_einde",
                     mentions=tuple(mentions), text=text)

    def _police(self) -> None:
        ids: dict[str, tuple[str, int]] = {}
        for rec in self.w.incidents:
            key, day = self.key("politie_incident"), int(rec["day"])
            ids[str(rec["id"])] = (key, day)
            row = {"incident_id": key, "datum": day_text(day), "categorie": rec["cat"],
                   "omschrijving": rec["omschrijving"]}
            text = self.place("politie_incident", row, int(rec["unit"]), bool(rec["text"]), 0.4)
            self.add("politie_incident", key, row, day, text=text)
        rng, noise = self.rngs["politie_betrokkene"], self.w.p.name_noise
        for inc, who, rol in self.w.involved:
            key = self.key("politie_betrokkene")
            inc_key, day = ids[inc]
            self.add("politie_betrokkene", key, {
                "betrokkene_id": key, "incident_id": inc_key, "naam": render_person(who, rng, noise),
                "geboortedatum": birth_noise(who.geboortedatum, rng, 0.08, 0.01), "rol": rol}, day,
                mentions=((key, who.ware),))

    def _tips(self) -> None:
        for rec in self.w.tips:
            key, day = self.key("melding"), int(rec["day"])
            row = {"melding_id": key, "datum": day_text(day), "bron_type": rec["bron_type"]}
            text = self.place("melding", row, int(rec["unit"]), bool(rec["text"]), 0.5)
            row.update({"categorieen": rec["cats"], "tekst": rec["tekst"]})
            self.add("melding", key, row, day, text=text)


def bag_row(u: Unit) -> dict:
    """A unit's BAG record: every unit is delivered every time, in unit order, so it is written, not kept."""
    return {"verblijfsobject_id": u.vo, "nummeraanduiding_id": u.na, "openbare_ruimte": u.street,
            "huisnummer": u.nr, "huisletter": u.letter, "huisnummertoevoeging": u.toev, "postcode": u.postcode,
            "woonplaats": u.plaats, "gemeente_code": u.gm, "wijk_code": u.wijk, "buurt_code": u.buurt,
            "gebruiksdoel": u.doel, "oppervlakte_m2": u.m2, "pand_id": u.pand, "bouwjaar": u.bouwjaar,
            "x_rd": u.x, "y_rd": u.y}


class Meter:
    """Every metered month of the homes the operator delivers, packed in arrays: a record per reading (units x 24+
    months, the bulk of a world) took most of the memory of a million-unit world."""

    def __init__(self) -> None:
        self.homes = array("q")  # the unit of each metered home, in unit order
        self.first = array("q", [0])  # where each home's readings start
        self.month = array("H")  # months since 2023-03
        self.kwh = array("d")
        self.gas = array("d")  # NaN: no gas

    def add(self, k: int, row: dict) -> None:
        self.month.append(k)
        self.kwh.append(row["elektriciteit_kwh"])
        self.gas.append(math.nan if row["gas_m3"] == "" else row["gas_m3"])

    def close(self, i: int) -> None:
        """Unit i's readings are all added (a home with none is not kept)."""
        if len(self.month) > self.first[-1]:
            self.homes.append(i)
            self.first.append(len(self.month))

    def rows(self, units: list[Unit], peil: int, columns: list[str]) -> Iterator[tuple]:
        """The readings delivered by `peil`, sorted as the operator sorts them: by BAG id, then month."""
        for h in sorted(range(len(self.homes)), key=lambda h: units[self.homes[h]].vo):
            vo = units[self.homes[h]].vo
            for r in range(self.first[h], self.first[h + 1]):
                k = self.month[r]
                if month_end(k + 1 - FIRST_MONTH_BACK) > peil:
                    break
                y, m = divmod(2023 * 12 + 2 + k, 12)
                gas = self.gas[r]
                yield values({"verblijfsobject_id": vo, "periode": f"{y}-{m + 1:02d}", "elektriciteit_kwh": self.kwh[r],
                              "gas_m3": "" if math.isnan(gas) else gas}, columns)


def energy(w: World, ev: Evolution, months: int, stream: list[int]) -> Meter:
    """Metered months from 2023-03 on; month M is delivered from the end of month M+1 (the operator's lag)."""
    meter = Meter()
    uses: dict[int, list[Crime]] = {}  # the episodes per unit, in order (use_at scans them all: per home-month,
    for j, cr in ev.episodes:          # that made rendering quadratic in the world's size)
        uses.setdefault(j, []).append(cr)
    for i in w.residential():
        rng = np.random.default_rng([*stream, 3, i])
        if rng.random() >= w.p.energy_coverage:
            continue
        u = w.units[i]
        extra, factor = signals.extra_load(u, rng), signals.use_factors(rng)
        for k in range(months):
            y, m = divmod(2023 * 12 + 2 + k, 12)
            if rng.random() < 0.025:
                continue  # a month the operator did not deliver
            day = dt.date(y, m + 1, 15).toordinal()
            cr = next((c for c in uses.get(i, []) if c.start <= day and (c.end is None or day <= c.end)), None)
            meter.add(k, signals.month_row(u, y, m + 1, ev.people_at(i, day), extra, cr.energy if cr else None,
                                           factor, rng))
        meter.close(i)
    return meter


def _order(name: str) -> Callable[[Rec], tuple]:
    """How a partner sorts its extract: by its own keys (and the columns that tell a key's records apart)."""
    columns = SOURCES[name].column_names
    if name == "brp_inschrijving":
        start, vo = columns.index("datum_aanvang"), columns.index("verblijfsobject_id")
        return lambda r: (r.key, r.row[start], r.row[vo])
    if name == "handhaving_uitkomst":
        at = [columns.index(c) for c in ("datum", "verblijfsobject_id", "instrument", "bevinding")]
        return lambda r: tuple(r.row[j] for j in at)
    return lambda r: (r.key,)


def _write_rows(path: Path, columns: list[str], rows: Iterable[tuple]) -> int:
    """Write a CSV as `bundle._write_csv` does, a row at a time (no list of a source's rows); returns the rows."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow(row)
            n += 1
    return n


def _delivery(w: World, ev: Evolution, recs: dict[str, list[Rec]], meter: Meter, kvk: dict[str, str], out: Path,
              peil: int, before: int | None, meta: dict) -> dict:
    """Write one delivery: the records that exist on `peil`, its manifest and its truth/."""
    out.mkdir(parents=True, exist_ok=True)
    shown: dict[str, list[Rec]] = {}
    sources, counts = {}, {}
    for name in STREAMS:
        path, columns = out / f"{name}.csv", SOURCES[name].column_names
        if name == "bag_verblijfsobject":
            rows: Iterable[tuple] = (values(bag_row(u), columns) for u in w.units)
        elif name == "energie_verbruik":
            rows = meter.rows(w.units, peil, columns)
        else:
            shown[name] = sorted((r for r in recs[name] if r.at(peil) is not None), key=_order(name))
            rows = (r.at(peil) or () for r in shown[name])
        counts[name] = _write_rows(path, columns, rows)
        leverancier, grondslag = SUPPLIERS[name]
        sources[name] = {"leverancier": leverancier, "grondslag": grondslag, "geleverd": iso(peil + 3),
                         **declaration(path, counts[name])}
    manifest = {"contract": CONTRACT_VERSION, "region": "RIEC Zuid-Holland Zuid (onafhankelijke wereld)",
                "peildatum": iso(peil), "sources": sources}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _truth(w, ev, shown, kvk, out / "truth", peil, before, meta)
    return {"peildatum": iso(peil), "rows": counts}


def _mentions(shown: dict[str, list[Rec]], folder: Path) -> tuple[set[str], int]:
    """Write persoon_sleutel.csv and adres_tekst.csv a row at a time; the parties mentioned and the text count."""
    mentioned: set[str] = set()
    texts = 0
    with (folder / "persoon_sleutel.csv").open("w", newline="", encoding="utf-8") as kf, \
            (folder / "adres_tekst.csv").open("w", newline="", encoding="utf-8") as tf:
        keys, places = csv.writer(kf, lineterminator="\n"), csv.writer(tf, lineterminator="\n")
        keys.writerow(["bron", "record_sleutel", "ware_persoon"])
        places.writerow(["bron", "record_sleutel", "verblijfsobject_id"])
        for name, present in shown.items():
            seen: set[str] = set()  # a key a source has mentioned before (a person's BRP registrations)
            for r in present:
                for key, ware in zip(r.mentions[::2], r.mentions[1::2], strict=True):
                    if key not in seen:
                        seen.add(key)
                        mentioned.add(ware)
                        keys.writerow((name, key, ware))
                if r.text:
                    texts += 1
                    places.writerow((name, r.key, r.text))
    return mentioned, texts


def _truth(w: World, ev: Evolution, shown: dict[str, list[Rec]], kvk: dict[str, str], folder: Path, peil: int,
           before: int | None, meta: dict) -> None:
    """The delivery's own truth: uses active on its peildatum, and the parties and places behind its records."""
    folder.mkdir(parents=True, exist_ok=True)
    active = sorted((i, cr) for i, cr in ev.episodes if cr.start <= peil and (cr.end is None or cr.end > peil))
    _write_csv(folder / "adres_typologie.csv", ["verblijfsobject_id", "typologie", "actief_vanaf"],
               [{"verblijfsobject_id": w.units[i].vo, "typologie": cr.typology, "actief_vanaf": iso(cr.start)}
                for i, cr in active])
    mentioned, texts = _mentions(shown, folder)
    parties, listed = [], set()
    for (party, rol), day in zip(w.malafide, ev.malafide_day, strict=True):
        if day > peil or party.ware in listed or party.ware not in mentioned:
            continue
        listed.add(party.ware)
        if isinstance(party, Company):
            parties.append({"naam": party.naam, "kvk_nummer": kvk[party.ware], "rol": rol, "ware_persoon": party.ware})
        else:
            parties.append({"naam": party.full, "kvk_nummer": "", "rol": rol, "ware_persoon": party.ware})
    _write_csv(folder / "malafide_partij.csv", ["naam", "kvk_nummer", "rol", "ware_persoon"], parties)
    started = sum(1 for _, cr in ev.episodes if before is not None and before < cr.start <= peil)
    ended = sum(1 for _, cr in ev.episodes if before is not None and cr.end is not None and before < cr.end <= peil)
    world = {**meta, "peildatum": iso(peil),
             "typologie": dict(sorted(Counter(cr.typology for _, cr in active).items())),
             "modus": dict(sorted(Counter(f"{cr.typology}/{cr.modus}" for _, cr in active).items())),
             "eerder_crimineel": sum(1 for _, cr in ev.episodes if cr.end is not None and cr.end <= peil),
             "gestart_sinds_vorige": started, "beeindigd_sinds_vorige": ended,
             "malafide_bemiddelaars": sum(1 for p in parties if p["rol"] == "bemiddelaar"),
             "opvallend_onschuldig": dict(sorted(Counter(f for u in w.units for f in u.flags).items())),
             "malafide_partijen": len(parties), "tekstadressen": texts}
    (folder / "wereld.json").write_text(json.dumps(world, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _forget_searches(ev: Evolution) -> None:
    """The monthly steps are over: free what only their searches read (the tally of homes, who lives where)."""
    ev.tally, ev.young, ev.edge, ev.dirty, ev.pos, ev.groups, ev.where = None, {}, set(), set(), {}, [], {}


def _forget_registers(w: World, ev: Evolution, render: Render) -> None:
    """Every record is rendered: free the registers they came from before the meter readings are made. What is
    still read: the units, who lives where (`people_at`), the criminal uses and the malafide parties."""
    w.persons, w.registrations, w.companies, w.contracts = [], [], [], []
    w.incidents, w.involved, w.tips, w.outcomes, w.owners, w.household, w._at = [], [], [], [], {}, {}, {}
    ev.open_regs, ev.void, ev.contract, ev.ownerships, ev.held, ev.officers = {}, set(), {}, [], {}, []
    render.used, render.token = set(), {}


def generate_deliveries(out: Path, units: int, seed: int, n: int, variant: str = "base",
                        months_apart: int = 1) -> dict:
    """Write `n` deliveries of one evolving world to out/levering-01 ... (each a bundle with truth/); a summary.

    Delivery k has peildatum 2025-03-31 advanced by (k-1) * months_apart months (month ends). Deterministic:
    the same arguments give byte-identical files. Earlier `levering-*` folders in `out` are replaced."""
    params(variant)
    if units < 50:
        raise ValueError("at least 50 units")
    if not 1 <= n <= 99:
        raise ValueError("between 1 and 99 deliveries")
    if months_apart < 1:
        raise ValueError("months_apart must be at least 1")
    out = Path(out)
    for old in sorted(out.glob("levering-*")) if out.exists() else []:
        shutil.rmtree(old)
    w, cast = build_with_cast(units, seed, variant)
    stream = [seed, units, VARIANT_STREAM[variant], 12]
    ev = Evolution.start(w, cast, np.random.default_rng([*stream, 0]))
    first_agent, first_phoenix = int(ev.rng.integers(1, 4)), int(ev.rng.integers(1, 4))
    horizon = (n - 1) * months_apart
    for m in range(1, horizon + 1):
        step(ev, m, month_end(m - 1), month_end(m), first_agent, first_phoenix)
    _forget_searches(ev)
    render = Render(w, ev, stream)
    recs = render.all()
    _forget_registers(w, ev, render)
    meter = energy(w, ev, FIRST_MONTH_BACK + horizon, stream)
    meta = {"generator": GENERATOR, "eenheden": units, "seed": seed, "variant": variant,
            "maanden_tussen": months_apart}
    written = []
    for k in range(1, n + 1):
        peil = month_end((k - 1) * months_apart)
        before = month_end((k - 2) * months_apart) if k > 1 else None
        written.append({"levering": k, **_delivery(w, ev, recs, meter, render.kvk, out / f"levering-{k:02d}", peil,
                                                   before, {**meta, "levering": k})})
    return {**meta, "leveringen": written}
