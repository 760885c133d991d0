"""Linking precision on Ofsted's reports read as documents: what the document loader links each passage to.

    .venv/bin/python bench/linking.py [--sample N]

Builds a store of everything ``make store`` loads before the documents (the curated data, the authority lookup,
both Ofsted workbooks, every report: the names the loader knows), then reads each of the reports in
``../shared/data/ofsted-reports`` as the document loader reads a document and counts its links
(``councilkg.sources.documents.linked``, the very rule ``load_document`` applies):

- every link, and those to an entity of an authority other than the report's own (the authority itself, or a
  body whose council is another authority): the most such links could be wrong, so the precision is at least
  1 - other/all (partners and shared boards are rightly named);
- links from an address block (a line with a postcode, or one of the three before it): there must be none;
- a sample of the other-authority links (file, page, name and words around it), to read by hand.

Writes bench/results/linking.md (and linking.json).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from bench.common import RESULTS, write_results
from councilkg.paths import ROOT
from councilkg.settings import Settings
from councilkg.sources import ofsted
from councilkg.sources.documents import NAME_PREDICATES, NameIndex, in_address, linked, passages
from councilkg.sources.reports import SUFFIXES, read_and_parse, resolve_authority
from councilkg.sources.shared import load_args

COUNCIL_PREFIX = "https://w3id.org/councilkg/id/council/"


def known_names(store: Path) -> list[ox.Quad]:
    """The quads with the predicates the document loader reads names from, in the built store."""
    graph = ox.Store.read_only(str((store / "current").resolve()))
    return [q for predicate in NAME_PREDICATES for q in graph.quads_for_pattern(None, predicate, None, None)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40, help="other-authority links to list for reading (default 40)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    shared = Settings.from_env().shared
    inputs = load_args(shared)
    if "--reports" not in inputs:
        raise SystemExit("../shared (Ofsted's reports) is not beside the project: nothing to measure on")
    reports = Path(inputs[inputs.index("--reports") + 1])
    lookup = Path(inputs[inputs.index("--lookup") + 1])
    before_documents = [a for pair in zip(inputs[::2], inputs[1::2], strict=True) if pair[0] != "--documents" for a in pair]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        print("building the store the documents would be read against ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "councilkg.cli.main", "load", "--store", str(store), "--fresh", "-q",
                        *before_documents], check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        index = NameIndex.from_quads(known_names(store))
    pattern = index.pattern()
    authorities = ofsted.AuthorityIndex()
    ofsted.index_from_lookup(authorities, ofsted.lookup_rows(lookup))
    read, skipped, links, other, from_address = 0, 0, 0, [], []
    kinds: Counter[str] = Counter()
    for path in sorted(p for p in reports.iterdir() if p.suffix.lower() in SUFFIXES):
        parsed = read_and_parse(path)
        if isinstance(parsed, str):
            skipped += 1  # a saved web page, not a report
            continue
        pdf, _digest, report = parsed
        gss = resolve_authority(report.authority_name, authorities)
        own = COUNCIL_PREFIX + gss if gss else None
        read += 1
        found = passages(pdf.text)
        names = index.names_in(found, pdf.text, pattern)
        for m in linked(names, index, index.about(names)):
            links += 1
            node = m.node.value
            council = node if node.startswith(COUNCIL_PREFIX) else getattr(index.council_of.get(m.node), "value", None)
            kinds["authority" if node.startswith(COUNCIL_PREFIX) else node.split("/id/")[-1].split("/")[0]] += 1
            if in_address(pdf.text, m.start):
                from_address.append({"file": path.name, "name": m.name})
            if council and own and council != own:
                other.append({"file": path.name, "page": pdf.page_at(m.start), "name": m.name, "entity": node,
                              "words": " ".join(pdf.text[max(0, m.start - 80):m.end + 80].split())})
    seconds = time.perf_counter() - started
    sample = random.Random(7).sample(other, min(args.sample, len(other)))
    report = {"started": time.strftime("%Y-%m-%d %H:%M"), "seconds": seconds, "reports_read": read, "not_reports": skipped,
              "links": links, "by_kind": dict(kinds.most_common()), "other_authority": len(other),
              "other_authority_names": dict(Counter(o["name"] for o in other).most_common(20)),
              "precision_at_least": 1 - len(other) / links if links else None, "from_address": from_address,
              "sample": sample}
    write_results(args.out, "linking", report, render)
    return 0


def render(r: dict) -> str:
    lines = ["# Linking precision: Ofsted's reports read as documents", "",
             f"Run {r['started']} ({r['seconds']:.0f} s). {r['reports_read']} reports read as documents "
             f"({r['not_reports']} files are not reports). **{r['links']:,} links**; by kind of entity: "
             + ", ".join(f"{k} {n:,}" for k, n in r["by_kind"].items()) + ".", "",
             f"- to an entity of an authority other than the report's own: **{r['other_authority']:,}**, so the precision "
             f"is at least **{r['precision_at_least']:.3f}** (were every one of them wrong); the names most often so "
             "linked: " + ", ".join(f"{n} ({c})" for n, c in r["other_authority_names"].items()) + ";",
             f"- from an address block: **{len(r['from_address'])}**.", "",
             f"A sample of {len(r['sample'])} of the other-authority links, to read (file, page, name, words around it):", "",
             "| file | page | name | words |", "|---|---|---|---|"]
    lines += [f"| {s['file']} | {s['page']} | {s['name']} | {s['words'].replace('|', '/')} |" for s in r["sample"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
