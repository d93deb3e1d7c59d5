"""Country mentions in running text: names, adjectives, capitals, leaders → ISO3.

The extractor has to work without a built warehouse, so it carries its own small table
of the ways statements name states ("the ROK", "South Korean", "Seoul", "Washington",
"President Yoon"). Where a warehouse is available the ISO3 codes can be checked against
:mod:`allyscope.codes` (:func:`validate_iso3`).

Mentions that are places rather than actors ("the Korean Peninsula", "the South China
Sea", "the Sea of Japan") are masked before matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: ISO3 → (names, adjectives / demonyms, capitals and seats of government)
COUNTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "USA": (
        ("United States of America", "United States", "U.S.A.", "USA", "U.S.", "US", "America"),
        ("American",),
        ("Washington", "Washington, D.C.", "White House", "Pentagon"),
    ),
    "JPN": (("Japan",), ("Japanese",), ("Tokyo",)),
    "KOR": (
        ("Republic of Korea", "South Korea", "S. Korea", "S.Korea", "ROK", "Korea"),
        ("South Korean", "S. Korean", "Korean"),
        ("Seoul",),
    ),
    "PRK": (
        ("Democratic People's Republic of Korea", "North Korea", "N. Korea", "N.Korea", "DPRK"),
        ("North Korean", "N. Korean"),
        ("Pyongyang",),
    ),
    "CHN": (("People's Republic of China", "China", "PRC"), ("Chinese",), ("Beijing",)),
    "TWN": (("Taiwan", "Republic of China"), ("Taiwanese",), ("Taipei",)),
    "RUS": (("Russian Federation", "Russia"), ("Russian",), ("Moscow", "Kremlin")),
    "SUN": (("Soviet Union", "USSR", "U.S.S.R."), ("Soviet",), ()),
    "AUS": (("Australia",), ("Australian",), ("Canberra",)),
    "IND": (("India",), ("Indian",), ("New Delhi",)),
    "PHL": (("Philippines", "the Philippines"), ("Philippine", "Filipino"), ("Manila",)),
    "GBR": (
        ("United Kingdom", "U.K.", "UK", "Britain", "Great Britain"),
        ("British",),
        ("London", "Downing Street"),
    ),
    "FRA": (("France",), ("French",), ("Paris", "Elysee", "Élysée")),
    "DEU": (("Germany",), ("German",), ("Berlin",)),
    "ITA": (("Italy",), ("Italian",), ("Rome",)),
    "CAN": (("Canada",), ("Canadian",), ("Ottawa",)),
    "NZL": (("New Zealand",), (), ("Wellington",)),
    "VNM": (("Vietnam", "Viet Nam"), ("Vietnamese",), ("Hanoi",)),
    "IDN": (("Indonesia",), ("Indonesian",), ("Jakarta",)),
    "MYS": (("Malaysia",), ("Malaysian",), ("Kuala Lumpur",)),
    "SGP": (("Singapore",), ("Singaporean",), ()),
    "THA": (("Thailand",), ("Thai",), ("Bangkok",)),
    "KHM": (("Cambodia",), ("Cambodian",), ("Phnom Penh",)),
    "LAO": (("Laos", "Lao PDR"), ("Lao", "Laotian"), ("Vientiane",)),
    "MMR": (("Myanmar", "Burma"), ("Burmese",), ("Naypyidaw",)),
    "BRN": (("Brunei",), ("Bruneian",), ()),
    "MNG": (("Mongolia",), ("Mongolian",), ("Ulaanbaatar",)),
    "PAK": (("Pakistan",), ("Pakistani",), ("Islamabad",)),
    "BGD": (("Bangladesh",), ("Bangladeshi",), ("Dhaka",)),
    "LKA": (("Sri Lanka",), ("Sri Lankan",), ("Colombo",)),
    "NPL": (("Nepal",), ("Nepalese", "Nepali"), ("Kathmandu",)),
    "AFG": (("Afghanistan",), ("Afghan",), ("Kabul",)),
    "IRN": (("Iran",), ("Iranian",), ("Tehran",)),
    "IRQ": (("Iraq",), ("Iraqi",), ("Baghdad",)),
    "SYR": (("Syria",), ("Syrian",), ("Damascus",)),
    "ISR": (("Israel",), ("Israeli",), ("Jerusalem",)),
    "SAU": (("Saudi Arabia",), ("Saudi",), ("Riyadh",)),
    "ARE": (("United Arab Emirates", "UAE"), ("Emirati",), ("Abu Dhabi",)),
    "QAT": (("Qatar",), ("Qatari",), ("Doha",)),
    "EGY": (("Egypt",), ("Egyptian",), ("Cairo",)),
    "TUR": (("Türkiye", "Turkiye", "Turkey"), ("Turkish",), ("Ankara",)),
    "UKR": (("Ukraine",), ("Ukrainian",), ("Kyiv", "Kiev")),
    "BLR": (("Belarus",), ("Belarusian",), ("Minsk",)),
    "POL": (("Poland",), ("Polish",), ("Warsaw",)),
    "CZE": (("Czech Republic", "Czechia"), ("Czech",), ("Prague",)),
    "SVK": (("Slovakia",), ("Slovak",), ("Bratislava",)),
    "HUN": (("Hungary",), ("Hungarian",), ("Budapest",)),
    "ROU": (("Romania",), ("Romanian",), ("Bucharest",)),
    "BGR": (("Bulgaria",), ("Bulgarian",), ("Sofia",)),
    "GRC": (("Greece",), ("Greek",), ("Athens",)),
    "ESP": (("Spain",), ("Spanish",), ("Madrid",)),
    "PRT": (("Portugal",), ("Portuguese",), ("Lisbon",)),
    "NLD": (("Netherlands", "the Netherlands", "Holland"), ("Dutch",), ("Amsterdam", "The Hague")),
    "BEL": (("Belgium",), ("Belgian",), ()),
    "LUX": (("Luxembourg",), (), ()),
    "DNK": (("Denmark",), ("Danish",), ("Copenhagen",)),
    "NOR": (("Norway",), ("Norwegian",), ("Oslo",)),
    "SWE": (("Sweden",), ("Swedish",), ("Stockholm",)),
    "FIN": (("Finland",), ("Finnish",), ("Helsinki",)),
    "ISL": (("Iceland",), ("Icelandic",), ("Reykjavik",)),
    "EST": (("Estonia",), ("Estonian",), ("Tallinn",)),
    "LVA": (("Latvia",), ("Latvian",), ("Riga",)),
    "LTU": (("Lithuania",), ("Lithuanian",), ("Vilnius",)),
    "SVN": (("Slovenia",), ("Slovenian",), ("Ljubljana",)),
    "HRV": (("Croatia",), ("Croatian",), ("Zagreb",)),
    "ALB": (("Albania",), ("Albanian",), ("Tirana",)),
    "MNE": (("Montenegro",), ("Montenegrin",), ("Podgorica",)),
    "MKD": (("North Macedonia",), ("Macedonian",), ("Skopje",)),
    "SRB": (("Serbia",), ("Serbian",), ("Belgrade",)),
    "BIH": (("Bosnia and Herzegovina",), ("Bosnian",), ("Sarajevo",)),
    "AUT": (("Austria",), ("Austrian",), ("Vienna",)),
    "CHE": (("Switzerland",), ("Swiss",), ("Bern",)),
    "IRL": (("Ireland",), ("Irish",), ("Dublin",)),
    "GEO": (("Georgia",), ("Georgian",), ("Tbilisi",)),
    "ARM": (("Armenia",), ("Armenian",), ("Yerevan",)),
    "AZE": (("Azerbaijan",), ("Azerbaijani",), ("Baku",)),
    "KAZ": (("Kazakhstan",), ("Kazakh",), ("Astana",)),
    "MDA": (("Moldova",), ("Moldovan",), ("Chisinau",)),
    "BRA": (("Brazil",), ("Brazilian",), ("Brasilia", "Brasília")),
    "ARG": (("Argentina",), ("Argentine", "Argentinian"), ("Buenos Aires",)),
    "MEX": (("Mexico",), ("Mexican",), ("Mexico City",)),
    "CHL": (("Chile",), ("Chilean",), ("Santiago",)),
    "PER": (("Peru",), ("Peruvian",), ("Lima",)),
    "COL": (("Colombia",), ("Colombian",), ("Bogota", "Bogotá")),
    "VEN": (("Venezuela",), ("Venezuelan",), ("Caracas",)),
    "CUB": (("Cuba",), ("Cuban",), ("Havana",)),
    "ZAF": (("South Africa",), ("South African",), ("Pretoria",)),
    "NGA": (("Nigeria",), ("Nigerian",), ("Abuja",)),
    "ETH": (("Ethiopia",), ("Ethiopian",), ("Addis Ababa",)),
    "KEN": (("Kenya",), ("Kenyan",), ("Nairobi",)),
    "FJI": (("Fiji",), ("Fijian",), ("Suva",)),
    "PNG": (("Papua New Guinea",), (), ("Port Moresby",)),
    "TON": (("Tonga",), ("Tongan",), ("Nuku'alofa",)),
    "SLB": (("Solomon Islands",), (), ("Honiara",)),
}

#: a few office holders often named without their country (recent years)
OFFICIALS: dict[str, str] = {
    "Biden": "USA", "Trump": "USA", "Obama": "USA", "Blinken": "USA", "Lloyd Austin": "USA",
    "Secretary Austin": "USA", "Jake Sullivan": "USA", "Hegseth": "USA", "Rubio": "USA",
    "Kishida": "JPN", "Ishiba": "JPN", "Suga": "JPN", "Abe": "JPN", "Hamada": "JPN",
    "Kihara": "JPN", "Nakatani": "JPN", "Kamikawa": "JPN", "Hayashi": "JPN", "Iwaya": "JPN",
    "Yoon Suk Yeol": "KOR", "Yoon Suk-yeol": "KOR", "President Yoon": "KOR", "Moon Jae-in": "KOR",
    "Lee Jae-myung": "KOR", "Shin Won-sik": "KOR", "Shin Wonsik": "KOR", "Park Jin": "KOR",
    "Cho Tae-yul": "KOR", "Lee Jong-sup": "KOR",
    "Xi Jinping": "CHN", "President Xi": "CHN", "Li Qiang": "CHN", "Wang Yi": "CHN",
    "Li Shangfu": "CHN", "Dong Jun": "CHN",
    "Putin": "RUS", "Lavrov": "RUS", "Shoigu": "RUS", "Belousov": "RUS",
    "Kim Jong Un": "PRK", "Kim Jong-un": "PRK",
    "Modi": "IND", "Jaishankar": "IND", "Rajnath Singh": "IND",
    "Albanese": "AUS", "Morrison": "AUS", "Marles": "AUS", "Penny Wong": "AUS",
    "Marcos": "PHL", "Teodoro": "PHL",
    "Starmer": "GBR", "Sunak": "GBR", "Zelensky": "UKR", "Zelenskyy": "UKR",
}  # fmt: skip

#: groupings named in statements; NATO members carry their accession year
GROUPS: dict[str, tuple[str, ...]] = {
    "quad": ("AUS", "IND", "JPN", "USA"),
    "aukus": ("AUS", "GBR", "USA"),
    "five eyes": ("AUS", "CAN", "GBR", "NZL", "USA"),
}
NATO_ACCESSION: dict[str, int] = {
    "BEL": 1949, "CAN": 1949, "DNK": 1949, "FRA": 1949, "ISL": 1949, "ITA": 1949, "LUX": 1949,
    "NLD": 1949, "NOR": 1949, "PRT": 1949, "GBR": 1949, "USA": 1949, "GRC": 1952, "TUR": 1952,
    "DEU": 1955, "ESP": 1982, "CZE": 1999, "HUN": 1999, "POL": 1999, "BGR": 2004, "EST": 2004,
    "LVA": 2004, "LTU": 2004, "ROU": 2004, "SVK": 2004, "SVN": 2004, "ALB": 2009, "HRV": 2009,
    "MNE": 2017, "MKD": 2020, "FIN": 2023, "SWE": 2024,
}  # fmt: skip


def nato_members(year: int | None = None) -> tuple[str, ...]:
    """NATO members (ISO3) in ``year`` (all current members without a year)."""
    return tuple(sorted(c for c, y in NATO_ACCESSION.items() if year is None or y <= year))


#: place names that contain a country word but are not the country acting
_PLACES = re.compile(
    r"\b(?:(?:the\s+)?Korean\s+Peninsula|South\s+China\s+Sea|East\s+China\s+Sea|Sea\s+of\s+Japan"
    r"|Indian\s+Ocean|Philippine\s+Sea|Taiwan\s+Strait|Korea\s+Strait|Indo-Pacific|Asia-Pacific"
    r"|Korean\s+War|Washington\s+(?:Post|Treaty|Declaration|Times)|Chinese\s+Taipei"
    r"|Japan\s+Times|Korea\s+Herald|Korea\s+Times|China\s+Daily|New\s+Mexico|Georgia\s+Tech"
    r"|(?:U\.?S\.?|United\s+States)\s+(?:dollars?|Navy|Army|Air\s+Force|Coast\s+Guard|Marine\s+Corps|Forces\s+Korea|Forces\s+Japan|Indo-Pacific\s+Command|European\s+Command)"
    r")\b"
)


@dataclass(frozen=True)
class Mention:
    """One mention of a state in a text."""

    iso3: str
    start: int
    end: int
    text: str
    kind: str  # "name", "adjective", "capital", "official"


@dataclass(frozen=True)
class Lexicon:
    """A compiled resolver: surface forms → (ISO3, kind), masked places, joint phrases."""

    pattern: re.Pattern[str]
    table: dict[str, tuple[str, str]]
    places: re.Pattern[str]
    #: phrases that name several states at once ("North and South Korea") → their codes,
    #: with a word every match contains (texts without it are not scanned)
    joint: tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...]


def build_lexicon(
    countries: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] | None = None,
    officials: dict[str, str] | None = None,
    places: tuple[str, ...] = (),
    joint: tuple[tuple[str, tuple[str, ...], str], ...] = (),
) -> Lexicon:
    """The default resolver extended with more states, office holders, places and joint
    phrases (regular expression, codes, a word every match contains). Entries of the
    default tables win over extensions that spell a form the same way; places extend the
    default mask."""
    table: dict[str, tuple[str, str]] = {}
    for source in (COUNTRIES, countries or {}):
        for iso, (names, adjs, caps) in source.items():
            for n in names:
                table.setdefault(n, (iso, "name"))
            for a in adjs:
                table.setdefault(a, (iso, "adjective"))
            for c in caps:
                table.setdefault(c, (iso, "capital"))
    for source_officials in (OFFICIALS, officials or {}):
        for who, iso in source_officials.items():
            table.setdefault(who, (iso, "official"))
    # one trie-shaped pattern: far faster than an alternation of hundreds of names
    pattern = re.compile(r"(?<![\w.])" + _trie_pattern(list(table)) + r"(?!\w)")
    mask = _PLACES
    if places:
        mask = re.compile(_PLACES.pattern + r"|\b(?:" + "|".join(places) + r")\b")
    extra = tuple((re.compile(p), tuple(codes), needle) for p, codes, needle in joint)
    joint_res = ((_BOTH_KOREAS, ("PRK", "KOR"), "Korea"), *extra)
    return Lexicon(pattern, table, mask, joint_res)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return build_lexicon()


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of ``words``, longest first, built as a character trie."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
        ends = "" in node
        alts = [re.escape(ch) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends else body

    return walk(trie)


_BOTH_KOREAS = re.compile(r"\bNorth\s+and\s+South\s+Korea\b|\bSouth\s+and\s+North\s+Korea\b")


def find_mentions(text: str, lexicon: Lexicon | None = None) -> list[Mention]:
    """Every state mention in ``text``, longest match first, places masked.

    ``lexicon`` (from :func:`build_lexicon`) extends the default tables; joint phrases
    ("North and South Korea") yield one mention of each state they name.
    """
    lex = lexicon or default_lexicon()
    out: list[Mention] = []
    masked = text
    for joint, codes, needle in lex.joint:
        if needle not in masked:
            continue
        for m in joint.finditer(masked):
            out.extend(Mention(iso, m.start(), m.end(), m.group(0), "name") for iso in codes)
        masked = joint.sub(lambda m: "\0" * len(m.group(0)), masked)
    masked = lex.places.sub(lambda m: "\0" * len(m.group(0)), masked)
    pat, table = lex.pattern, lex.table
    for m in pat.finditer(masked):
        s = m.group(0)
        iso, kind = table[s]
        if s == "US" and _looks_like_pronoun(masked, m.start()):
            continue
        if s == "Korea" and masked[m.end() : m.end() + 1] == "n":
            continue
        if (
            kind == "capital"
            and s == "Washington"
            and re.match(r"\s+(?:state|State)\b", masked[m.end() :])
        ):
            continue
        out.append(Mention(iso, m.start(), m.end(), s, kind))
    out.sort(key=lambda x: x.start)
    return out


def in_year(iso3: str, year: int | None) -> str:
    """The code a state had in ``year``: Russia before 1992 is the Soviet Union."""
    if year is not None and iso3 == "RUS" and 1922 <= year <= 1991:
        return "SUN"
    if year is not None and iso3 == "SUN" and year >= 1992:
        return "RUS"
    return iso3


def _looks_like_pronoun(text: str, i: int) -> bool:
    """An all-caps heading ("LET US KNOW") uses US as a pronoun."""
    window = text[max(0, i - 12) : i + 14]
    letters = [c for c in window if c.isalpha()]
    return (
        bool(letters)
        and sum(c.isupper() for c in letters) / len(letters) > 0.9
        and len(letters) > 6
    )


def group_members(name: str, year: int | None = None) -> tuple[str, ...] | None:
    key = name.strip().lower()
    if key == "nato":
        return nato_members(year)
    return GROUPS.get(key)


_GROUP_RE = re.compile(r"\b(Quad|QUAD|AUKUS|Five Eyes|NATO)\b")


def find_groups(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(1), m.start(), m.end()) for m in _GROUP_RE.finditer(text)]


def validate_iso3(codes: list[str]) -> list[str]:
    """ISO3 codes unknown to the warehouse crosswalk (empty without a warehouse)."""
    from allyscope.errors import AllyscopeError

    try:
        from allyscope import config

        if not config.warehouse_path().is_file():
            return []
        from allyscope.codes import crosswalk

        known = set(crosswalk()["iso3"].drop_nulls().to_list())
    except (AllyscopeError, OSError):  # no warehouse, or not built for this version: skip
        return []
    return [c for c in codes if c not in known]


def country_name(iso3: str) -> str:
    entry = COUNTRIES.get(iso3)
    return entry[0][0] if entry else iso3


__all__ = [
    "COUNTRIES",
    "GROUPS",
    "NATO_ACCESSION",
    "OFFICIALS",
    "Lexicon",
    "Mention",
    "build_lexicon",
    "country_name",
    "default_lexicon",
    "find_groups",
    "find_mentions",
    "group_members",
    "in_year",
    "nato_members",
    "validate_iso3",
]
