"""Exports for Dutch offices through the real app: `;`-separated CSV with decimal commas, Dutch titles and a BOM,
and an .xlsx with the same rows; every export audited."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from pandzicht.privacy.models import AuditEntry


def _csv(client: TestClient, url: str) -> list[list[str]]:
    r = client.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark for Excel"
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))


def _xlsx(client: TestClient, url: str) -> list[list]:
    r = client.get(url)
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    assert ".xlsx" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content), read_only=True).active
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _nl(text: str) -> float:
    assert "." not in text, f"decimal point in {text}"
    return float(text.replace(",", "."))


def test_address_csv_and_xlsx_hold_the_same_rows(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    rows = _csv(analyst, "/export/adressen.csv?limiet=40")
    assert rows[0][:6] == ["Rang", "BAG-id verblijfsobject", "Adres", "Wijk", "Buurt", "Kans (score)"]
    top = store.top_units(40)
    assert [r[1] for r in rows[1:]] == [u["verblijfsobject_id"] for u in top]
    for r, u in zip(rows[1:], top, strict=True):
        assert "," in r[5] and abs(_nl(r[5]) - u["score"]) < 1e-6
        assert "_" not in r[7] and ":" not in r[7]  # Dutch indicator titles, not codes
    sheet = _xlsx(analyst, "/export/adressen.xlsx?limiet=40")
    assert [str(c) for c in sheet[0]] == rows[0]
    assert len(sheet) == len(rows)
    for x, c in zip(sheet[1:], rows[1:], strict=True):
        assert x[1] == c[1] and x[2] == c[2] and str(x[0]) == c[0]
        assert isinstance(x[5], int | float) and abs(x[5] - _nl(c[5])) < 1e-6  # a real number in the cell
        assert (x[7] or "") == c[7]


def test_party_exports_pseudonymise_and_are_audited(app, analyst: TestClient) -> None:
    store = app.state.ctx.analysis
    with app.state.ctx.sessions() as s:
        before = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    rows = _csv(analyst, "/export/partijen.csv?limiet=30")
    sheet = _xlsx(analyst, "/export/partijen.xlsx?limiet=30")
    assert rows[0][:3] == ["Rang", "Partij-id", "Naam (personen gepseudonimiseerd)"]
    assert [c[1] for c in rows[1:]] == [x[1] for x in sheet[1:]] == [p["entiteit_id"] for p in store.top_parties(30)]
    persons = {p["entiteit_id"]: p["naam"] for p in store.top_parties(30) if p["soort"] != "bedrijf"}
    assert persons, "the top parties hold persons"
    for c, x in zip(rows[1:], sheet[1:], strict=True):
        assert c[2] == x[2]
        if c[1] in persons:
            assert persons[c[1]] not in c[2] and "#" in c[2]
        _nl(c[5])
    with app.state.ctx.sessions() as s:
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.id > before,
                                                          AuditEntry.actie == "export_shortlist")))
    assert [(e.object_id, e.aantal) for e in entries] == [("partijen", 30), ("partijen", 30)]
