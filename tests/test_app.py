"""The Streamlit app through AppTest: every page and widget path, on a real store, without a browser.

Each test runs the entry script (app.py) as ``streamlit run`` would, on the page it names by its file
(``AppTest.switch_page``), as a visit to ``/questions?question=...`` would; the old ``?page=NAME``
links are tested through the entry script's redirect.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from councilkg.app import navigation, state
from councilkg.app.markdown import md
from councilkg.explore import network
from councilkg.model import iris
from councilkg.query import catalogue
from councilkg.query.backends import EmbeddedBackend, RemoteBackend
from councilkg.query.runner import Runner
from councilkg.sources.build import LoadPlan, load
from councilkg.store import StoreFolder

from .apptest import APP, TIMEOUT, drawings, follow, links, open_page, page_file, table, texts
from .apptest import run as run_app
from .conftest import HOSTILE_NAME, require_shared

CROYDON = iris.council("E09000008").value
#: the title each page starts with (Home's is the project's name)
TITLES = {"home": "councilkg", "questions": "Questions", "editor": "SPARQL editor", "network": "Network",
          "journey": "Improvement journey", "entity": "Entity", "map": "Map of grades", "trends": "Trends",
          "recommendations": "Recommendations across England", "recoveries": "Recoveries", "inspectors": "Inspectors"}


# --------------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------------


def test_home_shows_what_the_graph_holds(app) -> None:
    at = app("home")
    page = texts(at)
    assert "Councils=4" in page and "People=13" in page
    sources = table(at, "source", "kind", "triples")
    assert "OFSTED Inspection of Children's Services" in set(sources["source"])
    assert list(dict.fromkeys(sources["kind"])) == ["curated", "ontology"]  # the facts first
    classes = table(at, "class", "entities")
    assert int(classes.loc[classes["class"] == "judgement", "entities"].iloc[0]) == 8
    assert "org:FormalOrganization" in set(classes["class"])  # a reused vocabulary's class by its prefixed name


@pytest.mark.parametrize("asked, slug", [
    ("home", "home"),
    ("queries", "questions"),
    ("questions", "questions"),  # the title a reader sees in the sidebar
    ("query", "questions"),
    ("editor", "editor"),
    ("SPARQL", "editor"),
    ("sparql-editor", "editor"),
    ("network", "network"),
    ("journey", "journey"),
    (" Improvement-Journey ", "journey"),
    ("entity", "entity"),
])
def test_an_old_page_link_lands_on_its_page(app, asked: str, slug: str) -> None:
    at = follow(page=asked)
    assert at.title[0].value == TITLES[slug]
    assert "page" not in at.query_params  # the page is named by the address's path now
    assert not at.warning


def test_an_old_link_keeps_its_parameters(app) -> None:
    at = follow(page="queries", question="leaders_at_date", council="E09000008", date="2019-10-16")
    assert at.title[0].value == "Questions"
    assert at.query_params == {"question": "leaders_at_date", "council": "E09000008", "date": "2019-10-16"}
    assert at.selectbox(key="q_leaders_at_date_council").value == "Croydon"
    assert at.date_input(key="q_leaders_at_date_date").value == dt.date(2019, 10, 16)
    entity = follow(page="entity", iri=CROYDON)
    assert [h.value for h in entity.header] == ["Croydon"]
    assert entity.query_params == {"iri": CROYDON}


def test_an_unknown_page_name_is_said_plainly(app) -> None:
    at = follow(page="no-such-page", iri=CROYDON)
    assert at.title[0].value == TITLES["home"]  # Home is shown
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1
    assert f"There is no page called {md(repr('no-such-page'))}" in warnings[0]
    assert ", ".join(spec.slug for spec in navigation.PAGES) in warnings[0] and "Showing Home" in warnings[0]
    assert "page" not in at.query_params and at.query_params["iri"] == CROYDON


def test_the_app_keeps_its_look_ups_per_store_generation_and_an_endpoints_for_a_while(
        app_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An embedded store's look-ups are kept until a load publishes a new generation (no expiry to make a later
    visitor wait for the national look-ups again); an endpoint's, whose generations the app cannot see, are looked
    up again every REMOTE_REFRESH_S seconds."""
    folder = StoreFolder(app_store)
    embedded = Runner(EmbeddedBackend(folder))
    try:
        assert state.store_version(embedded) == str(folder.current_path())
    finally:
        embedded.backend.close()
    remote = Runner(RemoteBackend("http://127.0.0.1:9/sparql"))  # nothing is asked of it
    refresh = state.REMOTE_REFRESH_S
    monkeypatch.setattr(time, "time", lambda: 1000 * refresh)
    first = state.store_version(remote)
    monkeypatch.setattr(time, "time", lambda: 1001 * refresh - 1)
    assert state.store_version(remote) == first and first.startswith("SPARQL endpoint http://127.0.0.1:9/sparql")
    monkeypatch.setattr(time, "time", lambda: 1001 * refresh)
    assert state.store_version(remote) != first


