"""The query layer: one typed entry point to every measure, for the CLI, the report and the web app.

Every function here calls a public API of an analysis module (panels, UN voting,
mechanisms, networks, forecasts), narrows the result to the states and years asked for
and returns it as a :class:`Result`: the table, checked against the columns the query
declares (:class:`Schema`), plus where it comes from and how current it is
(:class:`Currency`: sources, the years they cover, the last year with data). Nothing
here estimates, scores or models anything; the numbers come from the analysis modules.

>>> from allyscope import api
>>> aff = api.un_affinity([2, 740], (2010, 2019))
>>> aff.df                      # polars, columns declared in api.UN_AFFINITY
>>> aff.currency.data_through   # last year with a value

Outputs (``allyscope`` commands, the HTML report, the web app) are thin clients of this
module: they arrange and draw what it returns and never reach into the analysis modules
by themselves. New measures join here first, with their declared columns and currency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from allyscope.errors import SchemaError
from allyscope.groups import Group, resolve_group
from allyscope.sources.bounds import coverage, current_year

if TYPE_CHECKING:
    from allyscope.forecast.scenarios import Scenario, ScenarioResult

Years = tuple[int, int]


# -- typed results -------------------------------------------------------------------------


@dataclass(frozen=True)
class Schema:
    """The columns a query promises: name -> plain-language definition (with the unit).

    The result may carry more columns (the analysis module's own, documented there); the
    declared ones are always present, so a client never has to guess a column name."""

    name: str
    columns: Mapping[str, str]

    def check(self, df: pl.DataFrame) -> pl.DataFrame:
        """Return ``df`` if it has every declared column, else raise :class:`SchemaError`."""
        missing = [c for c in self.columns if c not in df.columns]
        if missing and df.width:  # an empty frame without columns means "no data"
            raise SchemaError(
                f"{self.name}: the analysis module returned no column(s) {missing}",
                "the installed modules disagree with allyscope.api; reinstall allyscope",
            )
        return df


@dataclass(frozen=True)
class Currency:
    """How current a result is.

    ``sources`` are the warehouse tables (or curated record sets) it rests on;
    ``coverage`` the years their data cover (``None``: not year-based); ``data_through``
    the last year with a value in this result (``None``: no rows); ``notes`` say what is
    carried forward or provisional."""

    sources: tuple[str, ...]
    coverage: Years | None = None
    data_through: int | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": list(self.sources),
            "coverage": list(self.coverage) if self.coverage else None,
            "data_through": self.data_through,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Result:
    """A query's table with its declared columns and currency."""

    schema: Schema
    df: pl.DataFrame
    currency: Currency

    @property
    def columns(self) -> list[str]:
        return self.df.columns

    @property
    def height(self) -> int:
        return self.df.height

    def is_empty(self) -> bool:
        return self.df.is_empty()

    def describe(self) -> dict[str, Any]:
        """The declared columns and the currency (for JSON outputs)."""
        return {"query": self.schema.name, "columns": dict(self.schema.columns)} | {
            "currency": self.currency.to_dict()
        }


def _result(
    schema: Schema,
    df: pl.DataFrame,
    sources: Sequence[str],
    coverage: Years | None,
    *,
    value: str | None = None,
    notes: Sequence[str] = (),
) -> Result:
    """Check ``df`` against ``schema`` and attach its currency (``data_through`` is the
    last year in which column ``value`` (or any row) is not null)."""
    df = schema.check(df)
    through = None
    if "year" in df.columns and df.height:
        rows = df.filter(pl.col(value).is_not_null()) if value and value in df.columns else df
        if rows.height:
            through = int(rows.select(pl.col("year").max()).item())
    return Result(schema, df, Currency(tuple(sources), coverage, through, tuple(notes)))


def _pairs(df: pl.DataFrame, ccodes: Sequence[int]) -> pl.DataFrame:
    cs = list(ccodes)
    return df.filter(pl.col("ccode1").is_in(cs) & pl.col("ccode2").is_in(cs))


def _window(df: pl.DataFrame, years: Years, col: str = "year") -> pl.DataFrame:
    return df.filter(pl.col(col).is_between(years[0], years[1]))


def clip(years: Years, cover: Years) -> Years | None:
    """The part of a window inside a source's coverage.

    Parameters
    ----------
    years : (int, int)
        First and last year asked for.
    cover : (int, int)
        First and last year the data cover.

    Returns
    -------
    (int, int) or None
        The overlap, or ``None`` if there is none.
    """
    lo, hi = max(years[0], cover[0]), min(years[1], cover[1])
    return (lo, hi) if lo <= hi else None


def _data_hash() -> str:
    from allyscope.store import open_warehouse

    return open_warehouse().data_hash


# -- data provenance -----------------------------------------------------------------------


def warehouse_info() -> dict[str, Any]:
    """Data hash, build time and allyscope version of the warehouse in use, and the
    settings file (with the SHA-256 of its content) and as-of date every measure used.

    Returns
    -------
    dict
        ``allyscope_version``, ``data_hash``, ``built_at``, ``built_with``, ``warehouse``,
        ``settings_file``, ``settings_sha256``, ``as_of``.
    """
    from allyscope import __version__
    from allyscope.settings import load
    from allyscope.store import open_warehouse

    wh = open_warehouse()
    return {
        "allyscope_version": __version__,
        "data_hash": wh.data_hash,
        "built_at": wh.meta.get("built_at"),
        "built_with": wh.meta.get("allyscope_version"),
        "warehouse": str(wh.path),
        **load().provenance(),
    }


PROVENANCE = Schema(
    "provenance",
    {
        "source": "warehouse table name",
        "title": "dataset title",
        "version": "dataset version",
        "year_start": "first year covered",
        "year_end": "last year covered",
        "rows": "rows loaded",
        "license": "licence",
        "sha256": "SHA-256 of the file loaded",
    },
)


def provenance(used: Sequence[str] | None = None) -> Result:
    """One row per source table: title, version, years, rows, licence, SHA-256.

    Parameters
    ----------
    used : sequence of str, optional
        Only these sources (default: every table in the warehouse).

    Returns
    -------
    Result
        Columns :data:`PROVENANCE` (plus the provenance table's others).
    """
    from allyscope.store import open_warehouse

    df = open_warehouse().provenance()
    if used is not None:
        df = df.filter(pl.col("source").is_in(list(used)))
    return Result(PROVENANCE, PROVENANCE.check(df), Currency(tuple(df["source"].to_list())))


def bibtex(keys: Sequence[str]) -> str:
    """BibTeX entries for citation keys.

    Parameters
    ----------
    keys : sequence of str
        Keys from ``allyscope/sources/citations.bib``, in the order wanted.

    Returns
    -------
    str
        The entries, in order, without repeats.
    """
    from allyscope.sources import bibtex as _bibtex

    return _bibtex(list(dict.fromkeys(keys)))


def source_citations(sources: Sequence[str]) -> list[str]:
    """Citation keys of warehouse sources, from the installed catalog.

    Parameters
    ----------
    sources : sequence of str
        Source names.

    Returns
    -------
    list of str
        Their citation keys, in order, without repeats.
    """
    from allyscope.sources import get

    keys: list[str] = []
    for s in sources:
        keys.extend(get(s).citations)
    return list(dict.fromkeys(keys))


# -- UN voting -----------------------------------------------------------------------------


def un_years() -> Years:
    """The years the UN General Assembly voting data cover.

    Returns
    -------
    (int, int)
        First and last year.
    """
    return coverage("un_votes")


UN_AFFINITY = Schema(
    "un_affinity",
    {
        "ccode1": "COW code, smaller of the pair",
        "ccode2": "COW code, larger of the pair",
        "year": "calendar year of the votes",
        "s_score": "Signorino-Ritter S-score (-1 opposite ... 1 identical votes)",
        "kappa": "Cohen's kappa of the two states' votes",
        "agree": "share of roll calls with identical votes",
        "coincidence": "voting coincidence (yes/no agreement, abstentions half)",
        "n_votes": "roll calls in which both voted",
    },
)


def un_affinity(ccodes: Sequence[int] | None, years: Years, *, issue: str = "all") -> Result:
    """Dyad-year UN General Assembly voting affinity among ``ccodes``.

    Parameters
    ----------
    ccodes : sequence of int or None
        COW codes; ``None`` returns every dyad.
    years : (int, int)
        First and last year; years outside the voting data are absent (not zero).
    issue : str
        ``"all"`` or an issue code (``allyscope.un.data.ISSUES``).

    Returns
    -------
    Result
        Columns :data:`UN_AFFINITY` (plus the module's other measures).
    """
    from allyscope.un import affinity as aff
    from allyscope.un.data import load

    cover = un_years()
    span = clip(years, cover)
    data = load()
    if span is None:
        df = aff.compute(data, periods=[], ccodes=ccodes).filter(pl.lit(False))
    else:
        df = aff.compute(data, periods=range(span[0], span[1] + 1), ccodes=ccodes, issues=(issue,))
        df = df.filter(pl.col("issue") == issue).drop("issue")
    return _result(UN_AFFINITY, df, ("un_votes", "un_roll_calls"), cover, value="s_score")


def least_aligned(ccodes: Sequence[int], years: Years, n: int = 3) -> list[int]:
    """The states that voted least with a group in the UN lately.

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).
    years : (int, int)
        The window; the last five voting years of it are used.
    n : int
        How many states.

    Returns
    -------
    list of int
        The ``n`` states with the lowest mean S-score with the members (at least 10
        shared votes with each), ties broken by COW code.
    """
    hi = min(years[1], un_years()[1])
    lo = max(years[0], hi - 4)
    if lo > hi:
        return []
    df = un_affinity(None, (lo, hi)).df
    group = list(ccodes)
    sides = pl.concat(
        [
            df.filter(pl.col("ccode1").is_in(group)).select(
                pl.col("ccode2").alias("other"), "s_score", "n_votes"
            ),
            df.filter(pl.col("ccode2").is_in(group)).select(
                pl.col("ccode1").alias("other"), "s_score", "n_votes"
            ),
        ]
    ).filter(~pl.col("other").is_in(group) & (pl.col("n_votes") >= 10))
    ranked = (
        sides.group_by("other", maintain_order=True)
        .agg(pl.col("s_score").mean().alias("s"), pl.len().alias("k"))
        .filter(pl.col("k") >= len(group))
        .sort(["s", "other"])
    )
    return [int(c) for c in ranked["other"].head(n).to_list()]


IDEAL_POINTS = Schema(
    "ideal_points",
    {
        "ccode": "COW code",
        "year": "calendar year",
        "idealpoint": "dynamic one-dimensional UN ideal point (United States positive)",
        "idealpoint_sd": "posterior standard deviation of the ideal point",
        "n_votes": "roll calls the state voted in that year",
    },
)


def ideal_points(ccodes: Sequence[int] | None, years: Years) -> Result:
    """State-year dynamic UN ideal points with their uncertainty.

    Parameters
    ----------
    ccodes : sequence of int or None
        COW codes (``None``: every state).
    years : (int, int)
        First and last year.

    Returns
    -------
    Result
        Columns :data:`IDEAL_POINTS`.
    """
    from allyscope import un

    df = _window(un.ideal_points(), years)
    if ccodes is not None:
        df = df.filter(pl.col("ccode").is_in(list(ccodes)))
    return _result(IDEAL_POINTS, df, ("un_votes", "un_roll_calls"), un_years(), value="idealpoint")


# -- rhetoric (UN General Debate) ----------------------------------------------------------

RHETORIC = Schema(
    "rhetoric",
    {
        "year": "year of the General Assembly session",
        "ccode1": "COW code of the speaker",
        "iso3_1": "ISO3 code of the speaker",
        "ccode2": "COW code of the state named",
        "iso3_2": "ISO3 code of the state named",
        "mentions": "times the speech names state 2 (0: spoke without naming it)",
        "mention_share": "sentences naming state 2 / all sentences of the speech",
        "tone": "mean VADER compound score (-1 ... 1) of those sentences (null: no mention)",
        "tone_se": "standard error of that mean",
        "threat_share": "share of those sentences with a threat term (null: no mention)",
    },
)
RHETORIC_EVIDENCE = Schema(
    "rhetoric_evidence",
    {
        "year": "year of the General Assembly session",
        "ccode1": "COW code of the speaker",
        "ccode2": "COW code of the state named",
        "sentence_no": "position of the sentence in the speech (0-based)",
        "text": "the sentence, as spoken",
        "tone": "its VADER compound score (-1 ... 1)",
        "threat": "whether it holds a threat term",
    },
)
RHETORIC_THEMES = Schema(
    "rhetoric_themes",
    {
        "year": "year of the General Assembly session",
        "ccode": "COW code of the speaker",
        "iso3": "ISO3 code of the speaker",
        "theme": "theme key (allyscope/rhetoric/lexicon.yaml)",
        "sentences": "sentences of the speech matching the theme",
        "share": "their share of the speech's sentences",
        "per_1k_words": "matching sentences per 1,000 words",
    },
)
RHETORIC_THEME_EVIDENCE = Schema(
    "rhetoric_theme_evidence",
    {
        "year": "year of the General Assembly session",
        "ccode": "COW code of the speaker",
        "iso3": "ISO3 code of the speaker",
        "theme": "theme key",
        "sentence_no": "position of the sentence in the speech (0-based)",
        "text": "the sentence, as spoken",
    },
)
_UNGD = ("ungd_speeches",)


def rhetoric_years() -> Years:
    """The years the UN General Debate corpus covers.

    Returns
    -------
    (int, int)
        First and last session year.
    """
    return coverage("ungd_speeches")


def _empty(schema: Schema, dtypes: Mapping[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(schema={c: dtypes.get(c, pl.String) for c in schema.columns})


def rhetoric(states: Sequence[int | str], years: Years, *, k: int = 3) -> tuple[Result, Result]:
    """What the states' General Debate speeches say about each other, per year.

    Parameters
    ----------
    states : sequence of int or str
        Two or more states (COW codes, ISO3 codes or names); with one state, every state
        it names or that names it.
    years : (int, int)
        First and last year; years outside the corpus (:func:`rhetoric_years`) are absent.
    k : int
        Evidence sentences per direction and year (most mentions, then threat framing,
        then the most negative tone first).

    Returns
    -------
    (Result, Result)
        Both directions of every pair per year in which the speaker spoke
        (:data:`RHETORIC`), and the evidence sentences (:data:`RHETORIC_EVIDENCE`).
    """
    from allyscope import rhetoric as rh

    cover = rhetoric_years()
    span = clip(years, cover)
    ints = {"year": pl.Int32, "ccode1": pl.Int32, "ccode2": pl.Int32, "sentence_no": pl.Int32}
    if span is None:
        dy = _empty(RHETORIC, ints | dict.fromkeys(("mentions",), pl.Int32))
        ev = _empty(RHETORIC_EVIDENCE, ints)
    else:
        r = rh.rhetoric(list(states), span[0], span[1], k=k)
        dy, ev = r.dyads, r.evidence
    return (
        _result(RHETORIC, dy, _UNGD, cover, value="mentions"),
        _result(RHETORIC_EVIDENCE, ev, _UNGD, cover),
    )


def rhetoric_themes(
    states: Sequence[int | str], years: Years, theme: str | None = None, *, k: int = 3
) -> tuple[Result, Result]:
    """Salience of named themes in the states' General Debate speeches, per year.

    Parameters
    ----------
    states : sequence of int or str
        States (COW codes, ISO3 codes or names).
    years : (int, int)
        First and last year; years outside the corpus are absent.
    theme : str, optional
        One theme (key or label, e.g. ``"rules-based order"``); default: every theme.
    k : int
        Evidence sentences per state, year and theme.

    Returns
    -------
    (Result, Result)
        Salience per state, year and theme (:data:`RHETORIC_THEMES`) and the matching
        sentences (:data:`RHETORIC_THEME_EVIDENCE`).
    """
    from allyscope import rhetoric as rh

    cover = rhetoric_years()
    span = clip(years, cover)
    ints = {"year": pl.Int32, "ccode": pl.Int32, "sentences": pl.Int32, "sentence_no": pl.Int32}
    if span is None:
        if theme is not None:  # an unknown theme is an error whatever the years
            from allyscope.rhetoric.lexicon import theme as find_theme

            find_theme(theme)
        sal = _empty(RHETORIC_THEMES, ints | {"share": pl.Float64, "per_1k_words": pl.Float64})
        ev = _empty(RHETORIC_THEME_EVIDENCE, ints)
    else:
        t = rh.themes(list(states), theme, span[0], span[1], k=k)
        sal, ev = t.salience, t.evidence
    return (
        _result(RHETORIC_THEMES, sal, _UNGD, cover, value="sentences"),
        _result(RHETORIC_THEME_EVIDENCE, ev, _UNGD, cover),
    )


def rhetoric_theme_names() -> dict[str, str]:
    """The named themes of the rhetoric layer.

    Returns
    -------
    dict
        Theme key -> label.
    """
    from allyscope import rhetoric as rh

    return rh.theme_names()


# -- panels --------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _panel(unit: str, years: Years, addon_names: tuple[str, ...], data_hash: str) -> Any:
    from allyscope.panel import LIST_END, dyad_years, state_years

    end = LIST_END["cow"].year
    mry = years[1] if years[1] > end else False
    p = dyad_years(years=years, mry=mry) if unit == "dyad" else state_years(years=years, mry=mry)
    for a in addon_names:
        p = p.add(a)
    return p


def _panel_result(name: str, panel: Any, df: pl.DataFrame, value: str | None) -> Result:
    from allyscope.panel import addons

    cover: Years | None = None
    for a in panel.addons:
        c = addons.get(a).coverage_for(panel.system)
        if c is not None:
            cover = c if cover is None else (max(cover[0], c[0]), min(cover[1], c[1]))
    schema = Schema(name, {c: f"panel column {c!r} (docs/addons.md)" for c in panel.keys})
    notes = (panel.meta["mry_note"],) if panel.meta.get("mry_note") else ()
    return _result(schema, df, panel.sources, cover, value=value, notes=notes)


def dyad_panel(ccodes: Sequence[int], years: Years, addon_names: Sequence[str]) -> Result:
    """The non-directed COW dyad-years of the pairs among a group, with add-ons.

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).
    years : (int, int)
        First and last year (past the state list's end, states alive then are extended).
    addon_names : sequence of str
        Add-ons to apply in order (docs/addons.md).

    Returns
    -------
    Result
        The keys ``ccode1, ccode2, year`` and each add-on's columns.
    """
    p = _panel("dyad", (years[0], years[1]), tuple(addon_names), _data_hash())
    return _panel_result("dyad_panel", p, _pairs(p.df, ccodes), None)


def state_panel(ccodes: Sequence[int], years: Years, addon_names: Sequence[str]) -> Result:
    """COW state-years of some states, with add-ons.

    Parameters
    ----------
    ccodes : sequence of int
        The states (COW codes).
    years : (int, int)
        First and last year.
    addon_names : sequence of str
        Add-ons to apply in order (docs/addons.md).

    Returns
    -------
    Result
        The keys ``ccode, year`` and each add-on's columns.
    """
    p = _panel("state", (years[0], years[1]), tuple(addon_names), _data_hash())
    return _panel_result("state_panel", p, p.df.filter(pl.col("ccode").is_in(list(ccodes))), None)


@dataclass(frozen=True)
class PanelSpec:
    """A panel to build: ``unit`` ("state-year" or "dyad-year"), ``system`` ("cow" or
    "gw"), ``years``, the add-ons to apply in order (names or aliases), direction,
    political relevance, the list-end extension ``mry`` and per-add-on ``options``."""

    unit: str
    system: str
    years: Years
    addons: tuple[str, ...] = ()
    directed: bool = False
    politically_relevant: bool = False
    mry: bool | int = False
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def check(self) -> None:
        """Raise for unknown add-ons and add-ons of another unit, before any work."""
        from allyscope.panel import addons

        for a in addons.parse_names(self.addons) if self.addons else []:
            if self.unit not in a.units:
                raise addons.AddOnError(
                    f"add-on {a.name!r} works on {' and '.join(a.units)} panels, "
                    f"not {self.unit} panels",
                    f"`allyscope panel {self.unit}s --list-addons` lists the {self.unit} add-ons",
                )


def panel(spec: PanelSpec) -> Any:
    """Build the panel a :class:`PanelSpec` describes.

    Parameters
    ----------
    spec : PanelSpec
        Unit, system, years, add-ons and options.

    Returns
    -------
    allyscope.panel.Panel
        The panel (table, sources, citations, metadata).
    """
    from allyscope.panel import addons, dyad_years, state_years

    spec.check()
    if spec.unit == "dyad-year":
        p = dyad_years(
            spec.system,
            directed=spec.directed,
            years=spec.years,
            politically_relevant=spec.politically_relevant,
            mry=spec.mry,
        )
    else:
        p = state_years(spec.system, years=spec.years, mry=spec.mry)
    for a in addons.parse_names(spec.addons) if spec.addons else []:
        if a.name not in p.addons:  # political relevance adds contiguity and majors itself
            p = p.add(a.name, **dict(spec.options.get(a.name, {})))
    return p


EXERCISES = Schema(
    "exercises",
    {
        "ccode1": "COW code, smaller of the pair",
        "ccode2": "COW code, larger of the pair",
        "year": "calendar year",
        "mme_joint_exercises": "multinational military exercises both took part in (MME)",
    },
)


def exercises(ccodes: Sequence[int], years: Years) -> Result:
    """Joint multinational military exercises of every member pair per year (MME).

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).
    years : (int, int)
        First and last year; years outside the MME data are absent.

    Returns
    -------
    Result
        Columns :data:`EXERCISES`.
    """
    from allyscope.panel import addons

    cover = addons.get("mme").coverage_for("cow")
    assert cover is not None
    span = clip(years, cover)
    if span is None:
        empty = pl.DataFrame(schema=dict.fromkeys(EXERCISES.columns, pl.Int32))
        return _result(EXERCISES, empty, ("mme_exercises",), cover)
    res = dyad_panel(ccodes, span, ["mme"])
    df = res.df.select(list(EXERCISES.columns))
    return _result(EXERCISES, df, res.currency.sources, cover, value="mme_joint_exercises")


US_TROOPS = Schema(
    "us_troops",
    {
        "ccode": "COW code",
        "year": "calendar year",
        "us_troops": "US active-duty military personnel stationed in the state (persons)",
    },
)


def us_troops(ccodes: Sequence[int], years: Years) -> Result:
    """US troops stationed in each state per year.

    Parameters
    ----------
    ccodes : sequence of int
        The states (COW codes).
    years : (int, int)
        First and last year; years outside the troop data are absent.

    Returns
    -------
    Result
        Columns :data:`US_TROOPS`.
    """
    from allyscope.panel import addons

    cover = addons.get("us_troops").coverage_for("cow")
    span = clip(years, cover) if cover else years
    if span is None:
        empty = pl.DataFrame(schema={"ccode": pl.Int32, "year": pl.Int32, "us_troops": pl.Int64})
        return _result(US_TROOPS, empty, ("us_troops",), cover)
    res = state_panel(ccodes, span, ["us_troops"])
    df = res.df.select(list(US_TROOPS.columns))
    return _result(US_TROOPS, df, res.currency.sources, cover, value="us_troops")


# -- mechanisms and institutionalization ---------------------------------------------------

GROUPINGS = Schema(
    "groupings",
    {
        "grouping_id": "identifier of the curated grouping",
        "grouping": "its name",
        "members": "member states (ISO3)",
        "ccodes": "member states (COW codes)",
        "n_records": "curated records of the grouping",
        "first_year": "year of its first record",
        "relation": "'same' (exactly the group), 'within' (some members) or 'includes' (all)",
    },
)


def groupings_of(ccodes: Sequence[int]) -> Result:
    """The curated groupings related to a group of states.

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).

    Returns
    -------
    Result
        Columns :data:`GROUPINGS`: the grouping with exactly these members
        (``relation = "same"``), those made of some of them (``"within"``) and those that
        include all of them (``"includes"``), in that order.
    """
    from allyscope import mechanisms

    g = mechanisms.groupings()
    want = {int(c) for c in ccodes}

    def relation(members: Sequence[int] | None) -> str | None:
        ms = set(members or [])
        if ms == want:
            return "same"
        if len(ms) >= 2 and ms < want:
            return "within"
        return "includes" if ms > want else None

    rel = [relation(m) for m in g["ccodes"].to_list()]
    order = {"same": 0, "within": 1, "includes": 2}
    df = (
        g.with_columns(pl.Series("relation", rel, dtype=pl.String))
        .filter(pl.col("relation").is_not_null())
        .with_columns(pl.col("relation").replace_strict(order, return_dtype=pl.Int8).alias("_o"))
        .sort("_o", "grouping_id")
        .drop("_o")
    )
    return _result(GROUPINGS, df, ("mechanisms",), None)


INSTITUTIONALIZATION = Schema(
    "institutionalization",
    {
        "grouping_id": "identifier of the grouping",
        "grouping": "its name",
        "year": "calendar year",
        "institutionalization": "institutionalization index (0 ... 100, net of penalties)",
        "index_low": "low end of its band (5th percentile over perturbed settings and coding)",
        "index_high": "high end of its band (95th percentile)",
        "n_active": "records in force that year",
    },
)
INSTITUTION_COMPONENTS = Schema(
    "institution_components",
    {
        "grouping_id": "identifier of the grouping",
        "year": "calendar year",
        "dimension": "index dimension",
        "component": "component of the dimension",
        "contribution": "contribution to the index",
    },
)
INSTITUTION_CHANGES = Schema(
    "institution_changes",
    {
        "grouping_id": "identifier of the grouping",
        "year": "calendar year",
        "institutionalization": "index after the change",
        "change": "change of the index",
        "record_id": "curated record behind the change",
        "title": "its title",
        "source_url": "its primary source",
    },
)


def institutionalization(
    grouping_ids: Sequence[str], years: Years, *, components: bool = False
) -> Result:
    """The institutionalization index per grouping-year, or its decomposition.

    Parameters
    ----------
    grouping_ids : sequence of str
        Grouping identifiers (:func:`groupings_of`).
    years : (int, int)
        First and last year.
    components : bool
        The decomposition by dimension and component instead of the index.

    Returns
    -------
    Result
        Columns :data:`INSTITUTIONALIZATION` (or :data:`INSTITUTION_COMPONENTS`).
    """
    from allyscope import mechanisms

    df = mechanisms.institutionalization(
        list(grouping_ids),
        years=range(years[0], years[1] + 1),
        components=components,
        uncertainty=not components,
    )
    schema = INSTITUTION_COMPONENTS if components else INSTITUTIONALIZATION
    return _result(schema, df, ("mechanisms",), None, value=None)


def institution_changes(grouping_ids: Sequence[str], years: Years) -> Result:
    """The records behind each change of the institutionalization index.

    Parameters
    ----------
    grouping_ids : sequence of str
        Grouping identifiers.
    years : (int, int)
        First and last year.

    Returns
    -------
    Result
        Columns :data:`INSTITUTION_CHANGES`.
    """
    from allyscope import mechanisms

    df = mechanisms.changes(list(grouping_ids), years=range(years[0], years[1] + 1))
    return _result(INSTITUTION_CHANGES, df, ("mechanisms",), None)


MECHANISM_RECORDS = Schema(
    "mechanism_records",
    {
        "record_id": "identifier of the record",
        "grouping_id": "grouping it belongs to",
        "date": "date of the event",
        "type": "mechanism type",
        "title": "title",
        "source_url": "primary source",
    },
)


def mechanism_records(grouping_ids: Sequence[str]) -> Result:
    """The curated cooperation-mechanism records of groupings.

    Parameters
    ----------
    grouping_ids : sequence of str
        Grouping identifiers.

    Returns
    -------
    Result
        Columns :data:`MECHANISM_RECORDS` (plus every record field).
    """
    from allyscope import mechanisms

    df = mechanisms.records(list(grouping_ids))
    return _result(MECHANISM_RECORDS, df, ("mechanisms",), None)


# -- networks ------------------------------------------------------------------------------

#: the de facto score's data run from the UN votes' start to the extended alliance data's end
DEFACTO_YEARS: Years = (coverage("un_votes")[0], coverage("alliances_extended")[1])
#: the sources the de facto score rests on
DEFACTO_SOURCES = (
    "un_votes",
    "voeten_idealpoints",
    "mme_exercises",
    "sipri_arms",
    "tss_rivalries",
    "dcad",
    "atop_alliance",
    "alliance_records",
    "mechanism_records",
)

DEFACTO_PAIRS = Schema(
    "defacto_pairs",
    {
        "year": "calendar year",
        "ccode1": "COW code",
        "ccode2": "COW code",
        "formal_defense": "1 if a defense obligation (ATOP, then the alliance records) binds the pair",
        "defacto_score": "de facto alignment score: weighted mean of the observed components (0 ... 1)",
        "score_low": "weight-sensitivity band of the score, low end",
        "score_high": "weight-sensitivity band of the score, high end",
        "percentile": "percentile rank among the dyads of the year observed on the same basis",
        "percentile_low": "weight-sensitivity band of the percentile, low end",
        "percentile_high": "weight-sensitivity band of the percentile, high end",
        "percentile_allies": "the same among the formal defense-pact dyads of the year",
        "basis": "the components compared on, joined by +",
        "not_compared": "components observed but left out of the comparison (too few dyads)",
        "n_compared": "dyads compared with",
        "n_compared_allies": "formal-ally dyads compared with",
    },
)
DEFACTO_GROUP = Schema(
    "defacto_group",
    {
        "year": "calendar year",
        "score_min": "score of the weakest pair",
        "score_mean": "mean score of the pairs",
        "percentile_min": "percentile of the weakest pair",
        "percentile_mean": "mean percentile of the pairs",
        "weakest_pair": "the weakest pair",
        "weakest_basis": "the components the weakest pair is compared on",
    },
)
DEFACTO_VALIDATION = Schema(
    "defacto_validation",
    {
        "target": "onset (a defense obligation begins within the horizon) or dca",
        "variant": "the score, the score without a component, a component alone, a split",
        "years": "years of the score (t)",
        "n": "dyad-years evaluated",
        "n_positive": "dyad-years followed by the event",
        "prevalence": "share of positives",
        "auc": "ROC AUC",
        "auc_low": "lower end of the cluster-bootstrap interval",
        "auc_high": "upper end of the cluster-bootstrap interval",
        "ap": "average precision (area under the precision-recall curve)",
        "ap_low": "lower end of the interval",
        "ap_high": "upper end of the interval",
        "d_auc": "AUC minus the full score's (paired)",
        "d_auc_low": "lower end of the interval",
        "d_auc_high": "upper end of the interval",
    },
)


def _defacto_notes() -> tuple[str, ...]:
    from allyscope.network.defacto_score import provenance

    prov = provenance()
    return (
        f"settings {prov['settings_file']} (sha256 {prov['settings_sha256'][:12]}), "
        f"as of {prov['as_of']}; ideal points: {prov['ideal_points']}",
        "components a source does not observe are missing, never 0; each dyad-year is "
        "compared with the dyads observed on the same components (basis)",
    )


def defacto_dyad(a: int, b: int, years: Years) -> Result:
    """The de facto alignment of one pair per year.

    Parameters
    ----------
    a : int
        The first state (COW code).
    b : int
        The second state (COW code).
    years : (int, int)
        First and last year; years outside :data:`DEFACTO_YEARS` are absent.

    Returns
    -------
    Result
        Columns :data:`DEFACTO_PAIRS` and the components (``network.COMPONENTS``) with
        their raw values.
    """
    from allyscope import network

    span = clip(years, DEFACTO_YEARS)
    df = pl.DataFrame() if span is None else network.defacto(a, b, span)
    return _result(
        DEFACTO_PAIRS, df, DEFACTO_SOURCES, DEFACTO_YEARS, value="defacto_score",
        notes=_defacto_notes(),
    )  # fmt: skip


def defacto_pairs(ccodes: Sequence[int], years: Years) -> Result:
    """The de facto alignment of every member pair per year.

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).
    years : (int, int)
        First and last year; years outside :data:`DEFACTO_YEARS` are absent.

    Returns
    -------
    Result
        Columns :data:`DEFACTO_PAIRS`: the score, its basis, percentiles and
        weight-sensitivity bands, and its components.
    """
    from allyscope import network

    span = clip(years, DEFACTO_YEARS)
    cs = sorted(ccodes)
    if span is None:
        return _result(DEFACTO_PAIRS, pl.DataFrame(), DEFACTO_SOURCES, DEFACTO_YEARS)
    parts = [network.defacto(a, b, span) for i, a in enumerate(cs) for b in cs[i + 1 :]]
    df = pl.concat(parts, how="diagonal_relaxed")
    return _result(
        DEFACTO_PAIRS, df, DEFACTO_SOURCES, DEFACTO_YEARS, value="defacto_score",
        notes=_defacto_notes(),
    )  # fmt: skip


def defacto_group(ccodes: Sequence[int], years: Years) -> Result:
    """The group's de facto alignment per year.

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).
    years : (int, int)
        First and last year.

    Returns
    -------
    Result
        Columns :data:`DEFACTO_GROUP` (weakest pair and mean, with percentiles).
    """
    from allyscope import network

    span = clip(years, DEFACTO_YEARS)
    df = pl.DataFrame() if span is None else network.defacto_group(list(ccodes), span)
    return _result(
        DEFACTO_GROUP, df, DEFACTO_SOURCES, DEFACTO_YEARS, value="score_min",
        notes=_defacto_notes(),
    )  # fmt: skip


def defacto_components() -> dict[str, str]:
    """The de facto score's components with a positive weight in the settings.

    Returns
    -------
    dict
        Component name -> definition.
    """
    from allyscope.network import COMPONENTS
    from allyscope.settings import defacto

    return {c: COMPONENTS[c] for c in defacto().used}


def defacto_weights() -> pl.DataFrame:
    """Every component with its weight, definition and the years its source covers.

    Returns
    -------
    polars.DataFrame
        ``component, weight, years, definition``.
    """
    from allyscope.network.defacto_score import describe

    return describe()


def defacto_validation(*, bootstrap: int | None = None) -> Result:
    """The de facto score checked against later events (never the same year's alliances).

    Parameters
    ----------
    bootstrap : int, optional
        Bootstrap replicates (default: the settings').

    Returns
    -------
    Result
        Columns :data:`DEFACTO_VALIDATION`, one row per target and variant.
    """
    from allyscope.network.validation import validate

    v = validate(bootstrap=bootstrap)
    notes = (
        f"horizon {v.horizon} years; {v.level:.0%} intervals from {v.bootstrap} "
        "cluster-bootstrap replicates (positives by event year, others by year)",
        *_defacto_notes()[:1],
    )
    return _result(DEFACTO_VALIDATION, v.table, DEFACTO_SOURCES, DEFACTO_YEARS, notes=notes)


HUB_SPOKE = Schema(
    "hub_spoke",
    {
        "hub": "the hub state",
        "layer": "network layer",
        "tie_rule": "the settings behind the layer's ties (exercise weighting, troop threshold)",
        "year": "calendar year",
        "covered": "whether the layer's data cover the year",
        "n_spokes": "states tied to the hub",
        "lattice_density": "density of ties among the spokes",
        "lattice_share": "share of spoke pairs tied to each other",
    },
)


def hub_spoke(hub: int, region: str, years: Years, layers: Sequence[str]) -> Result:
    """Hub-and-spoke versus lattice metrics per layer and year.

    Parameters
    ----------
    hub : int
        The hub (COW code).
    region : str
        Region name (``codes.region_members``).
    years : (int, int)
        First and last year.
    layers : sequence of str
        Network layers.

    Returns
    -------
    Result
        Columns :data:`HUB_SPOKE`.
    """
    from allyscope import network

    cover: Years = (coverage("un_votes")[0], current_year())
    span = clip(years, cover)
    df = (
        pl.DataFrame()
        if span is None
        else network.hub_spoke(hub, region, years=span, layers=",".join(layers))
    )
    return _result(HUB_SPOKE, df, ("atop_alliance", "alliance_records", "un_votes"), cover)


BLOCS = Schema(
    "blocs",
    {
        "year": "calendar year",
        "ccode": "COW code",
        "bloc": "bloc number that year (1: the largest)",
        "bloc_label": "the bloc's two members of largest capabilities (COW CINC)",
        "bloc_size": "states in the bloc",
        "stability": "mean share of runs putting the state with its bloc's other members",
        "margin": "stability minus the state's mean co-assignment with the next bloc",
        "placed_by": "consensus, or affinity for a state the ensemble does not place",
        "lean": "mean affinity with the first reference state's bloc minus the second's",
    },
)
POLARIZATION = Schema(
    "polarization",
    {
        "year": "calendar year",
        "n_blocs": "blocs detected",
        "modularity": "modularity of the partition",
        "affinity_gap": "within-bloc minus between-bloc affinity",
        "mean_stability": "mean stability of the states",
        "blocs": "the blocs with their sizes",
    },
)


def bloc_settings() -> Any:
    """The settings of the bloc ensemble (``network.blocs``).

    Returns
    -------
    BlocSettings
        Algorithms, resolutions, seeds, threshold, minimum size, labels and reference
        states of the consensus clustering.
    """
    from allyscope.settings import network

    return network().blocs


def bloc_position(ccode: int, years: Years) -> Result:
    """Where one state sits between the UN voting blocs each year.

    Parameters
    ----------
    ccode : int
        The state (COW code).
    years : (int, int)
        First and last year; years outside the UN voting data are absent.

    Returns
    -------
    Result
        Columns :data:`BLOCS` for the one state.
    """
    from allyscope import network

    cover = un_years()
    span = clip(years, cover)
    df = pl.DataFrame() if span is None else network.bloc_position(ccode, span)
    return _result(BLOCS, df, ("un_votes", "un_roll_calls"), cover)


def blocs(years: Years) -> tuple[Result, Result]:
    """UN voting blocs per state-year (consensus clustering) and polarization per year.

    Parameters
    ----------
    years : (int, int)
        First and last year; years outside the UN voting data are absent.

    Returns
    -------
    (Result, Result)
        Blocs (:data:`BLOCS`) and polarization (:data:`POLARIZATION`).
    """
    from allyscope import network

    cover = un_years()
    span = clip(years, cover)
    b, p = (pl.DataFrame(), pl.DataFrame()) if span is None else network.analyze_blocs(span)
    src = ("un_votes", "un_roll_calls")
    return _result(BLOCS, b, src, cover), _result(POLARIZATION, p, src, cover)


def network_layers() -> list[dict[str, str]]:
    """The layers of the alliance network.

    Returns
    -------
    list of dict
        ``name``, ``title`` and ``definition`` of each layer.
    """
    from allyscope.network.layers import get_layer, layer_names

    out = []
    for n in layer_names():
        lay = get_layer(n)
        out.append({"name": lay.name, "title": lay.title, "definition": lay.definition})
    return out


def capitals() -> pl.DataFrame:
    """Capital coordinates per COW state (its latest capital), to place states on a map.

    Returns
    -------
    polars.DataFrame
        ``ccode``, ``lat``, ``lng``.
    """
    from allyscope.store import open_warehouse

    return open_warehouse().sql(
        "SELECT ccode, arg_max(lat, enddate) AS lat, arg_max(lng, enddate) AS lng "
        "FROM cow_capitals GROUP BY ccode"
    )


@dataclass(frozen=True)
class NetworkView:
    """One layer of the yearly alliance network: states (with capital coordinates and
    their number of ties shown), ties, and whether the layer's data cover the year."""

    nodes: pl.DataFrame
    edges: pl.DataFrame
    covered: bool
    year: int
    layer: str


def network(
    year: int, layer: str, region: str | None = None, hub: int | None = None
) -> NetworkView:
    """One layer of the yearly alliance network, for drawing.

    Parameters
    ----------
    year : int
        The year.
    layer : str
        The layer (:func:`network_layers`).
    region : str, optional
        Only the ties among this region's members.
    hub : int, optional
        With ``region``: the hub's ties to them too (COW code).

    Returns
    -------
    NetworkView
        States with capital coordinates and degree, ties, and whether the layer's data
        cover the year.
    """
    from allyscope import codes
    from allyscope.network import graphs

    g = graphs.yearly_network(year, layer)
    members = None
    if region:
        members = codes.region_members(region, year)
        if hub is not None and hub not in members:
            members = [*members, hub]
    edges = graphs.edge_table(g, region=members)
    keep = set(members) if members is not None else set(g.nodes)
    ends = (
        pl.concat([edges["ccode1"], edges["ccode2"]])
        if edges.height
        else pl.Series([], dtype=pl.Int64)
    )
    deg = dict(ends.value_counts().iter_rows()) if edges.height else {}
    rows = [
        {
            "ccode": int(n),
            "iso3": g.nodes[n].get("iso3"),
            "name": g.nodes[n].get("name"),
            "degree": int(deg.get(n, 0)),
        }
        for n in g.nodes
        if n in keep
    ]
    nodes = pl.DataFrame(
        rows, schema={"ccode": pl.Int32, "iso3": pl.String, "name": pl.String, "degree": pl.Int32}
    )
    caps = capitals().with_columns(pl.col("ccode").cast(pl.Int32))
    nodes = nodes.join(caps, on="ccode", how="left").sort("ccode")
    cols = [
        c
        for c in ("ccode1", "ccode2", "iso3_1", "iso3_2", "name1", "name2", "weight")
        if c in edges.columns
    ]
    return NetworkView(nodes, edges.select(cols), bool(g.graph.get("covered", True)), year, layer)


@dataclass(frozen=True)
class YearNetwork:
    """One year of the multilayer alliance network, narrowed to a region and hub.

    ``ties`` lists the ties shown (with a region and a hub: the region's ties and the
    hub's ties into it; with only a hub: the hub's own ties); ``metrics`` holds the
    hub-and-spoke versus lattice metrics per layer when both a hub and a region are given."""

    year: int
    layers: tuple[str, ...]
    multilayer: Any
    ties: pl.DataFrame
    hub: int | None
    hub_name: str | None
    region: list[int] | None
    metrics: pl.DataFrame | None

    def graph(self) -> Any:
        """The graph to write: the one layer (or all as a multigraph), cut to the region
        and the hub."""
        ml = self.multilayer
        g = ml[self.layers[0]] if len(self.layers) == 1 else ml.to_multigraph()
        if self.region is not None:
            keep = set(self.region) | ({self.hub} if self.hub is not None else set())
            g = g.subgraph(n for n in g if n in keep).copy()
        return g


def year_network(
    year: int,
    layers: Sequence[str],
    *,
    region: str | None = None,
    states: Sequence[str] | None = None,
    hub: str | None = None,
) -> YearNetwork:
    """The multilayer network of one year, narrowed to a region and a hub.

    Parameters
    ----------
    year : int
        The year.
    layers : sequence of str
        Layers (:func:`network_layers`).
    region : str, optional
        Region name.
    states : sequence of str, optional
        Explicit regional states instead of a region name.
    hub : str, optional
        Hub state (name or code).

    Returns
    -------
    YearNetwork
        The network, the ties shown and, with a hub and a region, the hub-and-spoke
        metrics.
    """
    from allyscope import codes
    from allyscope.network import graphs, hubspoke

    h = codes.resolve(hub, year) if hub else None
    st = list(states) if states else None
    region_codes = None
    if region is not None or st:
        region_codes = hubspoke.region_table((year, year), region, st)["ccode"].to_list()
    ml = graphs.multilayer_network(year, list(layers))
    ties = []
    for name in layers:
        if hub is not None and region_codes is not None:
            ties.append(hubspoke.regional_ties(year, hub, region, states=st, layer=name))
            continue
        t = graphs.edge_table(ml[name], region=region_codes)
        if h is not None:  # no region: the hub's own ties
            t = t.filter((pl.col("ccode1") == h) | (pl.col("ccode2") == h))
        ties.append(t)
    metrics = None
    if hub is not None and region_codes is not None:
        metrics = hubspoke.hub_spoke(hub, region, states=st, years=year, layers=list(layers))
    return YearNetwork(
        year,
        tuple(layers),
        ml,
        pl.concat(ties, how="diagonal_relaxed") if ties else pl.DataFrame(),
        h,
        codes.name(h) if h is not None else None,
        region_codes,
        metrics,
    )


@dataclass(frozen=True)
class Trend:
    """A table with the title it is shown under."""

    df: pl.DataFrame
    title: str


def hub_spoke_trend(
    hub: str,
    years: Years,
    layers: Sequence[str],
    *,
    region: str | None = None,
    states: Sequence[str] | None = None,
) -> Trend:
    """Hub-and-spoke versus lattice metrics of a hub and a region for every year.

    Parameters
    ----------
    hub : str
        Hub state (name or code).
    years : (int, int)
        First and last year.
    layers : sequence of str
        Layers.
    region : str, optional
        Region name.
    states : sequence of str, optional
        Explicit regional states.

    Returns
    -------
    Trend
        The metrics table and its title.
    """
    from allyscope import codes
    from allyscope.network import hubspoke

    df = hubspoke.hub_spoke(
        hub, region, states=list(states) if states else None, years=years, layers=list(layers)
    )
    h = codes.resolve(hub, years[1])
    return Trend(df, f"{codes.name(h)} and its partners, {years[0]}-{years[1]}")


# -- forecasts -----------------------------------------------------------------------------

#: forecasts and scenario results already computed in this process, by data hash
_FORECASTS: dict[tuple[Any, ...], Any] = {}


def _memo(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    full = (_data_hash(), *key)
    if full not in _FORECASTS:
        if len(_FORECASTS) > 256:
            _FORECASTS.clear()
        _FORECASTS[full] = compute()
    return _FORECASTS[full]


def forecast(ccodes: Sequence[int], horizon: int = 5) -> Any:
    """The forecast for a dyad or group, computed once per process and data version.

    Parameters
    ----------
    ccodes : sequence of int
        Two or more states (COW codes).
    horizon : int
        Years ahead.

    Returns
    -------
    allyscope.forecast.predict.Forecast
        Probability, interval, drivers and comparison dyads.
    """
    from allyscope.forecast import forecast as _forecast

    return _memo(
        ("forecast", tuple(ccodes), horizon), lambda: _forecast(list(ccodes), horizon=horizon)
    )


def default_scenarios(ccodes: Sequence[int]) -> list[Scenario]:
    """The report's scenarios for a group, from the settings' ``reports`` presets.

    A new leader in one member (the last one named, the ``leader_change_except`` states
    aside); every pair scenario (``pair_scenarios``) whose two states are both members;
    then the forecast module's second default (every pair's UN voting affinity at its
    20-year low).

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).

    Returns
    -------
    list of Scenario
    """
    from allyscope import codes
    from allyscope.forecast import Change, Scenario
    from allyscope.forecast import default_scenarios as _defaults
    from allyscope.settings import reports

    st = reports()
    skip = {codes.resolve(c) for c in st.leader_change_except}
    others = [c for c in ccodes if c not in skip] or list(ccodes)
    who = others[-1]
    out = [
        Scenario(
            f"New leader in {codes.name(who)}",
            (Change("leader_change", (codes.iso3(who) or who,)),),
            f"A leader transition in {codes.name(who)} in the forecast's origin year.",
        )
    ]
    for ps in st.pair_scenarios:
        if {codes.resolve(c) for c in ps.pair} <= set(ccodes):
            pair = (ps.pair,)
            changes = tuple(Change(k, v, pair) for k, v in ps.changes.items())
            out.append(Scenario(ps.name, changes, ps.description))
    defaults = _defaults([codes.iso3(c) or c for c in ccodes])
    out.append(defaults[-1])
    return out


def scenario(ccodes: Sequence[int], spec: Scenario | str, horizon: int = 5) -> ScenarioResult:
    """A scenario's forecast next to the baseline.

    Parameters
    ----------
    ccodes : sequence of int
        The group (COW codes).
    spec : Scenario or str
        A :class:`~allyscope.forecast.Scenario` or its compact form
        (``"leader_change:KOR"``, ``"un_affinity:lowest;exercises:stop@JPN/KOR"``,
        ``"preset:leadership-change"``; :func:`allyscope.forecast.scenarios.parse_inline`).
        A string is never read as a file name.
    horizon : int
        Years ahead.

    Returns
    -------
    ScenarioResult
    """
    from allyscope.forecast import scenario as _scenario
    from allyscope.forecast.scenarios import parse_inline

    if isinstance(spec, str):
        spec = parse_inline(spec, list(ccodes))
    key = (spec.name, tuple(spec.describe()))
    return _memo(
        ("scenario", tuple(ccodes), horizon, key),
        lambda: _scenario(list(ccodes), spec, horizon=horizon),
    )


@dataclass(frozen=True)
class ForecastSettings:
    """What a forecast is asked for: ``horizon`` years ahead of origin ``year`` (``None``:
    the last year any input covers), with ``model`` ("logit", "boost" or "default") for
    ``outcome`` ("defense" or "any"), seeded, with ``n_boot`` bootstrap refits. Model and
    calibration see outcomes through ``trained_through`` only (``None``: all data; the
    origin year: the pseudo-prospective forecast a forecaster then could have made)."""

    horizon: int = 5
    year: int | None = None
    model: str = "default"
    outcome: str = "defense"
    seed: int = 0
    n_boot: int = 20
    trained_through: int | None = None

    def kwargs(self) -> dict[str, Any]:
        return {
            "horizon": self.horizon,
            "year": self.year,
            "model": self.model,
            "outcome": self.outcome,
            "seed": self.seed,
            "n_boot": self.n_boot,
            "trained_through": self.trained_through,
        }


FORECAST_ALL = Schema(
    "forecast_all",
    {
        "rank": "rank of the dyad by the model's own probability (1 = most likely)",
        "year": "origin year",
        "state1": "first state",
        "state2": "second state",
        "probability": "calibrated probability of a pact onset within the horizon",
        "lower": "lower end of the 90% interval (with intervals)",
        "upper": "upper end of the 90% interval (with intervals)",
        "raw_probability": "the model's own (uncalibrated) probability",
        "percentile": "rank percentile among the dyads at risk (100 = ranked first)",
        "band_observed": "how often backtest forecasts in this probability's bin came true",
        "band_lo": "lower end of the 90% cluster-bootstrap interval of band_observed",
        "band_hi": "upper end of the 90% cluster-bootstrap interval of band_observed",
        "trained_through": "last outcome year model and calibration saw",
        "calibration": "the calibration method (platt, beta or isotonic; none when raw)",
    },
)


def forecast_all(settings: ForecastSettings, *, intervals: bool = False) -> Result:
    """Every dyad at risk in the origin year, ranked by its forecast probability.

    Parameters
    ----------
    settings : ForecastSettings
        Horizon, origin year, model, outcome, seed, bootstrap refits.
    intervals : bool
        Add the bootstrap intervals ``lower`` and ``upper``.

    Returns
    -------
    Result
        Columns :data:`FORECAST_ALL`.
    """
    from allyscope.forecast import predict

    kw = settings.kwargs()
    df = predict.forecast_all(kw.pop("year"), kw.pop("horizon"), intervals=intervals, **kw)
    return _result(FORECAST_ALL, df, ("atop_alliance",), DEFACTO_YEARS)


def scenario_specs(
    names: Sequence[str],
    scenario_file: Any = None,
    changes: Sequence[Mapping[str, Any]] = (),
    *,
    defaults: bool = False,
) -> list[Scenario]:
    """Scenarios from a file, a list of changes and the standard two.

    Parameters
    ----------
    names : sequence of str
        The states forecast.
    scenario_file : path, optional
        A scenario YAML file (docs/forecast.md).
    changes : sequence of mapping
        Changes such as ``{"leader_change": ["KOR"]}``, as one scenario.
    defaults : bool
        Add the forecast module's two standard scenarios.

    Returns
    -------
    list of Scenario
    """
    from allyscope.forecast import scenarios

    specs: list[Scenario] = []
    if scenario_file:
        specs.append(scenarios.as_scenario(scenarios.load(scenario_file)))
    if changes:
        specs.append(scenarios.from_dict({"changes": list(changes)}, "command line"))
    if defaults:
        specs.extend(scenarios.default_scenarios(list(names)))
    return specs


@dataclass(frozen=True)
class ForecastRun:
    """A forecast and, for each scenario, the forecast with it next to the baseline."""

    base: Any
    scenarios: tuple[ScenarioResult, ...] = ()

    def table(self) -> pl.DataFrame:
        """The baseline's pairs, or every scenario's pairs with a ``scenario`` column."""
        if not self.scenarios:
            return self.base.table()
        return pl.concat(
            [
                r.table().with_columns(pl.lit(r.scenario.name).alias("scenario"))
                for r in self.scenarios
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = self.base.to_dict()
        out["scenarios"] = [r.to_dict() for r in self.scenarios]
        return out


def forecast_run(
    names: Sequence[str | int], settings: ForecastSettings, specs: Sequence[Scenario] = ()
) -> ForecastRun:
    """Forecast a dyad or group and each scenario against the same baseline.

    Parameters
    ----------
    names : sequence of str or int
        Two or more states.
    settings : ForecastSettings
        Horizon, origin year, model, outcome, seed, bootstrap refits.
    specs : sequence of Scenario
        Scenarios to run.

    Returns
    -------
    ForecastRun
    """
    from allyscope.forecast import predict, scenarios

    kw = settings.kwargs()
    base = predict.forecast(list(names), **kw)
    results = tuple(
        scenarios.ScenarioResult(
            scenarios.as_scenario(s),
            base,
            predict.forecast(list(names), scenario=s, explain=False, **kw),
        )
        for s in specs
    )
    return ForecastRun(base, results)


#: every declared query schema, by name (the reference in docs/api.md lists them)
SCHEMAS: dict[str, Schema] = {
    s.name: s
    for s in (
        PROVENANCE,
        UN_AFFINITY,
        IDEAL_POINTS,
        EXERCISES,
        US_TROOPS,
        GROUPINGS,
        INSTITUTIONALIZATION,
        INSTITUTION_COMPONENTS,
        INSTITUTION_CHANGES,
        MECHANISM_RECORDS,
        DEFACTO_PAIRS,
        DEFACTO_GROUP,
        DEFACTO_VALIDATION,
        HUB_SPOKE,
        BLOCS,
        POLARIZATION,
        FORECAST_ALL,
        RHETORIC,
        RHETORIC_EVIDENCE,
        RHETORIC_THEMES,
        RHETORIC_THEME_EVIDENCE,
    )
}

__all__ = [
    "DEFACTO_YEARS",
    "SCHEMAS",
    "Currency",
    "ForecastRun",
    "ForecastSettings",
    "Group",
    "NetworkView",
    "PanelSpec",
    "Result",
    "Schema",
    "Trend",
    "YearNetwork",
    "bibtex",
    "bloc_position",
    "bloc_settings",
    "blocs",
    "capitals",
    "clip",
    "defacto_components",
    "defacto_dyad",
    "defacto_group",
    "defacto_pairs",
    "defacto_validation",
    "defacto_weights",
    "default_scenarios",
    "dyad_panel",
    "exercises",
    "forecast",
    "forecast_all",
    "forecast_run",
    "groupings_of",
    "hub_spoke",
    "hub_spoke_trend",
    "ideal_points",
    "institution_changes",
    "institutionalization",
    "least_aligned",
    "mechanism_records",
    "network",
    "network_layers",
    "panel",
    "provenance",
    "resolve_group",
    "rhetoric",
    "rhetoric_theme_names",
    "rhetoric_themes",
    "rhetoric_years",
    "scenario",
    "scenario_specs",
    "source_citations",
    "state_panel",
    "un_affinity",
    "un_years",
    "us_troops",
    "warehouse_info",
    "year_network",
]
