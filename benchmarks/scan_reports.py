"""Scan random valid answer sets through `mesoguide batch --detail full` and count the reports
that break a promise of the default pack (issue 9, part B, classes 1-10) or make a forbidden
claim (GUIDANCE.md's "never" list, DOMAIN.md's wording rules).

    .venv/bin/python benchmarks/scan_reports.py               # 20,000 answer sets, seed 9
    .venv/bin/python benchmarks/scan_reports.py --n 2000 --seed 1 --show 2

`rules check` proves what the pack can state as invariants; this scan is the cross-check a
reviewer can run: it reads the reports as a person would get them (the JSON of batch's full
records), with checks written from the issue and the shared domain notes rather than from the
pack's rule ids. It prints one row per check with the number of reports that break it and
exits 1 if any count is not 0. It lives in benchmarks/ because, like the other scripts there,
it makes its inputs on the fly and measures the built-in pack; it is not part of the package.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mesoguide import load_pack
from mesoguide.engine import decide, holding
from mesoguide.errors import AnswersError
from mesoguide.model import Question, RulePack, State
from mesoguide.runner import from_mapping

NAMED = ("cellulite", "wrinkles", "sagging_skin", "excess_fat")
# The reasons to see a clinician first (DOMAIN.md, "Safety screening"): yes/no screens and
# the conditions of medical_conditions; age is screened apart (under 18).
REFERRAL_SCREENS = (
    "pregnant_or_breastfeeding",
    "blood_thinners_or_bleeding_disorder",
    "ingredient_allergies",
    "skin_problem_in_area",
)
CONDITIONS = ("autoimmune", "cancer", "diabetes", "heart_or_circulation")
# Notes for the clinician (DOMAIN.md, the note rows and "further items"), each with the words
# its "not answered" line and its note must carry.
NOTES = {
    "scarring_or_pigment_disorder": "raised scars",
    "recent_treatment_in_area": "treatment in the area",
    "bruising_medicines": "bruising more likely",
    "liver_or_kidney_disease": "liver or kidney",
    "cold_sores": "cold sores",
}
SCREENS = ("age", *REFERRAL_SCREENS, "medical_conditions", *NOTES)

# -- forbidden claims (GUIDANCE.md "never"; DOMAIN.md wording rules 1-8) ----------------------
FORBIDDEN: dict[str, re.Pattern[str]] = {
    "says someone is suitable or safe": re.compile(
        r"\byou are (?:suitable|a (?:good |suitable )?candidate|eligible)\b|\bsafe for you\b"
        r"|\bis safe\b|\byou qualify\b",
        re.I,
    ),
    "promises results": re.compile(
        r"\bwill (?:remove|reduce|improve|get rid|eliminate|work|help|give|make|tighten)\b"
        r"|\bguarantee|\bcures?\b|\bpermanent(?:ly)?\b|\bproven\b",
        re.I,
    ),
    "says it removes cellulite or fat": re.compile(
        r"\b(?:removes?|removing|get(?:s)? rid of|eliminates?|melts?|dissolves?) "
        r"(?:your |the |all )?(?:cellulite|fat|wrinkles)\b",
        re.I,
    ),
    "says there are no risks": re.compile(
        r"\bno risks?\b|\brisk[- ]free\b|\bcompletely safe\b|\bno side effects\b", re.I
    ),
}
FDA_APPROVED = re.compile(r"\bFDA[- ]approved\b", re.I)
FDA_APPROVED_ALLOWED = re.compile(
    r"^Ask whether\b|\bnot FDA-approved\b|^No [\w ]+ is FDA-approved\b"
    # the one approved product, qualified by its one use (the next sentence: what it does not cover)
    r"|\bdeoxycholic acid injection\b.*\bFDA-approved\b.*\bonly for\b",
    re.I,
)
STOP = re.compile(r"\bstop(?:s|ping)?\b", re.I)
STOP_ALLOWED = re.compile(r"\bDo not stop\b|\bnever stop\b", re.I)
WEIGHT = re.compile(r"\bweight[- ]loss\b|\blos(?:e|ing) weight\b", re.I)
WEIGHT_ALLOWED = re.compile(r"\bnot\b|^If\b|\?$", re.I)

# -- the article's claims: words that mark a sentence as one of them (GUIDANCE.md G1-G23) ----
ARTICLE_CLAIMS = re.compile(
    r"may help with cellulite|condition of the skin|not a fat problem|non-invasive"
    r"|no recovery time|future damage|overweight does not cause|anaesthesia"
    r"|diet and exercise habits|10 to 15|homeopathic|middle layer of the skin"
    r"|appear gradually|men as well as women|may be a candidate, and that|age and other factors"
    r"|more invasive procedures may show",
    re.I,
)
CONTRADICTS_NOTES = re.compile(
    r"nothing in your answers|raise none of the precautions|none of the precautions"
    r"|nothing (?:here )?calls for|no need to see a clinician|no reason to see a clinician",
    re.I,
)
SENTENCE = re.compile(r"(?<=[.;:!?])\s+")


@dataclass
class Tally:
    """Reports that break each check, with the first few examples."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, check: str, broken: bool, example: Callable[[], str]) -> None:
        self.counts[check] += 0
        if broken:
            self.counts[check] += 1
            self.examples.setdefault(check, []).append(example())


