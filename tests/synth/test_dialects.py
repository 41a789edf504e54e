"""Dialects of the demo world: each one's data really has the shape its docstring declares, and stays valid.

Every dialect is generated once, small (800 units, the same seed), next to the default world, and compared
with it: a dialect must differ where it says it does and keep the contract and the truth/ files.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pandzicht.contract.sources import TYPOLOGIES
from pandzicht.synth.paths import RealDataMissing, real_data_dir

try:
    real_data_dir()
except RealDataMissing as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"real reference data absent: {exc}", allow_module_level=True)

from pandzicht.synth import dialects
from pandzicht.synth.dialects import DIALECTS, HELD_OUT, TUNING, Bedrijfsnaamschrijfwijze, Dialect
from pandzicht.synth.world import generate

N_UNITS = 800
SEED = 17
CHECK_OUTPUTS = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "check-outputs"


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict]]:
    out = {}
    for name in DIALECTS:
        p = tmp_path_factory.mktemp(f"dialect_{name}")
        out[name] = (p, generate(p, N_UNITS, SEED, "base", dialect=name))
    return out


def read(folder: Path, source: str) -> pd.DataFrame:
    """A source file without the deliberately broken rows (they sit after the valid ones)."""
    broken = pd.read_csv(folder / "truth" / "kapotte_rijen.csv", dtype=str)
    n_bad = int((broken["bron"] == source).sum())
    with open(folder / f"{source}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    df = pd.DataFrame(rows[1 : len(rows) - n_bad], columns=rows[0], dtype=str)
    return df.replace("", np.nan)


def truth(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "truth" / name, dtype=str)


def test_dialects_are_data_with_a_purpose() -> None:
    assert len(DIALECTS) >= 5 and dialects.DEFAULT == "basis"
    assert set(TUNING) | set(HELD_OUT) == set(DIALECTS) and not set(TUNING) & set(HELD_OUT)
    assert "basis" in TUNING and len(HELD_OUT) >= 3
    for name, d in DIALECTS.items():
        assert dataclasses.is_dataclass(d) and type(d).__dataclass_params__.frozen
        assert d.naam == name
        assert len(d.beschrijving()) > 80, name  # says which partner habit it imitates
        with pytest.raises(dataclasses.FrozenInstanceError):
            d.naam = "x"  # type: ignore[misc]
        assert set(d.typologie_schaal()) == set(TYPOLOGIES)
    # the default dialect is the world as it was: every field at the base class's default
    assert dataclasses.asdict(DIALECTS["basis"]) == dataclasses.asdict(Dialect())
    # and every other one changes at least one thing
    for name, d in DIALECTS.items():
        if name != "basis":
            assert dataclasses.asdict(d) != dataclasses.asdict(Dialect()), name
    with pytest.raises(ValueError, match="unknown dialect"):
        dialects.get("plat")


def test_without_a_dialect_the_world_is_basis(tmp_path: Path, worlds: dict) -> None:
    """generate() without a dialect writes the same bytes as with dialect 'basis' (which tests/synth/
    test_demo_world.py and every earlier figure measured)."""
    plain = tmp_path / "plain"
    generate(plain, N_UNITS, SEED, "base")
    for f in [*sorted(p.name for p in plain.glob("*.csv")), "manifest.json"]:
        assert (plain / f).read_bytes() == (worlds["basis"][0] / f).read_bytes(), f
    for f in ("adres_typologie.csv", "persoon_sleutel.csv", "adres_tekst.csv", "malafide_partij.csv"):
        assert (plain / "truth" / f).read_bytes() == (worlds["basis"][0] / "truth" / f).read_bytes(), f


def test_every_dialect_keeps_truth_and_says_which_it_is(worlds: dict) -> None:
    for name, (folder, summary) in worlds.items():
        for f in ("adres_typologie.csv", "verleden_zaken.csv", "malafide_partij.csv", "persoon_sleutel.csv",
                  "adres_tekst.csv", "kapotte_rijen.csv"):
            assert (folder / "truth" / f).is_file(), (name, f)
        meta = json.loads((folder / "truth" / "wereld.json").read_text(encoding="utf-8"))
        assert meta["dialect"] == name == summary["dialect"]
        assert meta["dialect_parameters"]["naam"] == name
        assert len(truth(folder, "adres_typologie.csv")) == summary["active_total"] > 0
        assert (truth(folder, "malafide_partij.csv")["rol"] == "bemiddelaar").sum() == 2
        # every free-text address has its unit in truth, every party mention its true party
        at = truth(folder, "adres_tekst.csv")
        for src, key in (("politie_incident", "incident_id"), ("melding", "melding_id"),
                         ("huurcontract", "contract_id")):
            df = read(folder, src)
            assert set(df.loc[df["adres_tekst"].notna(), key]) == set(at.loc[at["bron"] == src, "record_sleutel"])
        ps = truth(folder, "persoon_sleutel.csv")
        hc = read(folder, "huurcontract")
        assert set(hc["contract_id"] + ":huurder") <= set(ps["record_sleutel"])


def test_every_dialect_is_contract_valid(worlds: dict, tmp_path: Path) -> None:
    """The intake quarantines exactly the deliberately broken rows, nothing else."""
    from pandzicht.intake.load import load_bundle

    for name, (folder, summary) in worlds.items():
        report = load_bundle(folder, tmp_path / f"{name}.duckdb")
        quarantined = {s: b["quarantaine"] for s, b in report["bronnen"].items() if b["quarantaine"]}
        assert quarantined == {s: n for s, n in summary["broken_rows"].items() if n}, name
        for src, b in report["bronnen"].items():
            assert b["geladen"] == summary["rows"][src], (name, src)


def test_tekstadressen_police_tips_and_register_without_bag_ids(worlds: dict) -> None:
    folder = worlds["tekstadressen"][0]
    for src in ("politie_incident", "melding"):
        df = read(folder, src)
        assert len(df) > 10 and df["verblijfsobject_id"].isna().all(), src
        assert df["adres_tekst"].notna().all(), src
    hc = read(folder, "huurcontract")
    register = hc["bron"] == "Gemeente Rotterdam - registratie verhuurders"
    assert register.sum() > 10 and hc.loc[register, "verblijfsobject_id"].isna().all()
    corp_share = hc.loc[~register, "verblijfsobject_id"].notna().mean()
    assert 0.15 < corp_share < 0.5
    assert hc["verblijfsobject_id"].notna().sum() + hc["adres_tekst"].notna().sum() >= len(hc)
    base = worlds["basis"][0]
    assert read(base, "politie_incident")["verblijfsobject_id"].notna().mean() > 0.3


def test_zonder_kvk_no_two_company_mentions_share_a_number(worlds: dict) -> None:
    folder = worlds["zonder_kvk"][0]
    hc = read(folder, "huurcontract")
    for col in ("verhuurder_kvk", "bemiddelaar_kvk", "huurder_kvk"):
        assert hc[col].isna().all(), col
    kad = read(folder, "kadaster_eigendom")
    assert (kad["eigenaar_type"] == "rechtspersoon").sum() > 10 and kad["eigenaar_kvk"].isna().all()
    # the KvK numbers party mentions carry (kvk_vestiging, Kadaster, contracts): each occurs once
    numbers = pd.concat([read(folder, "kvk_vestiging")["kvk_nummer"], kad["eigenaar_kvk"].dropna()])
    assert not numbers.duplicated().any()
    # while in the default world many contracts and ownerships share their company's number
    base = worlds["basis"][0]
    assert read(base, "huurcontract")["bemiddelaar_kvk"].notna().sum() > 10
    assert read(base, "kadaster_eigendom")["eigenaar_kvk"].notna().sum() > 10
    # company names on contracts are spelled more loosely than in the default world
    assert _agent_names_as_registered(folder) < _agent_names_as_registered(base) - 0.1


def _agent_names_as_registered(folder: Path) -> float:
    """Share of agents on contracts written exactly as the KvK registers them."""
    ps = truth(folder, "persoon_sleutel.csv")
    hc = read(folder, "huurcontract")
    ag = hc[hc["bemiddelaar_naam"].notna()]
    who = ps.set_index(["bron", "record_sleutel"])["ware_persoon"]
    true_of = who.loc[[("huurcontract", k) for k in ag["contract_id"] + ":bemiddelaar"]].to_numpy()
    registered = who.xs("kvk_vestiging").reset_index().set_index("ware_persoon")["record_sleutel"]
    kvk = read(folder, "kvk_vestiging").set_index("kvk_nummer")["naam"]
    names = kvk.loc[registered.loc[true_of].to_numpy()].to_numpy()
    return float((ag["bemiddelaar_naam"].to_numpy() == names).mean())


def _agents(folder: Path) -> Counter:
    ps = truth(folder, "persoon_sleutel.csv")
    return Counter(ps.loc[ps["record_sleutel"].str.endswith(":bemiddelaar"), "ware_persoon"])


def test_klein_verhuur_many_small_agents_other_spellings(worlds: dict) -> None:
    folder = worlds["klein_verhuur"][0]
    base = worlds["basis"][0]
    small, big = _agents(folder), _agents(base)
    assert len(small) >= 2.5 * len(big)
    assert max(small.values()) / sum(small.values()) < 0.5 * max(big.values()) / sum(big.values())
    assert _agent_names_as_registered(folder) < _agent_names_as_registered(base) - 0.15
    hc = read(folder, "huurcontract")
    agents = " ".join(hc["bemiddelaar_naam"].dropna())
    assert "Vastgoedbeheer" in agents or "Woningen" in agents or "Huisvesting" in agents
    # persons on contracts mostly surname first with initials ('Jansen, J.P.')
    styled = hc["huurder_naam"].str.contains(r"^[^,]+, (?:[A-Z]\.)+", regex=True).mean()
    base_styled = read(base, "huurcontract")["huurder_naam"].str.contains(r"^[^,]+, (?:[A-Z]\.)+", regex=True).mean()
    assert styled > 0.35 > base_styled + 0.1
    nothing = (read(folder, "handhaving_uitkomst")["bevinding"] == "niets_gevonden").sum()
    assert nothing > 1.5 * (read(base, "handhaving_uitkomst")["bevinding"] == "niets_gevonden").sum()


@pytest.fixture(scope="module")
def mix(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Typology counts of somewhat larger worlds (in small ones the minimum of two cases per typology rules)."""
    return {name: generate(tmp_path_factory.mktemp(f"mix_{name}"), 2500, SEED, "base", dialect=name)
            for name in ("basis", "klein_verhuur", "hennep_deelnet")}


