"""Answers: coerce each raw value to its question's type; read answers files and JSON strictly.

`when`, defaults and `required` are the runner's (mesoguide.runner).
"""

from __future__ import annotations

import datetime
import difflib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path

from mesoguide import yamlsafe
from mesoguide.conditions import type_name
from mesoguide.errors import UsageError, suggesting
from mesoguide.i18n import N_, _
from mesoguide.model import Answer, Question, RulePack

# Spanish sí (any case; "si" without the accent, and with it as a combining mark; "s" as in a
# form's S/N) is yes in every language, so that an input file never depends on --lang.
TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "sí", "si", "si\u0301", "s"})
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
    if kind == "decimal":
        return _decimal(question, raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind == "text":
        return _text(question, raw)
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
    elif isinstance(raw, float | Decimal):  # a Decimal: a JSON number a float would round
        if isinstance(raw, Decimal):
            whole = raw.is_finite() and raw.adjusted() < 12 and raw == raw.to_integral_value()
        else:
            whole = math.isfinite(raw) and raw.is_integer() and abs(raw) < 1e12
        if whole:
            value = int(raw)
        else:
            raise AnswerRejected(_("{value} is not a whole number").format(value=_shown(raw)))
    else:
        raise AnswerRejected(f"expected a whole number, not {type_name(raw)}")
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        raise AnswerRejected(_outside(_shown(value), low, high))
    return value


def _outside(shown: str, low: int | Decimal | None, high: int | Decimal | None) -> str:
    low_text, high_text = _number(low), _number(high)
    if low is not None and high is not None:
        return _("{value} is outside {low} to {high}").format(
            value=shown, low=low_text, high=high_text
        )
    if low is not None:
        return _("{value} is outside at least {low}").format(value=shown, low=low_text)
    return _("{value} is outside at most {high}").format(value=shown, high=high_text)


def _number(value: int | Decimal | None) -> str:
    return decimal_text(value) if isinstance(value, Decimal) else str(value)


MAX_DECIMAL_DIGITS = 15
"""The most digits a decimal answer may have (before and after the point together): a JSON
number of that many digits reads back as the same value, and no measurement needs more."""
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def _decimal(question: Question, raw: object) -> Decimal:
    if isinstance(raw, str):
        value = _decimal_from_text(question, raw)
    elif isinstance(raw, bool):
        raise AnswerRejected(f"expected a number, not {type_name(raw)} ({_shown(raw)})")
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float) and math.isfinite(raw):
        # A float is the number a YAML or JSON file wrote: its shortest form is that text
        # (39.95, not the binary 39.9500000000000028...), so thresholds compare exactly.
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal) and raw.is_finite():
        value = raw
    elif isinstance(raw, float | Decimal):
        raise AnswerRejected(_("{value} is not a number").format(value=_shown(raw)))
    else:
        raise AnswerRejected(f"expected a number, not {type_name(raw)}")
    if value.adjusted() >= MAX_DECIMAL_DIGITS:
        raise AnswerRejected(
            _("{value} has more than {count} digits").format(
                value=_shown(raw), count=MAX_DECIMAL_DIGITS
            )
        )
    value = plain_decimal(value)
    if _digits(value) > MAX_DECIMAL_DIGITS:
        raise AnswerRejected(
            _("{value} has more than {count} digits").format(
                value=_shown(decimal_text(value)), count=MAX_DECIMAL_DIGITS
            )
        )
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        raise AnswerRejected(_outside(decimal_text(value), low, high))
    step = question.step
    if step is not None:
        base = Decimal(low) if low is not None else Decimal(0)
        steps = (value - base) / step
        if steps != steps.to_integral_value():
            below = base + step * steps.to_integral_value(rounding="ROUND_FLOOR")
            near = [
                decimal_text(plain_decimal(v))
                for v in (below, below + step)
                if (low is None or v >= low) and (high is None or v <= high)
            ]
            start = (
                _(" from {base}").format(base=decimal_text(base))
                if low is not None and base % step
                else ""
            )
            raise AnswerRejected(
                _("{value} is not a step of {step}{start}: the nearest are {near}").format(
                    value=decimal_text(value),
                    step=decimal_text(step),
                    start=start,
                    near=_(" and ").join(near),
                )
            )
    return value


