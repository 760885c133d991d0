"""Streamlit elements the pages share: tables of data, links to entity pages, lists of search hits.

Text from the data is shown as text: tables draw cells as text, and a label that goes into a link
(whose label Streamlit draws as markdown) is escaped first (``markdown.md``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from councilkg.app import navigation
from councilkg.app.markdown import md
from councilkg.errors import CouncilKGError
from councilkg.explore.entities import Hit
from councilkg.query.runner import Runner

#: what a picker shows for an optional choice left open
ANY = "(any)"


def table(rows: list[dict], key: str | None = None, **kwargs: Any) -> None:
    """Data as a table: Streamlit draws cells as text, so labels are never interpreted as HTML."""
    if rows:
        st.dataframe(rows, hide_index=True, key=key, **kwargs)
    else:
        st.info("Nothing to show.")


def entity_link(label: str, iri: str, *, prefix: str = "", suffix: str = "") -> None:
    """A link to the entity page of iri, labelled with text from the data (``prefix`` and ``suffix`` too)."""
    st.page_link(navigation.page("entity"), label=md(f"{prefix}{label}{suffix}"), query_params={"iri": iri})


def hit_links(hits: list[Hit]) -> None:
    """Search hits as links to their entity pages, each with its kind."""
    for hit in hits:
        entity_link(hit.label, hit.iri, suffix=f" — {hit.kind}")


def asked_council(runner: Runner, councils: list[tuple[str, str]], *, instead: str) -> str | None:
    """The name (from ``councils``, (name, IRI) pairs) of the council the page's address names, as
    ``?council=`` a name, GSS code or IRI (the map's click-through); None when it names none, or one the graph does
    not hold, which is said plainly with what the page does ``instead``."""
    wanted = st.query_params.get("council")
    if not wanted:
        return None
    try:
        iri = runner.resolver.resolve("council", "council", wanted).value
        return next(name for name, known in councils if known == iri)
    except (CouncilKGError, StopIteration):
        st.warning(f"No council {md(repr(wanted))} in the graph; {md(instead)}.")
        return None
