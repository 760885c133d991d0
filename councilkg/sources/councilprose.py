"""The ways council clerks write people, posts, judgements and visits: rules over a document's text.

Council minutes, decision records and press releases name their leaders in a handful of shapes, and state
Ofsted's grades in prose rather than tables. Each rule here is a regular expression with a docstring'd
example; ``posts_in``, ``judgements_in`` and ``visits_in`` return what they find with its character span, for
``councilkg.sources.documents`` to propose as candidate facts. Nothing here knows the graph: which authority a
post belongs to, and whether a person is already known, is decided by the caller.

People and posts (``posts_in``):

- "Name, Title" — "Hillary Brooks, Executive Director – Children’s Services", "Contact: Darryl Freeman, Corporate
  Director, Children and Young People Email: …", "Ade Adetosoye OBE, now Interim Chief Executive";
- "Name (Title)" — "Councillor Ayfer Orhan (Cabinet Member for Education, Children’s Services and Protection)";
- "Title, Name" / "Title (Name)" / "Title Name" — "the independent chair, Edwina Grant", "Director of Children's
  Services (Jane Smith)", "Middlesbrough Mayor Chris Cooke", "a … Commissioner in Frankie Sulke";
- "Name Title" — "Gail Hopper Director of Children's services";
- labels — "Officer: Name", "LEAD OFFICER: Name", "Report author: Name", "CONTACT OFFICER: Name", "(Name – 020 …)";
- "Name … served … as an independent chair";
- a board's members — "partners who sat on the Board: Chief Inspector Jim Reeves (Thames Valley Police), Jane Wood
  (Slough Borough Council)".

Names keep their honorifics and suffixes as written (Councillor, Cllr, Dr, Professor, OBE, CBE, MP) and are
compared without them (``name_key``); a title's role is the role scheme's concept (``role_of``); "interim" and
"acting" are kept, and a start the sentence states ("began in January 2025", "since March 2023").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from councilkg.model import concepts
from councilkg.model.dates import MONTH_PATTERN, MONTHS

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

HONORIFICS = ("Councillor", "Cllr", "Cllr.", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "Dr", "Dr.", "Professor",
              "Prof", "Prof.", "Sir", "Dame", "Lord", "Baroness")
#: honorifics that make one word a name ("Councillor Paffey", "Cllr Fortune", "Mr Boyce")
_NAMING_HONORIFICS = r"(?:Councillor|Cllr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?|Professor|Prof\.?|Sir|Dame|Lord|Baroness)"
SUFFIXES = ("OBE", "CBE", "MBE", "DBE", "KBE", "MP", "QC", "KC", "JP")
_SUFFIX = r"(?:[ \t]+(?:OBE|CBE|MBE|DBE|KBE|MP|QC|KC|JP)\b)"
#: words that begin a post's title, so never a word of a name ("Gail Hopper Director of ...")
TITLE_HEADS = frozenset("""Director Executive Corporate Strategic Service Assistant Deputy Managing Interim Acting Chief Chair
    Chairman Chairwoman Chairperson Independent Cabinet Lead Leader Mayor Commissioner Head Senior Regulatory Minister
    Portfolio Member Officer Manager Advisor Adviser HMI Inspector Contact Report Principal Group Shadow Vice Now The
    Councillor Cllr Children Children's Childrens Education Safeguarding Ofsted Council County Borough City Board
    Email Tel Telephone Director's Children’s Services Service Social Care Council's Council’s Trust Partnership Department
    Government Police NHS Health Inspection Improvement Agenda Minutes Report Item Appendix Local Authority Scrutiny
    Committee Committees Members Boards Panel Group Team Key Decision Meeting Cabinet's Schools Young People Families
    Social Care Plan Framework Office Street Road House Centre Her His Majesty’s Majesty's Inspectors Youth Kouncil
    Parliament Secretary State""".split())
_PARTICLES = r"(?:de|da|das|van|von|der|le|la|di|du|bin|al)"
_WORD = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)*|[A-Z]['’][A-Z][a-z]+|Mc[A-Z][a-z]+|Mac[A-Z][a-z]+"


def _name_word_ok(word: str) -> bool:
    return word not in TITLE_HEADS


#: a capitalised word of a name (checked against TITLE_HEADS afterwards)
_NAME_WORDS = rf"(?:{_WORD})(?:[ \t]+(?:{_PARTICLES}[ \t]+)?(?:{_WORD})){{0,3}}"  # on one line
#: a person's name: honorific and one word or more, or two words or more; suffixes as written
NAME = rf"(?:{_NAMING_HONORIFICS}[ \t]+)?{_NAME_WORDS}{_SUFFIX}*"
_NAME_RE = re.compile(rf"(?P<name>{NAME})")


def clean_name(name: str) -> str | None:
    """The name as written, cut before any word that begins a title ("Gail Hopper Director" -> "Gail Hopper"), or
    None when what is left is not a person's name (one word without an honorific, or a place or body)."""
    words = name.split()
    honorific = words[0] if words and words[0].rstrip(".") in {h.rstrip(".") for h in HONORIFICS} else None
    body = words[1:] if honorific else words
    kept: list[str] = []
    for w in body:
        if not _name_word_ok(w) and w not in SUFFIXES:
            break
        kept.append(w)
    while kept and kept[-1] in SUFFIXES and len([k for k in kept if k not in SUFFIXES]) == 0:
        kept.pop()
    core = [w for w in kept if w not in SUFFIXES]
    if not core or (len(core) < 2 and honorific is None):
        return None
    if any(w.isupper() and len(w) > 1 for w in core):  # "SCF", "LSCB": an acronym is not a name
        return None
    return " ".join(([honorific] if honorific else []) + kept)


