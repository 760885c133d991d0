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

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from councilkg.errors import UnreadableFileError
from councilkg.model.dates import MONTH_PATTERN, MONTHS
from councilkg.sources.pdf import PdfText

_MONTH = MONTH_PATTERN
_DASH = r"(?:to|–|—|-|and|until)"
#: "is", "are", "is judged to be" before a grade (a grade "requires improvement" carries its own verb)
_IS = r"(?:(?:is|are)\s+(?:judged\s+(?:to\s+be\s+)?)?)?"
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
    "lead inspector for the lscb review": "lead-inspector", "lead inspector on site": "lead-inspector",
    "lead inspectors": "lead-inspector", "additional inspector": "team-inspector",
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
    ("dcs", r"(?:DCS|(?:executive\s+|corporate\s+|strategic\s+)?director\s+(?:of|for)\s+(?:[\w’' ]{1,40}?\s+and\s+)?children[’']s"
            r"\s+(?:services|social\s+care))"),
    ("chief-executive", r"chief\s+executive(?:\s+officer)?"),
    ("lscb-chair", r"(?:independent\s+)?chair\s+of\s+the\s+(?:LSCB|(?:[\w’'-]+\s+){0,4}?(?:local\s+)?safeguarding\s+"
                   r"children(?:[’']s)?\s+board|"
                   r"(?-i:[A-Z]{0,3}SCB)\b)"),
    # "the lead member", "the nominated elected member has been responsible for children's services since"
    ("lead-member", r"(?:lead\s+member(?!\s+for\s+(?!children))(?:\s+for\s+children[’']s\s+services)?|"
                    r"(?:nominated\s+)?elected\s+member\s+(?:has\s+been\s+)?responsible\s+for\s+children[’']s\s+services)"),
    # "The Ealing LSCB has appointed a new independent chair who has been in post since March 2016"
    ("lscb-chair", r"(?:(?<=\bLSCB)|(?<=Safeguarding\sChildren\sBoard))[^.]{0,80}?\b(?:independent\s+)?chair(?!\s+of)"),
)


@dataclass(frozen=True)
class Span:
    """Where a value was read: offsets in the cleaned document text, and its page."""

    start: int
    end: int
    page: int


@dataclass
class Judgement:
    """A judgement the report gives: its area (a judgement-area concept's name), grade and the grade's words."""

    area: str
    grade: str | None  # a grade concept's name; None for a judgement not made ("not judged")
    as_written: str
    span: Span


@dataclass
class TeamMember:
    """A member of the inspection team as the report names them, with their role and the label it is under."""

    name: str
    role: str
    role_as_written: str
    span: Span


@dataclass
class LeadershipStatement:
    """A post at the authority whose start the report states, its holder not named ("The DCS has been in post since
    July 2016")."""

    post: str
    since: str  # a partial ISO date ("2016-07", "2018") or "late-2018" where the words say only that
    since_as_written: str  # the date's words: "July 2016", "the end of 2018"
    interim: bool
    as_written: str
    span: Span


@dataclass
class PreviousInspection:
    """An earlier inspection the report cites: when, the grade it says it gave, and the area (None: overall)."""

    when: str  # a year or ISO date
    grade: str | None
    grade_as_written: str
    area: str | None
    as_written: str
    span: Span


@dataclass
class RecommendationItem:
    """One recommendation or "what needs to improve" item, in full, with its number and whether the LSCB's."""

    ordinal: int
    text: str
    lscb: bool
    span: Span


@dataclass
class Report:
    """What one report states, each value with the span it was read from."""

    file_id: str
    era: str
    title: str
    authority_name: str
    authority_span: Span
    authority_is_council: bool = True  # False: the name is a trust's or a board's (the report is about its work)
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
            # a sentence ends at a full stop, question or exclamation mark, a blank line or the next bullet
            self._sentences = [(m.start(), m.group(0)) for m in
                               re.finditer(r"[^\s•](?:[^.!?•\n]|\n(?![ \t]*(?:\n|•)))*(?:[.!?]|$)?", self.text)]
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

