"""The report's sections: one per question, each a set of figures, tables and findings.

1. How institutionalized is the group, and what records stand behind each change?
2. How aligned are its members over time (UN votes, ideal points, exercises, US troops)?
3. How aligned are they de facto, compared with the other pairs of states?
4. Is the US hub-and-spoke system becoming a lattice, and where do the blocs run,
   counter-group included?
5. Will the group become a formal alliance: forecast, drivers and two scenarios?

Every builder takes a :class:`~allyscope.report.group.Group` and returns a
:class:`Section`, built from :mod:`allyscope.api` results only. Years outside a
source's coverage are said in ``notes``.

Sections are registered through the entry-point group ``allyscope.report_sections``: each
entry point names a :class:`SectionSpec`; allyscope's own five are declared there too.
:func:`registered_sections` returns them in report order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import polars as pl

from allyscope import api
from allyscope.groups import Group
from allyscope.sources.bounds import coverage
from allyscope.views.currency import InputUse, mechanisms_use
from allyscope.views.figures import (
    Figure,
    Table,
    band_traces,
    bar_traces,
    empty_note,
    figure,
    fmt,
    layout,
    line_traces,
)


@dataclass
class Section:
    id: str
    title: str
    question: str
    findings: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    #: the inputs the section draws on, how far it shows them and whether it carries them
    inputs: list[InputUse] = field(default_factory=list)
    #: the effective information date of the section's answer (set by ``annotate``)
    information_date: str = ""

    def use(
        self,
        input: str,
        shown_through: int | None,
        *,
        carried: bool = False,
        rule: str = "",
    ) -> None:
        """Record that the section shows ``input`` up to ``shown_through`` (carried
        forward past the input's data end when ``carried``, as ``rule`` says)."""
        self.inputs.append(InputUse(input, shown_through, carried, rule))

    def use_result(self, input: str, res: api.Result, *, carried: bool = False) -> None:
        """Record a query result's input: shown through its last year with data
        (``Result.currency.data_through``); carried if its currency says so."""
        notes = "; ".join(res.currency.notes)
        self.use(input, res.currency.data_through, carried=carried, rule=notes if carried else "")

    def to_dict(self) -> dict[str, Any]:
        from allyscope.views.currency import currency_frame

        cur = currency_frame(self.inputs) if self.inputs else None
        return {
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "findings": self.findings,
            "figures": [f.to_dict() for f in self.figures],
            "tables": [t.to_dict() for t in self.tables],
            "notes": self.notes,
            "citations": self.citations,
            "information_date": self.information_date,
            "currency": cur.to_dicts() if cur is not None else [],
        }


def dyad_labels(group: Group, pairs: list[tuple[int, int]] | None = None) -> dict[str, str]:
    pairs = pairs if pairs is not None else group.dyads
    return {f"{a}-{b}": f"{group.short(a)}–{group.short(b)}" for a, b in pairs}


def _dyad_key(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        (pl.col("ccode1").cast(pl.String) + "-" + pl.col("ccode2").cast(pl.String)).alias("dyad")
    )


def _clip_note(name: str, cover: tuple[int, int], years: tuple[int, int]) -> str | None:
    if years[0] < cover[0] or years[1] > cover[1]:
        return (
            f"{name} cover {cover[0]}–{cover[1]}; years of the window outside that range are "
            "missing (not zero)."
        )
    return None


# -- 2. alignment over time ------------------------------------------------------------------


def un_affinity_figure(group: Group, aff: pl.DataFrame, *, fig_id: str = "un-affinity") -> Figure:
    """S-score of every member pair by year."""
    labels = dyad_labels(group)
    df = _dyad_key(aff).sort("year")
    lay = layout(
        "UN General Assembly voting affinity (S-score)",
        y_title="S-score (−1 opposite … 1 identical votes)",
        y_range=[-1.05, 1.05],
        legend_title="Pair",
    )
    if df.is_empty():
        fig = empty_note(lay, "No UN votes recorded for these pairs in the window")
    else:
        fig = figure(line_traces(df, x="year", y="s_score", series="dyad", labels=labels), lay)
    last = df.group_by("dyad", maintain_order=True).agg(
        pl.col("year").min().alias("first_year"),
        pl.col("s_score").sort_by("year").first().alias("first"),
        pl.col("year").max().alias("last_year"),
        pl.col("s_score").sort_by("year").last().alias("last"),
        pl.col("n_votes").sort_by("year").last().alias("votes"),
    )
    last = last.with_columns(pl.col("dyad").replace_strict(labels, default=None).alias("pair"))
    table = Table.from_frame(
        last.sort("pair"),
        columns={
            "pair": "Pair",
            "first_year": "First year",
            "first": "S-score",
            "last_year": "Last year",
            "last": "S-score ",
            "votes": "Votes (last year)",
        },
    )
    return Figure(
        fig_id,
        "UN voting affinity between the members",
        "Signorino–Ritter S-score of the pair's UN General Assembly roll-call votes in each "
        "calendar year (yes, abstain and no on a three-point scale; absences left out). "
        "1 means identical votes, −1 opposite votes.",
        fig,
        table,
        sources=["un_votes"],
    )


def ideal_point_figure(group: Group, ip: pl.DataFrame) -> Figure:
    states = [*group.ccodes, *group.counter]
    labels = {c: group.name(c) for c in states}
    value = "idealpoint"
    lay = layout(
        "UN ideal points (one dimension, US positive)",
        y_title="Ideal point (latent scale)",
        legend_title="State",
    )
    fig = figure(line_traces(ip, x="year", y=value, series="ccode", labels=labels), lay)
    last = ip.sort("year").group_by("ccode", maintain_order=True).last()
    last = last.with_columns(pl.col("ccode").replace_strict(labels, default=None).alias("state"))
    return Figure(
        "un-ideal-points",
        "UN ideal points of the members and the counter-group",
        "Dynamic one-dimensional ideal points from all UN General Assembly roll calls, "
        "identified so that the United States is positive. Members and counter-group drawn "
        "together show how far apart the two sides vote.",
        fig,
        Table.from_frame(
            last.select("state", "year", value),
            columns={"state": "State", "year": "Year", value: "Ideal point"},
        ),
        sources=["un_votes"],
    )


def exercises_figure(group: Group, df: pl.DataFrame, col: str) -> Figure:
    labels = dyad_labels(group)
    d = _dyad_key(df).filter(pl.col(col).is_not_null())
    lay = layout(
        "Joint multinational military exercises",
        y_title="Exercises per year (count)",
        legend_title="Pair",
        hovermode="x",
    )
    lay["barmode"] = "group"
    if d.is_empty():
        mme0, mme1 = coverage("mme_exercises")
        fig = empty_note(
            lay, f"No exercise data for these pairs in the window (MME: {mme0}–{mme1})"
        )
    else:
        fig = figure(bar_traces(d, x="year", y=col, series="dyad", labels=labels), lay)
    tot = d.group_by("dyad", maintain_order=True).agg(
        pl.col(col).sum().alias("total"), pl.len().alias("years")
    )
    tot = tot.with_columns(pl.col("dyad").replace_strict(labels, default=None).alias("pair"))
    return Figure(
        "exercises",
        "Joint military exercises of the member pairs",
        "Number of multinational military exercises in which both states took part, per "
        "year, from the Multinational Military Exercises data ({}–{}).".format(
            *coverage("mme_exercises")
        ),
        fig,
        Table.from_frame(
            tot.sort("pair").select("pair", "total", "years"),
            columns={"pair": "Pair", "total": "Exercises", "years": "Years covered"},
        ),
        sources=["mme"],
    )


def troops_figure(group: Group, df: pl.DataFrame, col: str) -> Figure:
    hosts = [c for c in group.ccodes if c != 2]
    labels = {c: group.name(c) for c in hosts}
    d = df.filter(pl.col("ccode").is_in(hosts))
    lay = layout(
        "US troops stationed in the members",
        y_title="US military personnel (persons)",
        legend_title="Host state",
    )
    fig = figure(line_traces(d, x="year", y=col, series="ccode", labels=labels, digits=0), lay)
    last = (
        d.filter(pl.col(col).is_not_null())
        .sort("year")
        .group_by("ccode", maintain_order=True)
        .last()
    )
    last = last.with_columns(pl.col("ccode").replace_strict(labels, default=None).alias("host"))
    return Figure(
        "us-troops",
        "US troop presence in the members",
        "Active-duty US military personnel stationed in each member state, by year "
        "(US troop deployment data).",
        fig,
        Table.from_frame(
            last.select("host", "year", col),
            columns={"host": "Host", "year": "Year", col: "US troops"},
            digits=0,
        ),
        sources=["us_troops"],
    )


def build_alignment(group: Group) -> Section:
    s = Section(
        "alignment",
        "Alignment over time",
        "How closely have the members' foreign policies moved together?",
    )

    def un_part() -> None:
        res = api.un_affinity(list(group.ccodes), group.years)
        s.use_result("un_votes", res)
        aff = res.df
        fig = un_affinity_figure(group, aff)
        s.figures.append(fig)
        s.citations.extend(api.source_citations(["un_votes"]))
        note = _clip_note("The UN voting data", api.un_years(), group.years)
        if note:
            s.notes.append(note)
        d = _dyad_key(aff)
        for key, label in dyad_labels(group).items():
            part = d.filter(pl.col("dyad") == key).sort("year")
            if part.height >= 2:
                a, b = part.row(0, named=True), part.row(-1, named=True)
                s.findings.append(
                    f"{label}: UN voting S-score {fmt(b['s_score'])} in {b['year']} "
                    f"(from {fmt(a['s_score'])} in {a['year']})."
                )

    def ideal_part() -> None:
        ip = api.ideal_points([*group.ccodes, *group.counter], group.years)
        s.use_result("un_votes", ip)
        s.figures.append(ideal_point_figure(group, ip.df))

    def exercise_part() -> None:
        res = api.exercises(group.ccodes, group.years)
        s.use_result("exercises", res)
        s.figures.append(exercises_figure(group, res.df, "mme_joint_exercises"))
        cover = res.currency.coverage
        note = cover and _clip_note("The Multinational Military Exercises data", cover, group.years)
        if note:
            s.notes.append(note)

    def troop_part() -> None:
        res = api.us_troops(group.ccodes, group.years)
        s.use_result("troops", res)
        s.figures.append(troops_figure(group, res.df, "us_troops"))

    for part in (un_part, ideal_part, exercise_part, troop_part):
        part()
    return s


# -- 1. institutionalization ----------------------------------------------------------------


#: dimensions of the institutionalization index, in the order the docs list them
INDEX_DIMENSIONS = (
    ("leaders", "Leaders"),
    ("ministerial", "Ministerial"),
    ("working_level", "Working level"),
    ("standing", "Standing mechanisms"),
    ("military", "Military integration"),
    ("legal", "Legal bindingness"),
    ("breadth", "Issue breadth"),
    ("penalties", "Setbacks (negative)"),
)


def institution_figures(
    group: Group, index: pl.DataFrame, main_id: str, main_name: str
) -> list[Figure]:
    """The index per grouping, and the main grouping's index split into its dimensions."""
    idx = index.filter(pl.col("institutionalization").is_not_null())
    lay = layout(
        "Institutionalization index by grouping",
        y_title="Index points (0–100)",
        legend_title="Grouping",
    )
    banded = "index_low" in idx.columns
    bands = (
        band_traces(idx, x="year", low="index_low", high="index_high", series="grouping")
        if banded
        else []
    )
    fig1 = figure(
        [
            *bands,
            *line_traces(idx, x="year", y="institutionalization", series="grouping", digits=1),
        ],
        lay,
    )
    summary = (
        idx.sort("year")
        .group_by("grouping", maintain_order=True)
        .agg(
            pl.col("year").min().alias("first"),
            pl.col("institutionalization").max().alias("peak"),
            pl.col("year").sort_by("institutionalization").last().alias("peak_year"),
            pl.col("year").max().alias("last"),
            pl.col("institutionalization").last().alias("latest"),
            *(
                [
                    pl.col("index_low").last().alias("latest_low"),
                    pl.col("index_high").last().alias("latest_high"),
                ]
                if banded
                else []
            ),
        )
    )
    out = [
        Figure(
            "institutionalization",
            "Institutionalization of cooperation among the members",
            "Institutionalization index per grouping and year (0–100), computed from the "
            "curated cooperation-mechanism records: regular leader and ministerial meetings, "
            "standing mechanisms, military integration, legal bindingness and issue breadth, "
            "with decay when mechanisms lapse and penalties for setbacks. Blank years: no "
            "recorded grouping yet."
            + (
                " Shaded: the 5th–95th percentile of the index over "
                f"{_band_draws()} seeded draws of its weights, shapes and lapse and penalty "
                "parameters and of the bindingness coding on which coders disagreed "
                "(the institutionalization documentation, Uncertainty); the band does not "
                "cover events missing from the records."
                if banded
                else ""
            ),
            fig1,
            Table.from_frame(
                summary,
                columns={
                    "grouping": "Grouping",
                    "first": "First year",
                    "peak": "Peak",
                    "peak_year": "Peak year",
                    "last": "Last year",
                    "latest": "Latest",
                    "latest_low": "Latest, low",
                    "latest_high": "Latest, high",
                },
                digits=1,
            ),
            sources=["mechanisms"],
        )
    ]
    main = idx.filter(pl.col("grouping_id") == main_id).sort("year")
    if main.height:
        cols = [(c, label) for c, label in INDEX_DIMENSIONS if c in main.columns]
        long = main.select(
            "year",
            *[
                (-pl.col(c).abs() if c == "penalties" else pl.col(c)).alias(label)
                for c, label in cols
            ],
        ).unpivot(index="year", variable_name="dimension", value_name="points")
        lay2 = layout(
            f"{main_name}: what the index is made of",
            y_title="Index points",
            legend_title="Dimension",
            hovermode="x unified",
        )
        lay2["barmode"] = "relative"
        fig2 = figure(
            bar_traces(long, x="year", y="points", series="dimension", patterns=False), lay2
        )
        last = main.row(-1, named=True)
        out.append(
            Figure(
                "institutionalization-components",
                f"Components of the {main_name} index",
                "Contribution of each dimension to the index, by year; setbacks (suspensions, "
                "downgrades, withdrawals, trade restrictions) count below zero. The bars of "
                "a year add up to its index.",
                fig2,
                Table.from_frame(
                    main.tail(6).select("year", "institutionalization", *[c for c, _ in cols]),
                    columns={
                        "year": "Year",
                        "institutionalization": "Index",
                        **{c: label for c, label in cols},
                    },
                    digits=1,
                ),
                key_numbers=[
                    (f"Index {last['year']}", _with_band(last)),
                    ("Active mechanisms", str(last.get("n_active", "–"))),
                ],
                sources=["mechanisms"],
            )
        )
    return out


def _band_draws() -> int:
    from allyscope.mechanisms.uncertainty import uncertainty_settings
    from allyscope.settings import institutionalization

    return uncertainty_settings(institutionalization()).draws


def _with_band(r: dict[str, Any]) -> str:
    """An index with its band, e.g. "73.6 (68.4–78.8)"."""
    v = fmt(r["institutionalization"], 1)
    if r.get("index_low") is None:
        return str(v)
    return f"{v} ({fmt(r['index_low'], 1)}–{fmt(r['index_high'], 1)})"


def build_institutions(group: Group) -> Section:
    """1. How institutionalized is the group's cooperation, and which records stand behind
    each change?"""
    s = Section(
        "institutions",
        "Institutionalization",
        "How institutionalized is the cooperation among the members, and what records stand "
        "behind each change?",
    )
    rel = api.groupings_of(group.ccodes).df
    if rel.is_empty():
        s.notes.append(
            "No curated cooperation-mechanism records cover a grouping of these states. "
            "Records can be added as YAML files (see the mechanisms documentation)."
        )
        return s
    chosen = pl.concat(
        [
            rel.filter(pl.col("relation") != "includes"),
            rel.filter(pl.col("relation") == "includes").head(3),
        ]
    )
    index = api.institutionalization(chosen["grouping_id"].to_list(), group.years).df
    main = chosen.row(0, named=True)
    shown = index.filter(pl.col("institutionalization").is_not_null())["year"].max()
    records = api.mechanism_records(chosen["grouping_id"].to_list()).df
    s.inputs.append(mechanisms_use(records, int(shown) if shown is not None else None))  # type: ignore[arg-type]
    s.figures.extend(institution_figures(group, index, main["grouping_id"], main["grouping"]))
    if main["relation"] != "same":
        s.notes.append(
            f"No grouping with exactly these members is recorded; the main grouping shown "
            f"is {main['grouping']} ({main['members']})."
        )
    changes = api.institution_changes([main["grouping_id"]], group.years).df
    if changes.height:
        s.tables.append(_changes_table(changes, main["grouping"]))
    s.findings.extend(_index_findings(index, main))
    for g in chosen.filter(pl.col("relation") == "within").iter_rows(named=True):
        s.findings.extend(_dip_finding(index, g))
    return s


def _changes_table(ch: pl.DataFrame, grouping: str) -> Table:
    """The records behind each change of a grouping's index, linked to their sources."""
    t = (
        ch.sort("date")
        .select("year", "institutionalization", "change", "date", "title", "type", "source_url")
        .with_columns(pl.col("type").str.replace_all("_", " "))
    )
    return Table.from_frame(
        t,
        columns={
            "year": "Year",
            "institutionalization": "Index",
            "change": "Change",
            "date": "Date",
            "title": "Record (links to its public source)",
            "type": "Mechanism",
        },
        digits=1,
        caption=f"Records behind each change of the {grouping} index",
        links={"title": "source_url"},
    )


def _index_findings(index: pl.DataFrame, main: dict[str, Any]) -> list[str]:
    """The main grouping's latest, first and peak index and its largest rise and fall."""
    m = index.filter(
        (pl.col("grouping_id") == main["grouping_id"])
        & pl.col("institutionalization").is_not_null()
    ).sort("year")
    if not m.height:
        return []
    peak = m.sort("institutionalization").row(-1, named=True)
    first, last = m.row(0, named=True), m.row(-1, named=True)
    out = [
        f"{main['grouping']}: index {_with_band(last)} in "
        f"{last['year']} (first recorded {first['year']}: "
        f"{fmt(first['institutionalization'], 1)}; peak "
        f"{fmt(peak['institutionalization'], 1)} in {peak['year']})."
        + (
            " In brackets: the 5th–95th percentile band."
            if last.get("index_low") is not None
            else ""
        )
    ]
    d = m.with_columns(pl.col("institutionalization").diff().alias("d")).drop_nulls("d")
    if d.height:
        up, down = d.sort("d").row(-1, named=True), d.sort("d").row(0, named=True)
        if up["d"] > 0:
            out.append(f"Largest rise: {up['year']} (+{fmt(up['d'], 1)} points).")
        if down["d"] < 0:
            out.append(f"Largest fall: {down['year']} ({fmt(down['d'], 1)} points).")
    return out


def _dip_finding(index: pl.DataFrame, g: dict[str, Any]) -> list[str]:
    """The sharpest drop of a grouping's index, if it ever fell."""
    gi = (
        index.filter(
            (pl.col("grouping_id") == g["grouping_id"])
            & pl.col("institutionalization").is_not_null()
        )
        .with_columns(pl.col("institutionalization").diff().alias("d"))
        .drop_nulls("d")
    )
    if not gi.height:
        return []
    dip = gi.sort("d").row(0, named=True)
    if dip["d"] >= 0:
        return []
    return [f"{g['grouping']}: sharpest drop in {dip['year']} ({fmt(dip['d'], 1)} points)."]


# -- 3. de facto alignment ---------------------------------------------------------------


DEFACTO_COMPONENTS = (
    ("un_affinity", "UN affinity"),
    ("ideal_point", "Ideal-point proximity"),
    ("exercises", "Joint exercises"),
    ("arms", "Arms dependence"),
    ("institutionalization", "Institutionalization"),
    ("shared_rivals", "Shared rivals"),
    ("dca", "Defense cooperation agreements"),
    ("shared_patron", "Shared patron (US troops)"),
    ("shared_allies", "Shared allies"),
    ("rhetoric", "General Debate rhetoric"),
)


def build_defacto(group: Group) -> Section:
    s = Section(
        "defacto",
        "De facto alignment",
        "How aligned are the members, compared with the other dyads of the same years?",
    )

    def part() -> None:
        res = api.defacto_pairs(group.ccodes, group.years)
        _defacto_inputs(s, res)
        pairs = res.df
        if pairs.is_empty():
            s.notes.append(
                "The de facto alignment score covers {}–{}; the window lies outside.".format(
                    *api.DEFACTO_YEARS
                )
            )
            return
        note = _clip_note("The de facto alignment score's inputs", api.DEFACTO_YEARS, group.years)
        if note:
            s.notes.append(note)
        d = _dyad_key(pairs).sort("year")
        labels = dyad_labels(group)
        lay = layout(
            "De facto alignment of the member pairs",
            y_title="Percentile among the dyads on the same basis (0–100)",
            y_range=[0, 100],
            legend_title="Pair",
        )
        fig = figure(
            line_traces(d, x="year", y="percentile", series="dyad", labels=labels, digits=0),
            lay,
        )
        grp = api.defacto_group(group.ccodes, group.years).df
        if grp.height and len(group.ccodes) > 2:
            fig["data"].append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "Group (weakest pair)",
                    "x": grp["year"].to_list(),
                    "y": grp["percentile_min"].to_list(),
                    "line": {"color": "#000000", "dash": "dot", "width": 2.5},
                    "hovertemplate": "group, weakest pair: %{y:.0f}<extra></extra>",
                }
            )
        last = d.group_by("dyad", maintain_order=True).agg(pl.all().sort_by("year").last())
        last = last.with_columns(pl.col("dyad").replace_strict(labels, default=None).alias("pair"))
        s.figures.append(
            Figure(
                "defacto",
                "De facto alignment of the member pairs",
                "Percentile of each pair's de facto alignment score among the dyads of the "
                "same year observed on the same components (the basis), with the band over "
                "alternative weights in the table. The score averages the observed components: "
                "UN voting affinity and ideal-point proximity, joint exercises, arms "
                "dependence, institutionalization, shared rivals and defense cooperation "
                "agreements; a component a source does not observe is left out, never "
                "counted as 0.",
                fig,
                Table.from_frame(
                    last.sort("pair").select(
                        "pair",
                        "year",
                        "formal_defense",
                        "defacto_score",
                        "percentile",
                        "percentile_low",
                        "percentile_high",
                        "percentile_allies",
                        "basis",
                        "n_compared",
                    ),
                    columns={
                        "pair": "Pair",
                        "year": "Year",
                        "formal_defense": "Formal defense pact",
                        "defacto_score": "Score",
                        "percentile": "Percentile (same basis)",
                        "percentile_low": "Band, low",
                        "percentile_high": "Band, high",
                        "percentile_allies": "Percentile among formal allies",
                        "basis": "Compared on",
                        "n_compared": "Dyads compared",
                    },
                    digits={
                        "defacto_score": 2,
                        "percentile": 0,
                        "percentile_low": 0,
                        "percentile_high": 0,
                        "percentile_allies": 0,
                    },
                ),
                sources=["atop_alliance", "un_votes", "mme_exercises", "sipri_arms", "dcad"],
            )
        )
        used = set(api.defacto_components())
        comp_cols = [(c, lab) for c, lab in DEFACTO_COMPONENTS if c in last.columns and c in used]
        long = last.select("pair", *[pl.col(c).alias(lab) for c, lab in comp_cols]).unpivot(
            index="pair", variable_name="component", value_name="value"
        )
        lay2 = layout(
            f"Components of the score, {last.select(pl.col('year').max()).item()}",
            x_title="Component",
            y_title="Scaled component (0–1)",
            y_range=[0, 1.02],
            legend_title="Pair",
            hovermode="closest",
        )
        lay2["barmode"] = "group"
        s.figures.append(
            Figure(
                "defacto-components",
                "What the de facto score is made of",
                "Each component scaled to 0–1 in the last year with data, per member pair; "
                "a component its source does not observe that year is missing.",
                figure(bar_traces(long, x="component", y="value", series="pair"), lay2),
            )
        )
        for r in last.sort("pair").iter_rows(named=True):
            formal = "a formal defense pact" if r["formal_defense"] else "no formal defense pact"
            s.findings.append(
                f"{r['pair']} in {r['year']} ({formal}): de facto alignment at the "
                f"{fmt(r['percentile'], 0)}th percentile of the {r['n_compared']} dyads "
                f"compared on {r['basis']} (band {fmt(r['percentile_low'], 0)}–"
                f"{fmt(r['percentile_high'], 0)})."
            )

    part()
    return s


