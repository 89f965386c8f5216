"""The JSON Schema of the rule-pack format, for editors (yaml-language-server) and tools.

The loader stays the authority (it also checks references, types of condition values and
reachability); the schema gives completion and early red squiggles while a pack is typed.
"""

from __future__ import annotations

import json
from typing import Any

from mesoguide import loader
from mesoguide.conditions import OPERATORS
from mesoguide.i18n import TAG_PATTERN
from mesoguide.model import QUESTION_TYPES

SCHEMA_ID = "https://mesoguide.invalid/schema/rule-pack.schema.json"

_NAME = {"type": "string", "pattern": loader.ID_PATTERN.pattern}
_STRING = {"type": "string", "minLength": 1}
_TEXT = {
    "oneOf": [
        _STRING,
        {
            "type": "object",
            "description": "The text in each of the pack's languages, by language tag.",
            "propertyNames": {"pattern": TAG_PATTERN.pattern},
            "additionalProperties": _STRING,
            "minProperties": 1,
        },
    ]
}  # a text: one string, or a mapping of language tags to strings ({en: ..., es: ...})


def _texts(description: str, item: dict[str, Any] = _TEXT) -> dict[str, Any]:
    return {
        "description": description,
        "oneOf": [item, {"type": "array", "items": item}],
    }


def _statements(description: str) -> dict[str, Any]:
    line = {"oneOf": [_TEXT, {"$ref": "#/definitions/statement"}]}
    return {
        "description": f"{description} A line is text (it mirrors the rule's guidance) or "
        "{text, guidance} (it mirrors its own); give one line or a list.",
        "oneOf": [*line["oneOf"], {"type": "array", "items": line}],
    }


def _names(description: str) -> dict[str, Any]:
    return {"description": description, "oneOf": [_NAME, {"type": "array", "items": _NAME}]}


def _object(
    keys: tuple[str, ...], properties: dict[str, Any], required: list[str], description: str
) -> dict[str, Any]:
    assert set(properties) == set(keys), "schema and loader disagree on keys"
    return {
        "type": "object",
        "description": description,
        "properties": {key: properties[key] for key in keys},
        "required": required,
        "additionalProperties": False,
    }


