"""The batch core: rows of CSV or JSON lines in, one record per row out, as `assess` judges."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesoguide.batch import (
    DECISION_LIMIT,
    Assessor,
    CsvRows,
    JsonlRows,
    Row,
    Tally,
    csv_cells,
)
from mesoguide.columns import parse_column_map
from mesoguide.conditions import compile_condition
from mesoguide.engine import Judge, assess
from mesoguide.errors import AnswersError, UsageError
from mesoguide.loader import load_pack
from mesoguide.model import AllOf, AnyOf, Compare, Condition, Not, RulePack
from mesoguide.runner import MEMO_LIMIT, Memos, from_mapping, walk
from tests.conftest import BASE_ANSWERS
from tests.packs import SMALL_PACK, write_pack

COLUMNS = ["id", *BASE_ANSWERS]


def cell(value: object) -> str:
    """An answer as a CSV export writes it."""
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def csv_text(rows: list[dict[str, object]], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row[c]) if c in row else "" for c in columns])
    return out.getvalue()


def expected(pack: RulePack, number: int, raw: dict[str, object], **head: object) -> dict[str, Any]:
    """The record `assess --answers` implies for these raw answers, made without batch."""
    record: dict[str, Any] = {"row": number, **head}
    try:
        report = assess(pack, from_mapping(pack, raw))
    except AnswersError as error:
        return {**record, "error": "; ".join(f"{p.question}: {p.reason}" for p in error.problems)}
    sessions = report.sessions
    return {
        **record,
        "candidacy": report.candidacy,
        "sessions": None if sessions is None else {"min": sessions.min, "max": sessions.max},
        "rules": list(report.rules_fired),
        "reasons": [finding.text for finding in report.referral_reasons],
    }


def csv_rows(pack: RulePack, text: str) -> CsvRows:
    return CsvRows(io.StringIO(text, newline=""), pack, "in.csv")


def records(pack: RulePack, rows: Any, full: bool = False) -> list[dict[str, Any]]:
    assessor = Assessor(pack, full)
    return [assessor.record(row) for row in rows]


PEOPLE: list[dict[str, object]] = [
    {**BASE_ANSWERS, "id": "A-1"},
    {**BASE_ANSWERS, "id": "A-2", "age": 16, "blood_thinners_or_bleeding_disorder": True},
    {**BASE_ANSWERS, "id": "A-3", "concerns": ["other"]},
    {**BASE_ANSWERS, "id": "A-4", "age": "forty", "sex": "femal"},
    {**BASE_ANSWERS, "id": "A-5", "sessions_possible": 4, "wants_to_avoid_surgery": True},
]


# -- CSV --------------------------------------------------------------------------------------


def test_csv_rows_give_what_assess_gives_in_input_order(pack: RulePack) -> None:
    """Each CSV row's record is the one `assess --answers` implies, in the input's order."""
    got = records(pack, csv_rows(pack, csv_text(PEOPLE)))
    raws = [{k: cell(v) for k, v in p.items() if k != "id"} for p in PEOPLE]
    assert got == [
        expected(pack, i, raw, id=p["id"])
        for i, (raw, p) in enumerate(zip(raws, PEOPLE, strict=True), 1)
    ]
    assert [r.get("candidacy") for r in got] == [
        "candidate", "refer", "not_indicated", None, "candidate",
    ]  # fmt: skip


def test_a_rejected_row_stands_in_place_with_every_reason(pack: RulePack) -> None:
    """A bad row gives `{row, id, error}` with all its problems, and later rows still run."""
    got = records(pack, csv_rows(pack, csv_text(PEOPLE)))
    assert got[3] == {
        "row": 4,
        "id": "A-4",
        "error": "age: 'forty' is not a whole number; "
        "sex: 'femal' is not one of female, male, other, prefer_not_to_say (did you mean "
        "'female'?)",
    }
    assert got[4]["candidacy"] == "candidate"


def test_csv_reads_bom_crlf_and_quoted_commas_and_newlines(pack: RulePack) -> None:
    """A UTF-8 BOM is dropped (by the caller's utf-8-sig), CRLF ends rows, quotes hold , and \\n."""
    text = csv_text([{**BASE_ANSWERS, "id": "Smith, Jo\nline two"}])
    assert "\r\n" in text
    data = ("\ufeff" + text).encode("utf-8")
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    [record] = records(pack, CsvRows(stream, pack, "in.csv"))
    assert record["id"] == "Smith, Jo\nline two"
    assert record["candidacy"] == "candidate"


def test_blank_rows_are_skipped_but_keep_their_numbers(pack: RulePack) -> None:
    """Blank lines and rows of empty cells give no record; row N stays spreadsheet row N+1."""
    lines = csv_text(PEOPLE[:2]).split("\r\n")
    text = "\r\n".join([lines[0], lines[1], "", ",,,", lines[2], ""])
    got = records(pack, csv_rows(pack, text))
    assert [(r["row"], r["id"]) for r in got] == [(1, "A-1"), (4, "A-2")]


def test_csv_without_an_id_column_gives_records_without_id(pack: RulePack) -> None:
    """Records carry `id` only when the input has an id column."""
    [record] = records(pack, csv_rows(pack, csv_text([BASE_ANSWERS], list(BASE_ANSWERS))))
    assert list(record) == ["row", "candidacy", "sessions", "rules", "reasons"]


def test_an_empty_id_cell_is_null(pack: RulePack) -> None:
    """An empty id cell gives `"id": null`: the column is there, the value is not."""
    [record] = records(pack, csv_rows(pack, csv_text([{**BASE_ANSWERS, "id": ""}])))
    assert record["id"] is None


def test_empty_cells_are_unanswered(pack: RulePack) -> None:
    """An empty cell is no answer: a default applies, a required question is reported."""
    person = {**BASE_ANSWERS, "id": "x", "sex": "", "recent_treatment_in_area": ""}
    columns = [*COLUMNS, "recent_treatment_in_area"]
    [record] = records(pack, csv_rows(pack, csv_text([person], columns)))
    assert record["error"] == "sex: required, but not answered"


def test_short_rows_leave_the_missing_cells_unanswered(pack: RulePack) -> None:
    """A row with fewer cells than the header has unanswered questions at its end."""
    text = "age,sex,medical_conditions\r\n35,female\r\n"
    [record] = records(pack, csv_rows(pack, text))
    assert record["row"] == 1
    assert "medical_conditions: required, but not answered" in record["error"]


def test_a_row_with_cells_beyond_the_header_is_rejected(pack: RulePack) -> None:
    """Extra non-empty cells reject the row (a shifted column); extra empty cells do not."""
    header = ",".join(COLUMNS)
    good = ",".join(["x", *(cell(v) for v in BASE_ANSWERS.values())])
    text = f"{header}\n{good},surplus\n{good},,\n"
    first, second = records(pack, csv_rows(pack, text))
    width = len(COLUMNS)
    assert first == {
        "row": 1,
        "id": "x",
        "error": f"the row has {width + 1} cells but the header has {width}",
    }
    assert second["candidacy"] == "candidate"


def test_csv_unknown_columns_are_listed(pack: RulePack) -> None:
    """Columns that name no question (nor `id`) are gathered for one warning."""
    rows = csv_rows(pack, "id,age,colour,,notes\n")
    assert rows.unknown == ["colour", "(unnamed column 4)", "notes"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("age,sex,age\n", "in.csv: column 'age' appears twice in the header"),
        (
            '{"age": 35}\n',
            "in.csv: the header names no question of the pack 'mesotherapy': its first row "
            "must hold question ids such as age, sex, concerns",
        ),
        (
            'age,"sex\n',
            "in.csv:1: the file ends inside a quoted cell (a quote that is never closed?)",
        ),
        (
            "\r\nage,sex\r\n35,female\r\n",
            "in.csv:1: the first line is blank, but it must be the header: question ids such as "
            "age, sex, concerns",
        ),
    ],
)
def test_an_unreadable_header_is_a_usage_error(pack: RulePack, text: str, message: str) -> None:
    """A header that cannot name the questions stops the run before any row."""
    with pytest.raises(UsageError) as raised:
        list(csv_rows(pack, text))
    assert raised.value.message == message


