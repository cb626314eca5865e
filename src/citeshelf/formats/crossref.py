"""What the DOI services answer, as CSL-JSON items for :mod:`citeshelf.formats.csljson`.

doi.org's content negotiation answers CSL-JSON for Crossref, DataCite and
mEDRA DOIs, with the registration agency's bookkeeping beside the CSL
variables (Crossref: ``reference``, ``license``, ``indexed``, ``score`` ...;
DataCite: ``publisher`` as a name, ``copyright``, ``version``).
:func:`clean_csl` keeps the CSL variables only. Crossref's own REST record
(``api.crossref.org/works/DOI``, its ``message``) says what the negotiated
item lacks for a book chapter: the book's ISBNs (:func:`container_isbns`).

Public API::

    clean_csl(item) -> dict               the CSL variables of a negotiated item
    container_isbns(message) -> list[str] a chapter's book's ISBNs (ISBN-13 digits)
    book_doi(message) -> str | None       the book's DOI, when Crossref relates it
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["book_doi", "clean_csl", "container_isbns"]

#: what every negotiated item has that is not bibliographic data
_DROP = frozenset({"id", "source", "accessed", "original-title"})


def clean_csl(item: Mapping[str, Any]) -> dict[str, Any]:
    """``item``'s CSL variables (and its type), its titles as plain strings."""
    from .csljson import CSL_VARIABLES, FIELDS

    known = CSL_VARIABLES | {f.var for f in FIELDS}
    out: dict[str, Any] = {"type": item.get("type") or "document"}
    for name, value in item.items():
        if name in _DROP or name == "type":
            continue
        if name not in known:
            continue
        if isinstance(value, list) and name in ("title", "container-title", "collection-title"):
            value = next((v for v in value if isinstance(v, str) and v.strip()), None)
        if name in ("author", "editor", "translator", "container-author") and isinstance(
            value, list
        ):
            value = [_name(p) for p in value if isinstance(p, Mapping)]
            value = [p for p in value if p]
        if name == "ISSN" and isinstance(value, list):
            # a journal's print and electronic ISSNs, both kept (as Zotero does)
            value = ", ".join(v.strip() for v in value if isinstance(v, str) and v.strip())
        if name == "ISBN" and isinstance(value, list):
            value = " ".join(v for v in value if isinstance(v, str))
        if value in (None, "", [], {}):
            continue
        out[name] = value
    if isinstance(out.get("title"), str):
        out["title"] = " ".join(out["title"].split())
    if isinstance(out.get("abstract"), str):
        # Crossref's abstracts are JATS XML: <jats:p>, <jats:italic> ...
        text = re.sub(r"</?jats:(?:p|title|sec)\b[^>]*>", " ", out["abstract"])
        text = re.sub(r"</?jats:[^>]*>", "", text)
        out["abstract"] = " ".join(text.split())
    return out


def _name(person: Mapping[str, Any]) -> dict[str, Any]:
    """A CSL name without the services' extras (affiliation, ORCID, sequence)."""
    keep = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")
    out = {k: person[k] for k in keep if isinstance(person.get(k), str) and person[k].strip()}
    if not out and isinstance(person.get("name"), str):
        out = {"literal": person["name"]}  # DataCite's organisations
    return out


def container_isbns(message: Mapping[str, Any]) -> list[str]:
    """The ISBNs of the book a Crossref work (a chapter) is in, print first."""
    from ..model.identifiers import normalize_isbn

    typed = message.get("isbn-type")
    raw: list[str] = []
    if isinstance(typed, list):
        order = {"print": 0, "electronic": 1}
        pairs = [t for t in typed if isinstance(t, Mapping) and isinstance(t.get("value"), str)]
        pairs.sort(key=lambda t: order.get(str(t.get("type")), 2))
        raw.extend(t["value"] for t in pairs)
    isbn = message.get("ISBN")
    if isinstance(isbn, list):
        raw.extend(v for v in isbn if isinstance(v, str))
    out: list[str] = []
    for value in raw:
        try:
            n = normalize_isbn(value)
        except ValueError:
            continue
        if n not in out:
            out.append(n)
    return out


def book_doi(message: Mapping[str, Any]) -> str | None:
    """The DOI of the book a chapter is part of, if Crossref's ``relation``
    names one (``is-part-of`` with a DOI)."""
    relation = message.get("relation")
    if not isinstance(relation, Mapping):
        return None
    for rel in relation.get("is-part-of") or []:
        if isinstance(rel, Mapping) and rel.get("id-type") == "doi" and rel.get("id"):
            text = str(rel["id"])
            return re.sub(r"^https?://(dx\.)?doi\.org/", "", text)
    return None
