"""Invariants of the demo world generator (pandzicht.synth)."""

from __future__ import annotations

import csv
import filecmp
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from pandzicht.contract.protected import protected_columns
from pandzicht.contract.sources import SOURCES, TYPOLOGIES
from pandzicht.synth.paths import RealDataMissing, real_data_dir

try:
    REAL = real_data_dir()
except RealDataMissing as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"real reference data absent: {exc}", allow_module_level=True)

from pandzicht.synth.geography import load_buurten
from pandzicht.synth.world import generate

N_UNITS = 3000
SEED = 20240630
BUNDLE_FILES = [
    f"{s}.csv"
    for s in (
        "bag_verblijfsobject",
        "brp_inschrijving",
        "kadaster_eigendom",
        "kvk_vestiging",
        "kvk_functionaris",
        "huurcontract",
        "energie_verbruik",
        "politie_incident",
        "politie_betrokkene",
        "melding",
        "handhaving_uitkomst",
    )
]


@pytest.fixture(scope="session")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    out = {}
    for variant in ("base", "quiet", "noisy"):
        p = tmp_path_factory.mktemp(f"world_{variant}")
        out[variant] = (p, generate(p, N_UNITS, SEED, variant=variant))
    return out


@pytest.fixture(scope="session")
def base(worlds: dict) -> Path:
    return worlds["base"][0]


def _broken(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "truth" / "kapotte_rijen.csv", dtype=str)


def read(folder: Path, source: str) -> pd.DataFrame:
    """A source file without the deliberately broken rows (which sit after the valid ones)."""
    br = _broken(folder)
    n_bad = int((br["bron"] == source).sum())
    with open(folder / f"{source}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1 : len(rows) - n_bad]
    df = pd.DataFrame(body, columns=header, dtype=str)
    return df.replace("", np.nan)


def test_all_files_and_manifest(base: Path) -> None:
    for f in BUNDLE_FILES:
        assert (base / f).exists(), f
    for f in ("adres_typologie.csv", "malafide_partij.csv", "persoon_sleutel.csv", "adres_tekst.csv"):
        assert (base / "truth" / f).exists(), f
    man = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    assert man["contract"] == "pandzicht-intake/1"
    assert man["region"] == "RIEC Rotterdam (demowereld)"
    for f in BUNDLE_FILES:
        src = man["sources"][f[:-4]]
        assert src["grondslag"].strip() and src["leverancier"].strip() and src["geleverd"] >= man["peildatum"]


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def test_columns_follow_contract_and_no_protected(base: Path) -> None:
    for f in BUNDLE_FILES:
        header = _header(base / f)
        want = SOURCES[f[:-4]].column_names
        assert header[: len(want)] == want, f
        assert protected_columns(header) == [], f
    for f in (base / "truth").glob("*.csv"):
        assert protected_columns(_header(f)) == []


def test_units_inside_their_buurt(base: Path) -> None:
    bag = read(base, "bag_verblijfsobject")
    buurten = load_buurten(REAL).set_index("buurt_code")
    x = bag["x_rd"].astype(float).to_numpy()
    y = bag["y_rd"].astype(float).to_numpy()
    geoms = buurten.loc[bag["buurt_code"], "geometry"].to_numpy()
    assert shapely.contains_xy(geoms, x, y).all()
    # and back in WGS84 the points lie in the original (unprojected) polygons' bounding box of Rotterdam
    lon, lat = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True).transform(x, y)
    assert (lat > 51.8).all() and (lat < 52.05).all() and (lon > 3.9).all() and (lon < 4.7).all()
    names = bag.groupby("buurt_code")["buurt_naam"].nunique()
    assert (names == 1).all()


def test_addresses_and_ids_unique(base: Path) -> None:
    bag = read(base, "bag_verblijfsobject")
    key = bag[["postcode", "huisnummer", "huisletter", "huisnummertoevoeging"]].fillna("").agg("|".join, axis=1)
    assert not key.duplicated().any()
    for col in ("verblijfsobject_id", "nummeraanduiding_id"):
        assert bag[col].str.fullmatch(r"\d{16}").all()
        assert not bag[col].duplicated().any()
    assert bag["verblijfsobject_id"].str.startswith("059901").all()
    assert bag["pand_id"].str.fullmatch(r"0599100\d{9}").all()
    assert bag["postcode"].str.fullmatch(r"3\d{3}[A-Z]{2}").all()
    # a street lies in one buurt
    assert (bag.groupby("openbare_ruimte")["buurt_code"].nunique() == 1).all()
    assert (bag["gebruiksdoel"].str.contains("woonfunctie")).mean() > 0.85
    assert bag["huisletter"].notna().any() and bag["huisnummertoevoeging"].notna().any()


