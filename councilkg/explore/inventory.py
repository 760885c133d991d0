"""What the graph holds: triples per source graph and entities per class (for `stats` and the app)."""

from __future__ import annotations

from dataclasses import dataclass

from councilkg.model import iris
from councilkg.query.backends import Backend
from councilkg.query.results import QueryResult, Value
from councilkg.sources import registry
from councilkg.store import LOADS_GRAPH, ONTOLOGY_GRAPH

_GRAPHS = iris.sparql_prefixes(["dcterms", "ckg", "rdfs"]) + """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph
"""

_SOURCES = iris.sparql_prefixes(["dcterms", "ckg", "rdfs"]) + """
SELECT ?graph (MIN(?t) AS ?title) (MIN(?k) AS ?kind) (MIN(?when) AS ?loadedAt) (MIN(?o) AS ?origin) WHERE {
  GRAPH <LOADS> { ?graph ckg:loadKind ?k . OPTIONAL { ?graph rdfs:label ?t } OPTIONAL { ?graph ckg:loadedAt ?when }
                  OPTIONAL { ?graph ckg:origin ?o } }
} GROUP BY ?graph
""".replace("LOADS", LOADS_GRAPH.value)

_CLASSES = iris.sparql_prefixes(["rdfs"]) + """
SELECT ?class (MIN(?name) AS ?label) (COUNT(DISTINCT ?entity) AS ?entities) WHERE {
  GRAPH ?graph { ?entity a ?class }
  FILTER (?graph != <ONTOLOGY>)
  OPTIONAL { GRAPH <ONTOLOGY> { ?class rdfs:label ?name } }
} GROUP BY ?class ORDER BY DESC(?entities)
""".replace("ONTOLOGY", ONTOLOGY_GRAPH.value)


@dataclass
class GraphRow:
    graph: str
    title: str
    kind: str
    triples: int
    loaded_at: str
    origin: str


@dataclass
class ClassRow:
    iri: str
    label: str
    entities: int


def _run(backend: Backend, sparql: str) -> QueryResult:
    return backend.run_trusted(sparql, "SELECT", {}, None)


#: the order sources are listed in: the facts first, then what the loader proposes, then bookkeeping
SOURCE_KIND_ORDER = registry.graph_kind_order()


def graphs(backend: Backend) -> list[GraphRow]:
    counts = {row["graph"]: int(row["triples"]) for row in _run(backend, _GRAPHS).strings()}
    meta = {row["graph"]: row for row in _run(backend, _SOURCES).strings()}
    rows = []
    for graph, n in counts.items():
        m = meta.get(graph, {})
        title = m.get("title") or ("load log" if graph == LOADS_GRAPH.value else graph)
        kind = m.get("kind") or ("log" if graph == LOADS_GRAPH.value else "")
        rows.append(GraphRow(graph, title, kind, n, m.get("loadedAt", ""), m.get("origin", "")))
    return sorted(rows, key=lambda r: (_kind_rank(r.kind), r.kind, r.title))


def _kind_rank(kind: str) -> float:
    """A kind's place in SOURCE_KIND_ORDER; a kind it does not know goes with the facts, before the candidates."""
    return SOURCE_KIND_ORDER.index(kind) if kind in SOURCE_KIND_ORDER else SOURCE_KIND_ORDER.index("candidates") - 0.5


def classes(backend: Backend) -> list[ClassRow]:
    # a class of a reused vocabulary has no label in the ontology graph: shown by its prefixed name (prov:Activity)
    return [ClassRow(row["class"], row["label"] or iris.shorten(row["class"]), int(row["entities"]))
            for row in _run(backend, _CLASSES).strings()]


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def total_triples(rows: list[GraphRow]) -> int:
    return sum(r.triples for r in rows)


def label_of(backend: Backend, iri: str) -> str:
    """The label of a node (its IRI's last segment if it has none)."""
    sparql = iris.sparql_prefixes(["rdfs"]) + "SELECT ?node (MIN(?l) AS ?label) WHERE { ?node rdfs:label ?l } GROUP BY ?node"
    result = backend.run_trusted(sparql, "SELECT", {"node": Value.iri(iri)}, None)
    rows = result.strings()
    return rows[0]["label"] if rows and rows[0]["label"] else _local(iri)
