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
│ You chose a concern that the article this questionnaire draws on lists, and  │
│ you did not report any of the conditions that would mean seeing a clinician  │
│ first, so you may be a candidate. Only a medical professional can decide     │
│ whether mesotherapy is right for you: tell them about any notes below.       │
╰──────────────────────────────────────────────────────────────────────────────╯

Why
  • The article this questionnaire draws on says anyone who wants to treat
    cellulite, wrinkles, excess fat or sagging skin may be a candidate, and that
    whether you are is decided with a medical professional, not by this
    questionnaire. [G9, G10]
  • The article this questionnaire draws on describes cellulite as a condition
    of the skin rather than a fat problem. It says being overweight does not
    cause it, and that slim people get its lumpy, dimpled and sometimes
    discoloured look too. [G1, G3]
  • The article this questionnaire draws on says cellulite affects men as well
    as women. [G2]
  • The article this questionnaire draws on says any results may appear
    gradually, over a few weeks or months, so results within days are not what
    it describes. [G18]
  • The article this questionnaire draws on says mesotherapy needs neither
    anaesthesia nor surgery, unlike more invasive options such as laser
    liposuction, and calls it non-invasive with no recovery time. It says those
    more invasive procedures may show results sooner but can need a long
    recovery period or downtime. [G8, G17, G20]
  • The same article elsewhere calls the procedure minimally invasive, as
    published reviews do, since it is still a course of injections. [G18,
    INVASIVE]
  • The article this questionnaire draws on lists the chin, arms, abdomen,
    buttocks and thighs among the areas mesotherapy may be used on, and the face
    for wrinkles. [G15]
  • The article this questionnaire draws on describes mesotherapy as a course of
    small injections into the middle layer of the skin, holding a mix of
    conventional and homeopathic medicines and vitamins. [G5, G7]
  • The same article says these injections may help with cellulite, wrinkles,
    sagging skin and excess fat. [G6]
  • In 2010, however, the US FDA said it knew of no credible evidence that
    fat-dissolving injections (which it said are also called mesotherapy) work,
    and it called claims that they treat cellulite false or misleading. [FDA]

Sessions and timeline
  About 10 to 15 sessions. This is the estimate of the article this
  questionnaire draws on for the best results. Published plans vary, from 4
  sessions two weeks apart to weekly sessions for 12 weeks. There is no standard
  plan: the clinician sets yours. [G19, PLANS]

What to ask the clinic
  • Ask the clinician to compare mesotherapy with more invasive options for your
    concern (such as laser liposuction for fat): what each may achieve, what
    risks it carries and what recovery it needs. [G8, G20]
  • Check the practitioner's medical credentials and their experience with
    mesotherapy. [G21]
  • Ask whether each ingredient is FDA-approved for the use proposed. [G22]
  • No mesotherapy mixture is FDA-approved for treating fat, cellulite, wrinkles
    or sagging skin. One branded product, a deoxycholic acid injection, is
    FDA-approved, and only for moderate to severe fat under the chin in adults;
    that approval does not cover deoxycholate mixed into mesotherapy injections.
    [FDA_STATUS]
  • Ask whether any benefit is likely to last, and choose a reputable clinic.
    [G14]
  • Have every question answered and every concern dealt with before any
    treatment. [G23]

Advice
  • Ask a medical professional to explain your cellulite to you before you weigh
    up treatments. [G4]
  • Not answered: whether you form raised scars (keloids) or have a skin pigment
    disorder. Ask about this at the visit. [NOTES]
  • Not answered: whether you have recently had surgery, laser, fillers or
    another treatment in the area. Ask about this at the visit. [NOTES]
  • Not answered: whether you take medicines or supplements that can make
    bruising more likely. Ask about this at the visit. [NOTES]
  • Not answered: whether you have liver or kidney disease. Ask about this at
    the visit. [NOTES]
  • The article this questionnaire draws on says some people feel heaviness or
    discomfort, and that side effects vary from person to person. [G16]
  • Bruising is common after injections, even in people who take no blood
    thinners. [BRUISING]
  • In 2023 the US FDA warned people against unapproved fat-dissolving
    injections, citing scarring, serious infections, skin deformities and
    painful lumps. [FDA_HARMS]
  • Good scientific evidence on how well and how safely mesotherapy works is
    limited. [EVIDENCE]
  • Talk to a qualified medical professional before any decision about
    treatment. Only they can decide whether mesotherapy is right for you. [G10]

