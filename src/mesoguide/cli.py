"""The typer app: each command parses options, calls the core, renders, and exits."""

from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide import __version__
from mesoguide.batch_cli import BatchFormat, Detail, InputFormat
from mesoguide.cliutil import (
    ReportFormat,
    reporting_errors,
    say,
    warn,
    write_output,
    write_stdout,
)
from mesoguide.errors import UsageError
from mesoguide.records_cli import app as records_app
from mesoguide.rules_cli import app as rules_app
from mesoguide.saving import (
    DbOption,
    OperatorOption,
    ResumeOption,
    SaveOption,
    Saving,
    SubjectOption,
    SupersedesOption,
    needs_save,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from mesoguide.batch_save import BatchSaver
    from mesoguide.model import AnswerSet, RulePack
    from mesoguide.runner import Prompter

app = typer.Typer(
    name="mesoguide",
    help="A treatment-candidacy questionnaire driven by YAML rule packs. "
    "It gives general information, never a diagnosis: always consult a medical professional.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.add_typer(rules_app, name="rules")
app.add_typer(records_app, name="records")

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
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
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
    save: SaveOption = False,
    db: DbOption = None,
    operator: OperatorOption = None,
    subject: SubjectOption = None,
    supersedes: SupersedesOption = None,
    resume: ResumeOption = False,
) -> None:
    """Answer the questionnaire (or pass --answers) and get a candidacy report."""
    if output is not None and str(output) == "-":
        output = None  # as with batch: '-' is stdout
    with reporting_errors():
        needs_save(save, db=db, operator=operator, subject=subject, supersedes=supersedes)
        if resume and (not save or answers is not None):
            raise UsageError("--resume continues a questionnaire kept with --save, not --answers")
        from mesoguide.loader import load_pack

        pack = load_pack(rules)
        saving = (
            Saving(db, pack, operator=operator, subject=subject, supersedes=supersedes,
                   resume=resume)
            if save
            else None
        )  # fmt: skip
        if answers is not None:
            resolved = _answers_from_file(pack, answers)
        elif saving is None:
            resolved = _ask(pack)
        else:
            resolved = saving.interview(lambda wrap: _ask(pack, wrap))
        from mesoguide.engine import assess as run_assessment

        report = run_assessment(pack, resolved)
        saved = saving.save(report, answers) if saving is not None else None
        if output_format is ReportFormat.text and output is None and sys.stdout.isatty():
            from rich.console import Console

            from mesoguide.render import print_report

            print_report(report, pack, Console())
        else:
            from mesoguide.api import render

            text = render(report, pack, output_format.value)
            if output is not None:
                write_output(output, text)
            else:
                write_stdout(text)
        if saved is not None:
            say(saved)


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
    save: SaveOption = False,
    db: DbOption = None,
    operator: OperatorOption = None,
) -> None:
    """Assess every row of a CSV or JSON-lines export: one record per row, in input order."""
    with reporting_errors():
        needs_save(save, db=db, operator=operator)
        from mesoguide.batch_cli import run_batch
        from mesoguide.loader import load_pack

        pack = load_pack(rules)
        saver = _batch_saver(db, pack, operator, input_path) if save else None
        try:
            code = run_batch(
                pack, input_path, output, output_format, detail, input_format, saver=saver
            )
        finally:
            if saver is not None:
                saver.store.close()
        if saver is not None:
            say(saver.summary())
    raise typer.Exit(int(code))


def _batch_saver(db: Path | None, pack: RulePack, operator: str | None, path: str) -> BatchSaver:
    from mesoguide.batch_save import BatchSaver
    from mesoguide.saving import open_for_saving

    return BatchSaver(open_for_saving(db), pack, operator, "stdin" if path == "-" else path)


def _answers_from_file(pack: RulePack, path: str) -> AnswerSet:
    from mesoguide.answers import MAX_ANSWERS_BYTES, read_answers, unknown_keys
    from mesoguide.errors import UsageError, did_you_mean
    from mesoguide.runner import from_mapping

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
    answers = from_mapping(pack, raw, source="stdin" if path == "-" else path)
    if answers.dropped:
        warn(
            "ignoring answers to questions that do not apply (their 'when' is false): "
            + ", ".join(answers.dropped)
        )
    return answers


def _ask(pack: RulePack, wrap: Callable[[Prompter], Prompter] | None = None) -> AnswerSet:
    from mesoguide.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("no terminal to ask questions on: pass --answers FILE (or - for stdin)")
    from rich.console import Console
    from rich.text import Text

    from mesoguide.prompts import QuestionaryPrompter
    from mesoguide.runner import interview

    console = Console(highlight=False)
    # Text, not markup: a pack's "[/]" or "[link=...]" is shown as written, never interpreted
    console.print(Text(pack.title, style="bold"))
    if pack.description:
        console.print(Text(pack.description))
    kept = "nothing is saved" if wrap is None else "your answers so far are kept as a draft"
    console.print(
        "[dim]You can review and change every answer before the result. "
        f"Ctrl-C stops at any time; {kept}.[/dim]\n"
    )
    # SIGTERM would otherwise kill us mid-prompt with the terminal left in raw mode; as an
    # exception it unwinds through prompt_toolkit, which restores the terminal.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        prompter: Prompter = QuestionaryPrompter(console)
        answers = interview(pack, prompter if wrap is None else wrap(prompter))
    except OSError as error:
        if error.errno not in (errno.EIO, errno.ENXIO, errno.EBADF):
            raise
        raise EOFError from None  # the terminal was closed under us: input ended
    finally:
        signal.signal(signal.SIGTERM, previous)
    console.print()
    return answers


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
