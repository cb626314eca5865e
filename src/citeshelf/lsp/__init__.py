"""The language server (``citeshelf lsp``): citation keys in an editor.

An interface like the command line: it answers an editor's Language Server
Protocol requests (through pygls) with what :mod:`citeshelf.ops.citing_help`
and :mod:`citeshelf.formats.manuscript` compute, and holds no rule of its own.
Only :mod:`citeshelf.cli` imports it, and only it imports pygls and
lsprotocol. See :mod:`.server`.
"""
