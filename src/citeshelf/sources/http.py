"""A small HTTP client for the services: timeouts, retries, the cache, clear errors.

``Client.get_text(service, url, accept=..., what=...)`` returns the body of a
200 answer (from the cache when it has it, unless ``refresh``). On 429 and
5xx it waits and tries again (``Retry-After`` when the service sends one, else
an exponential backoff), ``retries`` times. What cannot be had is one of:

* :class:`NotFoundOnline` (a :class:`citeshelf.errors.NotFound`): 404/410,
  the identifier does not exist there;
* :class:`RateLimited`: still 429 after the retries;
* :class:`Unreachable`: no connection, a timeout, or still 5xx;

each with a one-line message that says what failed and what to do.
"""

from __future__ import annotations

import email.utils
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from ..errors import CiteshelfError, NotFound
from . import config
from .cache import ResponseCache

__all__ = ["Client", "NotFoundOnline", "RateLimited", "Unreachable", "CACHE_MODES"]

#: "use": read and write the cache; "refresh": ask the service, then write;
#: "off": neither read nor write
CACHE_MODES = ("use", "refresh", "off")

#: the longest wait between two tries, whatever Retry-After says
MAX_WAIT = 60.0


class NotFoundOnline(NotFound):
    pass


class RateLimited(CiteshelfError):
    pass


class Unreachable(CiteshelfError):
    pass


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class Client:
    """GET requests to the services (see the module docstring)."""

    def __init__(
        self,
        *,
        cache: ResponseCache | None = None,
        cache_mode: str = "use",
        timeout: float | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        user_agent: str | None = None,
        mailto: str | None = None,
    ) -> None:
        if cache_mode not in CACHE_MODES:
            raise ValueError(cache_mode)
        self.cache = cache if cache is not None else ResponseCache()
        self.cache_mode = cache_mode
        self.timeout = config.timeout() if timeout is None else timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        #: the contact address sent with each request (see config.mailto)
        self.mailto = config.mailto(configured=mailto)
        self.user_agent = user_agent or config.user_agent(address=self.mailto)
        #: requests sent to a service (not answered from the cache)
        self.sent = 0

    def get_text(
        self,
        service: str,
        url: str,
        *,
        accept: str = "application/json",
        what: str,
        check: Callable[[str], Any] | None = None,
    ) -> str:
        """The body of ``url``; ``what`` names the identifier in messages.
        ``check(body)`` raises if the body is unusable: such a body is not
        cached."""
        if self.cache_mode == "use":
            cached = self.cache.get(url, accept)
            if cached is not None:
                return cached
        body = self._fetch(service, url, accept, what)
        if check is not None:
            check(body)
        if self.cache_mode != "off":
            self.cache.put(url, accept, body)
        return body

    def _fetch(self, service: str, url: str, accept: str, what: str) -> str:
        name = config.SERVICE_NAMES.get(service, service)
        headers = {"Accept": accept, "User-Agent": self.user_agent}
        attempt = 0
        while True:
            request = urllib.request.Request(url, headers=headers)
            self.sent += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    raw = response.read()
                    charset = response.headers.get_content_charset() or "utf-8"
                    return raw.decode(charset, errors="replace")
            except urllib.error.HTTPError as exc:
                status = exc.code
                wait = _retry_after(exc.headers.get("Retry-After"), time.time())
                exc.close()
                if status in (404, 410):
                    raise NotFoundOnline(
                        f"{what}: not found at {name} ({status}): check the identifier"
                    ) from None
                if status != 429 and status < 500:
                    raise CiteshelfError(
                        f"{what}: {name} refused the request (HTTP {status}): "
                        "check the identifier, or try again later"
                    ) from None
                if attempt >= self.retries:
                    if status == 429:
                        hint = f" in {wait:.0f} s" if wait else " later"
                        raise RateLimited(
                            f"{what}: {name} is rate-limiting requests (HTTP 429): try again"
                            f"{hint}, and set CITESHELF_MAILTO to your e-mail address"
                        ) from None
                    raise Unreachable(
                        f"{what}: {name} answered HTTP {status} {self.retries + 1} times: "
                        "the service has a problem, try again later"
                    ) from None
                if wait is None:
                    wait = self.backoff * (2**attempt)
                self.sleep(min(wait, MAX_WAIT))
                attempt += 1
            except TimeoutError:
                raise Unreachable(
                    f"{what}: {name} did not answer within {self.timeout:g} s: try again "
                    "later (CITESHELF_HTTP_TIMEOUT sets the wait)"
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    raise Unreachable(
                        f"{what}: {name} did not answer within {self.timeout:g} s: try "
                        "again later (CITESHELF_HTTP_TIMEOUT sets the wait)"
                    ) from None
                raise Unreachable(
                    f"{what}: cannot reach {name} ({reason}): you may be offline; "
                    "identifiers added before are in the cache, others need a connection"
                ) from None
