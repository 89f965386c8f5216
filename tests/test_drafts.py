"""Drafts: `assess --save` keeps the interview after each answer; `--resume` continues it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pexpect
import pytest
import typer.testing
from typer.testing import CliRunner

from mesoguide import prompts
from mesoguide.answers import coerce
from mesoguide.cli import app
from mesoguide.drafts import Drafting, new_draft, pick
from mesoguide.model import Answer, Question, RulePack
from mesoguide.runner import ReviewRow, interview
from mesoguide.store import Draft, SQLiteStore
from tests.conftest import BASE_ANSWERS

pytestmark = pytest.mark.timeout(30)
runner = CliRunner()


class Scripted:
    """Answers each question from BASE_ANSWERS (and picks the first draft), noting what it
    was asked; raises ``stop`` once ``left`` questions were answered."""

    def __init__(self, pack: RulePack, left: int = 1000, stop: BaseException | None = None):
        self.pack = pack
        self.left = left
        self.stop = stop
        self.asked: list[str] = []

    def __call__(self, **session: object) -> Scripted:
        return self

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        if question.id in ("draft", "draft_action"):
            return question.choices[0].value  # the newest draft; "resume"
        if self.left == 0 and self.stop is not None:
            raise self.stop
        self.left -= 1
        self.asked.append(question.id)
        raw = BASE_ANSWERS.get(question.id)
        return None if raw is None else coerce(question, raw)

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        return None


def test_every_answer_is_kept_in_the_draft(pack: RulePack) -> None:
    """Passes each answer on and keeps the draft after each one."""
    kept: list[Draft] = []
    inner = Scripted(pack)
    answers = interview(pack, Drafting(inner, pack, kept.append, new_draft(pack, "ann", "P-1")))
    assert len(kept) == len(inner.asked)
    assert list(kept[-1].answers) == inner.asked
    assert kept[-1].answers["concerns"] == ["cellulite"]
    assert answers.values["age"] == 35


def test_a_resumed_draft_asks_only_what_is_missing_or_now_refused(pack: RulePack) -> None:
    """Gives kept answers back without asking; asks the missing ones and those now refused."""
    draft = new_draft(pack, "ann", None)
    kept = {"age": 35, "sex": "female", "concerns": ["cellulite"], "areas": ["no_such_area"]}
    draft = Draft(**{**_fields(draft), "pack_sha256": "an older pack", "answers": kept})
    inner = Scripted(pack)
    answers = interview(pack, Drafting(inner, pack, lambda d: None, draft))
    assert inner.asked[0] == "areas"  # refused by the pack now: asked again
    assert not {"age", "sex", "concerns"} & set(inner.asked)
    assert answers.values["age"] == 35


def test_pick_resumes_or_discards(pack: RulePack) -> None:
    """Offers the drafts and a fresh start; resumes or discards the one picked."""
    drafts = [new_draft(pack, "ann", "P-1")]
    assert pick(Scripted(pack), drafts) == (drafts[0], None)
    assert pick(Scripted(pack), []) == (None, None)

    class Discarding(Scripted):
        def ask(self, question: Question, current: Answer | None) -> Answer | None:
            return "discard" if question.id == "draft_action" else super().ask(question, current)

    assert pick(Discarding(pack), drafts) == (None, drafts[0])


def test_drafts_are_stored_replaced_expired_and_dropped(tmp_path: Path, pack: RulePack) -> None:
    """Keeps one row per draft, lists a pack's drafts, removes old ones and dropped ones."""
    with SQLiteStore(tmp_path / "db.sqlite3") as store:
        draft = new_draft(pack, "ann", "P-1")
        store.put_draft(draft)
        store.put_draft(Draft(**{**_fields(draft), "answers": {"age": 35}}))
        assert [d.answers for d in store.drafts(pack.id)] == [{"age": 35}]
        assert store.drafts("another_pack") == []
        old = Draft(**{**_fields(draft), "id": "old", "updated": "2000-01-01T00:00:00.000000Z"})
        store.put_draft(old)
        assert [d.id for d in store.drafts(pack.id)] == [draft.id]  # the old one expired
        store.drop_draft(draft.id)
        assert store.drafts(pack.id) == []


def _fields(draft: Draft) -> dict[str, object]:
    return {name: getattr(draft, name) for name in Draft.__dataclass_fields__}


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setattr(typer.testing._NamedTextIOWrapper, "isatty", lambda self: True)
    db = tmp_path / "db.sqlite3"
    monkeypatch.setenv("MESOGUIDE_DB", str(db))
    return db


