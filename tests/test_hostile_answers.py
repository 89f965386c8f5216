"""`assess --answers` against hostile input: one clear line, a documented exit, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.errors import ExitCode
from tests.conftest import BASE_ANSWERS, ROOT

runner = CliRunner()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
CHOICES_OF_SEX = "female, male, other, prefer_not_to_say"
CONCERNS = "cellulite, wrinkles, sagging_skin, excess_fat, other"
NOT_YES_NO = "is not yes or no (yes/no/true/false/y/n/1/0)"
NOT_A_MAPPING = "answers must be a mapping of question id to answer, not"

BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def answers_yaml(key: str, literal: str) -> str:
    """The base answers as YAML, with ``key`` first and written as the raw YAML ``literal``."""
    lines = [f"{key}: {literal}"]
    lines += [f"{k}: {json.dumps(v)}" for k, v in BASE_ANSWERS.items() if k != key]
    return "\n".join(lines) + "\n"


def assess(*args: str, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """Run `assess --format json` in-process; never an exception other than the exit."""
    result = runner.invoke(app, ["assess", "--format", "json", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str | bytes, name: str = "answers.yaml") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


# -- wrong types -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "literal", "reason"),
    [
        ("age", "true", "expected a whole number, not a boolean (true)"),
        ("age", ".inf", "inf is not a whole number"),
        ("age", "-.inf", "-inf is not a whole number"),
        ("age", ".nan", "nan is not a whole number"),
        ("age", "34.5", "34.5 is not a whole number"),
        ("age", "1" + "0" * 40, "1" + "0" * 40 + " is outside 0 to 120"),
        ("age", "10**40", "'10**40' is not a whole number"),
        ("age", "1e400", "'1e400' is not a whole number"),
        ("age", "-1", "-1 is outside 0 to 120"),
        ("age", "'٣٥'", "'٣٥' is not a whole number"),
        ("age", "thirty", "'thirty' is not a whole number"),
        ("age", "[35]", "expected a whole number, not a list"),
        ("sessions_possible", "2.5", "2.5 is not a whole number"),
        ("sessions_possible", "-3", "-3 is outside 0 to 100"),
        ("sessions_possible", "1:30", "'1:30' is not a whole number"),
        ("concerns", "{cellulite: true}", "expected a list of choices, not a mapping"),
        ("concerns", "[[cellulite]]", "each choice is text, not a list (['cellulite'])"),
        ("concerns", "[{cellulite: 1}]", "each choice is text, not a mapping ({'cellulite': 1})"),
        ("concerns", "[yes]", "each choice is text, not a boolean (true)"),
        (
            "concerns",
            "[]",
            "choose at least 1: cellulite, wrinkles, sagging_skin, excess_fat, other",
        ),
        ("medical_conditions", "[none, cancer]", "'none' cannot be combined with other choices"),
        ("sex", "[female, male]", f"expected one of {CHOICES_OF_SEX}, not a list"),
        ("sex", "{female: 1}", f"expected one of {CHOICES_OF_SEX}, not a mapping"),
        ("sex", "no", f"expected one of {CHOICES_OF_SEX}, not a boolean"),
        ("age", "null", "required, but not answered"),
        ("age", "''", "required, but not answered"),
        ("concerns", "null", "required, but not answered"),
        (
            "pregnant_or_breastfeeding",
            "maybe",
            f"'maybe' {NOT_YES_NO}",
        ),
        ("pregnant_or_breastfeeding", "2", f"2 {NOT_YES_NO}"),
        (
            "sex",
            "f\u0435male",  # Cyrillic U+0435 for 'e'
            f"'f\u0435male' is not one of {CHOICES_OF_SEX} (did you mean 'female'?) "
            "(it holds the non-ASCII character '\u0435', U+0435)",
        ),
        (
            "sex",
            "\u0455\u0435x",  # Cyrillic look-alikes, too far from any choice for a hint
            f"'\u0455\u0435x' is not one of {CHOICES_OF_SEX} "
            "(it holds the non-ASCII character '\u0455', U+0455)",
        ),
        (
            "concerns",
            "[c\u0435llulite]",
            f"'c\u0435llulite' is not one of {CONCERNS} "
            "(did you mean 'cellulite'?) (it holds the non-ASCII character '\u0435', U+0435)",
        ),
    ],
)
def test_refuses_a_wrong_answer_naming_the_file_and_question(
    tmp_path: Path, key: str, literal: str, reason: str
) -> None:
    """Refuses an answer of the wrong type or range with `file: question: reason`, exit 1."""
    file = write(tmp_path, answers_yaml(key, literal))
    code, out, err = assess("--answers", file)
    assert (code, out, err) == (ExitCode.INVALID_INPUT, "", f"error: {file}: {key}: {reason}\n")


@pytest.mark.parametrize(
    ("literal", "reason"),
    [
        ("2026-02-30", "cannot read value '2026-02-30': day is out of range for month"),
        ("9" * 500, "a number of more than 100 digits"),
        (
            "!!python/object/apply:os.system ['true']",
            "YAML tag !!python/object/apply:os.system is not allowed",
        ),
        ("!!python/name:os.system ''", "cannot read value: could not determine a constructor"),
    ],
)
def test_refuses_a_value_yaml_cannot_build_with_its_line(
    tmp_path: Path, literal: str, reason: str
) -> None:
    """Refuses a value the safe loader cannot build with `file:line: question: reason`, exit 2."""
    file = write(tmp_path, answers_yaml("age", literal))
    code, out, err = assess("--answers", file)
    assert code == ExitCode.USAGE
    assert out == ""
    assert err.startswith(f"error: {file}:1: age: {reason}")
    assert err.count("\n") == 1


@pytest.mark.parametrize(("literal", "age"), [("035", 35), ("0035", 35), ("0x10", 16), ("1_9", 19)])
def test_reads_zero_padded_numbers_as_decimal(tmp_path: Path, literal: str, age: int) -> None:
    """Reads `035` as 35 (YAML 1.2), not as the octal 29 of YAML 1.1."""
    code, out, err = assess("--answers", write(tmp_path, answers_yaml("age", literal)))
    assert (code, err) == (0, "")
    assert json.loads(out)["answers"]["age"] == {"state": "answered", "value": age}


# -- files --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("", "a.yaml", "the answers file is empty"),
        ("# only a comment\n", "a.yaml", "the answers file is empty"),
        (
            "- age\n- 35\n",
            "a.yaml",
            f"{NOT_A_MAPPING} a list",
        ),
        ("hello\n", "a.yaml", f"{NOT_A_MAPPING} a string"),
        ("[1, 2]", "a.json", f"{NOT_A_MAPPING} a list"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "a.yaml", "answers file is binary, not text"),
        (b"age: \xff\xfe\n", "a.yaml", "answers file is not UTF-8 text (byte 5)"),
        ("age: 1\n---\nage: 2\n", "a.yaml", "holds more than one YAML document"),
        ("1: 35\n", "a.yaml:1", "key 1 is not a string (quote it)"),
        ("age: 1\nage: 2\n", "a.yaml:2", "duplicate key 'age'"),
        ('{"age": 1, "age": 2}', "a.json", "duplicate key 'age'"),
        ('{"age": Infinity}', "a.json", "Infinity is not a valid answer"),
        ('{"age": NaN}', "a.json", "NaN is not a valid answer"),
        ('{"age": ' + "9" * 5000 + "}", "a.json", "a number of more than 100 digits"),
        ('{"age": 1', "a.json:1", "JSON syntax: Expecting ',' delimiter"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "a.json", "nested more than 10 levels deep"),
        ('{"a": ' * 11 + "1" + "}" * 11, "a.json", "nested more than 10 levels deep"),
        ("a:\n" + "".join("  " * i + " - \n" for i in range(1, 12)), "a.yaml:", "nested more"),
        (
            "age: &x 35\nsessions_possible: *x\n",
            "a.yaml:2",
            "YAML aliases (*name) are not allowed here",
        ),
        ("age: [\n", "a.yaml:2", "YAML syntax: "),
    ],
)
def test_refuses_a_bad_answers_file_naming_it(
    tmp_path: Path, content: str | bytes, name: str, message: str
) -> None:
    """Refuses an empty, non-mapping, binary, malformed or nested file: `file: why`, exit 2."""
    filename, _, line = name.partition(":")
    file = write(tmp_path, content, filename)
    code, out, err = assess("--answers", file)
    assert (code, out) == (ExitCode.USAGE, "")
    where = f"{file}:{line}" if line else file
    assert err.startswith(f"error: {where}")
    assert message in err
    assert err.count("\n") == 1


def test_refuses_a_missing_file(tmp_path: Path) -> None:
    """Says there is no such file, exit 2."""
    file = str(tmp_path / "nope.yaml")
    assert assess("--answers", file) == (
        ExitCode.USAGE,
        "",
        f"error: {file}: no such answers file\n",
    )


def test_refuses_a_folder(tmp_path: Path) -> None:
    """Says a folder is not a file, exit 2."""
    folder = str(tmp_path)
    expected = f"error: {folder}: answers file is a folder, not a file\n"
    assert assess("--answers", folder) == (ExitCode.USAGE, "", expected)


@pytest.mark.skipif(AS_ROOT, reason="root reads every file")
def test_refuses_an_unreadable_file(tmp_path: Path) -> None:
    """Says permission is denied, exit 2."""
    file = write(tmp_path, answers_yaml("age", "35"))
    os.chmod(file, 0)
    expected = f"error: {file}: answers file cannot be read (permission denied)\n"
    assert assess("--answers", file) == (ExitCode.USAGE, "", expected)


@pytest.mark.parametrize("where", ["file", "stdin"])
def test_refuses_an_alias_bomb_within_a_second(tmp_path: Path, where: str) -> None:
    """Refuses a "billion laughs" document at its first alias, without expanding it."""
    start = time.perf_counter()
    if where == "file":
        file = write(tmp_path, BOMB)
        code, out, err = assess("--answers", file)
    else:
        file = "stdin"
        code, out, err = assess("--answers", "-", stdin=BOMB)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    expected = f"error: {file}:2: YAML aliases (*name) are not allowed here\n"
    assert (code, out, err) == (ExitCode.USAGE, "", expected)


# -- stdin ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "stdin: the answers file is empty"),
        (b"\x00\x01\x02", "stdin: input is binary, not text"),
        (b"age: \xff\n", "stdin: input is not UTF-8 text (byte 5)"),
        (b"age: 1\n" * 200_000, "stdin: input is over 1 MiB"),
    ],
)
def test_refuses_bad_answers_on_stdin(data: bytes, message: str) -> None:
    """Refuses empty, binary, non-UTF-8 or oversized stdin with one line, exit 2."""
    assert assess("--answers", "-", stdin=data) == (ExitCode.USAGE, "", f"error: {message}\n")


def test_reads_good_answers_from_stdin() -> None:
    """Assesses answers given on stdin."""
    code, out, err = assess("--answers", "-", stdin=json.dumps(BASE_ANSWERS))
    assert (code, err) == (0, "")
    assert json.loads(out)["candidacy"] == "candidate"


# -- output ---------------------------------------------------------------------------------------
@pytest.fixture
def good(tmp_path: Path) -> str:
    return write(tmp_path, json.dumps(BASE_ANSWERS), "good.json")


def test_refuses_an_output_path_that_is_a_folder(tmp_path: Path, good: str) -> None:
    """Says the output is a folder, exit 2, and writes nothing."""
    expected = f"error: cannot write {tmp_path}: it is a folder\n"
    assert assess("--answers", good, "-o", str(tmp_path)) == (ExitCode.USAGE, "", expected)


def test_refuses_an_output_path_in_a_missing_folder(tmp_path: Path, good: str) -> None:
    """Names the missing folder, exit 2."""
    target = tmp_path / "missing" / "report.json"
    expected = f"error: cannot write {target}: no folder {target.parent}\n"
    assert assess("--answers", good, "-o", str(target)) == (ExitCode.USAGE, "", expected)


def test_refuses_an_output_path_under_a_file(tmp_path: Path, good: str) -> None:
    """Says a file is not a folder, exit 2."""
    target = Path(good) / "report.json"
    expected = f"error: cannot write {target}: {good} is not a folder\n"
    assert assess("--answers", good, "-o", str(target)) == (ExitCode.USAGE, "", expected)


@pytest.mark.skipif(AS_ROOT, reason="root writes into any folder")
def test_refuses_an_output_folder_without_permission(tmp_path: Path, good: str) -> None:
    """Says permission is denied, exit 2, and leaves no temporary file."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    target = folder / "report.json"
    expected = f"error: cannot write {target}: Permission denied\n"
    assert assess("--answers", good, "-o", str(target)) == (ExitCode.USAGE, "", expected)
    assert list(folder.iterdir()) == []


