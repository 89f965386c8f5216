"""The report for people (views.py): the text report, the Markdown handout; and the JSON."""
# ruff: noqa: E501 - expected output is compared whole, line for line

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from mesoguide.answers import format_answer
from mesoguide.engine import assess
from mesoguide.model import Report, RulePack
from mesoguide.report import SCHEMA_VERSION, render_json, report_to_dict
from mesoguide.runner import from_mapping
from mesoguide.views import render_markdown, render_text, text_report
from tests.conftest import BASE_ANSWERS

CANDIDATE = {
    "sex": "male",
    "cellulite_cause_belief": "excess_fat",
    "results_expected_within": "days",
}
REFER = {
    "pregnant_or_breastfeeding": True,
    "medical_conditions": ["diabetes"],
    "concerns": ["excess_fat"],
    "diet_and_exercise": "rarely",
}


def report_for(pack: RulePack, changes: dict[str, object]) -> Report:
    raw = dict(BASE_ANSWERS)
    raw.update(changes)
    return assess(pack, from_mapping(pack, raw))


CANDIDATE_TEXT = """\
╭─ You may be a candidate - discuss it with a professional ────────────────────╮
│ Your answers raise none of the precautions this questionnaire checks, so you │
│ may be a candidate. Only a medical professional can decide whether it is     │
│ right for you.                                                               │
╰──────────────────────────────────────────────────────────────────────────────╯

Why
  • You want to treat a concern that mesotherapy is offered for, and nothing in
    your answers calls for a clinician's review first. Whether you are in fact a
    candidate is decided with a medical professional, not by this questionnaire.
    [G9, G10]
  • Cellulite is a condition of the skin, not a fat problem. Being overweight
    does not cause it, and slim people get its lumpy, dimpled and sometimes
    discoloured look too. [G1, G3]
  • Cellulite is often thought of as a women's concern, but men have it too.
    [G2]
  • Do not expect results within days: any results tend to appear gradually,
    over several weeks to months. More invasive procedures can show results
    sooner, but they come with real recovery time and downtime. [G18, G20]
  • The clinic's article lists the chin, arms, abdomen, buttocks and thighs
    among the areas treated, and wrinkles on the face. [G15]
  • Mesotherapy is a course of small injections into the middle layer of the
    skin. The injections hold a mix of conventional and homeopathic medicines
    and vitamins, and may help with cellulite, wrinkles, sagging skin and excess
    fat. [G5, G6, G7]

Sessions and timeline
  About 10 to 15 sessions. This is the clinic's article's estimate for the best
  results. Any results tend to appear gradually, over several weeks to months.
  There is no standard plan: the clinician sets yours.

What to ask the clinic
  • Check the practitioner's medical credentials and their experience with
    mesotherapy. [G21]
  • Ask whether each ingredient is FDA-approved for the use proposed. No
    mesotherapy mixture is FDA-approved for cosmetic fat or cellulite treatment.
    [G22, FDA]
  • Ask about the long-term benefits you can expect, and choose a reputable
    clinic. [G14]
  • Have every question answered and every concern dealt with before the first
    session. [G23]

Advice
  • Ask a medical professional to explain your cellulite to you before you weigh
    up treatments. [G4]
  • Side effects differ from person to person. Some people feel heaviness or
    discomfort, and bruising, painful lumps, infection and scarring have been
    reported. [G16]
  • Good scientific evidence on how well and how safely mesotherapy works is
    limited. [EVIDENCE]
  • Talk to a qualified medical professional before any decision about
    treatment. Only they can decide whether mesotherapy is right for you. [G4,
    G10, G14]

Not answered
  • Do you form raised scars (keloids) or have a skin pigment disorder? — not
    answered (pack default: no)
  • Have you had surgery, laser, fillers or another treatment in the area
    recently? — not answered (pack default: no)

Guidance points cited
  G1       Cellulite is a skin condition rather than a fat problem.
  G2       Cellulite is found in men as well as women.
  G3       Being overweight does not cause cellulite; slim people can have it
           too.
  G4       Talk the condition over with a medical professional before thinking
           about treatment.
  G5       Mesotherapy is a course of injections into the middle layer of the
           skin.
  G6       It may help with cellulite, wrinkles, sagging skin and excess fat.
  G7       The injections hold a mix of conventional and homeopathic medicines
           and vitamins.
  G9       Anyone wanting to treat cellulite, wrinkles, excess fat or sagging
           skin may be a candidate.
  G10      Whether someone is a candidate is settled with a medical
           professional.
  G14      Long-term benefits are worth discussing with a professional at a
           reputable clinic.
  G15      Areas treated include the chin, arms, abdomen, buttocks, thighs and
           others, and wrinkles on the face.
  G16      Some people feel heaviness or discomfort; side effects differ from
           person to person.
  G18      Results show gradually, over several weeks to months.
  G20      More invasive procedures can show results sooner but need recovery
           time and downtime.
  G21      Choose the practitioner carefully and check their credentials.
  G22      Several ingredients need FDA approval for their intended use; ask
           about each one.
  G23      Have every question answered and every concern dealt with before
           treatment starts.
  EVIDENCE Good scientific evidence on how well and how safely mesotherapy works
           is limited. (source: published reviews)
  FDA      No mesotherapy mixture is FDA-approved for cosmetic fat or cellulite
           treatment; the only FDA-approved fat-dissolving injection
           (deoxycholic acid) is approved only for fat under the chin. (source:
           US Food and Drug Administration warnings (2010, 2023) and approvals
           (2015))

This questionnaire gives general information only; it is not a diagnosis or
medical advice, and only a medical professional can decide whether a treatment
is right for you.

Result: You may be a candidate - discuss it with a professional
"""

