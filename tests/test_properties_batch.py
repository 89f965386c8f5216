"""Laws of `batch` for any rows hypothesis can think of (few examples each, to stay fast)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.engine import assess
from mesoguide.errors import AnswersError
from mesoguide.model import Answer
from mesoguide.runner import from_mapping
from tests.conftest import without_screen_conflicts
from tests.test_properties import PACK, QUESTION_IDS, valid_value

runner = CliRunner()
FEW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def run_batch(folder: Path, name: str, text: str) -> tuple[int, list[dict[str, Any]], str]:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    # split("\n"), not splitlines(): an id may hold U+0085 or U+2028, written as they are
    lines = result.stdout.split("\n")
    assert lines.pop() == ""
    return result.exit_code, [json.loads(line) for line in lines], result.stderr


def expected_outcome(raw: dict[str, object]) -> tuple[str, str]:
    """What `assess` makes of these raw answers: ("error", the problems) or ("candidacy", id)."""
    try:
        answers = from_mapping(PACK, raw)
    except AnswersError as error:
        return "error", "; ".join(map(str, error.problems))
    return "candidacy", assess(PACK, answers).candidacy


def check_records(records: list[dict[str, Any]], rows: list[tuple[int, dict[str, object]]]) -> None:
    """One record per row, in order, each assessed or rejected exactly as `assess` would."""
    assert [r["row"] for r in records] == [number for number, _ in rows]
    for record, (_, raw) in zip(records, rows, strict=True):
        field, value = expected_outcome(raw)
        assert ("error" in record) != ("candidacy" in record)
        assert record[field] == value


# -- arbitrary CSV rows ---------------------------------------------------------------------
# Cells a hostile or careless export holds: valid words, near misses, numbers of every shape,
# CSV's own punctuation, line breaks, look-alike letters, anything printable.
cells = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "yes",
            "No",
            "1",
            "0",
            "35",
            " 12 ",
            "-1",
            "--5",
            "+-5",
            "1e40",
            ".inf",
            "34.5",
            "1" + "0" * 40,
            "\u0663\u0665",
            "female",
            "f\u0435male",
            "cellulite",
            "cellulite;wrinkles",
            "none",
            "none;cancer",
            ";;",
            "thighs;buttocks",
            "regular",
            "months",
            "null",
            '"',
            'a,"b"',
            "a\nb",
            "\r\n",
        ]
    ),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12),
)
columns = st.lists(st.sampled_from([*QUESTION_IDS, "id"]), min_size=1, unique=True).filter(
    lambda names: names != ["id"]
)


@st.composite
def csv_exports(draw: st.DrawFn) -> tuple[list[str], list[dict[str, str]]]:
    names = draw(columns)
    rows = draw(
        st.lists(st.fixed_dictionaries({}, optional={name: cells for name in names}), max_size=12)
    )
    return names, rows


@FEW
@given(csv_exports())
def test_arbitrary_csv_rows_are_each_assessed_or_rejected_in_place(
    tmp_path_factory: Any, export: tuple[list[str], list[dict[str, str]]]
) -> None:
    """Any cells under any columns: one record per row with a cell, in order, as `assess` says."""
    names, rows = export
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # CRLF, as Excel writes: a cell holding \r is quoted
    writer.writerow(names)
    writer.writerows([[row.get(name, "") for name in names] for row in rows])
    code, records, _ = run_batch(tmp_path_factory.mktemp("csv"), "in.csv", buffer.getvalue())
    # Rows whose cells are all empty are a spreadsheet's padding: counted, but no record.
    kept = [(n, dict(row)) for n, row in enumerate(rows, 1) if any(row.values())]
    check_records(records, kept)
    assert code == (1 if any("error" in r for r in records) else 0)


# -- arbitrary JSON lines -------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),  # NaN and Infinity: test_hostile_batch
    st.text(max_size=12),
    cells,
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=6,
)
answer_objects = st.dictionaries(
    st.sampled_from([*QUESTION_IDS, "id"]) | st.text(max_size=8), values, max_size=8
)


@FEW
@given(st.lists(answer_objects | values, min_size=1, max_size=10))
def test_arbitrary_json_lines_are_each_assessed_or_rejected_in_place(
    tmp_path_factory: Any, lines: list[object]
) -> None:
    """Any JSON value per line: one record per line, in order; objects judged as `assess` would."""
    text = "".join(json.dumps(line) + "\n" for line in lines)
    code, records, _ = run_batch(tmp_path_factory.mktemp("jsonl"), "in.jsonl", text)
    assert [r["row"] for r in records] == list(range(1, len(lines) + 1))
    for record, line in zip(records, lines, strict=True):
        if isinstance(line, dict):
            check_records([record], [(record["row"], line)])
            if "id" in line:
                assert record["id"] == line["id"]
        else:
            assert record["error"].startswith("answers must be a mapping of question id")
    assert code == (1 if any("error" in r for r in records) else 0)


# -- valid answers: batch agrees with `assess --format json` ----------------------------------
def as_cell(value: Answer) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ";".join(value)
    return str(value)


# An empty list of choices is a JSON answer but an empty (unanswered) cell: left out here.
valid_answers = st.fixed_dictionaries(
    {q.id: valid_value(q).filter(lambda v: v != ()) for q in PACK.questions}
).map(lambda raw: without_screen_conflicts(PACK, raw))


@settings(FEW, max_examples=25)
@given(valid_answers)
def test_a_valid_row_gives_what_assess_json_gives(
    tmp_path_factory: Any, answers: dict[str, Answer]
) -> None:
    """Valid answers as a JSON line or a CSV row: the record is `assess`'s report in brief."""
    folder = tmp_path_factory.mktemp("parity")
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}
    answers_file = folder / "answers.json"
    answers_file.write_text(json.dumps(data), encoding="utf-8")
    assessed = runner.invoke(app, ["assess", "--answers", str(answers_file), "--format", "json"])
    assert assessed.exit_code == 0, assessed.stderr
    report = json.loads(assessed.stdout)
    brief = {
        "row": 1,
        "candidacy": report["candidacy"],
        # a brief record's sessions keep their shape: the report's without `guidance`
        "sessions": report["sessions"]
        and {"min": report["sessions"]["min"], "max": report["sessions"]["max"]},
        "rules": report["rules_fired"],
        "reasons": [reason["text"] for reason in report["referral_reasons"]],
    }
    csv_row = (
        ",".join(QUESTION_IDS) + "\n" + ",".join(f'"{as_cell(answers[q])}"' for q in QUESTION_IDS)
    )
    for name, text in (("in.jsonl", json.dumps(data) + "\n"), ("in.csv", csv_row + "\n")):
        code, records, _ = run_batch(folder, name, text)
        assert records == [brief]
        assert code == 0
