"""The rule-pack model: frozen, typed data and nothing else (no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

Answer: TypeAlias = int | bool | str | tuple[str, ...]
"""One coerced answer: integer, boolean, a choice value, or choice values in pack order."""

Answers: TypeAlias = Mapping[str, Answer]
"""Answers by question id; a question that was not asked is absent."""

Predicate: TypeAlias = Callable[[Answers], bool]

QuestionType = Literal["integer", "boolean", "choice", "multiple"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("integer", "boolean", "choice", "multiple")

Operator = Literal[
    "eq", "ne", "lt", "le", "gt", "ge", "in", "not_in",
    "contains", "contains_any", "contains_all", "answered",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Compare:
    """``{question, op, value}``: one test of one answer."""

    question: str
    op: Operator
    value: object = None


@dataclass(frozen=True, slots=True)
class AllOf:
    """``all: [...]``: every item holds (an empty list holds)."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """``any: [...]``: at least one item holds (an empty list does not)."""

    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """``not: ...``: the item does not hold."""

    item: Condition


Condition: TypeAlias = Compare | AllOf | AnyOf | Not


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    exclusive: bool = False
    help: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: QuestionType
    label: str
    help: str | None = None
    choices: tuple[Choice, ...] = ()
    min: int | None = None  # integer: smallest value; multiple: fewest choices
    max: int | None = None  # integer: largest value; multiple: most choices
    required: bool = True
    default: Answer | None = None
    when: Condition | None = None
    line: int | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True, slots=True)
class Sessions:
    min: int
    max: int
    timeline: str | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule (or, without ``when``, a standing statement) and what it contributes."""

    id: str
    when: Condition | None = None
    outcome: str | None = None
    if_outcome: tuple[str, ...] = ()  # contributes only for these outcomes; empty: any
    sessions: Sessions | None = None
    explanation: str | None = None
    referral: str | None = None
    advice: tuple[str, ...] = ()
    clinic: tuple[str, ...] = ()
    guidance: tuple[str, ...] = ()
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    label: str
    summary: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class GuidancePoint:
    id: str
    text: str
    source: str | None = None
    line: int | None = None


SessionsClaim = Literal["none", "given"]


@dataclass(frozen=True, slots=True)
class Invariant:
    """A promise about every report: whenever ``when`` holds, each stated claim holds."""

    id: str
    when: Condition | None = None
    outcome_in: tuple[str, ...] = ()  # the outcome is one of these; empty: not claimed
    contributes: tuple[str, ...] = ()  # each of these rules contributes
    not_contributes: tuple[str, ...] = ()  # none of these rules contributes
    sessions: SessionsClaim | None = None  # "none": no rule gives sessions; "given": one does
    exclusive: tuple[str, ...] = ()  # at most one of these rules contributes
    line: int | None = None


@dataclass(frozen=True, slots=True)
class PackRef:
    """What names a pack exactly in a saved result."""

    id: str
    version: str
    sha256: str


@dataclass(frozen=True, slots=True)
class RulePack:
    id: str
    version: str
    title: str
    treatment: str
    description: str
    disclaimer: str
    guidance: Mapping[str, GuidancePoint]
    outcomes: tuple[Outcome, ...]  # in precedence order: the first that fires wins
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    path: Path
    sha256: str
    invariants: tuple[Invariant, ...] = ()
    # Compiled once at load time; not part of the pack's identity.
    question_tests: Mapping[str, Predicate] = field(default_factory=dict, compare=False)
    rule_tests: Mapping[str, Predicate] = field(default_factory=dict, compare=False)

    @property
    def ref(self) -> PackRef:
        return PackRef(self.id, self.version, self.sha256)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def outcome(self, outcome_id: str) -> Outcome:
        for o in self.outcomes:
            if o.id == outcome_id:
                return o
        raise KeyError(outcome_id)


@dataclass(frozen=True, slots=True)
class Finding:
    """One sentence of a report and the rule and guidance points behind it."""

    rule: str
    text: str
    guidance: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Report:
    candidacy: str
    outcome: Outcome
    sessions: Sessions | None
    explanations: tuple[Finding, ...]
    referrals: tuple[Finding, ...]
    clinic: tuple[Finding, ...]
    advice: tuple[Finding, ...]
    rules_fired: tuple[str, ...]
    answers: Answers
    pack: PackRef
    disclaimer: str