def test_typology_mix_follows_the_dialect(mix: dict) -> None:
    def cases(name: str, typ: str) -> int:  # active and past
        return mix[name]["typologies"][typ] + mix[name]["past_cases"][typ]

    assert cases("klein_verhuur", "overbewoning") > 1.8 * cases("basis", "overbewoning")
    assert cases("klein_verhuur", "prostitutie") > cases("basis", "prostitutie")
    assert cases("hennep_deelnet", "hennepkwekerij") > 1.8 * cases("basis", "hennepkwekerij")
    assert cases("hennep_deelnet", "drugsopslag") > cases("basis", "drugsopslag")
    for name in ("klein_verhuur", "hennep_deelnet"):
        assert cases(name, "woonfraude") == pytest.approx(cases("basis", "woonfraude"), abs=3)


def test_weinig_uitkomsten_has_few_labels_and_none_before_2021(worlds: dict) -> None:
    folder = worlds["weinig_uitkomsten"][0]
    base = worlds["basis"][0]
    hh, hb = read(folder, "handhaving_uitkomst"), read(base, "handhaving_uitkomst")
    assert 0 < len(hh) < 0.3 * len(hb)
    assert (hh["datum"] >= "2021-01-01").all()
    found, found_base = (hh["bevinding"] != "niets_gevonden").sum(), (hb["bevinding"] != "niets_gevonden").sum()
    assert found < 0.4 * found_base
    # the world itself is the same: the same crimes, the same past cases; only what was recorded differs
    assert truth(folder, "verleden_zaken.csv").equals(truth(base, "verleden_zaken.csv"))
    assert truth(folder, "adres_typologie.csv").equals(truth(base, "adres_typologie.csv"))


