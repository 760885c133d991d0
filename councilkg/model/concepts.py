"""The SKOS concept schemes in ontology/schemes.ttl, indexed for loaders and the app.

Loaders turn the words a source uses ('Requires Improvement', 'LA Monitoring visit') into
concepts; curated data names concepts by the last segment of their IRI ('requires-improvement').
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pyoxigraph as ox

from councilkg.model import iris
from councilkg.paths import ONTOLOGY_FILES


@dataclass
class Concept:
    iri: str
    scheme: str
    name: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    definition: str = ""
    notation: int | None = None
    broader: list[str] = field(default_factory=list)
    framework: str | None = None

    @property
    def node(self) -> ox.NamedNode:
        return ox.NamedNode(self.iri)


def normalise_label(text: str) -> str:
    """Case, spacing, punctuation and apostrophe-insensitive form of a label for matching."""
    text = text.replace("\u2019", "'").replace("&", " and ").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@lru_cache(maxsize=1)
def index() -> dict[str, dict[str, Concept]]:
    """scheme short name -> concept name -> Concept."""
    triples: list[ox.Triple | ox.Quad] = []
    for path in ONTOLOGY_FILES:
        triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    by_iri: dict[str, Concept] = {}
    prefix = iris.CONCEPT
    for t in triples:
        s = t.subject
        if not isinstance(s, ox.NamedNode) or not s.value.startswith(prefix):
            continue
        rest = s.value[len(prefix):]
        if "/" not in rest:
            continue  # a scheme, not a concept
        scheme, name = rest.split("/", 1)
        concept = by_iri.setdefault(s.value, Concept(s.value, scheme, name, name))
        p = t.predicate
        o = t.object
        if p == iris.skos.prefLabel:
            concept.pref_label = o.value
        elif p == iris.skos.altLabel:
            concept.alt_labels.append(o.value)
        elif p == iris.skos.definition:
            concept.definition = o.value
        elif p == iris.skos.notation:
            concept.notation = int(o.value)
        elif p == iris.skos.broader:
            concept.broader.append(o.value)
        elif p == iris.ckg.framework:
            concept.framework = o.value.rsplit("/", 1)[-1]
    result: dict[str, dict[str, Concept]] = {scheme: {} for scheme in iris.SCHEMES}
    for concept in by_iri.values():
        result.setdefault(concept.scheme, {})[concept.name] = concept
    return result


def names(scheme: str) -> list[str]:
    return sorted(index()[scheme])


def get(scheme: str, name: str) -> Concept | None:
    return index()[scheme].get(name)


@cache
def _label_index(scheme: str) -> dict[str, Concept]:
    table: dict[str, Concept] = {}
    for concept in index()[scheme].values():
        for label in [concept.name, concept.pref_label, *concept.alt_labels]:
            table.setdefault(normalise_label(label), concept)
    return table


def match(scheme: str, text: str) -> Concept | None:
    """The concept whose name, preferred or alternative label matches text, ignoring case and spacing."""
    return _label_index(scheme).get(normalise_label(text))
