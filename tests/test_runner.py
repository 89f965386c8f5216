"""The runner: one walk over the questions for every source, and the interview built on it."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.batch import Assessor, CsvRows
from mesoguide.cli import app
from mesoguide.engine import assess
from mesoguide.errors import AnswersError
from mesoguide.loader import load_pack
from mesoguide.model import Answer, Question, RulePack, State
from mesoguide.report import report_to_dict
from mesoguide.runner import ReviewRow, from_mapping, interview, may_be_blank, shown, walk

from .conftest import BASE_ANSWERS
from .packs import write_pack

ALL_IDS = [
    "age", "sex", "concerns", "areas", "body_type", "cellulite_cause_belief",
    "wants_to_avoid_surgery", "results_expected_within", "sessions_possible",
    "goal_is_weight_loss", "pregnant_or_breastfeeding",
    "blood_thinners_or_bleeding_disorder", "ingredient_allergies", "skin_problem_in_area",
    "medical_conditions", "scarring_or_pigment_disorder", "recent_treatment_in_area",
    "bruising_medicines", "liver_or_kidney_disease",
]  # fmt: skip

SMOKER_PACK = """\
pack:
  id: smoking
  version: "1"
  title: Smoking
  treatment: test
  disclaimer: Only a test.
guidance:
  G1: A point.
outcomes:
  - {id: heavy, label: Heavy, summary: Many a day.}
  - {id: other, label: Other, summary: Anything else.}
questions:
  - {id: smoker, type: boolean, label: Do you smoke?, default: true}
  - id: per_day
    type: integer
    label: How many a day?
    min: 0
    max: 100
    when: {question: smoker, value: true}
  - {id: scars, type: boolean, label: Do you form raised scars?, required: false}
rules:
  - id: heavy
    when: {question: per_day, op: ge, value: 20}
    outcome: heavy
    explanation: Many a day.
    guidance: [G1]
  - {id: fallback, outcome: other, explanation: Anything else., guidance: [G1]}
  - id: scars_unknown
    when: {not: {question: scars, op: answered}}
    advice: [Nobody said whether you form raised scars; ask about this at the visit.]
    guidance: [G1]
