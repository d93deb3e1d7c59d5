"""Print the make-up of the extraction evaluation corpus from its manifest.

    python bench/extract_eval/summary.py

Counts documents by grouping, year, source kind, document type and split, with the
collector's positive/negative guess and how many texts are complete.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def table(title: str, counts: Counter, rows: list) -> None:
    print(f"\n{title}")
    keys = sorted({k for k, _ in counts})
    print(f"  {'':<22}" + "".join(f"{k:>14}" for k in keys) + f"{'total':>8}")
    for r in rows:
        vals = [counts[(k, r)] for k in keys]
        print(f"  {r!s:<22}" + "".join(f"{v:>14}" for v in vals) + f"{sum(vals):>8}")


def main() -> None:
    m = yaml.safe_load((HERE / "manifest.yaml").read_text(encoding="utf-8"))
    docs = m["documents"]
    n = len(docs)
    neg = sum(d["selected_as"] == "no_mechanism" for d in docs)
    complete = sum(d["complete"] for d in docs)
    words = sorted(d["word_count"] for d in docs)
    print(f"{n} documents; {neg} selected as negatives ({neg / n:.0%}); {complete} complete")
    print(f"words per document: median {words[n // 2]}, min {words[0]}, max {words[-1]}")
    if "split" in m:
        print(f"split: seed {m['split']['seed']}, {m['split']['counts']}")
    for field in ("grouping", "source_kind", "doc_type"):
        c = Counter((d.get("split", "-"), d[field]) for d in docs)
        table(f"by {field} and split", c, sorted({d[field] for d in docs}))
    c = Counter((d.get("split", "-"), d["date"].year) for d in docs)
    table("by year and split", c, sorted({d["date"].year for d in docs}))
    c = Counter((d["selected_as"], d["grouping"]) for d in docs)
    table("by grouping and selection guess", c, sorted({d["grouping"] for d in docs}))
    c = Counter((str(d["complete"]), d["source_kind"]) for d in docs)
    table("complete by source kind", c, sorted({d["source_kind"] for d in docs}))


if __name__ == "__main__":
    main()
