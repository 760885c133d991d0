"""Full-text search: reports' paragraphs, the text index built with each store generation, the search's syntax,
filters, snippets and links, and the CLI's `search`, on real stores built from the shared seeds and reports."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.cli.main import main
from councilkg.errors import ParameterError, StoreError, StoreMissingError
from councilkg.explore import search as text_search
from councilkg.model import iris
from councilkg.query.backends import EmbeddedBackend, RemoteBackend
from councilkg.query.runner import Runner
from councilkg.sources.build import LoadPlan, load
from councilkg.sources.pdf import PdfText
from councilkg.sources.reports import paragraphs
from councilkg.store import ReadOnlyStore, StoreFolder, TextIndex, TextQuery, index_path
from councilkg.store.textindex import CLOSE_MARK, OPEN_MARK, build_text_index, fts_expression, make_snippet, parse_query

from .conftest import HOSTILE_NAME, require_shared

pytestmark = pytest.mark.shared

CROYDON = iris.council("E09000008").value
NOTTINGHAM = iris.council("E06000018").value
#: reports the search store loads: Croydon's 2017 SIF inspection and Nottingham's 2018 ILACS inspection
REPORTS = ("50004396.pdf", "50048229.pdf")
ARTICLE = iris.source("document-001-75174c0c0c656543-txt").value  # Inside Croydon, the 2019 monitoring visit
MINUTES = iris.source("document-003-bfd82640e59329f1-txt").value  # Nottingham's scrutiny committee, 30 January 2020
HOSTILE_DOC = iris.source("document-hostile-passage-txt").value
PASSAGES = ("PREFIX ckg: <https://w3id.org/councilkg/ontology#>\n"
            "SELECT ?p WHERE { ?p a ckg:Passage ; ckg:passageNumber ?n }")


def search_inputs(root: Path) -> tuple[Path, Path]:
    """A folder of two real reports and a folder of the seed documents plus one with hostile text."""
    reports, documents = root / "reports", root / "documents"
    reports.mkdir()
    for name in REPORTS:
        shutil.copy(require_shared("data", "ofsted-reports", name), reports / name)
    shutil.copytree(require_shared("seeds"), documents)
    (documents / "hostile-passage.txt").write_text(
        f"A note on private fostering in Croydon.\n\nPrivate fostering {HOSTILE_NAME} **bold** [a link](http://example.com) "
        f"{OPEN_MARK}forged{CLOSE_MARK} text.\n", encoding="utf-8")
    return reports, documents


def build_search_store(root: Path) -> Path:
    """The curated data, the authority lookup, two reports and the seed documents, in a store folder."""
    reports, documents = search_inputs(root)
    store = root / "store"
    load(StoreFolder(store), LoadPlan(lookups=[require_shared("data", "reference", "la_lookup.csv")], reports=[reports],
                                      documents=[documents]))
    return store


@pytest.fixture(scope="module")
def search_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_search_store(tmp_path_factory.mktemp("search"))


@pytest.fixture
def search_runner(search_store: Path) -> Iterator[Runner]:
    runner = Runner(EmbeddedBackend(search_store))
    yield runner
    runner.close()


# --------------------------------------------------------------------------------------------
# Reports' paragraphs
# --------------------------------------------------------------------------------------------

PAGE_ONE = """Inspection of Somewhere local authority children's services
Inspection dates: 1 to 12 May 2023
What needs to improve?
• The response to children living in private fostering arrangements, which is not yet consistently strong
enough.
1. Children and families in Somewhere have access to a wide range of timely and effective early help services
that are well coordinated, and most children receive the right help at the right time from the right people.
2. Family help assessments are holistic, child centred and well written, and children benefit from sensitive
direct work which improves their experiences.
Children in care
3. Most children in care live in stable homes."""
PAGE_TWO = """4. Care leavers are supported well by their personal advisers, who know them well and keep in touch with them
regularly, including those who live far away."""


def test_a_report_is_split_into_its_paragraphs_with_their_pages() -> None:
    pdf = PdfText((PAGE_ONE, PAGE_TWO))
    found = paragraphs(pdf)
    texts = [p.text for p in found]
    # headings (short lines that end no sentence) open the paragraph after them
    assert texts[0] == "Inspection of Somewhere local authority children's services Inspection dates: 1 to 12 May 2023"
    assert texts[1] == "What needs to improve?"
    assert texts[2] == ("• The response to children living in private fostering arrangements, which is not yet consistently "
                        "strong enough.")  # a line's break inside a paragraph is a space
    assert any(t.startswith("1. Children and families") and t.endswith("right people.") for t in texts), texts
    assert any(t.startswith("Children in care 3. Most children") for t in texts), texts
    assert [p.page for p in found if p.text.startswith("4. Care leavers")] == [2]
    assert [p.number for p in found] == list(range(1, len(found) + 1))
    for p in found:  # each span is its words in the document's text
        assert " ".join(pdf.text[p.start:p.end].split()) == p.text


def test_a_long_block_is_cut_at_sentence_ends() -> None:
    sentence = "The quality of plans for children is variable and too many are not updated when needs change. "
    found = paragraphs(PdfText((sentence * 60,)))
    assert len(found) > 1
    assert all(len(p.text) <= 2000 and p.text.endswith(".") for p in found)


def test_every_word_of_a_report_is_in_its_paragraph_passages(search_store: Path) -> None:
    store = ox.Store.read_only(str(StoreFolder(search_store).require_current()))
    graph = iris.source("ofsted-report-50004396")
    texts = [q.object.value for q in store.quads_for_pattern(None, iris.ckg.passageText, None, graph)
             if "/passage/" in q.subject.value and "-" not in q.subject.value.rsplit("/", 1)[-1]]
    assert len(texts) > 150
    words = " ".join(texts)
    assert "Ensure that appropriate assessments identify children living in private fostering arrangements." in words
    # each evidence passage is part of the paragraphs it lies in
    evidence = {q.object for q in store.quads_for_pattern(None, iris.ckg.evidence, None, graph)}
    parts = {q.subject for q in store.quads_for_pattern(None, iris.dcterms.isPartOf, None, graph)}
    assert evidence and evidence <= parts


# --------------------------------------------------------------------------------------------
# What a user types
# --------------------------------------------------------------------------------------------

QUERIES = [
    ("private fostering", '(("private") AND ("fostering"))'),
    ('"private fostering"', '(("private fostering"))'),
    ("foster*", '(("foster"*))'),
    ('"care leav"*', '(("care leav"*))'),
    ("fostering OR adoption care", '(("fostering" OR "adoption") AND ("care"))'),
    ("care -leavers", '(("care")) NOT "leavers"'),
    ('care -"care leavers"', '(("care")) NOT "care leavers"'),
    ("multi-agency", '(("multi agency"))'),
    ("Children’s NEAR( AND) \"x", '(("children s") AND ("near") AND ("and") AND ("x"))'),
]


@pytest.mark.parametrize("text, expression", QUERIES, ids=[q[0] for q in QUERIES])
def test_a_search_becomes_an_fts5_expression_with_nothing_of_its_syntax_left(text: str, expression: str) -> None:
    assert fts_expression(parse_query(text)) == expression


@pytest.mark.parametrize("text", ["", "   ", '"', "-care", "***", "x" * 301], ids=["empty", "spaces", "quote", "only-excluded",
                                                                              "stars", "too-long"])
def test_a_search_with_nothing_to_find_is_refused(text: str) -> None:
    with pytest.raises(ParameterError):
        parse_query(text)


def test_a_snippet_holds_every_word_matched_and_marks_them() -> None:
    text = ("Early help is strong. " * 20 + f"{OPEN_MARK}Private{CLOSE_MARK} arrangements are reviewed. " + "Filler words here. " * 30
            + f"{OPEN_MARK}fostering{CLOSE_MARK} is weak.")
    snippet = make_snippet(text)
    assert snippet.matches == ["Private", "fostering"]
    assert "…" in snippet.text and len(snippet.text) < 400
    near = make_snippet(f"Children in {OPEN_MARK}private{CLOSE_MARK} {OPEN_MARK}fostering{CLOSE_MARK} arrangements.")
    assert near.segments == (("Children in ", False), ("private fostering", True), (" arrangements.", False))


# --------------------------------------------------------------------------------------------
# The index and the store
# --------------------------------------------------------------------------------------------


def test_the_index_holds_exactly_the_generations_numbered_passages(search_store: Path) -> None:
    folder = StoreFolder(search_store)
    generation = folder.require_current()
    store = ox.Store.read_only(str(generation))
    in_store = {r["p"].value for r in store.query(PASSAGES, use_default_graph_as_union=True)}
    index = TextIndex(index_path(generation))
    assert index.passages() == in_store
    assert folder.manifest()["text_index"]["passages"] == len(in_store)


def test_each_generation_has_its_own_index_switched_with_it(tmp_path: Path) -> None:
    store = build_search_store(tmp_path)
    folder = StoreFolder(store)
    first = folder.require_current()
    runner = Runner(EmbeddedBackend(ReadOnlyStore(store, check_interval=3600)))  # stays on the generation it opened
    try:
        before = text_search.search(runner, "private fostering").total
        # a reader holds the first generation; a load replaces the documents with only the hostile one
        (tmp_path / "fewer").mkdir()
        shutil.copy(tmp_path / "documents" / "hostile-passage.txt", tmp_path / "fewer" / "hostile-passage.txt")
        load(folder, LoadPlan(documents=[tmp_path / "fewer"]))
        second = folder.require_current()
        assert second != first
        assert TextIndex(index_path(first)).passages() != TextIndex(index_path(second)).passages()
        # the reader is still on the first generation, and searches that generation's index
        assert text_search.search(runner, "private fostering").total == before
        assert runner.backend.generation == first
    finally:
        runner.close()
    runner = Runner(EmbeddedBackend(store))
    try:
        sources = {h.source for h in text_search.search(runner, "private fostering", limit=100).hits}
        assert ARTICLE not in sources and HOSTILE_DOC in sources  # the new generation's documents
        generation = StoreFolder(store).require_current()
        in_store = {r["p"].value for r in ox.Store.read_only(str(generation)).query(PASSAGES, use_default_graph_as_union=True)}
        assert TextIndex(index_path(generation)).passages() == in_store
    finally:
        runner.close()


def index_content(path: Path) -> tuple[list, list, list]:
    """An index's passages, links and sources as sorted rows (ids aside): equal content, equal rows."""
    db = sqlite3.connect(path)
    try:
        passages = sorted(db.execute("SELECT p.iri, s.iri, p.number, p.page, p.text FROM passage p JOIN source s ON s.id = p.source"))
        links = sorted(db.execute("SELECT p.iri, l.entity, l.label, l.relation FROM link l JOIN passage p ON p.id = l.passage"))
        sources = sorted(db.execute("SELECT iri, title, kind, year, url FROM source"))
        return passages, links, sources
    finally:
        db.close()


