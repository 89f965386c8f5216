"""`batch` against hostile input: each bad row or file gets one clear message, no traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.engine import assess
from mesoguide.errors import ExitCode
from mesoguide.loader import load_pack
from tests.conftest import BASE_ANSWERS, ROOT

runner = CliRunner()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
COLUMNS = list(BASE_ANSWERS)
SEXES = "female, male, other, prefer_not_to_say"
CONCERNS = "cellulite, wrinkles, sagging_skin, excess_fat, other"
NOT_WHOLE = "is not a whole number"
# The rules the base answers make fire, in pack order (the pack's wording may change).
GOOD_RULES = list(assess(load_pack(), BASE_ANSWERS).rules_fired)


def good_record(row: int) -> str:
    """The JSON line the base answers give as row ``row``."""
    record = {
        "row": row,
        "candidacy": "candidate",
        "sessions": {"min": 10, "max": 15},
        "rules": GOOD_RULES,
        "reasons": [],
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def batch(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """Run `batch` in-process; never an exception other than the exit, never a traceback."""
    result = runner.invoke(app, ["batch", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def csv_text(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    return buffer.getvalue()


def base_cells(**changed: str) -> dict[str, str]:
    """The base answers as CSV cells, with some cells changed."""
    cells = {}
    for key, value in BASE_ANSWERS.items():
        if isinstance(value, bool):
            cells[key] = "yes" if value else "no"
        elif isinstance(value, list):
            cells[key] = ";".join(value)
        else:
            cells[key] = str(value)
    return {**cells, **changed}


def jsonl_line(key: str, literal: str) -> str:
    """The base answers as one JSON line, with ``key`` written as the raw JSON ``literal``."""
    return json.dumps({**BASE_ANSWERS, key: "@"}).replace('"@"', literal, 1)


def summary(rows: int, rejected: list[str], candidates: int) -> str:
    head = f"{rows} {'row' if rows == 1 else 'rows'} read: 0 refer, 0 not_indicated, "
    head += f"{candidates} candidate, {len(rejected)} rejected\n"
    return head + "".join(f"  {line}\n" for line in rejected)


# -- wrong types in JSON lines ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "literal", "reason"),
    [
        ("age", "true", "expected a whole number, not a boolean (true)"),
        ("age", "Infinity", "Infinity is not a valid answer"),
        ("age", "-Infinity", "-Infinity is not a valid answer"),
        ("age", "NaN", "NaN is not a valid answer"),
        ("age", "1e400", f"inf {NOT_WHOLE}"),  # JSON's own overflow to infinity
        ("age", "34.5", f"34.5 {NOT_WHOLE}"),
        ("age", "1e40", f"1e+40 {NOT_WHOLE}"),
        ("age", "1" + "0" * 40, "1" + "0" * 40 + " is outside 0 to 120"),
        ("age", '"10**40"', f"'10**40' {NOT_WHOLE}"),
        ("age", "1" + "0" * 5000, "a number of more than 100 digits"),
        ("age", "-1", "-1 is outside 0 to 120"),
        ("age", '"--5"', f"'--5' {NOT_WHOLE}"),
        ("age", "[35]", "expected a whole number, not a list"),
        ("age", "null", "required, but not answered"),
        ("sessions_possible", "2.5", f"2.5 {NOT_WHOLE}"),
        ("sessions_possible", "-3", "-3 is outside 0 to 100"),
        ("concerns", '{"cellulite": true}', "expected a list of choices, not a mapping"),
        ("concerns", '[["cellulite"]]', "each choice is text, not a list (['cellulite'])"),
        ("concerns", '[{"cellulite": 1}]', "each choice is text, not a mapping ({'cellulite': 1})"),
        ("concerns", "[true]", "each choice is text, not a boolean (true)"),
        ("concerns", "null", "required, but not answered"),
        ("concerns", "[]", f"choose at least 1: {CONCERNS}"),
        ("sex", '["female", "male"]', f"expected one of {SEXES}, not a list"),
        ("sex", '{"female": 1}', f"expected one of {SEXES}, not a mapping"),
        (
            "sex",
            '"f\u0435male"',  # Cyrillic U+0435 for 'e'
            f"'f\u0435male' is not one of {SEXES} (did you mean 'female'?) "
            "(it holds the non-ASCII character '\u0435', U+0435)",
        ),
        (
            "concerns",
            '["c\u0435llulite"]',
            f"'c\u0435llulite' is not one of {CONCERNS} (did you mean 'cellulite'?) "
            "(it holds the non-ASCII character '\u0435', U+0435)",
        ),
        (
            "pregnant_or_breastfeeding",
            '"maybe"',
            "'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
        ),
        (
            "medical_conditions",
            '["none", "cancer"]',
            "'none' cannot be combined with other choices",
        ),
    ],
)
def test_a_wrong_jsonl_value_rejects_its_row_naming_the_key(
    tmp_path: Path, key: str, literal: str, reason: str
) -> None:
    """A wrong value rejects its row with `row N: key: reason`; the next row is assessed; exit 1."""
    path = write(tmp_path, "in.jsonl", jsonl_line(key, literal) + "\n" + json.dumps(BASE_ANSWERS))
    code, out, err = batch(str(path))
    error = json.dumps({"row": 1, "error": f"{key}: {reason}"}, ensure_ascii=False)
    assert out == error + "\n" + good_record(2)
    assert err == summary(2, [f"row 1: {key}: {reason}"], candidates=1)
    assert code == ExitCode.INVALID_INPUT


def test_a_key_given_twice_is_refused_as_assess_refuses_it(tmp_path: Path) -> None:
    """`{"age": 35, ..., "age": 16}` is not silently the last value: the row is rejected."""
    line = json.dumps(BASE_ANSWERS)[:-1] + ', "age": 16}'
    code, out, err = batch(str(write(tmp_path, "in.jsonl", line + "\n")))
    assert out == '{"row": 1, "error": "duplicate key \'age\'"}\n'
    assert err == summary(1, ["row 1: duplicate key 'age'"], candidates=0)
    assert code == ExitCode.INVALID_INPUT


# -- parity with `assess --answers` on the edges of the limits -------------------------------
def nested(levels: int) -> str:
    """JSON lists ``levels`` deep, around one choice: 1 is `["cellulite"]`."""
    return "[" * levels + '"cellulite"' + "]" * levels


def assess_says(folder: Path, text: str) -> str:
    """What `assess --answers` makes of ``text`` as a JSON file: the candidacy, or why not."""
    path = write(folder, "answers.json", text)
    result = runner.invoke(app, ["assess", "--answers", str(path), "--format", "json"])
    if result.exit_code == 0:
        return str(json.loads(result.stdout)["candidacy"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    why = result.stderr.removeprefix(f"error: {path}: ").removesuffix("\n")
    assert why != result.stderr and "\n" not in why, result.stderr
    return why


def batch_says(record: dict[str, object]) -> str:
    return str(record.get("candidacy", record.get("error")))


TOO_LONG = "a number of more than 100 digits"
TOO_DEEP = "nested more than 10 levels deep"
LIMIT_VALUES = [
    ("age", "1" + "0" * 99, f"age: {'1' + '0' * 56}... is outside 0 to 120"),
    ("age", "1" + "0" * 100, f"age: {TOO_LONG}"),
    ("age", "1" + "0" * 101, f"age: {TOO_LONG}"),
    ("age", "-1" + "0" * 99, f"age: {'-1' + '0' * 55}... is outside 0 to 120"),
    ("age", "-1" + "0" * 100, f"age: {TOO_LONG}"),
    (
        "concerns",
        nested(9),
        f"concerns: each choice is text, not a list ({'[' * 8}'cellulite'{']' * 8})",
    ),
    ("concerns", nested(10), TOO_DEEP),
    ("concerns", nested(5000), TOO_DEEP),
    ("notes", '{"a": ' * 9 + "1" + "}" * 9, "candidate"),  # a key no question has
    ("notes", '{"a": ' * 10 + "1" + "}" * 10, TOO_DEEP),
]


@pytest.mark.parametrize(("key", "literal", "said"), LIMIT_VALUES)
def test_a_json_line_at_the_limits_gets_what_assess_gives_the_same_json(
    tmp_path: Path, key: str, literal: str, said: str
) -> None:
    """100/101/102 digits, 10/11 levels deep: a JSON line is judged as an answers file is."""
    line = jsonl_line(key, literal)
    _, out, _ = batch(str(write(tmp_path, "in.jsonl", line + "\n")))
    assert batch_says(json.loads(out)) == said
    # `assess` names no key for a problem of the file as a whole; batch names the key it can.
    assert assess_says(tmp_path, line) in (said, said.removeprefix(f"{key}: "))


CELL_VALUES = [
    ("age", "1" + "0" * 99),
    ("age", "1" + "0" * 100),
    ("age", "1" + "0" * 101),
    ("age", "-1" + "0" * 100),
    ("concerns", nested(10)),
]


@pytest.mark.parametrize(("key", "cell"), CELL_VALUES)
def test_a_csv_cell_at_the_limits_gets_what_assess_gives_the_same_text(
    tmp_path: Path, key: str, cell: str
) -> None:
    """A CSV cell is text: 101 digits or eleven brackets are judged as the same JSON string is."""
    cells = base_cells(**{key: cell})
    _, out, _ = batch(str(write(tmp_path, "in.csv", csv_text([cells]))))
    shown = repr(cell) if key == "concerns" else cell[:57] + "..."  # long numbers are cut
    said = f"{key}: {shown} is " + (
        "outside 0 to 120" if key == "age" else f"not one of {CONCERNS}"
    )
    assert batch_says(json.loads(out)) == said
    assert assess_says(tmp_path, json.dumps({**cells, key: cell})) == said


def test_a_bare_carriage_return_inside_a_json_line_is_whitespace(tmp_path: Path) -> None:
    """`\\r` between JSON tokens splits no line: the row is assessed, later rows keep numbers."""
    line = json.dumps(BASE_ANSWERS).replace(', "sex"', ',\r"sex"')
    line = line.replace(', "areas"', ',\r \r"areas"')
    assert line.count("\r") == 3
    path = tmp_path / "in.jsonl"
    path.write_bytes((line + "\n" + line + "\r\n" + "{oops\n" + line + "\n").encode())
    code, out, err = batch(str(path))
    oops = "JSON syntax: Expecting property name enclosed in double quotes (column 2)"
    assert out == (
        good_record(1) + good_record(2) + json.dumps({"row": 3, "error": oops}) + "\n"
    ) + good_record(4)
    assert err == summary(4, [f"row 3: {oops}"], candidates=3)
    assert code == ExitCode.INVALID_INPUT
    assert assess_says(tmp_path, line) == "candidate"


# -- wrong types in CSV cells -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "cell", "reason"),
    [
        ("age", "true", f"'true' {NOT_WHOLE}"),
        ("age", ".inf", f"'.inf' {NOT_WHOLE}"),
        ("age", "34.5", f"'34.5' {NOT_WHOLE}"),
        ("age", "1e40", f"'1e40' {NOT_WHOLE}"),
        ("age", "10**40", f"'10**40' {NOT_WHOLE}"),
        ("age", "1" + "0" * 40, "1" + "0" * 40 + " is outside 0 to 120"),
        ("age", "-1", "-1 is outside 0 to 120"),
        ("age", "--5", f"'--5' {NOT_WHOLE}"),
        ("age", "+-5", f"'+-5' {NOT_WHOLE}"),
        ("age", "\u0663\u0665", f"'\u0663\u0665' {NOT_WHOLE}"),  # Arabic-Indic digits
        ("age", "null", f"'null' {NOT_WHOLE}"),
        ("age", "", "required, but not answered"),
        ("sessions_possible", "2.5", f"'2.5' {NOT_WHOLE}"),
        (
            "concerns",
            "{cellulite: true}",
            f"'{{cellulite: true}}' is not one of {CONCERNS}",
        ),
        (
            "concerns",
            "[[cellulite]]",
            f"'[[cellulite]]' is not one of {CONCERNS} (did you mean 'cellulite'?)",
        ),
        ("concerns", ";;", f"choose at least 1: {CONCERNS}"),
        (
            "sex",
            "f\u0435male",
            f"'f\u0435male' is not one of {SEXES} (did you mean 'female'?) "
            "(it holds the non-ASCII character '\u0435', U+0435)",
        ),
        (
            "pregnant_or_breastfeeding",
            "maybe",
            "'maybe' is not yes or no (yes/no/true/false/y/n/1/0)",
        ),
    ],
)
def test_a_wrong_csv_cell_rejects_its_row_naming_the_column(
    tmp_path: Path, column: str, cell: str, reason: str
) -> None:
    """A wrong cell rejects its row with `row N: column: reason`; the next row is assessed."""
    path = write(tmp_path, "in.csv", csv_text([base_cells(**{column: cell}), base_cells()]))
    code, out, err = batch(str(path))
    error = json.dumps({"row": 1, "error": f"{column}: {reason}"}, ensure_ascii=False)
    assert out == error + "\n" + good_record(2)
    assert err == summary(2, [f"row 1: {column}: {reason}"], candidates=1)
    assert code == ExitCode.INVALID_INPUT


def test_every_problem_of_a_row_is_named_at_once(tmp_path: Path) -> None:
    """Three bad cells in one row: one record naming all three, in question order."""
    cells = base_cells(age="old", sex="fem", concerns="cellulite;none_of_these")
    code, out, _ = batch(str(write(tmp_path, "in.csv", csv_text([cells]))))
    assert json.loads(out)["error"] == (
        f"age: 'old' {NOT_WHOLE}; sex: 'fem' is not one of {SEXES} (did you mean 'female'?); "
        f"concerns: 'none_of_these' is not one of {CONCERNS}"
    )
    assert code == ExitCode.INVALID_INPUT


# -- lines that are not answers ---------------------------------------------------------------
def test_bad_json_lines_are_rejected_in_place_and_the_rest_assessed(tmp_path: Path) -> None:
    """Bad JSON, a list, text, a number, null: each its own rejected row; row numbers hold."""
    good = json.dumps(BASE_ANSWERS)
    lines = [good, '{"age": 35,', "[1, 2]", '"text"', "42", "null", "true", good, "{}x", good]
    code, out, err = batch(str(write(tmp_path, "in.jsonl", "\n".join(lines) + "\n")))
    not_a_mapping = "answers must be a mapping of question id to answer, not"
    errors = {
        2: "JSON syntax: Expecting property name enclosed in double quotes (column 12)",
        3: f"{not_a_mapping} a list",
        4: f"{not_a_mapping} a string",
        5: f"{not_a_mapping} an integer",
        6: f"{not_a_mapping} null",
        7: f"{not_a_mapping} a boolean",
        9: "JSON syntax: Extra data (column 3)",
    }
    expected = [
        json.dumps({"row": n, "error": errors[n]}) + "\n" if n in errors else good_record(n)
        for n in range(1, 11)
    ]
    assert out == "".join(expected)
    assert err.splitlines()[0] == "10 rows read: 0 refer, 0 not_indicated, 3 candidate, 7 rejected"
    assert err.splitlines()[1:] == [
        *(f"  row {n}: {errors[n]}" for n in (2, 3, 4, 5, 6)),
        "  ... and 2 more rejected rows",
    ]
    assert code == ExitCode.INVALID_INPUT


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_a_huge_line_is_refused_quickly(tmp_path: Path, kind: str) -> None:
    """A 3 MiB line: JSON lines reject it in place; CSV stops at it, naming its line."""
    huge = "9" * (3 * 1024 * 1024)
    if kind == "jsonl":
        text = f'{{"age": "{huge}"}}\n' + json.dumps(BASE_ANSWERS) + "\n"
    else:
        text = csv_text([base_cells(), base_cells(id=huge), base_cells()], ["id", *COLUMNS])
    path = write(tmp_path, f"in.{kind}", text)
    start = time.perf_counter()
    code, out, err = batch(str(path))
    assert time.perf_counter() - start < 2
    if kind == "jsonl":
        assert out == '{"row": 1, "error": "the line is over 1,048,576 characters"}\n' + (
            good_record(2)
        )
        assert code == ExitCode.INVALID_INPUT
    else:
        assert [json.loads(line)["row"] for line in out.splitlines()] == [1]  # the rows before
        assert err == (
            f"error: {path}:3: a cell of more than 131,072 characters "
            "(a quote that is never closed?)\n"
        )
        assert code == ExitCode.USAGE


def test_an_unclosed_quote_is_reported_where_its_row_starts(tmp_path: Path) -> None:
    """A stray quote on line 3 of a long export: the message names line 3, not where it ends."""
    rows = [base_cells(id=f"P{i}") for i in range(3000)]
    text = csv_text(rows, ["id", *COLUMNS]).splitlines(keepends=True)
    text[2] = text[2].replace("P1,", 'P1,"', 1)
    path = write(tmp_path, "in.csv", "".join(text))
    code, out, err = batch(str(path))
    assert out == good_record(1).replace('"row": 1', '"row": 1, "id": "P0"')
    assert err == (
        f"error: {path}:3: a cell of more than 131,072 characters (a quote that is never closed?)\n"
    )
    assert code == ExitCode.USAGE


# -- files ------------------------------------------------------------------------------------
BOM = b"\xef\xbb\xbf"
BLANK_HEADER = (
    "{path}:1: the first line is blank, but it must be the header: question ids such as "
    "age, sex, concerns"
)
ELF = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.csv", b"", "cannot read {path}: it is empty: there is no row to assess"),
        ("in.jsonl", b"", "cannot read {path}: it is empty: there is no row to assess"),
        ("in.csv", BOM, "cannot read {path}: it is empty: there is no row to assess"),
        ("in.jsonl", BOM, "cannot read {path}: it is empty: there is no row to assess"),
        ("in.csv", b"\nage,sex\n35,female\n", BLANK_HEADER),
        ("in.csv", BOM + b"\r\nage,sex\r\n35,female\r\n", BLANK_HEADER),
        ("in.csv", b"\n\n", BLANK_HEADER),
        ("in.csv", ELF, "cannot read {path}: it is binary, not CSV or JSON lines text"),
        ("in.jsonl", ELF, "cannot read {path}: it is binary, not CSV or JSON lines text"),
        (
            "in.csv",
            "age,sex\n35,fémale\n".encode("latin-1"),
            "{path}: not UTF-8 text; save the export as UTF-8 (in Excel: CSV UTF-8)",
        ),
        (
            "in.csv",
            "age,sex\n35,female\n".encode("utf-16"),  # Excel's "Unicode text"
            "{path}: not UTF-8 text; save the export as UTF-8 (in Excel: CSV UTF-8)",
        ),
        (
            "in.jsonl",
            '{"sex": "fémale"}\n'.encode("latin-1"),
            "{path}: not UTF-8 text; save the export as UTF-8 (in Excel: CSV UTF-8)",
        ),
        (
            "in.csv",
            b"age,sex,age\n35,female,36\n",
            "{path}: column 'age' appears twice in the header",
        ),
        (
            "in.csv",
            b"id,age, id\n1,35,2\n",
            "{path}: column 'id' appears twice in the header",
        ),
        (
            "in.csv",
            "\u0430ge,s\u0435x\n35,female\n".encode(),  # Cyrillic look-alikes in every name
            "{path}: the header names no question of the pack 'mesotherapy': its first row "
            "must hold question ids such as age, sex, concerns",
        ),
    ],
)
def test_a_file_that_is_no_export_is_refused_naming_it(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    """Empty, binary, not UTF-8, a header naming a column twice or no question: exit 2."""
    path = write(tmp_path, name, content)
    out_file = write(tmp_path, "out.jsonl", "yesterday's records\n")
    code, out, err = batch(str(path), "-o", str(out_file))
    assert (code, out, err) == (ExitCode.USAGE, "", f"error: {message.format(path=path)}\n")
    if "UTF-8" not in message:  # refused before the output is opened: it is left as it was
        assert out_file.read_text(encoding="utf-8") == "yesterday's records\n"


def test_stdin_that_is_only_a_bom_is_refused_as_empty() -> None:
    """A pipe that carries a BOM and nothing else is empty: one line, exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "mesoguide", "batch", "-", "--input-format", "csv"],
        input=BOM,
        capture_output=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        ExitCode.USAGE,
        b"",
        b"error: cannot read stdin: it is empty: there is no row to assess\n",
    )


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    """No such file, or a folder given as the input: one line, exit 2."""
    missing = tmp_path / "nope.csv"
    assert batch(str(missing)) == (
        ExitCode.USAGE,
        "",
        f"error: cannot read {missing}: no such file\n",
    )
    folder = tmp_path / "export.csv"
    folder.mkdir()
    assert batch(str(folder)) == (
        ExitCode.USAGE,
        "",
        f"error: cannot read {folder}: it is a folder\n",
    )


