"""Fresh locked install and fast test tier: how long a new machine waits.

    python bench/environment.py                 # install (cold and warm uv cache) + fast tier
    python bench/environment.py --skip-install  # fast tier only

Install: ``uv sync --locked --extra test`` into a new virtual environment, first with an
empty uv cache (every wheel downloaded), then again into another new environment with
the cache that run filled. Fast tier: ``pytest -m "not data and not browser"`` with
``CI=true`` and no ``ALLYSCOPE_MIRROR``, first with an empty numba cache (the UN kernels
are compiled, as in a fresh checkout), then with the cache that run filled. Prints the
figures with ``nproc`` and the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _run(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip()]
    print(f"    {lines[-1] if lines else ''}")
    return seconds


def install(scratch: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is not on PATH")
    env = dict(os.environ, UV_CACHE_DIR=str(scratch / "uv-cache"))
    for label in ("cold uv cache", "warm uv cache"):
        venv = scratch / f"venv-{label.split()[0]}"
        env["UV_PROJECT_ENVIRONMENT"] = str(venv)
        print(f"uv sync --locked --extra test, {label} (load {_load()}):", flush=True)
        seconds = _run([uv, "sync", "--locked", "--extra", "test", "--no-progress"], env)
        print(f"  {seconds:6.1f} s  ({label})", flush=True)


def fast_tier(scratch: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ALLYSCOPE_MIRROR",)}
    env.update(CI="true", NUMBA_CACHE_DIR=str(scratch / "numba-cache"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    cmd += ["-m", "not data and not browser"]
    for label in ("numba kernels compiled", "numba cache warm"):
        print(f'pytest -m "not data and not browser", {label} (load {_load()}):', flush=True)
        seconds = _run(cmd, env)
        print(f"  {seconds:6.1f} s  ({label})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skip-install", action="store_true", help="time the fast tier only")
    args = ap.parse_args()
    print(f"nproc {os.cpu_count()}, load average {_load()}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="allyscope-bench-") as tmp:
        scratch = Path(tmp)
        if not args.skip_install:
            install(scratch)
        fast_tier(scratch)


if __name__ == "__main__":
    main()
