"""The default pack's contract (issue 2, section 3), scenario by scenario, and its wording."""
# ruff: noqa: E501 - parametrize tables keep one case per row, however long its message

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mesoguide.engine import assess
from mesoguide.model import Report, RulePack
from mesoguide.packs import default_pack_path
from mesoguide.runner import from_mapping
from tests.conftest import BASE_ANSWERS, without_screen_conflicts

SAFETY_SCREENS = [
    ({"age": 17}, "refer_under_18"),
    ({"pregnant_or_breastfeeding": True}, "refer_pregnant_or_breastfeeding"),
    ({"blood_thinners_or_bleeding_disorder": True}, "refer_blood_thinners"),
    ({"ingredient_allergies": True}, "refer_allergies"),
    ({"skin_problem_in_area": True}, "refer_skin_problem"),
    ({"medical_conditions": ["autoimmune"]}, "refer_autoimmune"),
    ({"medical_conditions": ["cancer"]}, "refer_cancer"),
    ({"medical_conditions": ["diabetes"]}, "refer_diabetes"),
    ({"medical_conditions": ["heart_or_circulation"]}, "refer_heart_or_circulation"),
]


def run(pack: RulePack, **changes: object) -> Report:
    """The report for the base answers (a 35-year-old with cellulite) with some changed."""
    raw = dict(BASE_ANSWERS)
    raw.update(changes)
    return assess(pack, from_mapping(pack, raw))


def explained(report: Report) -> dict[str, tuple[str, ...]]:
    """Rule id -> guidance points, for every explanation in the report."""
    return {f.rule: f.guidance for f in report.explanations}


def points(report: Report) -> set[str]:
    """Every guidance point the report cites anywhere."""
    findings = (*report.explanations, *report.referral_reasons, *report.clinic, *report.advice)
    return {p for f in findings for p in f.guidance}


# -- outcomes -----------------------------------------------------------------------------------


def test_a_treatable_concern_and_no_screen_is_a_candidate(pack: RulePack) -> None:
    """Cellulite with nothing to refer: `candidate`, the article's 10 to 15 sessions, no standard."""
    report = run(pack)
    assert report.candidacy == "candidate"
    assert report.outcome.label == "You may be a candidate - discuss it with a professional"
    assert report.sessions is not None
    assert (report.sessions.min, report.sessions.max) == (10, 15)
    assert report.sessions.timeline is not None
    assert "article" in report.sessions.timeline  # given as the article's estimate
    assert "Published plans vary" in report.sessions.timeline
    assert "the clinician sets yours" in report.sessions.timeline
    assert report.referral_reasons == ()


@pytest.mark.parametrize("concern", ["cellulite", "wrinkles", "sagging_skin", "excess_fat"])
def test_each_treatable_concern_can_make_a_candidate(pack: RulePack, concern: str) -> None:
    """Any one of the four treatable concerns is enough."""
    report = run(pack, concerns=[concern, "other"], diet_and_exercise="regular")
    assert report.candidacy == "candidate"


@pytest.mark.parametrize(("changes", "rule"), SAFETY_SCREENS)
def test_each_safety_screen_refers_and_names_its_reason(
    pack: RulePack, changes: dict[str, object], rule: str
) -> None:
    """A positive screen gives `refer`, one referral reason naming it, and no sessions."""
    report = run(pack, **changes)
    assert report.candidacy == "refer"
    assert [f.rule for f in report.referral_reasons] == [rule]
    assert report.referral_reasons[0].guidance == ("SAFETY",)
    assert report.sessions is None


def test_age_18_is_not_referred(pack: RulePack) -> None:
    """The age screen is strictly under 18."""
    assert run(pack, age=18).candidacy == "candidate"


def test_referral_names_each_reason(pack: RulePack) -> None:
    """With several screens positive, every reason is listed, in the pack's order."""
    report = run(
        pack,
        age=16,
        pregnant_or_breastfeeding=True,
        blood_thinners_or_bleeding_disorder=True,
        ingredient_allergies=True,
        skin_problem_in_area=True,
        medical_conditions=["autoimmune", "cancer", "diabetes", "heart_or_circulation"],
    )
    assert report.candidacy == "refer"
    assert [f.rule for f in report.referral_reasons] == [rule for _, rule in SAFETY_SCREENS]
    assert "Do not stop or change a prescribed medicine" in report.referral_reasons[2].text


