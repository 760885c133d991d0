"""Trends: the national distribution of grades in force each year by framework, and the transitions between an
authority's consecutive overall judgements; the numbers behind each chart to download."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from councilkg.app import charts, elements, state
from councilkg.explore import geography, grademap, trends


@st.cache_data(show_spinner=False, max_entries=state.GENERATIONS)
def _distribution(version: str, files: tuple[str, str]) -> list[dict]:
    return trends.distribution(state.shared_runner(), geography.geography(*map(Path, files)))


@st.cache_data(show_spinner=False, max_entries=state.GENERATIONS)
def _judgements(version: str) -> list[dict]:
    return trends.judgements_by_year(state.shared_runner())


@st.cache_data(show_spinner=False, max_entries=state.GENERATIONS)
def _transitions(version: str) -> list[dict]:
    return trends.transitions(state.shared_runner())


def _section(name: str, rows: list[dict], chart: Callable[[list[dict]], object], caption: str, empty: str,
             *tables: list[dict]) -> None:
    """A chart of rows, what it shows, its numbers as tables (``rows`` unless others are given) and as CSV; or, with no
    rows, the ``empty`` message."""
    if not rows:
        st.info(empty)
        return
    st.altair_chart(chart(rows), key=f"tr_{name}_chart")
    st.caption(caption)
    for index, table in enumerate(tables or (rows,)):
        elements.table(table, key=f"tr_{name}_{index}")
    st.download_button("CSV", grademap.rows_csv(rows), file_name=f"{name.replace('_', '-')}.csv", mime="text/csv",
                       key=f"tr_{name}_csv")


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
else:
    _section("grade_distribution", distribution, lambda rows: charts.distribution_chart(rows, grademap.NO_GRADE),
             "Each year's bars are that day's map: every authority of the day, by the overall-effectiveness judgement "
             "in force (an inspection counts from the end of its fieldwork, as Ofsted's statistics as at 31 March "
             "count it), split by the framework that made it.", "No overall judgement was in force on any 31 March.")

st.subheader("Headline judgements published each year, by framework")
_section("judgements_by_year", _judgements(version), charts.judgements_chart,
         "Each framework's headline judgements as they were published: SLAC's two (safeguarding, and looked after "
         "children), CPI's and TLAC's overall effectiveness, and SIF's and ILACS's overall effectiveness. The canned "
         "question judgements_by_year gives the same numbers.", "The graph holds no headline judgements.")

st.subheader("From one overall grade to the next")
transitions = _transitions(version)
_section("grade_transitions", transitions, charts.transitions_chart,
         "Each cell counts the times an authority's overall-effectiveness judgement was followed by its next one "
         "with that grade (SIF and ILACS). The canned question grade_transitions gives these numbers by framework, "
         "and grade_changes lists the changes one by one.", "The graph holds no two overall judgements of one authority.",
         trends.transition_matrix(transitions), transitions)