def _decimal_from_text(question: Question, raw: str) -> Decimal:
    text = raw.strip()
    if not text:
        raise AnswerRejected(_("expected a number"))
    if _DECIMAL.fullmatch(text) and text.isascii():
        return Decimal(text)
    if len(text) > 40:
        text = text[:37] + "..."
    # A spreadsheet in a European locale writes 40,5; "1,234" could be either reading, so a
    # comma is never guessed at: the message names the fix.
    if _GROUPED.fullmatch(text) and "." in text:
        fix = _("write it without ',' ({number})").format(number=text.replace(",", ""))
    elif _DECIMAL_COMMA.fullmatch(text):
        fix = _("write the decimal point as '.' ({number})").format(number=text.replace(",", "."))
    else:
        unit = _(" in {unit}").format(unit=question.unit) if question.unit else ""
        fix = _("type a number{unit}, such as 40.5").format(unit=unit)
    raise AnswerRejected(_("{value} is not a number: {fix}").format(value=_shown(text), fix=fix))


def plain_decimal(value: Decimal) -> Decimal:
    """The value without trailing zeros after the point (40.50 is 40.5, 40.0 is 40)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _digits(value: Decimal) -> int:
    _sign, digits, exponent = value.as_tuple()
    return max(len(digits), -int(exponent) + 1 if isinstance(exponent, int) else 0)


def decimal_text(value: Decimal) -> str:
    """A decimal as a person writes it: no exponent, no trailing zeros."""
    return format(plain_decimal(value), "f")


def decimal_from_data(value: object) -> Decimal | None:
    """A number written in a pack (int, float or decimal) as a Decimal, exactly as written;
    None when it is no number, or not a finite one."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float):
        number = Decimal(repr(value)) if math.isfinite(value) else None
    else:
        number = Decimal(value)
    if number is None or not number.is_finite():
        return None
    return number if number.adjusted() >= MAX_DECIMAL_DIGITS else plain_decimal(number)


def too_many_digits(value: Decimal) -> str | None:
    """Why a pack's decimal (a limit, a step, a threshold) has too many digits, or None."""
    if value.adjusted() >= MAX_DECIMAL_DIGITS or _digits(value) > MAX_DECIMAL_DIGITS:
        return f"{value} has more than {MAX_DECIMAL_DIGITS} digits, as no answer may"
    return None


# Control characters would let a text rewrite the terminal or the report; a line break and a
# tab are kept. Bidirectional controls can make a text read differently from what it holds.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _text(question: Question, raw: object) -> str:
    if not isinstance(raw, str):
        if isinstance(raw, bool | int | float | datetime.date):  # YAML read `no`, `010`...
            kind = "a date" if isinstance(raw, datetime.date) else type_name(raw)
            raise AnswerRejected(
                f"expected text, not {kind} ({_shown(raw)}): put the text in quotes"
            )
        raise AnswerRejected(f"expected text, not {type_name(raw)}")
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    for char in text:
        if char in _BIDI_CONTROLS or (char not in "\n\t" and unicodedata.category(char) == "Cc"):
            raise AnswerRejected(
                _("the text holds the control character U+{code}: remove it").format(
                    code=f"{ord(char):04X}"
                )
            )
    if len(text) > question.max_length:
        raise AnswerRejected(
            _("the text is {length} characters long; the limit is {limit}").format(
                length=f"{len(text):,}", limit=f"{question.max_length:,}"
            )
        )
    return text


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


def _latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _closest_choice(question: Question, value: str) -> str | None:
    """The value of the one choice ``value`` looks most like, by the choice's value, its label
    in any of the pack's languages, or a word of one (a typed 'meses' is 'En unos meses', so
    months, not the look-alike id 'weeks'); None when nothing is close or it is ambiguous.

    Only a single mistyped word gets a hint: a phrase may say more than any one choice does
    ('Ninguna salvo diabetes', 'no diabetes'), and pointing it to one choice would drop the
    rest, on a screening question a condition."""
    if len(re.findall(r"\w+", value)) != 1:
        return None
    names: dict[str, set[str]] = {}
    for choice in question.choices:
        for text in (choice.value, choice.label, *choice.labels):
            folded = _fold(text)
            for name in (folded, *(word for word in folded.split() if len(word) > 3)):
                names.setdefault(name, set()).add(choice.value)
    close = difflib.get_close_matches(_fold(value), list(names), n=1, cutoff=0.6)
    if not close or len(names[close[0]]) != 1:
        return None
    return next(iter(names[close[0]]))


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
    closest = _closest_choice(question, value)
    hint = "" if closest is None else suggesting(closest)
    # a look-alike (Cyrillic U+0435 for 'e') reads right but is not; an accent (sé) is no trick
    odd = next((c for c in value if c.isalpha() and not _latin(c)), None)
    if odd is not None:
        hint += _(" (it holds the non-ASCII character {char}, U+{code})").format(
            char=repr(odd), code=f"{ord(odd):04X}"
        )
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
        message = (
            _("choose at least {low} of {choices}")
            if ordered
            else _("choose at least {low}: {choices}")
        )
        raise AnswerRejected(message.format(low=low, choices=", ".join(values)))
    if high is not None and len(ordered) > high:
        raise AnswerRejected(_("choose at most {high}").format(high=high))
    return ordered


