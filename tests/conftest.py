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


TESTS = Path(__file__).resolve().parent


def _shared_fixtures(item: pytest.Item) -> list[str]:
    """The module- and session-scoped fixtures of this suite (not of plugins) a test uses, named by where they
    are defined: each one is built once per xdist worker that runs a test needing it."""
    info = getattr(item, "_fixtureinfo", None)
    names = []
    for name in info.names_closure if info is not None else ():
        defs = info.name2fixturedefs.get(name)
        if not defs or defs[-1].scope not in ("module", "package", "session"):
            continue
        code = getattr(defs[-1].func, "__code__", None)
        source = Path(code.co_filename).resolve() if code is not None else None
        if source is not None and TESTS in source.parents:
            names.append(f"{source.relative_to(TESTS)}:{name}")
    return names


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `--dist loadgroup` (the xdist workers collect, with `loadgroup` set):

    - tests that share an expensive module or session fixture (a generated and analysed demo world, a server, a
      browser) go to one worker as one xdist group, so the fixture is built once, not once per worker; tests that
      name their group themselves (`spark`) keep it;
    - each grouped test's node id gets the `@group` suffix xdist's scheduler groups by. xdist 3.8 sets it on
      `item._nodeid`, which pytest 9 no longer reads (the id lives in `item._id`), so without this every test was
      its own unit: the `spark` group ran on both workers, each starting its own Spark cluster;
    - the longest groups are sent first (`make test` passes `--no-loadscope-reorder`, so the scheduler keeps this
      order): `spark` (a few tests, but an analysis on the standalone cluster) leads, then groups by their number
      of tests, then single tests. xdist's own reorder counts tests only, so it sent `spark` near the end and one
      worker ran its six minutes alone while the other idled.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    shared = {}
    for item in items:
        if item.get_closest_marker("xdist_group") is None and (names := _shared_fixtures(item)):
            shared[item] = names
            for other in names[1:]:
                parent[find(other)] = find(names[0])
    for item, names in shared.items():
        item.add_marker(pytest.mark.xdist_group(f"fixture:{find(names[0])}"))
    for item in items:
        groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                         for m in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(groups)
        if groups and not item.nodeid.endswith(suffix):
            item._id = type(item._id).parse(item.nodeid + suffix)  # type: ignore[attr-defined]
    items[:] = sorted(items, key=_schedule_key(items))


def _schedule_key(items: list[pytest.Item]):
    """Longest work first: the `spark` group, then other groups by size, then ungrouped tests, each in collection
    order within (a stable sort)."""
    group = {item: item.nodeid.partition("@")[2] for item in items}
    size: dict[str, int] = {}
    for g in group.values():
        size[g] = size.get(g, 0) + 1

    def key(item: pytest.Item) -> tuple[int, int, str]:
        g = group[item]
        return (0 if g == "spark" else 1 if g else 2, -size[g] if g else 0, g)

    return key
