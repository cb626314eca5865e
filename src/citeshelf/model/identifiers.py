"""Identifiers: DOI, ISBN, ISSN, URL -- validated and normalised, and the
forms they are compared in (:func:`doi_key`, :func:`isbn_key`).

python-stdnum is imported on first use: the index compares identifiers
without loading it.
"""

from __future__ import annotations

import re

__all__ = [
    "doi_key",
    "format_isbn",
    "check_isbn",
    "isbn_key",
    "isbn_separator",
    "issns",
    "only_issns",
    "split_isbns",
    "normalize_doi",
    "normalize_isbn",
    "normalize_issn",
    "check_issn",
    "normalize_url",
    "strip_doi_prefix",
    "unqualified",
]

#: what stands between two ISBNs of one field ("0-12-117645-2, 0-12-155940-8",
#: "0-262-53071-6 (paper), 0-262-03293-7 (cloth)", "3-540-54539-5 and 0-387-54539-5")
_ISBN_SEPARATOR = re.compile(r"(?<=[0-9Xx)])(\s*[,;]\s*|\s+and\s+|\s+)(?=[0-9])")

#: a note in parentheses after an identifier, as library catalogues and
#: Beebe's TeX Live bibliographies write them: "0-226-10392-7 (hardcover)",
#: "0095-2338 (print), 1520-5142 (electronic)"
_QUALIFIED = re.compile(r"(.*?\S)\s*\([^()]*\)\Z", re.DOTALL)
#: what separates the ISSNs of one field (not a comma inside a note)
_ISSN_SEPARATOR = re.compile(r"\s*[,;](?![^()]*\))\s*|\s+and\s+|(?<=[0-9Xx)])\s+(?=[0-9])")


#: what separates the ISBNs of a text: a comma or semicolon (not one inside a
#: note in parentheses), "and", a space before the next ISBN's digits (hyphenated
#: too: "978-1-5106-1549-6 978-1-5106-1550-2") or after a note ("90-5199-187-8 (IOS
#: Press) 4-274-90017-7 (Ohmsha)")
_ISBN_SPLIT = re.compile(
    r"[;,](?![^()]*\))|\s+and\s+(?=\d)|\s+(?=\d{9})|(?<=\))\s+(?=\d)"
    r"|(?<=[\dXx])\s+(?=\d{1,5}-\d[\d-]{6,}[\dXx](?!\S))"
)
#: a label before an ISBN, which is no part of it: "ISBN 978-...", "ISBN-13: ..."
_ISBN_LABEL = re.compile(r"^\s*ISBN(?:-1[03])?\s*:?\s*(?=\d)", re.IGNORECASE)
#: one ISSN's digits, hyphen or none
_ISSN_SHAPE = re.compile(r"\d{4}-?\d{3}[\dXx]")


def split_isbns(text: str) -> list[str]:
    """The ISBNs of a text, each as written but for a label before it
    ("ISBN 978-85-63994-24-0" -> "978-85-63994-24-0"), its note kept."""
    return [without_isbn_label(v) for v in _ISBN_SPLIT.split(text) if v.strip()]


def without_isbn_label(text: str) -> str:
    return _ISBN_LABEL.sub("", text)


def only_issns(text: str) -> bool:
    """Whether ``text`` holds ISSNs and nothing else (one, or a journal's
    ISSN per medium with their notes: "0896-3207 (print), 1558-1160
    (electronic)"), whether or not their check digits hold."""
    found = issns(text)
    return bool(found) and all(_ISSN_SHAPE.fullmatch(x) for x in found)


def unqualified(value: str) -> str:
    """An identifier without the note in parentheses after it:
    "0-226-10392-7 (hardcover)" -> "0-226-10392-7"."""
    m = _QUALIFIED.match(value)
    return m.group(1) if m else value


def isbn_separator(text: str) -> str | None:
    """What separates the first two ISBNs of ``text`` (", ", "; ", " "), or
    None if it holds one."""
    m = _ISBN_SEPARATOR.search(text)
    return m.group(1) if m else None


# (compiled on first use, by re's cache)
_DOI_PREFIXES = r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*|info:doi/)"
_DOI = r"^10\.\d{4,9}/\S+$"


def strip_doi_prefix(value: str) -> str:
    """A DOI without its resolver or scheme: "https://doi.org/10.1/X" -> "10.1/X"."""
    return re.sub(_DOI_PREFIXES, "", value.strip(), flags=re.IGNORECASE)


def doi_key(value: str) -> str:
    """A DOI for comparison: no resolver prefix, lower case (DOIs ignore case)."""
    return strip_doi_prefix(value).lower()


