"""The edge of `mesoguide batch`: open the streams, write records whole, signals, progress."""

from __future__ import annotations

import codecs
import io
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from mesoguide.cliutil import cannot_write, os_reason, output_errors, output_path, warn
from mesoguide.errors import ExitCode, MesoguideError, UsageError
from mesoguide.i18n import _, ngettext

if TYPE_CHECKING:
    from rich.console import Group

    from mesoguide.batch import Record, Row, Tally
    from mesoguide.batch_save import BatchSaver
    from mesoguide.columns import ColumnMap
    from mesoguide.model import RulePack

BLOCK_ROWS = 256  # records written (and flushed) together: whole records only, never a part


class BatchFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    fhir = "fhir"  # NDJSON of QuestionnaireResponses (docs/fhir.md)


class InputFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"  # also FHIR NDJSON: a QuestionnaireResponse per line
    bundle = "bundle"  # a FHIR Bundle of QuestionnaireResponses


class Detail(StrEnum):
    brief = "brief"
    full = "full"


@dataclass(frozen=True)
class Options:
    """How to read an export and write its records, beyond the formats."""

    delimiter: str | None = None  # sniffed from the header when None
    columns: Path | None = None  # a column map (YAML)
    ignore: tuple[str, ...] = ()  # columns that name no question on purpose
    id_column: str | None = None
    formula_guard: bool = True  # CSV output: cells a spreadsheet would run get a leading '
    bom: bool = False  # CSV output: a UTF-8 byte-order mark first, for Excel
    summary: Path | None = None  # the end-of-run summary as JSON


def parse_delimiter(text: str) -> str:
    """`--delimiter`: one character; `tab` or `\\t` for a tab."""
    if text.lower() in ("tab", "\\t"):
        return "\t"
    if len(text) != 1 or text in '"\r\n':
        raise UsageError(
            _("--delimiter {text}: give one character such as ',' or ';', or 'tab'").format(
                text=repr(text)
            )
        )
    return text


class _Stop(Exception):
    """A signal asked us to stop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Signals:
    """SIGINT and SIGTERM stop the run at once, except during a write, which they let finish.

    A second signal during a write that does not finish (a reader that stopped reading) cuts
    it short, whether the first came during that write or before it (the run then writes the
    records it made). Otherwise, once the run is stopping, further signals are ignored.
    """

    def __init__(self) -> None:
        self._writing = False
        self._first: int | None = None  # the first signal received
        self.stopping = False
        self.cut = False  # a write was cut short

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._first is None:
            self._first = signum
            if self._writing or self.stopping:
                return  # the write finishes first (held() then stops the run), or all is done
            self.stopping = True  # set here: a second signal before run_batch sees this one
            raise _Stop(signum)
        if self._writing:
            self.cut = True
            raise _Stop(signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._handle) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Defer a first signal until the block is written, then act on it."""
        self._writing = True
        try:
            yield
        finally:
            self._writing = False
        if self._first is not None and not self.stopping:
            self.stopping = True
            raise _Stop(self._first)