def test_writes_into_a_named_pipe_instead_of_replacing_it(tmp_path: Path, good: str) -> None:
    """Writes the report into a FIFO (as into /dev/stdout) and leaves the FIFO in place."""
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    code, out, err = assess("--answers", good, "-o", str(fifo))
    reader.join(timeout=10)
    assert (code, out, err) == (0, "", f"Report written to {fifo}\n")
    assert fifo.is_fifo()
    assert json.loads(received[0])["candidacy"] == "candidate"


def test_writes_through_a_symlink_and_keeps_it(tmp_path: Path, good: str) -> None:
    """Replaces the file a symlink points to, not the link."""
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert assess("--answers", good, "-o", str(link))[0] == 0
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["candidacy"] == "candidate"


def _mesoguide(*args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "mesoguide", *args], capture_output=False, timeout=30, **kwargs
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_message(good: str) -> None:
    """Says stdout could not be written, exit 2, and nothing more at exit."""
    with open("/dev/full", "wb") as full:
        done = _mesoguide("assess", "-a", good, "-f", "json", stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr == b"error: cannot write the report to stdout: No space left on device\n"


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_a_closed_pipe_ends_quietly(good: str, fmt: str) -> None:
    """Ends without a word and exit 0 when the reader of stdout has gone (`| head`), as batch."""
    read, write_end = os.pipe()
    os.close(read)
    try:
        done = _mesoguide("assess", "-a", good, "-f", fmt, stdout=write_end, stderr=subprocess.PIPE)
    finally:
        os.close(write_end)
    assert done.stderr == b""
    assert done.returncode == 0  # not 1, which says the answers were rejected


# -- decimal and text answers as YAML writes them (the kybella test pack) ----------------------
KYBELLA = str(ROOT / "tests" / "packs" / "kybella")
KYBELLA_ANSWERS = {"age": 30, "bmi": 22.5, "medicines": "none", "earlier_treatment": "never",
                   "bothers": ["fullness"]}  # fmt: skip


def kybella_yaml(key: str, literal: str) -> str:
    lines = [f"{key}: {literal}"]
    lines += [f"{k}: {json.dumps(v)}" for k, v in KYBELLA_ANSWERS.items() if k != key]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("key", "literal", "reason"),
    [
        ("bmi", "40,5", "'40,5' is not a number: write the decimal point as '.' (40.5)"),
        ("bmi", "1e3", "'1e3' is not a number: type a number in kg/m², such as 40.5"),  # YAML: text
        ("bmi", ".inf", "inf is not a number"),
        ("bmi", ".nan", "nan is not a number"),
        ("bmi", "true", "expected a number, not a boolean (true)"),
        ("bmi", "40.55", "40.55 is not a step of 0.1: the nearest are 40.5 and 40.6"),
        ("bmi", "0.1e2", "'0.1e2' is not a number: type a number in kg/m², such as 40.5"),
        ("medicines", "no", "expected text, not a boolean (false): put the text in quotes"),
        ("medicines", "010", "expected text, not an integer (10): put the text in quotes"),
        (
            "medicines",
            "2026-01-02",
            "expected text, not a date (2026-01-02): put the text in quotes",
        ),
        ("medicines", '"a\\x1bb"', "the text holds the control character U+001B: remove it"),
        ("medicines", "[a, b]", "expected text, not a list"),
        ("medicines", '"' + "x" * 501 + '"', "the text is 501 characters long; the limit is 500"),
    ],
)
def test_refuses_a_decimal_or_text_as_yaml_reads_it(
    tmp_path: Path, key: str, literal: str, reason: str
) -> None:
    """YAML's surprises (1e3 is text, `no` a boolean, 010 an octal 8) are refused with a fix."""
    file = write(tmp_path, kybella_yaml(key, literal))
    code, out, err = assess("--rules", KYBELLA, "--answers", file)
    assert (code, out, err) == (ExitCode.INVALID_INPUT, "", f"error: {file}: {key}: {reason}\n")
