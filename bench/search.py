"""The full-text search benchmark: the text index built with a full load, and searches over every passage.

    .venv/bin/python bench/search.py [--reps N]

Builds a fresh store in a temporary folder from the curated data, the authority lookup, the national tables, every
Ofsted report and the seed documents (as ``make run`` does), then writes bench/results/search.md (and search.json):

- the load's time and the text index's share of it (the target: the index adds at most 10% to the load; it is built
  while the store is compacted, so its own time is an upper bound on what it adds);
- what the reports' paragraphs add to the store (triples, bytes) and the index's size;
- the acceptance search: "private fostering" over the whole store finds Croydon's 2019 monitoring-visit article
  (seed 001) and Nottingham's 2020 minutes (seed 003), and every result's snippet holds both words;
- p50 and p95 of searches over every passage (the target: p50 under 50 ms for a one-word and a phrase query),
  on the index alone and through ``explore.search`` (which resolves a council's name first).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from councilkg.explore import search as text_search
from councilkg.model import iris
from councilkg.paths import ROOT as PROJECT_ROOT
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.settings import Settings
from councilkg.sources.build import LoadPlan, load
from councilkg.store import StoreFolder, TextIndex, TextQuery, index_path

RESULTS = PROJECT_ROOT / "bench" / "results"
ARTICLE = iris.source("document-001-75174c0c0c656543-txt").value
MINUTES = iris.source("document-003-bfd82640e59329f1-txt").value
#: (what, the words, filters): searched on the index alone
INDEX_QUERIES = [
    ("one word", "fostering", {}),
    ("phrase", '"private fostering"', {}),
    ("two words", "private fostering", {}),
    ("prefix", "manag*", {}),
    ("phrase, reports of 2019-2020", '"management oversight"', {"kinds": ("reports",), "years": (2019, 2020)}),
    ("the commonest word", "children", {}),
]
#: searched through explore.search, as the CLI and the app do
EXPLORE_QUERIES = [("two words, --council Croydon", "private fostering", text_search.Filters(council="Croydon"))]
PARAGRAPH_QUADS = """PREFIX ckg: <https://w3id.org/councilkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { { ?p ckg:passageNumber ?x . ?p ?pr ?o } UNION { ?e dcterms:isPartOf ?p } }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/councilkg/id/source/ofsted-report-")) }"""


def timed(call, reps: int) -> tuple[float, float, object]:
    """p50 and p95 in ms of reps calls (after two not counted), and the last result."""
    for _ in range(2):
        result = call()
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))], result


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.iterdir() if f.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    settings = Settings.from_env()
    data = settings.shared / "data"
    plan = LoadPlan(lookups=[data / "reference" / "la_lookup.csv"], ofsted=sorted((data / "ofsted").glob("*.ods")),
                    reports=[data / "ofsted-reports"], documents=[settings.shared / "seeds"], fresh=True)
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="councilkg-search-bench-") as tmp:
        folder = StoreFolder(Path(tmp) / "store")
        started = time.monotonic()
        report = load(folder, plan)
        load_seconds = time.monotonic() - started
        index_seconds = report.result.phases["text index"]
        generation = folder.require_current()
        store = ox.Store.read_only(str(generation))
        paragraph_quads = int(next(iter(store.query(PARAGRAPH_QUADS, use_default_graph_as_union=True)))["n"].value)
        del store
        index_bytes = index_path(generation).stat().st_size
        out["load"] = {"seconds": load_seconds, "read_seconds": report.read_seconds, "phases": report.result.phases,
                       "index_seconds": index_seconds, "index_share": index_seconds / (load_seconds - index_seconds),
                       "triples": report.result.manifest["triples"], "paragraph_quads": paragraph_quads,
                       "store_bytes": folder_bytes(generation) - index_bytes, "index_bytes": index_bytes,
                       "text_index": report.result.manifest["text_index"]}
        index = TextIndex(index_path(generation))
        runner = Runner(EmbeddedBackend(folder.root), limit=None)
        try:
            whole = text_search.search(runner, "private fostering", limit=100_000)
            sources = {h.source for h in whole.hits}
            missing = [h.passage for h in whole.hits
                       if not all(word in h.snippet.text.lower() for word in ("private", "fostering"))]
            out["acceptance"] = {"total": whole.total, "article": ARTICLE in sources, "minutes": MINUTES in sources,
                                 "snippets_without_the_words": missing}
            rows = []
            for what, words, filters in INDEX_QUERIES:
                p50, p95, result = timed(lambda w=words, f=filters: index.search(TextQuery(w, **f)), args.reps)
                rows.append({"what": what, "search": words, "filters": str(filters or ""), "p50_ms": p50, "p95_ms": p95,
                             "total": result.total, "via": "index"})
            for what, words, filters in EXPLORE_QUERIES:
                p50, p95, result = timed(lambda w=words, f=filters: text_search.search(runner, w, f), args.reps)
                rows.append({"what": what, "search": words, "filters": str(filters), "p50_ms": p50, "p95_ms": p95,
                             "total": result.total, "via": "explore.search"})
            out["searches"] = rows
        finally:
            runner.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(out, indent=2, default=str))
    (RESULTS / "search.md").write_text(render(out, args.reps))
    print((RESULTS / "search.md").read_text())
    ok = (out["acceptance"]["article"] and out["acceptance"]["minutes"] and not out["acceptance"]["snippets_without_the_words"]
          and out["load"]["index_share"] <= 0.10 and all(r["p50_ms"] < 50 for r in rows[:2]))
    return 0 if ok else 1


