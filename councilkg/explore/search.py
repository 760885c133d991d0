"""Full-text search of every passage in the store, as the app's Home page and ``councilkg search`` offer it.

The words go to the store's text index (``councilkg.store.textindex``: SQLite FTS5, built with each store
generation); the filters are given as a user gives them and resolved here: a council by name, GSS code or IRI
as every ``--council`` parameter is (``Runner.resolver``), a framework by its name or label (``sif``, "SIF",
"ILACS"), a source kind by the name the loads graph records (``documents``, ``reports``, ``curated``, ...), and a
year ("2019") or years ("2018-2020").

Against a SPARQL endpoint (``--endpoint``) there is no text index: the passages are in the graph
(``ckg:passageText``) for SPARQL's ``CONTAINS`` and ``REGEX``, or for the engine's own text index; ``index_for``
says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from councilkg.errors import ParameterError, StoreError
from councilkg.model import concepts
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.store import TextIndex, TextQuery, index_path
from councilkg.store.textindex import Link, Snippet, TextHit, TextResult

__all__ = ["Filters", "Link", "Snippet", "TextHit", "TextResult", "facets", "index_for", "parse_years", "query_for", "search"]

NO_ENDPOINT_INDEX = (
    "Full-text search reads the text index built with a local store (`councilkg load`), and {where} has none. "
    "The passages are in the graph: in SPARQL, find words with FILTER(CONTAINS(LCASE(?text), \"private fostering\")) "
    "on ?passage ckg:passageText ?text, or with your engine's own text index; or search a local store (--store).")
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:(?:-|–|to|\.\.)\s*(\d{4})\s*)?$")


@dataclass(frozen=True)
class Filters:
    """A search's filters as a user gives them; empty ones do not filter."""

    council: str = ""
    kinds: tuple[str, ...] = ()
    framework: str = ""
    years: str = ""


def index_for(runner: Runner) -> TextIndex:
    """The text index of the store generation the runner's backend has open. Raises StoreError (a remote endpoint or
    an in-memory store have none) or StoreMissingError (a store built before passages were indexed)."""
    backend = runner.backend
    if not isinstance(backend, EmbeddedBackend) or backend.folder is None:
        raise StoreError(NO_ENDPOINT_INDEX.format(where=f"the {backend.description}"))
    backend.store()  # opens the current generation (holding its lease) if it is not open yet
    generation = backend.generation
    assert generation is not None
    return TextIndex(index_path(generation))


def parse_years(text: str) -> tuple[int, int] | None:
    """"2019" -> (2019, 2019); "2018-2020" (or "2018 to 2020") -> (2018, 2020); "" -> None. Raises ParameterError."""
    if not text.strip():
        return None
    match = _YEARS.match(text)
    if not match:
        raise ParameterError("year", f"{text!r} is not a year or years; give 2019, or 2018-2020")
    first, last = int(match.group(1)), int(match.group(2) or match.group(1))
    return (first, last) if first <= last else (last, first)


def _framework(text: str) -> str:
    concept = concepts.match("framework", text)
    if concept is None:
        raise ParameterError("framework", f"unknown framework {text!r}; the frameworks are:",
                             [(f"{c.name}: {c.pref_label}", c.iri) for c in concepts.index()["framework"].values()])
    return concept.name


def query_for(runner: Runner, text: str, filters: Filters = Filters(), limit: int = 20, offset: int = 0) -> TextQuery:
    """The index's query for the words and filters, the filters resolved (raises ParameterError naming any that is
    unknown or ambiguous)."""
    council = runner.resolver.resolve("council", "council", filters.council).value if filters.council.strip() else None
    return TextQuery(text, authorities=(council,) if council else (), kinds=tuple(k for k in filters.kinds if k),
                     frameworks=(_framework(filters.framework),) if filters.framework.strip() else (),
                     years=parse_years(filters.years), limit=limit, offset=offset)


def search(runner: Runner, text: str, filters: Filters = Filters(), limit: int = 20, offset: int = 0) -> TextResult:
    """The passages whose words match ``text`` (the index's syntax: ``textindex.parse_query``), best first, with
    the filters applied. Raises ParameterError for a search or filter it cannot use, StoreError where there is no
    index."""
    query = query_for(runner, text, filters, limit, offset)
    return index_for(runner).search(query)


def facets(runner: Runner) -> dict[str, list[str]]:
    """The source kinds, frameworks and years the index's passages have (for pickers)."""
    return index_for(runner).facets()
