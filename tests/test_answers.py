"""Answers: coercion per question type, resolution over a pack, and answers files."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from mesoguide.answers import (
    AnswerRejected,
    JsonProblem,
    coerce,
    parse_json,
    read_answers,
    unknown_keys,
)
from mesoguide.errors import AnswersError, UsageError
from mesoguide.loader import load_pack
from mesoguide.model import Answer, Choice, Question, QuestionType, RulePack, State
from mesoguide.runner import from_mapping
from tests.conftest import BASE_ANSWERS, ROOT


@pytest.mark.parametrize(
    ("question", "raw", "answer"),
    [
        ("age", 35, 35),
        ("age", "35", 35),
        ("age", " 35 ", 35),
        ("age", "+35", 35),
        ("age", 35.0, 35),
        ("age", 0, 0),
        ("age", 120, 120),
        ("wants_to_avoid_surgery", True, True),
        ("wants_to_avoid_surgery", False, False),
        ("wants_to_avoid_surgery", "yes", True),
        ("wants_to_avoid_surgery", "Y", True),
        ("wants_to_avoid_surgery", "true", True),
        ("wants_to_avoid_surgery", "1", True),
        ("wants_to_avoid_surgery", 1, True),
        ("wants_to_avoid_surgery", " No ", False),
        ("wants_to_avoid_surgery", "f", False),
        ("wants_to_avoid_surgery", "Sí", True),  # Spanish, whatever --lang is
        ("wants_to_avoid_surgery", "si", True),
        ("wants_to_avoid_surgery", "S", True),  # a form's S/N
        ("wants_to_avoid_surgery", "n", False),
        ("wants_to_avoid_surgery", 0, False),
        ("sex", "male", "male"),
        ("sex", " female ", "female"),
        ("sex", ["male"], "male"),
        ("concerns", ["cellulite"], ("cellulite",)),
        ("concerns", ["excess_fat", "cellulite"], ("cellulite", "excess_fat")),  # pack order
        ("concerns", ["cellulite", "cellulite"], ("cellulite",)),
        ("concerns", "wrinkles; cellulite", ("cellulite", "wrinkles")),  # a CSV-friendly form
        ("medical_conditions", ["none"], ("none",)),
        ("medical_conditions", ("diabetes", "cancer"), ("cancer", "diabetes")),
        # the labels the questionnaire shows, in any case, with any spaces around them
        ("sex", "Male", "male"),
        ("sex", " MALE ", "male"),
        ("sex", "Prefer not to say", "prefer_not_to_say"),
        ("sex", "PREFER_NOT_TO_SAY", "prefer_not_to_say"),
        ("sex", ["Female"], "female"),
        ("body_type", "Average", "average"),
        ("results_expected_within", "Within months", "months"),
        ("results_expected_within", " within  MONTHS ", "months"),
        ("diet_and_exercise", "Regularly", "regular"),
        ("cellulite_cause_belief", "A condition of the skin", "skin_condition"),
        ("concerns", "Cellulite; Sagging skin", ("cellulite", "sagging_skin")),
        ("concerns", ["Excess fat", "WRINKLES"], ("wrinkles", "excess_fat")),
        ("concerns", "Something else", ("other",)),
        ("areas", "Face;Somewhere else", ("face", "other")),
        ("medical_conditions", "None of these", ("none",)),
        ("medical_conditions", "Cancer, now or in the past;Diabetes", ("cancer", "diabetes")),
    ],
)
def test_coerce_accepts(pack: RulePack, question: str, raw: object, answer: Answer) -> None:
    """Coerces each accepted form of an answer to the question's type."""
    assert coerce(pack.question(question), raw) == answer


