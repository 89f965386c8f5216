"""`mesoguide assess` in a real pseudo-terminal: where Ctrl-C, EOF and no terminal happen."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path

import pexpect
import pytest

pytestmark = pytest.mark.timeout(30)

DOWN, SPACE, ENTER = "\x1b[B", " ", "\r"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")


ENV = {
    **os.environ,
    "PROMPT_TOOLKIT_NO_CPR": "1",
    "NO_COLOR": "1",
    "TERM": "xterm",
    "PAGER": "cat",
}


def spawn(command: str = "assess") -> pexpect.spawn:
    return pexpect.spawn(
        f"{sys.executable} -m mesoguide {command}",
        env=ENV,
        encoding="utf-8",
        dimensions=(40, 100),
        timeout=10,
    )


def answer(child: pexpect.spawn, prompt: str, keys: str) -> None:
    child.expect_exact(prompt)
    child.send(keys)


def finish(child: pexpect.spawn) -> str:
    """Everything the program writes until it exits, without escape codes."""
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.before)


def answer_everything(child: pexpect.spawn) -> None:
    """Answers every question of the built-in pack (one refused on the way), then confirms."""
    answer(child, "How old are you?", "abc" + ENTER)
    child.expect_exact("'abc' is not a whole number: type a whole number from 0 to 120")
    child.send("\x15" + "35" + ENTER)
    answer(child, "What is your sex?", ENTER)  # a stray Enter on "(choose one)"
    answer(child, "Please choose one", DOWN + ENTER)
    answer(child, "What would you like to improve?", SPACE + ENTER)
    answer(child, "Which areas would you like treated?", DOWN * 5 + SPACE + ENTER)
    answer(child, "How would you describe your build?", DOWN * 2 + ENTER)
    answer(child, "What do you think causes your cellulite?", DOWN * 2 + ENTER)
    answer(child, "Would you rather avoid surgery?", "no" + ENTER)
    answer(child, "How soon do you hope to see results?", DOWN * 3 + ENTER)
    answer(child, "How many treatment sessions could you attend", "12" + ENTER)
    answer(child, "Is losing weight your main goal?", "no" + ENTER)
    answer(child, "Are you pregnant", "no" + ENTER)
    answer(child, "Do you take a blood thinner", "no" + ENTER)
    answer(child, "Have you ever had an allergic reaction", "no" + ENTER)
    answer(child, "Right now, is there an infection", "no" + ENTER)
    answer(child, "Do any of these apply to you?", DOWN * 4 + SPACE + ENTER)
    answer(child, "Do you form raised scars", ENTER)
    answer(child, "Have you recently had surgery, laser", ENTER)
    answer(child, "Do you take any medicine or supplement", ENTER)
    answer(child, "Do you have liver or kidney disease?", ENTER)
    answer(child, "These are right: show the result", ENTER)


def test_a_full_run_reaches_the_report():
    """Answers every question (one refused on the way), reviews, and prints the report."""
    child = spawn()
    answer_everything(child)
    output = finish(child)
    assert child.exitstatus == 0
    assert "You may be a candidate - discuss it with a professional" in output
    assert "Traceback" not in output


def test_a_redirected_stdout_is_asked_on_the_terminal_and_gets_the_report_alone(
    tmp_path: Path,
) -> None:
    """`assess --format json > out.json` asks on the terminal; out.json holds the report only."""
    out = tmp_path / "out.json"
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", 'exec "$0" -m mesoguide assess --format json > "$1"', sys.executable, str(out)],
        env=ENV,
        encoding="utf-8",
        dimensions=(40, 100),
        timeout=10,
    )
    answer_everything(child)
    shown = finish(child)
    assert child.exitstatus == 0
    report = json.loads(out.read_text(encoding="utf-8"))  # the report, and nothing else
    assert {"schema_version", "candidacy", "outcome", "answers", "pack"} <= set(report)
    assert report["candidacy"] == "candidate"
    assert '"candidacy"' not in shown and "Traceback" not in shown


def test_no_terminal_to_draw_on_points_to_answers(tmp_path: Path) -> None:
    """With stdin a terminal but stdout and stderr both redirected, it asks nothing: exit 2."""
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", 'exec "$0" -m mesoguide assess > "$1" 2> "$2"', sys.executable, str(out), str(err)],
        env=ENV,
        encoding="utf-8",
        timeout=10,
    )
    assert finish(child) == ""
    assert child.exitstatus == 2
    assert out.read_text(encoding="utf-8") == ""
    assert err.read_text(encoding="utf-8") == (
        "error: no terminal to ask questions on: pass --answers FILE (or - for stdin), or "
        "--plain to read the answers line by line\n"
    )


def test_ctrl_c_exits_130_with_one_line():
    """Ctrl-C mid-way stops with exit 130 and one line, no traceback."""
    child = spawn()
    answer(child, "How old are you?", "35" + ENTER)
    answer(child, "What is your sex?", "\x03")
    output = finish(child)
    assert child.exitstatus == 130
    assert output.strip().splitlines()[-1] == "Interrupted: nothing was saved."
    assert "Traceback" not in output


def test_sigterm_exits_143_with_one_line():
    """SIGTERM at a prompt stops with exit 143 and one line, no traceback."""
    child = spawn()
    answer(child, "How old are you?", "35" + ENTER)
    child.expect_exact("What is your sex?")
    child.kill(signal.SIGTERM)
    output = finish(child)
    assert child.exitstatus == 143
    assert output.strip().splitlines()[-1] == "Terminated: nothing was saved."
    assert "Traceback" not in output


def test_ctrl_d_ends_cleanly():
    """Ctrl-D at a typed answer ends the run with a message, no traceback."""
    child = spawn()
    answer(child, "How old are you?", "\x04")
    output = finish(child)
    assert child.exitstatus == 130
    assert output.strip().splitlines()[-1] == (
        "Input ended before the questionnaire was finished: nothing was saved."
    )
    assert "Traceback" not in output


def test_no_terminal_on_stdin_points_to_answers():
    """With stdin from /dev/null (stdout still a terminal) it says to pass --answers."""
    child = pexpect.spawn(
        "/bin/sh",
        ["-c", f"exec {sys.executable} -m mesoguide assess < /dev/null"],
        env={**os.environ, "NO_COLOR": "1"},
        encoding="utf-8",
        timeout=10,
    )
    output = finish(child)
    assert child.exitstatus == 2
    assert output.strip() == (
        "error: no terminal to ask questions on: pass --answers FILE (or - for stdin), or "
        "--plain to read the answers line by line"
    )


def test_decimal_text_and_other_questions_in_a_real_terminal():
    """The kybella pack at a terminal: a comma decimal is refused naming the fix, 39.9 (just
    under the threshold) is taken, a text is typed, "Something else" asks for its words."""
    pack = Path(__file__).parent / "packs" / "kybella"
    child = spawn(f"assess --rules {pack} --no-pager")
    answer(child, "How old are you?", "30" + ENTER)
    answer(child, "What is your body mass index (BMI)?", "40,5" + ENTER)
    child.expect_exact("write the decimal point as '.' (40.5)")
    child.send("\x15" + "39.9" + ENTER)
    answer(child, "Which medicines do you take now?", "Ibuprofen 400 mg" + ENTER)
    answer(child, "Have you had the area under your chin treated before?", DOWN * 4 + ENTER)
    answer(child, "Which earlier treatment?", "A thread lift" + ENTER)
    answer(child, "What bothers you about the area?", SPACE + ENTER)
    answer(child, "These are right: show the result", ENTER)
    out = finish(child)
    assert child.exitstatus == 0
    assert "39.9 kg/m²" in out
    assert "Tell the clinician about the earlier treatment you named." in out
    assert out.rstrip().endswith("Result: You may be a candidate")
