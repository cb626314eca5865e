"""Identifiers as the user types them: ``doi:10.1/x``, a bare DOI, a doi.org
URL, ``isbn:978...`` (or a bare ISBN), ``arxiv:2101.00001`` (or an arxiv.org
URL), ``pmid:12345``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError

__all__ = ["Identifier", "parse_identifier", "looks_like_identifier", "KINDS"]

KINDS = ("doi", "isbn", "arxiv", "pmid")

_SCHEME = re.compile(r"^(doi|isbn|arxiv|pmid)\s*:\s*(.+)$", re.IGNORECASE)
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(.+)$", re.IGNORECASE)
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?$"
)
_ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?$")


@dataclass(frozen=True)
class Identifier:
    kind: str  # one of KINDS
    value: str  # normalised: DOI "10.x/y", ISBN-13 digits, arXiv id, PMID digits

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def looks_like_identifier(text: str) -> bool:
    """True for text the user meant as an identifier (valid or not)."""
    t = text.strip()
    return bool(
        _SCHEME.match(t)
        or _DOI_URL.match(t)
        or _ARXIV_URL.match(t)
        or t.startswith("10.")
        or re.fullmatch(r"[0-9Xx\-\s]{10,17}", t)
    )


def parse_identifier(text: str) -> Identifier:
    """The identifier ``text`` names; UsageError saying what is wrong otherwise."""
    from ..model.identifiers import normalize_doi, normalize_isbn

    t = text.strip()
    m = _SCHEME.match(t)
    if m:
        kind, rest = m.group(1).lower(), m.group(2).strip()
    elif _DOI_URL.match(t) or t.startswith("10."):
        kind, rest = "doi", t
    elif _ARXIV_URL.match(t):
        kind, rest = "arxiv", t
    elif re.fullmatch(r"[0-9Xx\-\s]{10,17}", t):
        kind, rest = "isbn", t
    else:
        raise UsageError(
            f"{text!r} is not an identifier: use doi:10.NNNN/..., isbn:..., arxiv:NNNN.NNNNN "
            "or pmid:NNNN (or give a record TYPE: citeshelf add book --title ...)"
        )
    try:
        if kind == "doi":
            url = _DOI_URL.match(rest)
            return Identifier("doi", normalize_doi(url.group(1) if url else rest))
        if kind == "isbn":
            return Identifier("isbn", normalize_isbn(rest))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if kind == "arxiv":
        url = _ARXIV_URL.match(rest)
        value = url.group(1) if url else rest
        if not (_ARXIV_NEW.match(value) or _ARXIV_OLD.match(value)):
            raise UsageError(
                f"{text!r} is not an arXiv identifier: expected e.g. 2101.00001 or hep-th/9901001"
            )
        return Identifier("arxiv", value)
    value = rest.removeprefix("PMID").strip()
    if not value.isdigit():
        raise UsageError(
            f"{text!r} is not a PubMed identifier: expected digits, e.g. pmid:31209238"
        )
    return Identifier("pmid", value)