@pytest.mark.parametrize(
    ("question", "raw", "reason"),
    [
        ("age", "", "expected a whole number"),
        ("age", "thirty", "'thirty' is not a whole number"),
        ("age", "35.5", "'35.5' is not a whole number"),
        ("age", "٣٥", "'٣٥' is not a whole number"),
        ("age", "1" * 13, "1111111111111 is outside 0 to 120"),  # a number, if a long one
        ("age", "--5", "'--5' is not a whole number"),  # once int('--5') raised ValueError
        ("age", "+-5", "'+-5' is not a whole number"),
        ("age", "-", "'-' is not a whole number"),
        ("age", 35.5, "35.5 is not a whole number"),
        ("age", float("nan"), "nan is not a whole number"),
        ("age", float("inf"), "inf is not a whole number"),
        ("age", True, "expected a whole number, not a boolean (true)"),
        ("age", [35], "expected a whole number, not a list"),
        ("age", 121, "121 is outside 0 to 120"),
        ("age", -1, "-1 is outside 0 to 120"),
        ("age", "300", "300 is outside 0 to 120"),
        ("sessions_possible", 101, "101 is outside 0 to 100"),
        ("wants_to_avoid_surgery", "maybe", "'maybe' is not yes or no (yes/no/true/false/y/n/1/0)"),
        ("wants_to_avoid_surgery", 2, "2 is not yes or no (yes/no/true/false/y/n/1/0)"),
        ("wants_to_avoid_surgery", None, "None is not yes or no (yes/no/true/false/y/n/1/0)"),
        (
            "sex",
            "Mael",
            "'Mael' is not one of female, male, other, prefer_not_to_say (did you mean 'male'?)",
        ),
        ("sex", "unknown", "'unknown' is not one of female, male, other, prefer_not_to_say"),
        # a word of a label in any language points to its choice, not to a look-alike id
        (
            "results_expected_within",
            "meses",
            "'meses' is not one of days, weeks, months, no_rush (did you mean 'months'?)",
        ),
        (
            "diet_and_exercise",
            "Regularmente",
            "'Regularmente' is not one of regular, sometimes, rarely (did you mean 'regular'?)",
        ),
        # a phrase gets no hint: it may say more than one choice does, and a condition is lost
        # if staff follow a hint to 'none'
        (
            "medical_conditions",
            "Ninguna salvo diabetes",
            "'Ninguna salvo diabetes' is not one of autoimmune, cancer, diabetes, "
            "heart_or_circulation, none",
        ),
        (
            "medical_conditions",
            "no diabetes",
            "'no diabetes' is not one of autoimmune, cancer, diabetes, heart_or_circulation, none",
        ),
        (
            "medical_conditions",
            "Sin cáncer",
            "'Sin cáncer' is not one of autoimmune, cancer, diabetes, heart_or_circulation, none",
        ),
        # an accent is no look-alike: only a letter that is not Latin is named
        ("sex", "sé", "'sé' is not one of female, male, other, prefer_not_to_say"),
        (
            "medical_conditions",
            "Ninguna",
            "'Ninguna' is not one of autoimmune, cancer, diabetes, heart_or_circulation, none "
            "(did you mean 'none'?)",
        ),
        ("sex", 1, "expected one of female, male, other, prefer_not_to_say, not an integer"),
        (
            "sex",
            ["male", "female"],
            "expected one of female, male, other, prefer_not_to_say, not a list",
        ),
        (
            "concerns",
            ["celulite"],
            "'celulite' is not one of cellulite, wrinkles, sagging_skin, excess_fat, other (did you mean 'cellulite'?)",
        ),
        (
            "concerns",
            "celulite",
            "'celulite' is not one of cellulite, wrinkles, sagging_skin, excess_fat, other (did you mean 'cellulite'?)",
        ),
        ("concerns", [], "choose at least 1: cellulite, wrinkles, sagging_skin, excess_fat, other"),
        (
            "concerns",
            " ; ",
            "choose at least 1: cellulite, wrinkles, sagging_skin, excess_fat, other",
        ),
        ("concerns", [1], "each choice is text, not an integer (1)"),
        ("concerns", 5, "expected a list of choices, not an integer"),
        (
            "medical_conditions",
            ["none", "diabetes"],
            "'none' cannot be combined with other choices",
        ),
        ("age", "x" * 100, "'" + "x" * 56 + "..." + " is not a whole number"),
        (
            "concerns",
            "wrinkles, sagging_skin",
            "'wrinkles, sagging_skin' separates choices with ',': separate them with ';' (wrinkles;sagging_skin)",
        ),
        (
            "concerns",
            "Cellulite,Sagging skin;excess_fat",
            "'Cellulite,Sagging skin' separates choices with ',': separate them with ';' (cellulite;sagging_skin)",
        ),
        (
            "medical_conditions",
            "Cancer, now or in the past, Diabetes",  # a label that holds a comma itself
            "'Cancer, now or in the past, Diabetes' separates choices with ',': separate them with ';' (cancer;diabetes)",
        ),
        (
            "concerns",
            ["wrinkles, sagging_skin"],
            "'wrinkles, sagging_skin' separates choices with ',': give each as its own item",
        ),
        (
            "concerns",
            "wrinkles, sagging",
            "'wrinkles, sagging' is not one of cellulite, wrinkles, sagging_skin, excess_fat, other",
        ),
        (
            "sex",
            "female, male",
            "'female, male' is not one of female, male, other, prefer_not_to_say",
        ),
    ],
)
def test_coerce_rejects_with_the_reason(
    pack: RulePack, question: str, raw: object, reason: str
) -> None:
    """Rejects a bad answer, naming the value and what is allowed."""
    with pytest.raises(AnswerRejected) as caught:
        coerce(pack.question(question), raw)
    assert caught.value.reason == reason


