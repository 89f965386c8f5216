"""The analysis' first search, kept as the reference the fast one must agree with.

It walks the questions in pack order, substitutes each answer class into the formula and
remembers refuted residual formulas: slow on large packs, but simple enough to trust.
"""

from __future__ import annotations

from collections.abc import Mapping

from mesoguide.analysis import FALSE, TRUE, Cell, Formula, _Space
from mesoguide.model import Answer


class OrderedSearch:
    """Finds an answer set that makes a formula true, or proves there is none."""

    def __init__(self, space: _Space) -> None:
        self.space = space
        self.order = [q.id for q in space.pack.questions]

    def witness(self, formula: Formula) -> dict[str, Answer] | None:
        """A complete, valid answer set for which ``formula`` holds, or None if none exists."""
        needed = self.space.questions_of(formula)
        for qid in reversed(self.order):  # `when` only looks back, so one pass closes the set
            if qid in needed:
                needed |= self.space.depends[qid]
        relevant = [qid for qid in self.order if qid in needed]
        whens = tuple(self.space.when[qid] for qid in relevant)
        found = self._solve(relevant, 0, formula, whens, set())
        return None if found is None else self._complete(found)

    def satisfiable(self, formula: Formula) -> bool:
        return self.witness(formula) is not None

    def _solve(
        self,
        relevant: list[str],
        k: int,
        formula: Formula,
        whens: tuple[Formula, ...],
        refuted: set[tuple[int, Formula, tuple[Formula, ...]]],
    ) -> dict[str, Cell] | None:
        if formula == TRUE:
            return {}
        if formula == FALSE or k == len(relevant):
            return None
        key = (k, formula, whens)
        if key in refuted:
            return None
        qid = relevant[k]
        asked = whens[0]
        if asked not in (TRUE, FALSE):  # pragma: no cover - the loader forbids forward refs
            raise AssertionError(f"'when' of {qid} depends on a later question")
        cells = self.space.cells[qid] if asked == TRUE else [Cell(None)]
        for cell in cells:
            given: dict[str, Answer] = {} if cell.answer is None else {qid: cell.answer}
            rest = self.space.substitute(formula, qid, given)
            if rest == FALSE:
                continue
            later = tuple(self.space.substitute(w, qid, given) for w in whens[1:])
            found = self._solve(relevant, k + 1, rest, later, refuted)
            if found is not None:
                found[qid] = cell
                return found
        refuted.add(key)
        return None

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
