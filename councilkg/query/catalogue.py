"""The canned-query catalogue: one .rq file per question in queries/, described by its header.

A header is a block of comment lines starting ``#+`` holding YAML::

    #+ title: Judgements of a council
    #+ description: >-
    #+   Every inspection of a council with ...
    #+ params:
    #+   - name: council
    #+     type: council
    #+     required: true
    #+     example: Croydon
    #+     description: The council, by name, GSS code or IRI.
    #+ columns:
    #+   inspection: The inspection (IRI).

The query name is the file name without ``.rq``. Parameters are SPARQL variables of the same
name, bound as RDF terms when the query runs; an optional parameter left out stays unbound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from councilkg.errors import CatalogueError
from councilkg.paths import INTERNAL_QUERIES_DIR, QUERIES_DIR

PARAM_TYPES = {
    "council": "a council: its name (Croydon), GSS code (E09000008) or IRI",
    "person": "a person: their name (Robert Henderson) or IRI",
    "organisation": "an organisation (council, board, committee): its name or IRI",
    "entity": "anything in the graph: its IRI or its label",
    "inspection": "an inspection: its IRI",
    "date": "a date, YYYY-MM-DD",
    "region": "a region name as the data gives it (London)",
    "role": "a role from the role scheme (dcs, lead-member, board-chair, commissioner, ...)",
    "theme": "a recommendation theme (private fostering, management-oversight, care leavers' accommodation, ...)",
    "string": "text",
    "integer": "a whole number",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    description: str
    example: str | None = None
    default: str | None = None


@dataclass(frozen=True)
class CannedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    columns: dict[str, str]
    text: str
    tags: tuple[str, ...] = field(default_factory=tuple)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def example_args(self) -> dict[str, str]:
        return {p.name: p.example for p in self.params if p.example is not None}

    def cli_example(self) -> str:
        args = "".join(f" --param {name}={_quote(value)}" for name, value in self.example_args().items())
        return f"councilkg query {self.name}{args}"


def _quote(value: str) -> str:
    return f'"{value}"' if any(c in value for c in " '&") else value


def parse_header(path: Path, text: str) -> dict:
    lines = [line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+")]
    if not lines:
        raise CatalogueError(f"{path.name}: no '#+' header (title, description, params, columns)")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: the header is not valid YAML: {exc}") from None
    if not isinstance(header, dict):
        raise CatalogueError(f"{path.name}: the header must be a YAML mapping")
    return header


def load_query(path: Path) -> CannedQuery:
    return from_text(path.stem, path.read_text(encoding="utf-8"), path)


def from_text(name: str, text: str, path: Path | None = None) -> CannedQuery:
    """A query with a catalogue header, from its text (path is where it came from, for messages)."""
    path = path or Path(f"{name}.rq")
    header = parse_header(path, text)
    for key in ("title", "description", "columns"):
        if not header.get(key):
            raise CatalogueError(f"{path.name}: the header has no {key}")
    unknown = set(header) - {"title", "description", "params", "columns", "tags"}
    if unknown:
        raise CatalogueError(f"{path.name}: unknown header field(s) {sorted(unknown)}")
    params = []
    for raw in header.get("params") or []:
        if not isinstance(raw, dict) or not raw.get("name") or not raw.get("type"):
            raise CatalogueError(f"{path.name}: each parameter needs a name and a type")
        if raw["type"] not in PARAM_TYPES:
            raise CatalogueError(f"{path.name}: parameter {raw['name']} has unknown type {raw['type']!r}")
        if f"?{raw['name']}" not in text and f"${raw['name']}" not in text:
            raise CatalogueError(f"{path.name}: parameter {raw['name']} is not a variable of the query")
        params.append(Param(str(raw["name"]), str(raw["type"]), bool(raw.get("required", False)),
                            str(raw.get("description", "")), None if raw.get("example") is None else str(raw["example"]),
                            None if raw.get("default") is None else str(raw["default"])))
    columns = header["columns"]
    if not isinstance(columns, dict):
        raise CatalogueError(f"{path.name}: columns must map each result column to its meaning")
    return CannedQuery(name, path, str(header["title"]), " ".join(str(header["description"]).split()),
                       tuple(params), {str(k): str(v) for k, v in columns.items()}, text,
                       tuple(header.get("tags") or ()))


@lru_cache(maxsize=4)
def catalogue(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """Every canned query, by name."""
    return {path.stem: load_query(path) for path in sorted(directory.glob("*.rq"))}


@lru_cache(maxsize=64)
def internal(name: str) -> str:
    """The text of one of the program's own look-up queries, ``queries/internal/NAME.rq``: SPARQL the
    code runs itself, kept as a file beside the catalogue (and out of its listing) so it can be read,
    run and tested in any SPARQL tool like the canned queries."""
    path = INTERNAL_QUERIES_DIR / f"{name}.rq"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"no internal query {name!r} in {INTERNAL_QUERIES_DIR}") from None


def get(name: str) -> CannedQuery:
    queries = catalogue()
    if name not in queries:
        raise CatalogueError(f"no canned query called {name!r}; the catalogue has: {', '.join(sorted(queries))}")
    return queries[name]
