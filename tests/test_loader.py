"""The pack loader: the one validation gate, each problem as `FILE:LINE: path: message`."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest

from mesoguide.errors import PackError
from mesoguide.loader import load_pack
from mesoguide.model import AllOf, Choice, Compare, Invariant, Question, Sessions, Statement

PACK = """\
pack:
  id: demo
  version: "1.0"
  title: Demo questionnaire
  treatment: demo
  disclaimer: General information only.
guidance:
  G1: Point one.
  SAFETY:
    text: A precaution.
    source: practice
outcomes:
  - {id: refer, label: See a clinician, summary: Ask first.}
  - {id: maybe, label: You may be a candidate, summary: Discuss it.}
questions:
  - id: age
    type: integer
    label: Age?
    min: 0
    max: 120
  - id: concerns
    type: multiple
    label: Concerns?
    min: 1
    choices:
      - {value: cellulite, label: Cellulite}
      - {value: none, label: None of these, exclusive: true}
  - id: belief
    type: choice
    label: Belief?
    when: {question: concerns, op: contains, value: cellulite}
    choices:
      - {value: fat, label: Fat}
      - {value: skin, label: Skin}
  - id: extra
    type: boolean
    label: Extra?
    required: false
    default: no
rules:
  - id: young
    when: {question: age, op: lt, value: 18}
    outcome: refer
    referral: Under 18.
    guidance: [SAFETY]
  - id: fat_belief
    when:
      all:
        - {question: concerns, op: contains, value: cellulite}
        - {question: belief, value: fat}
    explanation: It is a skin condition.
    guidance: [G1]
  - id: default
    outcome: maybe
    sessions: {min: 10, max: 15, timeline: Over weeks.}
"""


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "pack.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def problems(tmp_path: Path, text: str) -> list[str]:
    """The problem lines of a pack that must not load, with the folder name removed."""
    with pytest.raises(PackError) as caught:
        load_pack(write(tmp_path, text))
    return [line.replace(f"{tmp_path}/", "") for line in caught.value.lines()]


def edit(old: str, new: str) -> str:
    assert PACK.count(old) == 1, old
    return PACK.replace(old, new)


def test_loads_a_valid_pack_into_the_model(tmp_path: Path) -> None:
    """Builds the frozen model: questions with their choices, defaults, `when`, and rules."""
    file = write(tmp_path, PACK)
    pack = load_pack(file)
    assert (pack.id, pack.version, pack.title, pack.treatment) == (
        "demo",
        "1.0",
        "Demo questionnaire",
        "demo",
    )
    assert [q.id for q in pack.questions] == ["age", "concerns", "belief", "extra"]
    assert pack.question("concerns").choices == (
        Choice("cellulite", "Cellulite"),
        Choice("none", "None of these", exclusive=True),
    )
    assert pack.question("extra").default is False
    assert pack.question("extra").required is False
    assert pack.question("belief").when == Compare("concerns", "contains", "cellulite")
    assert pack.question("belief").line == 28
    assert pack.rules[1].when == AllOf(
        (Compare("concerns", "contains", "cellulite"), Compare("belief", "eq", "fat"))
    )
    assert pack.rules[2].sessions == Sessions(10, 15, "Over weeks.")
    assert pack.rules[2].line == 53
    assert [o.id for o in pack.outcomes] == ["refer", "maybe"]
    assert pack.guidance["SAFETY"].source == "practice"
    assert pack.sha256 == hashlib.sha256(file.read_bytes()).hexdigest()
    assert pack.ref.id == "demo"


def test_loads_advice_and_clinic_lines_with_guidance_of_their_own(tmp_path: Path) -> None:
    """A `{text, guidance}` line mirrors its own points; a plain line its rule's."""
    text = edit(
        "    explanation: It is a skin condition.\n",
        "    advice:\n      - Plain.\n      - {text: Own., guidance: [SAFETY, G1]}\n"
        "    clinic: {text: Ask., guidance: SAFETY}\n",
    )
    rule = load_pack(write(tmp_path, text)).rules[1]
    assert rule.advice == (Statement("Plain."), Statement("Own.", ("SAFETY", "G1")))
    assert rule.clinic == (Statement("Ask.", ("SAFETY",)),)
    assert [rule.cites(line) for line in (*rule.advice, *rule.clinic)] == [
        ("G1",),
        ("SAFETY", "G1"),
        ("SAFETY",),
    ]
    assert rule.cited == ("G1", "SAFETY")


