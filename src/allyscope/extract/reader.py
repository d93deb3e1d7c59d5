"""Read a statement or article: plain text, Markdown or HTML → clean text with offsets.

* HTML goes through the standard library's :class:`html.parser.HTMLParser`. Scripts,
  styles, navigation, headers, footers, asides, forms and buttons are dropped, as are
  elements whose class, id or role names boilerplate (menus, breadcrumbs, share buttons,
  cookie notices, "back to top" links, related stories ...). Where the page marks its
  main content (``<main>``, ``<article>``, ``role="main"``) only that is kept. Blocks that
  are mostly links are dropped.
* Markdown loses its markup (headings, emphasis, links, images, code fences, front
  matter); the YAML front matter's ``date`` and ``title`` are read.
* Plain text is kept as it is.

Every character of the clean text maps back to a character of the original
(:meth:`Document.to_original`), so evidence can be shown in either.

Bad input raises one clear error each: empty (or only boilerplate), binary (NUL bytes,
undecodable, PDF/ZIP/images), larger than the size cap, not English.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import TypedDict

from allyscope.extract.dates import find_dates, parse_date
from allyscope.extract.errors import (
    BinaryDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    NotEnglishError,
)

#: default size cap for one input file (raise with ``max_bytes`` / ``--max-size``)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

FORMATS = ("text", "markdown", "html")


class OffsetMap:
    """Clean-text positions → original-text positions, built piece by piece."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.clean_starts: list[int] = []
        self.orig_starts: list[int] = []
        self.lengths: list[int] = []
        self.length = 0

    def add(self, text: str, orig: int | None) -> None:
        if not text:
            return
        if orig is not None:
            self.clean_starts.append(self.length)
            self.orig_starts.append(orig)
            self.lengths.append(len(text))
        self.parts.append(text)
        self.length += len(text)

    def tail(self, n: int = 2) -> str:
        out = ""
        for p in reversed(self.parts):
            out = p + out
            if len(out) >= n:
                break
        return out[-n:]

    def text(self) -> str:
        return "".join(self.parts)

    def to_original(self, pos: int) -> int | None:
        if not self.clean_starts:
            return None
        i = bisect.bisect_right(self.clean_starts, pos) - 1
        if i < 0:
            return self.orig_starts[0]
        off = pos - self.clean_starts[i]
        return self.orig_starts[i] + min(off, self.lengths[i])


@dataclass
class Document:
    """A document ready for extraction."""

    text: str  # cleaned text: what the extractor reads and offsets refer to
    original: str  # decoded original
    format: str  # "text", "markdown" or "html"
    name: str = "<text>"
    date: dt.date | None = None
    date_source: str | None = None  # "option", "metadata", "dateline" or None
    title: str | None = None
    url: str | None = None
    publisher: str | None = None
    _map: OffsetMap | None = field(default=None, repr=False)

    def to_original(self, start: int, end: int) -> tuple[int | None, int | None]:
        """Original-text span of a clean-text span (identity for plain text)."""
        if self._map is None:
            return start, end
        a = self._map.to_original(start)
        b = self._map.to_original(max(start, end - 1))
        return a, (b + 1 if b is not None else None)


# -- bytes → str -------------------------------------------------------------------------

_MAGIC = {
    b"%PDF": "a PDF file",
    b"PK\x03\x04": "a ZIP container (e.g. .docx, .xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file",
    b"{\\rtf": "an RTF file",
}


