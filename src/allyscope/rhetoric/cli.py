"""``allyscope rhetoric``: what states say about each other at the UN General Debate, and
``allyscope rhetoric themes``: how salient named themes are in their speeches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from allyscope import clikit

if TYPE_CHECKING:
    import polars as pl

    from allyscope.api import Result


class _StatesFirst(TyperGroup):
    """``allyscope rhetoric JPN KOR`` runs the ``dyads`` command: arguments that do not
    start with a sub-command name go to it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["dyads", *args]
        return super().parse_args(ctx, args)


rhetoric_app = typer.Typer(
    cls=_StatesFirst,
    help="What states say at the UN General Debate (1946-2024): tone, mentions and threat "
    "framing toward each other (`allyscope rhetoric JPN KOR --from 2010`), and themes "
    "(`allyscope rhetoric themes USA JPN KOR --theme 'rules-based order'`).",
    no_args_is_help=True,
)

StatesArg = Annotated[
    list[str], typer.Argument(help="States: ISO3 codes, names or COW codes.", show_default=False)
]
FromOpt = Annotated[int | None, typer.Option("--from", help="First year (default 1946).")]
ToOpt = Annotated[int | None, typer.Option("--to", help="Last year (default: the last session).")]
EvidenceOpt = Annotated[
    int,
    typer.Option(
        "--evidence", min=0, max=10, help="Evidence sentences per direction (or theme) and year."
    ),
]


def register(app: typer.Typer) -> None:
    """Attach ``allyscope rhetoric`` (``dyads``, the default, and ``themes``)."""
    app.add_typer(rhetoric_app, name="rhetoric")


def _window(start: int | None, end: int | None) -> tuple[int, int]:
    """The years asked for, checked against the corpus (one clear error outside it)."""
    from allyscope import api
    from allyscope.errors import InvalidInputError

    clikit.check_years(start, end)
    lo, hi = api.rhetoric_years()
    y0 = lo if start is None else start
    y1 = hi if end is None else end
    if y1 < lo or y0 > hi:
        raise InvalidInputError(
            f"{y0}-{y1} is outside the UN General Debate corpus ({lo}-{hi})",
            f"choose years between {lo} and {hi}",
        )
    if y0 > y1:
        raise InvalidInputError(
            f"the years are inverted: from {y0} to {y1}", "give --from before --to"
        )
    return y0, y1


def currency_line(res: Result, window: tuple[int, int]) -> str:
    """Where the numbers come from and how current they are, for the end of an answer."""
    cur = res.currency
    lo, hi = cur.coverage or (None, None)
    text = (
        f"data: {', '.join(cur.sources)} (UN General Debate corpus, {lo}-{hi}); data through "
        f"{cur.data_through if cur.data_through is not None else '-'}; nothing carried forward"
    )
    if hi is not None and window[1] > hi:
        text += f"; {hi + 1}-{window[1]} missing (no speeches in the corpus)"
    return text


def _dyad_view(df: pl.DataFrame) -> pl.DataFrame:
    import polars as pl

    from allyscope.views.rhetoric import direction_label

    return direction_label(df).select(
        "year",
        "direction",
        "mentions",
        pl.col("mention_share").alias("share"),
        "tone",
        "tone_se",
        pl.col("threat_share").alias("threat"),
    )


def _print_evidence(ev: pl.DataFrame, dyads: pl.DataFrame, limit: int) -> None:
    from allyscope.views.rhetoric import direction_label

    if ev.is_empty():
        return
    names = direction_label(dyads).select("year", "ccode1", "ccode2", "direction").unique()
    rows = ev.join(names, on=["year", "ccode1", "ccode2"], how="left").sort(
        "year", "direction", "sentence_no"
    )
    con = clikit.console()
    con.print("\n[bold]Evidence[/bold] (sentences as spoken; tone -1 ... 1)")
    shown = 0
    for (year, direction), part in rows.group_by("year", "direction", maintain_order=True):
        con.print(f"[bold]{year} {direction}[/bold]", highlight=False)
        for r in part.iter_rows(named=True):
            flag = " threat" if r["threat"] else ""
            con.print(f"  ({r['tone']:+.2f}{flag}) “{r['text']}”", highlight=False, markup=False)
            shown += 1
        if shown >= limit:
            con.print(f"[dim]… more sentences with --json or -o FILE ({ev.height:,} in all)[/dim]")
            break


def _with_evidence(dyads: pl.DataFrame, ev: pl.DataFrame) -> pl.DataFrame:
    """The dyad table with the evidence sentences in one text column (for -o)."""
    import polars as pl

    joined = ev.group_by("year", "ccode1", "ccode2").agg(
        pl.col("text").sort_by("sentence_no").str.join("\n").alias("evidence")
    )
    return dyads.join(joined, on=["year", "ccode1", "ccode2"], how="left").sort(
        "year", "ccode1", "ccode2"
    )


