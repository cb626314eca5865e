"""Zotero RDF (Zotero's own "Zotero RDF" export) as Zotero items.

Each regular item is a resource with a ``z:itemType``; what the export writes
is read back into Zotero's field names: ``dc:title``, ``dc:date``,
``dc:description`` (Extra), ``dcterms:abstract``, ``dc:subject`` (tags),
``dc:identifier`` (``ISBN ...``, ``ISSN ...``, ``DOI ...``, a ``dcterms:URI``
for the URL), ``dc:publisher`` (name and place), ``bib:pages``,
``prism:volume``/``number``/``edition``, ``bib:authors``/``editors``/... (the
creator type from the element name), ``dcterms:isPartOf`` (the book, journal
or series it is in, inline or by reference), ``link:link`` (attachments,
``z:Attachment``), ``dcterms:isReferencedBy`` (notes, ``bib:Memo``),
``z:Collection`` with ``dcterms:hasPart``; any other ``z:NAME`` element is the
Zotero field ``NAME``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ...errors import InvalidData
from ..entries import ReadBatch
from .items import ZoteroItem, read_items

__all__ = ["items_from_rdf", "read_zotero_rdf"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
Z = "http://www.zotero.org/namespaces/export#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
BIB = "http://purl.org/net/biblio#"
FOAF = "http://xmlns.com/foaf/0.1/"
PRISM = "http://prismstandard.org/namespaces/1.2/basic/"
LINK = "http://purl.org/rss/1.0/modules/link/"
VCARD = "http://nwalsh.com/rdf/vCard#"

_ABOUT = f"{{{RDF}}}about"
_RESOURCE = f"{{{RDF}}}resource"
_NOT_REGULAR = frozenset({"note", "attachment", "annotation"})

#: element -> Zotero field (plain text elements)
_TEXT = {
    f"{{{DC}}}title": "title",
    f"{{{DC}}}date": "date",
    f"{{{DC}}}description": "extra",
    f"{{{DC}}}rights": "rights",
    f"{{{DCTERMS}}}abstract": "abstractNote",
    f"{{{DCTERMS}}}dateSubmitted": "accessDate",
    f"{{{DCTERMS}}}alternative": "journalAbbreviation",
    f"{{{BIB}}}pages": "pages",
    f"{{{PRISM}}}volume": "volume",
    f"{{{PRISM}}}number": "issue",
    f"{{{PRISM}}}edition": "edition",
}
_IDENTIFIERS = {"ISBN": "ISBN", "ISSN": "ISSN", "DOI": "DOI"}


def _text(el: ET.Element | None) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _value(el: ET.Element) -> str:
    """An element's text, or its ``rdf:value``'s (tags, URIs)."""
    inner = el.find(f".//{{{RDF}}}value")
    return _text(inner) if inner is not None else _text(el)


class _Reader:
    def __init__(self, root: ET.Element, source: str) -> None:
        self.root = root
        self.source = source
        self.about = {el.get(_ABOUT): el for el in root if el.get(_ABOUT)}

    def target(self, el: ET.Element) -> ET.Element | None:
        """The resource an element refers to (``rdf:resource``) or holds inline."""
        ref = el.get(_RESOURCE)
        if ref is not None:
            return self.about.get(ref)
        return next(iter(el), None)

    def identifier(self, el: ET.Element, item: ZoteroItem) -> None:
        uri = el.find(f"{{{DCTERMS}}}URI")
        if uri is not None:
            item.fields.setdefault("url", _value(uri))
            return
        kind, _, rest = _text(el).partition(" ")
        if kind in _IDENTIFIERS and rest:
            item.fields.setdefault(_IDENTIFIERS[kind], rest.strip())

    def container(self, el: ET.Element | None, item: ZoteroItem) -> None:
        if el is None:
            return
        series = el.tag == f"{{{BIB}}}Series"
        for child in el:
            if child.tag == f"{{{DC}}}title":
                item.fields.setdefault("series" if series else "publicationTitle", _text(child))
            elif child.tag == f"{{{DC}}}identifier" and series:
                item.fields.setdefault("seriesNumber", _text(child))
            else:
                self.field(child, item)

    def creators(self, el: ET.Element, item: ZoteroItem) -> None:
        local = el.tag.rsplit("}", 1)[-1]
        ctype = local[:-1] if local.endswith("s") else local
        for person in el.iter(f"{{{FOAF}}}Person"):
            last = _text(person.find(f"{{{FOAF}}}surname"))
            first = _text(person.find(f"{{{FOAF}}}givenName"))
            item.creators.append({"creatorType": ctype, "firstName": first, "lastName": last})

    def field(self, el: ET.Element, item: ZoteroItem) -> None:
        tag = el.tag
        if tag in _TEXT:
            item.fields.setdefault(_TEXT[tag], _text(el))
        elif tag == f"{{{DC}}}subject":
            item.tags.append(_value(el))
        elif tag == f"{{{DC}}}identifier":
            self.identifier(el, item)
        elif tag == f"{{{DC}}}publisher":
            org = self.target(el)
            if org is not None:
                item.fields.setdefault("publisher", _text(org.find(f"{{{FOAF}}}name")))
                place = _text(org.find(f".//{{{VCARD}}}locality"))
                if place:
                    item.fields.setdefault("place", place)
        elif tag == f"{{{DCTERMS}}}isPartOf":
            self.container(self.target(el), item)
        elif tag == f"{{{LINK}}}link":
            self.attachment(self.target(el), item)
        elif tag == f"{{{DCTERMS}}}isReferencedBy":
            memo = self.target(el)
            if memo is not None and memo.tag == f"{{{BIB}}}Memo":
                item.notes.append(_text(memo.find(f"{{{RDF}}}value")))
        elif el.find(f"{{{RDF}}}Seq") is not None:
            self.creators(el, item)
        elif tag.startswith(f"{{{Z}}}") and tag != f"{{{Z}}}itemType":
            item.fields.setdefault(tag[len(Z) + 2 :], _text(el))

    def attachment(self, el: ET.Element | None, item: ZoteroItem) -> None:
        if el is None:
            return
        res = el.find(f"{{{RDF}}}resource")
        path = res.get(_RESOURCE) if res is not None else None
        if not path:
            uri = el.find(f"{{{DC}}}identifier/{{{DCTERMS}}}URI")
            path = _value(uri) if uri is not None else None
        if path:
            item.attachments.append(path)

    def collections(self) -> dict[str, list[str]]:
        """item URI -> the paths of its collections."""
        colls = {el.get(_ABOUT): el for el in self.root.iter(f"{{{Z}}}Collection")}
        parent: dict[str, str] = {}
        for cid, el in colls.items():
            for part in el.iter(f"{{{DCTERMS}}}hasPart"):
                if part.get(_RESOURCE) in colls:
                    parent[str(part.get(_RESOURCE))] = str(cid)

        def path(cid: str) -> str:
            names, seen = [], set()
            while cid in colls and cid not in seen:
                seen.add(cid)
                names.append(_text(colls[cid].find(f"{{{DC}}}title")))
                cid = parent.get(cid, "")
            return "/".join(reversed(names))

        out: dict[str, list[str]] = {}
        for cid, el in colls.items():
            for part in el.iter(f"{{{DCTERMS}}}hasPart"):
                ref = part.get(_RESOURCE)
                if ref and ref not in colls:
                    out.setdefault(ref, []).append(path(str(cid)))
        return out

    def items(self) -> list[ZoteroItem]:
        in_colls = self.collections()
        out = []
        for n, el in enumerate(self.root):
            itype = _text(el.find(f"{{{Z}}}itemType"))
            if not itype or itype in _NOT_REGULAR:
                continue
            about = el.get(_ABOUT) or ""
            item = ZoteroItem(itype, label=f"item {n + 1} ({about})" if about else f"item {n + 1}")
            for child in el:
                self.field(child, item)
            item.collections = in_colls.get(about, [])
            out.append(item)
        return out


def items_from_rdf(root: ET.Element, source: str = "Zotero RDF") -> list[ZoteroItem]:
    """The regular items of a parsed Zotero RDF document, in file order."""
    return _Reader(root, source).items()


def read_zotero_rdf(path: str | Path) -> ReadBatch:
    """Read a Zotero RDF file into entries (see :mod:`.items`)."""
    p = Path(path)
    try:
        root = ET.parse(p).getroot()
    except ET.ParseError as exc:
        raise InvalidData(f"{p}: not valid XML ({exc})") from None
    except OSError as exc:
        raise InvalidData(f"{p}: cannot read: {exc.strerror}") from None
    if root.tag != f"{{{RDF}}}RDF":
        raise InvalidData(f"{p}: not an RDF document (no rdf:RDF root)")
    return read_items(items_from_rdf(root, str(p)), str(p))
