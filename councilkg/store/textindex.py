"""The store's text index: the words of every passage in SQLite FTS5, built with each store generation.

Passages (``ckg:Passage``, with ``ckg:passageText``) are in the graph, where SPARQL reads them; this index is
for finding words in them quickly. It is a file inside the generation's folder (``INDEX_FILE``), written by
``build_text_index`` from the finished generation's own quads before the generation is published, so a store
and its index are switched together by the one rename that publishes them and never disagree. It is opened
read-only (SQLite's ``immutable``: the file never changes once published).

What is indexed, for each passage:

- its words, tokenized by FTS5's ``unicode61`` (case and diacritics aside, no stemming: a word matches only
  itself, so the words a search highlights are the words it was given; ``foster*`` asks for the variants);
- its number, page and source; the source's title, kind (as the loads graph records it: ``documents``,
  ``reports``, ...), year, authorities and frameworks (``SourceFacts``), for filtering;
- the entities it links to: those it ``ckg:mentions``, and the facts its own source's graph read from it (the
  facts whose ``ckg:evidence`` is it, or a passage that ``dcterms:isPartOf`` it: a report's judgements,
  recommendations, team).

A passage without a ``ckg:passageNumber`` (an Ofsted report's evidence passage: a span inside its numbered
paragraphs) is not indexed on its own when its source has numbered passages: its words are found in theirs.

``TextIndex.search`` answers a ``TextQuery`` (see ``parse_query`` for what a user may type: words, "phrases",
prefixes*, OR, -exclusions) with ranked hits (FTS5's bm25), each with a snippet in which the matched words are
marked (``Snippet``: segments of text, never markup).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from councilkg.errors import ParameterError, StoreError, StoreMissingError
from councilkg.model.iris import RDF_TYPE, ckg, dcterms, rdfs
from councilkg.store.graphs import RDF_FILE_KIND, GraphPayload, loaded_sources

INDEX_FILE = "textindex.sqlite"
SCHEMA_VERSION = "1"
#: the tokenizer: words as Unicode letters and digits, case and diacritics folded, not stemmed
TOKENIZER = "unicode61 remove_diacritics 2"
#: the characters that mark a match in highlighted text (removed from the text indexed, so data cannot forge them)
OPEN_MARK, CLOSE_MARK = "\x02", "\x03"
#: a search's words: at most this many terms and characters
MAX_TERMS = 16
MAX_QUERY_CHARS = 300
#: characters of context a snippet shows around its matches
SNIPPET_CHARS = 240
FRAGMENT_CONTEXT = 60
MAX_FRAGMENTS = 3
_WORD = re.compile(r"\w+")
_YEAR = re.compile(r"^(\d{4})")


def index_path(generation: Path) -> Path:
    """Where a generation's text index is."""
    return Path(generation) / INDEX_FILE


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStats:
    """What a build of the index wrote and how long it took."""

    passages: int
    sources: int
    links: int
    seconds: float
    bytes: int

    def manifest(self) -> dict[str, int | float | str]:
        """The entry the generation's manifest records."""
        return {"file": INDEX_FILE, "passages": self.passages, "sources": self.sources, "links": self.links,
                "seconds": round(self.seconds, 3), "bytes": self.bytes, "schema": SCHEMA_VERSION}


@dataclass
class SourceFacts:
    """What filters see of a source: its title, kind, year, link, authorities (IRIs) and frameworks (names).

    - year: the source's ``dcterms:date`` or ``dcterms:issued``; else its curated twin's (the curated source with
      ``ckg:sameDocumentAs`` it); else its inspection's publication or fieldwork start;
    - authorities: the inspected authority of the inspection it is about (``dcterms:subject``: a report's), of the
      inspections its curated twin's graph describes, and every council its passages mention;
    - frameworks: those of the same inspections (``ckg:framework``, or their inspection type's).
    """

    title: str = ""
    kind: str = ""
    year: int | None = None
    url: str = ""
    authorities: set[str] = field(default_factory=set)
    frameworks: set[str] = field(default_factory=set)