def _defacto_inputs(s: Section, res: api.Result) -> None:
    """The de facto score's inputs: alliances, UN votes, exercises (carried forward past
    their data when the score carries them) and US troops, shown through the score's last
    year."""
    through = res.currency.data_through
    carried_note = next((n for n in res.currency.notes if "carried" in n), "")
    for name in ("alliances", "un_votes", "troops"):
        s.use(name, through)
    s.use("exercises", through, carried=bool(carried_note), rule=carried_note)


# -- 4. network structure and blocs ---------------------------------------------------

HUB_LAYERS = (
    ("defense", "Defense pacts"),
    ("exercises", "Joint exercises"),
    ("un_affinity_top", "Top UN affinity"),
    ("mechanisms", "Cooperation mechanisms"),
)


def hub_region(group: Group) -> tuple[int, str]:
    """The hub (the settings' ``reports.hub``) and the World Bank region of the group's
    first member other than the hub (the hub's own region for a group of the hub alone)."""
    from allyscope import codes
    from allyscope.settings import reports

    hub = codes.resolve(reports().hub)
    others = [c for c in group.ccodes if c != hub] or [hub]
    region = codes.lookup(others[0]).get("wb_region")
    return hub, str(region)


def build_structure(group: Group) -> Section:
    s = Section(
        "structure",
        "Hub and spokes, lattice and blocs",
        "Are the US's ties in the region turning from a hub and spokes into a lattice, and "
        "where do the blocs run — counter-group included?",
    )

    def hub_part() -> None:
        hub, region = hub_region(group)
        df = api.hub_spoke(hub, region, group.years, [n for n, _ in HUB_LAYERS]).df
        if df.is_empty():
            return
        _hub_inputs(s, df, group)
        labels = dict(HUB_LAYERS)
        d = df.filter(pl.col("covered")).sort("year")
        lay = layout(
            f"Spoke–spoke ties among the US's partners in {region}",
            y_title="Lattice density (share of partner pairs tied, 0–1)",
            y_range=[-0.02, 1.02],
            legend_title="Layer",
        )
        fig = figure(
            line_traces(d, x="year", y="lattice_density", series="layer", labels=labels), lay
        )
        last = (
            d.group_by("layer", maintain_order=True)
            .agg(pl.all().sort_by("year").last())
            .with_columns(pl.col("layer").replace_strict(labels, default=None).alias("Layer"))
        )
        s.figures.append(
            Figure(
                "hub-spoke",
                f"Hub and spokes or lattice: the United States in {region}",
                "For each layer, the share of pairs of US partners (spokes) in the region that "
                "are tied to each other directly. 0 is a pure hub and spoke; 1 a full lattice.",
                fig,
                Table.from_frame(
                    last.sort("Layer").select(
                        "Layer", "year", "n_spokes", "spoke_ties", "lattice_density", "spokes"
                    ),
                    columns={
                        "Layer": "Layer",
                        "year": "Year",
                        "n_spokes": "Spokes",
                        "spoke_ties": "Spoke–spoke ties",
                        "lattice_density": "Lattice density",
                        "spokes": "Spokes (ISO3)",
                    },
                ),
                sources=["atop_alliance", "mme", "un_votes"],
            )
        )
        for r in last.sort("Layer").iter_rows(named=True):
            first = d.filter(pl.col("layer") == r["layer"]).row(0, named=True)
            if r["lattice_density"] is not None and first["lattice_density"] is not None:
                s.findings.append(
                    f"{r['Layer']}: {fmt(r['lattice_density'])} of US partner pairs in "
                    f"{region} tied directly in {r['year']} (from "
                    f"{fmt(first['lattice_density'])} in {first['year']})."
                )

    def bloc_part() -> None:
        bloc_res, pol_res = api.blocs(group.years)
        s.use_result("un_votes", pol_res)
        blocs, pol = bloc_res.df, pol_res.df
        if pol.is_empty():
            s.notes.append(
                "UN voting blocs need UN votes ({}–{}); the window lies outside.".format(
                    *api.un_years()
                )
            )
            return
        states = [*group.ccodes, *group.counter]
        names = {c: group.name(c) for c in states}
        mine = blocs.filter(pl.col("ccode").is_in(states))
        refs = [c for c in mine.columns if c.startswith("affinity_") and c.endswith("_bloc")]
        lay = layout(
            "Where the states sit between the UN voting blocs",
            y_title="Lean (affinity with the US's bloc − with China's bloc)",
            legend_title="State",
        )
        fig = figure(
            line_traces(mine.sort("year"), x="year", y="lean", series="ccode", labels=names), lay
        )
        last_year = int(mine.select(pl.col("year").max()).item())
        last = (
            mine.filter(pl.col("year") == last_year)
            .with_columns(
                pl.col("ccode").replace_strict(names, default=None).alias("state"),
                pl.col("ccode").is_in(list(group.counter)).alias("counter"),
            )
            .sort("lean", descending=True)
        )
        s.figures.append(
            Figure(
                "bloc-position",
                "The group and the counter-group between the blocs",
                "Each state's mean UN voting affinity (Cohen's kappa) with the members of the "
                "bloc of the United States minus that with the bloc of China, from consensus "
                "clustering of UN affinity each year (blocs named after their members of "
                "largest capabilities). Above zero: closer to the US's bloc.",
                fig,
                Table.from_frame(
                    last.select(
                        "state",
                        "counter",
                        "bloc_label",
                        "stability",
                        *refs,
                        "lean",
                    ),
                    columns={
                        "state": "State",
                        "counter": "Counter-group",
                        "bloc_label": f"Bloc {last_year}",
                        "stability": "Stability",
                        **{
                            c: f"Affinity, bloc of {c[len('affinity_') : -len('_bloc')].upper()}"
                            for c in refs
                        },
                        "lean": "Lean",
                    },
                ),
                sources=["un_votes"],
            )
        )
        lay2 = layout(
            "Polarization of UN voting",
            y_title="Index (modularity; within − between affinity)",
            legend_title="Measure",
        )
        long = pol.select(
            "year",
            pl.col("modularity").alias("Modularity"),
            pl.col("affinity_gap").alias("Affinity gap"),
        ).unpivot(index="year", variable_name="measure", value_name="value")
        s.figures.append(
            Figure(
                "polarization",
                "Polarization of the UN General Assembly",
                "Modularity of the yearly bloc partition of UN voting affinity, and the gap "
                "between mean affinity within and between blocs. Higher: more divided.",
                figure(line_traces(long, x="year", y="value", series="measure"), lay2),
                Table.from_frame(
                    pol.sort("year")
                    .tail(5)
                    .select("year", "n_blocs", "modularity", "affinity_gap", "blocs"),
                    columns={
                        "year": "Year",
                        "n_blocs": "Blocs",
                        "modularity": "Modularity",
                        "affinity_gap": "Affinity gap",
                        "blocs": "Blocs (size)",
                    },
                ),
                sources=["un_votes"],
            )
        )
        for r in last.iter_rows(named=True):
            side = "counter-group" if r["counter"] else "group"
            s.findings.append(
                f"{r['state']} ({side}) voted with the {r['bloc_label']} bloc in {last_year} "
                f"(lean {fmt(r['lean'])})."
            )

    for p in (hub_part, bloc_part):
        p()
    _minerals_part(s, group)
    if group.counter_rule:
        s.notes.append(f"Counter-group: {group.counter_rule}.")
    return s


