"""assess(pack, answers) -> Report: pure, and fast enough to run per batch row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mesoguide.errors import PackError, Problem
from mesoguide.model import (
    Answers,
    AnswerSet,
    Decision,
    Finding,
    Predicate,
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
        parts = parts_of(pack, rule)
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


def parts_of(pack: RulePack, rule: Rule) -> RuleParts:
    """A rule's sentences as findings, made once per pack (batch gathers them per row)."""
    known = pack.rule_parts.get(rule.id)
    if known is not None:
        return known
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
    return [rule for rule in pack.rules if rule.id in held_ids and _may_contribute(rule, outcome)]


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


_NO_VALUE = object()  # the key of a question with no value in a Judge's memo


class Judge:
    """``outcome_of`` and ``contributing`` for one pack, made fast for batch.

    A rule whose ``when`` names one question holds or not by that question's value alone (a
    compiled condition reads only the answers it names), so the rules of each question are
    tested once per distinct value (equal values test alike) and remembered as a bit set
    (one bit per rule, in pack order); rules that name several questions are tested per row,
    and rules without ``when`` always hold. ``judge`` gives what the definition gives
    (``holding``, ``outcome_of``, ``contributing``), as a property test proves on every pack we
    have; it returns bit sets, which batch keeps decisions by.
    """

    def __init__(self, pack: RulePack, limit: int = 1024) -> None:
        from mesoguide.conditions import questions_in

        self.pack = pack
        self._limit = limit  # values remembered per question before its memo starts over
        tests = pack.rule_tests
        self._always = 0
        by_question: dict[str, list[tuple[int, Predicate]]] = {}
        several: list[tuple[int, Predicate]] = []
        for index, rule in enumerate(pack.rules):
            bit = 1 << index
            if rule.when is None:
                self._always |= bit
                continue
            named = {compare.question for compare in questions_in(rule.when)}
            if len(named) == 1:
                by_question.setdefault(named.pop(), []).append((bit, tests[rule.id]))
            else:
                several.append((bit, tests[rule.id]))
        # Per question: its id, its rules' bits and tests, and the memo of value -> the bits
        # of those rules that hold for it (tests watch the memos).
        self.memos: dict[str, dict[object, int]] = {qid: {} for qid in by_question}
        self._single = tuple(
            (qid, tuple(group), self.memos[qid]) for qid, group in by_question.items()
        )
        self._several = tuple(several)
        # Per outcome in precedence order: the rules that decide it, and those that may
        # contribute to a report with it (the tests of `contributing`).
        self._outcomes = tuple(
            (
                outcome.id,
                _bits(rule.outcome == outcome.id for rule in pack.rules),
                _bits(_may_contribute(rule, outcome.id) for rule in pack.rules),
            )
            for outcome in pack.outcomes
        )

    def held(self, values: Answers) -> int:
        """The bit set of the rules whose ``when`` holds (as ``holding`` gives them)."""
        held = self._always
        limit = self._limit
        for qid, group, memo in self._single:
            value = values.get(qid, _NO_VALUE)
            try:
                bits = memo.get(value)
            except TypeError:  # an unhashable value: test it, do not remember it
                bits = _test(group, qid, value)
            else:
                if bits is None:
                    bits = _test(group, qid, value)
                    if len(memo) >= limit:
                        memo.clear()
                    memo[value] = bits
            held |= bits
        for bit, test in self._several:
            if test(values):
                held |= bit
        return held

    def judge(self, values: Answers) -> tuple[str, int]:
        """The outcome and the bit set of the rules that contribute (``contributing``)."""
        held = self.held(values)
        for outcome, deciders, allowed in self._outcomes:
            if held & deciders:
                return outcome, held & allowed
        outcome_of(self.pack, ())  # no rule decided: the definition's own error
        raise AssertionError("unreachable")

    def rules(self, bits: int) -> list[Rule]:
        """The rules of a bit set, in pack order."""
        rules = self.pack.rules
        return [rules[index] for index in range(bits.bit_length()) if bits >> index & 1]


def _test(group: tuple[tuple[int, Predicate], ...], qid: str, value: object) -> int:
    answers = {} if value is _NO_VALUE else {qid: value}
    bits = 0
    for bit, test in group:
        if test(answers):  # type: ignore[arg-type]
            bits |= bit
    return bits


def _may_contribute(rule: Rule, outcome: str) -> bool:
    """``contributing``'s test of a rule that holds, for a report with ``outcome``."""
    return (not rule.if_outcome or outcome in rule.if_outcome) and not (
        rule.outcome is not None and rule.outcome != outcome and decides_only(rule)
    )


def _bits(kept: Iterable[bool]) -> int:
    """The bit set of the rules kept, given in pack order."""
    return sum(1 << index for index, keep in enumerate(kept) if keep)
