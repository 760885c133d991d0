"""People, posts and organisations as a network (networkx), for the app's network views.

Nodes are people and organisations (councils, boards, committees, other bodies); an edge joins a
member to an organisation, labelled with the role and the dates the sources give. The
co-membership view joins two people who served in the same organisation at overlapping times.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from councilkg.explore import timeline
from councilkg.model import iris
from councilkg.query.results import QueryResult

KIND_COLOURS = {
    "person": "#1f77b4",
    "council": "#d62728",
    "board": "#2ca02c",
    "committee": "#9467bd",
    "department": "#8c564b",
    "organisation": "#7f7f7f",
    "holder not named": "#ff7f0e",
    "inspection": "#17becf",
    "resource": "#bcbd22",
    "literal": "#e377c2",
}
#: the kind of node an unnamed post holder is (Ofsted's "The DCS has been in post since July 2016")
UNNAMED_KIND = "holder not named"
#: the kind of node an inspection is, in the ego network around one (its team and the authority it inspected)
INSPECTION_KIND = "inspection"
#: what the nodes of a graph result (a CONSTRUCT's triples) are: an IRI or blank node, or a literal
RESOURCE_KIND, LITERAL_KIND = "resource", "literal"
#: a value that reads as an IRI (a scheme and no spaces: ``https://...``, ``urn:...``) or a blank node (``_:b0``)
_RESOURCE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:|_:)\S*")
CENTRALITY = ("degree", "betweenness", "eigenvector")
# Past this many nodes a drawing is an unreadable hairball that takes long to lay out; the app asks
# for a narrower view (a council, roles, a date, or an ego network) and offers the GraphML instead.
MAX_DRAWN_NODES = 400


def too_big_to_draw(graph: nx.Graph) -> bool:
    """Whether the graph has more nodes than a drawing can show readably (MAX_DRAWN_NODES)."""
    return graph.number_of_nodes() > MAX_DRAWN_NODES


@dataclass(frozen=True)
class Tie:
    """One membership: who, where, in what role, and when the sources place it."""

    member: str
    member_label: str
    member_kind: str
    organisation: str
    organisation_label: str
    organisation_kind: str
    role: str
    role_label: str
    known_from: dt.date | None
    known_until: dt.date | None
    membership: str
    council: str = ""  # the council the organisation belongs to, if any


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def ties_from(result: QueryResult) -> list[Tie]:
    """Ties from the rows of the role_network query."""
    ties = []
    for row in result.strings():
        ties.append(Tie(row["person"], row["personLabel"] or _local(row["person"]), row["personKind"] or "person",
                        row["organisation"], row["organisationLabel"] or _local(row["organisation"]),
                        row["organisationKind"] or "organisation", row["role"], row["roleLabel"],
                        _date(row["knownFrom"]), _date(row["knownUntil"]), row["membership"], row.get("council") or ""))
    return ties


def unnamed_ties(tenures: Collection[timeline.Tenure], date: dt.date | None = None) -> list[Tie]:
    """The leadership timeline's holders Ofsted does not name, as ties to their councils (those in post on ``date``
    only, when one is given: the tenure's evidence spans it)."""
    ties = []
    for t in tenures:
        if t.named or (date and not t.known_from <= date <= t.known_until):
            continue
        s = t.first
        ties.append(Tie(s.node, t.label(), UNNAMED_KIND, s.organisation, s.council_label, "council", s.role, s.role_label,
                        t.known_from, t.known_until, s.node, s.council))
    return ties


@dataclass(frozen=True)
class Inspection:
    """An inspection whose report names its team, as the ego network around it is offered (its label gives the
    authority, the type and the fieldwork's dates)."""

    iri: str
    label: str
    council: str
    fieldwork_start: dt.date | None


def inspections(team: Collection[dict[str, str]], council: str | None = None) -> list[Inspection]:
    """The inspections in ``inspector_inspections`` rows (those of one council when given), oldest first."""
    found: dict[str, Inspection] = {}
    for row in team:
        if council is None or row["council"] == council:
            found.setdefault(row["inspection"], Inspection(row["inspection"], row["inspectionLabel"] or _local(row["inspection"]),
                                                           row["council"], _date(row["fieldworkStart"])))
    return sorted(found.values(), key=lambda i: (i.fieldwork_start or dt.date.min, i.label))