def test_an_input_name_too_long_is_refused(tmp_path: Path) -> None:
    """A 300-character file name: one line from the system's own words, exit 2."""
    path = tmp_path / ("a" * 300 + ".csv")
    expected = f"error: cannot read {path}: File name too long\n"
    assert batch(str(path)) == (ExitCode.USAGE, "", expected)


@pytest.mark.skipif(AS_ROOT, reason="root reads every file")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    """Permission denied: one line, exit 2."""
    path = write(tmp_path, "in.csv", csv_text([base_cells()]))
    path.chmod(0)
    expected = f"error: cannot read {path}: Permission denied\n"
    assert batch(str(path)) == (ExitCode.USAGE, "", expected)


def test_text_that_turns_out_not_utf8_keeps_the_records_before_it(tmp_path: Path) -> None:
    """A Latin-1 byte far into the file: the rows read before it are written, then exit 2."""
    text = csv_text([base_cells(id=f"P{i}") for i in range(2000)], ["id", *COLUMNS])
    path = write(tmp_path, "in.csv", text.encode() + b"P-x,35,f\xe9male\n")
    code, out, err = batch(str(path))
    rows = [json.loads(line)["row"] for line in out.splitlines()]
    # Text is decoded 8 KiB at a time: the rows in the block that holds the bad byte are lost.
    assert len(rows) > 2000 - 8192 // len(text.splitlines()[1])
    assert rows == list(range(1, len(rows) + 1))
    assert err == f"error: {path}: not UTF-8 text; save the export as UTF-8 (in Excel: CSV UTF-8)\n"
    assert code == ExitCode.USAGE


