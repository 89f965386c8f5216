"""The questionary Prompter, driven by keystrokes through prompt_toolkit's pipe input.

Every test has a short timeout: a prompt that rejects its input waits for more keys, and a
script that runs out of keys would otherwise hang (see PITFALLS.md).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.layout.controls import UIControl
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output
from questionary import Choice, Separator, select
from questionary.prompts.common import InquirerControl

from mesoguide import i18n
from mesoguide.loader import load_pack
from mesoguide.model import RulePack
from mesoguide.prompts import COLUMN, ChoiceList, QuestionaryPrompter, _scrolled, _wrap
from mesoguide.runner import ReviewRow, from_mapping, interview
from mesoguide.wording import check_choices, check_text

from .conftest import BASE_ANSWERS, ROOT

ENTER, DOWN, UP, SPACE, CTRL_C, CLEAR_LINE = "\r", "\x1b[B", "\x1b[A", " ", "\x03", "\x15"


class Keyboard:
    """A pipe input, a prompter reading from it, and the lines the prompter printed."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.printed = io.StringIO()
        self.prompter = QuestionaryPrompter(self.printed, input=pipe, output=DummyOutput())

    def type(self, *keys: str) -> None:
        self.pipe.send_text("".join(keys))

    def lines(self) -> list[str]:
        return self.printed.getvalue().splitlines()


@pytest.fixture
def keyboard() -> Iterator[Keyboard]:
    with create_pipe_input() as pipe:
        yield Keyboard(pipe)


def down(times: int) -> str:
    return DOWN * times


# Keys that answer the whole default pack with BASE_ANSWERS, leaving the optional
# questions unanswered.
BASE_KEYS = [
    "35" + ENTER,  # age
    DOWN + ENTER,  # sex: Female (the pointer starts on "(choose one)")
    SPACE + ENTER,  # concerns: Cellulite
    down(5) + SPACE + ENTER,  # areas: Thighs
    down(2) + ENTER,  # body_type: Average
    down(2) + ENTER,  # cellulite_cause_belief: A condition of the skin
    "no" + ENTER,  # wants_to_avoid_surgery
    down(3) + ENTER,  # results_expected_within: Within months
    "12" + ENTER,  # sessions_possible
    "no" + ENTER,  # goal_is_weight_loss
    "no" + ENTER,  # pregnant_or_breastfeeding
    "n" + ENTER,  # blood_thinners_or_bleeding_disorder
    "n" + ENTER,  # ingredient_allergies
    "n" + ENTER,  # skin_problem_in_area
    down(4) + SPACE + ENTER,  # medical_conditions: None of these
    ENTER,  # scarring_or_pigment_disorder: skipped
    ENTER,  # recent_treatment_in_area: skipped
    ENTER,  # bruising_medicines: skipped
    ENTER,  # liver_or_kidney_disease: skipped
]

BASE_LINES = [
    "? How old are you? 35",
    "? What is your sex? Female",
    "? What would you like to improve? Cellulite",
    "? Which areas would you like treated? Thighs",
    "? How would you describe your build? Average",
    "? What do you think causes your cellulite? A condition of the skin",
    "? Would you rather avoid surgery? no",
    "? How soon do you hope to see results? Within months",
    "? How many treatment sessions could you attend over the next six months? 12",
    "? Is losing weight your main goal? no",
    "? Are you pregnant, possibly pregnant, or breastfeeding? no",
    "? Do you take a blood thinner, or have a bleeding or clotting disorder? no",
    "? Have you ever had an allergic reaction to a medicine, a vitamin or a local",
    "  anaesthetic, or a severe allergic reaction (anaphylaxis) to anything? no",
    "? Right now, is there an infection, cold sore, rash, wound, inflamed acne or",
    "  sunburn where you want treatment? no",
    "? Do any of these apply to you? None of these",
    "? Do you form raised scars (keloids) or have a skin pigment disorder? not",
    "  answered",
    "? Have you recently had surgery, laser, fillers or another treatment in the area",
    "  you want treated? not answered",
    "? Do you take any medicine or supplement that can make bruising more likely? not",
    "  answered",
    "? Do you have liver or kidney disease? not answered",
]


@pytest.mark.timeout(10)
def test_a_whole_interview_gives_the_expected_answers(keyboard: Keyboard, pack: RulePack):
    """Answers every question of the default pack from keystrokes, then confirms the review."""
    keyboard.type(*BASE_KEYS, ENTER)
    answers = interview(pack, keyboard.prompter)
    assert answers == from_mapping(pack, BASE_ANSWERS)
    assert keyboard.lines() == [*BASE_LINES, "", "? Review your answers confirmed"]


