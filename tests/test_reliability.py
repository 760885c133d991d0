"""Reliability: killed loads, rebuilds while serving, concurrent sessions with a runaway query.

Each test is bounded (counts and time limits) and prints its figures (sessions, queries, seconds,
errors) so the run's log records them. None compares two timings or needs one thing to happen
before another: a load is killed as it reports each stage, every session and client must be
answered, and a runaway query must be stopped within its time limit plus a stated margin. The
tests share one store, built once; each leaves it holding what it held.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from councilkg.cli.serve import free_port
from councilkg.errors import QueryTimeoutError
from councilkg.query import catalogue
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.settings import Settings
from councilkg.store import ReadOnlyStore, StoreFolder

from .conftest import CLI, cli_env_for

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]

CROYDON_JUDGEMENTS = ("council_judgements", {"council": "Croydon"})
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
EDITOR_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?name WHERE { <https://w3id.org/councilkg/id/council/E09000008> rdfs:label ?name }"""

#: seconds a runaway query is given (the runaway would run for hours)
RUNAWAY_LIMIT = 1
#: seconds past its limit a runaway may take to be stopped: waiting for a free worker (at most the limit
#: again), starting one and killing it, or a server's replacement, on a machine busy with the other clients
STOP_MARGIN = 20.0
#: seconds an ordinary query of a session may take on that busy machine
SESSION_LIMIT = 60.0
#: seconds between a store handle's looks for a newer generation
CHECK_INTERVAL = 0.2


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


@pytest.fixture(scope="module")
def workplace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], StoreFolder]:
    """An unrelated folder to run the CLI in, its environment (a private store there), and that store,
    built once for the module's tests."""
    root = tmp_path_factory.mktemp("reliability")
    env = cli_env_for(root)
    done = _cli(env, root, "load", "-q")
    assert done.returncode == 0, done.stderr
    return root, env, StoreFolder(env["COUNCILKG_STORE"])


# The stages a load reports on stderr, in order. A load is killed as it reports each one: while it
# reads its inputs (before it takes the lock), once the new generation is begun, part-way through
# writing it, and when it is written but not yet published. The kill follows the line within
# milliseconds; each stage leaves the load far more work than that (the shortest, compacting 200,000
# triples, takes most of a second), so the kill lands before the load can finish, as the test checks.
# --no-validate: the SHACL check only reads, like the reading stage, and skipping it saves a second a load.
KILL_AT = ("loading into", "generating about", "writing", "passed to the indexer", "compacting the new store")
KILLED_LOAD = ["load", "--no-validate", "--synthetic", "200000"]


def _reported(process: subprocess.Popen, stage: str) -> list[str]:
    """Read the load's progress until it reports stage (or ends); the lines read."""
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line.strip())
        if stage in line:
            break
    return lines


