"""Start-up time of the command line: `allyscope --version` and `allyscope --help`.

Prints the median wall time of several runs of each (fresh processes), the slowest imports
behind `--help` (from `python -X importtime`), the machine's core count and load average.

    uv run python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXE = Path(sys.executable).with_name("allyscope")
HELP_IMPORTS = "import allyscope.cli as c; c.register_commands()"


def wall(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def slowest_imports(n: int = 12) -> list[tuple[int, str]]:
    """Cumulative import time (µs) of the top-level packages loaded behind --help."""
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", HELP_IMPORTS],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split(":", 1)[1].split("|")
        if not name[1:].startswith(" "):  # top level only (nested imports are indented)
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    load = os.getloadavg()
    print(f"nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"allyscope --version: {wall([str(EXE), '--version'], a.runs):.2f} s (median of {a.runs})"
    )
    print(f"allyscope --help:    {wall([str(EXE), '--help'], a.runs):.2f} s (median of {a.runs})")
    print(
        f"python -c pass:      {wall([sys.executable, '-c', 'pass'], a.runs):.2f} s (interpreter)"
    )
    print("slowest top-level imports behind --help (cumulative ms):")
    for us, name in slowest_imports():
        print(f"  {us / 1000:7.1f}  {name}")


if __name__ == "__main__":
    main()
