"""The national Ofsted loader: official statistics on local authority children's services inspections.

Reads the layouts Ofsted publishes (as ODS workbooks, or the same tables as CSV):

- *latest judgements*: one row per authority with its most recent judgements
  (``Inspections_as_at_31_March``);
- *in-year*: inspections and visits of a year, with visit type and theme (``In-year_inspections``);
- *ILACS history*: every ILACS inspection since 2018, with authority status (``ILACS_inspection_history``);
- *2009-2023 history*: one wide row per authority with SLAC, CPI, TLAC, first SIF (with LSCB),
  SIF re-inspection, first and second ILACS (``LA_inspections_2009-2023``), and a second table for
  authorities that existed before a restructure.

The header row is found by content, columns are matched by meaning (spacing, case and line breaks
do not matter), and an unexpected layout is an error naming the sheet and the column. Each workbook
is one source (an official release) whose facts go into its own named graph. Authorities get the
same IRIs as the curated ones (GSS code); rows that name an authority without a code are matched by
name through the authority lookup. The same inspection seen in several releases, or in a seed
document, is one node; where releases disagree on a value both values are kept, each in its graph.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from councilkg.errors import LayoutError, LoadError, Problem
from councilkg.model import concepts, iris
from councilkg.model.dates import PartialDate, parse_partial_date
from councilkg.model.iris import RDF_TYPE, ckg, dcterms, org, prov, rdfs, skos
from councilkg.sources.kind import GraphKind, Inputs, Option, Reading, SourceKind
from councilkg.store import GraphPayload

#: the kinds of graph an official release's facts and the authority lookup go in
RELEASES = GraphKind("ofsted", order=20)
LOOKUP = GraphKind("lookup", order=30, shapes=True)
OGL = NamedNode("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")
OFSTED = iris.organisation("ofsted")
#: the most characters a cell of an Ofsted table that the loader reads may hold (the official tables' longest hold a
#: few dozen): a longer one is an error naming it, not text copied into the graph
MAX_CELL = 2000
Progress = Callable[[str], None]


def _norm(text: Any) -> str:
    """Lower case, single spaces, no line breaks: how headers are compared."""
    return " ".join(str(text).replace("\u2019", "'").lower().split())


def norm_name(text: str) -> str:
    """An authority name reduced for matching: 'Bournemouth, Christchurch & Poole' == '... and Poole'."""
    text = str(text).replace("\u2019", "'").replace("&", " and ").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


# --------------------------------------------------------------------------------------------
# Reading tables
# --------------------------------------------------------------------------------------------


@dataclass
class Table:
    """One table of a sheet: its header (normalised) and its rows with their spreadsheet row numbers."""

    file: str
    sheet: str
    header_row: int  # 1-based
    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    layout: str = ""
    columns: dict[str, int] = field(default_factory=dict)

    def where(self, row: int | None = None, column: str | None = None) -> str:
        place = f"sheet {self.sheet!r}"
        if row is not None:
            place += f", row {row}"
        if column is not None:
            place += f", column {column!r}"
        return place


@dataclass
class Workbook:
    path: Path
    sheets: dict[str, list[list[Any]]]
    cover: dict[str, Any]
    digest: str


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return isinstance(value, str) and not value.strip()


def read_workbook(path: Path) -> Workbook:
    """Read every sheet of an ODS/XLSX workbook, or a CSV as one sheet named after the file."""
    import pandas as pd  # here, not at the top: pandas takes a while to import, and only a workbook needs it

    if not path.is_file():
        raise LoadError.single(path, "no such file")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            sheets = {path.stem: frame.values.tolist()}
        elif suffix in (".ods", ".xlsx", ".xls"):
            frames = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
            sheets = {name: frame.astype(object).values.tolist() for name, frame in frames.items()}
        else:
            raise LoadError.single(path, f"not an Ofsted table: expected .ods, .xlsx or .csv, not {suffix or 'no extension'}")
    except LoadError:
        raise
    except UnicodeDecodeError as exc:
        raise LoadError.single(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except Exception as exc:  # the readers raise many kinds of error for a damaged file
        raise LoadError.single(path, f"cannot read it as a {suffix[1:].upper()} table: {exc}") from None
    cover: dict[str, Any] = {}
    for name, rows in sheets.items():
        if name.lower().startswith("cover"):
            if rows and not _blank(rows[0][0]):
                cover["title"] = str(rows[0][0]).strip()
            for row in rows:
                if len(row) >= 2 and isinstance(row[0], str) and not _blank(row[1]):
                    cover[_norm(row[0]).rstrip(":")] = row[1]
                elif row and isinstance(row[0], str) and "open government licence" in row[0].lower():
                    cover["licence"] = "Open Government Licence"
    return Workbook(path, sheets, cover, digest)


# Column meanings, by layout. Each pattern is searched for in the normalised header.
_ILACS_AREAS = {
    "oe": (r"^overall effectiveness$", "ilacs-overall"),
    "leaders": (r"impact of leaders", "ilacs-impact-of-leaders"),
    "help": (r"help and protection", "ilacs-help-and-protection"),
    "care": (r"progress of children in care", "ilacs-children-in-care"),
    "leavers": (r"progress of care leavers", "ilacs-care-leavers"),
}
_COMMON = {
    "link": (r"^web link$", False),
    "gss": (r"area code|^la code$|^gss code$", True),
    "name": (r"^local authority name$|^local authority$", True),
    "region": (r"region", False),
}
LAYOUTS: dict[str, dict[str, tuple[str, bool]]] = {
    "latest": {
        **_COMMON,
        "date": (r"^inspection date$", True),
        "published": (r"^publication date$", True),
        **{k: (p, k != "leavers") for k, (p, _) in _ILACS_AREAS.items()},
    },
    "in-year": {
        **_COMMON,
        "date": (r"^inspection/visit date$|^inspection date$|^visit date$", True),
        "published": (r"^publication date$", True),
        "type": (r"^inspection/visit type$|^visit type$", True),
        "theme": (r"visit theme", True),
        **{k: (p, False) for k, (p, _) in _ILACS_AREAS.items()},
    },
    "ilacs-history": {
        **_COMMON,
        "status": (r"local authority status", True),
        "date": (r"^inspection date$", True),
        "published": (r"^publication date$", True),
        "type": (r"^inspection type$", True),
        **{k: (p, k != "leavers") for k, (p, _) in _ILACS_AREAS.items()},
    },
    "history-2009": {
        "link": (r"^web link$", False),
        "name": (r"^local authority name$", True),
        "region": (r"^la region$|region", False),
        "authority_type": (r"authority type", False),
    },
}

# The 2009-2023 history: one group of columns per inspection, each with its publication date.
# (group key, column label pattern prefix, inspection type, judgement areas by column pattern)
_HIST_GROUPS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    ("slac", r"^safeguarding & looked after children \(slac\) inspection publication date$", "slac",
     [(r"^slac safeguarding overall effectiveness", "slac-safeguarding"),
      (r"^slac looked after children overall effectiveness", "slac-looked-after")]),
    ("slac-rs", r"^slac re-inspection of safeguarding publication date$", "slac-reinspection-safeguarding",
     [(r"^slac re-inspection safeguarding oe", "slac-safeguarding")]),
    ("slac-rl", r"^slac re-inspection of services for children looked after publication date$", "slac-reinspection-looked-after",
     [(r"^slac re-inspection of services children looked after oe", "slac-looked-after")]),
    ("cpi", r"^child protection inspections \(cpi\) publication date$", "cpi", [(r"^cpi overall effectiveness", "cpi-overall")]),
    ("cpri", r"^child protection re-inspection \(cpri\) publication date$", "cpri", [(r"^cpri overall effectiveness", "cpi-overall")]),
    ("tlac", r"^targeted looked after children \(tlac\) inspection publication date$", "tlac",
     [(r"^tlac overall effectiveness", "tlac-overall")]),
    ("sif", r"first sif publication date$", "sif",
     [(r"^first sif overall judgement", "sif-overall"), (r"^first sif children who need help and protection", "sif-help-and-protection"),
      (r"^first sif children looked after and achieving permanence", "sif-looked-after"),
      (r"^first sif cla sub: adoption performance", "sif-adoption"),
      (r"^first sif cla sub: experiences and progress of care leavers", "sif-care-leavers"),
      (r"^first sif leadership, management and governance", "sif-leadership"), (r"^lscb overall effectiveness", "sif-lscb")]),
    ("sif-r", r"sif re-inspection publication date$", "sif-reinspection",
     [(r"^sif re-inspection overall judgement", "sif-overall"),
      (r"^sif re-inspection children who need help and protection", "sif-help-and-protection"),
      (r"^sif re-inspection children looked after and achieving permanence", "sif-looked-after"),
      (r"^sif re-inspection cla sub: adoption performance", "sif-adoption"),
      (r"^sif re-inspection cla sub: experiences and progress of care leavers", "sif-care-leavers"),
      (r"^sif re-inspection leadership, management and governance", "sif-leadership")]),
]
_HIST_ILACS = [("ilacs-1", "first ilacs framework"), ("ilacs-2", "second ilacs framework"), ("ilacs", "ilacs framework")]
_HIST_ILACS_AREAS = [("overall effectiveness", "ilacs-overall"), ("impact of leaders", "ilacs-impact-of-leaders"),
                     ("help and protection", "ilacs-help-and-protection"),
                     ("children in care and care leavers", "ilacs-children-in-care"),
                     ("children in care", "ilacs-children-in-care"), ("care leavers", "ilacs-care-leavers")]


# Sheets of the official releases: a layout problem in one of these is an error, not a skip.
OFFICIAL_SHEETS = {"inspections_as_at_31_march", "in-year_inspections", "ilacs_inspection_history", "la_inspections_2009-2023"}


def _classify(headers: list[str]) -> str | None:
    joined = " | ".join(headers)
    if "local authority name" not in joined and "local authority" not in headers:
        return None
    if "first sif publication date" in joined or "(slac)" in joined:
        return "history-2009"
    if "local authority status" in joined:
        return "ilacs-history"
    if "visit theme" in joined or "inspection/visit type" in joined:
        return "in-year"
    if "overall effectiveness" in joined and "publication date" in joined:
        return "latest"
    return None


def find_tables(book: Workbook) -> list[Table]:
    """Every table of a known layout in the workbook, with its header row found by content."""
    tables: list[Table] = []
    for sheet, rows in book.sheets.items():
        current: Table | None = None
        for index, row in enumerate(rows):
            cells = [_norm(c) if not _blank(c) else "" for c in row]
            layout = _classify(cells) if any(cells) else None
            if layout is not None:
                current = Table(book.path.name, sheet, index + 1, cells, [], layout)
                tables.append(current)
                continue
            if current is None:
                continue
            if not any(cells):
                current = None  # a blank row ends a table
                continue
            if sum(1 for c in cells if c) == 1 and not _blank(row[0]) and current.rows and isinstance(row[0], str) \
                    and row[0].lower().startswith("table"):
                current = None  # a title row starts the next table
                continue
            current.rows.append((index + 1, list(row)))
    return tables


def _map_columns(table: Table) -> None:
    spec = LAYOUTS[table.layout]
    for key, (pattern, required) in spec.items():
        regex = re.compile(pattern)
        matches = [i for i, h in enumerate(table.headers) if h and regex.search(h)]
        if key == "region":
            matches = [i for i in matches if "code" not in table.headers[i]]
        if matches:
            table.columns[key] = matches[0]
        elif required:
            raise LayoutError([Problem(table.file, table.header_row, key,
                                       f"{table.where()}: no column for {key.replace('_', ' ')} "
                                       f"(expected a header like {pattern.strip('^$').split('|')[0]!r})")])


# --------------------------------------------------------------------------------------------
# Rows to records
# --------------------------------------------------------------------------------------------


@dataclass
class InspectionRecord:
    table: Table
    row: int
    gss: str | None
    name: str
    published: PartialDate
    itype: str  # inspection-type concept name
    start: PartialDate | None = None
    theme: str | None = None
    judgements: list[tuple[str, str, str]] = field(default_factory=list)  # (area, grade concept, as written)
    region: str | None = None
    status: str | None = None
    authority_type: str | None = None
    pre_restructure: bool = False
    key: str = ""

    @property
    def graded(self) -> bool:
        return bool(self.judgements) or self.itype not in ("monitoring-visit", "focused-visit")


def _value(table: Table, rownum: int, row: list[Any], index: int | None) -> Any:
    """The value of a row's cell at index (None when blank or absent). Raises LoadError, naming the file, sheet, row
    and column, for a text longer than MAX_CELL."""
    if index is None or index >= len(row) or _blank(row[index]):
        return None
    value = row[index]
    if isinstance(value, str) and len(value) > MAX_CELL:
        column = table.headers[index] if index < len(table.headers) and table.headers[index] else f"column {index + 1}"
        raise LoadError([Problem(table.file, rownum, column, f"{table.where(rownum, column)}: {len(value):,} characters, "
                                                             f"more than the {MAX_CELL:,} a cell of an Ofsted table may hold")])
    return value


def _cell(table: Table, rownum: int, row: list[Any], key: str) -> Any:
    """The value of the row's cell in the column mapped to key (see ``_value``)."""
    return _value(table, rownum, row, table.columns.get(key))


