"""Benchmark: UN voting affinity for all dyad-years and dynamic ideal points for all votes.

    ALLYSCOPE_HOME=... python bench/un.py

Each measurement runs in its own process (peak memory is that process's maximum resident
set size). Reported: (a) every affinity measure, overall and for the six issue areas, for
all dyad-years 1946-2019 (computed, not read from the cache); (b) dynamic ideal points
from all votes, per session (the 74 periods of emIRT's dynamic-model benchmark) and per
calendar year, at emIRT's stopping rule (successive parameters correlate above 1 - 1e-6)
and at the package default (1 - 1e-8). Compilation of the EM kernels is done (and cached
on disk) before timing. Reference: emIRT's dynIRT on the same 200 countries x 6,202 roll
calls x 74 sessions needs 229 EM iterations, about 10 s single-threaded (5 s, 2 threads).
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
    prob = ip.prepare(d.votes, period, omega2=0.01)
    ip.em_update(prob, ip.initial_values(prob))  # compile (or load) the kernels
    t0, c0 = time.perf_counter(), time.process_time()
    prob = ip.prepare(d.votes, period, omega2=0.01)
    f = ip.fit(prob, tol=tol)
    ip.identify(prob, f)
    sd = ip.posterior_sd(prob, f)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.save(os.path.join(os.environ["UN_BENCH_DIR"], f"x-{period}-{tol:g}.npy"), f.x)
    return {
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


def _main(tmp: str) -> None:
    print(f"nproc: {os.cpu_count()}  (load average {os.getloadavg()[0]:.1f})")
    a = _child("affinity")
    print(
        f"(a) affinity, all measures x (overall + 6 issues), {a['dyad_years']:,} dyad-years "
        f"({a['rows']:,} rows): {a['wall']:.2f} s wall, {a['cpu']:.2f} s CPU, "
        f"peak {a['peak_mb']:.0f} MB"
    )
    for period, tol, threads in [
        ("session", 1e-6, 1),
        ("session", 1e-6, 2),
        ("session", 1e-8, 2),
        ("year", 1e-8, 2),
    ]:
        r = _child("idealpoints", period, str(tol), str(threads))
        print(
            f"(b) ideal points by {period} ({r['countries']} states x {r['rollcalls']:,} contested "
            f"roll calls x {r['periods']} {period}s, {r['votes']:,} votes), stop at corr > 1-{tol:g}, "
            f"{threads} thread(s): {r['iterations']} EM iterations, converged={r['converged']}, "
            f"{r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, peak {r['peak_mb']:.0f} MB"
        )
    import numpy as np

    loose = np.load(os.path.join(tmp, "x-session-1e-06.npy"))
    tight = np.load(os.path.join(tmp, "x-session-1e-08.npy"))
    keep = (loose != 0) | (tight != 0)
    print(
        "    positions at 1-1e-6 vs 1-1e-8 (sessions): correlation "
        f"{np.corrcoef(loose[keep], tight[keep])[0, 1]:.4f}, "
        f"max abs difference {np.abs(loose - tight)[keep].max():.3f}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--part":
        what = sys.argv[2]
        if what == "affinity":
            res = part_affinity()
        else:
            res = part_idealpoints(sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
        print(json.dumps(res))
    else:
        main()