def test_truth_units_are_homes(base: Path, worlds: dict) -> None:
    bag = read(base, "bag_verblijfsobject").set_index("verblijfsobject_id")
    t = pd.read_csv(base / "truth" / "adres_typologie.csv", dtype=str)
    assert t["verblijfsobject_id"].isin(bag.index).all()
    assert bag.loc[t["verblijfsobject_id"], "gebruiksdoel"].str.contains("woonfunctie").all()
    assert set(t["typologie"]) == set(TYPOLOGIES)
    assert not t["verblijfsobject_id"].duplicated().any()
    homes = bag["gebruiksdoel"].str.contains("woonfunctie").sum()
    assert 0.004 < len(t) / homes < 0.02
    # active cases are not among the outcomes as a finding
    hh = read(base, "handhaving_uitkomst")
    found = hh[hh["bevinding"] != "niets_gevonden"]
    assert not found["verblijfsobject_id"].isin(t["verblijfsobject_id"]).any()
    assert (hh["bevinding"] == "niets_gevonden").mean() > 0.4


def _party_keys(folder: Path) -> pd.DataFrame:
    rows = []
    rows.append(
        pd.DataFrame(
            {"bron": "brp_inschrijving", "record_sleutel": read(folder, "brp_inschrijving")["persoon_id"].unique()}
        )
    )
    rows.append(
        pd.DataFrame({"bron": "kadaster_eigendom", "record_sleutel": read(folder, "kadaster_eigendom")["eigendom_id"]})
    )
    rows.append(pd.DataFrame({"bron": "kvk_vestiging", "record_sleutel": read(folder, "kvk_vestiging")["kvk_nummer"]}))
    rows.append(
        pd.DataFrame(
            {"bron": "kvk_functionaris", "record_sleutel": read(folder, "kvk_functionaris")["functionaris_id"]}
        )
    )
    hc = read(folder, "huurcontract")
    for role, col in (
        ("huurder", "huurder_naam"),
        ("verhuurder", "verhuurder_naam"),
        ("bemiddelaar", "bemiddelaar_naam"),
    ):
        sel = hc[hc[col].notna()]
        rows.append(pd.DataFrame({"bron": "huurcontract", "record_sleutel": sel["contract_id"] + ":" + role}))
    rows.append(
        pd.DataFrame(
            {"bron": "politie_betrokkene", "record_sleutel": read(folder, "politie_betrokkene")["betrokkene_id"]}
        )
    )
    return pd.concat(rows, ignore_index=True)


def test_persoon_sleutel_complete_and_exact(base: Path) -> None:
    ps = pd.read_csv(base / "truth" / "persoon_sleutel.csv", dtype=str)
    assert ps["ware_persoon"].str.fullmatch(r"P\d{7}|C\d{6}").all()
    assert not ps.duplicated(["bron", "record_sleutel"]).any()
    mentions = _party_keys(base)
    a = set(map(tuple, ps[["bron", "record_sleutel"]].to_numpy().tolist()))
    b = set(map(tuple, mentions.to_numpy().tolist()))
    assert a == b
    # the same company has one ware_persoon across sources
    kvk = read(base, "kvk_vestiging")
    comp = ps[ps["bron"] == "kvk_vestiging"].set_index("record_sleutel")["ware_persoon"]
    hc = read(base, "huurcontract")
    ag = hc[hc["bemiddelaar_kvk"].notna()]
    ps_ag = ps[ps["bron"] == "huurcontract"].set_index("record_sleutel")["ware_persoon"]
    assert (
        ps_ag.loc[ag["contract_id"] + ":bemiddelaar"].to_numpy() == comp.loc[ag["bemiddelaar_kvk"]].to_numpy()
    ).all()
    assert len(kvk) == len(comp)


