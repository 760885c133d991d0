"""Improvement journey: a council's judgements by area on a time axis above its leadership tenures,
with the recommendations and what addressed them, the people credited, and who led each improvement."""

from __future__ import annotations

import streamlit as st

from councilkg.app import charts, elements, state
from councilkg.app.markdown import md
from councilkg.explore import journey

#: the council the page opens on, when the graph holds it
FIRST_COUNCIL = "Croydon"

runner = state.shared_runner()
st.title("Improvement journey")
councils = state.councils(runner)
names = [n for n, _ in councils]
asked = st.query_params.get("council", "")  # ?council=E09000008 (a GSS code or IRI), as the recoveries page links
asked_name = next((n for n, iri in councils if asked in (iri, iri.rsplit("/", 1)[-1])), None) if asked else None
if asked_name and "jr_council" not in st.session_state:
    st.session_state["jr_council"] = asked_name
label = st.selectbox("Council", names, index=names.index(FIRST_COUNCIL) if FIRST_COUNCIL in names else 0, key="jr_council")
shown = journey.journey(runner, dict(councils)[label])
if shown.empty:
    st.info(f"The graph holds no judgements or leadership tenures for {md(label)}.")
else:
    st.altair_chart(charts.journey_chart(shown), key="jr_chart")
    st.caption("Bars run from the earliest to the latest day the sources place each person in post; a tenure known "
               "from a single document shows as a short bar. Tenures are not extended beyond what the sources say.")
    # full width, one above the other: the recommendations' own text is long
    st.subheader("Recommendations and what addressed them")
    elements.table(shown.recommendations, key="jr_recs")
    st.subheader("People and bodies credited")
    elements.table(shown.credits, key="jr_credits")
    if shown.leaders:
        st.subheader("Who led each improvement")
        elements.table(shown.leaders, key="jr_leaders")
