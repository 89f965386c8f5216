"""FHIR R4: the Questionnaire a pack exports, the responses assess writes, and reading them back.

Structure is checked with fhir.resources (its R4B models, a test dependency only); what
structure cannot see is checked here: enableWhen names earlier questions, answerOption codes
are the pack's choices, and a FHIR form enables exactly the questions mesoguide asks (FHIR's
`!=` holds for no answer, mesoguide's `ne` does not), with the SDC expressions run by
fhirpathpy.
"""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from fhirpathpy import evaluate
from fhirpathpy.models import models
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from mesoguide import fhir
from mesoguide.cli import app
from mesoguide.engine import assess
from mesoguide.errors import UsageError
from mesoguide.loader import load_pack, load_translations
from mesoguide.model import RulePack, State
from mesoguide.report import report_to_dict
from mesoguide.runner import from_mapping
from tests.conftest import BASE_ANSWERS, ROOT
from tests.test_pipeline_properties import PACKS, SOME, answer_sets

ALL_PACKS = {**PACKS, "fhir": load_pack(ROOT / "tests" / "packs" / "fhir")}
DEFAULT = PACKS["mesotherapy"]
R4_OPERATORS = {"exists", "=", "!=", ">", "<", ">=", "<="}
runner = CliRunner()


def resource_of(pack: RulePack, raw: dict[str, object]) -> dict[str, Any]:
    """The QuestionnaireResponse `assess --format fhir` writes for raw answers, as JSON."""
    report = assess(pack, from_mapping(pack, raw))
    return json.loads(fhir.render_response(report, pack))


# -- the Questionnaire ------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL_PACKS))
def test_questionnaire_validates(name: str) -> None:
    """Every pack's Questionnaire is a valid R4 resource, with its translations."""
    pack = ALL_PACKS[name]
    Questionnaire.model_validate(fhir.questionnaire(pack, load_translations(pack)))


def items_of(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item, depth first."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(resource.get("item", [])))
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(reversed(item.get("item", [])))
    return found


@pytest.mark.parametrize("name", sorted(ALL_PACKS))
def test_enable_when_names_an_earlier_question(name: str) -> None:
    """Each enableWhen names a question item that comes earlier, with an R4 operator."""
    q = fhir.questionnaire(ALL_PACKS[name])
    seen: dict[str, dict[str, Any]] = {}
    link_ids = [item["linkId"] for item in items_of(q)]
    assert len(link_ids) == len(set(link_ids))
    for item in items_of(q):
        for condition in item.get("enableWhen", []):
            assert condition["question"] in seen, (item["linkId"], condition)
            assert seen[condition["question"]]["type"] != "display"
            assert condition["operator"] in R4_OPERATORS
        seen[item["linkId"]] = item


@pytest.mark.parametrize("name", sorted(ALL_PACKS))
def test_items_mirror_the_questions(name: str) -> None:
    """linkId, type, repeats, required, answer codes, bounds and exclusivity follow the pack."""
    pack = ALL_PACKS[name]
    items = {item["linkId"]: item for item in items_of(fhir.questionnaire(pack))}
    for question in pack.questions:
        item = items[question.id]
        assert item["type"] == {"multiple": "choice"}.get(question.type, question.type)
        assert item.get("maxLength") == (question.max_length if question.type == "text" else None)
        assert item.get("repeats", False) == (question.type == "multiple")
        assert item["required"] == (question.required and question.default is None)
        assert item["text"] == question.label
        codes = [o["valueCoding"]["code"] for o in item.get("answerOption", [])]
        assert codes == list(question.choice_values)
        systems = {o["valueCoding"]["system"] for o in item.get("answerOption", [])}
        assert systems <= {fhir.choice_system(pack, question)}
        exclusive = [
            o["valueCoding"]["code"]
            for o in item.get("answerOption", [])
            if {"url": fhir.OPTION_EXCLUSIVE, "valueBoolean": True} in o.get("extension", [])
        ]
        assert exclusive == [c.value for c in question.choices if c.exclusive]
        bounds = {
            e["url"]: e.get("valueInteger", e.get("valueDecimal"))
            for e in item.get("extension", [])
        }
        low, high = (
            (fhir.MIN_OCCURS, fhir.MAX_OCCURS)
            if question.type == "multiple"
            else (fhir.MIN_VALUE, fhir.MAX_VALUE)
        )
        assert bounds.get(low) == question.min
        assert bounds.get(high) == question.max
        if question.type == "decimal":  # written as JSON numbers of the same value
            assert {type(bounds.get(low)), type(bounds.get(high))} <= {float, type(None)}
        helps = [child["text"] for child in item.get("item", [])]
        assert helps == ([question.help] if question.help else [])


def test_questionnaire_names_the_pack() -> None:
    """url and version name the pack; its sha256 is an identifier."""
    q = fhir.questionnaire(DEFAULT)
    assert q["url"] == "urn:mesoguide:pack:mesotherapy"
    assert q["version"] == DEFAULT.version
    assert q["identifier"] == [{"system": fhir.SHA256_SYSTEM, "value": DEFAULT.sha256}]


@pytest.mark.parametrize(
    ("when", "entries", "behavior"),
    [
        ({"question": "n", "value": 3}, [("n", "=", 3)], None),
        ({"question": "n", "op": "ne", "value": 3}, [("n", "exists", True), ("n", "!=", 3)], "all"),
        ({"question": "b", "op": "ne", "value": True},
         [("b", "exists", True), ("b", "!=", True)], "all"),
        ({"not": {"question": "b", "value": True}}, [("b", "!=", True)], None),
        ({"question": "c", "op": "answered"}, [("c", "exists", True)], None),
        ({"not": {"question": "c", "op": "answered"}}, [("c", "exists", False)], None),
        ({"not": {"question": "n", "op": "lt", "value": 5}},
         [("n", "exists", False), ("n", ">=", 5)], "any"),
        ({"question": "x", "op": "ne", "value": 2.5},
         [("x", "exists", True), ("x", "!=", 2.5)], "all"),
        ({"question": "x", "op": "in", "value": [1.5, 2.05]},
         [("x", "=", 1.5), ("x", "=", 2.05)], "any"),
        ({"not": {"question": "x", "op": "le", "value": 7.95}},
         [("x", "exists", False), ("x", ">", 7.95)], "any"),
        ({"question": "t", "op": "answered"}, [("t", "exists", True)], None),
    ],
)  # fmt: skip
def test_enable_when_holds_as_mesoguide_does(
    when: dict[str, Any], entries: list[tuple[str, str, object]], behavior: str | None
) -> None:
    """`ne` needs an answer: FHIR's `!=` alone would enable a question for no answer."""
    pack = ALL_PACKS["fhir"]
    question = next(q for q in pack.questions if q.when == _parsed(when))
    item = next(i for i in fhir.questionnaire(pack)["item"] if i["linkId"] == question.id)
    found = [
        (e["question"], e["operator"], next(v for k, v in e.items() if k.startswith("answer")))
        for e in item["enableWhen"]
    ]
    assert found == entries
    assert item.get("enableBehavior") == behavior


def _parsed(data: dict[str, Any]) -> object:
    """A condition as the loader makes it: a decimal's numbers are Decimals."""
    from mesoguide.conditions import parse_condition

    def exact(value: object) -> object:
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, list):
            return [exact(v) for v in value]
        if isinstance(value, dict):
            return {k: exact(v) for k, v in value.items()}
        return value

    return parse_condition(exact(data))


