"""RDF files loaded as they are (`councilkg load --rdf`): pieces loaded at once, strict parsing with the file's
own line numbers, graphs replaced on reload, export round trips, and the same graphs towards a Graph Store."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg import store as store_module
from councilkg.errors import LoadError
from councilkg.model import iris
from councilkg.sources.build import LoadPlan, load
from councilkg.sources.rdffile import file_graph, file_payloads, rdf_file
from councilkg.store import LOADS_GRAPH, ONTOLOGY_GRAPH, GraphPayload, ReadOnlyStore, StoreFolder
from councilkg.store import rdffile as store_rdffile

from .conftest import sorted_nquads

PIECE = 4096  # bytes a piece in these tests, so a small file is cut in many


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_rdffile, "RDF_CHUNK_BYTES", PIECE)


def _data_quads(curated: list[GraphPayload]) -> list[ox.Quad]:
    """The curated quads with a blank node whose statements are far apart in the file."""
    quads = [q for p in curated for q in p.quads]
    shared, graph = ox.BlankNode(), curated[0].graph
    return [ox.Quad(shared, iris.rdfs.label, ox.Literal("at the start"), graph), *quads,
            ox.Quad(shared, iris.rdfs.comment, ox.Literal("at the end"), graph)]


def _stored(folder: StoreFolder, without: tuple[ox.NamedNode, ...] = (LOADS_GRAPH, ONTOLOGY_GRAPH)) -> list[str]:
    handle = ReadOnlyStore(folder)
    try:
        kept = ox.Store()
        kept.extend(q for q in handle.store() if q.graph_name not in without)
        return sorted_nquads(kept)
    finally:
        handle.close()


def _records(folder: StoreFolder) -> dict[str, dict[str, str]]:
    handle = ReadOnlyStore(folder)
    try:
        records: dict[str, dict[str, str]] = {}
        for q in handle.store().quads_for_pattern(None, None, None, LOADS_GRAPH):
            records.setdefault(q.subject.value, {})[q.predicate.value.rsplit("#", 1)[-1]] = q.object.value
        return records
    finally:
        handle.close()


def test_an_nquads_file_is_loaded_in_pieces_exactly_as_written(curated: list[GraphPayload], tmp_path: Path,
                                                                small_pieces: None) -> None:
    """Many pieces loaded at once give exactly the file's quads; a blank node stated in the first and the last
    piece stays one node; every graph is recorded as loaded from the file with its triple count."""
    quads = _data_quads(curated)
    path = tmp_path / "dump.nq"
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    assert path.stat().st_size > 20 * PIECE
    folder = StoreFolder(tmp_path / "store")
    report = load(folder, LoadPlan(curated=None, rdf=[path], fresh=True))

    expected = ox.Store()
    expected.extend(quads)
    one_blank = re.compile(r"_:\w+")  # a parse names blank nodes afresh: there is one, checked below
    assert [one_blank.sub("_:b", t) for t in _stored(folder)] == [one_blank.sub("_:b", t) for t in sorted_nquads(expected)]
    handle = ReadOnlyStore(folder)
    try:
        blank = {q.subject for q in handle.store().quads_for_pattern(None, None, None, curated[0].graph)
                 if isinstance(q.subject, ox.BlankNode)}
    finally:
        handle.close()
    assert len(blank) == 1
    records = _records(folder)
    for payload in curated:
        record = records[payload.graph.value]
        extra = 2 if payload.graph == curated[0].graph else 0
        assert (record["loadKind"], record["origin"]) == ("rdf", str(path.resolve()))
        assert int(record["tripleCount"]) == len(payload.quads) + extra
        assert record["label"] == payload.label  # the title the graph gives itself
    assert report.result.manifest["graphs"][LOADS_GRAPH.value] == len(records) * 6
    assert any(line.startswith(f"dump.nq ({len(curated)} graphs)") for line in report.lines())


@pytest.mark.parametrize(("suffix", "fmt"), [(".nt", ox.RdfFormat.N_TRIPLES), (".ttl", ox.RdfFormat.TURTLE),
                                             (".rdf", ox.RdfFormat.RDF_XML), (".jsonld", ox.RdfFormat.JSON_LD)])
def test_a_file_of_triples_goes_in_the_graph_named_for_it(suffix: str, fmt: ox.RdfFormat, curated: list[GraphPayload],
                                                          tmp_path: Path, small_pieces: None) -> None:
    triples = [ox.Triple(q.subject, q.predicate, q.object) for p in curated for q in p.quads
               if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)]
    path = tmp_path / f"Some Triples{suffix}"
    path.write_bytes(ox.serialize(triples, format=fmt))
    folder = StoreFolder(tmp_path / "store")
    report = load(folder, LoadPlan(curated=None, rdf=[path], fresh=True))
    graph = file_graph(path)
    assert graph == iris.source("file-some-triples")
    expected = ox.Store()
    expected.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    assert _stored(folder) == sorted_nquads(expected)
    assert [f.graphs for f in report.result.files] == [[graph]]
    # JSON-LD can hold named graphs, so its triples outside one are moved there, and that is said
    assert [w.split(": ", 1)[1] for w in report.warnings] == (
        [f"triples outside any named graph were put in the graph <{graph.value}>"] if fmt.supports_datasets else [])


def _broken(tmp_path: Path, quads: list[ox.Quad], at: int, suffix: str) -> tuple[Path, int]:
    """The quads written as N-Quads (or TriG) with an IRI broken on the line holding quad number `at`."""
    fmt = ox.RdfFormat.N_QUADS if suffix == ".nq" else ox.RdfFormat.TRIG
    text = ox.serialize(quads, format=fmt).decode()
    target = quads[at].subject.value
    lines = text.splitlines(keepends=True)
    line = next(i for i, t in enumerate(lines) if target in t and (suffix == ".nq" or f"<{target}>" in t)
                and i >= (at if suffix == ".nq" else 0))
    lines[line] = lines[line].replace(f"<{target}>", f"<{target} broken>", 1)
    path = tmp_path / f"broken{suffix}"
    path.write_text("".join(lines))
    return path, line + 1


@pytest.mark.parametrize(("case", "suffix"), [("piece", ".nq"), ("blank pieces", ".nq"), ("one parse", ".trig")])
def test_a_syntax_error_names_the_file_its_line_and_column_and_changes_nothing(
        case: str, suffix: str, curated: list[GraphPayload], tmp_path: Path, small_pieces: None) -> None:
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan())
    before, content = folder.current_path(), _stored(folder, without=())
    quads = [q for p in curated for q in p.quads if isinstance(q.subject, ox.NamedNode)]
    if case == "blank pieces":  # the broken line is in a piece parsed with the others holding a blank node
        shared = ox.BlankNode()
        quads = [ox.Quad(shared, iris.rdfs.label, ox.Literal("b"), curated[0].graph), *quads,
                 ox.Quad(shared, iris.rdfs.comment, ox.Literal("b"), curated[0].graph)]
    path, line = _broken(tmp_path, quads, len(quads) * 3 // 4, suffix)
    with pytest.raises(LoadError) as caught:
        load(folder, LoadPlan(curated=None, rdf=[path]))
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == (str(path.resolve()), line), case
    assert problem.field is not None and problem.field.startswith("column ")
    assert "not valid" in problem.message and "IRI" in problem.message
    assert folder.current_path() == before and _stored(folder, without=()) == content
    assert [p for p in folder.generations.iterdir() if p.is_dir()] == [before]  # the attempt is gone


def test_reloading_a_file_replaces_what_it_wrote_and_keeps_the_rest(curated: list[GraphPayload], tmp_path: Path) -> None:
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan())
    with_curated = _stored(folder)
    a, b = iris.source("extra-a"), iris.source("extra-b")
    person = iris.person("someone-new")
    path = tmp_path / "extra.nq"
    path.write_bytes(ox.serialize([ox.Quad(person, iris.rdfs.label, ox.Literal("Someone New"), a),
                                   ox.Quad(person, iris.rdfs.label, ox.Literal("Someone"), b)], format=ox.RdfFormat.N_QUADS))
    load(folder, LoadPlan(curated=None, rdf=[path]))
    once = _stored(folder)
    load(folder, LoadPlan(curated=None, rdf=[path]))
    assert _stored(folder) == once and len(once) == len(with_curated) + 2  # idempotent

    path.write_bytes(ox.serialize([ox.Quad(person, iris.rdfs.label, ox.Literal("Someone Else"), a)],
                                  format=ox.RdfFormat.N_QUADS))
    load(folder, LoadPlan(curated=None, rdf=[path]))
    now = _stored(folder)
    assert [line for line in now if line not in with_curated] == [
        f'{person} {iris.rdfs.label} "Someone Else" {a} .']  # graph b, which the file no longer has, is gone
    assert set(_records(folder)) == {p.graph.value for p in curated} | {a.value, ONTOLOGY_GRAPH.value}


def _backed_up(tmp_path: Path) -> tuple[StoreFolder, Path]:
    """A store built from the curated data, and its export as TriG (what `councilkg export` writes)."""
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan())
    handle = ReadOnlyStore(folder)
    try:
        path = tmp_path / "backup.trig"
        path.write_bytes(handle.store().dump(format=ox.RdfFormat.TRIG))
    finally:
        handle.close()
    return folder, path


def test_an_export_loads_back_as_it_was(curated: list[GraphPayload], tmp_path: Path) -> None:
    """`councilkg export` then `load --fresh --rdf`: the same graphs; the export's loads and ontology graphs
    are left out (councilkg writes them) and said so; triples outside any graph go in the file's graph."""
    folder, path = _backed_up(tmp_path)
    with path.open("ab") as out:
        out.write(b'\n<https://example.org/x> <https://example.org/p> "outside" .\n')
    again = StoreFolder(tmp_path / "again")
    report = load(again, LoadPlan(curated=None, rdf=[path], fresh=True))
    outside = ox.Quad(ox.NamedNode("https://example.org/x"), ox.NamedNode("https://example.org/p"), ox.Literal("outside"),
                      file_graph(path))
    assert _stored(again) == sorted([*_stored(folder), f"{outside} ."])
    assert outside.graph_name.value in _records(again)
    said = "\n".join(report.warnings)
    assert LOADS_GRAPH.value in said and ONTOLOGY_GRAPH.value in said and "outside any named graph" in said