def decode(data: bytes, name: str = "<input>") -> str:
    """Text of a file's bytes, or :class:`BinaryDocumentError`."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise BinaryDocumentError(
                f"{name} is {what}, not text",
                "save the article as text, Markdown or HTML (e.g. copy the text into a .txt file)",
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = data[:65536]
    if b"\x00" in head:
        raise BinaryDocumentError(
            f"{name} is a binary file (it contains NUL bytes)",
            "give a text, Markdown or HTML file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        bad = sum(
            1 for ch in text[:65536] if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f")
        )
        if bad > 0.02 * max(1, min(len(text), 65536)):
            raise BinaryDocumentError(
                f"{name} is not readable text (not UTF-8, and too many control bytes for Windows-1252)",
                "convert the file to UTF-8 text",
            ) from None
    ctrl = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if ctrl > 0.02 * max(1, min(len(text), 65536)):
        raise BinaryDocumentError(
            f"{name} looks binary (many control characters)", "give a text file"
        )
    return text


# -- format sniffing -----------------------------------------------------------------------

_HTML_SNIFF = re.compile(
    r"^\s*(?:<!DOCTYPE\s+html|<html\b|<head\b|<body\b|<\?xml[^>]*>\s*<html)", re.I
)


def detect_format(text: str, name: str | None = None) -> str:
    ext = Path(name).suffix.lower() if name else ""
    if ext in {".html", ".htm", ".xhtml", ".shtml"}:
        return "html"
    if ext in {".md", ".markdown", ".mdown", ".mkd"}:
        return "markdown"
    if _HTML_SNIFF.match(text[:2000]):
        return "html"
    if ext in {".txt", ".text"}:
        return "text"
    tags = len(re.findall(r"</?(?:p|div|span|a|br|li|h[1-6])\b", text[:20000], re.I))
    if tags >= 5:
        return "html"
    if re.search(r"^(?:---\s*\n|#{1,6}\s)", text[:200], re.M):
        return "markdown"
    return "text"


# -- boilerplate -------------------------------------------------------------------------

_BOILER_LINE = re.compile(
    r"^\s*(?:back\s+to\s+top|top\s+of\s+page|return\s+to\s+top|share(?:\s+this(?:\s+(?:page|article|story))?)?"
    r"|share\s+on\s+\w+|print(?:\s+this\s+page)?|tweet|email|e-mail|facebook|twitter|x|linkedin|whatsapp"
    r"|copy\s+link|skip\s+to\s+(?:main\s+)?content|skip\s+navigation|menu|main\s+menu|search|home"
    r"|an\s+official\s+website\s+of\s+the\s+united\s+states\s+government|here'?s\s+how\s+you\s+know"
    r"|official\s+websites\s+use\s+\.gov.*|secure\s+\.gov\s+websites\s+use\s+https.*"
    r"|a\s+\.gov\s+website\s+belongs\s+to.*|a\s+lock\s+.*means\s+you.ve\s+safely\s+connected.*"
    r"|(?:related|recommended|more)\s+(?:articles|news|stories|content)|advertisement|read\s+more"
    r"|subscribe(?:\s+to\s+\w+)?|sign\s+up.*newsletter.*|follow\s+us.*|accept(?:\s+all)?(?:\s+cookies)?"
    r"|reject\s+all|cookie\s+settings|manage\s+cookies|previous|next|print\s+friendly"
    r")\s*[|·•>»]*\s*$",
    re.I,
)
_COOKIE = re.compile(r"\bcookies?\b", re.I)


def is_boilerplate_line(line: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if _BOILER_LINE.match(s):
        return True
    words = s.split()
    return bool(
        _COOKIE.search(s)
        and len(words) <= 60
        and re.search(
            r"\b(?:we\s+use|this\s+(?:site|website)\s+uses|accept|consent|privacy)\b", s, re.I
        )
    )


# -- HTML ----------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "nav", "footer", "aside",
              "form", "button", "select", "option", "head", "object", "canvas", "dialog", "menu"}  # fmt: skip
_VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "area", "base", "col", "embed",
         "source", "track", "param"}  # fmt: skip
_BLOCK = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
          "ol", "table", "tr", "td", "th", "thead", "tbody", "blockquote", "pre", "dd", "dt", "dl",
          "figure", "figcaption", "header", "footer", "address", "hr", "br", "center", "caption",
          "details", "summary"}  # fmt: skip
_AUTOCLOSE = {"p", "li", "td", "th", "tr", "dt", "dd", "option"}
_SKIP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search"}
_BOILER_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|share|sharing|social|cookies?|consent"
    r"|gdpr|footer|sidebar|banner|skip|subscribe|newsletter|related|comments?|advert|ads?|promo"
    r"|masthead|toolbar|print|back-?to-?top|backtotop|pagination|site-?header|usa-banner|modal"
    r"|popup|byline-share|tags)(?:$|[\s_-])",
    re.I,
)
_META_DATE_KEYS = {
    "article:published_time", "og:published_time", "date", "dc.date", "dc.date.issued",
    "dcterms.date", "dcterms.created", "dcterms.issued", "pubdate", "publishdate", "publish-date",
    "publication_date", "sailthru.date", "parsely-pub-date", "citation_publication_date",
    "article.published", "datepublished", "release_date", "og:article:published_time",
}  # fmt: skip


class _HTMLCleaner(HTMLParser):
    def __init__(self, text: str, main_only: bool) -> None:
        super().__init__(convert_charrefs=False)
        self.src = text
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.main_only = main_only
        self.stack: list[tuple[str, bool, bool, bool]] = []  # tag, skip, in_main, in_article
        self.out = OffsetMap()
        self.block: list[tuple[str, int, bool, bool]] = []  # token, orig, space_before, in_link
        self.pending_space = False
        self.link_depth = 0
        self.meta_dates: list[str] = []
        self.time_dates: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self.in_title = False
        self.in_h1 = False
        self.in_ldjson = False
        self.ldjson: list[str] = []
        self.url: str | None = None
        self.publisher: str | None = None

    # position of the current event in the source
    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @property
    def in_main(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def _head_tag(self, tag: str, a: dict[str, str]) -> bool:
        """Metadata tags (meta, canonical link): record what they say; True if handled."""
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            content = a.get("content")
            if not content:
                return True
            if key in _META_DATE_KEYS:
                self.meta_dates.append(content)
            elif key == "og:url":
                self.url = self.url or content
            elif key in ("og:site_name", "publisher", "dc.publisher", "citation_publisher"):
                self.publisher = self.publisher or content
            return True
        if tag == "link" and "canonical" in a.get("rel", "").lower() and a.get("href"):
            self.url = a["href"]
            return True
        return False

    def _skips(self, tag: str, a: dict[str, str], is_main: bool, in_article: bool) -> bool:
        """Whether an element's text is boilerplate (navigation, hidden, headers ...)."""
        if self.skipping or tag in _SKIP_TAGS or a.get("aria-hidden") == "true" or "hidden" in a:
            return True
        if tag == "header" and not in_article:
            return True
        attr_text = " ".join(
            (a.get("class", ""), a.get("id", ""), a.get("role", ""), a.get("aria-label", ""))
        )
        if not is_main and _BOILER_ATTR.search(attr_text):
            return True
        return a.get("role", "").lower() in _SKIP_ROLES

    def _markers(self, tag: str, a: dict[str, str]) -> None:
        """Title, JSON-LD and <time> elements: where the document's metadata is."""
        if tag == "title":
            self.in_title = True
        if tag == "script" and "ld+json" in a.get("type", ""):
            self.in_ldjson = True
        if tag == "time" and a.get("datetime") and not self.skipping:
            self.time_dates.append(a["datetime"])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        a = {k.lower(): (v or "") for k, v in attrs}
        if self._head_tag(tag, a):
            return
        self._markers(tag, a)
        if tag in _VOID:
            if tag in ("br", "hr"):
                self._break(tag == "hr")
            return
        if tag in _AUTOCLOSE and self.stack and self.stack[-1][0] == tag:
            self.handle_endtag(tag)
        main_role = a.get("role", "").lower() == "main"
        is_main = tag in ("main", "article") or main_role
        in_article = (bool(self.stack) and self.stack[-1][3]) or is_main
        skip = self._skips(tag, a, is_main, in_article)
        self.stack.append((tag, skip, self.in_main or is_main, in_article))
        if tag == "h1":
            self.in_h1 = True
        if tag == "a":
            self.link_depth += 1
        if tag in _BLOCK:
            self._break(
                tag
                in (
                    "p",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "h5",
                    "h6",
                    "li",
                    "blockquote",
                    "tr",
                    "dd",
                    "dt",
                    "figcaption",
                )
            )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag == "title":
            self.in_title = False
        if tag == "script":
            self.in_ldjson = False
        if tag in _VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for t, *_ in self.stack[i:]:
                    if t == "a":
                        self.link_depth = max(0, self.link_depth - 1)
                    if t == "h1":
                        self.in_h1 = False
                del self.stack[i:]
                break
        if tag in _BLOCK:
            self._break(True)

    def _emit_text(self, data: str, pos: int) -> None:
        if self.in_title:
            self.title_parts.append(data)
        if self.in_ldjson:
            self.ldjson.append(data)
            return
        if self.skipping or (self.main_only and not self.in_main):
            return
        if self.in_h1:
            self.h1_parts.append(data)
        for m in re.finditer(r"\S+", data):
            space = self.pending_space or m.start() > 0
            self.block.append((m.group(0), pos + m.start(), space, self.link_depth > 0))
            self.pending_space = False
        if data and data[-1].isspace():
            self.pending_space = True

    def handle_data(self, data: str) -> None:
        self._emit_text(data, self._pos())

    def handle_entityref(self, name: str) -> None:
        ch = unescape(f"&{name};")
        if ch == f"&{name};":
            ch = f"&{name}"
        self._entity(ch)

    def handle_charref(self, name: str) -> None:
        self._entity(unescape(f"&#{name};"))

    def _entity(self, ch: str) -> None:
        pos = self._pos()
        if self.in_title:
            self.title_parts.append(ch)
        if self.skipping or (self.main_only and not self.in_main) or self.in_ldjson:
            return
        if ch.isspace() or ch == "\xa0":
            self.pending_space = True
            return
        if self.block and not self.pending_space and self.block[-1][1] >= 0:
            tok, orig, space, link = self.block[-1]
            # glue to the previous token; offsets stay with the token's start
            self.block[-1] = (tok + ch, orig, space, link)
            return
        self.block.append((ch, pos, self.pending_space, self.link_depth > 0))
        self.pending_space = False

    def _break(self, paragraph: bool) -> None:
        self._flush()
        self.pending_space = False
        if self.out.length:
            want = "\n\n" if paragraph else "\n"
            tail = self.out.tail(2)
            if want == "\n\n" and tail != "\n\n":
                self.out.add("\n" if tail.endswith("\n") else "\n\n", None)
            elif want == "\n" and not tail.endswith("\n"):
                self.out.add("\n", None)

    def _flush(self) -> None:
        if not self.block:
            return
        toks = self.block
        self.block = []
        text = " ".join(t for t, *_ in toks)
        n_link = sum(len(t) for t, _, _, link in toks if link)
        n_all = sum(len(t) for t, *_ in toks)
        words = len(toks)
        if is_boilerplate_line(text):
            return
        if n_all and n_link / n_all > 0.6 and words < 40 and not re.search(r"[.!?]\s*$", text):
            return
        tail = self.out.tail(1)
        if self.out.length and tail not in ("\n", ""):
            self.out.add(" ", None)
        for j, (tok, orig, space, _link) in enumerate(toks):
            if j and space:
                self.out.add(" ", None)
            self.out.add(tok, orig)

    def close(self) -> None:
        super().close()
        self._flush()


