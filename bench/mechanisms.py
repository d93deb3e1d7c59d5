"""Timings for the mechanism records: load + validate, the index and its uncertainty band,
the dyad add-on.

Run: ALLYSCOPE_HOME=... python bench/mechanisms.py
"""

from __future__ import annotations

import os
import time


def timed(label: str, fn, repeat: int = 1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<48} {best * 1000:9.1f} ms")
    return out


ALIAS_BOMB = (
    "\n".join(
        f"{chr(97 + i)}: &{chr(97 + i)} ["
        + ",".join(['"lol"'] * 9 if i == 0 else [f"*{chr(96 + i)}"] * 9)
        + "]"
        for i in range(9)
    )
    + "\n"
)


def alias_bomb() -> None:
    """Refusal of a ~460-byte YAML alias bomb (9**9 strings if expanded): in the parser,
    and end to end through `allyscope institutions --records DIR` (a fresh process)."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from allyscope.mechanisms.loader import parse_yaml

    print(f"alias bomb: {len(ALIAS_BOMB)} bytes")
    doc, problems = timed(
        "refuse the bomb in the record parser (best of 20)",
        lambda: parse_yaml(ALIAS_BOMB, "bomb.yaml"),
        repeat=20,
    )
    assert doc is None and problems
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
        base = [sys.executable, "-m", "allyscope.cli", "institutions"]
        timed(
            "`allyscope institutions --help` (process start-up, baseline)",
            lambda: subprocess.run([*base, "--help"], capture_output=True, timeout=120),
        )
        cmd = [*base, "--records", d]
        res = timed(
            "`allyscope institutions --records DIR` with the bomb (process)",
            lambda: subprocess.run(cmd, capture_output=True, text=True, timeout=120),
        )
        print(f"  exit {res.returncode}; {res.stderr.splitlines()[0][:100]}")


def main() -> None:
    from allyscope import codes
    from allyscope.mechanisms import index, loader
    from allyscope.mechanisms.panel_addons import _CACHE, dyad_table

    print(f"cores: {os.cpu_count()}; load average: {os.getloadavg()}")
    alias_bomb()
    timed("country index (first resolve, warm cache files)", lambda: codes.resolve("JPN"))
    rs = timed("load + validate shipped records (best of 5)", loader.load, repeat=5)
    print(f"  {len(rs.records)} records, {len(rs.groupings)} groupings")
    t = timed(
        "index table, all groupings and years (best of 5)", lambda: index.index_table(rs), repeat=5
    )
    print(f"  {t.height} grouping-years")
    c = timed("components, all groupings (best of 5)", lambda: index.components(rs), repeat=5)
    print(f"  {c.height} component rows")

    from allyscope.mechanisms import uncertainty

    def fresh_band(groupings):
        uncertainty._CACHE.clear()
        return index.index_table(rs, groupings, uncertainty=True)

    timed(
        "index + band, US-Japan-ROK, all years (best of 3)",
        lambda: fresh_band("US-Japan-ROK"),
        repeat=3,
    )
    b = timed("index + band, all groupings and years (best of 3)", lambda: fresh_band(None), 3)
    print(f"  {b.height} grouping-years")
    timed("index + band again (in-memory cache)", lambda: index.index_table(rs, uncertainty=True))

    def fresh_dyads():
        _CACHE.clear()
        return dyad_table(rs)

    d = timed("dyad-year table for the add-on (best of 3)", fresh_dyads, repeat=3)
    print(f"  {d.height} dyad-years with a shared grouping")

    from allyscope.panel import dyad_years

    p = timed(
        "dyad_years(1998-2016).add('mechanisms') (cached table)",
        lambda: dyad_years(years=(1998, 2016)).add("mechanisms"),
    )
    print(f"  {p.df.height} dyad-years in the panel")


if __name__ == "__main__":
    main()