def test_text_that_is_not_utf8_is_a_usage_error(pack: RulePack) -> None:
    """Bytes that are not UTF-8 stop the run with a hint, not a traceback."""
    stream = io.TextIOWrapper(io.BytesIO(b"age\n\xff\xfe\n"), encoding="utf-8-sig", newline="")
    with pytest.raises(UsageError, match=r"in.csv: not UTF-8 text; save the export as UTF-8"):
        list(CsvRows(stream, pack, "in.csv"))


@pytest.mark.parametrize("text", ["", "age,sex,concerns\r\n"])
def test_an_empty_file_or_a_header_alone_gives_no_records(pack: RulePack, text: str) -> None:
    """No rows, no records, no error."""
    assert records(pack, csv_rows(pack, text)) == []


# -- JSON lines -------------------------------------------------------------------------------


def jsonl_rows(pack: RulePack, text: str) -> JsonlRows:
    return JsonlRows(io.StringIO(text), pack, "in.jsonl")


def test_jsonl_and_csv_give_the_same_records_for_the_same_rows(pack: RulePack) -> None:
    """The same answers as CSV cells or as JSON values give identical records."""
    as_csv = records(pack, csv_rows(pack, csv_text(PEOPLE)))
    as_jsonl = records(pack, jsonl_rows(pack, "".join(json.dumps(p) + "\n" for p in PEOPLE)))
    assert as_jsonl == as_csv