@pytest.mark.parametrize("changes", [{"concerns": ["other"]}, {"pregnant_or_breastfeeding": True}])
def test_only_a_candidate_hears_that_nothing_calls_for_review(
    pack: RulePack, changes: dict[str, object]
) -> None:
    """The candidate explanation never reaches someone referred or not indicated."""
    report = run(pack, **changes)
    assert "candidate_decided_with_professional" not in explained(report)
    assert not any("nothing in your answers" in f.text for f in report.explanations)


def test_no_treatable_concern_is_not_indicated(pack: RulePack) -> None:
    """Only `other` as a concern: `not_indicated`, worded as not covered, no sessions."""
    report = run(pack, concerns=["other"])
    assert report.candidacy == "not_indicated"
    assert "does not cover" in report.outcome.label
    assert "does not address" not in report.outcome.label + report.outcome.summary
    assert report.sessions is None
    assert "candidate_decided_with_professional" not in explained(report)
    assert "concern_not_covered" not in explained(report)  # the summary already says it
    assert "fda_no_evidence" in explained(report)  # the facts reach every outcome
    assert {f.rule for f in report.clinic} >= {"check_credentials", "ask_fda_status"}


def test_a_positive_screen_wins_over_a_concern_not_covered(pack: RulePack) -> None:
    """`refer` wins over `not_indicated`: every positive screen is reported under its headline."""
    report = run(pack, concerns=["other"], pregnant_or_breastfeeding=True, age=15)
    assert report.candidacy == "refer"
    assert [f.rule for f in report.referral_reasons] == [
        "refer_under_18",
        "refer_pregnant_or_breastfeeding",
    ]
    assert "concern_not_covered" in explained(report)


@pytest.mark.parametrize(
    ("changes", "candidacy"),
    [
        ({}, "candidate"),
        ({"pregnant_or_breastfeeding": True}, "refer"),
        ({"concerns": ["other"]}, "not_indicated"),
    ],
)
def test_sessions_are_given_only_to_a_candidate(
    pack: RulePack, changes: dict[str, object], candidacy: str
) -> None:
    """Sessions {10, 15} appear for `candidate` and never otherwise."""
    report = run(pack, **changes)
    assert report.candidacy == candidacy
    if candidacy == "candidate":
        assert report.sessions is not None and (report.sessions.min, report.sessions.max) == (
            10,
            15,
        )
    else:
        assert report.sessions is None


# -- explanations -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "guidance"),
    [
        ({"cellulite_cause_belief": "excess_fat"}, "cellulite_not_a_fat_problem", ("G1", "G3")),
        ({"body_type": "slim"}, "cellulite_not_a_fat_problem", ("G1", "G3")),
        ({"sex": "male"}, "cellulite_affects_men", ("G2",)),
        ({"concerns": ["excess_fat"], "diet_and_exercise": "rarely"}, "fat_needs_maintenance", ("G13",)),
        ({"concerns": ["excess_fat"], "diet_and_exercise": "sometimes"}, "fat_needs_maintenance", ("G13",)),
        ({"results_expected_within": "days"}, "expects_results_in_days", ("G18",)),
        ({"results_expected_within": "weeks"}, "expects_results_in_weeks", ("G18",)),
        ({"results_expected_within": "no_rush"}, "expects_results_later", ("G18",)),
        ({"sessions_possible": 9}, "few_sessions_possible", ("G19", "PLANS")),
        ({"sessions_possible": 1}, "few_sessions_possible", ("G19", "PLANS")),
        ({"sessions_possible": 0}, "no_sessions_possible", ("G19", "PLANS")),
        ({"body_type": "overweight"}, "cellulite_not_a_fat_problem", ("G1", "G3")),
        ({"cellulite_cause_belief": "not_sure"}, "cellulite_not_a_fat_problem", ("G1", "G3")),
        ({"age": 50}, "age_may_limit_effect", ("G12",)),
        ({"age": 80}, "age_may_limit_effect", ("G12",)),
        ({"goal_is_weight_loss": True}, "weight_loss_goal", ("WEIGHT",)),
    ],
)  # fmt: skip
def test_answers_bring_their_explanation(
    pack: RulePack, changes: dict[str, object], rule: str, guidance: tuple[str, ...]
) -> None:
    """Each answer named in issue 2 brings its explanation and the points it mirrors."""
    report = run(pack, **changes)
    assert report.candidacy == "candidate"
    assert explained(report).get(rule) == guidance


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({}, "cellulite_not_a_fat_problem"),  # believes it is a skin condition, average build
        ({"sex": "female"}, "cellulite_affects_men"),
        ({"sex": "male", "concerns": ["wrinkles"]}, "cellulite_affects_men"),
        ({"concerns": ["excess_fat"], "diet_and_exercise": "regular"}, "fat_needs_maintenance"),
        ({"concerns": ["cellulite"], "diet_and_exercise": "rarely"}, "fat_needs_maintenance"),
        ({"results_expected_within": "weeks"}, "expects_results_in_days"),
        ({"sessions_possible": 10}, "few_sessions_possible"),
        ({"sessions_possible": 0}, "few_sessions_possible"),
        ({"sessions_possible": 1}, "no_sessions_possible"),
        ({"age": 49}, "age_may_limit_effect"),
        ({"goal_is_weight_loss": False}, "weight_loss_goal"),
    ],
)
def test_explanations_stay_away_when_they_do_not_apply(
    pack: RulePack, changes: dict[str, object], rule: str
) -> None:
    """No explanation appears without the answers that call for it."""
    assert rule not in explained(run(pack, **changes))


