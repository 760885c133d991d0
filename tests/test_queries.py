"""The canned query catalogue and the runner: expected rows on the seed graph, parameters, safety."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.errors import ParameterError, QuerySyntaxError, QueryTimeoutError, UnsafeQueryError
from councilkg.model import iris
from councilkg.paths import INTERNAL_QUERIES_DIR
from councilkg.query import catalogue
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.binding import bind_query
from councilkg.query.catalogue import PARAM_TYPES
from councilkg.query.results import Value
from councilkg.query.runner import DEFAULT, Runner
from councilkg.query.safety import analyse
from councilkg.settings import Settings
from councilkg.sources.build import curated_payloads
from councilkg.store import new_memory_store

from .attacks import Listener
from .conftest import sorted_nquads

ALL = sorted(catalogue.catalogue())
REQUIRED = ["council_judgements", "grade_changes", "leaders_at_date", "improvement_leaders", "person_roles",
            "people_across_organisations", "board_members", "inspection_recommendations", "monitoring_visits",
            "latest_grades", "fact_sources", "role_network"]
CROYDON = iris.council("E09000008").value
CROYDON_JUDGEMENTS = ("council_judgements", {"council": "Croydon"})


def pick(result, *columns: str) -> set[tuple[str, ...]]:
    return {tuple(row[c] for c in columns) for row in result.strings()}


# --------------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------------


def test_the_catalogue_has_every_question() -> None:
    assert set(REQUIRED) <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_header_is_complete_and_query_parses(name: str) -> None:
    query = catalogue.get(name)
    assert query.title and query.description and query.columns, name
    for param in query.params:
        assert param.type in PARAM_TYPES and param.description and param.example, f"{name}: parameter {param.name}"
    # its own PREFIX lines: it parses with no prefixes supplied, in pyoxigraph and in rdflib
    ox.Store().query(query.text)
    from rdflib.plugins.sparql import prepareQuery

    prepareQuery(query.text)
    assert analyse(query.text).form in ("SELECT", "CONSTRUCT")


# The program's own look-ups (queries/internal/): each file is one query with a '#' header and its own
# PREFIX lines, hidden from the catalogue; run here with the bindings the program gives it.
INTERNAL = sorted(INTERNAL_QUERIES_DIR.glob("*.rq"))
ANY_CLASS = Value.iri("urn:councilkg:any-class")
COUNCIL_CLASS = Value.iri(iris.CKG + "LocalAuthority")
INTERNAL_EXAMPLES: dict[str, tuple[dict[str, Value], str, str]] = {  # bindings, a column, a value it must hold
    "node_exists": ({"node": Value.iri(CROYDON), "class": COUNCIL_CLASS, "any": ANY_CLASS}, "node", CROYDON),
    "nodes_named": ({"text": Value.literal("e09000008"), "class": COUNCIL_CLASS, "any": ANY_CLASS}, "label", "Croydon"),
    "nodes_with_name_containing": ({"text": Value.literal("henderson"), "class": ANY_CLASS, "any": ANY_CLASS},
                                   "name", "Rob Henderson"),
    "labelled_nodes_of_class": ({"class": Value.iri(iris.NAMESPACES["foaf"] + "Person")}, "label", "Eleanor Brazil"),
    "regions": ({}, "region", "London"),
}


def test_the_internal_queries_are_there_and_hidden_from_the_catalogue() -> None:
    names = {path.stem for path in INTERNAL}
    assert set(INTERNAL_EXAMPLES) <= names
    assert not names & set(ALL)


@pytest.mark.parametrize("path", INTERNAL, ids=[path.stem for path in INTERNAL])
def test_every_internal_query_parses_and_runs_on_the_seed_graph(path: Path, runner: Runner) -> None:
    text = catalogue.internal(path.stem)
    assert text.startswith("# "), f"{path.name}: no '#' header saying what it answers"
    ox.Store().query(text)  # its own PREFIX lines: it parses with none supplied
    bindings, column, expected = INTERNAL_EXAMPLES.get(path.stem, ({}, None, None))
    result = runner.lookup(text, bindings)
    if column is not None:
        assert expected in {row[column] for row in result.strings()}, f"{path.name} {bindings}"


# Queries whose example needs more than the seed graph (tested with national data in test_ofsted.py,
# and with the seed documents loaded in test_documents.py).
EMPTY_ON_SEEDS = {"source_disagreements", "document_candidates", "entity_passages",
                  "recurring_themes", "unthemed_recommendations",  # these two: tested in test_themes.py
                  "inspector_inspections", "inspector_record"}  # (and with the reports loaded in test_inspectors.py)


@pytest.mark.parametrize("name", ALL)
def test_every_query_runs_on_the_seed_graph_with_its_documented_columns(name: str, runner: Runner) -> None:
    query = catalogue.get(name)
    result = runner.canned(name, query.example_args())
    assert result.columns == list(query.columns), f"{name}: header columns differ from the query's"
    assert (len(result) > 0) != (name in EMPTY_ON_SEEDS), f"{name} returns {len(result)} rows for its example"


def _sorted_list_cell(row: tuple[str, ...], column: int) -> tuple[str, ...]:
    return (*row[:column], "; ".join(sorted(row[column].split("; "))), *row[column + 1:])


def _in_two_engines(store: ox.Store) -> tuple[object, Runner, str]:
    """The store's content in rdflib's in-memory engine (union default graph) and in the embedded
    store, with the synthetic council inspected most."""
    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=store.dump(format=ox.RdfFormat.N_QUADS).decode(), format="nquads")
    busiest = next(iter(store.query(
        "SELECT ?council WHERE { ?i <https://w3id.org/councilkg/ontology#inspectedAuthority> ?council "
        "FILTER STRSTARTS(STR(?council), 'https://w3id.org/councilkg/id/council/E069') } "
        "GROUP BY ?council ORDER BY DESC(COUNT(?i)) ?council LIMIT 1", use_default_graph_as_union=True)))
    return dataset, Runner(EmbeddedBackend(store)), busiest["council"].value


@pytest.fixture(scope="module")
def two_engines(curated) -> dict[str, tuple[object, Runner, str]]:
    """The seed graph with a little synthetic data (absent dates, many councils); and the synthetic
    data alone, as an endpoint holding the data graphs but not the ontology would."""
    from councilkg.sources.synthetic import generate
    from councilkg.store import write_graphs

    bare = ox.Store()
    write_graphs(bare, list(generate(10000, 1)))
    return {"seed": _in_two_engines(new_memory_store([*curated, *generate(5000, 3)])), "bare": _in_two_engines(bare)}


#: columns that are GROUP_CONCAT lists, whose order the standard leaves to the engine
LIST_COLUMNS = {"monitoring_visits": ("themes",), "authority_recommendations": ("themes",),
                "recoveries": ("inadequateAreas", "visitDates", "inPost", "leadInspector")}

# rdflib takes seconds over these (the embedded store milliseconds)
SLOW_IN_RDFLIB = {"improvement_leaders"}


@pytest.mark.parametrize("case", ["example", "synthetic", "no ontology"])
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW_IN_RDFLIB else n for n in ALL])
def test_every_query_gives_the_same_rows_in_another_engine(name: str, case: str, two_engines) -> None:
    """The files run unchanged elsewhere: rdflib answers each example, and the same for a synthetic
    council, with the embedded store's rows, with or without the ontology in the store. (rdflib
    writes a MIN or MAX over no values as the literal "None" where the standard leaves the column
    unbound; that difference is allowed, and so is the order of a GROUP_CONCAT.)"""
    dataset, runner, synthetic = two_engines["bare" if case == "no ontology" else "seed"]
    query = catalogue.get(name)
    args = query.example_args()
    if case != "example":
        if "council" not in args:
            pytest.skip(f"{name} takes no council")
        args["council"] = synthetic
    bindings = runner.bind(query, args)
    text = bind_query(query.text, bindings).text
    ours = runner.canned(name, args, limit=None)
    if case == "no ontology" and not len(ours):
        pytest.skip(f"{name} returns no rows here (most queries need the ontology's concepts; "
                    "rdflib answers a grouped query over nothing with one row)")
    expected = sorted(tuple("" if v is None else str(v) for v in row.values()) for row in ours.strings())
    theirs = sorted(tuple("" if term is None else str(term) for term in row) for row in dataset.query(text))
    for list_column in LIST_COLUMNS.get(name, ()):  # GROUP_CONCAT: the standard leaves the order to the engine
        column = list(ours.columns).index(list_column)
        expected, theirs = ([_sorted_list_cell(row, column) for row in rows] for rows in (expected, theirs))
    assert len(theirs) == len(expected)
    for got, want in zip(theirs, expected, strict=True):
        got = tuple("" if g == "None" and w == "" else g for g, w in zip(got, want, strict=True))
        assert got == want


# --------------------------------------------------------------------------------------------
# Expected rows, written from the seed documents
# --------------------------------------------------------------------------------------------


def test_council_judgements(runner: Runner) -> None:
    result = runner.canned("council_judgements", {"council": "Croydon"})
    assert pick(result, "published", "area", "grade") >= {
        ("2017-09-04", "Overall effectiveness (SIF)", "Inadequate"),
        ("2017-09-04", "Children who need help and protection (SIF)", "Inadequate"),
        ("2017-09-04", "Children looked after and achieving permanence (SIF)", "Inadequate"),
        ("2017-09-04", "Adoption performance (SIF)", "Requires improvement to be good"),
        ("2017-09-04", "Experiences and progress of care leavers (SIF)", "Requires improvement to be good"),
        ("2017-09-04", "Leadership, management and governance (SIF)", "Inadequate"),
        ("2017-09-04", "Local Safeguarding Children Board (SIF review)", "Inadequate"),
        ("2020-03-16", "Overall effectiveness (ILACS)", "Good"),
    }
    rows = result.strings()
    sif = [r for r in rows if r["published"] == "2017-09-04"]
    assert {(r["fieldworkStart"], r["fieldworkEnd"], r["type"]) for r in sif} == {
        ("2017-06-19", "2017-07-14", "Single inspection framework inspection")}
    assert {r["source"] for r in sif} == {iris.source("croydon-cyp-scrutiny-2017-09-19-item-6").value}
    visits = {(r["fieldworkStart"], r["visitNumber"]) for r in rows if not r["area"]}
    assert visits == {("2018-08", ""), ("2019-07", "6"), ("2019-10-16", "7")}
    # oldest first
    assert [r["published"] or r["fieldworkStart"] for r in rows] == sorted(r["published"] or r["fieldworkStart"] for r in rows)


def test_grade_changes(runner: Runner) -> None:
    result = runner.canned("grade_changes")
    assert pick(result, "councilLabel", "fromDate", "fromGrade", "toDate", "toGrade", "monthsElapsed", "change") == {
        ("Croydon", "2017-09-04", "Inadequate", "2020-03-16", "Good", "30", "improvement")}
    assert len(runner.canned("grade_changes", {"council": "Nottingham"})) == 0


def test_leaders_at_date_in_september_2017(runner: Runner) -> None:
    result = runner.canned("leaders_at_date", {"council": "Croydon", "date": "2017-09-19"})
    held = pick(result, "personLabel", "roleLabel", "status")
    assert ("Barbara Peacock", "Director of Children's Services", "held") in held
    assert ("Alisa Flemming", "Lead member for children", "held") in held
    assert ("Eleanor Brazil", "Commissioner", "held") in held
    assert ("Edwina Grant", "Board chair", "held") in held
    assert not any(name == "Robert Henderson" for name, _, _ in held)


def test_leaders_at_date_at_the_seventh_monitoring_visit(runner: Runner) -> None:
    result = runner.canned("leaders_at_date", {"council": "E09000008", "date": "2019-10-16"})
    rows = pick(result, "personLabel", "roleLabel", "status")
    dcs = {(name, status) for name, role, status in rows if role == "Director of Children's Services"}
    # Barbara Peacock's open-ended tenure is closed by Robert Henderson's start
    assert dcs == {("Robert Henderson", "held")}
    assert ("Alisa Flemming", "Lead member for children", "possibly held: no end recorded") in rows
    assert ("Nick Pendry", "Senior officer", "held") in rows


SUCCESSION = """
source: {id: succession-fixture, title: Succession fixture, type: news-article}
councils: [{id: croydon}]
people:
  - {id: earlier-member, name: Earlier Member}
  - {id: later-member, name: Later Member}
