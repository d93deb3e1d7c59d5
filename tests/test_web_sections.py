"""A section whose source does not cover the window (or cannot serve the group) says what
is missing, and the report and the group page are built with every other section."""

from __future__ import annotations

from pathlib import Path

import pytest

from allyscope.errors import InvalidInputError
from allyscope.views import sections as views


def _out_of_range(group):
    raise InvalidInputError(
        "add-on 'mme' covers 1980-2010", "choose years inside 1980-2010 for this section"
    )


OUT_OF_RANGE = views.SectionSpec("exercise-record", "Exercise record", _out_of_range, 25)


@pytest.fixture
def two_sections(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report made of a section that fails for the window and a real one."""
    specs = [views.ALIGNMENT, OUT_OF_RANGE]
    monkeypatch.setattr(views, "registered_sections", lambda: specs)
    import allyscope.report.build as build
    import allyscope.web.service as service

    monkeypatch.setattr(build, "registered_sections", lambda: specs)
    monkeypatch.setattr(service, "registered_sections", lambda: specs)


def test_report_keeps_the_other_sections(synthetic, two_sections, tmp_path: Path):
    from allyscope.report import build_report, resolve_group, write_report

    group = resolve_group(["USA", "JPN", "KOR"], 2011, 2018)
    report = build_report(group)
    by_id = {s.id: s for s in report.sections}
    assert set(by_id) == {"alignment", "exercise-record"}
    assert by_id["alignment"].figures  # the section the data serve is there
    missing = by_id["exercise-record"]
    assert not missing.figures
    assert missing.notes == [
        "Not shown: add-on 'mme' covers 1980-2010 (choose years inside 1980-2010 for this section)."
    ]
    html = write_report(report, tmp_path / "r.html").read_text()
    assert "Not shown: add-on &#39;mme&#39; covers 1980-2010" in html


def test_group_page_keeps_the_other_sections(synthetic, two_sections, monkeypatch):
    from fastapi.testclient import TestClient

    from allyscope.web import create_app, service

    fresh = service.Jobs(service.PayloadCache(), workers=1)
    monkeypatch.setattr(service, "_JOBS", fresh)
    monkeypatch.setattr(service, "_CACHE", fresh.cache)
    with TestClient(create_app(warm=False, cold_wait=None)) as c:
        r = c.get("/api/group?states=USA,JPN,KOR&from=2011&to=2018")
        assert r.status_code == 200, r.text[:300]
        notes = {s["id"]: s["notes"] for s in r.json()["sections"]}
        assert notes["exercise-record"][0].startswith("Not shown: add-on 'mme' covers")
        page = c.get("/group?states=USA,JPN,KOR&from=2011&to=2018")
        assert page.status_code == 200 and "Not shown: add-on" in page.text


def test_a_section_that_fails_otherwise_still_fails(synthetic, monkeypatch):
    """Only an error a user can act on becomes a note; a bug stops the report."""

    def broken(group):
        raise KeyError("a bug")

    spec = views.SectionSpec("broken", "Broken", broken, 1)
    from allyscope.report import resolve_group

    group = resolve_group(["USA", "JPN"], 2011, 2018)
    with pytest.raises(KeyError):
        views.build_section(spec, group)
