"""Recoveries from an inadequate judgement: each council's steps back to good, and the national figures.

The steps come from the canned query ``recoveries`` (one row per graded inspection of a recovery); this module
groups them into recoveries and works out what the query cannot portably: the time from the first overall
inadequate judgement of a recovery to the first later overall judgement of requires improvement or better, and
to good or better; the medians of those times by the framework of that inadequate judgement (SIF or ILACS); the
fastest and slowest recoveries; and a council beside its statistical neighbours. Plain Python data, tested
without Streamlit; the recoveries page and the README's figures use it.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from councilkg.explore.lookup import run_internal
from councilkg.query.results import Value
from councilkg.query.runner import Runner

#: the framework eras the national medians are given for: the frameworks with an overall judgement
ERAS = ("SIF", "ILACS")
INADEQUATE, REQUIRES_IMPROVEMENT, GOOD = 4, 3, 2


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months from one date to another (2017-09-04 to 2020-03-16: 30), as the query counts them."""
    return (end.year - start.year) * 12 + end.month - start.month


def _split(text: str) -> tuple[str, ...]:
    return tuple(sorted(part for part in (p.strip() for p in text.split(";")) if part))


@dataclass(frozen=True)
class Step:
    """One graded inspection of a recovery: step 0 opened it."""

    inspection: str
    number: int
    published: dt.date
    fieldwork_start: str
    type: str
    framework: str
    overall: str
    overall_rank: int | None
    worst_rank: int
    inadequate_areas: tuple[str, ...]
    months_since_previous: int | None
    monitoring_visits: int
    visit_dates: tuple[str, ...]
    in_post: tuple[str, ...]
    lead_inspector: str

    @property
    def headline_rank(self) -> int:
        """The overall grade's rank, or the worst grade's for a framework without an overall judgement."""
        return self.overall_rank if self.overall_rank is not None else self.worst_rank


@dataclass(frozen=True)
class Recovery:
    """A council's recovery: from the inspection that judged it inadequate (overall or in an area) to the first
    one graded good or better, or to its latest inspection if it has not got there yet."""

    council: str
    label: str
    opened_by: str
    steps: tuple[Step, ...]

    @property
    def opened(self) -> dt.date:
        return self.steps[0].published

    @property
    def recovered(self) -> bool:
        """Whether its last step was graded good or better."""
        return len(self.steps) > 1 and self.steps[-1].headline_rank <= GOOD

    @property
    def inadequate_step(self) -> Step | None:
        """The first step judged inadequate overall (None when the recovery never was: only an area was)."""
        return next((s for s in self.steps if s.overall_rank == INADEQUATE), None)

    @property
    def era(self) -> str | None:
        """The framework of the first overall inadequate judgement, if it is one of ERAS."""
        step = self.inadequate_step
        return step.framework if step is not None and step.framework in ERAS else None

    def reached(self, rank: int) -> Step | None:
        """The first step after the first overall inadequate judgement graded ``rank`` or better overall."""
        start = self.inadequate_step
        if start is None:
            return None
        return next((s for s in self.steps if s.number > start.number and s.overall_rank is not None
                     and s.overall_rank <= rank), None)

    def months_to(self, rank: int) -> int | None:
        """Months from the first overall inadequate judgement to the first later one graded ``rank`` or better."""
        start, end = self.inadequate_step, self.reached(rank)
        return months_between(start.published, end.published) if start is not None and end is not None else None

    @property
    def months_to_requires_improvement(self) -> int | None:
        return self.months_to(REQUIRES_IMPROVEMENT)

    @property
    def months_to_good(self) -> int | None:
        return self.months_to(GOOD)

    @property
    def monitoring_visits(self) -> int:
        """The monitoring visits the sources place between its steps."""
        return sum(s.monitoring_visits for s in self.steps)


def from_rows(rows: Iterable[Mapping[str, str]]) -> list[Recovery]:
    """Recoveries from the ``recoveries`` query's rows (as ``QueryResult.strings()``), in the rows' order."""
    grouped: dict[tuple[str, str], list[Mapping[str, str]]] = {}
    for row in rows:
        grouped.setdefault((row["council"], row["recovery"]), []).append(row)
    out = []
    for (council, opened_by), group in grouped.items():
        steps = tuple(sorted((_step(r) for r in group), key=lambda s: s.number))
        out.append(Recovery(council, group[0]["councilLabel"], opened_by, steps))
    return out


def _step(r: Mapping[str, str]) -> Step:
    return Step(
        inspection=r["step"], number=int(r["stepNumber"]), published=dt.date.fromisoformat(r["published"][:10]),
        fieldwork_start=r["fieldworkStart"], type=r["type"], framework=r["framework"], overall=r["overallGrade"],
        overall_rank=int(r["overallNotation"]) if r["overallNotation"] else None, worst_rank=int(r["worstNotation"]),
        inadequate_areas=_split(r["inadequateAreas"]),
        months_since_previous=int(r["monthsSincePrevious"]) if r["monthsSincePrevious"] else None,
        monitoring_visits=int(r["monitoringVisits"] or 0), visit_dates=_split(r["visitDates"]), in_post=_split(r["inPost"]),
        lead_inspector=r["leadInspector"])


