"""Shared pieces of the commands: option decorators and the library in use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..library import Library

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """``--json``: machine-readable output on stdout, no Rich."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON instead of a table (for scripts)."
    )(func)


def yes_option(func: F) -> F:
    return click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")(func)


def get_library(ctx: click.Context | None = None, *, must_exist: bool = True) -> Library:
    """The library chosen by --library, $CITESHELF_LIBRARY or the working directory."""
    from ..library import Library, find_library

    ctx = ctx or click.get_current_context()
    obj = ctx.find_root().obj or {}
    path, _how = find_library(obj.get("library_option"))
    library = Library(path)
    if must_exist:
        library.check_exists()
    return library


def complete_keys(ctx: click.Context, incomplete: str) -> list[str]:
    """Record keys starting with ``incomplete``, from a listing of the library
    folder (--library, $CITESHELF_LIBRARY or the nearest records/): shell
    completion reads no record and loads no model."""
    from ..library.index import record_keys
    from ..library.locate import find_library

    root = ctx.find_root()
    path, _how = find_library(root.params.get("library") or (root.obj or {}).get("library_option"))
    return record_keys(path, incomplete)


class Key(click.ParamType):
    """A record key argument: a plain string that the shell completes from the library."""

    name = "key"

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str):
        from click.shell_completion import CompletionItem

        return [CompletionItem(k) for k in complete_keys(ctx, incomplete)]


class KeyArgs(Key):
    """The arguments of 'tag': keys, completed, then +TAG/-TAG changes (not completed)."""

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str):
        if incomplete[:1] in ("+", "-"):
            return []
        return super().shell_complete(ctx, param, incomplete)


def get_config(ctx: click.Context | None = None) -> Any:
    """The configuration in force for the library in use (read once per command)."""
    from ..library import find_library
    from ..ops.configuring import config_for

    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    root.ensure_object(dict)
    if "config" not in root.obj:
        root.obj["config"] = config_for(find_library(root.obj.get("library_option"))[0])
    return root.obj["config"]


def _default_style() -> str:
    from ..errors import UsageError
    from ..styles import STYLES

    config = get_config()
    style: str = config.get("cite.style", "apa")
    if style not in STYLES:
        raise UsageError(
            f"{config.source('cite.style')}: cite.style: use one of {', '.join(STYLES)}, "
            f"not {style!r}"
        )
    return style


def _default_edition(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    """cite.edition when no --edition is given and the style is cite.style's."""
    if value is not None or ctx.resilient_parsing:
        return value
    config = get_config(ctx)
    if ctx.params.get("style") == config.get("cite.style", "apa"):
        edition: int | None = config.get("cite.edition")
        return edition
    return None


class LazyChoice(click.Choice):
    """A ``click.Choice`` whose choices are read from the core on first use,
    so that defining the option does not import the module that holds them."""

    def __init__(self, load: Callable[[], Any], case_sensitive: bool = True) -> None:
        self._load = load
        self._choices: tuple[Any, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[Any, ...]:
        if self._choices is None:
            self._choices = tuple(self._load())
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        self._choices = tuple(value)


def work_types() -> tuple[str, ...]:
    """The record types, from the data model."""
    from ..model import WORK_TYPES

    return tuple(WORK_TYPES)


class HelpCommand(click.Command):
    """A command whose help text names lists held in the core: ``{name}`` in
    its docstring is filled in by ``help_values[name]()`` only when the full
    help is shown (the summary in ``citeshelf --help`` needs none of them)."""

    def __init__(self, *args: Any, help_values: dict[str, Callable[[], str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.help_values = help_values

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        template = self.help
        if template:
            text = template
            for name, value in self.help_values.items():
                text = text.replace("{" + name + "}", value())
            self.help = text
        try:
            super().format_help_text(ctx, formatter)
        finally:
            self.help = template


def _editions_text(styles: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]]) -> str:
    """ "apa 7; chicago-notes 18 (default) or 17; ..." from the styles' registry."""
    parts = []
    for name, (default, editions, _forms) in styles.items():
        others = [str(e) for e in editions if e != default]
        text = f"{name} {default}"
        if others:
            text += " (default) or " + " or ".join(others)
        parts.append(text)
    return "; ".join(parts)


def sentence_case_option(func: F) -> F:
    """--sentence-case (APA's titles stored in Title Case)."""
    return click.option(
        "--sentence-case",
        is_flag=True,
        help="APA: print a title stored in Title Case in sentence case (APA 6.17), as "
        "'check --fix' would store it. Without it such a title prints as stored, with a "
        "warning naming the records.",
    )(func)


def style_options(func: F) -> F:
    """--style, --edition, --format and --csl, shared by 'cite' and 'bibliography'."""
    from ..styles import OUTPUT_FORMATS, STYLES

    func = click.option(
        "--csl",
        "csl",
        metavar="PATH_OR_NAME",
        help="Any other CSL style (a .csl file, or a name such as 'ieee' for ieee.csl), "
        "rendered by pandoc's citeproc. Needs the extra: pip install 'citeshelf[csl]'.",
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(OUTPUT_FORMATS),
        help="Output format. Default: terminal (italics) when printing to a terminal, else text.",
    )(func)
    func = click.option(
        "--edition",
        type=int,
        metavar="N",
        callback=_default_edition,
        help="Edition of the style: " + _editions_text(STYLES) + ". Default: "
        "cite.edition in the configuration, for the style of cite.style.",
    )(func)
    func = click.option(
        "--style",
        "-s",
        type=click.Choice(tuple(STYLES)),
        default=_default_style,
        help="Citation style. Default: cite.style in the configuration, else apa.",
    )(func)
    return func


def output_format(fmt: str | None) -> str:
    """--format, or its default: terminal on a terminal, else text."""
    from .. import render

    if fmt is None:
        return "terminal" if render.use_rich() else "text"
    return fmt


def warn(message: str) -> None:
    from .. import render

    render.warn(message)
