"""The curated-data loader: hand-written YAML facts from the seed documents, to RDF.

Each file in data/curated/ holds the facts of one source: a ``source`` header and sections
(people, memberships, inspections, judgements, ...). Everything a file states goes into the
named graph of its source, so "according to which document?" is a GRAPH pattern. A reference
made inside a file must be declared in the same file: each source's graph is self-contained.

The format is documented in data/README.md. Validation collects every problem with its file,
line and field before anything is built; nothing reaches a store unless all files are valid.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from councilkg.errors import LoadError, ProblemCollector
from councilkg.model import concepts, iris, themes
from councilkg.model.dates import PartialDate, date_literal, parse_partial_date
from councilkg.model.iris import RDF_TYPE, ckg, dcterms, foaf, org, prov, rdfs, schema, skos, time
from councilkg.paths import CURATED_DIR
from councilkg.sources.kind import GraphKind, Inputs, Option, Reading, SourceKind
from councilkg.sources.yamlsrc import LDict, LList, read_yaml
from councilkg.store import GraphPayload

REFERENCE_FILE = "reference.yaml"
MAX_TEXT = 5000
XSD_INTEGER = iris.xsd.integer
XSD_DECIMAL = iris.xsd.decimal
XSD_BOOLEAN = iris.xsd.boolean


# --------------------------------------------------------------------------------------------
# The format: sections, their fields and the kind of value each field takes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    kind: str  # text | slug | int | number | bool | date | datespec | gss | code | concept:S | ref:K|K | list:<kind>
    required: bool = False


REQ = True

SOURCE_FIELDS: dict[str, Field] = {
    "id": Field("slug", REQ),
    "title": Field("text", REQ),
    "type": Field("concept:document-type", REQ),
    "file": Field("text"),
    "url": Field("text"),
    "publisher": Field("ref:council|org"),
    "date": Field("datespec"),
    "meeting": Field("ref:meeting"),
    "description": Field("text"),
    "derived_from": Field("text"),
    "note": Field("text"),
}

# section name -> (the kind of id its records declare, or None; fields)
SECTIONS: dict[str, tuple[str | None, dict[str, Field]]] = {
    "authorities": ("authority", {
        "id": Field("slug", REQ), "gss": Field("gss", REQ), "dfe": Field("code", REQ), "name": Field("text", REQ),
        "alt_names": Field("list:text"), "ofsted_urn": Field("code"), "region": Field("text"),
        "type": Field("concept:authority-type"), "status": Field("concept:authority-status"), "note": Field("text"),
    }),
    "councils": ("council", {
        "id": Field("slug", REQ), "name": Field("text"), "note": Field("text"),
    }),
    "organisations": ("org", {
        "id": Field("slug", REQ), "kind": Field("orgkind", REQ), "name": Field("text", REQ),
        "alt_names": Field("list:text"), "part_of": Field("ref:council|org"), "board_type": Field("concept:board-type"),
        "description": Field("text"), "note": Field("text"),
    }),
    "people": ("person", {
        "id": Field("slug", REQ), "name": Field("text", REQ), "alt_names": Field("list:text"),
        "honorific_suffix": Field("text"), "note": Field("text"),
    }),
    "posts": ("post", {
        "id": Field("slug", REQ), "organisation": Field("ref:council|org", REQ), "role": Field("concept:role", REQ),
        "title": Field("text", REQ), "note": Field("text"),
    }),
    "memberships": (None, {
        "member": Field("ref:person|org|council", REQ), "organisation": Field("ref:council|org", REQ),
        "role": Field("concept:role", REQ), "title": Field("text"), "post": Field("ref:post"),
        "start": Field("datespec"), "end": Field("datespec"), "seen": Field("list:datespec"),
        "appointed_by": Field("ref:council|org"), "tenure": Field("slug"), "ambiguity": Field("text"),
        "note": Field("text"),
    }),
    "meetings": ("meeting", {
        "id": Field("slug", REQ), "organisation": Field("ref:council|org", REQ), "date": Field("date"),
        "title": Field("text"), "note": Field("text"),
    }),
    "agenda_items": ("agenda_item", {
        "id": Field("slug", REQ), "meeting": Field("ref:meeting", REQ), "title": Field("text", REQ),
        "number": Field("code"), "lead_officer": Field("ref:person|post"), "cabinet_member": Field("ref:person|post"),
        "contact_officer": Field("ref:person|post"), "presented_by": Field("ref:person|post"),
        "key_decision": Field("bool"), "decision": Field("text"), "discusses": Field("list:ref:inspection|plan|org"),
        "note": Field("text"),
    }),
    "inspections": ("inspection", {
        "id": Field("slug", REQ), "council": Field("ref:council", REQ), "type": Field("concept:inspection-type"),
        "fieldwork_start": Field("date"), "fieldwork_end": Field("date"), "published": Field("date"),
        "key": Field("identity"), "visit_number": Field("int"), "themes": Field("list:concept:visit-theme"),
        "focus": Field("text"), "follows": Field("ref:inspection"), "judgement_count": Field("int"),
        "recommendation_count": Field("int"), "ambiguity": Field("text"), "note": Field("text"),
    }),
    "judgements": (None, {
        "inspection": Field("ref:inspection", REQ), "area": Field("concept:judgement-area", REQ),
        "grade": Field("concept:grade", REQ), "as_written": Field("text"), "note": Field("text"),
    }),
    "findings": ("finding", {
        "id": Field("slug", REQ), "kind": Field("findingkind", REQ), "inspection": Field("ref:inspection", REQ),
        "text": Field("text", REQ), "note": Field("text"),
    }),
    "recommendations": ("recommendation", {
        "id": Field("slug", REQ), "inspection": Field("ref:inspection", REQ), "text": Field("text", REQ),
        "note": Field("text"),
    }),
    "report_recommendations": ("report_recommendation", {
        "id": Field("slug", REQ), "agenda_item": Field("ref:agenda_item", REQ), "ordinal": Field("int", REQ),
        "text": Field("text", REQ),
    }),
    "plans": ("plan", {
        "id": Field("slug", REQ), "owner": Field("ref:council|org", REQ), "title": Field("text", REQ),
        "addresses": Field("list:ref:inspection"), "due": Field("date"), "description": Field("text"),
        "note": Field("text"),
    }),
    "improvement_areas": ("improvement_area", {
        "id": Field("slug", REQ), "plan": Field("ref:plan", REQ), "ordinal": Field("int"), "text": Field("text", REQ),
        "note": Field("text"),
    }),
    "actions": ("action", {
        "id": Field("slug", REQ), "text": Field("text", REQ), "by": Field("ref:council|org|post|person"),
        "addresses": Field("list:ref:recommendation|finding|inspection"), "note": Field("text"),
    }),
    "partnerships": ("partnership", {
        "id": Field("slug", REQ), "partner": Field("ref:council|org", REQ), "council": Field("ref:council", REQ),
        "text": Field("text", REQ), "start": Field("date"), "start_as_written": Field("text"), "note": Field("text"),
    }),
    "credits": ("credit", {
        "id": Field("slug", REQ), "to": Field("list:ref:person|org|council|post"), "to_as_written": Field("text"),
        "by": Field("ref:person|post"), "for": Field("text", REQ), "in": Field("ref:agenda_item"),
        "concerns": Field("ref:inspection"), "ambiguity": Field("text"), "note": Field("text"),
    }),
    "figures": ("figure", {
        "id": Field("slug", REQ), "measure": Field("text", REQ), "value": Field("number", REQ),
        "upper": Field("number"), "qualifier": Field("qualifier", REQ), "unit": Field("text", REQ),
        "as_written": Field("text", REQ), "about": Field("ref:council|org"), "as_at": Field("datespec"),
        "concerns": Field("ref:inspection"), "note": Field("text"),
    }),
}

ORG_KINDS = {
    "committee": (ckg.Committee, org.OrganizationalUnit),
    "department": (ckg.Department, org.OrganizationalUnit),
    "board": (ckg.Board,),
    "organisation": (),
}
FINDING_KINDS = {"area-for-improvement": ckg.AreaForImprovement, "strength": ckg.Strength}
QUALIFIERS = ("exactly", "over", "just-over", "under", "almost", "about", "range")
IDENTITY_FIELDS = {"published", "basis"}
DATESPEC_FIELDS = {"date", "earliest", "latest", "as_written"}


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class SourceGraph:
    """The quads of one source, destined for the named graph with the source's IRI."""

    source: NamedNode
    label: str
    origin: str
    content_hash: str
    quads: list[Quad] = field(default_factory=list)

    @property
    def graph(self) -> NamedNode:
        return self.source


