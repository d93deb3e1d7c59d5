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

_ATOP_END = coverage("alliances_extended")[1]
_UN = coverage("un_votes")


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
        print_table(
            df.drop("spokes", "tie_rule"),
            f"{codes.name(h)} and its partners, {y0}-{y1}",
            max_rows=200,
        )
        for lay, rule in df.select("layer", "tie_rule").unique(maintain_order=True).iter_rows():
            if rule:
                console.print(f"[dim]ties ({lay}): {rule}[/dim]", highlight=False)
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
        for lay, sp, rule in metrics.select("layer", "spokes", "tie_rule").iter_rows():
            console.print(f"  spokes ({lay}): {sp or '[dim]none[/dim]'}", highlight=False)
            if rule:
                console.print(f"  [dim]ties ({lay}): {rule}[/dim]", highlight=False)
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
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """UN voting blocs per year (consensus clustering), their stability, polarization, and
    where a state sits. The clustering choices are the settings' network.blocs section.

    Example: allyscope blocs --from 1990 --state KOR --plot blocs.html
    """
    from allyscope import codes
    from allyscope.cli import console
    from allyscope.io import write_table
    from allyscope.network import plots
    from allyscope.network import voting_blocs as B
    from allyscope.settings import network as network_settings

    check_output(output)
    check_plot(plot)
    st = network_settings().blocs
    y0 = start if start is not None else B.UN_YEARS[0]
    y1 = end if end is not None else B.UN_YEARS[1]
    with _busy("detecting UN voting blocs"):
        mem, stats = B.analyze((y0, y1))
    position = None
    print_table(
        stats.drop("within_affinity", "between_affinity"),
        f"UN voting blocs ({st.measure}; consensus of {st.n_runs} runs: "
        f"{'/'.join(st.algorithms)}, resolutions {st.resolutions[0]:g}-{st.resolutions[-1]:g}, "
        f"{st.seeds} seeds) and polarization",
        max_rows=100,
    )
    shown = stats
    if state is not None:
        c = codes.resolve(state, y1)
        position = B.bloc_position(c, (y0, y1))
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
    if output is not None:
        write_table(shown, output)
        console.print(f"[green]wrote[/green] {output}")
    if plot is not None:
        plots.write_html(plots.polarization_figure(stats, position), plot)
        console.print(f"[green]wrote[/green] {plot}")


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
}


def _short(col: str):
    import polars as pl

    expr = pl.col(col)
    for name, short in _SHORT.items():
        expr = expr.str.replace_all(name, short, literal=True)
    return expr.alias(col)


def _band(value: str, low: str, high: str, digits: int):
    import polars as pl

    def fmt(c: str) -> pl.Expr:
        return pl.col(c).round(digits).cast(pl.String)

    return (
        pl.when(pl.col(value).is_null())
        .then(None)
        .otherwise(fmt(value) + " (" + fmt(low) + "-" + fmt(high) + ")")
    )


def _defacto_dyad(states: list[str], years: tuple[int, int]) -> tuple:
    from allyscope.network import defacto_score as D
    from allyscope.settings import defacto as defacto_settings

    with _busy("scoring every dyad-year"):
        df = D.defacto(states[0], states[1], years)
    shown = df.select(
        "year",
        pl_col("formal_defense").alias("allied"),
        _band("defacto_score", "score_low", "score_high", 2).alias("score (band)"),
        _band("percentile", "percentile_low", "percentile_high", 1).alias("percentile (band)"),
        pl_col("percentile_allies").round(1).alias("among allies"),
        pl_col("n_compared").alias("compared"),
        _short("basis"),
        _short("not_compared"),
    )
    used = defacto_settings().used
    comps = df.select("year", *used).rename({c: _SHORT[c] for c in used})
    title = f"{df['iso3_1'][0]}-{df['iso3_2'][0]}: de facto alignment"
    return df, shown, comps, title


def pl_col(name: str):
    import polars as pl

    return pl.col(name)


def defacto(
    states: Annotated[
        list[str] | None,
        typer.Argument(help="Two states (a dyad) or more (a group): JPN KOR [USA]."),
    ] = None,
    start: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    end: Annotated[
        int | None, typer.Option("--to", help=f"Last year (default {_ATOP_END}).")
    ] = None,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate",
            help="Validate the score against later alliance onset and DCAD agreements "
            "(AUC and average precision with bootstrap intervals).",
        ),
    ] = False,
    output: OutOpt = None,
    plot: PlotOpt = None,
) -> None:
    """De facto alignment of a dyad or group per year: score, percentile among the dyads
    observed on the same components (the basis), weight-sensitivity band, components.

    Example: allyscope defacto JPN KOR --from 2015
    """
    from allyscope.cli import console
    from allyscope.errors import InvalidInputError
    from allyscope.io import write_table
    from allyscope.network import defacto_score as D
    from allyscope.network import plots

    check_output(output)
    check_plot(plot)
    if validate:
        _validate(output)
        return
    if not states or len(states) < 2:
        raise InvalidInputError("give at least two states", "e.g. allyscope defacto JPN KOR")
    y0 = start if start is not None else _UN[0]
    y1 = end if end is not None else _ATOP_END
    if len(states) == 2:
        df, shown, comps, title = _defacto_dyad(states, (y0, y1))
    else:
        with _busy("scoring every dyad-year"):
            df = D.defacto_group(states, (y0, y1))
        shown, comps = df.drop("group"), None
        title = f"{df['group'][0]}: de facto alignment of the group"
    print_table(shown, title, max_rows=200)
    if comps is not None:
        print_table(comps, "components (0-1; empty where the source does not observe the year)")
    desc = D.describe().filter(pl_col("weight") > 0).drop("definition")
    print_table(
        desc.with_columns(pl_col("component").replace_strict(_SHORT).alias("short")),
        "components and weights (settings: defacto.weights); the band is the "
        "weight-sensitivity band",
    )
    prov = D.provenance()
    console.print(
        f"[dim]settings {prov['settings_file']} (sha256 {prov['settings_sha256'][:12]}), "
        f"as of {prov['as_of']}, ideal points: {prov['ideal_points']}[/dim]",
        highlight=False,
    )
    if output is not None:
        write_table(df, output)
        console.print(f"[green]wrote[/green] {output}")
    if plot is not None:
        plots.write_html(plots.defacto_figure(df), plot)
        console.print(f"[green]wrote[/green] {plot}")


def _validate(output: Path | None) -> None:
    from allyscope.cli import console
    from allyscope.io import write_table
    from allyscope.network.validation import validate

    with _busy("validating the de facto score"):
        v = validate()
    print_table(
        v.table,
        f"de facto score against later events (horizon {v.horizon} years; "
        f"{v.level:.0%} intervals from {v.bootstrap} cluster-bootstrap replicates)",
        max_rows=200,
    )
    if output is not None:
        write_table(v.table, output)
        console.print(f"[green]wrote[/green] {output}")
