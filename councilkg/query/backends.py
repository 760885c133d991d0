"""Where queries run: the embedded Oxigraph store, or any SPARQL 1.1 Protocol endpoint.

Trusted queries (the project's canned queries and its own look-ups) run in-process on the
embedded store. Untrusted queries (a user's SPARQL) run in a worker process that is killed
when the time limit passes, because pyoxigraph's ``query`` cannot be interrupted. Parameters are
bound the same way on every backend: as inline VALUES blocks of RDF terms (see
``safety.inject_values``), never pasted into the text. A remote endpoint gets a client-side time
limit; the server's own time-out (``oxigraph serve --timeout-s``) is what stops its work.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from councilkg.errors import BackendError, QueryError, QuerySyntaxError, QueryTimeoutError
from councilkg.paths import ROOT
from councilkg.query.results import QueryResult, Value
from councilkg.query.safety import QueryInfo, analyse, inject_values
from councilkg.settings import Settings
from councilkg.store import ReadOnlyStore, StoreFolder

# --------------------------------------------------------------------------------------------
# Executing on a pyoxigraph store (in-process or in a worker)
# --------------------------------------------------------------------------------------------


def execute_on_store(store: ox.Store, text: str, form: str, bindings: dict[str, Value] | None = None,
                     limit: int | None = None) -> QueryResult:
    """Run a query on a pyoxigraph store over the union of its graphs, keeping at most limit rows."""
    started = time.perf_counter()
    if bindings:
        # Parameters are bound by an inline VALUES block of RDF terms (serialised by pyoxigraph), the
        # SPARQL protocol's way: the same on every backend, and Oxigraph's optimiser plans joins
        # from a VALUES block better than from `substitutions` (see docs/performance.md).
        text = inject_values(analyse(text), {name: value.n3() for name, value in bindings.items()})
    try:
        results = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from None
    except (OSError, RuntimeError) as exc:
        raise BackendError(f"the store could not answer: {exc}") from None
    try:
        if isinstance(results, ox.QueryBoolean):
            return QueryResult("ASK", [], boolean=bool(results), elapsed=time.perf_counter() - started, query=text)
        if isinstance(results, ox.QuerySolutions):
            columns = [v.value for v in results.variables]
            rows: list[tuple[Value | None, ...]] = []
            truncated = False
            for solution in results:
                if limit is not None and len(rows) >= limit:
                    truncated = True
                    break
                rows.append(tuple(None if (t := solution[i]) is None else Value.from_term(t) for i in range(len(columns))))
            return QueryResult(form, columns, rows, truncated=truncated, limit=limit,
                               elapsed=time.perf_counter() - started, query=text)
        rows = []
        truncated = False
        for triple in results:
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append((Value.from_term(triple.subject), Value.from_term(triple.predicate), Value.from_term(triple.object)))
        return QueryResult(form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT", ["subject", "predicate", "object"],
                           rows, truncated=truncated, limit=limit, elapsed=time.perf_counter() - started, query=text)
    except (RuntimeError, OSError, ValueError) as exc:
        raise BackendError(f"the query failed while running: {exc}") from None


# --------------------------------------------------------------------------------------------
# Worker processes for untrusted queries
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreSpec:
    """How a worker process opens the store: a store folder, a plain store directory, or N-Quads data."""

    kind: str  # folder | data
    location: str = ""
    data: bytes = b""


class _Worker:
    """One `python -m councilkg.query.worker` process and its pipes."""

    def __init__(self, spec: StoreSpec) -> None:
        from councilkg.query import worker

        self._proto = worker
        env = dict(os.environ)
        root = str(ROOT)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "councilkg.query.worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
            start_new_session=True,
        )
        self.ready = False
        try:
            self.send(spec)
        except OSError:
            pass  # reported by wait_ready

    def send(self, message: Any) -> None:
        assert self.process.stdin is not None
        self._proto.write_message(self.process.stdin, message)

    def poll(self, timeout: float) -> bool:
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], max(0.0, timeout))
        return bool(readable)

    def recv(self) -> Any:
        assert self.process.stdout is not None
        return self._proto.read_message(self.process.stdout)

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            if not self.poll(timeout):
                raise BackendError("the query worker did not start in time")
            message = self.recv()
        except (EOFError, OSError):
            self.kill()
            raise BackendError("the query worker stopped while starting") from None
        except BackendError:
            self.kill()
            raise
        if message[0] != "ready":
            self.kill()
            raise BackendError(message[2])
        self.ready = True

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
            self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.close()

    def alive(self) -> bool:
        return self.process.poll() is None


class WorkerPool:
    """Worker processes that run untrusted queries and are killed when a query overruns.

    Up to ``max_workers`` queries run at once; a runaway query occupies one worker until its
    time limit kills it, so other sessions keep being served.
    """

    def __init__(self, spec: StoreSpec, max_workers: int = 4, start_timeout: float = 30.0) -> None:
        self.spec = spec
        self.max_workers = max(1, max_workers)
        self.start_timeout = start_timeout
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._count = 0
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(self.max_workers)
        self._closed = False

    def warm(self) -> None:
        """Start one worker in the background so the first query does not wait for it."""
        with self._lock:
            if self._count:
                return
            self._count += 1
        worker = _Worker(self.spec)
        self._idle.put(worker)

    def run(self, text: str, form: str, bindings: dict[str, Value], limit: int | None, timeout: float) -> QueryResult:
        if not self._slots.acquire(timeout=max(0.0, timeout)):
            raise QueryTimeoutError(f"the server is busy: no query worker became free within {timeout:g} s")
        try:
            worker = self._checkout()
            try:
                worker.wait_ready(self.start_timeout)
            except QueryError:
                self._discard(worker)
                raise
            try:
                worker.send((text, form, bindings, limit))
                if not worker.poll(timeout):
                    self._discard(worker)
                    raise QueryTimeoutError(
                        f"the query was stopped after {timeout:g} s (the time limit); simplify it or add a LIMIT"
                    )
                reply = worker.recv()
            except (EOFError, OSError, BrokenPipeError):
                self._discard(worker)
                raise BackendError("the query worker stopped unexpectedly (out of memory?); try a smaller query") from None
            self._idle.put(worker)
        finally:
            self._slots.release()
        if reply[0] == "ok":
            return reply[1]
        error_class = {"QuerySyntaxError": QuerySyntaxError, "QueryTimeoutError": QueryTimeoutError}.get(reply[1], BackendError)
        raise error_class(reply[2])

    def _checkout(self) -> _Worker:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker.alive():
                return worker
            self._discard(worker)
        with self._lock:
            self._count += 1
        return _Worker(self.spec)

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._count -= 1

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                worker.send(None)
            worker.kill()


# --------------------------------------------------------------------------------------------
# Backends
# --------------------------------------------------------------------------------------------


class Backend:
    """The interface the runner uses."""

    description = "backend"

    def run_trusted(self, text: str, form: str, bindings: dict[str, Value], limit: int | None) -> QueryResult:
        raise NotImplementedError

    def run_untrusted(self, info: QueryInfo, bindings: dict[str, Value], limit: int | None, timeout: float) -> QueryResult:
        raise NotImplementedError

    def close(self) -> None:
        pass


class EmbeddedBackend(Backend):
    """An embedded pyoxigraph store: a store folder opened read-only, or a Store object (tests, tools)."""

    def __init__(self, store: ReadOnlyStore | ox.Store | StoreFolder | Path | str, max_workers: int | None = None) -> None:
        if isinstance(store, (str, Path, StoreFolder)):
            store = ReadOnlyStore(store)
        self._handle = store
        self._pool: WorkerPool | None = None
        self._pool_lock = threading.Lock()
        self.max_workers = max_workers or max(2, min(8, (os.cpu_count() or 2) * 2))
        if isinstance(store, ReadOnlyStore):
            self.description = f"embedded store {store.folder.root}"
        else:
            self.description = "in-memory store"

    @property
    def folder(self) -> StoreFolder | None:
        return self._handle.folder if isinstance(self._handle, ReadOnlyStore) else None

    def store(self) -> ox.Store:
        return self._handle.store() if isinstance(self._handle, ReadOnlyStore) else self._handle

    def run_trusted(self, text: str, form: str, bindings: dict[str, Value], limit: int | None) -> QueryResult:
        return execute_on_store(self.store(), text, form, bindings, limit)

    def pool(self) -> WorkerPool:
        with self._pool_lock:
            if self._pool is None:
                if isinstance(self._handle, ReadOnlyStore):
                    self._handle.store()  # fail here, clearly, if the store is missing
                    spec = StoreSpec("folder", str(self._handle.folder.root))
                else:
                    spec = StoreSpec("data", data=self._handle.dump(format=ox.RdfFormat.N_QUADS))
                self._pool = WorkerPool(spec, max_workers=self.max_workers)
            return self._pool

    def run_untrusted(self, info: QueryInfo, bindings: dict[str, Value], limit: int | None, timeout: float) -> QueryResult:
        return self.pool().run(info.text, info.form, bindings, limit, timeout)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if isinstance(self._handle, ReadOnlyStore):
            self._handle.close()


class RemoteBackend(Backend):
    """Any SPARQL 1.1 Protocol endpoint (oxigraph serve, QLever, Fuseki, GraphDB, Neptune).

    Canned queries read the union of the named graphs as their default graph, so configure the
    endpoint that way (``oxigraph serve --union-default-graph``; Fuseki ``unionDefaultGraph``).
    """

    MAX_RESPONSE_BYTES = 200_000_000

    def __init__(self, endpoint: str, timeout: float = 30.0, session: Any = None) -> None:
        import requests

        self.endpoint = endpoint
        self.timeout = timeout
        self.session = session or requests.Session()
        self.description = f"SPARQL endpoint {endpoint}"

    def _post(self, text: str, form: str, timeout: float) -> Any:
        import requests

        accept = "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"
        try:
            response = self.session.post(
                self.endpoint, data=text.encode("utf-8"), timeout=timeout, stream=True,
                headers={"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept},
            )
        except requests.Timeout:
            raise QueryTimeoutError(f"the endpoint did not answer within {timeout:g} s (the time limit)") from None
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
        if response.status_code >= 400:
            message = bytes(body[:2000]).decode("utf-8", "replace").strip()
            if response.status_code == 400:
                raise QuerySyntaxError(f"the endpoint rejected the query: {message}")
            if response.status_code in (408, 503, 504) or "timeout" in message.lower():
                raise QueryTimeoutError(f"the endpoint stopped the query: {message}")
            raise BackendError(f"the endpoint answered HTTP {response.status_code}: {message}")
        return bytes(body)

    def _run(self, text: str, form: str, limit: int | None, timeout: float) -> QueryResult:
        import json

        started = time.perf_counter()
        body = self._post(text, form, timeout)
        if form in ("CONSTRUCT", "DESCRIBE"):
            rows = []
            truncated = False
            for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
                if limit is not None and len(rows) >= limit:
                    truncated = True
                    break
                rows.append((Value.from_term(triple.subject), Value.from_term(triple.predicate), Value.from_term(triple.object)))
            return QueryResult(form, ["subject", "predicate", "object"], rows, truncated=truncated, limit=limit,
                               elapsed=time.perf_counter() - started, query=text)
        try:
            doc = json.loads(body)
        except ValueError:
            raise BackendError("the endpoint did not answer with SPARQL JSON results") from None
        if "boolean" in doc:
            return QueryResult("ASK", [], boolean=bool(doc["boolean"]), elapsed=time.perf_counter() - started, query=text)
        columns = list(doc.get("head", {}).get("vars", []))
        bindings = doc.get("results", {}).get("bindings", [])
        truncated = limit is not None and len(bindings) > limit
        if truncated:
            bindings = bindings[:limit]
        rows = [tuple(Value.from_json_binding(b[c]) if c in b else None for c in columns) for b in bindings]
        return QueryResult(form, columns, rows, truncated=truncated, limit=limit, elapsed=time.perf_counter() - started,
                           query=text)

    def run_trusted(self, text: str, form: str, bindings: dict[str, Value], limit: int | None) -> QueryResult:
        info = analyse(text)
        query = inject_values(info, {name: value.n3() for name, value in bindings.items()})
        return self._run(query, form, limit, self.timeout)

    def run_untrusted(self, info: QueryInfo, bindings: dict[str, Value], limit: int | None, timeout: float) -> QueryResult:
        query = inject_values(info, {name: value.n3() for name, value in bindings.items()})
        return self._run(query, info.form, limit, timeout)


def backend_for(settings: Settings, factory: Callable[[str], Backend] | None = None) -> Backend:
    """The backend the CLI and app use: the settings' endpoint if they name one, else the embedded store."""
    if settings.endpoint:
        return (factory or RemoteBackend)(settings.endpoint)
    return EmbeddedBackend(ReadOnlyStore(StoreFolder(settings.store)), max_workers=settings.workers)
