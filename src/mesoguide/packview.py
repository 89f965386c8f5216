"""A rule pack laid out for its author: questions, rules, and guidance coverage (pure)."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

from mesoguide.conditions import condition_to_data, describe
from mesoguide.model import Invariant, Question, Rule, RulePack, Statement

WIDTH = 88


def coverage(pack: RulePack) -> dict[str, list[str]]:
    """Each guidance point and the rules that mirror it, in the pack's order."""
    return {
        point: [rule.id for rule in pack.rules if point in rule.cited] for point in pack.guidance
    }


def pack_to_dict(pack: RulePack) -> dict[str, Any]:
    """The pack as plain data (what ``rules show --format json`` prints)."""
    return {
        "pack": {
            "id": pack.id,
            "version": pack.version,
            "title": pack.title,
            "treatment": pack.treatment,
            "path": str(pack.path),
            "sha256": pack.sha256,
        },
        "outcomes": [{"id": o.id, "label": o.label} for o in pack.outcomes],
        "questions": [_question(q) for q in pack.questions],
        "rules": [_rule(r) for r in pack.rules],
        "invariants": [_invariant(i) for i in pack.invariants],
        "coverage": coverage(pack),
    }


def _question(question: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"id": question.id, "type": question.type, "label": question.label}
    if question.choices:
        data["choices"] = list(question.choice_values)
        others = [c.value for c in question.choices if c.other]
        if others:
            data["other"] = others[0]
    if question.min is not None:
        data["min"] = _number(question.min)
    if question.max is not None:
        data["max"] = _number(question.max)
    if question.step is not None:
        data["step"] = _number(question.step)
    if question.unit is not None:
        data["unit"] = question.unit
    if question.type == "text":
        data["max_length"] = question.max_length
    if question.other_of is not None:
        data["other_of"] = question.other_of
    data["required"] = question.required
    data["when"] = None if question.when is None else condition_to_data(question.when)
    return data


