"""Reading the previous published analysis of the same folder from inside a new run.

The previous store is attached read-only for the moment a step needs it and detached right after: while
attached, its tables would also answer `information_schema` lookups the pipeline makes on its own store.
A read-only attach shares the file with the web app, which holds it read-only too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pandzicht.store.engine import Store

ALIAS = "vorige"


@contextmanager
def attached(store: Store, previous: Path) -> Iterator[str]:
    """Attach the previous store as catalog `vorige`; yields the alias."""
    target = str(previous).replace("'", "''")
    store.execute(f"ATTACH '{target}' AS {ALIAS} (READ_ONLY)")
    try:
        yield ALIAS
    finally:
        store.execute(f"DETACH {ALIAS}")


def has_table(store: Store, table: str) -> bool:
    """Whether the attached previous store holds `table`."""
    return bool(store.scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
        "AND table_name = ?", [ALIAS, table]))
