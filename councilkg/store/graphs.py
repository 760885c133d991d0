"""The store's graphs: a source's graph (``GraphPayload``), the graphs councilkg writes itself, and the
loads graph that records what each source graph holds, where it came from and when it was loaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox

from councilkg.model import iris
from councilkg.paths import INTERNAL_QUERIES_DIR

LOADS_GRAPH = ox.NamedNode(iris.ID + "graph/loads")
ONTOLOGY_GRAPH = ox.NamedNode(iris.ONTOLOGY_IRI)
ONTOLOGY_SOURCE_KIND = "ontology"
RDF_FILE_KIND = "rdf"
RETIRE_GRACE_SECONDS = 120.0


@dataclass
class GraphPayload:
    """The quads of one source graph and what to record about its load."""

    graph: ox.NamedNode
    label: str
    kind: str  # ontology | curated | ofsted | lookup | documents | synthetic | candidates
    origin: str  # the file or folder it was read from
    content_hash: str
    quads: list[ox.Quad] = field(default_factory=list)


def stale_graphs(store: ox.Store, keep: set[ox.NamedNode], drop_kinds: Iterable[str]) -> list[ox.NamedNode]:
    """Graphs the loads graph records with a kind in drop_kinds that are not among keep."""
    kinds = set(drop_kinds)
    return [g for g, kind in loaded_sources(store).items() if kind in kinds and g not in keep]


def load_records(payloads: Iterable[GraphPayload], now: dt.datetime | None = None,
                 counts: Iterable[int] | None = None) -> list[ox.Quad]:
    """The loads-graph quads recording these payloads' load: when, what, from where, how many triples
    (``counts``, one a payload, where the quads are not in the payloads)."""
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    stamp = ox.Literal(now.isoformat().replace("+00:00", "Z"), datatype=iris.xsd.dateTime)
    log: list[ox.Quad] = []
    payloads = list(payloads)
    for p, count in zip(payloads, counts if counts is not None else (len(p.quads) for p in payloads), strict=True):
        log.extend([
            ox.Quad(p.graph, iris.ckg.loadedAt, stamp, LOADS_GRAPH),
            ox.Quad(p.graph, iris.ckg.contentHash, ox.Literal(p.content_hash), LOADS_GRAPH),
            ox.Quad(p.graph, iris.ckg.tripleCount, ox.Literal(str(count), datatype=iris.xsd.integer), LOADS_GRAPH),
            ox.Quad(p.graph, iris.ckg.loadKind, ox.Literal(p.kind), LOADS_GRAPH),
            ox.Quad(p.graph, iris.ckg.origin, ox.Literal(p.origin), LOADS_GRAPH),
            ox.Quad(p.graph, iris.rdfs.label, ox.Literal(p.label), LOADS_GRAPH),
        ])
    return log



def graphs_from(store: ox.Store, origins: Iterable[str]) -> set[ox.NamedNode]:
    """The graphs the loads graph records as loaded from any of these files (what a reload of them replaces)."""
    wanted = set(origins)
    return {q.subject for q in store.quads_for_pattern(None, iris.ckg.origin, None, LOADS_GRAPH)
            if isinstance(q.subject, ox.NamedNode) and q.object.value in wanted}


def loaded_sources(store: ox.Store) -> dict[ox.NamedNode, str]:
    """graph name -> source kind, for every source recorded in the loads graph."""
    result: dict[ox.NamedNode, str] = {}
    for quad in store.quads_for_pattern(None, iris.ckg.loadKind, None, LOADS_GRAPH):
        if isinstance(quad.subject, ox.NamedNode):
            result[quad.subject] = quad.object.value
    return result




def graph_counts(store: ox.Store) -> dict[ox.NamedNode, int]:
    """Triples per named graph (``queries/internal/graph_triples.rq``, the query ``stats`` runs too)."""
    counts: dict[ox.NamedNode, int] = {}
    for row in store.query(_graph_triples_query()):
        counts[row["graph"]] = int(row["triples"].value)
    return counts


@cache
def _graph_triples_query() -> str:
    return (INTERNAL_QUERIES_DIR / "graph_triples.rq").read_text(encoding="utf-8")

