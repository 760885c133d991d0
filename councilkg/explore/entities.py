"""Look-ups behind the app: search, the pickers' choices, entity pages, and the improvement journey.

Everything here runs through the runner (so it works on the embedded store and on an endpoint)
and returns plain Python data, tested without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field

from councilkg.model import iris
from councilkg.query.results import Value
from councilkg.query.runner import Runner

_P = iris.sparql_prefixes(["ckg", "rdfs", "skos", "foaf", "org", "rdf"])

KIND_OF_CLASS = {
    iris.CKG + "LocalAuthority": "council",
    iris.NAMESPACES["foaf"] + "Person": "person",
    iris.CKG + "Board": "board",
    iris.CKG + "Committee": "committee",
    iris.CKG + "Inspection": "inspection",
    iris.CKG + "Source": "source",
    iris.NAMESPACES["org"] + "Organization": "organisation",
}
_KIND_ORDER = ["council", "person", "board", "committee", "inspection", "organisation", "source"]

_SEARCH = _P + """
SELECT ?node (MIN(?label) AS ?name) (GROUP_CONCAT(DISTINCT STR(?class); separator=" ") AS ?classes) ?text WHERE {
  VALUES ?class { ckg:LocalAuthority foaf:Person ckg:Board ckg:Committee ckg:Inspection ckg:Source org:Organization }
  ?node rdf:type ?class .
  { ?node rdfs:label ?match } UNION { ?node skos:altLabel ?match }
  FILTER (CONTAINS(LCASE(STR(?match)), ?text))
  ?node rdfs:label ?label .
} GROUP BY ?node ?text LIMIT 400
"""

_CHOICES = _P + """
SELECT ?node (MIN(?label) AS ?name) ?class WHERE { ?node rdf:type ?class ; rdfs:label ?label . } GROUP BY ?node ?class
"""

_REGIONS = _P + "SELECT DISTINCT ?region WHERE { ?c ckg:region|ckg:ofstedRegion ?region } ORDER BY ?region"

_TYPES = _P + "SELECT DISTINCT ?type ?entity WHERE { ?entity rdf:type ?type }"

_ROLES = _P + """
SELECT DISTINCT ?role ?label WHERE { ?m org:role ?role . ?role skos:prefLabel ?label } ORDER BY ?label
"""


def _kind(classes: str) -> str:
    kinds = {KIND_OF_CLASS[c] for c in classes.split() if c in KIND_OF_CLASS}
    return next((k for k in _KIND_ORDER if k in kinds), "entity")


@dataclass(frozen=True)
class Hit:
    label: str
    iri: str
    kind: str


def search(runner: Runner, text: str, limit: int = 50) -> list[Hit]:
    """Councils, people, boards, committees, inspections and sources whose name contains text."""
    text = " ".join(text.lower().split())
    if len(text) < 2:
        return []
    rows = runner.backend.run_trusted(_SEARCH, "SELECT", {"text": Value.literal(text)}, None).strings()
    hits = [Hit(r["name"], r["node"], _kind(r["classes"])) for r in rows]
    exact = [h for h in hits if h.label.lower() == text]
    hits.sort(key=lambda h: (h not in exact, _KIND_ORDER.index(h.kind) if h.kind in _KIND_ORDER else 99, h.label.lower()))
    return hits[:limit]


def choices(runner: Runner, cls: str) -> list[tuple[str, str]]:
    """(label, IRI) of every node of a class (ckg:LocalAuthority, foaf:Person, ...), sorted by label."""
    sparql = _CHOICES.replace("?node rdf:type ?class", f"?node rdf:type <{cls}>").replace(" ?class WHERE", " WHERE")
    sparql = sparql.replace("GROUP BY ?node ?class", "GROUP BY ?node")
    rows = runner.backend.run_trusted(sparql, "SELECT", {}, None).strings()
    return sorted(((r["name"], r["node"]) for r in rows), key=lambda pair: (pair[0].lower(), pair[1]))


def councils(runner: Runner) -> list[tuple[str, str]]:
    return choices(runner, iris.CKG + "LocalAuthority")


def people(runner: Runner) -> list[tuple[str, str]]:
    return choices(runner, iris.NAMESPACES["foaf"] + "Person")


def regions(runner: Runner) -> list[str]:
    return [r["region"] for r in runner.backend.run_trusted(_REGIONS, "SELECT", {}, None).strings()]


def roles_in_use(runner: Runner) -> list[tuple[str, str]]:
    return [(r["label"], r["role"]) for r in runner.backend.run_trusted(_ROLES, "SELECT", {}, None).strings()]


# --------------------------------------------------------------------------------------------
# Entity pages
# --------------------------------------------------------------------------------------------


@dataclass
class Fact:
    direction: str
    property: str
    property_label: str
    value: str
    value_label: str
    value_is_iri: bool
    source: str
    source_title: str


@dataclass
class Entity:
    iri: str
    label: str
    kinds: list[str]
    facts: list[Fact] = field(default_factory=list)

    def sources(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for fact in self.facts:
            seen.setdefault(fact.source, fact.source_title or iris.shorten(fact.source))
        return sorted(seen.items(), key=lambda pair: pair[1].lower())

    def facts_by_source(self) -> dict[str, list[Fact]]:
        grouped: dict[str, list[Fact]] = {}
        for fact in self.facts:
            grouped.setdefault(fact.source, []).append(fact)
        return grouped

    def linked(self) -> list[tuple[str, str, str]]:
        """(property, label, IRI) of the nodes this entity links to or is linked from (not concepts)."""
        out = {}
        for fact in self.facts:
            if fact.value_is_iri and not fact.value.startswith(iris.CONCEPT) and fact.property != iris.RDF_TYPE.value:
                out[(fact.property_label or iris.shorten(fact.property), fact.value)] = fact.value_label or iris.shorten(fact.value)
        return sorted(((prop, label, iri) for (prop, iri), label in out.items()), key=lambda t: (t[0], t[1].lower()))


def describe(runner: Runner, iri: str) -> Entity | None:
    """Everything the graph states about a node, with each statement's source (None if unknown)."""
    result = runner.canned("fact_sources", {"entity": Value.iri(iri)}, limit=None)
    rows = result.strings()
    if not rows:
        return None
    kinds, label = [], ""
    facts = []
    for r in rows:
        is_iri = r["value"].startswith(("http://", "https://", "urn:"))
        fact = Fact(r["direction"], r["property"], r["propertyLabel"], r["value"], r["valueLabel"], is_iri,
                    r["source"], r["sourceTitle"])
        facts.append(fact)
        if fact.direction == "out" and fact.property == iris.RDF_TYPE.value and fact.value in KIND_OF_CLASS:
            kinds.append(KIND_OF_CLASS[fact.value])
        if fact.direction == "out" and fact.property == iris.rdfs.label.value and (not label or fact.value < label):
            label = fact.value
    return Entity(iri, label or iris.shorten(iri), sorted(set(kinds), key=lambda k: _KIND_ORDER.index(k)), facts)


