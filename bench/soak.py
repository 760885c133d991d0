"""The soak of ``councilkg serve`` (issue 24): runaway and normal clients at once, on loopback only, for a bounded time.

    .venv/bin/python bench/soak.py                  # 50 runaway + 50 normal clients for 60 s, twice; writes bench/results/soak.{md,json}
    .venv/bin/python bench/soak.py --seconds 20 --runaway 10 --normal 10

A store of the curated data is built in a temporary folder and served by a real ``councilkg serve`` (its
defaults, but ``--timeout``) on a free 127.0.0.1 port. Runaway clients send, again and again, queries that
never end on their own (a COUNT over a three-way cross product; a SELECT * over one, ordered, which Oxigraph
streams); normal clients send a catalogue-like look-up (people and their roles at a council). Every client
waits for its answer; on a 503 it waits as ``Retry-After`` says. Measured:

- normal clients: answers, how many were 200 and how many 503, p50/p95/max of the time to an answer;
- runaways: how long each ran before it was stopped (serve's ``X-Councilkg-Ran-For``: from the start of
  its run, not counting its wait for a slot), against its limit (the time limit, or the express limit when
  it ran in an express slot, whose 503 says so), and the worst;
- serve: peak resident memory of serve and its Oxigraph processes together (sampled every 0.25 s), and its
  thread and process counts before, at the peak, and after (once the clients have stopped and 5 s passed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from councilkg import processes  # noqa: E402
from councilkg.cli.serve import free_port  # noqa: E402

#: {tag} makes each runaway client's query its own (and, with --vary, each of its requests)
RUNAWAYS = [
    'SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != "{tag}") }',
    'SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(?i != "{tag}") } ORDER BY ?i',
]
NORMAL = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?name ?role WHERE {
  ?m org:organization <https://w3id.org/councilkg/id/council/E09000008> ; org:member ?person ; org:role ?r .
  ?person rdfs:label ?name . ?r rdfs:label ?role .
} LIMIT 50"""
ACCEPT = {"Accept": "application/sparql-results+json"}