def test_unknown_columns_are_named_once_and_the_rows_still_assessed(tmp_path: Path) -> None:
    """`Age` (a capital) is the age column; `notes` names no question: one warning, exit 0."""
    columns = ["Age" if c == "age" else c for c in COLUMNS] + ["notes"]
    cells = {("Age" if k == "age" else k): v for k, v in base_cells(notes="x").items()}
    code, out, err = batch(str(write(tmp_path, "in.csv", csv_text([cells], columns))))
    assert out == good_record(1)
    assert err == (
        "warning: ignoring columns that name no question: notes (a column that answers a "
        "question is named by its id, or mapped with --columns MAP.yaml; --ignore-column NAME "
        "quiets this for one that answers none)\n" + summary(1, [], candidates=1)
    )
    assert code == ExitCode.OK


def test_a_column_close_to_a_missing_question_stops_the_run(tmp_path: Path) -> None:
    """`agee` instead of `age`: refused before any row (exit 2), never assessed as unanswered."""
    columns = ["agee" if c == "age" else c for c in COLUMNS]
    cells = {("agee" if k == "age" else k): v for k, v in base_cells().items()}
    path = write(tmp_path, "in.csv", csv_text([cells], columns))
    code, out, err = batch(str(path))
    assert (code, out) == (ExitCode.USAGE, "")
    assert err.startswith(f"error: {path}: column 'agee' names no question, but is close to age")


