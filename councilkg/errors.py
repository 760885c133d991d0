"""Every error councilkg raises on purpose, under one base: ``CouncilKGError``.

A caller that wants to tell a user what went wrong catches ``CouncilKGError`` (the CLI maps the kinds
below to its exit codes in one place, ``councilkg.cli.main.exit_code_for``); anything else escaping is
a bug. Messages are written for the user: they say what is wrong and, where they can, what to do.

    CouncilKGError
    ├── UnknownTermError     code asked a closed namespace for a term its vocabulary does not define (a bug)
    ├── LoadError            an input could not be loaded (names file, line, field); nothing was written
    │   └── LayoutError      a table without the layout of an Ofsted table
    ├── ValidationFailed     the inputs break the SHACL shapes; nothing was written
    ├── StoreError           the store cannot be used as asked
    │   ├── StoreMissingError, StoreLockedError
    │   └── GraphStoreError  a Graph Store Protocol endpoint refused or failed a request
    ├── CatalogueError       a canned query file is malformed or unknown
    ├── ParameterError       a query parameter is missing, malformed, unknown or ambiguous
    ├── UnsafeQueryError     a user's query is refused (not read-only, SERVICE, too long)
    └── QueryError           a query could not be answered
        ├── QuerySyntaxError, QueryTimeoutError
        └── BackendError     the store or endpoint failed while answering
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: how many candidates a ParameterError lists before "... and N more"
MAX_CANDIDATES = 12
#: how many SHACL violations ValidationFailed shows before "... and N more"
MAX_VIOLATIONS_SHOWN = 50


class CouncilKGError(Exception):
    """The base of every error councilkg raises on purpose; the message is meant for the user."""


class UnknownTermError(CouncilKGError, AttributeError):
    """A closed namespace was asked for a term its vocabulary does not define: a typo in the code, or a term to
    declare first. An AttributeError too, so ``hasattr`` and ``getattr(..., default)`` work on a namespace."""


# --------------------------------------------------------------------------------------------
# Loading inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class LoadError(CouncilKGError):
    """An input could not be loaded. Nothing was written to the store."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"{head} in the input; nothing was loaded:\n" + "\n".join(f"  {p}" for p in self.problems))

    @classmethod
    def single(cls, file: str | Path, message: str, line: int | None = None, field: str | None = None) -> LoadError:
        return cls([Problem(str(file), line, field, message)])

    @classmethod
    def from_syntax(cls, file: Path, exc: SyntaxError, line: int | None = None) -> LoadError:
        """An RDF parser's SyntaxError as a problem of the file, at ``line`` if given (the parser's line is
        that of the text it was given, which may be a piece of the file) and the parser's column."""
        message = str(exc.msg)
        if message.startswith("Parser error") and ": " in message:  # the line and columns are said apart
            message = message.split(": ", 1)[1]
        return cls.single(file, f"not valid {file.suffix.lstrip('.') or 'RDF'}: {message}",
                          line=exc.lineno if line is None else line,
                          field=None if exc.offset is None else f"column {exc.offset}")


class LayoutError(LoadError):
    """The file does not have the layout of an Ofsted table: names the sheet and the column."""


class ProblemCollector:
    """Collects problems while validating a file, so a user sees them all at once."""

    def __init__(self, file: str | Path) -> None:
        self.file = str(file)
        self.problems: list[Problem] = []

    def add(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))


class UnreadableFileError(CouncilKGError):
    """A source file skipped with a warning (a PDF that is damaged, encrypted or not a PDF; a file that is not the
    document it claims to be): the message says why."""


class ValidationFailed(CouncilKGError):
    """The inputs break the SHACL shapes; nothing was loaded. ``violations`` are the store's
    ``shacl.Violation`` rows."""

    def __init__(self, violations: Sequence[object]) -> None:
        self.violations = list(violations)
        shown = "\n".join(f"  {v}" for v in self.violations[:MAX_VIOLATIONS_SHOWN])
        extra = len(self.violations) - MAX_VIOLATIONS_SHOWN
        more = f"\n  ... and {extra} more" if extra > 0 else ""
        super().__init__(f"{len(self.violations)} SHACL violation(s); nothing was loaded:\n{shown}{more}")


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


class StoreError(CouncilKGError):
    """The store cannot be used as asked; the message says what to do."""


class StoreMissingError(StoreError):
    """There is no store at the path given (build it with ``councilkg load``)."""


class StoreLockedError(StoreError):
    """Another process holds the store's write lock."""


class GraphStoreError(StoreError):
    """The Graph Store endpoint refused or failed a request; the message names the graph and status."""


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


class CatalogueError(CouncilKGError):
    """A canned query is unknown, or its file's header is malformed."""


class ParameterError(CouncilKGError, ValueError):
    """A parameter value is missing, malformed, unknown or ambiguous; the message lists candidates."""

    def __init__(self, name: str, message: str, candidates: list[tuple[str, str]] | None = None) -> None:
        self.name = name
        self.candidates = candidates or []
        text = f"parameter {name}: {message}"
        if self.candidates:
            shown = self.candidates[:MAX_CANDIDATES]
            text += "\n" + "\n".join(f"  - {label}" + (f"  <{iri}>" if "://" in iri else "") for label, iri in shown)
            if len(self.candidates) > MAX_CANDIDATES:
                text += f"\n  ... and {len(self.candidates) - MAX_CANDIDATES} more"
        super().__init__(text)


class UnsafeQueryError(CouncilKGError, ValueError):
    """The query is refused; the message says why and what is allowed."""


class QueryError(CouncilKGError):
    """A query could not be answered; the message is meant for the user."""


class QuerySyntaxError(QueryError):
    """The query is not valid SPARQL."""


class QueryTimeoutError(QueryError):
    """The query ran past its time limit and was stopped."""


class BackendError(QueryError):
    """The store or endpoint failed while answering."""
