"""A small synthetic world, written in the upstream files' own formats and built into a
warehouse through the same loaders and checks as the published data.

The world is declared in ``tests/fixtures/``: ``states.csv`` (a dozen states with their
membership spells, capitals, UN entry year, a bloc and a position on one voting
dimension), ``treaties.csv`` (directed alliance obligations, ATOP style) and
``exercises.csv`` (joint exercises, MME style). Everything else -- roll calls and votes,
capabilities, distances, IGOs, disputes, leaders, troops -- is derived from those
declarations by fixed rules below, without random numbers, so the files are the same on
every machine and with every library version.

``write_world(raw_dir)`` writes one file per catalog source (``.rda`` through pyreadr, CSV
as upstream) and returns the declarations with this world's checksums and row counts;
``build_world(home)`` also builds ``<home>/warehouse.duckdb`` with :func:`store.build`.
Run ``python tests/synthetic.py DIR`` to look at the files.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
YEARS = (1946, 2018)  #: the span of the yearly tables
UN_YEARS = (1946, 2019)
ROLL_CALLS_PER_YEAR = 6
ISSUES = ("me", "nu", "di", "hr", "co", "ec")
GW_OF = {}  #: COW and GW codes agree for every state of this world


#: troopdata's personnel columns besides active-duty troops (zero in the synthetic world)
TROOP_COLUMNS = (
    "army_ad",
    "navy_ad",
    "air_force_ad",
    "marine_corps_ad",
    "coast_guard_ad",
    "space_force_ad",
    "army_national_guard",
    "air_national_guard",
    "army_reserve",
    "navy_reserve",
    "marine_corps_reserve",
    "air_force_reserve",
    "coast_guard_reserve",
    "total_selected_reserve",
    "army_civilian",
    "navy_civilian",
    "marine_corps_civilian",
    "air_force_civilian",
    "dod_civilian",
    "total_civilian",
)


def _read(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _unit(*parts: object) -> float:
    """A fixed pseudo-random number in [0, 1) for ``parts`` (the same everywhere)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclasses.dataclass(frozen=True)
class State:
    ccode: int
    abb: str
    name: str
    spells: tuple[tuple[int, int], ...]
    capital: str
    lat: float
    lng: float
    bloc: str
    position: float
    cinc: float
    region: str
    polity: int
    un_from: int

    def alive(self, year: int) -> bool:
        return any(a <= year <= b for a, b in self.spells)

    def alive_or_later(self, year: int) -> bool:
        """Alive in ``year`` by the COW list, which the yearly tables extend past 2016."""
        return self.alive(min(year, 2016))


def states() -> list[State]:
    out: dict[int, State] = {}
    for r in _read("states.csv"):
        c = int(r["ccode"])
        spell = (int(r["styear"]), int(r["endyear"]))
        if c in out:
            out[c] = dataclasses.replace(out[c], spells=(*out[c].spells, spell))
            continue
        out[c] = State(
            c,
            r["stateabb"],
            r["name"],
            (spell,),
            r["capital"],
            float(r["lat"]),
            float(r["lng"]),
            r["bloc"],
            float(r["position"]),
            float(r["cinc"]),
            r["region"],
            int(r["polity"]),
            int(r["un_from"]),
        )
    return sorted(out.values(), key=lambda s: s.ccode)


def position(s: State, year: int) -> float:
    """The state's position on the voting dimension: the eastern bloc moves toward the
    centre after the Cold War."""
    return s.position + (0.6 if s.bloc == "east" and year >= 1992 else 0.0)


def _years(a: int = YEARS[0], b: int = YEARS[1]) -> range:
    return range(a, b + 1)


def _pairs(ss: list[State]) -> list[tuple[State, State]]:
    return [(a, b) for i, a in enumerate(ss) for b in ss[i + 1 :]]


def _km(a: State, b: State) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dl = math.radians(b.lng - a.lng)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371 * math.asin(math.sqrt(h)), 1)


#: land (1) and sea (2-5) borders of this world, with the year they start
CONTIGUITY = {(365, 710): 1, (710, 731): 1, (731, 732): 1, (365, 731): 1, (710, 750): 1}
SEA = {(2, 40): 4, (732, 740): 4, (365, 740): 4, (2, 365): 4}


# -- the tables, one function per source ------------------------------------------------


