"""Shared fixtures: fresh stores per test, the curated payloads (read once), and the shared folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from councilkg import processes
from councilkg.paths import CURATED_DIR, ROOT
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.settings import Settings
from councilkg.sources.curated import curated_payloads
from councilkg.store import GraphPayload, new_memory_store

from .attacks import Listener

FIXTURES = Path(__file__).parent / "fixtures"
CLI = [sys.executable, "-m", "councilkg.cli.main"]


@pytest.fixture(scope="session")
def curated() -> list[GraphPayload]:
    """The curated seed payloads, read and validated once (they are immutable)."""
    return curated_payloads(CURATED_DIR)


@pytest.fixture
def seed_store(curated: list[GraphPayload]) -> ox.Store:
    """A fresh in-memory store holding the ontology and the curated seed graph."""
    return new_memory_store(curated)


@pytest.fixture
def runner(seed_store: ox.Store) -> Iterator[Runner]:
    runner = Runner(EmbeddedBackend(seed_store))
    yield runner
    runner.close()


@pytest.fixture
def curated_copy(tmp_path: Path) -> Path:
    """A writable copy of data/curated, for tests that break it."""
    target = tmp_path / "curated"
    shutil.copytree(CURATED_DIR, target)
    return target


def shared_path(*parts: str) -> Path:
    return Settings.from_env().shared.joinpath(*parts)


def require_shared(*parts: str) -> Path:
    """The path under the shared folder, or skip with the reason (fail under CI, where it must exist)."""
    path = shared_path(*parts)
    if not path.exists():
        message = f"{path} is absent: the workplace's shared folder (../shared or $COUNCILKG_SHARED) is not beside the project"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60.0) -> None:
    """Wait until something listens on 127.0.0.1:port; raise if the process exits first or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stderr.read() if process.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def stop_process(process: subprocess.Popen) -> None:
    """Stop a server the tests started: SIGTERM, then SIGKILL after 20 s."""
    processes.stop(process, grace=20)


def sorted_nquads(store: ox.Store) -> list[str]:
    """The store's content as sorted N-Quads lines: equal lists mean equal content."""
    return sorted(store.dump(format=ox.RdfFormat.N_QUADS).decode().splitlines())


def cli_env_for(root: Path) -> dict[str, str]:
    """Environment for CLI subprocesses run in ``root``: a private store there, no endpoint."""
    env = {k: v for k, v in os.environ.items() if k != "COUNCILKG_ENDPOINT"}
    env.update(COUNCILKG_STORE=str(root / "store"), PYTHONPATH=str(ROOT))
    return env


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """Environment for CLI subprocesses: a private store, run from an unrelated directory."""
    return cli_env_for(tmp_path)


HOSTILE = FIXTURES / "app" / "hostile-labels.yaml"
HOSTILE_NAME = "<img src=x onerror=\"window.__xss = 'img'\"> <script>window.__xss = 'script'</script>"


@pytest.fixture(scope="session")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store for the app's tests: the curated seed graph plus a source with hostile labels."""
    from councilkg.sources.build import LoadPlan, load
    from councilkg.store import StoreFolder

    curated = tmp_path_factory.mktemp("app-curated") / "curated"
    shutil.copytree(CURATED_DIR, curated)
    shutil.copy(HOSTILE, curated / HOSTILE.name)
    root = tmp_path_factory.mktemp("app-store") / "store"
    load(StoreFolder(root), LoadPlan(curated=curated))
    return root


@pytest.fixture
def app(app_store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """Opens a fresh AppTest on the app store, on the page it is given (``tests/apptest.open_page``)."""
    from .apptest import app_on

    with app_on(app_store, monkeypatch) as open_page:
        yield open_page


def repeated_rows(runner: Runner) -> dict[str, int]:
    """Canned queries that give some row more than once (a fact several sources state is one row), by call.

    Each query runs with its documented example, and with no parameters where none is required.
    """
    from councilkg.query import catalogue

    out: dict[str, int] = {}
    for query in catalogue.catalogue().values():
        calls = [query.example_args()] + ([{}] if not any(p.required for p in query.params) else [])
        for args in calls:
            rows = [tuple(sorted(row.items())) for row in runner.canned(query.name, args, limit=None).strings()]
            if len(rows) != len(set(rows)):
                out[f"{query.name} {args}"] = len(rows) - len(set(rows))
    return out


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """A loopback listener counting the connections a module's tests make (``Listener.connections_so_far``)."""
    server = Listener()
    yield server
    server.close()