class _Output:
    """Blocks of whole records onto a byte stream, flushed as each block is complete."""

    def __init__(self, stream: IO[bytes], signals: _Signals, name: str) -> None:
        self._stream = stream
        self._signals = signals
        self._name = name
        self._pending: list[str] = []
        self._records = 0  # in _pending: a CSV header line is no record
        self.written = 0  # records written so far

    def add(self, text: str, record: bool = True) -> None:
        self._pending.append(text)
        self._records += record
        if len(self._pending) >= BLOCK_ROWS:
            self.flush()

    def _whole_records_in(self, size: int) -> int:
        """How many pending records the first ``size`` bytes of the block hold whole."""
        header = len(self._pending) - self._records  # a CSV header line, in the first block
        end = whole = 0
        for i, text in enumerate(self._pending):
            end += len(text.encode("utf-8", "backslashreplace"))
            if end > size:
                break
            whole += i >= header
        return whole

    def flush(self) -> None:
        if not self._pending:
            return
        # Lone surrogates (from JSON escapes) become `\udXXX`, itself a valid JSON escape.
        data = "".join(self._pending).encode("utf-8", "backslashreplace")
        with self._signals.held():
            # A signal during a large write can make BufferedWriter.write return short (seen
            # with a pipe on CPython 3.11): write until every byte of the block is out.
            view = memoryview(data)
            try:
                while view:
                    view = view[self._stream.write(view) :]
                self._stream.flush()
            except BrokenPipeError:
                raise
            except _Stop:  # a second signal cut a write that did not finish
                self.written += self._whole_records_in(len(data) - len(view))
                self._pending.clear()
                raise
            except OSError as error:  # a full disk, a quota, an I/O error
                self.written += self._whole_records_in(len(data) - len(view))
                self._pending.clear()  # nothing more is written, not even at exit
                # "after 1 whole records": the English as it has always been written
                raise UsageError(
                    ngettext(
                        "cannot write the records to {name}: {why} (after {count} whole "
                        "records; the output may end in part of one)",
                        "cannot write the records to {name}: {why} (after {count} whole "
                        "records; the output may end in part of one)",
                        self.written,
                    ).format(name=self._name, why=os_reason(error), count=f"{self.written:,}")
                ) from None
            self.written += self._records
            self._records = 0
            self._pending.clear()


def input_format_of(path: str, given: InputFormat | None) -> InputFormat:
    """The input's format: as given, else from the file name's suffix."""
    if given is not None:
        return given
    suffix = Path(path).suffix.lower()
    if path != "-" and suffix in (".csv", ".jsonl", ".ndjson", ".json"):
        named = {".ndjson": "jsonl", ".json": "bundle"}.get(suffix, suffix[1:])
        return InputFormat(named)
    if path == "-":
        raise UsageError(_("stdin needs --input-format csv, jsonl or bundle"))
    raise UsageError(
        _(
            "{path}: the name does not end in .csv, .jsonl or .json, so needs --input-format "
            "csv, jsonl or bundle"
        ).format(path=path)
    )


def open_input(path: str) -> io.TextIOWrapper:
    """The input as text (UTF-8, a BOM dropped, line ends kept for the CSV reader)."""
    if path == "-":
        stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    else:
        stream = _open_file(path)
    problem = _unfit(stream)
    if problem is not None:
        if path != "-":
            stream.close()
        raise UsageError(cannot_read("stdin" if path == "-" else path, problem))
    return stream


def _open_file(path: str) -> io.TextIOWrapper:
    try:
        if Path(path).is_dir():
            raise UsageError(cannot_read(path, _("it is a folder")))
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise UsageError(cannot_read(path, _("no such file"))) from None
    except OSError as error:
        raise UsageError(cannot_read(path, os_reason(error))) from None


def cannot_read(path: str, why: str) -> str:
    return _("cannot read {path}: {why}").format(path=path, why=why)


def _unfit(stream: io.TextIOWrapper) -> str | None:
    """Why the input is no export at all, from its first bytes: empty (a failed export, or a
    BOM alone), or binary (a NUL byte early on, as git judges it; UTF-16 is left to the UTF-8
    check)."""
    buffer = stream.buffer
    if not hasattr(buffer, "peek"):  # a test's BytesIO
        return None
    try:
        # One read at most: a pipe gives what it has, or b"" at its end.
        head = buffer.peek(8192)[:8192]
        if head.startswith(codecs.BOM_UTF8):
            # Dropped here as utf-8-sig would drop it, to see whether anything follows it.
            buffer.read(len(codecs.BOM_UTF8))
            head = buffer.peek(8192)[:8192]
    except OSError:
        return None  # the read that follows says what is wrong
    if not head:
        return _("it is empty: there is no row to assess")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _("it is binary, not CSV or JSON lines text")
    return None


