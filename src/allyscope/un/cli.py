"""Commands ``allyscope un affinity``, ``allyscope un ideal-points``, ``allyscope un distance``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from allyscope import clikit
from allyscope.clikit import OutOpt, PlotOpt, busy, check_output, check_plot, print_table
from allyscope.errors import AllyscopeError

if TYPE_CHECKING:
    import polars as pl

un_app = typer.Typer(
    help="UN General Assembly voting: dyadic affinity and dynamic ideal points.",
    no_args_is_help=True,
)

FromOpt = Annotated[
    int | None,
    typer.Option("--from", help="First year (with --period session: a session number or a year)."),
]
ToOpt = Annotated[int | None, typer.Option("--to", help="Last year (or session).")]
PeriodOpt = Annotated[
    str, typer.Option("--period", help="'year' (calendar year of the vote) or 'session'.")
]


def register(app: typer.Typer) -> None:
    """Attach ``allyscope un`` (``affinity``, ``ideal-points``, ``distance``)."""
    # the name of earlier releases, kept working but out of the help
    un_app.command("idealpoints", hidden=True, deprecated=True)(idealpoints_cmd)
    app.add_typer(un_app, name="un")


def _check_inputs(
    output: Path | None, plot: Path | None, start: int | None, end: int | None, period: str
) -> None:
    """Outputs and years, before any work."""
    check_output(output)
    check_plot(plot)
    _sessions_or_years(start, end, period)


#: the year the first UN General Assembly session opened
FIRST_SESSION_YEAR = 1946


def _sessions_or_years(
    start: int | None, end: int | None, period: str
) -> tuple[int | None, int | None]:
    """Checked ``--from``/``--to``: years, or with ``--period session`` session numbers (a
    year stands for the session that opened in it)."""
    if period != "session":
        clikit.check_years(start, end, first=FIRST_SESSION_YEAR)
        return start, end
    off = FIRST_SESSION_YEAR - 1
    start = start - off if start is not None and start >= FIRST_SESSION_YEAR else start
    end = end - off if end is not None and end >= FIRST_SESSION_YEAR else end
    clikit.check_years(start, end, first=1, last=clikit.latest_year() - off, unit="session")
    return start, end


def _years(start: int | None, end: int | None, period: str) -> list[int] | None:
    if start is None and end is None:
        return None
    from allyscope.un.affinity import period_range

    start, end = _sessions_or_years(start, end, period)
    return period_range(period, start, end)


def _names(ccodes, short: bool = False) -> dict[int, str]:
    """Display names (or ISO3 codes, falling back to the COW code) of a few states."""
    from allyscope import codes

    out = {}
    for c in sorted(set(ccodes)):
        try:
            out[c] = (codes.iso3(c) or str(c)) if short else codes.name(c)
        except AllyscopeError:  # a code without a name that year: show the code
            out[c] = str(c)
    return out


def _print_sparks(rows, title: str, x0, x1) -> None:
    from rich.table import Table

    console = clikit.console()

    t = Table(title=title, title_justify="left")
    t.add_column("")
    t.add_column(f"{x0} … {x1}")
    t.add_column("first", justify="right")
    t.add_column("last", justify="right")
    for label, spark, first, last in rows:
        fmt = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
        t.add_row(label, spark, fmt(first), fmt(last))
    console.print(t)


@un_app.command("affinity")
def affinity_cmd(
    countries: Annotated[
        list[str] | None, typer.Argument(help="States (names or codes); default: all states.")
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    issue: Annotated[
        list[str] | None,
        typer.Option(
            "--issue", help="'all' (default) or an issue code me/nu/di/hr/co/ec; repeatable."
        ),
    ] = None,
    measure: Annotated[
        str, typer.Option("--measure", help="Measure for the terminal view and the plot.")
    ] = "s_score",
    period: PeriodOpt = "year",
    metric: Annotated[
        str, typer.Option("--metric", help="Distance of the S-score: 'absolute' or 'squared'.")
    ] = "absolute",
    important: Annotated[
        bool, typer.Option("--important", help="Only the State Department's 'important' votes.")
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Voting affinity of every pair of the states, per year: agreement, coincidence,
    S-score, kappa and pi (`allyscope un affinity USA JPN KOR CHN --from 1990`)."""
    import polars as pl

    from allyscope.errors import UnknownNameError
    from allyscope.un import api
    from allyscope.un.affinity import MEASURES

    _check_inputs(output, plot, start, end, period)
    if measure not in MEASURES:
        raise UnknownNameError("affinity measure", measure, MEASURES)
    with busy("computing UN voting affinity ..."):
        df = api.affinity(
            countries or None,
            _years(start, end, period),
            issue or ["all"],
            period=period,
            metric=metric,
            important_only=important,
        )
    clikit.write_output(df, output, "UN voting affinity")
    view, names = _dyad_view(df, named=bool(countries))
    if countries and view.select(pl.col("dyad").n_unique()).item() <= 30:
        _show_named_affinity(view, names, period, measure)
    else:
        print_table(
            view.select(
                period, "ccode1", "ccode2", "issue", "n_votes", "agree", "s_score", "kappa"
            ),
            f"UN voting affinity ({df.height:,} dyad-{period}s)",
        )
    if plot is not None:
        from allyscope.un.plot import LABELS, line_figure

        fig = line_figure(
            view.filter(pl.col(measure).is_not_null()) if not countries else view,
            x=period,
            y=measure,
            series="dyad",
            title=f"UN General Assembly voting: {LABELS[measure]}",
        )
        clikit.write_plot(fig, plot)


