"""Where the built-in rule packs live, installed or in a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mesoguide.model import RulePack

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


def load_rules(path: Path | None) -> RulePack:
    """The pack at ``path`` (a file or a pack folder), or the built-in default pack."""
    from mesoguide.loader import load_pack

    return load_pack(path if path is not None else default_pack_path())