def _minerals_part(s: Section, group: Group) -> None:
    """Supply-chain exposure of the group to each counter-group state (USGS minerals)."""
    from allyscope import minerals

    rows: list[list[Any]] = []
    year = None
    for c in group.counter:
        h = minerals.exposure_summary(group.ccodes, c)
        year = int(cast("int", h["year"]))
        if not h["dominated"]:
            continue
        goods = cast("list[str]", h["dominated_commodities"])
        name = group.name(c)
        lt = h["dominated_group_lt_tenth"]
        rows.append([name, h["series"], h["dominated"], lt, ", ".join(goods)])
        s.findings.append(
            f"{name} produces at least half of world output in {h['dominated']} of the "
            f"{h['series']} US critical-mineral series ({year}); in {lt} of them the group "
            "produces less than a tenth of what it does."
        )
    if year is None:
        return
    s.use("minerals", year)
    if rows:
        s.tables.append(
            Table(
                ["Supplier", "Series", "Supplier ≥ 50%", "Group < 1/10", "Commodities"],
                rows,
                caption=(
                    "Supply-chain exposure: US critical-mineral series (USGS Mineral "
                    f"Commodity Summaries 2025, production {year}) in which a "
                    "counter-group state produces at least half of world output, and in "
                    "how many the group's own production is below a tenth of it."
                ),
            )
        )


