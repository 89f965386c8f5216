"""`--lang` on assess, batch and rules show; `rules check` and untranslated texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app

runner = CliRunner()
BILINGUAL = Path(__file__).parent / "packs" / "bilingual"
PACK = str(BILINGUAL)
ANSWERS = "age: 30\npregnant: false\narea: body\nconcerns: [wrinkles]\n"


def _assess(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["assess", "--rules", PACK, "-a", "-", *args], input=ANSWERS, env=env
    )
    return result.exit_code, result.stdout, result.stderr


def test_lang_reads_the_pack_in_that_language() -> None:
    """--lang es-MX gives the pack's Spanish texts; the JSON's ids and values do not change."""
    code, spanish, _ = _assess("--lang", "es-MX", "-f", "json")
    assert code == 0
    code, english, _ = _assess("-f", "json")
    assert code == 0
    es, en = json.loads(spanish), json.loads(english)
    assert es["outcome"]["label"] == "Usted podría ser candidato"
    assert en["outcome"]["label"] == "You may be a candidate"
    assert es["candidacy"] == en["candidacy"] == "candidate"
    assert es["answers"] == en["answers"]


@pytest.mark.parametrize(
    ("environ", "label"),
    [
        ({"LANG": "es_MX.UTF-8"}, "Usted podría ser candidato"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "es_ES.UTF-8"}, "Usted podría ser candidato"),
        ({"LANG": "fr_FR.UTF-8"}, "You may be a candidate"),
        ({"LANG": "C.UTF-8"}, "You may be a candidate"),
    ],
)
def test_the_locale_chooses_when_no_lang(environ: dict[str, str], label: str) -> None:
    """Without --lang, the locale's language if the pack has it, else the pack's default."""
    env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "", **environ}
    code, out, err = _assess("-f", "json", env=env)
    assert (code, err) == (0, "")
    assert json.loads(out)["outcome"]["label"] == label


def test_lang_overrides_the_locale() -> None:
    """--lang wins over the locale."""
    code, out, _ = _assess("--lang", "en", "-f", "json", env={"LANG": "es_MX.UTF-8"})
    assert code == 0
    assert json.loads(out)["outcome"]["label"] == "You may be a candidate"


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", f"error: {BILINGUAL}/pack.yaml: the rule pack has no language 'fr': it is "
         "written in en, es\n"),
        ("es mx", "error: --lang takes a language tag such as es or es-MX, not 'es mx'\n"),
    ],
)  # fmt: skip
def test_a_language_the_pack_lacks_is_refused(lang: str, message: str) -> None:
    """An explicit --lang the pack lacks exits 2 naming the pack's languages."""
    code, out, err = _assess("--lang", lang)
    assert (code, out, err) == (2, "", message)


def test_batch_lang() -> None:
    """batch --lang gives the texts in that language and the same ids and values."""
    rows = json.dumps({"id": "r1", "age": 30, "pregnant": "sí", "area": "body"}) + "\n"
    result = runner.invoke(
        app, ["batch", "-", "--input-format", "jsonl", "--rules", PACK, "--lang", "es"], input=rows
    )
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["candidacy"] == "refer"
    assert record["reasons"] == ["El embarazo requiere a un médico."]


