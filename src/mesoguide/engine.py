"""assess(pack, answers) -> Report: pure, and fast enough to run per batch row."""

from __future__ import annotations

from mesoguide.errors import PackError, Problem
from mesoguide.model import Answers, Finding, Report, Rule, RulePack, Sessions


def decide(pack: RulePack, answers: Answers) -> tuple[str, list[str]]:
    """The outcome by the pack's precedence, and the ids of every rule that holds."""
    tests = pack.rule_tests
    fired = [rule.id for rule in pack.rules if tests[rule.id](answers)]
    return _outcome(pack, fired), fired


def assess(pack: RulePack, answers: Answers) -> Report:
    """Run every rule over resolved answers and gather the report."""
    candidacy, held = decide(pack, answers)
    held_ids = set(held)
    sessions: Sessions | None = None
    explanations: list[Finding] = []
    referrals: list[Finding] = []
    clinic: list[Finding] = []
    advice: list[Finding] = []
    fired: list[str] = []
    for rule in pack.rules:
        if rule.id not in held_ids or (rule.if_outcome and candidacy not in rule.if_outcome):
            continue
        if rule.outcome is not None and rule.outcome != candidacy and _decides_only(rule):
            continue  # it held, but a higher outcome won: it added nothing to the report
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


def _decides_only(rule: Rule) -> bool:
    return not (rule.sessions or rule.explanation or rule.referral or rule.advice or rule.clinic)


def _outcome(pack: RulePack, fired: list[str]) -> str:
    by_id = {rule.id: rule for rule in pack.rules}
    decided = {by_id[rule_id].outcome for rule_id in fired} - {None}
    for outcome in pack.outcomes:
        if outcome.id in decided:
            return outcome.id
    # `rules check` proves every pack it passes is total; this guards packs it was not run on.
    raise PackError(
        [Problem(str(pack.path), None, "rules", "no rule decided an outcome for these answers")]
    )
