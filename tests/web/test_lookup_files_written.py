"""Lookup files written at open (issue 14): a store without valid files gets them written beside it and maps them;
only a folder that cannot be written builds them in memory. A killed write leaves no half folder in use."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pandzicht.cli import app as cli_app
from pandzicht.publish import _point, current_version
from pandzicht.web import lookup_files
from pandzicht.web.analysis import AnalysisStore, _builder_fingerprint
from pandzicht.web.context import PublishedAnalysis
from pandzicht.web.lookup_files import FOLDER, META, PARTIAL, folder_of, leftovers, read_lookups, write_lock


def _uses_files(store: AnalysisStore) -> bool:
    return "lk" in {r["database_name"] for r in store.rows("SELECT database_name FROM duckdb_databases()")}


def _answers(store: AnalysisStore) -> dict:
    top = store.top_units(limit=10)
    first = top[0]["verblijfsobject_id"]
    parties = store.top_parties(limit=5)
    return {"top": top, "unit": store.unit(first), "timeline": store.unit_timeline(first),
            "energy": store.energy(first), "parties": parties,
            "portfolio": [store.portfolio(p["entiteit_id"]) for p in parties],
            "search": store.search_addresses(top[0]["postcode"])}


@pytest.fixture(scope="module")
def reference(world: dict[str, Path]) -> dict:
    """What the published store, opened on the files `analyse` wrote, answers."""
    store = AnalysisStore(world["out"])
    try:
        assert _uses_files(store)
        return _answers(store)
    finally:
        store.close()


@pytest.fixture
def version(world: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the published version folder without its lookup files (as an older pandzicht left it)."""
    copy = tmp_path / "versie"
    shutil.copytree(Path(os.path.realpath(world["db"])).parent, copy)
    shutil.rmtree(copy / FOLDER)
    return copy


def test_a_store_without_files_gets_them_written_at_open(version: Path, reference: dict) -> None:
    store = AnalysisStore(version)
    try:
        assert _uses_files(store)  # mapped from the files it just wrote, not built in memory
        assert read_lookups(version / "pandzicht.duckdb", _builder_fingerprint()) is not None
        assert all(p.stat().st_mode & 0o077 == 0 for p in (version / FOLDER).iterdir())  # owner-only
        assert not leftovers(version / "pandzicht.duckdb")
        assert _answers(store) == reference
    finally:
        store.close()
    again = AnalysisStore(version)  # the next open maps the same files
    try:
        assert _uses_files(again) and _answers(again) == reference
    finally:
        again.close()


def test_files_of_an_older_builder_are_replaced_whole(version: Path, reference: dict) -> None:
    AnalysisStore(version).close()
    meta = version / FOLDER / META
    meta.write_text(meta.read_text(encoding="utf-8").replace(_builder_fingerprint(), "0" * 64), encoding="utf-8")
    assert read_lookups(version / "pandzicht.duckdb", _builder_fingerprint()) is None
    store = AnalysisStore(version)
    try:
        assert _uses_files(store) and _answers(store) == reference
        assert read_lookups(version / "pandzicht.duckdb", _builder_fingerprint()) is not None
        assert sorted(p.name for p in version.iterdir() if FOLDER in p.name) == [f".{FOLDER}.lock", FOLDER]
    finally:
        store.close()


