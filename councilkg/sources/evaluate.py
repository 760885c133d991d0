"""Measure the document loader against the curated data: mention recall, candidate precision and recall.

The curated files cite their seed document by file name. For each loaded document that has a
curated source, the curated facts of the kinds the loader proposes (a person's title, a
judgement, fieldwork and publication dates, a visit's number and focus) are the truth; a
candidate is correct if it states one of them. ``python bench/evaluate_documents.py`` prints the
figures; the tests check the acceptance cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from councilkg.model.iris import RDF_TYPE, ckg, dcterms, foaf, org, rdfs
from councilkg.paths import CURATED_DIR
from councilkg.sources.curated import curated_payloads
from councilkg.sources.documents import load_documents
from councilkg.store import new_memory_store


@dataclass
class Evaluation:
    people: int = 0  # curated people named in a loaded document's curated source
    people_linked: int = 0  # ... linked to a passage of that document
    unlinked: list[str] = field(default_factory=list)
    truth: set[tuple] = field(default_factory=set)
    proposed: set[tuple] = field(default_factory=set)
    per_kind: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # kind -> (correct, proposed, true)

    @property
    def correct(self) -> set[tuple]:
        return self.truth & self.proposed

    @property
    def precision(self) -> float:
        return len(self.correct) / len(self.proposed) if self.proposed else 0.0

    @property
    def recall(self) -> float:
        return len(self.correct) / len(self.truth) if self.truth else 0.0

    def lines(self) -> list[str]:
        out = [f"people linked to the passages of their documents: {self.people_linked}/{self.people}"
               + (f" (not linked: {', '.join(sorted(self.unlinked))})" if self.unlinked else ""),
               f"candidate facts: precision {self.precision:.2f} ({len(self.correct)}/{len(self.proposed)}), "
               f"recall {self.recall:.2f} ({len(self.correct)}/{len(self.truth)})"]
        for kind, (ok, proposed, true) in sorted(self.per_kind.items()):
            out.append(f"  {kind:<18} correct {ok:>3}  proposed {proposed:>3}  in the curated data {true:>3}")
        return out


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.replace("\u2019", "'").lower()).strip()


def _values(store: ox.Store, graph: ox.NamedNode, predicate: ox.NamedNode) -> list[tuple[ox.NamedNode, str]]:
    return [(q.subject, q.object.value) for q in store.quads_for_pattern(None, predicate, None, graph)]


def _truth(store: ox.Store, graph: ox.NamedNode, file: str) -> set[tuple]:
    """The curated facts of one source, in the shape candidates take: (file, kind, value, detail)."""
    truth: set[tuple] = set()
    for membership, title in _values(store, graph, ckg.titleAsWritten):
        for q in store.quads_for_pattern(membership, org.member, None, graph):
            truth.add((file, "post", q.object.value, _norm(title)))
    for judgement, _ in _values(store, graph, ckg.grade):
        grade = next(store.quads_for_pattern(judgement, ckg.grade, None, graph)).object.value.rsplit("/", 1)[-1]
        area = next(store.quads_for_pattern(judgement, ckg.judgementArea, None, graph)).object.value.rsplit("/", 1)[-1]
        truth.add((file, "judgement", grade, "overall" if area.endswith("overall") else area))
    for prop, kind in ((ckg.fieldworkEnd, "fieldwork-end"), (ckg.publicationDate, "publication-date"),
                       (ckg.visitNumber, "visit-number")):
        for _, value in _values(store, graph, prop):
            truth.add((file, kind, value, ""))
    for inspection, start in _values(store, graph, ckg.fieldworkStart):
        for q in store.quads_for_pattern(inspection, ckg.fieldworkEnd, None, graph):
            truth.add((file, "fieldwork", f"{start}/{q.object.value}", ""))
    for _, person in _values(store, graph, ckg.creditedTo):
        truth.add((file, "credit", person, ""))
    for _, focus in _values(store, graph, ckg.focusAsWritten):
        truth.add((file, "visit-focus", _norm(focus), ""))
    return truth


def evaluate(documents: Path, curated: Path = CURATED_DIR) -> Evaluation:
    payloads = curated_payloads(curated)
    known = [q for p in payloads for q in p.quads]
    docs, _warnings = load_documents(documents, known=known)
    store = new_memory_store([*payloads, *docs])
    result = Evaluation()
    files = {q.object.value: q.subject for q in store.quads_for_pattern(None, ckg.fileName, None, None)
             if q.graph_name == q.subject and any(p.graph == q.subject and p.kind == "curated" for p in payloads)}
    loaded = {q.object.value: q.subject for q in store.quads_for_pattern(None, ckg.fileName, None, None)
              if any(p.graph == q.subject and p.kind == "documents" for p in docs)}
    for file, graph in files.items():
        document = loaded.get(file)
        if document is None:
            continue
        mentioned = {q.object for q in store.quads_for_pattern(None, ckg.mentions, None, document)}
        people = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, foaf.Person, graph)}
        for person in people:
            result.people += 1
            if person in mentioned:
                result.people_linked += 1
            else:
                label = next(store.quads_for_pattern(person, rdfs.label, None, graph), None)
                result.unlinked.append(label.object.value if label else person.value)
        result.truth |= _truth(store, graph, file)
    kinds = {t[1] for t in result.truth}
    for cand in {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ckg.CandidateFact, None)}:
        def one(p: ox.NamedNode, c: ox.NamedNode = cand) -> str:
            found = next(store.quads_for_pattern(c, p, None, None), None)
            return found.object.value if found else ""

        kind, value, detail = one(ckg.candidateKind), one(ckg.candidateValue), one(ckg.candidateDetail)
        document = ox.NamedNode(one(dcterms.source))
        file = next((f for f, d in loaded.items() if d == document), "")
        if kind == "post":
            proposed = (file, kind, one(ckg.candidateSubject), _norm(value))
        elif kind == "credit":
            proposed = (file, kind, one(ckg.candidateSubject), "")
        elif kind == "visit-focus":
            proposed = (file, kind, _norm(value), "")
        else:
            proposed = (file, kind, value, detail if kind == "judgement" else "")
        if file in files and kind in kinds | {"post", "judgement", "credit"}:
            result.proposed.add(proposed)
    for kind in sorted(kinds | {t[1] for t in result.proposed}):
        true = {t for t in result.truth if t[1] == kind}
        proposed = {t for t in result.proposed if t[1] == kind}
        result.per_kind[kind] = (len(true & proposed), len(proposed), len(true))
    return result
