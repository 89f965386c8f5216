"""The condition language: parsed from YAML data, compiled once to closures, never eval'd."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import cast, get_args

from mesoguide.i18n import N_, _
from mesoguide.model import (
    AllOf,
    Answers,
    AnyOf,
    Compare,
    Condition,
    Not,
    Operator,
    Predicate,
    Question,
)

OPERATORS: tuple[str, ...] = get_args(Operator)
LIST_OPERATORS = frozenset({"in", "not_in", "contains_any", "contains_all"})
ORDER_OPERATORS = frozenset({"lt", "le", "gt", "ge"})
# Which operators make sense for which question type.
OPERATORS_FOR_TYPE: Mapping[str, frozenset[str]] = {
    "integer": frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "answered"}),
    "decimal": frozenset({"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in", "answered"}),
    "boolean": frozenset({"eq", "ne", "answered"}),
    "choice": frozenset({"eq", "ne", "in", "not_in", "answered"}),
    "multiple": frozenset({"contains", "contains_any", "contains_all", "answered"}),
    "text": frozenset({"answered"}),  # a free text is never compared: only given or not
}


class ConditionSyntaxError(ValueError):
    """A condition of the wrong shape; ``path`` says where inside the condition."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _alone(combinator: str, keys: set[object]) -> str:
    others = sorted(f"'{key}'" for key in keys - {combinator})
    beside = f"{others[0]} is" if len(others) == 1 else f"{', '.join(others)} are"
    return (
        f"'{combinator}' must stand alone in its mapping, but {beside} beside it (indented "
        "too far, or a separate condition?)"
    )


def parse_condition(data: object, path: str = "") -> Condition:
    """Turn YAML data (``all``/``any``/``not`` over ``{question, op, value}``) into a tree."""
    if not isinstance(data, Mapping):
        raise ConditionSyntaxError(
            path, f"a condition is a mapping, not {type_name(data)}: use all/any/not or question/op"
        )
    keys = set(data)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise ConditionSyntaxError(path, _alone(combinator, keys))
            items = data[combinator]
            if not isinstance(items, list):
                raise ConditionSyntaxError(
                    f"{path}.{combinator}", f"a list of conditions, not {type_name(items)}"
                )
            parsed = tuple(
                parse_condition(item, f"{path}.{combinator}[{i}]") for i, item in enumerate(items)
            )
            return AllOf(parsed) if combinator == "all" else AnyOf(parsed)
    if "not" in keys:
        if keys != {"not"}:
            raise ConditionSyntaxError(path, _alone("not", keys))
        return Not(parse_condition(data["not"], f"{path}.not"))
    unknown = keys - {"question", "op", "value"}
    if unknown:
        name = sorted(map(str, unknown))[0]
        from mesoguide.errors import did_you_mean

        hint = did_you_mean(name, ["question", "op", "value", "all", "any", "not"])
        raise ConditionSyntaxError(path, f"unknown key '{name}'{hint}")
    if "question" not in keys:
        raise ConditionSyntaxError(path, "a comparison needs 'question' (or use all/any/not)")
    question = data["question"]
    if not isinstance(question, str):
        raise ConditionSyntaxError(f"{path}.question", f"a question id, not {type_name(question)}")
    op = data.get("op", "eq")
    if op not in OPERATORS:
        from mesoguide.errors import did_you_mean

        raise ConditionSyntaxError(
            f"{path}.op",
            f"unknown operator {op!r}{did_you_mean(str(op), OPERATORS)}; "
            f"one of {', '.join(OPERATORS)}",
        )
    if op == "answered":
        if "value" in keys:
            raise ConditionSyntaxError(f"{path}.value", "'answered' takes no value")
        return Compare(question, "answered")
    if "value" not in keys:
        raise ConditionSyntaxError(path, f"operator '{op}' needs a 'value'")
    value = data["value"]
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            raise ConditionSyntaxError(f"{path}.value", f"'{op}' takes a non-empty list")
        value = tuple(value)
    return Compare(question, cast(Operator, op), value)