def name_key(name: str) -> str:
    """The name without honorifics and suffixes, in lower case, apostrophes and hyphens aside: "Cllr Liz Terry" and
    "Councillor Liz Terry" and "Liz Terry" are one key; people are never merged on a surname alone."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    while words and words[0].rstrip(".") in {h.rstrip(".") for h in HONORIFICS}:
        words = words[1:]
    words = [w for w in words if w not in SUFFIXES]
    return re.sub(r"[^a-z ]+", "", " ".join(words).lower().replace("’", "'")).strip()


def display_name(name: str) -> str:
    """The name as a label: honorifics and suffixes aside ("Ade Adetosoye OBE" -> "Ade Adetosoye")."""
    words = [w for w in name.split() if w not in SUFFIXES]
    while words and words[0].rstrip(".") in {h.rstrip(".") for h in HONORIFICS}:
        words = words[1:]
    return " ".join(words) or name


# --------------------------------------------------------------------------------------------
# Titles and roles
# --------------------------------------------------------------------------------------------

#: (pattern on the title in lower case, role), first match wins
ROLE_RULES: tuple[tuple[str, str], ...] = (
    (r"\bshadow\b", "shadow-cabinet-member"),
    (r"\bdeputy (?:cabinet|executive|lead) member\b", "deputy-cabinet-member"),
    (r"\bminister\b", "minister"),
    (r"\b(?:interim |acting )?dcs\b", "dcs"),
    (r"\b(?:deputy|assistant|service|managing|programme|operational)\b[^,]*\bdirector\b|\bdirector\b[^,]*\b(?:deputy|assistant)\b",
     "director"),
    # the statutory director's titles; "Director of Children's Integrated Services" is a director (role:director)
    (r"\bdirector\b[^,]*\bchildren'?s services\b(?! \w)|\bdirector (?:of|for) children\b(?:$| and (?:families|young people)$)|"
     r"\b(?:executive|corporate|strategic) director\b.*\b(?:children|childrens|people)\b", "dcs"),
    (r"\bcommissioner\b", "commissioner"),
    (r"\bchair(?:man|woman|person)?\b.*\b(?:scrutiny|committee|panel)\b", "scrutiny-chair"),
    (r"\bindependent chair\b|\bchair(?:man|woman|person)?\b.*\b(?:board|lscb|partnership|trust)\b", "board-chair"),
    (r"\badvis[oe]r\b", "improvement-adviser"),
    (r"\bhmi\b|\bofsted\b.*\binspect|\binspect\w*\b.*\bofsted\b|\b(?:lead|social care|regulatory) inspector\b", "inspector"),
    (r"\bopposition\b|\bgroup leader\b", "opposition-leader"),
    (r"\bdeputy leader\b", "cabinet-member"),
    (r"\bleader\b|\bmayor\b", "leader"),
    (r"\bchief executive\b", "chief-executive"),
    (r"\b(?:cabinet|executive|lead) (?:member|councillor)\b|\bportfolio holder\b|\bcabinet lead\b",
     "cabinet-member"),  # lead-member when the portfolio is children's: see role_of
    (r"\bdirector\b", "director"),
    (r"\bhead of\b|\bmanager\b|\bofficer\b|\breport author\b", "officer"),
)
_ROLE_RES = tuple((re.compile(p), role) for p, role in ROLE_RULES)
_CHILDREN = re.compile(r"\bchild|\byoung people\b|\bfamil")
#: what makes a phrase a post's title: one of its head words
_TITLE_HEAD = (r"(?i:(?:(?:Interim|Acting|Deputy|Assistant|Executive|Corporate|Strategic|Service|Managing|Senior|Independent|Regulatory|"
               r"Chief|Lead|Cabinet|Principal|Vice)\s+)*(?:Director|Chief [Ee]xecutive|Chief Inspector|Chair(?:man|woman|person)?|"
               r"Leader|Mayor|Commissioner|Cabinet [Mm]ember|Executive [Mm]ember|Lead [Mm]ember|Lead [Cc]ouncillor|Portfolio [Hh]older|"
               r"Head of|HMI|Inspector|Minister|Adviser|Advisor|Manager|Officer|DCS))")


def role_of(title: str) -> str | None:
    """The role scheme's concept for a title as written, or None when it is not a post's title.

    >>> role_of("Executive Director – Children’s Services"), role_of("Cabinet Member for Economy, Culture and Education")
    ('dcs', 'cabinet-member')
    """
    low = title.lower().replace("’", "'")
    for pattern, role in _ROLE_RES:
        if pattern.search(low):
            if role == "cabinet-member" and _CHILDREN.search(low) and "deputy leader" not in low:
                return "lead-member"
            return role
    return None


def organisation_of(title: str, role: str) -> str | None:
    """The body a title names, as written, where it is not the authority's own post: "Ofsted", "the Department for
    Education", "Improvement Board", "Brighter Futures for Children"; None for the authority's own posts."""
    if re.search(r"\bHMI\b|\bOfsted\b", title):
        return "Ofsted"
    if re.search(r"Department for Education|\bDfE\b", title) or role == "minister":
        return "Department for Education"
    body = re.search(r"\b(?:of|for)\s+(?:the\s+)?((?:[A-Z][\w’'&-]*\s+)*(?:Board|LSCB|Partnership|Trust|board))\b", title)
    if body and role in ("board-chair", "officer", "board-member"):
        return body.group(1)
    if body is None and role in ("board-chair", "officer") and re.search(r"\bLSCB\b", title):
        return "LSCB"
    company = re.match(r"Managing Director of (.+)", title)
    if company:
        return company.group(1)
    return None


@dataclass(frozen=True)
class PostMatch:
    """A person with a post, as a document writes it."""

    name: str  # as written, honorifics and suffixes kept
    title: str  # as written
    role: str
    organisation: str | None  # None: the authority's own post
    start: int
    end: int
    rule: str
    interim: bool = False
    began: str | None = None  # "2025-01" from "began in January 2025"

    @property
    def key(self) -> str:
        return name_key(self.name)


# --------------------------------------------------------------------------------------------
# The rules for posts
# --------------------------------------------------------------------------------------------

#: where a title stops: a verb of the sentence, a label, a sentence's end
_TITLE_STOP = re.compile(r"\s+(?:said|says|added|introduced|presented|gave|told|who|which|was|is|has|had|will|would|and\s+(?:the|a)\s|"
                         r"to\s+|joined|explained|reported|informed|highlighted|thanked|noted|confirmed|commented|"
                         r"suggested|answered|echoed|attended|spoke|welcomed)\b|\s*(?:Email|E-mail|Tel|Telephone|Phone)\s*:|"
                         r"[.;:!?](?:\s|$)|\n|\t|\s{3,}|[“\"]")
_CONTINUATION = re.compile(r"[A-Z&][\w’'&-]*(?:\s+(?:[A-Z&][\w’'&-]*|and|of|for|the|&))*")
_NAME_THEN_TITLE = re.compile(rf"^\s*(?:{NAME})\s*[,(]\s*(?:the\s+|now\s+)?{_TITLE_HEAD}")


