"""Writing the world as a contract bundle (manifest, one CSV per source) and its truth/ folder.

Names and addresses are rendered per mention here, so every source spells a party its own way; the truth
keeps which real party and which unit each mention and each text address stands for.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from pandzicht.altworld.geo import address_text
from pandzicht.altworld.model import PEIL, Company, World, iso
from pandzicht.altworld.names import Person, birth_noise, company_alias, render_person, typo
from pandzicht.altworld.params import PEILDATUM
from pandzicht.contract.manifest import declaration
from pandzicht.contract.sources import CONTRACT_VERSION, SOURCES

SUPPLIERS = {
    "bag_verblijfsobject": ("Kadaster (BAG)", None),
    "brp_inschrijving": ("Gemeente Dordrecht, Zwijndrecht, Papendrecht", "RIEC-convenant art. 5; Wet BRP art. 3.8"),
    "kadaster_eigendom": ("Kadaster", "RIEC-convenant art. 5"),
    "kvk_vestiging": ("Kamer van Koophandel", "Handelsregisterwet art. 21"),
    "kvk_functionaris": ("Kamer van Koophandel", "Handelsregisterwet art. 21"),
    "huurcontract": ("Woningcorporaties en gemeentelijk register goed verhuurderschap", "RIEC-convenant art. 5"),
    "energie_verbruik": ("Netbeheerder Stedin", "RIEC-convenant art. 6"),
    "politie_incident": ("Politie eenheid Rotterdam", "Wet politiegegevens art. 20; RIEC-convenant"),
    "politie_betrokkene": ("Politie eenheid Rotterdam", "Wet politiegegevens art. 20; RIEC-convenant"),
    "melding": ("Meldpunt Drechtsteden", "RIEC-convenant art. 5"),
    "handhaving_uitkomst": ("Gemeente Dordrecht, team handhaving", "RIEC-convenant art. 5"),
}


class Writer:
    """Collects rows per source, the party-mention keys and the text-address truth."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.rows: dict[str, list[dict]] = {name: [] for name in SUPPLIERS}
        self.keys: list[tuple[str, str, str]] = []
        self.texts: list[tuple[str, str, str]] = []

    def name(self, party: Person | Company, noise: float) -> str:
        if isinstance(party, Person):
            return render_person(party, self.w.rng, noise)
        return company_alias(party.naam, self.w.rng, noise)

    def place(self, bron: str, key: str, rec: dict, unit: int, text_only: bool, also_text: float = 0.25) -> None:
        u = self.w.units[unit]
        rec["verblijfsobject_id"] = "" if text_only else u.vo
        rec["adres_tekst"] = (address_text(u, self.w.rng, self.w.p.sloppy_address)
                              if text_only or self.w.rng.random() < also_text else "")
        if text_only:
            self.texts.append((bron, key, u.vo))


def _bag(wr: Writer) -> None:
    for u in wr.w.units:
        wr.rows["bag_verblijfsobject"].append({
            "verblijfsobject_id": u.vo, "nummeraanduiding_id": u.na, "openbare_ruimte": u.street,
            "huisnummer": u.nr, "huisletter": u.letter, "huisnummertoevoeging": u.toev, "postcode": u.postcode,
            "woonplaats": u.plaats, "gemeente_code": u.gm, "wijk_code": u.wijk, "buurt_code": u.buurt,
            "gebruiksdoel": u.doel, "oppervlakte_m2": u.m2, "pand_id": u.pand, "bouwjaar": u.bouwjaar,
            "x_rd": u.x, "y_rd": u.y})


def _brp(wr: Writer) -> None:
    seen: set[str] = set()
    for who, i, start, end in sorted(wr.w.registrations, key=lambda r: (r[0].token or "", r[2])):
        wr.rows["brp_inschrijving"].append({
            "persoon_id": who.token, "geslachtsnaam": who.geslachtsnaam, "voorvoegsel": who.voorvoegsel,
            "voornamen": who.voornamen, "geboortedatum": who.geboortedatum, "verblijfsobject_id": wr.w.units[i].vo,
            "datum_aanvang": iso(start), "datum_einde": "" if end is None else iso(max(start, end))})
        if who.token not in seen:
            seen.add(who.token or "")
            wr.keys.append(("brp_inschrijving", who.token or "", who.ware))


