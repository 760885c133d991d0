"""Where queries run: the embedded Oxigraph store, or any SPARQL 1.1 Protocol endpoint.

A backend runs a ``BoundQuery`` (checked, its parameters bound: ``councilkg.query.binding``) and
builds the result with ``councilkg.query.results``. ``execute(query, limit=..., timeout=...)`` is the
whole interface:

- ``timeout=None``: a trusted query (the catalogue's, the program's own look-ups). The embedded
  store runs it in this process; an endpoint is given the backend's own client-side time limit.
- ``timeout=SECONDS``: an untrusted query (a user's SPARQL), stopped after that many seconds. The
  embedded store runs it in a worker process that is killed at the limit, because pyoxigraph's
  ``query`` cannot be interrupted (``councilkg.query.pool``). On an endpoint the server's own time-out
  (``oxigraph serve --timeout-s``) is what stops the work; the client stops waiting at the limit.

``limit`` is the row cap: at most that many rows are kept (None: all), and the result says
``truncated`` when there were more.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from councilkg.errors import BackendError, QuerySyntaxError, QueryTimeoutError
from councilkg.query.binding import BoundQuery
from councilkg.query.execute import execute_on_store
from councilkg.query.pool import StoreSpec, WorkerPool
from councilkg.query.results import GRAPH_FORMS, QueryResult, from_ntriples, from_sparql_json
from councilkg.settings import Settings, default_workers
from councilkg.store import ReadOnlyStore, StoreFolder

__all__ = ["Backend", "EmbeddedBackend", "RemoteBackend", "backend_for"]


class Backend(ABC):
    """The interface the runner uses: ``execute`` a bound query, ``close`` when done."""

    description = "backend"
    #: whether parameters are bound one VALUES block per variable (``binding.bind_query``): what every endpoint
    #: is sent, as Virtuoso loses rows under a block of several; the embedded store answers one block faster
    separate_values = False

    @abstractmethod
    def execute(self, query: BoundQuery, *, limit: int | None, timeout: float | None = None) -> QueryResult:
        """Run a bound query keeping at most ``limit`` rows; a trusted one if ``timeout`` is None, else an
        untrusted one stopped after ``timeout`` seconds (see the module's docstring)."""

    @abstractmethod
    def close(self) -> None:
        """Release the store handle, worker processes or connections."""


class EmbeddedBackend(Backend):
    """An embedded pyoxigraph store: a store folder opened read-only, or a Store object (tests, tools).

    Untrusted queries run in up to ``max_workers`` worker processes (default: ``settings.default_workers``).
    """

    def __init__(self, store: ReadOnlyStore | ox.Store | StoreFolder | Path | str, max_workers: int | None = None) -> None:
        if isinstance(store, (str, Path, StoreFolder)):
            store = ReadOnlyStore(store)
        self._handle = store
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        self.max_workers = max_workers or default_workers()
        if isinstance(store, ReadOnlyStore):
            self.description = f"embedded store {store.folder.root}"
        else:
            self.description = "in-memory store"

    @property
    def folder(self) -> StoreFolder | None:
        """The store folder, if the store is one (not an in-memory Store)."""
        return self._handle.folder if isinstance(self._handle, ReadOnlyStore) else None

    @property
    def generation(self) -> Path | None:
        """The store folder's generation this process has open for trusted queries (None before the first
        query, or for an in-memory Store)."""
        return self._handle.path if isinstance(self._handle, ReadOnlyStore) else None

    def store(self) -> ox.Store:
        """The pyoxigraph Store trusted queries run on (a store folder's current generation)."""
        return self._handle.store() if isinstance(self._handle, ReadOnlyStore) else self._handle

    def pool(self) -> WorkerPool:
        """The worker processes for untrusted queries, started on first use."""
        with self._pool_lock:
            if self._pool is None:
                if isinstance(self._handle, ReadOnlyStore):
                    self._handle.store()  # fail here, clearly, if the store is missing
                    spec = StoreSpec("folder", str(self._handle.folder.root))
                else:
                    spec = StoreSpec("data", data=self._handle.dump(format=ox.RdfFormat.N_QUADS))
                self._pool = WorkerPool(spec, max_workers=self.max_workers)
            return self._pool

    def execute(self, query: BoundQuery, *, limit: int | None, timeout: float | None = None) -> QueryResult:
        if timeout is None:
            return execute_on_store(self.store(), query, limit)
        return self.pool().run(query, limit, timeout)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if isinstance(self._handle, ReadOnlyStore):
            self._handle.close()


class RemoteBackend(Backend):
    """Any SPARQL 1.1 Protocol endpoint (oxigraph serve, Virtuoso, QLever, Fuseki, GraphDB, Neptune).

    Canned queries read the union of the named graphs as their default graph, so configure the
    endpoint that way (``oxigraph serve --union-default-graph``; Fuseki ``unionDefaultGraph``;
    Virtuoso does it by default). ``timeout`` is the client's time limit for trusted queries; a user's
    query brings its own.

    ``method`` is how a query is sent (SPARQL 1.1 Protocol, section 2.1):

    - ``"auto"`` (the default): GET when the whole URL is at most ``MAX_GET_URL_BYTES`` (2,000 bytes,
      the length every server and proxy accepts), else a form-encoded POST. Every engine answers both;
    - ``"get"``, ``"post-form"``: always that one;
    - ``"post-direct"``: the query as the POST body (``application/sparql-query``), which Virtuoso 7.2
      never answers (docs/virtuoso.md).

    The time limit is also sent as ``timeout`` in milliseconds, Virtuoso's own parameter (other engines
    ignore it): Virtuoso then stops the query itself, and says so (HTTP 206 or ``X-SQL-State: S1TAT``
    with the rows it had), which is reported as a time-out, never as a result.
    """

    separate_values = True  # Virtuoso loses rows under a VALUES block of several variables
    MAX_RESPONSE_BYTES = 200_000_000
    TRUSTED_TIMEOUT = 30.0
    MAX_GET_URL_BYTES = 2000
    METHODS = ("auto", "get", "post-form", "post-direct")

    def __init__(self, endpoint: str, timeout: float = TRUSTED_TIMEOUT, session: Any = None, method: str = "auto") -> None:
        import requests  # here, not at the top: ~0.1 s of start-up that the embedded store never needs

        if method not in self.METHODS:
            raise BackendError(f"unknown request method {method!r}: one of {', '.join(self.METHODS)}")
        self.endpoint = endpoint
        self.timeout = timeout
        self.method = method
        self.session = session or requests.Session()
        self.description = f"SPARQL endpoint {endpoint}"

    def execute(self, query: BoundQuery, *, limit: int | None, timeout: float | None = None) -> QueryResult:
        body = self._send(query.text, query.form, self.timeout if timeout is None else timeout)
        build = from_ntriples if query.form in GRAPH_FORMS else from_sparql_json
        return build(body, query.form, limit, query.text)

    def close(self) -> None:
        self.session.close()

    def request_for(self, text: str, timeout: float) -> tuple[str, dict[str, Any]]:
        """The HTTP method and the ``requests`` arguments (params, data, headers) that send this query."""
        engine_timeout = str(max(1, round(timeout * 1000)))
        if self.method == "post-direct":
            return "POST", {"params": {"timeout": engine_timeout}, "data": text.encode("utf-8"),
                            "headers": {"Content-Type": "application/sparql-query; charset=utf-8"}}
        fields = {"query": text, "timeout": engine_timeout}
        separator = "&" if "?" in self.endpoint else "?"
        if self.method == "get" or (self.method == "auto" and
                                    len(self.endpoint) + 1 + len(urlencode(fields)) <= self.MAX_GET_URL_BYTES):
            return "GET", {"url": f"{self.endpoint}{separator}{urlencode(fields)}", "headers": {}}
        return "POST", {"data": fields, "headers": {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}}

    def _send(self, text: str, form: str, timeout: float) -> bytes:
        """The endpoint's answer to the query, read within timeout seconds and MAX_RESPONSE_BYTES."""
        import requests  # lazily, as in __init__

        accept = "application/n-triples" if form in GRAPH_FORMS else "application/sparql-results+json"
        method, arguments = self.request_for(text, timeout)
        arguments["headers"]["Accept"] = accept
        url = arguments.pop("url", self.endpoint)
        try:
            response = self.session.request(method, url, timeout=timeout, stream=True, **arguments)
        except requests.Timeout:
            raise QueryTimeoutError(
                f"the endpoint did not answer within {timeout:g} s (the time limit); it may still be running the "
                "query, as some engines do not stop a query at their own limit") from None
        except requests.RequestException as exc:
            raise BackendError(f"cannot reach the SPARQL endpoint {self.endpoint}: {exc}") from None
        body = bytearray()
        started = time.monotonic()
        try:
            for chunk in response.iter_content(65536):
                body.extend(chunk)
                if len(body) > self.MAX_RESPONSE_BYTES:
                    response.close()
                    raise BackendError("the endpoint's answer is too large; add a LIMIT")
                if time.monotonic() - started > timeout:
                    response.close()
                    raise QueryTimeoutError(f"the endpoint's answer took longer than {timeout:g} s (the time limit)")
        except (requests.RequestException, OSError) as exc:
            raise BackendError(f"the SPARQL endpoint's answer was interrupted: {exc}") from None
        if response.status_code == 206 or response.headers.get("X-SQL-State") == "S1TAT":
            raise QueryTimeoutError(f"the endpoint stopped the query at the time limit of {timeout:g} s "
                                    "and answered with incomplete results")
        if response.status_code >= 400:
            message = bytes(body[:2000]).decode("utf-8", "replace").strip()
            if response.status_code == 400:
                raise QuerySyntaxError(f"the endpoint rejected the query: {message}")
            if response.status_code in (408, 503, 504) or "timeout" in message.lower():
                raise QueryTimeoutError(f"the endpoint stopped the query: {message}")
            raise BackendError(f"the endpoint answered HTTP {response.status_code}: {message}")
        return bytes(body)


def backend_for(settings: Settings, factory: Callable[[str], Backend] | None = None) -> Backend:
    """The backend the CLI and app use: the settings' endpoint if they name one, else the embedded store
    with ``settings.workers`` worker processes."""
    if settings.endpoint:
        return (factory or RemoteBackend)(settings.endpoint)
    return EmbeddedBackend(ReadOnlyStore(StoreFolder(settings.store)), max_workers=settings.workers)