def choice_question(*choices: tuple[str, str], kind: QuestionType = "choice") -> Question:
    return Question("q", kind, "Q?", choices=tuple(Choice(v, label) for v, label in choices))


@pytest.mark.parametrize("kind", ["choice", "multiple"])
def test_an_ambiguous_label_is_refused_naming_the_candidates(kind: QuestionType) -> None:
    """A text that is one choice's value and another's label (in other case) names both."""
    question = choice_question(("a", "B"), ("b", "A"), kind=kind)
    with pytest.raises(AnswerRejected) as caught:
        coerce(question, "A ")
    assert caught.value.reason == "'A' could be a ('B') or b ('A'): give the value"
    assert coerce(question, "a") in ("a", ("a",))  # a value given exactly is never ambiguous


def test_two_choices_with_the_same_label_are_ambiguous() -> None:
    """Labels that differ only in case name both choices; their values still work."""
    question = choice_question(("x", "Same"), ("y", "same"), ("z", "Other"))
    with pytest.raises(AnswerRejected) as caught:
        coerce(question, "SAME")
    assert caught.value.reason == "'SAME' could be x ('Same') or y ('same'): give the value"
    assert (coerce(question, "x"), coerce(question, "other")) == ("x", "z")


def test_labels_are_looked_up_per_question_object() -> None:
    """Two questions with the same id but other choices do not share a lookup."""
    first = choice_question(("a", "Apple"))
    second = choice_question(("b", "Apple"))
    assert (coerce(first, "apple"), coerce(second, "apple")) == ("a", "b")


def test_from_mapping_gives_answers_in_question_order(pack: RulePack) -> None:
    """Resolves a full answer set, coercing each value; a blank optional answer has no value."""
    raw = {key: BASE_ANSWERS[key] for key in reversed(list(BASE_ANSWERS))}
    raw["age"] = "35"
    resolved = from_mapping(pack, raw)
    answers = resolved.values
    assert list(resolved.states) == [q.id for q in pack.questions]
    assert list(answers) == [q.id for q in pack.questions if q.id in BASE_ANSWERS]
    assert answers["age"] == 35
    assert answers["concerns"] == ("cellulite",)
    assert resolved.states["scarring_or_pigment_disorder"] is State.not_answered  # optional
    assert resolved.states["recent_treatment_in_area"] is State.not_answered