# --------------------------------------------------------------------------------------------
# The improvement journey of a council
# --------------------------------------------------------------------------------------------

JOURNEY_ROLES = ("Director of Children's Services", "Lead member for children", "Board chair", "Commissioner",
                 "Chief executive", "Leader of the council")


@dataclass
class Journey:
    council: str
    label: str
    judgements: list[dict]
    tenures: list[dict]
    recommendations: list[dict]
    credits: list[dict]

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        dates = [j["date"] for j in self.judgements] + [t["from"] for t in self.tenures] + [t["until"] for t in self.tenures]
        dates = [d for d in dates if d]
        return (min(dates), max(dates)) if dates else None


def _day(text: str) -> dt.date | None:
    if not text:
        return None
    text = text if len(text) == 10 else (text + "-01" if len(text) == 7 else text + "-01-01")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def journey(runner: Runner, council: str) -> Journey:
    """Judgements by area and date, leadership tenures, recommendations and credits of a council."""
    judgements: dict[tuple, dict] = {}
    result = runner.canned("council_judgements", {"council": council}, limit=None)
    label = ""
    for r in result.strings():
        if not r["area"]:
            continue
        date = _day(r["published"] or r["fieldworkEnd"] or r["fieldworkStart"])
        key = (r["inspection"], r["area"], r["grade"])
        judgements.setdefault(key, {"date": date, "area": r["area"], "grade": r["grade"], "rank": int(r["gradeNotation"]),
                                    "inspection": r["inspection"], "inspectionLabel": r["inspectionLabel"],
                                    "type": r["type"]})
        label = label or r["inspectionLabel"].split(":", 1)[0]
    tenures = []
    for r in runner.canned("role_network", {"council": council}, limit=None).strings():
        if r["roleLabel"] not in JOURNEY_ROLES or r["personKind"] != "person":
            continue
        start, end = _day(r["knownFrom"]), _day(r["knownUntil"])
        if start and end and end == start:
            end = start + dt.timedelta(days=14)  # a single day of evidence still shows as a bar
        tenures.append({"role": r["roleLabel"], "person": r["personLabel"], "iri": r["person"], "from": start, "until": end,
                        "organisation": r["organisationLabel"], "row": f"{r['roleLabel']}: {r['personLabel']}"})
    recommendations = [
        {"published": r["published"], "inspection": r["inspectionLabel"], "kind": r["itemKind"] or "plan",
         "text": r["itemText"] or r["responseText"], "response": r["responseText"] if r["itemKind"] else r["responseKind"]}
        for r in runner.canned("inspection_recommendations", {"council": council}, limit=None).strings()
    ]
    credits = [
        {"published": r["published"], "credited": r["recipientLabel"] or r["recipientsAsWritten"], "for": r["creditFor"],
         "by": r["creditedByLabel"], "iri": r["recipient"]}
        for r in runner.canned("council_credits", {"council": council}, limit=None).strings()
    ]
    return Journey(council, label, sorted(judgements.values(), key=lambda j: (j["date"] or dt.date.min, j["area"])),
                   sorted(tenures, key=lambda t: (JOURNEY_ROLES.index(t["role"]), t["from"] or dt.date.min)),
                   recommendations, credits)


# --------------------------------------------------------------------------------------------
# Text that goes into markdown or HTML
# --------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(text: str) -> str:
    """Data text made safe for st.markdown: HTML escaped, markdown syntax neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False))


def entity_link(label: str, iri: str) -> str:
    """A markdown link to the app's entity page for iri, with the label shown as text."""
    from urllib.parse import quote

    return f"[{md(label)}](?page=entity&iri={quote(iri, safe='')})"
