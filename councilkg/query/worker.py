"""A query worker process: ``python -m councilkg.query.worker``, driven over its stdin and stdout.

The parent (``councilkg.query.pool.WorkerPool``) sends a StoreSpec, then bound queries; the worker
answers each with a QueryResult or an error, as ``councilkg.query.protocol`` describes. Running as its
own interpreter (not a multiprocessing child) means it works the same from Streamlit, a script or a
REPL, and the parent can kill it at any moment.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pyoxigraph as ox

from councilkg.errors import BackendError, QueryError
from councilkg.query.execute import execute_on_store
from councilkg.query.protocol import StoreSpec, read_message, write_message
from councilkg.query.sandbox import SandboxError, deny_network, supported
from councilkg.store import ReadOnlyStore, StoreFolder

#: how often a worker on a store folder looks for a newer generation (seconds)
CHECK_INTERVAL = 0.5


def open_store(spec: StoreSpec) -> Callable[[], ox.Store]:
    """A function giving the store to query: a store folder's current generation, or an in-memory copy."""
    if spec.kind == "folder":
        handle = ReadOnlyStore(StoreFolder(spec.location), check_interval=CHECK_INTERVAL)
        return handle.store
    memory = ox.Store()
    memory.load(spec.data, format=ox.RdfFormat.N_QUADS)
    return lambda: memory


def main() -> int:  # pragma: no cover - runs in a child process
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the message stream
    try:
        if supported():
            deny_network()  # before the first query: no SERVICE, whatever the text, reaches another host
    except SandboxError as exc:
        write_message(out, ("error", BackendError(f"the query worker could not shut itself off from the network: {exc}")))
        return 1
    try:
        get_store = open_store(read_message(inp))
        get_store()
        write_message(out, ("ready",))
    except Exception as exc:
        write_message(out, ("error", BackendError(f"the query worker could not open the store: {exc}")))
        return 1
    while True:
        try:
            request = read_message(inp)
        except (EOFError, OSError):
            return 0
        if request is None:
            return 0
        query, limit = request
        try:
            write_message(out, ("ok", execute_on_store(get_store(), query, limit)))
        except QueryError as exc:
            write_message(out, ("error", exc))
        except Exception as exc:
            write_message(out, ("error", BackendError(f"the query failed: {exc}")))


if __name__ == "__main__":
    sys.exit(main())