def test_a_load_killed_at_any_point_leaves_the_store_intact(workplace) -> None:
    root, env, built = workplace
    runner = Runner(EmbeddedBackend(ReadOnlyStore(built, check_interval=0.0)))
    try:
        baseline = _rows(runner.canned(*CROYDON_JUDGEMENTS))
        assert baseline
        for stage in KILL_AT:
            process = subprocess.Popen([*CLI, *KILLED_LOAD], env=env, cwd=root, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
            lines = _reported(process, stage)
            process.kill()
            code = process.wait(timeout=120)
            process.stderr.close()
            assert lines and stage in lines[-1], f"the load never reported {stage!r}: {lines}"
            assert code == -signal.SIGKILL, f"the load finished (exit {code}) before it was killed at {stage!r}"
            assert built.current_path() is not None
            assert _rows(runner.canned(*CROYDON_JUDGEMENTS)) == baseline, f"after a kill at {stage!r}"
    finally:
        runner.close()
    done = _cli(env, root, "load", "-q")
    assert done.returncode == 0, done.stderr
    generations = [p for p in built.generations.iterdir() if p.is_dir()]
    assert [g.resolve() for g in generations] == [built.current_path().resolve()]  # the killed loads' leftovers are gone
    print(f"\n[killed load] {len(KILL_AT)} SIGKILLs, one at each stage of a load; the store answered the same rows "
          "after each; reload cleaned up")


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
            got = _rows(runner.user(EDITOR_QUERY))
            if got != expected["editor"]:
                errors.append("editor: wrong rows")
        except Exception as exc:
            errors.append(f"editor {i}: {type(exc).__name__}: {exc}")
        counts.append(1)


def test_twenty_sessions_and_a_runaway_query_during_a_rebuild(workplace) -> None:
    root, env, built = workplace
    settings = Settings(store=built.root, timeout=SESSION_LIMIT)
    # one shared backend, as the app shares one across its sessions; the runaway's session has a short limit
    backend = EmbeddedBackend(ReadOnlyStore(built, check_interval=CHECK_INTERVAL), max_workers=settings.workers)
    runner = Runner.from_settings(settings, backend)
    impatient = Runner.from_settings(settings.with_(timeout=RUNAWAY_LIMIT), backend)
    sessions, iterations = 20, 2
    try:
        cases = [(n, p) for n, p in _cases() if n not in ("role_network",)]
        expected = {"cases": cases, "rows": {n: _rows(runner.canned(n, p)) for n, p in cases},
                    "editor": _rows(runner.user(EDITOR_QUERY))}
        errors: list[str] = []
        counts: list[int] = []
        runaway: list[tuple[BaseException, float]] = []

        def run_away() -> None:
            started = time.monotonic()
            try:
                impatient.user(RUNAWAY)
            except BaseException as exc:
                runaway.append((exc, time.monotonic() - started))

        before = built.current_path()
        rebuild = subprocess.Popen([*CLI, "load", "-q"], env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=sessions + 1) as pool:
            futures = [pool.submit(run_away)]
            futures += [pool.submit(_session, runner, expected, iterations, errors, counts) for _ in range(sessions)]
            for f in futures:
                f.result(timeout=600)
        seconds = time.monotonic() - started
        assert rebuild.wait(timeout=300) == 0
        assert built.current_path() != before
        assert errors == [], errors[:5]
        assert len(counts) == sessions * iterations * (len(cases) + 1)  # every query of every session was answered
        assert runaway, "the runaway query was not stopped"
        stopped, after = runaway[0]
        assert isinstance(stopped, QueryTimeoutError), stopped
        assert after <= RUNAWAY_LIMIT + STOP_MARGIN, f"the runaway was stopped after {after:.1f} s"
        # once the handle has looked again, the next query reads the new generation, with the same rows
        time.sleep(CHECK_INTERVAL)
        assert _rows(runner.canned(*CROYDON_JUDGEMENTS)) == expected["rows"]["council_judgements"]
        assert backend.generation.resolve() == built.current_path().resolve()
    finally:
        backend.close()
    print(f"\n[concurrent sessions] {sessions} sessions + 1 runaway (stopped after {after:.1f} s), {len(counts)} queries "
          f"in {seconds:.1f} s during a rebuild; errors = 0")


def test_twenty_clients_of_councilkg_serve_during_a_rebuild(workplace) -> None:
    root, env, _ = workplace
    port = free_port()
    server = subprocess.Popen([*CLI, "serve", "--port", str(port), "--timeout", str(RUNAWAY_LIMIT), "--quiet"], env=env,
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    clients, asks = 20, 10
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url, params={"query": "ASK {}"}, timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "councilkg serve did not listen within 60 s"
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
            for _ in range(asks):
                try:
                    if ask(EDITOR_QUERY) != expected:
                        errors.append("wrong rows")
                except Exception as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                with lock:
                    done[0] += 1

        runaway: list[tuple[int, float]] = []

        def run_away() -> None:
            started = time.monotonic()
            answer = requests.post(url, data={"query": RUNAWAY}, headers=accept, timeout=120)
            runaway.append((answer.status_code, time.monotonic() - started))

        rebuild = subprocess.Popen([*CLI, "load", "-q"], env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        threads = [threading.Thread(target=run_away)] + [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        seconds = time.monotonic() - started
        assert rebuild.wait(timeout=300) == 0
        assert errors == [], errors[:5]
        assert done[0] == clients * asks  # every client was answered every time
        assert runaway, "the runaway query was never answered"
        status, after = runaway[0]
        assert status >= 400, f"the runaway query was answered {status}"
        assert after <= RUNAWAY_LIMIT + STOP_MARGIN, f"the runaway was stopped after {after:.1f} s"
        # the server that ran out of time on the runaway is replaced and stopped: one Oxigraph server is left
        deadline = time.monotonic() + 30
        while len(_oxigraph_servers(root)) > 1:
            assert time.monotonic() < deadline, f"servers still running: {_oxigraph_servers(root)}"
            time.sleep(0.2)
        print(f"\n[councilkg serve] {clients} clients + 1 runaway (stopped after {after:.1f} s), {done[0]} queries in "
              f"{seconds:.1f} s during a rebuild; errors = 0")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert _oxigraph_servers(root) == [], "councilkg serve left Oxigraph servers running after SIGTERM"


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
