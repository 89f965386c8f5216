"""The kybella test pack: a free text, a decimal threshold and "other, please specify" choices,
run through `assess` (file, --plain), `batch`, the records store and the JSON Schema."""
# ruff: noqa: E501 - tables of CSV records keep one record per row

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mesoguide.cli import app
from tests.conftest import ROOT

KYBELLA = ROOT / "tests" / "packs" / "kybella"
runner = CliRunner()
# A person's own words, hostile to every format they pass through.
HOSTILE = '=HYPERLINK("http://x") [red]x[/red]\n# Heading [a](http://x) | <b>b</b> @me'
ANSWERS = {
    "age": 30,
    "bmi": 40.0,
    "medicines": HOSTILE,
    "earlier_treatment": "other",
    "earlier_treatment_other": "A chin lift",
    "bothers": ["fullness", "other"],
    "bothers_other": "-1 lines",
}


def mesoguide(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stdout, result.stderr


def answers_file(folder: Path, **changes: object) -> Path:
    path = folder / "answers.yaml"
    path.write_text(yaml.safe_dump({**ANSWERS, **changes}, allow_unicode=True), encoding="utf-8")
    return path


def test_rules_check_proves_the_pack_sound() -> None:
    """Proves every rule reachable, every answer set one outcome, and the BMI invariants."""
    code, out, _ = mesoguide("rules", "check", str(KYBELLA))
    assert code == 0
    assert out == (
        "tests/packs/kybella/pack.yaml: sound. 7 questions, 6 rules, 3 outcomes: every rule "
        "can fire, every outcome can be reached, and every answer set gets exactly one "
        "outcome; its 4 invariants hold.\n"
    ).replace("tests/packs/kybella/pack.yaml", str(KYBELLA / "pack.yaml"))


def test_the_pack_file_is_valid_against_the_json_schema() -> None:
    """The schema of the pack format takes decimal, text, step, unit, max_length and other."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "rule-pack.schema.json").read_text())
    data = yaml.safe_load((KYBELLA / "pack.yaml").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(data)) == []
    data["questions"][1]["step"] = 0
    data["questions"][2]["max_length"] = "long"
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(data))) == 2


@pytest.mark.parametrize(
    ("bmi", "outcome"), [(39.9, "candidate"), (40, "refer"), ("40.0", "refer")]
)
def test_a_bmi_at_the_threshold_refers_and_just_under_it_does_not(
    tmp_path: Path, bmi: object, outcome: str
) -> None:
    """bmi >= 40 refers: 40 and 40.0 do, 39.9 (the step below) does not."""
    code, out, _ = mesoguide(
        "assess", "--rules", str(KYBELLA), "-a", str(answers_file(tmp_path, bmi=bmi)), "-f", "json"
    )
    assert code == 0
    assert json.loads(out)["candidacy"] == outcome


def test_the_json_report_gives_a_decimal_as_a_number_and_a_text_as_a_string(
    tmp_path: Path,
) -> None:
    """A decimal answer is a JSON number, a text a JSON string with every character kept."""
    code, out, _ = mesoguide(
        "assess", "--rules", str(KYBELLA), "-a", str(answers_file(tmp_path)), "-f", "json"
    )
    assert code == 0
    answers = json.loads(out)["answers"]
    assert answers["bmi"] == {"state": "answered", "value": 40.0}
    assert '"value": 40.0' in out
    assert answers["medicines"] == {"state": "answered", "value": HOSTILE}
    assert answers["earlier_treatment_other"] == {"state": "answered", "value": "A chin lift"}


def test_the_markdown_handout_shows_a_text_as_typed_never_as_markup(tmp_path: Path) -> None:
    """Escapes every character Markdown could read as a link, heading, tag or table cell."""
    code, out, _ = mesoguide(
        "assess", "--rules", str(KYBELLA), "-a", str(answers_file(tmp_path)), "-f", "markdown"
    )
    assert code == 0
    table = out[out.index("## Your answers") : out.index("## Guidance points cited")]
    assert table == (
        "## Your answers\n"
        "\n"
        "| Question | Answer |\n"
        "|---|---|\n"
        "| How old are you? | 30 |\n"
        "| What is your body mass index (BMI)? | 40.0 kg/m² |\n"
        '| Which medicines do you take now? | =HYPERLINK\\("http\\://x"\\) \\[red\\]x\\[/red\\] '
        "/ \\# Heading \\[a\\]\\(http\\://x\\) \\| \\<b\\>b\\</b\\> \\@me |\n"
        "| Have you had the area under your chin treated before? | Something else |\n"
        "| Which earlier treatment? | A chin lift |\n"
        "| What bothers you about the area? | Fullness under the chin, Something else |\n"
        "| Something else: please specify | \\-1 lines |\n"
        "\n"
    )


def test_a_comma_decimal_and_a_blank_other_text_are_refused_each_in_one_line(
    tmp_path: Path,
) -> None:
    """A wrong decimal and a missing "other" text are one message each, exit 1, no traceback."""
    path = answers_file(tmp_path, bmi="40,5", earlier_treatment_other="  ")
    code, out, err = mesoguide("assess", "--rules", str(KYBELLA), "-a", str(path))
    assert code == 1
    assert out == ""
    assert err == (
        f"error: {path}: bmi: '40,5' is not a number: write the decimal point as '.' (40.5)\n"
        f"  {path}: earlier_treatment_other: required, but not answered\n"
    )


def test_plain_asks_the_new_types_and_reports() -> None:
    """`assess --plain` with lines piped in: the decimal, the text and the follow-up."""
    lines = "30\n40.5\nAspirin\n4\nA chin lift\n1\n\n"
    code, out, err = mesoguide("assess", "--rules", str(KYBELLA), "--plain", stdin=lines)
    assert code == 0
    assert "  Answer: 40.5 kg/m²" in err
    assert "  Answer: A chin lift" in err
    assert out.endswith("Result: See a clinician first\n")


def _csv(rows: list[dict[str, object]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", *ANSWERS], delimiter=delimiter)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: ";".join(v) if isinstance(v, list) else v for k, v in {**ANSWERS, **row}.items()}
        )
    return out.getvalue()


def test_batch_reads_decimal_and_text_cells_and_guards_its_csv_output(tmp_path: Path) -> None:
    """CSV cells and JSON lines give what `assess` gives; a refused cell's reason lands in the
    CSV output's error cell behind the formula guard."""
    rows = [
        {"id": "=1+2", "bmi": "39.9"},
        {"id": "p2", "bmi": "40"},
        {"id": "p3", "bmi": "40,5"},
        {"id": "p4", "medicines": "x" * 501},
        {"id": "p5", "bothers": "fullness", "bothers_other": "dropped"},
    ]
    path = tmp_path / "in.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    code, out, _ = mesoguide("batch", "--rules", str(KYBELLA), str(path), "-f", "csv")
    assert code == 1  # some rows rejected
    assert list(csv.reader(io.StringIO(out)))[1:] == [
        ["1", "'=1+2", "candidate", "", "", "adult;medicines_listed;earlier_treatment_named", "", ""],
        ["2", "p2", "refer", "", "", "bmi_40_or_more;adult;medicines_listed;earlier_treatment_named",
         "A BMI of 40 or more.", ""],
        ["3", "p3", "", "", "", "", "", "bmi: '40,5' is not a number: write the decimal point as '.' (40.5)"],
        ["4", "p4", "", "", "", "", "", "medicines: the text is 501 characters long; the limit is 500"],
        ["5", "p5", "refer", "", "", "bmi_40_or_more;adult;medicines_listed;earlier_treatment_named",
         "A BMI of 40 or more.", ""],
    ]  # fmt: skip
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(
        "".join(json.dumps({"id": r["id"], **ANSWERS, **r}) + "\n" for r in rows), encoding="utf-8"
    )
    code, out, _ = mesoguide("batch", "--rules", str(KYBELLA), str(jsonl))
    assert [json.loads(line).get("candidacy") for line in out.splitlines()] == [
        "candidate", "refer", None, None, "refer",
    ]  # fmt: skip


def test_a_saved_record_keeps_decimal_and_text_answers_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`assess --save` then `records show`: the same report, a decimal still 40.0."""
    monkeypatch.setenv("MESOGUIDE_DB", str(tmp_path / "records.sqlite3"))
    path = answers_file(tmp_path, bmi=39.9)
    args = ["assess", "--rules", str(KYBELLA), "-a", str(path), "-f", "json"]
    _, printed, _ = mesoguide(*args)
    code, out, err = mesoguide(*args, "--save")
    assert code == 0 and out == printed
    record = next(line for line in err.splitlines() if line.startswith("Saved as record "))
    code, shown, _ = mesoguide("records", "show", record.split()[3], "-f", "json")
    assert code == 0
    assert shown == printed
    code, verified, _ = mesoguide("records", "verify")
    assert code == 0, verified


def test_rules_show_lists_step_unit_length_and_the_other_follow_ups() -> None:
    """`rules show` gives each question's type with its limits, step, unit and length, and
    the follow-up an "other" choice opens, with when it is asked; JSON gives them as data."""
    code, out, _ = mesoguide("rules", "show", str(KYBELLA))
    assert code == 0
    assert out[out.index("Questions\n") : out.index("\nRules\n")] == (
        "Questions\n"
        "  age (integer; 0..120)\n"
        "      How old are you?\n"
        "  bmi (decimal; 10..80; step 0.1; in kg/m²)\n"
        "      What is your body mass index (BMI)?\n"
        "  medicines (text; up to 500 characters; optional)\n"
        "      Which medicines do you take now?\n"
        "  earlier_treatment (choice; never, liposuction, injections, other)\n"
        "      Have you had the area under your chin treated before?\n"
        "  earlier_treatment_other (text; up to 500 characters; other, please specify)\n"
        "      Which earlier treatment?\n"
        "      asked when earlier_treatment = other\n"
        "  bothers (multiple; fullness, loose_skin, other)\n"
        "      What bothers you about the area?\n"
        "  bothers_other (text; up to 500 characters; other, please specify)\n"
        "      Something else: please specify\n"
        "      asked when bothers contains other\n"
    )
    code, out, _ = mesoguide("rules", "show", str(KYBELLA), "--format", "json")
    questions = {q["id"]: q for q in json.loads(out)["questions"]}
    assert questions["bmi"] == {
        "id": "bmi", "type": "decimal", "label": "What is your body mass index (BMI)?",
        "min": 10, "max": 80, "step": 0.1, "unit": "kg/m²", "required": True, "when": None,
    }  # fmt: skip
    assert questions["earlier_treatment"]["other"] == "other"
    assert questions["earlier_treatment_other"] == {
        "id": "earlier_treatment_other", "type": "text", "label": "Which earlier treatment?",
        "max_length": 500, "other_of": "earlier_treatment", "required": True,
        "when": {"question": "earlier_treatment", "op": "eq", "value": "other"},
    }  # fmt: skip
    rules = {r["id"]: r for r in json.loads(out)["rules"]}
    assert rules["bmi_40_or_more"]["when"] == {"question": "bmi", "op": "ge", "value": 40}
