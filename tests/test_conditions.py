"""The condition language: parsing, checking against questions, evaluation, and round trips."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mesoguide import i18n
from mesoguide.conditions import (
    ConditionSyntaxError,
    check_compare,
    compile_condition,
    condition_to_data,
    describe,
    in_plain_words,
    parse_condition,
    questions_in,
)
from mesoguide.model import AllOf, AnyOf, Choice, Compare, Condition, Not, Question

AGE = Question("age", "integer", "Age?", min=0, max=120)
FLAG = Question("flag", "boolean", "Flag?")
SEX = Question("sex", "choice", "Sex?", choices=(Choice("female", "F"), Choice("male", "M")))
AREAS = Question("areas", "multiple", "Areas?", choices=(Choice("chin", "C"), Choice("arms", "A")))


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        ("age", "", "a condition is a mapping, not a string: use all/any/not or question/op"),
        ([1], "", "a condition is a mapping, not a list: use all/any/not or question/op"),
        ({"all": [], "any": []}, "", "'all' must stand alone in its mapping, but 'any' is beside it (indented too far, or a separate condition?)"),
        ({"any": [], "question": "x"}, "", "'any' must stand alone in its mapping, but 'question' is beside it (indented too far, or a separate condition?)"),
        ({"all": {"question": "x"}}, ".all", "a list of conditions, not a mapping"),
        ({"not": {}, "op": "eq"}, "", "'not' must stand alone in its mapping, but 'op' is beside it (indented too far, or a separate condition?)"),
        ({"questoin": "age"}, "", "unknown key 'questoin' (did you mean 'question'?)"),
        ({"op": "eq", "value": 1}, "", "a comparison needs 'question' (or use all/any/not)"),
        ({"question": 3}, ".question", "a question id, not an integer"),
        ({"question": "age", "op": "answered", "value": 1}, ".value", "'answered' takes no value"),
        ({"question": "age", "op": "lt"}, "", "operator 'lt' needs a 'value'"),
        ({"question": "age", "op": "in", "value": 3}, ".value", "'in' takes a non-empty list"),
        ({"question": "age", "op": "in", "value": []}, ".value", "'in' takes a non-empty list"),
        ({"not": "x"}, ".not", "a condition is a mapping, not a string: use all/any/not or question/op"),
        ({"all": [{"question": "a", "op": "answered"}, 5]}, ".all[1]", "a condition is a mapping, not an integer: use all/any/not or question/op"),
    ],
)  # fmt: skip
def test_parse_rejects_malformed_conditions(data: object, path: str, message: str) -> None:
    """Refuses a malformed condition, naming where inside it and why."""
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition(data)
    assert (caught.value.path, caught.value.message) == (path, message)


def test_parse_names_unknown_operator_with_suggestion_and_the_list() -> None:
    """An unknown operator gets a did-you-mean and the list of operators."""
    with pytest.raises(ConditionSyntaxError) as caught:
        parse_condition({"question": "age", "op": "contain", "value": 1}, "rules[0].when")
    assert caught.value.path == "rules[0].when.op"
    assert caught.value.message == (
        "unknown operator 'contain' (did you mean 'contains'?); one of eq, ne, lt, le, gt, ge, "
        "in, not_in, contains, contains_any, contains_all, answered"
    )


def test_parse_defaults_operator_to_eq_and_lists_to_tuples() -> None:
    """`op` defaults to `eq`; list values become tuples; nesting is kept."""
    parsed = parse_condition(
        {
            "all": [
                {"question": "flag", "value": True},
                {"not": {"question": "areas", "op": "contains_any", "value": ["chin"]}},
            ]
        }
    )
    assert parsed == AllOf(
        (Compare("flag", "eq", True), Not(Compare("areas", "contains_any", ("chin",))))
    )


@pytest.mark.parametrize(
    ("compare", "question", "message"),
    [
        (Compare("age", "eq", 3), AGE, None),
        (Compare("age", "in", (1, 2)), AGE, None),
        (Compare("age", "lt", "3"), AGE, "'age' is an integer question: '3' is not a whole number"),
        (Compare("age", "lt", True), AGE, "'age' is an integer question: True is not a whole number"),
        (Compare("age", "contains", 3), AGE, "operator 'contains' does not apply to integer question 'age'; use one of answered, eq, ge, gt, in, le, lt, ne, not_in"),
        (Compare("flag", "eq", "yes"), FLAG, "'flag' is a yes/no question: compare it with true or false"),
        (Compare("flag", "lt", True), FLAG, "operator 'lt' does not apply to boolean question 'flag'; use one of answered, eq, ne"),
        (Compare("sex", "eq", "mal"), SEX, "'mal' is not a choice of 'sex' (did you mean 'male'?); choices: female, male"),
        (Compare("sex", "in", ("female", "x")), SEX, "'x' is not a choice of 'sex'; choices: female, male"),
        (Compare("areas", "contains", "chin"), AREAS, None),
        (Compare("areas", "eq", "chin"), AREAS, "operator 'eq' does not apply to multiple question 'areas'; use one of answered, contains, contains_all, contains_any"),
        (Compare("areas", "contains_all", ("chin", "legs")), AREAS, "'legs' is not a choice of 'areas'; choices: chin, arms"),
        (Compare("areas", "answered"), AREAS, None),
    ],
)  # fmt: skip
def test_check_compare_fits_value_and_operator_to_the_question(
    compare: Compare, question: Question, message: str | None
) -> None:
    """Accepts a comparison that fits its question and explains one that does not."""
    assert check_compare(compare, question) == message


ANSWERS = {"age": 40, "flag": False, "sex": "male", "areas": ("chin", "arms")}


@pytest.mark.parametrize(
    ("condition", "holds", "holds_when_absent"),
    [
        (Compare("age", "eq", 40), True, False),
        (Compare("age", "eq", 41), False, False),
        (Compare("age", "ne", 41), True, False),
        (Compare("age", "ne", 40), False, False),
        (Compare("age", "lt", 41), True, False),
        (Compare("age", "lt", 40), False, False),
        (Compare("age", "le", 40), True, False),
        (Compare("age", "le", 39), False, False),
        (Compare("age", "gt", 39), True, False),
        (Compare("age", "gt", 40), False, False),
        (Compare("age", "ge", 40), True, False),
        (Compare("age", "ge", 41), False, False),
        (Compare("age", "in", (30, 40)), True, False),
        (Compare("age", "in", (30, 31)), False, False),
        (Compare("age", "not_in", (30, 31)), True, False),
        (Compare("age", "not_in", (40,)), False, False),
        (Compare("flag", "eq", False), True, False),
        (Compare("flag", "ne", True), True, False),
        (Compare("sex", "eq", "male"), True, False),
        (Compare("sex", "in", ("female",)), False, False),
        (Compare("areas", "contains", "chin"), True, False),
        (Compare("areas", "contains", "face"), False, False),
        (Compare("areas", "contains_any", ("face", "arms")), True, False),
        (Compare("areas", "contains_any", ("face",)), False, False),
        (Compare("areas", "contains_all", ("chin", "arms")), True, False),
        (Compare("areas", "contains_all", ("chin", "face")), False, False),
        (Compare("age", "answered"), True, False),
    ],
)
def test_operators(condition: Compare, holds: bool, holds_when_absent: bool) -> None:
    """Each operator tests the answer; over an absent answer every comparison is false."""
    assert compile_condition(condition)(ANSWERS) is holds
    assert compile_condition(condition)({}) is holds_when_absent


def test_a_false_answer_is_an_answer() -> None:
    """`False`, `0` and an empty tuple are answers, not absences."""
    answers = {"flag": False, "age": 0, "areas": ()}
    assert compile_condition(Compare("flag", "eq", False))(answers)
    assert compile_condition(Compare("age", "eq", 0))(answers)
    assert compile_condition(Compare("areas", "answered"))(answers)


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        (None, True),
        (AllOf(()), True),
        (AnyOf(()), False),
        (AllOf((Compare("age", "gt", 30), Compare("sex", "eq", "male"))), True),
        (AllOf((Compare("age", "gt", 30), Compare("sex", "eq", "female"))), False),
        (AnyOf((Compare("age", "gt", 50), Compare("sex", "eq", "male"))), True),
        (AnyOf((Compare("age", "gt", 50), Compare("sex", "eq", "female"))), False),
        (Not(Compare("age", "gt", 50)), True),
        (Not(Compare("missing", "eq", 1)), True),
        (AllOf((Compare("age", "gt", 30),)), True),
        (AnyOf((Compare("age", "gt", 50),)), False),
    ],
)
def test_combinators(condition: Condition | None, holds: bool) -> None:
    """`all` needs every item (empty: holds), `any` one (empty: does not), `not` inverts."""
    assert compile_condition(condition)(ANSWERS) is holds


def test_questions_in_walks_every_comparison_depth_first() -> None:
    """Lists every comparison of a nested condition, in order."""
    condition = AllOf(
        (Compare("a", "eq", 1), AnyOf((Not(Compare("b", "eq", 2)), Compare("c", "eq", 3))))
    )
    assert [c.question for c in questions_in(condition)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"question": "age", "op": "lt", "value": 18}, "age < 18"),
        ({"question": "age", "op": "ge", "value": 50}, "age >= 50"),
        ({"question": "flag", "op": "eq", "value": True}, "flag = true"),
        ({"question": "sex", "op": "ne", "value": "male"}, "sex != male"),
        ({"question": "age", "op": "answered"}, "age is answered"),
        ({"question": "areas", "op": "contains_any", "value": ["chin", "arms"]}, "areas contains any [chin, arms]"),
        ({"question": "sex", "op": "not_in", "value": ["male"]}, "sex not in [male]"),
        ({"not": {"question": "flag", "op": "eq", "value": False}}, "not (flag = false)"),
        ({"all": [{"question": "age", "op": "gt", "value": 1}, {"any": [{"question": "flag", "op": "eq", "value": True}, {"question": "sex", "op": "eq", "value": "male"}]}]}, "(age > 1 and (flag = true or sex = male))"),
        ({"all": []}, "always"),
        ({"any": []}, "never"),
    ],
)  # fmt: skip
def test_describe_and_round_trip(data: dict[str, object], text: str) -> None:
    """Reads a condition as one line, and `condition_to_data` gives back what was parsed."""
    condition = parse_condition(data)
    assert describe(condition) == text
    assert condition_to_data(condition) == data
    assert parse_condition(condition_to_data(condition)) == condition


def test_describe_none_is_always() -> None:
    """A missing `when` reads as `always`."""
    assert describe(None) == "always"


# Each operator, negated, nested, on yes/no and decimal questions: the words of `assess` and
# `batch` when a safety screen's "yes" conflicts with its `when`, in English and in Spanish.
FEMALE_OR_OTHER = {"question": "sex", "op": "in", "value": ["female", "other"]}


@pytest.mark.parametrize(
    ("data", "english", "spanish"),
    [
        ({"question": "age", "op": "eq", "value": 18}, "age is 18", "age es 18"),
        ({"question": "sex", "value": "female"}, "sex is female", "sex es female"),
        ({"question": "flag", "op": "eq", "value": True}, "flag is yes", "flag es sí"),
        ({"question": "flag", "op": "eq", "value": False}, "flag is no", "flag es no"),
        ({"question": "sex", "op": "ne", "value": "male"}, "sex is answered and is not male", "sex tiene respuesta y no es male"),
        ({"question": "flag", "op": "ne", "value": True}, "flag is no", "flag es no"),
        ({"question": "age", "op": "lt", "value": 18}, "age is less than 18", "age es menor que 18"),
        ({"question": "age", "op": "le", "value": 65}, "age is 65 or less", "age es 65 o menos"),
        ({"question": "age", "op": "gt", "value": 17}, "age is more than 17", "age es mayor que 17"),
        ({"question": "age", "op": "ge", "value": 18}, "age is 18 or more", "age es 18 o más"),
        ({"question": "bmi", "op": "ge", "value": Decimal("39.95")}, "bmi is 39.95 or more", "bmi es 39.95 o más"),
        ({"question": "bmi", "op": "lt", "value": Decimal("40")}, "bmi is less than 40", "bmi es menor que 40"),
        ({"question": "bmi", "op": "in", "value": [Decimal("0.5"), Decimal("1.25")]}, "bmi is 0.5 or 1.25", "bmi es 0.5 o 1.25"),
        ({"question": "age", "op": "in", "value": [30, 40]}, "age is 30 or 40", "age es 30 o 40"),
        ({"question": "sex", "op": "in", "value": ["female"]}, "sex is female", "sex es female"),
        ({"question": "sex", "op": "in", "value": ["female", "female"]}, "sex is female", "sex es female"),
        ({"question": "sex", "op": "in", "value": ["female", "other", "prefer_not_to_say"]}, "sex is female, other or prefer_not_to_say", "sex es female, other o prefer_not_to_say"),
        ({"question": "sex", "op": "not_in", "value": ["male"]}, "sex is answered and is not male", "sex tiene respuesta y no es male"),
        ({"question": "sex", "op": "not_in", "value": ["male", "other"]}, "sex is answered and is neither male nor other", "sex tiene respuesta y no es ni male ni other"),
        ({"question": "areas", "op": "contains", "value": "chin"}, "areas includes chin", "areas incluye chin"),
        ({"question": "areas", "op": "contains_any", "value": ["chin"]}, "areas includes chin", "areas incluye chin"),
        ({"question": "areas", "op": "contains_any", "value": ["chin", "arms", "face"]}, "areas includes chin, arms or face", "areas incluye chin, arms o face"),
        ({"question": "areas", "op": "contains_all", "value": ["chin", "arms"]}, "areas includes chin and arms", "areas incluye chin y arms"),
        ({"question": "age", "op": "answered"}, "age is answered", "age tiene respuesta"),
        # `not` is said of each comparison (De Morgan), so no reading starts "not (...)"
        ({"not": {"question": "sex", "value": "male"}}, "sex is not male", "sex no es male"),
        ({"not": {"question": "flag", "value": True}}, "flag is not yes", "flag no es sí"),
        ({"not": {"question": "sex", "op": "ne", "value": "male"}}, "sex is male or is not answered", "sex es male o no tiene respuesta"),
        ({"not": {"question": "flag", "op": "ne", "value": False}}, "flag is not yes", "flag no es sí"),
        ({"not": {"question": "age", "op": "lt", "value": 18}}, "age is 18 or more, or is not answered", "age es 18 o más, o no tiene respuesta"),
        ({"not": {"question": "age", "op": "le", "value": 65}}, "age is more than 65, or is not answered", "age es mayor que 65, o no tiene respuesta"),
        ({"not": {"question": "age", "op": "gt", "value": 17}}, "age is 17 or less, or is not answered", "age es 17 o menos, o no tiene respuesta"),
        ({"not": {"question": "bmi", "op": "ge", "value": Decimal("39.95")}}, "bmi is less than 39.95, or is not answered", "bmi es menor que 39.95, o no tiene respuesta"),
        ({"not": {"question": "sex", "op": "in", "value": ["male"]}}, "sex is not male", "sex no es male"),
        ({"not": FEMALE_OR_OTHER}, "sex is neither female nor other", "sex no es ni female ni other"),
        ({"not": {"question": "sex", "op": "not_in", "value": ["male"]}}, "sex is male or is not answered", "sex es male o no tiene respuesta"),
        ({"not": {"question": "sex", "op": "not_in", "value": ["female", "other"]}}, "sex is female or other, or is not answered", "sex es female o other, o no tiene respuesta"),
        ({"not": {"question": "areas", "op": "contains", "value": "chin"}}, "areas does not include chin", "areas no incluye chin"),
        ({"not": {"question": "areas", "op": "contains_any", "value": ["chin", "arms"]}}, "areas includes neither chin nor arms", "areas no incluye ni chin ni arms"),
        ({"not": {"question": "areas", "op": "contains_all", "value": ["chin"]}}, "areas does not include chin", "areas no incluye chin"),
        ({"not": {"question": "areas", "op": "contains_all", "value": ["chin", "arms", "face"]}}, "areas does not include chin, arms and face together", "areas no incluye a la vez chin, arms y face"),
        ({"not": {"question": "age", "op": "answered"}}, "age is not answered", "age no tiene respuesta"),
        ({"not": {"not": {"question": "sex", "value": "male"}}}, "sex is male", "sex es male"),
        # all, any, nesting: a group inside another of the other kind is bracketed, and so is a
        # comparison that is itself a clause with "and" or "or"
        ({"all": [{"question": "age", "op": "ge", "value": 18}, FEMALE_OR_OTHER]}, "age is 18 or more and sex is female or other", "age es 18 o más y sex es female o other"),
        ({"any": [{"question": "flag", "value": True}, {"question": "age", "op": "lt", "value": 18}]}, "flag is yes or age is less than 18", "flag es sí o age es menor que 18"),
        ({"all": [{"question": "age", "op": "answered"}]}, "age is answered", "age tiene respuesta"),
        ({"any": [{"question": "flag", "value": True}, {"all": [{"question": "age", "op": "lt", "value": 18}, {"question": "sex", "value": "female"}]}]}, "flag is yes or (age is less than 18 and sex is female)", "flag es sí o (age es menor que 18 y sex es female)"),
        ({"all": [{"question": "flag", "value": True}, {"all": [{"question": "age", "op": "answered"}, {"question": "sex", "value": "female"}]}]}, "flag is yes and age is answered and sex is female", "flag es sí y age tiene respuesta y sex es female"),
        ({"all": [{"question": "sex", "op": "ne", "value": "male"}, {"question": "flag", "value": True}]}, "(sex is answered and is not male) and flag is yes", "(sex tiene respuesta y no es male) y flag es sí"),
        ({"not": {"all": [{"question": "age", "op": "lt", "value": 18}, {"question": "sex", "value": "female"}]}}, "(age is 18 or more, or is not answered) or sex is not female", "(age es 18 o más, o no tiene respuesta) o sex no es female"),
        ({"not": {"any": [{"question": "flag", "value": True}, {"all": [{"question": "areas", "op": "contains", "value": "chin"}, {"not": FEMALE_OR_OTHER}]}]}}, "flag is not yes and (areas does not include chin or sex is female or other)", "flag no es sí y (areas no incluye chin o sex es female o other)"),
        ({"all": []}, "always", "siempre"),
        ({"any": []}, "never", "nunca"),
        ({"not": {"all": []}}, "never", "nunca"),
        ({"not": {"any": []}}, "always", "siempre"),
    ],
)  # fmt: skip
def test_in_plain_words(data: dict[str, object], english: str, spanish: str) -> None:
    """Says a condition in the tool's language, with question ids and values as files spell
    them; `describe`, the authors' notation, is not this."""
    condition = parse_condition(data)
    assert in_plain_words(condition) == english
    i18n.use("es")
    assert in_plain_words(condition) == spanish


