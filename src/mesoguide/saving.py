"""`assess --save` and `batch --save`: the options, and turning reports into saved records."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide.errors import UsageError

if TYPE_CHECKING:
    from mesoguide.model import Report, RulePack
    from mesoguide.records import Record as Saved
    from mesoguide.store import SQLiteStore

SaveOption = Annotated[
    bool,
    typer.Option(
        "--save",
        help="Keep the assessment in the record store (see `mesoguide records`).",
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="The record store (default: $MESOGUIDE_DB, else records.sqlite3 in your data folder).",
        show_default=False,
    ),
]
OperatorOption = Annotated[
    str | None,
    typer.Option(
        "--operator",
        metavar="NAME",
        help="Who saves the record (default: your login name).",
        show_default=False,
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(
        "--subject",
        metavar="REF",
        help="A reference to the person assessed (a patient number; not a name).",
        show_default=False,
    ),
]
SupersedesOption = Annotated[
    str | None,
    typer.Option(
        "--supersedes",
        metavar="ID",
        help="The saved record this one corrects (the old record is kept).",
        show_default=False,
    ),
]


def needs_save(save: bool, **given: object) -> None:
    """Refuse record options given without --save (they would be silently ignored)."""
    if save:
        return
    named = [f"--{name}" for name, value in given.items() if value is not None]
    if named:
        raise UsageError(f"{', '.join(named)} only applies with --save")


def open_for_saving(db: Path | None) -> SQLiteStore:
    """The store, opened (and made, when missing) before any question is asked."""
    from mesoguide.store import open_store

    return open_store(db)


def pack_content(pack: RulePack) -> bytes:
    """The bytes the pack was loaded from, checked against its sha256."""
    try:
        raw = pack.path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {pack.path} again to save it: {error.strerror}") from None
    if hashlib.sha256(raw).hexdigest() != pack.sha256:
        raise UsageError(f"{pack.path} changed during the assessment: nothing was saved; run again")
    return raw


def save_report(
    store: SQLiteStore,
    pack: RulePack,
    report: Report,
    *,
    operator: str | None,
    subject: str | None,
    supersedes: str | None,
    source: str | None,
) -> Saved:
    """Save one assessment; the record's JSON report is exactly what --format json prints."""
    from mesoguide.records import login_name, new_record, split_report

    old = store.get(supersedes).id if supersedes is not None else None
    record = new_record(
        report,
        split_report(report),
        operator=operator or login_name(),
        subject=subject or None,
        source=source,
        supersedes=old,
    )
    store.save([record], pack_content(pack))
    return record


def saved_message(record: Saved, store: SQLiteStore) -> str:
    return f"Saved as record {record.id} in {store.path}."
