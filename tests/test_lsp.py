"""``citeshelf lsp`` end to end: the server runs as a subprocess over stdio against a
copy of the default library, driven by pygls's LanguageClient through initialize,
didOpen, completion, hover, definition, diagnostics and code actions, on a .tex and
an .md document. Each server is shut down (and killed if it does not exit)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="the lsp extra is not installed: pip install '.[test]'")

from lsprotocol import types as lsp
from lsprotocol.converters import get_converter
from pygls.lsp.client import LanguageClient

TIMEOUT = 60

ARIS_MD = (
    "Aris, S. (2014). Collective Security Treaty Organization. In J. Sperling (Ed.), "
    "*Handbook of governance and security* (Chapter 30). Edward Elgar Publishing. "
    "<https://www.elgaronline.com/view/9781781953167.00042.xml>"
)
KAY_MD = (
    "Kay, S. (2014). Persian Gulf. In J. Sperling (Ed.), *Handbook of governance and "
    "security* (Chapter 11). Edward Elgar Publishing. "
    "<https://www.elgaronline.com/view/edcoll/9781781953167/9781781953167.00021.xml>"
)
KAY_TEXT = KAY_MD.replace("*", "").replace("<", "").replace(">", "")

TEX = (
    "\\documentclass{article}\n"
    "\\begin{document}\n"
    "See \\cite{aris2014colective} and \\parencite[p.~3]{kay2014persian}.\n"
    "\\cite{ari"
)
MD = (
    "---\ntitle: A paper\n---\n"
    "As @aris2014collective argues [see @cottey2014nato, p. 3; @Kay2014persian].\n"
    "Compare [@sperl\n"
)
CAPABILITIES = lsp.ClientCapabilities(
    text_document=lsp.TextDocumentClientCapabilities(
        hover=lsp.HoverClientCapabilities(
            content_format=[lsp.MarkupKind.Markdown, lsp.MarkupKind.PlainText]
        ),
        completion=lsp.CompletionClientCapabilities(
            completion_item=lsp.ClientCompletionItemOptions(
                documentation_format=[lsp.MarkupKind.Markdown, lsp.MarkupKind.PlainText]
            )
        ),
    )
)


def same(got: Any, expected: Any) -> bool:
    """Equal as the protocol's JSON (tuples and lists alike)."""
    converter = get_converter()
    return converter.unstructure(got) == converter.unstructure(expected)


def pos(line: int, character: int) -> lsp.Position:
    return lsp.Position(line=line, character=character)


def rng(line: int, start: int, end: int) -> lsp.Range:
    return lsp.Range(start=pos(line, start), end=pos(line, end))


class Session:
    """A client talking to one ``citeshelf lsp`` process; keeps each document's
    latest diagnostics."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.diagnostics: dict[str, list[lsp.Diagnostic]] = {}
        self.changed = asyncio.Condition()

    async def published(self, uri: str, check: Callable[[list[lsp.Diagnostic]], bool]) -> Any:
        """Wait until ``uri``'s diagnostics satisfy ``check``; return them."""
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(
                    lambda: uri in self.diagnostics and check(self.diagnostics[uri])
                ),
                TIMEOUT,
            )
        return self.diagnostics[uri]

    def open(self, uri: str, language: str, text: str) -> None:
        item = lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))

    async def completion(self, uri: str, at: lsp.Position) -> Any:
        doc = lsp.TextDocumentIdentifier(uri=uri)
        return await self.client.text_document_completion_async(
            lsp.CompletionParams(text_document=doc, position=at)
        )

    async def hover(self, uri: str, at: lsp.Position) -> Any:
        doc = lsp.TextDocumentIdentifier(uri=uri)
        return await self.client.text_document_hover_async(
            lsp.HoverParams(text_document=doc, position=at)
        )

    async def definition(self, uri: str, at: lsp.Position) -> Any:
        doc = lsp.TextDocumentIdentifier(uri=uri)
        return await self.client.text_document_definition_async(
            lsp.DefinitionParams(text_document=doc, position=at)
        )

    async def code_actions(self, uri: str, diagnostic: lsp.Diagnostic) -> Any:
        doc = lsp.TextDocumentIdentifier(uri=uri)
        context = lsp.CodeActionContext(diagnostics=[diagnostic])
        return await self.client.text_document_code_action_async(
            lsp.CodeActionParams(text_document=doc, range=diagnostic.range, context=context)
        )


