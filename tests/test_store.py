"""The SQLite record store: append-only, owner-only files, versioned, and clear when it fails."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from mesoguide.engine import assess
from mesoguide.errors import ExitCode
from mesoguide.model import RulePack
from mesoguide.records import Record, new_record, split_report
from mesoguide.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Query,
    RecordMissing,
    SQLiteStore,
    StoreBusy,
    StoreError,
    default_path,
)


def make(pack: RulePack, answers: dict[str, object], **fields: str) -> Record:
    report = assess(pack, answers)
    operator = fields.pop("operator", "desk")
    return new_record(report, split_report(report), operator=operator, **fields)


def content(pack: RulePack) -> bytes:
    return (pack.path / "pack.yaml").read_bytes() if pack.path.is_dir() else pack.path.read_bytes()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "records.sqlite3"


def test_a_new_store_is_owner_only_whatever_the_umask(db: Path, pack: RulePack) -> None:
    """Creates the folder 0700 and the database, -wal and -shm 0600 under a 022 umask."""
    previous = os.umask(0o022)
    try:
        with SQLiteStore(db) as store:
            store.save([make(pack, {"age": 16, "sex": "female"} | base())], content(pack))
            assert mode(db.parent) == 0o700
            for suffix in ("", "-wal", "-shm"):
                assert mode(Path(f"{db}{suffix}")) == 0o600, suffix
    finally:
        os.umask(previous)


def base() -> dict[str, object]:
    from tests.conftest import BASE_ANSWERS

    return dict(BASE_ANSWERS)


def test_a_store_is_wal_strict_and_marked_as_ours(db: Path) -> None:
    """Uses WAL, STRICT tables, mesoguide's application id and records its schema version."""
    SQLiteStore(db).close()
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    tables = raw.execute("SELECT name, strict FROM pragma_table_list WHERE schema = 'main'")
    assert {name: strict for name, strict in tables if not name.startswith("sqlite_")} == {
        "records": 1,
        "packs": 1,
        "decisions": 1,
        "schema_version": 1,
        "drafts": 1,
        "reports": 0,  # a view
    }
    versions = raw.execute("SELECT version FROM schema_version").fetchall()
    assert [v for (v,) in versions] == list(range(1, SCHEMA_VERSION + 1))


def test_a_saved_record_comes_back_whole(db: Path, pack: RulePack) -> None:
    """Gives back every field and the report text exactly as printed, by id or id prefix."""
    record = make(pack, base(), subject="P-1", source="answers.yaml")
    with SQLiteStore(db) as store:
        store.save([record], content(pack))
        assert store.get(record.id) == record
        assert store.get(record.id[:8]) == record
        assert store.latest("P-1") == record
        assert store.pack_content(pack.sha256) == content(pack)
    report = sqlite3.connect(db).execute("SELECT report FROM reports").fetchone()[0]
    assert report == record.report


def test_pack_bytes_and_shared_report_parts_are_kept_once(db: Path, pack: RulePack) -> None:
    """Keeps one copy of a pack and of a decision's text however many records use them."""
    records = [make(pack, base(), subject=f"P-{i}") for i in range(5)]
    with SQLiteStore(db) as store:
        store.save(records[:2], content(pack))
        store.save(records[2:], content(pack))
        assert store.count() == 5
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT count(*) FROM packs").fetchone()[0] == 1
    assert raw.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE records SET outcome = 'candidate'",
        "DELETE FROM records",
        "DELETE FROM records WHERE subject = 'P-1'",
        "UPDATE packs SET content = x'00'",
        "DELETE FROM packs",
        "UPDATE decisions SET head = ''",
        "DELETE FROM decisions",
    ],
)
def test_records_cannot_be_changed_or_deleted(db: Path, pack: RulePack, statement: str) -> None:
    """Refuses UPDATE and DELETE on records, packs and report parts (triggers), changing nothing."""
    record = make(pack, base(), subject="P-1")
    with SQLiteStore(db) as store:
        store.save([record], content(pack))
    raw = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(statement)
    raw.rollback()
    with SQLiteStore(db) as store:
        assert store.get(record.id) == record


