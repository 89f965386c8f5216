"""The runner: the one walk over a pack's questions, whatever supplies the answers.

The walk visits the questions in pack order. A question whose ``when`` is false is *not
asked*; otherwise its source is asked for a value, which is coerced to the question's type.
A blank value takes the pack's default (*default*), is *not answered* when the question is
optional, and is a problem when it is required. Later ``when`` tests and the rules see answered
and default values alike. An answers file, a batch row, a pack's scenario and the interactive
interview are all sources of this one walk; none of them applies ``when``, defaults or
``required`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, Protocol

from mesoguide.answers import AnswerRejected, coerce, format_answer, is_blank
from mesoguide.conditions import always, in_plain_words
from mesoguide.errors import AnswerProblem, AnswersError
from mesoguide.i18n import N_, _
from mesoguide.model import Answer, AnswerSet, Question, RulePack, State

NOT_ANSWERED = N_("not answered")
NOT_ASKED = N_("not asked (did not apply)")


Source = Callable[[Question], object] | Mapping[str, object]
"""Gives the raw value for one question the walk asks about: a function of the question, or
raw values by question id. None and "" are blank, and so is a list of no choices."""


Memos = dict[str, dict[str, object]]
"""What a walk may remember across rows (batch): per question id, per text cell, the answer or
the rejection that coercing it gave. Exports repeat the same few cells ("yes", "female",
"cellulite;wrinkles") on every row. Only text is remembered: ``1 == True`` would mix up keys of
other types."""
# Cells a question's memo holds before it starts over, so memory stays flat whatever the input
# (1,024 kept the benchmark's peak within 0.5 MiB from 10,000 to 1,000,000 rows; 4,096 was 7%
# faster but grew 4 MiB as the memos filled).
MEMO_LIMIT = 1024


class _Rejection:
    """A remembered AnswerRejected (its reason only: an exception would keep its frames)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def walk(
    pack: RulePack, source: Source, memos: Memos | None = None
) -> tuple[AnswerSet, list[AnswerProblem]]:
    """Every question's state and value, asking ``source`` only about questions that apply.

    Problems (a rejected or missing required answer) are gathered, not raised, so that every
    one can be reported at once. A mapping's values for questions not asked are dropped and
    named in the result's ``dropped``. With ``memos`` (batch), the answer each text cell gave
    is remembered there rather than coerced again.
    """
    values: dict[str, Answer] = {}
    unanswered: dict[str, State] = {}  # an answered question is simply in `values`
    problems: list[AnswerProblem] = []
    dropped: list[str] = []
    tests = pack.question_tests
    fetch: Callable[[str], object]
    if isinstance(source, Mapping):
        mapping, fetch = True, source.get  # batch walks per row: spare it a call per question
    else:
        mapping, ask, asking = False, source, {q.id: q for q in pack.questions}
        fetch = lambda qid: ask(asking[qid])  # noqa: E731
    for question in pack.questions:
        qid = question.id
        test = tests[qid]
        if test is not always and not test(values):  # skip the no-op tests of most questions
            unanswered[qid] = State.not_asked
            if mapping and (offered := fetch(qid)) is not None and offered != "":
                if question.screen and _remembered(question, offered, memos) is True:
                    problems.append(AnswerProblem(qid, _screen_conflict(question)))
                else:
                    dropped.append(qid)  # a mapping may hold values for questions not asked
            continue
        raw = fetch(qid)
        if raw is not None and raw != "":
            if memos is not None and type(raw) is str:
                memo = memos.get(qid)
                if memo is None:
                    memo = memos[qid] = {}
                answer = memo.get(raw)
                if answer is None:
                    answer = _coerced(question, raw)
                    if len(memo) >= MEMO_LIMIT:
                        memo.clear()
                    memo[raw] = answer
            else:
                answer = _coerced(question, raw)
            if type(answer) is _Rejection:
                problems.append(AnswerProblem(qid, answer.reason))
                unanswered[qid] = State.not_answered
                continue
            # not is_blank(answer), inline (batch calls this per cell): a list of blanks
            # ("; ;") ticks no choice and a text of spaces says nothing, so both are blanks
            if answer != () and answer != "":
                values[qid] = answer  # type: ignore[assignment]  # not a rejection: an answer
                continue
        if question.default is not None:
            values[qid] = question.default
            unanswered[qid] = State.default
        else:
            unanswered[qid] = State.not_answered
            if question.required:
                problems.append(AnswerProblem(qid, _("required, but not answered")))
    return AnswerSet(values, unanswered, tests, tuple(dropped) if dropped else ()), problems


def _remembered(question: Question, raw: object, memos: Memos | None) -> Answer | _Rejection:
    """``_coerced``, through the memo of the question's text cells when there is one (the walk
    does the same inline, for the questions that apply)."""
    if memos is None or type(raw) is not str:
        return _coerced(question, raw)
    memo = memos.setdefault(question.id, {})
    answer = memo.get(raw)
    if answer is None:
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        answer = memo[raw] = _coerced(question, raw)
    return answer  # type: ignore[return-value]  # what _coerced gave for this cell


def _screen_conflict(question: Question) -> str:
    """Why a safety screen's "yes" given where the screen is not asked refuses the answers: its
    `when` in plain words, for the intake staff and scripts that fix the answers."""
    return _(
        "answered yes, but this screening question is asked only when {when}; a yes to it is never "
        "ignored, so correct the other answers or this one"
    ).format(when=in_plain_words(question.when))


