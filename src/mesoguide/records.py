"""Records: what the store keeps of one assessment, made from a report (no I/O).

A record's JSON report is kept in three parts: the *head* (everything before the answers:
outcome, sessions, findings, rules), the *answers* object, and the *tail* (the pack and the
disclaimer). Head and tail are the same for every assessment that reached the same decision
under the same pack, so the store keeps them once (by their sha256); joined, the parts are the
report text exactly as `assess --format json` printed it.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from mesoguide import __version__
from mesoguide.model import Answer, AnswerSet, Decision, Finding, PackRef, Report, State
from mesoguide.report import SCHEMA_VERSION, render_json, report_to_dict

_encode = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class Parts:
    """A report's text, split around its answers object."""

    head: str
    answers: str
    tail: str
    key: str | None = field(default=None, compare=False)
    """``decision_key(head, tail)`` when the maker already knows it (batch shares it)."""

    @property
    def text(self) -> str:
        return self.head + self.answers + self.tail

    @property
    def decision_key(self) -> str:
        """The sha256 that names head and tail together in the store."""
        return self.key or decision_key(self.head, self.tail)


def decision_key(head: str, tail: str) -> str:
    # The length keeps ("ab", "c") and ("a", "bc") apart.
    return hashlib.sha256(f"{len(head)}:{head}{tail}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Record:
    """One saved assessment: who, when, which pack and tool, and the report's parts."""

    id: str
    created: str  # UTC, ISO 8601 with microseconds and a Z: sorts as text
    operator: str
    subject: str | None
    source: str | None
    supersedes: str | None
    pack: PackRef
    tool_version: str
    outcome: str
    parts: Parts
    stored_key: str | None = field(default=None, compare=False)
    """The name the store keeps the report's head and tail under (None: not stored yet)."""

    @property
    def report(self) -> str:
        """The JSON report exactly as it was printed (or would have been, with --format json)."""
        return self.parts.text

    def summary(self) -> dict[str, Any]:
        """The record without its report: the fields `records list` shows."""
        return {
            "id": self.id,
            "created": self.created,
            "operator": self.operator,
            "subject": self.subject,
            "outcome": self.outcome,
            "pack": {"id": self.pack.id, "version": self.pack.version, "sha256": self.pack.sha256},
            "tool_version": self.tool_version,
            "supersedes": self.supersedes,
            "source": self.source,
        }


def now() -> str:
    """The time now in UTC, as records hold it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def login_name() -> str:
    """Who is at the keyboard, as the system knows them (``--operator`` overrides it)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a container)
        return "unknown"


def new_record(
    report: Report,
    parts: Parts,
    *,
    operator: str,
    subject: str | None = None,
    source: str | None = None,
    supersedes: str | None = None,
    created: str | None = None,
) -> Record:
    """A new record (a fresh uuid, the time now) for a report split into ``parts``."""
    return Record(
        id=str(uuid.uuid4()),
        created=created or now(),
        operator=operator,
        subject=subject,
        source=source,
        supersedes=supersedes,
        pack=report.pack,
        tool_version=__version__,
        outcome=report.candidacy,
        parts=parts,
    )


def split_report(report: Report) -> Parts:
    """The report's JSON text (as ``render_json`` gives it) split around its answers."""
    text = render_json(report)
    head, tail = frame(report)
    answers = text[len(head) : len(text) - len(tail)]
    if head + answers + tail != text:  # cannot happen: render_json is one json.dumps
        raise AssertionError("the report does not split around its answers")
    return Parts(head, answers, tail)


def frame(report: Report) -> tuple[str, str]:
    """The report's text before and after its answers object."""
    shaped = report_to_dict(report)
    marker = f"\x00{uuid.uuid4().hex}\x00"  # no pack text can hold it
    shaped["answers"] = marker
    text = json.dumps(shaped, indent=2, ensure_ascii=False) + "\n"
    head, _, tail = text.partition(json.dumps(marker, ensure_ascii=False))
    return head, tail


