"""Every engine rule docs/rule-packs.md states, pinned through `mesoguide assess --format json`.

The pack is tests/packs/semantics/pack.yaml: outcomes `stop`, `refer`, `go` in that precedence;
`s_stop` and `s_refer` make rules propose `stop` and `refer`, and `go_fallback` always proposes
`go`. Most rules are probes whose only job is to appear in `rules_fired` when their `when` holds.
"""

from __future__ import annotations

import json
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app

PACK = Path(__file__).resolve().parent / "packs" / "semantics"
runner = CliRunner()
_files = count()

Answers = dict[str, object]


def run(tmp_path: Path, answers: Answers) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `assess` on the test pack with these answers."""
    file = tmp_path / f"answers-{next(_files)}.json"
    file.write_text(json.dumps(answers), encoding="utf-8")
    result = runner.invoke(
        app, ["assess", "--rules", str(PACK), "--answers", str(file), "--format", "json"]
    )
    return result.exit_code, result.stdout, result.stderr


def report(tmp_path: Path, answers: Answers) -> dict[str, Any]:
    """The JSON report for these answers (they must be accepted)."""
    code, out, err = run(tmp_path, answers)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def plan(result: dict[str, Any]) -> tuple[object, object]:
    """The sessions (without the guidance they cite) and the timeline of a JSON report."""
    sessions = result["sessions"]
    return (sessions and {"min": sessions["min"], "max": sessions["max"]}, result["timeline"])


def fired(tmp_path: Path, answers: Answers) -> list[str]:
    """`rules_fired` of the report for these answers."""
    rules: list[str] = report(tmp_path, answers)["rules_fired"]
    return rules


STOP_AND_REFER: Answers = {"s_stop": True, "s_refer": True}


# -- outcome precedence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "candidacy"),
    [
        ({}, "go"),
        ({"s_refer": True}, "refer"),
        ({"s_stop": True}, "stop"),
        (STOP_AND_REFER, "stop"),  # refer_said comes first in the pack; stop is listed first
    ],
)
def test_the_first_listed_outcome_proposed_wins(
    tmp_path: Path, answers: Answers, candidacy: str
) -> None:
    """Gives the first outcome in the pack's list among those proposed, whatever the rule order."""
    assert report(tmp_path, answers)["candidacy"] == candidacy


def test_a_rule_with_an_outcome_and_no_when_is_a_fallback(tmp_path: Path) -> None:
    """Decides its outcome when nothing listed earlier is proposed, and fires then."""
    result = report(tmp_path, {})
    assert result["candidacy"] == "go"
    assert "go_fallback" in result["rules_fired"]


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        ({"s_stop": True}, "stop_only"),
        ({"s_refer": True}, "refer_only"),
        ({}, "go_fallback"),
    ],
)
def test_an_outcome_only_rule_that_wins_fires(tmp_path: Path, answers: Answers, rule: str) -> None:
    """Lists a rule whose only effect is its outcome when that outcome wins."""
    assert rule in fired(tmp_path, answers)


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        (STOP_AND_REFER, "refer_only"),
        (STOP_AND_REFER, "go_fallback"),
        ({"s_refer": True}, "go_fallback"),
        ({"s_stop": True}, "go_fallback"),
    ],
)
def test_an_outcome_only_rule_that_loses_does_not_fire(
    tmp_path: Path, answers: Answers, rule: str
) -> None:
    """Leaves out of `rules_fired` a rule whose only effect is an outcome that lost."""
    assert rule not in fired(tmp_path, answers)


def test_a_losing_outcome_rule_with_sentences_still_gives_them(tmp_path: Path) -> None:
    """Shows the sentences of a rule that proposed a losing outcome, and lists it as fired."""
    result = report(tmp_path, STOP_AND_REFER)
    assert result["candidacy"] == "stop"
    assert "refer_said" in result["rules_fired"]
    assert {"rule": "refer_said", "text": "Refer said.", "guidance": ["P1"]} in result[
        "referral_reasons"
    ]