def test_malafide_agents_broker_contracts(base: Path) -> None:
    mal = pd.read_csv(base / "truth" / "malafide_partij.csv", dtype=str)
    agents = mal[mal["rol"] == "bemiddelaar"]
    assert len(agents) == 2
    ps = pd.read_csv(base / "truth" / "persoon_sleutel.csv", dtype=str)
    brokered = ps[(ps["bron"] == "huurcontract") & ps["record_sleutel"].str.endswith(":bemiddelaar")]
    for w in agents["ware_persoon"]:
        assert (brokered["ware_persoon"] == w).sum() >= 3
    assert set(mal["rol"]) <= {"bemiddelaar", "verhuurder", "huurder", "eigenaar"}
    assert (mal["rol"] == "huurder").any()


def test_free_text_addresses_have_truth(base: Path) -> None:
    at = pd.read_csv(base / "truth" / "adres_tekst.csv", dtype=str)
    bag = read(base, "bag_verblijfsobject")
    assert at["verblijfsobject_id"].isin(bag["verblijfsobject_id"]).all()
    for src, key in (("politie_incident", "incident_id"), ("melding", "melding_id"), ("huurcontract", "contract_id")):
        df = read(base, src)
        with_text = set(df.loc[df["adres_tekst"].notna(), key])
        assert with_text == set(at.loc[at["bron"] == src, "record_sleutel"]), src
        # where a BAG id is given it is the unit the text means
        m = df[df["verblijfsobject_id"].notna() & df["adres_tekst"].notna()].merge(
            at[at["bron"] == src], left_on=key, right_on="record_sleutel"
        )
        assert (m["verblijfsobject_id_x"] == m["verblijfsobject_id_y"]).all()


def test_references_and_periods_valid(base: Path) -> None:
    bag_ids = set(read(base, "bag_verblijfsobject")["verblijfsobject_id"])
    for src in (
        "brp_inschrijving",
        "kadaster_eigendom",
        "energie_verbruik",
        "handhaving_uitkomst",
        "huurcontract",
        "politie_incident",
        "melding",
        "kvk_vestiging",
    ):
        v = read(base, src)["verblijfsobject_id"].dropna()
        assert v.isin(bag_ids).all(), src
    peil = "2024-06-30"
    for src in SOURCES.values():
        if src.name not in [f[:-4] for f in BUNDLE_FILES]:
            continue
        df = read(base, src.name)
        for a, b in src.periods:
            both = df[df[a].notna() & df[b].notna()]
            assert (both[b] >= both[a]).all(), (src.name, a, b)
        for c in src.columns:
            if c.not_after_peildatum:
                assert (df[c.name].dropna() <= peil).all(), (src.name, c.name)
            if c.values and c.kind.value == "enum":
                assert df[c.name].dropna().isin(c.values).all(), (src.name, c.name)
            if c.required:
                assert df[c.name].notna().all(), (src.name, c.name)
    e = read(base, "energie_verbruik")
    assert e.groupby("verblijfsobject_id")["periode"].nunique().min() >= 24
    assert not e.duplicated(["verblijfsobject_id", "periode"]).any()


def test_broken_rows_counted(worlds: dict) -> None:
    for _variant, (folder, summary) in worlds.items():
        br = _broken(folder)
        assert br.groupby("bron").size().to_dict() == {k: v for k, v in summary["broken_rows"].items() if v}
        for src, n in summary["broken_rows"].items():
            with open(folder / f"{src}.csv", encoding="utf-8", newline="") as fh:
                lines = list(csv.reader(fh))
            assert len(lines) - 1 == summary["rows"][src] + n
    assert sum(worlds["noisy"][1]["broken_rows"].values()) > sum(worlds["base"][1]["broken_rows"].values())


def test_signals_are_probabilistic(base: Path) -> None:
    t = pd.read_csv(base / "truth" / "adres_typologie.csv", dtype=str)
    at = pd.read_csv(base / "truth" / "adres_tekst.csv", dtype=str)
    tips = at[at["bron"] == "melding"]["verblijfsobject_id"]
    share_crime = t["verblijfsobject_id"].isin(tips).mean()
    assert 0.2 < share_crime < 0.95  # not every criminal unit is reported
    innocent_tipped = set(tips) - set(t["verblijfsobject_id"])
    assert len(innocent_tipped) > 10  # false positives exist
    e = read(base, "energie_verbruik")
    e["k"] = e["elektriciteit_kwh"].astype(float)
    mean = e.groupby("verblijfsobject_id")["k"].mean()
    hennep = mean.reindex(t.loc[t["typologie"] == "hennepkwekerij", "verblijfsobject_id"])
    assert hennep.max() > 5 * mean.median()
    assert (mean > 3 * mean.median()).sum() > len(hennep)  # innocent high users too


