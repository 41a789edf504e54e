"""The DPIA skeleton (docs/dpia.md), generated from the contract, the retention terms, the roles and the stores.

A DPIA written by hand describes the system someone remembers; this one is rendered from the declarations the
code runs on (sources and their columns, bewaartermijnen, permissions, tables, audit actions), so a test fails
when the two drift apart. What only the privacy officer can judge is marked as an open question, never guessed.
The register entry (docs/indicatoren.md) reuses the per-source tables and the risks from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from pandzicht.contract.sources import LOAD_ORDER, SOURCES, Column, Source

# Every source's legal basis as the demonstration delivery declares it in manifest.json (synth/writer.py). In
# production the supplier states it per delivery; a source with personal data and no grondslag is refused, and the
# stated value is kept in the analysis store (table `bundel_bron`).
_PERSON_ID = {"persoon_id": "pseudoniem van het BSN", "host_token": "pseudoniem van de verhuurder (platform)"}
# Dutch descriptions for the register and the DPIA (the contract's own are English, for developers). Looked up
# strictly: a source added to the contract without one here fails the render and its test.
SOURCE_NL: dict[str, str] = {
    "bag_verblijfsobject": "Adressen en verblijfsobjecten (BAG).",
    "brp_inschrijving": "Wie waar staat ingeschreven (BRP), een rij per inschrijvingsperiode.",
    "kadaster_eigendom": "Wie wat bezit (Kadaster).",
    "kvk_vestiging": "Bedrijven (KvK Handelsregister).",
    "kvk_functionaris": "Bestuurders en andere functionarissen van bedrijven (KvK).",
    "huurcontract": "Huurcontracten: woningcorporaties en het register goed verhuurderschap.",
    "energie_verbruik": "Gemeten energieverbruik per verblijfsobject per maand (netbeheerder).",
    "politie_incident": "Politieregistraties, gedeeld op grond van het RIEC-convenant.",
    "politie_betrokkene": "Personen in die politieregistraties, met hun rol.",
    "melding": "Meldingen van mensen uit de buurt.",
    "handhaving_uitkomst": "Uitkomsten van eerdere controles en interventies (de leervoorbeelden).",
    "kortverblijf_advertentie": "Advertenties voor kortdurende verhuur (optionele uitbreiding); de locatie is tot "
                                "ongeveer 150 m verschoven.",
}
_GROUPS = ("identificatie (gepseudonimiseerd)", "naam", "geboortedatum", "adres of woning",
           "KvK-nummer (bij een eenmanszaak herleidbaar tot een persoon)", "vrije tekst (kan van alles bevatten)",
           "overig")


def personal_fields(source: Source) -> dict[str, list[str]]:
    """The columns of a source grouped by what they say about a person, read from the contract's column names.

    Every column of a source with personal data lands in one group, so a column added to the contract shows up
    here (and in the DPIA) without anyone remembering to list it."""
    groups: dict[str, list[str]] = {}
    if not source.personal_data:
        return groups

    def put(group: str, col: Column) -> None:
        groups.setdefault(group, []).append(col.name)

    for col in source.columns:
        n = col.name
        if n in _PERSON_ID:
            put("identificatie (gepseudonimiseerd)", col)
        elif n in ("geslachtsnaam", "voorvoegsel", "voornamen") or n == "naam" or n.endswith("_naam"):
            put("naam", col)
        elif n.endswith("geboortedatum"):
            put("geboortedatum", col)
        elif n in ("adres_tekst", "verblijfsobject_id") or n.endswith("adres"):
            put("adres of woning", col)
        elif n in ("tekst", "omschrijving"):
            put("vrije tekst (kan van alles bevatten)", col)
        elif n.endswith("kvk") or n == "kvk_nummer":
            put("KvK-nummer (bij een eenmanszaak herleidbaar tot een persoon)", col)
        else:
            put("overig", col)
    return {g: groups[g] for g in _GROUPS if g in groups}


def demo_grondslag() -> dict[str, str]:
    """The grondslag per source in the demonstration delivery (what a supplier writes in manifest.json)."""
    from pandzicht.synth.writer import MANIFEST_SOURCES

    return {name: basis for name, (_, basis) in MANIFEST_SOURCES.items()}


def sources_table() -> list[str]:
    """Markdown table: per source whether it holds personal data, which fields, and the grondslag."""
    basis = demo_grondslag()
    out = ["| bron | omschrijving | persoonsgegevens | grondslag (demonstratielevering) |", "|---|---|---|---|"]
    for name in LOAD_ORDER:
        fields = personal_fields(SOURCES[name])
        pd = "; ".join(f"{g}: " + ", ".join(f"`{c}`" for c in cols) for g, cols in fields.items()) or "geen"
        out.append(f"| `{name}` | {SOURCE_NL[name]} | {pd} | "
                   f"{basis.get(name, 'opgegeven door de leverancier in manifest.json')} |")
    return out


@dataclass(frozen=True)
class Risk:
    """A risk to data subjects, what answers it, and the tests that prove the answer works."""

    risico: str
    maatregelen: str
    tests: tuple[str, ...]  # test files or file::function, relative to the repository


RISKS: tuple[Risk, ...] = (
    Risk("Profilering op beschermde kenmerken (discriminatie, zoals bij SyRI)",
         "Kolommen met nationaliteit, geboorteland, herkomst, religie, geslacht, gezondheid, strafblad of taal "
         "worden bij de intake geweigerd; elke indicator zegt waarom hij geen proxy is; `pandzicht fairness` "
         "vergelijkt per buurt het aandeel in de shortlist met het aandeel woningen en bevindingen.",
         ("tests/contract/test_refusal.py",)),
    Risk("Een score wordt als besluit gelezen (AVG art. 22)",
         "Het systeem rangschikt en legt uit; elke controle, interventie of zaak is een besluit van een mens. "
         "Elke score toont zijn bijdragen; terugval op standaardwaarden wordt vastgelegd en getoond.",
         ("tests/web/test_pages.py",)),
    Risk("Iemand ziet namen zonder noodzaak (need to know)",
         "Personen verschijnen buiten een zaak als pseudoniem (initialen en sleutel); alleen de casusregisseur "
         "onthult een naam, in een zaak met een doel uit de lijst en een kenmerk; elke onthulling staat in het "
         "auditlog. Een partij is een persoon tenzij haar bronnen zeggen dat het een bedrijf is.",
         ("tests/web/test_privacy_cases.py", "tests/web/test_privacy_sweep.py", "tests/link/test_party_kind.py")),
    Risk("Inzage van gegevens zonder spoor",
         "Elke inzage van persoonsgegevens wordt gelogd, lijsten inbegrepen (een regel per verzoek met het "
         "aantal); het auditlog is alleen-toevoegen en met hashes geketend; `pandzicht audit controleer`.",
         ("tests/web/test_audit.py", "tests/web/test_privacy_overview_audit.py")),
    Risk("Een account wordt overgenomen",
         "Sessies op de server (uitloggen overal, 30 min inactief, 10 uur maximaal); blokkade na mislukte "
         "pogingen per account en per adres; sterke wachtwoorden; tweede factor voor wie namen kan onthullen of "
         "het auditlog leest; accountbeheer met auditregel.",
         ("tests/web/test_security_sessions.py", "tests/web/test_security_login.py")),
    Risk("Gegevens bij de verkeerde partner",
         "Partnerorganisaties zijn beheerde records; een zaak wordt gedeeld met een gekozen organisatie en een "
         "partneraccount hoort bij een actieve organisatie uit die lijst; een partner ziet alleen gedeelde zaken.",
         ("tests/web/test_privacy_cases.py::test_sharing_picks_a_managed_organisation",
          "tests/web/test_beheer_organisation.py")),
    Risk("Langer bewaren dan nodig (AVG art. 5 lid 1 onder e)",
         "Een bewaartermijn per bron (`privacy/bewaartermijnen.toml`); `pandzicht bewaartermijn toepassen` "
         "verwijdert oudere records uit beide opslagen en legt de aantallen vast.",
         ("tests/privacy/test_retention.py",)),
    Risk("Een cijfer over een kleine buurt wijst naar een huishouden",
         "Geen rapportregel of kaartcel voor minder dan 10 woningen (samengevoegd binnen de wijk of weggelaten).",
         ("tests/privacy/test_small_areas.py", "tests/web/test_small_areas.py")),
    Risk("Een verkeerde koppeling maakt iemand verdacht",
         "Een adres wordt alleen gekoppeld bij voldoende zekerheid en zonder gelijkwaardige tweede kandidaat; "
         "twijfelgevallen bij personen gaan naar een beoordelingswachtrij; elke bewering verwijst naar het record "
         "waar zij vandaan komt.",
         ("tests/link",)),
    Risk("Een onvolledige of verkeerde levering geeft valse signalen (een half BRP-bestand leest als verhuizing)",
         "De manifest kan per bron `rijen` en `sha256` opgeven; een afwijking weigert de hele bundel en noemt de "
         "bron met beide waarden (docs/intake.md).",
         ("tests/contract/test_manifest.py", "tests/intake/test_declared.py")),
    Risk("Uitlekken via bestanden, logboeken of de browser",
         "Opslag en uitvoer alleen voor de eigenaar (0600/0700); serverlog zonder foutmeldingstekst; "
         "`Cache-Control: no-store`; alleen ingestelde hostnamen; geen externe bronnen in de pagina's.",
         ("tests/web/test_privacy_files.py", "tests/web/test_security_errors.py",
          "tests/web/test_security_headers.py")),
    Risk("De betrokkene kan zijn rechten niet uitoefenen (AVG art. 15)",
         "`pandzicht inzage` stelt voor de privacy officer een overzicht op van alles wat over een persoon is "
         "vastgelegd, de scores en zaken die het voedde en wie het wanneer bekeek.",
         ("tests/privacy/test_subject_access.py",)),
)

OPEN_QUESTIONS: tuple[str, ...] = (
    "Is voor elke bron de grondslag in de levering (manifest.json) de juiste, en dekt het RIEC-convenant het "
    "delen van deze gegevens voor dit doel?",
    "Zijn de bewaartermijnen in `privacy/bewaartermijnen.toml` (alle gemarkeerd als keuze) passend, en welke "
    "termijn geldt voor het auditlog zelf (dat nu niet wordt opgeschoond)?",
    "Is de set indicatoren noodzakelijk en proportioneel voor het doel, per indicator (zie docs/indicatoren.md)?",
    "Welke controles op juistheid zijn nodig voordat een uitkomst van een partner als leervoorbeeld telt, naast de "
    "bevestiging door de casusregisseur?",
    "Is een IAMA (Impact Assessment Mensenrechten en Algoritmes) nodig, en wie voert die uit?",
    "Hoe en wanneer worden betrokkenen geïnformeerd (AVG art. 13/14), en geldt een uitzondering?",
    "Wie is verwerkingsverantwoordelijke, wie verwerker, en zijn er (gezamenlijke) afspraken per partner?",
    "Is een voorafgaande raadpleging van de Autoriteit Persoonsgegevens nodig (AVG art. 36)?",
)


def _retention_rows() -> list[str]:
    from pandzicht.privacy.retention import load_terms

    out = ["| bron | termijn | wat de leeftijd bepaalt | grond |", "|---|---|---|---|"]
    for name, t in sorted(load_terms().items()):
        term = f"{t.jaren} jaar" if t.jaren else "geen (actuele stand)"
        out.append(f"| `{name}` | {term} | {t.datum} | {t.grond} |")
    return out


def _roles_rows() -> list[str]:
    from pandzicht.privacy.roles import PERMISSIONS, ROLE_LABELS

    out = ["| rol | mag |", "|---|---|"]
    for role, perms in PERMISSIONS.items():
        out.append(f"| {ROLE_LABELS[role]} | {', '.join(f'`{p.value}`' for p in sorted(perms))} |")
    return out


def _tables() -> list[str]:
    import pandzicht.cases.models  # registers the case tables
    import pandzicht.privacy.models  # noqa: F401  (registers the privacy tables)
    from pandzicht.cases.db import Base

    out = []
    for t in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        out.append(f"- `{t.name}`: " + ", ".join(f"`{c.name}`" for c in t.columns))
    return out


def _purposes() -> list[str]:
    from pandzicht.cases.catalogue import CASE_PURPOSES

    return [f"- `{code}`: {label}" for code, label in CASE_PURPOSES.items()]


def render_dpia() -> str:
    """docs/dpia.md: the processing, data flows, necessity and proportionality, risks and controls, open questions."""
    from pandzicht.indicators.catalogue import load_catalogue

    indicators = load_catalogue()
    personal = [n for n in LOAD_ORDER if SOURCES[n].personal_data]
    out = [
        "# pandzicht — DPIA (gegevensbeschermingseffectbeoordeling): opzet",
        "",
        "Gegenereerd uit het contract (`contract/sources.py`), de bewaartermijnen (`privacy/bewaartermijnen.toml`), "
        "de rollen (`privacy/roles.py`), de tabellen van de operationele opslag en de indicatorcatalogus door "
        "`pandzicht catalogus`; niet met de hand bewerken. Dit is een opzet: de beoordeling zelf is aan de "
        "privacy officer en de functionaris gegevensbescherming. Punten die zij moeten beslissen staan onder "
        "**Open vragen voor de privacy officer**.",
        "",
        "## 1. De verwerking",
        "",
        "### Doel",
        "",
        "Analisten van gemeenten en het RIEC helpen bepalen naar welke woningen, bemiddelaars, verhuurders en "
        "katvangers zij eerst kijken bij vermoeden van crimineel gebruik van huurwoningen (safehouse, "
        "drugsopslag, hennepkwekerij, illegale prostitutie, woonfraude, overbewoning), en de casustafel die "
        "volgt ondersteunen. Het systeem neemt geen besluiten (zie docs/indicatoren.md, Menselijke tussenkomst).",
        "",
        "Een zaak wordt altijd geopend voor een doel uit deze lijst, met het kenmerk van de opdracht:",
        "",
        *_purposes(),
        "",
        "### Bronnen, persoonsgegevens en grondslag",
        "",
        f"{len(personal)} van de {len(LOAD_ORDER)} bronnen bevatten persoonsgegevens. Elke levering noemt per bron "
        "de grondslag in `manifest.json`; zonder grondslag wordt de hele levering geweigerd. De kolom grondslag "
        "hieronder is die van de demonstratielevering; in productie geldt wat de leverancier opgeeft (bewaard in "
        "tabel `bundel_bron` van de analyse-opslag).",
        "",
        *sources_table(),
        "",
        "Nooit verwerkt: nationaliteit, geboorteland, herkomst, religie, geslacht, gezondheid, "
        "strafbladcategorieën, taal. Een kolom daarmee weigert de levering (`contract/protected.py`).",
        "",
        "### Operationele opslag (de webtoepassing)",
        "",
        "Tabellen en kolommen (SQLite of PostgreSQL):",
        "",
        *_tables(),
        "",
        "Persoonsgegevens hierin: accountnamen van medewerkers, meldingen van buurtbewoners (vrije tekst, geen "
        "IP-adres of andere gegevens van de melder), zaken met hun onderwerp, en per onthulling wie welke partij "
        "in welke zaak zag. Het auditlog bevat alleen identificatoren en codes, nooit namen of getypte tekst.",
        "",
        "## 2. Gegevensstromen",
        "",
        "1. **Intake** (`pandzicht analyse`): een bundel bestanden met `manifest.json` wordt tegen het contract "
        "gecontroleerd (docs/intake.md, docs/bronnen.md); rijen die een regel breken gaan in quarantaine; een "
        "levering zonder grondslag, met een beschermd kenmerk of met een ander aantal rijen of een andere "
        "checksum dan de manifest opgeeft wordt geweigerd.",
        "2. **Analyse-opslag** (DuckDB, alleen leesbaar voor de eigenaar): adressen en personen worden "
        "gekoppeld, indicatoren berekend en woningen en partijen gescoord (docs/methode.md). Het BSN komt alleen "
        "gepseudonimiseerd binnen (`persoon_id`).",
        "3. **Webtoepassing** (`pandzicht serve`): analisten zien woningen, partijen en netwerken; een persoon "
        "verschijnt als pseudoniem (initialen en een sleutel: HMAC-SHA256 van het partij-id onder het geheim "
        "van de toepassing), een bedrijf met zijn geregistreerde naam.",
        "4. **Onthullen in een zaak**: alleen de casusregisseur, alleen in een zaak met een doel uit de lijst en "
        "een kenmerk, alleen voor partijen bij het onderwerp van de zaak; elke onthulling wordt vastgelegd "
        "(`onthulling`, auditactie `naam_onthuld`).",
        "5. **Delen met partners**: een zaak wordt gedeeld met een beheerde partnerorganisatie; een partner ziet "
        "alleen gedeelde zaken en legt uitkomsten vast voor de woningen van de zaak; die tellen pas als "
        "leervoorbeeld na bevestiging door een casusregisseur.",
        "6. **Terug naar de analyse**: bevestigde uitkomsten gaan als `handhaving_uitkomst` mee in de volgende "
        "levering en leren de gewichten.",
        "7. **Uitvoer**: CSV-exports van lijsten en een FollowTheMoney-export van een zaak (personen als "
        "pseudoniem tenzij in die zaak onthuld); elke export wordt gelogd.",
        "",
        "## 3. Noodzaak en evenredigheid",
        "",
        "### Is elk gegeven nodig? (minimalisatie)",
        "",
        f"Wat het systeem doet: het contract bepaalt welke kolommen gebruikt worden; extra kolommen worden "
        f"bewaard maar niet gebruikt, en beschermde kenmerken geweigerd. Elk van de {len(indicators)} "
        "indicatoren noemt de bronnen die hij leest, wat hij meet, waarom, bekende onschuldige verklaringen en "
        "waarom hij geen proxy is voor een beschermd kenmerk (docs/indicatoren.md). Personen zijn buiten een "
        "zaak gepseudonimiseerd; rapporten en kaartcellen over minder dan 10 woningen worden samengevoegd of "
        "weggelaten.",
        "",
        "### Hoe lang? (bewaartermijnen)",
        "",
        "Wat het systeem doet: `pandzicht bewaartermijn toepassen` verwijdert records ouder dan de termijn van "
        "hun bron uit de analyse-opslag en de operationele database, met wat ervan is afgeleid, en schrijft per "
        "bron het aantal in het auditlog. Termijnen (`privacy/bewaartermijnen.toml`):",
        "",
        *_retention_rows(),
        "",
        "### Wie mag wat? (need to know)",
        "",
        "Wat het systeem doet: rechten worden bij elk verzoek op de server gecontroleerd (`privacy/roles.py`):",
        "",
        *_roles_rows(),
        "",
        "### Wordt het gebruik gecontroleerd? (auditlog)",
        "",
        "Wat het systeem doet: elke inzage van persoonsgegevens en elke wijziging komt in het auditlog, lijsten "
        "inbegrepen (een regel per verzoek met het aantal). Het log is alleen-toevoegen en met hashes geketend; "
        "`pandzicht audit controleer` meldt de eerste gebroken regel. De privacy officer leest het op `/audit` "
        "en filtert op gebruiker, handeling en object; de handelingen staan in `privacy/audit.py` "
        "(`ACTION_LABELS`).",
        "",
        "### Kan het met minder? (subsidiariteit)",
        "",
        "Open vraag voor de privacy officer: is hetzelfde doel te bereiken met minder bronnen of minder "
        "indicatoren? De geleerde gewichten per indicator (`model_adres` in de analyse-opslag) en de uitleg per "
        "score laten zien wat elke indicator bijdraagt; een indicator die nergens bijdraagt is een kandidaat om "
        "te schrappen.",
        "",
        "## 4. Risico's voor betrokkenen en maatregelen",
        "",
        "Elke maatregel staat met de test die haar bewijst in docs/web.md, sectie Beveiliging.",
        "",
        "| risico | maatregelen | bewezen door |",
        "|---|---|---|",
    ]
    for r in RISKS:
        out.append(f"| {r.risico} | {r.maatregelen} | {', '.join(f'`{t}`' for t in r.tests)} |")
    out += ["", "## 5. Open vragen voor de privacy officer", ""]
    out += [f"{n}. **Open vraag:** {q}" for n, q in enumerate(OPEN_QUESTIONS, 1)]
    return "\n".join(out) + "\n"
