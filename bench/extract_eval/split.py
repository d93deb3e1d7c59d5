"""Assign every document of the extraction evaluation corpus to ``blind`` or ``dev``.

Stratified by (grouping, selected_as): within each stratum the ids are sorted, shuffled
with one ``random.Random(SEED)`` (strata visited in sorted order) and the first half goes
to ``blind``. A stratum of odd size gives its extra document to ``blind`` and ``dev`` in
turn, so the two splits differ by at most one document. The assignment depends only on
the seed and the manifest's ids, groupings and ``selected_as`` values, so rerunning this
script reproduces it. Writes the split into ``manifest.yaml``.

    python bench/extract_eval/split.py
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import yaml

SEED = 20261129
HERE = Path(__file__).resolve().parent


class _Dumper(yaml.SafeDumper):
    """Writes repeated values in full instead of as YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def assign(rows: list[dict], seed: int = SEED) -> dict[str, str]:
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in rows:
        strata[(r["grouping"], r["selected_as"])].append(r["id"])
    rng = random.Random(seed)
    out: dict[str, str] = {}
    odd_to_blind = True
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        n_blind = len(ids) // 2
        if len(ids) % 2:
            n_blind += odd_to_blind
            odd_to_blind = not odd_to_blind
        out.update({i: "blind" for i in ids[:n_blind]})
        out.update({i: "dev" for i in ids[n_blind:]})
    return out


def main() -> None:
    path = HERE / "manifest.yaml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = manifest["documents"]
    split = assign(rows)
    for r in rows:
        r["split"] = split[r["id"]]
    counts = {s: sum(v == s for v in split.values()) for s in ("blind", "dev")}
    manifest["split"] = {
        "seed": SEED,
        "method": (
            "stratified by (grouping, selected_as); per stratum sorted ids shuffled with "
            "random.Random(seed), strata in sorted order, first half to blind, odd strata "
            "give their extra document to blind and dev in turn (bench/extract_eval/split.py)"
        ),
        "assigned_before_labelling": True,
        "blind": "scored once per release, never used to change the extractor",
        "dev": "open for error analysis and development",
        "counts": counts,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        yaml.dump(manifest, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    tmp.replace(path)
    print(f"blind {counts['blind']}, dev {counts['dev']} (seed {SEED})")


if __name__ == "__main__":
    main()
