"""The query runner: one entry point for canned and user queries, used by the CLI and the app.

    runner = Runner.from_settings(Settings.from_env())
    runner.canned("council_judgements", {"council": "Croydon"})
    runner.user("SELECT * WHERE { ?s ?p ?o } LIMIT 10")

Canned queries are the project's own: their parameters are resolved (names to IRIs, dates to
xsd:date) and bound as RDF terms, and they run in-process. User queries are untrusted: they
must be read-only and free of SERVICE (checked before they run), they run where they can be
killed after ``timeout`` seconds, and their results are capped at ``limit`` rows with
``truncated`` set when there were more.

Each query takes one path: check (``safety.analyse``), bind (``binding.bind_query``), run
(``Backend.execute``: embedded in-process, in a worker process, or on an endpoint), build the result
(``results``).

Row limits, given to ``canned`` and ``user`` as ``limit``:

- ``DEFAULT`` (the default): the runner's own limit, ``Runner.limit`` (``settings.row_limit``);
- a number N (0 or more): at most N rows;
- ``None``: no cap.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping
from typing import Final, Literal

from councilkg.query import catalogue
from councilkg.query.backends import Backend, backend_for
from councilkg.query.binding import bind_query
from councilkg.query.catalogue import CannedQuery
from councilkg.query.params import ParameterError, Resolver, guess_value
from councilkg.query.results import QueryResult, Value
from councilkg.query.safety import QueryInfo, analyse
from councilkg.settings import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, Settings


class _Default(enum.Enum):
    DEFAULT = "the runner's row limit"


#: ``limit=DEFAULT``: the runner's own row limit
DEFAULT: Final = _Default.DEFAULT
#: what ``limit`` may be: a number of rows, None for no cap, or DEFAULT
Limit = int | None | Literal[_Default.DEFAULT]


class Runner:
    """Runs canned and user queries on a backend, under a row limit and (for user queries) a time limit.

    ``limit`` is the row cap a query gets unless it asks for another (None: no cap); ``timeout`` the
    seconds a user's query may run. Both default to the settings' defaults; ``from_settings`` takes
    them from a ``Settings``.
    """

    def __init__(self, backend: Backend, *, limit: int | None = DEFAULT_ROW_LIMIT, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.backend = backend
        self.limit = _checked(limit)
        self.timeout = timeout
        self.resolver = Resolver(self.lookup)

    @classmethod
    def from_settings(cls, settings: Settings, backend: Backend | None = None) -> Runner:
        """A runner with the settings' row limit and time limit, on ``backend`` (default: ``backend_for(settings)``)."""
        return cls(backend or backend_for(settings), limit=settings.row_limit, timeout=settings.timeout)

    def close(self) -> None:
        """Close the backend (its store handle and worker processes)."""
        self.backend.close()

    # -- canned queries ------------------------------------------------------------------------

    def bind(self, query: CannedQuery, params: Mapping[str, object | None]) -> dict[str, Value]:
        """Resolve a canned query's parameters to RDF terms; raises ParameterError naming the parameter."""
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

    def canned(self, name: str, params: Mapping[str, object | None] | None = None, *, limit: Limit = DEFAULT) -> QueryResult:
        """Run the canned query ``name`` with parameters given as text (or Values)."""
        query = catalogue.get(name)
        return self._run(query.text, self.bind(query, params or {}), self._cap(limit), None)

    def lookup(self, text: str, bindings: Mapping[str, Value] | None = None, *, limit: int | None = None) -> QueryResult:
        """Run one of the program's own (trusted) queries with Values bound; no row cap unless given one."""
        return self._run(text, bindings, _checked(limit), None)

    # -- user queries --------------------------------------------------------------------------

    def user(self, text: str, params: Mapping[str, object] | None = None, *, limit: Limit = DEFAULT,
             timeout: float | None = None) -> QueryResult:
        """Run untrusted SPARQL, stopped after ``timeout`` seconds (None: the runner's). Parameters (optional)
        are bound by name as RDF terms.

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
        return self._run(info, bindings, self._cap(limit), self.timeout if timeout is None else timeout)

    # -- the one path --------------------------------------------------------------------------

    def _run(self, query: str | QueryInfo, bindings: Mapping[str, Value] | None, limit: int | None,
             timeout: float | None) -> QueryResult:
        """Bind, run (trusted when timeout is None) and time a query."""
        started = time.perf_counter()
        result = self.backend.execute(bind_query(query, bindings, separate=self.backend.separate_values), limit=limit,
                                      timeout=timeout)
        result.elapsed = time.perf_counter() - started
        return result

    def _cap(self, limit: Limit) -> int | None:
        return self.limit if limit is DEFAULT else _checked(limit)


def _checked(limit: int | None) -> int | None:
    """A row cap as given (None: no cap); ParameterError (a ValueError) for anything but a count of rows."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ParameterError("limit", f"{limit!r} is not a row limit (a number of rows, 0 or more)")
    return limit


def _header_query(text: str) -> CannedQuery | None:
    """The catalogue description of a user's query, if it carries a '#+' header."""
    if "#+" not in text:
        return None
    try:
        return catalogue.from_text("query", text)
    except catalogue.CatalogueError:
        return None