# -- sessions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "sessions", "timeline"),
    [
        ({"plan": "long"}, {"min": 9, "max": 12}, "Long plan."),  # sessions_standard fires too
        ({"s_refer": True, "plan": "long"}, {"min": 3, "max": 4}, "Refer plan."),
        ({"s_refer": True, "plan": "short"}, {"min": 3, "max": 4}, "Refer plan."),
    ],
)
def test_the_first_rule_with_sessions_gives_them(
    tmp_path: Path, answers: Answers, sessions: dict[str, int], timeline: str
) -> None:
    """Gives the sessions of the first rule with sessions, in pack order, when several fire."""
    result = report(tmp_path, answers)
    assert plan(result) == (sessions, timeline)


@pytest.mark.parametrize(
    ("answers", "sessions", "timeline"),
    [
        ({}, {"min": 5, "max": 8}, "Standard plan."),  # earlier: if_outcome refer, plan short/long
        ({"s_stop": True, "plan": "long"}, {"min": 9, "max": 12}, "Long plan."),
        ({"s_stop": True, "plan": "short"}, {"min": 1, "max": 2}, None),
    ],
)
def test_a_rule_with_sessions_that_does_not_fire_gives_none(
    tmp_path: Path, answers: Answers, sessions: dict[str, int], timeline: str | None
) -> None:
    """Skips an earlier rule with sessions whose `when` or `if_outcome` does not hold."""
    result = report(tmp_path, answers)
    assert plan(result) == (sessions, timeline)


def test_the_timeline_comes_with_the_sessions(tmp_path: Path) -> None:
    """Gives no timeline when the winning sessions have none, though a later rule's have one."""
    result = report(tmp_path, {"plan": "short"})
    assert "sessions_standard" in result["rules_fired"]
    assert plan(result) == ({"min": 1, "max": 2}, None)


def test_no_rule_with_sessions_fires_gives_no_sessions(tmp_path: Path) -> None:
    """Gives null sessions and a null timeline when no rule with sessions fires."""
    result = report(tmp_path, {"s_stop": True})
    assert plan(result) == (None, None)


# -- if_outcome and standing statements ----------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "fires"),
    [
        ({"plan": "long", "s_stop": True}, True),
        ({"plan": "long", "s_refer": True}, True),
        ({"plan": "long"}, False),  # go
        ({"s_stop": True}, False),  # its `when` is false
    ],
)
def test_if_outcome_limits_a_rule_to_the_named_outcomes(
    tmp_path: Path, answers: Answers, fires: bool
) -> None:
    """Contributes a rule only when its `when` holds and the outcome is one it names."""
    result = report(tmp_path, answers)
    explanation = {
        "rule": "note_stop_or_refer",
        "text": "Stop or refer, with a long plan.",
        "guidance": [],
    }
    assert ("note_stop_or_refer" in result["rules_fired"]) is fires
    assert (explanation in result["explanations"]) is fires


@pytest.mark.parametrize(
    ("answers", "rule", "fires"),
    [
        ({"s_refer": True}, "sessions_for_refer", True),
        ({}, "sessions_for_refer", False),
        ({"s_stop": True}, "sessions_for_refer", False),
        ({}, "sessions_standard", True),
        ({"s_refer": True}, "sessions_standard", False),
    ],
)
def test_if_outcome_without_when_fires_for_the_named_outcomes(
    tmp_path: Path, answers: Answers, rule: str, fires: bool
) -> None:
    """Fires a rule with `if_outcome` and no `when` exactly when the outcome is named."""
    assert (rule in fired(tmp_path, answers)) is fires


@pytest.mark.parametrize("answers", [{}, {"s_refer": True}, {"s_stop": True}])
def test_a_rule_without_when_always_contributes(tmp_path: Path, answers: Answers) -> None:
    """Contributes a standing statement whatever the answers and the outcome."""
    result = report(tmp_path, answers)
    assert "standing" in result["rules_fired"]
    advice = [a["text"] for a in result["advice"]]
    position = advice.index("Standing advice one.")
    assert advice[position : position + 2] == [
        "Standing advice one.",
        "Standing advice two.",
    ]


# -- order of the report --------------------------------------------------------------------------


