"""Start-up: what `mesoguide --help` and `assess --answers` import, and the benchmark script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASE_ANSWERS, ROOT

PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules))))
sys.argv = ["mesoguide", *json.loads(sys.argv[1])]
from mesoguide.cli import main
main()
"""


def imported(*args: str, stdin: str = "") -> set[str]:
    """The modules loaded by one run of the CLI with ``args`` (and ``stdin`` piped in)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.rpartition("\nMODULES ")[2]))


def loaded(modules: set[str], package: str) -> list[str]:
    return sorted(m for m in modules if m == package or m.startswith(package + "."))


@pytest.fixture(scope="module")
def answers_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("startup") / "answers.json"
    file.write_text(json.dumps(BASE_ANSWERS), encoding="utf-8")
    return file


def test_help_loads_no_prompt_library() -> None:
    """`mesoguide --help` loads neither questionary, prompt_toolkit, rich nor the pack."""
    modules = imported("--help")
    assert loaded(modules, "questionary") == []
    assert loaded(modules, "prompt_toolkit") == []
    assert loaded(modules, "rich") == []  # plain help screens
    assert loaded(modules, "yaml") == []
    assert "mesoguide.loader" not in modules


def test_assess_from_a_file_loads_only_the_engine_path(answers_file: Path) -> None:
    """`assess --answers FILE --format json` loads no prompts, no rich, no pydantic, and with
    JSON answers and the built-in pack (its parse is shipped) no YAML parser either."""
    modules = imported("assess", "--answers", str(answers_file), "--format", "json")
    assert loaded(modules, "pydantic") == []  # typer's option conversion, replaced by cliapp's
    assert loaded(modules, "questionary") == []
    assert loaded(modules, "prompt_toolkit") == []
    assert "mesoguide.views" not in modules
    assert "mesoguide.prompts" not in modules
    assert loaded(modules, "rich.table") == loaded(modules, "rich.panel") == []
    assert loaded(modules, "yaml") == []


def test_yaml_answers_are_read_with_libyaml(tmp_path: Path) -> None:
    file = tmp_path / "answers.yaml"
    file.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in BASE_ANSWERS.items()))
    modules = imported("assess", "--answers", str(file), "--format", "json")
    assert "yaml._yaml" in modules  # libyaml, the C loader


def test_batch_loads_no_pydantic(tmp_path: Path) -> None:
    """`batch`, its repeated `--ignore-column` included, converts its options without pydantic."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({**BASE_ANSWERS, "extra": "x"}) + "\n", encoding="utf-8")
    modules = imported("batch", str(rows), "--ignore-column", "extra", "-o", str(tmp_path / "o"))
    assert loaded(modules, "pydantic") == []


def test_plain_mode_loads_no_prompt_library() -> None:
    """A whole `assess --plain` interview loads neither questionary nor prompt_toolkit."""
    from tests.test_plain import BASE_LINES

    modules = imported("assess", "--plain", stdin="\n".join([*BASE_LINES, ""]) + "\n")
    assert "mesoguide.plain" in modules and "mesoguide.runner" in modules
    assert loaded(modules, "questionary") == []
    assert loaded(modules, "prompt_toolkit") == []
    assert "readline" not in modules  # GNU readline could write escape sequences


def test_the_benchmark_reports_both_ratios() -> None:
    """benchmarks/startup_bench.py runs and prints the floor and both ratios with targets."""
    script = ROOT / "benchmarks" / "startup_bench.py"
    command = [sys.executable, str(script), "--runs", "1", "--warmup", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split() == ["command", "median", "ms", "ratio", "target"]
    assert lines[2].startswith("bare typer app, two commands: --help")
    assert lines[2].split()[-1] == "1.00x"
    assert lines[3].startswith("mesoguide --help") and "1.0x" in lines[3]
    assert lines[4].startswith("mesoguide assess --answers FILE --format json")
    assert "1.3x" in lines[4]