def inspection_ties(team: Collection[dict[str, str]], inspection: Inspection) -> list[Tie]:
    """The inspection as a node of its own: joined to the authority it inspected and to each member of the team
    its report names, in the role the report gives (rows of ``inspector_inspections``). With the authority's ties
    as at the fieldwork, its ego network is who inspected and who was in post."""
    council_label = next((row["councilLabel"] for row in team if row["council"] == inspection.council), "")
    ties = [Tie(inspection.iri, inspection.label, INSPECTION_KIND, inspection.council,
                council_label or _local(inspection.council), "council", "", "inspected", inspection.fieldwork_start,
                inspection.fieldwork_start, f"{inspection.iri}#inspected", inspection.council)]
    for row in team:
        if row["inspection"] == inspection.iri:
            ties.append(Tie(row["person"], row["personLabel"] or _local(row["person"]), "person", inspection.iri,
                            inspection.label, INSPECTION_KIND, row["role"], row["roleLabel"], inspection.fieldwork_start,
                            _date(row["fieldworkEnd"]) or inspection.fieldwork_start, row["membership"]))
    return ties


def summary(ties: Collection[Tie], council_labels: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """The whole network in numbers, for a view too big to draw: per role, the people and ties; per authority
    (``council_labels`` names them; ties outside any council count as "outside any council"), the same."""
    def count(key) -> list[dict]:
        people: dict[str, set[str]] = {}
        number: dict[str, int] = {}
        for tie in ties:
            k = key(tie)
            people.setdefault(k, set()).add(tie.member)
            number[k] = number.get(k, 0) + 1
        return sorted(({"people": len(people[k]), "ties": number[k], "_key": k} for k in people),
                      key=lambda r: (-r["people"], r["_key"]))

    by_role = [{"role": r.pop("_key"), **r} for r in count(lambda t: t.role_label)]
    by_council = [{"authority": r.pop("_key"), **r}
                  for r in count(lambda t: council_labels.get(t.council, t.council) if t.council else "outside any council")]
    return by_role, by_council


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def role_graph(ties: list[Tie], roles: set[str] | None = None) -> nx.MultiGraph:
    """Members and organisations joined by one edge per membership (optionally only some roles)."""
    graph = nx.MultiGraph()
    for tie in ties:
        if roles and tie.role not in roles:
            continue
        graph.add_node(tie.member, label=tie.member_label, kind=tie.member_kind)
        graph.add_node(tie.organisation, label=tie.organisation_label, kind=tie.organisation_kind)
        graph.add_edge(tie.member, tie.organisation, key=tie.membership, role=tie.role_label,
                       known_from=tie.known_from.isoformat() if tie.known_from else "",
                       known_until=tie.known_until.isoformat() if tie.known_until else "")
    return graph


#: the two views of the network: memberships as edges, or people joined by serving together
VIEWS = ("People, posts and organisations", "Co-membership")


def view_graph(ties: list[Tie], view: str, role_labels: Collection[str] = ()) -> nx.Graph:
    """The graph one of VIEWS draws, of the ties in the roles named (all ties when none are named)."""
    if view == VIEWS[1]:
        return co_membership([t for t in ties if not role_labels or t.role_label in role_labels])
    if view != VIEWS[0]:
        raise ValueError(f"unknown view {view!r} (expected one of: {', '.join(VIEWS)})")
    return role_graph(ties, {t.role for t in ties if t.role_label in role_labels} if role_labels else None)


def ego(graph: nx.Graph, centre: str, depth: int) -> nx.Graph:
    """The nodes within depth steps of centre, and the edges between them."""
    if centre not in graph:
        return graph.__class__()
    return nx.ego_graph(graph, centre, radius=max(0, depth))


def overlap(a: Tie, b: Tie) -> bool:
    """Whether two ties' known spans overlap (an unknown end is treated as that tie's last evidence)."""
    if not (a.known_from and a.known_until and b.known_from and b.known_until):
        return False
    return a.known_from <= b.known_until and b.known_from <= a.known_until


def co_membership(ties: list[Tie]) -> nx.Graph:
    """People joined when they served in the same organisation at overlapping times.

    Each edge carries the shared organisations and a weight (how many).
    """
    graph = nx.Graph()
    by_org: dict[str, list[Tie]] = {}
    for tie in ties:
        if tie.member_kind != "person":
            continue
        graph.add_node(tie.member, label=tie.member_label, kind="person")
        by_org.setdefault(tie.organisation, []).append(tie)
    for org_ties in by_org.values():
        for a, b in combinations(org_ties, 2):
            if a.member == b.member or not overlap(a, b):
                continue
            if graph.has_edge(a.member, b.member):
                data = graph.edges[a.member, b.member]
                if a.organisation_label not in data["organisations"]:
                    data["organisations"].append(a.organisation_label)
                    data["weight"] += 1
            else:
                graph.add_edge(a.member, b.member, organisations=[a.organisation_label], weight=1)
    return graph


def centrality(graph: nx.Graph, measure: str = "degree") -> dict[str, float]:
    """A centrality score per node (degree, betweenness or eigenvector), 0 for an empty graph."""
    if graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph(graph)
    if measure == "degree":
        return nx.degree_centrality(simple) if simple.number_of_nodes() > 1 else dict.fromkeys(simple, 1.0)
    if measure == "betweenness":
        return nx.betweenness_centrality(simple)
    if measure == "eigenvector":
        try:
            return nx.eigenvector_centrality_numpy(simple) if simple.number_of_edges() else dict.fromkeys(simple, 0.0)
        except Exception:  # disconnected graphs can fail to converge; fall back to degree
            return nx.degree_centrality(simple)
    raise ValueError(f"unknown centrality {measure!r} (expected one of: {', '.join(CENTRALITY)})")


def most_central(graph: nx.Graph, measure: str = "degree", top: int = 10) -> list[dict]:
    """The top people by a centrality measure, with their score and how many connections they have."""
    scores = centrality(graph, measure)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], graph.nodes[item[0]].get("label", item[0])))
    return [{"person": graph.nodes[n].get("label", n), "iri": n, measure: round(score, 4),
             "connections": graph.degree(n)} for n, score in ranked[:top]]