def test_a_question_on_a_default_uses_an_expression() -> None:
    """A default is not an answer in the response: conditions on it are FHIRPath."""
    pack = ALL_PACKS["fhir"]
    item = next(i for i in fhir.questionnaire(pack)["item"] if i["linkId"] == "w_default")
    assert "enableWhen" not in item
    (extension,) = item["extension"]
    assert extension["url"] == fhir.ENABLE_WHEN_EXPRESSION
    assert extension["valueExpression"]["language"] == "text/fhirpath"


# -- the FHIR form enables what mesoguide asks -------------------------------------------------
def answers_by_link(response: dict[str, Any]) -> dict[str, list[object]]:
    found: dict[str, list[object]] = {}
    for item in response["item"]:
        values = []
        for answer in item.get("answer", []):
            (key,) = [k for k in answer if k.startswith("value")]
            value = answer[key]
            values.append(value["code"] if key == "valueCoding" else value)
        found[item["linkId"]] = values
    return found


def _holds(entry: dict[str, Any], answers: list[object]) -> bool:
    """One enableWhen, as R4 defines it (`!=`: no answer equals the value)."""
    (key,) = [k for k in entry if k.startswith("answer")]
    wanted = entry[key]["code"] if key == "answerCoding" else entry[key]
    op = entry["operator"]
    if op == "exists":
        return bool(answers) == wanted
    if op == "!=":
        return all(a != wanted for a in answers)
    tests = {
        "=": lambda a: a == wanted,
        "<": lambda a: a < wanted,
        "<=": lambda a: a <= wanted,
        ">": lambda a: a > wanted,
        ">=": lambda a: a >= wanted,
    }
    return any(tests[op](a) for a in answers)


def fhir_enabled(item: dict[str, Any], response: dict[str, Any]) -> bool:
    """Whether a FHIR form enables ``item`` given the response's answers."""
    if "enableWhen" in item:
        answers = answers_by_link(response)
        results = [_holds(e, answers.get(e["question"], [])) for e in item["enableWhen"]]
        return any(results) if item.get("enableBehavior") == "any" else all(results)
    for extension in item.get("extension", []):
        if extension["url"] == fhir.ENABLE_WHEN_EXPRESSION:
            expression = extension["valueExpression"]["expression"]
            result = evaluate(response, expression, {"resource": response}, models["r4"])
            assert result in ([True], [False]), (expression, result)
            return bool(result[0])
    return True


@pytest.mark.parametrize("name", sorted(ALL_PACKS))
@SOME
@given(data=st.data())
def test_the_form_enables_exactly_the_questions_asked(name: str, data: st.DataObject) -> None:
    """Over generated answers, FHIR's enablement of each question is mesoguide's `when`."""
    pack = ALL_PACKS[name]
    raw = data.draw(answer_sets(pack))
    states = from_mapping(pack, raw).states
    response = resource_of(pack, raw)
    items = {item["linkId"]: item for item in fhir.questionnaire(pack)["item"]}
    for qid, state in states.items():
        assert fhir_enabled(items[qid], response) == (state is not State.not_asked), qid


@pytest.mark.parametrize("x", ["0", "0.05", "1.5", "2.05", "2.5", "3.3", "3.35", "7.95", "8", None])
@pytest.mark.parametrize("xd", ["0.5", "0.75", "1.5", None])
@pytest.mark.parametrize("t", ["a line", None])
def test_the_form_enables_what_is_asked_at_decimal_thresholds(
    x: str | None, xd: str | None, t: str | None
) -> None:
    """At and beside each threshold a decimal condition names, FHIR enables what mesoguide
    asks (the generated answers seldom land on them)."""
    pack = ALL_PACKS["fhir"]
    raw = {k: v for k, v in {"x": x, "xd": xd, "t": t}.items() if v is not None}
    states = from_mapping(pack, raw).states
    response = resource_of(pack, raw)
    items = {item["linkId"]: item for item in fhir.questionnaire(pack)["item"]}
    for qid in ("w_x_eq", "w_x_ne", "w_x_ge", "w_x_lt", "w_x_in", "w_x_not_in", "w_x_not_le",
                "w_x_not_and", "w_xd", "w_xd_lt", "w_t", "w_not_t"):  # fmt: skip
        assert fhir_enabled(items[qid], response) == (states[qid] is not State.not_asked), qid


# -- the QuestionnaireResponse -----------------------------------------------------------------
NOT_INDICATED = {**BASE_ANSWERS, "concerns": ["other"]}
for _key in ("body_type", "cellulite_cause_belief"):
    NOT_INDICATED.pop(_key)
OUTCOME_ANSWERS = {
    "refer": json.loads((ROOT / "examples" / "answers" / "refer.json").read_text()),
    "candidate": yaml.safe_load((ROOT / "examples" / "answers" / "candidate.yaml").read_text()),
    "not_indicated": NOT_INDICATED,
}


@pytest.mark.parametrize("outcome", sorted(OUTCOME_ANSWERS))
def test_a_response_for_each_outcome_validates(outcome: str) -> None:
    """A response of each outcome is valid R4 and carries the outcome in its hidden item."""
    response = resource_of(DEFAULT, OUTCOME_ANSWERS[outcome])
    QuestionnaireResponse.model_validate(response)
    assert response["questionnaire"] == "urn:mesoguide:pack:mesotherapy|2.0.0"
    assert response["status"] == "completed"
    answers = answers_by_link(response)
    assert answers[fhir.OUTCOME_ID] == [outcome]