def open_output(path: Path | None, input_path: str) -> IO[bytes]:
    """The output byte stream: the file (created or emptied), or stdout (no path, or ``-``)."""
    if path is None or str(path) == "-":
        sys.stdout.flush()
        try:  # unbuffered, as a file is: a write says exactly what got out
            return open(sys.stdout.fileno(), "wb", buffering=0, closefd=False)
        except (OSError, ValueError):  # no file descriptor (a test's captured stdout)
            return sys.stdout.buffer
    target = output_path(path)
    with output_errors(path, target):
        if input_path != "-" and target.exists() and target.samefile(input_path):
            raise UsageError(cannot_write(path, _("it is the input file")))
        # Unbuffered: blocks are written whole by _Output, and a failed write leaves nothing
        # behind for close() to fail on again.
        return open(target, "wb", buffering=0)


def run_batch(
    pack: RulePack,
    input_path: str,
    output_path: Path | None,
    output_format: BatchFormat,
    detail: Detail,
    input_format: InputFormat | None,
    options: Options | None = None,
    saver: BatchSaver | None = None,
) -> ExitCode:
    """Assess every row of the input, write one record each, and say how it went on stderr.

    With a ``saver``, every assessed row is also saved to the record store, in blocks; what
    was assessed before an interruption or an unreadable row is saved too.
    """
    from mesoguide.batch import Tally

    options = options or Options()
    if detail is Detail.full and output_format is BatchFormat.csv:
        raise UsageError(_("--detail full needs --format jsonl: a CSV row cannot hold a report"))
    if detail is Detail.full and output_format is BatchFormat.fhir:
        raise UsageError(
            _(
                "--detail full needs --format jsonl: a QuestionnaireResponse already holds the "
                "answers and the result"
            )
        )
    if options.bom and output_format is not BatchFormat.csv:
        raise UsageError(_("--bom needs --format csv: a byte-order mark would break JSON lines"))
    signals = _Signals()
    tally = Tally.for_pack(pack)
    run = _Run(pack, tally, signals, options, saver)
    stopped: _Stop | None = None
    # The stack (progress bar, files) closes before the handlers go: a signal while closing
    # finds `stopping` set and changes nothing.
    with signals.installed(), ExitStack() as stack:
        try:
            run.stream(stack, input_path, input_format, output_path, output_format, detail)
            signals.stopping = True
        except _Stop as stop:
            stopped = stop
            signals.stopping = True
            if run.output is not None and not signals.cut:
                with suppress(_Stop):  # the records already made; a second signal cuts them
                    run.output.flush()
            if saver is not None:
                saver.flush()
        except MesoguideError:  # unreadable input mid-run: keep the records made before it
            signals.stopping = True
            if run.output is not None:
                with suppress(_Stop):  # a second signal cuts a write that does not finish
                    run.output.flush()
            if saver is not None:
                saver.flush()
            raise
        except BrokenPipeError:
            # The reader has gone (`| head`): stop quietly, and keep Python's exit-time flush of
            # stdout from complaining about the closed pipe.
            signals.stopping = True
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return ExitCode.OK
    if stopped is not None:  # said once the progress bar is gone
        written = 0 if run.output is None else run.output.written
        _say_stopped(signals.cut, written, output_path)
        return ExitCode.INTERRUPTED if stopped.signum == signal.SIGINT else ExitCode.TERMINATED
    if sys.stderr.isatty():  # the progress bar has gone
        _print_table(tally, pack)
    for line in tally.summary():
        sys.stderr.write(line + "\n")
    if options.summary is not None:
        from mesoguide.cliutil import write_output

        write_output(
            options.summary, json.dumps(tally.to_dict(), ensure_ascii=False, indent=2) + "\n"
        )
    return ExitCode.INVALID_INPUT if tally.rejected else ExitCode.OK