def test_sessions_carry_the_guidance_of_their_rule(tmp_path: Path) -> None:
    """The loader gives a rule's sessions its guidance points, so a report can cite them."""
    text = edit("    sessions: {min: 10, max: 15, timeline: Over weeks.}\n",
                "    sessions: {min: 10, max: 15, timeline: Over weeks.}\n    guidance: [G1]\n")  # fmt: skip
    sessions = load_pack(write(tmp_path, text)).rules[2].sessions
    assert sessions is not None and sessions.guidance == ("G1",)


def test_loads_a_pack_folder_by_its_pack_yaml(tmp_path: Path) -> None:
    """A folder stands for the `pack.yaml` inside it."""
    write(tmp_path, PACK)
    assert load_pack(tmp_path).path == tmp_path / "pack.yaml"


def test_compiles_conditions_once(tmp_path: Path) -> None:
    """Question and rule conditions are compiled when the pack loads."""
    pack = load_pack(write(tmp_path, PACK))
    assert pack.question_tests["belief"]({"concerns": ("cellulite",)})
    assert not pack.question_tests["belief"]({"concerns": ("none",)})
    assert pack.rule_tests["young"]({"age": 17})
    assert pack.rule_tests["default"]({})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # conditions: unknown names, with did-you-mean
        ("when: {question: age, op: lt, value: 18}", "when: {question: ag, op: lt, value: 18}",
         ["pack.yaml:42: rules[0].when: unknown question 'ag' (did you mean 'age'?)"]),
        ("{question: belief, value: fat}", "{question: belief, value: fatt}",
         ["pack.yaml:50: rules[1].when.all[1]: 'fatt' is not a choice of 'belief' (did you mean 'fat'?); choices: fat, skin"]),
        ("when: {question: concerns, op: contains, value: cellulite}", "when: {question: concerns, op: contains, value: celulite}",
         ["pack.yaml:31: questions[2].when: 'celulite' is not a choice of 'concerns' (did you mean 'cellulite'?); choices: cellulite, none"]),
        ("when: {question: age, op: lt, value: 18}", "when: {question: age, op: lesser, value: 18}",
         ["pack.yaml:42: rules[0].when.op: unknown operator 'lesser'; one of eq, ne, lt, le, gt, ge, in, not_in, contains, contains_any, contains_all, answered"]),
        ("when: {question: age, op: lt, value: 18}", "when: {question: age, op: contains, value: 18}",
         ["pack.yaml:42: rules[0].when: operator 'contains' does not apply to integer question 'age'; use one of answered, eq, ge, gt, in, le, lt, ne, not_in"]),
        ("when: {question: age, op: lt, value: 18}", "when: {question: age, op: lt, value: '18'}",
         ["pack.yaml:42: rules[0].when: 'age' is an integer question: '18' is not a whole number"]),
        ("when: {question: age, op: lt, value: 18}", "when: {qestion: age, op: lt, value: 18}",
         ["pack.yaml:42: rules[0].when: unknown key 'qestion' (did you mean 'question'?)"]),
        # question order in `when`
        ("when: {question: concerns, op: contains, value: cellulite}", "when: {question: extra, value: true}",
         ["pack.yaml:31: questions[2].when: question 'extra' is asked after 'belief': a 'when' may only use questions asked before it"]),
        ("when: {question: concerns, op: contains, value: cellulite}", "when: {question: belief, value: fat}",
         ["pack.yaml:31: questions[2].when: question 'belief' cannot depend on itself"]),
        # keys and types
        ("    label: Age?\n", "    label: Age?\n    lable: Age\n",
         ["pack.yaml:19: questions[0].lable: unknown key 'lable' (did you mean 'label'?); allowed: id, type, label, help, choices, min, max, step, unit, max_length, required, default, when, screen"]),
        ("    type: integer\n", "    type: int\n",
         ["pack.yaml:17: questions[0].type: type 'int' is not one of integer, decimal, boolean, choice, multiple, text (did you mean 'integer'?)"]),
        ("    min: 0\n    max: 120\n", "    min: 121\n    max: 120\n",
         ["pack.yaml:19: questions[0].min: min 121 is greater than max 120"]),
        ("  - id: extra\n    type: boolean\n", "  - id: extra\n    type: boolean\n    choices: [{value: a, label: A}]\n",
         ["pack.yaml:37: questions[3].choices: a boolean question has no choices"]),
        ("    default: no\n", "    default: maybe\n",
         ["pack.yaml:39: questions[3].default: default 'maybe': 'maybe' is not yes or no (yes/no/true/false/y/n/1/0)"]),
        ("      - {value: fat, label: Fat}\n", "      - {value: fat, label: Fat, exclusive: true}\n",
         ["pack.yaml:33: questions[2].choices[0].exclusive: only a multiple-choice question has exclusive choices"]),
        ("      - {value: skin, label: Skin}\n", "      - {value: fat, label: Skin}\n",
         ["pack.yaml:34: questions[2].choices[1].value: duplicate choice value 'fat'"]),
        ("      - {value: skin, label: Skin}\n", "      - {value: 2026-01-01, label: Skin}\n",
         ["pack.yaml:34: questions[2].choices[1].value: expected a name, got date datetime.date(2026, 1, 1) (quote it in YAML)"]),
        ("  - id: extra\n", "  - id: age\n",
         ["pack.yaml:35: questions[3].id: duplicate question id 'age'"]),
        # rules
        ("    outcome: refer\n", "    outcome: refr\n",
         ["pack.yaml:43: rules[0].outcome: unknown outcome 'refr' (did you mean 'refer'?); outcomes: refer, maybe"]),
        ("    outcome: refer\n", "    outcome: no\n",
         ["pack.yaml:43: rules[0].outcome: expected an outcome id, got a boolean False (quote it in YAML)"]),
        ("    guidance: [G1]\n", "    guidance: [G11]\n",
         ["pack.yaml:52: rules[1].guidance[0]: unknown guidance point 'G11' (did you mean 'G1'?)"]),
        ("    explanation: It is a skin condition.\n", "",
         ["pack.yaml:46: rules[1]: rule 'fat_belief' has no effect: give it one of outcome, sessions, explanation, referral, advice, clinic"]),
        ("  - id: default\n", "  - id: young\n",
         ["pack.yaml:53: rules[2].id: duplicate rule id 'young'"]),
        # advice and clinic lines with guidance of their own
        ("    explanation: It is a skin condition.\n", "    advice:\n      - Plain.\n      - {text: Own., guidance: [G11]}\n",
         ["pack.yaml:53: rules[1].advice[1].guidance[0]: unknown guidance point 'G11' (did you mean 'G1'?)"]),
        ("    explanation: It is a skin condition.\n", "    clinic: {text: Own., guidance: SAFTY}\n",
         ["pack.yaml:51: rules[1].clinic.guidance: unknown guidance point 'SAFTY' (did you mean 'SAFETY'?)"]),
        ("    explanation: It is a skin condition.\n", "    advice:\n      - {text: Own.}\n",
         ["pack.yaml:52: rules[1].advice[0]: 'guidance' is required in a {text, guidance} line; a line that mirrors its rule's guidance is plain text"]),
        ("    explanation: It is a skin condition.\n", "    advice:\n      - {guidance: [G1]}\n",
         ["pack.yaml:52: rules[1].advice[0]: 'text' is required"]),
        ("    explanation: It is a skin condition.\n", "    advice:\n      - {text: Own., guidance: [G1], source: x}\n",
         ["pack.yaml:52: rules[1].advice[0].source: unknown key 'source'; allowed: text, guidance"]),
        ("    explanation: It is a skin condition.\n", "    clinic: [Plain., 3]\n",
         ["pack.yaml:51: rules[1].clinic[1]: expected text or {text, guidance}, got an integer"]),
        ("    sessions: {min: 10, max: 15, timeline: Over weeks.}", "    sessions: {min: 15, max: 10}",
         ["pack.yaml:55: rules[2].sessions: sessions min 15 and max 10 do not make a range"]),
        ("    outcome: maybe\n", "    outcome: maybe\n    if_outcome: [maybe]\n",
         ["pack.yaml:55: rules[2].if_outcome: a rule that sets the outcome cannot depend on it"]),
        # the pack's own fields
        ('  version: "1.0"\n', "",
         ["pack.yaml:1: pack.version: 'version' is required, as text such as \"1.0.0\""]),
        ("  id: demo\n", "  id: Demo-Pack\n",
         ["pack.yaml:2: pack.id: 'Demo-Pack' is not a valid name (letters, digits and _ only)"]),
        ("pack:\n", "pak:\n",
         ["pack.yaml:1: pak: unknown key 'pak' (did you mean 'pack'?); allowed: pack, guidance, outcomes, questions, rules, invariants",
          "pack.yaml:1: 'pack' is required (id, version, title, ...)"]),
    ],
)  # fmt: skip
def test_reports_a_problem_where_it_is(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    """Names the file, the line, the YAML path, what is wrong and the nearest valid name."""
    assert problems(tmp_path, edit(old, new)) == expected


def test_reports_every_problem_at_once(tmp_path: Path) -> None:
    """Collects all problems of a pack in one error, in file order."""
    text = edit("    type: integer\n", "    type: int\n").replace(
        "    outcome: refer\n", "    outcome: refr\n"
    )
    text = text.replace("  title: Demo questionnaire\n", "")
    assert problems(tmp_path, text) == [
        "pack.yaml:1: pack: 'title' is required",
        "pack.yaml:16: questions[0].type: type 'int' is not one of integer, decimal, boolean, choice, multiple, text (did you mean 'integer'?)",
        "pack.yaml:42: rules[0].outcome: unknown outcome 'refr' (did you mean 'refer'?); outcomes: refer, maybe",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["pack.yaml: the rule pack is empty"]),  # no line to point at
        ("- a\n- b\n", ["pack.yaml:1: a rule pack is a mapping (pack, guidance, outcomes, questions, rules, invariants), not a list"]),
        ("pack: {}\n", [
            "pack.yaml:1: pack: 'id' is required",
            "pack.yaml:1: pack.version: 'version' is required, as text such as \"1.0.0\"",
            "pack.yaml:1: pack: 'title' is required",
            "pack.yaml:1: pack: 'treatment' is required",
            "pack.yaml:1: pack: 'disclaimer' is required",
            "pack.yaml:1: 'outcomes' is required",
            "pack.yaml:1: 'questions' is required",
            "pack.yaml:1: 'rules' is required",
        ]),
        ("a: 1\na: 2\n", ["pack.yaml:2: duplicate key 'a'"]),
        ("pack: [\n", ["pack.yaml:2: YAML syntax: did not find expected node content"]),
    ],
)  # fmt: skip
def test_reports_unusable_files(tmp_path: Path, text: str, expected: list[str]) -> None:
    """An empty, malformed or skeletal pack gets every problem it has."""
    assert problems(tmp_path, text) == expected