def test_the_weight_loss_explanation_says_it_is_not_weight_loss(pack: RulePack) -> None:
    """A weight-loss goal hears plainly that this is not a weight-loss treatment."""
    report = run(pack, goal_is_weight_loss=True)
    text = next(f.text for f in report.explanations if f.rule == "weight_loss_goal")
    assert text.startswith("Mesotherapy is not a weight-loss treatment.")


def test_the_weight_loss_point_reaches_every_outcome(pack: RulePack) -> None:
    """Even someone not indicated, or referred, hears it is not weight loss."""
    for changes in ({"concerns": ["other"]}, {"ingredient_allergies": True}):
        assert "weight_loss_goal" in explained(run(pack, goal_is_weight_loss=True, **changes))


def test_days_or_few_sessions_give_timeline_and_trade_off(pack: RulePack) -> None:
    """Expecting days or fewer than 10 sessions cites G18, G19 and G20 together."""
    report = run(pack, results_expected_within="days", sessions_possible=4)
    assert {"G18", "G19", "G20"} <= points(report)
    texts = " ".join(f.text for f in report.explanations)
    assert "recovery period" in texts
    assert "weeks or months" in texts


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "sex": "male",
            "age": 70,
            "concerns": ["wrinkles", "sagging_skin", "excess_fat"],
            "diet_and_exercise": "rarely",
        },
        {"results_expected_within": "days", "sessions_possible": 1, "areas": ["other"]},
        {"blood_thinners_or_bleeding_disorder": True},
        {"concerns": ["other"]},
    ],
)
def test_every_report_gets_the_practitioner_checklist(
    pack: RulePack, changes: dict[str, object]
) -> None:
    """Every outcome is told to check credentials, FDA status per ingredient, and ask first."""
    report = run(pack, **changes)
    assert {"G21", "G22", "G23"} <= {p for f in report.clinic for p in f.guidance}
    clinic = " ".join(f.text for f in report.clinic)
    assert "credentials" in clinic
    assert "Ask whether each ingredient is FDA-approved" in clinic


@pytest.mark.parametrize(
    "changes",
    [{}, {"concerns": ["other"]}, {"blood_thinners_or_bleeding_disorder": True}],
)
def test_every_report_advises_a_medical_professional(
    pack: RulePack, changes: dict[str, object]
) -> None:
    """Every outcome ends with the advice to consult a medical professional, and a disclaimer."""
    report = run(pack, **changes)
    assert any("medical professional" in f.text for f in report.advice)
    assert report.advice[-1].rule == "consult_professional"
    assert "medical professional" in report.disclaimer


def test_a_report_names_the_pack_exactly(pack: RulePack) -> None:
    """The report carries the pack's id, version and the sha256 of its file."""
    import hashlib

    report = run(pack)
    digest = hashlib.sha256((default_pack_path() / "pack.yaml").read_bytes()).hexdigest()
    assert (report.pack.id, report.pack.version, report.pack.sha256) == (
        "mesotherapy",
        "2.0.0",
        digest,
    )


def _answer_sets(pack: RulePack) -> st.SearchStrategy[dict[str, object]]:
    fields: dict[str, st.SearchStrategy[object]] = {}
    for q in pack.questions:
        values = [c.value for c in q.choices]
        if q.type == "integer":
            fields[q.id] = st.integers(q.min or 0, q.max or 100)
        elif q.type == "boolean":
            fields[q.id] = st.booleans()
        elif q.type == "choice":
            fields[q.id] = st.sampled_from(values)
        else:
            plain = [v for v in values if not any(c.exclusive and c.value == v for c in q.choices)]
            exclusive = [[c.value] for c in q.choices if c.exclusive]
            fields[q.id] = st.one_of(
                st.lists(st.sampled_from(plain), min_size=1, unique=True),
                *[st.just(e) for e in exclusive],
            )
    return st.fixed_dictionaries(fields).map(lambda raw: without_screen_conflicts(pack, raw))


