"""Benchmark: UN voting affinity for all dyad-years and dynamic ideal points for all votes.

    ALLYSCOPE_HOME=... python bench/un.py

Each measurement runs in its own process (peak memory is that process's maximum resident
set size). Reported: (a) every affinity measure, overall and for the six issue areas, for
all dyad-years 1946-2019 (computed, not read from the cache); (b) dynamic ideal points
from all votes, per session (the 74 periods of emIRT's dynamic-model benchmark) and per
calendar year, at emIRT's stopping rule (parameters correlate above 1 - 1e-6 with their
values three iterations earlier) and at the package default (1 - 1e-8), with one and two
threads; how far each stops from the posterior mode is measured against a fit run to
1 - 1e-12. Compilation of the kernels is done (and cached on disk) before timing.
Reference: emIRT's dynIRT on the same 200 countries x 6,202 roll calls x 74 sessions
needs 229 EM iterations, about 10 s single-threaded (5 s, 2 threads).
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
    ip.fit(prob, tol=1e-2, max_iter=3)  # compile (or load) the kernels
    ip.em_update(prob, ip.initial_values(prob))
    t0, c0 = time.perf_counter(), time.process_time()
    prob = ip.prepare(d.votes, period, omega2=0.01)
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
