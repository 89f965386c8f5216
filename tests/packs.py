"""A small, sound pack as YAML text, for tests to break one piece at a time."""

from __future__ import annotations

from pathlib import Path

SMALL_PACK = """\
pack:
  id: small
  version: "1"
  title: Small
  treatment: testing
  disclaimer: Not advice.
guidance:
  P1: A point.
  P2: Another point.
outcomes:
  - {id: reject, label: Reject, summary: Rejected.}
  - {id: maybe, label: Maybe, summary: Maybe.}
questions:
  - {id: age, type: integer, label: Age, min: 0, max: 99}
  - id: wants
    type: multiple
    label: Wants?
    min: 1
    choices:
      - {value: a, label: A}
      - {value: b, label: B}
      - {value: none, label: None, exclusive: true}
  - id: detail
    type: choice
    label: Detail?
    when: {question: wants, op: contains, value: a}
    choices:
      - {value: x, label: X}
      - {value: y, label: Y}
rules:
  - id: too_young
    when: {question: age, op: lt, value: 18}
    outcome: reject
    referral: Too young.
    guidance: [P1]
  - id: fine
    when: {question: age, op: ge, value: 18}
    outcome: maybe
    explanation: Fine.
    guidance: [P2]
  - id: about_a
    when: {question: detail, value: x}
    if_outcome: [maybe]
    advice: [About a.]
    guidance: [P2]
"""


def write_pack(folder: Path, text: str = SMALL_PACK, name: str = "pack.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
