"""The document loader on the council pages nobody curated: speed, and precision and recall against the truth set.

    .venv/bin/python bench/council_pages.py [PAGES_DIR]      # default: ../shared/data/council-pages

Reads the pages (``load_documents``, knowing the curated data and the authority lookup, as ``councilkg load`` does)
five times and reports the median, then end to end (``councilkg load --fresh --lookup … --documents DIR`` into a new
store, Python's start included) three times in turn with the same load without the pages (medians), and scores the
candidates against tests/fixtures/council_pages_truth.yaml (``councilkg.sources.pages_truth``). Writes
bench/results/council_pages.md. Target: the 33 pages load in < 2 s.
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from councilkg.paths import CURATED_DIR, ROOT
from councilkg.settings import Settings
from councilkg.sources import ofsted
from councilkg.sources.curated import curated_payloads
from councilkg.sources.documents import load_documents
from councilkg.sources.pages_truth import KINDS, read_truth, score

TARGET_S = 2.0
REPS = 5
LOAD_REPS = 3


def _difference(seconds: float, runs: dict[str, list[float]]) -> str:
    """What the pages add to a load, or that it is within the noise: the spread of either load's runs."""
    noise = max(max(r) - min(r) for r in runs.values())
    if abs(seconds) <= noise:
        return f"the difference, {seconds:+.2f} s, is within the runs' spread of {noise:.2f} s"
    return f"the pages add {seconds:.2f} s"


def main() -> int:
    shared = Settings.from_env().shared
    pages = Path(sys.argv[1]) if len(sys.argv) > 1 else shared / "data" / "council-pages"
    lookup = shared / "data" / "reference" / "la_lookup.csv"
    known = [q for p in [*curated_payloads(CURATED_DIR), ofsted.load_lookup(lookup)] for q in p.quads]
    runs = []
    for _ in range(REPS):
        started = time.perf_counter()
        docs, warnings = load_documents(pages, known=known)
        runs.append(time.perf_counter() - started)
    files = sum(1 for p in docs if p.kind == "documents")
    runs_by: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(LOAD_REPS):  # in turn, so the machine's load falls on both alike
        for label, extra in (("with", ["--documents", str(pages)]), ("without", [])):
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                run = subprocess.run([sys.executable, "-m", "councilkg.cli.main", "load", "--fresh", "--store",
                                      str(Path(tmp) / "store"), "--lookup", str(lookup), *extra], capture_output=True, text=True,
                                     cwd=tmp)
                runs_by[label].append(time.perf_counter() - started)
                if run.returncode != 0:
                    print(run.stderr[-2000:], file=sys.stderr)
                    return 1
    timed = {label: statistics.median(runs) for label, runs in runs_by.items()}
    end_to_end = timed["with"]
    truth = read_truth(ROOT / "tests" / "fixtures" / "council_pages_truth.yaml")
    others = sorted({p.origin.rsplit("/", 1)[-1] for p in docs if p.kind == "documents"} - set(truth))
    result = score(truth, docs)
    median = statistics.median(runs)
    lines = [
        "# Council pages: the document loader on pages nobody curated",
        "",
        f"Run {dt.date.today().isoformat()} by `bench/council_pages.py` on {pages.name}/ ({files} files read: the "
        f"{files - len(others)} pages of the truth set and {', '.join(others) or 'nothing else'}; "
        f"{len(warnings)} file(s) skipped: {'; '.join(w.rsplit('/', 1)[-1] for w in warnings) or 'none'}).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| reading the pages (`load_documents`, knowing the curated data and the lookup), median of {REPS} | "
        f"**{median:.2f} s** (runs {min(runs):.2f}–{max(runs):.2f} s), {'met' if median < TARGET_S else 'MISSED'} | < {TARGET_S:.0f} s |",
        f"| `councilkg load --fresh --lookup … --documents` end to end, median of {LOAD_REPS} (Python's start, the curated "
        f"data, the lookup, "
        f"the SHACL check and the store's build included) | {end_to_end:.2f} s; the same load without the pages "
        f"{timed['without']:.2f} s ({_difference(end_to_end - timed['without'], runs_by)}) | |",
        "",
        "Against the truth set (tests/fixtures/council_pages_truth.yaml, read by hand):",
        "",
        "| kind | stated | found | right | precision | recall |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        tp, fp, fn = result.true_positives[kind], result.false_positives[kind], result.false_negatives[kind]
        lines.append(f"| {kind} | {tp + fn} | {tp + fp} | {tp} | {result.precision(kind):.2f} | {result.recall(kind):.2f} |")
    lines += ["", f"Pages stating their authority: {result.stating} of {result.pages}; posts linked to an authority the page "
              f"is not about: {len(result.other_authority)}.", ""]
    wrong = [f"- missed {kind}: {file}: {what}" for kind in KINDS for file, what in result.misses.get(kind, [])]
    wrong += [f"- wrong {kind}: {file}: {what}" for kind in KINDS for file, what in result.extras.get(kind, [])]
    lines += ["What it gets wrong or misses:", "", *(wrong or ["- nothing"]), ""]
    out = ROOT / "bench" / "results" / "council_pages.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