@dataclass
class _DateSpec:
    earliest: Any  # datetime.date | None
    latest: Any
    partial: PartialDate | None
    as_written: str | None

    def key(self) -> str:
        if self.partial is not None:
            return self.partial.iso()
        lo = self.earliest.isoformat() if self.earliest else "open"
        hi = self.latest.isoformat() if self.latest else "open"
        return f"{lo}--{hi}"


@dataclass
class _File:
    path: Path
    data: LDict
    text: str
    problems: ProblemCollector
    ids: dict[str, tuple[str, LDict]] = field(default_factory=dict)  # id -> (kind, record)


# --------------------------------------------------------------------------------------------
# Reading and validating
# --------------------------------------------------------------------------------------------


def curated_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if not p.name.startswith("."))


def load_curated(directory: Path | None = None) -> list[SourceGraph]:
    """Read, validate and convert every curated file in directory (data/curated by default).

    Raises LoadError listing every problem found (file, line, field) if any file is invalid.
    """
    directory = Path(directory) if directory is not None else CURATED_DIR
    if not directory.is_dir():
        raise LoadError.single(directory, "the curated data folder does not exist")
    paths = curated_files(directory)
    if not paths:
        raise LoadError.single(directory, "no curated data files (*.yaml) in this folder")
    reference_path = directory / REFERENCE_FILE
    if reference_path not in paths:
        raise LoadError.single(reference_path, "missing: the reference file declares the authorities other files refer to")

    files: list[_File] = []
    problems = []
    for path in [reference_path] + [p for p in paths if p != reference_path]:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.extend(LoadError.single(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})").problems)
            continue
        try:
            data = read_yaml(path, text)
        except LoadError as exc:
            problems.extend(exc.problems)
            continue
        collector = ProblemCollector(_display(path))
        if not isinstance(data, LDict):
            collector.add(getattr(data, "line", 1), None, "a curated file must be a mapping with a 'source' header and sections")
            problems.extend(collector.problems)
            continue
        files.append(_File(path, data, text, collector))
    if problems:
        raise LoadError(problems)

    authorities = _validate_reference(files[0])
    for f in files[1:]:
        _validate_file(f, authorities)
    _check_across_files(files)
    all_problems = [p for f in files for p in f.problems.problems]
    if all_problems:
        raise LoadError(all_problems)
    return [_build(f, authorities) for f in files]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _validate_reference(f: _File) -> dict[str, LDict]:
    data = f.data
    _check_header(f)
    unknown = set(data) - {"source", "authorities"}
    for key in sorted(unknown):
        f.problems.add(data.line_of(key), key, "unknown section in the reference file (expected: source, authorities)")
    records = _section_records(f, "authorities")
    _collect_ids(f, "authorities", records)
    for index, record in records:
        _check_record(f, "authorities", index, record, {})
    return {rid: rec for rid, (kind, rec) in f.ids.items() if kind == "authority"}