def test_an_index_carried_over_a_load_is_the_one_the_store_would_give(tmp_path: Path) -> None:
    """A load that adds to the store indexes the graphs it keeps from the current index, the others from their
    quads: the result is what indexing the new store's own quads gives."""
    store = build_search_store(tmp_path)
    load(StoreFolder(store), LoadPlan())  # only the curated data again: reports and documents carried over
    generation = StoreFolder(store).require_current()
    rebuilt = tmp_path / "rebuilt.sqlite"
    build_text_index(ox.Store.read_only(str(generation)), rebuilt)
    carried = index_content(index_path(generation))
    assert carried == index_content(rebuilt)
    assert len(carried[0]) > 300 and carried[1]


def test_passages_loaded_from_an_rdf_file_are_indexed(search_store: Path, tmp_path: Path) -> None:
    """Graphs an RDF file brings (an export of a store) are indexed from the store's quads, as kind ``rdf``."""
    export = tmp_path / "export.nq"
    source = ox.Store.read_only(str(StoreFolder(search_store).require_current()))
    graph = iris.source("ofsted-report-50004396")
    export.write_bytes(ox.serialize(source.quads_for_pattern(None, None, None, graph), format=ox.RdfFormat.N_QUADS))
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan(curated=None, rdf=[export], fresh=True))
    generation = folder.require_current()
    in_store = {r["p"].value for r in ox.Store.read_only(str(generation)).query(PASSAGES, use_default_graph_as_union=True)}
    index = TextIndex(index_path(generation))
    assert len(in_store) > 150 and index.passages() == in_store
    hits = index.search(TextQuery('"private fostering"', kinds=("rdf",))).hits
    assert hits and {h.source for h in hits} == {graph.value}
    assert any(link.relation == "read from" for h in hits for link in h.links)


