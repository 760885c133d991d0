"""Documents as sources: passages, mentions of known entities, and candidate facts with evidence.

``councilkg load --documents DIR`` reads the PDF, plain-text, Markdown and HTML files in DIR (council
agenda-item and minutes pages, committee reports, inspection letters, news articles). Each file:

1. becomes a source (``ckg:Source``, ``ckg:SourceDocument``) in its own named graph, with its
   title, type, date and meeting where the text states them, its file name and a content hash;
2. is split into passages (paragraphs) with their number and character offsets in the
   normalised text (HTML tags removed, entities decoded, line ends unified);
3. has each passage linked (``ckg:mentions``) to the councils, people and boards whose names or
   name variants the graph already holds. A person is matched only by a full name of two or more
   words, and a name that belongs to more than one node is not linked;
4. yields candidate facts (``ckg:CandidateFact``: a job title next to a known person's name, a
   judgement table row, inspection and visit dates, a monitoring visit's number and focus, people
   credited for work), each
   with its passage and a confidence, in a separate graph per document (kind ``candidates``),
   never mixed with the curated facts.

A document's graphs are named after its file name, so loading a changed file again replaces them.

A file that is empty, binary, larger than MAX_BYTES or not text in any encoding tried, a PDF that is damaged,
encrypted or a saved web page (``councilkg.sources.pdf``), and anything but a regular file inside the folder (a
link, a device, a pipe) is skipped with a warning naming it; the other files load. A PDF's passages carry
their page number.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode, Quad

from councilkg.errors import LoadError
from councilkg.model import concepts, iris
from councilkg.model.dates import MONTH_PATTERN, MONTHS
from councilkg.model.iris import RDF_TYPE, ckg, dcterms, rdfs, skos, xsd
from councilkg.sources import councilprose
from councilkg.sources.folders import regular_files
from councilkg.sources.kind import GraphKind, Inputs, Option, Reading, SourceKind
from councilkg.sources.pdf import PdfError, PdfText, read_pdf
from councilkg.store import GraphPayload

#: the kinds of graph a document's passages and mentions, and the facts proposed from it, go in
DOCUMENTS = GraphKind("documents", order=40)
CANDIDATES = GraphKind("candidates", order=70)  # after every kind of fact: proposals, not facts
MAX_BYTES = 5_000_000
#: a folder's list of where its files were published (columns file, url): a page's address may say whose it is
ADDRESSES = "sources.csv"
#: the labels of a web address that say nothing of whose site it is, and what may follow a council's name in one
ADDRESS_WORDS = frozenset("www www3 gov uk com org net co democracy moderngov councillors minutes governance media news".split())
ADDRESS_SUFFIXES = ("", "sites", "council", "cc", "gov")
SUFFIXES = {".pdf", ".txt", ".md", ".markdown", ".html", ".htm"}
ENCODINGS = ("utf-8", "utf-16", "cp1252")
BOILERPLATE = {"home > agenda item", "agenda item", "local democracy", "issue - meetings", "minutes:", "decision:"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10}
TITLE_WORDS = r"(?:Executive Director|Corporate Director|Strategic Director|Director|Cabinet Member|Chief Executive|Commissioner|" \
              r"Chair|Leader|Head of|Assistant Director|Deputy Director|Lead Member|Portfolio Holder)"
# the head noun of a post's title as prose writes it ("an independent chair", "a commissioner")
_TITLE_NOUN = r"(?:commissioner|chair(?:man|woman|person)?|director|chief executive|leader|cabinet member|lead member|" \
              r"portfolio holder|head of [\w’' &-]+?)"
Progress = Callable[[str], None]
#: characters of a candidate's value its label shows
CANDIDATE_LABEL_VALUE = 60
# what the loader needs to know of the graph: types, names and variants, and curated sources' file names
NAME_PREDICATES = (RDF_TYPE, rdfs.label, skos.altLabel, iris.foaf.name, ckg.fileName, iris.org.subOrganizationOf,
                   iris.org.linkedTo, iris.org.member, iris.org.organization, ckg.inspectedAuthority, ckg.fieldworkStart,
                   ckg.fieldworkEnd, ckg.publicationDate)
#: the words of a name that says what kind of body it is, not which one ("LSCB", "Improvement Board")
GENERIC_WORDS = frozenset("""local safeguarding children children's childrens child board boards lscb scb improvement
    partnership partnerships the and of for services service social care transformation panel committee executive
    trust scrutiny multi agency multi-agency council authority corporate parenting strategic group""".split())
#: the space between two words of one name: spaces, or a line's end inside a paragraph (not a blank line)
GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"
#: a UK postcode: a line with one is an address ("Piccadilly Gate, Store Street, Manchester M1 2WD")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
#: capitalised words before an authority's name that do not make it part of another name
NAME_OPENERS = frozenset("The In At For And Of By With From To On As Inspection London Royal Borough City County".split())
#: words before a place's name that make another place of it, even opening a sentence ("Greater Manchester is ...")
PLACE_QUALIFIERS = frozenset("Greater North South East West Central Inner Outer Mid".split())
#: bodies named "... of" a place, which are not its council ("the University of Essex", "the Diocese of Leeds")
BODIES_OF = ("University", "College", "Diocese", "Archdiocese", "Bishop", "Duchy", "Port", "Church", "Museum", "Hospitals?",
             "Trust", "Chamber")
#: capitalised words after an authority's name that do not make it part of another name
NAME_FOLLOWERS = frozenset("""Council County Borough City Metropolitan District Unitary Children's Children Safeguarding Local
    Improvement Cabinet Scrutiny Ofsted""".split())
#: the share of a document's mentions of councils that make one council the one it is about
DOMINANT = 0.6
#: how far into a document its own heading names the authority it is about
HEADING_CHARS = 1500
#: words after an authority's name that make it the name of that council or its services ("Herefordshire Council",
#: "Reading’s Lead Councillor", "Haringey Children’s Services", "Slough Local Safeguarding Children Board", "Rochdale borough")
STATED_AFTER = re.compile(r"['’](?:s\b|\s)|\s+(?:(?:County|Borough|City|Metropolitan Borough|District)\s+)?Council\b|\s+(?:[Ll]ocal "
                          r"[Aa]uthority|[Cc]hildren['’]?s\s+(?:[Ss]ervices?|[Ss]ocial [Cc]are|[Tt]rust)|(?:Local\s+)?Safeguarding\s+"
                          r"Children|[Bb]orough\b|Children First|Ofsted)")
#: words before an authority's name that make it the place the services are for ("inspection of Leeds", "children’s
#: services in Leeds", "Children’s social care in Middlesbrough")
STATED_BEFORE = re.compile(r"(?i)(?:inspection\s+of|children['’]s\s+(?:social care\s+)?services\s+in|social care\s+in|"
                           r"services\s+for\s+children\s+in|children\s+in|Mayor\s+of)\s+(?:the\s+)?$")
#: a sentence about a person's career elsewhere ("he was previously a Director of Children Services in Kent")
ELSEWHERE = re.compile(r"(?i)\b(?:previously|formerly|former|prior to|before joining|went on to|moved to)\b")


@dataclass
class Passage:
    number: int
    start: int
    end: int
    text: str
    node: NamedNode = field(default=None)  # type: ignore[assignment]


@dataclass(frozen=True)
class NameMatch:
    """A name the graph knows, found in a passage: its node (None when several nodes have it), where it is in the
    document's text, and whether it is written as a name."""

    passage: Passage
    name: str
    node: NamedNode | None
    start: int
    end: int
    written: bool