class _Run:
    """One batch run's streams and progress, kept so an interruption can finish the output."""

    def __init__(
        self,
        pack: RulePack,
        tally: Tally,
        signals: _Signals,
        options: Options,
        saver: BatchSaver | None = None,
    ) -> None:
        self.pack = pack
        self.tally = tally
        self.signals = signals
        self.options = options
        self.saver = saver
        self.output: _Output | None = None

    def stream(
        self,
        stack: ExitStack,
        input_path: str,
        input_format: InputFormat | None,
        output_path: Path | None,
        output_format: BatchFormat,
        detail: Detail,
    ) -> None:
        from mesoguide.batch import Assessor, CsvRows, JsonlRows

        pack, tally = self.pack, self.tally
        stream = open_input(input_path)
        if input_path != "-":
            stack.enter_context(stream)
        kind = input_format_of(input_path, input_format)
        if kind is InputFormat.jsonl:
            # A JSON line ends at \n alone: a bare \r inside one is JSON whitespace, as in a
            # file `assess --answers` reads (the CSV reader needs the line ends kept, newline="").
            stream.reconfigure(newline="\n")
        source = "stdin" if input_path == "-" else input_path
        options = self.options
        rows: CsvRows | JsonlRows | _BundleRows
        if kind is InputFormat.bundle:
            rows = _BundleRows(pack, stream, source)
        elif kind is InputFormat.csv:
            column_map = _column_map(options.columns, pack)
            rows = CsvRows(
                stream,
                pack,
                source,
                delimiter=options.delimiter,
                column_map=column_map,
                ignore=options.ignore,
                id_column=options.id_column,
            )
            for note in rows.notes:
                warn(note)
        else:
            for given, flag in [
                (options.delimiter, "--delimiter"),
                (options.columns, "--columns"),
                (options.id_column, "--id-column"),
            ]:
                if given is not None:
                    raise UsageError(
                        _("{option} is for CSV input: JSON lines keys are question ids").format(
                            option=flag
                        )
                    )
            rows = JsonlRows(stream, pack, source, ignore=options.ignore)
        if rows.unknown:
            _warn_unknown(rows.unknown, header=isinstance(rows, CsvRows))
        warned = len(rows.unknown)
        _check_summary(options.summary, input_path, output_path)
        out_stream = open_output(output_path, input_path)
        if out_stream is not sys.stdout.buffer:
            stack.enter_context(out_stream)
        name = "stdout" if output_path is None or str(output_path) == "-" else str(output_path)
        output = self.output = _Output(out_stream, self.signals, name)
        full = detail is Detail.full
        saver = self.saver
        fhir = output_format is BatchFormat.fhir
        assessor = (
            Assessor(pack, full=full, fhir=fhir) if saver is None else saver.assessor(full, fhir)
        )
        # CSV out in the input's own delimiter, so that the spreadsheet that made the export
        # (`;` in much of Europe and Latin America) opens the records in columns
        delimiter = rows.delimiter if isinstance(rows, CsvRows) else ","
        encode = (
            _csv_encoder(output, options.formula_guard, options.bom, delimiter)
            if output_format is BatchFormat.csv
            else None
        )
        progress = stack.enter_context(_progress(stream))
        for row in rows:
            if encode is None:
                record, text = assessor.line(row)
                output.add(text)
            else:
                record = assessor.record(row)
                encode(record)
            tally.add(record)
            if saver is not None:
                saver.add(row, record)
            if not tally.rows % BLOCK_ROWS:
                progress(tally.rows)
        output.flush()
        if saver is not None:
            saver.flush()
        if len(rows.unknown) > warned:  # JSON lines: keys met along the way
            _warn_unknown(rows.unknown)


