"""The questionary Prompter: the only module that talks to questionary."""

from __future__ import annotations

from typing import Any

import questionary
from rich.console import Console
from rich.table import Table

from mesoguide.answers import AnswerRejected, coerce
from mesoguide.model import Answer, Question, RulePack
from mesoguide.render import format_answer

CONFIRM = "__confirm__"


class QuestionaryPrompter:
    """Asks through questionary; ``Ctrl-C`` raises KeyboardInterrupt (``unsafe_ask``)."""

    def __init__(self, console: Console, **session: Any) -> None:
        self.console = console
        self.session = session  # input=/output= for tests, passed to prompt_toolkit

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        kind = question.type
        if kind == "integer":
            return self._text(question, "" if current is None else str(current))
        if kind == "boolean":
            shown = "" if current is None else ("yes" if current else "no")
            return self._text(question, shown, suffix=" (yes/no)")
        if kind == "choice":
            choices = [questionary.Choice(c.label, value=c.value) for c in question.choices]
            default = next((c for c in choices if c.value == current), None)
            answer = questionary.select(
                question.label,
                choices=choices,
                default=default,
                instruction=_instruction(question.help, "arrow keys, then Enter"),
                **self.session,
            ).unsafe_ask()
            return str(answer)
        selected = set(current) if isinstance(current, tuple) else set()
        boxes = [
            questionary.Choice(c.label, value=c.value, checked=c.value in selected)
            for c in question.choices
        ]
        answer = questionary.checkbox(
            question.label,
            choices=boxes,
            validate=lambda values: _check(question, values),
            instruction=_instruction(question.help, "Space to select, Enter to confirm"),
            **self.session,
        ).unsafe_ask()
        return coerce(question, list(answer))

    def _text(self, question: Question, default: str, suffix: str = "") -> Answer | None:
        def validate(text: str) -> bool | str:
            if not text.strip() and not question.required:
                return True
            return _check(question, text)

        text = questionary.text(
            question.label + suffix,
            default=default,
            validate=validate,
            instruction=f"({question.help})" if question.help else None,
            **self.session,
        ).unsafe_ask()
        if not str(text).strip():
            return None
        return coerce(question, text)

    def review(self, pack: RulePack, answers: dict[str, Answer]) -> str | None:
        table = Table(title="Your answers", title_justify="left", show_lines=False)
        table.add_column("Question")
        table.add_column("Answer")
        for question in pack.questions:
            if question.id in answers:
                table.add_row(question.label, format_answer(question, answers[question.id]))
        self.console.print()
        self.console.print(table)
        choices = [questionary.Choice("These are right: show the result", value=CONFIRM)]
        choices.extend(
            questionary.Choice(f"Change: {q.label} ({format_answer(q, answers[q.id])})", value=q.id)
            for q in pack.questions
            if q.id in answers
        )
        picked = questionary.select(
            "Review your answers",
            choices=choices,
            instruction="(arrow keys, then Enter)",
            **self.session,
        ).unsafe_ask()
        return None if picked == CONFIRM else str(picked)


def _check(question: Question, raw: object) -> bool | str:
    try:
        coerce(question, raw)
    except AnswerRejected as rejected:
        return rejected.reason
    return True


def _instruction(help_text: str | None, keys: str) -> str:
    return f"({help_text} {keys[0].upper()}{keys[1:]}.)" if help_text else f"({keys})"