def _validate_file(f: _File, authorities: dict[str, LDict]) -> None:
    data = f.data
    _check_header(f)
    for key in data:
        if key != "source" and key not in SECTIONS:
            f.problems.add(data.line_of(key), key, f"unknown section (expected one of: {', '.join(SECTIONS)})")
        if key == "authorities":
            f.problems.add(data.line_of(key), key, f"authorities are declared only in {REFERENCE_FILE}")
    sections = [(name, _section_records(f, name)) for name in SECTIONS if name != "authorities" and name in data]
    for name, records in sections:
        _collect_ids(f, name, records)
    for index, record in _section_records(f, "councils"):
        rid = record.get("id")
        if isinstance(rid, str) and rid not in authorities:
            f.problems.add(record.line_of("id"), f"councils[{index}].id",
                           f"unknown authority {rid!r}: declare it in {REFERENCE_FILE} (known: {', '.join(sorted(authorities))})")
    header = data.get("source")
    if isinstance(header, LDict):
        for key, spec in SOURCE_FIELDS.items():
            if key in header:
                _check_value(f, header.line_of(key), f"source.{key}", header[key], spec.kind)
    for name, records in sections:
        for index, record in records:
            _check_record(f, name, index, record, authorities)


def _check_header(f: _File) -> None:
    header = f.data.get("source")
    if header is None:
        f.problems.add(f.data.line, "source", "missing source header: every fact must cite its source")
        return
    if not isinstance(header, LDict):
        f.problems.add(f.data.line_of("source"), "source", "must be a mapping (id, title, type, ...)")
        return
    for key in header:
        if key not in SOURCE_FIELDS:
            f.problems.add(header.line_of(key), f"source.{key}", f"unknown field (expected one of: {', '.join(SOURCE_FIELDS)})")
    for key, spec in SOURCE_FIELDS.items():
        if spec.required and _blank(header.get(key)):
            f.problems.add(header.line, f"source.{key}", "required field is missing")
    if "id" in header and isinstance(header["id"], str) and not iris.is_slug(header["id"]):
        f.problems.add(header.line_of("id"), "source.id", f"{header['id']!r} is not a slug (lower-case letters, digits, hyphens)")
    if isinstance(header.get("type"), str):
        _check_value(f, header.line_of("type"), "source.type", header["type"], "concept:document-type")


def _section_records(f: _File, name: str) -> list[tuple[int, LDict]]:
    value = f.data.get(name)
    if value is None:
        return []
    if not isinstance(value, LList):
        f.problems.add(f.data.line_of(name), name, "a section must be a list of records")
        return []
    records = []
    for index, record in enumerate(value):
        if not isinstance(record, LDict):
            f.problems.add(value.line_of(index), f"{name}[{index}]", "each record must be a mapping of fields")
            continue
        records.append((index, record))
    return records


def _collect_ids(f: _File, name: str, records: list[tuple[int, LDict]]) -> None:
    kind = SECTIONS[name][0]
    if kind is None:
        return
    for index, record in records:
        rid = record.get("id")
        if not isinstance(rid, str):
            continue
        if rid in f.ids:
            _, other = f.ids[rid]
            f.problems.add(record.line_of("id"), f"{name}[{index}].id",
                           f"duplicate id {rid!r} (already used on line {other.line_of('id')})")
            continue
        f.ids[rid] = (kind, record)


def _check_record(f: _File, name: str, index: int, record: LDict, authorities: dict[str, LDict]) -> None:
    fields = SECTIONS[name][1]
    where = f"{name}[{index}]"
    before = len(f.problems.problems)
    for key in record:
        if key not in fields:
            f.problems.add(record.line_of(key), f"{where}.{key}", f"unknown field (expected one of: {', '.join(fields)})")
    for key, spec in fields.items():
        value = record.get(key)
        if _blank(value):
            if spec.required:
                f.problems.add(record.line, f"{where}.{key}", "required field is missing")
            continue
        _check_value(f, record.line_of(key), f"{where}.{key}", value, spec.kind)
    if len(f.problems.problems) == before:  # the rules read the fields as their kinds say
        _check_record_rules(f, name, where, record)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_value(f: _File, line: int, where: str, value: Any, kind: str) -> None:
    add = f.problems.add
    if kind.startswith("list:"):
        if not isinstance(value, list):
            add(line, where, "must be a list")
            return
        inner = kind[5:]
        lines = value.item_lines if isinstance(value, LList) else []
        for i, item in enumerate(value):
            _check_value(f, lines[i] if i < len(lines) else line, f"{where}[{i}]", item, inner)
        return
    if kind.startswith("ref:"):
        kinds = kind[4:].split("|")
        if not isinstance(value, str):
            add(line, where, f"must be the id of {_a(' or '.join(kinds))} declared in this file")
            return
        found = f.ids.get(value)
        if found is None:
            add(line, where, f"unknown reference {value!r}: no {' or '.join(kinds)} with this id is declared in this file")
        elif found[0] not in kinds:
            add(line, where, f"{value!r} is {_a(found[0])}, but {_a(' or '.join(kinds))} is expected here")
        return
    if kind.startswith("concept:"):
        scheme = kind[8:]
        if not isinstance(value, str) or concepts.get(scheme, value) is None:
            shown = value if isinstance(value, str) else repr(value)
            add(line, where, f"unknown {scheme} {shown!r} (expected one of: {', '.join(concepts.names(scheme))})")
        return
    if kind == "text":
        if not isinstance(value, str):
            add(line, where, f"must be text, not {type(value).__name__} (quote it)")
        elif len(value) > MAX_TEXT:
            add(line, where, f"text longer than {MAX_TEXT} characters")
        return
    if kind == "slug":
        if not isinstance(value, str) or not iris.is_slug(value):
            add(line, where, f"{value!r} is not a slug (lower-case letters, digits and single hyphens)")
        return
    if kind == "code":
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            add(line, where, "must be a code (text or digits)")
        return
    if kind == "gss":
        if not isinstance(value, str) or not iris.GSS_RE.match(value):
            add(line, where, f"{value!r} is not an English local authority GSS code (such as E09000008)")
        return
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            add(line, where, f"{value!r} is not a whole number")
        return
    if kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            add(line, where, f"{value!r} is not a number")
        return
    if kind == "bool":
        if not isinstance(value, bool):
            add(line, where, f"{value!r} is not true or false")
        return
    if kind == "date":
        try:
            parse_partial_date(value)
        except ValueError as exc:
            add(line, where, str(exc))
        return
    if kind == "datespec":
        try:
            _datespec(value)
        except ValueError as exc:
            add(line, where, str(exc))
        return
    if kind == "identity":
        if not isinstance(value, dict) or set(value) - IDENTITY_FIELDS or "published" not in value or "basis" not in value:
            add(line, where, "must be a mapping with 'published' (the official publication date) and 'basis' (why)")
            return
        try:
            if parse_partial_date(value["published"]).precision != "day":
                add(line, where, "key.published must be a full date")
        except ValueError as exc:
            add(line, where, f"key.published: {exc}")
        return
    if kind == "orgkind":
        if not isinstance(value, str) or value not in ORG_KINDS:
            add(line, where, f"unknown organisation kind {value!r} (expected one of: {', '.join(ORG_KINDS)})")
        return
    if kind == "findingkind":
        if not isinstance(value, str) or value not in FINDING_KINDS:
            add(line, where, f"unknown finding kind {value!r} (expected one of: {', '.join(FINDING_KINDS)})")
        return
    if kind == "qualifier":
        if not isinstance(value, str) or value not in QUALIFIERS:
            add(line, where, f"unknown qualifier {value!r} (expected one of: {', '.join(QUALIFIERS)})")
        return
    raise AssertionError(f"unknown field kind {kind}")


