"""The algorithm-register entry and the DPIA skeleton: generated, up to date, complete, and citing real tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from pandzicht.contract.sources import LOAD_ORDER, SOURCES
from pandzicht.indicators.catalogue import load_catalogue
from pandzicht.indicators.render import REGISTER_SECTIONS, render_catalogue
from pandzicht.privacy.dpia import OPEN_QUESTIONS, RISKS, personal_fields, render_dpia
from pandzicht.privacy.retention import load_terms

REPO = Path(__file__).resolve().parents[2]


def test_register_entry_is_up_to_date() -> None:
    committed = (REPO / "docs" / "indicatoren.md").read_text(encoding="utf-8")
    assert committed == render_catalogue(), "run `pandzicht catalogus` and commit docs/indicatoren.md"


def test_dpia_is_up_to_date() -> None:
    committed = (REPO / "docs" / "dpia.md").read_text(encoding="utf-8")
    assert committed == render_dpia(), "run `pandzicht catalogus` and commit docs/dpia.md"


def test_every_register_section_and_field_is_present_in_the_standards_order() -> None:
    lines = render_catalogue().splitlines()
    expected = []
    for section, fields in REGISTER_SECTIONS.items():
        expected.append(f"## {section}")
        expected += [f"### {f}" for f in fields]
    headings = [ln for ln in lines if ln.startswith(("## ", "### ")) and ln.removeprefix("## ").removeprefix("### ")
                in {h.split(" ", 1)[1] for h in expected}]
    assert headings == expected
    for name in ("Algemene informatie", "Verantwoord gebruik", "Wettelijke grondslag", "Impacttoetsen", "Werking"):
        assert f"## {name}" in lines
    for name in ("Naam", "Organisatie", "Korte omschrijving", "Type algoritme", "Status", "Doel en impact",
                 "Afwegingen", "Menselijke tussenkomst", "Risicobeheer", "DPIA", "IAMA", "Externe leveranciers"):
        assert f"### {name}" in lines
    # every field has content before the next heading
    for i, ln in enumerate(lines):
        if ln in expected and ln.startswith("### "):
            body = next(x for x in lines[i + 1:] if x.strip())
            assert not body.startswith("#"), ln


def test_register_describes_every_source_and_every_indicator() -> None:
    text = render_catalogue()
    werking = text.split("## Werking", 1)[1].split("## Indicatorcatalogus", 1)[0]
    for name in LOAD_ORDER:
        assert f"`{name}`" in werking
    for ind in load_catalogue():
        assert f"| `{ind.code}` | {ind.titel} |" in werking
        assert f"- **Meet:** {ind.meet}" in text and f"- **Waarom:** {ind.waarom}" in text


def test_every_column_of_a_personal_source_is_in_the_dpia() -> None:
    dpia = render_dpia()
    for name in LOAD_ORDER:
        source = SOURCES[name]
        grouped = [c for cols in personal_fields(source).values() for c in cols]
        if source.personal_data:
            assert sorted(grouped) == sorted(source.column_names), name
            for col in source.column_names:
                assert f"`{col}`" in dpia
        else:
            assert grouped == []


def test_dpia_holds_every_retention_term_and_marks_open_questions() -> None:
    dpia = render_dpia()
    for name, term in load_terms().items():
        assert f"| `{name}` |" in dpia and term.datum in dpia
    assert dpia.count("**Open vraag:**") == len(OPEN_QUESTIONS)
    for heading in ("## 1. De verwerking", "## 2. Gegevensstromen", "## 3. Noodzaak en evenredigheid",
                    "## 4. Risico's voor betrokkenen en maatregelen", "## 5. Open vragen voor de privacy officer"):
        assert heading in dpia


@pytest.mark.parametrize("risk", RISKS, ids=lambda r: r.risico[:30])
def test_every_control_cites_a_test_that_exists(risk) -> None:  # type: ignore[no-untyped-def]
    assert risk.tests
    for ref in risk.tests:
        path, _, func = ref.partition("::")
        target = REPO / path
        assert target.exists(), ref
        if func:
            tree = ast.parse(target.read_text(encoding="utf-8"))
            assert func in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, ref
        elif target.is_file():
            assert "def test_" in target.read_text(encoding="utf-8"), ref
