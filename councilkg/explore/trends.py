"""National trends in Ofsted's grades: the distribution of grades in force each year, by framework, and the
transitions between an authority's consecutive overall judgements.

The distribution counts, on 31 March of each year (the day Ofsted's statistics are "as at"), the authorities
of that day (``councilkg.explore.geography``) by the framework and grade of the overall judgement in force
(``grades_in_force``, through ``grademap``), so each year's bars are that day's map. The headline judgements
published each year (every framework's, SLAC's from 2009 on) and the transitions are the canned queries
``judgements_by_year`` and ``grade_transitions``. Plain Python data, tested without Streamlit.
"""

from __future__ import annotations

import datetime as dt

from councilkg.explore.geography import Geography
from councilkg.explore.grademap import NO_GRADE, grade_map
from councilkg.query.runner import Runner

#: the day of each year the distribution is taken on (Ofsted's statistics are as at 31 March)
AS_AT_MONTH, AS_AT_DAY = 3, 31
#: the first year the distribution looks at (the reference list's authorities all exist from April 2009)
FIRST_YEAR = 2010
#: the grades in their order, for the tables' columns
GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")


def as_at_days(first: int = FIRST_YEAR, today: dt.date | None = None) -> list[dt.date]:
    """31 March of every year from ``first`` to the latest that has passed."""
    today = today or dt.date.today()
    last = today.year if (today.month, today.day) >= (AS_AT_MONTH, AS_AT_DAY) else today.year - 1
    return [dt.date(year, AS_AT_MONTH, AS_AT_DAY) for year in range(first, last + 1)]


def distribution(runner: Runner, geography: Geography, days: list[dt.date] | None = None) -> list[dict]:
    """Rows of (date, year, framework, grade, gradeNotation, authorities): how many authorities of each day held
    each grade, by the framework of the judgement in force. Authorities with no overall judgement in force are a
    row of their own (framework empty, grade ``NO_GRADE``); years before any overall judgement are left out."""
    rows: list[dict] = []
    for day in days or as_at_days():
        counts: dict[tuple[str, str, int | None], int] = {}
        for entry in grade_map(runner, geography, day).rows:
            key = (entry["framework"], entry["grade"], entry["gradeNotation"])
            counts[key] = counts.get(key, 0) + 1
        if all(grade == NO_GRADE for _, grade, _ in counts):
            continue
        for (framework, grade, notation), count in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][2] or 5)):
            rows.append({"date": day.isoformat(), "year": day.year, "framework": framework, "grade": grade,
                         "gradeNotation": notation, "authorities": count})
    return rows


def totals_by_grade(rows: list[dict], year: int) -> dict[str, int]:
    """One year's distribution summed over frameworks: grade -> authorities."""
    found: dict[str, int] = {}
    for row in rows:
        if row["year"] == year:
            found[row["grade"]] = found.get(row["grade"], 0) + row["authorities"]
    return found


def judgements_by_year(runner: Runner) -> list[dict]:
    """Rows of (year, framework, grade, gradeNotation, judgements), from ``judgements_by_year``."""
    return [{"year": int(r["year"]), "framework": r["framework"], "grade": r["grade"], "gradeNotation": int(r["gradeNotation"]),
             "judgements": int(r["judgements"])}
            for r in runner.canned("judgements_by_year", limit=None).strings()]


def transitions(runner: Runner) -> list[dict]:
    """Rows of (fromGrade, toGrade, fromFramework, toFramework, transitions), from ``grade_transitions``."""
    return [{"fromGrade": r["fromGrade"], "fromNotation": int(r["fromNotation"]), "toGrade": r["toGrade"],
             "toNotation": int(r["toNotation"]), "fromFramework": r["fromFramework"], "toFramework": r["toFramework"],
             "transitions": int(r["transitions"])}
            for r in runner.canned("grade_transitions", limit=None).strings()]


def transition_matrix(rows: list[dict]) -> list[dict]:
    """The transitions summed over frameworks, one row per earlier grade with a column per next grade."""
    matrix = {grade: dict.fromkeys(GRADES, 0) for grade in GRADES}
    for row in rows:
        if row["fromGrade"] in matrix and row["toGrade"] in matrix[row["fromGrade"]]:
            matrix[row["fromGrade"]][row["toGrade"]] += row["transitions"]
    return [{"from \\ to": grade, **counts, "total": sum(counts.values())} for grade, counts in matrix.items()]
