"""The remote backend and `councilkg serve`, against real Oxigraph server processes on loopback ports.

Servers that the tests only read are started (and loaded) once for the module; a test that writes to
one gets its own.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from councilkg.cli.serve import free_port, oxigraph_binary
from councilkg.errors import QueryError
from councilkg.paths import CURATED_DIR
from councilkg.query import catalogue
from councilkg.query.backends import RemoteBackend
from councilkg.query.runner import Runner

from .conftest import CLI, cli_env_for, stop_process, wait_for_port

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]  # real servers, started and loaded


@contextlib.contextmanager
def _listening(command: list[str], port: int, **popen: object) -> Iterator[None]:
    """The server the command starts, from when it listens on the port until it is stopped."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **popen)
    try:
        wait_for_port(port, process)
        yield
    finally:
        stop_process(process)


@contextlib.contextmanager
def _oxigraph_serve(location: Path) -> Iterator[str]:
    """A real read-write `oxigraph serve` on a free loopback port; yields its base URL."""
    port = free_port()
    with _listening([oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                     "--union-default-graph", "--timeout-s", "60"], port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[str]:
    """An empty `oxigraph serve` of this test's own."""
    with _oxigraph_serve(tmp_path / "oxigraph") as url:
        yield url


@pytest.fixture(scope="module")
def workplace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An unrelated folder to run the CLI in, and its environment (a private store there), for the module."""
    root = tmp_path_factory.mktemp("remote")
    env = cli_env_for(root)
    return root, env


@pytest.fixture(scope="module")
def loaded_server(workplace: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """An `oxigraph serve` holding the curated data, loaded through its Graph Store endpoint; the tests
    using it only read it."""
    root, env = workplace
    with _oxigraph_serve(root / "loaded-oxigraph") as url:
        done = _cli(env, root, "load", "--gsp-endpoint", f"{url}/store", "-q")
        assert done.returncode == 0, done.stderr
        assert "wrote" in done.stdout
        yield url


def _cli(env: dict[str, str], cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _example_params(query: catalogue.CannedQuery) -> dict[str, str]:
    return {p.name: str(p.example) for p in query.params if p.example is not None}


def _rows(result) -> list[tuple]:
    return [tuple(sorted(row.items())) for row in result.strings()]


def test_every_canned_query_gives_the_same_rows_from_oxigraph_serve(loaded_server: str, runner: Runner) -> None:
    remote = Runner(RemoteBackend(f"{loaded_server}/query"))
    compared = 0
    for query in catalogue.catalogue().values():
        required = any(p.required for p in query.params)
        for params in (_example_params(query),) if required else ({}, _example_params(query)):
            local_rows = _rows(runner.canned(query.name, params))
            remote_rows = _rows(remote.canned(query.name, params))
            assert remote_rows == local_rows, f"{query.name} {params}"
            compared += 1
    assert compared >= len(catalogue.catalogue())
    remote.close()


def test_a_query_that_fits_a_url_is_a_get_and_a_longer_one_a_form_post() -> None:
    backend = RemoteBackend("http://127.0.0.1:9/sparql", timeout=5)
    try:
        short, _ = backend.request_for("ASK { ?s ?p ?o }", 5)
        long_text = "ASK { ?s ?p ?o FILTER (?o != \"" + "x" * RemoteBackend.MAX_GET_URL_BYTES + "\") }"
        method, arguments = backend.request_for(long_text, 5)
    finally:
        backend.close()
    assert short == "GET"
    assert method == "POST" and arguments["data"] == {"query": long_text, "timeout": "5000"}
    assert arguments["headers"]["Content-Type"].startswith("application/x-www-form-urlencoded")


def test_an_unknown_request_method_is_refused() -> None:
    with pytest.raises(QueryError, match="unknown request method"):
        RemoteBackend("http://127.0.0.1:9/sparql", method="put")


@pytest.mark.parametrize("method", RemoteBackend.METHODS)
def test_every_request_method_gives_the_same_rows(loaded_server: str, runner: Runner, method: str) -> None:
    """GET, form POST and direct POST all answer (oxigraph serve speaks them all), a long query too; the
    ``timeout`` parameter sent for Virtuoso is ignored here."""
    long_name = "x" * RemoteBackend.MAX_GET_URL_BYTES  # a filter that makes the query longer than a URL may be
    text = ("SELECT ?name WHERE { ?c a <https://w3id.org/councilkg/ontology#LocalAuthority> ; "
            f'<http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER (?name != "{long_name}") }}')
    assert len(text) > RemoteBackend.MAX_GET_URL_BYTES
    remote = Runner(RemoteBackend(f"{loaded_server}/query", method=method))
    try:
        for query in ("SELECT ?name WHERE { ?c a <https://w3id.org/councilkg/ontology#LocalAuthority> ; "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?name }", text):
            assert sorted(map(str, remote.user(query).rows)) == sorted(map(str, runner.user(query).rows)), method
    finally:
        remote.close()


USER_QUERIES = {
    "select, capped": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "select": "SELECT ?name WHERE { ?c a <https://w3id.org/councilkg/ontology#LocalAuthority> ; "
              "<http://www.w3.org/2000/01/rdf-schema#label> ?name }",
    "ask": "ASK { ?s a <https://w3id.org/councilkg/ontology#LocalAuthority> }",
    "construct": "CONSTRUCT { ?p <http://example.org/name> ?n } WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; "
                 "<http://www.w3.org/2000/01/rdf-schema#label> ?n }",
}


@pytest.mark.parametrize("text", USER_QUERIES.values(), ids=USER_QUERIES.keys())
def test_a_users_query_gives_the_same_result_from_oxigraph_serve(loaded_server: str, runner: Runner, text: str) -> None:
    """One result builder: an endpoint's SPARQL JSON or N-Triples give the embedded store's form, columns,
    answer and rows, capped at the same limit and flagged the same way."""
    remote = Runner(RemoteBackend(f"{loaded_server}/query"), limit=50)
    try:
        theirs = remote.user(text)
    finally:
        remote.close()
    ours = Runner(runner.backend, limit=50).user(text)
    assert (theirs.form, theirs.columns, theirs.boolean, theirs.truncated, theirs.limit, len(theirs)) == \
           (ours.form, ours.columns, ours.boolean, ours.truncated, ours.limit, len(ours))
    if not ours.truncated:  # a capped result may keep other rows: the cap is on unordered rows
        assert sorted(map(str, theirs.rows)) == sorted(map(str, ours.rows))


def test_a_gsp_reload_is_idempotent_and_drops_a_removed_source(oxigraph_server: str, curated_copy: Path,
                                                                cli_env: dict[str, str], tmp_path: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

    def triples() -> int:
        answer = requests.post(f"{oxigraph_server}/query", data=count,
                               headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
                               timeout=30)
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    gsp = f"{oxigraph_server}/store"
    assert _cli(cli_env, tmp_path, "load", "--curated", str(curated_copy), "--gsp-endpoint", gsp, "-q").returncode == 0
    first = triples()
    assert _cli(cli_env, tmp_path, "load", "--curated", str(curated_copy), "--gsp-endpoint", gsp, "-q").returncode == 0
    assert triples() == first
    victim = sorted(p for p in curated_copy.glob("*.yaml") if p.name != "reference.yaml")[0]
    victim.unlink()
    assert _cli(cli_env, tmp_path, "load", "--curated", str(curated_copy), "--gsp-endpoint", gsp, "-q").returncode == 0
    assert triples() < first


def test_an_unreachable_gsp_endpoint_is_a_clear_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = _cli(cli_env, tmp_path, "load", "--gsp-endpoint", f"http://127.0.0.1:{free_port()}/store", "-q")
    assert done.returncode == 1
    assert "cannot reach the Graph Store endpoint" in done.stderr


def test_the_cli_queries_an_endpoint(loaded_server: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    env = dict(cli_env, COUNCILKG_ENDPOINT=f"{loaded_server}/query")
    done = _cli(env, tmp_path, "query", "council_judgements", "-p", "council=Croydon", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "Inadequate" in done.stdout and "Good" in done.stdout


# --------------------------------------------------------------------------------------------
# councilkg serve
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _councilkg_serve(env: dict[str, str], cwd: Path, curated: Path) -> Iterator[str]:
    """A store built from this curated folder, served by `councilkg serve` on a free port; yields /query's URL."""
    done = _cli(env, cwd, "load", "--curated", str(curated), "-q")
    assert done.returncode == 0, done.stderr
    port = free_port()
    with _listening([*CLI, "serve", "--port", str(port), "--timeout", "20", "--quiet"], port, env=env, cwd=cwd):
        yield f"http://127.0.0.1:{port}/query"


@pytest.fixture(scope="module")
def served(workplace: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """`councilkg serve` over a store of the curated data, for the tests that only read it (or fail to write)."""
    root, env = workplace
    with _councilkg_serve(env, root, CURATED_DIR) as url:
        yield url


def test_serve_answers_a_real_sparql_client(served: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(served)
    client.setQuery("""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?name WHERE { <https://w3id.org/councilkg/id/council/E09000008> rdfs:label ?name }""")
    client.setReturnFormat(JSON)
    names = {b["name"]["value"] for b in client.query().convert()["results"]["bindings"]}
    assert "Croydon" in names


def test_serve_works_with_rdflib_sparqlstore(served: str) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(served))
    rows = list(graph.query("ASK { ?s a <https://w3id.org/councilkg/ontology#LocalAuthority> }"))
    assert rows == [True]


@pytest.mark.parametrize(("data", "status", "says"), [
    ({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403, "read-only"),
    ({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}, 403, "read-only"),
    ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}, 400, "SERVICE is not allowed"),
])
def test_serve_refuses_updates_and_service(served: str, data: dict[str, str], status: int, says: str) -> None:
    url = served
    answer = requests.post(url, data=data, timeout=30)
    assert answer.status_code == status
    assert says in answer.text
    update = requests.post(url.replace("/query", "/update"), data={"update": "CLEAR ALL"}, timeout=30)
    assert update.status_code == 403
    still = requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": "application/sparql-results+json"},
                         timeout=30)
    assert still.json()["boolean"] is True


