"""The Ofsted reports benchmark: read, extract and load every report with the national and curated data.

    .venv/bin/python bench/reports.py [REPORTS_DIR]     # default: ../shared/data/ofsted-reports

Builds a fresh store in a temporary folder from the curated data, the authority lookup, the national tables and
every report (as ``make run`` does), then writes bench/results/reports.md with:

- the time of the whole load and pages a second, the peak memory of the loading process and of the largest
  process reading reports (the target: all reports in 45 s or less on 2 CPUs, 1.5 GiB or less); and, from a first
  pass reading every report in one process, the share of reading spent in PDF text extraction (pdfium);
- how many reports were read, of which era, and the files skipped with the reason;
- how many reports' inspections are the official statistics' node, and the ones not matched with the reason;
- agreement of the reports' judgements with the official statistics on every (inspection, area) both hold;
- precision and recall against the hand-read truth set (tests/fixtures/reports_truth).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from councilkg.paths import ROOT as PROJECT_ROOT
from councilkg.settings import Settings
from councilkg.sources import pdf as pdfmodule
from councilkg.sources.build import LoadPlan, load
from councilkg.sources.pdf import PdfError, read_pdf
from councilkg.sources.reportparse import NotAReport, parse_report
from councilkg.sources.reports_truth import read_truth, score
from councilkg.store import StoreFolder

MATCHED = """PREFIX ckg: <https://w3id.org/councilkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?id ?inspection ?start ?matched WHERE {
  GRAPH ?g { ?g ckg:ofstedFileId ?id ; dcterms:subject ?inspection . OPTIONAL { ?inspection ckg:fieldworkStart ?start } }
  BIND(EXISTS { GRAPH ?o { ?inspection ckg:publicationDate ?p } ?o ckg:loadKind "ofsted" } AS ?matched)
}"""
AGREEMENT = """PREFIX ckg: <https://w3id.org/councilkg/ontology#>
SELECT ?a ?b ?j WHERE {
  GRAPH ?g { ?j ckg:grade ?a } ?g ckg:loadKind "reports" .
  GRAPH ?o { ?j ckg:grade ?b } ?o ckg:loadKind "ofsted" .
}"""
COVERED_UNTIL = "2025-03-31"  # the newest national table is "as at 31 March 2025"


def main() -> int:
    settings = Settings.from_env()
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else settings.shared / "data" / "ofsted-reports"
    if not folder.is_dir():
        print(f"error: {folder} is not a folder of reports", file=sys.stderr)
        return 1
    data = settings.shared / "data"
    load_before = os.getloadavg()[0]
    # one pass in this process first: pdfium's share of reading a report (the load reads them on every CPU)
    pdfium_seconds = reading_seconds = 0.0
    pages = 0
    for path in sorted(folder.iterdir()):
        started = time.perf_counter()
        try:
            raw = pdfmodule.raw_pages(path)
        except PdfError:
            continue
        pdfium_seconds += time.perf_counter() - started
        pages += len(raw)
        started = time.perf_counter()
        try:
            parse_report(pdfmodule.PdfText(tuple(pdfmodule.clean_pages(raw))), path.stem)
        except NotAReport:
            pass
        reading_seconds += time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        plan = LoadPlan(fresh=True, lookups=sorted((data / "reference").glob("la_lookup.csv")),
                        ofsted=sorted((data / "ofsted").glob("*.ods")), reports=[folder])
        started = time.perf_counter()
        report = load(StoreFolder(Path(tmp) / "store"), plan)
        seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        store = ox.Store.read_only(str(StoreFolder(Path(tmp) / "store").current_path()))
        matched = [{k: (v.value if v is not None else None) for k, v in zip(("id", "inspection", "start", "matched"), row, strict=True)}
                   for row in store.query(MATCHED, use_default_graph_as_union=True)]
        agreement = [(row[0].value, row[1].value, row[2].value)
                     for row in store.query(AGREEMENT, use_default_graph_as_union=True)]
        del store
    reports = [p for p in report.payloads if p.kind == "reports"]
    skipped = [w for w in report.warnings if "ofsted-reports" in w or str(folder) in w]
    lines = ["# Ofsted reports benchmark", "",
             f"{len(reports)} of {len(list(folder.iterdir()))} files read as reports; {len(skipped)} skipped.", "",
             "## Speed and memory (whole load: curated, lookup, national tables, reports)", "",
             f"- machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before the run"
             + (" (above the CPU count: other work shared the machine, and the times are slower than an idle machine's)"
                if load_before > (os.cpu_count() or 1) else ""),
             f"- load: {seconds:.1f} s (target ≤ 45 s), {pages / seconds:,.0f} pages/s; peak memory {peak_mib:,.0f} MiB in the "
             f"loading process, {worker_mib:,.0f} MiB in the largest reading process (target ≤ 1,536 MiB)",
             f"- reading the reports, one process: {pdfium_seconds:.1f} s in PDF text extraction (pdfium) and "
             f"{reading_seconds:.1f} s cleaning and reading the text: extraction is "
             f"{pdfium_seconds / (pdfium_seconds + reading_seconds):.0%} of reading, {pages:,} pages "
             f"({pages / pdfium_seconds:,.0f} pages/s extracted); the load reads on every CPU",
             f"- store: {report.result.manifest['triples']:,} triples in {len(report.result.manifest.get('graphs', {}))} graphs", ""]
    lines += ["## Skipped", ""] + [f"- {w}" for w in skipped] + [""]
    yes = [m for m in matched if m["matched"] == "true"]
    no = [m for m in matched if m["matched"] != "true"]
    def when(m: dict) -> str:  # the fieldwork start, else the key (a publication date or fieldwork-DATE)
        return m["start"] or m["inspection"].rsplit("/", 1)[-1].removeprefix("fieldwork-")

    beyond = [m for m in no if when(m) >= COVERED_UNTIL[:7]]
    lines += ["## The official statistics' inspection node", "",
              f"- {len(yes)} of {len(matched)} reports are on the national tables' inspection node; "
              f"{len(beyond)} of the {len(no)} others were inspected after the newest table's date ({COVERED_UNTIL}), "
              "so no table covers them", ""]
    lines += [f"- not matched, within the tables' years: {m['id']} {m['inspection']}" for m in no if m not in beyond] + [""]
    same = sum(1 for a, b, _j in agreement if a == b)
    lines += ["## Judgements against the official statistics", "",
              f"- {same} of {len(agreement)} (judgement, table) pairs agree ({same / max(1, len(agreement)):.2%})", ""]
    lines += [f"- differs: {j} (report {a}, table {b})" for a, b, j in agreement if a != b][:20]
    truth_dir = PROJECT_ROOT / "tests" / "fixtures" / "reports_truth"
    truth = read_truth(truth_dir)
    parsed = {}
    for entry in truth:
        path = folder / f"{entry['file']}.pdf"
        try:
            parsed[str(entry["file"])] = parse_report(read_pdf(path), path.stem)
        except (PdfError, NotAReport, OSError):
            continue
    result = score(truth, parsed)
    lines += ["", "## Against the hand-read truth set", "", "```", *result.lines(), "```", ""]
    out = PROJECT_ROOT / "bench" / "results" / "reports.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
