"""Home: what the graph holds, where its data comes from, and a search for councils, people and boards."""

from __future__ import annotations

import streamlit as st

from councilkg.app import elements, state
from councilkg.app.markdown import md
from councilkg.explore import entities, inventory
from councilkg.model import iris

runner = state.shared_runner()
st.title("councilkg")
st.write("A knowledge graph of English councils' children's services: who led them, how Ofsted judged them, "
         "which boards, commissioners and plans drove their improvement, and which documents say so.")
graphs = inventory.graphs(runner.backend)
classes = inventory.classes(runner.backend)
cols = st.columns(5)
cols[0].metric("Triples", f"{inventory.total_triples(graphs):,}")
cols[1].metric("Sources", inventory.source_count(graphs))
cols[2].metric("Councils", inventory.entity_count(classes, iris.ckg.LocalAuthority.value))
cols[3].metric("People", inventory.entity_count(classes, iris.foaf.Person.value))
cols[4].metric("Inspections and visits", inventory.entity_count(classes, iris.ckg.Inspection.value))
cols = st.columns(5)
cols[0].metric("Ofsted reports", inventory.kind_count(graphs, "reports"))
cols[1].metric("Posts", inventory.entity_count(classes, iris.org.Post.value))
cols[2].metric("Memberships", inventory.entity_count(classes, iris.org.Membership.value))
cols[3].metric("Recommendations", inventory.entity_count(classes, iris.ckg.Recommendation.value))
cols[4].metric("Judgements", inventory.entity_count(classes, iris.ckg.Judgement.value))

st.subheader("Find a council, person or board")
text = st.text_input("Search", key="home_search", placeholder="Croydon, Robert Henderson, improvement board …")
if text:
    hits = entities.search(runner, text)
    if hits:
        elements.hit_links(hits)
    else:
        st.info(f"Nothing in the graph is called {md(repr(text))}.")

left, right = st.columns(2)
with left:
    st.subheader("Where the data comes from")
    elements.table([{"source": g.title, "kind": g.kind, "triples": g.triples, "loaded": g.loaded_at, "from": g.origin}
                    for g in inventory.listed(graphs) if g.kind != "log"], key="home_sources")
with right:
    st.subheader("What the graph holds")
    elements.table([{"class": c.label, "entities": c.entities} for c in classes], key="home_classes")
st.caption("Every fact is in the named graph of the source that states it. Seed documents are curated by hand "
           "(data/curated); national data comes from Ofsted's official statistics; each Ofsted report loaded is a graph "
           "of its own (listed together), its facts citing their page.")
