"""`mesoguide assess --answers`: formats, output files, stdin, messages and exit codes."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mesoguide.cli import app
from tests.conftest import BASE_ANSWERS

runner = CliRunner()


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    file = tmp_path / "answers.yaml"
    file.write_text(yaml.safe_dump(BASE_ANSWERS), encoding="utf-8")
    return file


def invoke(*args: str, input: bytes | str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["assess", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def mesoguide(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run the real program in a child process (no terminal: pipes on every stream)."""
    return subprocess.run(
        [sys.executable, "-m", "mesoguide", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=30,
        check=False,
    )


# -- formats ------------------------------------------------------------------------------------


def test_text_is_the_default_format(answers_file: Path) -> None:
    """Without --format the report is text, on stdout, and stderr stays empty."""
    code, out, err = invoke("--answers", str(answers_file))
    assert code == 0
    assert out.startswith("╭─ You may be a candidate - discuss it with a professional ─")
    assert "\nSessions and timeline\n  About 10 to 15 sessions." in out
    assert out.endswith(
        "is right for you.\n\nResult: You may be a candidate - discuss it with a professional\n"
    )
    assert err == ""


def test_json_format_is_the_documented_report(answers_file: Path) -> None:
    """--format json prints the JSON report, answers as given."""
    code, out, _ = invoke("-a", str(answers_file), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["candidacy"] == "candidate"
    assert data["sessions"] == {"min": 10, "max": 15, "guidance": ["G19", "PLANS"]}
    assert data["answers"]["concerns"] == {"state": "answered", "value": ["cellulite"]}


def test_markdown_format_is_a_handout(answers_file: Path) -> None:
    """--format markdown prints the handout."""
    code, out, _ = invoke("-a", str(answers_file), "-f", "markdown")
    assert code == 0
    assert out.startswith("# Mesotherapy candidacy questionnaire\n\n## You may be a candidate")


def test_an_unknown_format_is_a_usage_error(answers_file: Path) -> None:
    """--format xml exits 2 and names the allowed formats."""
    code, _, err = invoke("-a", str(answers_file), "-f", "xml")
    assert code == 2
    assert "'xml' is not one of" in err and "'markdown'" in err


# -- answers from stdin and files ---------------------------------------------------------------


@pytest.mark.parametrize(
    "stdin",
    [
        yaml.safe_dump(BASE_ANSWERS).encode(),
        json.dumps(BASE_ANSWERS).encode(),
        b"\xef\xbb\xbf" + json.dumps(BASE_ANSWERS).encode(),
    ],
)
def test_dash_reads_answers_from_stdin(stdin: bytes) -> None:
    """`--answers -` reads YAML or JSON from stdin."""
    code, out, err = invoke("-a", "-", "-f", "json", input=stdin)
    assert (code, err) == (0, "")
    assert json.loads(out)["candidacy"] == "candidate"


def test_unknown_answer_keys_warn_and_carry_on() -> None:
    """Answers to questions the pack does not have are named in one warning; the run succeeds."""
    raw = {**BASE_ANSWERS, "agee": 4, "shoe_size": 7}
    code, out, err = invoke("-a", "-", "-f", "json", input=json.dumps(raw))
    assert code == 0
    assert (
        err
        == "warning: ignoring answers to unknown questions: agee (did you mean 'age'?), shoe_size\n"
    )
    assert "agee" not in json.loads(out)["answers"]


def test_bad_values_exit_1_listing_every_problem(tmp_path: Path) -> None:
    """Every bad and missing answer is listed at once, with the file name; exit 1."""
    raw = {**BASE_ANSWERS, "concerns": ["celulite"], "age": "old"}
    del raw["sex"]
    file = tmp_path / "a.json"
    file.write_text(json.dumps(raw), encoding="utf-8")
    code, out, err = invoke("-a", str(file))
    assert code == 1
    assert out == ""
    assert err == (
        f"error: {file}: age: 'old' is not a whole number\n"
        f"  {file}: sex: required, but not answered\n"
        f"  {file}: concerns: 'celulite' is not one of cellulite, wrinkles, sagging_skin, "
        "excess_fat, other (did you mean 'cellulite'?)\n"
    )


def test_answers_to_questions_that_do_not_apply_are_dropped_and_named() -> None:
    """A build and cellulite belief given by someone without cellulite are dropped, named (on
    stderr, and in the report as given)."""
    raw = {**BASE_ANSWERS, "concerns": ["wrinkles"], "cellulite_cause_belief": "nonsense"}
    code, out, err = invoke("-a", "-", "-f", "json", input=json.dumps(raw))
    assert (code, err) == (
        0,
        "warning: ignoring answers to questions that do not apply (their 'when' is false): "
        "body_type, cellulite_cause_belief\n",
    )
    assert json.loads(out)["answers"]["cellulite_cause_belief"] == {
        "state": "not_asked",
        "value": None,
        "given": True,
    }


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "error: stdin: pregnant_or_breastfeeding: answered yes, but this screening question is asked only when sex is female, other or prefer_not_to_say; a yes to it is never ignored, so correct the other answers or this one\n"),
        ("es", "error: stdin: pregnant_or_breastfeeding: respondió que sí, pero esta pregunta de salud solo se hace cuando sex es female, other o prefer_not_to_say; un sí a ella nunca se pasa por alto, así que corrija las otras respuestas o esta\n"),
    ],
)  # fmt: skip
def test_a_screens_yes_where_it_is_not_asked_is_refused_in_plain_words(
    lang: str, message: str
) -> None:
    """A pregnancy "yes" beside "male": exit 1, nothing on stdout, and one message that says
    when the screen is asked in the words of --lang, with the ids and values a file uses."""
    raw = {**BASE_ANSWERS, "sex": "male", "pregnant_or_breastfeeding": True}
    assert invoke("-a", "-", "--lang", lang, input=json.dumps(raw)) == (1, "", message)


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["-a", "missing.yaml"], b"", 2, "error: missing.yaml: no such answers file\n"),
        (["-a", "-"], b"", 2, "error: stdin: the answers file is empty\n"),
        (["-a", "-"], b"[1, 2]", 2, "error: stdin: answers must be a mapping of question id to answer, not a list\n"),
        (["-a", "-"], b"a: &x 1\nb: *x\n", 2, "error: stdin:2: YAML aliases (*name) are not allowed here\n"),
        (["-a", "-"], b"\xff\xfe\x00", 2, "error: stdin: input is binary, not text\n"),
        (["-a", "-"], b"age: \xe9\n", 2, "error: stdin: input is not UTF-8 text (byte 5)\n"),
        (["-a", "-", "--rules", "nowhere"], b"", 3, "error: nowhere: no such rule pack\n"),
    ],
)  # fmt: skip
def test_input_mistakes_get_one_message_and_a_documented_code(
    args: list[str], stdin: bytes, code: int, message: str
) -> None:
    """A missing, empty, malformed or binary input: one line on stderr, nothing on stdout."""
    got, out, err = invoke(*args, input=stdin)
    assert (got, out, err) == (code, "", message)


