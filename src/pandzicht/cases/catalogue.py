"""The interventions catalogue: one entry per legal instrument, from the domain primer's table.

A case chooses instruments from here, so every intervention carries its legal
basis, its preconditions and who is responsible. `uitkomst_instrumenten` are the
outcome instruments of the intake contract (`handhaving_uitkomst.instrument`)
that this intervention typically records, first the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from pandzicht.contract.sources import FINDINGS, INSTRUMENTS, REPORTER_TYPES, SIGNAL_CATEGORIES


@dataclass(frozen=True)
class Instrument:
    code: str
    naam: str
    wie: str
    grondslag: str
    voorwaarden: str
    uitkomst_instrumenten: tuple[str, ...]


CATALOGUE: tuple[Instrument, ...] = (
    Instrument("sluiting_13b", "Sluiting woning of lokaal (Damocles)", "burgemeester", "Opiumwet art. 13b",
               "Drugs aangetroffen of voorbereidingshandelingen; evenredigheid per geval gewogen.",
               ("sluiting_13b", "waarschuwing", "last_onder_dwangsom")),
    Instrument("sluiting_174a", "Sluiting wegens openbare orde", "burgemeester", "Gemeentewet art. 174a",
               "Ernstige verstoring van de openbare orde, bijvoorbeeld wapens, explosies of een safehouse.",
               ("controle", "waarschuwing", "last_onder_dwangsom")),
    Instrument("bibob", "Integriteitsonderzoek (Bibob)", "gemeente (Bibob-bureau, Landelijk Bureau Bibob)",
               "Wet Bibob",
               "Vóór verlening of bij intrekking van een vergunning, ook een verhuurvergunning.",
               ("bibob", "vergunning_ingetrokken")),
    Instrument("goed_verhuurderschap", "Regels en vergunning goed verhuurderschap", "gemeente",
               "Wet goed verhuurderschap (sinds 1 juli 2023)",
               "Algemene regels voor elke verhuurder en bemiddelaar; vergunning in aangewezen gebieden; "
               "boetes; beheerovername.",
               ("controle", "waarschuwing", "bestuurlijke_boete", "vergunning_ingetrokken")),
    Instrument("adresonderzoek", "Adresonderzoek", "gemeente (burgerzaken)",
               "Wet BRP; Landelijke Aanpak Adreskwaliteit",
               "Inschrijvingen die niet overeenkomen met de werkelijkheid.",
               ("huisbezoek", "controle")),
    Instrument("huisvestingswet", "Handhaving onderhuur en huisvestingsvergunning", "gemeente",
               "Huisvestingswet 2014",
               "Illegale onderhuur, kamerverhuur of overbewoning.",
               ("controle", "huisbezoek", "last_onder_dwangsom", "bestuurlijke_boete")),
    Instrument("gedragsaanwijzing_151d", "Gedragsaanwijzing bij woonoverlast", "burgemeester",
               "Gemeentewet art. 151d (Wet aanpak woonoverlast)",
               "Ernstige en herhaalde overlast.",
               ("waarschuwing", "last_onder_dwangsom")),
    Instrument("rotterdamwet", "Screening nieuwe bewoners", "gemeente",
               "Wet bijzondere maatregelen grootstedelijke problematiek (Rotterdamwet)",
               "Alleen in aangewezen straten.",
               ("controle",)),
    Instrument("huurontbinding", "Ontbinding huurovereenkomst / ontruiming", "verhuurder, woningcorporatie",
               "Burgerlijk Wetboek art. 7:231",
               "Crimineel gebruik van de woning, bijvoorbeeld een hennepkwekerij.",
               ("huurontbinding",)),
    Instrument("melding_eigenaar", "Melding aan de eigenaar", "RIEC, gemeente", "— (geen bevoegdheid nodig)",
               "De eigenaar weet niet wat er in de woning gebeurt.",
               ("waarschuwing",)),
    Instrument("fiscale_opvolging", "Fiscale opvolging", "Belastingdienst", "belastingwetgeving",
               "Niet-aangegeven huurinkomsten, contante geldstromen.",
               ("controle",)),
    Instrument("strafrechtelijk_onderzoek", "Strafrechtelijk onderzoek", "politie, OM, FIOD", "strafrecht",
               "Witwassen door bemiddelaars; verdenking van een strafbaar feit.",
               ("controle", "huisbezoek")),
    Instrument("bestuurlijke_rapportage", "Bestuurlijke rapportage", "RIEC", "RIEC-convenant",
               "Integraal beeld aan een burgemeester voor een besluit.",
               ("controle",)),
)

BY_CODE: dict[str, Instrument] = {i.code: i for i in CATALOGUE}

# Partner organisations a fresh database starts with; after that the beheerder manages them (table organisatie).
PARTNER_ORGANISATIONS: tuple[str, ...] = (
    "Gemeente Rotterdam", "Politie Eenheid Rotterdam", "RIEC Rotterdam", "Belastingdienst",
    "Openbaar Ministerie", "Woningcorporatie", "Netbeheerder",
)

# Purposes (doelbinding) a case may be opened for: a managed list, so a purpose is a code and never free text
# (free text invites names, and the purpose travels into the audit log). Each needs the mandate's reference number.
CASE_PURPOSES: dict[str, str] = {
    "adresonderzoek": "Adresonderzoek: klopt de inschrijving (Wet BRP)",
    "opiumwet_13b": "Vermoeden van drugs of hennepteelt (Opiumwet art. 13b)",
    "openbare_orde_174a": "Verstoring van de openbare orde (Gemeentewet art. 174a)",
    "bibob": "Integriteitsonderzoek (Wet Bibob)",
    "goed_verhuurderschap": "Toezicht goed verhuurderschap",
    "woonfraude": "Illegale onderhuur of woonfraude (Huisvestingswet 2014)",
    "woonoverlast": "Woonoverlast (Gemeentewet art. 151d)",
    "ondermijning_riec": "Integraal beeld ondermijning (RIEC-convenant)",
    "melding_opvolgen": "Opvolging van een melding via het meldpunt",
}
# A reference number: an optional short upper-case prefix, then digits in groups ('RIEC-2024-0012', 'Z/2024/113').
REFERENCE_PATTERN = r"^(?:[A-Z]{1,10}[-/])?[0-9]{2,8}(?:[-/.][0-9]{1,8}){0,3}$"

TRAFFIC_LIGHTS = {"groen": "groen — geen actie nodig", "oranje": "oranje — nader onderzoek",
                  "rood": "rood — ingrijpen"}
CASE_STATUSES = ("open", "in_behandeling", "gesloten")
SUBJECT_KINDS = ("adres", "partij", "melding")

OUTCOME_INSTRUMENT_LABELS = {
    "controle": "controle", "huisbezoek": "huisbezoek", "sluiting_13b": "sluiting (13b)", "bibob": "Bibob-toets",
    "huurontbinding": "huurontbinding", "waarschuwing": "waarschuwing", "last_onder_dwangsom": "last onder dwangsom",
    "vergunning_ingetrokken": "vergunning ingetrokken", "bestuurlijke_boete": "bestuurlijke boete",
}
FINDING_LABELS = {
    "hennepkwekerij": "hennepkwekerij", "drugsopslag": "drugsopslag", "safehouse": "safehouse",
    "prostitutie": "illegale prostitutie", "woonfraude": "woonfraude / illegale onderhuur",
    "overbewoning": "overbewoning", "niets_gevonden": "niets gevonden",
}
SIGNAL_CATEGORY_LABELS = {
    "stank": "stank (bijv. hennepgeur)", "loopvolk": "veel aanloop (loopvolk)",
    "nachtelijk_bezoek": "bezoek 's nachts", "afgeplakte_ramen": "afgeplakte of geblindeerde ramen",
    "veel_namen_brievenbus": "veel namen op de brievenbus", "contante_betaling": "contante huurbetaling",
    "overbewoning": "te veel bewoners", "geluid_apparatuur": "zoemende apparatuur of ventilatie",
    "wisselende_bewoners": "steeds wisselende bewoners", "overig": "iets anders",
}
REPORTER_LABELS = {
    "buurtbewoner": "buurtbewoner", "pakketbezorger": "pakket- of postbezorger", "welzijnswerker": "welzijnswerker",
    "complexbeheerder": "huismeester / complexbeheerder", "wijkagent": "wijkagent", "boa": "boa",
    "anoniem": "zeg ik liever niet (anoniem)",
}

assert set(OUTCOME_INSTRUMENT_LABELS) == set(INSTRUMENTS)
assert set(FINDING_LABELS) == set(FINDINGS)
assert set(SIGNAL_CATEGORY_LABELS) == set(SIGNAL_CATEGORIES)
assert set(REPORTER_LABELS) == set(REPORTER_TYPES)
assert all(u in INSTRUMENTS for i in CATALOGUE for u in i.uitkomst_instrumenten)
