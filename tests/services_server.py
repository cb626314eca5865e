"""A stand-in for the web services, on 127.0.0.1: http.server in a thread.

``ServiceServer.route(path, *responses)`` answers ``path`` (the request path
and query, unquoted) with the responses in turn (the last one repeats); a
response is ``(status, body, headers)``, or ``("sleep", seconds)`` to answer
late. Unknown paths get 404. ``requests`` lists what was asked, with headers.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

FIXTURES = Path(__file__).parent / "fixtures" / "services"
#: the contact address the tests set (CITESHELF_MAILTO): Crossref URLs carry it
MAILTO = "scholar@example.org"

#: service -> environment variable of its base URL
BASE_VARS = {
    "doi": "CITESHELF_DOI_URL",
    "crossref": "CITESHELF_CROSSREF_URL",
    "openlibrary": "CITESHELF_OPENLIBRARY_URL",
    "googlebooks": "CITESHELF_GOOGLEBOOKS_URL",
    "arxiv": "CITESHELF_ARXIV_URL",
    "pubmed": "CITESHELF_PUBMED_URL",
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


class ServiceServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Any]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = unquote(self.path)
                server.requests.append((path, dict(self.headers)))
                queue = server.routes.get(path)
                if not queue:
                    self._send(404, '{"status": "error", "message": "Resource not found."}', {})
                    return
                response = queue.pop(0) if len(queue) > 1 else queue[0]
                if response[0] == "sleep":
                    time.sleep(response[1])
                    response = (200, "{}", {})
                status, body, headers = response
                self._send(status, body, headers)

            def _send(self, status: int, body: str, headers: dict[str, str]) -> None:
                headers = dict(headers)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port}/{service}"

    def env(self) -> dict[str, str]:
        return {var: self.url(service) for service, var in BASE_VARS.items()}

    def route(self, path: str, *responses: Any) -> None:
        self.routes[path] = [r if isinstance(r, tuple) else (200, r, {}) for r in responses]

    def stop(self) -> None:
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.running = False


def standard_routes(server: ServiceServer) -> None:
    """The fixtures of tests/fixtures/services at the paths citeshelf asks."""
    r = server.route
    r("/doi/10.1126/science.169.3946.635", fixture("doi_article.json"))
    r("/doi/10.5281/zenodo.50213", fixture("doi_dataset.json"))
    for n in ("37", "42"):
        doi = f"10.4337/9781781953174.000{n}"
        r(f"/doi/{doi}", fixture(f"doi_chapter_{n}.json"))
        r(f"/crossref/works/{doi}?mailto={MAILTO}", fixture(f"crossref_chapter_{n}.json"))
    for isbn in ("9781781953167", "9780140328721"):
        r(
            f"/openlibrary/api/books?bibkeys=ISBN:{isbn}&jscmd=data&format=json",
            fixture(f"openlibrary_{isbn}.json"),
        )
    r("/openlibrary/api/books?bibkeys=ISBN:9780306406157&jscmd=data&format=json", "{}")
    r("/googlebooks/volumes?q=isbn:9780306406157", fixture("googlebooks_9780306406157.json"))
    atom = {"Content-Type": "application/atom+xml"}
    r("/arxiv/query?id_list=2101.00001", (200, fixture("arxiv_2101.00001.xml"), atom))
    r("/arxiv/query?id_list=1706.03762", (200, fixture("arxiv_1706.03762.xml"), atom))
    r("/arxiv/query?id_list=2101.99999", (200, fixture("arxiv_empty.xml"), atom))
    r("/pubmed/pubmed/?format=csl&id=31209238", fixture("pubmed_31209238.json"))
