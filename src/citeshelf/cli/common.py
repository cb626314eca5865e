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
