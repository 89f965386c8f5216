"""`mesoguide rules check|show|schema|test`: output, exit codes, every problem at its line."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.packs import default_pack_path
from tests.conftest import ROOT
from tests.packs import SMALL_PACK, write_pack

runner = CliRunner()


def _check(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    write_pack(tmp_path, text)
    result = runner.invoke(app, ["rules", "check", str(tmp_path)])
    lines = result.stdout.replace(str(tmp_path) + "/", "").splitlines()
    return result.exit_code, lines


def test_check_proves_the_default_pack_sound() -> None:
    """Exits 0 with one line saying what was proved."""
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0
    assert result.stdout == (
        f"{default_pack_path() / 'pack.yaml'}: sound. 21 questions, 53 rules, 3 outcomes: "
        "every rule can fire, every outcome can be reached, and every answer set gets exactly "
        "one outcome; its 17 invariants hold.\n"
    )
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("label: Age, min: 0", "label: [Age, min: 0", "pack.yaml:14: YAML syntax: "),
        (
            "    label: Wants?\n",
            "    lable: Wants?\n",
            "pack.yaml:17: questions[1].lable: unknown key 'lable' (did you mean 'label'?); "
            "allowed: id, type, label, help, choices, min, max, step, unit, max_length, required, "
            "default, when",
        ),
        (
            "min: 0, max: 99}",
            "min: zero, max: 99}",
            "pack.yaml:14: questions[0].min: expected a whole number, got a string",
        ),
        (
            "  - id: fine\n",
            "  - id: too_young\n",
            "pack.yaml:36: rules[1].id: duplicate rule id 'too_young'",
        ),
        (
            "      - {value: b, label: B}\n",
            "      - {value: a, label: B}\n",
            "pack.yaml:21: questions[1].choices[1].value: duplicate choice value 'a'",
        ),
        (
            "when: {question: age, op: lt, value: 18}",
            "when: {question: ag, op: lt, value: 18}",
            "pack.yaml:32: rules[0].when: unknown question 'ag' (did you mean 'age'?)",
        ),
        (
            "when: {question: detail, value: x}",
            "when: {question: detail, value: xx}",
            "pack.yaml:42: rules[2].when: 'xx' is not a choice of 'detail' (did you mean 'x'?); "
            "choices: x, y",
        ),
        (
            "  - {id: age, type: integer, label: Age, min: 0, max: 99}\n",
            "  - {id: age, type: integer, label: Age, min: 0, max: 99,"
            " when: {question: detail, value: x}}\n",
            "pack.yaml:14: questions[0].when: question 'detail' is asked after 'age': a 'when' "
            "may only use questions asked before it",
        ),
        (
            "    guidance: [P1]\n",
            "    guidance: [P9]\n",
            "pack.yaml:35: rules[0].guidance[0]: unknown guidance point 'P9'",
        ),
        (
            "    guidance: [P1]\n",
            "    guidance: [P2]\n",
            "pack.yaml:8: guidance.P1: guidance point 'P1' is not mirrored by any rule: cite it in "
            "a rule's 'guidance' or remove it",
        ),
    ],
    ids=[
        "syntax",
        "unknown-key",
        "wrong-type",
        "duplicate-id",
        "duplicate-choice",
        "unknown-question",
        "unknown-value",
        "later-question",
        "unknown-guidance",
        "unused-guidance",
    ],
)
def test_check_reports_the_problem_at_its_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    """Prints the problem as FILE:LINE: message and exits 3."""
    assert old in SMALL_PACK
    code, lines = _check(tmp_path, SMALL_PACK.replace(old, new))
    assert code == 3
    assert any(line.startswith(expected) for line in lines), lines


def test_check_names_a_cycle_of_whens(tmp_path: Path) -> None:
    """Names both questions of a `when` cycle."""
    text = SMALL_PACK.replace(
        "  - {id: age, type: integer, label: Age, min: 0, max: 99}\n",
        "  - {id: age, type: integer, label: Age, min: 0, max: 99,"
        " when: {question: detail, value: x}}\n",
    ).replace(
        "    when: {question: wants, op: contains, value: a}\n",
        "    when: {question: age, op: gt, value: 3}\n",
    )
    code, lines = _check(tmp_path, text)
    assert code == 3
    assert lines[:2] == [
        "pack.yaml:14: questions[0].when: question 'detail' is asked after 'age': a 'when' "
        "may only use questions asked before it",
        "pack.yaml:14: questions[0].when: 'when' conditions form a cycle: age -> detail -> age",
    ]


def test_check_prints_every_problem_then_a_count(tmp_path: Path) -> None:
    """Prints all problems, in file order, and how many there are."""
    text = SMALL_PACK.replace("    label: Wants?\n", "    lable: Wants?\n").replace(
        "  - id: fine\n", "  - id: too_young\n"
    )
    code, lines = _check(tmp_path, text)
    assert code == 3
    assert lines == [
        "pack.yaml:17: questions[1].lable: unknown key 'lable' (did you mean 'label'?); "
        "allowed: id, type, label, help, choices, min, max, step, unit, max_length, required, "
        "default, when, screen",
        "pack.yaml:15: questions[1]: 'label' is required",
        "pack.yaml:36: rules[1].id: duplicate rule id 'too_young'",
        "Found 3 problems.",
        "Reachability and totality are checked once these problems are fixed.",
    ]


def test_check_reports_reachability_problems(tmp_path: Path) -> None:
    """Reports a gap with a concrete example and a rule that cannot fire, and exits 3."""
    text = SMALL_PACK.replace(
        "when: {question: age, op: ge, value: 18}", "when: {question: age, op: gt, value: 18}"
    ).replace(
        "if_outcome: [maybe]", "if_outcome: [maybe]\n    when: {question: age, op: lt, value: 0}"
    )
    code, lines = _check(tmp_path, text.replace("    when: {question: detail, value: x}\n", ""))
    assert code == 3
    assert lines == [
        "pack.yaml:11: outcomes: no rule decides an outcome for some answers, for example age=18 "
        "(whatever the other answers); add a rule without 'when' that decides a fallback "
        "outcome, or widen the conditions",
        "pack.yaml:41: rules[2]: rule 'about_a' can never fire: its 'when' can never hold: "
        "age < 0 is impossible",
        "Found 2 problems.",
    ]


def test_check_refuses_a_billion_laughs_within_a_second(tmp_path: Path) -> None:
    """Refuses a YAML alias bomb quickly, with a message, not a hang."""
    bomb = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    start = time.perf_counter()
    code, lines = _check(tmp_path, "\n".join(bomb) + "\n")
    assert time.perf_counter() - start < 1.0
    assert code == 3
    assert lines[0].startswith("pack.yaml:")
    assert "too many values" in lines[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: " + "[" * 60 + "]" * 60 + "\n", "nested more than 40 levels deep"),
        ("# padding\n" * 120_000, "the limit is 1,048,576"),
    ],
    ids=["deep", "big"],
)
def test_check_refuses_deep_or_huge_packs(tmp_path: Path, text: str, message: str) -> None:
    """Refuses deep nesting and oversized files with a message and exit 3."""
    code, lines = _check(tmp_path, text)
    assert code == 3
    assert message in lines[0]


def test_check_a_missing_pack(tmp_path: Path) -> None:
    """Says there is no such pack, without a traceback."""
    result = runner.invoke(app, ["rules", "check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 3
    assert result.stdout == f"{tmp_path / 'nope.yaml'}: no such rule pack\nFound 1 problem.\n"


def test_schema_matches_the_docs_file() -> None:
    """Prints exactly docs/rule-pack.schema.json, which the pack's modeline points at."""
    result = runner.invoke(app, ["rules", "schema"])
    assert result.exit_code == 0
    assert result.stdout == (ROOT / "docs" / "rule-pack.schema.json").read_text(encoding="utf-8")
    modeline = (ROOT / "rules" / "mesotherapy" / "pack.yaml").read_text().splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=../../docs/rule-pack.schema.json"


