"""The councilkg benchmark: load throughput, query latency, memory, embedded against HTTP and rdflib.

    make bench                                  # 10^4, 10^5, 10^6 triples; writes bench/results/report.{md,json}
    .venv/bin/python bench/run.py --sizes 10000,100000 --reps 10 --rdflib-cap 60

For each size, synthetic data (loaders/synthetic.py, seed 1) is generated and measured in child
processes, so each phase's peak memory is its own:

- load: end to end, ``councilkg load --fresh --rdf`` of the data's N-Quads file (strict parsing, a new
  generation, load records, counts, compaction, atomic switch) against a raw pyoxigraph ``bulk_load`` of
  the same file and ``optimize``; and ``councilkg load --synthetic``'s path, generating the data and
  building the store from the generated quads (``StoreFolder.build``). In turn, --load-reps times each
  up to 2*10^6 triples (medians reported);
- queries: every canned query with its catalogue example parameters (and, where every parameter is
  optional, also with none: the national form), p50 and p95 over --reps runs after one warm-up
  (more for a fast query: as many as take about 0.3 s, up to 300),
  through the project's runner (parameters given as resolved terms) and through raw
  ``Store.query`` of the identical bound text, as a ratio;
- http: the same queries through the runner against ``oxigraph serve-read-only`` on the same store;
- virtuoso: the same queries through the runner against OpenLink Virtuoso (Debian's virtuoso-opensource,
  ``councilkg.store.virtuoso``) holding everything the store holds, bulk-loaded from its N-Quads dump
  (the load timed too); skipped, and said so in the report, where ``virtuoso-t`` is absent;
- rdflib: the same bound texts on an rdflib in-memory Dataset (union default graph) holding
  everything the built store holds (dumped from it: the ontology's concepts as well as the data),
  each query given --rdflib-cap seconds; "did not finish" when it takes longer, and no ratio where
  rdflib's answer has a different number of rows.

Also measured: a real-data load (curated seed data, the authority lookup and both Ofsted
workbooks from ../shared/data, Ofsted's inspection reports, the seed documents, the council pages: what ``make store``
loads, ``councilkg.sources.shared``) end to end through ``councilkg load``,
and every canned query's catalogue example on the store it builds (where facts are restated by several sources),
embedded, over HTTP and on Virtuoso. Machines are shared and
noisy: compare the ratios measured in one run rather than times across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 1
FAST_QUERY_S = 0.3  # a query timed --reps times is timed more often if that many runs take less than this
MAX_QUERY_REPS = 300
LOAD_REPS_MAX_SIZE = 2_000_000  # above it one build and one raw load take minutes each: timed once


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """User and system CPU time used so far by every thread of this process (Oxigraph's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def _clocked(runs: dict[str, list[float]], name: str) -> Iterator[None]:
    """Append the block's wall-clock seconds to runs[name], and the CPUs it kept busy on average (CPU
    time of every thread of this process per second) to runs[name + "_cpus"]."""
    cpu, started = _cpu_seconds(), time.perf_counter()
    yield
    wall = time.perf_counter() - started
    runs[name].append(wall)
    runs[f"{name}_cpus"].append((_cpu_seconds() - cpu) / wall)


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "runs": len(ordered)}


def _cases(runner) -> list[tuple[str, str, dict]]:
    """(query, label, bindings as resolved Values): the example call, and the national form where allowed."""
    from councilkg.query import catalogue

    cases = []
    for query in catalogue.catalogue().values():
        examples = {p.name: p.example for p in query.params if p.example is not None}
        if examples:
            bindings = runner.bind(query, {k: str(v) for k, v in examples.items()})
            cases.append((query.name, "example", bindings))
        if not any(p.required for p in query.params):
            cases.append((query.name, "national", {}))
    return cases


def _example_entities(store_dir: Path) -> tuple[str, str]:
    """A synthetic council judged inadequate (visits, boards, commissioners) and the person with most posts."""
    from councilkg.query.backends import EmbeddedBackend
    from councilkg.query.runner import Runner

    runner = Runner(EmbeddedBackend(store_dir))
    council = runner.lookup("""
        PREFIX ckg: <https://w3id.org/councilkg/ontology#>
        SELECT ?council (COUNT(?number) AS ?n) WHERE {
          ?visit ckg:inspectedAuthority ?council . OPTIONAL { ?visit ckg:visitNumber ?number }
          FILTER STRSTARTS(STR(?council), "https://w3id.org/councilkg/id/council/E069")
        } GROUP BY ?council ORDER BY DESC(?n) ?council LIMIT 1""").strings()[0]["council"]
    person = runner.lookup("""
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?person (COUNT(?m) AS ?n) WHERE { ?m org:member ?person }
        GROUP BY ?person ORDER BY DESC(?n) ?person LIMIT 1""").strings()[0]["person"]
    runner.close()
    return council, person


def _patched_examples(council: str, person: str) -> None:
    """Point the catalogue's example parameters at synthetic entities, so each query has work to do."""
    from councilkg.query import catalogue

    for query in catalogue.catalogue().values():
        for param in query.params:
            if param.example is None:
                continue
            if param.type in ("council", "entity"):
                object.__setattr__(param, "example", council)
            elif param.type == "person":
                object.__setattr__(param, "example", person)