def is_blank(answer: Answer) -> bool:
    """Whether a coerced answer says nothing: no choice ticked, a text of blanks."""
    return answer == () or answer == ""


def format_answer(question: Question, value: Answer) -> str:
    """An answer as a person reads it: choice labels, yes/no."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        step = question.step
        if step is not None and plain_decimal(step).as_tuple().exponent != 0:
            value = value.quantize(plain_decimal(step))  # 40.0 on a step of 0.1: its places
            text = format(value, "f")
        else:
            text = decimal_text(value)
        return f"{text} {question.unit}" if question.unit else text
    if question.type == "text":  # on one line: a review row, a table cell
        return " / ".join(line.strip() for line in str(value).split("\n"))
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
        raise UsageError(_("{source}: the answers file is empty").format(source=shown))
    if not isinstance(data, dict):
        raise UsageError(f"{shown}: {not_a_mapping(data)}")
    return data


# Answers that are no mapping, by what they are instead (conditions.type_name)
_NOT_A_MAPPING = {
    "a list": N_("answers must be a mapping of question id to answer, not a list"),
    "a string": N_("answers must be a mapping of question id to answer, not a string"),
    "an integer": N_("answers must be a mapping of question id to answer, not an integer"),
    "a number": N_("answers must be a mapping of question id to answer, not a number"),
    "a boolean": N_("answers must be a mapping of question id to answer, not a boolean"),
    "null": N_("answers must be a mapping of question id to answer, not null"),
}


def not_a_mapping(data: object) -> str:
    """Why ``data``, an answers file's or a JSON line's value, holds no answers."""
    kind = type_name(data)
    if kind in _NOT_A_MAPPING:
        return _(_NOT_A_MAPPING[kind])
    return f"answers must be a mapping of question id to answer, not {kind}"  # a date: rare


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


# What Python's JSON reader says of a syntax error (json.decoder and its C scanner), as it
# says it: translated where the tool's words are.
JSON_SYNTAX = {
    message: message
    for message in (
        N_("Expecting value"),
        N_("Expecting property name enclosed in double quotes"),
        N_("Expecting ':' delimiter"),
        N_("Expecting ',' delimiter"),
        N_("Unterminated string starting at"),
        N_("Invalid control character at"),
        N_("Invalid \\escape"),
        N_("Invalid \\uXXXX escape"),
        N_("Extra data"),
    )
}


def parse_json(text: str) -> object:
    """The JSON value of ``text``, read as strictly as an answers file, or JsonProblem.

    Refused: NaN and Infinity, a number of more than 100 digits, a key given twice, nesting
    more than 10 levels deep. `assess --answers` and every line of `batch` read JSON here.
    """
    try:
        data = _decode(text)
    except json.JSONDecodeError as error:
        reason = _(JSON_SYNTAX[error.msg]) if error.msg in JSON_SYNTAX else error.msg
        raise JsonProblem(
            _("JSON syntax: {reason}").format(reason=reason), error.lineno, error.pos
        ) from None
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


def _json_float(text: str) -> float | Decimal:
    """A JSON number with a point or exponent: a float when that is exactly the number
    written, else a Decimal of the digits (a float would round 40.000000000000000001 to 40,
    and a decimal answer must be refused for its digits, not taken for another number)."""
    value = float(text)
    # 16 characters hold at most 15 digits, which a float's shortest form gives back
    if len(text) <= 16 or not math.isfinite(value) or Decimal(repr(value)) == Decimal(text):
        return value
    return Decimal(text)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid answer")


# One decoder for every text (json.loads would build one per call; batch decodes per line).
_decode = json.JSONDecoder(
    parse_constant=_refuse_constant,
    parse_float=_json_float,
    parse_int=_json_int,
    object_pairs_hook=_unique_keys,
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