Not answered
  • Do you form raised scars (keloids) or have a skin pigment disorder? — not
    answered
  • Have you recently had surgery, laser, fillers or another treatment in the
    area you want treated? — not answered
  • Do you take any medicine or supplement that can make bruising more likely? —
    not answered
  • Do you have liver or kidney disease? — not answered

Given but not asked
  • Are you pregnant, possibly pregnant, or breastfeeding? — an answer was
    given, but the question did not apply to the other answers, so it was not
    used: ask about this at the visit

Guidance points cited
  G1         The article says cellulite is a condition of the skin rather than a
             fat problem. (source: a clinic's patient article, "Treat Cellulite
             with Mesotherapy")
  G2         The article says cellulite affects men as well as women. (source: a
             clinic's patient article, "Treat Cellulite with Mesotherapy")
  G3         The article says being overweight does not cause cellulite, and
             that slim people can have its lumpy, dimpled and sometimes
             discoloured look too. (source: a clinic's patient article, "Treat
             Cellulite with Mesotherapy")
  G4         The article advises talking the condition over with a medical
             professional, to understand it, before thinking about treatment.
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G5         The article describes mesotherapy as a course of injections into
             the middle layer of the skin. (source: a clinic's patient article,
             "Treat Cellulite with Mesotherapy")
  G6         The article says the injections may help with cellulite, wrinkles,
             sagging skin and excess fat (for the FDA's 2010 finding, see FDA).
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G7         The article says the injections hold a mix of conventional and
             homeopathic medicines and vitamins. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G8         The article says mesotherapy needs neither anaesthesia nor surgery,
             unlike more invasive options such as laser liposuction. (source: a
             clinic's patient article, "Treat Cellulite with Mesotherapy")
  G9         The article says anyone who wants to treat cellulite, wrinkles,
             excess fat or sagging skin may be a candidate. (source: a clinic's
             patient article, "Treat Cellulite with Mesotherapy")
  G10        The article says whether someone is a candidate is decided with a
             medical professional. (source: a clinic's patient article, "Treat
             Cellulite with Mesotherapy")
  G14        The article advises discussing long-term benefits with a
             professional at a reputable clinic. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G15        The article lists the chin, arms, abdomen, buttocks, thighs and
             other areas as places mesotherapy may be used, and says it may also
             be used on wrinkles of the face. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G16        The article says some people feel heaviness or discomfort, and that
             side effects vary from person to person. (source: a clinic's
             patient article, "Treat Cellulite with Mesotherapy")
  G17        The article calls mesotherapy non-invasive, with no recovery time.
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G18        The article says any results may appear gradually, over a few weeks
             or months, and says this is because the procedure is minimally
             invasive. (source: a clinic's patient article, "Treat Cellulite
             with Mesotherapy")
  G19        The article estimates that about 10 to 15 sessions may be needed
             for the best results. (source: a clinic's patient article, "Treat
             Cellulite with Mesotherapy")
  G20        The article says more invasive procedures may show results sooner
             but can need a long recovery period or downtime. (source: a
             clinic's patient article, "Treat Cellulite with Mesotherapy")
  G21        The article advises choosing the practitioner with care and
             checking their credentials. (source: a clinic's patient article,
             "Treat Cellulite with Mesotherapy")
  G22        The article says several mesotherapy ingredients need FDA approval
             for their intended medical use, and advises asking about it.
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G23        The article advises having every question answered and every
             concern addressed before treatment. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  BRUISING   Bruising is common after injections, even in people who take no
             blood thinners. (source: prescribing information for injectable
             treatments (such as deoxycholic acid), not the article)
  EVIDENCE   Good scientific evidence on how well and how safely mesotherapy
             works is limited. (source: published reviews)
  FDA        In 2010 the US FDA said it knew of no credible evidence that
             fat-dissolving injections (which it said are also called
             mesotherapy) work, and it called claims that they treat cellulite
             false or misleading. (source: US Food and Drug Administration
             warnings to US medical spas, April 2010)
  FDA_HARMS  In 2023 the US FDA warned people against unapproved fat-dissolving
             injections, citing scarring, serious infections, skin deformities
             and painful lumps. (source: US Food and Drug Administration
             consumer warning, December 2023)
  FDA_STATUS No mesotherapy mixture is FDA-approved for treating fat, cellulite,
             wrinkles or sagging skin. One branded deoxycholic acid injection is
             FDA-approved, only for moderate to severe fat under the chin in
             adults; the approval does not cover deoxycholate mixed into
             mesotherapy injections. (source: FDA approval of deoxycholic acid
             (2015), and US plastic-surgery and dermatologic-surgery societies)
  INVASIVE   Published reviews describe mesotherapy as minimally invasive, since
             it is a course of injections. (source: published reviews)
  NOTES      Intake forms for injectable treatments ask about raised scarring,
             recent treatments, medicines and supplements that raise bruising,
             liver or kidney disease and cold sores, so that the clinician can
             take them into account. (source: clinic intake and consent forms
             and prescribing information for injectables, not the article)
  PLANS      Published mesotherapy plans vary, from 4 sessions two weeks apart
             to weekly sessions for 12 weeks, and there is no standard plan.
             (source: published treatment protocols, not the article)

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
  • For excess fat, the article this questionnaire draws on says your diet and
    exercise habits afterwards decide whether any results last, so without
    steady habits any improvement may not be kept. [G13]
  • Your timescale is in line with the article this questionnaire draws on,
    which says any results may appear gradually, over a few weeks or months.
    [G18]
  • The article this questionnaire draws on says mesotherapy needs neither
    anaesthesia nor surgery, unlike more invasive options such as laser
    liposuction, and calls it non-invasive with no recovery time. It says those
    more invasive procedures may show results sooner but can need a long
    recovery period or downtime. [G8, G17, G20]
  • The same article elsewhere calls the procedure minimally invasive, as
    published reviews do, since it is still a course of injections. [G18,
    INVASIVE]
  • The article this questionnaire draws on lists the chin, arms, abdomen,
    buttocks and thighs among the areas mesotherapy may be used on, and the face
    for wrinkles. [G15]
  • The article this questionnaire draws on describes mesotherapy as a course of
    small injections into the middle layer of the skin, holding a mix of
    conventional and homeopathic medicines and vitamins. [G5, G7]
  • The same article says these injections may help with cellulite, wrinkles,
    sagging skin and excess fat. [G6]
  • In 2010, however, the US FDA said it knew of no credible evidence that
    fat-dissolving injections (which it said are also called mesotherapy) work,
    and it called claims that they treat cellulite false or misleading. [FDA]

What to ask the clinic
  • Check the practitioner's medical credentials and their experience with
    mesotherapy. [G21]
  • Ask whether each ingredient is FDA-approved for the use proposed. [G22]
  • No mesotherapy mixture is FDA-approved for treating fat, cellulite, wrinkles
    or sagging skin. One branded product, a deoxycholic acid injection, is
    FDA-approved, and only for moderate to severe fat under the chin in adults;
    that approval does not cover deoxycholate mixed into mesotherapy injections.
    [FDA_STATUS]
  • Ask whether any benefit is likely to last, and choose a reputable clinic.
    [G14]
  • Have every question answered and every concern dealt with before any
    treatment. [G23]

Advice
  • Not answered: whether you form raised scars (keloids) or have a skin pigment
    disorder. Ask about this at the visit. [NOTES]
  • Not answered: whether you have recently had surgery, laser, fillers or
    another treatment in the area. Ask about this at the visit. [NOTES]
  • Not answered: whether you take medicines or supplements that can make
    bruising more likely. Ask about this at the visit. [NOTES]
  • Not answered: whether you have liver or kidney disease. Ask about this at
    the visit. [NOTES]
  • The article this questionnaire draws on says some people feel heaviness or
    discomfort, and that side effects vary from person to person. [G16]
  • Bruising is common after injections, even in people who take no blood
    thinners. [BRUISING]
  • In 2023 the US FDA warned people against unapproved fat-dissolving
    injections, citing scarring, serious infections, skin deformities and
    painful lumps. [FDA_HARMS]
  • Good scientific evidence on how well and how safely mesotherapy works is
    limited. [EVIDENCE]
  • Talk to a qualified medical professional before any decision about
    treatment. Only they can decide whether mesotherapy is right for you. [G10]

Not answered
  • Do you form raised scars (keloids) or have a skin pigment disorder? — not
    answered
  • Have you recently had surgery, laser, fillers or another treatment in the
    area you want treated? — not answered
  • Do you take any medicine or supplement that can make bruising more likely? —
    not answered
  • Do you have liver or kidney disease? — not answered

Given but not asked
  • How would you describe your build? — an answer was given, but the question
    did not apply to the other answers, so it was not used: ask about this at
    the visit
  • What do you think causes your cellulite? — an answer was given, but the
    question did not apply to the other answers, so it was not used: ask about
    this at the visit

Guidance points cited
  G5         The article describes mesotherapy as a course of injections into
             the middle layer of the skin. (source: a clinic's patient article,
             "Treat Cellulite with Mesotherapy")
  G6         The article says the injections may help with cellulite, wrinkles,
             sagging skin and excess fat (for the FDA's 2010 finding, see FDA).
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G7         The article says the injections hold a mix of conventional and
             homeopathic medicines and vitamins. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G8         The article says mesotherapy needs neither anaesthesia nor surgery,
             unlike more invasive options such as laser liposuction. (source: a
             clinic's patient article, "Treat Cellulite with Mesotherapy")
  G10        The article says whether someone is a candidate is decided with a
             medical professional. (source: a clinic's patient article, "Treat
             Cellulite with Mesotherapy")
  G13        The article says that, for body fat, diet and exercise habits
             decide whether results are kept. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G14        The article advises discussing long-term benefits with a
             professional at a reputable clinic. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G15        The article lists the chin, arms, abdomen, buttocks, thighs and
             other areas as places mesotherapy may be used, and says it may also
             be used on wrinkles of the face. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  G16        The article says some people feel heaviness or discomfort, and that
             side effects vary from person to person. (source: a clinic's
             patient article, "Treat Cellulite with Mesotherapy")
  G17        The article calls mesotherapy non-invasive, with no recovery time.
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G18        The article says any results may appear gradually, over a few weeks
             or months, and says this is because the procedure is minimally
             invasive. (source: a clinic's patient article, "Treat Cellulite
             with Mesotherapy")
  G20        The article says more invasive procedures may show results sooner
             but can need a long recovery period or downtime. (source: a
             clinic's patient article, "Treat Cellulite with Mesotherapy")
  G21        The article advises choosing the practitioner with care and
             checking their credentials. (source: a clinic's patient article,
             "Treat Cellulite with Mesotherapy")
  G22        The article says several mesotherapy ingredients need FDA approval
             for their intended medical use, and advises asking about it.
             (source: a clinic's patient article, "Treat Cellulite with
             Mesotherapy")
  G23        The article advises having every question answered and every
             concern addressed before treatment. (source: a clinic's patient
             article, "Treat Cellulite with Mesotherapy")
  BRUISING   Bruising is common after injections, even in people who take no
             blood thinners. (source: prescribing information for injectable
             treatments (such as deoxycholic acid), not the article)
  EVIDENCE   Good scientific evidence on how well and how safely mesotherapy
             works is limited. (source: published reviews)
  FDA        In 2010 the US FDA said it knew of no credible evidence that
             fat-dissolving injections (which it said are also called
             mesotherapy) work, and it called claims that they treat cellulite
             false or misleading. (source: US Food and Drug Administration
             warnings to US medical spas, April 2010)
  FDA_HARMS  In 2023 the US FDA warned people against unapproved fat-dissolving
             injections, citing scarring, serious infections, skin deformities
             and painful lumps. (source: US Food and Drug Administration
             consumer warning, December 2023)
  FDA_STATUS No mesotherapy mixture is FDA-approved for treating fat, cellulite,
             wrinkles or sagging skin. One branded deoxycholic acid injection is
             FDA-approved, only for moderate to severe fat under the chin in
             adults; the approval does not cover deoxycholate mixed into
             mesotherapy injections. (source: FDA approval of deoxycholic acid
             (2015), and US plastic-surgery and dermatologic-surgery societies)
  INVASIVE   Published reviews describe mesotherapy as minimally invasive, since
             it is a course of injections. (source: published reviews)
  NOTES      Intake forms for injectable treatments ask about raised scarring,
             recent treatments, medicines and supplements that raise bruising,
             liver or kidney disease and cold sores, so that the clinician can
             take them into account. (source: clinic intake and consent forms
             and prescribing information for injectables, not the article)
  SAFETY     Common precautions for injectable cosmetic treatments call for a
             clinician's review before any treatment decision. (source: general
             injection-safety practice (prescribing information and clinic
             consent forms), not the article)

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

- For excess fat, the article this questionnaire draws on says your diet and exercise habits afterwards decide whether any results last, so without steady habits any improvement may not be kept. *(G13)*
- Your timescale is in line with the article this questionnaire draws on, which says any results may appear gradually, over a few weeks or months. *(G18)*
- The article this questionnaire draws on says mesotherapy needs neither anaesthesia nor surgery, unlike more invasive options such as laser liposuction, and calls it non-invasive with no recovery time. It says those more invasive procedures may show results sooner but can need a long recovery period or downtime. *(G8, G17, G20)*
- The same article elsewhere calls the procedure minimally invasive, as published reviews do, since it is still a course of injections. *(G18, INVASIVE)*
- The article this questionnaire draws on lists the chin, arms, abdomen, buttocks and thighs among the areas mesotherapy may be used on, and the face for wrinkles. *(G15)*
- The article this questionnaire draws on describes mesotherapy as a course of small injections into the middle layer of the skin, holding a mix of conventional and homeopathic medicines and vitamins. *(G5, G7)*
- The same article says these injections may help with cellulite, wrinkles, sagging skin and excess fat. *(G6)*
- In 2010, however, the US FDA said it knew of no credible evidence that fat-dissolving injections (which it said are also called mesotherapy) work, and it called claims that they treat cellulite false or misleading. *(FDA)*

## What to ask the clinic

- Check the practitioner's medical credentials and their experience with mesotherapy. *(G21)*
- Ask whether each ingredient is FDA-approved for the use proposed. *(G22)*
- No mesotherapy mixture is FDA-approved for treating fat, cellulite, wrinkles or sagging skin. One branded product, a deoxycholic acid injection, is FDA-approved, and only for moderate to severe fat under the chin in adults; that approval does not cover deoxycholate mixed into mesotherapy injections. *(FDA_STATUS)*
- Ask whether any benefit is likely to last, and choose a reputable clinic. *(G14)*
- Have every question answered and every concern dealt with before any treatment. *(G23)*

## Advice

- Not answered: whether you form raised scars (keloids) or have a skin pigment disorder. Ask about this at the visit. *(NOTES)*
- Not answered: whether you have recently had surgery, laser, fillers or another treatment in the area. Ask about this at the visit. *(NOTES)*
- Not answered: whether you take medicines or supplements that can make bruising more likely. Ask about this at the visit. *(NOTES)*
- Not answered: whether you have liver or kidney disease. Ask about this at the visit. *(NOTES)*
- The article this questionnaire draws on says some people feel heaviness or discomfort, and that side effects vary from person to person. *(G16)*
- Bruising is common after injections, even in people who take no blood thinners. *(BRUISING)*
- In 2023 the US FDA warned people against unapproved fat-dissolving injections, citing scarring, serious infections, skin deformities and painful lumps. *(FDA_HARMS)*
- Good scientific evidence on how well and how safely mesotherapy works is limited. *(EVIDENCE)*
- Talk to a qualified medical professional before any decision about treatment. Only they can decide whether mesotherapy is right for you. *(G10)*

## Given but not asked

- How would you describe your build? — an answer was given, but the question did not apply to the other answers, so it was not used: ask about this at the visit
- What do you think causes your cellulite? — an answer was given, but the question did not apply to the other answers, so it was not used: ask about this at the visit

## Your answers

| Question | Answer |
|---|---|
| How old are you? | 35 |
| What is your sex? | Female |
| What would you like to improve? | Excess fat |
| Which areas would you like treated? | Thighs |
| How would you describe your build? | not asked (did not apply); an answer was given but not used |
| What do you think causes your cellulite? | not asked (did not apply); an answer was given but not used |
| Would you rather avoid surgery? | no |
| How soon do you hope to see results? | Within months |
| How many treatment sessions could you attend over the next six months? | 12 |
| How often do you keep to both a healthy diet and regular exercise? | Rarely |
| Is losing weight your main goal? | no |
| Are you pregnant, possibly pregnant, or breastfeeding? | yes |
| Do you take a blood thinner, or have a bleeding or clotting disorder? | no |
| Have you ever had an allergic reaction to a medicine, a vitamin or a local anaesthetic, or a severe allergic reaction (anaphylaxis) to anything? | no |
| Right now, is there an infection, cold sore, rash, wound, inflamed acne or sunburn where you want treatment? | no |
| Do any of these apply to you? | Diabetes |
| Do you form raised scars (keloids) or have a skin pigment disorder? | not answered |
| Have you recently had surgery, laser, fillers or another treatment in the area you want treated? | not answered |
| Do you take any medicine or supplement that can make bruising more likely? | not answered |
| Do you have liver or kidney disease? | not answered |
| Do you get cold sores? | not asked (did not apply) |

## Guidance points cited

- **G5**: The article describes mesotherapy as a course of injections into the middle layer of the skin. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G6**: The article says the injections may help with cellulite, wrinkles, sagging skin and excess fat (for the FDA's 2010 finding, see FDA). (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G7**: The article says the injections hold a mix of conventional and homeopathic medicines and vitamins. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G8**: The article says mesotherapy needs neither anaesthesia nor surgery, unlike more invasive options such as laser liposuction. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G10**: The article says whether someone is a candidate is decided with a medical professional. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G13**: The article says that, for body fat, diet and exercise habits decide whether results are kept. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G14**: The article advises discussing long-term benefits with a professional at a reputable clinic. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G15**: The article lists the chin, arms, abdomen, buttocks, thighs and other areas as places mesotherapy may be used, and says it may also be used on wrinkles of the face. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G16**: The article says some people feel heaviness or discomfort, and that side effects vary from person to person. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G17**: The article calls mesotherapy non-invasive, with no recovery time. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G18**: The article says any results may appear gradually, over a few weeks or months, and says this is because the procedure is minimally invasive. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G20**: The article says more invasive procedures may show results sooner but can need a long recovery period or downtime. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G21**: The article advises choosing the practitioner with care and checking their credentials. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G22**: The article says several mesotherapy ingredients need FDA approval for their intended medical use, and advises asking about it. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **G23**: The article advises having every question answered and every concern addressed before treatment. (source: a clinic's patient article, "Treat Cellulite with Mesotherapy")
- **BRUISING**: Bruising is common after injections, even in people who take no blood thinners. (source: prescribing information for injectable treatments (such as deoxycholic acid), not the article)
- **EVIDENCE**: Good scientific evidence on how well and how safely mesotherapy works is limited. (source: published reviews)
- **FDA**: In 2010 the US FDA said it knew of no credible evidence that fat-dissolving injections (which it said are also called mesotherapy) work, and it called claims that they treat cellulite false or misleading. (source: US Food and Drug Administration warnings to US medical spas, April 2010)
- **FDA_HARMS**: In 2023 the US FDA warned people against unapproved fat-dissolving injections, citing scarring, serious infections, skin deformities and painful lumps. (source: US Food and Drug Administration consumer warning, December 2023)
- **FDA_STATUS**: No mesotherapy mixture is FDA-approved for treating fat, cellulite, wrinkles or sagging skin. One branded deoxycholic acid injection is FDA-approved, only for moderate to severe fat under the chin in adults; the approval does not cover deoxycholate mixed into mesotherapy injections. (source: FDA approval of deoxycholic acid (2015), and US plastic-surgery and dermatologic-surgery societies)
- **INVASIVE**: Published reviews describe mesotherapy as minimally invasive, since it is a course of injections. (source: published reviews)
- **NOTES**: Intake forms for injectable treatments ask about raised scarring, recent treatments, medicines and supplements that raise bruising, liver or kidney disease and cold sores, so that the clinician can take them into account. (source: clinic intake and consent forms and prescribing information for injectables, not the article)
- **SAFETY**: Common precautions for injectable cosmetic treatments call for a clinician's review before any treatment decision. (source: general injection-safety practice (prescribing information and clinic consent forms), not the article)

---

*This questionnaire gives general information only; it is not a diagnosis or medical advice, and only a medical professional can decide whether a treatment is right for you.*

<sub>Rule pack mesotherapy 2.0.0, sha256 {sha}</sub>
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
        "\n## Sessions and timeline\n\nAbout 10 to 15 sessions. This is the estimate of the article"
        in text
    )
    assert "\n## What to ask the clinic\n\n- Ask the clinician to compare" in text
    assert "- **G22**: " in text and "- **FDA_STATUS**: " in text and "- **FDA**: " in text


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
        assert data["sessions"] == {"min": 10, "max": 15, "guidance": ["G19", "PLANS"]}
        assert isinstance(data["timeline"], str)
    else:
        assert data["sessions"] is None and data["timeline"] is None
    for key in ("explanations", "referral_reasons", "clinic_checklist", "advice"):
        for finding in data[key]:
            assert {k: type(v) for k, v in finding.items()} == FINDING_KEYS
            assert all(isinstance(p, str) for p in finding["guidance"])
    assert any("medical professional" in a["text"] for a in data["advice"])
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
    # the base answers give one, but without cellulite it did not apply
    assert answers["cellulite_cause_belief"] == {"state": "not_asked", "value": None, "given": True}
    assert answers["cold_sores"] == {"state": "not_asked", "value": None}
    # left blank, and the pack has no default: the JSON says so rather than `false`
    # (a pack default's JSON form is pinned in test_runner.py)
    assert answers["scarring_or_pigment_disorder"] == {"state": "not_answered", "value": None}


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


def test_an_answer_given_to_a_question_that_did_not_apply_is_named(pack: RulePack) -> None:
    """Cold sores 'yes' for someone treating only the thighs is not asked (the face and chin
    only), so not used: the report says so."""
    report = report_for(pack, {"areas": ["thighs"], "cold_sores": True})
    assert report.answers.dropped == ("cold_sores",)
    flowing = " ".join(render_text(report, pack).split())
    assert (
        "Given but not asked • Do you get cold sores? — an answer was given, but the question "
        "did not apply to the other answers, so it was not used: ask about this at the visit"
    ) in flowing
    handout = render_markdown(report, pack)
    assert "## Given but not asked\n\n- Do you get cold sores?" in handout
    # the answers table agrees with that section: not "not asked" and nothing more
    assert (
        "| Do you get cold sores? | not asked (did not apply); an answer was given but not used |"
    ) in handout


def test_json_says_an_answer_was_given_to_a_question_that_did_not_apply(pack: RulePack) -> None:
    """The dropped answer reads `not_asked` with `given: true`; a question nobody answered not."""
    report = report_for(pack, {"areas": ["thighs"], "cold_sores": True})
    answers = report_to_dict(report)["answers"]
    assert answers["cold_sores"] == {
        "state": "not_asked",
        "value": None,
        "given": True,
    }
    assert answers["diet_and_exercise"] == {"state": "not_asked", "value": None}
    assert json.loads(render_json(report))["answers"] == answers


def test_the_handout_cites_the_sources_of_the_sessions(pack: RulePack) -> None:
    """The sessions line of the handout names the points of the rule that gave the sessions."""
    handout = render_markdown(report_for(pack, CANDIDATE), pack)
    line = next(x for x in handout.splitlines() if x.startswith("About 10 to 15 sessions."))
    assert line.endswith("the clinician sets yours. *(G19, PLANS)*")
    assert "- **G19**: The article estimates" in handout
    assert "- **PLANS**: Published mesotherapy plans vary" in handout
