"""RDF files loaded as they are, parsed strictly in pieces on every CPU.

A file is untrusted input. The formats whose parsers can be made to explode are checked before the
store is touched (``check_untrusted``): an RDF/XML file declaring an entity that expands other entities
(a "billion laughs"), or an external one, and JSON-LD nested deeper than ``MAX_JSON_DEPTH``, are refused
with a plain error naming the file; and every RDF/XML and JSON-LD file is parsed once in a child process
limited to ``PARSE_MEMORY`` bytes and ``PARSE_SECONDS`` seconds, so whatever else makes the parser
allocate without bound or crash stops there, with an error naming the file, and never takes down the
loader or the machine. (N-Quads, N-Triples, Turtle and TriG have no entities, and their parsers do not
recurse on nesting: they are parsed as they are.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from councilkg.errors import LoadError
from councilkg.model import iris
from councilkg.store.graphs import LOADS_GRAPH, ONTOLOGY_GRAPH, RDF_FILE_KIND, GraphPayload, load_records
from councilkg.store.payloads import SMALL_BULK_LOAD, _ParallelLoads, bulk_plan

# --------------------------------------------------------------------------------------------
# RDF files loaded as they are
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RdfFile:
    """An RDF file loaded as it is (``councilkg load --rdf``): every named graph in it is a source graph,
    and its triples outside any named graph go in ``graph``, the graph named for the file."""

    path: Path
    format: ox.RdfFormat
    graph: ox.NamedNode


@dataclass
class RdfFileLoad:
    """What loading one RdfFile wrote: its graphs, its SHA-256, and what was left out and why."""

    file: RdfFile
    graphs: list[ox.NamedNode]
    content_hash: str
    notes: list[str] = field(default_factory=list)


#: bytes of N-Quads or N-Triples text per ``bulk_load`` call when a file is loaded (about 66,000 lines
#: of the synthetic data, a slice about as big as ``bulk_write``'s): the fastest of the sizes tried, see
#: docs/performance.md
RDF_CHUNK_BYTES = 16 << 20
#: formats with one statement a line, so a file can be cut at any line and its pieces parsed at once
LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
#: graphs councilkg writes itself: a file's copy of them (an export of a store holds both) is left out
RESERVED_GRAPHS = (LOADS_GRAPH, ONTOLOGY_GRAPH)


#: the most memory (address space) the child process that test-parses an RDF/XML or JSON-LD file may use
PARSE_MEMORY = 2 << 30
#: seconds it may take
PARSE_SECONDS = 600
#: deeper JSON-LD is refused: pyoxigraph's parser recurses on nesting, and 5,000 levels overflow its stack
MAX_JSON_DEPTH = 256
#: the most text an RDF/XML file's entity references may expand to
MAX_ENTITY_EXPANSION = 64 << 20
#: formats parsed once in a limited child before they are loaded
CHECKED_FORMATS = (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)

_ENTITY_RE = re.compile(rb"<!ENTITY\s+(%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC|\"[^\"]*\"|'[^']*')", re.DOTALL)
_JSON_TOKEN_RE = re.compile(rb'\\.|["{}\[\]]')


def check_untrusted(path: Path, fmt: ox.RdfFormat) -> None:
    """Refuse, with a LoadError naming the file, an RDF file whose parsing would explode; see the module docstring."""
    if fmt not in CHECKED_FORMATS:
        return
    if fmt == ox.RdfFormat.RDF_XML:
        _check_entities(path)
    else:
        _check_json_depth(path)
    _parse_in_child(path, fmt)


def _check_entities(path: Path) -> None:
    """An XML document type may declare entities; refuse those that are external or expand other entities."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)  # the DTD comes before the root element
    if b"<!ENTITY" not in head:
        return
    for match in _ENTITY_RE.finditer(head):
        kind, value = match.group(3), match.group(3)[1:-1]
        if kind in (b"SYSTEM", b"PUBLIC"):
            raise LoadError.single(path, f"the document declares an external entity ({match.group(2).decode(errors='replace')}): "
                                         "councilkg reads no other file or address for it; inline the value")
        if b"&" in value or b"%" in value:
            raise LoadError.single(path, f"the entity {match.group(2).decode(errors='replace')} is defined from other entities: "
                                         "that is how an entity bomb (billion laughs) expands, so the file is refused")
        if len(value) > 4096:
            raise LoadError.single(path, f"the entity {match.group(2).decode(errors='replace')} is longer than 4,096 bytes; "
                                         "the file is refused (a long entity used many times expands without bound)")
    if head.count(b"<!ENTITY") != len(_ENTITY_RE.findall(head)):
        raise LoadError.single(path, "the document declares an entity councilkg cannot check; the file is refused")
    sizes = {b"&" + m.group(2) + b";": len(m.group(3)) - 2 for m in _ENTITY_RE.finditer(head) if not m.group(1)}
    expanded = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):  # a reference cut by a block's end is missed: the child's limit remains
            expanded += sum(block.count(reference) * size for reference, size in sizes.items())
    if expanded > MAX_ENTITY_EXPANSION:
        raise LoadError.single(path, f"its entities expand to more than {MAX_ENTITY_EXPANSION >> 20} MiB of text; "
                                     "the file is refused (a long entity used many times is an entity bomb)")


