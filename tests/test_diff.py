"""`rules diff`: a pack edit in words, and `--replay`: whose outcome the edit changes."""
# ruff: noqa: E501 - tables of edits keep one case per row

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.diff import pack_changes
from mesoguide.loader import load_pack
from tests.conftest import BASE_ANSWERS, ROOT
from tests.packs import SMALL_PACK, write_pack

runner = CliRunner()
EDITED = ROOT / "examples" / "mesotherapy-2.1"


def edited(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = SMALL_PACK
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return write_pack(tmp_path / "new", text)


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (('version: "1"', 'version: "2"'), "pack version: '1' -> '2'"),
        (("label: Age,", "label: Your age,"), "question age: label 'Age' -> 'Your age'"),
        (("max: 99}", "max: 120}"), "question age: max 99 -> 120"),
        (("      - {value: b, label: B}\n", ""), "question wants: choice b removed"),
        (
            ("{value: y, label: Y}", "{value: y, label: Why}"),
            "question detail: choice y label 'Y' -> 'Why'",
        ),
        (
            ("value: a}\n    choices", "value: b}\n    choices"),
            "question detail: asked when wants contains a -> wants contains b",
        ),
        (("op: lt, value: 18}", "op: lt, value: 21}"), "rule too_young: when age < 18 -> age < 21"),
        (
            ("referral: Too young.", "referral: Under 18."),
            "rule too_young: referral 'Too young.' -> 'Under 18.'",
        ),
        (
            ("summary: Maybe.}", "summary: Perhaps.}"),
            "outcome maybe: summary 'Maybe.' -> 'Perhaps.'",
        ),
        (("P1: A point.", "P1: The point."), "guidance point P1: text 'A point.' -> 'The point.'"),
        (
            ("advice: [About a.]", "advice: [About a., And more.]"),
            "rule about_a: advice About a. -> About a., And more.",
        ),
        (
            ("advice: [About a.]", "advice: [{text: About a., guidance: [P1]}]"),
            "rule about_a: advice About a. -> About a. [P1]",
        ),
    ],
)
def test_each_kind_of_edit_is_said_in_words(
    tmp_path: Path, edit: tuple[str, str], line: str
) -> None:
    """Names each changed question, choice, rule, outcome and text with its before and after."""
    old = load_pack(write_pack(tmp_path / "old"))
    assert pack_changes(old, load_pack(edited(tmp_path, edit))) == [line]


def test_added_removed_and_reordered_rules_are_named(tmp_path: Path) -> None:
    """Lists a removed rule, an added rule with what it does, and a change of order."""
    moved = SMALL_PACK.replace("  - id: about_a\n", "  - id: about_b\n")
    old = load_pack(write_pack(tmp_path / "old"))
    new = load_pack(write_pack(tmp_path / "new", moved))
    assert pack_changes(old, new) == [
        "rule about_a: removed",
        "rule about_b: added (no outcome when detail = x)",
    ]
    outcomes = SMALL_PACK.replace(
        "  - {id: reject, label: Reject, summary: Rejected.}\n  - {id: maybe, label: Maybe, summary: Maybe.}",
        "  - {id: maybe, label: Maybe, summary: Maybe.}\n  - {id: reject, label: Reject, summary: Rejected.}",
    )
    swapped = load_pack(write_pack(tmp_path / "swapped", outcomes))
    assert pack_changes(old, swapped) == [
        "outcomes (first listed wins): order reject, maybe -> maybe, reject"
    ]


def test_the_example_edit_is_described(pack: object) -> None:
    """Describes the shipped example edit of the mesotherapy pack, line by line."""
    result = runner.invoke(app, ["rules", "diff", str(ROOT / "rules/mesotherapy"), str(EDITED)])
    assert result.exit_code == 0
    assert result.stdout == (
        "pack version: '2.0.0' -> '2.1.0'\n"
        "rule refer_expects_days: added (outcome refer when results_expected_within = days)\n"
    )


def test_the_same_pack_has_no_differences() -> None:
    """Says there is no difference between a pack and itself."""
    result = runner.invoke(app, ["rules", "diff", "rules/mesotherapy", "rules/mesotherapy"])
    assert (result.exit_code, result.stdout) == (0, "No differences.\n")


