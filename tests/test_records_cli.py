"""`--save`, and `mesoguide records list|show|export|verify` over a real store."""
# ruff: noqa: E501 - tables of SQL statements and messages keep one case per row

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.loader import load_pack
from tests.conftest import BASE_ANSWERS, ROOT
from tests.test_batch_cli import THREE, THREE_JSONL, THREE_SUMMARY

runner = CliRunner()

SHA12 = load_pack().sha256[:12]  # the built-in pack, as messages name it


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "records.sqlite3"
    monkeypatch.setenv("MESOGUIDE_DB", str(path))
    return path


def answers_file(folder: Path, name: str = "answers.yaml", **changes: object) -> Path:
    file = folder / name
    file.write_text(yaml.safe_dump({**BASE_ANSWERS, **changes}), encoding="utf-8")
    return file


def mesoguide(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def saved_id(stderr: str) -> str:
    line = next(ln for ln in stderr.splitlines() if ln.startswith("Saved as record "))
    return line.split()[3]


# -- assess --save -----------------------------------------------------------------------------
def test_assess_save_prints_the_same_report_and_says_where_it_is(db: Path, tmp_path: Path) -> None:
    """Prints exactly what assess prints without --save, then names the record on stderr."""
    file = answers_file(tmp_path)
    plain = mesoguide("assess", "-a", str(file), "-f", "json")
    code, out, err = mesoguide(
        "assess", "-a", str(file), "-f", "json", "--save", "--subject", "P-1"
    )
    assert code == 0
    assert out == plain[1]
    assert err == f"Saved as record {saved_id(err)} in {db}.\n"


def test_assess_save_says_where_it_is_in_the_runs_language(db: Path, tmp_path: Path) -> None:
    """Under --lang es the line naming the record is Spanish; the record id is the same kind."""
    file = answers_file(tmp_path)
    code, _, err = mesoguide("assess", "-a", str(file), "-f", "json", "--save", "--lang", "es")
    assert code == 0
    record = err.removeprefix("Se guardó como el registro ").split()[0]
    assert err == f"Se guardó como el registro {record} en {db}.\n"
    assert mesoguide("records", "show", record, "-f", "json")[0] == 0


@pytest.mark.parametrize("form", ["json", "text", "markdown", "fhir"])
def test_records_show_gives_back_what_assess_printed(db: Path, tmp_path: Path, form: str) -> None:
    """Re-renders a saved record exactly as assess printed it; JSON byte for byte."""
    file = answers_file(tmp_path)
    _, printed, err = mesoguide("assess", "-a", str(file), "-f", form, "--save")
    record = saved_id(err)
    assert mesoguide("records", "show", record, "-f", form) == (0, printed, "")
    assert mesoguide("records", "show", record[:8], "-f", form) == (0, printed, "")


def test_without_save_nothing_is_made(db: Path, tmp_path: Path) -> None:
    """Leaves no store behind without --save, and refuses record options without it."""
    file = answers_file(tmp_path)
    assert mesoguide("assess", "-a", str(file))[0] == 0
    assert not db.exists() and not db.parent.exists()
    code, out, err = mesoguide("assess", "-a", str(file), "--subject", "P-1", "--operator", "x")
    assert (code, out) == (2, "")
    assert err == "error: --operator, --subject only applies with --save\n"
    assert not db.exists()


def test_a_correction_supersedes_the_record_it_names(db: Path, tmp_path: Path) -> None:
    """Saves a new record naming the old one; both stay, show --subject gives the newest."""
    first = saved_id(mesoguide("assess", "-a", str(answers_file(tmp_path)), "--save",
                               "--subject", "P-9")[2])  # fmt: skip
    young = answers_file(tmp_path, "young.yaml", age=16)
    code, _, err = mesoguide(
        "assess", "-a", str(young), "--save", "--subject", "P-9", "--supersedes", first[:8]
    )
    assert code == 0
    listed = [json.loads(line) for line in mesoguide("records", "list")[1].splitlines()]
    assert [r["supersedes"] for r in listed] == [first, None]
    assert (
        json.loads(mesoguide("records", "show", "--subject", "P-9", "-f", "json")[1])["candidacy"]
        == "refer"
    )
    code, _, err = mesoguide("assess", "-a", str(young), "--save", "--supersedes", "ffffffff")
    assert (code, err) == (2, f"error: no record ffffffff in {db}\n")


def test_a_broken_store_is_reported_before_any_question(db: Path) -> None:
    """Says the store cannot be used before the interview starts (no terminal needed to see it)."""
    db.parent.mkdir()
    db.write_text("not a database at all, just some text that is long enough" * 20)
    code, out, err = mesoguide("assess", "--save")
    assert (code, out) == (4, "")
    assert err == f"error: {db}: not a mesoguide record store (not an SQLite database)\n"


# -- batch --save ------------------------------------------------------------------------------
def test_batch_save_writes_the_same_records_and_saves_the_assessed_rows(
    db: Path, tmp_path: Path
) -> None:
    """Writes what batch writes without --save, saves each assessed row with its id as subject."""
    path = tmp_path / "intake.csv"
    path.write_text(THREE, encoding="utf-8")
    code, out, err = mesoguide("batch", str(path), "--save", "--operator", "desk2")
    assert (code, out) == (1, THREE_JSONL), err
    assert err == THREE_SUMMARY + f"Saved 2 records in {db}.\n"
    listed = [json.loads(line) for line in mesoguide("records", "list")[1].splitlines()]
    assert all(
        re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", r["created"]) for r in listed
    )
    assert sorted((r["subject"], r["outcome"], r["operator"], r["source"]) for r in listed) == [
        ("C-1", "candidate", "desk2", f"{path}:1"),
        ("C-2", "refer", "desk2", f"{path}:2"),
    ]


def test_export_is_batch_full_detail_with_the_record_named(db: Path, tmp_path: Path) -> None:
    """Exports the records batch --detail full writes (the report included) plus `record`."""
    path = tmp_path / "intake.csv"
    path.write_text(THREE, encoding="utf-8")
    full = [
        json.loads(line)
        for line in mesoguide("batch", str(path), "--detail", "full")[1].splitlines()
    ]
    mesoguide("batch", str(path), "--save")
    code, out, _ = mesoguide("records", "export")
    exported = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    for record in exported:
        assert record.pop("record")["subject"] == record["id"]
    assert [r["report"] for r in exported] == [r["report"] for r in full if "report" in r]
    assert [
        (r["id"], r["candidacy"], r["sessions"], r["rules"], r["reasons"]) for r in exported
    ] == [
        (r["id"], r["candidacy"], r["sessions"], r["rules"], r["reasons"])
        for r in full
        if "report" in r
    ]
    csv_lines = mesoguide("records", "export", "-f", "csv")[1].splitlines()
    assert csv_lines[0] == (
        "row,id,candidacy,sessions_min,sessions_max,rules,reasons,error,"
        "record,saved,operator,pack,pack_version,supersedes"
    )
    assert csv_lines[1].startswith("1,C-1,candidate,10,15,may_be_candidate;")


def test_batch_save_saves_the_same_reports_as_assess(db: Path, tmp_path: Path) -> None:
    """Saves, for each row, the JSON report assess --format json prints for the same answers."""
    people = [BASE_ANSWERS, {**BASE_ANSWERS, "age": 16}, {**BASE_ANSWERS, "areas": ["face"],
              "concerns": ["wrinkles"], "keloid_or_pigment_disorder": True}]  # fmt: skip
    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps({"id": i, **p}) + "\n" for i, p in enumerate(people)))
    code, _, err = mesoguide("batch", str(path), "--save")
    assert code == 0, err
    for number, person in enumerate(people):
        file = tmp_path / f"p{number}.json"
        file.write_text(json.dumps(person))
        printed = mesoguide("assess", "-a", str(file), "-f", "json")[1]
        assert mesoguide("records", "show", "--subject", str(number), "-f", "json")[1] == printed