#: the longest a post's title is read (a title runs to a verb or a sentence's end, well within it)
MAX_TITLE = 200


def _title_from(text: str, at: int, *, bracket: bool = False) -> tuple[str, int] | None:
    """The title that begins at text[at:], and where it ends: up to a verb, a label, a sentence's end, a closing
    bracket (``bracket``), or a comma not followed by more of a title ("…Corporate Director, Children and Young People")."""
    if bracket:
        close = _closing(text, at)
        if close is None:
            return None
        return text[at:close].strip(), close + 1
    limit = min(len(text), at + MAX_TITLE)
    stop = _TITLE_STOP.search(text, at, limit)
    end = stop.start() if stop else limit
    chunk = text[at:end]
    # " and Name, Title" or ", Name, Title": the next person's post begins
    nxt = re.search(rf"(?:,|\s+and)\s+(?={NAME}\s*[,(]\s*(?:the\s+|now\s+)?{_TITLE_HEAD})", chunk)
    if nxt and clean_name(re.match(NAME, chunk[nxt.end():]).group(0)):
        chunk = chunk[:nxt.start()]
    # segments after a comma continue the title only while they are title-case words ("Children and Young People")
    parts = chunk.split(",")
    kept = [parts[0]]
    for part in parts[1:]:
        if not part.strip() or not _CONTINUATION.fullmatch(part.strip()) or len(part.split()) > 7:
            break
        kept.append(part)
    title = ",".join(kept).strip(" ,–-")
    title = re.sub(r"\s+(?:and|with)$", "", title)
    return (title, at + len(",".join(kept))) if title else None


def _closing(text: str, at: int) -> int | None:
    """The index of the bracket closing the one just before text[at] (nesting counted), or None."""
    depth = 1
    for i in range(at, min(len(text), at + 300)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
        elif text[i] == "\n":
            return None
    return None


def _split_titles(title: str) -> list[str]:
    """"Intervention Advisor appointed by the DfE and Chair of the Improvement Board": two posts."""
    parts = re.split(rf"\s+and\s+(?={_TITLE_HEAD}\b)", title)
    return [p.strip() for p in parts if p.strip()]


_AT_BODY = re.compile(r"\s+(?:at|in)\s+(?P<body>the\s+(?:local\s+)?(?:council|authority)|[A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|of|and|"
                      r"for))*)\s*$")


def _post(name: str, title: str, start: int, end: int, rule: str, text: str) -> list[PostMatch]:
    name = clean_name(name) or ""
    out: list[PostMatch] = []
    if not name:
        return out
    for one in _split_titles(title):
        written = re.sub(r"^(?:the|a|an|now|our)\s+", "", one.strip(), flags=re.I)
        # "Essex County Council’s Cabinet Member for …", "Reading’s Lead Councillor for …": the authority's post
        written = re.sub(r"^(?:[A-Z][\w-]*\s+){1,4}?(?:(?:County|Borough|City|District)\s+)?(?:Council)?['’]s\s+(?=[A-Z])", "",
                         written)
        written = re.sub(r"^(?:[A-Z][\w-]*\s+)*?(?!Children)[A-Z][\w-]*['’]s\s+(?=[A-Z])", "", written)
        written = re.sub(r"\)\s+[A-Z&]{2,}$", ")", written)  # "(Interim DCS) B&NES": the authority's initials
        # "executive director at the council", "a Director of Children Services in Kent": where, after the title
        where = _AT_BODY.search(written)
        body = None
        if where:
            written, body = written[:where.start()], where.group("body")
            body = None if body.lower().startswith("the ") and body.split()[-1].lower() in ("council", "authority") else body
        role = role_of(written)
        if role is None:
            continue
        sentence = _sentence(text, start, end)
        out.append(PostMatch(name, written, role, body or organisation_of(written, role), start, end, rule,
                             interim=bool(re.search(r"(?i)\b(?:interim|acting)\b", written)), began=_began(sentence)))
    return out


#: how far around a match a rule reads for its sentence or clause (a sentence is shorter; a long one is cut there), so
#: that the work per match is bounded and a text is read in linear time whatever it holds
REACH = 600
_SENTENCE_END = re.compile(r"\.(?:\s|$)|\n")


def _sentence(text: str, start: int, end: int) -> str:
    lo = max(0, start - REACH)
    before = max(text.rfind(". ", lo, start), text.rfind("\n", lo, start)) + 1 or lo
    after = _SENTENCE_END.search(text, end, end + REACH)
    return text[max(before, lo):after.end() if after else min(len(text), end + REACH)]


def _began(sentence: str) -> str | None:
    """The start of a post a sentence states: "began in January 2025", "since March 2023", "appointed in 2021"."""
    m = re.search(rf"\b(?:began|started|joined|took up (?:the|her|his|their) (?:post|role)|appointed|in post)\b[^.]{{0,30}}?"
                  rf"\b(?:in|on|from|since)\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?({MONTH_PATTERN})?\s*(\d{{4}})", sentence) \
        or re.search(rf"\bsince\s+(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?({MONTH_PATTERN})\s+(\d{{4}})", sentence)
    if not m:
        return None
    day, month, year = m.group(1), m.group(2), m.group(3)
    if month is None:
        return year
    return f"{year}-{MONTHS[month.lower()]:02d}" + (f"-{int(day):02d}" if day else "")


_NAME_COMMA_TITLE = re.compile(rf"(?P<name>{NAME})(?:,|\.(?=\s+{_TITLE_HEAD}))\s+(?:the\s+|now\s+|our\s+)?"
                               rf"(?=(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*){{0,4}}['’]s\s+)?"
                               rf"(?:[A-Z][\w-]*\s+){{0,4}}?{_TITLE_HEAD}\b)")
_NAME_BRACKET_TITLE = re.compile(rf"(?P<name>{NAME})\s*\((?=\s*(?:[A-Z][\w’'-]*\s+){{0,4}}{_TITLE_HEAD}\b)")
_NAME_TITLE = re.compile(rf"(?P<name>{NAME})\s+(?={_TITLE_HEAD}\s+(?:of|for)\b)")
_TITLE_COMMA_NAME = re.compile(rf"(?i:\b(?:the|an?|our)\s+(?:new\s+|interim\s+|acting\s+|permanent\s+)?)"
                               rf"(?P<title>(?:[\w’'&-]+\s+){{0,3}}?(?i:commissioner|independent chair|chair(?:man|woman|person)?|"
                               rf"director of children[’']?s services|chief executive|dcs))\s*,\s+(?P<name>{NAME})")
_BRACKETED_NAME = re.compile(rf"\((?P<name>{NAME})\)")
_TITLE_BEFORE = re.compile(rf"(?P<title>{_TITLE_HEAD}[\w’'&,\s-]{{0,80}}?)\s*$")
_TITLE_NAME = re.compile(rf"(?P<title>\b(?:Mayor|Commissioner|Chief Executive|Leader|Independent Chair))\s+(?:in\s+)?"
                         rf"(?P<name>{NAME})")
_LABEL_NAME = re.compile(rf"(?im)^\s*(?P<label>lead officer|contact officer|report author|officer|author|contact)\s*:\s*"
                         rf"(?P<name>{NAME})(?:\s*,\s*(?=\S))?")
_COMMA_TITLE = re.compile(rf"\s*,\s*{_TITLE_HEAD}")
_TITLE_HEAD_RE = re.compile(rf"\b{_TITLE_HEAD}")
#: "Robert Henderson, almost a year since he took up the post of executive director", "Jane Roe was appointed as …"
_TOOK_UP = re.compile(rf"(?P<name>{NAME})\b[^.\n]{{0,80}}?\b(?:took up|has taken up|taken up|was appointed(?: to| as)?|"
                      rf"has been appointed(?: to| as)?|joined (?:the council |the authority )?as|became)\s+"
                      rf"(?:the\s+(?:post|role|position)\s+of\s+)?(?:the\s+|an?\s+|its\s+)?(?={_TITLE_HEAD})")
_BRACKET_PHONE = re.compile(rf"\((?P<name>{NAME})\s*[–—-]\s*(?:tel\.?\s*)?\+?\d[\d\s]{{6,}}\)", re.I)
_SERVED_AS = re.compile(rf"(?P<name>{NAME})\s+(?:had\s+|has\s+)?(?:served|acted|worked)\b[^.]{{0,40}}?\bas\s+(?:an?|the|its)\s+"
                        rf"(?P<title>(?:[\w’'-]+\s+){{0,2}}?(?:chair(?:man|woman|person)?|commissioner|adviser|advisor|director))\b")
_MEMBERS = re.compile(r"(?i)\b(?:who\s+)?(?:sat|sit|sits|serve[sd]?)\s+on\s+(?:the\s+)?(?P<board>[^:.\n]{3,80}?)\s*:\s*(?P<list>[^.\n]+)")
_MEMBER = re.compile(rf"(?P<title>(?:[A-Z][\w-]*\s+){{0,3}}?(?:Inspector|Superintendent|Sergeant|Constable|Dr|Professor)\s+)?"
                     rf"(?P<name>{NAME})\s*\((?P<org>[^()]{{2,80}})\)")


#: the head nouns of titles, to find quickly where a title may be (``_windows``)
_HEAD_RE = re.compile(r"(?i)\b(?:director|chief|chair(?:man|woman|person)?|leader|mayor|commissioner|member|councillor|holder|"
                      r"head of|hmi|inspector|minister|advis[oe]r|manager|officer|dcs)(?!s\b)")  # a plural is not one person's
#: how far before a title's head word its holder's name may begin, and how far after it a name may follow
_BEFORE_HEAD, _AFTER_HEAD = 160, 240


def _windows(text: str, anchor: re.Pattern[str], before: int, after: int) -> list[tuple[int, int]]:
    """The stretches of text around each match of ``anchor`` (a title's head word, a grade, a month), merged, each
    beginning at a word's start: the only places the rules that need one can match, so a long report is read quickly."""
    spans: list[tuple[int, int]] = []
    for h in anchor.finditer(text):
        lo = max(0, h.start() - before)
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        hi = min(len(text), h.end() + after)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], hi))
        else:
            spans.append((lo, hi))
    return spans


