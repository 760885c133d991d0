"""Where the runner's VALUES blocks go (``councilkg.query.safety.inject_values``): the variable is the
given term everywhere, in every shape of query the catalogue uses, and the WHERE group goes without a
block of its own only where that changes no rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from councilkg.query.binding import bind_query
from councilkg.query.results import Value

EX = "http://example.org/"
COUNCIL = Value.iri(EX + "c1")
BLOCK = f"VALUES (?c) {{ (<{EX}c1>) }}"


def _store() -> ox.Store:
    store = ox.Store()
    for council, label, kind in (("c1", "One", "a"), ("c1", "Uno", "b"), ("c2", "Two", "a"), ("c3", "Three", "b")):
        store.add(ox.Quad(ox.NamedNode(EX + council), ox.NamedNode(EX + "label"), ox.Literal(label)))
        store.add(ox.Quad(ox.NamedNode(EX + council), ox.NamedNode(EX + kind), ox.Literal(kind)))
    return store


SHAPES = {
    "plain": "SELECT ?c ?l WHERE { ?c <http://example.org/label> ?l }",
    "grouped subquery": ("SELECT ?c ?n ?m WHERE { { SELECT ?c (MIN(?l) AS ?n) (MAX(?l) AS ?m) "
                         "WHERE { ?c <http://example.org/label> ?l } GROUP BY ?c } BIND (CONCAT(?n, ?m) AS ?both) }"),
    "union of subqueries": ("SELECT ?c ?x WHERE { { SELECT ?c ?x WHERE { ?c <http://example.org/a> ?x } } "
                            "UNION { SELECT ?c ?x WHERE { ?c <http://example.org/b> ?x } } }"),
    "union with a plain branch": ("SELECT ?c ?x WHERE { { SELECT ?c ?x WHERE { ?c <http://example.org/a> ?x } } "
                                  "UNION { ?c <http://example.org/b> ?x } }"),
    "subquery not projecting it": ("SELECT ?c ?l WHERE { { SELECT ?l WHERE { ?c <http://example.org/label> ?l } } }"),
    "subquery not naming it": "SELECT ?c ?l WHERE { { SELECT ?l WHERE { ?d <http://example.org/label> ?l } } }",
    "select star": "SELECT ?c ?l WHERE { { SELECT * WHERE { ?d <http://example.org/label> ?l } } }",
    "subquery after a pattern": ("SELECT ?c ?l WHERE { ?c <http://example.org/a> ?x "
                                 "{ SELECT ?c ?l WHERE { ?c <http://example.org/label> ?l } } }"),
}


def _rows(result: ox.QuerySolutions) -> list[tuple[str, ...]]:
    names = [v.value for v in result.variables]
    return sorted(tuple("" if row[n] is None else str(row[n]) for n in names) for row in result)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_bound_query_gives_the_rows_it_gives_with_a_block_around_everything(shape: str) -> None:
    """Leaving out the WHERE group's own block changes no rows: the text with one put back is the reference."""
    store = _store()
    text = bind_query(SHAPES[shape], {"c": COUNCIL}).text
    head, tail = text.split("WHERE {", 1)
    reference = text if tail.lstrip().startswith(BLOCK) else f"{head}WHERE {{ {BLOCK} {tail}"
    ours = _rows(store.query(text))
    assert ours == _rows(store.query(reference))
    assert ours and {row[0] for row in ours} == {f"<{EX}c1>"}


@pytest.mark.parametrize("shape", ["plain", "grouped subquery", "union of subqueries", "subquery after a pattern"])
def test_where_the_variable_is_in_scope_it_means_what_substitutions_mean(shape: str) -> None:
    store = _store()
    ours = _rows(store.query(bind_query(SHAPES[shape], {"c": COUNCIL}).text))
    assert ours == _rows(store.query(SHAPES[shape], substitutions={ox.Variable("c"): ox.NamedNode(EX + "c1")}))


@pytest.mark.parametrize("shape", ["grouped subquery", "union of subqueries"])
def test_no_second_block_around_subqueries_that_bind_the_variable(shape: str) -> None:
    """A subquery that opens the WHERE group and projects the variable gets the block itself; one around it
    as well costs Oxigraph a join (board_members' example, 0.5 ms of 3)."""
    text = bind_query(SHAPES[shape], {"c": COUNCIL}).text
    assert not text.split("WHERE {", 1)[1].lstrip().startswith("VALUES")
    assert text.count(BLOCK) == shape.count("union") + 1


@pytest.mark.parametrize("shape", ["plain", "union with a plain branch", "subquery not projecting it",
                                   "subquery not naming it", "select star", "subquery after a pattern"])
def test_the_where_group_keeps_its_block_otherwise(shape: str) -> None:
    text = bind_query(SHAPES[shape], {"c": COUNCIL}).text
    assert text.split("WHERE {", 1)[1].lstrip().startswith(BLOCK)
