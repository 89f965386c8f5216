"""`mesoguide batch`: whole outputs, exit codes, stdin, signals and broken pipes."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest
from rich.console import Console
from typer.testing import CliRunner

from mesoguide.batch import CSV_COLUMNS, Tally
from mesoguide.batch_cli import _Output, _Signals, _Stop, summary_table
from mesoguide.cli import app
from mesoguide.loader import load_pack
from mesoguide.model import RulePack
from mesoguide.packs import default_pack_path
from tests.conftest import BASE_ANSWERS, ROOT

HEADER = (
    "id,age,sex,concerns,areas,body_type,cellulite_cause_belief,wants_to_avoid_surgery,"
    "results_expected_within,sessions_possible,diet_and_exercise,goal_is_weight_loss,"
    "pregnant_or_breastfeeding,blood_thinners_or_bleeding_disorder,ingredient_allergies,"
    "skin_problem_in_area,medical_conditions"
)
C1 = "C-1,42,female,wrinkles,face,slim,,no,months,12,regular,no,no,no,no,no,none"
C2 = (
    "C-2,29,female,cellulite,thighs;buttocks,average,not_sure,yes,weeks,10,sometimes,"
    "no,yes,no,no,no,none"
)
C3 = "C-3,35,male,excess_fat,abdomen,overweight,,maybe,soon,12,regular,no,no,no,no,no,none;cancer"
THREE = "\n".join([HEADER, C1, C2, C3]) + "\n"

CANDIDATE_RULE_IDS = [
    "may_be_candidate", "candidate_decided_with_professional", "expects_results_later",
    "invasiveness_compared", "minimally_invasive", "open_to_surgery", "areas_listed",
    "scarring_or_pigment_not_answered", "recent_treatment_not_answered",
    "bruising_medicines_not_answered", "liver_or_kidney_not_answered", "cold_sores_not_answered",
    "course_of_sessions", "what_mesotherapy_is", "article_claims_help", "fda_no_evidence",
    "side_effects_vary", "evidence_limited", "check_credentials", "ask_fda_status",
    "ask_long_term_benefits", "questions_answered_first", "consult_professional",
]  # fmt: skip
CANDIDATE_RULES = json.dumps(CANDIDATE_RULE_IDS)
REFER_RULE_IDS = [
    "refer_pregnant_or_breastfeeding", "cellulite_not_a_fat_problem", "cellulite_understand_first",
    "expects_results_in_weeks", "invasiveness_compared", "minimally_invasive",
    "areas_listed", "scarring_or_pigment_not_answered", "recent_treatment_not_answered",
    "bruising_medicines_not_answered", "liver_or_kidney_not_answered", "what_mesotherapy_is",
    "article_claims_help", "fda_no_evidence", "side_effects_vary", "evidence_limited",
    "check_credentials", "ask_fda_status", "ask_long_term_benefits", "questions_answered_first",
    "consult_professional",
]  # fmt: skip
REFER_RULES = json.dumps(REFER_RULE_IDS)
PREGNANT = (
    "You said you are pregnant, may be pregnant, or are breastfeeding. Injectable cosmetic "
    "treatments are usually put off until after this time."
)
C3_ERROR = (
    "wants_to_avoid_surgery: 'maybe' is not yes or no (yes/no/true/false/y/n/1/0); "
    "results_expected_within: 'soon' is not one of days, weeks, months, no_rush; "
    "medical_conditions: 'none' cannot be combined with other choices"
)
THREE_JSONL = (
    '{"row": 1, "id": "C-1", "candidacy": "candidate", "sessions": {"min": 10, "max": 15}, '
    f'"rules": {CANDIDATE_RULES}, "reasons": []}}\n'
    '{"row": 2, "id": "C-2", "candidacy": "refer", "sessions": null, '
    f'"rules": {REFER_RULES}, "reasons": ["{PREGNANT}"]}}\n'
    f'{{"row": 3, "id": "C-3", "error": "{C3_ERROR}"}}\n'
)
THREE_SUMMARY = (
    "3 rows read: 1 refer, 0 not_indicated, 1 candidate, 1 rejected\n"
    f"  row 3 (id C-3): {C3_ERROR}\n"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def three(tmp_path: Path) -> Path:
    path = tmp_path / "intake.csv"
    path.write_text(THREE, encoding="utf-8")
    return path


def test_writes_one_jsonl_record_per_row_and_a_summary(runner: CliRunner, three: Path) -> None:
    """The whole stdout is the records in input order; stderr is the summary; a bad row: exit 1."""
    result = runner.invoke(app, ["batch", str(three)])
    assert result.stdout == THREE_JSONL
    assert result.stderr == THREE_SUMMARY
    assert result.exit_code == 1


def test_writes_csv_with_the_documented_columns(runner: CliRunner, three: Path) -> None:
    """`--format csv`: the header, then each record flattened, the same rows and reasons."""
    result = runner.invoke(app, ["batch", str(three), "--format", "csv"])
    rules = ";".join(json.loads(CANDIDATE_RULES))
    assert result.stdout == (
        "row,id,candidacy,sessions_min,sessions_max,rules,reasons,error\n"
        f"1,C-1,candidate,10,15,{rules},,\n"
        f'2,C-2,refer,,,{";".join(REFER_RULE_IDS)},"{PREGNANT}",\n'
        f'3,C-3,,,,,,"{C3_ERROR}"\n'
    )
    assert result.exit_code == 1


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_output_keeps_the_delimiter_the_export_was_read_with(
    runner: CliRunner, three: Path, tmp_path: Path, delimiter: str
) -> None:
    """A `;` (or tab) export gives `;` (or tab) records, so the spreadsheet that made it opens
    them in columns; the cells are those of the comma export's records."""
    rows = list(csv.reader(io.StringIO(THREE)))
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path = tmp_path / "export.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "--format", "csv"])
    comma = runner.invoke(app, ["batch", str(three), "--format", "csv"])
    assert result.stdout.startswith(delimiter.join(CSV_COLUMNS) + "\n")
    assert list(csv.reader(io.StringIO(result.stdout), delimiter=delimiter)) == list(
        csv.reader(io.StringIO(comma.stdout))
    )