def _tree(pid: int) -> list[int]:
    """pid and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _status(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _census(pid: int) -> dict[str, int]:
    tree = _tree(pid)
    return {"rss_kib": sum(_status(p, "VmRSS") for p in tree), "serve_threads": _status(pid, "Threads"),
            "processes": len(tree) - 1}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def soak(seconds: float, runaway: int, normal: int, timeout_s: int, vary: bool = False) -> dict:
    work = Path(tempfile.mkdtemp(prefix="councilkg-soak-"))
    env = dict(os.environ, COUNCILKG_STORE=str(work / "store"), PYTHONPATH=str(ROOT))
    env.pop("COUNCILKG_ENDPOINT", None)
    cli = [sys.executable, "-m", "councilkg.cli.main"]
    subprocess.run([*cli, "load", "-q"], env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    url = f"http://127.0.0.1:{port}/query"
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--timeout", str(timeout_s), "--quiet"], env=env, cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(url, params={"query": "ASK {}"}, timeout=5)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("councilkg serve did not start") from None
                time.sleep(0.2)
        time.sleep(1)
        before = _census(server.pid)
        stop_at = time.monotonic() + seconds
        lock = threading.Lock()
        normal_times: list[float] = []
        normal_status: dict[int, int] = {}
        runaway_runs: list[dict] = []
        errors: list[str] = []
        peak = dict(before)

        def sample() -> None:
            while time.monotonic() < stop_at + 5:
                now = _census(server.pid)
                with lock:
                    for key, value in now.items():
                        peak[key] = max(peak[key], value)
                time.sleep(0.25)

        def normal_client() -> None:
            session = requests.Session()
            while time.monotonic() < stop_at:
                started = time.monotonic()
                try:
                    answer = session.post(url, data={"query": NORMAL}, headers=ACCEPT, timeout=120)
                except requests.RequestException as exc:
                    with lock:
                        errors.append(f"normal: {type(exc).__name__}")
                    continue
                took = time.monotonic() - started
                with lock:
                    normal_times.append(took)
                    normal_status[answer.status_code] = normal_status.get(answer.status_code, 0) + 1
                if answer.status_code == 503:
                    time.sleep(float(answer.headers.get("Retry-After", "1")))

        def runaway_client(n: int) -> None:
            session = requests.Session()
            template = RUNAWAYS[n % len(RUNAWAYS)]
            sent = 0
            while time.monotonic() < stop_at:
                sent += 1
                query = template.replace("{tag}", f"client {n}" + (f" request {sent}" if vary else ""))
                started = time.monotonic()
                try:
                    answer = session.post(url, data={"query": query}, headers=ACCEPT, timeout=120)
                    body = answer.text[:300]
                except requests.RequestException as exc:
                    with lock:
                        errors.append(f"runaway: {type(exc).__name__}")
                    continue
                took = time.monotonic() - started
                ran = float(answer.headers.get("X-Councilkg-Ran-For") or took)  # from the start of its run, if stopped
                express = "must finish within" in body
                memory = "more memory" in body
                cooled = "not run again" in body
                refused = answer.status_code == 503 and not (express or memory) and "time limit" not in body
                with lock:
                    runaway_runs.append({"status": answer.status_code, "seconds": ran, "waited_and_ran": took,
                                         "express": express, "memory": memory, "cooled": cooled,
                                         "refused": refused, "kind": "count" if "COUNT" in query else "select"})
                if answer.status_code == 503 and (express or refused) and answer.headers.get("Retry-After"):
                    time.sleep(float(answer.headers.get("Retry-After", "1")))

        threads = [threading.Thread(target=sample, daemon=True)]
        threads += [threading.Thread(target=runaway_client, args=(n,), daemon=True) for n in range(runaway)]
        threads += [threading.Thread(target=normal_client, daemon=True) for _ in range(normal)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 180)
        time.sleep(5)
        after = _census(server.pid)
    finally:
        processes.stop(server, grace=30)
    stopped = [r for r in runaway_runs if not r["refused"]]
    express_limit = 2.0  # serve's default express_timeout
    over = [r for r in stopped if r["seconds"] > (express_limit if r["express"] else timeout_s) + 1]
    ok = normal_status.get(200, 0)
    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "settings": {"seconds": seconds, "runaway_clients": runaway, "normal_clients": normal, "timeout_s": timeout_s,
                     "vary": vary},
        "normal": {"requests": len(normal_times), "status": {str(k): v for k, v in sorted(normal_status.items())},
                   "answered_200": ok, "p50_s": _percentile(normal_times, 0.5), "p95_s": _percentile(normal_times, 0.95),
                   "max_s": max(normal_times, default=float("nan"))},
        "runaway": {"requests": len(runaway_runs), "stopped": len(stopped),
                    "stopped_at_time_limit": len([r for r in stopped if not r["express"] and not r["memory"]]),
                    "stopped_for_memory": len([r for r in stopped if r["memory"]]),
                    "stopped_at_express_limit": len([r for r in stopped if r["express"]]),
                    "refused_busy": len([r for r in runaway_runs if r["refused"] and not r["cooled"]]),
                    "refused_as_stopped_before": len([r for r in runaway_runs if r["cooled"]]),
                    "worst_over_time_limit_s": max((r["seconds"] - timeout_s for r in stopped if not r["express"]), default=None),
                    "worst_over_express_limit_s": max((r["seconds"] - express_limit for r in stopped if r["express"]), default=None),
                    "over_limit_plus_1s": len(over),
                    "longest_wait_and_run_s": max((r["waited_and_ran"] for r in runaway_runs), default=None),
                    "statuses": {str(s): len([r for r in runaway_runs if r["status"] == s])
                                 for s in sorted({r["status"] for r in runaway_runs})}},
        "serve": {"before": before, "peak": peak, "after": after, "peak_rss_mib": round(peak["rss_kib"] / 1024, 1)},
        "errors": errors[:20], "error_count": len(errors),
        "pass": {"peak_memory_under_1_gib": peak["rss_kib"] < 1024 * 1024,
                 "no_thread_leak": after["serve_threads"] <= before["serve_threads"] + 2,
                 "every_runaway_stopped_within_limit_plus_1s": not over},
    }


def write(reports: list[dict], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps({"runs": reports}, indent=2, sort_keys=True) + "\n")
    first = reports[0]
    settings = first["settings"]

    def row(name: str, cell, target: str = "") -> str:
        return f"| {name} | " + " | ".join(cell(r) for r in reports) + f" | {target} |"

    head = " | ".join("each runaway request a new query" if r["settings"]["vary"] else "each runaway client repeats its query"
                      for r in reports)
    lines = [
        "# Soak of `councilkg serve`",
        "",
        f"{first['when']}, {first['machine']['cpus']} CPUs, Python {first['machine']['python']}. "
        f"{settings['runaway_clients']} runaway and {settings['normal_clients']} normal clients for {settings['seconds']:g} s on "
        f"127.0.0.1, serve with `--timeout {settings['timeout_s']}` and its other defaults, on the curated data "
        "(`bench/soak.py`). Every client waits for its answer, and on a 503 with `Retry-After` waits that long. "
        "Runaways are a COUNT and an ordered SELECT * over a three-way cross product, each client's its own; in the first "
        "run a client repeats its query (serve refuses a query stopped at its limit for 60 s), in the second every "
        "request is a new query (the worst case: only the slots protect the normal clients).",
        "",
        f"| measure | {head} | target |",
        "|---|" + "---|" * len(reports) + "---|",
        row("normal clients: answers (200 / 503)", lambda r: f"{r['normal']['requests']:,} ({r['normal']['status'].get('200', 0):,} / "
            f"{r['normal']['status'].get('503', 0):,})"),
        row("normal clients: p50 / p95 / max time to an answer", lambda r: f"{r['normal']['p50_s'] * 1000:.0f} ms / "
            f"{r['normal']['p95_s'] * 1000:.0f} ms / {r['normal']['max_s']:.1f} s", "stated"),
        row("runaways stopped: at the time limit / the express limit / for memory",
            lambda r: f"{r['runaway']['stopped_at_time_limit']:,} / "
            f"{r['runaway']['stopped_at_express_limit']:,} / {r['runaway']['stopped_for_memory']:,}"),
        row("runaways refused: stopped before / busy", lambda r: f"{r['runaway']['refused_as_stopped_before']:,} / "
            f"{r['runaway']['refused_busy']:,}"),
        row("worst stop past the time limit / the express limit", lambda r: f"{_secs(r['runaway']['worst_over_time_limit_s'])} / "
            f"{_secs(r['runaway']['worst_over_express_limit_s'])}", "≤ 1 s"),
        row("runaways stopped later than their limit + 1 s", lambda r: str(r["runaway"]["over_limit_plus_1s"]), "0"),
        row("a runaway client's longest wait for an answer (slot and run)",
            lambda r: _secs(r["runaway"]["longest_wait_and_run_s"]).lstrip("+")),
        row("serve's peak memory (serve and its Oxigraph processes, RSS)", lambda r: f"{r['serve']['peak_rss_mib']:,} MiB", "≤ 1 GiB"),
        row("serve's threads before / peak / after", lambda r: f"{r['serve']['before']['serve_threads']} / "
            f"{r['serve']['peak']['serve_threads']} / {r['serve']['after']['serve_threads']}", "no leak"),
        row("Oxigraph processes before / peak / after", lambda r: f"{r['serve']['before']['processes']} / "
            f"{r['serve']['peak']['processes']} / {r['serve']['after']['processes']}"),
        row("client errors (connection)", lambda r: str(r["error_count"]), "0"),
        "",
    ]
    for r in reports:
        lines.append(("Varying" if r["settings"]["vary"] else "Repeating") + ": " + ", ".join(
            f"{k.replace('_', ' ')}: {'yes' if v else 'NO'}" for k, v in r["pass"].items()) + ".")
    (out / "soak.md").write_text("\n".join(lines) + "\n")


def _secs(value: float | None) -> str:
    return "none ran" if value is None else f"{value:+.2f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runaway", type=int, default=50)
    parser.add_argument("--normal", type=int, default=50)
    parser.add_argument("--timeout", type=int, default=10, help="serve's --timeout (default 10 s, so runaways cycle)")
    parser.add_argument("--mode", choices=["both", "repeat", "vary"], default="both",
                        help="runaway clients repeat their query, send a new one each time, or one run of each (default)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args()
    modes = {"both": [False, True], "repeat": [False], "vary": [True]}[args.mode]
    reports = [soak(args.seconds, args.runaway, args.normal, args.timeout, vary=vary) for vary in modes]
    write(reports, Path(args.out))
    print((Path(args.out) / "soak.md").read_text())
    return 0 if all(all(r["pass"].values()) for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
