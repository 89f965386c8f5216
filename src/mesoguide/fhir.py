"""FHIR R4: a pack as a Questionnaire, a report as a QuestionnaireResponse, and a response back.

Resources are plain dicts (JSON), so nothing is added to mesoguide's dependencies or start-up;
the CLI imports this module only when ``--format fhir`` is asked for or an answers file turns
out to be a FHIR resource. docs/fhir.md documents the mapping.

Answers read from a QuestionnaireResponse are only *raw* values by question id: the runner's
one walk (mesoguide.runner) applies ``when``, defaults, ``required`` and coercion to them,
exactly as for an answers file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mesoguide.answers import decimal_text, plain_decimal
from mesoguide.conditions import compile_condition
from mesoguide.errors import UsageError, did_you_mean
from mesoguide.i18n import N_, translate, translated_words
from mesoguide.model import (
    AllOf,
    Answer,
    Compare,
    Condition,
    Not,
    Question,
    Report,
    RulePack,
    State,
)

if TYPE_CHECKING:
    from mesoguide.batch import Row

# -- names ----------------------------------------------------------------------------------
URL_PREFIX = "urn:mesoguide:pack:"
"""A pack's Questionnaire is ``urn:mesoguide:pack:<pack id>``, its version the pack's."""
SHA256_SYSTEM = "urn:mesoguide:pack-sha256"
"""The system of the Questionnaire identifier that holds the pack file's sha256."""
RESULT_PREFIX = "mesoguide-"
"""linkIds of the items mesoguide adds (a question id never holds '-', so none collides)."""
DISCLAIMER_ID = "mesoguide-disclaimer"
OUTCOME_ID = "mesoguide-outcome"
SESSIONS_MIN_ID = "mesoguide-sessions-min"
SESSIONS_MAX_ID = "mesoguide-sessions-max"
REASON_ID = "mesoguide-referral-reason"
RULES_ID = "mesoguide-rules-fired"

EXT = "http://hl7.org/fhir/StructureDefinition/"
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)
MIN_VALUE = EXT + "minValue"
MAX_VALUE = EXT + "maxValue"
MIN_OCCURS = EXT + "questionnaire-minOccurs"
MAX_OCCURS = EXT + "questionnaire-maxOccurs"
OPTION_EXCLUSIVE = EXT + "questionnaire-optionExclusive"
ITEM_CONTROL = EXT + "questionnaire-itemControl"
HIDDEN = EXT + "questionnaire-hidden"
TRANSLATION = EXT + "translation"
MAX_DECIMAL_PLACES = EXT + "maxDecimalPlaces"
UNIT = EXT + "questionnaire-unit"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"

# Per question type: the item's type, and the key of an answer's value (answerOption,
# QuestionnaireResponse answers) and of an enableWhen answer; `_bounds` says which extension
# carries min/max. A text is always `text`, never `string`: mesoguide keeps the line breaks of
# any text answer, and a `string` item is one line in a form (docs/fhir.md).
ITEM_TYPES: Mapping[str, str] = {
    "integer": "integer",
    "boolean": "boolean",
    "choice": "choice",
    "multiple": "choice",
    "decimal": "decimal",
    "text": "text",
}
VALUE_KEYS: Mapping[str, str] = {
    "integer": "valueInteger",
    "boolean": "valueBoolean",
    "choice": "valueCoding",
    "multiple": "valueCoding",
    "decimal": "valueDecimal",
    "text": "valueString",
}
CODED = frozenset({"choice", "multiple"})


def questionnaire_url(pack: RulePack) -> str:
    return URL_PREFIX + pack.id


def canonical(pack: RulePack) -> str:
    """``url|version``: what a QuestionnaireResponse names in ``questionnaire``."""
    return f"{questionnaire_url(pack)}|{pack.version}"


def choice_system(pack: RulePack, question: Question) -> str:
    """The code system of a question's choices: under the pack's url."""
    return f"{questionnaire_url(pack)}:question:{question.id}"


