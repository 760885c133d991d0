"""The store layer: RDF graphs in Oxigraph, knowing nothing of where the data came from.

Its interface is this module; the modules behind it each do one job:

- ``graphs``: a source's graph (``GraphPayload``), the graphs councilkg writes itself and the loads graph;
- ``payloads``: writing payloads into a store, in bulk where that is faster;
- ``rdffile``: loading an RDF file as it is;
- ``folder``: the store folder, built in generations and switched atomically;
- ``readonly``: a read-only handle that follows the current generation;
- ``textindex``: the text index of a generation's passages (SQLite FTS5), built with it;
- ``shacl`` (SHACL validation) and ``gsp`` (a Graph Store Protocol client) are imported by name, as they
  bring in rdflib and requests.
"""

from councilkg.store.folder import BuildResult, StoreFolder, tenths, yield_to_payloads
from councilkg.store.graphs import (
    LOADS_GRAPH,
    ONTOLOGY_GRAPH,
    ONTOLOGY_SOURCE_KIND,
    RDF_FILE_KIND,
    GraphPayload,
    graph_counts,
    loaded_sources,
)
from councilkg.store.payloads import gc_paused, new_memory_store, ontology_payload, write_graphs
from councilkg.store.rdffile import RESERVED_GRAPHS, RdfFile, RdfFileLoad, file_graph_label
from councilkg.store.readonly import ReadOnlyStore
from councilkg.store.textindex import INDEX_FILE, TextIndex, TextQuery, index_path

__all__ = [
    "INDEX_FILE", "LOADS_GRAPH", "ONTOLOGY_GRAPH", "ONTOLOGY_SOURCE_KIND", "RDF_FILE_KIND", "RESERVED_GRAPHS", "BuildResult",
    "GraphPayload", "RdfFile", "RdfFileLoad", "ReadOnlyStore", "StoreFolder", "TextIndex",
    "TextQuery", "file_graph_label", "gc_paused",
    "graph_counts", "index_path", "loaded_sources", "new_memory_store", "ontology_payload", "tenths", "write_graphs",
    "yield_to_payloads",
]
