from pathlib import Path

from pandzicht.contract.docs import DESCRIPTIONS_NL, render_sources
from pandzicht.contract.sources import SOURCES


def test_source_reference_is_up_to_date():
    committed = Path(__file__).resolve().parents[2] / "docs" / "bronnen.md"
    assert committed.read_text(encoding="utf-8") == render_sources(), "run `pandzicht docs` and commit docs/bronnen.md"


def test_every_source_has_a_dutch_description():
    """Data stewards read Dutch: a new source needs its Dutch description in contract/docs.py."""
    assert set(DESCRIPTIONS_NL) == set(SOURCES)
    assert all(d.strip() and d != SOURCES[n].description for n, d in DESCRIPTIONS_NL.items())
