"""The interview loop, driven by a scripted Prompter."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from textwrap import dedent

import pytest

from mesoguide.answers import resolve
from mesoguide.loader import load_pack
from mesoguide.model import Answer, Question, RulePack
from mesoguide.questionnaire import ReviewRow, applicable, interview

from .conftest import BASE_ANSWERS

ALL_IDS = [
    "age", "sex", "concerns", "areas", "body_type", "cellulite_cause_belief",
    "wants_to_avoid_surgery", "results_expected_within", "sessions_possible",
    "diet_and_exercise", "goal_is_weight_loss", "pregnant_or_breastfeeding",
    "blood_thinners_or_bleeding_disorder", "ingredient_allergies", "skin_problem_in_area",
    "medical_conditions", "scarring_or_pigment_disorder", "recent_treatment_in_area",
]  # fmt: skip


class ScriptedPrompter:
    """Answers from a table; the review picks questions from a script, then confirms."""

    def __init__(
        self,
        answers: Mapping[str, Answer | None],
        changes: Sequence[tuple[str, Answer | None]] = (),
    ) -> None:
        self.answers = dict(answers)
        self.changes = list(changes)
        self.asked: list[tuple[str, Answer | None]] = []  # (question id, current answer)
        self.reviews: list[tuple[list[str], dict[str, str], list[str]]] = []

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        self.asked.append((question.id, current))
        return self.answers[question.id]

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        self.reviews.append(
            ([r.question_id for r in rows], {r.question_id: r.shown for r in rows}, list(dropped))
        )
        if not self.changes:
            return None
        question_id, value = self.changes.pop(0)
        self.answers[question_id] = value
        return question_id


@pytest.fixture
def resolved(pack: RulePack) -> dict[str, Answer]:
    """The base answers as the interview returns them (optional questions skipped)."""
    return resolve(pack, BASE_ANSWERS)


def scripted(resolved: Mapping[str, Answer], **changes: Answer | None) -> dict[str, Answer | None]:
    table: dict[str, Answer | None] = {
        "scarring_or_pigment_disorder": None,
        "recent_treatment_in_area": None,
    }
    table.update({k: v for k, v in resolved.items() if k not in table})
    table.update(changes)
    return table


def test_asks_every_applicable_question_in_pack_order_once(pack, resolved):
    """Asks each applicable question once, in pack order, with no current answer."""
    prompter = ScriptedPrompter(scripted(resolved))
    answers = interview(pack, prompter)
    assert prompter.asked == [(question_id, None) for question_id in ALL_IDS]
    assert list(answers) == [q for q in ALL_IDS if q in BASE_ANSWERS]
    assert resolve(pack, answers) == resolved


def test_skips_a_question_whose_when_is_false(pack, resolved):
    """Does not ask why cellulite happens when cellulite is not a concern."""
    prompter = ScriptedPrompter(scripted(resolved, concerns=("wrinkles",)))
    answers = interview(pack, prompter)
    asked = [question_id for question_id, _ in prompter.asked]
    assert "cellulite_cause_belief" not in asked
    assert "cellulite_cause_belief" not in answers
    assert len(asked) == len(ALL_IDS) - 1


def test_leaves_an_optional_question_unanswered_and_lists_it_in_the_review(pack, resolved):
    """A question left unanswered is absent from the answers but offered in the review."""
    prompter = ScriptedPrompter(scripted(resolved))
    answers = interview(pack, prompter)
    assert "scarring_or_pigment_disorder" not in answers
    [(listed, shown, dropped)] = prompter.reviews
    assert listed == ALL_IDS
    assert shown["scarring_or_pigment_disorder"] == "not answered (pack default: no)"
    assert shown["age"] == "35" and shown["sex"] == "Female"
    assert dropped == []


def test_answers_a_skipped_question_from_the_review(pack, resolved):
    """Choosing a skipped question in the review asks it (no current answer) and keeps it."""
    prompter = ScriptedPrompter(
        scripted(resolved), changes=[("scarring_or_pigment_disorder", True)]
    )
    answers = interview(pack, prompter)
    assert answers["scarring_or_pigment_disorder"] is True
    assert prompter.asked[len(ALL_IDS) :] == [("scarring_or_pigment_disorder", None)]
    assert list(answers) == [q for q in ALL_IDS if q != "recent_treatment_in_area"]


def test_changing_an_answer_re_asks_it_with_the_current_answer_and_nothing_else(pack, resolved):
    """A change that alters no `when` asks only the changed question, given its answer."""
    prompter = ScriptedPrompter(scripted(resolved), changes=[("age", 52)])
    answers = interview(pack, prompter)
    assert prompter.asked[len(ALL_IDS) :] == [("age", 35)]
    assert answers["age"] == 52
    assert len(prompter.reviews) == 2


def test_removing_cellulite_drops_the_dependent_answer_and_adding_it_asks_only_that(pack, resolved):
    """Dependent questions disappear with the answer they hang on and are asked when it returns."""
    prompter = ScriptedPrompter(
        scripted(resolved),
        changes=[("concerns", ("wrinkles",)), ("concerns", ("cellulite", "wrinkles"))],
    )
    prompter.answers["cellulite_cause_belief"] = "not_sure"  # asked again after the return
    answers = interview(pack, prompter)
    assert prompter.asked[len(ALL_IDS) :] == [
        ("concerns", ("cellulite",)),
        ("concerns", ("wrinkles",)),
        ("cellulite_cause_belief", None),
    ]
    first, second, third = prompter.reviews
    assert "cellulite_cause_belief" in first[0]
    assert "cellulite_cause_belief" not in second[0]
    assert second[2] == ["What do you think causes your cellulite?"]
    assert third[1]["cellulite_cause_belief"] == "Not sure"
    assert third[2] == []
    assert answers["concerns"] == ("cellulite", "wrinkles")
    assert list(answers) == [q for q in ALL_IDS if q in BASE_ANSWERS]


def test_clearing_an_optional_answer_in_the_review_leaves_it_unanswered(pack, resolved):
    """Answering None in the review removes the answer and does not ask it again."""
    prompter = ScriptedPrompter(
        scripted(resolved),
        changes=[("recent_treatment_in_area", True), ("recent_treatment_in_area", None)],
    )
    answers = interview(pack, prompter)
    assert "recent_treatment_in_area" not in answers
    assert prompter.asked[len(ALL_IDS) :] == [
        ("recent_treatment_in_area", None),
        ("recent_treatment_in_area", True),
    ]


def test_keeps_given_answers_and_asks_only_the_rest(pack, resolved):
    """Answers passed in are kept and not asked; answers that do not apply are dropped."""
    given = {"age": 40, "concerns": ("wrinkles",), "cellulite_cause_belief": "excess_fat"}
    prompter = ScriptedPrompter(scripted(resolved))
    answers = interview(pack, prompter, given)
    asked = [question_id for question_id, _ in prompter.asked]
    assert "age" not in asked and "concerns" not in asked
    assert "cellulite_cause_belief" not in answers
    assert answers["age"] == 40


def test_applicable_follows_when(pack):
    """`applicable` lists the questions whose `when` holds, in pack order."""
    assert [q.id for q in applicable(pack, {"concerns": ("cellulite",)})] == ALL_IDS
    without = [q.id for q in applicable(pack, {"concerns": ("wrinkles",)})]
    assert without == [q for q in ALL_IDS if q != "cellulite_cause_belief"]


SMALL_PACK = """\
pack:
  id: small
  version: "1"
  title: Small
  treatment: test
  disclaimer: Only a test.
guidance:
  G1: A point.
outcomes:
  - {id: done, label: Done, summary: Done.}
questions:
  - {id: gate, type: boolean, label: Open the gate?}
  - id: behind
    type: integer
    label: How many?
    required: false
    when: {question: gate, value: true}
rules:
  - {id: always, outcome: done, explanation: Always., guidance: [G1]}
"""


def test_a_skipped_question_that_stops_and_starts_applying_is_asked_again(tmp_path: Path):
    """Skipping is forgotten once a question stops applying; when it applies again, it is asked."""
    path = tmp_path / "pack.yaml"
    path.write_text(dedent(SMALL_PACK), encoding="utf-8")
    small = load_pack(path)
    prompter = ScriptedPrompter(
        {"gate": True, "behind": None}, changes=[("gate", False), ("gate", True)]
    )
    answers = interview(small, prompter)
    assert prompter.asked == [
        ("gate", None),
        ("behind", None),
        ("gate", True),
        ("gate", False),
        ("behind", None),
    ]
    assert answers == {"gate": True}
