"""Loading into a remote store over the SPARQL 1.1 Graph Store HTTP Protocol.

``councilkg load --gsp-endpoint URL`` reads and validates the sources exactly as a local load
does, then replaces each source's named graph on the server with one HTTP PUT
(``URL?graph=<source IRI>``), deletes the graphs of curated sources that no longer exist, and
finally replaces the loads graph (what was loaded, when, from where). The endpoint URL is the
server's Graph Store endpoint: ``http://host:7878/store`` for ``oxigraph serve``,
``http://host:3030/DATASET/data`` for Fuseki, ``.../repositories/REPO/rdf-graphs/service`` for
GraphDB, ``https://host:8182/sparql/gsp/`` for Neptune.

Unlike a local load this is not one atomic switch: each graph is replaced atomically by the
server, but a reader can see some sources new and others old while the load runs. The loads
graph is written last, so it never claims a source the server does not yet hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from councilkg.errors import GraphStoreError
from councilkg.store import LOADS_GRAPH, RDF_FILE_KIND, GraphPayload, ontology_payload
from councilkg.store.graphs import graphs_from, load_records, stale_graphs

N_TRIPLES = "application/n-triples"


class GraphStoreClient:
    """A minimal Graph Store Protocol client (GET, PUT, DELETE of named graphs)."""

    def __init__(self, url: str, timeout: float = 600.0, session: Any = None) -> None:
        import requests  # here, not at the top: requests takes a while to import, and only this load needs it

        self.url = url
        self.timeout = timeout
        self.session = session or requests.Session()

    def _request(self, method: str, graph: ox.NamedNode, **kwargs: Any) -> Any:
        import requests  # (see __init__)

        try:
            response = self.session.request(method, self.url, params={"graph": graph.value}, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise GraphStoreError(f"cannot reach the Graph Store endpoint {self.url}: {exc}") from None
        if response.status_code >= 400 and not (method in ("GET", "DELETE") and response.status_code == 404):
            detail = response.text.strip()[:300]
            raise GraphStoreError(f"{method} of graph <{graph.value}> at {self.url} failed: HTTP {response.status_code} {detail}")
        return response

    def get(self, graph: ox.NamedNode) -> list[ox.Quad]:
        """The graph's triples as quads in that graph; empty if the server does not hold it."""
        response = self._request("GET", graph, headers={"Accept": N_TRIPLES})
        if response.status_code == 404 or not response.content:
            return []
        try:
            triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
            return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        except SyntaxError as exc:
            raise GraphStoreError(f"GET of graph <{graph.value}> at {self.url} did not return N-Triples: {exc}") from None

    def put(self, graph: ox.NamedNode, quads: Iterable[ox.Quad]) -> None:
        """Replace the graph with these quads' triples."""
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        self._request("PUT", graph, data=body, headers={"Content-Type": N_TRIPLES})

    def delete(self, graph: ox.NamedNode) -> None:
        self._request("DELETE", graph)

    def close(self) -> None:
        self.session.close()


def load_into_graph_store(url: str, payloads: list[GraphPayload], *, drop_kinds: Iterable[str] = (),
                          progress: Callable[[str], None] | None = None, client: GraphStoreClient | None = None) -> int:
    """Replace each payload's graph (and the ontology's) on the server; returns the triples written."""
    say = progress or (lambda _m: None)
    own = client is None
    client = client or GraphStoreClient(url)
    try:
        # The new loads graph, and the graphs that go, worked out as a local load does.
        ledger = ox.Store()
        ledger.extend(client.get(LOADS_GRAPH))
        payloads = [ontology_payload(), *payloads]
        names = {p.graph for p in payloads}
        stale = stale_graphs(ledger, names, drop_kinds)
        # and what an earlier load of the same RDF files wrote that they no longer hold
        stale += sorted(graphs_from(ledger, {p.origin for p in payloads if p.kind == RDF_FILE_KIND}) - names - set(stale),
                        key=lambda g: g.value)
        for graph in [*names, *stale]:
            for quad in list(ledger.quads_for_pattern(graph, None, None, LOADS_GRAPH)):
                ledger.remove(quad)
        ledger.extend(load_records(payloads))
        written = 0
        for p in payloads:
            say(f"PUT {p.label}: {len(p.quads):,} triples")
            client.put(p.graph, p.quads)
            written += len(p.quads)
        for graph in sorted(stale, key=lambda g: g.value):
            say(f"DELETE {graph.value} (its source is gone)")
            client.delete(graph)
        client.put(LOADS_GRAPH, ledger.quads_for_pattern(None, None, None, LOADS_GRAPH))
        return written
    finally:
        if own:
            client.close()
