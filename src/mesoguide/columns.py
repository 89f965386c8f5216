"""An export's header against a pack's questions: its delimiter, names, labels and a column map.

Everything here runs once, on the header, before the first row: a row then costs what it cost
before (its cells zipped with one key per column).
"""

from __future__ import annotations

import csv
import difflib
import json
import re
import shlex
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from mesoguide import yamlsafe
from mesoguide.conditions import type_name
from mesoguide.errors import UsageError, did_you_mean
from mesoguide.i18n import N_, _
from mesoguide.model import Question, RulePack

ID_COLUMN = "id"
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": N_("tab")}  # shown through _()
# Words too common to tie a column to a question ("How often do you ...").
_COMMON_WORDS = (
    "about and any are can could did does for from had has have how into like many more much "
    "not now one other the there these this what when where which who why with would you your"
)
_COMMON = frozenset(_COMMON_WORDS.split())
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def fold(text: str) -> str:
    """A name as the matching key: any case, `_` or `-` as spaces, no `?`, `:` or `*` at the end."""
    words = text.casefold().replace("_", " ").replace("-", " ").split()
    return " ".join(words).rstrip("?:*. ")


def _words(text: str) -> set[str]:
    """The telling words of a name: `PatientID` and `patient_id` both give {patient, id}."""
    return {w.lower() for w in _WORD.findall(text)} - _COMMON


def _similar(word: str, other: str) -> bool:
    """The same word, give or take an ending: keloid(s), allergy/allergies, pregnan(t|cy)."""
    if word == other:
        return True
    if len(word) < 4 or len(other) < 4:
        return False
    shorter = min(len(word), len(other))
    prefix = next((i for i in range(shorter) if word[i] != other[i]), shorter)
    return prefix >= 5 or difflib.SequenceMatcher(None, word, other).ratio() >= 0.85


@dataclass(frozen=True)
class ColumnMap:
    """`--columns MAP.yaml`: header names to question ids, `id`, or nothing (ignored)."""

    source: str
    targets: Mapping[str, str | None]  # by folded header name
    names: Mapping[str, str]  # folded header name -> as the map writes it


def parse_column_map(text: str, source: str, pack: RulePack) -> ColumnMap:
    """A column map from YAML text, every target checked against the pack; else UsageError."""
    try:
        located = yamlsafe.load(text, allow_aliases=False, max_nodes=10_000, max_depth=2)
    except yamlsafe.YamlProblem as problem:
        where = f"{source}:{problem.line}" if problem.line else source
        raise UsageError(f"{where}: {problem.message}") from None
    data = located.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(
            f"{source}: a column map is a mapping of column name to question id, "
            f"not {type_name(data)}"
        )
    known = [q.id for q in pack.questions]
    targets: dict[str, str | None] = {}
    names: dict[str, str] = {}
    problems: list[str] = []
    for name, target in data.items():
        where = f"{source}:{located.line(name)}: {name}"
        key = fold(name)
        if key in names:
            problems.append(f"{where}: the same column as '{names[key]}'")
        elif target is not None and not isinstance(target, str):
            problems.append(
                f"{where}: expected a question id or id, not {type_name(target)} "
                f"({target!r}; quote it)"
            )
        elif target is not None and target not in known and target != ID_COLUMN:
            hint = did_you_mean(target, [*known, ID_COLUMN])
            problems.append(f"{where}: '{target}' is no question of '{pack.id}'{hint}")
        else:
            targets[key] = target
        names[key] = name
    if problems:
        raise UsageError("\n".join(problems))
    return ColumnMap(source, targets, names)


@dataclass(frozen=True)
class _Index:
    """What a pack offers a header: ids and labels by matching key, and each one's words."""

    by_key: Mapping[str, tuple[str, ...]]  # folded id or label -> question ids (more: ambiguous)
    keys: Mapping[str, tuple[str, ...]]  # question id -> its folded id and labels
    id_words: Mapping[str, set[str]]
    all_words: Mapping[str, set[str]]


def _names(question: Question) -> tuple[str, ...]:
    """What a column may be named for ``question``: its id, and its label in any of the pack's
    languages, so that a header reads the same whatever --lang the run is in."""
    return tuple(dict.fromkeys((question.id, question.label, *question.labels)))


