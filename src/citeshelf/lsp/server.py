"""The Language Server Protocol server behind ``citeshelf lsp`` (pygls).

Documents: LaTeX (``.tex``, or the language id ``latex``/``tex``) and pandoc
Markdown (``.md``, ``.qmd``, ``.Rmd``, or ``markdown``/``quarto``/``rmd``).

* completion of keys inside a ``\\cite``-family command's braces and after
  ``@``, ranked (:func:`citeshelf.ops.citing_help.rank_candidates`), each
  with its reference as documentation (the first ones at once, the rest
  on ``completionItem/resolve``);
* hover on a cited key: its reference; go to definition: its record file;
* diagnostics for cited keys the library lacks, with a quick fix to the key
  it most likely meant;
* the library is read again when its folder changes (checked on each
  request, one ``stat``); the open documents' diagnostics are then sent again.

Public API::

    make_server(shelf) -> pygls LanguageServer
    serve(shelf, stdin=None, stdout=None)      run over stdio until the client exits
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition

from .. import __version__
from ..formats.manuscript import (
    CitedSpan,
    cited_spans,
    key_replacement,
    key_typed_at,
    manuscript_kind,
    span_at,
)
from ..ops.citing_help import Shelf

__all__ = ["make_server", "serve"]

#: completion items that carry their reference at once (the rest: on resolve)
DOCUMENTED = 20
#: completion items offered at most
LIMIT = 50
SOURCE = "citeshelf"
LANGUAGES = {
    "latex": "tex",
    "tex": "tex",
    "plaintex": "tex",
    "markdown": "md",
    "pandoc": "md",
    "quarto": "md",
    "rmd": "md",
    "rmarkdown": "md",
}


def document_kind(uri: str, language_id: str | None = None) -> str | None:
    """ "tex" or "md" for a document the server reads; None for any other."""
    kind = manuscript_kind(Path(unquote(urlparse(uri).path)))
    if kind in ("tex", "md"):
        return kind
    return LANGUAGES.get((language_id or "").lower())


def path_to_uri(path: Path) -> str:
    return path.resolve().as_uri()


class Positions:
    """Offsets into a document's text <-> LSP positions in the client's units."""

    def __init__(self, doc: TextDocument) -> None:
        self.doc = doc
        self.lines = doc.lines
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def position(self, offset: int) -> lsp.Position:
        line = max(0, bisect.bisect_right(self.starts, offset) - 1)
        if line == len(self.lines) and self.lines and self.lines[-1][-1:] not in ("\n", "\r"):
            line -= 1  # the end of a text without a final newline
        if line >= len(self.lines):  # the end of a text that ends with a newline
            return lsp.Position(line=len(self.lines), character=0)
        column = offset - self.starts[line]
        return self.doc.position_codec.position_to_client_units(
            self.lines, ServerTextPosition(line, column)
        )

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: lsp.Position) -> int:
        if position.line >= len(self.lines):
            return self.starts[-1]
        server = self.doc.position_codec.position_from_client_units(self.lines, position)
        line = self.lines[server.line]
        return self.starts[server.line] + min(server.character, len(line.rstrip("\r\n")))


class CiteshelfServer(LanguageServer):
    """pygls's server with the shelf it answers from."""

    def __init__(self, shelf: Shelf) -> None:
        super().__init__("citeshelf", __version__)
        self.shelf = shelf
        self.seen_generation = shelf.generation

    # -- documents -------------------------------------------------------------

    def document(self, uri: str) -> tuple[TextDocument, str] | None:
        doc = self.workspace.get_text_document(uri)
        kind = document_kind(uri, doc.language_id)
        return None if kind is None else (doc, kind)

    def markup(self, formats: Sequence[lsp.MarkupKind] | None) -> lsp.MarkupKind:
        """Markdown unless the client says it takes plain text only."""
        if formats and lsp.MarkupKind.Markdown not in formats:
            return lsp.MarkupKind.PlainText
        return lsp.MarkupKind.Markdown

    def reference(self, key: str, kind: lsp.MarkupKind) -> lsp.MarkupContent | None:
        fmt = "markdown" if kind == lsp.MarkupKind.Markdown else "text"
        text = self.shelf.reference(key, fmt)
        return None if text is None else lsp.MarkupContent(kind=kind, value=text)

    # -- diagnostics -----------------------------------------------------------

    def diagnostics(self, uri: str) -> list[lsp.Diagnostic]:
        found = self.document(uri)
        if found is None:
            return []
        doc, kind = found
        where = Positions(doc)
        out = []
        for problem in self.shelf.problems(cited_spans(doc.source, kind)):
            span = problem.span
            out.append(
                lsp.Diagnostic(
                    range=where.range(span.start, span.end),
                    message=problem.message,
                    severity=lsp.DiagnosticSeverity.Warning,
                    source=SOURCE,
                    code="unknown-key",
                    data={"suggestion": problem.suggestion} if problem.suggestion else None,
                )
            )
        return out

    def publish(self, uri: str) -> None:
        params = lsp.PublishDiagnosticsParams(uri=uri, diagnostics=self.diagnostics(uri))
        self.text_document_publish_diagnostics(params)

    def library_changed(self) -> None:
        """Send the open documents' diagnostics again if the library changed."""
        generation = self.shelf.generation
        if generation != self.seen_generation:
            self.seen_generation = generation
            for uri in list(self.workspace.text_documents):
                self.publish(uri)

    # -- answers ---------------------------------------------------------------

    def completion(self, params: lsp.CompletionParams) -> lsp.CompletionList | None:
        found = self.document(params.text_document.uri)
        if found is None:
            return None
        doc, kind = found
        where = Positions(doc)
        offset = where.offset(params.position)
        typed = key_typed_at(doc.source, kind, offset)
        if typed is None:
            return None
        start, prefix = typed
        replace = where.range(start, offset)
        caps = self.client_capabilities.text_document
        item_caps = caps.completion.completion_item if caps and caps.completion else None
        markup = self.markup(item_caps.documentation_format if item_caps else None)
        candidates = self.shelf.complete(prefix, LIMIT + 1)
        items = []
        for i, c in enumerate(candidates[:LIMIT]):
            items.append(
                lsp.CompletionItem(
                    label=c.key,
                    kind=lsp.CompletionItemKind.Reference,
                    detail=c.detail or None,
                    documentation=self.reference(c.key, markup) if i < DOCUMENTED else None,
                    sort_text=f"{i:04d}",
                    # what the client filters on: the key, or what was typed and
                    # matched a name or title word
                    filter_text=c.key if c.rank in (0, 3) else prefix + c.key,
                    text_edit=lsp.TextEdit(range=replace, new_text=c.key),
                    data={"key": c.key, "markup": markup.value},
                )
            )
        return lsp.CompletionList(
            is_incomplete=len(candidates) > LIMIT or bool(prefix), items=items
        )

    def resolve(self, item: lsp.CompletionItem) -> lsp.CompletionItem:
        data = item.data if isinstance(item.data, dict) else {}
        key = data.get("key")
        if item.documentation is None and isinstance(key, str):
            markup = lsp.MarkupKind(data.get("markup", lsp.MarkupKind.Markdown.value))
            item.documentation = self.reference(key, markup)
        return item

    def span_at(self, uri: str, position: lsp.Position) -> tuple[CitedSpan, Positions] | None:
        found = self.document(uri)
        if found is None:
            return None
        doc, kind = found
        where = Positions(doc)
        span = span_at(cited_spans(doc.source, kind), where.offset(position))
        return None if span is None else (span, where)

    def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        at = self.span_at(params.text_document.uri, params.position)
        if at is None:
            return None
        span, where = at
        caps = self.client_capabilities.text_document
        markup = self.markup(caps.hover.content_format if caps and caps.hover else None)
        content = self.reference(span.key, markup)
        if content is None:
            problem = self.shelf.problems([span])[0]
            content = lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=problem.message)
        return lsp.Hover(contents=content, range=where.range(span.start, span.end))

    def definition(self, params: lsp.DefinitionParams) -> lsp.Location | None:
        at = self.span_at(params.text_document.uri, params.position)
        if at is None:
            return None
        path = self.shelf.record_path(at[0].key)
        if path is None:
            return None
        origin = lsp.Position(line=0, character=0)
        return lsp.Location(uri=path_to_uri(path), range=lsp.Range(start=origin, end=origin))

    def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        found = self.document(uri)
        if found is None:
            return None
        doc, kind = found
        where = Positions(doc)
        first, last = where.offset(params.range.start), where.offset(params.range.end)
        diagnostics = {
            (d.range.start.line, d.range.start.character): d
            for d in params.context.diagnostics
            if d.source == SOURCE
        }
        actions = []
        for problem in self.shelf.problems(cited_spans(doc.source, kind)):
            span, new = problem.span, problem.suggestion
            if new is None or span.end < first or span.start > last:
                continue
            rng = where.range(span.start, span.end)
            diagnostic = diagnostics.get((rng.start.line, rng.start.character))
            edit = lsp.TextEdit(range=rng, new_text=key_replacement(span, new))
            actions.append(
                lsp.CodeAction(
                    title=f"Change {span.key} to {new}",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic] if diagnostic else None,
                    is_preferred=True,
                    edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
                )
            )
        return actions


