"""A pack's own scenarios: answers, and the outcome and rules they must (not) produce."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from mesoguide import yamlsafe
from mesoguide.answers import unknown_keys
from mesoguide.conditions import type_name
from mesoguide.engine import assess
from mesoguide.errors import AnswersError, PackError, Problem, did_you_mean
from mesoguide.loader import Checker
from mesoguide.model import RulePack, Sessions
from mesoguide.runner import from_mapping

SCENARIOS_FILE = "scenarios.yaml"
TOP_KEYS = ("base", "scenarios")
SCENARIO_KEYS = ("name", "answers", "expect")
EXPECT_KEYS = ("outcome", "candidacy", "sessions", "fires", "not_fires")
# `candidacy` is the JSON report's name for the outcome id: scenarios written with it still work.


@dataclass(frozen=True, slots=True)
class Expect:
    outcome: str | None = None
    sessions: Sessions | None = None
    check_sessions: bool = False  # `sessions: null` expects none; no key expects nothing
    fires: tuple[str, ...] = ()
    not_fires: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    answers: Mapping[str, object]  # the base answers with this scenario's merged in
    expect: Expect
    line: int | None


@dataclass(frozen=True, slots=True)
class Result:
    scenario: Scenario
    failures: tuple[str, ...]
    fired: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def scenarios_path(pack: RulePack) -> Path:
    """Where a pack's scenarios live: ``scenarios.yaml`` beside its ``pack.yaml``."""
    return pack.path.parent / SCENARIOS_FILE


def load_scenarios(path: Path, pack: RulePack) -> tuple[Scenario, ...]:
    """Read and check a scenarios file against the pack; every problem is raised at once."""
    shown = str(path)
    try:
        located = yamlsafe.load(yamlsafe.read_text(path, "scenarios file"))
    except yamlsafe.YamlProblem as problem:
        raise PackError([Problem(shown, problem.line, problem.path, problem.message)]) from None
    reader = _Reader(located, shown, pack)
    scenarios = reader.read()
    if reader.problems:
        raise PackError(reader.problems)
    return scenarios