def test_reports_a_missing_pack_and_a_folder_without_one(tmp_path: Path) -> None:
    """A missing file, and a folder with no `pack.yaml`, are named plainly."""
    with pytest.raises(PackError) as missing:
        load_pack(tmp_path / "nope.yaml")
    assert missing.value.lines() == [f"{tmp_path}/nope.yaml: no such rule pack"]
    with pytest.raises(PackError) as empty:
        load_pack(tmp_path)
    assert empty.value.lines() == [f"{tmp_path}/pack.yaml: rule pack folder has no pack.yaml"]


def test_refuses_a_binary_pack(tmp_path: Path) -> None:
    """A binary file is refused before it is parsed."""
    (tmp_path / "pack.yaml").write_bytes(b"\x00\x01\x02")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path)
    assert caught.value.lines() == [f"{tmp_path}/pack.yaml: rule pack is binary, not text"]


def test_pack_error_exits_with_code_3(tmp_path: Path) -> None:
    """A pack problem maps to exit code 3 (invalid pack)."""
    with pytest.raises(PackError) as caught:
        load_pack(write(tmp_path, ""))
    assert int(caught.value.exit_code) == 3


def test_the_default_pack_loads(pack: object) -> None:
    """The built-in mesotherapy pack passes the gate."""
    from mesoguide.model import RulePack

    assert isinstance(pack, RulePack)
    assert pack.id == "mesotherapy"


