"""Where the built-in rule packs live, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_PACK = "mesotherapy"


def builtin_rules_dir() -> Path:
    """The folder of built-in packs: inside the installed wheel, else the checkout's ``rules/``."""
    packaged = Path(str(resources.files("mesoguide"))) / "rules"
    if packaged.is_dir():
        return packaged
    # An editable install or a source checkout: src/mesoguide/ -> ../../rules
    return Path(__file__).resolve().parents[2] / "rules"


def default_pack_path() -> Path:
    """The built-in mesotherapy pack's folder."""
    return builtin_rules_dir() / DEFAULT_PACK
