"""Typed query results, independent of the backend that produced them: building them, and their output formats.

Every backend builds its result here, whatever the engine answered with: pyoxigraph's solutions,
boolean or triples (``from_oxigraph``), or an endpoint's SPARQL JSON results or N-Triples
(``from_sparql_json``, ``from_ntriples``). The row cap is applied in one place (``_capped``): at
most ``limit`` rows are kept, and ``truncated`` says there were more.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from councilkg.errors import BackendError
from councilkg.model import iris

_XSD_STRING = iris.xsd.string.value
_XSD_DECIMAL = iris.xsd.decimal.value
_XSD_FLOATS = (iris.xsd.double.value, iris.xsd.float.value)
_XSD_BOOLEAN = iris.xsd.boolean.value
_XSD_DATE = iris.xsd.date.value
_INTEGER_TYPES = frozenset(iris.xsd[t].value for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                                       "positiveInteger", "negativeInteger", "nonPositiveInteger",
                                                       "unsignedInt", "unsignedLong"))
#: the query forms whose result is triples (given as subject, predicate, object rows)
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
TRIPLE_COLUMNS = ["subject", "predicate", "object"]


@dataclass(frozen=True)
class Value:
    """One RDF term in a result: an IRI, a literal (with datatype or language) or a blank node."""

    kind: str  # iri | literal | bnode | triple
    value: str
    datatype: str | None = None
    lang: str | None = None

    @classmethod
    def from_term(cls, term: Any) -> Value:
        if isinstance(term, ox.NamedNode):
            return cls("iri", term.value)
        if isinstance(term, ox.BlankNode):
            return cls("bnode", term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return cls("literal", term.value, None, term.language)
            return cls("literal", term.value, term.datatype.value)
        if isinstance(term, ox.Triple):
            return cls("triple", str(term))
        raise TypeError(f"not an RDF term: {term!r}")

    @classmethod
    def iri(cls, value: str) -> Value:
        return cls("iri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, lang: str | None = None) -> Value:
        return cls("literal", value, None if lang else (datatype or _XSD_STRING), lang)

    def to_term(self) -> ox.NamedNode | ox.Literal | ox.BlankNode:
        if self.kind == "iri":
            return ox.NamedNode(self.value)
        if self.kind == "bnode":
            return ox.BlankNode(self.value)
        if self.kind == "literal":
            if self.lang:
                return ox.Literal(self.value, language=self.lang)
            return ox.Literal(self.value, datatype=ox.NamedNode(self.datatype or _XSD_STRING))
        raise TypeError("a quoted triple cannot be bound as a parameter")

    def n3(self) -> str:
        """N-Triples syntax, for a VALUES block sent to an endpoint."""
        return str(self.to_term())

    def python(self) -> Any:
        """The value as a Python object: int, Decimal, float, bool, date, or str."""
        if self.kind != "literal" or self.datatype is None:
            return self.value
        try:
            if self.datatype in _INTEGER_TYPES:
                return int(self.value)
            if self.datatype == _XSD_DECIMAL:
                return decimal.Decimal(self.value)
            if self.datatype in _XSD_FLOATS:
                return float(self.value)
            if self.datatype == _XSD_BOOLEAN:
                return self.value in ("true", "1")
            if self.datatype == _XSD_DATE:
                return dt.date.fromisoformat(self.value)
        except (ValueError, decimal.InvalidOperation):
            return self.value
        return self.value

    def json_binding(self) -> dict[str, str]:
        """The SPARQL 1.1 Query Results JSON form of this term."""
        if self.kind == "iri":
            return {"type": "uri", "value": self.value}
        if self.kind == "bnode":
            return {"type": "bnode", "value": self.value}
        if self.kind == "triple":
            return {"type": "literal", "value": self.value}
        out = {"type": "literal", "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and self.datatype != _XSD_STRING:
            out["datatype"] = self.datatype
        return out

    @classmethod
    def from_json_binding(cls, binding: dict[str, str]) -> Value:
        kind = binding.get("type")
        if kind == "uri":
            return cls("iri", binding["value"])
        if kind == "bnode":
            return cls("bnode", binding["value"])
        if kind == "triple":
            return cls("triple", json.dumps(binding["value"]))
        lang = binding.get("xml:lang")
        datatype = None if lang else binding.get("datatype", _XSD_STRING)
        return cls("literal", binding["value"], datatype, lang)

    def __str__(self) -> str:
        return self.value


@dataclass
class QueryResult:
    """Rows of a SELECT, the answer of an ASK, or the triples of a CONSTRUCT/DESCRIBE (as s, p, o rows)."""

    form: str
    columns: list[str]
    rows: list[tuple[Value | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    limit: int | None = None  # the row cap it ran under (None: none)
    elapsed: float = 0.0  # seconds, set by the runner
    query: str = ""  # the SPARQL the engine ran, parameters bound

    @property
    def is_graph(self) -> bool:
        return self.form in GRAPH_FORMS

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts of Python values (None where unbound)."""
        return [{c: (v.python() if v is not None else None) for c, v in zip(self.columns, row, strict=True)}
                for row in self.rows]

    def strings(self) -> list[dict[str, str]]:
        """Rows as dicts of the terms' lexical values ('' where unbound)."""
        return [{c: (v.value if v is not None else "") for c, v in zip(self.columns, row, strict=True)} for row in self.rows]

    def column(self, name: str) -> list[Any]:
        index = self.columns.index(name)
        return [row[index].python() if row[index] is not None else None for row in self.rows]

    # -- output formats -------------------------------------------------------------------------

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if self.form == "ASK":
            writer.writerow(["boolean"])
            writer.writerow(["true" if self.boolean else "false"])
            return buffer.getvalue()
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([v.value if v is not None else "" for v in row])
        return buffer.getvalue()

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON (for graph results: one binding per triple, s/p/o)."""
        if self.form == "ASK":
            return json.dumps({"head": {}, "boolean": bool(self.boolean)}, indent=1)
        bindings = [{c: v.json_binding() for c, v in zip(self.columns, row, strict=True) if v is not None} for row in self.rows]
        doc: dict[str, Any] = {"head": {"vars": self.columns}, "results": {"bindings": bindings}}
        if self.truncated:
            doc["head"]["link"] = []
            doc["councilkg"] = {"truncated": True, "limit": self.limit}
        return json.dumps(doc, indent=1, ensure_ascii=False)

    def to_table(self, max_width: int = 60) -> str:
        if self.form == "ASK":
            return "yes" if self.boolean else "no"
        cells = [[_short(v, max_width) for v in row] for row in self.rows]
        widths = [len(c) for c in self.columns]
        for row in cells:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)).rstrip(),
                 "  ".join("-" * w for w in widths)]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        return "\n".join(lines)

    def summary(self) -> str:
        if self.form == "ASK":
            return f"ASK: {'yes' if self.boolean else 'no'} ({self.elapsed * 1000:.0f} ms)"
        what = "triple" if self.is_graph else "row"
        count = len(self.rows)
        text = f"{count:,} {what}{'' if count == 1 else 's'} in {self.elapsed * 1000:.0f} ms"
        if self.truncated:
            text += f"; truncated at the limit of {self.limit:,}: there are more"
        return text



# --------------------------------------------------------------------------------------------
# Building a result from an engine's answer
# --------------------------------------------------------------------------------------------

Row = tuple[Value | None, ...]


def from_oxigraph(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, form: str, limit: int | None,
                  text: str) -> QueryResult:
    """The result of pyoxigraph's answer to ``text``, a query of this form: rows are read up to the cap."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ASK", [], boolean=bool(answer), query=text)
    if isinstance(answer, ox.QuerySolutions):
        columns = [v.value for v in answer.variables]
        width = range(len(columns))
        rows = (tuple(None if (t := solution[i]) is None else Value.from_term(t) for i in width) for solution in answer)
        return _capped(form, columns, rows, limit, text)
    return _capped(form, TRIPLE_COLUMNS, (_triple_row(triple) for triple in answer), limit, text)