def isbn_key(value: str) -> str:
    """ISBN digits for comparison; a 10-digit ISBN is converted to ISBN-13
    (no checksum check: stored ISBNs were checked when they were saved)."""
    t = re.sub(r"[^0-9Xx]", "", unqualified(value)).upper()
    if len(t) == 10 and t[:9].isdigit():
        core = "978" + t[:9]
        check = (10 - sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core)) % 10) % 10
        return core + str(check)
    return t


def normalize_doi(value: str) -> str:
    """ "https://doi.org/10.1000/XYZ" -> "10.1000/XYZ" (prefix lower-cased)."""
    text = strip_doi_prefix(value)
    if not re.match(_DOI, text):
        raise ValueError(f"{value!r} is not a DOI: expected 10.NNNN/suffix")
    prefix, _, suffix = text.partition("/")
    return f"{prefix.lower()}/{suffix}"


def _is_isbn13(value: str) -> bool:
    """Is ``value`` already 13 ASCII digits, 978 or 979 first, with a valid
    check digit (what every stored ISBN is)?"""
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        return False
    if value[:3] not in ("978", "979"):
        return False
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(value)) % 10 == 0


def normalize_isbn(value: str) -> str:
    """Validate an ISBN-10 or ISBN-13 (with checksum) and return the ISBN-13 digits."""
    if _is_isbn13(value):
        return value  # the stored form, as python-stdnum would return it
    from stdnum import isbn as _isbn
    from stdnum.exceptions import ValidationError as _StdnumError

    try:
        return _isbn.to_isbn13(_isbn.validate(value))
    except _StdnumError as exc:
        reason = str(exc).rstrip(".").lower() or "invalid"
        raise ValueError(f"{value!r} is not a valid ISBN ({reason})") from None


def check_isbn(value: str) -> str:
    """Validate an ISBN-10 or ISBN-13 (with checksum) and return it in the
    form it was written (hyphens, spaces and all, only trimmed; a note in
    parentheses after it, "(hardcover)", kept): a record keeps its source's
    ISBN, and :func:`isbn_key` is what compares them."""
    text = " ".join(value.split())
    normalize_isbn(unqualified(text))
    return text


def format_isbn(value: str) -> str:
    """Hyphenate an ISBN for display: 9781781953167 -> 978-1-78195-316-7
    (an ISBN-10 stays ten digits; one written with hyphens is kept)."""
    from stdnum import isbn as _isbn
    from stdnum.exceptions import ValidationError as _StdnumError

    if "-" in value:
        return value
    try:
        return _isbn.format(value, convert=False)
    except _StdnumError:
        return value


def normalize_issn(value: str) -> str:
    """Validate an ISSN and return it as NNNN-NNNC."""
    from stdnum import issn as _issn
    from stdnum.exceptions import ValidationError as _StdnumError

    try:
        return _issn.format(_issn.validate(value))
    except _StdnumError as exc:
        reason = str(exc).rstrip(".").lower() or "invalid"
        raise ValueError(f"{value!r} is not a valid ISSN ({reason})") from None


def check_issn(value: str) -> str:
    """Validate the ISSNs of a field and return it as it was written (only
    trimmed), as :func:`check_isbn` keeps an ISBN: ``01622870`` stays
    ``01622870``. A journal has one ISSN per medium, and sources give them
    all, each with a note or none: "0095-2338 (print), 1520-5142 (electronic)"
    (:func:`issns` gives them one by one)."""
    text = " ".join(value.split())
    found = issns(text)
    if not found:
        normalize_issn(text)  # (its error)
    for issn in found:
        normalize_issn(issn)
    return text


def issns(value: str) -> list[str]:
    """The ISSNs of a field, without their notes: "0095-2338 (print),
    1520-5142 (electronic)" -> ["0095-2338", "1520-5142"]."""
    return [unqualified(p) for p in _ISSN_SEPARATOR.split(value.strip()) if p.strip()]


def normalize_url(value: str) -> str:
    # (imported here: the index's readers take DOIs and ISBNs from this module,
    # and urllib.parse, with ipaddress, costs a warm ``list`` about 2 ms)
    from urllib.parse import urlsplit

    text = value.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    # (a file:/// URL, a document on the writer's disk, has a path and no host)
    located = bool(parts.netloc) or (scheme == "file" and parts.path.startswith("/"))
    if scheme not in ("http", "https", "ftp", "file") or not located or " " in text:
        raise ValueError(f"{value!r} is not a URL: expected http:// or https://")
    if _URL_UNSAFE.search(text):
        # characters no URL may hold (RFC 3986), percent-encoded as browsers send them
        from urllib.parse import quote

        text = _URL_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), text)
    return text


_URL_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f"<>\\^`{|}]')
