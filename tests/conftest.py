"""Shared fixtures: the built-in pack and a complete set of answers for it."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from mesoguide import i18n
from mesoguide.loader import load_pack
from mesoguide.model import RulePack
from mesoguide.packs import default_pack_path

ROOT = Path(__file__).resolve().parents[1]


def load_script(relative: str) -> ModuleType:
    """A script of the repository (``scripts/catalogs.py``, a benchmark), imported as a module
    so that tests can call its functions."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The suite asserts English output: a locale that names another language must not change it
# (commands and subprocesses read the language from LC_ALL, LC_MESSAGES and LANG).
for _name in i18n.LOCALE_VARIABLES:
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def _english_words() -> Iterator[None]:
    """Each test starts with the tool's words in English, whatever the one before used."""
    i18n.use("en")
    yield
    i18n.use("en")


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack(default_pack_path())


BASE_ANSWERS: dict[str, object] = {
    "age": 35,
    "sex": "female",
    "concerns": ["cellulite"],
    "areas": ["thighs"],
    "body_type": "average",
    "cellulite_cause_belief": "skin_condition",
    "wants_to_avoid_surgery": False,
    "results_expected_within": "months",
    "sessions_possible": 12,
    "goal_is_weight_loss": False,
    "pregnant_or_breastfeeding": False,
    "blood_thinners_or_bleeding_disorder": False,
    "ingredient_allergies": False,
    "skin_problem_in_area": False,
    "medical_conditions": ["none"],
}


@pytest.fixture
def base_answers() -> dict[str, object]:
    """A complete answer set for a 35-year-old with cellulite and nothing to refer."""
    return dict(BASE_ANSWERS)


def without_screen_conflicts(pack: RulePack, raw: dict[str, object]) -> dict[str, object]:
    """``raw`` with a "no" for each safety screen answered where it is not asked: a "yes" there
    refuses the answers (a conflict, not an answer set), and a "no" is dropped as given."""
    from mesoguide.runner import walk

    values = walk(pack, raw)[0].values
    for question in pack.questions:
        if question.screen and question.id not in values and raw.get(question.id) is not None:
            raw[question.id] = False
    return raw