def posts_in(text: str) -> list[PostMatch]:
    """Every person with a post the text writes, by the rules above; one match per (name, role, span)."""
    found: list[PostMatch] = []

    def take(name: str, title: str, start: int, end: int, rule: str) -> None:
        found.extend(_post(name, title, start, end, rule, text))

    for lo, hi in _windows(text, _HEAD_RE, _BEFORE_HEAD, _AFTER_HEAD):
        for m in _NAME_COMMA_TITLE.finditer(text, lo, hi):
            got = _title_from(text, m.end())
            if got:
                take(m.group("name"), got[0], m.start(), got[1], "name, title")
        for m in _NAME_BRACKET_TITLE.finditer(text, lo, hi):
            got = _title_from(text, m.end(), bracket=True)
            if got:
                take(m.group("name"), got[0], m.start(), got[1], "name (title)")
        for m in _NAME_TITLE.finditer(text, lo, hi):
            got = _title_from(text, m.end())
            if got:
                take(m.group("name"), got[0], m.start(), got[1], "name title")
        for m in _TITLE_COMMA_NAME.finditer(text, lo, hi):
            take(m.group("name"), m.group("title"), m.start(), m.end(), "title, name")
        for m in _BRACKETED_NAME.finditer(text, lo, hi):  # "Director of Children's Services (Jane Smith)"
            title = _TITLE_BEFORE.search(text, max(lo, m.start() - 120), m.start())
            if title:
                take(m.group("name"), title.group("title"), title.start(), m.end(), "title (name)")
        for m in _SERVED_AS.finditer(text, lo, hi):
            take(m.group("name"), m.group("title"), m.start(), m.end(), "name served as title")
        for m in _TOOK_UP.finditer(text, lo, hi):
            got = _title_from(text, m.end())
            if got and len(_NAME_RE.findall(text[m.end("name"):m.end()])) == 0:  # no other person between
                take(m.group("name"), got[0], m.start(), got[1], "name took up the post of title")
        for m in _TITLE_NAME.finditer(text, lo, hi):
            take(m.group("name"), m.group("title"), m.start(), m.end(), "title name")
    for m in _LABEL_NAME.finditer(text):
        # "LEAD OFFICER: Barbara Peacock Executive Director (People)": the post on the line is the title after the name
        line_end = text.find("\n", m.start("name"))
        head = _TITLE_HEAD_RE.search(text, m.start("name"), line_end if line_end >= 0 else len(text))
        named = clean_name(text[m.start("name"):head.start()].strip(" ,\t")) if head else None
        got = _title_from(text, head.start()) if head and named else None
        if got and role_of(got[0]):
            take(named or "", got[0], m.start("name"), got[1], "label: name title")
        elif not _COMMA_TITLE.match(text, m.end("name")) or m.group("label").lower() != "contact":
            label = m.group("label").lower()
            take(m.group("name"), "Contact officer" if label == "contact" else m.group("label").strip().title()
                 if label != "officer" else "Officer", m.start("name"), m.end("name"), "label: name")
    for m in _BRACKET_PHONE.finditer(text):
        take(m.group("name"), "Contact officer", m.start(), m.end(), "(name – phone)")
    for board in _MEMBERS.finditer(text):
        for m in _MEMBER.finditer(board.group("list")):
            name = clean_name(m.group("name"))
            if not name:
                continue
            if re.search(_TITLE_HEAD, m.group("org")):
                continue  # "along with Helen Gore (LSCB Business Manager)": a post, not a member's employer
            title = (m.group("title") or "").strip()
            at = board.start("list") + m.start()
            found.append(PostMatch(name, title or "member", "board-member", m.group("org").strip(), at,
                                   board.start("list") + m.end(), "sat on the board: name (organisation)"))
    # one post per person and role in a document passage: the first, longest-titled rule's
    best: dict[tuple[str, str], PostMatch] = {}
    for p in sorted(found, key=lambda p: (p.start, -len(p.title))):
        k = (p.key, p.role)
        if k not in best:
            best[k] = p
    # a person named in a list of a board's members is its member, not (also) what a bracket says of their employer
    return sorted(best.values(), key=lambda p: p.start)


