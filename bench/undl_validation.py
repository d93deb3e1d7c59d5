"""Validation of the UN Digital Library votes before they extend the roll calls to 2021.

    ALLYSCOPE_HOME=... python bench/undl_validation.py

Prints (the figures in docs/un.md come from here):
(1) the Digital Library's General Assembly records against the unvotes roll calls of
    2016-2019: records and roll calls on each side, how many match by resolution symbol and
    date, what is missing on each side (amendment and paragraph votes, resolutions adopted
    outside the autumn sittings), the joint distribution of each state's position in the two
    sources, and where they disagree;
(2) records of 2020-2021 that repeat another (same day, title and positions; merged);
(3) issue codes of later roll calls from their titles: each year 2017-2019 coded from the
    earlier years' titles and compared with the codes unvotes gives it, and the rule
    "nuclear in the title" against unvotes' nu code in 2010-2019;
(4) the United States' voting coincidence of every state in 2020 and 2021, computed from the
    Digital Library votes, against the State Department's published counts and percentages.
"""

from __future__ import annotations

import os

import polars as pl


def part1(wh) -> None:
    from allyscope.un import undl

    r = undl.compare_unvotes(wh, (2016, 2019))
    print("(1) UN Digital Library vs unvotes, General Assembly 2016-2019")
    print(
        f"    Digital Library records: {r['undl']}; unvotes roll calls: {r['unvotes']} "
        f"({r['unvotes_final']} on resolutions as a whole, {r['unvotes_amend']} on amendments, "
        f"{r['unvotes_para']} on separate paragraphs)"
    )
    twice = r["pairs"].filter(pl.col("token").is_duplicated())
    print(
        f"    matched by symbol and date: {r['matched_records']} records = "
        f"{r['matched_roll_calls']} unvotes roll calls ({twice['token'].n_unique()} record(s) "
        f"match two unvotes roll calls: unvotes {twice['rcid'].to_list()} are one resolution)"
    )
    um = r["unmatched_unvotes"]
    print(
        f"    unvotes roll calls without a record: {um.height} "
        f"({um.filter(pl.col('amend')).height} amendments, {um.filter(pl.col('para')).height} "
        f"paragraph votes, {um.filter(~pl.col('amend') & ~pl.col('para')).height} other)"
    )
    ud = r["unmatched_undl"]
    print(f"    Digital Library records without an unvotes roll call: {ud.height}")
    with pl.Config(tbl_rows=40, fmt_str_lengths=70, tbl_width_chars=160):
        print(ud.with_columns(pl.col("title").str.slice(0, 70)))
    print(
        f"    {r['positions']:,} state positions on the matched roll calls; identical in both "
        f"(absences included): {r['identical']:.4%}; recorded votes that differ: "
        f"{r['conflicting']}; roll calls with identical yes/no/abstain totals: "
        f"{r['tallies_equal']:.1%}"
    )
    print(r["votes"])
    # who has a recorded vote in the Digital Library but none in unvotes
    from allyscope.un import data

    pairs = r["pairs"]
    extra = (
        undl.votes(wh, (2016, 2019))
        .filter(pl.col("vote") > 0)
        .join(pairs, on="token")
        .join(data.votes(wh).select("rcid", "ccode"), on=["rcid", "ccode"], how="anti")
        .join(wh.sql("SELECT token, year FROM undl_roll_calls"), on="token")
        .group_by("ccode", "year")
        .len()
        .sort("len", descending=True)
    )
    print("    recorded votes missing from unvotes, by state and year:")
    print(extra)


def part2(wh) -> None:
    from allyscope.un import undl

    rc, v, dup = undl.general_assembly(wh, (2020, 2021))
    print("\n(2) 2020-2021: records merged as repeats of another (same day, title, positions)")
    with pl.Config(fmt_str_lengths=70, tbl_width_chars=160):
        print(
            dup.join(
                wh.sql("SELECT token, date, resolution, title FROM undl_roll_calls"), on="token"
            ).with_columns(pl.col("title").str.slice(0, 60))
        )
    print(f"    kept: {rc.height} roll calls, {v.height:,} recorded votes")


