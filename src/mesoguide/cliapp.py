"""The typer app class of every mesoguide command: plain help screens, quick option values.

typer 0.29 converts every option's text to its annotated type through a pydantic TypeAdapter,
and importing pydantic costs 60 to 110 ms on each run of a command (a third of
`assess --answers`). mesoguide's options are only text, paths, flags and string enums, which
`Command` converts itself, naming the allowed values when one is not. That reaches into
typer's private `_coercion` module: with a typer that lacks it (or changes it), `Command`
leaves the conversion to typer.
Its help lists arguments and options without typer's `<str>`/`<bool>` types and shows
`INPUT`, not `{INPUT}`, in the usage line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from typer import BadParameter
from typer.core import TyperArgument, TyperCommand, TyperGroup

if TYPE_CHECKING:
    from typer._click import Context
    from typer._click.formatting import HelpFormatter

F = TypeVar("F", bound=Callable[..., Any])

TRUE_WORDS = {"1", "true", "t", "yes", "y", "on"}
FALSE_WORDS = {"0", "false", "f", "no", "n", "off", ""}


class App(typer.Typer):
    """A typer app whose commands are `Command`s, with plain (not rich) help."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("cls", Group)
        super().__init__(rich_markup_mode=None, pretty_exceptions_enable=False, **options)

    def command(self, *args: Any, **options: Any) -> Callable[[F], F]:
        options.setdefault("cls", Command)
        decorator: Callable[[F], F] = super().command(*args, **options)
        return decorator


class _WholeSummary:
    """The summary in a list of commands is the first paragraph of the help, whole: the list
    wraps it instead of cutting it off with '...'."""

    help: str | None
    short_help: str | None

    def get_short_help_str(self, limit: int = 45) -> str:
        text = self.short_help or self.help or ""
        return " ".join(text.split("\n\n")[0].split())


class Group(_WholeSummary, TyperGroup):
    """A group of commands (the app, `rules`) with whole summaries and quick option values."""

    def get_params(self, ctx: Context) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _convert_quickly(params)
        return params


class Command(_WholeSummary, TyperCommand):
    """A command whose text, path, flag and enum values skip typer's pydantic conversion."""

    def get_params(self, ctx: Context) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        _convert_quickly(params)
        return params

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append((param.display_name_raw, record[1]))
            else:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


def _convert_quickly(params: list[Any]) -> None:
    """Give each text, path, flag, enum or text-list parameter `_Convert` instead of typer's
    pydantic."""
    convert = _converter()
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        annotation = getattr(descriptor, "annotation", None)
        known = annotation in (str, Path, bool, list[str]) or (
            isinstance(annotation, type) and issubclass(annotation, Enum)
        )
        if convert and known and getattr(param, "_runtime_param", 0) is None:
            try:
                param._runtime_param = convert(
                    parameter_info=descriptor.parameter_info,  # type: ignore[union-attr]
                    annotation=annotation,
                )
            except TypeError:  # another typer's RuntimeParam: leave it the conversion
                return


@functools.cache
def _converter() -> Callable[..., Any] | None:
    """The `_Convert` class, or None with a typer that converts without a `RuntimeParam`."""
    try:
        from typer._coercion import RuntimeParam
    except ImportError:
        return None

    @dataclass(frozen=True)
    class _Convert(RuntimeParam):
        """An option's text as its annotated type: text, a path, a flag, an enum member, or
        the texts of a repeated option (`batch --ignore-column`)."""

        def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
            kind = self.annotation
            if kind == list[str]:
                return [str(item) for item in value]
            if isinstance(value, kind):
                return value
            text = str(value)
            if kind is bool:
                if text.strip().lower() in TRUE_WORDS | FALSE_WORDS:
                    return text.strip().lower() in TRUE_WORDS
                raise BadParameter(f"'{text}' is not a valid boolean.", ctx=ctx, param=param)
            if isinstance(kind, type) and issubclass(kind, Enum):
                members = [member.value for member in kind]
                if text in members:
                    return kind(text)
                allowed = ", ".join(f"'{m}'" for m in members)
                raise BadParameter(f"'{text}' is not one of {allowed}.", ctx=ctx, param=param)
            return kind(text)

    return _Convert