def test_rules_show_lang() -> None:
    """rules show --lang lays the pack out with its texts in that language."""
    result = runner.invoke(app, ["rules", "show", PACK, "--lang", "es"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Preguntas sobre el tratamiento de la piel (bilingual 1)\n")
    assert "  1. refer: Consulte primero a un médico\n" in result.stdout


def _with_untranslated(tmp_path: Path) -> Path:
    text = (BILINGUAL / "pack.yaml").read_text(encoding="utf-8")
    text = text.replace("{en: Ask about the price., es: Pregunte por el precio.}", "Price?")
    text = text.replace('{en: "Which area?", es: "¿Qué zona?"}', "{en: Which area?}")
    (tmp_path / "pack.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_check_proves_the_bilingual_pack_sound_and_complete() -> None:
    """rules check --strict passes a pack with every text in every language."""
    result = runner.invoke(app, ["rules", "check", "--strict", PACK])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{BILINGUAL}/pack.yaml: sound. 5 questions")
    assert "Untranslated" not in result.stdout


def test_check_lists_untranslated_texts(tmp_path: Path) -> None:
    """rules check lists each text missing in a language, by line, and still exits 0."""
    folder = _with_untranslated(tmp_path)
    result = runner.invoke(app, ["rules", "check", str(folder)])
    assert result.exit_code == 0
    lines = result.stdout.replace(f"{folder}/", "").splitlines()
    assert lines[1:] == [
        "Untranslated into es: 2 texts",
        "  pack.yaml:42: questions[2].label",
        "  pack.yaml:90: rules[3].clinic[1]",
    ]


def test_check_strict_fails_on_untranslated_texts(tmp_path: Path) -> None:
    """rules check --strict makes each untranslated text a problem: exit 3."""
    folder = _with_untranslated(tmp_path)
    result = runner.invoke(app, ["rules", "check", "--strict", str(folder)])
    assert result.exit_code == 3
    assert result.stdout.replace(f"{folder}/", "").splitlines() == [
        "pack.yaml:42: questions[2].label: no 'es' text",
        "pack.yaml:90: rules[3].clinic[1]: no 'es' text",
        "Found 2 problems.",
    ]


@pytest.mark.parametrize(
    ("old", "new", "valid"),
    [
        ("", "", True),
        ("{en: Face, es: Cara}", "{en: Face, es: ''}", False),
        ("{en: Face, es: Cara}", "{en: Face, 'e s': Cara}", False),
        ("languages: [en, es]", "languages: []", False),
        ("[B1]", "[{en: B1}]", False),  # guidance ids are names, in no language
    ],
)
def test_schema_takes_texts_in_several_languages(old: str, new: str, valid: bool) -> None:
    """The JSON Schema accepts a text as a string or a mapping of language tags to strings."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    root = Path(__file__).resolve().parents[1]
    schema = json.loads((root / "docs" / "rule-pack.schema.json").read_text(encoding="utf-8"))
    text = (BILINGUAL / "pack.yaml").read_text(encoding="utf-8").replace(old, new, 1)
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(yaml.safe_load(text)))
    assert (errors == []) is valid


def test_a_record_saved_in_spanish_verifies_and_shows_in_spanish(tmp_path: Path) -> None:
    """A record keeps the report as printed, in Spanish: `records verify` finds it sound and
    `records show` re-renders it in Spanish (the language its outcome's label is in)."""
    db = str(tmp_path / "clinic.sqlite3")
    saving = ["--save", "--db", db, "--operator", "front desk"]
    saved = runner.invoke(
        app,
        ["assess", "--rules", PACK, "--lang", "es", "-a", "-", "-f", "json", *saving],
        input=ANSWERS,
    )
    assert saved.exit_code == 0, saved.output
    verified = runner.invoke(app, ["records", "verify", "--db", db])
    assert verified.exit_code == 0, verified.output
    assert "1 ok, 0 tampered, 0 drifted" in verified.output
    record = json.loads(saved.stdout)
    shown = runner.invoke(app, ["records", "list", "--db", db, "--format", "jsonl"])
    record_id = json.loads(shown.stdout.splitlines()[0])["id"]
    shown = runner.invoke(app, ["records", "show", record_id, "--db", db, "-f", "markdown"])
    assert shown.exit_code == 0, shown.output
    assert f"## {record['outcome']['label']}" in shown.stdout
    assert "## Sesiones y plazos" in shown.stdout


@pytest.mark.parametrize(
    ("given", "english", "spanish"),
    [
        (
            "[1, 2]\n",
            "answers must be a mapping of question id to answer, not a list",
            "las respuestas deben asociar cada id de pregunta con su respuesta, no ser una lista",
        ),
        ("\n", "the answers file is empty", "el archivo de respuestas está vacío"),
    ],
)
def test_an_answers_file_holding_no_answers_is_refused_in_the_runs_language(
    given: str, english: str, spanish: str
) -> None:
    """assess's own refusal of the answers is in --lang's words, as batch's rejected rows are."""
    for lang, said in (("en", english), ("es", spanish)):
        result = runner.invoke(app, ["assess", "-a", "-", "--lang", lang], input=given)
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr == f"error: stdin: {said}\n"


def test_a_run_in_a_language_the_pack_lacks_texts_in_says_so_once(tmp_path: Path) -> None:
    """Texts without a Spanish version are shown in English in a Spanish run (never blank), and
    stderr says how many, once; an English run says nothing."""
    text = (BILINGUAL / "pack.yaml").read_text(encoding="utf-8")
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        text.replace(
            "title: {en: Skin treatment questions, es: Preguntas sobre el tratamiento de la piel}",
            "title: Skin treatment questions",
        ).replace(
            "treatment: {en: skin treatment, es: tratamiento de la piel}",
            "treatment: skin treatment",
        ),
        encoding="utf-8",
    )
    runs = {
        lang: runner.invoke(
            app, ["assess", "--rules", str(pack), "-a", "-", "--lang", lang], input=ANSWERS
        )
        for lang in ("en", "es")
    }
    assert runs["en"].exit_code == runs["es"].exit_code == 0
    assert runs["en"].stderr == ""
    assert runs["es"].stderr == (
        "aviso: 2 textos de estas reglas no tienen versión en 'es' y se muestran en el idioma 'en' "
        "(mesoguide rules check los indica)\n"
    )
