"""manifest.json: the optional per-source declarations `rijen` and `sha256` (a compatible extension)."""

from __future__ import annotations

import json

import pytest

from pandzicht.contract.manifest import read_manifest
from pandzicht.errors import ContractError


def manifest_with(tmp_path, entry: dict):
    raw = {"contract": "pandzicht-intake/1", "region": "test", "peildatum": "2024-06-30",
           "sources": {"brp_inschrijving": {"grondslag": "Wet BRP", **entry}}}
    (tmp_path / "manifest.json").write_text(json.dumps(raw), encoding="utf-8")
    return read_manifest(tmp_path)


def test_declarations_are_optional(tmp_path):
    entry = manifest_with(tmp_path, {}).sources["brp_inschrijving"]
    assert (entry.rijen, entry.sha256, entry.declares) == (None, None, False)
    assert entry.to_json() == {"leverancier": None, "grondslag": "Wet BRP", "geleverd": None}


@pytest.mark.parametrize(("value", "rows"), [(0, 0), (48351, 48351), ("48351", 48351), (" 12 ", 12)])
def test_row_counts_are_whole_numbers(tmp_path, value, rows):
    assert manifest_with(tmp_path, {"rijen": value}).sources["brp_inschrijving"].rijen == rows


@pytest.mark.parametrize("value", [-1, 1.5, "veel", True, "", [3]])
def test_a_row_count_that_is_no_whole_number_is_refused(tmp_path, value):
    with pytest.raises(ContractError, match=r"veld 'sources\.brp_inschrijving\.rijen' moet een geheel getal van 0 of "
                                            r"meer zijn$"):
        manifest_with(tmp_path, {"rijen": value})


def test_checksums_are_read_in_lower_case(tmp_path):
    entry = manifest_with(tmp_path, {"sha256": " " + "AB" * 32 + " "}).sources["brp_inschrijving"]
    assert entry.sha256 == "ab" * 32 and entry.declares
    assert entry.to_json()["sha256"] == "ab" * 32


@pytest.mark.parametrize("value", ["ab" * 31, "zz" * 32, "sha256:" + "ab" * 32, 12])
def test_a_checksum_that_is_no_sha256_is_refused(tmp_path, value):
    with pytest.raises(ContractError, match=r"veld 'sources\.brp_inschrijving\.sha256' moet een SHA-256 van 64 "):
        manifest_with(tmp_path, {"sha256": value})


@pytest.mark.parametrize("value", ["2024-W26", "2024W267", "2024-06-31", "30-06-2024", "2024-06-30T00:00:00"])
def test_a_peildatum_that_is_no_calendar_date_is_refused(tmp_path, value):
    """Before: an ISO week (`2024-W26`) was read as its Monday, a day the supplier never wrote."""
    raw = {"contract": "pandzicht-intake/1", "region": "test", "peildatum": value, "sources": {}}
    (tmp_path / "manifest.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ContractError, match=r"veld 'peildatum' is geen datum \(JJJJ-MM-DD\)$"):
        read_manifest(tmp_path)


def test_a_manifest_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad and PowerShell on Windows save UTF-8 with a BOM; the data files are read with one, so is this."""
    raw = {"contract": "pandzicht-intake/1", "region": "Zeeland", "peildatum": "2024-06-30",
           "sources": {"brp_inschrijving": {"grondslag": "Wet BRP"}}}
    (tmp_path / "manifest.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(raw).encode("utf-8"))
    manifest = read_manifest(tmp_path)
    assert (manifest.region, manifest.peildatum.isoformat()) == ("Zeeland", "2024-06-30")
    assert manifest.sources["brp_inschrijving"].grondslag == "Wet BRP"


def test_a_json_error_names_its_line_and_column(tmp_path):
    """The contract's own example has `// free text` comments: copied as is, the refusal says where."""
    (tmp_path / "manifest.json").write_text('{\n  "contract": "pandzicht-intake/1",\n  "region": "X",  // vrije tekst\n'
                                            '  "peildatum": "2024-06-30"\n}\n', encoding="utf-8")
    with pytest.raises(ContractError, match=r"manifest\.json: geen geldige JSON op regel 3, kolom 19$"):
        read_manifest(tmp_path)


def test_a_manifest_that_is_not_utf8_is_refused_saying_so(tmp_path):
    """PowerShell 5's `>` writes UTF-16."""
    (tmp_path / "manifest.json").write_bytes('{"contract": "pandzicht-intake/1"}'.encode("utf-16"))
    with pytest.raises(ContractError, match=r"manifest\.json: geen UTF-8; sla manifest\.json op als UTF-8$"):
        read_manifest(tmp_path)