memberships:
  - {member: earlier-member, organisation: croydon, role: lead-member, seen: [2016-05-01]}
  - {member: later-member, organisation: croydon, role: lead-member, seen: [%s]}
"""


@pytest.mark.parametrize(("later", "flemming_open"), [("2018-06-01", False), ("2020-06-01", True)])
def test_an_open_tenure_is_closed_only_by_a_successor_seen_after_it(curated_copy, later: str, flemming_open: bool) -> None:
    (curated_copy / "succession.yaml").write_text(SUCCESSION % later, encoding="utf-8")
    backend = EmbeddedBackend(new_memory_store(curated_payloads(curated_copy)))
    rows = pick(Runner(backend).canned("leaders_at_date", {"council": "Croydon", "date": "2019-10-16"}), "personLabel", "status")
    # the predecessor seen in 2016 never closes Alisa Flemming's tenure (evidence 2017); a
    # successor seen in 2018 does, and one first seen after the date does not
    assert (("Alisa Flemming", "possibly held: no end recorded") in rows) is flemming_open
    assert ("Earlier Member", "possibly held: no end recorded") not in rows
    backend.close()


def test_leaders_at_date_before_any_evidence_is_empty(runner: Runner) -> None:
    assert len(runner.canned("leaders_at_date", {"council": "Croydon", "date": "2010-01-01"})) == 0


def test_improvement_leaders(runner: Runner) -> None:
    result = runner.canned("improvement_leaders", {"council": "Croydon"})
    rows = pick(result, "personLabel", "basis", "role")
    in_post = {(name, role) for name, basis, role in rows if basis == "in post"}
    assert in_post == {("Robert Henderson", "Director of Children's Services"),
                       ("Barbara Peacock", "Director of Children's Services"),
                       ("Alisa Flemming", "Lead member for children"),
                       ("Edwina Grant", "Board chair"),
                       ("Eleanor Brazil", "Commissioner")}
    credited = {name for name, basis, _ in rows if basis == "credited"}
    assert credited == {"Robert Henderson", "Nick Pendry", "Martin Pratt", "Mike Brown"}
    assert pick(result, "fromDate", "toDate", "fromGrade", "toGrade") == {("2017-09-04", "2020-03-16", "Inadequate", "Good")}


def test_person_roles_finds_a_name_variant(runner: Runner) -> None:
    result = runner.canned("person_roles", {"person": "Rob Henderson"})
    assert pick(result, "organisationLabel", "roleLabel", "title", "start", "sourceTitle") == {
        ("Croydon", "Director of Children's Services", "executive director", "2018-12-01 to 2019-02-28",
         "Ofsted finds 'sustained progress' in children's services"),
        ("Croydon", "Director of Children's Services", "Executive Director Children, Families & Education", "",
         "Outcome of the Ofsted Inspection of Early Help and Children's Social Care"),
    }


def test_people_across_organisations(runner: Runner) -> None:
    result = runner.canned("people_across_organisations")
    assert pick(result, "personLabel", "organisationCount") == {("Eleanor Brazil", "2"), ("Martin Pratt", "2")}


def test_board_members(runner: Runner) -> None:
    result = runner.canned("board_members", {"council": "Croydon"})
    rows = pick(result, "boardLabel", "memberLabel", "roleLabel")
    assert rows >= {("Croydon Children's Service Improvement Board", "Edwina Grant", "Board chair"),
                    ("Croydon Children's Service Improvement Board", "Eleanor Brazil", "Board member"),
                    ("Croydon Children's Service Improvement Board", "Local Government Association", "Board member"),
                    ("Croydon Children's Service Improvement Board", "Department for Education", "Board member")}
    board_rows = [r for r in result.strings() if r["boardLabel"] == "Croydon Children's Service Improvement Board"]
    assert board_rows[0]["roleLabel"] == "Board chair"


def test_inspection_recommendations(runner: Runner) -> None:
    result = runner.canned("inspection_recommendations", {"council": "Croydon"})
    rows = result.strings()
    recs = {(r["published"], r["itemText"], r["responseText"]) for r in rows if r["itemKind"] == "recommendation"}
    assert recs == {
        ("2020-03-16", "Improve the quality of written plans for young people.", ""),
        ("2020-03-16", "Support care leavers to find accommodation.",
         "The council's commitment to support care leavers with housing and council tax support."),
    }
    areas = [r for r in rows if r["published"] == "2017-09-04" and r["responseKind"].startswith("improvement area of")]
    assert len({r["response"] for r in areas if "Improvement Plan" in r["responseKind"]}) == 13
    afi = {r["item"] for r in rows if r["itemKind"] == "area for improvement" and r["published"] == "2017-09-04"}
    assert len(afi) == 11  # the ten key areas of the report, and the 'serious concerns' the 2020 minutes recall


def test_monitoring_visits(runner: Runner) -> None:
    result = runner.canned("monitoring_visits", {"council": "Croydon"})
    assert [(r["fieldworkStart"], r["visitNumber"], r["type"]) for r in result.strings()] == [
        ("2018-08", "", ""), ("2019-07", "6", "Monitoring visit"), ("2019-10-16", "7", "Monitoring visit")]
    seventh = result.strings()[2]
    assert seventh["themes"].split("; ") and set(seventh["themes"].split("; ")) == {"Adoption", "Child protection"}
    bradford = runner.canned("monitoring_visits", {"council": "Bradford"}).strings()
    assert [(r["visitNumber"], r["fieldworkStart"], r["fieldworkEnd"], r["published"], r["focus"]) for r in bradford] == [
        ("5", "2021-04-28", "2021-04-29", "2021-06-04", "Children in Need and Child Protection")]


def test_latest_grades_and_grade_counts(runner: Runner) -> None:
    assert pick(runner.canned("latest_grades"), "councilLabel", "published", "grade") == {("Croydon", "2020-03-16", "Good")}
    assert pick(runner.canned("latest_grades", {"region": "london"}), "councilLabel", "councilRegion") == {("Croydon", "London")}
    assert pick(runner.canned("grade_counts"), "grade", "councils") == {("Good", "1")}
    assert pick(runner.canned("grade_counts", {"region": "London"}), "region", "grade", "councils") == {("London", "Good", "1")}
    with pytest.raises(ParameterError, match="Atlantis"):
        runner.canned("grade_counts", {"region": "Atlantis"})


def test_fact_sources(runner: Runner) -> None:
    result = runner.canned("fact_sources", {"entity": "Eleanor Brazil"})
    rows = pick(result, "direction", "property", "source")
    source = iris.source("croydon-cyp-scrutiny-2017-09-19-item-6").value
    assert ("out", iris.rdfs.label.value, source) in rows
    assert ("in", iris.org.member.value, source) in rows
    assert {s for _, _, s in rows} == {source}


def test_role_network(runner: Runner) -> None:
    everyone = runner.canned("role_network")
    assert ("Steven Downes", "Inside Croydon", "Editor") in pick(everyone, "personLabel", "organisationLabel", "roleLabel")
    result = runner.canned("role_network", {"council": "Croydon", "date": "2019-10-16"})
    assert pick(result, "personLabel", "organisationKind", "roleLabel") == {
        ("Robert Henderson", "council", "Director of Children's Services"), ("Nick Pendry", "council", "Senior officer")}
    croydon_only = runner.canned("role_network", {"council": "Croydon"})
    assert {r["council"] for r in croydon_only.strings()} == {CROYDON}


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Croydon", "croydon", "CROYDON", "E09000008", "e09000008", CROYDON, f"<{CROYDON}>"])
def test_a_council_by_name_code_or_iri(runner: Runner, value: str) -> None:
    result = runner.canned("council_judgements", {"council": value})
    assert {r["council"] for r in result.strings()} == {CROYDON}


def test_an_unknown_council_lists_close_candidates(runner: Runner) -> None:
    with pytest.raises(ParameterError) as caught:
        runner.canned("council_judgements", {"council": "Croydn"})
    assert "no council called 'Croydn'" in str(caught.value)
    assert "Croydon" in str(caught.value)


def test_an_ambiguous_name_lists_the_candidates(runner: Runner) -> None:
    with pytest.raises(ParameterError) as caught:
        runner.canned("fact_sources", {"entity": "Croydon Children"})
    message = str(caught.value)
    assert "matches" in message and "Croydon Children's Service Improvement Board" in message


def test_a_short_name_does_not_match_inside_words(runner: Runner) -> None:
    with pytest.raises(ParameterError, match="no person called 'ert'"):
        runner.canned("person_roles", {"person": "ert"})


def test_a_person_by_surname_when_unique(runner: Runner) -> None:
    assert {r["personLabel"] for r in runner.canned("person_roles", {"person": "Pendry"}).strings()} == {"Nick Pendry"}


@pytest.mark.parametrize("params, message", [
    ({}, "required"),
    ({"council": "Croydon", "date": "19/09/2017"}, "give a date as YYYY-MM-DD"),
    ({"council": "Croydon", "date": "2017-09"}, "not a full date"),
    ({"council": "Croydon", "date": "2017-09-19", "colour": "red"}, "not a parameter of leaders_at_date"),
    ({"council": "https://w3id.org/councilkg/id/council/E09999999", "date": "2017-09-19"}, "no council with the IRI"),
])
def test_bad_parameters_are_clear_errors(runner: Runner, params: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        runner.canned("leaders_at_date", params)


def test_parameters_cannot_inject_sparql(runner: Runner) -> None:
    hostile = 'Croydon" } } SELECT * WHERE { ?s ?p ?o } #'
    with pytest.raises(ParameterError, match="no council called"):
        runner.canned("council_judgements", {"council": hostile})


# --------------------------------------------------------------------------------------------
# Untrusted SPARQL
# --------------------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A fresh listener for each test here (each counts from 0)."""
    server = Listener()
    yield server
    server.close()


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?x ex:p ?y . SeRvIcE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o # a comment\n SERVICE <http://127.0.0.1:{port}/sparql> { ?a ?b ?c } }",
    "ASK { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES, ids=range(len(SERVICE_QUERIES)))
