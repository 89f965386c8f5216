"""The catalogs of the tool's own words: extract them from the code, update and compile them.

    python scripts/catalogs.py update   # add new words to every .po (empty), drop gone ones
    python scripts/catalogs.py compile  # write each .mo beside its .po (the wheel ships both)
    python scripts/catalogs.py check    # exit 1 if a word is untranslated or a .mo is stale

The words are the string literals passed to ``_()`` and ``N_()`` in src/mesoguide, and the
two passed to ``ngettext()`` (a singular and a plural: the .po's ``msgid_plural`` and
``msgstr[N]``, here kept as one key ``singular\0plural`` and one value ``form0\0form1``, as the
.mo holds them). Pure Python (no GNU gettext needed); the .mo files are written byte for byte
the same each time, so tests can check that the committed ones match their .po.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "mesoguide"
LOCALE = PACKAGE / "locale"
DOMAIN = "mesoguide"
HEADER = (
    "Project-Id-Version: mesoguide\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
)
PLURAL_FORMS = {"es": "nplurals=2; plural=(n != 1);"}
"""Each language's Plural-Forms header: how many forms, and which a count takes."""
DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
PLURAL = "\0"  # between a plural message's singular and plural, and between its forms


def plural_forms(language: str) -> str:
    return PLURAL_FORMS.get(language.split("_")[0], DEFAULT_PLURAL_FORMS)


def form_count(language: str) -> int:
    return int(plural_forms(language).split(";")[0].split("=")[1])


def extract(package: Path = PACKAGE) -> dict[str, list[str]]:
    """Each message of the code, in order of first use, with where it is used (file:line)."""
    found: dict[str, list[str]] = {}
    for file in sorted(package.glob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        nodes = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for node in nodes:
            message = _message(node)
            if message is not None:
                where = f"{file.relative_to(ROOT)}:{node.lineno}"
                found.setdefault(message, []).append(where)
    return found


def _message(node: ast.Call) -> str | None:
    """The message a call marks: ``_("a")`` and ``N_("a")`` give ``a``, ``ngettext("a", "b",
    n)`` gives ``a\0b``; any other call None."""
    if not isinstance(node.func, ast.Name):
        return None
    words = [arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant)]
    if not all(isinstance(word, str) for word in words):
        return None
    if node.func.id in ("_", "N_") and words:
        return str(words[0])
    if node.func.id == "ngettext" and len(words) == 2:
        return PLURAL.join(map(str, words))
    return None


def po_files() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\t", "\\t") + '"'


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            out.append({"n": "\n", "t": "\t"}.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def read_po(path: Path) -> dict[str, str]:
    """The translations of a .po file (msgid -> msgstr; "" is the header)."""
    messages: dict[str, str] = {}
    key: str | None = None
    current: list[str] = []
    msgid = ""
    forms: list[str] = []  # a plural message's msgstr[N], in order
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if line.startswith('"') and key is not None:
            current.append(_unquote(line))
            continue
        if key == "msgid":
            msgid = "".join(current)
        elif key == "msgid_plural":
            msgid += PLURAL + "".join(current)
        elif key == "msgstr":
            messages[msgid] = "".join(current)
        elif key == "msgstr[]":
            forms.append("".join(current))
        if key == "msgstr[]" and not line.startswith("msgstr["):  # the entry's last form
            messages[msgid] = PLURAL.join(forms) if any(forms) else ""
            forms = []
        key = None
        if line.startswith("msgid "):
            key, current = "msgid", [_unquote(line[6:])]
        elif line.startswith("msgid_plural "):
            key, current = "msgid_plural", [_unquote(line[13:])]
        elif line.startswith("msgstr "):
            key, current = "msgstr", [_unquote(line[7:])]
        elif line.startswith("msgstr["):
            key, current = "msgstr[]", [_unquote(line.split("]", 1)[1])]
    return messages


def write_po(path: Path, language: str, old: dict[str, str]) -> None:
    """The .po for ``language``: every message of the code, with the translations it had."""
    lines = [
        f"# The tool's own words in {language}. Edit the msgstr lines; then run",
        "# python scripts/catalogs.py compile",
        'msgid ""',
        'msgstr ""',
        *(
            _quote(line + "\n")
            for line in (
                HEADER + f"Language: {language}\nPlural-Forms: {plural_forms(language)}"
            ).splitlines()
        ),
    ]
    for message, places in extract().items():
        lines += ["", *(f"#: {where}" for where in places)]
        if "{" in message:
            lines.append("#, python-brace-format")
        if PLURAL in message:
            singular, plural = message.split(PLURAL)
            forms = old.get(message, "").split(PLURAL)
            forms += [""] * (form_count(language) - len(forms))
            lines += [f"msgid {_quote(singular)}", f"msgid_plural {_quote(plural)}"]
            lines += [f"msgstr[{n}] {_quote(form)}" for n, form in enumerate(forms)]
        else:
            lines += [f"msgid {_quote(message)}", f"msgstr {_quote(old.get(message, ''))}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def mo_bytes(messages: dict[str, str]) -> bytes:
    """A GNU .mo file of the translated messages (as Python's Tools/i18n/msgfmt.py writes)."""
    pairs = sorted(
        (key.encode(), value.encode()) for key, value in messages.items() if value or not key
    )
    ids = strs = b""
    table = []
    for key, value in pairs:
        table.append((len(ids), len(key), len(strs), len(value)))
        ids += key + b"\0"
        strs += value + b"\0"
    start = 7 * 4 + 16 * len(pairs)
    keys = [n for o1, l1, _o2, _l2 in table for n in (l1, o1 + start)]
    values = [n for _o1, _l1, o2, l2 in table for n in (l2, o2 + start + len(ids))]
    header = struct.pack("<7I", 0x950412DE, 0, len(pairs), 7 * 4, 7 * 4 + 8 * len(pairs), 0, 0)
    return header + struct.pack(f"<{len(keys) + len(values)}I", *keys, *values) + ids + strs


def problems() -> list[str]:
    """Untranslated or unused messages, stale .mo files, placeholders that do not match."""
    import re

    found = []
    wanted = extract()
    for po in po_files():
        messages = read_po(po)
        count = form_count(po.parents[1].name)
        for message in wanted:
            translated = messages.get(message, "")
            if PLURAL in message:
                forms = translated.split(PLURAL)
                if len(forms) != count or not all(forms):
                    found.append(f"{po}: not translated (each of {count} forms): {message!r}")
                # a singular form may say "one" where the plural has {count}: the forms
                # together use the placeholders the two English ones do
                elif set(re.findall(r"{\w*}", translated)) != set(re.findall(r"{\w*}", message)):
                    found.append(f"{po}: placeholders differ: {message!r}")
            elif not translated:
                found.append(f"{po}: not translated: {message!r}")
            elif sorted(re.findall(r"{\w*}", translated)) != sorted(re.findall(r"{\w*}", message)):
                found.append(f"{po}: placeholders differ: {message!r}")
        found += [f"{po}: no longer used: {m!r}" for m in messages if m and m not in wanted]
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(messages):
            found.append(f"{mo}: out of date: run python scripts/catalogs.py compile")
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        for po in po_files():
            write_po(po, po.parents[1].name, read_po(po))
    elif command == "compile":
        for po in po_files():
            po.with_suffix(".mo").write_bytes(mo_bytes(read_po(po)))
    elif command == "check":
        found = problems()
        print("\n".join(found) or "Every catalog is complete and compiled.")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