@pytest.mark.parametrize("pack_dir", ["rules/mesotherapy", "examples/microneedling"])
def test_schema_accepts_the_shipped_packs(pack_dir: str) -> None:
    """Validates every shipped pack against the schema."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((ROOT / "docs" / "rule-pack.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    data = yaml.safe_load((ROOT / pack_dir / "pack.yaml").read_text())
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []


def test_schema_rejects_an_unknown_key_in_a_condition() -> None:
    """Flags a misspelt key in a condition, as the editor will."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((ROOT / "docs" / "rule-pack.schema.json").read_text())
    data = yaml.safe_load(SMALL_PACK.replace("{question: detail, value: x}", "{queston: detail}"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) != []


@pytest.mark.parametrize(
    ("old", "new", "valid"),
    [
        ('version: "1"', "version: 1.0", False),  # the loader refuses a number
        ('version: "1"', "version: 1", False),
        ("rules:\n", "invariants:\n  - {id: i, outcome: maybe, contributes: fine}\nrules:\n", True),
        ("rules:\n", "invariants:\n  - {id: i, sessions: none, exclusive: [a, b]}\nrules:\n", True),
        ("rules:\n", "invariants:\n  - {id: i, when: {question: age, value: 3}}\nrules:\n", False),
        ("rules:\n", "invariants:\n  - {id: i, outcome: a, outcome_in: [a]}\nrules:\n", False),
        ("rules:\n", "invariants:\n  - {id: i, sessions: some}\nrules:\n", False),
        ("rules:\n", "invariants:\n  - {id: i, exclusive: [a]}\nrules:\n", False),
        ("advice: [About a.]", "advice: [About a., {text: Own., guidance: [P1]}]", True),
        ("advice: [About a.]", "advice: {text: Own., guidance: P1}", True),
        ("advice: [About a.]", "advice: [{text: Own.}]", False),  # a mapping needs guidance
        ("advice: [About a.]", "advice: [{text: Own., guidance: [P1], why: x}]", False),
    ],
)  # fmt: skip
def test_schema_agrees_with_the_loader_on_versions_and_invariants(
    old: str, new: str, valid: bool
) -> None:
    """Flags a numeric version, an invariant that claims nothing, too little or both ways, and
    an advice line written as a mapping without its guidance."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json.loads((ROOT / "docs" / "rule-pack.schema.json").read_text())
    data = yaml.safe_load(SMALL_PACK.replace(old, new, 1))
    assert (list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []) is valid


def test_show_lays_out_a_pack(tmp_path: Path) -> None:
    """Shows outcomes, questions with their `when`, rules with effects, and coverage."""
    write_pack(tmp_path)
    result = runner.invoke(app, ["rules", "show", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stdout.replace(str(tmp_path) + "/", "") == (
        "Small (small 1)\n"
        "pack.yaml\n"
        "\n"
        "Outcomes, first listed wins\n"
        "  1. reject: Reject\n"
        "  2. maybe: Maybe\n"
        "\n"
        "Questions\n"
        "  age (integer; 0..99)\n"
        "      Age\n"
        "  wants (multiple; a, b, none)\n"
        "      Wants?\n"
        "  detail (choice; x, y)\n"
        "      Detail?\n"
        "      asked when wants contains a\n"
        "\n"
        "Rules\n"
        "  too_young [P1]\n"
        "      when age < 18\n"
        "      -> outcome reject, referral\n"
        "  fine [P2]\n"
        "      when age >= 18\n"
        "      -> outcome maybe, explanation\n"
        "  about_a [P2]\n"
        "      when detail = x\n"
        "      only if the outcome is maybe\n"
        "      -> 1 advice line\n"
        "\n"
        "Guidance coverage\n"
        "  P1  too_young\n"
        "  P2  fine, about_a\n"
        "  All 2 points are mirrored by at least one rule.\n"
    )


def test_show_lists_invariants_with_their_claims(tmp_path: Path) -> None:
    """Shows each invariant's `when` and claims, in text and as data."""
    write_pack(
        tmp_path,
        SMALL_PACK
        + "invariants:\n"
        + "  - {id: minors, when: {question: age, op: lt, value: 18}, outcome: reject,\n"
        + "     not_contributes: [about_a], sessions: none}\n"
        + "  - {id: apart, outcome_in: [reject, maybe], contributes: fine,\n"
        + "     exclusive: [too_young, fine], sessions: given}\n",
    )
    text = runner.invoke(app, ["rules", "show", str(tmp_path)]).stdout
    assert (
        "\n"
        "Invariants, proved by rules check\n"
        "  minors\n"
        "      when age < 18\n"
        "      -> the outcome is reject; does not contribute about_a; no sessions given\n"
        "  apart\n"
        "      when always\n"
        "      -> the outcome is reject or maybe; contributes fine; sessions given; at most one\n"
        "         of too_young, fine\n"
        "\n"
        "Guidance coverage\n"
    ) in text
    data = json.loads(runner.invoke(app, ["rules", "show", str(tmp_path), "-f", "json"]).stdout)
    assert data["invariants"][0] == {
        "id": "minors",
        "when": {"question": "age", "op": "lt", "value": 18},
        "outcome_in": ["reject"],
        "contributes": [],
        "not_contributes": ["about_a"],
        "sessions": "none",
        "exclusive": [],
    }


def test_a_point_cited_by_one_line_alone_is_mirrored(tmp_path: Path) -> None:
    """A line's own guidance counts in coverage and `check`, and `show` gives it with the line."""
    write_pack(
        tmp_path,
        SMALL_PACK.replace(
            "  P2: Another point.\n", "  P2: Another point.\n  P3: A third.\n"
        ).replace("advice: [About a.]", "advice: [About a., {text: Also., guidance: [P3]}]"),
    )
    assert runner.invoke(app, ["rules", "check", str(tmp_path)]).exit_code == 0
    text = runner.invoke(app, ["rules", "show", str(tmp_path)]).stdout
    assert "  about_a [P2, P3]\n" in text
    assert "      -> 2 advice lines\n" in text
    assert "  P3  about_a\n  All 3 points are mirrored by at least one rule.\n" in text
    data = json.loads(runner.invoke(app, ["rules", "show", str(tmp_path), "-f", "json"]).stdout)
    assert data["rules"][2]["effects"]["advice"] == [
        "About a.",
        {"text": "Also.", "guidance": ["P3"]},
    ]
    assert data["rules"][2]["guidance"] == ["P2"]


def test_check_counts_in_words_that_agree_with_the_number(tmp_path: Path) -> None:
    """Says '1 question', '1 rule', '1 outcome' and '1 invariant holds' in the singular."""
    write_pack(
        tmp_path,
        SMALL_PACK[: SMALL_PACK.index("  - id: wants")]
        .replace("guidance:\n  P1: A point.\n  P2: Another point.\n", "")
        .replace("  - {id: reject, label: Reject, summary: Rejected.}\n", "")
        + "rules:\n  - {id: fine, outcome: maybe}\ninvariants:\n  - {id: i, outcome: maybe}\n",
    )
    result = runner.invoke(app, ["rules", "check", str(tmp_path)])
    assert result.stdout.replace(str(tmp_path) + "/", "") == (
        "pack.yaml: sound. 1 question, 1 rule, 1 outcome: every rule can fire, every outcome "
        "can be reached, and every answer set gets exactly one outcome; its 1 invariant holds.\n"
    )


def test_show_covers_every_guidance_point_of_the_default_pack() -> None:
    """Shows G1-G23 each mirrored by at least one rule."""
    result = runner.invoke(app, ["rules", "show", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    coverage = data["coverage"]
    assert [f"G{i}" for i in range(1, 24)] == [p for p in coverage if p.startswith("G")]
    assert all(coverage.values())
    assert data["questions"][5]["when"] == {
        "question": "concerns",
        "op": "contains",
        "value": "cellulite",
    }
    assert (
        "All 33 points are mirrored by at least one rule."
        in runner.invoke(app, ["rules", "show"]).stdout
    )


def test_test_runs_the_default_scenarios() -> None:
    """Runs the shipped scenarios: all pass, exit 0."""
    result = runner.invoke(app, ["rules", "test"])
    assert result.exit_code == 0
    assert result.stdout.endswith("51 scenarios: 51 passed, 0 failed\n")


def test_test_reports_a_failing_scenario(tmp_path: Path) -> None:
    """Prints each failure under the scenario, with its line, and exits 1."""
    write_pack(tmp_path)
    (tmp_path / "scenarios.yaml").write_text(
        "base: {age: 30, wants: [b]}\n"
        "scenarios:\n"
        "  - name: adult\n"
        "    expect: {candidacy: maybe, fires: [fine]}\n"
        "  - name: wrong\n"
        "    answers: {age: 10}\n"
        "    expect: {candidacy: maybe, fires: [fine], not_fires: [too_young]}\n"
    )
    result = runner.invoke(app, ["rules", "test", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.replace(str(tmp_path) + "/", "") == (
        "ok    adult\n"
        "FAIL  wrong (scenarios.yaml:5)\n"
        "      outcome is 'reject', expected 'maybe'\n"
        "      rule 'fine' did not fire\n"
        "      rule 'too_young' fired, but must not\n"
        "2 scenarios: 1 passed, 1 failed\n"
        "No scenario makes these rules fire: about_a\n"
    )


def test_test_without_scenarios_is_a_usage_error(tmp_path: Path) -> None:
    """Says where it looked and exits 2."""
    write_pack(tmp_path)
    result = runner.invoke(app, ["rules", "test", str(tmp_path)])
    assert result.exit_code == 2
    assert "no scenarios file" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
