"""The lookup tables of a published analysis, written once beside its store at publication (a private format).

Why: opening a store built its lookup tables (`AnalysisStore._build_lookups`: sorted DuckDB copies and
`KeyIndex`es) from scratch, which at 200k units took about a minute and 2.8 GB, and grows with the store. The
store never changes after publication, so `pandzicht analyse` builds them once, with the same code, into the
version folder before the version is switched in (`pipeline.analyse`); opening then memory-maps them.

Layout of `<version folder>/FOLDER` (nothing outside this package reads it):

    kopie.duckdb           the sorted copies the screens query in SQL (`memory.unit_adres`, ...), attached read-only
    <index>.arrow          per KeyIndex its rows in index order: Arrow IPC, uncompressed, so they can be mmapped
    <index>.sleutels.npy   the sorted keys; with <index>.volgorde.npy (row order) or <index>.begin.npy (starts)
    inhoud.json            written last: format, builder fingerprint, the store it belongs to, the indexes

The files belong to the store they were built from (its size and modification time are recorded) and to the
code that built them (a fingerprint of the builder's source); when either differs, or a file is missing, the
reader returns None and the caller writes them (`AnalysisStore`), or builds them in memory where it cannot write.

Writing is atomic: a writer holds `LOCK` (an flock beside the folder, released when the process dies), builds
into a temporary folder beside it and renames that into place, so two workers or a killed write never leave a
half folder under FOLDER; the temporary folders a killed write left are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from pandzicht.privacy.files import private_dir, private_file, restrict_tree
from pandzicht.publish import fsync_path
from pandzicht.web.lookup import KeyIndex

log = logging.getLogger(__name__)

FOLDER = "web-opzoek"
FORMAT = 1
COPIES = "kopie.duckdb"
META = "inhoud.json"
LOCK = f".{FOLDER}.lock"  # beside FOLDER, in the version folder
PARTIAL = f".{FOLDER}-bezig-"  # a folder being written (left behind only by a killed write)
REPLACED = f".{FOLDER}-oud-"  # the folder a rewrite replaced, removed right after the switch


def folder_of(store: str | Path) -> Path:
    """The lookup folder of a store: beside the file the (symlinked) store name resolves to."""
    return Path(os.path.realpath(store)).parent / FOLDER


def store_identity(store: str | Path) -> dict[str, int]:
    st = os.stat(os.path.realpath(store))
    return {"grootte": st.st_size, "mtime_ns": st.st_mtime_ns}


def fingerprint(*parts: Any) -> str:
    """A digest of the code (functions, classes) and constants that decide what the tables hold."""
    h = hashlib.sha256(f"formaat {FORMAT}".encode())
    for part in parts:
        try:
            text = inspect.getsource(part) if inspect.isroutine(part) or inspect.isclass(part) else repr(part)
        except (OSError, TypeError):  # no source on disk: the installed version decides
            from importlib.metadata import version

            text = f"{getattr(part, '__qualname__', part)} {version('pandzicht')}"
        h.update(text.encode())
    return h.hexdigest()


def _write_table(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_table(path: Path) -> pa.Table:
    """The table of an IPC file, its buffers pointing into the mapped file (no copy, nothing read yet)."""
    with pa.memory_map(str(path), "r") as source:
        return pa.ipc.open_file(source).read_all()


def _load_array(path: Path) -> np.ndarray:
    try:
        return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
    except ValueError:  # an empty array cannot be mapped
        return np.load(path, allow_pickle=False)


def _load_index(folder: Path, entry: dict[str, str], tables: dict[str, pa.Table]) -> KeyIndex:
    if entry["tabel"] not in tables:
        tables[entry["tabel"]] = _read_table(folder / entry["tabel"])
    order = _load_array(folder / entry["volgorde"]) if "volgorde" in entry else None
    starts = _load_array(folder / entry["begin"]) if "begin" in entry else None
    return KeyIndex.from_arrays(tables[entry["tabel"]], _load_array(folder / entry["sleutels"]), order, starts)


@contextlib.contextmanager
def write_lock(store: str | Path, wait: bool = True) -> Iterator[bool]:
    """Hold the lookup folder's write lock (True), or, with `wait=False`, yield False when another holds it.

    Raises OSError when the version folder cannot be written (a read-only mount, another owner)."""
    fd = os.open(folder_of(store).parent / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def leftovers(store: str | Path) -> list[Path]:
    """Folders a killed write left beside the lookup folder (only meaningful without a writer running)."""
    parent = folder_of(store).parent
    return sorted(p for prefix in (PARTIAL, REPLACED) for p in parent.glob(f"{prefix}*") if p.is_dir())


def remove_leftovers(store: str | Path) -> None:
    """Remove what killed writes left, if no writer is busy now (never waits; a read-only folder is left)."""
    if not leftovers(store):
        return
    with contextlib.suppress(OSError), write_lock(store, wait=False) as held:
        if held:
            for p in leftovers(store):
                shutil.rmtree(p, ignore_errors=True)


class LookupWriter:
    """Writes the tables of one store into a temporary folder beside its lookup folder; `finish` switches it in.

    The caller holds `write_lock`."""

    def __init__(self, store: str | Path, builder: str, progress: Callable[[str], None] | None = None) -> None:
        self.store = Path(store)
        self.builder = builder
        self.progress = progress
        self.target = folder_of(store)
        for p in leftovers(store):  # a killed write's: no writer runs while we hold the lock
            shutil.rmtree(p, ignore_errors=True)
        # mkdtemp: created 0700, a unique name; BRP and police rows stay owner-only whatever the umask (issue 12)
        self.folder = Path(tempfile.mkdtemp(prefix=PARTIAL, dir=self.target.parent))
        private_dir(self.folder)
        self.indexes: dict[str, dict[str, str]] = {}
        self._tables: dict[int, tuple[str, pa.Table]] = {}  # by id of the mapped table, kept alive here

    @property
    def copies(self) -> Path:
        return self.folder / COPIES

    def add(self, name: str, index: KeyIndex) -> KeyIndex:
        """Write one index and return it read back from the files (so the built copy can be freed).

        An index made with `.on()` from a returned one shares its table file."""
        if self.progress:
            self.progress(name)
        known = self._tables.get(id(index.table))
        if known is None:
            file = f"{name}.arrow"
            _write_table(index.table, self.folder / file)
            known = (file, _read_table(self.folder / file))
            self._tables[id(known[1])] = known
        entry = {"tabel": known[0], "sleutels": f"{name}.sleutels.npy"}
        np.save(self.folder / entry["sleutels"], np.ascontiguousarray(index.keys), allow_pickle=False)
        for kind, array in (("volgorde", index.order), ("begin", index.starts)):
            if array is not None:
                entry[kind] = f"{name}.{kind}.npy"
                np.save(self.folder / entry[kind], np.ascontiguousarray(array), allow_pickle=False)
        self.indexes[name] = entry
        return _load_index(self.folder, entry, {known[0]: known[1]})

    def finish(self, extra: dict[str, Any]) -> None:
        """Flush every file, then write the table of contents that makes the folder valid."""
        restrict_tree(self.folder)
        for f in self.folder.iterdir():
            fsync_path(f)
        meta = {"formaat": FORMAT, "bouwer": self.builder, "opslag": store_identity(self.store),
                "indexen": self.indexes, "extra": extra}
        private_file(self.folder / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        fsync_path(self.folder / META)
        fsync_path(self.folder)
        # A directory cannot be replaced in one rename: the old one (files of another store or builder) moves
        # aside first. A reader in between finds no folder, takes the lock and so waits for the new one.
        replaced = None
        if self.target.exists():
            replaced = Path(tempfile.mkdtemp(prefix=REPLACED, dir=self.target.parent))
            os.rename(self.target, replaced / FOLDER)
        os.rename(self.folder, self.target)
        fsync_path(self.target.parent)
        self.folder = self.target
        if replaced is not None:  # processes that mapped its files keep them (unlinked files stay readable)
            shutil.rmtree(replaced, ignore_errors=True)

    def abort(self) -> None:
        """Remove the temporary folder of a write that failed."""
        if self.folder != self.target:
            shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Lookups:
    """The tables of a lookup folder, opened: indexes memory-mapped, the DuckDB copies to attach."""

    copies: Path
    indexes: dict[str, KeyIndex] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def read_lookups(store: str | Path, builder: str) -> Lookups | None:
    """The lookup tables written for this store by this builder, or None (the caller builds them)."""
    folder = folder_of(store)
    if not (folder / META).is_file():
        return None
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if meta.get("formaat") != FORMAT or meta.get("bouwer") != builder:
            log.info("lookup files were written by another version of the code")
            return None
        if meta.get("opslag") != store_identity(store):
            log.warning("lookup files do not belong to this store file")
            return None
        if not (folder / COPIES).is_file():
            raise FileNotFoundError(COPIES)
        tables: dict[str, pa.Table] = {}
        indexes = {name: _load_index(folder, entry, tables) for name, entry in meta["indexen"].items()}
        return Lookups(folder / COPIES, indexes, dict(meta.get("extra") or {}))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        log.warning("lookup files unreadable (%s)", type(exc).__name__)
        return None