def test_findings_keep_pack_order(tmp_path: Path) -> None:
    """Lists each kind of finding in rule order, then in the order of the rule's own list."""
    result = report(tmp_path, {"s_refer": True})
    assert result["explanations"] == [
        {"rule": "zeta_first", "text": "Zeta explains.", "guidance": ["P2", "P1"]},
        {"rule": "alpha_second", "text": "Alpha explains.", "guidance": ["P1"]},
    ]
    assert result["referral_reasons"] == [
        {"rule": "refer_said", "text": "Refer said.", "guidance": ["P1"]},
        {"rule": "zeta_first", "text": "Zeta refers.", "guidance": ["P2", "P1"]},
        {"rule": "alpha_second", "text": "Alpha refers.", "guidance": ["P1"]},
    ]
    assert result["clinic_checklist"] == [
        {"rule": "zeta_first", "text": "Zeta asks one.", "guidance": ["P2", "P1"]},
        {"rule": "zeta_first", "text": "Zeta asks two.", "guidance": ["P2", "P1"]},
        {"rule": "alpha_second", "text": "Alpha asks.", "guidance": ["P1"]},
    ]


def test_rules_fired_and_advice_keep_pack_order(tmp_path: Path) -> None:
    """Lists fired rules and their advice in pack order, for a whole report."""
    result = report(tmp_path, {})
    assert result["rules_fired"] == [
        "go_fallback",
        "sessions_standard",
        "standing",
        "zeta_first",
        "alpha_second",
        "level_low",
        "hidden_not_5",
        "not_n_eq_10",
        "all_empty",
        "not_any_empty",
    ]
    assert [a["text"] for a in result["advice"]] == [
        "Standing advice one.",
        "Standing advice two.",
        "Zeta advises.",
        "Alpha advises.",
        "Level low.",
        "Hidden is not 5.",
        "not n eq 10.",
        "An empty all holds.",
        "An empty any does not hold.",
    ]


# -- questions: when, defaults, required ---------------------------------------------------------


def test_a_question_whose_when_is_false_is_not_asked(tmp_path: Path) -> None:
    """Ignores the answer to a question whose `when` is false: to the rules it is absent."""
    rules = fired(tmp_path, {"color": "red", "hidden": 5})
    assert "hidden_answered" not in rules
    assert "hidden_not_5" in rules


def test_a_question_whose_when_holds_is_asked(tmp_path: Path) -> None:
    """Keeps the answer to a question whose `when` holds."""
    rules = fired(tmp_path, {"color": "blue", "hidden": 5})
    assert "hidden_answered" in rules
    assert "hidden_not_5" not in rules


@pytest.mark.parametrize("answers", [{}, {"color": "green"}])
def test_a_required_question_that_is_not_asked_needs_no_answer(
    tmp_path: Path, answers: Answers
) -> None:
    """Accepts answers without a required question whose `when` is false."""
    assert "hidden_answered" not in fired(tmp_path, answers)


def test_a_required_question_that_is_asked_needs_an_answer(tmp_path: Path) -> None:
    """Refuses answers (exit 1) without a required question whose `when` holds."""
    code, out, err = run(tmp_path, {"color": "blue"})
    assert (code, out) == (1, "")
    assert "hidden" in err


@pytest.mark.parametrize(
    ("answers", "fires"), [({}, True), ({"flag": True}, True), ({"flag": False}, False)]
)
def test_an_optional_question_left_blank_takes_its_default(
    tmp_path: Path, answers: Answers, fires: bool
) -> None:
    """Gives the rules the default of an optional question left blank."""
    assert ("zeta_first" in fired(tmp_path, answers)) is fires


@pytest.mark.parametrize(
    ("answers", "fires"),
    [
        ({"flag_detail": 3}, True),
        ({"flag": True, "flag_detail": 3}, True),
        ({"flag": False, "flag_detail": 3}, False),
    ],
)
def test_a_default_is_seen_by_later_whens(tmp_path: Path, answers: Answers, fires: bool) -> None:
    """Asks a question whose `when` holds by an earlier question's default."""
    assert ("flag_detail_answered" in fired(tmp_path, answers)) is fires


