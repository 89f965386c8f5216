"""Scenarios: the file format, its checks with file:line, and the default pack's own set."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesoguide.errors import PackError
from mesoguide.loader import load_pack
from mesoguide.model import RulePack
from mesoguide.scenarios import (
    Result,
    load_scenarios,
    never_fired,
    run_scenarios,
    scenarios_path,
)
from tests.packs import write_pack


@pytest.fixture(scope="module")
def default_results(pack: RulePack) -> tuple[RulePack, list[Result]]:
    scenarios = load_scenarios(scenarios_path(pack), pack)
    return pack, list(run_scenarios(pack, scenarios))


def test_default_scenarios_all_pass(default_results: tuple[RulePack, list[Result]]) -> None:
    """Passes every scenario the default pack ships."""
    _, results = default_results
    assert [r.scenario.name for r in results if not r.passed] == []


def test_default_scenarios_reach_every_outcome(
    default_results: tuple[RulePack, list[Result]],
) -> None:
    """Expects each outcome of the default pack in at least one scenario."""
    pack, results = default_results
    expected = {r.scenario.expect.outcome for r in results}
    assert {o.id for o in pack.outcomes} <= expected


def test_default_scenarios_fire_every_rule(default_results: tuple[RulePack, list[Result]]) -> None:
    """Makes every rule fire, and names every explanation rule in some `fires`."""
    pack, results = default_results
    assert never_fired(pack, results) == ()
    pinned = {rule for r in results for rule in r.scenario.expect.fires}
    explaining = {rule.id for rule in pack.rules if rule.explanation or rule.referral}
    assert explaining <= pinned


def test_default_scenarios_pin_rules_that_must_stay_silent(
    default_results: tuple[RulePack, list[Result]],
) -> None:
    """Names every if_outcome rule in some `not_fires`, so none leaks into another outcome."""
    pack, results = default_results
    silent = {rule for r in results for rule in r.scenario.expect.not_fires}
    conditional = {rule.id for rule in pack.rules if rule.when is not None and rule.if_outcome}
    assert conditional <= silent


def _scenarios(tmp_path: Path, text: str) -> tuple[RulePack, Path]:
    pack = load_pack(write_pack(tmp_path))
    path = tmp_path / "scenarios.yaml"
    path.write_text(text, encoding="utf-8")
    return pack, path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "scenarios:\n  - name: a\n    expect: {fires: [to_young]}\n",
            "scenarios.yaml:3: scenarios[0].expect.fires[0]: unknown rule 'to_young' "
            "(did you mean 'too_young'?)",
        ),
        (
            "scenarios:\n  - name: a\n    answers: {agee: 3}\n    expect: {}\n",
            "scenarios.yaml:3: scenarios[0].answers.agee: unknown question 'agee' "
            "(did you mean 'age'?)",
        ),
        (
            "scenarios:\n  - name: a\n    expect: {candidacy: mabye}\n",
            "scenarios.yaml:3: scenarios[0].expect.candidacy: unknown outcome 'mabye' "
            "(did you mean 'maybe'?); outcomes: reject, maybe",
        ),
        (
            "scenarios:\n  - name: a\n    expect: {outcome: mabye}\n",
            "scenarios.yaml:3: scenarios[0].expect.outcome: unknown outcome 'mabye' "
            "(did you mean 'maybe'?); outcomes: reject, maybe",
        ),
        (
            "scenarios:\n  - name: a\n    expect: {outcome: maybe, candidacy: maybe}\n",
            "scenarios.yaml:3: scenarios[0].expect.candidacy: give 'outcome' or 'candidacy' "
            "(the same), not both",
        ),
        (
            "scenarios:\n  - name: a\n    expected: {}\n",
            "scenarios.yaml:3: scenarios[0].expected: unknown key 'expected' "
            "(did you mean 'expect'?); allowed: name, answers, expect",
        ),
        (
            "scenarios:\n  - name: a\n    expect: {}\n  - name: a\n    expect: {}\n",
            "scenarios.yaml:4: scenarios[1].name: duplicate scenario name 'a'",
        ),
        (
            "scenarios:\n  - name: a\n    expect: {sessions: {min: 1, max: true}}\n",
            "scenarios.yaml:3: scenarios[0].expect.sessions.max: expected a whole number, "
            "got a boolean",
        ),
        (
            "scenarios:\n  - name: a\n    expect: {sessions: {min: 1}}\n",
            "scenarios.yaml:3: scenarios[0].expect.sessions: expected whole-number 'min' and "
            "'max', or null",
        ),
        ("base: {}\n", "scenarios.yaml:1: a non-empty list of 'scenarios' is required"),
        ("scenarios: [\n", "scenarios.yaml:2: YAML syntax: "),
    ],
    ids=[
        "rule",
        "question",
        "outcome-as-candidacy",
        "outcome",
        "outcome-twice",
        "key",
        "duplicate",
        "sessions-bool",
        "sessions-half",
        "empty",
        "syntax",
    ],
)
def test_load_reports_each_problem_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    """Refuses a scenarios file with a problem, saying where and what."""
    pack, path = _scenarios(tmp_path, text)
    with pytest.raises(PackError) as caught:
        load_scenarios(path, pack)
    lines = [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems]
    assert any(line.startswith(expected) for line in lines), lines


def test_base_answers_merge_and_null_removes(tmp_path: Path) -> None:
    """Merges each scenario's answers over `base`; `key: null` removes a base answer."""
    pack, path = _scenarios(
        tmp_path,
        "base: {age: 30, wants: [a], detail: x}\n"
        "scenarios:\n"
        "  - name: merged\n"
        "    answers: {age: 12, detail: null}\n"
        "    expect: {}\n",
    )
    (scenario,) = load_scenarios(path, pack)
    assert scenario.answers == {"age": 12, "wants": ["a"]}


def test_run_reports_rejected_answers_and_sessions(tmp_path: Path) -> None:
    """Fails a scenario whose answers are rejected, or whose sessions differ."""
    pack, path = _scenarios(
        tmp_path,
        "scenarios:\n"
        "  - name: bad age\n"
        "    answers: {age: 300, wants: [b]}\n"
        "    expect: {candidacy: maybe}\n"
        "  - name: sessions\n"
        "    answers: {age: 30, wants: [b]}\n"
        "    expect: {sessions: {min: 1, max: 2}}\n",
    )
    results = run_scenarios(pack, load_scenarios(path, pack))
    assert [r.failures for r in results] == [
        ("answers rejected: age: 300 is outside 0 to 99",),
        ("sessions are none, expected 1 to 2",),
    ]