REFER_TEXT = """\
╭─ See a clinician before any treatment decision ──────────────────────────────╮
│ Something in your answers needs a clinician's review before any decision     │
│ about mesotherapy. This is a precaution, not a diagnosis.                    │
╰──────────────────────────────────────────────────────────────────────────────╯

See a clinician about
  • You said you are pregnant, may be pregnant, or are breastfeeding. Injectable
    cosmetic treatments are usually put off until after this time. [SAFETY]
  • You have diabetes, which can affect healing and the risk of infection after
    injections. [SAFETY]

Why
  • For excess fat, whether results last depends on your diet and exercise
    habits afterwards; without steady habits, any improvement may not be kept.
    [G13]
  • Mesotherapy is a course of small injections into the middle layer of the
    skin. The injections hold a mix of conventional and homeopathic medicines
    and vitamins, and may help with cellulite, wrinkles, sagging skin and excess
    fat. [G5, G6, G7]

Advice
  • Side effects differ from person to person. Some people feel heaviness or
    discomfort, and bruising, painful lumps, infection and scarring have been
    reported. [G16]
  • Good scientific evidence on how well and how safely mesotherapy works is
    limited. [EVIDENCE]
  • Talk to a qualified medical professional before any decision about
    treatment. Only they can decide whether mesotherapy is right for you. [G4,
    G10, G14]

Not answered
  • Do you form raised scars (keloids) or have a skin pigment disorder? — not
    answered (pack default: no)
  • Have you had surgery, laser, fillers or another treatment in the area
    recently? — not answered (pack default: no)

Guidance points cited
  G4       Talk the condition over with a medical professional before thinking
           about treatment.
  G5       Mesotherapy is a course of injections into the middle layer of the
           skin.
  G6       It may help with cellulite, wrinkles, sagging skin and excess fat.
  G7       The injections hold a mix of conventional and homeopathic medicines
           and vitamins.
  G10      Whether someone is a candidate is settled with a medical
           professional.
  G13      With body fat, diet and exercise decide whether results are kept.
  G14      Long-term benefits are worth discussing with a professional at a
           reputable clinic.
  G16      Some people feel heaviness or discomfort; side effects differ from
           person to person.
  EVIDENCE Good scientific evidence on how well and how safely mesotherapy works
           is limited. (source: published reviews)
  SAFETY   Common precautions for injectable cosmetic treatments call for a
           clinician's review first. (source: general injection-safety practice
           (prescribing information and clinic consent forms), not the article)

This questionnaire gives general information only; it is not a diagnosis or
medical advice, and only a medical professional can decide whether a treatment
is right for you.

Result: See a clinician before any treatment decision
"""

