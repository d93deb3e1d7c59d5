"""Alliance-formation forecasts on the real data: outcome, leakage, forecasts, scenarios."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from allyscope import config
from allyscope.errors import AllyscopeError, InvalidInputError, UnknownCountryError
from allyscope.forecast import feature_table as F
from allyscope.forecast.data import horizon_outcomes, onset_events, training_table

USA, UK, EST, RUS, CHN, PRK, ROK, JPN, PHL = 2, 200, 366, 365, 710, 731, 732, 740, 840

#: small, fast models for tests (the defaults are used by the CLI and the benchmark)
N_BOOT = 3


def rows(df: pl.DataFrame, a: int, b: int) -> pl.DataFrame:
    return df.filter((pl.col("ccode1") == min(a, b)) & (pl.col("ccode2") == max(a, b)))


@pytest.fixture(scope="module")
def table(wh) -> pl.DataFrame:
    return training_table("defense")


# -- outcome and risk set ----------------------------------------------------------------


def test_atop_is_directed_and_the_dyad_takes_either_direction(wh, table):
    raw = wh.sql(
        "SELECT ccode1, ccode2, atop_defense FROM atop_alliance WHERE year = 1960 AND "
        "((ccode1 = 2 AND ccode2 = 740) OR (ccode1 = 740 AND ccode2 = 2))"
    )
    d = dict(zip(zip(raw["ccode1"], raw["ccode2"], strict=True), raw["atop_defense"], strict=True))
    assert d[(USA, JPN)] == 1 and d[(JPN, USA)] == 0  # the United States defends Japan only
    feats = F.features(1960, 1960)
    assert rows(feats, USA, JPN)["atop_defense"].item() == 1


def test_onsets_follow_the_treaties(table):
    events = onset_events(table)

    def first(a: int, b: int) -> int | None:
        ys = rows(events, a, b)["year"].to_list()
        return ys[0] if ys else None

    assert first(USA, ROK) == 1953  # Mutual Defense Treaty, signed 1953
    assert first(USA, PHL) == 1951  # Mutual Defense Treaty of 1951
    assert first(CHN, PRK) == 1961  # Sino-North Korean treaty of 1961
    assert first(USA, EST) in (2003, 2004)  # NATO enlargement (protocols 2003, accession 2004)
    assert first(JPN, ROK) is None  # no Japan-South Korea defense pact
    # Japan re-entered the system in 1952 already allied with the US (1951 treaty): the
    # dyad has no onset and is never at risk
    assert rows(table, USA, JPN).height == 0
    # Japan-South Korea is at risk in every year from their first common year to 2025
    # (ATOP to 2018, then the sourced alliance records)
    jk = rows(table, JPN, ROK)
    assert jk["year"].min() == 1953 and jk["year"].max() == 2025
    assert jk.height == 2025 - 1953 + 1
    # after ATOP: Finland's NATO onset dated by its accession protocol (2022), Russia-DPRK
    # by the 2024 treaty (a new onset after the Soviet treaty of 1961 lapsed)
    assert first(USA, 375) == 2022 and 2024 in rows(events, RUS, PRK)["year"].to_list()
    # allied dyads leave the risk set: US-South Korea only up to its onset
    assert rows(table, USA, ROK)["year"].max() == 1953


def test_reentry_after_a_gap_is_a_new_onset(table):
    # every onset row is preceded by a non-allied year of the same dyad; a dyad can have
    # several onsets
    per = onset_events(table).group_by("ccode1", "ccode2").len()
    assert per["len"].max() >= 2
    assert table.filter(pl.col("onset") == 1)["atop_def_years_unallied"].min() >= 1


def test_horizon_outcomes():
    events = pl.DataFrame(
        {"ccode1": [1, 1], "ccode2": [2, 2], "year": [1990, 2000]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    origins = pl.DataFrame(
        {"ccode1": [1, 1, 1, 1], "ccode2": [2, 2, 2, 3], "year": [1985, 1984, 1990, 1989]},
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32, "year": pl.Int32},
    )
    # 1985: onset 1990 within 1986-1990; 1984: not within 1985-1989; 1990: the next
    # onset (2000) is outside 1991-1995; another dyad: none
    assert horizon_outcomes(origins, events, 5).to_list() == [1, 0, 0, 0]


# -- features ------------------------------------------------------------------------------


def test_common_neighbours_by_hand():
    edges = pl.DataFrame({"a": [1, 2, 1, 4], "b": [3, 3, 4, 2], "year": [2000, 2000, 2000, 2001]})
    pairs = pl.DataFrame({"ccode1": [1, 1, 2], "ccode2": [2, 2, 4], "year": [2000, 2001, 2000]})
    # 2000: 1-3, 2-3, 1-4 -> (1, 2) share 3; (2, 4) share nothing; 2001: only 4-2
    assert F.common_neighbours(edges, pairs).tolist() == [1.0, 0.0, 0.0]


def test_feature_facts(wh):
    f = F.features(2010, 2010)
    jk = rows(f, JPN, ROK).row(0, named=True)
    assert jk["atop_shared_allies_log"] == pytest.approx(np.log(2))  # one shared ally: the US
    assert jk["atop_defense"] == 0
    assert jk["cow_contig_sea"] == 1 and jk["cow_contig_land"] == 0
    assert jk["us_troops_both_log"] > np.log(1 + 20_000)  # US forces in both states
    us_jp = rows(f, USA, JPN).row(0, named=True)
    assert us_jp["us_dyad"] == 1 and us_jp["us_troops_partner_log"] > np.log(1 + 30_000)
    # China and Japan are strategic rivals; the US and China too
    assert rows(f, CHN, JPN)["tss_rivalry"].item() == 1


def test_carried_forward_after_the_sources_end(wh):
    f = F.features(2014, 2024)
    jk = rows(f, JPN, ROK).sort("year")
    by = {r["year"]: r for r in jk.iter_rows(named=True)}
    # IGO ties end in 2014: carried; exercises end in 2010: the 2006-2010 mean
    assert by[2024]["cow_igo_joint_log"] == by[2014]["cow_igo_joint_log"]
    assert by[2024]["mme_joint_exercises_log"] == by[2015]["mme_joint_exercises_log"]
    # the duration keeps counting after the last ATOP year
    assert by[2024]["atop_def_years_unallied"] == by[2018]["atop_def_years_unallied"] + 6
    cf = {r["feature"]: r["treatment"] for r in F.carried_forward(2024)}
    assert cf["cow_igo_joint_log"] == "carried forward from 2014"
    assert "2006-2010" in cf["mme_joint_exercises_log"]
    assert "alliance status (risk set)" in cf
    assert F.carried_forward(2000) == []


def _perturb(path: Path, t: int) -> None:
    """Change every warehouse row dated ``t`` or later (values, deletions, new events)."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        keys = {"ccode", "ccode1", "ccode2", "gwcode", "gwcode1", "gwcode2", "year", "dispnum"}
        tables = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'year'"
            ).fetchall()
        ]
        # the state system and the code crosswalk stay: the alliance records after ATOP are
        # checked against them (a state missing from them is a data error, not a later
        # event to hide)
        tables = [
            tab for tab in tables if not tab.startswith(("cow_system", "cow_states", "cow_gw"))
        ]
        for tab in tables:
            cols = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_name = '{tab}'"
            ).fetchall()
            sets = [
                f'"{c}" = "{c}" * -3 + 7' if typ == "DOUBLE" else f'"{c}" = 7 - "{c}" % 5'
                for c, typ in cols
                if c not in keys and typ in ("INTEGER", "DOUBLE", "BIGINT")
            ]
            if sets:
                con.execute(f'UPDATE "{tab}" SET {", ".join(sets)} WHERE year >= {t}')
            con.execute(f'DELETE FROM "{tab}" WHERE year >= {t} AND hash(rowid) % 3 = 0')
        # new alliances and new conflict after t, including for the dyads checked below
        con.execute(f"INSERT INTO atop_alliance VALUES (740, 732, {t}, 1, 1, 1, 1, 1)")
        con.execute(
            f"INSERT INTO tss_rivalries VALUES (999, 'x', 2, 740, {t}, 2020, 1, 1, 1, 1, 1, 1)"
        )
        con.execute(f'UPDATE tss_rivalries SET "end" = 2020 WHERE "end" >= {t}')
        con.execute(
            f"INSERT INTO cow_contdir VALUES (732, 740, 1, DATE '{t}-01-01', DATE '2016-12-31')"
        )
        con.execute(
            f"UPDATE mme_exercises SET state_a = 'Japan', state_b = 'China' WHERE start_year >= {t}"
        )
        # defense cooperation agreements: later ones moved into year t, a third deleted
        con.execute(f"DELETE FROM dcad WHERE sign_year >= {t} AND hash(rowid) % 3 = 0")
        con.execute(f"UPDATE dcad SET sign_year = {t} WHERE sign_year > {t}")
        con.execute(
            "UPDATE un_votes SET vote = CASE vote WHEN 'yes' THEN 'no' ELSE 'yes' END WHERE rcid IN "
            f"(SELECT rcid FROM un_roll_calls WHERE year(date) >= {t})"
        )
        con.execute("UPDATE meta SET value = 'perturbed-' || value WHERE key = 'data_hash'")
    finally:
        con.close()


