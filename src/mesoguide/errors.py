"""Errors a user can cause, and the exit codes the CLI turns them into."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes of every ``mesoguide`` command."""

    OK = 0
    INVALID_INPUT = 1  # answers or rows rejected; scenarios failed; records failed verify
    USAGE = 2  # bad option, missing or unreadable file, no terminal, unwritable output
    INVALID_PACK = 3  # the rule pack has problems
    STORE = 4  # the record store cannot be used: not ours, damaged, too new, full, forbidden
    STORE_BUSY = 5  # the record store stayed locked by another program beyond the timeout
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM


class MesoguideError(Exception):
    """Base of every error caused by what a user gave us; never shown as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        """The message as the lines to print on stderr."""
        return self.message.splitlines() or [self.message]


class Terminated(Exception):
    """SIGTERM arrived while the questionnaire was waiting for an answer."""


class UsageError(MesoguideError):
    """A file that cannot be read or written, a bad option, no terminal."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a rule pack, with where it is."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PackError(MesoguideError):
    """A rule pack that cannot be used, with every problem found."""

    exit_code = ExitCode.INVALID_PACK

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """One rejected answer: which question and why."""

    question: str
    reason: str

    def __str__(self) -> str:
        return f"{self.question}: {self.reason}"


class AnswersError(MesoguideError):
    """Answers that cannot be assessed, with every problem found at once."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems: Sequence[AnswerProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(f"{prefix}{p}" for p in self.problems))


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix for the closest candidate, or ''."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return suggesting(close[0]) if close else ""


def suggesting(name: str) -> str:
    """The ' (did you mean 'x'?)' suffix for ``name``."""
    from mesoguide.i18n import _  # in the language in use: English while a pack is loaded

    return _(" (did you mean '{name}'?)").format(name=name)