def test_exits_0_when_every_row_is_assessed(runner: CliRunner, tmp_path: Path) -> None:
    """No rejected row: exit 0 and a summary without rejections."""
    path = tmp_path / "ok.csv"
    path.write_text("\n".join([HEADER, C1, C2]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path)])
    assert result.stderr == "2 rows read: 1 refer, 0 not_indicated, 1 candidate, 0 rejected\n"
    assert result.exit_code == 0


def test_writes_to_an_output_file(runner: CliRunner, three: Path, tmp_path: Path) -> None:
    """`--output FILE` gets the records; stdout stays empty."""
    out = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["batch", str(three), "-o", str(out)])
    assert out.read_text(encoding="utf-8") == THREE_JSONL
    assert result.stdout == ""
    assert result.exit_code == 1


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_reads_stdin_with_input_format(runner: CliRunner, kind: str) -> None:
    """`-` reads stdin in the format `--input-format` names; CSV and JSONL agree."""
    if kind == "csv":
        text = THREE
    else:
        lines = [dict(zip(HEADER.split(","), row.split(","), strict=True)) for row in (C1, C2, C3)]
        text = "".join(json.dumps(line) + "\n" for line in lines)
    result = runner.invoke(app, ["batch", "-", "--input-format", kind], input=text)
    assert result.stdout == THREE_JSONL
    assert result.exit_code == 1


def test_reads_a_bom_and_crlf(runner: CliRunner, tmp_path: Path) -> None:
    """A spreadsheet's UTF-8 BOM and CRLF line ends read like plain UTF-8 and LF."""
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + THREE.replace("\n", "\r\n").encode("utf-8"))
    result = runner.invoke(app, ["batch", str(path)])
    assert result.stdout == THREE_JSONL


def test_full_detail_equals_assess_json(runner: CliRunner, tmp_path: Path) -> None:
    """`--detail full` holds, for each row, exactly what `assess --format json` writes."""
    people = [BASE_ANSWERS, {**BASE_ANSWERS, "age": 16}, {**BASE_ANSWERS, "concerns": ["other"]}]
    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in people), encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "--detail", "full"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    for number, (person, record) in enumerate(zip(people, records, strict=True), 1):
        answers = tmp_path / f"answers-{number}.json"
        answers.write_text(json.dumps(person), encoding="utf-8")
        assessed = runner.invoke(app, ["assess", "--answers", str(answers), "--format", "json"])
        assert record["report"] == json.loads(assessed.stdout)
        assert record["row"] == number
        assert record["candidacy"] == record["report"]["candidacy"]
    assert result.exit_code == 0