@pytest.mark.slow
def test_a_graph_the_curated_data_also_holds_is_the_curated_one(curated: list[GraphPayload], tmp_path: Path) -> None:
    """An export loaded back without --no-curated: the curated files replace their graphs, each recorded once,
    and the store holds the triples its manifest says (as `councilkg doctor` checks)."""
    folder, path = _backed_up(tmp_path)
    extra = ox.Quad(iris.person("not-curated"), iris.rdfs.label, ox.Literal("stale"), curated[0].graph)
    with path.open("ab") as handle_out:
        handle_out.write(b"\n" + ox.serialize([extra], format=ox.RdfFormat.TRIG))
    again = StoreFolder(tmp_path / "again")
    report = load(again, LoadPlan(rdf=[path], fresh=True))
    assert _stored(again) == _stored(folder)  # the file's stale statement went with its copy of the graph
    records = _records(again)
    assert {r["loadKind"] for g, r in records.items() if g != ONTOLOGY_GRAPH.value} == {"curated"}
    assert sum(f"the graph <{p.graph.value}> is replaced by the one read from" in w for p in curated
               for w in report.warnings) == len(curated)
    handle = ReadOnlyStore(again)
    try:
        held = {g.value: n for g, n in store_module.graph_counts(handle.store()).items()}
    finally:
        handle.close()
    assert held == report.result.manifest["graphs"]
    assert not any(line.startswith("backup.trig") and not line.endswith(" 0") for line in report.lines())


