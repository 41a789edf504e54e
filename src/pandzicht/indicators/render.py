"""The algorithm-register entry and the indicator catalogue, as one public page (docs/indicatoren.md).

Generated from the indicator files, the intake contract, the roles and the model constants, so the published
description is exactly what runs (the SyRI ruling faulted a system nobody could check). The sections follow the
national Algoritmeregister publication standard, in Dutch as the register publishes it.
"""

from __future__ import annotations

from pandzicht.indicators.catalogue import Indicator, load_catalogue

_FAMILIES = {
    "energie": "Energie (netbeheerder)", "bewoning": "Bewoning (BRP)", "huur": "Huur (corporaties, verhuurregister)",
    "eigendom": "Eigendom (Kadaster)", "bedrijven": "Bedrijven (KvK)", "verhuurders": "Bemiddelaars en verhuurders",
    "personen": "Personen (gekoppelde gegevens)", "signalen": "Signalen (meldingen, politie)",
}
_ENTITY = {"adres": "woning", "partij": "partij (bemiddelaar, verhuurder, eigenaar, huurder)", "persoon": "persoon",
           "bedrijf": "bedrijf", "bemiddelaar": "bemiddelaar"}

TITLE = "# pandzicht — algoritmeregister en indicatorcatalogus"
# The field groups of the national Algoritmeregister publication standard, in the order the register shows them.
REGISTER_SECTIONS: dict[str, tuple[str, ...]] = {
    "Algemene informatie": ("Naam", "Organisatie", "Korte omschrijving", "Type algoritme", "Status",
                            "Website en contact"),
    "Verantwoord gebruik": ("Doel en impact", "Afwegingen", "Menselijke tussenkomst", "Risicobeheer"),
    "Wettelijke grondslag": ("Grondslag per bron", "Convenant", "Instrumenten die het ondersteunt"),
    "Impacttoetsen": ("DPIA", "IAMA"),
    "Werking": ("Gegevens en hun bronnen", "Technisch ontwerp: koppelen", "Indicatoren", "Scoremodel",
                "Typologiemodel", "Externe leveranciers"),
}


def _nl(x: float, fmt: str = ".2f") -> str:
    """A number as Dutch text writes it (decimal comma)."""
    return format(x, fmt).replace(".", ",")


def _general() -> dict[str, list[str]]:
    return {
        "Naam": ["pandzicht — risicosignalering crimineel verhuurde woningen"],
        "Organisatie": ["De gemeenten en partners van het RIEC Rotterdam (elke organisatie die het inzet "
                        "publiceert haar eigen registratie)."],
        "Korte omschrijving": [
            "pandzicht helpt analisten bepalen naar welke woningen, bemiddelaars, verhuurders en katvangers zij "
            "eerst kijken bij vermoeden van crimineel gebruik van huurwoningen (safehouse, drugsopslag, "
            "hennepkwekerij, illegale prostitutie, woonfraude, overbewoning), en ondersteunt de casustafel die "
            "volgt. Het rangschikt en legt uit; het beslist niets."],
        "Type algoritme": ["Rekenregels (indicatoren, elk één SQL-query) met een zelflerend model: gewichten "
                           "per indicator geleerd uit eerdere controles (logistische regressie, alleen "
                           "niet-negatieve gewichten) en een typologiemodel (multinomiale logistische regressie)."],
        "Status": ["In ontwikkeling (proef met synthetische gegevens); niet in gebruik voor besluiten."],
        "Website en contact": ["Deze pagina, docs/methode.md en de broncode van pandzicht. Contact: de "
                               "functionaris gegevensbescherming van de publicerende organisatie (in te vullen "
                               "bij publicatie)."],
    }


