"""Walk through candidates in the terminal: accept, edit or reject each.

Reads answers with :mod:`rich.prompt`, so it works at a terminal and with answers piped
on standard input (one answer per line), which is how it is tested. An edited record
is checked against the schema before it is accepted; a bad value is asked for again.

When standard input ends before the first answer (no terminal and nothing piped, as with
``< /dev/null``) the review is refused (:class:`NoAnswersError`): nothing was decided, so
nothing is written. When it ends later, that counts as ``q``: the candidates accepted so
far are kept and :attr:`Review.ended_early` says how many were left undecided.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.prompt import Prompt
from rich.table import Table

from allyscope.errors import InvalidInputError
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


class NoAnswersError(InvalidInputError):
    """``--review`` without a terminal and without answers on standard input."""

    def __init__(self, n: int) -> None:
        super().__init__(
            f"--review got no answer for any of the {n} candidate(s): standard input is "
            "empty and not a terminal",
            "run it at a terminal, pipe one answer per candidate (a, e, r or q), or leave "
            "out --review to write every candidate for review later",
        )


class Review(list[tuple[Candidate, dict[str, Any]]]):
    """The accepted candidates, with how the review ended."""

    #: candidates left undecided because standard input ended (0: every one was decided
    #: or the reviewer quit with ``q``)
    ended_early: int = 0


def review(
    items: list[tuple[Candidate, dict[str, Any]]],
    console: Console | None = None,
    ask: Callable[..., str] | None = None,
) -> Review:
    """The accepted (and possibly edited) candidates, in order. ``q`` stops and keeps
    what was accepted so far; end of input counts as ``q`` except before the first answer,
    which raises :class:`NoAnswersError`."""
    console = console or Console()

    def _ask(prompt: str, **kw: Any) -> str:
        return Prompt.ask(prompt, console=console, **kw)

    ask = ask or _ask
    kept = Review()
    for i, (c, rec) in enumerate(items, 1):
        _show(console, i, len(items), c, rec)
        try:
            choice = ask(
                r"\[a]ccept, \[e]dit, \[r]eject or \[q]uit",
                choices=["a", "e", "r", "q"],
                default="a",
            )
        except EOFError:
            console.print()  # end the prompt's line
            if i == 1:
                raise NoAnswersError(len(items)) from None
            kept.ended_early = len(items) - i + 1
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
                console.print()
                kept.ended_early = len(items) - i + 1
                break
        kept.append((c, rec))
        console.print("[green]accepted[/green]")
    return kept


__all__ = ["EDITABLE", "NoAnswersError", "Review", "review"]