def head_text(decision: Decision) -> str:
    """The report's text before its answers, as ``render_json`` prints it, for a decision.

    Written directly, as ``answers_text`` is (batch --save meets thousands of decisions); a
    property test proves it equal to ``frame``'s head on several packs.
    """
    outcome = decision.outcome
    sessions = decision.sessions
    if sessions is None:
        planned, timeline = "null", "null"
    else:
        planned = (
            f'{{\n    "min": {sessions.min},\n    "max": {sessions.max},\n    '
            f'"guidance": {_strings(sessions.guidance, 6)}\n  }}'
        )
        timeline = "null" if sessions.timeline is None else _text(sessions.timeline)
    return ",\n".join(
        (
            f'{{\n  "schema_version": {SCHEMA_VERSION}',
            f'  "candidacy": {_text(outcome.id)}',
            f'  "outcome": {{\n    "id": {_text(outcome.id)},\n    "label": '
            f'{_text(outcome.label)},\n    "summary": {_text(outcome.summary)}\n  }}',
            f'  "sessions": {planned}',
            f'  "timeline": {timeline}',
            f'  "explanations": {_findings(decision.explanations)}',
            f'  "referral_reasons": {_findings(decision.referral_reasons)}',
            f'  "clinic_checklist": {_findings(decision.clinic)}',
            f'  "advice": {_findings(decision.advice)}',
            f'  "rules_fired": {_strings(decision.rules_fired, 4)}',
            '  "answers": ',
        )
    )


def _findings(findings: Sequence[Finding]) -> str:
    if not findings:
        return "[]"
    shown = [
        f'    {{\n      "rule": {_text(f.rule)},\n      "text": {_text(f.text)},\n      '
        f'"guidance": {_strings(f.guidance, 8)}\n    }}'
        for f in findings
    ]
    return "[\n" + ",\n".join(shown) + "\n  ]"


def _strings(items: Sequence[str], indent: int) -> str:
    if not items:
        return "[]"
    inner = " " * indent
    return f"[\n{inner}" + f",\n{inner}".join(map(_text, items)) + f"\n{' ' * (indent - 2)}]"


def answers_text(answers: AnswerSet, memo: dict[object, str] | None = None) -> str:
    """The answers object as ``render_json`` prints it inside a report (indented one level).

    Written directly, since json.dumps with an indent runs in pure Python; a property test
    proves it equal to the report's own text on several packs. ``memo`` keeps each question's
    entry by its state and value, for a caller that writes many (batch): the caller bounds it.
    """
    values = answers.values
    dropped = answers.dropped
    entries = []
    for qid, state in answers.states.items():
        value = values.get(qid)
        # a question not asked is never in values: its "value" slot says if one was given
        if dropped and qid in dropped:
            value = True
        if memo is not None:
            known = memo.get((qid, state, type(value), value))
            if known is not None:
                entries.append(known)
                continue
        entry = _entry(qid, state, value)
        if memo is not None:
            memo[(qid, state, type(value), value)] = entry
        entries.append(entry)
    if not entries:
        return "{}"
    return "{\n" + ",\n".join(entries) + "\n  }"


def _entry(qid: str, state: State, value: Answer | None) -> str:
    if state is State.answered and value is not None:
        inner = f'"state": "answered",\n      "value": {_value(value)}'
    elif state is State.default and value is not None:
        inner = f'"state": "default",\n      "value": null,\n      "default": {_value(value)}'
    elif state is State.not_asked and value is True:  # an answer was given, and dropped
        inner = '"state": "not_asked",\n      "value": null,\n      "given": true'
    else:
        inner = f'"state": "{state.value}",\n      "value": null'
    return f"    {_text(qid)}: {{\n      {inner}\n    }}"


_text = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes for a str


def _value(value: Answer) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is str:
        return _text(value)
    if type(value) is Decimal:
        return float.__repr__(float(value))  # as json.dumps writes answer_to_json's float
    if not value:
        return "[]"
    return "[\n        " + ",\n        ".join(map(_text, value)) + "\n      ]"  # type: ignore[arg-type]


def answers_from_json(shaped: Mapping[str, Any]) -> AnswerSet:
    """The answer set a report's ``answers`` object describes (lists become tuples)."""
    values: dict[str, Answer] = {}
    unanswered: dict[str, State] = {}
    dropped: list[str] = []
    for qid, entry in shaped.items():
        state = State(entry["state"])
        if state is State.not_asked and entry.get("given") is True:
            dropped.append(qid)
        if state is not State.answered:
            unanswered[qid] = state
        raw = entry.get("value") if state is State.answered else entry.get("default")
        if state in (State.answered, State.default):
            # a float is a decimal answer: read as the digits written, as coerce reads it
            values[qid] = (
                tuple(raw)
                if isinstance(raw, list)
                else Decimal(repr(raw))
                if isinstance(raw, float)
                else raw
            )
    return AnswerSet(values, unanswered, tuple(shaped), tuple(dropped))
