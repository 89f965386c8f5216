"""The typer app: each command parses options, calls the core, renders, and exits."""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide import __version__
from mesoguide.batch_cli import BatchFormat, Detail, InputFormat
from mesoguide.cliapp import App
from mesoguide.cliutil import ReportFormat, reporting_errors, warn, write_output, write_stdout
from mesoguide.packs import load_rules
from mesoguide.rules_cli import app as rules_app

if TYPE_CHECKING:
    from mesoguide.model import Answer, RulePack

app = App(
    name="mesoguide",
    help="A treatment-candidacy questionnaire driven by YAML rule packs. "
    "It gives general information, never a diagnosis: always consult a medical professional.",
    no_args_is_help=True,
    add_completion=True,
)

app.add_typer(rules_app, name="rules")

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        metavar="PATH",
        help="A rule pack file or folder to use instead of the built-in mesotherapy pack.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mesoguide {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Check whether someone may be a candidate for a treatment, and what to ask next."""


@app.command()
def assess(
    answers: Annotated[
        str | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE",
            help="Read answers from a YAML or JSON file ('-' for stdin) instead of asking.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="How to write the report.")
    ] = ReportFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the report to this file.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            envvar="MESOGUIDE_PLAIN",
            help="Ask line by line, with numbered choices and no colour or cursor movement "
            "(for screen readers and simple terminals; chosen by itself when TERM=dumb).",
            show_default=False,
        ),
    ] = False,
    pager: Annotated[
        bool,
        typer.Option(
            "--pager/--no-pager",
            help="At a terminal, show a report taller than the screen through a pager "
            "($PAGER, else less), starting at its first line.",
        ),
    ] = True,
) -> None:
    """Answer the questionnaire (or pass --answers) and get a candidacy report."""
    if output is not None and str(output) == "-":
        output = None  # as with batch: '-' is stdout
    plain = plain or os.environ.get("TERM") == "dumb"
    with reporting_errors():
        pack = load_rules(rules)
        if answers is not None:
            resolved = _answers_from_file(pack, answers)
        else:
            resolved = _ask_plain(pack) if plain else _ask(pack)
        from mesoguide.engine import assess as run_assessment

        report = run_assessment(pack, resolved)
        if output_format is ReportFormat.json:
            from mesoguide.report import render_json

            text = render_json(report)
        elif output_format is ReportFormat.markdown:
            from mesoguide.render import render_markdown

            text = render_markdown(report, pack)
        elif output is not None or not sys.stdout.isatty() or plain:
            from mesoguide.render import render_text

            width = _columns(sys.stdout) if output is None else 80
            text = render_text(report, pack, width=width, border=not plain)
        else:
            from rich.console import Console

            from mesoguide.pager import page
            from mesoguide.render import print_report

            print_report(report, pack, Console(), page if pager else None)
            return
        if output is not None:
            write_output(output, text)
        else:
            write_stdout(text)


@app.command()
def batch(
    input_path: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="A .csv or .jsonl file of answers, one row per person ('-' for stdin).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the records to this file ('-' for stdout).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        BatchFormat, typer.Option("--format", "-f", help="How to write the records.")
    ] = BatchFormat.jsonl,
    detail: Annotated[
        Detail, typer.Option("--detail", help="'full' adds the whole report of `assess`.")
    ] = Detail.brief,
    input_format: Annotated[
        InputFormat | None,
        typer.Option(
            "--input-format",
            help="The input's format, when its name does not say (stdin, say).",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Assess every row of a CSV or JSON-lines export: one record per row, in input order."""
    with reporting_errors():
        from mesoguide.batch_cli import run_batch

        pack = load_rules(rules)
        code = run_batch(pack, input_path, output, output_format, detail, input_format)
    raise typer.Exit(int(code))


def _answers_from_file(pack: RulePack, path: str) -> dict[str, Answer]:
    from mesoguide.answers import MAX_ANSWERS_BYTES, read_answers, resolve, unknown_keys
    from mesoguide.errors import UsageError, did_you_mean

    if not path:
        raise UsageError("--answers needs a file name (or - for stdin)")
    # bytes, so that read_answers can say when they are not UTF-8; one more than the limit,
    # so that an endless stream is refused instead of read forever
    stdin = sys.stdin.buffer.read(MAX_ANSWERS_BYTES + 1) if path == "-" else None
    raw = read_answers(path, stdin)
    unknown = unknown_keys(pack, raw)
    if unknown:
        known = [q.id for q in pack.questions]
        named = ", ".join(f"{key}{did_you_mean(str(key), known)}" for key in unknown)
        warn(f"ignoring answers to unknown questions: {named}")
    return resolve(pack, raw, source="stdin" if path == "-" else path)


def _ask(pack: RulePack) -> dict[str, Answer]:
    from mesoguide.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("no terminal to ask questions on: pass --answers FILE (or - for stdin)")
    from rich.console import Console
    from rich.text import Text

    from mesoguide.answers import resolve
    from mesoguide.prompts import QuestionaryPrompter
    from mesoguide.questionnaire import interview

    console = Console(highlight=False)
    # Text, not markup: a pack's "[/]" or "[link=...]" is shown as written, never interpreted
    console.print(Text(pack.title, style="bold"))
    if pack.description:
        console.print(Text(pack.description))
    console.print(
        "[dim]You can review and change every answer before the result. "
        "Ctrl-C stops at any time; nothing is saved.[/dim]\n"
    )
    # SIGTERM would otherwise kill us mid-prompt with the terminal left in raw mode; as an
    # exception it unwinds through prompt_toolkit, which restores the terminal.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        given = interview(pack, QuestionaryPrompter())
    except OSError as error:
        if error.errno not in (errno.EIO, errno.ENXIO, errno.EBADF):
            raise
        raise EOFError from None  # the terminal was closed under us: input ended
    finally:
        signal.signal(signal.SIGTERM, previous)
    console.print()
    # The same gate as --answers: applies the defaults of questions left unanswered.
    return resolve(pack, given)


def _ask_plain(pack: RulePack) -> dict[str, Answer]:
    """The interview line by line (--plain): from a terminal, or lines piped in."""
    from mesoguide.answers import resolve
    from mesoguide.plain import PlainPrompter
    from mesoguide.questionnaire import interview

    # The questions go where a person sees them; stdout, when redirected, gets only the report.
    out = sys.stdout if sys.stdout.isatty() else sys.stderr
    prompter = PlainPrompter(out, echo=not sys.stdin.isatty())
    prompter.say(pack.title)
    if pack.description:
        prompter.say(pack.description)
    prompter.say(
        "You can review and change every answer before the result. "
        "Ctrl-C stops at any time; nothing is saved."
    )
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        given = interview(pack, prompter)
    except OSError as error:
        if error.errno not in (errno.EIO, errno.ENXIO, errno.EBADF):
            raise
        raise EOFError from None  # the terminal was closed under us: input ended
    finally:
        signal.signal(signal.SIGTERM, previous)
    prompter.say()
    return resolve(pack, given)


def _columns(stream: object) -> int:
    """The width of the terminal ``stream`` is, or 80."""
    try:
        return os.get_terminal_size(stream.fileno()).columns  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError):
        return 80


def _terminated(signum: int, frame: object) -> None:
    from mesoguide.errors import Terminated

    raise Terminated


def main() -> None:
    """The console script's entry point."""
    try:
        app()
    except KeyboardInterrupt:  # before a command's own handler is in place
        sys.stderr.write("\nInterrupted.\n")
        sys.exit(130)