def tables() -> dict[str, list[dict[str, Any]]]:  # noqa: C901, PLR0912, PLR0915
    ss = states()
    alive = {s.ccode: s for s in ss}
    t: dict[str, list[dict[str, Any]]] = {}
    d = dt.date

    t["cow_states"] = [
        {
            "stateabb": s.abb,
            "ccode": s.ccode,
            "statenme": s.name,
            "styear": a,
            "stmonth": 1,
            "stday": 1,
            "endyear": b,
            "endmonth": 12,
            "endday": 31,
            "version": 2016,
        }
        for s in ss
        for a, b in s.spells
    ]
    t["gw_states"] = [
        {
            "gwcode": s.ccode,
            "stateabb": s.abb,
            "statename": s.name,
            "startdate": d(a, 1, 1),
            "enddate": d(b + 1 if b == 2016 else b, 12, 31),
        }
        for s in ss
        for a, b in s.spells
    ]
    cgy = [
        {
            "stateabb": s.abb,
            "year": y,
            "gwcode": s.ccode,
            "ccode": s.ccode,
            "gw_statename": s.name,
            "cow_statename": s.name,
        }
        for s in ss
        for y in _years(YEARS[0], 2020)
        if s.alive_or_later(y)
    ]
    t["cow_gw_years"] = cgy
    t["gw_cow_years"] = [
        {k: r[k] for k in ("gwcode", "stateabb", "gw_statename", "ccode", "cow_statename", "year")}
        for r in cgy
    ]
    majors = [(2, 1898, 2016), (200, 1816, 2016), (365, 1922, 2016), (710, 1950, 2016)]
    majors.append((740, 1991, 2016))
    t["cow_majors"] = [
        {
            "ccode": c,
            "styear": a,
            "stmonth": 1,
            "stday": 1,
            "endyear": b,
            "endmonth": 12,
            "endday": 31,
            "version": 2016,
        }
        for c, a, b in majors
    ]
    t["maoz_powers"] = [
        {
            "ccode": c,
            "regstdate": d(a, 1, 1),
            "regenddate": d(b, 12, 31),
            "globstdate": d(a, 1, 1) if c in (2, 365) else None,
            "globenddate": d(b, 12, 31) if c in (2, 365) else None,
        }
        for c, a, b in majors
    ]
    # a dyad the state list shows in one year although its members never met on a day
    t["false_cow_dyads"] = [{"ccode1": 732, "ccode2": 740, "year": 1949, "in_ps": 0}]
    t["false_gw_dyads"] = [
        {
            "gwcode1": 732,
            "gwcode2": 740,
            "year": 1949,
            "microstate1": 0,
            "microstate2": 0,
            "in_ps": 0,
        }
    ]
    t["cow_capitals"] = [
        {
            "ccode": s.ccode,
            "statenme": s.name,
            "capital": s.capital,
            "stdate": d(s.spells[0][0], 1, 1),
            "enddate": d(2016, 12, 31),
            "lat": s.lat,
            "lng": s.lng,
        }
        for s in ss
    ]
    t["gw_capitals"] = [
        {("gwcode" if k == "ccode" else k): v for k, v in r.items()} for r in t["cow_capitals"]
    ]

    # alliances: every directed dyad-year with an obligation
    atop: dict[tuple[int, int, int], dict[str, int]] = {}
    for r in _read("treaties.csv"):
        a, b = int(r["ccode1"]), int(r["ccode2"])
        for y in _years(int(r["start"]), int(r["end"])):
            if not (alive[a].alive_or_later(y) and alive[b].alive_or_later(y)):
                continue
            row = atop.setdefault(
                (a, b, y),
                {"atop_defense": 0, "atop_offense": 0, "atop_neutral": 0, "atop_nonagg": 0},
            )
            row.setdefault("atop_consul", 0)
            for k in ("defense", "offense", "neutral", "nonagg", "consul"):
                row[f"atop_{k}"] = max(row[f"atop_{k}"], int(r[k]))
    t["atop_alliance"] = [
        {"ccode1": a, "ccode2": b, "year": y, **v} for (a, b, y), v in sorted(atop.items())
    ]
    t["cow_alliance"] = [
        {
            "ccode1": a,
            "ccode2": b,
            "year": y,
            "cow_defense": v["atop_defense"],
            "cow_neutral": v["atop_neutral"],
            "cow_nonagg": max(v["atop_nonagg"], v["atop_defense"]),
            "cow_entente": max(v["atop_consul"], v["atop_defense"]),
        }
        for (a, b, y), v in sorted(atop.items())
        if y <= 2012
    ]

    # state-years
    def sy(first: int, last: int) -> list[tuple[State, int]]:
        return [(s, y) for s in ss for y in _years(first, last) if s.alive_or_later(y)]

    t["cow_nmc"] = [
        {
            "ccode": s.ccode,
            "year": y,
            "milex": int(1e6 * s.cinc * (1 + (y - 1946) / 50)),
            "milper": int(5000 * s.cinc),
            "irst": int(2e5 * s.cinc),
            "pec": int(1e6 * s.cinc),
            "tpop": round(1e6 * s.cinc, 1),
            "upop": round(4e5 * s.cinc, 1),
            "cinc": s.cinc,
        }
        for s, y in sy(1946, 2016)
    ]
    for name, code in (("cow_sdp_gdp", "ccode"), ("gw_sdp_gdp", "gwcode")):
        t[name] = [
            {
                code: s.ccode,
                "year": y,
                "wbgdp2011est": round(25 + 3 * s.cinc + 0.02 * (y - 1946), 4),
                "wbpopest": round(16 + 2 * s.cinc, 4),
                "sdpest": round(24 + 3 * s.cinc, 4),
                "wbgdppc2011est": round(8 + s.position / 10 + 0.01 * (y - 1946), 4),
            }
            for s, y in sy(1946, 2015)
        ]
    t["cow_trade_sy"] = [
        {
            "ccode": s.ccode,
            "year": y,
            "imports": round(1000 * s.cinc * (y - 1940), 2),
            "exports": round(900 * s.cinc * (y - 1940), 2),
        }
        for s, y in sy(1946, 2014)
    ]
    t["cow_contdir"] = [
        {
            "ccode1": x,
            "ccode2": z,
            "conttype": ct,
            "stdate": d(max(alive[a].spells[-1][0], alive[b].spells[-1][0]), 1, 1),
            "enddate": d(2016, 12, 31),
        }
        for (a, b), ct in sorted({**CONTIGUITY, **SEA}.items())
        for x, z in ((a, b), (b, a))
    ]
    for name, c1, c2 in (("cow_mindist", "ccode1", "ccode2"), ("gw_mindist", "gwcode1", "gwcode2")):
        t[name] = [
            {
                c1: a.ccode,
                c2: b.ccode,
                "year": y,
                "mindist": 0.0 if (a.ccode, b.ccode) in CONTIGUITY else _km(a, b) / 2,
            }
            for a, b in _pairs(ss)
            for y in _years(1946, 2019)
            if a.alive_or_later(y) and b.alive_or_later(y)
        ]
    t["cow_igo_ndy"] = [
        {
            "ccode1": a.ccode,
            "ccode2": b.ccode,
            "year": y,
            "dyadigos": (40 if a.bloc == b.bloc else 20) + (y - 1946) // 4,
        }
        for a, b in _pairs(ss)
        for y in _years(1946, 2014)
        if a.alive(y) and b.alive(y)
    ]
    t["cow_igo_sy"] = [
        {
            "ccode": s.ccode,
            "year": y,
            "sum_igo_full": 30 + (y - 1946) // 2,
            "sum_igo_associate": 2,
            "sum_igo_observer": 1,
            "sum_igo_anytype": 33 + (y - 1946) // 2,
        }
        for s, y in sy(1946, 2014)
        if s.alive(y)
    ]

    # disputes and war: the Korean War (USA and ROK against PRK and CHN, 1950-1953)
    # and a 1996 USA-CHN crisis
    mids = [(1, 1950, 1953, (2, 732), (731, 710), 5), (2, 1996, 1996, (2,), (710,), 3)]
    for prefix, table in (("cow", "cow_mid"), ("gml", "gml_mid")):
        dd, disps = [], []
        for num, y0, y1, side_a, side_b, host in mids:
            disps.append(
                {
                    "dispnum": num,
                    "styear": y0,
                    "stmon": 6,
                    "outcome": 5,
                    "settle": 3,
                    "fatality": 6 if host == 5 else 0,
                    "mindur": 365 * (y1 - y0 + 1),
                    "maxdur": 365 * (y1 - y0 + 1),
                    "hiact": 20 if host == 5 else 7,
                    "hostlev": host,
                    "recip": 1,
                }
            )
            for y in _years(y0, y1):
                for a in side_a + side_b:
                    for b in side_a + side_b:
                        if (a in side_a) == (b in side_a):
                            continue
                        row = {
                            "dispnum": num,
                            "ccode1": a,
                            "ccode2": b,
                            "year": y,
                            f"{prefix}midongoing": 1,
                            f"{prefix}midonset": int(y == y0),
                            "sidea1": int(a in side_a),
                            "sidea2": int(b in side_a),
                            "fatality1": 6 if host == 5 else 0,
                            "fatality2": 6 if host == 5 else 0,
                            "fatalpre1": 0,
                            "fatalpre2": 0,
                            "hiact1": 20 if host == 5 else 7,
                            "hiact2": 20 if host == 5 else 7,
                            "hostlev1": host,
                            "hostlev2": host,
                            "orig1": 1,
                            "orig2": 1,
                            "fatality": 6 if host == 5 else 0,
                            "hostlev": host,
                            "mindur": 365,
                            "maxdur": 365,
                            "recip": 1,
                            "stmon": 6,
                        }
                        dd.append(row)
        t[f"{table}_ddydisps"] = dd
        t[f"{table}_disps"] = disps
    t["gml_part"] = [
        {
            "dispnum": num,
            "ccode": c,
            "styear": y0,
            "stmon": 6,
            "stday": 25,
            "endyear": y1,
            "endmon": 7,
            "endday": 27,
            "obsid_start": f"{alive[c].abb}-{y0}",
            "obsid_end": f"{alive[c].abb}-{y1}",
            "dummy_stday": 0,
            "dummy_endday": 0,
            "sidea": int(c in side_a),
            "hiact": 20 if host == 5 else 7,
            "orig": 1,
            "anymiss_leader_start": 0,
            "anymiss_leader_end": 0,
            "allmiss_leader_start": 0,
            "allmiss_leader_end": 0,
        }
        for num, y0, y1, side_a, side_b, host in mids
        for c in side_a + side_b
    ]
    t["cow_war_inter"] = [
        {
            "warnum": 151,
            "ccode1": a,
            "ccode2": b,
            "year": y,
            "cowinterongoing": 1,
            "cowinteronset": int(y == 1950),
            "sidea1": int(a in (2, 732)),
            "sidea2": int(b in (2, 732)),
            "initiator1": int(a == 731),
            "initiator2": int(b == 731),
            "outcome1": 4,
            "outcome2": 4,
            "batdeath1": 10000,
            "batdeath2": 10000,
            "resume": 0,
        }
        for y in _years(1950, 1953)
        for a in (2, 732, 731, 710)
        for b in (2, 732, 731, 710)
        if (a in (2, 732)) != (b in (2, 732))
    ]
    rivals = [(2, 365, 1946, 1989), (2, 710, 1949, 2010), (710, 750, 1948, 2010)]
    rivals += [(731, 732, 1948, 2010), (710, 740, 1996, 2010)]
    t["td_rivalries"] = [
        {
            "rivalryno": i + 1,
            "rivalryname": f"{alive[a].name}-{alive[b].name}",
            "ccode1": a,
            "ccode2": b,
            "styear": y0,
            "endyear": y1,
            "region": "global" if a == 2 else "asia",
            "type1": "positional",
            "type2": "spatial" if a != 2 else "",
            "type3": "",
        }
        for i, (a, b, y0, y1) in enumerate(rivals)
    ]
    t["tss_rivalries"] = [
        {
            "tssr_id": i + 1,
            "rivalry": f"{alive[a].name}-{alive[b].name}",
            "ccode1": a,
            "ccode2": b,
            "start": y0,
            "end": min(y1 + 10, 2020) if (a, b) != (2, 365) else y1,
            "positional": 1,
            "spatial": int(a != 2),
            "ideological": int(a == 2),
            "interventionary": 0,
            "principal": 1,
            "aprin": 0,
        }
        for i, (a, b, y0, y1) in enumerate(rivals)
    ]
    t["grh_arms_races"] = [
        {"race_id": 1, "ccode1": 2, "ccode2": 365, "styear": 1946, "endyear": 1988}
    ]
    t["terrthreat"] = [
        {
            "ccode": s.ccode,
            "year": y,
            "lterrthreat": round(s.position / 3, 4),
            "sd": 0.1,
            "lwr": round(s.position / 3 - 0.2, 4),
            "upr": round(s.position / 3 + 0.2, 4),
            "m_lterrthreat": round(s.position / 3, 4),
            "m_sd": 0.1,
            "m_lwr": round(s.position / 3 - 0.2, 4),
            "m_upr": round(s.position / 3 + 0.2, 4),
        }
        for s, y in sy(1946, 2010)
    ]
    t["ucdp_acd"] = [
        {
            "conflict_id": 200,
            "year": y,
            "gwno_a": 732,
            "gwno_a_2nd": 2,
            "gwno_b": 731,
            "gwno_b_2nd": 710,
            "incompatibility": "2",
            "intensity_level": 2,
            "type_of_conflict": "2",
            "start_date": d(1950, 6, 25),
            "start_prec": 1,
            "start_date2": d(1950, 6, 25),
            "start_prec2": 1,
            "ep_end": int(y == 1953),
            "ep_end_date": d(1953, 7, 27) if y == 1953 else None,
        }
        for y in _years(1950, 1953)
    ]
    t["ucdp_onsets"] = [
        {
            "gwcode": s.ccode,
            "year": y,
            "sumnewconf": int(s.ccode in (731, 732) and y == 1950),
            "sumonset1": int(s.ccode in (731, 732) and y == 1950),
            "sumonset2": 0,
            "sumonset3": 0,
            "sumonset5": 0,
            "sumonset10": 0,
        }
        for s, y in sy(1946, 2017)
    ]
    for name, code in (("ccode_democracy", "ccode"), ("gwcode_democracy", "gwcode")):
        t[name] = [
            {
                code: s.ccode,
                "year": y,
                "v2x_polyarchy": round((s.polity + 10) / 21, 4),
                "polity2": s.polity,
                "xm_qudsest": round(s.polity / 8, 4),
            }
            for s, y in sy(1946, 2020)
        ]
    t["creg"] = [
        {
            "ccode": s.ccode,
            "gwcode": s.ccode,
            "creg_ccode": s.ccode,
            "year": y,
            "ethfrac": 0.3,
            "ethpol": 0.5,
            "relfrac": 0.2,
            "relpol": 0.4,
        }
        for s, y in sy(1946, 2013)
    ]
    t["hief"] = [
        {"ccode": s.ccode, "gwcode": s.ccode, "year": y, "efindex": 0.3} for s, y in sy(1946, 2013)
    ]

    # leaders: one per state and decade
    leaders = []
    for s in ss:
        for y0 in range(1946, 2016, 10):
            if s.alive_or_later(y0):
                leaders.append((s, y0, min(y0 + 9, 2015)))
    t["archigos"] = [
        {
            "obsid": f"{s.abb}-{y0}",
            "gwcode": s.ccode,
            "leadid": f"L{s.ccode}-{y0}",
            "leader": f"Leader {s.abb} {y0}",
            "yrborn": y0 - 55,
            "gender": "M",
            "startdate": d(y0, 1, 1),
            "enddate": d(y1, 12, 31),
            "entry": "Regular",
            "exit": "Regular",
            "exitcode": "Regular",
        }
        for s, y0, y1 in leaders
    ]
    t["archigossums"] = [
        {
            "gwcode": s.ccode,
            "year": y,
            "leadertransition": int(y % 10 == 6),
            "irregular": 0,
            "n_leaders": 1 + int(y % 10 == 6),
            "jan1obsid": f"{s.abb}-{y - (y - 1946) % 10}",
            "dec31obsid": f"{s.abb}-{y - (y - 1946) % 10}",
        }
        for s, y in sy(1946, 2015)
    ]
    t["leader_codes"] = [
        {"obsid": r["obsid"], "leadid": r["leadid"], "leadid29": r["leadid"], "leaderid": "x"}
        for r in t["archigos"]
    ]
    t["lead"] = [
        {
            "obsid": r["obsid"],
            **dict.fromkeys(
                (
                    "leveledu",
                    "milservice",
                    "combat",
                    "rebel",
                    "warwin",
                    "warloss",
                    "rebelwin",
                    "rebelloss",
                    "yrsexper",
                    "physhealth",
                    "mentalhealth",
                ),
                0,
            ),
        }
        for r in t["archigos"]
    ]
    t["lwuf"] = [
        {
            "obsid": r["obsid"],
            **{f"theta{i}_{k}": 0.0 for i in (1, 2, 3, 4) for k in ("mean", "sd")},
        }
        for r in t["archigos"]
    ]

    t.update(_un_tables(ss))
    t.update(_voting_tables(ss, t["un_roll_calls"], t["un_votes"]))

    # US troops abroad (and at home) and bases
    troops = {740: 45000, 732: 37000, 200: 20000, 840: 9000, 900: 1000, 666: 100}
    t["us_troops"] = [
        {
            "countryname": s.name,
            "year": y,
            "ccode": s.ccode,
            "iso3c": s.abb,
            "region": s.region,
            "troops_ad": (
                1_000_000
                if s.ccode == 2
                else (0 if s.ccode == 840 and y > 1992 else troops.get(s.ccode, 0))
            ),
            **dict.fromkeys(TROOP_COLUMNS, 0),
        }
        for s in ss
        for y in _years(1950, 2024)
        if s.alive_or_later(y)
    ]
    t["us_bases"] = [
        {
            "countryname": alive[c].name,
            "ccode": c,
            "iso3c": alive[c].abb,
            "basename": f"Base {i}",
            "lat": alive[c].lat,
            "lon": alive[c].lng,
            "base": 1,
            "lilypad": 0,
            "fundedsite": 0,
        }
        for i, c in enumerate((740, 740, 732, 200, 900))
    ]
    t["mme_exercises"] = _exercises()
    t["ungd_speeches"] = [
        {"iso3": iso, "session": 77, "year": 2022, "speaker": who, "post": post, "text": text}
        for iso, who, post, text in (
            ("USA", "A. Speaker", "President", "Russia invaded Ukraine. We stand with Japan.\n"),
            ("JPN", "B. Speaker", "Prime Minister", "North Korea launched missiles again.\n"),
            ("KOR", None, None, "The Republic of Korea works with Japan and the United States.\n"),
        )
    ]
    t.update(_current_tables(ss, t))
    return t


