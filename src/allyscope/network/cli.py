"""Commands ``allyscope network``, ``allyscope blocs`` and ``allyscope defacto``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allyscope.clikit import (
    OutOpt,
    PlotOpt,
    busy,
    check_output,
    check_plot,
    print_table,
    split_values,
)
from allyscope.sources.bounds import coverage

_ATOP_END = coverage("atop_alliance")[1]
_UN = coverage("un_votes")
_TEST = (1991, _ATOP_END)  # the de facto score's out-of-sample years (after its training)


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
    year: Annotated[int, typer.Option("--year", help="Year of the network.")] = _ATOP_END,
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
    import polars as pl

    from allyscope import codes
    from allyscope.cli import console
    from allyscope.errors import InvalidInputError
    from allyscope.io import check_table_path, write_table
    from allyscope.network import graphs, hubspoke, plots
    from allyscope.network import layers as L

    ext = None
    if output is not None:
        ext = check_table_path(
            output, {**graphs.GRAPH_FORMATS, ".csv": "CSV", ".parquet": "Parquet"}
        )
    check_plot(plot)
    names = L.check_layers(None if layer.strip().lower() == "all" else layer)
    st = _states(states)
    trend_mode = start is not None or end is not None
    if trend_mode and hub is None:
        raise InvalidInputError("--from/--to need --hub", "e.g. --hub USA --from 1950")
    if trend_mode and ext in (".graphml", ".gexf"):
        raise InvalidInputError(
            "a trend is a table, not a graph", "write it with -o FILE.csv or FILE.parquet"
        )
    h = codes.resolve(hub, year) if hub else None
    region_codes = None
    if region is not None or st:
        region_codes = hubspoke.region_table((year, year), region, st)["ccode"].to_list()

    if trend_mode:
        y0 = start if start is not None else L.DEFAULT_YEARS[0]
        y1 = end if end is not None else year
        with _busy("computing hub-and-spoke metrics"):
            df = hubspoke.hub_spoke(hub, region, states=st, years=(y0, y1), layers=names)
        df = df.drop("hub")
        print_table(df.drop("spokes"), f"{codes.name(h)} and its partners, {y0}-{y1}", max_rows=200)
        print_table(hubspoke.trend(df), "trend of lattice density (0 hub and spoke, 1 lattice)")
        if output is not None:
            write_table(df, output)
            console.print(f"[green]wrote[/green] {output}")
        if plot is not None:
            plots.write_html(
                plots.hub_spoke_figure(df.with_columns(pl.lit(hub).alias("hub"))), plot
            )
            console.print(f"[green]wrote[/green] {plot}")
        return

    with _busy(f"building the {year} network"):
        ml = graphs.multilayer_network(year, names)
    print_table(
        ml.summary().select("layer", "covered", "nodes", "ties", "density", "mean_weight"),
        f"network {year}",
    )
    ties = []
    for name in names:
        g = ml[name]
        if hub is not None and region_codes is not None:
            ties.append(hubspoke.regional_ties(year, hub, region, states=st, layer=name))
        else:
            t = graphs.edge_table(g, region=region_codes)
            if h is not None:  # no region: the hub's own ties
                t = t.filter((pl.col("ccode1") == h) | (pl.col("ccode2") == h))
            ties.append(t)
    tie_table = pl.concat(ties, how="diagonal_relaxed") if ties else pl.DataFrame()
    if h is not None and region_codes is None:
        console.print(
            "[dim]hub-and-spoke metrics need a region: add --region NAME or --states A,B,...[/dim]"
        )
    if hub is not None and region_codes is not None:
        metrics = hubspoke.hub_spoke(hub, region, states=st, years=year, layers=names)
        print_table(
            metrics.select(
                "layer",
                "n_region",
                "n_spokes",
                "spoke_ties",
                "lattice_density",
                "lattice_share",
                "transitivity",
            ),
            f"hub {codes.name(h)}: spokes in the region and ties among them",
        )
        for lay, sp in metrics.select("layer", "spokes").iter_rows():
            console.print(f"  spokes ({lay}): {sp or '[dim]none[/dim]'}", highlight=False)
    show = [
        c
        for c in ("layer", "tie", "iso3_1", "iso3_2", "name1", "name2", "weight")
        if c in tie_table.columns and (c != "layer" or len(names) > 1)
    ]
    print_table(
        tie_table.select(show) if tie_table.height else tie_table,
        "ties" + (" among the hub and the region" if region_codes else ""),
    )
    if output is not None:
        if ext in graphs.GRAPH_FORMATS:
            g = ml[names[0]] if len(names) == 1 else ml.to_multigraph()
            if region_codes is not None:
                keep = set(region_codes) | ({h} if h is not None else set())
                g = g.subgraph(n for n in g if n in keep).copy()
            graphs.write_graph(g, output)
        else:
            write_table(tie_table, output)
        console.print(f"[green]wrote[/green] {output}")
    if plot is not None:
        fig = plots.network_figure(ml[names[0]], hub=h, region=region_codes)
        plots.write_html(fig, plot)
        console.print(
            f"[green]wrote[/green] {plot}" + (f" (layer {names[0]})" if len(names) > 1 else "")
        )


def blocs(
    start: Annotated[
        int | None, typer.Option("--from", help=f"First year (UN votes: {_UN[0]}-{_UN[1]}).")
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
    from allyscope.cli import console
    from allyscope.io import write_table
    from allyscope.network import plots
    from allyscope.network import voting_blocs as B

    check_output(output)
    check_plot(plot)
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
    if output is not None:
        write_table(shown, output)
        console.print(f"[green]wrote[/green] {output}")
    if plot is not None:
        plots.write_html(plots.polarization_figure(stats, position), plot)
        console.print(f"[green]wrote[/green] {plot}")


def defacto(
    states: Annotated[
        list[str], typer.Argument(help="Two states (a dyad) or more (a group): JPN KOR [USA].")
    ],
    start: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    end: Annotated[
        int | None, typer.Option("--to", help=f"Last year (default {_ATOP_END}).")
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
            "--evaluate", help=f"Also show the out-of-sample AUC ({_TEST[0]}-{_TEST[1]})."
        ),
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """De facto alliance score of a dyad or group per year, as a percentile of formal allies.

    Example: allyscope defacto JPN KOR --from 1990
    """
    from allyscope.cli import console
    from allyscope.errors import InvalidInputError
    from allyscope.io import write_table
    from allyscope.network import defacto_score as D
    from allyscope.network import plots

    check_output(output)
    check_plot(plot)
    if len(states) < 2:
        raise InvalidInputError("give at least two states", "e.g. allyscope defacto JPN KOR")
    if weights not in ("apriori", "fitted"):
        raise InvalidInputError(f"unknown weights {weights!r}", "use apriori or fitted")
    model = D.default_model() if weights == "apriori" else D.fit()
    y0 = start if start is not None else _UN[0]
    y1 = end if end is not None else _ATOP_END
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
    if output is not None:
        write_table(df, output)
        console.print(f"[green]wrote[/green] {output}")
    if plot is not None:
        plots.write_html(plots.defacto_figure(df), plot)
        console.print(f"[green]wrote[/green] {plot}")
