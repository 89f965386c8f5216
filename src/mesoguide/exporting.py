"""Saved records as `batch --detail full` writes its records: JSON lines, or CSV rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from mesoguide.batch import CSV_COLUMNS, csv_cells
from mesoguide.records import Record
from mesoguide.store import StoreError

RECORD_COLUMNS = ("record", "saved", "operator", "pack", "pack_version", "supersedes")
"""CSV columns after batch's own: which saved record a row is."""

_encode = json.JSONEncoder(ensure_ascii=False).encode


def batch_record(record: Record, row: int) -> dict[str, Any]:
    """A saved record in the shape of a `batch --detail full` record, plus ``record``.

    ``row`` counts the records exported; ``id`` is the record's subject (batch's id column).
    """
    try:
        report = json.loads(record.report)
        planned = report["sessions"]  # batch's records give the sessions without guidance
        sessions = planned and {"min": planned["min"], "max": planned["max"]}
        rules = report["rules_fired"]
        reasons = [finding["text"] for finding in report["referral_reasons"]]
    except (ValueError, KeyError, TypeError):
        raise StoreError(
            f"record {record.id}: its stored report cannot be read (`records verify` says more)"
        ) from None
    return {
        "row": row,
        "id": record.subject,
        "candidacy": report["candidacy"],
        "sessions": sessions,
        "rules": rules,
        "reasons": reasons,
        "report": report,
        "record": record.summary(),
    }


def export_lines(records: Iterable[Record], format: str) -> Iterator[str]:
    """Each record as one line of JSON, or as a CSV row after a header."""
    if format == "jsonl":
        for row, record in enumerate(records, 1):
            yield _encode(batch_record(record, row)) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(cells: Iterable[object]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line((*CSV_COLUMNS, *RECORD_COLUMNS))
    for row, record in enumerate(records, 1):
        shaped = batch_record(record, row)
        yield line(
            (
                *csv_cells(shaped),
                record.id,
                record.created,
                record.operator,
                record.pack.id,
                record.pack.version,
                record.supersedes or "",
            )
        )
