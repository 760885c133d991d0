"""The benchmark script runs end to end at a tiny size and writes a report with every section."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from councilkg.paths import ROOT

from .conftest import require_shared


@pytest.mark.slow
def test_the_benchmark_writes_its_report(tmp_path: Path) -> None:
    require_shared("data")
    out = tmp_path / "results"
    run = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "3000,4000", "--reps", "2", "--load-reps", "2",
                          "--rdflib-budget", "60", "--rdflib-max-size", "3000", "--out", str(out)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert set(report["sizes"]) == {"3000", "4000"}
    small, large = report["sizes"]["3000"], report["sizes"]["4000"]
    assert small["load"]["triples"] > 2000 and small["load"]["raw_tps"] > 0
    assert len(small["load"]["build_runs_s"]) == len(small["load"]["raw_runs_s"]) == len(small["load"]["file_runs_s"]) == 2
    assert small["load"]["file_triples"] == small["load"]["triples"]  # `load --rdf` stored the whole file
    assert 0 < small["load"]["file_parse_write_s"] + small["load"]["file_compact_s"] <= max(small["load"]["file_runs_s"])
    assert min(small["load"]["build_runs_s"]) <= small["load"]["build_s"] <= max(small["load"]["build_runs_s"])
    # where the build's time went, and how busy the CPUs were
    assert 0 < small["load"]["build_write_s"] + small["load"]["build_compact_s"] <= max(small["load"]["build_runs_s"])
    assert 0 < small["load"]["build_cpus_busy"] and 0 < small["load"]["raw_cpus_busy"]
    assert small["queries"]["queries"].keys() == small["http"]["queries"].keys()
    assert "rdflib" in small and "rdflib" not in large
    # rdflib is given the built store's whole content, ontology included, so it gives the same answers
    assert small["rdflib"]["quads"] == small["load"]["stored_triples"]
    finished = {k: v for k, v in small["rdflib"]["queries"].items() if "rows" in v}
    assert len(finished) >= 10
    # rdflib answers a grouped subquery over no solutions with one row of unbound keys (a known rdflib bug): on
    # synthetic data, which has no inadequate judgements, recoveries' steps come from that row; the store gives none
    wrong_in_rdflib = {k for k in finished if k.startswith("recoveries ")}
    assert all(small["queries"]["queries"][k]["rows"] == 0 for k in wrong_in_rdflib)
    assert {k: v["rows"] for k, v in finished.items() if k not in wrong_in_rdflib} == {
        k: small["queries"]["queries"][k]["rows"] for k in finished if k not in wrong_in_rdflib}
    text = (out / "report.md").read_text()
    for heading in ("## Load", "## Queries at", "## Queries on the real data"):
        assert heading in text
    # the catalogue's own examples on the real data, where sources restate each other's facts
    real = report["real_data"]["queries"]["queries"]
    assert real.keys() == small["queries"]["queries"].keys()
    assert real["leaders_at_date [example]"]["rows"] == 8 and real["improvement_leaders [example]"]["rows"] > 0
    assert "not run at this size" in text and "rdflib not run above 3,000 triples" in text
    # the same examples on Virtuoso, where it is installed: the same rows, or the report says why not
    on_virtuoso = report["real_data"]["virtuoso"]
    if "skipped" in on_virtuoso:
        assert "virtuoso-t is absent" in text
    else:
        # except the calls councilkg.query.portability records as known to differ there, each said so in the report
        known = on_virtuoso["known_differences"]
        assert {k: q.get("rows") for k, q in on_virtuoso["queries"].items() if k not in known} == {
            k: q["rows"] for k, q in real.items() if k not in known}
        assert all(f"known to differ: {reason[:40]}" in text for reason in known.values())
        assert on_virtuoso["quads"] > 30_000 and "Virtuoso (the real data)" in text
    # the targets are judged at 10^6 triples only
    assert "## Targets" not in text
    # the markdown can be rewritten from the JSON alone
    (out / "report.md").unlink()
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--render", "--out", str(out)], check=True, timeout=60)
    assert (out / "report.md").read_text() == text


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("councilkg_bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_targets_say_what_was_met_and_by_how_much() -> None:
    bench = _bench_module()

    def q(p50: float, ratio: float) -> dict:
        return {"runner": {"p50_ms": p50}, "ratio_runner_vs_raw": ratio}

    report = {"sizes": {"1000000": {
        "load": {"triples": 1_000_000, "build_tps": 120_000},
        "queries": {"queries": {
            "a [example]": q(130.0, 1.0), "a [national]": q(900.0, 1.0),  # the national form is not judged
            "b [example]": q(20.0, 1.3),
            "c [national]": q(40.0, 1.0),  # takes no parameter: this is its example
        }}}}}
    report["real_data"] = {"queries": {"queries": {"a [example]": q(40.0, 1.0), "a [national]": q(400.0, 1.0),
                                                   "c [national]": q(150.0, 1.0)}}}
    text = "\n".join(bench._targets(report))
    assert "| every canned query's example, p50 embedded | < 100 ms | **missed** | a [example] 130 ms (1.30× the target) |" in text
    assert ("| every canned query's example on the real data, p50 embedded | < 100 ms | **missed** | "
            "c [national] 150 ms (1.50× the target) |") in text
    assert "| runner ÷ raw pyoxigraph, p50 | ≤ 1.2× | **missed** | worst b [example] 1.30× |" in text
    assert "| load from generated quads (`councilkg load --synthetic`, once generated) | ≥ 150,000 triples/s | **missed** | " \
           "120,000 triples/s, 20% short |" in text  # a report made before the steps were timed, or `load --rdf` existed
    assert "end to end" not in text
    report["sizes"]["1000000"]["load"].update(
        build_s=8.0, build_runs_s=[8.0, 10.0, 6.4], build_write_s=5.0, build_compact_s=2.0, build_cpus_busy=1.5,
        generate_s=2.0, generate_cpu_s=2.0, with_generation_tps=100_000,
        file_s=6.25, file_tps=160_000, file_runs_s=[6.25, 6.0, 7.0], file_parse_write_s=4.5, file_compact_s=1.5,
        file_cpus_busy=1.6, raw_bulk_load_s=7.0, raw_optimize_s=1.0, ratio_file_vs_raw_compacted=6.25 / 8.0)
    report["machine"] = {"cpus": 2}
    text_now = "\n".join(bench._targets(report))
    # the runs' range, where the time went, and the most the machine's CPUs allow for the CPU time it took
    assert ("| load end to end: the N-Quads file to a published, compacted store (`councilkg load --fresh --rdf`) | "
            "≥ 150,000 triples/s | met | 160,000 triples/s (median of 3 runs: 142,857–166,667); parsing and writing 4.50 s, "
            "compacting 1.50 s, 1.60 of 2 CPUs busy on average; 10.0 CPU-seconds in all, so at most 200,000 triples/s on 2 CPUs "
            "even with every CPU busy throughout; raw `bulk_load` + `optimize` of the same file 125,000 triples/s "
            "(0.78× its time) |") in text_now
    assert ("120,000 triples/s, 20% short (median of 3 runs: 100,000–156,250); writing 5.00 s, compacting 2.00 s, "
            "1.50 of 2 CPUs busy on average; 12.0 CPU-seconds in all, so at most 166,667 triples/s on 2 CPUs") in text_now
    # generating the data is not loading it, but what `load --synthetic` takes is said
    assert ("`councilkg load --synthetic` first generates the data (2.00 s on one thread), which is making a source rather "
            "than loading one: 100,000 triples/s including the generation (14.0 CPU-seconds in all, so at most 142,857") in text_now
    report["sizes"]["1000000"]["queries"]["queries"]["a [example]"] = q(50.0, 1.0)
    assert "met | slowest a [example] 50.0 ms" in "\n".join(bench._targets(report))


def test_an_rdflib_answer_with_other_rows_gets_no_ratio() -> None:
    bench = _bench_module()
    ours = {"rows": 25, "runner": {"p50_ms": 10.0}}
    assert bench._rdflib_cells({"ms": 400.0, "rows": 25}, ours, 20) == ("400.0", "40.0×")
    assert bench._rdflib_cells({"ms": 400.0, "rows": 0}, ours, 20) == ("400.0, but 0 rows", "—")
    assert bench._rdflib_cells({"dnf_s": 20}, ours, 20) == ("did not finish in 20 s", "> 2,000×")


@pytest.mark.slow
def test_an_rdflib_query_over_its_cap_is_stopped_and_reported_as_not_finished(tmp_path: Path) -> None:
    """A fast query's lines and the next query's start arrive together; the slow one must still be stopped at
    the cap, not timed to its end, and the queries after it run in a restarted rdflib."""
    import time

    bench = _bench_module()
    lines = [f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" <https://example.org/g> ." for i in range(300)]
    (tmp_path / "store.nq").write_text("\n".join(lines) + "\n")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 300^3 rows
    (tmp_path / "texts.json").write_text(json.dumps({"fast": count, "slow": runaway, "after": count}))
    started = time.monotonic()
    result = bench.run_rdflib(tmp_path, cap=3, budget=120)
    assert time.monotonic() - started < 60
    assert result["queries"]["fast"]["rows"] == 1 and result["queries"]["after"]["rows"] == 1
    assert result["queries"]["slow"] == {"dnf_s": 3}