def test_rules_option_picks_the_pack(runner: CliRunner, three: Path) -> None:
    """`--rules` loads the pack as `assess` does; the built-in pack by path gives the same."""
    result = runner.invoke(app, ["batch", str(three), "--rules", str(ROOT / "rules/mesotherapy")])
    assert result.stdout == THREE_JSONL


def test_warns_once_about_unknown_columns(runner: CliRunner, tmp_path: Path) -> None:
    """Columns naming no question are named in one warning, before the summary."""
    path = tmp_path / "extra.csv"
    path.write_text(f"{HEADER},colour,notes\n{C1},blue,\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path)])
    assert result.stderr == (
        "warning: ignoring columns that name no question: colour, notes (a column that answers "
        "a question is named by its id, or mapped with --columns MAP.yaml; --ignore-column "
        "NAME quiets this for one that answers none)\n"
        "1 row read: 0 refer, 0 not_indicated, 1 candidate, 0 rejected\n"
    )


def test_warns_about_unknown_jsonl_keys_after_the_rows(runner: CliRunner, tmp_path: Path) -> None:
    """JSON lines keys are known only as rows are read: one warning at the end."""
    path = tmp_path / "extra.jsonl"
    lines = [{**BASE_ANSWERS, "colour": "blue"}, {**BASE_ANSWERS, "notes": "x", "colour": "red"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path)])
    assert result.stderr.splitlines()[0] == (
        "warning: ignoring columns that name no question: colour, notes"
    )


@pytest.mark.parametrize(
    ("content", "fmt", "stdout"),
    [
        (HEADER + "\r\n", "jsonl", ""),
        (HEADER + "\n", "csv", "row,id,candidacy,sessions_min,sessions_max,rules,reasons,error\n"),
    ],
)
def test_a_header_alone_gives_no_records_and_exit_0(
    runner: CliRunner, tmp_path: Path, content: str, fmt: str, stdout: str
) -> None:
    """A header alone (an export of nobody): no records (CSV output keeps its header), exit 0."""
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "--format", fmt])
    assert result.stdout == stdout
    assert result.stderr == "0 rows read: 0 refer, 0 not_indicated, 0 candidate, 0 rejected\n"
    assert result.exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.csv"], "error: cannot read nowhere.csv: no such file\n"),
        (["."], "error: cannot read .: it is a folder\n"),
        (["-"], "error: stdin needs --input-format csv, jsonl or bundle\n"),
        (
            ["{dir}/notes.txt"],
            "error: {dir}/notes.txt: the name does not end in .csv, .jsonl or .json, so needs "
            "--input-format csv, jsonl or bundle\n",
        ),
        (["{dir}", "--input-format", "csv"], "error: cannot read {dir}: it is a folder\n"),
        (
            ["{three}", "--format", "csv", "--detail", "full"],
            "error: --detail full needs --format jsonl: a CSV row cannot hold a report\n",
        ),
        (["{three}", "-o", "{three}"], "error: cannot write {three}: it is the input file\n"),
        (
            ["{three}", "-o", "{dir}/no/such/out.jsonl"],
            "error: cannot write {dir}/no/such/out.jsonl: no folder {dir}/no/such\n",
        ),
        (
            ["{dir}/dup.csv"],
            "error: {dir}/dup.csv: column 'age' appears twice in the header\n",
        ),
    ],
)
def test_usage_problems_exit_2_with_one_message(
    runner: CliRunner, three: Path, args: list[str], message: str
) -> None:
    """A usage problem: one clear line on stderr, nothing on stdout, exit 2."""
    folder = three.parent
    (folder / "dup.csv").write_text("age,sex,age\n", encoding="utf-8")
    (folder / "notes.txt").write_text(THREE, encoding="utf-8")
    names = {"dir": str(folder), "three": str(three)}
    result = runner.invoke(app, ["batch", *(a.format(**names) for a in args)])
    assert result.stderr == message.format(**names)
    assert result.stdout == ""
    assert result.exit_code == 2
    assert three.read_text(encoding="utf-8") == THREE


