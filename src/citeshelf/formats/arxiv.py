"""arXiv API answers (Atom 1.0 with arXiv's extension elements) as CSL-JSON items.

``export.arxiv.org/api/query?id_list=ID`` answers a feed with one ``entry``
per paper: ``id`` (``http://arxiv.org/abs/2101.00001v2``: the version is
the suffix), ``title``, ``summary``, ``published`` (first version),
``updated``, ``author``/``name``, ``arxiv:primary_category@term``,
``arxiv:doi`` and ``arxiv:journal_ref`` when the authors gave them. An
unknown identifier gives a feed without entries, or (a malformed one) an
entry whose title is "Error".

A paper with a journal DOI becomes an article with that DOI (its journal
reference kept as the journal's name); one without, a preprint: a misc
record published by arXiv. Both keep the arXiv identifier, version and
primary category in ``extra`` under BibLaTeX's names (``eprint``,
``eprinttype``, ``eprintclass``, and ``version``).

Public API::

    parse_feed(text, what) -> list[dict]   the entries, as plain dicts
    csl_from_arxiv(entry) -> dict          one entry as a CSL item
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from ..errors import InvalidData

__all__ = ["csl_from_arxiv", "parse_feed"]

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
_ID = re.compile(r"arxiv\.org/abs/(.+?)(?:v(\d+))?$")


def _text(node: ET.Element | None) -> str | None:
    if node is None or node.text is None:
        return None
    return " ".join(node.text.split()) or None


def parse_feed(text: str, what: str = "arXiv") -> list[dict[str, Any]]:
    """The feed's entries: id, version, title, summary, published, authors,
    primary_category, doi, journal_ref. InvalidData if it is not a feed."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        raise InvalidData(f"{what}: arXiv answered with malformed XML: try again later") from None
    if root.tag != f"{{{_NS['atom']}}}feed":
        raise InvalidData(f"{what}: arXiv did not answer with an Atom feed: try again later")
    out = []
    for entry in root.findall("atom:entry", _NS):
        raw_id = _text(entry.find("atom:id", _NS)) or ""
        m = _ID.search(raw_id)
        title = _text(entry.find("atom:title", _NS))
        if m is None or title == "Error":
            continue
        category = entry.find("arxiv:primary_category", _NS)
        out.append(
            {
                "id": m.group(1),
                "version": m.group(2),
                "title": title,
                "summary": _text(entry.find("atom:summary", _NS)),
                "published": _text(entry.find("atom:published", _NS)),
                "authors": [
                    name
                    for a in entry.findall("atom:author", _NS)
                    if (name := _text(a.find("atom:name", _NS)))
                ],
                "primary_category": category.get("term") if category is not None else None,
                "doi": _text(entry.find("arxiv:doi", _NS)),
                "journal_ref": _text(entry.find("arxiv:journal_ref", _NS)),
            }
        )
    return out


def csl_from_arxiv(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of :func:`parse_feed` as a CSL item (see the module docstring)."""
    from .openlibrary import _person

    arxiv_id = entry["id"]
    date = str(entry.get("published") or "")[:10]
    parts = [int(p) for p in date.split("-") if p.isdigit()] if date else []
    item: dict[str, Any] = {
        "type": "article-journal" if entry.get("doi") else "article",
        "title": entry.get("title"),
        "author": [p for p in (_person(n) for n in entry.get("authors") or []) if p],
        "issued": {"date-parts": [parts]} if parts else None,
        "abstract": entry.get("summary"),
        "URL": f"https://arxiv.org/abs/{arxiv_id}",
    }
    if entry.get("doi"):
        item["DOI"] = entry["doi"]
        item["container-title"] = entry.get("journal_ref")
    else:
        item["publisher"] = "arXiv"
    extra = {
        "eprint": arxiv_id,
        "eprinttype": "arxiv",
        "eprintclass": entry.get("primary_category"),
        "version": entry.get("version"),
    }
    item["custom"] = {"citeshelf": {"extra": {k: v for k, v in extra.items() if v}}}
    if not entry.get("doi"):
        item["custom"]["citeshelf"]["type"] = "misc"
    return {k: v for k, v in item.items() if v not in (None, "", [], {})}
