"""Score the extractor on one split of the extraction evaluation corpus.

    python bench/extract_eval/score.py                    # the dev split, with its errors
    python bench/extract_eval/score.py --split blind      # once per release, figures only

The extractor (``allyscope.extract.extract``, default minimum confidence) reads each
document of the split (``docs/<id>.txt``, dated with the manifest's publication date) and
its candidate records are matched to the labeller's records (``labels/<id>.yaml``).

Matching rule
-------------
A candidate and a gold record of the same document are *compatible* when

1. they have the same type;
2. their participants overlap: at least one state (or organisation) in common;
3. their dates agree: both are null, or both are given and the spans they stand for
   (a day; a whole month for ``YYYY-MM``; a whole year for ``YYYY``) come within
   ``--tolerance`` days of each other (default 7). A null date never agrees with a
   given one, with one exception: where the text gives no date expression the extractor
   dates a candidate with the document's date and says so (``Candidate.date_text`` is
   ``None``); such a candidate is undated as far as the text goes, so it agrees with a
   null gold date as well as with a gold date near the document's.

With ``--evidence``, also 4. the candidate's evidence and the gold evidence overlap: one
contains the other, or at least half of the gold sentence's word tokens appear in one of
the candidate's evidence sentences.

Matching is one-to-one within a document: the largest set of compatible pairs (a maximum
bipartite matching, ``scipy.optimize.linear_sum_assignment``; among equally large sets,
the one whose pairs share the most evidence words). Precision = matched candidates /
candidates, recall = matched gold records / gold records, F1 their harmonic mean, per
type and over all types (pooled counts). A *lenient* overall row drops rule 3 (type and
participants only) to show how much of the error is dating.

Intervals: 95% percentile intervals from a bootstrap that resamples the split's documents
with replacement (``--boot`` replicates, default 2000, ``--seed`` default 20261129); a
replicate in which a ratio is undefined (no candidates or no gold records of the type) is
left out of that ratio's interval.

The blind split
---------------
``--split blind`` prints figures only (no per-document errors) and writes
``scores/blind-<release>.json``; if that file exists the run is refused: the blind split is
scored once per release, with the final scorer, and never used to change the extractor.
``--split dev`` writes ``scores/dev-<release>.json`` (overwritten) and lists every false
positive and missed record for error analysis.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
SEED = 20261129
TOLERANCE_DAYS = 7
BOOT = 2000
_WORD = re.compile(r"\w+")


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rec:
    """A record reduced to what is scored: type, participants, date span, evidence."""

    type: str
    participants: frozenset[str]
    date: str | None
    evidence: tuple[str, ...]
    #: the date is the document's, filled in because the text gives none
    date_from_document: bool = False


@dataclass
class DocResult:
    """One document's records, its matched pairs and its counts per type."""

    id: str
    gold: list[Rec]
    pred: list[Rec]
    pairs: list[tuple[int, int]] = field(default_factory=list)
    lenient_pairs: int = 0