#: the rest of a SIF report's title, read into the report's title where it is there
_SIF_TITLE_REST = r"(?:\s+and\s+protection,?\s+children\s+looked\s+after\s+and\s+care\s+leavers)?"
_TITLES = (
    ("slac", r"Inspection\s+of\s+(?:safeguarding\s+and\s+)?looked\s+after\s+children(?:[’']s)?\s+services|"
             r"Inspection\s+of\s+safeguarding\s+(?:and\s+looked\s+after\s+children\s+)?services"),
    ("sif-reinspection", rf"\bRe-?\s*inspection\s+of\s+services\s+for\s+children\s+in\s+need\s+of\s+help{_SIF_TITLE_REST}"),
    ("sif", rf"Inspection\s+of\s+services\s+for\s+children\s+in\s+need\s+of\s+help{_SIF_TITLE_REST}"),
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
        window = head[m.end():m.end() + 160]
        found = date_range(window)
        if found:
            start, end, dm = found
            span_end = dm.end()
            # fieldwork in two parts: "30 September to 11 October 2024 and 13 to 16 January 2025"
            second = re.match(r"\s+and\s+", window[dm.end():])
            more = date_range(window[dm.end() + second.end():]) if second else None
            if second and more and more[2].start() == 0 and more[1] > end:
                end, span_end = more[1], dm.end() + second.end() + more[2].end()
            report.fieldwork_start, report.fieldwork_end = start, end
            report.fieldwork_as_written = _flat(window[dm.start():span_end])
            report.fieldwork_span = r.span(m.end() + dm.start(), m.end() + span_end)
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
    # the title page, and the next when the list runs over (or the title page is a cover), up to its first heading;
    # offsets in it are the text's own
    page = r.text[:r.starts[2] if len(r.starts) > 2 else len(r.text)]
    stop = re.search(r"(?m)^(?:Contents|Executive summary|Summary of findings|The local authority)\s*$", page[400:])
    page = page[:400 + stop.start()] if stop else page
    overall = re.search(rf"(?is)(?:children[’']s\s+services(?:\s+in\s+(?:[^\n]|\n(?!\d)){{2,90}}?)?|overall\s+judgement\s+is(?:\s+that\s+"
                        rf"children[’']s\s+services?)?)\s+{_IS}({_GRADE})", page)
    if overall:
        report.judgements.append(_judgement("sif-overall", overall.group(1), r, overall.start(1), overall.end(1)))
    for area, pattern in SIF_AREAS:
        m = re.search(rf"(?is)\d(?:\.\d)?\.?\s+{pattern}\s+({_GRADE})", page)
        if m:
            report.judgements.append(_judgement(area, m.group(1), r, m.start(1), m.end(1)))
    lscb = re.search(rf"(?s)(?:^|\n)(?:The\s+effectiveness\s+of\s+)?(?:The\s+)?(?:Local\s+Safeguarding\s+Children\s+Board|LSCB)"
                     rf"(?:\s+\(LSCB\))?\s+{_IS}({_GRADE})", r.text, re.I)
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
    if not re.search(r"(?im)^\s*overall\s+effectiveness\b", text):
        report.era = "ilacs-2026"  # the post-reform table: no overall effectiveness row


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

#: a team role label, as the team list prints it ("Team inspectors:", "Senior data analyst:", "Shadow inspector:")
_ROLE_LABEL = re.compile(r"(?i)\b((?:(?:shadow|deputy|senior|team|lead|reporting|regulatory|associate|additional|supernumerary|"
                         r"quality\s+assurance|data|analytical)\s+)+(?:inspectors?|analysts?|managers?|officers?)"
                         r"(?:\s+for\s+the\s+LSCB\s+review|\s+on\s+site)?)\s*:")
#: what follows a name in a team list: a title or grade of inspector ("HMI", "Senior Her Majesty's Inspector",
#: "(OI)", "SCRI"), which also separates names written one after another
_SUFFIX = re.compile(r"(?i)\(\s*[^()]{1,40}\)|,?\s*\b(?:senior\s+)?(?:Her|His)\s+Majesty[’']s\s+Inspector\b|"
                     r",?\s*\b(?:Ofsted|associate|regulatory|social\s+care\s+regulatory)\s+inspector\b|"
                     r"(?<=[a-z])\s+(?:Senior\s+)?(?:S?HMI|SCRI|AI|OI|RI|S)\b|,\s*(?:S?HMI|SCRI|AI|OI|RI)\b|\bSenior\b(?=\s*,|\s*$)")
_HONORIFIC = re.compile(r"(?i),?\s*(?:HMI|Her\s+Majesty[’']s\s+Inspector|His\s+Majesty[’']s\s+Inspector|Ofsted\s+Inspector)\b.*$")
_TEAM_END = re.compile(r"(?im)^(?:Any complaints|The Office for Standards|©|If you are a|Ofsted produces|Information about|"
                       r"What the inspection|Children living|The local authority|Contents)")


def clean_person_name(text: str) -> str:
    """A name as a team list prints it, without its titles and with a hyphen broken at a line end joined again."""
    name = _HONORIFIC.sub("", re.sub(r"-\s+(?=[A-Z])", "-", text))
    name = re.sub(r"\s*\(.*?\)\s*", " ", name)
    name = re.sub(r"\s+", " ", name).strip(" ,.;:")
    return name


def _plausible_name(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() or w.lower() in ("de", "van", "von", "le", "la", "du", "da")
                                        or re.match(r"^[dol][’'][A-Z]", w) for w in words) and not re.search(r"[\d@/]", name)


def role_of(label: str) -> str | None:
    """The team role a label names: "Team inspectors" -> team-inspector, "Senior data analysts" -> senior-data-analyst."""
    words = " ".join(label.lower().split())
    return TEAM_ROLES.get(words) or TEAM_ROLES.get(re.sub(r"s$", "", words)) or (
        "shadow-inspector" if words.startswith("supernumerary") else
        "senior-data-analyst" if "analy" in words else None)


def _names(text: str) -> list[tuple[int, int, str]]:
    """The names in a role's part of a team list, with their start and end in it: separated by commas, "and", full
    stops, titles ("HMI", "(OI)") and lines, a name broken across two lines joined again."""
    marked = _SUFFIX.sub(lambda m: "," + " " * (len(m.group(0)) - 1), text)  # same length: offsets hold
    out: list[tuple[int, int, str]] = []
    for piece in re.finditer(r"[^,;.]+", re.sub(r"\band\b", ",  ", marked)):
        lines = [(piece.start() + m.start() + len(m.group(0)) - len(m.group(0).lstrip()),
                  piece.start() + m.start() + len(m.group(0).rstrip()), m.group(0).strip())
                 for m in re.finditer(r"[^\n]+", piece.group(0)) if m.group(0).strip()]
        if not lines:
            continue
        if len(lines) > 1 and all(len(t.split()) >= 2 for _a, _b, t in lines):
            out.extend(lines)  # one name a line
        else:
            out.append((lines[0][0], lines[-1][1], " ".join(t for _a, _b, t in lines)))
    return [(start, end, clean_person_name(name)) for start, end, name in out]


def _team(r: _Reader, report: Report) -> None:
    seen: set[tuple[str, str]] = set()

    def add(label: str, names_text: str, start: int) -> None:
        role = role_of(label)
        if role is None:
            return
        for first, last, name in _names(names_text):
            if not _plausible_name(name) or (name, role) in seen:
                continue
            seen.add((name, role))
            report.team.append(TeamMember(name, role, _flat(label), r.span(start + first, start + last)))

    # ILACS and 2013: "Lead inspector: Name, HMI" / "Reporting inspector Name HMI" on the title page
    head = r.text[:r.starts[1] if len(r.starts) > 1 else len(r.text)]
    lead = re.search(r"(?i)(lead inspectors?|reporting inspector)\s*:?\s*([^\n]+(?:\n[^\n]*Inspector\b[^\n]*)?)", head)
    if lead:
        add(lead.group(1), lead.group(2), lead.start(2))
    # SIF: the team list ("The inspection team"), its roles as labels anywhere in it
    for block in re.finditer(r"(?im)^(?:The\s+)?inspection\s+team\s*$", r.text):
        body_start = block.end()
        body = r.text[body_start:body_start + 1500]
        stop = _TEAM_END.search(body)
        body = body[:stop.start()] if stop else body
        blank = re.search(r"\S\s*\n\s*\n", body)  # the list ends at its first blank line
        body = body[:blank.start() + 1] if blank else body
        labels = list(_ROLE_LABEL.finditer(body))
        for i, label in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(body)
            add(label.group(1), body[label.end():end], body_start + label.end())


# --------------------------------------------------------------------------------------------
# Local leadership as Ofsted states it
# --------------------------------------------------------------------------------------------

_SINCE = (rf"(?P<since>(?:the\s+)?(?:(?P<part>beginning|start|end|middle|autumn|spring|summer|winter|late|early)\s+(?:of\s+)?)?"
          rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{_MONTH})?\s*(?P<year>(?:19|20)\d\d))")