def _date(table: Table, rownum: int, column: str, value: Any) -> PartialDate:
    if isinstance(value, (dt.datetime, dt.date)):
        return parse_partial_date(value)
    text = str(value).strip()
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
    if match:
        text = f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    text = text.split(" ")[0].split("T")[0]
    try:
        date = parse_partial_date(text)
    except ValueError as exc:
        raise LoadError([Problem(table.file, rownum, column, f"{table.where(rownum, column)}: {exc}")]) from None
    if date.precision != "day":
        raise LoadError([Problem(table.file, rownum, column, f"{table.where(rownum, column)}: {text!r} is not a full date")])
    return date


def _grade(table: Table, rownum: int, column: str, value: Any) -> tuple[str, str] | None:
    text = str(value).strip()
    if text in ("-", "–", "n/a", "N/A", ".", "x"):
        return None
    concept = concepts.match("grade", text)
    if concept is None:
        raise LoadError([Problem(table.file, rownum, column,
                                 f"{table.where(rownum, column)}: {text[:60]!r} is not an Ofsted grade "
                                 f"(expected Outstanding, Good, Requires improvement to be good or Inadequate)")])
    return concept.name, text


def _itype(table: Table, rownum: int, column: str, value: Any) -> str:
    text = str(value).strip()
    concept = concepts.match("inspection-type", text)
    if concept is None:
        raise LoadError([Problem(table.file, rownum, column,
                                 f"{table.where(rownum, column)}: unknown inspection or visit type {text[:60]!r} (expected one of: "
                                 f"ILACS Standard Inspection, ILACS Short Inspection, ILACS Focused Visit, LA Monitoring visit)")])
    return concept.name


