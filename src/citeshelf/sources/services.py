"""One fetcher per service: the raw answer (parsed JSON or XML text), nothing
converted. Each takes a :class:`citeshelf.sources.http.Client` and raises its
errors; an answer that is not what the service documents raises
:class:`citeshelf.errors.InvalidData` and is not cached.

Services (base URLs in :mod:`citeshelf.sources.config`)::

    doi_csl(client, doi)          doi.org content negotiation, CSL-JSON
                                  (Crossref, DataCite and mEDRA DOIs)
    crossref_work(client, doi)    api.crossref.org/works/DOI -> "message"
    openlibrary_book(client, isbn)  /api/books?bibkeys=ISBN:..&jscmd=data -> the book
                                  (None: Open Library does not know it)
    googlebooks_volume(client, isbn)  /volumes?q=isbn:.. -> volumeInfo (or None)
    arxiv_atom(client, arxiv_id)  /query?id_list=ID -> Atom XML text
    pubmed_csl(client, pmid)      NCBI's literature citation exporter, CSL-JSON
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from ..errors import InvalidData
from . import config
from .http import Client, NotFoundOnline

__all__ = [
    "CSL_JSON",
    "arxiv_atom",
    "crossref_work",
    "doi_csl",
    "googlebooks_volume",
    "openlibrary_book",
    "pubmed_csl",
]

CSL_JSON = "application/vnd.citationstyles.csl+json"


def _json(service: str, what: str) -> Any:
    """A check for Client.get_text: the body must be a JSON object."""

    def check(body: str) -> Any:
        try:
            data = json.loads(body)
        except ValueError:
            raise InvalidData(
                f"{what}: {config.SERVICE_NAMES[service]} answered with malformed JSON: "
                "try again later"
            ) from None
        if not isinstance(data, (dict, list)):
            raise InvalidData(
                f"{what}: {config.SERVICE_NAMES[service]} answered with unexpected JSON: "
                "try again later"
            )
        return data

    return check


def _get_json(client: Client, service: str, url: str, what: str, accept: str) -> Any:
    check = _json(service, what)
    return check(client.get_text(service, url, accept=accept, what=what, check=check))


def doi_csl(client: Client, doi: str) -> dict[str, Any]:
    what = f"doi:{doi}"
    url = f"{config.base_url('doi')}/{quote(doi, safe='/:;()')}"
    data = _get_json(client, "doi", url, what, CSL_JSON)
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or "type" not in data:
        raise InvalidData(f"{what}: doi.org did not answer with a CSL-JSON item: try again later")
    return data


def crossref_work(client: Client, doi: str) -> dict[str, Any] | None:
    """Crossref's own record of ``doi``, or None if Crossref does not hold it
    (a DataCite or mEDRA DOI)."""
    what = f"doi:{doi}"
    url = f"{config.base_url('crossref')}/works/{quote(doi, safe='/:;()')}"
    address = client.mailto
    if address:
        url += "?" + urlencode({"mailto": address})
    try:
        data = _get_json(client, "crossref", url, what, "application/json")
    except NotFoundOnline:
        return None
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise InvalidData(f"{what}: Crossref's answer has no work record: try again later")
    return message


def openlibrary_book(client: Client, isbn: str) -> dict[str, Any] | None:
    what = f"isbn:{isbn}"
    query = urlencode({"bibkeys": f"ISBN:{isbn}", "jscmd": "data", "format": "json"})
    url = f"{config.base_url('openlibrary')}/api/books?{query}"
    data = _get_json(client, "openlibrary", url, what, "application/json")
    if not isinstance(data, dict):
        raise InvalidData(f"{what}: Open Library's answer is not a JSON object: try again later")
    book = data.get(f"ISBN:{isbn}")
    return book if isinstance(book, dict) else None


def googlebooks_volume(client: Client, isbn: str) -> dict[str, Any] | None:
    what = f"isbn:{isbn}"
    url = f"{config.base_url('googlebooks')}/volumes?{urlencode({'q': f'isbn:{isbn}'})}"
    data = _get_json(client, "googlebooks", url, what, "application/json")
    items = data.get("items") if isinstance(data, dict) else None
    if not items:
        return None
    info = items[0].get("volumeInfo") if isinstance(items[0], dict) else None
    return info if isinstance(info, dict) else None


def arxiv_atom(client: Client, arxiv_id: str) -> str:
    what = f"arxiv:{arxiv_id}"
    url = f"{config.base_url('arxiv')}/query?{urlencode({'id_list': arxiv_id})}"

    def check(body: str) -> None:
        from ..formats.arxiv import parse_feed

        parse_feed(body, what)

    return client.get_text("arxiv", url, accept="application/atom+xml", what=what, check=check)


def pubmed_csl(client: Client, pmid: str) -> dict[str, Any]:
    what = f"pmid:{pmid}"
    url = f"{config.base_url('pubmed')}/pubmed/?{urlencode({'format': 'csl', 'id': pmid})}"
    data = _get_json(client, "pubmed", url, what, "application/json")
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or "type" not in data:
        raise InvalidData(f"{what}: PubMed did not answer with a CSL-JSON item: try again later")
    return data