def test_jsonl_rows_are_line_numbers_and_blank_lines_are_skipped(pack: RulePack) -> None:
    """`row` is the line number; blank lines give no record."""
    text = json.dumps(BASE_ANSWERS) + "\n\n   \n" + json.dumps(BASE_ANSWERS)
    assert [r["row"] for r in records(pack, jsonl_rows(pack, text))] == [1, 4]


def test_jsonl_id_is_passed_through_as_given(pack: RulePack) -> None:
    """The `id` key is copied as it is (any JSON value); rows without one have no `id`."""
    lines = [{**BASE_ANSWERS, "id": 7}, BASE_ANSWERS, {**BASE_ANSWERS, "id": None}]
    got = records(pack, jsonl_rows(pack, "\n".join(json.dumps(x) for x in lines)))
    assert [r.get("id", "absent") for r in got] == [7, "absent", None]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            '{"age": 35,',
            "JSON syntax: Expecting property name enclosed in double quotes (column 12)",
        ),
        ("[1, 2]", "answers must be a mapping of question id to answer, not a list"),
        ('"text"', "answers must be a mapping of question id to answer, not a string"),
        ('{"age": NaN}', "age: NaN is not a valid answer"),
        ("[" * 100_000, "nested more than 10 levels deep"),  # as `assess` says it
    ],
)
def test_a_bad_json_line_is_a_rejected_row(pack: RulePack, line: str, error: str) -> None:
    """A line that is not an answers object is rejected in place; the next line still runs."""
    text = line + "\n" + json.dumps(BASE_ANSWERS) + "\n"
    first, second = records(pack, jsonl_rows(pack, text))
    assert first == {"row": 1, "error": error}
    assert second["candidacy"] == "candidate"


def test_jsonl_values_are_coerced_like_an_answers_file(pack: RulePack) -> None:
    """JSON numbers, booleans and lists are read as `assess --answers` reads them."""
    person = {**BASE_ANSWERS, "age": 35.0, "concerns": ["cellulite", "excess_fat"], "sex": 3}
    [record] = records(pack, jsonl_rows(pack, json.dumps(person)))
    assert record == expected(pack, 1, person)
    assert record["error"].startswith("sex: expected one of female")


def test_jsonl_unknown_keys_are_gathered_once_each(pack: RulePack) -> None:
    """Keys naming no question are collected as they are met, each once, in order."""
    lines = [{"age": 1, "colour": "red"}, {"notes": "", "colour": "blue"}, {"id": 3}]
    rows = jsonl_rows(pack, "\n".join(json.dumps(x) for x in lines))
    list(rows)
    assert rows.unknown == ["colour", "notes"]


# -- detail full, encoding, parity ------------------------------------------------------------


def test_full_detail_adds_the_report_of_assess(pack: RulePack) -> None:
    """`full` adds `report`, the exact JSON dict `assess --format json` writes."""
    from mesoguide.report import report_to_dict

    [record] = records(pack, csv_rows(pack, csv_text(PEOPLE[1:2])), full=True)
    raw = {k: cell(v) for k, v in PEOPLE[1].items() if k != "id"}
    report = report_to_dict(assess(pack, from_mapping(pack, raw)))
    assert record == {**expected(pack, 1, raw, id="A-2"), "report": report}


