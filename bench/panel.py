"""Benchmark: the full non-directed COW dyad-year panel 1816-2016 with eight add-ons.

    ALLYSCOPE_HOME=... python bench/panel.py [--repeat 5] [--cold-runs 3]

The pipeline is the one peacesciencer users write as

    create_dyadyears(directed = FALSE, mry = FALSE) %>% add_atop_alliance() %>% add_nmc() %>%
      add_contiguity() %>% add_igos() %>% add_minimum_distance() %>%
      add_strategic_rivalries() %>% add_cow_majors() %>% add_gml_mids()

Times exclude interpreter start-up and module imports (reported separately).
*cold*: the first build in a fresh process (opens the warehouse, reads every source,
reads or builds the dyad frame); each cold run is a new interpreter. *warm*: later builds in the
same process, which reuse the in-memory dyad frame and source tables. Peak memory is the
process's maximum resident set size. CPU time (all threads) is printed too: on a shared
machine the wall-clock figures rise with the load average, CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ADDONS = ["atop", "nmc", "contiguity", "igo", "mindist", "td_rivalries", "majors", "gml_mids"]
EXPECTED_ROWS = 956_145
PEACESCIENCER_SECONDS = 7.8  # peacesciencer 1.1.0 (R) for the same pipeline, same kind of machine


def build():
    from allyscope.panel import dyad_years

    p = dyad_years("cow", directed=False, years=(1816, 2016))
    for name in ADDONS:
        p = p.add(name)
    return p


def once() -> dict[str, float]:
    """One cold run inside this (fresh) process."""
    t0 = time.perf_counter()
    import polars  # noqa: F401
    import pyarrow  # noqa: F401

    import allyscope.panel  # noqa: F401
    from allyscope.store import open_warehouse

    imports = time.perf_counter() - t0
    t1, c1 = time.perf_counter(), time.process_time()
    open_warehouse()
    p = build()
    cold, cold_cpu = time.perf_counter() - t1, time.process_time() - c1
    return {
        "imports": imports,
        "cold": cold,
        "cold_cpu": cold_cpu,
        "rows": p.height,
        "columns": len(p.columns),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cold-runs", type=int, default=3, help="fresh interpreters for cold runs")
    ap.add_argument("--repeat", type=int, default=5, help="warm builds in this process")
    ap.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:
        print(json.dumps(once()))
        return

    import duckdb
    import polars as pl

    print(f"nproc {os.cpu_count()} · polars {pl.__version__} · duckdb {duckdb.__version__}")
    print(f"pipeline: dyad_years('cow', directed=False, years=(1816, 2016)) + {', '.join(ADDONS)}")

    # the first fresh process also rebuilds the dyad frame (its Parquet copy is removed);
    # the later ones read it from <home>/cache like any later command would
    from allyscope import config

    for f in config.cache_dir().glob("dyad_years-*.parquet"):
        f.unlink()
    cold_runs = []
    for _ in range(args.cold_runs):
        out = subprocess.run(
            [sys.executable, __file__, "--once"], capture_output=True, text=True, check=True
        )
        cold_runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    rows = {r["rows"] for r in cold_runs}
    if rows != {EXPECTED_ROWS}:
        raise SystemExit(f"unexpected row count {rows}, expected {EXPECTED_ROWS:,}")

    # warm: this process
    build()
    warm, warm_cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        p = build()
        warm.append(time.perf_counter() - t)
        warm_cpu.append(time.process_time() - c)
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        *(r["peak_rss_mb"] for r in cold_runs),
    )
    cold = [r["cold"] for r in cold_runs]
    cold_cpu = [r["cold_cpu"] for r in cold_runs]
    imports = [r["imports"] for r in cold_runs]
    print(f"rows {p.height:,} (expected {EXPECTED_ROWS:,}) · columns {len(p.columns)}")
    print(f"imports          median {statistics.median(imports):.3f} s")
    print(
        f"cold build       median {statistics.median(cold):.3f} s  "
        f"(min {min(cold):.3f}, max {max(cold):.3f}, {len(cold)} fresh processes; "
        f"first, without the cached dyad frame: {cold[0]:.3f} s)"
    )
    print(
        f"warm build       median {statistics.median(warm):.3f} s  "
        f"(min {min(warm):.3f}, max {max(warm):.3f}, {len(warm)} runs)"
    )
    print(
        f"CPU time         cold median {statistics.median(cold_cpu):.3f} s, "
        f"warm median {statistics.median(warm_cpu):.3f} s (all threads)"
    )
    load = os.getloadavg()[0]
    print(f"peak memory      {peak:.0f} MB (max resident set size) · load average {load:.1f}")
    print(
        f"vs peacesciencer {PEACESCIENCER_SECONDS} s: cold {PEACESCIENCER_SECONDS / statistics.median(cold):.1f}x, "
        f"warm {PEACESCIENCER_SECONDS / statistics.median(warm):.1f}x faster"
    )


if __name__ == "__main__":
    main()