@dataclass
class NameIndex:
    """Known names (normalised) -> nodes, and each node's kind; built from quads the graph already holds."""

    names: dict[str, set[NamedNode]] = field(default_factory=dict)
    kinds: dict[NamedNode, str] = field(default_factory=dict)
    generic: set[str] = field(default_factory=set)  # names that say only what kind of body a board is
    council_of: dict[NamedNode, NamedNode] = field(default_factory=dict)  # a board -> the council it belongs to
    files: dict[str, NamedNode] = field(default_factory=dict)  # curated sources by file name
    councils_of: dict[NamedNode, set[NamedNode]] = field(default_factory=dict)  # a person -> the councils they served
    inspections: dict[NamedNode, list[tuple[NamedNode, str]]] = field(default_factory=dict)  # council -> (inspection, date)
    initialisms: dict[str, NamedNode] = field(default_factory=dict)  # "B&NES" -> Bath and North East Somerset

    @classmethod
    def from_quads(cls, quads: Iterable[Quad]) -> NameIndex:
        index = cls()
        labels: list[tuple[NamedNode, str]] = []
        members: dict[object, set[NamedNode]] = {}
        held_at: dict[object, set[NamedNode]] = {}
        inspected: dict[object, NamedNode] = {}
        dated: dict[object, set[str]] = {}
        for q in quads:
            if q.predicate == RDF_TYPE and isinstance(q.subject, NamedNode):
                kind = {iris.foaf.Person: "person", ckg.LocalAuthority: "council", ckg.Board: "board"}.get(q.object)
                if kind:
                    index.kinds[q.subject] = kind
            elif q.predicate in (rdfs.label, skos.altLabel, iris.foaf.name) and isinstance(q.subject, NamedNode):
                labels.append((q.subject, q.object.value))
            elif q.predicate == ckg.fileName and isinstance(q.subject, NamedNode):
                index.files[q.object.value] = q.subject
            elif q.predicate in (iris.org.subOrganizationOf, iris.org.linkedTo) and isinstance(q.object, NamedNode):
                index.council_of.setdefault(q.subject, q.object)
            elif q.predicate == iris.org.member and isinstance(q.object, NamedNode):
                members.setdefault(q.subject, set()).add(q.object)
            elif q.predicate == iris.org.organization and isinstance(q.object, NamedNode):
                held_at.setdefault(q.subject, set()).add(q.object)
            elif q.predicate == ckg.inspectedAuthority and isinstance(q.object, NamedNode):
                inspected[q.subject] = q.object
            elif q.predicate in (ckg.fieldworkStart, ckg.fieldworkEnd, ckg.publicationDate):
                dated.setdefault(q.subject, set()).add(q.object.value)
        shared: set[str] = set()
        for node, label in labels:
            for short in initialisms(label) if index.kinds.get(node) == "council" else ():
                if index.initialisms.setdefault(short, node) != node:
                    shared.add(short)
        for short in shared:
            del index.initialisms[short]  # initials two councils share say neither
        for node, label in labels:
            kind = index.kinds.get(node)
            if kind is None or (kind == "person" and len(label.split()) < 2) or len(label) < 4:
                continue
            index.names.setdefault(_norm(label), set()).add(node)
            if kind == "board" and (set(re.findall(r"[\w'’-]+", _norm(label))) <= GENERIC_WORDS
                                    or re.fullmatch(r"[A-Z]{2,6}", label)):
                # a name that says only what kind of body it is, or initials ("CSCB": Croydon's board, or Coventry's)
                index.generic.add(_norm(label))
        # a board belongs to the council it is part of, or (through its parent) to that council's
        for board in list(index.council_of):
            parent = index.council_of[board]
            if index.kinds.get(parent) != "council" and parent in index.council_of:
                index.council_of[board] = index.council_of[parent]
        # who served which council: a membership of the council, or of one of its boards and committees
        for membership, people in members.items():
            for organisation in held_at.get(membership, ()):
                council = organisation if index.kinds.get(organisation) == "council" else index.council_of.get(organisation)
                for person in people if council is not None else ():
                    index.councils_of.setdefault(person, set()).add(council)
        for inspection, council in inspected.items():
            for day in dated.get(inspection, ()):
                index.inspections.setdefault(council, []).append((inspection, day))
        return index

    def names_in(self, passages: list[Passage], text: str, pattern: re.Pattern[str] | None) -> list[NameMatch]:
        """Every name the graph knows in the passages (one pass of the names' pattern over each), with its node when
        one node alone has it, and whether it is written as a name (an authority: see ``proper_noun``, ``in_address``)."""
        found: list[NameMatch] = []
        for p in passages if pattern is not None else []:
            chunk = text[p.start:p.end]
            for m in pattern.finditer(_norm_keep_offsets(chunk)):
                nodes = self.names.get(m.group(1), set())
                node = next(iter(nodes)) if len(nodes) == 1 else None
                written = self.kinds.get(node) != "council" or (proper_noun(chunk, m.start(), m.end())
                                                                and not in_address(chunk, m.start()))
                found.append(NameMatch(p, m.group(1), node, p.start + m.start(), p.start + m.end(), written))
        return found

    def about(self, found: list[NameMatch]) -> NamedNode | None:
        """The council a document is about, from the names in it (``names_in``): the one council its heading (first
        lines) names; else the council it names most, when that is at least two mentions and DOMINANT of all its
        mentions of councils (a page about Bury that mentions Manchester is about Bury); else None."""
        councils = [(m.start, m.node) for m in found if m.written and m.node is not None and self.kinds.get(m.node) == "council"]
        heading = {node for start, node in councils if start < HEADING_CHARS}
        if len(heading) == 1:
            return next(iter(heading))
        counts = Counter(node for _start, node in councils)
        if not counts:
            return None
        council, n = counts.most_common(1)[0]
        return council if n >= 2 and n >= DOMINANT * sum(counts.values()) else None

    def stated_authority(self, found: list[NameMatch], text: str) -> tuple[NamedNode, NameMatch] | None:
        """The authority a document says it is about, from its own words, with the mention that says so; None when it
        does not say. A mention says so when the name is written as that council's or its services' (STATED_AFTER,
        STATED_BEFORE: "Herefordshire Council", "Reading’s", "children’s services in Leeds") or heads the document;
        else, when no mention does, the one authority it names (outside an account of a person's career elsewhere:
        "previously a Director of Children Services in Kent"). Stricter than ``about``: never the council merely
        named most, and never one of two or more named as councils."""
        councils = [m for m in found if m.written and m.node is not None and self.kinds.get(m.node) == "council"]
        first_line = re.search(r"\S[^\n]*", text)
        heading_end = first_line.end() if first_line else 0
        stated: list[NameMatch] = []
        bare: list[NameMatch] = []
        for m in councils:
            begin, finish = _sentence_around(text, m.start, m.end)
            if ELSEWHERE.search(text, begin, finish):
                continue
            if m.start < heading_end or STATED_AFTER.match(text, m.end) or STATED_BEFORE.search(text[max(0, m.start - 40):m.start]):
                stated.append(m)
            else:
                bare.append(m)
        if not stated and not bare:
            bare = self._initialisms_in(text)
        chosen = stated or bare
        nodes = {m.node for m in chosen}
        if len(nodes) != 1:
            counts = Counter(m.node for m in stated)
            if not counts:
                return None
            (council, n), = counts.most_common(1)
            if n < DOMINANT * sum(counts.values()) or n < 2:
                return None
            chosen = [m for m in stated if m.node == council]
        assert chosen[0].node is not None
        return chosen[0].node, chosen[0]

    def _initialisms_in(self, text: str) -> list[NameMatch]:
        """Mentions of councils by their initials ("B&NES"), written as a word of their own in capitals."""
        found = []
        for short, node in self.initialisms.items():
            for m in re.finditer(rf"(?<![\w&]){re.escape(short)}(?![\w&])", text):
                begin, finish = _sentence_around(text, m.start(), m.end())
                if not ELSEWHERE.search(text, begin, finish):
                    found.append(NameMatch(Passage(0, 0, len(text), ""), short, node, m.start(), m.end(), True))
        return found

    def council_at_address(self, url: str) -> NamedNode | None:
        """The council whose site a web address is on: a label of its host that is the council's name written together
        ("moderngov.cheshireeast.gov.uk", "www.southampton.gov.uk"), perhaps with a site's suffix
        ("moderngov.southwarksites.com"); None when no label, or more than one council, fits."""
        host = (urlsplit(url).hostname or "").lower()
        squashed: dict[str, set[NamedNode]] = {}
        for name, nodes in self.names.items():
            for node in nodes:
                if self.kinds.get(node) == "council":
                    squashed.setdefault(re.sub(r"[^a-z]", "", name), set()).add(node)
        fits: set[NamedNode] = set()
        for label in host.split("."):
            if label in ADDRESS_WORDS:
                continue
            for suffix in ADDRESS_SUFFIXES:
                if label.endswith(suffix) and len(label) > len(suffix):
                    fits |= squashed.get(label[:len(label) - len(suffix)], set())
        return next(iter(fits)) if len(fits) == 1 else None

    def councils_named(self, words: str, pattern: re.Pattern[str] | None) -> set[NamedNode]:
        """The councils a phrase names as names ("Essex County Council Leader", "Director of Children Services in Kent")."""
        found = set()
        for m in pattern.finditer(_norm_keep_offsets(words)) if pattern is not None else ():
            nodes = self.names.get(m.group(1), set())
            if len(nodes) == 1 and self.kinds.get(node := next(iter(nodes))) == "council" and proper_noun(words, m.start(), m.end()):
                found.add(node)
        return found

    def person_at(self, name: str, council: NamedNode | None) -> NamedNode | None:
        """The person the graph holds with this full name who served this council, when there is exactly one."""
        if council is None:
            return None
        people = {n for n in self.names.get(_norm(councilprose.display_name(name)), set()) if self.kinds.get(n) == "person"
                  and council in self.councils_of.get(n, set())}
        return next(iter(people)) if len(people) == 1 else None

    def inspection_for(self, council: NamedNode | None, when: str | None) -> NamedNode | None:
        """The graph's one inspection of the council dated (fieldwork or publication) within ``when``: a year, a month,
        a day, or a "start/end" range of days; None when none or several fit, or the year is not known ("--02-13")."""
        if council is None or not when or when.startswith("--"):
            return None
        start, _, end = when.partition("/")
        fits = {inspection for inspection, day in self.inspections.get(council, ())
                if (start <= day <= end if end and end != start else day.startswith(start))}
        return next(iter(fits)) if len(fits) == 1 else None

    def pattern(self) -> re.Pattern[str] | None:
        if not self.names:
            return None
        alternatives = sorted(self.names, key=len, reverse=True)
        return re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])")


