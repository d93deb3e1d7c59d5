"""Speeches of the UN General Debate with state codes, and their sentences.

State codes: the corpus names speakers by ISO3 code, including historical codes. They
become COW and Gleditsch–Ward codes through the crosswalk of :mod:`allyscope.codes`
(year by year), with these rules:

* ``RUS`` before 1992 is the Soviet Union (COW 365, ISO ``SUN`` in the crosswalk);
* ``CHN`` from 1949 to 1970 is the Republic of China, which held China's seat until
  General Assembly resolution 2758 (1971): COW 713 (Taiwan); before 1949 and from 1971
  it is COW 710;
* ``UKR`` and ``BLR`` before 1991 (Soviet republics with UN seats), ``PSE``, ``VAT`` and
  ``EU`` have no COW or GW code (null);
* where an ISO3 code belongs to two COW states in one year (Germany and Yemen in 1990),
  the state that continues into the next year is taken;
* years after the crosswalk's last year take that year's codes.

Sentences: text is normalized (line-break hyphenation joined, whitespace collapsed) and
split after ``.``, ``!`` or ``?`` (with closing quotes or brackets) followed by a space and
an upper-case letter, digit or opening quote — except after common abbreviations and
single-letter initials ("Mr.", "No.", "U.S."). This runs as vectorized string
operations over the whole corpus.
"""

from __future__ import annotations

import polars as pl

from allyscope.rhetoric.lexicon import PSEUDO_ISO3

#: (corpus ISO3, first year, last year, COW code) for speakers the crosswalk gets wrong
SPEAKER_OVERRIDES: tuple[tuple[str, int, int, int | None], ...] = (
    ("CHN", 1949, 1970, 713),
    ("UKR", 1946, 1990, None),
    ("BLR", 1946, 1990, None),
)

#: (ISO3 as named, first year, last year, ISO3 of the crosswalk) for states whose code
#: in the crosswalk differs in those years
ISO_REMAP: tuple[tuple[str, int, int, str], ...] = (
    ("RUS", 1922, 1991, "SUN"),
    ("SUN", 1992, 9999, "RUS"),
    ("CZE", 1816, 1992, "CSK"),
    ("SRB", 1816, 2002, "YUG"),
    ("SRB", 2003, 2005, "SCG"),
)

_ABBREV = (  # ASCII word boundary: the Unicode one is many times slower here
    r"(?-u:\b)(Mr|Mrs|Ms|Messrs|Mme|Dr|Prof|St|Sr|Jr|No|Nos|Art|Arts|para|paras|Vol|vs|etc|Gen|Lt"
    r"|Col|Rev|Hon|Amb|Sen|Rep|Gov|Co|Corp|Inc|Ltd|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct"
    r"|Nov|Dec|i\.e|e\.g|[A-Z])\."
)
#: stands in for the full stop of an abbreviation while sentences are split
_HELD_DOT = "\u2024"
_BOUNDARY = r"([.!?][\"'”’)\]]*) ([\"“‘(\[]?[\p{Lu}\d])"


def normalize(text: pl.Expr) -> pl.Expr:
    """Join hyphenated line breaks, collapse whitespace, mark sentence ends with newlines.

    The result has one sentence per line and the same characters otherwise (the newline
    replaces the space after the sentence end), so offsets found in it index sentences.
    """
    return (
        text.str.replace_all(r"-[ \t]*\r?\n\s*", "-")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .str.replace_all(_ABBREV, "${1}" + _HELD_DOT)
        .str.replace_all(_BOUNDARY, "${1}\n${2}")
        .str.replace_all(_HELD_DOT, ".", literal=True)
    )


def sentences(texts: pl.DataFrame, id_col: str = "speech_id") -> pl.DataFrame:
    """One row per sentence: ``id_col``, ``sentence`` (0-based) and ``text``.

    ``texts`` has ``id_col`` and ``norm`` (the output of :func:`normalize`).
    """
    return (
        texts.select(id_col, pl.col("norm").str.split("\n").alias("text"))
        .explode("text")
        .with_columns(pl.int_range(pl.len()).over(id_col).cast(pl.Int32).alias("sentence"))
        .select(id_col, "sentence", "text")
    )


