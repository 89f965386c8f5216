"""The plain prompter (--plain, TERM=dumb, MESOGUIDE_PLAIN): line by line, numbered choices,
no escape sequence; driven by scripted lines, by lines piped in, and in a pseudo-terminal."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal

import pexpect
import pytest

from mesoguide.loader import load_pack
from mesoguide.model import RulePack, State
from mesoguide.plain import PlainPrompter
from mesoguide.runner import ReviewRow, from_mapping, interview
from mesoguide.wording import check_text
from tests.conftest import BASE_ANSWERS, ROOT
from tests.screen import Screen

pytestmark = pytest.mark.timeout(30)

# Lines that answer the whole default pack with BASE_ANSWERS, both optional questions left
# unanswered, then confirm the review.
BASE_LINES = [
    "35",  # age
    "1",  # sex: Female
    "1",  # concerns: Cellulite
    "6",  # areas: Thighs
    "2",  # body_type: Average
    "2",  # cellulite_cause_belief: A condition of the skin
    "no",  # wants_to_avoid_surgery
    "3",  # results_expected_within: Within months
    "12",  # sessions_possible
    "no",  # goal_is_weight_loss
    "no",  # pregnant_or_breastfeeding
    "n",  # blood_thinners_or_bleeding_disorder
    "n",  # ingredient_allergies
    "n",  # skin_problem_in_area
    "5",  # medical_conditions: None of these
    "",  # scarring_or_pigment_disorder: skipped
    "",  # recent_treatment_in_area: skipped
    "",  # bruising_medicines: skipped
    "",  # liver_or_kidney_disease: skipped
]
RESULT = "Result: You may be a candidate - discuss it with a professional"
ENDED = "Input ended before the questionnaire was finished: nothing was saved."


class Lines:
    """A plain prompter reading scripted lines; what it wrote, as text."""

    def __init__(self, *lines: str) -> None:
        self.lines: Iterator[str] = iter(lines)
        self.out = io.StringIO()
        self.prompter = PlainPrompter(self.out, read=self.read)

    def read(self) -> str:
        try:
            return next(self.lines)
        except StopIteration:
            raise EOFError from None

    def said(self) -> list[str]:
        return self.out.getvalue().splitlines()


def test_a_whole_interview_gives_the_expected_answers(pack: RulePack):
    """Answers every question of the default pack from typed lines; Enter confirms the review."""
    lines = Lines(*BASE_LINES, "")
    answers = interview(pack, lines.prompter)
    assert answers == from_mapping(pack, BASE_ANSWERS)
    said = lines.said()
    assert ">   Answer: Female" in said and ">   Answer: None of these" in said
    assert said[-1] == ">   Confirmed."


def test_a_question_is_lines_of_text_with_numbered_choices(pack: RulePack):
    """A list question prints its label, its help, one numbered choice a line, and what to type."""
    lines = Lines("3")
    assert lines.prompter.ask(pack.question("medical_conditions"), None) == ("diabetes",)
    assert lines.said() == [
        "",
        "Do any of these apply to you?",
        '  Choose every one that applies, or "None of these".',
        "  1. An autoimmune disease, or medicines that lower immunity, such as long",
        "     courses of steroid tablets or injections, or chemotherapy",
        "  2. Cancer, now or in the past",
        "  3. Diabetes",
        "  4. Heart disease, an irregular heartbeat, a stroke, blood clots, or high blood",
        "     pressure that is not under control",
        "  5. None of these",
        "Type the numbers of every one that applies, 1 to 5, separated by commas or",
        "spaces.",
        ">   Answer: Diabetes",
    ]


@pytest.mark.parametrize("typed", ["1, 6", "1 6", "6,1", " 1 ,6 ", "face thighs", "1 1 6"])
def test_multiple_choices_are_numbers_separated_by_commas_or_spaces(pack: RulePack, typed: str):
    """Several numbers (or the choices' values) with commas or spaces pick several choices."""
    lines = Lines(typed)
    assert lines.prompter.ask(pack.question("areas"), None) == ("face", "thighs")


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        ("age", "abc", "'abc' is not a whole number: type a whole number from 0 to 120"),
        ("age", "200", "200 is outside 0 to 120"),
        ("age", "", "Please answer: a whole number from 0 to 120."),
        ("pregnant_or_breastfeeding", "", "Please answer: yes or no."),
        (
            "pregnant_or_breastfeeding",
            "maybe",
            "'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
        ),
        ("sex", "", "Please choose one: type a number from 1 to 4."),
        ("sex", "9", "'9' is not a number from 1 to 4."),
        ("sex", "1 2", "Choose only one: type a number from 1 to 4."),
        ("sex", "femal", "'femal' is not a number from 1 to 4."),
        ("concerns", "", "Choose at least one: type the numbers of your choices."),
        ("concerns", "0", "'0' is not a number from 1 to 5."),
        (
            "medical_conditions",
            "3 5",
            "'None of these' cannot be combined with other choices: choose it alone or leave "
            "it out.",
        ),
    ],
)
def test_a_refused_answer_says_why_and_is_asked_again(
    pack: RulePack, question_id: str, typed: str, message: str
):
    """A refused line gets its message (the full-screen prompts' own), then another '>'."""
    question = pack.question(question_id)
    if question.type in ("integer", "boolean"):
        assert check_text(question, typed) == message  # word for word the same check
    good = {"integer": "35", "boolean": "no", "choice": "1", "multiple": "1"}[question.type]
    lines = Lines(typed, good)
    lines.prompter.ask(question, None)
    text = " ".join(lines.out.getvalue().split())
    assert f"> {message} >" in text