def _kadaster(wr: Writer) -> None:
    w, n = wr.w, 0
    for i in sorted(w.owners):
        for owner, share, day, price, corr in w.owners[i]:
            n += 1
            key = f"KAD{n:08d}"
            if isinstance(owner, Person):
                name = typo(owner.full, w.rng) if w.rng.random() < w.p.name_noise / 3 else owner.full
                who = {"eigenaar_type": "natuurlijk_persoon", "eigenaar_naam": name,
                       "eigenaar_geboortedatum": owner.geboortedatum, "eigenaar_kvk": ""}
            else:
                who = {"eigenaar_type": "rechtspersoon", "eigenaar_naam": owner.naam, "eigenaar_geboortedatum": "",
                       "eigenaar_kvk": owner.kvk}
            wr.rows["kadaster_eigendom"].append({
                "eigendom_id": key, "verblijfsobject_id": w.units[i].vo, **who, "eigenaar_correspondentieadres": corr,
                "aandeel": share, "datum_verkrijging": iso(min(day, PEIL)), "koopsom_eur": price or ""})
            wr.keys.append(("kadaster_eigendom", key, owner.ware))


def _kvk(wr: Writer) -> None:
    w, n = wr.w, 0
    for c in w.companies:
        end = None if c.end is None else max(c.end, c.start)
        wr.rows["kvk_vestiging"].append({
            "kvk_nummer": c.kvk, "naam": c.naam, "rechtsvorm": c.rechtsvorm, "sbi_code": c.sbi,
            "verblijfsobject_id": w.units[c.unit].vo if c.unit is not None else "",
            "adres_tekst": c.adres if c.unit is None else "", "datum_inschrijving": iso(c.start),
            "datum_opheffing": "" if end is None else iso(end)})
        wr.keys.append(("kvk_vestiging", c.kvk, c.ware))
        for who, rol, start, stop in c.officers:
            n += 1
            key = f"FUN{n:07d}"
            start = min(start, PEIL)
            wr.rows["kvk_functionaris"].append({
                "functionaris_id": key, "kvk_nummer": c.kvk, "naam": render_person(who, w.rng, w.p.name_noise / 2),
                "geboortedatum": birth_noise(who.geboortedatum, w.rng, 0.1, 0.0), "rol": rol,
                "datum_aanvang": iso(start), "datum_einde": "" if stop is None else iso(max(start, stop))})
            wr.keys.append(("kvk_functionaris", key, who.ware))


def _contracts(wr: Writer) -> None:
    w = wr.w
    for n, k in enumerate(sorted(w.contracts, key=lambda k: (k.start, k.unit)), 1):
        key = f"HC{n:07d}"
        corp = "register" not in k.bron
        rec: dict = {"contract_id": key, "bron": k.bron}
        wr.place("huurcontract", key, rec, k.unit, w.rng.random() > (0.95 if corp else 1 - w.p.text_only), 0.2)
        for role, party in (("verhuurder", k.landlord), ("bemiddelaar", k.agent), ("huurder", k.tenant)):
            if party is None:
                rec[f"{role}_naam"], rec[f"{role}_kvk"] = "", ""
                continue
            rec[f"{role}_naam"] = party.naam if isinstance(party, Company) and corp and role == "verhuurder" \
                else wr.name(party, w.p.name_noise)
            rec[f"{role}_kvk"] = party.kvk if isinstance(party, Company) and (
                corp or w.rng.random() < party.contract_kvk) else ""
            wr.keys.append(("huurcontract", f"{key}:{role}", party.ware))
        t = k.tenant
        rec["huurder_geboortedatum"] = birth_noise(t.geboortedatum, w.rng, 0.35, 0.02) \
            if isinstance(t, Person) else ""
        rec["datum_aanvang"] = iso(min(k.start, PEIL))
        rec["datum_einde"] = "" if k.end is None else iso(max(min(k.start, PEIL), k.end))
        rec["huurprijs_eur"] = k.rent if w.rng.random() < 0.92 else ""
        rec["betaalwijze"] = k.pay if w.rng.random() < 0.9 else ""
        wr.rows["huurcontract"].append(rec)


