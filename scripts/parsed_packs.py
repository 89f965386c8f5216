"""The parsed copies of the built-in rule packs that the wheel ships, so start-up skips YAML.

    python scripts/parsed_packs.py update  # write one per pack under rules/, drop stale ones
    python scripts/parsed_packs.py check   # exit 1 if one is missing, stale or left over

Each copy is src/mesoguide/parsed/<sha256 of pack.yaml>.json, holding ``[data, lines]`` as
`mesoguide.yamlsafe.load` gives them. The loader uses a copy only for a pack with exactly
those bytes, so an edited pack is parsed as before until `update` is run again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
PARSED = ROOT / "src" / "mesoguide" / "parsed"


def wanted(rules: Path = RULES) -> dict[str, str]:
    """The text of each copy there should be, by file name."""
    from mesoguide import yamlsafe

    copies: dict[str, str] = {}
    for pack in sorted(rules.glob("*/pack.yaml")):
        raw = pack.read_bytes()
        located = yamlsafe.load(yamlsafe.decode(raw, "rule pack"))
        name = f"{hashlib.sha256(raw).hexdigest()}.json"
        # a value JSON cannot hold (a date, NaN) fails here, not at start-up
        copies[name] = json.dumps(
            [located.data, located.lines], ensure_ascii=False, allow_nan=False
        )
    return copies


def problems(parsed: Path = PARSED, rules: Path = RULES) -> list[str]:
    """What differs between the copies on disk and those there should be."""
    copies = wanted(rules)
    found = {file.name for file in parsed.glob("*.json")}
    said = [f"{name}: missing" for name in sorted(set(copies) - found)]
    said += [f"{name}: left over (no pack has these bytes)" for name in sorted(found - set(copies))]
    said += [
        f"{name}: stale"
        for name in sorted(found & set(copies))
        if (parsed / name).read_text(encoding="utf-8") != copies[name]
    ]
    return said


def update(parsed: Path = PARSED, rules: Path = RULES) -> None:
    parsed.mkdir(exist_ok=True)
    copies = wanted(rules)
    for file in parsed.glob("*.json"):
        if file.name not in copies:
            file.unlink()
    for name, text in copies.items():
        (parsed / name).write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if argv not in (["update"], ["check"]):
        print(__doc__, file=sys.stderr)
        return 2
    if argv == ["update"]:
        update()
        return 0
    found = problems()
    for line in found:
        print(f"src/mesoguide/parsed/{line}: run python scripts/parsed_packs.py update")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
