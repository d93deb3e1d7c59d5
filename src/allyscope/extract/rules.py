"""Patterns that recognise mechanism types, levels and regularities in a sentence.

Each mechanism type has trigger patterns with a strength (how often a match is a real
mechanism on the development split of the evaluation set) and, for some, context a
sentence must also have (a meeting word for a ministerial, an action verb for a
treaty). Type identifiers, levels and regularities are those of
:mod:`allyscope.mechanisms.schema`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from allyscope.mechanisms.schema import LEVELS, MECHANISM_TYPES, REGULARITIES


def _re(p: str) -> re.Pattern[str]:
    return re.compile(p, re.I)


MEETING = _re(
    r"\b(?:meet|meets|met|meeting|meetings|convene[ds]?|convening|talks|gather(?:ing|ings)?"
    r"|ministerial|dialogue|2\s*\+\s*2|summit|reconvene|held|hold|consultations)\b"
)
ACTION = _re(
    r"\b(?:agree[ds]?|agreement|commit(?:s|ted|ment)?|pledge[ds]?|vow(?:ed|s)?|decide[ds]?|announce[ds]?"
    r"|launch(?:ed|es)?|establish(?:ed|es)?|set\s+up|activate[ds]?|sign(?:ed|s)?|conduct(?:ed|s|ing)?"
    r"|h[oe]ld|hold(?:s|ing)?|convene[ds]?|met|meet|open(?:ed|s)?|resume[ds]?|inaugurat\w+|will|shall"
    r"|plan(?:s|ned)?|intend\w*|began|begin|start(?:ed|s)?|created?|ratif\w+|join(?:ed|s)?|took\s+part"
    r"|participat\w+|organized|adopted|reached|connect\w*|expand\w*|operat\w+|use)\b"
)
NEGATION = _re(
    r"\b(?:no\s+plans?|not\s+(?:agree|hold|establish|sign|join|planning)|did\s+not|does\s+not|declined|refused"
    r"|ruled\s+out|failed\s+to|without\s+(?:a|any)|never)\b"
)


@dataclass(frozen=True)
class Trigger:
    type: str
    pattern: re.Pattern[str]
    strength: float
    needs: re.Pattern[str] | None = None  # the sentence must also match this
    unless: re.Pattern[str] | None = None  # ... and must not match this


_T: list[Trigger] = []


def _add(type_: str, pattern: str, strength: float, needs: re.Pattern[str] | str | None = None,
         unless: str | None = None) -> None:  # fmt: skip
    assert type_ in MECHANISM_TYPES, type_
    n = _re(needs) if isinstance(needs, str) else needs
    _T.append(Trigger(type_, _re(pattern), strength, n, _re(unless) if unless else None))


_LEADER_NOUN = (
    r"(?:leaders?|presidents?|prime\s+ministers?|premiers?|chancellors?|heads?\s+of\s+(?:state|government)"
    r"|Biden|Trump|Obama|Xi(?:\s+Jinping)?|Putin|Kim\s+Jong[- ]?[Uu]n|Kishida|Ishiba|Suga|Abe|Yoon|Moon\s+Jae-in"
    r"|Modi|Albanese|Morrison|Marcos|Lee\s+Jae-myung)"
)

# -- leaders' summits
_add(
    "leaders_summit",
    r"\bsummit(?:s|ry)?\b",
    0.85,
    unless=r"\b(?:Asia\s+Security\s+Summit|security\s+summit)\b",
)
_add("leaders_summit", r"\bleaders?(?:'|’)?[- ]+(?:level\s+)?(?:meetings?|summits?|talks)\b", 0.9)
_add("leaders_summit", r"\bshuttle\s+diplomacy\b", 0.9)
_add("leaders_summit", r"\bheads\s+of\s+(?:state|government)\b", 0.6, needs=MEETING)
_add(
    "leaders_summit",
    r"\b(?:the\s+(?:two|three|four)\s+)?(?:leaders|presidents|prime\s+ministers)\b[^.;]{0,60}\b(?:met|meet|meeting|convened|reconvene|held\s+talks)\b",
    0.8,
)
_add(
    "leaders_summit",
    rf"\b(?:met|meeting|talks)\s+(?:between|with)\s+(?:the\s+)?{_LEADER_NOUN}",
    0.75,
)
_add(
    "leaders_summit",
    rf"\b{_LEADER_NOUN}\s+(?:and|,)\s+(?:\w+\s+){{0,3}}{_LEADER_NOUN}\s+(?:met|held\s+talks)\b",
    0.8,
)
_add(
    "leaders_summit",
    rf"\b{_LEADER_NOUN}\b[^.;]{{0,40}}\bvisit(?:ed|s)?\s+\w+[^.;]{{0,40}}\bmet\s+(?:President|Prime\s+Minister|Chancellor)",
    0.75,
)
_add("leaders_summit", r"\brecalled\s+their\s+meeting\b", 0.6)
_add("leaders_summit", rf"\b{_LEADER_NOUN}(?:'s|’s)\s+(?:state\s+|official\s+)?visit\s+to\b", 0.75)
_add(
    "leaders_summit",
    r"\b(?:Prime\s+Minister|President|Chancellor)\b[^.;]{0,60}\b(?:and|with)\s+(?:his|her|their)\s+(?:\w+\s+)?counterpart\b",
    0.75,
    needs=_re(r"\b(?:meeting|met|talks|summit|signed|visit\w*)\b"),
)

# -- ministerials
_FM = r"(?:(?<!vice\s)(?<!vice-)(?<!deputy\s)foreign(?:\s+affairs)?\s+minist(?:ers?|ry|erial)|secretar(?:y|ies)\s+of\s+state|foreign\s+and\s+defen[cs]e\s+ministers?|2\s*\+\s*2)"
_DM = r"(?:defen[cs]e\s+(?:ministers?|ministerial|chiefs|secretar(?:y|ies))|secretar(?:y|ies)\s+of\s+defen[cs]e|foreign\s+and\s+defen[cs]e\s+ministers?|national\s+defen[cs]e\s+minister|defen[cs]e\s+ministers(?:'|’)\s+meeting|TDMM|2\s*\+\s*2)"
_add(
    "foreign_ministerial", rf"\b{_FM}", 0.75, needs=MEETING, unless=r"\bforeign\s+ministry\s+said\b"
)
_add("defense_ministerial", rf"\b{_DM}", 0.75, needs=MEETING)
_add("defense_ministerial", r"\bministerial\s+meeting\b", 0.6, needs=_re(r"\bdefen[cs]e\b"))
_add(
    "other_ministerial",
    r"\b(?:industry|commerce|trade|finance|economic|energy)\s+ministers?\b",
    0.65,
    needs=MEETING,
)
_add(
    "nsa_meeting",
    r"\bnational\s+security\s+(?:advis[eo]rs?|council\s+chiefs|secretar(?:y|ies))\b",
    0.8,
    needs=MEETING,
)

# -- working level
_add(
    "working_level_dialogue",
    r"\b(?:working[- ]level|vice[- ](?:foreign\s+|defen[cs]e\s+)?minist(?:ers?|erial)|deputy\s+(?:foreign\s+|defen[cs]e\s+)?ministers?|expert[- ]level|director[- ]general[- ]level)\b",
    0.7,
    needs=MEETING,
)
_add(
    "working_level_dialogue",
    r"\b(?:senior|defen[cs]e|ministry)\s+officials?\b[^.;]{0,60}\b(?:meetings?|gatherings?|talks|dialogue|consultations)\b",
    0.7,
)
_add(
    "working_level_dialogue", r"\bsenior\s+officials?\s+(?:and\s+expert-level\s+)?meetings?\b", 0.75
)
_add(
    "working_level_dialogue",
    r"\b(?:security|strategic|policy|maritime|defen[cs]e)\s+(?:talks|dialogues?)\b",
    0.7,
    unless=r"Shangri-La\s+Dialogue",
)
_add(
    "working_level_dialogue",
    r"\bDefen[cs]e\s+Trilateral\s+Talks\b|\bTCOG\b|\bcoordination\s+(?:and\s+oversight\s+)?group\b",
    0.85,
)
_add(
    "working_level_dialogue",
    r"\bchiefs\s+of\s+(?:defen[cs]e|staff)\s+meetings?\b|\bTri-?CHOD\b|\bChiefs\s+of\s+Defense\s+Meeting\b",
    0.85,
)
_add(
    "working_level_dialogue",
    r"\bmilitary[- ]to[- ]military\s+(?:communications?|talks|contacts?|dialogue)\b|\bmilitary\s+contacts?\b",
    0.75,
)
_add(
    "working_level_dialogue",
    r"\bconsultative\s+(?:body|mechanism|group)\b|\bborder\s+flag\s+meetings\b",
    0.75,
)
_add("working_level_dialogue", r"\binaugural\s+meeting\b", 0.6)

# -- hotlines
_add("crisis_hotline", r"\bhot[- ]?lines?\b", 0.9)
_add("crisis_hotline", r"\bdeconfliction\s+(?:line|channel|hotline)\b", 0.95)
_add(
    "crisis_hotline",
    r"\bdirect\s+(?:telephone\s+)?(?:link|line)s?\b|\bdirect\s+lines?\s+of\s+communication\b|\blines?\s+of\s+communication\b",
    0.8,
)
_add(
    "crisis_hotline",
    r"\b(?:maritime\s+and\s+aerial|aerial\s+and\s+maritime)\s+communication\s+mechanism\b",
    0.9,
)
_add("crisis_hotline", r"\bcommunication\s+mechanism\s+between\b", 0.75)
_add("crisis_hotline", r"\bpick\s+up\s+the\s+phone\b|\bred\s+telephone\b", 0.8)

# -- information and data sharing
_INTEL = (
    r"\bintelligence[- ]sharing\b|\binformation[- ]sharing\b|\bsharing\s+of\s+(?:\w+\s+){0,2}(?:intelligence|information)\b"
    r"|\bshar(?:e|es|ed|ing)\s+(?:\w+\s+){0,2}(?:intelligence|information)\b|\bGSOMIA\b"
    r"|\bGeneral\s+Security\s+of\s+(?:Military\s+)?Information\s+Agreement\b|\bBECA\b"
    r"|\bBasic\s+Exchange\s+and\s+Cooperation\s+Agreement\b|\bintelligence\s+cooperation\b"
    r"|\binformation\s+and\s+technology\s+sharing\b|\bexchange\s+(?:of\s+)?(?:classified\s+|military\s+)?(?:intelligence|information)\b"
    r"|\bshared\s+military\s+intelligence\b"
)
_add("intelligence_sharing_agreement", _INTEL, 0.85)
_DATA = (
    r"\b(?:missile[- ]warning|real[- ]time|satellite|early[- ]warning)\s+(?:\w+\s+){0,3}data(?:[- ]sharing)?\b"
    r"|\bdata[- ]sharing\b|\bshar(?:e|es|ed|ing)\s+(?:\w+\s+){0,5}data\b|\bsharing\s+(?:of\s+)?(?:\w+\s+){0,3}data\b"
    r"|\bdetecting\s+and\s+assessing\s+missiles\b"
)
_add("real_time_data_sharing", _DATA, 0.85)

# -- exercises
_EXERCISE = (
    r"\b(?:joint\s+|trilateral\s+|combined\s+|multilateral\s+|naval\s+|military\s+|tabletop\s+|named\s+)?"
    r"(?:exercises?|drills?|war\s?games?|wargames?)\b|\bjoint\s+(?:strategic\s+)?(?:air\s+|naval\s+|maritime\s+)?patrols?\b"
    r"|\bair\s+patrols?\b|\bpatrols?\b|\bFreedom\s+Edge\b|\bMalabar\b|\bTalisman\s+Sabre\b|\bRIMPAC\b|\bPacific\s+Vanguard\b"
    r"|\bJoint\s+Sea\b|\bVostok\b"
)
_add("joint_exercise", _EXERCISE, 0.8,
     unless=r"\bexercis(?:e|es|ed|ing)\s+(?:restraint|their|its|the\s+right|caution|power|control)\b|\bexercise\s+plan\b")  # fmt: skip
_add(
    "multi_year_exercise_plan",
    r"\b(?:multi-?year|multiyear)\s+(?:\w+\s+){0,2}(?:exercise|training)\s+plan\b|\bexercise\s+plan\b",
    0.9,
)

# -- standing bodies, consultation, statements, treaties
_add(
    "secretariat",
    r"\bsecretariat\b|\bstanding\s+(?:body|committee)\b|\b(?:serv\w+|turns?\s+serving|rotat\w+)\s+as\s+(?:the\s+)?secretary[- ]general\b",
    0.85,
)
_add("commitment_to_consult", r"\bcommit\w*\s+(?:\w+\s+){0,3}to\s+consult\b|\bduty\s+to\s+consult\b|\bconsult\s+(?:trilaterally|bilaterally|with\s+each\s+other|each\s+other)\b"
     r"|\b(?:will|shall|to|immediately)\s+consult\b|\brequest\s+(?:for\s+)?(?:\w+\s+)?consultations\b|\bArticle\s+4\b|\bhold\s+consultations\b"
     r"|\bchannel\s+of\s+bilateral\s+negotiations\b", 0.85)  # fmt: skip
_add("joint_statement_of_principles", r"\b(?:released|issued|adopted|signed|announced)\s+(?:a|the|their|three|two)?\s*(?:new\s+)?(?:joint\s+)?(?:statement|declaration|documents?|principles)\b"
     r"|\bdeclaration\s+(?:was\s+)?signed\b|\b(?:Camp\s+David\s+)?Principles\b|\bjoint\s+declaration\b"
     r"|\b(?:announc|launch|creat|establish)\w*\s+(?:the\s+creation\s+of\s+)?(?:an?\s+)?(?:new\s+|enhanced\s+)?(?:\w+\s+){0,2}partnership\b",
     0.7, unless=r"\bsaid\s+in\s+a\s+joint\s+statement\b|\b(?:in|according\s+to)\s+(?:a|the|their)\s+joint\s+statement\b")  # fmt: skip
_add("formal_treaty", r"\btreaty\b|\bmutual\s+defen[cs]e\s+(?:pact|treaty|clause)\b|\bdefen[cs]e\s+pact\b|\bComprehensive\s+Strategic\s+Partnership\s+(?:Agreement|Treaty)\b"
     r"|\bmutually\s+provide\s+military\b", 0.8,
     needs=_re(r"\b(?:sign\w*|ratif\w+|into\s+force|conclud\w+|includes?|provides?|mutual\w*|assistance)\b"),
     unless=r"\bWashington\s+Treaty\b|\bdoes\s+not\s+supersede\b")  # fmt: skip
_add(
    "sanctions_export_control_coordination",
    r"\bexport[- ]control\s+(?:coordination|cooperation|dialogue)\b|\bcoordinat\w+\s+(?:\w+\s+){0,3}sanctions\b|\bsanctions\s+coordination\b",
    0.75,
)
_add("economic_framework", r"\beconomic\s+corridor\b|\bsupply[- ]chain\s+(?:early[- ]warning|resilience|framework|initiative|dialogue)\b"
     r"|\b(?:framework|dialogue|talks)\s+(?:to\s+discuss|on)\s+economic\s+security\b|\beconomic\s+security\s+(?:dialogue|framework|talks)\b"
     r"|\bIPEF\b|\bMinerals\s+Security\s+Partnership\b|\bIndo-Pacific\s+Economic\s+Framework\b", 0.8)  # fmt: skip

# -- negative events
_add(
    "suspension",
    r"\bsuspend(?:ed|s)?\b|\bsevered\b|\bfroze\b|\bhalted\b",
    0.7,
    unless=r"\bsuspend\s+(?:its|the)\s+(?:earlier\s+)?notification\b",
)
_add("downgrade", r"\bdowngrad\w+\b", 0.75)
_add("withdrawal", r"\bwithdr[ae]w\w*\s+from\b|\bterminat(?:e|ed|es|ion)\b|\bscrap(?:ped|s)?\b|\bpull(?:ed|s)?\s+out\s+of\b|\bnotification\s+to\s+end\b", 0.75,
     unless=r"\bsuspend\s+(?:its|the)\s+(?:earlier\s+)?notification\b|\bwithdraw\s+its\s+forces\b")  # fmt: skip
_add("trade_restriction", r"\bexport\s+restrictions?\b|\bexport\s+controls?\s+on\b|\bremoved\s+(?:\w+\s+){1,3}from\s+its\s+(?:list|white\s?list)\b|\bwhite\s?list\b"
     r"|\btrade\s+restrictions?\b|\bembargo\b|\bpunitive\s+tariffs?\b", 0.75)  # fmt: skip

TRIGGERS: tuple[Trigger, ...] = tuple(_T)

#: words (lower case) at least one of which a sentence needs before a type's triggers
#: are tried: plain substring tests are far cheaper than the patterns
TYPE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "leaders_summit": ("summit", "leader", "shuttle", "heads of", "met", "meet", "talks", "counterpart", "visit", "recalled"),
    "foreign_ministerial": ("foreign", "secretar", "2+2", "2 + 2"),
    "defense_ministerial": ("defen", "secretar", "ministerial", "tdmm", "2+2", "2 + 2"),
    "other_ministerial": ("minister",),
    "nsa_meeting": ("national security",),
    "working_level_dialogue": ("working", "vice", "deputy", "expert", "director", "official", "talks", "dialogue",
                               "tcog", "group", "chiefs", "chod", "military", "consultative", "flag", "inaugural"),
    "crisis_hotline": ("hot", "deconfliction", "direct", "line", "communication mechanism", "phone", "telephone"),
    "intelligence_sharing_agreement": ("intelligence", "information", "gsomia", "beca", "basic exchange"),
    "real_time_data_sharing": ("data", "detecting"),
    "joint_exercise": ("exercis", "drill", "game", "patrol", "freedom edge", "malabar", "talisman", "rimpac",
                       "vanguard", "joint sea", "vostok"),
    "multi_year_exercise_plan": ("plan",),
    "secretariat": ("secretar", "standing"),
    "commitment_to_consult": ("consult", "article 4", "negotiations"),
    "joint_statement_of_principles": ("statement", "declaration", "document", "principles", "partnership"),
    "formal_treaty": ("treaty", "pact", "strategic partnership", "mutually"),
    "sanctions_export_control_coordination": ("export", "sanction"),
    "economic_framework": ("corridor", "supply", "economic", "ipef", "minerals"),
    "suspension": ("suspend", "severed", "froze", "halted"),
    "downgrade": ("downgrad",),
    "withdrawal": ("withdr", "terminat", "scrap", "pull", "notification"),
    "trade_restriction": ("export", "remov", "white", "trade", "embargo", "tariff"),
}  # fmt: skip
assert set(TYPE_KEYWORDS) == {t.type for t in _T}


def gated_types(sentence: str) -> set[str]:
    """Types whose keywords occur in ``sentence``."""
    low = sentence.lower()
    return {t for t, words in TYPE_KEYWORDS.items() if any(w in low for w in words)}


# -- regularity -----------------------------------------------------------------------------

_REG: list[tuple[str, re.Pattern[str], int]] = [
    (
        "twice_yearly",
        _re(
            r"\btwice\s+(?:a\s+|per\s+|every\s+)?year(?:ly)?\b|\bsemi-?annual(?:ly)?\b|\bbi-?annual(?:ly)?\b|\bevery\s+six\s+months\b"
        ),
        3,
    ),
    ("quarterly", _re(r"\bquarterly\b|\bfour\s+times\s+a\s+year\b|\bevery\s+three\s+months\b"), 3),
    ("biennial", _re(r"\bbiennial(?:ly)?\b|\bevery\s+(?:two|other)\s+years?\b"), 3),
    (
        "annual",
        _re(
            r"\bannual(?:ly)?\b|\bevery\s+year\b|\beach\s+year\b|\byearly\b|\bonce\s+(?:a|per|every)\s+year\b|\byear\s+after\s+year\b"
        ),
        3,
    ),
    (
        "rotational",
        _re(
            r"\brotational\s+basis\b|\brotating\s+basis\b|\brotat\w+\s+(?:the\s+)?host\w*\b|\btak(?:e|es|ing)\s+turns?\b|\bin\s+turn\b|\bon\s+a\s+rotating\b|\balternately\b"
        ),
        2,
    ),
    ("standing", _re(r"\bpermanent(?:ly)?\b|\bon\s+a\s+continuous\s+basis\b|\bcontinuously\b"), 1),
    (
        "irregular",
        _re(
            r"\bregular(?:ly)?\b|\bregular\s+basis\b|\bregulariz\w+\b|\bperiodic(?:al|ally)?\b|\bshuttle\s+diplomacy\b|\bfrequent(?:ly)?\b"
        ),
        1,
    ),
]
for _name, *_ in _REG:
    assert _name in REGULARITIES, _name

#: regularity a type has when the text states none
DEFAULT_REGULARITY: dict[str, str] = {
    "crisis_hotline": "standing",
    "intelligence_sharing_agreement": "standing",
    "real_time_data_sharing": "standing",
    "secretariat": "standing",
    "commitment_to_consult": "standing",
    "formal_treaty": "standing",
    "economic_framework": "standing",
    "multi_year_exercise_plan": "standing",
    "sanctions_export_control_coordination": "standing",
    "trade_restriction": "standing",
}


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int
    text: str
    rank: int = 0


def regularity_hits(sentence: str) -> list[Hit]:
    out: list[Hit] = []
    for name, pat, rank in _REG:
        for m in pat.finditer(sentence):
            # "the annual Shangri-La Dialogue": the adjective belongs to another name
            after = sentence[m.end() : m.end() + 30]
            if name == "annual" and re.match(
                r"\s+(?:[A-Z][\w-]+\s+){1,3}(?:Dialogue|Forum|Conference)", after
            ):
                continue
            out.append(Hit(name, m.start(), m.end(), m.group(0), rank))
    return out


# -- level ----------------------------------------------------------------------------------

_LEVEL_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("nsa", _re(r"\bnational\s+security\s+(?:advis[eo]rs?|council)\b")),
    (
        "senior_officials",
        _re(
            r"\b(?:vice[- ](?:foreign\s+|defen[cs]e\s+)?ministers?|vice[- ]ministerial|deputy\s+(?:foreign\s+)?ministers?|deputy\s+secretar(?:y|ies)|assistant\s+secretar(?:y|ies)|director[- ]generals?|senior\s+(?:\w+\s+)?officials?|deputy\s+director[- ]general)\b"
        ),
    ),
    ("working_level", _re(r"\b(?:working[- ]level|expert[- ]level|working\s+groups?|experts?)\b")),
    (
        "military",
        _re(
            r"\b(?:militar(?:y|ies)|armed\s+forces|chiefs\s+of\s+(?:defen[cs]e|staff)|joint\s+chiefs|navies|navy|air\s+forces?|DGMOs?|DGsMO|Director\s+Generals\s+of\s+Military\s+Operations|command|Tri-?CHOD|pilots|warships|ships)\b"
        ),
    ),
    ("agency", _re(r"\b(?:coast\s+guards?|police|law\s+enforcement|regulators?)\b")),
    (
        "ministers",
        _re(
            r"\b(?<!prime\s)(?:ministers?|ministerial|secretar(?:y|ies)\s+of\s+(?:state|defen[cs]e)|defen[cs]e\s+chiefs|2\s*\+\s*2)\b"
        ),
    ),
    (
        "leaders",
        _re(
            r"\b(?:leaders?|presidents?|presidential|prime\s+ministers?|heads\s+of\s+(?:state|government)|summit|Biden|Xi|Putin|Kishida|Yoon|Modi|Albanese|Kim\s+Jong)\b"
        ),
    ),
]
for _name, _cue in _LEVEL_CUES:
    assert _name in LEVELS, _name

#: the level a type always has, or its default when the sentence names nobody
FIXED_LEVEL = {
    "leaders_summit": "leaders",
    "foreign_ministerial": "ministers",
    "defense_ministerial": "ministers",
    "other_ministerial": "ministers",
    "nsa_meeting": "nsa",
}
DEFAULT_LEVEL = {
    "working_level_dialogue": "senior_officials",
    "crisis_hotline": "military",
    "intelligence_sharing_agreement": "ministers",
    "real_time_data_sharing": "military",
    "joint_exercise": "military",
    "multi_year_exercise_plan": "military",
    "secretariat": "senior_officials",
    "commitment_to_consult": "leaders",
    "joint_statement_of_principles": "leaders",
    "formal_treaty": "leaders",
}


def level_hits(sentence: str) -> list[Hit]:
    return [
        Hit(name, m.start(), m.end(), m.group(0))
        for name, pat in _LEVEL_CUES
        for m in pat.finditer(sentence)
    ]


# -- bindingness and issue areas ----------------------------------------------------------------

DEFAULT_BINDINGNESS = {
    "formal_treaty": "treaty",
    "intelligence_sharing_agreement": "agreement",
    "joint_statement_of_principles": "statement",
    "commitment_to_consult": "statement",
    "secretariat": "mou",
    "economic_framework": "mou",
    "multi_year_exercise_plan": "mou",
    "real_time_data_sharing": "mou",
    "crisis_hotline": "mou",
}
_BINDING_CUES = [
    ("treaty", _re(r"\btreaty\b|\bratif\w+")),
    ("agreement", _re(r"\bagreement\b|\bpact\b")),
    ("mou", _re(r"\bmemorandum\b|\bMoU\b|\barrangement\b")),
    ("statement", _re(r"\bjoint\s+statement\b|\bdeclaration\b|\bcommuniqu")),
]

DEFAULT_AREAS = {
    "leaders_summit": ["diplomacy"],
    "foreign_ministerial": ["diplomacy"],
    "defense_ministerial": ["defense"],
    "other_ministerial": ["economic_security"],
    "nsa_meeting": ["security"],
    "working_level_dialogue": ["diplomacy"],
    "crisis_hotline": ["security"],
    "intelligence_sharing_agreement": ["intelligence"],
    "real_time_data_sharing": ["intelligence", "missile_defense"],
    "joint_exercise": ["defense"],
    "multi_year_exercise_plan": ["defense"],
    "secretariat": ["diplomacy"],
    "commitment_to_consult": ["security"],
    "joint_statement_of_principles": ["diplomacy"],
    "formal_treaty": ["security"],
    "sanctions_export_control_coordination": ["export_controls"],
    "economic_framework": ["economic_security"],
    "suspension": ["diplomacy"],
    "downgrade": ["diplomacy"],
    "withdrawal": ["security"],
    "trade_restriction": ["trade", "export_controls"],
}
_AREA_CUES = [
    ("dprk", _re(r"\bDPRK\b|\bNorth\s+Korea|\bPyongyang\b")),
    ("missile_defense", _re(r"\bmissile")),
    ("maritime_security", _re(r"\bmaritime\b|\bnaval\b|\bcoast\s+guard|\bat\s+sea\b|\bnavies\b")),
    ("cyber", _re(r"\bcyber")),
    ("space", _re(r"\bspace\b|\bsatellite")),
    ("supply_chains", _re(r"\bsupply[- ]chains?\b")),
    ("humanitarian", _re(r"\bhumanitarian\b|\bdisaster\b")),
    ("infrastructure", _re(r"\binfrastructure\b|\bcorridor\b")),
    ("economic_security", _re(r"\beconomic\s+security\b")),
    ("nonproliferation", _re(r"\bnuclear[- ]powered\b|\bnon-?proliferation\b")),
    ("technology", _re(r"\btechnolog")),
    ("defense", _re(r"\bdefen[cs]e\b|\bmilitar")),
]


def bindingness_for(type_: str, sentence: str) -> str:
    for name, pat in _BINDING_CUES:
        if pat.search(sentence) and type_ not in (
            "leaders_summit",
            "joint_exercise",
            "crisis_hotline",
        ):
            if type_ == "joint_statement_of_principles" and name in ("treaty", "agreement"):
                continue
            return name
    return DEFAULT_BINDINGNESS.get(type_, "none")


def issue_areas_for(type_: str, sentence: str) -> list[str]:
    areas = list(DEFAULT_AREAS.get(type_, ["security"]))
    for name, pat in _AREA_CUES:
        if pat.search(sentence) and name not in areas:
            areas.append(name)
    return areas[:5]


__all__ = [
    "ACTION",
    "DEFAULT_LEVEL",
    "DEFAULT_REGULARITY",
    "FIXED_LEVEL",
    "MEETING",
    "NEGATION",
    "TRIGGERS",
    "TYPE_KEYWORDS",
    "Hit",
    "Trigger",
    "bindingness_for",
    "gated_types",
    "issue_areas_for",
    "level_hits",
    "regularity_hits",
]
