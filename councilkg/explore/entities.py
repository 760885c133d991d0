"""Entities of the graph: finding them by name, and everything the graph says about one, by source.

Everything here runs through the runner (so it works on the embedded store and on an endpoint)
and returns plain Python data, tested without Streamlit. How it is shown is the app's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from councilkg.explore.lookup import run_internal
from councilkg.model import iris
from councilkg.query.results import Value
from councilkg.query.runner import Runner

KIND_OF_CLASS = {
    iris.CKG + "LocalAuthority": "council",
    iris.NAMESPACES["foaf"] + "Person": "person",
    iris.CKG + "Board": "board",
    iris.CKG + "Committee": "committee",
    iris.CKG + "Inspection": "inspection",
    iris.CKG + "Source": "source",
    iris.NAMESPACES["org"] + "Organization": "organisation",
}
#: the kinds in the order a node of several is named by, and search hits are listed in
KIND_ORDER = ["council", "person", "board", "committee", "inspection", "organisation", "source"]


def _kind(classes: str) -> str:
    """The first kind (in KIND_ORDER) of a node with these space-separated class IRIs."""
    kinds = {KIND_OF_CLASS[c] for c in classes.split() if c in KIND_OF_CLASS}
    return next((k for k in KIND_ORDER if k in kinds), "entity")


# --------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """A node whose name matched a search: its label, IRI and kind (council, person, ...)."""

    label: str
    iri: str
    kind: str


def search(runner: Runner, text: str, limit: int = 50) -> list[Hit]:
    """Councils, people, boards, committees, inspections and sources whose name contains text.

    An exact name comes first, then hits by kind (KIND_ORDER) and label.
    """
    text = " ".join(text.lower().split())
    if len(text) < 2:
        return []
    rows = run_internal(runner.backend, "search_entities", {"text": Value.literal(text)}).strings()
    hits = [Hit(r["name"], r["node"], _kind(r["classes"])) for r in rows]
    exact = [h for h in hits if h.label.lower() == text]
    hits.sort(key=lambda h: (h not in exact, KIND_ORDER.index(h.kind) if h.kind in KIND_ORDER else 99, h.label.lower()))
    return hits[:limit]


# --------------------------------------------------------------------------------------------
# What the graph says about one node
# --------------------------------------------------------------------------------------------


@dataclass
class Fact:
    """One statement about a node ("out": the node is its subject; "in": its object) and its source graph."""

    direction: str
    property: str
    property_label: str
    value: str
    value_label: str
    value_is_iri: bool
    source: str
    source_title: str
    page: str = ""  # the source's page the statement was read from (an Ofsted report's), where known

    @property
    def property_name(self) -> str:
        """The property's label, else its prefixed name."""
        return self.property_label or iris.shorten(self.property)

    @property
    def value_name(self) -> str:
        """The value's label; else an IRI's prefixed name, or the literal itself."""
        return self.value_label or (iris.shorten(self.value) if self.value_is_iri else self.value)


@dataclass
class Entity:
    """A node, its label and kinds, and every statement about it."""

    iri: str
    label: str
    kinds: list[str]
    facts: list[Fact] = field(default_factory=list)

    def sources(self) -> list[tuple[str, str]]:
        """(graph IRI, title) of every source that states something about it, by title."""
        seen: dict[str, str] = {}
        for fact in self.facts:
            seen.setdefault(fact.source, fact.source_title or iris.shorten(fact.source))
        return sorted(seen.items(), key=lambda pair: pair[1].lower())

    def facts_by_source(self) -> dict[str, list[Fact]]:
        """Its facts grouped by the source graph stating them."""
        grouped: dict[str, list[Fact]] = {}
        for fact in self.facts:
            grouped.setdefault(fact.source, []).append(fact)
        return grouped

    def linked(self) -> list[tuple[str, str, str]]:
        """(property, label, IRI) of the nodes this entity links to or is linked from (not concepts)."""
        out = {}
        for fact in self.facts:
            if fact.value_is_iri and not fact.value.startswith(iris.CONCEPT) and fact.property != iris.RDF_TYPE.value:
                out[(fact.property_name, fact.value)] = fact.value_label or iris.shorten(fact.value)
        return sorted(((prop, label, iri) for (prop, iri), label in out.items()), key=lambda t: (t[0], t[1].lower()))


def describe(runner: Runner, iri: str) -> Entity | None:
    """Everything the graph states about a node, with each statement's source (None if unknown)."""
    rows = runner.canned("fact_sources", {"entity": Value.iri(iri)}, limit=None).strings()
    if not rows:
        return None
    kinds, label = [], ""
    facts = []
    for r in rows:
        is_iri = r["value"].startswith(("http://", "https://", "urn:"))
        fact = Fact(r["direction"], r["property"], r["propertyLabel"], r["value"], r["valueLabel"], is_iri,
                    r["source"], r["sourceTitle"], r.get("page", ""))
        facts.append(fact)
        if fact.direction == "out" and fact.property == iris.RDF_TYPE.value and fact.value in KIND_OF_CLASS:
            kinds.append(KIND_OF_CLASS[fact.value])
        if fact.direction == "out" and fact.property == iris.rdfs.label.value and (not label or fact.value < label):
            label = fact.value
    return Entity(iri, label or iris.shorten(iri), sorted(set(kinds), key=KIND_ORDER.index), facts)


def roles_of(runner: Runner, person: str) -> list[dict[str, str]]:
    """The posts and roles a person held, where, when the sources place them, and which source says so."""
    return [{"organisation": r["organisationLabel"], "role": r["roleLabel"], "title": r["title"], "start": r["start"],
             "end": r["end"], "known from": r["knownFrom"], "known until": r["knownUntil"], "source": r["sourceTitle"]}
            for r in runner.canned("person_roles", {"person": Value.iri(person)}, limit=None).strings()]


def judgements_of(runner: Runner, council: str) -> list[dict[str, str]]:
    """A council's Ofsted judgements: when published, the kind of inspection, the area, the grade and the source."""
    return [{"published": r["published"], "type": r["type"], "area": r["area"], "grade": r["grade"], "source": r["sourceTitle"]}
            for r in runner.canned("council_judgements", {"council": Value.iri(council)}, limit=None).strings() if r["area"]]


@dataclass(frozen=True)
class Passage:
    """A passage of a loaded document that names an entity."""

    document: str
    number: str
    text: str
    curated_source: str


def passages_of(runner: Runner, iri: str, limit: int = 200) -> list[Passage]:
    """Passages of loaded documents (``councilkg load --documents``) that name the node, at most limit."""
    return [Passage(p["documentTitle"] or p["fileName"], p["passageNumber"], p["text"], p["curatedSource"])
            for p in runner.canned("entity_passages", {"entity": Value.iri(iri)}, limit=limit).strings()]