def test_a_folder_of_packs_names_the_packs_inside(tmp_path: Path) -> None:
    """Pointing at a folder of pack folders says which packs are inside it."""
    for name in ("b_pack", "a_pack"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pack.yaml").write_text("pack: {}\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}/pack.yaml: rule pack folder has no pack.yaml; the packs inside it are "
        f"{tmp_path}/a_pack, {tmp_path}/b_pack"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('version: "1.0"', "version: 1.10", ['pack.yaml:3: pack.version: version 1.1 must be quoted text, such as "1.0.0"']),
        ("  - id: extra\n", '  - id: "extra\\n"\n', ["pack.yaml:35: questions[3].id: 'extra\\n' is not a valid name (letters, digits and _ only)"]),
        ("  - id: extra\n", "  - id: [extra]\n", ["pack.yaml:35: questions[3].id: expected a name, got a list ['extra'] (quote it in YAML)"]),
    ],
)  # fmt: skip
def test_refuses_what_would_load_wrongly(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    """A float version, a name with a line break, a list as an id: each one message, no crash."""
    assert problems(tmp_path, edit(old, new)) == expected


def test_a_pack_needs_a_question(tmp_path: Path) -> None:
    """An empty question list is refused (there would be nothing to ask)."""
    text = (
        PACK[: PACK.index("questions:\n")] + "questions: []\nrules:\n  - {id: d, outcome: maybe}\n"
    )
    assert problems(tmp_path, text) == [
        "pack.yaml:15: questions: a pack needs at least one question"
    ]


INVARIANTS = """\
invariants:
  - id: minors_referred
    when: {question: age, op: lt, value: 18}
    outcome: refer
    not_contributes: [fat_belief]
  - id: plan_for_all
    contributes: default
    sessions: given
    exclusive: [young, fat_belief]
"""


def test_loads_invariants_into_the_model(tmp_path: Path) -> None:
    """Reads each invariant's `when` and claims; a single name stands for a list of one."""
    pack = load_pack(write(tmp_path, PACK + INVARIANTS))
    assert pack.invariants == (
        Invariant(
            "minors_referred",
            when=Compare("age", "lt", 18),
            outcome_in=("refer",),
            not_contributes=("fat_belief",),
            line=57,
        ),
        Invariant(
            "plan_for_all",
            contributes=("default",),
            sessions="given",
            exclusive=("young", "fat_belief"),
            line=61,
        ),
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    outcome: refer\n    not", "    outcome: refr\n    not",
         ["pack.yaml:59: invariants[0].outcome: unknown outcome 'refr' (did you mean 'refer'?); outcomes: refer, maybe"]),
        ("    outcome: refer\n    not", "    outcome_in: [maybe, refer]\n    outcome: refer\n    not",
         ["pack.yaml:59: invariants[0].outcome_in: give 'outcome' or 'outcome_in', not both: put every outcome in 'outcome_in'"]),
        ("    outcome: refer\n    not", "    outcome: [refer]\n    not",
         ["pack.yaml:59: invariants[0].outcome: one outcome id; for several, use 'outcome_in: [...]'"]),
        ("not_contributes: [fat_belief]", "not_contributes: [fat_belif]",
         ["pack.yaml:60: invariants[0].not_contributes[0]: unknown rule 'fat_belif' (did you mean 'fat_belief'?)"]),
        ("    contributes: default\n", "    contributes: defualt\n",
         ["pack.yaml:62: invariants[1].contributes: unknown rule 'defualt' (did you mean 'default'?)"]),
        ("    sessions: given\n", "    sessions: no\n",
         ["pack.yaml:63: invariants[1].sessions: expected none or given, got a boolean False (quote it in YAML: 'none')"]),
        ("    sessions: given\n", "    sessions: gven\n",
         ["pack.yaml:63: invariants[1].sessions: expected none or given, got a string 'gven' (did you mean 'given'?)"]),
        ("exclusive: [young, fat_belief]", "exclusive: [young, young]",
         ["pack.yaml:64: invariants[1].exclusive: name at least two rules that may not contribute together"]),
        ("    outcome: refer\n    not", "    outcome: no\n    not",
         ["pack.yaml:59: invariants[0].outcome: expected outcome ids, got a boolean False (quote it in YAML)"]),
        ("    when: {question: age, op: lt, value: 18}\n", "    when: {question: aeg, op: lt, value: 18}\n",
         ["pack.yaml:58: invariants[0].when: unknown question 'aeg' (did you mean 'age'?)"]),
        ("  - id: plan_for_all\n", "  - id: minors_referred\n",
         ["pack.yaml:61: invariants[1].id: duplicate invariant id 'minors_referred'"]),
        ("    outcome: refer\n    not_contributes: [fat_belief]\n", "    outcme: refer\n",
         ["pack.yaml:59: invariants[0].outcme: unknown key 'outcme' (did you mean 'outcome'?); allowed: id, when, outcome, outcome_in, contributes, not_contributes, sessions, exclusive",
          "pack.yaml:57: invariants[0]: invariant 'minors_referred' claims nothing: give it one of outcome, outcome_in, contributes, not_contributes, sessions, exclusive"]),
    ],
)  # fmt: skip
def test_reports_an_invariant_problem_where_it_is(
    tmp_path: Path, old: str, new: str, expected: list[str]
) -> None:
    """Names the line and path of a bad invariant, with the nearest valid name and the fix."""
    assert INVARIANTS.count(old) == 1, old
    assert problems(tmp_path, PACK + INVARIANTS.replace(old, new)) == expected