class _Reader(Checker):
    def __init__(self, located: yamlsafe.Located, file: str, pack: RulePack) -> None:
        super().__init__(located, file)
        self.pack = pack
        self.rule_ids = [r.id for r in pack.rules]
        self.outcome_ids = [o.id for o in pack.outcomes]

    def read(self) -> tuple[Scenario, ...]:
        top = self.mapping(self.located.data, "", TOP_KEYS)
        base = self.answers(top.get("base", {}), "base")
        items = top.get("scenarios")
        if not isinstance(items, list) or not items:
            where = "scenarios" if "scenarios" in top else ""
            self.problem(where, "a non-empty list of 'scenarios' is required")
            return ()
        result: list[Scenario] = []
        names: set[str] = set()
        for i, item in enumerate(items):
            path = f"scenarios[{i}]"
            data = self.mapping(item, path, SCENARIO_KEYS)
            if not data:
                continue
            name = data.get("name")
            if not isinstance(name, str) or not name.strip():
                self.problem(path, "'name' is required, as text")
                name = f"#{i + 1}"
            elif name in names:
                self.problem(f"{path}.name", f"duplicate scenario name '{name}'")
            names.add(name)
            answers = {**base}
            for key, value in self.answers(data.get("answers", {}), f"{path}.answers").items():
                if value is None:  # `key: null` removes a base answer
                    answers.pop(key, None)
                else:
                    answers[key] = value
            expect = self.expect(data.get("expect"), f"{path}.expect")
            result.append(Scenario(name, answers, expect, self.located.line(path)))
        return tuple(result)

    def answers(self, raw: object, path: str) -> dict[str, object]:
        if not isinstance(raw, dict):
            self.problem(path, f"expected a mapping of question id to answer, got {type_name(raw)}")
            return {}
        data = cast(dict[str, object], raw)
        for key in unknown_keys(self.pack, data):
            known = [q.id for q in self.pack.questions]
            self.problem(f"{path}.{key}", f"unknown question '{key}'{did_you_mean(key, known)}")
        return data

    def expect(self, raw: object, path: str) -> Expect:
        if raw is None:
            self.problem(path, "'expect' is required: outcome, sessions, fires, not_fires")
            return Expect()
        data = self.mapping(raw, path, EXPECT_KEYS)
        key = "candidacy" if "candidacy" in data else "outcome"
        if "candidacy" in data and "outcome" in data:
            self.problem(f"{path}.candidacy", "give 'outcome' or 'candidacy' (the same), not both")
        outcome = data.get(key)
        if outcome is not None and outcome not in self.outcome_ids:
            self.problem(
                f"{path}.{key}",
                f"unknown outcome {outcome!r}{did_you_mean(str(outcome), self.outcome_ids)}"
                f"; outcomes: {', '.join(self.outcome_ids)}",
            )
        sessions = self.sessions(data, path)
        return Expect(
            outcome=outcome if isinstance(outcome, str) else None,
            sessions=sessions,
            check_sessions="sessions" in data,
            fires=self.rules(data, "fires", path),
            not_fires=self.rules(data, "not_fires", path),
        )

    def sessions(self, data: Mapping[str, object], path: str) -> Sessions | None:
        raw = data.get("sessions")
        if raw is None:
            return None
        where = f"{path}.sessions"
        spec = self.mapping(raw, where, ("min", "max"))
        low, high = self.integer(spec, "min", where), self.integer(spec, "max", where)
        if low is None or high is None:
            if "min" not in spec or "max" not in spec:
                self.problem(where, "expected whole-number 'min' and 'max', or null")
            return None
        return Sessions(low, high)

    def rules(self, data: Mapping[str, object], key: str, path: str) -> tuple[str, ...]:
        raw = data.get(key, [])
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            self.problem(f"{path}.{key}", f"expected a list of rule ids, got {type_name(raw)}")
            return ()
        result = []
        for j, item in enumerate(items):
            if item not in self.rule_ids:
                self.problem(
                    f"{path}.{key}[{j}]",
                    f"unknown rule {item!r}{did_you_mean(str(item), self.rule_ids)}",
                )
            else:
                result.append(item)
        return tuple(result)


def run_scenario(pack: RulePack, scenario: Scenario) -> Result:
    """Assess the scenario's answers and compare the report with what it expects."""
    try:
        answers = from_mapping(pack, scenario.answers)
    except AnswersError as error:
        return Result(scenario, tuple(f"answers rejected: {p}" for p in error.problems), ())
    try:
        report = assess(pack, answers)
    except PackError:
        return Result(scenario, ("no rule decided an outcome for these answers",), ())
    expect = scenario.expect
    fired = report.rules_fired
    failures: list[str] = []
    if expect.outcome is not None and report.candidacy != expect.outcome:
        failures.append(f"outcome is '{report.candidacy}', expected '{expect.outcome}'")
    if expect.check_sessions:
        got = report.sessions
        if (got is None) != (expect.sessions is None) or (
            got is not None
            and expect.sessions is not None
            and (got.min, got.max) != (expect.sessions.min, expect.sessions.max)
        ):
            failures.append(f"sessions are {_sessions(got)}, expected {_sessions(expect.sessions)}")
    failures.extend(f"rule '{r}' did not fire" for r in expect.fires if r not in fired)
    failures.extend(f"rule '{r}' fired, but must not" for r in expect.not_fires if r in fired)
    return Result(scenario, tuple(failures), fired)


def run_scenarios(pack: RulePack, scenarios: Sequence[Scenario]) -> tuple[Result, ...]:
    return tuple(run_scenario(pack, scenario) for scenario in scenarios)


def never_fired(pack: RulePack, results: Sequence[Result]) -> tuple[str, ...]:
    """Rules that no scenario made fire: behaviour the scenarios do not pin yet."""
    fired = {rule for result in results for rule in result.fired}
    return tuple(r.id for r in pack.rules if r.id not in fired)


def _sessions(sessions: Sessions | None) -> str:
    return "none" if sessions is None else f"{sessions.min} to {sessions.max}"
