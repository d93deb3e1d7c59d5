"""What the statement extractor finds in UN General Debate speeches.

    python bench/extract_ungd.py                         # USA JPN KOR CHN RUS PRK, 2000-2024
    python bench/extract_ungd.py --states all --from 1946   # the whole corpus (~1.5 min CPU)

Runs ``allyscope.extract`` (the rules as shipped, default minimum confidence) over the
speeches of the General Debate corpus in the warehouse (``ungd_speeches``) and prints,
as Markdown: candidates per mechanism type; summits, hotlines and exercises per speaking
state and year; and example sentences. A speech carries no date of its own in the corpus,
so each is dated to 25 September of its session year (relative expressions such as "this
year" resolve against it). Needs a built warehouse (``allyscope data build``). Prints
``nproc``, the load average and the CPU time, and a seeded random sample of the
summit, hotline and exercise candidates to read.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import time
from collections import Counter, defaultdict

DEFAULT_STATES = ("USA", "JPN", "KOR", "CHN", "RUS", "PRK")
FOCUS = {
    "leaders_summit": "summits",
    "crisis_hotline": "hotlines",
    "joint_exercise": "exercises",
}


def speeches(states: list[str] | None, y0: int, y1: int) -> list[tuple[str, int, str]]:
    """(iso3, year, text) of the speeches asked for, in year and state order."""
    from allyscope.store import open_warehouse

    where = "year BETWEEN ? AND ?"
    params: list[object] = [y0, y1]
    if states:
        where += f" AND iso3 IN ({', '.join('?' for _ in states)})"
        params += states
    df = open_warehouse().sql(
        f"SELECT iso3, year, text FROM ungd_speeches WHERE {where} ORDER BY year, iso3", params
    )
    return [(str(a), int(b), str(c)) for a, b, c in df.iter_rows()]


def paragraphs(text: str) -> str:
    """The speech with wrapped lines joined and one blank line between paragraphs."""
    out = []
    for para in re.split(r"\n[ \t]+", text):
        para = re.sub(r"-[ \t]*\r?\n\s*", "-", para)
        para = re.sub(r"\s+", " ", para).strip()
        if para:
            out.append(para)
    return "\n\n".join(out)


def run(rows: list[tuple[str, int, str]]) -> list[tuple[str, int, object]]:
    """(speaker, year, candidate) for every candidate of every speech."""
    from allyscope.extract import extract, parse_text

    out = []
    for iso3, year, text in rows:
        doc = parse_text(
            paragraphs(text), format="text", name=f"{iso3}_{year}", date=f"{year}-09-25"
        )
        out.extend((iso3, year, c) for c in extract(doc))
    return out


def _types_table(found: list[tuple[str, int, object]]) -> list[str]:
    by_type = Counter(c.type for _, _, c in found)  # type: ignore[attr-defined]
    speeches_with = defaultdict(set)
    for iso3, year, c in found:
        speeches_with[c.type].add((iso3, year))  # type: ignore[attr-defined]
    lines = ["| type | candidates | speeches |", "|---|---:|---:|"]
    for t, n in by_type.most_common():
        lines.append(f"| {t} | {n} | {len(speeches_with[t])} |")
    return lines


def _focus_table(found: list[tuple[str, int, object]], states: list[str]) -> list[str]:
    """Summits / hotlines / exercises per state (rows) and year (cells 's/h/e')."""
    cell: dict[tuple[str, int], Counter] = defaultdict(Counter)
    for iso3, year, c in found:
        if c.type in FOCUS:  # type: ignore[attr-defined]
            cell[(iso3, year)][c.type] += 1  # type: ignore[attr-defined]
    years = sorted({y for _, y in cell})
    if not years:
        return ["(no summit, hotline or exercise candidate)"]
    lines = [
        "| state | " + " | ".join(str(y) for y in years) + " | total s/h/e |",
        "|---|" + "---:|" * (len(years) + 1),
    ]
    for s in states:
        cells = []
        tot: Counter = Counter()
        for y in years:
            k = cell.get((s, y), Counter())
            tot.update(k)
            cells.append("/".join(str(k[t]) for t in FOCUS) if k else "·")
        total = "/".join(str(tot[t]) for t in FOCUS)
        lines.append(f"| {s} | " + " | ".join(cells) + f" | {total} |")
    return lines


def _examples(found: list[tuple[str, int, object]], k: int, seed: int) -> list[str]:
    """A seeded random sample of ``k`` candidates of each focus type (for reading)."""
    rng = random.Random(seed)
    lines = []
    for t, label in FOCUS.items():
        hits = [(i, y, c) for i, y, c in found if c.type == t]  # type: ignore[attr-defined]
        sample = sorted(rng.sample(hits, min(k, len(hits))), key=lambda h: (h[1], h[0]))
        lines.append(f"\n{label}: {len(hits)} candidates; a random sample of {len(sample)}:")
        for iso3, year, c in sample:
            members = ",".join(c.members) or "-"  # type: ignore[attr-defined]
            text = c.sentence.replace("\n", " ")  # type: ignore[attr-defined]
            lines.append(f"- {iso3} {year} [{members}] {text[:240]}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--states", nargs="+", default=list(DEFAULT_STATES), help="ISO3 or 'all'")
    ap.add_argument("--from", dest="y0", type=int, default=2000)
    ap.add_argument("--to", dest="y1", type=int, default=2024)
    ap.add_argument("--examples", type=int, default=10, help="sample size per type")
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    states = None if args.states == ["all"] else [s.upper() for s in args.states]
    rows = speeches(states, args.y0, args.y1)
    c0, t0 = time.process_time(), time.perf_counter()
    found = run(rows)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    words = sum(len(t.split()) for _, _, t in rows)
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(
        f"{len(rows)} speeches ({words:,} words), {args.y0}-{args.y1}: {len(found)} candidates "
        f"in {cpu:.1f} s CPU ({wall:.1f} s wall)\n"
    )
    print("\n".join(_types_table(found)))
    shown = states or sorted({i for i, _, _ in found})
    print("\nSummits / hotlines / exercises per speaking state and year:\n")
    print("\n".join(_focus_table(found, shown)))
    print("\n".join(_examples(found, args.examples, args.seed)))


if __name__ == "__main__":
    main()
