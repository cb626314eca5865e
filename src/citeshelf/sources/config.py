"""Where the services are and how citeshelf introduces itself.

Base URLs and the timeout come from the environment, read in one place
(:func:`setting`). The contact address is the configuration's ``lookup.mailto``
(which ``$CITESHELF_MAILTO`` overrides): the operation reads it and hands it to
the :class:`~citeshelf.sources.http.Client`; without one, ``$CITESHELF_MAILTO``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = [
    "BASE_URLS",
    "base_url",
    "mailto",
    "setting",
    "timeout",
    "user_agent",
]

#: service -> (environment variable, default base URL)
BASE_URLS: dict[str, tuple[str, str]] = {
    "doi": ("CITESHELF_DOI_URL", "https://doi.org"),
    "crossref": ("CITESHELF_CROSSREF_URL", "https://api.crossref.org"),
    "openlibrary": ("CITESHELF_OPENLIBRARY_URL", "https://openlibrary.org"),
    "googlebooks": ("CITESHELF_GOOGLEBOOKS_URL", "https://www.googleapis.com/books/v1"),
    "arxiv": ("CITESHELF_ARXIV_URL", "https://export.arxiv.org/api"),
    "pubmed": ("CITESHELF_PUBMED_URL", "https://api.ncbi.nlm.nih.gov/lit/ctxp/v1"),
}

#: what each service is called in messages
SERVICE_NAMES = {
    "doi": "doi.org",
    "crossref": "Crossref",
    "openlibrary": "Open Library",
    "googlebooks": "Google Books",
    "arxiv": "arXiv",
    "pubmed": "PubMed",
}


def setting(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """One setting by its environment name (empty means unset)."""
    env = os.environ if env is None else env
    return env.get(name) or None


def base_url(service: str, env: Mapping[str, str] | None = None) -> str:
    """The base URL of ``service`` (no trailing slash)."""
    var, default = BASE_URLS[service]
    return (setting(var, env) or default).rstrip("/")


def mailto(env: Mapping[str, str] | None = None, configured: str | None = None) -> str | None:
    """The contact address sent to the services (Crossref's "polite pool"):
    ``configured`` (the configuration's), else ``$CITESHELF_MAILTO``."""
    value = configured or setting("CITESHELF_MAILTO", env)
    return value.strip() if value and "@" in value else None


def user_agent(env: Mapping[str, str] | None = None, address: str | None = None) -> str:
    """``citeshelf/VERSION (reference manager; mailto:ADDRESS)``: the program,
    its version and a contact, as Crossref's etiquette asks."""
    from .. import __version__

    parts = ["reference manager"]
    address = mailto(env, address)
    if address:
        parts.append(f"mailto:{address}")
    return f"citeshelf/{__version__} ({'; '.join(parts)})"


def timeout(env: Mapping[str, str] | None = None) -> float:
    """Seconds to wait for a service (``CITESHELF_HTTP_TIMEOUT``, default 20)."""
    value = setting("CITESHELF_HTTP_TIMEOUT", env)
    try:
        return max(0.1, float(value)) if value else 20.0
    except ValueError:
        return 20.0