def _header_of(table: Table, key: str) -> str:
    return table.headers[table.columns[key]] if key in table.columns else key


def records_from(table: Table) -> list[InspectionRecord]:
    """Read a table's rows into inspection records (with the authority they concern)."""
    _map_columns(table)
    if table.layout == "history-2009":
        return _records_2009(table)
    records: list[InspectionRecord] = []
    for rownum, row in table.rows:
        name = _cell(table, rownum, row, "name")
        gss = _cell(table, rownum, row, "gss")
        if name is None and gss is None:
            continue
        if name is None or gss is None:
            missing = "name" if name is None else "gss"
            raise LoadError([Problem(table.file, rownum, missing, f"{table.where(rownum, _header_of(table, missing))}: empty")])
        gss = str(gss).strip().upper()
        if not iris.GSS_RE.match(gss):
            raise LoadError([Problem(table.file, rownum, "gss", f"{table.where(rownum, _header_of(table, 'gss'))}: "
                                                                 f"{gss[:40]!r} is not an English local authority GSS code")])
        published_raw = _cell(table, rownum, row, "published")
        if published_raw is None:
            continue  # not yet published: nothing to record
        published = _date(table, rownum, _header_of(table, "published"), published_raw)
        start_raw = _cell(table, rownum, row, "date")
        start = _date(table, rownum, _header_of(table, "date"), start_raw) if start_raw is not None else None
        if table.layout == "latest":
            itype = "ilacs-inspection"
        else:
            type_raw = _cell(table, rownum, row, "type")
            if type_raw is None:
                raise LoadError([Problem(table.file, rownum, "type", f"{table.where(rownum, _header_of(table, 'type'))}: empty")])
            itype = _itype(table, rownum, _header_of(table, "type"), type_raw)
        record = InspectionRecord(table, rownum, gss, str(name).strip(), published, itype, start)
        region = _cell(table, rownum, row, "region")
        record.region = str(region).strip() if region is not None else None
        status = _cell(table, rownum, row, "status")
        if status is not None:
            concept = concepts.match("authority-status", str(status))
            if concept is None:
                raise LoadError([Problem(table.file, rownum, "status", f"{table.where(rownum, _header_of(table, 'status'))}: "
                                                                        f"unknown status {str(status)[:40]!r}")])
            record.status = concept.name
        theme = _cell(table, rownum, row, "theme")
        if theme is not None:
            concept = concepts.match("visit-theme", str(theme))
            if concept is None:
                raise LoadError([Problem(table.file, rownum, "theme", f"{table.where(rownum, _header_of(table, 'theme'))}: "
                                                                       f"unknown visit theme {str(theme)[:60]!r}")])
            record.theme = concept.name
        for key, (_pattern, area) in _ILACS_AREAS.items():
            value = _cell(table, rownum, row, key)
            if value is not None:
                graded = _grade(table, rownum, _header_of(table, key), value)
                if graded:
                    record.judgements.append((area, *graded))
        if start and published.earliest < start.earliest:
            raise LoadError([Problem(table.file, rownum, "published", f"{table.where(rownum, _header_of(table, 'published'))}: "
                                                                       f"published {published} before the inspection date {start}")])
        records.append(record)
    return records


