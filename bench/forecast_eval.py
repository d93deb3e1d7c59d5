"""The figures of docs/forecast.md on calibration, treaty-level skill, theory inputs and the
2019-2025 test, and the timings behind them.

Run with a built warehouse (``ALLYSCOPE_HOME`` pointing at it)::

    python bench/forecast_eval.py                    # every part
    python bench/forecast_eval.py --parts rolling    # one part: rolling, prospective,
                                                     # theory, today, timing

``rolling``: the rolling-origin backtest (origins 1970 to the last outcome year minus the
horizon), raw against each recalibration (Platt, beta, isotonic, and the one chosen out of
sample at each origin), Brier skill with its cluster-bootstrap interval, event-level
ROC/PR, the reliability table, accessions against new pacts. ``prospective``: origin 2018,
horizon 7, trained through 2018, against the onsets of 2019-2025 in the alliance records.
``theory``: institutionalization and neutrality effects. ``today``: the published JPN-KOR
and USA-JPN-KOR forecasts. ``timing``: training with calibration from scratch and scoring
every dyad at risk with intervals (nproc and load printed beside them). Backtests are
cached in the data home after the first run; ``timing`` always refits.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

PARTS = ("rolling", "prospective", "theory", "today", "timing")


def _machine() -> str:
    load = os.getloadavg()
    return f"nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def _pct(v: float | None, d: int = 1) -> str:
    return "–" if v is None else f"{100 * v:.{d}f}%"


def rolling(models: list[str], outcome: str, horizon: int, n_boot: int) -> None:
    import polars as pl

    from allyscope.forecast.backtesting import backtest, default_origins
    from allyscope.forecast.evaluation import evaluate, summary_table

    origins = default_origins(horizon)
    res = backtest(models, outcome, origins, horizon)
    ev = evaluate(res, n_boot=n_boot)
    print(
        f"\n== Rolling-origin evaluation: {outcome}, horizon {horizon}, origins "
        f"{origins[0]}-{origins[-1]}; scored origins {ev.origins[0]}-{ev.origins[-1]} "
        f"(those with closed windows to recalibrate on); "
        f"{ev.events['event'].n_unique()} treaty events ({ev.events.height} onset dyads); "
        f"{ev.level:.0%} cluster-bootstrap intervals, {n_boot} replicates"
    )
    with pl.Config(tbl_rows=100, tbl_cols=20, fmt_str_lengths=40, tbl_width_chars=250):
        print(summary_table(ev))
        s = ev.scores.select(
            "model", "method", "onsets", "events", "median_pct_rank", "top5pct_share"
        )
        print(s)
        from allyscope.forecast.outcome import OUTCOME_LAST
        from allyscope.forecast.published import calibration

        for m in models:
            cal = calibration(m, outcome, horizon, OUTCOME_LAST)
            print(
                f"{m}: calibration chosen for forecasts trained through {OUTCOME_LAST}: "
                f"{cal.method} (lowest out-of-sample log loss, then Brier, over the origins "
                f"{cal.origins[0]}-{cal.origins[-1]})"
            )
        print("\nReliability (raw and selected):")
        print(
            ev.reliability.select(
                "model",
                "method",
                "bin",
                "n",
                "onsets",
                "events",
                pl.col("mean_forecast").round(4),
                pl.col("observed").round(4),
                pl.col("observed_lo").round(4),
                pl.col("observed_hi").round(4),
                "covers",
            )
        )
        if ev.by_kind.height:
            print("\nAccessions to existing pacts vs new pacts (selected calibration):")
            cols = ["roc_auc", "event_roc_auc", "median_pct_rank", "top5pct_share"]
            print(
                ev.by_kind.select(
                    "model",
                    "kind",
                    "onsets",
                    "events",
                    *[
                        pl.format(
                            "{} [{}, {}]",
                            pl.col(c).round(3),
                            pl.col(f"{c}_lo").round(3),
                            pl.col(f"{c}_hi").round(3),
                        ).alias(c)
                        if f"{c}_lo" in ev.by_kind.columns
                        else pl.col(c).round(3)
                        for c in cols
                    ],
                )
            )
    for model, g in ev.target.items():
        lo, hi = g["brier_skill_interval"]
        print(
            f"calibration target, {model}: Brier skill {g['brier_skill']:+.4f} [{lo:+.4f}, {hi:+.4f}]; bins "
            f"cover the diagonal: {g['bins_cover_diagonal']} (missing: "
            f"{g['bins_missing_diagonal']}); met: {g['met']}"
        )


def prospective(model: str, outcome: str) -> None:
    import polars as pl

    from allyscope.forecast.prospective import prospective as run

    r = run(2018, 7, model=model, outcome=outcome)
    print(
        f"\n== Pseudo-prospective 2019-2025: origin 2018, horizon 7, {outcome}, model {r.model}, "
        "trained and calibrated through 2018"
    )
    for k, v in r.summary.items():
        print(f"  {k}: {v:.4g}" if isinstance(v, float) else f"  {k}: {v}")
    with pl.Config(tbl_rows=60, tbl_cols=20, fmt_str_lengths=40, tbl_width_chars=250):
        print(
            r.onsets.select(
                "rank",
                "state1",
                "state2",
                "onset_year",
                "kind",
                pl.col("percentile").round(1),
                pl.col("probability").round(4),
                pl.col("lower").round(4),
                pl.col("upper").round(4),
                pl.col("raw_probability").round(4),
            )
        )
        print(r.events)
        print("top 15 forecasts:")
        print(
            r.ranking.head(15).select(
                "rank", "state1", "state2", pl.col("probability").round(4), "onset"
            )
        )


def theory(outcome: str) -> None:
    import polars as pl

    from allyscope.forecast.effects import institutionalization_effects
    from allyscope.forecast.model import train

    print(f"\n== Institutionalization -> formalization ({outcome}), cluster-bootstrap intervals")
    eff = institutionalization_effects(outcome)
    with pl.Config(tbl_rows=20, tbl_cols=30, fmt_str_lengths=60, tbl_width_chars=250):
        print(eff)
    fm = train("logit", outcome)
    coefs = pl.DataFrame(fm.estimator.coefficients())
    print("\nNeutrality and the other theory inputs in the onset logit (per SD):")
    print(
        coefs.filter(
            pl.col("input").str.contains("neutral|dcad|mech_|voeten|missing|covered")
        ).with_columns((pl.col("coef") / pl.col("se")).round(2).alias("z"))
    )
    neutral_pairs(outcome)


def neutral_pairs(outcome: str) -> None:
    """Where pairs of neutral European states rank among all dyads at risk at 2018."""
    import polars as pl

    from allyscope.forecast.predict import forecast_all

    df = forecast_all(2018, 5, outcome=outcome)
    pairs = {("SWZ", "AUS"), ("AUS", "IRE"), ("SWZ", "IRE"), ("FIN", "SWD"), ("SWD", "NOR")}
    names = {
        "SWZ": "Switzerland",
        "AUS": "Austria",
        "IRE": "Ireland",
        "FIN": "Finland",
        "SWD": "Sweden",
        "NOR": "Norway",
    }
    print("\nPairs of (formerly) neutral states at origin 2018, horizon 5:")
    for a, b in sorted(pairs):
        row = df.filter(
            ((pl.col("state1") == names[a]) & (pl.col("state2") == names[b]))
            | ((pl.col("state1") == names[b]) & (pl.col("state2") == names[a]))
        )
        if row.height:
            r = row.row(0, named=True)
            print(
                f"  {names[a]}-{names[b]}: {_pct(r['probability'])}, rank {r['rank']:,} of "
                f"{df.height:,} (percentile {r['percentile']:.1f})"
            )


def today() -> None:
    from allyscope.forecast.predict import forecast

    print("\n== Published forecasts (default origin: the last year any input covers)")
    for group in (["JPN", "KOR"], ["USA", "JPN", "KOR"]):
        f = forecast(group, horizon=5)
        iv = f.interval
        print(
            f"{'-'.join(group)}: origin {f.year}, horizon 5: {_pct(f.probability)} "
            f"({_pct(iv[0]) if iv else '–'}–{_pct(iv[1]) if iv else '–'}), calibration "
            f"{f.model.get('calibration')}, raw {_pct(f.group_raw_probability)}"
        )
        for p in f.pairs:
            if p.headline is not None:
                print(f"  {p.label}: {p.headline.describe()}")
            else:
                print(f"  {p.label}: allied {p.allied}")
        if f.headline is not None:
            print(f"  information date {f.headline.information_date.isoformat()}")


def timing(model: str, outcome: str) -> None:
    from allyscope.forecast import model as model_mod
    from allyscope.forecast.backtesting import default_origins, model_backtest
    from allyscope.forecast.calibration import rolling_recalibration
    from allyscope.forecast.predict import forecast_all
    from allyscope.forecast.published import calibration

    print(f"\n== Timing of {model}, everything computed afresh ({_machine()})")
    origins = default_origins(5)
    t0 = time.perf_counter()
    fm = model_mod.train(model, outcome, n_boot=20, refresh=True, save=False)
    t1 = time.perf_counter()
    preds = model_backtest(fm.kind, outcome, origins, 5, refresh=True)
    t2 = time.perf_counter()
    rolling_recalibration(preds, 5)
    t3 = time.perf_counter()
    cal = calibration(fm.kind, outcome, 5, fm.trained_through, n_boot=20, refresh=True)
    t4 = time.perf_counter()
    print(f"training {fm.kind} on all data with 20 bootstrap refits: {t1 - t0:7.1f} s")
    print(f"rolling backtest, {len(origins)} origins {origins[0]}-{origins[-1]}: {t2 - t1:7.1f} s")
    print(f"rolling recalibration (3 methods at every origin):     {t3 - t2:7.1f} s")
    print(
        f"calibration through {fm.trained_through} ({cal.method}, 20 bootstrap calibrators, "
        f"recalibration recomputed): {t4 - t3:7.1f} s"
    )
    t0 = time.perf_counter()
    df = forecast_all(None, 5, model=model, outcome=outcome, intervals=True)
    t1 = time.perf_counter()
    print(
        f"all {df.height:,} dyads at risk in {int(df['year'][0])}, calibrated, with intervals: "
        f"{t1 - t0:6.1f} s (model and calibration fitted)"
    )
    print(f"after: {_machine()}")


def main(argv: Any = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default=",".join(PARTS))
    ap.add_argument("--models", default="logit,boost")
    ap.add_argument("--outcome", default="defense")
    ap.add_argument("--horizon", type=int, default=5)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args(argv)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    print(_machine())
    if "rolling" in parts:
        rolling(models, args.outcome, args.horizon, args.n_boot)
    if "prospective" in parts:
        for m in models:
            prospective(m, args.outcome)
    if "theory" in parts:
        theory(args.outcome)
    if "today" in parts:
        today()
    if "timing" in parts:
        for m in models:
            timing(m, args.outcome)


if __name__ == "__main__":
    main()
