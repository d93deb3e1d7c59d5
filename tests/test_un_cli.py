"""`allyscope un ...`: tables, files, plots and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allyscope.cli", "un", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=600,
    )


@pytest.mark.slow
def test_affinity_table_file_and_plot(data_home: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "aff.csv"
    html = tmp_path / "aff.html"
    r = run(
        "affinity",
        "USA",
        "JPN",
        "KOR",
        "CHN",
        "--from",
        "1990",
        "-o",
        str(out_csv),
        "--plot",
        str(html),
    )
    assert r.returncode == 0, r.stderr
    assert "South Korea – Japan" in r.stdout and "CHN-JPN" in r.stdout
    df = pl.read_csv(out_csv)
    # unvotes to 2019, the UN Digital Library's recorded votes for 2020-2021
    assert df["year"].min() == 1990 and df["year"].max() == 2021
    assert df.select(pl.struct("ccode1", "ccode2")).unique().height == 6
    assert df.height == 6 * 32
    assert set(df.filter(pl.col("year") >= 2020)["source"].unique()) == {"undl"}
    assert set(df.filter(pl.col("year") <= 2019)["source"].unique()) == {"unvotes"}
    # South Korea joined the UN in 1991: its 1990 rows are empty, not zero
    k90 = df.filter(
        (pl.col("year") == 1990) & ((pl.col("ccode1") == 732) | (pl.col("ccode2") == 732))
    )
    assert k90.height == 3 and k90["s_score"].null_count() == 3 and (k90["n_votes"] == 0).all()
    text = html.read_text()
    assert "Plotly.newPlot" in text and "<script src=" not in text and len(text) > 1_000_000


@pytest.mark.slow
def test_affinity_json_and_parquet_by_extension(data_home: Path, tmp_path: Path) -> None:
    j = tmp_path / "a.json"
    r = run(
        "affinity",
        "USA",
        "Israel",
        "--from",
        "2018",
        "--issue",
        "all",
        "--issue",
        "me",
        "-o",
        str(j),
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(j.read_text())
    # 2018-2021: two years of unvotes, two of the UN Digital Library
    assert {row["issue"] for row in rows} == {"all", "me"} and len(rows) == 2 * 4
    p = tmp_path / "a.parquet"
    r = run("affinity", "USA", "Israel", "--from", "2018", "--period", "session", "-o", str(p))
    assert r.returncode == 0, r.stderr
    assert "session" in pl.read_parquet(p).columns


@pytest.mark.slow
def test_errors_exit_2_with_a_hint(data_home: Path, tmp_path: Path) -> None:
    r = run("affinity", "USA", "Germny")
    assert r.returncode == 2 and "Germany" in r.stderr
    r = run("affinity", "USA", "JPN", "-o", str(tmp_path / "x.xlsx"))
    assert r.returncode == 2 and ".csv" in r.stderr
    r = run("affinity", "USA", "JPN", "--from", "1964", "--to", "1964")
    assert r.returncode == 2 and "1964" in r.stderr
    r = run("affinity", "USA", "JPN", "--issue", "trade")
    assert r.returncode == 2 and "issue" in r.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.slow
def test_idealpoints_and_distance_commands(data_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "ip.parquet"
    r = run(
        "ideal-points",
        "USA",
        "Cuba",
        "--from",
        "2010",
        "-o",
        str(out),
        "--plot",
        str(tmp_path / "ip.html"),
    )
    assert r.returncode == 0, r.stderr
    df = pl.read_parquet(out)
    assert set(df["ccode"].to_list()) == {2, 40} and df["year"].min() == 2010
    us = df.filter(pl.col("ccode") == 2)["idealpoint"]
    cu = df.filter(pl.col("ccode") == 40)["idealpoint"]
    assert us.min() > cu.max()
    assert "EM iterations" in r.stdout and "votes through 2021" in r.stdout
    # Voeten's published estimates go further, and flag 2024's handful of votes
    r = run("ideal-points", "USA", "North Korea", "--voeten", "--from", "2022", "-o", str(out))
    assert r.returncode == 0, r.stderr
    v = pl.read_parquet(out)
    assert v["year"].max() == 2025 and "2024" in r.stdout
    assert v.filter(pl.col("year") == 2024)["few_votes"].all()
    r = run("distance", "USA", "JPN", "CHN", "--from", "2015", "-o", str(tmp_path / "d.csv"))
    assert r.returncode == 0, r.stderr
    d = pl.read_csv(tmp_path / "d.csv")
    assert d.height == 3 * 7 and (d["idealpoint_distance"] >= 0).all()  # 2015-2021
