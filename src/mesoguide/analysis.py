"""Exact reachability, totality and invariants of a rule pack, over a finite answer space.

Every condition compares an answer with constants, so each question's answers fall into a few
classes that no condition can tell apart: integers split at the thresholds conditions use,
decimals into each value conditions name and the open intervals between them (a class only
where a valid answer lies: on the step, within min and max), a text into given or not,
choices by the values conditions mention (plus one "any other"), multiple choices by the
subsets of mentioned values that the question's own limits allow. A question skipped by its
`when` is absent, and so may be one the runner can leave blank (optional, no default). The
search substitutes classes into the formula it is deciding, in whatever order splits it
soonest, drops what no longer matters, and remembers residual formulas it has already
decided, so it proves rather than samples. A work budget makes it stop, and say so, instead
of hanging on a pathological pack."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import TypeAlias, cast

from mesoguide.answers import MAX_DECIMAL_DIGITS, AnswerRejected, coerce, decimal_text
from mesoguide.conditions import compile_condition, describe, questions_in
from mesoguide.engine import contributing, decides_only, holding, outcome_of
from mesoguide.errors import Problem
from mesoguide.model import (
    AllOf,
    Answer,
    AnyOf,
    Compare,
    Condition,
    Invariant,
    Not,
    Predicate,
    Question,
    Rule,
    RulePack,
)
from mesoguide.runner import may_be_blank

WORK_BUDGET = 2_000_000
"""Steps (formula nodes and conjunction parts looked at) the whole analysis may take before it
gives up: a few seconds of work on this machine."""
MINIMISE_BUDGET = 50_000
"""Of the budget, what cutting one counterexample down to its needed answers may use."""
MAX_MENTIONED_CHOICES = 12
"""A multiple-choice question whose conditions name more values has too many subsets."""

# -- formulas --------------------------------------------------------------------------------
# A normalised, hashable formula: TRUE, FALSE, an atom (index into the atom table), or
# ("and" | "or", items) / ("not", item). Residual formulas are memo keys, so they must be small
# and canonical.
Formula: TypeAlias = tuple[object, ...]
TRUE: Formula = ("T",)
FALSE: Formula = ("F",)


def _and(items: Iterable[Formula]) -> Formula:
    flat: dict[Formula, None] = {}  # ordered and without repeats
    for item in items:
        if item == FALSE:
            return FALSE
        if item == TRUE:
            continue
        if item[0] == "and":
            flat.update(dict.fromkeys(cast(tuple[Formula, ...], item[1])))
        else:
            flat[item] = None
    if not flat:
        return TRUE
    return next(iter(flat)) if len(flat) == 1 else ("and", tuple(flat))


def _or(items: Iterable[Formula]) -> Formula:
    flat: dict[Formula, None] = {}
    for item in items:
        if item == TRUE:
            return TRUE
        if item == FALSE:
            continue
        if item[0] == "or":
            flat.update(dict.fromkeys(cast(tuple[Formula, ...], item[1])))
        else:
            flat[item] = None
    if not flat:
        return FALSE
    return next(iter(flat)) if len(flat) == 1 else ("or", tuple(flat))


def _not(item: Formula) -> Formula:
    if item == TRUE:
        return FALSE
    if item == FALSE:
        return TRUE
    if item[0] == "not":
        return cast(Formula, item[1])
    return ("not", item)


class TooLarge(Exception):
    """The pack's answer space is too large to decide within the work budget."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One class of answers to a question that every condition treats alike."""

    answer: Answer | None  # a representative answer; None: the question is unanswered