@pytest.mark.parametrize("outcome", sorted(OUTCOME_ANSWERS))
def test_response_items_are_questionnaire_items_of_their_type(outcome: str) -> None:
    """Each response linkId is a Questionnaire item, answered with its type's value[x]."""
    items = {item["linkId"]: item for item in items_of(fhir.questionnaire(DEFAULT))}
    value_keys = {
        "integer": {"valueInteger"},
        "boolean": {"valueBoolean"},
        "choice": {"valueCoding"},
        "string": {"valueString"},
        "text": {"valueString"},
        "decimal": {"valueDecimal"},
    }
    for answered in resource_of(DEFAULT, OUTCOME_ANSWERS[outcome])["item"]:
        item = items[answered["linkId"]]
        assert len(answered["answer"]) == 1 or item.get("repeats")
        for answer in answered["answer"]:
            assert set(answer) == value_keys[item["type"]]
            if item["type"] == "choice":
                assert answer["valueCoding"] in [o["valueCoding"] for o in item["answerOption"]]


def test_a_response_leaves_out_questions_not_asked_blank_or_defaulted() -> None:
    """Only answered questions are items: not asked, blank and defaults are absent."""
    pack = ALL_PACKS["mixed"]
    raw = {"age": 30, "plan": "basic", "wants": ["a"], "per_day": 5}  # smoker: default
    answers = from_mapping(pack, raw)
    assert answers.states["smoker"] is State.default
    linked = answers_by_link(resource_of(pack, raw))
    own = {fhir.OUTCOME_ID, fhir.SESSIONS_MIN_ID, fhir.SESSIONS_MAX_ID, fhir.REASON_ID}
    assert set(linked) - own - {fhir.RULES_ID} == {"age", "plan", "wants", "per_day"}


def test_a_response_carries_sessions_reasons_and_rules() -> None:
    """Sessions, referral reasons and rules fired are the hidden items' answers."""
    report = assess(DEFAULT, from_mapping(DEFAULT, OUTCOME_ANSWERS["refer"]))
    linked = answers_by_link(fhir.response(report, DEFAULT))
    assert linked[fhir.REASON_ID] == [f.text for f in report.referral_reasons]
    assert linked[fhir.RULES_ID] == list(report.rules_fired)
    candidate = assess(DEFAULT, from_mapping(DEFAULT, OUTCOME_ANSWERS["candidate"]))
    sessions = answers_by_link(fhir.response(candidate, DEFAULT))
    assert candidate.sessions is not None
    assert sessions[fhir.SESSIONS_MIN_ID] == [candidate.sessions.min]
    assert sessions[fhir.SESSIONS_MAX_ID] == [candidate.sessions.max]


# -- reading a response back -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ALL_PACKS))
@SOME
@given(data=st.data())
def test_answers_survive_a_round_trip(name: str, data: st.DataObject) -> None:
    """answers -> response -> answers keeps every value and every state, and the report; only
    the mark of an answer given to a question not asked is not carried (docs/fhir.md)."""
    pack = ALL_PACKS[name]
    raw = data.draw(answer_sets(pack))
    before = from_mapping(pack, raw)
    response = resource_of(pack, raw)
    QuestionnaireResponse.model_validate(response)
    again = from_mapping(pack, fhir.raw_answers(pack, response, "qr.json"))
    assert dict(again.values) == dict(before.values)
    assert again.states == before.states
    assert again.dropped == ()
    first = report_to_dict(assess(pack, before))
    marked = {qid for qid, answer in first["answers"].items() if answer.pop("given", False)}
    assert marked == set(before.dropped)
    assert report_to_dict(assess(pack, again)) == first


def refused(pack: RulePack, response: dict[str, Any]) -> str:
    with pytest.raises(UsageError) as caught:
        fhir.raw_answers(pack, response, "qr.json")
    return caught.value.message


def base_response() -> dict[str, Any]:
    return resource_of(DEFAULT, dict(BASE_ANSWERS))


def test_another_questionnaire_is_refused() -> None:
    """A response to another questionnaire or version is refused, naming both."""
    other = {**base_response(), "questionnaire": "http://example.org/Questionnaire/intake|3"}
    assert refused(DEFAULT, other) == (
        "qr.json: the QuestionnaireResponse answers http://example.org/Questionnaire/intake, "
        "not this pack's urn:mesoguide:pack:mesotherapy|2.0.0 (pass the pack it answers with "
        "--rules)"
    )
    older = {**base_response(), "questionnaire": "urn:mesoguide:pack:mesotherapy|1.0.0"}
    assert refused(DEFAULT, older) == (
        "qr.json: the QuestionnaireResponse answers version 1.0.0 of "
        "urn:mesoguide:pack:mesotherapy, but this pack is version 2.0.0 (pass that version's "
        "pack with --rules)"
    )
    unnamed = {k: v for k, v in base_response().items() if k != "questionnaire"}
    assert "names no questionnaire" in refused(DEFAULT, unnamed)


