"""`rules diff --replay`: past assessments (saved records, or a batch input's rows) re-run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from mesoguide.diff import Replay, replay_answers
from mesoguide.model import RulePack


def replay_store(old: RulePack, new: RulePack, db: Path | None) -> Replay:
    """Every saved record of the old pack's id that no later record supersedes.

    Two passes over the store, so that memory stays flat however many records it holds: the
    first gathers which records are superseded, the second replays the others as it reads them.
    """
    from mesoguide.reassess import given, stored_answers
    from mesoguide.store import Query, open_store

    with open_store(db, create=False) as store:
        oldest_first = Query(pack=old.id, newest_first=False)
        superseded = {r.supersedes for r in store.find(oldest_first) if r.supersedes}

        def assessments() -> Iterator[tuple[str, Mapping[str, object]]]:
            for record in store.find(oldest_first):
                if record.id in superseded:
                    continue
                subject = f" (subject {record.subject})" if record.subject else ""
                yield f"record {record.id[:8]}{subject}", given(stored_answers(record))

        return replay_answers(old, new, assessments())


def replay_file(old: RulePack, new: RulePack, path: str) -> Replay:
    """Every row of a CSV or JSON-lines batch input (rows the old pack refuses are left out)."""
    from mesoguide.batch import CsvRows, JsonlRows
    from mesoguide.batch_cli import InputFormat, input_format_of, open_input

    kind = input_format_of(path, None)
    with open_input(path) as stream:
        if kind is InputFormat.jsonl:
            stream.reconfigure(newline="\n")
        reader = CsvRows if kind is InputFormat.csv else JsonlRows
        rows = reader(stream, old, path)

        def assessments() -> Iterator[tuple[str, Mapping[str, object]]]:
            for row in rows:
                if row.problem is None:
                    shown = f" (id {row.id})" if row.id is not None else ""
                    yield f"row {row.number}{shown}", row.answers

        return replay_answers(old, new, assessments())
