"""What changed between two versions of a rule pack, in words, and whose outcome it changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from mesoguide.conditions import describe
from mesoguide.errors import MesoguideError
from mesoguide.model import Choice, Question, Report, Rule, RulePack, Sessions, Statement

T = TypeVar("T")
RULE_FIELDS = (
    "outcome", "if_outcome", "sessions", "explanation", "referral", "advice", "clinic", "guidance",
)  # fmt: skip


def pack_changes(old: RulePack, new: RulePack) -> list[str]:
    """Every difference an author would read: one line each, grouped by part of the pack."""
    lines: list[str] = []
    for key in ("id", "version", "title", "treatment", "description", "disclaimer"):
        before, after = getattr(old, key), getattr(new, key)
        if before != after:
            lines.append(f"pack {key}: {_change(before, after)}")
    lines.extend(_by_id("guidance point", old.guidance.values(), new.guidance.values(),
                        _guidance_changes))  # fmt: skip
    lines.extend(_by_id("outcome", old.outcomes, new.outcomes, _outcome_changes))
    lines.extend(_order("outcomes (first listed wins)", old.outcomes, new.outcomes))
    lines.extend(_by_id("question", old.questions, new.questions, _question_changes))
    lines.extend(_order("questions", old.questions, new.questions))
    lines.extend(_by_id("rule", old.rules, new.rules, _rule_changes, _rule_summary))
    lines.extend(_order("rules", old.rules, new.rules))
    return lines


def _change(before: object, after: object) -> str:
    return f"{_shown(before)} -> {_shown(after)}"


def _shown(value: object) -> str:
    if value is None or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(map(_item, value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Sessions):
        timeline = f" ({value.timeline})" if value.timeline else ""
        return _shown(f"{value.min} to {value.max}{timeline}")
    text = str(value)
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")


def _item(value: object) -> str:
    if isinstance(value, Statement):  # an advice or clinic line, with its own guidance if any
        own = "" if value.guidance is None else f" [{', '.join(value.guidance)}]"
        return f"{value.text}{own}"
    return str(value)


def _by_id(
    what: str,
    old: Iterable[T],
    new: Iterable[T],
    changes: Callable[[T, T], list[str]],
    summary: Callable[[T], str] | None = None,
) -> Iterator[str]:
    before = {item.id: item for item in old}  # type: ignore[attr-defined]
    after = {item.id: item for item in new}  # type: ignore[attr-defined]
    for key in before:
        if key not in after:
            yield f"{what} {key}: removed"
    for key, item in after.items():
        if key not in before:
            extra = f" ({summary(item)})" if summary else ""
            yield f"{what} {key}: added{extra}"
        else:
            for line in changes(before[key], item):
                yield f"{what} {key}: {line}"


def _order(what: str, old: Sequence[T], new: Sequence[T]) -> Iterator[str]:
    kept = [item.id for item in old if item.id in {n.id for n in new}]  # type: ignore[attr-defined]
    now = [item.id for item in new if item.id in set(kept)]  # type: ignore[attr-defined]
    if kept != now:
        yield f"{what}: order {', '.join(kept)} -> {', '.join(now)}"


def _fields(old: object, new: object, names: Iterable[str]) -> list[str]:
    return [
        f"{name} {_change(getattr(old, name), getattr(new, name))}"
        for name in names
        if getattr(old, name) != getattr(new, name)
    ]


def _guidance_changes(old: object, new: object) -> list[str]:
    return _fields(old, new, ("text", "source"))


def _outcome_changes(old: object, new: object) -> list[str]:
    return _fields(old, new, ("label", "summary"))


def _question_changes(old: Question, new: Question) -> list[str]:
    lines = _fields(
        old,
        new,
        (
            "type",
            "label",
            "help",
            "min",
            "max",
            "step",
            "unit",
            "max_length",
            "required",
            "default",
        ),
    )
    if old.when != new.when:
        lines.append(f"asked when {describe(old.when)} -> {describe(new.when)}")
    lines.extend(_by_id_choices(old.choices, new.choices))
    return lines


def _by_id_choices(old: Sequence[Choice], new: Sequence[Choice]) -> Iterator[str]:
    before = {c.value: c for c in old}
    after = {c.value: c for c in new}
    for value in before:
        if value not in after:
            yield f"choice {value} removed"
    for value, choice in after.items():
        if value not in before:
            yield f"choice {value} added ({choice.label!r})"
        else:
            for line in _fields(before[value], choice, ("label", "exclusive", "other", "help")):
                yield f"choice {value} {line}"


def _rule_summary(rule: Rule) -> str:
    effect = f"outcome {rule.outcome}" if rule.outcome else "no outcome"
    return f"{effect} when {describe(rule.when)}"


def _rule_changes(old: Rule, new: Rule) -> list[str]:
    lines = []
    if old.when != new.when:
        lines.append(f"when {describe(old.when)} -> {describe(new.when)}")
    lines.extend(_fields(old, new, RULE_FIELDS))
    return lines


# -- replay ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Replayed:
    """One assessment replayed under the new pack, and what changed in it."""

    name: str  # "record 1a2b3c4d (subject P-1)" or "row 3 (id P-3)"
    changes: tuple[str, ...]
    outcome: bool
    sessions: bool
    reasons: bool


@dataclass
class Replay:
    """Counts over every assessment replayed, and those that change."""

    total: int = 0
    refused: int = 0  # answers the new pack refuses
    changed: list[Replayed] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)

    def add(self, name: str, before: Report, after: Report | MesoguideError) -> None:
        self.total += 1
        if isinstance(after, MesoguideError):
            self.refused += 1
            self.refusals.append(f"{name}: the new pack refuses its answers: {after.lines()[0]}")
            return
        outcome = before.candidacy != after.candidacy
        sessions = before.sessions != after.sessions
        reasons = [f.text for f in before.referral_reasons] != [
            f.text for f in after.referral_reasons
        ]
        if outcome or sessions or reasons:
            changes = []
            if outcome:
                changes.append(f"outcome {before.candidacy} -> {after.candidacy}")
            if sessions:
                changes.append(f"sessions {_sessions(before)} -> {_sessions(after)}")
            if reasons:
                changes.append("referral reasons " + _reasons(before, after))
            self.changed.append(Replayed(name, tuple(changes), outcome, sessions, reasons))

    def summary(self) -> list[str]:
        count = len(self.changed)
        noun = "assessment" if self.total == 1 else "assessments"
        lines = [
            f"Replayed {self.total:,} {noun}: {count:,} would change "
            f"(outcome {sum(c.outcome for c in self.changed):,}, "
            f"sessions {sum(c.sessions for c in self.changed):,}, "
            f"referral reasons {sum(c.reasons for c in self.changed):,}), "
            f"{self.total - count - self.refused:,} unchanged"
            + (f", {self.refused:,} refused by the new pack" if self.refused else "")
        ]
        lines.extend(f"  {c.name}: {'; '.join(c.changes)}" for c in self.changed)
        lines.extend(f"  {line}" for line in self.refusals)
        return lines


def _sessions(report: Report) -> str:
    sessions = report.sessions
    return "none" if sessions is None else f"{sessions.min}-{sessions.max}"


def _reasons(before: Report, after: Report) -> str:
    old = {f.rule for f in before.referral_reasons}
    new = {f.rule for f in after.referral_reasons}
    parts = [f"+{rule}" for rule in sorted(new - old)] + [f"-{rule}" for rule in sorted(old - new)]
    return " ".join(parts) if parts else "reworded"


def replay_answers(
    old: RulePack, new: RulePack, assessments: Iterable[tuple[str, Mapping[str, object]]]
) -> Replay:
    """Assess each named set of raw answers under both packs (a batch input's rows)."""
    from mesoguide.engine import assess

    replay = Replay()
    for name, raw in assessments:
        try:
            before = assess(old, raw)
        except MesoguideError:
            continue  # the old pack refused it too: nothing was decided to compare
        try:
            after: Report | MesoguideError = assess(new, raw)
        except MesoguideError as error:
            after = error
        replay.add(name, before, after)
    return replay