def test_a_version_less_canonical_is_taken() -> None:
    """`questionnaire` without `|version` names any version of the pack."""
    response = {**base_response(), "questionnaire": "urn:mesoguide:pack:mesotherapy"}
    assert fhir.raw_answers(DEFAULT, response, "qr.json")["age"] == 35


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"linkId": "agee", "answer": [{"valueInteger": 3}]},
         "linkId 'agee' is no question of this pack (did you mean 'age'?)"),
        ({"linkId": "age", "answer": [{"valueString": "35"}]},
         "age: answered with valueString; this question takes valueInteger"),
        ({"linkId": "age", "answer": [{"valueInteger": 3}, {"valueInteger": 4}]},
         "age: 2 answers to a question that takes one"),
        ({"linkId": "sex", "answer": [{"valueCoding": {"system": "http://x", "code": "female"}}]},
         "sex: code 'female' is from http://x, not this question's choices "
         "(urn:mesoguide:pack:mesotherapy:question:sex)"),
        ({"linkId": "sex", "answer": [{"valueCoding": {"display": "Female"}}]},
         "sex: a valueCoding needs a code"),
    ],
)  # fmt: skip
def test_a_response_that_is_not_this_packs_is_refused(item: dict[str, Any], message: str) -> None:
    """Unknown linkIds and answers of the wrong type are refused with the reason."""
    response = base_response()
    response["item"] = [i for i in response["item"] if i["linkId"] != item["linkId"]] + [item]
    assert refused(DEFAULT, response) == f"qr.json: {message}"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("x", "'item' is a list of items"),
        ([5], "an item without a linkId"),
        ([{"linkId": 5}], "an item without a linkId"),
        ([{"linkId": "age", "answer": {}}], "age: 'answer' is a list"),
        ([{"linkId": "age", "answer": [3]}], "age: an answer holds exactly one value[x]"),
        ([{"linkId": "age", "answer": [{"valueInteger": 3, "valueString": "3"}]}],
         "age: an answer holds exactly one value[x]"),
        ([{"linkId": "sex", "answer": [{"valueCoding": "female"}]}],
         'sex: valueCoding holds "female", not a Coding'),
        ([{"linkId": "age", "answer": [{"valueInteger": "35"}]}],
         'age: valueInteger holds "35", not a whole number'),
        ([{"linkId": "age", "answer": [{"valueInteger": True}]}],
         "age: valueInteger holds true, not a whole number"),
        ([{"linkId": "goal_is_weight_loss", "answer": [{"valueBoolean": "no"}]}],
         'goal_is_weight_loss: valueBoolean holds "no", not true or false'),
        ([{"linkId": "sex", "answer": [{"valueCoding": {"code": 5}}]}],
         "sex: a valueCoding needs a code"),
        ([{"linkId": "age", "answer": [{"valueInteger": 3}]},
          {"linkId": "age", "answer": [{"valueInteger": 4}]}],
         "age: answered in two items"),
    ],
)  # fmt: skip
def test_a_malformed_response_is_refused(items: object, message: str) -> None:
    """A response of the wrong shape is refused with what is wrong, never a traceback."""
    response = {**base_response(), "item": items}
    assert refused(DEFAULT, response) == f"qr.json: {message}"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
LINK_IDS = st.sampled_from(
    ["age", "sex", "concerns", "cold_sores", "age-help", "nope", fhir.OUTCOME_ID]
)
ANSWERS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "valueInteger": JSON, "valueBoolean": JSON, "valueCoding": JSON,
            "valueString": JSON, "item": JSON,
        },
    )
    | JSON,
    max_size=3,
)  # fmt: skip
ITEMS = st.lists(
    st.fixed_dictionaries({}, optional={"linkId": LINK_IDS | JSON, "answer": ANSWERS | JSON})
    | JSON,
    max_size=4,
)


@SOME
@given(items=ITEMS | JSON)
def test_any_response_is_read_or_refused_in_words(items: object) -> None:
    """Whatever a response holds, reading it gives answers or a UsageError or AnswersError."""
    response = {**base_response(), "item": items}
    try:
        raw = fhir.raw_answers(DEFAULT, response, "qr.json")
    except UsageError as error:
        assert error.message.startswith("qr.json: ")
        return
    assert set(raw) <= {q.id for q in DEFAULT.questions}
    from mesoguide.errors import AnswersError

    with contextlib.suppress(AnswersError):
        from_mapping(DEFAULT, raw)


def test_values_are_checked_by_the_one_answer_path() -> None:
    """A value of the right type is checked as an answers file's is (and says so alike)."""
    response = base_response()
    for item in response["item"]:
        if item["linkId"] == "age":
            item["answer"] = [{"valueInteger": 130}]
    from mesoguide.errors import AnswersError

    with pytest.raises(AnswersError) as caught:
        from_mapping(DEFAULT, fhir.raw_answers(DEFAULT, response, "qr.json"), "qr.json")
    assert caught.value.message == "qr.json: age: 130 is outside 0 to 120"


# -- decimals, texts and "other, please specify" -----------------------------------------------
KYBELLA = ALL_PACKS["kybella"]
KYBELLA_DIR = ROOT / "tests" / "packs" / "kybella"
KYBELLA_ANSWERS: dict[str, object] = yaml.safe_load(
    (KYBELLA_DIR / "answers.yaml").read_text(encoding="utf-8")
)


def kybella_item(link_id: str) -> dict[str, Any]:
    return next(i for i in items_of(fhir.questionnaire(KYBELLA)) if i["linkId"] == link_id)


def test_a_decimal_item_carries_bounds_places_and_unit() -> None:
    """A decimal is a `decimal` item: minValue/maxValue as valueDecimal, the step's places as
    maxDecimalPlaces, the unit as questionnaire-unit."""
    item = kybella_item("bmi")
    assert item["type"] == "decimal"
    assert item["extension"] == [
        {"url": fhir.MIN_VALUE, "valueDecimal": 10.0},
        {"url": fhir.MAX_VALUE, "valueDecimal": 80.0},
        {"url": fhir.MAX_DECIMAL_PLACES, "valueInteger": 1},
        {"url": fhir.UNIT, "valueCoding": {"display": "kg/m²"}},
    ]


@pytest.mark.parametrize(
    ("step", "minimum", "places"),
    [("0.1", None, 1), ("0.05", "0", 2), ("0.5", "0.25", 2), ("1", None, 0), ("2.5", "10", 1),
     (None, "0.125", None)],
)  # fmt: skip
def test_decimal_places_follow_the_step(
    step: str | None, minimum: str | None, places: object
) -> None:
    """maxDecimalPlaces is the places a step from the minimum can reach; no step, none."""
    from mesoguide.model import Question

    question = Question(
        "q", "decimal", "Q?", step=None if step is None else Decimal(step),
        min=None if minimum is None else Decimal(minimum),
    )  # fmt: skip
    assert fhir.decimal_places(question) == places


@SOME
@given(
    value=st.decimals(
        min_value=Decimal("-999999"), max_value=Decimal("999999"), places=8, allow_nan=False
    )
)
def test_a_decimal_is_written_as_the_same_number(value: Decimal) -> None:
    """A decimal of up to 15 digits is written as a JSON number that reads back as itself."""
    written = json.dumps(fhir.json_number(value))
    assert Decimal(written) == value
    assert Decimal(repr(json.loads(written))) == value


@pytest.mark.parametrize(
    ("name", "raw", "written"),
    [("fhir", {"x": "9.95"}, "9.95"), ("kybella", {**KYBELLA_ANSWERS, "bmi": "39.9"}, "39.9"),
     ("kybella", KYBELLA_ANSWERS, "40.0")],
)  # fmt: skip
def test_a_decimal_answer_is_exact_in_the_response(
    name: str, raw: dict[str, object], written: str
) -> None:
    """9.95 is written as 9.95 and read back as 9.95; 39.9 stays under a threshold of 40."""
    pack = ALL_PACKS[name]
    before = from_mapping(pack, raw)
    text = fhir.render_response(assess(pack, before), pack)
    assert f'"valueDecimal": {written}\n' in text
    again = from_mapping(pack, fhir.raw_answers(pack, json.loads(text), "qr.json"))
    assert again.values == before.values
    assert assess(pack, again).rules_fired == assess(pack, before).rules_fired


