"""assess(pack, answers) -> Report: pure, and fast enough to run per batch row."""

from __future__ import annotations

from collections.abc import Mapping

from mesoguide.errors import PackError, Problem
from mesoguide.model import (
    Answers,
    AnswerSet,
    Decision,
    Finding,
    Report,
    Rule,
    RulePack,
    RuleParts,
    Sessions,
)


def assess(pack: RulePack, answers: AnswerSet | Mapping[str, object]) -> Report:
    """The report for a set of answers: an AnswerSet, or raw answers by question id.

    Raw answers go through the runner first (coercion, ``when``, defaults, ``required``), so
    they may raise AnswersError.
    """
    if not isinstance(answers, AnswerSet):
        from mesoguide.runner import from_mapping

        answers = from_mapping(pack, answers)
    return Report(decide(pack, holding(pack, answers.values)), answers, pack.ref, pack.disclaimer)


def holding(pack: RulePack, values: Answers) -> tuple[str, ...]:
    """The ids of every rule whose ``when`` holds for these values, in pack order."""
    # rule_tests holds every rule's compiled test, in the pack's order (see the loader).
    return tuple([rule_id for rule_id, test in pack.rule_tests.items() if test(values)])


def decide(pack: RulePack, held: tuple[str, ...]) -> Decision:
    """What the rules that hold make of the answers: the outcome and what each rule adds.

    It depends on ``held`` alone, so batch keeps decisions by it.
    """
    outcome = outcome_of(pack, held)
    return gather(pack, outcome, contributing(pack, outcome, held))


def gather(pack: RulePack, outcome: str, rules: list[Rule]) -> Decision:
    """The decision for an outcome from what each contributing rule adds, in pack order."""
    sessions: Sessions | None = None
    explanations: list[Finding] = []
    referral_reasons: list[Finding] = []
    clinic: list[Finding] = []
    advice: list[Finding] = []
    for rule in rules:
        if rule.sessions is not None and sessions is None:  # the first rule with sessions wins
            sessions = rule.sessions
        parts = pack.rule_parts.get(rule.id) or _parts(pack, rule)
        explanations += parts.explanations
        referral_reasons += parts.referral_reasons
        clinic += parts.clinic
        advice += parts.advice
    return Decision(
        outcome=pack.outcome(outcome),
        sessions=sessions,
        explanations=tuple(explanations),
        referral_reasons=tuple(referral_reasons),
        clinic=tuple(clinic),
        advice=tuple(advice),
        rules_fired=tuple([rule.id for rule in rules]),
    )


def _parts(pack: RulePack, rule: Rule) -> RuleParts:
    """A rule's sentences as findings, made once per pack (batch gathers them per row)."""
    cites = rule.guidance
    parts = pack.rule_parts[rule.id] = RuleParts(
        explanations=(Finding(rule.id, rule.explanation, cites),) if rule.explanation else (),
        referral_reasons=(Finding(rule.id, rule.referral, cites),) if rule.referral else (),
        clinic=tuple(Finding(rule.id, line.text, rule.cites(line)) for line in rule.clinic),
        advice=tuple(Finding(rule.id, line.text, rule.cites(line)) for line in rule.advice),
    )
    return parts


def contributing(pack: RulePack, outcome: str, held: tuple[str, ...]) -> list[Rule]:
    """The rules a report is made of: those that hold, are meant for this outcome, and add
    something (a rule that only proposes an outcome that lost adds nothing)."""
    held_ids = set(held)
    return [
        rule
        for rule in pack.rules
        if rule.id in held_ids
        and (not rule.if_outcome or outcome in rule.if_outcome)
        and not (rule.outcome is not None and rule.outcome != outcome and decides_only(rule))
    ]


def decides_only(rule: Rule) -> bool:
    """A rule whose only effect is its outcome (the analysis relies on this same test)."""
    return not (rule.sessions or rule.explanation or rule.referral or rule.advice or rule.clinic)


def outcome_of(pack: RulePack, held: tuple[str, ...]) -> str:
    """The first outcome, in the pack's precedence order, that a rule holding decides."""
    held_ids = set(held)
    decided = {r.outcome for r in pack.rules if r.outcome is not None and r.id in held_ids}
    for outcome in pack.outcomes:
        if outcome.id in decided:
            return outcome.id
    # `rules check` proves every pack it passes is total; this guards packs it was not run on.
    raise PackError(
        [Problem(str(pack.path), None, "rules", "no rule decided an outcome for these answers")]
    )
