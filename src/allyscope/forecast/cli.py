"""Commands ``allyscope forecast`` and ``allyscope model evaluate`` / ``model train``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope import clikit
from allyscope.clikit import OutOpt, check_output, fmt, print_table, progress_bar

MAX_ROWS = 30


def register(app: typer.Typer) -> None:
    model_app = typer.Typer(
        help="Train and evaluate the alliance-formation models.", no_args_is_help=True
    )
    model_app.command("evaluate")(evaluate)
    model_app.command("train")(train_cmd)
    app.add_typer(model_app, name="model")
    app.command("forecast")(forecast_cmd)


def _fmt(v: Any, pct: bool = False) -> str:
    return fmt(v, pct, digits=4)


def _print_frame(
    df: Any, title: str | None = None, pct_cols: tuple[str, ...] = (), max_rows: int = MAX_ROWS
) -> None:
    print_table(df, title, max_rows=max_rows, pct_cols=pct_cols, digits=4)


# -- model evaluate ---------------------------------------------------------------------------


def evaluate(
    models: Annotated[
        str, typer.Option("--models", help="Models to compare, comma-separated: logit, boost.")
    ] = "logit,boost",
    outcome: Annotated[
        str, typer.Option("--outcome", help="'defense' (defense pacts) or 'any' ATOP obligation.")
    ] = "defense",
    horizon: Annotated[int, typer.Option("--horizon", help="Forecast window in years.")] = 5,
    first: Annotated[int, typer.Option("--from", help="First origin year.")] = 1970,
    last: Annotated[
        int | None,
        typer.Option(
            "--to",
            help="Last origin year (default: the last outcome year minus the horizon).",
        ),
    ] = None,
    step: Annotated[int, typer.Option("--step", help="Years between origins.")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    n_boot: Annotated[
        int,
        typer.Option(
            "--n-boot", help="Cluster-bootstrap replicates behind the skill intervals (>= 50)."
        ),
    ] = 1000,
    output: OutOpt = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Write the calibration figure to FILE.html (self-contained)."),
    ] = None,
    calibration: Annotated[
        Path | None,
        typer.Option("--calibration", help="Write the reliability table to FILE."),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option("--predictions", help="Write every backtest forecast to FILE."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Recompute, ignoring the cache.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rolling-origin backtest: train up to each origin year t, forecast onsets in
    t+1..t+h, recalibrate on windows closed by t, and score raw and calibrated forecasts
    (Brier and Brier skill with cluster-bootstrap intervals, log loss, ROC/PR-AUC at dyad
    and treaty-event level, reliability table)."""
    from allyscope.errors import InvalidInputError
    from allyscope.forecast.backtesting import backtest, check_origins, write_figure
    from allyscope.forecast.evaluation import evaluate as score_backtest
    from allyscope.forecast.outcome import OUTCOME_LAST

    for p in (output, calibration, predictions):
        check_output(p)
    clikit.check_plot(plot)
    clikit.check_years(first, last)
    if step < 1:
        raise InvalidInputError(f"--step must be at least 1, got {step}")
    if n_boot < 50:
        raise InvalidInputError(
            f"--n-boot must be at least 50, got {n_boot}", "the default 1000 gives stable intervals"
        )
    last = OUTCOME_LAST - horizon if last is None else last
    origins = check_origins(range(first, last + 1, step), horizon)
    kinds = [m.strip() for m in models.split(",") if m.strip()]
    with progress_bar() as bar:
        task = bar.add_task("backtest", total=len(origins) * len(kinds))

        def advance(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=f"backtest {label}")

        res = backtest(
            kinds, outcome, origins, horizon, seed=seed, refresh=refresh, progress=advance
        )
    ev = None
    if _can_recalibrate(origins, horizon):
        with clikit.busy("recalibrating and scoring (cluster bootstrap)"):
            ev = score_backtest(res, n_boot=n_boot, seed=seed)
    clikit.write_output(ev.scores if ev else res.table, output, "scores")
    clikit.write_output(ev.reliability if ev else res.calibration, calibration, "reliability table")
    clikit.write_output(res.predictions, predictions, "backtest forecasts")
    files = write_figure(res, str(plot)) if plot else []
    if as_json:
        clikit.print_json(
            {
                "outcome": outcome,
                "horizon": horizon,
                "origins": origins,
                "best_model": res.best_model(),
                "table": res.table.to_dicts(),
                "scored_origins": ev.origins if ev else [],
                "scores": ev.scores.to_dicts() if ev else [],
                "reliability": ev.reliability.to_dicts() if ev else [],
                "by_kind": ev.by_kind.to_dicts() if ev else [],
                "events": ev.events["event"].n_unique() if ev else None,
                "onset_dyads": ev.events.height if ev else None,
                "target": ev.target if ev else {},
                "interval_level": ev.level if ev else None,
                "files": files,
            }
        )
        return
    title = (
        f"Backtest: {outcome} pact onset within {horizon} years, origins "
        f"{origins[0]}-{origins[-1]} (step {step}), {len(origins)} origins"
    )
    _show_backtest(res, title, files)
    if ev is None:
        from allyscope.forecast.calibration import MIN_ORIGINS

        clikit.console().print(
            f"[yellow]note:[/yellow] no recalibrated scores: recalibration at an origin needs "
            f"{MIN_ORIGINS} earlier origins whose {horizon}-year windows had closed (use more "
            "origins, e.g. the default --from/--to with --step 1)",
            highlight=False,
        )
    else:
        _show_evaluation(ev)


