"""Wrap, never cut: every question, hint, help line, choice, record and review value is on
screen in whole words at 80, 60 and 40 columns, read through a terminal emulator."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from mesoguide import i18n
from mesoguide.answers import format_answer
from mesoguide.loader import load_pack
from mesoguide.model import Answer, Question, RulePack
from mesoguide.packs import default_pack_path
from mesoguide.runner import ReviewRow, interview
from mesoguide.wording import shown, skippable, text_hint
from tests.conftest import BASE_ANSWERS, ROOT
from tests.screen import Screen

pytestmark = pytest.mark.timeout(60)

DOWN, SPACE, ENTER = "\x1b[B", " ", "\r"
PACKS = {"mesotherapy": default_pack_path(), "microneedling": ROOT / "examples" / "microneedling"}


def answer_for(question: Question) -> tuple[str, Answer | None]:
    """Keys that give a valid answer to the question, and that answer."""
    if question.type == "integer":
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 20
        value = (low + high) // 2
        return f"{value}{ENTER}", value
    if question.type == "boolean":
        return f"no{ENTER}", False
    if question.default is not None:  # the pointer starts on (or the boxes hold) the default
        return ENTER, question.default
    first = question.choices[0].value
    if question.type == "choice":
        return DOWN + ENTER, first  # the pointer starts on "(choose one)"
    return SPACE + ENTER, (first,)


def on_screen(question: Question) -> list[str]:
    """What the prompt for the question must show in full."""
    if question.type in ("integer", "boolean"):
        skip = ", or Enter to skip" if skippable(question) else ""
        phrases = [f"? {question.label} ({text_hint(question)}{skip})"]
    else:
        keys = "arrow keys" if question.type == "choice" else "Space to select"
        phrases = [f"? {question.label} ({keys}, then Enter)"]
        phrases += [choice.label for choice in question.choices]
    return phrases + ([question.help] if question.help else [])


def walk(pack: RulePack, screen: Screen) -> dict[str, Answer]:
    """Answer every question that applies, checking each prompt and record on screen."""
    answers: dict[str, Answer] = {}
    for question in pack.questions:
        if not pack.question_tests[question.id](answers):
            continue
        screen.wait_for(*on_screen(question))
        keys, value = answer_for(question)
        screen.send(keys)
        if value is not None:
            answers[question.id] = value
        screen.wait_for(f"? {question.label} {shown(question, value)}")
    return answers


@pytest.mark.parametrize("columns", [80, 60, 40])
@pytest.mark.parametrize("pack_name", list(PACKS))
def test_every_prompt_and_review_row_is_on_screen_in_whole_words(pack_name: str, columns: int):
    """Walks a whole questionnaire at the width; the review shows every answer in whole words."""
    pack = load_pack(PACKS[pack_name])
    screen = Screen(["assess", "--rules", str(PACKS[pack_name])], columns, NO_COLOR="1")
    answers = walk(pack, screen)
    screen.wait_for("? Review your answers (pick one to change it, or confirm)")
    for question in pack.questions:
        if pack.question_tests[question.id](answers):
            value = answers.get(question.id)
            words = format_answer(question, value) if value is not None else "not answered"
            screen.wait_for_words(question.label, words)
    screen.send(ENTER)
    screen.wait_for("? Review your answers confirmed")
    assert screen.finish() == 0


def test_a_prompt_re_wraps_when_the_terminal_narrows():
    """Resized from 80 to 40 columns at a long question, the prompt is redrawn in whole words."""
    pack = load_pack(PACKS["mesotherapy"])
    screen = Screen(["assess"], 80, rows=40, NO_COLOR="1")
    question = pack.question("age")
    screen.wait_for(*on_screen(question))
    screen.screen.resize(40, 40)
    screen.child.setwinsize(40, 40)
    screen.wait_for(*on_screen(question))
    assert max(len(line.rstrip()) for line in screen.screen.display) <= 40
    screen.child.sendcontrol("c")
    assert screen.finish() == 130


def test_the_cursor_rests_on_the_highlighted_choice():
    """At a list the terminal's cursor moves with the highlight, where a screen reader looks."""
    screen = Screen(["assess"], 60, rows=40, NO_COLOR="1")
    screen.wait_for("? How old are you?")
    screen.send("35" + ENTER)
    screen.wait_for("Prefer not to say")
    screen.send(DOWN * 2)

    def on_male() -> bool:
        line = screen.screen.display[screen.screen.cursor.y]
        return "»" in line and "Male" in line

    screen.wait_until(on_male, "the cursor on the line of the highlighted 'Male'")
    screen.child.sendcontrol("c")
    assert screen.finish() == 130


