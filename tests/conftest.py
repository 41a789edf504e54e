import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]

# Shared, noisy machines: a property test is about correctness, never about how fast one example runs.
settings.register_profile("pandzicht", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("pandzicht")


def real_data_dir() -> Path:
    return Path(os.environ.get("PANDZICHT_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture
def real_data() -> Path:
    path = real_data_dir()
    if not path.is_dir():
        pytest.skip(f"real public data not found at {path} (set PANDZICHT_REAL_DATA)")
    return path


def _skip_without_real_data():
    """Generated worlds sit in the real Rotterdam polygons; without that data the test cannot run at all,
    which is a skip with the reason, not an error (CI has the data; a laptop clone may not)."""
    from pandzicht.synth.paths import RealDataMissing

    try:
        return (yield)
    except RealDataMissing as exc:
        pytest.skip(f"real reference data absent: {exc}")


pytest_runtest_setup = pytest.hookimpl(wrapper=True)(lambda item: (yield from _skip_without_real_data()))
pytest_runtest_call = pytest.hookimpl(wrapper=True)(lambda item: (yield from _skip_without_real_data()))
