"""The questionary Prompter: the only module that talks to questionary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import questionary
from prompt_toolkit.filters import Always
from rich.console import Console
from rich.text import Text

from mesoguide.answers import AnswerRejected, coerce, format_answer
from mesoguide.interrupts import run_prompt
from mesoguide.model import Answer, Question, State
from mesoguide.runner import ReviewRow, shown

UNCHOSEN = "__unchosen__"
CONFIRM = "__confirm__"
SKIP = "__skip__"
# The answered line mirrors questionary's own look (its default style).
QMARK_STYLE = "#5f819d"
ANSWER_STYLE = "bold #ff9d00"


class QuestionaryPrompter:
    """Asks through questionary; ``Ctrl-C`` raises KeyboardInterrupt (``run_prompt``).

    Each prompt is erased once answered and replaced by one line, ``? label answer``, so the
    screen keeps a clean record whatever the question's type.
    """

    def __init__(self, console: Console, **session: Any) -> None:
        self.console = console
        # input=/output= for tests; every prompt is erased when done (see the class docstring).
        self.session: dict[str, Any] = {"erase_when_done": True, **session}

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        if question.type in ("integer", "boolean"):
            answer = self._text(question, current)
        elif question.type == "choice":
            answer = self._select(question, current)
        else:
            answer = self._checkbox(question, current)
        self._answered(question.label, _shown(question, answer))
        return answer

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        width = max(40, self.console.width - 4)  # the select's pointer and margin
        label_width = min(max((len(row.label) for row in rows), default=0), width * 3 // 5)
        choices: list[questionary.Choice | questionary.Separator] = [
            questionary.Choice("These are right: show the result", value=CONFIRM),
            questionary.Separator(" "),
        ]
        choices.extend(
            questionary.Choice(
                _row(row.label, row.shown, label_width, width), value=row.question_id
            )
            for row in rows
        )
        self.console.print()
        if dropped:
            self.console.print(
                Text(f"No longer applies, answer dropped: {'; '.join(dropped)}", style="dim")
            )
        picked = run_prompt(
            questionary.select(
                "Review your answers",
                choices=choices,
                instruction="(pick one to change it, or confirm)",
                **self.session,
            )
        )
        if picked == CONFIRM:
            self._answered("Review your answers", "confirmed")
            return None
        return str(picked)

    def _text(self, question: Question, current: Answer | None) -> Answer | None:
        hint = _text_hint(question)
        if _skippable(question):
            hint += ", or Enter to skip"
        message = f"{question.label} ({hint})"
        if question.help:  # on its own line, with the answer typed on the next one
            message += f"\n  {question.help}\n  >"

        prompt = questionary.text(
            message,
            default=_as_text(current),
            validate=lambda text: _check_text(question, text),
            **self.session,
        )
        _keep_compact(prompt.application)
        text = str(run_prompt(prompt))
        return coerce(question, text) if text.strip() else None

    def _select(self, question: Question, current: Answer | None) -> Answer | None:
        choices = [questionary.Choice(c.label, value=c.value) for c in question.choices]
        if _skippable(question):
            choices.append(questionary.Choice("(skip this question)", value=SKIP))
        preselected = current if current is not None else question.default
        default = next((c for c in choices if c.value == preselected), None)
        if default is None:
            # Asked for the first time: the pointer rests on a placeholder, so a stray Enter
            # cannot pick the first choice for the person.
            choices.insert(0, questionary.Choice("(choose one)", value=UNCHOSEN))
        instruction = _instruction("arrow keys, then Enter", question.help)
        while True:
            answer = run_prompt(
                questionary.select(
                    question.label,
                    choices=choices,
                    default=default,
                    instruction=instruction,
                    **self.session,
                )
            )
            if answer != UNCHOSEN:
                return None if answer == SKIP else str(answer)
            instruction = _instruction("Please choose one: arrow keys, then Enter", question.help)

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
            validate=lambda values: _check_boxes(question, values),
            instruction=_instruction("Space to select, Enter to confirm", question.help),
            **self.session,
        )
        _keep_compact(prompt.application)
        values = list(run_prompt(prompt))
        return coerce(question, values) if values else None

    def _answered(self, label: str, shown: str) -> None:
        self.console.print(
            Text.assemble(("? ", QMARK_STYLE), (label, "bold"), " ", (shown, ANSWER_STYLE))
        )


def _skippable(question: Question) -> bool:
    """Whether Enter alone may leave it unanswered (then its default, if any, applies)."""
    return not question.required or question.default is not None


def _shown(question: Question, answer: Answer | None) -> str:
    """The echo of one answer: what was typed, or what a blank counts as."""
    if answer is not None:
        return format_answer(question, answer)
    if question.default is not None:
        return shown(question, State.default, question.default)
    return shown(question, State.not_answered, None)


def _as_text(current: Answer | None) -> str:
    if current is None:
        return ""
    if isinstance(current, bool):
        return "yes" if current else "no"
    return str(current)


def _text_hint(question: Question) -> str:
    if question.type == "boolean":
        return "yes or no"
    low, high = question.min, question.max
    if low is not None and high is not None:
        return f"a whole number from {low} to {high}"
    if low is not None:
        return f"a whole number, at least {low}"
    return f"a whole number, at most {high}" if high is not None else "a whole number"


def _instruction(keys: str, help_text: str | None) -> str:
    return f"({keys})\n  {help_text}" if help_text else f"({keys})"


def _check_text(question: Question, text: str) -> bool | str:
    """questionary's validator for integers and yes/no: True, or what to type instead."""
    if not text.strip():
        return True if _skippable(question) else f"Please answer: {_text_hint(question)}."
    try:
        coerce(question, text)
    except AnswerRejected as rejected:
        if question.type == "integer" and "outside" not in rejected.reason:
            return f"{rejected.reason}: type {_text_hint(question)}"
        return rejected.reason
    return True


def _check_boxes(question: Question, values: Sequence[str]) -> bool | str:
    """questionary's validator: the pack's rules, worded for someone at the keyboard."""
    if not values:
        if _skippable(question):
            return True
        return "Choose at least one: Space selects the choice under the pointer."
    labels = {c.value: c.label for c in question.choices}
    exclusive = [c.value for c in question.choices if c.exclusive and c.value in values]
    if exclusive and len(values) > 1:
        return f"'{labels[exclusive[0]]}' cannot be combined with other choices: unselect one."
    try:
        coerce(question, list(values))
    except AnswerRejected as rejected:
        return rejected.reason
    return True


def _row(label: str, shown: str, label_width: int, width: int) -> str:
    """One review line: the label padded or cut to a column, then the answer, within width."""
    return _cut(f"{_cut(label, label_width):<{label_width}}  {shown}", width)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _keep_compact(application: Any) -> None:
    """Show a validation message right under the prompt, not at the bottom of the screen.

    A prompt_toolkit input window grows to fill the screen below it, which pushes the
    message to the last line (questionary fixes this for select, not for text or checkbox).
    """
    for window in application.layout.find_all_windows():
        window.dont_extend_height = Always()
