"""A council's improvement journey: its judgements over time beside who led it, what inspectors
recommended and what addressed it, who was credited, and who led each improvement.

Built from the canned queries (council_judgements, leadership_timeline, inspection_recommendations,
council_credits, improvement_leaders); the tenures are the leadership timeline's (councilkg.explore.timeline),
holders Ofsted does not name among them; plain Python data, tested without Streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from councilkg.explore import timeline
from councilkg.query.results import Value
from councilkg.query.runner import Runner

#: the roles whose tenures the journey draws, in the order their rows are shown
JOURNEY_ROLES = ("Director of Children's Services", "Lead member for children", "Board chair", "Commissioner",
                 "Chief executive", "Leader of the council")
#: how long a tenure known from a single day of evidence is drawn, so that it still shows as a bar
SINGLE_DAY_BAR = dt.timedelta(days=14)


@dataclass
class Journey:
    """What the journey page shows of one council."""

    council: str
    label: str
    judgements: list[dict]
    tenures: list[dict]
    recommendations: list[dict]
    credits: list[dict]
    leaders: list[dict]
    identities: list[dict] = field(default_factory=list)  # unnamed holders who are probably named ones

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day any judgement or tenure falls on (None when there are none)."""
        dates = [j["date"] for j in self.judgements] + [t["from"] for t in self.tenures] + [t["until"] for t in self.tenures]
        dates = [d for d in dates if d]
        return (min(dates), max(dates)) if dates else None

    @property
    def empty(self) -> bool:
        """Whether the graph holds neither judgements nor leadership tenures of the council."""
        return not self.judgements and not self.tenures


def _day(text: str) -> dt.date | None:
    """The first day of a date given to a day, a month (2019-10) or a year (2019); None if none."""
    if not text:
        return None
    text = text if len(text) == 10 else (text + "-01" if len(text) == 7 else text + "-01-01")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _judgements(runner: Runner, council: Value) -> tuple[list[dict], str]:
    judgements: dict[tuple, dict] = {}
    label = ""
    for r in runner.canned("council_judgements", {"council": council}, limit=None).strings():
        if not r["area"]:
            continue
        date = _day(r["published"] or r["fieldworkEnd"] or r["fieldworkStart"])
        key = (r["inspection"], r["area"], r["grade"])
        judgements.setdefault(key, {"date": date, "area": r["area"], "grade": r["grade"], "rank": int(r["gradeNotation"]),
                                    "inspection": r["inspection"], "inspectionLabel": r["inspectionLabel"],
                                    "type": r["type"]})
        label = label or r["inspectionLabel"].split(":", 1)[0]
    return sorted(judgements.values(), key=lambda j: (j["date"] or dt.date.min, j["area"])), label


def _tenures(merged: list[timeline.Tenure]) -> list[dict]:
    """The leadership timeline's tenures of the journey's roles as bars; an unnamed holder as Ofsted states them."""
    tenures = []
    for t in merged:
        if t.role_label not in JOURNEY_ROLES:
            continue
        start, end = t.known_from, t.known_until
        if end == start:
            end = start + SINGLE_DAY_BAR
        person = t.label()
        tenures.append({"role": t.role_label, "person": person, "iri": t.first.holder or t.first.node, "from": start,
                        "until": end, "named": t.named, "sources": t.cite(),
                        # an unnamed holder's words already say the post: "DCS — not named by Ofsted — in post since …"
                        "row": f"{t.role_label}: {person}" if t.named else person})
    return sorted(tenures, key=lambda t: (JOURNEY_ROLES.index(t["role"]), t["from"] or dt.date.min))


def journey(runner: Runner, council: str) -> Journey:
    """Judgements by area and date, leadership tenures, recommendations, credits and improvement leaders of a council."""
    node = Value.iri(council)
    judgements, label = _judgements(runner, node)
    # the publication date names the inspection on one council's journey, so its long label is left out
    recommendations = [
        {"published": r["published"], "kind": r["itemKind"] or "plan", "text": r["itemText"] or r["responseText"],
         "response": r["responseText"] if r["itemKind"] else r["responseKind"]}
        for r in runner.canned("inspection_recommendations", {"council": node}, limit=None).strings()
    ]
    credits = [
        {"published": r["published"], "credited": r["recipientLabel"] or r["recipientsAsWritten"], "for": r["creditFor"],
         "by": r["creditedByLabel"]}
        for r in runner.canned("council_credits", {"council": node}, limit=None).strings()
    ]
    leaders = [
        {"from": f"{r['fromGrade']} ({r['fromDate']})", "to": f"{r['toGrade']} ({r['toDate']})", "person": r["personLabel"],
         "basis": r["basis"], "role or credit": r["role"]}
        for r in runner.canned("improvement_leaders", {"council": node}, limit=None).strings()
    ]
    merged, candidates = timeline.timeline(runner, council)
    identities = [{"unnamed holder": c.unnamed.label(), "probably": c.named.label(), "confidence": c.confidence,
                   "evidence": c.sentence()} for c in candidates]
    return Journey(council, label, judgements, _tenures(merged), recommendations, credits, leaders, identities)