def _police(wr: Writer) -> None:
    w = wr.w
    for rec in w.incidents:
        row = {"incident_id": rec["id"], "datum": iso(rec["day"]), "categorie": rec["cat"],
               "omschrijving": rec["omschrijving"]}
        wr.place("politie_incident", rec["id"], row, rec["unit"], rec["text"], 0.4)
        wr.rows["politie_incident"].append(row)
    for n, (inc, who, rol) in enumerate(w.involved, 1):
        key = f"BTR{n:07d}"
        wr.rows["politie_betrokkene"].append({
            "betrokkene_id": key, "incident_id": inc, "naam": render_person(who, w.rng, w.p.name_noise),
            "geboortedatum": birth_noise(who.geboortedatum, w.rng, 0.08, 0.01), "rol": rol})
        wr.keys.append(("politie_betrokkene", key, who.ware))


def _tips(wr: Writer) -> None:
    for rec in sorted(wr.w.tips, key=lambda r: r["id"]):
        row = {"melding_id": rec["id"], "datum": iso(rec["day"]), "bron_type": rec["bron_type"]}
        wr.place("melding", rec["id"], row, rec["unit"], rec["text"], 0.5)
        row.update({"categorieen": rec["cats"], "tekst": rec["tekst"]})
        wr.rows["melding"].append(row)


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        out.writeheader()
        for r in rows:
            out.writerow({c: "" if r.get(c) is None else r.get(c) for c in columns})


def write(w: World, out: Path, energy_rows: list[dict], meta: dict) -> dict[str, int]:
    """Write every source, the manifest and truth/; returns the rows per source."""
    out.mkdir(parents=True, exist_ok=True)
    wr = Writer(w)
    for step in (_bag, _brp, _kadaster, _kvk, _contracts, _police, _tips):
        step(wr)
    wr.rows["energie_verbruik"] = energy_rows
    wr.rows["handhaving_uitkomst"] = w.outcomes
    sources = {}
    for name, rows in wr.rows.items():
        path = out / f"{name}.csv"
        _write_csv(path, SOURCES[name].column_names, rows)
        leverancier, grondslag = SUPPLIERS[name]
        sources[name] = {"leverancier": leverancier, "grondslag": grondslag, "geleverd": "2025-04-03",
                         **declaration(path, len(rows))}
    manifest = {"contract": CONTRACT_VERSION, "region": "RIEC Zuid-Holland Zuid (onafhankelijke wereld)",
                "peildatum": PEILDATUM, "sources": sources}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _truth(wr, out / "truth", meta)
    return {name: len(rows) for name, rows in wr.rows.items()}


def _truth(wr: Writer, folder: Path, meta: dict) -> None:
    w = wr.w
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "adres_typologie.csv", ["verblijfsobject_id", "typologie", "actief_vanaf"],
               [{"verblijfsobject_id": w.units[i].vo, "typologie": c.typology, "actief_vanaf": iso(c.start)}
                for i, c in sorted(w.crimes.items())])
    mentioned = {ware for _, _, ware in wr.keys}
    parties, seen = [], set()
    for party, rol in w.malafide:
        if party.ware in seen or party.ware not in mentioned:
            continue
        seen.add(party.ware)
        if isinstance(party, Company):
            parties.append({"naam": party.naam, "kvk_nummer": party.kvk, "rol": rol, "ware_persoon": party.ware})
        else:
            parties.append({"naam": party.full, "kvk_nummer": "", "rol": rol, "ware_persoon": party.ware})
    _write_csv(folder / "malafide_partij.csv", ["naam", "kvk_nummer", "rol", "ware_persoon"], parties)
    _write_csv(folder / "persoon_sleutel.csv", ["bron", "record_sleutel", "ware_persoon"],
               [{"bron": b, "record_sleutel": k, "ware_persoon": p} for b, k, p in wr.keys])
    _write_csv(folder / "adres_tekst.csv", ["bron", "record_sleutel", "verblijfsobject_id"],
               [{"bron": b, "record_sleutel": k, "verblijfsobject_id": v} for b, k, v in wr.texts])
    meta = {**meta, "malafide_partijen": len(parties), "tekstadressen": len(wr.texts)}
    (folder / "wereld.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