@pytest.mark.timeout(10)
def test_rejects_a_bad_integer_and_asks_again(keyboard: Keyboard, pack):
    """Letters, an out-of-range number and nothing are refused; the prompt waits for 35."""
    keyboard.type("abc", ENTER, CLEAR_LINE, "200", ENTER, CLEAR_LINE, ENTER, "35", ENTER)
    assert keyboard.prompter.ask(pack.question("age"), None) == 35
    assert keyboard.lines() == ["? How old are you? 35"]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("question_id", ["pregnant_or_breastfeeding", "ingredient_allergies"])
def test_a_stray_enter_never_answers_a_safety_question(keyboard: Keyboard, pack, question_id):
    """Enter alone (and 'maybe') is refused on a required yes/no question; 'yes' is taken."""
    keyboard.type(ENTER, "maybe", ENTER, CLEAR_LINE, "yes", ENTER)
    assert keyboard.prompter.ask(pack.question(question_id), None) is True


@pytest.mark.timeout(10)
def test_enter_skips_an_optional_question_and_says_what_it_counts_as(keyboard, pack):
    """An optional yes/no question is left unanswered by Enter; the line says "not answered"."""
    keyboard.type(ENTER)
    assert keyboard.prompter.ask(pack.question("scarring_or_pigment_disorder"), None) is None
    assert keyboard.lines() == [
        "? Do you form raised scars (keloids) or have a skin pigment disorder? not",
        "  answered",
    ]


@pytest.mark.timeout(10)
def test_a_stray_enter_never_picks_a_choice(keyboard: Keyboard, pack):
    """Asked afresh, a list starts on '(choose one)': Enter there asks again, with the reason."""
    keyboard.type(ENTER, ENTER, down(2) + ENTER)
    assert keyboard.prompter.ask(pack.question("body_type"), None) == "average"
    assert keyboard.lines() == ["? How would you describe your build? Average"]


@pytest.mark.timeout(10)
def test_a_list_asked_again_starts_on_the_current_answer(keyboard: Keyboard, pack):
    """Re-asked from the review, the current answer is highlighted and Enter keeps it."""
    keyboard.type(ENTER)
    assert keyboard.prompter.ask(pack.question("body_type"), "overweight") == "overweight"


@pytest.mark.timeout(10)
def test_checkbox_refuses_an_empty_selection(keyboard: Keyboard, pack):
    """Enter with nothing selected is refused; selecting one is then accepted."""
    keyboard.type(ENTER, DOWN, SPACE, ENTER)
    assert keyboard.prompter.ask(pack.question("concerns"), None) == ("wrinkles",)


@pytest.mark.timeout(10)
def test_checkbox_refuses_an_exclusive_choice_with_others(keyboard: Keyboard, pack):
    """'None of these' with a condition is refused until the condition is unselected."""
    keyboard.type(SPACE, down(4), SPACE, ENTER, UP * 4, SPACE, ENTER)
    assert keyboard.prompter.ask(pack.question("medical_conditions"), None) == ("none",)
    assert keyboard.lines() == ["? Do any of these apply to you? None of these"]


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        ("age", "abc", "'abc' is not a whole number: type a whole number from 0 to 120"),
        ("age", "3.5", "'3.5' is not a whole number: type a whole number from 0 to 120"),
        ("age", "200", "200 is outside 0 to 120"),
        ("age", "  ", "Please answer: a whole number from 0 to 120."),
        ("age", "42", True),
        ("pregnant_or_breastfeeding", "", "Please answer: yes or no."),
        (
            "pregnant_or_breastfeeding",
            "maybe",
            "'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
        ),
        ("pregnant_or_breastfeeding", "Y", True),
        ("scarring_or_pigment_disorder", "", True),
    ],
)
def test_text_messages_say_what_to_type(pack, question_id, typed, message):
    """A refused integer or yes/no says why and what to type instead."""
    assert check_text(pack.question(question_id), typed) == message