def _coerced(question: Question, raw: object) -> Answer | _Rejection:
    """``coerce``, a rejection given back rather than raised."""
    try:
        return coerce(question, raw)
    except AnswerRejected as rejected:
        return _Rejection(rejected.reason)


def may_be_blank(question: Question) -> bool:
    """Whether a question that applies can end with no value (optional, and no default)."""
    return not question.required and question.default is None


def from_mapping(
    pack: RulePack,
    raw: Mapping[str, object],
    source: str | None = None,
    memos: Memos | None = None,
) -> AnswerSet:
    """The answers held in a mapping of question id to raw value (a file, a row, a scenario).

    Raises AnswersError with every problem at once. Values offered for questions that are not
    asked are dropped and named in ``dropped``. ``memos``: see ``walk``.
    """
    answers, problems = walk(pack, raw, memos)
    if problems:
        raise AnswersError(problems, source)
    return answers


def shown(question: Question, state: State, value: Answer | None) -> str:
    """An answer in words, with where it came from: never a bare "no" for a blank."""
    if state is State.answered and value is not None:
        return format_answer(question, value)
    if state is State.default and value is not None:
        return _("not answered (pack default: {answer})").format(
            answer=format_answer(question, value)
        )
    return _(NOT_ASKED) if state is State.not_asked else _(NOT_ANSWERED)


# -- the interview --------------------------------------------------------------------------
class ReviewRow(NamedTuple):
    """One line of the review: a question that applies and its answer in words."""

    question_id: str
    label: str
    shown: str


class Prompter(Protocol):
    """Asks one question at a time; the real one wraps questionary, tests script one."""

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        """A valid answer, or None when the question may be left blank and was.

        ``current`` is the answer being changed in the review (None when first asked).
        """

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        """The id of one row's question to change, or None when the answers are confirmed.

        ``dropped`` names (by label) the questions whose answers the last change dropped.
        """


def interview(
    pack: RulePack,
    prompter: Prompter,
    prefill: Mapping[str, object] | None = None,
    prefilled_from: str = "",
) -> AnswerSet:
    """Ask every question that applies, then review until the answers are confirmed.

    The interview is the walk with the prompter as its source: a question is asked the first
    time the walk reaches it, so one whose ``when`` depends on a default is asked exactly as
    an answers file without that key would be judged. Changing an answer in the review walks
    again: only newly applicable questions are asked, and answers to questions that no longer
    apply are dropped (and asked afresh if they apply again).

    ``prefill`` holds raw answers already given (an answers file, for `assess --ask`): each one
    that fits its question is taken without asking; a missing, blank or rejected one is asked.
    The review then says where each answer came from (``prefilled_from``, or "answered now").
    """
    # what the person typed (None: left blank); a prefilled answer that fits is taken as typed,
    # a rejected one is asked, with the prompt's own check and message
    typed: dict[str, Answer | None] = dict(_prefilled(pack, prefill or {})[0])
    given = set(typed)  # the questions whose answer came from the prefill and was not changed

    def ask(question: Question) -> object:
        if question.id not in typed:
            typed[question.id] = prompter.ask(question, None)
        return typed[question.id]

    def origin(qid: str, state: State) -> str:
        if prefill is None:
            return ""
        if qid in given:
            return _(" (from {file})").format(file=prefilled_from or _("the file"))
        return _(" (answered now)") if state is State.answered else _(" (asked now)")

    answers = _walked(pack, ask)
    dropped: list[str] = []
    while True:
        rows = [
            ReviewRow(r.question.id, r.question.label, shown(*r) + origin(r.question.id, r.state))
            for r in answers.responses(pack)
            if r.state is not State.not_asked
        ]
        picked = prompter.review(rows, dropped)
        if picked is None:
            return answers
        question = pack.question(picked)
        typed[picked] = prompter.ask(question, typed.get(picked))
        given.discard(picked)
        before = answers
        answers = _walked(pack, ask)
        dropped = []
        for qid, state in answers.states.items():
            if state is State.not_asked and qid in typed:
                del typed[qid]
                given.discard(qid)
                if before.states[qid] is State.answered:
                    dropped.append(pack.question(qid).label)


def prefill_problems(pack: RulePack, prefill: Mapping[str, object]) -> list[AnswerProblem]:
    """The prefilled answers an interview will ask again: rejected ones, with the reason."""
    return _prefilled(pack, prefill)[1]


def _prefilled(
    pack: RulePack, prefill: Mapping[str, object]
) -> tuple[dict[str, Answer], list[AnswerProblem]]:
    """The prefilled answers that fit their questions, and why the others do not."""
    taken: dict[str, Answer] = {}
    problems: list[AnswerProblem] = []
    for question in pack.questions:
        raw = prefill.get(question.id)
        if raw is None or raw == "":
            continue
        try:
            answer = coerce(question, raw)
        except AnswerRejected as rejected:
            problems.append(AnswerProblem(question.id, rejected.reason))
            continue
        if not is_blank(answer):  # no choice ticked, a text of spaces: a blank, asked
            taken[question.id] = answer
    return taken, problems


def _walked(pack: RulePack, source: Source) -> AnswerSet:
    answers, problems = walk(pack, source)
    if problems:  # a prompter returns only valid answers, and None only where blank is allowed
        raise AnswersError(problems)
    return answers
