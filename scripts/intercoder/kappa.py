"""Agreement between the shipped coding and a second coder's sheet: Cohen's kappa per field.

The sample is drawn again from the records with the seed written in the sheet's first
line; the records must be those the sheet was drawn from (same SHA-256), so that every
item is compared with the record it stands for. For each coded field the script prints
the number of items, the share of items on which the two coders agree, Cohen's kappa and
a 95% bootstrap interval (items resampled, seeded), as a Markdown table for
docs/codebook.md.

Run: python scripts/intercoder/kappa.py SHEET.csv [--bootstrap 2000]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import FIELDS, coding_of, draw_sample


def read_sheet(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    with path.open(encoding="utf-8") as f:
        first = f.readline()
        meta = dict(re.findall(r"(\w+)=(\S+)", first))
        rows = [row for row in csv.DictReader(line for line in f if not line.startswith("#"))]
    if "seed" not in meta or "records_sha256" not in meta:
        raise SystemExit(f"{path}:1: not a sheet written by scripts/intercoder/sample.py")
    return meta, rows


def kappa_with_interval(a: list[str], b: list[str], n_boot: int, seed: int):
    a_arr, b_arr = np.asarray(a), np.asarray(b)
    k = cohen_kappa_score(a_arr, b_arr) if len(set(a) | set(b)) > 1 else 1.0
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        i = rng.integers(0, len(a_arr), len(a_arr))
        x, y = a_arr[i], b_arr[i]
        if len(set(x) | set(y)) > 1:
            boots.append(cohen_kappa_score(x, y))
    lo, hi = np.percentile(boots, [2.5, 97.5]) if boots else (float("nan"),) * 2
    return float(k), float(lo), float(hi)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sheet", type=Path)
    ap.add_argument("--bootstrap", type=int, default=2000)
    args = ap.parse_args(argv)

    from allyscope.mechanisms import load_records

    meta, rows = read_sheet(args.sheet)
    rs = load_records()
    if rs.sha256 != meta["records_sha256"]:
        raise SystemExit(
            "the records differ from those the sheet was drawn from "
            f"(sheet {meta['records_sha256'][:12]}, now {rs.sha256[:12]}); check out the "
            "commit the sheet was drawn at"
        )
    sample = draw_sample(rs.records, seed=int(meta["seed"]), fraction=float(meta["fraction"]))
    if len(sample) != len(rows):
        raise SystemExit(f"the sheet has {len(rows)} items, the sample {len(sample)}")
    print("| field | items | agreement | Cohen's kappa | 95% interval |")
    print("|---|---|---|---|---|")
    for field in FIELDS:
        first, second = [], []
        for rec, row in zip(sample, rows, strict=True):
            v = (row.get(field) or "").strip().lower().replace(" ", "_").replace("-", "_")
            if not v:
                continue  # not coded by the second coder
            first.append(coding_of(rec)[field])
            second.append(v)
        if not first:
            print(f"| {field} | 0 | | | |")
            continue
        agree = float(np.mean([x == y for x, y in zip(first, second, strict=True)]))
        k, lo, hi = kappa_with_interval(first, second, args.bootstrap, seed=int(meta["seed"]))
        print(f"| {field} | {len(first)} | {agree:.2f} | {k:.2f} | {lo:.2f} to {hi:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
