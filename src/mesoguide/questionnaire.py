"""The interview: asks what applies, through a Prompter, then lets every answer be reviewed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from mesoguide.model import Answer, Question, RulePack


class Prompter(Protocol):
    """Asks one question at a time; the real one wraps questionary, tests script one."""

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        """A valid answer, or None when the question may be left unanswered and was.

        ``current`` is the answer being changed in the review (None when first asked).
        """

    def review(self, questions: Sequence[Question], answers: Mapping[str, Answer]) -> str | None:
        """The id of one of ``questions`` to change, or None when the answers are confirmed.

        ``questions`` are those that apply, in order; one absent from ``answers`` was left
        unanswered.
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
    _fill(pack, prompter, given, skipped)
    while (question_id := prompter.review(applicable(pack, given), given)) is not None:
        question = pack.question(question_id)
        value = prompter.ask(question, given.get(question_id))
        if value is None:
            given.pop(question_id, None)
            skipped.add(question_id)
        else:
            given[question_id] = value  # _fill forgets a skip once the question is answered
        _fill(pack, prompter, given, skipped)
    return given


def _fill(
    pack: RulePack, prompter: Prompter, answers: dict[str, Answer], skipped: set[str]
) -> None:
    """Ask each applicable question not yet answered or skipped; forget what stopped applying.

    Questions are visited in pack order against the answers kept so far, so a question that
    depends on an earlier one sees that one's new answer.
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
    answers.clear()
    answers.update(kept)
    skipped.clear()
    skipped.update(still_skipped)
