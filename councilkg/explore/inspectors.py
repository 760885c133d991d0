"""Ofsted's inspectors: who led or joined which inspections, an inspector's record, and who inspected together.

Everything here is what Ofsted's reports state and nothing more: a report names its team and the judgements it
publishes of the authority's services. The record lists the inspections an inspector led with those judgements; it
is not a measure of the inspector, and nothing here ranks or scores inspectors by grades.

The co-inspection network joins two inspectors named on the same inspection team (any team role), its edge
weighted by the number of inspections they were on together. It is built from the rows of the
``inspector_inspections`` query, drawn by the app as an ego network and exported as GraphML
(``network.to_graphml``) by the app and ``councilkg co-inspection``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from councilkg.query.results import Value
from councilkg.query.runner import Runner

#: the role a report gives the inspector who leads the inspection (a "reporting inspector" in 2013)
LEAD = "https://w3id.org/councilkg/id/concept/role/lead-inspector"


@dataclass(frozen=True)
class Inspector:
    """An inspector the reports name, with how many inspections they are named on and how many they led."""

    iri: str
    name: str
    inspections: int
    led: int

    @property
    def choice_label(self) -> str:
        return f"{self.name} ({self.inspections} inspection{'s' if self.inspections != 1 else ''}, led {self.led})"


def team_rows(runner: Runner, inspector: str | None = None, council: str | None = None) -> list[dict[str, str]]:
    """The rows of ``inspector_inspections``: every inspector's team memberships, or one inspector's (name or IRI),
    or those on one authority's inspections (its IRI)."""
    params = {"inspector": Value.literal(inspector) if inspector else None, "council": Value.iri(council) if council else None}
    return runner.canned("inspector_inspections", params, limit=None).strings()


def record_rows(runner: Runner, inspector: str) -> list[dict[str, str]]:
    """The rows of ``inspector_record`` for one inspector (name or IRI): each judgement of each inspection they led."""
    return runner.canned("inspector_record", {"inspector": Value.literal(inspector)}, limit=None).strings()


def inspectors(rows: list[dict[str, str]]) -> list[Inspector]:
    """The inspectors of ``inspector_inspections`` rows, by name: how many inspections each is named on and led."""
    names: dict[str, str] = {}
    named_on: dict[str, set[str]] = {}
    led: dict[str, set[str]] = {}
    for row in rows:
        person = row["person"]
        names.setdefault(person, row["personLabel"] or person.rsplit("/", 1)[-1])
        named_on.setdefault(person, set()).add(row["inspection"])
        if row["role"] == LEAD:
            led.setdefault(person, set()).add(row["inspection"])
    return sorted((Inspector(p, names[p], len(named_on[p]), len(led.get(p, ()))) for p in names),
                  key=lambda i: (i.name.lower(), i.iri))


def record_table(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """An inspector's record as one row per inspection led, oldest first: the authority, the type, the dates, and
    each judgement the report publishes ("Area: grade", the overall judgement first)."""
    by_inspection: dict[str, dict[str, str]] = {}
    grades: dict[str, list[str]] = {}
    for row in rows:
        by_inspection.setdefault(row["inspection"], {
            "authority": row["councilLabel"], "inspection": row["type"], "fieldwork": _span(row),
            "published": row["published"], "judgements": "", "report": row["reportUrl"] or row["report"]})
        if row["area"] and row["grade"]:
            grades.setdefault(row["inspection"], []).append(f"{row['area']}: {row['grade']}")
    for inspection, entry in by_inspection.items():
        # the overall judgement first, then the areas alphabetically
        entry["judgements"] = "; ".join(sorted(grades.get(inspection, []), key=lambda g: (not g.startswith("Overall"), g)))
    return list(by_inspection.values())


def inspections_table(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """An inspector's inspections (any role) as the page lists them: role as written, authority, type, dates, page."""
    return [{"role": row["roleLabel"], "as written": row["titleAsWritten"], "authority": row["councilLabel"],
             "inspection": row["type"], "framework": row["framework"], "fieldwork": _span(row),
             "published": row["published"], "report page": row["page"]} for row in rows]


def _span(row: dict[str, str]) -> str:
    start, end = row.get("fieldworkStart", ""), row.get("fieldworkEnd", "")
    return f"{start} to {end}" if start and end and start != end else start or end


def co_inspection(rows: list[dict[str, str]]) -> nx.Graph:
    """Inspectors joined when a report names them on the same inspection team.

    Nodes carry the inspector's name (``label``), ``kind`` "person", and how many inspections they are named on and
    led; an edge carries ``weight`` (the inspections the two were on together) and their labels (``inspections``).
    """
    graph = nx.Graph()
    for who in inspectors(rows):
        graph.add_node(who.iri, label=who.name, kind="person", inspections=who.inspections, led=who.led)
    teams: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for row in rows:
        teams.setdefault(row["inspection"], set()).add(row["person"])
        labels[row["inspection"]] = row["inspectionLabel"] or row["inspection"]
    for inspection, team in sorted(teams.items()):
        for a, b in combinations(sorted(team), 2):
            if graph.has_edge(a, b):
                graph.edges[a, b]["weight"] += 1
                graph.edges[a, b]["inspections"].append(labels[inspection])
            else:
                graph.add_edge(a, b, weight=1, inspections=[labels[inspection]])
    return graph


def summary(graph: nx.Graph) -> dict[str, int]:
    """The whole network in figures: inspectors, pairs who inspected together, and its connected parts."""
    parts = [len(c) for c in nx.connected_components(graph)] if graph.number_of_nodes() else []
    return {"inspectors": graph.number_of_nodes(), "pairs": graph.number_of_edges(), "connected groups": len(parts),
            "largest group": max(parts, default=0), "inspectors on no shared team": sum(1 for n in parts if n == 1)}


def strongest_ties(graph: nx.Graph, top: int = 10, around: str | None = None) -> list[dict[str, object]]:
    """The pairs named together on most inspections (of one inspector's, with ``around``), most first."""
    edges = graph.edges(around, data=True) if around is not None else graph.edges(data=True)
    ranked = sorted(edges, key=lambda e: (-e[2]["weight"], graph.nodes[e[0]]["label"], graph.nodes[e[1]]["label"]))
    return [{"inspector": graph.nodes[a]["label"], "with": graph.nodes[b]["label"], "inspections together": data["weight"]}
            for a, b, data in ranked[:top]]


def roles_count(rows: list[dict[str, str]]) -> dict[str, int]:
    """How many inspections an inspector is named on in each role, by role name."""
    return dict(Counter(row["roleLabel"] for row in rows))