class DocMeta(TypedDict, total=False):
    """What a document's markup says about it: title, dates, address and publisher."""

    title: str | None
    dates: list[str]
    url: str | None
    publisher: str | None


def clean_html(text: str) -> tuple[OffsetMap, DocMeta]:
    main_only = bool(re.search(r"<(?:main|article)\b|role\s*=\s*[\"']?main", text, re.I))
    p = _HTMLCleaner(text, main_only)
    p.feed(text)
    p.close()
    if main_only and not p.out.text().strip():  # a <main> that held nothing: read the body
        p = _HTMLCleaner(text, False)
        p.feed(text)
        p.close()
    meta: DocMeta = {
        "title": (" ".join("".join(p.h1_parts).split()) or " ".join("".join(p.title_parts).split()))
        or None,
        "dates": list(p.meta_dates),
        "url": p.url,
        "publisher": p.publisher,
    }
    for blob in p.ldjson:
        for m in re.finditer(r'"datePublished"\s*:\s*"([^"]+)"', blob):
            meta["dates"].append(m.group(1))
    meta["dates"] += p.time_dates
    return p.out, meta


# -- Markdown ------------------------------------------------------------------------------

_MD_INLINE = re.compile(
    r"(?P<img>!\[[^\]]*\]\([^)]*\))"
    r"|\[(?P<ltext>[^\]]*)\]\((?P<lurl>[^)]*)\)"
    r"|\[(?P<rtext>[^\]]*)\]\[[^\]]*\]"
    r"|(?P<auto><https?://[^>\s]+>)"
    r"|(?P<tag></?[A-Za-z][^>]*>)"
    r"|(?P<emph>\*\*|__|~~|`+|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)|(?<=\S)_(?![\w_]))"
)
_MD_PREFIX = re.compile(
    r"^(?:\s{0,3}#{1,6}\s+|\s*>\s?|\s*[-*+]\s+(?:\[[ xX]\]\s+)?|\s*\d{1,3}[.)]\s+)+"
)
_MD_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_MD_LINKDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")