# --------------------------------------------------------------------------------------------
# Judgements
# --------------------------------------------------------------------------------------------

_Q = r"[‘'\"“”’]?"
GRADE_WORDS = (r"outstanding|good|requires?\s+improvement(?:\s+to\s+be\s+good)?|required\s+improvement(?:\s+to\s+be\s+good)?|"
               r"requiring\s+improvement|inadequate|adequate")
#: what says a grade is Ofsted's judgement: "judged", "rated", "graded as", "found to be", "remained", …
_TRIGGER = (r"(?:judged|rated|re-?graded|graded|found\s+to\s+be|remained|judgement\s+(?:was|is|of)|rating\s+of|"
            r"was\s+that\s+the\s+service|(?:overall\s+effectiveness|services?)\b[^.;,]{0,50}?\b(?:was|were|is|are))")
_GRADE = rf"{_Q}(?P<grade>{GRADE_WORDS}){_Q}"
_GRADE_WORD = re.compile(r"(?i)\b(?:outstanding|good|requir\w+\s+improvement|inadequate|adequate)\b")
# the trigger, up to seven words of what was judged ("rated our children's social care services"), then the grade
_JUDGED = re.compile(rf"(?i)\b(?:{_TRIGGER}|(?:rated|re-?graded|graded)(?:\s+(?!and\b|but\b)[\w’'()&-]+){{0,7}}?)\s+"
                     rf"(?:now\s+|again\s+|as\s+|to\s+be\s+|by\s+Ofsted\s+as\s+|that\s+)*(?:an?\s+)?{_GRADE}")
_SERVICE_REQUIRED = re.compile(r"(?i)\b(?:services?|it)\s+(?:still\s+|now\s+)?(?P<grade>required\s+improvement(?:\s+to\s+be\s+good)?)")
_GRADE_NOUN = re.compile(rf"(?i){_Q}(?P<grade>{GRADE_WORDS}){_Q}\s+(?:Ofsted\s+)?(?:judgement|rating|grading)s?\b")
_GRADE_SERVICE = re.compile(rf"(?i)\bproviding\s+an?\s+{_GRADE}\s+service")
# "Outstanding leadership", "‘outstanding’ leadership": a grade written as one (capitalised or quoted), not "good leadership"
_GRADE_LEADERSHIP = re.compile(r"(?<![\w’'])(?P<grade>Outstanding|Good|Inadequate|(?<=[‘'“\"])(?:outstanding|good|inadequate)"
                               r"(?=[’'”\"]))[’'”\"]?\s+(?i:leadership)\b")
# "upgraded from inadequate (in 2016)": the grade before; "moving from inadequate, to good": the grade now
_UPGRADED = re.compile(rf"(?i)\b(?:upgraded|moved|moving|improved|progressed)\s+from\s+{_GRADE}")
_AND_GRADE = re.compile(rf"(?i)^(?P<areas>[^.;]*?)\s+and\s+{_GRADE}(?=\s+in\b)")
_SAME_AS = re.compile(r"(?i)\bthe same grad(?:e|ing)\s+as\s+(?:in\s+)?(?P<year>(?:19|20)\d{2})")
#: a clause about something else: other authorities, a self-assessment, an aim, a negation
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_NOT_OURS = re.compile(rf"(?i)\d+\s*%|per\s*cent|\blocal authorities\b|\bcouncils\b|\bauthorities\b|self[- ]?assess|"
                       rf"\bno longer\b|\bno areas\b|\bnot\b(?!\s+(?:just|only|merely)\b)|\bareas that\b|\bcould\b|\bwould\b|"
                       rf"\bif\b|\b{_NUMBER}\s+out\s+of\b|\bof which\b|\b{_NUMBER}\s+(?:were|was|are|is|of)\b|\bproviders?\b|"
                       rf"\bhomes?\b|\bschools?\b|\bcentres?\b|\bsettings?\b|\bsampled\b|\bcases?\b|\bplans?\b")
#: a pronoun opening the clause: what it stands for is in the sentence before ("… one residential home. It was judged …")
_PRONOUN = re.compile(r"(?i)^\s*(?:it|this|they|these|which)\b")
#: an aim just before the grade: "achieving a 'good' rating", "towards a 'Good' outcome", "to make all services good"
_AIM = re.compile(r"(?i)\b(?:achiev\w*|towards|to\s+(?:become|get|reach)|aim\w*\s+(?:for|to)|secur\w*|make\s+all\s+services)"
                  r"\s+(?:an?\s+|the\s+)?[‘'\"“]?$")
