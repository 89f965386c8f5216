"""One pipeline, proved: batch equals `assess`, and the analysis' answer space is the runner's.

Generated valid answer sets (with blank optional questions and values for questions that do
not apply) run through every pack in the repository that exercises the engine: the default
pack, the microneedling example, a test pack of mixed mechanisms and the pack that pins the
engine's documented semantics.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesoguide.analysis import WORK_BUDGET, Cell, _Space
from mesoguide.answers import coerce
from mesoguide.batch import Assessor, Briefs, CsvRows, JsonlRows
from mesoguide.engine import Judge, assess, contributing, gather, holding, outcome_of
from mesoguide.loader import load_pack
from mesoguide.model import Answer, AnswerSet, Question, RulePack, State
from mesoguide.report import brief, report_to_dict
from mesoguide.runner import from_mapping, may_be_blank
from tests.analysis_support import fires_witness
from tests.conftest import ROOT, without_screen_conflicts

PACKS = {
    "mesotherapy": load_pack(ROOT / "rules" / "mesotherapy"),
    "microneedling": load_pack(ROOT / "examples" / "microneedling"),
    "mixed": load_pack(ROOT / "tests" / "packs" / "mixed"),
    "semantics": load_pack(ROOT / "tests" / "packs" / "semantics"),
    "kybella": load_pack(ROOT / "tests" / "packs" / "kybella"),
}
SOME = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def valid(question: Question) -> st.SearchStrategy[object]:
    """A raw value the question accepts, as a file or a JSON line would hold it."""
    if question.type == "integer":
        low = question.min if question.min is not None else -5
        high = question.max if question.max is not None else 10**4
        return st.integers(min_value=low, max_value=high)
    if question.type == "decimal":
        return decimals(question)
    if question.type == "text":
        return texts(question)
    if question.type == "boolean":
        return st.booleans()
    if question.type == "choice":
        return st.sampled_from(question.choice_values)

    def accepted(values: list[str]) -> bool:
        try:
            coerce(question, values)
        except ValueError:
            return False
        return bool(values)

    picks = st.lists(st.sampled_from(question.choice_values), unique=True, min_size=1, max_size=4)
    return picks.filter(accepted)


# What people type in a free text, hostile to every format the text passes through.
AWKWARD = [
    "=1+2", "+44 20", "-", "@x", "[red]x[/red]", "# Heading", "[a](http://x)", "a|b", "a;b",
    'say "hi"', "a, b", "<b>x</b>", "x\ny", "tab\there", "ça", "薬", "  padded  ",
]  # fmt: skip


def texts(question: Question) -> st.SearchStrategy[object]:
    """A text the question takes: printable characters, newlines and tabs, not only blanks."""
    typed = st.text(
        st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029"),
        min_size=1,
        max_size=min(question.max_length, 40),
    )
    return st.one_of(st.sampled_from(AWKWARD), typed).filter(lambda text: bool(text.strip()))


def decimals(question: Question) -> st.SearchStrategy[object]:
    """A decimal the question takes, as a file holds it: a float, an integer or text."""
    low = Decimal(question.min) if question.min is not None else Decimal(-1000)
    high = Decimal(question.max) if question.max is not None else Decimal(1000)
    step = question.step or Decimal("0.01")
    base = Decimal(question.min) if question.min is not None and question.step else Decimal(0)
    first = ((low - base) / step).to_integral_value(rounding="ROUND_CEILING")
    last = ((high - base) / step).to_integral_value(rounding="ROUND_FLOOR")
    values = st.integers(int(first), int(last)).map(lambda n: base + n * step)
    return values.flatmap(
        lambda value: st.sampled_from(
            [float(value), format(value, "f"), *([int(value)] if value % 1 == 0 else [])]
        )
    )


@st.composite
def answer_sets(draw: st.DrawFn, pack: RulePack) -> dict[str, object]:
    """Valid raw answers: blanks where the pack allows them, and extra values for questions
    that will turn out not to apply."""
    raw: dict[str, object] = {}
    for question in pack.questions:
        blank_allowed = may_be_blank(question) or question.default is not None
        if blank_allowed and draw(st.booleans()):
            if draw(st.booleans()):
                raw[question.id] = draw(st.sampled_from([None, ""]))
            continue
        raw[question.id] = draw(valid(question))
    return without_screen_conflicts(pack, raw)


def assessed(pack: RulePack, raw: dict[str, object]) -> AnswerSet:
    return from_mapping(pack, raw)


def as_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


# -- batch = assess ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", PACKS)
def test_batch_records_are_the_report_of_assess_in_brief_and_in_full(name: str) -> None:
    """JSON lines and CSV rows give `assess`'s report: in brief its projection, in full itself."""
    pack = PACKS[name]

    @SOME
    @given(st.lists(answer_sets(pack), min_size=1, max_size=6))
    def check(people: list[dict[str, object]]) -> None:
        reports = [report_to_dict(assess(pack, assessed(pack, raw))) for raw in people]
        briefs = [
            {
                "row": number,
                "candidacy": report["candidacy"],
                # brief records keep their columns: the sessions without their guidance
                "sessions": report["sessions"]
                and {
                    "min": report["sessions"]["min"],
                    "max": report["sessions"]["max"],
                },
                "rules": report["rules_fired"],
                "reasons": [reason["text"] for reason in report["referral_reasons"]],
            }
            for number, report in enumerate(reports, 1)
        ]
        lines = "".join(json.dumps(raw) + "\n" for raw in people)
        brief = Assessor(pack)
        made = [brief.line(row) for row in JsonlRows(io.StringIO(lines), pack, "-")]
        assert [json.loads(text) for _, text in made] == briefs
        # the line is the record's own encoding, byte for byte
        assert [text for _, text in made] == [
            json.dumps(record, ensure_ascii=False) + "\n" for record, _ in made
        ]

        full = Assessor(pack, full=True)
        records = [full.record(row) for row in JsonlRows(io.StringIO(lines), pack, "-")]
        assert [r["report"] for r in records] == reports
        assert [{k: v for k, v in r.items() if k != "report"} for r in records] == briefs

        out = io.StringIO()
        writer = csv.writer(out)
        ids = [q.id for q in pack.questions]
        writer.writerow(ids)
        writer.writerows([[as_cell(raw.get(qid)) for qid in ids] for raw in people])
        rows = CsvRows(io.StringIO(out.getvalue(), newline=""), pack, "in.csv")
        assert [json.loads(brief.line(row)[1]) for row in rows] == briefs

    check()


