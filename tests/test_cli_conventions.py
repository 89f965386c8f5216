"""CLI conventions: clean help screens, -V, option values and their messages, bash completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide import __version__
from mesoguide.cli import app

runner = CliRunner()

COMMANDS = [
    [],
    ["assess"],
    ["batch"],
    ["rules"],
    *(["rules", c] for c in ("check", "show", "schema", "test")),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(["mesoguide", *c]))
def test_help_screens_show_no_typer_placeholders(command: list[str]) -> None:
    """Every help screen is free of `<bool>`, `<str>`, `<path>`, `{INPUT}` and cut-off summaries."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    rest = result.stdout.partition("\n")[2]
    for quirk in ("<bool>", "<str>", "<path>", "{", "╭"):
        assert quirk not in result.stdout, f"{quirk!r} in:\n{result.stdout}"
    assert "...\n" not in rest  # a summary cut short (the usage line's [ARGS]... is click's)


def test_batch_usage_names_its_argument_plainly() -> None:
    """`batch --help` shows `[INPUT]` (optional: --template reads none) and lists it."""
    result = runner.invoke(app, ["batch", "--help"], env={"COLUMNS": "80"})
    assert result.stdout.startswith("Usage: mesoguide batch [OPTIONS] [INPUT]\n")
    assert "\nArguments:\n  INPUT  A .csv or .jsonl file of answers" in result.stdout


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flags_print_the_version(flag: str) -> None:
    """-V and --version print the version and exit 0."""
    result = runner.invoke(app, [flag])
    assert (result.exit_code, result.stdout) == (0, f"mesoguide {__version__}\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assess", "-f", "xml"], "'xml' is not one of 'text', 'json', 'markdown', 'fhir'."),
        (["batch", "x.csv", "--detail", "all"], "'all' is not one of 'brief', 'full'."),
        (["rules", "show", "-f", "yaml"], "'yaml' is not one of 'text', 'json'."),
    ],
)
def test_a_value_not_allowed_is_named_with_the_allowed_ones(args: list[str], message: str) -> None:
    """A bad choice exits 2 with one plain message naming what is allowed."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.rstrip().splitlines()[-1].endswith(message)


@pytest.mark.parametrize(
    ("value", "plain"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_mesoguide_plain_reads_as_a_flag(
    monkeypatch: pytest.MonkeyPatch, value: str, plain: bool
) -> None:
    """MESOGUIDE_PLAIN=1 (or yes) chooses the plain prompter; 0 or empty does not."""
    from mesoguide import cli

    chosen: list[bool] = []
    monkeypatch.setattr(cli, "_ask_plain", lambda pack: chosen.append(True) or {})
    monkeypatch.setattr(cli, "_ask", lambda pack: chosen.append(False) or {})
    runner.invoke(app, ["assess"], env={"MESOGUIDE_PLAIN": value, "TERM": "xterm"})
    assert chosen == [plain]


@pytest.mark.timeout(60)
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completion_installs_and_completes(tmp_path: Path) -> None:
    """`--install-completion bash` hooks into ~/.bashrc; bash then completes commands and values."""
    script = Path(sys.executable).with_name("mesoguide")
    # typer's own switch: no guessing the shell from the process tree, so the test relies on
    # the `bash` it passes (a guess from pytest's parents made it pass or fail by chance).
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "SHELL": "/bin/bash",
        "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1",
    }
    env["PATH"] = f"{script.parent}{os.pathsep}{env['PATH']}"
    installed = subprocess.run(
        [str(script), "--install-completion", "bash"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    assert "bash_completions/mesoguide.sh" in (tmp_path / ".bashrc").read_text()
    probe = """
        source ~/.bashrc
        complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
            _mesoguide_completion mesoguide; echo "${COMPREPLY[*]}"; }
        complete_words mesoguide as
        complete_words mesoguide rules ''
        complete_words mesoguide assess --form
        complete_words mesoguide assess --format ''
    """
    done = subprocess.run(
        ["bash", "-c", probe], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.stdout.splitlines() == [
        "assess",
        "check show export schema test diff",
        "--format",
        "text json markdown fhir",
    ], done.stderr


def test_without_the_quick_conversion_typer_converts_the_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a typer lacking the private hook, typer's own conversion still reads the options."""
    from mesoguide import cliapp

    monkeypatch.setattr(cliapp, "_converter", lambda: None)
    result = runner.invoke(app, ["rules", "show", "--format", "json"])
    assert result.exit_code == 0
    assert result.stdout.startswith("{")