def run_server(library: Path, scenario: Callable[[Session], Awaitable[None]]) -> None:
    """Start ``citeshelf --library LIBRARY lsp``, initialize it, run ``scenario``,
    then shut it down; the process is killed if it is still there."""

    async def main() -> None:
        client = LanguageClient("citeshelf-tests", "1")
        session = Session(client)

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            async with session.changed:
                session.diagnostics[params.uri] = list(params.diagnostics)
                session.changed.notify_all()

        await client.start_io(sys.executable, "-m", "citeshelf", "--library", str(library), "lsp")
        process = client._server
        try:
            result = await asyncio.wait_for(
                client.initialize_async(
                    lsp.InitializeParams(capabilities=CAPABILITIES, root_uri=library.as_uri())
                ),
                TIMEOUT,
            )
            assert result.server_info.name == "citeshelf"
            client.initialized(lsp.InitializedParams())
            await scenario(session)
            await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
            client.exit(None)
            await asyncio.wait_for(client.stop(), TIMEOUT)
            assert process.returncode == 0
        finally:
            if process is not None and process.returncode is None:
                process.kill()
                await process.wait()

    asyncio.run(main())


def test_tex_completion_hover_definition_diagnostics_and_quick_fix(handbook_lib: Path, tmp_path):
    uri = (tmp_path / "paper.tex").as_uri()

    async def scenario(s: Session) -> None:
        s.open(uri, "latex", TEX)
        [diagnostic] = await s.published(uri, lambda d: len(d) > 0)
        assert diagnostic == lsp.Diagnostic(
            range=rng(2, 10, 27),
            message="aris2014colective: no such record in the library; "
            "did you mean aris2014collective?",
            severity=lsp.DiagnosticSeverity.Warning,
            code="unknown-key",
            source="citeshelf",
            data={"suggestion": "aris2014collective"},
        )

        # the acceptance case: \cite{ari completes to aris2014collective, with its APA
        # reference
        completion = await s.completion(uri, pos(3, 9))
        assert completion.is_incomplete is True
        assert same(
            completion.items,
            [
                lsp.CompletionItem(
                    label="aris2014collective",
                    kind=lsp.CompletionItemKind.Reference,
                    detail="Aris 2014 Collective Security Treaty Organization",
                    documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=ARIS_MD),
                    sort_text="0000",
                    filter_text="aris2014collective",
                    text_edit=lsp.TextEdit(range=rng(3, 6, 9), new_text="aris2014collective"),
                    data={"key": "aris2014collective", "markup": "markdown"},
                )
            ],
        )
        # outside a citation: nothing
        assert await s.completion(uri, pos(2, 2)) is None

        hover = await s.hover(uri, pos(2, 55))
        assert hover == lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=KAY_MD),
            range=rng(2, 50, 64),
        )
        unknown = await s.hover(uri, pos(2, 12))
        assert unknown.contents.value == diagnostic.message
        assert await s.hover(uri, pos(0, 3)) is None

        location = await s.definition(uri, pos(2, 50))
        assert location == lsp.Location(
            uri=(handbook_lib / "kay2014persian.json").resolve().as_uri(), range=rng(0, 0, 0)
        )
        assert await s.definition(uri, pos(2, 12)) is None  # no such record

        [action] = await s.code_actions(uri, diagnostic)
        assert same(
            action,
            lsp.CodeAction(
                title="Change aris2014colective to aris2014collective",
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=True,
                edit=lsp.WorkspaceEdit(
                    changes={
                        uri: [lsp.TextEdit(range=rng(2, 10, 27), new_text="aris2014collective")]
                    }
                ),
            ),
        )

        # the library changes under the running server: a record with the
        # misspelt key appears, and the next request sends the diagnostics again
        data = json.loads((handbook_lib / "aris2014collective.json").read_text())
        data["key"] = "aris2014colective"
        (handbook_lib / "aris2014colective.json").write_text(json.dumps(data))
        st = os.stat(handbook_lib)
        os.utime(handbook_lib, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
        hover = await s.hover(uri, pos(2, 12))
        assert hover.contents.value.startswith("Aris, S. (2014a). Collective Security")
        assert await s.published(uri, lambda d: d == []) == []

    run_server(handbook_lib, scenario)


def test_markdown_completion_hover_definition_diagnostics(handbook_lib: Path, tmp_path):
    uri = (tmp_path / "paper.qmd").as_uri()

    async def scenario(s: Session) -> None:
        # the language id is one no rule knows: the .qmd suffix says Markdown
        s.open(uri, "quarto-something", MD)
        # the key being typed on the last line is not (yet) in the library either
        diagnostic, typing = await s.published(uri, lambda d: len(d) > 0)
        assert (diagnostic.range, diagnostic.message, diagnostic.data) == (
            rng(3, 59, 73),
            "Kay2014persian: no such record in the library; did you mean kay2014persian?",
            {"suggestion": "kay2014persian"},
        )
        assert (typing.range, typing.message) == (
            rng(4, 10, 15),
            "sperl: no such record in the library; did you mean sperling2014regime?",
        )
        [action] = await s.code_actions(uri, diagnostic)
        assert same(
            action.edit,
            lsp.WorkspaceEdit(
                changes={uri: [lsp.TextEdit(range=rng(3, 59, 73), new_text="kay2014persian")]}
            ),
        )

        completion = await s.completion(uri, pos(4, 15))
        assert [(i.label, i.detail, i.text_edit.range) for i in completion.items] == [
            ("sperling2014european", "Sperling 2014 European Union", rng(4, 10, 15)),
            (
                "sperling2014handbook",
                "Sperling (ed.) 2014 Handbook of governance and security",
                rng(4, 10, 15),
            ),
            (
                "sperling2014regime",
                "2014 Regime complexity and security governance",
                rng(4, 10, 15),
            ),
        ]
        assert all(i.documentation is not None for i in completion.items)

        # after a bare @ every record is offered, in key order
        everything = await s.completion(uri, pos(3, 4))
        assert everything.items[0].label == "aris2014collective"
        assert everything.items[0].text_edit.range == rng(3, 4, 4)  # inserted at the cursor
        assert len(everything.items) == 19

        # a completion item without documentation gets it on resolve
        item = lsp.CompletionItem(
            label="kay2014persian", data={"key": "kay2014persian", "markup": "plaintext"}
        )
        resolved = await s.client.completion_item_resolve_async(item)
        assert resolved.documentation == lsp.MarkupContent(
            kind=lsp.MarkupKind.PlainText, value=KAY_TEXT
        )

        hover = await s.hover(uri, pos(3, 10))
        assert hover == lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=ARIS_MD),
            range=rng(3, 4, 22),
        )
        location = await s.definition(uri, pos(3, 40))
        assert location.uri == (handbook_lib / "cottey2014nato.json").resolve().as_uri()

    run_server(handbook_lib, scenario)


def test_help_does_not_load_pygls(tmp_path: Path) -> None:
    probe = (
        "import sys\nfrom citeshelf.cli.main import cli\n"
        "try:\n    cli.main(args=sys.argv[1:], prog_name='citeshelf')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pygls', 'lsprotocol'}),"
        " file=sys.stderr)\n"
    )
    for args in (["--help"], ["lsp", "--help"]):
        p = subprocess.run(
            [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=120
        )
        assert p.stderr.strip().splitlines()[-1] == "[]"
        assert "Usage: citeshelf" in p.stdout


def test_without_pygls_it_says_how_to_install_it(handbook_lib: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    (blocker / "pygls").mkdir(parents=True)
    (blocker / "pygls" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'pygls'\", name='pygls')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(blocker))
    p = subprocess.run(
        [sys.executable, "-m", "citeshelf", "--library", str(handbook_lib), "lsp"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr == (
        "citeshelf: error: the language server needs pygls (pygls is not installed): "
        "pip install 'citeshelf[lsp]'\n"
    )
