"""The report for people: a rich terminal view and a printable Markdown handout."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mesoguide.model import Finding, Report, RulePack, State
from mesoguide.runner import shown

OUTCOME_STYLES = {"candidate": "green", "refer": "yellow", "not_indicated": "blue"}


def _points(finding: Finding) -> str:
    return f" [{', '.join(finding.guidance)}]" if finding.guidance else ""


def _bullets(findings: Iterable[Finding]) -> RenderableType:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    for finding in findings:
        line = Text(finding.text)
        line.append(_points(finding), style="dim")
        table.add_row("•", line)
    return Padding(table, (0, 0, 0, 2))


def text_report(report: Report, pack: RulePack) -> RenderableType:
    """The terminal report as one rich renderable."""
    style = OUTCOME_STYLES.get(report.candidacy, "cyan")
    parts: list[RenderableType] = [
        Panel(
            Text(report.outcome.summary),
            title=Text(report.outcome.label, style=f"bold {style}"),
            title_align="left",
            border_style=style,
        )
    ]

    def section(title: str, body: RenderableType) -> None:
        parts.append(Text(""))
        parts.append(Text(title, style="bold"))
        parts.append(body)

    if report.referral_reasons:
        section("See a clinician about", _bullets(report.referral_reasons))
    if report.explanations:
        section("Why", _bullets(report.explanations))
    if report.sessions is not None:
        sessions = report.sessions
        lines = Text(f"About {sessions.min} to {sessions.max} sessions.")
        if sessions.timeline:
            lines.append(f" {sessions.timeline}")
        section("Sessions and timeline", Padding(lines, (0, 0, 0, 2)))
    if report.clinic:
        section("What to ask the clinic", _bullets(report.clinic))
    if report.advice:
        section("Advice", _bullets(report.advice))
    blanks = _blanks(report, pack)
    if blanks:
        section("Not answered", _bullets(blanks))
    parts.append(Text(""))
    parts.append(Text(report.disclaimer, style="dim italic"))
    return Group(*parts)


def _blanks(report: Report, pack: RulePack) -> list[Finding]:
    """The questions that applied but were left blank, each with what counted instead."""
    return [
        Finding("", f"{response.question.label} — {shown(*response)}", ())
        for response in report.answers.responses(pack)
        if response.state in (State.default, State.not_answered)
    ]


def print_report(report: Report, pack: RulePack, console: Console) -> None:
    console.print(text_report(report, pack))


def render_text(report: Report, pack: RulePack, width: int = 80) -> str:
    """The terminal report as plain text (for files and pipes)."""
    console = Console(width=width, color_system=None, force_terminal=False, record=True)
    with console.capture() as capture:
        console.print(text_report(report, pack))
    # rich pads table cells to the full width; a file or a pipe wants no trailing blanks
    return "\n".join(line.rstrip() for line in capture.get().splitlines()) + "\n"


def render_markdown(report: Report, pack: RulePack) -> str:
    """A printable Markdown handout of the report."""
    out: list[str] = [
        f"# {pack.title}",
        "",
        f"## {report.outcome.label}",
        "",
        report.outcome.summary,
    ]

    def section(title: str, findings: Iterable[Finding]) -> None:
        items = [f"- {f.text}{_md_points(f)}" for f in findings]
        if items:
            out.extend(["", f"## {title}", "", *items])

    section("See a clinician about", report.referral_reasons)
    section("Why", report.explanations)
    if report.sessions is not None:
        sessions = report.sessions
        out.extend(["", "## Sessions and timeline", ""])
        line = f"About {sessions.min} to {sessions.max} sessions."
        out.append(f"{line} {sessions.timeline}" if sessions.timeline else line)
    section("What to ask the clinic", report.clinic)
    section("Advice", report.advice)
    out.extend(["", "## Your answers", "", "| Question | Answer |", "|---|---|"])
    for response in report.answers.responses(pack):
        out.append(f"| {_md_cell(response.question.label)} | {_md_cell(shown(*response))} |")
    used = sorted({p for f in _all(report) for p in f.guidance}, key=_point_order)
    if used:
        out.extend(["", "## Guidance points cited", ""])
        for point_id in used:
            point = pack.guidance.get(point_id)
            if point is not None:
                source = f" (source: {point.source})" if point.source else ""
                out.append(f"- **{point_id}**: {point.text}{source}")
    out.extend(
        [
            "",
            "---",
            "",
            f"*{report.disclaimer}*",
            "",
            f"<sub>Rule pack {report.pack.id} {report.pack.version}, "
            f"sha256 {report.pack.sha256[:12]}</sub>",
            "",
        ]
    )
    return "\n".join(out)


def _all(report: Report) -> Iterable[Finding]:
    yield from report.referral_reasons
    yield from report.explanations
    yield from report.clinic
    yield from report.advice


def _point_order(point_id: str) -> tuple[bool, tuple[tuple[int, str], ...]]:
    """Numbered points first, in natural order (K5 before K10), then named ones (EVIDENCE)."""
    parts = re.findall(r"\d+|\D+", point_id)
    key = tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)
    return (not any(p.isdigit() for p in parts), key)


def _md_points(finding: Finding) -> str:
    return f" *({', '.join(finding.guidance)})*" if finding.guidance else ""


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
