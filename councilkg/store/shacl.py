"""SHACL validation of source graphs against ontology/shapes.ttl (with pyshacl).

Each source's named graph is validated together with the ontology graph, so the shapes'
"exactly one" means "one according to that source".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import pyoxigraph as ox

from councilkg.paths import SHAPES_FILE
from councilkg.store import LOADS_GRAPH, ONTOLOGY_GRAPH, GraphPayload, ontology_payload

if TYPE_CHECKING:
    import rdflib

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Violation:
    graph: str
    focus: str
    path: str | None
    message: str
    shape: str | None
    value: str | None

    def __str__(self) -> str:
        where = f"{self.focus}" + (f" {self.path}" if self.path else "")
        value = f" (value: {self.value})" if self.value else ""
        return f"[{self.graph}] {where}: {self.message}{value}"


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    import rdflib  # here, not at the top: rdflib and pyshacl take about a second to import, and only validation needs them

    graph = rdflib.Graph()
    graph.parse(SHAPES_FILE, format="turtle")
    return graph


def _to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    import rdflib  # (see shapes_graph)

    data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    return graph


def validate_quads(graph_name: str, quads: Iterable[ox.Quad], ontology: Iterable[ox.Quad] | None = None) -> list[Violation]:
    """Validate one source graph's quads (with the ontology) and return its violations."""
    import rdflib  # (see shapes_graph)
    from pyshacl import validate as shacl_validate

    sh = rdflib.Namespace(SH)
    data = _to_rdflib(list(quads) + list(ontology if ontology is not None else ontology_payload().quads))
    conforms, results, _text = shacl_validate(data, shacl_graph=shapes_graph(), inference="none", abort_on_first=False)
    if conforms:
        return []
    violations = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        def one(pred: rdflib.URIRef, result: rdflib.term.Node = result) -> str | None:
            value = results.value(result, pred)
            return None if value is None else str(value)
        violations.append(Violation(graph_name, one(sh.focusNode) or "", one(sh.resultPath), one(sh.resultMessage) or "",
                                    one(sh.sourceShape), one(sh.value)))
    return sorted(violations, key=lambda v: (v.graph, v.focus, v.message))


def validate_payloads(payloads: Iterable[GraphPayload]) -> list[Violation]:
    ontology = ontology_payload().quads
    violations: list[Violation] = []
    for p in payloads:
        if p.graph == ONTOLOGY_GRAPH:
            continue
        violations.extend(validate_quads(p.graph.value, p.quads, ontology))
    return violations


def validate_store(store: ox.Store, graphs: Iterable[ox.NamedNode] | None = None) -> list[Violation]:
    """Validate every source graph in a store (or the given ones)."""
    ontology = [ox.Quad(q.subject, q.predicate, q.object, ONTOLOGY_GRAPH)
                for q in store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH)]
    if not ontology:
        ontology = ontology_payload().quads
    names = list(graphs) if graphs is not None else [g for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
    violations: list[Violation] = []
    for name in sorted(names, key=lambda n: n.value):
        if name in (ONTOLOGY_GRAPH, LOADS_GRAPH):
            continue
        violations.extend(validate_quads(name.value, store.quads_for_pattern(None, None, None, name), ontology))
    return violations