def test_enter_skips_an_optional_question_and_says_it_is_not_answered(pack: RulePack):
    """Enter on an optional question leaves it unanswered, and the echo says so (not "no")."""
    lines = Lines("")
    assert lines.prompter.ask(pack.question("scarring_or_pigment_disorder"), None) is None
    assert lines.said()[-2:] == [
        "Press Enter to skip it.",
        ">   Answer: not answered",
    ]


@pytest.mark.parametrize(
    ("question_id", "current"),
    [("age", 35), ("sex", "male"), ("areas", ("arms", "thighs")), ("wants_to_avoid_surgery", True)],
)
def test_enter_keeps_the_current_answer_when_re_asked(pack: RulePack, question_id, current):
    """Re-asked from the review, Enter keeps the answer given, which the prompt names."""
    lines = Lines("")
    assert lines.prompter.ask(pack.question(question_id), current) == current
    assert "Enter keeps the answer now given:" in " ".join(lines.out.getvalue().split())


def test_a_dash_clears_an_optional_answer_when_re_asked(pack: RulePack):
    """'-' leaves an optional question unanswered again."""
    lines = Lines("-")
    assert lines.prompter.ask(pack.question("scarring_or_pigment_disorder"), True) is None


def test_the_review_is_numbered_and_a_number_picks_a_row():
    """The review lists rows by number, then names the answers the last change dropped, right
    above what to type; a number names its question; Enter confirms."""
    rows = [ReviewRow("age", "How old are you?", "35"), ReviewRow("sex", "Your sex?", "Male")]
    lines = Lines("7", "2")
    assert lines.prompter.review(rows, ["Why?"]) == "sex"
    assert lines.said() == [
        "",
        "Review your answers:",
        "  1. How old are you? Answer: 35",
        "  2. Your sex? Answer: Male",
        "No longer applies, answer dropped: Why?",
        "Type a number from 1 to 2 to change that answer, or press Enter to confirm them",
        "and see the result.",
        ">   '7' is not a number from 1 to 2.",
        "> ",
    ]
    assert Lines("").prompter.review(rows, []) is None


