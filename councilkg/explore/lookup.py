"""Running the program's own look-up queries (``queries/internal/NAME.rq``) for explore's modules.

A look-up is trusted SPARQL kept as a file; its parameters are bound as RDF terms by the backend
(inline VALUES blocks), never pasted into its text.
"""

from __future__ import annotations

from collections.abc import Mapping

from councilkg.query import catalogue
from councilkg.query.backends import Backend
from councilkg.query.binding import bind_query
from councilkg.query.results import QueryResult, Value


def run_internal(backend: Backend, name: str, bindings: Mapping[str, Value] | None = None) -> QueryResult:
    """Every row of the internal query ``name`` with ``bindings`` (variable name to RDF term)."""
    return backend.execute(bind_query(catalogue.internal(name), bindings, separate=backend.separate_values), limit=None)