def _current_tables(
    ss: list[State], t: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The sources that run past 2016: the state lists to 2024 (COW) and 2020 (GW), the
    crosswalks and democracy scores to 2025, quarterly troops, REIGN leaders and
    elections, defense cooperation agreements, arms transfers and critical minerals."""
    d = dt.date
    out: dict[str, list[dict[str, Any]]] = {}

    def end(b: int, last: int) -> int:  # states alive at the end of 2016 stay alive
        return last if b == 2016 else b

    def sy(first: int, last: int) -> list[tuple[State, int]]:
        return [(s, y) for s in ss for y in _years(first, last) if s.alive_or_later(y)]

    out["cow_states_v2024"] = [
        {**r, "endyear": end(r["endyear"], 2024), "version": 2024} for r in t["cow_states"]
    ]
    out["cow_system_v2024"] = [
        {"ccode": s.ccode, "stateabb": s.abb, "statenme": s.name, "year": y}
        for s in ss
        for a, b in s.spells
        for y in _years(a, end(b, 2024))
    ]
    out["gw_system_isard"] = [
        {
            "gwcode": s.ccode,
            "gw_abb": s.abb,
            "gw_name": s.name,
            "microstate": 0,
            "start": d(a, 1, 1),
            "end": d(end(b, 2020), 12, 31),
        }
        for s in ss
        for a, b in s.spells
    ]
    out["cow_system_isard"] = [
        {
            "ccode": s.ccode,
            "cw_abb": s.abb,
            "cw_name": s.name,
            "start": d(a, 1, 1),
            "end": d(b, 12, 31),
        }
        for s in ss
        for a, b in s.spells
    ]
    panel = [
        {
            "stateabb": s.abb,
            "year": y,
            "gwcode": s.ccode,
            "ccode": s.ccode,
            "gw_name": s.name,
            "cw_name": s.name,
        }
        for s, y in sy(YEARS[0], 2025)
    ]
    out["cow_gw_panel"] = panel
    out["gw_cow_panel"] = panel
    for name, code in (("cow_democracy_isard", "ccode"), ("gw_democracy_isard", "gwcode")):
        out[name] = [
            {
                code: s.ccode,
                "year": y,
                "euds": round(s.polity / 8, 4),
                "aeuds": round(s.polity / 8 - 0.3, 4),
                "polity2": s.polity if y <= 2018 else None,
                "v2x_polyarchy": round((s.polity + 10) / 21, 4),
            }
            for s, y in sy(1946, 2025)
        ]
    annual = {(r["ccode"], r["year"]): r["troops_ad"] for r in t["us_troops"]}
    months = {1: "March", 2: "June", 3: "September", 4: "December"}
    zero = dict.fromkeys((*TROOP_COLUMNS, "troops_all"), 0)
    out["us_troops_quarterly"] = [
        {
            "ccode": s.ccode,
            "iso3c": s.abb,
            "countryname": s.name,
            "year": y,
            "month": months[q],
            "quarter": q,
            "source": f"{months[q]} {y}",
            "troops_ad": annual.get((s.ccode, min(y, 2024)), 0),
            **zero,
            "year_quarter": y + q / 10,
            "region": s.region,
        }
        for s, y in sy(2013, 2025)
        for q in (1, 2, 3, 4)
    ]
    # REIGN: leaders in office from 2010, one change per state in 2017 (US also in 2021)
    reign = []
    for s in ss:
        if not s.alive_or_later(2016):
            continue
        reign.append((s, f"{s.abb}-r1", 2010, 2017))
        if s.ccode == 2:
            reign += [(s, f"{s.abb}-r2", 2017, 2021), (s, f"{s.abb}-r3", 2021, None)]
        else:
            reign.append((s, f"{s.abb}-r2", 2017, None))
    out["reign_leaders"] = [
        {
            "stateabb": s.abb,
            "ccode": s.ccode,
            "leadid": lid,
            "leader": f"Leader {lid}",
            "sdate": 20,
            "smonth": 1,
            "syear": a,
            "emonth": 1 if b else None,
            "eyear": b,
            "birthyear": a - 55,
            "gender": 1,
            "militarycareer": 0.0,
            "l_month": None,
            "l_year": None,
            "column_15": None,
            "column_16": None,
            "codedby": None,
            "notes": None,
        }
        for s, lid, a, b in reign
    ]
    out["reign_elections"] = [
        {
            "ccode": s.ccode,
            "electionnumber": 1,
            "country": s.name,
            "elec_year": 2016,
            "elec_month": 11,
            "elec_day": 8,
            "sequence": 1,
            "event": "Vote, As Scheduled",
            "elecnum": s.ccode * 1000 + 1,
            "type": "X",
            "direct": "Y",
            "regular": "Y",
            "victory": "N",
            "change": "Y",
            "runoff": "N",
        }
        for s in ss
        if s.alive_or_later(2016)
    ]
    out["dcad"] = [
        {
            "ccode1": a,
            "cowName1": "A",
            "ccode2": b,
            "cowName2": "B",
            "signDay": 1,
            "signMonth": 6,
            "signYear": y,
            "EIFDay": None,
            "EIFMonth": None,
            "EIFYear": None,
            "type": "general",
            "category1": "DCA",
            "category2": None,
            "category3": None,
            "span": None,
            "renewType": None,
            "renewYears": None,
            "terminated": 0,
            "durationActual": None,
            "endYearEstimate": 2010,
            "asymmetry": 1,
            "categoryConf": "high",
            "UNTS": None,
            "fullText": "Y",
            "sourceType": "treaty",
            "source": "UNTS",
            "factivaConf": None,
            "factivaSign": None,
            "factivaEIF": None,
            "DCAid": f"DCADv1.0-{i:04d}",
        }
        for i, (a, b, y) in enumerate(((2, 740, 1995), (2, 732, 2000), (200, 900, 2005)), 1)
    ]
    deals = [(740, "United States", "Japan", 2005, "2006; 2007", 200.0)]
    deals += [(732, "United States", "South Korea", 2010, "2012", 90.0)]
    deals += [(365, "Russia", "Cuba", 1990, "1991", 12.0)]
    out["sipri_arms"] = [
        {
            "Recipient": rec,
            "Supplier": sup,
            "Year_of_order": y,
            "column_4": False,
            "Number_ordered": 10,
            "column_6": False,
            "Weapon_designation": "X-1",
            "Weapon_description": "fighter aircraft",
            "Number_delivered": 10,
            "column_10": False,
            "Year_s_of_delivery": years,
            "status": "New",
            "Comments": None,
            "SIPRI_TIV_per_unit": tiv / 10,
            "SIPRI_TIV_for_total_order": tiv,
            "SIPRI_TIV_of_delivered_weapons": tiv,
        }
        for _c, sup, rec, y, years, tiv in deals
    ]
    world = [
        ("Rare earths", "China", 270000, "44000000"),
        ("Rare earths", "United States", 45000, "1900000"),
        ("Rare earths", "World total (rounded)", 390000, ">90000000"),
    ]
    out["usgs_world"] = [
        {
            "SOURCE": "MCS2025",
            "COMMODITY": c,
            "COUNTRY": country,
            "TYPE": "Mine production, rare-earth-oxide equivalent",
            "UNIT_MEAS": "metric tons",
            "PROD_2023": p,
            "PROD_EST_2024": p,
            "PROD_NOTES": None,
            "CAP_2023": None,
            "CAP_EST_2024": None,
            "CAP_NOTES": None,
            "RESERVES_2024": r,
            "RESERVE_NOTES": None,
        }
        for c, country, p, r in world
    ]
    labels = [c.raw for c in _source("usgs_world").columns if c.raw != "line"]
    out["usgs_world_fields"] = [
        {
            "entity": "MCS2025_World_Data.csv",
            "label": lab.replace("_EST_", "_EST_ "),
            "definition": f"the column {lab}",
            "definition_source": "Producer Defined",
            "unit": None,
        }
        for lab in labels
    ]
    out["usgs_net_import_reliance"] = [
        {
            "Source": "MCS2025",
            "Import_Share_Order": 1,
            "Commodity": "RARE EARTHS, compounds and metals",
            "Net_Import_Reliance_pct_2024": "80",
            "Major_Import_Sources_2020_2023": "China, Japan",
            "Notes": None,
        }
    ]
    out["usgs_import_sources"] = [
        {"Source": "MCS2024", "Country": "China", "Commodity_Count": 20, "Map_Class": "13 or more"}
    ]
    out["usgs_critical_minerals"] = [
        {
            "Source": "MCS2025",
            "Year": "2024_estimated",
            "Critical_mineral": "Rare earths (compounds and metals)",
            "Primary_prod": "45000",
            "Secondary_prod": None,
            "Prod_notes": None,
            "Apparent_Consumption": "6600",
            "Consumption_Notes": None,
            "Net_Import_Reliance": "80",
            "Primary_import_source": "China",
            "Import_source_notes": None,
            "Leading_source_country": "China",
            "Leading_country_prod": "270000",
            "Leading_source_precent_world": "69",
            "World_total_prod": "390000",
            "World_prod_notes": None,
        }
    ]
    return out


def _source(name: str) -> Any:
    from allyscope.sources import SOURCES

    return SOURCES[name]


def _un_tables(ss: list[State]) -> dict[str, list[dict[str, Any]]]:
    """Four roll calls a year; a state votes by its position on one dimension against the
    roll call's cut point, with a fixed small disturbance."""
    rcs, votes, issues = [], [], []
    rcid = 0
    for y in _years(*UN_YEARS):
        for k in range(ROLL_CALLS_PER_YEAR):
            rcid += 1
            cut = -1.2 + 2.4 * _unit("cut", rcid)
            side = 1 if _unit("side", rcid) < 0.5 else -1
            rcs.append(
                {
                    "rcid": rcid,
                    "session": y - 1945,
                    "importantvote": int(k == 0 and y >= 1983),
                    "date": dt.date(y, 2 + 2 * k, 15),
                    "unres": f"R/{y - 1945}/{k + 1}",
                    "amend": 0,
                    "para": 0,
                    "short": f"Resolution {k + 1} of {y}",
                    "descr": "A synthetic roll call.",
                }
            )
            if k < 4:
                issues.append(
                    {
                        "rcid": rcid,
                        "short_name": ISSUES[rcid % len(ISSUES)],
                        "issue": ISSUES[rcid % len(ISSUES)],
                    }
                )
            for s in ss:
                if y < s.un_from or not s.alive_or_later(y):
                    continue
                u = side * (position(s, y) - cut) + (_unit("vote", rcid, s.ccode) - 0.5) * 1.0
                vote = "yes" if u > 0.2 else ("no" if u < -0.2 else "abstain")
                votes.append(
                    {"rcid": rcid, "country": s.name, "country_code": _iso2(s), "vote": vote}
                )
    return {"un_votes": votes, "un_roll_calls": rcs, "un_roll_call_issues": issues}


#: the UN Digital Library's file continues the roll calls two years past unvotes
UNDL_LAST = 2021
_UNDL_CODES = {"yes": "Y", "no": "N", "abstain": "A"}


def _voting_tables(
    ss: list[State], un_rcs: list[dict[str, Any]], un_votes: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """The UN voting sources after unvotes: the Digital Library's wide file (one record per
    unvotes roll call of 2016-2019, with the same votes, then 2020-2021 by the same rule),
    Voeten's published positions (the declared ones, 2024 on a handful of votes) and the
    State Department's coincidence counts."""
    records, cells = _undl_records(ss, un_rcs, un_votes)
    _UNDL_WIDE[:] = [records, cells]
    words = {"Y": "yes", "N": "no", "A": "abstain"}
    out = {
        "undl_votes": [
            {"token": c["token"], "country": c["country"], "vote": words[c["code"]]} for c in cells
        ],
        "undl_roll_calls": records,
    }
    out.update(_voeten_tables(ss))
    out.update(_statedept_tables(ss))
    return out


def _undl_records(
    ss: list[State], un_rcs: list[dict[str, Any]], un_votes: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    records: list[dict[str, Any]] = []
    cells: list[dict[str, Any]] = []
    token = 900_000
    by_rcid: dict[int, list[dict[str, Any]]] = {}
    for v in un_votes:
        by_rcid.setdefault(v["rcid"], []).append(v)
    tail = " : resolution / adopted by the General Assembly"
    for rc in (r for r in un_rcs if r["date"].year >= 2016):
        token += 1
        symbol = "A/RES/" + rc["unres"].split("/", 1)[1]
        records.append(_record(token, rc["date"], rc["short"] + tail, symbol))
        cells += [
            {"token": token, "country": v["country"].upper(), "code": _UNDL_CODES[v["vote"]]}
            for v in by_rcid.get(rc["rcid"], [])
        ]
    for y in _years(UN_YEARS[1] + 1, UNDL_LAST):
        for k in range(ROLL_CALLS_PER_YEAR):
            token += 1
            title = "Nuclear disarmament" if k == 1 else f"Resolution {k + 1} of {y}"
            records.append(
                _record(token, dt.date(y, 2 + 2 * k, 15), title + tail, f"A/RES/{y - 1945}/{k + 1}")
            )
            cells += [
                {"token": token, "country": st.name.upper(), "code": _undl_vote(st, y, token)}
                for st in ss
                if y >= st.un_from and st.alive_or_later(y)
            ]
    return records, cells


def _record(token: int, date: dt.date, title: str, symbol: str) -> dict[str, Any]:
    return {
        "token": token,
        "council": "General Assembly",
        "date": date,
        "title": title,
        "resolution": symbol,
    }


def _undl_vote(st: State, y: int, token: int) -> str:
    """The rule of the unvotes roll calls: position against a cut point, small disturbance."""
    cut = -1.2 + 2.4 * _unit("cut", token)
    side = 1 if _unit("side", token) < 0.5 else -1
    u = side * (position(st, y) - cut) + (_unit("vote", token, st.ccode) - 0.5)
    return "Y" if u > 0.2 else ("N" if u < -0.2 else "A")


_QUANTILES = ((0, -0.6), (5, -0.3), (10, -0.2), (50, 0.0), (90, 0.2), (95, 0.3), (100, 0.6))


def _voeten_tables(ss: list[State]) -> dict[str, list[dict[str, Any]]]:
    voeten, jul, jun = [], [], []
    us = ss[0]
    for st in ss:
        for y in (y for y in _years(1946, 2025) if y >= st.un_from and st.alive_or_later(y)):
            x = round(position(st, y), 4)
            n = 6 if y == 2024 else 60 + int(10 * _unit("n", st.ccode, y))
            voeten.append(
                {
                    "ccode": st.ccode, "iso3c": st.abb, "Countryname": st.name, "year": y,
                    "NVotesFP": n, "IdealPointFP": x, "Q5%FP": x - 0.3, "Q10%FP": x - 0.2,
                    "Q50%FP": x, "Q90%FP": x + 0.2, "Q95%FP": x + 0.3,
                }
            )  # fmt: skip
            if y <= 2024:
                jul.append(
                    {
                        "ccode": st.ccode, "iso3c": st.abb, "countryname": st.name, "year": y,
                        "idealpointfp": x, "idealpointall": x, "idealpointlegacy": x,
                        "nvotesfp": n, "nvotesall": n + 10, "nvotesLegacy": n,
                        **{("qo" if q == 0 else f"q{q}") + v: x + d
                           for q, d in _QUANTILES for v in ("fp", "all")},
                    }
                )  # fmt: skip
            if y <= 2023:
                jun.append(
                    {
                        "row": len(jun) + 1, "ccode": st.ccode, "session": y - 1945,
                        "NVotesAll": n, "IdealPointAll": x, "QO%All": x - 0.6, "Q5%All": x - 0.3,
                        "Q10%All": x - 0.2, "Q50%All": x, "Q90%All": x + 0.2, "Q95%All": x + 0.3,
                        "Q100%All": x + 0.6, "iso3c": st.abb, "Countryname": st.name,
                        "USAgree": 1 - abs(x - position(us, y)) / 4, "RUSSAgree": 0.5,
                        "BrazilAgree": 0.5, "ChinaAgree": 0.5, "IndiaAgree": 0.5, "IsraelAgree": 0.5,
                    }
                )  # fmt: skip
    return {
        "voeten_idealpoints": voeten,
        "voeten_idealpoints_jul2025": jul,
        "voeten_agreement_jun2024": jun,
    }


def _statedept_tables(ss: list[State]) -> dict[str, list[dict[str, Any]]]:
    us = ss[0]
    out = {}
    for y in (2020, 2021, 2022, 2023):
        rows = []
        for st in (st for st in ss if st is not us and st.alive_or_later(y)):
            same = round(50 - 15 * abs(position(st, y) - position(us, y)))
            rows.append(
                {
                    "COUNTRY": st.name, "ISO": st.abb, "SAME": same, "PARTIAL": 10,
                    "OPPOSITE": 80 - same, "OPPOSE": 80 - same, "ABSENT": 10,
                    "COINCIDENCE": round((same + 5) / 90, 2),
                }
            )  # fmt: skip
        out[f"statedept_coincidence_{y}"] = rows
    return out


#: the Digital Library's records and cells, kept for the writer of its wide file
_UNDL_WIDE: list[Any] = []


def _write_undl(path: Path) -> None:
    """The Digital Library's wide file: one column per member (capitals), tallies, zipped."""
    import io
    import zipfile

    records, cells = _UNDL_WIDE
    states = sorted({c["country"] for c in cells})
    by = {(c["token"], c["country"]): c["code"] for c in cells}
    head = ["Council", "Date", "Title", "Resolution", "TOTAL VOTES", "NO-VOTE COUNT",
            "ABSENT COUNT", "NO COUNT", "YES COUNT", "Link", "token", *states]  # fmt: skip
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for r in records:
        codes = [by.get((r["token"], st), "") for st in states]
        n = {k: codes.count(k) for k in "YNAX"}
        w.writerow(
            [r["council"], r["date"].isoformat(), r["title"], r["resolution"],
             sum(n.values()), n["X"], n["A"], n["N"], n["Y"],
             f"https://digitallibrary.un.org/record/{r['token']}", r["token"], *codes]
        )  # fmt: skip
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("UN DATA.csv", date_time=(2022, 1, 29, 10, 37, 0))
        zf.writestr(info, "\ufeff" + buf.getvalue())


_ISO2 = {2: "US", 40: "CU", 200: "GB", 365: "RU", 666: "IL", 710: "CN", 731: "KP", 732: "KR"}
_ISO2 |= {740: "JP", 750: "IN", 840: "PH", 900: "AU"}


def _iso2(s: State) -> str:
    return _ISO2[s.ccode]


_STATE_COLS = [f"State{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] + [
    f"StateA{c}" for c in "ABCDEFGHIJKLM"
]


def _exercises() -> list[dict[str, Any]]:
    out = []
    for r in _read("exercises.csv"):
        y, m = int(r["year"]), int(r["month"])
        parts = r["participants"].split(";")
        row: dict[str, Any] = {
            "MMEID": r["mme_id"],
            "Ex_Name": r["name"],
            "Series_Name": r["name"],
            "Location": "sea",
            "lat": 30.0,
            "lon": 130.0,
            "StartDate": f"{y}-{m:02d}-01",
            "s.year": y,
            "s.month": m,
            "s.day": "1",
            "EndDate": f"{y}-{m:02d}-10",
            "e.year": y,
            "e.month": m,
            "e.day": "xx",
            **dict.fromkeys(("CPX", "Air", "Land", "Cyber", "Peacekeeping", "Humanitarian"), 0),
            **dict.fromkeys(("Sea", "Amphibious", "Warfighting"), 1),
            "FocusDescription": "maritime",
            "AdditionalParticipantInfo": "",
        }
        for i, col in enumerate(_STATE_COLS):
            row[col] = parts[i] if i < len(parts) else None
        out.append(row)
    return out


# -- writing and building ---------------------------------------------------------------


def _frame(src: Any, rows: list[dict[str, Any]]) -> Any:
    """A pandas frame with the source's raw columns in order (what pyreadr writes)."""
    import numpy as np
    import pandas as pd

    data: dict[str, Any] = {}
    for col in src.columns:
        values = [r.get(col.raw) for r in rows]
        if col.dtype in ("int", "bool"):
            if any(v is None for v in values):
                data[col.raw] = np.array([np.nan if v is None else v for v in values], float)
            else:
                data[col.raw] = np.array(values, dtype=np.int32)
        elif col.dtype == "float":
            data[col.raw] = np.array([np.nan if v is None else v for v in values], float)
        elif col.dtype == "date":
            data[col.raw] = [None if v is None else v.isoformat() for v in values]
        else:
            data[col.raw] = [None if v is None else str(v) for v in values]
    return pd.DataFrame(data)


def _write_csv(src: Any, rows: list[dict[str, Any]], path: Path, delimiter: str = ",") -> None:
    from allyscope.sources.readers import TextCSV

    reader = src.reader if isinstance(src.reader, TextCSV) else None
    cols = [c.raw for c in src.columns if not (reader and reader.line_column and c.raw == "line")]
    marks = dict(reader.marks) if reader else {}
    encoding = reader.encoding if reader else src.encoding
    missing = "" if reader else "NA"
    with open(path, "w", newline="", encoding=encoding) as fh:
        for i in range(reader.skip_lines if reader else 0):
            fh.write(f"A note above the header ({i + 1})\n")
        w = csv.writer(fh, lineterminator="\n", delimiter=delimiter)
        w.writerow(cols)
        for r in rows:
            w.writerow(
                [
                    (marks[c] if r.get(c) else "")
                    if c in marks
                    else (missing if r.get(c) is None else r[c])
                    for c in cols
                ]
            )


def _write_fgdc(rows: list[dict[str, Any]], path: Path) -> None:
    """A minimal FGDC metadata file with one attribute per row."""
    from xml.sax.saxutils import escape

    attrs = "".join(
        f"<attr><attrlabl>{escape(r['label'])}</attrlabl><attrdef>{escape(r['definition'])}"
        f"</attrdef><attrdefs>{escape(r['definition_source'])}</attrdefs></attr>"
        for r in rows
    )
    entity = escape(rows[0]["entity"]) if rows else ""
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<metadata><eainfo><detailed><enttyp>"
        f"<enttypl>{entity}</enttypl></enttyp>{attrs}</detailed></eainfo></metadata>\n",
        encoding="utf-8",
    )


def _write_corpus(src: Any, rows: list[dict[str, Any]], path: Path) -> Any:
    """A small General Debate archive, its speakers workbook and its own file list."""
    import hashlib
    import io
    import tarfile

    import polars as pl
    import zstandard

    from allyscope.sources import sha256_file
    from allyscope.sources.ungd import UPSTREAM_DIR

    files: dict[str, bytes] = {}
    for r in rows:
        folder = f"{UPSTREAM_DIR}/TXT/Session {r['session']:02d} - {r['year']}"
        files[f"{folder}/{r['iso3']}_{r['session']:02d}_{r['year']}.txt"] = r["text"].encode()
    book = io.BytesIO()
    named = [r for r in rows if r["speaker"]]
    pl.DataFrame(
        {
            "Year": [r["year"] for r in named],
            "Session": [r["session"] for r in named],
            "ISO Code": [r["iso3"] for r in named],
            "Country": [r["iso3"] for r in named],
            "Name of Person Speaking": [r["speaker"] for r in named],
            "Post": [r["post"] for r in named],
        }
    ).write_excel(book)
    files[f"{UPSTREAM_DIR}/Speakers_by_session.xlsx"] = book.getvalue()
    with (
        open(path, "wb") as raw,
        zstandard.ZstdCompressor().stream_writer(raw, closefd=False) as zw,
        tarfile.open(fileobj=zw, mode="w|") as tar,
    ):
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    listing = path.with_name(path.name + ".files.tsv")
    listing.write_text(
        "path\tsha256\tbytes\n"
        + "".join(
            f"{n}\t{hashlib.sha256(d).hexdigest()}\t{len(d)}\n" for n, d in sorted(files.items())
        )
    )
    return dataclasses.replace(
        src,
        sha256=sha256_file(path),
        bytes=path.stat().st_size,
        rows=len(rows),
        files_tsv=str(listing),
    )


def write_world(raw_dir: str | Path, names: Iterable[str] | None = None) -> list[Any]:
    """Write every source's file below ``raw_dir`` (at its catalog path) and return the
    declarations with this world's checksums, sizes and row counts."""
    import pyreadr

    from allyscope.sources import SOURCES, sha256_file

    raw_dir = Path(raw_dir)
    data = tables()
    out = []
    for name in names or SOURCES:
        src = SOURCES[name]
        rows = data[name]
        path = raw_dir / src.file
        path.parent.mkdir(parents=True, exist_ok=True)
        if src.format == "rda":
            obj = src.object_name or path.stem
            pyreadr.write_rdata(str(path), _frame(src, rows), df_name=obj, compress="gzip")
        elif src.format == "zip":  # the UN Digital Library's wide file (two sources read it)
            _write_undl(path)
        elif src.format == "dta":
            frame = _frame(src, rows)
            frame.to_stata(path, write_index=False, version=118, time_stamp=dt.datetime(2025, 7, 1))
        elif src.format == "tab":
            _write_csv(src, rows, path, delimiter="\t")
        elif src.format == "xml":
            _write_fgdc(rows, path)
        elif src.name == "ungd_speeches":
            out.append(_write_corpus(src, rows, path))
            continue
        else:
            _write_csv(src, rows, path)
        out.append(
            dataclasses.replace(
                src, sha256=sha256_file(path), bytes=path.stat().st_size, rows=len(rows)
            )
        )
    return out


def build_world(home: str | Path) -> Any:
    """Write the synthetic files into ``<home>/raw`` and build ``<home>/warehouse.duckdb``."""
    from allyscope import config
    from allyscope.store import build

    home = Path(home)
    sources = write_world(home / "raw")
    previous = config._home_override
    config.set_home(home)
    try:
        return build(path=home / "warehouse.duckdb", sources=sources)
    finally:
        config._home_override = previous


if __name__ == "__main__":  # pragma: no cover - a way to look at the files
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "synthetic-home")
    report = build_world(target)
    print(f"{report.path}: {len(report.tables)} tables, {sum(report.tables.values()):,} rows")
