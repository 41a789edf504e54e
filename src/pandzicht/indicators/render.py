"""The catalogue as a public page that doubles as the algorithm-register entry.

Generated from the indicator files, so the published description is exactly
what runs (the SyRI ruling faulted a system nobody could check).
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

REGISTER = """# pandzicht — indicator catalogue and algorithm-register entry

Generated from `src/pandzicht/indicators/catalogue/*.toml` by `pandzicht catalogus`; do not edit by hand.

## Algorithm register (Algoritmeregister)

| field | entry |
|---|---|
| Name | pandzicht — risicosignalering crimineel verhuurde woningen |
| Organisation | the municipalities and partners of RIEC Rotterdam |
| Purpose | Help analysts decide which homes, rental agents, landlords and straw-man tenants to look at first for criminal letting (safehouses, drug storage, cannabis farms, illegal prostitution, address fraud, overcrowding), and support the case work that follows. |
| Legal basis | per source, recorded in each delivery's manifest (`grondslag`), e.g. the RIEC covenant, Wet BRP, Wet politiegegevens; interventions have their own bases (Opiumwet 13b, Wet Bibob, Wet goed verhuurderschap, ...). |
| Human oversight | The system ranks and explains; it decides nothing. Every check, intervention or case is decided by people (AVG art. 22). |
| Data | BAG, BRP, Kadaster, KvK, housing-corporation and landlord-register tenancies, grid-operator energy use, police registrations shared under the RIEC covenant, signals from the neighbourhood, outcomes of past checks. Never: nationality, country of birth, ethnicity, religion, sex, health, language, criminal-record categories — such columns are refused at intake. |
| Model | A unit's score is the logistic function of an intercept plus the sum of indicator contributions (weight × value). Weights are learned from past checks (`handhaving_uitkomst`, with `niets_gevonden` as negatives) by a logistic regression bounded at zero, shrunk towards the average weight, on the indicators as they stood before each check. A party's score is 1 − exp(−sum of its indicator values). Every score is shown with its contributions. |
| Fairness | `pandzicht fairness` compares, per neighbourhood, the share in the shortlist with the share of homes and of confirmed findings, and names the indicators that drive any difference. |
| Indicators | {n} (below), each with what it measures, why, known innocent explanations and why it is not a proxy of a protected attribute. |

"""


def render_catalogue(indicators: list[Indicator] | None = None) -> str:
    """Markdown: the register entry, then one section per indicator grouped by family."""
    indicators = indicators if indicators is not None else load_catalogue()
    out = [REGISTER.replace("{n}", str(len(indicators))), "## Overview", "",
           "| code | titel | about | family | sources |", "|---|---|---|---|---|"]
    for i in indicators:
        out.append(f"| `{i.code}` | {i.titel} | {_ENTITY.get(i.entiteit, i.entiteit)} | {i.familie} | "
                   f"{', '.join(i.bronnen)} |")
    family = None
    for i in indicators:
        if i.familie != family:
            family = i.familie
            out += ["", f"## {_FAMILIES.get(family, family)}"]
        out += [
            "", f"### `{i.code}` — {i.titel}", "",
            f"- **About:** {_ENTITY.get(i.entiteit, i.entiteit)}; **sources:** {', '.join(i.bronnen)}"
            + (f"; **points at:** {', '.join(i.wijst_op)}" if i.wijst_op else ""),
            f"- **Measures:** {i.meet}",
            f"- **Why:** {i.waarom}" + (f" ({i.bron_url})" if i.bron_url else ""),
            "- **Known innocent explanations:** " + "; ".join(i.onschuldig),
            f"- **Not a proxy:** {i.geen_proxy}",
        ]
    return "\n".join(out) + "\n"
