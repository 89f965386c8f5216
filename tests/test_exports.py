"""Exports made the ways spreadsheets and form tools make them (tests/exports/): each gives
exactly the records of the same answers written with question ids, or is refused before the
first row with a message that names the fix."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app
from tests.conftest import ROOT

EXPORTS = ROOT / "tests" / "exports"
runner = CliRunner()


def batch(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["batch", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def records(*args: str) -> list[dict[str, Any]]:
    code, out, _ = batch(*args)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="module")
def reference() -> list[dict[str, Any]]:
    """The records of the answers written with question ids and choice values."""
    made = records(str(EXPORTS / "reference.csv"))
    assert [r["candidacy"] for r in made] == ["candidate", "refer", "refer", "not_indicated"]
    assert "note_scarring_or_pigment" in made[0]["rules"]  # the optional column counts
    return made


@pytest.mark.parametrize(
    ("name", "args", "warning"),
    [
        ("excel-semicolon.csv", [], ""),
        ("excel-tabs.txt", ["--input-format", "csv"], ""),
        ("excel-mac-cr.csv", [], ""),  # Excel's "CSV (Macintosh)": lines end in CR alone
        ("sep-line.csv", [], ""),  # `sep=;` first, as some tools write for Excel
        ("labels-mixed-case.csv", [], ""),
        (
            "form-questions.csv",
            [],
            "warning: ignoring columns that name no question: Timestamp (a column that answers a "
            "question is named by its id, or mapped with --columns MAP.yaml; --ignore-column "
            "NAME quiets this for one that answers none)\n",
        ),
        ("form-questions-semicolon.csv", [], ""),
        ("clinic-columns.csv", ["--columns", str(EXPORTS / "clinic-columns.yaml")], ""),
        ("misnamed-id.csv", ["--id-column", "Patient ID"], ""),
        ("form-questions.csv", ["--ignore-column", "timestamp"], ""),
    ],
)
def test_an_export_gives_the_records_of_the_same_answers_in_ids(
    reference: list[dict[str, Any]], name: str, args: list[str], warning: str
) -> None:
    """Each export gives exactly the reference's records, with at most a warning."""
    code, out, err = batch(str(EXPORTS / name), *args)
    assert [json.loads(line) for line in out.splitlines()] == reference
    assert err == warning + "4 rows read: 2 refer, 1 not_indicated, 1 candidate, 0 rejected\n"
    assert code == 0


FIX_OPTIONAL = "name the column scarring_or_pigment_disorder (or map it with --columns MAP.yaml)"
FIX_REQUIRED = "name the column pregnant_or_breastfeeding (or map it with --columns MAP.yaml)"


@pytest.mark.parametrize(
    ("name", "args", "message", "fix"),
    [
        (
            "misnamed-optional.csv",
            [],
            "column 'keloids' names no question, but is close to scarring_or_pigment_disorder "
            "('Do you form raised scars (keloids) or have a skin pigment disorder?'): "
            f"{FIX_OPTIONAL}, or pass --ignore-column keloids if it answers none",
            "keloids: scarring_or_pigment_disorder\n",
        ),
        (
            "misnamed-required.csv",
            [],
            "column 'pregnant' names no question, but is close to pregnant_or_breastfeeding "
            "('Are you pregnant, possibly pregnant, or breastfeeding?'): "
            f"{FIX_REQUIRED}, or pass --ignore-column pregnant if it answers none",
            "pregnant: pregnant_or_breastfeeding\n",
        ),
        (
            "misnamed-id.csv",
            [],
            "column 'Patient ID' looks like the id column: pass --id-column 'Patient ID' "
            "(or --ignore-column 'Patient ID')",
            "Patient ID: id\n",
        ),
        (
            "excel-semicolon.csv",
            ["--delimiter", ","],
            "the header names no question when split at ',', but does when split at ';': pass "
            "--delimiter ';', or leave --delimiter out to sniff it",
            "",
        ),
    ],
)
def test_a_misnamed_column_is_refused_before_the_first_row_naming_the_fix(
    reference: list[dict[str, Any]],
    tmp_path: Path,
    name: str,
    args: list[str],
    message: str,
    fix: str,
) -> None:
    """Refused (exit 2, no output file made) with the fix; the fix then gives the reference."""
    path = EXPORTS / name
    out_file = tmp_path / "out.jsonl"
    code, out, err = batch(str(path), *args, "-o", str(out_file))
    assert (code, out, err) == (2, "", f"error: {path}: {message}\n")
    assert not out_file.exists()
    if fix:
        column_map = tmp_path / "map.yaml"
        column_map.write_text(fix, encoding="utf-8")
        assert records(str(path), *args, "--columns", str(column_map)) == reference
    else:
        assert records(str(path)) == reference


def test_choices_joined_with_commas_are_rejected_saying_to_use_semicolons(
    reference: list[dict[str, Any]],
) -> None:
    """`Cellulite, Excess fat` rejects its row saying to use `;`; the other rows are assessed."""
    code, out, _ = batch(str(EXPORTS / "comma-choices.csv"))
    made = [json.loads(line) for line in out.splitlines()]
    assert made[0] == reference[0]
    assert made[3] == reference[3]
    assert made[1]["error"] == (
        "concerns: 'Cellulite, Excess fat' separates choices with ',': separate them with ';' "
        "(cellulite;excess_fat); areas: 'Thighs, Buttocks' separates choices with ',': "
        "separate them with ';' (thighs;buttocks)"
    )
    assert made[2]["error"] == (
        "areas: 'Chin, Arms' separates choices with ',': separate them with ';' (chin;arms); "
        "medical_conditions: 'Cancer, now or in the past, Diabetes' separates choices with ',': "
        "separate them with ';' (cancer;diabetes)"
    )
    assert code == 1


def test_formula_looking_ids_pass_through_json_and_are_neutralised_in_csv(
    reference: list[dict[str, Any]],
) -> None:
    """Ids like `=HYPERLINK(...)` stay as they are in JSON lines and get a `'` in CSV output."""
    path = str(EXPORTS / "formula-ids.csv")
    ids = ['=HYPERLINK("http://x.example","P-1")', "+44 20 7946 0000", "-7", "@SUM(A1:A9)"]
    made = records(path)
    assert [r.pop("id") for r in made] == ids
    assert made == [{k: v for k, v in r.items() if k != "id"} for r in reference]
    for args, shown in [([], ["'" + i for i in ids]), (["--no-formula-guard"], ids)]:
        code, out, _ = batch(path, "--format", "csv", *args)
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [row["id"] for row in rows] == shown
        assert code == 0