@pytest.mark.slow
def test_no_feature_uses_information_from_the_outcome_year_or_later(data_home, tmp_path):
    """Leakage test: the features of information year t - 1 (paired with outcomes of year
    t) do not change when every source row dated t or later is changed."""
    t = 2001
    base = F.compute_features(t - 1, t)
    home = tmp_path / "perturbed"
    home.mkdir()
    shutil.copy(config.warehouse_path(), home / "warehouse.duckdb")
    _perturb(home / "warehouse.duckdb", t)
    previous = config._home_override
    config.set_home(home)
    try:
        from allyscope.store import open_warehouse

        assert open_warehouse().data_hash.startswith("perturbed-")
        changed = F.compute_features(t - 1, t)
    finally:
        config.set_home(previous)
    before = base.filter(pl.col("year") == t - 1)
    after = changed.filter(pl.col("year") == t - 1)
    assert before.height > 10_000
    assert before.equals(after)
    # the perturbation did reach the year t itself (the test can fail), the defense
    # cooperation agreements included
    now, later = base.filter(pl.col("year") == t), changed.filter(pl.col("year") == t)
    assert not now.equals(later)
    assert not now["dcad_dcas_5y_log"].equals(later["dcad_dcas_5y_log"])


# -- forecasts -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jk(wh):
    from allyscope.forecast import forecast

    return forecast(["JPN", "KOR"], horizon=5, n_boot=N_BOOT)


