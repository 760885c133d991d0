"""The query runner: one entry point for canned and user queries, used by the CLI and the app.

    runner = Runner(EmbeddedBackend(store_folder))
    runner.canned("council_judgements", {"council": "Croydon"})
    runner.user("SELECT * WHERE { ?s ?p ?o } LIMIT 10")

Canned queries are the project's own: their parameters are resolved (names to IRIs, dates to
xsd:date) and bound as RDF terms, and they run in-process. User queries are untrusted: they
must be read-only and free of SERVICE (checked before they run), they run where they can be
killed after ``timeout`` seconds, and their results are capped at ``limit`` rows with
``truncated`` set when there were more.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from councilkg.query import catalogue
from councilkg.query.backends import Backend
from councilkg.query.catalogue import CannedQuery
from councilkg.query.params import ParameterError, Resolver, guess_value
from councilkg.query.results import QueryResult, Value
from councilkg.query.safety import analyse

DEFAULT_LIMIT = 10_000
DEFAULT_TIMEOUT = 10.0


class Runner:
    def __init__(self, backend: Backend, *, limit: int | None = DEFAULT_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.backend = backend
        self.limit = limit
        self.timeout = timeout
        self.resolver = Resolver(self._lookup)

    def _lookup(self, text: str, bindings: dict[str, Value]) -> QueryResult:
        form = analyse(text).form
        return self.backend.run_trusted(text, form, bindings, None)

    # -- canned queries ------------------------------------------------------------------------

    def bind(self, query: CannedQuery, params: Mapping[str, object | None]) -> dict[str, Value]:
        """Resolve a canned query's parameters; raises ParameterError naming the parameter."""
        known = {p.name for p in query.params}
        for name in params:
            if name not in known:
                hint = f"; {query.name} takes: {', '.join(sorted(known))}" if known else f"; {query.name} takes no parameters"
                raise ParameterError(name, f"not a parameter of {query.name}{hint}")
        bindings: dict[str, Value] = {}
        for param in query.params:
            raw = params.get(param.name)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raw = param.default
            if raw is None:
                if param.required:
                    example = f" (for example {param.example})" if param.example else ""
                    raise ParameterError(param.name, f"required: {param.description or param.type}{example}")
                continue
            bindings[param.name] = raw if isinstance(raw, Value) else self.resolver.resolve(param.name, param.type, raw)
        return bindings

    def canned(self, name: str, params: Mapping[str, object | None] | None = None, *, limit: int | None = -1) -> QueryResult:
        """Run the canned query ``name`` with parameters given as text (or Values)."""
        query = catalogue.get(name)
        bindings = self.bind(query, params or {})
        form = analyse(query.text).form
        started = time.perf_counter()
        result = self.backend.run_trusted(query.text, form, bindings, self.limit if limit == -1 else limit)
        result.elapsed = time.perf_counter() - started
        return result

    # -- user queries --------------------------------------------------------------------------

    def user(self, text: str, params: Mapping[str, object] | None = None, *, limit: int | None = -1,
             timeout: float | None = None) -> QueryResult:
        """Run untrusted SPARQL. Parameters (optional) are bound by name as RDF terms.

        If the text has a catalogue header (``#+ params: ...``) its parameter types are used;
        otherwise each value is read as an IRI, a date, an integer or a string.
        """
        info = analyse(text)
        bindings: dict[str, Value] = {}
        if params:
            header_query = _header_query(text)
            if header_query is not None:
                bindings = self.bind(header_query, params)
            else:
                bindings = {name: v if isinstance(v, Value) else guess_value(str(v)) for name, v in params.items()}
        cap = self.limit if limit == -1 else limit
        started = time.perf_counter()
        result = self.backend.run_untrusted(info, bindings, cap, self.timeout if timeout is None else timeout)
        result.elapsed = time.perf_counter() - started
        return result


def _header_query(text: str) -> CannedQuery | None:
    """The catalogue description of a user's query, if it carries a '#+' header."""
    if "#+" not in text:
        return None
    try:
        return catalogue.from_text("query", text)
    except catalogue.CatalogueError:
        return None
