"""The web app and the report in headless Chromium: click through every page and check that
the plots are drawn with data, offline (the browser can reach only the local server)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from webapp_fixtures import *  # noqa: F403  (shared session fixtures)

pytestmark = [pytest.mark.data, pytest.mark.browser]


def _by():
    from selenium.webdriver.common.by import By

    return By


def wait_url(driver, part: str, timeout: float = 60.0) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: part in d.current_url, f"{part} not reached"
    )


def drawn(driver, min_plots: int = 1) -> dict[str, dict]:
    """Every plot on the page has an SVG and data; returns them by figure id."""
    from allyscope.web.testing import wait_for_plots

    plots = wait_for_plots(driver, timeout=60)
    assert len(plots) >= min_plots, driver.current_url
    for p in plots:
        assert p["rendered"] and p["svg"] > 0, p
        assert any(t["y"] or t["z"] or t["lat"] or t["locations"] or t["x"] for t in p["traces"]), p
    return {p["id"]: p for p in plots}


def map_shapes(driver, fig_id: str, more_than: int, timeout: float = 60.0) -> int:
    """The number of country shapes drawn in the map ``fig_id``, once it exceeds
    ``more_than`` (or what it is when ``timeout`` runs out)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    from allyscope.web.testing import PLOTS_JS

    def count(d) -> int:
        return next((p["geo"] for p in d.execute_script(PLOTS_JS) if p["id"] == fig_id), 0)

    with contextlib.suppress(TimeoutException):  # the caller's assertion says what was drawn
        WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: count(d) > more_than)
    return count(driver)


def only_local(driver, base: str) -> None:
    urls = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; })"
    )
    outside = [u for u in urls if not u.startswith((base, "data:", "blob:", "file:"))]
    assert not outside, outside
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not severe, severe


def submit(driver, form_id: str, values: dict[str, str]) -> None:
    By = _by()
    form = driver.find_element(By.ID, form_id)
    for name, value in values.items():
        el = form.find_element(By.NAME, name)
        if el.tag_name == "select":
            from selenium.webdriver.support.select import Select

            Select(el).select_by_visible_text(value)
        else:
            el.clear()
            el.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


@pytest.mark.slow
def test_report_renders_offline_from_a_file(browser, report_file: Path):
    browser.get(report_file.as_uri())
    plots = drawn(browser, min_plots=8)
    assert {"institutionalization", "un-affinity", "defacto", "hub-spoke", "forecast"} <= set(plots)
    only_local(browser, "file:")


def test_click_through_every_page(browser, server, report_file):
    By = _by()
    d = browser
    d.get(server + "/")
    submit(d, "form-group", {"states": "USA,JPN,KOR", "from": "1990"})
    wait_url(d, "/group?")
    plots = drawn(d, min_plots=6)
    assert {"institutionalization", "un-affinity", "defacto", "bloc-position"} <= set(plots)
    only_local(d, server)

    d.find_element(By.LINK_TEXT, "South Korea").click()
    wait_url(d, "/state/")
    drawn(d)
    assert "South Korea" in d.find_element(By.TAG_NAME, "h1").text

    d.find_element(By.ID, "link-map").click()
    wait_url(d, "/map?")
    plots = drawn(d)
    geo = plots["alignment-map"]
    assert geo["traces"][0]["locations"] > 150
    # the country shapes come from the local map geometry, drawn after the figure: wait
    # for them to be drawn rather than for a while
    shapes = map_shapes(d, "alignment-map", more_than=150)
    assert shapes > 150
    submit(d, "form-map", {"state": "Japan", "year": "2005"})
    wait_url(d, "year=2005")
    drawn(d)
    only_local(d, server)

    d.find_element(By.LINK_TEXT, "Network").click()
    wait_url(d, "/network")
    drawn(d)
    submit(d, "form-network", {"year": "1955", "region": "East Asia", "hub": "USA"})
    wait_url(d, "year=1955")
    plots = drawn(d)
    assert plots["network"]["traces"][1]["lat"] >= 5

    d.find_element(By.LINK_TEXT, "Forecast").click()
    wait_url(d, "/forecast")
    plots = drawn(d)
    assert "forecast" in plots

    d.find_element(By.LINK_TEXT, "Data").click()
    wait_url(d, "/about")
    assert "Citations" in d.page_source

    d.find_element(By.LINK_TEXT, "API").click()
    wait_url(d, "/docs")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 60).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, ".opblock"))
    only_local(d, server)

    d.get(server + "/redoc")  # ReDoc: drawn without its CDN logo, under the docs' CSP
    WebDriverWait(d, 60).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, "[data-section-id]"))
    only_local(d, server)


def test_bad_input_page_in_the_browser(browser, server):
    By = _by()
    browser.get(server + "/")
    submit(browser, "form-state", {"code": "Japn"})
    wait_url(browser, "/state/")
    err = browser.find_element(By.CSS_SELECTOR, ".error")
    assert "Japan" in err.text  # the suggestion
    browser.find_element(By.LINK_TEXT, "Back to the start page").click()
    wait_url(browser, server + "/")


def test_report_prints_to_pdf(report_file: Path, tmp_path: Path, browser):
    from allyscope.report.build import print_pdf

    out = tmp_path / "report.pdf"
    print_pdf(report_file, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 6  # a page per question
