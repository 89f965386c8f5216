"""The examples in the README and docs/ are real: each `$ mesoguide ...` shown is run and
its whole output compared, so a change of wording or behaviour cannot leave them stale."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCUMENTS = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("docs/*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


@dataclass
class Step:
    document: str
    command: str
    expected: str


def steps(document: str) -> list[Step]:
    """Each `$ command` of the document's console blocks with the output shown for it.

    A console block whose last command shows no output takes the next fenced block (a ```json
    block, say) as that output.
    """
    text = (ROOT / document).read_text(encoding="utf-8")
    found: list[Step] = []
    waiting: Step | None = None
    for fence in FENCE.finditer(text):
        kind, body = fence.group(1), fence.group(2)
        if waiting is not None and kind != "console":
            waiting.expected = body
            waiting = None
            continue
        waiting = None
        if kind != "console":
            continue
        for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            found.append(Step(document, command, output))
        if found and found[-1].document == document and not found[-1].expected:
            waiting = found[-1]
    return found


def matches(expected: str, actual: str) -> bool:
    """Whole-output comparison; a line of just `...` stands for any lines."""
    parts = [
        r"(?:.*\n)*?" if line.strip() == "..." else re.escape(line) + r"\n"
        for line in expected.rstrip("\n").split("\n")
    ]
    return re.fullmatch("".join(parts), actual.rstrip("\n") + "\n") is not None


WALKTHROUGH_DB = ROOT / "clinic.sqlite3"
"""The record store the documents' `--db clinic.sqlite3` names: made afresh for each document."""


def fresh_store() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{WALKTHROUGH_DB}{suffix}").unlink(missing_ok=True)


def run(command: str) -> tuple[int, str]:
    args = shlex.split(command)
    assert args[0] == "mesoguide", f"only mesoguide, echo $? and cat run here: {command}"
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    env.pop("MESOGUIDE_DB", None)  # a reader's own store must not change what the examples show
    done = subprocess.run(
        [sys.executable, "-m", "mesoguide", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def perform(command: str, code: int) -> tuple[int, str]:
    """The exit code and output of one shown command; `echo $?` reports the previous code."""
    if command == "echo $?":
        return code, f"{code}\n"
    if command.startswith("cat "):
        return code, (ROOT / command[4:]).read_text(encoding="utf-8")
    return run(command)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_shown_command_prints_what_the_document_says(document: str) -> None:
    """Runs each documented session in order, from the repository root, and compares it all."""
    code = 0
    fresh_store()
    try:
        for step in steps(document):
            code, actual = perform(step.command, code)
            assert matches(step.expected, actual), (
                f"{document}: `$ {step.command}` printed:\n{actual}"
            )
    finally:
        fresh_store()


def test_the_documents_show_commands() -> None:
    """The parser finds the sessions it is meant to check (so the test above is not empty)."""
    commands = [s.command for d in DOCUMENTS for s in steps(d)]
    assert "mesoguide batch examples/intake.csv" in commands
    assert "mesoguide rules check examples/broken" in commands
    assert all(s.expected for d in DOCUMENTS for s in steps(d))


def test_an_ellipsis_stands_for_any_lines() -> None:
    """`...` matches any run of lines, and nothing else is loose."""
    assert matches("a\n...\nz\n", "a\nb\nc\nz\n")
    assert not matches("a\nz\n", "a\nb\nz\n")
    assert not matches("a\n", "a\nb\n")


def test_paths_in_examples_exist() -> None:
    """Files the examples name are in the repository."""
    for document in DOCUMENTS:
        for step in steps(document):
            for word in shlex.split(step.command)[1:]:
                if word.startswith("examples/"):
                    assert (ROOT / word).exists(), f"{document}: {word}"


def update(document: str) -> None:
    """Rewrite the document's shown output with what the commands print now (reviewed by hand
    before committing): `python -m tests.test_docs_examples README.md docs/batch.md`."""
    text = (ROOT / document).read_text(encoding="utf-8")
    code = 0
    fresh_store()
    for step in steps(document):
        code, actual = perform(step.command, code)
        if not matches(step.expected, actual):
            text = text.replace(step.expected, actual.rstrip("\n") + "\n", 1)
    fresh_store()
    (ROOT / document).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        update(name)
