"""The ``citeshelf`` command group: lazy sub-commands and error handling."""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__, exitcodes, render
from .helptext import HELP_MAX_WIDTH

_HERE = os.path.dirname(__file__)


def _command_modules() -> dict[str, str]:
    """Command name -> module name, from the ``cmd_*.py`` files beside this one."""
    out = {}
    for name in os.listdir(_HERE):
        if name.startswith("cmd_") and name.endswith(".py"):
            module = name[:-3]
            out[module[4:].rstrip("_").replace("_", "-")] = module
    return out


#: Each command's help up to its first blank line (None: a hidden command):
#: what ``citeshelf --help`` shortens to one line, so that listing the
#: commands imports none of their modules. ``tests/test_startup.py`` checks
#: it against the commands (regenerate with ``python tests/test_startup.py --write``).
SHORT_HELP: dict[str, str | None] = {
    "add": "Add a record of TYPE, or the records of IDENTIFIER..., and print the keys.",
    "bibliography": "Print the bibliography (reference list) of the records KEYS, of the\nrecords matching --query, or of the whole library, sorted per the style.",
    "chapters": "List the chapters of the book BOOKKEY, by chapter number, then first page.",
    "check": "Check the whole library: every file parses and validates, every chapter's\nbook exists and is not itself a chapter, no two keys differ only in case,\nno two records share a DOI or a book's ISBN; and warns of likely duplicates,\nempty titles, titles stored in Title Case, fields left in extra that have a\nfield of their own, and notes the recommended fields records lack.",
    "cite": "Cite the records KEYS: an in-text citation, a note or a reference entry.",
    "config": "Show or change the configuration: a TOML file in your config folder and,\noptionally, citeshelf.toml in the library folder (what it sets wins).\nEnvironment variables ($VISUAL, $EDITOR, $CITESHELF_MAILTO) and options win\nover both.",
    "duplicates": "List pairs of records that are likely the same work, best match first:\nthe same DOI, the same book ISBN with the same edition and volume (score\n1.00); the same title, year and first author (0.95); or close titles with\nthe same year and first author, accents and letter case aside (0.85 and up).",
    "edit": "Edit the record KEY.",
    "export": "Export records -- by default all of them -- with the books their chapters\nbelong to.",
    "import": "Import the entries of FILE... into the library, all or nothing.",
    "init": "Create an empty library in DIRECTORY (default: ./records).",
    "list": "List the records matching QUERY (all records without one), in key order.",
    "lsp": "Serve an editor's LSP client over stdio: citation keys in LaTeX and Markdown.",
    "merge": "Merge the records OTHER... into KEEP, then remove them.",
    "merge-driver": None,
    "reindex": "Rebuild the search index of the library from its record files.",
    "rekey": "Rename the record OLD to NEW, or (--all) every record by the key formula.",
    "rm": "Remove the records KEY... from the library.",
    "show": "Show the record KEY with every field.",
    "sync": "Bring the library in step with its git remote: pull (rebase), merge\nrecords field by field, refresh the index, push.",
    "tag": "Add (+TAG) and remove (-TAG) tags on the records KEY...",
    "tags": "List the tags of the library, most used first, with their number of records.",
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command is needed."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's list of commands, from :data:`SHORT_HELP` (a command not in
        it: Click's own way, importing every module)."""
        names = self.list_commands(ctx)
        if any(name not in SHORT_HELP for name in names):
            super().format_commands(ctx, formatter)
            return
        shown = [name for name in names if SHORT_HELP[name] is not None]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name in shown)
        # shortened by Click's own rule (a bare command holding only the help)
        rows = [
            (name, click.Command(name, help=SHORT_HELP[name]).get_short_help_str(limit))
            for name in shown
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_help(self, ctx: click.Context) -> str:
        """The help, kept for the next ``citeshelf --help`` at this width
        (printed by :mod:`.helptext` without loading Click)."""
        text = super().get_help(ctx)
        if ctx.parent is None:
            from .helptext import help_width, remember_help

            width = ctx.make_formatter().width
            if width == help_width():
                remember_help(width, text)
        return text

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_command_modules())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _command_modules().get(cmd_name)
        if module is None:
            return None
        mod = importlib.import_module(f"{__package__}.{module}")
        return mod.command

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            names = _command_modules()
            wanted = args[0] if args else ""
            import difflib

            close = difflib.get_close_matches(wanted, list(names), n=1)
            if close and "No such command" in str(exc):
                raise click.UsageError(f"{exc.message} Did you mean '{close[0]}'?", ctx) from None
            raise

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Like Click's, but a usage mistake is one line on stderr, not three."""
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            if not standalone_mode:
                raise
            hint = ""
            if exc.ctx is not None and exc.ctx.command is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            message = render.clean(exc.format_message(), err=True)
            click.echo(f"citeshelf: error: {message}{hint}", err=True)
            sys.exit(exitcodes.USAGE)
        except click.ClickException as exc:
            if not standalone_mode:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            if not standalone_mode:
                raise
            click.echo("citeshelf: aborted", err=True)
            sys.exit(exitcodes.ABORTED)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else exitcodes.OK)
        return rv

    def invoke(self, ctx: click.Context):
        from ..errors import CiteshelfError

        try:
            return super().invoke(ctx)
        except CiteshelfError as exc:
            raise CommandError(str(exc), exc.exit_code) from None
        except BrokenPipeError:  # e.g. `citeshelf bibliography | head`: the reader has gone
            sys.stderr.close()
            ctx.exit(exitcodes.OK)
        except OSError as exc:
            # A file the system would not read or write: a permission, a full
            # disk, a folder where a file should be. Say which, in one line.
            where = f"{exc.filename}: " if exc.filename else ""
            raise CommandError(f"{where}{exc.strerror or exc}", exitcodes.ERROR) from None
        except KeyboardInterrupt:  # pragma: no cover
            raise CommandError("interrupted", exitcodes.ABORTED) from None


class CommandError(click.ClickException):
    """A user-facing failure: one line on stderr, a named exit code."""

    def __init__(self, message: str, exit_code: int = exitcodes.ERROR) -> None:
        super().__init__(message)
        # Click declares exit_code on the class and reads it from the instance.
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file=None) -> None:
        message = render.clean(self.format_message(), err=True)
        click.echo(f"citeshelf: error: {message}", err=True, file=file)


@click.group(
    "citeshelf",
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": HELP_MAX_WIDTH},
)
@click.option(
    "--library",
    "-L",
    "library",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="The records folder to use. Default: $CITESHELF_LIBRARY, else the nearest "
    "records/ folder from here upward, else the per-user library.",
)
@click.version_option(__version__, "-V", "--version", prog_name="citeshelf")
@click.pass_context
def cli(ctx: click.Context, library: str | None) -> None:
    """A reference manager for scholars: keep records as plain JSON files, list an
    edited book's chapters, export BibTeX for a paper, format APA and Chicago
    citations.

    \b
    Start here:
      citeshelf chapters sperling2014handbook   the handbook's chapters
      citeshelf show aris2014collective         one record, with its book
      citeshelf list author:cottey              records matching a query
      citeshelf add book --title "..." --editor "Family, Given" --year 2020

    Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 invalid data,
    5 conflict, 6 aborted.
    """
    ctx.ensure_object(dict)
    ctx.obj["library_option"] = library
    if ctx.invoked_subcommand is None:  # bare `citeshelf`: the help, not an error
        click.echo(ctx.get_help())
        ctx.exit(exitcodes.OK)


def main() -> None:
    cli(prog_name="citeshelf")
