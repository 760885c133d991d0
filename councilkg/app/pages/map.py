"""Map: England's children's-services authorities coloured by grade, latest or as at a date, in any judgement area;
click an authority for its improvement journey. ``/map?date=2018-04-01&area=<judgement-area IRI>`` opens a view."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import streamlit as st

from councilkg.app import charts, elements, navigation, state
from councilkg.app.markdown import md
from councilkg.explore import geography, grademap

#: the first day the slider offers (the reference list's authorities all exist from then)
FIRST_DAY = dt.date(2009, 4, 1)


#: how many maps (one per date and area) a session of the app keeps drawn (each about 200 kB)
CACHED_MAPS = 64


@st.cache_data(show_spinner=False, max_entries=CACHED_MAPS)
def _map(version: str, files: tuple[str, str], day: dt.date | None, area: str) -> grademap.GradeMap:
    geo = geography.geography(*map(Path, files))
    return grademap.grade_map(state.shared_runner(), geo, day, area)


def _asked_day() -> dt.date | None:
    """The as-at date the address gives (``?date=YYYY-MM-DD``), if it is a valid one."""
    try:
        day = dt.date.fromisoformat(st.query_params.get("date", ""))
    except ValueError:
        return None
    return min(max(day, FIRST_DAY), dt.date.today())


runner = state.shared_runner()
settings = state.settings()
st.title("Map of grades")
try:
    geography.geography(settings.authorities_file, settings.boundaries_file)
except geography.ReferenceFileError as exc:
    st.error(str(exc))
    st.markdown("The map needs two reference files: district boundaries (the ONS 2023 local authority districts, "
                "generalised, as GeoJSON) and mySociety's list of UK local authorities (CSV). Give them with the "
                "environment variables `COUNCILKG_BOUNDARIES` and `COUNCILKG_AUTHORITIES` before `make run`, or set "
                "`COUNCILKG_SHARED` to the folder whose `data/reference/` holds "
                "`lad_boundaries_2023_generalised.geojson` and `uk_local_authorities.csv`.")
    st.stop()

areas = grademap.area_choices()
labels = [label for label, _ in areas]
asked_area = st.query_params.get("area", "")
area_index = next((i for i, (_, iri) in enumerate(areas) if iri == asked_area), 0)
left, right = st.columns([2, 3])
area_label = left.selectbox("Judgement area", labels, index=area_index, key="map_area",
                            help="An area counts with the areas it matches in other frameworks (SIF's children looked "
                                 "after with ILACS's children in care).")
area = dict(areas)[area_label]
asked_day = _asked_day()
as_at = right.toggle("As at a date", value=asked_day is not None, key="map_as_at")
day = None
if as_at:
    day = right.slider("As at", min_value=FIRST_DAY, max_value=dt.date.today(), value=asked_day or dt.date(2018, 4, 1),
                       format="D MMM YYYY", key="map_day")
# the address names the view shown
st.query_params["area"] = area
if day:
    st.query_params["date"] = day.isoformat()
elif "date" in st.query_params:
    del st.query_params["date"]

shown = _map(state.store_version(runner), (str(settings.authorities_file), str(settings.boundaries_file)), day, area)
counts = shown.counts()
when = f"as at {day:%-d %B %Y}" if day else "latest"
summary = ", ".join(f"{counts[g]} {g.lower()}" for g in [*charts.GRADE_COLOURS, grademap.NO_GRADE] if g in counts)
st.caption(md(f"{area_label}, {when}: {len(shown.rows)} authorities ({summary})."))
event = st.altair_chart(charts.grade_map_chart(shown.features, grademap.NO_GRADE), key="map_chart", on_select="rerun",
                        selection_mode=charts.AUTHORITY_SELECTION)
picked = (event or {}).get("selection", {}).get(charts.AUTHORITY_SELECTION) or []
councils = {row["gss"]: row for row in shown.rows}
clicked = councils.get(picked[0].get("gss", "")) if picked else None
if clicked and clicked["council"]:
    # the graph's council (a county council whose judgements the data file under its successor opens that one)
    st.switch_page(navigation.page("journey"), query_params={"council": clicked["council"]})
elif clicked:
    st.info(f"The graph holds no council for {md(clicked['authority'])}, so it has no improvement journey to open.")
with_council = dict(sorted((row["authority"], row["council"]) for row in shown.rows if row["council"]))
chosen = st.selectbox("Or open the improvement journey of", list(with_council), index=None, placeholder="an authority",
                      key="map_journey")
if chosen:
    st.page_link(navigation.page("journey"), label=md(f"{chosen}: improvement journey"),
                 query_params={"council": with_council[chosen]})
st.caption("Hover over an authority for its name and grade; click it to open its improvement journey. An authority is "
           "drawn as the union of its 2023 districts; where the 2023 boundaries cannot separate authorities of the "
           "date (Bournemouth, Poole and Dorset County's Christchurch before 2019), each takes the part of the shared "
           "area nearest its centre, marked approximate. A judgement counts from the end of its inspection's fieldwork.")

st.subheader("The map's data")
elements.table(shown.rows, key="map_table")
csv_name = f"grades-{day.isoformat() if day else 'latest'}"
left, right = st.columns(2)
left.download_button("CSV", grademap.rows_csv(shown.rows), file_name=f"{csv_name}.csv", mime="text/csv", key="map_csv")
right.download_button("GeoJSON", json.dumps({"type": "FeatureCollection", "features": shown.features}),
                      file_name=f"{csv_name}.geojson", mime="application/geo+json", key="map_geojson")
st.caption("The same rows for the graph's councils: the canned question grades_in_force (Questions page, or "
           "`councilkg query grades_in_force -p date=2018-04-01`).")
