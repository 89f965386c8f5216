"""assess(pack, answers) -> Report: pure, and fast enough to run per batch row."""

from __future__ import annotations

from collections.abc import Mapping

from mesoguide.errors import PackError, Problem
from mesoguide.model import Answers, AnswerSet, Decision, Finding, Report, Rule, RulePack, Sessions


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
    return tuple(rule_id for rule_id, test in pack.rule_tests.items() if test(values))


def decide(pack: RulePack, held: tuple[str, ...]) -> Decision:
    """What the rules that hold make of the answers: the outcome and what each rule adds.

    It depends on ``held`` alone, so batch keeps decisions by it.
    """
    outcome = _outcome(pack, held)
    sessions: Sessions | None = None
    explanations: list[Finding] = []
    referral_reasons: list[Finding] = []
    clinic: list[Finding] = []
    advice: list[Finding] = []
    fired: list[str] = []
    for rule in contributing(pack, outcome, held):
        fired.append(rule.id)
        if rule.sessions is not None and sessions is None:  # the first rule with sessions wins
            sessions = rule.sessions
        if rule.explanation:
            explanations.append(Finding(rule.id, rule.explanation, rule.guidance))
        if rule.referral:
            referral_reasons.append(Finding(rule.id, rule.referral, rule.guidance))
        clinic.extend(Finding(rule.id, text, rule.guidance) for text in rule.clinic)
        advice.extend(Finding(rule.id, text, rule.guidance) for text in rule.advice)
    return Decision(
        outcome=pack.outcome(outcome),
        sessions=sessions,
        explanations=tuple(explanations),
        referral_reasons=tuple(referral_reasons),
        clinic=tuple(clinic),
        advice=tuple(advice),
        rules_fired=tuple(fired),
    )


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


def _outcome(pack: RulePack, held: tuple[str, ...]) -> str:
    held_ids = set(held)
    decided = {r.outcome for r in pack.rules if r.outcome is not None and r.id in held_ids}
    for outcome in pack.outcomes:
        if outcome.id in decided:
            return outcome.id
    # `rules check` proves every pack it passes is total; this guards packs it was not run on.
    raise PackError(
        [Problem(str(pack.path), None, "rules", "no rule decided an outcome for these answers")]
    )