def test_an_unknown_format_is_a_usage_error(runner: CliRunner, three: Path) -> None:
    """`--format xml` is refused by the option parser: exit 2, no traceback."""
    result = runner.invoke(app, ["batch", str(three), "--format", "xml"])
    assert result.exit_code == 2
    assert "'xml' is not one of 'jsonl', 'csv'" in " ".join(result.stderr.replace("│", "").split())
    assert "Traceback" not in result.stderr


# -- _Signals: when a signal stops the run, when it waits, when it cuts a write ---------------


class StalledStream(io.RawIOBase):
    """A writer that takes nothing (a reader that stopped reading), a signal arriving each try."""

    def __init__(self, signals: int, takes: int = 0) -> None:
        self.tries = 0
        self.signals = signals
        self.takes = takes  # bytes taken by the first write, before the stall

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.tries += 1
        if self.tries <= self.signals:
            signal.raise_signal(signal.SIGINT)  # its handler runs before this returns
        if self.tries > 10:
            raise AssertionError("the write was never cut")
        return self.takes if self.tries == 1 else 0


def test_a_signal_between_writes_stops_at_once() -> None:
    """The first signal outside a write raises _Stop there and marks the run as stopping."""
    signals = _Signals()
    with signals.installed(), pytest.raises(_Stop) as stop:
        signal.raise_signal(signal.SIGTERM)
    assert (stop.value.signum, signals.stopping, signals.cut) == (signal.SIGTERM, True, False)


def test_a_signal_during_a_write_waits_for_the_block_then_stops() -> None:
    """A signal during a write lets the block finish, then stops the run with that signal."""
    signals = _Signals()
    out = io.BytesIO()
    output = _Output(out, signals, "out")
    output.add("one\n")
    with signals.installed(), pytest.raises(_Stop) as stop, signals.held():
        signal.raise_signal(signal.SIGINT)
        out.write(b"the block\n")  # still written: the signal waited
    assert out.getvalue() == b"the block\n"
    assert (stop.value.signum, signals.cut) == (signal.SIGINT, False)


def test_a_second_signal_cuts_a_stalled_write() -> None:
    """A write that stalls: the first signal waits for it, the second cuts it, and the records
    that got out whole before the stall are counted."""
    signals = _Signals()
    output = _Output(StalledStream(signals=2, takes=10), signals, "out")  # type: ignore[arg-type]
    for text in ("one\n", "two\n", "three\n"):  # 10 bytes: two whole records and "th"
        output.add(text)
    with signals.installed(), pytest.raises(_Stop):
        output.flush()
    assert signals.cut
    assert output.written == 2


def test_after_a_signal_between_writes_one_more_cuts_the_stalled_final_write() -> None:
    """Stopped between writes, the run writes what it made; one more signal cuts that write."""
    signals = _Signals()
    stream = StalledStream(signals=1)
    output = _Output(stream, signals, "out")  # type: ignore[arg-type]
    output.add("one\n")
    with signals.installed():
        with pytest.raises(_Stop):
            signal.raise_signal(signal.SIGINT)  # between writes
        signals.stopping = True  # as run_batch marks it
        with pytest.raises(_Stop):  # the final flush, as run_batch makes it
            output.flush()
    assert (stream.tries, signals.cut) == (1, True)


def test_once_stopping_a_signal_outside_a_write_changes_nothing() -> None:
    """After the run has finished (or is closing its files), a signal is ignored."""
    signals = _Signals()
    signals.stopping = True
    with signals.installed():
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
    assert not signals.cut


# -- real processes: signals and pipes -------------------------------------------------------

ROW = C1.split(",", 1)[1]


def big_csv(path: Path, rows: int) -> Path:
    path.write_text(HEADER + "\n" + "".join(f"P{i},{ROW}\n" for i in range(rows)), "utf-8")
    return path


