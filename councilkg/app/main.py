"""councilkg's Streamlit app: the entry script's one call. ``streamlit run app.py`` (``make run``) runs it.

It checks the store can be read, declares the pages (``navigation``) to ``st.navigation``, follows
an old ``?page=NAME`` link to the page it meant, and runs the page asked for. The store is
$COUNCILKG_STORE or the project's store/ folder; set COUNCILKG_ENDPOINT to read a SPARQL endpoint instead.
"""

from __future__ import annotations

import streamlit as st

from councilkg.app import navigation, state
from councilkg.app.markdown import md
from councilkg.errors import StoreError
from councilkg.explore.lookup import run_internal
from councilkg.query.runner import Runner


def _runner_or_stop() -> Runner:
    """The shared runner, once the store answers; else a page that says what to do, and the run stops."""
    try:
        runner = state.shared_runner()
        run_internal(runner.backend, "store_answers")  # fails here, clearly, if the store is missing
    except StoreError as exc:
        st.set_page_config(page_title="councilkg", layout="wide")
        st.title("councilkg")
        st.error(str(exc))
        st.markdown("To build the store, run `make run` (it builds it when it is missing) or `councilkg load`, "
                    "then reload this page.")
        state.shared_runner.clear()
        st.stop()
    return runner


def follow_legacy_link(current: st.Page) -> None:
    """Send an old ``?page=NAME`` link to the page it meant, with its other parameters; say so if there is none."""
    asked = st.query_params.get("page")
    if asked is None:
        return
    slug = navigation.legacy_slug(asked)
    if slug is not None:
        kept = [(name, value) for name in st.query_params if name != "page" for value in st.query_params.get_all(name)]
        st.switch_page(navigation.page(slug), query_params=kept)
    names = ", ".join(spec.slug for spec in navigation.PAGES)
    st.warning(f"There is no page called {md(repr(asked))}; the pages are {names}. Showing {current.title}.")
    del st.query_params["page"]


def run() -> None:
    """Run one script run of the app: the page the address names, in the frame every page shares."""
    st.set_option("client.showErrorDetails", "type")  # an unforeseen error shows its type, never paths or a traceback
    runner = _runner_or_stop()
    current = st.navigation(navigation.pages())
    st.set_page_config(page_title=f"{current.title} · councilkg", layout="wide")
    follow_legacy_link(current)
    with st.sidebar:
        st.caption(runner.backend.description)
    current.run()
