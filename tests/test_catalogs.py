"""The catalogs of the tool's own words: complete, compiled, and found at run time."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from mesoguide import i18n
from tests.conftest import ROOT, load_script

catalogs = load_script("scripts/catalogs.py")
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
        if catalogs.PLURAL in message:
            singular, plural = message.split(catalogs.PLURAL)
            one, other = translated.split(catalogs.PLURAL)
            assert (loaded.ngettext(singular, plural, 1), loaded.ngettext(singular, plural, 7)) == (
                one,
                other,
            )
        elif message:
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


PLURAL_PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#, python-brace-format
msgid "{count} row read"
msgid_plural "{count} rows read"
msgstr[0] "{count} fila leída"
msgstr[1] "{count} filas leídas"

msgid "Advice"
msgstr "Consejos"

msgid "one thing"
msgid_plural "{count} things"
msgstr[0] ""
msgstr[1] ""
"""


def test_plural_messages_read_and_compile(tmp_path: Path) -> None:
    """A msgid_plural entry reads as one key and value (as the .mo holds it), an untranslated
    one as empty, and the compiled .mo gives each count its form."""
    po = tmp_path / "plural.po"
    po.write_text(PLURAL_PO, encoding="utf-8")
    messages = catalogs.read_po(po)
    assert messages["{count} row read\0{count} rows read"] == (
        "{count} fila leída\0{count} filas leídas"
    )
    assert messages["Advice"] == "Consejos"
    assert messages["one thing\0{count} things"] == ""
    loaded = gettext.GNUTranslations(io.BytesIO(catalogs.mo_bytes(messages)))
    forms = [loaded.ngettext("{count} row read", "{count} rows read", n) for n in (0, 1, 2)]
    assert forms == ["{count} filas leídas", "{count} fila leída", "{count} filas leídas"]
    assert loaded.gettext("Advice") == "Consejos"


def test_ngettext_without_and_with_a_catalog() -> None:
    """As written, a count of 1 takes the singular and any other the plural; in Spanish the
    catalog's forms."""
    assert [i18n.ngettext("{count} row", "{count} rows", n) for n in (0, 1, 2)] == [
        "{count} rows",
        "{count} row",
        "{count} rows",
    ]
    messages = catalogs.extract()
    plural = next(m for m in messages if catalogs.PLURAL in m)
    singular, many = plural.split(catalogs.PLURAL)
    spanish = catalogs.read_po(SPANISH_PO)[plural].split(catalogs.PLURAL)
    try:
        i18n.use("es")
        assert i18n.ngettext(singular, many, 1) == spanish[0]
        assert i18n.ngettext(singular, many, 3) == spanish[1]
    finally:
        i18n.use("en")