def test_from_mapping_lists_every_problem_at_once(pack: RulePack) -> None:
    """Every missing and every bad answer is reported in one error, in question order."""
    with pytest.raises(AnswersError) as caught:
        from_mapping(pack, {"concerns": ["celulite"], "age": 300, "sex": ""}, source="a.yaml")
    assert caught.value.lines() == [
        "a.yaml: age: 300 is outside 0 to 120",
        "a.yaml: sex: required, but not answered",
        "a.yaml: concerns: 'celulite' is not one of cellulite, wrinkles, sagging_skin, excess_fat, other (did you mean 'cellulite'?)",
        "a.yaml: areas: required, but not answered",
        "a.yaml: goal_is_weight_loss: required, but not answered",
        "a.yaml: blood_thinners_or_bleeding_disorder: required, but not answered",
        "a.yaml: ingredient_allergies: required, but not answered",
        "a.yaml: skin_problem_in_area: required, but not answered",
        "a.yaml: medical_conditions: required, but not answered",
    ]
    assert int(caught.value.exit_code) == 1


def test_from_mapping_ignores_answers_to_questions_that_do_not_apply(
    pack: RulePack, base_answers: dict[str, object]
) -> None:
    """An answer to a question whose `when` is false is dropped, even an invalid one."""
    base_answers["concerns"] = ["wrinkles"]
    base_answers["cellulite_cause_belief"] = "not a choice at all"
    answers = from_mapping(pack, base_answers).values
    assert "cellulite_cause_belief" not in answers


def test_from_mapping_requires_a_question_that_applies(
    pack: RulePack, base_answers: dict[str, object]
) -> None:
    """A question whose `when` holds is required like any other."""
    del base_answers["cellulite_cause_belief"]
    with pytest.raises(AnswersError) as caught:
        from_mapping(pack, base_answers)
    assert caught.value.lines() == ["cellulite_cause_belief: required, but not answered"]


def test_unknown_keys_are_named_in_file_order(pack: RulePack) -> None:
    """Keys that name no question are listed, so the CLI can warn about typos."""
    assert unknown_keys(pack, {"agee": 3, "age": 3, "Sex": "male"}) == ["agee", "Sex"]


# -- answers files ------------------------------------------------------------------------------

YAML_TEXT = "age: 35\nconcerns: [cellulite, wrinkles]\nwants_to_avoid_surgery: yes\n"
EXPECTED = {"age": 35, "concerns": ["cellulite", "wrinkles"], "wants_to_avoid_surgery": True}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.yaml", YAML_TEXT),
        ("a.yml", "\ufeff" + YAML_TEXT),
        ("a.json", json.dumps(EXPECTED, indent=2)),
        ("a.txt", json.dumps(EXPECTED)),  # the content decides, not the name
    ],
)
def test_read_answers_reads_yaml_and_json(tmp_path: Path, name: str, text: str) -> None:
    """Reads a YAML or a JSON answers file to raw answers."""
    file = tmp_path / name
    file.write_text(text, encoding="utf-8")
    assert read_answers(str(file)) == EXPECTED


