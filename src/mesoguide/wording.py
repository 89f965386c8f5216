"""What both prompters say: the hint for each question, its validation messages, answers in words.

The questionary prompter and the plain one share these, so a refused answer is explained in
the same words whichever way it was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from mesoguide.answers import AnswerRejected, coerce, decimal_text, format_answer
from mesoguide.model import Answer, Question, State
from mesoguide.runner import shown as in_words

# How a list prompt says to choose; the plain prompter types numbers instead.
POINTER_KEYS = "Space selects the choice under the pointer."


def skippable(question: Question) -> bool:
    """Whether Enter alone may leave it unanswered (then its default, if any, applies)."""
    return not question.required or question.default is not None


def shown(question: Question, answer: Answer | None) -> str:
    """The answer in words, as echoed once it is given; a blank one says what it counts as."""
    if answer is not None:
        return format_answer(question, answer)
    if question.default is not None:
        return in_words(question, State.default, question.default)
    return in_words(question, State.not_answered, None)


def as_text(current: Answer | None) -> str:
    """A current typed answer (integer, decimal, yes/no, text) as it would be typed."""
    if current is None:
        return ""
    if isinstance(current, bool):
        return "yes" if current else "no"
    if isinstance(current, Decimal):
        return decimal_text(current)
    return str(current)


def typed(question: Question) -> bool:
    """Whether the answer is typed (integer, decimal, yes/no, text), not picked from a list."""
    return question.type in ("integer", "decimal", "boolean", "text")


def text_hint(question: Question) -> str:
    """What to type for a typed question (integer, decimal, yes/no, text)."""
    if question.type == "boolean":
        return "yes or no"
    if question.type == "text":
        return f"in your own words, up to {question.max_length} characters"
    if question.type == "decimal":
        return _decimal_hint(question)
    low, high = question.min, question.max
    if low is not None and high is not None:
        return f"a whole number from {low} to {high}"
    if low is not None:
        return f"a whole number, at least {low}"
    return f"a whole number, at most {high}" if high is not None else "a whole number"


def _decimal_hint(question: Question) -> str:
    low, high = question.min, question.max
    hint = "a number"
    if low is not None and high is not None:
        hint += f" from {as_text(low)} to {as_text(high)}"
    elif low is not None:
        hint += f", at least {as_text(low)}"
    elif high is not None:
        hint += f", at most {as_text(high)}"
    if question.step is not None:
        hint += f" in steps of {as_text(question.step)}"
    return f"{hint}, in {question.unit}" if question.unit else hint


def check_text(question: Question, text: str) -> bool | str:
    """A typed answer (integer, decimal, yes/no, text): True, or what to type instead."""
    if not text.strip():
        return True if skippable(question) else f"Please answer: {text_hint(question)}."
    try:
        coerce(question, text)
    except AnswerRejected as rejected:
        if question.type == "integer" and "outside" not in rejected.reason:
            return f"{rejected.reason}: type {text_hint(question)}"
        return rejected.reason
    return True


def check_choices(
    question: Question, values: Sequence[str], how: str = POINTER_KEYS, undo: str = "unselect one"
) -> bool | str:
    """A multiple-choice selection: True, or why not, in the words on the screen.

    ``how`` says how to choose and ``undo`` how to take a choice back, in the prompter's keys.
    """
    if not values:
        if skippable(question):
            return True
        return f"Choose at least one: {how}"
    labels = {c.value: c.label for c in question.choices}
    exclusive = [c.value for c in question.choices if c.exclusive and c.value in values]
    if exclusive and len(values) > 1:
        return f"'{labels[exclusive[0]]}' cannot be combined with other choices: {undo}."
    try:
        coerce(question, list(values))
    except AnswerRejected as rejected:
        return rejected.reason
    return True
