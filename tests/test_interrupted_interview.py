"""The interactive path when input ends, the terminal closes or Ctrl-C comes (unit level)."""

from __future__ import annotations

import errno
import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import typer.testing
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from typer.testing import CliRunner

from mesoguide import cliutil, prompts
from mesoguide.cli import app
from mesoguide.errors import ExitCode
from mesoguide.model import Answer, Question, RulePack
from mesoguide.packs import default_pack_path

pytestmark = pytest.mark.timeout(20)  # a prompt that waits for input it never gets must fail

ENDED = "\nInput ended before the questionnaire was finished: nothing was saved.\n"
INTERRUPTED = "\nInterrupted: nothing was saved.\n"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make CliRunner's stdin and stdout look like a terminal, so `assess` asks questions."""
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)


def use_prompter(monkeypatch: pytest.MonkeyPatch, factory: Callable[..., Any]) -> None:
    monkeypatch.setattr(prompts, "QuestionaryPrompter", factory)


class Failing:
    """A prompter that answers ``answers`` questions with their default, then raises."""

    def __init__(self, error: BaseException, answers: int = 2) -> None:
        self.error = error
        self.left = answers

    def __call__(self, *args: object, **kwargs: object) -> Failing:
        return self

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        if self.left == 0:
            raise self.error
        self.left -= 1
        if question.type == "integer":
            return 35
        if question.type == "boolean":
            return False
        first = question.choices[0].value
        return first if question.type == "choice" else (first,)

    def review(self, rows: object, dropped: object) -> str | None:
        raise self.error


@pytest.mark.parametrize(
    ("error", "code", "stderr"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED, INTERRUPTED),
        (EOFError(), ExitCode.INTERRUPTED, ENDED),
        (OSError(errno.EIO, "Input/output error"), ExitCode.INTERRUPTED, ENDED),
        (OSError(errno.ENXIO, "No such device or address"), ExitCode.INTERRUPTED, ENDED),
    ],
)
def test_stops_cleanly_mid_interview(
    terminal: None,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
    code: int,
    stderr: str,
) -> None:
    """Ctrl-C, end of input or a closed terminal mid-way: a message, exit 130, no report."""
    use_prompter(monkeypatch, Failing(error))
    result = CliRunner().invoke(app, ["assess"])
    assert (result.exit_code, result.stderr) == (code, stderr)
    assert isinstance(result.exception, SystemExit)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)
    assert shown.endswith("time; nothing is saved.\n\n")  # the banner's last words: no report


def test_another_os_error_is_not_taken_for_a_closed_terminal(
    terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unrelated OSError is not reported as the end of input."""
    use_prompter(monkeypatch, Failing(OSError(errno.ENOSPC, "No space left on device")))
    result = CliRunner().invoke(app, ["assess"])
    assert isinstance(result.exception, OSError)


def test_prints_a_pack_title_as_text_not_markup(
    terminal: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Shows a title holding rich markup as written, instead of failing on it."""
    data = yaml.safe_load((default_pack_path() / "pack.yaml").read_text(encoding="utf-8"))
    data["pack"]["title"] = "Mesotherapy [/] [link=https://example.com]x[/link]"
    pack = tmp_path / "pack.yaml"
    pack.write_text(yaml.safe_dump(data), encoding="utf-8")
    use_prompter(monkeypatch, Failing(EOFError(), answers=0))
    result = CliRunner().invoke(app, ["assess", "--rules", str(pack)], env={"NO_COLOR": "1"})
    assert (result.exit_code, result.stderr) == (ExitCode.INTERRUPTED, ENDED)
    assert "Mesotherapy [/] [link=https://example.com]x[/link]" in result.stdout


# -- the real questionary prompter, fed through a pipe ------------------------------------------
@pytest.fixture
def piped() -> Iterator[Callable[[str, bool], prompts.QuestionaryPrompter]]:
    """A prompter reading ``keys`` from a pipe, closed after them when ``close``."""
    with ExitStack() as stack:

        def make(keys: str, close: bool) -> prompts.QuestionaryPrompter:
            pipe = stack.enter_context(create_pipe_input())
            pipe.send_text(keys)
            if close:
                pipe.close()
            return prompts.QuestionaryPrompter(io.StringIO(), input=pipe, output=DummyOutput())

        yield make


@pytest.mark.parametrize("question_id", ["age", "sex", "concerns", "pregnant_or_breastfeeding"])
@pytest.mark.parametrize("typed", ["", "3"])
def test_input_that_ends_raises_eof(
    pack: RulePack,
    piped: Callable[[str, bool], prompts.QuestionaryPrompter],
    question_id: str,
    typed: str,
) -> None:
    """Input closed before Enter raises EOFError for every kind of question, never an answer."""
    prompter = piped(typed, True)
    with pytest.raises(EOFError):
        prompter.ask(pack.question(question_id), None)


@pytest.mark.parametrize("question_id", ["age", "sex", "concerns", "pregnant_or_breastfeeding"])
def test_ctrl_c_raises_keyboard_interrupt(
    pack: RulePack, piped: Callable[[str, bool], prompts.QuestionaryPrompter], question_id: str
) -> None:
    """Ctrl-C raises KeyboardInterrupt (questionary's `ask` would return None and go on)."""
    prompter = piped("\x03", False)
    with pytest.raises(KeyboardInterrupt):
        prompter.ask(pack.question(question_id), None)


def test_ctrl_d_on_a_text_question_raises_eof(
    pack: RulePack, piped: Callable[[str, bool], prompts.QuestionaryPrompter]
) -> None:
    """Ctrl-D on an empty text answer means end of input."""
    with pytest.raises(EOFError):
        piped("\x04", False).ask(pack.question("age"), None)


def test_a_message_to_a_vanished_terminal_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing the closing message to a closed terminal raises nothing."""

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr("sys.stderr", Gone())
    cliutil.error_lines(["one", "two"])
    cliutil.warn("three")
    with pytest.raises(typer.Exit) as caught, cliutil.reporting_errors():
        raise EOFError
    assert caught.value.exit_code == ExitCode.INTERRUPTED
