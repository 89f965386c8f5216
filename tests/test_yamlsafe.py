"""Bounded YAML reading: plain data, the line of every value, and refusal of bombs and tricks."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mesoguide import yamlsafe
from mesoguide.yamlsafe import YamlProblem

NESTED = """\
a:
  b: [1, {c: 2}]
  d: x
e:
  - f
  - g: h
"""


def test_load_gives_plain_data_and_a_line_for_every_path() -> None:
    """Maps each YAML path (`a.b[1].c`) to the line its value starts on."""
    located = yamlsafe.load(NESTED)
    assert located.data == {"a": {"b": [1, {"c": 2}], "d": "x"}, "e": ["f", {"g": "h"}]}
    assert located.lines == {
        "": 1,
        "a": 1,
        "a.b": 2,
        "a.b[0]": 2,
        "a.b[1]": 2,
        "a.b[1].c": 2,
        "a.d": 3,
        "e": 4,
        "e[0]": 5,
        "e[1]": 6,
        "e[1].g": 6,
    }


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("a.d", 3),
        ("e[1].g", 6),
        ("a.b[1].c.missing", 2),  # falls back to the nearest enclosing value
        ("a.nothing[3]", 1),
        ("e[9]", 4),
        ("zzz", 1),
        ("", 1),
    ],
)
def test_line_falls_back_to_the_nearest_enclosing_value(path: str, line: int) -> None:
    """A path without a line of its own gets its nearest known parent's."""
    assert yamlsafe.load(NESTED).line(path) == line


def test_line_of_an_empty_document_is_unknown() -> None:
    """An empty document has no lines at all."""
    located = yamlsafe.load("# only a comment\n")
    assert located.data is None
    assert located.line("anything") is None


@pytest.mark.parametrize(
    ("text", "message", "line", "path"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a'", 3, ""),
        ("top:\n  x: 1\n  x: 2\n", "duplicate key 'x'", 3, "top"),
        ("1: one\n", "key 1 is not a string (quote it)", 1, ""),
        ("a:\n  yes: 1\n", "key True is not a string (quote it)", 2, "a"),
        ("? [a, b]\n: 1\n", "key ['a', 'b'] is not a string (quote it)", 1, ""),
        ("base: &b {x: 1}\nother:\n  <<: *b\n", "YAML merge keys (<<) are not supported", 3, ""),
        ("a: !!python/object/apply:os.system ls\n", "cannot read value: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'", 1, "a"),
        ("a:\n  - !!python/object/apply:os.system [ls]\n", "YAML tag !!python/object/apply:os.system is not allowed", 2, "a[0]"),
        ("a: !!set {x, y}\n", "YAML tag !!set is not allowed", 1, "a"),
        ("a: [1, 2\nb: 3\n", "YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence on line 1)", 2, ""),
        ("a: b: c\n", "YAML syntax: mapping values are not allowed in this context", 1, ""),
        ("---\na: 1\n---\nb: 2\n", "holds more than one YAML document", None, ""),
    ],
)  # fmt: skip
def test_load_refuses_what_would_be_ambiguous_or_unsafe(
    text: str, message: str, line: int | None, path: str
) -> None:
    """Refuses duplicate and non-string keys, merge keys, Python tags, bad syntax, many documents."""
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.load(text)
    assert (caught.value.message, caught.value.line, caught.value.path) == (message, line, path)


def test_aliases_are_refused_where_asked() -> None:
    """With `allow_aliases=False` the first alias is refused, with its line."""
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.load("a: &x 1\nb: 2\nc: *x\n", allow_aliases=False)
    assert (caught.value.message, caught.value.line) == (
        "YAML aliases (*name) are not allowed here",
        3,
    )


