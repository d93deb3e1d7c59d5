"""The rhetoric layer in the outputs: the query layer, the ``allyscope rhetoric`` commands,
the report section "What they say", the web pages and API, and the report's data-currency
table (no input silently carried)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from webapp_fixtures import *  # noqa: F403  (shared session fixtures)

pytestmark = pytest.mark.data


def _run(*args: str):
    from allyscope.cli import app, register_commands

    register_commands()
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _weighted_tone(df: pl.DataFrame) -> float:
    named = df.filter(pl.col("mentions") > 0)
    return float((named["tone"] * named["sentences"]).sum() / named["sentences"].sum())


# -- the query layer ------------------------------------------------------------------------


@pytest.mark.slow
def test_japan_names_north_korea_most_years_and_more_coldly_than_its_ally(data_home):
    from allyscope import api

    res, ev = api.rhetoric(["JPN", "PRK", "USA"], (2006, 2024))
    assert res.schema is api.RHETORIC and ev.schema is api.RHETORIC_EVIDENCE
    assert res.currency.sources == ("ungd_speeches",)
    assert res.currency.coverage == (1946, 2024) and res.currency.data_through == 2024
    df = res.df
    jp = df.filter(pl.col("iso3_1") == "JPN")
    to_prk, to_usa = jp.filter(pl.col("iso3_2") == "PRK"), jp.filter(pl.col("iso3_2") == "USA")
    assert to_prk.height == 19  # one speech a year, 2006-2024
    # the abductions, the missiles and the nuclear tests: Japan names the DPRK nearly every
    # year, in threat-framed sentences, and speaks of it less warmly than of its ally
    assert (to_prk["mentions"] > 0).mean() >= 0.8
    assert to_prk.filter(pl.col("mentions") > 0)["threat_share"].mean() > 0.3
    assert _weighted_tone(to_prk) < _weighted_tone(to_usa)
    # every evidence sentence of Japan on the DPRK names it (or its leader)
    jp_ev = ev.df.filter((pl.col("ccode1") == 740) & (pl.col("ccode2") == 731))
    assert jp_ev.height > 0
    names = r"North Korea|DPRK|Democratic People|Pyongyang|Kim Jong[ -]?[Uu]n"
    assert all(re.search(names, t) for t in jp_ev["text"])


def test_rhetoric_outside_the_corpus_is_absent_not_zero(data_home):
    from allyscope import api

    res, ev = api.rhetoric(["JPN", "KOR"], (2025, 2026))
    assert res.is_empty() and ev.is_empty()
    assert res.currency.data_through is None and res.currency.coverage == (1946, 2024)
    assert set(api.RHETORIC.columns) <= set(res.columns)


def test_themes_query_and_unknown_theme(data_home):
    from allyscope import api
    from allyscope.errors import UnknownNameError

    sal, ev = api.rhetoric_themes(["USA", "JPN", "KOR"], (2015, 2024), "rules-based order")
    assert set(sal.df["theme"]) == {"rules-based order"}
    assert sal.df.height == 3 * 10  # every speech of the window, zero where not touched
    jp = sal.df.filter(pl.col("iso3") == "JPN")
    assert jp["sentences"].sum() > 0
    assert ev.height > 0 and all("order" in t.lower() for t in ev.df["text"])
    with pytest.raises(UnknownNameError):
        api.rhetoric_themes(["JPN"], (2030, 2031), "no such theme")


# -- the command line ------------------------------------------------------------------------


@pytest.mark.slow
def test_cli_both_directions_per_year_through_2024(data_home, tmp_path: Path):
    out, plot = tmp_path / "jpn-kor.csv", tmp_path / "jpn-kor.html"
    r = _run("rhetoric", "JPN", "KOR", "--from", "2010", "-o", str(out), "--plot", str(plot))
    assert r.exit_code == 0, r.output
    text = r.output
    for year in range(2010, 2025):
        assert re.search(rf"{year}\s*│\s*JPN → KOR", text), year
        assert re.search(rf"{year}\s*│\s*KOR → JPN", text), year
    assert "Evidence" in text and "“" in text  # quoted sentences
    assert "data through 2024" in text and "nothing carried forward" in text
    table = pl.read_csv(out)
    assert table.height == 2 * 15
    assert {"mentions", "tone", "threat_share", "evidence"} <= set(table.columns)
    assert table["year"].max() == 2024
    html = plot.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html
    assert "JPN → KOR" in html or "JPN \\u2192 KOR" in html  # a trace per direction


def test_cli_themes_as_json(data_home):
    r = _run("rhetoric", "themes", "USA", "JPN", "KOR", "--theme", "rules-based order",
             "--from", "2015", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    p = json.loads(r.output)
    assert p["query"] == "rhetoric_themes"
    assert p["currency"]["data_through"] == 2024 and p["currency"]["coverage"] == [1946, 2024]
    assert {row["iso3"] for row in p["rows"]} == {"USA", "JPN", "KOR"}


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["rhetoric", "JPN", "KOR", "--from", "2030"], "outside the UN General Debate corpus"),
        (["rhetoric", "JPN", "KOR", "--from", "2020", "--to", "2010"], "inverted"),
        (["rhetoric", "JPN", "KOR", "-o", "out.txt"], "unknown file type"),
        (["rhetoric", "themes", "JPN", "--theme", "no such theme"], "unknown theme"),
    ],
)
def test_cli_bad_input_is_one_error(data_home, args, text, tmp_path: Path, monkeypatch):
    from allyscope.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    assert not (tmp_path / "out.txt").exists()


# -- the report -------------------------------------------------------------------------------


@pytest.mark.slow
def test_report_has_the_rhetoric_section_with_evidence(built_report, report_file: Path):
    sec = next(s for s in built_report.sections if s.id == "rhetoric")
    assert sec.title == "What they say"
    quotes = [row[-1] for t in sec.tables for row in t.rows]
    assert quotes and all(len(q) > 20 for q in quotes)
    html = report_file.read_text(encoding="utf-8")
    assert 'id="rhetoric"' in html and "What they say" in html
    # a quoted sentence is in the file, HTML-escaped like any other text
    from markupsafe import escape

    assert str(escape(quotes[0])) in html
    # the members on the counter-group (China, Russia, North Korea) have their own figure
    assert {f.id for f in sec.figures} >= {"rhetoric-tone", "rhetoric-tone-rivals"}


def test_report_escapes_quoted_sentences():
    from allyscope.groups import Group
    from allyscope.report.build import Report, render_html
    from allyscope.views.figures import Table
    from allyscope.views.sections import Section

    s = Section("rhetoric", "What they say", "?")
    s.tables.append(Table(["Sentence"], [["<script>alert('x')</script> & more"]]))
    g = Group((2, 740), (2000, 2020), names={2: "United States", 740: "Japan"})
    info = {
        "allyscope_version": "0",
        "data_hash": "x",
        "built_at": None,
        "built_with": None,
        "settings_file": "settings.yaml",
        "settings_sha256": "0" * 64,
        "as_of": "2026-01-01",
    }
    html = render_html(Report(g, [s], info, Table(["Source"], []), ""))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html


@pytest.mark.slow
def test_currency_table_shows_no_input_silently_carried(built_report, report_file: Path):
    """Every input a section carries past its data's end is listed in the opening table and
    flagged; every value shown after an input's end is a carried (flagged) one."""
    from allyscope import api
    from allyscope.sources.bounds import coverage
    from allyscope.views.currency import currency_frame, report_uses

    frame = currency_frame(report_uses(built_report.sections))
    table = {row[0]: row for row in built_report.currency.rows}
    carried_inputs = {u.input for s in built_report.sections for u in s.inputs if u.carried}
    assert carried_inputs, "the trilateral's report carries some inputs (ATOP, MME)"
    for r in frame.iter_rows(named=True):
        row = table[r["title"]]
        if r["input"] in carried_inputs:
            assert r["carried"] and row[4] == "yes" and "CARRIED FORWARD" in row[5], row
        if r["shown_through"] is not None and r["last_year"] is not None:
            assert r["shown_through"] <= r["last_year"] or r["carried"], row
    # independent check: the de facto score's exercises after MME's last year are carried
    res = api.defacto_pairs(built_report.group.ccodes, built_report.group.years)
    mme_end = coverage("mme_exercises")[1]
    late = res.df.filter(pl.col("year") > mme_end)
    if late.height:
        # after MME's last year the exercises component is missing, never carried: each
        # later year is compared without it (its basis leaves exercises out)
        assert late["exercises"].is_null().all()
        assert not late["basis"].str.contains("exercises").any()
    # the forecast's origin year lies past the UN votes' end: carried and said so
    f = api.forecast(built_report.group.ccodes, horizon=5)
    if f.year > coverage("un_votes")[1]:
        assert table["UN General Assembly roll calls"][4] == "yes"
    # the table opens the report, before the first section
    html = report_file.read_text(encoding="utf-8")
    assert 0 < html.index('id="data-currency"') < html.index('class="question" id=')
    for s in built_report.sections:
        if s.inputs:
            assert s.information_date.startswith("Information date:")
    rh = next(s for s in built_report.sections if s.id == "rhetoric")
    assert "UN General Debate speeches through 2024" in rh.information_date
    assert dt.date(2024, 12, 31) in frame["data_through"].to_list()


