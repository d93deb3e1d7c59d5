"""Arms transfers (SIPRI) and critical minerals (USGS): facts an analyst would check."""

from __future__ import annotations

import polars as pl
import pytest

from allyscope.errors import InvalidInputError
from allyscope.panel import dyad_years, state_years

pytestmark = pytest.mark.data

USA, RUS, CHN, IND, PAK, SAU, JPN, KOR, UKR = 2, 365, 710, 750, 770, 670, 740, 732, 369


def test_russia_is_indias_top_supplier_in_the_2010s(wh) -> None:
    from allyscope.panel.arms import arms_dependence

    dep = arms_dependence("India", (2010, 2019))
    assert dep["ccode"][0] == RUS
    assert dep["share"][0] > 0.5  # SIPRI: Russia supplied well over half of India's imports
    assert dep["share"].sum() <= 1.0 + 1e-9


def test_known_supplier_relations(wh) -> None:
    from allyscope.panel.arms import arms_dependence

    assert arms_dependence("Pakistan", (2015, 2024))["ccode"][0] == CHN
    assert arms_dependence("Saudi Arabia", (2015, 2024))["ccode"][0] == USA
    assert arms_dependence("Japan", (2015, 2024))["ccode"][0] == USA
    # the United States is the largest exporter of 2015-2024
    from allyscope.panel.arms import arms_transfers

    t = arms_transfers().filter(pl.col("year").is_between(2015, 2024))
    top = t.group_by("ccode1").agg(pl.col("sipri_tiv").sum()).sort("sipri_tiv", descending=True)
    assert top["ccode1"][0] == USA


def test_split_of_delivered_tiv_keeps_each_deals_total(wh) -> None:
    from allyscope.panel.arms import _deliveries

    reg = wh.table("sipri_arms")
    d = _deliveries(reg)
    per_deal = d.group_by("line").agg(pl.col("tiv").sum())
    orig = reg.filter(pl.col("delivery_years").is_not_null()).select("line", "tiv_delivered")
    j = per_deal.join(orig, on="line")
    assert j.height == orig.height
    assert (j["tiv"] - j["tiv_delivered"]).abs().max() < 1e-9


def test_arms_add_on_on_directed_and_state_panels(wh) -> None:
    d = dyad_years(years=(2018, 2020), directed=True).add("arms").df
    ru_in = d.filter((pl.col("ccode1") == RUS) & (pl.col("ccode2") == IND))
    assert (ru_in["sipri_tiv"] > 0).all() and (ru_in["sipri_share_5y"] > 0.4).all()
    # a recipient that imports arms depends on a non-supplier to the extent 0
    kp = d.filter((pl.col("ccode1") == PAK) & (pl.col("ccode2") == IND))
    assert kp["sipri_share"].to_list() == [0.0, 0.0, 0.0]
    s = state_years(years=(2019, 2019)).add("arms").df
    ind = s.filter(pl.col("ccode") == IND).row(0, named=True)
    assert ind["sipri_top_supplier"] == RUS and ind["sipri_imports"] > 0
    usa = s.filter(pl.col("ccode") == USA).row(0, named=True)
    assert usa["sipri_exports"] > s.filter(pl.col("ccode") == RUS)["sipri_exports"][0]
    und = dyad_years(years=(2019, 2019)).add("arms").df
    assert {"sipri_share_max", "sipri_share_5y_max"} <= set(und.columns)
    # years after SIPRI's last are null
    late = dyad_years(years=(2024, 2025), mry=True).add("arms").df
    assert (
        late.filter(pl.col("year") == 2025)["sipri_tiv"].null_count()
        == late.filter(pl.col("year") == 2025).height
    )


def test_china_dominates_rare_earths_and_gallium(wh) -> None:
    from allyscope import minerals

    c = minerals.concentration(2024)
    ree = c.filter(pl.col("commodity") == "Rare earths").row(0, named=True)
    assert ree["top_ccode"] == CHN and 0.6 < ree["top_share"] < 0.8
    ga = c.filter(pl.col("commodity") == "Gallium").row(0, named=True)
    assert ga["top_ccode"] == CHN and ga["top_share"] > 0.95
    co = c.filter(pl.col("commodity") == "Cobalt").row(0, named=True)
    assert co["top_ccode"] == 490  # DR Congo
    # shares of a series cannot add up to more than the world total
    p = minerals.production()
    tot = p.group_by("commodity", "type").agg(pl.col("share_prod_2024").sum())
    assert tot["share_prod_2024"].max() <= 1.1  # world totals are rounded


def test_us_import_reliance_and_sources(wh) -> None:
    from allyscope import minerals

    u = minerals.us_import_reliance()
    ga = u.filter(pl.col("commodity") == "GALLIUM, metal").row(0, named=True)
    assert ga["net_import_reliance"] == 100 and ga["major_sources"][:2] == [JPN, CHN]
    ti = u.filter(pl.col("commodity") == "TITANIUM, sponge metal").row(0, named=True)
    assert ti["net_import_reliance"] == 95 and ti["reliance_bound"] == ">"
    ree = u.filter(pl.col("world_commodity") == "Rare earths").row(0, named=True)
    assert ree["major_sources"][0] == CHN


def test_trilateral_exposure_to_china(wh) -> None:
    from allyscope import minerals

    e = minerals.exposure(["USA", "JPN", "KOR"], "China")
    ree = e.filter(pl.col("commodity") == "Rare earths").row(0, named=True)
    assert ree["supplier_share"] > 0.6 and ree["group_share"] < 0.2
    assert ree["supplier_us_source_rank"] == 1
    summary = minerals.exposure_summary(["USA", "JPN", "KOR"], "China")
    assert {"Gallium", "Graphite", "Rare earths"} <= set(summary["dominated_commodities"])
    with pytest.raises(InvalidInputError, match="also in the group"):
        minerals.exposure(["USA", "CHN"], "China")


def test_report_states_the_groups_mineral_exposure(wh) -> None:
    """The structure section says where the counter-group dominates the supply of US
    critical minerals: China for rare earths and gallium, with the year of the data."""
    from allyscope.groups import resolve_group
    from allyscope.views.sections import Section, _minerals_part

    g = resolve_group(["USA", "JPN", "KOR"], 2015, 2025)
    s = Section("structure", "Hub and spokes, lattice and blocs", "?")
    _minerals_part(s, g)
    (table,) = s.tables
    china = next(r for r in table.rows if r[0] == "China")
    assert "Rare earths" in china[4] and "Gallium" in china[4]
    assert 0 < china[3] <= china[2] < china[1]
    assert [(u.input, u.shown_through) for u in s.inputs] == [("minerals", 2024)]
