"""Reading YAML that a user wrote: safe loader only, bounded, with the line of every value."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # PyYAML is imported when YAML is parsed: JSON answers with a built-in
    import yaml  # pack (loader.stored_parse) need none of it, and its import costs ~13 ms

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 40


class YamlProblem(ValueError):
    """Why a YAML text could not be read; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


@dataclass
class Located:
    """YAML data plus the line each value starts on, keyed by YAML path (``rules[2].when``)."""

    data: object
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest enclosing value."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[: max(cut, 0)]


def read_text(path: Path, what: str, max_bytes: int = MAX_BYTES) -> str:
    """The UTF-8 text of a file, or a clear problem (missing, a folder, too big, binary)."""
    try:
        if path.is_dir():
            raise YamlProblem(f"{what} is a folder, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlProblem(f"{what} is {size:,} bytes; the limit is {max_bytes:,}")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlProblem(f"no such {what}") from None
    except PermissionError:
        raise YamlProblem(f"{what} cannot be read (permission denied)") from None
    except OSError as error:
        raise YamlProblem(f"{what} cannot be read ({error.strerror or error})") from None
    return decode(raw, what)


def decode(raw: bytes, what: str) -> str:
    """Bytes as UTF-8 text (a BOM is dropped), refusing binary data."""
    if b"\x00" in raw:
        raise YamlProblem(f"{what} is binary, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise YamlProblem(f"{what} is not UTF-8 text (byte {error.start})") from None


@cache
def safe_loader() -> type[yaml.SafeLoader] | type[yaml.CSafeLoader]:
    """libyaml's safe loader, several times faster, or PyYAML's where libyaml is missing."""
    import yaml

    return yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


def load(
    text: str,
    *,
    allow_aliases: bool = True,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
) -> Located:
    """Parse one YAML document into plain data with line numbers, refusing bombs and tricks."""
    import yaml

    _prescan(text, allow_aliases=allow_aliases, max_nodes=max_nodes, max_depth=max_depth)
    try:
        node = yaml.compose(text, Loader=safe_loader())
    except yaml.MarkedYAMLError as error:
        raise _syntax_problem(error) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"YAML syntax: {error}") from None
    located = Located(None)
    if node is None:
        return located
    budget = [max_nodes]
    root = cast("yaml.ScalarNode | yaml.SequenceNode | yaml.MappingNode", node)  # all there are
    located.data = _build(root, "", located.lines, budget, _scalar_builder())
    return located


def _prescan(text: str, *, allow_aliases: bool, max_nodes: int, max_depth: int) -> None:
    """Walk the event stream (no recursion, no expansion) to refuse deep or aliased input."""
    import yaml

    depth = 0
    count = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=safe_loader()):
            if isinstance(event, yaml.AliasEvent):
                if not allow_aliases:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise YamlProblem("YAML aliases (*name) are not allowed here", line)
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > max_depth:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise YamlProblem(f"nested more than {max_depth} levels deep", line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlProblem("holds more than one YAML document")
            count += 1
            if count > max_nodes:
                raise YamlProblem(f"has more than {max_nodes:,} YAML values")
    except yaml.MarkedYAMLError as error:
        raise _syntax_problem(error) from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"YAML syntax: {error}") from None


def _syntax_problem(error: yaml.MarkedYAMLError) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    what = error.problem or error.context or "invalid YAML"
    start = error.context_mark
    if error.problem and error.context and start is not None and start.line + 1 != line:
        # the parser notices a missing ']' or '"' lines later: say where the thing began
        what += f" ({error.context} on line {start.line + 1})"
    return YamlProblem(f"YAML syntax: {what}", line)


INT_TAG = "tag:yaml.org,2002:int"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
MAX_DIGITS = 100
# YAML 1.1 reads a zero-padded `035` as octal 29 and `1:30` as 90 (base 60): an age or a
# count typed that way would silently change. Read them as YAML 1.2 does: `035` is 35 and
# `1:30` is text.
_ZERO_PADDED = re.compile(r"[-+]?0[0-9_]+")


def _scalar_builder() -> Callable[[yaml.ScalarNode, str], object]:
    import yaml

    constructor = yaml.constructor.SafeConstructor()

    def build(node: yaml.ScalarNode, path: str) -> object:
        line = node.start_mark.line + 1
        if node.tag == INT_TAG and not node.style:  # plain (libyaml says "", PyYAML None)
            text = node.value
            if sum(c.isdigit() for c in text) > MAX_DIGITS:
                raise YamlProblem(f"a number of more than {MAX_DIGITS} digits", line, path)
            if ":" in text:
                return text
            if _ZERO_PADDED.fullmatch(text):
                return int(text.replace("_", ""), 10)
        try:
            return constructor.construct_object(node)
        except yaml.constructor.ConstructorError as error:
            raise YamlProblem(f"cannot read value: {error.problem}", line, path) from None
        except (ValueError, OverflowError) as error:  # a date like 2026-02-30
            raise YamlProblem(
                f"cannot read value {_shown(node.value)}: {error}", line, path
            ) from None

    return build


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _build(
    node: yaml.ScalarNode | yaml.SequenceNode | yaml.MappingNode,
    path: str,
    lines: dict[str, int],
    budget: list[int],
    scalar: Callable[[yaml.ScalarNode, str], object],
) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(
            "expands to too many values (YAML aliases used as a bomb?)", node.start_mark.line + 1
        )
    lines.setdefault(path, node.start_mark.line + 1)
    if node.id == "scalar":
        return scalar(cast("yaml.ScalarNode", node), path)
    if node.tag not in (SEQ_TAG, MAP_TAG):  # !!python/object/apply:..., !!set, !custom
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(f"YAML tag {tag} is not allowed", node.start_mark.line + 1, path)
    if node.id == "sequence":
        return [
            _build(item, f"{path}[{i}]", lines, budget, scalar) for i, item in enumerate(node.value)
        ]
    if node.id == "mapping":
        result: dict[object, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(
                    "YAML merge keys (<<) are not supported", key_node.start_mark.line + 1
                )
            key = _build(key_node, path, {}, budget, scalar)
            if not isinstance(key, str):
                raise YamlProblem(
                    f"key {key!r} is not a string (quote it)", key_node.start_mark.line + 1, path
                )
            child = f"{path}.{key}" if path else key
            if key in result:
                raise YamlProblem(f"duplicate key '{key}'", key_node.start_mark.line + 1, path)
            result[key] = _build(value_node, child, lines, budget, scalar)
            lines[child] = key_node.start_mark.line + 1
        return result
    raise YamlProblem(f"unsupported YAML node {node.tag}")  # pragma: no cover
