"""The alliance report: input checks, self-containment, and facts its figures must show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from allyscope.errors import InvalidInputError, UnknownCountryError
from allyscope.report.cli import greedy_args
from webapp_fixtures import *  # noqa: F403  (shared session fixtures)

pytestmark = pytest.mark.data


def figure_json(html: str, fig_id: str) -> dict:
    m = re.search(
        rf'<script type="application/json" id="data-{re.escape(fig_id)}">(.*?)</script>', html, re.S
    )
    assert m, f"figure {fig_id} not in the report"
    return json.loads(m.group(1))


def trace(fig: dict, name: str) -> dict[int, float]:
    for t in fig["data"]:
        if t.get("name") == name:
            return {x: y for x, y in zip(t["x"], t["y"], strict=True) if y is not None}
    raise AssertionError(f"no trace {name!r}; have {[t.get('name') for t in fig['data']]}")


# -- input checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("states", "years", "counter", "error", "text"),
    [
        (["Japn", "KOR"], (None, None), None, UnknownCountryError, "Japan"),
        ([], (None, None), None, InvalidInputError, "at least 2 states"),
        (["USA"], (None, None), None, InvalidInputError, "at least 2 states"),
        (["USA", "JPN"], (2010, 2000), None, InvalidInputError, "inverted"),
        (["USA", "JPN"], (1800, 2000), None, InvalidInputError, "outside"),
        (["USA", "United States"], (None, None), None, InvalidInputError, "same state"),
        (["USA", "JPN"], (None, None), ["JPN", "CHN"], InvalidInputError, "both the group"),
        (["USA"] * 13, (None, None), None, InvalidInputError, "at most"),
    ],
)
def test_bad_groups_raise_one_actionable_error(data_home, states, years, counter, error, text):
    from allyscope.report import resolve_group

    with pytest.raises(error) as exc:
        resolve_group(states, years[0], years[1], counter)
    assert text in str(exc.value)
    assert exc.value.hint


def test_default_counter_group(data_home):
    from allyscope import api, codes
    from allyscope.report import resolve_group

    east = resolve_group(["USA", "JPN", "KOR"], 1990, 2019)
    assert east.counter == (710, 365, 731)  # China, Russia, North Korea
    europe = resolve_group(["FRA", "DEU", "GBR"], 2000, 2019)
    assert len(europe.counter) == 3
    assert not set(europe.counter) & set(europe.ccodes)
    # the states chosen vote less with the group than Canada does
    aff = api.un_affinity(None, (2015, 2019)).df
    group = list(europe.ccodes)

    def mean_s(c: int) -> float:
        import polars as pl

        rows = aff.filter(
            (pl.col("ccode1").is_in(group) & (pl.col("ccode2") == c))
            | (pl.col("ccode2").is_in(group) & (pl.col("ccode1") == c))
        )
        return float(rows["s_score"].mean())

    canada = mean_s(codes.resolve("CAN"))
    assert all(mean_s(c) < canada for c in europe.counter)


def test_greedy_counter_option():
    assert greedy_args(["USA", "JPN", "--counter", "CHN", "RUS", "PRK", "-o", "r.html"]) == [
        "USA",
        "JPN",
        "--counter",
        "CHN",
        "--counter",
        "RUS",
        "--counter",
        "PRK",
        "-o",
        "r.html",
    ]
    assert greedy_args(["A", "B", "--counter", "CHN"]) == ["A", "B", "--counter", "CHN"]


# -- the written file --------------------------------------------------------------------


def test_report_is_one_self_contained_file(report_file: Path):
    from allyscope.report.build import plotly_js

    html = report_file.read_text(encoding="utf-8")
    # nothing is loaded from elsewhere: no external scripts, styles, fonts or images
    assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html
    # plotly.js embedded exactly once
    assert html.count(plotly_js()[:300]) == 1
    assert oct(report_file.stat().st_mode & 0o777) != oct(0o600)


def test_report_answers_the_five_questions(report_file: Path, built_report, wh):
    html = report_file.read_text(encoding="utf-8")
    for sec in ("institutions", "alignment", "defacto", "structure", "forecast", "sources"):
        assert f'id="{sec}"' in html
    assert f'content="{wh.data_hash}"' in html
    # every figure has a caption and is drawn from embedded data
    for s in built_report.sections:
        for f in s.figures:
            assert f.caption
            assert f'id="data-{f.id}"' in html
    # citations as BibTeX, including the UN voting data
    assert re.search(r"@\w+\{", built_report.citations)
    assert "Voeten" in built_report.citations


def test_institutionalization_trajectory_shows_known_turns(report_file: Path):
    fig = figure_json(report_file.read_text(encoding="utf-8"), "institutionalization")
    tri = trace(fig, "US-Japan-ROK")
    # the Camp David summit (2023) institutionalized the trilateral sharply
    assert tri[2023] - tri[2022] >= 10
    assert tri[2024] >= tri[2022]
    jk = trace(fig, "Japan-ROK")
    # the 2019 export-control dispute and GSOMIA notice set Japan-ROK back
    assert jk[2019] < jk[2018]


def test_records_behind_changes_link_to_public_sources(built_report):
    sec = next(s for s in built_report.sections if s.id == "institutions")
    table = next(t for t in sec.tables if "Records" in t.caption)
    titles = [c for row in table.rows for c in row if isinstance(c, dict)]
    assert titles and all(c["href"].startswith(("https://", "http://")) for c in titles)
    assert any("Camp David" in c["text"] for c in titles)


def test_un_alignment_japan_korea_closer_to_each_other_than_to_us(report_file: Path):
    fig = figure_json(report_file.read_text(encoding="utf-8"), "un-affinity")
    jk, uj, uk = (trace(fig, n) for n in ("KOR–JPN", "USA–JPN", "USA–KOR"))
    years = range(2000, 2020)
    mean = lambda d: sum(d[y] for y in years) / len(years)  # noqa: E731
    assert mean(jk) > mean(uj)
    assert mean(jk) > mean(uk)
    # South Korea joined the UN in 1991: no votes (missing, not zero) in 1990
    assert 1990 not in uk


def test_cli_report_with_counter_group(data_home, tmp_path: Path, monkeypatch):
    from allyscope.cli import main
    from allyscope.report import build
    from allyscope.views import sections

    # the command's plumbing (options, counter-group, output); the full report is built above
    monkeypatch.setattr(build, "registered_sections", lambda: [sections.STRUCTURE])
    out = tmp_path / "jk.html"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "report",
                "JPN",
                "KOR",
                "--from",
                "2010",
                "--to",
                "2019",
                "-o",
                str(out),
                "--counter",
                "CHN",
                "RUS",
            ]
        )
    assert exc.value.code in (0, None)
    html = out.read_text(encoding="utf-8")
    assert "China" in html and "Russia" in html and "chosen by the user" in html
    assert "North Korea (PRK)" not in html


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["Japn", "KOR"], "did you mean"),
        (["JPN", "KOR", "--from", "2019", "--to", "2010"], "inverted"),
        (["JPN"], "at least 2 states"),
        (["JPN", "KOR", "-o", "report.txt"], ".html or .pdf"),
    ],
)
def test_cli_report_bad_input_is_one_error_line(data_home, tmp_path: Path, capsys, args, text):
    from allyscope.cli import main

    if "-o" not in args:
        args = [*args, "-o", str(tmp_path / "r.html")]
    else:
        args = [a if a != "report.txt" else str(tmp_path / "report.txt") for a in args]
    with pytest.raises(SystemExit) as exc:
        main(["report", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert text in err
    assert "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written
