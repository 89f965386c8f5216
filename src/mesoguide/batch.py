"""Batch: stream many rows of raw answers through the same runner and engine as `assess`.

Rows in, records out, one at a time: no row is kept once its record is made, and the memos are
bounded, so memory stays flat however long the input is. The caller opens the streams; this
module only reads them and returns data.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, NamedTuple

from mesoguide.answers import JsonProblem, not_a_mapping, parse_json
from mesoguide.columns import (
    DELIMITER_NAMES,
    DELIMITERS,
    ID_COLUMN,
    ColumnMap,
    fold,
    match_header,
    matches,
    sniff,
    split,
)
from mesoguide.engine import Judge, assess, parts_of
from mesoguide.errors import AnswersError, PackError, UsageError
from mesoguide.i18n import N_, _, ngettext
from mesoguide.model import Answer, AnswerSet, RulePack
from mesoguide.report import brief, report_to_dict
from mesoguide.runner import MEMO_LIMIT, Memos, from_mapping

CSV_COLUMNS = (
    "row",
    "id",
    "candidacy",
    "sessions_min",
    "sessions_max",
    "rules",
    "reasons",
    "error",
)
MAX_LINE_CHARS = 1024 * 1024  # the limit of one `assess --answers` file
# Decisions kept by the outcome and the rules that contribute. The benchmark's 100,000 rows make
# 26,000 with pack 2.0, more than it is worth keeping: Briefs makes a missing one from pieces
# in a few microseconds. Real exports repeat far fewer combinations, and there it spares that.
DECISION_LIMIT = 4096

Record = dict[str, Any]
"""One output record: ``row``, ``id`` (when the input has ids), then the outcome or ``error``."""

_NOT_UTF8 = N_("{source}: not UTF-8 text; save the export as UTF-8 (in Excel: CSV UTF-8)")
_encode_json = json.JSONEncoder(ensure_ascii=False).encode
_encode_text: Callable[[str], str] = json.encoder.encode_basestring


class Row(NamedTuple):
    """One input row: its number, its raw answers, its id, or why it could not be read."""

    number: int
    answers: Mapping[str, object]
    has_id: bool = False
    id: object = None
    problem: str | None = None


class CsvRows:
    """Rows of a CSV export: a header naming questions (and maybe an id), then one row each.

    The delimiter (`,` `;` or tab) is sniffed from the header line unless given; each column is
    matched to a question by its id or label in any case, or by ``column_map`` (see
    ``mesoguide.columns``). ``row`` numbers count every line after the header, so a skipped
    blank row leaves a gap and row N is the spreadsheet's row N + 1.
    """

    def __init__(
        self,
        stream: Iterable[str],
        pack: RulePack,
        source: str,
        *,
        delimiter: str | None = None,
        column_map: ColumnMap | None = None,
        ignore: Collection[str] = (),
        id_column: str | None = None,
    ) -> None:
        self._source = source
        self._ended = 0  # the line the last row read ended on
        lines = iter(stream)
        try:
            line = next(lines, "")
        except UnicodeDecodeError:
            raise UsageError(_(_NOT_UTF8).format(source=source)) from None
        self._skipped = 0  # lines before the header
        hint = _SEP_LINE.fullmatch(line)
        if hint is not None:  # `sep=;`: Excel's line naming the delimiter, before the header
            self._skipped = 1
            line = next(lines, "")
            delimiter = delimiter or hint.group(1)
        sniffed = delimiter is None
        if delimiter is None:
            delimiter = sniff(line[:MAX_LINE_CHARS], pack, column_map)
        self.delimiter = delimiter
        # strict: a stray quote must not swallow rows
        head = [line] if line else []  # nothing at all reads as no header, not a blank one
        self._reader = csv.reader(chain(head, lines), delimiter=delimiter, strict=True)
        first = self._header()
        examples = ", ".join(q.id for q in pack.questions[:3])
        if first == []:  # a blank line: not the end of the file, which gives None
            raise UsageError(
                _(
                    "{where}: the first line is blank, but it must be the header: question ids "
                    "such as {examples}"
                ).format(where=f"{source}:{1 + self._skipped}", examples=examples)
            )
        names = [name.strip() for name in first or ()]
        self._ended = self._reader.line_num
        try:
            header = match_header(
                names, pack, column_map=column_map, ignore=ignore, id_column=id_column
            )
        except UsageError as error:
            other = [
                d
                for d in DELIMITERS
                if d != delimiter and matches(split(line, d), pack, column_map)
            ]
            if sniffed or not other or matches(names, pack, column_map):
                raise UsageError(f"{source}: {error.message}") from None
            shown = DELIMITER_NAMES.get(delimiter, repr(delimiter))
            raise UsageError(
                _(
                    "{source}: the header names no question when split at {given}, but does "
                    "when split at {other}: pass --delimiter {option}, or leave --delimiter out "
                    "to sniff it"
                ).format(
                    source=source,
                    given=_(shown),
                    other=_(DELIMITER_NAMES[other[0]]),
                    option=_option(other[0]),
                )
            ) from None
        self.columns = header.keys
        self.unknown = header.unknown
        self.notes = header.notes
        self._id_index = header.id_index

    def __iter__(self) -> Iterator[Row]:
        header, width = self.columns, len(self.columns)
        id_index = -1 if self._id_index is None else self._id_index
        has_id = id_index >= 0
        number = 0
        reader = self._reader
        try:
            for cells in reader:
                number += 1
                self._ended = reader.line_num  # the line the next row starts after
                if not any(cells):  # a blank line, or a spreadsheet's padding of empty cells
                    continue
                row_id = cells[id_index] or None if has_id and id_index < len(cells) else None
                if len(cells) > width and any(cells[width:]):
                    problem = _("the row has {cells} cells but the header has {width}").format(
                        cells=len(cells), width=width
                    )
                    yield Row(number, {}, has_id, row_id, problem)
                    continue
                yield Row(number, dict(zip(header, cells, strict=False)), has_id, row_id)
        except (csv.Error, UnicodeDecodeError) as error:
            raise self._unreadable(error) from None

    def _header(self) -> list[str] | None:
        try:
            return next(self._reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise self._unreadable(error) from None

    def _unreadable(self, error: Exception) -> UsageError:
        if isinstance(error, UnicodeDecodeError):
            return UsageError(_(_NOT_UTF8).format(source=self._source))
        # The line the row starts on: an unclosed quote is read on to the end of the file (or
        # past the field limit), far from the quote itself.
        start = self._ended + 1 + self._skipped
        message = str(error)
        if message.startswith("field larger than field limit"):
            limit = csv.field_size_limit()
            message = _(
                "a cell of more than {limit} characters (a quote that is never closed?)"
            ).format(limit=f"{limit:,}")
        elif message == "unexpected end of data":
            message = _("the file ends inside a quoted cell (a quote that is never closed?)")
        return UsageError(f"{self._source}:{start}: {message}")


class JsonlRows:
    """Rows of JSON lines: one answers object per line, the shape `assess --answers` reads.

    ``row`` is the line number; blank lines are skipped. Keys that name no question are
    gathered in ``unknown`` as they are met.
    """

    def __init__(
        self, stream: Iterable[str], pack: RulePack, source: str, *, ignore: Collection[str] = ()
    ) -> None:
        self._stream = stream
        self._source = source
        self._pack = pack
        self._known = frozenset(q.id for q in pack.questions) | {ID_COLUMN}
        self._ignored = {fold(name) for name in ignore}
        self._judged: set[str] = set()  # keys not known, already named or ignored
        self.unknown: list[str] = []

    def __iter__(self) -> Iterator[Row]:
        known, unknown = self._known, self.unknown
        lines = iter(self._stream)
        number = 0
        while True:
            try:
                line = next(lines, None)
            except UnicodeDecodeError:
                raise UsageError(_(_NOT_UTF8).format(source=self._source)) from None
            if line is None:
                return
            number += 1
            if not line or line.isspace():
                continue
            data, problem = _json_object(line)
            if data is None:
                yield Row(number, {}, problem=problem)
                continue
            if "resourceType" in data:  # FHIR NDJSON: a QuestionnaireResponse per line
                from mesoguide.fhir import row_of

                yield row_of(self._pack, number, data)
                continue
            if not known.issuperset(data):
                for key in data:
                    if key not in known and key not in self._judged:
                        self._judged.add(key)
                        if fold(key) not in self._ignored:
                            unknown.append(key)
            has_id = ID_COLUMN in data
            yield Row(number, data, has_id, data.get(ID_COLUMN))


_SEP_LINE = re.compile(r"sep=([^\r\n\"])\r?\n?", re.IGNORECASE)


def _option(delimiter: str) -> str:
    """A delimiter as a shell word for --delimiter."""
    return "tab" if delimiter == "\t" else f"'{delimiter}'"


def _json_object(line: str) -> tuple[dict[str, object] | None, str]:
    """The answers object on one line, or None and why not (the messages `assess` gives)."""
    if len(line) > MAX_LINE_CHARS:
        return None, _("the line is over {limit} characters").format(limit=f"{MAX_LINE_CHARS:,}")
    try:
        data = parse_json(line)
    except JsonProblem as problem:
        if problem.offset is not None:  # a syntax error: the line ends at its newline
            column = min(problem.offset, len(line.rstrip("\r\n"))) + 1
            return None, _("{problem} (column {column})").format(
                problem=problem.message, column=column
            )
        return None, f"{problem.key}: {problem.message}" if problem.key else problem.message
    if not isinstance(data, dict):
        return None, not_a_mapping(data)
    return data, ""


class Assessor:
    """Turns rows into records exactly as `assess --answers` would judge each one.

    A row's answers go through the runner (`from_mapping`) as in `assess`; in full, the record
    holds `assess`'s report; in brief, the engine's Judge and Briefs give `report.brief` of
    the same decision and its JSON text (a property test proves both equal to the engine's
    definition). Briefs are kept by the outcome and the rules that contribute. Records with
    the same decision share their values: treat records as read-only.
    """

    def __init__(self, pack: RulePack, full: bool = False, fhir: bool = False) -> None:
        self._pack = pack
        self._full = full
        self._fhir = fhir  # lines are QuestionnaireResponses (docs/fhir.md)
        self._memos: Memos = {}  # the cells the runner remembers
        self._judge = Judge(pack, MEMO_LIMIT)
        self._briefs = Briefs(pack)
        self._by_contribution: dict[tuple[str, int], tuple[Record, str]] = {}

    def record(self, row: Row) -> Record:
        """The record for one row: its outcome, or the reasons it was rejected."""
        return self.line(row)[0]

    def line(self, row: Row) -> tuple[Record, str]:
        """The record and its JSON line (with the newline), sparing the encoding of repeats."""
        record: Record = {"row": row.number}
        if row.has_id:
            record["id"] = row.id
        answers = self._resolve(row, record)
        if answers is None:
            return record, self._rejected(record)
        try:
            if self._full or self._fhir:
                report = assess(self._pack, answers)
                record.update(brief(report.decision))
                if self._fhir:
                    from mesoguide.fhir import response

                    named = str(row.id) if row.has_id else None
                    return record, _encode_json(response(report, self._pack, named)) + "\n"
                record["report"] = report_to_dict(report)
                return record, _encode_json(record) + "\n"
            made, tail = self._brief(answers.values)
        except PackError as error:  # a pack used --unchecked: this row falls into a gap
            record["error"] = "; ".join(problem.message for problem in error.problems)
            return record, self._rejected(record)
        record.update(made)
        # `{"row": 1, "id": "x"` + `, "candidacy": ...}`: the text json.dumps would give.
        head = f'{{"row": {row.number}'
        if row.has_id:
            row_id = row.id
            shown = _encode_text(row_id) if type(row_id) is str else _encode_json(row_id)
            head = f'{head}, "id": {shown}'
        return record, head + tail

    def _rejected(self, record: Record) -> str:
        if self._fhir:
            from mesoguide.fhir import outcome_line

            return _encode_json(outcome_line(record)) + "\n"
        return _encode_json(record) + "\n"

    def _resolve(self, row: Row, record: Record) -> AnswerSet | None:
        if row.problem is not None:
            record["error"] = row.problem
            return None
        try:
            return from_mapping(self._pack, row.answers, memos=self._memos)
        except AnswersError as error:
            record["error"] = "; ".join(map(str, error.problems))
            return None

    def _brief(self, values: Mapping[str, Answer]) -> tuple[Record, str]:
        # `engine.decide` through the pack's Judge (proved equal to it): many sets of rules
        # that hold differ only in rules that do not contribute, so the decision is kept by
        # the outcome and the rules that do.
        key = self._judge.judge(values)
        known = self._by_contribution.get(key)
        if known is None:
            known = self._briefs.make(*key)
            _remember(self._by_contribution, key, known, DECISION_LIMIT)
        return known


class _Piece(NamedTuple):
    """What a run of rules adds to a brief record, and its JSON text."""

    rules: tuple[str, ...]
    reasons: tuple[str, ...]
    sessions: tuple[dict[str, int], str] | None  # the first of these rules' sessions, shown
    rules_text: str
    reasons_text: str


class Briefs:
    """``report.brief`` of ``engine.gather``, and its JSON text, from a Judge's bit set.

    Exports make more distinct decisions than a memo can keep (26,000 in the benchmark's
    100,000 rows), so a decision is put together from pieces made once: each run of eight
    rules, with its ids and referral reasons already encoded by the same encoder. A property
    test proves the record is ``brief(gather(...))`` and the text is its encoding.
    """

    def __init__(self, pack: RulePack) -> None:
        self._pack = pack
        self._pieces: list[dict[int, _Piece]] = [{} for _ in range(0, len(pack.rules), 8)]

    def make(self, outcome: str, bits: int) -> tuple[Record, str]:
        """The brief record of the outcome and the rules that contribute, and its text tail."""
        rules: list[str] = []
        reasons: list[str] = []
        rules_texts: list[str] = []
        reasons_texts: list[str] = []
        sessions: tuple[dict[str, int], str] | None = None
        pieces = self._pieces
        chunk = 0
        while bits:
            run = bits & 255
            if run:
                piece = pieces[chunk].get(run) or self._piece(chunk, run)
                rules += piece.rules
                rules_texts.append(piece.rules_text)
                if piece.reasons:
                    reasons += piece.reasons
                    reasons_texts.append(piece.reasons_text)
                if sessions is None:
                    sessions = piece.sessions
            bits >>= 8
            chunk += 1
        shown, shown_text = sessions or (None, "null")
        record = {"candidacy": outcome, "sessions": shown, "rules": rules, "reasons": reasons}
        # ", " and the text json.dumps gives after its "{": see _encode_json.
        tail = (
            f', "candidacy": {_encode_text(outcome)}, "sessions": {shown_text}, '
            f'"rules": [{", ".join(rules_texts)}], "reasons": [{", ".join(reasons_texts)}]}}\n'
        )
        return record, tail

    def _piece(self, chunk: int, run: int) -> _Piece:
        pack = self._pack
        rules = [pack.rules[chunk * 8 + i] for i in range(8) if run >> i & 1]
        reasons = tuple(f.text for rule in rules for f in parts_of(pack, rule).referral_reasons)
        ids = tuple(rule.id for rule in rules)
        first = next((rule.sessions for rule in rules if rule.sessions is not None), None)
        shown = None if first is None else {"min": first.min, "max": first.max}
        piece = self._pieces[chunk][run] = _Piece(
            rules=ids,
            reasons=reasons,
            sessions=None if shown is None else (shown, _encode_json(shown)),
            rules_text=", ".join(map(_encode_text, ids)),
            reasons_text=", ".join(map(_encode_text, reasons)),
        )
        return piece


def _remember(memo: dict[Any, Any], key: object, value: object, limit: int = MEMO_LIMIT) -> None:
    """Keep a value, starting the memo over when it is full."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value


