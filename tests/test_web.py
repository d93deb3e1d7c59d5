"""The web app through its HTTP interface: payload facts, validation, limits, errors."""

from __future__ import annotations

import itertools
import re

import pytest

from webapp_fixtures import *  # noqa: F403  (shared session fixtures)

pytestmark = pytest.mark.data


def ok_json(client, url: str) -> dict:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


# -- content --------------------------------------------------------------------------------


def test_alignment_map_israel_votes_with_the_us(client):
    """At the UN General Assembly, Israel is the state that votes most like the US."""
    p = ok_json(client, "/api/alignment-map?state=USA&year=2010&measure=s_score")
    rows = sorted(p["data"]["rows"], key=lambda r: -r["value"])
    top3 = [r["iso3"] for r in rows[:3]]
    assert "ISR" in top3
    fig = p["figures"][0]["figure"]
    choro = next(t for t in fig["data"] if t["type"] == "choropleth")
    assert len(choro["locations"]) > 150 and len(choro["z"]) == len(choro["locations"])
    assert choro["locationmode"] == "ISO-3"


def test_network_1955_east_asia_is_a_pure_hub_and_spoke(client):
    p = ok_json(client, "/api/network?year=1955&layer=defense&region=East%20Asia&hub=USA")
    edges = {(e["ccode1"], e["ccode2"]) for e in p["data"]["edges"]}
    spokes = {740, 732, 840, 713}  # Japan, South Korea, Philippines, Taiwan
    assert {(2, c) for c in spokes} <= edges  # US defense ties to each
    assert not [e for e in edges if e[0] in spokes and e[1] in spokes]  # none among them


def test_group_payload_has_every_figure_as_plotly_json(client):
    p = ok_json(client, "/api/group?states=USA,JPN,KOR&from=1990&to=2019")
    assert [s["id"] for s in p["sections"]] == [
        "institutions",
        "alignment",
        "rhetoric",
        "defacto",
        "structure",
    ]
    ids = {f["id"] for f in p["figures"]}
    assert {"institutionalization", "un-affinity", "defacto", "hub-spoke"} <= ids
    for f in p["figures"]:
        assert f["caption"] and f["figure"]["layout"]["title"]["text"]
        assert any(t.get("y") or t.get("z") for t in f["figure"]["data"]), f["id"]
    assert [c["iso3"] for c in p["query"]["counter"]] == ["CHN", "RUS", "PRK"]


def test_dyad_and_group_agree(client):
    a = ok_json(client, "/api/dyad/JPN/KOR?from=2000&to=2019")
    b = ok_json(client, "/api/group?states=JPN,KOR&from=2000&to=2019")
    fa = {f["id"]: f["figure"]["data"] for f in a["figures"]}
    fb = {f["id"]: f["figure"]["data"] for f in b["figures"]}
    assert fa["un-affinity"] == fb["un-affinity"]


def test_state_page_and_meta(client, wh):
    p = ok_json(client, "/api/state/Japan")
    assert p["data"]["state"]["ccode"] == 740 and p["data"]["state"]["iso3"] == "JPN"
    meta = ok_json(client, "/api/meta")
    assert meta["info"]["data_hash"] == wh.data_hash
    assert "@" in meta["citations"]
    states = ok_json(client, "/api/states")["states"]
    assert {"ccode": 732, "iso3": "KOR"}.items() <= next(
        s for s in states if s["ccode"] == 732
    ).items()


