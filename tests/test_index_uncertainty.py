"""The uncertainty band of the institutionalization index (docs/institutionalization.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from allyscope import settings as settings_mod
from allyscope.errors import SchemaError
from allyscope.mechanisms import uncertainty
from allyscope.mechanisms.index import index_table
from allyscope.mechanisms.loader import RecordSet
from allyscope.settings import IndexUncertaintySettings
from test_mechanisms import COVERAGE, load_text, rec, record_file

SHIPPED = settings_mod.institutionalization()

#: a grouping with a lapsing annual summit series, a standing hotline, an exercise and a
#: setback that persists: every perturbed parameter has something to act on
MIXED = record_file(
    rec("s-1", date="2021-05-01", extra="    series: summits\n"),
    rec("s-2", date="2022-05-01", extra="    series: summits\n"),
    rec("h-1", date="2022-03-01", type="crisis_hotline", regularity="standing"),
    rec("x-1", date="2023-07-01", type="joint_exercise", extra="    series: drill\n"),
    rec(
        "n-1",
        date="2024-02-01",
        type="trade_restriction",
        regularity="standing",
        extra="    severity: serious\n",
    ),
    coverage=COVERAGE.format(to="2025-12"),
)


def _without_spread(draws: int = 1) -> settings_mod.InstitutionalizationSettings:
    """The shipped settings with every perturbation switched off."""
    u = IndexUncertaintySettings(
        draws=draws,
        seed=0,
        band=(5.0, 95.0),
        concentration=float("inf"),
        half_factor=(1.0, 1.0),
        decay=(SHIPPED.decay, SHIPPED.decay),
        max_lapse=(SHIPPED.max_lapse, SHIPPED.max_lapse),
        persistence=(SHIPPED.negative_persistence, SHIPPED.negative_persistence),
        penalty_factor=(1.0, 1.0),
        bindingness_flip=0.0,
    )
    return dataclasses.replace(SHIPPED, uncertainty=u)


def _band(rs: RecordSet, st=None) -> pl.DataFrame:
    uncertainty._CACHE.clear()
    return index_table(rs, settings=st, uncertainty=True)


def _inside(t: pl.DataFrame) -> None:
    v = t.filter(pl.col("institutionalization").is_not_null())
    assert v.height and v["index_low"].null_count() == 0
    eps = 1e-9
    assert (v["index_low"] <= v["institutionalization"] + eps).all()
    assert (v["institutionalization"] <= v["index_high"] + eps).all()
    assert (v["drop_one_low"] <= v["institutionalization"] + eps).all()
    assert (v["institutionalization"] <= v["drop_one_high"] + eps).all()


def test_point_lies_inside_its_band_and_the_band_has_width() -> None:
    t = _band(load_text(MIXED))
    _inside(t)
    # every year has a live series, a standing body or a setback: the perturbed weights
    # and shapes must move the index
    assert ((t["index_high"] - t["index_low"]) > 0.5).all()


def test_band_collapses_to_the_point_without_spread() -> None:
    rs = load_text(MIXED)
    for draws in (1, 20):
        t = _band(rs, _without_spread(draws))
        assert t["index_low"].to_list() == pytest.approx(t["institutionalization"].to_list())
        assert t["index_high"].to_list() == pytest.approx(t["institutionalization"].to_list())


def test_an_infinite_concentration_is_read_from_the_settings_file(tmp_path: Path) -> None:
    text = settings_mod.shipped_path().read_text(encoding="utf-8")
    assert "    concentration: 50\n" in text
    f = tmp_path / "s.yaml"
    f.write_text(text.replace("    concentration: 50\n", "    concentration: .inf\n"), "utf-8")
    u = settings_mod.institutionalization(f).uncertainty
    assert u is not None and u.concentration == float("inf")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("decay: [0.35, 0.65]", "decay: [0.65, 0.35]"), "utf-8")
    with pytest.raises(SchemaError, match=r"institutionalization\.uncertainty\.decay"):
        settings_mod.load(bad)


def test_band_is_deterministic_for_a_seed() -> None:
    rs = load_text(MIXED)
    a, b = _band(rs), _band(rs)
    assert a.equals(b)
    assert SHIPPED.uncertainty is not None
    other = dataclasses.replace(
        SHIPPED, uncertainty=dataclasses.replace(SHIPPED.uncertainty, seed=1)
    )
    c = _band(rs, other)
    assert c["institutionalization"].equals(a["institutionalization"])
    assert not c["index_low"].equals(a["index_low"])


def test_a_grouping_with_nothing_held_scores_zero_with_a_zero_band() -> None:
    promise = rec("p-1", extra="    status: promised\n")
    t = _band(load_text(record_file(promise, coverage=COVERAGE.format(to="2025-12"))))
    assert t.height > 0
    for col in ("institutionalization", "index_low", "index_high", "drop_one_low"):
        assert t[col].to_list() == [0.0] * t.height, col


def test_drop_one_shows_an_index_resting_on_one_record() -> None:
    # one summit and nothing else: leaving it out leaves nothing
    t = _band(load_text(record_file(rec(), coverage=COVERAGE.format(to="2025-12"))))
    row = t.filter(pl.col("year") == 2023).row(0, named=True)
    assert row["institutionalization"] > 0
    assert row["drop_one_low"] == 0.0
    assert row["drop_one_high"] == pytest.approx(row["institutionalization"])


def test_perturbed_weights_keep_their_total() -> None:
    import numpy as np

    assert SHIPPED.uncertainty is not None
    rng = np.random.default_rng(0)
    for _ in range(20):
        st = uncertainty.perturbed(SHIPPED, SHIPPED.uncertainty, rng)
        assert st.max_score == pytest.approx(SHIPPED.max_score)
        assert 0 <= st.decay <= 1
        assert SHIPPED.uncertainty.max_lapse[0] <= st.max_lapse <= SHIPPED.uncertainty.max_lapse[1]


# -- the shipped records ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def banded(data_home: Path) -> pl.DataFrame:
    from allyscope.mechanisms import institutionalization

    return institutionalization(uncertainty=True)


def _row(t: pl.DataFrame, gid: str, year: int) -> dict:
    return t.filter((pl.col("grouping_id") == gid) & (pl.col("year") == year)).row(0, named=True)


@pytest.mark.data
def test_every_shipped_grouping_year_lies_inside_its_band(banded) -> None:
    _inside(banded)


@pytest.mark.data
def test_japan_rok_2019_trough_stays_below_the_trilateral_band_of_2023(banded) -> None:
    trough = _row(banded, "japan-rok", 2019)
    camp_david = _row(banded, "us-japan-rok", 2023)
    # the 2019 export-control and GSOMIA crisis against the year of Camp David: no
    # reasonable weighting or coding brings them together
    assert trough["index_high"] < camp_david["index_low"]
    # the crisis is a fall from 2018 under every perturbation's band
    assert trough["index_high"] < _row(banded, "japan-rok", 2018)["index_low"]