def test_a_store_without_an_index_says_how_to_make_one(search_store: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreMissingError, match="councilkg load"):
        TextIndex(tmp_path / "nothing-here.sqlite")


def test_an_endpoint_has_no_index_and_the_message_says_what_to_do_in_sparql() -> None:
    runner = Runner(RemoteBackend("http://127.0.0.1:9/query"))
    try:
        with pytest.raises(StoreError, match="ckg:passageText"):
            text_search.search(runner, "private fostering")
    finally:
        runner.close()


# --------------------------------------------------------------------------------------------
# Searching
# --------------------------------------------------------------------------------------------


def test_private_fostering_finds_the_croydon_article_and_the_nottingham_minutes(search_runner: Runner) -> None:
    result = text_search.search(search_runner, "private fostering", limit=100)
    sources = [h.source for h in result.hits]
    assert ARTICLE in sources and MINUTES in sources
    assert result.total == len(result.hits)
    for hit in result.hits:
        lowered = hit.snippet.text.lower()
        assert "private" in lowered and "fostering" in lowered, (hit.passage, hit.snippet.text)
    ranks = [h.rank for h in result.hits]
    assert ranks == sorted(ranks)


def test_a_phrase_matches_only_the_words_together(search_runner: Runner) -> None:
    phrase = text_search.search(search_runner, '"private fostering"', limit=200)
    words = text_search.search(search_runner, "private fostering", limit=200)
    assert 0 < phrase.total <= words.total
    assert all("private fostering" in " ".join(h.snippet.text.lower().split()) for h in phrase.hits)