# --------------------------------------------------------------------------------------------
# Child phases (each prints one JSON object per line on stdout)
# --------------------------------------------------------------------------------------------


def phase_load(size: int, work: Path, reps: int) -> dict:
    """Time ``reps`` rounds of generating the data, building a store of it, loading its N-Quads file with
    ``councilkg load --rdf`` and a raw bulk load of the same file, each store on a fresh folder after an
    ``os.sync`` (so no run pays for writing back an earlier one's files); the medians are reported. The
    generation is seeded, so every round loads the same quads. The last build is kept in work/store for
    the query phases."""
    import gc

    import pyoxigraph as ox

    from councilkg.sources.build import LoadPlan, collect_payloads, load
    from councilkg.store import StoreFolder

    runs: dict[str, list[float]] = defaultdict(list)  # seconds (and CPUs busy) of each timed run
    nq = work / "data.nq"
    payloads: list = []
    for rep in range(reps):
        del payloads[:]  # the previous round's quads go before the next are made
        gc.collect()
        with _clocked(runs, "generate"):  # as `councilkg load --synthetic` does it
            payloads, _ = collect_payloads(LoadPlan(curated=None, synthetic=size, synthetic_seed=SEED))
        if rep == 0:
            triples = sum(len(p.quads) for p in payloads)
            with nq.open("wb") as handle:
                for p in payloads:
                    handle.write(ox.serialize(p.quads, format=ox.RdfFormat.N_QUADS))
        kept = rep == reps - 1
        folder = work / "store" if kept else work / f"build-{rep}"
        os.sync()
        with _clocked(runs, "build"):
            result = StoreFolder(folder).build(payloads, fresh=True)
        runs["write"].append(result.phases["write"])
        runs["compact"].append(result.phases["compact"])
        if not kept:
            shutil.rmtree(folder)
        from_file = work / f"file-{rep}"
        os.sync()
        with _clocked(runs, "file"):  # as `councilkg load --fresh --no-curated --rdf data.nq` does it
            loaded = load(StoreFolder(from_file), LoadPlan(curated=None, rdf=[nq], fresh=True)).result
        runs["file_parse_write"].append(loaded.phases["files"] + loaded.phases["write"])
        runs["file_compact"].append(loaded.phases["compact"])
        file_triples = sum(n for g, n in loaded.manifest["graphs"].items() if g in {p.graph.value for p in payloads})
        del loaded
        shutil.rmtree(from_file)
        raw_dir = work / f"raw-{rep}"
        os.sync()
        with _clocked(runs, "raw"):
            raw = ox.Store(str(raw_dir))
            raw.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
            raw.flush()
        with _clocked(runs, "optimize"):
            raw.optimize()  # the build compacts its store too (queries run up to 2.8x faster on it)
        del raw
        gc.collect()
        shutil.rmtree(raw_dir)
    m = {name: statistics.median(values) for name, values in runs.items()}
    built, raw_seconds, generated, from_file = m["build"], m["raw"], m["generate"], m["file"]
    generate_cpu = statistics.median(w * c for w, c in zip(runs["generate"], runs["generate_cpus"], strict=True))
    return {"triples": triples, "stored_triples": result.manifest["triples"], "generate_s": generated,
            "generate_cpu_s": generate_cpu, "generate_runs_s": runs["generate"], "build_s": built,
            "build_tps": triples / built, "with_generation_s": generated + built,
            "with_generation_tps": triples / (generated + built),
            "file_triples": file_triples, "file_s": from_file, "file_tps": triples / from_file, "file_runs_s": runs["file"],
            "file_parse_write_s": m["file_parse_write"], "file_compact_s": m["file_compact"], "file_cpus_busy": m["file_cpus"],
            "ratio_file_vs_raw_compacted": from_file / (raw_seconds + m["optimize"]),
            "raw_bulk_load_s": raw_seconds, "raw_tps": triples / raw_seconds, "ratio_build_vs_raw": built / raw_seconds,
            "raw_optimize_s": m["optimize"],
            "ratio_build_vs_raw_compacted": built / (raw_seconds + m["optimize"]),
            "load_runs": reps, "build_runs_s": runs["build"], "raw_runs_s": runs["raw"], "raw_optimize_runs_s": runs["optimize"],
            "build_write_s": m["write"], "build_compact_s": m["compact"], "build_cpus_busy": m["build_cpus"],
            "raw_cpus_busy": m["raw_cpus"],
            "peak_mib": _peak_mib()}


