"""`mesoguide rules`: check, show, test a rule pack, and print its JSON Schema."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mesoguide.cliapp import App
from mesoguide.cliutil import LangOption, OutputOption, load_pack_in, reporting_errors
from mesoguide.errors import ExitCode
from mesoguide.saving import DbOption

if TYPE_CHECKING:
    from mesoguide.model import RulePack, Untranslated

app = App(
    name="rules",
    help="Check, show, test and export rule packs, and print the pack format's JSON Schema.",
    no_args_is_help=True,
    add_completion=False,
)

PackArgument = Annotated[
    Path | None,
    typer.Argument(
        metavar="PATH",
        help="A rule pack file or folder (default: the built-in mesotherapy pack).",
        show_default=False,
    ),
]


class ShowFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def check(
    path: PackArgument = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Count a text missing in one of the pack's languages as a problem."
        ),
    ] = False,
) -> None:
    """Prove a pack sound, or list every problem as FILE:LINE: message (exit 3)."""
    from mesoguide.analysis import analyze
    from mesoguide.errors import PackError

    with reporting_errors():
        try:
            from mesoguide.loader import load_pack

            pack = load_pack(path)
        except PackError as error:
            _print_problems([str(p) for p in error.problems])
            if any(p.path for p in error.problems):  # the YAML was read, but is not a pack
                sys.stdout.write(
                    "Reachability and totality are checked once these problems are fixed.\n"
                )
            raise typer.Exit(int(ExitCode.INVALID_PACK)) from None
        analysis = analyze(pack)
        missing = _untranslated(pack)
        if analysis.problems or (strict and missing):
            lines = [str(p) for p in analysis.problems]
            if strict:
                lines += [f"{where}: no '{item.language}' text" for item, where in missing]
            _print_problems(lines)
            raise typer.Exit(int(ExitCode.INVALID_PACK))
        held = len(pack.invariants)
        promises = f"; its {_count(held, 'invariant')} {'hold' if held != 1 else 'holds'}"
        sys.stdout.write(
            f"{pack.path}: sound. {_count(len(pack.questions), 'question')}, "
            f"{_count(len(pack.rules), 'rule')}, {_count(len(pack.outcomes), 'outcome')}: "
            "every rule can fire, every outcome can be reached, and every answer set gets "
            f"exactly one outcome{promises if held else ''}.\n"
        )
        for language in pack.languages:
            places = [where for item, where in missing if item.language == language]
            if places:
                sys.stdout.write(f"Untranslated into {language}: {_count(len(places), 'text')}\n")
                sys.stdout.writelines(f"  {where}\n" for where in places)


def _untranslated(pack: RulePack) -> list[tuple[Untranslated, str]]:
    """Each text missing in one of the pack's languages, with FILE:LINE: path."""
    file = str(pack.path)
    return [
        (item, f"{file}:{item.line}: {item.path}" if item.line else f"{file}: {item.path}")
        for item in pack.untranslated
    ]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _print_problems(lines: list[str]) -> None:
    for line in lines:
        sys.stdout.write(f"{line}\n")
    sys.stdout.write(f"Found {_count(len(lines), 'problem')}.\n")


@app.command()
def show(
    path: PackArgument = None,
    output_format: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="text for people, json for tools.")
    ] = ShowFormat.text,
    lang: LangOption = None,
) -> None:
    """Show the questions, the rules and which guidance points each rule mirrors."""
    from mesoguide.packview import pack_to_dict, render_pack_text

    with reporting_errors():
        pack = load_pack_in(path, lang, words=False)  # the author's view: its words stay English
        if output_format is ShowFormat.json:
            text = json.dumps(pack_to_dict(pack), indent=2, ensure_ascii=False) + "\n"
        else:
            text = render_pack_text(pack)
        sys.stdout.write(text)


class ExportFormat(StrEnum):
    fhir = "fhir"


