"""The map of grades: every children's-services authority of a date with the grade in force on it.

The grades come from the canned query ``grades_in_force`` (the graph's councils, each with its latest
judgement in an area published on or before the date); which authorities existed on the date, and the land
each covered, from the reference files (``councilkg.explore.geography``). An authority is matched to the
graph's council by its GSS code or a former code, else by one of the list's names for it (a council the graph
holds under a code the list does not know); one the graph does not hold under its own code, replaced by
a single successor that it does hold (Buckinghamshire County Council by Buckinghamshire Council, North
Yorkshire's and Somerset's county councils by their unitary councils), takes the successor's judgements, which
the data file under the successor's code. Plain Python data, tested without Streamlit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from councilkg.explore.geography import Authority, Geography
from councilkg.model import concepts
from councilkg.query.runner import Runner

#: the area the map shows unless asked for another, and the first of its choices
DEFAULT_AREA = "overall-effectiveness"
#: what the map says of an authority with no judgement in force on the date
NO_GRADE = "No judgement in force"
#: the columns of the map's table and CSV, in order
COLUMNS = ("gss", "authority", "grade", "gradeNotation", "inspected", "published", "area", "framework", "inspection",
           "council", "boundary")


@dataclass(frozen=True)
class GradeMap:
    """The authorities of a date (or of today, for the latest grades), each with its grade, and their shapes."""

    day: dt.date | None
    area: str
    rows: list[dict]
    features: list[dict]

    def counts(self) -> dict[str, int]:
        """How many authorities the map draws in each grade (and with none)."""
        found: dict[str, int] = {}
        for row in self.rows:
            found[row["grade"]] = found.get(row["grade"], 0) + 1
        return found


def area_choices() -> list[tuple[str, str]]:
    """(label, IRI) of the judgement areas the map offers: overall effectiveness first, then each framework's
    areas (an area is shown with the areas it matches in other frameworks, see ``grades_in_force``)."""
    scheme = concepts.index()["judgement-area"]
    order = ["ilacs", "sif", "tlac", "cpi", "slac"]
    others = sorted((c for name, c in scheme.items() if name != DEFAULT_AREA),
                    key=lambda c: (order.index(c.framework) if c.framework in order else len(order), c.pref_label))
    return [(scheme[DEFAULT_AREA].pref_label, scheme[DEFAULT_AREA].iri)] + [(c.pref_label, c.iri) for c in others]


def _council_rows(runner: Runner, day: dt.date | None, area: str | None) -> dict[str, dict]:
    """The query's rows, by every GSS code (current and former) of their council."""
    params = {"date": day.isoformat() if day else None, "area": area}
    found: dict[str, dict] = {}
    for row in runner.canned("grades_in_force", params, limit=None).strings():
        for code in (row["gssCode"], row["formerGssCode"]):
            if code:
                found.setdefault(code, row)
    return found


def _row_for(authority: Authority, geography: Geography, rows: dict[str, dict]) -> dict | None:
    """The query's row for an authority: by its GSS or a former code; else by one of its names, for a council the
    graph holds under a code the list does not know; else its sole successor's (the same land under a new code)."""
    for code in (authority.gss, *authority.former_gss):
        if code in rows:
            return rows[code]
    names = {concepts.normalise_label(name) for name in (authority.name, *authority.alt_names)}
    for row in rows.values():
        if concepts.normalise_label(row["councilLabel"]) in names and row["gssCode"] not in geography.authorities.by_gss:
            return row
    successors = geography.authorities.successors(authority)
    return rows.get(successors[0].gss) if len(successors) == 1 else None


def grade_map(runner: Runner, geography: Geography, day: dt.date | None = None, area: str | None = None,
              today: dt.date | None = None) -> GradeMap:
    """The map of ``area``'s grades (overall effectiveness if None) in force on ``day`` (None: the latest, over
    the authorities that exist ``today``)."""
    rows = _council_rows(runner, day, area)
    on = day or today or dt.date.today()
    entries, features = [], []
    for authority in sorted(geography.authorities.childrens_services_on(on), key=lambda a: a.name):
        shape = geography.shapes.get(authority.gss)
        found = _row_for(authority, geography, rows)
        # a council of the graph keeps its own name; one matched through a successor is named by the list
        own = found is not None and found["gssCode"] not in {s.gss for s in geography.authorities.successors(authority)}
        entry = {
            "gss": authority.gss,
            "authority": found["councilLabel"] if own else authority.name,
            "grade": found["grade"] if found else NO_GRADE,
            "gradeNotation": int(found["gradeNotation"]) if found and found["gradeNotation"] else None,
            "inspected": found["inspected"] if found else "",
            "published": found["published"] if found else "",
            "area": found["areaLabel"] if found else "",
            "framework": found["framework"] if found else "",
            "inspection": found["inspection"] if found else "",
            "council": found["council"] if found else "",
            "boundary": ("approximate" if not geography.areas[authority.gss].exact else "exact") if shape else "none",
        }
        entries.append(entry)
        if shape:
            features.append({"type": "Feature", "geometry": shape, "properties": entry})
    return GradeMap(day, area or concepts.index()["judgement-area"][DEFAULT_AREA].iri, entries, features)


def rows_csv(rows: list[dict], columns: Sequence[str] | None = None) -> str:
    """Rows (the map's, or any list of flat dicts) as CSV, with ``columns`` (else the first row's keys)."""
    out = io.StringIO()
    fields = list(columns or (rows[0].keys() if rows else COLUMNS))
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