def _responsible(n_indicators: int) -> dict[str, list[str]]:
    from pandzicht.privacy.dpia import RISKS
    from pandzicht.privacy.roles import PERMISSIONS, ROLE_LABELS

    roles = [f"- **{ROLE_LABELS[r]}**: " + ", ".join(f"`{p.value}`" for p in sorted(ps)) for r, ps in
             PERMISSIONS.items()]
    return {
        "Doel en impact": [
            "Doel: schaarse controlecapaciteit richten op woningen en partijen waar een controle waarschijnlijk "
            "iets vindt, en zo bewoners beschermen tegen uitbuiting, overlast en gevaar (explosies, brand bij "
            "hennepteelt). Impact: wie hoog scoort kan gecontroleerd worden; een onterechte controle is een "
            "inbreuk op het privéleven. Daarom beslist een mens, ziet de analist personen alleen als pseudoniem, "
            "en staat bij elke score waar zij uit bestaat."],
        "Afwegingen": [
            f"Alleen indicatoren met een openbare onderbouwing ({n_indicators}, hieronder), elk met bekende "
            "onschuldige verklaringen en de reden waarom het geen proxy is voor een beschermd kenmerk. Beschermde "
            "kenmerken worden bij de intake geweigerd (de SyRI-uitspraak, Rechtbank Den Haag 5 februari 2020). "
            "Een transparant additief model in plaats van een nauwkeuriger maar onverklaarbaar model: elke "
            "score is de som van zichtbare bijdragen. Onzekere koppelingen blijven leeg in plaats van gegokt."],
        "Menselijke tussenkomst": [
            "Het systeem rangschikt en legt uit; elke controle, interventie of zaak is een besluit van een mens "
            "(AVG art. 22). Een uitkomst van een partner telt pas als leervoorbeeld nadat een casusregisseur "
            "haar bevestigt. Wat elke rol mag (`privacy/roles.py`, bij elk verzoek op de server gecontroleerd):",
            "", *roles],
        "Risicobeheer": [
            "Risico's voor betrokkenen en de maatregelen (uit de DPIA, docs/dpia.md, elk met zijn test in "
            "docs/web.md, Beveiliging):", "",
            *[f"- {r.risico}: {r.maatregelen}" for r in RISKS]],
    }


def _legal() -> dict[str, list[str]]:
    from pandzicht.cases.catalogue import CATALOGUE
    from pandzicht.privacy.dpia import sources_table

    return {
        "Grondslag per bron": [
            "Elke levering noemt per bron de grondslag in `manifest.json` (docs/intake.md); een bron met "
            "persoonsgegevens zonder grondslag weigert de hele levering. Hieronder de grondslag zoals de "
            "demonstratielevering die opgeeft; in productie geldt wat de leverancier opgeeft (tabel "
            "`bundel_bron` van de analyse-opslag).", "", *sources_table()],
        "Convenant": ["Het delen van gegevens tussen gemeenten, politie, Belastingdienst en andere partners "
                      "gebeurt op grond van het RIEC-convenant (gegevensdeling voor de bestuurlijke aanpak van "
                      "ondermijning); gedeelde politiegegevens op grond van de Wet politiegegevens art. 20."],
        "Instrumenten die het ondersteunt": [
            "Een zaak kiest interventies uit deze catalogus (`cases/catalogue.py`), elk met zijn eigen grondslag:",
            "", "| instrument | wie | grondslag |", "|---|---|---|",
            *[f"| {i.naam} | {i.wie} | {i.grondslag} |" for i in CATALOGUE]],
    }


def _impact() -> dict[str, list[str]]:
    return {
        "DPIA": ["Opzet gegenereerd uit het contract en de configuratie: docs/dpia.md (verwerking, "
                 "gegevensstromen, noodzaak en evenredigheid, risico's en maatregelen, open vragen voor de "
                 "privacy officer). De beoordeling zelf is aan de privacy officer."],
        "IAMA": ["Nog niet uitgevoerd (open vraag in docs/dpia.md). De uitleg per score, de catalogus hieronder "
                 "en `pandzicht fairness` zijn de bouwstenen ervoor."],
    }


