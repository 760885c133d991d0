"""What the graph holds: triples per source graph and entities per class (for `stats` and the app)."""

from __future__ import annotations

from dataclasses import dataclass

from councilkg.explore.lookup import run_internal
from councilkg.model import iris
from councilkg.query.backends import Backend
from councilkg.query.results import Value
from councilkg.sources import registry
from councilkg.sources.build import summed_kinds
from councilkg.store import LOADS_GRAPH, ONTOLOGY_GRAPH

LOADS_GRAPH_TERM = Value.iri(LOADS_GRAPH.value)
ONTOLOGY_GRAPH_TERM = Value.iri(ONTOLOGY_GRAPH.value)
#: graph kinds that are the store's own bookkeeping, not sources of facts
BOOKKEEPING_KINDS = ("ontology", "log")


@dataclass
class GraphRow:
    """One named graph: the source it holds (title, kind, where from, when loaded) and its size."""

    graph: str
    title: str
    kind: str
    triples: int
    loaded_at: str
    origin: str


@dataclass
class ClassRow:
    """One class: its IRI, its label (or prefixed name) and how many entities have it."""

    iri: str
    label: str
    entities: int


#: the order sources are listed in: the facts first, then what the loader proposes, then bookkeeping
SOURCE_KIND_ORDER = registry.graph_kind_order()


def graphs(backend: Backend) -> list[GraphRow]:
    """Every graph of the store: its title, kind of source, size, when it was loaded and from where; sources first."""
    counts = {row["graph"]: int(row["triples"]) for row in run_internal(backend, "graph_triples").strings()}
    meta = {row["graph"]: row for row in run_internal(backend, "source_graphs", {"loads": LOADS_GRAPH_TERM}).strings()}
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
    """How many entities of each class the source graphs hold, most first."""
    # a class of a reused vocabulary has no label in the ontology graph: shown by its prefixed name (prov:Activity)
    return [ClassRow(row["class"], row["label"] or iris.shorten(row["class"]), int(row["entities"]))
            for row in run_internal(backend, "classes_in_use", {"ontology": ONTOLOGY_GRAPH_TERM}).strings()]


def total_triples(rows: list[GraphRow]) -> int:
    """The triples of every graph together."""
    return sum(r.triples for r in rows)


def source_count(rows: list[GraphRow]) -> int:
    """How many of the graphs are sources of facts (not the ontology or the load log)."""
    return sum(1 for r in rows if r.kind not in BOOKKEEPING_KINDS)


def entity_count(rows: list[ClassRow], cls: str) -> int:
    """How many entities of the class (an IRI) the graphs hold."""
    return next((r.entities for r in rows if r.iri == cls), 0)


def listed(rows: list[GraphRow]) -> list[GraphRow]:
    """The graphs as a listing shows them: one a row, but a kind with many graphs (Ofsted's reports; see
    ``build.summed_kinds``) as one row with their count and triples."""
    many = summed_kinds([r.kind for r in rows]) - set(BOOKKEEPING_KINDS)
    out: list[GraphRow] = []
    for row in rows:
        if row.kind not in many:
            out.append(row)
        elif all(r.kind != row.kind for r in out):
            group = [r for r in rows if r.kind == row.kind]
            origins = sorted({str(r.origin).rsplit("/", 1)[0] for r in group if r.origin})
            out.append(GraphRow("", f"{len(group):,} graphs of {row.kind}", row.kind, sum(r.triples for r in group),
                                max(r.loaded_at for r in group), ", ".join(origins)))
    return out


def kind_count(rows: list[GraphRow], kind: str) -> int:
    """How many graphs of this kind the store holds (how many Ofsted reports are loaded, say)."""
    return sum(1 for r in rows if r.kind == kind)