@pytest.mark.slow
def test_dyad_forecast(jk):
    assert jk.states == [JPN, ROK] and not jk.is_group
    assert 0 < jk.probability < 0.5
    lo, hi = jk.interval
    assert lo <= jk.probability <= hi
    p = jk.pairs[0]
    assert p.drivers is not None and {"feature", "group", "contribution"} <= set(p.drivers.columns)
    assert p.neighbours is not None and p.neighbours.height == 5
    assert not ((p.neighbours["ccode1"] == ROK) & (p.neighbours["ccode2"] == JPN)).any()
    assert jk.year == F.last_input_year()
    assert any(r["feature"] == "alliance status (risk set)" for r in jk.carried_forward)


@pytest.mark.slow
def test_group_probability_combines_pairs(wh):
    from allyscope.forecast import forecast

    g = forecast(["JPN", "KOR", "PHL"], horizon=5, n_boot=N_BOOT, explain=False)
    ps = [p.probability for p in g.pairs]
    assert all(not p.allied for p in g.pairs)
    assert g.group_probability == pytest.approx(np.prod(ps))
    assert g.group_probability <= min(ps)
    lo, hi = g.group_bounds
    assert lo <= g.group_probability <= hi == pytest.approx(min(ps))
    # pairs already allied count as 1
    t = forecast(["USA", "JPN", "KOR"], horizon=5, n_boot=N_BOOT, explain=False)
    allied = {(p.ccode1, p.ccode2): p for p in t.pairs}
    assert allied[(USA, JPN)].allied and allied[(USA, ROK)].allied
    assert t.group_probability == pytest.approx(allied[(ROK, JPN)].probability)


