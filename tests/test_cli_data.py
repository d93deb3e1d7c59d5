"""The `allyscope` command for data and codes: output and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from allyscope.sources import SOURCES


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allyscope.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        timeout=300,
    )


def test_status_reports_built_row_counts(data_home: Path) -> None:
    out = run("data", "status", "--json")
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    rows = {s["source"]: s["built_rows"] for s in status["sources"]}
    assert rows["atop_alliance"] == 273_296 and rows["un_votes"] == 869_937
    assert all(s["fetched"] for s in status["sources"])


def test_cite_prints_bibtex(data_home: Path) -> None:
    out = run("data", "cite", "un_votes")
    assert out.returncode == 0
    assert "@misc{voeten2009unvotes" in out.stdout


def test_codes_command(data_home: Path) -> None:
    out = run("codes", "South Korea", "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)[0]
    assert (info["ccode"], info["gwcode"], info["iso3"], info["stateabb"]) == (
        732,
        732,
        "KOR",
        "ROK",
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("data", "cite", "atop_aliance"), "did you mean 'atop_alliance'"),
        (("codes", "Japn"), "did you mean 'Japan'"),
    ],
)
def test_errors_are_one_actionable_line(
    data_home: Path, args: tuple[str, ...], needle: str
) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert len([ln for ln in out.stderr.splitlines() if ln.strip()]) <= 3


@pytest.mark.slow
def test_full_fetch_and_build_from_the_command_line(mirror: Path, tmp_path: Path) -> None:
    env = {"ALLYSCOPE_HOME": str(tmp_path / "home"), "ALLYSCOPE_MIRROR": str(mirror)}
    out = run("data", "fetch", env=env)
    assert out.returncode == 0, out.stderr
    files = {s.file for s in SOURCES.values()}
    assert f"{len(files)} files for {len(SOURCES)} sources" in out.stdout
    assert f"({len(files)} copied)" in out.stdout
    out = run("data", "build", env=env)
    assert out.returncode == 0, out.stderr
    assert f"{len(SOURCES)} tables" in out.stdout
    assert (tmp_path / "home" / "warehouse.duckdb").is_file()


def test_build_before_fetch_names_the_fix(tmp_path: Path) -> None:
    out = run("data", "build", env={"ALLYSCOPE_HOME": str(tmp_path / "empty")})
    assert out.returncode == 2
    assert "allyscope data fetch" in out.stderr