REFER_MARKDOWN = """\
# Mesotherapy candidacy questionnaire

## See a clinician before any treatment decision

Something in your answers needs a clinician's review before any decision about mesotherapy. This is a precaution, not a diagnosis.

## See a clinician about

- You said you are pregnant, may be pregnant, or are breastfeeding. Injectable cosmetic treatments are usually put off until after this time. *(SAFETY)*
- You have diabetes, which can affect healing and the risk of infection after injections. *(SAFETY)*

## Why

- For excess fat, whether results last depends on your diet and exercise habits afterwards; without steady habits, any improvement may not be kept. *(G13)*
- Mesotherapy is a course of small injections into the middle layer of the skin. The injections hold a mix of conventional and homeopathic medicines and vitamins, and may help with cellulite, wrinkles, sagging skin and excess fat. *(G5, G6, G7)*

## Advice

- Side effects differ from person to person. Some people feel heaviness or discomfort, and bruising, painful lumps, infection and scarring have been reported. *(G16)*
- Good scientific evidence on how well and how safely mesotherapy works is limited. *(EVIDENCE)*
- Talk to a qualified medical professional before any decision about treatment. Only they can decide whether mesotherapy is right for you. *(G4, G10, G14)*

## Your answers

| Question | Answer |
|---|---|
| How old are you? | 35 |
| What is your sex? | Female |
| What would you like to improve? | Excess fat |
| Which areas would you like treated? | Thighs |
| How would you describe your build? | Average |
| What do you think causes your cellulite? | not asked (did not apply) |
| Would you rather avoid surgery? | no |
| How soon do you hope to see results? | Within months |
| How many treatment sessions could you attend? | 12 |
| How often do you keep to a healthy diet and exercise? | Rarely |
| Is losing weight your main goal? | no |
| Are you pregnant, possibly pregnant, or breastfeeding? | yes |
| Do you take blood thinners or have a bleeding or clotting disorder? | no |
| Have you had an allergy to an injected medicine, a vitamin, or a local anaesthetic? | no |
| Is there an infection, rash, wound, cold sore or sunburn where you want treatment? | no |
| Do any of these apply to you? | Diabetes |
| Do you form raised scars (keloids) or have a skin pigment disorder? | not answered (pack default: no) |
| Have you had surgery, laser, fillers or another treatment in the area recently? | not answered (pack default: no) |

## Guidance points cited

- **G4**: Talk the condition over with a medical professional before thinking about treatment.
- **G5**: Mesotherapy is a course of injections into the middle layer of the skin.
- **G6**: It may help with cellulite, wrinkles, sagging skin and excess fat.
- **G7**: The injections hold a mix of conventional and homeopathic medicines and vitamins.
- **G10**: Whether someone is a candidate is settled with a medical professional.
- **G13**: With body fat, diet and exercise decide whether results are kept.
- **G14**: Long-term benefits are worth discussing with a professional at a reputable clinic.
- **G16**: Some people feel heaviness or discomfort; side effects differ from person to person.
- **EVIDENCE**: Good scientific evidence on how well and how safely mesotherapy works is limited. (source: published reviews)
- **SAFETY**: Common precautions for injectable cosmetic treatments call for a clinician's review first. (source: general injection-safety practice (prescribing information and clinic consent forms), not the article)

---

*This questionnaire gives general information only; it is not a diagnosis or medical advice, and only a medical professional can decide whether a treatment is right for you.*

<sub>Rule pack mesotherapy 1.0.0, sha256 {sha}</sub>
"""