def test_every_page_has_an_address_and_a_file() -> None:
    assert [spec.slug for spec in navigation.PAGES] == list(TITLES)
    assert all(spec.file.is_file() for spec in navigation.PAGES)
    assert set(navigation.LEGACY_NAMES.values()) <= set(navigation.BY_SLUG)
    assert navigation.legacy_slug("Sparql-Editor") == "editor" and navigation.legacy_slug("nothing") is None


def test_home_search_links_to_entity_pages(app) -> None:
    at = app("home")
    at.text_input(key="home_search").input("croydon").run()
    assert ("Croydon — council", "entity", {"iri": [CROYDON]}) in links(at)
    at.text_input(key="home_search").input("zzzz-nothing").run()
    assert any("Nothing in the graph is called" in i.value for i in at.info)


# --------------------------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(catalogue.catalogue()))
def test_every_question_runs_with_its_widgets(app, name: str) -> None:
    at = app("questions")
    at.selectbox(key="q_name").select(name).run()
    query = catalogue.get(name)
    for param in query.params:
        key = f"q_{name}_{param.name}"
        if param.type == "date" and param.required:
            assert at.date_input(key=key).value == dt.date.fromisoformat(param.example)
        if param.type == "council" and param.required:
            assert at.selectbox(key=key).value == param.example
    at.button(key="q_run").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    if name in ("source_disagreements", "document_candidates", "entity_passages", "recurring_themes",
                "unthemed_recommendations", "inspector_inspections", "inspector_record"):  # need more than the seed graph
        assert "0 rows" in texts(at)
        return
    assert len(table(at, *catalogue.get(name).columns)) > 0
    assert {b.label for b in at.get("download_button")} == {"Download CSV", "Download JSON"}
    assert any(c.language == "sparql" and "PREFIX" in c.value for c in at.code)


def test_a_question_with_chosen_parameters(app) -> None:
    at = app("questions")
    at.selectbox(key="q_name").select("leaders_at_date").run()
    # widgets in a form take effect together, when it is submitted
    at.selectbox(key="q_leaders_at_date_council").select("Croydon")
    at.date_input(key="q_leaders_at_date_date").set_value(dt.date(2019, 10, 16))
    at.button(key="q_run").click().run()
    frame = table(at, "personLabel", "status")
    held = set(frame.loc[frame["status"] == "held", "personLabel"])
    assert held == {"Robert Henderson", "Nick Pendry", HOSTILE_NAME}


def test_a_link_opens_a_question_and_the_address_follows_the_choice(app) -> None:
    at = app("questions", question="leaders_at_date")
    assert at.selectbox(key="q_name").value == "leaders_at_date"
    assert at.selectbox(key="q_leaders_at_date_council").value == "Croydon"
    at.selectbox(key="q_name").select("board_members").run()
    assert at.query_params["question"] == "board_members"
    unknown = app("questions", question="no_such_question")
    assert unknown.selectbox(key="q_name").value == sorted(catalogue.catalogue())[0]
    assert f"There is no question called {md(repr('no_such_question'))}" in unknown.warning[0].value


