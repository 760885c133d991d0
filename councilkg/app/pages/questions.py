"""Questions: every canned query with pickers for its parameters, its results to download, and its SPARQL.

The address names the question shown and, once it has run, its parameters, so a link opens the same
results: ``/questions?question=leaders_at_date&council=E09000008&date=2019-10-16`` (a council or
person by name, code or IRI).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from councilkg.app import elements, state
from councilkg.app.elements import ANY
from councilkg.app.markdown import md
from councilkg.errors import ParameterError, QueryError, UnsafeQueryError
from councilkg.explore import themes
from councilkg.query import catalogue
from councilkg.query.runner import Runner

#: the dates a date picker offers
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2040, 12, 31)


def _from_link(runner: Runner, query: catalogue.CannedQuery, param: catalogue.Param, key: str) -> str | None:
    """The value a link gives a parameter, resolved against the graph (an IRI, a date, a region), when its
    widget is first shown; a value the graph does not hold is said, and None returned."""
    raw = st.query_params.get(param.name)
    if not raw or key in st.session_state or st.query_params.get("question") != query.name:
        return None
    try:
        return runner.resolver.resolve(param.name, param.type, raw).value
    except ParameterError as exc:
        st.warning(f"The link's {md(exc)}")
        return None


def _index(options: list[str], value: str | None, default: int) -> int:
    return options.index(value) if value in options else default


def _param_widget(runner: Runner, query: catalogue.CannedQuery, param: catalogue.Param) -> object:
    """The picker for one parameter (councils, people and roles from the graph, dates, regions, text); its value."""
    key = f"q_{query.name}_{param.name}"
    label = f"{param.name}{'' if param.required else ' (optional)'}"
    linked = _from_link(runner, query, param, key)
    if param.type in ("council", "person", "role", "theme"):
        options = {"council": state.councils, "person": state.people, "role": state.roles,
                   "theme": lambda _runner: themes.choices()}[param.type](runner)
        labels = ([] if param.required else [ANY]) + [name for name, _ in options]
        default = _index(labels, param.example, 0) if param.required else 0
        by_iri = {iri: name for name, iri in options}
        chosen = st.selectbox(label, labels, index=_index(labels, by_iri.get(linked or ""), default), key=key,
                              help=param.description)
        if chosen == ANY:
            return None
        return chosen if param.type in ("role", "theme") else dict(options).get(chosen)
    if param.type == "date":
        default = dt.date.fromisoformat(param.example) if param.required and param.example else None
        value = st.date_input(label, value=dt.date.fromisoformat(linked) if linked else default, key=key,
                              help=param.description, format="YYYY-MM-DD", min_value=FIRST_DAY, max_value=LAST_DAY)
        return value.isoformat() if value else None
    if param.type == "region":
        labels = [ANY, *state.regions(runner)]
        chosen = st.selectbox(label, labels, index=_index(labels, linked, 0), key=key, help=param.description)
        return None if chosen == ANY else chosen
    value = st.text_input(label, value=linked or (param.example if param.required else ""), key=key, help=param.description)
    return value or None


runner = state.shared_runner()
st.title("Questions")
queries = catalogue.catalogue()
asked = st.query_params.get("question")
if asked and "q_name" not in st.session_state:  # a link to a question (/questions?question=NAME)
    if asked in queries:
        st.session_state["q_name"] = asked
    else:
        st.warning(f"There is no question called {md(repr(asked))}; the questions are {', '.join(queries)}.")
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
        st.error(md(exc))
stored = st.session_state.get("q_result")
if stored and stored[0] == name:
    result = stored[1]
    st.caption(result.summary())
    # an IRI column with a label column beside it is shown by its label (the downloads keep both)
    shown = [c for c in result.columns if f"{c}Label" not in result.columns]
    elements.table(result.strings(), key="q_table", column_order=shown,
                   column_config={c: st.column_config.TextColumn(c, help=query.columns.get(c)) for c in shown})
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Download CSV", result.to_csv(), file_name=f"{name}.csv", mime="text/csv", key="q_csv")
    right.download_button("Download JSON", result.to_json(), file_name=f"{name}.json",
                          mime="application/sparql-results+json", key="q_json")
with st.expander("The SPARQL behind this question", expanded=False):
    st.code(query.text, language="sparql")
    st.caption("Parameters are bound as RDF terms when the query runs (a council's name becomes its IRI).")
