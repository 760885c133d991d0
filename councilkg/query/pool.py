"""Worker processes for untrusted queries, seen from the parent: a pool of them, and one worker's pipes.

A user's query runs in a ``python -m councilkg.query.worker`` process, which is killed when the time
limit passes, because pyoxigraph's ``query`` cannot be interrupted. The two ends speak
``councilkg.query.protocol``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import subprocess
import sys
import threading
from typing import Any

from councilkg.errors import BackendError, QueryError, QueryTimeoutError
from councilkg.paths import ROOT
from councilkg.query.binding import BoundQuery
from councilkg.query.protocol import StoreSpec, read_message, write_message
from councilkg.query.results import QueryResult

#: seconds a new worker may take to start and open the store
START_TIMEOUT = 30.0


class _Worker:
    """One ``python -m councilkg.query.worker`` process and its pipes."""

    def __init__(self, spec: StoreSpec) -> None:
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
        write_message(self.process.stdin, message)

    def poll(self, timeout: float) -> bool:
        assert self.process.stdout is not None
        readable, _, _ = select.select([self.process.stdout], [], [], max(0.0, timeout))
        return bool(readable)

    def recv(self) -> Any:
        assert self.process.stdout is not None
        return read_message(self.process.stdout)

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
            raise message[1]
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
    time limit kills it, so other sessions keep being served. A query waits at most its time
    limit for a free worker, and a new worker at most ``start_timeout`` to start.
    """

    def __init__(self, spec: StoreSpec, max_workers: int, start_timeout: float = START_TIMEOUT) -> None:
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
        self._idle.put(_Worker(self.spec))

    def run(self, query: BoundQuery, limit: int | None, timeout: float) -> QueryResult:
        """Run a bound query in a worker, keeping at most ``limit`` rows; stop it after ``timeout`` seconds."""
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
                worker.send((query, limit))
                if not worker.poll(timeout):
                    self._discard(worker)
                    raise QueryTimeoutError(
                        f"the query was stopped after {timeout:g} s (the time limit); simplify it or add a LIMIT"
                    )
                reply = worker.recv()
            except (EOFError, OSError):
                self._discard(worker)
                raise BackendError("the query worker stopped unexpectedly (out of memory?); try a smaller query") from None
            if self._closed:
                self._discard(worker)
            else:
                self._idle.put(worker)
        finally:
            self._slots.release()
        if reply[0] == "ok":
            return reply[1]
        raise reply[1]

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
        """Stop every idle worker; a worker running a query stops when its query ends or times out."""
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(Exception):
                worker.send(None)
            worker.kill()
