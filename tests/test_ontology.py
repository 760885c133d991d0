"""The ontology, concept schemes and SHACL shapes: well-formed, documented, and enforced."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, TIME, XSD

from councilkg.errors import CouncilKGError, UnknownTermError
from councilkg.model import concepts, iris
from councilkg.paths import ONTOLOGY_FILE, ONTOLOGY_FILES, QUERIES_DIR, ROOT, SHAPES_FILE
from councilkg.store import GraphPayload
from councilkg.store.shacl import validate_payloads, validate_quads

from .conftest import FIXTURES

CKG = rdflib.Namespace(iris.CKG)
DCT = rdflib.Namespace(iris.NAMESPACES["dcterms"])
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


def test_ontology_header_has_metadata(ontology: rdflib.Graph) -> None:
    header = rdflib.URIRef(iris.ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (DCT.title, DCT.description, DCT.created, DCT.modified, OWL.versionInfo):
        assert ontology.value(header, prop) is not None, f"ontology header lacks {prop}"


def _ckg_terms(ontology: rdflib.Graph) -> list[rdflib.URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({s for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith(iris.CKG)})


def test_there_are_terms_for_every_part_of_the_domain(ontology: rdflib.Graph) -> None:
    names = {str(t).removeprefix(iris.CKG) for t in _ckg_terms(ontology)}
    for needed in ("LocalAuthority", "Board", "Committee", "Department", "CommissionerAppointment", "Inspection",
                   "Judgement", "Recommendation", "AreaForImprovement", "ImprovementPlan", "ImprovementArea",
                   "ImprovementPartnership", "Credit", "Meeting", "AgendaItem", "SourceDocument", "Dataset",
                   "ReportedFigure", "knownFrom", "knownUntil", "grade", "judgementArea", "inspectionType"):
        assert needed in names, f"ckg:{needed} is missing from the ontology"


# --------------------------------------------------------------------------------------------
# The closed namespaces of councilkg.model.iris
# --------------------------------------------------------------------------------------------


def test_a_typo_in_a_ckg_term_fails_naming_the_term_and_the_ontology_file() -> None:
    for ask in (lambda: iris.ckg.inspectedAuthorty, lambda: iris.ckg["inspectedAuthorty"]):
        with pytest.raises(UnknownTermError) as caught:
            ask()
        message = str(caught.value)
        assert "ckg:inspectedAuthorty" in message and "ontology/councilkg.ttl" in message, message
        assert "did you mean ckg:inspectedAuthority?" in message
    assert isinstance(caught.value, CouncilKGError) and isinstance(caught.value, AttributeError)
    assert not hasattr(iris.ckg, "inspectedAuthorty") and "inspectedAuthorty" not in iris.ckg
    assert iris.ckg.inspectedAuthority == ox.NamedNode(iris.CKG + "inspectedAuthority") == iris.ckg["inspectedAuthority"]


def test_the_ckg_namespace_holds_exactly_the_ontologys_terms(ontology: rdflib.Graph) -> None:
    declared = {str(t).removeprefix(iris.CKG) for t in _ckg_terms(ontology)}
    assert iris.defined_terms(iris.ckg) == declared, f"the ckg namespace and {ONTOLOGY_FILE.name} differ"


#: each reused namespace of councilkg.model.iris, and rdflib's closed namespace of its vocabulary
REUSED = {"org": ORG, "foaf": FOAF, "prov": PROV, "skos": SKOS, "time": TIME, "dcterms": DCTERMS, "rdfs": RDFS, "xsd": XSD,
          "schema": SDO}
OPEN = {"schema"}  # its namespace is open (thousands of terms): the code's uses are checked against rdflib's below


def _rdflib_terms(vocabulary: type) -> list[str]:
    """The terms rdflib's closed namespace of a vocabulary lists."""
    return sorted({name for c in vocabulary.mro() if hasattr(c, "_NS")
                   for name in [*getattr(c, "__annotations__", {}), *getattr(c, "_extras", [])]})


@pytest.mark.parametrize("prefix", sorted(set(REUSED) - OPEN))
def test_a_reused_namespace_holds_exactly_its_vocabularys_terms(prefix: str) -> None:
    namespace, vocabulary = getattr(iris, prefix), REUSED[prefix]
    assert iris.NAMESPACES[prefix] == str(vocabulary)
    expected = _rdflib_terms(vocabulary)
    assert sorted(iris.defined_terms(namespace)) == expected, (
        f"councilkg/model/vocabularies.py's {prefix.upper()} is not rdflib's list; it is now:\n"
        + "(" + ", ".join(f'"{t}"' for t in expected) + ",)")
    with pytest.raises(UnknownTermError, match=rf"{prefix}:noSuchTerm is not a term defined in the {prefix}: vocabulary"):
        namespace.noSuchTerm  # noqa: B018