def test_a_text_item_has_its_length_limit() -> None:
    """A text is a `text` item (several lines) with maxLength; its answer is a valueString."""
    item = kybella_item("medicines")
    assert (item["type"], item["maxLength"], item["required"]) == ("text", 500, False)
    linked = answers_by_link(resource_of(KYBELLA, KYBELLA_ANSWERS))
    assert linked["medicines"] == [KYBELLA_ANSWERS["medicines"]]


@pytest.mark.parametrize(
    ("link_id", "parent", "label"),
    [("earlier_treatment_other", "earlier_treatment", "Which earlier treatment?"),
     ("bothers_other", "bothers", "Something else: please specify")],
)  # fmt: skip
def test_other_please_specify_is_its_own_item(link_id: str, parent: str, label: str) -> None:
    """The text question an `other` choice opens is a required `text` item right after its
    question, enabled when that question's answer is (or holds) `other`."""
    q = fhir.questionnaire(KYBELLA)
    ids = [item["linkId"] for item in q["item"]]
    assert ids.index(link_id) == ids.index(parent) + 1
    item = kybella_item(link_id)
    assert (item["type"], item["text"], item["required"]) == ("text", label, True)
    system = fhir.choice_system(KYBELLA, KYBELLA.question(parent))
    assert item["enableWhen"] == [
        {"question": parent, "operator": "=", "answerCoding": {"system": system, "code": "other"}}
    ]
    linked = answers_by_link(resource_of(KYBELLA, KYBELLA_ANSWERS))
    assert linked[link_id] == [KYBELLA_ANSWERS[link_id]]
    assert "other" in linked[parent]


def kybella_response(link_id: str, answer: list[object]) -> dict[str, Any]:
    response = resource_of(KYBELLA, KYBELLA_ANSWERS)
    for item in response["item"]:
        if item["linkId"] == link_id:
            item["answer"] = answer
    return response


@pytest.mark.parametrize(
    ("link_id", "answer", "message"),
    [
        ("bmi", [{"valueDecimal": "40.5"}], 'bmi: valueDecimal holds "40.5", not a number'),
        ("bmi", [{"valueDecimal": True}], "bmi: valueDecimal holds true, not a number"),
        ("bmi", [{"valueDecimal": None}], "bmi: valueDecimal holds null, not a number"),
        ("bmi", [{"valueInteger": 40}], "bmi: answered with valueInteger; this question takes "
         "valueDecimal"),
        ("bmi", [{"valueDecimal": 40.5}, {"valueDecimal": 41}],
         "bmi: 2 answers to a question that takes one"),
        ("medicines", [{"valueString": 42}], "medicines: valueString holds 42, not text"),
        ("medicines", [{"valueString": ["a"]}], 'medicines: valueString holds ["a"], not text'),
        ("medicines", [{"valueCoding": {"code": "x"}}],
         "medicines: answered with valueCoding; this question takes valueString"),
        ("earlier_treatment_other", [{"valueString": "a"}, {"valueString": "b"}],
         "earlier_treatment_other: 2 answers to a question that takes one"),
    ],
)  # fmt: skip
def test_a_malformed_decimal_or_text_is_refused(
    link_id: str, answer: list[object], message: str
) -> None:
    """A decimal or text answer of the wrong JSON kind is refused in words."""
    assert refused(KYBELLA, kybella_response(link_id, answer)) == f"qr.json: {message}"


@pytest.mark.parametrize(
    ("link_id", "answer", "message"),
    [
        ("bmi", [{"valueDecimal": 40.55}],
         "bmi: 40.55 is not a step of 0.1: the nearest are 40.5 and 40.6"),
        ("bmi", [{"valueDecimal": 81}], "bmi: 81 is outside 10 to 80"),
        ("bmi", [{"valueDecimal": "LONG"}],
         "bmi: '40.000000000000000001' has more than 15 digits"),
        ("medicines", [{"valueString": "a\u0007b"}],
         "medicines: the text holds the control character U+0007: remove it"),
        ("earlier_treatment_other", [{"valueString": "x" * 501}],
         "earlier_treatment_other: the text is 501 characters long; the limit is 500"),
    ],
)  # fmt: skip
def test_decimal_and_text_values_are_checked_by_the_one_answer_path(
    tmp_path: Path, link_id: str, answer: list[object], message: str
) -> None:
    """A decimal off its step or range, or a text with a control character, is refused as in
    an answers file: one line, exit 1, no traceback; the number is read as written."""
    response = kybella_response(link_id, answer)
    text = json.dumps(response).replace('"LONG"', "40.000000000000000001")
    file = tmp_path / "qr.json"
    file.write_text(text, encoding="utf-8")
    code, out, err = invoke("assess", "--rules", str(KYBELLA_DIR), "--answers", str(file))
    assert (code, out) == (1, "")
    assert err == f"error: {file}: {message}\n"


def test_kybella_response_from_assess_gives_the_same_report(tmp_path: Path) -> None:
    """`assess --format fhir` on the kybella answers, fed back, gives the same JSON report."""
    rules, answers = str(KYBELLA_DIR), str(KYBELLA_DIR / "answers.yaml")
    code, response, err = invoke("assess", "--rules", rules, "--answers", answers, "-f", "fhir")
    assert (code, err) == (0, "")
    QuestionnaireResponse.model_validate(json.loads(response))
    file = tmp_path / "response.json"
    file.write_text(response, encoding="utf-8")
    _, first, _ = invoke("assess", "--rules", rules, "--answers", answers, "-f", "json")
    code, again, err = invoke("assess", "--rules", rules, "--answers", str(file), "-f", "json")
    assert (code, err) == (0, "")
    assert again == first


@SOME
@given(data=st.data())
def test_batch_reads_kybella_responses_back(data: st.DataObject) -> None:
    """Generated kybella answers as `batch --format fhir` NDJSON, read by `batch`, give the
    same records as the answers themselves (decimals, texts and "other" included)."""
    import tempfile

    rows = data.draw(st.lists(answer_sets(KYBELLA), min_size=1, max_size=3))
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        source = here / "in.jsonl"
        source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        rules = ["--rules", str(KYBELLA_DIR)]
        invoke("batch", str(source), *rules, "--format", "fhir", "-o", str(here / "qr.ndjson"))
        invoke("batch", str(source), *rules, "-o", str(here / "first.jsonl"))
        invoke("batch", str(here / "qr.ndjson"), *rules, "-o", str(here / "again.jsonl"))
        assert lines_of(here / "again.jsonl") == lines_of(here / "first.jsonl")