def layout(graph: nx.Graph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Stable positions for drawing (the same graph always gets the same picture)."""
    if graph.number_of_nodes() == 0:
        return {}
    simple = nx.Graph(graph)
    positions = nx.spring_layout(simple, seed=seed, k=1.5 / max(1, simple.number_of_nodes()) ** 0.5)
    return {node: (float(x), float(y)) for node, (x, y) in positions.items()}


def to_graphml(graph: nx.Graph) -> bytes:
    """The graph as GraphML (lists become '; '-joined text, as GraphML attributes are scalars)."""
    clean = graph.__class__()
    for node, data in graph.nodes(data=True):
        clean.add_node(node, **{k: _scalar(v) for k, v in data.items()})
    if graph.is_multigraph():
        for u, v, key, data in graph.edges(keys=True, data=True):
            clean.add_edge(u, v, key=key, **{k: _scalar(val) for k, val in data.items()})
    else:
        for u, v, data in graph.edges(data=True):
            clean.add_edge(u, v, **{k: _scalar(val) for k, val in data.items()})
    buffer = io.BytesIO()
    nx.write_graphml(clean, buffer, encoding="utf-8")
    return buffer.getvalue()


def _scalar(value: object) -> object:
    if isinstance(value, (list, tuple, set)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


#: the triples of a CONSTRUCT or DESCRIBE result that are drawn (the table shows them all)
MAX_DRAWN_TRIPLES = 300


def triples_graph(rows: list[dict[str, str]], limit: int = MAX_DRAWN_TRIPLES) -> nx.MultiDiGraph:
    """The first ``limit`` triples of a graph result (rows of subject, predicate, object) as a network.

    IRIs and blank nodes are of one kind and literals of another, told apart by colour; every node is labelled by
    its prefixed name (a literal by its first 60 characters).
    """
    graph = nx.MultiDiGraph()
    for row in rows[:limit]:
        s, p, o = row["subject"], row["predicate"], row["object"]
        graph.add_node(s, label=iris.shorten(s), kind=RESOURCE_KIND)
        graph.add_node(o, label=iris.shorten(o)[:60], kind=RESOURCE_KIND if _RESOURCE.fullmatch(o) else LITERAL_KIND)
        graph.add_edge(s, o, role=iris.shorten(p))
    return graph


def drawing(graph: nx.Graph, measure: str = "degree") -> tuple[list[dict], list[dict]]:
    """Node and edge records for a drawing (``app/network_view.py``): each node's position, kind and size by
    centrality; each edge's two node ids, its role (or shared organisations) and the two labels."""
    if too_big_to_draw(graph):
        raise ValueError(f"{graph.number_of_nodes():,} nodes are too many to draw (at most {MAX_DRAWN_NODES:,}); "
                         "draw an ego network or a narrower selection")
    positions = layout(graph)
    scores = centrality(graph, measure)
    top = max(scores.values(), default=0.0) or 1.0
    nodes = [{"id": n, "label": d.get("label", n), "kind": d.get("kind", "organisation"),
              "x": positions[n][0], "y": positions[n][1], "centrality": round(scores.get(n, 0.0), 4),
              "size": 80 + 900 * scores.get(n, 0.0) / top} for n, d in graph.nodes(data=True)]
    edges = [{"u": u, "v": v, "role": data.get("role") or "; ".join(data.get("organisations", [])),
              "source": graph.nodes[u].get("label", u), "target": graph.nodes[v].get("label", v)}
             for u, v, data in graph.edges(data=True)]
    return nodes, edges
