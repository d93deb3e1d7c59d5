"""The settings sections of networks and the de facto score, and the as-of date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from allyscope import settings
from allyscope.errors import SchemaError


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _shipped() -> dict:
    return yaml.safe_load(settings.shipped_path().read_text(encoding="utf-8"))


def test_sections_are_typed_and_recorded() -> None:
    s = settings.load()
    assert isinstance(s.as_of, dt.date) and s.provenance()["as_of"] == s.as_of.isoformat()
    assert s.network.min_troops >= 1 and s.network.exercises.weighting in ("inverse", "count")
    assert s.network.blocs.n_runs == (
        len(s.network.blocs.algorithms) * len(s.network.blocs.resolutions) * s.network.blocs.seeds
    )
    # optional components are off by default: the score measures alignment between any
    # two states, not resemblance to a US alliance
    assert "shared_patron" not in s.defacto.used and "shared_allies" not in s.defacto.used
    assert s.defacto.band[0] < s.defacto.band[1]


def test_another_file_changes_only_its_sections(tmp_path: Path) -> None:
    data = _shipped()
    data["network"]["us_troops"]["min_troops"] = 1000
    s = settings.load(_write(tmp_path, {"network": data["network"]}))
    assert s.network.min_troops == 1000
    assert s.defacto == settings.load().defacto
    assert s.hash != settings.load().hash


@pytest.mark.parametrize(
    ("section", "path", "value", "needle"),
    [
        ("defacto", ("weights", "un_afinity"), 1, "defacto.weights.un_afinity: unknown component"),
        ("defacto", ("sensitivity", "band"), [95, 5], "defacto.sensitivity.band"),
        ("network", ("blocs", "algorithms"), ["spectral"], "network.blocs.algorithms"),
        ("network", ("exercises", "weighting"), "sqrt", "network.exercises.weighting"),
        ("network", ("blocs", "threshold"), 1.5, "network.blocs.threshold"),
        ("general", ("as_of",), "soon", "general.as_of: must be a date"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, section, path, value, needle) -> None:
    data = _shipped()
    node = data[section]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(SchemaError, match=needle.replace(".", r"\.")):
        settings.load(_write(tmp_path, {section: data[section]}))


def test_all_zero_weights_are_refused(tmp_path: Path) -> None:
    data = _shipped()
    data["defacto"]["weights"] = dict.fromkeys(data["defacto"]["weights"], 0)
    with pytest.raises(SchemaError, match="positive weight"):
        settings.load(_write(tmp_path, {"defacto": data["defacto"]}))


def test_report_presets_are_data_not_code() -> None:
    r = settings.reports()
    east = r.counter_groups[0]
    assert east.states == ("CHN", "RUS", "PRK") and east.except_states == ("USA",)
    jk = r.pair_scenarios[0]
    assert jk.pair == ("JPN", "KOR") and jk.changes == {"un_affinity": "lowest", "exercises": 0}


def test_a_pair_scenario_needs_two_states(tmp_path: Path) -> None:
    data = _shipped()
    data["reports"]["pair_scenarios"][0]["pair"] = ["JPN"]
    with pytest.raises(SchemaError, match=r"reports\.pair_scenarios\[0\]\.pair"):
        settings.load(_write(tmp_path, {"reports": data["reports"]}))


#: reads of the clock that only stamp when something was made, never enter a result
TIMESTAMPS = {
    "store.py": "when the warehouse was built (its provenance)",
    "report/build.py": "when the report file was written",
    "extract/evaluate.py": "when an extraction evaluation was run",
}


def test_no_computation_reads_the_calendar() -> None:
    import re

    src = Path(settings.__file__).parent
    clock = re.compile(r"\b(?:date\.today|datetime\.now|datetime\.today|datetime\.utcnow)\(")
    found = {
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if clock.search(p.read_text(encoding="utf-8"))
    }
    assert found <= set(TIMESTAMPS), sorted(found - set(TIMESTAMPS))
    # the as-of date is what "now" means: the default years end with it
    from allyscope.groups import last_year

    assert last_year() == settings.as_of().year