def span(date: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day a partial ISO date stands for (``None`` for no date)."""
    if date is None:
        return None
    from allyscope.mechanisms.schema import parse_date

    d = parse_date(date)
    return d.date, d.last_day


def dates_agree(a: str | None, b: str | None, tolerance: int = TOLERANCE_DAYS) -> bool:
    """Both null, or both given with spans no more than ``tolerance`` days apart."""
    sa, sb = span(a), span(b)
    if sa is None or sb is None:
        return sa is None and sb is None
    gap = max((sb[0] - sa[1]).days, (sa[0] - sb[1]).days, 0)
    return gap <= tolerance


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def evidence_overlap(pred: Rec, gold: Rec) -> float:
    """Share of the gold evidence's words found in the best of the candidate's sentences
    (1.0 when one contains the other)."""
    best = 0.0
    for g in gold.evidence:
        gw = _words(g)
        for p in pred.evidence:
            if g in p or p in g:
                return 1.0
            if gw:
                best = max(best, len(gw & _words(p)) / len(gw))
    return best


def compatible(
    pred: Rec, gold: Rec, *, tolerance: int = TOLERANCE_DAYS, evidence: bool = False
) -> bool:
    """The matching rule of the module docstring (rules 1-3, and 4 with ``evidence``)."""
    if pred.type != gold.type or not (pred.participants & gold.participants):
        return False
    undated = pred.date_from_document and gold.date is None
    if not (undated or dates_agree(pred.date, gold.date, tolerance)):
        return False
    return not evidence or evidence_overlap(pred, gold) >= 0.5


def match(
    pred: list[Rec], gold: list[Rec], *, tolerance: int = TOLERANCE_DAYS, evidence: bool = False,
    use_dates: bool = True,
) -> list[tuple[int, int]]:  # fmt: skip
    """The largest one-to-one set of compatible (prediction, gold) index pairs."""
    if not pred or not gold:
        return []
    from scipy.optimize import linear_sum_assignment

    weight = np.zeros((len(pred), len(gold)))
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            ok = (
                compatible(p, g, tolerance=tolerance, evidence=evidence)
                if use_dates
                else p.type == g.type and bool(p.participants & g.participants)
            )
            if ok:  # one per pair, plus less than 1/n for shared evidence words (tie-break)
                weight[i, j] = 1.0 + evidence_overlap(p, g) / (len(pred) + len(gold) + 1)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    return [(int(i), int(j)) for i, j in zip(rows, cols, strict=True) if weight[i, j] > 0]


# -- the corpus ------------------------------------------------------------------------------


def manifest() -> list[dict[str, Any]]:
    data = yaml.safe_load((HERE / "manifest.yaml").read_text(encoding="utf-8"))
    return list(data["documents"])


def gold_records(doc_id: str) -> list[Rec]:
    path = HERE / "labels" / f"{doc_id}.yaml"
    if not path.is_file():
        raise SystemExit(f"error: no label file {path.relative_to(HERE)} (label it first)")
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Rec(
            str(r["type"]),
            frozenset(str(p) for p in r["participants"]),
            None if r.get("date") is None else str(r["date"]),
            (str(r["evidence"]),),
        )
        for r in rows
    ]


def predicted_records(doc: dict[str, Any]) -> list[Rec]:
    from allyscope.extract import extract, read_document

    d = read_document(HERE / "docs" / f"{doc['id']}.txt", date=str(doc["date"]))
    return [
        Rec(
            c.type,
            frozenset(c.members),
            c.date,
            tuple(e.sentence for e in c.evidence),
            date_from_document=c.date_text is None,
        )
        for c in extract(d)
    ]


def run(split: str, *, tolerance: int, evidence: bool) -> list[DocResult]:
    docs = [d for d in manifest() if d["split"] == split]
    if not docs:
        raise SystemExit(f"error: no document in split {split!r} (blind or dev)")
    out = []
    for d in sorted(docs, key=lambda d: d["id"]):
        gold, pred = gold_records(d["id"]), predicted_records(d)
        r = DocResult(d["id"], gold, pred)
        r.pairs = match(pred, gold, tolerance=tolerance, evidence=evidence)
        r.lenient_pairs = len(match(pred, gold, use_dates=False))
        out.append(r)
    return out


# -- scores ----------------------------------------------------------------------------------


def counts(results: list[DocResult], types: list[str]) -> np.ndarray:
    """Array (documents, types + 1, 3): matched, predicted, gold; the last type is all."""
    c = np.zeros((len(results), len(types) + 1, 3), dtype=np.int64)
    index = {t: k for k, t in enumerate(types)}
    for i, r in enumerate(results):
        for pi, _ in r.pairs:
            c[i, index[r.pred[pi].type], 0] += 1
        for p in r.pred:
            c[i, index[p.type], 1] += 1
        for g in r.gold:
            c[i, index[g.type], 2] += 1
    c[:, -1, :] = c[:, :-1, :].sum(axis=1)
    return c


def ratios(tp: np.ndarray, n_pred: np.ndarray, n_gold: np.ndarray) -> tuple[np.ndarray, ...]:
    """Precision, recall and F1 (NaN where undefined) from pooled counts."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n_pred > 0, tp / np.maximum(n_pred, 1), np.nan)
        r = np.where(n_gold > 0, tp / np.maximum(n_gold, 1), np.nan)
        f = np.where((p + r) > 0, 2 * p * r / (p + r), 0.0)
        f = np.where(np.isnan(p) | np.isnan(r), np.nan, f)
    return p, r, f


def bootstrap(c: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Percentile intervals: array (types + 1, 3 measures, 2 bounds)."""
    rng = np.random.default_rng(seed)
    n = c.shape[0]
    idx = rng.integers(0, n, size=(n_boot, n))
    sums = c[idx].sum(axis=1)  # (boot, types, 3)
    p, r, f = ratios(sums[..., 0], sums[..., 1], sums[..., 2])
    out = np.full((c.shape[1], 3, 2), np.nan)
    for m, arr in enumerate((p, r, f)):
        for k in range(c.shape[1]):
            col = arr[:, k]
            col = col[~np.isnan(col)]
            if col.size:
                out[k, m] = np.percentile(col, [2.5, 97.5])
    return out


def score(
    results: list[DocResult], *, n_boot: int = BOOT, seed: int = SEED
) -> list[dict[str, Any]]:
    """One row per type with gold or predicted records, then ``all types``."""
    from allyscope.mechanisms.schema import MECHANISM_TYPES

    types = list(MECHANISM_TYPES)
    c = counts(results, types)
    total = c.sum(axis=0)
    p, r, f = ratios(total[:, 0], total[:, 1], total[:, 2])
    ci = bootstrap(c, n_boot, seed)
    rows = []
    for k, name in enumerate([*types, "all types"]):
        if total[k, 1] == 0 and total[k, 2] == 0:
            continue
        row: dict[str, Any] = {
            "type": name,
            "gold": int(total[k, 2]),
            "predicted": int(total[k, 1]),
            "matched": int(total[k, 0]),
        }
        for m, (label, value) in enumerate((("precision", p), ("recall", r), ("f1", f))):
            v = value[k]
            row[label] = None if np.isnan(v) else round(float(v), 3)
            lo, hi = ci[k, m]
            row[f"{label}_ci"] = (
                None if np.isnan(lo) else [round(float(lo), 3), round(float(hi), 3)]
            )
        rows.append(row)
    return rows


def lenient(results: list[DocResult]) -> dict[str, Any]:
    """Overall precision and recall when dates are ignored (type and participants only)."""
    tp = sum(r.lenient_pairs for r in results)
    n_pred = sum(len(r.pred) for r in results)
    n_gold = sum(len(r.gold) for r in results)
    return {
        "matched": tp,
        "precision": round(tp / n_pred, 3) if n_pred else None,
        "recall": round(tp / n_gold, 3) if n_gold else None,
    }


def errors(results: list[DocResult]) -> list[dict[str, Any]]:
    """False positives and missed gold records (for the dev split only)."""
    out: list[dict[str, Any]] = []
    for r in results:
        mp = {i for i, _ in r.pairs}
        mg = {j for _, j in r.pairs}
        for kind, recs, used in (("false positive", r.pred, mp), ("missed", r.gold, mg)):
            for i, rec in enumerate(recs):
                if i not in used:
                    out.append(
                        {
                            "document": r.id,
                            "kind": kind,
                            "type": rec.type,
                            "participants": sorted(rec.participants),
                            "date": rec.date,
                            "evidence": rec.evidence[0][:200],
                        }
                    )
    return out


# -- output ----------------------------------------------------------------------------------


def _cell(row: dict[str, Any], label: str) -> str:
    v, ci = row[label], row[f"{label}_ci"]
    if v is None:
        return "–"
    return f"{v:.2f} ({ci[0]:.2f}–{ci[1]:.2f})" if ci else f"{v:.2f}"


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| type | gold | predicted | matched | precision (95% CI) | recall (95% CI) | F1 (95% CI) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = f"**{row['type']}**" if row["type"] == "all types" else row["type"]
        lines.append(
            f"| {name} | {row['gold']} | {row['predicted']} | {row['matched']} | "
            f"{_cell(row, 'precision')} | {_cell(row, 'recall')} | {_cell(row, 'f1')} |"
        )
    return "\n".join(lines)


def _release() -> str:
    from allyscope import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("dev", "blind"), default="dev")
    ap.add_argument("--tolerance", type=int, default=TOLERANCE_DAYS, help="days (default 7)")
    ap.add_argument("--evidence", action="store_true", help="also require evidence overlap")
    ap.add_argument("--boot", type=int, default=BOOT)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--date", default=None, help="date recorded with the scores (YYYY-MM-DD)")
    args = ap.parse_args(argv)
    release = _release()
    target = HERE / "scores" / f"{args.split}-{release}.json"
    if args.split == "blind" and target.exists():
        print(
            f"error: the blind split was already scored for release {release} "
            f"({target.relative_to(HERE)}); it is scored once per release",
            file=sys.stderr,
        )
        return 2
    results = run(args.split, tolerance=args.tolerance, evidence=args.evidence)
    rows = score(results, n_boot=args.boot, seed=args.seed)
    out: dict[str, Any] = {
        "split": args.split,
        "release": release,
        "date": args.date,
        "documents": len(results),
        "rule": {
            "tolerance_days": args.tolerance,
            "evidence_required": args.evidence,
            "bootstrap": {"replicates": args.boot, "seed": args.seed, "unit": "document"},
        },
        "rows": rows,
        "lenient_overall": lenient(results),
    }
    print(f"split {args.split}: {len(results)} documents, release {release}")
    print(markdown(rows))
    le = out["lenient_overall"]
    print(
        f"\nlenient (dates ignored): precision {le['precision']}, recall {le['recall']} "
        f"({le['matched']} matched)"
    )
    if args.split == "dev":
        out["errors"] = errors(results)
        print(f"\n{len(out['errors'])} errors (false positives and missed records):")
        for e in out["errors"]:
            print(
                f"  {e['kind']:<14} {e['type']:<28} {','.join(e['participants']):<16} "
                f"{e['date'] or '-':<10} {e['document']}: {e['evidence'][:90]}"
            )
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(target)
    print(f"\nwrote {target.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
