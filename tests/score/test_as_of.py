"""An indicator's value at an earlier reference date uses only what was known then.

The score learns from past checks with every indicator as it stood before the check (`score/training.py`); an
indicator that also reads later contracts, registrations or dissolutions would let the outcome leak into its own
evidence. Here each indicator is computed at an earlier date on the whole store, and again on a copy cut back
to what was known at that date (later records removed, later end dates unknown): the two must be equal."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pandzicht.indicators.catalogue import Indicator, load_catalogue
from pandzicht.indicators.run import available
from pandzicht.pipeline import analyse
from pandzicht.score.typology_evidence import evidence_indicators
from pandzicht.store.engine import Store
from pandzicht.synth import generate

# the ones learned as of earlier dates: the catalogue's first phase, and the typology model's tips and registrations
AS_OF = [i for i in load_catalogue() if i.fase == "indicatoren"] + evidence_indicators()
MONTHS_BACK = (9, 30)

# What was known at date D: (table, rows to delete, end-date columns unknown at D). `{d}` is D as a DATE literal.
CUT = (
    ("raw_huurcontract", "datum_aanvang > {d}", ("datum_einde",)),
    ("raw_brp_inschrijving", "datum_aanvang > {d}", ("datum_einde",)),
    ("raw_politie_incident", "datum > {d}", ()),
    ("raw_melding", "datum > {d}", ()),
    ("raw_handhaving_uitkomst", "datum > {d}", ()),
    ("raw_kadaster_eigendom", "datum_verkrijging > {d}", ()),
    ("raw_kvk_vestiging", "datum_inschrijving > {d}", ("datum_opheffing",)),
    ("raw_kvk_functionaris", "datum_aanvang > {d}", ("datum_einde",)),
    ("raw_energie_verbruik", "periode > strftime({d}, '%Y-%m')", ()),
    ("relatie", "geldig_van > {d}", ("geldig_tot",)),
)


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, min(day.day, 28))


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Iterator[tuple[Path, list[dt.date]]]:
    """An analysed small demo world, and its earlier dates."""
    base = tmp_path_factory.mktemp("as-of")
    generate(base / "bundel", 800, 11, "base")
    analyse(base / "bundel", base / "uit")
    whole = base / "heel.duckdb"
    shutil.copy(base / "uit" / "pandzicht.duckdb", whole)
    with Store(whole, read_only=True) as store:
        peildatum = store.scalar("SELECT peildatum FROM bundel_meta")
    yield whole, [_months_before(peildatum, m) for m in MONTHS_BACK]


def _cut_back(whole: Path, target: Path, day: dt.date) -> None:
    shutil.copy(whole, target)
    d = f"DATE '{day.isoformat()}'"
    with Store(target) as store:
        for table, later, ends in CUT:
            if not store.has_table(table):
                continue
            store.execute(f"DELETE FROM {table} WHERE {later.format(d=d)}")
            for col in ends:
                store.execute(f"UPDATE {table} SET {col} = NULL WHERE {col} > {d}")


def _values(path: Path, ind: Indicator, day: dt.date) -> set[tuple[str, float]]:
    with Store(path) as store:
        store.execute("UPDATE bundel_meta SET peildatum = ?", [day])
        return {(str(i), round(float(v), 9)) for i, v in store.rows(f"SELECT entiteit_id, waarde FROM ({ind.query}) q")
                if v is not None and float(v) != 0.0}


def test_every_indicator_as_of_an_earlier_date_reads_only_what_was_known_then(stores, tmp_path: Path) -> None:
    whole, days = stores
    leaks, fired = {}, set()
    for k, day in enumerate(days):
        cut = tmp_path / f"tot-{k}.duckdb"
        _cut_back(whole, cut, day)
        copy = tmp_path / f"heel-{k}.duckdb"
        shutil.copy(whole, copy)
        with Store(copy, read_only=True) as store:
            present = [i for i in AS_OF if available(store, i)]
        for ind in present:
            then, known = _values(copy, ind, day), _values(cut, ind, day)
            fired |= {ind.code} if then else set()
            if then != known:
                leaks[ind.code] = (day, len(then ^ known))
    assert not leaks, leaks
    assert len(fired) >= 0.6 * len(AS_OF)  # the comparison means something: most indicators fire at those dates
