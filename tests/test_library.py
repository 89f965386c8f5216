"""The library surface: what docs/library.md shows runs and prints what it says."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys

import pytest

import mesoguide
from tests.conftest import ROOT


def test_the_documented_example_prints_what_the_document_shows() -> None:
    """The Python block of docs/library.md, run from the repository root, prints its output."""
    doc = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.+?)```", doc, re.S)
    shown = re.search(r"prints\n\n```text\n(.+?)```", doc, re.S)
    assert code is not None and shown is not None
    printed = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code.group(1), "docs/library.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert printed.getvalue() == shown.group(1)


@pytest.mark.parametrize("name", mesoguide.__all__)
def test_every_public_name_is_importable_and_documented(name: str) -> None:
    """Each name in `mesoguide.__all__` resolves and docs/library.md names it."""
    assert getattr(mesoguide, name) is not None
    if name != "__version__":
        assert f"`{name}" in (ROOT / "docs" / "library.md").read_text(encoding="utf-8")


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A name the package does not offer raises AttributeError, as for any module."""
    with pytest.raises(AttributeError):
        mesoguide.nothing_here  # noqa: B018


def test_importing_the_package_loads_nothing_heavy() -> None:
    """`import mesoguide` imports neither typer, rich, questionary nor yaml."""
    probe = (
        "import sys, mesoguide; "
        "print(sorted(m for m in ('typer', 'rich', 'questionary', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_the_cli_and_the_library_give_the_same_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`assess --answers --format json` prints what `render(assess(...), 'json')` returns."""
    from typer.testing import CliRunner

    from mesoguide.cli import app

    path = ROOT / "examples" / "answers" / "refer-weight-loss.yaml"
    result = CliRunner().invoke(app, ["assess", "--answers", str(path), "--format", "json"])
    pack = mesoguide.load_pack()
    report = mesoguide.assess(pack, mesoguide.read_answers(str(path)))
    assert result.stdout == mesoguide.render(report, pack, "json")


@pytest.mark.parametrize("name", mesoguide.__all__)
def test_no_public_name_is_also_a_module(name: str) -> None:
    """A submodule of that name would replace the function once anything imported it."""
    import importlib.util

    assert importlib.util.find_spec(f"mesoguide.{name}") is None
