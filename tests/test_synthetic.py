"""The synthetic data generator: reproducible, the shape of the real graph, never mistakable for it."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.model import iris
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.sources.synthetic import generate, write_nquads
from councilkg.store import new_memory_store
from councilkg.store.shacl import validate_payloads

from .conftest import CLI


def _quads(triples: int, seed: int) -> list[ox.Quad]:
    return [q for p in generate(triples, seed) for q in p.quads]


def test_the_same_seed_gives_the_same_graph_and_another_seed_another() -> None:
    first = _quads(5_000, 7)
    assert first == _quads(5_000, 7)
    assert set(first) != set(_quads(5_000, 8))


def test_the_size_asked_for_is_reached_without_overshooting_much() -> None:
    for target in (10_000, 100_000):
        total = len(_quads(target, 1))
        assert target <= total <= target * 1.15, (target, total)


def test_no_quad_is_made_twice() -> None:
    """A quad given twice is stored once, so the counts recorded for a graph would be too high (at this size a
    commissioner from the national pool served one authority twice)."""
    quads = [str(q) for p in generate(100_000, seed=1) for q in p.quads]
    assert len(quads) == len(set(quads))


def test_everything_in_it_is_marked_synthetic() -> None:
    payloads = list(generate(20_000, 2))
    assert {p.kind for p in payloads} == {"synthetic"}
    store = new_memory_store(payloads)
    graphs = {p.graph for p in payloads}
    flagged = {q.subject for q in store.quads_for_pattern(None, iris.ckg.synthetic, ox.Literal("true", datatype=iris.xsd.boolean))}
    assert graphs <= flagged
    councils = {q.subject for q in store.quads_for_pattern(None, iris.RDF_TYPE, iris.ckg.LocalAuthority)}
    codes = {q.object.value for q in store.quads_for_pattern(None, iris.ckg.gssCode, None)}
    assert councils and all(code.startswith("E069") for code in codes)
    people = {q.subject for q in store.quads_for_pattern(None, iris.RDF_TYPE, iris.foaf.Person)}
    names = {q.object.value for p in people for q in store.quads_for_pattern(p, iris.rdfs.label, None)}
    assert people and all(name.startswith("Synthetic") for name in names)


def test_no_two_inspections_of_an_authority_share_a_publication_date() -> None:
    """The publication date is part of an inspection's IRI: two published the same day would merge into one
    node with two types and two sets of judgements (seed 11 at 10^5 triples drew such a pair)."""
    quads = _quads(100_000, 11)
    dates = Counter(q.subject for q in quads if q.predicate == iris.ckg.publicationDate)
    assert dates and max(dates.values()) == 1


def test_it_has_the_shape_the_queries_expect() -> None:
    store = new_memory_store(list(generate(30_000, 3)))
    runner = Runner(EmbeddedBackend(store))
    council = iris.council("E06900001").value
    judgements = runner.canned("council_judgements", {"council": council})
    assert len(judgements) > 5
    directors = [r for year in range(2010, 2025, 2)
                 for r in runner.canned("leaders_at_date", {"council": council, "date": f"{year}-06-01"}).strings()
                 if r["roleLabel"] == "Director of Children's Services"]
    assert len({r["person"] for r in directors}) >= 2
    # commissioners and interim directors come from national pools, so some work for several councils
    movers = runner.canned("people_across_organisations").strings()
    assert movers and all(r["personLabel"].startswith(("Synthetic Commissioner", "Synthetic Interim Director")) for r in movers)


@pytest.mark.slow
def test_a_small_synthetic_graph_conforms_to_the_shapes() -> None:
    assert validate_payloads(list(generate(3_000, 4))) == []


@pytest.mark.slow
def test_write_nquads_and_the_cli(tmp_path: Path, cli_env: dict[str, str]) -> None:
    path = tmp_path / "s.nq"
    count = write_nquads(path, 2_000, 5)
    assert count == sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    env = cli_env
    done = subprocess.run([*CLI, "load", "--synthetic", "5000", "--seed", "5", "-q"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC" in done.stdout
    stats = subprocess.run([*CLI, "stats"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "SYNTHETIC release (seed 5)" in stats.stdout


def test_a_long_generation_reports_its_progress(monkeypatch) -> None:
    from councilkg.sources import build, synthetic

    monkeypatch.setattr(synthetic, "LONG_GENERATION", 10_000)
    said: list[str] = []
    payloads, _ = build.collect_payloads(build.LoadPlan(curated=None, synthetic=20_000), said.append)
    progress = [line for line in said if line.startswith("generated ")]
    assert 5 <= len(progress) <= 10 and progress[-1] == "generated 20,000 of 20,000 triples (100%)"
    assert sum(len(p.quads) for p in payloads) >= 20_000
    said.clear()
    build.collect_payloads(build.LoadPlan(curated=None, synthetic=9_000), said.append)
    assert not [line for line in said if line.startswith("generated ")]  # a short one says it starts, no more