def _a(noun: str) -> str:
    """'a person', 'an inspection'."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun.replace('_', ' ')}"


def _datespec(value: Any) -> _DateSpec:
    """A tenure date: a partial date, or a mapping with date/earliest/latest and the words used."""
    if isinstance(value, dict):
        unknown = set(value) - DATESPEC_FIELDS
        if unknown:
            raise ValueError(f"unknown date field {sorted(unknown)[0]!r} (expected date, earliest, latest, as_written)")
        as_written = value.get("as_written")
        if as_written is not None and not isinstance(as_written, str):
            raise ValueError("as_written must be text")
        if "date" in value:
            if "earliest" in value or "latest" in value:
                raise ValueError("give either date or earliest/latest, not both")
            partial = parse_partial_date(value["date"])
            return _DateSpec(partial.earliest, partial.latest, partial, as_written)
        if "earliest" not in value and "latest" not in value:
            raise ValueError("a date mapping needs date, earliest or latest")
        earliest = parse_partial_date(value["earliest"]).earliest if "earliest" in value else None
        latest = parse_partial_date(value["latest"]).latest if "latest" in value else None
        if earliest and latest and latest < earliest:
            raise ValueError(f"latest {latest} is before earliest {earliest}")
        return _DateSpec(earliest, latest, None, as_written)
    partial = parse_partial_date(value)
    return _DateSpec(partial.earliest, partial.latest, partial, None)


def _check_record_rules(f: _File, name: str, where: str, record: LDict) -> None:
    """Rules across the fields of one record (only checked once the fields themselves are valid)."""
    add = f.problems.add

    def date_of(key: str) -> PartialDate | None:
        try:
            return parse_partial_date(record[key]) if not _blank(record.get(key)) else None
        except ValueError:
            return None

    def spec_of(key: str) -> _DateSpec | None:
        try:
            return _datespec(record[key]) if not _blank(record.get(key)) else None
        except ValueError:
            return None

    if name == "memberships":
        start, end = spec_of("start"), spec_of("end")
        if start and end and start.earliest and end.latest and end.latest < start.earliest:
            add(record.line_of("end"), f"{where}.end", f"the tenure ends ({end.key()}) before it starts ({start.key()})")
        if record.get("role") == "commissioner" and record.get("member") and f.ids.get(record["member"], ("",))[0] != "person":
            add(record.line_of("member"), f"{where}.member", "a commissioner must be a person")
        if not (start or end or record.get("seen")):
            add(record.line, where, "a membership needs a start, an end or a 'seen' date: when does the source place it?")
    elif name == "inspections":
        start, end, published = date_of("fieldwork_start"), date_of("fieldwork_end"), date_of("published")
        if start and end and end.latest < start.earliest:
            add(record.line_of("fieldwork_end"), f"{where}.fieldwork_end", f"fieldwork ends ({end}) before it starts ({start})")
        if published and start and published.latest < start.earliest:
            add(record.line_of("published"), f"{where}.published", f"published ({published}) before fieldwork began ({start})")
        key = record.get("key")
        if not published and not start and not isinstance(key, dict):
            add(record.line, where, "an inspection needs published, fieldwork_start or key to be identified")
        if isinstance(key, dict) and published and str(key.get("published")) != published.iso():
            add(record.line_of("key"), f"{where}.key", f"key.published {key.get('published')} differs from published {published}")
    elif name == "credits":
        if _blank(record.get("to")) and _blank(record.get("to_as_written")):
            add(record.line, where, "a credit needs 'to' (ids) or 'to_as_written' (who, in the source's words)")
    elif name == "figures":
        upper, value = record.get("upper"), record.get("value")
        if record.get("qualifier") == "range" and upper is None:
            add(record.line, f"{where}.upper", "a range needs an upper value")
        if isinstance(upper, (int, float)) and isinstance(value, (int, float)) and upper < value:
            add(record.line_of("upper"), f"{where}.upper", f"upper {upper} is below value {value}")


def _check_across_files(files: list[_File]) -> None:
    """Ids shared between files denote the same thing: they must agree on what it is called."""
    seen_sources: dict[str, _File] = {}
    names: dict[tuple[str, str], tuple[str, _File, int]] = {}
    for f in files:
        header = f.data.get("source")
        if isinstance(header, LDict) and isinstance(header.get("id"), str):
            sid = header["id"]
            if sid in seen_sources:
                f.problems.add(header.line_of("id"), "source.id", f"source id {sid!r} is also used by {_display(seen_sources[sid].path)}")
            seen_sources[sid] = f
        for rid, (kind, record) in f.ids.items():
            if kind not in ("person", "org"):
                continue
            name = record.get("name")
            if not isinstance(name, str):
                continue
            key = (kind, rid)
            if key in names and names[key][0] != name:
                first_name, first_file, first_line = names[key]
                f.problems.add(record.line_of("name"), f"{kind} {rid}.name",
                               f"{name!r} differs from {first_name!r} in {_display(first_file.path)}:{first_line}; "
                               "give one canonical name and put variants in alt_names")
            names.setdefault(key, (name, f, record.line_of("name")))


# --------------------------------------------------------------------------------------------
# Building RDF
# --------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, f: _File, authorities: dict[str, LDict]) -> None:
        self.f = f
        self.authorities = authorities
        header = f.data["source"]
        self.source_id = header["id"]
        self.graph = iris.source(self.source_id)
        self.quads: list[Quad] = []
        self._seen: set[tuple] = set()

    # -- low level --------------------------------------------------------------------------

    def add(self, s: NamedNode, p: NamedNode, o: Any) -> None:
        if o is None:
            return
        if isinstance(o, str):
            o = Literal(o)
        key = (s, p, o)
        if key not in self._seen:
            self._seen.add(key)
            self.quads.append(Quad(s, p, o, self.graph))

    def text(self, s: NamedNode, p: NamedNode, value: Any) -> None:
        if not _blank(value):
            self.add(s, p, Literal(str(value).strip()))

    def types(self, s: NamedNode, *classes: NamedNode) -> None:
        for c in classes:
            self.add(s, RDF_TYPE, c)

    def note(self, s: NamedNode, record: LDict) -> None:
        self.text(s, skos.editorialNote, record.get("note"))
        self.text(s, ckg.ambiguity, record.get("ambiguity"))

    # -- references ---------------------------------------------------------------------------

    def iri(self, local_id: str) -> NamedNode:
        kind, record = self.f.ids[local_id]
        if kind == "council":
            return iris.council(self.authorities[local_id]["gss"])
        if kind == "authority":
            return iris.council(record["gss"])
        if kind == "person":
            return iris.person(local_id)
        if kind == "org":
            return iris.organisation(local_id)
        if kind == "post":
            return iris.post(local_id)
        if kind == "meeting":
            return iris.meeting(local_id)
        if kind == "agenda_item":
            return iris.agenda_item(local_id)
        if kind == "inspection":
            return self.inspection_iri(record)
        return iris.entity(kind.replace("_", "-"), local_id)

    def inspection_iri(self, record: LDict) -> NamedNode:
        gss = self.authorities[record["council"]]["gss"]
        published = record.get("published")
        if published is None and isinstance(record.get("key"), dict):
            published = record["key"]["published"]
        start = record.get("fieldwork_start")
        key = iris.inspection_key(
            parse_partial_date(published).iso() if published is not None else None,
            parse_partial_date(start).iso() if start is not None else None,
        )
        return iris.inspection(gss, key)

    def label_of(self, local_id: str) -> str:
        kind, record = self.f.ids[local_id]
        if kind == "council":
            return self.authorities[local_id]["name"]
        return str(record.get("name") or record.get("title") or local_id)

    def records(self, name: str) -> list[LDict]:
        value = self.f.data.get(name)
        return list(value) if isinstance(value, list) else []

    # -- sections -----------------------------------------------------------------------------

    def build(self) -> SourceGraph:
        header: LDict = self.f.data["source"]
        self.source(header)
        for name in SECTIONS:
            method: Callable[[LDict], None] | None = getattr(self, f"s_{name}", None)
            assert method is not None, name
            for record in self.records(name):
                method(record)
        digest = hashlib.sha256(self.f.text.encode("utf-8")).hexdigest()
        return SourceGraph(self.graph, header["title"], _display(self.f.path), digest, self.quads)

    def source(self, h: LDict) -> None:
        s = self.graph
        doc_type = h["type"]
        cls = ckg.Dataset if doc_type in ("reference-data", "official-statistics") else ckg.SourceDocument
        self.types(s, cls, ckg.Source, prov.Entity)
        self.text(s, rdfs.label, h["title"])
        self.text(s, dcterms.title, h["title"])
        self.add(s, ckg.documentType, iris.concept("document-type", doc_type))
        self.text(s, ckg.fileName, h.get("file"))
        self.text(s, dcterms.description, h.get("description"))
        self.text(s, dcterms.source, h.get("derived_from"))
        if not _blank(h.get("url")):
            self.add(s, foaf.page, NamedNode(h["url"]))
        if h.get("publisher"):
            self.add(s, dcterms.publisher, self.iri(h["publisher"]))
        if h.get("meeting"):
            self.add(s, ckg.aboutMeeting, self.iri(h["meeting"]))
        if not _blank(h.get("date")):
            spec = _datespec(h["date"])
            if spec.partial is not None:
                self.add(s, dcterms.date, spec.partial.literal())
            if spec.as_written:
                self.text(s, ckg.dateAsWritten, spec.as_written)
        self.note(s, h)

    def s_authorities(self, r: LDict) -> None:
        s = iris.council(r["gss"])
        self.types(s, ckg.LocalAuthority, org.FormalOrganization)
        self.text(s, rdfs.label, r["name"])
        self.text(s, skos.prefLabel, r["name"])
        for alt in r.get("alt_names") or []:
            self.text(s, skos.altLabel, alt)
        self.text(s, ckg.gssCode, r["gss"])
        self.text(s, ckg.dfeCode, str(r["dfe"]))
        self.text(s, ckg.ofstedUrn, None if r.get("ofsted_urn") is None else str(r["ofsted_urn"]))
        self.text(s, ckg.region, r.get("region"))
        if r.get("type"):
            self.add(s, ckg.authorityType, iris.concept("authority-type", r["type"]))
        if r.get("status"):
            self.add(s, ckg.authorityStatus, iris.concept("authority-status", r["status"]))
        self.note(s, r)

    def s_councils(self, r: LDict) -> None:
        s = self.iri(r["id"])
        canonical = self.authorities[r["id"]]["name"]
        self.types(s, ckg.LocalAuthority, org.FormalOrganization)
        self.text(s, rdfs.label, canonical)
        if r.get("name") and r["name"] != canonical:
            self.text(s, skos.altLabel, r["name"])
        self.note(s, r)

    def s_organisations(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, org.Organization, *ORG_KINDS[r["kind"]])
        self.text(s, rdfs.label, r["name"])
        self.text(s, skos.prefLabel, r["name"])
        for alt in r.get("alt_names") or []:
            self.text(s, skos.altLabel, alt)
        if r.get("part_of"):
            self.add(s, org.subOrganizationOf, self.iri(r["part_of"]))
        if r.get("board_type"):
            self.add(s, ckg.boardType, iris.concept("board-type", r["board_type"]))
        self.text(s, dcterms.description, r.get("description"))
        self.note(s, r)

    def s_people(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, foaf.Person)
        self.text(s, rdfs.label, r["name"])
        self.text(s, foaf.name, r["name"])
        for alt in r.get("alt_names") or []:
            self.text(s, skos.altLabel, alt)
        self.text(s, schema.honorificSuffix, r.get("honorific_suffix"))
        self.note(s, r)

    def s_posts(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, org.Post)
        self.text(s, rdfs.label, f"{r['title']} ({self.label_of(r['organisation'])})")
        self.text(s, ckg.titleAsWritten, r["title"])
        self.add(s, org.postIn, self.iri(r["organisation"]))
        self.add(s, org.role, iris.concept("role", r["role"]))
        self.note(s, r)

    def s_memberships(self, r: LDict) -> None:
        member, organisation = self.iri(r["member"]), self.iri(r["organisation"])
        s = iris.membership(member, organisation, r["role"], r.get("tenure"))
        self.types(s, org.Membership)
        if r["role"] == "commissioner":
            self.types(s, ckg.CommissionerAppointment)
        role = concepts.get("role", r["role"])
        assert role is not None
        title = r.get("title") or role.pref_label
        self.text(s, rdfs.label, f"{self.label_of(r['member'])}: {title}, {self.label_of(r['organisation'])}")
        self.add(s, org.member, member)
        self.add(s, org.organization, organisation)
        self.add(member, org.memberOf, organisation)  # ORG's shortcut: one pattern for "linked to"
        self.add(s, org.role, role.node)
        self.text(s, ckg.titleAsWritten, r.get("title"))
        if r.get("post"):
            self.add(s, ckg.post, self.iri(r["post"]))
        if r.get("appointed_by"):
            self.add(s, ckg.appointedBy, self.iri(r["appointed_by"]))
        start = _datespec(r["start"]) if not _blank(r.get("start")) else None
        end = _datespec(r["end"]) if not _blank(r.get("end")) else None
        seen = [_datespec(value) for value in r.get("seen") or []]
        self.tenure(s, start, end, seen)
        self.note(s, r)

    def tenure(self, membership: NamedNode, start: _DateSpec | None, end: _DateSpec | None, seen: list[_DateSpec]) -> None:
        """The membership's time:Interval, its instants, and the known bounds the source gives it."""
        interval = iris.instant(membership, "during")
        self.types(interval, time.Interval)
        self.add(membership, org.memberDuring, interval)
        if start:
            self.add(interval, time.hasBeginning, self.instant(interval, "begin", start))
        if end:
            self.add(interval, time.hasEnd, self.instant(interval, "end", end))
        for spec in seen:
            self.add(interval, time.inside, self.instant(interval, f"seen-{spec.key()}", spec))
        lows = [d for d in ([start.earliest or start.latest] if start else [s.earliest or s.latest for s in seen]) if d]
        highs = [d for d in ([end.latest or end.earliest] if end else [s.latest or s.earliest for s in seen]) if d]
        if start and not end:
            highs += [d for d in [start.latest or start.earliest] if d]
        if end and not start:
            lows += [d for d in [end.earliest or end.latest] if d]
        if lows:
            self.add(interval, ckg.knownFrom, date_literal(min(lows)))
        if highs:
            self.add(interval, ckg.knownUntil, date_literal(max(highs)))

    def instant(self, owner: NamedNode, name: str, spec: _DateSpec) -> NamedNode:
        s = iris.instant(owner, name)
        self.types(s, time.Instant)
        if spec.partial is not None:
            prop = {"day": time.inXSDDate, "month": time.inXSDgYearMonth, "year": time.inXSDgYear}[spec.partial.precision]
            self.add(s, prop, spec.partial.literal())
        if spec.earliest:
            self.add(s, ckg.earliest, date_literal(spec.earliest))
        if spec.latest:
            self.add(s, ckg.latest, date_literal(spec.latest))
        self.text(s, ckg.dateAsWritten, spec.as_written)
        return s

    def s_meetings(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, ckg.Meeting, schema.Event)
        date = parse_partial_date(r["date"]) if not _blank(r.get("date")) else None
        label = r.get("title") or f"{self.label_of(r['organisation'])}" + (f", {date}" if date else "")
        self.text(s, rdfs.label, label)
        self.add(s, ckg.meetingOf, self.iri(r["organisation"]))
        if date:
            self.add(s, ckg.meetingDate, date.literal())
        self.note(s, r)

    def s_agenda_items(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, ckg.AgendaItem)
        self.text(s, rdfs.label, r["title"])
        self.text(s, dcterms.title, r["title"])
        self.add(s, ckg.agendaItemOf, self.iri(r["meeting"]))
        self.text(s, ckg.itemNumber, None if r.get("number") is None else str(r["number"]))
        for key, prop in (("lead_officer", ckg.leadOfficer), ("cabinet_member", ckg.cabinetMember),
                          ("contact_officer", ckg.contactOfficer), ("presented_by", ckg.presentedBy)):
            if r.get(key):
                self.add(s, prop, self.iri(r[key]))
        if isinstance(r.get("key_decision"), bool):
            self.add(s, ckg.keyDecision, Literal(str(r["key_decision"]).lower(), datatype=XSD_BOOLEAN))
        self.text(s, ckg.decision, r.get("decision"))
        for target in r.get("discusses") or []:
            self.add(s, ckg.discusses, self.iri(target))
        self.note(s, r)

    def s_inspections(self, r: LDict) -> None:
        s = self.iri(r["id"])
        itype = concepts.get("inspection-type", r["type"]) if r.get("type") else None
        self.types(s, ckg.Inspection, prov.Activity)
        council_name = self.authorities[r["council"]]["name"]
        published = parse_partial_date(r["published"]) if not _blank(r.get("published")) else None
        start = parse_partial_date(r["fieldwork_start"]) if not _blank(r.get("fieldwork_start")) else None
        end = parse_partial_date(r["fieldwork_end"]) if not _blank(r.get("fieldwork_end")) else None
        when = f"published {published}" if published else f"fieldwork {start}" if start else f"fieldwork ended {end}" if end else ""
        number = f" {r['visit_number']}" if r.get("visit_number") is not None else ""
        if itype or when:  # a bare mention adds no label; the sources that describe it do
            kind = itype.pref_label if itype else "Ofsted inspection or visit"
            self.text(s, rdfs.label, f"{council_name}: {kind}{number}" + (f" ({when})" if when else ""))
        if itype:
            self.add(s, ckg.inspectionType, itype.node)
        self.add(s, ckg.inspectedAuthority, self.iri(r["council"]))
        if start:
            self.add(s, ckg.fieldworkStart, start.literal())
        if end:
            self.add(s, ckg.fieldworkEnd, end.literal())
        if published:
            self.add(s, ckg.publicationDate, published.literal())
        if r.get("visit_number") is not None:
            self.add(s, ckg.visitNumber, Literal(str(r["visit_number"]), datatype=XSD_INTEGER))
        for theme in r.get("themes") or []:
            self.add(s, ckg.visitTheme, iris.concept("visit-theme", theme))
        self.text(s, ckg.focusAsWritten, r.get("focus"))
        if r.get("follows"):
            self.add(s, ckg.follows, self.iri(r["follows"]))
        for key, prop in (("judgement_count", ckg.judgementCount), ("recommendation_count", ckg.recommendationCount)):
            if r.get(key) is not None:
                self.add(s, prop, Literal(str(r[key]), datatype=XSD_INTEGER))
        if isinstance(r.get("key"), dict) and _blank(r.get("published")):
            self.text(s, skos.editorialNote,
                      f"Identified with the inspection Ofsted published on {r['key']['published']}: {r['key']['basis']}")
        self.note(s, r)

    def s_judgements(self, r: LDict) -> None:
        inspection = self.iri(r["inspection"])
        area = concepts.get("judgement-area", r["area"])
        grade = concepts.get("grade", r["grade"])
        assert area is not None and grade is not None
        s = iris.judgement(inspection, r["area"])
        self.types(s, ckg.Judgement)
        self.text(s, rdfs.label, f"{area.pref_label}: {grade.pref_label}")
        self.add(s, ckg.judgementOf, inspection)
        self.add(s, ckg.judgementArea, area.node)
        self.add(s, ckg.grade, grade.node)
        self.text(s, ckg.gradeAsWritten, r.get("as_written"))
        self.note(s, r)

    def _text_node(self, r: LDict, *classes: NamedNode) -> NamedNode:
        s = self.iri(r["id"])
        self.types(s, *classes)
        self.text(s, rdfs.label, r["text"])
        self.text(s, ckg.text, r["text"])
        self.note(s, r)
        return s

    def s_findings(self, r: LDict) -> None:
        s = self._text_node(r, FINDING_KINDS[r["kind"]])
        self.add(s, ckg.identifiedIn, self.iri(r["inspection"]))

    def s_recommendations(self, r: LDict) -> None:
        s = self._text_node(r, ckg.Recommendation)
        self.add(s, ckg.identifiedIn, self.iri(r["inspection"]))
        for triple in themes.triples(s, r["text"]):  # its themes, by the rules of ontology/themes.ttl
            self.add(*triple)

    def s_report_recommendations(self, r: LDict) -> None:
        s = self._text_node(r, ckg.ReportRecommendation)
        self.add(s, ckg.recommendationOfItem, self.iri(r["agenda_item"]))
        self.add(s, ckg.ordinal, Literal(str(r["ordinal"]), datatype=XSD_INTEGER))

    def s_plans(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, ckg.ImprovementPlan, prov.Plan)
        self.text(s, rdfs.label, r["title"])
        self.text(s, dcterms.title, r["title"])
        self.add(s, ckg.planOf, self.iri(r["owner"]))
        for target in r.get("addresses") or []:
            self.add(s, ckg.addresses, self.iri(target))
        if not _blank(r.get("due")):
            self.add(s, ckg.dueDate, parse_partial_date(r["due"]).literal())
        self.text(s, dcterms.description, r.get("description"))
        self.note(s, r)

    def s_improvement_areas(self, r: LDict) -> None:
        s = self._text_node(r, ckg.ImprovementArea)
        self.add(s, ckg.partOfPlan, self.iri(r["plan"]))
        if r.get("ordinal") is not None:
            self.add(s, ckg.ordinal, Literal(str(r["ordinal"]), datatype=XSD_INTEGER))

    def s_actions(self, r: LDict) -> None:
        s = self._text_node(r, ckg.Action, prov.Activity)
        if r.get("by"):
            self.add(s, prov.wasAssociatedWith, self.iri(r["by"]))
        for target in r.get("addresses") or []:
            self.add(s, ckg.addresses, self.iri(target))

    def s_partnerships(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, ckg.ImprovementPartnership, prov.Activity)
        self.text(s, rdfs.label, f"{self.label_of(r['partner'])} supporting {self.label_of(r['council'])}")
        self.add(s, ckg.partner, self.iri(r["partner"]))
        self.add(s, ckg.supportedAuthority, self.iri(r["council"]))
        self.text(s, ckg.text, r["text"])
        if not _blank(r.get("start")):
            self.add(s, schema.startDate, parse_partial_date(r["start"]).literal())
        self.text(s, ckg.startedAsWritten, r.get("start_as_written"))
        self.note(s, r)

    def s_credits(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, ckg.Credit)
        self.text(s, rdfs.label, f"Credit: {r['for']}")
        for target in r.get("to") or []:
            self.add(s, ckg.creditedTo, self.iri(target))
        self.text(s, ckg.recipientsAsWritten, r.get("to_as_written"))
        if r.get("by"):
            self.add(s, ckg.creditedBy, self.iri(r["by"]))
        self.text(s, ckg.creditFor, r["for"])
        if r.get("in"):
            self.add(s, ckg.creditedIn, self.iri(r["in"]))
        if r.get("concerns"):
            self.add(s, ckg.concerns, self.iri(r["concerns"]))
        self.note(s, r)

    def s_figures(self, r: LDict) -> None:
        s = self.iri(r["id"])
        self.types(s, ckg.ReportedFigure)
        self.text(s, rdfs.label, f"{r['measure']}: {r['as_written']}")
        self.text(s, ckg.measure, r["measure"])
        self.add(s, ckg.numericValue, Literal(_decimal(r["value"]), datatype=XSD_DECIMAL))
        if r.get("upper") is not None:
            self.add(s, ckg.upperValue, Literal(_decimal(r["upper"]), datatype=XSD_DECIMAL))
        self.text(s, ckg.qualifier, r["qualifier"])
        self.text(s, ckg.unit, r["unit"])
        self.text(s, ckg.valueAsWritten, r["as_written"])
        if r.get("about"):
            self.add(s, ckg.figureFor, self.iri(r["about"]))
        if not _blank(r.get("as_at")):
            spec = _datespec(r["as_at"])
            if spec.partial is not None:
                self.add(s, ckg.asAt, spec.partial.literal())
            self.text(s, ckg.dateAsWritten, spec.as_written)
        if r.get("concerns"):
            self.add(s, ckg.concerns, self.iri(r["concerns"]))
        self.note(s, r)