def _namespace_uses(path: Path) -> list[tuple[int, str, str]]:
    """(line, prefix, term) for every term a module takes from a namespace of councilkg.model.iris: ``ckg.X`` and
    ``ckg["X"]`` after ``from councilkg.model.iris import ckg``, ``iris.ckg.X`` after ``from councilkg.model import
    iris``, and the same through a module-level alias (``XSD = iris.xsd``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    namespaces = set(REUSED) | {"ckg"}
    bound = {name: name for name in namespaces} if path.name == "iris.py" else {}
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "councilkg.model.iris":
            bound.update({a.asname or a.name: a.name for a in node.names if a.name in namespaces})
        elif isinstance(node, ast.ImportFrom) and node.module == "councilkg.model":
            modules.update(a.asname or a.name for a in node.names if a.name == "iris")

    def namespace_of(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return bound.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            return node.attr if node.attr in namespaces else None
        return None

    for node in tree.body:  # module-level aliases
        if isinstance(node, ast.Assign) and namespace_of(node.value) and all(isinstance(t, ast.Name) for t in node.targets):
            bound.update({t.id: namespace_of(node.value) for t in node.targets})
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and namespace_of(node.value):
            uses.append((node.lineno, namespace_of(node.value), node.attr))
        elif isinstance(node, ast.Subscript) and namespace_of(node.value) and isinstance(node.slice, ast.Constant):
            uses.append((node.lineno, namespace_of(node.value), node.slice.value))
    return uses


def test_every_term_the_code_uses_is_defined() -> None:
    """Also for code no test runs: each term the package names is in its closed namespace (or, for an open one, in
    rdflib's list of the vocabulary's terms)."""
    undefined, seen = [], 0
    for path in sorted((ROOT / "councilkg").rglob("*.py")):
        for line, prefix, term in _namespace_uses(path):
            seen += 1
            known = rdflib.URIRef(str(REUSED[prefix]) + term) in REUSED[prefix] if prefix in OPEN else term in getattr(iris, prefix)
            if not known:
                undefined.append(f"{path.relative_to(ROOT)}:{line}: {prefix}:{term}")
    assert seen > 300 and undefined == []


def test_every_ckg_term_the_queries_schemes_and_shapes_use_is_defined() -> None:
    files = [*sorted(QUERIES_DIR.rglob("*.rq")), *ONTOLOGY_FILES, SHAPES_FILE]
    pattern = re.compile(r"\bckg:([A-Za-z_]\w*)|<" + re.escape(iris.CKG) + r"([A-Za-z_]\w*)>")
    undefined = sorted({f"{path.relative_to(ROOT)}: ckg:{a or b}" for path in files
                        for a, b in pattern.findall(path.read_text(encoding="utf-8")) if (a or b) not in iris.ckg})
    assert len(files) > 10 and undefined == []


def test_every_term_has_an_english_label_and_definition(ontology: rdflib.Graph) -> None:
    missing = []
    for term in _ckg_terms(ontology):
        labels = [o for o in ontology.objects(term, RDFS.label) if getattr(o, "language", None) == "en"]
        definitions = [o for o in ontology.objects(term, SKOS.definition) if getattr(o, "language", None) == "en"]
        if not labels or not definitions:
            missing.append(str(term))
    assert missing == []


def test_every_concept_is_labelled_defined_and_in_a_scheme(ontology: rdflib.Graph) -> None:
    problems = []
    for concept in ontology.subjects(RDF.type, SKOS.Concept):
        if ontology.value(concept, SKOS.prefLabel) is None:
            problems.append(f"{concept}: no prefLabel")
        if ontology.value(concept, SKOS.definition) is None:
            problems.append(f"{concept}: no definition")
        scheme = ontology.value(concept, SKOS.inScheme)
        if scheme is None or (scheme, RDF.type, SKOS.ConceptScheme) not in ontology:
            problems.append(f"{concept}: not in a declared scheme")
    assert problems == []


def test_schemes_exist_for_each_vocabulary(ontology: rdflib.Graph) -> None:
    for scheme in iris.SCHEMES:
        node = rdflib.URIRef(iris.concept_scheme(scheme).value)
        assert (node, RDF.type, SKOS.ConceptScheme) in ontology, scheme
        assert concepts.names(scheme), f"scheme {scheme} has no concepts"


def test_grades_are_ordered_by_integer_notation(ontology: rdflib.Graph) -> None:
    notations = {}
    for name in ("outstanding", "good", "requires-improvement", "inadequate"):
        value = ontology.value(rdflib.URIRef(iris.concept("grade", name).value), SKOS.notation)
        assert value is not None and value.datatype == XSD.integer, name
        notations[name] = int(value)
    assert notations == {"outstanding": 1, "good": 2, "requires-improvement": 3, "inadequate": 4}


@pytest.mark.parametrize("sif, ilacs", [
    ("sif-overall", "ilacs-overall"),
    ("sif-help-and-protection", "ilacs-help-and-protection"),
    ("sif-looked-after", "ilacs-children-in-care"),
    ("sif-care-leavers", "ilacs-care-leavers"),
    ("sif-leadership", "ilacs-impact-of-leaders"),
])
def test_sif_areas_map_to_ilacs_areas(ontology: rdflib.Graph, sif: str, ilacs: str) -> None:
    mapping = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
    s, o = rdflib.URIRef(iris.concept("judgement-area", sif).value), rdflib.URIRef(iris.concept("judgement-area", ilacs).value)
    assert any((s, p, o) in ontology for p in mapping), f"{sif} is not mapped to {ilacs}"


def test_overall_judgements_are_narrower_than_overall_effectiveness() -> None:
    overall = iris.concept("judgement-area", "overall-effectiveness").value
    for name in ("sif-overall", "ilacs-overall"):
        assert overall in concepts.get("judgement-area", name).broader


def test_concept_labels_match_the_official_wording() -> None:
    assert concepts.match("grade", "Requires improvement to be good").name == "requires-improvement"
    assert concepts.match("grade", "Requires Improvement").name == "requires-improvement"
    assert concepts.match("inspection-type", "LA Monitoring visit").name == "monitoring-visit"
    assert concepts.match("visit-theme", "Children in need/subject to a plan").name == "children-in-need"
    assert concepts.match("judgement-area", "The experiences and progress of care leavers").name == "ilacs-care-leavers"
    assert concepts.match("grade", "Excellent") is None


# --------------------------------------------------------------------------------------------
# SHACL
# --------------------------------------------------------------------------------------------


def _shape_names(shapes: rdflib.Graph) -> list[str]:
    return sorted(str(s).rsplit("#", 1)[-1] for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef))


def test_every_shape_and_property_shape_carries_a_message(shapes: rdflib.Graph) -> None:
    missing = []
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if not isinstance(shape, rdflib.URIRef):
            continue
        props = list(shapes.objects(shape, SH.property))
        for prop in props:
            if shapes.value(prop, SH.message) is None:
                missing.append(f"{shape} property {shapes.value(prop, SH.path)}")
        if not props and shapes.value(shape, SH.message) is None:
            missing.append(str(shape))
        for constraint in shapes.objects(shape, SH.sparql):
            if shapes.value(constraint, SH.message) is None:
                missing.append(f"{shape} SPARQL constraint")
    assert missing == []


def test_every_shape_has_a_valid_and_an_invalid_fixture(shapes: rdflib.Graph) -> None:
    fixtures = {p.name for p in (FIXTURES / "shapes").glob("*.ttl")}
    for name in _shape_names(shapes):
        assert f"{name}.valid.ttl" in fixtures and f"{name}.invalid.ttl" in fixtures, name


def _fixture_quads(path: Path) -> list[ox.Quad]:
    graph = ox.NamedNode("https://example.org/fixture-graph")
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))


@pytest.mark.parametrize("path", SHAPE_FIXTURES, ids=[p.stem for p in SHAPE_FIXTURES])
def test_shape_fixture(path: Path) -> None:
    violations = validate_quads(path.name, _fixture_quads(path))
    if path.stem.endswith(".valid"):
        assert violations == [], f"{path.name} should conform: {[str(v) for v in violations]}"
    else:
        expect = next(line.split(":", 1)[1].strip() for line in path.read_text().splitlines() if line.startswith("# expect:"))
        messages = [v.message for v in violations]
        assert any(expect in m for m in messages), f"{path.name}: expected a violation '{expect}', got {messages}"


def test_the_curated_seed_graph_conforms(curated: list[GraphPayload]) -> None:
    assert validate_payloads(curated) == []