def test_a_pack_loads_from_its_bytes_as_from_its_file(tmp_path: Path) -> None:
    """Loads a pack from stored bytes with the same model and sha256 as from the file."""
    from mesoguide.loader import load_pack_bytes

    file = tmp_path / "pack.yaml"
    file.write_text(PACK, encoding="utf-8")
    from_bytes = load_pack_bytes(PACK.encode("utf-8"), file)
    assert from_bytes == load_pack(file)
    assert from_bytes.sha256 == hashlib.sha256(PACK.encode("utf-8")).hexdigest()


def test_a_pack_from_bytes_reports_problems_under_the_name_given() -> None:
    """Names the given file in the problems of a pack loaded from bytes."""
    from mesoguide.loader import load_pack_bytes

    with pytest.raises(PackError) as raised:
        load_pack_bytes(b"pack: [", Path("stored:abc"))
    assert str(raised.value).startswith("stored:abc:")


def test_a_referral_may_not_hold_the_csv_reasons_separator(tmp_path: Path) -> None:
    """A ';' in a referral would split it in two in batch's CSV `reasons` cell: refused."""
    text = PACK.replace("referral: Under 18.", "referral: Under 18; see someone.")
    assert "referral: Under 18; see someone." in text
    with pytest.raises(PackError) as caught:
        load_pack(write(tmp_path, text))
    assert any(
        "referral may not hold ';', which separates the reasons in batch's CSV" in str(p)
        for p in caught.value.problems
    )