def spawn(*args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mesoguide", "batch", *args],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )


def wait_until_drained(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    """Wait until the process has read everything written to its stdin pipe and sleeps.

    batch installs its signal handlers before it reads its input, so a drained pipe means
    a signal now reaches them (a fixed sleep raced a slow start on a loaded machine).
    """
    import fcntl
    import termios

    assert process.stdin is not None
    waiting = bytearray(4)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fcntl.ioctl(process.stdin.fileno(), termios.FIONREAD, waiting)
        state = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if int.from_bytes(waiting, sys.byteorder) == 0 and state == "S":
            return
        time.sleep(0.01)
    raise AssertionError("batch never read its whole input")


def assert_whole_records(stdout: bytes, stderr: bytes, written: int) -> None:
    lines = stdout.decode("utf-8").split("\n")
    assert lines[-1] == ""  # the output ends with a whole line
    assert [json.loads(line)["row"] for line in lines[:-1]] == list(range(1, written + 1))
    assert b"Traceback" not in stderr


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_run_at_once_with_whole_records(
    tmp_path: Path, signum: int, code: int
) -> None:
    """SIGINT (130) or SIGTERM (143) mid-run: stops within 2 s, whole records, a count."""
    process = spawn(str(big_csv(tmp_path / "big.csv", 300_000)))
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()  # the first block is out: the run is under way
    process.send_signal(signum)
    sent = time.monotonic()
    rest = process.stdout.read()  # (communicate would skip what readline buffered)
    process.wait(timeout=10)
    assert time.monotonic() - sent < 2
    stderr = process.stderr.read()
    assert process.returncode == code
    text = stderr.decode()
    assert text.startswith("\nInterrupted: ") and text.endswith(" rows written.\n")
    written = int(text.split()[1].replace(",", ""))
    assert 0 < written < 300_000
    assert_whole_records(first + rest, stderr, written)


def test_ctrl_c_while_waiting_for_stdin_writes_what_was_made(tmp_path: Path) -> None:
    """Blocked on a quiet stdin, SIGINT still stops at once, writing every record made."""
    process = spawn("-", "--input-format", "csv", stdin=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(f"{HEADER}\n{C1}\n{C2}\n".encode())
    process.stdin.flush()
    wait_until_drained(process)  # batch has started, read both rows and waits for more
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=10)
    assert process.returncode == 130
    assert stderr.decode() == "\nInterrupted: 2 rows written.\n"
    assert_whole_records(stdout, stderr, 2)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`mesoguide batch big.csv | head -n 2` ends without a word on stderr, exit 0."""
    big = big_csv(tmp_path / "big.csv", 50_000)
    process = spawn(str(big))
    assert process.stdout is not None
    head = [process.stdout.readline() for _ in range(2)]
    process.stdout.close()  # the reader goes away
    process.wait(timeout=10)
    assert process.stderr is not None
    assert process.stderr.read() == b""
    assert process.returncode == 0
    assert [json.loads(line)["row"] for line in head] == [1, 2]


def batch_in_a_terminal(big: Path, out: Path) -> pexpect.spawn:
    """`mesoguide batch BIG -o OUT` with stderr on a real 80x24 pseudo-terminal."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "mesoguide", "batch", str(big), "-o", str(out)],
        env={**os.environ, "TERM": "xterm", "NO_COLOR": "1"},
        dimensions=(24, 80),
        timeout=30,
    )


def test_a_terminal_gets_a_progress_bar_then_the_summary(tmp_path: Path) -> None:
    """On a terminal, a progress bar while it runs, then a table of outcomes and the summary."""
    big = big_csv(tmp_path / "big.csv", 20_000)
    out = tmp_path / "out.jsonl"
    child = batch_in_a_terminal(big, out)
    child.expect("assessing")
    child.expect(r"rows.*share.*outcome")  # the table (its header in bold), then the summary
    child.expect(r"20,000\s+100%\s+candidate: You may be a candidate")
    child.expect("20,000 rows read: 0 refer, 0 not_indicated, 20,000 candidate, 0 rejected")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 20_000


def test_broken_quoting_mid_file_keeps_the_records_before_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A stray quote stops the run (exit 2, with its line) after writing the rows before it."""
    path = tmp_path / "broken.csv"
    path.write_text(f'{HEADER}\n{C1}\n{C2}\nC-9,"35,female\n', encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path)])
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["C-1", "C-2"]
    assert result.stderr == (
        f"error: {path}:4: the file ends inside a quoted cell (a quote that is never closed?)\n"
    )
    assert result.exit_code == 2


def test_ctrl_c_in_a_terminal_clears_the_bar_then_says_how_many(tmp_path: Path) -> None:
    """Ctrl-C on a terminal: the bar goes, one line gives the rows in the output, exit 130."""
    big = big_csv(tmp_path / "big.csv", 300_000)
    out = tmp_path / "out.jsonl"
    child = batch_in_a_terminal(big, out)
    child.expect("assessing")
    deadline = time.monotonic() + 20  # a loaded machine may show the bar before any record
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size == 0):
        time.sleep(0.05)
    child.sendintr()
    child.expect(r"\r\nInterrupted: ([\d,]+) rows written to ")
    written = int(child.match.group(1).decode().replace(",", ""))
    child.expect(pexpect.EOF)
    assert "assessing" not in child.before.decode()  # the message is the last thing shown
    child.close()
    assert child.exitstatus == 130
    assert written > 0
    assert_whole_records(out.read_bytes(), b"", written)


def test_output_dash_is_stdout(runner: CliRunner, three: Path) -> None:
    """`-o -` writes to stdout, like no `-o` at all."""
    result = runner.invoke(app, ["batch", str(three), "-o", "-"])
    assert result.stdout == THREE_JSONL


def test_a_lone_surrogate_is_written_as_a_json_escape(runner: CliRunner, tmp_path: Path) -> None:
    """A JSON escape that is no character (`\\ud800`) comes back out as that escape."""
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps({**BASE_ANSWERS, "id": "a\ud800b"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path)])
    assert '"id": "a\\ud800b"' in result.stdout
    assert json.loads(result.stdout)["id"] == "a\ud800b"
    assert result.exit_code == 0


# -- exports: options for reading them, safe CSV, the summary, the template -----------------


def test_a_semicolon_export_reads_like_a_comma_one(runner: CliRunner, tmp_path: Path) -> None:
    """The delimiter is read from the header; `--delimiter ';'` (or `tab`) says it outright."""
    path = tmp_path / "eu.csv"
    text = THREE.replace(",", ";")
    for cell in ("thighs;buttocks", "none;cancer"):
        text = text.replace(cell, f'"{cell}"')
    path.write_text(text, encoding="utf-8")
    assert runner.invoke(app, ["batch", str(path)]).stdout == THREE_JSONL
    assert runner.invoke(app, ["batch", str(path), "--delimiter", ";"]).stdout == THREE_JSONL
    tabs = tmp_path / "tabs.csv"
    tabs.write_text(THREE.replace(",", "\t"), encoding="utf-8")
    assert runner.invoke(app, ["batch", str(tabs), "--delimiter", "tab"]).stdout == THREE_JSONL


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--delimiter", ";;"],
            "--delimiter ';;': give one character such as ',' or ';', or 'tab'",
        ),
        (["--delimiter", '"'], "--delimiter '\"': give one character such as ',' or ';', or 'tab'"),
        (["--bom"], "--bom needs --format csv: a byte-order mark would break JSON lines"),
        (["--summary", "{dir}"], "cannot write {dir}: it is a folder"),
        (["--summary", "{dir}/no/s.json"], "cannot write {dir}/no/s.json: no folder {dir}/no"),
        (["--summary", "{three}"], "cannot write {three}: it is the input file"),
        (
            ["-o", "{dir}/r.jsonl", "--summary", "{dir}/r.jsonl"],
            "cannot write {dir}/r.jsonl: it is the output file",
        ),
        (["--id-column", "patient"], "{three}: --id-column 'patient' names no column"),
        (["--columns", "{dir}/none.yaml"], "--columns {dir}/none.yaml: no such column map"),
        (["--template", "csv"], "--template writes a template and reads no INPUT"),
    ],
)
def test_export_options_that_cannot_work_are_refused(
    runner: CliRunner, three: Path, args: list[str], message: str
) -> None:
    """A wrong reading or writing option: one line, nothing written, exit 2."""
    names = {"dir": str(three.parent), "three": str(three)}
    result = runner.invoke(app, ["batch", str(three), *(a.format(**names) for a in args)])
    assert result.stderr.startswith("error: " + message.format(**names))
    assert (result.stdout, result.exit_code) == ("", 2)


@pytest.mark.parametrize(
    "flag", [["--delimiter", ";"], ["--columns", "m.yaml"], ["--id-column", "x"]]
)
def test_csv_reading_options_are_refused_for_json_lines(
    runner: CliRunner, tmp_path: Path, flag: list[str]
) -> None:
    """JSON lines keys are question ids: delimiter, column map and id column are CSV's."""
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(BASE_ANSWERS) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), *flag])
    assert result.stderr == f"error: {flag[0]} is for CSV input: JSON lines keys are question ids\n"
    assert result.exit_code == 2


