"""Saved records assessed again: re-rendering, verifying, and replaying under another pack."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mesoguide import __version__
from mesoguide.engine import assess
from mesoguide.errors import MesoguideError
from mesoguide.loader import load_pack_bytes
from mesoguide.model import AnswerSet, Report, RulePack, State
from mesoguide.records import Record, answers_from_json, answers_text, frame, head_text
from mesoguide.runner import from_mapping


class Unreadable(MesoguideError):
    """A stored record or pack that cannot be read back as it was saved."""


def stored_pack(content: bytes, sha256: str) -> RulePack:
    """A pack from its stored bytes; Unreadable when they do not hash to their sha256 any more."""
    if hashlib.sha256(content).hexdigest() != sha256:
        raise Unreadable(f"its stored pack {sha256[:12]} was changed: the bytes do not match")
    try:
        return load_pack_bytes(content, Path(f"stored pack {sha256[:12]}"))
    except MesoguideError as error:
        raise Unreadable(
            f"its stored pack {sha256[:12]} does not load: {error.lines()[0]}"
        ) from None


def stored_answers(record: Record) -> AnswerSet:
    """The answer set a record holds."""
    try:
        shaped = json.loads(record.parts.answers)
        return answers_from_json(shaped)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise Unreadable(f"its answers cannot be read ({error})") from None


def given(answers: AnswerSet) -> dict[str, object]:
    """The answers as a file would hold them: only those the person gave."""
    return {
        qid: list(value) if isinstance(value, tuple) else value
        for qid, value in answers.given().items()
    }


def rebuild(record: Record, pack: RulePack) -> Report:
    """The record's report, assessed again from its answers under ``pack``."""
    answers = stored_answers(record)
    try:
        walked = from_mapping(pack, given(answers))
    except MesoguideError as error:
        raise Unreadable(f"its answers are refused by the pack: {error.lines()[0]}") from None
    if pack.sha256 == record.pack.sha256 and (walked.values, walked.states) != (
        answers.values,
        answers.states,
    ):
        raise Unreadable("its answers are not what the questionnaire would have kept")
    # A record keeps that an answer was given to a question that did not apply, not its value:
    # it stays given while the question still does not apply.
    still = tuple(q for q in answers.dropped if walked.unanswered.get(q) is State.not_asked)
    return assess(pack, walked._replace(dropped=still) if still else walked)


@dataclass(frozen=True, slots=True)
class Finding:
    """What verify found wrong with one record."""

    record: Record
    kind: str  # "tampered" or "drift"
    text: str


class StoredPacks:
    """The packs of a store, each loaded (and its bytes checked) once, however many records
    name it."""

    def __init__(self, contents: Mapping[str, bytes]) -> None:
        self._contents = contents
        self._loaded: dict[str, RulePack | Unreadable] = {}
        self._tails: dict[str, str] = {}
        self._entries: dict[object, str] = {}

    def __contains__(self, sha256: str) -> bool:
        return sha256 in self._contents

    def get(self, sha256: str) -> RulePack:
        """The pack stored under ``sha256``; Unreadable when its bytes were changed."""
        loaded = self._loaded.get(sha256)
        if loaded is None:
            try:
                loaded = stored_pack(self._contents[sha256], sha256)
            except Unreadable as error:
                loaded = error
            self._loaded[sha256] = loaded
        if isinstance(loaded, Unreadable):
            raise Unreadable(loaded.message)
        return loaded

    def text(self, report: Report) -> str:
        """``render_json(report)``, written as batch --save writes it (the same text: a property
        test proves its parts equal), the tail taken once per pack."""
        tail = self._tails.get(report.pack.sha256)
        if tail is None:
            tail = self._tails[report.pack.sha256] = frame(report)[1]
        if len(self._entries) > 4096:
            self._entries.clear()
        return head_text(report.decision) + answers_text(report.answers, self._entries) + tail


def verify(record: Record, packs: StoredPacks) -> Finding | None:
    """Check one record against itself and a fresh assessment with its stored pack.

    ``packs`` holds the store's packs. Tampering: report parts or a pack
    that no longer match their sha256, a report that disagrees with the record's own fields,
    answers the questionnaire could not have kept, or a report that differs from a fresh
    assessment by the same mesoguide version. Drift: a report that differs from what this
    (other) version of mesoguide decides.
    """

    def tampered(text: str) -> Finding:
        return Finding(record, "tampered", text)

    if record.pack.sha256 not in packs:
        return tampered("its stored pack is missing")
    if record.stored_key is not None and record.stored_key != record.parts.decision_key:
        return tampered("its stored report text was changed: it does not match its sha256")
    try:
        shaped = json.loads(record.report)
    except ValueError:
        return tampered("its stored report is not JSON")
    problem = _disagreement(record, shaped)
    if problem:
        return tampered(problem)
    try:
        pack = packs.get(record.pack.sha256)
        fresh = packs.text(rebuild(record, pack))
    except Unreadable as error:
        return tampered(error.message)
    if fresh == record.report:
        return None
    now = json.loads(fresh)
    what = (
        f"outcome {shaped.get('candidacy')} then, {now['candidacy']} now"
        if now["candidacy"] != shaped.get("candidacy")
        else "the same outcome, but the report differs"
    )
    if record.tool_version == __version__:
        return tampered(f"{what}, under the same pack and mesoguide {__version__}")
    return Finding(
        record, "drift", f"{what}: mesoguide {record.tool_version} then, {__version__} now"
    )


def _disagreement(record: Record, shaped: Mapping[str, Any]) -> str:
    if not isinstance(shaped, dict):
        return "its stored report is not a JSON object"
    if shaped.get("candidacy") != record.outcome:
        return f"its report says {shaped.get('candidacy')!r}, its record says {record.outcome!r}"
    pack = shaped.get("pack")
    expected = {"id": record.pack.id, "version": record.pack.version, "sha256": record.pack.sha256}
    if pack != expected:
        return "its report names another pack than its record does"
    return ""
