"""Every canned query as an earlier commit wrote it against the working tree's, on the same store in one run.

    .venv/bin/python bench/versions.py --ref REF [--store PATH] [--reps N] [--only QUERY ...] [--out DIR]

For rewrites that must not change what a query answers nor slow it (issue 25: at most 10% slower on the embedded
store). Builds a store as ``make store`` does (``councilkg.sources.shared``), or takes ``--store``; reads each query
of ``queries/`` as it is at ``REF`` (``git show``) and as it is now, binds both to the query's catalogue example
(and its national form, where no parameter is required), and runs them on raw pyoxigraph in turns, old then new,
``--reps`` times after one warm-up each (more for fast calls, as many turns as fit in about 3 s), the order swapped
every turn: their rows compared as sorted multisets of values, their p50s, and the median of the turns' ratios
(now ÷ then, each turn's pair measured side by side). Calls whose text did not change are the noise floor.
Writes bench/results/versions.md (and versions.json).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from bench.common import RESULTS, write_results
from councilkg.paths import ROOT
from councilkg.query import catalogue
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.binding import bind_query
from councilkg.query.runner import Runner
from councilkg.settings import Settings
from councilkg.sources.shared import load_args

#: slower than this, now against then, is said plainly
ALLOWED = 1.10


def _then(ref: str, name: str) -> str | None:
    done = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:queries/{name}.rq"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def _rows(store: ox.Store, text: str) -> tuple[float, list[str], list[tuple]]:
    """Seconds taken, the column names, and the rows sorted."""
    started = time.perf_counter()
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    rows = [tuple(str(s[v]) if s[v] is not None else "" for v in names) for s in solutions]
    return time.perf_counter() - started, names, sorted(rows)


def _reps(least: int, turn_s: float) -> int:
    """At least ``least`` turns, and as many more as fit in about 3 s of a call (at most 301): a query of a few
    milliseconds varies by 10% from run to run on a shared machine, which a ratio of a dozen turns cannot resolve."""
    return max(least, min(301, int(3.0 / max(turn_s, 1e-4))))


def _run_once(path: str, text: str) -> None:
    _rows(ox.Store.read_only(path), text)


def _finishes(path: str, text: str, cap: float) -> bool:
    """Whether the query answers within ``cap`` seconds: run once in a child process, killed if it does not (an earlier
    commit's query may take minutes where the rewrite takes milliseconds, and pyoxigraph cannot be interrupted)."""
    child = multiprocessing.get_context("fork").Process(target=_run_once, args=(path, text))
    child.start()
    child.join(cap)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the commit (or branch) whose queries are compared with the working tree's")
    parser.add_argument("--store", type=Path, help="a store built already (default: build one as `make store` does)")
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--cap", type=float, default=30.0,
                        help="seconds the earlier commit's query may take once before it is given as over the cap, not timed")
    parser.add_argument("--only", action="append", metavar="QUERY", help="only this query (repeatable; default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = Path(tmp) / "store"
            print("building the store as `make store` does ...", file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "councilkg.cli.main", "load", "--store", str(store), "--fresh", "-q",
                            *load_args(Settings.from_env().shared)], check=True, stdout=subprocess.DEVNULL,
                           env=dict(os.environ, PYTHONPATH=str(ROOT)))
        runner = Runner(EmbeddedBackend(store))
        path = str((store / "current").resolve())
        raw = ox.Store.read_only(path)
        results = []
        for query in catalogue.catalogue().values():
            if args.only and query.name not in args.only:
                continue
            then = _then(args.ref, query.name)
            if then is None:
                continue  # a query the earlier commit did not have
            examples = query.example_args()
            calls = [("example", runner.bind(query, examples))] if examples else []
            if not any(p.required for p in query.params):
                calls.append(("national", {}))
            for label, bindings in calls:
                old, new = bind_query(then, bindings).text, bind_query(query.text, bindings).text
                call = f"{query.name} [{label}]"
                if not _finishes(path, old, args.cap):
                    seconds, _, new_rows = _rows(raw, new)
                    results.append({"call": call, "rows": len(new_rows), "same_rows": None, "changed": old != new,
                                    "then_ms": None, "now_ms": seconds * 1000, "ratio": None})
                    print(f"{call}: then over {args.cap:.0f} s, now {seconds * 1000:.1f} ms (once)", file=sys.stderr, flush=True)
                    continue
                warm_old, old_columns, _ = _rows(raw, old)
                warm_new, new_columns, _ = _rows(raw, new)
                reps = _reps(args.reps, warm_old + warm_new)
                times: tuple[list[float], list[float]] = ([], [])
                rows: list[list[tuple]] = [[], []]
                same = True
                for rep in range(reps):
                    # in turns, the order swapped every turn (whichever runs second finds the caches the first warmed)
                    for which in ((0, 1) if rep % 2 == 0 else (1, 0)):
                        s, _, rows[which] = _rows(raw, (old, new)[which])
                        times[which].append(s)
                    same = same and rows[0] == rows[1]
                old_s, new_s = times
                new_rows = rows[1]
                then_ms, now_ms = statistics.median(old_s) * 1000, statistics.median(new_s) * 1000
                ratio = statistics.median(n / o for o, n in zip(old_s, new_s, strict=True))
                results.append({"call": call, "rows": len(new_rows), "same_rows": same, "changed": old != new,
                                "same_columns": old_columns == new_columns,
                                "reps": reps, "then_ms": then_ms, "now_ms": now_ms, "ratio": ratio})
                print(f"{results[-1]['call']}: {then_ms:.1f} -> {now_ms:.1f} ms", file=sys.stderr, flush=True)
        runner.close()
    report = {"started": time.strftime("%Y-%m-%d %H:%M"), "ref": args.ref, "reps": args.reps, "load_avg": os.getloadavg()[0],
              "allowed": ALLOWED, "cap_s": args.cap, "store": "the store given" if args.store else "the store `make store` builds",
              "calls": results}
    write_results(args.out, "versions", report, render)
    return 0 if all(r["same_rows"] is not False for r in results) else 1


