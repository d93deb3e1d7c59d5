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
    """ATOP's last year (from the catalog; read when a command runs, not at start-up)."""
    from allyscope.sources.bounds import coverage

    return coverage("atop_alliance")[1]


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
        int | None, typer.Option("--year", help="Year of the network (default: ATOP's last year).")
    ] = None,
    layer: Annotated[
        str,
        typer.Option(
            "--layer",
            help="Layer(s), comma-separated, or 'all': defense, atop_other, igo, "
            "un_affinity, un_affinity_top, exercises, us_troops, mechanisms.",
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
    print_table(df.drop("hub", "spokes"), trend.title, max_rows=200)
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
        for lay, sp in net.metrics.select("layer", "spokes").iter_rows():
            console.print(f"  spokes ({lay}): {sp or '[dim]none[/dim]'}", highlight=False)
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
    method: Annotated[str, typer.Option("--method", help="leiden or louvain.")] = "leiden",
    measure: Annotated[
        str, typer.Option("--measure", help="UN affinity measure: kappa, pi, s_score, agree ...")
    ] = "kappa",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the detection.")] = 0,
    resolution: Annotated[float, typer.Option("--resolution", help="Modularity resolution.")] = 1.0,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """UN voting blocs per year, polarization, and where a state sits.

    Example: allyscope blocs --from 1990 --state KOR --plot blocs.html
    """
    from allyscope import codes
    from allyscope.network import plots
    from allyscope.network import voting_blocs as B

    check_output(output)
    check_plot(plot)
    clikit.check_years(start, end)
    y0 = start if start is not None else B.UN_YEARS[0]
    y1 = end if end is not None else B.UN_YEARS[1]
    with _busy("detecting UN voting blocs"):
        mem, stats = B.analyze(
            (y0, y1), measure=measure, method=method, seed=seed, resolution=resolution
        )
    position = None
    print_table(stats, f"UN voting blocs ({method}, {measure}) and polarization", max_rows=100)
    shown = stats
    if state is not None:
        c = codes.resolve(state, y1)
        position = B.bloc_position(c, members=mem)
        print_table(
            position.select(
                "year",
                "iso3",
                "bloc_label",
                "bloc_size",
                "affinity_usa_bloc",
                "affinity_chn_rus_bloc",
                "lean",
            ),
            f"{codes.name(c)}: bloc and mean affinity with the US and China/Russia blocs",
            max_rows=100,
        )
        shown = position
    if members:
        print_table(mem, "bloc membership")
        shown = mem
    clikit.write_output(shown, output, "blocs")
    if plot is not None:
        clikit.write_plot(plots.polarization_figure(stats, position), plot)


def defacto(
    states: Annotated[
        list[str], typer.Argument(help="Two states (a dyad) or more (a group): JPN KOR [USA].")
    ],
    start: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    end: Annotated[
        int | None, typer.Option("--to", help="Last year (default: ATOP's last year).")
    ] = None,
    weights: Annotated[
        str,
        typer.Option(
            "--weights",
            help="apriori (default: one unit per dimension) or fitted (logistic, 1946-1990).",
        ),
    ] = "apriori",
    evaluate: Annotated[
        bool,
        typer.Option(
            "--evaluate",
            help="Also show the out-of-sample AUC (1991 to ATOP's last year, after training).",
        ),
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """De facto alliance score of a dyad or group per year, as a percentile of formal allies.

    Example: allyscope defacto JPN KOR --from 1990
    """
    from allyscope.errors import InvalidInputError
    from allyscope.network import defacto_score as D
    from allyscope.network import plots

    check_output(output)
    check_plot(plot)
    clikit.check_years(start, end)
    if len(states) < 2:
        raise InvalidInputError("give at least two states", "e.g. allyscope defacto JPN KOR")
    if weights not in ("apriori", "fitted"):
        raise InvalidInputError(f"unknown weights {weights!r}", "use apriori or fitted")
    model = D.default_model() if weights == "apriori" else D.fit()
    y0 = start if start is not None else _un_first()
    y1 = end if end is not None else _atop_end()
    if len(states) == 2:
        with _busy("scoring every dyad-year"):
            df = D.defacto(states[0], states[1], (y0, y1), model=model)
        shown = df.select(
            "year",
            "formal_defense",
            "defacto_score",
            "percentile_allies",
            "percentile_all",
            *D.COMPONENTS,
            "n_observed",
        )
        title = f"{df['iso3_1'][0]}-{df['iso3_2'][0]}: de facto alliance score"
    else:
        with _busy("scoring every dyad-year"):
            df = D.defacto_group(states, (y0, y1), model=model)
        shown = df.drop("group")
        title = f"{df['group'][0]}: de facto alliance score of the group"
    print_table(shown, title, max_rows=200)
    print_table(model.describe().drop("definition"), "weights")
    if evaluate:
        print_table(D.evaluate(model), "AUC, formal allies vs others")
    clikit.write_output(df, output, "de facto scores")
    if plot is not None:
        clikit.write_plot(plots.defacto_figure(df), plot)
