"""Reliability: killed loads, rebuilds while serving, concurrent sessions with a runaway query.

Each test is bounded (counts and time-outs) and prints its figures (sessions, queries, seconds,
errors) so the run's log records them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from councilkg.query import catalogue
from councilkg.query.backends import EmbeddedBackend, QueryTimeoutError
from councilkg.query.runner import Runner
from councilkg.store import ReadOnlyStore, StoreFolder

from .conftest import CLI, free_port

pytestmark = pytest.mark.timeout(900)

CROYDON_JUDGEMENTS = ("council_judgements", {"council": "Croydon"})
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
EDITOR_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { <https://w3id.org/councilkg/id/council/E09000008> rdfs:label ?name }"""


def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def _rows(result) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in result.strings())


def _cases() -> list[tuple[str, dict[str, str]]]:
    out = []
    for query in catalogue.catalogue().values():
        examples = {p.name: str(p.example) for p in query.params if p.example is not None}
        out.append((query.name, examples))
    return out


@pytest.fixture
def built(tmp_path: Path, cli_env: dict[str, str]) -> StoreFolder:
    done = _cli(cli_env, tmp_path, "load", "-q")
    assert done.returncode == 0, done.stderr
    return StoreFolder(cli_env["COUNCILKG_STORE"])


def test_a_load_killed_at_any_point_leaves_the_store_intact(built: StoreFolder, cli_env: dict[str, str], tmp_path: Path) -> None:
    backend = EmbeddedBackend(ReadOnlyStore(built, check_interval=0.0))
    baseline = _rows(Runner(backend).canned(*CROYDON_JUDGEMENTS))
    assert baseline
    kills = 0
    for delay in (0.2, 0.8, 1.5, 3.0, 5.0, 8.0):
        process = subprocess.Popen([*CLI, "load", "--synthetic", "300000", "-q"], env=cli_env, cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=120)
        assert built.current_path() is not None
        assert _rows(Runner(backend).canned(*CROYDON_JUDGEMENTS)) == baseline, f"after a kill at {delay} s"
    assert kills >= 4, "the load finished before most kills: make it bigger"
    backend.close()
    done = _cli(cli_env, tmp_path, "load", "-q")
    assert done.returncode == 0, done.stderr
    generations = [p for p in built.generations.iterdir() if p.is_dir()]
    assert [g.resolve() for g in generations] == [built.current_path().resolve()]  # the killed loads' leftovers are gone
    print(f"\n[killed load] {kills} SIGKILLs during loads; the store answered the same rows after each; reload cleaned up")


def _session(runner: Runner, expected: dict, iterations: int, errors: list[str], counts: list[int]) -> None:
    for i in range(iterations):
        for name, params in expected["cases"]:
            try:
                got = _rows(runner.canned(name, params))
                if got != expected["rows"][name]:
                    errors.append(f"{name}: wrong rows")
            except Exception as exc:
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
            counts.append(1)
        try:
            got = _rows(runner.user(EDITOR_QUERY, timeout=60))
            if got != expected["editor"]:
                errors.append("editor: wrong rows")
        except Exception as exc:
            errors.append(f"editor {i}: {type(exc).__name__}: {exc}")
        counts.append(1)


def test_twenty_sessions_and_a_runaway_query_during_a_rebuild(built: StoreFolder, cli_env: dict[str, str], tmp_path: Path) -> None:
    # one shared backend, as the app shares one across its sessions
    backend = EmbeddedBackend(ReadOnlyStore(built, check_interval=0.2))
    runner = Runner(backend, timeout=60)
    cases = [(n, p) for n, p in _cases() if n not in ("role_network",)]
    expected = {"cases": cases, "rows": {n: _rows(runner.canned(n, p)) for n, p in cases}, "editor": _rows(runner.user(EDITOR_QUERY))}
    errors: list[str] = []
    counts: list[int] = []
    runaway: list[BaseException] = []

    def run_away() -> None:
        try:
            runner.user(RUNAWAY, timeout=3)
        except BaseException as exc:
            runaway.append(exc)

    before = built.current_path()
    rebuild = subprocess.Popen([*CLI, "load", "-q"], env=cli_env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=21) as pool:
        futures = [pool.submit(run_away)]
        futures += [pool.submit(_session, runner, expected, 2, errors, counts) for _ in range(20)]
        for f in futures:
            f.result(timeout=600)
    seconds = time.monotonic() - started
    assert rebuild.wait(timeout=300) == 0
    assert built.current_path() != before
    assert errors == [], errors[:5]
    assert len(runaway) == 1 and isinstance(runaway[0], QueryTimeoutError)
    # after the switch, the sessions read the new generation
    time.sleep(0.3)
    assert _rows(runner.canned(*CROYDON_JUDGEMENTS)) == expected["rows"]["council_judgements"]
    backend.close()
    print(f"\n[concurrent sessions] 20 sessions + 1 runaway, {len(counts)} queries in {seconds:.1f} s during a rebuild; errors = 0")


def test_twenty_clients_of_councilkg_serve_during_a_rebuild(built: StoreFolder, cli_env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen([*CLI, "serve", "--port", str(port), "--timeout", "3", "--quiet"], env=cli_env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url, params={"query": "ASK {}"}, timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        accept = {"Accept": "application/sparql-results+json"}

        def ask(query: str) -> list:
            answer = requests.post(url, data={"query": query}, headers=accept, timeout=120)
            answer.raise_for_status()
            return sorted(tuple(sorted((k, v["value"]) for k, v in b.items())) for b in answer.json()["results"]["bindings"])

        expected = ask(EDITOR_QUERY)
        errors: list[str] = []
        done = [0]
        lock = threading.Lock()

        def client() -> None:
            for _ in range(10):
                try:
                    if ask(EDITOR_QUERY) != expected:
                        errors.append("wrong rows")
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                with lock:
                    done[0] += 1

        runaway_status: list[int] = []

        def run_away() -> None:
            answer = requests.post(url, data={"query": RUNAWAY}, headers=accept, timeout=120)
            runaway_status.append(answer.status_code)

        rebuild = subprocess.Popen([*CLI, "load", "-q"], env=cli_env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        threads = [threading.Thread(target=run_away)] + [threading.Thread(target=client) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        seconds = time.monotonic() - started
        assert rebuild.wait(timeout=300) == 0
        assert errors == [], errors[:5]
        assert done[0] == 200
        assert runaway_status and runaway_status[0] >= 400
        # the server that ran out of time on the runaway is replaced and stopped: one Oxigraph server is left
        deadline = time.monotonic() + 30
        while len(_oxigraph_servers(tmp_path)) > 1:
            assert time.monotonic() < deadline, f"servers still running: {_oxigraph_servers(tmp_path)}"
            time.sleep(0.5)
        print(f"\n[councilkg serve] 20 clients + 1 runaway, {done[0]} queries in {seconds:.1f} s during a rebuild; errors = 0")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert _oxigraph_servers(tmp_path) == [], "councilkg serve left Oxigraph servers running after SIGTERM"


def _oxigraph_servers(under: Path) -> list[int]:
    """Process ids of Oxigraph servers whose command line names a path under this test's folder."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "serve-read-only" in cmdline and str(under) in cmdline:
            found.append(int(proc.name))
    return found
