"""Shared fixtures.

Two warehouses serve the tests:

* ``synthetic`` (module scope): a small synthetic world declared in ``tests/fixtures/``
  (see ``tests/synthetic.py``), written in the upstream formats and built through the
  same loaders and checks as the real files. It needs no download; the fast tier
  (``pytest -m "not data and not browser"``) runs on it.
* ``data_home`` / ``wh`` (session scope): the published data, fetched from
  ``ALLYSCOPE_MIRROR`` (tests and CI use ``../shared/data``) into a fresh data directory
  and built once per session. Every test that uses them (or ``mirror``) is marked
  ``data`` automatically. Without a mirror such a test is skipped — except under
  ``CI=true``, where it fails instead.

``ALLYSCOPE_TEST_HOME=DIR`` reuses one data directory across runs (faster locally).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from allyscope import config

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

#: fixtures that stand for the published data: a test using any of them is marked ``data``
DATA_FIXTURES = frozenset({"mirror", "data_home", "wh"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if DATA_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.data)


def mirror_dir() -> Path | None:
    env = os.environ.get("ALLYSCOPE_MIRROR")
    if env and Path(env).is_dir():
        return Path(env).resolve()
    return None


def require_data() -> Path:
    mirror = mirror_dir()
    if mirror is None:
        msg = "needs the data mirror: set ALLYSCOPE_MIRROR=../shared/data"
        if CI:
            pytest.fail(msg + " (CI=true: a data test may not skip)", pytrace=False)
        pytest.skip(msg)
    return mirror


@pytest.fixture(scope="session")
def mirror() -> Path:
    return require_data()


@pytest.fixture(scope="session")
def data_home(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with every source fetched from the mirror and the warehouse built."""
    from allyscope.fetch import fetch
    from allyscope.store import build, data_hash, open_warehouse

    reuse = os.environ.get("ALLYSCOPE_TEST_HOME")
    home = Path(reuse).resolve() if reuse else tmp_path_factory.mktemp("allyscope-home")
    config.set_home(home)
    os.environ["ALLYSCOPE_HOME"] = str(home)  # for CLI subprocesses
    fetch(mirror=mirror)
    wh_path = config.warehouse_path()
    stale = True
    if wh_path.is_file():
        try:
            stale = open_warehouse().data_hash != data_hash()
        except Exception:
            stale = True
    if stale:
        build()
    return home


@pytest.fixture(scope="session")
def wh(data_home: Path):
    from allyscope.store import open_warehouse

    return open_warehouse()


@pytest.fixture(scope="session")
def synthetic_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding the synthetic world's files and its built warehouse."""
    from synthetic import build_world

    home = tmp_path_factory.mktemp("synthetic-home")
    build_world(home)
    return home


SYNTHETIC_RECORDS = Path(__file__).parent / "fixtures" / "records"
SYNTHETIC_ALLIANCE_RECORDS = Path(__file__).parent / "fixtures" / "alliance_records"


@pytest.fixture(scope="module")
def synthetic(synthetic_home: Path):
    """The synthetic warehouse, made the current data directory for one test module; the
    cooperation-mechanism records (``fixtures/records``), the alliance records after
    ATOP and the neutrality records (both in ``fixtures/alliance_records``) are the world's
    own, whose states all exist in it."""
    import allyscope.mechanisms as mechanisms
    import allyscope.mechanisms.loader as loader
    import allyscope.sources.alliance_records as alliance_records
    from allyscope.store import open_warehouse

    previous, env = config._home_override, os.environ.get("ALLYSCOPE_HOME")
    shipped = loader.shipped_dir
    shipped_alliances = alliance_records.records_dir
    config.set_home(synthetic_home)
    os.environ["ALLYSCOPE_HOME"] = str(synthetic_home)
    loader.shipped_dir = mechanisms.shipped_dir = lambda: SYNTHETIC_RECORDS
    alliance_records.records_dir = lambda: SYNTHETIC_ALLIANCE_RECORDS
    try:
        yield open_warehouse()
    finally:
        alliance_records.records_dir = shipped_alliances
        loader.shipped_dir = mechanisms.shipped_dir = shipped
        config._home_override = previous
        if env is None:
            os.environ.pop("ALLYSCOPE_HOME", None)
        else:
            os.environ["ALLYSCOPE_HOME"] = env


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An empty data directory for this test only (restored afterwards)."""
    previous = config._home_override
    config.set_home(tmp_path / "home")
    monkeypatch.setenv("ALLYSCOPE_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"
    config._home_override = previous