def test_replay_over_a_batch_input_lists_whose_outcome_changes(tmp_path: Path) -> None:
    """Re-runs each row under both packs; counts and names the rows that change."""
    rows = [
        {"id": "A", **BASE_ANSWERS, "results_expected_within": "days"},
        {"id": "B", **BASE_ANSWERS},
        {"id": "C", **BASE_ANSWERS, "age": 16, "results_expected_within": "days"},
        {"id": "D", "age": "old"},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = runner.invoke(
        app, ["rules", "diff", "rules/mesotherapy", str(EDITED), "--replay", "--input", str(path)]
    )
    assert result.exit_code == 0
    assert result.stdout.split("\n\n")[1] == (
        "Replayed 3 assessments: 2 would change (outcome 1, sessions 1, referral reasons 2), "
        "1 unchanged\n"
        "  row 1 (id A): outcome candidate -> refer; sessions 10-15 -> none; "
        "referral reasons +refer_expects_days\n"
        "  row 3 (id C): referral reasons +refer_expects_days\n"
    )


def test_replay_over_the_store_names_records_and_skips_corrected_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-runs saved records of the pack; a record later corrected is left out."""
    monkeypatch.setenv("MESOGUIDE_DB", str(tmp_path / "db.sqlite3"))
    for subject, changes in (("P-1", {"results_expected_within": "days"}), ("P-2", {})):
        file = tmp_path / f"{subject}.yaml"
        file.write_text(yaml.safe_dump({**BASE_ANSWERS, **changes}))
        saved = runner.invoke(app, ["assess", "-a", str(file), "--save", "--subject", subject])
        assert saved.exit_code == 0
    first = saved.stderr.split()[3]
    file = tmp_path / "fixed.yaml"
    file.write_text(yaml.safe_dump({**BASE_ANSWERS, "age": 50}))
    runner.invoke(
        app, ["assess", "-a", str(file), "--save", "--subject", "P-2", "--supersedes", first]
    )
    result = runner.invoke(app, ["rules", "diff", "rules/mesotherapy", str(EDITED), "--replay"])
    summary = result.stdout.split("\n\n")[1].splitlines()
    assert summary[0] == (
        "Replayed 2 assessments: 1 would change (outcome 1, sessions 1, referral reasons 1), "
        "1 unchanged"
    )
    assert summary[1].startswith("  record ")
    assert summary[1].endswith(
        " (subject P-1): outcome candidate -> refer; sessions 10-15 -> none; "
        "referral reasons +refer_expects_days"
    )
    assert len(summary) == 2


def test_input_without_replay_is_refused() -> None:
    """Says --input only applies with --replay (exit 2)."""
    result = runner.invoke(
        app, ["rules", "diff", "rules/mesotherapy", "rules/mesotherapy", "--input", "x.csv"]
    )
    assert (result.exit_code, result.stderr) == (2, "error: --input only applies with --replay\n")


KYBELLA = (ROOT / "tests" / "packs" / "kybella" / "pack.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "lines"),
    [
        ("    step: 0.1\n", "    step: 0.5\n", ["question bmi: step 0.1 -> 0.5"]),
        ("    unit: kg/m²\n", "", ["question bmi: unit 'kg/m²' -> (none)"]),
        ("    max_length: 500\n", "    max_length: 2000\n", ["question medicines: max_length 500 -> 2000"]),
        ("other: \"Which earlier treatment?\"", "other: true",
         ["question earlier_treatment: choice other other 'Which earlier treatment?' -> 'Something else: please specify'",
          "question earlier_treatment_other: label 'Which earlier treatment?' -> 'Something else: please specify'"]),
        ("{value: loose_skin, label: Loose skin}\n      - {value: other, label: Something else, other: true}",
         "{value: loose_skin, label: Loose skin, other: true}\n      - {value: other, label: Something else}",
         ["question bothers: choice loose_skin other (none) -> 'Loose skin: please specify'",
          "question bothers: choice other other 'Something else: please specify' -> (none)",
          "question bothers_other: label 'Something else: please specify' -> 'Loose skin: please specify'",
          "question bothers_other: asked when bothers contains other -> bothers contains loose_skin"]),
    ],
)  # fmt: skip
def test_an_edit_of_a_decimal_text_or_other_choice_is_said_in_words(
    tmp_path: Path, old: str, new: str, lines: list[str]
) -> None:
    """Names a changed step, unit, length limit or "other" choice, and its follow-up question."""
    edited_text = KYBELLA.replace(old, new, 1).replace(
        "{value: other, label: Something else, other: true}",
        "{value: other, label: Something else}"
        if "loose_skin, other" in new
        else "{value: other, label: Something else, other: true}",
    )
    before = load_pack(write_pack(tmp_path / "old", KYBELLA))
    assert pack_changes(before, load_pack(write_pack(tmp_path / "new", edited_text))) == lines