def test_a_prefix_finds_every_word_it_begins(search_runner: Runner) -> None:
    found = {m.lower() for h in text_search.search(search_runner, "foster*", limit=200).hits for m in h.snippet.matches}
    assert {"foster", "fostering"} <= {w for m in found for w in m.split()}


def test_filters_by_council_kind_year_and_framework(search_runner: Runner) -> None:
    croydon = text_search.search(search_runner, "private fostering", text_search.Filters(council="Croydon"), limit=100)
    assert croydon.hits and all(CROYDON in h.authorities for h in croydon.hits)
    assert ARTICLE in {h.source for h in croydon.hits} and MINUTES not in {h.source for h in croydon.hits}
    documents = text_search.search(search_runner, "private fostering", text_search.Filters(kinds=("documents",)), limit=100)
    assert {h.kind for h in documents.hits} == {"documents"}
    year = text_search.search(search_runner, "private fostering", text_search.Filters(years="2020"), limit=100)
    assert MINUTES in {h.source for h in year.hits} and {h.year for h in year.hits} == {2020}
    sif = text_search.search(search_runner, "private fostering", text_search.Filters(framework="SIF"), limit=100)
    # the 2017 report, and the article, whose curated facts include that inspection
    assert {h.source for h in sif.hits} == {iris.source("ofsted-report-50004396").value, ARTICLE}
    assert all("sif" in h.frameworks for h in sif.hits)
    ilacs = text_search.search(search_runner, "private fostering",
                               text_search.Filters(council=NOTTINGHAM, framework="ilacs", years="2018-2019"), limit=100)
    assert {h.source for h in ilacs.hits} == {iris.source("ofsted-report-50048229").value}