class _Space:
    """The pack's questions, their answer classes, and conditions as normalised formulas."""

    def __init__(self, pack: RulePack, budget: int) -> None:
        self.pack = pack
        self.budget = budget
        self.atoms: list[tuple[str, Predicate]] = []
        self.atom_ids: dict[Compare, int] = {}
        self.known_questions: dict[Formula, frozenset[str]] = {}
        self.mentions: dict[str, list[Compare]] = {q.id: [] for q in pack.questions}
        conditions = [q.when for q in pack.questions] + [r.when for r in pack.rules]
        conditions += [i.when for i in pack.invariants]
        for condition in conditions:
            for compare in questions_in(condition) if condition is not None else ():
                if compare.question in self.mentions:
                    self.mentions[compare.question].append(compare)
        self.cells = {q.id: self._cells(q) for q in pack.questions}
        self.when = {q.id: self.formula(q.when) for q in pack.questions}
        self.depends = {q.id: self.questions_of(self.when[q.id]) for q in pack.questions}

    # -- conditions to formulas ---------------------------------------------------------------
    def formula(self, condition: Condition | None) -> Formula:
        if condition is None:
            return TRUE
        if isinstance(condition, Compare):
            index = self.atom_ids.get(condition)
            if index is None:
                index = len(self.atoms)
                self.atoms.append((condition.question, compile_condition(condition)))
                self.atom_ids[condition] = index
            return ("a", index)
        if isinstance(condition, Not):
            return _not(self.formula(condition.item))
        parts = [self.formula(item) for item in condition.items]
        return _and(parts) if isinstance(condition, AllOf) else _or(parts)

    def questions_of(self, formula: Formula) -> set[str]:
        return set(self.questions_in(formula))

    def questions_in(self, formula: Formula) -> frozenset[str]:
        """The questions a formula tests (remembered: the search asks for the same often)."""
        known = self.known_questions.get(formula)
        if known is None:
            known = self._questions_of(formula)
            if len(self.known_questions) > 200_000:
                self.known_questions.clear()
            self.known_questions[formula] = known
        return known

    def _questions_of(self, formula: Formula) -> frozenset[str]:
        kind = formula[0]
        if kind == "a":
            return frozenset((self.atoms[cast(int, formula[1])][0],))
        if kind == "not":
            return self.questions_in(cast(Formula, formula[1]))
        if kind in ("and", "or"):
            items = cast(tuple[Formula, ...], formula[1])
            return frozenset().union(*(self.questions_in(item) for item in items))
        return frozenset()

    def substitute(self, formula: Formula, question: str, answers: Mapping[str, Answer]) -> Formula:
        """The formula with every test of ``question`` replaced by its value for ``answers``."""
        self.budget -= 1
        if self.budget < 0:
            raise TooLarge("")
        kind = formula[0]
        if kind == "a":
            owner, test = self.atoms[cast(int, formula[1])]
            if owner != question:
                return formula
            return TRUE if test(answers) else FALSE
        if kind == "not":
            return _not(self.substitute(cast(Formula, formula[1]), question, answers))
        if kind == "and":
            items = cast(tuple[Formula, ...], formula[1])
            return _and(self.substitute(item, question, answers) for item in items)
        if kind == "or":
            items = cast(tuple[Formula, ...], formula[1])
            return _or(self.substitute(item, question, answers) for item in items)
        return formula

    # -- answer classes -----------------------------------------------------------------------
    def _cells(self, question: Question) -> list[Cell]:
        cells = [Cell(answer) for answer in self._answers(question)]
        if may_be_blank(question):  # as the runner decides: a default fills a blank
            cells.append(Cell(None))
        return cells

    def _answers(self, question: Question) -> list[Answer]:
        compares = self.mentions[question.id]
        if question.type == "boolean":
            return [False, True]
        if question.type == "integer":
            return _integer_classes(question, compares)
        if question.type == "decimal":
            return _decimal_classes(question, compares)
        if question.type == "text":
            return ["text"]  # only `answered` tests a text: any one text stands for all
        mentioned = _mentioned(question, compares)
        if question.type == "choice":
            others = [v for v in question.choice_values if v not in mentioned]
            return [*mentioned, *others[:1]]
        if len(mentioned) > MAX_MENTIONED_CHOICES:
            raise TooLarge(
                f"conditions name {len(mentioned)} choices of multiple-choice question "
                f"'{question.id}', too many subsets to decide; the limit is "
                f"{MAX_MENTIONED_CHOICES}"
            )
        return _subset_classes(question, mentioned)


def _integer_classes(question: Question, compares: Sequence[Compare]) -> list[Answer]:
    """One integer from each interval between the cut points the conditions make."""
    cuts: set[int] = set()
    for compare in compares:
        values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        for value in values:
            if isinstance(value, int) and not isinstance(value, bool):
                # x < v and x >= v change at v; x <= v, x > v at v + 1; x == v at both
                if compare.op in ("lt", "ge"):
                    cuts.add(value)
                elif compare.op in ("le", "gt"):
                    cuts.add(value + 1)
                else:
                    cuts.update((value, value + 1))
    low, high = question.min, question.max
    inside = sorted(c for c in cuts if (low is None or c > low) and (high is None or c <= high))
    if low is not None:
        starts = [low, *inside]
    elif inside:
        starts = [inside[0] - 1, *inside]
    else:
        starts = [high if high is not None and high < 0 else 0]
    return [start for start in starts if high is None or start <= high]


Bound: TypeAlias = tuple[Decimal, bool] | None
"""One end of an interval of decimals: the value and whether it is in; None: no end."""