def test_a_correction_names_the_record_it_supersedes(db: Path, pack: RulePack) -> None:
    """Keeps both records, the new one naming the old; an unknown id cannot be superseded."""
    first = make(pack, base(), subject="P-1")
    fixed = make(pack, base() | {"age": 16}, subject="P-1", supersedes=first.id)
    with SQLiteStore(db) as store:
        store.save([first], content(pack))
        store.save([fixed], content(pack))
        assert store.latest("P-1") == fixed
        assert store.get(first.id) == first
        with pytest.raises(StoreError):
            store.save([make(pack, base(), supersedes="no-such-record")], content(pack))
        assert store.count() == 2


def test_a_failed_save_leaves_no_record(db: Path, pack: RulePack) -> None:
    """Saves a block all or nothing: one bad record keeps the whole block out."""
    good = make(pack, base())
    with SQLiteStore(db) as store:
        with pytest.raises(StoreError):
            store.save([good, make(pack, base(), supersedes="missing")], content(pack))
        assert store.count() == 0


def test_find_filters_and_orders_records(db: Path, pack: RulePack) -> None:
    """Filters by time, outcome, subject, pack and operator, newest first unless asked."""
    old = make(pack, base(), subject="P-1", operator="ann", created="2026-11-01T09:00:00.000000Z")
    young = make(pack, base() | {"age": 16}, subject="P-2", created="2026-11-20T09:00:00.000000Z")
    new = make(pack, base(), subject="P-1", operator="bob", created="2026-11-30T09:00:00.000000Z")
    with SQLiteStore(db) as store:
        store.save([old, young, new], content(pack))

        def ids(**query: object) -> list[str]:
            return [r.id for r in store.find(Query(**query))]  # type: ignore[arg-type]

        assert ids() == [new.id, young.id, old.id]
        assert ids(newest_first=False) == [old.id, young.id, new.id]
        assert ids(since="2026-11-20T09:00:00.000000Z") == [new.id, young.id]
        assert ids(until="2026-11-20T09:00:00.000000Z") == [old.id]
        assert ids(outcome="refer") == [young.id]
        assert ids(subject="P-1") == [new.id, old.id]
        assert ids(operator="ann") == [old.id]
        assert ids(pack="mesotherapy") == ids()
        assert ids(pack=f"mesotherapy@{pack.version}") == ids()
        assert ids(pack="mesotherapy@0") == []
        assert ids(limit=1) == [new.id]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("abc", "at least 4 characters"),
        ("ffffffff", "no record ffffffff"),
    ],
)
def test_an_unknown_record_id_is_a_clear_error(db: Path, given: str, message: str) -> None:
    """Says which id is missing, or that an id is too short to look up."""
    with SQLiteStore(db) as store, pytest.raises(RecordMissing, match=message):
        store.get(given)


def test_a_missing_store_is_made_only_when_saving(db: Path) -> None:
    """Says there is no store yet when reading one that does not exist."""
    with pytest.raises(StoreError, match="no record store here yet"):
        SQLiteStore(db, create=False)
    assert not db.exists()