def test_the_json_line_is_json_dumps_of_the_record(pack: RulePack) -> None:
    """The fast line text equals json.dumps(record, ensure_ascii=False) for every kind of row."""
    people = [*PEOPLE, {**BASE_ANSWERS, "id": 'Zoë \u00e9\u2028 "q"'}]
    for full in (False, True):
        assessor = Assessor(pack, full)
        for number, person in enumerate(people * 2, 1):  # twice: cached briefs too
            row = Row(number, person, True, person["id"])
            record, line = assessor.line(row)
            assert record == assessor.record(row)
            assert line == json.dumps(record, ensure_ascii=False) + "\n"


ANSWER_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", "yes", "no", "Y", "0", "1", "maybe", "17", "35", "70", " 35 ", "-1"]),
    st.sampled_from(["female", "male", "slim", "days", "months", "regular", "rarely", "x"]),
    st.lists(
        st.sampled_from(
            ["cellulite", "wrinkles", "excess_fat", "other", "none", "cancer", "face", "chin"]
        ),
        max_size=3,
    ).map(";".join),
    st.integers(-2, 130),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional=dict.fromkeys(BASE_ANSWERS, ANSWER_VALUES))))
def test_every_row_gets_exactly_what_assess_gives(pack: RulePack, people: list[dict]) -> None:
    """Random answer sets, valid or not, give the record `assess` implies, line for line."""
    base = [{**BASE_ANSWERS, **person} for person in people]
    assessor = Assessor(pack)
    for number, raw in enumerate(base, 1):
        record, line = assessor.line(Row(number, raw))
        assert record == expected(pack, number, raw)
        assert json.loads(line) == record


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(BASE_ANSWERS)), st.text(max_size=12) | ANSWER_VALUES.filter(bool))
def test_a_walk_that_remembers_cells_agrees_with_one_that_does_not(
    pack: RulePack, question_id: str, raw: Any
) -> None:
    """Remembered coercion gives the same answers and the same problems, asked twice."""
    given = {**BASE_ANSWERS, question_id: raw}
    want = walk(pack, given)
    memos: Memos = {}
    for _ in range(2):
        assert walk(pack, given, memos) == want


# -- memos stay bounded ---------------------------------------------------------------------