# -- answer sets ---------------------------------------------------------------------------
def random_value(question: Question, rng: random.Random) -> object:
    """A valid value for one question: each reason to refer about one time in twelve, each note
    one time in five, integers often at the thresholds the pack uses."""
    if question.type == "integer":
        low, high = question.min or 0, question.max if question.max is not None else 100
        if question.id == "age":
            if rng.random() < 0.08:
                return rng.randint(max(low, 12), 17)
            return rng.choice((18, 49, 50)) if rng.random() < 0.2 else rng.randint(18, 90)
        edges = [v for v in (0, 1, 9, 10, 15) if low <= v <= high]
        return rng.choice(edges) if rng.random() < 0.4 else rng.randint(low, min(high, 30))
    if question.type == "boolean":
        if question.id in REFERRAL_SCREENS:
            return rng.random() < 0.08
        return rng.random() < (0.2 if question.id in NOTES else 0.5)
    values = [c.value for c in question.choices]
    if question.type == "choice":
        return rng.choice(values)
    exclusive = [c.value for c in question.choices if c.exclusive]
    if question.id == "medical_conditions" and rng.random() < 0.8:
        return exclusive
    if exclusive and rng.random() < 0.1:
        return [rng.choice(exclusive)]
    plain = [v for v in values if v not in exclusive]
    return rng.sample(plain, rng.randint(1, min(3, len(plain))))