def _index(pack: RulePack) -> _Index:
    by_key: dict[str, list[str]] = {}
    for question in pack.questions:
        for text in _names(question):
            ids = by_key.setdefault(fold(text), [])
            if question.id not in ids:
                ids.append(question.id)
    return _Index(
        {key: tuple(ids) for key, ids in by_key.items()},
        {q.id: tuple(fold(name) for name in _names(q)) for q in pack.questions},
        {q.id: _words(q.id) for q in pack.questions},
        {q.id: set().union(*(_words(name) for name in _names(q))) for q in pack.questions},
    )


@dataclass
class Header:
    """How each column of a header is read: the key its cells get, the id column, the rest."""

    keys: tuple[str, ...]
    id_index: int | None
    unknown: list[str] = field(default_factory=list)  # columns to name in a warning
    notes: list[str] = field(default_factory=list)  # other warnings (a map's unused names)


def matches(names: Sequence[str], pack: RulePack, column_map: ColumnMap | None = None) -> int:
    """How many of ``names`` give a question (for sniffing the delimiter)."""
    index = _index(pack)
    known = {q.id for q in pack.questions}
    count = 0
    for name in names:
        key = fold(name)
        if column_map is not None and key in column_map.targets:
            count += column_map.targets[key] not in (None, ID_COLUMN)
        else:
            count += name.strip() in known or len(index.by_key.get(key, ())) == 1
    return count


def sniff(line: str, pack: RulePack, column_map: ColumnMap | None = None) -> str:
    """The delimiter of a header line: the one whose cells name most questions, else the most
    frequent of `,` `;` and tab, else `,`."""
    scored = []
    for rank, delimiter in enumerate(DELIMITERS):
        names = split(line, delimiter)
        scored.append((matches(names, pack, column_map), len(names), -rank, delimiter))
    return max(scored)[3]