@pytest.mark.parametrize(
    ("question_id", "selected", "message"),
    [
        ("concerns", [], "Choose at least one: Space selects the choice under the pointer."),
        (
            "medical_conditions",
            ["diabetes", "none"],
            "'None of these' cannot be combined with other choices: unselect one.",
        ),
        ("medical_conditions", ["none"], True),
        ("areas", ["face", "thighs"], True),
    ],
)
def test_checkbox_messages_name_the_choices_by_label(pack, question_id, selected, message):
    """A refused selection is explained in the words on the screen, not the pack's values."""
    assert check_choices(pack.question(question_id), selected) == message


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("question_id", "current"),
    [
        ("age", 35),
        ("pregnant_or_breastfeeding", False),
        ("body_type", "overweight"),
        ("areas", ("arms", "thighs")),
    ],
)
def test_re_asking_offers_the_current_answer(keyboard: Keyboard, pack, question_id, current):
    """When an answer is changed, Enter alone keeps it: it is pre-filled or pre-selected."""
    keyboard.type(ENTER)
    assert keyboard.prompter.ask(pack.question(question_id), current) == current


@pytest.mark.timeout(10)
def test_ctrl_c_raises_keyboard_interrupt(keyboard: Keyboard, pack):
    """Ctrl-C in any prompt raises KeyboardInterrupt instead of returning None."""
    keyboard.type(CTRL_C)
    with pytest.raises(KeyboardInterrupt):
        keyboard.prompter.ask(pack.question("medical_conditions"), None)


@pytest.mark.timeout(10)
def test_review_changes_concerns_and_asks_only_the_dependent_question(keyboard: Keyboard, pack):
    """Dropping cellulite removes its questions; adding it back asks only those questions."""
    keyboard.type(
        *BASE_KEYS,
        down(3) + ENTER,  # review: change concerns (pointer starts on "These are right")
        SPACE + DOWN + SPACE + ENTER,  # Cellulite off, Wrinkles on
        down(3) + ENTER,  # review: change concerns again
        SPACE + ENTER,  # Cellulite back on, Wrinkles kept
        down(2) + ENTER,  # body_type, asked afresh: Average
        down(3) + ENTER,  # cellulite_cause_belief, asked afresh: Not sure
        ENTER,  # review: confirm
    )
    answers = interview(pack, keyboard.prompter)
    assert answers == from_mapping(
        pack,
        {
            **BASE_ANSWERS,
            "concerns": ["cellulite", "wrinkles"],
            "cellulite_cause_belief": "not_sure",
        },
    )
    assert keyboard.lines()[len(BASE_LINES) :] == [
        "",
        "? What would you like to improve? Wrinkles",
        "",
        "? What would you like to improve? Cellulite, Wrinkles",
        "? How would you describe your build? Average",
        "? What do you think causes your cellulite? Not sure",
        "",
        "? Review your answers confirmed",
    ]


ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("lang", "top"),
    [
        (
            "en",
            "? Review your answers (pick one to change it, or confirm) No longer applies, answer "
            "dropped: How would you describe your build?; What do you think causes your "
            "cellulite? » These are right: show the result",
        ),
        (
            "es",
            "? Revise sus respuestas (elija una para cambiarla, o confirme) Ya no corresponde; se "
            "descartó la respuesta: ¿Cómo describiría su complexión?; ¿Qué cree usted que causa "
            "su celulitis? » Están bien: mostrar el resultado",
        ),
    ],
)
def test_the_review_names_the_answers_dropped_at_its_top(lang: str, top: str):
    """The answers the last change dropped are named in the review prompt itself, under its
    question and above the list, wrapped at 40 columns, not printed above it to scroll away."""
    i18n.use(lang)
    pack = load_pack(None, lang)
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=20, columns=40), term="xterm")
    dropped = [pack.question("body_type").label, pack.question("cellulite_cause_belief").label]
    with create_pipe_input() as pipe:
        pipe.send_text(ENTER)
        prompter = QuestionaryPrompter(io.StringIO(), input=pipe, output=output)
        assert prompter.review(review_rows(pack), dropped) is None
        assert prompter.record is not None
        assert "answer dropped" not in prompter.record.getvalue()
    drawn_lines = ESCAPES.sub("", screen.getvalue()).splitlines()
    assert max(len(line.rstrip()) for line in drawn_lines) <= 40
    assert " ".join(" ".join(drawn_lines).split()).startswith(top)


def _text(fragments) -> str:
    return "".join(fragment[1] for fragment in fragments)