def _records_2009(table: Table) -> list[InspectionRecord]:
    headers = table.headers
    pre_restructure = False
    # a table whose title row says the authorities existed before a restructure
    groups: list[tuple[str, int, list[tuple[int, str]], int | None]] = []  # (type, date col, areas, type col)
    for _key, date_pattern, itype, areas in _HIST_GROUPS:
        date_cols = [i for i, h in enumerate(headers) if re.search(date_pattern, h)]
        if not date_cols:
            raise LayoutError([Problem(table.file, table.header_row, itype, f"{table.where()}: no column for the "
                                       f"{itype.upper()} publication date (expected a header like {date_pattern.strip('^$')!r})")])
        area_cols = []
        for pattern, area in areas:
            cols = [i for i, h in enumerate(headers) if re.search(pattern, h)]
            if not cols:
                raise LayoutError([Problem(table.file, table.header_row, area, f"{table.where()}: no column for {area} "
                                           f"(expected a header like {pattern.strip('^$')!r})")])
            area_cols.append((cols[0], area))
        groups.append((itype, date_cols[0], area_cols, None))
    ilacs_found = False
    for _key, prefix in _HIST_ILACS:
        date_cols = [i for i, h in enumerate(headers) if h == f"{prefix} publication date"]
        if not date_cols:
            continue
        ilacs_found = True
        type_cols = [i for i, h in enumerate(headers) if h == f"{prefix} inspection type"]
        area_cols = []
        taken: set[int] = set()
        for suffix, area in _HIST_ILACS_AREAS:
            cols = [i for i, h in enumerate(headers) if i not in taken and h.startswith(prefix + " ")
                    and h.endswith(suffix) and (suffix != "care leavers" or "children in care" not in h)]
            if cols:
                taken.add(cols[0])
                area_cols.append((cols[0], area))
        groups.append(("ilacs-inspection", date_cols[0], area_cols, type_cols[0] if type_cols else None))
        if prefix == "ilacs framework":
            pre_restructure = True
    if not ilacs_found:
        raise LayoutError([Problem(table.file, table.header_row, "ilacs", f"{table.where()}: no column for an ILACS "
                                   "publication date (expected 'First ILACS framework publication date')")])
    records: list[InspectionRecord] = []
    for rownum, row in table.rows:
        name = _cell(table, rownum, row, "name")
        if name is None:
            continue
        region = _cell(table, rownum, row, "region")
        atype_raw = _cell(table, rownum, row, "authority_type")
        atype = concepts.match("authority-type", str(atype_raw)) if atype_raw is not None else None
        for itype, date_col, area_cols, type_col in groups:
            value = _value(table, rownum, row, date_col)
            if value is None:
                continue
            published = _date(table, rownum, headers[date_col], value)
            kind = itype
            type_raw = _value(table, rownum, row, type_col)
            if type_col is not None and type_raw is not None:
                kind = _itype(table, rownum, headers[type_col], type_raw)
            record = InspectionRecord(table, rownum, None, str(name).strip(), published, kind,
                                      region=str(region).strip() if region is not None else None,
                                      authority_type=atype.name if atype else None, pre_restructure=pre_restructure)
            for col, area in area_cols:
                grade_raw = _value(table, rownum, row, col)
                if grade_raw is not None:
                    graded = _grade(table, rownum, headers[col], grade_raw)
                    if graded:
                        record.judgements.append((area, *graded))
            records.append(record)
    return records


# --------------------------------------------------------------------------------------------
# Authorities: one node per authority across every source
# --------------------------------------------------------------------------------------------


@dataclass
class Authority:
    gss: str
    names: set[str] = field(default_factory=set)
    status: str | None = None


