"""The report as plain data: the stable JSON schema (no rich, no I/O)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from mesoguide.model import Answer, AnswerSet, Decision, Finding, Report, Sessions, State

SCHEMA_VERSION = 2
"""Bumped whenever a key or value of the JSON report changes; docs/output.md says what did."""


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report in its documented JSON shape (docs/output.md)."""
    decision = report.decision
    outcome = decision.outcome
    sessions = decision.sessions
    return {
        "schema_version": SCHEMA_VERSION,
        "candidacy": outcome.id,
        "outcome": {"id": outcome.id, "label": outcome.label, "summary": outcome.summary},
        "sessions": _sessions(sessions),
        "timeline": None if sessions is None else sessions.timeline,
        "explanations": [_finding(f) for f in decision.explanations],
        "referral_reasons": [_finding(f) for f in decision.referral_reasons],
        "clinic_checklist": [_finding(f) for f in decision.clinic],
        "advice": [_finding(f) for f in decision.advice],
        "rules_fired": list(decision.rules_fired),
        "answers": answers_to_dict(report.answers),
        "pack": {
            "id": report.pack.id,
            "version": report.pack.version,
            "sha256": report.pack.sha256,
        },
        "disclaimer": report.disclaimer,
    }


def brief(decision: Decision) -> dict[str, Any]:
    """The four fields of a brief batch record: a projection of the same decision."""
    sessions = decision.sessions
    return {
        "candidacy": decision.outcome.id,
        "sessions": None if sessions is None else {"min": sessions.min, "max": sessions.max},
        "rules": list(decision.rules_fired),
        "reasons": [finding.text for finding in decision.referral_reasons],
    }


def answers_to_dict(answers: AnswerSet) -> dict[str, dict[str, object]]:
    """Every question's state and, when answered, its value; a default is shown as such, and
    a question not asked says whether an answer was given for it (and dropped)."""
    values = answers.values
    dropped = answers.dropped
    shaped: dict[str, dict[str, object]] = {}
    for qid, state in answers.states.items():
        if state is State.answered:
            shaped[qid] = {"state": state.value, "value": answer_to_json(values[qid])}
        elif state is State.default:
            shaped[qid] = {
                "state": state.value,
                "value": None,
                "default": answer_to_json(values[qid]),
            }
        elif qid in dropped:
            shaped[qid] = {"state": state.value, "value": None, "given": True}
        else:
            shaped[qid] = {"state": state.value, "value": None}
    return shaped


def answer_to_json(value: Answer) -> object:
    if isinstance(value, Decimal):  # a JSON number: at most 15 digits, so exact as a float
        return float(value)
    return list(value) if isinstance(value, tuple) else value


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


def _sessions(sessions: Sessions | None) -> dict[str, Any] | None:
    """The sessions and the guidance points of the rule that gave them (it cites the timeline)."""
    if sessions is None:
        return None
    return {"min": sessions.min, "max": sessions.max, "guidance": list(sessions.guidance)}


def _finding(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "text": finding.text, "guidance": list(finding.guidance)}
