"""Recoveries: every authority judged inadequate, each step back to good, the national medians by framework era,
the fastest and slowest recoveries, and one authority's steps beside its statistical neighbours."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from councilkg.app import elements, navigation, state
from councilkg.app.markdown import md
from councilkg.explore import recoveries as rc

#: the authority the page opens on, when it has a recovery
FIRST_COUNCIL = "Croydon"


@st.cache_data(show_spinner="Working out every recovery…", max_entries=state.GENERATIONS)
def _all(version: str) -> list[rc.Recovery]:
    return rc.recoveries(state.shared_runner())


def _months(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _summary(r: rc.Recovery) -> dict:
    start = r.inadequate_step
    gss = r.council.rsplit("/", 1)[-1]
    return {"Authority": r.label, "Opened": r.opened.isoformat(), "Opened by": r.steps[0].type,
            "Inadequate overall": start.published.isoformat() if start else "(an area only)",
            "Months to requires improvement": _months(r.months_to_requires_improvement),
            "Months to good": _months(r.months_to_good), "Steps": len(r.steps) - 1,
            "Monitoring visits between steps": r.monitoring_visits, "Now": "good or better" if r.recovered else "not yet good",
            "Journey": f"journey?council={gss}"}


runner = state.shared_runner()
st.title("Recoveries")
st.caption("A recovery opens when an inspection judges an authority inadequate, overall or in any area (the LSCB "
           "review aside), and ends at the first later inspection graded good or better. Times run from the first "
           "overall inadequate judgement of the recovery, by publication date, in calendar months.")
everything = _all(state.store_version(runner))
if not everything:
    st.info("The graph holds no inspection that judged an authority inadequate.")
    st.stop()

st.subheader("National figures, by the framework of the inadequate judgement")
st.caption("Medians of the recoveries that got there; the others are counted as not yet good.")
elements.table([{"Era": f.era, "Recoveries": f.inadequate,
                 "Reached requires improvement": f.reached_requires_improvement,
                 "Median months to requires improvement": _months(f.median_to_requires_improvement),
                 "Reached good": f.reached_good, "Median months to good": _months(f.median_to_good),
                 "Not yet good": f.not_yet_good} for f in rc.national_figures(everything)], key="rc_national")
fast, slow = st.columns(2)
with fast:
    st.subheader("Fastest to good")
    elements.table([{"Authority": r.label, "Inadequate": r.inadequate_step.published.isoformat() if r.inadequate_step else "",
                     "Months": r.months_to_good} for r in rc.fastest(everything)], key="rc_fastest")
with slow:
    st.subheader("Slowest to good")
    elements.table([{"Authority": r.label, "Inadequate": r.inadequate_step.published.isoformat() if r.inadequate_step else "",
                     "Months": r.months_to_good} for r in rc.slowest(everything)], key="rc_slowest")
st.subheader("Longest not yet good")
elements.table([{"Authority": r.label, "Inadequate": r.inadequate_step.published.isoformat() if r.inadequate_step else "",
                 "Months since": months} for r, months in rc.longest_open(everything, dt.date.today())], key="rc_open")

st.subheader("Every recovery")
elements.table([_summary(r) for r in everything], key="rc_all",
               column_config={"Journey": st.column_config.LinkColumn("Journey", display_text="open")})

st.subheader("One authority")
names = sorted({r.label for r in everything})
label = st.selectbox("Authority", names, index=names.index(FIRST_COUNCIL) if FIRST_COUNCIL in names else 0, key="rc_council")
mine = [r for r in everything if r.label == label]
council = mine[0].council
st.page_link(navigation.page("journey"), label=md(f"{label}: improvement journey"),
             query_params={"council": council.rsplit("/", 1)[-1]})
for number, r in enumerate(mine, start=1):
    st.markdown(f"**Recovery {number}: opened {r.opened.isoformat()}** ({md(r.steps[0].type)})")
    elements.table([{"Step": s.number, "Published": s.published.isoformat(), "Type": s.type,
                     "Overall": s.overall, "Inadequate areas": "; ".join(s.inadequate_areas),
                     "Months since previous": s.months_since_previous,
                     "Monitoring visits": s.monitoring_visits, "Visit dates": "; ".join(s.visit_dates),
                     "In post at the fieldwork": "; ".join(s.in_post), "Lead inspector": s.lead_inspector}
                    for s in r.steps], key=f"rc_steps_{number}")
    since = rc.visits_since_last_step(runner, r)
    if since:
        st.caption(f"Monitoring visits since: {len(since)} ("
                   + "; ".join(md(v["fieldworkStart"] or v["published"]) for v in since) + ").")
st.markdown("**Beside its statistical neighbours**")
elements.table([{"Authority": c.label, "": "" if c.neighbour else "this authority", "Recoveries": c.recoveries,
                 "Months to requires improvement": ", ".join(map(str, c.months_to_requires_improvement)),
                 "Months to good": ", ".join(map(str, c.months_to_good)),
                 "Now": ("not yet good" if c.still_open else "good or better") if c.recoveries else "never inadequate overall"}
                for c in rc.compare_with_neighbours(everything, council, label, rc.neighbours(runner, council))],
               key="rc_neighbours")
