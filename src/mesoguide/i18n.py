"""Languages: which one a pack is read in, and the tool's own words in it (stdlib gettext).

A pack's texts are resolved to one language when it is loaded (see the loader); the tool's own
words (headings, hints, validation messages, yes and no) go through ``_`` (``ngettext`` where
a count chooses the form), which returns them as written until a catalog is put in use.
gettext is imported only then, so that English runs start no slower.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

DOMAIN = "mesoguide"
LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LANGUAGE = "en"
"""The language the tool's words are written in: no catalog is needed for it."""
TAG_PATTERN = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
"""A language tag as packs and --lang write it: ``es``, ``es-MX``, ``pt-BR``."""
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
"""The environment variables that name the locale, the first set one deciding (POSIX)."""


class _Catalog(Protocol):
    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, count: int, /) -> str: ...


_catalog: _Catalog | None = None  # None: the words as written (English)
_in_use: str = SOURCE_LANGUAGE


def _(message: str) -> str:
    """The tool's words ``message`` in the language in use."""
    return message if _catalog is None else _catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The tool's words for ``count`` things in the language in use: ``singular`` or
    ``plural`` as written, or the catalog's form for that count (its Plural-Forms)."""
    if _catalog is None:
        return singular if count == 1 else plural
    return _catalog.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a constant for translation where it is defined; ``_`` translates it where used."""
    return message


def negotiate(wanted: str, available: Sequence[str]) -> str | None:
    """The one of ``available`` that serves ``wanted``: ``es-MX``, else ``es``, else any
    ``es-*``; None when none does. Tags compare in any case, with ``_`` read as ``-``."""
    by_key = {tag.lower(): tag for tag in available}
    parts = wanted.replace("_", "-").lower().split("-")
    for end in range(len(parts), 0, -1):
        found = by_key.get("-".join(parts[:end]))
        if found is not None:
            return found
    return next((tag for tag in available if tag.lower().split("-")[0] == parts[0]), None)


def locale_language(environ: Mapping[str, str] = os.environ) -> str | None:
    """The language of the locale (``es_MX.UTF-8`` -> ``es-MX``); None for C, POSIX or none."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:
            tag = value.split(".")[0].split("@")[0].replace("_", "-")
            return tag if TAG_PATTERN.fullmatch(tag) and tag not in ("C", "POSIX") else None
    return None


def use(language: str) -> None:
    """Put in use the catalog of the tool's words for ``language`` (English when none has it)."""
    global _catalog, _in_use
    if language == _in_use:
        return
    _in_use = language
    _catalog = None if _primary(language) == SOURCE_LANGUAGE else _load(language)


def translate(message: str, language: str) -> str:
    """The tool's words ``message`` in ``language``, whatever language is in use (the loader
    words a pack's generated texts in the pack's language)."""
    if _primary(language) == SOURCE_LANGUAGE:
        return message
    if language not in _catalogs:
        _catalogs[language] = _load(language)
    catalog = _catalogs[language]
    return message if catalog is None else catalog.gettext(message)


_catalogs: dict[str, _Catalog | None] = {}


def translated_words(message: str, language: str) -> str | None:
    """The tool's words ``message`` in ``language``, or None when no catalog has them there
    (where `translate` falls back to English)."""
    text = translate(message, language)
    return text if text != message or _primary(language) == SOURCE_LANGUAGE else None


def in_use() -> str:
    """The language the tool's words are in now."""
    return _in_use


def catalog_languages() -> list[str]:
    """The languages the tool's own words are translated into (besides English)."""
    if not LOCALE_DIR.is_dir():
        return []
    found = LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
    return sorted(path.parents[1].name.replace("_", "-") for path in found)


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def _load(language: str) -> _Catalog | None:
    import gettext

    tag = language.replace("-", "_")
    try:
        catalog = gettext.translation(DOMAIN, LOCALE_DIR, [tag, _primary(language)])
    except OSError:  # no catalog for it: the words as written
        return None
    return catalog
