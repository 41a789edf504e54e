"""Buurten, buildings, streets and addresses of the demo world (the BAG side).

Units are placed inside Rotterdam's real neighbourhood polygons, grouped in
buildings that sit on invented but Dutch-looking streets, with real PC4
postcodes (nearest real PC4 centroid) and per-street-segment letters, so an
analyst sees a plausible address register.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from pandzicht.synth.names import street_name_pool

GEMEENTE = "GM0599"

# Neighbourhood character: drives density, building mix and building year.
_CENTRAL = {
    "Stadsdriehoek",
    "Cool",
    "Oude Westen",
    "Middelland",
    "Nieuwe Westen",
    "Oude Noorden",
    "Agniesebuurt",
    "Provenierswijk",
    "Liskwartier",
    "Bergpolder",
    "Blijdorp",
    "Spangen",
    "Tussendijken",
    "Bospolder",
    "Delfshaven",
    "Afrikaanderwijk",
    "Bloemhof",
    "Hillesluis",
    "Tarwewijk",
    "Carnisse",
    "Oud Charlois",
    "Katendrecht",
    "Feijenoord",
    "Noordereiland",
    "Kralingen West",
    "Rubroek",
    "Struisenburg",
    "Oud Crooswijk",
    "Nieuw Crooswijk",
    "Cs Kwartier",
    "Dijkzigt",
    "Nieuwe Werk",
    "Kop van Zuid",
    "Kop van Zuid - Entrepot",
    "Oud Mathenesse",
    "Witte Dorp",
    "Schiemond",
}
_POSTWAR = {
    "Ommoord",
    "Zevenkamp",
    "Oosterflank",
    "Het Lage Land",
    "Prinsenland",
    "Lombardijen",
    "Pendrecht",
    "Zuidwijk",
    "Groot IJsselmonde",
    "Beverwaard",
    "Schiebroek",
    "Hoogvliet Noord",
    "Hoogvliet Zuid",
    "Kleinpolder",
    "Overschie",
    "Wielewaal",
    "Zuiderpark",
    "Zuidplein",
    "Kralingen Oost",
    "Rozenburg",
}
_INDUSTRIAL = {
    "Botlek",
    "Europoort",
    "Maasvlakte",
    "Eemhaven",
    "Waalhaven",
    "Waalhaven Zuid",
    "Vondelingenplaat",
    "Bedrijventerrein Schieveen",
    "Bedrijvenpark Noord-West",
    "Spaanse Polder",
    "Nieuw Mathenesse",
    "Rivium",
    "Noordzeeweg",
    "Schieveen",
    "Zestienhoven",
    "Kralingse Bos",
    "Blijdorpsepolder",
    "Rijnpoort",
}
_STUDENT = {
    "Kralingen West",
    "Kralingen Oost",
    "Stadsdriehoek",
    "Cs Kwartier",
    "Kop van Zuid",
    "Delfshaven",
    "Rubroek",
    "Struisenburg",
    "Nieuwe Werk",
    "Middelland",
}

# Building types: code -> (name). Probabilities per neighbourhood character below.
TERRACED, UPPER, PORTIEK, GALERIJ, SHOP, OFFICE, STUDENT, DETACHED = range(8)
_TYPE_P = {
    "central": [0.10, 0.42, 0.16, 0.03, 0.20, 0.06, 0.00, 0.03],
    "postwar": [0.30, 0.10, 0.30, 0.10, 0.10, 0.04, 0.00, 0.06],
    "suburban": [0.62, 0.06, 0.08, 0.03, 0.07, 0.03, 0.00, 0.11],
    "industrial": [0.25, 0.05, 0.05, 0.00, 0.10, 0.50, 0.00, 0.05],
}
_DENSITY = {"central": 9000.0, "postwar": 5500.0, "suburban": 2600.0, "industrial": 60.0}
_ERA = {"central": (1880, 1939), "postwar": (1952, 1985), "suburban": (1930, 2015), "industrial": (1960, 2010)}
_FORBIDDEN_PAIRS = {"SA", "SD", "SS"}


@dataclass
class Geography:
    """The BAG part of the world: one row per unit, plus the buurt polygons in RD."""

    units: pd.DataFrame  # one row per verblijfsobject, internal columns prefixed with '_'
    buurten: pd.DataFrame  # buurt_code, wijk_code, buurt_naam, wijk_naam, geometry (RD)


def _character(name: str) -> str:
    if name in _INDUSTRIAL:
        return "industrial"
    if name in _CENTRAL:
        return "central"
    if name in _POSTWAR:
        return "postwar"
    return "suburban"


def load_buurten(real: Path) -> pd.DataFrame:
    """Rotterdam's neighbourhoods in RD New with stable synthetic CBS-style codes (sorted by name)."""
    data = json.loads((real / "rotterdam-buurten" / "buurten.geojson").read_text(encoding="utf-8"))
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    rows = []
    for f in data["features"]:
        geom = shapely.geometry.shape(f["geometry"])
        geom = shapely.transform(geom, lambda xy: np.column_stack(to_rd.transform(xy[:, 0], xy[:, 1])))
        geom = shapely.make_valid(geom)
        rows.append((f["properties"]["neighbourhood"], f["properties"]["neighbourhood_group"], geom))
    df = pd.DataFrame(rows, columns=["buurt_naam", "wijk_naam", "geometry"])
    wijken = sorted(df["wijk_naam"].unique())
    wcode = {w: f"WK0599{i + 1:02d}" for i, w in enumerate(wijken)}
    df = df.sort_values("buurt_naam", kind="stable").reset_index(drop=True)
    df["wijk_code"] = df["wijk_naam"].map(wcode)
    df["buurt_code"] = [f"BU0599{i + 1:04d}" for i in range(len(df))]
    df["character"] = df["buurt_naam"].map(_character)
    df["area_km2"] = shapely.area(df["geometry"].to_numpy()) / 1e6
    return df