#: network layers -> the input each draws on
_LAYER_INPUTS = {
    "defense": "alliances",
    "exercises": "exercises",
    "un_affinity_top": "un_votes",
    "mechanisms": "mechanisms",
}


def _hub_inputs(s: Section, df: pl.DataFrame, group: Group) -> None:
    """Each layer's input, shown through the last year the layer's data cover (the
    mechanism records' currency from the groupings of the group's members)."""
    covered = df.filter(pl.col("covered")) if "covered" in df.columns else df
    for layer, name in _LAYER_INPUTS.items():
        years = covered.filter(pl.col("layer") == layer)["year"]
        last = int(years.max()) if years.len() else None  # type: ignore[arg-type]
        if name == "mechanisms":
            ids = api.groupings_of(group.ccodes).df["grouping_id"].to_list()
            s.inputs.append(mechanisms_use(api.mechanism_records(ids).df, last))
        else:
            s.use(name, last)


# -- 5. forecast and scenarios ------------------------------------------------------------


def _pct(p: float | None, digits: int = 1) -> str:
    return "–" if p is None else f"{100 * p:.{digits}f}%"


def _rank_text(h: Any) -> str:
    if h is None or h.rank is None or not h.at_risk:
        return "–"
    return f"{h.rank:,} of {h.at_risk:,} (percentile {h.percentile:.1f})"