def _show_backtest(res: Any, title: str, files: list[str]) -> None:
    import polars as pl

    _print_frame(
        res.table.select(
            "model",
            pl.col("roc_auc").round(3).alias("ROC-AUC"),
            pl.col("pr_auc").round(3).alias("PR-AUC"),
            pl.col("brier").round(5).alias("Brier"),
            pl.col("brier_skill").round(3).alias("skill"),
            pl.col("median_pct_rank").round(1).alias("onset rank"),
            pl.col("top5pct_share").round(3).alias("top 5%"),
            "forecasts",
            "onsets",
        ),
        title=title,
    )
    console = clikit.console()
    console.print(
        "[dim]onset rank: median percentile of the actual onsets among all dyads at risk at "
        "their origin (100 = ranked first); top 5%: share of onsets ranked in their origin's "
        "top 5%; skill: Brier skill against the base rate[/dim]"
    )
    console.print(
        f"better out of sample (PR-AUC, then Brier): [bold]{res.best_model()}[/bold]",
        highlight=False,
    )
    for f in files:
        console.print(f"[green]wrote[/green] {f}")


def _can_recalibrate(origins: list[int], horizon: int) -> bool:
    """Whether any origin has enough closed earlier windows to recalibrate on."""
    from allyscope.forecast.calibration import MIN_ORIGINS, closed_origins

    return any(len(closed_origins(origins, t, horizon)) >= MIN_ORIGINS for t in origins)


def _show_evaluation(ev: Any) -> None:
    """Raw and recalibrated scores with cluster-bootstrap intervals, reliability, kinds."""
    import polars as pl

    from allyscope.forecast.evaluation import summary_table

    console = clikit.console()
    lvl = f"{ev.level:.0%}"
    _print_frame(
        summary_table(ev).rename(
            {
                "brier_skill": "Brier skill",
                "log_loss": "log loss",
                "roc_auc": "ROC-AUC",
                "pr_auc": "PR-AUC",
                "event_roc_auc": "event ROC-AUC",
                "event_pr_auc": "event PR-AUC",
            }
        ),
        title=f"Raw and recalibrated forecasts, origins {ev.origins[0]}-{ev.origins[-1]} "
        f"[{lvl} cluster-bootstrap intervals; {ev.events['event'].n_unique():,} treaty events, "
        f"{ev.events.height:,} onset dyads]",
        max_rows=60,
    )
    console.print(
        "[dim]raw: the model's own probability; platt, beta, isotonic: recalibrated at each "
        "origin on windows already closed there; selected: the method with the lowest "
        "out-of-sample log loss (then Brier) at that origin; event level: one row per "
        "treaty event (same-year onsets sharing states and a new obligation)[/dim]"
    )
    rel = ev.reliability.select(
        "model",
        "method",
        "bin",
        "n",
        pl.col("mean_forecast").round(4).alias("mean forecast"),
        pl.col("observed").round(4),
        pl.col("observed_lo").round(4).alias("lo"),
        pl.col("observed_hi").round(4).alias("hi"),
        "covers",
    )
    _print_frame(rel, title=f"Reliability (observed share with {lvl} interval)", max_rows=80)
    if ev.by_kind.height:
        _print_frame(
            ev.by_kind.select(
                "model",
                "kind",
                "onsets",
                "events",
                pl.col("roc_auc").round(3).alias("ROC-AUC"),
                pl.col("event_roc_auc").round(3).alias("event ROC-AUC"),
                pl.col("median_pct_rank").round(1).alias("onset rank"),
            ),
            title="Accessions to existing pacts and new pacts (selected calibration)",
        )
    for model, g in ev.target.items():
        lo, hi = g["brier_skill_interval"]
        verdict = (
            "[green]met[/green]"
            if g["met"]
            else "[yellow]not met[/yellow]: publish ranks and the calibrated band"
        )
        console.print(
            f"{model}: Brier skill {g['brier_skill']:+.3f} [{lo:+.3f}, {hi:+.3f}]; every "
            f"reliability bin covers the diagonal: {'yes' if g['bins_cover_diagonal'] else 'no'}"
            f" — calibration target {verdict}",
            highlight=False,
        )