@pytest.mark.parametrize("stdin", [YAML_TEXT, YAML_TEXT.encode(), json.dumps(EXPECTED).encode()])
def test_read_answers_reads_stdin(stdin: str | bytes) -> None:
    """`-` reads the answers given from stdin, as text or bytes."""
    assert read_answers("-", stdin) == EXPECTED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "stdin: the answers file is empty"),
        ("# nothing\n", "stdin: the answers file is empty"),
        ("- 1\n- 2\n", "stdin: answers must be a mapping of question id to answer, not a list"),
        ("just text\n", "stdin: answers must be a mapping of question id to answer, not a string"),
        ("age: 3\nage: 4\n", "stdin:2: duplicate key 'age'"),
        ("a: &x [1]\nb: *x\n", "stdin:2: YAML aliases (*name) are not allowed here"),
        ("age: [\n", "stdin:2: YAML syntax: did not find expected node content"),
        (
            "a:\n" + "".join("  " * i + "- \n" for i in range(1, 13)),
            "stdin:11: nested more than 10 levels deep",
        ),
        ('{"age": 3, "age": 4}', "stdin: duplicate key 'age'"),
        ('{"age": NaN}', "stdin: NaN is not a valid answer"),
        (
            '{"age": 3,\n}',
            "stdin:2: JSON syntax: Expecting property name enclosed in double quotes",
        ),
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "stdin: nested more than 10 levels deep"),
        (b"age: caf\xe9\n", "stdin: input is not UTF-8 text (byte 8)"),
        (b"age: 3\x00", "stdin: input is binary, not text"),
        ("x" * (1024 * 1024 + 1), "stdin: input is over 1 MiB"),
    ],
)
def test_read_answers_refuses_bad_input_with_one_message(text: str | bytes, message: str) -> None:
    """Empty, non-mapping, duplicated, aliased, malformed, deep or binary input: one clear line."""
    with pytest.raises(UsageError) as caught:
        read_answers("-", text)
    assert caught.value.lines() == [message]
    assert int(caught.value.exit_code) == 2


def test_read_answers_names_a_missing_file(tmp_path: Path) -> None:
    """A missing answers file is named."""
    with pytest.raises(UsageError) as caught:
        read_answers(str(tmp_path / "nope.yaml"))
    assert caught.value.lines() == [f"{tmp_path}/nope.yaml: no such answers file"]


def test_a_yaml_file_round_trips_through_from_mapping(
    pack: RulePack, tmp_path: Path, base_answers: dict[str, object]
) -> None:
    """Resolved answers written back as JSON resolve to the same answers."""
    answers = from_mapping(pack, base_answers).values
    file = tmp_path / "answers.json"
    file.write_text(
        json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}),
        encoding="utf-8",
    )
    assert from_mapping(pack, read_answers(str(file))).values == answers


def test_no_choice_ticked_counts_as_no_answer(tmp_path: Path) -> None:
    """With no `min`, an empty list is unanswered: required says so, optional takes its default."""
    from mesoguide.loader import load_pack
    from tests.packs import SMALL_PACK, write_pack

    text = SMALL_PACK.replace("    min: 1\n", "").replace(
        "questions:\n",
        "questions:\n  - {id: tags, type: multiple, label: Tags?, required: false, default: [t1],"
        " choices: [{value: t1, label: T1}, {value: t2, label: T2}]}\n",
    )
    pack = load_pack(write_pack(tmp_path, text))
    with pytest.raises(AnswersError) as caught:
        from_mapping(pack, {"tags": [], "age": 30, "wants": []})
    assert [str(p) for p in caught.value.problems] == ["wants: required, but not answered"]
    assert from_mapping(pack, {"tags": "", "age": 30, "wants": ["b"]}).values["tags"] == ("t1",)
    assert from_mapping(pack, {"tags": ";", "age": 30, "wants": ["b"]}).values["tags"] == ("t1",)


# -- parse_json: the one strict JSON reader of `assess` and `batch` ----------------------------
DIGITS_100 = "1" + "0" * 99


