"""Exact reachability and totality: proofs, problems with reasons, concrete counterexamples."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesoguide import analysis
from mesoguide.analysis import analyze
from mesoguide.engine import assess, decide, holding
from mesoguide.errors import AnswersError, PackError
from mesoguide.loader import build_pack, load_pack
from mesoguide.model import Answer, Invariant, RulePack
from mesoguide.runner import from_mapping
from mesoguide.yamlsafe import Located
from tests.analysis_support import fires_witness
from tests.conftest import ROOT, load_script
from tests.packs import SMALL_PACK, write_pack


def _problems(tmp_path: Path, text: str) -> list[str]:
    pack = load_pack(write_pack(tmp_path, text))
    return [str(p).replace(str(tmp_path) + "/", "") for p in analyze(pack).problems]


def test_default_pack_is_proved_sound_within_a_second(pack: RulePack) -> None:
    """Proves the built-in pack total and every rule reachable, in well under a second."""
    start = time.perf_counter()
    result = analyze(pack)
    elapsed = time.perf_counter() - start
    assert result.problems == ()
    assert result.decided
    assert elapsed < 1.0


def test_example_pack_without_a_fallback_is_proved_total() -> None:
    """Proves totality of a pack whose outcome rules only cover every case between them."""
    result = analyze(load_pack(ROOT / "examples" / "microneedling"))
    assert result.problems == ()


def test_small_pack_is_sound(tmp_path: Path) -> None:
    """Finds nothing wrong with the small test pack."""
    assert _problems(tmp_path, SMALL_PACK) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "when: {question: age, op: ge, value: 18}",
            "when: {question: age, op: ge, value: 21}",
            "pack.yaml:11: outcomes: no rule decides an outcome for some answers, for example "
            "age=18 (whatever the other answers); add a rule without 'when' that decides a "
            "fallback outcome, or widen the conditions",
        ),
        (
            "when: {question: detail, value: x}",
            "when: {all: [{question: detail, value: x}, {question: detail, value: y}]}",
            "pack.yaml:41: rules[2]: rule 'about_a' can never fire: its 'when' can never hold: "
            "detail = x and detail = y cannot hold together ('detail' is asked only when wants "
            "contains a)",
        ),
        (
            "    when: {question: detail, value: x}\n    if_outcome: [maybe]",
            "    when: {all: [{question: detail, value: x}, {question: age, op: gt, value: 20}]}\n"
            "    if_outcome: [reject]",
            "pack.yaml:41: rules[2]: rule 'about_a' can never fire: its if_outcome [reject] "
            "never coincides with its 'when': whenever it holds, the outcome is maybe",
        ),
        (
            "when: {question: age, op: lt, value: 18}",
            "when: {question: age, op: gt, value: 99}",
            "pack.yaml:31: rules[0]: rule 'too_young' can never fire: its 'when' can never "
            "hold: age > 99 is impossible",
        ),
        (
            "  P2: Another point.\n",
            "  P2: Another point.\n  P3: Nobody cites this.\n",
            "pack.yaml:10: guidance.P3: guidance point 'P3' is not mirrored by any rule: cite "
            "it in a rule's 'guidance' or remove it",
        ),
        (
            "    when: {question: wants, op: contains, value: a}\n",
            "    when: {all: [{question: wants, op: contains, value: a}, "
            "{question: wants, op: contains, value: none}]}\n",
            "pack.yaml:23: questions[2].when: question 'detail' is never asked: its 'when' can "
            "never hold: (wants contains a and wants contains none)",
        ),
        (
            "  - id: wants\n    type: multiple\n    label: Wants?\n    min: 1\n",
            "  - id: wants\n    type: multiple\n    label: Wants?\n    min: 4\n",
            "pack.yaml:15: questions[1]: question 'wants' cannot be answered: no choice of its "
            "values meets its min, max and exclusive choices",
        ),
    ],
    ids=[
        "gap",
        "contradiction",
        "if-outcome",
        "out-of-range",
        "unused",
        "never-asked",
        "unanswerable",
    ],
)
def test_reports_each_problem_with_its_reason(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    """Reports a rule that cannot fire with its reason, and a gap with a concrete example."""
    assert old in SMALL_PACK
    problems = _problems(tmp_path, SMALL_PACK.replace(old, new))
    assert expected in problems


def test_reports_an_outcome_always_shadowed_by_an_earlier_one(tmp_path: Path) -> None:
    """Says when an outcome can never be the result because an earlier one always wins."""
    text = (
        SMALL_PACK.replace(
            "when: {question: age, op: ge, value: 18}", "when: {question: age, op: lt, value: 10}"
        )
        + "  - {id: always_reject, outcome: reject}\n"
    )
    problems = _problems(tmp_path, text)
    assert (
        "pack.yaml:12: outcomes[1]: outcome 'maybe' can never be the result: whenever 'fine' "
        "holds, a rule deciding an outcome listed before it holds too ('too_young' decides "
        "'reject', 'always_reject' decides 'reject'); list 'maybe' before 'reject' in "
        "'outcomes' if it should win, or narrow those rules"
    ) in problems


def test_reports_a_sessions_rule_always_overshadowed_by_an_earlier_one(tmp_path: Path) -> None:
    """Says when a rule fires but an earlier rule's sessions always win over its own."""
    text = SMALL_PACK + (
        "  - {id: short_plan, if_outcome: [maybe], sessions: {min: 3, max: 6}}\n"
        "  - {id: long_plan, when: {question: age, op: ge, value: 40}, advice: [Plan.],\n"
        "     sessions: {min: 10, max: 15}}\n"
    )
    assert _problems(tmp_path, text) == [
        "pack.yaml:47: rules[4].sessions: rule 'long_plan' can never give its sessions: "
        "whenever it fires, an earlier rule with sessions fires too ('short_plan') and the "
        "first one's sessions win; move it before them, narrow them, or drop its sessions"
    ]
    sometimes = text.replace(
        "if_outcome: [maybe], sessions", "when: {question: detail, value: y}, sessions"
    )
    assert _problems(tmp_path, sometimes) == []


