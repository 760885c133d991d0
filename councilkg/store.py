"""Store access: the embedded Oxigraph store on disk, built in generations and switched atomically.

A *store folder* (``--store PATH``, default ``<project>/store``) holds::

    current -> generations/<id>     a relative symlink to the generation readers use
    generations/<id>/               a complete pyoxigraph (RocksDB) store, never written once published
    generations/<id>.json           what the generation holds (sources, counts, when built)
    generations/<id>.lease          readers hold a shared lock on it while they use the generation
    .write.lock                     held by the one process building a new generation

A load never writes the store readers use. It builds a new generation beside it (starting from
a cheap hard-linked copy of the current one when it adds to it, or from the current graphs that
stay when most of it is replaced), checks it, and only then
replaces the ``current`` symlink with one ``rename``. A failed or killed load leaves ``current``
untouched; its half-built generation is removed by the next load. Readers that opened the old
generation keep answering from it and pick up the new one when they next check
(:class:`ReadOnlyStore`); old generations are deleted only when no reader holds their lease.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import gc
import hashlib
import json
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from councilkg import iris
from councilkg.paths import ONTOLOGY_FILES

LOADS_GRAPH = ox.NamedNode(iris.ID + "graph/loads")
ONTOLOGY_GRAPH = ox.NamedNode(iris.ONTOLOGY_IRI)
ONTOLOGY_SOURCE_KIND = "ontology"
RDF_FILE_KIND = "rdf"
RETIRE_GRACE_SECONDS = 120.0


class StoreError(Exception):
    """The store cannot be used as asked; the message says what to do."""


class StoreMissingError(StoreError):
    pass


class StoreLockedError(StoreError):
    pass


# --------------------------------------------------------------------------------------------
# Graph payloads
# --------------------------------------------------------------------------------------------


@dataclass
class GraphPayload:
    """The quads of one source graph and what to record about its load."""

    graph: ox.NamedNode
    label: str
    kind: str  # ontology | curated | ofsted | lookup | documents | synthetic | candidates
    origin: str  # the file or folder it was read from
    content_hash: str
    quads: list[ox.Quad] = field(default_factory=list)


def ontology_payload() -> GraphPayload:
    """The ontology and concept schemes, in the graph named by the ontology IRI."""
    import hashlib

    quads: list[ox.Quad] = []
    digest = hashlib.sha256()
    for path in ONTOLOGY_FILES:
        data = path.read_bytes()
        digest.update(data)
        for triple in ox.parse(data, format=ox.RdfFormat.TURTLE):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, ONTOLOGY_GRAPH))
    return GraphPayload(ONTOLOGY_GRAPH, "councilkg ontology and concept schemes", ONTOLOGY_SOURCE_KIND,
                        "ontology/", digest.hexdigest(), quads)


def write_graphs(store: ox.Store, payloads: Iterable[GraphPayload], *, drop_kinds: Iterable[str] = (),
                 bulk: bool = False, now: dt.datetime | None = None,
                 progress: Callable[[int, int], None] | None = None, carried: list[ox.Quad] | None = None) -> None:
    """Replace each payload's graph in store and record the load in the loads graph.

    ``drop_kinds``: graphs of these source kinds that are not among the payloads are removed
    (a curated file deleted since the last load loses its graph). Use on a store nobody else
    reads (a generation being built, or a test's own store): the steps are not one transaction.
    ``progress`` (bulk only) is told how many of how many quads have been handed to the bulk loader.
    ``carried``: quads of an earlier store written with the payloads (see ``StoreFolder.build``).
    """
    payloads = list(payloads)
    names = {p.graph for p in payloads}
    stale = stale_graphs(store, names, drop_kinds)
    for graph in [*names, *stale]:
        store.remove_graph(graph)
        for quad in list(store.quads_for_pattern(graph, None, None, LOADS_GRAPH)):
            store.remove(quad)
    log = load_records(payloads, now)
    all_quads = [*(carried or ()), *(q for p in payloads for q in p.quads), *log]
    if bulk:
        bulk_write(store, all_quads, progress=None if progress is None else lambda done: progress(done, len(all_quads)))
    else:
        store.extend(all_quads)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Keep Python's cycle collector from running while millions of quads are created or held.

    Quads form no reference cycles, but each is tracked by the collector, and every full
    collection walks all of them: about a fifth of the time spent generating 10^6 synthetic
    quads. Objects that exist on entry are frozen (left out of collections, including explicit
    ``gc.collect()`` calls) and automatic collection is off until the block ends.
    """
    was_enabled = gc.isenabled()
    freeze = gc.get_freeze_count() == 0  # else an enclosing block (or the program) froze them already
    gc.disable()
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def _has_blank_node(quad: ox.Quad) -> bool:
    return any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name))


