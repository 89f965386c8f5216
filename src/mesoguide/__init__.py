"""mesoguide: a treatment-candidacy questionnaire driven by YAML rule packs.

The library surface (see docs/library.md): ``load_pack``, ``read_answers``, ``assess`` and
``render``, with the errors they raise. Imported on first use, so the CLI starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from mesoguide.api import assess, load_pack, read_answers, render
    from mesoguide.errors import AnswersError, MesoguideError, PackError, UsageError
    from mesoguide.model import AnswerSet, Report, RulePack, State

_PUBLIC = {
    "load_pack": "mesoguide.api",
    "read_answers": "mesoguide.api",
    "assess": "mesoguide.api",
    "render": "mesoguide.api",
    "MesoguideError": "mesoguide.errors",
    "AnswersError": "mesoguide.errors",
    "PackError": "mesoguide.errors",
    "UsageError": "mesoguide.errors",
    "AnswerSet": "mesoguide.model",
    "Report": "mesoguide.model",
    "RulePack": "mesoguide.model",
    "State": "mesoguide.model",
}

__all__ = [
    "AnswerSet",
    "AnswersError",
    "MesoguideError",
    "PackError",
    "Report",
    "RulePack",
    "State",
    "UsageError",
    "__version__",
    "assess",
    "load_pack",
    "read_answers",
    "render",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'mesoguide' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