def test_reports_a_rule_that_only_decides_and_always_loses(tmp_path: Path) -> None:
    """Says when a rule whose only effect is its outcome can never win precedence."""
    text = SMALL_PACK + "  - {id: adult, when: {question: age, op: lt, value: 5}, outcome: maybe}\n"
    problems = _problems(tmp_path, text)
    assert (
        "pack.yaml:46: rules[3]: rule 'adult' can never fire: it only decides 'maybe', and "
        "whenever it holds an outcome listed before it wins (reject)"
    ) in problems


def test_says_clearly_when_a_pack_is_too_large_to_decide(pack: RulePack) -> None:
    """Stops at the work budget with a clear problem instead of running on."""
    result = analyze(pack, budget=50)
    assert not result.decided
    assert [p.message for p in result.problems] == [
        "cannot prove the pack sound: the answer space is too large to decide within 50 "
        "steps; split long conditions into smaller rules"
    ]


def test_says_clearly_when_a_multiple_choice_has_too_many_subsets(tmp_path: Path) -> None:
    """Refuses to enumerate the subsets of more than 12 mentioned choices, and says why."""
    values = [f"v{i}" for i in range(13)]
    choices = "".join(f"      - {{value: {v}, label: {v}}}\n" for v in values)
    text = SMALL_PACK.replace(
        "      - {value: a, label: A}\n", f"      - {{value: a, label: A}}\n{choices}"
    ).replace(
        "    when: {question: detail, value: x}\n",
        f"    when: {{question: wants, op: contains_all, value: [{', '.join(values)}]}}\n",
    )
    result = analyze(load_pack(write_pack(tmp_path, text)))
    assert not result.decided
    assert [p.message for p in result.problems] == [
        "cannot prove the pack sound: conditions name 14 choices of multiple-choice question "
        "'wants', too many subsets to decide; the limit is 12"
    ]


@pytest.mark.parametrize("rule", [r.id for r in load_pack(ROOT / "rules" / "mesotherapy").rules])
def test_every_witness_really_makes_its_rule_fire(pack: RulePack, rule: str) -> None:
    """Gives, for each rule, valid answers under which the engine fires it."""
    answers = fires_witness(pack, rule)
    assert answers is not None
    raw = {
        key: list(value) if isinstance(value, tuple) else value for key, value in answers.items()
    }
    report = assess(pack, from_mapping(pack, raw))
    assert rule in report.rules_fired


# -- the analysis agrees with brute force on generated packs --------------------------------
ATOMS = [
    {"question": "n", "op": op, "value": v} for op in ("lt", "le", "eq", "ge") for v in (1, 3)
] + [
    {"question": "b", "value": True},
    {"question": "c", "value": "x"},
    {"question": "c", "op": "in", "value": ["x", "y"]},
    {"question": "m", "op": "contains", "value": "p"},
    {"question": "m", "op": "contains_any", "value": ["p", "q"]},
    {"question": "m", "op": "contains_all", "value": ["p", "q"]},
    {"question": "m", "op": "answered"},
]
conditions = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=5,
)


