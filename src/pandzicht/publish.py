"""Atomic publication of an analysis folder: build beside the published analysis, then switch in one step.

Layout of an output folder `DIR`:

    DIR/versies/<stamp>/        one complete analysis (the output files, pandzicht.duckdb and the web app's
                                lookup files in web-opzoek/, written by `publish` before the switch)
    DIR/versies/.bouw-<stamp>/  an analysis being built (removed at the next run if the build died)
    DIR/huidig -> versies/<stamp>          the published analysis: a symlink replaced with os.replace
    DIR/adressen.csv -> huidig/adressen.csv   (and the other files, and pandzicht.duckdb)

The names the contract and the README promise (`DIR/adressen.csv`, `DIR/pandzicht.duckdb`) are symlinks
through `huidig`, created once; publishing is the single atomic replacement of `huidig`. A run killed at
any moment therefore leaves the previous analysis published and byte-identical: nothing published is
ever written, only new folders beside it. Readers that hold the old store open (the web app) keep
reading it after the switch; they see the new one when they reopen `DIR/pandzicht.duckdb`.

A folder from before this layout (plain files in DIR) is adopted first: its files are hard-linked into a
version folder and each name is then atomically replaced by a symlink to the same bytes.

Files next to the store that belong to the folder, not to one analysis (the pair judgements
`pandzicht.oordelen.sqlite`, `fairness.md`), stay in DIR itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from pathlib import Path

from pandzicht.errors import PandzichtError
from pandzicht.privacy.files import private_dir
from pandzicht.store.engine import check_store_path

log = logging.getLogger(__name__)

VERSIONS = "versies"
CURRENT = "huidig"
BUILD_PREFIX = ".bouw-"
STORE = "pandzicht.duckdb"
LOCK = ".analyse.lock"
# Every name published through `huidig`; a version may lack one (an older analysis has no wijzigingen.csv).
PUBLISHED = ("adressen.csv", "partijen.csv", "entiteiten.csv", "adreskoppeling.csv", "laadrapport.json",
             "wijzigingen.csv", STORE, "spark-warehouse")


class Publication:
    """One analysis run into DIR: holds the folder's lock, names the build folder, publishes it at the end.

    Use as a context manager: leaving the block normally publishes the build (or call `publish()` earlier);
    leaving it with an error (a refused delivery, a failed stage) removes the build and leaves the published
    analysis as it was."""

    def __init__(self, out: Path, db: Path | None = None) -> None:
        self.out = Path(out)
        self.external_db = Path(db) if db else None
        self._lock_fd: int | None = None
        self.build: Path | None = None
        self.published = False

    # -- what the run reads ------------------------------------------------------------------------------------
    @property
    def store_path(self) -> Path:
        """Where this run writes its store: inside the build folder, or beside an explicit --db."""
        assert self.build is not None
        if self.external_db:
            return self.external_db.with_name(f"{self.build.name}-{self.external_db.name}")
        return self.build / STORE

    @property
    def previous_store(self) -> Path | None:
        """The published store of the earlier analysis in this folder, if there is one."""
        path = self.external_db or self.out / STORE
        return path if path.is_file() else None

    @property
    def previous_report(self) -> Path | None:
        path = self.out / "laadrapport.json"
        return path if path.is_file() else None

    @property
    def judgements(self) -> Path:
        """The pair judgements of this folder: beside the published store name, so every version reads them."""
        db = self.external_db or self.out / STORE
        return db.with_name(db.stem + ".oordelen.sqlite")

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def __enter__(self) -> Publication:
        if self.external_db:
            check_store_path(self.external_db)  # before the run, not when its store is switched in at the end
        _output_folder(self.out)  # owner-only, whatever the umask: it holds BRP and police data (issue 12, #11)
        self._lock()
        try:
            adopt_legacy(self.out)
            clean_stale(self.out, self.external_db)
            versions = self.out / VERSIONS
            private_dir(versions)
            self.build = _unique(versions, BUILD_PREFIX + time.strftime("%Y%m%dT%H%M%S"))
            self.build.mkdir(mode=0o700)
            private_dir(self.build)
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None and not self.published and self.build is not None:
                self.publish()
            if not self.published and self.build is not None:
                shutil.rmtree(self.build, ignore_errors=True)
                if self.external_db:
                    built = self.store_path
                    for p in (built, built.with_name(built.name + ".wal")):
                        p.unlink(missing_ok=True)
        finally:
            self._unlock()

    def publish(self) -> Path:
        """Switch the finished build in: one atomic rename of `huidig`; returns the published version folder.

        The store must be closed (its write-ahead log checkpointed) before this is called."""
        assert self.build is not None
        if not self.external_db and (self.build / STORE).is_file():
            write_lookups(self.build / STORE)
        for f in sorted(self.build.iterdir()):
            fsync_path(f)
        external_store = self.store_path if self.external_db else None
        if external_store:
            fsync_path(external_store)
        version = self.build.with_name(self.build.name[len(BUILD_PREFIX):])
        os.rename(self.build, version)
        fsync_path(version.parent)
        self.build = version
        if self.external_db and external_store:
            # a store outside DIR is swapped on its own, just before the files (each switch is atomic)
            os.replace(external_store, self.external_db)
        _point(self.out, version)
        self.published = True
        for name in PUBLISHED:
            if name == STORE and self.external_db:
                continue
            if (version / name).exists():
                _link(self.out, name)
        remove_superseded(self.out)
        return version

    # -- the folder's lock -------------------------------------------------------------------------------------
    def _lock(self) -> None:
        fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PandzichtError(f"{self.out}: hier draait al een analyse; wacht tot die klaar is") from None
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None


def _output_folder(out: Path) -> None:
    """Create DIR owner-only, or refuse in one line when a file stands where it or a folder above it must be.

    Why: `--out` naming a file (a typo, or the name of an earlier output file) stopped the analysis with
    'interne fout: FileExistsError', which tells the user nothing about what to change."""
    try:
        private_dir(out)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), out)
        raise PandzichtError(f"{out}: kan de uitvoermap niet maken, want {blocker} is een bestand en geen map; "
                             "kies met --out een (nieuwe) map") from None


def write_lookups(store: Path) -> None:
    """The web app's lookup tables, built once into files beside the store (`pandzicht.web.lookup_files`), so
    that opening the analysis maps them instead of building them (minutes and gigabytes at 1M units). Without them
    (writing failed here, or a store outside the folder via --db) the app writes them when it opens the store."""
    from pandzicht.web.analysis import AnalysisStore
    from pandzicht.web.lookup_files import folder_of

    t0 = time.perf_counter()
    try:
        AnalysisStore.publish_lookups(store)
    except Exception as exc:  # never a reason to withhold the analysis: the app can build them itself
        shutil.rmtree(folder_of(store), ignore_errors=True)
        log.warning("web lookup files not written (%s: %s); the web app builds them when it opens the analysis",
                    type(exc).__name__, exc)
        return
    log.info("web lookup files written in %.1f s", time.perf_counter() - t0)


def current_version(out: Path) -> Path | None:
    """The version folder `huidig` points at, or None when the folder has no versioned analysis."""
    pointer = Path(out) / CURRENT
    if not pointer.is_symlink():
        return None
    target = pointer.parent / os.readlink(pointer)
    return target if target.is_dir() else None


def adopt_legacy(out: Path) -> None:
    """Bring an output folder written before versioning under `huidig`, never changing a byte anyone reads.

    Idempotent, so a run killed halfway through the adoption finishes it the next time."""
    current = current_version(out)
    if current is not None:
        for name in PUBLISHED:  # an adoption interrupted after `huidig` was set
            plain = out / name
            if plain.is_file() and not plain.is_symlink() and (current / name).exists() \
                    and os.path.samefile(plain, current / name):
                _link(out, name)
        return
    plain = [n for n in (*PUBLISHED, STORE + ".wal") if (out / n).is_file() and not (out / n).is_symlink()]
    if not plain:
        return
    folder = private_dir(out / VERSIONS / "eerder")
    for name in plain:
        if not (folder / name).exists():
            os.link(out / name, folder / name)
    fsync_path(folder)
    _point(out, folder)
    for name in plain:
        if name in PUBLISHED:
            _link(out, name)
    log.info("output folder adopted into the versioned layout")


def clean_stale(out: Path, external_db: Path | None = None) -> None:
    """Remove builds a killed run left behind, and versions that are no longer published."""
    remove_superseded(out)
    if external_db is not None:
        for p in external_db.parent.glob(f"{BUILD_PREFIX}*-{external_db.name}*"):
            p.unlink(missing_ok=True)


def remove_superseded(out: Path) -> None:
    """Every folder in `versies` except the published one; a reader holding an old store open keeps its
    file (it is only unlinked) until it reopens."""
    versions = Path(out) / VERSIONS
    if not versions.is_dir():
        return
    keep = current_version(out)
    for entry in versions.iterdir():
        if keep is not None and entry.name == keep.name:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _point(out: Path, version: Path) -> None:
    """Atomically make `huidig` point at `version` (relative, so the folder can be moved as a whole)."""
    tmp = out / f".{CURRENT}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.join(VERSIONS, version.name), tmp)
    os.replace(tmp, out / CURRENT)
    fsync_path(out)


def _link(out: Path, name: str) -> None:
    """Make DIR/name the symlink huidig/name (atomically replacing what was there)."""
    target = os.path.join(CURRENT, name)
    path = out / name
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = out / f".{name}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _unique(folder: Path, name: str) -> Path:
    candidate, n = folder / name, 1
    while candidate.exists() or (folder / candidate.name[len(BUILD_PREFIX):]).exists():
        n += 1
        candidate = folder / f"{name}-{n}"
    return candidate


def fsync_path(path: Path) -> None:
    """Flush a file or folder to disk, so a power cut after the switch cannot publish empty files."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