def _operation(indicators: list[Indicator]) -> dict[str, list[str]]:
    from pandzicht.contract.sources import LOAD_ORDER, SOURCES
    from pandzicht.link.address_match import LINK_THRESHOLD
    from pandzicht.link.parties_splink import DREMPEL, WACHTRIJ_BOVEN, WACHTRIJ_ONDER
    from pandzicht.privacy.dpia import SOURCE_NL
    from pandzicht.score import model, shortlist, training, typology

    lo, hi = shortlist.BASE_RATE_BOUNDS
    return {
        "Gegevens en hun bronnen": [
            "Bronnen volgens het intakecontract (docs/bronnen.md, gegenereerd uit `contract/sources.py`):", "",
            *[f"- `{n}`: {SOURCE_NL[n]}"
              + ("" if SOURCES[n].personal_data else " Geen persoonsgegevens.") for n in LOAD_ORDER],
            "", "Nooit: nationaliteit, geboorteland, herkomst, religie, geslacht, gezondheid, strafbladcategorieën, "
            "taal; zulke kolommen weigeren de levering (`contract/protected.py`)."],
        "Technisch ontwerp: koppelen": [
            f"Adressen in vrije tekst worden aan een BAG-verblijfsobject gekoppeld vanaf een zekerheid van "
            f"{_nl(LINK_THRESHOLD)} en alleen als geen tweede kandidaat even goed past; anders blijft de koppeling "
            f"leeg. Personen en bedrijven: gedeelde sleutels (KvK-nummer, BRP-pseudoniem) beslissen; verder een "
            f"Fellegi–Sunter-model (Splink) dat twee vermeldingen vanaf kans {_nl(DREMPEL)} samenvoegt; paren "
            f"tussen {_nl(WACHTRIJ_ONDER)} en {_nl(WACHTRIJ_BOVEN)} gaan naar een beoordelingswachtrij, waar een "
            "analist beslist. Elke bewering verwijst naar bronbestand en record (docs/methode.md, Linking)."],
        "Indicatoren": [
            f"{len(indicators)} indicatoren; per indicator wat hij meet en waarom staat in de catalogus "
            "hieronder, met bekende onschuldige verklaringen en waarom hij geen proxy is.", "",
            "| code | titel | over | wijst op |", "|---|---|---|---|",
            *[f"| `{i.code}` | {i.titel} | {_ENTITY.get(i.entiteit, i.entiteit)} | {', '.join(i.wijst_op) or '—'} |"
              for i in indicators]],
        "Scoremodel": [
            "De score van een woning is logistic(intercept + Σ gewicht × waarde). Gewichten worden geleerd uit "
            "eerdere controles (`handhaving_uitkomst`; `niets_gevonden` telt als negatief), met de indicatoren "
            "zoals die vóór elke controle stonden, naast een steekproef van "
            f"{_nl(training.CONTROLS_PER_CHECK, 'g')} woningen per controle uit de levering zoals ze op dezelfde "
            "peildata stonden (ook als negatief: controles worden gekozen op signalen die niet altijd in de "
            "levering staan, dus de controles alleen zeggen niet hoe vaak een indicator bij gewone woningen "
            "afgaat), en zijn nooit negatief: een indicator kan een score alleen "
            "verhogen. Ze worden getrokken naar een voorkennis uit de levering zelf (naive Bayes: log(gevoeligheid "
            f"/ aandeel woningen waarop de indicator afgaat), met een sterkte van {_nl(model.PRIOR_STRENGTH, 'g')} "
            f"controles; de gevoeligheid is met {_nl(model.SENSITIVITY_PSEUDO_CHECKS, 'g')} controles afgevlakt naar "
            f"{_nl(model.ASSUMED_SENSITIVITY, 'g')}). De score van een partij is 1 − exp(−Σ waarde) over haar eigen "
            "indicatoren.", "",
            "Indicatoren over wie er woont of huurt in plaats van over wat er in de woning gebeurt (het verleden "
            "van een bewoner, de politieregistraties bij andere woningen van zijn huurder of verhuurder) tellen "
            "alleen mee naast een signaal over de woning zelf, bij het leren en bij het scoren: "
            + ", ".join(f"`{i.code}`" for i in indicators if i.alleen_met_woningsignaal) + ".", "",
            "Bij het leren leest elke indicator op een eerdere peildatum alleen wat toen bekend was (latere "
            "contracten, inschrijvingen, registraties en opheffingen niet; getest door een wereld terug te snijden). "
            "Indicatoren die een woning of partij vergelijken met de rest van de levering (een mediaan, een aandeel "
            "in de regio) worden daarvoor bij elke levering opnieuw berekend, niet overgenomen uit de vorige: "
            + ", ".join(f"`{i.code}`" for i in indicators if i.vergelijkt_met_levering) + ".", "",
            "Terugval, altijd vastgelegd en getoond (stap `score.*` in `analyse_terugval`):", "",
            f"- minder dan {model.MIN_LABELS} controles met bevinding: de voorkennis alleen is het gewicht "
            "(`score.gewichten`);",
            f"- minder dan {model.MIN_LABELS} controles zonder bevinding: de gewichten worden geleerd uit de "
            "bevindingen tegen de steekproef uit de levering alleen (`score.gewichten`);",
            f"- geen uitkomsten, of geen enkele bevinding: het aandeel woningen met een bevinding wordt "
            f"aangenomen op {_nl(shortlist.DEFAULT_BASE_RATE, '.0%')} (`score.basisniveau`);",
            f"- een gemeten aandeel buiten {_nl(lo, '.1%')}–{_nl(hi, '.0%')}: begrensd (`score.basisniveau`);",
            "- controles op adressen die niet in de BAG staan: geteld en weggelaten (`score.uitkomsten`)."],
        "Typologiemodel": [
            "Wat een controle waarschijnlijk vindt (hennepkwekerij, drugsopslag, safehouse, prostitutie, "
            "woonfraude, overbewoning): een multinomiale logistische regressie over dezelfde indicatoren en over "
            "de meldingen en politieregistraties per categorie (die tellen niet mee in de score). Voorkennis uit de "
            f"catalogus: een indicator op zijn gebruikelijke sterkte in de levering telt "
            f"{_nl(typology.PRIOR_LOGIT, 'g')} log-odds op bij elke typologie waar hij "
            "op wijst (`wijst_op`; voor de categorieën `EVIDENCE_POINTS` in `score/typology_evidence.py`); het model "
            "leest elke invoer als log2(1 + waarde / gebruikelijke sterkte), zodat bewijs verzadigt en één sterke "
            "indicator niet alleen over de typologie beslist. De voorkennis weegt met een "
            f"sterkte van {_nl(typology.PRIOR_STRENGTH, 'g')} controles. Elke typologie met een bevinding wordt "
            "geleerd en naar die voorkennis getrokken; een typologie zonder bevinding houdt haar cataloguswaarden. "
            f"Met minder dan {typology.MIN_POSITIVES} bevindingen volgt een typologie vooral de catalogus en wordt "
            "dat vastgelegd (`score.typologie`). Een woning krijgt een vermoeden als zij minstens één signaal heeft "
            "en boven een gewone woning van de levering scoort (docs/methode.md, Typologie)."],
        "Externe leveranciers": ["Geen. pandzicht draait op eigen servers van de organisatie; er gaan geen "
                                 "gegevens naar derden of externe diensten."],
    }


