"""Build the extraction evaluation corpus from the stored source texts.

Reads ``sources.yaml`` (provenance of every document, curated by hand) and ``raw/``
(each text exactly as it was obtained), checks the archived copies against their
recorded length, writes the plain-text document the extractor reads to ``docs/<id>.txt``
and the corpus manifest to ``manifest.yaml``. Rerunnable; run ``split.py`` afterwards.

    python bench/extract_eval/build.py

How a text becomes ``docs/<id>.txt``:

* ``raw/<id>.txt`` (page text returned by a search index, from the page's beginning)
  is copied byte for byte.
* ``raw/<id>.md`` (a statement archived as Markdown with front matter) is checked
  against the archived file's length in characters, its front matter is dropped, and
  its body is rendered to plain text with a CommonMark parser: one paragraph per block,
  soft line breaks joined, emphasis and escapes removed, list items prefixed with their
  marker, HTML tags dropped (table cells separated by tabs). No word is changed.
"""

from __future__ import annotations

import datetime as dt
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

HERE = Path(__file__).resolve().parent


class _Dumper(yaml.SafeDumper):
    """Writes repeated values in full instead of as YAML anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


RETRIEVED = dt.date(2026, 11, 29)
KINDS = ("primary_official", "intergovernmental", "wire", "newspaper")
GROUPINGS = (
    "us-japan-rok",
    "japan-rok",
    "quad",
    "aukus",
    "us-japan-australia",
    "us-japan-philippines",
    "nato-ip4",
    "china-russia",
    "russia-dprk",
    "other",
)
SELECTED_AS = ("mechanism", "no_mechanism")


class CorpusError(Exception):
    """A source entry or stored text that does not satisfy the corpus rules."""


class _HtmlText(HTMLParser):
    """Text of an HTML fragment: cells joined by tabs, rows and blocks by newlines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = [[]]
        self.cell: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = []
        elif tag in ("tr", "p", "div"):
            self.rows.append([])

    def handle_data(self, data: str) -> None:
        self.cell.append(data)

    def text(self) -> str:
        loose = " ".join("".join(self.cell).split())
        lines = ["\t".join(r) for r in self.rows if r]
        return "\n".join([*lines, loose] if loose else lines)


def _inline(token: Token) -> str:
    out: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        # emphasis markers and inline HTML tags (<sup>, <u>, <img>) carry no words
    return "".join(out).strip()


def render_markdown(body: str) -> str:
    """Plain text of a Markdown body, one block per paragraph."""
    # the archives indent some paragraphs by four or more spaces; none holds code
    tokens = MarkdownIt("commonmark", {"html": True}).disable("code").parse(body)
    blocks: list[str] = []
    prefix: list[str] = []
    for tok in tokens:
        if tok.type == "list_item_open":
            prefix.append(f"{tok.info}{tok.markup} " if tok.info else f"{tok.markup} ")
        elif tok.type == "list_item_close":
            prefix.pop()
        elif tok.type == "inline":
            text = _inline(tok)
            if text:
                lead = "".join(p for p in prefix[-1:])
                blocks.append(lead + text)
                if prefix:
                    prefix[-1] = " " * len(prefix[-1])
        elif tok.type in ("code_block", "fence"):
            blocks.append(tok.content.strip("\n"))
        elif tok.type == "html_block":
            parser = _HtmlText()
            parser.feed(tok.content)
            parser.close()
            if parser.text():
                blocks.append(parser.text())
    return "\n\n".join(blocks) + "\n"


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.startswith("---\n"):
        raise CorpusError("archived Markdown copy has no front matter")
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


