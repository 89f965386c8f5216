"""YAML rule pack -> RulePack: the single validation gate, with file:line for every problem."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import cast

from mesoguide import yamlsafe
from mesoguide.conditions import (
    ConditionSyntaxError,
    check_compare,
    comparisons,
    compile_condition,
    parse_condition,
    type_name,
    with_values,
)
from mesoguide.errors import PackError, Problem, UsageError, did_you_mean
from mesoguide.i18n import N_, TAG_PATTERN, negotiate, translate
from mesoguide.model import (
    QUESTION_TYPES,
    TEXT_MAX_LENGTH,
    AllOf,
    Answer,
    Choice,
    Compare,
    Condition,
    GuidancePoint,
    Invariant,
    Operator,
    Outcome,
    Question,
    QuestionType,
    Rule,
    RulePack,
    Sessions,
    SessionsClaim,
    Statement,
    Untranslated,
)
from mesoguide.packs import default_pack_path

PACK_FILE = "pack.yaml"
PARSED_DIR = Path(__file__).parent / "parsed"
"""The built-in packs parsed, one ``<sha256 of pack.yaml>.json`` each (``[data, lines]``, as
`yamlsafe.load` gives them), shipped so that start-up does not parse YAML: written by
scripts/parsed_packs.py, and proved equal to a fresh parse by tests/test_parsed_packs.py."""
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
GUIDANCE_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

# The pack format's keys, in one place (the JSON Schema and the docs follow these).
TOP_KEYS = ("pack", "guidance", "outcomes", "questions", "rules", "invariants")
PACK_KEYS = (
    "id", "version", "title", "treatment", "description", "disclaimer", "languages",
    "default_language",
)  # fmt: skip
GUIDANCE_KEYS = ("text", "source")
OUTCOME_KEYS = ("id", "label", "summary")
QUESTION_KEYS = (
    "id", "type", "label", "help", "choices", "min", "max", "step", "unit", "max_length",
    "required", "default", "when", "screen",
)  # fmt: skip
CHOICE_KEYS = ("value", "label", "exclusive", "other", "help")
OTHER_SUFFIX = "_other"
"""A choice with ``other: true`` opens the text question ``<question id>_other``."""
MAX_TEXT_LENGTH = 10_000
"""The largest ``max_length`` a text question may set (an answers file holds 1 MiB)."""
RULE_KEYS = (
    "id", "when", "outcome", "if_outcome", "sessions", "explanation", "referral", "advice",
    "clinic", "guidance",
)  # fmt: skip
SESSIONS_KEYS = ("min", "max", "timeline")
STATEMENT_KEYS = ("text", "guidance")  # an advice or clinic line with its own guidance
RULE_EFFECTS = ("outcome", "sessions", "explanation", "referral", "advice", "clinic")
INVARIANT_KEYS = (
    "id", "when", "outcome", "outcome_in", "contributes", "not_contributes", "sessions",
    "exclusive",
)  # fmt: skip
INVARIANT_CLAIMS = INVARIANT_KEYS[2:]
SESSIONS_CLAIMS: tuple[SessionsClaim, ...] = ("none", "given")


def resolve_pack_path(path: Path) -> Path:
    """The pack file for a path that names a pack file or a folder holding ``pack.yaml``."""
    if path.is_dir():
        return path / PACK_FILE
    return path


def load_pack(
    path: Path | str | None = None, lang: str | None = None, *, or_default: bool = False
) -> RulePack:
    """Read, validate and compile the pack at ``path`` (a file or a pack folder).

    With no path, the built-in mesotherapy pack. Its texts are read in ``lang`` (``es-MX``
    falls back to ``es``), or in its default language; a pack without ``lang`` is refused
    (UsageError, naming its languages), or with ``or_default`` read in its default language.
    """
    path = default_pack_path() if path is None else Path(path)
    try:
        file = resolve_pack_path(path)
    except OSError as error:  # a name too long, a folder we may not enter
        problem = Problem(str(path), None, "", f"rule pack cannot be read ({error.strerror})")
        raise PackError([problem]) from None
    try:
        raw = _read_bytes(file)
    except yamlsafe.YamlProblem as problem:
        raise PackError([Problem(str(file), problem.line, problem.path, problem.message)]) from None
    return load_pack_bytes(raw, file, lang, or_default=or_default)


def load_pack_bytes(
    raw: bytes, file: Path, lang: str | None = None, *, or_default: bool = False
) -> RulePack:
    """Validate and compile a pack from its bytes (a stored copy, say); ``file`` names it in
    problems and becomes the pack's ``path``. ``lang`` as for `load_pack`."""
    sha256 = hashlib.sha256(raw).hexdigest()
    located = stored_parse(sha256)
    if located is None:
        try:
            located = yamlsafe.load(yamlsafe.decode(raw, "rule pack"))
        except yamlsafe.YamlProblem as error:
            raise PackError([Problem(str(file), error.line, error.path, error.message)]) from None
    return build_pack(located, file, sha256, lang, or_default)


