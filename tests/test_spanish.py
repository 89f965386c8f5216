"""In Spanish, from the first question to the last line of the report: no English word of the
tool's own is left, whichever way the questions are asked and the report written.

The English words are those of the tool's messages (every msgid of the catalogs) that no
Spanish translation uses, plus a list of common English words; the output is scanned for them
as whole words, outside double quotes (the pack quotes the English title of the article it
draws on, a name, beside its translation).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.loader import load_pack
from mesoguide.model import Answer, RulePack
from mesoguide.packs import default_pack_path
from tests.conftest import ROOT
from tests.screen import Screen
from tests.test_catalogs import SPANISH_PO, catalogs

pytestmark = pytest.mark.timeout(60)

runner = CliRunner()
BILINGUAL = Path(__file__).parent / "packs" / "bilingual"
COMMON_ENGLISH = {
    "the", "and", "or", "of", "to", "is", "are", "not", "yes", "you", "your", "answer",
    "answers", "question", "questions", "about", "sessions", "advice", "why", "result",
    "clinic", "clinician", "review", "type", "press", "choose", "skip", "none", "number",
    "whole", "from", "given", "asked", "cited", "guidance", "source", "rule", "pack", "see",
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+")
ANSI = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


@cache
def english_words() -> frozenset[str]:
    """Words of the tool's English messages that its Spanish ones never use."""
    messages = catalogs.read_po(SPANISH_PO)
    spanish = {w.lower() for text in messages.values() for w in WORD.findall(text)}
    english = {w.lower() for text in messages if text for w in WORD.findall(text)}
    english -= {w.lower() for text in messages if text for w in re.findall(r"{(\w+)}", text)}
    # single letters (y/n in "(yes/no/true/false/y/n/1/0)") are no words of a sentence
    return frozenset(w for w in (english | COMMON_ENGLISH) - spanish if len(w) > 1)


def english_in(text: str) -> set[str]:
    unquoted = re.sub(r'"[^"]*"', " ", text)
    names = re.sub(r"\w+_\w+", " ", unquoted)  # ids (results_expected_within) are no words
    return {word for word in WORD.findall(names) if word.lower() in english_words()}


def test_the_scan_sees_english() -> None:
    """The scan finds the English words it looks for (it would not pass vacuously)."""
    assert english_in("Sessions and timeline") == {"Sessions", "and", "timeline"}
    assert english_in("(yes or no)") == {"yes", "or"}
    assert english_in("Sesiones y plazos (sí o no)") == set()


# Answers that walk every path of the small pack's report: a blank optional question with a
# default, an answer to a question that did not apply, and each section.
REPORT_ANSWERS = {
    "blank": "age: 30\npregnant: no\narea: body\n",
    "dropped": "age: 30\npregnant: sí\narea: face\nsunburn: sí\nconcerns: [wrinkles]\n",
}


@pytest.mark.parametrize("answers", list(REPORT_ANSWERS))
@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_report_in_spanish(answers: str, output_format: str) -> None:
    """The report, as text or Markdown, has no English word of the tool's own."""
    result = runner.invoke(
        app,
        ["assess", "--rules", str(BILINGUAL), "--lang", "es", "-a", "-", "-f", output_format],
        input=REPORT_ANSWERS[answers],
    )
    assert result.exit_code == 0, result.output
    assert english_in(result.stdout + result.stderr) == set(), result.output
    expected = "Sin respuesta" if answers == "blank" else "Respuestas que no correspondían"
    assert expected.lower() in result.stdout.lower()


def test_plain_questionnaire_in_spanish() -> None:
    """--plain --lang es: questions, hints, refusals, the review and the report in Spanish."""
    lines = [
        "abc", "150", "30",  # age: not a number, out of range, then right
        "quizás", "no",  # pregnant: not yes or no, then no
        "5", "2",  # area: no such number, then Cuerpo
        "1 3", "1",  # concerns: an exclusive choice with another, then Arrugas
        "",  # sunburn: skipped (its default applies)
        "9", "1", "", "40",  # review: no such row; change age (Enter keeps it, then 40)
        "",  # confirm
    ]  # fmt: skip
    result = runner.invoke(
        app,
        ["assess", "--rules", str(BILINGUAL), "--lang", "es", "--plain"],
        input="\n".join(lines) + "\n",
    )
    assert result.exit_code == 0, result.output
    dialogue = result.stderr
    for spanish in (
        "¿Cuántos años tiene? (un número entero del 0 al 120)",
        "'abc' no es un número entero: escriba un número entero del 0 al 120",
        "150 está fuera del rango de 0 a 120",
        "no es sí ni no",
        "'5' no es un número del 1 al 2.",
        "Revise sus respuestas:",
        "Confirmado.",
    ):
        assert spanish in " ".join(dialogue.split()), dialogue
    assert english_in(dialogue) == set(), dialogue
    assert english_in(result.stdout) == set(), result.stdout
    assert "Usted podría ser candidato" in result.stdout


DOWN, SPACE, ENTER = "\x1b[B", " ", "\r"