@pytest.mark.parametrize(("answers", "fires"), [({}, True), ({"level": "high"}, False)])
def test_a_required_question_left_blank_takes_its_default(
    tmp_path: Path, answers: Answers, fires: bool
) -> None:
    """Accepts a required question with a default left blank, and gives the rules the default."""
    assert ("level_low" in fired(tmp_path, answers)) is fires


def test_an_optional_question_without_default_left_blank_is_absent(tmp_path: Path) -> None:
    """Leaves an optional question without a default absent when left blank."""
    rules = fired(tmp_path, {})
    for probe in ("n_answered", "yes_no_answered", "color_answered", "items_answered"):
        assert probe not in rules


# -- the condition language -----------------------------------------------------------------------

COMPARISONS = [
    ("n_eq_10", {"n": 10}, True),
    ("n_eq_10", {"n": 11}, False),
    ("n_ne_10", {"n": 11}, True),
    ("n_ne_10", {"n": 10}, False),
    ("n_lt_10", {"n": 9}, True),
    ("n_lt_10", {"n": 10}, False),
    ("n_le_10", {"n": 10}, True),
    ("n_le_10", {"n": 11}, False),
    ("n_gt_10", {"n": 11}, True),
    ("n_gt_10", {"n": 10}, False),
    ("n_ge_10", {"n": 10}, True),
    ("n_ge_10", {"n": 9}, False),
    ("n_in_1_10", {"n": 1}, True),
    ("n_in_1_10", {"n": 10}, True),
    ("n_in_1_10", {"n": 5}, False),
    ("n_not_in_1_10", {"n": 5}, True),
    ("n_not_in_1_10", {"n": 10}, False),
    ("yes_no_eq_false", {"yes_no": False}, True),
    ("yes_no_eq_false", {"yes_no": True}, False),
    ("yes_no_ne_true", {"yes_no": False}, True),
    ("yes_no_ne_true", {"yes_no": True}, False),
    ("color_eq_red", {"color": "red"}, True),
    ("color_eq_red", {"color": "green"}, False),
    ("color_ne_red", {"color": "green"}, True),
    ("color_ne_red", {"color": "red"}, False),
    ("color_in_red_green", {"color": "green"}, True),
    ("color_in_red_green", {"color": "blue", "hidden": 1}, False),
    ("color_not_in_red", {"color": "green"}, True),
    ("color_not_in_red", {"color": "red"}, False),
    ("items_contains_a", {"items": ["b", "a"]}, True),
    ("items_contains_a", {"items": ["b"]}, False),
    ("items_contains_any_a_c", {"items": ["c"]}, True),
    ("items_contains_any_a_c", {"items": ["a", "b"]}, True),
    ("items_contains_any_a_c", {"items": ["b"]}, False),
    ("items_contains_all_a_b", {"items": ["a", "b"]}, True),
    ("items_contains_all_a_b", {"items": ["a", "c"]}, False),
    ("items_contains_all_a_b", {"items": ["a"]}, False),
]


@pytest.mark.parametrize(("rule", "answers", "holds"), COMPARISONS)
def test_each_operator_compares_an_answer(
    tmp_path: Path, rule: str, answers: Answers, holds: bool
) -> None:
    """Holds exactly when the answer compares as the operator says (`eq` when `op` is left out)."""
    assert (rule in fired(tmp_path, answers)) is holds


ABSENT_FALSE = [
    "n_eq_10", "n_ne_10", "n_lt_10", "n_le_10", "n_gt_10", "n_ge_10", "n_in_1_10", "n_not_in_1_10",
    "yes_no_eq_false", "yes_no_ne_true",
    "color_eq_red", "color_ne_red", "color_in_red_green", "color_not_in_red",
    "items_contains_a", "items_contains_any_a_c", "items_contains_all_a_b",
    "all_n_and_red", "any_n_or_red",
]  # fmt: skip