def _band_text(h: Any) -> str:
    b = None if h is None else h.band
    if b is None:
        return "–"
    if b.onsets == 0:
        return f"none of {b.n:,} forecasts {_pct(b.lo)}–{_pct(b.hi)}"
    return (
        f"{_pct(b.observed)} ({_pct(b.observed_lo)}–{_pct(b.observed_hi)}) of forecasts "
        f"{_pct(b.lo)}–{_pct(b.hi)}"
    )


def forecast_figures(f: Any) -> tuple[list[Figure], list[Table], list[str]]:
    """Probability per pair (and for the group) with intervals, and the drivers."""
    figs: list[Figure] = []
    tables: list[Table] = []
    findings: list[str] = []
    rows = []
    for p in f.pairs:
        rows.append((p.label, p.probability, p.interval, p.allied))
    if f.is_group:
        rows.append(("Every pair allied", f.group_probability, f.group_interval, False))
    open_rows = [r for r in rows if not r[3]]
    labels = [r[0] for r in open_rows]
    probs = [100 * r[1] for r in open_rows]
    err_plus = [100 * (r[2][1] - r[1]) if r[2] else 0 for r in open_rows]
    err_minus = [100 * (r[1] - r[2][0]) if r[2] else 0 for r in open_rows]
    lay = layout(
        f"Probability of a formal defense pact by {f.year + f.horizon}",
        x_title="",
        y_title=f"Probability within {f.horizon} years (%)",
        hovermode="closest",
    )
    lay["showlegend"] = False
    fig = figure(
        [
            {
                "type": "bar",
                "x": labels,
                "y": probs,
                "marker": {"color": "#0072B2"},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": err_plus,
                    "arrayminus": err_minus,
                    "color": "#333",
                },
                "hovertemplate": "%{x}: %{y:.2f}%<extra></extra>",
                "name": "probability",
            }
        ],
        lay,
    )
    heads = {p.label: p.headline for p in f.pairs}
    table = Table(
        ["Pair", "Allied now", "Probability", "Interval", "Rank", "Backtest band came true"],
        [
            [
                r[0],
                "yes" if r[3] else "no",
                _pct(r[1]),
                f"{_pct(r[2][0])}–{_pct(r[2][1])}" if r[2] else "–",
                _rank_text(heads.get(r[0])),
                _band_text(heads.get(r[0])),
            ]
            for r in rows
        ],
        align=["left", "left", "right", "right", "right", "right"],
    )
    head = f.headline
    cal = f.model.get("calibration")
    figs.append(
        Figure(
            "forecast",
            "Forecast of a formal alliance",
            f"Probability that each pair not yet allied forms an ATOP defense pact within "
            f"{f.horizon} years of {f.year} ({f.model.get('title', f.model.get('model'))}, "
            + (f"{cal}-calibrated on rolling backtests; " if cal else "uncalibrated; ")
            + "90% interval from the bootstrap refits of model and calibration). Rank: among "
            "all dyads at risk that year; band: how often backtest forecasts in the same "
            "probability bin came true. For the group, the probability that every pair is "
            "allied. Pairs already allied are listed in the table.",
            fig,
            table,
            key_numbers=[
                ("Origin year", str(f.year)),
                ("Horizon", f"{f.horizon} years"),
                ("Model", str(f.model.get("model", ""))),
                ("Calibration", str(cal or "none")),
                (
                    "Information date",
                    head.information_date.isoformat() if head is not None else "–",
                ),
            ],
            sources=["atop_alliance"],
        )
    )
    for p in f.pairs:
        if p.allied:
            findings.append(f"{p.label}: already formally allied (ATOP defense pact).")
            continue
        if p.headline is not None:
            findings.append(
                f"{p.label}: defense pact by {f.year + f.horizon}: {p.headline.describe()}."
            )
        else:
            iv = f" ({_pct(p.interval[0])}–{_pct(p.interval[1])})" if p.interval else ""
            findings.append(
                f"{p.label}: {_pct(p.probability)}{iv} probability of a defense pact by "
                f"{f.year + f.horizon}."
            )
        if p.drivers is not None and p.drivers.height:
            d = p.drivers.sort("contribution")
            lay2 = layout(
                f"What drives the {p.label} forecast",
                x_title="Contribution to the log-odds (relative to the average dyad)",
                y_title="",
                hovermode="closest",
                height=360,
            )
            lay2["showlegend"] = False
            lay2["margin"]["l"] = 190
            colors = ["#0072B2" if v >= 0 else "#D55E00" for v in d["contribution"].to_list()]
            figs.append(
                Figure(
                    f"drivers-{p.ccode1}-{p.ccode2}",
                    f"Drivers of the {p.label} forecast",
                    "Largest contributions of the inputs to this pair's forecast, relative to "
                    "the average dyad: positive values raise the probability.",
                    figure(
                        [
                            {
                                "type": "bar",
                                "orientation": "h",
                                "y": d["feature"].to_list(),
                                "x": d["contribution"].to_list(),
                                "marker": {"color": colors},
                                "hovertemplate": "%{y}: %{x:.2f}<extra></extra>",
                            }
                        ],
                        lay2,
                    ),
                    Table.from_frame(
                        d.sort("contribution", descending=True),
                        columns={
                            "feature": "Input",
                            "group": "Group",
                            "value": "Value",
                            "reference_mean": "Average dyad",
                            "contribution": "Contribution",
                        },
                    ),
                )
            )
            top = p.drivers.sort("contribution", descending=True).row(0, named=True)
            findings.append(f"Strongest driver for {p.label}: {top['group']} ({top['feature']}).")
        if p.neighbours is not None and p.neighbours.height:
            tables.append(
                Table.from_frame(
                    p.neighbours,
                    columns={
                        "state1": "State",
                        "state2": "State ",
                        "year": "Year",
                        "distance": "Distance",
                        "onset_within": "Pact formed within horizon",
                    },
                    caption=f"Dyad-years most alike {p.label} in the training data",
                )
            )
    return figs, tables, findings