def iso3_codes(frame: pl.DataFrame, iso_col: str, year_col: str = "year") -> pl.DataFrame:
    """``frame`` with ``ccode`` and ``gwcode`` for the ISO3 codes in ``iso_col`` (year-aware)."""
    from allyscope.codes import crosswalk

    cw = crosswalk().select("ccode", "year", "gwcode", "iso3").drop_nulls("iso3")
    last_year = int(cw["year"].max())  # type: ignore[arg-type]
    nxt = cw.select("ccode", (pl.col("year") - 1).alias("year")).with_columns(
        pl.lit(True).alias("continues")
    )
    cw = (
        cw.join(nxt, on=["ccode", "year"], how="left")
        .with_columns(pl.col("continues").fill_null(False))
        .sort("iso3", "year", "continues", "ccode", descending=[False, False, True, False])
        .unique(["iso3", "year"], keep="first", maintain_order=True)
        .select("iso3", "year", "ccode", "gwcode")
    )
    latest = cw.filter(pl.col("year") == last_year).drop("year")
    iso = pl.col(iso_col)
    year = pl.col(year_col)
    # the crosswalk's ISO codes for states the corpus or the resolver names otherwise
    key: pl.Expr = iso
    for name, y0, y1, meant in reversed(ISO_REMAP):
        key = pl.when((iso == name) & year.is_between(y0, y1)).then(pl.lit(meant)).otherwise(key)
    tmp = frame.with_columns(key.alias("_iso"), year.cast(pl.Int32).alias("_year"))
    hit = tmp.join(cw.rename({"iso3": "_iso", "year": "_year"}), on=["_iso", "_year"], how="left")
    late = hit.join(
        latest.rename({"iso3": "_iso", "ccode": "_c", "gwcode": "_g"}), on="_iso", how="left"
    )
    pseudo = pl.col("_iso").replace_strict(PSEUDO_ISO3, default=None, return_dtype=pl.Int32)
    out = late.with_columns(
        pl.when(pl.col("_year") > last_year)
        .then(pl.col("_c"))
        .otherwise(pl.coalesce(pl.col("ccode"), pseudo))
        .cast(pl.Int32)
        .alias("ccode"),
        pl.when(pl.col("_year") > last_year)
        .then(pl.col("_g"))
        .otherwise(pl.col("gwcode"))
        .cast(pl.Int32)
        .alias("gwcode"),
    )
    return out.drop("_iso", "_year", "_c", "_g")


def speaker_codes(speeches: pl.DataFrame) -> pl.DataFrame:
    """Speeches (``iso3``, ``year``) with the speaker's ``ccode`` and ``gwcode``."""
    out = iso3_codes(speeches, "iso3")
    for iso, y0, y1, code in SPEAKER_OVERRIDES:
        hit = (pl.col("iso3") == iso) & pl.col("year").is_between(y0, y1)
        if code is None:
            out = out.with_columns(
                pl.when(hit).then(None).otherwise(pl.col(c)).cast(pl.Int32).alias(c)
                for c in ("ccode", "gwcode")
            )
        else:
            out = out.with_columns(
                pl.when(hit)
                .then(pl.lit(code))
                .otherwise(pl.col("ccode"))
                .cast(pl.Int32)
                .alias("ccode")
            )
            out = out.with_columns(
                pl.when(hit)
                .then(pl.lit(code))
                .otherwise(pl.col("gwcode"))
                .cast(pl.Int32)
                .alias("gwcode")
            )
    return out


__all__ = [
    "ISO_REMAP",
    "SPEAKER_OVERRIDES",
    "iso3_codes",
    "normalize",
    "sentences",
    "speaker_codes",
]
