"""Store access: the embedded Oxigraph store on disk, built in generations and switched atomically.

A *store folder* (``--store PATH``, default ``<project>/store``) holds::

    current -> generations/<id>     a relative symlink to the generation readers use
    generations/<id>/               a complete pyoxigraph (RocksDB) store, never written once published
    generations/<id>/textindex.sqlite   the text index of its passages (``councilkg.store.textindex``)
    generations/<id>.json           what the generation holds (sources, counts, when built)
    generations/<id>.lease          readers hold a shared lock on it while they use the generation
    .write.lock                     held by the one process building a new generation

A load never writes the store readers use. It builds a new generation beside it (starting from
a cheap hard-linked copy of the current one when it adds to it, or from the current graphs that
stay when most of it is replaced), checks it, and only then
replaces the ``current`` symlink with one ``rename``; the generation's text index is built from its finished
quads before that, so the one rename publishes both. A failed or killed load leaves ``current``
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
import json
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from councilkg.errors import StoreError, StoreLockedError, StoreMissingError
from councilkg.store.graphs import LOADS_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_SOURCE_KIND, GraphPayload, graph_counts, graphs_from, stale_graphs
from councilkg.store.payloads import gc_paused, ontology_payload, write_graphs
from councilkg.store.rdffile import RDF_CHUNK_BYTES, RdfFile, RdfFileLoad, file_load_records, load_rdf_file
from councilkg.store.textindex import build_text_index, index_path

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
                    # bulk even when adding to a copy: the generation is private, and one transaction is far
                    # slower and larger (see docs/performance.md)
                    write_graphs(store, payloads, drop_kinds=drop_kinds, bulk=True, progress=tenths(say, "passed to the indexer:"),
                                 carried=carried)
                    del carried
                    store.flush()
                if check is not None:
                    say("checking the new store")
                    with _timed(phases, "check"):
                        check(store)
                say("compacting the new store and indexing its passages' text")
                # the graphs carried over unchanged are indexed as the current generation's index has them
                previous = index_path(current) if current is not None and not fresh else None
                unchanged = set(store.named_graphs()) - {g for f in loaded for g in f.graphs}
                with _timed(phases, "compact"):
                    counts, text_index = _while_optimizing(store, lambda: graph_counts(store), lambda: build_text_index(
                        store, index_path(generation), payloads, previous=previous, unchanged=unchanged))
                    if loaded:  # recorded once counted; a few quads a graph, after the compaction
                        store.extend(file_load_records(store, loaded, counts))
                        counts[LOADS_GRAPH] = sum(1 for _ in store.quads_for_pattern(None, None, None, LOADS_GRAPH))
                    store.flush()
                phases["text index"] = text_index.seconds  # on its own thread, within "compact"
                del store
                gc.collect()
                manifest = {
                    "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "graphs": {g.value: n for g, n in counts.items()},
                    "triples": sum(counts.values()),
                    "loaded": [p.graph.value for p in payloads] + [g.value for f in loaded for g in f.graphs],
                    "text_index": text_index.manifest(),
                }
                self.publish(generation, manifest)
            except BaseException as exc:
                # Close the half-built store before removing it: its background compactions would otherwise go
                # on writing files into the folder being removed. The failed call's frames hold it too.
                store = None
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
        instant), whose replaced graphs the write then removes; but removing is a transaction, slow per quad
        (see docs/performance.md), so when most of the store is replaced (loading the same synthetic data again)
        the graphs that stay are read out instead and returned to be written with the payloads."""
        source = ox.Store.read_only(str(current))
        try:
            names = {p.graph for p in payloads}
            replaced = names | set(stale_graphs(source, names, drop_kinds))
            # the ontology, rewritten by every load, does not count: it would decide for a small store
            counts = {ox.NamedNode(g): n for g, n in self.manifest(current).get("graphs", {}).items()
                      if g != ONTOLOGY_GRAPH.value}
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
    #: "compact", "text index" (built on its own thread during "compact": its own time)
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


def _while_optimizing(store: ox.Store, *jobs: Callable[[], Any]) -> list[Any]:
    """Compact a finished generation (queries on a bulk-loaded store run faster once compacted: docs/performance.md)
    and run the jobs (counting its graphs, indexing its text), which only read it, each on its own thread meanwhile.
    Returns their results in order; re-raises the first of their errors."""
    results: list[Any] = [None] * len(jobs)

    def run(n: int) -> None:
        try:
            results[n] = jobs[n]()
        except BaseException as exc:  # re-raised below
            results[n] = _Failed(exc)

    threads = [threading.Thread(target=run, args=(n,), name=f"while-optimizing-{n}") for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    try:
        store.optimize()
    finally:
        for thread in threads:
            thread.join()
    for result in results:
        if isinstance(result, _Failed):
            raise result.error
    return results


@dataclass
class _Failed:
    error: BaseException


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