def _values(store: ox.Store, predicate: ox.NamedNode, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
    return store.quads_for_pattern(None, predicate, None, graph)


def _first(store: ox.Store, subject: ox.NamedNode, *predicates: ox.NamedNode, graph: ox.NamedNode | None = None) -> str:
    for predicate in predicates:
        for quad in store.quads_for_pattern(subject, predicate, None, graph):
            return quad.object.value
    return ""


def _year(value: str) -> int | None:
    match = _YEAR.match(value)
    return int(match.group(1)) if match else None


def _clean(text: str) -> str:
    return text.replace(OPEN_MARK, " ").replace(CLOSE_MARK, " ")


def _source_facts(store: ox.Store, source: ox.NamedNode, kind: str, twins: dict[ox.NamedNode, ox.NamedNode],
                  councils: set[ox.NamedNode]) -> SourceFacts:
    facts = SourceFacts(kind=kind)
    facts.title = _first(store, source, dcterms.title, rdfs.label, graph=source) or _first(store, source, rdfs.label)
    facts.url = _first(store, source, rdfs.seeAlso, graph=source)
    inspections = [q.object for q in store.quads_for_pattern(source, dcterms.subject, None, None)
                   if isinstance(q.object, ox.NamedNode)]
    twin = twins.get(source)
    date = _first(store, source, dcterms.date, dcterms.issued, graph=source)
    if twin is not None:
        date = date or _first(store, twin, dcterms.date, dcterms.issued, graph=twin)
        inspections += [q.subject for q in store.quads_for_pattern(None, ckg.inspectedAuthority, None, twin)
                        if isinstance(q.subject, ox.NamedNode)]
    for inspection in inspections:
        date = date or _first(store, inspection, ckg.publicationDate, ckg.fieldworkStart)
        facts.authorities.update(q.object.value for q in store.quads_for_pattern(inspection, ckg.inspectedAuthority, None, None))
        frameworks = {q.object for q in store.quads_for_pattern(inspection, ckg.framework, None, None)}
        for itype in store.quads_for_pattern(inspection, ckg.inspectionType, None, None):
            frameworks.update(q.object for q in store.quads_for_pattern(itype.object, ckg.framework, None, None))
        facts.frameworks.update(f.value.rsplit("/", 1)[-1] for f in frameworks)
    facts.authorities.update(c.value for c in councils)
    facts.year = _year(date)
    return facts


@dataclass(eq=False)
class _Passage:
    source: ox.NamedNode
    text: str
    number: int | None = None
    page: int | None = None
    links: dict[str, str] = field(default_factory=dict)  # entity IRI -> how it is linked ("mentions", "read from")


#: the predicates a graph's passages are read from
PASSAGE_PREDICATES = (ckg.passageText, ckg.passageNumber, ckg.pageNumber, dcterms.isPartOf, ckg.evidence, ckg.mentions,
                      rdfs.label)
Quads = dict[ox.NamedNode, list[ox.Quad]]  # predicate -> quads


def _by_predicate(quads: Iterable[ox.Quad]) -> Quads:
    """The quads with a predicate in PASSAGE_PREDICATES, by predicate."""
    wanted: Quads = {p: [] for p in PASSAGE_PREDICATES}
    for quad in quads:
        bucket = wanted.get(quad.predicate)
        if bucket is not None:
            bucket.append(quad)
    return wanted


def _integers(quads: list[ox.Quad], passages: dict[ox.NamedNode, _Passage], attribute: str) -> None:
    for quad in quads:
        passage = passages.get(quad.subject)  # type: ignore[arg-type]
        if passage is not None:
            with contextlib.suppress(ValueError):
                setattr(passage, attribute, int(quad.object.value))


def _passages_of(quads: Quads) -> dict[ox.NamedNode, _Passage]:
    """The passages to index in these quads (see the module docstring), with number, page and links. A passage's
    source is the graph holding its text (``ckg:passageOf`` names the same one, in every loader's graphs), and
    everything it takes from the quads is in that graph, so a graph's passages depend on its quads alone."""
    passages: dict[ox.NamedNode, _Passage] = {}
    for quad in quads[ckg.passageText]:
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.graph_name, ox.NamedNode):
            passages.setdefault(quad.subject, _Passage(quad.graph_name, _clean(quad.object.value)))
    _integers(quads[ckg.passageNumber], passages, "number")
    _integers(quads[ckg.pageNumber], passages, "page")
    numbered = {p.source for p in passages.values() if p.number is not None}
    within = {node: p for node, p in passages.items() if p.number is None and p.source in numbered}
    for node in within:
        del passages[node]
    # the paragraphs a passage within numbered ones is part of: the facts read from it are linked from them
    parts: dict[ox.NamedNode, list[_Passage]] = {}
    for quad in quads[dcterms.isPartOf]:
        whole = passages.get(quad.object)  # type: ignore[arg-type]
        part = within.get(quad.subject)  # type: ignore[arg-type]
        if whole is not None and part is not None and part.source == whole.source == quad.graph_name:
            parts.setdefault(quad.subject, []).append(whole)  # type: ignore[arg-type]
    for quad in quads[ckg.evidence]:
        evidence = quad.object
        source = (within.get(evidence) or passages.get(evidence) or _NOWHERE).source  # type: ignore[arg-type]
        if quad.graph_name != source:
            continue  # a candidate fact (its own graph) is a proposal, not a fact of the source
        for passage in parts.get(evidence, []) if evidence in within else [passages[evidence]]:  # type: ignore[index]
            passage.links.setdefault(quad.subject.value, "read from")
    for quad in quads[ckg.mentions]:
        passage = passages.get(quad.subject)  # type: ignore[arg-type]
        if passage is not None and quad.graph_name == passage.source:
            passage.links[quad.object.value] = "mentions"
    return passages