def test_variants_differ_as_promised(worlds: dict) -> None:
    share = {}
    for v in ("base", "quiet"):
        folder = worlds[v][0]
        share[v] = [read(folder, s)["verblijfsobject_id"].notna().mean() for s in ("politie_incident", "melding")]
        assert len(read(folder, "melding")) > 0
    assert share["quiet"][0] < share["base"][0] / 2
    assert share["quiet"][1] < share["base"][1] / 2
    assert len(read(worlds["quiet"][0], "melding")) < len(read(worlds["base"][0], "melding"))
    # the same world underneath
    for f in ("bag_verblijfsobject", "brp_inschrijving", "energie_verbruik"):
        assert filecmp.cmp(worlds["base"][0] / f"{f}.csv", worlds["quiet"][0] / f"{f}.csv", shallow=False)
    assert worlds["base"][1]["typologies"] == worlds["noisy"][1]["typologies"]

    def exact_share(folder: Path) -> float:
        ps = pd.read_csv(folder / "truth" / "persoon_sleutel.csv", dtype=str)
        brp = read(folder, "brp_inschrijving").drop_duplicates("persoon_id")
        brp["full"] = (
            brp[["voornamen", "voorvoegsel", "geslachtsnaam"]]
            .fillna("")
            .agg(" ".join, axis=1)
            .str.split()
            .str.join(" ")
        )
        canon = brp.merge(ps[ps["bron"] == "brp_inschrijving"], left_on="persoon_id", right_on="record_sleutel")
        canon = canon.set_index("ware_persoon")["full"]
        kvk = read(folder, "kvk_functionaris").merge(
            ps[ps["bron"] == "kvk_functionaris"], left_on="functionaris_id", right_on="record_sleutel"
        )
        kvk = kvk[kvk["ware_persoon"].isin(canon.index)]
        return float((kvk["naam"].to_numpy() == canon.loc[kvk["ware_persoon"]].to_numpy()).mean())

    assert exact_share(worlds["noisy"][0]) < exact_share(worlds["base"][0])


def test_deterministic(tmp_path: Path, base: Path) -> None:
    a = tmp_path / "a"
    generate(a, N_UNITS, SEED, variant="base")
    for f in [*BUNDLE_FILES, "manifest.json", "truth/persoon_sleutel.csv", "truth/adres_typologie.csv"]:
        assert filecmp.cmp(a / f, base / f, shallow=False), f
    b = tmp_path / "b"
    generate(b, N_UNITS, SEED + 1, variant="base")
    assert not filecmp.cmp(a / "bag_verblijfsobject.csv", b / "bag_verblijfsobject.csv", shallow=False)


def test_progress_and_summary(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    s = generate(tmp_path / "w", 2000, 3, progress=lambda stage, frac: seen.append((stage, frac)))
    assert seen[-1][1] == 1.0
    assert [f for _, f in seen] == sorted(f for _, f in seen)
    assert s["units"] == 2000 and len(s["malafide_agents"]) == 2
    assert all(v >= 1 for v in s["typologies"].values())
    assert set(s["rows"]) == {f[:-4] for f in BUNDLE_FILES}


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, 1000, 1, variant="loud")


@pytest.mark.slow
def test_larger_world_scales(tmp_path: Path) -> None:
    s = generate(tmp_path / "big", 50_000, 5)
    assert s["units"] == 50_000
    assert 200 < s["active_total"] < 800