#: the words before a start date, after the post: "has been in post since", "was appointed in", "took up post in"
_STARTED = (r"(?:in\s+post\s+since|since|appointed\s+(?:in|at)|in\s+post\s+from|from|"
            r"(?:took\s+up|started|joined|c[ao]me\s+into\s+post|commenced?|take\s+up|start)[^.]{0,40}?\bin)")
_KEYWORDS = re.compile(r"(?i)in\s+post|appointed|appointment|took\s+up|started|joined|interim|acting|c[ao]me\s+into\s+post|"
                       r"commence|responsible\s+for|change\s+(?:in|of)")
#: a post that is two ("a director of children's services and chief executive ... under a 'single' post")
_COMBINED_POST = re.compile(r"(?i)\s+and\s+(?:the\s+)?(?:chief\s+executive|director\s+of\s+children)")
_COMBINED_BEFORE = re.compile(r"(?i)(?:\bDCS|director\s+of\s+children[’']s\s+services|chief\s+executive)\s+and\s+(?:the\s+)?$")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_NUMBER_WORDS = "|".join(NUMBER_WORDS[1:])
#: a post of another body than the council ("the chief executive of the trust", "of TfC")
_OTHER_BODY = re.compile(r"(?i)^\s+of\s+(?!the\s+(?:council|local\s+authority|borough|city|county)\b)(?:the\s+)?\w+")


def _partial(m: re.Match[str]) -> tuple[str, str]:
    year, month, part, d = m.group("year"), m.group("month"), m.group("part"), m.group("day")
    if month and d:
        value = f"{year}-{MONTHS[month.lower()]:02d}-{int(d):02d}"
    elif month:
        value = f"{year}-{MONTHS[month.lower()]:02d}"
    elif part:
        value = f"{part.lower()}-{year}"
    else:
        value = year
    return value, _flat(m.group("since"))  # the date's words: "July 2016", "the end of 2018"