@pytest.mark.parametrize("question", ["sex", "concerns"])
def test_ctrl_d_at_a_list_ends_the_input(question: str):
    """Ctrl-D at a list (or the boxes) exits 130 as at a typed answer, with the same line."""
    screen = Screen(["assess"], 80, rows=40, NO_COLOR="1")
    screen.wait_for("? How old are you?")
    screen.send("35" + ENTER)
    if question == "concerns":
        screen.wait_for("Prefer not to say")
        screen.send(DOWN + ENTER)
    screen.wait_for("? What is your sex?" if question == "sex" else "Something else")
    screen.child.sendcontrol("d")
    assert screen.finish() == 130
    assert "Input ended before the questionnaire was finished: nothing was saved." in screen.text()


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            [("How old are you?", "abc" + ENTER)],
            "'abc' is not a whole number: type a whole number from 0 to 120",
        ),
        (
            [
                ("How old are you?", "35" + ENTER),
                ("Prefer not to say", DOWN + ENTER),
                ("Something else", SPACE + ENTER),
                ("Which areas would", SPACE + ENTER),
                ("How would you describe", DOWN * 2 + ENTER),
                ("causes your", DOWN * 2 + ENTER),
                ("Would you rather avoid surgery?", "maybe" + ENTER),
            ],
            "'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
        ),
    ],
)
def test_a_validation_message_wraps_at_40_columns(steps: list[tuple[str, str]], message: str):
    """A refused answer's message is on screen whole at 40 columns, under its prompt."""
    screen = Screen(["assess"], 40, rows=40, NO_COLOR="1")
    for prompt, keys in steps:
        screen.wait_for(prompt)
        screen.send(keys)
    screen.wait_for(message)
    screen.child.sendcontrol("c")
    assert screen.finish() == 130


class Recorder:
    """A prompter that asks nothing and keeps the rows the review would show."""

    def __init__(self) -> None:
        self.rows: list[ReviewRow] = []

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        raise AssertionError(f"the answers file leaves {question.id!r} to ask")

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        self.rows = list(rows)
        return None


def write_full_answers(folder: Path) -> dict[str, object]:
    """Every question of the default pack answered, optional screens too, written to
    ``folder/answers.yaml`` (for `--answers answers.yaml --ask`, which goes straight to the
    review)."""
    answers = {
        **BASE_ANSWERS,
        "scarring_or_pigment_disorder": False,
        "recent_treatment_in_area": False,
        "bruising_medicines": False,
        "liver_or_kidney_disease": False,
    }
    (folder / "answers.yaml").write_text(yaml.safe_dump(answers), encoding="utf-8")
    return answers


def whole_under_pointer(screen: Screen, words: list[str]) -> bool:
    """Whether the pointer's line and the lines under it hold exactly ``words`` (sorted): the
    whole of one row, in one column or two."""
    display = screen.screen.display
    start = next((y for y, line in enumerate(display) if line[1:2] == "»"), None)
    if start is None:
        return False
    for end in range(start + 1, len(display) + 1):
        shown = sorted(" ".join(display[start:end])[2:].split())
        if shown == words:
            return True
        if len(shown) >= len(words):
            return False
    return False