class AuthorityIndex:
    """Names and codes of authorities known from the lookup, the curated reference, the store and the tables.

    A row with a GSS code keeps it, unless the code is unknown to the lookup while the row's name
    is a lookup authority's own name (a code change, as for Barnsley and Sheffield in 2023): then the
    lookup's code is used and the row's is recorded as a former code. A row with only a name is
    matched on names; tables of authorities that existed before a restructure match only
    authorities known to no longer exist.
    """

    def __init__(self) -> None:
        self.by_code: dict[str, Authority] = {}
        self.primary: dict[str, str] = {}  # normalised own name -> code
        self.alias: dict[str, str] = {}  # normalised other names -> code
        self.lookup_codes: set[str] = set()

    def add(self, gss: str, name: str | None = None, *, primary: bool = True, status: str | None = None,
            from_lookup: bool = False) -> None:
        authority = self.by_code.setdefault(gss, Authority(gss))
        if from_lookup:
            self.lookup_codes.add(gss)
        if status:
            authority.status = status
        if name:
            authority.names.add(name)
            key = norm_name(name)
            (self.primary if primary else self.alias).setdefault(key, gss)

    def canonical(self, gss: str, name: str, status: str | None) -> tuple[str, str | None]:
        """(the code to use, the former code recorded) for a row with a code."""
        if self.lookup_codes and gss not in self.lookup_codes and status != "no-longer-exists":
            other = self.primary.get(norm_name(name))
            if other and other != gss and other in self.lookup_codes:
                return other, gss
        return gss, None

    def code_for(self, name: str, former_only: bool = False) -> str | None:
        """The code of the authority with this name; with former_only, never one known to exist today."""
        key = norm_name(name)
        for table in (self.primary, self.alias):
            code = table.get(key)
            if code is None:
                continue
            if former_only and self.by_code[code].status == "current":
                continue
            return code
        if former_only:
            for code, authority in self.by_code.items():
                if authority.status == "no-longer-exists" and key in {norm_name(n) for n in authority.names}:
                    return code
        return None


