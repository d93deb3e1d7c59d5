"""Shared pieces of the inter-coder check: the seeded sample, the coded fields and the
first coding of the sampled records as stored at sampling time."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

#: the fields a second coder codes, as in docs/codebook.md
FIELDS: tuple[str, ...] = (
    "type",
    "level",
    "regularity",
    "bindingness",
    "source_kind",
    "status",
    "severity",
)

DEFAULT_SEED = 20251129
DEFAULT_FRACTION = 0.2

#: the file beside a sheet that holds the first coding of its items
FIRST_CODING_NAME = "first_coding.csv"


def draw_sample(records, *, seed: int = DEFAULT_SEED, fraction: float = DEFAULT_FRACTION) -> list:
    """A seeded random ``fraction`` of the records, stratified by grouping, in shuffled order.

    Each grouping contributes round(fraction * n) records, at least one, so that every
    grouping is checked. The same records and seed always give the same sample."""
    rng = np.random.default_rng(seed)
    by_group: dict[str, list] = {}
    for r in sorted(records, key=lambda r: r.id):
        by_group.setdefault(r.grouping_id, []).append(r)
    chosen = []
    for gid in sorted(by_group):
        rs = by_group[gid]
        k = max(1, round(fraction * len(rs)))
        idx = rng.choice(len(rs), size=k, replace=False)
        chosen.extend(rs[i] for i in sorted(idx))
    order = rng.permutation(len(chosen))
    return [chosen[i] for i in order]


def coding_of(record) -> dict[str, str]:
    """The first coder's values of :data:`FIELDS` for one record ("none" for no severity)."""
    return {
        "type": record.type,
        "level": record.level,
        "regularity": record.regularity,
        "bindingness": record.bindingness,
        "source_kind": record.source_kind,
        "status": record.status,
        "severity": record.severity or "none",
    }


def read_meta(line: str) -> dict[str, str]:
    """The ``key=value`` pairs of a sheet's or first coding's first line."""
    return dict(re.findall(r"(\w+)=(\S+)", line))


def first_coding_rows(sample) -> list[dict[str, str]]:
    """One row per sampled item: item number, record id and the first coding."""
    return [
        {"item": f"IC-{i:03d}", "record_id": r.id, **coding_of(r)}
        for i, r in enumerate(sample, start=1)
    ]


def write_first_coding(path: Path, header: str, sample) -> None:
    """Write the first coding of the sampled items (atomically), under the sheet's header."""
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        f.write(header)
        f.write(
            "# The first coding of each item, as the records stood when the sample was "
            "drawn; kept from the second coder.\n"
        )
        w = csv.DictWriter(f, fieldnames=["item", "record_id", *FIELDS])
        w.writeheader()
        w.writerows(first_coding_rows(sample))
    tmp.replace(path)


def read_first_coding(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header pairs and the rows of a first-coding file."""
    with path.open(encoding="utf-8") as f:
        meta = read_meta(f.readline())
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    if "records_sha256" not in meta or not rows or "record_id" not in rows[0]:
        raise SystemExit(f"{path}:1: not a first coding written by scripts/intercoder/sample.py")
    return meta, rows
