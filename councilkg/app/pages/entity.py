"""Entity: any council, person, board or inspection (``/entity?iri=...``): its roles or judgements, the
passages of documents that name it, what it links to, and every fact grouped by the source that states it."""

from __future__ import annotations

import streamlit as st

from councilkg.app import elements, state
from councilkg.app.markdown import md
from councilkg.explore import entities
from councilkg.model import iris
from councilkg.query.runner import Runner

#: a passage list this long or shorter opens every passage; a fact list shorter than FACTS_OPEN opens every source
PASSAGES_OPEN, FACTS_OPEN = 5, 40


def _asked(runner: Runner) -> str | None:
    """The IRI the address or the search box names; None when there is none (the page says what to do), or
    when the name typed matches nothing or several things (the page says so, or lists them)."""
    iri = st.query_params.get("iri", "")
    if st.session_state.get("ent_address") != iri:  # the address names another entity (a link was followed): the box shows it
        st.session_state["ent_address"] = st.session_state["ent_input"] = iri
        if iri:  # and the address bar too: a link to the page already shown changes the parameters, not the bar
            st.query_params["iri"] = iri
    typed = st.text_input("IRI or name", key="ent_input", placeholder="Croydon, Eleanor Brazil, or an IRI")
    if not typed or typed == iri:
        if not iri:
            st.caption("Search for a council, person, board or inspection, or follow a link from another page.")
        return iri or None
    if typed.startswith(("http://", "https://")):
        return typed
    hits = entities.search(runner, typed)
    if not hits:
        st.info(f"Nothing in the graph is called {md(repr(typed))}.")
        return None
    if len(hits) > 1 and hits[0].label.lower() != typed.lower():
        elements.hit_links(hits)
        return None
    return hits[0].iri


def _show(runner: Runner, entity: entities.Entity) -> None:
    st.header(md(entity.label), anchor=False)
    st.caption(f"{', '.join(entity.kinds) or 'entity'} · {md(entity.iri)}")
    if "person" in entity.kinds:
        st.subheader("Roles")
        elements.table(entities.roles_of(runner, entity.iri), key="ent_roles")
    if "council" in entity.kinds:
        st.subheader("Judgements")
        elements.table(entities.judgements_of(runner, entity.iri), key="ent_judgements")
    passages = entities.passages_of(runner, entity.iri)
    if passages:
        st.subheader("In the words of the documents")
        st.caption("Passages of loaded documents (`councilkg load --documents`) that name it.")
        for p in passages:
            with st.expander(f"{md(p.document)}, passage {p.number}", expanded=len(passages) <= PASSAGES_OPEN):
                st.markdown(md(p.text))
                if p.curated_source:
                    elements.entity_link(iris.shorten(p.curated_source), p.curated_source,
                                         prefix="The curated facts from this document: ")
    linked = entity.linked()
    if linked:
        st.subheader("Linked")
        for prop, label, target in linked:
            elements.entity_link(label, target, prefix=f"{prop}: ")
    st.subheader("Facts, by source")
    for source, facts in entity.facts_by_source().items():
        title = facts[0].source_title or iris.shorten(source)
        with st.expander(f"{md(title)} ({len(facts)})", expanded=len(entity.facts) < FACTS_OPEN):
            st.caption(md(source))
            rows = [{"": "→" if f.direction == "out" else "←", "property": f.property_name, "value": f.value_name}
                    | ({"page": f.page} if any(g.page for g in facts) else {}) for f in facts]
            elements.table(rows)


runner = state.shared_runner()
st.title("Entity")
asked = _asked(runner)
if asked:
    try:
        found = entities.describe(runner, asked)
    except ValueError:  # not an IRI at all (a space, an angle bracket): said plainly, never a traceback
        example = md(iris.council("E09000008").value)
        st.warning(f"{md(repr(asked))} is not an IRI. Give one (such as {example}) or a name.")
        st.stop()
    if found is None:
        st.warning("The graph says nothing about this IRI.")
        st.code(asked)
    else:
        _show(runner, found)
