"""What the app's pickers offer: the councils, people, regions and roles the graph holds.

Each is one internal look-up (``queries/internal/``) run through the runner; plain Python data,
tested without Streamlit (the app caches them per store generation).
"""

from __future__ import annotations

from councilkg.explore.lookup import run_internal
from councilkg.model import iris
from councilkg.query.results import Value
from councilkg.query.runner import Runner


def choices(runner: Runner, cls: str) -> list[tuple[str, str]]:
    """(label, IRI) of every node of a class (ckg:LocalAuthority, foaf:Person, ...), sorted by label."""
    rows = run_internal(runner.backend, "entities_of_class", {"class": Value.iri(cls)}).strings()
    return sorted(((r["name"], r["node"]) for r in rows), key=lambda pair: (pair[0].lower(), pair[1]))


def councils(runner: Runner) -> list[tuple[str, str]]:
    """(name, IRI) of every council."""
    return choices(runner, iris.CKG + "LocalAuthority")


def people(runner: Runner) -> list[tuple[str, str]]:
    """(name, IRI) of every person."""
    return choices(runner, iris.NAMESPACES["foaf"] + "Person")


def regions(runner: Runner) -> list[str]:
    """Every region the graph gives a council, in order."""
    return [r["region"] for r in run_internal(runner.backend, "regions").strings()]


def roles_in_use(runner: Runner) -> list[tuple[str, str]]:
    """(label, IRI) of every role some membership holds, by label."""
    return [(r["label"], r["role"]) for r in run_internal(runner.backend, "roles_in_use").strings()]