def render_register(indicators: list[Indicator]) -> list[str]:
    """The Algoritmeregister entry: every field of the publication standard, in its order."""
    fields = {**_general(), **_responsible(len(indicators)), **_legal(), **_impact(), **_operation(indicators)}
    out: list[str] = []
    for section, names in REGISTER_SECTIONS.items():
        out += [f"## {section}", ""]
        for name in names:
            out += [f"### {name}", "", *fields[name], ""]
    return out


def render_catalogue(indicators: list[Indicator] | None = None) -> str:
    """Markdown: the register entry, then the catalogue, one section per indicator grouped by family."""
    indicators = indicators if indicators is not None else load_catalogue()
    out = [TITLE, "", "Gegenereerd uit `src/pandzicht/indicators/catalogue/*.toml`, het intakecontract en de "
           "configuratie door `pandzicht catalogus`; niet met de hand bewerken. Ingedeeld volgens de "
           "publicatiestandaard van het Algoritmeregister.", "", *render_register(indicators),
           "## Indicatorcatalogus", "", "| code | titel | over | familie | bronnen |", "|---|---|---|---|---|"]
    for i in indicators:
        out.append(f"| `{i.code}` | {i.titel} | {_ENTITY.get(i.entiteit, i.entiteit)} | {i.familie} | "
                   f"{_sources(i)} |")
    family = None
    for i in indicators:
        if i.familie != family:
            family = i.familie
            out += ["", f"### {_FAMILIES.get(family, family)}"]
        out += [
            "", f"#### `{i.code}` — {i.titel}", "",
            f"- **Over:** {_ENTITY.get(i.entiteit, i.entiteit)}; **bronnen:** {_sources(i)}"
            + (f"; **wijst op:** {', '.join(i.wijst_op)}" if i.wijst_op else ""),
            f"- **Meet:** {i.meet}",
            f"- **Waarom:** {i.waarom}" + (f" ({i.bron_url})" if i.bron_url else ""),
            "- **Bekende onschuldige verklaringen:** " + "; ".join(i.onschuldig),
            f"- **Geen proxy:** {i.geen_proxy}",
            *([f"- **Telt mee:** {ONLY_WITH_HOME_SIGNAL}"] if i.alleen_met_woningsignaal else []),
            *([f"- **Vergelijkt met de levering:** {COMPARES_WITH_DELIVERY}"] if i.vergelijkt_met_levering else []),
        ]
    return "\n".join(out) + "\n"


ONLY_WITH_HOME_SIGNAL = ("alleen als op deze woning ook een indicator over de woning zelf afgaat (een zonder deze "
                         "regel). Dit zegt iets over wie er woont of huurt, niet over wat er in de woning gebeurt: "
                         "op zich is het geen reden voor een controle.")


COMPARES_WITH_DELIVERY = ("de waarde hangt ook af van de andere woningen of partijen in deze levering (een mediaan "
                          "of een aandeel in de regio). Voor het leren uit eerdere controles wordt ze daarom bij elke "
                          "levering opnieuw berekend op de eerdere peildata, nooit overgenomen uit de vorige analyse.")


def _sources(ind: Indicator) -> str:
    """'a, b' or 'a, b (indien geleverd: c)': an optional source sharpens the indicator but is not needed."""
    extra = f" (indien geleverd: {', '.join(ind.optioneel)})" if ind.optioneel else ""
    return ", ".join(ind.bronnen) + extra