def type_name(value: object) -> str:
    """A reader's name for a YAML value's type."""
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        Decimal: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)


def questions_in(condition: Condition) -> Iterator[Compare]:
    """Every comparison in a condition, depth first."""
    if isinstance(condition, Compare):
        yield condition
    elif isinstance(condition, Not):
        yield from questions_in(condition.item)
    else:
        for item in condition.items:
            yield from questions_in(item)


def comparisons(condition: Condition, path: str = "") -> Iterator[tuple[str, Compare]]:
    """Every comparison with its YAML path (as ``parse_condition`` names them), depth first."""
    if isinstance(condition, Compare):
        yield path, condition
    elif isinstance(condition, Not):
        yield from comparisons(condition.item, f"{path}.not")
    else:
        key = "all" if isinstance(condition, AllOf) else "any"
        for i, item in enumerate(condition.items):
            yield from comparisons(item, f"{path}.{key}[{i}]")


def check_compare(compare: Compare, question: Question) -> str | None:
    """Why a comparison does not fit its question, or None when it does."""
    allowed = OPERATORS_FOR_TYPE[question.type]
    if compare.op not in allowed and question.type == "text":
        return (
            f"operator '{compare.op}' does not apply to text question '{question.id}': a free "
            "text can only be tested with 'answered' (use a choice question to compare answers)"
        )
    if compare.op not in allowed:
        return (
            f"operator '{compare.op}' does not apply to {question.type} question "
            f"'{question.id}'; use one of {', '.join(sorted(allowed))}"
        )
    if compare.op == "answered":
        return None
    values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
    for value in values:
        if question.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"'{question.id}' is an integer question: {value!r} is not a whole number"
        elif question.type == "decimal":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                return f"'{question.id}' is a decimal question: {value!r} is not a number"
        elif question.type == "boolean":
            if not isinstance(value, bool):
                return f"'{question.id}' is a yes/no question: compare it with true or false"
        elif not isinstance(value, str) or value not in question.choice_values:
            from mesoguide.errors import did_you_mean

            return (
                f"{value!r} is not a choice of '{question.id}'"
                f"{did_you_mean(str(value), question.choice_values)}; "
                f"choices: {', '.join(question.choice_values)}"
            )
    return None


def with_values(condition: Condition, convert: Callable[[Compare], Compare]) -> Condition:
    """The condition with every comparison replaced by ``convert``'s version of it."""
    if isinstance(condition, Compare):
        return convert(condition)
    if isinstance(condition, Not):
        return Not(with_values(condition.item, convert))
    items = tuple(with_values(item, convert) for item in condition.items)
    return AllOf(items) if isinstance(condition, AllOf) else AnyOf(items)


def compile_condition(condition: Condition | None) -> Predicate:
    """A fast closure that evaluates the condition against answers; None always holds."""
    if condition is None:
        return always
    if isinstance(condition, Not):
        inner = compile_condition(condition.item)
        return lambda answers: not inner(answers)
    if isinstance(condition, AllOf | AnyOf):
        parts = tuple(compile_condition(item) for item in condition.items)
        return _all(parts) if isinstance(condition, AllOf) else _any(parts)
    return _compile_compare(condition)