def test_ignore_column_silences_the_warning_for_csv_and_json_lines(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`--ignore-column` (repeatable, any case) names columns or keys meant to be there."""
    path = tmp_path / "extra.csv"
    path.write_text(f"{HEADER},colour,notes\n{C1},blue,\n", encoding="utf-8")
    args = ["--ignore-column", "Colour", "--ignore-column", "notes"]
    result = runner.invoke(app, ["batch", str(path), *args])
    assert result.stderr == "1 row read: 0 refer, 0 not_indicated, 1 candidate, 0 rejected\n"
    lines = tmp_path / "extra.jsonl"
    lines.write_text(json.dumps({**BASE_ANSWERS, "colour": "red"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(lines), "--ignore-column", "COLOUR"])
    assert result.stderr == "1 row read: 0 refer, 0 not_indicated, 1 candidate, 0 rejected\n"


def test_a_column_map_naming_absent_columns_is_warned_of(runner: CliRunner, three: Path) -> None:
    """A map shared by several exports may name columns one lacks: a warning, not a stop."""
    column_map = three.parent / "map.yaml"
    column_map.write_text("Gender: sex\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(three), "--columns", str(column_map)])
    assert result.stderr.startswith(
        f"warning: {column_map}: no column of the header is named 'Gender'\n3 rows read"
    )


def test_csv_output_guards_formulas_and_can_start_with_a_bom(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Cells starting with = + - @ tab or CR get a leading `'`; `--bom` puts U+FEFF first."""
    path = tmp_path / "ids.csv"
    ids = ["=1+2", "+1", "-1", "@A1", "\tx", "\rx", "ok", "a=b"]
    rows = "".join(f'"{i}",{C1.split(",", 1)[1]}\n' for i in ids)
    path.write_text(f"{HEADER}\n{rows}", encoding="utf-8")
    out = tmp_path / "out.csv"
    runner.invoke(app, ["batch", str(path), "-f", "csv", "--bom", "-o", str(out)])
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrow,id,")
    shown = [row["id"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))]
    assert shown == ["'=1+2", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "ok", "a=b"]


