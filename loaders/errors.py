"""Errors that name the file, the line (or record) and the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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


class LoadError(Exception):
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


class ProblemCollector:
    """Collects problems while validating a file, so a user sees them all at once."""

    def __init__(self, file: str | Path) -> None:
        self.file = str(file)
        self.problems: list[Problem] = []

    def add(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise LoadError(self.problems)
