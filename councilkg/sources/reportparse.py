"""Reading an Ofsted inspection report of a local authority's children's services: what it states, with where.

``parse_report(pdf_text, file_id)`` recognises the report's kind from its title page and reads it into a
``Report``: the authority (by the name the report uses), the era and framework, fieldwork and publication
dates, every judgement, the inspection team, local leadership as Ofsted states it, previous inspections it cites,
recommendations, and how services are delivered. Every value carries its ``Span``: the character offsets in the
cleaned document text (``PdfText.text``) and so its page. This module knows only text; ``reports`` turns a
``Report`` into RDF and resolves the authority and the inspection.

The eras, as their title pages say (the rules below read those words, not file names or years):

- ``slac``: the 2012–2013 "Inspection of safeguarding and looked after children services", "Inspection of looked
  after children services" ("Reporting inspector", "Overall effectiveness" graded with "adequate");
- ``sif``: "Inspection of services for children in need of help and protection, children looked after and care
  leavers" (2014–2018), usually with the "Review of the effectiveness of the Local Safeguarding Children Board";
  ``sif-reinspection`` its "Re-inspection of services …"; ``lscb-review`` a standalone review of the LSCB;
- ``ilacs``: "Inspection of children's social care services" (2018–2019) and "Inspection of X local authority
  children's services" (2019–), with a judgement table whose last row is overall effectiveness;
- ``ilacs-2026``: the same title with a judgement table that has no overall effectiveness (from April 2026).

Grades are read as written ("Requires improvement to be good", "require improvement", "adequate") and named
with the grade scheme's concepts ("adequate", the 2013 scale's third grade, is requires improvement, as in
Ofsted's historical tables); a judgement "not judged" or "pre-dates" has no grade.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from councilkg.errors import UnreadableFileError
from councilkg.sources.pdf import PdfText

MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"], 1)}
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DASH = r"(?:to|–|—|-|and|until)"
_GRADE = (r"(?:requires?\s+improvement(?:\s+to\s+be\s+good)?|outstanding|good|inadequate|adequate|"
          r"inspection\s+pre-dates\s+judgement|not\s+(?:applicable|judged))")

#: inspector roles as the team list names them -> the role a membership records
TEAM_ROLES = {
    "lead inspector": "lead-inspector", "reporting inspector": "lead-inspector", "deputy lead inspector": "deputy-lead-inspector",
    "deputy lead inspectors": "deputy-lead-inspector", "team inspector": "team-inspector", "team inspectors": "team-inspector",
    "shadow inspector": "shadow-inspector", "shadow inspectors": "shadow-inspector", "shadow lead inspector": "shadow-inspector",
    "senior data analyst": "senior-data-analyst", "data analyst": "senior-data-analyst",
    "quality assurance manager": "quality-assurance-manager", "quality assurance managers": "quality-assurance-manager",
    "senior quality assurance manager": "quality-assurance-manager", "regulatory inspector": "team-inspector",
    "regulatory inspectors": "team-inspector", "associate inspector": "team-inspector", "associate inspectors": "team-inspector",
    "lead inspector for the lscb review": "lead-inspector", "additional inspector": "team-inspector",
    "additional inspectors": "team-inspector",
}

SIF_AREAS = (
    ("sif-help-and-protection", r"children\s+who\s+need\s+help\s+and\s+protection"),
    ("sif-looked-after", r"children\s+looked\s+after\s+and\s+achieving\s+permanence"),
    ("sif-adoption", r"adoption\s+performance"),
    ("sif-care-leavers", r"experiences\s+and\s+progress\s+of\s+care\s+leavers"),
    ("sif-leadership", r"leadership,?\s+management\s+and\s+governance"),
)
ILACS_AREAS = (
    ("ilacs-impact-of-leaders", r"the\s+impact\s+of\s+leaders\s+on\s+social\s+work\s+practice\s+with\s+children\s+and\s+families"),
    ("ilacs-help-and-protection", r"the\s+experiences\s+and\s+progress\s+of\s+children\s+who\s+need\s+help\s+and\s+protection"),
    ("ilacs-children-in-care", r"the\s+experiences\s+and\s+progress\s+of\s+children\s+in\s+care(?:\s+and\s+care\s+leavers)?"),
    ("ilacs-care-leavers", r"the\s+experiences\s+and\s+progress\s+of\s+care\s+leavers"),
    ("ilacs-overall", r"overall\s+effectiveness"),
)
POSTS = (
    ("dcs", r"(?:DCS|director\s+of\s+children[’']s\s+services|director\s+for\s+children[’']s\s+services|"
            r"executive\s+director\s+(?:of|for)\s+children[’']s\s+services|director\s+of\s+children[’']s\s+social\s+care)"),
    ("chief-executive", r"chief\s+executive(?:\s+officer)?"),
    ("lscb-chair", r"(?:independent\s+)?chair\s+of\s+the\s+(?:LSCB|local\s+safeguarding\s+children\s+board|[A-Z]{3,6})"),
    ("lead-member", r"lead\s+member\s+for\s+children[’']s\s+services"),
)


@dataclass(frozen=True)
class Span:
    """Where a value was read: offsets in the cleaned document text, and its page."""

    start: int
    end: int
    page: int


@dataclass
class Judgement:
    area: str
    grade: str | None  # a grade concept's name; None for a judgement not made ("not judged")
    as_written: str
    span: Span


@dataclass
class TeamMember:
    name: str
    role: str
    role_as_written: str
    span: Span


@dataclass
class LeadershipStatement:
    post: str
    since: str | None  # a partial ISO date ("2016-07", "2018") or "late-2018" style as written
    since_as_written: str | None
    interim: bool
    as_written: str
    span: Span


@dataclass
class PreviousInspection:
    when: str  # a year or ISO date
    grade: str | None
    grade_as_written: str
    area: str | None
    as_written: str
    span: Span


@dataclass
class RecommendationItem:
    ordinal: int
    text: str
    lscb: bool
    span: Span


@dataclass
class Report:
    file_id: str
    era: str
    title: str
    authority_name: str
    authority_span: Span
    fieldwork_start: dt.date | None = None
    fieldwork_end: dt.date | None = None
    fieldwork_as_written: str = ""
    fieldwork_span: Span | None = None
    published: dt.date | None = None
    published_span: Span | None = None
    judgements: list[Judgement] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)
    leadership: list[LeadershipStatement] = field(default_factory=list)
    previous: list[PreviousInspection] = field(default_factory=list)
    recommendations: list[RecommendationItem] = field(default_factory=list)
    delivery: tuple[str, Span] | None = None

    @property
    def framework(self) -> str:
        return {"slac": "slac", "sif": "sif", "sif-reinspection": "sif", "lscb-review": "sif"}.get(self.era, "ilacs")


class NotAReport(UnreadableFileError):
    """The text is not an Ofsted inspection report of a local authority's children's services."""


# --------------------------------------------------------------------------------------------
# Small readers
# --------------------------------------------------------------------------------------------


def grade_name(text: str) -> str | None:
    """The grade concept a grade as written names ("adequate", the 2013 scale's third grade, is requires
    improvement, as Ofsted's historical tables give it), or None for a judgement not made."""
    words = " ".join(text.lower().split())
    if words.startswith("require") or words == "adequate":
        return "requires-improvement"
    return words if words in ("outstanding", "good", "inadequate") else None


def day(d: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), MONTHS[month.lower()], int(d))
    except (KeyError, ValueError):
        return None


