"""What a kind of source is: the interface each kind declares in its own module and ``registry`` lists.

A *source kind* (curated data, the authority lookup, Ofsted tables, documents, synthetic data, RDF files) is a
``SourceKind``: its name and what it reads; its command-line options (on ``load``, and on ``validate`` where it
can be checked without loading); the ``LoadPlan`` inputs that hold what it is to read; how it turns them into
graph payloads (``read``) or into files the store loads as they are (``files``); the kinds of graph it writes,
each with where it is listed and whether it is held to the shapes; and the kinds of graph a load of it replaces
whole. ``councilkg.sources.registry`` lists the kinds in the order a load reads them; the CLI's options,
``build.collect_payloads``, the order ``stats`` lists graphs in and ``doctor`` all read them from there.

Adding a kind is a module that declares one ``SourceKind`` and a line registering it in ``registry``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from councilkg.store import GraphPayload, RdfFile

Progress = Callable[[str], None]
#: a load's inputs by name, every kind's (``LoadPlan.inputs``): a reader takes its own and may read another's
Inputs = Mapping[str, Any]


@dataclass(frozen=True)
class Option:
    """A command-line option of a source kind: on ``load`` with ``help``, and on ``validate`` with ``check_help``
    (None: ``load`` only). An option with an ``input`` is repeatable and gives that input the list of its paths
    (``--ofsted A --ofsted B``: ``ofsted=[Path("A"), Path("B")]``); any other is read by its kind's ``from_args``."""

    flag: str
    help: str
    check_help: str | None = None
    metavar: str | None = None
    input: str | None = None
    switch: bool = False  # takes no value (on when given)
    type: Callable[[str], Any] | None = None
    default: Any = None

    @property
    def dest(self) -> str:
        """The name argparse gives the option's value: ``--no-curated`` -> ``no_curated``."""
        return self.flag.lstrip("-").replace("-", "_")

    def add_to(self, parser: argparse.ArgumentParser, *, checking: bool = False) -> None:
        """Add the option to a command's parser: ``load``'s, or with ``checking`` ``validate``'s."""
        settings: dict[str, Any] = {"help": self.check_help if checking else self.help}
        if self.switch:
            settings["action"] = "store_true"
        else:
            settings.update({k: v for k, v in (("metavar", self.metavar), ("type", self.type), ("default", self.default))
                             if v is not None})
            if self.input is not None:
                settings["action"] = "append"
        parser.add_argument(self.flag, **settings)


@dataclass(frozen=True)
class GraphKind:
    """A kind of graph a source kind writes: the name the loads graph records (``ckg:loadKind``), where its graphs are
    listed (``order``: the facts first, then what the loaders propose, then bookkeeping), whether ``load`` and
    ``doctor`` hold its graphs to the SHACL shapes, and how ``doctor`` lists the graphs of it a store holds."""

    name: str
    order: int
    shapes: bool = False
    listed: str = "each"  # "each": a line a graph; "by-file": a line a file they came from; "summed": in the count only


@dataclass(frozen=True)
class Reading:
    """What a kind's reader is given besides the inputs: where to report progress, the payloads the kinds before it
    read, and the store the load adds to (None for a fresh load or a new store)."""

    say: Progress
    earlier: Sequence[GraphPayload]
    existing: ox.Store | None

    def loading(self) -> set[ox.NamedNode]:
        """The graphs the earlier payloads replace: what the existing store holds in them is not known any more."""
        return {p.graph for p in self.earlier}

    def known(self, predicates: Collection[ox.NamedNode]) -> list[ox.Quad]:
        """What is known so far with these predicates: the quads the kinds before read, and those of the store added to
        outside the graphs they replace."""
        wanted = set(predicates)
        quads = [q for p in self.earlier for q in p.quads if q.predicate in wanted]
        if self.existing is not None:
            loading = self.loading()
            quads += [q for predicate in wanted for q in self.existing.quads_for_pattern(None, predicate, None, None)
                      if q.graph_name not in loading]
        return quads


Reader = Callable[[Inputs, Reading], tuple[list[GraphPayload], list[str]]]


@dataclass(frozen=True)
class SourceKind:
    """One kind of source (see the module docstring).

    The kind's ``LoadPlan`` inputs are those its options fill (lists of paths) and ``inputs`` (each with a function
    giving its default), which ``from_args`` makes from the options ``load`` or ``validate`` parsed (an option the
    command lacks is missing from the namespace). The first input holds what the kind reads: a load includes the
    kind when that value is true (a folder, a non-empty list, a number above 0). A kind either reads its inputs into
    payloads (``read``, given every input and a ``Reading``; returns the payloads and warnings) or names files the
    store loads as they are (``files``); ``needs_store`` says its reader looks at the store the load adds to.
    """

    name: str
    reads: str
    options: tuple[Option, ...]
    graphs: tuple[GraphKind, ...]
    read: Reader | None = None
    files: Callable[[Inputs], list[RdfFile]] | None = None
    inputs: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    from_args: Callable[[argparse.Namespace], dict[str, Any]] | None = None
    replaces: tuple[str, ...] = ()
    needs_store: bool = False

    def __post_init__(self) -> None:
        if (self.read is None) == (self.files is None):
            raise ValueError(f"source kind {self.name!r}: give it a reader or a function naming files, not both or neither")
        if not self.defaults():
            raise ValueError(f"source kind {self.name!r} takes no inputs")
        if bool(self.inputs) != (self.from_args is not None):
            raise ValueError(f"source kind {self.name!r}: inputs besides its options' paths need a from_args, and only they")

    def defaults(self) -> dict[str, Callable[[], Any]]:
        """Every input the kind takes, with a function giving its default: its options' path lists, then the others."""
        return {**{o.input: list for o in self.options if o.input is not None}, **self.inputs}

    def inputs_from(self, args: argparse.Namespace) -> dict[str, Any]:
        """The kind's inputs from the options ``load`` or ``validate`` parsed."""
        values: dict[str, Any] = {o.input: [Path(p) for p in getattr(args, o.dest, None) or []]
                                  for o in self.options if o.input is not None}
        return values | (self.from_args(args) if self.from_args is not None else {})

    def given(self, inputs: Inputs) -> bool:
        """Whether these inputs ask for this kind to be loaded."""
        return bool(inputs[next(iter(self.defaults()))])
