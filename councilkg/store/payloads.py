"""Graph payloads (one source graph's quads) and writing them into a store, in bulk where that is faster."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph as ox

from councilkg.paths import ONTOLOGY_FILES
from councilkg.store.graphs import LOADS_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_SOURCE_KIND, GraphPayload, load_records, stale_graphs

# --------------------------------------------------------------------------------------------
# Graph payloads
# --------------------------------------------------------------------------------------------




def ontology_payload() -> GraphPayload:
    """The ontology and concept schemes, in the graph named by the ontology IRI."""

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
    collection walks all of them, which costs a large part of generating synthetic quads (see
    docs/performance.md). Objects that exist on entry are frozen (left out of collections, including explicit
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
#: sorts are cheaper, in time and in memory: see docs/performance.md for the sizes measured.
BULK_SLICE = 62_500


def bulk_plan(quads: int) -> tuple[int, int]:
    """How to bulk-write this many quads: (quads per ``bulk_load`` call, calls loading at once), or
    (0, 0) for one ``bulk_extend``. Four calls per CPU this process may use, at most 32: each call
    waits on the disk part of the time (how many at once was measured: see docs/performance.md)."""
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




def new_memory_store(payloads: Iterable[GraphPayload] = ()) -> ox.Store:
    """An in-memory store holding the ontology and the given payloads (for tests and tools)."""
    store = ox.Store()
    write_graphs(store, [ontology_payload(), *payloads])
    return store