def pack_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a rule pack file."""
    condition_ref = {"$ref": "#/definitions/condition"}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        "title": "mesoguide rule pack",
        "description": "A questionnaire, its outcomes and the rules that decide them.",
        **_object(
            loader.TOP_KEYS,
            {
                "pack": {"$ref": "#/definitions/pack"},
                "guidance": {
                    "type": "object",
                    "description": "The points of guidance the rules mirror, by id.",
                    "propertyNames": {"pattern": loader.GUIDANCE_ID_PATTERN.pattern},
                    "additionalProperties": {"$ref": "#/definitions/guidance_point"},
                },
                "outcomes": {
                    "type": "array",
                    "description": "In precedence order: when rules decide several, the first "
                    "listed wins.",
                    "minItems": 1,
                    "items": {"$ref": "#/definitions/outcome"},
                },
                "questions": {
                    "type": "array",
                    "description": "Asked in this order; a 'when' may use only earlier ones.",
                    "items": {"$ref": "#/definitions/question"},
                },
                "rules": {
                    "type": "array",
                    "description": "Rules, and (without 'when') standing statements.",
                    "items": {"$ref": "#/definitions/rule"},
                },
                "invariants": {
                    "type": "array",
                    "description": "Promises about every report, proved by 'rules check'.",
                    "items": {"$ref": "#/definitions/invariant"},
                },
            },
            ["pack", "outcomes", "questions", "rules"],
            "A mesoguide rule pack.",
        ),
        "definitions": {
            "pack": _object(
                loader.PACK_KEYS,
                {
                    "id": {**_NAME, "description": "The pack's name: lower case, digits, _."},
                    "version": {
                        **_STRING,
                        "description": 'The pack\'s version, as text such as "1.0.0".',
                    },
                    "title": {**_TEXT, "description": "Shown above the questionnaire."},
                    "treatment": {**_TEXT, "description": "The treatment the pack is about."},
                    "description": {**_TEXT, "description": "Shown before the first question."},
                    "disclaimer": {**_TEXT, "description": "Ends every report."},
                    "languages": {
                        "type": "array",
                        "description": "The languages the pack's texts are written in (en, es, "
                        "es-MX); default: [en].",
                        "items": {"type": "string", "pattern": TAG_PATTERN.pattern},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                    "default_language": {
                        "type": "string",
                        "description": "The language every text must have (default: the first "
                        "of 'languages').",
                        "pattern": TAG_PATTERN.pattern,
                    },
                },
                ["id", "version", "title", "treatment", "disclaimer"],
                "What the pack is.",
            ),
            "guidance_point": {
                "description": "The point in the pack's own words, or text and source.",
                "oneOf": [
                    _TEXT,
                    _object(
                        loader.GUIDANCE_KEYS,
                        {
                            "text": {**_TEXT, "description": "The point in the pack's words."},
                            "source": {**_TEXT, "description": "Where the point comes from."},
                        },
                        ["text"],
                        "A guidance point with its source.",
                    ),
                ],
            },
            "outcome": _object(
                loader.OUTCOME_KEYS,
                {
                    "id": {**_NAME, "description": "What rules name in 'outcome'."},
                    "label": {**_TEXT, "description": "The report's headline."},
                    "summary": {**_TEXT, "description": "The report's first paragraph."},
                },
                ["id", "label", "summary"],
                "One possible result of an assessment.",
            ),
            "question": _object(
                loader.QUESTION_KEYS,
                {
                    "id": {**_NAME, "description": "The key of the answer in answers files."},
                    "type": {"enum": list(QUESTION_TYPES), "description": "The kind of answer."},
                    "label": {**_TEXT, "description": "The question as asked."},
                    "help": {**_TEXT, "description": "A hint shown with the question."},
                    "choices": {
                        "type": "array",
                        "description": "For choice and multiple questions.",
                        "minItems": 1,
                        "items": {"$ref": "#/definitions/choice"},
                    },
                    "min": {
                        "type": "number",
                        "description": "integer, decimal: smallest value; multiple: fewest "
                        "choices (a whole number but for decimal).",
                    },
                    "max": {
                        "type": "number",
                        "description": "integer, decimal: largest value; multiple: most "
                        "choices (a whole number but for decimal).",
                    },
                    "step": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": "decimal: every answer is min (or 0) plus whole steps.",
                    },
                    "unit": {
                        **_TEXT,
                        "description": "decimal: shown after the number, such as kg/m².",
                    },
                    "max_length": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": loader.MAX_TEXT_LENGTH,
                        "description": "text: the most characters an answer may have "
                        "(default 500).",
                    },
                    "required": {
                        "type": "boolean",
                        "description": "Whether an answer is needed (default true).",
                    },
                    "screen": {
                        "type": "boolean",
                        "description": "boolean: a safety screen. A 'yes' given for it where "
                        "its `when` does not hold refuses the answers instead of being dropped "
                        "(default false).",
                    },
                    "default": {"description": "The answer when none is given."},
                    "when": {**condition_ref, "description": "Ask only when this holds."},
                },
                ["id", "type", "label"],
                "One question of the questionnaire.",
            ),
            "choice": _object(
                loader.CHOICE_KEYS,
                {
                    "value": {**_NAME, "description": "What answers and conditions use."},
                    "label": {**_TEXT, "description": "What the person sees."},
                    "exclusive": {
                        "type": "boolean",
                        "description": 'multiple: this choice cannot be combined ("none").',
                    },
                    "other": {
                        "description": '"Other, please specify": choosing it opens the text '
                        "question <question id>_other (true, or that question's label).",
                        "oneOf": [{"type": "boolean"}, _TEXT],
                    },
                    "help": {**_TEXT, "description": "A hint for this choice."},
                },
                ["value", "label"],
                "One choice of a question.",
            ),
            "rule": _object(
                loader.RULE_KEYS,
                {
                    "id": {**_NAME, "description": "Named in reports and scenarios."},
                    "when": {
                        **condition_ref,
                        "description": "Fires when this holds; "
                        "without it the rule is a standing statement.",
                    },
                    "outcome": {**_NAME, "description": "The outcome this rule decides."},
                    "if_outcome": {
                        "description": "Contribute only when the final outcome is one of these.",
                        "oneOf": [_NAME, {"type": "array", "items": _NAME, "minItems": 1}],
                    },
                    "sessions": _object(
                        loader.SESSIONS_KEYS,
                        {
                            "min": {"type": "integer", "minimum": 0},
                            "max": {"type": "integer", "minimum": 0},
                            "timeline": {**_TEXT, "description": "When results may show."},
                        },
                        ["min", "max"],
                        "How many sessions to expect; the first rule that gives it wins.",
                    ),
                    "explanation": {**_TEXT, "description": "A sentence under 'Why'."},
                    "referral": {**_TEXT, "description": "A reason to see a clinician."},
                    "advice": _statements("Advice lines."),
                    "clinic": _statements("Questions to ask the clinic."),
                    "guidance": _texts("The guidance points this rule mirrors.", _STRING),
                },
                ["id"],
                "A rule: a condition and what it contributes to the report.",
            ),
            "statement": _object(
                loader.STATEMENT_KEYS,
                {
                    "text": {**_TEXT, "description": "The line shown."},
                    "guidance": _texts("The guidance points this line mirrors.", _STRING),
                },
                ["text", "guidance"],
                "An advice or clinic line that mirrors guidance points of its own.",
            ),
            "invariant": {
                **_object(
                    loader.INVARIANT_KEYS,
                    {
                        "id": {**_NAME, "description": "Named when 'rules check' refutes it."},
                        "when": {
                            **condition_ref,
                            "description": "The answers it is about; without it, all of them.",
                        },
                        "outcome": {**_NAME, "description": "The outcome is this one."},
                        "outcome_in": _names("The outcome is one of these."),
                        "contributes": _names("Each of these rules contributes to the report."),
                        "not_contributes": _names("None of these rules contributes."),
                        "sessions": {
                            "enum": list(loader.SESSIONS_CLAIMS),
                            "description": "none: no rule gives sessions; given: one does.",
                        },
                        "exclusive": {
                            "description": "At most one of these rules contributes.",
                            "type": "array",
                            "items": _NAME,
                            "minItems": 2,
                        },
                    },
                    ["id"],
                    "A promise: whenever 'when' holds, every claim given holds.",
                ),
                "anyOf": [{"required": [claim]} for claim in loader.INVARIANT_CLAIMS],
                "not": {"required": ["outcome", "outcome_in"]},
            },
            "condition": {
                "description": "all/any/not over {question, op, value} comparisons.",
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"all": {"type": "array", "items": condition_ref}},
                        "required": ["all"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {"any": {"type": "array", "items": condition_ref}},
                        "required": ["any"],
                        "additionalProperties": False,
                    },
                    {
                        "type": "object",
                        "properties": {"not": condition_ref},
                        "required": ["not"],
                        "additionalProperties": False,
                    },
                    {"$ref": "#/definitions/compare"},
                ],
            },
            "compare": {
                "type": "object",
                "description": "One test of one answer; 'op' defaults to eq.",
                "properties": {
                    "question": {**_NAME, "description": "The id of an earlier question."},
                    "op": {"enum": list(OPERATORS)},
                    "value": {"description": "A number, true/false, a choice, or a list."},
                },
                "required": ["question"],
                "additionalProperties": False,
            },
        },
    }


def render_schema() -> str:
    """The schema as the text of ``docs/rule-pack.schema.json``."""
    return json.dumps(pack_schema(), indent=2, ensure_ascii=False) + "\n"
