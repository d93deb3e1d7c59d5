"""One clear line for a user's error (exit status 2); the full chained traceback with
--debug or ALLYSCOPE_DEBUG=1."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k != "ALLYSCOPE_DEBUG"}
    full.update({"COLUMNS": "200", **(env or {})})
    code = "import sys; from allyscope.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=full
    )


BAD = ("report", "USA", "JPN", "-o", "report.txt")  # refused before any data is read


def test_user_error_is_one_line_with_a_hint():
    r = _run(*BAD)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("error: cannot write the report to 'report.txt'")
    assert "→" in lines[1] and "report.html" in lines[1]
    assert len(lines) == 2
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("how", ["flag", "env"])
def test_debug_shows_the_chained_traceback(how: str):
    r = _run("--debug", *BAD) if how == "flag" else _run(*BAD, env={"ALLYSCOPE_DEBUG": "1"})
    assert r.returncode == 2
    assert "Traceback (most recent call last)" in r.stderr
    assert "InvalidInputError" in r.stderr and "report_cmd" in r.stderr
    assert "error: cannot write the report" in r.stderr  # the one line still closes it


def test_debug_traceback_includes_the_cause(monkeypatch: pytest.MonkeyPatch):
    """A wrapped error keeps its cause in the debug output."""
    import io

    from rich.console import Console

    from allyscope import clikit
    from allyscope.errors import CorruptFileError

    buf = io.StringIO()
    monkeypatch.setattr(clikit, "err_console", lambda: Console(file=buf, width=200))
    monkeypatch.setitem(clikit._STATE, "debug", True)
    try:
        try:
            raise ValueError("bad byte at 12")
        except ValueError as exc:
            raise CorruptFileError("x.csv: cannot parse CSV", "fetch it again") from exc
    except CorruptFileError as exc:
        clikit.report_error(exc)
    text = buf.getvalue()
    assert "ValueError: bad byte at 12" in text
    assert "direct cause" in text
    assert "error: x.csv: cannot parse CSV" in text