def train_cmd(
    model: Annotated[str, typer.Option("--model", help="logit, boost or default.")] = "default",
    outcome: Annotated[str, typer.Option("--outcome", help="'defense' or 'any'.")] = "defense",
    through: Annotated[
        int | None,
        typer.Option(
            "--through", help="Last outcome year used for training (default: ATOP's last year)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap refits for intervals.")] = 20,
    refresh: Annotated[bool, typer.Option("--refresh", help="Retrain even if saved.")] = False,
    output: OutOpt = None,
) -> None:
    """Train (or load) a model and show what it learned (logit: coefficients per SD)."""
    import polars as pl

    console = clikit.console()
    from allyscope.forecast.model import train
    from allyscope.forecast.outcome import ATOP_LAST

    check_output(output)
    clikit.check_year(through, flag="--through")
    through = ATOP_LAST if through is None else through
    with progress_bar() as bar:
        task = bar.add_task("training", total=n_boot + 1)
        fm = train(
            model,
            outcome,
            trained_through=through,
            seed=seed,
            n_boot=n_boot,
            refresh=refresh,
            progress=lambda d, n: bar.update(task, completed=d, total=n),
        )
    d = fm.describe()
    console.print(
        f"[bold]{d['title']}[/bold] for {outcome}: {d['training_rows']:,} dyad-years, "
        f"{d['training_onsets']:,} onsets, 1946-{through}; {d['n_boot']} bootstrap refits; "
        f"data {d['data_hash']}, allyscope {d['allyscope_version']}",
        highlight=False,
    )
    console.print(f"saved: {d['path']}", highlight=False)
    est = fm.estimator
    if hasattr(est, "coefficients"):
        coefs = pl.DataFrame(est.coefficients()).with_columns(
            (pl.col("coef") / pl.col("se")).alias("z")
        )
        _print_frame(coefs, title="Coefficients (log-odds per standard deviation)", max_rows=200)
        clikit.write_output(coefs, output, "coefficients")


# -- forecast ----------------------------------------------------------------------------------