def _check_entry(e: dict[str, Any]) -> None:
    for key in ("id", "title", "publisher", "date", "url", "source_kind", "grouping"):
        if not e.get(key):
            raise CorpusError(f"{e.get('id', '?')}: missing {key}")
    if e["source_kind"] not in KINDS:
        raise CorpusError(f"{e['id']}: unknown source_kind {e['source_kind']!r}")
    if e["grouping"] not in GROUPINGS:
        raise CorpusError(f"{e['id']}: unknown grouping {e['grouping']!r}")
    if e.get("selected_as") not in SELECTED_AS:
        raise CorpusError(f"{e['id']}: selected_as must be one of {SELECTED_AS}")
    if e["grouping"] == "other" and not e.get("states"):
        raise CorpusError(f"{e['id']}: grouping 'other' needs the states concerned")
    if not isinstance(e["date"], dt.date) or not 2008 <= e["date"].year <= 2025:
        raise CorpusError(f"{e['id']}: date {e['date']!r} outside 2008-2025")


def document_text(e: dict[str, Any]) -> tuple[str, bool, str]:
    """The text of one document, whether it is complete, and how it was produced."""
    _check_entry(e)
    md, txt = HERE / "raw" / f"{e['id']}.md", HERE / "raw" / f"{e['id']}.txt"
    if md.exists() == txt.exists():
        raise CorpusError(f"{e['id']}: need exactly one of raw/{md.name} or raw/{txt.name}")
    if txt.exists():
        text = txt.read_text(encoding="utf-8")
        return text, bool(e.get("complete")), "page text as returned by the search index, unchanged"
    raw = md.read_text(encoding="utf-8")
    if len(raw) != e["via"].get("chars"):
        raise CorpusError(
            f"{e['id']}: raw copy has {len(raw)} characters, the archive {e['via'].get('chars')}"
        )
    _, body = split_front_matter(raw)
    return render_markdown(body), True, "rendered from the archived Markdown (see build.py)"


def build_document(e: dict[str, Any]) -> dict[str, Any]:
    """Write docs/<id>.txt for one source entry and return its manifest row."""
    text, complete, text_form = document_text(e)
    (HERE / "docs" / f"{e['id']}.txt").write_text(text, encoding="utf-8")
    row: dict[str, Any] = {
        "id": e["id"],
        "title": e["title"],
        "title_supplied": bool(e.get("title_supplied")),
        "publisher": e["publisher"],
        "date": e["date"],
        "url": e["url"],
        "retrieved": RETRIEVED,
        "source_kind": e["source_kind"],
        "doc_type": e.get("doc_type"),
        "grouping": e["grouping"],
        "states": e.get("states"),
        "language": "en",
        "complete": complete,
        "word_count": len(text.split()),
        "selected_as": e["selected_as"],
        "text_form": text_form,
        "via": dict(e["via"]),
        "note": e.get("note"),
    }
    return {k: v for k, v in row.items() if v is not None}


def main() -> int:
    sources = yaml.safe_load((HERE / "sources.yaml").read_text(encoding="utf-8"))["documents"]
    ids = [e["id"] for e in sources]
    if len(ids) != len(set(ids)):
        raise CorpusError("duplicate document ids in sources.yaml")
    (HERE / "docs").mkdir(exist_ok=True)
    stale = {p.stem for p in (HERE / "docs").glob("*.txt")} - set(ids)
    for name in stale:
        (HERE / "docs" / f"{name}.txt").unlink()
    rows = [build_document(e) for e in sorted(sources, key=lambda e: e["id"])]
    manifest = {
        "corpus": {
            "name": "allyscope extraction evaluation corpus",
            "documents": len(rows),
            "retrieved": RETRIEVED,
            "selection": (
                "public statements on cooperation between states (joint statements, readouts, "
                "fact sheets, remarks, news releases, wire reports), chosen by grouping and year "
                "without reference to the extractor; 'selected_as' is the collector's guess, used "
                "only to stratify the split, never as a label"
            ),
            "labels": "labels/<id>.yaml, written from LABELLING.md",
        },
        "documents": rows,
    }
    out = HERE / "manifest.yaml"
    tmp = out.with_suffix(".tmp")
    tmp.write_text(
        yaml.dump(manifest, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8",
    )
    tmp.replace(out)
    print(f"{len(rows)} documents written to {HERE / 'docs'}; manifest {out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