def lookup_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except UnicodeDecodeError as exc:
        raise LoadError.single(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise LoadError.single(path, f"cannot read the file: {exc.strerror}") from None
    except csv.Error as exc:
        raise LoadError.single(path, f"not a CSV table: {exc}") from None
    if not rows:
        raise LoadError.single(path, "the lookup is empty")
    needed = {"la_code_new", "local_authority_ons_name"}
    missing = needed - set(rows[0])
    if missing:
        column = sorted(missing)[0]
        raise LayoutError([Problem(path.name, 1, column,
                                   f"no column {column!r}: a lookup needs la_code_new (GSS code) and local_authority_ons_name")])
    return rows


def _aliases(text: str) -> list[str]:
    return [a.strip() for a in text.strip().strip("[]").split(",") if a.strip()]


def index_from_lookup(index: AuthorityIndex, rows: list[dict[str, str]]) -> None:
    for row in rows:
        gss = (row.get("la_code_new") or "").strip().upper()
        if not iris.GSS_RE.match(gss):
            continue
        index.add(gss, row.get("local_authority_ons_name"), from_lookup=True)
        for alias in _aliases(row.get("also_known_as") or ""):
            index.add(gss, alias, primary=False)


def _neighbours(path: Path, number: int, row: dict[str, str], gss: str) -> list[str]:
    """The GSS codes of an authority's statistical neighbours (column stat_neighbours_la_code, comma-separated)."""
    codes = [c.strip().upper() for c in (row.get("stat_neighbours_la_code") or "").split(",") if c.strip()]
    for code in codes:
        if not iris.GSS_RE.match(code) or code == gss:
            raise LoadError([Problem(path.name, number, "stat_neighbours_la_code",
                                     f"{code[:40]!r} is not another English local authority's GSS code")])
    return codes


def load_lookup(path: Path) -> GraphPayload:
    """The authority lookup (la_lookup.csv) as a reference source: codes, names, regions, types and statistical
    neighbours."""
    path = Path(path)
    rows = lookup_rows(path)
    graph = iris.source("la-lookup")
    quads: list[Quad] = []

    def add(s: NamedNode, p: NamedNode, o: Any) -> None:
        quads.append(Quad(s, p, o if not isinstance(o, str) else Literal(o), graph))

    _source_header(add, graph, "Local authority lookup (la_lookup.csv)", "reference-data", path.name,
                   description="Identifiers of English local authorities with children's services: Ofsted URN, DfE code, "
                               "ONS GSS code, name, region and type.")
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        gss = (row.get("la_code_new") or "").strip().upper()
        if not gss:
            continue
        if not iris.GSS_RE.match(gss):
            raise LoadError([Problem(path.name, number, "la_code_new", f"{gss[:40]!r} is not an English local authority GSS code")])
        if gss in seen:
            raise LoadError([Problem(path.name, number, "la_code_new", f"{gss} appears twice")])
        seen.add(gss)
        council = iris.council(gss)
        name = (row.get("local_authority_ons_name") or "").strip() or gss
        add(council, RDF_TYPE, ckg.LocalAuthority)
        add(council, RDF_TYPE, org.FormalOrganization)
        add(council, rdfs.label, name)
        add(council, skos.prefLabel, name)
        add(council, ckg.gssCode, gss)
        for alias in _aliases(row.get("also_known_as") or ""):
            add(council, skos.altLabel, alias)
        dfe = (row.get("la_code") or "").strip()
        if re.fullmatch(r"\d{3}", dfe):
            add(council, ckg.dfeCode, dfe)
        urn = (row.get("urn") or "").strip()
        if urn.isdigit():
            add(council, ckg.ofstedUrn, urn)
        region = (row.get("region_name") or "").strip()
        if region and region.lower() != "notknown":
            add(council, ckg.region, region)
        atype = concepts.match("authority-type", (row.get("ons_la_type") or "").strip()) if row.get("ons_la_type") else None
        if atype:
            add(council, ckg.authorityType, atype.node)
        for neighbour in _neighbours(path, number, row, gss):
            add(council, ckg.statisticalNeighbour, iris.council(neighbour))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return GraphPayload(graph, "Local authority lookup (la_lookup.csv)", LOOKUP.name, str(path), digest, _dedupe(quads))


# --------------------------------------------------------------------------------------------
# One inspection, one node
# --------------------------------------------------------------------------------------------

FUZZY_DAYS = 92


@dataclass
class KnownInspection:
    gss: str
    key: str
    published: dt.date | None
    start: dt.date | None
    graded: bool


class InspectionRegistry:
    """Inspections already keyed (by a newer release, the store, or the curated data), per authority.

    A row is the same inspection as a known one when its publication date is the same, or, for
    graded inspections (years apart), when the publication dates are within FUZZY_DAYS of each
    other: releases sometimes disagree on a date, and both values are then kept on one node.
    """

    def __init__(self) -> None:
        self.by_gss: dict[str, list[KnownInspection]] = {}

    def add(self, known: KnownInspection) -> None:
        self.by_gss.setdefault(known.gss, []).append(known)

    def key_for(self, gss: str, published: dt.date, start: dt.date | None, graded: bool) -> str:
        candidates = self.by_gss.get(gss, [])
        for known in candidates:
            if known.published == published:
                return known.key
        for known in candidates:
            if start is not None and known.start == start and known.graded == graded:
                return known.key
        if graded:
            near = [k for k in candidates if k.graded and k.published
                    and abs((k.published - published).days) <= FUZZY_DAYS]
            if len(near) == 1:
                return near[0].key
        key = iris.inspection_key(published.isoformat())
        self.add(KnownInspection(gss, key, published, start, graded))
        return key


# --------------------------------------------------------------------------------------------
# Building the release graphs
# --------------------------------------------------------------------------------------------


def _source_header(add: Callable[[NamedNode, NamedNode, Any], None], graph: NamedNode, title: str, doc_type: str, file: str,
                   description: str = "", issued: dt.date | None = None, period: str | None = None, licensed: bool = False) -> None:
    add(graph, RDF_TYPE, ckg.Dataset)
    add(graph, RDF_TYPE, ckg.Source)
    add(graph, RDF_TYPE, prov.Entity)
    add(graph, rdfs.label, title)
    add(graph, dcterms.title, title)
    add(graph, ckg.documentType, iris.concept("document-type", doc_type))
    add(graph, ckg.fileName, file)
    if description:
        add(graph, dcterms.description, description)
    if issued:
        add(graph, dcterms.issued, Literal(issued.isoformat(), datatype=iris.xsd.date))
    if period:
        add(graph, ckg.periodCovered, period)
    if licensed:
        add(graph, dcterms.license, OGL)


def release_title(book: Workbook) -> str:
    """The release's title from its cover sheet ('Cover sheet - ...' is not a title; the policy area is)."""
    title = str(book.cover.get("title") or "")
    if not title or title.lower().startswith("cover sheet"):
        title = str(book.cover.get("policy area") or book.path.stem)
    return " ".join(title.split())


def release_slug(book: Workbook) -> str:
    title = release_title(book)
    published = book.cover.get("published on")
    year = str(published.year) if isinstance(published, (dt.datetime, dt.date)) else ""
    slug = iris.slugify(f"ofsted {title}")
    if year and year not in slug:
        slug = f"{slug}-{year}"
    return slug[:100].strip("-") or "ofsted-release"


def _dedupe(quads: Iterable[Quad]) -> list[Quad]:
    seen: set[Quad] = set()
    out = []
    for q in quads:
        if q not in seen:
            seen.add(q)
            out.append(q)
    return out


def _release_graph(book: Workbook, records: list[InspectionRecord], index: AuthorityIndex,
                   registry: InspectionRegistry, warnings: list[str]) -> GraphPayload:
    graph = iris.source(release_slug(book))
    quads: list[Quad] = []

    def add(s: NamedNode, p: NamedNode, o: Any) -> None:
        quads.append(Quad(s, p, o if not isinstance(o, str) else Literal(o), graph))

    published_on = book.cover.get("published on")
    issued = published_on.date() if isinstance(published_on, dt.datetime) else None
    period = next((str(v) for k, v in book.cover.items() if k.startswith("period covered")), None)
    title = release_title(book)
    _source_header(add, graph, title, "official-statistics", book.path.name,
                   description="Ofsted official statistics on inspections of local authority children's services.",
                   issued=issued, period=period, licensed=bool(book.cover.get("licence")))
    add(graph, dcterms.publisher, OFSTED)
    add(OFSTED, RDF_TYPE, org.Organization)
    add(OFSTED, rdfs.label, "Ofsted")
    labelled: set[str] = set()
    unresolved: dict[str, list[InspectionRecord]] = {}
    types: dict[NamedNode, tuple[str, PartialDate, set[str]]] = {}
    for record in records:
        gss, former = _resolve(record, index)
        if gss is None:
            unresolved.setdefault(record.name, []).append(record)
            continue
        council = iris.council(gss)
        add(council, RDF_TYPE, ckg.LocalAuthority)
        add(council, RDF_TYPE, org.FormalOrganization)
        if gss not in labelled:
            add(council, rdfs.label, record.name)
            labelled.add(gss)
        else:
            add(council, skos.altLabel, record.name)
        add(council, ckg.gssCode, gss)
        if former:
            add(council, ckg.formerGssCode, former)
        if record.region:
            add(council, ckg.ofstedRegion, record.region)
        status = record.status or ("no-longer-exists" if record.pre_restructure else None)
        if status:
            add(council, ckg.authorityStatus, iris.concept("authority-status", status))
        if record.authority_type:
            add(council, ckg.authorityType, iris.concept("authority-type", record.authority_type))
        key = registry.key_for(gss, record.published.earliest, record.start.earliest if record.start else None, record.graded)
        inspection = iris.inspection(gss, key)
        add(inspection, RDF_TYPE, ckg.Inspection)
        add(inspection, RDF_TYPE, prov.Activity)
        add(inspection, ckg.inspectedAuthority, council)
        add(inspection, ckg.publicationDate, record.published.literal())
        types.setdefault(inspection, (record.name, record.published, set()))[2].add(record.itype)
        if record.start:
            add(inspection, ckg.fieldworkStart, record.start.literal())
        if record.theme:
            add(inspection, ckg.visitTheme, iris.concept("visit-theme", record.theme))
        for area, grade, as_written in record.judgements:
            add_judgement(add, inspection, area, grade, as_written)
    # Several sheets of a release may describe one inspection; it gets its most specific type.
    for inspection, (name, published, names) in types.items():
        narrowest = [n for n in names if not any(_is_broader(n, other) for other in names if other != n)]
        itype = concepts.get("inspection-type", sorted(narrowest)[0])
        assert itype is not None
        add(inspection, ckg.inspectionType, itype.node)
        add(inspection, rdfs.label, f"{name}: {itype.pref_label} (published {published})")
    for name, rows in sorted(unresolved.items()):
        first = rows[0]
        reason = ("an authority that existed before a restructure; none of the loaded sources gives its GSS code "
                  "(an authority of that name exists today with another code)"
                  if first.pre_restructure else "no authority of that name in the lookup or the other sources")
        warnings.append(f"{book.path.name}: {first.table.where(first.row)}: skipped {len(rows)} inspection(s) of "
                        f"{name!r}: {reason}")
    return GraphPayload(graph, title, RELEASES.name, str(book.path), book.digest, _dedupe(quads))


def add_judgement(add: Callable[[NamedNode, NamedNode, Any], None], inspection: NamedNode, area: str, grade: str,
                  as_written: str) -> NamedNode:
    """Write a judgement of an inspection (its node keyed by the area, so every source states it on one node): the
    area and grade concepts by name, and the grade as the source writes it."""
    judgement = iris.judgement(inspection, area)
    area_concept, grade_concept = concepts.get("judgement-area", area), concepts.get("grade", grade)
    assert area_concept is not None and grade_concept is not None
    add(judgement, RDF_TYPE, ckg.Judgement)
    add(judgement, rdfs.label, f"{area_concept.pref_label}: {grade_concept.pref_label}")
    add(judgement, ckg.judgementOf, inspection)
    add(judgement, ckg.judgementArea, area_concept.node)
    add(judgement, ckg.grade, grade_concept.node)
    add(judgement, ckg.gradeAsWritten, as_written)
    return judgement


def _is_broader(name: str, other: str) -> bool:
    """Whether inspection type name is broader than other."""
    concept = concepts.get("inspection-type", other)
    return concept is not None and iris.concept("inspection-type", name).value in concept.broader


def _resolve(record: InspectionRecord, index: AuthorityIndex) -> tuple[str | None, str | None]:
    if record.gss:
        return index.canonical(record.gss, record.name, record.status)
    return index.code_for(record.name, former_only=record.pre_restructure), None


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


@dataclass
class Context:
    """What is already known when a load starts: authorities and inspections in the store and curated data."""

    index: AuthorityIndex = field(default_factory=AuthorityIndex)
    registry: InspectionRegistry = field(default_factory=InspectionRegistry)


def load_ofsted(paths: Path | list[Path], *, lookups: list[Path] | None = None, context: Context | None = None,
                progress: Progress | None = None) -> tuple[list[GraphPayload], list[str]]:
    """Read Ofsted workbooks or CSV tables into one graph per release.

    ``lookups`` (la_lookup.csv files) and ``context`` (what the store and the curated data
    already hold) let rows that name an authority without a code find it, and let an inspection
    already known keep its node. Releases are processed newest first, so the latest release's
    publication date keys an inspection that releases disagree about.
    """
    say = progress or (lambda _m: None)
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    context = context or Context()
    for lookup in lookups or []:
        index_from_lookup(context.index, lookup_rows(Path(lookup)))
    books: list[tuple[Workbook, list[InspectionRecord]]] = []
    for path in paths:
        book = read_workbook(path)
        tables = find_tables(book)
        if not tables:
            raise LayoutError([Problem(path.name, None, None,
                                       "no table with an Ofsted layout: expected a header row with 'Local authority name' and "
                                       "judgement or publication date columns (sheets: " + ", ".join(book.sheets) + ")")])
        records: list[InspectionRecord] = []
        for table in tables:
            strict = path.suffix.lower() == ".csv" or _norm(table.sheet) in OFFICIAL_SHEETS
            try:
                found = records_from(table)
            except LayoutError as exc:
                if strict:
                    raise
                say(f"{path.name}: sheet {table.sheet!r}: skipped, not a table this loader reads ({exc.problems[0].message})")
                continue
            say(f"{path.name}: sheet {table.sheet!r}: {len(found)} inspection(s) ({table.layout} layout)")
            records.extend(found)
        if not records and not any(_norm(t.sheet) in OFFICIAL_SHEETS for t in tables):
            raise LayoutError([Problem(path.name, None, None, "no sheet with the layout of an Ofsted inspection outcomes table "
                                       f"(sheets: {', '.join(book.sheets)})")])
        books.append((book, records))
    # Codes and statuses from every coded row first, so that name-only rows can find them.
    for _book, records in books:
        for record in records:
            if record.gss:
                code, _former = context.index.canonical(record.gss, record.name, record.status)
                context.index.add(code, record.name, status=record.status)
    for book, records in books:
        unresolved = [r for r in records if not r.gss and _resolve(r, context.index)[0] is None and not r.pre_restructure]
        names = {r.name for r in records if not r.gss}
        if names and len({r.name for r in unresolved}) > len(names) / 2:
            raise LoadError([Problem(book.path.name, None, None,
                                     "this table names authorities without GSS codes and most names match no known authority: "
                                     "load it together with the authority lookup (--lookup la_lookup.csv) or a release that "
                                     "gives codes (such as the 2025 LA inspection outcomes workbook)")])

    def newest_first(item: tuple[Workbook, list[InspectionRecord]]) -> tuple[int, str]:
        published = item[0].cover.get("published on")
        stamp = int(published.strftime("%Y%m%d")) if isinstance(published, (dt.datetime, dt.date)) else 0
        return (-stamp, item[0].path.name)

    warnings: list[str] = []
    payloads = [_release_graph(book, records, context.index, context.registry, warnings)
                for book, records in sorted(books, key=newest_first)]
    return payloads, warnings


def context_from(quads: Iterable[Quad]) -> Context:
    """What a set of quads (curated payloads, or a store's content) says about authorities and inspections."""
    context = Context()
    names: dict[NamedNode, set[str]] = {}
    codes: dict[NamedNode, str] = {}
    status: dict[NamedNode, str] = {}
    authority_of: dict[NamedNode, NamedNode] = {}
    published: dict[NamedNode, str] = {}
    started: dict[NamedNode, str] = {}
    itypes: dict[NamedNode, str] = {}
    judged: set[NamedNode] = set()
    for q in quads:
        p = q.predicate
        if p == ckg.gssCode:
            codes[q.subject] = q.object.value
        elif p in (rdfs.label, skos.altLabel) and q.subject.value.startswith(iris.ID + "council/"):
            names.setdefault(q.subject, set()).add(q.object.value)
        elif p == ckg.authorityStatus:
            status[q.subject] = q.object.value.rsplit("/", 1)[-1]
        elif p == ckg.inspectedAuthority:
            authority_of[q.subject] = q.object
        elif p == ckg.publicationDate:
            published[q.subject] = q.object.value
        elif p == ckg.fieldworkStart:
            started[q.subject] = q.object.value
        elif p == ckg.inspectionType:
            itypes[q.subject] = q.object.value.rsplit("/", 1)[-1]
        elif p == ckg.judgementOf:
            judged.add(q.object)
    for council, gss in codes.items():
        for i, name in enumerate(sorted(names.get(council, {gss}))):
            context.index.add(gss, name, primary=i == 0, status=status.get(council))
    prefix = iris.ID + "inspection/"
    for inspection in authority_of:
        if not inspection.value.startswith(prefix):
            continue
        gss, key = inspection.value[len(prefix):].split("/", 1)

        def day(value: str | None) -> dt.date | None:
            try:
                date = parse_partial_date(value) if value else None
            except ValueError:
                return None
            return date.earliest if date and date.precision == "day" else None

        published_day = day(published.get(inspection)) or (day(key) if not key.startswith("fieldwork-") else None)
        graded = inspection in judged or itypes.get(inspection) not in ("monitoring-visit", "focused-visit", None)
        context.registry.add(KnownInspection(gss, key, published_day, day(started.get(inspection)), graded))
    return context


# --------------------------------------------------------------------------------------------
# The source kinds: the authority lookup, and Ofsted's tables
# --------------------------------------------------------------------------------------------

#: what the Ofsted loader needs to know of a store it adds to (see ``context_from``)
CONTEXT_PREDICATES = {ckg.gssCode, rdfs.label, skos.altLabel, ckg.authorityStatus, ckg.inspectedAuthority, ckg.publicationDate,
                      ckg.fieldworkStart, ckg.inspectionType, ckg.judgementOf}


def _read_lookups(inputs: Inputs, reading: Reading) -> tuple[list[GraphPayload], list[str]]:
    found = []
    for path in inputs["lookups"]:
        reading.say(f"reading authority lookup {path}")
        found.append(load_lookup(path))
    return found, []


def _read_releases(inputs: Inputs, reading: Reading) -> tuple[list[GraphPayload], list[str]]:
    """The tables, knowing the authorities and inspections of the payloads read before and of the store added to
    (so each stays one node), and indexing the lookups the load is given."""
    known = reading.known(CONTEXT_PREDICATES)
    reading.say(f"reading Ofsted data: {', '.join(str(p) for p in inputs['ofsted'])}")
    return load_ofsted(inputs["ofsted"], lookups=inputs["lookups"], context=context_from(known), progress=reading.say)


LOOKUP_KIND = SourceKind(
    name="lookup",
    reads="authority lookups: codes, names, regions and types",
    options=(Option("--lookup", "a local authority lookup CSV (la_lookup.csv); repeatable", check_help="also check this authority lookup",
                    metavar="PATH", input="lookups"),),
    read=_read_lookups,
    graphs=(LOOKUP,),
)

KIND = SourceKind(
    name="ofsted",
    reads="Ofsted's inspection outcome tables, a graph a release",
    options=(Option("--ofsted", "an Ofsted outcomes workbook (.ods) or table (.csv); repeatable",
                    check_help="also check this Ofsted workbook or table", metavar="PATH", input="ofsted"),),
    read=_read_releases,
    graphs=(RELEASES,),
    needs_store=True,
)