_RANGE_RE = re.compile(
    rf"(\d{{1,2}})(?:st|nd|rd|th)?\s*({_MONTH})?\s*(\d{{4}})?\s*{_DASH}\s*(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+(\d{{4}})", re.I)
_DAY_RE = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+(\d{{4}})", re.I)


_NUMERIC_DAY = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_NUMERIC_RANGE_RE = re.compile(rf"{_NUMERIC_DAY}\s*{_DASH}\s*{_NUMERIC_DAY}")


def numeric_day(d: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(d))
    except ValueError:
        return None


def date_range(text: str) -> tuple[dt.date, dt.date, re.Match[str]] | None:
    """The first "3 March 2015 – 25 March 2015", "20 June – 13 July 2017", "9 to 13 March 2026" or
    "1/06/2015 – 25/06/2015" (day first, as Ofsted writes it) in text."""
    m = _RANGE_RE.search(text)
    numeric = _NUMERIC_RANGE_RE.search(text)
    if numeric and (m is None or numeric.start() < m.start()):
        start, end = numeric_day(*numeric.groups()[:3]), numeric_day(*numeric.groups()[3:])
        return (start, end, numeric) if start and end else None
    if not m:
        return None
    end = day(m.group(4), m.group(5), m.group(6))
    start = day(m.group(1), m.group(2) or m.group(5), m.group(3) or m.group(6))
    if start and end and start > end and not m.group(3):  # "28 December – 8 January 2016": the year before
        start = day(m.group(1), m.group(2) or m.group(5), str(int(m.group(6)) - 1))
    return (start, end, m) if start and end else None


