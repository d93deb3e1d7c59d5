"""Shared pieces of the inter-coder check: the seeded sample and the coded fields."""

from __future__ import annotations

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
