"""Files the project promises: the licence it declares, and a changelog."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT


def test_the_declared_licence_is_in_the_repository() -> None:
    """pyproject.toml declares MIT, and LICENSE holds the MIT licence text."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_the_changelog_has_an_unreleased_section_and_the_released_version() -> None:
    """CHANGELOG.md opens with Unreleased, then a section for the package's own version."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = re.findall(r"^## \[([^\]]+)\]", text, re.M)
    assert sections[0] == "Unreleased"
    from mesoguide import __version__

    assert __version__ in sections
    assert all(
        heading in {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
        for heading in re.findall(r"^### (\w+)", text, re.M)
    )