"""


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
        self.reviews: list[tuple[list[ReviewRow], list[str]]] = []

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        self.asked.append((question.id, current))
        return self.answers[question.id]

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        self.reviews.append((list(rows), list(dropped)))
        if not self.changes:
            return None
        question_id, value = self.changes.pop(0)
        self.answers[question_id] = value
        return question_id


def listed(rows: Sequence[ReviewRow]) -> list[str]:
    return [row.question_id for row in rows]


def scripted(**changes: Answer | None) -> dict[str, Answer | None]:
    """The base answers as typed, the optional questions left blank."""
    table: dict[str, Answer | None] = {
        key: tuple(value) if isinstance(value, list) else value  # type: ignore[misc]
        for key, value in BASE_ANSWERS.items()
    }
    table.update(
        scarring_or_pigment_disorder=None,
        recent_treatment_in_area=None,
        bruising_medicines=None,
        liver_or_kidney_disease=None,
    )
    table.update(changes)
    return table


@pytest.fixture
def smoking(tmp_path: Path) -> RulePack:
    return load_pack(write_pack(tmp_path / "smoking", SMOKER_PACK))


# -- the walk ----------------------------------------------------------------------------------
def test_every_question_ends_in_exactly_one_state(smoking: RulePack) -> None:
    """Answered, not asked and not answered: each question gets one state."""
    answers = from_mapping(smoking, {"smoker": False})
    assert dict(answers.states) == {
        "smoker": State.answered,
        "per_day": State.not_asked,
        "scars": State.not_answered,
    }
    assert answers.values == {"smoker": False}


def test_a_blank_takes_the_default_and_later_questions_see_it(smoking: RulePack) -> None:
    """A blank `smoker` counts as its default, so `per_day` applies and is required."""
    with pytest.raises(AnswersError) as raised:
        from_mapping(smoking, {})
    assert [str(p) for p in raised.value.problems] == ["per_day: required, but not answered"]
    answers = from_mapping(smoking, {"smoker": "", "per_day": 25, "scars": None})
    assert dict(answers.states) == {
        "smoker": State.default,
        "per_day": State.answered,
        "scars": State.not_answered,
    }
    assert answers.values == {"smoker": True, "per_day": 25}
    assert answers.given() == {"per_day": 25}


def test_a_value_for_a_question_not_asked_is_dropped_and_named(smoking: RulePack) -> None:
    """`per_day` offered while `smoker` is no: not asked, its value dropped and listed."""
    answers = from_mapping(smoking, {"smoker": "no", "per_day": 5})
    assert answers.states["per_day"] is State.not_asked
    assert "per_day" not in answers.values
    assert answers.dropped == ("per_day",)


def test_the_walk_asks_its_source_only_about_questions_that_apply(smoking: RulePack) -> None:
    """The source is asked in pack order, never about a question whose `when` is false."""
    asked: list[str] = []

    def source(question: Question) -> object:
        asked.append(question.id)
        return {"smoker": False}.get(question.id)

    answers, problems = walk(smoking, source)
    assert (asked, problems) == (["smoker", "scars"], [])
    assert answers.states["per_day"] is State.not_asked


def test_the_walk_gathers_every_problem(pack: RulePack) -> None:
    """Rejected and missing answers are all reported, in question order."""
    raw: dict[str, object] = {"age": 300, "sex": "x"}
    _, problems = walk(pack, lambda question: raw.get(question.id))
    assert [p.question for p in problems][:3] == ["age", "sex", "concerns"]
    assert problems[0].reason == "300 is outside 0 to 120"


def test_no_choice_ticked_is_a_blank(tmp_path: Path) -> None:
    """A multiple-choice answer of no choices counts as left blank."""
    text = SMOKER_PACK.replace(
        "  - {id: scars, type: boolean, label: Do you form raised scars?, required: false}",
        "  - {id: scars, type: boolean, label: Do you form raised scars?, required: false}\n"
        "  - id: tags\n    type: multiple\n    label: Tags?\n    required: false\n"
        "    choices: [{value: t1, label: T1}]",
    )
    small = load_pack(write_pack(tmp_path, text))
    for blank in (None, "", [], ";"):
        answers = from_mapping(small, {"smoker": False, "tags": blank})
        assert answers.states["tags"] is State.not_answered, blank


@pytest.mark.parametrize(
    ("required", "default", "blank"),
    [(True, None, False), (True, False, False), (False, False, False), (False, None, True)],
)
def test_may_be_blank_is_what_the_walk_does(
    smoking: RulePack, required: bool, default: bool | None, blank: bool
) -> None:
    """Optional and without a default, and only then, a blank question validly has no value."""
    question = replace(smoking.question("scars"), required=required, default=default)
    pack = replace(smoking, questions=(*smoking.questions[:2], question))
    answers, problems = walk(pack, lambda q: {"smoker": False}.get(q.id))
    assert may_be_blank(question) is blank
    assert ("scars" not in answers.values and not problems) is blank


@pytest.mark.parametrize(
    ("state", "value", "words"),
    [
        (State.answered, False, "no"),
        (State.answered, True, "yes"),
        (State.default, False, "not answered (pack default: no)"),
        (State.not_answered, None, "not answered"),
        (State.not_asked, None, "not asked (did not apply)"),
    ],
)
def test_shown_never_turns_a_blank_into_no(
    smoking: RulePack, state: State, value: Answer | None, words: str
) -> None:
    """An answer in words says where it came from."""
    assert shown(smoking.question("scars"), state, value) == words


# -- the smoker pack: the same result on every path --------------------------------------------
def test_pressing_enter_on_a_default_asks_what_depends_on_it(smoking: RulePack) -> None:
    """Enter on `smoker` (default yes) asks `per_day`; the review shows the default as such."""
    prompter = ScriptedPrompter({"smoker": None, "per_day": 25, "scars": None})
    answers = interview(smoking, prompter)
    assert [qid for qid, _ in prompter.asked] == ["smoker", "per_day", "scars"]
    [(rows, dropped)] = prompter.reviews
    assert rows == [
        ReviewRow("smoker", "Do you smoke?", "not answered (pack default: yes)"),
        ReviewRow("per_day", "How many a day?", "25"),
        ReviewRow("scars", "Do you form raised scars?", "not answered"),
    ]
    assert dropped == []
    assert answers == from_mapping(smoking, {"per_day": 25})


def test_the_smoker_pack_decides_alike_from_the_prompt_a_file_and_a_batch_row(
    smoking: RulePack, tmp_path: Path
) -> None:
    """Enter at the prompt, a file without the key and an empty CSV cell give one report."""
    prompter = ScriptedPrompter({"smoker": None, "per_day": 25, "scars": None})
    interactive = report_to_dict(assess(smoking, interview(smoking, prompter)))

    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text("per_day: 25\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["assess", "--rules", str(smoking.path), "-a", str(answers_file), "-f", "json"],
    )
    assert result.exit_code == 0, result.output
    from_file = json.loads(result.stdout)

    rows = CsvRows(io.StringIO("smoker,per_day,scars\n,25,\n", newline=""), smoking, "in.csv")
    [record] = [Assessor(smoking, full=True).record(row) for row in rows]

    assert interactive == from_file == record["report"]
    assert interactive["candidacy"] == "heavy"
    assert interactive["answers"] == {
        "smoker": {"state": "default", "value": None, "default": True},
        "per_day": {"state": "answered", "value": 25},
        "scars": {"state": "not_answered", "value": None},
    }
    assert interactive["advice"] == [
        {
            "rule": "scars_unknown",
            "text": "Nobody said whether you form raised scars; ask about this at the visit.",
            "guidance": ["G1"],
        }
    ]


# -- the interview -----------------------------------------------------------------------------
def test_asks_every_applicable_question_in_pack_order_once(pack: RulePack) -> None:
    """Asks each applicable question once, in pack order, with no current answer."""
    prompter = ScriptedPrompter(scripted())
    answers = interview(pack, prompter)
    assert prompter.asked == [(question_id, None) for question_id in ALL_IDS]
    assert answers == from_mapping(pack, BASE_ANSWERS)


def test_skips_a_question_whose_when_is_false(pack: RulePack) -> None:
    """Does not ask about build or why cellulite happens when cellulite is not a concern."""
    prompter = ScriptedPrompter(scripted(concerns=("wrinkles",)))
    answers = interview(pack, prompter)
    asked = [question_id for question_id, _ in prompter.asked]
    assert "cellulite_cause_belief" not in asked and "body_type" not in asked
    assert answers.states["cellulite_cause_belief"] is State.not_asked
    assert len(asked) == len(ALL_IDS) - 2


def test_a_blank_optional_question_is_listed_in_the_review_as_not_answered(
    pack: RulePack,
) -> None:
    """A question left blank is offered in the review as not answered, never as "no"."""
    prompter = ScriptedPrompter(scripted())
    answers = interview(pack, prompter)
    assert answers.states["scarring_or_pigment_disorder"] is State.not_answered
    [(rows, _)] = prompter.reviews
    assert listed(rows) == ALL_IDS
    assert rows[ALL_IDS.index("scarring_or_pigment_disorder")].shown == "not answered"


def test_answers_a_skipped_question_from_the_review(pack: RulePack) -> None:
    """Choosing a skipped question in the review asks it (no current answer) and keeps it."""
    prompter = ScriptedPrompter(scripted(), changes=[("scarring_or_pigment_disorder", True)])
    answers = interview(pack, prompter)
    assert answers.values["scarring_or_pigment_disorder"] is True
    assert answers.states["scarring_or_pigment_disorder"] is State.answered
    assert prompter.asked[len(ALL_IDS) :] == [("scarring_or_pigment_disorder", None)]


def test_changing_an_answer_re_asks_it_with_the_current_answer_and_nothing_else(
    pack: RulePack,
) -> None:
    """A change that alters no `when` asks only the changed question, given its answer."""
    prompter = ScriptedPrompter(scripted(), changes=[("age", 52)])
    answers = interview(pack, prompter)
    assert prompter.asked[len(ALL_IDS) :] == [("age", 35)]
    assert answers.values["age"] == 52
    assert len(prompter.reviews) == 2


def test_removing_cellulite_drops_the_dependent_answer_and_adding_it_asks_only_that(
    pack: RulePack,
) -> None:
    """Dependent questions disappear with the answer they hang on and are asked when it returns."""
    prompter = ScriptedPrompter(
        scripted(),
        changes=[("concerns", ("wrinkles",)), ("concerns", ("cellulite", "wrinkles"))],
    )
    prompter.answers["cellulite_cause_belief"] = "not_sure"  # asked again after the return
    answers = interview(pack, prompter)
    assert prompter.asked[len(ALL_IDS) :] == [
        ("concerns", ("cellulite",)),
        ("concerns", ("wrinkles",)),
        ("body_type", None),
        ("cellulite_cause_belief", None),
    ]
    first, second, third = prompter.reviews
    assert "cellulite_cause_belief" in listed(first[0])
    assert "cellulite_cause_belief" not in listed(second[0])
    assert second[1] == [
        "How would you describe your build?",
        "What do you think causes your cellulite?",
    ]
    assert third[1] == []
    assert answers.values["cellulite_cause_belief"] == "not_sure"
    assert answers.values["concerns"] == ("cellulite", "wrinkles")


def test_clearing_an_optional_answer_in_the_review_leaves_it_unanswered(
    pack: RulePack,
) -> None:
    """Answering blank in the review removes the answer and does not ask it again."""
    prompter = ScriptedPrompter(
        scripted(),
        changes=[("recent_treatment_in_area", True), ("recent_treatment_in_area", None)],
    )
    answers = interview(pack, prompter)
    assert answers.states["recent_treatment_in_area"] is State.not_answered
    assert prompter.asked[len(ALL_IDS) :] == [
        ("recent_treatment_in_area", None),
        ("recent_treatment_in_area", True),
    ]


def test_an_answer_that_stops_and_starts_applying_is_asked_again(smoking: RulePack) -> None:
    """An answer is dropped once its question stops applying, and asked afresh on return."""
    prompter = ScriptedPrompter(
        {"smoker": True, "per_day": 3, "scars": False},
        changes=[("smoker", False), ("smoker", True)],
    )
    answers = interview(smoking, prompter)
    assert prompter.asked == [
        ("smoker", None),
        ("per_day", None),
        ("scars", None),
        ("smoker", True),
        ("smoker", False),
        ("per_day", None),
    ]
    assert prompter.reviews[1][1] == ["How many a day?"]
    assert answers.values == {"smoker": True, "per_day": 3, "scars": False}


# -- prefilled answers (assess --answers FILE --ask) -------------------------------------------
def test_a_prefill_asks_only_the_missing_questions(smoking: RulePack) -> None:
    """Answers in the file are taken; only the questions it leaves out are asked."""
    prompter = ScriptedPrompter({"per_day": 25, "scars": False})
    answers = interview(smoking, prompter, {"smoker": "yes"}, "booking.yaml")
    assert prompter.asked == [("per_day", None), ("scars", None)]
    assert answers.values == {"smoker": True, "per_day": 25, "scars": False}
    [(rows, _)] = prompter.reviews
    assert [row.shown for row in rows] == [
        "yes (from booking.yaml)",
        "25 (answered now)",
        "no (answered now)",
    ]


def test_a_prefill_asks_again_what_it_answered_wrongly(smoking: RulePack) -> None:
    """A value the question refuses is asked again; the valid ones are kept."""
    prompter = ScriptedPrompter({"per_day": 12})
    answers = interview(
        smoking, prompter, {"smoker": True, "per_day": 500, "scars": "no"}, "booking.yaml"
    )
    assert prompter.asked == [("per_day", None)]
    assert answers.values == {"smoker": True, "per_day": 12, "scars": False}
    from mesoguide.runner import prefill_problems

    assert [str(p) for p in prefill_problems(smoking, {"per_day": 500})] == [
        "per_day: 500 is outside 0 to 100"
    ]


def test_a_complete_prefill_asks_nothing_but_the_review(smoking: RulePack) -> None:
    """With every answer in the file, nothing is asked; the review lists them all as given."""
    prompter = ScriptedPrompter({}, changes=[("scars", True)])
    prompter.answers["scars"] = True
    answers = interview(
        smoking, prompter, {"smoker": True, "per_day": 3, "scars": False}, "booking.yaml"
    )
    assert prompter.asked == [("scars", False)]  # only the change made in the review
    first, second = prompter.reviews
    assert [row.shown for row in first[0]] == [
        "yes (from booking.yaml)",
        "3 (from booking.yaml)",
        "no (from booking.yaml)",
    ]
    assert second[0][2].shown == "yes (answered now)"
    assert answers.values == {"smoker": True, "per_day": 3, "scars": True}


def test_assess_ask_in_plain_mode_asks_only_what_the_file_leaves_out(tmp_path: Path) -> None:
    """`assess --answers FILE --ask --plain`: the file's answers are taken, the rest typed."""
    import subprocess
    import sys

    pack = write_pack(tmp_path / "smoking", SMOKER_PACK)
    partial = tmp_path / "partial.yaml"
    partial.write_text("smoker: yes\nper_day: 500\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mesoguide", "assess", "--rules", str(pack), "--answers",
         "partial.yaml", "--ask", "--plain", "--format", "json"],
        cwd=tmp_path,
        input="25\nno\n\n",  # per_day again, scars, then confirm the review
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning: partial.yaml: per_day: 500 is outside 0 to 100: asked again" in done.stderr
    assert "Do you smoke?" not in done.stderr.split("Review")[0]  # taken from the file
    assert "1. Do you smoke? Answer: yes (from partial.yaml)" in done.stderr
    report = json.loads(done.stdout)
    assert report["answers"]["per_day"] == {"state": "answered", "value": 25}
    assert report["candidacy"] == "heavy"


