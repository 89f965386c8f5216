"""The text report at a terminal: paged when taller than the screen (unless --no-pager), never
when it fits or goes to a pipe or a file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import BASE_ANSWERS
from tests.screen import Screen

pytestmark = pytest.mark.timeout(30)

MARK = "sed s/^/PAGED:/"  # a pager whose every line shows that it paged
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
RESULT = "Result: You may be a candidate - discuss it with a professional"
DISCLAIMER = [
    "This questionnaire gives general information only; it is not a diagnosis or",
    "medical advice, and only a medical professional can decide whether a treatment",
    "is right for you.",
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pager") / "answers.json"
    path.write_text(json.dumps(BASE_ANSWERS), encoding="utf-8")
    return path


def in_a_terminal(answers: Path, rows: int, *options: str, pager: str | None = MARK) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PAGER"}
    if pager is not None:
        env["PAGER"] = pager
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mesoguide", "assess", "-a", str(answers), *options],
        env={**env, "NO_COLOR": "1", "TERM": "xterm"},
        dimensions=(rows, 80),
        timeout=20,
        encoding="utf-8",
    )
    output = child.read()
    child.close()
    assert child.exitstatus == 0
    return ANSI.sub("", output)


def test_a_report_taller_than_the_terminal_goes_through_the_pager(answers: Path):
    """At 24 rows the report (about 90 lines) is handed to $PAGER up to its closing, which is
    printed after the pager ends: the disclaimer, and the outcome again."""
    lines = [line.rstrip() for line in in_a_terminal(answers, 24).splitlines()]
    assert lines[0].startswith("PAGED:╭─ You may be a candidate")
    assert lines[-6:] == ["", *DISCLAIMER, "", RESULT]
    assert all(line.startswith("PAGED:") for line in lines[:-6])


def test_no_pager_prints_it_straight(answers: Path):
    """--no-pager prints the report on the terminal, ending with the result."""
    output = in_a_terminal(answers, 24, "--no-pager")
    assert "PAGED:" not in output
    assert output.rstrip().splitlines()[-1] == RESULT


def test_a_report_that_fits_is_printed_straight(answers: Path):
    """On a terminal tall enough for the whole report there is nothing to page."""
    output = in_a_terminal(answers, 200)
    assert "PAGED:" not in output
    assert output.rstrip().splitlines()[-1] == RESULT


def test_a_pipe_is_never_paged(answers: Path):
    """With stdout a pipe the report is plain text, whatever $PAGER says."""
    done = subprocess.run(
        [sys.executable, "-m", "mesoguide", "assess", "-a", str(answers)],
        capture_output=True,
        text=True,
        env={**os.environ, "PAGER": MARK},
        timeout=30,
        check=False,
    )
    assert done.returncode == 0
    assert "PAGED:" not in done.stdout
    assert done.stdout.rstrip().splitlines()[-1] == RESULT


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")
def test_less_says_how_to_read_on_and_q_finishes(answers: Path):
    """Without $PAGER, less shows the top of the report and its prompt; q ends the run, exit 0."""
    env = {k: v for k, v in os.environ.items() if k not in ("PAGER", "LESS")}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mesoguide", "assess", "-a", str(answers)],
        env={**env, "NO_COLOR": "1", "TERM": "xterm"},
        dimensions=(24, 80),
        timeout=20,
        encoding="utf-8",
    )
    child.expect_exact("You may be a candidate - discuss it with a professional")
    child.expect_exact("Space reads on, b back, q finishes")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")
@pytest.mark.parametrize(
    ("columns", "rows", "lang"), [(80, 30, "en"), (40, 20, "en"), (80, 30, "es"), (40, 20, "es")]
)
def test_q_on_the_first_page_still_leaves_the_result_on_screen(
    answers: Path, columns: int, rows: int, lang: str
):
    """q before the end of the report ends the run with the disclaimer and the `Result:` line
    as the last lines on screen (trial 3: the screen was left cut mid-sentence)."""
    screen = Screen(
        ["assess", "-a", str(answers), "--lang", lang],
        columns,
        rows,
        PAGER="",
        LESS="",
        NO_COLOR="1",
    )
    screen.wait_for(PROMPT[lang])
    screen.send("q")
    disclaimer, result = CLOSING[lang]
    screen.wait_for(disclaimer, result)
    assert screen.finish() == 0
    shown = " ".join(" ".join(screen.screen.display).split())
    assert shown.endswith(f"{disclaimer} {result}")
    assert PROMPT[lang] not in shown


@pytest.mark.skipif(shutil.which("less") is None, reason="less is not installed")
def test_a_report_read_to_its_end_shows_its_result_once(answers: Path):
    """Read to its last page (G) and then q, the report ends with its closing, shown once."""
    screen = Screen(["assess", "-a", str(answers)], 80, 30, PAGER="", LESS="", NO_COLOR="1")
    screen.wait_for(PROMPT["en"])
    screen.send("G")
    screen.wait_for("(source: published treatment protocols, not the article)")
    screen.send("q")
    screen.wait_for(*CLOSING["en"])
    assert screen.finish() == 0
    shown = " ".join(" ".join(screen.screen.display).split())
    assert shown.endswith(
        "(source: published treatment protocols, not the article) " + " ".join(CLOSING["en"])
    )
    assert shown.count("Result:") == 1


PROMPT = {"en": "Space reads on, b back, q finishes", "es": "Espacio sigue, b vuelve, q termina"}
CLOSING = {
    "en": (" ".join(DISCLAIMER), RESULT),
    "es": (
        "Este cuestionario solo da información general; no es un diagnóstico ni un consejo "
        "médico, y solo un profesional médico puede decidir si un tratamiento es adecuado para "
        "usted.",
        "Resultado: Usted podría ser candidato(a); háblelo con un profesional",
    ),
}
