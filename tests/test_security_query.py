"""Issue 24, finding 1: a user's query reaches no other host, by any route (CLI, serve GET and POST, the app's editor).

Every attack in tests/attacks/service.rq.txt is refused by the check with a plain message, and a loopback
listener sees no connection. Behind the check, the processes that run users' queries cannot connect at all
(``councilkg.query.sandbox``): a SERVICE query given straight to a worker, or to the Oxigraph server behind
``councilkg serve``, reaches nothing either. Parameter names are SPARQL variable names or an error.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from councilkg.cli.main import main as cli_main
from councilkg.cli.serve import free_port
from councilkg.errors import BackendError, UnsafeQueryError
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.binding import BoundQuery, bind_query
from councilkg.query.results import Value
from councilkg.query.runner import Runner
from councilkg.query.safety import analyse, check_variable_name
from councilkg.settings import Settings

from .attacks import Attack, Listener, service_attacks
from .conftest import cli_env_for, stop_process, wait_for_port

ATTACKS = service_attacks()
IDS = [a.id for a in ATTACKS]


@pytest.fixture(scope="module")
def app_runner(app_store: Path) -> Iterator[Runner]:
    """The runner the app's editor calls (``state.shared_runner``: ``Runner.from_settings`` on the store)."""
    runner = Runner.from_settings(Settings(store=app_store, workers=2))
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def serve(app_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``councilkg serve`` on a free loopback port; its /query URL."""
    port = free_port()
    root = tmp_path_factory.mktemp("serve-attacks")
    env = cli_env_for(root) | {"COUNCILKG_STORE": str(app_store)}
    process = subprocess.Popen([sys.executable, "-m", "councilkg.cli.main", "serve", "--port", str(port), "--quiet"],
                               env=env, cwd=root, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop_process(process)


def test_the_corpus_holds_every_attack_of_the_issue() -> None:
    assert len(ATTACKS) >= 34
    for wanted in ("pname-dot", "pname-escaped-hash", "pname-escaped-quote", "silent-lowercase", "variable", "unicode-escape"):
        assert wanted in IDS


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_the_check_refuses_it(attack: Attack, listener: Listener) -> None:
    with pytest.raises(UnsafeQueryError, match=r"SERVICE is not allowed|escaped escape"):
        analyse(attack.text(listener.url))


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_the_app_editor_refuses_it_and_nothing_connects(attack: Attack, listener: Listener, app_runner: Runner) -> None:
    before = listener.connections_so_far()
    with pytest.raises(UnsafeQueryError):
        app_runner.user(attack.text(listener.url), limit=10, timeout=10)
    assert listener.connections_so_far() == before, f"{attack.id}: the query reached the listener"


@pytest.mark.parametrize("attack", ATTACKS, ids=IDS)
def test_the_cli_refuses_it_and_nothing_connects(attack: Attack, listener: Listener, app_store: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    query = tmp_path / "attack.rq"
    query.write_text(attack.text(listener.url), encoding="utf-8")
    before = listener.connections_so_far()
    code = cli_main(["--store", str(app_store), "query", str(query)])
    assert code != 0, f"{attack.id}: the CLI ran it"
    err = capsys.readouterr().err
    assert "SERVICE is not allowed" in err or "escaped escape" in err, err
    assert listener.connections_so_far() == before, f"{attack.id}: the query reached the listener"


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_serve_refuses_every_attack_and_nothing_connects(method: str, serve: str, listener: Listener) -> None:
    before = listener.connections_so_far()
    for attack in ATTACKS:
        text = attack.text(listener.url)
        if method == "GET":
            answer = requests.get(serve, params={"query": text}, timeout=30)
        elif method == "POST-form":
            answer = requests.post(serve, data={"query": text}, timeout=30)
        else:
            answer = requests.post(serve, data=text.encode(), headers={"Content-Type": "application/sparql-query"}, timeout=30)
        assert answer.status_code == 400, f"{attack.id} by {method}: HTTP {answer.status_code} {answer.text[:200]}"
    assert listener.connections_so_far() == before


# -- behind the check: the engine itself cannot connect ------------------------------------------------------


@pytest.mark.parametrize("silent", [False, True], ids=["service", "service-silent"])
def test_a_worker_given_service_directly_reaches_nothing(silent: bool, listener: Listener, app_store: Path) -> None:
    """The check skipped: the worker process that runs users' queries cannot open a connection."""
    backend = EmbeddedBackend(app_store, max_workers=1)
    text = f"SELECT * WHERE {{ SERVICE {'SILENT ' if silent else ''}<{listener.url}> {{ ?s ?p ?o }} }}"
    before = listener.connections_so_far()
    try:
        if silent:
            backend.execute(BoundQuery("SELECT", text), limit=10, timeout=20)
        else:
            with pytest.raises(BackendError, match="not permitted"):
                backend.execute(BoundQuery("SELECT", text), limit=10, timeout=20)
    finally:
        backend.close()
    assert listener.connections_so_far() == before


def test_the_oxigraph_server_behind_serve_reaches_nothing(listener: Listener, app_store: Path) -> None:
    """The check skipped: a SERVICE query sent straight to the Oxigraph server that serve starts, as serve starts it."""
    from councilkg.cli.serve import child_command

    port = free_port()
    process = subprocess.Popen(child_command(app_store / "current", port, 10), stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process)
        text = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        before = listener.connections_so_far()
        answer = requests.post(f"http://127.0.0.1:{port}/query", data={"query": text}, timeout=30)
        assert "not permitted" in answer.text
        assert listener.connections_so_far() == before
        ok = requests.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK { ?s ?p ?o }"}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
        assert ok.json()["boolean"] is True  # it still answers queries
    finally:
        stop_process(process)


def test_the_sandbox_refuses_a_connection_in_a_child_process(listener: Listener) -> None:
    code = (f"import socket\nfrom councilkg.query.sandbox import deny_network\ndeny_network()\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {listener.port}), timeout=5)\n    print('connected')\n"
            f"except PermissionError:\n    print('refused')\n")
    before = listener.connections_so_far()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "refused"
    assert listener.connections_so_far() == before


# -- parameter names ------------------------------------------------------------------------------------------

BAD_NAMES = ["x) { (1) } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } VALUES (?z", "a b", "?x", "$x", "x}", "", "1-x", "x.y"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=range(len(BAD_NAMES)))
def test_a_parameter_name_must_be_a_variable_name(name: str) -> None:
    with pytest.raises(UnsafeQueryError, match="not a SPARQL variable name"):
        bind_query("SELECT ?x WHERE { ?x ?p ?o }", {name: Value.literal("1")})


@pytest.mark.parametrize("name", ["x", "as_at", "_x", "1x", "café", "x\u00b7y"])
def test_variable_names_of_the_grammar_are_accepted(name: str) -> None:
    assert check_variable_name(name) == name
    assert f"?{name}" in bind_query(f"SELECT ?{name} WHERE {{ ?{name} ?p ?o }}", {name: Value.literal("1")}).text


def test_the_issue_parameter_name_attack_on_the_cli_connects_nowhere(listener: Listener, app_store: Path, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    query = tmp_path / "mine.rq"
    query.write_text("SELECT ?x WHERE { ?x ?p ?o } LIMIT 1\n", encoding="utf-8")
    name = f"x) {{ (1) }} SERVICE <{listener.url}> {{ ?a ?b ?c }} VALUES (?z"
    before = listener.connections_so_far()
    code = cli_main(["--store", str(app_store), "query", str(query), "-p", f"{name}=1"])
    assert code != 0
    assert "not a SPARQL variable name" in capsys.readouterr().err
    assert listener.connections_so_far() == before


def test_keywords_in_names_strings_and_iris_still_run(app_runner: Runner) -> None:
    """The check refuses no legitimate query: names, strings and IRIs may say SERVICE."""
    query = ('PREFIX service: <http://example.org/service#>\nPREFIX ex: <http://example.org/>\n'
             'SELECT ?service WHERE { BIND("SERVICE <x>" AS ?service) BIND(ex:childrensServices AS ?y) '
             'BIND(<http://example.org/SERVICE> AS ?z) BIND(service:SERVICE AS ?w) } # SERVICE')
    assert len(app_runner.user(query, limit=10, timeout=20)) == 1


def test_deep_nesting_and_huge_operator_chains_are_refused() -> None:
    with pytest.raises(UnsafeQueryError, match="deep"):
        analyse("SELECT * WHERE " + "{" * 10_000 + "?s ?p ?o" + "}" * 10_000)
    with pytest.raises(UnsafeQueryError, match="operators"):
        analyse("SELECT * WHERE { BIND(" + "+".join(["1"] * 20_000) + " AS ?x) }")
    with pytest.raises(UnsafeQueryError, match="operators"):
        analyse("SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 5_000) + " }")
    analyse("SELECT * WHERE " + "{" * 50 + "?s ?p ?o" + "}" * 50)  # deep enough for any real query
