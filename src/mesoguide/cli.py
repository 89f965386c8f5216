"""The typer app: each command parses options, calls the core, renders, and exits."""

from __future__ import annotations

import errno
import gc
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TextIO

import typer

from mesoguide import __version__
from mesoguide.batch_cli import BatchFormat, Detail, InputFormat
from mesoguide.cliapp import App
from mesoguide.cliutil import (
    LangOption,
    ReportFormat,
    probe_output,
    reporting_errors,
    say,
    warn,
    write_output,
    write_stdout,
)
from mesoguide.errors import UsageError
from mesoguide.i18n import N_, _
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
    from mesoguide.model import AnswerSet, Report, RulePack
    from mesoguide.runner import Prompter

app = App(
    name="mesoguide",
    help="A treatment-candidacy questionnaire driven by YAML rule packs. "
    "It gives general information, never a diagnosis: always consult a medical professional.",
    no_args_is_help=True,
    add_completion=True,
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
UncheckedOption = Annotated[
    bool,
    typer.Option(
        "--unchecked",
        help="Use a --rules pack that `rules check` does not prove sound (answers it cannot "
        "decide are rejected).",
    ),
]


START = N_(
    "You can review and change every answer before the result. Ctrl-C stops at any time; {kept}."
)


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
            help="Read answers from a YAML or JSON file, or a FHIR QuestionnaireResponse ('-' "
            "for stdin), instead of asking.",
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
    unchecked: UncheckedOption = False,
    ask: Annotated[
        bool,
        typer.Option(
            "--ask",
            help="With --answers: take the file's answers and ask only the questions it leaves "
            "out or answers wrongly, then review them all.",
        ),
    ] = False,
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
    lang: LangOption = None,
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
    plain = plain or os.environ.get("TERM") == "dumb"
    with reporting_errors():
        needs_save(save, db=db, operator=operator, subject=subject, supersedes=supersedes)
        if resume and (not save or answers is not None):
            raise UsageError("--resume continues a questionnaire kept with --save, not --answers")
        pack = _pack(rules, unchecked, lang)
        if output is not None:
            probe_output(output)  # before the questions: nothing typed is lost to a bad path
        saving = (
            Saving(db, pack, operator=operator, subject=subject, supersedes=supersedes,
                   resume=resume)
            if save
            else None
        )  # fmt: skip
        if ask and (answers is None or answers == "-"):
            raise UsageError(
                _("--ask asks on the terminal what --answers FILE leaves out: name a file")
            )
        if answers is not None and ask:
            prefill = Prefill(answers, _read_answers(pack, answers))
            resolved = _ask_plain(pack, prefill) if plain else _ask(pack, prefill=prefill)
        elif answers is not None:
            resolved = _answers_from_file(pack, answers)
        elif plain:
            resolved = _ask_plain(pack)
        elif saving is None:
            resolved = _ask(pack)
        else:
            resolved = saving.interview(lambda wrap: _ask(pack, wrap))
        from mesoguide.engine import assess as run_assessment

        report = run_assessment(pack, resolved)
        saved = saving.save(report, answers) if saving is not None else None
        to_screen = output is None and sys.stdout.isatty()
        if output_format is ReportFormat.text and to_screen and not plain:
            from rich.console import Console

            from mesoguide.pager import page
            from mesoguide.views import print_report

            print_report(report, pack, Console(), page if pager else None)
        else:
            _write_report(report, pack, output_format, output, plain)
        if saved is not None:
            say(saved)


def _write_report(
    report: Report, pack: RulePack, output_format: ReportFormat, output: Path | None, plain: bool
) -> None:
    """The report as text, Markdown or JSON, to the --output file or to stdout."""
    if output_format is ReportFormat.text:
        from mesoguide.views import render_text

        width = _columns(sys.stdout) if output is None else 80
        text = render_text(report, pack, width=width, border=not plain)
    else:
        from mesoguide.api import render

        text = render(report, pack, output_format.value)  # type: ignore[arg-type]
    if output is not None:
        write_output(output, text)
        say(_("Report written to {file}").format(file=output))
    else:
        write_stdout(text)


@app.command()
def batch(
    input_path: Annotated[
        str | None,
        typer.Argument(
            metavar="INPUT",
            help="A .csv or .jsonl file of answers, one row per person, or FHIR "
            "QuestionnaireResponses (.ndjson, or a .json Bundle); '-' for stdin.",
            show_default=False,
        ),
    ] = None,
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
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            metavar="CHAR",
            help=(
                "The CSV input's delimiter: ',', ';' or 'tab' (default: read from the header); "
                "CSV output uses the same."
            ),
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        Path | None,
        typer.Option(
            "--columns",
            metavar="MAP.yaml",
            help="A YAML file mapping the export's column names to question ids (or id).",
            show_default=False,
        ),
    ] = None,
    ignore_column: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore-column",
            metavar="NAME",
            help="A column that answers no question, on purpose (repeat for more).",
            show_default=False,
        ),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            metavar="NAME",
            help="The column holding each row's id (default: 'id', in any case).",
            show_default=False,
        ),
    ] = None,
    formula_guard: Annotated[
        bool,
        typer.Option(
            "--formula-guard/--no-formula-guard",
            help="CSV output: put ' before a cell starting with = + - @ (a spreadsheet formula).",
        ),
    ] = True,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="CSV output: start with a UTF-8 byte-order mark (for Excel)."),
    ] = False,
    summary: Annotated[
        Path | None,
        typer.Option(
            "--summary",
            metavar="FILE",
            help="Also write the end-of-run summary to FILE as JSON.",
            show_default=False,
        ),
    ] = None,
    template: Annotated[
        InputFormat | None,
        typer.Option(
            "--template",
            help="Write an empty CSV with the pack's header, or a JSON lines example; no INPUT.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    unchecked: UncheckedOption = False,
    lang: LangOption = None,
    save: SaveOption = False,
    db: DbOption = None,
    operator: OperatorOption = None,
) -> None:
    """Assess every row of a CSV or JSON-lines export: one record per row, in input order."""
    with reporting_errors():
        from mesoguide.batch_cli import Options, parse_delimiter, run_batch, write_template
        from mesoguide.cliutil import load_pack_in
        from mesoguide.errors import UsageError

        # The pack first: its language is the run's, so that every message after it (the
        # usage problems below included) is in that language.
        pack = load_pack_in(rules, lang) if template is not None else _pack(rules, unchecked, lang)
        needs_save(save, db=db, operator=operator)
        options = Options(
            delimiter=None if delimiter is None else parse_delimiter(delimiter),
            columns=columns,
            ignore=tuple(ignore_column or ()),
            id_column=id_column,
            formula_guard=formula_guard,
            bom=bom,
            summary=summary,
        )
        if template is not None:
            if input_path is not None:
                raise UsageError(_("--template writes a template and reads no INPUT"))
            write_template(pack, template, output, options)
            return
        if input_path is None:
            raise UsageError(
                _(
                    "batch needs INPUT: a .csv or .jsonl file, or - for stdin "
                    "(or --template csv to start one)"
                )
            )
        saver = _batch_saver(db, pack, operator, input_path) if save else None
        try:
            code = run_batch(
                pack, input_path, output, output_format, detail, input_format, options, saver
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


def _pack(rules: Path | None, unchecked: bool, lang: str | None = None) -> RulePack:
    """The pack to assess with: a --rules pack must pass `rules check`, unless --unchecked.

    The built-in pack is proved by the project's own tests, so it is not proved again here.
    Its texts and the tool's words are in ``lang`` (see `load_pack_in`).
    """
    from mesoguide.cliutil import load_pack_in

    pack = load_pack_in(rules, lang)
    if rules is not None and not unchecked:
        from mesoguide.analysis import analyze
        from mesoguide.errors import PackError, Problem

        problems = analyze(pack).problems
        if problems:
            hint = (
                "this pack is not proved sound (see `mesoguide rules check`): fix it, or pass "
                "--unchecked to use it anyway"
            )
            raise PackError([*problems, Problem(str(pack.path), None, "", hint)])
    return pack


class Prefill(NamedTuple):
    """Answers from a file that `assess --ask` takes before asking the rest."""

    path: str
    raw: dict[str, object]


def _answers_from_file(pack: RulePack, path: str) -> AnswerSet:
    from mesoguide.runner import from_mapping

    raw = _read_answers(pack, path)
    answers = from_mapping(pack, raw, source="stdin" if path == "-" else path)
    if answers.dropped:
        warn(
            _("ignoring answers to questions that do not apply (their 'when' is false): ")
            + ", ".join(answers.dropped)
        )
    return answers


def _read_answers(pack: RulePack, path: str) -> dict[str, object]:
    """The raw answers of an answers file (or stdin), naming keys that are no question."""
    from mesoguide.answers import MAX_ANSWERS_BYTES, read_answers, unknown_keys
    from mesoguide.errors import UsageError, did_you_mean

    if not path:
        raise UsageError(_("--answers needs a file name (or - for stdin)"))
    # bytes, so that read_answers can say when they are not UTF-8; one more than the limit,
    # so that an endless stream is refused instead of read forever
    stdin = sys.stdin.buffer.read(MAX_ANSWERS_BYTES + 1) if path == "-" else None
    raw = read_answers(path, stdin)
    if {"schema_version", "candidacy", "answers"} <= raw.keys():
        raise UsageError(
            _(
                "{source}: this is a mesoguide report (--format json), not an answers file: pass "
                "the answers it was made from, or a QuestionnaireResponse (--format fhir), which "
                "can be read back"
            ).format(source="stdin" if path == "-" else path)
        )
    if "resourceType" in raw:  # a FHIR QuestionnaireResponse (a question id has no capitals)
        from mesoguide.fhir import raw_answers, single_response

        where = "stdin" if path == "-" else path
        return raw_answers(pack, single_response(raw, where), where)
    unknown = unknown_keys(pack, raw)
    if unknown:
        known = [q.id for q in pack.questions]
        named = ", ".join(f"{key}{did_you_mean(str(key), known)}" for key in unknown)
        warn(_("ignoring answers to unknown questions: {ids}").format(ids=named))
    return raw


def _say_prefilled(pack: RulePack, prefill: Prefill) -> None:
    """Before asking: which of the file's answers are asked again, and why."""
    from mesoguide.runner import prefill_problems

    for problem in prefill_problems(pack, prefill.raw):
        warn(_("{file}: {problem}: asked again").format(file=prefill.path, problem=problem))


def _ask(
    pack: RulePack,
    wrap: Callable[[Prompter], Prompter] | None = None,
    prefill: Prefill | None = None,
) -> AnswerSet:
    from mesoguide.errors import UsageError

    screen = _screen()
    if screen is None:
        raise UsageError(
            _(
                "no terminal to ask questions on: pass --answers FILE (or - for stdin), or "
                "--plain to read the answers line by line"
            )
        )
    from rich.console import Console
    from rich.text import Text

    from mesoguide.interrupts import guarded
    from mesoguide.prompts import QuestionaryPrompter
    from mesoguide.runner import interview

    console = Console(file=screen, highlight=False)
    session: dict[str, Any] = {}
    if screen is not sys.stdout:
        from prompt_toolkit.output import create_output

        session["output"] = create_output(stdout=screen)
    # SIGTERM would otherwise kill us mid-prompt with the terminal left in raw mode, and both
    # signals must end a prompt from inside its event loop: see mesoguide.interrupts.
    with guarded():
        # Text, not markup: a pack's "[/]" or "[link=...]" is shown as written, never interpreted
        console.print(Text(pack.title, style="bold"))
        if pack.description:
            console.print(Text(pack.description))
        kept = (
            _("nothing is saved") if wrap is None else _("your answers so far are kept as a draft")
        )
        console.print(f"[dim]{_(START).format(kept=kept)}[/dim]\n")
        try:
            prompter: Prompter = QuestionaryPrompter(**session)
            if prefill is not None:
                _say_prefilled(pack, prefill)
            answers = interview(
                pack,
                prompter if wrap is None else wrap(prompter),
                None if prefill is None else prefill.raw,
                "" if prefill is None else prefill.path,
            )
        except OSError as error:
            if error.errno not in (errno.EIO, errno.ENXIO, errno.EBADF):
                raise
            raise EOFError from None  # the terminal was closed under us: input ended
    console.print()
    return answers


def _screen() -> TextIO | None:
    """The terminal to ask on: stdout, or stderr when only stdout is redirected (`> out.json`,
    which then gets the report alone); None without a terminal to type on or to draw on."""
    if not sys.stdin.isatty():
        return None
    return next((stream for stream in (sys.stdout, sys.stderr) if stream.isatty()), None)


def _ask_plain(pack: RulePack, prefill: Prefill | None = None) -> AnswerSet:
    """The interview line by line (--plain): from a terminal, or lines piped in."""
    from mesoguide.plain import PlainPrompter
    from mesoguide.runner import interview

    # The questions go where a person sees them; stdout, when redirected, gets only the report.
    out = sys.stdout if sys.stdout.isatty() else sys.stderr
    prompter = PlainPrompter(out, echo=not sys.stdin.isatty())
    prompter.say(pack.title)
    if pack.description:
        prompter.say(pack.description)
    prompter.say(_(START).format(kept=_("nothing is saved")))
    # input() runs no event loop: a handler that raises stops it where it waits.
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        if prefill is not None:
            _say_prefilled(pack, prefill)
        answers = interview(
            pack,
            prompter,
            None if prefill is None else prefill.raw,
            "" if prefill is None else prefill.path,
        )
    except OSError as error:
        if error.errno not in (errno.EIO, errno.ENXIO, errno.EBADF):
            raise
        raise EOFError from None  # the terminal was closed under us: input ended
    finally:
        signal.signal(signal.SIGTERM, previous)
    prompter.say()
    return answers


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
    finally:
        # Every file is closed by now: skip the garbage collections of interpreter shutdown,
        # which take longer than a command on a busy machine and hold up the exit a signal
        # asked for (measured: 0.1 to 0.25 s, against 15 ms).
        gc.freeze()
