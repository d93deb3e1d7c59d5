"""Walk through candidates in the terminal: accept, edit or reject each.

Reads answers with :mod:`rich.prompt`, so it works at a terminal and with answers piped
on standard input (one answer per line), which is how it is tested. An edited record
is checked against the schema before it is accepted; a bad value is asked for again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table

from allyscope.extract.extractor import Candidate
from allyscope.extract.records import problems
from allyscope.mechanisms.schema import LEVELS, MECHANISM_TYPES, REGULARITIES, normalize_term

#: fields a reviewer may edit, in the order they are asked
EDITABLE = ("type", "members", "date", "level", "regularity", "bindingness", "issue_areas", "title")


def _show(console: Console, i: int, n: int, c: Candidate, rec: dict[str, Any]) -> None:
    t = Table(show_header=False, box=None, pad_edge=False)
    for key in (
        "type",
        "members",
        "date",
        "level",
        "regularity",
        "bindingness",
        "issue_areas",
        "title",
    ):
        val = rec.get(key)
        t.add_row(key, ", ".join(val) if isinstance(val, list) else str(val))
    t.add_row("confidence", f"{c.confidence:.2f}")
    ev = "\n".join(f"“{e.sentence}”" for e in c.evidence)
    console.print(Panel.fit(t, title=f"candidate {i}/{n}: {MECHANISM_TYPES.get(c.type, c.type)}"))
    console.print(f"[dim]{ev}[/dim]", highlight=False)


def _parse(key: str, text: str) -> Any:
    text = text.strip()
    if key in ("members", "issue_areas"):
        vals = [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]
        return [v.upper() for v in vals] if key == "members" else [normalize_term(v) for v in vals]
    if key in ("type", "level", "regularity", "bindingness"):
        return normalize_term(text)
    return text


def _edit(console: Console, rec: dict[str, Any], ask: Callable[..., str]) -> dict[str, Any]:
    new = dict(rec)
    for key in EDITABLE:
        cur = new.get(key)
        shown = ", ".join(cur) if isinstance(cur, list) else ("" if cur is None else str(cur))
        hint = {"type": " (" + ", ".join(MECHANISM_TYPES) + ")", "level": " (" + ", ".join(LEVELS) + ")",
                "regularity": " (" + ", ".join(REGULARITIES) + ")"}.get(key, "")  # fmt: skip
        while True:
            answer = ask(f"  {key}{hint}", default=shown)
            new[key] = _parse(key, answer)
            errs = [p for p in problems(new) if p.split(":")[0] == key]
            if key == "members" and len(new[key]) < 2:
                errs.append("members: a mechanism needs at least two states")
            if not errs:
                break
            console.print(f"[red]{errs[0]}[/red]", highlight=False)
    return new


def review(
    items: list[tuple[Candidate, dict[str, Any]]],
    console: Console | None = None,
    ask: Callable[..., str] | None = None,
) -> list[tuple[Candidate, dict[str, Any]]]:
    """The accepted (and possibly edited) candidates, in order. ``q`` stops and keeps
    what was accepted so far; end of input counts as ``q``."""
    console = console or Console()

    def _ask(prompt: str, **kw: Any) -> str:
        return Prompt.ask(prompt, console=console, **kw)

    ask = ask or _ask
    kept: list[tuple[Candidate, dict[str, Any]]] = []
    for i, (c, rec) in enumerate(items, 1):
        _show(console, i, len(items), c, rec)
        try:
            choice = ask(
                r"\[a]ccept, \[e]dit, \[r]eject or \[q]uit",
                choices=["a", "e", "r", "q"],
                default="a",
            )
        except EOFError:
            break
        if choice == "q":
            break
        if choice == "r":
            console.print("[yellow]rejected[/yellow]")
            continue
        if choice == "e":
            try:
                rec = _edit(console, rec, ask)
            except EOFError:
                break
        kept.append((c, rec))
        console.print("[green]accepted[/green]")
    return kept


__all__ = ["EDITABLE", "review"]