def test_hennep_deelnet_partial_energy(worlds: dict) -> None:
    folder = worlds["hennep_deelnet"][0]
    e = read(folder, "energie_verbruik")
    units = read(folder, "bag_verblijfsobject")["verblijfsobject_id"]
    covered = e["verblijfsobject_id"].nunique() / len(units)
    assert 0.2 < covered < 0.8
    assert e.groupby("verblijfsobject_id")["periode"].nunique().max() == 12
    assert e["periode"].min() >= "2023-07"
    # whole neighbourhoods are in or out of the grid operator's delivery (less the units without a smart meter)
    bag = read(folder, "bag_verblijfsobject").set_index("verblijfsobject_id")
    per_buurt = bag["buurt_code"].to_frame().assign(e=bag.index.isin(e["verblijfsobject_id"]))
    share = per_buurt.groupby("buurt_code")["e"].mean()
    assert ((share == 0) | (share > 0.6)).mean() > 0.8


EMPLOYER = "Uitzendbureau|Personeelsdiensten|Arbeidsbemiddeling|Zorggroep"


def test_werkgevers_established_employers_rent_homes_for_staff_and_are_innocent(worlds: dict, tmp_path: Path) -> None:
    folder = tmp_path / "werkgevers"  # larger than the shared worlds: at 800 units an employer rents one or two homes
    summary = generate(folder, 3000, SEED, "base", dialect="werkgevers")
    kvk = read(folder, "kvk_vestiging")
    employer = kvk[kvk["sbi_code"].isin(["7820", "8710"]) & kvk["naam"].str.contains(EMPLOYER)]
    assert len(employer) >= 3
    peil = pd.Timestamp(summary["peildatum"])
    assert (pd.to_datetime(employer["datum_inschrijving"]) <= peil - pd.DateOffset(years=5)).all()
    assert employer["datum_opheffing"].isna().all()
    hc = read(folder, "huurcontract")
    let = hc[hc["huurder_naam"].fillna("").str.contains(EMPLOYER)]
    assert len(let) >= 5 and let["huurder_geboortedatum"].isna().all()
    company = let["huurder_naam"].str.lower().str.replace(r"[^a-z]", "", regex=True).str.removesuffix("bv")
    assert let.groupby(company)["verblijfsobject_id"].nunique().max() >= 3  # a company renting several homes
    crime_units = set(truth(folder, "adres_typologie.csv")["verblijfsobject_id"])
    assert not set(let["verblijfsobject_id"].dropna()) & crime_units  # and innocent
    # people still live there, registered as usual
    brp = read(folder, "brp_inschrijving")
    lived = set(brp.loc[brp["datum_einde"].isna(), "verblijfsobject_id"])
    assert len(set(let["verblijfsobject_id"].dropna()) & lived) >= 0.8 * let["verblijfsobject_id"].notna().sum()
    # basis has none of them
    base = read(worlds["basis"][0], "kvk_vestiging")
    assert not base["naam"].str.contains(EMPLOYER).any()


