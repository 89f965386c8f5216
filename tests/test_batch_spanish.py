"""`mesoguide batch --lang es`: the run's own words in Spanish too, from the first warning to
the last line of the summary, while the records, ids and outcome ids stay as they are."""

from __future__ import annotations

import errno
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from mesoguide import i18n
from mesoguide.batch import Tally
from mesoguide.batch_cli import _say_stopped, summary_table
from mesoguide.cli import app
from mesoguide.cliutil import os_reason
from mesoguide.loader import load_pack
from tests.test_batch_cli import C1, C3, HEADER
from tests.test_spanish import english_in

pytestmark = pytest.mark.timeout(60)

runner = CliRunner()
OUTCOME_IDS = ("not_indicated", "refer", "candidate")  # ids: the same in every language
# A good row, a rejected row, and a column that names no question.
EXPORT = "\n".join([HEADER + ",notas", C1 + ",llamar", C3 + ","]) + "\n"
C3_ERROR_ES = (
    "wants_to_avoid_surgery: 'maybe' no es sí ni no (sí/si/no/1/0); "
    "results_expected_within: 'soon' no es ninguna de estas opciones: days, weeks, months, "
    "no_rush; medical_conditions: 'none' no se puede combinar con otras opciones"
)


def tool_english(text: str) -> set[str]:
    """English words of the tool's own in ``text``, outcome ids and the values quoted from the
    input ('none', 'maybe': never translated) aside."""
    unquoted = re.sub(r"'[^']*'", " ", text)
    return english_in(re.sub(rf"\b({'|'.join(OUTCOME_IDS)})\b", " ", unquoted))


@pytest.fixture
def export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The export (and one of a good row alone, limpia.csv), in the folder the command runs in
    (so that paths hold no English)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "entrada.csv"
    path.write_text(EXPORT, encoding="utf-8")
    (tmp_path / "limpia.csv").write_text("\n".join([HEADER, C1]) + "\n", encoding="utf-8")
    return path


def test_the_whole_run_in_spanish(export: Path) -> None:
    """--lang es: the warning, the summary and the rejected row on stderr are Spanish, the
    --summary file and the records keep their keys, ids and values."""
    result = runner.invoke(
        app,
        ["batch", "entrada.csv", "--lang", "es", "-o", "salida.jsonl", "--summary", "resumen.json"],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "aviso: no se tienen en cuenta las columnas que no corresponden a ninguna pregunta: "
        "notas (una columna que responde a una pregunta debe llamarse como el id de la "
        "pregunta, o asignarse a esa pregunta con --columns MAP.yaml; --ignore-column NAME "
        "evita este aviso para una columna que no responde a ninguna pregunta)\n"
        "2 filas leídas: 0 refer, 0 not_indicated, 1 candidate, 1 rechazada\n"
        f"  fila 2 (id C-3): {C3_ERROR_ES}\n"
    )
    records = [json.loads(line) for line in Path("salida.jsonl").read_text().splitlines()]
    assert [record.get("candidacy") for record in records] == ["candidate", None]
    summary = json.loads(Path("resumen.json").read_text(encoding="utf-8"))
    assert list(summary) == ["rows", "outcomes", "rejected", "reasons", "first_rejected"]
    assert summary["outcomes"] == {"refer": 0, "not_indicated": 0, "candidate": 1}
    assert summary["first_rejected"] == [{"row": 2, "id": "C-3", "error": C3_ERROR_ES}]


def test_the_locale_chooses_spanish_for_the_run(export: Path) -> None:
    """Without --lang, a Spanish locale gives the same Spanish run."""
    spanish = runner.invoke(app, ["batch", "entrada.csv", "--lang", "es", "-o", "a.jsonl"])
    by_locale = runner.invoke(
        app, ["batch", "entrada.csv", "-o", "b.jsonl"], env={"LANG": "es_MX.UTF-8"}
    )
    assert by_locale.stderr == spanish.stderr
    assert "filas leídas" in by_locale.stderr


def test_english_is_unchanged(export: Path) -> None:
    """Without a language, the run speaks English as it always has."""
    result = runner.invoke(app, ["batch", "entrada.csv", "-o", "salida.jsonl"])
    assert result.stderr == (
        "warning: ignoring columns that name no question: notas (a column that answers a "
        "question is named by its id, or mapped with --columns MAP.yaml; --ignore-column NAME "
        "quiets this for one that answers none)\n"
        "2 rows read: 0 refer, 0 not_indicated, 1 candidate, 1 rejected\n"
        "  row 2 (id C-3): wants_to_avoid_surgery: 'maybe' is not yes or no "
        "(yes/no/true/false/y/n/1/0); results_expected_within: 'soon' is not one of days, "
        "weeks, months, no_rush; medical_conditions: 'none' cannot be combined with other "
        "choices\n"
    )


