"""The record store: assessments kept append-only, behind one small interface.

``Store`` is the interface the commands use; ``SQLiteStore`` is the one backend (a file, for
one front desk or one machine). A PostgreSQL backend for a clinic network would implement the
same protocol (docs/records.md says what that step needs). Nothing here prints.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from mesoguide import __version__
from mesoguide.errors import ExitCode, MesoguideError
from mesoguide.model import PackRef
from mesoguide.records import Parts, Record, now

ENV_DB = "MESOGUIDE_DB"
ENV_TIMEOUT = "MESOGUIDE_DB_TIMEOUT"
DEFAULT_TIMEOUT = 10.0  # seconds a save waits for another desk's save to finish
DB_NAME = "records.sqlite3"
APPLICATION_ID = 0x4D47_5244  # "MGRD" in the file header: this is a mesoguide record store


class StoreError(MesoguideError):
    """The record store cannot be used: missing, not ours, damaged, too new, full, forbidden."""

    exit_code = ExitCode.STORE


class StoreBusy(StoreError):
    """Another program held the store longer than the timeout."""

    exit_code = ExitCode.STORE_BUSY


class RecordMissing(StoreError):
    """No record has the id asked for."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True, slots=True)
class Query:
    """Which records `records list` and `export` want; None means any."""

    since: str | None = None  # UTC times as records hold them; since inclusive, until exclusive
    until: str | None = None
    outcome: str | None = None
    subject: str | None = None
    pack: str | None = None  # a pack id, or ID@VERSION
    operator: str | None = None
    limit: int | None = None
    newest_first: bool = True


DRAFT_DAYS = 7  # a draft not changed for this long is removed


@dataclass(frozen=True, slots=True)
class Draft:
    """An interview under way: the answers typed so far (None: left blank), by question id."""

    id: str
    created: str
    updated: str
    operator: str
    subject: str | None
    pack_id: str
    pack_sha256: str
    answers: dict[str, object]


class Store(Protocol):
    """What the commands need of a record store; every method is one transaction."""

    def save(self, records: Sequence[Record], pack_content: bytes) -> None:
        """Add records made with one pack (whose bytes are kept once): all of them, or none."""

    def get(self, record_id: str) -> Record:
        """The record with this id (or the one record whose id starts with it)."""

    def latest(self, subject: str) -> Record:
        """The newest record for a subject."""

    def find(self, query: Query) -> Iterator[Record]:
        """The records the query asks for, newest first unless it says otherwise."""

    def pack_content(self, sha256: str) -> bytes:
        """The bytes of a pack that decided saved records."""

    def put_draft(self, draft: Draft) -> None:
        """Keep a draft, replacing the one with its id."""

    def drafts(self, pack_id: str) -> list[Draft]:
        """The unexpired drafts of a pack, newest first."""

    def drop_draft(self, draft_id: str) -> None:
        """Remove a draft (its assessment was saved, or it was discarded)."""

    def close(self) -> None:
        """Let go of the store."""


