"""Validate the de facto score and time it; print the figures quoted in the docs.

    ALLYSCOPE_HOME=... python bench/defacto.py [--bootstrap N]

Needs a built warehouse. Runs :func:`allyscope.network.validation.validate` with the
shipped settings (``defacto.validation``: horizon, bootstrap replicates, confidence level,
seed) and prints its table as Markdown (the figures of ``docs/network.md`` and the
README), the weights fitted on the early years, and the time it took next to ``nproc``
and the load average. ``allyscope defacto --validate`` prints the same table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time


def _fmt(v: float | None, digits: int = 3) -> str:
    return "" if v is None else f"{v:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap", type=int, default=None, help="replicates (default: settings)"
    )
    args = parser.parse_args()

    from allyscope.network import defacto_score as D
    from allyscope.network.validation import validate

    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    print(f"nproc: {nproc}  load average before: {os.getloadavg()}")
    t0 = time.perf_counter()
    D.scores()
    t1 = time.perf_counter()
    v = validate(bootstrap=args.bootstrap)
    t2 = time.perf_counter()
    print(f"scores of every dyad-year: {t1 - t0:.1f} s; validation: {t2 - t1:.1f} s")
    print(f"load average after: {os.getloadavg()}")
    prov = v.provenance
    print(
        f"settings sha256 {prov['settings_sha256'][:12]}, as of {prov['as_of']}, ideal points "
        f"{prov['ideal_points']}; horizon {v.horizon} years, {v.bootstrap} cluster-bootstrap "
        f"replicates, {v.level:.0%} intervals"
    )
    print()
    print("| target | variant | years | dyad-years | positive | AUC [CI] | AP [CI] | ΔAUC [CI] |")
    print("|---|---|---|---|---|---|---|---|")
    for r in v.table.iter_rows(named=True):
        auc = f"{_fmt(r['auc'])} [{_fmt(r['auc_low'])}, {_fmt(r['auc_high'])}]"
        ap = f"{_fmt(r['ap'])} [{_fmt(r['ap_low'])}, {_fmt(r['ap_high'])}]"
        d = (
            f"{_fmt(r['d_auc'])} [{_fmt(r['d_auc_low'])}, {_fmt(r['d_auc_high'])}]"
            if r["d_auc"] is not None
            else ""
        )
        print(
            f"| {r['target']} | {r['variant']} | {r['years']} | {r['n']:,} | "
            f"{r['n_positive']:,} | {auc if r['auc'] is not None else ''} | "
            f"{ap if r['ap'] is not None else ''} | {d} |"
        )
    print()
    print("weights fitted on the onset years up to the split:")
    for k, w in v.fitted_weights.items():
        print(f"  {k}: {w:.3f}")


if __name__ == "__main__":
    main()