def _check_json_depth(path: Path) -> None:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (counting braces and brackets outside strings)."""
    depth, in_string = 0, False
    for match in _JSON_TOKEN_RE.finditer(path.read_bytes()):  # pyoxigraph reads a JSON-LD document whole too
        token = match.group(0)
        if token == b'"':
            in_string = not in_string
        elif in_string or len(token) == 2:  # inside a string, or an escaped character
            continue
        elif token in (b"{", b"["):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise LoadError.single(path, f"JSON nested more than {MAX_JSON_DEPTH} deep: no JSON-LD needs that, "
                                             "and the parser cannot take it; the file is refused")
        else:
            depth -= 1


def _limit_child() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (PARSE_MEMORY, PARSE_MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _parse_in_child(path: Path, fmt: ox.RdfFormat) -> None:
    """Parse the file in a child process within PARSE_MEMORY and PARSE_SECONDS; a LoadError if it does not finish."""
    command = [sys.executable, "-c", "import sys, pyoxigraph as ox\n"
               "try:\n    for _ in ox.parse(path=sys.argv[1], format=getattr(ox.RdfFormat, sys.argv[2])): pass\n"
               "except SyntaxError:\n    pass  # the load itself reports it, with the line\n",
               str(path), {ox.RdfFormat.RDF_XML: "RDF_XML", ox.RdfFormat.JSON_LD: "JSON_LD"}[fmt]]
    try:
        child = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               timeout=PARSE_SECONDS, preexec_fn=_limit_child, check=False)
    except subprocess.TimeoutExpired:
        raise LoadError.single(path, f"parsing it took longer than {PARSE_SECONDS} s; the file is refused") from None
    if child.returncode != 0:
        error = child.stderr.decode(errors="replace")
        if "overflowed its stack" in error:
            why = "it is nested too deep for the parser"
        elif "memory allocation" in error or "MemoryError" in error:
            why = f"it needs more than {PARSE_MEMORY >> 30} GiB of memory to parse (an entity or nesting bomb?)"
        elif child.returncode < 0:
            why = f"the parser crashed on it (signal {-child.returncode}; deep nesting?)"
        else:
            why = f"the parser failed on it: {error.strip().splitlines()[-1] if error.strip() else child.returncode}"
        raise LoadError.single(path, f"{why}; the file is refused and the store is unchanged")


def _line_chunks(handle: IO[bytes], size: int) -> Iterator[bytes]:
    while chunk := handle.read(size):
        yield chunk + handle.readline()


class _LineMap:
    """Maps a line of a text made by joining pieces of a file back to the line of the file."""

    def __init__(self) -> None:
        self.starts: list[tuple[int, int]] = []  # (first line in the joined text, first line in the file)
        self.lines = 0

    def add(self, file_line: int, text: bytes) -> None:
        self.starts.append((self.lines + 1, file_line))
        self.lines += text.count(b"\n")

    def file_line(self, line: int) -> int:
        joined, in_file = max((s for s in self.starts if s[0] <= line), default=(1, 1))  # no pieces: the file itself
        return in_file + line - joined


def _syntax_error(path: Path, lines: _LineMap) -> Callable[[BaseException], BaseException]:
    """Turns a parser's SyntaxError (line and column in the text it was given) into a LoadError naming the
    file, its line and the column."""
    def convert(exc: BaseException) -> BaseException:
        if not isinstance(exc, SyntaxError):
            return exc
        return LoadError.from_syntax(path, exc, line=None if exc.lineno is None else lines.file_line(exc.lineno))

    return convert


def load_rdf_file(store: ox.Store, rdf: RdfFile, progress: Callable[[int, int], None] | None = None) -> RdfFileLoad:
    """Bulk-load one RDF file into a new generation that holds nothing yet (not a transaction), strictly
    parsed: a syntax error raises a LoadError naming the file, the line and the column.

    N-Quads and N-Triples are cut into pieces of about 16 MiB at line ends, parsed and written on every CPU
    at once (``_ParallelLoads``); the pieces with a blank node are parsed together at the end, so a blank
    node written twice stays one node. Other formats are one ``bulk_load``. Triples outside any named
    graph are moved to the file's own graph; the loads graph and the ontology graph, which councilkg
    writes itself, are left out. ``progress`` is told how many of the file's bytes have been read.
    """
    digest = hashlib.sha256()
    total = rdf.path.stat().st_size
    before = set(store.named_graphs())
    options: dict[str, object] = {"format": rdf.format}
    if not rdf.format.supports_datasets:
        options["to_graph"] = rdf.graph
    loads = _ParallelLoads(store, bulk_plan(SMALL_BULK_LOAD)[1])
    try:
        with rdf.path.open("rb") as handle:
            if rdf.format in LINE_FORMATS:
                blank, blank_lines, line = [], _LineMap(), 1
                for text in _line_chunks(handle, RDF_CHUNK_BYTES):
                    digest.update(text)
                    piece = _LineMap()
                    piece.add(line, text)
                    line += piece.lines
                    if b"_:" in text:  # maybe a blank node (or only text that looks like one)
                        blank.append(text)
                        blank_lines.add(piece.starts[0][1], text)
                    elif not loads.submit(text, on_error=_syntax_error(rdf.path, piece), **options):
                        break
                    del text
                    if progress is not None:
                        progress(handle.tell(), total)
                if blank and not loads.errors:
                    loads.submit(b"".join(blank), on_error=_syntax_error(rdf.path, blank_lines), **options)
            else:  # parsed from the file by pyoxigraph, hashed here meanwhile
                loads.submit(None, on_error=_syntax_error(rdf.path, _LineMap()), path=str(rdf.path), **options)
                while block := handle.read(RDF_CHUNK_BYTES):
                    digest.update(block)
                if progress is not None:
                    progress(total, total)
    finally:
        loads.close()
    return _settle_rdf_file(store, rdf, digest.hexdigest(), before)


def _settle_rdf_file(store: ox.Store, rdf: RdfFile, content_hash: str, before: set) -> RdfFileLoad:
    """After a file's load into a generation that held only other files' graphs (``before``): its triples
    outside any named graph go to the file's graph, the graphs councilkg writes itself are left out, and its
    new graphs are listed. A graph named by a blank node is refused: a source graph is named by an IRI."""
    notes = []
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        store.update(f"ADD DEFAULT TO {rdf.graph} ; CLEAR DEFAULT")  # an IRI pyoxigraph checked: safe to write out
        notes.append(f"{rdf.path.name}: triples outside any named graph were put in the graph <{rdf.graph.value}>")
    for graph in RESERVED_GRAPHS:
        if next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None:
            store.remove_graph(graph)
            notes.append(f"{rdf.path.name}: the graph <{graph.value}> was left out: councilkg writes it itself")
    graphs = [g for g in store.named_graphs() if g not in before]
    if any(isinstance(g, ox.BlankNode) for g in graphs):
        raise LoadError.single(rdf.path, "a graph is named by a blank node; councilkg names every source graph by an IRI")
    graphs.sort(key=lambda g: g.value)
    return RdfFileLoad(rdf, graphs, content_hash, notes)




def file_graph_label(graph: ox.NamedNode, title: str | None, path: Path) -> str:
    """How a graph an RDF file wrote is labelled: by the title it gives itself (``dcterms:title`` of the
    graph's IRI, in it), else by its IRI and the file's name."""
    return title if title is not None else f"{graph.value} (from {path.name})"


def file_load_records(store: ox.Store, loaded: list[RdfFileLoad], counts: dict[ox.NamedNode, int],
                      now: dt.datetime | None = None) -> list[ox.Quad]:
    """The loads-graph quads recording the graphs RDF files wrote, labelled by the title a graph gives
    itself (``dcterms:title`` of the graph's IRI, in it) or by its IRI and the file's name."""
    payloads = []
    for load in loaded:
        for graph in load.graphs:
            title = next(iter(store.quads_for_pattern(graph, iris.dcterms.title, None, graph)), None)
            label = file_graph_label(graph, title.object.value if title is not None else None, load.file.path)
            payloads.append((GraphPayload(graph, label, RDF_FILE_KIND, str(load.file.path), load.content_hash),
                             counts.get(graph, 0)))
    return load_records([p for p, _ in payloads], now, counts=[n for _, n in payloads])