AFTER = "    default: no\nrules:\n"


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("  - {id: bmi, type: decimal, label: BMI?, min: ten}\n",
         ["pack.yaml:40: questions[4].min: expected a number, got a string 'ten'"]),
        ("  - {id: bmi, type: decimal, label: BMI?, min: 40.5, max: 10}\n",
         ["pack.yaml:40: questions[4].min: min 40.5 is greater than max 10"]),
        ("  - {id: bmi, type: decimal, label: BMI?, min: 1.0e+300}\n",
         ["pack.yaml:40: questions[4].min: 1E+300 has more than 15 digits, as no answer may"]),
        ("  - {id: bmi, type: decimal, label: BMI?, step: 0.0000000000000001}\n",
         ["pack.yaml:40: questions[4].step: 1E-16 has more than 15 digits, as no answer may"]),
        ("  - {id: bmi, type: decimal, label: BMI?}\n"
         "  - {id: more, type: boolean, label: More?, when: {question: bmi, op: in, value: [1, .inf]}}\n",
         ["pack.yaml:41: questions[5].when: 'bmi' is a decimal question: inf is not a finite number"]),
        ("  - {id: bmi, type: decimal, label: BMI?, step: 0}\n",
         ["pack.yaml:40: questions[4].step: step 0 is not above 0"]),
        ("  - {id: n, type: integer, label: N?, step: 1, unit: kg}\n",
         ["pack.yaml:40: questions[4].step: 'step' applies to a decimal question only, not to this integer one",
          "pack.yaml:40: questions[4].unit: 'unit' applies to a decimal question only, not to this integer one"]),
        ("  - {id: meds, type: text, label: Medicines?, max_length: 0}\n",
         ["pack.yaml:40: questions[4].max_length: max_length 0 is not from 1 to 10,000"]),
        ("  - {id: meds, type: text, label: Medicines?, min: 1}\n",
         ["pack.yaml:40: questions[4]: 'min' and 'max' do not apply to a text question"]),
        ("  - {id: meds, type: text, label: Medicines?, choices: [{value: a, label: A}]}\n",
         ["pack.yaml:40: questions[4].choices: a text question has no choices"]),
        ("  - {id: meds, type: text, label: Medicines?, required: false}\n"
         "  - {id: more, type: boolean, label: More?, when: {question: meds, op: eq, value: none}}\n",
         ["pack.yaml:41: questions[5].when: operator 'eq' does not apply to text question 'meds': a free text can only be tested with 'answered' (use a choice question to compare answers)"]),
        ("  - {id: bmi, type: decimal, label: BMI?}\n"
         "  - {id: more, type: boolean, label: More?, when: {question: bmi, op: ge, value: '40'}}\n",
         ["pack.yaml:41: questions[5].when: 'bmi' is a decimal question: '40' is not a number"]),
        ("  - id: product\n    type: choice\n    label: Product?\n    choices:\n"
         "      - {value: a, label: A, other: 3}\n",
         ["pack.yaml:44: questions[4].choices[0].other: expected true, false or the follow-up question's label, got an integer"]),
        ("  - id: product\n    type: multiple\n    label: Product?\n    choices:\n"
         "      - {value: a, label: A, other: true}\n      - {value: b, label: B, other: true}\n",
         ["pack.yaml:45: questions[4].choices[1].other: question 'product' already has an 'other' choice ('a'): one per question"]),
        ("  - id: product\n    type: choice\n    label: Product?\n    choices:\n"
         "      - {value: a, label: A, other: true}\n"
         "  - {id: product_other, type: text, label: Which?}\n",
         ["pack.yaml:44: questions[4].choices[0].other: the 'other' choice opens question 'product_other', and the pack has a question of that id already: rename it"]),
    ],
)  # fmt: skip
def test_reports_a_problem_of_the_new_question_types(
    tmp_path: Path, new: str, expected: list[str]
) -> None:
    """Decimal, text and "other" choices: each mistake at its line, with the fix."""
    assert problems(tmp_path, edit(AFTER, "    default: no\n" + new + "rules:\n")) == expected


