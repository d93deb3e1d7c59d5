"""Shared fixtures.

Tests that need the published data use the ``data_home`` / ``wh`` fixtures: they fetch
from ``ALLYSCOPE_MIRROR`` (tests and CI use ``../shared/data``) into a fresh data
directory and build the warehouse once per session. Without a mirror such a test is
skipped — except under ``CI=true``, where it fails instead.

``ALLYSCOPE_TEST_HOME=DIR`` reuses one data directory across runs (faster locally).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from allyscope import config

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


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


@pytest.fixture
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An empty data directory for this test only (restored afterwards)."""
    previous = config._home_override
    config.set_home(tmp_path / "home")
    monkeypatch.setenv("ALLYSCOPE_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"
    config._home_override = previous
