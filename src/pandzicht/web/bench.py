"""Web benchmark: unit-dossier latency and signal-intake throughput against a real uvicorn server on loopback.

The server runs in its own process (as in production), on 127.0.0.1 only, with
a fresh operational database. Loops are bounded. Latency is the p95 of one pass
over a fixed sample of units, reported as the median over several passes;
throughput is signals per second with several clients posting the real form,
after which every signal is checked to be stored.
"""

from __future__ import annotations

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyotp
from sqlalchemy import func, select

from pandzicht.cases.db import make_engine, migrate, session_factory
from pandzicht.cases.models import Signal
from pandzicht.privacy.users import create_user
from pandzicht.web.analysis import AnalysisStore

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_KENMERK = re.compile(r'id="kenmerk">([^<]+)<')
_PASSWORD = "bench-wachtwoord-123"
_TOTP = pyotp.random_base32()  # the benchmark account's second factor (analists log in with one)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p(values: list[float], q: float) -> float:
    vals = sorted(values)
    return vals[min(len(vals) - 1, max(0, round(q * (len(vals) - 1))))]


def _start(analysis: Path, db_url: str, port: int, workers: int) -> subprocess.Popen:
    # Loopback over plain http: the benchmark client must get the cookie back, so no Secure flag here.
    env = {**os.environ, "PANDZICHT_SECRET": "bench-" + "s" * 40, "PANDZICHT_MELDING_LIMIET": "0",
           "PANDZICHT_INSECURE_COOKIES": "1"}
    cmd = [sys.executable, "-m", "pandzicht.web.commands", "serve", "--analysis", str(analysis), "--database",
           db_url, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 900  # a large analysis builds its lookup indexes before the first request
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("de server stopte tijdens het opstarten")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/melden", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("de server startte niet binnen 900 s")


def _login(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60, follow_redirects=True)
    token = _CSRF.search(c.get("/inloggen").text).group(1)  # type: ignore[union-attr]
    r = c.post("/inloggen", data={"naam": "bench", "wachtwoord": _PASSWORD, "csrf": token})
    if "/inloggen/code" in str(r.url):
        token = _CSRF.search(r.text).group(1)  # type: ignore[union-attr]
        r = c.post("/inloggen/code", data={"code": pyotp.TOTP(_TOTP).now(), "csrf": token})
    if r.status_code != 200 or "/inloggen" in str(r.url):
        raise RuntimeError("inloggen voor de benchmark mislukte")
    return c


def bench_web(analysis_dir: str | Path, units: int = 100, runs: int = 5, signals: int = 400, clients: int = 8,
              workers: int = 1, database_url: str | None = None) -> dict:
    """Measure unit-dossier p95 latency (median of `runs` passes over `units` units) and signal intake per second.

    Bounded: at most `units` x `runs` dossier requests and `signals` form posts, all on 127.0.0.1."""
    store = AnalysisStore(analysis_dir)
    n_total = store.meta()["adressen"]
    step = max(1, n_total // max(units, 1))
    sample = [r["verblijfsobject_id"] for r in store.rows(
        "SELECT verblijfsobject_id FROM adres_score s JOIN raw_bag_verblijfsobject USING (verblijfsobject_id) "
        "WHERE (s.rang - 1) % ? = 0 ORDER BY s.rang LIMIT ?", [step, units])]
    overview_paths = _overview_paths([w["wijk_code"] for w in store.wijken()])
    expand_paths = _expand_paths(store, sample)
    store.close()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        engine = make_engine(db_url)
        migrate(engine)
        with session_factory(engine).begin() as s:
            create_user(s, "bench", _PASSWORD, "analist", totp_geheim=_TOTP)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        proc = _start(Path(analysis_dir), db_url, port, workers)
        try:
            client = _login(base)
            for vbo in sample[:5]:  # warm-up: caches, first connections, the address index below
                client.get(f"/adres/{vbo}")
            pass_p95, pass_p50, all_ms = [], [], []
            for _ in range(runs):
                times = []
                for vbo in sample:
                    t0 = time.perf_counter()
                    r = client.get(f"/adres/{vbo}")
                    times.append((time.perf_counter() - t0) * 1000)
                    if r.status_code != 200:
                        raise RuntimeError(f"adresdossier gaf status {r.status_code}")
                pass_p95.append(_p(times, 0.95))
                pass_p50.append(_p(times, 0.5))
                all_ms += times
            search_ms = _bench_search(client, _search_queries(analysis_dir, sample), runs)
            overview_ms = _bench_paths(client, overview_paths, runs)
            expand_ms = _bench_paths(client, expand_paths, runs) if expand_paths else {}
            client.close()

            texts = _addresses(analysis_dir, sample)
            warm = httpx.Client(base_url=base, timeout=60)
            tok = _CSRF.search(warm.get("/melden").text).group(1)  # type: ignore[union-attr]
            warm.post("/melden", data={"adres_tekst": texts[0], "categorieen": "stank", "bron_type": "anoniem",
                                       "tekst": "opwarmen", "csrf": tok})  # builds the address index
            warm.close()
            kenmerken: list[str] = []
            failures = [0]
            lock = threading.Lock()
            per_client = signals // clients

            def post_many(k: int) -> None:
                c = httpx.Client(base_url=base, timeout=60)
                token = _CSRF.search(c.get("/melden").text).group(1)  # type: ignore[union-attr]
                for i in range(per_client):
                    r = c.post("/melden", data={"adres_tekst": texts[(k * per_client + i) % len(texts)],
                                                "categorieen": ["stank", "loopvolk"], "bron_type": "buurtbewoner",
                                                "tekst": f"benchmark-melding {k}-{i}", "csrf": token})
                    m = _KENMERK.search(r.text) if r.status_code == 200 else None
                    with lock:
                        if m:
                            kenmerken.append(m.group(1))
                        else:
                            failures[0] += 1
                c.close()

            threads = [threading.Thread(target=post_many, args=(k,)) for k in range(clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        with session_factory(engine)() as s:
            stored = set(s.scalars(select(Signal.kenmerk).where(Signal.tekst.like("benchmark-melding %"))))
            linked = s.scalar(select(func.count()).select_from(Signal).where(
                Signal.tekst.like("benchmark-melding %"), Signal.verblijfsobject_id.is_not(None))) or 0
        engine.dispose()
    sent = per_client * clients
    return {
        "adressen_in_analyse": n_total,
        "zoeken": search_ms,
        "overzicht": overview_ms,
        "netwerk_uitklappen": expand_ms,
        "adresdossier": {"steekproef": len(sample), "herhalingen": runs,
                         "p95_ms": round(statistics.median(pass_p95), 1),
                         "p50_ms": round(statistics.median(pass_p50), 1), "max_ms": round(max(all_ms), 1)},
        "meldingen": {"verstuurd": sent, "geaccepteerd": len(kenmerken), "fouten": failures[0],
                      "opgeslagen_en_teruggevonden": len(stored & set(kenmerken)), "gekoppeld": int(linked),
                      "gelijktijdige_clients": clients, "seconden": round(seconds, 2),
                      "per_seconde": round(len(kenmerken) / seconds, 1) if seconds else 0.0,
                      "alles_opgeslagen": len(stored & set(kenmerken)) == sent},
        "workers": workers,
    }


def _search_queries(analysis_dir: str | Path, vbos: list[str]) -> list[str]:
    """Header-search queries of every kind for the sampled units: street + number, abbreviated street,
    postcode + number, BAG id, and for companies their KvK number and the first word of their name."""
    store = AnalysisStore(analysis_dir)
    try:
        units = store.rows("SELECT verblijfsobject_id, openbare_ruimte, huisnummer, postcode FROM "
                           "raw_bag_verblijfsobject WHERE verblijfsobject_id IN (SELECT unnest(?))", [vbos])
        firms = store.rows("SELECT naam, kvk FROM memory.partij_kort WHERE bedrijf = 1 AND kvk IS NOT NULL "
                           "ORDER BY entiteit_id LIMIT ?", [len(vbos)]) if store.has("partij_vermelding") else []
    finally:
        store.close()
    queries: list[str] = []
    for u in units:
        queries += [f"{u['openbare_ruimte']} {u['huisnummer']}", f"{u['openbare_ruimte'][:5]} {u['huisnummer']}",
                    f"{u['postcode']}{u['huisnummer']}", u["verblijfsobject_id"]]
    for f in firms:
        queries += [f["kvk"], f["naam"].split()[0]]
    return queries


def _bench_search(client: httpx.Client, queries: list[str], runs: int) -> dict:
    """p95 and p50 of /api/zoek (median over passes); the first query builds the lookup tables and is not timed."""
    timed = _bench_paths(client, ["/api/zoek?" + urlencode({"q": q}) for q in queries], runs)
    return {"zoekvragen": timed.pop("verzoeken"), **timed}


def _overview_paths(wijken: list[str]) -> list[str]:
    """Overview requests as analysts make them: the first pages of the ranked list, and the first page per wijk."""
    return ["/", "/?pagina=2", "/?pagina=3", "/?vermoeden=woonfraude"] + [f"/?wijk={w}" for w in wijken[:16]]


def _expand_paths(store: AnalysisStore, vbos: list[str], n: int = 40) -> list[str]:
    """What the link chart asks when an analyst expands a node: one hop (the first page) from the sampled units
    and from a party at each of them (owner, landlord, broker or tenant: whoever the network lists first)."""
    paths: list[str] = []
    for vbo in vbos[: n // 2]:
        paths.append(f"/api/netwerk/{vbo}")
        party = next((e["van"] for e in store.edges_touching([vbo], limit=10)
                      if e["naar"] == vbo and not e["van"].startswith("melding:")), None)
        if party:
            paths.append(f"/api/netwerk/{party}")
    return paths


def _bench_paths(client: httpx.Client, paths: list[str], runs: int) -> dict:
    """p95 and p50 of GET requests over `paths` (median over passes); the first request warms caches, untimed."""
    client.get(paths[0])
    pass_p95, pass_p50 = [], []
    for _ in range(runs):
        times = []
        for path in paths:
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            if r.status_code != 200:
                raise RuntimeError(f"{path} gaf status {r.status_code}")
        pass_p95.append(_p(times, 0.95))
        pass_p50.append(_p(times, 0.5))
    return {"verzoeken": len(paths), "herhalingen": runs, "p95_ms": round(statistics.median(pass_p95), 1),
            "p50_ms": round(statistics.median(pass_p50), 1)}


def _addresses(analysis_dir: str | Path, vbos: list[str]) -> list[str]:
    store = AnalysisStore(analysis_dir)
    try:
        return [u["adres"] for u in store.unit_addresses(vbos).values()]
    finally:
        store.close()
