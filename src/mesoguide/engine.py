"""assess(pack, answers) -> Report: pure, and fast enough to run per batch row."""

from __future__ import annotations

from mesoguide.errors import PackError, Problem
from mesoguide.model import Answers, Finding, Report, Rule, RulePack, Sessions


def decide(pack: RulePack, answers: Answers) -> tuple[str, list[str]]:
    """The outcome by the pack's precedence, and the ids of every rule that holds."""
    # rule_tests holds every rule's compiled test, in the pack's order (see the loader).
    fired = [rule_id for rule_id, test in pack.rule_tests.items() if test(answers)]
    return _outcome(pack, fired), fired


def assess(pack: RulePack, answers: Answers) -> Report:
    """Run every rule over resolved answers and gather the report."""
    candidacy, held = decide(pack, answers)
    sessions: Sessions | None = None
    explanations: list[Finding] = []
    referrals: list[Finding] = []
    clinic: list[Finding] = []
    advice: list[Finding] = []
    fired: list[str] = []
    for rule in contributing(pack, candidacy, held):
        fired.append(rule.id)
        if rule.sessions is not None and sessions is None:
            sessions = rule.sessions
        if rule.explanation:
            explanations.append(Finding(rule.id, rule.explanation, rule.guidance))
        if rule.referral:
            referrals.append(Finding(rule.id, rule.referral, rule.guidance))
        clinic.extend(Finding(rule.id, text, rule.guidance) for text in rule.clinic)
        advice.extend(Finding(rule.id, text, rule.guidance) for text in rule.advice)
    return Report(
        candidacy=candidacy,
        outcome=pack.outcome(candidacy),
        sessions=sessions,
        explanations=tuple(explanations),
        referrals=tuple(referrals),
        clinic=tuple(clinic),
        advice=tuple(advice),
        rules_fired=tuple(fired),
        answers=dict(answers),
        pack=pack.ref,
        disclaimer=pack.disclaimer,
    )


def contributing(pack: RulePack, candidacy: str, held: list[str]) -> list[Rule]:
    """The rules a report is made of: those that hold, are meant for this outcome, and add
    something (a rule that only proposes an outcome that lost adds nothing)."""
    held_ids = set(held)
    return [
        rule
        for rule in pack.rules
        if rule.id in held_ids
        and (not rule.if_outcome or candidacy in rule.if_outcome)
        and not (rule.outcome is not None and rule.outcome != candidacy and decides_only(rule))
    ]


def decides_only(rule: Rule) -> bool:
    """A rule whose only effect is its outcome (the analysis relies on this same test)."""
    return not (rule.sessions or rule.explanation or rule.referral or rule.advice or rule.clinic)


def _outcome(pack: RulePack, fired: list[str]) -> str:
    held = set(fired)
    decided = {rule.outcome for rule in pack.rules if rule.outcome is not None and rule.id in held}
    for outcome in pack.outcomes:
        if outcome.id in decided:
            return outcome.id
    # `rules check` proves every pack it passes is total; this guards packs it was not run on.
    raise PackError(
        [Problem(str(pack.path), None, "rules", "no rule decided an outcome for these answers")]
    )
