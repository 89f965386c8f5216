"""The shipped parses of the built-in packs (src/mesoguide/parsed/): current, exact, and used
only for a pack with the very bytes they were parsed from."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from mesoguide import loader, yamlsafe
from mesoguide.engine import assess
from mesoguide.runner import from_mapping
from mesoguide.views import render_markdown
from tests.conftest import ROOT, load_script
from tests.test_pipeline_properties import answer_sets

BUILT_IN = sorted((ROOT / "rules").glob("*/pack.yaml"))


def typed(value: object) -> object:
    """``value`` with the type of every part spelled out: 1, 1.0 and True are equal in Python."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def test_every_built_in_pack_has_its_parse_and_nothing_else_is_shipped() -> None:
    """`scripts/parsed_packs.py check` finds nothing missing, stale or left over."""
    assert BUILT_IN
    assert load_script("scripts/parsed_packs.py").problems() == []


@pytest.mark.parametrize("file", BUILT_IN, ids=lambda file: file.parent.name)
def test_a_shipped_parse_is_exactly_what_parsing_the_pack_gives(file: Path) -> None:
    """Every value, its type and the order of keys, and the line of every YAML path."""
    raw = file.read_bytes()
    fresh = yamlsafe.load(yamlsafe.decode(raw, "rule pack"))
    stored = loader.stored_parse(hashlib.sha256(raw).hexdigest())
    assert stored is not None
    assert typed(stored.data) == typed(fresh.data)
    assert json.dumps(stored.data) == json.dumps(fresh.data)  # the order of keys too
    assert stored.lines == fresh.lines


def test_an_edited_pack_is_parsed_not_read_from_the_shipped_copy(tmp_path: Path) -> None:
    """One changed byte and the pack is parsed anew, so an edit is never hidden."""
    pack = tmp_path / "pack.yaml"
    text = loader.default_pack_path().joinpath("pack.yaml").read_text(encoding="utf-8")
    pack.write_text(text.replace("en: How old are you?", "en: Your age?", 1), encoding="utf-8")
    assert loader.stored_parse(hashlib.sha256(pack.read_bytes()).hexdigest()) is None
    assert loader.load_pack(pack).question("age").label == "Your age?"


def test_a_copy_of_a_built_in_pack_is_read_from_the_shipped_parse(tmp_path: Path) -> None:
    """Its problems still name the copy's own path."""
    shutil.copytree(loader.default_pack_path(), tmp_path / "mine")
    pack = loader.load_pack(tmp_path / "mine")
    assert pack.path == tmp_path / "mine" / "pack.yaml"
    assert pack.sha256 == hashlib.sha256(pack.path.read_bytes()).hexdigest()
    assert loader.stored_parse(pack.sha256) is not None


def test_an_unreadable_shipped_parse_falls_back_to_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = loader.default_pack_path().joinpath("pack.yaml").read_bytes()
    (tmp_path / f"{hashlib.sha256(raw).hexdigest()}.json").write_text("[{", encoding="utf-8")
    monkeypatch.setattr(loader, "PARSED_DIR", tmp_path)
    assert loader.load_pack().question("age").type == "integer"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_reports_from_the_shipped_parse_are_those_of_a_fresh_parse(
    lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whole handouts over generated answer sets, in each language of the default pack."""
    stored = loader.load_pack(lang=lang)
    monkeypatch.setattr(loader, "PARSED_DIR", tmp_path)  # nothing stored there: parse
    parsed = loader.load_pack(lang=lang)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answer_sets(stored))
    def check(raw: dict[str, object]) -> None:
        first = assess(stored, from_mapping(stored, raw))
        second = assess(parsed, from_mapping(parsed, raw))
        assert render_markdown(first, stored) == render_markdown(second, parsed)

    check()