def csv_cells(record: Record) -> list[object]:
    """A record as the cells of ``CSV_COLUMNS`` (``rules`` and ``reasons`` ``;``-joined)."""
    sessions = record.get("sessions")
    row_id = record.get("id")
    return [
        record["row"],
        "" if row_id is None else row_id if isinstance(row_id, str) else _encode_json(row_id),
        record.get("candidacy", ""),
        "" if sessions is None else sessions["min"],
        "" if sessions is None else sessions["max"],
        ";".join(record.get("rules", ())),
        ";".join(record.get("reasons", ())),
        record.get("error", ""),
    ]


# What a spreadsheet runs as a formula when a cell starts with it (OWASP's list for CSV).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded_cells(record: Record) -> list[object]:
    """``csv_cells``, each text that a spreadsheet would run as a formula led by ``'``."""
    cells = csv_cells(record)
    for i in (1, 5, 6, 7):  # id, rules, reasons, error: the text cells
        cell = cells[i]
        if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
            cells[i] = "'" + cell
    return cells


@dataclass
class Tally:
    """What a run has made so far: rows, counts per outcome and referral reason, the first
    rejected rows."""

    outcomes: dict[str, int]
    rows: int = 0
    rejected: int = 0
    examples: list[Record] = field(default_factory=list)
    keep: int = 5
    reasons: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_pack(cls, pack: RulePack) -> Tally:
        return cls({outcome.id: 0 for outcome in pack.outcomes})

    def add(self, record: Record) -> None:
        self.rows += 1
        if "error" in record:
            self.rejected += 1
            if len(self.examples) < self.keep:
                self.examples.append(record)
        else:
            self.outcomes[record["candidacy"]] += 1
            reasons = record["reasons"]
            if reasons:
                counts = self.reasons
                for text in reasons:
                    counts[text] = counts.get(text, 0) + 1

    def common_reasons(self, most: int | None = None) -> list[tuple[str, int]]:
        """Referral reasons and how many rows gave each, most frequent first (then first met)."""
        ranked = sorted(self.reasons.items(), key=lambda item: -item[1])
        return ranked if most is None else ranked[:most]

    def to_dict(self) -> dict[str, object]:
        """The summary for scripts (`--summary FILE`)."""
        return {
            "rows": self.rows,
            "outcomes": dict(self.outcomes),
            "rejected": self.rejected,
            "reasons": [{"text": text, "rows": count} for text, count in self.common_reasons()],
            "first_rejected": [dict(record) for record in self.examples],
        }

    def summary(self) -> list[str]:
        """The end-of-run summary, as lines for stderr."""
        # Outcome ids stay as they are in every language, as in the records.
        counts = [f"{count:,} {outcome}" for outcome, count in self.outcomes.items()]
        rejected = self.rejected
        counts.append(
            ngettext("{count} rejected", "{count} rejected", rejected).format(count=f"{rejected:,}")
        )
        read = ngettext("{count} row read: {counts}", "{count} rows read: {counts}", self.rows)
        lines = [read.format(count=f"{self.rows:,}", counts=", ".join(counts))]
        for record in self.examples:
            shown = _("row {row}").format(row=record["row"])
            if record.get("id") is not None:
                shown += f" (id {record['id']})"
            lines.append(f"  {shown}: {record['error']}")
        more = rejected - len(self.examples)
        if more > 0:
            # "1 more rejected rows": the English as it has always been written
            lines.append(
                "  "
                + ngettext(
                    "... and {count} more rejected rows", "... and {count} more rejected rows", more
                ).format(count=f"{more:,}")
            )
        return lines