def test_a_link_gives_the_parameters_and_running_writes_them_back(app) -> None:
    at = app("questions", question="leaders_at_date", council="e09000008", date="2019-10-16")  # a GSS code, any case
    assert at.selectbox(key="q_leaders_at_date_council").value == "Croydon"
    assert at.date_input(key="q_leaders_at_date_date").value == dt.date(2019, 10, 16)
    at.button(key="q_run").click().run()
    frame = table(at, "personLabel", "status")
    assert set(frame.loc[frame["status"] == "held", "personLabel"]) == {"Robert Henderson", "Nick Pendry", HOSTILE_NAME}
    assert at.query_params["council"] == CROYDON and at.query_params["date"] == "2019-10-16"
    # a value the graph does not hold is said, and the picker keeps its default
    odd = app("questions", question="leaders_at_date", council="Atlantis", date="2019-02-30")
    warnings = " ".join(w.value for w in odd.warning)
    assert md("no council called 'Atlantis'") in warnings and md("2019-02-30") in warnings
    assert odd.selectbox(key="q_leaders_at_date_council").value == "Croydon"


def test_an_optional_council_can_be_left_as_any(app) -> None:
    at = app("questions")
    at.selectbox(key="q_name").select("board_members").run()
    assert at.selectbox(key="q_board_members_council").value == "(any)"
    at.button(key="q_run").click().run()
    assert "Croydon Children's Service Improvement Board" in set(table(at, "boardLabel")["boardLabel"])


# --------------------------------------------------------------------------------------------
# SPARQL editor
# --------------------------------------------------------------------------------------------


def _editor(app, query: str, **params) -> AppTest:
    at = app("editor", **params)
    at.toggle(key="ed_plain").set_value(True).run()
    at.text_area(key="ed_text").input(query).run()
    return at


def test_the_editor_runs_a_query(app) -> None:
    at = _editor(app, "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT DISTINCT ?p WHERE { ?p a foaf:Person } ORDER BY ?p")
    at.button(key="ed_run").click().run()
    assert len(table(at)) == 13
    assert "13 rows" in texts(at)


def test_the_editor_starts_with_prefixes_and_can_load_a_catalogue_query(app) -> None:
    at = app("editor")
    at.toggle(key="ed_plain").set_value(True).run()
    assert "PREFIX ckg:" in at.text_area(key="ed_text").value
    at.selectbox(key="ed_start").select("grade_changes").run()
    at.button(key="ed_load").click().run()
    assert at.text_area(key="ed_text").value == catalogue.get("grade_changes").text
    at.button(key="ed_run").click().run()
    assert len(table(at)) == 1