def from_sparql_json(body: bytes, form: str, limit: int | None, text: str) -> QueryResult:
    """The result of an endpoint's SPARQL 1.1 Query Results JSON answer to ``text`` (a SELECT or an ASK)."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise BackendError("the endpoint did not answer with SPARQL JSON results")
    if "boolean" in doc:
        return QueryResult("ASK", [], boolean=bool(doc["boolean"]), query=text)
    columns = list(doc.get("head", {}).get("vars", []))
    bindings = doc.get("results", {}).get("bindings", [])
    rows = (tuple(Value.from_json_binding(b[c]) if c in b else None for c in columns) for b in bindings)
    return _capped(form, columns, rows, limit, text)


def from_ntriples(body: bytes, form: str, limit: int | None, text: str) -> QueryResult:
    """The result of an endpoint's N-Triples answer to ``text`` (a CONSTRUCT or a DESCRIBE)."""
    triples = ox.parse(body, format=ox.RdfFormat.N_TRIPLES)
    try:
        return _capped(form, TRIPLE_COLUMNS, (_triple_row(triple) for triple in triples), limit, text)
    except SyntaxError as exc:
        raise BackendError(f"the endpoint did not answer with N-Triples: {exc}") from None


def _triple_row(triple: ox.Triple | ox.Quad) -> Row:
    return Value.from_term(triple.subject), Value.from_term(triple.predicate), Value.from_term(triple.object)


def _capped(form: str, columns: list[str], rows: Iterable[Row], limit: int | None, text: str) -> QueryResult:
    """At most ``limit`` of the rows (all of them when limit is None), flagged ``truncated`` when there were more."""
    if limit is None:
        kept, truncated = list(rows), False
    else:
        kept = list(itertools.islice(rows, limit + 1))
        truncated = len(kept) > limit
        del kept[limit:]
    return QueryResult(form, columns, kept, truncated=truncated, limit=limit, query=text)


def _short(value: Value | None, width: int) -> str:
    if value is None:
        return ""
    text = " ".join(value.value.split())
    return text if len(text) <= width else text[: width - 1] + "…"