def split(line: str, delimiter: str) -> list[str]:
    """The cells of one header line (an unclosed quote is read as far as the line goes)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def match_header(
    names: Sequence[str],
    pack: RulePack,
    *,
    column_map: ColumnMap | None = None,
    ignore: Collection[str] = (),
    id_column: str | None = None,
) -> Header:
    """Give each column of the header a question, the id, or nothing; refuse what is unclear.

    Raises UsageError (without the file's name) for a column given twice, a header that names
    no question, an `--id-column` that names no column, and columns that name no question but
    are close to one that no other column gives.
    """
    index = _index(pack)
    known = {q.id for q in pack.questions}
    ignored = {fold(name) for name in ignore}
    id_key = fold(id_column) if id_column is not None else ID_COLUMN
    targets: list[str | None] = []
    given: dict[str, int] = {}  # question id or `id` -> the column that gives it
    problems: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen and name:
            raise UsageError(_("column '{name}' appears twice in the header").format(name=name))
        seen.add(name)
        key = fold(name)
        target: str | None = None
        if column_map is not None and key in column_map.targets:
            target = column_map.targets[key]
        elif key in ignored:
            target = None
        elif name in known:
            target = name
        elif key == id_key:
            target = ID_COLUMN
        elif key in index.by_key:
            ids = index.by_key[key]
            if len(ids) > 1:
                problems.append(
                    _("column '{name}' could be any of {ids}: map it with --columns").format(
                        name=name, ids=", ".join(ids)
                    )
                )
            else:
                target = ids[0]
        else:
            targets.append("")  # unknown, for now
            continue
        if target is not None and target in given:
            first = names[given[target]]
            raise UsageError(
                _(
                    "columns '{first}' and '{name}' both give {target}: keep one, or pass "
                    "--ignore-column for the other"
                ).format(first=first, name=name, target=target)
            )
        if target is not None:
            given[target] = i
        targets.append(target)
    if problems:
        raise UsageError("\n".join(problems))
    if names and not known & set(given):
        examples = ", ".join(q.id for q in pack.questions[:3])
        raise UsageError(
            _(
                "the header names no question of the pack '{pack}': its first row must hold "
                "question ids such as {examples}"
            ).format(pack=pack.id, examples=examples)
        )
    if id_column is not None and ID_COLUMN not in given:
        shown = ", ".join(f"'{name}'" for name in names)
        hint = did_you_mean(id_column, names)
        raise UsageError(
            _("--id-column '{name}' names no column{hint}; the columns: {columns}").format(
                name=id_column, hint=hint, columns=shown
            )
        )
    unknown = [i for i, target in enumerate(targets) if target == ""]
    close = [
        (names[i], near)
        for i in unknown
        if (near := _near(names[i], pack, index, given, id_column))
    ]
    if close:
        raise UsageError(_refusal(close))
    notes = []
    if column_map is not None:
        present = {fold(name) for name in names}
        absent = [name for key, name in column_map.names.items() if key not in present]
        if absent:
            listed = ", ".join(f"'{name}'" for name in absent)
            notes.append(
                _("{source}: no column of the header is named {names}").format(
                    source=column_map.source, names=listed
                )
            )
    keys = tuple(_key(name, target, known) for name, target in zip(names, targets, strict=True))
    return Header(
        keys,
        given.get(ID_COLUMN),
        [names[i] or _("(unnamed column {number})").format(number=i + 1) for i in unknown],
        notes,
    )


def _key(name: str, target: str | None, known: set[str]) -> str:
    """The key a column's cells get in a row: its question's id, `id`, or a key no question has."""
    if target:
        return target
    return "" if name in known or name == ID_COLUMN else name


def _near(
    name: str, pack: RulePack, index: _Index, given: Mapping[str, int], id_column: str | None
) -> list[Question | None]:
    """The questions no column gives that ``name`` is close to (None: the id column)."""
    words = _words(name)
    if not words and not name.strip():
        return []
    if ID_COLUMN not in given and id_column is None and words & {"id", "ids", "identifier"}:
        return [None]
    key = fold(name)
    return [
        question
        for question in pack.questions
        if question.id not in given
        and (
            difflib.get_close_matches(key, index.keys[question.id], n=1, cutoff=0.8)
            or (words and all(_any_similar(w, index.all_words[question.id]) for w in words))
            or any(_any_similar(w, index.id_words[question.id]) for w in words)
        )
    ]


def _refusal(close: list[tuple[str, list[Question | None]]]) -> str:
    """Why columns are refused, and the fix: one line for one column, a list for more."""
    if len(close) == 1:
        name, near = close[0]
        fix = f"--ignore-column {shlex.quote(name)}"
        if near == [None]:
            return _(
                "column '{name}' looks like the id column: pass --id-column {quoted} (or {fix})"
            ).format(name=name, quoted=shlex.quote(name), fix=fix)
        shown = "; ".join(f"{q.id} ({q.label!r})" for q in near[:3] if q is not None)
        rename = near[0].id if len(near) == 1 and near[0] is not None else _("the question's id")
        return _(
            "column '{name}' names no question, but is close to {questions}: name the column "
            "{rename} (or map it with --columns MAP.yaml), or pass {fix} if it answers none"
        ).format(name=name, questions=shown, rename=rename, fix=fix)
    lines = [
        _("{count} columns name no question, but are close to questions no column gives:").format(
            count=len(close)
        )
    ]
    for name, near in close:
        ids = [ID_COLUMN if q is None else q.id for q in near[:3]]
        some = ", ".join(ids[:-1])
        shown = _("{some} or {last}").format(some=some, last=ids[-1]) if some else ids[-1]
        lines.append(_("'{name}': {ids}?").format(name=name, ids=shown))
    lines.append(
        _(
            "name each column as its question's id (--id-column for the id), or map them with "
            "--columns MAP.yaml; pass --ignore-column NAME for a column that answers none"
        )
    )
    return "\n".join(lines)


def _any_similar(word: str, words: set[str]) -> bool:
    return any(_similar(word, other) for other in words)


def template_csv(pack: RulePack, delimiter: str = ",") -> str:
    """An empty export: the header line alone, `id` then every question id in pack order."""
    return delimiter.join([ID_COLUMN, *(q.id for q in pack.questions)]) + "\n"


def template_jsonl(pack: RulePack) -> str:
    """One JSON line answering every question, to show each answer's shape."""
    example: dict[str, object] = {ID_COLUMN: "example-1"}
    for question in pack.questions:
        if question.type == "integer":
            example[question.id] = question.min if question.min is not None else 0
        elif question.type == "decimal":
            low = question.min if question.min is not None else 0
            example[question.id] = float(low)  # a JSON number (at most 15 digits: exact)
        elif question.type == "text":
            example[question.id] = "free text"
        elif question.type == "boolean":
            example[question.id] = False
        elif question.type == "choice":
            example[question.id] = question.choices[0].value
        else:
            example[question.id] = [question.choices[0].value]
    return json.dumps(example, ensure_ascii=False) + "\n"
