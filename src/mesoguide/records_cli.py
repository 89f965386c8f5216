"""`mesoguide records`: list, show, export and verify the saved assessments."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide.cliutil import (
    OutputOption,
    ReportFormat,
    reporting_errors,
    say,
    write_output,
    write_stdout,
)
from mesoguide.errors import ExitCode, UsageError
from mesoguide.saving import DbOption

if TYPE_CHECKING:
    from mesoguide.model import Report, RulePack
    from mesoguide.records import Record
    from mesoguide.store import Query, SQLiteStore

app = typer.Typer(
    name="records",
    help="List, show, export and verify the assessments saved with --save.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SCREEN = 20  # records a table on a terminal shows unless --limit says otherwise


class ListFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="TIME",
        help="Only records saved at or after TIME (UTC: 2026-11-30 or 2026-11-30T09:00).",
        show_default=False,
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="TIME",
        help="Only records saved before TIME (UTC; a date alone includes that whole day).",
        show_default=False,
    ),
]
OutcomeOption = Annotated[
    str | None,
    typer.Option("--outcome", metavar="ID", help="Only this outcome.", show_default=False),
]
SubjectFilter = Annotated[
    str | None,
    typer.Option("--subject", metavar="REF", help="Only this subject.", show_default=False),
]
PackFilter = Annotated[
    str | None,
    typer.Option(
        "--pack", metavar="ID[@VERSION]", help="Only records of this pack.", show_default=False
    ),
]
OperatorFilter = Annotated[
    str | None,
    typer.Option("--operator", metavar="NAME", help="Only this operator.", show_default=False),
]


def parse_time(text: str, option: str, *, end: bool = False) -> str:
    """A --since/--until value as records hold times (UTC, microseconds, Z)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r}: not a date or time; write 2026-11-30 or 2026-11-30T09:00"
        ) from None
    if end and len(text) == 10:  # a date alone: the whole day
        moment += timedelta(days=1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _query(
    since: str | None,
    until: str | None,
    outcome: str | None,
    subject: str | None,
    pack: str | None,
    operator: str | None,
    limit: int | None = None,
    newest_first: bool = True,
) -> Query:
    from mesoguide.store import Query

    return Query(
        since=None if since is None else parse_time(since, "--since"),
        until=None if until is None else parse_time(until, "--until", end=True),
        outcome=outcome,
        subject=subject,
        pack=pack,
        operator=operator,
        limit=limit,
        newest_first=newest_first,
    )


def _open(db: Path | None) -> SQLiteStore:
    from mesoguide.store import open_store

    return open_store(db, create=False)


@app.command("list")
def list_records(
    since: SinceOption = None,
    until: UntilOption = None,
    outcome: OutcomeOption = None,
    subject: SubjectFilter = None,
    pack: PackFilter = None,
    operator: OperatorFilter = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=0,
            help=f"Show at most this many (a table on a terminal: {SCREEN}; 0: all).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ListFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table (the default on a terminal) or jsonl (the default otherwise).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The saved records, newest first: a table on a terminal, JSON lines otherwise."""
    with reporting_errors():
        table = (
            output_format is ListFormat.table if output_format is not None else sys.stdout.isatty()
        )
        shown = (SCREEN if table else None) if limit is None else (limit or None)
        # one more than shown: to say that there are more
        query = _query(since, until, outcome, subject, pack, operator, _more(shown))
        with _open(db) as store:
            found = store.find(query)
            if table:
                _print_table(found, shown)
            else:
                for record in islice(found, shown):
                    write_stdout(json.dumps(record.summary(), ensure_ascii=False) + "\n")


def _more(shown: int | None) -> int | None:
    return None if shown is None else shown + 1


def _print_table(found: Iterator[Record], shown: int | None) -> None:
    from rich.console import Console
    from rich.table import Table

    records = list(islice(found, shown))
    more = next(found, None) is not None
    if not records:
        say("No records.")
        return
    columns = ["id", "saved (UTC)", "subject", "outcome", "pack", "operator"]
    corrects = any(record.supersedes for record in records)
    if corrects:  # a column only when a record shown corrects another
        columns.append("supersedes")
    table = Table(box=None, pad_edge=False, collapse_padding=True)
    for column in columns:
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for record in records:
        cells = [
            record.id[:8],
            record.created[:16].replace("T", " "),
            record.subject or "",
            record.outcome,
            f"{record.pack.id}@{record.pack.version}",
            record.operator,
        ]
        if corrects:
            cells.append((record.supersedes or "")[:8])
        table.add_row(*cells)
    Console(highlight=False).print(table)
    if more:
        say(f"(the newest {shown}; --limit N shows more, --limit 0 all)")


@app.command()
def show(
    record_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="A record id, or its first 8 characters.", show_default=False
        ),
    ] = None,
    subject: Annotated[
        str | None,
        typer.Option(
            "--subject",
            metavar="REF",
            help="The newest record of this subject.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="How to write the report.")
    ] = ReportFormat.text,
    output: OutputOption = None,
    db: DbOption = None,
) -> None:
    """A saved report, re-rendered from the record and its stored pack (JSON: as printed then)."""
    with reporting_errors():
        if (record_id is None) == (subject is None):
            raise UsageError("give a record ID or --subject REF (one of them)")
        with _open(db) as store:
            record = store.get(record_id) if record_id is not None else store.latest(subject or "")
            if output_format is ReportFormat.text and output is None and sys.stdout.isatty():
                from rich.console import Console

                from mesoguide.views import print_report

                pack, report = _rebuilt(store, record)
                print_report(report, pack, Console())
                return
            text = _rendered(store, record, output_format)
        if output is not None:
            write_output(output, text)
        else:
            write_stdout(text)


def _rendered(store: SQLiteStore, record: Record, output_format: ReportFormat) -> str:
    if output_format is ReportFormat.json:
        return record.report  # byte for byte what was printed
    from mesoguide.api import render

    pack, report = _rebuilt(store, record)
    return render(report, pack, output_format.value)  # type: ignore[arg-type]


def _rebuilt(store: SQLiteStore, record: Record) -> tuple[RulePack, Report]:
    from mesoguide.i18n import use
    from mesoguide.reassess import Unreadable, as_printed, rebuild, stored_pack
    from mesoguide.report import render_json
    from mesoguide.store import StoreError

    try:
        content = store.pack_content(record.pack.sha256)
        pack = as_printed(record, stored_pack(content, record.pack.sha256), content)
        use(pack.language)  # shown in the language it was printed in, the tool's words too
        report = rebuild(record, pack)
    except Unreadable as error:
        raise StoreError(
            f"record {record.id[:8]} cannot be re-rendered: {error.message}; "
            "`records verify` checks every record, `--format json` shows what was saved"
        ) from None
    if render_json(report) != record.report:
        raise StoreError(
            f"record {record.id[:8]} no longer matches a fresh assessment with its pack: "
            "`records verify` says why; `--format json` shows what was saved"
        )
    return pack, report


@app.command()
def export(
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="jsonl (with the reports) or csv.")
    ] = ExportFormat.jsonl,
    output: OutputOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    outcome: OutcomeOption = None,
    subject: SubjectFilter = None,
    pack: PackFilter = None,
    operator: OperatorFilter = None,
    db: DbOption = None,
) -> None:
    """Every saved record, oldest first, as `batch --detail full` writes them (or CSV)."""
    from mesoguide.exporting import export_lines

    with reporting_errors():
        query = _query(since, until, outcome, subject, pack, operator, newest_first=False)
        with _open(db) as store:
            lines = export_lines(store.find(query), output_format.value)
            if output is not None:
                write_output(output, "".join(lines))
            else:
                for line in lines:
                    write_stdout(line)


@app.command()
def verify(db: DbOption = None) -> None:
    """Assess every record again with its stored pack: tampering and drift exit 1."""
    from mesoguide.reassess import StoredPacks
    from mesoguide.reassess import verify as check
    from mesoguide.store import Query

    with reporting_errors():
        with _open(db) as store:
            packs = StoredPacks(store.packs())
            counts = {"ok": 0, "tampered": 0, "drift": 0}
            for record in store.find(Query(newest_first=False)):
                finding = check(record, packs)
                if finding is None:
                    counts["ok"] += 1
                    continue
                counts[finding.kind] += 1
                subject = f" (subject {record.subject})" if record.subject else ""
                write_stdout(f"{finding.kind}: record {record.id}{subject}: {finding.text}\n")
        total = sum(counts.values())
        write_stdout(
            f"{total:,} record{'s' if total != 1 else ''} verified: {counts['ok']:,} ok, "
            f"{counts['tampered']:,} tampered, {counts['drift']:,} drifted\n"
        )
    if counts["tampered"] or counts["drift"]:
        raise typer.Exit(int(ExitCode.INVALID_INPUT))
