"""Benchmark and validation: the rhetoric layer over the whole UN General Debate corpus.

    ALLYSCOPE_HOME=... python bench/rhetoric.py [--voeten PATH] [--workers N]

Needs a fetched corpus and a built warehouse. Each timing runs in its own process:

* ``read``: stream the corpus archive from ``<home>/raw`` and check every member's
  SHA-256 against the pinned list (what ``allyscope data build`` does for this source);
* ``cold``: every rhetoric table computed from the warehouse — normalization, sentences,
  mentions (the extractor's resolver), VADER tone, threat framing, themes, TF-IDF
  similarity and text positions — without any cache, and written to the cache;
* ``warm``: in a fresh process with the cache filled, one state's query
  (``rhetoric.rhetoric(["JPN"], 2010)``) the first time and again, and a pair query.

Then the validation of text positions against Bailey–Strezhnev–Voeten ideal points
(final-passage votes, ``Idealpointestimates1946-2025.tab``): Pearson correlation per year,
with a 95% interval (Fisher z), printed as a Markdown table for ``docs/rhetoric.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def part_read() -> dict:
    from allyscope.fetch import raw_path
    from allyscope.sources import get
    from allyscope.sources.ungd import read_corpus

    src = get("ungd_speeches")
    t0, c0 = time.perf_counter(), time.process_time()
    df = read_corpus(raw_path(src))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"speeches": df.height, "seconds": wall, "cpu": cpu}


def part_cold(workers: int) -> dict:
    import tempfile

    from allyscope import config
    from allyscope.rhetoric import analysis

    config.set_home(config.home())  # keep the warehouse, use a private cache below
    cache = Path(tempfile.mkdtemp(prefix="rhetoric-bench-cache-"))
    config.cache_dir = lambda: cache  # type: ignore[assignment]
    os.environ["ALLYSCOPE_WORKERS"] = str(workers)
    import resource

    t0, c0 = time.perf_counter(), time.process_time()
    out = analysis.tables()  # cold: computes everything, writes the cache
    seconds = time.perf_counter() - t0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker processes, once ended
    cpu = time.process_time() - c0 + kids.ru_utime + kids.ru_stime
    import shutil

    shutil.rmtree(cache, ignore_errors=True)
    return {"seconds": seconds, "cpu": cpu, "rows": {k: v.height for k, v in out.items()}}


def part_warm() -> dict:
    t0 = time.perf_counter()
    from allyscope import rhetoric

    imported = time.perf_counter() - t0
    t1, c1 = time.perf_counter(), time.process_time()
    one = rhetoric.rhetoric(["JPN"], 2010)
    first, first_cpu = time.perf_counter() - t1, time.process_time() - c1
    t2 = time.perf_counter()
    rhetoric.rhetoric(["JPN"], 2010)
    again = time.perf_counter() - t2
    t3 = time.perf_counter()
    pair = rhetoric.rhetoric(["JPN", "KOR"], 2010)
    pair_s = time.perf_counter() - t3
    t4 = time.perf_counter()
    th = rhetoric.themes(["USA", "JPN", "KOR"], "rules-based order")
    themes_s = time.perf_counter() - t4
    return {
        "import": imported,
        "one_state_first": first,
        "one_state_first_cpu": first_cpu,
        "one_state_again": again,
        "one_state_rows": one.dyads.height,
        "pair": pair_s,
        "pair_rows": pair.dyads.height,
        "themes": themes_s,
        "themes_rows": th.salience.height,
    }


def _run(part: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--part", part, *args], capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"part {part} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def validation(voeten: Path) -> str:
    import math

    import polars as pl

    from allyscope import rhetoric

    v = pl.read_csv(voeten, separator="\t", infer_schema_length=0).select(
        pl.col("ccode").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        pl.col("IdealPointFP").cast(pl.Float64).alias("ideal"),
    )
    pos = rhetoric.positions().drop_nulls("ccode").join(v, on=["ccode", "year"])
    r = pos.group_by("year").agg(pl.corr("position", "ideal").alias("r"), pl.len().alias("n"))
    r = r.sort("year")
    lines = ["| year | states | r | 95% interval |", "|---|---:|---:|---|"]
    for year, corr, n in r.select("year", "r", "n").iter_rows():
        z, se = math.atanh(corr), 1 / math.sqrt(n - 3)
        lo, hi = math.tanh(z - 1.96 * se), math.tanh(z + 1.96 * se)
        lines.append(f"| {year} | {n} | {corr:.2f} | {lo:.2f} – {hi:.2f} |")
    pos_share = float((r["r"] > 0).cast(pl.Float64).mean() or 0.0)
    median_r = float(r["r"].cast(pl.Float64).median() or 0.0)
    decades = (
        r.with_columns((pl.col("year") // 10 * 10).alias("decade"))
        .group_by("decade")
        .agg(pl.col("r").median().alias("median_r"), (pl.col("r") > 0).mean().alias("pos"))
        .sort("decade")
    )
    summary = [
        f"years compared: {r.height}; r > 0 in {pos_share:.0%} of them; median r {median_r:.2f}",
        "",
        "| decade | median r | years with r > 0 |",
        "|---|---:|---:|",
        *[f"| {d}s | {m:.2f} | {p:.0%} |" for d, m, p in decades.iter_rows()],
    ]
    # where they disagree: states whose speeches sit far from their votes, 2015-2024
    # (both measures standardized within the year; mean gap over the years both exist)
    recent = (
        pos.filter(pl.col("year") >= 2015)
        .with_columns(
            ((pl.col(c) - pl.col(c).mean()) / pl.col(c).std()).over("year").alias(f"z_{c}")
            for c in ("position", "ideal")
        )
        .group_by("iso3")
        .agg((pl.col("z_position") - pl.col("z_ideal")).mean().alias("gap"), pl.len().alias("n"))
        .filter(pl.col("n") >= 5)
        .sort("gap")
    )
    text_west = ", ".join(f"{i} ({g:+.1f})" for i, g, _ in recent.tail(8).reverse().iter_rows())
    votes_west = ", ".join(f"{i} ({g:+.1f})" for i, g, _ in recent.head(8).iter_rows())
    weak = ", ".join(str(y) for y in r.filter(pl.col("r") <= 0.2)["year"].to_list())
    gaps = [
        "",
        f"years with r <= 0.2: {weak}",
        "",
        "2015-2024, mean gap (text position - ideal point, within-year standard units):",
        f"speeches further toward the founding NATO members than their votes: {text_west}",
        f"votes further toward the West than their speeches: {votes_west}",
    ]
    return "\n".join(summary + gaps + ["", *lines])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--voeten", type=Path, default=None)
    a = ap.parse_args()
    if a.part == "read":
        print(json.dumps(part_read()))
        return
    if a.part == "cold":
        print(json.dumps(part_cold(a.workers)))
        return
    if a.part == "warm":
        print(json.dumps(part_warm()))
        return
    load = os.getloadavg()
    print(f"nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    read = _run("read")
    print(
        f"read + check the archive: {read['seconds']:.1f} s wall, {read['cpu']:.1f} s CPU "
        f"({read['speeches']:,} speeches)"
    )
    cold = _run("cold", "--workers", str(a.workers))
    print(
        f"cold, all tables ({a.workers} worker processes): {cold['seconds']:.1f} s wall, "
        f"{cold['cpu']:.1f} s CPU (main process and workers)"
    )
    print("  rows: " + ", ".join(f"{k} {v:,}" for k, v in cold["rows"].items()))
    from allyscope.rhetoric import analysis

    analysis.tables()  # fill the shared cache for the warm run
    warm = _run("warm")
    print(
        f"warm, fresh process: import {warm['import']:.2f} s; one state (JPN, 2010-) "
        f"{warm['one_state_first']:.2f} s first ({warm['one_state_first_cpu']:.2f} s CPU), "
        f"{warm['one_state_again']:.3f} s again "
        f"({warm['one_state_rows']:,} rows); pair {warm['pair']:.3f} s; "
        f"themes {warm['themes']:.3f} s"
    )
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if a.voeten is not None:
        print()
        print(validation(a.voeten))


if __name__ == "__main__":
    main()
