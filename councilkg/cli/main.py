"""The councilkg command line.

    councilkg load                      build or rebuild the store from data/curated
    councilkg query council_judgements --param council=Croydon
    councilkg stats
    councilkg search "private fostering" --council Croydon
    councilkg themes --explain "Ensure that privately fostered children are visited"

Run ``councilkg COMMAND --help`` for each command's options. Every command that uses a store takes
--store PATH (default: $COUNCILKG_STORE, else the project's store/ folder); reading commands also take
--endpoint URL to query a SPARQL 1.1 endpoint instead. Both may come before the command or after it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import pyoxigraph as ox
import yaml

from councilkg import __version__
from councilkg.cli.doctor import check
from councilkg.cli.serve import ReadOnlyEndpoint, ServeLimits
from councilkg.errors import CouncilKGError, ValidationFailed
from councilkg.explore import inspectors, network, timeline
from councilkg.explore import inventory as overview
from councilkg.explore import search as text_search
from councilkg.explore import themes as recommendation_themes
from councilkg.model import iris
from councilkg.query import catalogue
from councilkg.query.backends import backend_for
from councilkg.query.runner import Runner
from councilkg.settings import DEFAULT_ROW_LIMIT, DEFAULT_SERVE_TIMEOUT, DEFAULT_TIMEOUT, Settings, SettingsError
from councilkg.sources import registry
from councilkg.sources.build import LoadPlan, collect_with_files, load
from councilkg.sources.documents import excerpt
from councilkg.sources.synthetic import write_nquads
from councilkg.store import ReadOnlyStore, StoreFolder
from councilkg.store.gsp import load_into_graph_store
from councilkg.store.shacl import validate_store

IDENTITY = "identity"  # the kind `councilkg candidates` gives the leadership timeline's identity candidates
EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _err(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


_STEP_RE = re.compile(r"^(?P<what>\w[\w ]*?) (?P<n>\d+)/(?P<total>\d+)(?: (?P<item>.*))?$")
BAR_WIDTH = 30


def _progress(quiet: bool) -> Callable[[str], None]:
    """Progress messages on stderr. A counted step ("report 12/377 50004396.pdf") draws a progress bar on a
    terminal, redrawn in place; in a log (not a terminal), one line each tenth of the way."""
    tty = sys.stderr.isatty()
    shown = {"bar": False}

    def say(message: str) -> None:
        if quiet:
            return
        step = _STEP_RE.match(message)
        if step is None:
            if shown["bar"]:
                print(file=sys.stderr)
                shown["bar"] = False
            print(f"  {message}", file=sys.stderr, flush=True)
            return
        n, total = int(step["n"]), max(1, int(step["total"]))
        filled = BAR_WIDTH * n // total
        bar = f"  {step['what']}s [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {n}/{total}"
        if tty:
            print(f"\r{bar} {(step['item'] or '')[:30]:30}", end="" if n < total else "\n", file=sys.stderr, flush=True)
            shown["bar"] = n < total
        elif n == total or n * 10 // total != (n - 1) * 10 // total:
            print(bar, file=sys.stderr, flush=True)

    return say


def _folder(args: argparse.Namespace) -> StoreFolder:
    return StoreFolder(args.settings.store)


def _backend(args: argparse.Namespace):
    return backend_for(args.settings)


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def cmd_load(args: argparse.Namespace) -> int:
    plan = LoadPlan(**registry.inputs_from_args(args), fresh=args.fresh, validate=not args.no_validate)
    say = _progress(args.quiet)
    if args.gsp_endpoint:
        return _load_remote(args, plan, say)
    folder = _folder(args)
    print(f"loading into {folder.root}", file=sys.stderr)
    report = load(folder, plan, progress=say, lock_wait=args.wait)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for line in report.lines():
        print(line)
    return EXIT_OK


def _load_remote(args: argparse.Namespace, plan: LoadPlan, say: Callable[[str], None]) -> int:
    if args.fresh:
        _err("--fresh cannot be used with --gsp-endpoint: the Graph Store Protocol has no 'drop everything'; "
             "clear the server with its own tools first")
        return EXIT_USAGE
    print(f"loading into the Graph Store endpoint {args.gsp_endpoint}", file=sys.stderr)
    started = time.monotonic()
    payloads, warnings = collect_with_files(plan, say)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    written = load_into_graph_store(args.gsp_endpoint, payloads, drop_kinds=plan.drop_kinds(), progress=say)
    print(f"wrote {written:,} triples in {len(payloads) + 1} graphs to {args.gsp_endpoint} "
          f"in {time.monotonic() - started:.2f} s")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt  # so that `finally` stops the Oxigraph servers too

    signal.signal(signal.SIGTERM, stop)
    timeout = args.settings.serve_timeout
    limits = ServeLimits(timeout_s=timeout, **{name: value for name in ("max_queries", "max_rows")
                                               if (value := getattr(args, name)) is not None})
    hosts = [*(os.environ.get("COUNCILKG_SERVE_ALLOW_HOSTS") or "").split(), *(args.allow_host or [])]
    origins = [*(os.environ.get("COUNCILKG_SERVE_ALLOW_ORIGINS") or "").split(), *(args.allow_origin or [])]
    endpoint = ReadOnlyEndpoint(args.settings.store, host=args.host, port=args.port, log=not args.quiet, limits=limits,
                                allowed_hosts=hosts, allowed_origins=origins)
    print(f"read-only SPARQL endpoint at {endpoint.url} (store {endpoint.folder.root}; queries stop after "
          f"{timeout} s; Ctrl-C to stop)", file=sys.stderr, flush=True)
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.close()
    return EXIT_OK


def cmd_candidates(args: argparse.Namespace) -> int:
    backend = _backend(args)
    try:
        runner = Runner(backend, limit=None)
        documents = args.kind != IDENTITY
        result = runner.canned("document_candidates", {"kind": args.kind} if args.kind else {}) if documents else None
        # each document's summary says the authority it is about, whichever kind is listed
        about = runner.canned("document_candidates", {"kind": "authority"}).strings() if args.kind and documents else []
        identities = [c for c in timeline.timeline(runner)[1] if c.confidence >= args.min_confidence] \
            if args.kind in (None, IDENTITY) else []
    finally:
        backend.close()
    rows = [r for r in result.strings() if float(r["confidence"] or 0) >= args.min_confidence] if result else []
    summaries = candidate_summaries(rows, about)
    if args.format == "yaml":
        by_file: dict[str, list[dict]] = {}
        for r in rows:
            entry = {"kind": r["kind"], "value": r["value"], "confidence": float(r["confidence"]),
                     "passage": int(r["passageNumber"]), "quote": excerpt(r["passage"], r["subjectLabel"], r["value"].replace("-", " "))}
            if r["detail"]:
                entry["detail"] = r["detail"]
            if r["subject"]:
                entry["about"] = r["subject"].rsplit("/", 1)[-1]
                if "/candidate-person/" in r["subject"]:
                    entry["name"] = r["subjectLabel"]  # a person the graph does not hold yet
            if r["organisation"]:
                entry["organisation"] = r["organisation"].rsplit("/", 1)[-1]
            if r["date"]:
                entry["date"] = r["date"]
            by_file.setdefault(r["fileName"], []).append(entry)
        if documents:
            print("# Candidate facts proposed by `councilkg load --documents`, for review. None of them is in the curated\n"
                  "# data: check each against its quoted passage and copy what is right into the document's data/curated "
                  "file.")
            print(yaml.safe_dump([{"file": f, "summary": summaries[f], "candidates": c} for f, c in by_file.items()],
                                 allow_unicode=True, sort_keys=False, width=110))
        if identities:
            print("# Who unnamed holders probably are (the leadership timeline's identity rule, README): accept one by\n"
                  "# adding the membership to data/curated, citing both sources.")
            print(yaml.safe_dump({"identities": [
                {"kind": IDENTITY, "council": c.unnamed.first.council_label, "role": c.unnamed.role_label,
                 "unnamed": c.unnamed.label(), "probably": c.named.label(), "person": c.named.first.holder,
                 "confidence": c.confidence, "evidence": c.sentence()} for c in identities]},
                allow_unicode=True, sort_keys=False, width=110))
    else:
        if rows:
            print(f"{'kind':<17} {'value':<45} {'detail':<24} {'about':<22} {'conf':>4}  file #passage")
        for r in rows:
            print(f"{r['kind']:<17} {r['value'][:45]:<45} {r['detail'][:24]:<24} {r['subjectLabel'][:22]:<22} "
                  f"{float(r['confidence']):>4.2f}  {r['fileName']} #{r['passageNumber']}")
        for c in identities:
            print(f"{IDENTITY:<17} {c.confidence:>4.2f}  {c.sentence()}")
    for file, summary in summaries.items():
        print(f"{file}: {summary}", file=sys.stderr)
    print(f"{len(rows)} candidate fact(s), {len(identities)} identity candidate(s)", file=sys.stderr)
    return EXIT_OK


def candidate_summaries(rows: list[dict[str, str]], authorities: list[dict[str, str]] = ()) -> dict[str, str]:
    """One line per document of ``rows``: the authority it is about (from its ``authority`` candidate, in ``rows`` or
    ``authorities``; or that it does not say), then how many candidates of each kind it has.

    >>> candidate_summaries([{"fileName": "a.txt", "kind": "authority", "value": "E09000008", "subjectLabel": "Croydon",
    ...                       "detail": "Croydon Council"},
    ...                      {"fileName": "a.txt", "kind": "person-post", "value": "Leader", "subjectLabel": "A B", "detail": ""}])
    {'a.txt': 'about Croydon (E09000008); 1 person-post'}
    """
    by_file: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_file.setdefault(r["fileName"], []).append(r)
    stated = {r["fileName"]: r for r in [*authorities, *rows] if r["kind"] == "authority"}
    out = {}
    for file, found in by_file.items():
        r = stated.get(file)
        how = ", by its address" if r is not None and r["detail"].startswith("address:") else ""
        about = f"about {r['subjectLabel']} ({r['value']}{how})" if r is not None else "the authority not stated"
        counts: dict[str, int] = {}
        for r in found:
            if r["kind"] != "authority":
                counts[r["kind"]] = counts.get(r["kind"], 0) + 1
        out[file] = "; ".join([about, *(f"{n} {kind}" for kind, n in counts.items())])
    return out


def cmd_doctor(args: argparse.Namespace) -> int:
    findings = check(_folder(args), shacl=not args.no_shacl, curated_dir=Path(args.curated) if args.curated else None,
                     progress=_progress(args.quiet))
    for finding in findings:
        print(finding)
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warn" for f in findings)
    print(f"{errors} error(s), {warnings} warning(s)")
    return EXIT_FAIL if errors else EXIT_OK


def cmd_synthetic(args: argparse.Namespace) -> int:
    out = Path(args.output)
    count = write_nquads(out, args.triples, args.seed)
    print(f"wrote {count:,} synthetic quads (seed {args.seed}) to {out}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    if args.built:
        handle = ReadOnlyStore(_folder(args))
        violations = validate_store(handle.store())
        handle.close()
        for v in violations:
            print(v)
        print(f"{len(violations)} SHACL violation(s) in the store at {_folder(args).root}")
        return EXIT_OK if not violations else EXIT_FAIL
    plan = LoadPlan(**registry.inputs_from_args(args))
    try:
        # RDF files are parsed as a load parses them, and not held to the shapes
        payloads, warnings = collect_with_files(plan, _progress(args.quiet))
    except ValidationFailed as exc:
        for v in exc.violations:
            print(v)
        print(f"{len(exc.violations)} SHACL violation(s)")
        return EXIT_FAIL
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    triples = sum(len(p.quads) for p in payloads)
    print(f"valid: {len(payloads)} source graph(s), {triples:,} triples, 0 SHACL violations")
    return EXIT_OK


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ValueError(f"--param {pair!r}: write it as name=value")
        name, value = pair.split("=", 1)
        params[name.strip()] = value
    return params


def cmd_query(args: argparse.Namespace) -> int:
    if args.list or not args.query:
        return cmd_queries(args)
    try:
        params = _parse_params(args.param)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_USAGE
    limit = args.settings.row_limit if args.limit is None else (None if args.limit == 0 else args.limit)
    backend = _backend(args)
    try:
        runner = Runner(backend, limit=limit, timeout=args.settings.timeout)
        target = args.query
        if target.endswith(".rq") or os.sep in target or target == "-":
            text = sys.stdin.read() if target == "-" else Path(target).read_text(encoding="utf-8")
            result = runner.user(text, params)
        else:
            catalogue.get(target)
            result = runner.canned(target, params)
    finally:
        backend.close()
    if args.format == "table":
        output = result.to_table(max_width=args.width or 10**9)
    else:
        output = result.to_csv() if args.format == "csv" else result.to_json()
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    print(result.summary(), file=sys.stderr)
    return EXIT_OK


def cmd_queries(args: argparse.Namespace) -> int:
    for query in catalogue.catalogue().values():
        params = ", ".join(f"{p.name}{'' if p.required else '?'}: {p.type}" for p in query.params) or "no parameters"
        print(f"{query.name:<28} {query.title}  ({params})")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    formats = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
               "jsonld": ox.RdfFormat.JSON_LD, "ntriples": ox.RdfFormat.N_TRIPLES}
    fmt = formats[args.format]
    handle = ReadOnlyStore(_folder(args))
    try:
        store = handle.store()
        if args.graph:
            graph = ox.NamedNode(args.graph if "://" in args.graph else iris.source(args.graph).value)
            if not store.contains_named_graph(graph):
                _err(f"no graph {graph.value} in the store (see `councilkg stats`)")
                return EXIT_FAIL
            quads = list(store.quads_for_pattern(None, None, None, graph))
        else:
            quads = [q for q in store.quads_for_pattern(None, None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)]
    finally:
        handle.close()
    prefixes = dict(iris.NAMESPACES) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    if fmt.supports_datasets:
        data = ox.serialize(quads, format=fmt, prefixes=prefixes)
    else:
        # Turtle and N-Triples hold one graph: the chosen graph, or the union of all, each triple once.
        triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
        data = ox.serialize(triples, format=fmt, prefixes=prefixes)
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
        print(f"wrote {len(data):,} bytes to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return EXIT_OK


def cmd_themes(args: argparse.Namespace) -> int:
    """The recommendation themes: their rules, the themes a text is given, or how many recommendations have each."""
    if args.rules:
        print("\n".join(recommendation_themes.rule_lines()))
        return EXIT_OK
    if args.explain is not None:
        lines = recommendation_themes.explain(args.explain)
        print("\n".join(lines) if lines else "no theme: none of the rules fires on this text")
        return EXIT_OK
    backend = _backend(args)
    try:
        runner = Runner(backend, timeout=args.settings.timeout)
        rows = recommendation_themes.counts(runner)
        covered = recommendation_themes.coverage(runner)
    finally:
        backend.close()
    print(f"{'theme':<64} {'recommendations':>15} {'with narrower':>13} {'authorities':>11}")
    for row in rows:
        label = ("  " if row.broader else "") + f"{row.label} [{row.name}]"
        print(f"{label[:64]:<64} {row.recommendations:>15,} {row.with_narrower:>13,} {row.authorities:>11,}")
    print(covered.line() + " (`councilkg query unthemed_recommendations` lists them)")
    return EXIT_OK


def cmd_co_inspection(args: argparse.Namespace) -> int:
    backend = _backend(args)
    try:
        runner = Runner(backend, limit=None)
        graph = inspectors.co_inspection(inspectors.team_rows(runner))
        # the inspector asked for, matched as the query matches names (case, hyphens and spacing aside)
        centre = inspectors.team_rows(runner, args.inspector) if args.inspector else None
    finally:
        backend.close()
    if centre is not None:
        if not centre:
            _err(f"no inspector called {args.inspector!r} (give their name as the reports spell it, or their IRI)")
            return EXIT_FAIL
        graph = network.ego(graph, centre[0]["person"], args.depth)
    data = network.to_graphml(graph)
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    print(f"{graph.number_of_nodes():,} inspectors, {graph.number_of_edges():,} pairs named on the same team", file=sys.stderr)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    backend = _backend(args)
    try:
        graphs = overview.graphs(backend)
        classes = overview.classes(backend)
    finally:
        backend.close()
    print(f"{'graph':<70} {'kind':<10} {'triples':>9}")
    for g in overview.listed(graphs):
        print(f"{g.title[:70]:<70} {g.kind:<10} {g.triples:>9,}")
    print(f"{'total':<70} {'':<10} {overview.total_triples(graphs):>9,}\n")
    print(f"{'class':<50} {'entities':>9}")
    for c in classes:
        print(f"{c.label[:50]:<50} {c.entities:>9,}")
    return EXIT_OK


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
BOLD, PLAIN = "\x1b[1m", "\x1b[0m"


def _terminal_text(text: str) -> str:
    """Text from the data for a terminal: control characters (escape sequences) and runs of whitespace as one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _snippet_line(snippet: text_search.Snippet, tty: bool) -> str:
    """A snippet with its matches in bold on a terminal, else between « and »."""
    opening, closing = (BOLD, PLAIN) if tty else ("«", "»")
    out = "".join(f"{opening}{_terminal_text(t)}{closing}" if matched else _CONTROL.sub(" ", t).replace("\n", " ")
                  for t, matched in snippet.segments)
    return re.sub(r" {2,}", " ", out).strip()


