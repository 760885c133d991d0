"""``councilkg doctor``: check a store folder and say what to do about anything wrong.

Checks, in order: the folder and its current generation; leftovers of interrupted loads; a load
in progress; that the store opens read-only; that each graph holds the triples its manifest
recorded; the sources loaded, listed as their kinds ask (``councilkg.sources.registry``); the
ontology and the curated data against what was loaded (changed since?); the SHACL shapes on the
graphs of the kinds held to them (curated and lookup); and that the ``oxigraph`` server used by
``councilkg serve`` is installed. Each finding is ok, warn or error with advice.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from councilkg.cli.serve import oxigraph_binary
from councilkg.errors import LoadError, StoreError
from councilkg.sources import registry
from councilkg.sources.curated import CURATED, load_curated
from councilkg.store import LOADS_GRAPH, ONTOLOGY_GRAPH, StoreFolder, graph_counts, ontology_payload
from councilkg.store.shacl import validate_store


@dataclass
class Finding:
    level: str  # ok | warn | error
    what: str
    advice: str = ""

    def __str__(self) -> str:
        mark = {"ok": "ok   ", "warn": "WARN ", "error": "ERROR"}[self.level]
        return f"{mark} {self.what}" + (f"\n      -> {self.advice}" if self.advice else "")


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def _leftovers(folder: StoreFolder, current: Path | None) -> list[Path]:
    if not folder.generations.is_dir():
        return []
    out = []
    for path in folder.generations.iterdir():
        if path.is_dir() and (current is None or path.resolve() != current.resolve()):
            out.append(path)
    return out


def _load_running(folder: StoreFolder) -> str | None:
    if not folder.lock_path.exists():
        return None
    fd = os.open(folder.lock_path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    except OSError:
        return os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
    finally:
        os.close(fd)


def _loaded(store: ox.Store) -> dict[str, dict[str, str]]:
    """graph IRI -> its load record (kind, loadedAt, contentHash, tripleCount, label)."""
    out: dict[str, dict[str, str]] = {}
    for quad in store.quads_for_pattern(None, None, None, LOADS_GRAPH):
        out.setdefault(quad.subject.value, {})[quad.predicate.value.rsplit("#", 1)[-1]] = quad.object.value
    return out


def check(folder: StoreFolder, *, shacl: bool = True, curated_dir: Path | None = None,
          progress: Callable[[str], None] | None = None) -> list[Finding]:
    """Every finding about the store folder, worst problems included; never raises for a broken store."""
    say = progress or (lambda _m: None)
    findings: list[Finding] = []
    current = folder.current_path()
    if current is None:
        try:
            folder.require_current()
        except StoreError as exc:
            findings.append(Finding("error", str(exc).split(". ")[0] + ".", "Run `councilkg load` (or `make store`) to build it."))
        findings.extend(_leftover_findings(folder, None))
        return findings
    findings.append(Finding("ok", f"store folder {folder.root}, current generation {current.name}"))
    findings.extend(_leftover_findings(folder, current))
    pid = _load_running(folder)
    if pid:
        findings.append(Finding("warn", f"a load is running now (pid {pid})",
                                "Readers keep using the current generation until it finishes; check again afterwards."))
    say("opening the store read-only")
    try:
        store = ox.Store.read_only(str(current))
    except OSError as exc:
        findings.append(Finding("error", f"the store does not open: {exc}", "Rebuild it: `councilkg load --fresh`."))
        return findings
    counts = {g.value: n for g, n in graph_counts(store).items()}
    total = sum(counts.values())
    findings.append(Finding("ok", f"opens read-only: {total:,} triples in {len(counts)} graphs"))
    manifest = folder.manifest(current)
    recorded = manifest.get("graphs", {})
    if not recorded:
        findings.append(Finding("warn", "the generation has no manifest (it was not built by councilkg load)",
                                "Rebuild with `councilkg load --fresh` so the store can be checked against it."))
    else:
        wrong = [g for g in set(recorded) | set(counts) if recorded.get(g) != counts.get(g)]
        if wrong:
            findings.append(Finding("error", f"{len(wrong)} graph(s) do not hold the triples recorded when the store was built "
                                             f"(e.g. {sorted(wrong)[0]})",
                                    "The store was changed outside councilkg or is damaged: rebuild with `councilkg load --fresh`."))
        else:
            findings.append(Finding("ok", f"every graph holds the triples recorded at build time ({manifest.get('built_at', '?')})"))
    loaded = _loaded(store)
    findings.extend(_source_findings(loaded, curated_dir, say))
    if shacl:
        findings.extend(_shacl_findings(store, loaded, say))
    findings.extend(_server_finding())
    del store
    return findings


def _leftover_findings(folder: StoreFolder, current: Path | None) -> list[Finding]:
    left = _leftovers(folder, current)
    if not left:
        return []
    size = sum(_size(p) for p in left) / 1e6
    return [Finding("warn", f"{len(left)} old or interrupted generation(s) in {folder.generations} ({size:,.1f} MB)",
                    "The next `councilkg load` removes those no reader is using; nothing else to do.")]


def _source_findings(loaded: dict[str, dict[str, str]], curated_dir: Path | None, say: Callable[[str], None]) -> list[Finding]:
    findings = []
    by_kind: dict[str, list[str]] = {}
    for graph, record in loaded.items():
        by_kind.setdefault(record.get("loadKind", "?"), []).append(graph)
    summary = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_kind.items()))
    findings.append(Finding("ok", f"sources loaded: {summary}"))
    listed = {g.name: g.listed for g in registry.graph_kinds()}  # a kind no source registers is listed graph by graph
    for graph, record in sorted(loaded.items(), key=lambda item: (item[1].get("loadKind", ""), item[0])):
        if listed.get(record.get("loadKind", ""), "each") == "each":
            findings.append(Finding("ok", f"  {record.get('label', graph)} [{record.get('loadKind')}] loaded "
                                          f"{record.get('loadedAt', '?')}, {int(record.get('tripleCount', 0)):,} triples"))
    files: dict[tuple[str, str], list[dict[str, str]]] = {}  # a file may hold hundreds of graphs: one line a file
    for record in loaded.values():
        if listed.get(record.get("loadKind", "")) == "by-file":
            files.setdefault((record.get("origin", "?"), record.get("loadKind", "")), []).append(record)
    for (origin, kind), records in sorted(files.items()):
        findings.append(Finding("ok", f"  {origin} [{kind}] loaded {max(r.get('loadedAt', '?') for r in records)}, "
                                      f"{len(records):,} graph(s), {sum(int(r.get('tripleCount', 0)) for r in records):,} triples"))
    ontology = loaded.get(ONTOLOGY_GRAPH.value)
    if ontology is None or ontology.get("contentHash") != ontology_payload().content_hash:
        findings.append(Finding("warn", "the ontology has changed since the store was built",
                                "Run `councilkg load` to rebuild with the current terms."))
    curated = {g: r for g, r in loaded.items() if r.get("loadKind") == CURATED.name}
    if curated:
        say("comparing data/curated with what was loaded")
        try:
            now = {g.graph.value: g.content_hash for g in load_curated(curated_dir)}
        except LoadError as exc:
            findings.append(Finding("error", f"the curated data does not load: {str(exc).splitlines()[0]}",
                                    "Fix the files it names (`councilkg validate` lists every problem); the store is unchanged."))
            return findings
        changed = [g for g in now if g in curated and curated[g].get("contentHash") != now[g]]
        added = [g for g in now if g not in curated]
        removed = [g for g in curated if g not in now]
        if changed or added or removed:
            findings.append(Finding("warn", f"the curated data has changed since it was loaded ({len(changed)} changed, "
                                            f"{len(added)} new, {len(removed)} removed)", "Run `councilkg load`."))
        else:
            findings.append(Finding("ok", f"the {len(curated)} curated sources match data/curated"))
    return findings


def _shacl_findings(store: ox.Store, loaded: dict[str, dict[str, str]], say: Callable[[str], None]) -> list[Finding]:
    kinds = registry.checked_graph_kinds()
    checked = [ox.NamedNode(g) for g, r in loaded.items() if r.get("loadKind") in kinds]
    if not checked:
        return []
    say(f"checking {len(checked)} graph(s) against the SHACL shapes")
    violations = validate_store(store, checked)
    if violations:
        return [Finding("error", f"{len(violations)} SHACL violation(s), e.g. {violations[0]}",
                        "`councilkg validate --built` lists them; fix the source and run `councilkg load`.")]
    return [Finding("ok", f"SHACL: {len(checked)} {' and '.join(kinds)} graph(s) conform")]


def _server_finding() -> list[Finding]:
    try:
        oxigraph_binary()
    except StoreError as exc:
        return [Finding("warn", "`councilkg serve` cannot run: the oxigraph server is not installed", str(exc))]
    return []