def test_a_rejected_rows_error_is_guarded_too(runner: CliRunner, tmp_path: Path) -> None:
    """An error that quotes a JSON key starting with `=` cannot run in a spreadsheet either."""
    path = tmp_path / "in.jsonl"
    path.write_text('{"=cmd": NaN}\n', encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "-f", "csv"])
    assert result.stdout.splitlines()[1] == "1,,,,,,,'=cmd: NaN is not a valid answer"


CONFLICT = "C-4,52,male,excess_fat,abdomen,overweight,,yes,months,12,regular,no,yes,no,no,no,none"


@pytest.mark.parametrize(
    ("lang", "error", "summary"),
    [
        (
            "en",
            "pregnant_or_breastfeeding: answered yes, but this screening question is asked only "
            "when sex is female, other or prefer_not_to_say; a yes to it is never ignored, so "
            "correct the other answers or this one",
            "2 rows read: 0 refer, 0 not_indicated, 1 candidate, 1 rejected\n  row 2 (id C-4): ",
        ),
        (
            "es",
            "pregnant_or_breastfeeding: respondió que sí, pero esta pregunta de salud solo se hace "
            "cuando sex es female, other o prefer_not_to_say; un sí a ella nunca se pasa por alto, "
            "así que corrija las otras respuestas o esta",
            "2 filas leídas: 0 refer, 0 not_indicated, 1 candidate, 1 rechazada\n"
            "  fila 2 (id C-4): ",
        ),
    ],
)
def test_a_screens_yes_where_it_is_not_asked_rejects_the_row_in_plain_words(
    runner: CliRunner, tmp_path: Path, lang: str, error: str, summary: str
) -> None:
    """A row saying "male" and yes to the pregnancy screen is rejected, its error saying when
    the screen is asked in the words of --lang; the other rows are assessed."""
    path = tmp_path / "conflict.csv"
    path.write_text("\n".join([HEADER, C1, CONFLICT]) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(path), "--lang", lang])
    assert result.stdout == (
        '{"row": 1, "id": "C-1", "candidacy": "candidate", "sessions": {"min": 10, "max": 15}, '
        f'"rules": {CANDIDATE_RULES}, "reasons": []}}\n'
        + json.dumps({"row": 2, "id": "C-4", "error": error}, ensure_ascii=False)
        + "\n"
    )
    assert result.stderr == f"{summary}{error}\n"
    assert result.exit_code == 1