# -- the SQLite backend ----------------------------------------------------------------------
# Each migration takes the store from the version before it to its own; a migration, once
# released, never changes (tests build every older version from this list).
MIGRATIONS: tuple[str, ...] = (
    # 1: records, the packs and report parts they share, append-only
    """
    CREATE TABLE packs (
        sha256 TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        version TEXT NOT NULL,
        content BLOB NOT NULL,
        saved TEXT NOT NULL
    ) STRICT;
    CREATE TABLE decisions (
        sha256 TEXT PRIMARY KEY,
        head TEXT NOT NULL,
        tail TEXT NOT NULL
    ) STRICT;
    CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        operator TEXT NOT NULL,
        subject TEXT,
        source TEXT,
        supersedes TEXT REFERENCES records(id),
        pack_id TEXT NOT NULL,
        pack_version TEXT NOT NULL,
        pack_sha256 TEXT NOT NULL REFERENCES packs(sha256),
        tool_version TEXT NOT NULL,
        outcome TEXT NOT NULL,
        decision TEXT NOT NULL REFERENCES decisions(sha256),
        answers TEXT NOT NULL
    ) STRICT;
    CREATE VIEW reports AS
        SELECT records.id AS id, decisions.head || records.answers || decisions.tail AS report
        FROM records JOIN decisions ON decisions.sha256 = records.decision;
    CREATE TRIGGER records_no_update BEFORE UPDATE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only: save a record that supersedes it'); END;
    CREATE TRIGGER records_no_delete BEFORE DELETE ON records
        BEGIN SELECT RAISE(ABORT, 'records are append-only: nothing is deleted'); END;
    CREATE TRIGGER packs_no_update BEFORE UPDATE ON packs
        BEGIN SELECT RAISE(ABORT, 'stored packs are append-only'); END;
    CREATE TRIGGER packs_no_delete BEFORE DELETE ON packs
        BEGIN SELECT RAISE(ABORT, 'stored packs are append-only'); END;
    CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
        BEGIN SELECT RAISE(ABORT, 'stored reports are append-only'); END;
    CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
        BEGIN SELECT RAISE(ABORT, 'stored reports are append-only'); END;
    """,
    # 2: indexes for `records list`: newest first, and one subject's records. Outcome, pack
    # and operator filters walk the time index (their values are common; an index each would
    # slow every save for little gain).
    """
    CREATE INDEX records_by_time ON records (created);
    CREATE INDEX records_by_subject ON records (subject, created);
    """,
    # 3: drafts of interviews under way (`assess --save`): changed after each answer, removed
    # once the assessment is saved, expired after DRAFT_DAYS. Not records: not append-only.
    """
    CREATE TABLE drafts (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        operator TEXT NOT NULL,
        subject TEXT,
        pack_id TEXT NOT NULL,
        pack_sha256 TEXT NOT NULL,
        answers TEXT NOT NULL
    ) STRICT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    applied TEXT NOT NULL,
    tool_version TEXT NOT NULL
) STRICT
"""

_COLUMNS = (
    "records.id, created, operator, subject, source, supersedes, pack_id, pack_version, "
    "pack_sha256, tool_version, outcome, head, answers, tail, decision"
)
_SELECT = f"SELECT {_COLUMNS} FROM records JOIN decisions ON decisions.sha256 = records.decision"


def default_path() -> Path:
    """``$MESOGUIDE_DB``, else records.sqlite3 in the user's data folder."""
    given = os.environ.get(ENV_DB)
    if given:
        return Path(given)
    # platformdirs: the data folder each system expects (~/.local/share on Linux, honouring
    # XDG_DATA_HOME; ~/Library/Application Support on macOS; %LOCALAPPDATA% on Windows).
    import platformdirs

    return platformdirs.user_data_path("mesoguide", appauthor=False) / DB_NAME


def timeout() -> float:
    """How long a save waits for the store (``$MESOGUIDE_DB_TIMEOUT`` seconds)."""
    given = os.environ.get(ENV_TIMEOUT, "")
    try:
        value = float(given) if given else DEFAULT_TIMEOUT
    except ValueError:
        raise StoreError(f"{ENV_TIMEOUT}={given!r} is not a number of seconds") from None
    return max(value, 0.0)


def open_store(path: Path | None = None, *, create: bool = True) -> SQLiteStore:
    """The store at ``path`` (default: ``default_path()``), created when missing if ``create``."""
    return SQLiteStore(default_path() if path is None else path, create=create)


class SQLiteStore:
    """Records in one SQLite file: WAL, STRICT tables, append-only triggers, owner-only files."""

    def __init__(self, path: Path, *, create: bool = True, wait: float | None = None) -> None:
        self.path = path.expanduser()
        self.timeout = timeout() if wait is None else wait
        with self._failures():
            self._prepare(create)
            self._db = self._connect()
        try:
            with self._failures():
                self._setup()
        except BaseException:
            self._db.close()
            raise

    # -- opening ---------------------------------------------------------------------------
    def _prepare(self, create: bool) -> None:
        """Make the folder (0700) and the empty file (0600) when missing."""
        path = self.path
        if path.exists():
            if path.is_dir():
                raise StoreError(f"{path}: is a folder, not a record store")
            return
        if not create:
            raise StoreError(
                f"{path}: no record store here yet (`assess --save` makes one; --db or "
                f"{ENV_DB} names another)"
            )
        _make_folders(path.parent)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another desk made it a moment ago
            return
        os.fchmod(fd, 0o600)  # whatever the umask says
        os.close(fd)

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: SQLite must never create the file itself (it would use the umask's mode)
        uri = f"file:{quote(str(self.path.absolute()))}?mode=rw"
        db = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        return db

    def _setup(self) -> None:
        db = self._db
        with _private_umask():
            self._identify()  # before changing anything in someone else's file
            self._use_wal()
            db.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at each checkpoint
            self._migrate()
        for suffix in ("-wal", "-shm"):
            _owner_only(Path(f"{self.path}{suffix}"))

    def _identify(self) -> None:
        # One statement, so one reading: another desk may set up a new store meanwhile, and
        # its mark read before that and its tables after would make it someone else's file.
        application, tables = self._db.execute(
            "SELECT (SELECT application_id FROM pragma_application_id), "
            "(SELECT count(*) FROM sqlite_schema)"
        ).fetchone()
        if application == APPLICATION_ID:
            return
        if application or tables:
            raise StoreError(
                f"{self.path}: an SQLite database, but not a mesoguide record store: "
                "pass --db with another file"
            )

    def _use_wal(self) -> None:
        """Make the store a WAL store, waiting (up to the timeout) for a desk doing the same."""
        # SQLite answers 'busy' at once, without waiting, when the switch finds another
        # connection writing (it holds a read lock then, and waiting with one could deadlock):
        # two desks opening a new store together meet here, so the wait is ours to do.
        db = self._db
        deadline = time.monotonic() + self.timeout
        pause = 0.001
        while db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            try:
                db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if not _busy(error) or time.monotonic() + pause > deadline:
                    raise
            time.sleep(pause)
            pause = min(2 * pause, 0.05)

    def _version(self) -> int:
        db = self._db
        known = db.execute("SELECT 1 FROM sqlite_schema WHERE name = 'schema_version'").fetchone()
        if known is None:
            return 0
        current = int(db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0)
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer mesoguide (record store schema {current}; "
                f"this mesoguide {__version__} knows up to {SCHEMA_VERSION}): upgrade "
                "mesoguide to use it"
            )
        return current

    def _migrate(self) -> None:
        """Bring the store to SCHEMA_VERSION; the write lock is taken only when that is needed."""
        if self._version() == SCHEMA_VERSION:
            return
        db = self._db
        with self._transaction():
            db.execute(_VERSION_TABLE)
            current = self._version()  # again: another desk may have migrated meanwhile
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _statements(MIGRATIONS[version - 1]):
                    db.execute(statement)
                db.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)", (version, now(), __version__)
                )
            if current < SCHEMA_VERSION:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    @property
    def schema_version(self) -> int:
        with self._failures():
            return int(self._db.execute("SELECT max(version) FROM schema_version").fetchone()[0])

    # -- the interface ---------------------------------------------------------------------
    def save(self, records: Sequence[Record], pack_content: bytes) -> None:
        if not records:
            return
        db = self._db
        pack = records[0].pack
        with self._failures(), self._transaction():
            db.execute(
                "INSERT OR IGNORE INTO packs VALUES (?, ?, ?, ?, ?)",
                (pack.sha256, pack.id, pack.version, pack_content, now()),
            )
            parts: dict[str, Parts] = {}
            for record in records:
                parts.setdefault(record.parts.decision_key, record.parts)
            db.executemany(
                "INSERT OR IGNORE INTO decisions VALUES (?, ?, ?)",
                ((key, p.head, p.tail) for key, p in parts.items()),
            )
            db.executemany(
                "INSERT INTO records (id, created, operator, subject, source, supersedes, "
                "pack_id, pack_version, pack_sha256, tool_version, outcome, decision, answers) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (_row(record) for record in records),
            )

    def get(self, record_id: str) -> Record:
        with self._failures():
            if len(record_id) < 4:
                raise RecordMissing(f"{record_id!r}: give at least 4 characters of a record id")
            found = self._db.execute(
                f"{_SELECT} WHERE records.id >= ? AND records.id < ? LIMIT 2",
                (record_id, record_id + "\U0010ffff"),
            ).fetchall()
        if not found:
            raise RecordMissing(f"no record {record_id} in {self.path}")
        if len(found) > 1:
            raise RecordMissing(f"more than one record id starts with {record_id}: give more of it")
        return _record(found[0])

    def latest(self, subject: str) -> Record:
        for record in self.find(Query(subject=subject, limit=1)):
            return record
        raise RecordMissing(f"no record for subject {subject} in {self.path}")

    def find(self, query: Query) -> Iterator[Record]:
        where, args = _where(query)
        order = "DESC" if query.newest_first else "ASC"
        sql = f"{_SELECT}{where} ORDER BY created {order}, seq {order}"
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        with self._failures():
            cursor = self._db.execute(sql, args)
        while True:
            with self._failures():
                rows = cursor.fetchmany(512)
            if not rows:
                return
            yield from map(_record, rows)

    def pack_content(self, sha256: str) -> bytes:
        with self._failures():
            row = self._db.execute("SELECT content FROM packs WHERE sha256 = ?", (sha256,))
            found = row.fetchone()
        if found is None:
            raise StoreError(f"{self.path}: the pack {sha256[:12]} of a record is missing")
        return bytes(found[0])

    def packs(self) -> dict[str, bytes]:
        """Every stored pack's bytes, by the sha256 it was stored under."""
        with self._failures():
            return {
                key: bytes(content)
                for key, content in self._db.execute("SELECT sha256, content FROM packs")
            }

    # -- drafts ------------------------------------------------------------------------------
    def put_draft(self, draft: Draft) -> None:
        """Keep a draft (replacing the one with its id)."""
        with self._failures(), self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (draft.id, draft.created, draft.updated, draft.operator, draft.subject,
                 draft.pack_id, draft.pack_sha256, json.dumps(draft.answers)),
            )  # fmt: skip

    def drafts(self, pack_id: str) -> list[Draft]:
        """The drafts of a pack, newest first; drafts older than DRAFT_DAYS are removed first."""
        expired = (datetime.now(UTC) - timedelta(days=DRAFT_DAYS)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._failures():
            with self._transaction():
                self._db.execute("DELETE FROM drafts WHERE updated < ?", (expired,))
            rows = self._db.execute(
                "SELECT * FROM drafts WHERE pack_id = ? ORDER BY updated DESC", (pack_id,)
            ).fetchall()
        return [_draft(row) for row in rows]

    def drop_draft(self, draft_id: str) -> None:
        with self._failures(), self._transaction():
            self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    def count(self) -> int:
        with self._failures():
            return int(self._db.execute("SELECT count(*) FROM records").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- failures --------------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock on upgrade
        try:
            yield
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise
        db.execute("COMMIT")

    @contextmanager
    def _failures(self) -> Iterator[None]:
        """Turn SQLite's and the system's errors into one clear StoreError."""
        try:
            yield
        except sqlite3.Error as error:
            raise _failure(error, self.path, self.timeout) from None
        except PermissionError:
            raise StoreError(
                f"{self.path}: permission denied: the record store and its folder must be "
                "readable and writable by this user"
            ) from None
        except OSError as error:
            raise StoreError(
                f"{self.path}: cannot open or make the record store: {error.strerror or error}"
            ) from None


def _busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _failure(error: sqlite3.Error, path: Path, wait: float) -> StoreError:
    if _busy(error):
        return StoreBusy(
            f"{path}: the record store is busy: another program held it for more than "
            f"{wait:g} s; nothing was saved; try again (or raise {ENV_TIMEOUT})"
        )
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    if code == sqlite3.SQLITE_FULL:
        return StoreError(
            f"{path}: the disk is full: nothing of this save was written; free some space "
            "and run it again"
        )
    if code == sqlite3.SQLITE_NOTADB:
        return StoreError(f"{path}: not a mesoguide record store (not an SQLite database)")
    if code == sqlite3.SQLITE_CORRUPT:
        return StoreError(
            f"{path}: the record store is damaged ({error}): restore it from a backup "
            "(docs/records.md)"
        )
    if code in (sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
        return StoreError(
            f"{path}: cannot open or write the record store ({error}): the file and its folder "
            "must be readable and writable by this user"
        )
    if code == sqlite3.SQLITE_CONSTRAINT and "append-only" in str(error):
        return StoreError(f"{path}: {error}")
    return StoreError(f"{path}: the record store failed: {error}")


def _statements(script: str) -> Iterable[str]:
    """The statements of a migration, one at a time (executescript would commit)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement.strip()
            statement = ""


def _where(query: Query) -> tuple[str, list[object]]:
    tests: list[str] = []
    args: list[object] = []
    for column, value in (
        ("outcome", query.outcome),
        ("subject", query.subject),
        ("operator", query.operator),
    ):
        if value is not None:
            tests.append(f"{column} = ?")
            args.append(value)
    if query.since is not None:
        tests.append("created >= ?")
        args.append(query.since)
    if query.until is not None:
        tests.append("created < ?")
        args.append(query.until)
    if query.pack is not None:
        pack_id, at, version = query.pack.partition("@")
        tests.append("pack_id = ?")
        args.append(pack_id)
        if at:
            tests.append("pack_version = ?")
            args.append(version)
    return (" WHERE " + " AND ".join(tests) if tests else ""), args


def _row(record: Record) -> tuple[object, ...]:
    return (
        record.id,
        record.created,
        record.operator,
        record.subject,
        record.source,
        record.supersedes,
        record.pack.id,
        record.pack.version,
        record.pack.sha256,
        record.tool_version,
        record.outcome,
        record.parts.decision_key,
        record.parts.answers,
    )


def _record(row: tuple[object, ...]) -> Record:
    (rid, created, operator, subject, source, supersedes, pack_id, version, sha, tool, outcome,
     head, answers, tail, key) = row  # fmt: skip
    return Record(
        id=str(rid),
        created=str(created),
        operator=str(operator),
        subject=None if subject is None else str(subject),
        source=None if source is None else str(source),
        supersedes=None if supersedes is None else str(supersedes),
        pack=PackRef(str(pack_id), str(version), str(sha)),
        tool_version=str(tool),
        outcome=str(outcome),
        parts=Parts(str(head), str(answers), str(tail)),
        stored_key=str(key),
    )


def _draft(row: tuple[object, ...]) -> Draft:
    did, created, updated, operator, subject, pack_id, sha, answers = row
    return Draft(
        id=str(did),
        created=str(created),
        updated=str(updated),
        operator=str(operator),
        subject=None if subject is None else str(subject),
        pack_id=str(pack_id),
        pack_sha256=str(sha),
        answers=json.loads(str(answers)),
    )


def _make_folders(folder: Path) -> None:
    """Create the missing folders owner-only (0700); leave existing ones as they are."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)  # mkdir's mode passes through the umask


def _owner_only(path: Path) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != 0o600:
        os.chmod(path, 0o600)


@contextmanager
def _private_umask() -> Iterator[None]:
    """SQLite creates -wal and -shm as it needs them: no group or other access, whatever the
    umask."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
