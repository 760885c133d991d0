"""The network page in a real browser: how long an ego network takes to be drawn, on the full real store.

    .venv/bin/python bench/network.py [--reps N] [--store PATH] [--against REF]

Builds a fresh store as ``make store`` does (``councilkg.sources.shared``: the lookup, both Ofsted workbooks,
every report, the seeds, the council pages), or takes ``--store``; starts ``streamlit run`` on a loopback port
and opens the network page in Debian's Chromium (headless, through Playwright, nothing but 127.0.0.1), on
the addresses below. Each time is from asking for the address to the drawing's nodes being on the screen
(checked on every animation frame), in a new browser context (no cache: a new visitor); the first visit of the
run (the app's caches still empty) is given apart from the median of the rest. The issue's target: a first
drawing in under 2 s.
``--against REF`` also runs the app as it is at an earlier commit (a git worktree of REF), on the same store and
in the same run, visit for visit, and gives the ratios.
Writes bench/results/network.md (and network.json).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS, write_results
from councilkg.model import iris
from councilkg.paths import ROOT
from councilkg.settings import Settings
from councilkg.sources.shared import load_args
from tests.test_browser import CHROMIUM_ARGS, chromium_path, streamlit_app

TARGET_S = 2.0
CROYDON = "E09000008"
#: (what, the page's address): ego networks around an authority, a person and an inspection
VIEWS = [
    ("an authority: Croydon", f"network?council={CROYDON}"),
    ("an authority outside the seeds: York", "network?council=E06000014"),
    ("a person at an authority: Eleanor Brazil at Croydon",
     f"network?council={CROYDON}&centre={quote(iris.person('eleanor-brazil').value, safe='')}"),
    ("an inspection: Croydon's 2017 SIF (its team, who was in post)",
     f"network?council={CROYDON}&inspection={quote(iris.inspection(CROYDON, '2017-09-04').value, safe='')}"),
    ("a person anywhere in England: Eleanor Brazil (the national network, then her ego network)",
     f"network?centre={quote(iris.person('eleanor-brazil').value, safe='')}"),
]
#: the drawing's nodes (app/network_view.py), or the Vega chart an earlier commit drew (for ``--against``)
CHART = ("svg[data-testid='ckg-network'] circle, [data-testid='stVegaLiteChart'] canvas, "
         "[data-testid='stVegaLiteChart'] svg")
#: true once an element matching the selector (and holding the text) is laid out, looking into shadow roots (the
#: drawing is a component with its own); checked on every animation frame, so a time is within a frame of the
#: drawing's (Playwright's own waits poll at up to 500 ms, which would hide a difference of that size)
SHOWN = """([selector, text]) => {
  const find = (root) => {
    for (const element of root.querySelectorAll(selector)) {
      if ((!text || element.textContent.includes(text)) && element.getBoundingClientRect().width > 0) return true;
    }
    for (const element of root.querySelectorAll('*')) if (element.shadowRoot && find(element.shadowRoot)) return true;
    return false;
  };
  return find(document);
}"""


def build_store(folder: Path) -> float:

    args = load_args(Settings.from_env().shared)
    if "--reports" not in args:
        raise SystemExit("../shared (Ofsted's reports) is not beside the project: nothing to measure on")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "councilkg.cli.main", "load", "--store", str(folder), "--fresh", "-q", *args],
                   check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def first_drawing(browser, base: str, address: str, context=None) -> dict:
    """Seconds from asking for the address to the page's title and to the drawing on the screen, and the requests
    that left the machine (refused; must be none). In a new browser context (a new visitor, nothing cached) unless
    ``context`` is given (a returning visitor: the app's scripts in the browser's cache)."""
    own = context is None
    context = context or browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    left: list[str] = []
    page.on("request", lambda r: left.append(r.url) if not r.url.startswith((base, "data:", "blob:", "about:")) else None)
    try:
        started = time.perf_counter()
        page.goto(f"{base}/{address}", wait_until="commit")
        page.wait_for_function(SHOWN, arg=["h1", "Network"], polling="raf", timeout=120_000)
        title = time.perf_counter() - started
        page.wait_for_function(SHOWN, arg=[CHART, ""], polling="raf", timeout=120_000)
        return {"title_s": title, "chart_s": time.perf_counter() - started, "left": len(left)}
    finally:
        page.close()
        if own:
            context.close()


def _visits(browser, base: str, address: str, reps: int, context=None) -> dict:
    first = first_drawing(browser, base, address, context)
    runs = [first_drawing(browser, base, address, context) for _ in range(reps)]
    return {"first_s": first["chart_s"], "runs_s": [r["chart_s"] for r in runs],
            "median_s": statistics.median(r["chart_s"] for r in runs),
            "median_title_s": statistics.median(r["title_s"] for r in runs),
            "left_the_machine": first["left"] + sum(r["left"] for r in runs)}


@contextlib.contextmanager
def checkout(ref: str, scratch: Path) -> Iterator[tuple[Path, str]]:
    """A git worktree of ``ref`` (and its commit, abbreviated), removed on leaving."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True, capture_output=True,
                            text=True).stdout.strip()
    tree = scratch / f"at-{commit}"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit], check=True)
    try:
        yield tree, commit
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def _app(store: Path, scratch: Path, root: Path, name: str) -> contextlib.AbstractContextManager[str]:
    (scratch / name).mkdir()
    return streamlit_app(store, scratch / name, root=root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="visits of each address after the first (default 5)")
    parser.add_argument("--store", type=Path, help="a store built already (default: build one as `make store` does)")
    parser.add_argument("--against", metavar="REF", help="also time the app at this earlier commit, in the same run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        scratch = Path(tmp)
        store, load_s = args.store, None
        if store is None:
            store = scratch / "store"
            print("building the store as `make store` does ...", file=sys.stderr, flush=True)
            load_s = build_store(store)
        apps = {"now": stack.enter_context(_app(store, scratch, ROOT, "now"))}
        against = None
        if args.against:
            tree, against = stack.enter_context(checkout(args.against, scratch))
            apps[against] = stack.enter_context(_app(store, scratch, tree, "then"))
        results = []
        with socket.socket() as refuser, sync_playwright() as playwright:
            refuser.bind(("127.0.0.1", 0))
            proxy = {"server": f"http://127.0.0.1:{refuser.getsockname()[1]}", "bypass": "127.0.0.1"}
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, proxy=proxy)
            returning = {name: browser.new_context(viewport={"width": 1400, "height": 1000}) for name in apps}
            for what, address in VIEWS:
                print(f"{what} ...", file=sys.stderr, flush=True)
                row = {"view": what, "address": address}
                for name, base in apps.items():  # each app in turn on the same address, so both see the same machine
                    timed = {"new": _visits(browser, base, address, args.reps),
                             "returning": _visits(browser, base, address, args.reps, returning[name])}
                    if name == "now":
                        row.update(timed)
                    else:
                        row["against"] = timed
                results.append(row)
            for context in returning.values():
                context.close()
            browser.close()
    report = {"started": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "python": platform.python_version(),
              "load_avg": os.getloadavg()[0], "store_build_s": load_s, "reps": args.reps, "target_s": TARGET_S,
              "against": against, "views": results}
    write_results(args.out, "network", report, render)
    return 0