def test_changing_an_answer_in_the_review_asks_only_what_it_makes_apply(pack: RulePack):
    """Picking 'concerns' (row 3) and dropping cellulite drops its question, named once."""
    lines = Lines(*BASE_LINES, "3", "2", "", "")
    answers = interview(pack, lines.prompter)
    assert answers.values["concerns"] == ("wrinkles",)
    assert "cellulite_cause_belief" not in answers.values
    said = lines.said()
    dropped = " ".join(line for line in said if line and not line.startswith(">"))
    assert (
        "No longer applies, answer dropped: How would you describe your build?; What do you"
        " think causes your cellulite?"
    ) in dropped


def test_input_that_ends_raises_eof(pack: RulePack):
    """The end of input (Ctrl-D) mid-question raises EOFError, as at a full-screen prompt."""
    with pytest.raises(EOFError):
        Lines("abc").prompter.ask(pack.question("age"), None)


# -- the command, with lines piped in ----------------------------------------------------------


def run(*args: str, stdin: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "NO_COLOR": "", "TERM": "xterm-256color", **env}
    environment.pop("MESOGUIDE_PLAIN", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "mesoguide", "assess", *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--plain"], {}), ([], {"TERM": "dumb"}), ([], {"MESOGUIDE_PLAIN": "1"})],
    ids=["--plain", "TERM=dumb", "MESOGUIDE_PLAIN=1"],
)
def test_piped_lines_complete_the_questionnaire_without_escape_codes(args, env):
    """Lines piped in answer everything and confirm; no escape byte anywhere, report on stdout."""
    done = run(*args, stdin="\n".join([*BASE_LINES, ""]) + "\n", **env)
    assert done.returncode == 0, done.stderr.decode()
    assert b"\x1b" not in done.stdout and b"\x1b" not in done.stderr
    report = done.stdout.decode()
    assert report.startswith("You may be a candidate - discuss it with a professional\n")
    assert report.rstrip("\n").endswith(RESULT)
    assert "╭" not in report  # no panel border
    dialogue = done.stderr.decode()  # the questions go to stderr when stdout is not a terminal
    assert "> 35\n  Answer: 35\n" in dialogue
    assert "  15. Do any of these apply to you? Answer: None of these\n" in dialogue


def test_input_that_ends_early_exits_130():
    """Lines that stop mid-questionnaire end it as Ctrl-D does: one line, exit 130."""
    done = run("--plain", stdin="35\n1\n")
    assert done.returncode == 130
    assert done.stderr.decode().endswith(f"\n{ENDED}\n")
    assert done.stdout == b""


# -- in a pseudo-terminal ----------------------------------------------------------------------


