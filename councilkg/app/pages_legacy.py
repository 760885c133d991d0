"""councilkg: the Streamlit front end. Thin: every page shows data from councilkg's tested modules.

Run with `make run` (or `streamlit run app.py`). The store is $COUNCILKG_STORE or the project's
store/ folder; set COUNCILKG_ENDPOINT to read a SPARQL endpoint instead.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import streamlit as st

from councilkg.app import charts
from councilkg.app import state as ui
from councilkg.errors import StoreError
from councilkg.explore import entities as explore
from councilkg.explore import inventory as overview
from councilkg.explore import network
from councilkg.model import iris
from councilkg.query import catalogue
from councilkg.query.backends import QueryError
from councilkg.query.params import ParameterError
from councilkg.query.runner import Runner
from councilkg.query.safety import UnsafeQueryError

st.set_page_config(page_title="councilkg", layout="wide")

PAGES = {"home": "Home", "queries": "Questions", "editor": "SPARQL editor", "network": "Network",
         "journey": "Improvement journey", "entity": "Entity"}
#: other names a hand-typed ``?page=`` may use for a page
PAGE_ALIASES = {"questions": "queries", "query": "queries", "sparql": "editor", "sparql-editor": "editor",
                "improvement-journey": "journey"}
ANY = "(any)"


def _table(rows: list[dict], key: str | None = None, **kwargs) -> None:
    """Data as a table: Streamlit draws cells as text, so labels are never interpreted as HTML."""
    if rows:
        st.dataframe(rows, hide_index=True, key=key, **kwargs)
    else:
        st.info("Nothing to show.")


def _query_error(exc: Exception) -> None:
    st.error(str(exc))


# --------------------------------------------------------------------------------------------
# Home
# --------------------------------------------------------------------------------------------


def page_home(runner: Runner) -> None:
    st.title("councilkg")
    st.write("A knowledge graph of English councils' children's services: who led them, how Ofsted judged them, "
             "which boards, commissioners and plans drove their improvement, and which documents say so.")
    graphs = overview.graphs(runner.backend)
    classes = overview.classes(runner.backend)
    counts = {c.iri: c.entities for c in classes}
    cols = st.columns(5)
    cols[0].metric("Triples", f"{overview.total_triples(graphs):,}")
    cols[1].metric("Sources", sum(1 for g in graphs if g.kind not in ("log", "ontology")))
    cols[2].metric("Councils", counts.get(iris.ckg.LocalAuthority.value, 0))
    cols[3].metric("People", counts.get(iris.foaf.Person.value, 0))
    cols[4].metric("Inspections and visits", counts.get(iris.ckg.Inspection.value, 0))

    st.subheader("Find a council, person or board")
    text = st.text_input("Search", key="home_search", placeholder="Croydon, Robert Henderson, improvement board …")
    if text:
        hits = explore.search(runner, text)
        if hits:
            st.markdown("\n".join(f"- {explore.entity_link(h.label, h.iri)} — {h.kind}" for h in hits))
        else:
            st.info(f"Nothing in the graph is called {text!r}.")

    left, right = st.columns(2)
    with left:
        st.subheader("Where the data comes from")
        _table([{"source": g.title, "kind": g.kind, "triples": g.triples, "loaded": g.loaded_at, "from": g.origin}
                for g in graphs if g.kind not in ("log",)], key="home_sources")
    with right:
        st.subheader("What the graph holds")
        _table([{"class": c.label, "entities": c.entities} for c in classes], key="home_classes")
    st.caption("Every fact is in the named graph of the source that states it. Seed documents are curated by hand "
               "(data/curated); national data comes from Ofsted's official statistics.")


# --------------------------------------------------------------------------------------------
# Canned questions
# --------------------------------------------------------------------------------------------


def _from_link(runner: Runner, query: catalogue.CannedQuery, param: catalogue.Param, key: str) -> str | None:
    """The value a link gives a parameter (``?page=queries&question=leaders_at_date&council=Croydon``),
    resolved against the graph (an IRI, a date, a region), when its widget is first shown."""
    raw = st.query_params.get(param.name)
    if not raw or key in st.session_state or st.query_params.get("question") != query.name:
        return None
    try:
        return runner.resolver.resolve(param.name, param.type, raw).value
    except ParameterError as exc:
        st.warning(f"The link's {exc}")
        return None


def _index(options: list[str], value: str | None, default: int) -> int:
    return options.index(value) if value in options else default


def _param_widget(runner: Runner, query: catalogue.CannedQuery, param: catalogue.Param) -> object:
    key = f"q_{query.name}_{param.name}"
    label = f"{param.name}{'' if param.required else ' (optional)'}"
    linked = _from_link(runner, query, param, key)
    if param.type in ("council", "person", "role"):
        options = {"council": ui.councils, "person": ui.people, "role": ui.roles}[param.type](runner)
        labels = ([] if param.required else [ANY]) + [name for name, _ in options]
        default = _index(labels, param.example, 0) if param.required else 0
        by_iri = {iri: name for name, iri in options}
        chosen = st.selectbox(label, labels, index=_index(labels, by_iri.get(linked or ""), default), key=key,
                              help=param.description)
        if chosen == ANY:
            return None
        return chosen if param.type == "role" else dict(options).get(chosen)
    if param.type == "date":
        default = dt.date.fromisoformat(param.example) if param.required and param.example else None
        value = st.date_input(label, value=dt.date.fromisoformat(linked) if linked else default, key=key,
                              help=param.description, format="YYYY-MM-DD",
                              min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
        return value.isoformat() if value else None
    if param.type == "region":
        labels = [ANY, *ui.regions(runner)]
        chosen = st.selectbox(label, labels, index=_index(labels, linked, 0), key=key, help=param.description)
        return None if chosen == ANY else chosen
    value = st.text_input(label, value=linked or (param.example if param.required else ""), key=key, help=param.description)
    return value or None


def page_queries(runner: Runner) -> None:
    st.title("Questions")
    queries = catalogue.catalogue()
    asked = st.query_params.get("question")
    if asked and "q_name" not in st.session_state:  # a link to a question (?page=queries&question=NAME)
        if asked in queries:
            st.session_state["q_name"] = asked
        else:
            st.warning(f"There is no question called {asked!r}; the questions are {', '.join(queries)}.")
    name = st.selectbox("Question", list(queries), key="q_name", format_func=lambda n: queries[n].title)
    if st.query_params.get("question") != name:
        st.query_params["question"] = name  # the address links to the question shown
    query = queries[name]
    st.write(query.description)
    with st.form(key=f"q_form_{name}", border=False):
        values = {p.name: _param_widget(runner, query, p) for p in query.params}
        submitted = st.form_submit_button("Run", key="q_run", type="primary")
    if submitted:
        for param in query.params:  # the address now links to these results
            if values.get(param.name):
                st.query_params[param.name] = values[param.name]
            elif param.name in st.query_params:
                del st.query_params[param.name]
        try:
            st.session_state["q_result"] = (name, runner.canned(name, values))
        except (ParameterError, QueryError, UnsafeQueryError) as exc:
            st.session_state.pop("q_result", None)
            _query_error(exc)
    stored = st.session_state.get("q_result")
    if stored and stored[0] == name:
        result = stored[1]
        st.caption(result.summary())
        # an IRI column with a label column beside it is shown by its label (the downloads keep both)
        shown = [c for c in result.columns if f"{c}Label" not in result.columns]
        _table(result.strings(), key="q_table", column_order=shown,
               column_config={c: st.column_config.TextColumn(c, help=query.columns.get(c)) for c in shown})
        left, right, _ = st.columns([1, 1, 4])
        left.download_button("Download CSV", result.to_csv(), file_name=f"{name}.csv", mime="text/csv", key="q_csv")
        right.download_button("Download JSON", result.to_json(), file_name=f"{name}.json",
                              mime="application/sparql-results+json", key="q_json")
    with st.expander("The SPARQL behind this question", expanded=False):
        st.code(query.text, language="sparql")
        st.caption("Parameters are bound as RDF terms when the query runs (a council's name becomes its IRI).")


# --------------------------------------------------------------------------------------------
# SPARQL editor
# --------------------------------------------------------------------------------------------

DEFAULT_SPARQL = iris.sparql_prefixes(["ckg", "org", "foaf", "rdfs", "skos", "council", "person", "role", "grade", "area"]) + """
SELECT ?inspection ?published ?area ?grade WHERE {
  ?judgement ckg:judgementOf ?inspection ; ckg:judgementArea/skos:prefLabel ?area ; ckg:grade/skos:prefLabel ?grade .
  ?inspection ckg:inspectedAuthority council:E09000008 ; ckg:publicationDate ?published .
}
ORDER BY ?published ?area
"""


def page_editor(runner: Runner) -> None:
    st.title("SPARQL editor")
    st.write("Read-only SPARQL over the union of every source graph (use `GRAPH ?source { … }` to ask which source "
             "says what). SERVICE and updates are refused; queries stop at the time limit and results at the row limit.")
    if "sparql_text" not in st.session_state:
        st.session_state["sparql_text"] = st.query_params.get("q") or DEFAULT_SPARQL
    queries = catalogue.catalogue()
    start_col, load_col = st.columns([4, 1], vertical_alignment="bottom")
    start = start_col.selectbox("Start from a catalogue query", list(queries), key="ed_start",
                                format_func=lambda n: f"{n}: {queries[n].title}")
    if load_col.button("Load it", key="ed_load"):
        st.session_state["sparql_text"] = st.session_state["ed_text"] = queries[start].text
        st.session_state["ed_version"] = st.session_state.get("ed_version", 0) + 1
    plain = st.toggle("Plain text editor", key="ed_plain", help="A plain text box instead of the highlighting editor.")
    mode, previous = ("plain" if plain else "rich"), st.session_state.get("ed_mode")
    if mode != previous:  # carry the text across when switching editors
        st.session_state["ed_text"] = st.session_state["sparql_text"]
        st.session_state["ed_version"] = st.session_state.get("ed_version", 0) + 1
    st.session_state["ed_mode"] = mode
    if plain:
        text = st.text_area("SPARQL", height=320, key="ed_text")
        run_shortcut = False
    else:
        text, run_shortcut = ui.sparql_editor(f"ed_editor_{st.session_state.get('ed_version', 0)}", st.session_state["sparql_text"])
    st.session_state["sparql_text"] = text
    c1, c2, c3, c4 = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
    limit = c1.number_input("Row limit", min_value=1, max_value=100_000, value=1000, step=100, key="ed_limit")
    timeout = c2.number_input("Time limit (s)", min_value=1, max_value=60, value=10, key="ed_timeout")
    run = c3.button("Run", type="primary", key="ed_run") or run_shortcut
    if c4.button("Share a link to this query", key="ed_share"):
        st.query_params["page"] = "editor"
        st.query_params["q"] = text
        st.success("The address bar now holds a link that opens this query.")
    if run:
        try:
            st.session_state["ed_result"] = runner.user(text, limit=int(limit), timeout=float(timeout))
        except (QueryError, UnsafeQueryError, ParameterError) as exc:
            st.session_state.pop("ed_result", None)
            _query_error(exc)
    result = st.session_state.get("ed_result")
    if result is None:
        st.caption("Ctrl+Enter in the editor runs the query.")
        return
    if result.truncated:
        st.warning(f"Showing the first {result.limit:,} rows: there are more. Raise the row limit or add a LIMIT.")
    st.caption(result.summary())
    if result.form == "ASK":
        st.subheader("Yes" if result.boolean else "No")
        return
    rows = result.strings()
    if result.is_graph and rows:
        st.altair_chart(charts.graph_result_chart(rows), key="ed_graph")
    _table(rows, key="ed_table")
    d1, d2, _ = st.columns([1, 1, 4])
    d1.download_button("Download CSV", result.to_csv(), file_name="query.csv", mime="text/csv", key="ed_csv")
    d2.download_button("Download JSON", result.to_json(), file_name="query.json", mime="application/sparql-results+json",
                       key="ed_json")


# --------------------------------------------------------------------------------------------
# Network
# --------------------------------------------------------------------------------------------


def page_network(runner: Runner) -> None:
    st.title("Network")
    councils = ui.councils(runner)
    with st.sidebar:
        st.subheader("Network filters")
        council_label = st.selectbox("Council", [ANY, *[n for n, _ in councils]], key="net_council")
        role_names = [name for name, _ in ui.roles(runner)]
        chosen_roles = st.multiselect("Role types", role_names, key="net_roles", placeholder="all roles")
        as_at_on = st.checkbox("Only tenures held on a date", key="net_asat_on")
        as_at = st.date_input("As at", value=dt.date(2019, 10, 16), key="net_asat", disabled=not as_at_on, format="YYYY-MM-DD")
        measure = st.radio("Size nodes by", network.CENTRALITY, key="net_measure", horizontal=True)
    params = {"council": dict(councils).get(council_label) if council_label != ANY else None,
              "date": as_at.isoformat() if as_at_on and as_at else None}
    ties = network.ties_from(runner.canned("role_network", params, limit=None))
    view = st.radio("View", ["People, posts and organisations", "Co-membership"], key="net_view", horizontal=True)
    if view == "Co-membership":
        graph = network.co_membership([t for t in ties if not chosen_roles or t.role_label in chosen_roles])
    else:
        role_iris = {t.role for t in ties if t.role_label in chosen_roles} if chosen_roles else None
        graph = network.role_graph(ties, role_iris)
    labels = {n: d.get("label", n) for n, d in graph.nodes(data=True)}
    ordered = sorted(labels, key=lambda n: labels[n].lower())
    c1, c2 = st.columns([3, 1])
    centre = c1.selectbox("Centre on (ego network)", [None, *ordered], key="net_centre",
                          format_func=lambda n: "(whole network)" if n is None else labels[n])
    depth = c2.slider("Depth", 1, 4, 2, key="net_depth", disabled=centre is None)
    if centre is not None:
        graph = network.ego(graph, centre, depth)
    if graph.number_of_nodes() == 0:
        st.info("No people or organisations match these filters.")
        return
    if network.too_big_to_draw(graph):
        st.warning(f"{graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges: too many to draw readably "
                   f"(at most {network.MAX_DRAWN_NODES:,}). Choose a council, role types or a date in the sidebar, or "
                   "centre on a node above; or export the whole graph as GraphML for a tool such as Gephi.")
        _graphml_button(graph)
        return
    nodes, edges = network.drawing(graph, measure)
    st.caption(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges. Colour: kind; size: {measure} centrality. "
               "Click a node (or choose it below) to see its details.")
    event = st.altair_chart(charts.network_chart(nodes, edges), key="net_chart", on_select="rerun",
                            selection_mode=charts.NODE_SELECTION)
    clicked = None
    selection = getattr(event, "selection", None) or {}
    picked = selection.get(charts.NODE_SELECTION) or []
    if picked:
        clicked = picked[0].get("id")
    graph_nodes = sorted(graph.nodes, key=lambda n: labels.get(n, n).lower())
    chosen = st.selectbox("Details of", [None, *graph_nodes], key="net_node",
                          index=(graph_nodes.index(clicked) + 1) if clicked in graph_nodes else 0,
                          format_func=lambda n: "(choose a node)" if n is None else labels.get(n, n))
    if chosen:
        _node_details(runner, chosen, labels.get(chosen, chosen))
    if view == "Co-membership":
        st.subheader("Most central people")
        _table(network.most_central(graph, measure), key="net_central")
    _graphml_button(graph)


def _graphml_button(graph: nx.Graph) -> None:
    st.download_button("Export the shown graph (GraphML)", network.to_graphml(graph), file_name="councilkg-network.graphml",
                       mime="application/graphml+xml", key="net_graphml")


def _node_details(runner: Runner, iri: str, label: str) -> None:
    st.subheader(label)
    st.markdown(explore.entity_link("Open its page", iri))
    roles = runner.canned("person_roles", {"person": iri}, limit=None).strings() if _is_person(runner, iri) else []
    if roles:
        _table([{"organisation": r["organisationLabel"], "role": r["roleLabel"], "title": r["title"], "start": r["start"],
                 "known from": r["knownFrom"], "known until": r["knownUntil"], "source": r["sourceTitle"]} for r in roles],
               key="net_roles_table")
    else:
        entity = explore.describe(runner, iri)
        if entity:
            _table([{"property": f.property_label or iris.shorten(f.property), "value": f.value_label or f.value,
                     "source": f.source_title} for f in entity.facts if f.direction == "out"], key="net_facts")


def _is_person(runner: Runner, iri: str) -> bool:
    return any(node == iri for _, node in ui.people(runner))


# --------------------------------------------------------------------------------------------
# Improvement journey
# --------------------------------------------------------------------------------------------


def page_journey(runner: Runner) -> None:
    st.title("Improvement journey")
    councils = ui.councils(runner)
    names = [n for n, _ in councils]
    default = names.index("Croydon") if "Croydon" in names else 0
    label = st.selectbox("Council", names, index=default, key="jr_council")
    journey = explore.journey(runner, dict(councils)[label])
    if not journey.judgements and not journey.tenures:
        st.info(f"The graph holds no judgements or leadership tenures for {label}.")
        return
    st.altair_chart(charts.journey_chart(journey), key="jr_chart")
    st.caption("Bars run from the earliest to the latest day the sources place each person in post; a tenure known "
               "from a single document shows as a short bar. Tenures are not extended beyond what the sources say.")
    # full width, one above the other: the recommendations' own text is long. The publication date
    # names the inspection on this one council's page, so its long label is left out.
    st.subheader("Recommendations and what addressed them")
    _table([{k: v for k, v in r.items() if k != "inspection"} for r in journey.recommendations], key="jr_recs")
    st.subheader("People and bodies credited")
    _table([{k: v for k, v in c.items() if k != "iri"} for c in journey.credits], key="jr_credits")
    improvements = [r for r in runner.canned("improvement_leaders", {"council": dict(councils)[label]}, limit=None).strings()]
    if improvements:
        st.subheader("Who led each improvement")
        _table([{"from": f"{r['fromGrade']} ({r['fromDate']})", "to": f"{r['toGrade']} ({r['toDate']})",
                 "person": r["personLabel"], "basis": r["basis"], "role or credit": r["role"]} for r in improvements],
               key="jr_leaders")


# --------------------------------------------------------------------------------------------
# Entity pages
# --------------------------------------------------------------------------------------------


def page_entity(runner: Runner) -> None:
    st.title("Entity")
    iri = st.query_params.get("iri", "")
    typed = st.text_input("IRI or name", value=iri, key="ent_input", placeholder="Croydon, Eleanor Brazil, or an IRI")
    if typed and typed != iri:
        if typed.startswith(("http://", "https://")):
            iri = typed
        else:
            hits = explore.search(runner, typed)
            if not hits:
                st.info(f"Nothing in the graph is called {typed!r}.")
                return
            if len(hits) > 1 and hits[0].label.lower() != typed.lower():
                st.markdown("\n".join(f"- {explore.entity_link(h.label, h.iri)} — {h.kind}" for h in hits))
                return
            iri = hits[0].iri
    if not iri:
        st.caption("Search for a council, person, board or inspection, or follow a link from another page.")
        return
    entity = explore.describe(runner, iri)
    if entity is None:
        st.warning("The graph says nothing about this IRI.")
        st.code(iri)
        return
    st.header(entity.label, anchor=False)
    st.caption(f"{', '.join(entity.kinds) or 'entity'} · {iri}")
    if "person" in entity.kinds:
        st.subheader("Roles")
        _table([{"organisation": r["organisationLabel"], "role": r["roleLabel"], "title": r["title"], "start": r["start"],
                 "end": r["end"], "known from": r["knownFrom"], "known until": r["knownUntil"], "source": r["sourceTitle"]}
                for r in runner.canned("person_roles", {"person": iri}, limit=None).strings()], key="ent_roles")
    if "council" in entity.kinds:
        st.subheader("Judgements")
        _table([{"published": r["published"], "type": r["type"], "area": r["area"], "grade": r["grade"],
                 "source": r["sourceTitle"]} for r in runner.canned("council_judgements", {"council": iri}, limit=None).strings()
                if r["area"]], key="ent_judgements")
    passages = runner.canned("entity_passages", {"entity": iri}, limit=200).strings()
    if passages:
        st.subheader("In the words of the documents")
        st.caption("Passages of loaded documents (`councilkg load --documents`) that name it.")
        for p in passages:
            with st.expander(f"{p['documentTitle'] or p['fileName']}, passage {p['passageNumber']}", expanded=len(passages) <= 5):
                st.markdown(explore.md(p["text"]))
                if p["curatedSource"]:
                    link = explore.entity_link(iris.shorten(p["curatedSource"]), p["curatedSource"])
                    st.caption(f"The curated facts from this document: {link}")
    linked = entity.linked()
    if linked:
        st.subheader("Linked")
        st.markdown("\n".join(f"- {explore.md(prop)}: {explore.entity_link(label, target)}" for prop, label, target in linked))
    st.subheader("Facts, by source")
    for source, facts in entity.facts_by_source().items():
        title = facts[0].source_title or iris.shorten(source)
        with st.expander(f"{title} ({len(facts)})", expanded=len(entity.facts) < 40):
            st.caption(source)
            _table([{"": "→" if f.direction == "out" else "←", "property": f.property_label or iris.shorten(f.property),
                     "value": f.value_label or (iris.shorten(f.value) if f.value_is_iri else f.value)} for f in facts])


# --------------------------------------------------------------------------------------------
# Navigation
# --------------------------------------------------------------------------------------------


def main() -> None:
    try:
        runner = ui.shared_runner()
        overview.graphs(runner.backend)  # fails here, clearly, if the store is missing
    except StoreError as exc:
        st.title("councilkg")
        st.error(str(exc))
        st.markdown("To build the store, run `make run` (it builds it when it is missing) or `councilkg load`, "
                    "then reload this page.")
        ui.shared_runner.clear()
        st.stop()
    asked = st.query_params.get("page", "home")
    requested = PAGE_ALIASES.get(asked.strip().lower(), asked.strip().lower())
    slugs = list(PAGES)
    with st.sidebar:
        st.markdown("### councilkg")
        page = st.radio("Page", slugs, index=slugs.index(requested) if requested in slugs else 0, key="nav",
                        format_func=PAGES.get, label_visibility="collapsed")
        st.caption(runner.backend.description)
    if requested not in slugs:
        st.warning(f"There is no page called {asked!r}; the pages are {', '.join(slugs)}. Showing {PAGES[page]}.")
    if page != asked:
        st.query_params["page"] = page
    {"home": page_home, "queries": page_queries, "editor": page_editor, "network": page_network,
     "journey": page_journey, "entity": page_entity}[page](runner)
