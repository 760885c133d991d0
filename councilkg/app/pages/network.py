"""Network: people, councils, boards and committees (networkx), filtered by council, role and an "as at" date.

An ego network around a node or one of a council's inspections (its team, the authority, who was in post),
colour by kind and size by centrality; click a node to see its roles or facts; a co-membership view; GraphML
export. Holders Ofsted states without naming them are nodes of their own.
A selection too big to draw readably (the whole country) is summarised by role and authority instead.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import streamlit as st

from councilkg.app import elements, network_view, state
from councilkg.app.elements import ANY
from councilkg.app.markdown import md
from councilkg.explore import entities, network
from councilkg.query.runner import Runner

#: the "as at" date the page offers first: the day of Croydon's seventh monitoring visit
DEFAULT_AS_AT = dt.date(2019, 10, 16)


def _graphml_button(graph: nx.Graph) -> None:
    st.download_button("Export the shown graph (GraphML)", network.to_graphml(graph), file_name="councilkg-network.graphml",
                       mime="application/graphml+xml", key="net_graphml")


def _node_details(runner: Runner, iri: str, label: str) -> None:
    """A node's roles (a person) or its facts (anything else), and a link to its page."""
    st.subheader(md(label))
    elements.entity_link("Open its page", iri)
    entity = entities.describe(runner, iri)
    if entity is None:
        return
    if "person" in entity.kinds:
        elements.table([{k: v for k, v in row.items() if k != "end"} for row in entities.roles_of(runner, iri)],
                       key="net_roles_table")
    else:
        elements.table([{"property": f.property_name, "value": f.value_name, "source": f.source_title}
                        for f in entity.facts if f.direction == "out"], key="net_facts")


def _asked(name: str, key: str, options: dict[str, object], what: str) -> None:
    """Open on the choice the address names (``/network?council=E09000008``, ``&inspection=IRI``, ``&centre=IRI``)
    the first time the page runs; a name the page does not offer is said plainly."""
    wanted = st.query_params.get(name)
    if not wanted or key in st.session_state:
        return
    if wanted in options:
        st.session_state[key] = options[wanted]
    else:
        st.warning(f"No {what} {md(repr(wanted))} here; the page opens without it.")


runner = state.shared_runner()
st.title("Network")
councils = state.councils(runner)
if "net_council" not in st.session_state:  # ``/network?council=E09000008`` opens on that council
    asked = elements.asked_council(runner, councils, instead="the page opens without it")
    if asked:
        st.session_state["net_council"] = asked
with st.sidebar:
    st.subheader("Network filters")
    council_label = st.selectbox("Council", [ANY, *[n for n, _ in councils]], key="net_council")
    chosen_roles = st.multiselect("Role types", [name for name, _ in state.roles(runner)], key="net_roles",
                                  placeholder="all roles")
    as_at_on = st.checkbox("Only tenures held on a date", key="net_asat_on")
    as_at = st.date_input("As at", value=DEFAULT_AS_AT, key="net_asat", disabled=not as_at_on, format="YYYY-MM-DD")
    unnamed_on = st.checkbox("Holders Ofsted states but does not name", value=True, key="net_unnamed",
                             help="'The DCS has been in post since July 2016': a node of its own, from the leadership "
                                  "timeline (as at the date, when one is set).")
    measure = st.radio("Size nodes by", network.CENTRALITY, key="net_measure", horizontal=True)
council = dict(councils).get(council_label)
date = as_at if as_at_on and as_at else None
inspection = None
if council:  # an inspection of the council whose report names its team: who inspected, and who was in post
    team = state.council_teams(runner, council)
    inspected = network.inspections(team, council)
    _asked("inspection", "net_inspection", {i.iri: i for i in inspected}, "inspection of this council with its team")
    inspection = st.sidebar.selectbox("Centre on an inspection", [None, *inspected], key="net_inspection",
                                      format_func=lambda i: "(none)" if i is None else i.label,
                                      help="Its team as Ofsted's report names it, the authority, and the people in "
                                           "post on its first day of fieldwork (the as-at date is set to that day).")
    if inspection is not None and inspection.fieldwork_start:
        date = inspection.fieldwork_start
known, tenures = state.ties_and_tenures(runner, council, date.isoformat() if date else None)
ties = list(known)
if unnamed_on:
    ties += network.unnamed_ties(tenures, date)
if inspection is not None:
    ties += network.inspection_ties(team, inspection)
    st.caption(md(f"Centred on {inspection.label}: its team, {council_label}, and who was in post on "
                  f"{date.isoformat() if date else 'an unknown date'}."))
view = st.radio("View", network.VIEWS, key="net_view", horizontal=True)
graph = network.view_graph(ties, view, chosen_roles)
labels = {n: d.get("label", n) for n, d in graph.nodes(data=True)}
ordered = sorted(labels, key=lambda n: labels[n].lower())
c1, c2 = st.columns([3, 1])
if inspection is not None:
    centre = inspection.iri
    c1.markdown(md(f"Centre: {inspection.label}"))
else:
    _asked("centre", "net_centre", {n: n for n in ordered}, "node to centre on")
    centre = c1.selectbox("Centre on (ego network)", [None, *ordered], key="net_centre",
                          format_func=lambda n: "(whole network)" if n is None else labels[n])
depth = c2.slider("Depth", 1, 4, 2, key="net_depth", disabled=centre is None)
if centre is not None:
    graph = network.ego(graph, centre, depth)
if graph.number_of_nodes() == 0:
    st.info("No people or organisations match these filters.")
elif network.too_big_to_draw(graph):
    st.warning(f"{graph.number_of_nodes():,} nodes and {graph.number_of_edges():,} edges: too many to draw readably "
               f"(at most {network.MAX_DRAWN_NODES:,}), so here they are in numbers. Choose a council, role types or a "
               "date in the sidebar, or centre on an authority, a person or a body above to draw its network; or "
               "export the whole graph as GraphML for a tool such as Gephi.")
    by_role, by_council = network.summary(ties, {iri: name for name, iri in councils})
    left, right = st.columns(2)
    with left:
        st.subheader("By role")
        elements.table(by_role, key="net_by_role")
    with right:
        st.subheader("By authority")
        elements.table(by_council, key="net_by_council")
    _graphml_button(graph)
else:
    nodes, edges = network.drawing(graph, measure)
    st.caption(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges. Colour: kind; size: {measure} centrality"
               + (f"; names shown for the {network_view.MAX_LABELS} most central (point at a node for any other's)"
                  if len(nodes) > network_view.MAX_LABELS else "")
               + ". Click a node (or choose it below) to see its details.")
    graph_nodes = sorted(graph.nodes, key=lambda n: labels.get(n, n).lower())
    if st.session_state.get("net_node") not in graph_nodes:  # a node the filters have since left out
        st.session_state["net_node"] = None
    network_view.network_view(nodes, edges, key="net_chart", selected=st.session_state["net_node"],
                              on_click=lambda node: st.session_state.update(net_node=node))
    chosen = st.selectbox("Details of", [None, *graph_nodes], key="net_node",
                          format_func=lambda n: "(choose a node)" if n is None else labels.get(n, n))
    if chosen:
        _node_details(runner, chosen, labels.get(chosen, chosen))
    if view == network.VIEWS[1]:
        st.subheader("Most central people")
        elements.table(network.most_central(graph, measure), key="net_central")
    _graphml_button(graph)
