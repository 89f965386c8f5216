"""The library surface: load a pack, assess answers, render a report (the CLI uses these).

>>> import mesoguide
>>> pack = mesoguide.load_pack()                     # the built-in mesotherapy pack
>>> report = mesoguide.assess(pack, {"age": 34, ...})  # raw answers, as in a file
>>> print(mesoguide.render(report, pack, "markdown"))
"""

from __future__ import annotations

from typing import Literal

from mesoguide.answers import read_answers
from mesoguide.engine import assess
from mesoguide.loader import load_pack
from mesoguide.model import Report, RulePack

Format = Literal["text", "markdown", "json", "fhir"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json", "fhir")

__all__ = ["FORMATS", "Format", "assess", "load_pack", "read_answers", "render"]


def render(report: Report, pack: RulePack, format: Format = "text", width: int = 80) -> str:
    """The report as text (``width`` columns, no colour), a Markdown handout, JSON, or a FHIR
    QuestionnaireResponse (docs/fhir.md)."""
    if format == "json":
        from mesoguide.report import render_json

        return render_json(report)
    if format == "markdown":
        from mesoguide.views import render_markdown

        return render_markdown(report, pack)
    if format == "fhir":
        from mesoguide.fhir import render_response

        return render_response(report, pack)
    if format == "text":
        from mesoguide.views import render_text

        return render_text(report, pack, width)
    raise ValueError(f"unknown format {format!r}: one of {', '.join(FORMATS)}")