def _leadership(r: _Reader, report: Report) -> None:
    """Posts at the authority with a start Ofsted states: "The DCS has been in post since July 2016", "A new
    chief executive ... will come into post in September 2017", "the appointment of the current DCS in October 2016"."""
    seen: set[tuple[str, str | None]] = set()
    for at, sentence in r.sentences():
        if not _KEYWORDS.search(sentence):
            continue
        flat = _flat(sentence)
        if len(flat) > 400 or re.search(r"(?i)\bvacant\b", flat):
            continue  # "the post has been vacant since October 2013": no holder's start
        for post, pattern in POSTS:
            for holder in re.finditer(rf"(?i)\b(?:the\s+|a\s+|an\s+|new\s+|permanent\s+|current\s+|substantive\s+)*"
                                      rf"(?P<interim>interim\s+|acting\s+)?(?:new\s+|permanent\s+)?{pattern}\b", sentence):
                rest = sentence[holder.end():]
                if post == "chief-executive" and _OTHER_BODY.match(rest):
                    continue
                before = sentence[max(0, holder.start() - 12):holder.start()] + " " + holder.group(0)[:16]
                if re.search(r"(?i)\b(?:previous|former|outgoing)\b", before):
                    continue  # a tenure that has ended: not "in post since"
                rest = re.sub(r"^(?:\s*\([^)]{0,60}\))+", lambda m: " " * len(m.group(0)), rest)  # "(Strategic Director) (DCS)"
                if _COMBINED_POST.match(rest) or _COMBINED_BEFORE.search(sentence[max(0, holder.start() - 120):holder.start()]):
                    continue  # "a director of children's services and chief executive ... under a 'single' post": neither
                appointment = re.search(r"(?i)\b(?:appointment\s+of|change\s+(?:in|of))\s+(?:(?:a|an|the)\b[^.]{0,40})?$",
                                        sentence[:holder.start()])
                found = (re.match(rf"(?i)\s+in\s+{_SINCE}", rest) if appointment else None) \
                    or re.search(rf"(?i){_STARTED}\s+{_SINCE}", rest[:160]) \
                    or re.search(rf"(?i)(?:were|was|been|being|has\s+been)\s+appointed(?:\s+(?:permanently|substantively))?\s+"
                                 rf"(?:in\s+|towards\s+|at\s+|during\s+)?{_SINCE}", rest[:160])
                if found is not None:
                    # "since October 2011 in an interim capacity and April 2012 as substantive": the substantive start
                    substantive = re.match(rf"(?i)\s+in\s+an\s+interim\s+capacity\s*,?\s+and\s+(?:since\s+|from\s+)?"
                                           rf"{_SINCE}\s+as\s+(?:the\s+)?(?:substantive|permanent)", rest[found.end():])
                    found = substantive or found
                    value, written = _partial(found)
                else:
                    # "has been in post for six years": the year that many years before the fieldwork
                    length = re.match(rf"(?i)\s+has\s+been\s+in\s+post\s+for\s+(?:the\s+(?:last|past)\s+)?(?P<n>\d+|{_NUMBER_WORDS})"
                                      rf"\s+years?\b", rest)
                    when = report.fieldwork_start or report.published
                    if length is None or when is None:
                        continue
                    n = length.group("n").lower()
                    value = str(when.year - (int(n) if n.isdigit() else NUMBER_WORDS.index(n)))
                    written = _flat(length.group(0))
                interim = bool(holder.group("interim")) or bool(re.search(r"(?i)\b(?:interim|acting)\b",
                                                                          sentence[holder.start():holder.end() + 30]))
                if (post, value) in seen:
                    continue
                seen.add((post, value))
                report.leadership.append(LeadershipStatement(post, value, written, interim, flat,
                                                             r.span(at, at + len(sentence))))
                break
    # "since 2009" and "since January 2009" about one post: the more precise statement
    precise = {(s.post, s.since[:4]) for s in report.leadership if s.since and len(s.since) > 4 and s.since[:4].isdigit()}
    report.leadership = [s for s in report.leadership if not (s.since and len(s.since) == 4 and (s.post, s.since) in precise)]


# --------------------------------------------------------------------------------------------
# Previous inspections the report cites
# --------------------------------------------------------------------------------------------

#: a sentence about an earlier inspection of the authority
_PREVIOUS_CUE = re.compile(
    r"(?i)\b(?:previous|last|prior|preceding|earlier|most\s+recent)\b[^.]{0,80}?\b(?:inspection|inspected|re-inspection)|"
    r"\bsince\s+(?:the\s+)?(?:\w+\s+){0,3}?(?:inspection|ILACS|SIF)\b|\b(?:an?|the|Ofsted[’']s)\s+(?:\w+\s+){0,3}?inspection\s+(?:of\s+[^.]{0,60}?)?"
    r"(?:in|of)\s+(?:\w+\s+)?(?:19|20)\d\d|\bjudged\s+[^.]{0,40}\bin\s+(?:19|20)\d\d|"
    r"\bwhen\s+(?:services|children[’']s\s+services|it|they|the\s+(?:local\s+)?authority|the\s+council)\s+(?:were|was)\s+(?:judged|rated|found)|"
    r"\binspectors?\s+judged\b|\binspection\)?,?\s+(?:in|of|during)\s+(?:\w+\s+)?(?:19|20)\d\d")
_PREVIOUS_GRADE = re.compile(
    rf"(?i)(?:\b(?:judged|rated|found|graded|assessed|judge?ment\s+of|judge?ment\s+was(?:\s+that\s+(?:it|they)\s+(?:was|were))?)\s+"
    rf"(?:both\s+(?:[\w’']+\s+){{1,4}}?and\s+)?(?:(?!(?:and|but|when|which)\b)[\w’']+\s+){{0,6}}?"
    rf"(?:to\s+(?:be|have\s+been)\s+|as\s+(?:being\s+)?|to\s+)?(?:being\s+)?[‘'\"“]?(?:grade\s+[1-4]\s*\(\s*)?(?P<grade>{_GRADE})|"
    rf"\b(?P<required>required\s+improvement)|"
    # "The service to care leavers was inadequate at the point of the last inspection"
    rf"\b(?:was|were)\s+(?P<plain>inadequate|outstanding|adequate)\b)")


def _grade_words(m: re.Match[str]) -> str:
    return m.group("grade") or m.group("required") or m.group("plain")


def _grade_start(m: re.Match[str]) -> int:
    return m.start("grade") if m.group("grade") else m.start()