_PACK = __import__("mesoguide.loader", fromlist=["load_pack"]).load_pack(default_pack_path())


@settings(max_examples=200, deadline=None)
@given(_answer_sets(_PACK))
def test_every_answer_set_gets_exactly_one_outcome_and_the_advice(raw: dict[str, object]) -> None:
    """Any valid answers give one of the three outcomes, always with professional advice."""
    report = assess(_PACK, from_mapping(_PACK, raw))
    assert report.candidacy in {"candidate", "refer", "not_indicated"}
    can_attend = report.answers.values.get("sessions_possible", 0) != 0
    assert (report.sessions is not None) == (report.candidacy == "candidate" and can_attend)
    assert any(f.rule == "consult_professional" for f in report.advice)


# -- wording over the whole pack ---------------------------------------------------------------


def pack_texts(pack: RulePack) -> Iterator[tuple[str, str]]:
    """Every sentence a person can read from the pack, with where it comes from."""
    yield "pack.title", pack.title
    yield "pack.description", pack.description
    yield "pack.disclaimer", pack.disclaimer
    for point in pack.guidance.values():
        yield f"guidance.{point.id}", point.text
    for outcome in pack.outcomes:
        yield f"outcome {outcome.id} label", outcome.label
        yield f"outcome {outcome.id} summary", outcome.summary
    for q in pack.questions:
        yield f"question {q.id}", q.label
        if q.help:
            yield f"question {q.id} help", q.help
        for c in q.choices:
            yield f"question {q.id} choice {c.value}", c.label
    for rule in pack.rules:
        lines = (line.text for line in (*rule.advice, *rule.clinic))
        for text in (rule.explanation, rule.referral, *lines):
            if text:
                yield f"rule {rule.id}", text
        if rule.sessions and rule.sessions.timeline:
            yield f"rule {rule.id} timeline", rule.sessions.timeline


def sentences(pack: RulePack) -> list[tuple[str, str]]:
    return [
        (where, sentence.strip())
        for where, text in pack_texts(pack)
        for sentence in re.split(r"(?<=[.;])\s+", text)
        if sentence.strip()
    ]


def test_fda_approved_is_never_claimed_for_mesotherapy(pack: RulePack) -> None:
    """'FDA-approved' appears only as a question to ask, a denial, or about deoxycholic acid."""
    allowed = (
        re.compile(r"^Ask whether each ingredient is FDA-approved for the use proposed\.$"),
        re.compile(r"^No mesotherapy mixture is FDA-approved\b"),
        re.compile(
            r"^The article says several mesotherapy ingredients need FDA approval for their intended medical use, and advises asking about it\.$"
        ),
        # the one approved product, with its one use; the next sentence says what it does not cover
        re.compile(
            r"^One branded (?:product, a )?deoxycholic acid injection,? is FDA-approved, (?:and )?only for moderate to severe fat under the chin in adults;$"
        ),
    )
    uses = [(w, s) for w, s in sentences(pack) if re.search(r"FDA[- ]approv", s, re.I)]
    assert uses, "the pack should tell people to ask about FDA status"
    for where, sentence in uses:
        assert any(p.search(sentence) for p in allowed), f"{where}: {sentence}"


@pytest.mark.parametrize(
    "forbidden",
    [
        r"\byou are suitable\b",
        r"\bsafe for you\b",
        r"\bremoves?\b",
        r"\bguarantee",
        r"\bno risks?\b",
        r"\bwill (?:remove|eliminate|get rid)\b",
        r"\bcures?\b",
    ],
)
def test_pack_text_never_promises_or_overclaims(pack: RulePack, forbidden: str) -> None:
    """No sentence says 'you are suitable', 'safe for you', 'removes', or promises results."""
    hits = [f"{where}: {s}" for where, s in sentences(pack) if re.search(forbidden, s, re.I)]
    assert hits == []


def test_weight_loss_is_only_ever_denied(pack: RulePack) -> None:
    """Every sentence about weight loss says mesotherapy is not that (or asks about the goal)."""
    for where, sentence in sentences(pack):
        if re.search(r"weight[- ]loss|losing weight", sentence, re.I):
            assert re.search(r"\bnot\b|\?$|\bIf\b", sentence), f"{where}: {sentence}"


