"""Time a full warehouse build from the data mirror.

    ALLYSCOPE_MIRROR=../shared/data python bench/build.py [--repeat 3]

Fetches (copies) every file from the mirror into a fresh temporary data directory, then
builds the warehouse; prints the time of each step, the build's peak memory and `nproc`.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mirror = os.environ.get("ALLYSCOPE_MIRROR")
    if not mirror:
        sys.exit("set ALLYSCOPE_MIRROR to the data mirror, e.g. ../shared/data")

    from allyscope import config
    from allyscope.fetch import fetch
    from allyscope.store import build

    print(f"nproc: {os.cpu_count()}  python: {sys.version.split()[0]}")
    fetch_times, build_times = [], []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            config.set_home(Path(tmp))
            t0 = time.perf_counter()
            fetch(mirror=mirror)
            t1 = time.perf_counter()
            report = build()
            t2 = time.perf_counter()
            fetch_times.append(t1 - t0)
            build_times.append(t2 - t1)
            rows = sum(report.tables.values())
            print(
                f"run {i + 1}: fetch {t1 - t0:5.2f} s  build {t2 - t1:5.2f} s  "
                f"({len(report.tables)} tables, {rows:,} rows)"
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"best: fetch {min(fetch_times):.2f} s, build {min(build_times):.2f} s, "
        f"fetch+build {min(f + b for f, b in zip(fetch_times, build_times, strict=True)):.2f} s "
        f"(target < 30 s); peak RSS {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