#: below this many quads a load is one ``bulk_extend``: making N-Quads text would cost more than it saves
SMALL_BULK_LOAD = 50_000
#: quads per ``bulk_load`` call. Oxigraph sorts each call's keys for every index in memory, and small
#: sorts are cheaper: at 10^6 quads, 62,500 a call took 12% less time than four calls of 250,000 (and
#: 0.4 GiB less memory); at 10^7, 161 calls eight at a time took 70 s against 80 s for one call
#: reading the whole text, with 0.9 GiB less at the peak.
BULK_SLICE = 62_500


def bulk_plan(quads: int) -> tuple[int, int]:
    """How to bulk-write this many quads: (quads per ``bulk_load`` call, calls loading at once), or
    (0, 0) for one ``bulk_extend``. Four calls per CPU this process may use, at most 32: each call
    waits on the disk part of the time (measured on 2 vCPUs: eight at once as fast as sixteen, and
    faster than four)."""
    if quads < SMALL_BULK_LOAD:
        return 0, 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return BULK_SLICE, max(2, min(32, 4 * cpus))


def _nquads(quads: list[ox.Quad]) -> tuple[bytes, list[ox.Quad]]:
    """The N-Quads text of the quads that have no blank node, and the quads that have one."""
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    if b"_:" not in text:  # else maybe a blank node (or only text that looks like one)
        return text, []
    return (ox.serialize([q for q in quads if not _has_blank_node(q)], format=ox.RdfFormat.N_QUADS),
            [q for q in quads if _has_blank_node(q)])


class _ParallelLoads:
    """``bulk_load`` calls on threads of their own, at most ``at_once`` running: pyoxigraph releases the GIL
    while it loads, RocksDB ingests the sorted files the loads write concurrently, and the same term or
    quad written by two calls is one key. ``submit`` waits for a free slot (so at most that many texts
    exist at once); ``close`` waits for every call and raises the first error, mapped by its ``on_error``."""

    def __init__(self, store: ox.Store, at_once: int) -> None:
        self.store = store
        self.free = threading.Semaphore(at_once)
        self.errors: list[BaseException] = []
        self.workers: list[threading.Thread] = []

    def submit(self, text: bytes | None, *, on_error: Callable[[BaseException], BaseException] | None = None,
               **options: object) -> bool:
        """Start loading text (``options`` go to ``bulk_load``); False, loading nothing, once a call has failed."""
        self.free.acquire()
        if self.errors:
            self.free.release()
            return False

        def load() -> None:
            try:
                self.store.bulk_load(text, **options)
            except BaseException as exc:  # re-raised in the calling thread by close()
                self.errors.append(on_error(exc) if on_error is not None else exc)
            finally:
                self.free.release()

        self.workers.append(threading.Thread(target=load, name=f"bulk-load-{len(self.workers)}"))
        self.workers[-1].start()
        return True

    def close(self) -> None:
        for worker in self.workers:
            worker.join()
        if self.errors:
            raise self.errors[0]


def bulk_write(store: ox.Store, quads: list[ox.Quad], plan: tuple[int, int] | None = None,
               progress: Callable[[int], None] | None = None) -> None:
    """Write quads to a store nobody else reads with Oxigraph's bulk loader, on every CPU.

    The quads are serialised as N-Quads a slice at a time (``bulk_plan``: 62,500 quads a slice) and
    each slice is handed to its own ``bulk_load`` as soon as fewer than the plan's number are loading
    (``_ParallelLoads``). Used only on a new store generation: a bulk load is not a transaction. Each
    parse of N-Quads gives its blank nodes new identities, so quads with a blank node are kept out of
    the text and written as the objects they are (``bulk_extend``), which keeps a blank node one node.

    ``progress`` is called with the number of quads handed to the loads so far, after each slice.
    """
    size, at_once = plan if plan is not None else bulk_plan(len(quads))
    if size == 0:
        store.bulk_extend(quads)
        return
    loads = _ParallelLoads(store, at_once)
    set_aside: list[ox.Quad] = []
    try:
        for start in range(0, len(quads), size):
            text, blank = _nquads(quads[start:start + size])
            set_aside += blank
            # lenient: the text was serialised from terms pyoxigraph validated when they were made
            if not loads.submit(text, format=ox.RdfFormat.N_QUADS, lenient=True):
                break
            del text
            if progress is not None:
                progress(min(len(quads), start + size))
    finally:
        loads.close()
    if set_aside:
        store.bulk_extend(set_aside)


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
#: of the synthetic data, a slice about as big as ``bulk_write``'s; at 10^6 quads the fastest of 4, 8, 16
#: and 32 MiB, eight at once)
RDF_CHUNK_BYTES = 16 << 20
#: formats with one statement a line, so a file can be cut at any line and its pieces parsed at once
LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
#: graphs councilkg writes itself: a file's copy of them (an export of a store holds both) is left out
RESERVED_GRAPHS = (LOADS_GRAPH, ONTOLOGY_GRAPH)


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
    from loaders.errors import LoadError

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
    from loaders.errors import LoadError

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


