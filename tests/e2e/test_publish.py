"""Atomic publication: a killed analyse leaves the published analysis byte-identical; serve answers throughout."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from leveringen import next_delivery

from pandzicht.errors import PandzichtError
from pandzicht.pipeline import analyse
from pandzicht.publish import CURRENT, PUBLISHED, VERSIONS, Publication, current_version
from pandzicht.synth import generate


def _files(out: Path) -> dict[str, str]:
    """sha256 of every published name, read through DIR/<name> as a user would."""
    return {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in PUBLISHED if (out / n).exists()}


def _fake_build(pub: Publication, text: str) -> None:
    assert pub.build is not None
    for name in PUBLISHED:
        (pub.build / name).write_text(f"{name}:{text}\n", encoding="utf-8")


# -- the publication mechanism itself (fast) --------------------------------------------------------------------

def test_a_finished_build_is_published_and_a_failed_one_is_not(tmp_path):
    out = tmp_path / "uit"
    with Publication(out) as pub:
        _fake_build(pub, "een")
    assert (out / CURRENT).is_symlink()
    assert (out / "adressen.csv").read_text() == "adressen.csv:een\n"
    first = _files(out)
    with pytest.raises(RuntimeError), Publication(out) as pub:
        _fake_build(pub, "twee")
        raise RuntimeError("stage failed")
    assert _files(out) == first
    assert [p.name for p in (out / VERSIONS).iterdir()] == [current_version(out).name]
    with Publication(out) as pub:
        _fake_build(pub, "drie")
    assert (out / "partijen.csv").read_text() == "partijen.csv:drie\n"
    assert len(list((out / VERSIONS).iterdir())) == 1  # the superseded version is gone


def test_a_stale_build_is_cleaned_at_the_next_run(tmp_path):
    out = tmp_path / "uit"
    with Publication(out) as pub:
        _fake_build(pub, "een")
    stale = out / VERSIONS / ".bouw-20000101T000000"
    stale.mkdir()
    (stale / "adressen.csv").write_text("half", encoding="utf-8")
    with Publication(out) as pub:
        assert not stale.exists()
        _fake_build(pub, "twee")


def test_two_runs_into_one_folder_cannot_overlap(tmp_path):
    out = tmp_path / "uit"
    with Publication(out) as pub:
        _fake_build(pub, "een")
        with pytest.raises(PandzichtError, match="draait al een analyse"), Publication(out):
            pass


@pytest.mark.parametrize("where", ["uit", "uit/sub"])
def test_an_output_folder_where_a_file_stands_is_refused_naming_the_file(tmp_path, where):
    (tmp_path / "uit").write_text("een bestand", encoding="utf-8")
    with pytest.raises(PandzichtError, match=r"uit is een bestand en geen map; kies met --out"), \
            Publication(tmp_path / where):
        pass
    assert (tmp_path / "uit").read_text(encoding="utf-8") == "een bestand"


def test_a_db_that_names_a_folder_is_refused_before_the_run(tmp_path):
    """Before: the whole analysis ran and then stopped with 'interne fout: IsADirectoryError' when switching in."""
    (tmp_path / "opslag").mkdir()
    with pytest.raises(PandzichtError, match=r"opslag: dit is een map, geen DuckDB-bestand; geef met --db een "
                                             r"bestandsnaam op"), Publication(tmp_path / "uit", tmp_path / "opslag"):
        pass
    assert not (tmp_path / "uit").exists()


def test_a_folder_from_before_versioning_is_adopted_byte_identically(tmp_path):
    out = tmp_path / "uit"
    out.mkdir()
    for name in PUBLISHED[:-1]:
        (out / name).write_bytes(os.urandom(64))
    (out / "pandzicht.oordelen.sqlite").write_bytes(b"oordelen")
    before = _files(out)
    with Publication(out) as pub:
        assert _files(out) == before  # adopted first, still the same bytes under the same names
        assert all((out / n).is_symlink() for n in before)
        _fake_build(pub, "nieuw")
    assert (out / "adressen.csv").read_text() == "adressen.csv:nieuw\n"
    assert (out / "pandzicht.oordelen.sqlite").read_bytes() == b"oordelen"  # the folder's own files stay


# -- a real analysis, killed and served (slow) ------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("publicatie")
    first, second, out = base / "levering-01", base / "levering-02", base / "uitvoer"
    generate(first, 1200, 12, "base")
    t0 = time.monotonic()
    analyse(first, out)
    full = time.monotonic() - t0  # how long a whole analysis takes on this machine, now
    next_delivery(first, second, out)
    return {"first": first, "second": second, "out": out, "seconds": full}


def _start(bundle: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "pandzicht.cli", "analyse", str(bundle), "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def _wait_for(proc: subprocess.Popen, condition, timeout: float = 300) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if condition():
            return True
        time.sleep(0.005)
    return False


def _build_has(out: Path, pattern: str) -> bool:
    return any(b.glob(pattern) for b in (out / VERSIONS).glob(".bouw-*"))


@pytest.mark.slow
def test_a_killed_analysis_leaves_the_published_one_byte_identical(published):
    out, second, full = published["out"], published["second"], published["seconds"]
    before = _files(out)
    assert set(before) >= {"adressen.csv", "partijen.csv", "entiteiten.csv", "adreskoppeling.csv",
                           "laadrapport.json", "pandzicht.duckdb"}
    points = {
        "at start": lambda t0: time.monotonic() - t0 > 0.3,
        "while loading": lambda t0: _build_has(out, "pandzicht.duckdb"),
        # a fixed delay finished the whole run first on an idle machine: wait a share of a whole analysis instead
        "while linking": lambda t0: _build_has(out, "pandzicht.duckdb") and time.monotonic() - t0 > 0.4 * full,
        "while writing the files": lambda t0: _build_has(out, "*.csv"),
    }
    killed = []
    for name, condition in points.items():
        proc = _start(second, out)
        t0 = time.monotonic()
        reached = _wait_for(proc, lambda c=condition, t=t0: c(t))
        if reached:
            proc.send_signal(signal.SIGKILL)
            killed.append(name)
        proc.wait()
        assert _files(out) == before, f"killed {name}: the published analysis changed"
    assert len(killed) >= 3, killed
    # the next complete run publishes the new delivery and removes what the killed runs left
    proc = _start(second, out)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err.decode()[-2000:]
    after = _files(out)
    assert after["adressen.csv"] != before["adressen.csv"] or after["laadrapport.json"] != before["laadrapport.json"]
    assert [p.name for p in (out / VERSIONS).iterdir()] == [current_version(out).name]
    checker = Path(__file__).resolve().parents[3] / "shared" / "tools" / "check-outputs"
    if checker.exists():
        done = subprocess.run([sys.executable, str(checker), str(second), str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_serve_answers_throughout_a_reanalysis_and_then_shows_the_new_one(published, tmp_path):
    from fastapi.testclient import TestClient

    from pandzicht.privacy.users import create_user
    from pandzicht.web.app import create_app
    from pandzicht.web.config import DEFAULT_HOSTS, Settings
    from pandzicht.web.maps import real_data_dir
    from web.conftest import PASSWORD, SECRET, TOTP_SECRET, login

    out = tmp_path / "uitvoer"
    analyse(published["first"], out)
    settings = Settings(analysis=out, database_url=f"sqlite:///{tmp_path / 'op.sqlite'}", secret=SECRET,
                        real_data=real_data_dir(), host_names=["testserver", *DEFAULT_HOSTS])
    app = create_app(settings)
    with app.state.ctx.sessions.begin() as s:
        create_user(s, "ana", PASSWORD, "analist", "", totp_geheim=TOTP_SECRET)
    with TestClient(app, base_url="https://testserver") as client:
        login(client, "ana")
        first = client.get("/api/meta").json()["peildatum"]
        proc = _start(published["second"], out)
        answers: list[tuple[int, str]] = []
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                r = client.get("/api/meta")
                units = client.get("/api/adressen?limit=5").status_code
                answers.append((max(r.status_code, units),
                                r.json().get("peildatum", "") if r.status_code == 200 else r.text))
                time.sleep(0.2)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            _, err = proc.communicate(timeout=600)
        finally:
            time.sleep(1.5)  # one more check interval for the app to notice the switch
            done.set()
            watcher.join()
        assert proc.returncode == 0, err.decode()[-2000:]
        assert b"IOException" not in err
        assert len(answers) > 10 and all(code == 200 for code, _ in answers), answers[:3]
        seen = [p for _, p in answers]
        assert seen[0] == first
        assert seen == sorted(seen)  # never back to the old one once the new one was shown
        # the new version is opened in the background; it is shown once its indexes are built
        deadline = time.monotonic() + 120
        while client.get("/api/meta").json()["peildatum"] == first and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get("/api/meta").json()["peildatum"] == next_peildatum(published["second"])
    app.state.ctx.engine.dispose()


def next_peildatum(bundle: Path) -> str:
    import json

    return json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["peildatum"]