def _decimal_classes(question: Question, compares: Sequence[Compare]) -> list[Answer]:
    """A valid answer from each piece that the thresholds cut the decimals into.

    Each value a condition names is a piece of its own and so is each open interval between
    two of them (and below the first, above the last): no comparison tells two values of one
    piece apart. A piece with no valid answer (none between 39.9 and 40 on a step of 0.1, or
    outside min and max) gives none; a piece between 39.9 and 40 without a step gives 39.91.
    """
    points: set[Decimal] = set()
    for compare in compares:
        values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        points.update(v for v in values if isinstance(v, Decimal))
    ordered = sorted(points)
    pieces: list[tuple[Bound, Bound]] = []
    below: Bound = None
    for point in ordered:
        pieces.append((below, (point, False)))
        pieces.append(((point, True), (point, True)))
        below = (point, False)
    pieces.append((below, None))
    found: list[Answer] = []
    for low, high in pieces:
        value = _pick(
            question, _tighter(low, question.min, lower=True), _tighter(high, question.max)
        )
        if value is not None:
            found.append(value)
    return found


def _tighter(bound: Bound, limit: int | Decimal | None, lower: bool = False) -> Bound:
    """The tighter of an interval's lower end and the question's min (or upper end and max)."""
    if limit is None:
        return bound
    edge = (Decimal(limit), True)
    if bound is None:
        return edge
    inside = bound[0] > edge[0] if lower else bound[0] < edge[0]
    return bound if inside or (bound[0] == edge[0] and not bound[1]) else edge


def _pick(question: Question, low: Bound, high: Bound) -> Decimal | None:
    """A valid answer between ``low`` and ``high``, as short as can be; None if none is."""
    step = question.step
    if step is not None:
        base = Decimal(question.min) if question.min is not None else Decimal(0)
        if low is None and high is None:
            candidate = base
        elif low is not None:
            steps = ((low[0] - base) / step).to_integral_value(rounding=ROUND_FLOOR)
            candidate = base + steps * step
            if candidate < low[0] or (candidate == low[0] and not low[1]):
                candidate += step
        else:
            assert high is not None
            steps = ((high[0] - base) / step).to_integral_value(rounding=ROUND_CEILING)
            candidate = base + steps * step
            if candidate > high[0] or (candidate == high[0] and not high[1]):
                candidate -= step
        return _valid(question, candidate, low, high)
    if low is None and high is None:
        return _valid(question, Decimal(0), low, high)
    if low is None:
        assert high is not None
        top = high[0]
        return _valid(
            question, top if high[1] else top.to_integral_value(ROUND_CEILING) - 1, low, high
        )
    if low[1]:
        return _valid(question, low[0], low, high)
    for places in range(MAX_DECIMAL_DIGITS + 1):
        unit = Decimal(1).scaleb(-places)
        candidate = ((low[0] / unit).to_integral_value(rounding=ROUND_FLOOR) + 1) * unit
        if high is None or candidate < high[0] or (candidate == high[0] and high[1]):
            return _valid(question, candidate, low, high)
    return None


def _valid(question: Question, value: Decimal, low: Bound, high: Bound) -> Decimal | None:
    """``value`` when it lies between the ends and the runner takes it as it is, else None."""
    if low is not None and (value < low[0] or (value == low[0] and not low[1])):
        return None
    if high is not None and (value > high[0] or (value == high[0] and not high[1])):
        return None
    try:
        answer = coerce(question, value)
    except AnswerRejected:
        return None
    return answer if isinstance(answer, Decimal) and answer == value else None


def _mentioned(question: Question, compares: Sequence[Compare]) -> list[str]:
    named: set[object] = set()
    for compare in compares:
        values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
        named.update(values)
    return [v for v in question.choice_values if v in named]


def _subset_classes(question: Question, mentioned: Sequence[str]) -> list[Answer]:
    """Each subset of the mentioned values that some valid answer has, as such an answer."""
    exclusive = {c.value for c in question.choices if c.exclusive}
    fillers = [v for v in question.choice_values if v not in mentioned and v not in exclusive]
    lone = [v for v in question.choice_values if v not in mentioned and v in exclusive]
    low = int(question.min or 0)
    high = int(question.max) if question.max is not None else len(question.choices)
    found: list[Answer] = []
    for size in range(len(mentioned) + 1):
        for subset in itertools.combinations(mentioned, size):
            if exclusive.intersection(subset):
                if size == 1 and low <= 1 <= high:
                    found.append(subset)
                continue
            # The runner stores no empty list (no choice ticked is a blank), so the empty
            # subset of mentioned values needs one filler at least.
            extra = max(0 if size else 1, low - size)
            if extra <= len(fillers) and size + extra <= high:
                chosen = set(subset) | set(fillers[:extra])
                found.append(tuple(v for v in question.choice_values if v in chosen))
            elif size == 0 and lone and low <= 1 <= high:
                found.append((lone[0],))
    return found