def phase_queries(work: Path, reps: int, endpoint: str | None, real: bool = False) -> dict:
    """Every canned query's example (and national form) through the runner and raw pyoxigraph. On synthetic
    data the examples are pointed at synthetic entities; on the real data (``real``) the catalogue's own
    examples (Croydon, Eleanor Brazil, ...) are used as they are."""
    import pyoxigraph as ox

    from councilkg.errors import CouncilKGError
    from councilkg.query import catalogue
    from councilkg.query.backends import EmbeddedBackend, RemoteBackend
    from councilkg.query.binding import bind_query
    from councilkg.query.runner import Runner

    if not real:
        _patched_examples(*_example_entities(work / "store"))
    embedded = EmbeddedBackend(work / "store")
    backend = RemoteBackend(endpoint, timeout=120) if endpoint else embedded
    runner = Runner(backend, limit=None, timeout=120)
    raw = ox.Store.read_only(str((work / "store" / "current").resolve()))
    out, texts = {}, {}
    for name, label, bindings in _cases(Runner(embedded)):
        query = catalogue.get(name)
        text = bind_query(query.text, bindings).text
        runner_times, raw_times, rows = [], [], 0
        runs = reps
        i = 0
        failed = None
        while i <= runs:
            started = time.perf_counter()
            try:
                result = runner.canned(name, bindings)
            except CouncilKGError as exc:  # an engine that times out or refuses: said in the report, the rest goes on
                if not endpoint:
                    raise
                failed = f"{type(exc).__name__}: {exc}"[:300]
                break
            elapsed = time.perf_counter() - started
            rows = len(result)
            if not endpoint:
                started2 = time.perf_counter()
                solutions = raw.query(text, use_default_graph_as_union=True)
                variables = solutions.variables
                _ = [[s[v] for v in variables] for s in solutions]
                raw_elapsed = time.perf_counter() - started2
            if i:  # the first run warms caches
                runner_times.append(elapsed)
                if not endpoint:
                    raw_times.append(raw_elapsed)
            else:  # a sub-millisecond query's p50 over a few runs is noise: fast queries run for FAST_QUERY_S
                runs = max(reps, min(MAX_QUERY_REPS, int(FAST_QUERY_S / max(elapsed, 1e-6))))
            if elapsed > 20 and i >= 1:
                break  # slow national forms: a few runs are enough
            i += 1
        if failed is not None:
            out[f"{name} [{label}]"] = {"error": failed}
            continue
        entry = {"rows": rows, "runs": len(runner_times), "runner": _stats(runner_times)}
        if raw_times:
            entry["raw"] = _stats(raw_times)
            entry["ratio_runner_vs_raw"] = entry["runner"]["p50_ms"] / max(entry["raw"]["p50_ms"], 1e-6)
        out[f"{name} [{label}]"] = entry
        texts[f"{name} [{label}]"] = text
    (work / "texts.json").write_text(json.dumps(texts))  # the queries as run, for the rdflib phase
    embedded.close()
    return {"queries": out, "peak_mib": _peak_mib()}


def phase_dump(work: Path) -> dict:
    """Write everything the built store holds (the ontology and the loads graph as well as the generated
    data) to store.nq, so rdflib answers the same queries over the same graph."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str((work / "store" / "current").resolve()))
    store.dump(str(work / "store.nq"), format=ox.RdfFormat.N_QUADS)
    return {"quads": len(store)}


def phase_rdflib(work: Path, skip: list[str]) -> None:
    """Runs the queries not in skip, printing a line per result; the parent kills it at a query's cap."""
    import rdflib

    started = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(str(work / "store.nq"), format="nquads")
    print(json.dumps({"parse_s": time.perf_counter() - started, "peak_mib": _peak_mib()}), flush=True)
    texts = json.loads((work / "texts.json").read_text())
    for key, text in texts.items():
        if key in skip:
            continue
        print(json.dumps({"start": key}), flush=True)
        t0 = time.perf_counter()
        try:
            rows = len(list(dataset.query(text)))
        except Exception as exc:
            print(json.dumps({"failed": key, "message": f"{type(exc).__name__}: {exc}"[:300]}), flush=True)
            continue
        print(json.dumps({"done": key, "ms": (time.perf_counter() - t0) * 1000, "rows": rows, "peak_mib": _peak_mib()}), flush=True)


# --------------------------------------------------------------------------------------------
# The parent: runs the phases, writes the report
# --------------------------------------------------------------------------------------------


def _child(*args: str, timeout: float | None = None) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"bench phase {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _forward_lines(stream: Iterable[str], lines: queue.Queue[str]) -> None:
    """Put each line of stream on the queue, then "" at its end."""
    for line in stream:
        lines.put(line)
    lines.put("")


