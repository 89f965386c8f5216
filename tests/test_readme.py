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


def _command_paths() -> list[str]:
    import typer

    from mesoguide.cli import app

    def walk(group: typer.Typer, prefix: str) -> list[str]:
        paths = [
            f"{prefix} {info.name or info.callback.__name__.replace('_', '-')}"
            for info in group.registered_commands
            if info.callback is not None
        ]
        for sub in group.registered_groups:
            if sub.typer_instance is not None:
                paths.extend(walk(sub.typer_instance, f"{prefix} {sub.name}"))
        return paths

    return walk(app, "mesoguide")


def test_every_command_is_documented_in_the_readme() -> None:
    """Each command, down to `rules schema`, is named in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = _command_paths()
    assert "mesoguide rules schema" in paths and "mesoguide batch" in paths
    assert [
        path for path in paths if path.split(" ", 1)[1] not in text.replace("mesoguide ", "")
    ] == []