#: where the subject of a judgement begins, after a break in the clause ("… is one of the reasons why Ofsted rated …")
_SUBJECT_BREAK = re.compile(r"(?i:\b(?:is|are|sees|why|because|that)\b)|\b(?:19|20)\d{2}(?=\s+[A-Z])")
AREAS: tuple[tuple[str, str], ...] = (
    (r"leadership\s+and\s+governance", "leadership-and-governance"),
    (r"effectiveness\s+of\s+help", "effectiveness-of-help"),
    (r"quality\s+of\s+practice", "quality-of-practice"),
    (r"impact\s+of\s+leaders|\bleadership\b", "impact-of-leaders"),
    (r"help\s+and\s+protection", "help-and-protection"),
    (r"care\s+leavers", "care-leavers"),
    (r"children\s+in\s+care|looked[- ]after", "children-in-care"),
    (r"\badoption\b", "adoption"),
    (r"\bfostering\b", "fostering"),
    (r"safeguarding\s+children\s+board|\blscb\b|effectiveness\s+of\s+the\s+board", "lscb"),
)
_AREA_RES = tuple((re.compile(rf"(?i){p}"), a) for p, a in AREAS)
_YEAR = r"(?:19|20)\d{2}"


@dataclass(frozen=True)
class JudgementMatch:
    """A grade a document states for its authority's services, with the area and the year where it says."""

    grade: str  # the grade scheme's concept: outstanding, good, requires-improvement, inadequate
    area: str  # overall, or one of AREAS
    year: int | None
    start: int
    end: int
    rule: str


def grade_of(words: str) -> str:
    """The grade scheme's concept for a grade as written ("adequate" is requires improvement, as Ofsted's tables give it)."""
    low = " ".join(words.lower().split())
    if low.startswith(("requir", "adequate")):
        return "requires-improvement"
    return low


def _areas(chunk: str) -> list[str]:
    found = []
    rest = chunk
    for pattern, area in _AREA_RES:
        if pattern.search(rest):
            found.append(area)
            rest = pattern.sub(" ", rest)
    return found


#: where a clause ends: a sentence's end, a semicolon, a line break (a web page's lines are its blocks)
_CLAUSE_END = re.compile(r"[.;!?](?=\s)|\n")
#: ... in wrapped text (a PDF's lines break inside sentences): a blank line, a bullet, or a break after punctuation
_WRAPPED_CLAUSE_END = re.compile(r"[.;!?](?=\s)|\n[ \t]*\n|\n[ \t]*[•·Ø▪]|(?<=[.:;!?)\]])[ \t]*\n")


def _clause(text: str, start: int, end: int, wrapped: bool = False) -> tuple[int, int]:
    """The clause around text[start:end]: from the last clause end before it to the next one."""
    ends = _WRAPPED_CLAUSE_END if wrapped else _CLAUSE_END
    before = max(0, start - REACH)
    for m in ends.finditer(text, before, start):
        before = m.end()
    after = ends.search(text, end, end + REACH)
    return before, after.start() if after else min(len(text), end + REACH)


def _year(text: str, start: int, end: int, clause: tuple[int, int], claimed: set[int]) -> int | None:
    """The year a grade is for: "(in 2016)" or "in 2020" just after it, else the nearest year before it in the clause."""
    after = re.match(rf"[’'”\"]?\s*(?:\(\s*in\s+|in\s+(?:{MONTH_PATTERN}\s+)?|Ofsted\s+rating\s+in\s+)({_YEAR})\b",
                     text[end:end + 40])
    if after:
        claimed.add(end + after.start(1))
        return int(after.group(1))
    years = [m for m in re.finditer(rf"\b({_YEAR})\b", text[clause[0]:start]) if clause[0] + m.start() not in claimed]
    return int(years[-1].group(1)) if years else None


def judgements_in(text: str, wrapped: bool = False) -> list[JudgementMatch]:
    """The grades a text states for the services it is about, in prose ("judged 'Good'", "rated inadequate", "the
    service required improvement", "upgraded from inadequate (in 2016)") and in a table of areas and years; not a
    share of other authorities', a self-assessment, an aim or a negation ("no longer inadequate"). ``wrapped``: the
    text's lines break inside sentences (a PDF's), so a line break alone does not end a clause."""
    out: list[JudgementMatch] = []
    claimed: set[int] = set()
    spans: list[tuple[re.Match[str], str]] = []
    for lo, hi in _windows(text, _GRADE_WORD, 200, 80):
        for rule, pattern in (("judged", _JUDGED), ("service required", _SERVICE_REQUIRED), ("grade judgement", _GRADE_NOUN),
                              ("providing a grade service", _GRADE_SERVICE), ("grade leadership", _GRADE_LEADERSHIP),
                              ("upgraded from", _UPGRADED)):
            spans.extend((m, rule) for m in pattern.finditer(text, lo, hi))
    for m, rule in sorted(spans, key=lambda s: s[0].start("grade")):
        clause = _clause(text, m.start(), m.end(), wrapped)
        lead = text[clause[0]:m.start("grade")]
        if _PRONOUN.match(lead):
            lead = text[_clause(text, max(0, clause[0] - 2), max(0, clause[0] - 2), wrapped)[0]:m.start("grade")]
        if _NOT_OURS.search(lead) or _AIM.search(text[max(clause[0], m.start("grade") - 40):m.start("grade")]):
            continue
        grade = grade_of(m.group("grade"))
        tail = text[m.end("grade"):clause[1]]
        nxt = re.search(rf"(?i)\band\s+{_GRADE}", tail)
        own = tail[:nxt.start()] if nxt else tail
        areas = ["impact-of-leaders"] if rule == "grade leadership" else (
            _areas(own[:120]) if re.match(r"(?i)\s*[’'”\"]?\s*(?:in|for)\b", own) else [])
        if not areas:
            before_trigger = lead[:max(0, m.start() - (m.start("grade") - len(lead)))]
            breaks = list(_SUBJECT_BREAK.finditer(before_trigger))
            subject = lead[breaks[-1].end():] if breaks else lead[-110:]
            # "child protection, adoption and looked-after children services": a list of every service is the whole
            areas = [] if re.search(r",[^,]*\band\b", subject) else _areas(subject)
            areas = areas or ["overall"]
            if "overall" in lead.lower() or "overall" in own[:40].lower():
                areas = [a for a in areas if a == "impact-of-leaders" and rule == "grade leadership"] or ["overall"]
        year = _year(text, m.start("grade"), m.end(), clause, claimed)
        out.extend(JudgementMatch(grade, a, year, m.start("grade"), m.end("grade"), rule) for a in areas)
        # "… adequate in A and B categories and inadequate in respect of C": the next grade of the same clause
        if nxt and rule == "judged":
            g2 = grade_of(nxt.group("grade"))
            rest = tail[nxt.end():]
            at = m.end("grade") + nxt.start("grade")
            out.extend(JudgementMatch(g2, a, year, at, at + len(nxt.group("grade")), "and grade")
                       for a in (_areas(rest[:120]) or ["overall"]))
        same = _SAME_AS.search(text, m.end(), clause[1] + 80)
        if same and same.start() - m.end() < 60:
            out.append(JudgementMatch(grade, areas[0], int(same.group("year")), same.start(), same.end(), "the same grading as"))
    out.extend(_table(text))
    seen: set[tuple] = set()
    unique: list[JudgementMatch] = []
    for j in out:
        if (j.grade, j.area, j.year) not in seen:
            seen.add((j.grade, j.area, j.year))
            unique.append(j)
    return unique