def test_ask_needs_an_answers_file() -> None:
    """`--ask` without `--answers FILE` (or with stdin) is a usage error."""
    for args in (["assess", "--ask"], ["assess", "--answers", "-", "--ask"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2
        assert "--ask asks on the terminal what --answers FILE leaves out" in result.stderr


def test_a_screens_yes_where_it_is_not_asked_refuses_the_answers() -> None:
    """A pregnancy 'yes' in a file that also says 'male' is never dropped: the answers are
    refused, naming the conflict; a 'no' there is dropped and named as given."""

    pack = load_pack()
    with pytest.raises(AnswersError) as refused:
        from_mapping(pack, {**BASE_ANSWERS, "sex": "male", "pregnant_or_breastfeeding": "Yes"})
    assert [str(problem) for problem in refused.value.problems] == [
        "pregnant_or_breastfeeding: answered yes, but this screening question is asked only when "
        "sex is female, other or prefer_not_to_say; a yes to it is never ignored, so correct the "
        "other answers or this one"
    ]
    kept = from_mapping(pack, {**BASE_ANSWERS, "sex": "male", "pregnant_or_breastfeeding": "no"})
    assert kept.dropped == ("pregnant_or_breastfeeding",)
    # a 'yes' where the screen is asked counts as any answer does
    asked = from_mapping(pack, {**BASE_ANSWERS, "sex": "other", "pregnant_or_breastfeeding": 1})
    assert asked.values["pregnant_or_breastfeeding"] is True
