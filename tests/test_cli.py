"""The councilkg command line, run as a user runs it: a real process, from an unrelated directory."""

from __future__ import annotations

import csv
import importlib
import inspect
import io
import json
import pkgutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

import councilkg
from councilkg.cli.main import build_parser, exit_code_for, settings_for
from councilkg.errors import CouncilKGError, LoadError
from councilkg.model import iris
from councilkg.paths import CURATED_DIR
from councilkg.query import catalogue
from councilkg.settings import DEFAULT_SERVE_TIMEOUT, SettingsError
from councilkg.sources.build import curated_payloads
from councilkg.store import StoreFolder, ontology_payload

from .conftest import CLI


def run(args: list[str], env: dict[str, str], cwd: Path, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run([*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300, input=stdin)
    if check and proc.returncode != 0:
        raise AssertionError(f"councilkg {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    import os

    from councilkg.paths import ROOT

    cwd = tmp_path_factory.mktemp("elsewhere")
    env = dict(os.environ, COUNCILKG_STORE=str(cwd / "store"), PYTHONPATH=str(ROOT))
    env.pop("COUNCILKG_ENDPOINT", None)
    run(["load", "--quiet"], env, cwd)
    return env, cwd


def test_help_lists_the_commands(cli_env: dict[str, str], tmp_path: Path) -> None:
    out = run(["--help"], cli_env, tmp_path).stdout
    for command in ("load", "validate", "query", "export", "stats"):
        assert command in out
    assert "--store" in run(["query", "--help"], cli_env, tmp_path).stdout


def _exception_classes(namespace: dict) -> list[type]:
    """The exception classes a module or class body defines, with those nested in them."""
    found = []
    for value in namespace.values():
        if inspect.isclass(value) and value.__module__.startswith("councilkg"):
            if issubclass(value, BaseException):
                found.append(value)
            found += [c for c in _exception_classes(dict(vars(value))) if c.__qualname__.startswith(value.__qualname__ + ".")]
    return found


def test_every_exception_the_package_defines_derives_from_the_one_base() -> None:
    """So the CLI's one ``except CouncilKGError`` (and its ``exit_code_for``) meets every error raised on purpose."""
    defined: dict[str, type] = {}
    for module in pkgutil.walk_packages(councilkg.__path__, "councilkg."):
        if module.name.startswith("councilkg.app.pages."):
            continue  # Streamlit page scripts: st.navigation runs them, importing one draws the page
        loaded = importlib.import_module(module.name)
        defined.update({f"{c.__module__}.{c.__qualname__}": c for c in _exception_classes(vars(loaded))
                        if c.__module__ == loaded.__name__})
    assert len(defined) >= 15 and "councilkg.errors.UnknownTermError" in defined
    assert sorted(name for name, c in defined.items() if not issubclass(c, CouncilKGError)) == []
    assert exit_code_for(SettingsError("x")) == 2 and exit_code_for(LoadError.single("f", "x")) == 1


def test_the_settings_come_from_the_environment_and_then_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    environ = {"COUNCILKG_SERVE_TIMEOUT": "7", "COUNCILKG_STORE": str(tmp_path / "env-store"), "COUNCILKG_WORKERS": "3"}
    serve = settings_for(parser.parse_args(["serve"]), environ)
    assert (serve.serve_timeout, serve.store, serve.workers) == (7, tmp_path / "env-store", 3)
    serve = settings_for(parser.parse_args(["serve", "--timeout", "4", "--store", str(tmp_path / "mine")]), environ)
    assert (serve.serve_timeout, serve.store) == (4, tmp_path / "mine")
    assert settings_for(parser.parse_args(["serve"]), {}).serve_timeout == DEFAULT_SERVE_TIMEOUT
    assert settings_for(parser.parse_args(["query", "people.rq", "--timeout", "2.5"]), {}).timeout == 2.5
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--help"])
    assert "time limit per query (default: $COUNCILKG_SERVE_TIMEOUT, else 30)" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SettingsError, match="COUNCILKG_SERVE_TIMEOUT='soon': not a number"):
        settings_for(parser.parse_args(["serve"]), {"COUNCILKG_SERVE_TIMEOUT": "soon"})


def test_a_missing_store_says_what_to_do(cli_env: dict[str, str], tmp_path: Path) -> None:
    proc = run(["stats"], cli_env, tmp_path, check=False)
    assert proc.returncode == 1
    assert "No store at" in proc.stderr and "councilkg load" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_load_prints_a_summary_per_source(cli_env: dict[str, str], tmp_path: Path) -> None:
    proc = run(["load"], cli_env, tmp_path)
    assert "OFSTED Inspection of Children's Services" in proc.stdout
    assert "store now holds" in proc.stdout
    assert "reading curated data" in proc.stderr  # progress goes to stderr


def test_store_and_endpoint_may_come_before_the_command(loaded, tmp_path: Path) -> None:
    env, cwd = loaded
    store = env["COUNCILKG_STORE"]
    elsewhere = dict(env, COUNCILKG_STORE=str(tmp_path / "nothing-here"))
    out = run(["--store", store, "query", "council_judgements", "-p", "council=Croydon", "--format", "csv"], elsewhere, cwd).stdout
    assert "Croydon" in out or "E09000008" in out
    # given after the command too, the command's own wins
    proc = run(["--store", store, "stats", "--store", str(tmp_path / "nothing-here")], elsewhere, cwd, check=False)
    assert proc.returncode == 1 and "No store at" in proc.stderr
    # a command that uses no store ignores it, so one alias serves every command
    assert "council_judgements" in run(["--store", store, "queries"], elsewhere, cwd).stdout
    # --endpoint on a command that cannot read from one is refused, not run on the local store
    proc = run(["--endpoint", "http://127.0.0.1:9/query", "export", "--format", "nquads"], env, cwd, check=False)
    assert proc.returncode == 2 and "--endpoint does not apply to `councilkg export`" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_stats(loaded) -> None:
    env, cwd = loaded
    out = run(["stats"], env, cwd).stdout
    assert "Ofsted finds 'sustained progress'" in out and "judgement" in out


@pytest.mark.slow
def test_validate_reports_no_violations_on_the_seed_graph(cli_env: dict[str, str], tmp_path: Path) -> None:
    proc = run(["validate"], cli_env, tmp_path)
    assert "0 SHACL violations" in proc.stdout


def test_validate_fails_on_broken_input(cli_env: dict[str, str], tmp_path: Path, curated_copy: Path) -> None:
    (curated_copy / "broken.yaml").write_text("source:\n  id: broken\n  title: Broken\n  type: news-article\n"
                                              "people:\n  - id: x-y\n")
    proc = run(["validate", "--curated", str(curated_copy)], cli_env, tmp_path, check=False)
    assert proc.returncode == 1
    assert "broken.yaml:6: people[0].name: required field is missing" in proc.stderr


@pytest.mark.slow
def test_validate_reports_a_violation_in_a_broken_store(cli_env: dict[str, str], tmp_path: Path) -> None:
    payloads = curated_payloads(CURATED_DIR)
    target = next(p for p in payloads if p.graph == iris.source("croydon-cyp-scrutiny-2017-09-19-item-6"))
    judgement = iris.judgement(iris.inspection("E09000008", "2017-09-04"), "sif-overall")
    target.quads.append(ox.Quad(judgement, iris.ckg.grade, iris.concept("grade", "good"), target.graph))
    store = tmp_path / "broken-store"
    StoreFolder(store).build([ontology_payload(), *payloads])
    proc = run(["validate", "--built", "--store", str(store)], cli_env, tmp_path, check=False)
    assert proc.returncode == 1
    assert "exactly one grade" in proc.stdout and judgement.value in proc.stdout


def _table_rows(text: str) -> list[list[str]]:
    lines = text.rstrip("\n").split("\n")
    spans, pos = [], 0
    for dashes in lines[1].split("  "):
        spans.append((pos, pos + len(dashes)))
        pos += len(dashes) + 2
    return [[line[a:b].strip() for a, b in spans] for line in lines[2:]]


@pytest.mark.slow  # three CLI processes per canned query
@pytest.mark.parametrize("name", sorted(catalogue.catalogue()))
def test_the_same_rows_in_table_csv_and_json(loaded, name: str) -> None:
    env, cwd = loaded
    params = [arg for k, v in catalogue.get(name).example_args().items() for arg in ("--param", f"{k}={v}")]
    table = run(["query", name, *params, "--format", "table", "--width", "0"], env, cwd).stdout
    text_csv = run(["query", name, *params, "--format", "csv"], env, cwd).stdout
    text_json = run(["query", name, *params, "--format", "json"], env, cwd).stdout
    csv_rows = list(csv.reader(io.StringIO(text_csv)))
    header, csv_body = csv_rows[0], csv_rows[1:]
    doc = json.loads(text_json)
    assert doc["head"]["vars"] == header
    json_body = [[b.get(v, {}).get("value", "") for v in header] for b in doc["results"]["bindings"]]
    table_body = _table_rows(table)
    # these need more than the seed graph (national data; loaded documents)
    assert csv_body or name in ("source_disagreements", "document_candidates", "entity_passages", "recurring_themes",
                                "unthemed_recommendations", "inspector_inspections", "inspector_record"), f"{name}: no rows"
    assert csv_body == json_body
    assert [[" ".join(c.split()) for c in row] for row in csv_body] == table_body


def test_your_own_query_from_a_file_and_from_stdin(loaded, tmp_path: Path) -> None:
    env, cwd = loaded
    path = tmp_path / "people.rq"
    path.write_text("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a foaf:Person }\n")
    assert run(["query", str(path), "--format", "csv"], env, cwd).stdout.splitlines()[1] == "12"
    out = run(["query", "-", "--format", "csv"], env, cwd, stdin="ASK { ?s ?p ?o }").stdout
    assert out.splitlines() == ["boolean", "true"]


def test_a_refused_query_is_an_error_not_a_traceback(loaded, tmp_path: Path) -> None:
    env, cwd = loaded
    path = tmp_path / "service.rq"
    path.write_text("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    proc = run(["query", str(path)], env, cwd, check=False)
    assert proc.returncode == 1 and "SERVICE is not allowed" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unknown_query_lists_the_catalogue(loaded) -> None:
    env, cwd = loaded
    proc = run(["query", "no_such_query"], env, cwd, check=False)
    assert proc.returncode == 1 and "council_judgements" in proc.stderr


@pytest.mark.parametrize("fmt, rdf_format", [("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS),
                                             ("jsonld", ox.RdfFormat.JSON_LD), ("turtle", ox.RdfFormat.TURTLE),
                                             ("ntriples", ox.RdfFormat.N_TRIPLES)])
def test_export_round_trips(loaded, tmp_path: Path, fmt: str, rdf_format: ox.RdfFormat) -> None:
    env, cwd = loaded
    out = tmp_path / f"export.{fmt}"
    run(["export", "--format", fmt, "--output", str(out)], env, cwd)
    parsed = list(ox.parse(path=str(out), format=rdf_format))
    payloads = curated_payloads(CURATED_DIR)
    source_quads = {str(q) for p in payloads for q in p.quads}
    if rdf_format.supports_datasets:
        exported = {str(q) for q in parsed}
        assert source_quads <= exported
    else:
        triples = {str(ox.Triple(q.subject, q.predicate, q.object)) for p in payloads for q in p.quads}
        assert triples <= {str(t) for t in parsed}
        assert len(parsed) == len({str(t) for t in parsed})  # each triple once


def test_export_one_source_graph(loaded, tmp_path: Path) -> None:
    env, cwd = loaded
    out = run(["export", "--format", "turtle", "--graph", "nottingham-cyp-scrutiny-2020-01-30-item-19"], env, cwd).stdout
    triples = list(ox.parse(out.encode(), format=ox.RdfFormat.TURTLE))
    assert any(t.object.value == "Helen Blackman" for t in triples)
    assert not any(t.object.value == "Robert Henderson" for t in triples)


@pytest.mark.slow
def test_a_synthetic_file_loads_as_it_is(cli_env: dict[str, str], tmp_path: Path) -> None:
    """`councilkg synthetic` writes N-Quads another store could load; `load --rdf` loads them here, each of
    their graphs a source the doctor sums up in one line for the file."""
    data = tmp_path / "synthetic.nq"
    run(["synthetic", "--triples", "6000", "--output", str(data)], cli_env, tmp_path)
    out = run(["load", "--fresh", "--no-curated", "--rdf", str(data)], cli_env, tmp_path).stdout
    written = list(ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS))
    quads, graphs = len(written), len({q.graph_name for q in written})
    assert graphs > 1 and f"{f'synthetic.nq ({graphs} graphs)':<60} rdf        {quads:>9,}" in out
    doctor = run(["doctor", "--no-shacl"], cli_env, tmp_path).stdout
    assert f"{data} [rdf] loaded" in doctor and f"{graphs} graph(s), {quads:,} triples" in doctor
    rows = json.loads(run(["query", "latest_grades", "--format", "json"], cli_env, tmp_path).stdout)["results"]["bindings"]
    assert rows and all(r["councilLabel"]["value"].startswith("Synthetic Authority") for r in rows)
    broken = tmp_path / "broken.nq"
    broken.write_bytes(data.read_bytes().replace(b"<", b"<not an iri ", 1))
    for command in ("load", "validate"):
        failed = run([command, "--rdf", str(broken)], cli_env, tmp_path, check=False)
        assert failed.returncode != 0 and f"{broken}:1: column " in failed.stderr and "Traceback" not in failed.stderr
    checked = run(["validate", "--rdf", str(data)], cli_env, tmp_path).stdout
    curated = sum(len(p.quads) for p in curated_payloads(CURATED_DIR))
    assert f"{graphs + len(curated_payloads(CURATED_DIR))} source graph(s), {quads + curated:,} triples" in checked