class _Search:
    """Finds an answer set that makes a formula true, or proves there is none.

    Each question is a variable over its answer classes plus "absent", tied to its `when` by
    a constraint (an answer only when asked; one asked that cannot be blank is answered), so the
    search may take the questions in any order. It splits a conjunction into groups of parts
    that share no question and decides each alone, tries the disjuncts of a large disjunction
    one by one, otherwise branches on a question (one a part tests alone, else the one most
    parts test), and remembers every residual formula it proved or refuted: a residual formula
    is the whole subproblem, so that holds across queries.
    """

    def __init__(self, space: _Space) -> None:
        self.space = space
        self.order = [q.id for q in space.pack.questions]
        self.decisive: list[str] = []  # the answers that mattered in the last witness
        self.blank: list[str] = []  # optional questions it leaves blank, which matter too
        self.refuted: set[Formula] = set()
        self.solved: dict[Formula, dict[str, Cell]] = {}  # formulas proved satisfiable, how
        self.domain: dict[str, list[Cell]] = {}
        self.tie: dict[str, Formula] = {}
        for question in space.pack.questions:
            qid = question.id
            asked = space.when[qid]
            self.domain[qid] = [c for c in space.cells[qid] if c.answer is not None]
            blank = may_be_blank(question)  # as the runner decides: a default fills a blank
            if blank or asked != TRUE:
                self.domain[qid].append(Cell(None))
            answered = space.formula(Compare(qid, "answered"))
            tie = [_or([_not(answered), asked])]  # an answer only when asked
            if not blank:
                tie.append(_or([_not(asked), answered]))  # asked and never blank: answered
            self.tie[qid] = _nnf(_and(tie)) if asked != TRUE else TRUE

    def witness(self, formula: Formula) -> dict[str, Answer] | None:
        """A complete, valid answer set for which ``formula`` holds, or None if none exists."""
        ties = self._ties(formula)
        found = self._solve(_and([_nnf(formula), *ties]))
        if found is None:
            return None
        shown = set(self._essential(found, _and([_nnf(_not(formula)), *ties])))
        for qid in reversed(self.order):  # with the answers that have them asked
            if qid in shown:
                shown |= self.space.depends[qid] & set(found)
        self.decisive = [q for q in self.order if q in shown and found[q].answer is not None]
        answers = self._complete(found)
        # an optional question left blank can be the cause; one skipped by its `when` is not
        tests = self.space.pack.question_tests
        self.blank = [
            q for q in self.order if q in shown and found[q].answer is None and tests[q](answers)
        ]
        return answers

    def satisfiable(self, formula: Formula) -> bool:
        return self._solve(_and([_nnf(formula), *self._ties(formula)])) is not None

    def _ties(self, formula: Formula) -> list[Formula]:
        """The `when` constraints of the questions a formula tests and of those they need."""
        needed = self.space.questions_of(formula)
        for qid in reversed(self.order):  # `when` only looks back, so one pass closes the set
            if qid in needed:
                needed |= self.space.depends[qid]
        return [self.tie[q] for q in self.order if q in needed]

    def _essential(self, found: dict[str, Cell], broken: Formula) -> dict[str, Cell]:
        """The answers of a witness that matter: dropping any other one, every valid answer
        set that keeps the rest still satisfies the formula (``broken`` is its negation)."""
        kept = dict(found)
        available = self.space.budget
        allowed = min(available, MINIMISE_BUDGET)  # a shorter example is a nicety
        self.space.budget = allowed
        try:
            for qid in sorted(found, key=self.order.index, reverse=True):
                trial = {q: cell for q, cell in kept.items() if q != qid}
                rest = broken
                for q, cell in trial.items():
                    given: dict[str, Answer] = {} if cell.answer is None else {q: cell.answer}
                    rest = self.space.substitute(rest, q, given)
                if self._solve(rest) is None:
                    kept = trial
        except TooLarge:
            pass  # keep the answers not yet shown to be needless
        finally:
            self.space.budget = available - (allowed - self.space.budget)
        return kept

    def _solve(self, formula: Formula) -> dict[str, Cell] | None:
        """Answers (only to the questions that mattered) that make ``formula`` hold, or None."""
        self._spend(1)
        if formula == TRUE:
            return {}
        if formula == FALSE or formula in self.refuted:
            return None
        known = self.solved.get(formula)
        if known is not None:
            return dict(known)
        found = self._decide(formula)
        if found is None:
            self.refuted.add(formula)
        else:
            self.solved[formula] = dict(found)
        return found

    def _decide(self, formula: Formula) -> dict[str, Cell] | None:
        if formula[0] == "or":
            for item in cast(tuple[Formula, ...], formula[1]):
                found = self._solve(item)
                if found is not None:
                    return found
            return None
        parts = cast(tuple[Formula, ...], formula[1]) if formula[0] == "and" else (formula,)
        groups = self._groups(parts)
        if len(groups) == 1:
            return self._branch(formula, parts)
        answers: dict[str, Cell] = {}
        for group in sorted(groups, key=len):  # small groups first: they fail fastest
            group_found = self._solve(_and(group))
            if group_found is None:
                return None
            answers.update(group_found)
        return answers

    def _groups(self, parts: tuple[Formula, ...]) -> list[list[Formula]]:
        """The parts of a conjunction, grouped so that no two groups test the same question."""
        self._spend(len(parts))
        parent: dict[str, str] = {}  # union-find over the questions the parts test

        def root(q: str) -> str:
            while parent[q] != q:
                parent[q] = parent[parent[q]]
                q = parent[q]
            return q

        tested = [self.space.questions_in(part) for part in parts]
        for questions in tested:
            first = None
            for q in questions:
                top = root(parent.setdefault(q, q))
                if first is None:
                    first = top
                elif top != first:
                    parent[top] = first
        groups: dict[str, list[Formula]] = {}
        for part, questions in zip(parts, tested, strict=True):
            key = root(next(iter(questions))) if questions else ""
            groups.setdefault(key, []).append(part)
        return list(groups.values())

    def _spend(self, steps: int) -> None:
        """Count work that is not substitution against the budget too, so time stays bounded."""
        self.space.budget -= steps
        if self.space.budget < 0:
            raise TooLarge("")

    def _branch(self, formula: Formula, parts: tuple[Formula, ...]) -> dict[str, Cell] | None:
        self._spend(len(parts))
        widest = max((p for p in parts if _wide(p)), key=_size, default=None)
        if widest is not None:
            # a large disjunction (the rules deciding an outcome, say): try each disjunct
            others = [p for p in parts if p is not widest]
            for item in cast(tuple[Formula, ...], widest[1]):
                found = self._solve(_and([item, *others]))
                if found is not None:
                    return found
            return None
        qid = self._forced(parts) or self._most_tested(parts)
        for cell in self.domain[qid]:
            given: dict[str, Answer] = {} if cell.answer is None else {qid: cell.answer}
            rest = self.space.substitute(formula, qid, given)
            if rest == FALSE:
                continue
            found = self._solve(rest)
            if found is not None:
                found[qid] = cell
                return found
        return None

    def _forced(self, parts: tuple[Formula, ...]) -> str | None:
        """The question of a part that tests only it: deciding it first prunes the most."""
        for part in parts:
            questions = self.space.questions_in(part)
            if len(questions) == 1:
                return next(iter(questions))
        return None

    def _most_tested(self, parts: tuple[Formula, ...]) -> str:
        counts: dict[str, int] = {}
        for part in parts:
            for q in self.space.questions_in(part):
                counts[q] = counts.get(q, 0) + 1
        return max(counts, key=lambda q: (counts[q], -self.order.index(q)))

    def _complete(self, chosen: Mapping[str, Cell]) -> dict[str, Answer]:
        """Fill in the questions the formula did not care about, the way a person could."""
        answers: dict[str, Answer] = {}
        for question in self.space.pack.questions:
            if not self.space.pack.question_tests[question.id](answers):
                continue
            cell = chosen.get(question.id)
            if cell is None:
                cells = self.space.cells[question.id]
                cell = next((c for c in cells if c.answer is not None), cells[0] if cells else None)
            if cell is not None and cell.answer is not None:
                answers[question.id] = cell.answer
        return answers