@pytest.mark.parametrize(
    "text",
    [
        f'{{"age": {DIGITS_100}}}',
        f'{{"age": -{DIGITS_100}}}',
        '{"a": ' * 10 + "1" + "}" * 10,  # ten levels: the limit
        '{"a": ' + "[" * 9 + "]" * 9 + "}",
        '{"a": "' + "[" * 50 + '"}',  # brackets in a string are no nesting
        '{"age": 1.5e300}',
    ],
)
def test_parse_json_reads_what_is_within_the_limits(text: str) -> None:
    """Reads numbers of 100 digits and nesting 10 levels deep, as `json.loads` does."""
    assert parse_json(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"bmi": 39.95}', 39.95),
        ('{"bmi": 40.0}', 40.0),
        ('{"bmi": 0.1234567890123}', 0.1234567890123),
        ('{"bmi": 40.000000000000000001}', Decimal("40.000000000000000001")),
        ('{"bmi": 1.00000000000000000000e2}', 100.0),  # a longer text of the same float
    ],
)
def test_parse_json_reads_a_number_as_written(text: str, value: object) -> None:
    """A number a float holds exactly is a float; one it would round is a Decimal."""
    read = parse_json(text)
    assert isinstance(read, dict)
    assert (type(read["bmi"]), read["bmi"]) == (type(value), value)


def test_a_long_json_number_is_refused_not_rounded() -> None:
    """40.000000000000000001 in JSON is refused for its digits, not taken for 40."""
    raw = parse_json('{"bmi": 40.000000000000000001}')
    assert isinstance(raw, dict)
    with pytest.raises(AnswerRejected, match="has more than 15 digits"):
        coerce(KYBELLA.question("bmi"), raw["bmi"])
    whole = Question("n", "integer", "N?")
    assert coerce(whole, parse_json('{"n": 40.000000000000000000}')["n"]) == 40  # type: ignore[index]
    with pytest.raises(AnswerRejected, match="is not a whole number"):
        coerce(whole, parse_json('{"n": 40.000000000000000001}')["n"])  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "message", "key", "offset"),
    [
        (f'{{"age": {DIGITS_100}0}}', "a number of more than 100 digits", "age", None),
        (f'{{"age": -{DIGITS_100}0}}', "a number of more than 100 digits", "age", None),
        (f'{{"a": [1, {{"b": {DIGITS_100}00}}]}}', "a number of more than 100 digits", "a", None),
        (f"[{DIGITS_100}0]", "a number of more than 100 digits", "", None),
        ('{"age": NaN}', "NaN is not a valid answer", "age", None),
        ('{"x": 1, "age": -Infinity}', "-Infinity is not a valid answer", "age", None),
        ('{"age": 1, "age": 2}', "duplicate key 'age'", "", None),
        ('{"a": ' * 11 + "1" + "}" * 11, "nested more than 10 levels deep", "", None),
        ('{"a": ' + "[" * 10 + "]" * 10 + "}", "nested more than 10 levels deep", "", None),
        ("[" * 100_000, "nested more than 10 levels deep", "", None),
        (
            '{"age": 35,\n}',
            "JSON syntax: Expecting property name enclosed in double quotes",
            "",
            12,
        ),
        ("{} x", "JSON syntax: Extra data", "", 3),
    ],
)
def test_parse_json_refuses_with_the_message_and_the_key(
    text: str, message: str, key: str, offset: int | None
) -> None:
    """Refuses long numbers, NaN, keys twice, deep nesting, bad syntax: one message each."""
    with pytest.raises(JsonProblem) as caught:
        parse_json(text)
    assert (caught.value.message, caught.value.key, caught.value.offset) == (message, key, offset)


@pytest.mark.parametrize("path", ["rules/mesotherapy", "examples/microneedling"])
def test_every_label_of_a_shipped_pack_means_its_choice(path: str) -> None:
    """Each choice of each shipped pack is reached by its value and its label, in any case."""
    for question in load_pack(ROOT / path).questions:
        for choice in question.choices:
            for text in (choice.value, choice.label, choice.label.upper(), f" {choice.label} "):
                answer = coerce(question, text)
                assert answer in (choice.value, (choice.value,)), (question.id, text)