def test_aliases_are_expanded_where_allowed() -> None:
    """A modest alias is expanded into plain data."""
    assert yamlsafe.load("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly() -> None:
    """A billion-laughs document stops at the value budget, in well under a second."""
    started = time.perf_counter()
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.load(_bomb(9))
    assert caught.value.message == "expands to too many values (YAML aliases used as a bomb?)"
    assert time.perf_counter() - started < 1.0


def test_value_budget_counts_the_expanded_values() -> None:
    """Expansion past `max_nodes` is refused even when the text itself is small."""
    yamlsafe.load(_bomb(3), max_nodes=1000)  # 9 + 81 + 729 leaves and their lists: fits
    with pytest.raises(YamlProblem, match="expands to too many values"):
        yamlsafe.load(_bomb(4), max_nodes=1000)


def test_too_many_values_in_the_text_are_refused_before_building() -> None:
    """A long flat document is refused by the event scan."""
    text = "[" + ", ".join(["1"] * 200) + "]\n"
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.load(text, max_nodes=100)
    assert caught.value.message == "has more than 100 YAML values"


@pytest.mark.parametrize(
    ("depth", "refused"),
    [(3, False), (4, True)],
)
def test_nesting_is_bounded(depth: int, refused: bool) -> None:
    """Nesting deeper than `max_depth` is refused with the line where it goes too deep."""
    text = "[" * depth + "1" + "]" * depth + "\n"
    if refused:
        with pytest.raises(YamlProblem) as caught:
            yamlsafe.load(text, max_depth=3)
        assert (caught.value.message, caught.value.line) == ("nested more than 3 levels deep", 1)
    else:
        assert yamlsafe.load(text, max_depth=3).data == [[[1]]]


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        (500, "nested more than 40 levels deep"),
        (10_000, "YAML syntax: exceeded maximum nesting depth"),  # libyaml's own limit
    ],
)
def test_very_deep_nesting_is_refused_without_recursion(depth: int, message: str) -> None:
    """Thousands of open brackets are refused by the scan, not by a RecursionError."""
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.load("[" * depth + "]" * depth)
    assert caught.value.message == message


def test_yaml_1_1_scalars_are_kept_as_yaml_reads_them() -> None:
    """`no` and dates stay YAML 1.1 booleans and dates; `010` is ten, as YAML 1.2 reads it."""
    data = yamlsafe.load("a: no\nb: 010\nc: 1_000\nd: 2026-11-25\ne: '010'\n").data
    assert isinstance(data, dict)
    assert data["a"] is False
    assert data["b"] == 10
    assert data["c"] == 1000
    assert str(data["d"]) == "2026-11-25"
    assert data["e"] == "010"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"a: 1\n", "a: 1\n"),
        (b"\xef\xbb\xbfa: 1\n", "a: 1\n"),  # a UTF-8 byte-order mark is dropped
        ("caf\u00e9: 1\n".encode(), "caf\u00e9: 1\n"),
    ],
)
def test_decode_reads_utf8_and_drops_a_bom(raw: bytes, text: str) -> None:
    """Decodes UTF-8, with or without a byte-order mark."""
    assert yamlsafe.decode(raw, "rule pack") == text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"a: 1\x00\x01\x02", "rule pack is binary, not text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "rule pack is binary, not text"),
        (b"a: caf\xe9\n", "rule pack is not UTF-8 text (byte 6)"),
        ("a: 1\n".encode("utf-16"), "rule pack is binary, not text"),
    ],
)
def test_decode_refuses_binary_and_other_encodings(raw: bytes, message: str) -> None:
    """Refuses binary data and text that is not UTF-8, saying which byte."""
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.decode(raw, "rule pack")
    assert caught.value.message == message


def test_a_bom_does_not_shift_lines() -> None:
    """After a byte-order mark, line numbers still count from the first line."""
    text = yamlsafe.decode(b"\xef\xbb\xbfa: 1\nb: [\n", "rule pack")
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.load(text)
    assert caught.value.line == 3


def test_read_text_reads_a_file(tmp_path: Path) -> None:
    """Reads a UTF-8 file."""
    file = tmp_path / "a.yaml"
    file.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert yamlsafe.read_text(file, "answers file") == "a: 1\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.yaml", "no such answers file"),
        (lambda d: d, "answers file is a folder, not a file"),
        (
            lambda d: _write(d / "big.yaml", b"a: 1\n" * 30),
            "answers file is 150 bytes; the limit is 100",
        ),
        (lambda d: _write(d / "bin.yaml", b"\x00\x01"), "answers file is binary, not text"),
    ],
)
def test_read_text_explains_what_it_cannot_read(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    """A missing file, a folder, an oversized or binary file each get one clear message."""
    path = make(tmp_path)
    with pytest.raises(YamlProblem) as caught:
        yamlsafe.read_text(path, "answers file", max_bytes=100)
    assert caught.value.message == message


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
