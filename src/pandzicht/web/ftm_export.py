"""A case as FollowTheMoney entities (JSON lines), for import into Aleph.

Units become RealEstate with an Address; parties Person, Company or
LegalEntity; ownership an Ownership, officers a Directorship, and tenancy,
letting, brokering and registration an UnknownLink with the role, each with its
source as `publisher`/`recordId`. The case itself, its interventions and
outcomes become Notes on the subject. Person names are exported as shown in
the case: pseudonymised unless the exporting user revealed them there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from followthemoney import model
from followthemoney.proxy import EntityProxy

from pandzicht.cases.catalogue import BY_CODE
from pandzicht.cases.models import Case
from pandzicht.web.analysis import EDGE_LABELS, SOURCE_LABELS, AnalysisStore, PartyRef
from pandzicht.web.maps import rd_to_lonlat

PREFIX = "pandzicht"


class _Builder:
    def __init__(self, store: AnalysisStore, name_for: Callable[[PartyRef], str]) -> None:
        self.store = store
        self.name_for = name_for
        self.entities: dict[str, EntityProxy] = {}

    def _make(self, schema: str, *key: str) -> EntityProxy:
        proxy = model.make_entity(schema)
        proxy.make_id(PREFIX, schema, *key)
        return self.entities.setdefault(proxy.id, proxy)  # type: ignore[arg-type]

    def unit(self, vbo: str) -> EntityProxy | None:
        u = self.store.unit_addresses([vbo]).get(vbo)
        if u is None:
            return None
        addr = self._make("Address", vbo)
        addr.add("full", u["adres"])
        addr.add("street", f"{u['openbare_ruimte']} {u['huisnummer']}{u.get('huisletter') or ''}".strip())
        addr.add("postalCode", u.get("postcode"))
        addr.add("city", u.get("woonplaats"))
        addr.add("country", "nl")
        estate = self._make("RealEstate", vbo)
        estate.add("name", u["adres"])
        estate.add("registrationNumber", vbo)
        estate.add("country", "nl")
        estate.add("address", u["adres"])
        estate.add("addressEntity", addr.id)
        if u.get("oppervlakte_m2"):
            estate.add("area", f"{u['oppervlakte_m2']} m2")
        if u.get("x_rd") is not None:
            lon, lat = rd_to_lonlat(u["x_rd"], u["y_rd"])
            estate.add("latitude", round(lat, 6))
            estate.add("longitude", round(lon, 6))
        estate.add("publisher", "BAG")
        return estate

    def party(self, ref: PartyRef, kvk: str | None = None) -> EntityProxy:
        if ref.soort == "bedrijf":
            proxy = self._make("Company" if kvk else "LegalEntity", ref.entiteit_id)
            if kvk:
                proxy.add("registrationNumber", kvk)
                proxy.add("jurisdiction", "nl")
        else:
            proxy = self._make("Person", ref.entiteit_id)
        proxy.add("name", self.name_for(ref))
        proxy.add("sourceUrl", f"/partij/{ref.entiteit_id}")
        return proxy

    def link(self, edge: dict, parties: dict[str, EntityProxy], units: dict[str, EntityProxy]) -> None:
        van, naar, soort = edge["van"], edge["naar"], edge["soort"]
        if van not in parties:
            return
        key = (soort, van, naar, edge["record_sleutel"] or "")
        if soort == "director_of":
            if naar not in parties:
                return
            link = self._make("Directorship", *key)
            link.add("director", parties[van].id)
            link.add("organization", parties[naar].id)
            link.add("role", "functionaris")
        elif naar in units:
            if soort == "owns":
                link = self._make("Ownership", *key)
                link.add("owner", parties[van].id)
                link.add("asset", units[naar].id)
            else:
                link = self._make("UnknownLink", *key)
                link.add("subject", parties[van].id)
                link.add("object", units[naar].id)
                link.add("role", EDGE_LABELS.get(soort, soort))
        else:
            return
        if edge.get("geldig_van"):
            link.add("startDate", edge["geldig_van"].isoformat())
        if edge.get("geldig_tot"):
            link.add("endDate", edge["geldig_tot"].isoformat())
        link.add("publisher", SOURCE_LABELS.get(edge["bron"], edge["bron"]))
        link.add("recordId", edge["record_sleutel"])


def case_entities(store: AnalysisStore, case: Case, subject_vbo: str | None,
                  name_for: Callable[[PartyRef], str]) -> list[EntityProxy]:
    """The entities of a case: subject unit(s), the parties one hop away, their links, and notes."""
    b = _Builder(store, name_for)
    units: dict[str, EntityProxy] = {}
    centre_ids: list[str] = []
    if subject_vbo:
        centre_ids.append(subject_vbo)
    if case.onderwerp_soort == "partij":
        centre_ids.append(case.onderwerp_id)
    edges = [e for e in store.edges_touching(centre_ids, limit=500) if not e["van"].startswith("melding:")]
    unit_ids = {e["naar"] for e in edges if e["soort"] != "director_of"} | ({subject_vbo} if subject_vbo else set())
    unit_ids |= {o.verblijfsobject_id for o in case.uitkomsten}
    for vbo in sorted(unit_ids):
        estate = b.unit(vbo)
        if estate is not None:
            units[vbo] = estate
    party_ids = {e["van"] for e in edges} | {e["naar"] for e in edges if e["soort"] == "director_of"}
    refs = store.party_refs(sorted(party_ids))
    kvk = {}
    if refs:
        kvk = {r["entiteit_id"]: r["kvk"] for r in store.rows(
            "SELECT entiteit_id, kvk FROM memory.partij_kort WHERE entiteit_id IN (SELECT unnest(?))", [sorted(refs)])}
    parties = {i: b.party(ref, kvk.get(i)) for i, ref in refs.items()}
    for e in edges:
        b.link(e, parties, units)
    subject = units.get(subject_vbo or "") or parties.get(case.onderwerp_id)
    note = b._make("Note", "zaak", str(case.id))
    note.add("name", f"Zaak {case.id}: {case.titel}")
    note.add("description", f"Doel (doelbinding): {case.doel}")
    light = case.verkeerslicht or "nog niet beoordeeld"
    note.add("summary", f"Verkeerslicht: {light}. {case.verkeerslicht_reden}".strip())
    note.add("publisher", "pandzicht casustafel")
    if subject is not None:
        note.add("entity", subject.id)
    for i in case.interventies:
        inst = BY_CODE.get(i.instrument)
        n = b._make("Note", "interventie", str(i.id))
        n.add("name", f"Interventie: {inst.naam if inst else i.instrument}")
        n.add("description", f"Grondslag: {inst.grondslag if inst else '?'}; verantwoordelijk: {i.verantwoordelijke}; "
                             f"status: {i.status}. {i.toelichting}".strip())
        n.add("publisher", "pandzicht casustafel")
        if subject is not None:
            n.add("entity", subject.id)
    for o in case.uitkomsten:
        n = b._make("Note", "uitkomst", str(o.id))
        n.add("name", f"Uitkomst {o.datum.isoformat()}: {o.instrument} — {o.bevinding}")
        n.add("description", o.toelichting or f"{o.instrument}: {o.bevinding}")
        n.add("publisher", "pandzicht casustafel")
        target = units.get(o.verblijfsobject_id)
        if target is not None:
            n.add("entity", target.id)
    return list(b.entities.values())


def to_jsonl(entities: list[EntityProxy]) -> Iterator[str]:
    for e in entities:
        yield json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