def test_the_default_store_lives_in_the_data_folder_unless_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Uses $MESOGUIDE_DB, else records.sqlite3 in the user's data folder."""
    monkeypatch.delenv("MESOGUIDE_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "mesoguide" / "records.sqlite3"
    monkeypatch.setenv("MESOGUIDE_DB", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"


# -- versions --------------------------------------------------------------------------------
def store_at(path: Path, version: int) -> None:
    """A store as that schema version of mesoguide made it (the migrations never change)."""
    from mesoguide.store import _VERSION_TABLE, _statements

    path.parent.mkdir(parents=True, exist_ok=True)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute(_VERSION_TABLE)
    for number, script in enumerate(MIGRATIONS[:version], 1):
        for statement in _statements(script):
            raw.execute(statement)
        raw.execute("INSERT INTO schema_version VALUES (?, 'then', '0.1.0')", (number,))
    raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    raw.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_a_store_of_each_earlier_version_is_migrated_keeping_its_records(
    db: Path, pack: RulePack, version: int
) -> None:
    """Brings a store from each schema version to the current one; its records stay readable."""
    store_at(db, version)
    record = make(pack, base(), subject="P-1")
    raw = sqlite3.connect(db, isolation_level=None)
    raw.execute(
        "INSERT INTO packs VALUES (?, ?, ?, ?, 'then')",
        (pack.sha256, pack.id, pack.version, content(pack)),
    )
    raw.execute(
        "INSERT INTO decisions VALUES (?, ?, ?)",
        (record.parts.decision_key, record.parts.head, record.parts.tail),
    )
    raw.execute(
        "INSERT INTO records (id, created, operator, subject, source, supersedes, pack_id, "
        "pack_version, pack_sha256, tool_version, outcome, decision, answers) "
        "VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?)",
        (record.id, record.created, record.operator, record.subject, pack.id, pack.version,
         pack.sha256, record.tool_version, record.outcome, record.parts.decision_key,
         record.parts.answers),
    )  # fmt: skip
    raw.close()
    with SQLiteStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get(record.id) == record


def test_a_store_from_a_newer_mesoguide_is_refused(db: Path) -> None:
    """Says the store needs a newer mesoguide, and changes nothing in it."""
    store_at(db, SCHEMA_VERSION)
    raw = sqlite3.connect(db, isolation_level=None)
    raw.execute("INSERT INTO schema_version VALUES (?, 'later', '9.0')", (SCHEMA_VERSION + 1,))
    raw.close()
    with pytest.raises(StoreError, match=r"newer mesoguide .*upgrade") as raised:
        SQLiteStore(db)
    assert raised.value.exit_code is ExitCode.STORE


# -- faults ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,age\nP-1,42\n" * 100, "not a mesoguide record store .not an SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "not a mesoguide record store|damaged"),
    ],
)
def test_a_file_that_is_not_a_store_is_refused(db: Path, data: bytes, message: str) -> None:
    """Refuses a file that is not SQLite, or a damaged one, and leaves it as it was."""
    db.parent.mkdir()
    db.write_bytes(data)
    with pytest.raises(StoreError, match=message) as raised:
        SQLiteStore(db)
    assert raised.value.exit_code is ExitCode.STORE
    assert db.read_bytes() == data


def test_another_programs_database_is_refused(db: Path) -> None:
    """Refuses an SQLite database that mesoguide did not make, without changing it."""
    db.parent.mkdir()
    other = sqlite3.connect(db)
    other.execute("CREATE TABLE patients (name TEXT)")
    other.commit()
    other.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a mesoguide record store: pass --db"):
        SQLiteStore(db)
    assert db.read_bytes() == before


def test_a_damaged_store_is_named_as_damaged(db: Path, pack: RulePack) -> None:
    """Says the store is damaged and to restore a backup when its pages are garbage."""
    with SQLiteStore(db) as store:
        store.save([make(pack, base()) for _ in range(50)], content(pack))
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    data = bytearray(db.read_bytes())
    page = 4096
    data[page * 2 : page * 6] = b"\x07" * (page * 4)  # the pages after the schema
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged|not a mesoguide"), SQLiteStore(db) as store:
        list(store.find(Query()))


