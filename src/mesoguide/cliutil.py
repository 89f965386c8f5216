"""What every command shares: one error handler, stderr messages, safe output files."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from mesoguide.errors import ExitCode, MesoguideError, UsageError


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _color(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def warn(message: str) -> None:
    """One warning line on stderr."""
    prefix = "\x1b[33mwarning:\x1b[0m" if _color(sys.stderr) else "warning:"
    sys.stderr.write(f"{prefix} {message}\n")
    sys.stderr.flush()


def error_lines(lines: list[str]) -> None:
    """Error lines on stderr; the first says it is an error."""
    prefix = "\x1b[31merror:\x1b[0m" if _color(sys.stderr) else "error:"
    for i, line in enumerate(lines):
        sys.stderr.write(f"{prefix} {line}\n" if i == 0 else f"  {line}\n")
    sys.stderr.flush()


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn a user's mistake or Ctrl-C into a message on stderr and a documented exit code."""
    try:
        yield
    except MesoguideError as error:
        error_lines(error.lines())
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted: nothing was saved.\n")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except EOFError:
        sys.stderr.write(
            "\nInput ended before the questionnaire was finished: nothing was saved.\n"
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


def write_output(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, renamed into place."""
    target = path.expanduser()
    if target.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: no folder {folder}")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        # mkstemp makes the file 0600; a report is an ordinary file: keep the old file's mode,
        # else what the umask gives any new file
        os.chmod(temp, _mode_for(target))
        os.replace(temp, target)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
