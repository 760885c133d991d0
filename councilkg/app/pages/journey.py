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
first = names.index(FIRST_COUNCIL) if FIRST_COUNCIL in names else 0
if "jr_council" not in st.session_state:  # ``/journey?council=E06000058`` opens on that council
    asked = elements.asked_council(runner, councils, instead=f"showing {names[first]}")
    first = names.index(asked) if asked else first
label = st.selectbox("Council", names, index=first, key="jr_council")
shown = journey.journey(runner, dict(councils)[label])
if shown.empty:
    st.info(f"The graph holds no judgements or leadership tenures for {md(label)}.")
else:
    st.altair_chart(charts.journey_chart(shown), key="jr_chart")
    st.caption("Bars run from the earliest to the latest day the sources place each person in post; a tenure known "
               "from a single document shows as a short bar. Tenures are not extended beyond what the sources say. "
               "Where Ofsted states only when a post's holder came into post, the bar runs from that start, at the "
               "precision written, to the inspection.")
    if shown.identities:
        st.subheader("Who the unnamed holders probably are")
        st.caption("Proposed by the leadership timeline's rule (README, Leadership timelines), never merged: accept "
                   "one by adding the membership to the curated data, citing both sources.")
        elements.table(shown.identities, key="jr_identities")
    # full width, one above the other: the recommendations' own text is long
    st.subheader("Recommendations and what addressed them")
    elements.table(shown.recommendations, key="jr_recs")
    st.subheader("People and bodies credited")
    elements.table(shown.credits, key="jr_credits")
    if shown.leaders:
        st.subheader("Who led each improvement")
        elements.table(shown.leaders, key="jr_leaders")