def test_loads_decimal_thresholds_exactly(tmp_path: Path) -> None:
    """A decimal question's limits, step and thresholds are the decimals written, not floats."""
    new = (
        "  - {id: bmi, type: decimal, label: BMI?, min: 10, max: 80.5, step: 0.1, unit: kg/m²}\n"
        "  - {id: more, type: boolean, label: More?, when: {question: bmi, op: in, value: [39.9, 40]}}\n"
    )
    pack = load_pack(write(tmp_path, edit(AFTER, "    default: no\n" + new + "rules:\n")))
    bmi = pack.question("bmi")
    assert (bmi.min, bmi.max, bmi.step, bmi.unit) == (
        Decimal("10"), Decimal("80.5"), Decimal("0.1"), "kg/m²",
    )  # fmt: skip
    assert pack.question("more").when == Compare("bmi", "in", (Decimal("39.9"), Decimal("40")))


def test_an_other_choice_adds_its_text_question_after_the_question(tmp_path: Path) -> None:
    """`other: true` adds `<id>_other`, a required text asked when the choice is chosen;
    `other: LABEL` names its label."""
    new = (
        "  - id: product\n    type: multiple\n    label: Product?\n    when: {question: age, op: ge, value: 18}\n"
        "    choices:\n      - {value: a, label: A}\n      - {value: else, label: Something else, other: Which product?}\n"
        "  - id: place\n    type: choice\n    label: Place?\n    choices:\n      - {value: elsewhere, label: Elsewhere, other: true}\n"
    )
    pack = load_pack(write(tmp_path, edit(AFTER, "    default: no\n" + new + "rules:\n")))
    assert [q.id for q in pack.questions][-4:] == [
        "product",
        "product_other",
        "place",
        "place_other",
    ]
    assert pack.question("product_other") == Question(
        "product_other", "text", "Which product?",
        when=AllOf((Compare("age", "ge", 18), Compare("product", "contains", "else"))),
        line=46, other_of="product",
    )  # fmt: skip
    assert pack.question("place_other").label == "Elsewhere: please specify"
    assert pack.question("place_other").when == Compare("place", "eq", "elsewhere")