def _front_matter(lines: list[str], meta: DocMeta) -> tuple[int, int]:
    """Read a leading ``---`` YAML block into ``meta``; return (characters, lines) used."""
    if not lines or lines[0].strip() != "---":
        return 0, 0
    for j in range(1, min(len(lines), 200)):
        if lines[j].strip() in ("---", "..."):
            _read_front_matter("".join(lines[1:j]), meta)
            return sum(len(x) for x in lines[: j + 1]), j + 1
    return 0, 0


def _md_skipped(body: str) -> bool:
    """Rules, link definitions, table rulers and boilerplate lines carry no text."""
    if _MD_RULE.match(body) or _MD_LINKDEF.match(body):
        return True
    if re.match(r"^\s*\|?[\s:|-]+\|[\s:|-]*$", body):
        return True
    plain = _MD_INLINE.sub(lambda m: m.group("ltext") or m.group("rtext") or "", body)
    return bool(body.strip()) and is_boilerplate_line(plain)


def clean_markdown(text: str) -> tuple[OffsetMap, DocMeta]:
    out = OffsetMap()
    meta: DocMeta = {"title": None, "dates": []}
    lines = text.splitlines(keepends=True)
    pos, first = _front_matter(lines, meta)
    in_fence = False
    prev_blank = True
    for line in lines[first:]:
        start = pos
        pos += len(line)
        body = line.rstrip("\r\n")
        if re.match(r"^\s{0,3}(```|~~~)", body):
            in_fence = not in_fence
            continue
        if in_fence or _md_skipped(body):
            continue
        if not body.strip():
            if out.length and not prev_blank:
                out.add("\n\n", None)
            prev_blank = True
            continue
        heading = bool(re.match(r"^\s{0,3}#{1,6}\s", body))
        bullet = bool(re.match(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+", body))
        m = _MD_PREFIX.match(body)
        k = m.end() if m else 0
        if not prev_blank and out.length:
            out.add("\n\n" if heading or bullet else "\n", None)
        if meta["title"] is None and heading:
            meta["title"] = _MD_INLINE.sub(lambda mm: mm.group("ltext") or "", body[k:]).strip()
        _md_inline(body[k:].replace("|", " "), start + k, out)
        if heading:
            out.add("\n\n", None)
        prev_blank = heading
    return out, meta


def _md_inline(s: str, base: int, out: OffsetMap) -> None:
    last = 0
    for m in _MD_INLINE.finditer(s):
        if m.start() > last:
            out.add(s[last : m.start()], base + last)
        for g in ("ltext", "rtext"):
            if m.group(g) is not None:
                out.add(m.group(g), base + m.start(g))
        last = m.end()
    if last < len(s):
        out.add(s[last:], base + last)


def _read_front_matter(front: str, meta: DocMeta) -> None:
    import yaml

    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError:
        return
    if not isinstance(data, dict):
        return
    if data.get("title"):
        meta["title"] = str(data["title"])
    for key in ("url", "source_url", "link"):
        if data.get(key):
            meta["url"] = str(data[key])
            break
    for key in ("publisher", "source", "site"):
        if data.get(key):
            meta["publisher"] = str(data[key])
            break
    for key in ("date", "published", "pubdate", "date_published"):
        if data.get(key):
            meta["dates"].append(str(data[key]))
            break


# -- language --------------------------------------------------------------------------------

_STOP = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "a",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "at",
        "from",
        "be",
        "this",
        "are",
        "was",
        "it",
        "an",
        "which",
        "or",
        "have",
        "has",
        "their",
        "its",
        "will",
        "not",
        "we",
        "our",
        "they",
        "were",
        "been",
        "also",
        "but",
        "he",
        "she",
        "his",
        "her",
        "more",
        "these",
        "would",
        "who",
        "all",
        "can",
        "said",
        "other",
        "into",
        "after",
        "over",
        "between",
        "two",
        "three",
        "than",
        "about",
        "such",
        "both",
        "under",
        "should",
        "each",
        "during",
        "new",
        "including",
        "while",
        "when",
        "there",
        "would",
        "could",
        "them",
        "us",
        "one",
    ]
)


