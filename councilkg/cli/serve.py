"""``councilkg serve``: a read-only SPARQL 1.1 Protocol endpoint over a built store.

Researchers point their own tools (SPARQLWrapper, rdflib, YASGUI, R, a notebook) at
``http://127.0.0.1:PORT/query``. The answering is done by Oxigraph's own server,
``oxigraph serve-read-only`` with the union of the source graphs as the default graph, in child
processes on private loopback ports that cannot open a network connection
(``councilkg.query.sandbox``). In front of them:

- **The HTTP server is waitress**, not a loop of our own. Waitress reads every request, headers and
  body, in one asynchronous I/O thread and hands it to a worker thread only once it is complete, so
  a slow or half-open client holds a socket, never a thread; it parses Content-Length strictly (a
  bad one is a 400, without a traceback), caps header and body sizes, and closes idle keep-alive
  connections. It is pure Python, with no dependencies, and used in production for years. This
  module adds a limit on the time a request may take to arrive (``request_timeout``), which waitress
  lacks, by checking its connections each second. (An ASGI server would do the same with more
  moving parts: the work here is a blocking proxy, which threads do plainly.)
- **Only queries**: GET or POST on ``/query``; updates get 403 and SERVICE, deep nesting and other
  refusals of ``councilkg.query.safety`` 400, before anything is forwarded.
- **Host and Origin are checked**: a request whose ``Host`` is not one of the allowed names (loopback
  names and the address it listens on, by default) gets 403, which defeats DNS rebinding; so does a
  request that a browser sends from a page of another origin (``Origin``, or ``Sec-Fetch-Site:
  cross-site``), which defeats cross-site request forgery. Both lists can be widened.
- **Bounded**: at most ``max_queries`` queries run at once, each in its own Oxigraph process; when
  those are taken, ``express_queries`` more may run if they finish within ``express_timeout`` seconds
  (so a crowd of long queries cannot shut out short ones); up to ``max_waiting`` more wait up to
  ``queue_wait`` seconds for a slot, and the rest get 503 with ``Retry-After``.
- **A query stopped at the time or memory limit is not run again** for ``repeat_cooldown`` seconds (the
  same text, comments, spacing and variable names aside): a client retrying it gets 503 at once, so a
  few careless retry loops cannot keep every slot busy.
- **Answers are streamed**, never held, and stop after ``max_rows`` rows (JSON, XML, CSV, TSV,
  N-Triples and N-Quads answers end there as valid documents; the ``X-Councilkg-Row-Limit`` header
  gives the cap) or ``max_bytes`` bytes; a client that leaves stops its query.
- **The time limit is kept**: Oxigraph is asked to stop at ``timeout_s``, and a watchdog kills the
  process of any query still running a quarter of a second later (Oxigraph does not stop every query
  at its own limit, a sort for one), and shuts its connection at once. The same watchdog keeps the
  Oxigraph processes within ``max_memory`` together, stopping the biggest query while they hold
  more (a sort or a grouping holds its rows). The processes run at a lower priority than serve, so
  serve keeps its time when every CPU is busy with queries. A killed or crashed process is replaced
  by a fresh one for the next query, so one bad query never takes the endpoint down.
- **It follows the store folder's ``current`` generation**: a process on an older generation is
  stopped when its query ends, and new queries start one on the new generation (a lease keeps the
  old generation on disk meanwhile).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

from councilkg import processes
from councilkg.errors import CouncilKGError, StoreError
from councilkg.query.safety import UnsafeQueryError, analyse
from councilkg.query.sandbox import supported as sandbox_supported
from councilkg.settings import DEFAULT_SERVE_TIMEOUT, default_workers
from councilkg.store import StoreFolder

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
MAX_BODY = 1_000_000
FORWARDED_HEADERS = ("Content-Type", "Content-Disposition")
#: the names a request's Host may give by default (with any port), besides the address serve listens on
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

StartResponse = Callable[..., Any]


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


def child_command(generation: Path, port: int, timeout_s: int) -> list[str]:
    """The command that runs one Oxigraph server on a generation: read-only, on 127.0.0.1:port, with the union
    of the graphs as default graph, stopping queries at timeout_s, and (where the platform allows) with no
    outgoing network access (``python -m councilkg.query.sandbox``), so SERVICE can reach nothing."""
    command = [oxigraph_binary(), "serve-read-only", "--location", str(generation), "--bind", f"127.0.0.1:{port}",
               "--union-default-graph", "--timeout-s", str(timeout_s)]
    if sandbox_supported():
        command = [sys.executable, "-m", "councilkg.query.sandbox", *command]
    return command


@dataclass(frozen=True)
class ServeLimits:
    """What ``serve`` accepts. Every number has a ``councilkg serve`` option."""

    timeout_s: int = DEFAULT_SERVE_TIMEOUT  # seconds a query may run
    max_queries: int = field(default_factory=lambda: 2 * default_workers())  # queries running at once
    express_queries: int = field(default_factory=lambda: default_workers())  # more at once, if each ends within express_timeout
    express_timeout: float = 2.0
    max_waiting: int = 32  # requests waiting for a free slot; beyond that, 503 at once
    queue_wait: float = 10.0  # seconds a request waits for a free slot before its 503
    max_rows: int = 100_000  # rows of an answer
    max_bytes: int = 256 * 1024 * 1024  # bytes of an answer
    repeat_cooldown: float = 60.0  # seconds a query stopped at the time or memory limit is refused (503) before it may run again
    max_memory: int = 768 << 20  # bytes the Oxigraph processes may hold together (resident): serve and they stay within 1 GiB
    max_body: int = MAX_BODY  # bytes of a request's body
    request_timeout: float = 10.0  # seconds a request (headers and body) may take to arrive
    idle_timeout: float = 15.0  # seconds a keep-alive connection may stay idle
    max_connections: int = 1000  # open connections


class _Child:
    """One ``oxigraph serve-read-only`` process on one generation, answering one query at a time."""

    def __init__(self, folder: StoreFolder, generation: Path, timeout_s: int) -> None:
        self.generation = generation
        self.port = free_port("127.0.0.1")
        self._lease = folder.lease(generation) if generation != folder.root else None
        self.process = subprocess.Popen(child_command(generation, self.port, timeout_s), stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        self.deadline: float | None = None  # while a query runs: when the watchdog kills it
        self.express = False  # the query runs in an express slot (see _Pool.acquire)
        self.started = 0.0  # when its query started
        self.idle_since = time.monotonic()
        self.killed = False
        self.reason = ""  # why it was killed: "time" or "memory"
        self.sock: socket.socket | None = None  # the connection of the query it runs
        with contextlib.suppress(OSError):  # below serve itself, so serve keeps its time even when every CPU is busy
            os.setpriority(os.PRIO_PROCESS, self.process.pid, 5)
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
            time.sleep(0.02)
        self.stop()
        raise StoreError(f"oxigraph serve-read-only did not start on {self.generation} within {seconds:g} s")

    def alive(self) -> bool:
        return self.process.poll() is None and not self.killed

    def kill(self, reason: str = "time") -> None:
        """Stop a query that outran its time (or memory): the process goes (the pool replaces it), and the
        connection to it is shut at once, so its request ends without waiting for the process to exit."""
        if not self.killed:
            self.reason = reason
        self.killed = True
        with contextlib.suppress(OSError):
            self.process.kill()
        sock = self.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def rss(self) -> int:
        """Resident memory of the process, in bytes (0 once it has gone)."""
        try:
            with open(f"/proc/{self.process.pid}/statm") as statm:
                return int(statm.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            return 0

    def stop(self) -> None:
        processes.stop(self.process, grace=5)
        if self.process.stderr:
            self.process.stderr.close()
        if self._lease is not None:
            StoreFolder.release(self._lease)
            self._lease = None


class Busy(CouncilKGError):
    """Every slot is taken and the queue is full, or the wait ran out: answer 503."""


class _Pool:
    """The Oxigraph processes: one a running query, at most ``max_queries``; one kept warm when idle."""

    GRACE = 0.25  # seconds past the time limit before the watchdog kills a query's process
    IDLE_REAP = 2.0  # seconds an extra idle process is kept

    def __init__(self, folder: StoreFolder, limits: ServeLimits, check_interval: float) -> None:
        self.folder = folder
        self.limits = limits
        self.check_interval = check_interval
        self._lock = threading.Condition()
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._general = self._express = 0  # slots taken, in each lane
        self._waiting = 0
        self._closed = False
        self._generation = folder.require_current().resolve()
        self._checked = time.monotonic()
        self._idle.append(_Child(folder, self._generation, limits.timeout_s))
        self._watchdog = threading.Thread(target=self._watch, name="serve-watchdog", daemon=True)
        self._watchdog.start()

    def _current(self) -> Path:
        """The generation new queries run on (looked up every check_interval seconds). Hold _lock."""
        now = time.monotonic()
        if now - self._checked >= self.check_interval:
            self._checked = now
            current = self.folder.current_path()
            if current is not None:
                self._generation = current.resolve()
        return self._generation

    def acquire(self) -> _Child:
        """A process for one query, its deadline set; Busy if none is free within queue_wait seconds.

        A query gets one of the ``max_queries`` slots, with the full time limit; when they are all taken,
        one of the ``express_queries`` slots, where it must finish within ``express_timeout`` seconds (or is
        stopped with a 503): so a crowd of long queries cannot keep short ones out.
        """
        limits = self.limits
        with self._lock:
            if self._closed:
                raise Busy("the endpoint is shutting down")
            give_up = time.monotonic() + limits.queue_wait
            if not self._lane_free():
                if self._waiting >= limits.max_waiting:
                    raise Busy("too many queries are waiting")
                self._waiting += 1
                try:
                    while not self._lane_free():
                        left = give_up - time.monotonic()
                        if left <= 0 or self._closed:
                            raise Busy("no query slot became free in time")
                        self._lock.wait(left)
                finally:
                    self._waiting -= 1
            express = self._general >= limits.max_queries
            if express:
                self._express += 1
            else:
                self._general += 1
            generation = self._current()
            stale = [c for c in self._idle if c.generation != generation or not c.alive()]
            self._idle = [c for c in self._idle if c not in stale]
            child = self._idle.pop() if self._idle else None
        for old in stale:
            threading.Thread(target=old.stop, daemon=True).start()
        if child is None:
            try:
                child = _Child(self.folder, generation, limits.timeout_s)
            except BaseException:
                with self._lock:
                    self._free_lane(express)
                raise
        with self._lock:
            child.express = express
            child.started = time.monotonic()
            child.deadline = child.started + (limits.express_timeout if express else limits.timeout_s) + self.GRACE
            self._busy.add(child)
        return child

    def _lane_free(self) -> bool:
        return self._general < self.limits.max_queries or self._express < self.limits.express_queries

    def _free_lane(self, express: bool) -> None:
        """Give a slot back. Hold _lock."""
        if express:
            self._express -= 1
        else:
            self._general -= 1
        self._lock.notify_all()

    def release(self, child: _Child) -> None:
        """A query ended: keep its process for the next one if it is sound and current, else stop it."""
        with self._lock:
            self._busy.discard(child)
            self._free_lane(child.express)
            child.deadline = None
            keep = child.alive() and child.generation == self._current() and not self._closed
            if keep:
                child.idle_since = time.monotonic()
                self._idle.append(child)
        if not keep:
            threading.Thread(target=child.stop, daemon=True).start()

    def _watch(self) -> None:
        """Kill the process of a query past its deadline, and the biggest query's while the processes together
        hold more than max_memory; stop idle processes beyond one warm one."""
        while not self._closed:
            time.sleep(0.1)
            now = time.monotonic()
            extra: list[_Child] = []
            with self._lock:
                for child in self._busy:
                    if child.deadline is not None and now > child.deadline and not child.killed:
                        child.kill()
                sizes = {child: child.rss() for child in [*self._busy, *self._idle]}
                total = sum(sizes.values())
                for child in sorted((c for c in self._busy if not c.killed), key=sizes.__getitem__, reverse=True):
                    if total <= self.limits.max_memory:
                        break
                    child.kill("memory")
                    total -= sizes[child]
                self._idle.sort(key=lambda c: c.idle_since)
                while len(self._idle) > 1 and now - self._idle[0].idle_since > self.IDLE_REAP:
                    extra.append(self._idle.pop(0))
            for child in extra:
                child.stop()

    def processes(self) -> list[int]:
        """Process ids of the Oxigraph servers (for the benchmark's memory figures)."""
        with self._lock:
            return [c.process.pid for c in [*self._idle, *self._busy]]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            children = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._lock.notify_all()
        for child in children:
            child.stop()


def _plain(start_response: StartResponse, status: int, message: str, extra: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    body = (message + "\n").encode()
    phrase = HTTPStatus(status).phrase
    start_response(f"{status} {phrase}", [("Content-Type", "text/plain; charset=utf-8"),
                                          ("Content-Length", str(len(body))), *extra])
    return [body]


def _host_name(value: str) -> str:
    """The host of a Host header or an origin's netloc, without the port, lower-cased."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[: value.find("]") + 1] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class _Answer:
    """The child's answer, streamed: at most max_rows rows (closed as a valid document where the format allows)
    and max_bytes bytes; the connection and the slot are released when it ends, however it ends.

    ``prefetch`` reads until the first row (or the end) before anything is sent, so a query that is stopped
    at the time limit before it gives a row (a COUNT over too much) is answered 503, not 200 and a broken
    body, as Oxigraph sends its headers before it starts.
    """

    CANCELLED = b"operation has been cancelled"
    PREFETCH_BYTES = 1 << 20

    def __init__(self, pool: _Pool, child: _Child, connection: http.client.HTTPConnection,
                 response: http.client.HTTPResponse, limits: ServeLimits, kind: str) -> None:
        self.pool, self.child, self.connection, self.response = pool, child, connection, response
        self.limits = limits
        self.counter = _RowCounter(kind, limits.max_rows)
        self.finished = False  # the child's whole answer was read
        self.broken = False  # reading failed: the process was killed at the deadline, or died
        self.done = False  # nothing more to read (finished, broken, or a cap reached)
        self._parts: list[bytes] = []
        self._sent = 0
        self._released = False

    def _read(self) -> None:
        """Read one chunk into the parts to send, applying the caps."""
        try:
            chunk = self.response.read1(65536)
        except (OSError, http.client.HTTPException):
            self.broken = self.done = True
            return
        if not chunk:
            self.finished = self.done = True
            return
        cut, ending = self.counter.feed(chunk)
        if self._sent + len(cut) > self.limits.max_bytes:
            cut, ending = cut[: self.limits.max_bytes - self._sent], b""
        self._sent += len(cut)
        self._parts.append(cut)
        if ending is not None:  # a cap: end the document there (the query is stopped by close)
            self._parts.append(ending)
            self.done = True

    def prefetch(self) -> bool:
        """Read up to the first row; False if the query was stopped (or died) before giving one."""
        while not self.done and self.counter.rows == 0 and self._sent < self.PREFETCH_BYTES:
            self._read()
        stopped = self.broken or self.child.killed or (self.counter.rows == 0 and any(self.CANCELLED in p for p in self._parts))
        return not stopped

    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                while self._parts:
                    part = self._parts.pop(0)
                    if part:
                        yield part
                if self.done:
                    return
                self._read()
        finally:
            self.close()

    def close(self) -> None:
        if self._released:
            return
        self._released = True
        if not self.finished:
            self.child.kill()  # cut short (a cap, the client gone): the query may still be running there
        with contextlib.suppress(Exception):
            self.connection.close()
        self.pool.release(self.child)


class _RowCounter:
    """Counts the rows of a streamed answer and says where the max_rows-th ends, with the text that closes the
    document there. Formats it cannot count (Turtle, RDF/XML, JSON-LD) are held to the byte cap only."""

    def __init__(self, kind: str, max_rows: int) -> None:
        self.kind = kind
        self.max_rows = max_rows
        self.rows = 0
        self.header = kind in ("text/csv", "text/tab-separated-values")  # their first line names the columns
        # JSON state: depth, inside a string, after a backslash
        self.depth, self.in_string, self.escaped = 0, False, False

    def feed(self, chunk: bytes) -> tuple[bytes, bytes | None]:
        """The part of chunk to send, and the closing text if the cap is reached inside it (else None)."""
        if self.kind in ("application/sparql-results+json", "application/json"):
            return self._json(chunk)
        if self.kind in ("text/csv", "text/tab-separated-values", "application/n-triples", "application/n-quads",
                         "text/plain"):
            return self._lines(chunk)
        if self.kind == "application/sparql-results+xml":
            return self._xml(chunk)
        return chunk, None

    def _lines(self, chunk: bytes) -> tuple[bytes, bytes | None]:
        start = 0
        while True:
            index = chunk.find(b"\n", start)
            if index < 0:
                return chunk, None
            start = index + 1
            if self.header:
                self.header = False
                continue
            self.rows += 1
            if self.rows >= self.max_rows:
                return chunk[:start], b""

    def _xml(self, chunk: bytes) -> tuple[bytes, bytes | None]:
        start = 0
        while True:
            index = chunk.find(b"</result>", start)
            if index < 0:
                return chunk, None
            start = index + len(b"</result>")
            self.rows += 1
            if self.rows >= self.max_rows:
                return chunk[:start], b"</results></sparql>"

    def _json(self, chunk: bytes) -> tuple[bytes, bytes | None]:
        # {"head":…,"results":{"bindings":[{…},{…}]}}: a row is an object closed back to depth 2 (inside
        # "results", within the bindings array); ASK answers have no such objects
        for i, byte in enumerate(chunk):
            if self.in_string:
                if self.escaped:
                    self.escaped = False
                elif byte == 0x5C:
                    self.escaped = True
                elif byte == 0x22:
                    self.in_string = False
            elif byte == 0x22:
                self.in_string = True
            elif byte in (0x7B, 0x5B):
                self.depth += 1
            elif byte in (0x7D, 0x5D):
                self.depth -= 1
                if byte == 0x7D and self.depth == 3:
                    self.rows += 1
                    if self.rows >= self.max_rows:
                        return chunk[: i + 1], b"]}}"
        return chunk, None


class ReadOnlyEndpoint:
    """The endpoint: a waitress server on ``host:port`` in front of the Oxigraph processes for the current generation."""

    def __init__(self, store: Path | str, host: str = "127.0.0.1", port: int = 7878, timeout_s: int = DEFAULT_SERVE_TIMEOUT,
                 check_interval: float = 2.0, log: bool = True, *, limits: ServeLimits | None = None,
                 allowed_hosts: Iterable[str] = (), allowed_origins: Iterable[str] = ()) -> None:
        from waitress.server import create_server  # here: only serve needs it

        self.folder = StoreFolder(store)
        self.folder.require_current()
        self.limits = limits or ServeLimits(timeout_s=timeout_s)
        self.timeout_s = self.limits.timeout_s
        self.log = log
        self.allowed_hosts = {_host_name(h) for h in (*LOOPBACK_NAMES, host, *allowed_hosts) if h not in ("0.0.0.0", "::")}  # noqa: S104
        self.allowed_origins = {o.rstrip("/").lower() for o in allowed_origins}
        self.pool = _Pool(self.folder, self.limits, check_interval)
        self._cooling = _Cooling()
        # a thread for every query running or waiting, and more to answer refusals and 503s while those are all taken:
        # a request waitress cannot hand to a thread waits in its queue, unbounded, so there must always be one
        limits = self.limits
        threads = limits.max_queries + limits.express_queries + limits.max_waiting + 8
        try:
            self.server = create_server(
                self.app, host=host, port=port, threads=threads, channel_timeout=self.limits.idle_timeout,
                cleanup_interval=1, connection_limit=self.limits.max_connections, asyncore_use_poll=True,
                max_request_body_size=self.limits.max_body, max_request_header_size=64 * 1024,
                ident="councilkg-serve", expose_tracebacks=False, clear_untrusted_proxy_headers=True,
                backlog=1024, channel_request_lookahead=0)
        except Exception:
            self.pool.close()
            raise
        _limit_request_time(self.server, self.limits.request_timeout)

    @property
    def url(self) -> str:
        host, port = self.server.effective_host, self.server.effective_port
        return f"http://{host}:{port}/query"

    def serve_forever(self) -> None:
        self.server.run()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.server.close()
        with contextlib.suppress(Exception):
            self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        self.pool.close()

    # -- the WSGI application --------------------------------------------------------------------------

    def app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.monotonic()
        status_box: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_box.append(status.split()[0])
            return start_response(status, headers, exc_info)

        try:
            return self._app(environ, recording)
        finally:
            if self.log:
                sys.stderr.write(f"{environ.get('REMOTE_ADDR', '-')} - {environ.get('REQUEST_METHOD')} "
                                 f"{environ.get('PATH_INFO')} {status_box[0] if status_box else '-'} "
                                 f"{time.monotonic() - started:.3f}s\n")

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        refusal = self._check_host_and_origin(environ)
        if refusal:
            return _plain(start_response, HTTPStatus.FORBIDDEN, refusal)
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        cors = self._cors(environ)
        if method == "OPTIONS":  # a CORS preflight: answered for the allowed origins only
            if not cors:
                return _plain(start_response, HTTPStatus.FORBIDDEN, "No origin of this request is allowed here.")
            start_response("204 No Content", cors)
            return []
        if path in ("/update", "/store") or method in ("PUT", "DELETE", "PATCH"):
            return _plain(start_response, HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused. "
                          "Send queries to /query.")
        if path != "/query":
            return _plain(start_response, HTTPStatus.NOT_FOUND, "This is a read-only SPARQL 1.1 endpoint: send queries to /query.")
        if method in ("GET", "HEAD"):
            payload = environ.get("QUERY_STRING", "")
            query = urllib.parse.parse_qs(payload).get("query")
            if not query:
                return _plain(start_response, HTTPStatus.BAD_REQUEST, "Give the query as ?query=... (SPARQL 1.1 Protocol).")
            return self._forward(start_response, environ, query[0], "GET", payload.encode(), None, cors)
        if method != "POST":
            return _plain(start_response, HTTPStatus.METHOD_NOT_ALLOWED, "Send queries by GET or POST.", [("Allow", "GET, POST")])
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))  # waitress has checked and read it
        kind = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        if kind == FORM:
            fields = urllib.parse.parse_qs(body.decode("utf-8", errors="replace"))
            if "update" in fields:
                return _plain(start_response, HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.")
            text = fields.get("query", [""])[0]
        elif kind == SPARQL_QUERY:
            text = body.decode("utf-8", errors="replace")
        elif kind == "application/sparql-update":
            return _plain(start_response, HTTPStatus.FORBIDDEN, "This endpoint is read-only: updates are refused.")
        else:
            return _plain(start_response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"POST a query as {SPARQL_QUERY} or {FORM}.")
        return self._forward(start_response, environ, text, "POST", body, kind, cors)

    def _check_host_and_origin(self, environ: dict[str, Any]) -> str | None:
        host = _host_name(environ.get("HTTP_HOST") or "")
        if host not in self.allowed_hosts:
            return (f"Host {host or '(none)'!r} is not served here (allowed: {', '.join(sorted(self.allowed_hosts))}; "
                    "widen with `councilkg serve --allow-host NAME`).")
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None:
            if not self._origin_allowed(origin):
                return (f"Requests from pages on {origin!r} are refused (allow an origin with "
                        "`councilkg serve --allow-origin URL`).")
        elif (environ.get("HTTP_SEC_FETCH_SITE") or "").lower() == "cross-site":
            return "Requests from pages on other sites are refused."
        return None

    def _origin_allowed(self, origin: str) -> bool:
        origin = origin.strip().rstrip("/").lower()
        if origin in self.allowed_origins or "*" in self.allowed_origins:
            return True
        url = urllib.parse.urlsplit(origin)
        return url.scheme in ("http", "https") and _host_name(url.netloc) in self.allowed_hosts

    def _cors(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or not self._origin_allowed(origin):
            return []
        return [("Access-Control-Allow-Origin", origin.strip()), ("Vary", "Origin"),
                ("Access-Control-Allow-Methods", "GET, POST"), ("Access-Control-Allow-Headers", "Content-Type, Accept")]

    def _forward(self, start_response: StartResponse, environ: dict[str, Any], query: str, method: str, payload: bytes,
                 kind: str | None, cors: list[tuple[str, str]]) -> Iterable[bytes]:
        try:
            info = analyse(query)
        except UnsafeQueryError as exc:
            update = "is an update" in str(exc)
            return _plain(start_response, HTTPStatus.FORBIDDEN if update else HTTPStatus.BAD_REQUEST, str(exc), cors)
        key = _query_key(info)
        wait = self._cooling.left(key)
        if wait > 0:
            return _plain(start_response, HTTPStatus.SERVICE_UNAVAILABLE,
                          f"This query was stopped at a limit a moment ago (it needs more than this endpoint gives a query); "
                          f"it is not run again for {wait:.0f} s. Add a LIMIT, or ask for less.",
                          [("Retry-After", str(max(1, round(wait)))), *cors])
        try:
            child = self.pool.acquire()
        except Busy as exc:
            return _plain(start_response, HTTPStatus.SERVICE_UNAVAILABLE, f"The endpoint is busy ({exc}); try again shortly.",
                          [("Retry-After", "2"), *cors])
        except (StoreError, OSError) as exc:  # e.g. a generation removed while switching
            return _plain(start_response, HTTPStatus.SERVICE_UNAVAILABLE, f"The store is not available right now: {exc}",
                          [("Retry-After", "2"), *cors])
        headers = {"Accept": environ.get("HTTP_ACCEPT") or "application/sparql-results+json"}
        connection = http.client.HTTPConnection("127.0.0.1", child.port, timeout=self.limits.timeout_s + 5)
        try:
            if method == "GET":
                connection.request("GET", f"/query?{payload.decode()}", headers=headers)
            else:
                headers["Content-Type"] = kind or SPARQL_QUERY
                connection.request("POST", "/query", body=payload, headers=headers)
            child.sock = connection.sock
            response = connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            stopped, express, reason, ran = child.killed, child.express, child.reason, time.monotonic() - child.started
            self.pool.release(child)
            if stopped:
                return self._stopped(start_response, express, reason, ran, cors, key)
            return _plain(start_response, HTTPStatus.BAD_GATEWAY, f"The store's server did not answer: {exc}", cors)
        content_type = response.getheader("Content-Type") or ""
        answer = _Answer(self.pool, child, connection, response, self.limits, content_type.split(";")[0].strip().lower())
        if not answer.prefetch():
            express, reason, ran = child.express, child.reason, time.monotonic() - child.started
            answer.close()
            return self._stopped(start_response, express, reason, ran, cors, key)
        out = [(name, value) for name in FORWARDED_HEADERS if (value := response.getheader(name))]
        out += [("X-Councilkg-Row-Limit", str(self.limits.max_rows)), *cors]
        start_response(f"{response.status} {response.reason}", out)
        return answer


    def _stopped(self, start_response: StartResponse, express: bool, reason: str, ran: float,
                 cors: list[tuple[str, str]], key: str) -> list[bytes]:
        """The answer to a query stopped at its time limit (or, in an express slot, at the express limit), or for
        the memory it took; ``X-Councilkg-Ran-For`` says how long it ran, in seconds. A query stopped at the time
        or memory limit is not run again for ``repeat_cooldown`` seconds."""
        cors = [("X-Councilkg-Ran-For", f"{ran:.3f}"), *cors]
        if not express:
            self._cooling.add(key, self.limits.repeat_cooldown)
        if reason == "memory":
            return _plain(start_response, HTTPStatus.SERVICE_UNAVAILABLE,
                          f"The query was stopped: it needed more memory than this endpoint gives its queries "
                          f"({self.limits.max_memory >> 20:,} MiB in all). Add a LIMIT, or sort or group less.", cors)
        if express:
            return _plain(start_response, HTTPStatus.SERVICE_UNAVAILABLE,
                          f"The endpoint is busy: while every slot is taken, a query must finish within "
                          f"{self.limits.express_timeout:g} s. Try again shortly.", [("Retry-After", "2"), *cors])
        return _plain(start_response, HTTPStatus.SERVICE_UNAVAILABLE,
                      f"The query was stopped at the time limit of {self.timeout_s} s.", cors)


def _query_key(info: Any) -> str:
    """What makes two queries the same for the cool-down: their tokens without comments and spacing, the
    variables renamed in order of appearance (``?a`` and ``?x`` in the same places are the same query)."""
    names: dict[str, str] = {}
    parts = []
    for token in info.tokens:
        if token.kind == "var":
            parts.append(names.setdefault(token.text[1:], f"?v{len(names)}"))
        else:
            parts.append(token.text if token.kind in ("string", "iri", "pname") else token.text.upper())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class _Cooling:
    """Queries recently stopped at a limit, by key, and until when they are refused (at most MAX entries)."""

    MAX = 10_000

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, key: str, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self._until.pop(key, None)
            self._until[key] = time.monotonic() + seconds
            while len(self._until) > self.MAX:
                self._until.pop(next(iter(self._until)))

    def left(self, key: str) -> float:
        with self._lock:
            until = self._until.get(key)
            if until is None:
                return 0.0
            left = until - time.monotonic()
            if left <= 0:
                del self._until[key]
            return max(0.0, left)


def _limit_request_time(server: Any, seconds: float) -> None:
    """Close connections whose request (headers and body) takes longer than seconds to arrive.

    Waitress closes a connection idle for ``channel_timeout``, but a client that sends a byte now and then
    is never idle; this checks, at every maintenance pass (each second), how long the request being read
    has taken since its first byte.
    """
    channel_class = server.channel_class

    class TimedChannel(channel_class):  # type: ignore[misc, valid-type]
        request_started: float | None = None

        def received(self, data: bytes) -> bool:
            if self.request is None and data:
                self.request_started = time.monotonic()
            result = super().received(data)
            if self.request is None:
                self.request_started = None
            return result

    server.channel_class = TimedChannel
    maintenance = server.maintenance

    def timed_maintenance(now: float) -> None:
        maintenance(now)
        cutoff = time.monotonic() - seconds
        for channel in list(server.active_channels.values()):
            started = getattr(channel, "request_started", None)
            if started is not None and started < cutoff and not channel.requests:
                channel.will_close = True

    server.maintenance = timed_maintenance


def pids_of_children(endpoint: ReadOnlyEndpoint) -> list[int]:
    """Process ids of the Oxigraph servers behind an endpoint."""
    return endpoint.pool.processes()


__all__ = ["LOOPBACK_NAMES", "ReadOnlyEndpoint", "ServeLimits", "child_command", "free_port", "oxigraph_binary",
           "pids_of_children"]
