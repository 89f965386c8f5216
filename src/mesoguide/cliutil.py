"""What every command shares: one error handler, stderr messages, safe output files."""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide.errors import ExitCode, MesoguideError, Terminated, UsageError
from mesoguide.i18n import N_, _, in_use, ngettext

if TYPE_CHECKING:
    from mesoguide.model import RulePack

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="TAG",
        help="The language to use (es, es-MX, ...): the pack's texts and the tool's words. "
        "Default: the locale's, if the pack has it, else the pack's own.",
        show_default=False,
    ),
]

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write it to this file.", show_default=False
    ),
]


def load_pack_in(path: Path | None, lang: str | None, words: bool = True) -> RulePack:
    """The pack read in ``lang`` (refused if it has none such), else in the locale's language
    if it has it, else in its default; ``words``: the tool's own words follow its language."""
    from mesoguide.i18n import TAG_PATTERN, locale_language, use
    from mesoguide.loader import load_pack

    if lang is not None and not TAG_PATTERN.fullmatch(lang):
        raise UsageError(f"--lang takes a language tag such as es or es-MX, not {lang!r}")
    pack = load_pack(path, lang or locale_language(), or_default=lang is None)
    if words:
        use(pack.language)
        _warn_untranslated(pack)
    return pack


def _warn_untranslated(pack: RulePack) -> None:
    """Texts the pack lacks in the language it is read in are shown in its default language:
    say so once, so that a report half in another language is no surprise."""
    count = sum(1 for item in pack.untranslated if item.language == pack.language)
    if count:
        warn(
            ngettext(
                "{count} text of this pack has no '{lang}' version and is shown in "
                "'{default}' (mesoguide rules check lists it)",
                "{count} texts of this pack have no '{lang}' version and are shown in "
                "'{default}' (mesoguide rules check lists them)",
                count,
            ).format(count=count, lang=pack.language, default=pack.default_language)
        )


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    fhir = "fhir"


def _color(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and "NO_COLOR" not in os.environ


def _say(text: str) -> None:
    """Write to stderr; a terminal that has gone away cannot be told anything, so say nothing."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except OSError:
        pass


def say(message: str) -> None:
    """One line on stderr that is neither a warning nor an error."""
    _say(f"{message}\n")


def warn(message: str) -> None:
    """One warning line on stderr."""
    prefix = f"\x1b[33m{_('warning:')}\x1b[0m" if _color(sys.stderr) else _("warning:")
    _say(f"{prefix} {message}\n")


def error_lines(lines: list[str]) -> None:
    """Error lines on stderr; the first says it is an error."""
    prefix = f"\x1b[31m{_('error:')}\x1b[0m" if _color(sys.stderr) else _("error:")
    _say("".join(f"{prefix} {line}\n" if i == 0 else f"  {line}\n" for i, line in enumerate(lines)))


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn a user's mistake or Ctrl-C into a message on stderr and a documented exit code."""
    try:
        yield
    except MesoguideError as error:
        error_lines(error.lines())
        raise typer.Exit(int(error.exit_code)) from None
    except KeyboardInterrupt:
        _say("\n" + _("Interrupted: nothing was saved.") + "\n")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except EOFError:
        _say(
            "\n" + _("Input ended before the questionnaire was finished: nothing was saved.") + "\n"
        )
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except Terminated:
        _say("\n" + _("Terminated: nothing was saved.") + "\n")
        raise typer.Exit(int(ExitCode.TERMINATED)) from None


def write_stdout(text: str) -> None:
    """Write the report to stdout now, so a full disk is reported rather than lost at exit.

    A closed pipe (``| head``) ends quietly, as `batch` does: the reader wanted no more.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()
    except OSError as error:
        _discard_stdout()
        raise UsageError(
            _("cannot write the report to stdout: {why}").format(why=os_reason(error))
        ) from None


def _discard_stdout() -> None:
    # What is still buffered would fail again when Python flushes stdout at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


def output_path(path: Path) -> Path:
    """The file an --output names (``~`` expanded), refused at once if it is a folder."""
    try:
        target = path.expanduser()
    except RuntimeError:  # `~nobody/out.txt`: no such user, so no such folder (as the shell)
        target = path
    with output_errors(path, target):  # is_dir() raises for a name too long, say
        if target.is_dir():
            raise UsageError(cannot_write(path, _("it is a folder")))
    return target


def cannot_write(path: object, why: str) -> str:
    return _("cannot write {path}: {why}").format(path=path, why=why)


# The system's reasons are English whatever the language (Python does not set the C library's
# locale): the common ones, in the words of Linux's strerror, are translated.
OS_REASONS = {
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.ENOENT: N_("No such file or directory"),
    errno.EIO: N_("Input/output error"),
}


def os_reason(error: OSError) -> str:
    """Why the system refused, as it says it (in English), or in the language in use."""
    said = error.strerror or str(error)
    if in_use().split("-")[0].lower() == "en" or error.errno not in OS_REASONS:
        return said
    return _(OS_REASONS[error.errno])


@contextmanager
def output_errors(path: Path, target: Path) -> Iterator[None]:
    """An OSError from probing, creating or writing ``target`` as one usage error naming it."""
    try:
        yield
    except (FileNotFoundError, NotADirectoryError):
        folder = target.parent
        why = _("{folder} is not a folder") if _exists(folder) else _("no folder {folder}")
        raise UsageError(cannot_write(path, why.format(folder=folder))) from None
    except OSError as error:
        raise UsageError(cannot_write(path, os_reason(error))) from None


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def probe_output(path: Path) -> None:
    """Refuse now, before any question is asked, a path `write_output` could not write."""
    target = output_path(path)
    with output_errors(path, target):
        if target.exists() and not target.is_file():  # /dev/stdout, a named pipe
            if not os.access(target, os.W_OK):  # opening a pipe to try would wait for a reader
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
            return
        # What write_output does, without touching the file: a temporary file beside it.
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=_folder_of(target))
        os.close(handle)
        os.unlink(temp)


def write_output(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, renamed into place."""
    target = output_path(path)
    with output_errors(path, target):
        if target.exists() and not target.is_file():
            # /dev/stdout, a named pipe: renaming a file over it would replace it, so write into it
            with target.open("w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            return
        target = target.resolve() if target.is_symlink() else target  # keep the link
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=_folder_of(target))
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(text)
            # mkstemp makes the file 0600; a report is an ordinary file: keep the old file's
            # mode, else what the umask gives any new file
            os.chmod(temp, _mode_for(target))
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


def _folder_of(target: Path) -> Path:
    folder = target.resolve().parent if target.is_symlink() else target.parent
    return folder if str(folder) else Path(".")


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
