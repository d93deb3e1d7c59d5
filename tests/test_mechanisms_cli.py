"""`allyscope institutions` and the `mechanisms` panel add-on."""

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
        [sys.executable, "-m", "allyscope.cli", "institutions", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=300,
    )


def test_trilateral_table_plot_and_records(data_home: Path, tmp_path: Path) -> None:
    out_csv, plot = tmp_path / "tri.csv", tmp_path / "tri.html"
    res = run("US-Japan-ROK", "--from", "1999", "-o", str(out_csv), "--plot", str(plot))
    assert res.returncode == 0, res.stderr
    assert "records behind each change" in res.stdout
    assert "Camp David summit" in res.stdout and "Freedom Edge" in res.stdout
    t = pl.read_csv(out_csv)
    assert t["year"].min() == 1999 and t["year"].max() == 2025
    assert set(t["grouping_id"]) == {"us-japan-rok"}
    by_year = dict(zip(t["year"], t["institutionalization"], strict=True))
    assert by_year[2023] > by_year[2022]  # Camp David
    flags = dict(zip(t["year"], t["completeness"], strict=True))
    assert flags[2025] == "partial" and flags[2016] == "complete"
    html = plot.read_text(encoding="utf-8")
    assert "<script src=" not in html  # plotly.js embedded, no CDN
    assert "US-Japan-ROK" in html and len(html) > 1_000_000


def test_compare_groupings_to_json(data_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "cmp.json"
    res = run("trilateral", "Quad", "AUKUS", "--from", "2020", "-o", str(out), "--no-records-list")
    assert res.returncode == 0, res.stderr
    rows = json.loads(out.read_text())
    assert {r["grouping"] for r in rows} == {"US-Japan-ROK", "Quad", "AUKUS"}
    aukus_2020 = next(r for r in rows if r["grouping"] == "AUKUS" and r["year"] == 2020)
    assert aukus_2020["institutionalization"] is None  # before AUKUS existed: null, not 0
    assert aukus_2020["completeness"] is None
    assert {r["completeness"] for r in rows if r["year"] == 2025} == {"partial"}
    assert "p: partial year" in res.stdout  # the comparison says which years compare


def test_user_records_and_components(data_home: Path, tmp_path: Path) -> None:
    d = tmp_path / "recs"
    d.mkdir()
    (d / "extra.yaml").write_text(
        """grouping: japan-rok
records:
  - id: user-jk-2024-defense-ministers
    date: 2024-06-01
    type: defense_ministerial
    level: ministers
    regularity: annual
    bindingness: statement
    series: defense-ministers
    issue_areas: [defense]
    title: Japan-ROK defense ministers meet in Singapore
    description: The two ministers agreed on steps to prevent a repeat of the 2018 radar incident.
    source:
      title: Example source
      publisher: Example publisher
      date: 2024-06-01
      url: https://example.org/jk-2024
    source_kind: newspaper
""",
        encoding="utf-8",
    )
    out = tmp_path / "comp.parquet"
    res = run(
        "Japan-Korea",
        "--from",
        "2024",
        "--to",
        "2024",
        "--records",
        str(d),
        "--components",
        "-o",
        str(out),
    )
    assert res.returncode == 0, res.stderr
    comp = pl.read_parquet(out)
    mini = comp.filter(
        (pl.col("dimension") == "ministerial") & (pl.col("component") == "defense-ministers")
    )
    # the user's record joins the shipped defense ministers' series of 2024 (same day)
    assert "user-jk-2024-defense-ministers" in mini["record_ids"][0].split(",")


@pytest.mark.slow
def test_validate_lists_problems_with_file_and_line(data_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "grouping: trilateral\nrecords:\n  - id: ujk-2023-08-camp-david-summit\n"
        "    date: 2023-08-18\n    type: summit\n",
        encoding="utf-8",
    )
    res = run("--validate", str(tmp_path))
    assert res.returncode == 2
    assert f"{bad}:3: id: duplicate id 'ujk-2023-08-camp-david-summit'" in res.stderr
    assert f"{bad}:5: type: unknown mechanism type 'summit'" in res.stderr
    assert "missing a public source" in res.stderr
    # the same folder cannot be used as --records: one-line error, exit 2, nothing loaded
    res = run("trilateral", "--records", str(tmp_path))
    assert res.returncode == 2 and "invalid records" in res.stderr


ALIAS_BOMB = (
    "\n".join(
        f"{chr(97 + i)}: &{chr(97 + i)} ["
        + ",".join(['"lol"'] * 9 if i == 0 else [f"*{chr(96 + i)}"] * 9)
        + "]"
        for i in range(9)
    )
    + "\n"
)


def test_records_folder_with_an_alias_bomb_is_refused(data_home: Path, tmp_path: Path) -> None:
    """A 500-byte file that would expand to 9**9 strings is refused before it expands
    (the subprocess timeout is only a guard against hanging; bench/mechanisms.py times it)."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB, encoding="utf-8")
    assert bomb.stat().st_size < 500
    res = run("trilateral", "--records", str(tmp_path))
    assert res.returncode == 2, res.stderr
    flat = "".join(res.stderr.split())  # the console may wrap the long line
    assert f"{bomb}:1:" in flat and "anchorsandaliasesarenotallowed" in flat
    assert res.stderr.startswith("error:") and "Traceback" not in res.stderr


def test_unknown_grouping_is_one_line_with_hint(data_home: Path) -> None:
    res = run("Quadd")
    assert res.returncode == 2
    assert "unknown grouping 'Quadd'" in res.stderr and "Quad" in res.stderr
    assert "Traceback" not in res.stderr


def test_panel_addon_for_dyads_inside_groupings(data_home: Path) -> None:
    from allyscope.panel import dyad_years

    df = dyad_years(years=(1995, 2019), mry=True).add("mechanisms").df
    jk = df.filter((pl.col("ccode1") == 732) & (pl.col("ccode2") == 740))
    by = {r["year"]: r for r in jk.iter_rows(named=True)}
    assert by[1997]["mech_groupings"] is None  # before the records' coverage: missing
    assert by[2016]["mech_groupings"] == 2  # Japan-ROK and the trilateral
    assert by[2016]["mech_intelligence_sharing_agreement"] == 2  # GSOMIA and TISA
    assert by[2019]["mech_trade_restriction"] == 3 and by[2019]["mech_withdrawal"] == 1
    assert by[2018]["mech_trade_restriction"] == 0
    from allyscope.mechanisms import institutionalization

    tri = institutionalization("trilateral", [2018])["institutionalization"][0]
    jk = institutionalization("Japan-ROK", [2018])["institutionalization"][0]
    assert by[2018]["mech_max_index"] == pytest.approx(max(tri, jk))
    usa_prk = df.filter(
        (pl.col("ccode1") == 2) & (pl.col("ccode2") == 731) & (pl.col("year") == 2016)
    )
    assert usa_prk["mech_groupings"][0] == 0
    cn_ru = df.filter(
        (pl.col("ccode1") == 365) & (pl.col("ccode2") == 710) & (pl.col("year") == 2019)
    )
    assert cn_ru["mech_formal_treaty"][0] == 1 and cn_ru["mech_commitment_to_consult"][0] == 1
    assert cn_ru["mech_mutual_defense"][0] == 0  # the 2001 treaty has no defense clause