def test_ctrl_c_keeps_the_draft_and_resume_finishes_it(
    terminal: Path, monkeypatch: pytest.MonkeyPatch, pack: RulePack
) -> None:
    """Says the draft was kept on Ctrl-C; --resume asks only the rest, saves, drops the draft."""
    first = Scripted(pack, left=3, stop=KeyboardInterrupt())
    monkeypatch.setattr(prompts, "QuestionaryPrompter", first)
    stopped = runner.invoke(app, ["assess", "--save", "--subject", "P-5"])
    assert stopped.exit_code == 130
    assert stopped.stderr == (
        "\nInterrupted: the answers so far are kept as a draft "
        "(`mesoguide assess --save --resume` continues it).\n"
    )
    with SQLiteStore(terminal) as store:
        (draft,) = store.drafts(pack.id)
        assert list(draft.answers) == first.asked == ["age", "sex", "concerns"]
        assert store.count() == 0

    second = Scripted(pack)
    monkeypatch.setattr(prompts, "QuestionaryPrompter", second)
    done = runner.invoke(app, ["assess", "--save", "--resume", "--format", "json"])
    assert done.exit_code == 0, done.stderr
    assert second.asked[0] == "areas" and "age" not in second.asked
    with SQLiteStore(terminal) as store:
        assert store.drafts(pack.id) == []
        assert store.latest("P-5").outcome == "candidate"


def test_without_save_ctrl_c_still_saves_nothing(
    terminal: Path, monkeypatch: pytest.MonkeyPatch, pack: RulePack
) -> None:
    """Keeps no draft and says nothing was saved when --save is not given."""
    monkeypatch.setattr(prompts, "QuestionaryPrompter", Scripted(pack, 2, KeyboardInterrupt()))
    stopped = runner.invoke(app, ["assess"])
    assert (stopped.exit_code, stopped.stderr) == (130, "\nInterrupted: nothing was saved.\n")
    assert not terminal.exists()


def test_resume_needs_save_and_the_questionnaire() -> None:
    """Refuses --resume without --save, or with --answers."""
    for args in (["--resume"], ["--resume", "--save", "--answers", "x.yaml"]):
        result = runner.invoke(app, ["assess", *args])
        assert (result.exit_code, result.stderr) == (
            2,
            "error: --resume continues a questionnaire kept with --save, not --answers\n",
        )


def test_in_a_real_terminal_a_stopped_interview_resumes_where_it_stopped(tmp_path: Path) -> None:
    """Ctrl-C after one answer keeps it; --resume picks the draft and asks the next question."""
    from tests.test_e2e_terminal import ANSI, DOWN, ENTER, spawn

    db = tmp_path / "db.sqlite3"
    child = spawn(f"assess --save --db {db} --subject P-9")
    child.expect_exact("How old are you?")
    child.send("35" + ENTER)
    child.expect_exact("What is your sex?")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Interrupted: the answers so far are kept as a draft" in ANSI.sub("", child.before)

    child = spawn(f"assess --save --resume --db {db}")
    child.expect_exact("Resume a draft?")
    child.expect_exact("P-9: 1 answer,")
    child.send(DOWN + ENTER)
    child.expect_exact("Resume or discard this draft?")
    child.send(DOWN + ENTER)
    # the age is not asked again: the sex question comes first
    assert child.expect_exact(["How old are you?", "What is your sex?"]) == 1
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_a_draft_keeps_decimal_and_text_answers_as_json_and_gives_them_back() -> None:
    """A decimal is kept as its digits (JSON has no decimal), a text as it is; resumed, the
    runner gets the very same answers."""
    import json
    from decimal import Decimal

    from mesoguide.loader import load_pack
    from tests.conftest import ROOT

    kybella = load_pack(ROOT / "tests" / "packs" / "kybella")
    given = {"age": 30, "bmi": "39.9", "medicines": "Aspirin\n100 mg", "earlier_treatment": "never",
             "bothers": ["fullness"]}  # fmt: skip

    class Typing(Scripted):
        def ask(self, question: Question, current: Answer | None) -> Answer | None:
            raw = given.get(question.id)
            return None if raw is None else coerce(question, raw)

    kept: list[Draft] = []
    first = interview(
        kybella, Drafting(Typing(kybella), kybella, kept.append, new_draft(kybella, "a", None))
    )
    assert json.loads(json.dumps(kept[-1].answers))["bmi"] == "39.9"
    again = interview(
        kybella,
        Drafting(
            Scripted(kybella, left=0, stop=AssertionError()), kybella, lambda d: None, kept[-1]
        ),
    )
    assert again.values == first.values
    assert again.values["bmi"] == Decimal("39.9")


def test_the_draft_picker_speaks_the_language_in_use(pack: RulePack) -> None:
    """With --lang es the picker's question and choices are Spanish, as its pager's prompt."""
    from mesoguide import i18n
    from mesoguide.pager import LESS_PROMPT

    class Noting(Scripted):
        def ask(self, question: Question, current: Answer | None) -> Answer | None:
            labels = " | ".join(choice.label for choice in question.choices)
            self.asked.append(f"{question.label} | {labels}")
            return super().ask(question, current)

    drafts = [new_draft(pack, "ann", "P-1")]
    i18n.use("es")
    noting = Noting(pack)
    pick(noting, drafts)
    assert noting.asked[0].startswith(
        "¿Continuar un borrador? | P-1: 0 respuestas, último cambio: "
    )
    assert noting.asked[0].endswith(" UTC (ann) | Empezar una evaluación nueva")
    assert noting.asked[1] == (
        "¿Continuar o descartar este borrador? | Continuarlo | Descartarlo y empezar de nuevo"
    )
    assert i18n._(LESS_PROMPT) == "Espacio sigue, b vuelve, q termina"