def initialisms(name: str) -> list[str]:
    """The initials a council of three words or more is written with: "Bath and North East Somerset" -> "B&NES" and
    "BNES", "North East Lincolnshire" -> "NEL", "Bournemouth, Christchurch and Poole" -> "BCP"; none for shorter names
    ("Barking and Dagenham": "B&D" says too little)."""
    words = re.findall(r"[A-Za-z]+", name)
    significant = [w for w in words if w[0].isupper()]
    if len(significant) < 3:
        return []
    plain = "".join(w[0] for w in significant)
    out = [plain]
    if "and" in words:
        at = words.index("and")
        before = "".join(w[0] for w in words[:at] if w[0].isupper())
        after = "".join(w[0] for w in words[at + 1:] if w[0].isupper())
        out.append(f"{before}&{after}")
    return out


#: a line at least this long that ends without a full stop is prose wrapped onto the next line, not a heading
WRAPPED_LINE = 50


def _wrapped(text: str, newline: int) -> bool:
    """Whether the line that ends at ``newline`` (an offset of a line break) is prose wrapped onto the next line."""
    line = text[text.rfind("\n", 0, newline) + 1:newline].rstrip()
    return len(line) >= WRAPPED_LINE and not line.endswith((".", ":", "!", "?"))


def proper_noun(text: str, start: int, end: int) -> bool:
    """Whether the words text[start:end] are written as a name: each begins with a capital; not part of a longer
    name ("Greater Manchester", "Kent Police", "Wiltshire police"); and a one-word name ending in -ing does not open
    a sentence ("Reading the case files" is not Reading)."""
    words = text[start:end].split()
    if not words or not all(w[0].isupper() or w.lower() in ("and", "of", "upon", "on", "the", "with", "in") for w in words):
        return False
    if len(words) == 1 and words[0].lower().endswith("ing"):
        # a one-word name that is also a verb's -ing form opens a sentence as the verb ("Reading the case files")
        before = text[max(0, start - 3):start]
        if start == 0 or re.search(r"(?:[.!?:]\s+|\n\s*|•\s*)$", before) or text[start - 1:start] == "\n":
            return False
    # part of a longer name: "Greater Manchester", "Kent Police", "Manchester Airport", the two words perhaps on two
    # lines of a report's text ("adopted by Greater\nManchester local authorities")
    previous = re.search(rf"([A-Z][\w’'-]*){GAP}$", text[max(0, start - 30):start])
    if previous and "\n" in previous.group(0) and not _wrapped(text, text.rfind("\n", 0, start)):
        previous = None  # the word ends a heading or a short line ("Kingston upon Hull" above "Inspection of ...")
    if previous and (previous.group(1) in PLACE_QUALIFIERS or (
            previous.group(1) not in NAME_OPENERS and not re.search(rf"[.!?:]\s+\S+{GAP}$", text[max(0, start - 30):start]))):
        return False
    following = re.match(rf"{GAP}([A-Z][\w’'-]*)", text[end:end + 30])
    if following and "\n" in following.group(0) and not _wrapped(text, text.find("\n", end)):
        following = None  # the name ends a heading or a short line: the next line starts something else
    if following and following.group(1).replace("’", "'").removesuffix("'s") not in NAME_FOLLOWERS:
        return False
    # a body whose name ends in the place's, or an area about it: "the University of Essex", "a pan-Lancashire plan"
    if re.search(rf"(?:\b(?:{'|'.join(BODIES_OF)}){GAP}of{GAP}|\bpan-)$", text[max(0, start - 30):start]):
        return False
    # another body named after the place: "Wiltshire police", "Norfolk and Suffolk NHS", "the Southwark judgement",
    # "Rotherham, Doncaster and South Humberside NHS Foundation Trust"
    return not re.match(rf"(?:,?{GAP}[A-Z][\w’'-]*)*?(?:{GAP}and(?:{GAP}[A-Z][\w’'-]*)+)?{GAP}"
                        r"(?i:police|constabulary|nhs|ccg|clinical|university|hospital|fire|judgement|airport|college)\b",
                        text[end:end + 80])