def outcome_system(pack: RulePack) -> str:
    return f"{questionnaire_url(pack)}:outcome"


def json_number(value: Decimal) -> float:
    """A decimal as a JSON number: a float, whose shortest form (what json.dumps writes) is
    the decimal's digits, since a decimal has at most 15 of them (39.95 is written 39.95)."""
    return float(value)


def _resource_id(pack_id: str) -> str:
    return pack_id.replace("_", "-")[:64]  # a FHIR id: letters, digits, '-' and '.'


# -- texts: the pack's language, with the others as translation extensions -----------------
Translations = Mapping[str, RulePack]
"""The same pack read in each of its other languages, by tag (`loader.load_translations`)."""


def texts(key: str, text: str, translations: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``{key: text}``, with each ``{lang: text}`` of ``translations`` as a FHIR translation
    extension on ``_key`` (the primitive element's extensions)."""
    shaped: dict[str, Any] = {key: text}
    if translations:
        shaped["_" + key] = {
            "extension": [
                {
                    "url": TRANSLATION,
                    "extension": [
                        {"url": "lang", "valueCode": lang},
                        {"url": "content", "valueString": value},
                    ],
                }
                for lang, value in translations.items()
            ]
        }
    return shaped


def translated(
    key: str,
    pack: RulePack,
    others: Translations,
    text_of: Callable[[RulePack], str],
    path: str,
) -> dict[str, Any]:
    """``texts`` for one text of a pack: ``text_of`` finds it (by ids) in the pack and in each
    other language's reading of it. A text untranslated in a language (its YAML ``path`` is
    among the pack's untranslated texts) is no translation: the loader gave it the default
    language's words."""
    missing = {u.language for u in pack.untranslated if u.path == path}
    found = {lang: text_of(other) for lang, other in others.items() if lang not in missing}
    return texts(key, text_of(pack), found)


def question_path(pack: RulePack, question: Question) -> str:
    """The YAML path of a question (``questions[3]``), as untranslated texts name it; for the
    text question of an "other" choice, that of the choice (``questions[3].choices[4]``)."""
    if question.other_of is not None:
        parent = pack.question(question.other_of)
        index = next(i for i, c in enumerate(parent.choices) if c.other is not None)
        return f"{question_path(pack, parent)}.choices[{index}]"
    written = [q.id for q in pack.questions if q.other_of is None]
    return f"questions[{written.index(question.id)}]"


# -- the Questionnaire ----------------------------------------------------------------------
def questionnaire(pack: RulePack, others: Translations | None = None) -> dict[str, Any]:
    """The pack as an R4 Questionnaire in its language (docs/fhir.md), with the texts of
    ``others`` (the pack read in its other languages) as translations."""
    others = {} if others is None else others
    items: list[dict[str, Any]] = []
    if pack.disclaimer:
        disclaimer = translated("text", pack, others, lambda p: p.disclaimer, "pack.disclaimer")
        items.append({"linkId": DISCLAIMER_ID, **disclaimer, "type": "display"})
    items.extend(question_item(pack, question, others) for question in pack.questions)
    items.extend(result_items(pack, others))
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _resource_id(pack.id),
        "language": pack.language,
        "url": questionnaire_url(pack),
        "identifier": [{"system": SHA256_SYSTEM, "value": pack.sha256}],
        "version": pack.version,
        **translated("title", pack, others, lambda p: p.title, "pack.title"),
        "status": "active",
    }
    if pack.description:
        description = translated(
            "description", pack, others, lambda p: p.description, "pack.description"
        )
        resource.update(description)
    resource["item"] = items
    return resource


def question_item(
    pack: RulePack, question: Question, others: Translations | None = None
) -> dict[str, Any]:
    """One question as a Questionnaire item: linkId = the question's id."""
    others = {} if others is None else others
    qid, path = question.id, question_path(pack, question)

    def text(key: str, text_of: Callable[[Question], str], where: str) -> dict[str, Any]:
        return translated(key, pack, others, lambda p: text_of(p.question(qid)), where)

    label_path = path + (".other" if question.other_of is not None else ".label")
    item: dict[str, Any] = {"linkId": qid, **text("text", lambda q: q.label, label_path)}
    item["type"] = ITEM_TYPES[question.type]
    # a question with a default may be left blank: the default then counts (not an answer)
    item["required"] = question.required and question.default is None
    if question.type == "multiple":
        item["repeats"] = True
    if question.type == "text":
        item["maxLength"] = question.max_length
    extensions = _bounds(question)
    if question.type == "decimal":
        places = decimal_places(question)
        if places is not None:
            extensions.append({"url": MAX_DECIMAL_PLACES, "valueInteger": places})
        if question.unit is not None:  # the pack's words, not a UCUM code: display only
            unit = text("display", lambda q: q.unit or "", f"{path}.unit")
            extensions.append({"url": UNIT, "valueCoding": unit})
    if question.when is not None:
        simple = enable_when(pack, question.when)
        if simple is None:
            extensions.append(
                {
                    "url": ENABLE_WHEN_EXPRESSION,
                    "valueExpression": {
                        "language": "text/fhirpath",
                        "expression": enable_expression(pack, question.when),
                    },
                }
            )
        elif simple[0]:
            item["enableWhen"] = simple[0]
            if len(simple[0]) > 1:
                item["enableBehavior"] = simple[1]
    if extensions:
        item = {"extension": extensions, **item}
    if question.type in CODED:
        system = choice_system(pack, question)
        options = []
        for index, choice in enumerate(question.choices):
            option: dict[str, Any] = {
                "valueCoding": {
                    "system": system,
                    "code": choice.value,
                    **text(
                        "display",
                        _choice_label(choice.value),
                        f"{path}.choices[{index}].label",
                    ),
                }
            }
            if choice.exclusive:
                option = {"extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}], **option}
            options.append(option)
        item["answerOption"] = options
    if question.help:
        item["item"] = [
            {
                "extension": [
                    {
                        "url": ITEM_CONTROL,
                        "valueCodeableConcept": {
                            "coding": [{"system": ITEM_CONTROL_SYSTEM, "code": "help"}]
                        },
                    }
                ],
                "linkId": f"{question.id}-help",
                **text("text", lambda q: q.help or "", f"{path}.help"),
                "type": "display",
            }
        ]
    return item


def _choice_label(value: str) -> Callable[[Question], str]:
    """What finds a choice's label in any reading of its question: the choice of that value."""

    def label(question: Question) -> str:
        return next(c.label for c in question.choices if c.value == value)

    return label


def _bounds(question: Question) -> list[dict[str, Any]]:
    """min/max as minValue/maxValue (numbers) or minOccurs/maxOccurs (how many choices)."""
    found: list[dict[str, Any]] = []
    if question.type == "multiple":
        urls, key = (MIN_OCCURS, MAX_OCCURS), "valueInteger"
    elif question.type in ("integer", "decimal"):
        urls, key = (MIN_VALUE, MAX_VALUE), VALUE_KEYS[question.type]
    else:
        return found
    for url, bound in zip(urls, (question.min, question.max), strict=True):
        if bound is not None:
            number = json_number(bound) if isinstance(bound, Decimal) else bound
            found.append({"url": url, key: number})
    return found


def decimal_places(question: Question) -> int | None:
    """The most places after the point a decimal's answers can have: those of its step and of
    the minimum the steps start from; None without a step (any places, up to 15 digits).

    With a step of 0.1 (or 0.01...) from a minimum that is a multiple of it this is the whole
    step; a step such as 0.5 is only partly said (one place), and mesoguide checks the rest.
    """
    if question.step is None:
        return None
    numbers = [question.step] + ([Decimal(question.min)] if question.min is not None else [])
    return max(max(0, -int(plain_decimal(n).as_tuple().exponent)) for n in numbers)


def result_items(pack: RulePack, others: Translations | None = None) -> list[dict[str, Any]]:
    """Hidden, read-only items where a QuestionnaireResponse carries mesoguide's result."""
    others = {} if others is None else others
    hidden = [{"url": HIDDEN, "valueBoolean": True}]
    system = outcome_system(pack)

    def words(message: str) -> dict[str, Any]:  # the tool's own, from its catalogs
        found = {lang: t for lang in others if (t := translated_words(message, lang)) is not None}
        return texts("text", translate(message, pack.language), found)

    def label(index: int, outcome_id: str) -> dict[str, Any]:
        text_of: Callable[[RulePack], str] = lambda p: p.outcome(outcome_id).label  # noqa: E731
        return translated("display", pack, others, text_of, f"outcomes[{index}].label")

    return [
        {
            "extension": hidden,
            "linkId": OUTCOME_ID,
            **words(N_("Outcome (worked out by mesoguide)")),
            "type": "choice",
            "readOnly": True,
            "answerOption": [
                {"valueCoding": {"system": system, "code": o.id, **label(i, o.id)}}
                for i, o in enumerate(pack.outcomes)
            ],
        },
        {
            "extension": hidden,
            "linkId": SESSIONS_MIN_ID,
            **words(N_("Fewest sessions (worked out by mesoguide)")),
            "type": "integer",
            "readOnly": True,
        },
        {
            "extension": hidden,
            "linkId": SESSIONS_MAX_ID,
            **words(N_("Most sessions (worked out by mesoguide)")),
            "type": "integer",
            "readOnly": True,
        },
        {
            "extension": hidden,
            "linkId": REASON_ID,
            **words(N_("Reasons to see a clinician (worked out by mesoguide)")),
            "type": "string",
            "repeats": True,
            "readOnly": True,
        },
        {
            "extension": hidden,
            "linkId": RULES_ID,
            **words(N_("Rules that fired (worked out by mesoguide)")),
            "type": "string",
            "repeats": True,
            "readOnly": True,
        },
    ]


# -- conditions: enableWhen where FHIR means the same, FHIRPath elsewhere --------------------
Atoms = tuple[list[dict[str, Any]], str]
"""enableWhen entries and how they combine ("all" or "any"; one entry: either)."""

_FHIR_OPS = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_NEGATED = {"lt": ">=", "le": ">", "gt": "<=", "ge": "<"}


def enable_when(pack: RulePack, condition: Condition) -> Atoms | None:
    """``condition`` as enableWhen entries that mean exactly what it means, or None.

    FHIR's ``!=`` holds when there is no answer, and ``exists`` tests an answer in the
    response; mesoguide's ``ne``, ``not_in`` and negated comparisons are built from them so
    that an unanswered question is treated as mesoguide treats it. A question with a
    default is never tested here: its default is not an answer in the response, but
    mesoguide's conditions see it (the FHIRPath expression says so).
    """
    if isinstance(condition, Compare):
        return _compare_atoms(pack, condition)
    if isinstance(condition, Not):
        inner = condition.item
        if isinstance(inner, Compare):
            return _negated_atoms(pack, inner)
        return None
    wanted = "all" if isinstance(condition, AllOf) else "any"
    if not condition.items:
        return ([], "all") if wanted == "all" else None  # any: [] never holds: an expression
    entries: list[dict[str, Any]] = []
    for item in condition.items:
        part = enable_when(pack, item)
        if part is None or (len(part[0]) > 1 and part[1] != wanted):
            return None
        entries.extend(part[0])
    return entries, wanted


def _compare_atoms(pack: RulePack, compare: Compare) -> Atoms | None:
    question = pack.question(compare.question)
    if question.default is not None:
        return None
    op, value = compare.op, compare.value
    values = value if isinstance(value, tuple) else (value,)
    exists = _atom(pack, question, "exists", True)
    if op == "answered":
        return [exists], "all"
    if op in _FHIR_OPS or op == "contains":
        return [_atom(pack, question, _FHIR_OPS.get(op, "="), value)], "all"
    if op == "ne":  # FHIR's != alone would hold for no answer
        return [exists, _atom(pack, question, "!=", value)], "all"
    if op in ("in", "contains_any"):
        return [_atom(pack, question, "=", v) for v in values], "any"
    if op == "contains_all":
        return [_atom(pack, question, "=", v) for v in values], "all"
    if op == "not_in":
        return [exists, *(_atom(pack, question, "!=", v) for v in values)], "all"
    return None


def _negated_atoms(pack: RulePack, compare: Compare) -> Atoms | None:
    """``not`` a comparison: it holds for no answer, as FHIR's ``!=`` and ``exists false`` do."""
    question = pack.question(compare.question)
    if question.default is not None:
        return None
    op, value = compare.op, compare.value
    values = value if isinstance(value, tuple) else (value,)
    missing = _atom(pack, question, "exists", False)
    if op == "answered":
        return [missing], "all"
    if op in ("eq", "contains"):
        return [_atom(pack, question, "!=", value)], "all"
    if op in ("in", "contains_any"):
        return [_atom(pack, question, "!=", v) for v in values], "all"
    if op == "contains_all":
        return [_atom(pack, question, "!=", v) for v in values], "any"
    if op == "ne":
        return [missing, _atom(pack, question, "=", value)], "any"
    if op == "not_in":
        return [missing, *(_atom(pack, question, "=", v) for v in values)], "any"
    if op in _NEGATED:
        return [missing, _atom(pack, question, _NEGATED[op], value)], "any"
    return None


def _atom(pack: RulePack, question: Question, operator: str, value: object) -> dict[str, Any]:
    if operator == "exists":
        answer: dict[str, Any] = {"answerBoolean": value}
    elif question.type in CODED:
        answer = {"answerCoding": {"system": choice_system(pack, question), "code": value}}
    else:
        shown = json_number(value) if isinstance(value, Decimal) else value
        answer = {"answer" + VALUE_KEYS[question.type][len("value") :]: shown}
    return {"question": question.id, "operator": operator, **answer}


def enable_expression(pack: RulePack, condition: Condition) -> str:
    """``condition`` as a FHIRPath boolean over the response (SDC enableWhenExpression).

    Each comparison is false for no answer, as in mesoguide; a question left blank that has a
    default counts as its default when it is enabled itself.
    """
    if isinstance(condition, Compare):
        return _compare_expression(pack, condition)
    if isinstance(condition, Not):
        return f"({enable_expression(pack, condition.item)}).not()"
    if not condition.items:
        return "true" if isinstance(condition, AllOf) else "false"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    return "(" + joiner.join(enable_expression(pack, item) for item in condition.items) + ")"


def _compare_expression(pack: RulePack, compare: Compare) -> str:
    question = pack.question(compare.question)
    answer = f"%resource.repeat(item).where(linkId='{question.id}').answer.value"
    if question.type in CODED:
        answer += ".code"
    op, value = compare.op, compare.value
    values = value if isinstance(value, tuple) else (value,)
    listed = "(" + " | ".join(map(_literal, values)) + ")"
    if op == "answered":
        test = f"{answer}.exists()"
    elif op in _FHIR_OPS or op == "ne":
        symbol = "!=" if op == "ne" else _FHIR_OPS[op]
        test = f"({answer}.exists() and {answer} {symbol} {_literal(value)})"
    elif op == "in":
        test = f"({answer}.exists() and ({answer} in {listed}))"
    elif op == "not_in":
        test = f"({answer}.exists() and ({answer} in {listed}).not())"
    elif op == "contains":
        test = f"({_literal(value)} in {answer})"
    elif op == "contains_any":
        test = f"{answer}.intersect{listed}.exists()"
    else:  # contains_all
        test = f"{listed}.subsetOf({answer})"
    if question.default is None or not compile_condition(compare)({question.id: question.default}):
        return test
    # blank and enabled, the question takes its default, which passes this test
    enabled = "true" if question.when is None else enable_expression(pack, question.when)
    return f"({test} or ({answer}.empty() and {enabled}))"


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Decimal):  # a FHIRPath decimal (or integer) literal: the digits
        return decimal_text(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


# -- the QuestionnaireResponse out ----------------------------------------------------------
def response(report: Report, pack: RulePack, identifier: str | None = None) -> dict[str, Any]:
    """A report as a completed QuestionnaireResponse: answers, then mesoguide's result.

    Only answered questions are items: a question not asked, left blank, or left blank and
    given its default has none (the default is the pack's, not an answer).
    """
    items: list[dict[str, Any]] = []
    for r in report.answers.responses(pack):
        if r.state is State.answered and r.value is not None:
            items.append(
                {
                    "linkId": r.question.id,
                    **texts("text", r.question.label),
                    "answer": answer_values(pack, r.question, r.value),
                }
            )
    decision = report.decision
    outcome = decision.outcome
    items.append(
        {
            "linkId": OUTCOME_ID,
            "answer": [
                {
                    "valueCoding": {
                        "system": outcome_system(pack),
                        "code": outcome.id,
                        **texts("display", outcome.label),
                    }
                }
            ],
        }
    )
    if decision.sessions is not None:
        items.append(
            {"linkId": SESSIONS_MIN_ID, "answer": [{"valueInteger": decision.sessions.min}]}
        )
        items.append(
            {"linkId": SESSIONS_MAX_ID, "answer": [{"valueInteger": decision.sessions.max}]}
        )
    if decision.referral_reasons:
        items.append(
            {
                "linkId": REASON_ID,
                "answer": [{"valueString": f.text} for f in decision.referral_reasons],
            }
        )
    if decision.rules_fired:
        items.append(
            {"linkId": RULES_ID, "answer": [{"valueString": r} for r in decision.rules_fired]}
        )
    # the language its texts (the items' text, the displays) are in: the pack's
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "language": pack.language}
    if identifier is not None:
        resource["identifier"] = {"value": identifier}
    resource.update({"questionnaire": canonical(pack), "status": "completed", "item": items})
    return resource


def answer_values(pack: RulePack, question: Question, value: Answer) -> list[dict[str, Any]]:
    """An answer as the ``answer`` list of a response item."""
    key = VALUE_KEYS[question.type]
    if isinstance(value, Decimal):
        return [{key: json_number(value)}]
    if question.type not in CODED:
        return [{key: value}]
    labels = {c.value: c.label for c in question.choices}
    system = choice_system(pack, question)
    codes = value if isinstance(value, tuple) else (str(value),)
    return [
        {key: {"system": system, "code": code, **texts("display", labels.get(code, code))}}
        for code in codes
    ]


def render_response(report: Report, pack: RulePack) -> str:
    return json.dumps(response(report, pack), indent=2, ensure_ascii=False) + "\n"


def render_questionnaire(pack: RulePack, others: Translations | None = None) -> str:
    return json.dumps(questionnaire(pack, others), indent=2, ensure_ascii=False) + "\n"


# -- the QuestionnaireResponse in -----------------------------------------------------------
def responses_in(data: Mapping[str, object], where: str) -> list[Mapping[str, object]]:
    """The QuestionnaireResponses a resource is or holds (a Bundle's entries), or UsageError."""
    kind = data.get("resourceType")
    if kind == "QuestionnaireResponse":
        return [data]
    if kind == "Bundle":
        found: list[Mapping[str, object]] = []
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            raise UsageError(f"{where}: a Bundle's 'entry' is a list")
        for entry in entries:
            resource = entry.get("resource") if isinstance(entry, Mapping) else None
            if isinstance(resource, Mapping) and (
                resource.get("resourceType") == "QuestionnaireResponse"
            ):
                found.append(resource)
        if not found:
            raise UsageError(f"{where}: the Bundle holds no QuestionnaireResponse")
        return found
    raise UsageError(
        f"{where}: a FHIR {kind} is not answers: give a QuestionnaireResponse (or a Bundle of them)"
    )


def single_response(data: Mapping[str, object], where: str) -> Mapping[str, object]:
    """The one QuestionnaireResponse that `assess` reads from a resource, or UsageError."""
    found = responses_in(data, where)
    if len(found) > 1:
        raise UsageError(
            f"{where}: the Bundle holds {len(found)} QuestionnaireResponses: "
            "`assess` reads one (use `batch` for several)"
        )
    return found[0]


def raw_answers(pack: RulePack, data: Mapping[str, object], where: str) -> dict[str, object]:
    """The raw answers of a QuestionnaireResponse for this pack, by question id.

    Refused with one UsageError listing every problem: another questionnaire or version,
    linkIds the pack's Questionnaire does not have, an item given twice, an answer whose
    type is not its question's. The values are then the runner's to check and coerce.
    """
    _check_questionnaire(pack, data, where)
    if data.get("status") == "entered-in-error":
        raise ResponseProblem(["the QuestionnaireResponse is marked entered-in-error"], where)
    questions = {q.id: q for q in pack.questions}
    known = set(questions) | {f"{qid}-help" for qid in questions} | _own_ids(pack)
    raw: dict[str, object] = {}
    problems: list[str] = []
    for link_id, answers in _items(data.get("item", []), problems):
        if link_id not in known:
            problems.append(
                f"linkId {link_id!r} is no question of this pack{did_you_mean(link_id, questions)}"
            )
            continue
        question = questions.get(link_id)
        if question is None:
            continue  # mesoguide's own result, the disclaimer, a help text: worked out again
        if link_id in raw:
            problems.append(f"{link_id}: answered in two items")
            continue
        values = _values(pack, question, answers, problems)
        if values is None:
            continue
        raw[link_id] = values if question.type == "multiple" else (values[0] if values else None)
    if problems:
        raise ResponseProblem(problems, where)
    return raw


class ResponseProblem(UsageError):
    """A QuestionnaireResponse that does not answer this pack, with every reason found."""

    def __init__(self, problems: Sequence[str], where: str) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{where}: {problem}" for problem in problems))


def _own_ids(pack: RulePack) -> set[str]:
    return {DISCLAIMER_ID, *(item["linkId"] for item in result_items(pack))}


def _check_questionnaire(pack: RulePack, data: Mapping[str, object], where: str) -> None:
    named = data.get("questionnaire")
    ours = canonical(pack)
    if not isinstance(named, str) or not named:
        problem = f"the QuestionnaireResponse names no questionnaire: this pack's is {ours}"
        raise ResponseProblem([problem], where)
    url, _, version = named.partition("|")
    if url != questionnaire_url(pack):
        problem = (
            f"the QuestionnaireResponse answers {url}, not this pack's {ours} "
            "(pass the pack it answers with --rules)"
        )
        raise ResponseProblem([problem], where)
    if version and version != pack.version:
        problem = (
            f"the QuestionnaireResponse answers version {version} of {url}, but this pack is "
            f"version {pack.version} (pass that version's pack with --rules)"
        )
        raise ResponseProblem([problem], where)


def _items(items: object, problems: list[str]) -> Iterator[tuple[str, list[object]]]:
    """Every item with a linkId, depth first (items nested in items and in answers)."""
    if not isinstance(items, list):
        problems.append("'item' is a list of items")
        return
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            problems.append("an item without a linkId")
            continue
        answers = item.get("answer", [])
        if not isinstance(answers, list):
            problems.append(f"{item['linkId']}: 'answer' is a list")
            continue
        yield item["linkId"], answers
        if "item" in item:
            yield from _items(item["item"], problems)
        for answer in answers:
            if isinstance(answer, Mapping) and "item" in answer:
                yield from _items(answer["item"], problems)


def _values(
    pack: RulePack, question: Question, answers: Sequence[object], problems: list[str]
) -> list[object] | None:
    """The raw values of one question's answers, or None after saying what is wrong."""
    qid, key = question.id, VALUE_KEYS[question.type]
    if len(answers) > 1 and question.type != "multiple":
        problems.append(f"{qid}: {len(answers)} answers to a question that takes one")
        return None
    values: list[object] = []
    for answer in answers:
        given = [k for k in answer if k.startswith("value")] if isinstance(answer, Mapping) else []
        if len(given) != 1 or not isinstance(answer, Mapping):
            problems.append(f"{qid}: an answer holds exactly one value[x]")
            return None
        if given[0] != key:
            problems.append(f"{qid}: answered with {given[0]}; this question takes {key}")
            return None
        value = answer[key]
        if not _fits(key, value):
            shown = json.dumps(value, ensure_ascii=False)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            problems.append(f"{qid}: {key} holds {shown}, not {_JSON_KINDS[key]}")
            return None
        if question.type in CODED:
            code = _code(pack, question, value, problems)
            if code is None:
                return None
            value = code
        values.append(value)
    return values


_JSON_KINDS = {
    "valueInteger": "a whole number",
    "valueDecimal": "a number",
    "valueBoolean": "true or false",
    "valueString": "text",
    "valueCoding": "a Coding",
}


def _fits(key: str, value: object) -> bool:
    """Whether a value is of its value[x]'s JSON kind (FHIR's, not mesoguide's looser words)."""
    if key == "valueInteger":
        return isinstance(value, int) and not isinstance(value, bool)
    if key == "valueDecimal":  # a long number is read as a Decimal, exactly (parse_json)
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if key == "valueBoolean":
        return isinstance(value, bool)
    if key == "valueString":
        return isinstance(value, str)
    return isinstance(value, Mapping)


def _code(pack: RulePack, question: Question, coding: object, problems: list[str]) -> str | None:
    system = choice_system(pack, question)
    if not isinstance(coding, Mapping) or not isinstance(coding.get("code"), str):
        problems.append(f"{question.id}: a valueCoding needs a code")
        return None
    if coding.get("system", system) != system:
        problems.append(
            f"{question.id}: code {coding['code']!r} is from {coding.get('system')}, "
            f"not this question's choices ({system})"
        )
        return None
    return str(coding["code"])


# -- batch ------------------------------------------------------------------------------------
MAX_BUNDLE_BYTES = 64 * 1024 * 1024


def row_of(pack: RulePack, number: int, data: Mapping[str, object]) -> Row:
    """A batch row from one QuestionnaireResponse: its identifier (or id) is the row's id."""
    from mesoguide.batch import Row

    identifier = data.get("identifier")
    row_id = identifier.get("value") if isinstance(identifier, Mapping) else None
    if row_id is None:
        row_id = data.get("id")
    has_id = row_id is not None
    if data.get("resourceType") != "QuestionnaireResponse":
        problem = f"a FHIR {data.get('resourceType')} is not a QuestionnaireResponse"
        return Row(number, {}, has_id, row_id, problem=problem)
    try:
        return Row(number, raw_answers(pack, data, ""), has_id, row_id)
    except ResponseProblem as error:
        return Row(number, {}, has_id, row_id, problem="; ".join(error.problems))


def bundle_rows(pack: RulePack, text: str, source: str) -> Iterator[Row]:
    """A Bundle's QuestionnaireResponses as batch rows, numbered by their entry (from 1)."""
    from mesoguide.answers import JsonProblem, parse_json

    try:
        data = parse_json(text)
    except JsonProblem as problem:
        where = f"{source}:{problem.line}" if problem.line else source
        raise UsageError(f"{where}: {problem.message}") from None
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        raise UsageError(f"{source}: a .json input is a FHIR Bundle of QuestionnaireResponses")
    responses_in(data, source)  # refuses a Bundle with none
    for number, entry in enumerate(data.get("entry", []), 1):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if (
            isinstance(resource, Mapping)
            and resource.get("resourceType") == "QuestionnaireResponse"
        ):
            yield row_of(pack, number, resource)


def outcome_line(record: Mapping[str, object]) -> dict[str, Any]:
    """A rejected batch row as an OperationOutcome, so that line N still answers row N."""
    where = f"row {record['row']}" + (f" (id {record['id']})" if "id" in record else "")
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": "invalid", "diagnostics": f"{where}: {record['error']}"}
        ],
    }