_AREA_LIST_ITEM = re.compile(rf"(?i)^(?:[-–−•]\s*)?(?P<area>[A-Za-z][^:]{{3,90}}):\s*(?P<grade>{_GRADE})\s*[.;]?$")
#: other kinds of provider whose grades a report cites beside the authority's
_NOT_THE_AUTHORITY = re.compile(r"(?i)children[’']s\s+homes?\b|\bhomes?\s+(?:were|was|is|are)\b|fostering\s+(?:agency|service)|"
                                r"adoption\s+(?:agency|service)|\bschools?\b|\bnursery|\bprovider|\bYOT\b|youth\s+offending|"
                                r"residential|\bJTAI\b|joint\s+targeted|\bCQC\b|HMIP|"
                                # "One was judged to be inadequate at the last inspection": one of what came before
                                r"^(?:One|Two|Three|Both|Each|Neither|None)(?:\s+of\s+(?:them|these|those))?\s+(?:was|were|is|are)\b")


def previous_area(text: str, year: int) -> str | None:
    """The area an earlier judgement is about, from the words of its sentence or list item (None: overall)."""
    words = text.lower()
    # the two inspections before the SIF: "services for children looked after", "safeguarding arrangements"
    looked_after = (r"services\s+for\s+(?:children\s+(?:and\s+young\s+people\s+)?)?looked\s+after|"
                    r"looked\s+after\s+children(?:[’']s)?\s+services")
    if "achieving permanence" not in words and "single inspection" not in words and (
            (year <= 2014 and re.search(looked_after, words)) or (year <= 2013 and re.search(r"looked\s+after", words))):
        return "slac-looked-after"
    safeguarding = r"safeguarding\s+(?:arrangements|services)|arrangements\s+for\s+the\s+protection\s+of\s+children"
    if re.search(safeguarding, words) or (year <= 2013 and re.search(r"safeguarding|protection\s+of\s+children|child\s+protection", words)):
        return "slac-safeguarding"
    if "overall" in words and "effectiveness" in words:
        return None
    for area, pattern in SIF_AREAS:
        if re.search(pattern, words):
            return area
    for area, pattern in _AREA_WORDS:
        if 2014 <= year < 2018 and re.search(pattern, words) and not re.search(r"(?i)services\s+were|all\s+aspects", words):
            return area
    return None


#: a grade given to everything an inspection judged: "when all services were judged", "across all areas"
_ALL_AREAS = re.compile(r"(?i)\ball\s+(?:services|areas|aspects|judgements)\b")
#: the short names of the SIF's areas in prose ("judged inadequate in respect of children looked after, care leavers")
_AREA_WORDS = (("sif-care-leavers", r"care\s+leavers"), ("sif-adoption", r"\badoption\b"),
               ("sif-help-and-protection", r"help\s+and\s+protection"), ("sif-leadership", r"\bleadership\b"),
               ("sif-looked-after", r"children\s+looked\s+after"))
#: where a sentence's clause about one grade ends: "judged inadequate for A, while B was found to require improvement"
_CLAUSE_BREAK = re.compile(r"(?i),?\s+(?:and\s+(?:was|were|it|of)|while|but|whereas)\b|;")
#: the words that name the areas a grade is about, after it: "inadequate in respect of ...", "good for adoption"
_AREAS_AFTER = re.compile(r"(?i)^\s*(?:overall\s+)?(?:for|in\s+respect\s+of|in|across)\s+(?!(?:19|20)\d\d)")


def previous_areas(clause: str, year: int) -> list[str | None]:
    """Every area a clause names for one grade: "both safeguarding and looked after children's services" (the two
    inspections before the SIF), "children looked after, care leavers and overall effectiveness" (None: overall). An
    empty list when the clause names none, so that its sentence decides."""
    words = re.sub(r"\bexcept\s+(?:for\s+)?[^,.;]+", " ", clause.lower())  # "all services, except adoption, were"
    if _ALL_AREAS.search(words):
        return [None]
    areas: list[str | None] = []
    if year <= 2014 and "achieving permanence" not in words and "single inspection" not in words:
        if re.search(r"safeguarding|protection\s+of\s+children|child\s+protection|in\s+need\s+of\s+protection", words):
            areas.append("slac-safeguarding")
        if re.search(r"looked\s+after", words):
            areas.append("slac-looked-after")
        if areas:
            return areas
    if year >= 2018:  # an ILACS inspection's areas, by their full names
        areas += [area for area, pattern in ILACS_AREAS[:-1] if re.search(pattern, words)]
    elif year >= 2014:
        areas += [area for area, pattern in SIF_AREAS if re.search(pattern, words)]
        areas += [area for area, pattern in _AREA_WORDS if area not in areas and re.search(pattern, words)]
    if re.search(r"overall\s+effectiveness|\boverall\b", words):
        areas.append(None)
    return areas


