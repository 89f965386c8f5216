"""The interview: asks what applies, through a Prompter, then lets every answer be reviewed."""

from __future__ import annotations

from typing import Protocol

from mesoguide.model import Answer, Question, RulePack


class Prompter(Protocol):
    """Asks one question at a time; the real one wraps questionary, tests script one."""

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        """A valid answer (None only for an optional question left unanswered)."""

    def review(self, pack: RulePack, answers: dict[str, Answer]) -> str | None:
        """The id of a question to change, or None when the answers are confirmed."""


def applicable(pack: RulePack, answers: dict[str, Answer]) -> list[Question]:
    """The questions whose `when` holds for these answers, in pack order."""
    tests = pack.question_tests
    return [q for q in pack.questions if tests[q.id](answers)]


def interview(
    pack: RulePack, prompter: Prompter, answers: dict[str, Answer] | None = None
) -> dict[str, Answer]:
    """Ask every question that applies, then review until the answers are confirmed.

    Changing an answer in the review asks only what that change makes newly applicable, and
    drops answers to questions that no longer apply.
    """
    answers = dict(answers or {})
    skipped: set[str] = set()
    _fill(pack, prompter, answers, skipped)
    while (question_id := prompter.review(pack, answers)) is not None:
        question = pack.question(question_id)
        value = prompter.ask(question, answers.get(question_id, question.default))
        if value is None:
            answers.pop(question_id, None)
            skipped.add(question_id)
        else:
            answers[question_id] = value
            skipped.discard(question_id)
        _fill(pack, prompter, answers, skipped)
    return answers


def _fill(
    pack: RulePack, prompter: Prompter, answers: dict[str, Answer], skipped: set[str]
) -> None:
    """Ask each applicable, unanswered question in order; keep answers in pack order."""
    tests = pack.question_tests
    ordered: dict[str, Answer] = {}
    for question in pack.questions:
        if not tests[question.id](ordered):
            continue
        if question.id in answers:
            ordered[question.id] = answers[question.id]
        elif question.id not in skipped:
            value = prompter.ask(question, question.default)
            if value is None:
                skipped.add(question.id)
            else:
                ordered[question.id] = value
    answers.clear()
    answers.update(ordered)
