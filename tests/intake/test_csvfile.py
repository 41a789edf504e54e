"""The byte scan and the encoding check read a file in chunks; what they find does not depend on where a
chunk ends."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pandzicht.intake import csvfile

piece = st.sampled_from([b"a", b",", b'"', b"\n", b"\r\n", b"\r", b"\xc3\xa9", b"\xe2\x80\x99", b"\xe9",
                         b"\xef\xbb\xbf"])


def reference_scan(data: bytes) -> dict:
    """The scan's answers computed on the whole file at once."""
    lf, cr, crlf = data.count(b"\n"), data.count(b"\r"), data.count(b"\r\n")
    mixed = bool(lf and cr) and not (lf == cr == crlf)
    content_end = len(data.rstrip(b"\r\n"))
    kind = b"\n\n" if not cr else b"\r\r" if not lf else b"\n\r\n"
    at = data.find(kind)
    return {"mixed": mixed, "blank": 0 <= at < content_end, "ends": data[-1:] in (b"\n", b"\r"),
            "bom": data.startswith(b"\xef\xbb\xbf"), "sha": hashlib.sha256(data).hexdigest()}


def reference_bad_utf8(data: bytes) -> tuple[int, int] | None:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1, body[exc.start]
    return None


@settings(max_examples=300)
@given(data=st.lists(piece, max_size=40).map(b"".join), chunk=st.integers(min_value=1, max_value=9))
def test_chunked_reading_sees_what_the_whole_file_shows(data, chunk):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.csv"
        path.write_bytes(data)
        whole = reference_scan(data)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(csvfile, "CHUNK", chunk)
            scan = csvfile.scan_file(path, sha256=True)
            bad = csvfile.first_bad_utf8(path)
    assert scan.mixed_newlines == whole["mixed"]
    if not scan.mixed_newlines:  # a mixed file is read carefully whatever its empty lines
        assert scan.blank_line == whole["blank"]
    assert (scan.ends_with_newline, scan.bom, scan.sha256, scan.size) == (whole["ends"], whole["bom"], whole["sha"],
                                                                          len(data))
    assert bad == reference_bad_utf8(data)


@pytest.mark.parametrize(("data", "newline"), [(b"a\nb\n", "\n"), (b"a\r\nb\r\n", "\r\n"), (b"a\rb", "\r"),
                                               (b"a", None)])
def test_the_kind_of_line_ending(tmp_path, data, newline):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    scan = csvfile.scan_file(path)
    assert scan.newline == newline and not scan.mixed_newlines and scan.duckdb_can_read
