"""Fetching bibliographic data from web services by identifier.

Modules (each imported on demand)::

    config       base URLs (``CITESHELF_*_URL``), the contact address
                 (``CITESHELF_MAILTO``), the User-Agent, timeouts
    cache        the response cache on disk (``$CITESHELF_CACHE_DIR``, else
                 the user's cache folder ``.../citeshelf/http``)
    http         ``Client``: GET with timeout, retry with backoff on 429/5xx
                 (Retry-After honoured), the cache, one-line errors
    identifiers  ``parse_identifier("doi:10.1/x") -> Identifier``
    services     one fetcher per service: doi.org content negotiation,
                 Crossref REST, Open Library, Google Books, arXiv, PubMed

Nothing here turns a response into a record: that is ``citeshelf.formats``
(pure functions); ``citeshelf.ops.lookup`` puts the two together. This layer
imports only ``model``, ``formats`` and the shared base, and only ``ops``
imports it.
"""