def _previous(r: _Reader, report: Report) -> None:
    """Earlier inspections the report cites with a grade: "The previous inspection of the local authority's
    safeguarding arrangements was in March 2013. The local authority was judged to be adequate.", "Since the last
    inspection in 2019, when services were judged to be requires improvement", and a re-inspection's list of the
    last inspection's judgements ("• Overall effectiveness: Inadequate")."""
    seen: set[tuple[str, str | None, str | None]] = set()
    this = report.fieldwork_start or report.published or dt.date(2100, 1, 1)
    overall: set[tuple[str, str | None, str | None]] = set()  # earlier overall judgements the words call overall
    inspected: set[str] = set()  # the years of earlier inspections as the report dates them (not by publication)
    by_publication: set[int] = set()  # the earlier judgements listed under a publication date early in a year
    context: tuple[str, str] | None = None  # (year, words) of the last sentence about an earlier inspection
    context_end: int | None = None
    listing = False
    units: list[tuple[int, str]] = []  # sentences, and a list's lines after "The judgements ... were:" apart
    for at, sentence in r.sentences():
        offset = 0
        for part in re.split(r"(?<=:)[ \t]*\n|\n(?=(?:[-–−•][ \t]*)?[A-Za-z][^:\n]{3,90}:[ \t]*\S)|"
                             r"(?:(?<=(?i:good))|(?<=(?i:quate|nding)))[ \t]*\n", sentence):  # and after a judgement table's rows
            where = sentence.find(part, offset)
            units.append((at + where, part))
            offset = where + len(part)
    listing_cue = re.compile(r"(?i)judgements?\s+(?:for|of)\s+the\s+(?:local\s+)?authority\s+were\s*:?$|judgements?\s+were\s*:?$")
    goes_on = re.compile(r"(?i)(?:The\s+)?(?:overall\s+effectiveness|experiences\s+and\s+progress|graded\s+judge?ment|leadership,|"
                         r"adoption\s+performance|children\s+(?:who|looked))|(?:The\s+(?:local\s+)?authority|It|Services|They)\b"
                         r"[^.]{0,60}\b(?:was|were)\s+(?:\w+\s+)?judged")

    def emit(year: str, grade_text: str, areas: list[str | None], flat: str, at: int, end: int) -> None:
        grade_text = _flat(grade_text)
        for area in areas:
            key = (year, grade_name(grade_text), area)
            if area is None and re.search(r"(?i)\boverall\b", flat):
                overall.add(key)
            if key[1] is not None and key not in seen:
                seen.add(key)
                report.previous.append(PreviousInspection(year, key[1], grade_text, key[2], flat, r.span(at, end)))

    def judged(flat: str, default_year: str, words: str, at: int, end: int, several_years: bool) -> None:
        """Each grade a sentence gives, with the areas and year of its own clause: "judged inadequate in respect of
        children looked after and care leavers, while adoption ... were found to require improvement"."""
        grades = list(_PREVIOUS_GRADE.finditer(flat))
        for i, grade in enumerate(grades):
            before = _CLAUSE_BREAK.split(flat[grades[i - 1].end() if i else 0:_grade_start(grade)])[-1]
            after = re.split(rf"{_CLAUSE_BREAK.pattern}|\bwhich\b",
                             flat[grade.end():grades[i + 1].start() if i + 1 < len(grades) else len(flat)])[0]
            clause = after if _AREAS_AFTER.match(after) and (set(previous_areas(after, int(default_year))) - {None}
                                                             or _ALL_AREAS.search(after)) else before
            # the year nearest the grade: "since a focused visit in February 2020, ... since the inspection in 2017,
            # when services were judged to be good"
            own = (earlier_years(before)[-1:] or earlier_years(after)[:1]) if several_years else []
            year = own[0] if own else default_year
            areas = previous_areas(clause, int(year))
            if areas in ([], [None]):  # the clause names no area: its sentence, or the sentence before, does
                named = previous_areas(words, int(year))  # "Safeguarding and Looked After Children Services": both
                if not (named and all((a or "").startswith("slac-") for a in named)):
                    named = [previous_area(words, int(year))]
                areas = named if not areas or (named[0] or "").startswith("slac-") else areas
            emit(year, _grade_words(grade), areas, flat, at, end)

    def earlier_years(text: str) -> list[str]:
        """The years a text gives that are before this inspection: "May 2011", "2012" (not this year's own)."""
        out = []
        for month, year in re.findall(rf"(?i)(?:\b({_MONTH})\s+)?\b((?:19|20)\d\d)\b", text):
            if int(year) < this.year or (int(year) == this.year and month and MONTHS[month.lower()] < this.month):
                out.append(year)
        return out

    for at, sentence in units:
        flat = _flat(sentence)
        if not flat:
            continue
        end = at + len(sentence)
        item = _AREA_LIST_ITEM.match(flat)
        if listing and item and context:
            published = re.search(rf"(?i)\bpublished\s+(?:in\s+|on\s+)?(?:\d{{1,2}}\s+)?({_MONTH})\s+{context[0]}", context[1])
            if published and MONTHS[published.group(1).lower()] <= 3:
                by_publication.add(len(report.previous))
            emit(context[0], item.group("grade"), [previous_area(item.group("area"), int(context[0]))], flat, at, end)
            continue
        listing = False
        cue = _PREVIOUS_CUE.search(flat)
        years = earlier_years(flat)
        if _NOT_THE_AUTHORITY.search(flat):
            context = None
            continue
        if cue and years:
            context, context_end = (years[0], flat), end
            if not re.search(r"(?i)\bpublished\b", flat):
                inspected.update(years)
            judged(flat, years[0], flat, at, end, True)
        elif context and context_end is not None and at - context_end < 300 and goes_on.match(flat):
            context_end = end  # the sentences after it go on about it: "The local authority was judged to be adequate."
            judged(flat, years[0] if years else context[0], context[1] + " " + flat, at, end, False)
        elif not (context and listing_cue.search(flat)):
            context = None
            continue
        listing = bool(listing_cue.search(flat))
    # "The last inspection report ... was published in January 2016. The judgements ... were:" where the report also
    # says "since the last inspection in 2015": the list is that inspection's, the year it was made (a report
    # published in the first three months of a year, weeks after its fieldwork, is often of the year before)
    for n in sorted(by_publication):
        previous = report.previous[n]
        year = int(previous.when[:4])
        if str(year - 1) in inspected and str(year) not in inspected:
            report.previous[n] = dataclasses.replace(previous, when=str(year - 1))
            if (previous.when[:4], previous.grade, previous.area) in overall:
                overall.add((str(year - 1), previous.grade, previous.area))
    # "when all services were judged good" beside the judgements of each area that year: not an overall judgement
    by_area = {(p.when[:4], p.grade) for p in report.previous if p.area is not None}
    report.previous = [p for p in report.previous if p.area is not None or (p.when[:4], p.grade, None) in overall
                       or (p.when[:4], p.grade) not in by_area]