def _read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make FOLDER unwritable: by its mode, and for root (whom modes do not stop) as a read-only mount answers."""
    folder.chmod(0o500)
    if os.geteuid() != 0:
        return
    real_open, real_mkdtemp = os.open, lookup_files.tempfile.mkdtemp

    def refuse(path: object) -> None:
        if Path(os.fspath(path)).resolve().is_relative_to(folder.resolve()):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    def ro_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def ro_mkdtemp(*args, **kwargs):  # type: ignore[no-untyped-def]
        refuse(kwargs.get("dir", args[2] if len(args) > 2 else "."))
        return real_mkdtemp(*args, **kwargs)

    monkeypatch.setattr(lookup_files.os, "open", ro_open)
    monkeypatch.setattr(lookup_files.tempfile, "mkdtemp", ro_mkdtemp)


def test_a_read_only_folder_builds_in_memory_and_says_so_once(version: Path, reference: dict,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    _read_only(version, monkeypatch)
    try:
        with caplog.at_level(logging.INFO, logger="pandzicht"):
            store = AnalysisStore(version)
        try:
            assert not _uses_files(store) and _answers(store) == reference
        finally:
            store.close()
        assert not (version / FOLDER).exists() and not leftovers(version / "pandzicht.duckdb")
        said = [r for r in caplog.records if "in memory" in r.getMessage()]
        assert len(said) == 1 and said[0].levelno == logging.WARNING
        assert str(version / FOLDER) in said[0].getMessage()
    finally:
        version.chmod(0o700)


def test_the_cli_writes_valid_files_for_the_published_analysis(world: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "uitvoer"
    shutil.copytree(world["out"], out, symlinks=True)  # huidig and the published names are relative links
    published = current_version(out)
    assert published is not None
    shutil.rmtree(published / FOLDER)
    runner = CliRunner()
    result = runner.invoke(cli_app, ["web-opzoek", str(out)])
    assert result.exit_code == 0, result.output
    assert "Opzoektabellen geschreven in" in result.output and " MB in " in result.output
    found = read_lookups(out / "pandzicht.duckdb", _builder_fingerprint())
    assert found is not None and folder_of(out / "pandzicht.duckdb") == published / FOLDER
    assert {"rel_van", "unit_adres", "unit_energie"} <= set(found.indexes)
    written = (published / FOLDER / META).stat().st_mtime_ns
    again = runner.invoke(cli_app, ["web-opzoek", str(out)])
    assert again.exit_code == 0 and "al actueel" in again.output
    assert (published / FOLDER / META).stat().st_mtime_ns == written
    forced = runner.invoke(cli_app, ["web-opzoek", str(out), "--opnieuw"])
    assert forced.exit_code == 0 and "geschreven" in forced.output
    assert read_lookups(out / "pandzicht.duckdb", _builder_fingerprint()) is not None


def test_the_cli_reports_a_missing_analysis(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["web-opzoek", str(tmp_path)])
    assert result.exit_code == 1 and "analyse-opslag niet gevonden" in result.output


_KILLED_WRITE = textwrap.dedent("""
    import os, signal, sys
    from pandzicht.web import lookup_files
    from pandzicht.web.analysis import AnalysisStore

    def die(self, extra):  # killed after every table was written, before the folder is switched in
        os.kill(os.getpid(), signal.SIGKILL)

    lookup_files.LookupWriter.finish = die
    AnalysisStore(sys.argv[1])
""")


def test_a_killed_write_leaves_a_temporary_folder_that_is_ignored_and_cleaned(version: Path, reference: dict) -> None:
    killed = subprocess.run([sys.executable, "-c", _KILLED_WRITE, str(version)], capture_output=True, timeout=300)
    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    left = leftovers(version / "pandzicht.duckdb")
    assert len(left) == 1 and left[0].name.startswith(PARTIAL) and any(left[0].iterdir())
    assert not (version / FOLDER).exists()  # nothing half-written under the name readers use
    store = AnalysisStore(version)
    try:
        assert _uses_files(store) and _answers(store) == reference
        assert not left[0].exists() and not leftovers(version / "pandzicht.duckdb")
    finally:
        store.close()


def test_leftovers_beside_valid_files_are_removed_at_open(version: Path) -> None:
    AnalysisStore(version).close()
    stale = version / f"{PARTIAL}gestopt"
    stale.mkdir()
    (stale / "kopie.duckdb").write_bytes(b"half")
    store = AnalysisStore(version)
    try:
        assert _uses_files(store) and not stale.exists()
    finally:
        store.close()


def test_a_new_version_without_files_is_written_while_requests_use_the_old_one(
        world: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: dict) -> None:
    out = tmp_path / "uitvoer"
    shutil.copytree(world["out"], out, symlinks=True)
    old = AnalysisStore(out)
    published = PublishedAnalysis(out, old)
    monkeypatch.setattr(PublishedAnalysis, "CHECK_EVERY_S", 0.0)
    new_version = out / "versies" / "20991231T000000"
    shutil.copytree(current_version(out), new_version)
    shutil.rmtree(new_version / FOLDER)
    with write_lock(new_version / "pandzicht.duckdb"):  # another worker is writing the files: the reopen waits
        _point(out, new_version)
        assert published.current() is old  # the change is noticed; its open runs in the background
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert published.current() is old and old.top_units(limit=10) == reference["top"]  # never waits
            time.sleep(0.05)
        assert published._lock.locked()  # the reopen is still waiting for the lock
    deadline = time.monotonic() + 120
    while published.current() is old and time.monotonic() < deadline:
        time.sleep(0.1)
    new = published.current()
    try:
        assert new is not old and _uses_files(new) and _answers(new) == reference
        assert os.path.realpath(new.path).startswith(str(new_version))
    finally:
        new.close()
        old.close()
