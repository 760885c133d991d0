"""The curated-data loader: deterministic RDF, one named graph per source, clear errors, atomic loads."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.errors import LoadError
from councilkg.model import iris
from councilkg.sources.build import LoadPlan, ValidationFailed, load
from councilkg.sources.curated import load_curated
from councilkg.store import LOADS_GRAPH, ONTOLOGY_GRAPH, GraphPayload, ReadOnlyStore, StoreFolder, new_memory_store, write_graphs
from councilkg.store import payloads as store_payloads

from .conftest import FIXTURES, sorted_nquads

SEED_FILES = {
    "000_6feb5801381066ca.txt": "croydon-cabinet-2020-ofsted-reinspection",
    "001_75174c0c0c656543.txt": "inside-croydon-2019-monitoring-visit-7",
    "002_9facc654f6be437b.txt": "croydon-cyp-scrutiny-2017-09-19-item-6",
    "003_bfd82640e59329f1.txt": "nottingham-cyp-scrutiny-2020-01-30-item-19",
    "004_56c72d7d748d64e6.txt": "bradford-executive-2021-monitoring-visit-5",
}


def test_one_graph_per_source_named_by_the_source_iri(curated: list[GraphPayload]) -> None:
    by_graph = {p.graph.value: p for p in curated}
    for slug in [*SEED_FILES.values(), "councilkg-reference-authorities"]:
        graph = iris.source(slug).value
        assert graph in by_graph, f"no graph for source {slug}"
        quads = by_graph[graph].quads
        assert all(q.graph_name.value == graph for q in quads)
        # the source describes itself in its own graph
        assert any(q.subject.value == graph and q.predicate == iris.dcterms.title for q in quads), slug


def test_each_seed_document_has_an_entry_naming_its_file(curated: list[GraphPayload]) -> None:
    files = {q.object.value: q.subject.value for p in curated for q in p.quads if q.predicate == iris.ckg.fileName}
    for name, slug in SEED_FILES.items():
        assert files.get(name) == iris.source(slug).value, name


def test_loading_is_deterministic(curated: list[GraphPayload]) -> None:
    again = load_curated()
    assert sorted(str(q) for g in again for q in g.quads) == sorted(str(q) for p in curated for q in p.quads)


def test_reloading_adds_no_duplicate_triples(curated: list[GraphPayload]) -> None:
    store = new_memory_store(curated)
    first = sorted_nquads(store)
    write_graphs(store, curated)
    write_graphs(store, curated)
    second = sorted_nquads(store)
    strip = re.compile(r'"[^"]*"\^\^<http://www.w3.org/2001/XMLSchema#dateTime>')  # the load time changes
    assert [strip.sub("T", line) for line in second] == [strip.sub("T", line) for line in first]
    assert len(second) == len(set(second))


def test_no_quad_is_stated_twice_in_a_source(curated: list[GraphPayload]) -> None:
    for p in curated:
        counts = Counter(str(q) for q in p.quads)
        assert max(counts.values()) == 1, p.label


def test_councils_are_keyed_by_gss_code_and_people_by_slug(curated: list[GraphPayload]) -> None:
    subjects = {q.subject.value for p in curated for q in p.quads}
    for gss in ("E09000008", "E09000007", "E08000032", "E06000018"):
        assert iris.council(gss).value in subjects
    for slug in ("robert-henderson", "eleanor-brazil", "edwina-grant", "barbara-peacock", "alisa-flemming",
                 "nick-pendry", "martin-pratt", "mike-brown", "stephen-rowan", "helen-blackman", "irfan-alam",
                 "steven-downes"):
        assert iris.person(slug).value in subjects, slug


def test_the_same_inspection_gets_one_iri_whichever_source_mentions_it(curated: list[GraphPayload]) -> None:
    iri = iris.inspection("E09000008", "2017-09-04")
    graphs = {q.graph_name.value for p in curated for q in p.quads if q.subject == iri}
    assert graphs == {iris.source(s).value for s in ("croydon-cyp-scrutiny-2017-09-19-item-6",
                                                     "croydon-cabinet-2020-ofsted-reinspection",
                                                     "inside-croydon-2019-monitoring-visit-7")}


def test_name_variants_are_alt_labels(curated: list[GraphPayload]) -> None:
    henderson = iris.person("robert-henderson")
    labels = {(q.predicate.value, q.object.value) for p in curated for q in p.quads if q.subject == henderson}
    assert (iris.rdfs.label.value, "Robert Henderson") in labels
    assert (iris.skos.altLabel.value, "Rob Henderson") in labels
    assert not any(p == iris.rdfs.label.value and v != "Robert Henderson" for p, v in labels)


def test_dates_keep_the_precision_of_the_source(curated: list[GraphPayload]) -> None:
    nottingham = iris.inspection("E06000018", "2019-01-07")
    starts = [q.object for p in curated for q in p.quads if q.subject == nottingham and q.predicate == iris.ckg.fieldworkStart]
    assert [(s.value, s.datatype.value) for s in starts] == [("2018-11", iris.xsd.gYearMonth.value)]


# --------------------------------------------------------------------------------------------
# Malformed inputs: a clear error naming file, line and field; the store unchanged
# --------------------------------------------------------------------------------------------


def _expectation(path: Path) -> tuple[int, str, str]:
    first = path.read_text().splitlines()[0]
    match = re.match(r"# expect: line=(\d+) \| field=(.*?) \| (.*)$", first)
    assert match, f"{path.name} lacks an '# expect:' line"
    return int(match.group(1)), match.group(2), match.group(3)


MALFORMED = sorted((FIXTURES / "malformed").glob("*.yaml"))


@pytest.fixture(scope="module")
def built_folder(tmp_path_factory: pytest.TempPathFactory) -> StoreFolder:
    folder = StoreFolder(tmp_path_factory.mktemp("store") / "store")
    load(folder, LoadPlan())
    return folder


def _content(folder: StoreFolder) -> tuple[Path | None, list[str]]:
    handle = ReadOnlyStore(folder)
    try:
        return folder.current_path(), sorted_nquads(handle.store())
    finally:
        handle.close()


def test_the_malformed_corpus_is_large_enough() -> None:
    assert len(MALFORMED) >= 15


@pytest.mark.parametrize("path", MALFORMED, ids=[p.stem for p in MALFORMED])
def test_malformed_input_is_reported_and_changes_nothing(path: Path, curated_copy: Path, built_folder: StoreFolder) -> None:
    line, field, message = _expectation(path)
    (curated_copy / path.name).write_text(path.read_text())
    before = _content(built_folder)
    with pytest.raises(LoadError) as caught:
        load(built_folder, LoadPlan(curated=curated_copy))
    problems = [p for p in caught.value.problems if p.file.endswith(path.name)]
    assert problems, f"no problem names {path.name}: {caught.value}"
    assert any(p.line == line and (p.field or "") == field and message in p.message for p in problems), (
        f"expected {path.name}:{line}: {field}: ...{message}..., got:\n{caught.value}")
    assert path.name in str(caught.value)
    assert _content(built_folder) == before


def test_a_file_that_is_not_utf8_is_reported(curated_copy: Path, built_folder: StoreFolder) -> None:
    (curated_copy / "binary.yaml").write_bytes(b"source:\n  id: x\n  title: \xff\xfe\x00bad\n")
    before = _content(built_folder)
    with pytest.raises(LoadError, match=r"binary\.yaml: not UTF-8"):
        load(built_folder, LoadPlan(curated=curated_copy))
    assert _content(built_folder) == before


def test_every_problem_in_a_file_is_reported_at_once(curated_copy: Path) -> None:
    (curated_copy / "two.yaml").write_text(
        "source:\n  id: two\n  title: Two problems\n  type: news-article\n"
        "people:\n  - id: a-b\n    name: A B\n    nmae: typo\n  - id: c-d\n"
    )
    with pytest.raises(LoadError) as caught:
        load_curated(curated_copy)
    fields = {p.field for p in caught.value.problems}
    assert {"people[0].nmae", "people[1].name"} <= fields


def test_a_shacl_violation_stops_the_load(curated_copy: Path, built_folder: StoreFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Input that passes the loader's checks but breaks a shape is refused too (simulated by a loader bug)."""
    from councilkg.sources import curated

    original = curated.curated_payloads

    def broken(directory: Path) -> list[GraphPayload]:
        payloads = original(directory)
        target = next(p for p in payloads if p.graph == iris.source("croydon-cabinet-2020-ofsted-reinspection"))
        target.quads.append(ox.Quad(iris.person("robert-henderson"), iris.rdfs.label, ox.Literal("Another Label"), target.graph))
        return payloads

    monkeypatch.setattr(curated, "curated_payloads", broken)
    before = _content(built_folder)
    with pytest.raises(ValidationFailed, match="exactly one rdfs:label"):
        load(built_folder, LoadPlan(curated=curated_copy))
    assert _content(built_folder) == before