@pytest.mark.parametrize("rule", ABSENT_FALSE)
def test_an_absent_answer_makes_every_comparison_false(tmp_path: Path, rule: str) -> None:
    """Makes every comparison on an unanswered question false, `ne` and `not_in` included."""
    assert rule not in fired(tmp_path, {})


@pytest.mark.parametrize(
    ("answers", "holds"),
    [({}, True), ({"n": 10}, False), ({"n": 11}, True)],
)
def test_not_holds_over_an_absent_answer(tmp_path: Path, answers: Answers, holds: bool) -> None:
    """Makes `not` of a comparison true when the answer is absent."""
    assert ("not_n_eq_10" in fired(tmp_path, answers)) is holds


@pytest.mark.parametrize(
    ("rule", "answers", "holds"),
    [
        ("n_answered", {"n": 0}, True),
        ("n_answered", {}, False),
        ("yes_no_answered", {"yes_no": False}, True),
        ("yes_no_answered", {}, False),
        ("color_answered", {"color": "red"}, True),
        ("color_answered", {}, False),
        ("items_answered", {"items": ["none"]}, True),
        ("items_answered", {}, False),
        ("hidden_answered", {"color": "blue", "hidden": 0}, True),
        ("hidden_answered", {"color": "green", "hidden": 0}, False),
    ],
)
def test_answered_holds_when_the_question_was_asked_and_answered(
    tmp_path: Path, rule: str, answers: Answers, holds: bool
) -> None:
    """Holds `answered` for any given answer (0 and no included), not for a blank or unasked one."""
    assert (rule in fired(tmp_path, answers)) is holds


@pytest.mark.parametrize(
    ("rule", "answers", "holds"),
    [
        ("all_n_and_red", {"n": 10, "color": "red"}, True),
        ("all_n_and_red", {"n": 10, "color": "green"}, False),
        ("all_n_and_red", {"n": 9, "color": "red"}, False),
        ("any_n_or_red", {"n": 9, "color": "red"}, True),
        ("any_n_or_red", {"n": 10, "color": "green"}, True),
        ("any_n_or_red", {"n": 9, "color": "green"}, False),
    ],
)
def test_all_and_any_combine_conditions(
    tmp_path: Path, rule: str, answers: Answers, holds: bool
) -> None:
    """Holds `all` when every item holds, `any` when at least one does."""
    assert (rule in fired(tmp_path, answers)) is holds


@pytest.mark.parametrize("rule", ["all_empty", "not_any_empty"])
def test_an_empty_all_holds_and_an_empty_any_does_not(tmp_path: Path, rule: str) -> None:
    """Holds `all: []` and `not: {any: []}`."""
    assert rule in fired(tmp_path, {"n": 3})


# -- answers the pack refuses --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        ({"items": ["none", "a"]}, "items"),  # an exclusive choice with another
        ({"items": ["a", "b", "c"]}, "items"),  # more than max
        ({"n": 101}, "n"),
        ({"n": -1}, "n"),
        ({"color": "blue", "hidden": 10}, "hidden"),
    ],
)
def test_an_answer_outside_the_question_is_refused(
    tmp_path: Path, answers: Answers, question: str
) -> None:
    """Refuses (exit 1) an exclusive choice with others, and a value or count out of bounds."""
    code, out, err = run(tmp_path, answers)
    assert (code, out) == (1, "")
    assert question in err


@pytest.mark.parametrize(
    ("answers", "rule"),
    [
        ({"items": ["none"]}, "items_answered"),
        ({"items": ["a", "b"]}, "items_contains_all_a_b"),
        ({"n": 0}, "n_answered"),
        ({"n": 100}, "n_ge_10"),
    ],
)
def test_an_answer_at_the_bounds_is_accepted(tmp_path: Path, answers: Answers, rule: str) -> None:
    """Accepts an exclusive choice alone, and values and counts at their bounds."""
    assert rule in fired(tmp_path, answers)


def test_the_pack_is_sound() -> None:
    """Passes `mesoguide rules check`: every rule can fire and every answer set gets an outcome."""
    result = runner.invoke(app, ["rules", "check", str(PACK)])
    assert result.exit_code == 0, result.output
    assert "sound" in result.stdout
