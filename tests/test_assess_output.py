"""Where `assess` puts its report: probed before the questions, and said once written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest
import typer.testing
from typer.testing import CliRunner

from mesoguide import prompts
from mesoguide.answers import coerce
from mesoguide.cli import app
from mesoguide.model import Answer, Question
from tests.conftest import BASE_ANSWERS

pytestmark = pytest.mark.timeout(30)  # a prompt that waits for input it never gets must fail

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "answers" / "candidate.yaml"


def invoke(*args: str) -> typer.testing.Result:
    return CliRunner().invoke(app, ["assess", *args], env={"NO_COLOR": "1"})


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make CliRunner's stdin and stdout look like a terminal, so `assess` asks questions."""
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)


class Scripted:
    """A prompter that gives the conftest answers (skipping the others) and confirms the review."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, **session: object) -> Scripted:
        return self

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        self.asked += 1
        given = BASE_ANSWERS.get(question.id)
        return None if given is None else coerce(question, given)

    def review(self, *shown: object) -> str | None:
        self.asked += 1
        return None


@pytest.fixture
def scripted(terminal: None, monkeypatch: pytest.MonkeyPatch) -> Scripted:
    prompter = Scripted()
    monkeypatch.setattr(prompts, "QuestionaryPrompter", prompter)
    return prompter


# -- --output is probed before the first question -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("no/such/folder/report.md", "no folder {tmp}/no/such/folder"),
        ("a-file/report.md", "{tmp}/a-file is not a folder"),
        (".", "it is a folder"),
        ("x" * 300 + ".md", "File name too long"),
    ],
)
def test_a_bad_output_is_refused_before_the_first_question(
    scripted: Scripted, tmp_path: Path, name: str, reason: str
) -> None:
    """A missing folder, a file for a folder, a folder, a name too long: exit 2, nothing asked."""
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    target = tmp_path / name
    result = invoke("--output", str(target))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: cannot write {target}: {reason.format(tmp=tmp_path)}\n"
    assert scripted.asked == 0


def test_an_unwritable_folder_is_refused_before_the_first_question(
    scripted: Scripted, tmp_path: Path
) -> None:
    """A folder the report could not be created in (here /proc): exit 2, nothing asked."""
    result = invoke("--output", "/proc/report.md")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("error: cannot write /proc/report.md: ")
    assert scripted.asked == 0


def test_an_unknown_home_is_a_missing_folder(
    scripted: Scripted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`~nobody/report.md` is a folder that does not exist, as the shell sees it: no traceback."""
    monkeypatch.chdir(tmp_path)
    result = invoke("--output", "~no-such-user-here/report.md")
    assert (result.exit_code, result.stdout, scripted.asked) == (2, "", 0)
    assert result.stderr == (
        "error: cannot write ~no-such-user-here/report.md: no folder ~no-such-user-here\n"
    )


def test_probing_changes_nothing(
    terminal: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interview stopped after the probe leaves the old report and its folder as they were."""

    class Stopping(Scripted):
        def ask(self, question: Question, current: Answer | None) -> Answer | None:
            raise KeyboardInterrupt

    monkeypatch.setattr(prompts, "QuestionaryPrompter", Stopping())
    target = tmp_path / "report.md"
    target.write_text("the old report\n", encoding="utf-8")
    result = invoke("--output", str(target))
    assert result.exit_code == 130
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_a_bad_output_asks_nothing_in_a_real_terminal(tmp_path: Path) -> None:
    """In a pseudo-terminal, `--output /no/such/dir/r.md` exits 2 before any prompt is drawn."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mesoguide", "assess", "--output", str(tmp_path / "no" / "r.md")],
        env={**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1", "TERM": "xterm"},
        encoding="utf-8",
        dimensions=(40, 100),
        timeout=20,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    where = tmp_path / "no"
    assert child.before.strip() == f"error: cannot write {where}/r.md: no folder {where}"


# -- once written, the report's place is said ---------------------------------------------------


def test_an_interview_says_where_the_report_went(scripted: Scripted, tmp_path: Path) -> None:
    """After the interview, the report is in the file and stderr says `Report written to FILE`."""
    target = tmp_path / "report.md"
    result = invoke("-f", "markdown", "--output", str(target))
    assert result.exit_code == 0
    assert result.stderr == f"Report written to {target}\n"
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert scripted.asked > 1
