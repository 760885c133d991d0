"""The curated seed graph answers, by plain SPARQL, the facts the five seed documents state."""

from __future__ import annotations

import pyoxigraph as ox

from councilkg.model import iris

PREFIXES = iris.sparql_prefixes()


def rows(store: ox.Store, sparql: str) -> set[tuple[str, ...]]:
    """Whole results as a set of tuples of lexical values (order-free comparison)."""
    result = store.query(PREFIXES + sparql, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return {tuple("" if s[n] is None else s[n].value for n in names) for s in result}


def test_the_seven_2017_croydon_judgements(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT ?area ?grade WHERE {
          ?j ckg:judgementOf <https://w3id.org/councilkg/id/inspection/E09000008/2017-09-04> ;
             ckg:judgementArea/skos:prefLabel ?area ; ckg:grade/skos:prefLabel ?grade .
        }""")
    assert found == {
        ("Overall effectiveness (SIF)", "Inadequate"),
        ("Children who need help and protection (SIF)", "Inadequate"),
        ("Children looked after and achieving permanence (SIF)", "Inadequate"),
        ("Adoption performance (SIF)", "Requires improvement to be good"),
        ("Experiences and progress of care leavers (SIF)", "Requires improvement to be good"),
        ("Leadership, management and governance (SIF)", "Inadequate"),
        ("Local Safeguarding Children Board (SIF review)", "Inadequate"),
    }


def test_the_2017_inspection_dates(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT ?start ?end ?published ?type WHERE {
          <https://w3id.org/councilkg/id/inspection/E09000008/2017-09-04> ckg:fieldworkStart ?start ;
              ckg:fieldworkEnd ?end ; ckg:publicationDate ?published ; ckg:inspectionType/skos:prefLabel ?type .
        }""")
    assert found == {("2017-06-19", "2017-07-14", "2017-09-04", "Single inspection framework inspection")}


def test_the_chair_of_croydons_improvement_board(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT DISTINCT ?chair ?board WHERE {
          ?b a ckg:Board ; ckg:boardType boardtype:improvement-board ; org:subOrganizationOf council:E09000008 ;
             rdfs:label ?board .
          ?m org:organization ?b ; org:role role:board-chair ; org:member/rdfs:label ?chair .
        }""")
    assert found == {("Edwina Grant", "Croydon Children's Service Improvement Board")}


def test_the_commissioner(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT DISTINCT ?name ?appointedBy WHERE {
          ?m a ckg:CommissionerAppointment ; org:organization council:E09000008 ; org:role role:commissioner ;
             org:member/rdfs:label ?name ; ckg:appointedBy/rdfs:label ?appointedBy .
        }""")
    assert found == {("Eleanor Brazil", "Department for Education")}


def test_who_was_executive_director_at_the_october_2019_monitoring_visit(seed_store: ox.Store) -> None:
    # The documented pattern: some source places the tenure on or before the date, some on or after.
    found = rows(seed_store, """
        SELECT DISTINCT ?name ?title WHERE {
          ?visit ckg:inspectedAuthority council:E09000008 ; ckg:visitNumber 7 ; ckg:fieldworkStart ?d .
          ?m org:organization council:E09000008 ; org:role role:dcs ; org:member/rdfs:label ?name ;
             ckg:titleAsWritten ?title ; org:memberDuring ?t .
          FILTER EXISTS { ?t ckg:knownFrom ?from . FILTER (?from <= ?d) }
          FILTER EXISTS { ?t ckg:knownUntil ?until . FILTER (?until >= ?d) }
        }""")
    assert {name for name, _ in found} == {"Robert Henderson"}
    assert ("Robert Henderson", "executive director") in found


def test_the_bradford_fifth_monitoring_visit(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT ?start ?end ?published ?focus ?followsStart ?followsEnd WHERE {
          ?v ckg:inspectedAuthority council:E08000032 ; ckg:visitNumber 5 ;
             ckg:inspectionType itype:monitoring-visit ;
             ckg:fieldworkStart ?start ; ckg:fieldworkEnd ?end ; ckg:publicationDate ?published ;
             ckg:focusAsWritten ?focus ; ckg:follows ?inspection .
          ?inspection ckg:fieldworkStart ?followsStart ; ckg:fieldworkEnd ?followsEnd .
        }""")
    assert found == {("2021-04-28", "2021-04-29", "2021-06-04", "Children in Need and Child Protection",
                      "2018-09-17", "2018-09-28")}
    themes = rows(seed_store, """
        SELECT ?theme WHERE { ?v ckg:inspectedAuthority council:E08000032 ; ckg:visitNumber 5 ;
                              ckg:visitTheme/skos:prefLabel ?theme }""")
    assert themes == {("Children in need or subject to a plan",), ("Child protection",)}


def test_according_to_which_document(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT ?file WHERE {
          GRAPH ?source { ?m a ckg:CommissionerAppointment ; org:member person:eleanor-brazil }
          ?source ckg:fileName ?file .
        }""")
    assert found == {("002_9facc654f6be437b.txt",)}


def test_people_credited_and_for_what(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT ?name ?for WHERE { ?c ckg:creditedTo person:mike-brown ; ckg:creditFor ?for .
                                  person:mike-brown rdfs:label ?name }""")
    assert found == {("Mike Brown", "transforming services to support children with disabilities")}


def test_reported_figures_keep_their_wording(seed_store: ox.Store) -> None:
    found = rows(seed_store, """
        SELECT ?measure ?value ?qualifier ?asWritten WHERE {
          ?f a ckg:ReportedFigure ; ckg:figureFor council:E09000008 ; ckg:measure ?measure ;
             ckg:numericValue ?value ; ckg:qualifier ?qualifier ; ckg:valueAsWritten ?asWritten .
        }""")
    assert ("staff vacancy rate", "40", "over", "over 40 per cent") in found
    assert ("unaccompanied asylum-seeking children in Croydon at any one time", "350", "over",
            "over 350 UASC at any one time") in found
    assert ("average caseload in the social work with families service", "14", "just-over", "just over 14") in found


def test_ambiguities_are_recorded_not_guessed(seed_store: ox.Store) -> None:
    found = rows(seed_store, "SELECT ?s WHERE { ?s ckg:ambiguity ?text }")
    members = {s for (s,) in found}
    assert iris.membership(iris.person("martin-pratt"), iris.council("E09000007"), "unspecified").value in members


def test_every_named_person_in_the_seeds_is_in_the_graph(seed_store: ox.Store) -> None:
    names = {name for (name,) in rows(seed_store, "SELECT ?name WHERE { ?p a foaf:Person ; rdfs:label ?name }")}
    assert names == {"Robert Henderson", "Nick Pendry", "Martin Pratt", "Mike Brown", "Barbara Peacock", "Alisa Flemming",
                     "Eleanor Brazil", "Edwina Grant", "Stephen Rowan", "Helen Blackman", "Irfan Alam", "Steven Downes"}