def make_server(shelf: Shelf) -> CiteshelfServer:
    """A server answering from ``shelf``, its features registered."""
    server = CiteshelfServer(shelf)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CiteshelfServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.library_changed()
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CiteshelfServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.library_changed()
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CiteshelfServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.library_changed()
        ls.publish(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CiteshelfServer, params: lsp.DidCloseTextDocumentParams) -> None:
        clear = lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        ls.text_document_publish_diagnostics(clear)

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=["{", ",", "@"], resolve_provider=True),
    )
    def completion(ls: CiteshelfServer, params: lsp.CompletionParams) -> Any:
        ls.library_changed()
        return ls.completion(params)

    @server.feature(lsp.COMPLETION_ITEM_RESOLVE)
    def resolve(ls: CiteshelfServer, item: lsp.CompletionItem) -> lsp.CompletionItem:
        return ls.resolve(item)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: CiteshelfServer, params: lsp.HoverParams) -> lsp.Hover | None:
        ls.library_changed()
        return ls.hover(params)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: CiteshelfServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        ls.library_changed()
        return ls.definition(params)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_action(ls: CiteshelfServer, params: lsp.CodeActionParams) -> Any:
        ls.library_changed()
        return ls.code_actions(params)

    return server


def serve(shelf: Shelf, stdin: Any = None, stdout: Any = None) -> None:
    """Answer an editor over stdio (or the binary streams given) until it exits."""
    make_server(shelf).start_io(stdin, stdout)
