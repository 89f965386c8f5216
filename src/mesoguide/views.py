"""The report for people: a rich terminal view and a printable Markdown handout."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mesoguide.i18n import _
from mesoguide.model import Finding, GuidancePoint, Report, RulePack, State
from mesoguide.runner import shown

OUTCOME_STYLES = {"candidate": "green", "refer": "yellow", "not_indicated": "blue"}


def _points(finding: Finding) -> str:
    return _cites(finding.guidance)


def _cites(guidance: tuple[str, ...]) -> str:
    return f" [{', '.join(guidance)}]" if guidance else ""


def _bullets(findings: Iterable[Finding]) -> RenderableType:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column()
    for finding in findings:
        line = Text(finding.text)
        line.append(_points(finding), style="dim")
        table.add_row("•", line)
    return Padding(table, (0, 0, 0, 2))


def text_report(report: Report, pack: RulePack, border: bool = True) -> RenderableType:
    """The terminal report as one rich renderable.

    It opens with the outcome (in a panel, or as a plain heading without ``border``), keys every
    guidance point it cites, and ends with its closing (see `_closing`), so that the last lines
    on screen say the result whatever scrolled away.
    """
    return Group(*_body(report, pack, border), *_closing(report))


def _title(report: Report) -> Text:
    style = OUTCOME_STYLES.get(report.candidacy, "cyan")
    return Text(report.outcome.label, style=f"bold {style}")


def _closing(report: Report) -> list[RenderableType]:
    """The report's last lines, never skipped: the pack's disclaimer (the built-in one: only a
    medical professional can decide) and the outcome again as a ``Result:`` line."""
    return [
        Text(""),
        Text(report.disclaimer, style="dim italic"),
        Text(""),
        Text.assemble((_("Result: "), "bold"), _title(report)),
    ]


def _body(report: Report, pack: RulePack, border: bool) -> list[RenderableType]:
    """The report up to its closing: the outcome, the sections, the key to the points cited."""
    style = OUTCOME_STYLES.get(report.candidacy, "cyan")
    title = _title(report)
    parts: list[RenderableType] = []
    if border:
        parts.append(_OutcomePanel(title, Text(report.outcome.summary), style))
    else:
        parts += [title, Text(report.outcome.summary)]

    def section(title: str, body: RenderableType) -> None:
        parts.append(Text(""))
        parts.append(Text(title, style="bold"))
        parts.append(body)

    if report.referral_reasons:
        section(_("See a clinician about"), _bullets(report.referral_reasons))
    if report.explanations:
        section(_("Why"), _bullets(report.explanations))
    if report.sessions is not None:
        sessions = report.sessions
        lines = Text(_("About {min} to {max} sessions.").format(min=sessions.min, max=sessions.max))
        if sessions.timeline:
            lines.append(f" {sessions.timeline}")
        lines.append(_cites(sessions.guidance), style="dim")
        section(_("Sessions and timeline"), Padding(lines, (0, 0, 0, 2)))
    if report.clinic:
        section(_("What to ask the clinic"), _bullets(report.clinic))
    if report.advice:
        section(_("Advice"), _bullets(report.advice))
    blanks = _blanks(report, pack)
    if blanks:
        section(_("Not answered"), _bullets(blanks))
    dropped = _dropped(report, pack)
    if dropped:
        section(_("Given but not asked"), _bullets(dropped))
    points = cited_points(report, pack)
    if points:
        key = Table.grid(padding=(0, 1))
        key.add_column(no_wrap=True, style="dim")
        key.add_column()
        for point in points:
            key.add_row(point.id, point.text + _source(point))
        section(_("Guidance points cited"), Padding(key, (0, 0, 0, 2)))
    return parts


def _blanks(report: Report, pack: RulePack) -> list[Finding]:
    """The questions that applied but were left blank, each with what counted instead."""
    return [
        Finding("", f"{response.question.label} — {shown(*response)}", ())
        for response in report.answers.responses(pack)
        if response.state in (State.default, State.not_answered)
    ]


def _dropped(report: Report, pack: RulePack) -> list[Finding]:
    """Answers given for questions that did not apply (dropped, so no rule saw them)."""
    return [
        Finding(
            "",
            _(
                "{question} — an answer was given, but the question did not apply to the other "
                "answers, so it was not used: ask about this at the visit"
            ).format(question=pack.question(qid).label),
            (),
        )
        for qid in report.answers.dropped
    ]


class _OutcomePanel:
    """The outcome in a panel: its label in the top border, or inside when the border is too
    narrow for it (rich would cut it short)."""

    def __init__(self, title: Text, summary: Text, style: str) -> None:
        self.title, self.summary, self.style = title, summary, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.title.cell_len + 6 <= options.max_width:
            yield Panel(self.summary, title=self.title, title_align="left", border_style=self.style)
        else:
            yield Panel(Group(self.title, self.summary), border_style=self.style)


def print_report(
    report: Report, pack: RulePack, console: Console, page: Callable[[str], bool] | None = None
) -> None:
    """Print the report; through ``page`` when given and the report is taller than the console.

    A paged report's closing (see `_closing`) is printed after the pager ends, not paged: the
    pager may be quit on any page (less's q), and the result and the disclaimer must be on the
    screen when the run ends whatever was read.
    """
    body, closing = _body(report, pack, True), _closing(report)
    if page is not None:
        lines = console.render_lines(Group(*body, *closing), console.options, pad=False)
        if len(lines) > console.size.height:
            with console.capture() as capture:
                console.print(Group(*body))
            if page(capture.get()):
                console.print(Group(*closing))
                return
    console.print(Group(*body, *closing))


def render_text(report: Report, pack: RulePack, width: int = 80, border: bool = True) -> str:
    """The terminal report as plain text (for files, pipes and the plain mode)."""
    console = Console(width=width, color_system=None, force_terminal=False, record=True)
    with console.capture() as capture:
        console.print(text_report(report, pack, border))
    # rich pads table cells to the full width; a file or a pipe wants no trailing blanks
    return "\n".join(line.rstrip() for line in capture.get().splitlines()) + "\n"


def cited_points(report: Report, pack: RulePack) -> list[GuidancePoint]:
    """The guidance points the report cites, G1, G2, ... first, then the named ones."""
    sessions = () if report.sessions is None else report.sessions.guidance
    used = sorted({*sessions, *(p for f in _all(report) for p in f.guidance)}, key=_point_order)
    return [pack.guidance[point_id] for point_id in used if point_id in pack.guidance]


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

    section(_("See a clinician about"), report.referral_reasons)
    section(_("Why"), report.explanations)
    if report.sessions is not None:
        sessions = report.sessions
        out.extend(["", f"## {_('Sessions and timeline')}", ""])
        line = _("About {min} to {max} sessions.").format(min=sessions.min, max=sessions.max)
        line = f"{line} {sessions.timeline}" if sessions.timeline else line
        out.append(line + (f" *({', '.join(sessions.guidance)})*" if sessions.guidance else ""))
    section(_("What to ask the clinic"), report.clinic)
    section(_("Advice"), report.advice)
    section(_("Given but not asked"), _dropped(report, pack))
    out.extend(["", f"## {_('Your answers')}", "", _("| Question | Answer |"), "|---|---|"])
    for response in report.answers.responses(pack):
        answer = shown(*response)
        if response.question.id in report.answers.dropped:
            answer = _("{answer}; an answer was given but not used").format(answer=answer)
        if response.question.type == "text" and response.state is State.answered:
            answer = _md_literal(answer)  # a person's own words: never markup
        out.append(f"| {_md_cell(response.question.label)} | {_md_cell(answer)} |")
    points = cited_points(report, pack)
    if points:
        out.extend(["", f"## {_('Guidance points cited')}", ""])
        for point in points:
            out.append(f"- **{point.id}**: {point.text}{_source(point)}")
    out.extend(
        [
            "",
            "---",
            "",
            f"*{report.disclaimer}*",
            "",
            "<sub>"
            + _("Rule pack {id} {version}, sha256 {sha256}").format(
                id=report.pack.id, version=report.pack.version, sha256=report.pack.sha256[:12]
            )
            + "</sub>",
            "",
        ]
    )
    return "\n".join(out)


def _source(point: GuidancePoint) -> str:
    return _(" (source: {source})").format(source=point.source) if point.source else ""


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


_MD_SPECIAL = re.compile(
    r"([\\`*_{}\[\]()#+\-.!<>~&:@])"
)  # "|": _md_cell; ":" "@" "." stop autolinks


def _md_literal(text: str) -> str:
    """Free text as Markdown that shows it as typed: every character Markdown (or the HTML
    in it) could read as markup is escaped, so a link, a heading or a tag stays text."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