def render(report: dict) -> str:
    lines = ["# The network page in a browser: first drawing", "",
             f"Run {report['started']} on {report['cpus']} CPUs (load average {report['load_avg']:.1f} at the end), Python "
             f"{report['python']}; `streamlit run` and headless Chromium on the same machine, on the full real store"
             + (f" (built in {report['store_build_s']:.0f} s)" if report.get("store_build_s") else "") + ". Time from asking "
             "for the address to the drawing's nodes on the screen: *new visitor*, a new browser context each time (Streamlit's "
             "scripts fetched anew); *returning*, one context throughout (its cache holds them). *first*: the run's first "
             f"visit of that address; *median*: of the {report['reps']} visits after it; *title*: the median time to the "
             f"page's title, the part of the whole that is Streamlit starting in the browser. Target: under "
             f"{report['target_s']:g} s.", "",
             "| ego network around | new visitor: first s | median s (range) | title s | returning: median s (range) | "
             "title s | under the target | requests off the machine |",
             "|---|---|---|---|---|---|---|---|"]
    for v in report["views"]:
        new, back = v["new"], v["returning"]
        met = "; ".join(f"{who} {'yes' if seconds < report['target_s'] else '**no**'}"
                        for who, seconds in (("first", new["first_s"]), ("new", new["median_s"]),
                                             ("returning", back["median_s"])))
        lines.append(f"| {v['view']} | {new['first_s']:.2f} | {new['median_s']:.2f} ({min(new['runs_s']):.2f}–"
                     f"{max(new['runs_s']):.2f}) | {new['median_title_s']:.2f} | {back['median_s']:.2f} "
                     f"({min(back['runs_s']):.2f}–{max(back['runs_s']):.2f}) | {back['median_title_s']:.2f} | {met} | "
                     f"{new['left_the_machine'] + back['left_the_machine']} |")
    if report.get("against"):
        then = report["against"]
        lines += ["", f"The same visits, in the same run, against the app at commit `{then}` (the median of the visits "
                  f"after the first; ratio: now ÷ `{then}`, below 1 is faster now):", "",
                  f"| ego network around | new visitor: now s | `{then}` s | ratio | returning: now s | `{then}` s | ratio |",
                  "|---|---|---|---|---|---|---|"]
        for v in report["views"]:
            cells = []
            for who in ("new", "returning"):
                now_s, then_s = v[who]["median_s"], v["against"][who]["median_s"]
                cells.append(f"{now_s:.2f} | {then_s:.2f} | {now_s / then_s:.2f}")
            lines.append(f"| {v['view']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