def test_the_summary_file_holds_counts_reasons_and_rejections(
    runner: CliRunner, three: Path, tmp_path: Path
) -> None:
    """`--summary FILE`: rows, outcomes, rejections, referral reasons by frequency, as JSON."""
    target = tmp_path / "summary.json"
    result = runner.invoke(app, ["batch", str(three), "--summary", str(target)])
    assert result.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "rows": 3,
        "outcomes": {"not_indicated": 0, "refer": 1, "candidate": 1},
        "rejected": 1,
        "reasons": [{"text": PREGNANT, "rows": 1}],
        "first_rejected": [{"row": 3, "id": "C-3", "error": C3_ERROR}],
    }


def test_the_summary_table_shows_outcomes_and_common_reasons(pack: RulePack) -> None:
    """Rows and shares per outcome with its label, then the referral reasons, most first."""
    tally = Tally.for_pack(pack)
    for record in [
        {"row": 1, "candidacy": "candidate", "reasons": []},
        {"row": 2, "candidacy": "refer", "reasons": ["Pregnant."]},
        {"row": 3, "candidacy": "refer", "reasons": ["Under [bold]18[/].", "Pregnant."]},
        {"row": 4, "error": "age: required, but not answered"},
    ]:
        tally.add(record)
    console = Console(file=io.StringIO(), width=80)
    console.print(summary_table(tally, pack))
    assert [line.rstrip() for line in console.file.getvalue().splitlines()] == [  # type: ignore[attr-defined]
        "rows  share  outcome",
        "   2    50%  refer: See a clinician before any treatment decision",
        "   0     0%  not_indicated: This questionnaire does not cover your concerns -",
        "             ask a professional",
        "   1    25%  candidate: You may be a candidate - discuss it with a professional",
        "   1    25%  rejected",
        "",
        "rows  most frequent referral reasons",
        "   2  Pregnant.",
        "   1  Under [bold]18[/].",  # shown as written, not read as markup
    ]


def test_the_template_is_the_header_or_a_json_lines_example(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`--template csv` writes the header alone (`;`, BOM as asked), `jsonl` one example line."""
    ids = ["id", *(q.id for q in load_pack(default_pack_path()).questions)]
    result = runner.invoke(app, ["batch", "--template", "csv"])
    assert result.stdout == ",".join(ids) + "\n"
    target = tmp_path / "empty.csv"
    runner.invoke(
        app, ["batch", "--template", "csv", "-o", str(target), "--delimiter", ";", "--bom"]
    )
    assert target.read_bytes() == b"\xef\xbb\xbf" + ";".join(ids).encode() + b"\n"
    assert runner.invoke(app, ["batch", str(target)]).exit_code == 0
    example = tmp_path / "example.jsonl"
    runner.invoke(app, ["batch", "--template", "jsonl", "-o", str(example)])
    assert list(json.loads(example.read_text(encoding="utf-8"))) == ids
    assert runner.invoke(app, ["batch", str(example)]).exit_code == 0


def test_batch_without_input_says_what_it_needs(runner: CliRunner) -> None:
    """No INPUT and no --template: one line naming both, exit 2."""
    result = runner.invoke(app, ["batch"])
    assert result.stderr == (
        "error: batch needs INPUT: a .csv or .jsonl file, or - for stdin "
        "(or --template csv to start one)\n"
    )
    assert result.exit_code == 2