def part3(wh) -> None:
    from allyscope.un import data, undl

    d = data.load(wh)
    iss = tuple(data.ISSUES)
    past = undl.roll_calls(wh, (data.FIRST_YEAR, data.UNVOTES_LAST_YEAR))
    pairs = undl.match_unvotes(
        past, undl.unvotes_roll_calls(wh, (data.FIRST_YEAR, data.UNVOTES_LAST_YEAR))
    )
    coded = (
        past.join(pairs, on="token")
        .join(d.roll_calls.select("rcid", *iss), on="rcid")
        .unique("token")
    )
    print("\n(3) issue codes from titles: year Y coded from the titles of earlier years")
    rows = []
    for year in (2017, 2018, 2019):
        test = coded.filter(pl.col("year") == year)
        b = undl.bridge_issues(test, coded.filter(pl.col("year") < year), iss)
        j = b.join(test.select("token", *[pl.col(k).alias(f"{k}_true") for k in iss]), on="token")
        known = j.drop_nulls("me")
        row = [year, test.height, known.height]
        for k in iss:
            agree = known.filter(pl.col(k) == pl.col(f"{k}_true")).height
            row.append(f"{agree}/{known.height}")
        rows.append(row)
    with pl.Config(tbl_cols=12):
        print(
            pl.DataFrame(
                rows, schema=["year", "roll calls", "title seen before", *iss], orient="row"
            )
        )
    kw = coded.filter(pl.col("year").is_between(2010, 2019)).with_columns(
        pl.col("title").str.contains(data.NUCLEAR_TITLE).alias("nuclear_in_title")
    )
    print("    'nuclear' in the title vs unvotes' nu code, 2010-2019:")
    print(kw.group_by("nuclear_in_title", "nu").len().sort("nuclear_in_title", "nu"))
    later = d.roll_calls.filter(pl.col("source") == "undl")
    print(
        f"    2020-2021: {later.height} roll calls; issue codes known (title voted on before) for "
        f"{later.drop_nulls('me').height}; on nuclear weapons: {later['nu'].sum()}"
    )


def part4(wh) -> None:
    from allyscope.un import compare, undl

    print("\n(4) US voting coincidence vs the State Department's published figures")
    for year in (2020, 2021):
        rc, v, _ = undl.general_assembly(wh, (year, year))
        sets = {"repeats merged": v.rename({"token": "rcid"})}
        if year == 2021:
            cuba = rc.filter(pl.col("resolution") == "A/RES/75/289")["token"]
            sets["without A/RES/75/289"] = v.filter(~pl.col("token").is_in(cuba.implode())).rename(
                {"token": "rcid"}
            )
        for label, votes in sets.items():
            t = compare.statedept(wh, year, votes)
            n = votes["rcid"].n_unique()
            exact = {
                k: (t[k] == t[f"{k}_c"]).mean() for k in ("same", "opposite", "partial", "absent")
            }
            r_classic = t.select(pl.corr("coincidence", "coincidence_classic")).item()
            r_half = t.select(pl.corr("coincidence", "coincidence_half")).item()
            mad = (t["coincidence"] - t["coincidence_half"]).abs().mean()
            print(
                f"    {year}, {label}: {n} roll calls, {t.height} states; counts equal to the "
                + ", ".join(f"{k} {x:.0%}" for k, x in exact.items())
                + f"; published % vs computed: r = {r_classic:.3f} (same/(same+opposite)), "
                f"r = {r_half:.3f}, mean |difference| {mad:.3f} (partial counted as half)"
            )
        sd = wh.table(f"statedept_coincidence_{year}")
        s, o, p = pl.col("same"), pl.col("opposite"), pl.col("partial")
        tol = 0.005 + 1e-9  # published to two decimals
        own = sd.select(
            ((s + p / 2) / (s + o + p) - pl.col("coincidence")).abs().le(tol).mean()
        ).item()
        own_c = sd.select((s / (s + o) - pl.col("coincidence")).abs().le(tol).mean()).item()
        print(
            f"    {year}: the published % is, to its two decimals, its own counts' (same + "
            f"partial/2) / (same + partial + opposite) for {own:.0%} of states, same / (same + "
            f"opposite) for {own_c:.0%}"
        )


def main() -> None:
    from allyscope.store import open_warehouse

    wh = open_warehouse()
    print(f"nproc: {os.cpu_count()}  (load average {os.getloadavg()[0]:.1f})")
    part1(wh)
    part2(wh)
    part3(wh)
    part4(wh)


if __name__ == "__main__":
    main()
