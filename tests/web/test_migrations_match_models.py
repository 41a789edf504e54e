"""The migrations and the table models agree, seen from a fresh interpreter.

A table model that lives in a module nobody imports before alembic (or the DPIA) looks
at the metadata silently drops out of both; this runs in a subprocess so that the
imports earlier tests happened to make cannot hide it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pandzicht.cases import models  # noqa: F401  (what the alembic env imports)
from pandzicht.privacy import models as privacy_models  # noqa: F401
from pandzicht.cases.db import Base, make_engine, migrate
from pandzicht.privacy.dpia import render_dpia

engine = make_engine(sys.argv[1])
migrate(engine)
with engine.connect() as con:
    diff = compare_metadata(MigrationContext.configure(con), Base.metadata)
print("DIFF", len(diff), [d[0] if isinstance(d, tuple) else d[0][0] for d in diff])
text = render_dpia()
with engine.connect() as con:
    tables = {r[0] for r in con.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")}
missing = sorted(t for t in tables if f"`{t}`" not in text)
print("MISSING", missing)
"""


def test_migrated_schema_matches_models_and_the_dpia_names_every_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'zaken.db'}"
    out = subprocess.run([sys.executable, "-c", SCRIPT, url], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines() if line.startswith(("DIFF", "MISSING")))
    assert lines["DIFF"].startswith("0 "), lines["DIFF"]
    assert lines["MISSING"] == "[]"
