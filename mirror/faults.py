"""Fault mode of the mirror: the misbehaviour of real servers, on demand, per path.

`FaultyMirror` serves the same fixtures as `MirrorServer`, except that a request whose
(host, path) has a `Fault` gets the fault instead: an error status (with Retry-After),
a delay past the client's timeout, a connection reset, a truncated body, a redirect,
a huge streamed body, an empty body, a different body (a WAF page, HTML where JSON was
expected, a robots.txt), or the recorded body under a wrong charset. A fault may apply
to the first `times` requests only, after which the recorded response is served:
that is how a test tells a retry that recovered from one that gave up.

Every request is in the hit log (`hits`) as with the plain mirror, and `timeline`
keeps (host, path, status, monotonic time) so tests can check the waits between retries.
The fault table can also be loaded from JSON for `scs mirror --faults FILE`.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mirror.server import FIXTURES_DIR, HOST_HEADER, Hit, MirrorServer

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or to) the recorded response of one path."""

    status: int | None = None  # answer with this status (and `body`, default a short text)
    headers: dict[str, str] = field(default_factory=dict)  # extra or replaced headers, e.g. Retry-After
    body: bytes | None = None  # answer with this body (status 200 unless `status`)
    delay: float = 0.0  # wait this long before answering (longer than the client timeout: a timeout)
    reset: bool = False  # close the connection with a TCP RST, no answer
    truncate: bool = False  # announce the recorded body's length, send half of it, close
    redirect_to: str = ""  # 302 to this path on the same host, or to this absolute URL
    huge: int = 0  # stream an HTML page of this many bytes
    announce: bool = True  # with `huge`: send its Content-Length (False: no length, the body ends at close)
    charset: str = ""  # serve the recorded bytes with this charset declared in Content-Type
    times: int | None = None  # only the first N requests get the fault (None: all of them)

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Fault:
        values = dict(entry)
        if "body" in values:
            values["body"] = str(values["body"]).encode("utf-8")
        return cls(**values)


FaultTable = dict[tuple[str, str], Fault]


def load_fault_table(path: Path) -> FaultTable:
    """`[{"host": "www.ndrc.gov.cn", "path": "/a.html", "status": 503, "times": 1}, ...]` -> fault table."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {(entry.pop("host"), entry.pop("path")): Fault.from_json(entry) for entry in entries}


class FaultyMirror(MirrorServer):
    """A `MirrorServer` that applies `faults` (keyed by (host, path)) before serving fixtures."""

    def __init__(self, faults: FaultTable, port: int = 0, fixtures_dir: Path = FIXTURES_DIR) -> None:
        super().__init__(port=port, fixtures_dir=fixtures_dir)
        self.faults = dict(faults)
        self.timeline: list[tuple[str, str, int, float]] = []
        self.streamed: dict[tuple[str, str], int] = {}  # bytes of a `huge` body written before the client let go
        self._counts: dict[tuple[str, str], int] = {}
        self._fault_lock = threading.Lock()
        self._httpd.RequestHandlerClass = _faulty_handler_class(self, self._httpd.RequestHandlerClass)

    def fault_for(self, host: str, path: str) -> Fault | None:
        """The fault to apply to this request (counting it), or None to serve the fixture."""
        with self._fault_lock:
            fault = self.faults.get((host, path))
            if fault is None:
                return None
            count = self._counts.get((host, path), 0) + 1
            self._counts[(host, path)] = count
        return fault if fault.times is None or count <= fault.times else None

    def record(self, method: str, host: str, path: str, query: dict[str, str], status: int) -> None:
        with self._lock:
            self.hits.append(Hit(method, host, path, query, {}, status))

    def times_of(self, host: str, path: str) -> list[float]:
        """When each request for (host, path) arrived (monotonic seconds)."""
        with self._lock:
            return [at for h, p, _, at in self.timeline if (h, p) == (host, path)]


def _faulty_handler_class(mirror: FaultyMirror, base: type[BaseHTTPRequestHandler]) -> type[BaseHTTPRequestHandler]:
    class FaultyHandler(base):  # type: ignore[valid-type, misc]
        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            host, path = self.headers.get(HOST_HEADER, ""), parts.path
            if not host:
                host, _, rest = path.lstrip("/").partition("/")
                path = "/" + rest
            fault = mirror.fault_for(host, path)
            arrived = time.monotonic()
            if fault is None:
                before = len(mirror.hits)
                super()._serve(method)
                with mirror._lock:
                    status = mirror.hits[before].status if len(mirror.hits) > before else 0
                    mirror.timeline.append((host, path, status, arrived))
                return
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            status = fault.status or (302 if fault.redirect_to else 200)
            mirror.record(method, host, path, query, 0 if fault.reset else status)
            with mirror._lock:
                mirror.timeline.append((host, path, 0 if fault.reset else status, arrived))
            try:
                self._apply(fault, method, host, path, query, status)
            except OSError:  # the client gave up (timeout, size limit): nothing more to say
                self.close_connection = True

        def _apply(self, fault: Fault, method: str, host: str, path: str, query: dict[str, str], status: int) -> None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.reset:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            recorded = mirror.respond(method, host, path, query, {})
            with mirror._lock:  # `respond` logged a hit of its own; the fault's hit is the one that counts
                mirror.hits.pop()
            headers = dict(recorded.headers)
            body = recorded.body
            if fault.charset:
                content_type = headers.get("Content-Type", "text/html")
                headers["Content-Type"] = re.sub(r";\s*charset=[^;]*", "", content_type) + f"; charset={fault.charset}"
            if fault.redirect_to:
                headers, body = {"Location": fault.redirect_to, "Content-Type": "text/html"}, b""
            elif fault.body is not None:
                headers, body = {"Content-Type": "text/html; charset=utf-8"}, fault.body
            elif fault.status is not None:
                headers, body = {"Content-Type": "text/plain; charset=utf-8"}, f"fault: HTTP {status}\n".encode()
            headers.update(fault.headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if fault.huge:
                if fault.announce:
                    self.send_header("Content-Length", str(fault.huge))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                self._stream_padding(fault.huge, (host, path))
                return
            self.send_header("Content-Length", str(len(body)))
            if fault.truncate:
                self.send_header("Connection", "close")
            self.end_headers()
            if method == "HEAD":
                return
            if fault.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(body)

        def _stream_padding(self, size: int, key: tuple[str, str]) -> None:
            head = b"<html><head><meta charset='utf-8'><title>huge</title></head><body>"
            self.wfile.write(head)
            sent = len(head)
            chunk = b"<p>padding</p>" * (_CHUNK // 14)
            try:
                while sent < size:
                    piece = chunk[: size - sent]
                    self.wfile.write(piece)
                    sent += len(piece)
            finally:
                with mirror._lock:
                    mirror.streamed[key] = sent

        def finish(self) -> None:
            with contextlib.suppress(OSError):  # a reset or abandoned connection
                super().finish()

    return FaultyHandler