# -- list --------------------------------------------------------------------------------------
def test_list_filters_records(db: Path, tmp_path: Path) -> None:
    """Filters JSON lines by outcome, subject, operator, pack and time, newest first."""
    for subject, age, operator in (("A", 35, "ann"), ("B", 16, "bob"), ("C", 40, "ann")):
        file = answers_file(tmp_path, f"{subject}.yaml", age=age)
        mesoguide("assess", "-a", str(file), "--save", "--subject", subject, "--operator", operator)

    def subjects(*args: str) -> list[str]:
        code, out, _ = mesoguide("records", "list", *args)
        assert code == 0
        return [json.loads(line)["subject"] for line in out.splitlines()]

    assert subjects() == ["C", "B", "A"]
    assert subjects("--outcome", "refer") == ["B"]
    assert subjects("--operator", "ann") == ["C", "A"]
    assert subjects("--subject", "A") == ["A"]
    assert subjects("--pack", "mesotherapy@2.0.0", "-n", "2") == ["C", "B"]
    assert subjects("--pack", "microneedling") == []
    assert subjects("--since", "2000-01-01", "--until", "2999-12-31") == ["C", "B", "A"]
    assert subjects("--until", "2000-01-01") == []


def test_list_shows_a_table_when_asked(db: Path, tmp_path: Path) -> None:
    """Prints a table with short ids and says when more records than shown exist."""
    for subject in ("A", "B"):
        mesoguide("assess", "-a", str(answers_file(tmp_path)), "--save", "--subject", subject)
    code, out, err = mesoguide("records", "list", "-f", "table", "-n", "1")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["id", "saved", "(UTC)", "subject", "outcome", "pack", "operator"]
    assert len(lines) == 2 and " B " in lines[1]
    assert err == "(the newest 1; --limit N shows more, --limit 0 all)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "--since", "last week"],
            "--since 'last week': not a date or time; write 2026-11-30 or 2026-11-30T09:00",
        ),
        (["show"], "give a record ID or --subject REF (one of them)"),
        (["show", "abc"], "'abc': give at least 4 characters of a record id"),
    ],
)
def test_record_commands_refuse_mistakes_clearly(
    db: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    """Says what is wrong in one line, exit 2, no traceback."""
    mesoguide("assess", "-a", str(answers_file(tmp_path)), "--save")
    code, out, err = mesoguide("records", *args)
    assert (code, out, err) == (2, "", f"error: {message}\n")


def test_reading_a_missing_store_says_there_is_none(db: Path) -> None:
    """Says there is no store yet (exit 4) and does not make one."""
    code, out, err = mesoguide("records", "list")
    assert (code, out) == (4, "")
    assert "no record store here yet" in err
    assert not db.exists()


# -- verify ------------------------------------------------------------------------------------
def saved_store(tmp_path: Path) -> list[str]:
    ids = []
    for age in (35, 16):
        err = mesoguide("assess", "-a", str(answers_file(tmp_path, age=age)), "--save")[2]
        ids.append(saved_id(err))
    return ids


def tamper(db: Path, statement: str, table: str, *args: object) -> None:
    """Change the store behind mesoguide's back: drop the guard, change, put it back."""
    raw = sqlite3.connect(db, isolation_level=None)
    sql = raw.execute(
        "SELECT sql FROM sqlite_schema WHERE name = ?", (f"{table}_no_update",)
    ).fetchone()[0]
    raw.execute(f"DROP TRIGGER {table}_no_update")
    raw.execute(statement, args)
    raw.execute(sql)
    raw.close()


def test_verify_passes_a_store_nobody_touched(db: Path, tmp_path: Path) -> None:
    """Assesses every record again and finds each one as saved: exit 0."""
    saved_store(tmp_path)
    assert mesoguide("records", "verify") == (
        0,
        "2 records verified: 2 ok, 0 tampered, 0 drifted\n",
        "",
    )


def test_verify_passes_a_record_with_an_answer_that_did_not_apply(db: Path, tmp_path: Path) -> None:
    """A cold-sores 'yes' given for the thighs alone is kept as given in the record, and verifies."""
    file = answers_file(tmp_path, areas=["thighs"], cold_sores=True)
    code, out, err = mesoguide("assess", "-a", str(file), "-f", "json", "--save")
    assert code == 0
    assert json.loads(out)["answers"]["cold_sores"]["given"] is True
    assert mesoguide("records", "show", saved_id(err), "-f", "json")[1] == out
    assert mesoguide("records", "verify") == (
        0,
        "1 record verified: 1 ok, 0 tampered, 0 drifted\n",
        "",
    )


@pytest.mark.parametrize(
    ("statement", "table", "finding"),
    [
        (
            "UPDATE decisions SET head = replace(head, 'may be a candidate', 'are a candidate')",
            "decisions",
            "its stored report text was changed: it does not match its sha256",
        ),
        (
            "UPDATE packs SET content = CAST(replace(CAST(content AS TEXT), 'min: 0', 'min: 1') AS BLOB)",
            "packs",
            f"its stored pack {SHA12} was changed: the bytes do not match",
        ),
        (
            "UPDATE records SET outcome = 'candidate' WHERE outcome = 'refer'",
            "records",
            "its report says 'refer', its record says 'candidate'",
        ),
        (
            "UPDATE records SET answers = replace(answers, '\"value\": 16', '\"value\": 61')",
            "records",
            "outcome refer then, candidate now, under the same pack and mesoguide 0.1.0",
        ),
    ],
)
def test_verify_catches_an_edited_store(
    db: Path, tmp_path: Path, statement: str, table: str, finding: str
) -> None:
    """Reports each record whose report, pack or answers were edited as tampered: exit 1."""
    saved_store(tmp_path)
    tamper(db, statement, table)
    code, out, _ = mesoguide("records", "verify")
    assert code == 1
    assert f": {finding}\n" in out
    assert out.startswith("tampered: record ")


def test_verify_tells_drift_from_tampering(db: Path, tmp_path: Path) -> None:
    """Calls a record made by another mesoguide version that now decides otherwise drift."""
    saved_store(tmp_path)
    tamper(db, "UPDATE records SET tool_version = '0.0.9', answers = replace(answers, "
           "'\"value\": 16', '\"value\": 61')", "records")  # fmt: skip
    code, out, _ = mesoguide("records", "verify")
    assert code == 1
    assert "drift: record " in out
    assert out.endswith(
        "outcome refer then, candidate now: mesoguide 0.0.9 then, 0.1.0 now\n"
        "2 records verified: 1 ok, 0 tampered, 1 drifted\n"
    )


def test_show_refuses_to_re_render_a_tampered_record(db: Path, tmp_path: Path) -> None:
    """Refuses text of a record that no longer matches its pack, pointing to verify (exit 4)."""
    ids = saved_store(tmp_path)
    tamper(
        db,
        "UPDATE packs SET content = CAST(replace(CAST(content AS TEXT), 'min: 0', 'min: 1') AS BLOB)",
        "packs",
    )
    code, out, err = mesoguide("records", "show", ids[0])
    assert (code, out) == (4, "")
    assert f"cannot be re-rendered: its stored pack {SHA12} was changed" in err


# -- faults through the CLI ----------------------------------------------------------------------
def test_a_busy_store_exits_5_and_saves_nothing(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waits MESOGUIDE_DB_TIMEOUT seconds for a lock, then says the store is busy (exit 5)."""
    saved_store(tmp_path)
    monkeypatch.setenv("MESOGUIDE_DB_TIMEOUT", "0.2")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, out, err = mesoguide("assess", "-a", str(answers_file(tmp_path)), "--save")
    finally:
        holder.rollback()
        holder.close()
    assert (code, out) == (5, "")
    assert err == (
        f"error: {db}: the record store is busy: another program held it for more than 0.2 s; "
        "nothing was saved; try again (or raise MESOGUIDE_DB_TIMEOUT)\n"
    )
    assert len(mesoguide("records", "list")[1].splitlines()) == 2


def test_a_newer_store_exits_4(db: Path, tmp_path: Path) -> None:
    """Says the store needs a newer mesoguide (exit 4), for saving and for reading."""
    saved_store(tmp_path)
    raw = sqlite3.connect(db, isolation_level=None)
    raw.execute("INSERT INTO schema_version VALUES (99, 'later', '9.0.0')")
    raw.close()
    for args in (["records", "list"], ["assess", "-a", str(answers_file(tmp_path)), "--save"]):
        code, out, err = mesoguide(*args)
        assert (code, out) == (4, "")
        assert "written by a newer mesoguide (record store schema 99" in err


def test_concurrent_batch_saves_lose_and_double_nothing(tmp_path: Path) -> None:
    """Two processes saving into one store at once: every record kept once."""
    db = tmp_path / "shared.sqlite3"
    rows = [{"id": f"{desk}-{n}", **BASE_ANSWERS, "age": 18 + n % 60} for desk in "AB"
            for n in range(3000)]  # fmt: skip
    inputs = []
    for desk in "AB":
        path = tmp_path / f"{desk}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows if r["id"][0] == desk))
        inputs.append(path)
    env = {**os.environ, "MESOGUIDE_DB": str(db), "MESOGUIDE_DB_TIMEOUT": "30"}
    desks = [
        subprocess.Popen(
            [sys.executable, "-m", "mesoguide", "batch", str(path), "--save", "-o", os.devnull],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in inputs
    ]
    for desk in desks:
        _, err = desk.communicate(timeout=120)
        assert desk.returncode == 0, err
        assert err.endswith(f"Saved 3,000 records in {db}.\n")
    raw = sqlite3.connect(db)
    subjects = [s for (s,) in raw.execute("SELECT subject FROM records")]
    assert len(subjects) == 6000
    assert sorted(subjects) == sorted(r["id"] for r in rows)
    assert raw.execute("SELECT count(DISTINCT id) FROM records").fetchone()[0] == 6000


def test_export_of_an_unreadable_report_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    """Names the record whose stored report is not JSON any more, exit 4, no traceback."""
    ids = saved_store(tmp_path)
    tamper(db, "UPDATE decisions SET head = 'garbage'", "decisions")
    code, _, err = mesoguide("records", "export")
    assert code == 4
    assert err == (
        f"error: record {ids[0]}: its stored report cannot be read (`records verify` says more)\n"
    )