def test_a_deleted_curated_file_loses_its_graph_on_reload(curated_copy: Path, tmp_path: Path) -> None:
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan(curated=curated_copy))
    (curated_copy / "inside-croydon-2019-monitoring-visit-7.yaml").unlink()
    load(folder, LoadPlan(curated=curated_copy))
    handle = ReadOnlyStore(folder)
    names = {g.value for g in handle.store().named_graphs()}
    handle.close()
    assert iris.source("inside-croydon-2019-monitoring-visit-7").value not in names
    assert iris.source("croydon-cyp-scrutiny-2017-09-19-item-6").value in names


@pytest.mark.parametrize("plan", [(0, 0), (200, 2)])
def test_adding_to_a_store_replaces_its_graphs_exactly(curated: list[GraphPayload], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, plan: tuple[int, int]) -> None:
    """A build that adds to the current store bulk-loads into its copy: a replaced graph holds exactly its new
    quads (a quad kept, dropped or re-added included), and every other graph is as it was."""
    import dataclasses

    monkeypatch.setattr(store_payloads, "bulk_plan", lambda _n: plan)  # bulk_extend, and slices side by side
    folder = StoreFolder(tmp_path / "store")
    folder.build(curated, fresh=True)
    old = _graph_contents(folder)
    target = curated[0]
    added = ox.Quad(iris.person("someone-new"), iris.rdfs.label, ox.Literal("Someone New"), target.graph)
    changed = dataclasses.replace(target, quads=[*target.quads[5:], added, target.quads[6]])
    assert "copy" in folder.build([changed]).phases
    new = _graph_contents(folder)
    assert new[target.graph] == sorted({str(q) for q in changed.quads})
    assert str(target.quads[0]) not in new[target.graph]
    for graph in old.keys() - {target.graph, LOADS_GRAPH, ONTOLOGY_GRAPH}:
        assert new[graph] == old[graph], graph