def test_a_shared_link_restores_the_query(app) -> None:
    query = "ASK { ?s ?p ?o }"
    at = app("editor", q=query)
    at.toggle(key="ed_plain").set_value(True).run()
    assert at.text_area(key="ed_text").value == query
    at.button(key="ed_run").click().run()
    assert any(s.value == "Yes" for s in at.subheader)
    at.button(key="ed_share").click().run()
    assert at.query_params == {"q": query}  # the page is named by the address's path


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is not allowed"),
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
    ("SELECT * WHERE { ?s ?p }", "SPARQL syntax error"),
])
def test_the_editor_refuses_clearly(app, query: str, message: str) -> None:
    at = _editor(app, query)
    at.button(key="ed_run").click().run()
    assert any(md(message) in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.slow
def test_the_editor_stops_a_runaway_query(app) -> None:
    at = _editor(app, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    at.number_input(key="ed_timeout").set_value(2).run()
    at.button(key="ed_run").click().run(timeout=TIMEOUT)
    assert any("stopped after 2 s" in e.value for e in at.error)


def test_the_editor_caps_and_flags_a_huge_result(app) -> None:
    at = _editor(app, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    at.number_input(key="ed_limit").set_value(500).run()
    at.button(key="ed_run").click().run()
    assert len(table(at)) == 500
    assert any("there are more" in w.value for w in at.warning)


def test_the_editor_takes_its_limits_from_the_settings(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNCILKG_TIMEOUT", "7")
    monkeypatch.setenv("COUNCILKG_ROW_LIMIT", "50")
    at = _editor(app, "SELECT * WHERE { ?a ?b ?c }")
    timeout, rows = at.number_input(key="ed_timeout"), at.number_input(key="ed_limit")
    assert (timeout.value, timeout.max) == (7, 7)  # what a query gets, and the most a user may ask for
    assert (rows.value, rows.max) == (50, 50)
    at.button(key="ed_run").click().run()
    assert len(table(at)) == 50
    assert any("there are more" in w.value for w in at.warning)


def test_the_editor_draws_a_construct_result(app) -> None:
    at = _editor(app, "CONSTRUCT { ?p <http://example.org/in> ?o } WHERE { ?m <http://www.w3.org/ns/org#member> ?p ; "
                      "<http://www.w3.org/ns/org#organization> ?o }")
    at.button(key="ed_run").click().run()
    assert len(table(at)) > 5
    drawn = drawings(at)["ed_graph"]
    assert drawn["edges"] and drawn["height"] == 480 and not drawn["clickable"]  # only pointed at, for tooltips


# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------


def test_the_network_view_and_its_filters(app) -> None:
    at = app("network")
    drawn = drawings(at)["net_chart"]
    assert drawn["nodes"] and drawn["edges"] and drawn["selected"] is None and drawn["clickable"]
    assert "nodes" in texts(at)
    at.selectbox(key="net_council").select("Croydon").run()
    at.multiselect(key="net_roles").select("Board chair").run()
    assert "2 nodes, 1 edges" in texts(at)
    at.multiselect(key="net_roles").unselect("Board chair").run()
    at.checkbox(key="net_asat_on").check().run()
    at.date_input(key="net_asat").set_value(dt.date(2017, 9, 19)).run()
    assert not at.exception
    at.radio(key="net_measure").set_value("betweenness").run()
    assert "betweenness centrality" in texts(at)


def test_a_first_drawing_waits_for_no_pandas(app_store: Path, tmp_path: Path) -> None:
    """The network page's first run in a new process draws without importing pandas (0.3-0.45 s of it): the
    drawing's data is sent so that Streamlit does not look for dataframes in it (network_view.py)."""
    script = ("import sys\n"
              "from streamlit.testing.v1 import AppTest\n"
              f"at = AppTest.from_file({str(APP)!r}, default_timeout={TIMEOUT})\n"
              f"at.switch_page({page_file('network')!r})\n"
              "at.run()\n"
              "assert not at.exception, [e.value for e in at.exception]\n"
              "assert at.get('bidi_component'), 'no drawing'\n"
              "print('pandas' in sys.modules)")
    env = dict(os.environ, COUNCILKG_STORE=str(app_store), PYTHONPATH=str(APP.parent))
    env.pop("COUNCILKG_ENDPOINT", None)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=TIMEOUT * 2)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "False", "the network page imported pandas"


def test_an_ego_network_and_node_details(app) -> None:
    at = app("network")
    brazil = iris.person("eleanor-brazil").value
    at.selectbox(key="net_centre").set_value(brazil).run()
    at.slider(key="net_depth").set_value(1).run()
    assert "3 nodes" in texts(at)
    at.selectbox(key="net_node").set_value(brazil).run()
    assert drawings(at)["net_chart"]["selected"] == brazil  # the chosen node is marked on the drawing
    roles = table(at, "organisation", "role", "title")
    assert set(roles["role"]) == {"Commissioner", "Board member"}
    assert any(s.value == "Eleanor Brazil" for s in at.subheader)


def test_the_network_opens_on_the_council_and_centre_its_address_names(app) -> None:
    brazil = iris.person("eleanor-brazil").value
    at = app("network", council="Croydon", centre=brazil)  # a council by name, GSS code or IRI
    assert at.sidebar.selectbox(key="net_council").value == "Croydon" and at.selectbox(key="net_centre").value == brazil
    assert "nodes," in texts(at) and not at.warning
    assert app("network", council="E09000008").sidebar.selectbox(key="net_council").value == "Croydon"
    at = app("network", council="<b>Nowhere</b>", centre="urn:nothing")
    said = [w.value for w in at.warning]
    assert said[:2] == [f"No council {md(repr('<b>Nowhere</b>'))} in the graph; the page opens without it.",
                        f"No node to centre on {md(repr('urn:nothing'))} here; the page opens without it."]
    assert at.selectbox(key="net_centre").value is None


def test_the_co_membership_view(app) -> None:
    at = app("network")
    at.radio(key="net_view").set_value("Co-membership").run()
    central = table(at, "person", "connections")
    assert "Barbara Peacock" in set(central["person"])
    assert any(b.label.startswith("Export the shown graph") for b in at.get("download_button"))


# --------------------------------------------------------------------------------------------
# Improvement journey and entity pages
# --------------------------------------------------------------------------------------------


def test_the_improvement_journey(app) -> None:
    at = app("journey")
    assert at.selectbox(key="jr_council").value == "Croydon"
    assert at.get("vega_lite_chart")
    recs = table(at, "kind", "text", "response")
    assert "Support care leavers to find accommodation." in set(recs["text"])
    assert "inspection" not in recs.columns  # the publication date names it on one council's page
    credits = table(at, "credited", "for", "by")
    assert "Mike Brown" in set(credits["credited"])
    leaders = table(at, "person", "basis")
    assert {"Robert Henderson", "Edwina Grant", "Eleanor Brazil"} <= set(leaders["person"])
    at.selectbox(key="jr_council").select("Camden").run()
    assert any("no judgements or leadership tenures" in i.value for i in at.info)


@pytest.mark.parametrize("iri, heading, columns", [
    (iris.person("robert-henderson").value, "Robert Henderson", ("organisation", "role", "known from")),
    (iris.council("E09000008").value, "Croydon", ("published", "area", "grade")),
    (iris.organisation("croydon-childrens-service-improvement-board").value, "Croydon Children's Service Improvement Board", None),
    (iris.inspection("E09000008", "2017-09-04").value, "Croydon: Single inspection framework inspection (published 2017-09-04)",
     None),
])
def test_entity_pages(app, iri: str, heading: str, columns: tuple | None) -> None:
    at = app("entity", iri=iri)
    assert [h.value for h in at.header] == [md(heading)]  # the label, escaped for markdown
    assert any(e.label.startswith(("OFSTED", "Outcome", "Ofsted", "Authority")) for e in at.expander)
    if columns:
        assert len(table(at, *columns)) > 0
    assert any(page == "entity" and set(query) == {"iri"} for _, page, query in links(at))  # linked onward


def test_a_link_from_an_entity_page_opens_the_entity_it_names(app) -> None:
    at = app("entity", iri=iris.person("eleanor-brazil").value)
    _, page, query = next(link for link in links(at) if link[0] == md("member of: Croydon"))
    assert (page, query) == ("entity", {"iri": [CROYDON]})
    at.query_params["iri"] = CROYDON  # what following the link does (AppTest cannot click a page link)
    run_app(at)
    assert [h.value for h in at.header] == ["Croydon"]
    assert at.text_input(key="ent_input").value == CROYDON


def test_an_entity_by_name(app) -> None:
    at = app("entity")
    at.text_input(key="ent_input").input("Edwina Grant").run()
    assert [h.value for h in at.header] == ["Edwina Grant"]


def test_hostile_labels_are_text(app) -> None:
    """Labels are shown by Streamlit as text: in markdown and link labels they are escaped, in tables they are cells."""
    at = app("entity", iri=iris.person("hostile-name").value)
    assert [h.value for h in at.header] == [md(HOSTILE_NAME)]  # st.header draws markdown: the label is escaped
    markdown = "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.label for e in at.expander]
                         + [label for label, _, _ in links(at)])
    assert "<img" not in markdown and "<script" not in markdown
    at = app("home")
    at.text_input(key="home_search").input("img src").run()
    labels = "\n".join(label for label, _, _ in links(at))
    assert "&lt;img src=x onerror=" in labels and "<img" not in labels


def test_data_text_is_escaped_for_markdown() -> None:
    hostile = '<img src=x onerror="alert(1)"> [link](javascript:alert(1)) *bold* $x$ :red[y]'
    safe = md(hostile)
    assert "<img" not in safe and "&lt;img" in safe
    assert "\\[link\\]" in safe and "\\(javascript" in safe and "\\*bold\\*" in safe
    assert "\\$x\\$" in safe and "\\:red\\[y\\]" in safe  # no LaTeX, no coloured-text directive
    assert md(42) == "42"


def test_a_missing_store_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNCILKG_STORE", str(tmp_path / "nowhere"))
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    assert any("No store at" in e.value for e in at.error)
    assert any("make run" in m.value for m in at.markdown)
    st.cache_resource.clear()


@pytest.fixture
def app_on(monkeypatch: pytest.MonkeyPatch):
    """An AppTest on a store a test built itself (load plan in, page open); closed afterwards."""

    def make(root: Path, plan: LoadPlan, page: str, **params: str) -> AppTest:
        load(StoreFolder(root), plan)
        monkeypatch.setenv("COUNCILKG_STORE", str(root))
        monkeypatch.delenv("COUNCILKG_ENDPOINT", raising=False)
        st.cache_resource.clear()
        st.cache_data.clear()
        return open_page(page, **params)

    yield make
    state.shared_runner().backend.close()
    st.cache_resource.clear()


def test_an_entity_page_shows_the_passages_that_name_it(tmp_path: Path, app_on) -> None:
    at = app_on(tmp_path / "store", LoadPlan(documents=[require_shared("seeds")]), "entity",
                iri=iris.person("robert-henderson").value)
    assert "In the words of the documents" in [s.value for s in at.subheader]
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Outcome of the Ofsted Inspection") and "passage" in label for label in labels)
    assert any("Rob Henderson" in m.value or "Robert Henderson" in m.value for m in at.markdown)


def test_a_network_too_big_to_draw_asks_for_a_narrower_view(tmp_path: Path, app_on) -> None:
    """A national-scale store: the whole network is not drawn (nor laid out); an ego network is."""
    at = app_on(tmp_path / "store", LoadPlan(synthetic=40_000, validate=False), "network")
    warning = " ".join(w.value for w in at.warning)
    assert "too many to draw" in warning and f"at most {network.MAX_DRAWN_NODES}" in warning
    assert not drawings(at)
    assert at.get("download_button")
    # summarised instead: people and ties by role and by authority
    by_role, by_council = table(at, "role", "people", "ties"), table(at, "authority", "people", "ties")
    assert by_role["people"].sum() >= network.MAX_DRAWN_NODES // 2 and len(by_council) > 1
    commissioner = iris.person("synthetic-commissioner-0001").value
    at.selectbox(key="net_centre").set_value(commissioner).run()
    assert not at.exception, [e.value for e in at.exception]
    assert drawings(at)["net_chart"]["nodes"] and not at.warning


def _croydon_reports(tmp_path: Path) -> LoadPlan:
    """The lookup, the national outcomes and Croydon's 2017 and 2020 Ofsted reports (copied: a folder of them)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for file_id in ("50004396", "50149056"):
        (folder / f"{file_id}.pdf").write_bytes(require_shared("data", "ofsted-reports", f"{file_id}.pdf").read_bytes())
    return LoadPlan(lookups=[require_shared("data", "reference", "la_lookup.csv")], reports=[folder],
                    ofsted=[require_shared("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods")])


def test_home_counts_what_the_reports_brought(tmp_path: Path, app_on) -> None:
    at = app_on(tmp_path / "store", _croydon_reports(tmp_path), "home")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Ofsted reports"] == "2"
    assert int(metrics["Recommendations"].replace(",", "")) >= 20 and int(metrics["Posts"]) >= 3
    assert int(metrics["People"]) >= 11  # Croydon 2017's team of ten and 2020's lead inspector, with the curated people


def test_a_council_page_shows_the_reports_facts_with_their_pages(tmp_path: Path, app_on) -> None:
    at = app_on(tmp_path / "store", _croydon_reports(tmp_path), "entity", iri=iris.council("E09000008").value)
    labels = [e.label for e in at.expander]
    for file_id in ("50004396", "50149056"):
        assert any(label.startswith(f"Ofsted report {file_id}") for label in labels), labels
    pages = [df for df in (t.value for t in at.dataframe) if "page" in df.columns]
    assert pages and any((df["page"] == "5").any() for df in pages)  # "The DCS has been in post since July 2016", p. 5