@pytest.mark.parametrize(
    ("fragments", "width", "shown"),
    [
        ([("", "? How old are you? (a whole number from 0 to 120)")], 24,
         "? How old are you? (a\n  whole number from 0 to\n  120)"),
        ([("", " » "), ("[SetCursorPosition]", ""), ("", "○ "), ("", "Heart disease, stroke")], 18,
         " » ○ Heart\n     disease,\n     stroke"),
        ([("", "  Supercalifragilistic")], 12, "  Supercalif\n  ragilistic"),
        ([("", "the first line\nand second one")], 10, "the first\nline\nand second\none"),
    ],
)  # fmt: skip
def test_lines_wrap_at_spaces_under_their_first_word(fragments, width, shown):
    """Wraps at spaces under the first word, breaks only an overlong word, keeps markers."""
    wrapped = _wrap(fragments, width)
    assert _text(wrapped) == shown
    assert ("[SetCursorPosition]", "") in wrapped or "[SetCursorPosition]" not in str(fragments)


@pytest.mark.parametrize(
    ("width", "shown"),
    [
        (60, "   Do you take blood thinners or have  no\n   a bleeding disorder?"),
        (40, "   Do you take blood thinners or have a\n   bleeding disorder?\n     no"),
    ],
)
def test_a_review_row_is_two_columns_or_stacked_when_narrow(width, shown):
    """A review row puts the answer beside the question, or under it when too narrow."""
    label = "Do you take blood thinners or have a bleeding disorder?"
    wrapped = _wrap([("", f"   {label}{COLUMN}no")], width, label_width=len(label))
    assert _text(wrapped) == shown


# -- a list taller than the terminal scrolls by whole choices --------------------------------------
class SizedOutput(DummyOutput):
    """Draws nothing, like DummyOutput, but says the terminal is ``columns`` x ``rows``."""

    def __init__(self, columns: int, rows: int) -> None:
        self.size = Size(rows=rows, columns=columns)

    def get_size(self) -> Size:
        return self.size


def review_rows(pack: RulePack) -> list[ReviewRow]:
    return [ReviewRow(question.id, question.label, "no") for question in pack.questions]


def review_list(rows: list[ReviewRow]) -> ChoiceList:
    """The review's list as the prompter draws it, not yet shown: "Confirm", a gap, the rows."""
    choices = [Choice("Confirm", value="confirm"), Separator(" ")]
    choices += [Choice(f"{row.label}{COLUMN}{row.shown}", value=row.question_id) for row in rows]
    inquirer = next(
        window.content
        for window in select("Review", choices=choices).application.layout.find_all_windows()
        if isinstance(window.content, InquirerControl)
    )
    return ChoiceList(inquirer, max(len(row.label) for row in rows))


def drawn(control: UIControl, width: int, height: int) -> list[str]:
    content = control.create_content(width, height)
    return [_text(content.get_line(number)) for number in range(content.line_count)]


@given(heights=st.lists(st.integers(1, 6), min_size=1, max_size=40), data=st.data())
def test_a_scrolled_list_shows_the_pointed_choice_whole(heights: list[int], data) -> None:
    """Whatever the heights, the pointer and the last view, the pointed choice is shown whole,
    the lines fit, no room is left that the next choice would fill, and moving the pointer
    within the view keeps it."""
    height = data.draw(st.integers(max(heights) + 2, 60))
    pointed = data.draw(st.integers(0, len(heights) - 1))
    last = data.draw(st.integers(0, len(heights) - 1))
    first, end = _scrolled(heights, pointed, height, last)

    def lines(first: int, end: int) -> int:  # the choices' lines and a marker for each hidden end
        return sum(heights[first:end]) + (first > 0) + (end < len(heights))

    assert first <= pointed < end
    assert lines(first, end) <= height
    assert end == len(heights) or lines(first, end + 1) > height
    if sum(heights) <= height:
        assert (first, end) == (0, len(heights))
    for moved in range(first, end):
        assert _scrolled(heights, moved, height, first) == (first, end)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_review_row_is_drawn_whole_with_what_is_out_of_sight_counted(lang: str) -> None:
    """At 40 columns and 12 lines each review row, first to last, is drawn whole under the
    pointer, between lines counting the rows above and below."""
    i18n.use(lang)
    rows = review_rows(load_pack(None, lang))
    view = review_list(rows)
    inquirer = view.inquirer
    above, below = ("more above", "more below") if lang == "en" else ("más arriba", "más abajo")
    for number, row in enumerate(rows, 2):
        inquirer.pointed_at = number
        lines = drawn(view, 40, 12)
        assert len(lines) <= 12
        start = next(y for y, line in enumerate(lines) if line.startswith(" » "))
        label_lines = _text(_wrap([("", f" » {row.label}")], 40)).count("\n") + 1
        whole = " ".join(lines[start : start + label_lines + 1])
        assert whole.split() == ["»", *row.label.split(), "no"]
        starts = {line[3:] for line in lines}
        shown = [i for i, r in enumerate(rows) if first_line(r.label) in starts]
        assert shown == list(range(shown[0], shown[-1] + 1))  # no gap
        hidden_above, hidden_below = shown[0] + 1, len(rows) - 1 - shown[-1]  # + Confirm
        assert lines[0] == f"   ↑ {hidden_above} {above}" or (
            shown[0] == 0 and lines[0] == "   Confirm"
        )
        if hidden_below:
            assert lines[-1] == f"   ↓ {hidden_below} {below}"
        else:
            assert not lines[-1].lstrip().startswith("↓")