@pytest.mark.slow
def test_trained_twice_gives_identical_predictions(wh):
    from allyscope.forecast.model import train

    risk = F.features(2010, 2010).filter(pl.col("atop_defense") == 0)
    for kind, params in (("logit", {}), ("boost", {"max_iter": 25})):
        a = train(kind, trained_through=1980, n_boot=1, params=params, save=False, refresh=True)
        b = train(kind, trained_through=1980, n_boot=1, params=params, save=False, refresh=True)
        pa, ia = a.horizon_proba(risk, 5, intervals=True)
        pb, ib = b.horizon_proba(risk, 5, intervals=True)
        assert np.array_equal(pa, pb) and np.array_equal(ia, ib)


@pytest.mark.slow
def test_saved_model_is_reused_and_keyed_by_data(wh):
    from allyscope.forecast.model import train

    a = train("logit", trained_through=1990, n_boot=1)
    assert a.path is not None and a.path.is_file()
    assert a.data_hash == wh.data_hash and a.version
    b = train("logit", trained_through=1990, n_boot=1)
    assert b.path == a.path and b.key == a.key
    assert np.array_equal(a.estimator.coef_, b.estimator.coef_)


@pytest.mark.slow
def test_learned_effects_have_the_expected_signs(wh):
    from allyscope.forecast.model import train

    fm = train("logit", n_boot=N_BOOT)
    coef = dict(zip(fm.estimator.input_names_, fm.estimator.coef_, strict=False))
    assert coef["atop_shared_allies_log"] > 0  # triadic closure
    assert coef["atop_other_obligation"] > 0  # a lesser pact first
    assert coef["capdist_log"] < 0  # distance
    assert coef["mme_joint_exercises_log"] > 0  # exercising together
    assert coef["un_idealpoint_distance"] < 0  # voting apart in the UN
    assert coef["un_kappa"] > 0


# -- scenarios -------------------------------------------------------------------------------


def test_scenarios_move_the_probability_the_expected_way(wh):
    from allyscope.forecast import scenario

    kw = {"horizon": 5, "n_boot": N_BOOT, "explain": False, "model": "logit"}
    stop = scenario(["JPN", "KOR"], {"changes": [{"exercises": "stop"}]}, **kw)
    assert stop.changed.probability < stop.baseline.probability
    more = scenario(["JPN", "KOR"], {"changes": [{"exercises": 20}]}, **kw)
    assert more.changed.probability > more.baseline.probability
    closer = scenario(["JPN", "KOR"], {"changes": [{"set": {"atop_shared_allies_log": 2.0}}]}, **kw)
    assert closer.changed.probability > closer.baseline.probability
    t = closer.table()
    assert t["change"][0] == pytest.approx(closer.delta)
    # UN voting affinity at its lowest level of the last 20 years: lower under the logit
    low = scenario(["JPN", "KOR"], {"changes": [{"un_affinity": "lowest"}]}, **kw)
    assert low.changed.probability < low.baseline.probability
    assert any("UN voting inputs as in" in n for n in low.changed.notes)