@pytest.mark.parametrize(
    ("columns", "rows", "lang"),
    [(40, 40, "en"), (40, 20, "en"), (40, 20, "es"), (80, 24, "en"), (80, 40, "en")],
)
def test_every_review_row_is_whole_on_screen_under_the_pointer(
    tmp_path: Path, columns: int, rows: int, lang: str
):
    """At a terminal shorter than the review, the list scrolls by whole rows: the pointed row,
    first to last, is on screen whole, and a line says how many rows are above it."""
    answers = write_full_answers(tmp_path)
    i18n.use(lang)
    recorder = Recorder()
    interview(load_pack(None, lang), recorder, answers, "answers.yaml")
    expected = [sorted(f"{row.label} {row.shown}".split()) for row in recorder.rows]
    confirm, above = (
        ("These are right: show the result", "more above")
        if lang == "en"
        else ("Están bien: mostrar el resultado", "más arriba")
    )
    screen = Screen(
        ["assess", "--answers", "answers.yaml", "--ask", "--lang", lang],
        columns,
        rows,
        cwd=str(tmp_path),
        NO_COLOR="1",
    )
    screen.wait_for(f"» {confirm}")
    for number, words in enumerate(expected, 1):
        screen.send(DOWN)
        screen.wait_until(
            lambda words=words: whole_under_pointer(screen, words),
            f"row {number} of {len(expected)} whole under the pointer: {' '.join(words)}",
        )
    # at the last row: nothing is below; the rows above are all shown, or a line counts the
    # ones hidden and the first one shown is right under it
    display = screen.screen.display
    assert not [line for line in display if line.lstrip().startswith("↓")]
    marker = next((y for y, line in enumerate(display) if line.lstrip().startswith("↑")), None)
    if confirm in screen.text():
        assert marker is None
    else:
        assert marker is not None
        _arrow, count, *words = display[marker].split()
        assert " ".join(words) == above
        first = recorder.rows[int(count) - 1].label.split()[:3]  # the confirm line is hidden too
        assert display[marker + 1].split()[: len(first)] == first
    screen.child.sendcontrol("c")
    assert screen.finish() == 130


DROPPED_NOTE = {
    "en": "No longer applies, answer dropped: How would you describe your build?; What do you "
    "think causes your cellulite?",
    "es": "Ya no corresponde; se descartó la respuesta: ¿Cómo describiría su complexión?; ¿Qué "
    "cree usted que causa su celulitis?",
}


@pytest.mark.parametrize(
    ("columns", "rows", "lang"), [(80, 30, "en"), (40, 20, "en"), (80, 30, "es"), (40, 20, "es")]
)
def test_the_answers_a_change_drops_are_named_on_the_review_screen(
    tmp_path: Path, columns: int, rows: int, lang: str
):
    """Cellulite unticked in the review, the review shown again names the two answers dropped
    at its top, on screen with the list (trial 3: the note scrolled off at once)."""
    write_full_answers(tmp_path)
    pack = load_pack(None, lang)
    confirm = (
        "These are right: show the result" if lang == "en" else "Están bien: mostrar el resultado"
    )
    screen = Screen(
        ["assess", "--answers", "answers.yaml", "--ask", "--lang", lang],
        columns,
        rows,
        cwd=str(tmp_path),
        NO_COLOR="1",
    )
    screen.wait_for(f"» {confirm}")
    screen.send(DOWN * 3 + ENTER)  # the third row: what would you like to improve?
    screen.wait_for(pack.question("concerns").label)
    screen.send(SPACE + DOWN * 3 + SPACE + ENTER)  # Cellulite off, Excess fat on
    screen.wait_for(pack.question("diet_and_exercise").label)
    screen.send(DOWN + ENTER)  # newly relevant: Regularly
    screen.wait_for(DROPPED_NOTE[lang], f"» {confirm}")
    screen.child.sendcontrol("c")
    assert screen.finish() == 130


@pytest.mark.parametrize(("columns", "rows", "lang"), [(80, 30, "en"), (40, 20, "es")])
def test_plain_mode_names_the_answers_a_change_drops_by_its_prompt(
    tmp_path: Path, columns: int, rows: int, lang: str
):
    """In plain mode the note follows the numbered review, by the prompt, so it is on screen
    when the review waits (above the list, the list scrolled it away)."""
    write_full_answers(tmp_path)
    pack = load_pack(None, lang)
    screen = Screen(
        ["assess", "--plain", "--answers", "answers.yaml", "--ask", "--lang", lang],
        columns,
        rows,
        cwd=str(tmp_path),
        NO_COLOR="1",
    )
    screen.wait_for(pack.question("liver_or_kidney_disease").label)
    screen.send("3" + ENTER)  # the third row: what would you like to improve?
    screen.wait_for(pack.question("concerns").label)
    screen.send("4" + ENTER)  # Excess fat
    screen.wait_for(pack.question("diet_and_exercise").label)
    screen.send("1" + ENTER)  # newly relevant: Regularly
    screen.wait_for(pack.question("liver_or_kidney_disease").label, DROPPED_NOTE[lang])
    screen.child.sendcontrol("c")
    assert screen.finish() == 130
