"""The loader against hostile rule packs: refused with `file:line: path: why`, quickly."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mesoguide.cli import app
from mesoguide.errors import ExitCode, PackError
from mesoguide.loader import load_pack
from tests.conftest import BASE_ANSWERS

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def laughs(levels: int, width: int) -> str:
    """A "billion laughs" document: ``width ** levels`` strings from a few lines."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def refusal(path: Path) -> str:
    with pytest.raises(PackError) as caught:
        load_pack(path)
    return str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "{f}: the rule pack is empty"),
        ("# nothing but a comment\n", "{f}: the rule pack is empty"),
        ("{}\n", "{f}:1: the rule pack is empty"),
        (
            "- pack\n",
            "{f}:1: a rule pack is a mapping (pack, guidance, outcomes, questions, rules, "
            "invariants), not a list",
        ),
        (
            "just words\n",
            "{f}:1: a rule pack is a mapping (pack, guidance, outcomes, questions, rules, "
            "invariants), not a string",
        ),
        (b"\x00\x01\x02binary", "{f}: rule pack is binary, not text"),
        (b"pack: \xff\n", "{f}: rule pack is not UTF-8 text (byte 6)"),
        ("a: " + "[" * 41 + "]" * 41 + "\n", "{f}:1: nested more than 40 levels deep"),
        ("pack:\n  id: " + "9" * 101 + "\n", "{f}:2: pack.id: a number of more than 100 digits"),
        (
            "pack:\n  version: 2026-02-30\n",
            "{f}:2: pack.version: cannot read value '2026-02-30': day is out of range for month",
        ),
        ("pack: {}\npack: {}\n", "{f}:2: duplicate key 'pack'"),
        ("a: &a {x: 1}\nb:\n  <<: *a\n", "{f}:3: YAML merge keys (<<) are not supported"),
        ("pack: [\n", "{f}:2: YAML syntax: did not find expected node content"),
        ("a: 1\n---\nb: 2\n", "{f}: holds more than one YAML document"),
        ("1: one\n", "{f}:1: key 1 is not a string (quote it)"),
    ],
)
def test_refuses_a_broken_pack_file_in_one_line(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    """Refuses an empty, non-mapping, binary, deep or malformed pack with one located line."""
    file = tmp_path / "pack.yaml"
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content, encoding="utf-8")
    assert refusal(file) == message.format(f=file)


def test_refuses_a_missing_pack(tmp_path: Path) -> None:
    """Says there is no such rule pack."""
    assert refusal(tmp_path / "nope.yaml") == f"{tmp_path / 'nope.yaml'}: no such rule pack"


def test_refuses_a_folder_without_pack_yaml(tmp_path: Path) -> None:
    """Says the folder has no pack.yaml."""
    expected = f"{tmp_path / 'pack.yaml'}: rule pack folder has no pack.yaml"
    assert refusal(tmp_path) == expected


def test_refuses_a_pack_yaml_that_is_a_folder(tmp_path: Path) -> None:
    """Says pack.yaml is a folder, not a file."""
    (tmp_path / "pack.yaml").mkdir()
    assert refusal(tmp_path) == f"{tmp_path / 'pack.yaml'}: rule pack is a folder, not a file"


def test_refuses_a_pack_over_the_size_limit(tmp_path: Path) -> None:
    """Refuses a pack over 1 MiB before reading it."""
    file = tmp_path / "pack.yaml"
    file.write_text("#" * (1024 * 1024 + 1), encoding="utf-8")
    assert refusal(file) == f"{file}: rule pack is 1,048,577 bytes; the limit is 1,048,576"


@pytest.mark.skipif(AS_ROOT, reason="root reads every file")
def test_refuses_an_unreadable_pack(tmp_path: Path) -> None:
    """Says permission is denied."""
    file = tmp_path / "pack.yaml"
    file.write_text("pack: {}\n", encoding="utf-8")
    file.chmod(0)
    assert refusal(file) == f"{file}: rule pack cannot be read (Permission denied)"


@pytest.mark.parametrize(("levels", "width"), [(9, 9), (8, 50), (30, 2)])
def test_refuses_an_alias_bomb_at_once(tmp_path: Path, levels: int, width: int) -> None:
    """Stops expanding aliases at the node budget, long before the bomb goes off."""
    file = tmp_path / "pack.yaml"
    file.write_text(laughs(levels, width), encoding="utf-8")
    start = time.perf_counter()
    message = refusal(file)
    # Expanded, the bomb takes minutes; 5 s tells the two apart without racing a busy machine.
    assert time.perf_counter() - start < 5.0
    assert message == f"{file}:1: expands to too many values (YAML aliases used as a bomb?)"


def test_the_cli_refuses_a_bad_pack_with_exit_3(tmp_path: Path) -> None:
    """`assess --rules` prints the pack's problem on stderr and exits 3, with no traceback."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(laughs(9, 9), encoding="utf-8")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(BASE_ANSWERS), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["assess", "--rules", str(pack), "--answers", str(answers), "--format", "json"]
    )
    assert result.exit_code == ExitCode.INVALID_PACK
    assert result.stdout == ""
    expected = f"error: {pack}:1: expands to too many values (YAML aliases used as a bomb?)\n"
    assert result.stderr == expected
    assert isinstance(result.exception, SystemExit)
