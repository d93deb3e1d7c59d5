"""The report section "What they say": tone and themes of the members' UN General Debate
speeches toward each other and toward the counter-group, with quoted evidence.

Built from :func:`allyscope.api.rhetoric` and :func:`allyscope.api.rhetoric_themes` only;
the figures here are also what ``allyscope rhetoric --plot`` draws. Sentences are quoted
as spoken; the report and the web pages escape them like every other text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from allyscope import api
from allyscope.groups import Group
from allyscope.views.figures import Figure, Table, empty_note, figure, fmt, layout, line_traces
from allyscope.views.sections import Section, SectionSpec

#: evidence sentences quoted per table
MAX_QUOTES = 8
#: longest quotation shown (characters; the full sentence is in the API and -o output)
QUOTE_CHARS = 400


def direction_label(df: pl.DataFrame) -> pl.DataFrame:
    """Add ``direction``: "JPN → KOR" (speaker → state named)."""
    return df.with_columns(
        (
            pl.col("iso3_1").fill_null(pl.col("ccode1").cast(pl.String))
            + " → "
            + pl.col("iso3_2").fill_null(pl.col("ccode2").cast(pl.String))
        ).alias("direction")
    )


def tone_figure(dyads: pl.DataFrame, *, title: str, fig_id: str = "rhetoric-tone") -> Figure:
    """Mean tone of the sentences naming the other state, per direction and year; the
    table gives, per direction, the years it spoke and named the other, mentions and the
    mean tone and threat share over the years shown."""
    d = direction_label(dyads).sort("year")
    named = d.filter(pl.col("mentions") > 0)
    lay = layout(
        title,
        y_title="Mean tone of the sentences naming the state (VADER, −1 … 1)",
        y_range=[-1.05, 1.05],
        legend_title="Speaker → state named",
    )
    if named.is_empty():
        fig = empty_note(lay, "No speech in the window names the other state")
    else:
        fig = figure(line_traces(d, x="year", y="tone", series="direction"), lay)
    summary = (
        d.group_by("direction", maintain_order=True)
        .agg(
            pl.len().alias("spoke"),
            (pl.col("mentions") > 0).sum().alias("named"),
            pl.col("mentions").sum().alias("mentions"),
            pl.col("year").filter(pl.col("mentions") > 0).max().alias("last_named"),
            ((pl.col("tone") * pl.col("sentences")).sum() / pl.col("sentences").sum()).alias(
                "tone"
            ),
            (
                (pl.col("threat_share") * pl.col("sentences")).sum() / pl.col("sentences").sum()
            ).alias("threat"),
        )
        .sort("direction")
    )
    return Figure(
        fig_id,
        title,
        "Mean VADER compound score of the sentences of each General Debate speech that name "
        "the other state (−1 most negative, +1 most positive); a gap is a year in which the "
        "speaker spoke without naming it or gave no speech. Single-sentence tone is noisy: "
        "read it with the quoted sentences.",
        fig,
        Table.from_frame(
            summary,
            columns={
                "direction": "Speaker → named",
                "spoke": "Speeches",
                "named": "Speeches naming it",
                "mentions": "Mentions",
                "last_named": "Last named",
                "tone": "Mean tone",
                "threat": "Threat-framed share",
            },
        ),
        sources=["ungd_speeches"],
    )


def themes_figure(
    salience: pl.DataFrame, labels: dict[str, str], *, fig_id: str = "rhetoric-themes"
) -> Figure:
    """Salience (matching sentences per 1,000 words) of each theme per speaker and year."""
    d = salience.with_columns(
        (
            pl.col("iso3") + " · " + pl.col("theme").replace_strict(labels, default=pl.col("theme"))
        ).alias("series")
    ).sort("year")
    lay = layout(
        "Themes in the General Debate speeches",
        y_title="Matching sentences per 1,000 words",
        legend_title="Speaker · theme",
    )
    if d.filter(pl.col("sentences") > 0).is_empty():
        fig = empty_note(lay, "No speech in the window touches these themes")
    else:
        fig = figure(line_traces(d, x="year", y="per_1k_words", series="series"), lay)
    summary = (
        d.group_by("series", maintain_order=True)
        .agg(
            (pl.col("sentences") > 0).sum().alias("years"),
            pl.col("sentences").sum().alias("sentences"),
            pl.col("year").filter(pl.col("sentences") > 0).min().alias("first"),
            pl.col("year").filter(pl.col("sentences") > 0).max().alias("last"),
        )
        .sort("series")
    )
    return Figure(
        fig_id,
        "Themes in the members' speeches",
        "Sentences of each General Debate speech that match the theme's dictionary "
        "(docs/rhetoric.md), per 1,000 words of the speech.",
        fig,
        Table.from_frame(
            summary,
            columns={
                "series": "Speaker · theme",
                "years": "Speeches touching it",
                "sentences": "Sentences",
                "first": "First",
                "last": "Last",
            },
        ),
        sources=["ungd_speeches"],
    )


def _quote(text: str) -> str:
    t = " ".join(str(text).split())
    return t if len(t) <= QUOTE_CHARS else t[: QUOTE_CHARS - 1].rstrip() + "…"


def evidence_table(
    dyads: pl.DataFrame, evidence: pl.DataFrame, *, caption: str, limit: int = MAX_QUOTES
) -> Table | None:
    """The latest quoted sentence of each direction (most recent years first)."""
    if evidence.is_empty():
        return None
    names = direction_label(dyads).select("year", "ccode1", "ccode2", "direction").unique()
    ev = (
        evidence.join(names, on=["year", "ccode1", "ccode2"], how="left")
        .sort(["year", "sentence_no"], descending=[True, False])
        .group_by("ccode1", "ccode2", maintain_order=True)
        .head(2)
        .sort(["year", "direction"], descending=[True, False])
        .head(limit)
        .with_columns(pl.col("text").map_elements(_quote, return_dtype=pl.String))
    )
    return Table.from_frame(
        ev.select("year", "direction", "tone", "threat", "text"),
        columns={
            "year": "Year",
            "direction": "Speaker → named",
            "tone": "Tone",
            "threat": "Threat-framed",
            "text": "Sentence (as spoken)",
        },
        caption=caption,
    )


def theme_evidence_table(evidence: pl.DataFrame, labels: dict[str, str]) -> Table | None:
    if evidence.is_empty():
        return None
    ev = (
        evidence.sort(["year", "sentence_no"], descending=[True, False])
        .group_by("iso3", "theme", maintain_order=True)
        .head(1)
        .sort(["year", "iso3"], descending=[True, False])
        .head(MAX_QUOTES)
        .with_columns(
            pl.col("theme").replace_strict(labels, default=pl.col("theme")),
            pl.col("text").map_elements(_quote, return_dtype=pl.String),
        )
    )
    return Table.from_frame(
        ev.select("year", "iso3", "theme", "text"),
        columns={"year": "Year", "iso3": "Speaker", "theme": "Theme", "text": "Sentence"},
        caption="The members in their own words: the latest sentence on each theme",
    )


def _pick_themes(group: Group, sal: pl.DataFrame) -> list[str]:
    """The themes the section follows: those of the settings' regional preset the group
    meets (``reports.counter_groups[].themes``), else the three with the most matching
    sentences in the window."""
    from allyscope.groups import regional_preset

    preset = regional_preset(group.ccodes)
    if preset is not None and preset.themes:
        return list(preset.themes)
    top = (
        sal.group_by("theme")
        .agg(pl.col("sentences").sum().alias("n"))
        .filter(pl.col("n") > 0)
        .sort(["n", "theme"], descending=[True, False])
    )
    return top["theme"].head(3).to_list()


def _direction_findings(dyads: pl.DataFrame, limit: int = 4) -> list[str]:
    """Per direction: speeches naming the other, mean tone and the latest year."""
    out: list[str] = []
    d = direction_label(dyads)
    for key, part in d.group_by("direction", maintain_order=True):
        label = str(key[0])
        named = part.filter(pl.col("mentions") > 0)
        spoke = part.height
        if not named.height:
            out.append(f"{label}: not named in any of {spoke} speeches.")
            continue
        w = float(named["sentences"].sum())
        tone = float((named["tone"] * named["sentences"]).sum()) / w if w else None
        last = named.sort("year").row(-1, named=True)
        y0, y1 = part.select(pl.col("year").min()).item(), part.select(pl.col("year").max()).item()
        out.append(
            f"{label}: named in {named.height} of {spoke} speeches "
            f"({y0}–{y1}), mean tone {fmt(tone)}; "
            f"last named in {last['year']} (tone {fmt(last['tone'])})."
        )
        if len(out) >= limit:
            break
    return out


def _most_named(dyads: pl.DataFrame, speakers: Sequence[int], by: str) -> list[str]:
    """For each speaker, the direction it names in the most speeches (one finding each)."""
    out: list[str] = []
    counts = (
        dyads.group_by("ccode1", "ccode2")
        .agg((pl.col("mentions") > 0).sum().alias("n"))
        .sort(["n", "ccode2"], descending=[True, False])
    )
    for c in speakers:
        top = counts.filter(pl.col(by) == c)
        if not top.height or top["n"][0] == 0:
            continue
        other = int(top["ccode2"][0])
        part = dyads.filter((pl.col("ccode1") == c) & (pl.col("ccode2") == other))
        out.extend(_direction_findings(part, limit=1))
    return out


def _members_part(s: Section, group: Group, years: tuple[int, int]) -> None:
    dy, ev = api.rhetoric(list(group.ccodes), years)
    s.use_result("rhetoric", dy)
    s.figures.append(tone_figure(dy.df, title="Tone of the members' speeches toward each other"))
    s.findings.extend(_direction_findings(dy.df, limit=len(group.ccodes) * 2))
    t = evidence_table(dy.df, ev.df, caption="The members on each other, in their own words")
    if t:
        s.tables.append(t)


def _rivals_part(s: Section, group: Group, years: tuple[int, int]) -> None:
    if not group.counter:
        return
    states = [*group.ccodes, *group.counter]
    dy, ev = api.rhetoric(states, years)
    members, rivals = set(group.ccodes), set(group.counter)
    toward = dy.df.filter(pl.col("ccode1").is_in(members) & pl.col("ccode2").is_in(rivals))
    back = dy.df.filter(pl.col("ccode1").is_in(rivals) & pl.col("ccode2").is_in(members))
    names = ", ".join(group.name(c) for c in group.counter)
    s.figures.append(
        tone_figure(
            toward,
            title=f"Tone of the members' speeches toward {names}",
            fig_id="rhetoric-tone-rivals",
        )
    )
    s.findings.extend(_most_named(toward, group.ccodes, "ccode1"))
    keep = pl.col("ccode1").is_in(members) & pl.col("ccode2").is_in(rivals)
    t = evidence_table(
        toward, ev.df.filter(keep), caption=f"The members on {names}, in their own words"
    )
    if t:
        s.tables.append(t)
    if back.height:
        s.findings.extend(_most_named(back, group.counter, "ccode1"))


def _themes_part(s: Section, group: Group, years: tuple[int, int]) -> None:
    labels = api.rhetoric_theme_names()
    sal_all, ev_all = api.rhetoric_themes(list(group.ccodes), years)
    chosen = _pick_themes(group, sal_all.df)
    if not chosen:
        return
    sal = sal_all.df.filter(pl.col("theme").is_in(chosen))
    ev = ev_all.df.filter(pl.col("theme").is_in(chosen))
    s.figures.append(themes_figure(sal, labels))
    t = theme_evidence_table(ev, labels)
    if t:
        s.tables.append(t)
    for th in chosen:
        part = sal.filter(pl.col("theme") == th)
        if not part.height:
            continue
        y1 = int(part["year"].max())  # type: ignore[arg-type]
        latest = part.filter(pl.col("year") == y1).sort("iso3")
        said = [f"{r['iso3']} {r['sentences']}" for r in latest.iter_rows(named=True)]
        s.findings.append(
            f"{labels.get(th, th)}, {y1}: matching sentences per speech — {', '.join(said)}."
        )


def build_rhetoric(group: Group) -> Section:
    """What the members say about each other and about the counter-group at the UN General
    Debate, and which themes they stress."""
    s = Section(
        "rhetoric",
        "What they say",
        "How do the members speak of each other, and of their rivals, at the UN General "
        "Debate — and which themes do they stress?",
    )
    cover = api.rhetoric_years()
    years = api.clip(group.years, cover)
    if years is None:
        s.notes.append(
            "The UN General Debate corpus covers {}–{}; the window lies outside.".format(*cover)
        )
        return s
    for part in (_members_part, _rivals_part, _themes_part):
        part(s, group, years)
    if group.years[1] > cover[1]:
        after = (
            str(group.years[1])
            if group.years[1] == cover[1] + 1
            else f"{cover[1] + 1}–{group.years[1]}"
        )
        s.notes.append(
            f"The General Debate corpus ends with the {cover[1]} session; {after} "
            "are missing here (not carried forward)."
        )
    if group.years[0] < cover[0]:
        s.notes.append(f"The corpus starts in {cover[0]}.")
    s.notes.append(
        "Tone is VADER's lexicon score of the sentences that name a state; it reads words "
        "such as 'peace' and 'cooperation' as positive and 'aggression' or 'violation' as "
        "negative. Threat framing: a threat term in the sentence (docs/rhetoric.md)."
    )
    if group.counter_rule:
        s.notes.append(f"Counter-group: {group.counter_rule}.")
    s.citations.extend(api.source_citations(["ungd_speeches"]))
    return s


RHETORIC = SectionSpec("rhetoric", "What they say", build_rhetoric, 25)


def rhetoric_plot(dyads: pl.DataFrame, title: str) -> Any:
    """The tone figure as a plotly ``Figure`` (for ``--plot``)."""
    import plotly.graph_objects as go

    return go.Figure(tone_figure(dyads, title=title).plotly)


def themes_plot(salience: pl.DataFrame) -> Any:
    """The themes figure as a plotly ``Figure`` (for ``--plot``)."""
    import plotly.graph_objects as go

    return go.Figure(themes_figure(salience, api.rhetoric_theme_names()).plotly)


__all__ = [
    "RHETORIC",
    "build_rhetoric",
    "direction_label",
    "evidence_table",
    "rhetoric_plot",
    "theme_evidence_table",
    "themes_figure",
    "themes_plot",
    "tone_figure",
]
