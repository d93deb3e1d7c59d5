"""`allyscope network`, `allyscope blocs` and `allyscope defacto`: outputs and errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import polars as pl
import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "allyscope.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=300,
    )


def test_network_command_writes_graph_table_and_plot(data_home: Path, tmp_path: Path) -> None:
    g = tmp_path / "ea.graphml"
    html = tmp_path / "ea.html"
    out = run(
        "network",
        "--year",
        "1955",
        "--layer",
        "defense",
        "--region",
        "East Asia",
        "--hub",
        "USA",
        "-o",
        str(g),
        "--plot",
        str(html),
    )
    assert out.returncode == 0, out.stderr
    assert "AUS,JPN,KOR,NZL,PHL,THA,TWN" in out.stdout
    assert "spoke-spoke" in out.stdout
    back = nx.read_graphml(g, node_type=int)
    assert 2 in back and back.has_edge(2, 740) and not back.has_edge(732, 740)
    text = html.read_text()
    assert "Plotly.newPlot" in text and len(text) > 1_000_000
    assert "<script src=" not in text  # plotly.js embedded, no CDN
    csv = tmp_path / "ties.csv"
    out = run("network", "--year", "1955", "--region", "East Asia", "--hub", "USA", "-o", str(csv))
    assert out.returncode == 0, out.stderr
    ties = pl.read_csv(csv)
    assert {"hub-spoke", "spoke-spoke"} <= set(ties["tie"].to_list())
    assert ties.filter(pl.col("tie") == "hub-spoke").height == 7


def test_network_trend_table(data_home: Path, tmp_path: Path) -> None:
    p = tmp_path / "trend.parquet"
    out = run(
        "network",
        "--hub",
        "USA",
        "--states",
        "JPN,KOR,PHL",
        "--from",
        "1960",
        "--to",
        "1970",
        "--year",
        "1970",
        "-o",
        str(p),
    )
    assert out.returncode == 0, out.stderr
    df = pl.read_parquet(p)
    assert df["year"].to_list() == list(range(1960, 1971))
    assert (df["lattice_density"] == 0).all()


def test_blocs_command(data_home: Path, tmp_path: Path) -> None:
    js = tmp_path / "kor.json"
    html = tmp_path / "blocs.html"
    out = run(
        "blocs",
        "--from",
        "2015",
        "--to",
        "2018",
        "--state",
        "KOR",
        "-o",
        str(js),
        "--plot",
        str(html),
    )
    assert out.returncode == 0, out.stderr
    pos = pl.read_json(js)
    assert pos["year"].to_list() == [2015, 2016, 2017, 2018]
    assert (pos["affinity_usa_bloc"] > pos["affinity_chn_bloc"]).all()
    assert "consensus of" in out.stdout and "stability" in out.stdout
    assert html.stat().st_size > 1_000_000


@pytest.mark.slow
def test_defacto_command(data_home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "jk.csv"
    out = run("defacto", "JPN", "KOR", "--from", "2015", "--to", "2024", "-o", str(csv))
    assert out.returncode == 0, out.stderr
    df = pl.read_csv(csv)
    assert df["year"].to_list() == list(range(2015, 2025))
    assert df["percentile"].is_between(0, 100).all()
    late = df.filter(pl.col("year") >= 2019)
    assert late["institutionalization"].is_not_null().all()
    assert late["basis"].is_not_null().all() and late["n_compared"].min() > 0
    assert "INST" in out.stdout and "band" in out.stdout and "compared" in out.stdout
    out = run("defacto", "USA", "JPN", "KOR", "--from", "2010", "--to", "2011")
    assert out.returncode == 0, out.stderr
    assert "USA-JPN-KOR" in out.stdout and "weakest_pair" in out.stdout


@pytest.mark.slow
def test_defacto_validate_command(data_home: Path, tmp_path: Path) -> None:
    csv = tmp_path / "validation.csv"
    out = run("defacto", "--validate", "-o", str(csv))
    assert out.returncode == 0, out.stderr
    v = pl.read_csv(csv)
    assert set(v["target"]) == {"onset", "dca"}
    score = v.filter((pl.col("target") == "onset") & (pl.col("variant") == "score")).row(
        0, named=True
    )
    assert score["auc_low"] <= score["auc"] <= score["auc_high"] and score["auc"] > 0.7
    assert "bootstrap" in out.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("network", "--layer", "defence"), "did you mean 'defense'"),
        (("network", "--year", "2000", "-o", "x.xlsx"), "unknown file type"),
        (("blocs", "--from", "1990", "--plot", "x.pdf"), "not an .html or .png file"),
        (("defacto", "JPN"), "at least two states"),
        (("defacto",), "at least two states"),
        (("defacto", "JPN", "Narnia"), "unknown country"),
    ],
)
def test_errors_are_one_line(data_home: Path, args: tuple[str, ...], needle: str) -> None:
    out = run(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