def forecast_cmd(
    states: Annotated[
        list[str] | None, typer.Argument(help="Two or more states (names, ISO3 or COW codes).")
    ] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Years ahead (1-10).")] = 5,
    year: Annotated[
        int | None,
        typer.Option("--year", help="Origin year (default: the last year any input covers)."),
    ] = None,
    model: Annotated[str, typer.Option("--model", help="logit, boost or default.")] = "default",
    outcome: Annotated[str, typer.Option("--outcome", help="'defense' or 'any'.")] = "defense",
    all_dyads: Annotated[
        bool, typer.Option("--all-dyads", help="Score every dyad at risk in --year.")
    ] = False,
    train_through: Annotated[
        int | None,
        typer.Option(
            "--train-through",
            help="Train model and calibration on outcomes observable by the end of this year "
            "only (a pseudo-prospective forecast; default: all data).",
        ),
    ] = None,
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="A scenario YAML file (docs/forecast.md).")
    ] = None,
    leader_change: Annotated[
        list[str] | None,
        typer.Option("--leader-change", help="Scenario: a leader transition in STATE."),
    ] = None,
    un_affinity: Annotated[
        str | None,
        typer.Option("--un-affinity", help="Scenario: UN voting at its YEAR level, or 'lowest'."),
    ] = None,
    exercises: Annotated[
        str | None,
        typer.Option("--exercises", help="Scenario: 'stop' or joint exercises per year."),
    ] = None,
    mechanism_lapse: Annotated[
        list[str] | None,
        typer.Option("--mechanism-lapse", help="Scenario: a mechanism record id ends."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Scenario: FEATURE=VALUE (model scale).")
    ] = None,
    default_scenarios: Annotated[
        bool, typer.Option("--default-scenarios", help="Run the two standard scenarios.")
    ] = False,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    n_boot: Annotated[
        int, typer.Option("--n-boot", help="Bootstrap refits behind the intervals.")
    ] = 20,
    intervals: Annotated[
        bool,
        typer.Option(
            "--intervals", help="All dyads: add the bootstrap intervals (slower for 'boost')."
        ),
    ] = False,
    output: OutOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Probability that states begin an alliance within the horizon, with an interval,
    drivers and comparison dyads; `--all-dyads --year Y -o FILE` scores every dyad."""
    from allyscope import api
    from allyscope.errors import InvalidInputError

    check_output(output)
    clikit.check_year(year)
    clikit.check_year(train_through, flag="--train-through")
    settings = api.ForecastSettings(horizon, year, model, outcome, seed, n_boot, train_through)
    if all_dyads:
        if states:
            raise InvalidInputError(
                "give either states or --all-dyads, not both",
                "allyscope forecast --all-dyads --year 2018 -o all.csv",
            )
        with clikit.busy("scoring every dyad at risk"):
            res = api.forecast_all(settings, intervals=intervals)
        _render_all_dyads(res.df, settings, intervals, output, as_json)
        return
    if not states:
        raise InvalidInputError(
            "name two or more states, or use --all-dyads", "allyscope forecast JPN KOR --horizon 5"
        )
    names = clikit.split_values(states)
    changes = _scenario_changes(leader_change, un_affinity, exercises, mechanism_lapse, set_)
    specs = api.scenario_specs(names, scenario_file, changes, defaults=default_scenarios)
    with clikit.busy("forecasting (the first run trains the model)"):
        run = api.forecast_run(names, settings, specs)
    _render_run(run, output, as_json)


def _scenario_changes(
    leader_change: list[str] | None,
    un_affinity: str | None,
    exercises: str | None,
    mechanism_lapse: list[str] | None,
    set_: list[str] | None,
) -> list[dict[str, Any]]:
    """The scenario changes named by command-line options (docs/forecast.md)."""
    from allyscope.errors import InvalidInputError

    changes: list[dict[str, Any]] = []
    if leader_change:
        changes.append({"leader_change": leader_change})
    if un_affinity:
        changes.append({"un_affinity": un_affinity})
    if exercises:
        changes.append({"exercises": exercises})
    changes.extend({"mechanism_lapse": rid} for rid in mechanism_lapse or [])
    if set_:
        bad = [item for item in set_ if "=" not in item]
        if bad:
            raise InvalidInputError(f"--set {bad[0]!r}: use FEATURE=VALUE")
        pairs = (item.split("=", 1) for item in set_)
        changes.append({"set": {k.strip(): v.strip() for k, v in pairs}})
    return changes


def _render_all_dyads(
    df: Any, settings: Any, intervals: bool, output: Path | None, as_json: bool
) -> None:
    clikit.write_output(df, output, "forecasts")
    if as_json:
        clikit.print_json(df.to_dicts())
        return
    y = int(df["year"][0]) if df.height else settings.year
    shown = ["rank", "state1", "state2", "probability"] + (["lower", "upper"] if intervals else [])
    shown += ["percentile", "band_observed"]
    t = int(df["trained_through"][0]) if df.height else None
    how = str(df["calibration"][0]) if df.height else ""
    _print_frame(
        df.head(MAX_ROWS).select(shown),
        title=f"Most likely {settings.outcome} pact onsets within {settings.horizon} years of "
        f"{y} ({df.height:,} dyads at risk; trained through {t}, {how} calibration)",
        pct_cols=("probability", "lower", "upper", "band_observed"),
    )
    clikit.console().print(
        "[dim]probability: calibrated; percentile: rank among the dyads at risk (100 = "
        "first); band_observed: how often backtest forecasts in this probability's bin came "
        "true[/dim]"
    )


def _render_run(run: Any, output: Path | None, as_json: bool) -> None:
    clikit.write_output(run.table(), output, "forecast")
    if as_json:
        clikit.print_json(run.to_dict())
        return
    _show_forecast(run.base)
    for r in run.scenarios:
        _show_scenario(r)


def _show_headlines(f: Any) -> None:
    """Each open pair's rank and backtest band, and the forecast's information date."""
    console = clikit.console()
    for p in f.pairs:
        h = p.headline
        if p.allied or h is None:
            continue
        who = f"{p.label}: " if f.is_group else ""
        if h.rank is not None and h.at_risk:
            console.print(
                f"  {who}rank {h.rank:,} of {h.at_risk:,} dyads at risk (percentile "
                f"{h.percentile:.1f}); model's own probability {_fmt(h.raw_probability, True)}",
                highlight=False,
            )
        if h.band is not None:
            b = h.band
            console.print(
                f"  {who}backtest forecasts of {_fmt(b.lo, True)}–{_fmt(b.hi, True)} came true "
                f"{b.record()}",
                highlight=False,
            )
    head = f.headline
    if head is not None:
        old = (
            f"; oldest input {head.oldest_input[0]} through {head.oldest_input[1].isoformat()}"
            if head.oldest_input
            else ""
        )
        console.print(
            f"  information date: {head.information_date.isoformat()}{old}; model and "
            f"calibration trained on outcomes through {head.trained_through}",
            highlight=False,
        )


def _show_forecast(f: Any) -> None:
    """The forecast, its interval, the model it came from and each pair's drivers."""
    from allyscope.forecast.outcome import OUTCOME_TITLES

    console = clikit.console()
    m = f.model
    window = f"{f.year + 1}-{f.year + f.horizon}"
    what = OUTCOME_TITLES[f.outcome].split(" (")[0]
    console.print(
        f"[bold]{' – '.join(f.names)}[/bold]: onset of an {what} within {f.horizon} years of "
        f"{f.year} ({window})",
        highlight=False,
    )
    iv = f.interval
    ivs = f" (90% interval {_fmt(iv[0], True)}–{_fmt(iv[1], True)})" if iv else ""
    label = "every pair allied" if f.is_group else "probability"
    cal = f.model.get("calibration")
    kind = f" ({cal}-calibrated)" if cal else " (uncalibrated)"
    console.print(
        f"  {label}{kind}: [bold]{_fmt(f.probability, True)}[/bold]{ivs}", highlight=False
    )
    _show_headlines(f)
    if f.is_group:
        lo, hi = f.group_bounds
        console.print(
            f"  [dim]pairs treated as independent; under any dependence {_fmt(lo, True)}–"
            f"{_fmt(hi, True)}[/dim]",
            highlight=False,
        )
        _print_frame(
            f.table().select("state1", "state2", "allied", "probability", "lower", "upper"),
            title="Pairs (allied pairs count as 1)",
            pct_cols=("probability", "lower", "upper"),
        )

    console.print(
        f"  [dim]model: {m['title']}, trained on 1946-{m['trained_through']} "
        f"({m['training_onsets']:,} onsets in {m['training_rows']:,} dyad-years)[/dim]",
        highlight=False,
    )
    for p in f.pairs:
        if not p.allied and p.drivers is not None:
            _show_drivers(f, p)
    if f.carried_forward:
        rows = f.carried_forward
        console.print(f"[bold]Inputs for {f.year} not in the data[/bold]:")
        for r in rows:
            console.print(
                f"  [dim]{r['feature']} ({r['sources']}): {r['treatment']}[/dim]", highlight=False
            )
    for n in f.notes:
        console.print(f"  [yellow]note:[/yellow] {n}", highlight=False)


def _show_drivers(f: Any, p: Any) -> None:
    """What pushes one pair's forecast up or down, and the most alike historical dyads."""
    from rich.table import Table

    console = clikit.console()
    t = Table(
        title=f"Drivers for {p.label} (log-odds of the first year's hazard vs the average "
        f"dyad at risk in {f.year})",
        title_justify="left",
    )
    for c in ("input", "group", "value", "average", "contribution"):
        t.add_column(c, justify="left" if c in ("input", "group") else "right")
    for r in p.drivers.iter_rows(named=True):
        c = r["contribution"]
        colour = "green" if c > 0 else "red"
        t.add_row(
            r["feature"],
            r["group"],
            _fmt(r["value"]),
            _fmt(r["reference_mean"]),
            f"[{colour}]{c:+.2f}[/{colour}]",
        )
    console.print(t)
    if p.neighbours is not None and p.neighbours.height:
        nb = p.neighbours.with_columns(
            p.neighbours["onset_within"]
            .replace_strict({1: "yes", 0: "no"}, return_dtype=str)
            .alias(f"onset within {f.horizon}y")
        ).select("state1", "state2", "year", "distance", f"onset within {f.horizon}y")
        _print_frame(nb, title=f"Most alike historical dyads (for {p.label})")


def _show_scenario(r: Any) -> None:
    console = clikit.console()

    console.print(f"\n[bold]Scenario: {r.scenario.name}[/bold]", highlight=False)
    for c in r.scenario.describe():
        console.print(f"  - {c}", highlight=False)
    import polars as pl

    t = r.table()
    _print_frame(
        t.select(
            "state1",
            "state2",
            "baseline",
            "scenario",
            pl.col("change_pp")
            .map_elements(lambda v: f"{v:+.1f} pp", return_dtype=pl.String)
            .alias("change"),
            "scenario_lower",
            "scenario_upper",
        ),
        pct_cols=("baseline", "scenario", "scenario_lower", "scenario_upper"),
    )
    for n in r.changed.notes:
        if n not in r.baseline.notes:
            console.print(f"  [yellow]note:[/yellow] {n}", highlight=False)
