"""Tips from the neighbourhood, police registrations and outcomes of past checks.

Signals are probabilistic: not every criminal unit is reported, innocent
units are (students, large families, heat pumps humming), tips sometimes name
the neighbour's door, and most checks find nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pandzicht.synth.households import YEAR, day

# typology -> (tips per active year, categories with weights)
_TIP_PROFILE = {
    "hennepkwekerij": (0.9, {"stank": 5, "afgeplakte_ramen": 3, "geluid_apparatuur": 3, "nachtelijk_bezoek": 1}),
    "safehouse": (0.8, {"nachtelijk_bezoek": 4, "loopvolk": 3, "afgeplakte_ramen": 1, "overig": 1}),
    "drugsopslag": (0.7, {"loopvolk": 5, "nachtelijk_bezoek": 2, "afgeplakte_ramen": 1}),
    "prostitutie": (1.2, {"nachtelijk_bezoek": 4, "loopvolk": 3, "wisselende_bewoners": 3, "veel_namen_brievenbus": 1}),
    "woonfraude": (0.6, {"veel_namen_brievenbus": 4, "wisselende_bewoners": 4, "contante_betaling": 1}),
    "overbewoning": (
        1.0,
        {"overbewoning": 5, "veel_namen_brievenbus": 4, "wisselende_bewoners": 2, "contante_betaling": 1},
    ),
}
_INNOCENT_CATS = {
    "overig": 4,
    "geluid_apparatuur": 2,
    "loopvolk": 1,
    "stank": 1,
    "nachtelijk_bezoek": 1,
    "veel_namen_brievenbus": 1,
    "wisselende_bewoners": 1,
    "overbewoning": 1,
}
_REPORTER = {
    "stank": {"buurtbewoner": 6, "complexbeheerder": 2, "anoniem": 2},
    "afgeplakte_ramen": {"buurtbewoner": 4, "wijkagent": 2, "boa": 1, "anoniem": 2},
    "geluid_apparatuur": {"buurtbewoner": 6, "anoniem": 2},
    "nachtelijk_bezoek": {"buurtbewoner": 6, "anoniem": 3, "wijkagent": 1},
    "loopvolk": {"buurtbewoner": 5, "anoniem": 3, "wijkagent": 1, "boa": 1},
    "veel_namen_brievenbus": {"pakketbezorger": 6, "buurtbewoner": 2, "complexbeheerder": 1},
    "wisselende_bewoners": {"buurtbewoner": 3, "complexbeheerder": 2, "pakketbezorger": 2, "welzijnswerker": 1},
    "overbewoning": {"buurtbewoner": 3, "welzijnswerker": 2, "boa": 2, "complexbeheerder": 1},
    "contante_betaling": {"welzijnswerker": 3, "anoniem": 2, "buurtbewoner": 1},
    "overig": {"buurtbewoner": 5, "anoniem": 2, "boa": 1},
}
_TEXT = {
    "stank": ("Sterke wietlucht in het portiek", "Het ruikt hier al weken naar hennep", "Rare lucht bij de voordeur"),
    "afgeplakte_ramen": (
        "Ramen zijn afgeplakt met folie",
        "Gordijnen altijd dicht, ramen beslagen",
        "Zolderraam dichtgemaakt",
    ),
    "geluid_apparatuur": ("Constant gezoem van ventilatoren", "Brommend geluid dag en nacht", "Herrie van apparaten"),
    "nachtelijk_bezoek": (
        "Veel bezoek midden in de nacht",
        "Auto's komen en gaan 's nachts",
        "Steeds andere mensen laat op de avond",
    ),
    "loopvolk": ("Veel aanloop, mensen blijven kort", "Continu mensen die even binnen gaan", "Loopvolk bij de deur"),
    "veel_namen_brievenbus": (
        "Veel verschillende namen op de brievenbus",
        "Post voor allerlei namen",
        "Pakketten voor onbekende namen",
    ),
    "wisselende_bewoners": ("Steeds andere bewoners", "Elke paar weken nieuwe mensen", "Ken de bewoners niet meer"),
    "overbewoning": (
        "Er wonen heel veel mensen in één woning",
        "Veel matrassen gezien, busjes met arbeiders",
        "Te veel mensen op dit adres",
    ),
    "contante_betaling": ("Huur wordt contant opgehaald", "Iemand haalt maandelijks geld op"),
    "overig": ("Verdachte situatie", "Overlast van de bewoners", "Vuilnis op de galerij", "Ruzie en geschreeuw"),
}
_INCIDENT = {
    "hennepkwekerij": (0.12, {"woninginbraak": 2, "overig": 2, "hennepkwekerij": 1}),
    "safehouse": (0.35, {"wapens": 3, "explosie": 2, "schietincident": 1, "drugshandel": 2, "safehouse": 1}),
    "drugsopslag": (0.3, {"drugshandel": 4, "explosie": 1, "drugsopslag": 1}),
    "prostitutie": (0.35, {"prostitutie": 3, "mensenhandel": 1, "overlast": 2}),
    "woonfraude": (0.08, {"overlast": 3, "overig": 1}),
    "overbewoning": (0.25, {"overlast": 3, "mensenhandel": 1}),
}
_DISCOVERY_CAT = {
    "hennepkwekerij": "hennepkwekerij",
    "safehouse": "safehouse",
    "drugsopslag": "drugsopslag",
    "prostitutie": "prostitutie",
    "woonfraude": "overig",
    "overbewoning": "overig",
}
_INC_TEXT = {
    "hennepkwekerij": "Hennepkwekerij aangetroffen en geruimd",
    "drugsopslag": "Partij verdovende middelen aangetroffen",
    "drugshandel": "Melding drugshandel vanuit woning",
    "wapens": "Vuurwapen aangetroffen bij doorzoeking",
    "safehouse": "Woning in gebruik als verblijfplaats verdachten",
    "explosie": "Explosief tegen voordeur",
    "schietincident": "Schoten gelost op woning",
    "witwassen": "Contant geld aangetroffen",
    "mensenhandel": "Signalen uitbuiting bewoners",
    "prostitutie": "Illegale prostitutie in woning",
    "overlast": "Melding overlast",
    "woninginbraak": "Inbraak in woning",
    "overig": "Controle woning",
}
_INSTR = {
    "hennepkwekerij": {"sluiting_13b": 5, "huurontbinding": 3, "waarschuwing": 1},
    "drugsopslag": {"sluiting_13b": 6, "huurontbinding": 2},
    "safehouse": {"sluiting_13b": 3, "huurontbinding": 3, "bibob": 1},
    "prostitutie": {"last_onder_dwangsom": 3, "bestuurlijke_boete": 2, "huurontbinding": 1},
    "woonfraude": {"huurontbinding": 4, "bestuurlijke_boete": 2, "waarschuwing": 2},
    "overbewoning": {"last_onder_dwangsom": 3, "bestuurlijke_boete": 3, "vergunning_ingetrokken": 1},
}


def _choose(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _neighbour(rng: np.random.Generator, units: pd.DataFrame, u: int) -> int:
    """A unit in the same building (tips often name the wrong door)."""
    b = units["_building"].to_numpy()
    lo = np.searchsorted(b, b[u], side="left")
    hi = np.searchsorted(b, b[u], side="right")
    if hi - lo <= 1:
        return u
    v = int(rng.integers(lo, hi))
    return v if v != u else (lo if u != lo else hi - 1)


def build_meldingen(
    rng: np.random.Generator,
    units: pd.DataFrame,
    active: pd.DataFrame,
    past: pd.DataFrame,
    lookalike: np.ndarray,
    peil: int,
) -> pd.DataFrame:
    """Tips: about criminal units (some naming a neighbour), about look-alikes, and random noise."""
    rows = []
    home = np.flatnonzero(units["gebruiksdoel"].str.contains("woonfunctie").to_numpy())
    for df, frm, to in ((active, "actief_vanaf", None), (past, "crime_from", "discovered")):
        for r in df.itertuples(index=False):
            a = int(getattr(r, frm))
            b = peil if to is None else int(getattr(r, to))
            rate, cats = _TIP_PROFILE[r.typologie]
            k = rng.poisson(rate * max(b - a, 30) / YEAR + 0.15)
            for _ in range(int(k)):
                c = _choose(rng, cats, int(rng.integers(1, 3)))
                u = int(r.unit) if rng.random() > 0.12 else _neighbour(rng, units, int(r.unit))
                rows.append((int(rng.integers(a, max(a + 1, b))), u, sorted(set(c.tolist())), True))
    n_inn = rng.poisson(0.006 * len(home) * 3)
    u_inn = rng.choice(home, size=n_inn)
    if len(lookalike):
        extra = rng.choice(lookalike, size=rng.poisson(0.04 * len(lookalike) * 3))
        u_inn = np.concatenate([u_inn, extra])
    d_inn = rng.integers(peil - int(3 * YEAR), peil, len(u_inn))
    for u, d in zip(u_inn.tolist(), d_inn.tolist(), strict=True):
        c = _choose(rng, _INNOCENT_CATS, int(rng.integers(1, 3)))
        rows.append((d, u, sorted(set(c.tolist())), False))
    df = pd.DataFrame(rows, columns=["date", "unit", "cats", "crime_tip"]).sort_values(["date", "unit"], kind="stable")
    df = df.reset_index(drop=True)
    first = [c[0] for c in df["cats"]]
    df["bron_type"] = [_choose(rng, _REPORTER[c], 1)[0] for c in first]
    df["tekst"] = [str(rng.choice(_TEXT[c])) if rng.random() < 0.8 else None for c in first]
    df["categorieen"] = [";".join(c) for c in df["cats"]]
    # the quiet variant keeps fewer tips (fewer criminal ones in particular)
    df["keep_quiet"] = rng.random(len(df)) < np.where(df["crime_tip"], 0.45, 0.7)
    return df.drop(columns=["cats"])


def build_incidents(
    rng: np.random.Generator,
    units: pd.DataFrame,
    regs: pd.DataFrame,
    active: pd.DataFrame,
    past: pd.DataFrame,
    tenant_of_seg: dict[int, int],
    peil: int,
) -> tuple[pd.DataFrame, list[dict]]:
    """Police registrations and, per registration, who was involved (pid; -1 = unknown outsider)."""
    home = np.flatnonzero(units["gebruiksdoel"].str.contains("woonfunctie").to_numpy())
    t0 = day("2019-01-01")
    rows = []  # date, unit, categorie, crime, suspect pid
    for r in active.itertuples(index=False):
        p, cats = _INCIDENT[r.typologie]
        if rng.random() < p:
            cat = str(_choose(rng, cats, 1)[0])
            rows.append(
                (int(rng.integers(r.actief_vanaf, peil)), int(r.unit), cat, True, tenant_of_seg.get(int(r.seg), -1))
            )
    for r in past.itertuples(index=False):
        if rng.random() < (0.9 if r.typologie in ("hennepkwekerij", "drugsopslag", "safehouse") else 0.35):
            rows.append(
                (int(r.discovered), int(r.unit), _DISCOVERY_CAT[r.typologie], True, tenant_of_seg.get(int(r.seg), -1))
            )
    yrs = (peil - t0) / YEAR
    for cat, rate in (
        ("woninginbraak", 0.005),
        ("overlast", 0.004),
        ("overig", 0.003),
        ("explosie", 0.0002),
        ("drugshandel", 0.0005),
    ):
        k = rng.poisson(rate * len(home) * yrs)
        for u, d in zip(rng.choice(home, size=k).tolist(), rng.integers(t0, peil, k).tolist(), strict=True):
            rows.append((d, u, cat, False, -1))
    inc = pd.DataFrame(rows, columns=["date", "unit", "categorie", "crime", "suspect"])
    inc = inc.sort_values(["date", "unit"], kind="stable").reset_index(drop=True)
    inc["omschrijving"] = [_INC_TEXT[c] if rng.random() < 0.85 else None for c in inc["categorie"]]
    inc["keep_quiet"] = rng.random(len(inc)) < np.where(inc["crime"], 0.5, 0.75)

    # residents at the date, for victims, witnesses and those involved
    res = regs[["unit", "start", "end", "pid"]]
    j = inc.reset_index().merge(res, on="unit", how="left")
    j = j[(j["start"] <= j["date"]) & ((j["end"] < 0) | (j["end"] > j["date"]))]
    resident = j.groupby("index")["pid"].first()
    inv: list[dict] = []
    for i, r in enumerate(inc.itertuples(index=False)):
        here = int(resident.get(i, -1))
        if r.categorie == "woninginbraak":
            if here >= 0:
                inv.append({"inc": i, "pid": here, "rol": "aangever"})
            if rng.random() < 0.2:
                inv.append({"inc": i, "pid": -1, "rol": "verdachte"})
        elif r.crime:
            if r.suspect >= 0 and rng.random() < 0.8:
                inv.append({"inc": i, "pid": int(r.suspect), "rol": "verdachte"})
            elif here >= 0:
                inv.append({"inc": i, "pid": here, "rol": "verdachte" if rng.random() < 0.6 else "betrokkene"})
            for _ in range(int(rng.integers(0, 3))):
                inv.append({"inc": i, "pid": -1, "rol": str(rng.choice(["verdachte", "betrokkene"]))})
        else:
            if here >= 0 and rng.random() < 0.7:
                inv.append({"inc": i, "pid": here, "rol": str(rng.choice(["betrokkene", "aangever"]))})
            if rng.random() < 0.4:
                inv.append({"inc": i, "pid": -1, "rol": str(rng.choice(["verdachte", "getuige"]))})
    return inc, inv


def build_handhaving(
    rng: np.random.Generator,
    units: pd.DataFrame,
    active: pd.DataFrame,
    past: pd.DataFrame,
    lookalike: np.ndarray,
    tipped: np.ndarray,
    peil: int,
    nothing_factor: float = 1.0,
) -> pd.DataFrame:
    """Past checks: the discovered cases with their instruments, and many checks that found nothing.

    nothing_factor scales the volume of checks that found nothing (a dialect's enforcement habit)."""
    rows = []
    for r in past.itertuples(index=False):
        d = int(r.discovered)
        rows.append(
            (d - int(rng.integers(0, 10)), int(r.unit), str(rng.choice(["controle", "huisbezoek"])), r.typologie)
        )
        f = d + int(rng.integers(7, 120))
        if f < peil and rng.random() < 0.85:
            rows.append((f, int(r.unit), str(_choose(rng, _INSTR[r.typologie], 1)[0]), r.typologie))
        if rng.random() < 0.1 and d - 400 > day("2017-01-01"):  # an earlier check that missed it
            rows.append((d - int(rng.integers(120, 400)), int(r.unit), "controle", "niets_gevonden"))
    for r in active.itertuples(index=False):
        if rng.random() < 0.05 and peil - r.actief_vanaf > 60:
            rows.append((int(rng.integers(r.actief_vanaf, peil)), int(r.unit), "controle", "niets_gevonden"))
    home = np.flatnonzero(units["gebruiksdoel"].str.contains("woonfunctie").to_numpy())
    k = max(10, int(len(past) * 2.0 * nothing_factor))
    pool = np.concatenate(
        [
            rng.choice(home, size=k // 2),
            rng.choice(tipped, size=k // 4) if len(tipped) else [],
            rng.choice(lookalike, size=k // 4) if len(lookalike) else [],
        ]
    ).astype(np.int64)
    d = rng.integers(day("2017-01-01"), peil - 1, len(pool))
    for u, dd in zip(pool.tolist(), d.tolist(), strict=True):
        rows.append((dd, u, str(rng.choice(["controle", "huisbezoek"], p=[0.6, 0.4])), "niets_gevonden"))
    h = pd.DataFrame(rows, columns=["date", "unit", "instrument", "bevinding"])
    h = h[h["date"] < peil]
    return h.sort_values(["date", "unit"], kind="stable").reset_index(drop=True)
