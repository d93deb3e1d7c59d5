"""`allyscope panel`: files written by extension, citations, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allyscope.cli", "panel", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=300,
    )


def test_dyad_years_to_parquet_with_addons(data_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "dy.parquet"
    res = run(
        "dyad-years",
        "--from",
        "1990",
        "--to",
        "2000",
        "--add",
        "atop,nmc",
        "--add",
        "contiguity",
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    df = pl.read_parquet(out)
    assert {"atop_defense", "nmc_cinc1", "cow_conttype"} <= set(df.columns)
    assert df["year"].min() == 1990 and df["year"].max() == 2000
    assert "leeds2002atop" in res.stdout  # citation keys are printed


@pytest.mark.slow
def test_directed_state_years_and_formats(data_home: Path, tmp_path: Path) -> None:
    nd, d = tmp_path / "nd.csv", tmp_path / "d.feather"
    assert run("dyad-years", "--from", "2000", "--to", "2000", "-o", str(nd)).returncode == 0
    assert (
        run("dyad-years", "--from", "2000", "--to", "2000", "--directed", "-o", str(d)).returncode
        == 0
    )
    assert pl.read_ipc(d).height == 2 * pl.read_csv(nd).height
    sy = tmp_path / "sy.dta"
    res = run(
        "state-years",
        "--system",
        "gw",
        "--from",
        "2000",
        "--to",
        "2001",
        "--add",
        "democracy",
        "-o",
        str(sy),
        "--cite",
    )
    assert res.returncode == 0, res.stderr
    assert "@article{gleditsch1999states" in res.stdout and sy.stat().st_size > 0


@pytest.mark.slow
def test_list_addons_and_errors(data_home: Path, tmp_path: Path) -> None:
    res = run("dyad-years", "--list-addons")
    assert res.returncode == 0 and "atop" in res.stdout and "mindist" in res.stdout
    res = run("dyad-years", "--add", "atop,nmcc")
    assert (
        res.returncode == 2 and "unknown panel add-on 'nmcc'" in res.stderr and "nmc" in res.stderr
    )
    assert "Traceback" not in res.stderr
    res = run("dyad-years", "--from", "2010", "--to", "2000")
    assert res.returncode == 2 and "inverted" in res.stderr
    res = run("state-years", "--from", "2000", "--to", "2026")
    assert res.returncode == 2 and "--mry" in res.stderr
    bad = tmp_path / "x.xlsx"
    res = run("dyad-years", "--from", "2000", "--to", "2000", "-o", str(bad))
    assert res.returncode == 2 and ".parquet" in res.stderr and not bad.exists()


def test_missing_warehouse_tells_the_command(tmp_path: Path) -> None:
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "allyscope.cli",
            "--home",
            str(tmp_path / "empty"),
            "panel",
            "dyad-years",
            "--from",
            "2000",
            "--to",
            "2000",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "allyscope data build" in res.stderr


def test_exercises_command(data_home: Path) -> None:
    res = run("exercises", "USA", "Japan", "--year", "2005")
    assert res.returncode == 0, res.stderr
    assert "exercises" in res.stdout


def test_atop_extended_from_the_command_line(data_home: Path, tmp_path: Path) -> None:
    import polars as pl

    out = tmp_path / "dy.parquet"
    res = run(
        "dyad-years",
        "--from",
        "2019",
        "--to",
        "2024",
        "--add",
        "atop",
        "--atop-extended",
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    assert "carried forward" in res.stderr
    d = pl.read_parquet(out).filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 375))
    assert d.sort("year")["atop_defense"].to_list() == [0, 0, 0, 0, 1, 1]  # USA-FIN from 2023
    res = run("dyad-years", "--from", "2017", "--to", "2020", "--add", "atop")
    assert res.returncode == 0 and "ATOP ends in 2018" in res.stderr
