"""The demo world: one call builds every source of an intake bundle plus its ground truth.

Stages use their own random streams (seed + stage name), so the world is
byte-identical for a seed, and the variants (base / quiet / noisy) differ only
in what the suppliers deliver and how sloppily, not in the world itself.
A dialect (``dialects.py``) changes the shape of the data: which sources carry
BAG ids and KvK numbers, name spellings, the agent market, the typology mix,
energy coverage and outcome volume. The default dialect, ``basis``, is the
world as it always was.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pandzicht.contract.sources import SOURCES, TYPOLOGIES
from pandzicht.synth import dialects, noise
from pandzicht.synth.companies import Registry, add_employers, add_local_businesses, build_companies, kvk_numbers
from pandzicht.synth.energy import build_energy
from pandzicht.synth.geography import build_geography
from pandzicht.synth.households import (
    YEAR,
    build_segments,
    day,
    link_moves,
    make_outsiders,
    make_people,
    registrations,
)
from pandzicht.synth.names import GROUP_NAMES, load_name_pools, sample_given, sample_surnames
from pandzicht.synth.ownership import assign_owner_class, build_kadaster
from pandzicht.synth.paths import real_data_dir
from pandzicht.synth.signals import build_handhaving, build_incidents, build_meldingen
from pandzicht.synth.tenancy import build_contracts, let_to_employers
from pandzicht.synth.truth import Truth
from pandzicht.synth.typologies import assign_crime
from pandzicht.synth.writer import append_lines, broken_rows, date_str, write_csv, write_manifest

PEILDATUM = "2024-06-30"
HORIZON = "2016-01-01"
REGION = "RIEC Rotterdam (demowereld)"
VARIANTS = ("base", "quiet", "noisy")
# share of records that carry a BAG id, per variant: (incidents, tips, private contracts, corporation contracts)
_BAG_SHARE = {"base": (0.45, 0.55, 0.75, 0.97), "quiet": (0.05, 0.07, 0.1, 0.9), "noisy": (0.35, 0.45, 0.6, 0.9)}


class _Streams:
    """Independent, reproducible random streams per stage."""

    def __init__(self, seed: int, variant: str | None = None) -> None:
        self.seed = seed
        self.variant = variant

    def __call__(self, name: str) -> np.random.Generator:
        parts = [self.seed, zlib.crc32(name.encode())]
        if self.variant is not None:
            parts.append(zlib.crc32(self.variant.encode()))
        return np.random.default_rng(parts)


def _token(pids: np.ndarray, seed: int) -> np.ndarray:
    """Pseudonymised BSN token: a seed-dependent bijection of the person number (stable per person)."""
    x = ((pids.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B1) + np.uint64(seed * 7919 + 12345)) % np.uint64(
        2**40
    )
    return np.array([f"PS{v:010X}" for v in x.tolist()], dtype=object)


def generate(
    out: Path,
    units: int,
    seed: int,
    variant: str = "base",
    progress: Callable[[str, float], None] | None = None,
    dialect: str | dialects.Dialect = dialects.DEFAULT,
) -> dict:
    """Write a synthetic intake bundle (manifest + one CSV per source) and truth/ under out; return a summary."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(VARIANTS)}")
    dia = dialects.get(dialect)
    if units < 200:
        raise ValueError("a demo world needs at least 200 units")
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, frac: None)
    rng = _Streams(seed)
    vrng = _Streams(seed, variant)
    level = noise.LEVELS[variant]
    peil, horizon = day(PEILDATUM), day(HORIZON)
    real = real_data_dir()

    report("geografie", 0.02)
    geo = build_geography(rng("geography"), real, units)
    U = geo.units
    n_u = len(U)
    pools = load_name_pools(real)

    report("bewoning", 0.12)
    seg = build_segments(rng("segments"), U, peil, horizon)
    seg = link_moves(rng("moves"), seg, horizon)
    owner_class = assign_owner_class(rng("owner_class"), U)
    crime = assign_crime(rng("crime"), U, seg, owner_class, peil, dia.typologie_schaal())
    seg = crime.segments
    persons = make_people(rng("people"), pools, seg, peil)
    persons = _adjust_crime_households(rng("crime_people"), pools, seg, persons, peil)

    report("personen", 0.25)
    regs = registrations(seg, persons, peil)
    heads = persons[persons["role"] == 0].set_index("hh")["pid"]
    cur = seg[(seg["end"] < 0) & seg["registered"] & seg["kind"].isin(["household", "student"])]
    cur = cur.drop_duplicates("unit", keep="last")
    current_head = np.full(n_u, -1, dtype=np.int64)
    current_start = np.zeros(n_u, dtype=np.int64)
    current_head[cur["unit"].to_numpy()] = heads.reindex(cur["hh"].to_numpy()).fillna(-1).to_numpy().astype(np.int64)
    current_start[cur["unit"].to_numpy()] = cur["start"].to_numpy()
    partners = persons[(persons["role"] == 1) & (persons["dob"] < peil - 18 * YEAR)]
    hh_partner = partners.drop_duplicates("hh").set_index("hh")["pid"]
    current_partner = np.full(n_u, -1, dtype=np.int64)
    current_partner[cur["unit"].to_numpy()] = hh_partner.reindex(cur["hh"].to_numpy()).fillna(-1).to_numpy()
    current_partner[current_head < 0] = -1

    # outsiders: people not registered in the region (landlords, officers, straw men from elsewhere)
    n_homes = int(U["gebruiksdoel"].str.contains("woonfunctie").sum())
    r_out = rng("outsiders")
    outs = make_outsiders(r_out, pools, max(60, n_homes // 15), int(persons["pid"].max()) + 1, peil)
    young_out = make_outsiders(r_out, pools, max(10, n_homes // 400), int(outs["pid"].max()) + 1, peil, age=(19, 27))
    persons = pd.concat([persons, outs, young_out], ignore_index=True)

    current_regs = regs[regs["end"] < 0]
    age = (peil - persons.set_index("pid")["dob"]) / YEAR
    reg_pids = current_regs["pid"].unique()
    r_sel = rng("selection")
    res_age = age.reindex(reg_pids).to_numpy()
    role = persons.set_index("pid")["role"].reindex(reg_pids).to_numpy()
    young_res = reg_pids[(res_age >= 19) & (res_age <= 27) & (role >= 1)]
    straw = np.concatenate([r_sel.permutation(young_res)[: max(4, n_homes // 250)], young_out["pid"].to_numpy()])
    straw = r_sel.permutation(straw)
    officer_pool = np.concatenate(
        [
            reg_pids[(res_age >= 28) & (res_age <= 70)][: max(50, n_homes // 10)],
            outs["pid"].to_numpy()[: len(outs) // 2],
        ]
    )
    landlord_res = r_sel.permutation(reg_pids[(res_age >= 35) & (res_age <= 82)])[: max(30, n_homes // 12)]
    landlord_out = outs["pid"].to_numpy()[len(outs) // 2 :]

    report("bedrijven", 0.35)
    reg = Registry()
    surnames = persons["geslachtsnaam"].to_numpy()
    n_straw_tenancies = int(((seg["kind"] == "crime") & ~seg["registered"]).sum())
    parties = build_companies(
        rng("companies"),
        reg,
        n_homes,
        peil,
        surnames[: max(100, n_homes)],
        officer_pool,
        straw,
        max(3, n_straw_tenancies // 3),
        homes_per_agent=dia.woningen_per_bemiddelaar,
        min_agents=dia.min_bemiddelaars,
        large_agents=dia.grote_bemiddelaars,
        agent_shape=dia.bemiddelaar_spreiding,
    )
    rogue_units = np.concatenate(
        [
            crime.active.loc[crime.active["typologie"] == "overbewoning", "unit"].to_numpy(),
            crime.past.loc[crime.past["typologie"] == "overbewoning", "unit"].to_numpy(),
        ]
    )
    kad = build_kadaster(
        rng("kadaster"),
        U,
        owner_class,
        parties,
        current_head,
        current_partner,
        current_start,
        landlord_res,
        landlord_out,
        rogue_units,
        peil,
    )
    resident_of_unit = {int(u): int(p) for u, p in enumerate(current_head.tolist()) if p >= 0}
    surname_of_pid = dict(zip(persons["pid"].tolist(), persons["geslachtsnaam"].tolist(), strict=True))
    add_local_businesses(rng("local_business"), reg, U, peil, resident_of_unit, surname_of_pid, officer_pool)
    employers, employer_weight = (
        add_employers(rng("werkgevers"), reg, n_homes, peil, officer_pool) if dia.werkgever_huur > 0 else ([], None)
    )
    companies, officers = reg.frame()
    _place_companies(rng("company_address"), companies, U, parties, straw, current_regs)
    companies["kvk"] = kvk_numbers(rng("kvk"), len(companies))

    report("huurcontracten", 0.45)
    contracts = build_contracts(rng("contracts"), U, seg, owner_class, kad, parties, companies, heads, straw, peil)
    if employers:
        contracts = let_to_employers(rng("werkgever_huur"), contracts, owner_class, employers, employer_weight,
                                     dia.werkgever_huur, peil)
    tenant_of_seg = dict(zip(contracts["seg"].tolist(), contracts["tenant_pid"].tolist(), strict=True))

    report("energie", 0.55)
    homebiz = companies.loc[(companies["kind"] == "homebiz") & (companies["unit"] >= 0), "unit"].to_numpy()
    energy = build_energy(rng("energy"), U, seg, regs, crime.active, crime.past, homebiz, peil)
    energy = _energy_delivery(rng("energy_delivery"), U, energy, dia)

    report("signalen", 0.7)
    n_now = np.bincount(current_regs["unit"].to_numpy(), minlength=n_u)
    lookalike = np.unique(
        np.concatenate(
            [
                np.flatnonzero(U["_btype"].to_numpy() == 6),
                np.flatnonzero(n_now >= 6),
                homebiz,
                np.flatnonzero(U["gebruiksdoel"].to_numpy() == "woonfunctie;winkelfunctie"),
            ]
        )
    ).astype(np.int64)
    tips = build_meldingen(rng("meldingen"), U, crime.active, crime.past, lookalike, peil)
    inc, inv = build_incidents(rng("incidents"), U, regs, crime.active, crime.past, tenant_of_seg, peil)
    tipped = np.unique(tips["unit"].to_numpy())
    checks = build_handhaving(
        rng("handhaving"), U, crime.active, crime.past, lookalike, tipped, peil, nothing_factor=dia.controles_factor
    )
    checks = _outcomes_recorded(rng("outcomes_recorded"), checks, crime.past, dia)
    inv_df = pd.DataFrame(inv, columns=["inc", "pid", "rol"])
    unknown = inv_df["pid"] < 0
    if unknown.any():
        extra = make_outsiders(
            rng("suspects"), pools, int(unknown.sum()), int(persons["pid"].max()) + 1, peil, age=(17, 45)
        )
        inv_df.loc[unknown, "pid"] = extra["pid"].to_numpy()
        persons = pd.concat([persons, extra], ignore_index=True)

    report("schrijven", 0.8)
    summary = _write_bundle(
        out,
        vrng,
        level,
        variant,
        seed,
        peil,
        U,
        persons,
        regs,
        kad,
        companies,
        officers,
        contracts,
        energy,
        inc,
        inv_df,
        tips,
        checks,
        crime,
        parties,
        straw,
        rogue_units,
        kad_owner=kad,
        dialect=dia,
    )
    (out / "truth" / "wereld.json").write_text(
        json.dumps(
            {"dialect": dia.naam, "variant": variant, "seed": seed, "eenheden": units,
             "dialect_parameters": dia.parameters()},
            indent=2, ensure_ascii=False, default=str,
        ) + "\n",
        encoding="utf-8",
    )
    report("klaar", 1.0)
    return summary


def _energy_delivery(rng: np.random.Generator, U: pd.DataFrame, energy: pa.Table, dia: dialects.Dialect) -> pa.Table:
    """What the grid operator delivers of the metered world: its service area (whole buurten), the months it
    exports, and no readings for connections without a smart meter."""
    if dia.energie_dekking >= 1.0 and dia.energie_maanden >= 24 and dia.energie_gaten <= 0.0:
        return energy
    n = len(U)
    t = energy.num_rows // n
    buurt = U["_buurt"].to_numpy()
    covered_b = rng.random(int(buurt.max()) + 1) < dia.energie_dekking
    keep_unit = covered_b[buurt] & (rng.random(n) >= dia.energie_gaten)
    keep_month = np.arange(t) >= t - max(1, min(dia.energie_maanden, t))
    return energy.filter(pa.array(np.repeat(keep_unit, t) & np.tile(keep_month, n)))


def _outcomes_recorded(
    rng: np.random.Generator, checks: pd.DataFrame, past: pd.DataFrame, dia: dialects.Dialect
) -> pd.DataFrame:
    """The outcomes a region has on record: a share of the discovered cases, and nothing before a start date."""
    if dia.uitkomsten_aandeel >= 1.0 and dia.uitkomsten_vanaf is None:
        return checks
    recorded = past.loc[rng.random(len(past)) < dia.uitkomsten_aandeel, ["unit", "typologie"]]
    found = checks["bevinding"] != "niets_gevonden"
    key = pd.MultiIndex.from_frame(checks[["unit", "bevinding"]])
    rec = pd.MultiIndex.from_frame(recorded.rename(columns={"typologie": "bevinding"}))
    keep = ~found.to_numpy() | key.isin(rec)
    if dia.uitkomsten_vanaf is not None:
        keep &= checks["date"].to_numpy() >= day(dia.uitkomsten_vanaf)
    return checks[keep].reset_index(drop=True)


def _adjust_crime_households(
    rng: np.random.Generator, pools, seg: pd.DataFrame, persons: pd.DataFrame, peil: int
) -> pd.DataFrame:
    """Names and ages that fit the scheme: migrant workers, young registered straw men, short-stay women."""
    persons = persons.copy()
    kind = seg.set_index("hh")["kind"]
    kind = kind[~kind.index.duplicated(keep="last")]
    crime = seg.set_index("hh")["crime"]
    crime = crime[~crime.index.duplicated(keep="last")]
    k = kind.reindex(persons["hh"].to_numpy()).to_numpy()
    c = crime.reindex(persons["hh"].to_numpy()).fillna(-1).to_numpy()
    migrant = (k == "churn_overbewoning") | ((k == "crime") & (c == TYPOLOGIES.index("overbewoning")))
    women = k == "churn_prostitutie"
    young = (k == "crime") & np.isin(c, [TYPOLOGIES.index("safehouse"), TYPOLOGIES.index("hennepkwekerij")])
    gi = {g: i for i, g in enumerate(GROUP_NAMES)}
    if migrant.any():
        g = rng.choice([gi["pl"], gi["ro"], gi["es"]], size=int(migrant.sum()), p=[0.55, 0.35, 0.10])
        female = rng.random(int(migrant.sum())) < 0.2
        pre, nam = sample_surnames(rng, pools, g)
        persons.loc[migrant, ["group", "female", "voorvoegsel", "geslachtsnaam"]] = np.column_stack(
            [g, female, pre, nam]
        )
        persons.loc[migrant, "voornamen"] = sample_given(rng, pools, g, female)
        persons.loc[migrant, "dob"] = (peil - rng.uniform(20, 45, int(migrant.sum())) * YEAR).astype(np.int64)
    if women.any():
        g = rng.choice(len(GROUP_NAMES), size=int(women.sum()))
        female = np.ones(int(women.sum()), dtype=bool)
        pre, nam = sample_surnames(rng, pools, g)
        persons.loc[women, "voorvoegsel"] = pre
        persons.loc[women, "geslachtsnaam"] = nam
        persons.loc[women, "voornamen"] = sample_given(rng, pools, g, female)
        persons.loc[women, "dob"] = (peil - rng.uniform(19, 35, int(women.sum())) * YEAR).astype(np.int64)
    if young.any():
        persons.loc[young, "dob"] = (peil - rng.uniform(19, 26, int(young.sum())) * YEAR).astype(np.int64)
    persons["dob"] = persons["dob"].astype(np.int64)
    persons["female"] = persons["female"].astype(bool)
    persons["group"] = persons["group"].astype(np.int64)
    return persons


def _place_companies(
    rng: np.random.Generator,
    companies: pd.DataFrame,
    units: pd.DataFrame,
    parties,
    straw: np.ndarray,
    current_regs: pd.DataFrame,
) -> None:
    """Registered address for companies without one: an office in the region, a straw man's home, or a PO box."""
    offices = np.flatnonzero(units["gebruiksdoel"].to_numpy() == "kantoorfunctie")
    straw_home = current_regs[current_regs["pid"].isin(straw)]["unit"].to_numpy()
    need = (companies["unit"] < 0) & companies["adres_tekst"].isna()
    for i in np.flatnonzero(need.to_numpy()).tolist():
        kind = companies.at[i, "kind"]
        r = rng.random()
        if kind == "tenant_bv" and len(straw_home) and r < 0.5:
            companies.at[i, "unit"] = int(rng.choice(straw_home))
        elif len(offices) and r < 0.85:
            companies.at[i, "unit"] = int(rng.choice(offices))
        else:
            companies.at[i, "adres_tekst"] = f"Postbus {int(rng.integers(100, 9999))}, 3000 AA Rotterdam"


def _names_for(
    persons_idx: pd.DataFrame,
    pids: np.ndarray,
    source: str,
    rng: np.random.Generator,
    level: noise.NoiseLevel,
    styles: tuple[tuple[str, float], ...] | None = None,
) -> list[str]:
    p = persons_idx.loc[pids]
    return noise.person_names(
        rng,
        source,
        level,
        p["voornamen"].to_numpy(),
        p["voorvoegsel"].to_numpy(),
        p["geslachtsnaam"].to_numpy(),
        styles,
    )


def _write_bundle(
    out: Path,
    vrng: _Streams,
    level: noise.NoiseLevel,
    variant: str,
    seed: int,
    peil: int,
    U: pd.DataFrame,
    persons: pd.DataFrame,
    regs: pd.DataFrame,
    kad: pd.DataFrame,
    companies: pd.DataFrame,
    officers: pd.DataFrame,
    contracts: pd.DataFrame,
    energy: pa.Table,
    inc: pd.DataFrame,
    inv: pd.DataFrame,
    tips: pd.DataFrame,
    checks: pd.DataFrame,
    crime,
    parties,
    straw: np.ndarray,
    rogue_units: np.ndarray,
    kad_owner: pd.DataFrame,
    dialect: dialects.Dialect | None = None,
) -> dict:
    """Render every source with its own naming and address habits; write CSVs, broken rows, manifest, truth."""
    dia = dialect or dialects.get(dialects.DEFAULT)
    truth = Truth()
    vbo = U["verblijfsobject_id"].to_numpy()
    P = persons.set_index("pid")
    C = companies.set_index("cid")
    kvk_of = C["kvk"]
    rows: dict[str, int] = {}
    bag_inc, bag_tip, bag_priv, bag_corp = (
        share * scale for share, scale in zip(_BAG_SHARE[variant], dia.bag_id_schaal, strict=True)
    )

    # BAG (no personal data, extra columns buurt_naam and wijk_naam)
    bag = U[[c for c in SOURCES["bag_verblijfsobject"].column_names] + ["buurt_naam", "wijk_naam"]]
    rows["bag_verblijfsobject"] = write_csv(bag, out / "bag_verblijfsobject.csv")

    # BRP: the registry's own clean names
    token = _token(P.index.to_numpy(), seed)
    token_of = pd.Series(token, index=P.index)
    rp = P.loc[regs["pid"].to_numpy()]
    brp = pd.DataFrame(
        {
            "persoon_id": token_of.loc[regs["pid"].to_numpy()].to_numpy(),
            "geslachtsnaam": rp["geslachtsnaam"].to_numpy(),
            "voorvoegsel": rp["voorvoegsel"].to_numpy(),
            "voornamen": rp["voornamen"].to_numpy(),
            "geboortedatum": date_str(rp["dob"].to_numpy(), nullable=False),
            "verblijfsobject_id": vbo[regs["unit"].to_numpy()],
            "datum_aanvang": date_str(regs["start"].to_numpy(), nullable=False),
            "datum_einde": date_str(regs["end"].to_numpy()),
        }
    )
    rows["brp_inschrijving"] = write_csv(brp, out / "brp_inschrijving.csv")
    brp_p = np.unique(regs["pid"].to_numpy())
    truth.parties("brp_inschrijving", token_of.loc[brp_p].to_numpy(), brp_p, np.full(len(brp_p), -1))

    # Kadaster
    r = vrng("kadaster_names")
    kad = kad.reset_index(drop=True)
    is_person = (kad["pid"] >= 0).to_numpy()
    naam = np.empty(len(kad), dtype=object)
    naam[is_person] = _names_for(P, kad.loc[is_person, "pid"].to_numpy(), "kadaster", r, level)
    naam[~is_person] = C.loc[kad.loc[~is_person, "cid"].to_numpy(), "naam"].to_numpy()
    dob = np.full(len(kad), None, dtype=object)
    dob[is_person] = noise.dates_with_noise(
        r, noise.NoiseLevel(0, 0, 0.03, 0.0, 0), P.loc[kad.loc[is_person, "pid"].to_numpy(), "dob"].to_numpy()
    )
    kvk = np.full(len(kad), None, dtype=object)
    kvk[~is_person] = kvk_of.loc[kad.loc[~is_person, "cid"].to_numpy()].to_numpy()
    if dia.kvk_in_kadaster < 1.0:
        kvk[vrng("dialect_kadaster_kvk").random(len(kad)) >= dia.kvk_in_kadaster] = None
    eig_id = np.array([f"KAD{i + 1:09d}" for i in range(len(kad))], dtype=object)
    kadaster = pd.DataFrame(
        {
            "eigendom_id": eig_id,
            "verblijfsobject_id": vbo[kad["unit"].to_numpy()],
            "eigenaar_type": np.where(is_person, "natuurlijk_persoon", "rechtspersoon"),
            "eigenaar_naam": naam,
            "eigenaar_geboortedatum": dob,
            "eigenaar_kvk": kvk,
            "eigenaar_correspondentieadres": kad["corr"].to_numpy(),
            "aandeel": kad["aandeel"].to_numpy(),
            "datum_verkrijging": date_str(kad["when"].to_numpy(), nullable=False),
            "koopsom_eur": pd.array(np.where(kad["koopsom"] >= 0, kad["koopsom"], np.nan), dtype="Int64"),
        }
    )
    rows["kadaster_eigendom"] = write_csv(kadaster, out / "kadaster_eigendom.csv")
    truth.parties("kadaster_eigendom", eig_id, kad["pid"].to_numpy(), kad["cid"].to_numpy())

    # KvK
    unit = companies["unit"].to_numpy()
    kvk_v = pd.DataFrame(
        {
            "kvk_nummer": companies["kvk"].to_numpy(),
            "naam": companies["naam"].to_numpy(),
            "rechtsvorm": companies["rechtsvorm"].to_numpy(),
            "sbi_code": companies["sbi_code"].to_numpy(),
            "verblijfsobject_id": np.where(unit >= 0, vbo[np.maximum(unit, 0)], None),
            "adres_tekst": companies["adres_tekst"].to_numpy(),
            "datum_inschrijving": date_str(companies["start"].to_numpy(), nullable=False),
            "datum_opheffing": date_str(companies["end"].to_numpy()),
        }
    )
    rows["kvk_vestiging"] = write_csv(kvk_v, out / "kvk_vestiging.csv")
    truth.parties(
        "kvk_vestiging", companies["kvk"].to_numpy(), np.full(len(companies), -1), companies["cid"].to_numpy()
    )
    r = vrng("kvk_names")
    officers = officers.reset_index(drop=True)
    op = (officers["pid"] >= 0).to_numpy()
    onaam = np.empty(len(officers), dtype=object)
    onaam[op] = _names_for(
        P, officers.loc[op, "pid"].to_numpy(), "kvk", r, noise.NoiseLevel(level.name_noise / 3, 0, 0, 0, 0)
    )
    onaam[~op] = C.loc[officers.loc[~op, "officer_cid"].to_numpy(), "naam"].to_numpy()
    odob = np.full(len(officers), None, dtype=object)
    odob[op] = noise.dates_with_noise(
        r, noise.NoiseLevel(0, 0, 0.05, 0.0, 0), P.loc[officers.loc[op, "pid"].to_numpy(), "dob"].to_numpy()
    )
    f_id = np.array([f"F{i + 1:08d}" for i in range(len(officers))], dtype=object)
    kvk_f = pd.DataFrame(
        {
            "functionaris_id": f_id,
            "kvk_nummer": kvk_of.loc[officers["cid"].to_numpy()].to_numpy(),
            "naam": onaam,
            "geboortedatum": odob,
            "rol": officers["rol"].to_numpy(),
            "datum_aanvang": date_str(officers["start"].to_numpy(), nullable=False),
            "datum_einde": date_str(officers["end"].to_numpy()),
        }
    )
    rows["kvk_functionaris"] = write_csv(kvk_f, out / "kvk_functionaris.csv")
    truth.parties("kvk_functionaris", f_id, officers["pid"].to_numpy(), officers["officer_cid"].to_numpy())

    # huurcontract
    r = vrng("contracts")
    ct = contracts.reset_index(drop=True)
    n = len(ct)
    c_id = np.array([f"HC{i + 1:08d}" for i in range(n)], dtype=object)
    corp = (ct["bron"] != "Gemeente Rotterdam - registratie verhuurders").to_numpy()
    has_bag = r.random(n) < np.where(corp, bag_corp, bag_priv)
    with_text = ~has_bag | (r.random(n) < 0.5)
    cu = ct["unit"].to_numpy()
    atext = np.full(n, None, dtype=object)
    atext[with_text] = noise.address_texts(r, level, *_addr(U, cu[with_text]), formal=True)

    def party_names(pid_col: str, cid_col: str, style: str) -> tuple[np.ndarray, np.ndarray]:
        pids = ct[pid_col].to_numpy()
        cids = ct[cid_col].to_numpy()
        names = np.full(n, None, dtype=object)
        kv = np.full(n, None, dtype=object)
        pm = pids >= 0
        cm = cids >= 0
        names[pm] = _names_for(P, pids[pm], style, r, level, dia.persoonsnaam_huur)
        names[cm] = noise.company_names(r, level, C.loc[cids[cm], "naam"].to_numpy())
        kv[cm] = np.where(r.random(cm.sum()) < dia.kvk_op_contract, kvk_of.loc[cids[cm]].to_numpy(), None)
        if dia.bedrijfsnaam.actief():
            names[cm] = dialects.company_names(spelling_rng, dia.bedrijfsnaam, names[cm])
        return names, kv

    spelling_rng = vrng("dialect_contract_namen")

    ll_naam, ll_kvk = party_names("ll_pid", "ll_cid", "huur")
    ct["ag_pid"] = -1
    ag_naam, ag_kvk = party_names("ag_pid", "agent_cid", "huur")
    hu_naam, hu_kvk = party_names("tenant_pid", "tenant_cid", "huur")
    tp = ct["tenant_pid"].to_numpy()
    hdob = np.full(n, None, dtype=object)
    hdob[tp >= 0] = noise.dates_with_noise(r, level, P.loc[tp[tp >= 0], "dob"].to_numpy())
    huur = pd.DataFrame(
        {
            "contract_id": c_id,
            "bron": ct["bron"].to_numpy(),
            "verblijfsobject_id": np.where(has_bag, vbo[cu], None),
            "adres_tekst": atext,
            "verhuurder_naam": ll_naam,
            "verhuurder_kvk": ll_kvk,
            "bemiddelaar_naam": ag_naam,
            "bemiddelaar_kvk": ag_kvk,
            "huurder_naam": hu_naam,
            "huurder_geboortedatum": hdob,
            "huurder_kvk": hu_kvk,
            "datum_aanvang": date_str(ct["start"].to_numpy(), nullable=False),
            "datum_einde": date_str(ct["end"].to_numpy()),
            "huurprijs_eur": ct["rent"].to_numpy(),
            "betaalwijze": ct["pay"].to_numpy(),
        }
    )
    rows["huurcontract"] = write_csv(huur, out / "huurcontract.csv")
    truth.parties("huurcontract", c_id + ":verhuurder", ct["ll_pid"].to_numpy(), ct["ll_cid"].to_numpy())
    truth.parties("huurcontract", c_id + ":huurder", ct["tenant_pid"].to_numpy(), ct["tenant_cid"].to_numpy())
    am = (ct["agent_cid"] >= 0).to_numpy()
    truth.parties("huurcontract", c_id[am] + ":bemiddelaar", np.full(am.sum(), -1), ct["agent_cid"].to_numpy()[am])
    truth.addresses("huurcontract", c_id[with_text], vbo[cu[with_text]])

    # energy
    rows["energie_verbruik"] = write_csv(energy, out / "energie_verbruik.csv")

    # police
    r = vrng("police")
    inc_v = inc[inc["keep_quiet"]] if variant == "quiet" else inc
    keep_ids = inc_v.index.to_numpy()
    ni = len(inc_v)
    i_id = np.array([f"PL{i + 1:09d}" for i in keep_ids.tolist()], dtype=object)
    iu = inc_v["unit"].to_numpy()
    ib = r.random(ni) < bag_inc
    pol = pd.DataFrame(
        {
            "incident_id": i_id,
            "datum": date_str(inc_v["date"].to_numpy()),
            "verblijfsobject_id": np.where(ib, vbo[iu], None),
            "adres_tekst": noise.address_texts(r, level, *_addr(U, iu)),
            "categorie": inc_v["categorie"].to_numpy(),
            "omschrijving": inc_v["omschrijving"].to_numpy(),
        }
    )
    rows["politie_incident"] = write_csv(pol, out / "politie_incident.csv")
    truth.addresses("politie_incident", i_id, vbo[iu])
    inv_v = inv[inv["inc"].isin(keep_ids)].reset_index(drop=True)
    b_id = np.array([f"BT{i + 1:08d}" for i in range(len(inv_v))], dtype=object)
    bp = inv_v["pid"].to_numpy()
    betr = pd.DataFrame(
        {
            "betrokkene_id": b_id,
            "incident_id": [f"PL{i + 1:09d}" for i in inv_v["inc"].tolist()],
            "naam": _names_for(P, bp, "politie", r, level),
            "geboortedatum": noise.dates_with_noise(r, level, P.loc[bp, "dob"].to_numpy()),
            "rol": inv_v["rol"].to_numpy(),
        }
    )
    rows["politie_betrokkene"] = write_csv(betr, out / "politie_betrokkene.csv")
    truth.parties("politie_betrokkene", b_id, bp, np.full(len(bp), -1))

    # meldingen
    r = vrng("tips")
    tv = tips[tips["keep_quiet"]] if variant == "quiet" else tips
    nt = len(tv)
    t_id = np.array([f"ML{i + 1:08d}" for i in tv.index.tolist()], dtype=object)
    tu = tv["unit"].to_numpy()
    tb = r.random(nt) < bag_tip
    mel = pd.DataFrame(
        {
            "melding_id": t_id,
            "datum": date_str(tv["date"].to_numpy()),
            "bron_type": tv["bron_type"].to_numpy(),
            "verblijfsobject_id": np.where(tb, vbo[tu], None),
            "adres_tekst": noise.address_texts(r, level, *_addr(U, tu)),
            "categorieen": tv["categorieen"].to_numpy(),
            "tekst": tv["tekst"].to_numpy(),
        }
    )
    rows["melding"] = write_csv(mel, out / "melding.csv")
    truth.addresses("melding", t_id, vbo[tu])

    hh = pd.DataFrame(
        {
            "verblijfsobject_id": vbo[checks["unit"].to_numpy()],
            "datum": date_str(checks["date"].to_numpy()),
            "instrument": checks["instrument"].to_numpy(),
            "bevinding": checks["bevinding"].to_numpy(),
        }
    )
    rows["handhaving_uitkomst"] = write_csv(hh, out / "handhaving_uitkomst.csv")

    # broken rows appended to every file
    frames = {
        "bag_verblijfsobject": bag,
        "brp_inschrijving": brp,
        "kadaster_eigendom": kadaster,
        "kvk_vestiging": kvk_v,
        "kvk_functionaris": kvk_f,
        "huurcontract": huur,
        "energie_verbruik": energy,
        "politie_incident": pol,
        "politie_betrokkene": betr,
        "melding": mel,
        "handhaving_uitkomst": hh,
    }
    broken: dict[str, int] = {}
    for src, df in frames.items():
        first = df.slice(0, 1).to_pylist() if isinstance(df, pa.Table) else df.iloc[:1].to_dict("records")
        if not first:
            continue
        tpl = {c: ("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)) for c, v in first[0].items()}
        tpl = {c: ("" if v in ("<NA>", "nan", "None") else v) for c, v in tpl.items()}
        made = broken_rows(src, tpl, level.broken_rows, _fresh_key(src))
        append_lines(out / f"{src}.csv", [m[0] for m in made])
        for j, (_, key, reason) in enumerate(made):
            truth.broken(src, key, rows[src] + 2 + j, reason)
        broken[src] = len(made)

    delivered = {s: str(np.datetime64(peil + 2 + i % 4, "D")) for i, s in enumerate(frames)}
    write_manifest(out, REGION, PEILDATUM, delivered)

    # truth
    active = crime.active
    past = crime.past
    crime_ct = ct[ct["crime"] >= 0]
    mal_rows = []
    for c in parties.malafide_agents:
        mal_rows.append((C.at[c, "naam"], kvk_of.at[c], "bemiddelaar", f"C{c:06d}"))
    for c in sorted(set(crime_ct["tenant_cid"].tolist()) - {-1}):
        mal_rows.append((C.at[c, "naam"], kvk_of.at[c], "huurder", f"C{c:06d}"))
    tenants_on_paper = sorted(
        set(crime_ct.loc[crime_ct["seg"].isin(criminal_segments(crime)), "tenant_pid"].tolist()) - {-1}
    )
    for p in tenants_on_paper:
        mal_rows.append((_full(P, p), None, "huurder", f"P{p:07d}"))
    rogue = kad_owner[kad_owner["unit"].isin(rogue_units) & (kad_owner["pid"] >= 0)]["pid"]
    for p in sorted(set(rogue.tolist())):
        if int((kad_owner["pid"] == p).sum()) >= 2:
            mal_rows.append((_full(P, p), None, "verhuurder", f"P{p:07d}"))
    truth.write(
        out / "truth",
        pd.DataFrame(
            {
                "verblijfsobject_id": vbo[active["unit"].to_numpy()],
                "typologie": active["typologie"],
                "actief_vanaf": date_str(active["actief_vanaf"].to_numpy()),
            }
        ),
        pd.DataFrame(
            {
                "verblijfsobject_id": vbo[past["unit"].to_numpy()],
                "typologie": past["typologie"],
                "actief_vanaf": date_str(past["crime_from"].to_numpy()),
                "ontdekt": date_str(past["discovered"].to_numpy()),
            }
        ),
        pd.DataFrame(mal_rows, columns=["naam", "kvk_nummer", "rol", "ware_persoon"]),
    )

    typ_counts = {t: int((active["typologie"] == t).sum()) for t in TYPOLOGIES}
    return {
        "contract": "pandzicht-intake/1",
        "variant": variant,
        "dialect": dia.naam,
        "seed": seed,
        "peildatum": PEILDATUM,
        "units": len(U),
        "homes": int(U["gebruiksdoel"].str.contains("woonfunctie").sum()),
        "rows": rows,
        "broken_rows": broken,
        "typologies": typ_counts,
        "active_total": len(active),
        "past_cases": {t: int((past["typologie"] == t).sum()) for t in TYPOLOGIES},
        "persons": len(P),
        "companies": len(C),
        "malafide_agents": [str(kvk_of.at[c]) for c in parties.malafide_agents],
    }


def criminal_segments(crime) -> list[int]:
    """Segment ids of every criminal tenancy, active and past, registered or not: the person on each one's
    contract is a malafide tenant of the truth (a straw man, or the registered tenant of a safehouse or farm)."""
    seg = crime.segments
    return seg.loc[(seg["kind"] == "crime") & (seg["crime"] >= 0), "seg"].tolist()


def _full(P: pd.DataFrame, pid: int) -> str:
    r = P.loc[pid]
    vv = r["voorvoegsel"] or ""
    return " ".join(x for x in (r["voornamen"], vv, r["geslachtsnaam"]) if x)


def _addr(U: pd.DataFrame, idx: np.ndarray) -> tuple[np.ndarray, ...]:
    return (
        U["openbare_ruimte"].to_numpy()[idx],
        U["huisnummer"].to_numpy()[idx],
        U["huisletter"].to_numpy()[idx],
        U["huisnummertoevoeging"].to_numpy()[idx],
        U["postcode"].to_numpy()[idx],
        U["woonplaats"].to_numpy()[idx],
    )


def _fresh_key(src: str) -> Callable[[int], dict[str, str]]:
    """Keys for broken rows that never collide with real ones."""

    def key(i: int) -> dict[str, str]:
        return {
            "bag_verblijfsobject": {
                "verblijfsobject_id": f"059901888{8000000 + i:07d}",
                "nummeraanduiding_id": f"059920888{8000000 + i:07d}",
            },
            "brp_inschrijving": {"persoon_id": f"PSX{i:09d}"},
            "kadaster_eigendom": {"eigendom_id": f"KADX{i:08d}"},
            "kvk_vestiging": {"kvk_nummer": f"{10000000 + i:08d}"},
            "kvk_functionaris": {"functionaris_id": f"FX{i:07d}"},
            "huurcontract": {"contract_id": f"HCX{i:07d}"},
            "energie_verbruik": {"periode": f"2019-{(i % 12) + 1:02d}"},
            "politie_incident": {"incident_id": f"PLX{i:08d}"},
            "politie_betrokkene": {"betrokkene_id": f"BTX{i:07d}"},
            "melding": {"melding_id": f"MLX{i:07d}"},
            "handhaving_uitkomst": {},
        }[src]

    return key