def in_address(text: str, start: int) -> bool:
    """Whether the offset is in an address block: on a line with a postcode, or on one of the three before it."""
    line_start = text.rfind("\n", 0, start) + 1
    end = line_start
    for _ in range(4):  # this line and the three after it
        end = text.find("\n", end + 1)
        if end < 0:
            end = len(text)
            break
    return bool(POSTCODE.search(text, line_start, end))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip().lower()


# --------------------------------------------------------------------------------------------
# Reading a file
# --------------------------------------------------------------------------------------------


def read_text(path: Path) -> tuple[str | None, str | None]:
    """(normalised text, None) or (None, why the file is skipped)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, f"cannot read it: {exc.strerror}"
    if size == 0:
        return None, "it is empty"
    if size > MAX_BYTES:
        return None, f"it is {size / 1e6:.1f} MB, more than the {MAX_BYTES / 1e6:.0f} MB a document may be"
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "it is binary, not text"
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything; kept for safety
        return None, "it is not text in UTF-8, UTF-16 or Windows-1252"
    if sum(1 for c in text[:4096] if not (c.isprintable() or c in "\n\r\t")) > 0.1 * min(len(text), 4096):
        return None, "it does not look like text (too many control characters)"
    return normalise(text, html_like=path.suffix.lower() in (".html", ".htm") or "<b>" in text or "<p>" in text), None


def normalise(text: str, html_like: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if html_like:
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", text)
        text = re.sub(r"(?i)<br\s*/?>|</p>|</li>|</tr>|</h\d>", "\n", text)
        text = re.sub(r"(?i)<li\b[^>]*>", "\n", text)
        text = re.sub(r"<[^>]+>", "", text)
        text = html.unescape(text)
    text = text.replace("\u00a0", " ").replace("\ufffd", "")
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)  # Markdown bold
    return text


def passages(text: str) -> list[Passage]:
    """Paragraphs: runs of non-blank lines, with their offsets in text."""
    out: list[Passage] = []
    for match in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        chunk = match.group(0)
        if chunk.strip():
            out.append(Passage(len(out) + 1, match.start(), match.end(), chunk))
    return out


# --------------------------------------------------------------------------------------------
# Metadata and candidate facts
# --------------------------------------------------------------------------------------------

_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = f"({MONTH_PATTERN})"
_DATE = rf"{_DAY}\s+{_MONTH}\s+(\d{{4}})"
_RANGE = rf"{_DAY}\s+(?:{_MONTH}\s+)?(?:(\d{{4}})\s+)?(?:to|-|–|and)\s+(?:the\s+)?{_DAY}\s+{_MONTH}\s+(\d{{4}})"


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(int(year), MONTHS[month.lower()], int(day)).isoformat()
    except (ValueError, KeyError):
        return None


def metadata(text: str, name: str) -> dict[str, str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = next((line for line in lines if _norm(line) not in BOILERPLATE and len(line) > 3), name)
    subject = re.search(r"SUBJECT:\s*([^\n\t]+)", text)
    meta = {"title": (subject.group(1).strip() if subject else title)[:300]}
    meeting = re.search(r"Meeting:\s*(\d{2})/(\d{2})/(\d{4})\s*-\s*([^\n(]+)", text)
    report = re.search(rf"REPORT TO:\s*([^\n]+?)\s+{_DATE}", text)
    if meeting:
        meta["date"] = f"{meeting.group(3)}-{meeting.group(2)}-{meeting.group(1)}"
        meta["meeting"] = meeting.group(4).strip()
        meta["type"] = "agenda-item"
    elif report:
        meta["meeting"] = report.group(1).strip()
        meta["date"] = _iso(report.group(2), report.group(3), report.group(4)) or ""
        meta["type"] = "committee-report"
    elif re.search(r"(?m)^Agenda item$", text):
        meta["type"] = "agenda-item"
    else:
        meta["type"] = "news-article" if len(lines) > 3 and not re.search(r"(?i)\bminutes:", text) else "other"
    return {k: v for k, v in meta.items() if v}


_STOP = re.compile(r"[.!?](?=\s)|\n")
#: the longest a sentence is read around a match (a longer one is cut there, so each match costs a bounded read)
SENTENCE_REACH = 2000


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` holding text[start:end] (at most SENTENCE_REACH either side)."""
    lo = max(0, start - SENTENCE_REACH)
    stops = [m.end() for m in _STOP.finditer(text, lo, start)]
    after = _STOP.search(text, end, end + SENTENCE_REACH)
    return (stops[-1] if stops else lo), (after.end() if after else min(len(text), end + SENTENCE_REACH))


