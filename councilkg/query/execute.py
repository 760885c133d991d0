"""Running a bound query on a pyoxigraph store: in this process for a trusted query, and in each worker.

pyoxigraph's ``query`` cannot be interrupted, so only a trusted query (the catalogue's, the program's
own look-ups) runs here in the caller's process; a user's query runs in a worker process
(``councilkg.query.pool``) that calls this same function and is killed at the time limit.
"""

from __future__ import annotations

import pyoxigraph as ox

from councilkg.errors import BackendError, QuerySyntaxError
from councilkg.query.binding import BoundQuery
from councilkg.query.results import QueryResult, from_oxigraph


def execute_on_store(store: ox.Store, query: BoundQuery, limit: int | None) -> QueryResult:
    """Run a bound query on a pyoxigraph store over the union of its graphs, keeping at most ``limit`` rows
    (all of them when limit is None)."""
    try:
        answer = store.query(query.text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from None
    except (OSError, RuntimeError) as exc:
        raise BackendError(f"the store could not answer: {exc}") from None
    try:
        return from_oxigraph(answer, query.form, limit, query.text)
    except (RuntimeError, OSError, ValueError) as exc:
        raise BackendError(f"the query failed while running: {exc}") from None