@pytest.mark.parametrize("name", PACKS)
def test_the_judge_and_the_briefs_of_batch_are_the_engines_definition(name: str) -> None:
    """Judge gives the rules that hold, the outcome and the rules that contribute exactly as
    `holding`, `outcome_of` and `contributing` do; Briefs gives `brief` of `gather` and its
    JSON text, as batch writes it (one Judge throughout, so its memos are hit and missed)."""
    pack = PACKS[name]
    judge, briefs = Judge(pack, limit=16), Briefs(pack)

    @SOME
    @given(answer_sets(pack))
    def check(raw: dict[str, object]) -> None:
        values = assessed(pack, raw).values
        held = holding(pack, values)
        outcome = outcome_of(pack, held)
        rules = contributing(pack, outcome, held)
        assert [rule.id for rule in judge.rules(judge.held(values))] == list(held)
        outcome_bits = judge.judge(values)
        assert outcome_bits[0] == outcome
        assert judge.rules(outcome_bits[1]) == rules
        record, tail = briefs.make(*outcome_bits)
        expected = brief(gather(pack, outcome, rules))
        assert record == expected
        assert tail == ", " + json.dumps(expected, ensure_ascii=False)[1:] + "\n"

    check()


# -- the analysis' answer space is the runner's ------------------------------------------------
def _signature(space: _Space, question: str, value: Answer | None) -> tuple[bool, ...]:
    """How every test of ``question`` judges ``value`` (None: no value)."""
    answers = {} if value is None else {question: value}
    return tuple(test(answers) for owner, test in space.atoms if owner == question)


@pytest.mark.parametrize("name", PACKS)
def test_every_answer_set_the_runner_makes_lies_in_the_analysis_space(name: str) -> None:
    """Each value (or blank) the runner leaves a question with is one of the analysis' classes,
    and the analysis offers a blank exactly where the runner can leave one."""
    pack = PACKS[name]
    space = _Space(pack, WORK_BUDGET)

    @SOME
    @given(answer_sets(pack))
    def check(raw: dict[str, object]) -> None:
        answers = assessed(pack, raw)
        for response in answers.responses(pack):
            qid = response.question.id
            if response.state is State.not_asked:
                continue
            classes = {_signature(space, qid, cell.answer) for cell in space.cells[qid]}
            assert _signature(space, qid, response.value) in classes, (qid, response)

    check()
    for question in pack.questions:
        offers_blank = Cell(None) in space.cells[question.id]
        assert offers_blank is may_be_blank(question), question.id


@pytest.mark.parametrize("name", PACKS)
def test_every_witness_of_the_analysis_is_an_answer_set_the_runner_keeps_as_is(name: str) -> None:
    """Answers the analysis finds for each rule pass the runner unchanged and fire the rule."""
    pack = PACKS[name]
    for rule in pack.rules:
        witness = fires_witness(pack, rule.id)
        assert witness is not None, rule.id
        raw = {k: list(v) if isinstance(v, tuple) else v for k, v in witness.items()}
        answers = from_mapping(pack, raw)
        assert dict(answers.values) == witness, rule.id  # no default added, nothing dropped
        assert not answers.dropped
        assert rule.id in assess(pack, answers).rules_fired


def test_the_mixed_pack_is_in_the_repository_and_sound() -> None:
    """The test pack the properties run over passes `rules check`."""
    from mesoguide.analysis import analyze

    assert analyze(PACKS["mixed"]).problems == ()
    assert Path(PACKS["mixed"].path).is_relative_to(ROOT / "tests")