class _BundleRows:
    """The QuestionnaireResponses of a FHIR Bundle, read whole (NDJSON streams instead)."""

    def __init__(self, pack: RulePack, stream: IO[str], source: str) -> None:
        from mesoguide.fhir import MAX_BUNDLE_BYTES

        self.unknown: list[str] = []  # stays empty: each row's linkIds are checked instead
        try:
            text = stream.read(MAX_BUNDLE_BYTES + 1)
        except UnicodeDecodeError:
            raise UsageError(_("{source}: not UTF-8 text").format(source=source)) from None
        if len(text) > MAX_BUNDLE_BYTES:
            raise UsageError(
                _(
                    "{source}: a Bundle over {size} MiB: give the responses as NDJSON "
                    "(one per line) instead"
                ).format(source=source, size=MAX_BUNDLE_BYTES // 2**20)
            )
        self._rows = _bundle_rows(pack, text, source)

    def __iter__(self) -> Iterator[Row]:
        return iter(self._rows)


def _bundle_rows(pack: RulePack, text: str, source: str) -> list[Row]:
    from mesoguide.fhir import bundle_rows

    return list(bundle_rows(pack, text, source))


def write_template(
    pack: RulePack, kind: InputFormat, output_path: Path | None, options: Options
) -> None:
    """Write an empty CSV export with the pack's header, or a JSON lines example."""
    from mesoguide.cliutil import write_output, write_stdout
    from mesoguide.columns import template_csv, template_jsonl

    if kind is InputFormat.bundle:
        raise UsageError(
            _("--template writes csv or jsonl (`rules export` writes the Questionnaire)")
        )
    if kind is InputFormat.csv:
        text = ("\ufeff" if options.bom else "") + template_csv(pack, options.delimiter or ",")
    else:
        if options.bom:
            raise UsageError(
                _("--bom needs --template csv: a byte-order mark would break JSON lines")
            )
        text = template_jsonl(pack)
    if output_path is None or str(output_path) == "-":
        write_stdout(text)
    else:
        write_output(output_path, text)


def _column_map(path: Path | None, pack: RulePack) -> ColumnMap | None:
    """The `--columns` file, read with the safe YAML loader and checked against the pack."""
    if path is None:
        return None
    from mesoguide import yamlsafe
    from mesoguide.columns import parse_column_map

    try:
        text = yamlsafe.read_text(path, "column map", 64 * 1024)
    except yamlsafe.YamlProblem as problem:
        raise UsageError(f"--columns {path}: {problem.message}") from None
    return parse_column_map(text, str(path), pack)


def _check_summary(path: Path | None, input_path: str, output_path: Path | None) -> None:
    """Refuse a `--summary` file that could not be written, before the first row."""
    if path is None:
        return
    from mesoguide.cliutil import output_errors, probe_output

    probe_output(path)  # a folder, a missing folder, no permission: as `assess --output`
    target = path.expanduser()
    with output_errors(path, target):
        for other, what in (
            (input_path, _("it is the input file")),
            (output_path, _("it is the output file")),
        ):
            if other is None or str(other) == "-":
                continue
            given = Path(other).expanduser()
            same = target.resolve() == given.resolve()  # the output may not exist yet
            if same or (target.exists() and given.exists() and target.samefile(given)):
                raise UsageError(cannot_write(path, what))


def _print_table(tally: Tally, pack: RulePack) -> None:
    """The outcomes and the most frequent referral reasons, as a small table on stderr."""
    from rich.console import Console

    Console(stderr=True, highlight=False).print(summary_table(tally, pack))


def summary_table(tally: Tally, pack: RulePack, reasons: int = 5) -> Group:
    """Rows per outcome (with the pack's labels), then the most frequent referral reasons."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text  # a pack's "[/]" or "[link=...]" is shown, never interpreted

    counts = len(f"{tally.rows:,}")  # the numbers stay whole; a long label wraps instead

    def table(*headers: str) -> Table:
        made = Table(box=None, pad_edge=False, show_edge=False)
        for header in headers[:-1]:
            made.add_column(
                header, justify="right", no_wrap=True, min_width=max(len(header), counts)
            )
        made.add_column(headers[-1])  # a long label or reason wraps, never cut
        return made

    rows = _("rows")
    outcomes = table(rows, _("share"), _("outcome"))
    total = tally.rows or 1
    labels = {outcome.id: outcome.label for outcome in pack.outcomes}
    # Outcome ids stay as they are in every language (as in the records), beside the labels.
    for outcome, count in [*tally.outcomes.items(), (None, tally.rejected)]:
        name = _("rejected") if outcome is None else f"{outcome}: {labels[outcome]}"
        outcomes.add_row(f"{count:,}", f"{100 * count / total:.0f}%", Text(name))
    common = tally.common_reasons(reasons)
    if not common:
        return Group(outcomes)
    referrals = table(rows, _("most frequent referral reasons"))
    for text, count in common:
        referrals.add_row(f"{count:,}", Text(text))
    return Group(outcomes, "", referrals)


def _say_stopped(cut: bool, written: int, output_path: Path | None) -> None:
    # "1 rows written", "1 whole ones": the English as it has always been written
    if cut and output_path is None:
        said = ngettext(
            "Interrupted during a write: the output may end in a partial record after {count} "
            "whole ones.",
            "Interrupted during a write: the output may end in a partial record after {count} "
            "whole ones.",
            written,
        )
    elif cut:
        said = ngettext(
            "Interrupted during a write: the output to {path} may end in a partial record "
            "after {count} whole ones.",
            "Interrupted during a write: the output to {path} may end in a partial record "
            "after {count} whole ones.",
            written,
        )
    elif output_path is None:
        said = ngettext(
            "Interrupted: {count} rows written.", "Interrupted: {count} rows written.", written
        )
    else:
        said = ngettext(
            "Interrupted: {count} rows written to {path}.",
            "Interrupted: {count} rows written to {path}.",
            written,
        )
    sys.stderr.write("\n" + said.format(count=f"{written:,}", path=output_path) + "\n")


def _warn_unknown(names: list[str], header: bool = False) -> None:
    """Name the columns (or JSON keys) that answer nothing; for a CSV header, say how to make
    one answer its question, since a misnamed column leaves its question blank in every row."""
    shown = ", ".join(names[:10])
    if len(names) > 10:
        shown += _(" and {count} more").format(count=len(names) - 10)
    said = _("ignoring columns that name no question: {names}").format(names=shown)
    if header:
        said += _(
            " (a column that answers a question is named by its id, or mapped with --columns "
            "MAP.yaml; --ignore-column NAME quiets this for one that answers none)"
        )
    warn(said)


def _csv_encoder(
    output: _Output, guard: bool = True, bom: bool = False, delimiter: str = ","
) -> Callable[[Record], None]:
    """Write each record as a CSV line, after the header line (and a BOM, if asked)."""
    import csv

    from mesoguide.batch import CSV_COLUMNS, csv_cells, guarded_cells

    buffer = io.StringIO()
    # The writer quotes a cell holding a character of its line end, so CRLF makes it quote a
    # bare CR too (a spreadsheet splits the row there); each line then ends in LF alone.
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def line(cells: list[object] | tuple[str, ...]) -> str:
        writer.writerow(cells)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text[:-2] + "\n"

    output.add(("\ufeff" if bom else "") + line(CSV_COLUMNS), record=False)
    cells = guarded_cells if guard else csv_cells

    def encode(record: Record) -> None:
        output.add(line(cells(record)))

    return encode


@contextmanager
def _progress(stream: IO[str]) -> Iterator[Callable[[int | None], None]]:
    """A progress bar on stderr when it is a terminal (rich); a no-op otherwise."""
    if not sys.stderr.isatty():
        yield lambda rows: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    size = _size(stream)
    with Progress(
        TextColumn(_("assessing")),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} " + _("rows")),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("batch", total=size, rows=0)

        def update(rows: int | None) -> None:
            if rows is not None:
                bar.update(task, completed=_position(stream), rows=rows)

        yield update


def _size(stream: IO[str]) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size or None
    except (OSError, ValueError):
        return None


def _position(stream: IO[str]) -> int | None:
    try:
        return stream.buffer.tell()  # type: ignore[attr-defined, no-any-return]
    except (OSError, AttributeError, ValueError):
        return None
