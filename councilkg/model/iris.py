"""Namespaces and the minting of every IRI in the graph.

This module is the one place IRIs are built. Identifiers are deterministic: a council is keyed
by its GSS code, a person or organisation by a slug, an inspection by its council and the date
that identifies it in Ofsted's own publications (so national data loaded later lands on the same
node as a seed document's facts about the same inspection).

Its namespaces are closed: ``ckg.X`` must be a class or property of ontology/councilkg.ttl, and
``org.X`` a term of ORG as ``councilkg.model.vocabularies`` lists it (schema.org's is left open).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable

from pyoxigraph import NamedNode, RdfFormat, parse

from councilkg.errors import UnknownTermError
from councilkg.model import vocabularies
from councilkg.paths import ONTOLOGY_FILE

BASE = "https://w3id.org/councilkg/"
ID = BASE + "id/"
ONTOLOGY_IRI = BASE + "ontology"
CKG = ONTOLOGY_IRI + "#"
CONCEPT = ID + "concept/"

NAMESPACES: dict[str, str] = {
    "ckg": CKG,
    "id": ID,
    "council": ID + "council/",
    "person": ID + "person/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "grade": CONCEPT + "grade/",
    "area": CONCEPT + "judgement-area/",
    "itype": CONCEPT + "inspection-type/",
    "theme": CONCEPT + "visit-theme/",
    "role": CONCEPT + "role/",
    "boardtype": CONCEPT + "board-type/",
    "doctype": CONCEPT + "document-type/",
    "fw": CONCEPT + "framework/",
    "latype": CONCEPT + "authority-type/",
    "lastatus": CONCEPT + "authority-status/",
    "rectheme": CONCEPT + "recommendation-theme/",
}

# Concept schemes, by the short name used in data files and in concept IRIs.
SCHEMES = (
    "grade",
    "judgement-area",
    "inspection-type",
    "visit-theme",
    "role",
    "board-type",
    "document-type",
    "framework",
    "authority-type",
    "authority-status",
    "recommendation-theme",
)

GSS_RE = re.compile(r"^E(06|07|08|09|10)\d{6}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE_KEY_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def sparql_prefixes(names: list[str] | None = None) -> str:
    """PREFIX lines for the given prefix names (all project prefixes by default)."""
    chosen = names if names is not None else list(NAMESPACES)
    return "".join(f"PREFIX {name}: <{NAMESPACES[name]}>\n" for name in chosen)


class _Namespace:
    """The terms of one vocabulary as attributes (``ckg.Inspection``, ``org.member``), closed as rdflib's
    ``DefinedNamespace`` is (``rdflib/namespace/_ORG.py``): a name the vocabulary does not define raises
    ``UnknownTermError`` naming the term and where the vocabulary's terms are listed, so a typo fails where it is
    written instead of minting an IRI nobody defined. ``ns["name"]`` is checked the same way. A namespace given no
    list of terms is open (schema.org's).

    Every attribute of the namespace itself starts with ``_``, so no term can be hidden by one.
    """

    def __init__(self, prefix: str, terms: Callable[[], Iterable[str]] | None, source: str = "", advice: str = "") -> None:
        self._prefix = prefix
        self._base = NAMESPACES[prefix]
        self._read_terms = terms
        self._source = source  # where its terms are listed, for messages: "ontology/councilkg.ttl"
        self._advice = advice
        self._names: frozenset[str] | None = None

    def _terms(self) -> frozenset[str] | None:
        if self._names is None and self._read_terms is not None:  # read once, on first use (two threads may both)
            self._names = frozenset(self._read_terms())
        return self._names

    def _term(self, name: str) -> NamedNode:
        terms = self._terms()
        if terms is not None and name not in terms:
            close = difflib.get_close_matches(name, sorted(terms), n=1)
            hint = f" (did you mean {self._prefix}:{close[0]}?)" if close else ""
            raise UnknownTermError(f"{self._prefix}:{name} is not a term defined in {self._source}{hint}: {self._advice}")
        return NamedNode(self._base + name)

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self._term(name)
        setattr(self, name, term)  # terms are immutable: later look-ups find it without this call
        return term

    def __getitem__(self, name: str) -> NamedNode:
        return self._term(name)

    def __contains__(self, name: object) -> bool:
        terms = self._terms()
        return isinstance(name, str) and (terms is None or name in terms)

    def __dir__(self) -> list[str]:
        return sorted(self._terms() or ())

    def __repr__(self) -> str:
        terms = self._terms()
        return f"<namespace {self._prefix}: <{self._base}>, " + (f"{len(terms)} terms>" if terms is not None else "open>")


def defined_terms(namespace: _Namespace) -> frozenset[str] | None:
    """The local names a closed namespace defines (``"Inspection" in defined_terms(ckg)``); None for an open one."""
    return namespace._terms()


RDF_TYPE = NamedNode(NAMESPACES["rdf"] + "type")
_OWL = NAMESPACES["owl"]
#: what makes an IRI in the ckg namespace a term of the ontology: it is declared one of these
_DECLARATIONS = frozenset(NamedNode(_OWL + kind) for kind in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty"))


def _ontology_terms() -> list[str]:
    """The ckg: classes and properties ontology/councilkg.ttl declares (read once, on first use: docs/performance.md)."""
    return [t.subject.value[len(CKG):] for t in parse(path=str(ONTOLOGY_FILE), format=RdfFormat.TURTLE)
            if t.predicate == RDF_TYPE and t.object in _DECLARATIONS and isinstance(t.subject, NamedNode)
            and t.subject.value.startswith(CKG)]


def _reused(prefix: str, terms: tuple[str, ...]) -> _Namespace:
    """A reused W3C vocabulary's namespace, closed to its terms (listed in ``councilkg.model.vocabularies``)."""
    return _Namespace(prefix, lambda: terms, f"the {prefix}: vocabulary (listed in councilkg/model/vocabularies.py)",
                      "check the name against the vocabulary's specification")


_ONTOLOGY_NAME = f"{ONTOLOGY_FILE.parent.name}/{ONTOLOGY_FILE.name}"
ckg = _Namespace("ckg", _ontology_terms, _ONTOLOGY_NAME,
                 "declare it there (a class or property with an English label and definition) or correct the name")
org = _reused("org", vocabularies.ORG)
foaf = _reused("foaf", vocabularies.FOAF)
prov = _reused("prov", vocabularies.PROV)
skos = _reused("skos", vocabularies.SKOS)
time = _reused("time", vocabularies.TIME)
dcterms = _reused("dcterms", vocabularies.DCTERMS)
rdfs = _reused("rdfs", vocabularies.RDFS)
xsd = _reused("xsd", vocabularies.XSD)
# Open: schema.org has thousands of terms and rdflib's list of them is no list to copy here; tests/test_ontology.py
# checks each schema.org term the code names against rdflib's.
schema = _Namespace("schema", None)


def slugify(text: str) -> str:
    """A lower-case ASCII slug: 'Edwina Grant OBE' -> 'edwina-grant-obe'."""
    text = text.replace("'", "").replace("\u2019", "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(value: str) -> bool:
    return bool(SLUG_RE.match(value))


def _checked_slug(kind: str, value: str) -> str:
    if not is_slug(value):
        raise ValueError(f"{kind} identifier {value!r} is not a slug (lower-case letters, digits and single hyphens)")
    return value


def council(gss: str) -> NamedNode:
    """A local authority, keyed by its GSS code (E09000008 for Croydon)."""
    if not GSS_RE.match(gss):
        raise ValueError(f"{gss!r} is not an English local authority GSS code (E06/E08/E09/E10 and six digits)")
    return NamedNode(f"{ID}council/{gss}")


def person(slug: str) -> NamedNode:
    return NamedNode(f"{ID}person/{_checked_slug('person', slug)}")


def organisation(slug: str) -> NamedNode:
    """A board, committee, department or other organisation that is not a local authority."""
    return NamedNode(f"{ID}org/{_checked_slug('organisation', slug)}")


def post(slug: str) -> NamedNode:
    return NamedNode(f"{ID}post/{_checked_slug('post', slug)}")


def source(slug: str) -> NamedNode:
    """A source document or dataset; its facts live in the named graph with this IRI."""
    return NamedNode(f"{ID}source/{_checked_slug('source', slug)}")


def meeting(slug: str) -> NamedNode:
    return NamedNode(f"{ID}meeting/{_checked_slug('meeting', slug)}")


def agenda_item(slug: str) -> NamedNode:
    return NamedNode(f"{ID}agenda-item/{_checked_slug('agenda item', slug)}")


def entity(kind: str, slug: str) -> NamedNode:
    """Other first-class nodes: recommendation, finding, plan, improvement-area, action, credit, ..."""
    return NamedNode(f"{ID}{_checked_slug('kind', kind)}/{_checked_slug(kind, slug)}")


def concept(scheme: str, name: str) -> NamedNode:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}")
    return NamedNode(f"{CONCEPT}{scheme}/{name}")


def concept_scheme(scheme: str) -> NamedNode:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}")
    return NamedNode(f"{CONCEPT}{scheme}")


