"""Figures quoted in docs/mechanisms.md and docs/institutionalization.md.

Prints the number of shipped records per grouping and per source kind, the coverage of
each grouping, and the institutionalization index of the trilateral and of Japan-ROK
for 2015-2025 with each year's completeness flag and uncertainty band, from the shipped
records and settings.

Run: ALLYSCOPE_HOME=... python scripts/mechanisms_summary.py
"""

from __future__ import annotations

import polars as pl


def main() -> None:
    from allyscope import mechanisms as m
    from allyscope import settings

    rs = m.load_records()
    recs = m.records(record_set=rs)
    print(
        f"records: {recs.height}; records sha256 {rs.sha256[:12]}; "
        f"settings sha256 {settings.load().short_hash}"
    )
    counts = (
        recs.group_by("grouping_id")
        .agg(
            pl.len().alias("records"),
            (pl.col("source_kind").is_in(["primary_official", "intergovernmental", "treaty_text"]))
            .sum()
            .alias("primary"),
            pl.col("negative").sum().alias("negative"),
            (pl.col("status") == "promised").sum().alias("promised"),
        )
        .sort("records", descending=True)
    )
    g = m.groupings(record_set=rs).select("grouping_id", "coverage_start", "coverage_end")
    print("\nper grouping (records, primary-source records, negative events, promises, coverage):")
    for r in (
        counts.join(g, on="grouping_id").sort("records", descending=True).iter_rows(named=True)
    ):
        cov = (
            f"{r['coverage_start']}-{r['coverage_end']}"
            if r["coverage_start"]
            else "not systematic"
        )
        print(
            f"  {r['grouping_id']:<22} {r['records']:>4} {r['primary']:>4} {r['negative']:>4} "
            f"{r['promised']:>4}  {cov}"
        )
    print("\nper source kind:")
    for kind, n in recs.group_by("source_kind").len().sort("len", descending=True).iter_rows():
        print(f"  {kind:<18} {n:>4}")
    idx = m.institutionalization(
        ["US-Japan-ROK", "Japan-ROK"], range(2015, 2026), record_set=rs, uncertainty=True
    )
    print("\ninstitutionalization index, 2015-2025 (p: partial year):")
    print("  year  US-Japan-ROK  Japan-ROK")
    for year in range(2015, 2026):
        row = idx.filter(pl.col("year") == year)
        vals = []
        for gid in ("us-japan-rok", "japan-rok"):
            r = row.filter(pl.col("grouping_id") == gid).row(0, named=True)
            mark = " p" if r["partial"] else "  "
            vals.append(f"{r['institutionalization']:>10.1f}{mark}")
        print(f"  {year}  {vals[0]}  {vals[1]}")
    print(
        "\nthe same with its band (5th-95th percentile over perturbed settings and coding)"
        " and its range with any one record left out:"
    )
    for gid in ("us-japan-rok", "japan-rok"):
        for r in idx.filter(pl.col("grouping_id") == gid).iter_rows(named=True):
            print(
                f"  {gid:<13} {r['year']}  {r['institutionalization']:5.1f}  "
                f"band {r['index_low']:5.1f} to {r['index_high']:5.1f}  "
                f"one record out {r['drop_one_low']:5.1f} to {r['drop_one_high']:5.1f}"
            )


if __name__ == "__main__":
    main()