def test_a_store_locked_beyond_the_timeout_is_busy(db: Path, pack: RulePack) -> None:
    """Gives up after the timeout with a 'busy' error (exit 5), saving nothing."""
    SQLiteStore(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = r"busy: another program held it for more than 0\.2 s"
        with SQLiteStore(db, wait=0.2) as store, pytest.raises(StoreBusy, match=busy):
            store.save([make(pack, base())], content(pack))
    finally:
        holder.rollback()
        holder.close()
    with SQLiteStore(db) as store:
        assert store.count() == 0
    assert StoreBusy("x").exit_code is ExitCode.STORE_BUSY


def racing(monkeypatch: pytest.MonkeyPatch, hook: Callable[[str], None]) -> None:
    """Let ``hook`` see (and act on) each statement the store's connection is about to run."""
    connect = sqlite3.connect

    class Racing(sqlite3.Connection):
        def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
            hook(sql)
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", partial(connect, factory=Racing))


def test_a_new_store_waits_for_another_desk_switching_it_to_wal(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waits while another desk makes the same new store, instead of 'busy' at once (exit 5).

    SQLite does not call its busy handler when the switch to WAL finds another connection
    writing: two desks opening a new store at once gave one of them 'busy' within 10 ms.
    """
    db.parent.mkdir()
    db.touch(0o600)  # the first desk has just made the file
    other = sqlite3.connect(db, isolation_level=None)
    seen: list[str] = []

    def hook(sql: str) -> None:
        seen.append(sql)
        if sql == "PRAGMA journal_mode = WAL" and not other.in_transaction:
            other.execute("BEGIN IMMEDIATE")  # the other desk is switching it right now
        elif other.in_transaction:
            other.execute("ROLLBACK")  # ... and is done, having made it a WAL store
            other.execute("PRAGMA journal_mode = WAL")

    racing(monkeypatch, hook)
    with SQLiteStore(db, wait=60) as store:
        assert store.schema_version == SCHEMA_VERSION
    other.close()
    assert "PRAGMA journal_mode = WAL" in seen  # the race was run, not skipped


def test_a_new_store_made_by_another_desk_meanwhile_is_ours(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Judges whose file it is from one reading, not one before another desk's setup and one after.

    Reading the file's mark, then its tables, took a store another desk had just set up
    between the two for someone else's database (exit 4).
    """
    made: list[str] = []

    def hook(sql: str) -> None:
        if made and len(made) == 1:
            made.append("the other desk")
            SQLiteStore(db).close()  # the other desk sets it up between two statements
        if "application_id" in sql and not made:
            made.append(sql)

    racing(monkeypatch, hook)
    with SQLiteStore(db) as store:
        assert store.schema_version == SCHEMA_VERSION
    assert made[-1] == "the other desk"


def test_a_full_disk_is_reported_and_saves_nothing(
    db: Path, pack: RulePack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Says the disk is full (simulated by a page limit) and keeps none of the block."""
    with SQLiteStore(db) as store:
        store.save([make(pack, base())], content(pack))
    connect = SQLiteStore._connect

    def full(self: SQLiteStore) -> sqlite3.Connection:
        connection = connect(self)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")
        return connection

    monkeypatch.setattr(SQLiteStore, "_connect", full)
    with SQLiteStore(db) as store:
        many = [make(pack, base() | {"age": 20 + i % 50}) for i in range(300)]
        with pytest.raises(StoreError, match="the disk is full: nothing of this save was written"):
            store.save(many, content(pack))
        assert store.count() == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_store_without_permission_is_refused(db: Path) -> None:
    """Says the store cannot be written when its folder is not writable."""
    db.parent.mkdir()
    db.parent.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"permission denied|cannot open or write"):
            SQLiteStore(db)
    finally:
        db.parent.chmod(0o700)


def test_a_read_only_store_is_refused_when_saving(db: Path, pack: RulePack) -> None:
    """Says the store cannot be written when SQLite may only read it (as without permission)."""
    SQLiteStore(db).close()
    store = SQLiteStore(db)
    store._db.execute("PRAGMA query_only = ON")  # what a file without write permission gives
    with pytest.raises(StoreError, match="cannot open or write the record store"):
        store.save([make(pack, base())], content(pack))
    store.close()


def test_listing_newest_first_and_by_subject_uses_an_index(db: Path) -> None:
    """Plans the newest-first list and a subject's records on indexes, not a full scan."""
    SQLiteStore(db).close()
    raw = sqlite3.connect(db)
    from mesoguide.store import _SELECT

    for where, args in (("", ()), (" WHERE subject = ?", ("P-1",))):
        plan = raw.execute(
            f"EXPLAIN QUERY PLAN {_SELECT}{where} ORDER BY created DESC, seq DESC LIMIT 21", args
        ).fetchall()
        steps = " / ".join(step[-1] for step in plan)
        assert "USING INDEX" in steps and "TEMP B-TREE" not in steps, steps
