"""The modules behind the app, without Streamlit: search, pickers, entity pages, what the graph holds,
networks, journeys (and the charts drawn from them); the look-up queries they run."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys

import networkx as nx
import pyoxigraph as ox
import pytest

from councilkg.app import charts, network_view
from councilkg.explore import choices, entities, inventory, journey, network
from councilkg.model import iris
from councilkg.paths import INTERNAL_QUERIES_DIR, ROOT
from councilkg.query import catalogue
from councilkg.query.runner import Runner
from councilkg.query.safety import analyse

CROYDON = iris.council("E09000008").value


def test_search_finds_councils_people_and_boards(runner: Runner) -> None:
    hits = entities.search(runner, "croydon")
    assert hits[0] == entities.Hit("Croydon", CROYDON, "council")  # an exact name comes first
    kinds = {h.kind for h in hits}
    assert {"council", "board", "committee"} <= kinds
    assert entities.search(runner, "Rob Henderson")[0].iri == iris.person("robert-henderson").value  # a name variant
    assert entities.search(runner, "x") == []


def test_pickers(runner: Runner) -> None:
    assert ("Croydon", CROYDON) in choices.councils(runner)
    assert len(choices.people(runner)) == 12
    assert choices.regions(runner) == ["East Midlands", "London", "Yorkshire and the Humber"]
    assert ("Director of Children's Services", iris.concept("role", "dcs").value) in choices.roles_in_use(runner)
    names = [name for name, _ in choices.people(runner)]
    assert names == sorted(names, key=str.lower)


def test_an_entity_page_has_its_facts_with_their_sources(runner: Runner) -> None:
    entity = entities.describe(runner, iris.person("eleanor-brazil").value)
    assert entity is not None
    assert entity.label == "Eleanor Brazil" and entity.kinds == ["person"]
    assert entity.sources() == [(iris.source("croydon-cyp-scrutiny-2017-09-19-item-6").value,
                                 "OFSTED Inspection of Children's Services")]
    linked = {label for _, label, _ in entity.linked()}
    assert "Eleanor Brazil: commissioner, Croydon" in linked
    assert entities.describe(runner, "https://example.org/nothing") is None
    member = next(f for f in entity.facts if f.property == iris.NAMESPACES["org"] + "member")
    assert (member.property_name, member.value_name) == ("member", "Eleanor Brazil: commissioner, Croydon")


def test_an_entity_page_has_its_roles_judgements_and_passages(runner: Runner) -> None:
    roles = entities.roles_of(runner, iris.person("eleanor-brazil").value)
    assert {(r["organisation"], r["role"]) for r in roles} == {
        ("Croydon", "Commissioner"), ("Croydon Children's Service Improvement Board", "Board member")}
    assert all(r["source"] == "OFSTED Inspection of Children's Services" for r in roles)
    judgements = entities.judgements_of(runner, CROYDON)
    assert {"published": "2017-09-04", "type": "Single inspection framework inspection", "area": "Overall effectiveness (SIF)",
            "grade": "Inadequate", "source": "OFSTED Inspection of Children's Services"} in judgements
    assert all(j["area"] for j in judgements)
    assert entities.passages_of(runner, CROYDON) == []  # the seed graph holds no documents' passages


def test_what_the_graph_holds(runner: Runner) -> None:
    graphs = inventory.graphs(runner.backend)
    assert [g.kind for g in graphs] == sorted((g.kind for g in graphs), key=inventory.SOURCE_KIND_ORDER.index)  # facts first
    assert inventory.source_count(graphs) == sum(1 for g in graphs if g.kind == "curated") > 0
    assert inventory.total_triples(graphs) == len(runner.backend.store())
    classes = inventory.classes(runner.backend)
    assert inventory.entity_count(classes, iris.ckg.LocalAuthority.value) == 4
    assert inventory.entity_count(classes, "https://example.org/NoSuchClass") == 0
    assert [c.entities for c in classes] == sorted((c.entities for c in classes), reverse=True)
    assert any(c.label == "org:FormalOrganization" for c in classes)  # a reused vocabulary's class by its prefixed name


def test_the_improvement_journey_of_croydon(runner: Runner) -> None:
    shown = journey.journey(runner, CROYDON)
    assert {(j["date"], j["area"], j["grade"]) for j in shown.judgements} >= {
        (dt.date(2017, 9, 4), "Overall effectiveness (SIF)", "Inadequate"),
        (dt.date(2020, 3, 16), "Overall effectiveness (ILACS)", "Good")}
    rows = {(t["role"], t["person"]) for t in shown.tenures}
    assert rows == {("Director of Children's Services", "Barbara Peacock"), ("Director of Children's Services", "Robert Henderson"),
                    ("Lead member for children", "Alisa Flemming"), ("Board chair", "Edwina Grant"),
                    ("Commissioner", "Eleanor Brazil")}
    henderson = next(t for t in shown.tenures if t["person"] == "Robert Henderson")
    assert henderson["from"] == dt.date(2018, 12, 1) and henderson["until"] == dt.date(2020, 3, 16)
    assert any(r["kind"] == "recommendation" for r in shown.recommendations)
    assert "Support care leavers to find accommodation." in {r["text"] for r in shown.recommendations}
    assert {c["credited"] for c in shown.credits} >= {"Mike Brown", "Robert Henderson"}
    assert {"Robert Henderson", "Edwina Grant", "Eleanor Brazil"} <= {r["person"] for r in shown.leaders}
    assert shown.span == (dt.date(2017, 9, 4), dt.date(2020, 3, 16))
    assert not shown.empty
    camden = journey.journey(runner, iris.council("E09000007").value)
    assert camden.empty and camden.span is None


def test_the_journey_chart_shares_one_time_axis(runner: Runner) -> None:
    spec = charts.journey_chart(journey.journey(runner, CROYDON)).to_dict()
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
    back = nx.read_graphml(io.BytesIO(data))
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
    assert {frozenset((e["u"], e["v"])) for e in edges} == {frozenset((u, v)) for u, v in graph.edges()}


def test_what_the_network_drawing_is_sent(runner: Runner) -> None:
    """Positions in 0..1 with y downwards, radii growing with size, edges by index, the selected node only when it
    is drawn, and labels kept as the data gives them (the script sets them as text)."""
    graph = network.role_graph(_ties(runner))
    nodes, edges = network.drawing(graph)
    sent = network_view.network_payload(nodes, edges, height=400, selected=CROYDON)
    assert sent["height"] == 400 and sent["selected"] == CROYDON
    assert network_view.network_payload(nodes, edges, selected="urn:not-drawn")["selected"] is None
    drawn = sent["nodes"]
    assert [n["id"] for n in drawn] == [n["id"] for n in nodes]
    for axis in ("x", "y"):
        assert min(n[axis] for n in drawn) == 0.0 and max(n[axis] for n in drawn) == 1.0
    highest = max(nodes, key=lambda n: n["y"])["id"]
    assert next(n for n in drawn if n["id"] == highest)["y"] == 0.0  # the top of the layout is the top of the SVG
    by_size = sorted(zip(nodes, drawn, strict=True), key=lambda pair: pair[0]["size"])
    assert [d["r"] for _, d in by_size] == sorted(d["r"] for d in drawn)
    assert by_size[-1][1]["r"] == network_view.MAX_RADIUS and by_size[-1][1]["id"] == CROYDON
    index = {n["id"]: i for i, n in enumerate(drawn)}
    assert {(drawn[e["s"]]["id"], drawn[e["t"]]["id"]) for e in sent["edges"]} == {(e["u"], e["v"]) for e in edges}
    assert {entry["kind"] for entry in sent["legend"]} == {n["kind"] for n in nodes}
    assert all(n["named"] for n in drawn) and CROYDON in index  # a small network names every node


def test_a_large_drawing_names_only_its_most_central_nodes() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    graph = nx.star_graph(network_view.MAX_LABELS + 20)
    nx.set_node_attributes(graph, {n: {"label": f"{hostile} {n}", "kind": "person"} for n in graph})
    graph = nx.relabel_nodes(graph, {n: f"urn:n{n}" for n in graph})
    nodes, edges = network.drawing(graph)
    sent = network_view.network_payload(nodes, edges)
    named = [n for n in sent["nodes"] if n["named"]]
    assert len(named) == network_view.MAX_LABELS
    assert "urn:n0" in {n["id"] for n in named}  # the hub, the most central, is named
    assert next(n for n in sent["nodes"] if n["id"] == "urn:n0")["label"] == f"{hostile} 0"  # as data, verbatim
    assert sent["legend"] == [{"kind": "person", "colour": network.KIND_COLOURS["person"]}]
    assert network_view.network_payload([], [])["nodes"] == []


def test_the_two_network_views(runner: Runner) -> None:
    ties = _ties(runner)
    whole = network.view_graph(ties, network.VIEWS[0])
    assert set(whole.nodes) == set(network.role_graph(ties).nodes)
    chairs = network.view_graph(ties, network.VIEWS[0], ["Board chair"])
    assert chairs.number_of_edges() == 1
    people = network.view_graph(ties, network.VIEWS[1])
    assert {d["kind"] for _, d in people.nodes(data=True)} == {"person"}
    with pytest.raises(ValueError, match="unknown view"):
        network.view_graph(ties, "Sideways")


def test_a_graph_result_as_a_network() -> None:
    rows = [{"subject": iris.person("a").value, "predicate": iris.NAMESPACES["org"] + "member", "object": CROYDON},
            {"subject": iris.person("a").value, "predicate": iris.rdfs.label.value, "object": "A"}]
    graph = network.triples_graph(rows)
    assert graph.nodes[CROYDON]["kind"] == network.RESOURCE_KIND and graph.nodes["A"]["kind"] == network.LITERAL_KIND
    assert graph.nodes[iris.person("a").value]["kind"] == network.RESOURCE_KIND
    blank_and_text = network.triples_graph([{"subject": "_:b0", "predicate": iris.rdfs.label.value, "object": "Note: a"},
                                            {"subject": "_:b0", "predicate": iris.rdfs.seeAlso.value, "object": "urn:x"}])
    assert [blank_and_text.nodes[n]["kind"] for n in ("_:b0", "Note: a", "urn:x")] == ["resource", "literal", "resource"]
    assert graph.number_of_edges() == 2
    assert network.triples_graph(rows, limit=1).number_of_edges() == 1
    drawn = network_view.network_payload(*network.drawing(graph), height=480)
    assert len(drawn["edges"]) == 2 and {n["label"] for n in drawn["nodes"]} >= {"A"}


INTERNAL = sorted(path.stem for path in INTERNAL_QUERIES_DIR.glob("*.rq"))


@pytest.mark.parametrize("name", INTERNAL)
def test_each_internal_query_says_what_it_answers_and_runs_anywhere(name: str) -> None:
    """One query a file: a comment header naming it, and SPARQL that runs as it is (its own PREFIX lines)."""
    text = catalogue.internal(name)
    assert text.startswith(f"# {name}: "), f"{name}.rq: the header should start '# {name}: what it answers'"
    form = analyse(text).form
    answer = ox.Store().query(text)  # pyoxigraph knows no prefix it is not given
    if form == "SELECT":
        assert list(answer) == [], name  # nothing in an empty store
    else:
        assert form == "ASK" and bool(answer), name
    assert name not in catalogue.catalogue()  # hidden from the catalogue listing


def test_nothing_outside_the_app_imports_streamlit_or_altair() -> None:
    """Streamlit is the `app` extra: the library, the CLI and the look-ups behind the app run without it."""
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "councilkg").rglob("*.py") if "app" not in path.relative_to(ROOT / "councilkg").parts[:1])
    script = ("import importlib, sys\n"
              f"for name in {modules!r}: importlib.import_module(name)\n"
              "print(sorted(m for m in ('streamlit', 'altair') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]", f"imported outside councilkg/app: {proc.stdout.strip()}"
