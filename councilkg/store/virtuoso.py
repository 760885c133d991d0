"""A private OpenLink Virtuoso (Debian's virtuoso-opensource) for the tests and the benchmark.

``running(root)`` writes a configuration into ``root`` (database files there, the SQL and HTTP ports on
free loopback ports), starts ``virtuoso-t +foreground`` on it, waits for its SPARQL endpoint and stops
it afterwards; ``bulk_load(server, folder)`` loads every N-Quads file of a folder with Virtuoso's bulk
loader over ``isql``, each quad into its own named graph. docs/virtuoso.md gives the same steps as
commands for a Virtuoso of your own.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from councilkg import processes
from councilkg.errors import CouncilKGError

#: the default administrator of a new Virtuoso database (only ever on a loopback port of our own)
DBA = ("dba", "dba")
#: Virtuoso's pages of 8 KiB: 8,500 are about 1 GiB of cache (Virtuoso's advice: 2/3 of free memory)
BUFFERS_PER_GIB = 8_500

CONFIG = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {root}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {max_seconds}
"""

#: Virtuoso's bulk loader: every N-Quads file of the folder, each quad into its own graph; the count of
#: files that failed comes last
BULK_LOAD = """\
ld_dir('{folder}', '*.nq', 'urn:councilkg:no-default-graph');
rdf_loader_run();
checkpoint;
SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_error IS NOT NULL OR ll_state <> 2;
"""


class VirtuosoError(CouncilKGError):
    """Virtuoso is not installed, did not start, or did not load a file."""


@dataclass(frozen=True)
class Server:
    endpoint: str  # the SPARQL endpoint's URL
    sql_port: int  # where isql reaches it
    root: Path  # its folder: virtuoso.ini, db/


def binaries() -> tuple[str, str] | None:
    """The server's and the SQL client's paths (``virtuoso-t``, ``isql-vt``), or None where either is absent."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_endpoint(server: Server, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    log = server.root / "db" / "virtuoso.log"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise VirtuosoError(f"virtuoso-t exited: {log.read_text(errors='replace')[-2000:] if log.exists() else ''}")
        try:
            if requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise VirtuosoError(f"Virtuoso's SPARQL endpoint {server.endpoint} did not answer within {seconds:g} s")


@contextlib.contextmanager
def running(root: Path, *, memory_gib: float = 0.25, max_query_seconds: int = 60) -> Iterator[Server]:
    """A Virtuoso on free loopback ports with its database in ``root`` (created), stopped on exit.

    ``memory_gib`` sizes its page cache; ``max_query_seconds`` is its own limit on a query
    (``MaxQueryExecutionTime``: it then answers with the rows it has, which councilkg reports as a time-out).
    """
    found = binaries()
    if found is None:
        raise VirtuosoError("virtuoso-t or isql-vt is absent: install Debian's virtuoso-opensource")
    (root / "db").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    buffers = max(2_000, int(memory_gib * BUFFERS_PER_GIB))
    config = root / "virtuoso.ini"
    config.write_text(CONFIG.format(db=root / "db", root=root, sql_port=sql_port, http_port=http_port, buffers=buffers,
                                    dirty=buffers * 3 // 4, max_seconds=max_query_seconds), encoding="utf-8")
    server = Server(f"http://127.0.0.1:{http_port}/sparql", sql_port, root)
    process = subprocess.Popen([found[0], "+foreground", "+configfile", str(config)], cwd=root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_endpoint(server, process, 120.0)
        yield server
    finally:
        processes.stop(process, grace=30)


def bulk_load(server: Server, folder: Path, timeout: float = 1800) -> float:
    """Load every ``*.nq`` file in ``folder`` (which must be inside the server's root) with the bulk loader,
    keeping each quad's graph; the seconds it took. Raises VirtuosoError when a file failed."""
    found = binaries()
    assert found is not None  # running() checked
    script = server.root / "load.sql"
    script.write_text(BULK_LOAD.format(folder=folder), encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run([found[1], f"127.0.0.1:{server.sql_port}", *DBA, str(script)], capture_output=True, text=True,
                          timeout=timeout)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "\n0\n" not in done.stdout:
        raise VirtuosoError(f"Virtuoso's bulk loader failed on {folder}: {(done.stdout + done.stderr)[-2000:]}")
    return seconds