def build_forecast(group: Group, horizon: int = 5) -> Section:
    s = Section(
        "forecast",
        "Forecast and scenarios",
        "Will the group become a formal alliance? Probability, drivers and two scenarios.",
    )

    def part() -> None:
        from allyscope.errors import AllyscopeError

        try:
            f = api.forecast(group.ccodes, horizon=horizon)
        except AllyscopeError as exc:
            s.notes.append(f"No forecast: {exc.message}.")
            return
        figs, tables, findings = forecast_figures(f)
        s.figures.extend(figs)
        s.tables.extend(tables)
        s.findings.extend(findings)
        for n in f.notes:
            s.notes.append(n[0].upper() + n[1:] + ("" if n.endswith(".") else "."))
        _forecast_inputs(s, f)
        if f.carried_forward:
            carried = sorted({c["feature"] for c in f.carried_forward})
            s.notes.append(
                f"Inputs carried forward past their data's last year: {', '.join(carried)}."
            )
        _add_scenarios(s, group, horizon)

    part()
    return s


def _forecast_inputs(s: Section, f: Any) -> None:
    """The forecast's inputs at its origin year: alliance status, and every input whose
    values the forecast carries past the end of its data (with the forecast's rule)."""
    year = int(f.year)
    carried: dict[str, InputUse] = {}
    for row in getattr(f, "carried_forward", None) or []:
        rule = f"{row.get('feature')}: {row.get('treatment')}"
        for src in str(row.get("sources", "")).split(","):
            use = _carried_source(src.strip(), row.get("source_last_year"), year, rule)
            if use is not None:
                carried.setdefault(use.input, use)
    if "alliances" not in carried:
        s.use("alliances", year)
    s.inputs.extend(carried.values())