def inspection_key(published: str | None = None, fieldwork_start: str | None = None) -> str:
    """The key of an inspection within its council.

    Ofsted publishes one report or letter per inspection or visit, so the publication date
    identifies it; every official table gives it. A source that gives no publication date
    falls back to the fieldwork start (``fieldwork-2019-10-16``), which cannot collide with a
    publication-date key.
    """
    if published:
        if not _DATE_KEY_RE.match(published):
            raise ValueError(f"publication date {published!r} is not an ISO date")
        return published
    if fieldwork_start:
        if not _DATE_KEY_RE.match(fieldwork_start):
            raise ValueError(f"fieldwork start {fieldwork_start!r} is not an ISO date")
        return f"fieldwork-{fieldwork_start}"
    raise ValueError("an inspection needs a publication date or a fieldwork start to be identified")


def inspection(gss: str, key: str) -> NamedNode:
    """An inspection or visit of the council with this GSS code (see inspection_key)."""
    council(gss)  # validates the code
    return NamedNode(f"{ID}inspection/{gss}/{key}")


def judgement(inspection_iri: NamedNode, area: str) -> NamedNode:
    return NamedNode(f"{inspection_iri.value}/judgement/{area}")


def membership(member: NamedNode, organisation_iri: NamedNode, role: str, discriminator: str | None = None) -> NamedNode:
    """A tenure of a role, keyed by member, organisation and role (plus a discriminator for a second tenure)."""
    tail = f"{local_key(member)}/{local_key(organisation_iri)}/{role}"
    if discriminator:
        tail += f"/{_checked_slug('membership', discriminator)}"
    return NamedNode(f"{ID}membership/{tail}")


def local_key(iri: NamedNode) -> str:
    """The last path segment of an instance IRI (a GSS code or a slug)."""
    return iri.value.rstrip("/").rsplit("/", 1)[-1]


def instant(owner: NamedNode, name: str) -> NamedNode:
    """A time:Instant belonging to a membership or interval (begin, end, seen-2019-12)."""
    return NamedNode(f"{owner.value}/{name}")


_SHORT_PREFIXES = sorted(
    [(v, k) for k, v in NAMESPACES.items()]
    + [(ID + kind + "/", kind) for kind in ("org", "inspection", "membership", "source", "post", "meeting", "agenda-item")],
    key=lambda pair: -len(pair[0]),
)


def shorten(iri: str) -> str:
    """A compact form of an IRI for display: council:E09000008, inspection:E09000008/2017-09-04."""
    for namespace, prefix in _SHORT_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