def test_in_plain_words_of_no_condition_is_always() -> None:
    """A missing `when` reads as always, in each language."""
    assert in_plain_words(None) == "always"
    i18n.use("es")
    assert in_plain_words(None) == "siempre"


# -- laws -------------------------------------------------------------------------------------

_leaves = st.sampled_from(
    [
        Compare("age", "lt", 18),
        Compare("age", "ge", 50),
        Compare("flag", "eq", True),
        Compare("sex", "eq", "male"),
        Compare("areas", "contains", "chin"),
        Compare("areas", "answered"),
    ]
)
conditions: st.SearchStrategy[Condition] = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, max_size=3).map(lambda items: AllOf(tuple(items))),
        st.lists(inner, max_size=3).map(lambda items: AnyOf(tuple(items))),
    ),
    max_leaves=8,
)
answer_sets = st.fixed_dictionaries(
    {},
    optional={
        "age": st.integers(0, 120),
        "flag": st.booleans(),
        "sex": st.sampled_from(["female", "male"]),
        "areas": st.sampled_from([(), ("chin",), ("arms",), ("chin", "arms")]),
    },
)


@given(conditions, answer_sets)
def test_double_negation_holds(condition: Condition, answers: dict[str, Any]) -> None:
    """`not (not c)` evaluates like `c`."""
    assert compile_condition(Not(Not(condition)))(answers) == compile_condition(condition)(answers)


