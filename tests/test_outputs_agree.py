"""The HTML report and the web app draw the same figures from the same data for the
US–Japan–South Korea trilateral, and those data are the query layer's."""

from __future__ import annotations

import json

import polars as pl
import pytest

from test_report import figure_json, trace
from webapp_fixtures import *  # noqa: F403  (shared session fixtures)

pytestmark = [pytest.mark.data, pytest.mark.slow]

#: figures both outputs must show for the trilateral (one per question the web shows)
SHARED = {
    "institutionalization",
    "un-affinity",
    "un-ideal-points",
    "exercises",
    "us-troops",
    "defacto",
    "hub-spoke",
}


def _roundtrip(obj):
    from allyscope.views import dumps

    return json.loads(dumps(obj))


@pytest.fixture(scope="module")
def web_figures(client, report_group):
    y0, y1 = report_group.years
    r = client.get(f"/api/group?states=USA,JPN,KOR&from={y0}&to={y1}")
    assert r.status_code == 200, r.text
    return {f["id"]: f for f in r.json()["figures"]}


def test_report_and_web_show_the_same_figure_data(built_report, report_file, web_figures):
    report = {f.id: _roundtrip(f.to_dict()) for s in built_report.sections for f in s.figures}
    shared = set(report) & set(web_figures)
    assert shared >= SHARED, f"missing from one output: {SHARED - shared}"
    html = report_file.read_text(encoding="utf-8")
    for fid in sorted(shared):
        web = web_figures[fid]
        assert report[fid]["figure"]["data"] == web["figure"]["data"], fid
        assert report[fid].get("table") == web.get("table"), fid
        assert report[fid]["sources"] == web["sources"], fid
        # the file a reader opens embeds exactly these data
        assert figure_json(html, fid)["data"] == web["figure"]["data"], fid


def test_figures_carry_the_query_layers_numbers(web_figures, report_group):
    """The UN affinity lines are api.un_affinity's S-scores (rounded for drawing), and
    years outside the data are absent rather than zero."""
    from allyscope import api

    aff = api.un_affinity([2, 740, 732], report_group.years)
    assert set(api.UN_AFFINITY.columns) <= set(aff.columns)
    assert aff.currency.data_through == api.un_years()[1]
    want = {
        r["year"]: r["s_score"]
        for r in aff.df.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 740)).iter_rows(
            named=True
        )
    }
    drawn = trace(web_figures["un-affinity"]["figure"], "USA–JPN")
    assert set(drawn) == set(want)
    assert all(abs(drawn[y] - want[y]) < 0.006 for y in want)
    # South Korea joined the UN in 1991: no USA-KOR value for 1990
    assert 1990 not in trace(web_figures["un-affinity"]["figure"], "USA–KOR")
