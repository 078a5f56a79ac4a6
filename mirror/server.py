"""The offline mirror: serves recorded responses of the real sites from `mirror/fixtures/`.

All hosts share one 127.0.0.1 port. The host comes from the `X-Mirror-Host` header
(set by `crawler.middlewares.MirrorMiddleware`), or, for a person with a browser,
from the first path segment: `http://127.0.0.1:8765/www.ndrc.gov.cn/xxgk/...`.

`mirror/fixtures/<host>/responses.json` lists the responses (format in the team
conventions); bodies are raw bytes served as they are. A request matches an entry
when method and path are equal and every query parameter and form field the entry
lists has that value; among several matches the one listing the most parameters
wins. Anything else is a 404 (so `/robots.txt` is "allow all" unless a fixture has one).

Every request is appended to `hits` (method, host, path, query, form, status, headers) so tests
can assert on what the crawler asked for. Responses go through `respond()`, the one
place a later fault mode (500/429/timeouts per path) would hook in.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

FIXTURES_DIR = Path(__file__).with_name("fixtures")
HOST_HEADER = "X-Mirror-Host"


class FixtureError(ValueError):
    """A responses.json that cannot be served, with the file and entry named."""


@dataclass(frozen=True)
class Fixture:
    """One recorded response."""

    host: str
    method: str
    path: str
    status: int
    headers: dict[str, str]
    body_path: Path
    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str, query: dict[str, str], form: dict[str, str]) -> bool:
        return (
            self.method == method
            and self.path == path
            and all(query.get(key) == value for key, value in self.query.items())
            and all(form.get(key) == value for key, value in self.form.items())
        )

    @property
    def specificity(self) -> int:
        return len(self.query) + len(self.form)


@dataclass(frozen=True)
class Hit:
    """One request the mirror received."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # as sent by the client


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


NOT_FOUND = Reply(404, {"Content-Type": "text/plain; charset=utf-8"}, b"not in the mirror\n")


def load_fixtures(fixtures_dir: Path = FIXTURES_DIR) -> dict[str, list[Fixture]]:
    """Every host's fixtures, validated (a missing body file fails here, not mid-crawl)."""
    fixtures: dict[str, list[Fixture]] = {}
    for responses_file in sorted(fixtures_dir.glob("*/responses.json")):
        host = responses_file.parent.name
        try:
            entries = json.loads(responses_file.read_text(encoding="utf-8"))
        except ValueError as error:
            raise FixtureError(f"{responses_file}: not valid JSON: {error}") from error
        fixtures[host] = [_fixture(host, responses_file, index, entry) for index, entry in enumerate(entries)]
    return fixtures


def _fixture(host: str, responses_file: Path, index: int, entry: dict[str, Any]) -> Fixture:
    where = f"{responses_file}: entry {index}"
    try:
        body_path = responses_file.parent / entry["body"]
        fixture = Fixture(
            host=host,
            method=entry.get("method", "GET").upper(),
            path=entry["path"],
            status=int(entry.get("status", 200)),
            headers=dict(entry.get("headers", {})),
            body_path=body_path,
            query={key: str(value) for key, value in entry.get("query", {}).items()},
            form={key: str(value) for key, value in entry.get("form", {}).items()},
        )
    except (KeyError, TypeError, ValueError) as error:
        raise FixtureError(f"{where}: {error!r}") from error
    if not body_path.is_file():
        raise FixtureError(f"{where}: body file {body_path} does not exist")
    return fixture


class MirrorServer:
    """A threaded HTTP server on 127.0.0.1 serving the fixtures; a context manager for tests.

    >>> with MirrorServer() as mirror:
    ...     mirror.url  # 'http://127.0.0.1:<port>'
    """

    def __init__(self, port: int = 0, fixtures_dir: Path = FIXTURES_DIR) -> None:
        self.fixtures = load_fixtures(fixtures_dir)
        # Looked up by (method, host, path), then matched on query and form: a generated site has thousands of pages.
        self.index: dict[tuple[str, str, str], list[Fixture]] = {}
        for host, fixtures in self.fixtures.items():
            for fixture in fixtures:
                self.index.setdefault((fixture.method, host, fixture.path), []).append(fixture)
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_class(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def respond(
        self,
        method: str,
        host: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """The reply to one request (and its entry in the hit log)."""
        reply = self.reply_for(method, host, path, query, form)
        with self._lock:
            self.hits.append(Hit(method, host, path, query, form, reply.status, dict(headers or {})))
        return reply

    def reply_for(self, method: str, host: str, path: str, query: dict[str, str], form: dict[str, str]) -> Reply:
        """The most specific fixture matching the request, or 404."""
        match_method = "GET" if method == "HEAD" else method
        candidates = self.index.get((match_method, host, path), [])
        matches = [fixture for fixture in candidates if fixture.matches(match_method, path, query, form)]
        if not matches:
            return _synthetic_attachment(path, query) if method in ("GET", "HEAD") else NOT_FOUND
        best = max(matches, key=lambda fixture: fixture.specificity)
        return Reply(best.status, best.headers, best.body_path.read_bytes())

    def hits_for(self, host: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.host == host]

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="mirror", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (the `scs mirror` command)."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        """Stop the background thread started by `start()`."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _synthetic_attachment(path: str, query: dict[str, str]) -> Reply:
    """A linked attachment no fixture serves: a SYNTHETIC file of its type (`mirror.attachments`), else 404."""
    from mirror.attachments import attachment_for

    found = attachment_for(path, query)
    return Reply(200, {"Content-Type": found[0]}, found[1]) if found else NOT_FOUND


def _handler_class(mirror: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class MirrorHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body waits for the client's
        # delayed ACK of the headers (40 ms on Linux loopback), which capped a crawl at ~85 pages/s.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve("GET")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            path = parts.path
            host = self.headers.get(HOST_HEADER, "")
            if not host:  # browsing: /<host>/<path>
                host, _, rest = path.lstrip("/").partition("/")
                path = "/" + rest
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            length = int(self.headers.get("Content-Length") or 0)
            raw_form = self.rfile.read(length) if length else b""
            form = dict(parse_qsl(raw_form.decode("utf-8", "replace"), keep_blank_values=True))
            reply = mirror.respond(method, host, path, query, form, dict(self.headers.items()))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:  # the hit log replaces stderr noise
            pass

    return MirrorHandler