# -- decimal and text ---------------------------------------------------------------------------
KYBELLA = load_pack(ROOT / "tests" / "packs" / "kybella")
BMI = KYBELLA.question("bmi")  # 10 to 80, step 0.1, in kg/m²
FREE = Question("free", "decimal", "Free?")  # no limits, no step
MEDICINES = KYBELLA.question("medicines")  # text, up to 500 characters


@pytest.mark.parametrize(
    ("question", "raw", "answer"),
    [
        (BMI, "40.5", Decimal("40.5")),
        (BMI, " 40.5 ", Decimal("40.5")),
        (BMI, "40.50", Decimal("40.5")),
        (BMI, "40", Decimal("40")),
        (BMI, "40.", Decimal("40")),
        (BMI, "+39.9", Decimal("39.9")),
        (BMI, 40, Decimal("40")),
        (BMI, 39.9, Decimal("39.9")),  # the float a YAML file reads, as its digits say
        (BMI, 40.0, Decimal("40")),
        (BMI, Decimal("10"), Decimal("10")),
        (BMI, "80", Decimal("80")),
        (FREE, ".5", Decimal("0.5")),
        (FREE, "-0.25", Decimal("-0.25")),
        (FREE, "39.95", Decimal("39.95")),
        (FREE, 0.1, Decimal("0.1")),
        (FREE, "123456789012.345", Decimal("123456789012.345")),  # 15 digits
    ],
)
def test_coerce_accepts_a_decimal_exactly(question: Question, raw: object, answer: Decimal) -> None:
    """Reads a decimal as the digits written: 39.9 is 39.9, not the float nearest it."""
    value = coerce(question, raw)
    assert isinstance(value, Decimal)
    assert value == answer
    assert str(value) == str(answer)  # one form, whatever the source: no trailing zeros


@pytest.mark.parametrize(
    ("question", "raw", "reason"),
    [
        (BMI, "40,5", "'40,5' is not a number: write the decimal point as '.' (40.5)"),
        (BMI, "1,040.5", "'1,040.5' is not a number: write it without ',' (1040.5)"),
        (BMI, "40.5 kg/m²", "'40.5 kg/m²' is not a number: type a number in kg/m², such as 40.5"),
        (BMI, "forty", "'forty' is not a number: type a number in kg/m², such as 40.5"),
        (BMI, "4e1", "'4e1' is not a number: type a number in kg/m², such as 40.5"),
        (BMI, "NaN", "'NaN' is not a number: type a number in kg/m², such as 40.5"),
        (BMI, "٤٠", "'٤٠' is not a number: type a number in kg/m², such as 40.5"),
        (BMI, "1_000", "'1_000' is not a number: type a number in kg/m², such as 40.5"),
        (BMI, "", "expected a number"),
        (BMI, "40.55", "40.55 is not a step of 0.1: the nearest are 40.5 and 40.6"),
        (BMI, 39.95, "39.95 is not a step of 0.1: the nearest are 39.9 and 40"),
        (BMI, "80.1", "80.1 is outside 10 to 80"),
        (BMI, "9.9", "9.9 is outside 10 to 80"),
        (BMI, True, "expected a number, not a boolean (true)"),
        (BMI, [40], "expected a number, not a list"),
        (BMI, float("nan"), "nan is not a number"),
        (BMI, float("inf"), "inf is not a number"),
        (FREE, "1234567890123.456", "'1234567890123.456' has more than 15 digits"),
        (FREE, "0.0000000000000001", "'0.0000000000000001' has more than 15 digits"),
        (FREE, 1e300, "1e+300 has more than 15 digits"),
        (
            FREE,
            "9" * 400,
            "'" + "9" * 56 + "... has more than 15 digits",
        ),
    ],
)
def test_coerce_rejects_a_decimal_naming_the_fix(
    question: Question, raw: object, reason: str
) -> None:
    """Refuses a comma, a unit, an exponent, a value off the step or out of range, in words
    that say what to type; a comma is never guessed at (1,234 reads two ways)."""
    with pytest.raises(AnswerRejected) as caught:
        coerce(question, raw)
    assert caught.value.reason == reason