def _table(text: str) -> list[JudgementMatch]:
    """A judgement table laid out one cell a line: a header of years ("2024 Grade", "2019 Grade"), then each area's
    line followed by its grades in the header's order. An area with fewer grades than years is ambiguous: left out."""
    lines = [(m.start(), m.group(0).strip()) for m in re.finditer(r"[^\n]+", text) if m.group(0).strip()]
    years: list[int] = []
    out: list[JudgementMatch] = []
    i = 0
    while i < len(lines):
        head = re.fullmatch(rf"({_YEAR})\s+(?:grade|judgement|rating)s?", lines[i][1], re.I)
        if head:
            years = [int(head.group(1))]
            while i + 1 < len(lines) and (h := re.fullmatch(rf"({_YEAR})\s+(?:grade|judgement|rating)s?", lines[i + 1][1], re.I)):
                years.append(int(h.group(1)))
                i += 1
            i += 1
            continue
        area = concepts.match("judgement-area", lines[i][1]) if years else None
        if area is not None:
            grades = []
            j = i + 1
            while j < len(lines) and re.fullmatch(rf"(?i){GRADE_WORDS}", lines[j][1]):
                grades.append(grade_of(lines[j][1]))
                j += 1
            if len(grades) == len(years):
                name = _coarse_area(area.name)
                out.extend(JudgementMatch(g, name, y, lines[i][0], lines[j - 1][0] + len(lines[j - 1][1]), "table")
                           for g, y in zip(grades, years, strict=True))
            i = j
            continue
        i += 1
    return out


def _coarse_area(name: str) -> str:
    """The framework-independent area of a judgement-area concept: "ilacs-help-and-protection" -> "help-and-protection"."""
    for prefix in ("ilacs-", "sif-"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return {"overall-effectiveness": "overall", "looked-after": "children-in-care", "leadership": "impact-of-leaders"}.get(name, name)


# --------------------------------------------------------------------------------------------
# Inspections and visits
# --------------------------------------------------------------------------------------------

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10}
_D = r"(\d{1,2})(?:st|nd|rd|th)?"
_M = rf"({MONTH_PATTERN})"
_WEEKDAY = r"(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
#: "11 and 20 March 2013", "21st February to 4th March 2022", "Wednesday, 9 January 2019 and Thursday, 10 January 2019",
#: "21 - 22 February 2024", "13 and 24 February"; "September 16-27"
_RANGE = (rf"{_WEEKDAY}{_D}(?:\s+{_M})?(?:\s+(\d{{4}}))?\s*(?:to|and|-|–|—)\s*{_WEEKDAY}{_D}\s+{_M}(?:\s+(\d{{4}}))?"
          rf"|{_M}\s+{_D}\s*(?:-|–|to)\s*{_D}(?:,?\s+(\d{{4}}))?")
_MONTH_WORD = re.compile(rf"(?i)\b{MONTH_PATTERN}\b")
_VISIT_KIND = r"(?P<kind>monitoring\s+visit|focused\s+visit|re-?inspection|inspection|inspected|visited|visit)"


@dataclass(frozen=True)
class VisitMatch:
    """An inspection or visit a text dates: its kind, number where stated, and fieldwork at the precision written."""

    kind: str  # inspection, focused-visit, monitoring-visit
    start_date: str  # 2019-01-15, or --02-13 when the year is left out
    end_date: str
    number: int | None
    start: int
    end: int


def _iso(year: str | None, month: str, day: str) -> str:
    return f"{year}-{MONTHS[month.lower()]:02d}-{int(day):02d}" if year else f"--{MONTHS[month.lower()]:02d}-{int(day):02d}"


def _range(m: re.Match[str], base: int) -> tuple[str, str] | None:
    g = m.groups()[base:base + 11]
    if g[0] is not None:
        d1, m1, y1, d2, m2, y2 = g[0], g[1] or g[4], g[2] or g[5], g[3], g[4], g[5]
    else:
        m1, d1, d2, y1 = g[6], g[7], g[8], g[9]
        m2, y2 = m1, y1
    try:
        start, end = _iso(y1, m1, d1), _iso(y2, m2, d2)
    except KeyError:
        return None
    return (start, end) if start <= end or start.startswith("--") else None


_VISIT_THEN_DATES = re.compile(rf"(?i)(?:\bthe\s+(?P<ord>{'|'.join(_ORDINALS)})\s+(?:Ofsted\s+)?)?{_VISIT_KIND}\b[^.\n]{{0,120}}?"
                               rf"(?:\b(?:on|between|from|of|took place|for)|\s[-–—:])\s+(?:the\s+)?(?:{_RANGE})")
#: "the inspection … in July 2022", "In April 2024 the Council’s Children’s Services … were inspected", "last inspected … in
#: September 2019": a month
_VISIT_MONTH = re.compile(rf"(?i)\b{_VISIT_KIND}\b(?:[^.\n]{{0,90}}?\s)?in\s+{_M}\s+(\d{{4}})\b"
                          rf"|\bin\s+{_M}\s+(\d{{4}})\b[^.\n]{{0,90}}?\b(?:were|was)\s+(?P<kind3>inspected)\b")