def test_records_are_the_same_in_every_language(export: Path) -> None:
    """The records hold the same keys, ids, outcome ids and rules in Spanish as in English."""
    english = runner.invoke(app, ["batch", "entrada.csv", "-f", "csv"]).stdout
    spanish = runner.invoke(app, ["batch", "entrada.csv", "-f", "csv", "--lang", "es"]).stdout
    assert english.splitlines()[:2] == spanish.splitlines()[:2]  # header, the candidate's row


def test_saved_records_are_counted_in_spanish(export: Path) -> None:
    """batch --save says in Spanish how many records it saved, one or more."""
    result = runner.invoke(
        app, ["batch", "entrada.csv", "--lang", "es", "-o", "s.jsonl", "--save", "--db", "r.db"]
    )
    assert result.stderr.endswith("Se guardó 1 registro en r.db.\n"), result.stderr
    assert tool_english(result.stderr) == set(), result.stderr
    Path("dos.csv").write_text("\n".join([HEADER, C1, C1.replace("C-1", "C-2")]) + "\n")
    result = runner.invoke(
        app, ["batch", "dos.csv", "--lang", "es", "-o", "s.jsonl", "--save", "--db", "r.db"]
    )
    assert result.stderr.endswith("Se guardaron 2 registros en r.db.\n"), result.stderr


def test_the_summary_table_in_spanish() -> None:
    """The table a terminal shows: Spanish headings, the pack's Spanish labels, ids kept."""
    pack = load_pack(None, "es")
    i18n.use("es")
    tally = Tally.for_pack(pack)
    for record in [
        {"row": 1, "candidacy": "candidate", "reasons": []},
        {"row": 2, "candidacy": "refer", "reasons": ["Embarazo."]},
        {"row": 3, "error": "age: obligatoria, pero sin respuesta"},
    ]:
        tally.add(record)
    console = Console(file=io.StringIO(), width=120)
    console.print(summary_table(tally, pack))
    lines = [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]
    labels = {outcome.id: outcome.label for outcome in pack.outcomes}
    assert lines == [
        "filas  porcentaje  resultado",
        f"    1         33%  refer: {labels['refer']}",
        f"    0          0%  not_indicated: {labels['not_indicated']}",
        f"    1         33%  candidate: {labels['candidate']}",
        "    1         33%  filas rechazadas",
        "",
        "filas  motivos más frecuentes para consultar a un profesional de la salud",
        "    1  Embarazo.",
    ]
    assert tool_english("\n".join(lines)) == set()