def test_company_spelling() -> None:
    rng = np.random.default_rng(1)
    names = np.array(["Maas Vastgoed B.V.", "Stichting Woonkracht Maasstad", "Kuip Property Services B.V.", None],
                     dtype=object)
    assert list(dialects.company_names(rng, Bedrijfsnaamschrijfwijze(), names)) == list(names)
    out = dialects.company_names(rng, Bedrijfsnaamschrijfwijze(rechtsvorm_weg=1.0), names)
    assert list(out) == ["Maas Vastgoed", "Woonkracht Maasstad", "Kuip Property Services", None]
    out = dialects.company_names(rng, Bedrijfsnaamschrijfwijze(synoniem=1.0, woordvolgorde=1.0), names[:1])
    assert out[0] == "Vastgoedbeheer Maas B.V."
    out = dialects.company_names(rng, Bedrijfsnaamschrijfwijze(initialen=1.0), names[2:3])
    assert out[0] in ("KPS", "KPS B.V.")


@pytest.mark.slow
def test_every_dialect_analyses_to_valid_outputs(worlds: dict, tmp_path: Path) -> None:
    """Each dialect analysed end to end; ../shared/tools/check-outputs finds nothing to complain about."""
    from pandzicht.pipeline import analyse

    if not CHECK_OUTPUTS.is_file() or shutil.which("python3") is None:
        pytest.skip(f"{CHECK_OUTPUTS} absent")
    for name, (folder, _) in worlds.items():
        if name == "basis":
            continue  # the default world is analysed by tests/e2e
        out = tmp_path / name
        analyse(folder, out)
        done = subprocess.run(["python3", str(CHECK_OUTPUTS), str(folder), str(out)], capture_output=True,
                              text=True)
        assert done.returncode == 0, (name, done.stdout[-2000:])
