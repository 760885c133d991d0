"""Building the store from its sources: read and validate every input, then write a new generation.

Everything is read and validated before the store is touched, so a bad input changes nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from councilkg.errors import ValidationFailed
from councilkg.sources import registry
from councilkg.sources.curated import curated_payloads
from councilkg.sources.kind import Progress, Reading, SourceKind
from councilkg.sources.rdffile import read_files
from councilkg.store import RDF_FILE_KIND, BuildResult, GraphPayload, RdfFile, ReadOnlyStore, StoreFolder
from councilkg.store.shacl import validate_payloads

__all__ = ["LoadPlan", "LoadReport", "collect_payloads", "collect_with_files", "curated_payloads", "load", "rdf_files",
           "read_files"]


class LoadPlan:
    """What to load: each source kind's inputs, by the names the kinds register (``curated``, a folder or None to
    leave the curated graphs as they are; ``lookups``, ``ofsted``, ``documents`` and ``rdf``, lists of paths;
    ``synthetic``, about how many synthetic triples, and ``synthetic_seed``), an input not given taking its
    default; ``fresh`` to start from an empty store; ``validate`` to hold the curated and lookup graphs to the
    shapes.

        LoadPlan()                                    the curated data in data/curated
        LoadPlan(curated=None, ofsted=[workbook])     a release, leaving the curated graphs as they are
    """

    def __init__(self, *, fresh: bool = False, validate: bool = True, **inputs: Any) -> None:
        defaults = registry.input_defaults()
        unknown = sorted(set(inputs) - set(defaults))
        if unknown:
            raise TypeError(f"LoadPlan has no input {unknown[0]!r}; the source kinds take {', '.join(defaults)}")
        self.inputs: dict[str, Any] = {name: inputs[name] if name in inputs else default() for name, default in defaults.items()}
        self.fresh = fresh
        self.validate = validate

    def __getitem__(self, name: str) -> Any:
        return self.inputs[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LoadPlan) and (self.inputs, self.fresh, self.validate) == (other.inputs, other.fresh, other.validate)

    def __repr__(self) -> str:
        given = ", ".join(f"{name}={value!r}" for name, value in self.inputs.items())
        return f"LoadPlan({given}, fresh={self.fresh}, validate={self.validate})"

    def kinds(self) -> list[SourceKind]:
        """The source kinds this plan gives inputs to, in the order they are read."""
        return [kind for kind in registry.kinds() if kind.given(self.inputs)]

    def drop_kinds(self) -> list[str]:
        """Kinds of graph this load replaces as a whole (those of the kinds it loads that say so): a curated file
        deleted since the last load loses its graph, and a document load replaces the documents loaded before
        (give every folder at once)."""
        return [graph_kind for kind in self.kinds() for graph_kind in kind.replaces]


#: a kind of source with more graphs than this (one a report: hundreds) is listed as one line, in a load's summary,
#: `stats` and the app
LISTED_SEPARATELY = 20


def summed_kinds(kinds: list[str]) -> set[str]:
    """The kinds, among these (one entry a graph), with more than LISTED_SEPARATELY graphs."""
    counts = Counter(kinds)
    return {kind for kind, n in counts.items() if n > LISTED_SEPARATELY}


@dataclass
class LoadReport:
    payloads: list[GraphPayload]
    result: BuildResult
    read_seconds: float
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{'source':<60} {'kind':<10} {'triples':>9}"]
        summed = summed_kinds([p.kind for p in self.payloads])
        for p in self.payloads:
            if p.kind not in summed:
                out.append(f"{p.label[:60]:<60} {p.kind:<10} {len(p.quads):>9,}")
        for kind in sorted({p.kind for p in self.payloads} & summed):
            group = [p for p in self.payloads if p.kind == kind]
            what = f"{len(group):,} graphs of {kind}"
            out.append(f"{what[:60]:<60} {kind:<10} {sum(len(p.quads) for p in group):>9,}")
        counts = self.result.manifest.get("graphs", {})
        for f in self.result.files:
            what = f"{f.file.path.name} ({len(f.graphs):,} graph{'' if len(f.graphs) == 1 else 's'})"
            out.append(f"{what[:60]:<60} {RDF_FILE_KIND:<10} {sum(counts.get(g.value, 0) for g in f.graphs):>9,}")
        total = self.result.manifest.get("triples", 0)
        steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.result.phases.items())
        out.append(f"store now holds {total:,} triples in {len(self.result.manifest.get('graphs', {}))} graphs "
                   f"(read {self.read_seconds:.2f} s, built {self.result.seconds:.2f} s" + (f": {steps})" if steps else ")"))
        return out


def collect_payloads(plan: LoadPlan, progress: Progress | None = None,
                     existing: ox.Store | None = None) -> tuple[list[GraphPayload], list[str]]:
    """Read and validate every input of the plan, kind by kind in the registry's order, each kind knowing what
    those before it read. Raises LoadError or ValidationFailed.

    ``existing`` is the store being added to, if any: national data finds the authorities and
    inspections it already holds, so they stay one node each.
    """
    say = progress or (lambda _m: None)
    payloads: list[GraphPayload] = []
    warnings: list[str] = []
    store = existing if not plan.fresh else None
    for kind in plan.kinds():
        if kind.read is not None:  # else its files are loaded as they are (rdf_files)
            found, notes = kind.read(plan.inputs, Reading(say, tuple(payloads), store))
            payloads.extend(found)
            warnings.extend(notes)
    if plan.validate:
        # The national tables are checked row by row as they are read; their SHACL check (slow with pyshacl: see
        # docs/performance.md) is left to `councilkg validate --built`.
        shaped = registry.checked_graph_kinds()
        checked = [p for p in payloads if p.kind in shaped]
        if checked:
            say(f"checking {len(checked)} source graph(s) against the SHACL shapes")
            violations = validate_payloads(checked)
            if violations:
                raise ValidationFailed(violations)
    return payloads, warnings


def rdf_files(plan: LoadPlan) -> list[RdfFile]:
    """The files the plan's kinds load as they are, each checked to exist and to have a known format. Raises LoadError."""
    return [rdf for kind in plan.kinds() if kind.files is not None for rdf in kind.files(plan.inputs)]


def collect_with_files(plan: LoadPlan, progress: Progress | None = None) -> tuple[list[GraphPayload], list[str]]:
    """The plan's payloads with its RDF files read into payloads too (``read_files``), for a Graph Store
    endpoint or for checking them; the files are checked to exist before anything is read."""
    files = rdf_files(plan)
    payloads, warnings = collect_payloads(plan, progress)
    from_files, notes = read_files(files, payloads, progress)
    return payloads + from_files, warnings + notes


def load(folder: StoreFolder, plan: LoadPlan, progress: Progress | None = None, lock_wait: float = 0.0) -> LoadReport:
    """Read, validate and load the plan's inputs into a new generation of the store folder. RDF files are
    parsed as they are loaded: a syntax error in one abandons the new generation, leaving the store as it was."""
    started = time.monotonic()
    files = rdf_files(plan)
    reads_store = any(kind.needs_store for kind in plan.kinds())
    handle = ReadOnlyStore(folder) if folder.exists() and not plan.fresh and reads_store else None
    try:
        payloads, warnings = collect_payloads(plan, progress, handle.store() if handle else None)
    finally:
        if handle is not None:
            handle.close()
    read_seconds = time.monotonic() - started
    result = folder.build(payloads, fresh=plan.fresh, drop_kinds=plan.drop_kinds(), progress=progress, lock_wait=lock_wait,
                          files=files)
    return LoadReport(payloads, result, read_seconds, warnings + [n for f in result.files for n in f.notes])
