"""Time the full sequence of yearly multilayer networks, UN bloc detection and the de facto
score.

    ALLYSCOPE_HOME=... python bench/network.py [--repeat 2]

Needs a built warehouse (``allyscope data build``). Each round runs in a scratch data
directory with a copy of the warehouse and the other modules' caches (country
crosswalk, panel, MME, extended ATOP and SIPRI tables, the UN module's affinity table and
ideal points), so the network's own preparation starts cold:

1. data preparation, one vectorized pass over all years (dyad-year panel with the
   extended ATOP, IGO, MME, US troop and rivalry add-ons, arms transfers, DCAD, UN voting
   affinity);
2. graph construction: one networkx graph per year and layer (80 x 8);
3. bloc detection: the consensus of the settings' ensemble (algorithms x resolutions x
   seeds) on the UN affinity graph of every year, stability, polarization;
4. the de facto score of every dyad-year (components, bases, percentiles) and one
   dyad's weight-sensitivity bands (Japan-South Korea 2015-2024).

Then the same sequence once more with the caches warm, and once with every cache but the
country crosswalk empty (the UN affinity table and ideal points, panel, MME, ATOP and SIPRI
tables computed too). Prints each time, ``nproc`` and the load average.
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

OTHER_CACHES = (
    "crosswalk-",
    "dyad_years-",
    "mme_participants-",
    "un_affinity-",
    "un_idealpoints",
    "atop_extended-",
    "arms_transfers-",
)


def _scratch_home(src: Path, dst: Path, keep: tuple[str, ...] = OTHER_CACHES) -> None:
    (dst / "cache").mkdir(parents=True)
    shutil.copy2(src / "warehouse.duckdb", dst / "warehouse.duckdb")
    for f in (src / "cache").glob("*.parquet"):
        if f.name.startswith(keep):
            shutil.copy2(f, dst / "cache" / f.name)


def _round(home: Path) -> dict[str, float]:
    from allyscope import config
    from allyscope.network import defacto_score, graphs, layers, voting_blocs

    years = layers.DEFAULT_YEARS
    config.set_home(home)
    for memo in (
        layers._MEMO,
        layers._UN_MEMO,
        voting_blocs._MEMO,
        defacto_score._COMP_MEMO,
        defacto_score._SCORES,
    ):
        memo.clear()
    t0 = time.perf_counter()
    layers.dyad_table(years)
    layers.node_table(years)
    t1 = time.perf_counter()
    seq = graphs.network_sequence(years)
    t2 = time.perf_counter()
    _, stats = voting_blocs.analyze()
    t3 = time.perf_counter()
    defacto_score.scores(years)
    t4 = time.perf_counter()
    defacto_score.defacto("JPN", "KOR", (2015, 2024))
    t5 = time.perf_counter()
    n_graphs = sum(len(ml.layers) for ml in seq.values())
    n_edges = sum(g.number_of_edges() for ml in seq.values() for g in ml.layers.values())
    return {
        "prepare": t1 - t0,
        "graphs": t2 - t1,
        "blocs": t3 - t2,
        "scores": t4 - t3,
        "dyad": t5 - t4,
        "total": t5 - t0,
        "n_graphs": n_graphs,
        "n_edges": n_edges,
        "n_bloc_years": stats.height,
        "years": years,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    from allyscope import config

    src = config.home()
    if not (src / "warehouse.duckdb").is_file():
        sys.exit(f"no warehouse in {src}: run `allyscope data build` (or set ALLYSCOPE_HOME)")
    from allyscope.settings import network as network_settings

    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"nproc: {nproc}  load average: {os.getloadavg()}  python: {sys.version.split()[0]}")
    print(f"bloc ensemble: {network_settings().blocs.n_runs} runs per year")
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
    y0, y1 = r["years"]
    print(
        f"{r['n_graphs']} graphs ({y1 - y0 + 1} years {y0}-{y1} x 8 layers), "
        f"{r['n_edges']:,} ties; blocs in {r['n_bloc_years']} years"
    )
    for name, rounds in (("cold caches", cold), ("warm caches", warm)):
        best = min(rounds, key=lambda x: x["total"])
        print(
            f"{name:12s} total {best['total']:6.2f} s  (prepare {best['prepare']:5.2f} s, "
            f"graphs {best['graphs']:5.2f} s, blocs {best['blocs']:5.2f} s, "
            f"scores {best['scores']:5.2f} s, one dyad with bands {best['dyad']:5.2f} s)  "
            f"best of {len(rounds)}"
        )
    print(
        f"{'all cold':12s} total {all_cold['total']:6.2f} s  (prepare {all_cold['prepare']:5.2f} s"
        ", incl. the UN affinity table, panel and MME tables)"
    )
    print(f"load average after: {os.getloadavg()}")
    os.environ.pop("ALLYSCOPE_HOME", None)


if __name__ == "__main__":
    main()
