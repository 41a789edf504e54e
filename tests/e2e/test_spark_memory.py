"""`--spark-geheugen` reaches the Spark session, and a value Spark cannot read is refused in one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import pandzicht.store.spark as spark_store
from pandzicht.cli import app
from pandzicht.errors import PandzichtError
from pandzicht.pipeline import analyse
from pandzicht.synth import generate


class _Started(Exception):
    pass


def test_the_memory_setting_reaches_the_session(tmp_path, monkeypatch):
    asked = {}

    def session(master, app="pandzicht", memory="2g", partitions=8):
        asked.update(master=master, memory=memory)
        raise _Started

    monkeypatch.setattr(spark_store, "session", session)
    generate(tmp_path / "bundel", 300, 1, "base")
    with pytest.raises(_Started):
        analyse(tmp_path / "bundel", tmp_path / "uit", engine="spark", spark_memory="6g")
    assert asked == {"master": "local[2]", "memory": "6g"}
    assert not (tmp_path / "uit" / "huidig").exists()  # nothing published


@pytest.mark.parametrize("value", ["veel", "2", "0g", "2 g", "2gb"])
def test_a_memory_size_spark_cannot_read_is_refused(tmp_path, value):
    result = CliRunner().invoke(app, ["analyse", str(tmp_path), "--out", str(tmp_path / "uit"), "--engine", "spark",
                                      "--spark-geheugen", value])
    assert result.exit_code != 0
    assert "--spark-geheugen" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "uit").exists()


def test_spark_running_out_of_heap_says_what_to_do(tmp_path, monkeypatch):
    """The JVM's OutOfMemoryError (at 250,000 units with 2g it came from a task result) becomes one Dutch line
    that names the setting; the published analysis is left as it was."""

    class FakeSpark:
        stopped = False

        def stop(self):
            FakeSpark.stopped = True

    class FailingStore:
        def __init__(self, spark, warehouse):
            pass

        def __enter__(self):
            raise RuntimeError("An error occurred while calling o123.collectToPython.\n"
                               ": java.lang.OutOfMemoryError: Java heap space")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(spark_store, "session", lambda master, memory="2g", **kw: FakeSpark())
    monkeypatch.setattr(spark_store, "SparkStore", FailingStore)
    generate(tmp_path / "bundel", 300, 1, "base")
    with pytest.raises(PandzichtError, match="--spark-geheugen") as info:
        analyse(tmp_path / "bundel", tmp_path / "uit", engine="spark", spark_memory="2g")
    assert "2g" in str(info.value) and "\n" not in str(info.value)
    assert FakeSpark.stopped and not (tmp_path / "uit" / "huidig").exists()