_DATES_THEN_VISIT = re.compile(rf"(?i)\bbetween\s+(?:{_RANGE})\s+(?:[^.\n]{{0,30}}?)\b(?:conducted|carried out|undertook)\s+an?\s+"
                               rf"(?P<kind2>monitoring\s+visit|focused\s+visit|inspection)")
_ORDINAL_BEFORE = re.compile(rf"(?i)\b({'|'.join(_ORDINALS)})\s+(?:Ofsted\s+)?monitoring\s+visit")


def _kind(words: str) -> str:
    low = " ".join(words.lower().split())
    return {"monitoring visit": "monitoring-visit", "focused visit": "focused-visit", "visit": "visit"}.get(low, "inspection")


def visits_in(text: str) -> list[VisitMatch]:
    """Inspections and visits with the dates a text gives them ("the fifth monitoring visit took place on 28–29 April
    2021", "between 11 and 20 March 2013", "Between Wednesday, 9 January 2019 and Thursday, 10 January 2019 Ofsted
    conducted a focused visit")."""
    out: list[VisitMatch] = []
    windows = _windows(text, _MONTH_WORD, 220, 130)
    for m in (m for lo, hi in windows for m in _VISIT_THEN_DATES.finditer(text, lo, hi)):
        dates = _range(m, 2)
        if dates:
            number = _ORDINALS.get((m.group("ord") or "").lower())
            if number is None and (o := _ORDINAL_BEFORE.search(text, max(0, m.start() - 40), m.end())):
                number = _ORDINALS[o.group(1).lower()]
            kinds = re.findall(_VISIT_KIND, m.group(0), re.I)  # the kind nearest the dates: "Inspection …, the next
            out.append(VisitMatch(_kind(kinds[-1]), *dates, number, m.start(), m.end()))  # Monitoring Visit … 14-15 March"
    for m in (m for lo, hi in windows for m in _DATES_THEN_VISIT.finditer(text, lo, hi)):
        dates = _range(m, 0)
        if dates:
            out.append(VisitMatch(_kind(m.group("kind2")), *dates, None, m.start(), m.end()))
    for m in (m for lo, hi in windows for m in _VISIT_MONTH.finditer(text, lo, hi)):
        if any(v.start <= m.start() < v.end for v in out) or re.search(r"(?i)\bframework\b", m.group(0)):
            continue  # dated already; "the inspection framework that became operational in December 2022"
        month, year = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        at = f"{year}-{MONTHS[month.lower()]:02d}"
        out.append(VisitMatch(_kind(m.group("kind") or m.group("kind3")), at, at, None, m.start(), m.end()))
    seen: set[tuple[str, str]] = set()
    unique = []
    for v in out:
        if (v.start_date, v.end_date) not in seen:
            seen.add((v.start_date, v.end_date))
            unique.append(v)
    return unique


# --------------------------------------------------------------------------------------------
# Decisions, interventions and the document's own date
# --------------------------------------------------------------------------------------------

_RESOLVED = re.compile(r"\bRESOLVED\b[ \t]*[:,—–-]?[ \t]*(?P<text>[^\n]+?)(?=\n|$)")
_DECISION = re.compile(r"(?m)^[ \t]*Decision:[ \t]*\n(?:[ \t]*\n)*[ \t]*(?P<text>That:?[^\n]*(?:\n(?:[ \t]*\n)*[ \t]*[a-z]\)[^\n]+)*)")
#: what government does after an inadequate judgement, as councils write it
INTERVENTIONS: tuple[tuple[str, str], ...] = (
    (r"\b(?:appointed|appoint|appointment of)\s+(?:a|an|the)\s+(?:government\s+|children['’]s services\s+)?commissioner\b", "commissioner"),
    (r"\b(?:statutory\s+direction|direction\s+notice)\b", "statutory-direction"),
    (r"\bimprovement\s+notice\b", "improvement-notice"),
    (r"\b(?:establish\w*|set up|established|overseen by)\s+(?:an?\s+|the\s+)?(?:monthly\s+|new\s+)?improvement\s+board\b|"
     r"\bimprovement\s+board\s+(?:has|had)\s+been\s+(?:established|set up)\b", "improvement-board"),
)
_INTERVENTION_RES = tuple((re.compile(rf"(?i){p}"), kind) for p, kind in INTERVENTIONS)
_DOCUMENT_DATE = re.compile(rf"(?im)^[ \t]*(?:Published[ \t]+)?{_WEEKDAY}{_D}[ \t]+{_M}[ \t]+(\d{{4}})[ \t]*$|"
                            rf"^[ \t]*(?:Publication date|Date of decision):[ \t]*(\d{{2}})/(\d{{2}})/(\d{{4}})[ \t]*$")


@dataclass(frozen=True)
class Stated:
    """Something a document states once, with its span: a decision's words, an intervention's kind and year."""

    kind: str
    value: str
    start: int
    end: int
    year: int | None = None


def decisions_in(text: str) -> list[Stated]:
    """What a meeting decided, in its own words: "RESOLVED that …", "The Board RESOLVED to note …", and a decision
    record's "Decision: That: a) Cabinet receive and note …"."""
    out = [Stated("decision", " ".join(m.group("text").split()), m.start(), m.end()) for m in _RESOLVED.finditer(text)]
    out += [Stated("decision", " ".join(m.group("text").split()), m.start(), m.end()) for m in _DECISION.finditer(text)]
    return [d for d in out if len(d.value) > 8]


def interventions_in(text: str) -> list[Stated]:
    """The interventions a text says the authority was subject to (a commissioner, a statutory direction, an
    improvement notice, an improvement board), once each, with the year just after it ("… which was issued in 2022")."""
    out: list[Stated] = []
    for pattern, kind in _INTERVENTION_RES:
        m = pattern.search(text)
        if m:
            year = re.match(rf"[^.;\n]{{0,25}}?\b(?:in|from|since)\s+({_YEAR})\b", text[m.end():m.end() + 40])
            out.append(Stated("intervention", kind, m.start(), m.end(), int(year.group(1)) if year else None))
    return out


def document_date(text: str) -> str | None:
    """The date a page gives itself near its top: a line that is a date ("27 April 2016", "Published Thursday, 17
    January 2019") or a decision record's "Publication date: 28/03/2024"."""
    m = _DOCUMENT_DATE.search(text[:1500])
    if not m:
        return None
    if m.group(1):
        return _iso(m.group(3), m.group(2), m.group(1))
    return f"{m.group(6)}-{m.group(5)}-{m.group(4)}"
