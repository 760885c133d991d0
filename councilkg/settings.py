"""One settings object for the whole program, built once: from the environment, then the command line.

    settings = Settings.from_env()                       # COUNCILKG_* variables, else the defaults below
    settings = settings.with_(store=Path("other"), timeout=5)   # the CLI's options on top

Library code never reads the environment itself: it is given a ``Settings`` (or the values it needs)
by the CLI, the app or a test. Every limit a user can meet is here, with its default and its variable.

| field | variable | default | what it is |
|---|---|---|---|
| store | COUNCILKG_STORE | <project>/store | the store folder |
| endpoint | COUNCILKG_ENDPOINT | none | a SPARQL 1.1 endpoint to read instead of the store |
| shared | COUNCILKG_SHARED | <project>/../shared | the workplace's shared folder (seeds and national data) |
| row_limit | COUNCILKG_ROW_LIMIT | 10000 | rows a query returns before its result is cut and flagged |
| timeout | COUNCILKG_TIMEOUT | 30 | seconds a user's query may run: the CLI's `query --timeout` and the editor's most |
| serve_timeout | COUNCILKG_SERVE_TIMEOUT | 30 | seconds a query to ``councilkg serve`` may run |
| workers | COUNCILKG_WORKERS | 2 x CPUs, 2 to 8 | query worker processes for users' queries |
| boundaries | COUNCILKG_BOUNDARIES | <shared>/data/reference/lad_boundaries_2023_generalised.geojson | the map's districts |
| authorities | COUNCILKG_AUTHORITIES | <shared>/data/reference/uk_local_authorities.csv | authorities' lifetimes, districts |
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from councilkg.errors import CouncilKGError
from councilkg.paths import ROOT

DEFAULT_ROW_LIMIT = 10_000
DEFAULT_TIMEOUT = 30.0
DEFAULT_SERVE_TIMEOUT = 30


def default_workers() -> int:
    """Query worker processes: two a CPU, at least 2 and at most 8."""
    return max(2, min(8, (os.cpu_count() or 2) * 2))


class SettingsError(CouncilKGError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Where the store is, what to query, and the limits every query runs under."""

    store: Path = ROOT / "store"
    endpoint: str | None = None
    shared: Path = ROOT.parent / "shared"
    row_limit: int = DEFAULT_ROW_LIMIT
    timeout: float = DEFAULT_TIMEOUT
    serve_timeout: int = DEFAULT_SERVE_TIMEOUT
    workers: int = dataclasses.field(default_factory=default_workers)
    boundaries: Path | None = None
    authorities: Path | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from COUNCILKG_* variables (``environ``, else the process's environment)."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get("COUNCILKG_STORE"):
            values["store"] = Path(env["COUNCILKG_STORE"]).expanduser()
        if env.get("COUNCILKG_ENDPOINT"):
            values["endpoint"] = env["COUNCILKG_ENDPOINT"]
        if env.get("COUNCILKG_SHARED"):
            values["shared"] = Path(env["COUNCILKG_SHARED"]).expanduser()
        for name, variable in (("boundaries", "COUNCILKG_BOUNDARIES"), ("authorities", "COUNCILKG_AUTHORITIES")):
            if env.get(variable):
                values[name] = Path(env[variable]).expanduser()
        for name, variable, kind in (("row_limit", "COUNCILKG_ROW_LIMIT", int), ("timeout", "COUNCILKG_TIMEOUT", float),
                                     ("serve_timeout", "COUNCILKG_SERVE_TIMEOUT", int), ("workers", "COUNCILKG_WORKERS", int)):
            if env.get(variable):
                try:
                    number = kind(env[variable])
                except ValueError:
                    raise SettingsError(f"{variable}={env[variable]!r}: not a number") from None
                if number <= 0:
                    raise SettingsError(f"{variable}={env[variable]!r}: must be more than 0")
                values[name] = number
        return cls(**values)

    def with_(self, **changes: object) -> Settings:
        """These settings with some values replaced; a value of None leaves that setting as it is."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def seeds(self) -> Path:
        """The seed documents in the shared folder."""
        return self.shared / "seeds"

    @property
    def shared_data(self) -> Path:
        """The national data in the shared folder."""
        return self.shared / "data"

    @property
    def boundaries_file(self) -> Path:
        """The district boundaries the map draws (COUNCILKG_BOUNDARIES, else the shared folder's 2023 file)."""
        return self.boundaries or self.shared_data / "reference" / "lad_boundaries_2023_generalised.geojson"

    @property
    def authorities_file(self) -> Path:
        """The reference list of authorities (COUNCILKG_AUTHORITIES, else the shared folder's mySociety list)."""
        return self.authorities or self.shared_data / "reference" / "uk_local_authorities.csv"
