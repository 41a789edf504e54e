"""Every dialect of the demo world can be delivered month after month (`demo-world --dialect D --leveringen N`).

Found by `bench leveringen --leveringen 6 --dialect zonder_kvk`: the second delivery of a dialect whose contracts
carry no KvK numbers stopped with an IndexError, because the merge and the split of companies chose them by the
KvK numbers on contracts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pandzicht.synth import dialects
from pandzicht.synth.deliveries import folder_name, generate_deliveries


@pytest.mark.parametrize("dialect", list(dialects.DIALECTS))
def test_each_dialect_has_a_second_delivery_with_its_merge_and_split(tmp_path: Path, dialect: str) -> None:
    events = generate_deliveries(tmp_path, 300, 3, 2, dialect=dialect)[-1]
    register = pd.read_csv(tmp_path / folder_name(2) / "kvk_vestiging.csv", dtype=str)["kvk_nummer"]
    merged, split = events["samengevoegd"], events["gesplitst"]
    assert merged["behouden_kvk"] in set(register) and merged["opgeheven_kvk"] not in set(register)
    assert split["nieuw_kvk"] in set(register) and split["oud_kvk"] in set(register)
    before = pd.read_csv(tmp_path / folder_name(1) / "kvk_vestiging.csv", dtype=str)["kvk_nummer"]
    assert merged["opgeheven_kvk"] in set(before) and split["nieuw_kvk"] not in set(before)