@given(st.lists(conditions, max_size=3), answer_sets)
def test_de_morgan_holds(items: list[Condition], answers: dict[str, Any]) -> None:
    """`not all(xs)` is `any(not x)`, and `not any(xs)` is `all(not x)`."""
    negated = tuple(Not(item) for item in items)
    assert compile_condition(Not(AllOf(tuple(items))))(answers) == compile_condition(
        AnyOf(negated)
    )(answers)
    assert compile_condition(Not(AnyOf(tuple(items))))(answers) == compile_condition(
        AllOf(negated)
    )(answers)


@given(conditions)
def test_data_round_trip_holds(condition: Condition) -> None:
    """Any condition survives `condition_to_data` then `parse_condition` unchanged."""
    assert parse_condition(condition_to_data(condition)) == condition


# -- any condition the loader takes can be said in plain words ---------------------------------

# a question of each type, all optional (so that no answers at all is an answer set), and choice
# values that a reading could mix up: words of yes/no questions, a digit, the Spanish "o"
_VALUES = ["female", "prefer_not_to_say", "no", "yes", "x0", "o"]
_CHOICES = [{"value": value, "label": f"Choice {i}"} for i, value in enumerate(_VALUES)]
_QUESTIONS = [
    {"id": "n", "type": "integer", "label": "N?"},
    {"id": "d", "type": "decimal", "label": "D?"},
    {"id": "b", "type": "boolean", "label": "B?"},
    {"id": "c", "type": "choice", "label": "C?", "choices": _CHOICES},
    {"id": "m", "type": "multiple", "label": "M?", "choices": _CHOICES},
    {"id": "t", "type": "text", "label": "T?"},
]
_numbers = st.integers(-(10**6), 10**6)
_decimals = st.decimals(-(10**6), 10**6, places=3).map(float) | _numbers
_by_type: dict[str, tuple[st.SearchStrategy[object], st.SearchStrategy[object]]] = {
    # a value for eq, ne, lt ... and one for the list operators
    "integer": (_numbers, st.lists(_numbers, min_size=1, max_size=4)),
    "decimal": (_decimals, st.lists(_decimals, min_size=1, max_size=4)),
    "boolean": (st.booleans(), st.nothing()),
    "choice": (
        st.sampled_from(_VALUES),
        st.lists(st.sampled_from(_VALUES), min_size=1, max_size=4),
    ),
    "multiple": (
        st.sampled_from(_VALUES),
        st.lists(st.sampled_from(_VALUES), min_size=1, max_size=4),
    ),
    "text": (st.nothing(), st.nothing()),
}