def cmd_search(args: argparse.Namespace) -> int:
    filters = text_search.Filters(council=args.council or "", kinds=tuple(args.kind or ()), framework=args.framework or "",
                                  years=args.year or "")
    runner = Runner(_backend(args), limit=None)
    try:
        result = text_search.search(runner, args.text, filters, limit=args.limit, offset=args.offset)
    finally:
        runner.close()
    if args.format == "json":
        print(json.dumps({"total": result.total, "offset": args.offset, "hits": [
            {"passage": h.passage, "source": h.source, "sourceTitle": h.source_title, "kind": h.kind, "year": h.year,
             "page": h.page, "number": h.number, "url": h.url or None, "rank": h.rank, "authorities": list(h.authorities),
             "frameworks": list(h.frameworks), "snippet": h.snippet.text, "matches": h.snippet.matches,
             "links": [{"iri": link.iri, "label": link.label, "relation": link.relation} for link in h.links]}
            for h in result.hits]}, indent=2, ensure_ascii=False))
    else:
        tty = sys.stdout.isatty()
        for n, h in enumerate(result.hits, args.offset + 1):
            where = ", ".join(part for part in (h.kind, str(h.year) if h.year else "", f"page {h.page}" if h.page else "",
                                                f"passage {h.number}" if h.number else "") if part)
            print(f"{n}. {_terminal_text(h.source_title)} ({where})")
            print(f"   {_snippet_line(h.snippet, tty)}")
            print(f"   source: {h.source}" + (f"  {h.url}" if h.url else ""))
            for link in h.links[:args.links]:
                print(f"   {link.relation}: {_terminal_text(link.label)} <{link.iri}>")
            if len(h.links) > args.links:
                print(f"   ... and {len(h.links) - args.links} more linked")
    shown = f"{args.offset + 1}-{args.offset + len(result.hits)}" if result.hits else "none"
    print(f"{result.total:,} passage(s) match; showing {shown} ({result.seconds * 1000:.0f} ms)", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    store_opts = argparse.ArgumentParser(add_help=False)
    store_opts.add_argument("--store", metavar="PATH",
                            help="store folder (default: $COUNCILKG_STORE, else <project>/store)")
    read_opts = argparse.ArgumentParser(add_help=False)
    read_opts.add_argument("--endpoint", metavar="URL",
                           help="query this SPARQL 1.1 endpoint instead of the embedded store (or set COUNCILKG_ENDPOINT)")

    parser = argparse.ArgumentParser(
        prog="councilkg",
        description="A knowledge graph of English councils' children's services: leaders, Ofsted judgements, "
                    "boards, recommendations and the documents that say so.",
        epilog="Start with `councilkg load`, then `councilkg query --list`. Each command has --help.",
    )
    parser.add_argument("--version", action="version", version=f"councilkg {__version__}")
    # also accepted before the command (`councilkg --store PATH query ...`); given after it, it wins
    parser.add_argument("--store", dest="global_store", metavar="PATH",
                        help="store folder for the command (may also follow the command)")
    parser.add_argument("--endpoint", dest="global_endpoint", metavar="URL",
                        help="SPARQL endpoint for a reading command (may also follow the command)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("load", parents=[store_opts], help="build or rebuild the store from its sources",
                       description="Read and validate the sources, then build a new store generation and switch to it "
                                   "atomically. The curated data (data/curated) is always (re)loaded unless --no-curated; "
                                   "other sources already in the store are kept unless --fresh. A bad input changes nothing.",
                       epilog=registry.describe())
    registry.add_options(p)  # each source kind's options, in the order the kinds are read
    p.add_argument("--gsp-endpoint", metavar="URL",
                   help="load into this SPARQL Graph Store Protocol endpoint (e.g. http://127.0.0.1:7878/store) "
                        "instead of the local store")
    p.add_argument("--fresh", action="store_true", help="start from an empty store instead of the current one")
    p.add_argument("--no-validate", action="store_true", help="skip the SHACL check of curated graphs")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait up to this long for another running load to finish (default: fail at once)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("validate", parents=[store_opts], help="check the inputs (and SHACL); non-zero exit on failure",
                       description="Read and validate the curated data (and any other inputs named) and check the resulting "
                                   "graphs against the SHACL shapes, without loading anything. With --built, check the "
                                   "built store's graphs instead.")
    registry.add_options(p, checking=True)  # the options of the source kinds that can be checked without loading
    p.add_argument("--built", action="store_true", help="validate the graphs in the store at --store")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", parents=[store_opts, read_opts], help="run a canned query or a .rq file",
                       description="Run a canned query by name (see --list) or your own SPARQL from a .rq file ('-' reads "
                                   "stdin). Your own queries are read-only, may not use SERVICE, are stopped after --timeout "
                                   "seconds and capped at --limit rows.")
    p.add_argument("query", nargs="?", help="a canned query name, or a path to a .rq file")
    p.add_argument("--param", "-p", metavar="NAME=VALUE", action="append",
                   help="a parameter, e.g. council=Croydon or date=2017-09-19; repeatable")
    p.add_argument("--format", "-f", choices=["table", "csv", "json"], default="table",
                   help="output: an aligned table, CSV, or SPARQL 1.1 JSON results (default: table)")
    p.add_argument("--width", type=int, default=60, metavar="N", help="table cells longer than N are cut (0: never; default 60)")
    p.add_argument("--limit", type=int, metavar="N",
                   help=f"at most N rows (0: no limit; default: $COUNCILKG_ROW_LIMIT, else {DEFAULT_ROW_LIMIT:,})")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help=f"time limit for your own queries (default: $COUNCILKG_TIMEOUT, else {DEFAULT_TIMEOUT:g})")
    p.add_argument("--list", action="store_true", help="list the canned queries")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", help="list the canned queries")
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser("export", parents=[store_opts], help="write the graph as Turtle, TriG, N-Quads or JSON-LD",
                       description="Export the store. TriG, N-Quads and JSON-LD keep each source's named graph; Turtle and "
                                   "N-Triples hold one graph, so they get --graph's graph or else the union of all graphs.")
    p.add_argument("--format", "-f", choices=["turtle", "trig", "nquads", "jsonld", "ntriples"], default="trig")
    p.add_argument("--graph", metavar="IRI|SOURCE-ID", help="only this source graph (an IRI or a source id)")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("candidates", parents=[store_opts, read_opts], help="list the facts proposed from loaded documents",
                       description="List the candidate facts `councilkg load --documents DIR` proposed, each with its passage "
                                   "and confidence, and the identity candidates of the leadership timeline (an unnamed "
                                   "holder Ofsted states and the named person they probably are, with both sources); "
                                   "--format yaml writes them for review against the curated data.")
    p.add_argument("--kind", help="only this kind (post, judgement, fieldwork, fieldwork-end, publication-date, visit-number, "
                                  "visit-focus, credit; identity: who an unnamed post holder probably is)")
    p.add_argument("--min-confidence", type=float, default=0.0, metavar="X", help="only candidates at least this sure (0 to 1)")
    p.add_argument("--format", "-f", choices=["table", "yaml"], default="table")
    p.set_defaults(func=cmd_candidates)

    p = sub.add_parser("doctor", parents=[store_opts], help="check the store and say what to do about anything wrong",
                       description="Check the store folder: it opens, each graph holds what was recorded at build time, "
                                   "which sources are loaded and when, whether the ontology or curated data changed since, "
                                   "the SHACL shapes, and leftovers of interrupted loads. Exit 1 if anything is an error.")
    p.add_argument("--curated", metavar="DIR", help="curated data folder to compare with (default: data/curated)")
    p.add_argument("--no-shacl", action="store_true", help="skip the SHACL check (faster)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress messages")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser("serve", parents=[store_opts], help="serve the store as a read-only SPARQL 1.1 endpoint at /query",
                       description="Serve the built store read-only over the SPARQL 1.1 Protocol for your own tools "
                                   "(SPARQLWrapper, rdflib, YASGUI). Updates and SERVICE are refused; each query stops "
                                   "after --timeout seconds; a new load is picked up without a restart.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7878, help="port (default 7878)")
    p.add_argument("--timeout", dest="serve_timeout", type=int, metavar="SECONDS",
                   help=f"time limit per query (default: $COUNCILKG_SERVE_TIMEOUT, else {DEFAULT_SERVE_TIMEOUT})")
    p.add_argument("--max-queries", type=int, metavar="N", help="queries running at once; more wait, then get 503 "
                   "(default: 2 per query worker, so 4 to 16)")
    p.add_argument("--max-rows", type=int, metavar="N", help="rows an answer stops at (default 100,000)")
    p.add_argument("--allow-host", action="append", metavar="NAME",
                   help="a Host name to answer besides localhost, 127.0.0.1 and ::1 (repeatable; also "
                        "$COUNCILKG_SERVE_ALLOW_HOSTS, space-separated)")
    p.add_argument("--allow-origin", action="append", metavar="URL",
                   help="a web page origin (http://host:port) whose scripts may query (repeatable; also "
                        "$COUNCILKG_SERVE_ALLOW_ORIGINS); pages on loopback hosts always may")
    p.add_argument("--quiet", "-q", action="store_true", help="no request log")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("synthetic", help="write synthetic data of a given size as N-Quads (for other stores)",
                       description="Write a reproducible synthetic graph with the shape of the real one. Every authority, "
                                   "person and source in it is named 'Synthetic'; never mix it with real data you publish.")
    p.add_argument("--triples", type=int, default=1_000_000, help="about how many triples (default 1000000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--output", "-o", metavar="FILE", required=True, help="the N-Quads file to write")
    p.set_defaults(func=cmd_synthetic)

    p = sub.add_parser("search", parents=[store_opts, read_opts], help="find words in every passage of the loaded documents and reports",
                       description="Search the text of every passage of the loaded documents and Ofsted reports (the store's "
                                   "text index, built with it), best matches first, each with its snippet, page, source and "
                                   "the entities it mentions. Words must all be there; \"quoted words\" are a phrase; word* "
                                   "any word beginning so; OR between two terms either; -word must be absent.",
                       epilog='Example: councilkg search "private fostering" --council Croydon --year 2019-2020. '
                              "Against a SPARQL endpoint there is no text index: query ckg:passageText in SPARQL.")
    p.add_argument("text", help="the words to find")
    p.add_argument("--council", metavar="NAME|GSS|IRI", help="only passages of sources about this council")
    p.add_argument("--kind", action="append", metavar="KIND",
                   help="only passages of this kind of source (documents, reports, ...); repeatable")
    p.add_argument("--framework", metavar="NAME", help="only sources about an inspection under this framework (sif, ilacs, ...)")
    p.add_argument("--year", metavar="YEAR[-YEAR]", help="only sources of this year, or these years (2018-2020)")
    p.add_argument("--limit", type=int, default=20, metavar="N", help="at most N passages (default 20)")
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N (default 0)")
    p.add_argument("--links", type=int, default=5, metavar="N", help="linked entities shown a passage (default 5)")
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("co-inspection", parents=[store_opts, read_opts], help="write the co-inspection network as GraphML",
                       description="Write the network of Ofsted inspectors named on the same inspection team (from the "
                                   "reports loaded with --reports; an edge's weight is the inspections the two were on "
                                   "together) as GraphML, for Gephi, Cytoscape or networkx.")
    p.add_argument("--inspector", metavar="NAME|IRI", help="only this inspector's ego network (their name as the reports "
                                                          "spell it, or their IRI)")
    p.add_argument("--depth", type=int, default=1, metavar="N", help="steps from --inspector (default 1)")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(func=cmd_co_inspection)

    p = sub.add_parser("stats", parents=[store_opts, read_opts], help="triples per source graph and entities per class")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("themes", parents=[store_opts, read_opts],
                       help="recommendations by theme, the themes' rules, or the themes a text is given",
                       description="With no option: how many recommendations of the store have each theme of the "
                                   "recommendation-theme scheme (ontology/themes.ttl), and how many have none.")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--rules", action="store_true", help="print every theme with its rules, as the scheme writes them")
    what.add_argument("--explain", metavar="TEXT", help="the themes the rules give this text, with the rule that fired")
    p.set_defaults(func=cmd_themes)

    return parser


def _apply_global_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--store`` and ``--endpoint`` given before the command apply to it, unless it was given its own.

    A command that uses no store (``queries``, ``synthetic``) ignores ``--store``, so one alias serves every
    command; ``--endpoint`` on a command that cannot read from one is an error, not a silent local run.
    """
    for option, name in (("--store", "store"), ("--endpoint", "endpoint")):
        value = getattr(args, f"global_{name}")
        if value is None:
            continue
        if not hasattr(args, name):
            if name == "store":
                continue
            parser.error(f"{option} does not apply to `councilkg {args.command}`, which does not read from a SPARQL "
                         f"endpoint (see `councilkg {args.command} --help`)")
        if getattr(args, name) is None:
            setattr(args, name, value)


def exit_code_for(error: CouncilKGError) -> int:
    """The exit code for an error councilkg raised on purpose: the one place errors meet exit codes.
    A bad setting is a usage error (2); every other kind is a failure of the command (1)."""
    return EXIT_USAGE if isinstance(error, SettingsError) else EXIT_FAIL


def settings_for(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings a command runs with: the COUNCILKG_* variables (``environ``, else the process's), then the
    command's own options (``--store``, ``--endpoint``, ``query --timeout``, ``serve --timeout``). Raises
    SettingsError."""
    store = getattr(args, "store", None)
    return Settings.from_env(environ).with_(store=Path(store).expanduser() if store else None,
                                            endpoint=getattr(args, "endpoint", None), timeout=getattr(args, "timeout", None),
                                            serve_timeout=getattr(args, "serve_timeout", None))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    _apply_global_options(parser, args)
    try:
        args.settings = settings_for(args)
        return args.func(args)
    except CouncilKGError as exc:
        _err(str(exc))
        return exit_code_for(exc)
    except FileNotFoundError as exc:
        _err(f"{exc.filename}: no such file")
        return EXIT_FAIL
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
