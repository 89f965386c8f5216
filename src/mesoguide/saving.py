"""`assess --save` and `batch --save`: the options, and turning reports into saved records."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide.cliutil import os_reason
from mesoguide.errors import UsageError
from mesoguide.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from mesoguide.drafts import Drafting
    from mesoguide.model import AnswerSet, Report, RulePack
    from mesoguide.records import Record as Saved
    from mesoguide.runner import Prompter
    from mesoguide.store import SQLiteStore

SaveOption = Annotated[
    bool,
    typer.Option(
        "--save",
        help="Keep the assessment in the record store (see `mesoguide records`).",
    ),
]
DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="The record store (default: $MESOGUIDE_DB, else records.sqlite3 in your data folder).",
        show_default=False,
    ),
]
OperatorOption = Annotated[
    str | None,
    typer.Option(
        "--operator",
        metavar="NAME",
        help="Who saves the record (default: your login name).",
        show_default=False,
    ),
]
SubjectOption = Annotated[
    str | None,
    typer.Option(
        "--subject",
        metavar="REF",
        help="A reference to the person assessed (a patient number; not a name).",
        show_default=False,
    ),
]
SupersedesOption = Annotated[
    str | None,
    typer.Option(
        "--supersedes",
        metavar="ID",
        help="The saved record this one corrects (the old record is kept).",
        show_default=False,
    ),
]


def needs_save(save: bool, **given: object) -> None:
    """Refuse record options given without --save (they would be silently ignored)."""
    if save:
        return
    named = [f"--{name}" for name, value in given.items() if value is not None]
    if named:
        from mesoguide.i18n import _

        raise UsageError(_("{options} only applies with --save").format(options=", ".join(named)))


def open_for_saving(db: Path | None) -> SQLiteStore:
    """The store, opened (and made, when missing) before any question is asked."""
    from mesoguide.store import open_store

    return open_store(db)


def pack_content(pack: RulePack) -> bytes:
    """The bytes the pack was loaded from, checked against its sha256."""
    try:
        raw = pack.path.read_bytes()
    except OSError as error:
        raise UsageError(
            _("cannot read {path} again to save it: {why}").format(
                path=pack.path, why=os_reason(error)
            )
        ) from None
    if hashlib.sha256(raw).hexdigest() != pack.sha256:
        raise UsageError(
            _("{path} changed during the assessment: no record was saved; run again").format(
                path=pack.path
            )
        )
    return raw


def save_report(
    store: SQLiteStore,
    pack: RulePack,
    report: Report,
    *,
    operator: str | None,
    subject: str | None,
    supersedes: str | None,
    source: str | None,
) -> Saved:
    """Save one assessment; the record's JSON report is exactly what --format json prints."""
    from mesoguide.records import login_name, new_record, split_report

    old = store.get(supersedes).id if supersedes is not None else None
    record = new_record(
        report,
        split_report(report),
        operator=operator or login_name(),
        subject=subject or None,
        source=source,
        supersedes=old,
    )
    store.save([record], pack_content(pack))
    return record


def saved_message(record: Saved, store: SQLiteStore) -> str:
    return _("Saved as record {id} in {path}.").format(id=record.id, path=store.path)


ResumeOption = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="With --save: pick a draft (an interview stopped before its end) to resume or "
        "discard.",
    ),
]


class DraftKeeper:
    """`assess --save` at a terminal: the interview is kept as a draft after each answer."""

    def __init__(
        self,
        store: SQLiteStore,
        pack: RulePack,
        operator: str | None,
        subject: str | None,
        resume: bool,
    ) -> None:
        self.store = store
        self.pack = pack
        self.operator = operator
        self.subject = subject
        self.resume = resume
        self.drafting: Drafting | None = None

    def wrap(self, inner: Prompter) -> Prompter:
        """The prompter the interview uses: ``inner``, keeping a draft (maybe a resumed one)."""
        from mesoguide.drafts import Drafting, new_draft, pick
        from mesoguide.records import login_name

        draft = None
        if self.resume:
            draft, discard = pick(inner, self.store.drafts(self.pack.id))
            if discard is not None:
                self.store.drop_draft(discard.id)
        if draft is None:
            draft = new_draft(self.pack, self.operator or login_name(), self.subject)
        elif self.subject is None:
            self.subject = draft.subject
        self.drafting = Drafting(inner, self.pack, self.store.put_draft, draft)
        return self.drafting

    @property
    def kept(self) -> bool:
        """Whether a draft with answers is in the store."""
        return self.drafting is not None and bool(self.drafting.typed)

    def saved(self) -> None:
        """The assessment is saved: its draft goes."""
        if self.drafting is not None:
            self.store.drop_draft(self.drafting.draft.id)

    def stopped(self, stop: BaseException) -> typer.Exit:
        """Say the draft was kept (instead of "nothing was saved"), and how to go on."""
        from mesoguide.cliutil import say
        from mesoguide.errors import ExitCode, Terminated
        from mesoguide.i18n import _

        why = {KeyboardInterrupt: _("Interrupted"), Terminated: _("Terminated")}.get(
            type(stop), _("Input ended before the questionnaire was finished")
        )
        kept = _("the answers so far are kept as a draft ({command} continues it).")
        say(f"\n{why}: " + kept.format(command="`mesoguide assess --save --resume`"))
        code = ExitCode.TERMINATED if isinstance(stop, Terminated) else ExitCode.INTERRUPTED
        return typer.Exit(int(code))


class Saving:
    """What `assess --save` adds: the store opened first, drafts while asking, the save."""

    def __init__(
        self,
        db: Path | None,
        pack: RulePack,
        *,
        operator: str | None,
        subject: str | None,
        supersedes: str | None,
        resume: bool,
    ) -> None:
        self.store = open_for_saving(db)  # a store that cannot be used is said before asking
        self.pack = pack
        self.operator = operator
        self.subject = subject
        self.supersedes = supersedes
        self.drafts = DraftKeeper(self.store, pack, operator, subject, resume)

    def interview(self, ask: Callable[[Callable[[Prompter], Prompter]], AnswerSet]) -> AnswerSet:
        """Run ``ask`` with the draft-keeping wrapper; a stop with a draft kept says so."""
        from mesoguide.errors import Terminated

        try:
            answers = ask(self.drafts.wrap)
        except (KeyboardInterrupt, EOFError, Terminated) as stop:
            if not self.drafts.kept:
                raise
            raise self.drafts.stopped(stop) from None
        self.subject = self.drafts.subject
        return answers

    def save(self, report: Report, answers_path: str | None) -> str:
        """Save the assessment (its draft goes) and say where, for stderr."""
        source = None if answers_path is None else "stdin" if answers_path == "-" else answers_path
        with self.store:
            record = save_report(
                self.store,
                self.pack,
                report,
                operator=self.operator,
                subject=self.subject,
                supersedes=self.supersedes,
                source=source,
            )
            self.drafts.saved()
        return saved_message(record, self.store)
