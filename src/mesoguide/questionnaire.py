"""The interview: asks what applies, through a Prompter, then lets every answer be reviewed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from mesoguide.model import Answer, Question, RulePack
from mesoguide.render import format_answer


class ReviewRow(NamedTuple):
    """One line of the review: a question and its answer, already in words."""

    question_id: str
    label: str
    shown: str


class Prompter(Protocol):
    """Asks one question at a time; the real ones wrap questionary or input(), tests script one."""

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        """A valid answer, or None when the question may be left unanswered and was.

        ``current`` is the answer being changed in the review (None when first asked).
        """

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        """The id of one of ``rows`` to change, or None when the answers are confirmed.

        ``rows`` are the questions that apply, in order, with their answers in words;
        ``dropped`` names the questions whose answers were just dropped as no longer applying.
        """


def applicable(pack: RulePack, answers: Mapping[str, Answer]) -> list[Question]:
    """The questions whose `when` holds for these answers, in pack order."""
    tests = pack.question_tests
    return [q for q in pack.questions if tests[q.id](answers)]


def interview(
    pack: RulePack, prompter: Prompter, answers: Mapping[str, Answer] | None = None
) -> dict[str, Answer]:
    """Ask every question that applies, then review until the answers are confirmed.

    Returns the answers given, in pack order; a question left unanswered is absent (its
    default, if any, is applied by `answers.resolve`). Changing an answer in the review asks
    only what that change makes newly applicable, and drops answers to questions that no
    longer apply.
    """
    given = dict(answers or {})
    skipped: set[str] = set()
    dropped = _fill(pack, prompter, given, skipped)
    while (question_id := prompter.review(_rows(pack, given), dropped)) is not None:
        question = pack.question(question_id)
        value = prompter.ask(question, given.get(question_id))
        if value is None:
            given.pop(question_id, None)
            skipped.add(question_id)
        else:
            given[question_id] = value  # _fill forgets a skip once the question is answered
        dropped = _fill(pack, prompter, given, skipped)
    return given


def _rows(pack: RulePack, answers: Mapping[str, Answer]) -> list[ReviewRow]:
    """The review's rows: each question that applies, with its answer in words."""
    rows = []
    for question in applicable(pack, answers):
        if question.id in answers:
            shown = format_answer(question, answers[question.id])
        elif question.default is not None:
            shown = f"not answered (pack default: {format_answer(question, question.default)})"
        else:
            shown = "not answered"
        rows.append(ReviewRow(question.id, question.label, shown))
    return rows


def _fill(
    pack: RulePack, prompter: Prompter, answers: dict[str, Answer], skipped: set[str]
) -> list[str]:
    """Ask each applicable question not yet answered or skipped; forget what stopped applying.

    Questions are visited in pack order against the answers kept so far, so a question that
    depends on an earlier one sees that one's new answer. Returns the labels of the questions
    whose answers were dropped.
    """
    tests = pack.question_tests
    kept: dict[str, Answer] = {}
    still_skipped: set[str] = set()
    for question in pack.questions:
        if not tests[question.id](kept):
            continue
        if question.id in answers:
            kept[question.id] = answers[question.id]
        elif question.id in skipped:
            still_skipped.add(question.id)
        else:
            value = prompter.ask(question, None)
            if value is None:
                still_skipped.add(question.id)
            else:
                kept[question.id] = value
    dropped = [q.label for q in pack.questions if q.id in answers and q.id not in kept]
    answers.clear()
    answers.update(kept)
    skipped.clear()
    skipped.update(still_skipped)
    return dropped