def _generated(
    first: object, second: object, third: object, gate: object, invariant: object = None
) -> RulePack:
    data: dict[str, object] = {
        "pack": {"id": "gen", "version": "1", "title": "T", "treatment": "t", "disclaimer": "D"},
        "outcomes": [{"id": i, "label": i, "summary": i} for i in ("alpha", "beta")],
        "questions": [
            {"id": "n", "type": "integer", "label": "N", "min": 0, "max": 5},
            {"id": "b", "type": "boolean", "label": "B"},
            {
                "id": "c",
                "type": "choice",
                "label": "C",
                "required": False,
                "choices": [{"value": v, "label": v} for v in ("x", "y", "z")],
            },
            {
                "id": "m",
                "type": "multiple",
                "label": "M",
                "max": 2,
                "when": gate,
                "choices": [
                    {"value": "p", "label": "p"},
                    {"value": "q", "label": "q"},
                    {"value": "r", "label": "r"},
                    {"value": "s", "label": "s", "exclusive": True},
                ],
            },
        ],
        "rules": [
            # outcome rules with an effect fire whatever the final outcome, on every engine
            {"id": "one", "when": first, "outcome": "alpha", "advice": "a"},
            {"id": "two", "when": second, "outcome": "beta", "advice": "b"},
            {"id": "three", "when": third, "if_outcome": ["beta"], "advice": "x"},
        ],
    }
    if invariant is not None:  # a total pack with decides-only and sessions rules, and a promise
        data["rules"] = [
            {"id": "one", "when": first, "outcome": "alpha", "advice": "a"},
            {"id": "two", "when": second, "outcome": "alpha"},
            {"id": "three", "when": third, "sessions": {"min": 1, "max": 2}},
            {"id": "four", "if_outcome": ["beta"], "sessions": {"min": 3, "max": 4}},
            {"id": "fallback", "outcome": "beta"},
        ]
        data["invariants"] = [invariant]
    return build_pack(Located(data), Path("gen.yaml"), "0")


def _every_answer_set(pack: RulePack) -> list[dict[str, Answer]]:
    multiples: list[tuple[str, ...]] = [
        s for k in range(3) for s in itertools.combinations("pqr", k)
    ] + [("s",)]
    found = []
    for n, b, c, m in itertools.product(range(6), (False, True), ("x", "y", "z", None), multiples):
        answers: dict[str, Answer] = {"n": n, "b": b}
        if c is not None:
            answers["c"] = c
        if pack.question_tests["m"](answers):
            answers["m"] = m
        found.append(answers)
    # Only what the runner can produce: it stores no empty list of choices, for one.
    return [answers for answers in found if _kept(pack, answers)]


def _kept(pack: RulePack, answers: dict[str, Answer]) -> bool:
    raw = {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}
    try:
        return dict(from_mapping(pack, raw).values) == answers
    except AnswersError:
        return False


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    conditions,
    conditions,
    conditions,
    st.sampled_from([None, {"question": "b", "value": True}, {"question": "c", "value": "z"}]),
)
def test_agrees_with_brute_force(
    first: object, second: object, third: object, gate: object
) -> None:
    """Finds a gap, and each rule's reachability, exactly as enumerating every answer set does."""
    pack = _generated(first, second, third, gate)
    gap = False
    fired: set[str] = set()
    for answers in _every_answer_set(pack):
        try:
            decide(pack, holding(pack, answers))
        except PackError:
            gap = True
            continue
        fired.update(assess(pack, answers).rules_fired)
    messages = [p.message for p in analyze(pack).problems]
    assert any("no rule decides an outcome" in m for m in messages) == gap
    for rule in ("one", "two", "three"):
        assert any(f"rule '{rule}' can never fire" in m for m in messages) == (rule not in fired)


def test_counterexample_really_gets_no_outcome(tmp_path: Path) -> None:
    """Gives a counterexample that the engine indeed cannot decide."""
    text = SMALL_PACK.replace(
        "when: {question: age, op: ge, value: 18}", "when: {question: age, op: gt, value: 40}"
    )
    pack = load_pack(write_pack(tmp_path, text))
    space = analysis._Space(pack, analysis.WORK_BUDGET)
    checker = analysis._Checker(pack, space)
    gap = checker.search.witness(analysis._not(checker.some_outcome))
    assert gap is not None
    with pytest.raises(PackError):
        decide(pack, holding(pack, gap))


# -- invariants: promises over every report, proved or refuted with a counterexample ---------
INVARIANT_PACK = SMALL_PACK + (
    "  - {id: plan, if_outcome: [maybe], sessions: {min: 3, max: 6}}\n"
    "  - {id: see_someone, advice: [Talk to a professional.]}\n"
    "invariants:\n"
)


