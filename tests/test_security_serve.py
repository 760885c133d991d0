"""Issue 24, findings 2-4: ``councilkg serve`` survives a crashing query, bounds its memory, its time and its
concurrency, resists slow clients and checks Host and Origin.

A real endpoint (waitress in front of real ``oxigraph serve-read-only`` processes) on a free loopback port, with
small limits so each runs in seconds.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from councilkg.cli.serve import ReadOnlyEndpoint, ServeLimits, free_port, pids_of_children

TIMEOUT_S = 2
LIMITS = ServeLimits(timeout_s=TIMEOUT_S, max_queries=3, express_queries=2, max_waiting=2, queue_wait=1.0, max_rows=50,
                     request_timeout=2.0, idle_timeout=3.0, repeat_cooldown=0)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def endpoint(app_store: Path) -> Iterator[ReadOnlyEndpoint]:
    server = ReadOnlyEndpoint(app_store, port=free_port(), log=False, limits=LIMITS, allowed_hosts=["kg.internal"],
                              allowed_origins=["http://yasgui.example"])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.close()
    thread.join(timeout=10)


@pytest.fixture
def url(endpoint: ReadOnlyEndpoint) -> str:
    return endpoint.url


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is not running
        return stat.read().split()[2] != "Z"


def _ask(url: str, **headers: str) -> requests.Response:
    return requests.get(url, params={"query": "ASK { ?s ?p ?o }"}, headers={**JSON, **headers}, timeout=30)


# -- finding 2: a crashing query ------------------------------------------------------------------------------


def test_ten_thousand_nested_braces_are_refused_and_the_endpoint_keeps_answering(url: str) -> None:
    bomb = "SELECT * WHERE " + "{" * 10_000 + "?s ?p ?o" + "}" * 10_000
    answer = requests.post(url, data={"query": bomb}, timeout=30)
    assert answer.status_code == 400 and "deep" in answer.text
    assert _ask(url).json()["boolean"] is True


def test_a_dead_oxigraph_process_is_replaced(url: str, endpoint: ReadOnlyEndpoint) -> None:
    assert _ask(url).status_code == 200
    before = pids_of_children(endpoint)
    for pid in before:
        os.kill(pid, signal.SIGKILL)  # as a segfault would
    time.sleep(0.2)
    for _ in range(3):
        assert _ask(url).json()["boolean"] is True
    assert not set(pids_of_children(endpoint)) & set(before)


# -- finding 3: memory, time and concurrency -------------------------------------------------------------------


@pytest.mark.parametrize("accept, rows", [("application/sparql-results+json", lambda t: len(json.loads(t)["results"]["bindings"])),
                                          ("text/csv", lambda t: len(list(csv.reader(io.StringIO(t)))) - 1),
                                          ("text/tab-separated-values", lambda t: len(t.splitlines()) - 1),
                                          ("application/sparql-results+xml", lambda t: t.count("</result>"))],
                         ids=["json", "csv", "tsv", "xml"])
def test_an_answer_stops_at_the_row_cap_as_a_valid_document(url: str, accept: str, rows) -> None:
    started = time.monotonic()
    answer = requests.post(url, data={"query": CROSS}, headers={"Accept": accept}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["X-Councilkg-Row-Limit"] == "50"
    assert rows(answer.text) == 50
    if accept.endswith("xml"):
        assert answer.text.rstrip().endswith("</results></sparql>")
    assert time.monotonic() - started < TIMEOUT_S + 1


def test_construct_answers_stop_at_the_row_cap(url: str) -> None:
    answer = requests.post(url, data={"query": "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }"},
                           headers={"Accept": "application/n-triples"}, timeout=30)
    assert answer.status_code == 200 and len(answer.text.splitlines()) == 50


@pytest.mark.slow
def test_a_runaway_query_is_stopped_within_its_time_limit_and_a_second(url: str, endpoint: ReadOnlyEndpoint) -> None:
    _ask(url)
    started = time.monotonic()
    answer = requests.post(url, data={"query": RUNAWAY}, headers=JSON, timeout=60)
    took = time.monotonic() - started
    assert answer.status_code >= 400, answer.text[:200]
    assert took <= TIMEOUT_S + 1, f"stopped after {took:.1f} s"
    assert _ask(url).json()["boolean"] is True


@pytest.mark.slow
def test_a_streamed_runaway_is_stopped_and_its_process_goes(url: str, endpoint: ReadOnlyEndpoint) -> None:
    """SELECT * over a cross product: rows flow until the cap; a client that stops reading does not keep it going."""
    big = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a"
    started = time.monotonic()
    answer = requests.post(url, data={"query": big}, headers=JSON, timeout=60)
    assert time.monotonic() - started <= TIMEOUT_S + 1
    assert answer.status_code >= 400 or len(answer.json()["results"]["bindings"]) <= 50
    deadline = time.monotonic() + 5
    while len(pids_of_children(endpoint)) > 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pids_of_children(endpoint)) <= 3


@pytest.mark.slow
def test_queries_beyond_the_concurrency_limit_get_503_with_retry_after(url: str) -> None:
    answers: list[requests.Response] = []

    def run() -> None:
        answers.append(requests.post(url, data={"query": RUNAWAY}, headers=JSON, timeout=60))

    threads = [threading.Thread(target=run) for _ in range(LIMITS.max_queries + LIMITS.max_waiting + 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    busy = [a for a in answers if a.status_code == 503 and "busy" in a.text]
    assert busy, [a.status_code for a in answers]
    assert all(a.headers.get("Retry-After") for a in busy)
    assert _ask(url).json()["boolean"] is True


# -- finding 4: slow and malformed clients ---------------------------------------------------------------------


def _raw(endpoint: ReadOnlyEndpoint, data: bytes, wait: float = 5.0) -> bytes:
    """Send raw bytes; everything the server answers until it closes (or wait seconds of silence)."""
    port = int(endpoint.url.split(":")[2].split("/")[0])
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("length", ["-1", "abc", "1e3", " 12 34"])
def test_a_bad_content_length_is_a_400_without_a_traceback(endpoint: ReadOnlyEndpoint, length: str,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    request = (f"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
               f"Content-Length: {length}\r\nConnection: close\r\n\r\nASK {{}}").encode()
    answer = _raw(endpoint, request)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b"Traceback" not in answer
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.slow
def test_a_body_shorter_than_its_content_length_is_given_up_on(endpoint: ReadOnlyEndpoint) -> None:
    request = (b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
               b"Content-Length: 1000\r\n\r\nASK {}")
    started = time.monotonic()
    _raw(endpoint, request, wait=30)
    assert time.monotonic() - started <= LIMITS.request_timeout + 2.5


@pytest.mark.slow
def test_many_half_open_requests_hold_no_threads_and_are_closed(endpoint: ReadOnlyEndpoint, url: str) -> None:
    port = int(url.split(":")[2].split("/")[0])
    threads_before = threading.active_count()
    sockets = []
    for _ in range(300):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /query?query=ASK%20%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the headers never end
        sockets.append(sock)
    try:
        assert _ask(url).json()["boolean"] is True  # answered meanwhile
        assert threading.active_count() <= threads_before + 2
        time.sleep(LIMITS.request_timeout + 2)
        closed = 0
        for sock in sockets:
            sock.settimeout(2)
            try:
                closed += sock.recv(1) == b""
            except (ConnectionResetError, TimeoutError):
                closed += 1
        assert closed == len(sockets)
    finally:
        for sock in sockets:
            sock.close()
    assert threading.active_count() <= threads_before + 2


@pytest.mark.slow
def test_a_client_trickling_its_headers_is_cut_off(endpoint: ReadOnlyEndpoint, url: str) -> None:
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /query?query=ASK%20%7B%7D HTTP/1.1\r\n")
        cut = False
        while time.monotonic() - started < LIMITS.request_timeout + 4:
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except (BrokenPipeError, ConnectionResetError):
                cut = True
                break
            time.sleep(0.5)
        assert cut, "the server kept reading a request for longer than its request timeout"


# -- finding 1: Host and Origin (DNS rebinding, CSRF) ------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:7878", "127.0.0.1.evil.example", ""])
def test_a_foreign_host_is_refused(url: str, host: str) -> None:
    assert _ask(url, Host=host).status_code in (400, 403)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:80", "[::1]:7878", "kg.internal", "KG.internal:1"])
def test_loopback_and_allowed_hosts_are_answered(url: str, host: str) -> None:
    assert _ask(url, Host=host).status_code == 200


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://localhost.evil.example", "file://"])
def test_a_page_on_another_origin_is_refused(url: str, origin: str) -> None:
    answer = requests.post(url, data={"query": "ASK {}"}, headers={"Origin": origin, **JSON}, timeout=30)
    assert answer.status_code == 403
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_cross_site_request_without_an_origin_is_refused(url: str) -> None:
    assert _ask(url, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403


@pytest.mark.parametrize("origin", ["http://localhost:8501", "http://127.0.0.1:3000", "http://yasgui.example"])
def test_pages_on_loopback_and_allowed_origins_may_query(url: str, origin: str) -> None:
    answer = requests.post(url, data={"query": "ASK {}"}, headers={"Origin": origin, **JSON}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == origin


@pytest.mark.slow
def test_short_queries_are_answered_while_long_ones_fill_every_slot(url: str) -> None:
    """The express slots: with every slot running a runaway, a quick query still gets in, and a runaway that takes
    an express slot is stopped at the express limit with a 503."""
    answers: list[tuple[int, float]] = []

    def run() -> None:
        started = time.monotonic()
        answer = requests.post(url, data={"query": RUNAWAY}, headers=JSON, timeout=60)
        answers.append((answer.status_code, time.monotonic() - started))

    threads = [threading.Thread(target=run) for _ in range(LIMITS.max_queries)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    started = time.monotonic()
    assert _ask(url).json()["boolean"] is True
    assert time.monotonic() - started < 1.5
    started = time.monotonic()
    late = requests.post(url, data={"query": RUNAWAY}, headers=JSON, timeout=60)
    assert late.status_code == 503 and late.headers.get("Retry-After")
    assert time.monotonic() - started <= LIMITS.express_timeout + 1
    for t in threads:
        t.join(timeout=60)
    assert all(status >= 400 and took <= TIMEOUT_S + 1 for status, took in answers), answers


@pytest.mark.slow
def test_a_query_that_holds_too_much_memory_is_stopped(app_store: Path) -> None:
    """A sort over a cross product holds its rows: the watchdog stops it once the processes hold more than max_memory."""
    limits = ServeLimits(timeout_s=20, max_queries=2, max_memory=120 << 20)
    server = ReadOnlyEndpoint(app_store, port=free_port(), log=False, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        answer = requests.post(server.url, data={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i"},
                               headers=JSON, timeout=60)
        assert answer.status_code == 503 and "more memory" in answer.text, answer.text[:200]
        assert time.monotonic() - started < 20
        assert _ask(server.url).json()["boolean"] is True
    finally:
        server.close()
        thread.join(timeout=10)


@pytest.mark.slow
def test_a_query_stopped_at_its_limit_is_not_run_again_for_a_while(app_store: Path) -> None:
    limits = ServeLimits(timeout_s=TIMEOUT_S, max_queries=2, repeat_cooldown=30)
    server = ReadOnlyEndpoint(app_store, port=free_port(), log=False, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        first = requests.post(server.url, data={"query": RUNAWAY}, headers=JSON, timeout=60)
        assert first.status_code == 503 and "time limit" in first.text
        same = RUNAWAY.replace("?a", "?x").replace("?n", "?count") + "  # the same, renamed"
        started = time.monotonic()
        again = requests.post(server.url, data={"query": same}, headers=JSON, timeout=60)
        assert time.monotonic() - started < 1
        assert again.status_code == 503 and "not run again" in again.text
        assert 20 <= int(again.headers["Retry-After"]) <= 30
        assert _ask(server.url).json()["boolean"] is True  # other queries run
    finally:
        server.close()
        thread.join(timeout=10)


def test_an_answer_stops_at_the_byte_cap(app_store: Path) -> None:
    """Formats whose rows are not counted (Turtle) are held to the byte cap."""
    limits = ServeLimits(timeout_s=10, max_queries=2, max_bytes=20_000, repeat_cooldown=0)
    server = ReadOnlyEndpoint(app_store, port=free_port(), log=False, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        answer = requests.post(server.url, data={"query": "CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }"},
                               headers={"Accept": "text/turtle"}, timeout=30)
        assert answer.status_code == 200 and 0 < len(answer.content) <= 20_000
    finally:
        server.close()
        thread.join(timeout=10)


def test_a_client_that_leaves_stops_its_query(app_store: Path) -> None:
    """Issue 24: memory grew "still growing after the client left". Now the query's process goes with the client."""
    limits = ServeLimits(timeout_s=30, max_queries=2, max_rows=10**9, repeat_cooldown=0)
    server = ReadOnlyEndpoint(app_store, port=free_port(), log=False, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with requests.post(server.url, data={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                           headers={"Accept": "text/csv"}, timeout=30, stream=True) as answer:
            next(answer.iter_content(1024))
            busy = [child.process.pid for child in server.pool._busy]
            assert len(busy) == 1
        deadline = time.monotonic() + 3
        while _alive(busy[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(busy[0]), "the query kept running after its client left"
        assert _ask(server.url).json()["boolean"] is True
    finally:
        server.close()
        thread.join(timeout=10)
