"""Witnesses from the exact analysis, for tests that check them against the runner and engine."""

from __future__ import annotations

from mesoguide.analysis import WORK_BUDGET, _and, _Checker, _or, _Space
from mesoguide.model import Answer, RulePack


def fires_witness(pack: RulePack, rule_id: str) -> dict[str, Answer] | None:
    """Answers under which a rule fires, as the analysis finds them, or None when it never can."""
    checker = _Checker(pack, _Space(pack, WORK_BUDGET))
    rule = next(r for r in pack.rules if r.id == rule_id)
    under = checker.fires_under(rule)
    return checker.search.witness(
        _and([checker.rule_when[rule.id], _or(checker.final[o] for o in under)])
    )
