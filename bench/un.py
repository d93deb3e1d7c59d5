"""Benchmark: UN voting affinity for all dyad-years, dynamic ideal points for all votes, and
their agreement with Bailey, Strezhnev and Voeten's published ideal points.

    ALLYSCOPE_HOME=... python bench/un.py [--skip-timing]

Each measurement runs in its own process (peak memory is that process's maximum resident
set size). Reported: (a) every affinity measure, overall and for the six issue areas, for
all dyad-years 1946-2021 (computed, not read from the cache); (b) dynamic ideal points
from all votes (the default model: roll calls on nuclear weapons split for the states that
have tested one), per session and per calendar year, at emIRT's stopping rule (parameters
correlate above 1 - 1e-6 with their values three iterations earlier) and at the package
default (1 - 1e-8), with one and two threads; how far each stops from the posterior mode is
measured against a fit run to 1 - 1e-12. Compilation of the kernels is done (and cached on
disk) before timing. Reference: emIRT's dynIRT on the 200 countries x 6,202 roll calls x 74
sessions of 1946-2019 needs 229 EM iterations, about 10 s single-threaded (5 s, 2 threads).
(c) the median within-year correlation (Pearson and Spearman) of the positions by calendar
year with Voeten's final-passage estimates (April 2026 release) and with the July 2025
release's final-passage and all-votes runs, for 1946-2019 (unvotes) and 2020-2021 (UN
Digital Library), with and without the split; as a yardstick, the same correlations
between Voeten's own final-passage and all-votes runs.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def part_affinity() -> dict:
    from allyscope.un import affinity, data

    d = data.load()
    t0, c0 = time.perf_counter(), time.process_time()
    df = affinity.compute(d, period="year", issues=data.check_issues(None))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    overall = df.filter(df["issue"] == "all").height
    return {
        "rows": df.height,
        "dyad_years": overall,
        "wall": wall,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
    }


def part_idealpoints(period: str, tol: float, threads: int) -> dict:
    import numba
    import numpy as np

    from allyscope.un import data
    from allyscope.un import idealpoints as ip

    numba.set_num_threads(threads)
    d = data.load()
    prob = ip.layout(d, period, omega2=0.01)
    ip.fit(prob, tol=1e-2, max_iter=3)  # compile (or load) the kernels
    ip.em_update(prob, ip.initial_values(prob))
    t0, c0 = time.perf_counter(), time.process_time()
    prob = ip.layout(d, period, omega2=0.01)
    f = ip.fit(prob, tol=tol)
    ip.identify(prob, f)
    sd = ip.posterior_sd(prob, f)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.save(os.path.join(os.environ["UN_BENCH_DIR"], f"x-{period}-{tol:g}.npy"), f.x)
    return {
        "method": ip.fit.__kwdefaults__["method"],
        "period": period,
        "tol": tol,
        "threads": threads,
        "iterations": f.iterations,
        "converged": f.converged,
        "log_posterior": f.log_posterior,
        "countries": prob.shape[0],
        "periods": prob.shape[1],
        "rollcalls": len(prob.rcids),
        "votes": len(prob.cell),
        "wall": wall,
        "cpu": cpu,
        "peak_mb": _peak_mb(),
        "sd_ok": bool(np.isfinite(sd).all()),
    }


SPANS = {"1946-2019": (1946, 2019), "1990-2019": (1990, 2019), "2020-2021": (2020, 2021)}


def part_voeten() -> dict:
    import numpy as np
    import polars as pl

    from allyscope.store import open_warehouse
    from allyscope.un import compare, data
    from allyscope.un import idealpoints as ip

    wh = open_warehouse()
    d = data.load(wh)
    runs = {k: compare.voeten(wh, k) for k in compare.VOETEN_RUNS}
    out: dict = {"ours": {}, "yardstick": {}}
    for dif in ("nuclear", "none"):
        prob = ip.layout(d, "year", omega2=0.01, dif=dif)
        f = ip.fit(prob)
        ip.identify(prob, f)
        nc, T = prob.shape
        ci, ti = np.nonzero(prob.n_cell.reshape(nc, T) > 0)
        table = pl.DataFrame(
            {
                "ccode": prob.ccodes[ci].astype(np.int32),
                "year": prob.periods[ti].astype(np.int32),
                "idealpoint": f.x[ci, ti],
            }
        )
        for run, ref in runs.items():
            cors = compare.within_year_correlations(table, ref)
            out["ours"][f"{dif}:{run}"] = {
                span: compare.median_correlations(cors, years) for span, years in SPANS.items()
            }
    cors = compare.within_year_correlations(
        runs["jul2025_fp"].rename({"voeten": "fp"}), runs["jul2025_all"], col_a="fp"
    )
    out["yardstick"] = {
        span: compare.median_correlations(cors, years) for span, years in SPANS.items()
    }
    return out


def _child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--part", *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["UN_BENCH_DIR"] = tmp
        _main(tmp)


def _print_voeten() -> None:
    v = _child("voeten")
    names = {
        "fp": "Voeten final passage (Apr 2026)",
        "jul2025_fp": "Voeten final passage (Jul 2025)",
        "jul2025_all": "Voeten all votes (Jul 2025)",
    }

    def fmt(m: dict) -> str:
        return (
            f"Pearson {m['pearson']:.3f} (lowest {m['pearson_min']:.3f}), "
            f"Spearman {m['spearman']:.3f} (lowest {m['spearman_min']:.3f}), "
            f"{m['years']:.0f} years"
        )

    print("(c) median within-year correlation of the ideal points by year with Voeten's")
    for key, spans in v["ours"].items():
        dif, run = key.split(":")
        label = "nuclear roll calls split" if dif == "nuclear" else "one model for all"
        for span, m in spans.items():
            print(f"    {label:26s} vs {names[run]:33s} {span}: {fmt(m)}")
    for span, m in v["yardstick"].items():
        print(f"    yardstick: Voeten final passage vs all votes (Jul 2025)  {span}: {fmt(m)}")


def _main(tmp: str) -> None:
    print(f"nproc: {os.cpu_count()}  (load average {os.getloadavg()[0]:.1f})")
    if "--skip-timing" in sys.argv:
        _print_voeten()
        return
    a = _child("affinity")
    print(
        f"(a) affinity, all measures x (overall + 6 issues), {a['dyad_years']:,} dyad-years "
        f"({a['rows']:,} rows): {a['wall']:.2f} s wall, {a['cpu']:.2f} s CPU, "
        f"peak {a['peak_mb']:.0f} MB"
    )
    for period, tol, threads in [
        ("session", 1e-6, 1),
        ("session", 1e-6, 2),
        ("session", 1e-8, 1),
        ("session", 1e-8, 2),
        ("year", 1e-6, 2),
        ("year", 1e-8, 2),
        ("session", 1e-12, 2),
        ("year", 1e-12, 2),
    ]:
        r = _child("idealpoints", period, str(tol), str(threads))
        print(
            f"(b) ideal points by {period} ({r['countries']} states x {r['rollcalls']:,} contested "
            f"roll calls x {r['periods']} {period}s, {r['votes']:,} votes), stop at corr > 1-{tol:g}, "
            f"{threads} thread(s): {r['iterations']} iterations ({r['method']}), "
            f"converged={r['converged']}, {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, "
            f"peak {r['peak_mb']:.0f} MB"
        )
    import numpy as np

    def load(period: str, tol: float) -> np.ndarray:
        return np.load(os.path.join(tmp, f"x-{period}-{tol:g}.npy"))

    for period in ("session", "year"):
        mode = load(period, 1e-12)
        for tol in (1e-6, 1e-8):
            x = load(period, tol)
            keep = (x != 0) | (mode != 0)
            per = [
                np.corrcoef(x[keep[:, t], t], mode[keep[:, t], t])[0, 1]
                for t in range(x.shape[1])
                if keep[:, t].sum() > 2
            ]
            print(
                f"    positions by {period} at 1-{tol:g} vs the mode (1-1e-12): correlation "
                f"{np.corrcoef(x[keep], mode[keep])[0, 1]:.6f} (lowest in a {period}: "
                f"{min(per):.6f}), max abs difference {np.abs(x - mode)[keep].max():.4f}"
            )
    _print_voeten()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--part":
        what = sys.argv[2]
        if what == "affinity":
            res = part_affinity()
        elif what == "voeten":
            res = part_voeten()
        else:
            res = part_idealpoints(sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
        print(json.dumps(res))
    else:
        main()