def test_text_report_of_a_candidate_is_exactly_this(pack: RulePack) -> None:
    """A male candidate who blames fat and expects results in days: the whole text report."""
    assert render_text(report_for(pack, CANDIDATE), pack) == CANDIDATE_TEXT


def test_text_report_of_a_referral_is_exactly_this(pack: RulePack) -> None:
    """A pregnant person with diabetes: reasons first, no sessions, no clinic checklist."""
    assert render_text(report_for(pack, REFER), pack) == REFER_TEXT


def test_the_terminal_renderable_prints_the_same_text(pack: RulePack) -> None:
    """The rich renderable on a colourless 80-column console gives the same lines."""
    console = Console(file=io.StringIO(), width=80, color_system=None, force_terminal=False)
    console.print(text_report(report_for(pack, CANDIDATE), pack))
    printed = console.file.getvalue()
    assert "\x1b" not in printed
    assert [line.rstrip() for line in printed.splitlines()] == CANDIDATE_TEXT.splitlines()


def test_text_report_has_no_trailing_blanks_or_escape_codes(pack: RulePack) -> None:
    """Text for files and pipes has no escape codes and no trailing spaces."""
    text = render_text(report_for(pack, REFER), pack)
    assert "\x1b" not in text
    assert all(line == line.rstrip() for line in text.splitlines())