def stored_parse(sha256: str) -> yamlsafe.Located | None:
    """The shipped parse of the pack whose bytes have this sha256 (a built-in pack, or a copy
    of one), or None: parsing the bilingual default pack safely takes ~25 ms, reading this ~2."""
    try:
        data, lines = json.loads((PARSED_DIR / f"{sha256}.json").read_bytes())
    except (OSError, ValueError):  # none stored for these bytes (or unreadable): parse them
        return None
    return yamlsafe.Located(data, lines)


def load_translations(pack: RulePack) -> dict[str, RulePack]:
    """The pack read again in each of its other declared languages, by tag, from its file
    (refused if the file is no longer the bytes ``pack`` was read from)."""
    others = [language for language in pack.languages if language != pack.language]
    if not others:
        return {}
    try:
        raw = _read_bytes(pack.path)
    except yamlsafe.YamlProblem as problem:
        raise PackError([Problem(str(pack.path), problem.line, "", problem.message)]) from None
    if hashlib.sha256(raw).hexdigest() != pack.sha256:
        raise UsageError(f"{pack.path}: the rule pack changed while it was read: run it again")
    return {language: load_pack_bytes(raw, pack.path, language) for language in others}


def _read_bytes(file: Path) -> bytes:
    try:
        return _read_pack_file(file)
    except yamlsafe.YamlProblem:
        raise
    except OSError as error:  # probing the path itself failed (permission, name too long)
        raise yamlsafe.YamlProblem(f"rule pack cannot be read ({error.strerror})") from None


def _read_pack_file(file: Path) -> bytes:
    if not file.exists():
        in_folder = file.name == PACK_FILE and file.parent.is_dir()
        what = "rule pack folder has no pack.yaml" if in_folder else "no such rule pack"
        inside = sorted(p.parent.as_posix() for p in file.parent.glob(f"*/{PACK_FILE}"))
        if in_folder and inside:
            what += f"; the packs inside it are {', '.join(inside[:5])}"
        raise yamlsafe.YamlProblem(what)
    text_size = file.stat().st_size
    if text_size > yamlsafe.MAX_BYTES:
        raise yamlsafe.YamlProblem(
            f"rule pack is {text_size:,} bytes; the limit is {yamlsafe.MAX_BYTES:,}"
        )
    try:
        return file.read_bytes()
    except IsADirectoryError:
        raise yamlsafe.YamlProblem("rule pack is a folder, not a file") from None
    except OSError as error:
        raise yamlsafe.YamlProblem(f"rule pack cannot be read ({error.strerror})") from None


def build_pack(
    located: yamlsafe.Located,
    file: Path,
    sha256: str,
    lang: str | None = None,
    or_default: bool = False,
) -> RulePack:
    """Validate YAML data into a RulePack, collecting every problem before raising."""
    reader = _Reader(located, str(file))
    reader.wanted = lang
    pack = reader.build(file, sha256)
    if reader.problems or pack is None:
        raise PackError(reader.problems)
    if reader.unserved and not or_default:
        raise UsageError(
            f"{file}: the rule pack has no language '{lang}': it is written in "
            f"{', '.join(pack.languages)}"
        )
    return pack


