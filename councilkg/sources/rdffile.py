"""RDF files loaded as they are (``councilkg load --rdf FILE``): N-Quads, TriG, N-Triples, Turtle,
JSON-LD or RDF/XML, the format told by the file's extension.

Every named graph in a file becomes a source graph of kind ``rdf``, recorded with the file as its
origin; triples outside any named graph go in a graph named for the file
(``<https://w3id.org/councilkg/id/source/file-NAME>``). Use it for the output of ``councilkg
synthetic`` or ``councilkg export``, or any other dump. Into the embedded store a file is bulk-loaded
on every CPU (``councilkg.store.load_rdf_file``); towards a Graph Store Protocol endpoint it is read
into graphs here (``file_payloads``).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import LoadError
from councilkg.model import iris
from councilkg.sources.kind import GraphKind, Inputs, Option, SourceKind
from councilkg.store import RDF_FILE_KIND, RESERVED_GRAPHS, GraphPayload, RdfFile, file_graph_label, yield_to_payloads
from councilkg.store.rdffile import check_untrusted

#: extensions councilkg reads, and their formats
FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}


def file_graph(path: Path) -> ox.NamedNode:
    """The graph a file's triples outside any named graph go in: named for the file."""
    return iris.source("file-" + (iris.slugify(path.stem) or "rdf"))


def rdf_file(path: Path | str) -> RdfFile:
    """An RDF file to load, checked before the store is touched: it exists, its format is known, and it is no
    entity or nesting bomb (``councilkg.store.rdffile.check_untrusted``)."""
    path = Path(path).expanduser().resolve()
    if path.suffix.lower() == ".gz":
        raise LoadError.single(path, "compressed files are not read; decompress it first (gunzip -k)")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise LoadError.single(path, f"unknown RDF format {path.suffix or '(no extension)'!r}; "
                                     f"name the file with one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise LoadError.single(path, "no such file")
    check_untrusted(path, fmt)  # entity and nesting bombs refused, other formats parsed within limits
    return RdfFile(path, fmt, file_graph(path))


def file_payloads(rdf: RdfFile) -> list[GraphPayload]:
    """The file's graphs as payloads, read into memory (for loading towards a Graph Store endpoint, one
    graph at a time). The graphs councilkg writes itself are left out, as ``load_rdf_file`` does."""
    data = rdf.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    by_graph: dict[ox.NamedNode, list[ox.Quad]] = defaultdict(list)
    try:
        for quad in ox.parse(data, format=rdf.format):
            graph = quad.graph_name if isinstance(quad, ox.Quad) else ox.DefaultGraph()
            if isinstance(graph, ox.BlankNode):
                raise LoadError.single(rdf.path, "a graph is named by a blank node; councilkg names every source graph "
                                                 "by an IRI")
            graph = rdf.graph if isinstance(graph, ox.DefaultGraph) else graph
            by_graph[graph].append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    except SyntaxError as exc:
        raise LoadError.from_syntax(rdf.path, exc) from None
    return [GraphPayload(graph, _label(graph, quads, rdf), RDF_FILE_KIND, str(rdf.path), digest, quads)
            for graph, quads in by_graph.items() if graph not in RESERVED_GRAPHS]


def _label(graph: ox.NamedNode, quads: list[ox.Quad], rdf: RdfFile) -> str:
    title = next((q.object.value for q in quads if q.subject == graph and q.predicate == iris.dcterms.title), None)
    return file_graph_label(graph, title, rdf.path)


def read_files(files: list[RdfFile], payloads: list[GraphPayload], progress: Callable[[str], None] | None = None
               ) -> tuple[list[GraphPayload], list[str]]:
    """The files' graphs read into payloads (for a Graph Store endpoint, or to check them), as a load into the
    embedded store takes them: a graph another payload holds is that payload's. Returns them and the notes."""
    say = progress or (lambda _m: None)
    found: list[GraphPayload] = []
    notes: list[str] = []
    for rdf in files:
        say(f"reading {rdf.path}")
        read = {p.graph: p for p in file_payloads(rdf)}
        kept, yielded = yield_to_payloads(rdf.path, list(read), payloads)
        found += [read[g] for g in kept]
        notes += yielded
    return found, notes


# --------------------------------------------------------------------------------------------
# The source kind
# --------------------------------------------------------------------------------------------

def _files(inputs: Inputs) -> list[RdfFile]:
    """The files to load, each checked to exist and to have a known format before the store is touched."""
    return [rdf_file(path) for path in inputs["rdf"]]


#: the kind of graph a file's graphs become (a file may hold hundreds: doctor lists a line a file)
RDF_FILES = GraphKind(RDF_FILE_KIND, order=50, listed="by-file")

KIND = SourceKind(
    name="rdf",
    reads="RDF files loaded as they are",
    options=(Option("--rdf", "an RDF file loaded as it is (.nq, .trig, .nt, .ttl, .jsonld, .rdf), e.g. from `councilkg synthetic` "
                             "or `councilkg export`: each named graph in it is a source graph; repeatable",
                    check_help="also parse this RDF file as `load --rdf` would", metavar="FILE", input="rdf"),),
    files=_files,
    graphs=(RDF_FILES,),
)
