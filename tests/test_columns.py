"""Headers against a pack: delimiters sniffed, names and labels matched, column maps, refusals."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

import pytest

from mesoguide.columns import Header, fold, match_header, parse_column_map, sniff
from mesoguide.errors import UsageError
from mesoguide.loader import load_pack
from mesoguide.model import RulePack

IDS = [
    "age",
    "sex",
    "concerns",
    "areas",
    "body_type",
    "cellulite_cause_belief",
    "wants_to_avoid_surgery",
    "results_expected_within",
    "sessions_possible",
    "diet_and_exercise",
    "goal_is_weight_loss",
    "pregnant_or_breastfeeding",
    "blood_thinners_or_bleeding_disorder",
    "ingredient_allergies",
    "skin_problem_in_area",
    "medical_conditions",
    "scarring_or_pigment_disorder",
    "recent_treatment_in_area",
]


def without(*dropped: str) -> list[str]:
    """Every question id of the built-in pack but ``dropped``, after an `id` column."""
    return [name for name in ("id", *IDS) if name not in dropped]


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("id,age,sex\r\n", ","),
        ("id;age;sex\r\n", ";"),
        ("id\tage\tsex\n", "\t"),
        ("age\n", ","),  # one column: nothing to tell, so the default
        ("colour;notes,x\n", ","),  # no question either way: the default wins a tie
        ("a;b;c,d\n", ";"),  # no question either way: the most cells
        # question texts hold commas; the `;` split still names more questions
        (
            "How old are you?;Right now, is there an infection, cold sore, rash, wound, inflamed acne or sunburn where you want treatment?;Sex\n",
            ";",
        ),
        ('"How old are you?","What is your sex?"\n', ","),
    ],
)
def test_sniffs_the_delimiter_that_names_most_questions(
    pack: RulePack, line: str, delimiter: str
) -> None:
    """The delimiter is the one whose cells name most questions, then the one with most cells."""
    assert sniff(line, pack) == delimiter


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Age", "age"),
        ("body_type", "body type"),
        (" How old  are you? ", "how old are you"),
        ("Sex *", "sex"),
    ],
)
def test_names_fold_to_one_key(name: str, key: str) -> None:
    """Case, `_`, runs of spaces and a trailing `?` or `*` do not matter."""
    assert fold(name) == key


def test_columns_match_ids_in_any_case_and_labels(pack: RulePack) -> None:
    """`Age`, `SEX`, `Body type` and a question's text each give their question's id."""
    header = match_header(
        ["ID", "Age", "SEX", "Body type", "What would you like to improve?", "notes"], pack
    )
    assert header == Header(
        ("id", "age", "sex", "body_type", "concerns", "notes"), id_index=0, unknown=["notes"]
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_header_reads_the_same_in_every_language_of_the_pack(lang: str) -> None:
    """Question texts in English or Spanish name their questions, and a look-alike column is
    refused, whatever language the run is in: a header never depends on --lang."""
    pack = load_pack(lang=lang)
    english = match_header(["id", "How old are you?", "What is your sex?"], pack)
    spanish = match_header(["id", "¿Cuántos años tiene?", "¿Cuál es su sexo?"], pack)
    assert english.keys == spanish.keys == ("id", "age", "sex")
    with pytest.raises(UsageError, match="both give age"):
        match_header(["How old are you?", "¿Cuántos años tiene?"], pack)
    with pytest.raises(UsageError, match=r"'keloids'.*scarring_or_pigment_disorder"):
        match_header(["id", *IDS[:-2], "keloids"], pack)


def test_the_id_column_can_be_named(pack: RulePack) -> None:
    """`--id-column` names the id column in any case; `id` is then an unknown column."""
    header = match_header(["Patient", "age", "id"], pack, id_column="patient")
    assert (header.keys, header.id_index, header.unknown) == (("id", "age", ""), 0, ["id"])


def test_ignored_columns_are_not_named_in_the_warning(pack: RulePack) -> None:
    """`--ignore-column` (any case) takes a column out of the warning, even one near a question."""
    header = match_header(["age", "Notes", "keloids"], pack, ignore=["notes", "KELOIDS"])
    assert (header.keys, header.unknown) == (("age", "Notes", "keloids"), [])


def test_an_ignored_question_column_gives_no_answer(pack: RulePack) -> None:
    """A column ignored on purpose keeps a key that no question reads, even when named `age`."""
    header = match_header(["sex", "age"], pack, ignore=["age"])
    assert header.keys == ("sex", "")


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            [*without("scarring_or_pigment_disorder"), "keloids"],
            "column 'keloids' names no question, but is close to scarring_or_pigment_disorder ('Do you form raised scars (keloids) or have a skin pigment disorder?'): name the column scarring_or_pigment_disorder (or map it with --columns MAP.yaml), or pass --ignore-column keloids if it answers none",
        ),
        (
            [*without("pregnant_or_breastfeeding"), "pregnant"],
            "column 'pregnant' names no question, but is close to pregnant_or_breastfeeding ('Are you pregnant, possibly pregnant, or breastfeeding?'): name the column pregnant_or_breastfeeding (or map it with --columns MAP.yaml), or pass --ignore-column pregnant if it answers none",
        ),
        (
            [*without("age"), "agee"],
            "column 'agee' names no question, but is close to age ('How old are you?'): name the column age (or map it with --columns MAP.yaml), or pass --ignore-column agee if it answers none",
        ),
        (
            [*without("id"), "Patient ID"],
            "column 'Patient ID' looks like the id column: pass --id-column 'Patient ID' (or --ignore-column 'Patient ID')",
        ),
        (
            [*without("id"), "PatientID"],
            "column 'PatientID' looks like the id column: pass --id-column PatientID (or --ignore-column PatientID)",
        ),
        (
            [*without("areas", "recent_treatment_in_area"), "Treatment area"],
            "column 'Treatment area' names no question, but is close to areas ('Which areas would you like treated?'); recent_treatment_in_area ('Have you recently had surgery, laser, fillers or another treatment in the area you want treated?'): name the column the question's id (or map it with --columns MAP.yaml), or pass --ignore-column 'Treatment area' if it answers none",
        ),
        (
            ["age", "Age"],
            "columns 'age' and 'Age' both give age: keep one, or pass --ignore-column for the other",
        ),
        (
            ["id", "age", "ID"],
            "columns 'id' and 'ID' both give id: keep one, or pass --ignore-column for the other",
        ),
        (["age", "sex", "age"], "column 'age' appears twice in the header"),
        (
            ["colour", "notes"],
            "the header names no question of the pack 'mesotherapy': its first row must hold question ids such as age, sex, concerns",
        ),
    ],
)
def test_unclear_columns_are_refused_naming_the_fix(
    pack: RulePack, names: list[str], message: str
) -> None:
    """A column near a question no other column gives, or given twice: refused with the fix."""
    with pytest.raises(UsageError) as caught:
        match_header(names, pack)
    assert caught.value.message == message


@pytest.mark.parametrize(
    "extra", ["Timestamp", "Email Address", "Notes", "source", "Gender", "Allergies"]
)
def test_a_column_far_from_any_missing_question_is_only_named(pack: RulePack, extra: str) -> None:
    """Columns a form tool adds (or near a question another column gives) are only warned of."""
    assert match_header([*without(), extra], pack).unknown == [extra]


def test_an_id_column_naming_nothing_is_refused(pack: RulePack) -> None:
    """`--id-column` must name a column of the header, with the nearest one suggested."""
    with pytest.raises(UsageError) as caught:
        match_header(["Patient", "age"], pack, id_column="Patients")
    assert caught.value.message == (
        "--id-column 'Patients' names no column (did you mean 'Patient'?); the columns: 'Patient', 'age'"
    )


MAP = """\
# our export's columns
Patient number: id
Age (years): age
Gender: sex
Notes:
"""


def test_a_column_map_renames_any_header(pack: RulePack) -> None:
    """Mapped names (any case) give their target; a name mapped to nothing is ignored."""
    column_map = parse_column_map(MAP, "map.yaml", pack)
    header = match_header(
        ["patient NUMBER", "Age (years)", "Gender", "notes"], pack, column_map=column_map
    )
    assert (header.keys, header.id_index, header.unknown) == (("id", "age", "sex", "notes"), 0, [])


def test_a_column_maps_names_that_are_not_in_the_header_are_noted(pack: RulePack) -> None:
    """A map's names that no column has are named in a note (one map, several exports)."""
    column_map = parse_column_map(MAP, "map.yaml", pack)
    header = match_header(["Age (years)", "sex"], pack, column_map=column_map)
    assert header.notes == [
        "map.yaml: no column of the header is named 'Patient number', 'Gender', 'Notes'"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Age: agee\nSex: sexx\n",
            "m.yaml:1: Age: 'agee' is no question of 'mesotherapy' (did you mean 'age'?)\nm.yaml:2: Sex: 'sexx' is no question of 'mesotherapy' (did you mean 'sex'?)",
        ),
        (
            "Smoker: yes\n",
            "m.yaml:1: Smoker: expected a question id or id, not a boolean (True; quote it)",
        ),
        ("Age: age\nAGE: age\n", "m.yaml:2: AGE: the same column as 'Age'"),
        (
            "[age, sex]\n",
            "m.yaml: a column map is a mapping of column name to question id, not a list",
        ),
        ("a: &x age\nb: *x\n", "m.yaml:2: YAML aliases (*name) are not allowed here"),
        (
            "Age: [age\n",
            "m.yaml:2: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence on line 1)",
        ),
    ],
)
def test_a_bad_column_map_is_refused_with_its_lines(
    pack: RulePack, text: str, message: str
) -> None:
    """Every wrong target of a column map is named with its line, before any row."""
    with pytest.raises(UsageError) as caught:
        parse_column_map(text, "m.yaml", pack)
    assert caught.value.message == message


def test_several_close_columns_are_listed_with_one_fix(pack: RulePack) -> None:
    """Two or more refused columns: one line each with the questions they may be, then the fix."""
    names = [*without("age", "id", "sessions_possible"), "Age (years)", "Patient ID", "Sessions"]
    with pytest.raises(UsageError) as caught:
        match_header(names, pack)
    assert caught.value.message.splitlines() == [
        "3 columns name no question, but are close to questions no column gives:",
        "'Age (years)': age?",
        "'Patient ID': id?",
        "'Sessions': sessions_possible?",
        "name each column as its question's id (--id-column for the id), or map them with --columns MAP.yaml; pass --ignore-column NAME for a column that answers none",
    ]


@pytest.mark.parametrize(
    ("name", "dropped"),
    [
        ("Height", "goal_is_weight_loss"),  # 'height' is not 'weight'
        ("Skin problem", "sessions_possible"),  # 'problem' is not 'possible'
        ("Stage", "age"),
    ],
)
def test_a_column_is_not_taken_for_a_question_by_a_look_alike_word(
    pack: RulePack, name: str, dropped: str
) -> None:
    """Words alike in letters but not in meaning do not make a column close to a question."""
    assert match_header([*without(dropped), name], pack).unknown == [name]