def _dyad_view(df: pl.DataFrame, named: bool) -> tuple[pl.DataFrame, dict[int, str]]:
    """The affinity table with a ``dyad`` label (state names when ``named``, else codes),
    the issue appended when several issues are shown."""
    import polars as pl

    if named:
        names = _names([*df["ccode1"].to_list(), *df["ccode2"].to_list()])
        as_name = {
            c: pl.col(c).replace_strict(names, return_dtype=pl.String) for c in ("ccode1", "ccode2")
        }
        label = as_name["ccode1"] + " – " + as_name["ccode2"]
    else:
        names = {}
        label = pl.col("ccode1").cast(pl.String) + "-" + pl.col("ccode2").cast(pl.String)
    view = df.with_columns(label.alias("dyad"))
    if "issue" in view.columns and view["issue"].n_unique() > 1:
        view = view.with_columns(
            (pl.col("dyad") + " (" + pl.col("issue").cast(pl.String) + ")").alias("dyad")
        )
    return view, names


def _show_named_affinity(
    view: pl.DataFrame, names: dict[int, str], period: str, measure: str
) -> None:
    """Sparklines of one measure per dyad, then every measure in a table."""
    import polars as pl

    multi_issue = view["issue"].n_unique() > 1
    lo, hi = (0.0, 1.0) if measure in ("agree", "coincidence") else (-1.0, 1.0)
    rows = _series(view, "dyad", period, measure, lo, hi)
    ps = view[period]
    _print_sparks(rows, f"{measure} by {period} (scale {lo:g} to {hi:g})", ps.min(), ps.max())
    iso = _names(names, short=True)
    shown = view.select(
        period,
        (
            pl.col("ccode1").replace_strict(iso, return_dtype=pl.String)
            + "-"
            + pl.col("ccode2").replace_strict(iso, return_dtype=pl.String)
        ).alias("pair"),
        *(["issue"] if multi_issue else []),
        "n_votes",
        "agree",
        pl.col("coincidence").alias("coinc"),
        pl.col("s_score").alias("S"),
        "kappa",
        "pi",
    )
    print_table(
        shown.sort("pair", period, *(["issue"] if multi_issue else [])),
        "UN voting affinity (all measures: -o FILE)",
    )


def _series(view, label, x, value, lo, hi):
    from allyscope.un.plot import series_lines

    return series_lines(view, label, x, value, lo, hi)


