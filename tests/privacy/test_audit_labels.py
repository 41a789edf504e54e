"""Every action the app writes to the audit log has a Dutch label: the privacy officer reads words, not codes."""

from __future__ import annotations

import re
from pathlib import Path

from pandzicht.privacy.audit import ACTION_LABELS

SRC = Path(__file__).parents[2] / "src" / "pandzicht"
# audit.record(session, user, "actie", ...) and record(session, None, "actie", ...) wherever they are called
_CALL = re.compile(r"\brecord\(\s*\w+\s*,\s*[\w.]+\s*,\s*\"([a-z_]+)\"")


def _actions_written() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        found.update(_CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_action_written_has_a_dutch_label():
    written = _actions_written()
    assert len(written) >= 25, written  # the scan itself must find the calls
    assert sorted(written - ACTION_LABELS.keys()) == []