@pytest.mark.parametrize(
    "invariant",
    [
        "{id: minors, when: {question: age, op: lt, value: 18}, outcome: reject}",
        "{id: any_result, outcome_in: [reject, maybe]}",
        "{id: always_told, contributes: [see_someone]}",
        "{id: adults, when: {question: age, op: ge, value: 18}, contributes: [fine, plan]}",
        "{id: no_a_for_minors, when: {question: age, op: lt, value: 18}, "
        "not_contributes: [about_a]}",
        "{id: no_plan_for_minors, when: {question: age, op: lt, value: 18}, sessions: none}",
        "{id: plan_for_adults, when: {question: age, op: ge, value: 18}, sessions: given}",
        "{id: one_verdict, exclusive: [too_young, fine]}",
        "{id: a_not_for_minors, exclusive: [too_young, about_a]}",
    ],
    ids=["outcome", "outcome-in", "contributes", "contributes-when", "not-contributes",
         "sessions-none", "sessions-given", "exclusive", "exclusive-by-outcome"],
)  # fmt: skip
def test_proves_an_invariant_that_holds(tmp_path: Path, invariant: str) -> None:
    """Proves each kind of invariant over every answer set of a small pack."""
    assert _problems(tmp_path, INVARIANT_PACK + f"  - {invariant}\n") == []


@pytest.mark.parametrize(
    ("invariant", "expected"),
    [
        ("{id: a_means_maybe, when: {question: wants, op: contains, value: a}, outcome: maybe}",
         "invariant 'a_means_maybe' does not hold: for example age=0, wants=[a] (whatever the "
         "other answers), the outcome is reject"),
        ("{id: rejected, outcome_in: [reject]}",
         "invariant 'rejected' does not hold: for example age=18 (whatever the other answers), "
         "the outcome is maybe"),
        ("{id: always_a, contributes: [see_someone, about_a]}",
         "invariant 'always_a' does not hold: for example wants=[a], detail=y (whatever the "
         "other answers), 'about_a' does not contribute"),
        ("{id: never_fine, when: {question: wants, op: contains, value: b}, "
         "not_contributes: [fine]}",
         "invariant 'never_fine' does not hold: for example age=18, wants=[b] (whatever the "
         "other answers), 'fine' contributes"),
        ("{id: no_plan, sessions: none}",
         "invariant 'no_plan' does not hold: for example age=18 (whatever the other answers), "
         "'plan' gives sessions"),
        ("{id: a_plan, sessions: given}",
         "invariant 'a_plan' does not hold: for example age=0 (whatever the other answers), "
         "no rule gives sessions"),
        ("{id: apart, exclusive: [fine, about_a]}",
         "invariant 'apart' does not hold: for example age=18, wants=[a], detail=x (whatever "
         "the other answers), 'fine' and 'about_a' contribute together"),
        ("{id: both, when: {question: age, op: lt, value: 18}, outcome: maybe, "
         "sessions: given}",
         "invariant 'both' does not hold: for example age=0 (whatever the other answers), "
         "the outcome is reject and no rule gives sessions"),
    ],
    ids=["outcome", "outcome-in", "contributes", "not-contributes", "sessions-none",
         "sessions-given", "exclusive", "several-claims"],
)  # fmt: skip
def test_refutes_a_broken_invariant_with_a_counterexample(
    tmp_path: Path, invariant: str, expected: str
) -> None:
    """Prints an answer set under which the engine breaks the invariant, and what it does."""
    line = INVARIANT_PACK.count("\n") + 1
    assert _problems(tmp_path, INVARIANT_PACK + f"  - {invariant}\n") == [
        f"pack.yaml:{line}: invariants[0]: {expected}; change the rules, or the invariant if "
        "it promises too much"
    ]


def test_an_invariant_counterexample_really_breaks_it(tmp_path: Path) -> None:
    """Gives a counterexample that the engine, run on it, indeed breaks the promise with."""
    text = INVARIANT_PACK + "  - {id: apart, exclusive: [fine, about_a]}\n"
    pack = load_pack(write_pack(tmp_path, text))
    checker = analysis._Checker(pack, analysis._Space(pack, analysis.WORK_BUDGET))
    invariant = pack.invariants[0]
    broken = checker.search.witness(analysis._not(checker.claims(invariant)))
    assert broken is not None
    report = assess(pack, from_mapping(pack, {k: list(v) if isinstance(v, tuple) else v
                                              for k, v in broken.items()}))  # fmt: skip
    assert {"fine", "about_a"} <= set(report.rules_fired)


def test_says_when_an_invariant_can_never_apply(tmp_path: Path) -> None:
    """Reports an invariant whose `when` never holds: it would pass while proving nothing."""
    text = (
        INVARIANT_PACK
        + "  - {id: never, when: {question: age, op: gt, value: 99}, outcome: maybe}\n"
    )
    line = INVARIANT_PACK.count("\n") + 1
    assert _problems(tmp_path, text) == [
        f"pack.yaml:{line}: invariants[0].when: invariant 'never' proves nothing: its 'when' can "
        "never hold: age > 99; widen it or remove the invariant"
    ]


