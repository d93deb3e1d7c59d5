"""Benchmark: building the features, training on all data, forecasting every dyad.

Run with a built warehouse (``ALLYSCOPE_HOME`` pointing at it)::

    python bench/forecast.py            # both models, 20 bootstrap refits each

Targets (2 cores): training on all data under 2 minutes, the all-dyad forecast for one
year under 5 seconds. Models are trained fresh (not loaded from ``<home>/models``) and not
saved, so the figures are training times.
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="logit,boost")
    ap.add_argument("--n-boot", type=int, default=20)
    ap.add_argument("--year", type=int, default=2018)
    args = ap.parse_args()

    import polars as pl

    from allyscope.forecast import feature_table, model
    from allyscope.forecast.data import training_table

    print(f"nproc: {os.cpu_count()}  (sched_getaffinity: {len(os.sched_getaffinity(0))})")

    t0 = time.perf_counter()
    ip = feature_table._yearly_positions(1946, 2019)
    print(
        f"yearly UN positions 1946-2019 ({ip.height:,} state-years, uncached): "
        f"{time.perf_counter() - t0:6.1f} s"
    )
    t0 = time.perf_counter()
    feats = feature_table.compute_features(
        feature_table.FIRST_INFO_YEAR, feature_table.last_input_year()
    )
    t_feat = time.perf_counter() - t0
    print(
        f"features, all dyad-years 1945-{feature_table.last_input_year()} "
        f"({feats.height:,} rows; UN affinity and positions cached): {t_feat:6.1f} s"
    )
    t0 = time.perf_counter()
    tab = training_table("defense")
    print(
        f"training table ({tab.height:,} dyad-years at risk, {tab['onset'].sum():,} onsets, "
        f"features cached): {time.perf_counter() - t0:6.1f} s"
    )

    risk = feats.filter((pl.col("year") == args.year) & (pl.col("atop_defense") == 0))
    for kind in args.models.split(","):
        t0 = time.perf_counter()
        fm = model.train(kind, n_boot=0, save=False, refresh=True)
        t_point = time.perf_counter() - t0
        t0 = time.perf_counter()
        fm = model.train(kind, n_boot=args.n_boot, save=False, refresh=True)
        t_all = time.perf_counter() - t0
        t0 = time.perf_counter()
        _ = fm.horizon_proba(risk, 5)
        t_pred = time.perf_counter() - t0
        t0 = time.perf_counter()
        _, _ = fm.horizon_proba(risk, 5, intervals=True)
        t_pred_iv = time.perf_counter() - t0
        print(
            f"{kind:5s}: train {t_point:6.1f} s (point model), {t_all:6.1f} s (with "
            f"{args.n_boot} bootstrap refits); forecast {risk.height:,} dyads x 5 years: "
            f"{t_pred:5.2f} s, with intervals {t_pred_iv:5.2f} s"
        )


if __name__ == "__main__":
    main()