# -- output -----------------------------------------------------------------------------------
@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path, "in.csv", csv_text([base_cells()]))


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("{dir}", "it is a folder"),
        ("{dir}/missing/out.jsonl", "no folder {dir}/missing"),
        ("{good}/out.jsonl", "{good} is not a folder"),
        ("{good}", "it is the input file"),
        ("{dir}/./in.csv", "it is the input file"),
        ("{dir}/link.csv", "it is the input file"),  # a symlink to the input
        ("{dir}/hard.csv", "it is the input file"),  # a hard link to the input
        ("{dir}/" + "a" * 300 + ".jsonl", "File name too long"),
        ("{dir}/" + "a" * 300 + "/out.jsonl", "File name too long"),
        ("~nosuchuser_mesoguide/out.jsonl", "no folder ~nosuchuser_mesoguide"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_any_row(
    tmp_path: Path, good: Path, target: str, why: str
) -> None:
    """Folder, missing folder, under a file, the input itself: one line, exit 2, input intact."""
    (tmp_path / "link.csv").symlink_to(good)
    os.link(good, tmp_path / "hard.csv")
    before = good.read_bytes()
    names = {"dir": str(tmp_path), "good": str(good)}
    given = target.format(**names)
    code, out, err = batch(str(good), "-o", given)
    shown = Path(given)  # as typer hands it over: `dir/./in.csv` is `dir/in.csv`
    assert (code, out, err) == (
        ExitCode.USAGE,
        "",
        f"error: cannot write {shown}: {why.format(**names)}\n",
    )
    assert good.read_bytes() == before


@pytest.mark.skipif(AS_ROOT, reason="root enters every folder")
def test_an_output_under_a_folder_that_cannot_be_entered_is_refused(
    tmp_path: Path, good: Path
) -> None:
    """EACCES while looking at the output path (a folder without x): one line, exit 2."""
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0o600)
    target = closed / "sub" / "out.jsonl"
    assert batch(str(good), "-o", str(target)) == (
        ExitCode.USAGE,
        "",
        f"error: cannot write {target}: Permission denied\n",
    )