def test_the_articles_own_claims_are_attributed(pack: RulePack) -> None:
    """'non-invasive', 'no recovery time' and 'protect ... future damage' are the article's."""
    for where, sentence in sentences(pack):
        if re.search(r"non-invasive|no recovery time|future damage", sentence, re.I):
            assert re.search(r"article", sentence, re.I), f"{where}: {sentence}"


def test_every_guidance_point_g1_to_g23_is_mirrored_by_a_rule(pack: RulePack) -> None:
    """Each of G1..G23 is cited by at least one rule, and defined in the pack."""
    cited = {p for rule in pack.rules for p in rule.cited}
    wanted = {f"G{i}" for i in range(1, 24)}
    assert wanted - cited == set()
    assert wanted <= set(pack.guidance)


def test_every_rule_names_the_points_it_mirrors(pack: RulePack) -> None:
    """No rule, and no advice or clinic line, is without a guidance reference."""
    assert [rule.id for rule in pack.rules if not rule.guidance] == []
    lines = [(rule, line) for rule in pack.rules for line in (*rule.advice, *rule.clinic)]
    assert [line.text for rule, line in lines if not rule.cites(line)] == []


def test_each_side_effect_and_fda_line_cites_its_own_source(pack: RulePack) -> None:
    """The article's side-effects line cites G16, bruising and the FDA's harms their sources."""
    report = run(pack)
    lines = {f.text[:30]: (f.rule, f.guidance) for f in (*report.advice, *report.clinic)}
    assert lines["The article this questionnaire"] == ("side_effects_vary", ("G16",))
    assert lines["Bruising is common after injec"] == ("side_effects_vary", ("BRUISING",))
    assert lines["In 2023 the US FDA warned peop"] == ("side_effects_vary", ("FDA_HARMS",))
    assert lines["Ask whether each ingredient is"] == ("ask_fda_status", ("G22",))
    assert lines["No mesotherapy mixture is FDA-"] == ("ask_fda_status", ("FDA_STATUS",))


def test_the_sessions_cite_the_rule_that_gave_them(pack: RulePack) -> None:
    """A candidate's sessions carry the article's estimate and the published plans as sources."""
    report = run(pack)
    assert report.sessions is not None and report.sessions.guidance == ("G19", "PLANS")


def test_the_public_question_ids_and_values_hold(pack: RulePack) -> None:
    """The question ids, types and values of issue 2 are the pack's public interface."""
    table = {
        "age": ("integer", (), 0, 120),
        "sex": ("choice", ("female", "male", "other", "prefer_not_to_say"), None, None),
        "concerns": ("multiple", ("cellulite", "wrinkles", "sagging_skin", "excess_fat", "other"), 1, None),
        "areas": ("multiple", ("face", "chin", "arms", "abdomen", "buttocks", "thighs", "other"), 1, None),
        "body_type": ("choice", ("slim", "average", "overweight", "prefer_not_to_say"), None, None),
        "cellulite_cause_belief": ("choice", ("excess_fat", "skin_condition", "not_sure"), None, None),
        "wants_to_avoid_surgery": ("boolean", (), None, None),
        "results_expected_within": ("choice", ("days", "weeks", "months", "no_rush"), None, None),
        "sessions_possible": ("integer", (), 0, 100),
        "diet_and_exercise": ("choice", ("regular", "sometimes", "rarely"), None, None),
        "goal_is_weight_loss": ("boolean", (), None, None),
        "pregnant_or_breastfeeding": ("boolean", (), None, None),
        "blood_thinners_or_bleeding_disorder": ("boolean", (), None, None),
        "ingredient_allergies": ("boolean", (), None, None),
        "skin_problem_in_area": ("boolean", (), None, None),
        "medical_conditions": ("multiple", ("autoimmune", "cancer", "diabetes", "heart_or_circulation", "none"), 1, None),
    }  # fmt: skip
    for qid, (kind, values, low, high) in table.items():
        q = pack.question(qid)
        assert (q.type, q.choice_values, q.min, q.max, q.required) == (
            kind,
            values,
            low,
            high,
            True,
        ), qid
    assert [c.value for c in pack.question("medical_conditions").choices if c.exclusive] == ["none"]
    extra = [q for q in pack.questions if q.id not in table]
    assert all(not q.required for q in extra)


def test_referral_texts_hold_no_semicolon(pack: RulePack) -> None:
    """Batch CSV joins reasons with ';', so no referral text of the pack may contain one."""
    assert [r.id for r in pack.rules if r.referral and ";" in r.referral] == []
