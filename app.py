"""councilkg Streamlit app: a thin layer over councilkg's tested modules.

Run with `make run` (or `streamlit run app.py`); the store comes from $COUNCILKG_STORE or the
project's store/ folder.
"""

from __future__ import annotations

import streamlit as st

from councilkg import overview
from councilkg.backends import backend_for
from councilkg.store import StoreError

st.set_page_config(page_title="councilkg", layout="wide")


@st.cache_resource
def get_backend():
    return backend_for()


st.title("councilkg")
st.caption("A knowledge graph of English councils' children's services: leaders, Ofsted judgements, boards and sources.")
try:
    backend = get_backend()
    graphs = overview.graphs(backend)
    classes = overview.classes(backend)
except StoreError as exc:
    st.error(str(exc))
    st.stop()

st.metric("Triples", f"{overview.total_triples(graphs):,}")
st.subheader("Sources")
st.dataframe([{"source": g.title, "kind": g.kind, "triples": g.triples} for g in graphs], hide_index=True)
st.subheader("What the graph holds")
st.dataframe([{"class": c.label, "entities": c.entities} for c in classes], hide_index=True)