@pytest.mark.parametrize(("args", "term"), [(["--plain"], "xterm"), ([], "dumb")])
def test_in_a_terminal_not_one_escape_sequence_is_written(args: list[str], term: str):
    """At a terminal, the whole questionnaire, review and report come without an escape byte."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mesoguide", "assess", *args],
        env={**os.environ, "TERM": term, "PROMPT_TOOLKIT_NO_CPR": "1"},
        dimensions=(24, 80),
        timeout=15,
    )
    for line in BASE_LINES:
        child.expect_exact(b"> ")
        child.sendline(line)
    child.expect_exact(b"or press Enter to confirm")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    written = child.before
    assert child.exitstatus == 0
    assert b"\x1b" not in written
    assert written.decode().rstrip().endswith(RESULT)


def test_ctrl_d_at_a_terminal_exits_130():
    """Ctrl-D at a plain question ends the run with the same line and code as elsewhere."""
    child = pexpect.spawn(
        sys.executable, ["-m", "mesoguide", "assess", "--plain"], env=dict(os.environ), timeout=15
    )
    child.expect_exact(b"> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert ENDED in child.before.decode()


def test_plain_questions_wrap_in_whole_words_at_40_columns(pack: RulePack):
    """At 40 columns each plain question, its help and its choices are on screen in whole words."""
    screen = Screen(["assess", "--plain"], 40, rows=60)
    states = from_mapping(pack, BASE_ANSWERS).states
    asked = [q.id for q in pack.questions if states[q.id] is not State.not_asked]
    for line, question_id in zip(BASE_LINES, asked, strict=True):
        question = pack.question(question_id)
        screen.wait_for(question.label, *(c.label for c in question.choices))
        if question.help:
            screen.wait_for(question.help)
        screen.send(line + "\r")
    screen.child.sendeof()
    assert screen.finish() == 130


@pytest.mark.parametrize(
    ("stop", "code", "line"),
    [
        ("ctrl-c", 130, "Interrupted: nothing was saved."),
        ("sigterm", 143, "Terminated: nothing was saved."),
    ],
)
def test_ctrl_c_and_sigterm_at_a_plain_question_stop_with_one_line(stop: str, code: int, line: str):
    """Ctrl-C or SIGTERM while input() waits: the usual exit code and one line, no traceback."""
    child = pexpect.spawn(
        sys.executable, ["-m", "mesoguide", "assess", "--plain"], env=dict(os.environ), timeout=15
    )
    child.expect_exact(b"> ")
    child.sendline("35")
    child.expect_exact(b"Type the number of your answer")
    child.expect_exact(b"> ")
    if stop == "ctrl-c":
        child.sendcontrol("c")
    else:
        child.kill(signal.SIGTERM)
    child.expect(pexpect.EOF)
    child.close()
    output = child.before.decode()
    assert child.exitstatus == code
    assert output.strip().splitlines()[-1] == line
    assert "Traceback" not in output


# -- decimal, text and "other, please specify" ----------------------------------------------------
KYBELLA = load_pack(ROOT / "tests" / "packs" / "kybella")


def test_decimal_text_and_other_questions_are_asked_line_by_line() -> None:
    """A decimal with its unit and step, a text, and a choice's "other" follow-up: each a few
    lines; a comma decimal and a value off the step are refused naming the fix."""
    lines = Lines(
        "30", "40,5", "40.55", "40.5", "Aspirin 100 mg", "4", "A chin lift in 2019", "1 2", ""
    )
    answers = interview(KYBELLA, lines.prompter)
    assert answers.given() == {
        "age": 30,
        "bmi": Decimal("40.5"),
        "medicines": "Aspirin 100 mg",
        "earlier_treatment": "other",
        "earlier_treatment_other": "A chin lift in 2019",
        "bothers": ("fullness", "loose_skin"),
    }
    assert answers.states["bothers_other"] is State.not_asked
    assert lines.said()[4:26] == [
        "What is your body mass index (BMI)? (a number from 10 to 80 in steps of 0.1, in",
        "kg/m²)",
        "  Your weight in kilograms divided by the square of your height in metres.",
        ">   '40,5' is not a number: write the decimal point as '.' (40.5)",
        ">   40.55 is not a step of 0.1: the nearest are 40.5 and 40.6",
        ">   Answer: 40.5 kg/m²",
        "",
        "Which medicines do you take now? (in your own words, up to 500 characters)",
        "  Name each one, with its dose if you know it.",
        "Press Enter to skip it.",
        ">   Answer: Aspirin 100 mg",
        "",
        "Have you had the area under your chin treated before?",
        "  1. Never",
        "  2. Liposuction",
        "  3. Fat-dissolving injections",
        "  4. Something else",
        "Type the number of your answer, 1 to 4.",
        ">   Answer: Something else",
        "",
        "Which earlier treatment? (in your own words, up to 500 characters)",
        ">   Answer: A chin lift in 2019",
    ]


def test_an_optional_text_left_blank_is_not_answered() -> None:
    """Enter at an optional text leaves it unanswered, and the review says so."""
    lines = Lines("30", "22.5", "", "1", "1", "")
    answers = interview(KYBELLA, lines.prompter)
    assert answers.states["medicines"] is State.not_answered
    assert "  3. Which medicines do you take now? Answer: not answered" in lines.said()