def _number(value: int | Decimal) -> int | float:
    """A number as JSON writes it: a decimal of at most 15 digits is exact as a float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rule(rule: Rule) -> dict[str, Any]:
    effects: dict[str, Any] = {}
    if rule.outcome:
        effects["outcome"] = rule.outcome
    if rule.sessions:
        effects["sessions"] = {"min": rule.sessions.min, "max": rule.sessions.max}
    for key in ("explanation", "referral"):
        if getattr(rule, key):
            effects[key] = getattr(rule, key)
    for key in ("advice", "clinic"):
        if getattr(rule, key):
            effects[key] = [_statement(s) for s in getattr(rule, key)]
    return {
        "id": rule.id,
        "when": None if rule.when is None else condition_to_data(rule.when),
        "if_outcome": list(rule.if_outcome),
        "effects": effects,
        "guidance": list(rule.guidance),
    }


def _statement(statement: Statement) -> str | dict[str, Any]:
    """A line as the pack writes it: its text, or its text and its own guidance."""
    if statement.guidance is None:
        return statement.text
    return {"text": statement.text, "guidance": list(statement.guidance)}


def _invariant(invariant: Invariant) -> dict[str, Any]:
    return {
        "id": invariant.id,
        "when": None if invariant.when is None else condition_to_data(invariant.when),
        "outcome_in": list(invariant.outcome_in),
        "contributes": list(invariant.contributes),
        "not_contributes": list(invariant.not_contributes),
        "sessions": invariant.sessions,
        "exclusive": list(invariant.exclusive),
    }


def render_pack_text(pack: RulePack) -> str:
    """The pack as a plain-text overview for a terminal or a file."""
    out = [f"{pack.title} ({pack.id} {pack.version})", str(pack.path), ""]
    out.append("Outcomes, first listed wins")
    for number, outcome in enumerate(pack.outcomes, 1):
        out.append(f"  {number}. {outcome.id}: {outcome.label}")
    out.extend(["", "Questions"])
    for question in pack.questions:
        out.append(f"  {question.id} ({_kind(question)})")
        out.extend(_wrap(question.label, "      "))
        if question.when is not None:
            out.extend(_wrap(f"asked when {describe(question.when)}", "      "))
    out.extend(["", "Rules"])
    for rule in pack.rules:
        points = f" [{', '.join(rule.cited)}]" if rule.cited else ""
        out.append(f"  {rule.id}{points}")
        condition = "always (standing statement)" if rule.when is None else describe(rule.when)
        out.extend(_wrap(f"when {condition}", "      "))
        if rule.if_outcome:
            out.append(f"      only if the outcome is {' or '.join(rule.if_outcome)}")
        out.extend(_wrap(", ".join(_effects(rule)), "      -> "))
    if pack.invariants:
        out.extend(["", "Invariants, proved by rules check"])
    for invariant in pack.invariants:
        out.append(f"  {invariant.id}")
        condition = "always" if invariant.when is None else describe(invariant.when)
        out.extend(_wrap(f"when {condition}", "      "))
        out.extend(_wrap("; ".join(_claims(invariant)), "      -> "))
    out.extend(["", "Guidance coverage"])
    table = coverage(pack)
    width = max((len(point) for point in table), default=0)
    for point, rules in table.items():
        out.extend(
            _wrap(", ".join(rules) or "NOT MIRRORED", f"  {point.ljust(width)}  ", width + 4)
        )
    missing = [point for point, rules in table.items() if not rules]
    if not table:
        out.append("  (the pack defines no guidance points)")
    elif missing:
        out.append(f"  {len(missing)} of {len(table)} points are mirrored by no rule.")
    else:
        out.append(f"  All {len(table)} points are mirrored by at least one rule.")
    return "\n".join(out) + "\n"


def _kind(question: Question) -> str:
    parts: list[str] = [question.type]
    numeric = question.type in ("integer", "decimal")
    if numeric and (question.min is not None or question.max is not None):
        low = "" if question.min is None else _text(question.min)
        high = "" if question.max is None else _text(question.max)
        parts.append(f"{low}..{high}")
    if question.step is not None:
        parts.append(f"step {_text(question.step)}")
    if question.unit is not None:
        parts.append(f"in {question.unit}")
    if question.type == "text":
        parts.append(f"up to {question.max_length} characters")
    if question.other_of is not None:
        parts.append("other, please specify")
    if question.choices:
        parts.append(", ".join(question.choice_values))
    if not question.required:
        parts.append("optional")
    return "; ".join(parts)


def _text(value: int | Decimal) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _effects(rule: Rule) -> list[str]:
    effects = []
    if rule.outcome:
        effects.append(f"outcome {rule.outcome}")
    if rule.sessions:
        effects.append(f"sessions {rule.sessions.min} to {rule.sessions.max}")
    for key in ("explanation", "referral"):
        if getattr(rule, key):
            effects.append(key)
    for key in ("advice", "clinic"):
        count = len(getattr(rule, key))
        if count:
            noun = "advice line" if key == "advice" else "clinic line"
            effects.append(f"{count} {noun}{'s' if count > 1 else ''}")
    return effects


def _claims(invariant: Invariant) -> list[str]:
    claims = []
    if invariant.outcome_in:
        claims.append(f"the outcome is {' or '.join(invariant.outcome_in)}")
    if invariant.contributes:
        claims.append(f"contributes {', '.join(invariant.contributes)}")
    if invariant.not_contributes:
        claims.append(f"does not contribute {', '.join(invariant.not_contributes)}")
    if invariant.sessions is not None:
        claims.append("no sessions given" if invariant.sessions == "none" else "sessions given")
    if invariant.exclusive:
        claims.append(f"at most one of {', '.join(invariant.exclusive)}")
    return claims


def _wrap(text: str, prefix: str, indent: int | None = None) -> list[str]:
    rest = " " * (len(prefix) if indent is None else indent)
    return textwrap.wrap(
        text, WIDTH, initial_indent=prefix, subsequent_indent=rest, break_on_hyphens=False
    ) or [prefix.rstrip()]
