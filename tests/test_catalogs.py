"""The catalogs of the tool's own words: complete, compiled, and found at run time."""

from __future__ import annotations

import gettext
import importlib.util
import shutil
import subprocess
from types import ModuleType

import pytest

from mesoguide import i18n
from tests.conftest import ROOT


def _catalogs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "scripts" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogs = _catalogs()
SPANISH_PO = ROOT / "src" / "mesoguide" / "locale" / "es" / "LC_MESSAGES" / "mesoguide.po"


def test_every_catalog_is_complete_and_compiled() -> None:
    """Every word passed to _() or N_() is translated, with the same placeholders, and each
    committed .mo is exactly its .po compiled (scripts/catalogs.py check)."""
    assert catalogs.problems() == []


def test_the_extractor_finds_the_words() -> None:
    """Finds words in calls, in f-strings and marked constants, and nothing else."""
    found = catalogs.extract()
    assert "Sessions and timeline" in found
    assert "Your answers" in found  # inside an f-string
    assert "not asked (did not apply)" in found  # N_() at the constant
    assert not any(message == "" for message in found)


def test_the_compiled_catalog_reads_as_its_po() -> None:
    """The .mo gettext loads holds the .po's translations, and GNU msgfmt agrees with it."""
    messages = catalogs.read_po(SPANISH_PO)
    with SPANISH_PO.with_suffix(".mo").open("rb") as file:
        loaded = gettext.GNUTranslations(file)
    for message, translated in messages.items():
        if message:
            assert loaded.gettext(message) == translated
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU msgfmt is not installed")
    checked = subprocess.run(
        [msgfmt, "--check-format", "-o", "/dev/null", str(SPANISH_PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_spanish_catalog() -> None:
    """The Spanish catalog serves es and es-MX; a language with none leaves English."""
    try:
        i18n.use("es-MX")
        assert i18n._("Advice") == "Consejos"
        assert i18n._("yes or no") == "sí o no"
        i18n.use("fr")
        assert i18n._("Advice") == "Advice"
    finally:
        i18n.use("en")
    assert i18n._("Advice") == "Advice"
    assert i18n.catalog_languages() == ["es"]


def test_english_needs_no_catalog() -> None:
    """English is the words as written: no catalog is loaded for en or en-US."""
    i18n.use("en-US")
    assert i18n._("Advice") == "Advice"
    assert i18n.in_use() == "en-US"