def render(out: dict, reps: int) -> str:
    load_ = out["load"]
    acc = out["acceptance"]
    index = load_["text_index"]
    lines = [
        "# Full-text search benchmark",
        "",
        f"Written by `bench/search.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: a fresh full load (curated data, "
        "authority lookup, national tables, every Ofsted report, the seed documents), then searches over every passage "
        f"({reps} timed runs each, after two). The machine: 2 vCPUs shared with other work, so figures vary from run to run.",
        "",
        "## Building the index with the load",
        "",
        "| | |",
        "|---|---|",
        f"| full load | {load_['seconds']:.1f} s (reading the sources {load_['read_seconds']:.1f} s) |",
        f"| the text index | {load_['index_seconds']:.2f} s on its own thread while the store is compacted, so at most "
        f"**{100 * load_['index_share']:.1f}%** added to the load (target ≤ 10%: "
        f"{'met' if load_['index_share'] <= 0.10 else 'NOT met'}) |",
        f"| passages indexed | {index['passages']:,} from {index['sources']:,} sources, {index['links']:,} links to entities |",
        f"| index file | {load_['index_bytes'] / 1e6:.1f} MB (inside the generation's folder) |",
        f"| store | {load_['triples']:,} triples, {load_['store_bytes'] / 1e6:.0f} MB; the reports' paragraphs are "
        f"{load_['paragraph_quads']:,} of the triples |",
        f"| load phases | {', '.join(f'{k} {v:.2f} s' for k, v in load_['phases'].items())} |",
        "",
        "## The acceptance search",
        "",
        f"`councilkg search \"private fostering\"` over the whole store: {acc['total']:,} passages. Croydon's 2019 "
        f"monitoring-visit article (seed 001) {'is' if acc['article'] else 'is NOT'} among them; Nottingham's 2020 minutes "
        f"(seed 003) {'are' if acc['minutes'] else 'are NOT'}. Snippets without both words: "
        f"{len(acc['snippets_without_the_words'])}.",
        "",
        "## Searches over every passage",
        "",
        "| search | filters | passages matched | p50 ms | p95 ms | through |",
        "|---|---|---:|---:|---:|---|",
    ]
    for r in out["searches"]:
        lines.append(f"| {r['what']}: `{r['search']}` | {r['filters'] or '—'} | {r['total']:,} | {r['p50_ms']:.1f} | "
                     f"{r['p95_ms']:.1f} | {r['via']} |")
    lines += ["", "Target: p50 < 50 ms for a one-word and a phrase query (the first two rows): "
              + ("met." if all(r["p50_ms"] < 50 for r in out["searches"][:2]) else "NOT met."),
              "A word in most passages (`children`: bm25 scores every passage that has it) is the slow case; see "
              "docs/performance.md.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
