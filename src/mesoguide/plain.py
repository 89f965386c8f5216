"""The plain Prompter: line by line through input(), for TERM=dumb, screen readers and pipes.

No cursor movement, no colour, no boxes: each question is a few lines of text, choices are
numbered one per line, the answer is read with input() and echoed back in words. It imports
neither questionary nor prompt_toolkit, so it starts no slower than the full-screen prompts.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable, Sequence
from typing import TextIO

from mesoguide.answers import AnswerRejected, coerce
from mesoguide.i18n import N_, _
from mesoguide.model import Answer, Question
from mesoguide.runner import ReviewRow
from mesoguide.wording import check_choices, check_text, shown, skippable, text_hint, typed

PICK = N_("type the numbers of your choices.")
UNDO = N_("choose it alone or leave it out")
CLEAR = "-"  # typed when re-asked: leave an optional question unanswered


class PlainPrompter:
    """Asks on ``out`` and reads each answer with ``read`` (``input`` by default).

    ``echo`` writes each answer read after its ``>``, for input that a terminal does not echo
    (lines piped in), so that the transcript reads as a dialogue.
    """

    def __init__(self, out: TextIO, read: Callable[[], str] = input, echo: bool = False) -> None:
        self.out = out
        self.read = read
        self.echo = echo

    def ask(self, question: Question, current: Answer | None) -> Answer | None:
        self._say()
        typed_in = typed(question)
        self._say(f"{question.label} ({text_hint(question)})" if typed_in else question.label)
        if question.help:
            self._say(question.help, "  ", "  ")
        if typed_in:
            how = [_("Press Enter to skip it.")] if skippable(question) else []
        else:
            digits = len(str(len(question.choices)))
            for number, choice in enumerate(question.choices, 1):
                self._say(f"{number:>{digits}}. {choice.label}", "  ", " " * (digits + 4))
            how = [_how_to_choose(question)]
        if current is not None:
            how.append(
                _("Enter keeps the answer now given: {answer}.").format(
                    answer=shown(question, current)
                )
            )
            if skippable(question):
                how.append(_("Type {clear} to leave it unanswered.").format(clear=CLEAR))
        if how:
            self._say(" ".join(how))
        while True:
            text = self._input()
            if not text.strip() and current is not None:
                answer: Answer | None = current
            elif text.strip() == CLEAR and current is not None and skippable(question):
                answer = None
            else:
                try:
                    answer = _typed(question, text) if typed_in else _chosen(question, text)
                except AnswerRejected as rejected:
                    self._say(rejected.reason, "  ", "  ")
                    continue
            self._say(_("Answer: {answer}").format(answer=shown(question, answer)), "  ", "  ")
            return answer

    def review(self, rows: Sequence[ReviewRow], dropped: Sequence[str]) -> str | None:
        self._say()
        self._say(_("Review your answers:"))
        digits = len(str(len(rows)))
        for number, row in enumerate(rows, 1):
            self._say(
                f"{number:>{digits}}. {row.label} "
                + _("Answer: {answer}").format(answer=row.shown),
                "  ",
                " " * (digits + 4),
            )
        if dropped:  # under the list, by the prompt: above it, a long list scrolled it away
            self._say(
                _("No longer applies, answer dropped: {labels}").format(labels="; ".join(dropped))
            )
        self._say(
            _(
                "Type a number from 1 to {last} to change that answer, "
                "or press Enter to confirm them and see the result."
            ).format(last=len(rows))
        )
        while True:
            text = self._input().strip()
            if not text:
                self._say(_("Confirmed."), "  ", "  ")
                return None
            if text.isdigit() and 1 <= int(text) <= len(rows):
                return rows[int(text) - 1].question_id
            self._say(
                _("'{text}' is not a number from 1 to {last}.").format(text=text, last=len(rows)),
                "  ",
                "  ",
            )

    def _input(self) -> str:
        self.out.write("> ")
        self.out.flush()
        text = self.read()
        if self.echo:
            self.out.write(f"{text}\n")
        return text

    def say(self, text: str = "") -> None:
        """A line (or paragraph) of its own, such as the questionnaire's title."""
        self._say(text)

    def _say(self, text: str = "", first: str = "", rest: str = "") -> None:
        """One paragraph, wrapped in whole words at the terminal's width (if it is one)."""
        if text:
            text = textwrap.fill(
                text,
                width=_columns(self.out),
                initial_indent=first,
                subsequent_indent=rest,
                break_on_hyphens=False,
            )
        self.out.write(text + "\n")
        self.out.flush()


def _how_to_choose(question: Question) -> str:
    last = len(question.choices)
    if question.type == "choice":
        how = _("Type the number of your answer, 1 to {last}.").format(last=last)
    else:
        how = _(
            "Type the numbers of every one that applies, 1 to {last}, "
            "separated by commas or spaces."
        ).format(last=last)
    return f"{how} {_('Press Enter to skip it.')}" if skippable(question) else how


def _typed(question: Question, text: str) -> Answer | None:
    """A typed answer (integer, decimal, yes/no, text); None when blank and allowed."""
    verdict = check_text(question, text)
    if verdict is not True:
        raise AnswerRejected(str(verdict))
    return coerce(question, text) if text.strip() else None


def _chosen(question: Question, text: str) -> Answer | None:
    """The choice (or choices) named by number (or by value); None when blank and allowed."""
    last = len(question.choices)
    words = [w for w in re.split(r"[,\s]+", text.strip()) if w]
    values = []
    for word in words:
        if word.isdigit() and 1 <= int(word) <= last:
            values.append(question.choices[int(word) - 1].value)
        elif not word.isdigit() and _names_a_choice(question, word):
            values.append(word)  # a choice's value typed out
        else:
            raise AnswerRejected(
                _("'{text}' is not a number from 1 to {last}.").format(text=word, last=last)
            )
    if question.type == "multiple":
        verdict = check_choices(question, values, how=PICK, undo=UNDO)
        if verdict is not True:
            raise AnswerRejected(str(verdict))
        return coerce(question, values) if values else None
    if not values:
        if skippable(question):
            return None
        raise AnswerRejected(
            _("Please choose one: type a number from 1 to {last}.").format(last=last)
        )
    if len(values) > 1:
        raise AnswerRejected(
            _("Choose only one: type a number from 1 to {last}.").format(last=last)
        )
    return coerce(question, values[0])


def _names_a_choice(question: Question, word: str) -> bool:
    try:
        coerce(question, word if question.type == "choice" else [word])
    except AnswerRejected:
        return False
    return True


def _columns(out: TextIO) -> int:
    """The width of the terminal ``out`` writes to; COLUMNS, or 80, when it is not one."""
    try:
        return max(os.get_terminal_size(out.fileno()).columns, 20)
    except (OSError, ValueError, AttributeError):
        pass
    try:
        return max(int(os.environ.get("COLUMNS", "")), 20)
    except ValueError:
        return 80
