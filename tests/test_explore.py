"""The modules behind the app, without Streamlit: search, entity pages, networks, journeys, charts."""

from __future__ import annotations

import datetime as dt
import json

import networkx as nx

from councilkg.app import charts
from councilkg.explore import entities as explore
from councilkg.explore import network
from councilkg.model import iris
from councilkg.query.runner import Runner

CROYDON = iris.council("E09000008").value


def test_search_finds_councils_people_and_boards(runner: Runner) -> None:
    hits = explore.search(runner, "croydon")
    assert hits[0] == explore.Hit("Croydon", CROYDON, "council")  # an exact name comes first
    kinds = {h.kind for h in hits}
    assert {"council", "board", "committee"} <= kinds
    assert explore.search(runner, "Rob Henderson")[0].iri == iris.person("robert-henderson").value  # a name variant
    assert explore.search(runner, "x") == []


def test_pickers(runner: Runner) -> None:
    assert ("Croydon", CROYDON) in explore.councils(runner)
    assert len(explore.people(runner)) == 12
    assert explore.regions(runner) == ["East Midlands", "London", "Yorkshire and the Humber"]
    assert ("Director of Children's Services", iris.concept("role", "dcs").value) in explore.roles_in_use(runner)


def test_an_entity_page_has_its_facts_with_their_sources(runner: Runner) -> None:
    entity = explore.describe(runner, iris.person("eleanor-brazil").value)
    assert entity is not None
    assert entity.label == "Eleanor Brazil" and entity.kinds == ["person"]
    assert entity.sources() == [(iris.source("croydon-cyp-scrutiny-2017-09-19-item-6").value,
                                 "OFSTED Inspection of Children's Services")]
    linked = {label for _, label, _ in entity.linked()}
    assert "Eleanor Brazil: commissioner, Croydon" in linked
    assert explore.describe(runner, "https://example.org/nothing") is None


def test_the_improvement_journey_of_croydon(runner: Runner) -> None:
    journey = explore.journey(runner, CROYDON)
    assert {(j["date"], j["area"], j["grade"]) for j in journey.judgements} >= {
        (dt.date(2017, 9, 4), "Overall effectiveness (SIF)", "Inadequate"),
        (dt.date(2020, 3, 16), "Overall effectiveness (ILACS)", "Good")}
    rows = {(t["role"], t["person"]) for t in journey.tenures}
    assert rows == {("Director of Children's Services", "Barbara Peacock"), ("Director of Children's Services", "Robert Henderson"),
                    ("Lead member for children", "Alisa Flemming"), ("Board chair", "Edwina Grant"),
                    ("Commissioner", "Eleanor Brazil")}
    henderson = next(t for t in journey.tenures if t["person"] == "Robert Henderson")
    assert henderson["from"] == dt.date(2018, 12, 1) and henderson["until"] == dt.date(2020, 3, 16)
    assert any(r["kind"] == "recommendation" for r in journey.recommendations)
    assert {c["credited"] for c in journey.credits} >= {"Mike Brown", "Robert Henderson"}
    assert journey.span == (dt.date(2017, 9, 4), dt.date(2020, 3, 16))


def test_the_journey_chart_shares_one_time_axis(runner: Runner) -> None:
    spec = charts.journey_chart(explore.journey(runner, CROYDON)).to_dict()
    assert spec["resolve"]["scale"]["x"] == "shared"
    assert len(spec["vconcat"]) == 2
    # each time axis labels its ticks with the year (Vega's default shows "October" for 2017-10-01)
    assert all(chart["encoding"]["x"]["axis"]["format"] == "%b %Y" for chart in spec["vconcat"])


def _ties(runner: Runner, **params) -> list[network.Tie]:
    return network.ties_from(runner.canned("role_network", params, limit=None))


def test_the_role_graph(runner: Runner) -> None:
    graph = network.role_graph(_ties(runner))
    assert graph.nodes[CROYDON] == {"label": "Croydon", "kind": "council"}
    assert graph.nodes[iris.person("edwina-grant").value]["kind"] == "person"
    board = iris.organisation("croydon-childrens-service-improvement-board").value
    roles = {d["role"] for _, _, d in graph.edges(board, data=True)}
    assert roles == {"Board chair", "Board member"}
    only_chairs = network.role_graph(_ties(runner), {iris.concept("role", "board-chair").value})
    assert only_chairs.number_of_edges() == 1


def test_ego_networks_grow_with_depth(runner: Runner) -> None:
    graph = network.role_graph(_ties(runner))
    brazil = iris.person("eleanor-brazil").value
    one = network.ego(graph, brazil, 1)
    two = network.ego(graph, brazil, 2)
    assert set(one) == {brazil, CROYDON, iris.organisation("croydon-childrens-service-improvement-board").value}
    assert set(one) < set(two) and iris.person("edwina-grant").value in two
    assert network.ego(graph, "https://example.org/nobody", 2).number_of_nodes() == 0


def test_co_membership_links_people_serving_at_overlapping_times(runner: Runner) -> None:
    graph = network.co_membership(_ties(runner))
    peacock, flemming = iris.person("barbara-peacock").value, iris.person("alisa-flemming").value
    henderson = iris.person("robert-henderson").value
    assert graph.has_edge(peacock, flemming)  # both in post at Croydon on 2017-09-19
    assert not graph.has_edge(peacock, henderson)  # their known tenures do not overlap
    top = network.most_central(graph, "degree", top=3)
    assert top[0]["connections"] >= top[-1]["connections"]


def test_centrality_measures(runner: Runner) -> None:
    graph = network.role_graph(_ties(runner))
    for measure in network.CENTRALITY:
        scores = network.centrality(graph, measure)
        assert set(scores) == set(graph.nodes)
    assert max(network.centrality(graph, "degree"), key=network.centrality(graph, "degree").get) == CROYDON
    assert network.centrality(nx.Graph(), "degree") == {}


def test_graphml_export_round_trips(runner: Runner) -> None:
    graph = network.co_membership(_ties(runner))
    data = network.to_graphml(graph)
    back = nx.read_graphml(__import__("io").BytesIO(data))
    assert set(back.nodes) == set(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()


def test_the_drawing_is_stable_and_sized_by_centrality(runner: Runner) -> None:
    graph = network.role_graph(_ties(runner))
    nodes, edges = network.drawing(graph)
    again, _ = network.drawing(graph)
    assert nodes == again
    croydon = next(n for n in nodes if n["id"] == CROYDON)
    assert croydon["size"] == max(n["size"] for n in nodes)
    assert len(edges) == graph.number_of_edges()
    spec = charts.network_chart(nodes, edges).to_dict()
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params") or []]
    assert any(p.get("name") == charts.NODE_SELECTION and p["select"]["on"] == "click" for p in params)


def test_labels_are_escaped_for_markdown_and_html() -> None:
    hostile = '<img src=x onerror="alert(1)"> [link](javascript:alert(1)) *bold*'
    safe = explore.md(hostile)
    assert "<img" not in safe and "&lt;img" in safe
    assert "\\[link\\]" in safe and "\\(javascript" in safe and "\\*bold\\*" in safe
    link = explore.entity_link("<script>x</script>", "https://w3id.org/councilkg/id/person/a b")
    assert link.startswith("[&lt;script&gt;x&lt;/script&gt;](?page=entity&iri=https%3A%2F%2F")
    assert json.dumps(link)  # plain text
