"""Fixtures shared by the report, web and browser tests (one report, one app, one server
per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}

#: objects built once per test session, whichever module asks first (each module that
#: imports these fixtures gets its own fixture instance; this keeps one build)
_ONCE: dict[str, object] = {}


def _once(key: str, make):
    if key not in _ONCE:
        _ONCE[key] = make()
    return _ONCE[key]


@pytest.fixture(scope="session")
def report_group(data_home: Path):
    from allyscope.report import resolve_group

    return _once("group", lambda: resolve_group(["USA", "JPN", "KOR"], 1990, 2024))


@pytest.fixture(scope="session")
def built_report(report_group):
    from allyscope.report import build_report

    return _once("report", lambda: build_report(report_group))


@pytest.fixture(scope="session")
def report_file(built_report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from allyscope.report import write_report

    return _once(
        "report_file",
        lambda: write_report(built_report, tmp_path_factory.mktemp("report") / "report.html"),
    )


@pytest.fixture(scope="session")
def client(data_home: Path):
    from fastapi.testclient import TestClient

    from allyscope.web import create_app

    with TestClient(create_app(cold_wait=None), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def server(data_home: Path):
    from allyscope.web.testing import ServerThread

    srv = ServerThread()
    url = srv.start()
    yield url
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    from allyscope.web.testing import chromium, find_browser

    exe, driver = find_browser()
    if not exe or not driver:
        msg = "headless Chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        if CI:
            pytest.fail(msg + " (CI=true: a browser test may not skip)", pytrace=False)
        pytest.skip(msg)
    try:
        import selenium  # noqa: F401
    except ImportError:
        if CI:
            pytest.fail("selenium is not installed (pip install -e '.[test]')", pytrace=False)
        pytest.skip("selenium is not installed")
    with chromium() as d:
        yield d


__all__ = ["browser", "built_report", "client", "report_file", "report_group", "server"]