def render(r: dict) -> str:
    timed = [c for c in r["calls"] if c["ratio"] is not None]
    over = [c for c in r["calls"] if c["ratio"] is None]
    changed = [c for c in timed if c["changed"]]
    more = [c for c in changed if not c.get("same_columns", True)]
    slower = [c for c in changed if c["ratio"] > r["allowed"] and c.get("same_columns", True)]
    cap = r.get("cap_s", 30.0)
    unchanged = [c["ratio"] for c in timed if not c["changed"]]
    floor = (f" The calls whose text did not change, the noise floor, came out at {min(unchanged):.2f}–{max(unchanged):.2f}×."
             if unchanged else "")
    lines = ["# The catalogue now against an earlier commit", "",
             f"Run {r['started']} (load average {r['load_avg']:.1f} at the end): each query as `{r['ref']}` wrote it and as "
             f"it is now, on raw pyoxigraph over {r.get('store', 'the store `make store` builds')}, in turns after a warm-up "
             f"(at least {r['reps']}, more for fast calls: as many as fit in about 3 s), the order swapped every turn; now ÷ "
             f"then is the median of the turns' ratios. {len(changed)} of {len(timed)} timed calls have a different text; "
             f"rows identical in {sum(bool(c['same_rows']) for c in timed)} of {len(timed)}; {len(slower)} of the changed "
             f"calls (of those that answer the same columns) more than {(r['allowed'] - 1) * 100:.0f}% slower." + floor
             + (f" {len(more)} call(s) answer other columns now, so are not the same query: "
                + ", ".join(c["call"] for c in more) + "." if more else "")
             + (f" {len(over)} call(s) took the earlier commit over {cap:.0f} s, so were not timed nor compared: "
                + ", ".join(c["call"] for c in over) + "." if over else ""), "",
             "| call | rows | text changed | same rows | turns | then p50 ms | now p50 ms | now ÷ then |",
             "|---|---|---|---|---|---|---|---|"]
    for c in r["calls"]:
        if c["ratio"] is None:
            lines.append(f"| {c['call']} | {c['rows']:,} | {'yes' if c['changed'] else 'no'} | not compared | 1 "
                         f"| over {cap * 1000:,.0f} | {c['now_ms']:.1f} (once) | — |")
            continue
        flag = f"**{c['ratio']:.2f}×**" if c in slower else f"{c['ratio']:.2f}×"
        if not c.get("same_columns", True):
            flag += " (other columns)"
        lines.append(f"| {c['call']} | {c['rows']:,} | {'yes' if c['changed'] else 'no'} | {'yes' if c['same_rows'] else '**no**'} "
                     f"| {c.get('reps', r['reps'])} | {c['then_ms']:.1f} | {c['now_ms']:.1f} | {flag} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