def excerpt(text: str, *needles: str, width: int = 300) -> str:
    """``width`` characters of ``text`` (whitespace collapsed) around the first needle found in it,
    with an ellipsis where it is cut: the words a reviewer needs to check a candidate."""
    flat = " ".join(text.split())
    if len(flat) <= width:
        return flat
    lowered = flat.lower()
    at = next((i for n in needles if n and (i := lowered.find(" ".join(n.split()).lower())) >= 0), 0)
    start = max(0, min(at - width // 3, len(flat) - width))
    end = start + width
    return ("…" if start else "") + flat[start:end].strip() + ("…" if end < len(flat) else "")


@dataclass
class Candidate:
    kind: str
    value: str
    passage: Passage
    confidence: float
    subject: NamedNode | None = None
    detail: str = ""
    organisation: NamedNode | str | None = None  # where a post is held: the authority's node, or a body as written
    date: str = ""  # when the document places it: a judgement's year, a post's start
    names: tuple[str, ...] = ()  # a new candidate person's name, then the names it is written with


#: how sure each kind of candidate from council prose is, by the kind of rule that found it
PROSE_CONFIDENCE = {"person-post": 0.8, "stated-judgement": 0.75, "visit": 0.75, "authority": 0.9, "address": 0.6,
                    "decision": 0.7, "intervention": 0.7}


def _passage_at(found: list[Passage], offset: int) -> Passage:
    """The passage holding a character offset of the document's text (the last one starting at or before it)."""
    at = bisect.bisect_right([p.start for p in found], offset) - 1
    return found[max(at, 0)]


def prose_candidates(text: str, found: list[Passage], index: NameIndex, pattern: re.Pattern[str] | None,
                     authority: NamedNode | None, document_slug: str, wrapped: bool = False,
                     dated: str | None = None) -> list[Candidate]:
    """What council prose states (``councilprose``): people and their posts, grades, inspections and visits, as
    candidates. A post is the authority's (its node as the organisation) unless its title names another body; a post
    whose words name another authority is left out; a person is the graph's when it holds the same full name at the
    same authority, else one new candidate person per name (honorifics and suffixes aside) and authority. A post's
    date is its start where the sentence states one ("from 2025-01"), else the date the document is of (``dated``, or
    the date its top line gives): the post as at then. Decisions (RESOLVED …) and interventions (a commissioner, a
    statutory direction, an improvement notice or board) follow, once each."""
    placed = dated or councilprose.document_date(text) or ""
    out: list[Candidate] = []
    owner = authority.value.rsplit("/", 1)[-1].lower() if authority is not None else f"in-{document_slug}"
    for post in councilprose.posts_in(text):
        named = index.councils_named(f"{post.title} {post.organisation or ''}", pattern)
        if named - ({authority} if authority is not None else set()):
            continue  # "a Director of Children Services in Kent" in a page about Gloucestershire
        first = _norm(councilprose.display_name(post.name).split()[0])
        if any(index.kinds.get(n) in ("council", "board") for n in index.names.get(first, ())):
            continue  # "Wandsworth Youth Mayor": a place, not a person
        person = index.person_at(post.name, authority)
        names: tuple[str, ...] = ()
        if person is None:
            label = councilprose.display_name(post.name)
            person = iris.entity("candidate-person", f"{owner}-{iris.slugify(post.key) or 'unnamed'}")
            names = (label, post.name) if post.name != label else (label,)
        organisation: NamedNode | str | None = post.organisation if post.organisation else authority
        out.append(Candidate("person-post", post.title, _passage_at(found, post.start), PROSE_CONFIDENCE["person-post"],
                             person, post.role, organisation, f"from {post.began}" if post.began else placed, names))
    for j in councilprose.judgements_in(text, wrapped):
        year = str(j.year) if j.year else ""
        out.append(Candidate("stated-judgement", j.grade, _passage_at(found, j.start), PROSE_CONFIDENCE["stated-judgement"],
                             index.inspection_for(authority, year), j.area, date=year))
    for v in councilprose.visits_in(text):
        when = f"{v.start_date}/{v.end_date}" if v.end_date != v.start_date else v.start_date
        detail = v.kind + (f" {v.number}" if v.number else "")
        out.append(Candidate("visit", when, _passage_at(found, v.start), PROSE_CONFIDENCE["visit"],
                             index.inspection_for(authority, when), detail))
    seen: set[str] = set()
    for d in councilprose.decisions_in(text):
        if d.value not in seen:
            seen.add(d.value)
            out.append(Candidate("decision", d.value[:600], _passage_at(found, d.start), PROSE_CONFIDENCE["decision"], authority,
                                 date=placed))
    for i in councilprose.interventions_in(text):
        out.append(Candidate("intervention", i.value, _passage_at(found, i.start), PROSE_CONFIDENCE["intervention"], authority,
                             date=str(i.year) if i.year else ""))
    return out


def extract(found: list[Passage], mentions: dict[int, list[tuple[NamedNode, str, int, int]]], index: NameIndex) -> list[Candidate]:
    out: list[Candidate] = []
    for p in found:
        # a known person followed by a job title: "Barbara Peacock Executive Director (People)",
        # "Helen Blackman, Director of Children's Integrated Services"
        for node, _label, _start, end in mentions.get(p.number, []):
            if index.kinds.get(node) != "person":
                continue
            after = p.text[end - p.start:]
            title = re.match(rf"\s*,?\s*(?:the\s+)?({TITLE_WORDS}[^\n.;:]*)", after)
            if title:
                value = re.split(r",?\s+(?:presented|thanked|said|who|was|is|has|will)\b|\t", title.group(1))[0].strip(" ,")
                out.append(Candidate("post", value[:120], p, 0.8, node))
        # a title just before a known person: "appointed a commissioner, Eleanor Brazil", "chaired by
        # an independent chair, Edwina Grant OBE"
        for node, _label, start, _end in mentions.get(p.number, []):
            if index.kinds.get(node) != "person":
                continue
            before = re.search(rf"(?i)\b(?:a|an|the)\s+(?:new\s+)?((?:[\w’'&-]+\s+){{0,3}}?{_TITLE_NOUN})\s*,\s*$",
                               p.text[max(0, start - p.start - 80):start - p.start])
            if before:
                out.append(Candidate("post", before.group(1), p, 0.7, node))
        # "... since he took up the post of executive director": the one person the sentence names
        for took in re.finditer(r"(?i)\b(?:took up|taken up|appointed to|started in) the (?:post|role|position) of\s+([^,.;:\n]+?)"
                                r"(?=\s+(?:at|in|for|with|on|from|since|after)\b|[,.;:\n]|$)", p.text):
            begin, finish = _sentence_around(p.text, took.start(), took.end())
            people = {node for node, _l, start, _e in mentions.get(p.number, [])
                      if index.kinds.get(node) == "person" and begin <= start - p.start < finish}
            if len(people) == 1:
                out.append(Candidate("post", took.group(1).strip(), p, 0.6, next(iter(people))))
        # people credited: a known person named after "thanked", "highlighted the work of", "praise", ...
        credit = re.search(r"(?i)\b(thanked|thanks to|highlighted (?:the |to )?work of|praised|praise|congratulated|commended)\b", p.text)
        if credit:
            for node, _label, start, _end in mentions.get(p.number, []):
                if index.kinds.get(node) == "person" and start - p.start > credit.start():
                    clause = p.text[credit.start():credit.start() + 160].split(". ")[0]
                    out.append(Candidate("credit", clause.strip(), p, 0.6, node))
        # a judgement table row: "<area> <tab> <grade>"
        for line in p.text.splitlines():
            cells = [c.strip() for c in re.split(r"\t+|\s{3,}", line) if c.strip()]
            if len(cells) == 2:
                area_text = re.sub(r"^\d+(?:\.\d+)*\.?\s*", "", cells[0])
                area = concepts.match("judgement-area", area_text)
                grade = concepts.match("grade", cells[1])
                if area and grade:
                    out.append(Candidate("judgement", grade.name, p, 0.9, detail=area.name))
        overall = re.search(r"(?i)overall judgement[^.]*?\bare\s+(inadequate|requires improvement|good|outstanding)", p.text)
        if overall:
            out.append(Candidate("judgement", overall.group(1).lower().replace(" ", "-"), p, 0.7, detail="overall"))
        # dates of an inspection or visit
        for m in re.finditer(rf"(?i)(inspection|visits?|re-inspection)[^.]*?(?:from|on|between)\s+(?:the\s+)?{_RANGE}", p.text):
            start = _iso(m.group(2), m.group(3) or m.group(6), m.group(4) or m.group(7))
            end = _iso(m.group(5), m.group(6), m.group(7))
            if start and end:
                out.append(Candidate("fieldwork", f"{start}/{end}", p, 0.75, detail=m.group(1).lower()))
                out.append(Candidate("fieldwork-end", end, p, 0.75, detail=m.group(1).lower()))
        for m in re.finditer(rf"(?i)(?:concluded|ended)\s+on\s+(?:the\s+)?{_DATE}", p.text):
            day = _iso(m.group(1), m.group(2), m.group(3))
            if day:
                out.append(Candidate("fieldwork-end", day, p, 0.7))
        published = (rf"(?i)published\s+(?:by Ofsted\s+|on Ofsted[’']s website\s+)?on\s+(?:the\s+)?{_DATE}"
                     rf"|\bOn\s+{_DATE},?\s+Ofsted\s+published")
        for m in re.finditer(published, p.text):
            if m.group(1) is None:
                m = re.search(_DATE, m.group(0))  # the second form
            day = _iso(m.group(1), m.group(2), m.group(3))
            if day:
                out.append(Candidate("publication-date", day, p, 0.8))
        ordinal = "|".join(ORDINALS)
        visit = re.search(rf"(?i)\bthe\s+({ordinal})\b[^.]{{0,40}}monitoring visit", p.text)
        if visit:
            out.append(Candidate("visit-number", str(ORDINALS[visit.group(1).lower()]), p, 0.8))
        focus = re.search(r"(?i)focus of the monitoring visit was (?:around |on )?([^.\n]+)", p.text)
        if focus:
            out.append(Candidate("visit-focus", focus.group(1).strip(), p, 0.7))
        # "this focused on certain aspects of the department's work – X", "The previous visit, ..., looked at X",
        # in a passage about a visit ("it looked at the budget" in a finance item is not a visit's focus)
        about_a_visit = re.search(r"(?i)\bvisits?\b", p.text)
        focused = (r"(?i)\b(?:visits?|this|it)\b(?:[^.\n]{0,60}?,)?\s+(?:focus(?:s|ed|sed) on|looked at)\s+"
                   r"(?:(?:certain )?aspects of [^–—:.\n]{0,60}[–—:]\s*)?([^.\n]+)")
        for m in re.finditer(focused, p.text) if about_a_visit else []:
            if focus is None or m.group(1).strip() != focus.group(1).strip():
                out.append(Candidate("visit-focus", m.group(1).strip(), p, 0.6))
    return out


# --------------------------------------------------------------------------------------------
# Loading a folder
# --------------------------------------------------------------------------------------------


def _lit(value: object, datatype: NamedNode | None = None) -> Literal:
    return Literal(str(value), datatype=datatype) if datatype else Literal(str(value))


def linked(names: list[NameMatch], index: NameIndex, about: NamedNode | None) -> list[NameMatch]:
    """The names a document's passages are linked to (``ckg:mentions``): those one node alone has, written as a name,
    and a name that only says what kind of body a board is ("the LSCB") only when it is that body of the council
    the document is ``about``."""
    return [m for m in names
            if m.node is not None and m.written  # not a name several nodes share; "reading"; "Manchester M1 2WD"
            and (m.name not in index.generic or (about is not None and index.council_of.get(m.node) == about))]


def load_document(path: Path, text: str, index: NameIndex, pattern: re.Pattern[str] | None,
                  pages: PdfText | None = None, address: str | None = None) -> list[GraphPayload]:
    """The document's graph and its candidates' graph. ``address``: where the file was published, when its folder
    says (``ADDRESSES``); it gives the authority a document is about only when the document's own words do not."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    slug = iris.slugify(path.name)[:80] or "document"
    graph = iris.source(f"document-{slug}")
    candidates_graph = iris.source(f"document-{slug}-candidates")
    quads: list[Quad] = []
    candidates: list[Quad] = []

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        quads.append(Quad(s, p, o, graph))

    meta = metadata(text, path.name)
    for cls in (ckg.Source, ckg.SourceDocument, iris.prov.Entity):
        add(graph, RDF_TYPE, cls)
    add(graph, rdfs.label, _lit(meta["title"]))
    add(graph, dcterms.title, _lit(meta["title"]))
    add(graph, ckg.fileName, _lit(path.name))
    add(graph, ckg.documentType, iris.concept("document-type", meta.get("type", "other")))
    if meta.get("date"):
        add(graph, dcterms.date, _lit(meta["date"], xsd.date))
    if meta.get("meeting"):
        add(graph, dcterms.description, _lit(f"Meeting: {meta['meeting']}"))
    curated = index.files.get(path.name)
    if curated is not None:
        add(curated, ckg.sameDocumentAs, graph)
    found = passages(text)
    names = index.names_in(found, text, pattern)
    about = index.about(names)
    mentions: dict[int, list[tuple[NamedNode, str, int, int]]] = {}
    for p in found:
        p.node = NamedNode(f"{graph.value}/passage/{p.number}")
        add(p.node, RDF_TYPE, ckg.Passage)
        add(p.node, rdfs.label, _lit(f"{meta['title']}, passage {p.number}"))
        add(p.node, ckg.passageOf, graph)
        add(p.node, ckg.passageNumber, _lit(p.number, xsd.integer))
        add(p.node, ckg.startOffset, _lit(p.start, xsd.integer))
        add(p.node, ckg.endOffset, _lit(p.end, xsd.integer))
        if pages is not None:
            add(p.node, ckg.pageNumber, _lit(pages.page_at(p.start), xsd.integer))
        add(p.node, ckg.passageText, _lit(p.text))
    for m in linked(names, index, about):
        mentions.setdefault(m.passage.number, []).append((m.node, m.name, m.start, m.end))
        add(m.passage.node, ckg.mentions, m.node)
    stated = index.stated_authority(names, text)
    authority = stated[0] if stated else (index.council_at_address(address) if address else None)
    proposals = extract(found, mentions, index)
    if authority is not None:
        evidence = _passage_at(found, stated[1].start) if stated else found[0]
        said = text[stated[1].start:stated[1].end] if stated else f"address: {urlsplit(address or '').hostname}"
        proposals.append(Candidate("authority", authority.value.rsplit("/", 1)[-1], evidence,
                                   PROSE_CONFIDENCE["authority"] if stated else PROSE_CONFIDENCE["address"], authority, said))
    proposals += prose_candidates(text, found, index, pattern, authority, slug, wrapped=pages is not None,
                                  dated=meta.get("date"))
    for n, c in enumerate(proposals):
        node = NamedNode(f"{graph.value}/candidate/{n + 1}")
        value = c.value if len(c.value) <= CANDIDATE_LABEL_VALUE else c.value[:CANDIDATE_LABEL_VALUE - 1] + "…"
        for s, pr, o in ((node, RDF_TYPE, ckg.CandidateFact), (node, rdfs.label, _lit(f"Candidate {c.kind}: {value}")),
                         (node, ckg.candidateKind, _lit(c.kind)),
                         (node, ckg.candidateValue, _lit(c.value)), (node, ckg.evidence, c.passage.node),
                         (node, ckg.confidence, _lit(f"{c.confidence:.2f}", xsd.decimal)), (node, dcterms.source, graph)):
            candidates.append(Quad(s, pr, o, candidates_graph))
        if c.subject is not None:
            candidates.append(Quad(node, ckg.candidateSubject, c.subject, candidates_graph))
        if c.detail:
            candidates.append(Quad(node, ckg.candidateDetail, _lit(c.detail), candidates_graph))
        if c.organisation is not None:
            candidates.append(Quad(node, ckg.candidateOrganisation, c.organisation, candidates_graph)
                              if isinstance(c.organisation, NamedNode) else
                              Quad(node, ckg.candidateOrganisationName, _lit(c.organisation), candidates_graph))
        if c.date:
            candidates.append(Quad(node, ckg.candidateDate, _lit(c.date), candidates_graph))
        if c.names and c.subject is not None:
            candidates.append(Quad(c.subject, rdfs.label, _lit(c.names[0]), candidates_graph))
            candidates.extend(Quad(c.subject, skos.altLabel, _lit(n), candidates_graph) for n in c.names[1:])
    title = f"Candidate facts from {path.name}"
    header = [Quad(candidates_graph, RDF_TYPE, ckg.Source, candidates_graph),
              Quad(candidates_graph, rdfs.label, _lit(title), candidates_graph),
              Quad(candidates_graph, dcterms.title, _lit(title), candidates_graph),
              Quad(candidates_graph, ckg.documentType, iris.concept("document-type", "other"), candidates_graph),
              Quad(candidates_graph, dcterms.source, graph, candidates_graph)]
    return [GraphPayload(graph, meta["title"][:80], DOCUMENTS.name, str(path), digest, quads),
            GraphPayload(candidates_graph, title, CANDIDATES.name, str(path), digest, header + candidates)]


def _norm_keep_offsets(text: str) -> str:
    """Lower-case with curly apostrophes straightened and whitespace runs kept one-for-one (same length)."""
    return re.sub(r"\s", " ", text.replace("\u2019", "'")).lower()


def load_documents(directory: Path, progress: Progress | None = None, known: Iterable[Quad] = ()) -> tuple[list[GraphPayload], list[str]]:
    """One payload per readable document, plus the candidates graph; warnings for files skipped."""
    say = progress or (lambda _m: None)
    directory = Path(directory)
    if not directory.is_dir():
        raise LoadError.single(directory, "not a folder of documents")
    index = NameIndex.from_quads(known)
    pattern = index.pattern()
    payloads: list[GraphPayload] = []
    files, warnings = regular_files(directory, SUFFIXES, "PDF, text, Markdown or HTML")
    files = [path for path in files if path.stem.upper() != "README"]  # says what the folder holds: not one of them
    addresses = read_addresses(directory, warnings)
    for path in files:
        pages: PdfText | None = None
        if path.suffix.lower() == ".pdf":
            try:
                pages = read_pdf(path)
            except PdfError as exc:
                warnings.append(f"{path}: skipped: {exc}")
                continue
            text: str | None = pages.text
        else:
            text, problem = read_text(path)
            if problem:
                warnings.append(f"{path}: skipped: {problem}")
                continue
        assert text is not None
        say(f"document {path.name}")
        payloads.extend(load_document(path, text, index, pattern, pages, addresses.get(path.name)))
    return payloads, warnings


def read_addresses(directory: Path, warnings: list[str]) -> dict[str, str]:
    """The addresses the folder's ``sources.csv`` (columns ``file`` and ``url``) gives its files, when it has one; its
    "not a document" warning is dropped from ``warnings``, and one is added when it cannot be read."""
    path = directory / ADDRESSES
    if path.is_symlink() or not path.is_file():
        return {}
    warnings[:] = [w for w in warnings if not w.startswith(f"{path}: skipped: not a ")]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        warnings.append(f"{path}: not read as the files' addresses: {exc}")
        return {}
    if not rows or not {"file", "url"} <= set(rows[0]):
        warnings.append(f"{path}: not read as the files' addresses: it needs the columns file and url")
        return {}
    return {r["file"].strip(): r["url"].strip() for r in rows if r.get("file") and r.get("url")}


# --------------------------------------------------------------------------------------------
# The source kind
# --------------------------------------------------------------------------------------------


def _read(inputs: Inputs, reading: Reading) -> tuple[list[GraphPayload], list[str]]:
    """Every folder's documents, knowing the names the payloads read before and the store added to hold."""
    known = reading.known(NAME_PREDICATES)
    payloads: list[GraphPayload] = []
    warnings: list[str] = []
    for path in inputs["documents"]:
        reading.say(f"reading documents in {path}")
        found, notes = load_documents(path, progress=reading.say, known=known)
        payloads.extend(found)
        warnings.extend(notes)
    return payloads, warnings


KIND = SourceKind(
    name="documents",
    reads="folders of documents: passages, mentions and proposed facts",
    options=(Option("--documents", "a folder of documents to ingest; repeatable", check_help="also check this folder of documents",
                    metavar="DIR", input="documents"),),
    read=_read,
    graphs=(DOCUMENTS, CANDIDATES),
    replaces=(DOCUMENTS.name, CANDIDATES.name),  # a load replaces the documents loaded before: give every folder at once
    needs_store=True,
)