def answer_sets(
    pack: RulePack, n: int, seed: int
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(everything, given): a value for every question, and what a person who is asked only
    the questions that apply would give (an optional one is left blank one time in four)."""
    rng = random.Random(seed)
    tests = pack.question_tests
    for _ in range(n):
        full: dict[str, Any] = {}
        given: dict[str, Any] = {}
        seen: dict[str, Any] = {}  # the values the `when` tests see, coerced as the runner does
        for question in pack.questions:
            value = random_value(question, rng)
            full[question.id] = value
            if not tests[question.id](seen):
                if question.screen and value is True:  # refused, not an answer set (a conflict)
                    full[question.id] = False
                continue
            if not question.required and rng.random() < 0.25:
                continue
            given[question.id] = value
            seen[question.id] = tuple(value) if isinstance(value, list) else value
        yield full, given


def run_batch(lines: list[str], rules: str | None) -> Iterator[dict[str, Any]]:
    """Batch's full records for JSON lines fed on stdin, read as they come."""
    # --unchecked: the scan cross-checks any pack, one `rules check` refutes included
    pick = ["--rules", rules, "--unchecked"] if rules else []
    process = subprocess.Popen(
        [sys.executable, "-m", "mesoguide", "batch", "-", "--input-format", "jsonl",
         "--detail", "full", *pick],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None

    def feed() -> None:
        assert process.stdin is not None
        for line in lines:
            process.stdin.write(line + "\n")
        process.stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    for line in process.stdout:
        yield json.loads(line)
    writer.join()
    if process.wait() not in (0,):
        raise SystemExit(f"batch exited {process.returncode}: some generated row was rejected")


# -- reading a report ----------------------------------------------------------------------
class Read:
    """One report as a reader gets it: its texts, and the answers it was made from."""

    def __init__(self, report: dict[str, Any], pack: RulePack) -> None:
        self.report = report
        self.outcome: str = report["candidacy"]
        self.answers: dict[str, dict[str, Any]] = report["answers"]
        self.findings: list[tuple[str, list[str]]] = [
            (f["text"], f["guidance"])
            for key in ("referral_reasons", "explanations", "clinic_checklist", "advice")
            for f in report[key]
        ]
        self.head = f"{report['outcome']['label']}. {report['outcome']['summary']}"
        self.timeline: str | None = report["timeline"]
        # the sessions cite the timeline's sources (the rule that gave them)
        self.timeline_points: list[str] = (report["sessions"] or {}).get("guidance", [])
        every = [self.head, *(t for t, _ in self.findings)]
        if self.timeline:
            every.append(self.timeline)
        cited = {p for _, points in self.findings for p in points} | {*self.timeline_points}
        self.cited_texts = [pack.guidance[p].text for p in sorted(cited) if p in pack.guidance]
        self.text = "\n".join(every)
        self.sentences = [s for t in (*every, *self.cited_texts) for s in SENTENCE.split(t) if s]

    def value(self, qid: str) -> Any:
        """What the rules saw: the answer, or the default a blank took; None when absent."""
        entry = self.answers.get(qid, {"state": "missing"})
        if entry["state"] == "answered":
            return entry["value"]
        return entry.get("default")

    def state(self, qid: str) -> str:
        """The answer's state; "missing" when the pack has no such question."""
        return str(self.answers.get(qid, {"state": "missing"})["state"])

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text, re.I) is not None

    def lines_with(self, pattern: str) -> list[tuple[str, list[str]]]:
        return [(t, p) for t, p in self.findings if re.search(pattern, t, re.I)]

    def brief(self) -> str:
        given = {k: v["value"] for k, v in self.answers.items() if v["state"] == "answered"}
        return f"{self.outcome}: {json.dumps(given)}"


def positive_screen(r: Read) -> bool:
    age = r.value("age")
    return (
        (age is not None and age < 18)
        or any(r.value(q) is True for q in REFERRAL_SCREENS)
        or any(c in (r.value("medical_conditions") or ()) for c in CONDITIONS)
    )


# -- the checks, class by class --------------------------------------------------------------
CHECKS: dict[str, str] = {
    "1": "a positive screen under a headline that ignores it; 'does not address' for 'other'",
    "2": "a candidate summary that denies the notes beside it",
    "3": "a session plan for someone who can attend none; the range not the article's",
    "4": "a screen silently 'no' (a default), or a blank not reported to ask at the visit",
    "5": "an article claim in the tool's voice, or without the FDA finding beside it",
    "6": "a statement missing from someone it concerns (FDA, G21-G23, G1/G3, G17/G20)",
    "7": "a citation that does not back its line (harms, weight loss, consult, G14, timeline)",
    "8": "wording a lay person misreads (the clinic's article, labels of issue 9 item 8)",
    "9": "a question that cannot apply, or an answer value that never changes anything",
    "10": "a further item of DOMAIN.md not asked, not noted, or turning into a referral",
}
FORBIDDEN_ROWS = [
    "'FDA-approved' unqualified",
    *FORBIDDEN,
    "tells someone to stop a medicine",
    "presents it as weight loss",
    "no advice to consult a professional",
]


def check(
    r: Read, t: Tally, pack: RulePack, labels_bad: list[str], dead: set[tuple[str, str]]
) -> None:
    ex = r.brief
    # 1
    broken = positive_screen(r) and r.outcome != "refer"
    broken |= bool(r.report["referral_reasons"]) and r.outcome != "refer"
    broken |= r.outcome == "not_indicated" and r.has(r"does not address|cannot help")
    t.add("1", broken, ex)
    # 2
    notes = (
        r.lines_with(r"^Tell the clinician|^Not answered|weight-loss")
        or r.report["referral_reasons"]
    )
    t.add("2", bool(notes) and bool(CONTRADICTS_NOTES.search(r.text)), ex)
    # 3
    broken = r.value("sessions_possible") == 0 and (
        r.report["sessions"] is not None or r.timeline is not None
    )
    broken |= r.report["sessions"] is not None and not (
        r.timeline and "article" in r.timeline and re.search(r"vary|no standard", r.timeline)
    )
    broken |= any("invasive" in text for text, _ in r.lines_with(r"fewer sessions"))
    t.add("3", broken, ex)
    # 4
    broken = any(r.state(q) == "default" for q in SCREENS)
    for qid, words in NOTES.items():
        if r.state(qid) == "not_answered":
            broken |= not any(
                words in text and "Ask about this at the visit" in text
                for text, _ in r.lines_with(r"^Not answered")
            )
    t.add("4", broken, ex)
    # 5
    broken = False
    for text, _ in r.findings:
        for sentence in SENTENCE.split(text):
            if ARTICLE_CLAIMS.search(sentence) and "article" not in text:
                broken = True
    broken |= r.has(r"may help with") and not r.has(r"no credible evidence")
    g_texts = [
        pack.guidance[p].text for _, ps in r.findings for p in ps if re.fullmatch(r"G\d+", p)
    ]
    broken |= any(not g.startswith("The article") for g in g_texts)
    t.add("5", broken, ex)
    # 6
    broken = not all(
        r.has(p)
        for p in (r"no credible evidence", r"credentials", r"Ask whether each ingredient",
                  r"every question answered")
    )  # fmt: skip
    concerns = r.value("concerns") or []
    if "cellulite" in concerns and (
        r.value("cellulite_cause_belief") in ("excess_fat", "not_sure")
        or r.value("body_type") in ("slim", "overweight")
    ):
        broken |= not r.has(r"condition of the skin")
    if any(c in concerns for c in NAMED):
        broken |= not (r.has(r"no recovery time") and r.has(r"more invasive procedures may show"))
    t.add("6", broken, ex)
    # 7
    broken = False
    for text, points in r.findings:
        article_only = bool(points) and all(re.fullmatch(r"G\d+", p) for p in points)
        harms = re.search(r"\b(bruising|infections?|scarring|lumps|knots)\b", text, re.I)
        if article_only and harms:
            broken = True
        if "G13" in points and not re.search(r"diet|exercise|habits", text):
            broken = True
        if "G14" in points and not re.search(r"last|long-term|reputable", text):
            broken = True
    broken |= r.has(r"benefits you can expect")
    if r.timeline:  # the article's range and the published plans, each cited
        broken |= "article" in r.timeline and "G19" not in r.timeline_points
        broken |= bool(re.search(r"[Pp]ublished plans", r.timeline)) and (
            "PLANS" not in r.timeline_points
        )
    t.add("7", broken, ex)
    # 8
    broken = r.has(r"the clinic's article")
    broken |= any(r.state(q) == "answered" for q in labels_bad)
    t.add("8", broken, ex)
    # 9
    broken = r.value("sex") == "male" and r.state("pregnant_or_breastfeeding") != "not_asked"
    broken |= r.value("sex") != "male" and r.state("pregnant_or_breastfeeding") == "not_asked"
    broken |= any(
        r.state(q) == "answered" and (q, json.dumps(r.value(q))) in dead for q in r.answers
    )
    t.add("9", broken, ex)
    # 10
    areas = r.value("areas") or []
    broken = any(
        r.state(q) in ("not_asked", "missing")
        for q in ("bruising_medicines", "liver_or_kidney_disease")
    )
    broken |= any(a in areas for a in ("face", "chin")) and r.state("cold_sores") in (
        "not_asked",
        "missing",
    )
    for qid, words in NOTES.items():
        if r.value(qid) is True:
            broken |= not any(words in text for text, _ in r.lines_with(r"^Tell the clinician"))
    broken |= r.outcome == "refer" and not positive_screen(r)
    t.add("10", broken, ex)
    # forbidden claims
    t.add(
        "'FDA-approved' unqualified",
        any(FDA_APPROVED.search(s) and not FDA_APPROVED_ALLOWED.search(s) for s in r.sentences),
        ex,
    )
    for name, pattern in FORBIDDEN.items():
        t.add(name, any(pattern.search(s) for s in r.sentences), ex)
    t.add(
        "tells someone to stop a medicine",
        any(STOP.search(s) and not STOP_ALLOWED.search(s) for s in r.sentences),
        ex,
    )
    t.add(
        "presents it as weight loss",
        any(WEIGHT.search(s) and not WEIGHT_ALLOWED.search(s) for s in r.sentences),
        ex,
    )
    t.add(
        "no advice to consult a professional",
        not any("medical professional" in a["text"] for a in r.report["advice"]),
        ex,
    )


def bad_labels(pack: RulePack) -> list[str]:
    """Questions whose wording issue 9 item 8 found misleading, if the pack still has it."""
    q = {question.id: question for question in pack.questions}
    words = {
        qid: " ".join([x.label, x.help or "", *(c.label for c in x.choices)])
        for qid, x in q.items()
    }
    bad = []
    if "ingredient_allergies" in words and "allergic reaction" not in words["ingredient_allergies"]:
        bad.append("ingredient_allergies")
    thinners = words.get("blood_thinners_or_bleeding_disorder", "")
    if not all(w in thinners for w in ("apixaban", "rivaroxaban", "clopidogrel")):
        bad.append("blood_thinners_or_bleeding_disorder")
    conditions = words.get("medical_conditions", "")
    if not all(w in conditions for w in ("irregular heartbeat", "chemotherapy", "steroid tablets")):
        bad.append("medical_conditions")
    if not re.search(r"\bover the next\b|\bper\b|\bwithin\b", words.get("sessions_possible", "")):
        bad.append("sessions_possible")
    if "both" not in words.get("diet_and_exercise", "both"):
        bad.append("diet_and_exercise")
    return bad


def dead_values(pack: RulePack, sample: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(question, value) pairs that never change a report, whatever else is answered.

    For each answer set of the sample and each choice or yes/no question asked, every other
    value is tried in its place (questions that then apply take the sample's value for them);
    a value is alive once swapping it for another changes the outcome, a sentence or the
    questions asked.
    """

    def outcome_of(raw: dict[str, Any]) -> tuple[object, ...] | None:
        try:
            answers = from_mapping(pack, raw)
        except AnswersError:
            return None
        d = decide(pack, holding(pack, answers.values))
        texts = tuple(f.text for f in (*d.explanations, *d.referral_reasons, *d.clinic, *d.advice))
        asked = tuple(q for q, s in answers.states.items() if s is not State.not_asked)
        return (d.outcome.id, d.sessions, texts, asked)

    kinds = {q.id: q for q in pack.questions if q.type in ("choice", "boolean")}
    seen: set[tuple[str, str]] = set()
    alive: set[tuple[str, str]] = set()
    for full in sample:
        base = outcome_of(full)
        states = from_mapping(pack, full).states
        for qid, question in kinds.items():
            if states[qid] is State.not_asked:
                continue
            value = full[qid]
            key = (qid, json.dumps(value))
            seen.add(key)
            if key in alive:
                continue
            others = [True, False] if question.type == "boolean" else question.choice_values
            for other in others:
                if other != value and outcome_of({**full, qid: other}) != base:
                    alive.add(key)
                    alive.add((qid, json.dumps(other)))
                    break
    return seen - alive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="answer sets to scan")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--show", type=int, default=1, help="examples printed per broken check")
    parser.add_argument("--rules", help="a pack file or folder instead of the built-in pack")
    args = parser.parse_args(argv)

    pack = load_pack(args.rules)
    sets = list(answer_sets(pack, args.n, args.seed))
    dead = dead_values(pack, [full for full, _ in sets[:2000]])
    labels = bad_labels(pack)
    tally = Tally()
    outcomes: Counter[str] = Counter()
    distinct: set[str] = set()
    lines = [json.dumps(given) for _, given in sets]
    for record in run_batch(lines, args.rules):
        read = Read(record["report"], pack)
        outcomes[read.outcome] += 1
        distinct.add(read.text)
        check(read, tally, pack, labels, dead)

    total = sum(outcomes.values())
    print(f"pack {pack.id} {pack.version}: {total:,} answer sets (seed {args.seed}), "
          f"{len(distinct):,} distinct reports; "
          + ", ".join(f"{n:,} {o}" for o, n in sorted(outcomes.items())))  # fmt: skip
    print()
    print(f"{'check':<6} {'reports':>8}  what breaks it")
    for key, meaning in CHECKS.items():
        print(f"{'class ' + key:<9} {tally.counts[key]:>5}  {meaning}")
    for name in FORBIDDEN_ROWS:
        print(f"{'never':<9} {tally.counts[name]:>5}  {name}")
    if dead:
        print(
            "\nanswer values that never changed a report:",
            ", ".join(f"{q}={v}" for q, v in sorted(dead)),
        )
    failing = [k for k, n in tally.counts.items() if n]
    for key in failing:
        for example in tally.examples[key][: args.show]:
            print(f"\nexample, {key}: {example}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