def test_interactive_questionnaire_in_spanish() -> None:
    """The full-screen prompts in a terminal: every prompt, refusal, the review, the report."""
    screen = Screen(
        ["assess", "--rules", str(BILINGUAL), "--lang", "es", "--no-pager"], 80, NO_COLOR="1"
    )
    steps = [
        ("¿Cuántos años tiene? (un número entero del 0 al 120)", "abc" + ENTER),
        ("escriba un número entero del 0 al 120", "\x15" + "30" + ENTER),
        ("¿Está embarazada? (sí o no)", "quizás" + ENTER),
        ("no es sí ni no", "\x15" + "no" + ENTER),
        ("¿Qué zona? (flechas y luego Enter)", ENTER),  # on "(elija una)": asked again
        ("(Elija una: flechas y luego Enter)", DOWN + DOWN + ENTER),
        ("¿Qué le preocupa? (Espacio para marcar y luego Enter)", SPACE + ENTER),
        ("o Enter para omitirla)", ENTER),  # sunburn: skipped
        ("Revise sus respuestas (elija una para cambiarla, o confirme)", ENTER),
        ("Resultado: Usted podría ser candidato", ""),
    ]
    for phrase, keys in steps:
        screen.wait_for(phrase)
        if keys:
            screen.send(keys)
    assert screen.finish() == 0
    written = ANSI.sub(" ", screen.raw.decode("utf-8", "replace"))
    assert english_in(written) == set(), written


def test_the_small_pack_is_sound_and_complete() -> None:
    """The Spanish test pack passes `rules check --strict`: sound, every text in both."""
    result = runner.invoke(app, ["rules", "check", "--strict", str(BILINGUAL)])
    assert result.exit_code == 0, result.stdout
    assert (ROOT / "tests" / "packs" / "bilingual" / "pack.yaml").is_file()


def walk_in_spanish(pack_path: Path, columns: int = 80) -> tuple[int, str]:
    """Answer every question that applies in a terminal with --lang es, then confirm: the exit
    status and everything written (escape sequences blanked)."""
    from tests.test_terminal_screen import answer_for

    pack = load_pack(pack_path, "es")
    screen = Screen(
        ["assess", "--rules", str(pack_path), "--lang", "es", "--no-pager"], columns, NO_COLOR="1"
    )
    answers: dict[str, Answer] = {}
    for question in pack.questions:
        if not pack.question_tests[question.id](answers):
            continue
        screen.wait_for_words(question.label)
        keys, value = answer_for(question)
        screen.send(keys)
        if value is not None:
            answers[question.id] = value
        screen.wait_for_words(f"? {question.label}")
    screen.wait_for("? Revise sus respuestas (elija una para cambiarla, o confirme)")
    screen.send(ENTER)
    screen.wait_for("Resultado:")
    status = screen.finish()
    return status, ANSI.sub(" ", screen.raw.decode("utf-8", "replace"))


@pytest.mark.parametrize(
    "pack_path", [BILINGUAL, default_pack_path()], ids=["bilingual", "default"]
)
def test_whole_questionnaire_in_spanish(pack_path: Path) -> None:
    """Every question of the pack, its answer, the review and the report: no English word."""
    status, written = walk_in_spanish(pack_path)
    assert status == 0, written
    assert english_in(written) == set(), written


# -- the default pack --------------------------------------------------------------------------
def typed_answers(pack: RulePack) -> tuple[list[str], dict[str, Answer]]:
    """Lines that answer every question that applies in --plain (a number, no, the first
    choice), and the answers they give."""
    lines: list[str] = []
    answers: dict[str, Answer] = {}
    for question in pack.questions:
        if not pack.question_tests[question.id](answers):
            continue
        if question.type == "integer":
            value: Answer = ((question.min or 0) + (question.max or 20)) // 2
            lines.append(str(value))
        elif question.type == "boolean":
            value = False
            lines.append("no")
        else:
            first = question.choices[0].value
            value = first if question.type == "choice" else (first,)
            lines.append("1")
        answers[question.id] = value
    return lines, answers


def test_default_pack_plain_in_spanish() -> None:
    """The default questionnaire with --plain --lang es, then its report: all in Spanish."""
    lines, _ = typed_answers(load_pack(None, "es"))
    result = runner.invoke(
        app, ["assess", "--lang", "es", "--plain"], input="\n".join([*lines, ""]) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Revise sus respuestas:" in result.stderr
    assert english_in(result.stderr) == set(), result.stderr
    assert english_in(result.stdout) == set(), result.stdout


DEFAULT_ANSWERS = {
    "candidate": {},
    "refer": {"age": 16, "pregnant_or_breastfeeding": True, "scarring_or_pigment_disorder": True},
    "not_indicated": {"concerns": ["other"], "areas": ["other"]},
    "few_sessions": {"sessions_possible": 0, "results_expected_within": "days", "areas": ["face"]},
    "fat": {"concerns": ["excess_fat"], "diet_and_exercise": "rarely", "goal_is_weight_loss": True},
}


@pytest.mark.parametrize("case", list(DEFAULT_ANSWERS))
@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_default_pack_report_in_spanish(case: str, output_format: str) -> None:
    """The default pack's report in Spanish for each outcome and the notes that vary, as text
    and as the Markdown handout: no English word of the tool's own."""
    import json

    from tests.conftest import BASE_ANSWERS

    answers = {**BASE_ANSWERS, **DEFAULT_ANSWERS[case]}
    result = runner.invoke(
        app, ["assess", "--lang", "es", "-a", "-", "-f", output_format], input=json.dumps(answers)
    )
    assert result.exit_code == 0, result.output
    assert english_in(result.output) == set(), result.output


def test_default_pack_is_complete_in_spanish() -> None:
    """`rules check --strict` proves the default pack sound with every text in Spanish."""
    result = runner.invoke(app, ["rules", "check", "--strict"])
    assert result.exit_code == 0, result.stdout
    assert load_pack(None, "es").untranslated == ()