def test_rules_export_writes_the_kybella_questionnaire() -> None:
    """`rules export` writes a pack with decimals, texts and "other" (it once crashed)."""
    code, out, err = invoke("rules", "export", str(KYBELLA_DIR), "--format", "fhir")
    assert (code, err) == (0, "")
    Questionnaire.model_validate(json.loads(out))
    assert json.loads(out) == fhir.questionnaire(KYBELLA)


# -- the command line --------------------------------------------------------------------------
def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_rules_export_writes_the_questionnaire(tmp_path: Path) -> None:
    """`rules export --format fhir` prints the Questionnaire, or writes it to --output."""
    code, out, err = invoke("rules", "export", "--format", "fhir")
    assert (code, err) == (0, "")
    assert json.loads(out) == fhir.questionnaire(DEFAULT, load_translations(DEFAULT))
    target = tmp_path / "q.json"
    code, _, _ = invoke(
        "rules", "export", "--rules", str(ROOT / "tests/packs/fhir"), "-o", str(target)
    )
    assert code == 0
    assert json.loads(target.read_text())["url"] == "urn:mesoguide:pack:fhir_conditions"
    code, _, err = invoke("rules", "export", "rules", "--rules", "rules")
    assert (code, err) == (2, "error: give the pack as PATH or as --rules PATH, not both\n")


def test_a_response_from_assess_gives_the_same_report(tmp_path: Path) -> None:
    """`assess --format fhir` fed back to `assess --answers` gives the same JSON report."""
    answers = ROOT / "examples" / "answers" / "refer.json"
    code, response, _ = invoke("assess", "--answers", str(answers), "--format", "fhir")
    assert code == 0
    file = tmp_path / "response.json"
    file.write_text(response, encoding="utf-8")
    _, first, _ = invoke("assess", "--answers", str(answers), "--format", "json")
    code, again, err = invoke("assess", "--answers", str(file), "--format", "json")
    assert (code, err) == (0, "")
    assert again == first
    code, piped, _ = invoke("assess", "--answers", "-", "--format", "json", input=response)
    assert (code, piped) == (0, first)


def test_assess_reads_a_bundle_of_one_response(tmp_path: Path) -> None:
    """A Bundle holding one response is read; one holding two is refused (batch reads them)."""
    response = base_response()
    file = tmp_path / "bundle.json"
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": response}]}
    file.write_text(json.dumps(bundle), encoding="utf-8")
    code, out, _ = invoke("assess", "--answers", str(file), "--format", "json")
    assert code == 0
    assert json.loads(out)["candidacy"] == "candidate"
    bundle["entry"] = [{"resource": response}, {"resource": response}]
    file.write_text(json.dumps(bundle), encoding="utf-8")
    code, out, err = invoke("assess", "--answers", str(file))
    assert (code, out) == (2, "")
    assert err == (
        f"error: {file}: the Bundle holds 2 QuestionnaireResponses: `assess` reads one "
        "(use `batch` for several)\n"
    )


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ({"resourceType": "Patient"},
         "a FHIR Patient is not answers: give a QuestionnaireResponse (or a Bundle of them)"),
        ({"resourceType": "Bundle", "entry": []}, "the Bundle holds no QuestionnaireResponse"),
        ({"resourceType": "QuestionnaireResponse", "questionnaire": "urn:mesoguide:pack:other|1",
          "status": "completed"},
         "the QuestionnaireResponse answers urn:mesoguide:pack:other, not this pack's "
         "urn:mesoguide:pack:mesotherapy|2.0.0 (pass the pack it answers with --rules)"),
    ],
)  # fmt: skip
def test_assess_refuses_other_resources(
    tmp_path: Path, resource: dict[str, Any], message: str
) -> None:
    """A resource that is not this pack's response: one line on stderr, exit 2."""
    file = tmp_path / "r.json"
    file.write_text(json.dumps(resource), encoding="utf-8")
    code, out, err = invoke("assess", "--answers", str(file))
    assert (code, out, err) == (2, "", f"error: {file}: {message}\n")


def test_translations_ride_on_the_text() -> None:
    """A text with translations carries each as a FHIR translation extension on `_text`."""
    assert fhir.texts("text", "Age?") == {"text": "Age?"}
    assert fhir.texts("text", "Age?", {"es": "¿Edad?"}) == {
        "text": "Age?",
        "_text": {
            "extension": [
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/translation",
                    "extension": [
                        {"url": "lang", "valueCode": "es"},
                        {"url": "content", "valueString": "¿Edad?"},
                    ],
                }
            ]
        },
    }


TEXT_KEYS = ("title", "description", "text", "display")