# --------------------------------------------------------------------------------------------
# Recommendations
# --------------------------------------------------------------------------------------------

_REC_HEADINGS = re.compile(r"(?im)^[ \t]*(Recommendations|What does the (?:local authority|LSCB|council|Board) need to improve\?|"
                           r"What needs to improve(?:\s+in\s+this\s+area\s+of\s+social\s+work\s+practice)?\??|"
                           r"Areas for improvement:?)[ \t]*\d?[ \t]*$")
#: an item that says there is nothing to do ("The inspection did not find any areas for priority and immediate action")
_NOTHING = re.compile(r"(?i)\b(?:did\s+not\s+(?:find|identify)|there\s+(?:are|were)\s+no|no\s+areas)\b[^.]{0,60}"
                      r"\b(?:priority|immediate\s+action|recommendations)")
_ITEM_RE = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")
_ENDS = (".", "?", "!", ")")


def _heading_like(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s) < 90 and not s.endswith((".", ",", ";")) and s[0].isupper() and not s.startswith("• ")


def _lscb_start(r: _Reader) -> int:
    """Where the LSCB's part of a SIF report begins (after the contents), or the end of the text."""
    for m in re.finditer(r"(?im)^(?:The\s+)?Local\s+Safeguarding\s+Children\s+Board\s*(?:\(LSCB\))?\s*$|"
                         r"^(?:The\s+)?(?:effectiveness\s+of\s+the\s+)?(?:Local\s+Safeguarding\s+Children\s+Board|LSCB)(?:\s+\(LSCB\))?"
                         r"\s+(?:is|requires)", r.text):
        if m.start() > r.starts[min(2, len(r.starts) - 1)]:
            return m.start()
    return len(r.text)


def _key(line: str) -> str:
    return re.sub(r"[^a-z]+", " ", line.lower().replace("’", "'")).strip()


#: section titles that end a recommendation list where a report has no contents page to name them
SECTION_TITLES = {_key(t) for t in (
    "Summary for children and young people", "The local authority's strengths", "Progress since the last inspection",
    "Information about this local authority area", "Inspection judgements about the local authority",
    "Inspection judgement about the LSCB", "Executive summary", "Key findings", "What the inspection judgements mean",
    "Information about this inspection", "The Local Safeguarding Children Board (LSCB)", "Summary of findings",
    "Local leadership", "Children living in this area", "Other information about this area")}


#: the words that begin a SIF report's section titles, whatever follows ("Inspection findings – the LSCB")
SECTION_OPENINGS = tuple(_key(t) for t in (
    "Inspection findings", "Inspection judgement", "Summary for", "Information about", "What the inspection",
    "Key strengths", "Summary of findings", "Progress since", "The local authority's strengths"))


def _ends_list(line: str, sections: set[str]) -> bool:
    key = _key(line)
    return key in sections or (_heading_like(line) and key.startswith(SECTION_OPENINGS))


def section_titles(r: _Reader) -> set[str]:
    """The report's section titles: the entries of its contents page (a line ending in a page number on a page
    headed "Contents"), and the usual titles of SIF reports."""
    titles = set(SECTION_TITLES)
    for page in r.pdf.pages[:4]:
        if re.search(r"(?im)^\s*Contents\s*$", page):
            for line in page.split("\n"):
                entry = re.match(r"^(.*?\S)\s+\d{1,3}\s*$", line.strip())
                if entry and len(entry.group(1)) > 3:
                    titles.add(_key(entry.group(1)))
    titles.discard(_key("Recommendations"))
    return titles