def first_line(label: str) -> str:
    """The first line of a review row's question at 40 columns."""
    return _text(_wrap([("", f"   {label}")], 40)).split("\n")[0][3:]


@pytest.mark.parametrize("height", [1, 2, 3, 4, 5])
def test_a_window_of_a_few_lines_still_draws_the_highlighted_line(pack: RulePack, height: int):
    """However short the window, the highlighted choice's first line is drawn, the cursor on it."""
    view = review_list(review_rows(pack))
    for pointed in [0, *range(2, len(view.inquirer.choices)), 0]:
        view.inquirer.pointed_at = pointed
        content = view.create_content(40, height)
        assert content.line_count <= height
        assert _text(content.get_line(content.cursor_position.y)).startswith(" » ")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("up", [True, False])
def test_the_last_review_row_is_picked_in_a_short_terminal(pack: RulePack, up: bool) -> None:
    """In a 40 x 20 terminal the pointer reaches the last review row, from either end."""
    rows = review_rows(pack)
    with create_pipe_input() as pipe:
        pipe.send_text((UP if up else DOWN * len(rows)) + ENTER)
        prompter = QuestionaryPrompter(io.StringIO(), input=pipe, output=SizedOutput(40, 20))
        assert prompter.review(rows, []) == rows[-1].question_id


# -- decimal, text and "other, please specify" ----------------------------------------------------
KYBELLA = load_pack(ROOT / "tests" / "packs" / "kybella")


@pytest.mark.timeout(10)
def test_a_whole_interview_with_decimal_text_and_other_questions(keyboard: Keyboard):
    """A comma decimal and one off the step are refused and asked again; a text is typed as
    is; "Something else" opens its follow-up, in single and multiple choice alike."""
    keyboard.type(
        "30", ENTER,
        "40,5", ENTER, CLEAR_LINE, "40.55", ENTER, CLEAR_LINE, "40.5", ENTER,
        "[b]Aspirin[/b] 100 mg", ENTER,
        down(4), ENTER, "A chin lift", ENTER,
        down(2), SPACE, ENTER, "Lines", ENTER,
        ENTER,
    )  # fmt: skip
    answers = interview(KYBELLA, keyboard.prompter)
    assert answers.given() == {
        "age": 30,
        "bmi": Decimal("40.5"),
        "medicines": "[b]Aspirin[/b] 100 mg",
        "earlier_treatment": "other",
        "earlier_treatment_other": "A chin lift",
        "bothers": ("other",),
        "bothers_other": "Lines",
    }
    assert keyboard.lines() == [
        "? How old are you? 30",
        "? What is your body mass index (BMI)? 40.5 kg/m²",
        "? Which medicines do you take now? [b]Aspirin[/b] 100 mg",
        "? Have you had the area under your chin treated before? Something else",
        "? Which earlier treatment? A chin lift",
        "? What bothers you about the area? Something else",
        "? Something else: please specify Lines",
        "",
        "? Review your answers confirmed",
    ]


@pytest.mark.parametrize(
    ("question_id", "typed", "message"),
    [
        ("bmi", "40,5", "'40,5' is not a number: write the decimal point as '.' (40.5)"),
        ("bmi", "40.55", "40.55 is not a step of 0.1: the nearest are 40.5 and 40.6"),
        ("bmi", "", "Please answer: a number from 10 to 80 in steps of 0.1, in kg/m²."),
        ("bmi", "90", "90 is outside 10 to 80"),
        ("medicines", "", True),
        ("medicines", "x" * 501, "the text is 501 characters long; the limit is 500"),
        ("earlier_treatment_other", " ", "Please answer: in your own words, up to 500 characters."),
    ],
)
def test_decimal_and_text_messages_say_what_to_type(question_id, typed, message):
    """The check both prompters share names the fix for each refused decimal or text."""
    assert check_text(KYBELLA.question(question_id), typed) == message