@pytest.mark.parametrize(
    ("cut", "path", "message"),
    [
        (False, None, "\nSe interrumpió el lote: se escribieron 42,365 filas.\n"),
        (
            False,
            "out.jsonl",
            "\nSe interrumpió el lote: se escribieron 42,365 filas en out.jsonl.\n",
        ),
        (
            True,
            "out.jsonl",
            "\nSe interrumpió el lote durante una escritura: la salida en out.jsonl puede "
            "terminar con un registro incompleto, después de 42,365 registros completos.\n",
        ),
    ],
)
def test_interrupted_in_spanish(
    cut: bool, path: str | None, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C says in Spanish how many records the output holds."""
    i18n.use("es")
    _say_stopped(cut, 42365, None if path is None else Path(path))
    assert capsys.readouterr().err == message


USAGE_ERRORS = {
    "missing": (["no-existe.csv"], "error: no se puede leer no-existe.csv: no existe el archivo\n"),
    "folder": (["carpeta"], "error: no se puede leer carpeta: es una carpeta\n"),
    "empty": (
        ["vacio.csv"],
        "error: no se puede leer vacio.csv: está vacío: no hay ninguna fila que evaluar\n",
    ),
    "stdin": (
        ["-"],
        "error: la entrada estándar (stdin) necesita --input-format csv, jsonl o bundle\n",
    ),
    "suffix": (
        ["entrada.txt"],
        "error: entrada.txt: el nombre no termina en .csv, .jsonl ni .json, así que necesita "
        "--input-format csv, jsonl o bundle\n",
    ),
    "delimiter": (
        ["entrada.csv", "--delimiter", "::"],
        "error: --delimiter '::': indique un solo carácter, como ',' o ';', o 'tab'\n",
    ),
    "bom": (
        ["entrada.csv", "--bom"],
        "error: --bom necesita --format csv: una marca de orden de bytes (BOM) dañaría las "
        "líneas JSON\n",
    ),
    "detail": (
        ["entrada.csv", "--detail", "full", "-f", "csv"],
        "error: --detail full necesita --format jsonl: una fila CSV no puede contener un informe\n",
    ),
    "output is input": (
        ["limpia.csv", "-o", "limpia.csv"],
        "error: no se puede escribir limpia.csv: es el archivo de entrada\n",
    ),
    "output folder": (
        ["limpia.csv", "-o", "carpeta"],
        "error: no se puede escribir carpeta: es una carpeta\n",
    ),
    "no folder": (
        ["limpia.csv", "-o", "falta/salida.jsonl"],
        "error: no se puede escribir falta/salida.jsonl: no existe la carpeta falta\n",
    ),
    "summary is output": (
        ["limpia.csv", "-o", "s.jsonl", "--summary", "s.jsonl"],
        "error: no se puede escribir s.jsonl: es el archivo de salida\n",
    ),
    "csv options with json lines": (
        ["datos.jsonl", "--id-column", "clave"],
        "error: --id-column es solo para entradas CSV: las claves de las líneas JSON son ids "
        "de preguntas\n",
    ),
    "close column": (
        ["parecida.csv"],
        "error: parecida.csv: la columna 'sexx' no corresponde a ninguna pregunta, pero se "
        "parece a sex ('¿Cuál es su sexo?'): llame a la columna sex (o asígnela con --columns "
        "MAP.yaml), o indique --ignore-column sexx si no responde a ninguna\n",
    ),
    "no question": (
        ["ninguna.csv"],
        "error: ninguna.csv: el encabezado no nombra ninguna pregunta de las reglas "
        "'mesotherapy': la primera fila del archivo debe tener ids de preguntas como age, sex, "
        "concerns\n",
    ),
    "twice": (
        ["dos-veces.csv"],
        "error: dos-veces.csv: la columna 'age' aparece dos veces en el encabezado\n",
    ),
    "no id column": (
        ["limpia.csv", "--id-column", "ide"],
        "error: limpia.csv: --id-column 'ide' no nombra ninguna columna (¿quiso decir 'id'?); "
        "las columnas son: " + ", ".join(f"'{name}'" for name in HEADER.split(",")) + "\n",
    ),
    "no input": (
        [],
        "error: batch necesita INPUT: un archivo .csv o .jsonl, o - para la entrada estándar "
        "(o --template csv para empezar uno)\n",
    ),
    "template and input": (
        ["entrada.csv", "--template", "csv"],
        "error: --template escribe una plantilla y no lee ningún INPUT\n",
    ),
}


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_usage_errors_in_spanish(case: str, export: Path) -> None:
    """A usage mistake in batch is told in Spanish, in one line, exit 2."""
    Path("carpeta").mkdir()
    Path("vacio.csv").write_text("")
    Path("entrada.txt").write_text(EXPORT)
    Path("datos.jsonl").write_text('{"age": 30}\n')
    Path("parecida.csv").write_text("age,sexx\n30,female\n")
    Path("ninguna.csv").write_text("nombre,edad\nAna,30\n")
    Path("dos-veces.csv").write_text("age,sex,age\n30,female,30\n")
    args, message = USAGE_ERRORS[case]
    result = runner.invoke(app, ["batch", *args, "--lang", "es"], input="")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)
    assert tool_english(message) == set(), message


def test_no_english_word_of_the_tool_in_batch_stderr(export: Path) -> None:
    """Everything batch says in Spanish, over a run, JSON lines with bad lines, --save and
    its usage errors: no English word of the tool's own."""
    Path("lineas.jsonl").write_text('{"id": "J-1", "age": 30}\n[1, 2]\n{"age": \n\n')
    said = [
        runner.invoke(app, ["batch", "entrada.csv", "--lang", "es", "-o", "s.jsonl"]).stderr,
        runner.invoke(app, ["batch", "lineas.jsonl", "--lang", "es", "-o", "s.jsonl"]).stderr,
    ]
    for case in ("missing", "delimiter", "no folder", "stdin"):
        args, _message = USAGE_ERRORS[case]
        said.append(runner.invoke(app, ["batch", *args, "--lang", "es"], input="").stderr)
    text = "\n".join(said)
    assert "filas leídas" in text
    assert "  fila 3: sintaxis JSON: se esperaba un valor (columna 9)\n" in text
    assert tool_english(text) == set(), text


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_in_spanish(export: Path) -> None:
    """A write that fails mid-run is told in Spanish, the system's reason too."""
    result = runner.invoke(app, ["batch", "limpia.csv", "--lang", "es", "-o", "/dev/full"])
    assert (result.exit_code, result.stderr) == (
        2,
        "error: no se pueden escribir los registros en /dev/full: no queda espacio en el disco "
        "(después de 0 registros completos; la salida puede terminar con un registro incompleto)\n",
    )


def test_system_reasons() -> None:
    """A common reason of the system is translated; English keeps the system's own words, and
    a reason the catalog does not know stays as the system says it."""
    denied = OSError(errno.EACCES, "Permission denied (as this system says it)")
    odd = OSError(errno.ETXTBSY, "Text file busy")
    assert (os_reason(denied), os_reason(odd)) == (denied.strerror, "Text file busy")
    i18n.use("es")
    assert (os_reason(denied), os_reason(odd)) == ("permiso denegado", "Text file busy")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_look_alike_column_is_refused_in_every_language(lang: str) -> None:
    """`keloids` is close to the scarring question in its English text, so the header is
    refused (exit 2) in a Spanish run as in an English one: never ignored as a blank."""
    keloids = Path(__file__).parents[1] / "examples" / "batch" / "keloids.csv"
    result = runner.invoke(app, ["batch", str(keloids), "--lang", lang])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "'keloids'" in result.stderr and "scarring_or_pigment_disorder" in result.stderr
    assert ("se parece a" in result.stderr) == (lang == "es")
