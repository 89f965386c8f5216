"""The report as plain data: the stable JSON schema (no rich, no I/O)."""

from __future__ import annotations

import json
from typing import Any

from mesoguide.model import Answer, Finding, Report

SCHEMA_VERSION = 1


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report in its documented JSON shape (docs/output.md)."""
    sessions = report.sessions
    return {
        "schema_version": SCHEMA_VERSION,
        "candidacy": report.candidacy,
        "outcome": {
            "id": report.outcome.id,
            "label": report.outcome.label,
            "summary": report.outcome.summary,
        },
        "sessions": None if sessions is None else {"min": sessions.min, "max": sessions.max},
        "timeline": None if sessions is None else sessions.timeline,
        "explanations": [_finding(f) for f in report.explanations],
        "referral_reasons": [_finding(f) for f in report.referrals],
        "clinic_checklist": [_finding(f) for f in report.clinic],
        "advice": [f.text for f in report.advice],
        "rules_fired": list(report.rules_fired),
        "answers": {key: answer_to_json(value) for key, value in report.answers.items()},
        "pack": {
            "id": report.pack.id,
            "version": report.pack.version,
            "sha256": report.pack.sha256,
        },
        "disclaimer": report.disclaimer,
    }


def answer_to_json(value: Answer) -> object:
    return list(value) if isinstance(value, tuple) else value


def render_json(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding) -> dict[str, Any]:
    return {"rule": finding.rule, "text": finding.text, "guidance": list(finding.guidance)}