@un_app.command("ideal-points")
def idealpoints_cmd(
    countries: Annotated[
        list[str] | None, typer.Argument(help="States (names or codes); default: all states.")
    ] = None,
    start: FromOpt = None,
    end: ToOpt = None,
    period: PeriodOpt = "year",
    omega2: Annotated[
        float | None,
        typer.Option("--omega2", help="Random-walk variance per period (default 0.01)."),
    ] = None,
    boot: Annotated[
        int, typer.Option("--boot", min=0, help="Parametric bootstrap replicates (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    dif: Annotated[
        str,
        typer.Option(
            "--dif",
            help="'nuclear' (default: roll calls on nuclear weapons split for the states that "
            "have tested one) or 'none'.",
        ),
    ] = "nuclear",
    voeten: Annotated[
        bool,
        typer.Option(
            "--voeten",
            help="Show Bailey, Strezhnev and Voeten's published estimates (final-passage "
            "votes, to 2025) instead of allyscope's model.",
        ),
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Re-estimate, ignoring the cache.")
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Dynamic ideal points (one dimension, United States positive) per state and year."""
    import polars as pl

    from allyscope.un import api

    _check_inputs(output, plot, start, end, period)
    if voeten:
        _voeten_cmd(countries, start, end, output, plot)
        return
    with busy("estimating UN ideal points (cached after the first run) ..."):
        df = api.ideal_points(
            countries or None,
            _years(start, end, period),
            period=period,
            omega2=omega2,
            n_boot=boot,
            seed=seed,
            dif=dif,
            refresh=refresh,
        )
        fit = api.ideal_point_fit(period=period, omega2=omega2, n_boot=boot, seed=seed, dif=dif)
    clikit.write_output(df, output, "ideal points")
    names = _names(df["ccode"].to_list())
    view = df.with_columns(
        pl.col("ccode").replace_strict(names, return_dtype=pl.String).alias("state")
    )
    if countries:
        rows = _series(view, "state", period, "idealpoint", None, None)
        ps = view[period]
        _print_sparks(rows, f"ideal point by {period}", ps.min(), ps.max())
    _show_last_period(view, period, fit)
    if plot is not None:
        from allyscope.un.plot import line_figure

        fig = line_figure(
            view, x=period, y="idealpoint", series="state", band="idealpoint_sd",
            title="Dynamic ideal points from UN General Assembly votes",
        )  # fmt: skip
        clikit.write_plot(fig, plot)


def _show_last_period(view: pl.DataFrame, period: str, fit: dict[str, Any]) -> None:
    """Every state's position in the last period, and how the model was fitted."""
    import polars as pl

    last = view[period].max()
    last = last.decode() if isinstance(last, bytes) else last
    top = view.filter(pl.col(period) == last).sort("idealpoint", descending=True)
    print_table(
        top.select("state", "ccode", period, "idealpoint", "idealpoint_sd", "n_votes", "source"),
        f"UN ideal points, {period} {last}",
    )
    from allyscope.un.data import LAST_YEAR, UNVOTES_LAST_YEAR
    from allyscope.un.voeten import coverage

    clikit.console().print(
        f"[dim]votes through {LAST_YEAR} (unvotes to {UNVOTES_LAST_YEAR}, UN Digital Library "
        f"{UNVOTES_LAST_YEAR + 1}-{LAST_YEAR}); Voeten's published estimates to "
        f"{coverage()[1]}: --voeten[/dim]"
    )
    clikit.console().print(
        f"[dim]model: {fit['n_votes']:,} votes, {fit['n_countries']} states, "
        f"{fit['n_rollcalls']:,} contested roll calls, {fit['n_periods']} {period}s; "
        f"{fit['iterations']} EM iterations, converged={fit['converged']}, "
        f"{float(fit['seconds']):.1f} s[/dim]"
    )


def _voeten_cmd(countries, start, end, output, plot) -> None:
    """The published estimates of Bailey, Strezhnev and Voeten (``--voeten``)."""
    import polars as pl

    from allyscope.un.voeten import MIN_VOTES, coverage, ideal_points

    lo, hi = coverage()
    a, b = start if start is not None else lo, end if end is not None else hi
    clikit.check_years(a, b, first=FIRST_SESSION_YEAR)
    df = ideal_points(countries or None, range(a, b + 1))
    clikit.write_output(df, output, "ideal points")
    names = _names(df["ccode"].to_list())
    view = df.with_columns(
        pl.col("ccode").replace_strict(names, return_dtype=pl.String).alias("state")
    )
    if countries:
        rows = _series(view, "state", "year", "idealpoint", None, None)
        _print_sparks(rows, "Voeten ideal point by year", view["year"].min(), view["year"].max())
    last = view.select(pl.col("year").max()).item()
    top = view.filter(pl.col("year") == last).sort("idealpoint", descending=True)
    print_table(
        top.select("state", "ccode", "year", "idealpoint", "q5", "q95", "n_votes", "few_votes"),
        f"Bailey, Strezhnev and Voeten's ideal points (published), {last}",
    )
    few = sorted(view.filter(pl.col("few_votes"))["year"].unique().to_list())
    if few:
        clikit.console().print(
            f"[yellow]fewer than {MIN_VOTES} votes behind the estimates of {few}: they are "
            "mostly the prior[/yellow]"
        )
    if plot is not None:
        from allyscope.un.plot import line_figure

        band = view.with_columns(((pl.col("q95") - pl.col("q5")) / 3.29).alias("sd"))
        fig = line_figure(
            band, x="year", y="idealpoint", series="state", band="sd",
            title="Bailey, Strezhnev and Voeten's ideal points (published)",
        )  # fmt: skip
        clikit.write_plot(fig, plot)


@un_app.command("distance")
def distance_cmd(
    countries: Annotated[list[str], typer.Argument(help="Two or more states (names or codes).")],
    start: FromOpt = None,
    end: ToOpt = None,
    period: PeriodOpt = "year",
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """Distance between the states' ideal points, per pair and year."""
    from allyscope.errors import InvalidInputError
    from allyscope.un import api

    _check_inputs(output, plot, start, end, period)
    if len(countries) < 2:
        raise InvalidInputError("the distance needs at least two states", "name two or more states")
    with busy("estimating UN ideal points (cached after the first run) ..."):
        df = api.idealpoint_distance(countries, _years(start, end, period), period=period)
    clikit.write_output(df, output, "ideal-point distances")
    view, _ = _dyad_view(df, named=True)
    if view.height:
        rows = _series(view, "dyad", period, "idealpoint_distance", 0.0, None)
        _print_sparks(
            rows, f"ideal-point distance by {period}", view[period].min(), view[period].max()
        )
    print_table(
        view.select(period, "dyad", "idealpoint_distance", "idealpoint_distance_sd").sort(
            "dyad", period
        ),
        "Ideal-point distance",
    )
    if plot is not None:
        from allyscope.un.plot import line_figure

        fig = line_figure(view, x=period, y="idealpoint_distance", series="dyad",
                          title="Distance between UN ideal points")  # fmt: skip
        clikit.write_plot(fig, plot)
