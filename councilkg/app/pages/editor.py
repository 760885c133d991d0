"""SPARQL editor: read-only SPARQL over the union of every source graph, under the app's time and row limits.

``/editor?q=...`` opens a query (the page's "Share a link" writes it); Ctrl+Enter in the editor runs it.
"""

from __future__ import annotations

import streamlit as st

from councilkg.app import elements, network_view, state
from councilkg.app.markdown import md
from councilkg.app.sparql_editor import sparql_editor
from councilkg.errors import ParameterError, QueryError, UnsafeQueryError
from councilkg.explore import network
from councilkg.query import catalogue
from councilkg.query.results import QueryResult

runner = state.shared_runner()
limits = state.settings()
st.title("SPARQL editor")
st.write("Read-only SPARQL over the union of every source graph (use `GRAPH ?source { … }` to ask which source "
         "says what). SERVICE and updates are refused; queries stop at the time limit and results at the row limit.")
if "sparql_text" not in st.session_state:
    st.session_state["sparql_text"] = st.query_params.get("q") or catalogue.internal("editor_start")
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
    text, run_shortcut = sparql_editor(f"ed_editor_{st.session_state.get('ed_version', 0)}", st.session_state["sparql_text"])
st.session_state["sparql_text"] = text
c1, c2, c3, c4 = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
# the settings' limits are the most a user may ask for, and what a query gets unless they ask for less
limit = c1.number_input("Row limit", min_value=1, max_value=limits.row_limit, value=limits.row_limit, step=100,
                        key="ed_limit")
timeout = c2.number_input("Time limit (s)", min_value=1.0, max_value=float(limits.timeout), value=float(limits.timeout),
                          step=1.0, format="%g", key="ed_timeout")
run = c3.button("Run", type="primary", key="ed_run") or run_shortcut
if c4.button("Share a link to this query", key="ed_share"):
    st.query_params["q"] = text
    st.success("The address bar now holds a link that opens this query.")
if run:
    try:
        st.session_state["ed_result"] = runner.user(text, limit=int(limit), timeout=float(timeout))
    except (QueryError, UnsafeQueryError, ParameterError) as exc:
        st.session_state.pop("ed_result", None)
        st.error(md(exc))

def _show(result: QueryResult) -> None:
    """A result: its size, a warning when it was cut, then Yes or No, or a table (and a drawing of a graph)."""
    if result.truncated:
        st.warning(f"Showing the first {result.limit:,} rows: there are more. Raise the row limit or add a LIMIT.")
    st.caption(result.summary())
    if result.form == "ASK":
        st.subheader("Yes" if result.boolean else "No")
        return
    rows = result.strings()
    if result.is_graph and rows:
        network_view.network_view(*network.drawing(network.triples_graph(rows)), key="ed_graph", height=480)
    elements.table(rows, key="ed_table")
    d1, d2, _ = st.columns([1, 1, 4])
    d1.download_button("Download CSV", result.to_csv(), file_name="query.csv", mime="text/csv", key="ed_csv")
    d2.download_button("Download JSON", result.to_json(), file_name="query.json", mime="application/sparql-results+json",
                       key="ed_json")


if "ed_result" in st.session_state:
    _show(st.session_state["ed_result"])
else:
    st.caption("Ctrl+Enter in the editor runs the query.")