def test_service_is_refused_before_it_reaches_the_network(runner: Runner, listener: Listener, template: str) -> None:
    query = template.replace("{port}", str(listener.port))
    with pytest.raises(UnsafeQueryError, match="SERVICE is not allowed"):
        runner.user(query)
    assert listener.connections_so_far() == 0


def test_the_listener_does_see_a_real_connection(listener: Listener) -> None:
    """Guard: the SERVICE test would notice a request."""
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2):
        pass
    assert listener.connections_so_far() == 1


def test_keywords_inside_strings_iris_and_names_are_not_refused(runner: Runner) -> None:
    query = ('PREFIX service: <http://example.org/service#>\n'
             'SELECT ?service WHERE { BIND("SERVICE <x>" AS ?service) FILTER(?service != service:SERVICE) }')
    assert len(runner.user(query)) == 1


@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX x: <http://example.org/>\nDROP ALL",
    "CLEAR DEFAULT",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_are_refused_and_change_nothing(runner: Runner, seed_store: ox.Store, update: str) -> None:
    before = sorted_nquads(seed_store)
    with pytest.raises(UnsafeQueryError, match="read-only"):
        runner.user(update)
    assert sorted_nquads(seed_store) == before


def test_a_syntax_error_is_a_clear_message(runner: Runner) -> None:
    with pytest.raises(QuerySyntaxError, match="SPARQL syntax error"):
        runner.user("SELECT * WHERE { ?s ?p }")