class Checker:
    """Collects problems in located YAML data, each with its file, line and YAML path."""

    def __init__(self, located: yamlsafe.Located, file: str) -> None:
        self.located = located
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.located.line(path), path, message))

    def mapping(self, value: object, path: str, keys: tuple[str, ...]) -> dict[str, object]:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping, got {type_name(value)}")
            return {}
        for key in value:
            if key not in keys:
                self.problem(
                    f"{path}.{key}" if path else key,
                    f"unknown key '{key}'{did_you_mean(key, keys)}; allowed: {', '.join(keys)}",
                )
        return cast(dict[str, object], value)

    def integer(self, data: Mapping[str, object], key: str, path: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{path}.{key}", f"expected a whole number, got {type_name(value)}")
            return None
        return value


class _Reader(Checker):
    wanted: str | None = None  # the language asked for; None: the pack's default
    unserved = False  # a language was asked for that the pack does not have
    languages: tuple[str, ...] = ("en",)
    default_language = "en"
    language = "en"  # the language every text is read in

    def __init__(self, located: yamlsafe.Located, file: str) -> None:
        super().__init__(located, file)
        self.untranslated: list[Untranslated] = []

    def text(self, data: Mapping[str, object], key: str, path: str, required: bool = True) -> str:
        where = f"{path}.{key}" if path else key
        value = self.localized(data.get(key), where)
        if value is None:
            if required:
                self.problem(path, f"'{key}' is required")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(where, f"expected non-empty text, got {type_name(value)} {value!r}")
            return ""
        return value.strip()

    def localized(self, value: object, where: str) -> object:
        """A text in the pack's language: a mapping of language tags to texts gives the one
        read in (or the default language's), and a text missing in a declared language is noted
        as untranslated. Anything else is returned as it is, for the caller to judge."""
        if isinstance(value, str):
            if value.strip():
                self.note_missing(where, {self.default_language})
            return value
        if not isinstance(value, dict):
            return value
        texts: dict[str, str] = {}
        for tag, text in value.items():
            if tag not in self.languages:
                hint = did_you_mean(str(tag), self.languages)
                if not TAG_PATTERN.fullmatch(str(tag)):  # `{en: Arms, legs}`: the comma splits
                    hint += " (quote a text that holds a comma inside { })"
                self.problem(
                    f"{where}.{tag}",
                    f"language '{tag}' is not one of the pack's languages "
                    f"({', '.join(self.languages)}){hint}: declare it in pack.languages",
                )
            elif not isinstance(text, str) or not text.strip():
                self.problem(
                    f"{where}.{tag}", f"expected non-empty text, got {type_name(text)} {text!r}"
                )
            else:
                texts[tag] = text
        if self.default_language not in value:
            self.problem(
                where,
                f"no '{self.default_language}' text: every text needs one in the pack's "
                "default_language",
            )
        if self.default_language not in texts:
            return "?"  # its problem is reported; the pack will not be built
        self.note_missing(where, set(texts))
        return texts.get(self.language) or texts[self.default_language]

    def every_language(self, value: object) -> tuple[str, ...]:
        """A text in each language it is written in (for a mapping of language tags)."""
        if not isinstance(value, dict) or len(self.languages) < 2:
            return ()
        return tuple(t.strip() for t in value.values() if isinstance(t, str) and t.strip())

    def note_missing(self, where: str, present: set[str]) -> None:
        for language in self.languages:
            if language not in present:
                self.untranslated.append(Untranslated(language, where, self.located.line(where)))

    def pack_languages(self, meta: Mapping[str, object]) -> None:
        """The pack's declared languages and default, and the one its texts are read in."""
        raw, default = meta.get("languages"), meta.get("default_language")
        declared: list[str] = []
        if raw is not None:
            if not isinstance(raw, list) or not raw:
                self.problem("pack.languages", "expected a list of language tags, such as [en, es]")
                raw = []
            for i, tag in enumerate(raw):
                if not isinstance(tag, str) or not TAG_PATTERN.fullmatch(tag):
                    self.problem(
                        f"pack.languages[{i}]",
                        f"{tag!r} is not a language tag (such as en, es or es-MX)",
                    )
                elif tag in declared:
                    self.problem(f"pack.languages[{i}]", f"language '{tag}' is listed twice")
                else:
                    declared.append(tag)
        if default is not None and not isinstance(default, str):
            self.problem("pack.default_language", f"expected a language tag, got {default!r}")
            default = None
        if not declared:
            declared = [default or "en"]
        if default is None:
            default = declared[0]
        elif default not in declared:
            self.problem(
                "pack.default_language",
                f"'{default}' is not one of the pack's languages ({', '.join(declared)})"
                f"{did_you_mean(default, declared)}",
            )
            default = declared[0]
        self.languages, self.default_language = tuple(declared), default
        self.language = default
        if self.wanted is not None:
            found = negotiate(self.wanted, self.languages)
            self.unserved = found is None
            self.language = found or default

    def referral(self, data: Mapping[str, object], path: str) -> str | None:
        """A referral reason: text that batch's CSV `reasons` cell can hold whole."""
        text = self.text(data, "referral", path, required=False)
        if ";" in text:
            self.problem(
                f"{path}.referral",
                "a referral may not hold ';', which separates the reasons in batch's CSV "
                "`reasons` cell: use ',' or a full stop",
            )
        return text or None

    def identifier(
        self, data: Mapping[str, object], key: str, path: str, pattern: re.Pattern[str] = ID_PATTERN
    ) -> str:
        value = data.get(key)
        if value is None:
            self.problem(path, f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self.problem(
                f"{path}.{key}",
                f"expected a name, got {type_name(value)} {value!r} (quote it in YAML)",
            )
            return ""
        if not pattern.fullmatch(value):
            self.problem(
                f"{path}.{key}", f"{value!r} is not a valid name (letters, digits and _ only)"
            )
        return value

    def strings(self, data: Mapping[str, object], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", f"expected a list of text, got {type_name(value)}")
            return ()
        result = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{path}.{key}[{i}]", f"expected text, got {type_name(item)}")
            else:
                result.append(item.strip())
        return tuple(result)

    def items(self, data: Mapping[str, object], key: str) -> list[object]:
        value = data.get(key)
        if value is None:
            self.problem("", f"'{key}' is required")
            return []
        if not isinstance(value, list):
            self.problem(key, f"expected a list, got {type_name(value)}")
            return []
        return value

    # -- the pack ----------------------------------------------------------------------------
    def build(self, file: Path, sha256: str) -> RulePack | None:
        data = self.located.data
        if data is None or data == {}:
            self.problem("", "the rule pack is empty")
            return None
        if not isinstance(data, dict):  # one line, not one per missing section
            self.problem(
                "", f"a rule pack is a mapping ({', '.join(TOP_KEYS)}), not {type_name(data)}"
            )
            return None
        top = self.mapping(data, "", TOP_KEYS)
        meta = self.mapping(top.get("pack", {}), "pack", PACK_KEYS) if "pack" in top else {}
        if "pack" not in top and top:
            self.problem("", "'pack' is required (id, version, title, ...)")
        # every field of a `pack:` mapping is checked, even an empty one, so all problems show
        checked = isinstance(top.get("pack"), dict)
        pack_id = self.identifier(meta, "id", "pack") if checked else ""
        version = meta.get("version")
        if isinstance(version, float):  # 1.10 would silently become "1.1"
            self.problem("pack.version", f'version {version} must be quoted text, such as "1.0.0"')
            version = str(version)
        elif isinstance(version, int) and not isinstance(version, bool):
            version = str(version)
        if checked and (not isinstance(version, str) or not version):
            self.problem("pack.version", "'version' is required, as text such as \"1.0.0\"")
        self.pack_languages(meta)
        title = self.text(meta, "title", "pack") if checked else ""
        treatment = self.text(meta, "treatment", "pack") if checked else ""
        description = self.text(meta, "description", "pack", required=False) if checked else ""
        disclaimer = self.text(meta, "disclaimer", "pack") if checked else ""
        guidance = self.guidance(top.get("guidance"))
        outcomes = self.outcomes(top)
        questions = self.questions(top)
        rules = self.rules(top, questions, outcomes, guidance)
        invariants = self.invariants(top, questions, outcomes, rules)
        if self.problems:
            return None
        return RulePack(
            id=pack_id,
            version=cast(str, version),
            title=title,
            treatment=treatment,
            description=description,
            disclaimer=disclaimer,
            guidance=guidance,
            outcomes=outcomes,
            questions=questions,
            rules=rules,
            path=file,
            sha256=sha256,
            invariants=invariants,
            languages=self.languages,
            default_language=self.default_language,
            language=self.language,
            untranslated=tuple(self.untranslated),
            question_tests={q.id: compile_condition(q.when) for q in questions},
            rule_tests={r.id: compile_condition(r.when) for r in rules},
        )

    def guidance(self, value: object) -> dict[str, GuidancePoint]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(
                "guidance", f"expected a mapping of point id to text, got {type_name(value)}"
            )
            return {}
        points = {}
        for key, item in value.items():
            path = f"guidance.{key}"
            if not GUIDANCE_ID_PATTERN.fullmatch(key):
                self.problem(path, f"{key!r} is not a valid guidance id")
            if isinstance(item, str) or (
                isinstance(item, dict) and not set(item) & set(GUIDANCE_KEYS)
            ):
                item = self.localized(item, path)  # the short form, in one or more languages
            if isinstance(item, str):
                points[key] = GuidancePoint(key, item.strip(), line=self.located.line(path))
                continue
            data = self.mapping(item, path, GUIDANCE_KEYS)
            if data:
                points[key] = GuidancePoint(
                    key,
                    self.text(data, "text", path),
                    self.text(data, "source", path, False) or None,
                    line=self.located.line(path),
                )
        return points

    def outcomes(self, top: Mapping[str, object]) -> tuple[Outcome, ...]:
        result: list[Outcome] = []
        seen: set[str] = set()
        for i, item in enumerate(self.items(top, "outcomes")):
            path = f"outcomes[{i}]"
            data = self.mapping(item, path, OUTCOME_KEYS)
            if not data:
                continue
            outcome_id = self.identifier(data, "id", path)
            if outcome_id and outcome_id in seen:
                self.problem(f"{path}.id", f"duplicate outcome id '{outcome_id}'")
            seen.add(outcome_id)
            result.append(
                Outcome(
                    outcome_id,
                    self.text(data, "label", path),
                    self.text(data, "summary", path),
                    line=self.located.line(path),
                )
            )
        if not result and "outcomes" in top:
            self.problem("outcomes", "a pack needs at least one outcome")
        return tuple(result)

    def questions(self, top: Mapping[str, object]) -> tuple[Question, ...]:
        result: list[Question] = []
        by_id: dict[str, Question] = {}
        for i, item in enumerate(self.items(top, "questions")):
            path = f"questions[{i}]"
            data = self.mapping(item, path, QUESTION_KEYS)
            if not data:
                continue
            question = self.question(data, path, by_id, [q.id for q in result])
            if question is None:
                continue
            if question.id in by_id:
                self.problem(f"{path}.id", f"duplicate question id '{question.id}'")
                continue
            by_id[question.id] = question
            result.append(question)
            follow_up = self.other_question(question, path)
            if follow_up is not None:
                by_id[follow_up.id] = follow_up
                result.append(follow_up)
        if isinstance(top.get("questions"), list) and not top["questions"]:
            self.problem("questions", "a pack needs at least one question")
        self.cycles(by_id)
        return tuple(result)

    def cycles(self, questions: Mapping[str, Question]) -> None:
        """Name each cycle of `when`s, beside the forward reference that closes it."""
        from mesoguide.conditions import questions_in  # local: main's loader no longer imports it

        data = self.located.data
        raw = data.get("questions") if isinstance(data, dict) else None
        index = {
            item["id"]: i
            for i, item in enumerate(raw or [])
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }
        order = list(questions)
        for position, qid in enumerate(order):
            when = questions[qid].when
            if when is None:
                continue
            later = {c.question for c in questions_in(when)} & set(order[position + 1 :])
            for other in sorted(later):
                cycle = self._cycle(qid, other)
                if cycle:
                    self.problem(
                        f"questions[{index[qid]}].when",
                        f"'when' conditions form a cycle: {' -> '.join(cycle)}",
                    )

    def other_question(self, question: Question, path: str) -> Question | None:
        """The text question that a choice's "other, please specify" opens, or None."""
        others = [(i, c) for i, c in enumerate(question.choices) if c.other]
        if not others:
            return None
        if len(others) > 1:
            self.problem(
                f"{path}.choices[{others[1][0]}].other",
                f"question '{question.id}' already has an 'other' choice "
                f"('{others[0][1].value}'): one per question",
            )
        index, choice = others[0]
        qid = question.id + OTHER_SUFFIX
        if qid in self._declared_ids():
            self.problem(
                f"{path}.choices[{index}].other",
                f"the 'other' choice opens question '{qid}', and the pack has a question of "
                "that id already: rename it",
            )
            return None
        op: Operator = "eq" if question.type == "choice" else "contains"
        opened: Condition = Compare(question.id, op, choice.value)
        return Question(
            id=qid,
            type="text",
            label=cast(str, choice.other),
            when=opened if question.when is None else AllOf((question.when, opened)),
            line=self.located.line(f"{path}.choices[{index}]"),
            other_of=question.id,
        )

    def number(self, data: Mapping[str, object], key: str, path: str) -> Decimal | None:
        """A decimal question's min, max or step, exactly as written (40.1 is 40.1)."""
        from mesoguide.answers import decimal_from_data, too_many_digits

        value = data.get(key)
        if value is None:
            return None
        number = decimal_from_data(value)
        if number is None:
            self.problem(f"{path}.{key}", f"expected a number, got {type_name(value)} {value!r}")
            return None
        why = too_many_digits(number)
        if why:
            self.problem(f"{path}.{key}", why)
            return None
        return number

    def decimal_limits(
        self, data: Mapping[str, object], path: str
    ) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        low, high = self.number(data, "min", path), self.number(data, "max", path)
        step = self.number(data, "step", path)
        if step is not None and step <= 0:
            self.problem(f"{path}.step", f"step {data['step']!r} is not above 0")
            step = None
        if low is not None and high is not None and low > high:
            self.problem(f"{path}.min", f"min {data['min']!r} is greater than max {data['max']!r}")
        return low, high, step

    def question(
        self,
        data: Mapping[str, object],
        path: str,
        earlier: Mapping[str, Question],
        order: list[str],
    ) -> Question | None:
        qid = self.identifier(data, "id", path)
        qtype = data.get("type")
        if qtype not in QUESTION_TYPES:
            hint = did_you_mean(str(qtype), QUESTION_TYPES) if qtype is not None else ""
            self.problem(
                f"{path}.type",
                f"type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}{hint}",
            )
            return None
        label = self.text(data, "label", path)
        help_text = self.text(data, "help", path, required=False) or None
        choices = self.choices(data, path, qtype)
        for key, types in (
            ("step", ("decimal",)),
            ("unit", ("decimal",)),
            ("max_length", ("text",)),
        ):
            if data.get(key) is not None and qtype not in types:
                self.problem(
                    f"{path}.{key}",
                    f"'{key}' applies to a {types[0]} question only, not to this {qtype} one",
                )
        step: Decimal | None = None
        low: int | Decimal | None
        high: int | Decimal | None
        if qtype == "decimal":
            low, high, step = self.decimal_limits(data, path)
        else:
            low, high = self.integer(data, "min", path), self.integer(data, "max", path)
        if qtype in ("boolean", "choice", "text") and (low is not None or high is not None):
            self.problem(path, f"'min' and 'max' do not apply to a {qtype} question")
        if qtype != "decimal" and low is not None and high is not None and low > high:
            self.problem(f"{path}.min", f"min {low} is greater than max {high}")
        unit = self.text(data, "unit", path, required=False) or None
        max_length = self.integer(data, "max_length", path)
        if max_length is not None and not 1 <= max_length <= MAX_TEXT_LENGTH:
            self.problem(
                f"{path}.max_length",
                f"max_length {max_length} is not from 1 to {MAX_TEXT_LENGTH:,}",
            )
            max_length = None
        if qtype == "multiple" and high is not None and high > len(choices) > 0:
            self.problem(f"{path}.max", f"max {high} is more than the {len(choices)} choices")
        required = data.get("required", True)
        if not isinstance(required, bool):
            self.problem(f"{path}.required", f"expected true or false, got {type_name(required)}")
            required = True
        when = self.condition(data.get("when"), f"{path}.when", earlier, qid, order)
        screen = data.get("screen", False)
        if not isinstance(screen, bool):
            self.problem(f"{path}.screen", f"expected true or false, got {type_name(screen)}")
            screen = False
        elif screen and qtype != "boolean":
            self.problem(
                f"{path}.screen",
                f"'screen' applies to a boolean question only, not to this {qtype} one",
            )
            screen = False
        question = Question(
            id=qid,
            type=qtype,
            label=label,
            help=help_text,
            choices=choices,
            min=low,
            max=high,
            required=required,
            when=when,
            line=self.located.line(path),
            step=step,
            unit=unit if qtype == "decimal" else None,
            max_length=max_length or TEXT_MAX_LENGTH,
            screen=screen,
            labels=self.every_language(data.get("label")),
        )
        if "default" in data and data["default"] is not None:
            from mesoguide.answers import AnswerRejected, coerce

            try:
                default: Answer = coerce(question, data["default"])
            except AnswerRejected as rejected:
                self.problem(f"{path}.default", f"default {data['default']!r}: {rejected.reason}")
            else:
                question = dataclasses.replace(question, default=default)
        return question

    def choices(
        self, data: Mapping[str, object], path: str, qtype: QuestionType
    ) -> tuple[Choice, ...]:
        raw = data.get("choices")
        if qtype not in ("choice", "multiple"):
            if raw is not None:
                self.problem(f"{path}.choices", f"a {qtype} question has no choices")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(path, f"a {qtype} question needs a non-empty list of 'choices'")
            return ()
        result: list[Choice] = []
        seen: set[str] = set()
        for i, item in enumerate(raw):
            cpath = f"{path}.choices[{i}]"
            choice = self.mapping(item, cpath, CHOICE_KEYS)
            if not choice:
                continue
            value = self.identifier(choice, "value", cpath)
            if value and value in seen:
                self.problem(f"{cpath}.value", f"duplicate choice value '{value}'")
            seen.add(value)
            exclusive = choice.get("exclusive", False)
            if not isinstance(exclusive, bool):
                self.problem(f"{cpath}.exclusive", "expected true or false")
                exclusive = False
            if exclusive and qtype != "multiple":
                self.problem(
                    f"{cpath}.exclusive", "only a multiple-choice question has exclusive choices"
                )
            other = self.localized(choice.get("other", False), f"{cpath}.other")
            label = self.text(choice, "label", cpath)
            if other is True:
                other = translate(N_("{label}: please specify"), self.language).format(label=label)
            elif other is not False and (not isinstance(other, str) or not other.strip()):
                self.problem(
                    f"{cpath}.other",
                    f"expected true, false or the follow-up question's label, got "
                    f"{type_name(other)}",
                )
                other = False
            result.append(
                Choice(
                    value,
                    label,
                    exclusive,
                    self.text(choice, "help", cpath, required=False) or None,
                    other.strip() if isinstance(other, str) else None,
                    self.every_language(choice.get("label")),
                )
            )
        return tuple(result)

    def condition(
        self,
        raw: object,
        path: str,
        questions: Mapping[str, Question],
        owner: str | None,
        order: list[str],
    ) -> Condition | None:
        """Parse a condition and check every question and value it names."""
        if raw is None:
            return None
        try:
            condition = parse_condition(raw, path)
        except ConditionSyntaxError as error:
            self.problem(error.path, error.message)
            return None
        # each problem points at its own comparison (rules[3].when.all[1]), not the whole `when`
        for where, compare in comparisons(condition, path):
            question = questions.get(compare.question)
            if question is None:
                if owner is not None and compare.question == owner:
                    self.problem(where, f"question '{owner}' cannot depend on itself")
                elif compare.question in self._all_question_ids():
                    if owner is not None:
                        self.problem(
                            where,
                            f"question '{compare.question}' is asked after '{owner}': "
                            "a 'when' may only use questions asked before it",
                        )
                    # else: the question is declared but has its own problem, already reported
                else:
                    known = list(questions) if owner is None else order
                    hint = did_you_mean(compare.question, known)
                    self.problem(where, f"unknown question '{compare.question}'{hint}")
                continue
            why = check_compare(compare, question) or _decimal_value_problem(compare, question)
            if why:
                self.problem(where, why)
        return with_values(condition, lambda compare: _exact(compare, questions))

    def _cycle(self, owner: str, other: str) -> list[str]:
        """``[owner, other, ..., owner]`` when ``other``'s `when` leads back to ``owner``."""
        from mesoguide.conditions import questions_in

        depends: dict[str, set[str]] = {}
        data = self.located.data
        raw = data.get("questions") if isinstance(data, dict) else None
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item.get("when"):
                try:
                    parsed = parse_condition(item["when"])
                except ConditionSyntaxError:
                    continue
                depends[item["id"]] = {c.question for c in questions_in(parsed)}
        trail = [owner, other]
        seen = {other}
        stack = [(other, trail)]
        while stack:
            current, route = stack.pop()
            for following in sorted(depends.get(current, ())):
                if following == owner:
                    return [*route, owner]
                if following not in seen:
                    seen.add(following)
                    stack.append((following, [*route, following]))
        return []

    def _all_question_ids(self) -> set[str]:
        data = self.located.data
        questions = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(questions, list):
            return set()
        ids = {q["id"] for q in questions if isinstance(q, dict) and isinstance(q.get("id"), str)}
        return ids | {f"{qid}{OTHER_SUFFIX}" for qid in ids}  # and the "other" follow-ups

    def _declared_ids(self) -> set[str]:
        data = self.located.data
        questions = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(questions, list):
            return set()
        return {q["id"] for q in questions if isinstance(q, dict) and isinstance(q.get("id"), str)}

    def rules(
        self,
        top: Mapping[str, object],
        questions: tuple[Question, ...],
        outcomes: tuple[Outcome, ...],
        guidance: Mapping[str, GuidancePoint],
    ) -> tuple[Rule, ...]:
        by_id = {q.id: q for q in questions}
        outcome_ids = [o.id for o in outcomes]
        result: list[Rule] = []
        seen: set[str] = set()
        for i, item in enumerate(self.items(top, "rules")):
            path = f"rules[{i}]"
            data = self.mapping(item, path, RULE_KEYS)
            if not data:
                continue
            rule_id = self.identifier(data, "id", path)
            if rule_id and rule_id in seen:
                self.problem(f"{path}.id", f"duplicate rule id '{rule_id}'")
            seen.add(rule_id)
            when = self.condition(data.get("when"), f"{path}.when", by_id, None, [])
            outcome = data.get("outcome")
            if outcome is not None and not isinstance(outcome, str):
                self.problem(
                    f"{path}.outcome",
                    f"expected an outcome id, got {type_name(outcome)} {outcome!r} "
                    "(quote it in YAML)",
                )
            elif outcome is not None and outcome not in outcome_ids:
                self.problem(
                    f"{path}.outcome",
                    f"unknown outcome {outcome!r}{did_you_mean(str(outcome), outcome_ids)}; "
                    f"outcomes: {', '.join(outcome_ids)}",
                )
            if_outcome = self.strings(data, "if_outcome", path)
            for j, name in enumerate(if_outcome):
                if name not in outcome_ids:
                    self.problem(
                        f"{path}.if_outcome[{j}]",
                        f"unknown outcome '{name}'{did_you_mean(name, outcome_ids)}",
                    )
            if outcome is not None and if_outcome:
                self.problem(
                    f"{path}.if_outcome", "a rule that sets the outcome cannot depend on it"
                )
            refs = self.points(data, path, guidance)
            if not any(data.get(key) is not None for key in RULE_EFFECTS):
                self.problem(
                    path,
                    f"rule '{rule_id}' has no effect: give it one of {', '.join(RULE_EFFECTS)}",
                )
            result.append(
                Rule(
                    id=rule_id,
                    when=when,
                    outcome=outcome if isinstance(outcome, str) else None,
                    if_outcome=if_outcome,
                    sessions=self.sessions(data.get("sessions"), f"{path}.sessions", refs),
                    explanation=self.text(data, "explanation", path, required=False) or None,
                    referral=self.referral(data, path),
                    advice=self.statements(data, "advice", path, guidance),
                    clinic=self.statements(data, "clinic", path, guidance),
                    guidance=refs,
                    line=self.located.line(path),
                )
            )
        return tuple(result)

    def points(
        self, data: Mapping[str, object], path: str, guidance: Mapping[str, GuidancePoint]
    ) -> tuple[str, ...]:
        """A `guidance:` list: ids of points the pack defines."""
        refs = self.strings(data, "guidance", path)
        for j, ref in enumerate(refs):
            if ref not in guidance:
                listed = isinstance(data["guidance"], list)
                where = f"{path}.guidance[{j}]" if listed else f"{path}.guidance"
                self.problem(where, f"unknown guidance point '{ref}'{did_you_mean(ref, guidance)}")
        return refs

    def statements(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        guidance: Mapping[str, GuidancePoint],
    ) -> tuple[Statement, ...]:
        """Advice or clinic lines, one or a list: each a text (it mirrors its rule's guidance)
        or ``{text, guidance}`` (it mirrors its own)."""
        value = data.get(key)
        if value is None:
            return ()
        listed = isinstance(value, list)
        result = []
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}.{key}[{i}]" if listed else f"{path}.{key}"
            if isinstance(item, str) or (
                isinstance(item, dict) and not set(item) & set(STATEMENT_KEYS)
            ):
                item = self.localized(item, where)  # a text, in one or several languages
            if isinstance(item, str) and item.strip():
                result.append(Statement(item.strip()))
            elif isinstance(item, dict):
                line = self.mapping(item, where, STATEMENT_KEYS)
                text = self.text(line, "text", where)
                if "guidance" not in line:
                    self.problem(
                        where,
                        "'guidance' is required in a {text, guidance} line; a line that mirrors "
                        "its rule's guidance is plain text",
                    )
                    continue
                refs = self.points(line, where, guidance)
                if text:
                    result.append(Statement(text, refs))
            else:
                self.problem(where, f"expected text or {{text, guidance}}, got {type_name(item)}")
        return tuple(result)

    def invariants(
        self,
        top: Mapping[str, object],
        questions: tuple[Question, ...],
        outcomes: tuple[Outcome, ...],
        rules: tuple[Rule, ...],
    ) -> tuple[Invariant, ...]:
        if top.get("invariants") is None:
            return ()
        by_id = {q.id: q for q in questions}
        outcome_ids = [o.id for o in outcomes]
        rule_ids = [r.id for r in rules]
        result: list[Invariant] = []
        seen: set[str] = set()
        for i, item in enumerate(self.items(top, "invariants")):
            path = f"invariants[{i}]"
            data = self.mapping(item, path, INVARIANT_KEYS)
            if not data:
                continue
            invariant_id = self.identifier(data, "id", path)
            if invariant_id and invariant_id in seen:
                self.problem(f"{path}.id", f"duplicate invariant id '{invariant_id}'")
            seen.add(invariant_id)
            when = self.condition(data.get("when"), f"{path}.when", by_id, None, [])
            if data.get("outcome") is not None and data.get("outcome_in") is not None:
                self.problem(
                    f"{path}.outcome_in",
                    "give 'outcome' or 'outcome_in', not both: put every outcome in 'outcome_in'",
                )
            key = "outcome" if data.get("outcome") is not None else "outcome_in"
            if key == "outcome" and isinstance(data.get("outcome"), list):
                self.problem(
                    f"{path}.outcome", "one outcome id; for several, use 'outcome_in: [...]'"
                )
            outcome_in = self.names(data, key, path, outcome_ids, "outcome")
            exclusive = self.names(data, "exclusive", path, rule_ids, "rule")
            if data.get("exclusive") is not None and len(set(exclusive)) < 2:
                self.problem(
                    f"{path}.exclusive", "name at least two rules that may not contribute together"
                )
            sessions = data.get("sessions")
            if sessions is not None and sessions not in SESSIONS_CLAIMS:
                hint = (
                    " (quote it in YAML: 'none')"
                    if sessions is False
                    else did_you_mean(str(sessions), SESSIONS_CLAIMS)
                )
                self.problem(
                    f"{path}.sessions",
                    f"expected none or given, got {type_name(sessions)} {sessions!r}{hint}",
                )
                sessions = None
            if not any(data.get(claim) is not None for claim in INVARIANT_CLAIMS):
                self.problem(
                    path,
                    f"invariant '{invariant_id}' claims nothing: give it one of "
                    f"{', '.join(INVARIANT_CLAIMS)}",
                )
            result.append(
                Invariant(
                    id=invariant_id,
                    when=when,
                    outcome_in=outcome_in,
                    contributes=self.names(data, "contributes", path, rule_ids, "rule"),
                    not_contributes=self.names(data, "not_contributes", path, rule_ids, "rule"),
                    sessions=sessions,
                    exclusive=exclusive,
                    line=self.located.line(path),
                )
            )
        return tuple(result)

    def names(
        self, data: Mapping[str, object], key: str, path: str, known: list[str], kind: str
    ) -> tuple[str, ...]:
        """A name or a list of names, each one of ``known`` (outcome or rule ids)."""
        value = data.get(key)
        if value is not None and not isinstance(value, str | list):
            quote = " (quote it in YAML)" if isinstance(value, bool) else ""
            self.problem(
                f"{path}.{key}", f"expected {kind} ids, got {type_name(value)} {value!r}{quote}"
            )
            return ()
        names = self.strings(data, key, path)
        for j, name in enumerate(names):
            if name not in known:
                where = f"{path}.{key}" if isinstance(value, str) else f"{path}.{key}[{j}]"
                listed = f"; outcomes: {', '.join(known)}" if kind == "outcome" else ""
                self.problem(where, f"unknown {kind} '{name}'{did_you_mean(name, known)}{listed}")
        return names

    def sessions(self, raw: object, path: str, guidance: tuple[str, ...]) -> Sessions | None:
        if raw is None:
            return None
        data = self.mapping(raw, path, SESSIONS_KEYS)
        low, high = self.integer(data, "min", path), self.integer(data, "max", path)
        if low is None or high is None:
            if data:
                self.problem(path, "sessions need whole-number 'min' and 'max'")
            return None
        if low < 0 or low > high:
            self.problem(path, f"sessions min {low} and max {high} do not make a range")
        timeline = self.text(data, "timeline", path, required=False) or None
        return Sessions(low, high, timeline, guidance)


def _exact(compare: Compare, questions: Mapping[str, Question]) -> Compare:
    """A comparison with a decimal question, its numbers as exact decimals (39.95, not the
    binary float nearest it), so that answers at a threshold compare exactly."""
    from mesoguide.answers import decimal_from_data

    question = questions.get(compare.question)
    if question is None or question.type != "decimal" or compare.op == "answered":
        return compare
    value = compare.value
    if isinstance(value, tuple):
        return Compare(compare.question, compare.op, tuple(decimal_from_data(v) for v in value))
    return Compare(compare.question, compare.op, decimal_from_data(value))


def _decimal_value_problem(compare: Compare, question: Question) -> str | None:
    """Why a decimal question's threshold cannot be used (too many digits, not finite)."""
    from mesoguide.answers import decimal_from_data, too_many_digits

    if question.type != "decimal" or compare.op == "answered":
        return None
    values = compare.value if isinstance(compare.value, tuple) else (compare.value,)
    for value in values:
        number = decimal_from_data(value)
        if number is None:
            return f"'{question.id}' is a decimal question: {value!r} is not a finite number"
        why = too_many_digits(number)
        if why:
            return f"'{question.id}' is a decimal question: {why}"
    return None