def _graph_contents(folder: StoreFolder) -> dict[ox.NamedNode, list[str]]:
    handle = ReadOnlyStore(folder)
    try:
        store = handle.store()
        return {g: sorted(str(q) for q in store.quads_for_pattern(None, None, None, g)) for g in store.named_graphs()}
    finally:
        handle.close()


def test_replacing_most_of_a_store_starts_afresh_with_the_rest(curated: list[GraphPayload], tmp_path: Path) -> None:
    """Loading the same synthetic data again replaces most of the store: instead of a copy whose replaced
    graphs are removed quad by quad, the new generation gets the graphs that stay, and their load records."""
    import dataclasses

    from councilkg.sources.synthetic import generate

    synthetic = list(generate(12_000, 1))
    folder = StoreFolder(tmp_path / "store")
    folder.build([*curated, *synthetic], fresh=True)
    old = _graph_contents(folder)
    added = ox.Quad(iris.person("someone-new"), iris.rdfs.label, ox.Literal("Someone New"), synthetic[0].graph)
    changed = [dataclasses.replace(synthetic[0], quads=[*synthetic[0].quads[3:], added]), *synthetic[1:]]
    result = folder.build(changed)
    assert "carry" in result.phases and "copy" not in result.phases
    new = _graph_contents(folder)
    assert new.keys() == old.keys()
    for p in changed:
        assert new[p.graph] == sorted({str(q) for q in p.quads})
    loads, ontology = LOADS_GRAPH, ONTOLOGY_GRAPH
    for graph in old.keys() - {p.graph for p in changed} - {loads, ontology}:
        assert new[graph] == old[graph], graph
    # the load records of the graphs that stayed are as they were; the replaced ones are recorded once, anew
    subject = {p.graph.value: f"<{p.graph.value}> " for p in [*curated, *changed]}
    for p in curated:
        assert [q for q in new[loads] if q.startswith(subject[p.graph.value])] == \
               [q for q in old[loads] if q.startswith(subject[p.graph.value])]
    for p in changed:
        counts = [q for q in new[loads] if q.startswith(subject[p.graph.value]) and "tripleCount" in q]
        assert counts == [f'<{p.graph.value}> <{iris.ckg.tripleCount.value}> "{len(p.quads)}"^^<{iris.xsd.integer.value}> '
                          f"<{loads.value}>"]
    # dropping a kind drops its graphs that are not reloaded, here too
    folder.build(synthetic, drop_kinds=["curated"])
    assert not {p.graph for p in curated} & _graph_contents(folder).keys()


