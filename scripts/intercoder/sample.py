"""Draw the inter-coder sample and write the sheet for a second coder.

The sheet holds only what the second coder needs to code a record from the codebook and
the source: an item number, the grouping and its members, the date, the title and the
source URL. It holds none of the first coding (type, level, regularity, bindingness,
source kind, status, severity) and no record ids. Beside it, ``first_coding.csv`` keeps
the first coding of the same items and their record ids, as the records stand when the
sample is drawn: the agreement is computed against this file, so it stays reproducible
after the records are revised. Rerunning with the same records and seed writes the same
files.

Run: python scripts/intercoder/sample.py [--seed N] [--fraction F] [-o FILE]
(needs the warehouse for country codes: ALLYSCOPE_HOME with a built warehouse)
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DEFAULT_FRACTION,
    DEFAULT_SEED,
    FIELDS,
    FIRST_CODING_NAME,
    draw_sample,
    read_first_coding,
    write_first_coding,
)

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--fraction", type=float, default=DEFAULT_FRACTION)
    ap.add_argument("-o", "--output", type=Path, default=HERE / "second_coder_sheet.csv")
    ap.add_argument(
        "--force",
        action="store_true",
        help="replace a stored first coding drawn from other records (ends that check)",
    )
    args = ap.parse_args(argv)

    from allyscope.mechanisms import load_records

    rs = load_records()
    first = args.output.parent / FIRST_CODING_NAME
    if first.exists() and not args.force:
        old = read_first_coding(first)[0].get("records_sha256")
        if old != rs.sha256:
            raise SystemExit(
                f"{first} holds the first coding of an earlier draw (records {str(old)[:12]}); "
                "write the new sheet elsewhere with -o, or pass --force to replace it"
            )
    sample = draw_sample(rs.records, seed=args.seed, fraction=args.fraction)
    header = (
        f"# seed={args.seed} fraction={args.fraction} records_sha256={rs.sha256} "
        f"items={len(sample)} of {len(rs.records)}\n"
    )
    tmp = args.output.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        f.write(header)
        f.write(
            "# Code each item from docs/codebook.md and its source only; fill the empty "
            "columns with the codebook's identifiers (severity: 'none' unless a negative event).\n"
        )
        w = csv.writer(f)
        w.writerow(["item", "grouping", "members", "date", "title", "source_url", *FIELDS, "notes"])
        for i, r in enumerate(sample, start=1):
            g = rs.groupings[r.grouping_id]
            w.writerow(
                [
                    f"IC-{i:03d}",
                    g.name,
                    " ".join(r.member_codes)
                    if len(r.member_codes) <= 6
                    else f"{len(r.members)} states",
                    str(r.date),
                    r.title,
                    r.source.url,
                    *([""] * len(FIELDS)),
                    "",
                ]
            )
    tmp.replace(args.output)
    write_first_coding(first, header, sample)
    print(f"wrote {args.output}: {len(sample)} of {len(rs.records)} records (seed {args.seed})")
    print(f"wrote {first}: the first coding of the same items (not for the second coder)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