@functools.lru_cache(maxsize=100_000)
def _nnf(formula: Formula, negated: bool = False) -> Formula:
    """The formula with every negation pushed down to an atom (so conjunctions split)."""
    kind = formula[0]
    if kind == "not":
        return _nnf(cast(Formula, formula[1]), not negated)
    if kind in ("and", "or"):
        items = [_nnf(item, negated) for item in cast(tuple[Formula, ...], formula[1])]
        return _and(items) if (kind == "and") != negated else _or(items)
    if formula in (TRUE, FALSE):
        return (FALSE if formula == TRUE else TRUE) if negated else formula
    return _not(formula) if negated else formula


def _wide(formula: Formula) -> bool:
    """A disjunction worth splitting into cases rather than deciding question by question."""
    if formula[0] != "or":
        return False
    items = cast(tuple[Formula, ...], formula[1])
    return any(item[0] == "and" for item in items) and _size(formula) > 6


@functools.lru_cache(maxsize=100_000)
def _size(formula: Formula) -> int:
    if formula[0] in ("and", "or"):
        return 1 + sum(_size(item) for item in cast(tuple[Formula, ...], formula[1]))
    return 1


# -- the analysis --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Analysis:
    """What `rules check` proves about a pack, and the problems that stop the proof."""

    problems: tuple[Problem, ...]
    work: int  # steps taken: a measure of how hard the pack was to decide
    decided: bool  # False when the pack was too large to decide within the budget


