"""The one list of source kinds, in the order a load reads them (as rdflib's ``plugin.register``).

Each kind is declared in its own module (``councilkg.sources.kind`` says what a declaration holds) and registered
here with one line. Everything that needs to know the kinds asks this module: the CLI's ``load`` and ``validate``
options, ``build.collect_payloads`` and the graphs a load replaces whole, the order ``stats`` and the app list
graphs in, and ``doctor``'s listing and SHACL check.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from councilkg.sources import curated, documents, ofsted, rdffile, reports, synthetic
from councilkg.sources.kind import GraphKind, SourceKind
from councilkg.store import ONTOLOGY_SOURCE_KIND

_KINDS: dict[str, SourceKind] = {}

#: graphs no source kind writes: the ontology (written by every load) and the loads graph, as ``stats`` names it
BOOKKEEPING = (GraphKind(ONTOLOGY_SOURCE_KIND, order=80), GraphKind("log", order=90))


def register(kind: SourceKind) -> SourceKind:
    """Add a kind of source, read after those registered before it. Raises ValueError if its name, an input or a
    kind of graph it writes is another kind's already."""
    taken_inputs = {name for k in _KINDS.values() for name in k.defaults()}
    taken_graphs = {g.name for g in graph_kinds()}
    clash = ([kind.name] if kind.name in _KINDS else []) + sorted(taken_inputs & set(kind.defaults())) \
        + sorted(taken_graphs & {g.name for g in kind.graphs})
    if clash:
        raise ValueError(f"source kind {kind.name!r}: {clash[0]!r} is registered already")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[SourceKind]:
    """Every source kind, in the order a load reads them."""
    return list(_KINDS.values())


def get(name: str) -> SourceKind:
    """The source kind of this name. Raises KeyError naming the kinds there are."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"no source kind {name!r} (there are: {', '.join(_KINDS)})") from None


def graph_kinds() -> list[GraphKind]:
    """Every kind of graph a store holds, in the order they are listed: the facts, what loaders propose, bookkeeping."""
    return sorted([*(g for k in _KINDS.values() for g in k.graphs), *BOOKKEEPING], key=lambda g: g.order)


def graph_kind_order() -> list[str]:
    """The names of the kinds of graph in the order they are listed (``stats``, the app's home page)."""
    return [g.name for g in graph_kinds()]


def checked_graph_kinds() -> list[str]:
    """The kinds of graph ``load`` and ``doctor`` hold to the SHACL shapes, in the order the kinds are read."""
    return [g.name for k in _KINDS.values() for g in k.graphs if g.shapes]


def input_defaults() -> dict[str, Callable[[], Any]]:
    """Every kind's inputs with a function giving each one's default (what ``LoadPlan`` takes)."""
    return {name: default for k in _KINDS.values() for name, default in k.defaults().items()}


def inputs_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The inputs the options parsed by ``load`` or ``validate`` give, for every kind."""
    return {name: value for k in _KINDS.values() for name, value in k.inputs_from(args).items()}


def add_options(parser: argparse.ArgumentParser, *, checking: bool = False) -> None:
    """Add every kind's options to ``load``'s parser, or with ``checking`` those ``validate`` takes to its parser."""
    for kind in _KINDS.values():
        for option in kind.options:
            if not checking or option.check_help is not None:
                option.add_to(parser, checking=checking)


def describe() -> str:
    """The kinds in the order they are read, each with what it reads (for ``load --help``)."""
    return "Sources are read in this order: " + "; ".join(f"{k.name} ({k.reads})" for k in _KINDS.values()) + "."


# The kinds, in the order a load reads them: a kind may use what those before it read (the Ofsted tables find
# authorities in the lookup; documents find the names the curated and national data give).
register(curated.KIND)
register(ofsted.LOOKUP_KIND)
register(ofsted.KIND)
register(reports.KIND)
register(documents.KIND)
register(synthetic.KIND)
register(rdffile.KIND)