# Batch runs every rule on every row: two or three parts, the common case, skip the generator.
def _all(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda answers: first(answers) and second(answers)
    if len(parts) == 3:
        first, second, third = parts
        return lambda answers: first(answers) and second(answers) and third(answers)
    return lambda answers: all(part(answers) for part in parts)


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda answers: first(answers) or second(answers)
    if len(parts) == 3:
        first, second, third = parts
        return lambda answers: first(answers) or second(answers) or third(answers)
    return lambda answers: any(part(answers) for part in parts)


def always(answers: Answers) -> bool:
    """The test of a missing ``when``: it holds for any answers."""
    return True


_MISSING = object()


def _compile_compare(compare: Compare) -> Predicate:
    # The loader has checked each value against its question's type (check_compare), so the
    # closures compare without casts: they run for every rule of every batch row. Each reads
    # only the answer to `qid`, and judges equal values alike: engine.Judge relies on both.
    qid, op, value = compare.question, compare.op, compare.value
    if op == "answered":
        return lambda answers: qid in answers
    if op == "eq":  # a missing answer is _MISSING, which equals no value
        return lambda answers: answers.get(qid, _MISSING) == value
    if op == "ne":
        return lambda answers: qid in answers and answers[qid] != value
    if op in ("in", "not_in"):
        options = frozenset(cast(tuple[object, ...], value))
        if op == "in":
            return lambda answers: qid in answers and answers[qid] in options
        return lambda answers: qid in answers and answers[qid] not in options
    if op in ORDER_OPERATORS:
        bound = cast(int, value)
        if op == "lt":
            return lambda answers: qid in answers and answers[qid] < bound  # type: ignore[operator]
        if op == "le":
            return lambda answers: qid in answers and answers[qid] <= bound  # type: ignore[operator]
        if op == "gt":
            return lambda answers: qid in answers and answers[qid] > bound  # type: ignore[operator]
        return lambda answers: qid in answers and answers[qid] >= bound  # type: ignore[operator]
    if op == "contains":
        return lambda answers: value in answers.get(qid, ())  # type: ignore[operator]
    wanted = frozenset(cast(tuple[str, ...], value))
    if op == "contains_any":
        return lambda answers: not wanted.isdisjoint(answers.get(qid, ()))  # type: ignore[arg-type]
    return lambda answers: wanted.issubset(answers.get(qid, ()))  # type: ignore[arg-type]


def condition_to_data(condition: Condition) -> object:
    """The YAML/JSON shape of a condition (the inverse of ``parse_condition``)."""
    if isinstance(condition, Compare):
        data: dict[str, object] = {"question": condition.question, "op": condition.op}
        if condition.op != "answered":
            value = condition.value
            data["value"] = [_data(v) for v in value] if isinstance(value, tuple) else _data(value)
        return data
    if isinstance(condition, Not):
        return {"not": condition_to_data(condition.item)}
    key = "all" if isinstance(condition, AllOf) else "any"
    return {key: [condition_to_data(item) for item in condition.items]}


def describe(condition: Condition | None) -> str:
    """A one-line, human reading of a condition."""
    if condition is None:
        return "always"
    if isinstance(condition, Compare):
        symbols = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
        if condition.op == "answered":
            return f"{condition.question} is answered"
        value = condition.value
        shown = (
            "[" + ", ".join(map(_literal, value)) + "]"
            if isinstance(value, tuple)
            else _literal(value)
        )
        op = symbols.get(condition.op, condition.op.replace("_", " "))
        return f"{condition.question} {op} {shown}"
    if isinstance(condition, Not):
        return f"not ({describe(condition.item)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    if not condition.items:
        return "always" if isinstance(condition, AllOf) else "never"
    return "(" + joiner.join(describe(item) for item in condition.items) + ")"


# -- a condition in plain words, for people who fill in answers --------------------------------
# `describe` is the authors' notation (`sex in [female, other]`); these are the words of the
# tool's language. A comparison is said as it holds or as it does not (its `not`): negation is
# carried down to each comparison (De Morgan), so no reading starts "not (...)". {question} is
# the question's id and {value} a value as an answers file spells it; {some} and {last} are a
# list's values but the last (joined with ", "), and its last.
_SAID: dict[str, tuple[str, str]] = {
    "eq": (N_("{question} is {value}"), N_("{question} is not {value}")),
    "ne": (
        N_("{question} is answered and is not {value}"),
        N_("{question} is {value} or is not answered"),
    ),
    "lt": (
        N_("{question} is less than {value}"),
        N_("{question} is {value} or more, or is not answered"),
    ),
    "le": (
        N_("{question} is {value} or less"),
        N_("{question} is more than {value}, or is not answered"),
    ),
    "gt": (
        N_("{question} is more than {value}"),
        N_("{question} is {value} or less, or is not answered"),
    ),
    "ge": (
        N_("{question} is {value} or more"),
        N_("{question} is less than {value}, or is not answered"),
    ),
    "contains": (N_("{question} includes {value}"), N_("{question} does not include {value}")),
    "answered": (N_("{question} is answered"), N_("{question} is not answered")),
}
# The list operators, with two values or more (with one, the operator in _ONE_OF_A_LIST).
_SAID_OF_LISTS: dict[str, tuple[str, str]] = {
    "in": (N_("{question} is {some} or {last}"), N_("{question} is neither {some} nor {last}")),
    "not_in": (
        N_("{question} is answered and is neither {some} nor {last}"),
        N_("{question} is {some} or {last}, or is not answered"),
    ),
    "contains_any": (
        N_("{question} includes {some} or {last}"),
        N_("{question} includes neither {some} nor {last}"),
    ),
    "contains_all": (
        N_("{question} includes {some} and {last}"),
        N_("{question} does not include {some} and {last} together"),
    ),
}
_ONE_OF_A_LIST = {
    "in": "eq",
    "not_in": "ne",
    "contains_any": "contains",
    "contains_all": "contains",
}
_ALWAYS, _NEVER = N_("always"), N_("never")
_JOINED_WITH_AND, _JOINED_WITH_OR = N_(" and "), N_(" or ")
# What a reading is made of, so that a group brackets what would read ambiguously inside it:
# one statement, a comparison said as two clauses ("is answered and is not male"), or a group.
_ONE, _CLAUSES, _AND, _OR = "one", "clauses", "and", "or"


def in_plain_words(condition: Condition | None) -> str:
    """A condition in plain words of the tool's language: questions by id, values as answers
    files spell them (`sex is female or other`)."""
    if condition is None:
        return _(_ALWAYS)
    return _said(condition, negated=False)[0]


def _said(condition: Condition, negated: bool) -> tuple[str, str]:
    """The reading of ``condition`` (of its negation when ``negated``) and what it is made of."""
    if isinstance(condition, Not):
        return _said(condition.item, not negated)
    if isinstance(condition, Compare):
        return _said_compare(condition, negated)
    conjunction = isinstance(condition, AllOf) != negated  # all, or a negated any
    if not condition.items:  # an empty all holds, an empty any does not
        return _(_ALWAYS if conjunction else _NEVER), _ONE
    if len(condition.items) == 1:
        return _said(condition.items[0], negated)
    kind = _AND if conjunction else _OR
    parts = []
    for item in condition.items:
        text, made_of = _said(item, negated)
        parts.append(text if made_of in (_ONE, kind) else f"({text})")
    return _(_JOINED_WITH_AND if conjunction else _JOINED_WITH_OR).join(parts), kind


def _said_compare(compare: Compare, negated: bool) -> tuple[str, str]:
    op: str = compare.op
    value = compare.value
    if op == "ne" and isinstance(value, bool):  # an answered yes/no that is not yes is no
        op, value = "eq", not value
    if isinstance(value, tuple):
        value = tuple(dict.fromkeys(value))  # a value listed twice is said once
        if len(value) == 1:
            op, value = _ONE_OF_A_LIST[op], value[0]
        else:
            words = [_plain_value(v) for v in value]
            text = _(_SAID_OF_LISTS[op][int(negated)]).format(
                question=compare.question, some=", ".join(words[:-1]), last=words[-1]
            )
            return text, _clauses(op, negated)
    text = _(_SAID[op][int(negated)]).format(question=compare.question, value=_plain_value(value))
    return text, _clauses(op, negated)


def _clauses(op: str, negated: bool) -> str:
    # two clauses: `ne` and `not_in` hold only for an answer ("is answered and is not male"),
    # and a blank is said where it makes one of them, or an order, hold ("or is not answered")
    if op in ("ne", "not_in") or (negated and op in ORDER_OPERATORS):
        return _CLAUSES
    return _ONE


def _plain_value(value: object) -> str:
    # yes and no in the tool's language: an answers file takes "yes", "sí" and "no" in any
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _literal(value)


def _data(value: object) -> object:
    # A decimal threshold as JSON and YAML write a number (at most 15 digits: exact).
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