def analyze(pack: RulePack, budget: int = WORK_BUDGET) -> Analysis:
    """Reachability of every rule, outcome and question, totality, and unused guidance."""
    problems = list(unused_guidance(pack))
    try:
        space = _Space(pack, budget)
        checker = _Checker(pack, space)
        problems.extend(checker.problems())
    except TooLarge as error:
        why = str(error) or (
            f"the answer space is too large to decide within {budget:,} steps; "
            "split long conditions into smaller rules"
        )
        problems.append(Problem(str(pack.path), None, "", f"cannot prove the pack sound: {why}"))
        return Analysis(_ordered(problems), budget, decided=False)
    return Analysis(_ordered(problems), budget - space.budget, decided=True)


def _ordered(problems: list[Problem]) -> tuple[Problem, ...]:
    return tuple(sorted(problems, key=lambda p: (p.line is None, p.line or 0)))


def unused_guidance(pack: RulePack) -> Iterator[Problem]:
    """Guidance points that no rule mirrors."""
    cited = {point for rule in pack.rules for point in rule.cited}
    for point in pack.guidance.values():
        if point.id not in cited:
            yield Problem(
                str(pack.path),
                point.line,
                f"guidance.{point.id}",
                f"guidance point '{point.id}' is not mirrored by any rule: "
                "cite it in a rule's 'guidance' or remove it",
            )