@pytest.mark.skipif(AS_ROOT, reason="root writes into any folder")
def test_an_output_folder_without_permission_is_refused(tmp_path: Path, good: Path) -> None:
    """Permission denied on the output: one line, exit 2."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    target = locked / "out.jsonl"
    assert batch(str(good), "-o", str(target)) == (
        ExitCode.USAGE,
        "",
        f"error: cannot write {target}: Permission denied\n",
    )


def run_limited(args: list[str], max_bytes: int, stdout: int | None = None) -> tuple[int, bytes]:
    """`mesoguide batch` in a process whose files may not grow past ``max_bytes``."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write (EFBIG) instead of dying
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    done = subprocess.run(
        [sys.executable, "-m", "mesoguide", "batch", *args],
        preexec_fn=limit,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("where", "fmt", "limit"),
    [
        ("file", "jsonl", 100_000),
        ("file", "csv", 100_000),
        ("stdout", "jsonl", 100_000),
        ("stdout", "csv", 100_000),
        ("file", "csv", 5_000),  # within the first block, which starts with the header line
        ("file", "jsonl", 5_000),
    ],
)
def test_a_full_disk_mid_run_says_how_many_whole_records_are_out(
    tmp_path: Path, where: str, fmt: str, limit: int
) -> None:
    """A write that fails mid-run: one line with the count of whole records, exit 2."""
    rows = [base_cells(id=f"P{i}") for i in range(1000)]
    source = write(tmp_path, "in.csv", csv_text(rows, ["id", *COLUMNS]))
    out = tmp_path / "out"
    if where == "file":
        code, stderr = run_limited([str(source), "-f", fmt, "-o", str(out)], limit)
        shown = str(out)
    else:
        with out.open("wb") as stream:
            code, stderr = run_limited([str(source), "-f", fmt], limit, stdout=stream.fileno())
        shown = "stdout"
    data = out.read_bytes()
    assert len(data) == limit and not data.endswith(b"\n")  # the limit cut a record
    if fmt == "jsonl":
        whole = data.count(b"\n")
        rows_out = [json.loads(line)["row"] for line in data.split(b"\n")[:-1]]
    else:
        whole = data.count(b"\n") - 1  # the header line
        records = list(csv.reader(io.StringIO(data.decode())))
        rows_out = [int(r[0]) for r in records[1 : whole + 1]]
    assert rows_out == list(range(1, whole + 1))
    assert stderr.decode() == (
        f"error: cannot write the records to {shown}: File too large (after {whole:,} whole "
        "records; the output may end in part of one)\n"
    )
    assert code == ExitCode.USAGE


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_dev_full_as_output_is_one_message(good: Path, fmt: str) -> None:
    """`-o /dev/full`: no space from the first write (a CSV header's too): one line, exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "mesoguide", "batch", str(good), "-f", fmt, "-o", "/dev/full"],
        capture_output=True,
        timeout=30,
    )
    assert done.stderr == (
        b"error: cannot write the records to /dev/full: No space left on device (after 0 whole "
        b"records; the output may end in part of one)\n"
    )
    assert done.returncode == ExitCode.USAGE


# -- interruption, CSV output -----------------------------------------------------------------
def test_sigterm_into_a_csv_file_leaves_whole_records_and_says_how_many(tmp_path: Path) -> None:
    """SIGTERM mid-run with `--format csv -o FILE`: the header, N whole rows, N in the message."""
    rows = [base_cells(id=f"P{i}") for i in range(300_000)]
    source = write(tmp_path, "big.csv", csv_text(rows, ["id", *COLUMNS]))
    out = tmp_path / "out.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "mesoguide", "batch", str(source), "-f", "csv", "-o", str(out)],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while (not out.exists() or out.stat().st_size < 100_000) and time.monotonic() < deadline:
        time.sleep(0.02)  # until some blocks are out: the run is under way
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == ExitCode.TERMINATED
    message = stderr.decode()
    assert message.startswith("\nInterrupted: ") and message.endswith(f" rows written to {out}.\n")
    written = int(message.split()[1].replace(",", ""))
    assert 0 < written < 300_000
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    records = list(csv.reader(io.StringIO(text)))
    assert records[0] == [
        "row",
        "id",
        "candidacy",
        "sessions_min",
        "sessions_max",
        "rules",
        "reasons",
        "error",
    ]
    assert [(r[0], r[1], r[2]) for r in records[1:]] == [
        (str(n), f"P{n - 1}", "candidate") for n in range(1, written + 1)
    ]


def test_a_real_pipe_into_head_ends_quietly(tmp_path: Path) -> None:
    """`mesoguide batch big.csv -f csv | head -n 3` in a shell: no word on stderr, exit 0."""
    rows = [base_cells(id=f"P{i}") for i in range(50_000)]
    source = write(tmp_path, "big.csv", csv_text(rows, ["id", *COLUMNS]))
    script = (
        f'"{sys.executable}" -m mesoguide batch "{source}" -f csv 2>"{tmp_path}/err" | head -n 3; '
        'echo "exit ${PIPESTATUS[0]}"'
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, timeout=60, text=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("row,id,candidacy")
    assert [line.split(",")[:2] for line in lines[1:3]] == [["1", "P0"], ["2", "P1"]]
    assert lines[3] == "exit 0"
    assert (tmp_path / "err").read_text() == ""


# -- decimal and text cells (the kybella test pack) ---------------------------------------------
KYBELLA = str(ROOT / "tests" / "packs" / "kybella")


def test_a_european_export_with_comma_decimals_is_rejected_row_by_row_naming_the_fix(
    tmp_path: Path,
) -> None:
    """A `;`-separated export whose decimals have commas: each such row says to write '.';
    a text cell may hold the delimiter, quotes and a line break; a control character is named."""
    text = (
        "id;age;bmi;medicines;earlier_treatment;bothers\n"
        'p1;30;40,5;"Aspirin; 100 mg";never;fullness\n'
        'p2;30;40.5;"Say ""hi""\nnext line";never;fullness\n'
        "p3;30;39.9;a\x1bb;never;fullness\n"
        "p4;30;1.234,5;none;never;fullness\n"
    )
    code, out, err = batch(str(write(tmp_path, "in.csv", text)), "--rules", KYBELLA)
    assert code == ExitCode.INVALID_INPUT
    records = [json.loads(line) for line in out.splitlines()]
    assert [r.get("candidacy", r.get("error")) for r in records] == [
        "bmi: '40,5' is not a number: write the decimal point as '.' (40.5)",
        "refer",
        "medicines: the text holds the control character U+001B: remove it",
        "bmi: '1.234,5' is not a number: type a number in kg/m², such as 40.5",
    ]
    assert "Traceback" not in err