@pytest.mark.slow
def test_default_scenarios_and_yaml(wh, tmp_path):
    from allyscope.forecast import default_scenarios, load_scenario, scenario

    specs = default_scenarios(["USA", "JPN", "KOR"])
    assert [s.changes[0].kind for s in specs] == ["leader_change", "un_affinity"]
    res = scenario(["USA", "JPN", "KOR"], specs[0], n_boot=N_BOOT, explain=False)
    assert res.table().height == 4  # three pairs and the group
    y = tmp_path / "s.yaml"
    y.write_text(
        "name: test\nchanges:\n  - leader_change: [KOR]\n  - exercises: stop\n"
        "    pairs: [[JPN, KOR]]\n",
        encoding="utf-8",
    )
    sc = load_scenario(y)
    assert sc.name == "test" and [c.kind for c in sc.changes] == ["leader_change", "exercises"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  - leadr_change: [KOR]\n", encoding="utf-8")
    with pytest.raises(AllyscopeError, match="leader_change") as err:
        load_scenario(bad)
    assert "bad.yaml, change 1" in str(err.value)


# -- bad input -------------------------------------------------------------------------------


def test_bad_input_has_clear_messages(wh):
    from allyscope.forecast import forecast

    with pytest.raises(UnknownCountryError, match="Narnia"):
        forecast(["JPN", "Narnia"], n_boot=N_BOOT)
    with pytest.raises(InvalidInputError, match="horizon 11 is out of range"):
        forecast(["JPN", "KOR"], horizon=11, n_boot=N_BOOT)
    with pytest.raises(InvalidInputError, match="origin year 1900 is out of range"):
        forecast(["JPN", "KOR"], year=1900, n_boot=N_BOOT)
    with pytest.raises(InvalidInputError, match="already has an ATOP defense pact"):
        forecast(["USA", "JPN"], n_boot=N_BOOT)
    with pytest.raises(InvalidInputError, match="at least two states"):
        forecast(["JPN"], n_boot=N_BOOT)
    with pytest.raises(InvalidInputError, match="not in the state system"):
        forecast(["JPN", "KOR"], year=1947, n_boot=N_BOOT)  # South Korea from 1949


# -- backtest and command line -------------------------------------------------------------


@pytest.mark.slow
def test_reduced_backtest(wh):
    from allyscope.forecast import backtest

    res = backtest(
        ["logit", "boost"], origins=[1990, 2005], horizon=5, params={"boost": {"max_iter": 60}}
    )
    t = {r["model"]: r for r in res.table.iter_rows(named=True)}
    assert t["logit"]["roc_auc"] > 0.8 and t["boost"]["roc_auc"] > 0.8
    assert t["logit"]["pr_auc"] > t["base_rate"]["pr_auc"]
    assert t["logit"]["median_pct_rank"] > 80
    assert t["logit"]["onsets"] == t["boost"]["onsets"] > 50
    cal = res.calibration
    assert cal.filter(pl.col("model") == "logit")["n"].sum() == t["logit"]["forecasts"]
    # each origin's forecasts cover exactly the dyads at risk that year
    risk = F.features(1990, 1990).filter(pl.col("atop_defense") == 0).height
    assert (
        res.predictions.filter((pl.col("model") == "logit") & (pl.col("origin") == 1990)).height
        == risk
    )


def _cli(*args: str):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "allyscope.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=600,
    )


@pytest.mark.slow
def test_cli_forecast_and_errors(data_home, tmp_path):
    out = tmp_path / "jk.json"
    r = _cli("forecast", "JPN", "KOR", "--n-boot", str(N_BOOT), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "Japan" in r.stdout and "Drivers" in r.stdout and "carried forward" in r.stdout
    assert pl.read_json(out).height == 1
    r = _cli("forecast", "USA", "JPN", "--n-boot", str(N_BOOT))
    assert r.returncode == 2 and "already has" in r.stderr and "Traceback" not in r.stderr
    r = _cli("forecast", "JPN", "KOR", "--horizon", "0", "--n-boot", str(N_BOOT))
    assert r.returncode == 2 and "horizon" in r.stderr
    all_ = tmp_path / "all.parquet"
    r = _cli("forecast", "--all-dyads", "--year", "2018", "--n-boot", str(N_BOOT), "-o", str(all_))
    assert r.returncode == 0, r.stderr
    df = pl.read_parquet(all_)
    assert df.height == F.features(2018, 2018).filter(pl.col("atop_defense") == 0).height
    assert df["probability"].is_sorted(descending=True) and df["rank"][0] == 1


@pytest.mark.slow
def test_cli_model_evaluate(data_home, tmp_path):
    out, plot = tmp_path / "bt.csv", tmp_path / "cal.html"
    r = _cli(
        "model",
        "evaluate",
        "--models",
        "logit",
        "--from",
        "1990",
        "--to",
        "2005",
        "--step",
        "15",
        "-o",
        str(out),
        "--plot",
        str(plot),
    )
    assert r.returncode == 0, r.stderr
    t = pl.read_csv(out)
    assert set(t["model"]) == {"logit", "base_rate"}
    html = plot.read_text(encoding="utf-8")
    assert "plotly" in html.lower()
    assert not re.search(r"<script[^>]+src=[\"']https?://", html)  # nothing loaded from a CDN
    assert len(html) > 1_000_000  # plotly.js embedded, not linked
