"""North Korea's drift in the UN ideal points: why it happens and what fixes it.

    ALLYSCOPE_HOME=... python bench/un_prk.py [--plot prk.html]

Prints, for 2000-2021:
(1) North Korea's votes per year, on roll calls about nuclear weapons (issue ``nu``) and on
    all others, as yes / abstain / no, and on the nuclear ones where the United States voted
    no, how often North Korea abstained;
(2) its rank among all states (1 = nearest the United States) and that of the other states
    that have tested nuclear weapons, under the model without and with the split of roll
    calls on nuclear weapons (``dif="none"`` / ``"nuclear"``), under the remedies that leave
    the nuclear roll calls alone (a five times smaller random-walk variance, abstentions
    treated as missing, final-passage votes only), and in Voeten's published estimates;
(3) each variant's median within-year correlation with Voeten's estimates.
``--plot FILE.html`` also writes North Korea's rank per year under each variant as an
interactive chart. Every fit is deterministic; the figures in docs/un.md come from here.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import polars as pl

YEARS = (2000, 2021)
SHOW = (2005, 2010, 2013, 2015, 2017, 2019, 2020, 2021)
NUCLEAR = {2: "USA", 365: "RUS", 200: "GBR", 220: "FRA", 710: "CHN", 750: "IND", 770: "PAK"}


def fit_table(data, *, dif: str = "none", omega2: float = 0.01) -> tuple[pl.DataFrame, dict]:
    from allyscope.un import idealpoints as ip

    t0 = time.perf_counter()
    prob = ip.layout(data, "year", omega2=omega2, dif=dif)
    f = ip.fit(prob)
    ip.identify(prob, f)
    nc, T = prob.shape
    n = prob.n_cell.reshape(nc, T)
    ci, ti = np.nonzero(n > 0)
    table = pl.DataFrame(
        {
            "ccode": prob.ccodes[ci].astype(np.int32),
            "year": prob.periods[ti].astype(np.int32),
            "idealpoint": f.x[ci, ti],
        }
    )
    return table, {"iterations": f.iterations, "seconds": time.perf_counter() - t0}


def mechanism(data) -> pl.DataFrame:
    v = data.votes.join(data.roll_calls.select("rcid", "nu"), on="rcid")
    us = v.filter(pl.col("ccode") == 2).select("rcid", pl.col("vote").alias("us"))
    prk = v.filter((pl.col("ccode") == 731) & pl.col("year").is_between(*YEARS)).join(
        us, on="rcid", how="left"
    )
    nu = pl.col("nu").fill_null(False)
    return (
        prk.group_by("year")
        .agg(
            *[
                ((pl.col("vote") == k) & sel).sum().alias(f"{lab}_{name}")
                for lab, sel in (("nuclear", nu), ("other", ~nu))
                for k, name in ((1, "yes"), (2, "abstain"), (3, "no"))
            ],
            (nu & (pl.col("us") == 3)).sum().alias("nuclear_us_no"),
            (nu & (pl.col("us") == 3) & (pl.col("vote") == 2)).sum().alias("abstained_there"),
        )
        .sort("year")
    )


def main(plot: str | None = None) -> None:
    import os

    from allyscope.store import open_warehouse
    from allyscope.un import compare, data

    wh = open_warehouse()
    print(f"nproc: {os.cpu_count()}  (load average {os.getloadavg()[0]:.1f})")
    d = data.load(wh)
    pl.Config.set_tbl_rows(40)
    pl.Config.set_tbl_cols(20)
    pl.Config.set_tbl_width_chars(200)
    print("(1) North Korea's votes per year: roll calls on nuclear weapons and all others")
    print(mechanism(d))

    raw = wh.sql(
        "SELECT rcid, coalesce(amend, 0) + coalesce(para, 0) > 0 AS part FROM un_roll_calls"
    )
    parts = raw.filter(pl.col("part"))["rcid"].cast(pl.Int32)
    variants = {
        "before (one model for all)": (d, "none", 0.01),
        "after (nuclear roll calls split)": (d, "nuclear", 0.01),
        "random-walk variance / 5": (d, "none", 0.002),
        "abstentions as missing": (
            data.VoteData(votes=d.votes.filter(pl.col("vote") != 2), roll_calls=d.roll_calls),
            "none",
            0.01,
        ),
        "final-passage votes only": (
            data.VoteData(
                votes=d.votes.filter(~pl.col("rcid").is_in(parts.implode())),
                roll_calls=d.roll_calls,
            ),
            "none",
            0.01,
        ),
    }
    fp = compare.voeten(wh, "fp")
    tables: dict[str, pl.DataFrame] = {}
    summary = []
    for name, (dd, dif, omega2) in variants.items():
        table, info = fit_table(dd, dif=dif, omega2=omega2)
        tables[name] = table
        cors = compare.within_year_correlations(table, fp)
        a = compare.median_correlations(cors, (1946, 2019))
        b = compare.median_correlations(cors, (2020, 2021))
        summary.append(
            (
                name,
                info["iterations"],
                info["seconds"],
                a["pearson"],
                a["spearman"],
                b["pearson"],
                b["spearman"],
            )
        )
    tables["Voeten (published, final passage)"] = fp.rename({"voeten": "idealpoint"})

    print("\n(2) rank of North Korea (1 = nearest the United States) / number of states")
    rows = []
    for name, table in tables.items():
        r = compare.ranks(table.filter(pl.col("year").is_between(*YEARS)))
        prk = {y: (k, n) for _, y, k, n in r.filter(pl.col("ccode") == 731).iter_rows()}
        rows.append([name] + [f"{prk[y][0]}/{prk[y][1]}" if y in prk else "-" for y in SHOW])
    print(pl.DataFrame(rows, schema=["variant", *map(str, SHOW)], orient="row"))

    print("\n    the other states that have tested nuclear weapons, rank in 2010 -> 2019 -> 2021")
    rows = []
    for name, table in tables.items():
        r = compare.ranks(table)
        cells = []
        for c in NUCLEAR:
            got = dict(r.filter(pl.col("ccode") == c).select("year", "rank").iter_rows())
            cells.append(" -> ".join(str(got.get(y, "-")) for y in (2010, 2019, 2021)))
        rows.append([name, *cells])
    print(pl.DataFrame(rows, schema=["variant", *NUCLEAR.values()], orient="row"))

    print("\n(3) median within-year correlation with Voeten's final-passage estimates")
    print(
        pl.DataFrame(
            summary,
            schema=[
                "variant",
                "iterations",
                "seconds",
                "pearson 1946-2019",
                "spearman 1946-2019",
                "pearson 2020-2021",
                "spearman 2020-2021",
            ],
            orient="row",
        )
    )
    if plot:
        import plotly.graph_objects as go

        fig = go.Figure()
        for name, table in tables.items():
            r = compare.ranks(table.filter(pl.col("year").is_between(1991, YEARS[1])))
            p = r.filter(pl.col("ccode") == 731).sort("year")
            fig.add_trace(go.Scatter(x=p["year"].to_list(), y=p["rank"].to_list(), name=name))
        fig.update_layout(
            title="North Korea's rank in UN ideal points (1 = nearest the United States)",
            yaxis={"autorange": "reversed", "title": "rank"},
            xaxis={"title": "year"},
        )
        fig.write_html(plot, include_plotlyjs=True)
        print(f"\nwrote {plot}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[args.index("--plot") + 1] if "--plot" in args else None)
