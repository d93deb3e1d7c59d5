"""Print the network and bloc figures quoted in README.md and docs/network.md.

    ALLYSCOPE_HOME=... python scripts/network_claims.py

Needs a built warehouse. Every figure is computed with the shipped settings
(``allyscope/settings.yaml``, printed with its hash) unless a line says otherwise:

1. hub and spokes of the United States in East Asia: lattice density of the defense,
   exercise and US-troop layers in selected years, and the exercise layer under three
   tie rules (the default 1/(n-1) weighting with its tie threshold; bilateral and
   minilateral exercises only; every exercise counted once, the rule used before);
2. UN voting blocs: where Russia sits after the Cold War (its bloc, stability and
   whether it shares a bloc with the United States), South Korea's lean, the number of
   blocs and the mean stability;
3. the de facto score of Japan-South Korea, China-North Korea and Russia-North Korea.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

YEARS = (1980, 1990, 2000, 2005, 2010)


def _hub_spoke_rows(layers: str, years: Sequence[int]) -> pl.DataFrame:
    from allyscope import network

    df = network.hub_spoke("USA", "East Asia", years=(1950, 2025), layers=layers)
    return df.filter(pl.col("year").is_in(list(years)))


def hub_and_spokes() -> None:
    from allyscope import network
    from allyscope.network import layers as L
    from allyscope.settings import ExerciseTieSettings
    from allyscope.settings import network as net_settings

    print("\n## United States in East Asia (hub and spokes)")
    d = _hub_spoke_rows("defense", (1955, 1977, 1978, 1986, 1987, 2018, 2025))
    for r in d.iter_rows(named=True):
        print(
            f"defense {r['year']}: lattice density {r['lattice_density']:.2f}, spokes {r['spokes']}"
        )
    zero = network.hub_spoke("USA", "East Asia", years=(1987, 2025), layers="defense")
    print(
        "defense 1987-2025: spoke-spoke ties in every year = 0:",
        bool((zero["spoke_ties"] == 0).all()),
    )
    st = net_settings()
    rules = {
        "default": st.exercises,
        "at most 4 states": ExerciseTieSettings("count", 4, 1.0),
        "every exercise once": ExerciseTieSettings("count", None, 1.0),
    }
    for name, rule in rules.items():
        print(f"exercises, {name} ({rule.describe()}):")
        for y in YEARS:
            ties = L.exercise_ties(rule).filter(
                (pl.col("year") == y) & (pl.col("exercise_weight") >= rule.min_tie_weight)
            )
            m = _metrics(ties, y)
            print(f"  {y}: {m}")
    t = _hub_spoke_rows("us_troops", (1980, 2000, 2025))
    for r in t.iter_rows(named=True):
        print(f"us_troops {r['year']} ({r['tie_rule']}): spokes {r['spokes']}")


def _metrics(ties: pl.DataFrame, year: int) -> str:
    """Spokes and lattice density of the United States in East Asia from one tie table."""
    from allyscope import codes

    region = set(codes.region_members("East Asia", year)) - {2}
    pairs = {(a, b) for a, b in ties.select("ccode1", "ccode2").iter_rows()}
    spokes = sorted(c for c in region if (min(2, c), max(2, c)) in pairs)
    k = len(spokes)
    t = sum((a, b) in pairs for i, a in enumerate(spokes) for b in spokes[i + 1 :])
    dens = t / (k * (k - 1) / 2) if k >= 2 else float("nan")
    names = ",".join(sorted(codes.iso3(c) or str(c) for c in spokes))
    return f"{k} spokes, {t} spoke-spoke ties, lattice density {dens:.2f} ({names})"


def blocs() -> None:
    from allyscope.network import voting_blocs as B
    from allyscope.settings import network as net_settings

    st = net_settings().blocs
    print(
        f"\n## UN voting blocs ({st.n_runs} runs: {st.algorithms}, resolutions "
        f"{st.resolutions}, {st.seeds} seeds; threshold {st.threshold})"
    )
    mem, stats = B.analyze()
    rus = mem.filter(pl.col("ccode") == 365)
    us = mem.filter(pl.col("ccode") == 2).select("year", pl.col("bloc").alias("us_bloc"))
    r = rus.join(us, on="year").filter(pl.col("year") >= 1992)
    for row in r.filter(pl.col("year").is_in([2009, 2010, 2013, 2015, 2018])).iter_rows(named=True):
        print(
            f"Russia {row['year']}: bloc {row['bloc_label']} ({row['bloc_size']}), stability "
            f"{row['stability']:.2f}, margin {row['margin']:.2f}, placed by {row['placed_by']}, "
            f"with the US: {row['bloc'] == row['us_bloc']}"
        )
    with_us = r.filter(pl.col("bloc") == pl.col("us_bloc"))["year"].to_list()
    print(f"Russia in the US bloc 1992-{r['year'].max()}: {with_us}")
    kor = B.bloc_position("KOR", (1992, 2019))
    print(
        f"South Korea 1992-2019: lean toward the US bloc {kor['lean'].min():.2f}-{kor['lean'].max():.2f}"
    )
    print(
        f"blocs per year: median {stats['n_blocs'].median():.0f} "
        f"({stats['n_blocs'].min()}-{stats['n_blocs'].max()}); mean state stability "
        f"{stats['mean_stability'].mean():.2f}; states placed by affinity: "
        f"{(mem['placed_by'] == 'affinity').sum()} of {mem.height} state-years"
    )
    print(stats.filter(pl.col("year").is_in([1975, 1990, 2005, 2019])).select("year", "blocs"))


def defacto() -> None:
    from allyscope.network import defacto_score as D

    print("\n## De facto alignment")
    cols = [
        "year",
        "defacto_score",
        "score_low",
        "score_high",
        "percentile",
        "percentile_low",
        "percentile_high",
        "percentile_allies",
        "n_compared",
        "basis",
        "not_compared",
        "institutionalization",
    ]
    with pl.Config(tbl_rows=40, tbl_cols=20, tbl_width_chars=220, fmt_str_lengths=60):
        print(D.defacto("JPN", "KOR", (2015, 2025)).select(cols))
    sc = D.scores((1991, 2024))
    for a, b, span in ((710, 731, (1991, 2019)), (365, 731, (2000, 2019)), (2, 731, (1991, 2019))):
        d = sc.filter(
            (pl.col("ccode1") == a) & (pl.col("ccode2") == b) & pl.col("year").is_between(*span)
        )
        print(
            f"{a}-{b} {span[0]}-{span[1]}: median percentile {d['percentile'].median():.1f}, "
            f"top quarter in {int((d['percentile'] >= 75).sum())} of {d.height} years"
        )
    rp = sc.filter((pl.col("ccode1") == 365) & (pl.col("ccode2") == 731) & (pl.col("year") >= 2023))
    print(rp.select("year", "formal_defense", "percentile", "basis", "institutionalization"))


def main() -> None:
    from allyscope import settings

    st = settings.load()
    print(f"settings {st.path} sha256 {st.hash[:12]}, as of {st.as_of}")
    hub_and_spokes()
    blocs()
    defacto()


if __name__ == "__main__":
    main()
