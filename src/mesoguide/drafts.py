"""Drafts: with `assess --save`, the interview is kept after each answer and can be resumed.

``Drafting`` wraps the real prompter (the runner does not know drafts exist): each answer is
passed on and kept in the store; on resume, the kept answers are given back to the runner
instead of asking, except those the pack (changed since, perhaps) now refuses.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal

from mesoguide.answers import AnswerRejected, coerce, decimal_text
from mesoguide.i18n import _
from mesoguide.model import Answer, Choice, Question, RulePack
from mesoguide.records import now
from mesoguide.runner import Prompter, ReviewRow, may_be_blank
from mesoguide.store import Draft

NEW = "new"
DISCARD = "discard"


class Drafting:
    """A Prompter that keeps every answer in a draft, and answers from a resumed one."""

    def __init__(
        self,
        inner: Prompter,
        pack: RulePack,
        keep: Callable[[Draft], None],
        draft: Draft,
    ) -> None:
        self.inner = inner
        self.pack = pack
        self.keep = keep
        self.draft = draft
        self.typed: dict[str, object] = dict(draft.answers)
        self._waiting = dict(draft.answers)  # kept answers not yet given back to the runner

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        if current is None and question.id in self._waiting:
            kept = self._resumed(question, self._waiting.pop(question.id))
            if kept is not _ASK:
                return kept  # type: ignore[return-value]
        answer = self.inner.ask(question, current)
        self.typed[question.id] = as_raw(answer)
        self.draft = _changed(self.draft, self.typed, self.pack)
        self.keep(self.draft)
        return answer

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        return self.inner.review(rows, dropped)

    def _resumed(self, question: Question, raw: object) -> object:
        """A kept answer as the question takes it now, or _ASK when it must be asked again."""
        if raw is None:
            return None if may_be_blank(question) or question.default is not None else _ASK
        try:
            return coerce(question, raw)
        except AnswerRejected:
            return _ASK


_ASK = object()


def as_raw(answer: Answer | None) -> object:
    """An answer as a draft keeps it in JSON: choices as a list, a decimal as its digits."""
    if isinstance(answer, tuple):
        return list(answer)
    return decimal_text(answer) if isinstance(answer, Decimal) else answer


def new_draft(pack: RulePack, operator: str, subject: str | None) -> Draft:
    stamp = now()
    return Draft(str(uuid.uuid4()), stamp, stamp, operator, subject, pack.id, pack.sha256, {})


def _changed(draft: Draft, typed: dict[str, object], pack: RulePack) -> Draft:
    return Draft(
        draft.id, draft.created, now(), draft.operator, draft.subject, pack.id, pack.sha256,
        dict(typed),
    )  # fmt: skip


def pick(prompter: Prompter, drafts: Sequence[Draft]) -> tuple[Draft | None, Draft | None]:
    """Ask which draft to resume, and whether to resume or discard it.

    Returns (the draft to resume, the draft to discard); (None, None) starts afresh.
    """
    if not drafts:
        return None, None
    choices = [
        Choice(
            value=draft.id,
            label=f"{draft.subject or _('no subject')}: "
            + (
                _("1 answer")
                if len(draft.answers) == 1
                else _("{count} answers").format(count=len(draft.answers))
            )
            + ", "
            + _("last {when} UTC").format(when=draft.updated[:16].replace("T", " "))
            + f" ({draft.operator})",
        )
        for draft in drafts
    ]
    choices.append(Choice(value=NEW, label=_("Start a new assessment")))
    which = prompter.ask(
        Question(id="draft", type="choice", label=_("Resume a draft?"), choices=tuple(choices)),
        None,
    )
    chosen = next((draft for draft in drafts if draft.id == which), None)
    if chosen is None:
        return None, None
    action = prompter.ask(
        Question(
            id="draft_action",
            type="choice",
            label=_("Resume or discard this draft?"),
            choices=(
                Choice(value="resume", label=_("Resume it")),
                Choice(value=DISCARD, label=_("Discard it and start afresh")),
            ),
        ),
        None,
    )
    return (None, chosen) if action == DISCARD else (chosen, None)
