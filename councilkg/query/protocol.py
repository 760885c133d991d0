"""What a worker process and its parent say to each other over the worker's stdin and stdout.

The parent (``councilkg.query.pool``) starts ``python -m councilkg.query.worker`` and sends, in order:

1. a ``StoreSpec`` saying how to open the store; the worker answers ``("ready",)`` or ``("error", exc)``;
2. any number of ``(BoundQuery, limit)`` requests; the worker answers each ``("ok", QueryResult)`` or
   ``("error", exc)``, where exc is a ``QueryError`` to raise in the parent;
3. ``None``, or closes the pipe, to stop the worker.

Messages are pickled and framed with an 8-byte length. They only ever come from our own process at
the other end of the pipe.
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

_HEADER = struct.Struct(">Q")


@dataclass(frozen=True)
class StoreSpec:
    """How a worker opens the store: a store folder (``kind="folder"``, its path in location), or the
    N-Quads of an in-memory store (``kind="data"``)."""

    kind: str  # folder | data
    location: str = ""
    data: bytes = b""


def write_message(stream: BinaryIO, message: Any) -> None:
    """Send one message (any picklable object) and flush it."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_message(stream: BinaryIO) -> Any:
    """Receive one message; EOFError if the other end closed the pipe."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other end closed the pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other end closed the pipe")
    return pickle.loads(data)  # noqa: S301 - messages come only from our own process at the other end