def test_a_step_counts_from_min() -> None:
    """A step counts from the question's min (from 0 without one)."""
    question = Question("dose", "decimal", "Dose?", min=Decimal("0.25"), step=Decimal("0.5"))
    assert coerce(question, "1.25") == Decimal("1.25")
    with pytest.raises(AnswerRejected) as caught:
        coerce(question, "1")
    assert caught.value.reason == "1 is not a step of 0.5 from 0.25: the nearest are 0.75 and 1.25"


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("Aspirin 100 mg", "Aspirin 100 mg"),
        ("  metformin\n", "metformin"),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),  # Windows and old Mac line ends
        ("a\tb", "a\tb"),
        ('=HYPERLINK("x")', '=HYPERLINK("x")'),  # kept as typed; exports guard it
        ("[red]x[/red] # **y**", "[red]x[/red] # **y**"),
        ("x" * 500, "x" * 500),
        ("   ", ""),  # a blank: the runner counts it as not answered
    ],
)
def test_coerce_accepts_a_text(raw: str, answer: str) -> None:
    """Keeps a text as typed, without the blanks around it, with line ends made one kind."""
    assert coerce(MEDICINES, raw) == answer


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("x" * 501, "the text is 501 characters long; the limit is 500"),
        ("a\x1b[31mred", "the text holds the control character U+001B: remove it"),
        ("a\x00b", "the text holds the control character U+0000: remove it"),
        ("a\x7fb", "the text holds the control character U+007F: remove it"),
        ("abc\u202edef", "the text holds the control character U+202E: remove it"),
        (False, "expected text, not a boolean (false): put the text in quotes"),
        (12, "expected text, not an integer (12): put the text in quotes"),
        (["a"], "expected text, not a list"),
    ],
)
def test_coerce_rejects_a_text(raw: object, reason: str) -> None:
    """Refuses a text too long, one holding a control character (it could rewrite a terminal
    or hide what it says), and a value YAML read as something else."""
    with pytest.raises(AnswerRejected) as caught:
        coerce(MEDICINES, raw)
    assert caught.value.reason == reason


def test_a_text_of_blanks_is_not_answered() -> None:
    """A text of spaces is a blank: optional, it is not answered; it has no value."""
    answers = from_mapping(
        KYBELLA,
        {"age": 30, "bmi": 22, "medicines": "   ", "earlier_treatment": "never",
         "bothers": ["fullness"]},
    )  # fmt: skip
    assert answers.states["medicines"] is State.not_answered
    assert "medicines" not in answers.values


def test_an_other_choice_opens_its_text_question() -> None:
    """Choosing "other" asks `<question>_other`, a required text; another choice drops it."""
    base = {"age": 30, "bmi": 22, "bothers": ["fullness"]}
    with pytest.raises(AnswersError) as caught:
        from_mapping(KYBELLA, {**base, "earlier_treatment": "other"})
    assert [str(p) for p in caught.value.problems] == [
        "earlier_treatment_other: required, but not answered"
    ]
    answers = from_mapping(
        KYBELLA,
        {**base, "earlier_treatment": "other", "earlier_treatment_other": "A chin lift"},
    )
    assert answers.values["earlier_treatment_other"] == "A chin lift"
    answers = from_mapping(
        KYBELLA, {**base, "earlier_treatment": "never", "earlier_treatment_other": "A chin lift"}
    )
    assert answers.states["earlier_treatment_other"] is State.not_asked
    assert answers.dropped == ("earlier_treatment_other",)
    answers = from_mapping(
        KYBELLA,
        {**base, "earlier_treatment": "never", "bothers": "fullness;other",
         "bothers_other": "Lines"},
    )  # fmt: skip
    assert answers.values["bothers_other"] == "Lines"