def _decimal(value: int | float) -> str:
    text = repr(float(value)) if isinstance(value, float) else str(value)
    return text


def _build(f: _File, authorities: dict[str, LDict]) -> SourceGraph:
    return _Builder(f, authorities).build()


# --------------------------------------------------------------------------------------------
# The source kind
# --------------------------------------------------------------------------------------------

#: the kind of graph a curated source's facts go in
CURATED = GraphKind("curated", order=10, shapes=True, listed="summed")  # doctor compares them with data/curated


def curated_payloads(directory: Path) -> list[GraphPayload]:
    """The curated folder's sources as graph payloads (``load_curated``); raises LoadError."""
    return [GraphPayload(g.graph, g.label, CURATED.name, g.origin, g.content_hash, g.quads) for g in load_curated(directory)]


def _read(inputs: Inputs, reading: Reading) -> tuple[list[GraphPayload], list[str]]:
    reading.say(f"reading curated data from {inputs['curated']}")
    return curated_payloads(inputs["curated"]), []


def _from_args(args: argparse.Namespace) -> dict[str, Path | None]:
    return {"curated": None if getattr(args, "no_curated", False) else Path(getattr(args, "curated", None) or CURATED_DIR)}


KIND = SourceKind(
    name="curated",
    reads="the curated facts, a YAML file a source",
    options=(Option("--curated", "curated data folder (default: data/curated)", check_help="curated data folder (default: data/curated)",
                    metavar="DIR"),
             Option("--no-curated", "leave the curated graphs as they are", switch=True)),
    inputs={"curated": lambda: CURATED_DIR},  # None: leave the curated graphs as they are
    from_args=_from_args,
    read=_read,
    graphs=(CURATED,),
    replaces=(CURATED.name,),  # a curated file deleted since the last load loses its graph
)
