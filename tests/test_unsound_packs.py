"""Unsound packs never run silently: `--rules` packs must pass `rules check`, or `--unchecked`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mesoguide.cli import app
from tests.packs import SMALL_PACK, write_pack

runner = CliRunner()
# Ages 18 to 40 get no outcome: the pack is not total.
GAP_PACK = SMALL_PACK.replace(
    "when: {question: age, op: ge, value: 18}", "when: {question: age, op: gt, value: 40}"
)


def invoke(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_assess_refuses_a_pack_rules_check_fails(tmp_path: Path) -> None:
    """`assess --rules` with a gap exits 3, naming the problem and the way out."""
    pack = write_pack(tmp_path, GAP_PACK)
    code, out, err = invoke("assess", "--rules", str(pack), "-a", "-", input='{"age": 50}')
    assert (code, out) == (3, "")
    lines = err.splitlines()
    assert lines[0].startswith(f"error: {pack}:")
    assert "no rule decides an outcome for some answers, for example age=18" in lines[0]
    assert lines[-1] == (
        f"  {pack}: this pack is not proved sound (see `mesoguide rules check`): fix it, "
        "or pass --unchecked to use it anyway"
    )


def test_assess_unchecked_assesses_what_it_can_decide(tmp_path: Path) -> None:
    """With --unchecked, answers outside the gap are assessed; answers in it are refused."""
    pack = str(write_pack(tmp_path, GAP_PACK))
    answers = '{"age": 50, "wants": ["b"]}'
    code, out, _ = invoke(
        "assess", "--rules", pack, "--unchecked", "-a", "-", "-f", "json", input=answers
    )
    assert code == 0 and json.loads(out)["candidacy"] == "maybe"
    code, out, err = invoke(
        "assess", "--rules", pack, "--unchecked", "-a", "-", input='{"age": 30, "wants": ["b"]}'
    )
    assert (code, out) == (3, "")
    assert "no rule decided an outcome for these answers" in err


def test_batch_refuses_a_pack_rules_check_fails_before_any_row(tmp_path: Path) -> None:
    """`batch --rules` with a gap exits 3 and writes no record."""
    pack = write_pack(tmp_path, GAP_PACK)
    rows = tmp_path / "in.csv"
    rows.write_text("age,wants\n50,b\n", encoding="utf-8")
    code, out, err = invoke("batch", str(rows), "--rules", str(pack))
    assert (code, out) == (3, "")
    assert "--unchecked" in err


def test_batch_unchecked_rejects_rows_in_the_gap_in_place(tmp_path: Path) -> None:
    """With --unchecked, a row with no outcome is a rejected row; later rows are assessed."""
    pack = write_pack(tmp_path, GAP_PACK)
    rows = tmp_path / "in.csv"
    rows.write_text("id,age,wants\nA,30,b\nB,50,b\nC,10,b\n", encoding="utf-8")
    code, out, _ = invoke("batch", str(rows), "--rules", str(pack), "--unchecked")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert records[0] == {
        "row": 1,
        "id": "A",
        "error": "no rule decided an outcome for these answers",
    }
    assert [r.get("candidacy") for r in records[1:]] == ["maybe", "reject"]
    full = invoke("batch", str(rows), "--rules", str(pack), "--unchecked", "--detail", "full")
    assert json.loads(full[1].splitlines()[0])["error"] == (
        "no rule decided an outcome for these answers"
    )


def test_a_sound_rules_pack_runs_as_before(tmp_path: Path) -> None:
    """A pack that passes `rules check` needs no flag."""
    pack = str(write_pack(tmp_path, SMALL_PACK))
    code, out, _ = invoke(
        "assess", "--rules", pack, "-a", "-", "-f", "json", input='{"age": 30, "wants": ["b"]}'
    )
    assert code == 0 and json.loads(out)["candidacy"] == "maybe"
