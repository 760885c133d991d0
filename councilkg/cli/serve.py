"""``councilkg serve``: a read-only SPARQL 1.1 Protocol endpoint over a built store.

Researchers point their own tools (SPARQLWrapper, rdflib, YASGUI, R, a notebook) at
``http://127.0.0.1:PORT/query``. The answering is done by Oxigraph's own server,
``oxigraph serve-read-only`` with a query time-out and the union of the source graphs as the
default graph, started as a child process on a private loopback port. In front of it this module
runs a small HTTP server that:

- accepts only queries (GET or POST on ``/query``, as the protocol says) and refuses updates with
  403 and SERVICE with 400, using the same check as the app's editor (``councilkg.query.safety``);
- follows the store folder's ``current`` generation: when a load publishes a new one it starts a
  server on it, sends new requests there, and stops the old server once its requests finish
  (a lease keeps the old generation on disk until then);
- forwards everything else (content negotiation, result formats, errors) unchanged.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from councilkg.errors import StoreError
from councilkg.query.safety import UnsafeQueryError, analyse
from councilkg.settings import DEFAULT_SERVE_TIMEOUT
from councilkg.store import StoreFolder

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
MAX_BODY = 1_000_000
FORWARDED_HEADERS = ("Content-Type", "Content-Disposition")


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (the ``oxigraph`` PyPI package installs it beside Python)."""
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise StoreError("The `oxigraph` server is not installed: `pip install oxigraph` (make install does this).")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on host now (the operating system's choice), for a server to bind next: the Oxigraph
    server behind ``serve``, or a test's. Another process may take it first; the server then fails to start."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class _Upstream:
    """One ``oxigraph serve-read-only`` process on one generation, with a count of requests in flight."""

    def __init__(self, folder: StoreFolder, generation: Path, timeout_s: int) -> None:
        self.generation = generation
        self.port = free_port("127.0.0.1")
        self.url = f"http://127.0.0.1:{self.port}"
        self._lease = folder.lease(generation) if generation != folder.root else None
        self._in_flight = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        command = [oxigraph_binary(), "serve-read-only", "--location", str(generation), "--bind", f"127.0.0.1:{self.port}",
                   "--union-default-graph", "--timeout-s", str(timeout_s)]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()

    def _wait_ready(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                self.stop()
                raise StoreError(f"oxigraph serve-read-only could not open {self.generation}: {error.strip()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return
            time.sleep(0.05)
        self.stop()
        raise StoreError(f"oxigraph serve-read-only did not start on {self.generation} within {seconds:g} s")

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._idle.notify_all()

    def retire(self, grace: float = 300.0) -> None:
        """Stop once no request is in flight (or after grace seconds), then release the lease."""
        with self._lock:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=grace)
        self.stop()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        if self._lease is not None:
            StoreFolder.release(self._lease)
            self._lease = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default (5) resets connections when many clients arrive at once


class ReadOnlyEndpoint:
    """The endpoint: an HTTP front on ``host:port`` and the Oxigraph server for the current generation."""

    def __init__(self, store: Path | str, host: str = "127.0.0.1", port: int = 7878, timeout_s: int = DEFAULT_SERVE_TIMEOUT,
                 check_interval: float = 2.0, log: bool = True) -> None:
        self.folder = StoreFolder(store)
        self.folder.require_current()
        self.timeout_s = timeout_s
        self.check_interval = check_interval
        self.log = log
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._upstream = _Upstream(self.folder, self.folder.require_current(), timeout_s)
        self._retiring: list[_Upstream] = []
        self.httpd = _Server((host, port), _handler_for(self))

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/query"

    def acquire(self) -> _Upstream:
        """The server for the current generation, counted as in use until its ``leave()``.

        Switches to a newer generation when one is published; the old server is stopped once the
        requests already using it finish.
        """
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self.check_interval:
                self._checked = now
                current = self.folder.current_path()
                if current is not None and current.resolve() != self._upstream.generation.resolve():
                    self._replace(current)
            self._upstream.enter()
            return self._upstream

    def _replace(self, generation: Path) -> None:
        """Send new requests to a fresh server on generation; stop the old one when its requests end. Hold _lock."""
        old, self._upstream = self._upstream, _Upstream(self.folder, generation, self.timeout_s)
        self._retiring.append(old)
        threading.Thread(target=old.retire, daemon=True).start()

    def recycle(self, upstream: _Upstream) -> None:
        """Replace a server that ran out of time on a query.

        Oxigraph answers a timed-out query with an error but its worker keeps computing; only
        stopping the process frees the CPU. A fresh server on the same generation takes over.
        """
        with self._lock:
            if upstream is self._upstream:
                self._replace(upstream.generation)

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        with self._lock:
            for upstream in [self._upstream, *self._retiring]:
                upstream.stop()


def _handler_for(endpoint: ReadOnlyEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "councilkg-serve"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            if endpoint.log:
                sys.stderr.write(f"{self.address_string()} - {format % args}\n")

        def _reply(self, status: int, message: str) -> None:
            body = (message + "\n").encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            if url.path != "/query":
                self._reply(HTTPStatus.NOT_FOUND, "This is a read-only SPARQL 1.1 endpoint: send queries to /query.")
                return
            query = urllib.parse.parse_qs(url.query).get("query")
            if not query:
                self._reply(HTTPStatus.BAD_REQUEST, "Give the query as ?query=... (SPARQL 1.1 Protocol).")
                return
            self._forward(query[0], "GET", url.query.encode(), None)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"The request is larger than {MAX_BODY:,} bytes.")
                return
            body = self.rfile.read(length)
            if url.path in ("/update", "/store") or url.path != "/query":
                self._reply(HTTPStatus.FORBIDDEN if url.path in ("/update", "/store") else HTTPStatus.NOT_FOUND,
                            "This endpoint is read-only: updates are refused. Send queries to /query.")
                return
            kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if kind == FORM:
                fields = urllib.parse.parse_qs(body.decode("utf-8", errors="replace"))
                if "update" in fields:
                    self._reply(HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.")
                    return
                query = fields.get("query", [""])[0]
            elif kind == SPARQL_QUERY:
                query = body.decode("utf-8", errors="replace")
            else:
                self._reply(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"POST a query as {SPARQL_QUERY} or {FORM}.")
                return
            self._forward(query, "POST", body, kind)

        def _refuse(self) -> None:
            self._reply(HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.")

        do_PUT = do_DELETE = do_PATCH = _refuse

        def _forward(self, query: str, method: str, payload: bytes, kind: str | None) -> None:
            import requests

            try:
                analyse(query)
            except UnsafeQueryError as exc:
                update = "is an update" in str(exc)
                self._reply(HTTPStatus.FORBIDDEN if update else HTTPStatus.BAD_REQUEST, str(exc))
                return
            headers = {"Accept": self.headers.get("Accept") or "application/sparql-results+json"}
            try:
                upstream = endpoint.acquire()
            except (StoreError, OSError) as exc:  # e.g. a generation removed while switching: retry
                self._reply(HTTPStatus.SERVICE_UNAVAILABLE, f"The store is not available right now: {exc}")
                return
            started = time.monotonic()
            try:
                if method == "GET":
                    answer = requests.get(f"{upstream.url}/query?{payload.decode()}", headers=headers,
                                          timeout=endpoint.timeout_s + 10)
                else:
                    headers["Content-Type"] = kind or SPARQL_QUERY
                    answer = requests.post(f"{upstream.url}/query", data=payload, headers=headers,
                                           timeout=endpoint.timeout_s + 10)
            except requests.RequestException as exc:
                self._reply(HTTPStatus.BAD_GATEWAY, f"The store's server did not answer: {exc}")
                return
            finally:
                upstream.leave()
                if time.monotonic() - started >= endpoint.timeout_s:
                    endpoint.recycle(upstream)  # its worker may still be running the query
            self.send_response(answer.status_code)
            for name in FORWARDED_HEADERS:
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

    return Handler
