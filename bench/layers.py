"""Figures quoted in docs/panels.md and docs/minerals.md, from the current data.

    ALLYSCOPE_HOME=... python bench/layers.py

Prints India's arms suppliers 2010-2019 (SIPRI), the top producers of some critical
minerals (USGS MCS 2025), the exposure of the United States, Japan and South Korea to
China, and how current every input is.
"""

from __future__ import annotations

import polars as pl


def main() -> None:
    from allyscope import minerals
    from allyscope.panel.arms import arms_dependence
    from allyscope.sources import currency

    pl.Config.set_tbl_rows(40)
    pl.Config.set_tbl_width_chars(140)
    pl.Config.set_fmt_str_lengths(40)
    print("India's arms suppliers, 2010-2019 (share of TIV received):")
    print(arms_dependence("India", (2010, 2019)).head(5))
    c = minerals.concentration()
    keep = ["Rare earths", "Gallium", "Graphite", "Cobalt", "Lithium", "Tungsten"]
    print("Top producers, 2024 (share of world production; HHI of listed producers):")
    print(
        c.filter(pl.col("commodity").is_in(keep)).select(
            "commodity", "top_country", "top_share", "hhi"
        )
    )
    print("Exposure of USA, JPN, KOR to China (US critical minerals):")
    print(minerals.exposure_summary(["USA", "JPN", "KOR"], "China"))
    print("Inputs and how current they are:")
    print(currency().select("input", "first_year", "last_year", "data_through"))


if __name__ == "__main__":
    main()
