"""Turning what a user types into RDF terms for query parameters.

A council can be given as an IRI, a GSS code or a name ("Croydon", "croydon council"); a person
by IRI or name ("Rob Henderson" finds Robert Henderson through his name variant). An unknown or
ambiguous value is an error that lists the candidates, never a silent guess. The look-ups behind
this are SPARQL files in queries/internal/ (``catalogue.internal``), each saying what it answers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from councilkg.errors import ParameterError
from councilkg.model import concepts, iris
from councilkg.model.dates import PartialDate, parse_partial_date
from councilkg.query.catalogue import internal
from councilkg.query.results import QueryResult, Value

_IRI_RE = re.compile(r"^<?(https?://[^\s<>\"{}|^`\\]+)>?$")
_INT_RE = re.compile(r"^[+-]?\d+$")

CLASS_FOR_TYPE = {
    "council": iris.CKG + "LocalAuthority",
    "person": iris.NAMESPACES["foaf"] + "Person",
    "organisation": iris.NAMESPACES["org"] + "Organization",
    "inspection": iris.CKG + "Inspection",
}
#: parameter types whose values are concepts of a scheme, matched by name or label: the scheme and what to call one
CONCEPT_TYPES = {"role": ("role", "role"), "theme": ("recommendation-theme", "theme")}
NOUN_FOR_TYPE = {"council": "council", "person": "person", "organisation": "organisation", "inspection": "inspection",
                 "entity": "entity"}


# A trusted query function: (sparql, bindings) -> QueryResult
QueryFn = Callable[[str, dict[str, Value]], QueryResult]

_ANY = "urn:councilkg:any-class"


@dataclass
class Resolver:
    """Resolves parameter values against the graph, through a trusted query function."""

    query: QueryFn

    def resolve(self, name: str, kind: str, raw: object) -> Value:
        text = "" if raw is None else str(raw).strip()
        if not text:
            raise ParameterError(name, "no value given")
        if len(text) > 500:
            raise ParameterError(name, "value is too long")
        if kind in CLASS_FOR_TYPE or kind == "entity":
            return self._entity(name, kind, text)
        if kind == "date":
            try:
                date = parse_partial_date(text)
            except ValueError as exc:
                raise ParameterError(name, f"{exc}; give a date as YYYY-MM-DD") from None
            if date.precision != "day":
                raise ParameterError(name, f"{text!r} is not a full date; give YYYY-MM-DD (for example {date.earliest})")
            return _date_value(date)
        if kind == "integer":
            if not _INT_RE.match(text):
                raise ParameterError(name, f"{text!r} is not a whole number")
            return _integer_value(text)
        if kind in CONCEPT_TYPES:
            scheme, noun = CONCEPT_TYPES[kind]
            concept = concepts.match(scheme, text) or next(
                (c for c in concepts.index()[scheme].values() if c.iri == text.strip("<>")), None)  # or its IRI
            if concept is None:
                raise ParameterError(name, f"unknown {noun} {text!r}; known {noun}s:",
                                     [(c.pref_label, c.iri) for c in concepts.index()[scheme].values()])
            return Value.iri(concept.iri)
        if kind == "region":
            return self._region(name, text)
        if kind == "string":
            return Value.literal(text)
        raise ParameterError(name, f"unknown parameter type {kind!r}")

    def _entity(self, name: str, kind: str, text: str) -> Value:
        noun = NOUN_FOR_TYPE[kind]
        cls = Value.iri(CLASS_FOR_TYPE.get(kind, _ANY))
        scope = {"class": cls, "any": Value.iri(_ANY)}
        iri_match = _IRI_RE.match(text)
        if iri_match:
            node = Value.iri(iri_match.group(1))
            if not self.query(internal("node_exists"), {"node": node, **scope}).rows:
                raise ParameterError(name, f"no {noun} with the IRI <{node.value}> is in the graph")
            return node
        if kind == "council" and iris.GSS_RE.match(text.upper()):
            text = text.upper()
        lowered = " ".join(text.replace("\u2019", "'").lower().split())
        if kind == "entity":
            named, containing = internal("nodes_named"), internal("nodes_with_name_containing")
        else:  # that class's nodes first (a third of the time on the real store), not every name in the store
            named, containing = internal("nodes_of_class_named"), internal("nodes_of_class_with_name_containing")
            scope = {"class": cls}
        exact = self._candidates(named, lowered, scope)
        if len(exact) == 1:
            return Value.iri(exact[0][1])
        if len(exact) > 1:
            raise ParameterError(name, f"{text!r} is ambiguous: it names {len(exact)} {noun}s; give one of these (IRI or full name):",
                                 exact)
        partial = []
        if len(lowered) >= 3:
            partial = self._candidates(containing, lowered, scope, word_start=lowered)
        if len(partial) == 1:
            return Value.iri(partial[0][1])
        if len(partial) > 1:
            raise ParameterError(name, f"{text!r} matches {len(partial)} {noun}s; give one of these (IRI or full name):", partial)
        labels = self._candidates(internal("labelled_nodes_of_class"), "", {"class": cls}) if kind != "entity" else []
        close = difflib.get_close_matches(text.lower(), [label.lower() for label, _ in labels], n=8, cutoff=0.5)
        suggestions = [(label, iri) for label, iri in labels if label.lower() in close]
        message = f"no {noun} called {text!r} is in the graph"
        raise ParameterError(name, message + ("; did you mean:" if suggestions else ""), suggestions)

    def _region(self, name: str, text: str) -> Value:
        regions = sorted({row["region"] for row in self.query(internal("regions"), {}).strings()})
        for region in regions:
            if region.lower() == " ".join(text.lower().split()):
                return Value.literal(region)
        raise ParameterError(name, f"no region called {text!r} in the graph; regions are:",
                             [(region, "region") for region in regions])

    def _candidates(self, sparql: str, text: str, scope: dict[str, Value], word_start: str | None = None) -> list[tuple[str, str]]:
        """(label, IRI) pairs of the matching nodes; with word_start, only names where the text begins a word."""
        result = self.query(sparql, {"text": Value.literal(text), **scope} if text else scope)
        starts = re.compile(r"(?<![a-z0-9])" + re.escape(word_start)) if word_start else None
        found: dict[str, str] = {}
        for row in result.strings():
            if starts is not None and not starts.search(" ".join(row.get("name", "").replace("\u2019", "'").lower().split())):
                continue
            node = row["node"]
            label = row.get("label") or node.rsplit("/", 1)[-1]
            if node not in found or label < found[node]:
                found[node] = label
        return sorted(((label, node) for node, label in found.items()), key=lambda pair: (pair[0].lower(), pair[1]))


def guess_value(text: str) -> Value:
    """A term for a parameter of a query without a header: an IRI, a date, an integer or a string."""
    text = text.strip()
    iri_match = _IRI_RE.match(text)
    if iri_match:
        return Value.iri(iri_match.group(1))
    try:
        date = parse_partial_date(text)
        if date.precision == "day":
            return _date_value(date)
    except ValueError:
        pass
    if _INT_RE.match(text):
        return _integer_value(text)
    return Value.literal(text)


def _date_value(date: PartialDate) -> Value:
    return Value.literal(date.iso(), iris.xsd.date.value)


def _integer_value(text: str) -> Value:
    return Value.literal(str(int(text)), iris.xsd.integer.value)
