"""Binding parameters: the one place a query's ``{name: Value}`` become the text the engine runs.

A parameter is bound as an inline VALUES block of RDF terms, each serialised by pyoxigraph
(``Value.n3``), never pasted into the text as user input (see ``safety.inject_values`` for where
the blocks go). That is the SPARQL protocol's own way, so the same text runs on the embedded store,
in a worker process and on any endpoint; and Oxigraph's optimiser plans joins from a VALUES block
better than from ``substitutions`` (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from councilkg.query.results import Value
from councilkg.query.safety import QueryInfo, analyse, inject_values


@dataclass(frozen=True)
class BoundQuery:
    """A checked query with its parameters bound: what a backend runs."""

    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    text: str  # the SPARQL the engine is given


def bind_query(query: str | QueryInfo, values: Mapping[str, Value] | None = None, *, separate: bool = False) -> BoundQuery:
    """The query (text, or the ``safety.analyse`` of a user's text) with ``values`` bound by variable name.

    Text is checked with ``safety.analyse`` first (raising UnsafeQueryError), so a bound query is
    always a read-only query without SERVICE. ``separate``: one VALUES block per variable, as the
    backend asks (``Backend.separate_values``: endpoints do, the embedded store does not).
    """
    info = analyse(query) if isinstance(query, str) else query
    if not values:
        return BoundQuery(info.form, info.text)
    return BoundQuery(info.form, inject_values(info, {name: value.n3() for name, value in values.items()}, separate=separate))
