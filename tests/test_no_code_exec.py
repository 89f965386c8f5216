"""Strings in a rule pack are data: nothing that looks like Python is ever run."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mesoguide import yamlsafe
from mesoguide.cli import app
from mesoguide.errors import ExitCode, PackError
from mesoguide.loader import load_pack
from mesoguide.packs import default_pack_path
from tests.conftest import BASE_ANSWERS, ROOT

runner = CliRunner()


def payloads(marker: Path) -> list[str]:
    """Strings that would create ``marker`` if anything evaluated, formatted or ran them."""
    return [
        f"__import__('os').system('touch {marker}')",
        f"lambda: __import__('os').system('touch {marker}')",
        f"(lambda: open('{marker}', 'w'))()",
        f"{{0.__class__.__init__.__globals__}} open('{marker}', 'w')",
        f"$(touch {marker}) `touch {marker}`",
        f"[/bold][link=file://{marker}]click[/link] {{{{ cycler.__init__.__globals__.os }}}}",
    ]


def default_data() -> dict[str, object]:
    text = (default_pack_path() / "pack.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def write_pack(tmp_path: Path, data: object) -> Path:
    file = tmp_path / "pack.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return file


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "code-ran"


@pytest.fixture
def answers(tmp_path: Path) -> str:
    file = tmp_path / "answers.json"
    file.write_text(json.dumps(BASE_ANSWERS), encoding="utf-8")
    return str(file)


@pytest.mark.parametrize("index", range(6))
def test_python_looking_text_is_loaded_and_shown_verbatim(
    tmp_path: Path, marker: Path, answers: str, index: int
) -> None:
    """Loads Python-looking text as text and prints it unchanged in every format."""
    payload = payloads(marker)[index]
    data = default_data()
    meta = data["pack"]
    assert isinstance(meta, dict)
    meta["title"] = payload
    meta["disclaimer"] = payload
    rules = data["rules"]
    assert isinstance(rules, list)
    consult = next(r for r in rules if r["id"] == "consult_professional")
    consult["advice"] = [payload]
    questions = data["questions"]
    assert isinstance(questions, list)
    questions[0]["label"] = payload
    pack_file = write_pack(tmp_path, data)

    pack = load_pack(pack_file)
    assert (pack.title, pack.disclaimer, pack.questions[0].label) == (payload, payload, payload)
    for fmt in ("json", "text", "markdown"):
        result = runner.invoke(
            app, ["assess", "--rules", str(pack_file), "--answers", answers, "--format", fmt]
        )
        assert (result.exit_code, result.stderr) == (0, "")
        shown = json.loads(result.stdout)["disclaimer"] if fmt == "json" else result.stdout
        if fmt == "text":  # rich wraps long lines, even inside a word: compare without spaces
            assert "".join(payload.split()) in "".join(shown.split())
        else:
            assert payload in shown
    assert not marker.exists()


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            {"question": "__import__('os').system('touch {m}')", "op": "eq", "value": 1},
            "unknown question '__import__('os').system('touch {m}')'",
        ),
        (
            {"question": "age.__class__", "op": "eq", "value": 1},
            "unknown question 'age.__class__'",
        ),
        (
            {"question": "age", "op": "__import__('os').system('touch {m}')", "value": 1},
            "unknown operator",
        ),
        (
            {"question": "sex", "op": "eq", "value": "__import__('os').system('touch {m}')"},
            "is not a choice of 'sex'",
        ),
        (
            {"question": "age", "op": "lt", "value": "lambda a: open('{m}', 'w')"},
            "'age' is an integer question: \"lambda a: open('{m}', 'w')\" is not a whole number",
        ),
    ],
)
def test_python_in_a_condition_is_refused_as_data(
    tmp_path: Path, marker: Path, condition: dict[str, object], message: str
) -> None:
    """Refuses a condition whose question, operator or value is code, naming it."""
    filled = {k: v.format(m=marker) if isinstance(v, str) else v for k, v in condition.items()}
    data = default_data()
    rules = data["rules"]
    assert isinstance(rules, list)
    rules[0]["when"] = filled
    file = write_pack(tmp_path, data)
    with pytest.raises(PackError) as caught:
        load_pack(file)
    problem = str(caught.value)
    assert problem.startswith(f"{file}:")
    assert "rules[0].when" in problem
    assert message.format(m=marker) in problem
    assert not marker.exists()


@pytest.mark.parametrize(
    ("tagged", "message"),
    [
        ("!!python/object/apply:os.system ['touch {m}']", "YAML tag !!python/object/apply:os"),
        ("!!python/object/new:os.system ['touch {m}']", "YAML tag !!python/object/new:os.system"),
        ("!!python/object/apply:os.system {{args: ['touch {m}']}}", "YAML tag !!python/object"),
        ("!!python/name:os.system ''", "could not determine a constructor for the tag"),
        ("!!python/module:os ''", "could not determine a constructor for the tag"),
        ('!!python/eval \'open("{m}", "w")\'', "could not determine a constructor for the tag"),
    ],
)
def test_python_tags_are_refused_by_the_safe_loader(
    tmp_path: Path, marker: Path, answers: str, tagged: str, message: str
) -> None:
    """Refuses `!!python/...` tags in a pack and in answers with file:line, running nothing."""
    value = tagged.format(m=marker)
    pack_file = tmp_path / "pack.yaml"
    text = (default_pack_path() / "pack.yaml").read_text(encoding="utf-8")
    pack_file.write_text(
        text.replace("    en: Mesotherapy candidacy questionnaire", f"    en: {value}"),
        encoding="utf-8",
    )
    with pytest.raises(PackError) as caught:
        load_pack(pack_file)
    assert str(caught.value).startswith(f"{pack_file}:17: pack.title.en: ")
    assert message in str(caught.value)

    answers_file = tmp_path / "answers.yaml"
    answers_file.write_text(f"age: {value}\n", encoding="utf-8")
    result = runner.invoke(app, ["assess", "--answers", str(answers_file), "-f", "json"])
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(f"error: {answers_file}:1: age: ")
    assert message in result.stderr
    assert not marker.exists()


def test_yaml_is_read_with_the_c_safe_loader() -> None:
    """Reads YAML with libyaml's safe loader where it is installed (it is, in the wheels)."""
    if yaml.__with_libyaml__:
        assert yamlsafe.safe_loader() is yaml.CSafeLoader
    assert issubclass(yamlsafe.safe_loader(), yaml.constructor.SafeConstructor)


def test_the_source_never_evaluates_or_unsafely_loads() -> None:
    """No eval/exec/compile call and no YAML loader but the safe one anywhere in src/."""
    banned_calls = {"eval", "exec", "compile", "__import__"}
    banned_attributes = {"load", "load_all", "unsafe_load", "full_load", "Loader", "FullLoader"}
    for path in sorted((ROOT / "src" / "mesoguide").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned_calls, f"{path}:{node.lineno}"
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
            ):
                assert node.attr not in banned_attributes, f"{path}:{node.lineno}: yaml.{node.attr}"
