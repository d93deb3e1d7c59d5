"""The quarterly-to-annual rule for US troops abroad, checked against the annual file.

    ALLYSCOPE_HOME=... python bench/troops.py

The country-year file (troopdata, to 2024) and the quarterly file (to December 2025) come
from the same reports. Where both exist (2014-2024, when the quarterly file has four
quarters a year) this prints how often each candidate annual value of the quarterly file
is within 5 % of the annual file, the two files' levels for the large hosts, and the
linked 2025 values the us_troops add-on uses (docs/panels.md quotes these figures).
"""

from __future__ import annotations

import polars as pl


def main() -> None:
    from allyscope.panel.builtin import TROOP_QUARTERLY_CODES, us_troop_years
    from allyscope.store import open_warehouse

    wh = open_warehouse()
    annual = wh.sql(
        "SELECT ccode::INTEGER AS ccode, year::INTEGER AS year, sum(troops_ad)::DOUBLE AS a "
        "FROM us_troops GROUP BY ALL"
    )
    fixes = " ".join(
        f"WHEN ccode = {c} AND year >= {y} THEN {t}" for c, y, t in TROOP_QUARTERLY_CODES
    )
    q = wh.sql(
        f"SELECT (CASE {fixes} ELSE ccode END)::INTEGER AS ccode, year::INTEGER AS year, "
        "quarter, troops_ad::DOUBLE AS t, source FROM us_troops_quarterly"
    )
    reported = q.filter(pl.col("source").is_not_null())
    rules = reported.group_by("ccode", "year").agg(
        pl.col("t").median().alias("median"),
        pl.col("t").mean().alias("mean"),
        pl.col("t").sort_by("quarter").last().alias("latest quarter"),
        pl.col("t").filter(pl.col("quarter") == 4).first().alias("December"),
        pl.col("t").min().alias("minimum"),
    )
    j = rules.join(annual, on=["ccode", "year"]).filter(pl.col("year").is_between(2014, 2024))
    big = j.filter(pl.col("a") >= 1000)
    print(f"quarters without a report (shown as 0 in the file): {q.height - reported.height:,}")
    print(f"country-years compared 2014-2024: {j.height:,} (hosts of 1,000 or more: {big.height})")
    print("share within 5 % of the annual file, all hosts / hosts of 1,000 or more:")
    for r in ("median", "mean", "latest quarter", "December", "minimum"):
        within = (pl.col(r) - pl.col("a")).abs() <= 0.05 * pl.col("a") + 5
        print(
            f"  {r:15s} {j.select(within.mean()).item():.2f} / {big.select(within.mean()).item():.2f}"
        )
    print("ratio quarterly median / annual, 2024, large hosts:")
    lvl = big.filter(pl.col("year") == 2024).with_columns(
        (pl.col("median") / pl.col("a")).alias("r")
    )
    for c, name in (
        (740, "Japan"),
        (732, "South Korea"),
        (255, "Germany"),
        (200, "UK"),
        (325, "Italy"),
    ):
        row = lvl.filter(pl.col("ccode") == c)
        if row.height:
            print(f"  {name:12s} {row['r'][0]:.2f}")
    linked = us_troop_years().filter(pl.col("year") >= 2024)
    print("us_troops add-on, 2024 (annual file) and 2025 (linked):")
    for c, name in (
        (740, "Japan"),
        (732, "South Korea"),
        (255, "Germany"),
        (200, "UK"),
        (2, "USA"),
    ):
        v = linked.filter(pl.col("ccode") == c).sort("year")["us_troops"].to_list()
        print(f"  {name:12s} {v}")


if __name__ == "__main__":
    main()