def test_the_walk_keeps_at_most_memo_limit_cells_per_question(pack: RulePack) -> None:
    """More distinct cells than MEMO_LIMIT: each question's memo starts over, never grows past."""
    memos: Memos = {}
    sizes = []
    for n in range(3 * MEMO_LIMIT + 5):
        given = {**BASE_ANSWERS, "age": " " * (n // 100) + str(n % 100), "sex": f"x{n}"}
        answers, problems = walk(pack, given, memos)
        assert answers.values["age"] == n % 100  # distinct texts
        assert [problem.question for problem in problems] == ["sex"]
        sizes.append((len(memos["age"]), len(memos["sex"])))
    assert max(max(pair) for pair in sizes) == MEMO_LIMIT
    assert sizes[-1] == (5, 5)  # started over three times


def test_the_judge_remembers_at_most_its_limit_of_values_per_question(pack: RulePack) -> None:
    """More distinct ages than the judge's limit: the memo of `age` starts over, never grows
    past; an unhashable value is judged as its hashable twin, and not remembered."""
    judge = Judge(pack, limit=8)
    sizes = []
    for age in range(30):
        held = judge.held({"age": age})
        assert ("refer_under_18" in [r.id for r in judge.rules(held)]) is (age < 18)
        sizes.append(len(judge.memos["age"]))
    assert max(sizes) == 8
    assert sizes[-1] == 6  # started over three times
    before = len(judge.memos["concerns"])
    assert judge.held({"concerns": ["wrinkles"]}) == judge.held({"concerns": ("wrinkles",)})
    assert len(judge.memos["concerns"]) == before + 1


BITS = 13  # 2**13 = 8,192 sets of rules that hold: twice DECISION_LIMIT


def many_outcomes_pack(folder: Path) -> RulePack:
    """A pack of BITS yes/no questions, each with its own rule, so each answer set differs."""
    questions = "".join(f"  - {{id: q{i}, type: boolean, label: Q{i}}}\n" for i in range(BITS))
    rules = "".join(
        f"  - {{id: r{i}, when: {{question: q{i}, value: true}}, advice: [A{i}.], "
        "guidance: [P1]}\n"
        for i in range(BITS)
    )
    text = SMALL_PACK.split("questions:")[0] + "questions:\n" + questions + "rules:\n" + rules
    text += (
        "  - {id: decide, when: {any: [{question: q0, value: true}, {question: q0, value: false}]},"
        " outcome: maybe, explanation: Decided., guidance: [P2]}\n"
    )
    return load_pack(write_pack(folder, text))


def test_the_assessor_memo_of_briefs_stays_within_decision_limit(tmp_path: Path) -> None:
    """8,192 different sets of rules: the memo of briefs starts over rather than grow past."""
    pack = many_outcomes_pack(tmp_path)
    assessor = Assessor(pack)
    peak = 0
    for n in range(2**BITS):
        raw = {f"q{i}": bool(n >> i & 1) for i in range(BITS)}
        record, _ = assessor.line(Row(n + 1, raw))
        assert record["rules"] == [f"r{i}" for i in range(BITS) if n >> i & 1] + ["decide"]
        peak = max(peak, len(assessor._by_contribution))
    assert peak == DECISION_LIMIT
    assert max(map(len, assessor._judge.memos.values())) <= 2  # yes or no, per question


# -- CSV output cells and the tally ------------------------------------------------------------


def test_csv_cells_flatten_a_record(pack: RulePack) -> None:
    """Sessions split in two, rules and reasons `;`-joined, blanks where a field is absent."""
    got = [csv_cells(r) for r in records(pack, csv_rows(pack, csv_text(PEOPLE[1:4])))]
    refer, not_indicated, rejected = got
    assert refer[:5] == [1, "A-2", "refer", "", ""]
    assert refer[5].startswith("refer_under_18;refer_blood_thinners;cellulite_understand_first;")
    assert refer[6].startswith("You are under 18.")
    assert refer[6].count("any decision would need a parent or guardian") == 1 and refer[7] == ""
    assert not_indicated[2:5] == ["not_indicated", "", ""]
    assert rejected[:7] == [3, "A-4", "", "", "", "", ""]
    assert rejected[7].startswith("age: 'forty' is not a whole number; sex:")
    [candidate] = [csv_cells(r) for r in records(pack, csv_rows(pack, csv_text(PEOPLE[:1])))]
    assert candidate[2:5] == ["candidate", 10, 15]


def test_csv_cells_of_ids_that_are_not_text() -> None:
    """A JSON id that is not text is written as JSON; a missing id as an empty cell."""
    assert csv_cells({"row": 1, "id": 7, "error": "e"})[:2] == [1, "7"]
    assert csv_cells({"row": 1, "id": [1, "a"], "error": "e"})[:2] == [1, '[1, "a"]']
    assert csv_cells({"row": 1, "error": "e"})[:2] == [1, ""]


def test_the_tally_summary_counts_outcomes_and_shows_the_first_rejections(
    pack: RulePack,
) -> None:
    """One line of counts in the pack's outcome order, then up to five rejected rows."""
    tally = Tally.for_pack(pack)
    people = [*PEOPLE, *[{**PEOPLE[3], "id": f"B-{i}"} for i in range(6)]]
    for record in records(pack, csv_rows(pack, csv_text(people))):
        tally.add(record)
    reason = (
        "age: 'forty' is not a whole number; sex: 'femal' is not one of female, male, other, "
        "prefer_not_to_say (did you mean 'female'?)"
    )
    assert tally.summary() == [
        "11 rows read: 1 refer, 1 not_indicated, 2 candidate, 7 rejected",
        f"  row 4 (id A-4): {reason}",
        *[f"  row {6 + i} (id B-{i}): {reason}" for i in range(4)],
        "  ... and 2 more rejected rows",
    ]


def test_the_summary_of_nothing() -> None:
    """No rows reads as such."""
    assert Tally({"candidate": 0}).summary() == ["0 rows read: 0 candidate, 0 rejected"]


# -- what batch's speed rests on: compiled conditions mean what they say -----------------------

CHOICES = ["a", "b", "c"]
COMPARES = st.one_of(
    st.builds(
        Compare,
        st.just("n"),
        st.sampled_from(["eq", "ne", "lt", "le", "gt", "ge"]),
        st.integers(-2, 2),
    ),
    st.builds(
        Compare, st.just("n"), st.sampled_from(["in", "not_in"]), st.tuples(st.integers(-2, 2))
    ),
    st.builds(Compare, st.just("flag"), st.sampled_from(["eq", "ne"]), st.booleans()),
    st.builds(Compare, st.just("pick"), st.sampled_from(["eq", "ne"]), st.sampled_from(CHOICES)),
    st.builds(
        Compare,
        st.just("pick"),
        st.sampled_from(["in", "not_in"]),
        st.lists(st.sampled_from(CHOICES), min_size=1).map(tuple),
    ),
    st.builds(Compare, st.just("many"), st.just("contains"), st.sampled_from(CHOICES)),
    st.builds(
        Compare,
        st.just("many"),
        st.sampled_from(["contains_any", "contains_all"]),
        st.lists(st.sampled_from(CHOICES), min_size=1).map(tuple),
    ),
    st.builds(Compare, st.sampled_from(["n", "flag", "pick", "many"]), st.just("answered")),
)
CONDITIONS = st.recursive(
    COMPARES,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, max_size=5).map(lambda items: AllOf(tuple(items))),
        st.lists(inner, max_size=5).map(lambda items: AnyOf(tuple(items))),
    ),
    max_leaves=12,
)
ANSWER_SETS = st.fixed_dictionaries(
    {},
    optional={
        "n": st.integers(-3, 3),
        "flag": st.booleans(),
        "pick": st.sampled_from(CHOICES),
        "many": st.lists(st.sampled_from(CHOICES), unique=True).map(tuple),
    },
)