def _carried_source(src: str, last: Any, year: int, rule: str) -> InputUse | None:
    """A source a forecast carries forward: as its input when the input ends where the
    source does, else as the source itself (an input that reaches further through another
    source, e.g. the quarterly troop file, must not hide that this one is carried)."""
    import datetime as dt

    from allyscope.sources.bounds import INPUTS
    from allyscope.views.currency import input_of_source

    name = input_of_source(src)
    if name is None:
        return None
    end = coverage(name)[1]
    if last is None or int(last) >= end:
        return InputUse(name, year, True, rule)
    title = INPUTS[name].title if name in INPUTS else name
    return InputUse(src, year, True, rule, f"{title} ({src})", src, dt.date(int(last), 12, 31))


def _add_scenarios(s: Section, group: Group, horizon: int = 5) -> None:
    """The default scenarios' forecasts against the baseline (figure, findings, notes)."""
    from allyscope.errors import AllyscopeError

    scen_rows: list[tuple[Any, Any]] = []
    for sc in api.default_scenarios(group.ccodes):
        if len(scen_rows) == 2:
            break
        try:
            res = api.scenario(group.ccodes, sc, horizon=horizon)
        except AllyscopeError as exc:
            s.notes.append(f"Scenario “{sc.name}” not computed: {exc.message}.")
            continue
        scen_rows.append((sc, res))
    if not scen_rows:
        return
    labels = [sc.name for sc, _ in scen_rows]
    base = [100 * r.baseline.probability for _, r in scen_rows]
    new = [100 * r.changed.probability for _, r in scen_rows]
    lay = layout(
        "Scenarios: the group's probability against the baseline",
        x_title="",
        y_title="Probability every pair is allied (%)"
        if group.is_group_of_many
        else "Probability of a defense pact (%)",
        legend_title="",
        hovermode="closest",
    )
    lay["barmode"] = "group"
    fig = figure(
        [
            {
                "type": "bar",
                "name": "Baseline",
                "x": labels,
                "y": base,
                "marker": {"color": "#999999"},
                "hovertemplate": "baseline: %{y:.2f}%<extra></extra>",
            },
            {
                "type": "bar",
                "name": "Scenario",
                "x": labels,
                "y": new,
                "marker": {"color": "#D55E00", "pattern": {"shape": "/"}},
                "hovertemplate": "scenario: %{y:.2f}%<extra></extra>",
            },
        ],
        lay,
    )
    rows = [
        [
            sc.name,
            "; ".join(sc.describe()),
            _pct(r.baseline.probability, 2),
            _pct(r.changed.probability, 2),
            f"{100 * r.delta:+.2f} pp",
        ]
        for sc, r in scen_rows
    ]
    s.figures.append(
        Figure(
            "scenarios",
            "Scenarios",
            "The forecast under each scenario next to the baseline (same model and "
            "origin year; only the named inputs change).",
            fig,
            Table(
                ["Scenario", "Changes", "Baseline", "Scenario", "Change (percentage points)"],
                rows,
                align=["left", "left", "right", "right", "right"],
            ),
        )
    )
    for sc, r in scen_rows:
        s.findings.append(
            f"Scenario “{sc.name}”: {_pct(r.changed.probability, 2)} against "
            f"{_pct(r.baseline.probability, 2)} at baseline ({100 * r.delta:+.2f} "
            "percentage points)."
        )
        if abs(r.delta) < 5e-5:
            s.notes.append(
                f"Scenario “{sc.name}” leaves the forecast unchanged: the model gives "
                "the changed inputs no weight (in the training data they do not "
                "predict the onset of a defense pact)."
            )