class _Checker:
    def __init__(self, pack: RulePack, space: _Space) -> None:
        self.pack = pack
        self.space = space
        self.search = _Search(space)
        self.file = str(pack.path)
        self.rule_when = {r.id: space.formula(r.when) for r in pack.rules}
        self.rule_index = {r.id: i for i, r in enumerate(pack.rules)}
        deciding = {
            o.id: _or(self.rule_when[r.id] for r in pack.rules if r.outcome == o.id)
            for o in pack.outcomes
        }
        # The outcome is o when a rule decides o and none decides an outcome listed before it.
        self.final: dict[str, Formula] = {}
        earlier: list[Formula] = []
        for outcome in pack.outcomes:
            self.final[outcome.id] = _and([deciding[outcome.id], *map(_not, earlier)])
            earlier.append(deciding[outcome.id])
        self.some_outcome = _or(earlier)
        # A rule contributes to a report exactly when the engine's `contributing` keeps it.
        self.fires = {
            r.id: _and([self.rule_when[r.id], self.outcome_in(self.fires_under(r))])
            for r in pack.rules
        }

    def outcome_in(self, outcomes: Iterable[str]) -> Formula:
        """The outcome is one of these (all of them: some rule decides an outcome)."""
        wanted = set(outcomes)
        if wanted >= {o.id for o in self.pack.outcomes}:
            return self.some_outcome  # the same formula, much smaller
        return _or(self.final[o.id] for o in self.pack.outcomes if o.id in wanted)

    def problems(self) -> Iterator[Problem]:
        yield from self.unanswerable()
        yield from self.totality()
        yield from self.outcomes()
        yield from self.questions()
        for rule in self.pack.rules:
            yield from self.rule(rule)
        for index, invariant in enumerate(self.pack.invariants):
            yield from self.invariant(index, invariant)

    def unanswerable(self) -> Iterator[Problem]:
        for index, question in enumerate(self.pack.questions):
            if not self.space.cells[question.id]:
                yield Problem(
                    self.file,
                    question.line,
                    f"questions[{index}]",
                    f"question '{question.id}' cannot be answered: no choice of its values "
                    "meets its min, max and exclusive choices",
                )

    def totality(self) -> Iterator[Problem]:
        gap = self.search.witness(_not(self.some_outcome))
        if gap is not None:
            line = self.pack.outcomes[0].line if self.pack.outcomes else None
            yield Problem(
                self.file,
                line,
                "outcomes",
                f"no rule decides an outcome for some answers, for example {self.example(gap)}; "
                "add a rule without 'when' that decides a fallback outcome, "
                "or widen the conditions",
            )

    def example(self, answers: Mapping[str, Answer]) -> str:
        """The answers of the last witness that matter, in question order, blank ones named."""
        decisive, blank = set(self.search.decisive), set(self.search.blank)
        parts = []
        for question in self.pack.questions:
            if question.id in decisive:
                parts.append(format_answers(self.pack, answers, [question.id]))
            elif question.id in blank:
                parts.append(f"{question.id} left blank")
        if not parts:
            return "any answers"
        return f"{', '.join(parts)} (whatever the other answers)"

    def outcomes(self) -> Iterator[Problem]:
        for index, outcome in enumerate(self.pack.outcomes):
            if self.search.satisfiable(self.final[outcome.id]):
                continue
            deciders = [r.id for r in self.pack.rules if r.outcome == outcome.id]
            if not deciders:
                why = "no rule decides it"
            else:
                names = ", ".join(f"'{r}'" for r in deciders)
                deciding = _or(self.rule_when[r] for r in deciders)
                earlier = {o.id for o in self.pack.outcomes[:index]}
                beaters = [
                    r
                    for r in self.pack.rules
                    if r.outcome in earlier
                    and self.search.satisfiable(_and([deciding, self.rule_when[r.id]]))
                ]
                won = list(dict.fromkeys(cast(str, r.outcome) for r in beaters))
                why = (
                    f"whenever {names} holds, a rule deciding an outcome listed before it holds "
                    f"too ({', '.join(f'{r.id!r} decides {r.outcome!r}' for r in beaters)}); "
                    f"list '{outcome.id}' before {' and '.join(repr(o) for o in won)} in "
                    "'outcomes' if it should win, or narrow those rules"
                )
            yield Problem(
                self.file,
                outcome.line,
                f"outcomes[{index}]",
                f"outcome '{outcome.id}' can never be the result: {why}",
            )

    def questions(self) -> Iterator[Problem]:
        for index, question in enumerate(self.pack.questions):
            if question.when is None or self.search.satisfiable(self.space.when[question.id]):
                continue
            yield Problem(
                self.file,
                question.line,
                f"questions[{index}].when",
                f"question '{question.id}' is never asked: its 'when' can never hold: "
                f"{describe(question.when)}",
            )

    def rule(self, rule: Rule) -> Iterator[Problem]:
        when = self.rule_when[rule.id]
        index = self.rule_index[rule.id]
        path = f"rules[{index}]"
        if self.search.satisfiable(self.fires[rule.id]):
            yield from self.sessions(rule, path)
            return
        if not self.search.satisfiable(when):
            why = f"its 'when' can never hold: {self.contradiction(rule)}"
        else:
            possible = [
                o.id
                for o in self.pack.outcomes
                if self.search.satisfiable(_and([when, self.final[o.id]]))
            ]
            if not possible:
                why = "its 'when' holds only for answers that get no outcome"
            elif not rule.if_outcome:
                why = (
                    f"it only decides '{rule.outcome}', and whenever it holds an outcome listed "
                    f"before it wins ({' or '.join(possible)})"
                )
            else:
                listed = ", ".join(rule.if_outcome)
                why = (
                    f"its if_outcome [{listed}] never coincides with its 'when': whenever "
                    f"it holds, the outcome is {' or '.join(possible)}"
                )
        yield Problem(self.file, rule.line, path, f"rule '{rule.id}' can never fire: {why}")

    def sessions(self, rule: Rule, path: str) -> Iterator[Problem]:
        """A rule that fires but whose sessions an earlier rule always gives instead."""
        if rule.sessions is None:
            return
        index = self.rule_index[rule.id]
        earlier = [r.id for r in self.pack.rules[:index] if r.sessions is not None]
        fires = self.fires[rule.id]
        alone = _and([fires, *(_not(self.fires[r]) for r in earlier)])
        if not earlier or self.search.satisfiable(alone):
            return
        overlap = [r for r in earlier if self.search.satisfiable(_and([fires, self.fires[r]]))]
        names = ", ".join(f"'{r}'" for r in overlap)
        yield Problem(
            self.file,
            rule.line,
            f"{path}.sessions",
            f"rule '{rule.id}' can never give its sessions: whenever it fires, an earlier rule "
            f"with sessions fires too ({names}) and the first one's sessions win; move it "
            "before them, narrow them, or drop its sessions",
        )

    def invariant(self, index: int, invariant: Invariant) -> Iterator[Problem]:
        path = f"invariants[{index}]"
        when = self.space.formula(invariant.when)
        if invariant.when is not None and not self.search.satisfiable(when):
            yield Problem(
                self.file,
                invariant.line,
                f"{path}.when",
                f"invariant '{invariant.id}' proves nothing: its 'when' can never hold: "
                f"{describe(invariant.when)}; widen it or remove the invariant",
            )
            return
        broken = self.search.witness(_and([when, _not(self.claims(invariant))]))
        if broken is None:
            return
        yield Problem(
            self.file,
            invariant.line,
            path,
            f"invariant '{invariant.id}' does not hold: for example {self.example(broken)}, "
            f"{self.breach(invariant, broken)}; change the rules, or the invariant if it "
            "promises too much",
        )

    def claims(self, invariant: Invariant) -> Formula:
        """What an invariant says of every report its `when` covers, as one formula."""
        parts: list[Formula] = []
        if invariant.outcome_in:
            parts.append(self.outcome_in(invariant.outcome_in))
        parts.extend(self.fires[r] for r in invariant.contributes)
        parts.extend(_not(self.fires[r]) for r in invariant.not_contributes)
        if invariant.sessions is not None:
            given = _or(self.fires[r.id] for r in self.pack.rules if r.sessions is not None)
            parts.append(given if invariant.sessions == "given" else _not(given))
        for first, second in itertools.combinations(dict.fromkeys(invariant.exclusive), 2):
            parts.append(_not(_and([self.fires[first], self.fires[second]])))
        return _and(parts)

    def breach(self, invariant: Invariant, answers: Mapping[str, Answer]) -> str:
        """What the engine makes of a counterexample that the invariant forbids."""
        held = holding(self.pack, answers)
        outcome = outcome_of(self.pack, held)
        rules = contributing(self.pack, outcome, held)
        present = [r.id for r in rules]
        found: list[str] = []
        if invariant.outcome_in and outcome not in invariant.outcome_in:
            found.append(f"the outcome is {outcome}")
        found += [f"'{r}' does not contribute" for r in invariant.contributes if r not in present]
        found += [f"'{r}' contributes" for r in invariant.not_contributes if r in present]
        giving = [r.id for r in rules if r.sessions is not None]
        if invariant.sessions == "none" and giving:
            found.append(f"'{giving[0]}' gives sessions")
        elif invariant.sessions == "given" and not giving:
            found.append("no rule gives sessions")
        together = [r for r in dict.fromkeys(invariant.exclusive) if r in present]
        if len(together) > 1:
            found.append(f"{' and '.join(repr(r) for r in together)} contribute together")
        return " and ".join(found)

    def fires_under(self, rule: Rule) -> tuple[str, ...]:
        """The final outcomes under which a rule fires (as the engine decides)."""
        if rule.if_outcome:
            return rule.if_outcome
        if rule.outcome is not None and decides_only(rule):
            return (rule.outcome,)  # a rule that only decides adds nothing when it loses
        return tuple(o.id for o in self.pack.outcomes)

    def contradiction(self, rule: Rule) -> str:
        """The smallest part of an impossible `when` that is already impossible."""
        condition = cast(Condition, rule.when)
        parts = list(condition.items) if isinstance(condition, AllOf) else [condition]
        core = list(parts)
        for part in parts:
            trial = [p for p in core if p is not part]
            if trial and not self.search.satisfiable(_and(map(self.space.formula, trial))):
                core = trial
        if isinstance(condition, AnyOf) and not condition.items:
            return "'any: []' never holds"
        shown = " and ".join(describe(p) for p in core)
        text = f"{shown} cannot hold together" if len(core) > 1 else f"{shown} is impossible"
        gated = [
            q
            for q in self.pack.questions
            if q.when is not None and q.id in {c.question for p in core for c in questions_in(p)}
        ]
        for question in gated:
            text += f" ('{question.id}' is asked only when {describe(question.when)})"
        return text


def format_answers(
    pack: RulePack, answers: Mapping[str, Answer], only: Iterable[str] | None = None
) -> str:
    """Answers as ``id=value`` pairs in question order, the way an answers file reads."""
    shown_ids = set(answers if only is None else only)
    parts = []
    for question in pack.questions:
        if question.id in answers and question.id in shown_ids:
            value = answers[question.id]
            if isinstance(value, bool):
                shown = "true" if value else "false"
            elif isinstance(value, Decimal):
                shown = decimal_text(value)
            elif isinstance(value, tuple):
                shown = "[" + ", ".join(value) + "]"
            else:
                shown = str(value)
            parts.append(f"{question.id}={shown}")
    return ", ".join(parts) if parts else "(no answers)"
