"""`allyscope report` for a window one source does not cover: the report is written and the
section that source feeds says what is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.data, pytest.mark.slow]


def test_report_for_a_window_past_the_exercise_data(data_home: Path, tmp_path: Path, capsys):
    from allyscope.cli import main

    out = tmp_path / "r.html"
    try:
        main(["report", "USA", "JPN", "KOR", "--from", "2011", "--to", "2019", "-o", str(out)])
    except SystemExit as exc:  # the command line ends with its exit status
        if exc.code not in (0, None):
            pytest.fail(f"exit {exc.code}: {capsys.readouterr().err}")
    html = out.read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", html)
    # the exercise data end in 2010: said, not drawn as zeros
    assert "Multinational Military Exercises data cover 1980–2010" in text
    assert "missing (not zero)" in text
    for section in ("institutions", "alignment", "defacto", "structure", "forecast"):
        assert f'id="{section}"' in html, section