def meaning(condition: Condition, answers: dict[str, Any]) -> bool:
    """The documented meaning of a condition, read straight off the tree."""
    if isinstance(condition, Not):
        return not meaning(condition.item, answers)
    if isinstance(condition, AllOf):
        return all(meaning(item, answers) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(meaning(item, answers) for item in condition.items)
    qid, op, value = condition.question, condition.op, condition.value
    if op == "answered":
        return qid in answers
    if op.startswith("contains"):
        chosen = answers.get(qid, ())
        if op == "contains":
            return value in chosen
        test = any if op == "contains_any" else all
        return test(item in chosen for item in value)  # type: ignore[attr-defined]
    if qid not in answers:
        return False
    answer = answers[qid]
    return {
        "eq": lambda: answer == value,
        "ne": lambda: answer != value,
        "lt": lambda: answer < value,
        "le": lambda: answer <= value,
        "gt": lambda: answer > value,
        "ge": lambda: answer >= value,
        "in": lambda: answer in value,  # type: ignore[operator]
        "not_in": lambda: answer not in value,  # type: ignore[operator]
    }[op]()


@settings(max_examples=400, deadline=None)
@given(CONDITIONS, ANSWER_SETS)
def test_compiled_conditions_mean_what_they_say(condition: Condition, answers: dict) -> None:
    """The closures batch runs per row agree with the condition's meaning, missing answers too."""
    assert compile_condition(condition)(answers) is meaning(condition, answers)


def test_a_wrong_delimiter_is_named_with_the_column_map_in_mind(pack: RulePack) -> None:
    """`--delimiter ,` on a `;` export whose names only a column map knows: the hint says `;`."""
    column_map = parse_column_map("Gender: sex\nAge (years): age\n", "map.yaml", pack)
    stream = io.StringIO("Gender;Age (years)\nmale;40\n", newline="")
    with pytest.raises(UsageError) as caught:
        CsvRows(stream, pack, "in.csv", delimiter=",", column_map=column_map)
    assert caught.value.message == (
        "in.csv: the header names no question when split at ',', but does when split at ';': "
        "pass --delimiter ';', or leave --delimiter out to sniff it"
    )


@pytest.mark.parametrize("given", [None, ";"])
def test_a_sep_line_for_excel_gives_the_delimiter(pack: RulePack, given: str | None) -> None:
    """A first line `sep=;` names the delimiter and is no header; line numbers count it."""
    text = csv_text([BASE_ANSWERS]).replace(",", ";") + '"unclosed\n'  # lines 2 to 4
    rows = CsvRows(io.StringIO("sep=;\r\n" + text, newline=""), pack, "in.csv", delimiter=given)
    assert rows.delimiter == ";"
    with pytest.raises(UsageError) as caught:
        list(rows)
    assert caught.value.message.startswith("in.csv:4: ")
