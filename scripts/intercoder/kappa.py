"""Agreement between the first coding and a second coder's sheet: Cohen's kappa per field.

The first coding is read from ``first_coding.csv`` beside the sheet, written by
scripts/intercoder/sample.py when the sample was drawn: it holds, for every item, the
record it stands for and that record's coding at the time. The agreement therefore
stays reproducible after the records are revised. The sheet and the first coding must
come from the same draw (same seed, fraction, records SHA-256 and items). While the
records are still those the sample was drawn from, the script also draws the sample
again and checks that the stored first coding is theirs.

For each coded field the script prints the number of items, the share of items on which
the two coders agree, Cohen's kappa and a 95% bootstrap interval (items resampled,
seeded), as a Markdown table for docs/codebook.md.

Run: python scripts/intercoder/kappa.py SHEET.csv [--first-coding FILE] [--bootstrap 2000]
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import cohen_kappa_score

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    FIELDS,
    FIRST_CODING_NAME,
    draw_sample,
    first_coding_rows,
    read_first_coding,
    read_meta,
)


def read_sheet(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    with path.open(encoding="utf-8") as f:
        meta = read_meta(f.readline())
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


def agreement_table(
    first: list[dict[str, str]], rows: list[dict[str, str]], n_boot: int, seed: int
) -> list[str]:
    """The Markdown table of agreement per field: first coding against the coded sheet."""
    out = [
        "| field | items | agreement | Cohen's kappa | 95% interval |",
        "|---|---|---|---|---|",
    ]
    for field in FIELDS:
        a, b = [], []
        for one, row in zip(first, rows, strict=True):
            v = (row.get(field) or "").strip().lower().replace(" ", "_").replace("-", "_")
            if not v:
                continue  # not coded by the second coder
            a.append(one[field])
            b.append(v)
        if not a:
            out.append(f"| {field} | 0 | | | |")
            continue
        agree = float(np.mean([x == y for x, y in zip(a, b, strict=True)]))
        k, lo, hi = kappa_with_interval(a, b, n_boot, seed=seed)
        out.append(f"| {field} | {len(a)} | {agree:.2f} | {k:.2f} | {lo:.2f} to {hi:.2f} |")
    return out


def check_against_records(meta: dict[str, str], first: list[dict[str, str]]) -> None:
    """If the records are still those of the draw, the stored first coding must be theirs."""
    from allyscope.mechanisms import load_records

    rs = load_records()
    if rs.sha256 != meta["records_sha256"]:
        print(
            f"note: the records changed since the sample was drawn (then "
            f"{meta['records_sha256'][:12]}, now {rs.sha256[:12]}); the agreement is computed "
            "against the first coding stored at sampling time",
            file=sys.stderr,
        )
        return
    sample = draw_sample(rs.records, seed=int(meta["seed"]), fraction=float(meta["fraction"]))
    if first_coding_rows(sample) != first:
        raise SystemExit(
            "the stored first coding differs from the records it was drawn from; "
            "redraw it with scripts/intercoder/sample.py"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sheet", type=Path)
    ap.add_argument(
        "--first-coding",
        type=Path,
        default=None,
        help=f"the first coding of the sample (default: {FIRST_CODING_NAME} beside the sheet)",
    )
    ap.add_argument("--bootstrap", type=int, default=2000)
    args = ap.parse_args(argv)

    meta, rows = read_sheet(args.sheet)
    first_path = args.first_coding or args.sheet.parent / FIRST_CODING_NAME
    first_meta, first = read_first_coding(first_path)
    for key in ("seed", "fraction", "records_sha256", "items"):
        if meta.get(key) != first_meta.get(key):
            raise SystemExit(
                f"{first_path} is not the first coding of {args.sheet}: {key} "
                f"{first_meta.get(key)} there, {meta.get(key)} in the sheet"
            )
    if [r["item"] for r in rows] != [r["item"] for r in first]:
        raise SystemExit(f"the items of {args.sheet} and {first_path} differ")
    check_against_records(meta, first)

    for line in agreement_table(first, rows, args.bootstrap, seed=int(meta["seed"])):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