@rhetoric_app.command("dyads")
def dyads_cmd(
    states: StatesArg,
    start: FromOpt = None,
    end: ToOpt = None,
    evidence: EvidenceOpt = 2,
    as_json: clikit.JsonOpt = False,
    output: clikit.OutOpt = None,
    plot: clikit.PlotOpt = None,
) -> None:
    """Both directions of every pair per year: mentions, share of the speech, mean tone (with
    its standard error), threat framing and evidence sentences (`allyscope rhetoric JPN KOR
    --from 2010`; with one state, every state it names or that names it)."""
    from allyscope import api

    clikit.check_outputs(output, plot)
    window = _window(start, end)
    with clikit.busy("reading the General Debate speeches ..."):
        res, ev = api.rhetoric(states, window, k=max(evidence, 1))
    df = res.df
    clikit.write_output(_with_evidence(df, ev.df).drop("speech_id"), output, "rhetoric table")
    if plot is not None:
        from allyscope.views.rhetoric import rhetoric_plot

        title = f"Tone of General Debate speeches: {' – '.join(s.upper() for s in states)}"
        clikit.write_plot(rhetoric_plot(df, title), plot)
    if as_json:
        clikit.print_json(
            {
                **res.describe(),
                "rows": df.drop("speech_id").to_dicts(),
                "evidence": ev.df.to_dicts(),
            }
        )
        return
    clikit.print_table(
        _dyad_view(df),
        f"UN General Debate, {window[0]}-{window[1]}: speaker → state named",
        pct_cols=("share", "threat"),
        digits=2,
        max_rows=80,
    )
    if evidence:
        _print_evidence(ev.df, df, limit=40)
    clikit.console().print(f"[dim]{currency_line(res, window)}[/dim]", highlight=False)


@rhetoric_app.command("themes")
def themes_cmd(
    states: Annotated[
        list[str] | None,
        typer.Argument(help="States: ISO3 codes, names or COW codes.", show_default=False),
    ] = None,
    theme: Annotated[
        str | None,
        typer.Option("--theme", help="One theme (key or label); default: every theme."),
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    evidence: EvidenceOpt = 1,
    list_themes: Annotated[
        bool, typer.Option("--list-themes", help="List the themes and exit.")
    ] = False,
    as_json: clikit.JsonOpt = False,
    output: clikit.OutOpt = None,
    plot: clikit.PlotOpt = None,
) -> None:
    """Salience of named themes per state and year — matching sentences, their share of the
    speech and per 1,000 words — with evidence sentences (`allyscope rhetoric themes USA JPN
    KOR --theme "rules-based order"`)."""
    from allyscope import api
    from allyscope.errors import InvalidInputError

    clikit.check_outputs(output, plot)
    clikit.check_years(start, end)
    if list_themes:
        for key, label in api.rhetoric_theme_names().items():
            clikit.console().print(f"{key:<40} {label}", highlight=False)
        return
    if not states:
        raise InvalidInputError("no state given", "name one or more states, e.g. USA JPN KOR")
    window = _window(start, end)
    with clikit.busy("reading the General Debate speeches ..."):
        sal, ev = api.rhetoric_themes(states, window, theme, k=max(evidence, 1))
    df = sal.df.drop("speech_id")
    clikit.write_output(df, output, "theme table")
    if plot is not None:
        from allyscope.views.rhetoric import themes_plot

        clikit.write_plot(themes_plot(df), plot)
    if as_json:
        clikit.print_json({**sal.describe(), "rows": df.to_dicts(), "evidence": ev.df.to_dicts()})
        return
    clikit.print_table(
        df.select("year", "iso3", "theme", "sentences", "share", "per_1k_words"),
        f"Themes in the General Debate, {window[0]}-{window[1]}",
        pct_cols=("share",),
        digits=2,
        max_rows=80,
    )
    if evidence and not ev.is_empty():
        _print_theme_evidence(ev.df.filter(ev.df["year"] >= window[1] - 4), evidence)
    clikit.console().print(f"[dim]{currency_line(sal, window)}[/dim]", highlight=False)


def _print_theme_evidence(ev: Any, k: int) -> None:
    con = clikit.console()
    con.print("\n[bold]Evidence[/bold] (the last five years; sentences as spoken)")
    for (year, iso3, th), part in ev.sort("year", "iso3", "theme").group_by(
        "year", "iso3", "theme", maintain_order=True
    ):
        con.print(f"[bold]{year} {iso3}[/bold] ({th})", highlight=False)
        for r in part.head(k).iter_rows(named=True):
            con.print(f"  “{r['text']}”", highlight=False, markup=False)
