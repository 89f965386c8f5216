"""Witnesses from the exact analysis, for tests that check them against the runner and engine."""

from __future__ import annotations

from mesoguide.analysis import WORK_BUDGET, _Checker, _Space
from mesoguide.model import Answer, RulePack


def fires_witness(pack: RulePack, rule_id: str) -> dict[str, Answer] | None:
    """Answers under which a rule fires, as the analysis finds them, or None when it never can."""
    checker = _Checker(pack, _Space(pack, WORK_BUDGET))
    return checker.search.witness(checker.fires[rule_id])
