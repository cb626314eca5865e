"""citeshelf lsp: a language server for citation keys in LaTeX and Markdown."""

from __future__ import annotations

import click

from ..styles import STYLES
from .common import _default_edition, _default_style, _editions_text

INSTALL_HINT = "pip install 'citeshelf[lsp]'"


@click.command("lsp")
@click.option(
    "--style",
    "-s",
    type=click.Choice(tuple(STYLES)),
    default=_default_style,
    help="Style of the references shown. Default: cite.style in the configuration, else apa.",
)
@click.option(
    "--edition",
    type=int,
    metavar="N",
    callback=_default_edition,
    help="Edition of the style: " + _editions_text(STYLES) + ". Default: "
    "cite.edition in the configuration, for the style of cite.style.",
)
def command(style: str, edition: int | None) -> None:
    """Serve an editor's LSP client over stdio: citation keys in LaTeX and Markdown.

    For .tex files (keys inside \\cite{...}, \\parencite{...} and the other
    cite commands) and pandoc Markdown (.md, .qmd, .Rmd: keys after @): keys
    completed from the library (keys that start with what was typed first,
    then authors' and editors' names, then titles), each with its reference;
    hover on a key shows its reference, go-to-definition opens its record
    file; a key the library lacks is marked, with a quick fix to the key it
    most likely meant. Changes to the library are seen without a restart.

    The library is the one every command uses (--library,
    $CITESHELF_LIBRARY, or the records/ folder found from the working
    directory the editor starts the server in). Needs the extra:
    pip install 'citeshelf[lsp]'. See the README for Neovim, VS Code and Emacs.

    \b
    Examples:
      citeshelf lsp
      citeshelf --library ~/papers/records lsp --style chicago-author-date
    """
    from ..errors import UsageError
    from ..ops.citing import check_edition
    from ..ops.citing_help import Shelf
    from .common import get_library

    library = get_library()
    edition = check_edition(style, edition)
    try:
        from ..lsp.server import serve
    except ImportError as exc:
        raise UsageError(
            f"the language server needs pygls ({exc.name} is not installed): {INSTALL_HINT}"
        ) from None
    serve(Shelf(library.path, style, edition))
