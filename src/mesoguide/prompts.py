"""The questionary Prompter: the only module that talks to questionary."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TextIO

import questionary
from prompt_toolkit.application import get_app_or_none
from prompt_toolkit.application.current import get_app_session
from prompt_toolkit.data_structures import Point
from prompt_toolkit.filters import Always
from prompt_toolkit.formatted_text import FormattedText, StyleAndTextTuples, to_formatted_text
from prompt_toolkit.formatted_text.utils import split_lines
from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
from prompt_toolkit.layout.controls import FormattedTextControl, UIContent, UIControl
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth
from questionary.prompts.common import InquirerControl, Separator

from mesoguide.answers import coerce
from mesoguide.i18n import _
from mesoguide.interrupts import run_prompt
from mesoguide.model import Answer, Question
from mesoguide.runner import ReviewRow
from mesoguide.wording import (
    as_text,
    check_choices,
    check_text,
    shown,
    skippable,
    text_hint,
    typed,
)

UNCHOSEN = "__unchosen__"
CONFIRM = "__confirm__"
SKIP = "__skip__"
COLUMN = "\t"  # in a review line: between the question and its answer, laid out as two columns
# The answered line mirrors questionary's own look (its default style).
RECORD_STYLE = Style.from_dict({"qmark": "#5f819d", "label": "bold", "answer": "bold #ff9d00"})

Cells = list[tuple[str, str]]  # (style, one character); a zero-width marker has text ""


class QuestionaryPrompter:
    """Asks through questionary (``run_prompt``): Ctrl-C raises KeyboardInterrupt, Ctrl-D
    EOFError, and SIGTERM Terminated, each from inside the prompt's event loop.

    Each prompt is erased once answered and replaced by one record, ``? label answer``, so the
    screen keeps a clean record whatever the question's type. Every line of a prompt is
    word-wrapped at the terminal's width each time it is drawn, so it re-wraps on resize.
    """

    def __init__(self, record: TextIO | None = None, **session: Any) -> None:
        # input=/output= for tests; every prompt is erased when done (see the class docstring).
        self.session: dict[str, Any] = {"erase_when_done": True, **session}
        self.record = record  # where the answered lines go; None: the prompts' output

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        if typed(question):
            answer = self._text(question, current)
        elif question.type == "choice":
            answer = self._select(question, current)
        else:
            answer = self._checkbox(question, current)
        self._answered(question.label, shown(question, answer))
        return answer

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        choices: list[questionary.Choice | questionary.Separator] = [
            questionary.Choice(_("These are right: show the result"), value=CONFIRM),
            questionary.Separator(" "),
        ]
        choices.extend(
            questionary.Choice(f"{row.label}{COLUMN}{row.shown}", value=row.question_id)
            for row in rows
        )
        label_width = max((get_cwidth(row.label) for row in rows), default=0)
        self._print([("", "")])
        instruction = _("(pick one to change it, or confirm)") + "\n"
        if dropped:
            # Part of the prompt, under its question: printed above it, the note was pushed off
            # the screen at once by a review as tall as the terminal.
            note = _("No longer applies, answer dropped: {labels}")
            instruction += "  " + note.format(labels="; ".join(dropped)) + "\n"
        prompt = questionary.select(
            _("Review your answers"),
            choices=choices,
            instruction=instruction,
            **self.session,
        )
        _as_a_list(prompt.application, label_width)
        picked = run_prompt(prompt)
        if picked == CONFIRM:
            self._answered(_("Review your answers"), _("confirmed"))
            return None
        return str(picked)

    def _text(self, question: Question, current: Answer | None) -> Answer | None:
        hint = text_hint(question)
        if skippable(question):
            hint += _(", or Enter to skip")
        # The question (and its help) above, the answer typed on a line of its own: a long
        # question then wraps as a whole, leaving the typed answer where the eye expects it.
        message = f"{question.label} ({hint})"
        if question.help:
            message += f"\n  {question.help}"
        prompt = questionary.text(
            f"{message}\n  >",
            default=as_text(current),
            validate=lambda text: check_text(question, text),
            **self.session,
        )
        _keep_compact(prompt.application)
        _fit_to_width(prompt.application)
        text = str(run_prompt(prompt))
        return coerce(question, text) if text.strip() else None

    def _select(self, question: Question, current: Answer | None) -> Answer | None:
        choices = [questionary.Choice(c.label, value=c.value) for c in question.choices]
        if skippable(question):
            choices.append(questionary.Choice(_("(skip this question)"), value=SKIP))
        preselected = current if current is not None else question.default
        default = next((c for c in choices if c.value == preselected), None)
        if default is None:
            # Asked for the first time: the pointer rests on a placeholder, so a stray Enter
            # cannot pick the first choice for the person.
            choices.insert(0, questionary.Choice(_("(choose one)"), value=UNCHOSEN))
        instruction = _instruction(_("arrow keys, then Enter"), question.help)
        while True:
            prompt = questionary.select(
                question.label,
                choices=choices,
                default=default,
                instruction=instruction,
                **self.session,
            )
            _as_a_list(prompt.application)
            answer = run_prompt(prompt)
            if answer != UNCHOSEN:
                return None if answer == SKIP else str(answer)
            instruction = _instruction(
                _("Please choose one: arrow keys, then Enter"), question.help
            )

    def _checkbox(self, question: Question, current: Answer | None) -> Answer | None:
        preselected = current if current is not None else question.default
        selected = set(preselected) if isinstance(preselected, tuple) else set()
        boxes = [
            questionary.Choice(c.label, value=c.value, checked=c.value in selected)
            for c in question.choices
        ]
        prompt = questionary.checkbox(
            question.label,
            choices=boxes,
            validate=lambda values: check_choices(question, values),
            instruction=_instruction(_("Space to select, then Enter"), question.help),
            **self.session,
        )
        _keep_compact(prompt.application)
        _as_a_list(prompt.application)
        values = list(run_prompt(prompt))
        return coerce(question, values) if values else None

    def _answered(self, label: str, answer: str) -> None:
        self._print(
            [("class:qmark", "? "), ("class:label", label), ("", " "), ("class:answer", answer)]
        )

    def _print(self, fragments: list[tuple[str, str]]) -> None:
        """One record line, word-wrapped at the width of the terminal it goes to."""
        if self.record is not None:
            options: dict[str, Any] = {"file": self.record}
            width = 80
        else:
            output = self.session.get("output") or get_app_session().output
            options = {"output": output}
            width = output.get_size().columns
        text = FormattedText(_wrap(fragments, width))
        print_formatted_text(text, style=RECORD_STYLE, **options)


def _instruction(keys: str, help_text: str | None) -> str:
    # Ends with a newline: the whole question is drawn above the (empty) input line, where
    # it can be wrapped, instead of inside that line, where prompt_toolkit would cut it.
    return f"({keys})\n  {help_text}\n" if help_text else f"({keys})\n"


def _as_a_list(application: Any, label_width: int = 0) -> None:
    """A select or checkbox prompt: wrapped, scrolled by whole choices, its cursor on the
    highlight, Ctrl-D ending input."""
    _scroll_by_choices(application, label_width)
    _fit_to_width(application)
    _end_on_ctrl_d(application)


def _fit_to_width(application: Any) -> None:
    """Word-wrap every text of the prompt at the terminal's width, each time it is drawn.

    prompt_toolkit cuts a long line (or breaks it inside a word); this wraps at spaces, with
    continuation lines indented under the line's first word. (The choices of a list are
    wrapped by `ChoiceList`.)
    """
    for window in application.layout.find_all_windows():
        control = window.content
        if isinstance(control, FormattedTextControl):
            control.text = _wrapping(control.text)
            window.height = None  # as tall as its wrapped lines (a validation message is one)


def _scroll_by_choices(application: Any, label_width: int) -> None:
    """Show a list's choices through a `ChoiceList`, focused, so that the terminal's cursor
    rests on the highlighted choice, where a screen reader looks (questionary leaves it on the
    question line while the highlight moves)."""
    for window in application.layout.find_all_windows():
        if isinstance(window.content, InquirerControl):
            window.content = ChoiceList(window.content, label_width)
            application.layout.focus(window)
            return


class ChoiceList(UIControl):
    """A list prompt's choices, each word-wrapped at the window's width (see `_wrap`); when
    they are taller than the window, they scroll by whole choices, the highlighted one always
    shown whole, with a line above and below saying how many choices are out of sight.

    questionary draws the choices one line each and puts the cursor at the start of the
    highlighted one; prompt_toolkit scrolls a window only as far as the cursor's line. Once
    wrapped, a choice is several lines, and those under the cursor's line were cut off at the
    bottom of the screen (the last choice, at 40 columns, lost its answer or more).
    """

    def __init__(self, inquirer: InquirerControl, label_width: int = 0) -> None:
        self.inquirer = inquirer
        self.label_width = label_width  # a review's longest question (see `_wrap_line`)
        self.first = 0  # the first choice shown, kept from one drawing to the next

    def is_focusable(self) -> bool:
        return True

    def preferred_height(
        self, width: int, max_available_height: int, wrap_lines: bool, get_line_prefix: Any
    ) -> int:
        return sum(len(lines) for lines in self._choices(width))

    def create_content(self, width: int, height: int) -> UIContent:
        choices = self._choices(width)
        first, end = _scrolled(
            [len(lines) for lines in choices], self.inquirer.pointed_at, height, self.first
        )
        self.first = first
        above = [self._marker(_("↑ {count} more above"), 0, first, width)] if first else []
        below = (
            [self._marker(_("↓ {count} more below"), end, len(choices), width)]
            if end < len(choices)
            else []
        )
        if len(above) + len(below) >= height:  # a window of a line or two: the choice alone
            above, below = [], []
        shown = [line for choice in choices[first:end] for line in choice]
        # a highlighted choice taller than the window on its own is shown from its start
        lines = above + shown[: max(height - len(above) - len(below), 1)] + below
        return UIContent(
            get_line=lambda number: lines[number],
            line_count=len(lines),
            cursor_position=_cursor(lines),
            show_cursor=True,
        )

    def _choices(self, width: int) -> list[list[StyleAndTextTuples]]:
        """The lines of each choice, wrapped at ``width``."""
        drawn = split_lines(to_formatted_text(self.inquirer.text))
        return [list(split_lines(_wrap(line, width, self.label_width))) for line in drawn]

    def _marker(self, words: str, start: int, end: int, width: int) -> StyleAndTextTuples:
        hidden = self.inquirer.filtered_choices[start:end]
        count = sum(1 for choice in hidden if not isinstance(choice, Separator))
        text = "   " + words.format(count=count)
        return next(iter(split_lines(_wrap([("class:instruction", text)], width))))


def _scrolled(heights: Sequence[int], pointed: int, height: int, first: int) -> tuple[int, int]:
    """The choices ``[first, end)`` to show in ``height`` lines, the ``pointed`` one among
    them whole if it fits, scrolled as little as needed from ``first`` (the last drawing).

    ``heights`` are the choices' heights in lines. When they are not all shown, one line above
    them (when ``first > 0``) and one below (when ``end < len(heights)``) are taken to say so.
    """
    count = len(heights)
    if sum(heights) <= height:
        return 0, count

    def end_from(start: int) -> int:
        room = height - (start > 0)
        end, used = start, 0
        while end < count and used + heights[end] + (end + 1 < count) <= room:
            used += heights[end]
            end += 1
        return max(end, start + 1)  # a choice taller than the room is shown from its start

    first = min(first, pointed)
    while end_from(first) <= pointed:  # scroll down until the pointed choice fits
        first += 1
    while first > 0 and end_from(first - 1) >= end_from(first):  # fill room left at the end
        first -= 1
    return first, end_from(first)


def _cursor(lines: Sequence[StyleAndTextTuples]) -> Point:
    """Where the ``[SetCursorPosition]`` marker is among ``lines`` (questionary puts it on the
    highlighted choice)."""
    for y, line in enumerate(lines):
        x = 0
        for style, text, *_rest in line:
            if "[SetCursorPosition]" in style:
                return Point(x=x, y=y)
            x += get_cwidth(text)
    return Point(x=0, y=0)


def _wrapping(text: Any) -> Callable[[], StyleAndTextTuples]:
    def wrapped() -> StyleAndTextTuples:
        app = get_app_or_none()
        width = app.output.get_size().columns if app is not None else 80
        return _wrap(to_formatted_text(text), width)

    return wrapped


def _wrap(
    fragments: Sequence[tuple[str, str] | tuple[str, str, Any]], width: int, label_width: int = 0
) -> StyleAndTextTuples:
    """The fragments with each line word-wrapped at ``width`` (see `_fit_to_width`)."""
    lines: list[Cells] = [[]]
    for style, text, *_rest in fragments:
        if not text:
            lines[-1].append((style, ""))  # [SetCursorPosition] and the like: keep in place
        for char in text:
            if char == "\n":
                lines.append([])
            else:
                lines[-1].append((style, char))
    out: StyleAndTextTuples = []
    for number, line in enumerate(lines):
        if number:
            out.append(("", "\n"))
        for row_number, row in enumerate(_wrap_line(line, max(width, 10), label_width)):
            if row_number:
                out.append(("", "\n"))
            out.extend(row)
    return out


def _wrap_line(line: Cells, width: int, label_width: int) -> list[Cells]:
    lead = line[: _indent(line, width)]
    body = line[len(lead) :]
    room = width - _width(lead)
    tab = next((i for i, (_, char) in enumerate(body) if char == COLUMN), None)
    if tab is None:
        return _fill(body, room, lead)
    # A review line: the question in a column of its own, its answer beside it, both wrapped;
    # when the terminal is too narrow for two columns, the answer goes under the question.
    left, right = body[:tab], body[tab + 1 :]
    column = min(label_width, room * 3 // 5)
    if room - column - 2 < 16:
        return _fill(left, room, lead) + _fill(right, room - 2, _blank(_width(lead) + 2))
    questions = _fill(left, column, [])
    answers = _fill(right, room - column - 2, [])
    rows = []
    for i in range(max(len(questions), len(answers))):
        question = questions[i] if i < len(questions) else []
        answer = answers[i] if i < len(answers) else []
        pad = _blank(column - _width(question) + 2) if answer else []
        rows.append((lead if i == 0 else _blank(_width(lead))) + question + pad + answer)
    return rows


def _blank(width: int) -> Cells:
    return [("", " ")] * width


def _indent(line: Cells, width: int) -> int:
    """Where the line's first word starts: its wrapped lines are indented to there."""
    for i, (_style, char) in enumerate(line):
        if char and (char.isalnum() or char in "('\""):
            return i if i <= width // 3 else 0
    return 0