def test_pages_render_and_link_to_their_json(client):
    for url in (
        "/",
        "/state/KOR",
        "/group?states=USA,JPN,KOR",
        "/network?year=2000",
        "/map?state=JPN&year=2005",
        "/forecast?states=USA,JPN,KOR",
        "/about",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert '<script src="/static/plotly.min.js">' in r.text


def test_docs_and_openapi_are_offline(client):
    spec = ok_json(client, "/openapi.json")
    assert {
        "/api/group",
        "/api/dyad/{a}/{b}",
        "/api/state/{code}",
        "/api/network",
        "/api/alignment-map",
        "/api/forecast",
        "/api/scenario",
    } <= set(spec["paths"])
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert srcs and all(s.startswith("/") for s in srcs), srcs
        for s in srcs:
            assert client.get(s).status_code == 200, s


# -- bad input: a helpful 4xx, never a 500 ----------------------------------------------

BAD = [
    ("/api/state/Japn", 404, "Japan"),
    ("/api/state/XYZ", 404, "unknown country"),
    ("/api/dyad/USA/Narnia", 404, "unknown country"),
    ("/api/dyad/USA/USA", 400, "same state"),
    ("/api/group?states=USA", 400, "at least 2"),
    ("/api/group?states=", 422, "states"),
    ("/api/group?states=,,,", 400, "at least 2"),
    ("/api/group?states=USA,JPN&from=2019&to=1990", 400, "inverted"),
    ("/api/group?states=USA,JPN&from=1200", 422, "from"),
    ("/api/group?states=USA,JPN&from=abc", 422, "from"),
    ("/api/group?states=" + ",".join(["USA"] * 13), 400, "at most"),
    ("/api/group?states=USA,JPN&counter=JPN", 400, "both"),
    ("/api/group?states=USA;DROP TABLE atop_alliance--", 422, "states"),
    ("/api/group?states=USA,<script>", 422, "states"),
    ("/api/state/..%2F..%2Fetc%2Fpasswd", 404, ""),
    ("/api/alignment-map?state=KOR&year=2023", 400, "1946"),
    ("/api/alignment-map?state=KOR&measure=bogus", 422, "measure"),
    ("/api/network?layer=nonsense", 404, "layer"),
    ("/api/network?layer=DROP%20TABLE", 422, "layer"),
    ("/api/network?year=2018&region=Atlantis", 404, "region"),
    ("/api/forecast?states=USA,JPN&horizon=0", 422, "horizon"),
    ("/api/forecast?states=USA,JPN&horizon=99", 422, "horizon"),
    ("/api/scenario?states=USA,JPN&scenario=$(rm -rf)", 422, "scenario"),
    ("/api/nowhere", 404, "no page"),
]


@pytest.mark.parametrize(("url", "status", "text"), BAD)
def test_bad_api_input_is_a_helpful_4xx_json(client, url, status, text):
    r = client.get(url)
    assert r.status_code == status, (r.status_code, r.text[:300])
    body = r.json()
    assert body["error"] and body["status"] == status
    assert text.lower() in (body["error"] + " " + str(body.get("suggestions"))).lower()
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "url",
    [
        "/state/Japn",
        "/group?states=USA",
        "/group?states=USA,JPN&from=2019&to=1990",
        "/map?state=KOR&year=1800",
        "/nowhere",
        "/network?region=Atlantis",
    ],
)
def test_bad_page_input_is_a_helpful_html_page(client, url):
    r = client.get(url)
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"].startswith("text/html")
    assert 'class="error"' in r.text and "Back to the start page" in r.text
    assert "Traceback" not in r.text


def test_oversized_requests_are_refused(client):
    r = client.post(
        "/api/scenario",
        content=b"{" + b" " * 100_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 413 and "too large" in r.json()["error"]
    r = client.get("/api/group?states=USA,JPN&x=" + "a" * 5000)
    assert r.status_code == 414
    r = client.post("/api/scenario", json={"states": ["USA", "JPN"], "scenario": "x", "extra": 1})
    assert r.status_code == 422


FUZZ_VALUES = [
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999",
    "1.5",
    "nan",
    "null",
    "true",
    "%00",
    "'; DROP TABLE cow_states; --",
    "../../etc/passwd",
    "<script>x</script>",
    "USA," * 50,
    "ÅÄÖ",
    "日本",
    "a" * 500,
]


@pytest.mark.slow
def test_fuzz_every_get_parameter(client):
    """Each GET route's parameters get hostile values: the answer is never a 5xx."""
    spec = client.get("/openapi.json").json()
    defaults = {
        "code": "JPN",
        "a": "USA",
        "b": "JPN",
        "states": "USA,JPN",
        "state": "KOR",
        "scenario": "leader_change:JPN",
    }
    checked = 0
    for path, ops in spec["paths"].items():
        op = ops.get("get")
        if not op:
            continue
        params = op.get("parameters", [])
        for param, value in itertools.product(params, FUZZ_VALUES):
            values = {p["name"]: defaults.get(p["name"]) for p in params}
            values[param["name"]] = value
            url = path
            query = {}
            for p in params:
                v = values[p["name"]]
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", v or "x")
                elif v is not None:
                    query[p["name"]] = v
            r = client.get(url, params=query)
            checked += 1
            assert r.status_code < 500, (url, query, r.status_code, r.text[:200])
    assert checked > 100


# -- windows a source does not cover, scenarios -------------------------------------------------


def test_group_page_for_a_window_past_the_exercise_data(client):
    """2015-2025 lies after the exercise data (MME ends in 2010): the page is built and the
    alignment section says what is missing."""
    p = ok_json(client, "/api/group?states=USA,JPN,KOR&from=2015&to=2025")
    alignment = next(s for s in p["sections"] if s["id"] == "alignment")
    assert any(
        "Multinational Military Exercises" in n and "missing" in n for n in alignment["notes"]
    )
    assert {"institutions", "alignment", "defacto", "structure"} <= {s["id"] for s in p["sections"]}
    page = client.get("/group?states=USA,JPN,KOR&from=2015&to=2025")
    assert page.status_code == 200 and "not zero" in page.text


@pytest.mark.slow
def test_documented_scenario_answers(client):
    """`leader_change:KOR`, the example of the API reference, gives a scenario next to the
    baseline; Archigos ends before the origin year, so the answer says so."""
    p = ok_json(client, "/api/scenario?states=JPN,KOR&scenario=leader_change:KOR")
    d = p["data"]
    assert d["changes"] == ["leader change in KOR"]
    assert 0 <= d["baseline"]["probability"] <= 1 and 0 <= d["changed"]["probability"] <= 1
    same = client.post(
        "/api/scenario", json={"states": ["JPN", "KOR"], "scenario": "leader_change:KOR"}
    )
    assert same.status_code == 200 and same.json()["data"] == d