def test_a_build_names_a_few_graphs_and_reports_a_long_write(curated: list[GraphPayload]) -> None:
    from councilkg.store import tenths
    from councilkg.store.folder import WRITING_LINES, _say_writing

    said: list[str] = []
    _say_writing(said.append, curated[:3])
    assert said == [f"writing {p.label}: {len(p.quads):,} triples" for p in curated[:3]]
    said.clear()
    many = curated * 3
    _say_writing(said.append, many)
    assert len(said) == WRITING_LINES
    rest = many[WRITING_LINES - 1:]
    assert said[-1] == f"writing {len(rest)} more graphs: {sum(len(p.quads) for p in rest):,} triples"
    said.clear()
    report = tenths(said.append, "passed to the indexer:")
    for done in range(0, 10_001, 250):
        report(done, 10_000)
    assert len(said) == 10 and said[0] == "passed to the indexer: 1,000 of 10,000 triples (10%)"
    assert said[-1].endswith("(100%)")
    said.clear()
    report = tenths(said.append, "generated")
    report(10_400, 10_000)  # a generator overshoots its target a little
    assert said == ["generated 10,000 of 10,000 triples (100%)"]


def test_a_build_says_where_its_time_went(curated: list[GraphPayload], tmp_path: Path) -> None:
    folder = StoreFolder(tmp_path / "store")
    first = folder.build(curated, fresh=True, check=lambda _store: None)
    assert set(first.phases) == {"write", "check", "compact", "text index"}  # nothing to copy into a fresh store
    # the text index is built on its own thread during the compaction: its time is within the compaction's
    steps = {name: seconds for name, seconds in first.phases.items() if name != "text index"}
    assert all(seconds >= 0 for seconds in first.phases.values()) and sum(steps.values()) <= first.seconds
    assert first.phases["text index"] <= first.phases["compact"]
    second = folder.build(curated[:1])  # keeps the first build's graphs: copies them before writing
    assert set(second.phases) == {"copy", "write", "compact", "text index"}
    assert second.manifest["triples"] == first.manifest["triples"]


@pytest.mark.parametrize("plan", [(10**9, 1), (2_000, 2), (97, 3)])
def test_the_parallel_bulk_load_writes_exactly_what_extend_writes(curated: list[GraphPayload], tmp_path: Path,
                                                                   plan: tuple[int, int]) -> None:
    """Slices loaded side by side on disk give the same quads as one transactional extend, and a blank
    node whose statements fall in different slices stays one node. Progress is reported after each slice."""
    from councilkg.store.payloads import bulk_write

    quads = [q for p in curated for q in p.quads]
    shared = ox.BlankNode()
    graph = curated[0].graph
    quads.insert(0, ox.Quad(shared, iris.rdfs.label, ox.Literal("first slice"), graph))
    quads.append(ox.Quad(shared, iris.rdfs.comment, ox.Literal("last slice"), graph))
    quads += quads[:50]  # a quad given twice is stored once
    expected = ox.Store()
    expected.extend(quads)
    store = ox.Store(str(tmp_path / f"bulk{plan[0]}"))
    passed: list[int] = []
    bulk_write(store, quads, plan=plan, progress=passed.append)
    assert sorted_nquads(store) == sorted_nquads(expected)
    subjects = {q.subject for q in store.quads_for_pattern(None, None, None, graph) if isinstance(q.subject, ox.BlankNode)}
    assert len(subjects) == 1
    size = plan[0]
    assert passed == [min(len(quads), end) for end in range(size, len(quads) + size, size)]


def test_a_load_is_bulk_extended_or_sliced_by_size() -> None:
    from councilkg.store.payloads import BULK_SLICE, bulk_plan

    assert bulk_plan(1_000) == (0, 0)  # no text made for a small load
    for quads in (1_000_000, 10_000_000):
        size, at_once = bulk_plan(quads)
        assert size == BULK_SLICE < quads // 10 and 2 <= at_once <= 32


