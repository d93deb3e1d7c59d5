"""Time the full 1946-2018 sequence of yearly multilayer networks and UN bloc detection.

    ALLYSCOPE_HOME=... python bench/network.py [--repeat 3]

Needs a built warehouse (``allyscope data build``). Each round runs in a scratch data
directory with a copy of the warehouse and the other modules' caches (country
crosswalk, panel and MME tables, the UN module's affinity table), so the network's own
preparation starts cold:

1. data preparation, one vectorized pass over all years (dyad-year panel with the ATOP,
   IGO, MME and US troop add-ons, UN voting affinity, curated mechanisms);
2. graph construction: one networkx graph per year and layer (73 x 8);
3. bloc detection: Leiden on the UN affinity graph of every year, polarization.

Then the same sequence once more with the caches warm, and once with every cache but the
country crosswalk empty (the UN affinity table, panel and MME tables computed too).
Prints each time and ``nproc``.
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

YEARS = (1946, 2018)
OTHER_CACHES = ("crosswalk-", "dyad_years-", "mme_participants-", "un_affinity-")


def _scratch_home(src: Path, dst: Path, keep: tuple[str, ...] = OTHER_CACHES) -> None:
    (dst / "cache").mkdir(parents=True)
    shutil.copy2(src / "warehouse.duckdb", dst / "warehouse.duckdb")
    for f in (src / "cache").glob("*.parquet"):
        if f.name.startswith(keep):
            shutil.copy2(f, dst / "cache" / f.name)


def _round(home: Path) -> dict[str, float]:
    from allyscope import config
    from allyscope.network import graphs, layers, voting_blocs

    config.set_home(home)
    layers._MEMO.clear()
    layers._UN_MEMO.clear()
    t0 = time.perf_counter()
    layers.dyad_table(YEARS)
    layers.node_table(YEARS)
    t1 = time.perf_counter()
    seq = graphs.network_sequence(YEARS)
    t2 = time.perf_counter()
    _, stats = voting_blocs.analyze(YEARS)
    t3 = time.perf_counter()
    n_graphs = sum(len(ml.layers) for ml in seq.values())
    n_edges = sum(g.number_of_edges() for ml in seq.values() for g in ml.layers.values())
    return {
        "prepare": t1 - t0,
        "graphs": t2 - t1,
        "blocs": t3 - t2,
        "total": t3 - t0,
        "n_graphs": n_graphs,
        "n_edges": n_edges,
        "n_bloc_years": stats.height,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from allyscope import config

    src = config.home()
    if not (src / "warehouse.duckdb").is_file():
        sys.exit(f"no warehouse in {src}: run `allyscope data build` (or set ALLYSCOPE_HOME)")
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"nproc: {nproc}  python: {sys.version.split()[0]}  years: {YEARS[0]}-{YEARS[1]}")
    cold, warm = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            _scratch_home(src, home)
            cold.append(_round(home))
            warm.append(_round(home))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        _scratch_home(src, home, keep=("crosswalk-",))
        all_cold = _round(home)
    config.set_home(src)
    r = cold[0]
    print(
        f"{r['n_graphs']} graphs ({len(range(YEARS[0], YEARS[1] + 1))} years x 8 layers), "
        f"{r['n_edges']:,} ties; blocs in {r['n_bloc_years']} years"
    )
    for name, rounds in (("cold caches", cold), ("warm caches", warm)):
        best = min(rounds, key=lambda x: x["total"])
        print(
            f"{name:12s} total {best['total']:6.2f} s  (prepare {best['prepare']:5.2f} s, "
            f"graphs {best['graphs']:5.2f} s, blocs {best['blocs']:5.2f} s)  "
            f"best of {len(rounds)}"
        )
    print(
        f"{'all cold':12s} total {all_cold['total']:6.2f} s  (prepare {all_cold['prepare']:5.2f} s"
        ", incl. the UN affinity table, panel and MME tables)"
    )
    print(f"target: < 30 s on 2 cores; cold total {min(c['total'] for c in cold):.1f} s")
    os.environ.pop("ALLYSCOPE_HOME", None)


if __name__ == "__main__":
    main()