def _fill(cells: Cells, width: int, lead: Cells) -> list[Cells]:
    """Greedy word wrap of ``cells`` in ``width`` columns; ``lead`` starts the first line and
    its width in blanks starts the others. A word longer than a whole line is broken."""
    width = max(width, 1)
    words: list[tuple[Cells, Cells]] = [([], [])]  # (the blanks before it, the word)
    for cell in cells:
        if cell[1] != " ":
            words[-1][1].append(cell)
        elif words[-1][1]:
            words.append(([cell], []))
        else:
            words[-1][0].append(cell)
    rows: list[Cells] = []
    row: Cells = []
    for gap, word in words:
        if not row:
            gap = []  # a wrapped line starts at its first word
        used, size = _width(row), _width(word)
        if not word and used + len(gap) > width:
            continue  # blanks at the end of a full line
        if row and used + len(gap) + size > width:
            rows.append(row)
            row, used, gap = [], 0, []
        while size > width - used - len(gap):  # longer than a whole line: break it at the end
            cut = _fits(word, width - used - len(gap))
            rows.append(row + gap + word[:cut])
            row, used, gap, word = [], 0, [], word[cut:]
            size = _width(word)
        row.extend(gap + word)
    rows.append(row)
    return [(lead if i == 0 else _blank(_width(lead))) + r for i, r in enumerate(rows)]


def _fits(word: Cells, room: int) -> int:
    used = 0
    for i, (_style, char) in enumerate(word):
        used += get_cwidth(char)
        if used > room:
            return max(i, 1)
    return len(word)


def _width(cells: Cells) -> int:
    return sum(get_cwidth(char) for _, char in cells)


def _end_on_ctrl_d(application: Any) -> None:
    """Ctrl-D at a list ends the input, as it does at a typed answer."""
    keys = KeyBindings()

    @keys.add("c-d", eager=True)
    def _(event: Any) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    application.key_bindings = merge_key_bindings([application.key_bindings, keys])


def _keep_compact(application: Any) -> None:
    """Show a validation message right under the prompt, not at the bottom of the screen.

    A prompt_toolkit input window grows to fill the screen below it, which pushes the
    message to the last line (questionary fixes this for select, not for text or checkbox).
    """
    for window in application.layout.find_all_windows():
        window.dont_extend_height = Always()
