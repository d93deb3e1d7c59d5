"""The catalog: every upstream file allyscope uses, declared once.

Each :class:`~allyscope.sources.base.Source` names its file, pinned download address
and checksum, what one row is (``unit``), its key columns, year coverage, version,
citations (BibTeX keys in ``citations.bib``), license and typed columns. Column specs
read ``raw[>canonical]:type``; canonical names are snake_case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import cast

from allyscope.errors import UnknownSourceError
from allyscope.sources import current
from allyscope.sources.base import Source
from allyscope.sources.pins import PINS
from allyscope.sources.ungd import UNGD_SPEECHES
from allyscope.sources.voting import VOTING_SOURCES

PS_LICENSE = "GPL-2.0 (peacesciencer R package); cite the original dataset"
PS_VERSION = "peacesciencer@{commit}"

_D = "ccode1:int ccode2:int year:int"


def _src(name: str, file: str, **kw: object) -> Source:
    return Source.from_pin(name, file, PINS[file], **kw)


def _ps(name: str, **kw: object) -> Source:
    kw.setdefault("license", PS_LICENSE)
    kw.setdefault("object_name", name)
    cites = tuple(cast("Iterable[str]", kw.pop("citations", ())))
    return _src(
        name, f"peacesciencer/{name}.rda", citations=(*cites, "miller2022peacesciencer"), **kw
    )


_CATALOG: tuple[Source, ...] = (
    # -- state systems and code crosswalks ---------------------------------------------
    _ps(
        "cow_states",
        title="Correlates of War state system membership (v2016)",
        description="Spells of membership in the COW interstate system, with start and end dates.",
        unit="state membership spell",
        keys=("ccode", "styear", "stmonth", "stday"),
        years=(1816, 2016),
        citations=("cow2017states",),
        rows=243,
        column_spec="stateabb:str ccode:int statenme:str styear:int stmonth:int stday:int "
        "endyear:int endmonth:int endday:int version:int",
        coverage_note="The COW list ends on 2016-12-31.",
    ),
    _ps(
        "gw_states",
        title="Gleditsch-Ward list of independent states",
        description="Spells of independence in the Gleditsch-Ward state system.",
        unit="state membership spell",
        keys=("gwcode", "startdate"),
        years=(1816, 2017),
        citations=("gleditsch1999states",),
        rows=216,
        column_spec="gwcode:int stateabb:str statename:str startdate:date enddate:date",
        coverage_note="The Gleditsch-Ward list as distributed ends on 2017-12-31.",
    ),
    _ps(
        "cow_gw_years",
        title="COW-to-GW state-year crosswalk",
        description="Every COW state-year with its Gleditsch-Ward counterpart (null where none).",
        unit="state-year (COW system)",
        keys=("stateabb", "year"),
        years=(1816, 2020),
        citations=("cow2017states", "gleditsch1999states"),
        rows=16936,
        column_spec="stateabb:str year:int gwcode:int ccode:int gw_statename:str cow_statename:str",
        unique_keys=False,
    ),
    _ps(
        "gw_cow_years",
        title="GW-to-COW state-year crosswalk",
        description="Every Gleditsch-Ward state-year with its COW counterpart (null where none).",
        unit="state-year (GW system)",
        keys=("stateabb", "year"),
        years=(1816, 2020),
        citations=("gleditsch1999states", "cow2017states"),
        rows=18425,
        column_spec="gwcode:int stateabb:str gw_statename:str ccode:int cow_statename:str year:int",
        unique_keys=False,
    ),
    _ps(
        "cow_majors",
        title="COW major powers",
        description="Spells during which a state is a major power in the COW system.",
        unit="major-power spell",
        keys=("ccode", "styear"),
        years=(1816, 2016),
        citations=("cow2017states",),
        rows=14,
        column_spec="ccode:int styear:int stmonth:int stday:int endyear:int endmonth:int "
        "endday:int version:int",
    ),
    _ps(
        "maoz_powers",
        title="Maoz regional and global powers",
        description="Dates at which states are regional and global powers (Maoz 2010).",
        unit="state",
        keys=("ccode",),
        years=None,
        citations=("maoz2010networks",),
        rows=20,
        column_spec="ccode:int regstdate:date regenddate:date globstdate:date globenddate:date",
        unique_keys=False,
    ),
    _ps(
        "false_cow_dyads",
        title="COW dyad-years whose members never coexist on one day",
        description="Dyad-years both of whose states are in the COW system that year but never on "
        "the same day; a dyad-year panel drops them.",
        unit="non-directed dyad-year",
        keys=("ccode1", "ccode2", "year"),
        years=(1860, 1990),
        rows=60,
        column_spec=_D + " in_ps:int",
    ),
    _ps(
        "false_gw_dyads",
        title="GW dyad-years whose members never coexist on one day",
        description="As false_cow_dyads, for the Gleditsch-Ward system.",
        unit="non-directed dyad-year",
        keys=("gwcode1", "gwcode2", "year"),
        years=(1830, 2006),
        rows=40,
        column_spec="gwcode1:int gwcode2:int year:int microstate1:int microstate2:int in_ps:int",
    ),
    _ps(
        "cow_capitals",
        title="Capitals of COW states",
        description="Capital city of each COW state with coordinates and the dates it was capital.",
        unit="state-capital spell",
        keys=("ccode", "stdate"),
        years=None,
        rows=242,
        column_spec="ccode:int statenme:str capital:str stdate:date enddate:date lat:float lng:float",
    ),
    _ps(
        "gw_capitals",
        title="Capitals of Gleditsch-Ward states",
        description="Capital city of each GW state with coordinates and the dates it was capital.",
        unit="state-capital spell",
        keys=("gwcode", "stdate"),
        years=None,
        rows=264,
        column_spec="gwcode:int statenme:str capital:str stdate:date enddate:date lat:float lng:float",
    ),
    # -- alliances -------------------------------------------------------------------------
    _ps(
        "atop_alliance",
        title="ATOP alliance obligations, dyad-years (v5)",
        description="Whether state ccode1 has a defense, offense, neutrality, non-aggression or "
        "consultation obligation toward ccode2 in a year (1 = yes). Obligations can be "
        "asymmetric (the US defends Japan; Japan has no defense obligation to the US).",
        unit="directed dyad-year (obligations of ccode1 toward ccode2; both orders present), "
        "only dyads with an obligation",
        keys=("ccode1", "ccode2", "year"),
        years=(1815, 2018),
        citations=("leeds2002atop",),
        rows=273296,
        column_spec=_D
        + " atop_defense:int atop_offense:int atop_neutral:int atop_nonagg:int atop_consul:int",
        coverage_note="Dyad-years absent from the table within 1815-2018 have no obligation.",
    ),
    _ps(
        "cow_alliance",
        title="COW formal alliances, dyad-years (v4.1)",
        description="COW alliance types: defense pact, neutrality, non-aggression, entente.",
        unit="directed dyad-year (both orders present), only dyads with an alliance",
        keys=("ccode1", "ccode2", "year"),
        years=(1816, 2012),
        citations=("gibler2009alliances",),
        rows=120784,
        column_spec=_D + " cow_defense:int cow_neutral:int cow_nonagg:int cow_entente:int",
    ),
    # -- capabilities, economy, population ----------------------------------------------
    _ps(
        "cow_nmc",
        title="COW National Material Capabilities",
        description="Military expenditure and personnel, iron and steel, energy, population, "
        "urban population and the CINC score.",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1816, 2022),
        citations=("singer1972nmc",),
        rows=17121,
        column_spec="ccode:int year:int milex:int milper:int irst:int pec:int tpop:float "
        "upop:float cinc:float",
    ),
    _ps(
        "cow_sdp_gdp",
        title="GDP, population and surplus domestic product (COW states)",
        description="Simulated estimates of GDP (2011 USD), population, GDP per capita and "
        "surplus domestic product.",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1800, 2016),
        citations=("anders2020sdp",),
        rows=27753,
        column_spec="ccode:int year:int wbgdp2011est:float wbpopest:float sdpest:float "
        "wbgdppc2011est:float",
        notes="GDP and population are in natural logs, as distributed.",
    ),
    _ps(
        "gw_sdp_gdp",
        title="GDP, population and surplus domestic product (GW states)",
        description="As cow_sdp_gdp, for Gleditsch-Ward states.",
        unit="state-year (GW)",
        keys=("gwcode", "year"),
        years=(1800, 2015),
        citations=("anders2020sdp",),
        rows=27387,
        column_spec="gwcode:int year:int wbgdp2011est:float wbpopest:float sdpest:float "
        "wbgdppc2011est:float",
        notes="GDP and population are in natural logs, as distributed.",
    ),
    _ps(
        "cow_trade_sy",
        title="COW trade, state-year totals (v4)",
        description="Total imports and exports (current million USD).",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1870, 2014),
        citations=("barbieri2009trade",),
        rows=14410,
        column_spec="ccode:int year:int imports:float exports:float",
    ),
    # -- geography --------------------------------------------------------------------------
    _ps(
        "cow_contdir",
        title="COW direct contiguity (v3.2)",
        description="Spells of direct contiguity: 1 land border, 2-5 separated by up to 12, 24, "
        "150 and 400 miles of water.",
        unit="non-directed dyad contiguity spell",
        keys=("ccode1", "ccode2", "stdate"),
        years=(1816, 2016),
        citations=("stinnett2002contiguity",),
        rows=1874,
        column_spec="ccode1:int ccode2:int conttype:int stdate:date enddate:date",
    ),
    _ps(
        "cow_mindist",
        title="Minimum distance between COW states (CShapes 2.0)",
        description="Minimum distance in kilometres between the borders of two states.",
        unit="non-directed dyad-year (COW)",
        keys=("ccode1", "ccode2", "year"),
        years=(1886, 2019),
        citations=("schvitz2022cshapes",),
        rows=952244,
        column_spec=_D + " mindist:float",
    ),
    _ps(
        "gw_mindist",
        title="Minimum distance between GW states (CShapes 2.0)",
        description="Minimum distance in kilometres between the borders of two states.",
        unit="non-directed dyad-year (GW)",
        keys=("gwcode1", "gwcode2", "year"),
        years=(1886, 2019),
        citations=("schvitz2022cshapes",),
        rows=871034,
        column_spec="gwcode1:int gwcode2:int year:int mindist:float",
    ),
    # -- international organizations -------------------------------------------------------
    _ps(
        "cow_igo_ndy",
        title="COW IGO joint memberships, non-directed dyad-years (v3)",
        description="Number of intergovernmental organizations in which both states are full members.",
        unit="non-directed dyad-year (COW)",
        keys=("ccode1", "ccode2", "year"),
        years=(1816, 2014),
        citations=("pevehouse2020igo",),
        rows=917695,
        column_spec=_D + " dyadigos:int",
    ),
    _ps(
        "cow_igo_sy",
        title="COW IGO memberships, state-years (v3)",
        description="Number of IGOs a state belongs to, by membership type.",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1816, 2014),
        citations=("pevehouse2020igo",),
        rows=15557,
        column_spec="ccode:int year:int sum_igo_full:int sum_igo_associate:int "
        "sum_igo_observer:int sum_igo_anytype:int",
    ),
    # -- conflict ----------------------------------------------------------------------------
    _ps(
        "cow_mid_ddydisps",
        title="COW militarized interstate disputes, directed dispute-dyad-years (MID 5)",
        description="Dispute-level directed dyad-years with onset, ongoing, side, fatality, "
        "highest action and hostility level.",
        unit="directed dispute-dyad-year",
        keys=("dispnum", "ccode1", "ccode2", "year"),
        years=(1816, 2014),
        citations=("palmer2022mid5",),
        rows=10234,
        column_spec="dispnum:int " + _D + " cowmidongoing:int cowmidonset:int sidea1:int "
        "sidea2:int fatality1:int fatality2:int fatalpre1:int fatalpre2:int hiact1:int hiact2:int "
        "hostlev1:int hostlev2:int orig1:int orig2:int fatality:int hostlev:int mindur:int "
        "maxdur:int recip:int stmon:int",
    ),
    _ps(
        "cow_mid_disps",
        title="COW militarized interstate disputes, dispute level (MID 5)",
        description="One row per dispute: start, outcome, settlement, fatality, duration, "
        "highest action, hostility, reciprocation.",
        unit="dispute",
        keys=("dispnum",),
        years=(1816, 2014),
        citations=("palmer2022mid5",),
        rows=2436,
        column_spec="dispnum:int styear:int stmon:int outcome:int settle:int fatality:int "
        "mindur:int maxdur:int hiact:int hostlev:int recip:int",
    ),
    _ps(
        "gml_mid_ddydisps",
        title="Gibler-Miller-Little militarized interstate disputes, directed dispute-dyad-years",
        description="The corrected GML MID data, dispute-level directed dyad-years.",
        unit="directed dispute-dyad-year",
        keys=("dispnum", "ccode1", "ccode2", "year"),
        years=(1816, 2010),
        citations=("gibler2016gml",),
        rows=9284,
        column_spec="dispnum:int " + _D + " gmlmidongoing:int gmlmidonset:int sidea1:int "
        "sidea2:int fatality1:int fatality2:int fatalpre1:int fatalpre2:int hiact1:int hiact2:int "
        "hostlev1:int hostlev2:int orig1:int orig2:int fatality:int hostlev:int recip:int "
        "mindur:int maxdur:int stmon:int",
    ),
    _ps(
        "gml_mid_disps",
        title="Gibler-Miller-Little militarized interstate disputes, dispute level",
        description="One row per GML dispute.",
        unit="dispute",
        keys=("dispnum",),
        years=(1816, 2010),
        citations=("gibler2016gml",),
        rows=2174,
        column_spec="dispnum:int styear:int stmon:int outcome:int settle:int fatality:int "
        "mindur:int maxdur:int hiact:int hostlev:int recip:int",
    ),
    _ps(
        "gml_part",
        title="Gibler-Miller-Little MID participants, with leaders",
        description="One row per state's participation in a GML dispute, with the Archigos "
        "leaders at its start and end.",
        unit="dispute participant",
        keys=("dispnum", "ccode"),
        years=(1816, 2010),
        citations=("gibler2016gml", "goemans2009archigos"),
        rows=5217,
        column_spec="dispnum:int ccode:int styear:int stmon:int stday:int endyear:int endmon:int "
        "endday:int obsid_start:str obsid_end:str dummy_stday:int dummy_endday:int sidea:int "
        "hiact:int orig:int anymiss_leader_start:int anymiss_leader_end:int "
        "allmiss_leader_start:int allmiss_leader_end:int",
        unique_keys=False,
    ),
    _ps(
        "cow_war_inter",
        title="COW inter-state wars, dyad-years (v4)",
        description="Directed dyad-years of inter-state war participation.",
        unit="directed war-dyad-year",
        keys=("warnum", "ccode1", "ccode2", "year"),
        years=(1823, 2003),
        citations=("sarkees2010war",),
        rows=1932,
        unique_keys=False,
        column_spec="warnum:int " + _D + " cowinterongoing:int cowinteronset:int sidea1:int "
        "sidea2:int initiator1:int initiator2:int outcome1:int outcome2:int batdeath1:int "
        "batdeath2:int resume:int",
    ),
    _ps(
        "td_rivalries",
        title="Thompson-Dreyer strategic rivalries",
        description="Strategic rivalries with start and end year, region and type "
        "(spatial, positional, ideological, interventionary).",
        unit="rivalry (non-directed dyad spell)",
        keys=("rivalryno",),
        years=(1494, 2010),
        citations=("thompson2012rivalries",),
        rows=197,
        column_spec="rivalryno:int rivalryname:str ccode1:int ccode2:int styear:int endyear:int "
        "region:str type1:str type2:str type3:str",
        unique_keys=False,
    ),
    _ps(
        "tss_rivalries",
        title="Thompson-Sakuwa-Suhas strategic rivalries",
        description="Updated strategic rivalries with type indicators.",
        unit="rivalry (non-directed dyad spell)",
        keys=("tssr_id",),
        years=(1494, 2020),
        citations=("thompson2021tss",),
        rows=264,
        column_spec="tssr_id:int rivalry:str ccode1:int ccode2:int start:int end:int "
        "positional:int spatial:int ideological:int interventionary:int principal:int aprin:int",
    ),
    _ps(
        "grh_arms_races",
        title="Gibler-Rider-Hutchison conventional arms races",
        description="Arms races during periods of rivalry, with start and end year.",
        unit="arms race (non-directed dyad spell)",
        keys=("race_id",),
        years=(1816, 1993),
        citations=("gibler2005armsraces",),
        rows=71,
        column_spec="race_id:int ccode1:int ccode2:int styear:int endyear:int",
        unique_keys=False,
    ),
    _ps(
        "terrthreat",
        title="Latent external territorial threat",
        description="Estimated territorial threat to a state (log scale) with its uncertainty.",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1816, 2010),
        citations=("miller2022terrthreat",),
        rows=14781,
        column_spec="ccode:int year:int lterrthreat:float sd:float lwr:float upr:float "
        "m_lterrthreat:float m_sd:float m_lwr:float m_upr:float",
    ),
    _ps(
        "ucdp_acd",
        title="UCDP/PRIO armed conflict dataset",
        description="Armed conflicts with at least 25 battle deaths in a year (GW codes).",
        unit="conflict-year",
        keys=("conflict_id", "year"),
        years=(1946, 2024),
        citations=("gleditsch2002ucdp",),
        rows=5652,
        unique_keys=False,
        column_spec="conflict_id:int year:int gwno_a:int gwno_a_2nd:int gwno_b:int gwno_b_2nd:int "
        "incompatibility:str intensity_level:int type_of_conflict:str start_date:date "
        "start_prec:int start_date2:date start_prec2:int ep_end:int ep_end_date:date",
        notes="Secondary participants (gwno_a_2nd, gwno_b_2nd) keep only the first listed state.",
    ),
    _ps(
        "ucdp_onsets",
        title="UCDP armed conflict onsets",
        description="Counts of new conflicts and onsets after 1, 2, 3, 5 and 10 years of peace.",
        unit="state-year (GW)",
        keys=("gwcode", "year"),
        years=(1946, 2017),
        citations=("gleditsch2002ucdp",),
        rows=10142,
        column_spec="gwcode:int year:int sumnewconf:int sumonset1:int sumonset2:int sumonset3:int "
        "sumonset5:int sumonset10:int",
    ),
    # -- regimes, society ------------------------------------------------------------------
    _ps(
        "ccode_democracy",
        title="Democracy scores (V-Dem polyarchy, Polity2, extended UDS), COW states",
        description="Electoral democracy (V-Dem v2x_polyarchy, 0-1), Polity2 (-10 to 10) and "
        "Marquez's extended Unified Democracy Score.",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1816, 2020),
        citations=("coppedge2021vdem", "marshall2017polity", "pemstein2010uds", "marquez2016uds"),
        rows=16731,
        column_spec="ccode:int year:int v2x_polyarchy:float polity2:int xm_qudsest:float",
    ),
    _ps(
        "gwcode_democracy",
        title="Democracy scores (V-Dem polyarchy, Polity2, extended UDS), GW states",
        description="As ccode_democracy, for Gleditsch-Ward states.",
        unit="state-year (GW)",
        keys=("gwcode", "year"),
        years=(1816, 2020),
        citations=("coppedge2021vdem", "marshall2017polity", "pemstein2010uds", "marquez2016uds"),
        rows=18289,
        column_spec="gwcode:int year:int v2x_polyarchy:float polity2:int xm_qudsest:float",
    ),
    _ps(
        "creg",
        title="Composition of Religious and Ethnic Groups (CREG) fractionalization",
        description="Ethnic and religious fractionalization and polarization.",
        unit="state-year",
        keys=("ccode", "year"),
        years=(1945, 2013),
        citations=("nardulli2012creg",),
        rows=11523,
        column_spec="ccode:int gwcode:int creg_ccode:int year:int ethfrac:float ethpol:float "
        "relfrac:float relpol:float",
        unique_keys=False,
    ),
    _ps(
        "hief",
        title="Historical Index of Ethnic Fractionalization",
        description="Ethnic fractionalization index.",
        unit="state-year",
        keys=("ccode", "year"),
        years=(1945, 2013),
        citations=("drazanova2020hief",),
        rows=8808,
        column_spec="ccode:int gwcode:int year:int efindex:float",
        unique_keys=False,
    ),
    # -- leaders ----------------------------------------------------------------------------
    _ps(
        "archigos",
        title="Archigos political leaders (v4.1)",
        description="Effective leaders of states with dates and manner of entry and exit.",
        unit="leader spell",
        keys=("obsid",),
        years=(1875, 2015),
        citations=("goemans2009archigos",),
        rows=3409,
        column_spec="obsid:str gwcode:int leadid:str leader:str yrborn:int gender:str "
        "startdate:date enddate:date entry:str exit:str exitcode:str",
    ),
    _ps(
        "archigossums",
        title="Archigos leader transitions, state-years",
        description="Whether a state had a leader transition (and an irregular one) in a year, "
        "and how many leaders held office.",
        unit="state-year (GW)",
        keys=("gwcode", "year"),
        years=(1870, 2015),
        citations=("goemans2009archigos",),
        rows=14407,
        column_spec="gwcode:int year:int leadertransition:int irregular:int n_leaders:int "
        "jan1obsid:str dec31obsid:str",
    ),
    _ps(
        "leader_codes",
        title="Leader identifier crosswalk",
        description="Archigos observation ids matched to other leader datasets' identifiers.",
        unit="leader spell",
        keys=("obsid",),
        years=None,
        citations=("goemans2009archigos",),
        rows=3409,
        column_spec="obsid:str leadid:str leadid29:str leaderid:str",
    ),
    _src(
        "lead",
        "peacesciencer/LEAD.rda",
        object_name="LEAD",
        license=PS_LICENSE,
        title="Leader Experience and Attribute Descriptions (LEAD)",
        description="Leaders' background: education, military service, combat, rebellion, "
        "experience, health.",
        unit="leader spell",
        keys=("obsid",),
        years=None,
        citations=("ellis2015lead", "miller2022peacesciencer"),
        rows=3409,
        column_spec="obsid:str leveledu:int milservice:int combat:int rebel:int warwin:int "
        "warloss:int rebelwin:int rebelloss:int yrsexper:int physhealth:int mentalhealth:int",
    ),
    _ps(
        "lwuf",
        title="Leaders' willingness to use force",
        description="Latent estimates of leaders' willingness to use force (four models).",
        unit="leader spell",
        keys=("obsid",),
        years=None,
        citations=("carter2020lwuf",),
        rows=3409,
        column_spec="obsid:str theta1_mean:float theta1_sd:float theta2_mean:float "
        "theta2_sd:float theta3_mean:float theta3_sd:float theta4_mean:float theta4_sd:float",
    ),
    # -- UN General Assembly votes ------------------------------------------------------------
    _src(
        "un_votes",
        "unvotes/un_votes.rda",
        license="MIT (unvotes R package); data CC0 (Voeten et al., Harvard Dataverse)",
        version="unvotes 0.3.0",
        title="UN General Assembly roll-call votes",
        description="How each country voted (yes, abstain, no) on each roll call. Absences and "
        "non-members are not rows.",
        unit="country-roll call",
        keys=("rcid", "country"),
        years=(1946, 2019),
        citations=("voeten2009unvotes", "robinson2021unvotes"),
        rows=869937,
        column_spec="rcid:int country:str country_code:str vote:str",
        notes="country_code is ISO 3166 alpha-2; it is null for the Yemen Arab Republic, the "
        "Federal Republic of Germany and Zanzibar.",
    ),
    _src(
        "un_roll_calls",
        "unvotes/un_roll_calls.rda",
        license="MIT (unvotes R package); data CC0 (Voeten et al., Harvard Dataverse)",
        version="unvotes 0.3.0",
        title="UN General Assembly roll calls",
        description="One row per roll call: session, date, resolution, whether it is an "
        "'important vote' in the US State Department's reports, and a description.",
        unit="roll call",
        keys=("rcid",),
        years=(1946, 2019),
        citations=("voeten2009unvotes", "robinson2021unvotes"),
        rows=6202,
        column_spec="rcid:int session:int importantvote:int date:date unres:str amend:int "
        "para:int short:str descr:str",
    ),
    _src(
        "un_roll_call_issues",
        "unvotes/un_roll_call_issues.rda",
        license="MIT (unvotes R package); data CC0 (Voeten et al., Harvard Dataverse)",
        version="unvotes 0.3.0",
        title="Issue areas of UN General Assembly roll calls",
        description="Six issue codes: me (Palestinian conflict), nu (nuclear weapons), di (arms "
        "control and disarmament), hr (human rights), co (colonialism), ec (economic development).",
        unit="roll call-issue",
        keys=("rcid", "short_name"),
        years=(1946, 2019),
        citations=("voeten2009unvotes", "robinson2021unvotes"),
        rows=5745,
        column_spec="rcid:int short_name:str issue:str",
    ),
    # -- US forces abroad, exercises --------------------------------------------------------
    _src(
        "us_troops",
        "troopdata/troopdata-rebuild-country-year.csv",
        license="GPL (>= 3) (troopdata R package)",
        title="US military personnel stationed abroad (troopdata rebuild)",
        description="US active-duty troops by service, reserves and civilians in each host "
        "country and year.",
        unit="host country-year",
        keys=("ccode", "year"),
        years=(1950, 2024),
        citations=("allen2022troops", "kane2004troops", "flynn2024troopdata"),
        rows=13135,
        column_spec="countryname:str year:int ccode:int iso3c:str region:str troops_ad:int "
        "army_ad:int navy_ad:int air_force_ad:int marine_corps_ad:int coast_guard_ad:int "
        "space_force_ad:int army_national_guard:int air_national_guard:int army_reserve:int "
        "navy_reserve:int marine_corps_reserve:int air_force_reserve:int coast_guard_reserve:int "
        "total_selected_reserve:int army_civilian:int navy_civilian:int marine_corps_civilian:int "
        "air_force_civilian:int dod_civilian:int total_civilian:int",
        unique_keys=False,
    ),
    _src(
        "us_bases",
        "troopdata/basedata.csv",
        encoding="latin-1",
        license="GPL (>= 3) (troopdata R package)",
        title="US military bases and sites abroad",
        description="US bases, 'lily pad' sites and US-funded sites by host country, with "
        "coordinates.",
        unit="site",
        keys=("ccode",),
        years=None,
        citations=("vine2015basenation", "allen2022troops", "flynn2024troopdata"),
        rows=414,
        column_spec="countryname:str ccode:int iso3c:str basename:str lat:float lon:float "
        "base:int lilypad:int fundedsite:int",
        unique_keys=False,
        notes="Latin-1 encoded; sites carry no dates (a snapshot, not a panel).",
    ),
    _src(
        "mme_exercises",
        "troopdata/mme_v7.csv",
        license="GPL (>= 3) (troopdata R package); cite Kuo and Blankenship",
        version="MME v7 (troopdata@3946bcf)",
        title="Multinational Military Exercises (MME v7)",
        description="Multinational military exercises with dates, location, type and up to 39 "
        "participating states (by name).",
        unit="exercise",
        keys=("mme_id",),
        years=(1980, 2010),
        citations=("kuo2022mme", "flynn2024troopdata"),
        rows=3707,
        column_spec="MMEID>mme_id:str Ex_Name>exercise_name:str Series_Name>series_name:str "
        "Location>location:str lat:float lon:float StartDate>start_date_raw:str "
        "s.year>start_year:int s.month>start_month:int s.day>start_day:intx "
        "EndDate>end_date_raw:str e.year>end_year:int e.month>end_month:int e.day>end_day:intx "
        "CPX>cpx:int Air>air:int Land>land:int Sea>sea:int Amphibious>amphibious:int "
        "Cyber>cyber:int Warfighting>warfighting:int Peacekeeping>peacekeeping:int "
        "Humanitarian>humanitarian:int FocusDescription>focus_description:str "
        "AdditionalParticipantInfo>additional_participant_info:str "
        + " ".join(
            f"State{s}>state_{s.lower()}:str"
            for s in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *(f"A{c}" for c in "ABCDEFGHIJKLM")]
        ),
        notes="Days recorded as 'xx' (unknown) are null in start_day/end_day; participants are "
        "state names, resolved to COW codes by the panel add-on.",
        unique_keys=False,
    ),
    *VOTING_SOURCES,
    UNGD_SPEECHES,  # UN General Debate Corpus (allyscope.sources.ungd)
)

_CATALOG += current.SOURCES  # state system to 2024, troops, leaders, DCAD, SIPRI, USGS

SOURCES: dict[str, Source] = {s.name: s for s in _CATALOG}


def get(name: str) -> Source:
    """The declaration of source ``name``; unknown names raise with suggestions."""
    try:
        return SOURCES[name]
    except KeyError:
        raise UnknownSourceError(name, SOURCES) from None


def names() -> list[str]:
    return list(SOURCES)


@cache
def _bib_entries() -> dict[str, str]:
    text = resources.files("allyscope.sources").joinpath("citations.bib").read_text("utf-8")
    entries: dict[str, str] = {}
    for m in re.finditer(r"@\w+\{([^,]+),.*?\n\}", text, flags=re.S):
        entries[m.group(1).strip()] = m.group(0)
    return entries


def bibtex(keys: tuple[str, ...] | list[str]) -> str:
    """BibTeX for ``keys`` (in order, without repeats)."""
    entries = _bib_entries()
    return "\n\n".join(entries[k] for k in dict.fromkeys(keys)) + "\n"


def markdown_row(s: Source) -> str:
    """One source as a row of the Markdown table in docs/data.md."""
    years = f"{s.years[0]}–{s.years[1]}" if s.years else "—"
    cites = ", ".join(k for k in s.citations if k != "miller2022peacesciencer") or "peacesciencer"
    return f"| `{s.name}` | `{s.file}` | {s.unit} | {years} | {s.rows:,} | {cites} |"


def markdown_table(names: list[str] | None = None) -> str:
    """The catalog (or the sources ``names``) as a Markdown table (used for docs/data.md)."""
    lines = [
        "| source | file | unit | years | rows | cite |",
        "|---|---|---|---|---:|---|",
    ]
    for s in SOURCES.values() if names is None else (get(n) for n in names):
        lines.append(markdown_row(s))
    return "\n".join(lines) + "\n"
