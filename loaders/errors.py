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
