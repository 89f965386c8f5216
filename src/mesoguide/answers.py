"""Answers: coerce each raw value to its question's type; read answers files and JSON strictly.

`when`, defaults and `required` are the runner's (mesoguide.runner).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path

from mesoguide import yamlsafe
from mesoguide.conditions import type_name
from mesoguide.errors import UsageError, did_you_mean
from mesoguide.i18n import _
from mesoguide.model import Answer, Question, RulePack

# Spanish sí (any case; "si" without the accent, and with it as a combining mark) is yes in
# every language, so that an input file never depends on --lang.
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "sí", "si", "si\u0301"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0"})
MAX_ANSWERS_BYTES = 1024 * 1024
MAX_ANSWERS_DEPTH = 10
_TOO_DEEP = f"nested more than {MAX_ANSWERS_DEPTH} levels deep"


class AnswerRejected(ValueError):
    """One answer that does not fit its question."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def coerce(question: Question, raw: object) -> Answer:
    """The answer ``raw`` as the question's type, or AnswerRejected with the reason."""
    kind = question.type
    if kind == "integer":
        return _integer(question, raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind == "choice":
        if isinstance(raw, list | tuple) and len(raw) == 1:
            raw = raw[0]
        return _choice(question, raw)
    return _multiple(question, raw)


def _integer(question: Question, raw: object) -> int:
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise AnswerRejected(_("expected a whole number"))
        digits = text[1:] if text[0] in "+-" else text  # one sign at most: int("--5") fails
        if not digits.isdigit() or not digits.isascii():
            raise AnswerRejected(_("{value} is not a whole number").format(value=_shown(raw)))
        if len(digits) > 12:  # past any sensible bound; spares int() a text of any length
            low, high = question.min, question.max
            shown = text if len(text) <= 60 else text[:57] + "..."
            if low is None and high is None:
                raise AnswerRejected(_("{value} is too large").format(value=shown))
            raise AnswerRejected(_outside(shown, low, high))
        value = int(text)
    elif isinstance(raw, bool):
        raise AnswerRejected(f"expected a whole number, not {type_name(raw)} ({_shown(raw)})")
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e12:
            value = int(raw)
        else:
            raise AnswerRejected(f"{_shown(raw)} is not a whole number")
    else:
        raise AnswerRejected(f"expected a whole number, not {type_name(raw)}")
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        raise AnswerRejected(_outside(_shown(value), low, high))
    return value


def _outside(shown: str, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return _("{value} is outside {low} to {high}").format(value=shown, low=low, high=high)
    if low is not None:
        return _("{value} is outside at least {low}").format(value=shown, low=low)
    return _("{value} is outside at most {high}").format(value=shown, high=high)


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS:
        return True
    if isinstance(raw, str) and raw.strip().lower() in FALSE_WORDS:
        return False
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    raise AnswerRejected(
        _("{value} is not yes or no (yes/no/true/false/y/n/1/0)").format(value=_shown(raw))
    )


def _choice(question: Question, raw: object) -> str:
    if not isinstance(raw, str):
        raise AnswerRejected(
            f"expected one of {', '.join(question.choice_values)}, not {type_name(raw)}"
        )
    value = raw.strip()
    if value in question.choice_values:
        return value
    return _by_label(question, value)


Lookup = dict[str, tuple[str, ...]]
"""Per question: a value or label, case-folded, to the choice values it can mean (one, or more
when it is ambiguous)."""
_LOOKUPS: dict[int, tuple[Question, Lookup]] = {}


def _fold(text: str) -> str:
    """Text as a lookup key: any case, runs of spaces as one."""
    return " ".join(text.casefold().split())


def _lookup(question: Question) -> Lookup:
    """The question's values and labels, made once per question object (not per answer)."""
    known = _LOOKUPS.get(id(question))
    if known is not None and known[0] is question:
        return known[1]
    found: dict[str, list[str]] = {}
    for choice in question.choices:
        for text in (choice.value, choice.label, *choice.labels):
            values = found.setdefault(_fold(text), [])
            if choice.value not in values:
                values.append(choice.value)
    lookup = {key: tuple(values) for key, values in found.items()}
    if len(_LOOKUPS) >= 4096:  # packs loaded over and over (tests): start over
        _LOOKUPS.clear()
    _LOOKUPS[id(question)] = (question, lookup)
    return lookup


def _by_label(question: Question, value: str) -> str:
    """The choice whose value or label ``value`` is, in any case; else AnswerRejected."""
    values = _lookup(question).get(_fold(value), ())
    if len(values) == 1:
        return values[0]
    if values:
        labels = {c.value: c.label for c in question.choices}
        named = [f"{v} ({labels[v]!r})" for v in values]
        shown = _("{some} or {last}").format(some=", ".join(named[:-1]), last=named[-1])
        raise AnswerRejected(
            _("{value} could be {choices}: give the value").format(
                value=_shown(value), choices=shown
            )
        )
    raise AnswerRejected(_not_a_choice(question, value))


def _not_a_choice(question: Question, value: str) -> str:
    hint = did_you_mean(value.lower(), question.choice_values)
    odd = next((c for c in value if not c.isascii()), None)
    if odd is not None:  # a look-alike (Cyrillic U+0435 for 'e') reads right but is not
        hint += f" (it holds the non-ASCII character {odd!r}, U+{ord(odd):04X})"
    return (
        _("{value} is not one of {choices}").format(
            value=_shown(value), choices=", ".join(question.choice_values)
        )
        + hint
    )


def _multiple(question: Question, raw: object) -> tuple[str, ...]:
    if isinstance(raw, str):
        items: list[object] = [part for part in raw.split(";") if part.strip()]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise AnswerRejected(f"expected a list of choices, not {type_name(raw)}")
    values = question.choice_values
    chosen: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise AnswerRejected(f"each choice is text, not {type_name(item)} ({_shown(item)})")
        value = item.strip()
        if value not in values:
            try:
                value = _by_label(question, value)
            except AnswerRejected:
                _refuse_commas(question, value, isinstance(raw, str))
                raise
        chosen.add(value)
    ordered = tuple(v for v in values if v in chosen)
    exclusive = [c.value for c in question.choices if c.exclusive and c.value in chosen]
    if exclusive and len(ordered) > 1:
        raise AnswerRejected(
            _("'{choice}' cannot be combined with other choices").format(choice=exclusive[0])
        )
    low, high = question.min, question.max
    if low is not None and len(ordered) < low:
        raise AnswerRejected(
            (
                _("choose at least {low} of {choices}")
                if ordered
                else _("choose at least {low}: {choices}")
            ).format(low=low, choices=", ".join(values))
        )
    if high is not None and len(ordered) > high:
        raise AnswerRejected(_("choose at most {high}").format(high=high))
    return ordered


def format_answer(question: Question, value: Answer) -> str:
    """An answer as a person reads it: choice labels, yes/no."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    labels = {c.value: c.label for c in question.choices}
    if isinstance(value, tuple):
        return ", ".join(labels.get(v, v) for v in value) or _("(none)")
    if isinstance(value, str):
        return labels.get(value, value)
    return str(value)


def _refuse_commas(question: Question, value: str, in_text: bool) -> None:
    """Say how to separate choices when ``value`` is several valid ones joined by commas.

    Form tools join ticked boxes with ", ", and a label may hold a comma itself ("Cancer, now
    or in the past"), so this is tried only once the whole text is no choice, and the parts
    may be joined back into labels.
    """
    if "," not in value:
        return
    meant = _split_at_commas(_lookup(question), value.split(","))
    if meant is None:
        return
    fix = f"separate them with ';' ({';'.join(meant)})" if in_text else "give each as its own item"
    raise AnswerRejected(f"{_shown(value)} separates choices with ',': {fix}")


def _split_at_commas(lookup: Lookup, parts: list[str]) -> list[str] | None:
    """The choices that ``parts`` make when runs of them are joined back with commas, or None."""
    if not parts:
        return []
    if len(parts) > 30:  # far more than any question's choices: spare the search
        return None
    for end in range(len(parts), 0, -1):
        text = ",".join(parts[:end])
        values: tuple[str, ...] = ()
        if text.strip():  # empty parts (`a,,b`, a trailing comma) name nothing
            values = lookup.get(_fold(text), ())
            if len(values) != 1:
                continue
        rest = _split_at_commas(lookup, parts[end:])
        if rest is not None:
            return [*values, *rest]
    return None


def _shown(value: object) -> str:
    if isinstance(value, bool):  # as the YAML or JSON file spells it
        return "true" if value else "false"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def read_answers(path: str, stdin_text: bytes | str | None = None) -> dict[str, object]:
    """Raw answers from a YAML or JSON file (``-``: the given stdin bytes), refusing aliases."""
    shown = "stdin" if path == "-" else path
    try:
        if path == "-":
            raw = stdin_text or b""
            if len(raw) > MAX_ANSWERS_BYTES:
                raise yamlsafe.YamlProblem("input is over 1 MiB")
            text = yamlsafe.decode(raw, "input") if isinstance(raw, bytes) else raw
        else:
            text = yamlsafe.read_text(Path(path), "answers file", MAX_ANSWERS_BYTES)
        data = _parse(text)
    except yamlsafe.YamlProblem as problem:
        where = f"{shown}:{problem.line}" if problem.line else shown
        what = f"{problem.path}: {problem.message}" if problem.path else problem.message
        raise UsageError(f"{where}: {what}") from None
    if data is None:
        raise UsageError(f"{shown}: the answers file is empty")
    if not isinstance(data, dict):
        raise UsageError(
            f"{shown}: answers must be a mapping of question id to answer, not {type_name(data)}"
        )
    return data


def _parse(text: str) -> object:
    if text.lstrip().startswith("{"):
        return parse_json(text)
    return yamlsafe.load(
        text, allow_aliases=False, max_nodes=10_000, max_depth=MAX_ANSWERS_DEPTH
    ).data


class JsonProblem(yamlsafe.YamlProblem):
    """Why a JSON text was refused, in the words `assess` uses for an answers file.

    ``line`` (1-based) and ``offset`` (0-based, in the text) place a syntax error; ``key`` is
    the top-level key whose value was refused, if any (`assess` names the file, batch the key).
    """

    def __init__(
        self, message: str, line: int | None = None, offset: int | None = None, key: str = ""
    ) -> None:
        super().__init__(message, line)
        self.offset = offset
        self.key = key


def parse_json(text: str) -> object:
    """The JSON value of ``text``, read as strictly as an answers file, or JsonProblem.

    Refused: NaN and Infinity, a number of more than 100 digits, a key given twice, nesting
    more than 10 levels deep. `assess --answers` and every line of `batch` read JSON here.
    """
    try:
        data = _decode(text)
    except json.JSONDecodeError as error:
        raise JsonProblem(f"JSON syntax: {error.msg}", error.lineno, error.pos) from None
    except RecursionError:  # deeper than Python's stack, far past the limit
        raise JsonProblem(_TOO_DEEP) from None
    except ValueError as error:  # from the hooks below
        reason = str(error)
        raise JsonProblem(reason, key=_key_holding(text, reason)) from None
    # Nesting past the limit takes more brackets than that; most texts are spared the walk.
    if text.count("[") + text.count("{") > MAX_ANSWERS_DEPTH:
        _check_depth(data)
    return data


def _check_depth(data: object) -> None:
    """Refuse JSON nested deeper than YAML answers may be (the same message)."""
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_ANSWERS_DEPTH:
                raise JsonProblem(_TOO_DEEP)
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


def _json_int(text: str) -> int:
    # JSON allows one sign and no other non-digit: short texts are spared the strip.
    if len(text) > yamlsafe.MAX_DIGITS and len(text.lstrip("-")) > yamlsafe.MAX_DIGITS:
        raise ValueError(f"a number of more than {yamlsafe.MAX_DIGITS} digits")
    return int(text)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) < len(pairs):  # rare: find the first key given twice
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key '{key}'")  # as YAML answers files say
            seen.add(key)
    return result


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid answer")


# One decoder for every text (json.loads would build one per call; batch decodes per line).
_decode = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_int=_json_int, object_pairs_hook=_unique_keys
).decode


class _Refused:
    """A value the strict decoder refused, kept in place to find the key that holds it."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _marked(hook: Callable[[str], object]) -> Callable[[str], object]:
    def mark(text: str) -> object:
        try:
            return hook(text)
        except ValueError as error:
            return _Refused(str(error))

    return mark


def _key_holding(text: str, reason: str) -> str:
    """The top-level key whose value the strict decoder refused for ``reason``, or ""."""
    marking = json.JSONDecoder(
        parse_constant=_marked(_refuse_constant), parse_int=_marked(_json_int)
    )
    try:
        data = marking.decode(text)
    except (ValueError, RecursionError):
        return ""
    if isinstance(data, dict):
        for key, value in data.items():
            stack = [value]
            while stack:
                item = stack.pop()
                if isinstance(item, _Refused) and item.reason == reason:
                    return str(key)
                if isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, dict):
                    stack.extend(item.values())
    return ""


def unknown_keys(pack: RulePack, raw: Mapping[str, object]) -> list[str]:
    """Keys of raw answers that name no question of the pack (a typo, most often)."""
    known = {q.id for q in pack.questions}
    return [key for key in raw if key not in known]