# -- the web app ------------------------------------------------------------------------------


def test_rhetoric_api_and_pages(client):
    r = client.get("/api/rhetoric?states=JPN,KOR&from=2010")
    assert r.status_code == 200, r.text[:300]
    p = r.json()
    dirs = {(row["year"], row["iso3_1"], row["iso3_2"]) for row in p["data"]["rows"]}
    for year in range(2010, 2025):
        assert (year, "JPN", "KOR") in dirs and (year, "KOR", "JPN") in dirs
    assert p["currency"]["data_through"] == 2024
    assert p["information_date"].startswith("Information date: UN General Debate speeches")
    assert p["figures"][0]["figure"]["data"]
    page = client.get("/rhetoric?states=JPN,KOR&from=2010")
    assert page.status_code == 200 and "What they say" in page.text
    assert "/api/rhetoric?" in page.text and "info-date" in page.text
    themes = client.get("/rhetoric/themes?states=USA,JPN,KOR&theme=rules-based+order")
    assert themes.status_code == 200 and "Rules-based international order" in themes.text
    group = client.get("/api/group?states=USA,JPN,KOR&from=2000&to=2024").json()
    assert "rhetoric" in [s["id"] for s in group["sections"]]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/rhetoric?states=<script>alert(1)</script>", 422),
        ("/api/rhetoric?states=JPN,KOR&from=1800", 422),
        ("/api/rhetoric?states=JPN,KOR&evidence=-1", 422),
        ("/api/rhetoric?states=JPN", 400),
        ("/api/rhetoric?states=JPN,KOR&from=2020&to=2010", 400),
        ("/api/rhetoric/themes?states=JPN&theme=x';DROP TABLE ungd_speeches;--", 422),
        ("/api/rhetoric/themes?states=JPN&theme=" + "a" * 61, 422),
        ("/api/rhetoric/themes?states=JPN&theme=nothing+like+it", 404),
        ("/api/rhetoric?states=" + ",".join(["JPN"] * 13), 400),
    ],
)
def test_hostile_rhetoric_parameters_are_refused(client, url, status):
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.text[:200])
    body = r.json()
    assert body["error"] and body["status"] == status
