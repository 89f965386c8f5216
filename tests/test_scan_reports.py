"""The report scan (benchmarks/scan_reports.py): clean on the built-in pack, and it notices a
pack that breaks a promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mesoguide.packs import default_pack_path
from tests.conftest import ROOT

SCAN = ROOT / "benchmarks" / "scan_reports.py"


def scan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCAN), "--show", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def counts(output: str) -> dict[str, int]:
    """Check name -> number of reports that break it, from the printed table."""
    table: dict[str, int] = {}
    for line in output.splitlines():
        parts = line.split(None, 3)
        if line.startswith("class ") and len(parts) == 4:
            table[f"class {parts[1]}"] = int(parts[2])
        elif line.startswith("never ") and len(parts) >= 3:
            table[line.split(None, 2)[2].strip()] = int(parts[1])
    return table


def test_the_built_in_pack_breaks_no_promise() -> None:
    """A few hundred random answer sets give no contradiction and no forbidden claim: exit 0."""
    done = scan("--n", "300", "--seed", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    table = counts(done.stdout)
    assert len(table) == 18 and set(table.values()) == {0}


def test_a_pack_whose_not_indicated_beats_refer_is_caught(tmp_path: Path) -> None:
    """Putting `not_indicated` before `refer` again is counted under class 1, and exits 1."""
    text = (default_pack_path() / "pack.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: refer\n")
    middle = text.index("  - id: not_indicated\n")
    end = text.index("  - id: candidate\n")
    swapped = text[:start] + text[middle:end] + text[start:middle] + text[end:]
    (tmp_path / "pack.yaml").write_text(swapped, encoding="utf-8")
    done = scan("--n", "300", "--seed", "3", "--rules", str(tmp_path))
    assert done.returncode == 1
    assert counts(done.stdout)["class 1"] > 0


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # the bruising line loses its own source and inherits the article's point G16
        (
            "      - text: Bruising is common after injections, even in people who take no blood "
            "thinners.\n        guidance: [BRUISING]\n",
            "      - Bruising is common after injections, even in people who take no blood "
            "thinners.\n",
        ),
        # the timeline's published plans lose their source
        ("    guidance: [G19, PLANS]\n\n  - id: what_mesotherapy_is", "    guidance: [G19]\n\n"
         "  - id: what_mesotherapy_is"),
    ],
)  # fmt: skip
def test_a_line_citing_the_wrong_source_is_caught(tmp_path: Path, old: str, new: str) -> None:
    """A side-effects line or a timeline that loses its own source is counted under class 7."""
    text = (default_pack_path() / "pack.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (tmp_path / "pack.yaml").write_text(text.replace(old, new), encoding="utf-8")
    done = scan("--n", "300", "--seed", "3", "--rules", str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    table = counts(done.stdout)
    assert table["class 7"] > 0
    assert {name for name, count in table.items() if count} == {"class 7"}