def test_phoenix_directors_behind_malafide_agents(base: Path) -> None:
    mal = pd.read_csv(base / "truth" / "malafide_partij.csv", dtype=str)
    agents = mal.loc[mal["rol"] == "bemiddelaar", "kvk_nummer"]
    kvk = read(base, "kvk_vestiging").set_index("kvk_nummer")
    f = read(base, "kvk_functionaris")
    ps = pd.read_csv(base / "truth" / "persoon_sleutel.csv", dtype=str)
    f = f.merge(ps[ps["bron"] == "kvk_functionaris"], left_on="functionaris_id", right_on="record_sleutel")
    assert (kvk.loc[agents, "sbi_code"] == "6831").all()
    for a in agents:
        bosses = f.loc[f["kvk_nummer"] == a, "ware_persoon"]
        earlier = f[f["ware_persoon"].isin(bosses) & (f["kvk_nummer"] != a)]
        dissolved = kvk.loc[earlier["kvk_nummer"]]
        dissolved = dissolved[dissolved["datum_opheffing"].notna() & dissolved["sbi_code"].isin(["6820", "6831"])]
        assert len(dissolved) >= 2


def test_past_woonfraude_leaves_the_traces_of_an_active_case(base: Path) -> None:
    """A case that was found out looks in the data as it did while it ran: the contract runs on until it was found
    out, and its tenant is registered at another home from when the fraud began. Before session 30 a past case
    kept its tenant registered at the home, so a region's past checks could not teach what woonfraude looks like."""
    past = pd.read_csv(base / "truth" / "verleden_zaken.csv", dtype=str)
    past = past[past["typologie"] == "woonfraude"]
    contracts, brp = read(base, "huurcontract"), read(base, "brp_inschrijving")
    traced = 0
    for unit, since, found in past[["verblijfsobject_id", "actief_vanaf", "ontdekt"]].itertuples(index=False):
        running = contracts[(contracts["verblijfsobject_id"] == unit) & (contracts["datum_aanvang"] < since)
                            & (contracts["datum_einde"] == found)]
        if running.empty:  # a private let that ended before the register's window: no contract delivered
            continue
        born = running["huurder_geboortedatum"].dropna()
        # the tenant's own registrations: at the home until the fraud began, then elsewhere
        mine = brp[brp["geboortedatum"].isin(born) & (brp["datum_einde"] == since)
                   & (brp["verblijfsobject_id"] == unit)]
        elsewhere = brp[brp["persoon_id"].isin(mine["persoon_id"]) & (brp["datum_aanvang"] == since)
                        & (brp["verblijfsobject_id"] != unit)]
        traced += not elsewhere.empty
    assert len(past) >= 2 and traced >= len(past) // 2, (traced, len(past))


def test_a_past_criminal_tenancy_starts_with_its_use_and_is_shaped_as_an_active_one(base: Path) -> None:
    """A past safehouse, store or brothel was a tenancy of its own that began shortly before the use, as an active
    one is, and a past overcrowded home held a crowd of registered people. Before, the household's whole stay
    became the criminal use (contracts of many years before the use began) and a past overcrowded home kept the
    household's own size, so a region's past checks taught what no active case looks like."""
    past = pd.read_csv(base / "truth" / "verleden_zaken.csv", dtype=str)
    contracts, brp = read(base, "huurcontract"), read(base, "brp_inschrijving")
    began_with_use = checked = 0
    for unit, since, found in past.loc[
        past["typologie"].isin(["safehouse", "drugsopslag", "prostitutie"]), ["verblijfsobject_id", "actief_vanaf",
                                                                              "ontdekt"]
    ].itertuples(index=False):
        ending = contracts[(contracts["verblijfsobject_id"] == unit) & (contracts["datum_einde"] == found)]
        if ending.empty:  # a private let that ended before the register's window: no contract delivered
            continue
        checked += 1
        lead = (pd.Timestamp(since) - pd.to_datetime(ending["datum_aanvang"])).dt.days
        began_with_use += bool(((lead >= 0) & (lead <= 90)).any())
    assert checked >= 3 and began_with_use >= 0.8 * checked, (began_with_use, checked)

    crowded = checked = 0
    for unit, since, found in past.loc[past["typologie"] == "overbewoning",
                                       ["verblijfsobject_id", "actief_vanaf", "ontdekt"]].itertuples(index=False):
        mid = pd.Timestamp(since) + (pd.Timestamp(found) - pd.Timestamp(since)) / 2
        here = brp[brp["verblijfsobject_id"] == unit]
        start = pd.to_datetime(here["datum_aanvang"])
        end = pd.to_datetime(here["datum_einde"])
        checked += 1
        crowded += int(((start <= mid) & (end.isna() | (end > mid))).sum()) >= 4
    assert checked >= 2 and crowded >= 0.8 * checked, (crowded, checked)