def test_names_an_optional_question_left_blank_in_a_gap(tmp_path: Path) -> None:
    """Says which optional question must be left blank for the gap, not 'whatever' it is."""
    text = SMALL_PACK.replace(
        "when: {question: age, op: ge, value: 18}",
        "when: {all: [{question: age, op: ge, value: 18}, {question: note, op: answered}]}",
    ).replace("rules:\n", "  - {id: note, type: boolean, label: Note?, required: false}\nrules:\n")
    assert (
        "pack.yaml:11: outcomes: no rule decides an outcome for some answers, for example "
        "age=18, note left blank (whatever the other answers); add a rule without 'when' that "
        "decides a fallback outcome, or widen the conditions"
    ) in _problems(tmp_path, text)


DEFAULT_PACK_TEXT = (ROOT / "rules" / "mesotherapy" / "pack.yaml").read_text(encoding="utf-8")


SCREEN_BLANK = "when: {{not: {{question: {q}, op: answered}}}}\n    advice"
ONLY_FOR_CANDIDATES = "  - id: {r}\n    if_outcome: [candidate]\n"


@pytest.mark.parametrize(
    ("invariant", "old", "new"),
    [
        ("positive_screen_refers",
         "    outcome: refer\n    referral:\n      en: You have diabetes",
         "    referral:\n      en: You have diabetes"),
        ("unlisted_concern_is_not_covered",
         "    when: {not: *named_concern}\n    outcome: not_indicated",
         "    when: {not: *named_concern}\n    outcome: candidate"),
        ("no_referral_without_a_positive_screen",
         "when: {question: medical_conditions, op: contains, value: diabetes}\n    outcome: refer",
         "when: {question: medical_conditions, op: contains, value: none}\n    outcome: refer"),
        ("one_headline",
         "  - id: concern_not_covered\n    when: {not: *named_concern}\n    if_outcome: [refer]",
         "  - id: concern_not_covered\n    when: {not: *named_concern}\n"
         "    if_outcome: [refer, not_indicated]"),
        ("no_plan_without_sessions",
         "when: {question: sessions_possible, op: ge, value: 1}\n    if_outcome: [candidate]",
         "when: {question: sessions_possible, op: ge, value: 0}\n    if_outcome: [candidate]"),
        ("zero_sessions_explained",
         "  - id: no_sessions_possible\n    when: {question: sessions_possible, value: 0}",
         "  - id: no_sessions_possible\n    when: {question: sessions_possible, value: 1}"),
        *[
            (f"{name}_blank_is_said",
             SCREEN_BLANK.format(q=question),
             f"when: {{question: {question}, value: false}}\n    advice")
            for name, question in [
                ("scarring", "scarring_or_pigment_disorder"),
                ("recent_treatment", "recent_treatment_in_area"),
                ("bruising_medicines", "bruising_medicines"),
                ("liver_or_kidney", "liver_or_kidney_disease"),
            ]
        ],
        ("cold_sores_blank_is_said",
         "        - not: {question: cold_sores, op: answered}\n    advice",
         "        - {question: cold_sores, value: false}\n    advice"),
        ("every_report_carries_the_facts",
         "  - id: fda_no_evidence\n",
         ONLY_FOR_CANDIDATES.format(r="fda_no_evidence")),
        ("cellulite_cause_explained",
         "  - id: cellulite_not_a_fat_problem\n",
         ONLY_FOR_CANDIDATES.format(r="cellulite_not_a_fat_problem")),
        ("trade_off_reaches_everyone_with_a_listed_concern",
         "  - id: invasiveness_compared\n",
         ONLY_FOR_CANDIDATES.format(r="invasiveness_compared")),
        ("bruising_medicines_noted",
         "  - id: note_bruising_medicines\n",
         ONLY_FOR_CANDIDATES.format(r="note_bruising_medicines")),
        ("liver_or_kidney_noted",
         "  - id: note_liver_or_kidney\n",
         ONLY_FOR_CANDIDATES.format(r="note_liver_or_kidney")),
        ("cold_sores_noted",
         "  - id: note_cold_sores\n",
         ONLY_FOR_CANDIDATES.format(r="note_cold_sores")),
    ],
)  # fmt: skip
def test_each_default_invariant_fails_when_broken_on_purpose(
    tmp_path: Path, invariant: str, old: str, new: str
) -> None:
    """Refutes each shipped invariant, with a counterexample, once the rule behind it breaks."""
    assert DEFAULT_PACK_TEXT.count(old) == 1, old
    problems = _problems(tmp_path, DEFAULT_PACK_TEXT.replace(old, new))
    broken = [p for p in problems if f"invariant '{invariant}' does not hold: for example " in p]
    assert len(broken) == 1, problems


def test_every_default_invariant_is_broken_by_some_test() -> None:
    """The table above breaks each invariant the default pack states, and only those."""
    pack = load_pack(ROOT / "rules" / "mesotherapy")
    table = test_each_default_invariant_fails_when_broken_on_purpose.pytestmark[0].args[1]
    assert sorted(i.id for i in pack.invariants) == sorted(row[0] for row in table)
    assert analyze(pack).problems == ()


