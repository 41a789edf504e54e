from pathlib import Path

from pandzicht.contract.docs import render_sources


def test_source_reference_is_up_to_date():
    committed = Path(__file__).resolve().parents[2] / "docs" / "bronnen.md"
    assert committed.read_text(encoding="utf-8") == render_sources(), "run `pandzicht docs` and commit docs/bronnen.md"