@st.composite
def _comparison(draw: st.DrawFn) -> dict[str, object]:
    from mesoguide.conditions import LIST_OPERATORS, OPERATORS_FOR_TYPE

    question = draw(st.sampled_from(_QUESTIONS))
    op = draw(st.sampled_from(sorted(OPERATORS_FOR_TYPE[str(question["type"])])))
    data: dict[str, object] = {"question": question["id"], "op": op}
    if op == "eq" and draw(st.booleans()):
        del data["op"]  # `op` left out is eq
    if op != "answered":
        one, many = _by_type[str(question["type"])]
        data["value"] = draw(many if op in LIST_OPERATORS else one)
    return data


_condition_data = st.recursive(
    _comparison(),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"all": items}),
        st.lists(inner, max_size=3).map(lambda items: {"any": items}),
        inner.map(lambda item: {"not": item}),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_condition_data)
def test_any_condition_the_loader_takes_is_said_in_plain_words(when: object) -> None:
    """A screen's `when` that a pack may hold is worded in English and in Spanish, naming each
    question it tests, and a "yes" to the screen where it is not asked is refused in those
    words (the walk's own message)."""
    import yaml

    from mesoguide.errors import AnswersError
    from mesoguide.loader import load_pack_bytes
    from mesoguide.runner import from_mapping

    screen = {"id": "s", "type": "boolean", "label": "S?", "screen": True, "when": when}
    pack_data = {
        "pack": {"id": "p", "version": "1", "title": "P", "treatment": "t", "disclaimer": "D."},
        "guidance": {"P1": "A point."},
        "outcomes": [{"id": "maybe", "label": "Maybe", "summary": "Maybe."}],
        "questions": [{**q, "required": False} for q in [*_QUESTIONS, screen]],
        "rules": [{"id": "fine", "outcome": "maybe", "explanation": "Fine.", "guidance": ["P1"]}],
    }
    pack = load_pack_bytes(yaml.safe_dump(pack_data, allow_unicode=True).encode(), Path("p.yaml"))
    condition = pack.question("s").when
    assert condition is not None
    asked = compile_condition(condition)({})  # nothing answered: is the screen asked?
    for language, where in (("en", "asked only when"), ("es", "solo se hace cuando")):
        i18n.use(language)
        words = in_plain_words(condition)
        assert words and "{question}" not in words and "{last}" not in words
        assert all(compare.question in words for compare in questions_in(condition))
        try:
            answers = from_mapping(pack, {"s": True})
        except AnswersError as refused:
            assert not asked
            [problem] = refused.problems
            assert problem.question == "s"
            assert f" {where} {words}; " in problem.reason
        else:
            assert asked and answers.values == {"s": True}
