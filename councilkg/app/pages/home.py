"""Home: what the graph holds, where its data comes from, a search for councils, people and boards, and a search of
the words of every passage of the loaded documents and reports (the store's text index)."""

from __future__ import annotations

import re

import streamlit as st

from councilkg.app import elements, state
from councilkg.app.markdown import md
from councilkg.errors import CouncilKGError
from councilkg.explore import entities, inventory
from councilkg.explore import search as text_search
from councilkg.model import iris

#: passages a page of text-search results shows
HITS_A_PAGE = 20
#: entities linked under each passage
LINKS_SHOWN = 6


def marked(snippet: text_search.Snippet) -> str:
    """A snippet as markdown: its words escaped as text (``md``), the matched ones in bold."""
    return "".join(f"**{md(text)}**" if matched else md(re.sub(r"\s+", " ", text)) for text, matched in snippet.segments)


def text_search_section() -> None:
    """The search of every passage's words, its filters, and its hits."""
    st.subheader("Search the text of every document and report")
    words = st.text_input("Words", key="home_text", placeholder='private fostering, "management oversight", foster* …',
                          help='All the words must be there; "quoted words" are a phrase; `foster*` any word beginning so; '
                               "`OR` between two terms either; `-word` must be absent.")
    try:
        facets = text_search.facets(runner)
    except CouncilKGError as exc:
        st.info(md(str(exc)))
        return
    cols = st.columns(4)
    councils = state.councils(runner)
    council = cols[0].selectbox("Council", [elements.ANY, *[n for n, _ in councils]], key="home_text_council")
    kinds = cols[1].multiselect("Kind of source", facets["kinds"], key="home_text_kinds")
    framework = cols[2].selectbox("Framework", [elements.ANY, *facets["frameworks"]], key="home_text_framework")
    years = cols[3].text_input("Year or years", key="home_text_years", placeholder="2019, or 2018-2020")
    if not words.strip():
        return
    page = st.session_state.get("home_text_page", 1)
    filters = text_search.Filters(council=dict(councils).get(council, ""), kinds=tuple(kinds),
                                  framework="" if framework == elements.ANY else framework, years=years)
    try:
        result = text_search.search(runner, words, filters, limit=HITS_A_PAGE, offset=(page - 1) * HITS_A_PAGE)
        if page > 1 and not result.hits:  # a page of an earlier search's results, past this one's end
            page = st.session_state["home_text_page"] = 1
            result = text_search.search(runner, words, filters, limit=HITS_A_PAGE)
    except CouncilKGError as exc:
        st.warning(md(str(exc)))
        return
    if not result.total:
        st.info(f"No passage has {md(words)}" + (" with these filters." if filters != text_search.Filters() else "."))
        return
    first = (page - 1) * HITS_A_PAGE
    st.caption(f"{result.total:,} passage(s) match, best first; {first + 1}–{first + len(result.hits)} shown "
               f"({result.seconds * 1000:.0f} ms).")
    for n, hit in enumerate(result.hits, first + 1):
        with st.container(border=True, key=f"home_text_hit_{n}"):
            elements.entity_link(hit.source_title or hit.source, hit.source, prefix=f"{n}. ")
            where = " · ".join(part for part in (hit.kind, str(hit.year) if hit.year else "",
                                                 f"page {hit.page}" if hit.page else "",
                                                 f"passage {hit.number}" if hit.number else "") if part)
            st.caption(md(where))
            st.markdown(marked(hit.snippet))
            for link in hit.links[:LINKS_SHOWN]:
                elements.entity_link(link.label, link.iri, prefix=f"{link.relation}: ")
            if len(hit.links) > LINKS_SHOWN:
                st.caption(f"… and {len(hit.links) - LINKS_SHOWN} more linked")
            if hit.url:
                st.caption(md(f"Original: {hit.url}"))
    pages = (result.total + HITS_A_PAGE - 1) // HITS_A_PAGE
    if pages > 1:
        st.number_input("Results page", min_value=1, max_value=pages, step=1, key="home_text_page")


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

text_search_section()

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