#: seconds a runaway query is given (through Settings); it would run for hours
RUNAWAY_LIMIT = 1.0
#: seconds past its limit a runaway may take to be stopped: killing its worker, on a busy machine
STOP_MARGIN = 10.0


def test_a_runaway_query_is_stopped_and_the_next_one_works(seed_store: ox.Store) -> None:
    settings = Settings(timeout=RUNAWAY_LIMIT, workers=2)
    runner = Runner.from_settings(settings, EmbeddedBackend(seed_store, max_workers=settings.workers))
    try:
        runner.user("SELECT ?x WHERE { BIND(1 AS ?x) }")  # a warm worker, so the time below is the query's
        started = time.monotonic()
        with pytest.raises(QueryTimeoutError, match="stopped after 1 s"):
            runner.user("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
        assert time.monotonic() - started <= RUNAWAY_LIMIT + STOP_MARGIN
        assert runner.user("ASK { ?s ?p ?o }").boolean is True
    finally:
        runner.close()


def test_a_huge_result_is_capped_and_flagged(seed_store: ox.Store) -> None:
    runner = Runner.from_settings(Settings(row_limit=1000), EmbeddedBackend(seed_store))
    try:
        result = runner.user("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
        assert len(result) == 1000 and result.truncated and result.limit == 1000
        assert "truncated" in result.summary()
        small = runner.user("SELECT * WHERE { ?s a <https://w3id.org/councilkg/ontology#Judgement> }")
        assert not small.truncated
    finally:
        runner.close()


def test_a_row_limit_is_the_runners_a_number_or_none(seed_store: ox.Store) -> None:
    backend = EmbeddedBackend(seed_store)
    runner = Runner(backend, limit=3)
    every = runner.canned(*CROYDON_JUDGEMENTS, limit=None)
    assert len(every) > 5 and not every.truncated and every.limit is None
    by_default = runner.canned(*CROYDON_JUDGEMENTS)
    assert (len(by_default), by_default.truncated, by_default.limit) == (3, True, 3)
    assert runner.canned(*CROYDON_JUDGEMENTS, limit=DEFAULT).rows == by_default.rows
    five = runner.canned(*CROYDON_JUDGEMENTS, limit=5)
    assert (len(five), five.truncated) == (5, True)
    exact = runner.canned(*CROYDON_JUDGEMENTS, limit=len(every))
    assert len(exact) == len(every) and not exact.truncated
    with pytest.raises(ValueError, match="row limit"):
        runner.canned(*CROYDON_JUDGEMENTS, limit=-1)
    assert Runner.from_settings(Settings(row_limit=7), backend).limit == 7


def test_construct_results_come_back_as_triples(runner: Runner) -> None:
    result = runner.user("CONSTRUCT { ?p <http://example.org/name> ?n } WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; "
                         "<http://www.w3.org/2000/01/rdf-schema#label> ?n }")
    assert result.is_graph and result.columns == ["subject", "predicate", "object"]
    assert ("Edwina Grant",) in {(r["object"],) for r in result.strings()}