def _items(lines: list[tuple[int, str]], sections: set[str]) -> list[tuple[int, int, int, str]]:
    """Items of a recommendation list from the lines after its heading: (ordinal, start, end, text).

    Items are numbered ("1. Ensure ...", numbers continuing the report's paragraphs) or bulleted; an item runs
    on over the lines that continue it. A sub-heading inside the list ("Priority and immediate action", "Help and
    protection", "Within three months:") is passed over; the list ends at a section title (see ``section_titles``),
    at a line that neither starts nor continues an item, or where the numbering stops. Bullets under a numbered item
    are part of it, except under a lead-in that ends "the following action(s)." (2013 reports): those bullets are
    the items."""
    out: list[tuple[int, int, int, str]] = []
    style: str | None = None
    expected = 0
    current: list = []  # [ordinal, start, end, [texts]]

    def close() -> None:
        if current:
            out.append((current[0], current[1], current[2], _flat(" ".join(current[3]))))
            current.clear()

    i = 0
    while i < len(lines):
        at, line = lines[i]
        s = line.strip()
        i += 1
        if not s or (re.fullmatch(r"\d{1,2}", s) and not out and not current):
            continue  # a blank line, or a footnote marker left on its own line by the heading
        numbered = _ITEM_RE.match(s)
        bullet = s.startswith("• ")
        start = at + (len(line) - len(line.lstrip()))
        if _ends_list(s, sections):
            break
        if style is None:
            if numbered:
                style, expected = "numbered", int(numbered.group(1))
            elif bullet:
                style = "bullet"
            elif _heading_like(s) and i < 8:
                continue  # a sub-heading before the first item
            else:
                break
        if style == "numbered" and numbered and int(numbered.group(1)) == expected:
            close()
            current[:] = [expected, start, at + len(line), [numbered.group(2)]]
            expected += 1
            continue
        if bullet and (style == "bullet" or (style == "numbered" and len(out) + bool(current) == 1 and current
                                             and re.search(r"(?i)following actions?[.:]?$", " ".join(current[3]).strip()))):
            if style == "numbered":  # the lead-in paragraph introduced bulleted items: they are the items
                current.clear()
                style = "bullet"
            close()
            current[:] = [len(out) + 1, start, at + len(line), [s[2:]]]
            continue
        text_so_far = " ".join(current[3]).strip() if current else ""
        lead_in = style == "numbered" and not out and current and re.search(r"(?i)following actions?[.:]?$", text_so_far)
        if lead_in and _heading_like(s) and any(t.strip().startswith("• ") for _a, t in lines[i:i + 3]):
            continue  # "Immediately:" between the lead-in and its bullets
        if re.match(r"^\d{1,2}\s+[A-Z]", s) and not numbered:  # a footnote at a page's foot
            continue
        unclosed = text_so_far.count("(") > text_so_far.count(")")  # "(Page 12, paragraph 32." goes on
        sub_bullet = style == "numbered" and bullet  # a bullet under a numbered item is part of it
        if current and not numbered and (not text_so_far.endswith(_ENDS) or s[0].islower() or s.startswith("(") or unclosed
                                         or sub_bullet):
            current[3].append(s)
            current[2] = at + len(line)
            continue
        if _heading_like(s) and not numbered:
            ahead = [t.strip() for _a, t in lines[i:i + 4] if t.strip()]
            follows = (rf"^{expected}\.\s" if style == "numbered" else r"^• ")
            if any(re.match(follows, t) for t in ahead[:3]):
                continue  # a sub-heading inside the list
        break
    close()
    return out


def _recommendations(r: _Reader, report: Report) -> None:
    lscb_at = _lscb_start(r) if report.framework == "sif" else len(r.text)
    sections = section_titles(r)
    taken: set[int] = set()
    for heading in _REC_HEADINGS.finditer(r.text):
        if re.search(r"[ \t]\d{1,3}[ \t]*$", heading.group(0)):
            continue  # a contents entry ("Recommendations 7"), not the list
        if heading.group(1).lower().startswith("areas for improvement") and report.framework not in ("sif", "slac"):
            continue
        after = heading.end()
        lines, at = [], after + 1
        for line in r.text[after + 1:after + 12000].split("\n"):
            lines.append((at, line))
            at += len(line) + 1
        items = _items(lines, sections)
        if not items or items[0][1] in taken:
            continue
        for ordinal, start, end, text in items:
            taken.add(start)
            if _NOTHING.search(text) and len(text) < 200:
                continue
            is_lscb = report.era == "lscb-review" or start >= lscb_at or "lscb" in heading.group(1).lower()
            report.recommendations.append(RecommendationItem(ordinal, text, is_lscb, r.span(start, end)))


# --------------------------------------------------------------------------------------------
# Delivery arrangements
# --------------------------------------------------------------------------------------------

#: who delivers the authority's children's services, when it is not the council itself: a trust, a company,
#: a third-party provider ("delivered by Northamptonshire Children's Trust", "delegated to Together for Children")
_DELIVERY = re.compile(
    r"(?is)\b(?:children[’']s\s+(?:social\s+care\s+)?services?[^.]{0,60}?\b(?:are|is|have\s+been|were)\s+(?:delivered|provided)\s+by\s+"
    r"(?:an?\s+|the\s+)?(?-i:[A-Z])|"
    r"(?:delivered|provided|run)\s+by\s+(?:an?\s+)?(?:independent\s+)?[^.]{0,60}?\b(?:trust|company|provider)\b|"
    r"functions\s+that\s+the\s+local\s+authority\s+has\s+delegated|has\s+been\s+delegated\s+to|have\s+been\s+delegated\s+to|"
    r"\b(?-i:Trust|Company|Children\s+First)\b[^.]{0,60}\b(?:delivers|provides|took\s+over\s+operational\s+responsibility)|"
    r"service[-\s]level\s+agreement\s+(?:is\s+)?in\s+place\s+with\s+(?:the\s+)?(?-i:[A-Z])|"
    r"to\s+deliver\s+children[’']s\s+services\s+on\s+an\s+arm|wholly\s+owned\s+(?:council\s+)?company|"
    r"strategic\s+partnership\s+with\s+[^.]{0,40}\bproviders?)")


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
    report = Report(file_id, era, _flat(title.group(0)), name, name_span,
                    authority_is_council=era != "lscb-review" and not title.groupdict().get("trust"))
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
    if report.era == "sif" and any((p.area or "").startswith("sif-") for p in report.previous):
        report.era = "sif-reinspection"  # a second single inspection: the earlier one's judgements are SIF areas
    _recommendations(r, report)
    _delivery(r, report)
    return report
