"""Coverage bounds come from the catalog, in one place; currency tables say how current
each input is."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from allyscope.errors import UnknownNameError
from allyscope.sources import SOURCES, coverage, currency, current_year, data_through
from allyscope.sources.bounds import INPUTS

SRC = Path(__file__).parents[1] / "src" / "allyscope"

#: where a year in code is a fact, not a coverage bound: (file, assignment) -> why
ALLOWED = {
    ("codes.py", "ISO_OVERRIDES"): "years in which states had other ISO codes",
    ("minerals.py", "BAD_WORLD_TOTALS"): "the year of a wrong total in the USGS file",
    ("mechanisms/panel_addons.py", "COVERAGE"): "declared by the mechanism records",
    ("panel/builtin.py", "TROOP_QUARTERLY_CODES"): "the years states took other codes",
    ("un/idealpoints.py", "NUCLEAR_TESTS"): "the dates of the first nuclear tests",
    ("rhetoric/corpus.py", "ISO_REMAP"): "the years states had other ISO codes",
}
#: folders whose years are facts about documents, dates in texts or records
SKIP = ("sources", "extract")


def _stray_years(root: Path = SRC) -> list[str]:
    """Whole numbers in code that equal a year some declared source or input ends in."""
    ends = {s.years[1] for s in SOURCES.values() if s.years} | {
        coverage(n)[1] for n in INPUTS if n != "alliances_extended"
    }
    ends = {y for y in ends if y >= 2000}
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in SKIP:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                if any((rel, n) in ALLOWED for n in names):
                    skip |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and type(node.value) is int
                and node.value in ends
                and id(node) not in skip
            ):
                found.append(f"{rel}:{node.lineno}: {node.value}")
    return found


def test_no_coverage_year_is_copied_into_code() -> None:
    stray = _stray_years()
    assert not stray, (
        "coverage years written into code (use allyscope.sources.coverage(...)): "
        + ", ".join(stray)
    )


def test_the_guard_finds_a_copied_year(tmp_path: Path) -> None:
    (tmp_path / "network").mkdir()
    (tmp_path / "network" / "x.py").write_text('UN_YEARS = (1946, 2019)\nNOTE = "2019"\n')
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "y.py").write_text("YEARS = (1946, 2019)\n")
    assert _stray_years(tmp_path) == ["network/x.py:1: 2019"]


def test_bounds_follow_the_declarations() -> None:
    assert coverage("atop_alliance") == (1815, 2018)
    # the UN votes: unvotes, then the UN Digital Library
    assert coverage("un_votes") == (SOURCES["un_votes"].years[0], SOURCES["undl_votes"].years[1])
    assert coverage("state_system") == (1816, 2024)
    assert coverage("state_system_gw")[1] == 2020
    assert coverage("leaders") == (1870, 2021)
    assert data_through("leaders") == dt.date(2021, 2, 28)
    assert coverage("troops")[1] == 2025 and coverage("democracy")[1] == 2025
    assert coverage("capabilities")[1] == 2022
    assert coverage("arms_transfers")[1] == 2024
    assert coverage("alliances_extended") == (1815, 2025)
    assert current_year() == max(s.years[1] for s in SOURCES.values() if s.years)
    with pytest.raises(UnknownNameError, match="did you mean 'atop_alliance'"):
        coverage("atop_aliance")


def test_adding_a_year_changes_one_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from allyscope.sources import catalog

    src = SOURCES["mme_exercises"]
    monkeypatch.setitem(catalog.SOURCES, "mme_exercises", replace(src, years=(1980, 2011)))
    assert coverage("exercises") == (1980, 2011)
    assert currency({"exercises": 2011})["carried"][0] is False


def test_currency_flags_carried_inputs() -> None:
    c = currency({"alliances_extended": 2025, "exercises": 2024, "troops": 2025})
    rows = {r["input"]: r for r in c.iter_rows(named=True)}
    assert (
        rows["alliances_extended"]["carried"] and rows["alliances_extended"]["carried_years"] == 7
    )
    assert not rows["exercises"]["carried"]  # it declares no carry: years after 2010 are null
    assert not rows["troops"]["carried"]
    c = currency({"exercises": 2024}, carried={"exercises": True})
    assert c["carried_years"][0] == 14
    full = currency()
    assert set(full["input"]) == set(INPUTS)
    assert full.filter(full["input"] == "un_votes")["last_year"][0] == coverage("un_votes")[1]


@pytest.mark.data
def test_panel_currency_says_what_is_carried(wh) -> None:
    from allyscope.panel import dyad_years

    p = dyad_years(years=(2009, 2025), mry=True).add("atop", extend=True).add("mme")
    p = p.add("leaders")
    rows = {r["input"]: r for r in p.currency().iter_rows(named=True)}
    assert rows["state list"]["after_end"] == "extended" and rows["state list"]["last_year"] == 2024
    assert rows["atop_extended"]["after_end"] == "carried"
    assert rows["mme"]["after_end"] == "null" and rows["mme"]["last_year"] == 2010
    assert rows["leaders"]["data_through"] == dt.date(2021, 2, 28)