# -- the fast search agrees with the first, ordered one ----------------------------------------
def _bench() -> object:
    return load_script("benchmarks/proof_bench.py")


def _holds(space: analysis._Space, formula: analysis.Formula, answers: dict[str, Answer]) -> bool:
    for question in space.pack.questions:
        formula = space.substitute(formula, question.id, answers)
    assert formula in (analysis.TRUE, analysis.FALSE)
    return formula == analysis.TRUE


@pytest.mark.parametrize(
    "source",
    [
        "rules/mesotherapy",
        "examples/microneedling",
        "gen:24:inv",
        "gen:32:5:inv",
        "gen:40",
        "gen:40:3",
        "gen:48:11",
    ],
)
def test_fast_search_agrees_with_the_ordered_search(
    source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decides every query of the analysis as the pack-order search does, with real witnesses."""
    from tests.reference_search import OrderedSearch

    if source.startswith("gen:"):
        _, size, *rest = source.split(":")
        seed = next((int(word) for word in rest if word.isdigit()), 7)
        pack = _bench().make_pack(int(size), seed, invariants="inv" in rest)  # type: ignore[attr-defined]
    else:
        pack = load_pack(ROOT / source)
    asked: list[analysis.Formula] = []
    spaces: list[analysis._Space] = []
    original = analysis._Search.witness

    def recording(self: analysis._Search, formula: analysis.Formula) -> dict[str, Answer] | None:
        asked.append(formula)
        spaces.append(self.space)
        return original(self, formula)

    monkeypatch.setattr(analysis._Search, "witness", recording)
    monkeypatch.setattr(analysis._Search, "satisfiable", lambda s, f: recording(s, f) is not None)
    assert analyze(pack).decided
    monkeypatch.undo()
    space = spaces[0]  # the atoms the formulas name
    space.budget = analysis.WORK_BUDGET
    fast, ordered = analysis._Search(space), OrderedSearch(space)
    assert len(asked) > len(pack.rules)
    for formula in asked:
        found = fast.witness(formula)
        assert (found is not None) == ordered.satisfiable(formula)
        if found is not None:
            assert _holds(space, formula, found)


def test_decides_a_generated_pack_of_300_questions_and_rules() -> None:
    """Decides a 300-question, 300-rule pack with invariants, in a bounded amount of work."""
    pack = _bench().make_pack(300)  # type: ignore[attr-defined]
    result = analyze(pack)
    assert result.decided
    assert result.work < 200_000  # deterministic, unlike time on a shared machine (~40,000)


RULE_IDS = ["one", "two", "three", "four", "fallback"]
claims = st.fixed_dictionaries(
    {},
    optional={
        "outcome_in": st.lists(st.sampled_from(["alpha", "beta"]), min_size=1, unique=True),
        "contributes": st.lists(st.sampled_from(RULE_IDS), min_size=1, max_size=2, unique=True),
        "not_contributes": st.lists(st.sampled_from(RULE_IDS), min_size=1, max_size=2, unique=True),
        "sessions": st.sampled_from(["none", "given"]),
        "exclusive": st.lists(st.sampled_from(RULE_IDS), min_size=2, max_size=3, unique=True),
    },
).filter(bool)


def _keeps(pack: RulePack, invariant: Invariant, answers: dict[str, Answer]) -> bool:
    """Whether the engine's report for these answers keeps the promise (brute force)."""
    decision = decide(pack, holding(pack, answers))
    outcome, present = decision.outcome.id, list(decision.rules_fired)
    sessions = any(pack.rules[RULE_IDS.index(r)].sessions for r in present)
    return (
        (not invariant.outcome_in or outcome in invariant.outcome_in)
        and all(r in present for r in invariant.contributes)
        and not any(r in present for r in invariant.not_contributes)
        and invariant.sessions != ("none" if sessions else "given")
        and sum(r in present for r in invariant.exclusive) <= 1
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    conditions,
    conditions,
    conditions,
    st.one_of(st.none(), conditions),
    claims,
    st.sampled_from([None, {"question": "b", "value": True}]),
)
def test_proves_invariants_exactly_as_brute_force(
    first: object, second: object, third: object, when: object, claim: dict, gate: object
) -> None:
    """Refutes an invariant exactly when some answer set's report breaks it, and that one does."""
    invariant_data = {"id": "promise", **claim, **({"when": when} if when is not None else {})}
    pack = _generated(first, second, third, gate, invariant_data)
    invariant = pack.invariants[0]
    from mesoguide.conditions import compile_condition

    covered = compile_condition(invariant.when)
    answer_sets = [a for a in _every_answer_set(pack) if covered(a)]
    broken = [a for a in answer_sets if not _keeps(pack, invariant, a)]
    space = analysis._Space(pack, analysis.WORK_BUDGET)
    checker = analysis._Checker(pack, space)
    if not answer_sets:
        return  # reported as proving nothing; nothing to compare
    problems = list(checker.invariant(0, invariant))
    assert bool(problems) == bool(broken)
    if problems:
        found = checker.search.witness(
            analysis._and([space.formula(invariant.when), analysis._not(checker.claims(invariant))])
        )
        assert found is not None and not _keeps(pack, invariant, found)


def test_an_invariant_splits_answers_at_its_own_thresholds(tmp_path: Path) -> None:
    """Tells apart answers only the invariant's `when` separates (age 90 from age 18)."""
    holds = "  - {id: old_maybe, when: {question: age, op: ge, value: 90}, outcome: maybe}\n"
    assert _problems(tmp_path, INVARIANT_PACK + holds) == []
    fails = "  - {id: old_reject, when: {question: age, op: ge, value: 90}, outcome: reject}\n"
    assert _problems(tmp_path, INVARIANT_PACK + fails) == [
        f"pack.yaml:{INVARIANT_PACK.count(chr(10)) + 1}: invariants[0]: invariant 'old_reject' "
        "does not hold: for example age=90 (whatever the other answers), the outcome is maybe; "
        "change the rules, or the invariant if it promises too much"
    ]


@pytest.mark.parametrize(
    ("question", "fires"),
    [
        ("{id: note, type: boolean, label: Note?, required: false}", True),
        ("{id: note, type: boolean, label: Note?, required: false, default: false}", False),
        ("{id: note, type: boolean, label: Note?, default: false}", False),
    ],
)
def test_a_blank_is_possible_exactly_where_the_runner_leaves_one(
    tmp_path: Path, question: str, fires: bool
) -> None:
    """A rule on a question left unanswered can fire only if no default fills the blank."""
    text = SMALL_PACK.replace("questions:\n", f"questions:\n  - {question}\n") + (
        "  - id: note_unknown\n"
        "    when: {not: {question: note, op: answered}}\n"
        "    advice: [Ask at the visit.]\n"
        "    guidance: [P1]\n"
    )
    never = [p for p in _problems(tmp_path, text) if "'note_unknown' can never fire" in p]
    assert (not never) is fires


# -- decimals split at their thresholds, exactly ------------------------------------------------
GT_399 = "{id: i, when: {question: bmi, op: gt, value: 39.9}, contributes: [bmi_40_or_more]}"
NOT_FIRED = "not_contributes: [bmi_40_or_more]}"
KYBELLA = (ROOT / "tests" / "packs" / "kybella" / "pack.yaml").read_text(encoding="utf-8")
NO_STEP = KYBELLA.replace("    step: 0.1\n", "")


def _kybella_problems(tmp_path: Path, text: str, invariant: str) -> list[str]:
    return [
        p.split(": ", 2)[2] for p in _problems(tmp_path, text + f"  - {invariant}\n")
    ]  # without the file, line and path: the message


@pytest.mark.parametrize(
    ("text", "invariant", "expected"),
    [
        # on a step of 0.1 nothing lies between 39.9 and 40; without a step 39.91 does
        (KYBELLA, GT_399,
         []),
        (NO_STEP, GT_399,
         ["invariant 'i' does not hold: for example bmi=39.91 (whatever the other answers), "
          "'bmi_40_or_more' does not contribute; change the rules, or the invariant if it "
          "promises too much"]),
        # 40 itself is at the threshold: ge 40 holds for it
        (KYBELLA, "{id: i, when: {question: bmi, op: lt, value: 40.05}, " + NOT_FIRED,
         ["invariant 'i' does not hold: for example bmi=40 (whatever the other answers), "
          "'bmi_40_or_more' contributes; change the rules, or the invariant if it promises too "
          "much"]),
        (KYBELLA, "{id: i, when: {question: bmi, op: le, value: 39.95}, " + NOT_FIRED,
         []),
        (NO_STEP, "{id: i, when: {question: bmi, op: le, value: 39.95}, " + NOT_FIRED,
         []),
        (NO_STEP, "{id: i, when: {question: bmi, op: ne, value: 40}, " + NOT_FIRED,
         ["invariant 'i' does not hold: for example bmi=41 (whatever the other answers), "
          "'bmi_40_or_more' contributes; change the rules, or the invariant if it promises too "
          "much"]),
        # min and max bound the pieces: nothing above 80 exists
        (KYBELLA, "{id: i, when: {question: bmi, op: gt, value: 80}, outcome: not_indicated}",
         ["invariant 'i' proves nothing: its 'when' can never hold: bmi > 80; widen it or "
          "remove the invariant"]),
    ],
)  # fmt: skip
def test_splits_a_decimal_exactly_at_its_thresholds(
    tmp_path: Path, text: str, invariant: str, expected: list[str]
) -> None:
    """Proves or refutes promises about values next to a threshold exactly: with a step only
    the values on it exist; without one a value lies between any two."""
    assert _kybella_problems(tmp_path, text, invariant) == expected


@pytest.mark.parametrize("text", [KYBELLA, NO_STEP], ids=["step", "no-step"])
def test_decimal_classes_cover_every_value_and_are_valid_answers(tmp_path: Path, text: str) -> None:
    """Every BMI from 10 to 80 (by hundredths) is told apart by the conditions exactly as one
    of the analysis' classes is, and each class is an answer the runner keeps as it is."""
    from decimal import Decimal

    from mesoguide.answers import AnswerRejected, coerce

    extra = (
        "  - {id: a, when: {question: bmi, op: in, value: [25, 39.95]}, "
        "not_contributes: [under_18]}\n"
        "  - {id: b, when: {question: bmi, op: le, value: 18.45}, not_contributes: [under_18]}\n"
    )
    pack = load_pack(write_pack(tmp_path, text + extra))
    space = analysis._Space(pack, analysis.WORK_BUDGET)
    for condition in [r.when for r in pack.rules] + [i.when for i in pack.invariants]:
        space.formula(condition)  # every test of the pack as an atom
    tests = [test for owner, test in space.atoms if owner == "bmi"]
    assert len(tests) == 5  # ge 40, lt 40, le 39.9, in [25, 39.95], le 18.45
    classes = [cell.answer for cell in space.cells["bmi"]]
    for value in classes:
        assert coerce(pack.question("bmi"), value) == value
    signatures = {tuple(t({"bmi": v}) for t in tests) for v in classes}
    for hundredths in range(1000, 8001):
        try:
            value = coerce(pack.question("bmi"), Decimal(hundredths).scaleb(-2))
        except AnswerRejected:
            continue  # off the step
        assert tuple(t({"bmi": value}) for t in tests) in signatures, value


# decimals against brute force: `d` on a step of 0.25 (five answers), `e` with no step, its
# thresholds on a grid of 0.05 (so a grid of 0.01 holds a value inside every interval)
DECIMAL_ATOMS = [
    {"question": q, "op": op, "value": v}
    for q, values in (("d", (0.1, 0.25, 0.3, 1)), ("e", (0.1, 0.15, 2)))
    for op in ("lt", "le", "eq", "ne", "gt", "ge")
    for v in values
] + [
    {"question": "d", "op": "in", "value": [0.5, 0.6]},
    {"question": "e", "op": "not_in", "value": [0.1, 0.2]},
    {"question": "t", "op": "answered"},
]
decimal_conditions = st.recursive(
    st.sampled_from(DECIMAL_ATOMS),
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=5,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decimal_conditions, decimal_conditions, decimal_conditions)
def test_agrees_with_brute_force_on_decimals_and_text(
    first: object, second: object, third: object
) -> None:
    """Finds a gap, and each rule's reachability, exactly as enumerating every decimal on the
    step (and every hundredth without one) and a text given or not does."""
    from decimal import Decimal

    data: dict[str, object] = {
        "pack": {"id": "gen", "version": "1", "title": "T", "treatment": "t", "disclaimer": "D"},
        "outcomes": [{"id": i, "label": i, "summary": i} for i in ("alpha", "beta")],
        "questions": [
            {"id": "d", "type": "decimal", "label": "D", "min": 0, "max": 1, "step": 0.25},
            {"id": "e", "type": "decimal", "label": "E", "min": 0, "max": 0.3},
            {"id": "t", "type": "text", "label": "T", "required": False},
        ],
        "rules": [
            {"id": "one", "when": first, "outcome": "alpha", "advice": "a"},
            {"id": "two", "when": second, "outcome": "beta", "advice": "b"},
            {"id": "three", "when": third, "if_outcome": ["beta"], "advice": "x"},
        ],
    }
    pack = build_pack(Located(data), Path("gen.yaml"), "0")
    gap, fired = False, set()
    for d, e, t in itertools.product(
        [Decimal(n).scaleb(-2) for n in range(0, 101, 25)],
        [Decimal(n).scaleb(-2) for n in range(31)],
        ("words", None),
    ):
        answers: dict[str, Answer] = {"d": d, "e": e} | ({"t": t} if t else {})
        try:
            decide(pack, holding(pack, answers))
        except PackError:
            gap = True
            continue
        fired.update(assess(pack, answers).rules_fired)
    messages = [p.message for p in analyze(pack).problems]
    assert any("no rule decides an outcome" in m for m in messages) == gap
    for rule in ("one", "two", "three"):
        assert any(f"rule '{rule}' can never fire" in m for m in messages) == (rule not in fired)
