"""One clear line for a user's error (exit status 2); the full chained traceback with
--debug or ALLYSCOPE_DEBUG=1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


# -- every command: outputs and years are checked before any work ----------------------------

OUTPUT_FLAGS = {"-o", "--output", "--plot", "--calibration", "--predictions"}
YEAR_FLAGS = ("--from", "--to", "--year", "--through")


def _commands():
    """(command words, click command) for every visible command."""
    from typer.main import get_command

    from allyscope.cli import app, register_commands

    register_commands()

    def walk(cmd, words):
        if hasattr(cmd, "commands"):  # a group
            for name, sub in sorted(cmd.commands.items()):
                if not sub.hidden:
                    yield from walk(sub, [*words, name])
        else:
            yield words, cmd

    yield from walk(get_command(app), [])


def _required_args(cmd) -> list[str]:
    """Two states for every required argument (what most commands take)."""
    args: list[str] = []
    for p in cmd.params:
        if p.param_type_name == "argument" and p.required:
            args += ["USA", "JPN"] if p.nargs != 1 else ["USA"]
    return args


def _option(cmd, flags) -> list[str]:
    return [
        next(o for o in p.opts if o in flags)
        for p in cmd.params
        if p.param_type_name == "option" and set(p.opts) & set(flags)
    ]


def _main(capsys, argv: list[str]) -> tuple[int, list[str]]:
    """Run the command line in this process: exit status and the lines on stderr."""
    from allyscope.cli import main

    capsys.readouterr()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    return code, [ln for ln in err.splitlines() if ln.strip()]


def _one_error(code: int, lines: list[str], argv: list[str]) -> str:
    assert code == 2, (argv, code, lines)
    assert lines and lines[0].startswith("error: "), (argv, lines)
    assert len(lines) <= 2 and all("Traceback" not in ln for ln in lines), (argv, lines)
    return lines[0]


def _with_outputs() -> list[tuple[list[str], str]]:
    return [(words, flag) for words, cmd in _commands() for flag in _option(cmd, OUTPUT_FLAGS)]


def test_commands_with_outputs_are_found():
    words = {" ".join(w) for w, _ in _with_outputs()}
    assert {"report", "un affinity", "institutions", "panel dyad-years", "network"} <= words


@pytest.mark.parametrize(("place", "text"), [
    ("directory", "it is a directory"),
    ("missing", "does not exist"),
    ("read-only", "is not writable"),
])  # fmt: skip
def test_every_output_option_refuses_a_bad_place_before_any_work(
    tmp_path, capsys, monkeypatch, place: str, text: str
):
    """-o/--plot (and the other output options) naming an existing directory, a file in
    a missing folder or in a folder nobody may write: one line, exit 2, nothing computed
    (no warehouse exists here, so any work would fail with another message)."""
    import os

    from allyscope import config

    monkeypatch.setattr(config, "_home_override", tmp_path / "no-data-here")
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere permissions say no; sysfs refuses it
        readonly = Path("/sys")
    checked = 0
    for words, flag in _with_outputs():
        cmd = dict((" ".join(w), c) for w, c in _commands())[" ".join(words)]
        for ext in (".csv", ".html", ".yaml", ".parquet"):
            name = f"out-{checked}{ext}"
            target = {
                "directory": tmp_path / name,
                "missing": tmp_path / "no-such-folder" / name,
                "read-only": readonly / name,
            }[place]
            if place == "directory":
                target.mkdir()
            argv = [*words, *_required_args(cmd), flag, str(target)]
            first = _one_error(*_main(capsys, argv), argv)
            if "file type" in first or "use a .html" in first or ".html or .png" in first:
                continue  # this option takes another kind of file: try the next extension
            assert text in first, (argv, first)
            checked += 1
            break
        else:
            pytest.fail(f"no file type accepted by {' '.join(words)} {flag}")
    assert checked >= 10


def _with_years() -> list[tuple[list[str], object, str]]:
    return [(words, cmd, flag) for words, cmd in _commands() for flag in _option(cmd, YEAR_FLAGS)]


def test_commands_with_years_are_found():
    words = {" ".join(w) for w, _, _ in _with_years()}
    assert {"report", "un affinity", "institutions", "panel dyad-years", "blocs"} <= words


@pytest.mark.parametrize("value", ["-5", "0", "99999"])
def test_every_year_option_refuses_impossible_years_the_same_way(
    tmp_path, capsys, monkeypatch, value: str
):
    from allyscope import config

    monkeypatch.setattr(config, "_home_override", tmp_path / "no-data-here")
    seen = 0
    for words, cmd, flag in _with_years():
        argv = [*words, *_required_args(cmd), flag, value]
        first = _one_error(*_main(capsys, argv), argv)
        assert first.startswith(f"error: {flag} {value} is not a possible "), (argv, first)
        seen += 1
    assert seen >= 10


def test_every_window_refuses_inverted_years_the_same_way(tmp_path, capsys, monkeypatch):
    from allyscope import config

    monkeypatch.setattr(config, "_home_override", tmp_path / "no-data-here")
    seen = 0
    for words, cmd in _commands():
        flags = _option(cmd, ("--from", "--to"))
        if flags != ["--from", "--to"]:
            continue
        argv = [*words, *_required_args(cmd), "--from", "2019", "--to", "1990"]
        first = _one_error(*_main(capsys, argv), argv)
        assert "are inverted: --from 2019 comes after --to 1990" in first, (argv, first)
        seen += 1
    assert seen >= 8


def test_un_affinity_from_minus_five_is_refused(capsys):
    code, lines = _main(capsys, ["un", "affinity", "--from", "-5"])
    assert _one_error(code, lines, ["un", "affinity"]).startswith(
        "error: --from -5 is not a possible year"
    )


def test_a_long_error_stays_on_one_line(tmp_path, capsys):
    """However narrow the terminal, the message is one line (the terminal folds it)."""
    deep = tmp_path / ("a-very-long-folder-name-" * 6) / "out.csv"
    code, lines = _main(capsys, ["un", "affinity", "USA", "JPN", "-o", str(deep)])
    first = _one_error(code, lines, [])
    assert str(deep.parent) in first and len(lines) == 2


# -- extract --review without a terminal ------------------------------------------------------

STATEMENT = (
    "---\ntitle: Joint statement\npublisher: Ministry of Foreign Affairs\ndate: 2023-08-18\n"
    "url: https://example.org/statement\n---\n\n"
    "The leaders of Japan, the Republic of Korea and the United States met at Camp David on "
    "August 18, 2023.\n\nThey agreed to hold trilateral summits annually and to establish a "
    "trilateral hotline.\n"
)


def test_review_with_no_answers_is_refused_and_writes_nothing(tmp_path):
    """`extract --review < /dev/null`: no terminal and no answers decide nothing, so the
    command refuses (one line, exit 2) instead of writing an empty file."""
    doc = tmp_path / "statement.md"
    doc.write_text(STATEMENT, encoding="utf-8")
    out = tmp_path / "reviewed.yaml"
    code = "import sys; from allyscope.cli import main; main(sys.argv[1:])"
    with open(os.devnull) as devnull:
        r = subprocess.run(
            [sys.executable, "-c", code, "extract", str(doc), "--review", "-o", str(out)],
            stdin=devnull,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
    assert r.returncode == 2, r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and "no answer" in errors[0]
    assert not out.exists()


def test_review_input_ending_midway_says_what_was_left_out(tmp_path):
    from typer.testing import CliRunner

    from allyscope.cli import app, register_commands

    register_commands()
    doc = tmp_path / "statement.md"
    doc.write_text(STATEMENT, encoding="utf-8")
    out = tmp_path / "reviewed.yaml"
    res = CliRunner().invoke(app, ["extract", str(doc), "--review", "-o", str(out)], input="a\n")
    assert res.exit_code == 0, res.output
    assert "ended with 2 candidate(s) undecided" in " ".join(res.output.split())
    assert out.is_file()
