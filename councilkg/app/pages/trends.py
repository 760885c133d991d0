"""Trends: the national distribution of grades in force each year by framework, and the transitions between an
authority's consecutive overall judgements; the numbers behind each chart to download."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from councilkg.app import charts, elements, state
from councilkg.explore import geography, grademap, trends


@st.cache_data(show_spinner=False, ttl=state.CHOICES_TTL)
def _distribution(version: str, files: tuple[str, str]) -> list[dict]:
    return trends.distribution(state.shared_runner(), geography.geography(*map(Path, files)))


@st.cache_data(show_spinner=False, ttl=state.CHOICES_TTL)
def _judgements(version: str) -> list[dict]:
    return trends.judgements_by_year(state.shared_runner())


@st.cache_data(show_spinner=False, ttl=state.CHOICES_TTL)
def _transitions(version: str) -> list[dict]:
    return trends.transitions(state.shared_runner())


runner = state.shared_runner()
settings = state.settings()
version = state.store_version(runner)
st.title("Trends")

st.subheader("Grades in force on 31 March, by year and framework")
try:
    distribution = _distribution(version, (str(settings.authorities_file), str(settings.boundaries_file)))
except geography.ReferenceFileError as exc:
    st.error(str(exc))
    st.caption("The distribution counts the authorities of each date, from mySociety's list of UK local authorities: "
               "set COUNCILKG_AUTHORITIES (and COUNCILKG_BOUNDARIES) to the files, or COUNCILKG_SHARED to the folder "
               "whose data/reference/ holds them.")
    distribution = []
if distribution:
    st.altair_chart(charts.distribution_chart(distribution, grademap.NO_GRADE), key="tr_distribution_chart")
    st.caption("Each year's bars are that day's map: every authority of the day, by the overall-effectiveness judgement "
               "in force (an inspection counts from the end of its fieldwork, as Ofsted's statistics as at 31 March "
               "count it), split by the framework that made it.")
    elements.table(distribution, key="tr_distribution")
    st.download_button("CSV", grademap.rows_csv(distribution), file_name="grade-distribution.csv", mime="text/csv",
                       key="tr_distribution_csv")

st.subheader("Headline judgements published each year, by framework")
judgements = _judgements(version)
if judgements:
    st.altair_chart(charts.judgements_chart(judgements), key="tr_judgements_chart")
    st.caption("Each framework's headline judgements as they were published: SLAC's two (safeguarding, and looked after "
               "children), CPI's and TLAC's overall effectiveness, and SIF's and ILACS's overall effectiveness. The canned "
               "question judgements_by_year gives the same numbers.")
    elements.table(judgements, key="tr_judgements")
    st.download_button("CSV", grademap.rows_csv(judgements), file_name="judgements-by-year.csv", mime="text/csv",
                       key="tr_judgements_csv")
else:
    st.info("The graph holds no headline judgements.")

st.subheader("From one overall grade to the next")
transitions = _transitions(version)
if transitions:
    st.altair_chart(charts.transitions_chart(transitions), key="tr_transitions_chart")
    st.caption("Each cell counts the times an authority's overall-effectiveness judgement was followed by its next one "
               "with that grade (SIF and ILACS). The canned question grade_transitions gives these numbers by framework, "
               "and grade_changes lists the changes one by one.")
    elements.table(trends.transition_matrix(transitions), key="tr_matrix")
    elements.table(transitions, key="tr_transitions")
    st.download_button("CSV", grademap.rows_csv(transitions), file_name="grade-transitions.csv", mime="text/csv",
                       key="tr_transitions_csv")
else:
    st.info("The graph holds no two overall judgements of one authority.")