def recoveries(runner: Runner, council: Value | str | None = None) -> list[Recovery]:
    """Every recovery of a council (by name, code, IRI or Value), or of every council when none is given."""
    params = {"council": council} if council is not None else {}
    return from_rows(runner.canned("recoveries", params, limit=None).strings())


@dataclass(frozen=True)
class EraFigures:
    """The national figures of one framework era."""

    era: str
    inadequate: int
    reached_requires_improvement: int
    median_to_requires_improvement: float | None
    reached_good: int
    median_to_good: float | None

    @property
    def not_yet_good(self) -> int:
        return self.inadequate - self.reached_good


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def national_figures(all_recoveries: Iterable[Recovery]) -> list[EraFigures]:
    """Per era (the framework of a recovery's first overall inadequate judgement): how many recoveries, how many
    reached requires improvement or better and good or better, and the median months to each (of those that did)."""
    figures = []
    recs = list(all_recoveries)
    for era in ERAS:
        mine = [r for r in recs if r.era == era]
        to_ri = [m for r in mine if (m := r.months_to_requires_improvement) is not None]
        to_good = [m for r in mine if (m := r.months_to_good) is not None]
        figures.append(EraFigures(era, len(mine), len(to_ri), _median(to_ri), len(to_good), _median(to_good)))
    return figures


def fastest(all_recoveries: Iterable[Recovery], n: int = 5) -> list[Recovery]:
    """The n recoveries from an overall inadequate judgement that reached good soonest (ties by name)."""
    done = [r for r in all_recoveries if r.months_to_good is not None]
    return sorted(done, key=lambda r: (r.months_to_good, r.label, r.opened))[:n]


def slowest(all_recoveries: Iterable[Recovery], n: int = 5) -> list[Recovery]:
    """The n recoveries from an overall inadequate judgement that took longest to reach good (ties by name)."""
    done = [r for r in all_recoveries if r.months_to_good is not None]
    return sorted(done, key=lambda r: (-(r.months_to_good or 0), r.label, r.opened))[:n]


def longest_open(all_recoveries: Iterable[Recovery], today: dt.date, n: int = 5) -> list[tuple[Recovery, int]]:
    """The n recoveries from an overall inadequate judgement not yet good, longest first, with the months since."""
    open_ = [(r, months_between(step.published, today)) for r in all_recoveries
             if not r.recovered and (step := r.inadequate_step) is not None]
    return sorted(open_, key=lambda pair: (-pair[1], pair[0].label))[:n]


def visits_since_last_step(runner: Runner, recovery: Recovery) -> list[dict[str, str]]:
    """The monitoring visits of a recovery not yet good after its last step (the ``monitoring_visits`` query's rows,
    dated by fieldwork or publication as the steps' visits are); none for a recovery that is over."""
    if recovery.recovered:
        return []
    last = recovery.steps[-1].published.isoformat()
    rows = runner.canned("monitoring_visits", {"council": Value.iri(recovery.council)}, limit=None).strings()
    return [r for r in rows if r["type"] == "Monitoring visit" and (r["fieldworkStart"] or r["published"]) > last]


def neighbours(runner: Runner, council: str) -> list[tuple[str, str]]:
    """(name, IRI) of a council's statistical neighbours (the authority lookup's), by name."""
    rows = run_internal(runner.backend, "statistical_neighbours", {"council": Value.iri(council)}).strings()
    return sorted(((r["neighbourLabel"] or r["neighbour"], r["neighbour"]) for r in rows), key=lambda p: (p[0], p[1]))


@dataclass(frozen=True)
class Comparison:
    """One council's line in a comparison with its statistical neighbours."""

    council: str
    label: str
    neighbour: bool
    recoveries: int
    months_to_requires_improvement: tuple[int, ...]
    months_to_good: tuple[int, ...]
    still_open: bool


def compare_with_neighbours(all_recoveries: Iterable[Recovery], council: str, label: str,
                            neighbour_list: list[tuple[str, str]]) -> list[Comparison]:
    """The council, then each neighbour: its recoveries from an overall inadequate judgement, the months each took
    to requires improvement and to good, and whether one is still open."""
    by_council: dict[str, list[Recovery]] = {}
    for r in all_recoveries:
        if r.inadequate_step is not None:
            by_council.setdefault(r.council, []).append(r)
    lines = []
    for name, iri, is_neighbour in [(label, council, False)] + [(n, i, True) for n, i in neighbour_list]:
        mine = by_council.get(iri, [])
        lines.append(Comparison(
            iri, name, is_neighbour, len(mine),
            tuple(m for r in mine if (m := r.months_to_requires_improvement) is not None),
            tuple(m for r in mine if (m := r.months_to_good) is not None),
            any(not r.recovered for r in mine)))
    return lines
