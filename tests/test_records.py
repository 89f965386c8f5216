"""Records made from reports: the report splits around its answers and joins back exactly."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from mesoguide.engine import assess, decide
from mesoguide.model import RulePack
from mesoguide.records import (
    Parts,
    answers_from_json,
    answers_text,
    decision_key,
    frame,
    head_text,
    new_record,
    split_report,
)
from mesoguide.report import render_json
from tests.test_pipeline_properties import PACKS, answer_sets


def test_a_split_report_joins_back_to_the_printed_text(
    pack: RulePack, base_answers: dict[str, object]
) -> None:
    """Joins head, answers and tail into exactly what `assess --format json` prints."""
    report = assess(pack, base_answers)
    parts = split_report(report)
    assert parts.text == render_json(report)
    assert parts.head.endswith('"answers": ')
    assert parts.tail.startswith(',\n  "pack": {')
    assert json.loads(parts.answers)["age"] == {"state": "answered", "value": 35}


@pytest.mark.parametrize("name", PACKS)
def test_the_answers_and_head_text_are_the_reports_own_on_every_pack(name: str) -> None:
    """Writes the answers and the head exactly as the report's json.dumps does, on 4 packs."""
    pack = PACKS[name]
    memo: dict[object, str] = {}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answer_sets(pack))
    def check(raw: dict[str, object]) -> None:
        report = assess(pack, raw)
        parts = split_report(report)
        assert answers_text(report.answers) == parts.answers
        assert answers_text(report.answers, memo) == parts.answers  # memo shared by examples
        assert frame(report) == (parts.head, parts.tail)
        assert head_text(report.decision) == parts.head
        assert decide(pack, report.rules_fired) == report.decision  # what batch --save uses
        back = answers_from_json(json.loads(parts.answers))
        assert (back.values, back.states) == (report.answers.values, report.answers.states)
        assert back.dropped == report.answers.dropped  # records verify re-renders from these

    check()


def test_the_answers_of_a_report_give_back_the_answer_set(
    pack: RulePack, base_answers: dict[str, object]
) -> None:
    """Reads states, values and defaults back from a report's answers object."""
    report = assess(pack, base_answers)
    shaped = json.loads(render_json(report))["answers"]
    again = answers_from_json(shaped)
    assert (again.values, again.states) == (report.answers.values, report.answers.states)


def test_an_answer_given_to_a_question_not_asked_is_kept_in_the_record(
    pack: RulePack, base_answers: dict[str, object]
) -> None:
    """A dropped answer is written `"given": true` and read back as dropped."""
    report = assess(pack, {**base_answers, "areas": ["thighs"], "cold_sores": True})
    parts = split_report(report)
    assert answers_text(report.answers) == parts.answers
    assert json.loads(parts.answers)["cold_sores"] == {
        "state": "not_asked",
        "value": None,
        "given": True,
    }
    assert answers_from_json(json.loads(parts.answers)).dropped == ("cold_sores",)


def test_the_decision_key_tells_apart_where_head_ends() -> None:
    """Names head and tail together, so moving text from one to the other changes the key."""
    assert decision_key("ab", "c") != decision_key("a", "bc")
    assert Parts("ab", "{}", "c").decision_key == decision_key("ab", "c")


def test_a_new_record_names_its_pack_tool_and_outcome(
    pack: RulePack, base_answers: dict[str, object]
) -> None:
    """Takes a fresh uuid, the UTC time, the pack's ref and the outcome from the report."""
    report = assess(pack, base_answers)
    one = new_record(report, split_report(report), operator="desk1", subject="P-1")
    two = new_record(report, split_report(report), operator="desk1")
    assert one.id != two.id and len(one.id) == 36
    assert one.created.endswith("Z") and one.created[:2] == "20"
    assert one.pack == pack.ref
    assert one.outcome == report.candidacy
    assert one.subject == "P-1" and two.subject is None
    assert one.report == render_json(report)