def test_a_failing_slice_fails_the_bulk_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quads = [ox.Quad(iris.person(f"p{i}"), iris.rdfs.label, ox.Literal(f"P {i}"), iris.source("s")) for i in range(30)]
    real = store_payloads.ox.serialize
    calls = []

    def corrupt(items: list[ox.Quad], format: ox.RdfFormat) -> bytes:  # pyoxigraph's keyword name
        calls.append(len(items))
        data = real(items, format=format)
        return data if len(calls) < 2 else data + b"<broken"

    monkeypatch.setattr(store_payloads.ox, "serialize", corrupt)
    with pytest.raises(SyntaxError):
        store_payloads.bulk_write(ox.Store(str(tmp_path / "bulk")), quads, plan=(10, 2))


def test_gc_paused_restores_the_collector_and_collects_what_it_is_asked_to() -> None:
    import gc
    import weakref

    from councilkg.store import gc_paused

    class Node:
        pass

    assert gc.isenabled() and gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        with gc_paused():  # nested: still paused afterwards
            pass
        assert not gc.isenabled() and gc.get_freeze_count() > 0
        node = Node()
        node.self = node  # a cycle only the collector can free
        alive = weakref.ref(node)
        del node
        gc.collect()
        assert alive() is None  # an explicit collection frees what the block made (the build's closed store)
        raise RuntimeError("fails inside")
    assert gc.isenabled() and gc.get_freeze_count() == 0


# --------------------------------------------------------------------------------------------
# The registry of source kinds
# --------------------------------------------------------------------------------------------


def test_the_kinds_are_read_in_the_order_registered_and_listed_facts_first() -> None:
    from councilkg.sources import registry

    assert [k.name for k in registry.kinds()] == ["curated", "lookup", "ofsted", "reports", "documents", "synthetic", "rdf"]
    assert registry.graph_kind_order() == ["curated", "ofsted", "reports", "lookup", "documents", "rdf", "synthetic",
                                           "candidates", "ontology", "log"]
    assert registry.checked_graph_kinds() == ["curated", "lookup"]
    assert LoadPlan().drop_kinds() == ["curated"]
    assert LoadPlan(curated=None, documents=[Path("docs")], ofsted=[Path("a.ods")]).drop_kinds() == ["documents", "candidates"]
    with pytest.raises(TypeError, match="LoadPlan has no input 'lookup'; the source kinds take curated, lookups"):
        LoadPlan(lookup=[Path("la_lookup.csv")])
    with pytest.raises(ValueError, match="'curated' is registered already"):
        registry.register(registry.get("curated"))


def test_a_kind_registered_is_offered_by_the_cli_read_in_turn_listed_and_replaced_whole(
        curated: list[GraphPayload], monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a kind is a module declaring it and a line registering it: the CLI, the load, the listing order and
    the graphs a load replaces then know it."""
    import dataclasses

    from councilkg.cli.main import build_parser
    from councilkg.sources import registry
    from councilkg.sources.build import collect_payloads
    from councilkg.sources.kind import GraphKind, Option, SourceKind

    seen: list[list[str]] = []

    def read(inputs, reading):
        seen.append([p.kind for p in reading.earlier])
        graph = iris.source("toy-" + inputs["toys"][0].stem)
        quad = ox.Quad(graph, iris.rdfs.label, ox.Literal("A toy source"), graph)
        return [GraphPayload(graph, "A toy source", "toy", str(inputs["toys"][0]), "hash", [quad])], ["a toy warning"]

    toy = SourceKind(name="toy", reads="toy files", read=read, graphs=(GraphKind("toy", order=45),), replaces=("toy",),
                     options=(Option("--toy", "a toy file; repeatable", check_help="also check this toy file", metavar="FILE",
                                     input="toys"),))
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    registry.register(toy)
    parser = build_parser()
    args = parser.parse_args(["load", "--no-curated", "--toy", "one.toy", "--lookup", "x.csv"])
    plan = LoadPlan(**registry.inputs_from_args(args))
    assert plan["toys"] == [Path("one.toy")] and plan.drop_kinds() == ["toy"]
    assert registry.inputs_from_args(parser.parse_args(["validate", "--toy", "two.toy"]))["toys"] == [Path("two.toy")]
    # an earlier kind, read without a file: the lookup, giving a curated payload
    monkeypatch.setitem(registry._KINDS, "lookup", dataclasses.replace(registry.get("lookup"), read=lambda _i, _r: (curated[:1], [])))
    payloads, warnings = collect_payloads(plan)
    assert [p.kind for p in payloads] == ["curated", "toy"] and warnings == ["a toy warning"]
    assert seen == [["curated"]]  # what the kinds registered before it read
    assert registry.graph_kind_order().index("toy") == registry.graph_kind_order().index("documents") + 1
