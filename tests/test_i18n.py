"""Languages: negotiating a pack's language, the locale's language, and the tool's catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mesoguide import i18n
from mesoguide.errors import PackError, UsageError
from mesoguide.loader import load_pack


@pytest.mark.parametrize(
    ("wanted", "available", "chosen"),
    [
        ("es", ["en", "es"], "es"),
        ("es-MX", ["en", "es"], "es"),
        ("es_MX", ["en", "es"], "es"),
        ("ES-mx", ["en", "es-MX"], "es-MX"),
        ("es", ["en", "es-MX"], "es-MX"),
        ("es-MX", ["en", "es-ES", "es-MX"], "es-MX"),
        ("en-US", ["en", "es"], "en"),
        ("fr", ["en", "es"], None),
        ("fr-CA", ["en"], None),
    ],
)
def test_negotiate(wanted: str, available: list[str], chosen: str | None) -> None:
    """Picks the exact tag, then its primary language, then any region of it; else none."""
    assert i18n.negotiate(wanted, available) == chosen


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "es_MX.UTF-8"}, "es-MX"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "es_ES.UTF-8"}, "es-ES"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "es_ES", "LC_ALL": "fr_FR.UTF-8"}, "fr-FR"),
        ({"LANG": "de_DE@euro"}, "de-DE"),
        ({"LANG": "es", "LC_ALL": ""}, "es"),
        ({"LANG": "C.UTF-8"}, None),
        ({"LC_ALL": "POSIX", "LANG": "es_MX.UTF-8"}, None),
        ({}, None),
    ],
)
def test_locale_language(environ: dict[str, str], language: str | None) -> None:
    """Reads LC_ALL, then LC_MESSAGES, then LANG; C and POSIX name no language."""
    assert i18n.locale_language(environ) == language


def test_words_as_written_until_a_catalog_is_used() -> None:
    """Without a catalog in use, the tool's words are the English ones, unchanged."""
    assert i18n.in_use() == "en"
    assert i18n._("Advice") == "Advice"


# -- packs in several languages -------------------------------------------------------------
BILINGUAL = Path(__file__).parent / "packs" / "bilingual"


def test_pack_read_in_one_language() -> None:
    """Every text of a pack is read in the language asked for; ids and values do not change."""
    english, spanish = load_pack(BILINGUAL), load_pack(BILINGUAL, "es-MX")
    assert (english.language, spanish.language) == ("en", "es")
    assert spanish.languages == ("en", "es") and spanish.default_language == "en"
    assert spanish.title == "Preguntas sobre el tratamiento de la piel"
    assert spanish.questions[2].choices[1].help == "Brazos, piernas o abdomen."
    clinic = [(line.text, line.guidance) for line in spanish.rules[-1].clinic]
    assert clinic == [
        ("Pregunte por los ingredientes.", None),
        ("Pregunte por el precio.", None),
        ("Pregunte cuánto pueden durar los resultados.", ("B2",)),
    ]
    assert spanish.guidance["B2"].source == "el artículo"
    assert spanish.rules[2].sessions is not None
    assert spanish.rules[2].sessions.timeline == "Los resultados pueden verse en semanas."
    assert english.outcomes[1].label == "You may be a candidate"
    assert [q.id for q in english.questions] == [q.id for q in spanish.questions]
    assert english.questions[3].choice_values == spanish.questions[3].choice_values
    assert english.sha256 == spanish.sha256
    assert english.untranslated == spanish.untranslated == ()


def test_pack_without_languages_is_english() -> None:
    """A pack that declares no languages is read as written, in English."""
    microneedling = Path(__file__).resolve().parents[1] / "examples" / "microneedling"
    pack = load_pack(microneedling)
    assert (pack.languages, pack.default_language, pack.language) == (("en",), "en", "en")
    assert load_pack(microneedling, "en-US").language == "en"
    with pytest.raises(UsageError, match="has no language 'es': it is written in en"):
        load_pack(microneedling, "es")


def test_language_the_pack_lacks() -> None:
    """Asking for a language the pack lacks is refused, naming its languages; or_default
    reads it in its default language instead."""
    with pytest.raises(UsageError, match="has no language 'fr': it is written in en, es"):
        load_pack(BILINGUAL, "fr")
    assert load_pack(BILINGUAL, "fr", or_default=True).language == "en"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = (BILINGUAL / "pack.yaml").read_text(encoding="utf-8")
    assert old in text
    file = tmp_path / "pack.yaml"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def test_untranslated_texts_are_listed(tmp_path: Path) -> None:
    """A plain text, or a mapping without one of the languages, is untranslated into it."""
    file = _variant(tmp_path, "{en: Ask about the price., es: Pregunte por el precio.}", "Price?")
    pack = load_pack(file, "es")
    assert pack.rules[-1].clinic[1].text == "Price?"  # falls back to the default language's
    assert [tuple(u) for u in pack.untranslated] == [("es", "rules[3].clinic[1]", 90)]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "{en: Face, es: Cara}",
            "{en: Face, fr: Visage}",
            "pack.yaml:44: questions[2].choices[0].label.fr: language 'fr' is not one of the "
            "pack's languages (en, es): declare it in pack.languages",
        ),
        (
            "{en: Face, es: Cara}",
            "{es: Cara}",
            "pack.yaml:44: questions[2].choices[0].label: no 'en' text: every text needs one in "
            "the pack's default_language",
        ),
        (
            "{en: Face, es: Cara}",
            "{en: Face, es: ''}",
            "pack.yaml:44: questions[2].choices[0].label.es: expected non-empty text, got a "
            "string ''",
        ),
        (
            'help: {en: "Arms, legs or belly.", es: "Brazos, piernas o abdomen."}',
            "help: {en: Arms, legs or belly., es: Brazos}",
            "pack.yaml:47: questions[2].choices[1].help.legs or belly.: language 'legs or "
            "belly.' is not one of the pack's languages (en, es) (quote a text that holds a "
            "comma inside { }): declare it in pack.languages",
        ),
        (
            "languages: [en, es]",
            "languages: [en, es, 'e s']",
            "pack.yaml:6: pack.languages[2]: 'e s' is not a language tag (such as en, es or es-MX)",
        ),
        (
            "languages: [en, es]",
            "languages: [en, es, en]",
            "pack.yaml:6: pack.languages[2]: language 'en' is listed twice",
        ),
        (
            "default_language: en",
            "default_language: eng",
            "pack.yaml:7: pack.default_language: 'eng' is not one of the pack's languages "
            "(en, es) (did you mean 'en'?)",
        ),
    ],
)
def test_language_problems(tmp_path: Path, old: str, new: str, problem: str) -> None:
    """Each mistake in a pack's languages is one problem, with its line and YAML path."""
    file = _variant(tmp_path, old, new)
    with pytest.raises(PackError) as caught:
        load_pack(file)
    assert [str(p).removeprefix(f"{tmp_path}/") for p in caught.value.problems] == [problem]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_choice_is_named_by_its_label_in_any_language(lang: str) -> None:
    """An answer may name a choice by its value or its label in any of the pack's languages,
    so an input file reads the same whatever --lang is."""
    from mesoguide.answers import coerce

    pack = load_pack(BILINGUAL, lang)
    area, concerns = pack.question("area"), pack.question("concerns")
    assert [coerce(area, text) for text in ("body", "Body", "cuerpo", "CUERPO")] == ["body"] * 4
    assert coerce(concerns, "Arrugas; cellulite") == ("wrinkles", "cellulite")
    assert coerce(pack.question("pregnant"), "Sí") is True