def run_rdflib(work: Path, cap: float, budget: float) -> dict:
    """Each query gets `cap` seconds: one over it is "did not finish", and rdflib is restarted for the rest.

    Everything stops when `budget` seconds (loading included) have gone; queries not reached are "not run".
    The child's lines are read on a thread and handed over through a queue, so a line the parent has
    not looked at yet (a query's start) cannot sit unseen in a read buffer while its clock runs.
    """
    result: dict = {"queries": {}}
    keys = list(json.loads((work / "texts.json").read_text()))
    give_up = time.monotonic() + budget
    while len(result["queries"]) < len(keys) and time.monotonic() < give_up:
        skip = work / "skip.json"
        skip.write_text(json.dumps(list(result["queries"])))
        process = subprocess.Popen([sys.executable, __file__, "--phase", "rdflib", "--work", str(work)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
        assert process.stdout is not None
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=_forward_lines, args=(process.stdout, lines), daemon=True)
        reader.start()
        current, deadline, parsed = None, give_up, False
        try:
            while True:
                remaining = min(deadline, give_up) - time.monotonic()
                if remaining <= 0:
                    if current is not None and deadline <= give_up:
                        result["queries"][current] = {"dnf_s": cap}
                    elif current is None and not parsed:
                        result["parse"] = "did not finish loading within the rdflib time budget"
                    break
                try:
                    line = lines.get(timeout=remaining)
                except queue.Empty:
                    continue
                if not line:
                    break
                msg = json.loads(line)
                if "parse_s" in msg:
                    parsed = True
                    result.update(parse_s=msg["parse_s"], peak_mib=max(result.get("peak_mib", 0), msg["peak_mib"]))
                elif "start" in msg:
                    current, deadline = msg["start"], time.monotonic() + cap
                elif "failed" in msg:
                    result["queries"][msg["failed"]] = {"error": msg["message"]}
                    current, deadline = None, give_up
                elif "done" in msg:
                    done = {"ms": msg["ms"], "rows": msg["rows"]} if msg["ms"] <= cap * 1000 else {"dnf_s": cap}
                    result["queries"][msg["done"]] = done
                    result["peak_mib"] = max(result.get("peak_mib", 0), msg["peak_mib"])
                    current, deadline = None, give_up
        finally:
            process.kill()
            process.wait()
            reader.join(timeout=10)
        if "parse" in result:
            break
    result["budget_s"] = budget
    return result


def _queries_args(work: Path, reps: int, endpoint: str, real: bool) -> list[str]:
    return ["--phase", "queries", "--work", str(work), "--reps", str(reps), "--endpoint", endpoint, *(["--real"] if real else [])]


def run_http(work: Path, reps: int, real: bool = False) -> dict:
    from councilkg.cli.serve import free_port, oxigraph_binary

    port = free_port("127.0.0.1")
    server = subprocess.Popen([oxigraph_binary(), "serve-read-only", "--location", str((work / "store" / "current").resolve()),
                               "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "120"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import socket

        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        return _child(*_queries_args(work, reps, f"http://127.0.0.1:{port}/query", real))
    finally:
        server.terminate()
        server.wait()


VIRTUOSO_QUERY_LIMIT_S = 60  # Virtuoso's own limit on a query (MaxQueryExecutionTime): a longer one is "did not finish"


def run_virtuoso(work: Path, reps: int, real: bool = False) -> dict:
    """Every query on a Virtuoso holding everything the store holds (its N-Quads dump, bulk-loaded); the load timed.

    Without ``virtuoso-t`` the result says so (the report then has no Virtuoso column)."""
    from councilkg.store import virtuoso

    if virtuoso.binaries() is None:
        return {"skipped": "virtuoso-t is absent (Debian's virtuoso-opensource is not installed): no Virtuoso column"}
    if not (work / "store.nq").exists():
        _child("--phase", "dump", "--work", str(work))
    data = work / "virtuoso-data"
    data.mkdir(exist_ok=True)
    os.link(work / "store.nq", data / "store.nq")
    quads = sum(1 for _ in (data / "store.nq").open("rb"))
    with virtuoso.running(work / "virtuoso", memory_gib=2.0, max_query_seconds=VIRTUOSO_QUERY_LIMIT_S) as server:
        shutil.move(str(data), str(work / "virtuoso" / "data"))  # inside the folder the server may read
        seconds = virtuoso.bulk_load(server, work / "virtuoso" / "data")
        queries = _child(*_queries_args(work, reps, server.endpoint, real))
    known = _known_on_virtuoso(queries.get("queries", {})) if real else {}
    return {"quads": quads, "load_s": seconds, "load_tps": quads / seconds, "limit_s": VIRTUOSO_QUERY_LIMIT_S,
            "known_differences": known, **queries}


def _known_on_virtuoso(queries: dict) -> dict[str, str]:
    """The calls on the real data that ``councilkg.query.portability`` records as answered differently by Virtuoso
    (or not compared), each with what goes wrong: the engine comparison's own list."""
    from councilkg.query import catalogue, portability

    known = {}
    for key in queries:
        name, label = key[:-1].split(" [")
        args = catalogue.get(name).example_args() if label == "example" else {}
        reason = portability.virtuoso_difference("real", name, args)
        if reason:
            known[key] = reason
    return known


def run_real_data(reps: int) -> dict | None:
    """Load the real data as `make run` does (curated seed data and everything in ../shared the loaders read:
    the authority lookup, both Ofsted workbooks, Ofsted's reports, the seed documents, the council pages), then
    time every canned query's catalogue example on it: the real graph restates facts in several source graphs,
    which synthetic data does not."""

    from councilkg.settings import Settings
    from councilkg.sources.shared import load_args

    shared = Settings.from_env().shared
    inputs = load_args(shared)
    if "--lookup" not in inputs or "--ofsted" not in inputs:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-m", "councilkg.cli.main", "load", "--store", str(Path(tmp) / "store"), "--fresh", "-q",
                *inputs]
        started = time.perf_counter()
        done = subprocess.run(args, capture_output=True, text=True, cwd=tmp, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            return {"error": done.stderr[-2000:]}
        total = next((line for line in done.stdout.splitlines() if line.startswith("store now holds")), "")
        pairs = list(zip(inputs[::2], inputs[1::2], strict=True))
        described = [Path(path).name for option, path in pairs if option != "--documents"] \
            + [f"the documents in {Path(path).name}" for option, path in pairs if option == "--documents"]
        queries = _child("--phase", "queries", "--work", tmp, "--reps", str(reps), "--real")
        print("real data: queries over HTTP and on Virtuoso ...", file=sys.stderr, flush=True)
        http = run_http(Path(tmp), max(3, reps // 3), real=True)
        on_virtuoso = run_virtuoso(Path(tmp), max(3, reps // 3), real=True)
        return {"seconds": seconds, "summary": total, "inputs": described, "queries": queries, "http": http,
                "virtuoso": on_virtuoso}


def machine() -> dict:
    import pyoxigraph
    import rdflib

    mem = ""
    with open("/proc/meminfo") as handle:
        mem = handle.readline().split(":")[1].strip()
    cpu = ""
    with open("/proc/cpuinfo") as handle:
        cpu = next((line.split(":")[1].strip() for line in handle if line.startswith("model name")), "")
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__, "os": platform.platform()}


def _fmt(ms: float | None) -> str:
    return "—" if ms is None else (f"{ms:,.1f}" if ms < 1000 else f"{ms:,.0f}")


TARGET_SIZE = 1_000_000
TARGET_P50_MS = 100.0
TARGET_RUNNER_RATIO = 1.2
TARGET_LOAD_TPS = 150_000


def _throughput(tps: float, detail: str = "") -> tuple[str, str]:
    met = tps >= TARGET_LOAD_TPS
    return ("met" if met else "**missed**",
            f"{tps:,.0f} triples/s" + ("" if met else f", {100 * (1 - tps / TARGET_LOAD_TPS):.0f}% short") + detail)


def _ceiling(triples: int, cpu_seconds: float, cpus: int) -> str:
    """The CPU time a load took, and the most triples/s this machine's CPUs allow for that much work."""
    return (f"{cpu_seconds:.1f} CPU-seconds in all, so at most {triples * cpus / cpu_seconds:,.0f} triples/s on "
            f"{cpus} CPUs even with every CPU busy throughout")


def _load_detail(report: dict, load: dict, path: str, writing: str, step: str) -> str:
    """Where a load's time went (``path``: "file" or "build"; ``writing`` the step before the compaction,
    timed in load[step]), its runs' range, and whether the CPUs were the limit (runs before these were
    measured have none of it)."""
    if f"{path}_cpus_busy" not in load:
        return ""
    cpus, triples, seconds = report["machine"]["cpus"], load["triples"], load[f"{path}_s"]
    runs = load.get(f"{path}_runs_s", [])
    spread = (f" (median of {len(runs)} runs: {triples / max(runs):,.0f}–{triples / min(runs):,.0f})"
              if len(runs) > 1 else "")
    return (f"{spread}; {writing} {load[step]:.2f} s, "
            f"compacting {load[f'{path}_compact_s']:.2f} s, {load[f'{path}_cpus_busy']:.2f} of {cpus} CPUs busy on average; "
            + _ceiling(triples, load[f"{path}_cpus_busy"] * seconds, cpus))


def _with_generation(report: dict, load: dict) -> str:
    """`councilkg load --synthetic` generates the data on one thread before the build: not a load of a source,
    but what a user of that command waits for."""
    cpu = load["generate_cpu_s"] + load["build_cpus_busy"] * load["build_s"]
    return (f"`councilkg load --synthetic` first generates the data ({load['generate_s']:.2f} s on one thread), which "
            f"is making a source rather than loading one: {load['with_generation_tps']:,.0f} triples/s including the "
            f"generation ({_ceiling(load['triples'], cpu, report['machine']['cpus'])}).")


def _spread(runs: list[float]) -> str:
    return f" ({min(runs):.2f}–{max(runs):.2f})" if len(runs) > 1 else ""


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def _latency_row(what: str, queries: dict) -> tuple[str, str, str, str]:
    """The latency target judged on each query's example call (a query that takes no parameter: its only
    form), with the calls that miss it, or the slowest."""
    names = {k.split(" [")[0] for k in queries}
    examples = {k: queries[k] for k in (f"{n} [example]" if f"{n} [example]" in queries else f"{n} [national]" for n in names)}
    slow = {k: q["runner"]["p50_ms"] for k, q in examples.items() if q["runner"]["p50_ms"] >= TARGET_P50_MS}
    slowest = max(examples, key=lambda k: examples[k]["runner"]["p50_ms"])
    return (what, f"< {TARGET_P50_MS:g} ms", _verdict(not slow),
            "; ".join(f"{k} {ms:.0f} ms ({ms / TARGET_P50_MS:.2f}× the target)" for k, ms in slow.items())
            or f"slowest {slowest} {examples[slowest]['runner']['p50_ms']:.1f} ms")


def _targets(report: dict) -> list[str]:
    """The issue's targets at 10^6 triples, each met or missed and by how much (the README says why)."""
    sizes = {int(k): v for k, v in report["sizes"].items()}
    if TARGET_SIZE not in sizes:
        return []
    r = sizes[TARGET_SIZE]
    queries = r["queries"]["queries"]
    ratios = {k: q["ratio_runner_vs_raw"] for k, q in queries.items() if "ratio_runner_vs_raw" in q}
    worst = max(ratios, key=ratios.get)
    ld = r["load"]
    wanted = f"≥ {TARGET_LOAD_TPS:,} triples/s"

    rows = [
        _latency_row("every canned query's example, p50 embedded", queries),
        ("runner ÷ raw pyoxigraph, p50", f"≤ {TARGET_RUNNER_RATIO:g}×", _verdict(ratios[worst] <= TARGET_RUNNER_RATIO),
         f"worst {worst} {ratios[worst]:.2f}×"),
    ]
    if "file_tps" in ld:  # reports made before `load --rdf` have none
        rows.append(("load end to end: the N-Quads file to a published, compacted store (`councilkg load --fresh --rdf`)",
                     wanted, *_throughput(ld["file_tps"], _load_detail(report, ld, "file", "parsing and writing", "file_parse_write_s")
                                          + f"; raw `bulk_load` + `optimize` of the same file "
                                            f"{ld['triples'] / (ld['raw_bulk_load_s'] + ld['raw_optimize_s']):,.0f} "
                                            f"triples/s ({ld['ratio_file_vs_raw_compacted']:.2f}× its time)")))
    rows.append(("load from generated quads (`councilkg load --synthetic`, once generated)", wanted,
                 *_throughput(ld["build_tps"], _load_detail(report, ld, "build", "writing", "build_write_s"))))
    real = (report.get("real_data") or {}).get("queries", {}).get("queries", {})
    if real:  # not one of the targets, but the graph users query: held to the same latency
        rows.append(_latency_row("every canned query's example on the real data, p50 embedded", real))
    lines = ["", f"## Targets at {r['load']['triples']:,} triples", "", "| target | wanted | result | detail |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    lines += ["", "The national forms of queries whose council is optional are listings rather than interactive queries, not held to the "
                  "latency target. Where a target is missed, the README's performance section says why."]
    if "generate_cpu_s" in ld and "build_cpus_busy" in ld:
        lines += ["", _with_generation(report, ld)]
    return lines


def _rdflib_cells(rd: dict | None, q: dict, cap: float) -> tuple[str, str]:
    """The rdflib time and its ratio to the embedded p50 for one query, or why there is none."""
    if rd is None:
        return "not run (time budget)", "—"
    if "error" in rd:
        return "rdflib failed: " + rd["error"].replace("|", "/")[:80], "—"
    if "dnf_s" in rd:
        return f"did not finish in {cap:g} s", f"> {cap * 1000 / q['runner']['p50_ms']:,.0f}×"
    if rd["rows"] != q["rows"]:  # a different answer: its time is no measure of the same work
        return f"{_fmt(rd['ms'])}, but {rd['rows']:,} rows", "—"
    return _fmt(rd["ms"]), f"{rd['ms'] / q['runner']['p50_ms']:,.1f}×"


def _engine_cells(engine: dict | None, key: str, q: dict) -> tuple[str, str]:
    """Another engine's p50 for one query and its ratio to the embedded p50, or why there is none."""
    if not engine or "skipped" in engine:
        return "not measured", "—"
    theirs = engine.get("queries", {}).get(key)
    if theirs is None:
        return "not run", "—"
    known = engine.get("known_differences", {}).get(key)
    if known:
        return "known to differ: " + known.replace("|", "/")[:80], "—"
    if "error" in theirs:
        limit = engine.get("limit_s")
        timed_out = "QueryTimeoutError" in theirs["error"]
        return (f"did not finish in {limit:g} s" if timed_out and limit else
                "failed: " + theirs["error"].replace("|", "/")[:80]), "—"
    p50 = theirs["runner"]["p50_ms"]
    if theirs["rows"] != q["rows"]:
        return f"{_fmt(p50)}, but {theirs['rows']:,} rows", "—"
    return _fmt(p50), f"{p50 / q['runner']['p50_ms']:.2f}×"


def _virtuoso_note(engine: dict | None, where: str) -> list[str]:
    """What the Virtuoso column is, or why it is not there."""
    if not engine:
        return []
    if "skipped" in engine:
        return ["", f"Virtuoso ({where}): {engine['skipped']}."]
    return ["", f"Virtuoso ({where}): Debian's virtuoso-opensource, 2 GiB of page cache, holding everything the store "
                f"holds ({engine['quads']:,} quads, bulk-loaded from their N-Quads in {engine['load_s']:.1f} s: "
                f"{engine['load_tps']:,.0f} quads/s), queried through the runner over the SPARQL protocol; its own limit "
                f"on a query is {engine['limit_s']:g} s."]


def write_report(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True))
    m = report["machine"]
    lines = ["# councilkg benchmark", "",
             f"Run {report['started']} on {m['cpus']} CPUs ({m['cpu']}), {m['memory']} memory, Python {m['python']}, "
             f"pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}. Synthetic data, seed {SEED}. "
             f"{report['reps']} timed runs per query after one warm-up, more for fast queries (as many as take about "
             f"{FAST_QUERY_S:g} s, up to {MAX_QUERY_REPS}). Times in ms unless marked.", ""]
    lines += [*_targets(report)[1:], ""]
    lines += ["## Load", "",
              "*end to end*: `councilkg load --fresh --rdf data.nq` of the synthetic data's N-Quads file (strictly parsed, "
              "written on every CPU, load records, counts, compaction, atomic switch) to a published, compacted store. "
              "*raw*: one pyoxigraph `bulk_load` of the same file, then `optimize` (compaction). *build*: what "
              "`councilkg load --synthetic` does once it has generated the quads (`StoreFolder.build`). Time ratios: below "
              "1× ours is faster. Generations, builds, file loads and raw loads take turns, each store on a fresh folder "
              "after `os.sync`; times are the median of *runs* runs of each (the range of the runs in brackets). Both file "
              "loads read the file from the page cache (it was written just before). "
              "*CPUs busy* is the CPU time of all the process's threads per second.", "",
              "| triples | runs | end to end s | parse and write s | compact s | CPUs busy | end to end triples/s | raw bulk_load s "
              "| raw optimize s | raw CPUs busy | raw triples/s | end to end ÷ raw bulk_load+optimize | peak MiB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in report["sizes"].values():
        ld = r["load"]
        if "file_s" not in ld:  # reports made before `load --rdf`
            continue
        raw_total = ld["raw_bulk_load_s"] + ld["raw_optimize_s"]
        lines.append(f"| {ld['triples']:,} | {len(ld['file_runs_s'])} | {ld['file_s']:.2f}{_spread(ld['file_runs_s'])} | "
                     f"{ld['file_parse_write_s']:.2f} | {ld['file_compact_s']:.2f} | {ld['file_cpus_busy']:.2f} | "
                     f"{ld['file_tps']:,.0f} | {ld['raw_bulk_load_s']:.2f} | {ld['raw_optimize_s']:.2f} | {ld['raw_cpus_busy']:.2f} | "
                     f"{ld['triples'] / raw_total:,.0f} | {ld['ratio_file_vs_raw_compacted']:.2f}× | {ld['peak_mib']:,.0f} |")
    lines += ["", "| triples | generate s | build s | write s | compact s | CPUs busy | build triples/s | build ÷ raw bulk_load+optimize "
                  "| with the generation triples/s |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in report["sizes"].values():
        ld = r["load"]
        runs = ld.get("build_runs_s", [ld["build_s"]])
        split = [f"{ld[k]:.2f}" if k in ld else "—" for k in ("build_write_s", "build_compact_s", "build_cpus_busy")]
        compacted = ld.get("ratio_build_vs_raw_compacted")
        lines.append(f"| {ld['triples']:,} | {ld['generate_s']:.2f} | {ld['build_s']:.2f}{_spread(runs)} | {' | '.join(split)} | "
                     f"{ld['build_tps']:,.0f} | {f'{compacted:.2f}×' if compacted else '—'} | "
                     f"{ld.get('with_generation_tps', ld.get('end_to_end_tps', 0)):,.0f} |")
    real = report.get("real_data")
    if real:
        lines += ["", f"Real data (`councilkg load --fresh` with {', '.join(real.get('inputs', []))} and the curated seed data): "
                      f"{real.get('seconds', 0):.1f} s end to end. {real.get('summary', real.get('error', ''))}"]
        if real.get("queries"):
            lines += ["", "## Queries on the real data", "",
                      "The catalogue's own examples (Croydon, Eleanor Brazil, London, ...) on the store built from the real data "
                      "above, through the runner and raw pyoxigraph. Here most facts are restated by several sources, each in "
                      "its own graph, which the synthetic data does not do.", "",
                      "| query [parameters] | rows | runner p50 | runner p95 | raw p50 | runner ÷ raw | HTTP p50 | HTTP ÷ embedded "
                      "| Virtuoso p50 | Virtuoso ÷ embedded |", "|---|---|---|---|---|---|---|---|---|---|"]
            for key, q in real["queries"]["queries"].items():
                lines.append(f"| {key} | {q['rows']:,} | {_fmt(q['runner']['p50_ms'])} | {_fmt(q['runner']['p95_ms'])} | "
                             f"{_fmt(q.get('raw', {}).get('p50_ms'))} | {q.get('ratio_runner_vs_raw', 0):.2f}× | "
                             f"{' | '.join(_engine_cells(real.get('http'), key, q))} | "
                             f"{' | '.join(_engine_cells(real.get('virtuoso'), key, q))} |")
            lines += _virtuoso_note(real.get("virtuoso"), "the real data")
    for r in report["sizes"].values():
        lines += ["", f"## Queries at {r['load']['triples']:,} triples", "",
                  "| query [parameters] | rows | runner p50 | runner p95 | raw p50 | runner ÷ raw | HTTP p50 | HTTP ÷ embedded "
                  "| Virtuoso p50 | Virtuoso ÷ embedded | rdflib | rdflib ÷ embedded |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        http = r.get("http", {}).get("queries", {})
        rdf = r.get("rdflib", {}).get("queries", {})
        cap = report["rdflib_cap"]
        for key, q in r["queries"]["queries"].items():
            h = http.get(key, {}).get("runner", {}).get("p50_ms")
            rd_text, rd_ratio = _rdflib_cells(rdf.get(key), q, cap) if "rdflib" in r else ("not run at this size", "—")
            lines.append(f"| {key} | {q['rows']:,} | {_fmt(q['runner']['p50_ms'])} | {_fmt(q['runner']['p95_ms'])} | "
                         f"{_fmt(q.get('raw', {}).get('p50_ms'))} | {q.get('ratio_runner_vs_raw', 0):.2f}× | {_fmt(h)} | "
                         f"{(h / q['runner']['p50_ms']) if h else 0:.2f}× | "
                         f"{' | '.join(_engine_cells(r.get('virtuoso'), key, q) if 'virtuoso' in r else ('not run at this size', '—'))} | "
                         f"{rd_text} | {rd_ratio} |")
        lines += _virtuoso_note(r.get("virtuoso"), f"{r['load']['triples']:,} triples")
        rinfo = r.get("rdflib")
        if rinfo is None:
            rdflib_memory = f"rdflib not run above {report.get('rdflib_max_size', 1_000_000):,} triples (`--rdflib-max-size`)"
        else:
            rdflib_memory = (f"rdflib {rinfo.get('peak_mib', 0):,.0f} MiB (parse {rinfo.get('parse_s', 0):.1f} s"
                             f"{'; ' + rinfo['parse'] if 'parse' in rinfo and not rinfo.get('parse_s') else ''}; "
                             f"rdflib time budget {rinfo.get('budget_s', 0):g} s)")
        lines += ["", f"Peak memory: load {r['load']['peak_mib']:,.0f} MiB, embedded queries {r['queries']['peak_mib']:,.0f} MiB, "
                      f"{rdflib_memory}."]
    (out / "report.md").write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated triple counts")
    parser.add_argument("--reps", type=int, default=15, help="timed runs per query (default 15)")
    parser.add_argument("--load-reps", type=int, default=3,
                        help=f"timed generations, builds and raw loads at each size up to {LOAD_REPS_MAX_SIZE:,} "
                             "triples, in turn; medians reported (default 3; one above that size)")
    parser.add_argument("--rdflib-cap", type=float, default=60.0, help="seconds each query may take on rdflib (default 60)")
    parser.add_argument("--rdflib-budget", type=float, default=900.0, help="seconds rdflib may take in all, per size (default 900)")
    parser.add_argument("--rdflib-max-size", type=int, default=1_000_000, help="skip rdflib above this size")
    parser.add_argument("--virtuoso-sizes", default="1000000",
                        help="comma-separated sizes also measured on Virtuoso (default 1000000; the real data always)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"), help="where to write report.md and report.json")
    parser.add_argument("--render", action="store_true", help="only rewrite report.md from the report.json in --out")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--real", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "load":
        print(json.dumps(phase_load(args.size, Path(args.work), args.load_reps)))
        return 0
    if args.phase == "queries":
        print(json.dumps(phase_queries(Path(args.work), args.reps, args.endpoint, real=args.real)))
        return 0
    if args.phase == "dump":
        print(json.dumps(phase_dump(Path(args.work))))
        return 0
    if args.phase == "rdflib":
        phase_rdflib(Path(args.work), json.loads((Path(args.work) / "skip.json").read_text()))
        return 0

    out = Path(args.out)
    if args.render:
        write_report(json.loads((out / "report.json").read_text()), out)
        return 0
    report = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine(), "reps": args.reps,
              "rdflib_cap": args.rdflib_cap, "rdflib_max_size": args.rdflib_max_size, "sizes": {}}
    virtuoso_sizes = {int(float(v)) for v in args.virtuoso_sizes.split(",") if v}
    print("real data: load and queries ...", file=sys.stderr, flush=True)
    report["real_data"] = run_real_data(args.reps)
    for size in [int(float(s)) for s in args.sizes.split(",")]:
        work = Path(tempfile.mkdtemp(prefix=f"councilkg-bench-{size}-"))
        try:
            print(f"{size:,}: load ...", file=sys.stderr, flush=True)
            load_reps = args.load_reps if size <= LOAD_REPS_MAX_SIZE else 1
            entry = {"load": _child("--phase", "load", "--size", str(size), "--work", str(work), "--load-reps", str(load_reps))}
            print(f"{size:,}: queries (embedded, raw) ...", file=sys.stderr, flush=True)
            entry["queries"] = _child("--phase", "queries", "--work", str(work), "--reps", str(args.reps))
            print(f"{size:,}: queries over HTTP ...", file=sys.stderr, flush=True)
            entry["http"] = run_http(work, max(3, args.reps // 3))
            if size in virtuoso_sizes:
                print(f"{size:,}: queries on Virtuoso ...", file=sys.stderr, flush=True)
                entry["virtuoso"] = run_virtuoso(work, max(3, args.reps // 3))
            if size <= args.rdflib_max_size:
                print(f"{size:,}: rdflib (cap {args.rdflib_cap:g} s per query) ...", file=sys.stderr, flush=True)
                dumped = _child("--phase", "dump", "--work", str(work))
                entry["rdflib"] = {**run_rdflib(work, args.rdflib_cap, args.rdflib_budget), "quads": dumped["quads"]}
            report["sizes"][str(size)] = entry
            write_report(report, out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    write_report(report, out)
    print(f"wrote {out / 'report.md'} and {out / 'report.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