NEWCOMER = """
source: {id: served-newcomer-fixture, title: Served newcomer fixture, type: news-article}
councils: [{id: croydon}]
people: [{id: served-newcomer, name: Served Newcomer}]
memberships:
  - {member: served-newcomer, organisation: croydon, role: officer, seen: [2021-01-01]}
"""


def test_serve_picks_up_a_new_load_without_a_restart(curated_copy: Path, cli_env: dict[str, str], tmp_path: Path) -> None:
    ask = "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> \"Served Newcomer\" }"
    with _councilkg_serve(cli_env, tmp_path, curated_copy) as url:

        def present() -> bool:
            answer = requests.get(url, params={"query": ask}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
            assert answer.status_code == 200, answer.text
            return answer.json()["boolean"]

        assert present() is False
        (curated_copy / "zz-extra.yaml").write_text(NEWCOMER, encoding="utf-8")
        done = _cli(cli_env, tmp_path, "load", "--curated", str(curated_copy), "-q")
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 30
        while not present():
            assert time.monotonic() < deadline, "the served endpoint never switched to the new generation"
            time.sleep(0.5)


def test_an_rdf_file_loads_into_a_graph_store(oxigraph_server: str, cli_env: dict[str, str], tmp_path: Path) -> None:
    """`load --rdf FILE --gsp-endpoint URL`: each of the file's graphs is PUT as it is in the file and recorded
    as loaded from it; a graph the curated data also holds is the curated one."""
    import pyoxigraph as ox

    from councilkg.sources.build import curated_payloads

    data = tmp_path / "synthetic.nq"
    assert _cli(cli_env, tmp_path, "synthetic", "--triples", "6000", "--output", str(data)).returncode == 0
    curated = curated_payloads(CURATED_DIR)
    stale = ox.Quad(ox.NamedNode("https://example.org/stale"), ox.NamedNode("https://example.org/p"), ox.Literal("x"),
                    curated[0].graph)
    with data.open("ab") as handle:
        handle.write(ox.serialize([stale], format=ox.RdfFormat.N_QUADS))
    expected: dict[str, int] = {}
    for quad in ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS):
        expected[quad.graph_name.value] = expected.get(quad.graph_name.value, 0) + 1
    expected[curated[0].graph.value] = len(curated[0].quads)  # the curated graph, not the file's copy of it
    done = _cli(cli_env, tmp_path, "load", "--rdf", str(data), "--gsp-endpoint", f"{oxigraph_server}/store")
    assert done.returncode == 0, done.stderr
    assert f"the graph <{curated[0].graph.value}> is replaced by the one read from" in done.stderr
    query = """SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?k) AS ?kind) WHERE {
      GRAPH ?g { ?s ?p ?o } OPTIONAL { GRAPH <https://w3id.org/councilkg/id/graph/loads> { ?g ?kindOf ?k }
      FILTER (?kindOf = <https://w3id.org/councilkg/ontology#loadKind>) } } GROUP BY ?g"""
    answer = requests.post(f"{oxigraph_server}/query", data=query, timeout=30,
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    held = {b["g"]["value"]: (int(b["n"]["value"]), b.get("kind", {}).get("value")) for b in answer.json()["results"]["bindings"]}
    for graph, count in expected.items():
        kind = "curated" if graph == curated[0].graph.value else "rdf"
        assert held[graph] == (count, kind), graph

    # the file loses a graph: loading it again deletes that graph on the server, as the embedded store does
    gone = sorted(g for g in expected if g != curated[0].graph.value)[0]
    data.write_bytes(b"".join(line + b"\n" for line in data.read_bytes().splitlines() if not line.endswith(f"<{gone}> .".encode())))
    done = _cli(cli_env, tmp_path, "load", "--rdf", str(data), "--gsp-endpoint", f"{oxigraph_server}/store")
    assert done.returncode == 0, done.stderr
    answer = requests.post(f"{oxigraph_server}/query", data=query, timeout=30,
                           headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    now = {b["g"]["value"] for b in answer.json()["results"]["bindings"]}
    assert gone not in now and set(expected) - {gone} <= now
