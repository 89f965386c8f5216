"""The rule-pack model: frozen, typed data and nothing else (no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Literal, NamedTuple, TypeAlias

Answer: TypeAlias = int | bool | str | Decimal | tuple[str, ...]
"""One coerced answer: integer, boolean, a choice value or a text, a decimal, or choice values
in pack order."""

Answers: TypeAlias = Mapping[str, Answer]
"""Values by question id, as conditions test them; a question with no value is absent."""

Predicate: TypeAlias = Callable[[Answers], bool]

QuestionType = Literal["integer", "decimal", "boolean", "choice", "multiple", "text"]
QUESTION_TYPES: tuple[QuestionType, ...] = (
    "integer", "decimal", "boolean", "choice", "multiple", "text",
)  # fmt: skip
TEXT_MAX_LENGTH = 500
"""A text answer's length limit (in characters) when its question gives no ``max_length``."""

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
    other: str | None = None
    """For "other, please specify": the label of the text question ``<question id>_other``
    that choosing it opens; None for any other choice."""
    labels: tuple[str, ...] = ()  # its label in each of the pack's languages: any names it


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: QuestionType
    label: str
    help: str | None = None
    choices: tuple[Choice, ...] = ()
    min: int | Decimal | None = None  # integer, decimal: smallest value; multiple: fewest choices
    max: int | Decimal | None = None  # integer, decimal: largest value; multiple: most choices
    required: bool = True
    default: Answer | None = None
    when: Condition | None = None
    line: int | None = None
    step: Decimal | None = None  # decimal: every answer is min (or 0) plus a whole number of steps
    unit: str | None = None  # decimal: shown after the number in prompts and reports
    max_length: int = TEXT_MAX_LENGTH  # text: the most characters an answer may have
    other_of: str | None = None  # a text question made for a choice's "other, please specify"
    screen: bool = False  # boolean: a "yes" given where it is not asked refuses the answers
    labels: tuple[str, ...] = ()  # its label in each of the pack's languages: any names a column

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


@dataclass(frozen=True, slots=True)
class Sessions:
    min: int
    max: int
    timeline: str | None = None
    # The guidance points of the rule that gives these sessions (the loader copies them), so a
    # report can cite its sessions text; not part of what the sessions are.
    guidance: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """One advice or clinic line of a rule, and the guidance points it mirrors.

    ``guidance`` is None when the line gives none of its own: it then mirrors its rule's.
    """

    text: str
    guidance: tuple[str, ...] | None = None


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
    advice: tuple[Statement, ...] = ()
    clinic: tuple[Statement, ...] = ()
    guidance: tuple[str, ...] = ()
    line: int | None = None

    def cites(self, statement: Statement) -> tuple[str, ...]:
        """The guidance points an advice or clinic line mirrors: its own, or else the rule's."""
        return self.guidance if statement.guidance is None else statement.guidance

    @property
    def cited(self) -> tuple[str, ...]:
        """Every guidance point the rule or one of its lines mirrors, each once, in order."""
        own = [*self.guidance]
        for statement in (*self.advice, *self.clinic):
            own += statement.guidance or ()
        return tuple(dict.fromkeys(own))


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


class Finding(NamedTuple):
    """One sentence of a report and the rule and guidance points behind it."""

    rule: str
    text: str
    guidance: tuple[str, ...]


class RuleParts(NamedTuple):
    """A rule's sentences as report findings: what it adds whenever it contributes."""

    explanations: tuple[Finding, ...]
    referral_reasons: tuple[Finding, ...]
    clinic: tuple[Finding, ...]
    advice: tuple[Finding, ...]


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


class Untranslated(NamedTuple):
    """A text of a pack that has no version in one of its declared languages."""

    language: str
    path: str  # its YAML path, such as questions[3].label
    line: int | None


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
    languages: tuple[str, ...] = ("en",)  # declared; the first is not always the default
    default_language: str = "en"
    language: str = "en"  # the one language its texts were read in
    untranslated: tuple[Untranslated, ...] = field(default=(), compare=False)
    # Compiled once at load time; not part of the pack's identity.
    question_tests: Mapping[str, Predicate] = field(default_factory=dict, compare=False)
    rule_tests: Mapping[str, Predicate] = field(default_factory=dict, compare=False)
    # What each rule adds to a report, made on first use by engine.gather (a cache).
    rule_parts: dict[str, RuleParts] = field(default_factory=dict, compare=False)

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


class State(StrEnum):
    """Where an answer came from: every question of a pack ends in exactly one state."""

    answered = "answered"  # the source gave a value
    default = "default"  # left blank; the pack's default applies
    not_asked = "not_asked"  # its `when` was false
    not_answered = "not_answered"  # optional, left blank, no default


class Response(NamedTuple):
    """One question's end state and the value the rules see (None when they see none)."""

    question: Question
    state: State
    value: Answer | None


class AnswerSet(NamedTuple):
    """The end state of every question of a pack, and the values its rules see."""

    values: Answers
    """Answered and default values by question id: what conditions and rules test."""
    unanswered: Mapping[str, State]
    """The state of every question that was not answered (default, not_asked, not_answered)."""
    order: Collection[str]
    """The pack's question ids, in pack order (any collection of them: the walk passes the
    pack's own mapping of compiled tests rather than build one per answer set)."""
    dropped: tuple[str, ...] = ()
    """Questions not asked for which the source offered a value anyway (it was dropped)."""

    @property
    def states(self) -> dict[str, State]:
        """Every question's state, by id, in pack order."""
        unanswered = self.unanswered
        return {qid: unanswered.get(qid, State.answered) for qid in self.order}

    def responses(self, pack: RulePack) -> Iterator[Response]:
        """Each question of the pack with its state and value, in pack order."""
        values, unanswered = self.values, self.unanswered
        for question in pack.questions:
            qid = question.id
            yield Response(question, unanswered.get(qid, State.answered), values.get(qid))

    def given(self) -> dict[str, Answer]:
        """Only the values the source gave (no defaults): what an answers file would hold."""
        unanswered = self.unanswered
        return {qid: value for qid, value in self.values.items() if qid not in unanswered}


@dataclass(frozen=True, slots=True)
class Decision:
    """What a pack's rules make of a set of answers; it depends only on which rules hold."""

    outcome: Outcome
    sessions: Sessions | None
    explanations: tuple[Finding, ...]
    referral_reasons: tuple[Finding, ...]
    clinic: tuple[Finding, ...]
    advice: tuple[Finding, ...]
    rules_fired: tuple[str, ...]
    """The rules that held and contributed, in pack order."""


@dataclass(frozen=True, slots=True)
class Report:
    """A decision, the answers it was made from, and the pack that made it."""

    decision: Decision
    answers: AnswerSet
    pack: PackRef
    disclaimer: str

    @property
    def candidacy(self) -> str:
        """The outcome's id (the JSON report's and batch records' ``candidacy``)."""
        return self.decision.outcome.id

    @property
    def outcome(self) -> Outcome:
        return self.decision.outcome

    @property
    def sessions(self) -> Sessions | None:
        return self.decision.sessions

    @property
    def explanations(self) -> tuple[Finding, ...]:
        return self.decision.explanations

    @property
    def referral_reasons(self) -> tuple[Finding, ...]:
        return self.decision.referral_reasons

    @property
    def clinic(self) -> tuple[Finding, ...]:
        return self.decision.clinic

    @property
    def advice(self) -> tuple[Finding, ...]:
        return self.decision.advice

    @property
    def rules_fired(self) -> tuple[str, ...]:
        return self.decision.rules_fired
