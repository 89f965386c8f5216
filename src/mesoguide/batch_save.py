"""`batch --save`: each assessed row of a batch run becomes a record, saved in blocks."""

from __future__ import annotations

import time
from uuid import uuid4

from mesoguide import __version__
from mesoguide.batch import Assessor, Record, Row
from mesoguide.engine import assess, decide
from mesoguide.errors import MesoguideError
from mesoguide.i18n import ngettext
from mesoguide.model import AnswerSet, RulePack
from mesoguide.records import Parts, answers_text, decision_key, frame, head_text, login_name
from mesoguide.records import Record as Saved
from mesoguide.runner import MEMO_LIMIT
from mesoguide.saving import pack_content
from mesoguide.store import SQLiteStore

BATCH_BLOCK = 2000  # records saved per transaction
# Decisions whose report text is kept; a text is a few KiB, and an export with more distinct
# decisions than this (random test data) makes the report text again after a clear.
FRAME_LIMIT = 4 * MEMO_LIMIT


class BatchSaver:
    """Saves each assessed row of a batch run, BATCH_BLOCK records per transaction.

    The records a row's report is made of come from the batch assessor itself (no row is
    assessed twice): the answers it resolved, and the decision its brief record names.
    """

    def __init__(
        self, store: SQLiteStore, pack: RulePack, operator: str | None, source: str
    ) -> None:
        self.store = store
        self.pack = pack
        self.content = pack_content(pack)
        self.operator = operator or login_name()
        self.source = source
        self.saved = 0
        self._pending: list[Saved] = []
        self._frames: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self._entries: dict[object, str] = {}  # answers_text's memo
        self._second: tuple[int, str] = (-1, "")  # the time now to the second, and its text
        self._last: list[AnswerSet | None] = [None]
        self._tail: str | None = None

    def assessor(self, full: bool, fhir: bool = False) -> Assessor:
        """The batch assessor, keeping the answers of the row it last resolved."""
        last = self._last

        class Keeping(Assessor):
            def _resolve(self, row: Row, record: Record) -> AnswerSet | None:
                last[0] = answers = super()._resolve(row, record)
                return answers

        return Keeping(self.pack, full=full, fhir=fhir)

    def add(self, row: Row, record: Record) -> None:
        """Keep the record of a row that was assessed (a rejected row has nothing to save)."""
        answers = self._last[0]
        if "error" in record or answers is None:
            return
        key = (record["candidacy"], *record["rules"])
        framed = self._frames.get(key)
        if framed is None:
            if len(self._frames) >= FRAME_LIMIT:
                self._frames.clear()
            head, tail = self._frame(answers, key[1:])
            framed = self._frames[key] = head, tail, decision_key(head, tail)
        if len(self._entries) >= FRAME_LIMIT:
            self._entries.clear()
        pack = self.pack
        self._pending.append(
            Saved(
                id=str(uuid4()),
                created=self._now(),
                operator=self.operator,
                subject=None if row.id is None else str(row.id),
                source=f"{self.source}:{row.number}",
                supersedes=None,
                pack=pack.ref,
                tool_version=__version__,
                outcome=record["candidacy"],
                parts=Parts(framed[0], answers_text(answers, self._entries), framed[1], framed[2]),
            )
        )
        if len(self._pending) >= BATCH_BLOCK:
            self.flush()

    def _now(self) -> str:
        """``records.now()``, formatting the date and time once a second (it is slow)."""
        stamp = time.time()
        second = int(stamp)
        if self._second[0] != second:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{int((stamp - second) * 1e6):06d}Z"

    def _frame(self, answers: AnswerSet, fired: tuple[str, ...]) -> tuple[str, str]:
        # The report's text around its answers depends on the decision alone, and deciding on
        # the rules fired gives the decision deciding on every rule that held gives (a property
        # test in tests/test_records.py proves it): no rule is tested again here.
        if self._tail is None:
            self._tail = frame(assess(self.pack, answers))[1]
        return head_text(decide(self.pack, fired)), self._tail

    def flush(self) -> None:
        if self._pending:
            try:
                self.store.save(self._pending, self.content)
            except MesoguideError as error:
                if self.saved:
                    # "1 records": the English as it has always been written
                    error.message += ngettext(
                        " ({count} records of earlier blocks were saved)",
                        " ({count} records of earlier blocks were saved)",
                        self.saved,
                    ).format(count=f"{self.saved:,}")
                raise
            self.saved += len(self._pending)
            self._pending.clear()

    def summary(self) -> str:
        return ngettext(
            "Saved {count} record in {path}.", "Saved {count} records in {path}.", self.saved
        ).format(count=f"{self.saved:,}", path=self.store.path)