def check_english(text: str, name: str = "<input>") -> None:
    """Raise :class:`NotEnglishError` unless ``text`` reads like English.

    Two cheap tests: most letters must be Latin script, and English function words must
    make up a fair share of the words (about 40% in news prose; below 12% is not English).
    """
    sample = text[:200_000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return
    latin = sum(1 for c in letters if ord(c) < 0x250)
    if latin / len(letters) < 0.6:
        raise NotEnglishError(
            f"{name} is not in English (most of its letters are not Latin script)",
            "the extractor reads English statements; use an official English version",
        )
    words = re.findall(r"[A-Za-z]+", sample)
    if len(words) < 25:
        return
    share = sum(1 for w in words if w.lower() in _STOP) / len(words)
    if share < 0.12:
        raise NotEnglishError(
            f"{name} does not look like English (only {share:.0%} of its words are common English words)",
            "the extractor reads English statements; use an official English version",
        )


# -- entry points ----------------------------------------------------------------------------


def _pick_date(candidates: list[str]) -> dt.date | None:
    for c in candidates:
        try:
            return parse_date(c)
        except ValueError:
            continue
    return None


def dateline_date(text: str) -> dt.date | None:
    """A full date near the top of a text (a dateline or a 'Published' line)."""
    head = text[:1200]
    for f in find_dates(head):
        if f.precision == "day" and f.value and not f.relative:
            return dt.date.fromisoformat(f.value)
    return None


def parse_text(
    text: str,
    *,
    format: str | None = None,
    name: str = "<text>",
    date: dt.date | str | None = None,
    check_language: bool = True,
) -> Document:
    """A :class:`Document` from already decoded text."""
    fmt = format or detect_format(text, name)
    if fmt not in FORMATS:
        from allyscope.errors import InvalidInputError

        raise InvalidInputError(
            f"unknown document format {fmt!r}", f"use one of {', '.join(FORMATS)}"
        )
    if not text.strip():
        raise EmptyDocumentError(f"{name} is empty", "give a file with the statement's text")
    omap: OffsetMap | None
    if fmt == "html":
        omap, meta = clean_html(text)
        clean = omap.text()
    elif fmt == "markdown":
        omap, meta = clean_markdown(text)
        clean = omap.text()
    else:
        omap, meta = None, {"title": None, "dates": []}
        clean = text
    if not clean.strip():
        raise EmptyDocumentError(
            f"{name} has no text once markup and boilerplate are removed",
            "check that the file holds the statement itself, not only a page frame",
        )
    if check_language:
        check_english(clean, name)
    doc_date: dt.date | None = None
    source = None
    if date is not None:
        doc_date, source = parse_date(date), "option"
    else:
        doc_date = _pick_date([str(d) for d in meta.get("dates", [])])
        source = "metadata" if doc_date else None
        if doc_date is None:
            doc_date = dateline_date(clean)
            source = "dateline" if doc_date else None
    title = meta.get("title")
    return Document(
        text=clean,
        original=text,
        format=fmt,
        name=name,
        date=doc_date,
        date_source=source,
        title=str(title) if title else None,
        url=str(meta["url"]) if meta.get("url") else None,
        publisher=str(meta["publisher"]) if meta.get("publisher") else None,
        _map=omap,
    )


def read_document(
    path: str | Path,
    *,
    format: str | None = None,
    date: dt.date | str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    check_language: bool = True,
) -> Document:
    """Read and clean one file (see module docs); bad input raises one clear error."""
    p = Path(path)
    if not p.is_file():
        from allyscope.errors import InvalidInputError

        raise InvalidInputError(f"no such file: {p}", "check the path")
    size = p.stat().st_size
    if size == 0:
        raise EmptyDocumentError(f"{p} is empty (0 bytes)", "give a file with the statement's text")
    if size > max_bytes:
        raise DocumentTooLargeError(
            f"{p} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one document",
            "split it, or raise the limit with --max-size MB (max_bytes=...)",
        )
    text = decode(p.read_bytes(), str(p))
    return parse_text(text, format=format, name=str(p), date=date, check_language=check_language)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "Document",
    "OffsetMap",
    "check_english",
    "clean_html",
    "clean_markdown",
    "decode",
    "detect_format",
    "is_boilerplate_line",
    "parse_text",
    "read_document",
]
