"""The wheel: it carries the default pack, and an installed mesoguide finds and uses it."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import BASE_ANSWERS, ROOT

PACK_IN_WHEEL = "mesoguide/rules/mesotherapy/pack.yaml"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the source tree (offline when hatchling is installed)."""
    out = tmp_path_factory.mktemp("wheel")
    # with hatchling in the test extra the build needs no network and takes about a second
    isolation = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation]
    subprocess.run(
        [*command, str(ROOT), "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (built,) = out.glob("mesoguide-*.whl")
    return built


@pytest.mark.timeout(120)
def test_the_wheel_carries_the_default_pack(wheel: Path) -> None:
    """`mesoguide/rules/mesotherapy/pack.yaml` is inside the wheel, byte for byte."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert PACK_IN_WHEEL in names
        packed = archive.read(PACK_IN_WHEEL)
    assert packed == (ROOT / "rules" / "mesotherapy" / "pack.yaml").read_bytes()
    assert "mesoguide/cli.py" in names
    assert not any(name.startswith(("tests/", "rules/", "src/")) for name in names)
    # and its parse, so that start-up reads JSON rather than parsing YAML (loader.PARSED_DIR)
    assert f"mesoguide/parsed/{hashlib.sha256(packed).hexdigest()}.json" in names


@pytest.mark.timeout(120)
def test_an_installed_wheel_finds_and_uses_its_own_pack(wheel: Path, tmp_path: Path) -> None:
    """From the unpacked wheel, `assess --answers` uses the wheel's pack, not the checkout's."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    packed = site / PACK_IN_WHEEL
    # make the installed pack distinguishable from the checkout's: a different version
    text = packed.read_text(encoding="utf-8").replace('version: "2.0.0"', 'version: "9.9.9-wheel"')
    packed.write_text(text, encoding="utf-8")
    # the dependencies come from this test environment; mesoguide itself from the wheel only
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import mesoguide.packs as p; print(p.default_pack_path())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert Path(where.stdout.strip()) == site / "mesoguide" / "rules" / "mesotherapy"
    run = subprocess.run(
        [sys.executable, "-m", "mesoguide", "assess", "--answers", "-", "--format", "json"],
        cwd=tmp_path,
        env=env,
        input=json.dumps(BASE_ANSWERS),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (run.returncode, run.stderr) == (0, "")
    report = json.loads(run.stdout)
    assert report["candidacy"] == "candidate"
    assert report["pack"] == {
        "id": "mesotherapy",
        "version": "9.9.9-wheel",
        "sha256": hashlib.sha256(packed.read_bytes()).hexdigest(),
    }


CATALOG_IN_WHEEL = "mesoguide/locale/es/LC_MESSAGES/mesoguide.mo"


@pytest.mark.timeout(120)
def test_the_wheel_carries_the_compiled_catalogs(wheel: Path, tmp_path: Path) -> None:
    """The Spanish .mo is inside the wheel, and an installed mesoguide speaks Spanish with it."""
    with zipfile.ZipFile(wheel) as archive:
        assert CATALOG_IN_WHEEL in archive.namelist()
        assert archive.read(CATALOG_IN_WHEEL) == (ROOT / "src" / CATALOG_IN_WHEEL).read_bytes()
        archive.extractall(tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site"), "PYTHONSAFEPATH": "1"}
    pack = ROOT / "tests" / "packs" / "bilingual"
    answers = "age: 30\npregnant: no\narea: body\n"
    command = ["assess", "--rules", str(pack), "--lang", "es", "-a", "-", "-f", "markdown"]
    run = subprocess.run(
        [sys.executable, "-m", "mesoguide", *command],
        cwd=tmp_path,
        env=env,
        input=answers,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (run.returncode, run.stderr) == (0, "")
    assert "## Sesiones y plazos" in run.stdout