def new_memory_store(payloads: Iterable[GraphPayload] = ()) -> ox.Store:
    """An in-memory store holding the ontology and the given payloads (for tests and tools)."""
    store = ox.Store()
    write_graphs(store, [ontology_payload(), *payloads])
    return store


# --------------------------------------------------------------------------------------------
# Store folders and generations
# --------------------------------------------------------------------------------------------


def _is_plain_oxigraph(path: Path) -> bool:
    return (path / "CURRENT").is_file() and any(path.glob("MANIFEST-*"))


class StoreFolder:
    """A store folder with generations (see the module docstring)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser()
        self.current_link = self.root / "current"
        self.generations = self.root / "generations"
        self.lock_path = self.root / ".write.lock"

    def __repr__(self) -> str:
        return f"StoreFolder({str(self.root)!r})"

    # -- reading ------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.current_path() is not None

    def current_path(self) -> Path | None:
        """The directory of the generation readers should use, or None if there is none."""
        if _is_plain_oxigraph(self.root):
            return self.root
        try:
            target = os.readlink(self.current_link)
        except OSError:
            return None
        path = (self.root / target) if not os.path.isabs(target) else Path(target)
        return path if path.is_dir() else None

    def require_current(self) -> Path:
        path = self.current_path()
        if path is None:
            if self.generations.is_dir() and any(p.is_dir() for p in self.generations.iterdir()):
                raise StoreMissingError(
                    f"The store at {self.root} has no finished generation (a load was interrupted). "
                    "Run `councilkg load` to build it."
                )
            raise StoreMissingError(
                f"No store at {self.root}. Build it with `councilkg load` (or `make run`), "
                "or point --store / COUNCILKG_STORE at an existing one."
            )
        return path

    def manifest(self, generation: Path | None = None) -> dict:
        generation = generation or self.current_path()
        if generation is None:
            return {}
        try:
            return json.loads(Path(f"{generation}.json").read_text())
        except (OSError, ValueError):
            return {}

    # -- leases ---------------------------------------------------------------------------------

    def lease(self, generation: Path) -> int:
        """Take a shared lease on a generation (kept until release); returns the file descriptor."""
        fd = os.open(f"{generation}.lease", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_SH)
        return fd

    @staticmethod
    def release(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # -- writing --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write_lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the folder's write lock: one load at a time."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
                        raise StoreLockedError(
                            f"Another load is writing {self.root} (pid {holder}). Wait for it to finish, "
                            "or load into a different --store."
                        ) from None
                    time.sleep(0.2)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _new_generation_path(self) -> Path:
        self.generations.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        return self.generations / f"{stamp}-{os.getpid()}"

    def publish(self, generation: Path, manifest: dict) -> None:
        """Make generation current with one atomic rename of the symlink."""
        Path(f"{generation}.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
        tmp = self.root / f".current.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.symlink(os.path.relpath(generation, self.root), tmp)
        os.replace(tmp, self.current_link)
        _fsync_dir(self.root)

    def cleanup(self) -> list[Path]:
        """Delete generations that are not current and that no reader holds. Call under the write lock."""
        removed: list[Path] = []
        current = self.current_path()
        if not self.generations.is_dir():
            return removed
        for path in sorted(self.generations.iterdir()):
            if path.suffix in (".json", ".lease") or not path.is_dir():
                continue
            if current is not None and path.resolve() == current.resolve():
                continue
            lease = Path(f"{path}.lease")
            fd = os.open(lease, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a reader still uses it; a later load removes it
                shutil.rmtree(path, ignore_errors=True)
                Path(f"{path}.json").unlink(missing_ok=True)
                lease.unlink(missing_ok=True)
                removed.append(path)
            finally:
                os.close(fd)
        return removed

    def build(self, payloads: list[GraphPayload], *, fresh: bool = False, drop_kinds: Iterable[str] = (),
              check: Callable[[ox.Store], None] | None = None, progress: Callable[[str], None] | None = None,
              lock_wait: float = 0.0, files: Iterable[RdfFile] = ()) -> BuildResult:
        """Build a new generation holding the current one's graphs (unless fresh) with payloads replaced.

        ``files`` are RDF files loaded as they are (``load_rdf_file``), first, into the empty generation;
        their graphs replace the current ones of the same name and those an earlier load of the same file
        wrote (so adding files to a store always carries the rest of it over rather than copying it).
        ``check`` is called on the finished generation before it is published and may raise to
        abandon it. The current generation is never modified.
        """
        files = list(files)
        say = progress or (lambda _msg: None)
        if _is_plain_oxigraph(self.root):
            raise StoreError(f"{self.root} is a plain Oxigraph store; councilkg loads into a store folder it manages. "
                             "Give a new or empty --store folder.")
        started = time.monotonic()
        phases: dict[str, float] = {}
        with self.write_lock(wait=lock_wait), gc_paused():  # the collections below skip the payloads' quads
            removed = self.cleanup()
            if removed:
                say(f"removed {len(removed)} old or interrupted generation(s)")
            current = self.current_path()
            generation = self._new_generation_path()
            # The ontology is small and always refreshed, so a store never lags the code's terms.
            payloads = [ontology_payload(), *[p for p in payloads if p.kind != ONTOLOGY_SOURCE_KIND]]
            carried: list[ox.Quad] | None = None
            loaded: list[RdfFileLoad] = []
            store: ox.Store | None = None
            try:
                if current is not None and not fresh and not files:
                    carried = self._start_from(current, generation, payloads, drop_kinds, phases, say)
                store = ox.Store(str(generation))
                if files:
                    with _timed(phases, "files"):
                        loaded = [_load_file_saying(store, rdf, say) for rdf in files]
                    _yield_to_payloads(loaded, payloads)  # what each file left out is in its notes
                    if current is not None and not fresh:
                        with _timed(phases, "carry"):
                            carried = self._carry(current, payloads, loaded, drop_kinds, say)
                if carried is not None or current is None or fresh:
                    drop_kinds = ()  # the new generation holds only what was carried
                _say_writing(say, payloads)
                with _timed(phases, "write"):
                    # bulk even when adding to a copy: the generation is private, and one transaction of
                    # 10^6 quads took 5x as long and 1.5x the memory
                    write_graphs(store, payloads, drop_kinds=drop_kinds, bulk=True, progress=tenths(say, "passed to the indexer:"),
                                 carried=carried)
                    del carried
                    store.flush()
                if check is not None:
                    say("checking the new store")
                    with _timed(phases, "check"):
                        check(store)
                say("compacting the new store")
                with _timed(phases, "compact"):
                    counts = _counts_while_optimizing(store)
                    if loaded:  # recorded once counted; a few quads a graph, after the compaction
                        store.extend(file_load_records(store, loaded, counts))
                        counts[LOADS_GRAPH] = sum(1 for _ in store.quads_for_pattern(None, None, None, LOADS_GRAPH))
                    store.flush()
                del store
                gc.collect()
                manifest = {
                    "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "graphs": {g.value: n for g, n in counts.items()},
                    "triples": sum(counts.values()),
                    "loaded": [p.graph.value for p in payloads] + [g.value for f in loaded for g in f.graphs],
                }
                self.publish(generation, manifest)
            except BaseException as exc:
                # Close the half-built store before removing it: its background compactions would otherwise go
                # on writing files into the folder being removed. The failed call's frames hold it too.
                store = None  # noqa: F841 - the reference goes, so the store closes
                traceback.clear_frames(exc.__traceback__)
                gc.collect()
                shutil.rmtree(generation, ignore_errors=True)
                Path(f"{generation}.json").unlink(missing_ok=True)
                raise
            removed = self.cleanup()
        return BuildResult(generation, manifest, time.monotonic() - started, phases, loaded)

    def _start_from(self, current: Path, generation: Path, payloads: list[GraphPayload], drop_kinds: Iterable[str],
                    phases: dict[str, float], say: Callable[[str], None]) -> list[ox.Quad] | None:
        """Start a generation that adds payloads to the current one. Usually a copy of it (hard links, so
        instant), whose replaced graphs the write then removes; but removing is a transaction costing
        about 20 us a quad, so when most of the store is replaced (loading the same synthetic data again)
        the graphs that stay are read out instead and returned to be written with the payloads."""
        source = ox.Store.read_only(str(current))
        try:
            names = {p.graph for p in payloads}
            replaced = names | set(stale_graphs(source, names, drop_kinds))
            counts = {ox.NamedNode(g): n for g, n in self.manifest(current).get("graphs", {}).items()}
            replacing, total = sum(n for g, n in counts.items() if g in replaced), sum(counts.values())
            if 2 * replacing <= total:
                say(f"copying the current store ({current.name})")
                with _timed(phases, "copy"):
                    source.backup(str(generation))
                return None
            say(f"{replacing:,} of the current store's {total:,} triples are replaced: starting afresh with the rest of it")
            with _timed(phases, "carry"):
                return carried_quads(source, replaced)
        finally:
            del source

    def _carry(self, current: Path, payloads: list[GraphPayload], loaded: list[RdfFileLoad], drop_kinds: Iterable[str],
               say: Callable[[str], None]) -> list[ox.Quad]:
        """The current generation's quads that stay when files are added to it: all but the graphs of the
        payloads and the files, those stale by drop_kinds, and those an earlier load of the same files wrote."""
        source = ox.Store.read_only(str(current))
        try:
            names = {p.graph for p in payloads} | {g for load in loaded for g in load.graphs}
            earlier = graphs_from(source, (str(load.file.path) for load in loaded))
            replaced = names | earlier | set(stale_graphs(source, names, drop_kinds))
            say(f"carrying the current store's other graphs over ({current.name})")
            return carried_quads(source, replaced)
        finally:
            del source


def carried_quads(source: ox.Store, replaced: set[ox.NamedNode]) -> list[ox.Quad]:
    """Every quad of source outside the replaced graphs, but the load records of the replaced graphs."""
    quads: list[ox.Quad] = list(source.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for graph in source.named_graphs():
        if graph == LOADS_GRAPH:
            quads += (q for q in source.quads_for_pattern(None, None, None, graph) if q.subject not in replaced)
        elif graph not in replaced:
            quads += source.quads_for_pattern(None, None, None, graph)
    return quads


@dataclass
class BuildResult:
    generation: Path
    manifest: dict
    seconds: float
    #: seconds spent in each step that ran: "copy" (the current store) or "carry" (the graphs of it that stay,
    #: when most of it is replaced, or when files are added), "files" (loading RDF files), "write", "check",
    #: "compact"
    phases: dict[str, float] = field(default_factory=dict)
    #: the RDF files loaded, with the graphs each wrote
    files: list[RdfFileLoad] = field(default_factory=list)


#: a load of more payloads than this names the first few and sums the rest
WRITING_LINES = 8


def yield_to_payloads(path: Path, graphs: list[ox.NamedNode], payloads: list[GraphPayload]
                      ) -> tuple[list[ox.NamedNode], list[str]]:
    """A graph both a file and another source of the same load hold is the other source's (the curated data,
    when an export of a store is loaded back with it). Returns the file's graphs that stay its own, and a
    note for each of the others."""
    given = {p.graph: p for p in payloads}
    kept = [g for g in graphs if g not in given]
    notes = [f"{path.name}: the graph <{g.value}> is replaced by the one read from {given[g].origin}"
             for g in graphs if g in given]
    return kept, notes


def _yield_to_payloads(loaded: list[RdfFileLoad], payloads: list[GraphPayload]) -> None:
    """Each file's graphs another payload holds are left to the payload, which replaces them as it is
    written, so the file does not record them."""
    for load in loaded:
        load.graphs, notes = yield_to_payloads(load.file.path, load.graphs, payloads)
        load.notes += notes


def _load_file_saying(store: ox.Store, rdf: RdfFile, say: Callable[[str], None]) -> RdfFileLoad:
    size = rdf.path.stat().st_size
    say(f"loading {rdf.path} ({size / 1e6:,.1f} MB) as it is")
    report = tenths(say, f"{rdf.path.name} read:", "MB")
    return load_rdf_file(store, rdf, progress=(lambda done, total: report(done // 10**6, total // 10**6))
                         if size >= 8 * RDF_CHUNK_BYTES else None)


def _say_writing(say: Callable[[str], None], payloads: list[GraphPayload]) -> None:
    shown = payloads if len(payloads) <= WRITING_LINES else payloads[:WRITING_LINES - 1]
    for p in shown:
        say(f"writing {p.label}: {len(p.quads):,} triples")
    rest = payloads[len(shown):]
    if rest:
        say(f"writing {len(rest):,} more graphs: {sum(len(p.quads) for p in rest):,} triples")


def tenths(say: Callable[[str], None], what: str, unit: str = "triples") -> Callable[[int, int], None]:
    """A progress callback ``report(done, total)`` that speaks at each further tenth of the total:
    "<what> 1,000 of 10,000 triples (10%)"."""
    said = [0]

    def report(done: int, total: int) -> None:
        done = min(done, total)
        tenth = 10 * done // max(total, 1)
        if tenth > said[0]:
            said[0] = tenth
            say(f"{what} {done:,} of {total:,} {unit} ({10 * tenth}%)")
    return report


@contextlib.contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.monotonic()
    try:
        yield
    finally:
        phases[name] = time.monotonic() - started


def _counts_while_optimizing(store: ox.Store) -> dict[ox.NamedNode, int]:
    """Compact a finished generation (queries on a bulk-loaded store run up to 2.8x faster once compacted)
    and count its graphs on another thread meanwhile: both only read the same content."""
    counted: dict[str, dict[ox.NamedNode, int] | BaseException] = {}

    def count() -> None:
        try:
            counted["counts"] = graph_counts(store)
        except BaseException as exc:  # re-raised below
            counted["counts"] = exc

    counter = threading.Thread(target=count, name="graph-counts")
    counter.start()
    try:
        store.optimize()
    finally:
        counter.join()
    result = counted["counts"]
    if isinstance(result, BaseException):
        raise result
    return result


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def graph_counts(store: ox.Store) -> dict[ox.NamedNode, int]:
    """Triples per named graph."""
    counts: dict[ox.NamedNode, int] = {}
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    for row in store.query(query):
        counts[row["g"]] = int(row["n"].value)
    return counts


# --------------------------------------------------------------------------------------------
# A read-only handle that follows the current generation
# --------------------------------------------------------------------------------------------


class ReadOnlyStore:
    """A read-only handle on a store folder that switches to a newer generation when one is published.

    Thread-safe: one handle can be shared by every session of an app. ``store()`` returns the
    pyoxigraph Store for the current generation (re-checking the symlink at most every
    ``check_interval`` seconds); the handle holds a lease so the generation is not deleted
    while in use.
    """

    def __init__(self, folder: StoreFolder | Path | str, check_interval: float = 1.0) -> None:
        self.folder = folder if isinstance(folder, StoreFolder) else StoreFolder(folder)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._store: ox.Store | None = None
        self._path: Path | None = None
        self._lease: int | None = None
        self._checked = 0.0
        # Generations this handle has moved off: their leases are kept for a grace period so a
        # query that began on the old generation finishes before a later load may delete it.
        self._retired: list[tuple[float, ox.Store, int | None]] = []

    @property
    def path(self) -> Path | None:
        return self._path

    def store(self) -> ox.Store:
        with self._lock:
            now = time.monotonic()
            if self._store is None or now - self._checked >= self.check_interval:
                self._checked = now
                current = self.folder.require_current()
                if self._path is None or current.resolve() != self._path.resolve():
                    self._open(current)
            assert self._store is not None
            return self._store

    def _open(self, path: Path) -> None:
        lease = self.folder.lease(path) if path != self.folder.root else None
        try:
            store = ox.Store.read_only(str(path))
        except OSError as exc:
            if lease is not None:
                StoreFolder.release(lease)
            raise StoreError(f"Cannot open the store at {path}: {exc}. If a load is running, wait and retry; "
                             "otherwise rebuild it with `councilkg load`.") from exc
        now = time.monotonic()
        if self._store is not None:
            self._retired.append((now, self._store, self._lease))
        self._store, self._path, self._lease = store, path, lease
        keep = []
        for retired_at, old_store, old_lease in self._retired:
            if now - retired_at < RETIRE_GRACE_SECONDS:
                keep.append((retired_at, old_store, old_lease))
            elif old_lease is not None:
                StoreFolder.release(old_lease)
        self._retired = keep

    def close(self) -> None:
        with self._lock:
            self._store = None
            self._path = None
            for _, _, lease in self._retired:
                if lease is not None:
                    StoreFolder.release(lease)
            self._retired = []
            if self._lease is not None:
                StoreFolder.release(self._lease)
                self._lease = None
