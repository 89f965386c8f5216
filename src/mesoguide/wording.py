"""What both prompters say: the hint for each question, its validation messages, answers in words.

The questionary prompter and the plain one share these, so a refused answer is explained in
the same words whichever way it was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from mesoguide.answers import AnswerRejected, coerce, decimal_text, format_answer
from mesoguide.i18n import N_, _
from mesoguide.model import Answer, Question, State
from mesoguide.runner import shown as in_words

# How a list prompt says to choose; the plain prompter types numbers instead.
POINTER_KEYS = N_("Space selects the choice under the pointer.")


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
        return _("yes") if current else _("no")
    if isinstance(current, Decimal):
        return decimal_text(current)
    return str(current)


def typed(question: Question) -> bool:
    """Whether the answer is typed (integer, decimal, yes/no, text), not picked from a list."""
    return question.type in ("integer", "decimal", "boolean", "text")


def text_hint(question: Question) -> str:
    """What to type for a typed question (integer, decimal, yes/no, text)."""
    if question.type == "boolean":
        return _("yes or no")
    if question.type == "text":
        return _("in your own words, up to {limit} characters").format(limit=question.max_length)
    if question.type == "decimal":
        return _decimal_hint(question)
    low, high = question.min, question.max
    if low is not None and high is not None:
        return _("a whole number from {low} to {high}").format(low=low, high=high)
    if low is not None:
        return _("a whole number, at least {low}").format(low=low)
    if high is not None:
        return _("a whole number, at most {high}").format(high=high)
    return _("a whole number")


def _decimal_hint(question: Question) -> str:
    low, high = question.min, question.max
    hint = _("a number")
    if low is not None and high is not None:
        hint += _(" from {low} to {high}").format(low=as_text(low), high=as_text(high))
    elif low is not None:
        hint += _(", at least {low}").format(low=as_text(low))
    elif high is not None:
        hint += _(", at most {high}").format(high=as_text(high))
    if question.step is not None:
        hint += _(" in steps of {step}").format(step=as_text(question.step))
    return _("{hint}, in {unit}").format(hint=hint, unit=question.unit) if question.unit else hint


def check_text(question: Question, text: str) -> bool | str:
    """A typed answer (integer, decimal, yes/no, text): True, or what to type instead."""
    if not text.strip():
        return (
            True
            if skippable(question)
            else _("Please answer: {hint}.").format(hint=text_hint(question))
        )
    try:
        coerce(question, text)
    except AnswerRejected as rejected:
        if question.type == "integer" and not _out_of_bounds(question, text):
            return _("{reason}: type {hint}").format(
                reason=rejected.reason, hint=text_hint(question)
            )
        return rejected.reason
    return True


def _out_of_bounds(question: Question, text: str) -> bool:
    """Whether a rejected integer was a whole number, so outside the question's bounds (its
    message says so; another one is followed by what to type)."""
    entered = text.strip()
    digits = entered[1:] if entered[:1] in ("+", "-") else entered  # one sign, as coerce reads
    bounded = question.min is not None or question.max is not None
    return bounded and digits.isdigit() and digits.isascii()


def check_choices(
    question: Question,
    values: Sequence[str],
    how: str = POINTER_KEYS,
    undo: str = N_("unselect one"),
) -> bool | str:
    """A multiple-choice selection: True, or why not, in the words on the screen.

    ``how`` says how to choose and ``undo`` how to take a choice back, in the prompter's keys.
    """
    if not values:
        if skippable(question):
            return True
        return _("Choose at least one: {how}").format(how=_(how))
    labels = {c.value: c.label for c in question.choices}
    exclusive = [c.value for c in question.choices if c.exclusive and c.value in values]
    if exclusive and len(values) > 1:
        return _("'{choice}' cannot be combined with other choices: {undo}.").format(
            choice=labels[exclusive[0]], undo=_(undo)
        )
    try:
        coerce(question, list(values))
    except AnswerRejected as rejected:
        return rejected.reason
    return True
