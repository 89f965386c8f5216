"""The README's promises: its first two commands, and CI running the second."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_starts_with_install_and_test_commands() -> None:
    """Opens with one command that starts `mesoguide assess` and one that runs every check."""
    first, second = _commands()[:2]
    assert first.endswith("mesoguide assess")
    for tool in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert tool in second


def test_ci_runs_the_readmes_test_command() -> None:
    """`.ci/run` runs exactly the README's second command."""
    second = _commands()[1]
    assert second in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