@pytest.mark.parametrize("width", [60, 50, 40])
def test_text_report_follows_the_width(pack: RulePack, width: int) -> None:
    """A narrower width wraps every line within it and cuts no word, the outcome's included."""
    report = report_for(pack, CANDIDATE)
    text = render_text(report, pack, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    flowing = " ".join(text.replace("│", " ").split())
    assert report.outcome.label in flowing and report.outcome.summary in flowing


def test_markdown_handout_is_exactly_this(pack: RulePack) -> None:
    """The Markdown handout: outcome, reasons, advice, the answers table, points cited, pack."""
    expected = REFER_MARKDOWN.replace("{sha}", pack.sha256[:12])
    assert render_markdown(report_for(pack, REFER), pack) == expected


def test_markdown_of_a_candidate_has_sessions_and_the_clinic_checklist(pack: RulePack) -> None:
    """A candidate's handout has the sessions section and what to ask the clinic."""
    text = render_markdown(report_for(pack, CANDIDATE), pack)
    assert (
        "\n## Sessions and timeline\n\nAbout 10 to 15 sessions. This is the clinic's article's estimate"
        in text
    )
    assert "\n## What to ask the clinic\n\n- Check the practitioner's" in text
    assert "- **G22**: " in text and "- **FDA**: " in text


def test_markdown_escapes_table_cells(pack: RulePack) -> None:
    """A pipe in a label cannot break the answers table."""
    from dataclasses import replace

    question = pack.question("age")
    odd = replace(pack, questions=(replace(question, label="Age | years"),))
    text = render_markdown(report_for(pack, {}), odd)
    assert "| Age \\| years | 35 |" in text


@pytest.mark.parametrize(
    ("question", "value", "shown"),
    [
        ("wants_to_avoid_surgery", True, "yes"),
        ("wants_to_avoid_surgery", False, "no"),
        ("sex", "prefer_not_to_say", "Prefer not to say"),
        ("concerns", ("cellulite", "other"), "Cellulite, Something else"),
        ("concerns", (), "(none)"),
        ("age", 0, "0"),
    ],
)
def test_format_answer_shows_labels(
    pack: RulePack, question: str, value: object, shown: str
) -> None:
    """Answers show as people read them: yes/no and choice labels."""
    assert format_answer(pack.question(question), value) == shown


# -- JSON --------------------------------------------------------------------------------------

FINDING_KEYS = {"rule": str, "text": str, "guidance": list}


@pytest.mark.parametrize("changes", [CANDIDATE, REFER, {"concerns": ["other"]}])
def test_json_has_every_documented_field_with_its_type(
    pack: RulePack, changes: dict[str, object]
) -> None:
    """The JSON report has exactly the documented fields, each of its documented type."""
    data = json.loads(render_json(report_for(pack, changes)))
    assert list(data) == [
        "schema_version",
        "candidacy",
        "outcome",
        "sessions",
        "timeline",
        "explanations",
        "referral_reasons",
        "clinic_checklist",
        "advice",
        "rules_fired",
        "answers",
        "pack",
        "disclaimer",
    ]
    assert data["schema_version"] == SCHEMA_VERSION == 2
    assert data["candidacy"] in {"candidate", "refer", "not_indicated"}
    assert set(data["outcome"]) == {"id", "label", "summary"}
    assert data["outcome"]["id"] == data["candidacy"]
    if data["candidacy"] == "candidate":
        assert data["sessions"] == {"min": 10, "max": 15}
        assert isinstance(data["timeline"], str)
    else:
        assert data["sessions"] is None and data["timeline"] is None
    for key in ("explanations", "referral_reasons", "clinic_checklist"):
        for finding in data[key]:
            assert {k: type(v) for k, v in finding.items()} == FINDING_KEYS
            assert all(isinstance(p, str) for p in finding["guidance"])
    assert all(isinstance(a, str) for a in data["advice"])
    assert any("medical professional" in a for a in data["advice"])
    assert all(isinstance(r, str) for r in data["rules_fired"])
    assert set(data["pack"]) == {"id", "version", "sha256"}
    assert data["pack"]["id"] == "mesotherapy"
    assert len(data["pack"]["sha256"]) == 64
    assert isinstance(data["disclaimer"], str)


def test_json_answers_carry_their_state_and_plain_json_values(pack: RulePack) -> None:
    """Every question is listed with its state; answered values keep their JSON types."""
    data = report_to_dict(report_for(pack, REFER))
    answers = data["answers"]
    assert list(answers) == [q.id for q in pack.questions]
    assert answers["age"] == {"state": "answered", "value": 35}
    assert answers["pregnant_or_breastfeeding"] == {"state": "answered", "value": True}
    assert answers["sex"] == {"state": "answered", "value": "female"}
    assert answers["concerns"] == {"state": "answered", "value": ["excess_fat"]}
    assert answers["medical_conditions"] == {"state": "answered", "value": ["diabetes"]}
    assert answers["cellulite_cause_belief"] == {"state": "not_asked", "value": None}
    # left blank: the pack's default counted, and the JSON says so rather than `false`
    assert answers["scarring_or_pigment_disorder"] == {
        "state": "default",
        "value": None,
        "default": False,
    }


def test_json_is_indented_utf8_text_ending_in_a_newline(pack: RulePack) -> None:
    """The JSON text is indented, keeps non-ASCII as is, and ends with one newline."""
    text = render_json(report_for(pack, CANDIDATE))
    assert text.startswith('{\n  "schema_version": 2,\n  "candidacy": "candidate",\n')
    assert text.endswith("}\n") and not text.endswith("\n\n")


def test_docs_output_documents_every_json_field(pack: RulePack) -> None:
    """docs/output.md has a row for every field, and its example has exactly these fields."""
    import re

    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    fields = list(report_to_dict(report_for(pack, REFER)))
    fields_table = doc[doc.index("| field | type | meaning |") :].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", fields_table, re.M)
    assert documented == fields
    example = re.search(r"```json\n(.+?)\n```", doc, re.S)
    assert example is not None
    assert list(json.loads(example.group(1))) == fields


def test_guidance_points_cited_sort_naturally_whatever_their_prefix() -> None:
    """Lists K5 before K10 and G2 before G10, numbered points before named ones."""
    from mesoguide.views import _point_order

    ids = ["SAFETY", "K10", "G10", "K5", "EVIDENCE", "G2", "M4a", "M4"]
    assert sorted(ids, key=_point_order) == [
        "G2", "G10", "K5", "K10", "M4", "M4a", "EVIDENCE", "SAFETY",
    ]  # fmt: skip