class _Reader:
    """The document's text with its page map: spans from offsets."""

    def __init__(self, pdf: PdfText) -> None:
        self.pdf = pdf
        self.text = pdf.text
        self.starts = pdf.page_starts
        self._sentences: list[tuple[int, str]] | None = None

    def sentences(self) -> list[tuple[int, str]]:
        """The text's sentences (split at a full stop, question or exclamation mark, or a blank line), each
        with its offset: what the prose readers look in, so no pattern scans the whole text."""
        if self._sentences is None:
            self._sentences = [(m.start(), m.group(0)) for m in re.finditer(r"[^\s][^.!?]*(?:[.!?]|$)", self.text)]
        return self._sentences

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.pdf.page_at(start))

    def page_text(self, number: int) -> tuple[int, str]:
        return self.starts[number - 1], self.pdf.pages[number - 1]


def _flat(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# The title page
# --------------------------------------------------------------------------------------------

_TITLES = (
    ("slac", r"Inspection\s+of\s+(?:safeguarding\s+and\s+)?looked\s+after\s+children(?:[’']s)?\s+services|"
             r"Inspection\s+of\s+safeguarding\s+(?:and\s+looked\s+after\s+children\s+)?services"),
    ("sif-reinspection", r"\bRe-?\s*inspection\s+of\s+services\s+for\s+children\s+in\s+need\s+of\s+help"),
    ("sif", r"Inspection\s+of\s+services\s+for\s+children\s+in\s+need\s+of\s+help"),
    ("lscb-review", r"Review\s+of\s+the\s+effectiveness\s+of\s+the\s+Local\s+Safeguarding\s+Children\s+Board"),
    ("ilacs", r"Inspection\s+of\s+children[’']s\s+social\s+care\s+services|"
              r"Inspection\s+of\s+local\s+authority\s+children[’']s\s+services|"
              r"Inspection\s+of\s+(?:the\s+)?(?P<name>(?:(?!Inspection\s+dates)[^:]){3,120}?)\s+(?:local\s+authority\s+)?"
              r"children[’']s\s+services|"
              # a trust that delivers the services: "Inspection of Bradford Children and Families Trust"
              r"Inspection\s+of\s+(?:the\s+)?(?P<trust>[^:]{3,80}?\bTrust)\s*\n\s*Inspection\s+dates"),
)


def _title_page(r: _Reader) -> tuple[str, re.Match[str], int]:
    """The era and the title's match on page 1 (or 2, after a cover)."""
    for number in (1, 2):
        if number > len(r.pdf.pages):
            break
        offset, page = r.page_text(number)
        head = page[:1500]
        for era, pattern in _TITLES:
            m = re.search(pattern, head, re.I | re.S)
            if m:
                return era, m, offset
    raise NotAReport("its first pages name no Ofsted inspection of a local authority's children's services")


_NAME_NOISE = re.compile(r"(?i)^(?:\d+|and|inspection dates?:.*|report published.*|contents)$")


def _authority(r: _Reader, era: str, title: re.Match[str], offset: int) -> tuple[str, Span]:
    for group in ("name", "trust"):
        if title.groupdict().get(group):
            return _flat(title.group(group)), r.span(offset + title.start(group), offset + title.end(group))
    page = r.text[offset:offset + 2000]
    dates = re.search(r"(?i)inspection\s+dates?", page)
    if era == "slac":  # the name follows the title, before the dates
        chunk_start, chunk_end = title.end(), dates.start() if dates else title.end() + 200
    else:  # the name comes before the title
        chunk_start, chunk_end = 0, title.start()
    lines = []
    at = chunk_start
    for line in page[chunk_start:chunk_end].split("\n"):
        stripped = line.strip()
        if stripped and not _NAME_NOISE.match(stripped) and stripped.lower() != "services":
            lines.append((at + line.index(stripped), stripped))
        at += len(line) + 1
    if not lines:
        raise NotAReport("its title page names no authority")
    name = _flat(" ".join(text for _s, text in lines))
    start, last = lines[0][0], lines[-1]
    return name, r.span(offset + start, offset + last[0] + len(last[1]))


def _dates(r: _Reader, report: Report) -> None:
    head = r.text[:r.starts[2] if len(r.starts) > 2 else len(r.text)]
    m = re.search(r"(?i)inspection\s+dates?\s*:?\s*", head)
    if m:
        window = head[m.end():m.end() + 120]
        found = date_range(window)
        if found:
            start, end, dm = found
            report.fieldwork_start, report.fieldwork_end = start, end
            report.fieldwork_as_written = _flat(dm.group(0))
            report.fieldwork_span = r.span(m.end() + dm.start(), m.end() + dm.end())
        else:
            single = _DAY_RE.match(window.strip())
            if single:
                report.fieldwork_start = day(*single.groups())
                report.fieldwork_as_written = single.group(0)
                lead = len(window) - len(window.lstrip())
                report.fieldwork_span = r.span(m.end() + lead, m.end() + lead + single.end())
    p = re.search(rf"(?i)(?:report\s+)?published\s*:?\s*({_DAY_RE.pattern}|{_NUMERIC_DAY})", head)
    if p:
        d = _DAY_RE.match(p.group(1))
        n = re.match(_NUMERIC_DAY, p.group(1))
        report.published = day(*d.groups()) if d else numeric_day(*n.groups()) if n else None
        report.published_span = r.span(p.start(1), p.end(1))


# --------------------------------------------------------------------------------------------
# Judgements
# --------------------------------------------------------------------------------------------


def _judgement(area: str, written: str, r: _Reader, start: int, end: int) -> Judgement:
    written = _flat(written)
    return Judgement(area, grade_name(written), written, r.span(start, end))


def _sif_judgements(r: _Reader, report: Report) -> None:
    offset, page = r.page_text(1)
    if len(page) < 400 and len(r.pdf.pages) > 1:  # a cover page: the judgements are on page 2
        offset, page = r.page_text(2)
    overall = re.search(rf"(?is)(?:children[’']s\s+services\s+in\s+.{{2,60}}?|overall\s+judgement\s+is\s+that\s+"
                        rf"children[’']s\s+services)\s+(?:are|is|requires?)\s+({_GRADE})", page)
    if overall:
        report.judgements.append(_judgement("sif-overall", overall.group(1), r, offset + overall.start(1), offset + overall.end(1)))
    for area, pattern in SIF_AREAS:
        m = re.search(rf"(?is)\d(?:\.\d)?\.?\s+{pattern}\s+({_GRADE})", page)
        if m:
            report.judgements.append(_judgement(area, m.group(1), r, offset + m.start(1), offset + m.end(1)))
    lscb = re.search(rf"(?s)\n(?:The\s+)?(?:Local\s+Safeguarding\s+Children\s+Board|LSCB)(?:\s+\(LSCB\))?\s+"
                     rf"(?:is|requires?)\s+({_GRADE})", r.text, re.I)
    if lscb and report.era != "sif-reinspection":
        report.judgements.append(_judgement("sif-lscb", lscb.group(1), r, lscb.start(1), lscb.end(1)))


def _table_block(r: _Reader) -> tuple[int, str] | None:
    """The judgement table of an ILACS report: from its "Judgement Grade" header to the first paragraph."""
    for number in range(1, min(3, len(r.pdf.pages)) + 1):
        offset, page = r.page_text(number)
        m = re.search(r"(?i)Judgement\s+Grade", page)
        if m:
            return offset + m.end(), page[m.end():m.end() + 900]
    return None


def _ilacs_judgements(r: _Reader, report: Report) -> None:
    block = _table_block(r)
    if block is None:
        return
    offset, text = block
    for area, pattern in ILACS_AREAS:
        m = re.search(rf"(?is){pattern}\s*:?\s*({_GRADE})", text)
        if m:
            report.judgements.append(_judgement(area, m.group(1), r, offset + m.start(1), offset + m.end(1)))
    if not any(j.area == "ilacs-overall" for j in report.judgements):
        report.era = "ilacs-2026"


def _slac_judgements(r: _Reader, report: Report) -> None:
    area = "slac-looked-after" if re.search(r"(?i)looked\s+after", report.title) and "safeguarding" not in \
        report.title.lower() else "slac-safeguarding"
    for m in re.finditer(rf"(?im)^Overall\s+effectiveness\s+({_GRADE})\s*$", r.text):
        report.judgements.append(_judgement(area, m.group(1), r, m.start(1), m.end(1)))
        if area == "slac-safeguarding" and "looked after" in report.title.lower():
            area = "slac-looked-after"  # a combined report: safeguarding first, then looked after children
        else:
            break


# --------------------------------------------------------------------------------------------
# People: the inspection team
# --------------------------------------------------------------------------------------------

_ROLE_LINE = re.compile(r"(?im)^[ \t]*((?:shadow\s+|deputy\s+|senior\s+|team\s+|lead\s+|reporting\s+|regulatory\s+|associate\s+|"
                        r"additional\s+|quality\s+assurance\s+|data\s+|senior\s+quality\s+assurance\s+)*"
                        r"(?:inspectors?|analysts?|managers?)(?:\s+for\s+the\s+LSCB\s+review)?)\s*:?[ \t]*(?=\S)")
_HONORIFIC = re.compile(r"(?i),?\s*(?:HMI|Her\s+Majesty[’']s\s+Inspector|His\s+Majesty[’']s\s+Inspector|Ofsted\s+Inspector)\b.*$")


def clean_person_name(text: str) -> str:
    name = _HONORIFIC.sub("", text)
    name = re.sub(r"\s*\(.*?\)\s*", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    return name


def _plausible_name(name: str) -> bool:
    words = name.replace("-", " ").split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() or w.lower() in ("de", "van", "von", "le", "la", "du", "da", "o'")
                                        for w in words) and not re.search(r"\d", name)


def _team(r: _Reader, report: Report) -> None:
    seen: set[tuple[str, str]] = set()

    def add(role_text: str, names_text: str, start: int) -> None:
        role = TEAM_ROLES.get(" ".join(role_text.lower().split()))
        if role is None:
            return
        cursor = 0
        for piece in re.split(r",|\band\b|;", names_text):
            name = clean_person_name(piece)
            at = names_text.find(piece.strip(), cursor) if piece.strip() else cursor
            cursor = max(cursor, at + len(piece.strip()))
            if not _plausible_name(name) or (name, role) in seen:
                continue
            seen.add((name, role))
            report.team.append(TeamMember(name, role, _flat(role_text), r.span(start + at, start + at + len(name))))

    # ILACS and 2013: "Lead inspector: Name, HMI" / "Reporting inspector Name HMI" on the title page
    head = r.text[:r.starts[1] if len(r.starts) > 1 else len(r.text)]
    lead = re.search(r"(?i)(lead inspector|reporting inspector)\s*:?\s*([^\n]+)", head)
    if lead:
        add(lead.group(1), _HONORIFIC.sub("", lead.group(2)), lead.start(2))
    # SIF and 2013: the team list near the end ("The inspection team", "Inspection team")
    for block in re.finditer(r"(?im)^(?:The\s+)?inspection\s+team\s*$", r.text):
        body_start = block.end()
        body = r.text[body_start:body_start + 1500]
        stop = re.search(r"(?im)^(?:Any complaints|The Office for Standards|©|If you are a|Ofsted produces)", body)
        body = body[:stop.start()] if stop else body
        lines = re.finditer(r"[^\n]+", body)
        current: tuple[str, int, list[str]] | None = None
        entries: list[tuple[str, int, str]] = []
        for line in lines:
            role = _ROLE_LINE.match(line.group(0))
            if (role and ":" in line.group(0)[:role.end() + 1]) or (role and role.group(1).lower().startswith(("lead", "deputy"))):
                if current:
                    entries.append((current[0], current[1], "\n".join(current[2])))
                current = (role.group(1), body_start + line.start() + role.end(), [line.group(0)[role.end():]])
            elif current and line.group(0).strip():
                current[2].append(line.group(0))
        if current:
            entries.append((current[0], current[1], "\n".join(current[2])))
        for role_text, start, names in entries:
            add(role_text, names, start)


# --------------------------------------------------------------------------------------------
# Local leadership as Ofsted states it
# --------------------------------------------------------------------------------------------

_SINCE = (rf"(?:(?:the\s+)?(?:(?P<part>beginning|start|end|middle|autumn|spring|summer|winter|late|early)\s+(?:of\s+)?)?"
          rf"(?P<month>{_MONTH})?\s*(?P<year>(?:19|20)\d\d))")


def _partial(m: re.Match[str]) -> tuple[str, str]:
    year, month, part = m.group("year"), m.group("month"), m.group("part")
    if month:
        value = f"{year}-{MONTHS[month.lower()]:02d}"
    elif part:
        value = f"{part.lower()}-{year}"
    else:
        value = year
    return value, _flat(m.group(0))


def _leadership(r: _Reader, report: Report) -> None:
    seen: set[tuple[str, str | None]] = set()
    keywords = re.compile(r"(?i)in\s+post|appointed|took\s+up|started|joined|interim|acting|came\s+into\s+post")
    for at, sentence in r.sentences():
        if not keywords.search(sentence):
            continue
        flat = _flat(sentence)
        if len(flat) > 400:
            continue
        for post, pattern in POSTS:
            holder = re.search(rf"(?i)\b(?:the\s+|a\s+|an\s+|new\s+|permanent\s+|current\s+|substantive\s+)*"
                               rf"(?P<interim>interim\s+|acting\s+)?(?:new\s+|permanent\s+)?{pattern}\b", sentence)
            if holder is None:
                continue
            since = re.search(rf"(?i)(?:in\s+post\s+since|since|appointed\s+(?:in|at)|in\s+post\s+from|from|(?:took\s+up|started|joined|"
                              rf"came\s+into\s+post)[^.]{{0,40}}?\bin)\s+{_SINCE}", sentence[holder.end():])
            appointed = re.search(rf"(?i)(?:were|was|been|being)\s+appointed(?:\s+(?:permanently|substantively))?\s+"
                                  rf"(?:in\s+|towards\s+|at\s+|during\s+)?{_SINCE}", sentence[holder.end():])
            found = since or appointed
            near = sentence[holder.start():holder.end() + 30]
            interim = bool(holder.group("interim")) or bool(re.search(r"(?i)\b(?:interim|acting)\b", near))
            if found is None and not re.search(r"(?i)in\s+post\s+since", sentence):
                continue
            value, written = _partial(found) if found else (None, None)
            key = (post, value)
            if key in seen or value is None:
                continue
            seen.add(key)
            report.leadership.append(LeadershipStatement(post, value, written, interim, flat,
                                                         r.span(at, at + len(sentence))))


# --------------------------------------------------------------------------------------------
# Previous inspections the report cites
# --------------------------------------------------------------------------------------------

_PREVIOUS = re.compile(
    rf"(?is)(?:previous|last|prior|most\s+recent|preceding)\s+(?:full\s+|single\s+|ILACS\s+|standard\s+)?(?:inspection|judgement)s?\b"
    rf"(?P<body>[^.]{{0,220}}?)\b(?:judged|rated|found)\s+(?:to\s+be\s+|as\s+|to\s+)?(?:being\s+)?(?P<grade>{_GRADE})")
_PREVIOUS_2 = re.compile(
    rf"(?is)\bwhen\s+(?:services|children[’']s\s+services|it|the\s+local\s+authority|the\s+council)\s+(?:were|was)\s+"
    rf"(?:judged|rated|found)\s+(?:to\s+be\s+|as\s+|to\s+)?(?P<grade>{_GRADE})")


def _previous(r: _Reader, report: Report) -> None:
    seen: set[tuple[str, str | None]] = set()
    this_year = (report.fieldwork_start or report.published or dt.date(2100, 1, 1)).year
    for regex in (_PREVIOUS, _PREVIOUS_2):
        for m in regex.finditer(r.text):
            sentence_start = max(r.text.rfind(". ", 0, m.start()), r.text.rfind("\n\n", 0, m.start())) + 1
            sentence_end = r.text.find(".", m.end())
            sentence = r.text[sentence_start:sentence_end + 1 if sentence_end > 0 else m.end()]
            years = [y for y in re.findall(r"\b((?:19|20)\d\d)\b", sentence) if int(y) < this_year]
            if not years:
                continue
            when = _DAY_RE.search(sentence)
            date = day(*when.groups()) if when and when.group(3) == years[0] else None
            value = date.isoformat() if date else years[0]
            grade_text = _flat(m.group("grade"))
            key = (value, grade_name(grade_text) or grade_text.lower())
            if key in seen:
                continue
            seen.add(key)
            report.previous.append(PreviousInspection(value, grade_name(grade_text), grade_text, None, _flat(sentence),
                                                      r.span(sentence_start, sentence_start + len(sentence))))


# --------------------------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------------------------

_REC_HEADINGS = re.compile(r"(?im)^[ \t]*(Recommendations|What does the (?:local authority|LSCB|council|Board) need to improve\?|"
                           r"What needs to improve(?:\s+in\s+this\s+area\s+of\s+social\s+work\s+practice)?\??|"
                           r"Areas for improvement)[ \t]*\d?[ \t]*$")
_ITEM_RE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_ENDS = (".", "?", "!", ")")


def _heading_like(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s) < 90 and not s.endswith((".", ",", ";")) and s[0].isupper() and not s.startswith("• ")


def _lscb_start(r: _Reader) -> int:
    """Where the LSCB's part of a SIF report begins (after the contents), or the end of the text."""
    for m in re.finditer(r"(?im)^(?:The\s+)?Local\s+Safeguarding\s+Children\s+Board\s*\(LSCB\)\s*$|"
                         r"^(?:The\s+)?Local\s+Safeguarding\s+Children\s+Board\s+(?:is|requires)", r.text):
        if m.start() > r.starts[min(2, len(r.starts) - 1)]:
            return m.start()
    return len(r.text)


def _items(lines: list[tuple[int, str]]) -> list[tuple[int, int, int, str]]:
    """Items of a recommendation list from the lines after its heading: (ordinal, start, end, text)."""
    out: list[tuple[int, int, int, str]] = []
    style: str | None = None
    expected = None
    current: list = []  # [ordinal, start, end, [texts]]

    def close() -> None:
        if current:
            out.append((current[0], current[1], current[2], _flat(" ".join(current[3]))))

    i = 0
    while i < len(lines):
        at, line = lines[i]
        s = line.strip()
        i += 1
        if not s:
            continue
        numbered = _ITEM_RE.match(s)
        bullet = s.startswith("• ")
        if style is None:
            if numbered:
                style, expected = "numbered", int(numbered.group(1))
            elif bullet:
                style = "bullet"
            elif _heading_like(s) and len(out) == 0 and i < 6:
                continue  # a sub-heading before the first item ("Priority and immediate action")
            else:
                break
        if style == "numbered" and numbered and int(numbered.group(1)) == expected:
            close()
            current = [expected, at + (len(line) - len(line.lstrip())), at + len(line), [numbered.group(2)]]
            expected += 1
            continue
        if style == "bullet" and bullet:
            close()
            current = [len(out) + 1, at + (len(line) - len(line.lstrip())), at + len(line), [s[2:]]]
            continue
        text_so_far = " ".join(current[3]).strip() if current else ""
        continues = current and (not text_so_far.endswith(_ENDS) or s[0].islower() or s.startswith("("))
        if re.match(r"^\d{1,2}\s+[A-Z]", s) and not numbered:  # a footnote at a page's foot
            continue
        if continues and not (style == "numbered" and numbered):
            current[3].append(s)
            current[2] = at + len(line)
            continue
        if style == "numbered" and _heading_like(s):
            ahead = [t.strip() for _a, t in lines[i:i + 4] if t.strip()]
            if any(re.match(rf"^{expected}\.\s", t) for t in ahead[:3]):
                continue  # a sub-heading inside the list ("Help and protection")
        break
    close()
    return out


def _recommendations(r: _Reader, report: Report) -> None:
    lscb_at = _lscb_start(r) if report.framework == "sif" else len(r.text)
    contents_end = r.starts[2] if len(r.starts) > 2 and report.framework == "sif" else 0
    taken: set[int] = set()
    for heading in _REC_HEADINGS.finditer(r.text):
        if heading.start() < contents_end and re.search(r"(?i)^contents", r.text[max(0, heading.start() - 2000):heading.start()], re.M):
            pass
        after = heading.end()
        lines, at = [], after + 1
        for line in r.text[after + 1:after + 12000].split("\n"):
            lines.append((at, line))
            at += len(line) + 1
        items = _items(lines)
        if not items or items[0][1] in taken:
            continue
        if heading.group(1).lower().startswith("areas for improvement") and report.framework != "sif":
            continue
        for ordinal, start, end, text in items:
            taken.add(start)
            is_lscb = start >= lscb_at or "lscb need" in heading.group(1).lower()
            report.recommendations.append(RecommendationItem(ordinal, text, is_lscb, r.span(start, end)))


# --------------------------------------------------------------------------------------------
# Delivery arrangements
# --------------------------------------------------------------------------------------------

_DELIVERY = re.compile(r"(?is)\b(?:children[’']s\s+services\s+(?:are|have\s+been)\s+(?:delivered|provided)\s+by|"
                       r"(?:delivered|provided)\s+by\s+(?:an?\s+)?(?:independent\s+)?(?:children[’']s\s+)?trust|"
                       r"children[’']s\s+trust\b[^.]{0,80}\b(?:delivers|provides|responsible))")


def _delivery(r: _Reader, report: Report) -> None:
    for at, sentence in r.sentences():
        if _DELIVERY.search(sentence):
            report.delivery = (_flat(sentence), r.span(at, at + len(sentence)))
            return


# --------------------------------------------------------------------------------------------
# The whole report
# --------------------------------------------------------------------------------------------


def parse_report(pdf: PdfText, file_id: str) -> Report:
    """What an Ofsted report states. Raises NotAReport when the text is not one."""
    r = _Reader(pdf)
    era, title, offset = _title_page(r)
    name, name_span = _authority(r, era, title, offset)
    if era == "sif" and re.search(r"(?i)\bthis\s+(?:is|was)\s+a\s+re-?inspection\b", r.text[:r.starts[min(3, len(r.starts) - 1)]]):
        era = "sif-reinspection"  # the ordinary title, and "This is a re-inspection" on the pages after it
    report = Report(file_id, era, _flat(title.group(0)), name, name_span)
    _dates(r, report)
    if report.fieldwork_start is None and report.published is None:
        raise NotAReport("its title page gives no inspection dates")
    if era in ("sif", "sif-reinspection", "lscb-review"):
        _sif_judgements(r, report)
    elif era == "slac":
        _slac_judgements(r, report)
    else:
        _ilacs_judgements(r, report)
    _team(r, report)
    _leadership(r, report)
    _previous(r, report)
    _recommendations(r, report)
    _delivery(r, report)
    return report