def translations_of(element: dict[str, Any], key: str) -> dict[str, str]:
    """The translations on a primitive element's `_key`, by language."""
    found: dict[str, str] = {}
    for extension in element.get("_" + key, {}).get("extension", []):
        assert extension["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
        parts = {part["url"]: part for part in extension["extension"]}
        assert set(parts) == {"lang", "content"}
        found[parts["lang"]["valueCode"]] = parts["content"]["valueString"]
    return found


def text_pairs(first: object, second: object) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    """Each element holding a text in two Questionnaires of the same pack, side by side."""
    pairs: list[tuple[dict[str, Any], dict[str, Any], str]] = []
    if isinstance(first, dict) and isinstance(second, dict):
        for key, value in first.items():
            if key in TEXT_KEYS and isinstance(value, str):
                pairs.append((first, second, key))
            elif not key.startswith("_"):
                pairs.extend(text_pairs(value, second[key]))
    elif isinstance(first, list) and isinstance(second, list):
        assert len(first) == len(second)
        for a, b in zip(first, second, strict=True):
            pairs.extend(text_pairs(a, b))
    return pairs


def test_every_text_of_the_default_pack_carries_its_spanish() -> None:
    """Each text and display of the default pack's Questionnaire carries, as its `es`
    translation, the text the pack read in Spanish has there (matched by ids)."""
    english = fhir.questionnaire(DEFAULT, load_translations(DEFAULT))
    spanish_pack = load_pack(lang="es")
    spanish = fhir.questionnaire(spanish_pack)
    assert (english["language"], spanish["language"]) == ("en", "es")
    pairs = text_pairs(english, spanish)
    assert len(pairs) > 70
    for element, other, key in pairs:  # the hidden items' words are the tool's, from its catalog
        assert translations_of(element, key) == {"es": other[key]}, (element, key)
    assert "Abdomen" in {e[k] for e, _, k in pairs}  # the same word in both: still translated
    outcome = next(item for item in spanish["item"] if item["linkId"] == fhir.OUTCOME_ID)
    assert outcome["text"] == "Resultado (calculado por mesoguide)"


def test_a_single_language_pack_has_no_translations() -> None:
    """A pack written in one language is exported with no translation extension."""
    assert load_translations(KYBELLA) == {}
    text = fhir.render_questionnaire(KYBELLA, load_translations(KYBELLA))
    assert fhir.TRANSLATION not in text
    assert json.loads(text)["language"] == "en"


def test_an_untranslated_text_is_not_a_translation(tmp_path: Path) -> None:
    """A text with no Spanish (the loader falls back to English) carries no `es` translation."""
    source = (ROOT / "tests/packs/bilingual/pack.yaml").read_text(encoding="utf-8")
    changed = source.replace(
        "title: {en: Skin treatment questions, es: Preguntas sobre el tratamiento de la piel}",
        "title: Skin treatment questions",
    ).replace(
        "label: {en: See a clinician first, es: Consulte primero a un médico}",
        "label: {en: See a clinician first}",
    )
    assert changed.count("\n") == source.count("\n") and changed != source
    file = tmp_path / "pack.yaml"
    file.write_text(changed, encoding="utf-8")
    pack = load_pack(file)
    q = fhir.questionnaire(pack, load_translations(pack))
    assert "_title" not in q
    assert translations_of(q, "description") == {"es": "Unas preguntas antes de la consulta."}
    outcomes = {
        o["valueCoding"]["code"]: o["valueCoding"]
        for o in next(i for i in q["item"] if i["linkId"] == fhir.OUTCOME_ID)["answerOption"]
    }
    assert translations_of(outcomes["refer"], "display") == {}
    assert translations_of(outcomes["candidate"], "display") == {"es": "Usted podría ser candidato"}


def test_rules_export_in_another_language() -> None:
    """`rules export --lang es` writes Spanish texts with the English as translations."""
    code, out, err = invoke("rules", "export", "--lang", "es-MX")
    assert (code, err) == (0, "")
    spanish = json.loads(out)
    Questionnaire.model_validate(spanish)
    spanish_pack = load_pack(lang="es")
    assert spanish == fhir.questionnaire(spanish_pack, load_translations(spanish_pack))
    assert spanish["language"] == "es"
    assert spanish["title"] == spanish_pack.title
    assert translations_of(spanish, "title") == {"en": DEFAULT.title}
    age = next(item for item in spanish["item"] if item["linkId"] == "age")
    assert age["text"] == spanish_pack.question("age").label
    assert translations_of(age, "text") == {"en": DEFAULT.question("age").label}


def test_rules_export_refuses_a_language_the_pack_lacks() -> None:
    """`rules export --lang fr` exits 2 and says which languages the pack has."""
    code, out, err = invoke("rules", "export", "--lang", "fr")
    assert (code, out) == (2, "")
    assert err.endswith("the rule pack has no language 'fr': it is written in en, es\n")
    code, out, err = invoke("rules", "export", "--lang", "not a tag")
    assert (code, out) == (2, "")
    assert err == "error: --lang takes a language tag such as es or es-MX, not 'not a tag'\n"


@pytest.mark.parametrize(("args", "language"), [([], "en"), (["--lang", "es"], "es")])
def test_a_response_says_its_language(args: list[str], language: str) -> None:
    """A QuestionnaireResponse's `language` is the one its texts were written in."""
    answers = ROOT / "examples" / "answers" / "refer.json"
    code, out, _ = invoke("assess", "--answers", str(answers), "--format", "fhir", *args)
    assert code == 0
    written = json.loads(out)
    QuestionnaireResponse.model_validate(written)
    assert written["language"] == language
    pack = load_pack(lang=language)
    age = next(item for item in written["item"] if item["linkId"] == "age")
    assert age["text"] == pack.question("age").label


# -- start-up ----------------------------------------------------------------------------------
def test_fhir_is_loaded_only_when_used(tmp_path: Path) -> None:
    """`--help` and `assess --answers FILE` do not load mesoguide.fhir; a response does."""
    from tests.test_startup import imported

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(BASE_ANSWERS), encoding="utf-8")
    assert "mesoguide.fhir" not in imported("--help")
    assert "mesoguide.fhir" not in imported("assess", "--answers", str(answers), "-f", "json")
    response = tmp_path / "response.json"
    response.write_text(json.dumps(base_response()), encoding="utf-8")
    assert "mesoguide.fhir" in imported("assess", "--answers", str(response), "-f", "json")


# -- batch ---------------------------------------------------------------------------------------
INTAKE = ROOT / "examples" / "batch" / "intake.jsonl"


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_writes_a_response_or_an_outcome_per_row(tmp_path: Path) -> None:
    """`batch --format fhir`: NDJSON, a response per assessed row, an OperationOutcome per
    rejected one, so that line N is row N; ids become identifiers."""
    from fhir.resources.R4B.operationoutcome import OperationOutcome

    out = tmp_path / "out.ndjson"
    code, _, _ = invoke("batch", str(INTAKE), "--format", "fhir", "-o", str(out))
    records = tmp_path / "records.jsonl"
    invoke("batch", str(INTAKE), "-o", str(records))
    assert code == 1  # intake.jsonl has rejected rows
    for line, record in zip(lines_of(out), lines_of(records), strict=True):
        if "error" in record:
            OperationOutcome.model_validate(line)
            assert line["issue"][0]["diagnostics"].endswith(record["error"])
        else:
            QuestionnaireResponse.model_validate(line)
            assert answers_by_link(line)[fhir.OUTCOME_ID] == [record["candidacy"]]
            assert line.get("identifier") == (
                {"value": str(record["id"])} if "id" in record else None
            )


def test_batch_reads_its_own_responses_back(tmp_path: Path) -> None:
    """The responses `batch --format fhir` writes, read by `batch`, give the same records."""
    out = tmp_path / "out.ndjson"
    invoke("batch", str(INTAKE), "--format", "fhir", "-o", str(out))
    again = tmp_path / "again.ndjson"
    invoke("batch", str(out), "--format", "fhir", "-o", str(again))
    first, second = lines_of(out), lines_of(again)
    assert [r for r in first if r["resourceType"] == "QuestionnaireResponse"] == [
        r for r in second if r["resourceType"] == "QuestionnaireResponse"
    ]