@pytest.mark.parametrize(("name", "expected"), [("data.xyz", "unknown RDF format"), ("missing.nq", "no such file"),
                                                ("data.nq.gz", "decompress")])
def test_a_file_that_cannot_be_read_is_named_before_the_store_is_touched(name: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / name
    if name != "missing.nq":
        path.write_bytes(b"")
    folder = StoreFolder(tmp_path / "store")
    with pytest.raises(LoadError, match=expected) as caught:
        load(folder, LoadPlan(curated=None, rdf=[path]))
    assert caught.value.problems[0].file == str(path.resolve())
    assert not folder.root.exists()


def test_a_graph_named_by_a_blank_node_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.nq"
    path.write_text('<https://example.org/s> <https://example.org/p> "o" _:g .\n')
    for read in (lambda: load(StoreFolder(tmp_path / "store"), LoadPlan(curated=None, rdf=[path])),
                 lambda: file_payloads(rdf_file(path))):
        with pytest.raises(LoadError, match="blank node"):
            read()


def test_the_graph_store_path_reads_the_same_graphs(curated: list[GraphPayload], tmp_path: Path) -> None:
    """Towards a Graph Store endpoint a file is read into payloads: the same graphs and quads as the
    embedded load, without the graphs councilkg writes itself."""
    quads = [q for p in curated for q in p.quads]
    path = tmp_path / "dump.nq"
    path.write_bytes(ox.serialize([*quads, ox.Quad(iris.person("x"), iris.rdfs.label, ox.Literal("x"), LOADS_GRAPH)],
                                  format=ox.RdfFormat.N_QUADS))
    payloads = file_payloads(rdf_file(path))
    assert {p.graph for p in payloads} == {p.graph for p in curated}
    assert {p.kind for p in payloads} == {"rdf"} and {p.origin for p in payloads} == {str(path.resolve())}
    assert sorted(p.label for p in payloads) == sorted(p.label for p in curated)  # the titles the graphs give themselves
    assert sorted(str(q) for p in payloads for q in p.quads) == sorted(str(q) for q in quads)
    with pytest.raises(LoadError) as caught:
        file_payloads(rdf_file(_broken(tmp_path, quads, 10, ".nq")[0]))
    assert caught.value.problems[0].line == 11
