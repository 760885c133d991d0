"""A query worker process: ``python -m councilkg.query.worker``, driven over its stdin and stdout.

The parent (councilkg.query.backends.WorkerPool) sends a StoreSpec, then query requests; the worker
answers each with a QueryResult or an error. Messages are pickled and framed with an 8-byte
length. Running as its own interpreter (not a multiprocessing child) means it works the same from
Streamlit, a script or a REPL, and the parent can kill it at any moment.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import Any, BinaryIO

_HEADER = struct.Struct(">Q")


def write_message(stream: BinaryIO, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: BinaryIO) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other end closed the pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed the pipe")
    return pickle.loads(data)  # noqa: S301 - messages come only from our own parent process


def main() -> int:  # pragma: no cover - runs in a child process
    import pyoxigraph as ox

    from councilkg.query.backends import QueryError, execute_on_store
    from councilkg.store import ReadOnlyStore, StoreFolder

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the message stream
    try:
        spec = read_message(inp)
        if spec.kind == "folder":
            handle = ReadOnlyStore(StoreFolder(spec.location), check_interval=0.5)

            def get_store() -> ox.Store:
                return handle.store()
        else:
            memory = ox.Store()
            memory.load(spec.data, format=ox.RdfFormat.N_QUADS)

            def get_store() -> ox.Store:
                return memory
        get_store()
        write_message(out, ("ready",))
    except Exception as exc:
        write_message(out, ("error", "BackendError", f"the query worker could not open the store: {exc}"))
        return 1
    while True:
        try:
            request = read_message(inp)
        except (EOFError, OSError):
            return 0
        if request is None:
            return 0
        text, form, bindings, limit = request
        try:
            write_message(out, ("ok", execute_on_store(get_store(), text, form, bindings, limit)))
        except QueryError as exc:
            write_message(out, ("error", type(exc).__name__, str(exc)))
        except Exception as exc:
            write_message(out, ("error", "BackendError", f"the query failed: {exc}"))


if __name__ == "__main__":
    sys.exit(main())