_NOWHERE = _Passage(ox.NamedNode("urn:councilkg:nowhere"), "")


def _previous_passages(previous: Path | None, graphs: set[ox.NamedNode]) -> dict[ox.NamedNode, _Passage] | None:
    """The passages of these graphs as a previous index holds them, or None when there is no usable one."""
    if previous is None or not previous.is_file():
        return None
    try:
        db = sqlite3.connect(f"{previous.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return None
    try:
        if db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() != (SCHEMA_VERSION,):
            return None
        wanted = {g.value for g in graphs}
        passages: dict[ox.NamedNode, _Passage] = {}
        by_id: dict[int, _Passage] = {}
        for pid, iri, source, number, page, text in db.execute(
                "SELECT p.id, p.iri, s.iri, p.number, p.page, p.text FROM passage p JOIN source s ON s.id = p.source"):
            if source in wanted:
                by_id[pid] = passages[ox.NamedNode(iri)] = _Passage(ox.NamedNode(source), text, number, page)
        for pid, entity, relation in db.execute("SELECT passage, entity, relation FROM link"):
            if pid in by_id:
                by_id[pid].links[entity] = relation
        return passages
    except sqlite3.Error:
        return None
    finally:
        db.close()


def build_text_index(store: ox.Store, path: Path, payloads: Iterable[GraphPayload] = (), previous: Path | None = None,
                     unchanged: Iterable[ox.NamedNode] = ()) -> IndexStats:
    """Write the text index of the store's passages to path (replacing it).

    Each graph's passages are read from the quads it holds (``_passages_of``): those of ``payloads`` (graphs the
    caller has just written to the store, whose quads are these) in memory; those of the ``unchanged`` graphs
    (carried from the generation the ``previous`` index was built with, unchanged) from that index; every other
    graph's from the store. What a passage's source is (its title, kind, year, authorities, frameworks) is read
    from the store, and so are the labels of the entities linked that the payloads do not give (an entity's label is
    the one the passage's own source gives it, else the first of its labels in alphabetical order)."""
    started = time.monotonic()
    path = Path(path)
    payloads = list(payloads)
    written = {p.graph for p in payloads}
    in_memory = _by_predicate(q for p in payloads for q in p.quads)
    passages = _passages_of(in_memory)
    kept = set(unchanged) - written
    reused = _previous_passages(previous, kept)
    if reused is not None:
        passages.update(reused)
    # the graphs with passages that are neither just written nor taken from the previous index (an RDF file's, or
    # every carried one where there is no previous index)
    rest = [g for g in store.named_graphs() if g not in written and (reused is None or g not in kept)
            and next(iter(store.quads_for_pattern(None, ckg.passageText, None, g)), None) is not None]
    for graph in rest:
        passages.update(_passages_of(_by_predicate(store.quads_for_pattern(None, None, None, graph))))
    # an entity's label: the one the passage's own source gives it, else the first of its labels in order
    labels: dict[tuple[str, ox.NamedNode], str] = {}
    for q in in_memory[rdfs.label]:
        key = (q.subject.value, q.graph_name)
        labels[key] = min(labels.get(key, q.object.value), q.object.value)
    kinds = loaded_sources(store)
    twins = {q.object: q.subject for q in _values(store, ckg.sameDocumentAs)
             if isinstance(q.object, ox.NamedNode) and isinstance(q.subject, ox.NamedNode)}
    council_nodes = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ckg.LocalAuthority, None)}
    councils: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for p in passages.values():
        councils.setdefault(p.source, set()).update(ox.NamedNode(e) for e, how in p.links.items()
                                                    if how == "mentions" and ox.NamedNode(e) in council_nodes)
    # a graph the loads graph does not record yet is an RDF file's (recorded once the store is compacted)
    sources = {source: _source_facts(store, source, kinds.get(source, RDF_FILE_KIND), twins, found)
               for source, found in councils.items()}
    for p in passages.values():
        for entity in p.links:
            if (entity, p.source) not in labels:
                node = ox.NamedNode(entity)
                labels[entity, p.source] = min(
                    (q.object.value for q in store.quads_for_pattern(node, rdfs.label, None, p.source)),
                    default=None) or min((q.object.value for q in store.quads_for_pattern(node, rdfs.label, None, None)),
                                         default=entity.rsplit("/", 1)[-1])
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.executescript(f"""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE source(id INTEGER PRIMARY KEY, iri TEXT UNIQUE, title TEXT, kind TEXT, year INTEGER, url TEXT,
                                first_passage INTEGER, last_passage INTEGER);
            CREATE TABLE source_authority(source INTEGER, authority TEXT);
            CREATE TABLE source_framework(source INTEGER, framework TEXT);
            CREATE TABLE passage(id INTEGER PRIMARY KEY, iri TEXT, source INTEGER, number INTEGER, page INTEGER, text TEXT);
            CREATE TABLE link(passage INTEGER, entity TEXT, label TEXT, relation TEXT);
            CREATE VIRTUAL TABLE passage_text USING fts5(text, content='passage', content_rowid='id', tokenize='{TOKENIZER}');
        """)
        # sources by kind, then year: a kind, or a kind's years, is one run of ids, and so of passage ids (see search)
        ids = {source: n for n, source in enumerate(sorted(sources, key=lambda s: (sources[s].kind, sources[s].year or 0,
                                                                                   s.value)), 1)}
        db.executemany("INSERT INTO source_authority VALUES (?, ?)",
                       ((ids[s], a) for s, f in sources.items() for a in sorted(f.authorities)))
        db.executemany("INSERT INTO source_framework VALUES (?, ?)",
                       ((ids[s], fw) for s, f in sources.items() for fw in sorted(f.frameworks)))
        ordered = sorted(passages.items(), key=lambda item: (ids[item[1].source], item[1].number or 0, item[0].value))
        spans: dict[ox.NamedNode, list[int]] = {}
        for n, (_node, p) in enumerate(ordered, 1):
            spans.setdefault(p.source, [n, n])[1] = n
        db.executemany("INSERT INTO source VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       ((ids[s], s.value, f.title, f.kind, f.year, f.url, *spans[s]) for s, f in sources.items()))
        db.executemany("INSERT INTO passage VALUES (?, ?, ?, ?, ?, ?)",
                       ((n, node.value, ids[p.source], p.number, p.page, p.text) for n, (node, p) in enumerate(ordered, 1)))
        db.executemany("INSERT INTO link VALUES (?, ?, ?, ?)",
                       ((n, entity, labels[entity, p.source], how) for n, (_node, p) in enumerate(ordered, 1)
                        for entity, how in sorted(p.links.items())))
        db.execute("CREATE INDEX link_passage ON link(passage)")
        db.execute("CREATE INDEX source_authority_source ON source_authority(authority, source)")
        db.execute("CREATE INDEX source_framework_source ON source_framework(framework, source)")
        db.execute("INSERT INTO passage_text(passage_text) VALUES ('rebuild')")
        db.execute("INSERT INTO passage_text(passage_text) VALUES ('optimize')")
        db.executemany("INSERT INTO meta VALUES (?, ?)", (("schema", SCHEMA_VERSION), ("passages", str(len(ordered)))))
        db.commit()
        links = db.execute("SELECT count(*) FROM link").fetchone()[0]
    finally:
        db.close()
    os.replace(tmp, path)
    return IndexStats(len(passages), len(sources), links, time.monotonic() - started, path.stat().st_size)


# --------------------------------------------------------------------------------------------
# What a user types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One term of a search: words that must be next to each other (one word, or a phrase), a prefix when the last
    is one, and whether it must be absent or may be one of several (``any_of`` with the term before it)."""

    words: tuple[str, ...]
    prefix: bool = False
    excluded: bool = False
    or_previous: bool = False

    def fts(self) -> str:
        """The term in FTS5's query syntax: its words as a quoted string (nothing in it is syntax)."""
        return '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")


_TOKEN = re.compile(r'(-?)"([^"]*)"(\*?)|(\S+)')


def parse_query(text: str) -> list[Term]:
    """A user's search as terms. Words must all be there; "quoted words" as a phrase; ``word*`` any word beginning so
    (``foster*``: fostering, fostered); ``OR`` between two terms either; ``-word`` or ``-"a phrase"`` must be absent.
    Punctuation within a word splits it as the index does ("multi-agency" is the phrase "multi agency").
    Raises ParameterError when nothing is left to search for."""
    if len(text) > MAX_QUERY_CHARS:
        raise ParameterError("text", f"the search is {len(text)} characters long; give at most {MAX_QUERY_CHARS}")
    terms: list[Term] = []
    pending_or = False
    for m in _TOKEN.finditer(text):
        if m.group(4) == "OR":
            pending_or = bool(terms) and not terms[-1].excluded
            continue
        if m.group(4) is not None:
            raw = m.group(4)
            excluded = raw.startswith("-") and len(raw) > 1
            prefix = raw.endswith("*")
            words = tuple(w.lower() for w in _WORD.findall(raw))
        else:
            excluded, prefix = m.group(1) == "-", m.group(3) == "*"
            words = tuple(w.lower() for w in _WORD.findall(m.group(2)))
        if not words:
            continue
        if len(terms) >= MAX_TERMS:
            raise ParameterError("text", f"the search has more than {MAX_TERMS} terms")
        terms.append(Term(words, prefix, excluded, pending_or and not excluded))
        pending_or = False
    if not any(not t.excluded for t in terms):
        raise ParameterError("text", "give at least one word to search for (not only words to leave out)")
    return terms


def fts_expression(terms: list[Term]) -> str:
    """The terms as one FTS5 MATCH expression: groups of OR'd terms ANDed, then the excluded terms NOTed."""
    groups: list[list[Term]] = []
    for term in (t for t in terms if not t.excluded):
        if term.or_previous and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
    wanted = " AND ".join("(" + " OR ".join(t.fts() for t in group) + ")" for group in groups)
    excluded = [t.fts() for t in terms if t.excluded]
    return f"({wanted})" + "".join(f" NOT {e}" for e in excluded)


# --------------------------------------------------------------------------------------------
# Searching
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextQuery:
    """A search: its words (``parse_query``'s syntax) and filters. ``authorities`` are council IRIs, ``kinds``
    source kinds (``documents``, ``reports``, ...), ``frameworks`` framework names (``sif``, ``ilacs``, ...);
    a passage passes a filter when its source has any of the values given. ``years`` is an inclusive range."""

    text: str
    authorities: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Snippet:
    """Words of a passage around its matches, as (text, matched) segments: the matched ones are to be shown marked.
    The text is the data's own, to be shown as text."""

    segments: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(text for text, _matched in self.segments)

    @property
    def matches(self) -> list[str]:
        return [text for text, matched in self.segments if matched]


@dataclass(frozen=True)
class Link:
    """An entity a passage links to: its IRI, label and how (``mentions``, or ``read from``: a fact read from it)."""

    iri: str
    label: str
    relation: str


@dataclass(frozen=True)
class TextHit:
    """A passage that matched: where it is (source, page, number), its snippet, links and rank (lower is better)."""

    passage: str
    source: str
    source_title: str
    kind: str
    year: int | None
    url: str
    number: int | None
    page: int | None
    snippet: Snippet
    links: tuple[Link, ...]
    rank: float
    authorities: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextResult:
    """A page of hits, the number of passages that matched in all, and the search as FTS5 was given it."""

    hits: list[TextHit]
    total: int
    expression: str
    seconds: float


def _marked(highlighted: str) -> list[tuple[int, int]]:
    """Spans (in the text without its marks) of the matches FTS5's highlight() marked, those only whitespace apart
    joined."""
    spans, plain, at = [], [], 0
    for piece in re.split(f"({OPEN_MARK}|{CLOSE_MARK})", highlighted):
        if piece == OPEN_MARK:
            spans.append([at, at])
        elif piece == CLOSE_MARK:
            if spans:
                spans[-1][1] = at
        else:
            plain.append(piece)
            at += len(piece)
    plain_text = "".join(plain)
    merged: list[tuple[int, int]] = []
    for a, b in ((a, b) for a, b in spans if b > a):
        if merged and not plain_text[merged[-1][1]:a].strip():
            merged[-1] = (merged[-1][0], b)  # "private" "fostering" next to each other: one match
        else:
            merged.append((a, b))
    return merged


def _window(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """A window of about width characters of text around [start, end), its ends moved to word boundaries."""
    spare = max(0, width - (end - start))
    a, b = max(0, start - spare // 2), min(len(text), end + spare - spare // 2)
    if a > 0:
        space = text.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    if b < len(text):
        space = text.rfind(" ", end, b)
        b = space if space >= 0 else b
    return a, b


def make_snippet(highlighted: str, width: int = SNIPPET_CHARS) -> Snippet:
    """The part of a passage to show: the shortest stretch holding each distinct matched word, with context; where
    that is longer than width, one fragment around each distinct match (up to MAX_FRAGMENTS), joined by "…"."""
    plain = highlighted.replace(OPEN_MARK, "").replace(CLOSE_MARK, "")
    spans = _marked(highlighted)
    if not spans:
        a, b = _window(plain, 0, 0, width)
        return Snippet(((plain[a:b] + ("…" if b < len(plain) else ""), False),))
    distinct = {plain[a:b].lower() for a, b in spans}
    best: tuple[int, int] | None = None
    for i in range(len(spans)):  # the shortest run of spans holding every distinct match
        seen: set[str] = set()
        for j in range(i, len(spans)):
            seen.add(plain[spans[j][0]:spans[j][1]].lower())
            if seen == distinct:
                if best is None or spans[j][1] - spans[i][0] < best[1] - best[0]:
                    best = (spans[i][0], spans[j][1])
                break
    assert best is not None
    if best[1] - best[0] <= width:
        windows = [_window(plain, best[0], best[1], width)]
    else:
        firsts: dict[str, tuple[int, int]] = {}
        for a, b in spans:
            firsts.setdefault(plain[a:b].lower(), (a, b))
        windows = [_window(plain, a, b, 2 * FRAGMENT_CONTEXT + (b - a)) for a, b in sorted(firsts.values())[:MAX_FRAGMENTS]]
    segments: list[tuple[str, bool]] = []
    for n, (a, b) in enumerate(windows):
        if n > 0 or a > 0:
            segments.append(("…", False))
        at = a
        for s, e in spans:
            if e <= a or s >= b:
                continue
            s, e = max(s, a), min(e, b)
            if s > at:
                segments.append((plain[at:s], False))
            segments.append((plain[s:e], True))
            at = e
        if b > at:
            segments.append((plain[at:b], False))
    if windows[-1][1] < len(plain):
        segments.append(("…", False))
    return Snippet(tuple(segments))


class TextIndex:
    """A generation's text index, opened read-only."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise StoreMissingError(
                f"The store at {self.path.parent} has no text index ({INDEX_FILE}): it was built before councilkg "
                "indexed passages, or is a plain Oxigraph store. Rebuild it with `councilkg load` to search its text.")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the text index {self.path}: {exc}. Rebuild it with `councilkg load`.") from None
        try:
            yield db
        finally:
            db.close()

    def count(self) -> int:
        """How many passages the index holds."""
        with self._connect() as db:
            return db.execute("SELECT count(*) FROM passage").fetchone()[0]

    def passages(self) -> set[str]:
        """The IRIs of the passages the index holds."""
        with self._connect() as db:
            return {row[0] for row in db.execute("SELECT iri FROM passage")}

    def facets(self) -> dict[str, list[str]]:
        """The values the filters can take: source kinds, frameworks and years present."""
        with self._connect() as db:
            return {"kinds": [r[0] for r in db.execute("SELECT DISTINCT kind FROM source ORDER BY kind")],
                    "frameworks": [r[0] for r in db.execute("SELECT DISTINCT framework FROM source_framework ORDER BY 1")],
                    "years": [str(r[0]) for r in db.execute("SELECT DISTINCT year FROM source WHERE year IS NOT NULL ORDER BY 1")]}

    def search(self, query: TextQuery) -> TextResult:
        """The passages matching the query, best first (bm25), ``query.limit`` of them from ``query.offset``.

        The filters choose sources, and so runs of passage ids (a source's passages are one run, and sources are
        numbered by kind and year, so that the runs of a kind or of years join up); each run is searched on its
        own (FTS5 reads only that stretch of each word's list) and the best of all kept. Every score is bm25 over
        the whole index, so the runs' scores compare."""
        started = time.monotonic()
        expression = fts_expression(parse_query(query.text))
        first, last = query.years or (None, None)
        wanted = query.offset + max(0, query.limit)
        with self._connect() as db:
            runs = _runs(db.execute(_SOURCES, {"authorities": _json_list(query.authorities), "kinds": _json_list(query.kinds),
                                               "frameworks": _json_list(query.frameworks), "first": first,
                                               "last": last}).fetchall())
            total, scored = 0, []
            try:
                for low, high in runs:
                    bounds = {"match": expression, "low": low, "high": high}
                    total += db.execute(_COUNT, bounds).fetchone()[0]
                    scored += db.execute(_BEST, {**bounds, "limit": wanted}).fetchall()
            except sqlite3.OperationalError as exc:
                raise ParameterError("text", f"cannot search for {query.text!r}: {exc}") from None
            best = sorted(scored, key=lambda row: (row[1], row[0]))[query.offset:wanted]
            ids = json.dumps([row[0] for row in best])
            rows = {row[0]: row for row in db.execute(_HITS, {"ids": ids})}
            highlighted = dict(db.execute(_HIGHLIGHTS, {"match": expression, "open": OPEN_MARK, "close": CLOSE_MARK,
                                                        "ids": ids}).fetchall())
            links: dict[int, list[Link]] = {}
            for passage, entity, label, relation in db.execute(_LINKS, {"ids": ids}):
                links.setdefault(passage, []).append(Link(entity, label, relation))
            sources = json.dumps(sorted({row[4] for row in rows.values()}))
            authorities: dict[int, list[str]] = {}
            frameworks: dict[int, list[str]] = {}
            for sql, into in ((_AUTHORITIES, authorities), (_FRAMEWORKS, frameworks)):
                for source, value in db.execute(sql, {"ids": sources}):
                    into.setdefault(source, []).append(value)
        hits = []
        for pid, score in best:
            _id, iri, number, page, sid, source, title, kind, year, url = rows[pid]
            hits.append(TextHit(iri, source, title, kind, year, url, number, page, make_snippet(highlighted.get(pid, "")),
                                tuple(links.get(pid, ())), score, tuple(authorities.get(sid, ())), tuple(frameworks.get(sid, ()))))
        return TextResult(hits, total, expression, time.monotonic() - started)


def _runs(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Runs of passage ids (first, last) joined where one ends just before the next begins."""
    runs: list[tuple[int, int]] = []
    for low, high in sorted(spans):
        if runs and low <= runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], max(high, runs[-1][1]))
        else:
            runs.append((low, high))
    return runs


def _json_list(values: tuple[str, ...]) -> str | None:
    """Filter values as the JSON list the queries read with json_each; None (no filter) when there are none."""
    return json.dumps(list(values)) if values else None


# The index's queries: constant SQL, every value a named parameter. A filter whose parameter is NULL passes every
# source; lists (council IRIs, kinds, frameworks, ids) are JSON lists read with json_each.
_SOURCES = """
    SELECT first_passage, last_passage FROM source s
    WHERE (:authorities IS NULL OR s.id IN (SELECT source FROM source_authority
                                           WHERE authority IN (SELECT value FROM json_each(:authorities))))
      AND (:frameworks IS NULL OR s.id IN (SELECT source FROM source_framework
                                          WHERE framework IN (SELECT value FROM json_each(:frameworks))))
      AND (:kinds IS NULL OR s.kind IN (SELECT value FROM json_each(:kinds)))
      AND (:first IS NULL OR s.year BETWEEN :first AND :last)"""
_COUNT = "SELECT count(*) FROM passage_text WHERE passage_text MATCH :match AND rowid BETWEEN :low AND :high"
_BEST = """SELECT rowid, bm25(passage_text) AS score FROM passage_text
           WHERE passage_text MATCH :match AND rowid BETWEEN :low AND :high ORDER BY score, rowid LIMIT :limit"""
_HITS = """SELECT p.id, p.iri, p.number, p.page, s.id, s.iri, s.title, s.kind, s.year, s.url
           FROM passage p JOIN source s ON s.id = p.source WHERE p.id IN (SELECT value FROM json_each(:ids))"""
_HIGHLIGHTS = """SELECT rowid, highlight(passage_text, 0, :open, :close) FROM passage_text
                 WHERE passage_text MATCH :match AND rowid IN (SELECT value FROM json_each(:ids))"""
_LINKS = """SELECT passage, entity, label, relation FROM link WHERE passage IN (SELECT value FROM json_each(:ids))
            ORDER BY passage, relation, label"""
_AUTHORITIES = """SELECT source, authority FROM source_authority WHERE source IN (SELECT value FROM json_each(:ids))
                  ORDER BY 1, 2"""
_FRAMEWORKS = """SELECT source, framework FROM source_framework WHERE source IN (SELECT value FROM json_each(:ids))
                 ORDER BY 1, 2"""
