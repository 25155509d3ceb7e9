"""A real HTTP server on 127.0.0.1 (random port) serving routes the test sets.

Like Scrapy's own mock server: tests talk to it over loopback, in-process or from a
subprocess (`jobtrail crawl`). Routes can be swapped between crawls to simulate a
site changing. It honours If-None-Match / If-Modified-Since when a route has
validators, and records every request it saw.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0  # seconds to wait before answering (a slow site)
    gate: threading.Event | None = None  # when set: answer only once the test opens it (max 60 s)
    abort: bool = False  # close the connection without answering (a download error)


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class MockServer:
    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.one_shots: dict[str, list[Route]] = {}
        self.requests: list[SeenRequest] = []
        #: requests being answered right now, and the most there ever were at once (politeness checks)
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((address, 0), _handler_for(self))
        self._httpd.daemon_threads = True
        # shutdown() waits for the loop's next poll: 0.5 s by default, paid by every test's teardown
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str, status: int = 200, content_type: str | None = None,
            headers: dict[str, str] | None = None, delay: float = 0.0,
            gate: threading.Event | None = None, abort: bool = False) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(body=data, status=status, headers=dict(headers or {}), delay=delay, gate=gate, abort=abort)
        if content_type:
            route.content_type = content_type
        with self._lock:
            self.routes[path] = route

    def set_file(self, path: str, file: Path, **kwargs: object) -> None:
        content_type = "application/json" if file.suffix == ".json" else None
        if file.suffix == ".xml":
            content_type = "application/xml"
        self.set(path, file.read_bytes(), content_type=content_type, **kwargs)  # type: ignore[arg-type]

    def set_once(self, path: str, body: bytes | str, status: int, headers: dict[str, str] | None = None) -> None:
        """Answer the next request for ``path`` this way, then go back to its regular route."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._lock:
            self.one_shots.setdefault(path, []).append(Route(body=data, status=status, headers=dict(headers or {}),
                                                             content_type="text/plain"))

    def remove(self, path: str) -> None:
        with self._lock:
            self.routes.pop(path, None)

    def requested(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path]

    def __enter__(self) -> MockServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler_for(server: MockServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.requests.append(SeenRequest(self.command, self.path, dict(self.headers), body))
            with server._lock:
                queued = server.one_shots.get(self.path)
                route = queued.pop(0) if queued else None
                route = route or server.routes.get(self.path) or server.routes.get(self.path.split("?", 1)[0])
            if route is None:
                route = Route(body=b"not found", status=404, content_type="text/plain")
            with server._lock:
                server.in_flight += 1
                server.peak_in_flight = max(server.peak_in_flight, server.in_flight)
            try:
                self._answer(route)
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _answer(self, route: Route) -> None:
            if route.delay:
                time.sleep(route.delay)
            if route.gate is not None:
                route.gate.wait(60)
            if route.abort:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if route.status == 200 and _not_modified(self.headers, route.headers):
                self.send_response(304)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(route.body)

        do_GET = do_POST = do_HEAD = _serve

    return Handler


def _not_modified(request_headers: object, validators: dict[str, str]) -> bool:
    etag = validators.get("ETag")
    if etag and request_headers.get("If-None-Match") == etag:  # type: ignore[attr-defined]
        return True
    modified = validators.get("Last-Modified")
    return bool(modified and request_headers.get("If-Modified-Since") == modified)  # type: ignore[attr-defined]