@dataclass(frozen=True)
class SectionSpec:
    """A report section: its ``name`` (id), ``title``, ``build(group) -> Section`` and its
    place in the report (``order``, ascending; allyscope's own use 10 ... 50)."""

    name: str
    title: str
    build: Callable[[Group], Section]
    order: int = 100

    def run(self, group: Group) -> Section:
        """Build the section and say how current its inputs are: each figure caption
        gets its inputs' data-through years (carried values flagged) and the section its
        information date (:func:`allyscope.views.currency.annotate`)."""
        from allyscope.views.currency import annotate

        return annotate(self.build(group))


INSTITUTIONS = SectionSpec("institutions", "Institutionalization", build_institutions, 10)
ALIGNMENT = SectionSpec("alignment", "Alignment over time", build_alignment, 20)
DEFACTO = SectionSpec("defacto", "De facto alliance", build_defacto, 30)
STRUCTURE = SectionSpec("structure", "Hub and spoke, blocs", build_structure, 40)
FORECAST = SectionSpec("forecast", "Forecast and scenarios", build_forecast, 50)

#: entry-point group of report sections
ENTRY_POINT_GROUP = "allyscope.report_sections"


def build_section(spec: SectionSpec, group: Group) -> Section:
    """One section for ``group``. A section whose data cannot serve this group or window
    (an :class:`~allyscope.errors.AllyscopeError`, such as a source that does not cover
    the years) is kept with a note saying what is missing, so the report and the group
    page show every other section."""
    from allyscope.errors import AllyscopeError

    try:
        return spec.run(group)
    except AllyscopeError as exc:
        y0, y1 = group.years
        s = Section(spec.name, spec.title, f"Not shown for {group.label}, {y0}–{y1}.")
        s.notes.append(f"Not shown: {exc.message}" + (f" ({exc.hint})." if exc.hint else "."))
        return s


def registered_sections() -> list[SectionSpec]:
    """Every section of the ``allyscope.report_sections`` entry points, in report order."""
    from allyscope.plugins import plugins

    specs: dict[str, SectionSpec] = {}
    for plugin in plugins(ENTRY_POINT_GROUP):
        spec = plugin.load()
        if not isinstance(spec, SectionSpec):
            raise TypeError(
                f"entry point {plugin.name!r} ({plugin.value}) of {ENTRY_POINT_GROUP} names "
                f"{type(spec).__name__}, not a SectionSpec"
            )
        specs.setdefault(spec.name, spec)
    return sorted(specs.values(), key=lambda s: (s.order, s.name))


__all__ = [
    "ALIGNMENT",
    "DEFACTO",
    "ENTRY_POINT_GROUP",
    "FORECAST",
    "INSTITUTIONS",
    "STRUCTURE",
    "Section",
    "SectionSpec",
    "build_alignment",
    "build_defacto",
    "build_forecast",
    "build_institutions",
    "build_section",
    "build_structure",
    "registered_sections",
    "un_affinity_figure",
]


# -- the network view (web) ---------------------------------------------------------------


def geo_layout(title: str, *, height: int = 460, fit: bool = False) -> dict[str, Any]:
    lay = layout(title, x_title="", height=height, hovermode="closest")
    lay.pop("xaxis")
    lay.pop("yaxis")
    lay["margin"] = {"l": 8, "r": 8, "t": 48, "b": 8}
    lay["geo"] = {
        "projection": {"type": "natural earth"},
        "showframe": False,
        "showcoastlines": True,
        "coastlinecolor": "#999",
        "showcountries": True,
        "countrycolor": "#ccc",
        "showland": True,
        "landcolor": "#f2f2f2",
        "resolution": 50,
    }
    if fit:
        lay["geo"]["fitbounds"] = "locations"
    return lay


def network_figure(res: api.NetworkView, region: str | None, hub: str | None = None) -> Figure:
    """Ties of one layer drawn between capitals on a world (or regional) map."""
    year, layer = res.year, res.layer
    nodes: pl.DataFrame = res.nodes.filter(pl.col("lat").is_not_null())
    edges: pl.DataFrame = res.edges
    where = f" in {region}" if region else ""
    if region and hub:
        where += f" (with {hub})"
    title = f"{layer.replace('_', ' ').capitalize()} ties{where}, {year}"
    lay = geo_layout(title, fit=bool(region))
    pos = {r["ccode"]: (r["lat"], r["lng"]) for r in nodes.iter_rows(named=True)}
    lat: list[float | None] = []
    lon: list[float | None] = []
    for a, b in edges.select("ccode1", "ccode2").iter_rows():
        if a in pos and b in pos:
            lat += [pos[a][0], pos[b][0], None]
            lon += [pos[a][1], pos[b][1], None]
    tied = nodes.filter(pl.col("degree") > 0) if edges.height else nodes
    traces = [
        {
            "type": "scattergeo",
            "mode": "lines",
            "lat": lat,
            "lon": lon,
            "line": {"width": 1, "color": "rgba(0,114,178,0.45)"},
            "hoverinfo": "skip",
            "name": "ties",
            "showlegend": False,
        },
        {
            "type": "scattergeo",
            "mode": "markers",
            "lat": tied["lat"].to_list(),
            "lon": tied["lng"].to_list(),
            "text": [
                f"{n} ({i})"
                for n, i in zip(tied["name"].to_list(), tied["iso3"].to_list(), strict=True)
            ],
            "customdata": tied["degree"].to_list(),
            "marker": {
                "size": [4 + min(d, 40) ** 0.5 * 3 for d in tied["degree"].to_list()],
                "color": "#D55E00",
                "line": {"width": 0.5, "color": "#333"},
            },
            "hovertemplate": "%{text}: %{customdata} ties<extra></extra>",
            "name": "states",
            "showlegend": False,
        },
    ]
    if not res.covered:
        fig = empty_note(lay, f"The {layer} layer's data do not cover {year}")
    else:
        fig = figure(traces, lay)
    top = tied.sort("degree", descending=True).head(10)
    return Figure(
        "network",
        title,
        f"Ties of the {layer.replace('_', ' ')} layer in {year}{where}, drawn between capitals; "
        "marker size grows with the number of ties.",
        fig,
        Table.from_frame(
            top.select("name", "iso3", "degree"),
            columns={"name": "State", "iso3": "ISO3", "degree": "Ties"},
            caption="Most connected states",
        ),
        key_numbers=[("States", str(nodes.height)), ("Ties", str(edges.height))],
    )
