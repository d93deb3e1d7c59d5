"""Commands ``allyscope network``, ``allyscope blocs`` and ``allyscope defacto``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope import clikit
from allyscope.clikit import (
    OutOpt,
    PlotOpt,
    busy,
    check_output,
    check_plot,
    print_table,
    split_values,
)


def _atop_end() -> int:
    """The last year of the extended alliance data (ATOP and the sourced records; from the
    catalog, read when a command runs, not at start-up)."""
    from allyscope.api import DEFACTO_YEARS

    return DEFACTO_YEARS[1]


def _un_first() -> int:
    from allyscope.sources.bounds import coverage

    return coverage("un_votes")[0]


def register(app: typer.Typer) -> None:
    app.command("network")(network)
    app.command("blocs")(blocs)
    app.command("defacto")(defacto)


def _busy(what: str):
    """A spinner while something slow runs (the first run prepares and caches all years)."""
    return busy(f"{what} (the first run prepares and caches all years) ...")


def _states(values: list[str] | None) -> list[str] | None:
    return split_values(values) or None


def network(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="Year of the network (default: the alliance data's last year)."
        ),
    ] = None,
    layer: Annotated[
        str,
        typer.Option(
            "--layer",
            help="Layer(s), comma-separated, or 'all': defense, atop_other, igo, "
            "un_affinity, un_affinity_top, exercises, us_troops, arms, rhetoric_mentions, "
            "rhetoric_similarity, mechanisms.",
        ),
    ] = "defense",
    region: Annotated[
        str | None, typer.Option("--region", help='Region name, e.g. "East Asia", "Europe".')
    ] = None,
    states: Annotated[
        list[str] | None,
        typer.Option(
            "--states", help="Explicit regional states (names or codes), comma-separated."
        ),
    ] = None,
    hub: Annotated[
        str | None, typer.Option("--hub", help="Hub state for hub-and-spoke metrics (e.g. USA).")
    ] = None,
    start: Annotated[
        int | None,
        typer.Option("--from", help="With --hub: metrics for every year from this one (trend)."),
    ] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year of the trend.")] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write the graph (.graphml, .gexf, .json node-link) or the table shown "
            "(.csv, .parquet).",
        ),
    ] = None,
    plot: PlotOpt = None,
) -> None:
    """Ties of one year's network, and hub-and-spoke versus lattice metrics.

    Example: allyscope network --year 1955 --layer defense --region "East Asia" --hub USA
    """
    from allyscope import api
    from allyscope.errors import InvalidInputError
    from allyscope.io import check_table_path
    from allyscope.network import graphs
    from allyscope.network import layers as L

    clikit.check_year(year)
    clikit.check_years(start, end)
    ext = None
    if output is not None:
        formats = {**graphs.GRAPH_FORMATS, ".csv": "CSV", ".parquet": "Parquet"}
        ext = check_table_path(output, formats)
        clikit.check_destination(output)
    check_plot(plot)
    year = _atop_end() if year is None else year
    names = L.check_layers(None if layer.strip().lower() == "all" else layer)
    st = _states(states)
    if start is not None or end is not None:
        if hub is None:
            raise InvalidInputError("--from/--to need --hub", "e.g. --hub USA --from 1950")
        if ext in graphs.GRAPH_FORMATS:
            raise InvalidInputError(
                "a trend is a table, not a graph", "write it with -o FILE.csv or FILE.parquet"
            )
        years = (
            start if start is not None else L.DEFAULT_YEARS[0],
            end if end is not None else year,
        )
        with _busy("computing hub-and-spoke metrics"):
            trend = api.hub_spoke_trend(hub, years, names, region=region, states=st)
        _show_trend(trend, output, plot)
        return
    with _busy(f"building the {year} network"):
        net = api.year_network(year, names, region=region, states=st, hub=hub)
    _show_year_network(net, output, ext, plot)


def _show_trend(trend: Any, output: Path | None, plot: Path | None) -> None:
    from allyscope.network import hubspoke, plots

    df = trend.df
    print_table(df.drop("hub", "spokes", "tie_rule"), trend.title, max_rows=200)
    for lay, rule in df.select("layer", "tie_rule").unique(maintain_order=True).iter_rows():
        if rule:
            clikit.console().print(f"[dim]ties ({lay}): {rule}[/dim]", highlight=False)
    print_table(
        hubspoke.trend(df.drop("hub")), "trend of lattice density (0 hub and spoke, 1 lattice)"
    )
    clikit.write_output(df.drop("hub"), output, "hub-and-spoke metrics")
    clikit.write_plot(plots.hub_spoke_figure(df), plot)


def _show_year_network(net: Any, output: Path | None, ext: str | None, plot: Path | None) -> None:
    from allyscope.network import graphs, plots

    console = clikit.console()
    summary = net.multilayer.summary()
    print_table(
        summary.select("layer", "covered", "nodes", "ties", "density", "mean_weight"),
        f"network {net.year}",
    )
    if net.hub is not None and net.region is None:
        console.print(
            "[dim]hub-and-spoke metrics need a region: add --region NAME or --states A,B,...[/dim]"
        )
    if net.metrics is not None:
        print_table(
            net.metrics.select(
                "layer",
                "n_region",
                "n_spokes",
                "spoke_ties",
                "lattice_density",
                "lattice_share",
                "transitivity",
            ),
            f"hub {net.hub_name}: spokes in the region and ties among them",
        )
        for lay, sp, rule in net.metrics.select("layer", "spokes", "tie_rule").iter_rows():
            console.print(f"  spokes ({lay}): {sp or '[dim]none[/dim]'}", highlight=False)
            if rule:
                console.print(f"  [dim]ties ({lay}): {rule}[/dim]", highlight=False)
    ties = net.ties
    show = [
        c
        for c in ("layer", "tie", "iso3_1", "iso3_2", "name1", "name2", "weight")
        if c in ties.columns and (c != "layer" or len(net.layers) > 1)
    ]
    print_table(
        ties.select(show) if ties.height else ties,
        "ties" + (" among the hub and the region" if net.region is not None else ""),
    )
    if output is not None and ext in graphs.GRAPH_FORMATS:
        graphs.write_graph(net.graph(), output)
        console.print(f"[green]wrote[/green] {output}")
    else:
        clikit.write_output(ties, output, "ties")
    fig = plots.network_figure(net.multilayer[net.layers[0]], hub=net.hub, region=net.region)
    what = f"plot (layer {net.layers[0]})" if len(net.layers) > 1 else "plot"
    clikit.write_plot(fig, plot, what)


def blocs(
    start: Annotated[
        int | None,
        typer.Option("--from", help="First year (default: the first year of the UN votes)."),
    ] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="Show where this state sits (e.g. KOR).")
    ] = None,
    members: Annotated[
        bool, typer.Option("--members", help="Show (and write) every state's bloc per year.")
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """UN voting blocs per year (consensus clustering), their stability, polarization, and
    where a state sits. The clustering choices are the settings' network.blocs section.

    Example: allyscope blocs --from 1990 --state KOR --plot blocs.html
    """
    from allyscope import api, codes
    from allyscope.network import plots

    check_output(output)
    check_plot(plot)
    clikit.check_years(start, end)
    st = api.bloc_settings()
    cover = api.un_years()
    y0 = start if start is not None else cover[0]
    y1 = end if end is not None else cover[1]
    with _busy("detecting UN voting blocs"):
        mem_res, stats_res = api.blocs((y0, y1))
    mem, stats = mem_res.df, stats_res.df
    print_table(
        stats.drop("within_affinity", "between_affinity"),
        f"UN voting blocs ({st.measure}; consensus of {st.n_runs} runs: "
        f"{'/'.join(st.algorithms)}, resolutions {st.resolutions[0]:g}-{st.resolutions[-1]:g}, "
        f"{st.seeds} seeds) and polarization",
        max_rows=100,
    )
    shown, position = stats, None
    if state is not None:
        c = codes.resolve(state, y1)
        position = api.bloc_position(c, (y0, y1)).df
        refs = [col for col in position.columns if col.startswith("affinity_")]
        extra = ["lean"] if "lean" in position.columns else []
        print_table(
            position.select(
                "year", "iso3", "bloc_label", "bloc_size", "stability", "margin", *refs, *extra
            ),
            f"{codes.name(c)}: bloc, stability and mean affinity with the reference blocs",
            max_rows=100,
        )
        shown = position
    if members:
        print_table(mem, "bloc membership")
        shown = mem
    clikit.write_output(shown, output, "blocs")
    if plot is not None:
        clikit.write_plot(plots.polarization_figure(stats, position), plot)


#: short names of the de facto components in the command's tables
_SHORT = {
    "un_affinity": "UN",
    "ideal_point": "IP",
    "exercises": "EX",
    "arms": "ARMS",
    "institutionalization": "INST",
    "shared_rivals": "RIV",
    "dca": "DCA",
    "shared_patron": "PAT",
    "shared_allies": "ALLY",
    "rhetoric": "RHET",
}


def _short(col: str) -> Any:
    import polars as pl

    expr = pl.col(col)
    for name, short in _SHORT.items():
        expr = expr.str.replace_all(name, short, literal=True)
    return expr.alias(col)


def _band(value: str, low: str, high: str, digits: int) -> Any:
    import polars as pl

    def fmt(c: str) -> pl.Expr:
        return pl.col(c).round(digits).cast(pl.String)

    return (
        pl.when(pl.col(value).is_null())
        .then(None)
        .otherwise(fmt(value) + " (" + fmt(low) + "-" + fmt(high) + ")")
    )


def _show_dyad(df: Any) -> None:
    import polars as pl

    from allyscope import api

    print_table(
        df.select(
            "year",
            pl.col("formal_defense").alias("allied"),
            _band("defacto_score", "score_low", "score_high", 2).alias("score (band)"),
            _band("percentile", "percentile_low", "percentile_high", 1).alias("percentile (band)"),
            pl.col("percentile_allies")
            .round(1)
            .map_elements(lambda v: f"{v:.1f}", return_dtype=pl.String)
            .alias("among allies"),
            pl.col("n_compared").alias("compared"),
            _short("basis"),
            _short("not_compared"),
        ),
        f"{df['iso3_1'][0]}-{df['iso3_2'][0]}: de facto alignment",
        max_rows=200,
    )
    used = list(api.defacto_components())
    print_table(
        df.select("year", *used).rename({c: _SHORT[c] for c in used}),
        "components (0-1; empty where the source does not observe the year)",
        max_rows=200,
    )


def defacto(
    states: Annotated[
        list[str] | None,
        typer.Argument(help="Two states (a dyad) or more (a group): JPN KOR [USA]."),
    ] = None,
    start: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    end: Annotated[
        int | None,
        typer.Option("--to", help="Last year (default: the alliance data's last year)."),
    ] = None,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="Check the score against later alliance onsets and defense cooperation "
            "agreements (AUC and average precision with bootstrap intervals).",
        ),
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """De facto alignment of a dyad or group per year: the score, its percentile among the
    dyads observed on the same components (the basis), a weight-sensitivity band and the
    components. The weights and scalings are the settings' defacto section.

    Example: allyscope defacto JPN KOR --from 2015
    """
    import polars as pl

    from allyscope import api, codes
    from allyscope.errors import InvalidInputError
    from allyscope.network import plots

    check_output(output)
    check_plot(plot)
    clikit.check_years(start, end)
    if validate:
        _validate(output)
        return
    if not states or len(states) < 2:
        raise InvalidInputError("give at least two states", "e.g. allyscope defacto JPN KOR")
    y0 = start if start is not None else _un_first()
    y1 = end if end is not None else _atop_end()
    cc = codes.resolve_many(states, y1)
    with _busy("scoring every dyad-year"):
        res = (
            api.defacto_dyad(cc[0], cc[1], (y0, y1))
            if len(cc) == 2
            else api.defacto_group(cc, (y0, y1))
        )
    df = res.df
    if len(cc) == 2:
        _show_dyad(df)
    else:
        print_table(df.drop("group"), f"{df['group'][0]}: de facto alignment of the group")
    desc = api.defacto_weights().filter(pl.col("weight") > 0).drop("definition")
    print_table(
        desc.with_columns(pl.col("component").replace_strict(_SHORT).alias("short")),
        "components and weights (settings: defacto.weights); the band is the "
        "weight-sensitivity band",
    )
    for note in res.currency.notes:
        clikit.console().print(f"[dim]{note}[/dim]", highlight=False)
    clikit.write_output(df, output, "de facto scores")
    if plot is not None:
        clikit.write_plot(plots.defacto_figure(df), plot)


def _validate(output: Path | None) -> None:
    from allyscope import api

    with _busy("validating the de facto score"):
        res = api.defacto_validation()
    print_table(res.df, "the de facto score against later events", max_rows=200)
    for note in res.currency.notes:
        clikit.console().print(f"[dim]{note}[/dim]", highlight=False)
    clikit.write_output(res.df, output, "validation figures")
