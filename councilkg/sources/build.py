"""Building the store from its sources: read and validate every input, then write a new generation.

Everything is read and validated before the store is touched, so a bad input changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import ValidationFailed
from councilkg.model import iris
from councilkg.paths import CURATED_DIR
from councilkg.store import RDF_FILE_KIND, BuildResult, GraphPayload, RdfFile, StoreFolder, gc_paused, tenths, yield_to_payloads
from councilkg.store.shacl import validate_payloads

Progress = Callable[[str], None]

# What national loaders need to know of a store they add to (see councilkg.sources.ofsted.context_from).
_CONTEXT_PREDICATES = {iris.ckg.gssCode, iris.rdfs.label, iris.skos.altLabel, iris.ckg.authorityStatus,
                       iris.ckg.inspectedAuthority, iris.ckg.publicationDate, iris.ckg.fieldworkStart,
                       iris.ckg.inspectionType, iris.ckg.judgementOf}


#: from this many synthetic triples (a few seconds of generating) the generation reports each tenth
LONG_GENERATION = 1_000_000


@dataclass
class LoadPlan:
    """What to load: the curated folder (None to leave curated graphs as they are) and other inputs."""

    curated: Path | None = CURATED_DIR
    ofsted: list[Path] = field(default_factory=list)
    lookups: list[Path] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)
    synthetic: int = 0  # about this many synthetic triples (loaders/synthetic.py); 0 for none
    synthetic_seed: int = 1
    rdf: list[Path] = field(default_factory=list)  # RDF files loaded as they are (loaders/rdffile.py)
    fresh: bool = False
    validate: bool = True

    def drop_kinds(self) -> list[str]:
        """Source kinds whose graphs this load replaces as a whole: a curated file deleted since the last
        load loses its graph, and a document load replaces the documents loaded before (give every
        folder at once)."""
        return (["curated"] if self.curated is not None else []) + (["documents", "candidates"] if self.documents else [])


@dataclass
class LoadReport:
    payloads: list[GraphPayload]
    result: BuildResult
    read_seconds: float
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{'source':<60} {'kind':<10} {'triples':>9}"]
        for p in self.payloads:
            out.append(f"{p.label[:60]:<60} {p.kind:<10} {len(p.quads):>9,}")
        counts = self.result.manifest.get("graphs", {})
        for f in self.result.files:
            what = f"{f.file.path.name} ({len(f.graphs):,} graph{'' if len(f.graphs) == 1 else 's'})"
            out.append(f"{what[:60]:<60} {RDF_FILE_KIND:<10} {sum(counts.get(g.value, 0) for g in f.graphs):>9,}")
        total = self.result.manifest.get("triples", 0)
        steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.result.phases.items())
        out.append(f"store now holds {total:,} triples in {len(self.result.manifest.get('graphs', {}))} graphs "
                   f"(read {self.read_seconds:.2f} s, built {self.result.seconds:.2f} s" + (f": {steps})" if steps else ")"))
        return out


def curated_payloads(directory: Path) -> list[GraphPayload]:
    from councilkg.sources.curated import load_curated

    return [GraphPayload(g.graph, g.label, "curated", g.origin, g.content_hash, g.quads) for g in load_curated(directory)]


def collect_payloads(plan: LoadPlan, progress: Progress | None = None,
                     existing: ox.Store | None = None) -> tuple[list[GraphPayload], list[str]]:
    """Read and validate every input of the plan. Raises LoadError or ValidationFailed.

    ``existing`` is the store being added to, if any: national data finds the authorities and
    inspections it already holds, so they stay one node each.
    """
    say = progress or (lambda _m: None)
    payloads: list[GraphPayload] = []
    warnings: list[str] = []
    if plan.curated is not None:
        say(f"reading curated data from {plan.curated}")
        payloads.extend(curated_payloads(plan.curated))
    if plan.lookups or plan.ofsted:
        from councilkg.sources.ofsted import context_from, load_lookup, load_ofsted

        for path in plan.lookups:
            say(f"reading authority lookup {path}")
            payloads.append(load_lookup(path))
        if plan.ofsted:
            known = [q for p in payloads for q in p.quads]
            if existing is not None and not plan.fresh:
                loading = {p.graph for p in payloads}
                known += [q for q in existing.quads_for_pattern(None, None, None, None)
                          if q.graph_name not in loading and q.predicate in _CONTEXT_PREDICATES]
            context = context_from(known)
            say(f"reading Ofsted data: {', '.join(str(p) for p in plan.ofsted)}")
            found, notes = load_ofsted(plan.ofsted, lookups=plan.lookups, context=context, progress=say)
            payloads.extend(found)
            warnings.extend(notes)
    if plan.documents:
        from councilkg.sources.documents import NAME_PREDICATES, load_documents

        known = [q for p in payloads for q in p.quads if q.predicate in NAME_PREDICATES]
        if existing is not None and not plan.fresh:
            loading = {p.graph for p in payloads}
            known += [q for predicate in NAME_PREDICATES for q in existing.quads_for_pattern(None, predicate, None, None)
                      if q.graph_name not in loading]
        for path in plan.documents:
            say(f"reading documents in {path}")
            found, notes = load_documents(path, progress=say, known=known)
            payloads.extend(found)
            warnings.extend(notes)
    if plan.synthetic:
        from councilkg.sources.synthetic import generate

        say(f"generating about {plan.synthetic:,} synthetic triples (seed {plan.synthetic_seed}); they are marked synthetic")
        report = tenths(say, "generated") if plan.synthetic >= LONG_GENERATION else None
        generated = 0
        with gc_paused():
            for payload in generate(plan.synthetic, plan.synthetic_seed):
                payloads.append(payload)
                generated += len(payload.quads)
                if report is not None:
                    report(generated, plan.synthetic)
    if plan.validate:
        # The national tables are checked row by row as they are read; their SHACL check (tens of
        # seconds with pyshacl) is left to `councilkg validate`.
        checked = [p for p in payloads if p.kind in ("curated", "lookup")]
        if checked:
            say(f"checking {len(checked)} source graph(s) against the SHACL shapes")
            violations = validate_payloads(checked)
            if violations:
                raise ValidationFailed(violations)
    return payloads, warnings


def rdf_files(plan: LoadPlan) -> list[RdfFile]:
    """The plan's RDF files, each checked to exist and to have a known format. Raises LoadError."""
    from councilkg.sources.rdffile import rdf_file

    return [rdf_file(path) for path in plan.rdf]


def read_files(files: list[RdfFile], payloads: list[GraphPayload], progress: Progress | None = None
               ) -> tuple[list[GraphPayload], list[str]]:
    """The files' graphs read into payloads (for a Graph Store endpoint, or to check them), as a load into the
    embedded store takes them: a graph another payload holds is that payload's. Returns them and the notes."""
    from councilkg.sources.rdffile import file_payloads

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
    from councilkg.store import ReadOnlyStore

    started = time.monotonic()
    files = rdf_files(plan)
    handle = ReadOnlyStore(folder) if folder.exists() and not plan.fresh and (plan.ofsted or plan.documents) else None
    try:
        payloads, warnings = collect_payloads(plan, progress, handle.store() if handle else None)
    finally:
        if handle is not None:
            handle.close()
    read_seconds = time.monotonic() - started
    result = folder.build(payloads, fresh=plan.fresh, drop_kinds=plan.drop_kinds(), progress=progress, lock_wait=lock_wait,
                          files=files)
    return LoadReport(payloads, result, read_seconds, warnings + [n for f in result.files for n in f.notes])
