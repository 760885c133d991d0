"""Altair charts for the app (rendered by Streamlit's own bundled Vega: nothing loads from a CDN).

Labels from the data are passed as data values, which Vega draws as text, never as HTML.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from councilkg.explore.journey import Journey

GRADE_COLOURS = {"Outstanding": "#1a9641", "Good": "#a6d96a", "Requires improvement to be good": "#fdae61",
                 "Inadequate": "#d7191c"}
#: pixels a legend label may take before Vega cuts it ("Requires improvement to be good" in full)
LEGEND_LABEL_LIMIT = 260


def journey_chart(journey: Journey) -> alt.VConcatChart:
    """Judgements by area and date above leadership tenures as bars, on one time axis."""
    span = journey.span
    domain = [span[0].isoformat(), span[1].isoformat()] if span else None
    x_scale = alt.Scale(domain=domain) if domain else alt.Scale()
    # every tick says its year: Vega's default names only the month unless the tick falls in January
    x_axis = alt.Axis(format="%b %Y", labelOverlap=True)
    judgements = pd.DataFrame(
        [{"date": j["date"].isoformat(), "area": j["area"], "grade": j["grade"], "inspection": j["inspectionLabel"]}
         for j in journey.judgements if j["date"]]
        or [{"date": None, "area": "", "grade": "", "inspection": ""}])
    tenures = pd.DataFrame(
        [{"row": t["row"], "role": t["role"], "person": t["person"], "from": t["from"].isoformat(),
          "until": (t["until"] or t["from"]).isoformat()} for t in journey.tenures if t["from"]]
        or [{"row": "", "role": "", "person": "", "from": None, "until": None}])
    grades = list(GRADE_COLOURS)
    top = alt.Chart(judgements).mark_point(filled=True, size=140).encode(
        x=alt.X("date:T", title=None, scale=x_scale, axis=x_axis),
        # no axis title: the chart's own title names the rows, and a title beside long labels overlaps them
        y=alt.Y("area:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
        color=alt.Color("grade:N", scale=alt.Scale(domain=grades, range=[GRADE_COLOURS[g] for g in grades]), title="grade",
                        legend=alt.Legend(labelLimit=LEGEND_LABEL_LIMIT)),
        tooltip=["date:T", "area:N", "grade:N", "inspection:N"],
    ).properties(height=max(120, 26 * judgements["area"].nunique()), title="Judgements")
    bottom = alt.Chart(tenures).mark_bar(height=14, cornerRadius=3).encode(
        x=alt.X("from:T", title="date", scale=x_scale, axis=x_axis), x2="until:T",
        y=alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=400)),
        color=alt.Color("role:N", title="role", legend=alt.Legend(labelLimit=LEGEND_LABEL_LIMIT)),
        tooltip=["person:N", "role:N", alt.Tooltip("from:T", title="known from"), alt.Tooltip("until:T", title="known until")],
    ).properties(height=max(80, 26 * tenures["row"].nunique()), title="Leadership tenures (as far as the sources place them)")
    return alt.vconcat(top, bottom).resolve_scale(x="shared", color="independent")


# --------------------------------------------------------------------------------------------
# The map and the national trends
# --------------------------------------------------------------------------------------------

#: the colour of an authority with no judgement in force
NO_GRADE_COLOUR = "#c8c8c8"
#: the map's selection: clicking an authority selects its GSS code
AUTHORITY_SELECTION = "authority"


def _grade_scale(extra: str | None = None) -> alt.Scale:
    grades = list(GRADE_COLOURS) + ([extra] if extra else [])
    return alt.Scale(domain=grades, range=[GRADE_COLOURS.get(g, NO_GRADE_COLOUR) for g in grades])


def grade_map_chart(features: list[dict], no_grade: str, height: int = 640) -> alt.Chart:
    """Authorities as shapes coloured by grade (Vega's own projection of GeoJSON: no tiles, nothing fetched);
    hovering shows the name and grade, clicking selects the authority."""
    values = [{"type": "Feature", "geometry": f["geometry"], **f["properties"]} for f in features]
    select = alt.selection_point(name=AUTHORITY_SELECTION, fields=["gss"], on="click", empty=False)
    return alt.Chart(alt.Data(values=values)).mark_geoshape(stroke="white", strokeWidth=0.4).encode(
        color=alt.Color("grade:N", scale=_grade_scale(no_grade), title="grade", legend=alt.Legend(labelLimit=LEGEND_LABEL_LIMIT)),
        strokeWidth=alt.condition(select, alt.value(2.5), alt.value(0.4)),
        tooltip=[alt.Tooltip("authority:N"), alt.Tooltip("grade:N"), alt.Tooltip("inspected:N"), alt.Tooltip("published:N"),
                 alt.Tooltip("framework:N"), alt.Tooltip("boundary:N")],
    ).add_params(select).project(type="mercator").properties(height=height)


def distribution_chart(rows: list[dict], no_grade: str) -> alt.Chart:
    """Authorities by the grade in force on 31 March of each year, a column of bars per framework."""
    frame = pd.DataFrame(rows or [{"year": 0, "framework": "", "grade": "", "gradeNotation": 0, "authorities": 0}])
    frame["framework"] = frame["framework"].replace("", "none in force")
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title="31 March of"), y=alt.Y("authorities:Q", title="authorities"),
        color=alt.Color("grade:N", scale=_grade_scale(no_grade), title="grade", legend=alt.Legend(labelLimit=LEGEND_LABEL_LIMIT)),
        order=alt.Order("gradeNotation:Q"),
        column=alt.Column("framework:N", title="framework of the judgement in force"),
        tooltip=["year:O", "framework:N", "grade:N", "authorities:Q"],
    ).properties(width=200, height=300)


def judgements_chart(rows: list[dict]) -> alt.Chart:
    """Headline judgements published each year by grade, a panel per framework."""
    frame = pd.DataFrame(rows or [{"year": 0, "framework": "", "grade": "", "gradeNotation": 0, "judgements": 0}])
    frameworks = [f for f in ("SLAC", "CPI", "TLAC", "SIF", "ILACS") if f in set(frame["framework"])]
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title="published in"), y=alt.Y("judgements:Q", title="judgements"),
        color=alt.Color("grade:N", scale=_grade_scale(), title="grade", legend=alt.Legend(labelLimit=LEGEND_LABEL_LIMIT)),
        order=alt.Order("gradeNotation:Q"),
        facet=alt.Facet("framework:N", sort=frameworks or None, columns=3, title="framework"),
        tooltip=["year:O", "framework:N", "grade:N", "judgements:Q"],
    ).properties(width=200, height=200).resolve_scale(x="independent")


def transitions_chart(rows: list[dict]) -> alt.LayerChart:
    """Counts from grade to grade between consecutive overall judgements, as a grid of shaded cells."""
    grades = list(GRADE_COLOURS)
    frame = pd.DataFrame(rows or [{"fromGrade": "", "toGrade": "", "transitions": 0}])
    frame = frame.groupby(["fromGrade", "toGrade"], as_index=False)["transitions"].sum()
    base = alt.Chart(frame).encode(
        x=alt.X("toGrade:N", sort=grades, title="next overall grade", axis=alt.Axis(labelLimit=LEGEND_LABEL_LIMIT, labelAngle=0)),
        y=alt.Y("fromGrade:N", sort=grades, title="overall grade", axis=alt.Axis(labelLimit=LEGEND_LABEL_LIMIT)))
    cells = base.mark_rect().encode(color=alt.Color("transitions:Q", scale=alt.Scale(scheme="blues"), title="transitions"),
                                    tooltip=["fromGrade:N", "toGrade:N", "transitions:Q"])
    labels = base.mark_text(fontSize=14).encode(
        text="transitions:Q", color=alt.condition(alt.datum.transitions > frame["transitions"].max() / 2,
                                                  alt.value("white"), alt.value("#31333f")))
    return alt.layer(cells, labels).properties(height=300)


def themes_by_year_chart(rows: list[dict[str, str]]) -> alt.Chart:
    """Recommendations by theme (rows) and year (columns), coloured by how many (the ``themes_by_year`` rows, summed
    over frameworks); the tooltip gives the count and the authorities."""
    frame = pd.DataFrame(rows or [{"year": "", "framework": "", "assignedThemeLabel": "", "recommendations": "0",
                                   "authorities": "0"}])
    frame["recommendations"] = frame["recommendations"].astype(int)
    frame["authorities"] = frame["authorities"].astype(int)
    summed = frame.groupby(["year", "assignedThemeLabel"], as_index=False)[["recommendations", "authorities"]].sum()
    # a white edge between cells, and every theme's label (Vega would hide some it thinks overlap)
    return alt.Chart(summed).mark_rect(stroke="white", strokeWidth=1).encode(
        x=alt.X("year:O", title="year"),
        y=alt.Y("assignedThemeLabel:N", title=None, sort="ascending",
                axis=alt.Axis(labelLimit=LEGEND_LABEL_LIMIT, labelOverlap=False)),
        color=alt.Color("recommendations:Q", scale=alt.Scale(scheme="blues"), title="recommendations"),
        tooltip=[alt.Tooltip("assignedThemeLabel:N", title="theme"), alt.Tooltip("year:O"),
                 alt.Tooltip("recommendations:Q"), alt.Tooltip("authorities:Q", title="authorities (summed over frameworks)")],
    ).properties(height=alt.Step(20))
