"""Inspectors: pick one of the inspectors Ofsted's reports name; their record (the inspections they led, with the
judgements the reports publish), every inspection they are named on, and who they inspected with (an ego network of
the co-inspection network, whose whole is summarised and offered as GraphML; click an inspector there to see theirs).
It states what Ofsted published, no more.
"""

from __future__ import annotations

import streamlit as st

from councilkg.app import elements, network_view, state
from councilkg.app.markdown import md
from councilkg.explore import inspectors, network

CAUTION = ("What Ofsted published, no more: the inspections a report names this inspector on, in the role it gives, "
           "and the judgements the reports they led publish. Those grade the authority's services, not the inspector, "
           "and a report does not say what part any one member of the team had in them.")


runner = state.shared_runner()
st.title("Inspectors")
st.caption(CAUTION)
rows = state.teams(runner)
people = inspectors.inspectors(rows)
if not people:
    st.info("The graph names no inspectors: load Ofsted's inspection reports (`councilkg load --reports DIR`).")
    st.stop()
by_iri = {who.iri: who for who in people}
asked = st.query_params.get("inspector", "")
if asked in by_iri and "ins_person" not in st.session_state:  # a link to an inspector (/inspectors?inspector=IRI)
    st.session_state["ins_person"] = asked
chosen = st.selectbox("Inspector", list(by_iri), key="ins_person", format_func=lambda iri: by_iri[iri].choice_label)
st.query_params["inspector"] = chosen
who = by_iri[chosen]
elements.entity_link("Open their entity page", chosen)

st.subheader(md(f"Inspections {who.name} led"))
record = inspectors.record_table(inspectors.record_rows(runner, chosen))
if record:
    elements.table(record, key="ins_record")
else:
    st.info(f"No report names {md(who.name)} as lead inspector.")

st.subheader("Every inspection they are named on")
mine = [row for row in rows if row["person"] == chosen]
st.caption("; ".join(f"{md(role)}: {count}" for role, count in sorted(inspectors.roles_count(mine).items())))
elements.table(inspectors.inspections_table(mine), key="ins_inspections")

st.subheader("Who they inspected with")
whole = inspectors.co_inspection(rows)
figures = inspectors.summary(whole)
st.caption(f"The co-inspection network joins two inspectors named on the same inspection team: {figures['inspectors']:,} "
           f"inspectors, {figures['pairs']:,} pairs, {figures['connected groups']:,} connected groups (the largest "
           f"{figures['largest group']:,}). Shown: the inspectors within the chosen depth of {md(who.name)}.")
depth = st.slider("Depth", 1, 2, 1, key="ins_depth")
shown = network.ego(whole, chosen, depth)
if network.too_big_to_draw(shown):
    st.warning(f"{shown.number_of_nodes():,} inspectors are too many to draw readably; choose depth 1, or export the "
               "network as GraphML.")
else:
    nodes, edges = network.drawing(shown)
    st.caption("Click an inspector (or focus one and press Enter) to see their record.")
    network_view.network_view(nodes, edges, key="ins_chart", selected=chosen,
                              on_click=lambda iri: st.session_state.update(ins_person=iri) if iri in by_iri else None)
elements.table(inspectors.strongest_ties(whole, top=15, around=chosen), key="ins_ties")
c1, c2 = st.columns(2)
c1.download_button("Download this ego network (GraphML)", network.to_graphml(shown), key="ins_graphml_ego",
                   file_name=f"co-inspection-{chosen.rsplit('/', 1)[-1]}.graphml", mime="application/graphml+xml")
c2.download_button("Download the whole co-inspection network (GraphML)", network.to_graphml(whole), key="ins_graphml",
                   file_name="co-inspection.graphml", mime="application/graphml+xml")
