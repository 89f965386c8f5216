"""The example microneedling pack: YAML only, run through `--rules` like any clinic's pack."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mesoguide.cli import app
from tests.conftest import ROOT

EXAMPLE = ROOT / "examples" / "microneedling"
runner = CliRunner()


def _assess(tmp_path: Path, answers: str, *options: str) -> tuple[int, str]:
    path = tmp_path / "answers.yaml"
    path.write_text(answers, encoding="utf-8")
    result = runner.invoke(
        app, ["assess", "--rules", str(EXAMPLE), "--answers", str(path), *options]
    )
    return result.exit_code, result.stdout


def test_assess_with_the_example_pack_prints_its_report(tmp_path: Path) -> None:
    """Refers recent isotretinoin use, in the example pack's own words."""
    code, out = _assess(
        tmp_path,
        "age: 30\nconcerns: [acne_scars]\npregnant: false\nskin_infection: false\n"
        "took_isotretinoin: true\nmonths_since_isotretinoin: 3\n",
    )
    assert code == 0
    assert out == (
        "╭─ See a clinician before any treatment decision ──────────────────────────────╮\n"
        "│ Something in your answers needs a clinician's review before any decision     │\n"
        "│ about microneedling. This is a precaution, not a diagnosis.                  │\n"
        "╰──────────────────────────────────────────────────────────────────────────────╯\n"
        "\n"
        "See a clinician about\n"
        "  • You took isotretinoin within the last six months, which can slow how the\n"
        "    skin heals. Ask the doctor who prescribed it, and do not stop a prescribed\n"
        "    medicine on your own. [M4]\n"
        "\n"
        "Why\n"
        "  • Microneedling makes many tiny punctures in the skin with fine needles, and\n"
        "    may help with acne scars, fine lines, enlarged pores and stretch marks. [M1,\n"
        "    M2]\n"
        "\n"
        "Advice\n"
        "  • Talk to a qualified medical professional before any decision about\n"
        "    treatment. [M6]\n"
        "\n"
        "Not answered\n"
        "  • Do you form raised scars (keloids)? — not answered (pack default: no)\n"
        "\n"
        "Guidance points cited\n"
        "  M1 Microneedling makes many tiny punctures in the skin with fine needles.\n"
        "  M2 It may help with acne scars, fine lines, enlarged pores and stretch marks.\n"
        "  M4 Pregnancy, an active skin infection and recent isotretinoin are common\n"
        "     reasons to wait and ask a clinician first.\n"
        "  M6 Only a medical professional can decide whether a treatment is right for\n"
        "     someone.\n"
        "\n"
        "This example gives general information only; it is not a diagnosis or medical\n"
        "advice, and only a medical professional can decide whether a treatment is right\n"
        "for you.\n"
        "\n"
        "Result: See a clinician before any treatment decision\n"
    )


def test_a_skipped_question_is_absent_from_the_result(tmp_path: Path) -> None:
    """Skips the follow-up on isotretinoin when none was taken, and may find a candidate."""
    code, out = _assess(
        tmp_path,
        "age: 40\nconcerns: [fine_lines, other]\npregnant: false\nskin_infection: false\n"
        "took_isotretinoin: false\nmonths_since_isotretinoin: 2\n",
        "--format",
        "json",
    )
    assert code == 0
    report = json.loads(out)
    assert report["candidacy"] == "candidate"
    assert report["sessions"] == {"min": 3, "max": 6, "guidance": ["M3"]}
    assert report["answers"]["months_since_isotretinoin"] == {
        "state": "not_asked",
        "value": None,
        "given": True,  # the file gave 2, but the question did not apply: it was not used
    }
    assert report["rules_fired"] == [
        "may_be_candidate",
        "what_it_is",
        "course_of_sessions",
        "consult_professional",
    ]
    assert report["pack"]["id"] == "microneedling"


def test_the_example_pack_checks_sound_and_passes_its_scenarios() -> None:
    """Passes `rules check` and `rules test` like the default pack."""
    check = runner.invoke(app, ["rules", "check", str(EXAMPLE)])
    assert check.exit_code == 0, check.stdout
    test = runner.invoke(app, ["rules", "test", str(EXAMPLE)])
    assert test.exit_code == 0, test.stdout
    assert test.stdout.endswith("8 scenarios: 8 passed, 0 failed\n")


def test_nothing_about_either_treatment_is_hard_coded_in_python() -> None:
    """Names neither treatment's questions or rules anywhere in the package's Python."""
    source = "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "src" / "mesoguide").glob("*.py")
    )
    for word in ("microneedling", "isotretinoin", "acne_scars", "may_be_candidate"):
        assert word not in source