def _load_pc4(real: Path, buurten: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Real PC4 centroids of Rotterdam's woonplaatsen that lie in or near the buurten."""
    keep = ("Rotterdam", "Hoogvliet Rotterdam", "Pernis Rotterdam", "Hoek van Holland", "Rozenburg")
    pc, wp, lat, lon = [], [], [], []
    with open(real / "postcodes-pc4" / "pc4_woonplaats_centroid.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["woonplaats"] in keep:
                pc.append(row["pc4"])
                wp.append(row["woonplaats"])
                lat.append(float(row["lat"]))
                lon.append(float(row["lon"]))
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    x, y = to_rd.transform(np.array(lon), np.array(lat))
    xy = np.column_stack([x, y])
    area = shapely.buffer(shapely.union_all(buurten["geometry"].to_numpy()), 1000)
    inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    return np.array(pc)[inside], np.array(wp, dtype=object)[inside], xy[inside]


def _sample_in_polygon(rng: np.random.Generator, geom: shapely.Geometry, n: int) -> np.ndarray:
    """n uniform points inside a polygon, by vectorised rejection sampling in its bounding box."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    out = np.empty((0, 2))
    ratio = max(geom.area / ((maxx - minx) * (maxy - miny)), 0.02)
    while len(out) < n:
        k = int((n - len(out)) / ratio * 1.3) + 16
        pts = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        ok = shapely.contains_xy(geom, pts[:, 0], pts[:, 1])
        out = np.vstack([out, pts[ok]])
    return out[:n]


def _nearest(points: np.ndarray, centres: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """Index of the nearest centre for every point (chunked brute force, no extra dependency)."""
    res = np.empty(len(points), dtype=np.int64)
    for s in range(0, len(points), chunk):
        p = points[s : s + chunk]
        d = ((p[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        res[s : s + chunk] = d.argmin(axis=1)
    return res


def _building_sizes(rng: np.random.Generator, btype: np.ndarray) -> np.ndarray:
    n = len(btype)
    size = np.ones(n, dtype=np.int64)
    size[btype == UPPER] = rng.choice([2, 2, 3, 3, 4], size=(btype == UPPER).sum())
    size[btype == PORTIEK] = rng.integers(6, 17, size=(btype == PORTIEK).sum())
    size[btype == GALERIJ] = rng.integers(20, 121, size=(btype == GALERIJ).sum())
    size[btype == SHOP] = 1 + rng.choice([1, 1, 2, 2, 3], size=(btype == SHOP).sum())
    size[btype == OFFICE] = rng.choice([1, 1, 1, 2, 3, 4], size=(btype == OFFICE).sum())
    size[btype == STUDENT] = rng.integers(20, 151, size=(btype == STUDENT).sum())
    return size


def _bag_ids(rng: np.random.Generator, n: int, prefix: str) -> np.ndarray:
    """Unique 16-digit BAG-style ids (municipality + object type + sequence), in random order."""
    gaps = 1 + rng.geometric(0.75, size=n) - 1
    seq = 10_000 + np.cumsum(gaps)
    rng.shuffle(seq)
    width = 16 - len(prefix)
    return np.array([f"{prefix}{s:0{width}d}" for s in seq.tolist()], dtype=object)


def build_geography(rng: np.random.Generator, real: Path, n_units: int) -> Geography:
    """Place n_units units in buildings, on streets, in real buurten, with unique Dutch addresses."""
    buurten = load_buurten(real)
    nb = len(buurten)
    char = buurten["character"].to_numpy()
    eff_area = np.where(char == "central", buurten["area_km2"], np.minimum(buurten["area_km2"], 2.5))
    weight = eff_area * np.array([_DENSITY[c] for c in char]) * rng.lognormal(0, 0.35, nb)
    per_buurt = rng.multinomial(n_units, weight / weight.sum())

    b_buurt, b_type, b_size = [], [], []
    for b in range(nb):
        target = int(per_buurt[b])
        if target == 0:
            continue
        p = np.array(_TYPE_P[char[b]], dtype=float)
        if buurten.at[b, "buurt_naam"] in _STUDENT:
            p[STUDENT] = 0.012
        p /= p.sum()
        types = np.empty(0, dtype=np.int64)
        sizes = np.empty(0, dtype=np.int64)
        while sizes.sum() < target:
            t = rng.choice(8, size=max(8, target // 3), p=p)
            types = np.concatenate([types, t])
            sizes = np.concatenate([sizes, _building_sizes(rng, t)])
        cs = np.cumsum(sizes)
        k = int(np.searchsorted(cs, target)) + 1
        types, sizes = types[:k], sizes[:k].copy()
        sizes[-1] -= cs[k - 1] - target
        if sizes[-1] == 1 and types[-1] == SHOP:
            types[-1] = TERRACED
        b_buurt.append(np.full(k, b))
        b_type.append(types)
        b_size.append(sizes)
    bb = np.concatenate(b_buurt)
    bt = np.concatenate(b_type)
    bs = np.concatenate(b_size)
    n_b = len(bb)

    # building positions inside the polygon; streets as Voronoi cells of seeds inside the buurt
    bxy = np.empty((n_b, 2))
    b_street = np.empty(n_b, dtype=np.int64)
    street_buurt: list[int] = []
    order = np.argsort(bb, kind="stable")
    starts = np.searchsorted(bb[order], np.arange(nb + 1))
    n_streets_total = 0
    for b in range(nb):
        idx = order[starts[b] : starts[b + 1]]
        if len(idx) == 0:
            continue
        pts = _sample_in_polygon(rng, buurten.at[b, "geometry"], len(idx))
        bxy[idx] = pts
        units_here = bs[idx].sum()
        ns = int(max(1, min(len(idx), round(units_here / rng.uniform(45, 80)))))
        seeds = pts[rng.choice(len(idx), size=ns, replace=False)]
        local = _nearest(pts, seeds)
        b_street[idx] = n_streets_total + local
        street_buurt.extend([b] * ns)
        n_streets_total += ns
    street_buurt_arr = np.array(street_buurt)
    used = np.unique(b_street)
    remap = np.full(n_streets_total, -1)
    remap[used] = np.arange(len(used))
    b_street = remap[b_street]
    street_buurt_arr = street_buurt_arr[used]
    n_streets = len(used)
    names = street_name_pool(rng, real, n_streets)

    # house numbers: per street, an axis from the buildings' principal direction; two sides, odd and even
    slots = np.where(np.isin(bt, [GALERIJ]), bs, np.where(bt == PORTIEK, (bs + 3) // 4, 1))
    angle = rng.uniform(0, np.pi, n_streets)
    ux, uy = np.cos(angle), np.sin(angle)
    cx = np.bincount(b_street, bxy[:, 0], n_streets) / np.bincount(b_street, minlength=n_streets)
    cy = np.bincount(b_street, bxy[:, 1], n_streets) / np.bincount(b_street, minlength=n_streets)
    dx, dy = bxy[:, 0] - cx[b_street], bxy[:, 1] - cy[b_street]
    along = dx * ux[b_street] + dy * uy[b_street]
    side = ((-dx * uy[b_street] + dy * ux[b_street]) > 0).astype(np.int64)  # 0 odd, 1 even
    o = np.lexsort((along, side, b_street))
    grp = b_street[o] * 2 + side[o]
    step = 2 * slots[o] + 2 * (rng.random(n_b) < 0.08) * rng.integers(1, 4, n_b)
    csum = np.cumsum(step)
    first = np.r_[True, grp[1:] != grp[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n_b), 0))
    offset = np.where(first, 0, csum - step - (csum[grp_start] - step[grp_start]))
    b_num = np.empty(n_b, dtype=np.int64)
    b_num[o] = 1 + side[o] + offset
    b_slot_rank = np.empty(n_b, dtype=np.int64)
    b_slot_rank[o] = offset // 2

    # expand to units
    ub = np.repeat(np.arange(n_b), bs)
    pos = np.arange(len(ub)) - np.repeat(np.cumsum(bs) - bs, bs)  # unit index within its building
    utype = bt[ub]
    num = b_num[ub].copy()
    letter = np.full(len(ub), "", dtype=object)
    toev = np.full(len(ub), "", dtype=object)
    doel = np.full(len(ub), "woonfunctie", dtype=object)
    style = rng.random(n_b)[ub]
    letters = np.array(["", "A", "B", "C", "D", "E"], dtype=object)
    m = utype == UPPER
    two_bis = m & (bs[ub] == 2) & (style < 0.08)
    toev[two_bis & (pos == 1)] = "bis"
    lm = m & ~two_bis & (style < 0.6)
    letter[lm] = letters[np.minimum(pos[lm], 5)]
    tm = m & ~two_bis & (style >= 0.6) & (style < 0.85)
    toev[tm] = np.where(pos[tm] == 0, "", pos[tm].astype(str))
    hm = m & ~two_bis & (style >= 0.85)
    toev[hm] = np.where(pos[hm] == 0, "H", pos[hm].astype(str))
    m = utype == PORTIEK
    num[m] = num[m] + 2 * (pos[m] // 4)
    pl = m & (style < 0.7)
    letter[pl] = np.array(["A", "B", "C", "D"], dtype=object)[pos[pl] % 4]
    pt = m & (style >= 0.7)
    toev[pt] = np.array(["01", "02", "03", "04"], dtype=object)[pos[pt] % 4]
    m = utype == GALERIJ
    num[m] = num[m] + 2 * pos[m]
    m = utype == SHOP
    doel[m & (pos == 0)] = "winkelfunctie"
    sl = m & (pos > 0) & (style < 0.75)
    letter[sl] = letters[pos[sl]]
    st = m & (pos > 0) & (style >= 0.75)
    toev[st] = pos[st].astype(str)
    m = utype == OFFICE
    doel[m] = "kantoorfunctie"
    om = m & (pos > 0)
    toev[om] = pos[om].astype(str)
    m = utype == STUDENT
    toev[m] = np.array([f"{p + 1:03d}" for p in pos[m].tolist()], dtype=object)
    home_biz = (doel == "woonfunctie") & (utype == TERRACED) & (rng.random(len(ub)) < 0.01)
    doel[home_biz] = "woonfunctie;kantoorfunctie"
    shop_home = (doel == "woonfunctie") & (utype == UPPER) & (pos == 0) & (rng.random(len(ub)) < 0.03)
    doel[shop_home] = "woonfunctie;winkelfunctie"

    # surface and building year
    n_u = len(ub)
    area = np.zeros(n_u)

    def _area(mask: np.ndarray, mu: float, sd: float, lo: float, hi: float) -> None:
        area[mask] = np.clip(rng.normal(mu, sd, mask.sum()), lo, hi)

    _area((utype == TERRACED) & (doel != "kantoorfunctie"), 112, 22, 65, 190)
    _area(utype == DETACHED, 165, 40, 90, 350)
    _area(utype == UPPER, 68, 18, 30, 140)
    _area(utype == PORTIEK, 66, 14, 35, 120)
    _area(utype == GALERIJ, 78, 15, 40, 130)
    _area(utype == STUDENT, 19, 4, 12, 32)
    _area((utype == SHOP) & (pos > 0), 64, 16, 30, 120)
    _area((utype == SHOP) & (pos == 0), 95, 45, 25, 400)
    _area(utype == OFFICE, 420, 300, 60, 3000)
    area = np.rint(area).astype(np.int64)
    lo = np.array([_ERA[c][0] for c in char])[bb]
    hi = np.array([_ERA[c][1] for c in char])[bb]
    byear = rng.integers(lo, hi + 1)
    newbuild = rng.random(n_b) < 0.12
    byear = np.where(newbuild, rng.integers(1990, 2024, n_b), byear)
    byear = np.where(bt == STUDENT, rng.integers(1965, 2022, n_b), byear)

    # postcodes: nearest real PC4 centroid, letters per street segment (coarsened when a PC4 is full)
    pc4, pc4_wp, pc4_xy = _load_pc4(real, buurten)
    b_pc = _nearest(bxy, pc4_xy)
    u_pc = b_pc[ub]
    u_street = b_street[ub]
    u_side = side[ub]
    u_rank = b_slot_rank[ub]
    letter_pairs = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    letter_pairs = np.array([p for p in letter_pairs if p not in _FORBIDDEN_PAIRS], dtype=object)
    seg = np.full(n_u, -1, dtype=np.int64)
    pair_idx = np.empty(n_u, dtype=np.int64)
    levels = [
        (u_street * 2 + u_side) * 100_000 + u_rank // 8,
        (u_street * 2 + u_side) * 100_000 + u_rank // 32,
        u_street * 100_000 + u_rank // 64,
        u_street * 100_000,
    ]
    u_pc4 = pc4[u_pc].astype(object)
    # A world denser than Rotterdam can overflow a real PC4 even at one postcode per street: its further
    # streets then move to unused 30xx/31xx numbers, so postcode + number stays unique.
    spare = iter(sorted({f"{n:04d}" for n in range(3000, 3200)} - set(pc4.tolist())))
    n_pairs = len(letter_pairs)
    for p in range(len(pc4)):
        mask = u_pc == p
        if not mask.any():
            continue
        for key in levels:
            segs, inv = np.unique(key[mask], return_inverse=True)
            if len(segs) <= n_pairs:
                break
        chunk = inv // n_pairs
        inv = inv % n_pairs
        if chunk.max() > 0:
            codes = np.array([pc4[p]] + [next(spare) for _ in range(int(chunk.max()))], dtype=object)
            u_pc4[mask] = codes[chunk]
        perm = rng.permutation(n_pairs)[: min(len(segs), n_pairs)]
        perm.sort()
        pair_idx[mask] = perm[inv]
        seg[mask] = inv
    postcode = u_pc4 + letter_pairs[pair_idx]

    # ids: BAG ids in random order (registration order, not geography)
    vbo = _bag_ids(rng, n_u, "059901")
    num_id = _bag_ids(rng, n_u, "059920")
    pand = _bag_ids(rng, n_b, "059910")

    bz = buurten.iloc[bb[ub]]
    units = pd.DataFrame(
        {
            "verblijfsobject_id": vbo,
            "nummeraanduiding_id": num_id,
            "openbare_ruimte": names[u_street],
            "huisnummer": num,
            "huisletter": letter,
            "huisnummertoevoeging": toev,
            "postcode": postcode,
            "woonplaats": pc4_wp[u_pc],
            "gemeente_code": GEMEENTE,
            "wijk_code": bz["wijk_code"].to_numpy(),
            "buurt_code": bz["buurt_code"].to_numpy(),
            "gebruiksdoel": doel,
            "oppervlakte_m2": area,
            "pand_id": pand[ub],
            "bouwjaar": byear[ub],
            "x_rd": np.round(bxy[ub, 0], 2),
            "y_rd": np.round(bxy[ub, 1], 2),
            "buurt_naam": bz["buurt_naam"].to_numpy(),
            "wijk_naam": bz["wijk_naam"].to_numpy(),
            "_building": ub,
            "_btype": utype,
            "_pos": pos,
            "_buurt": bb[ub],
            "_character": char[bb[ub]],
            "_street": u_street,
        }
    )
    return Geography(units=units, buurten=buurten)