def test_batch_reads_a_bundle(tmp_path: Path) -> None:
    """A Bundle (.json) is read entry by entry; a response to another pack is a rejected row."""
    good = base_response()
    other = {**base_response(), "questionnaire": "urn:mesoguide:pack:other|1", "id": "x-2"}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": good}, {"resource": other}]}  # fmt: skip
    file = tmp_path / "in.json"
    file.write_text(json.dumps(bundle), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = invoke("batch", str(file), "-o", str(out))
    assert code == 1
    first, second = lines_of(out)
    assert first["candidacy"] == "candidate"
    assert second == {
        "row": 2,
        "id": "x-2",
        "error": "the QuestionnaireResponse answers urn:mesoguide:pack:other, not this pack's "
        "urn:mesoguide:pack:mesotherapy|2.0.0 (pass the pack it answers with --rules)",
    }
    assert "1 rejected" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "fhir", "--detail", "full"],
         "--detail full needs --format jsonl: a QuestionnaireResponse already holds the answers "
         "and the result"),
        (["--template", "bundle"],
         "--template writes csv or jsonl (`rules export` writes the Questionnaire)"),
    ],
)  # fmt: skip
def test_batch_refuses_what_fhir_cannot_do(args: list[str], message: str) -> None:
    """Options that do not fit FHIR output or input: one line, exit 2."""
    given = [] if "--template" in args else [str(INTAKE)]
    code, _, err = invoke("batch", *given, *args)
    assert (code, err) == (2, f"error: {message}\n")


def test_batch_refuses_a_bundle_without_responses(tmp_path: Path) -> None:
    """A .json input must be a Bundle holding QuestionnaireResponses."""
    file = tmp_path / "in.json"
    file.write_text(json.dumps({"resourceType": "Bundle", "entry": []}), encoding="utf-8")
    code, _, err = invoke("batch", str(file))
    assert (code, err) == (2, f"error: {file}: the Bundle holds no QuestionnaireResponse\n")
    file.write_text(json.dumps({"age": 3}), encoding="utf-8")
    code, _, err = invoke("batch", str(file))
    assert (code, err) == (
        2,
        f"error: {file}: a .json input is a FHIR Bundle of QuestionnaireResponses\n",
    )


# -- docs/fhir.md's table of the default pack, generated -----------------------------------------
TABLE_START = "<!-- mapping table: generated by `python -m tests.test_fhir` -->\n"
TABLE_END = "<!-- end of mapping table -->\n"
DOC = ROOT / "docs" / "fhir.md"


def _shown_entry(entry: dict[str, Any]) -> str:
    (key,) = [k for k in entry if k.startswith("answer")]
    value = entry[key]["code"] if key == "answerCoding" else entry[key]
    if entry["operator"] == "exists":
        return f"`{entry['question']}` {'exists' if value else 'does not exist'}"
    shown = json.dumps(value) if not isinstance(value, str) else value
    return f"`{entry['question']}` {entry['operator']} `{shown}`"


def _shown_value(extension: dict[str, Any]) -> str:
    """An extension's value as the table shows it: a number, a unit's display; else nothing."""
    for key in ("valueInteger", "valueDecimal"):
        if key in extension:
            return f" {extension[key]}"
    coding = extension.get("valueCoding")
    return f" {coding['display']}" if isinstance(coding, dict) and "display" in coding else ""


def mapping_table(pack: RulePack) -> str:
    """Each question of the pack and the item it becomes, as a Markdown table."""
    from mesoguide.conditions import describe

    items = {item["linkId"]: item for item in fhir.questionnaire(pack)["item"]}
    lines = [
        "| question (linkId) | mesoguide | item | `when` | enableWhen |",
        "|---|---|---|---|---|",
    ]
    for question in pack.questions:
        item = items[question.id]
        kind = item["type"] + (", repeats" if item.get("repeats") else "")
        kind += ", required" if item["required"] else ""
        extras = [
            e["url"].rsplit("/", 1)[1].replace("questionnaire-", "") + _shown_value(e)
            for e in item.get("extension", [])
            if e["url"] != fhir.ENABLE_WHEN_EXPRESSION
        ]
        if "maxLength" in item:
            extras.append(f"maxLength {item['maxLength']}")
        extras += [
            f"optionExclusive `{o['valueCoding']['code']}`"
            for o in item.get("answerOption", [])
            if "extension" in o
        ]
        if question.help:
            extras.append("help item")
        if question.choices:
            kind += f"; {len(question.choices)} answerOptions"
        if extras:
            kind += "; " + ", ".join(extras)
        if "enableWhen" in item:
            joiner = " or " if item.get("enableBehavior") == "any" else " and "
            enable = joiner.join(_shown_entry(e) for e in item["enableWhen"])
        elif question.when is not None:
            enable = "enableWhenExpression (FHIRPath)"
        else:
            enable = ""
        mesoguide = question.type + ("" if question.required else ", optional")
        if question.default is not None:
            mesoguide += f", default {json.dumps(question.default)}"
        when = "" if question.when is None else f"`{describe(question.when)}`"
        lines.append(f"| `{question.id}` | {mesoguide} | {kind} | {when} | {enable} |")
    return "\n".join(lines) + "\n"


TABLES = {  # the start marker of each generated table in docs/fhir.md, and its pack
    TABLE_START: "mesotherapy",
    "<!-- kybella mapping table: generated by `python -m tests.test_fhir` -->\n": "kybella",
}


def _documented_table(start: str = TABLE_START) -> tuple[str, str, str]:
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(start)
    table, _, tail = rest.partition(TABLE_END)
    return head, table, tail


@pytest.mark.parametrize("start", sorted(TABLES))
def test_the_documented_mapping_is_the_packs(start: str) -> None:
    """docs/fhir.md's question-by-question tables are what the packs export."""
    assert start in DOC.read_text(encoding="utf-8")
    assert _documented_table(start)[1] == mapping_table(ALL_PACKS[TABLES[start]])


if __name__ == "__main__":  # rewrite docs/fhir.md's tables
    for _start, _name in TABLES.items():
        _head, _, _tail = _documented_table(_start)
        _table = mapping_table(ALL_PACKS[_name])
        DOC.write_text(_head + _start + _table + TABLE_END + _tail, "utf-8")