@pytest.mark.parametrize("filters, name", [(text_search.Filters(council="Nowhere At All"), "council"),
                                           (text_search.Filters(framework="XYZ"), "framework"),
                                           (text_search.Filters(years="last year"), "year")], ids=["council", "framework", "year"])
def test_an_unknown_filter_is_an_error_naming_it(search_runner: Runner, filters: text_search.Filters, name: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter {name}"):
        text_search.search(search_runner, "care", filters)


def test_a_hit_links_its_source_page_and_the_facts_read_from_it(search_runner: Runner) -> None:
    hits = text_search.search(search_runner, '"appropriate assessments identify children living in private fostering"').hits
    assert len(hits) == 1
    hit = hits[0]
    assert (hit.source, hit.kind, hit.year, hit.page) == (iris.source("ofsted-report-50004396").value, "reports", 2017, 8)
    assert hit.url == "https://files.ofsted.gov.uk/v1/file/50004396"
    recommendation = iris.entity("recommendation", "ofsted-report-50004396-16").value
    assert ("read from", recommendation) in {(link.relation, link.iri) for link in hit.links}


def test_a_document_passage_links_the_councils_it_mentions(search_runner: Runner) -> None:
    hits = text_search.search(search_runner, '"note on private fostering"').hits
    assert [h.source for h in hits] == [HOSTILE_DOC]
    assert ("mentions", CROYDON) in {(link.relation, link.iri) for link in hits[0].links}


def test_forged_marks_in_the_data_mark_nothing(search_runner: Runner) -> None:
    hits = text_search.search(search_runner, "forged").hits
    assert [h.source for h in hits] == [HOSTILE_DOC]
    assert hits[0].snippet.matches == ["forged"]
    assert OPEN_MARK not in hits[0].snippet.text and CLOSE_MARK not in hits[0].snippet.text


def test_results_come_in_pages(search_runner: Runner) -> None:
    every = text_search.search(search_runner, "children", limit=30).hits
    pages = text_search.search(search_runner, "children", limit=10).hits + \
        text_search.search(search_runner, "children", limit=10, offset=10).hits + \
        text_search.search(search_runner, "children", limit=10, offset=20).hits
    assert [h.passage for h in pages] == [h.passage for h in every]


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def test_cli_search_with_a_council(search_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "private fostering", "--council", "Croydon", "--store", str(search_store)]) == 0
    out, err = capsys.readouterr()
    assert "Ofsted finds" in out and "«private fostering»" in out
    assert "Nottingham City" not in out
    assert "passage(s) match" in err


def test_cli_search_as_json(search_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", '"private fostering"', "--kind", "documents", "--year", "2019-2020", "--format", "json",
                 "--store", str(search_store)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {h["source"] for h in data["hits"]} == {ARTICLE, MINUTES}
    assert all("private fostering" in " ".join(h["snippet"].lower().split()) for h in data["hits"])


def test_cli_search_prints_no_control_characters_from_the_data(search_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "forged", "--store", str(search_store)]) == 0
    out = capsys.readouterr().out
    assert "«forged»" in out and OPEN_MARK not in out and CLOSE_MARK not in out and "\x1b" not in out


def test_cli_search_refuses_a_bad_search(search_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--store", str(search_store), "--", "-care"]) == 1
    assert "give at least one word" in capsys.readouterr().err
