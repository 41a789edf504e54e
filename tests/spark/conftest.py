"""A real Spark standalone cluster for the Spark tests: one master and one worker from the pyspark package.

Session-scoped and in one xdist group (`spark`), so `make test -n 2 --dist loadgroup` starts one cluster.
The master listens on 127.0.0.1:7077, or a free port when 7077 is taken; the worker offers 2 cores and 2 GB.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HOST = "127.0.0.1"


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def _port(preferred: int) -> int:
    if _free(preferred):
        return preferred
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _spark_class(*args: str, log: Path) -> subprocess.Popen:
    import pyspark

    home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": HOST, "SPARK_NO_DAEMONIZE": "1"}
    return subprocess.Popen([str(home / "bin" / "spark-class"), *args], env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(log: Path, pattern: str, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if re.search(pattern, log.read_text(errors="replace")):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"Spark process ended early: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.5)
    raise TimeoutError(f"no '{pattern}' in {log} after {timeout:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process started here and its children (a worker's executors): its own process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The master URL of a running standalone cluster with one registered worker."""
    pytest.importorskip("pyspark")
    logs = tmp_path_factory.mktemp("spark-cluster")
    port, ui = _port(7077), _port(8080)
    master = _spark_class("org.apache.spark.deploy.master.Master", "--host", HOST, "--port", str(port),
                          "--webui-port", str(ui), log=logs / "master.log")
    worker = None
    try:
        _wait_for(logs / "master.log", r"I have been elected leader", master)
        url = f"spark://{HOST}:{port}"
        worker = _spark_class("org.apache.spark.deploy.worker.Worker", "--host", HOST, "--cores", "2",
                              "--memory", "2g", "--webui-port", str(_port(8081)), "--work-dir", str(logs / "work"),
                              url, log=logs / "worker.log")
        _wait_for(logs / "worker.log", r"Successfully registered with master", worker)
        yield url
    finally:
        if worker is not None:
            _stop(worker)
        _stop(master)


@pytest.fixture(scope="session", params=["local[2]", "cluster"])
def spark_master(request: pytest.FixtureRequest) -> str:
    """Both ways a deployment runs Spark: in the driver's JVM (local[2]) and on the standalone cluster."""
    if request.param == "cluster":
        return request.getfixturevalue("spark_cluster")
    return request.param