def test_no_terminal_and_no_answers_points_to_answers() -> None:
    """Without a terminal and without --answers: a message pointing to --answers, exit 2."""
    code, out, err = invoke(input="")
    assert (code, out) == (2, "")
    assert err == (
        "error: no terminal to ask questions on: pass --answers FILE (or - for stdin), or "
        "--plain to read the answers line by line\n"
    )


# -- --output -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_output_writes_the_same_report_to_a_file(
    answers_file: Path, tmp_path: Path, fmt: str
) -> None:
    """--output writes exactly what stdout would have shown, and says where it went."""
    target = tmp_path / f"report.{fmt}"
    code, out, err = invoke("-a", str(answers_file), "-f", fmt, "-o", str(target))
    assert (code, out, err) == (0, "", f"Report written to {target}\n")
    _, expected, _ = invoke("-a", str(answers_file), "-f", fmt)
    assert target.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["answers.yaml", target.name])


def test_output_dash_is_stdout(
    answers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--output -` writes to stdout, as `batch` does, and creates no file named '-'."""
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("-a", str(answers_file), "-f", "json", "-o", "-")
    assert (code, out, err) == (0, invoke("-a", str(answers_file), "-f", "json")[1], "")
    assert not (tmp_path / "-").exists()


def test_output_gets_ordinary_permissions(answers_file: Path, tmp_path: Path) -> None:
    """A new report file gets the umask's permissions; a replaced one keeps its own."""
    target = tmp_path / "report.txt"
    old = os.umask(0o022)
    try:
        invoke("-a", str(answers_file), "-o", str(target))
        assert stat.S_IMODE(target.stat().st_mode) == 0o644
        target.chmod(0o640)
        invoke("-a", str(answers_file), "-o", str(target))
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_output_is_atomic(
    answers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the final rename fails the old file is untouched and no temporary file is left."""
    target = tmp_path / "report.txt"
    target.write_text("the old report\n", encoding="utf-8")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, out, err = invoke("-a", str(answers_file), "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"error: cannot write {target}: No space left on device\n"
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml", "report.txt"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("no/such/folder/report.txt", "no folder {tmp}/no/such/folder"),
        ("answers.yaml/report.txt", "{tmp}/answers.yaml is not a folder"),
        (".", "it is a folder"),
    ],
)
def test_output_refuses_unwritable_paths_with_exit_2(
    answers_file: Path, tmp_path: Path, name: str, reason: str
) -> None:
    """A path in a missing folder, under a file, or a folder itself: exit 2, one line."""
    target = tmp_path / name
    code, out, err = invoke("-a", str(answers_file), "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"error: cannot write {target}: {reason.format(tmp=tmp_path)}\n"


# -- the real program: no traceback, no escape codes --------------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        (["assess", "-a", "-"], b"\xff\xfe garbage", 2),
        (["assess", "-a", "-"], b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 2),
        (["assess", "-a", "-"], b"age: [" * 3000, 2),
        (["assess", "-a", "-"], b"concerns: celulite\n", 1),
        (["assess"], b"", 2),
        (["assess", "-a", "-", "--rules", "/dev/null"], b"age: 1\n", 3),
        (["assess", "-a", "-", "-o", "/proc/report.txt"], json.dumps(BASE_ANSWERS).encode(), 2),
        (["assess", "--bogus"], b"", 2),
    ],
)
def test_no_traceback_ever(args: list[str], stdin: bytes, code: int) -> None:
    """Whatever the mistake, the real program prints no traceback and exits as documented."""
    result = mesoguide(*args, stdin=stdin)
    assert result.returncode == code
    assert b"Traceback" not in result.stderr
    assert result.stderr.strip()


def test_no_escape_codes_when_not_a_terminal() -> None:
    """Through pipes, stdout and the warning on stderr carry no escape codes."""
    raw = {**BASE_ANSWERS, "agee": 1}
    result = mesoguide("assess", "-a", "-", stdin=json.dumps(raw).encode())
    assert result.returncode == 0
    assert b"\x1b" not in result.stdout
    assert (
        result.stderr
        == b"warning: ignoring answers to unknown questions: agee (did you mean 'age'?)\n"
    )


def _in_a_terminal(answers: Path, env: dict[str, str]) -> str:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "mesoguide", "assess", "-a", str(answers), "--no-pager"],
        env={**os.environ, "TERM": "xterm-256color", **env},
        dimensions=(50, 80),
        timeout=20,
    )
    output: bytes = child.read()
    child.close()
    assert child.exitstatus == 0
    return output.decode()


def test_colour_in_a_terminal_and_none_with_no_color(tmp_path: Path) -> None:
    """In a real terminal the report is coloured; with NO_COLOR set it has no colour codes."""
    if "NO_COLOR" in os.environ:
        pytest.skip("NO_COLOR is set for the whole run")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**BASE_ANSWERS, "agee": 1}), encoding="utf-8")
    coloured = _in_a_terminal(answers, {})
    assert "\x1b[33mwarning:\x1b[0m ignoring answers to unknown questions: agee" in coloured
    assert "\x1b[32m" in coloured or "\x1b[1;32m" in coloured  # the green candidate panel
    plain = _in_a_terminal(answers, {"NO_COLOR": "1"})
    assert "\x1b[3" not in plain and "\x1b[1;3" not in plain  # no foreground colour at all
    assert "warning: ignoring answers to unknown questions: agee" in plain
    assert "You may be a candidate" in plain


LONG_NAME = "x" * 300  # past every file system's name limit: probing the path itself fails


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["-o", f"{{tmp}}/{LONG_NAME}"], 2, "error: cannot write {tmp}/" + LONG_NAME + ": File name too long\n"),
        (["--rules", f"{{tmp}}/{LONG_NAME}"], 3, "error: {tmp}/" + LONG_NAME + ": rule pack cannot be read (File name too long)\n"),
    ],
)  # fmt: skip
def test_a_path_that_cannot_even_be_probed_is_one_message(
    answers_file: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    """A name too long for the file system (or a folder we may not enter) is no traceback."""
    filled = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert invoke("-a", str(answers_file), *filled) == (
        code,
        "",
        message.replace("{tmp}", str(tmp_path)),
    )


def test_an_empty_answers_name_is_a_usage_error() -> None:
    """`--answers ''` asks for a file name instead of falling back to the questionnaire."""
    assert invoke("--answers", "") == (
        2,
        "",
        "error: --answers needs a file name (or - for stdin)\n",
    )


def test_a_json_report_given_as_answers_is_named_for_what_it_is() -> None:
    """A report fed back to --answers is refused as a report (exit 2), not read as answers with
    a dozen unknown keys and every required question unanswered."""
    code, report, _ = invoke("-a", "-", "-f", "json", input=json.dumps(BASE_ANSWERS))
    assert code == 0
    assert invoke("-a", "-", input=report) == (
        2,
        "",
        "error: stdin: this is a mesoguide report (--format json), not an answers file: pass "
        "the answers it was made from, or a QuestionnaireResponse (--format fhir), which can be "
        "read back\n",
    )