@app.command()
def export(
    path: PackArgument = None,
    output_format: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="fhir: an R4 Questionnaire (see docs/fhir.md)."),
    ] = ExportFormat.fhir,
    output: OutputOption = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            metavar="PATH",
            help="The pack, as `assess --rules` names it (or give PATH).",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="TAG",
            help="The language of its texts (es, es-MX, ...); the pack's other languages ride "
            "on them as translations. Default: the pack's default language.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the pack as a form other systems read: a FHIR R4 Questionnaire."""
    from mesoguide.cliutil import write_output, write_stdout
    from mesoguide.fhir import render_questionnaire

    with reporting_errors():
        from mesoguide.errors import UsageError
        from mesoguide.loader import load_pack, load_translations

        if path is not None and rules is not None:
            raise UsageError("give the pack as PATH or as --rules PATH, not both")
        given = path if rules is None else rules
        # not the locale's language: a Questionnaire is for a system, in the pack's own
        pack = load_pack(given) if lang is None else load_pack_in(given, lang, words=False)
        text = render_questionnaire(pack, load_translations(pack))
        if output is not None and str(output) != "-":
            write_output(output, text)
        else:
            write_stdout(text)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the pack format (for yaml-language-server and other editors)."""
    from mesoguide.schema import render_schema

    sys.stdout.write(render_schema())


@app.command("test")
def test_scenarios(
    path: PackArgument = None,
    scenarios: Annotated[
        Path | None,
        typer.Option(
            "--scenarios",
            "-s",
            metavar="FILE",
            help="The scenarios file (default: scenarios.yaml beside pack.yaml).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the pack's scenarios: answers and the outcome and rules they must (not) produce."""
    from mesoguide.errors import UsageError
    from mesoguide.scenarios import load_scenarios, never_fired, run_scenarios, scenarios_path

    with reporting_errors():
        from mesoguide.loader import load_pack

        pack = load_pack(path)
        file = scenarios if scenarios is not None else scenarios_path(pack)
        if not file.exists():
            raise UsageError(
                f"no scenarios file {file}: write one (see docs/rule-packs.md) "
                "or pass --scenarios FILE"
            )
        results = run_scenarios(pack, load_scenarios(file, pack))
        for result in results:
            if result.passed:
                sys.stdout.write(f"ok    {result.scenario.name}\n")
                continue
            where = f"{file}:{result.scenario.line}" if result.scenario.line else str(file)
            sys.stdout.write(f"FAIL  {result.scenario.name} ({where})\n")
            for failure in result.failures:
                sys.stdout.write(f"      {failure}\n")
        failed = sum(not r.passed for r in results)
        sys.stdout.write(
            f"{len(results)} scenario{'s' if len(results) != 1 else ''}: "
            f"{len(results) - failed} passed, {failed} failed\n"
        )
        unpinned = never_fired(pack, results)
        if unpinned:
            sys.stdout.write(f"No scenario makes these rules fire: {', '.join(unpinned)}\n")
        if failed:
            raise typer.Exit(int(ExitCode.INVALID_INPUT))


@app.command()
def diff(
    old: Annotated[
        Path, typer.Argument(metavar="OLD", help="The pack as it was (a file or folder).")
    ],
    new: Annotated[
        Path, typer.Argument(metavar="NEW", help="The pack as edited (a file or folder).")
    ],
    replay: Annotated[
        bool,
        typer.Option(
            "--replay",
            help="Assess the saved records again under both packs, and list whose outcome, "
            "sessions or referral reasons change.",
        ),
    ] = False,
    input_path: Annotated[
        str | None,
        typer.Option(
            "--input",
            metavar="FILE",
            help="With --replay: the rows of this CSV or JSON-lines batch input instead of "
            "the saved records.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """What changed between two versions of a pack, in words; --replay: whose outcome changes."""
    from mesoguide.diff import pack_changes

    with reporting_errors():
        from mesoguide.errors import UsageError
        from mesoguide.loader import load_pack

        if input_path is not None and not replay:
            raise UsageError("--input only applies with --replay")
        before, after = load_pack(old), load_pack(new)
        changes = pack_changes(before, after)
        for line in changes:
            sys.stdout.write(f"{line}\n")
        if not changes:
            sys.stdout.write("No differences.\n")
        if replay:
            from mesoguide.replaying import replay_file, replay_store

            result = (
                replay_store(before, after, db)
                if input_path is None
                else replay_file(before, after, input_path)
            )
            sys.stdout.write("\n" + "\n".join(result.summary()) + "\n")
