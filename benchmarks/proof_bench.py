"""Time `rules check`'s proof on generated packs: n questions and n two-condition rules.

    .venv/bin/python benchmarks/proof_bench.py                    # n = 40, 80, ..., 280, 300
    .venv/bin/python benchmarks/proof_bench.py --sizes 80 160 --runs 5

Each pack is made from a seed, so every run measures the same packs: a mix of yes/no,
integer and choice questions (some optional, some asked only when an earlier answer is yes),
rules whose `when` joins two comparisons of random questions, some deciding one of three
outcomes, the rest contributing under some outcomes, a fallback, a few standing statements,
and three invariants that hold (each one an exhaustive proof).
Prints, per n, the median seconds of `analyze` over the runs, the work it did, and whether it
decided the pack (False: it gave up at its work budget).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from mesoguide.analysis import analyze
from mesoguide.loader import build_pack
from mesoguide.model import RulePack
from mesoguide.yamlsafe import Located

OUTCOMES = ("refer", "wait", "candidate")


def make_pack_data(n: int, seed: int = 7, invariants: bool = True) -> dict[str, Any]:
    """A pack of ``n`` questions and ``n`` rules (plus a fallback), as YAML data."""
    pick = random.Random(seed * 1_000_003 + n)
    questions: list[dict[str, Any]] = []
    for i in range(n):
        kind = ("boolean", "integer", "choice", "boolean")[i % 4]
        question: dict[str, Any] = {"id": f"q{i}", "type": kind, "label": f"Question {i}?"}
        if kind == "integer":
            question.update(min=0, max=100)
        elif kind == "choice":
            question["choices"] = [{"value": v, "label": v} for v in ("a", "b", "c", "d")]
        if i % 5 == 4:
            question["required"] = False
        if i % 7 == 6:
            gate = pick.choice([q for q in questions if q["type"] == "boolean"])
            question["when"] = {"question": gate["id"], "value": True}
        questions.append(question)

    def comparison() -> dict[str, Any]:
        question = pick.choice(questions)
        if question["type"] == "boolean":
            return {"question": question["id"], "value": pick.random() < 0.5}
        if question["type"] == "integer":
            op = pick.choice(("lt", "ge", "gt", "le"))
            return {"question": question["id"], "op": op, "value": pick.randrange(10, 90, 10)}
        values = pick.sample(["a", "b", "c", "d"], pick.randint(1, 2))
        return {"question": question["id"], "op": pick.choice(("in", "not_in")), "value": values}

    rules: list[dict[str, Any]] = []
    for i in range(n):
        rule: dict[str, Any] = {"id": f"r{i}", "when": {"all": [comparison(), comparison()]}}
        roll = pick.random()
        if roll < 0.3:
            rule["outcome"] = pick.choice(OUTCOMES[:2])
            rule["referral"] = f"Reason {i}."
        elif roll < 0.4:
            rule["outcome"] = pick.choice(OUTCOMES[:2])
        else:
            rule["advice"] = f"Advice {i}."
            if pick.random() < 0.5:
                rule["if_outcome"] = pick.sample(OUTCOMES, pick.randint(1, 2))
        rules.append(rule)
    referring = next((r for r in rules if r.get("outcome") == "refer" and "referral" in r), None)
    promises: list[dict[str, Any]] = [{"id": "always_told", "contributes": ["see_someone"]}]
    if referring is not None:
        promises += [
            {"id": "referred", "when": referring["when"], "outcome": "refer", "sessions": "none"},
            {"id": "no_plan_when_referred", "exclusive": ["plan", referring["id"]]},
        ]
    rules.append({"id": "fallback", "outcome": "candidate"})
    rules.append({"id": "plan", "if_outcome": ["candidate"], "sessions": {"min": 3, "max": 6}})
    rules.append({"id": "see_someone", "advice": "Talk to a professional."})
    return {
        "pack": {
            "id": "generated",
            "version": "1",
            "title": "Generated",
            "treatment": "t",
            "disclaimer": "D",
        },
        "outcomes": [{"id": o, "label": o, "summary": o} for o in OUTCOMES],
        "questions": questions,
        "rules": rules,
        "invariants": promises if invariants else [],
    }


def make_pack(n: int, seed: int = 7, invariants: bool = True) -> RulePack:
    """The generated pack of size ``n``, validated by the loader."""
    data = make_pack_data(n, seed, invariants)
    return build_pack(Located(data), Path(f"generated-{n}.yaml"), "0")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[40, 80, 120, 160, 200, 240, 280, 300]
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median shown)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-invariants", action="store_true", help="packs without invariants (as in issue 9)"
    )
    args = parser.parse_args(argv)
    print(f"{'n':>5} {'median s':>9} {'work':>11} decided problems")
    for n in args.sizes:
        pack = make_pack(n, args.seed, invariants=not args.no_invariants)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = analyze(pack)
            times.append(time.perf_counter() - start)
        print(
            f"{n:>5} {statistics.median(times):>9.3f} {result.work:>11,} "
            f"{result.decided!s:<7} {len(result.problems)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
