"""Score the Ofsted report reader against a hand-read truth set: precision and recall for each kind of fact.

The truth set (``tests/fixtures/reports_truth/*.yaml``) lists, for reports people read page by page, the facts
each one states, each citing the file id and page. ``score(truth, reports)`` compares what ``reportparse`` read
from the same files, fact kind by fact kind, as sets of comparable keys:

- ``era``, ``fieldwork`` (start and end), ``published``;
- ``judgement``: (area, grade), "adequate" counted as requires improvement as the grade scheme says;
- ``inspector``: (name with case, hyphens and punctuation aside, team role);
- ``leadership``: (post, start as written) for the posts the reader reads (DCS, chief executive, LSCB chair, lead
  member) where the report gives a start;
- ``previous``: (year, grade, area: None for overall) of the earlier inspections a report cites, each once;
- ``recommendation-count``: the exact number to the local authority, and to the LSCB where a SIF-era report has
  one, per report;
- ``recommendation``: each item, by its first words;
- ``delivery``: whether the report says who delivers the services.

``python bench/reports.py`` prints the figures with the rest of the reports benchmark; tests hold them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from councilkg.sources.reportparse import Report

KINDS = ("era", "fieldwork", "published", "judgement", "inspector", "leadership", "previous", "recommendation-count",
         "recommendation", "delivery")
READ_POSTS = {"dcs", "chief-executive", "lscb-chair", "lead-member"}
SIF_ERAS = {"sif", "sif-reinspection", "lscb-review"}
_ERAS = {"slac-2013": "slac"}


@dataclass
class Score:
    true_positives: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)
    misses: dict[str, list[tuple[str, list, list]]] = field(default_factory=dict)  # kind -> (file, missed, extra)
    reports: int = 0
    unread: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        found = self.true_positives[kind] + self.false_positives[kind]
        return self.true_positives[kind] / found if found else 1.0

    def recall(self, kind: str) -> float:
        stated = self.true_positives[kind] + self.false_negatives[kind]
        return self.true_positives[kind] / stated if stated else 1.0

    def lines(self) -> list[str]:
        out = [f"{self.reports} reports in the truth set ({len(self.unread)} the reader could not read: "
               f"{', '.join(self.unread) or 'none'})", f"{'kind':22} {'stated':>6} {'found':>6} {'right':>6} "
               f"{'precision':>9} {'recall':>7}"]
        for kind in KINDS:
            tp, fp, fn = self.true_positives[kind], self.false_positives[kind], self.false_negatives[kind]
            out.append(f"{kind:22} {tp + fn:6} {tp + fp:6} {tp:6} {self.precision(kind):9.3f} {self.recall(kind):7.3f}")
        return out


def read_truth(folder: Path) -> list[dict[str, Any]]:
    """Every entry of the truth files in a folder, in file order."""
    entries: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.yaml")):
        entries.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return entries


def _name(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", "", text.lower().replace("-", " ")).split())


def _grade(text: Any) -> str:
    value = str(text)
    return "requires-improvement" if value == "adequate" else value


def _area(area: Any) -> str | None:
    """An earlier judgement's area; the overall judgement (written either way) is None, another kind of line too."""
    value = str(area) if area else None
    return None if value in (None, "sif-overall", "ilacs-overall", "overall-effectiveness", "slac-other") else value


def _words(text: str) -> str:
    return _name(text)[:25]


def truth_keys(entry: dict[str, Any]) -> dict[str, list]:
    """The comparable keys of the facts a truth entry states, by kind."""
    fieldwork = entry.get("fieldwork") or {}
    published = entry.get("published")
    recommendations = entry.get("recommendations") or {}
    return {
        "era": [_ERAS.get(entry["era"], entry["era"])],
        "fieldwork": [(str(fieldwork.get("start")), str(fieldwork.get("end")))],
        "published": [str(published["date"])] if published else [],
        "judgement": [(j["area"], _grade(j.get("grade"))) for j in entry.get("judgements") or []
                      if not str(j["area"]).startswith("slac-other") and j.get("grade") not in (None, "none")],
        "inspector": [(_name(i["name"]), i["role"]) for i in entry.get("inspectors") or []],
        "leadership": [(s["post"], str(s["since"])) for s in entry.get("leadership") or []
                       if s["post"] in READ_POSTS and s.get("since")],
        # one fact however often the report restates it ("adequate" on p. 5 and "require improvement" on p. 28)
        "previous": list(dict.fromkeys((str(p["year"])[:4], _grade(p.get("grade")), _area(p.get("area")))
                                       for p in entry.get("previous_inspections") or [] if p.get("grade") not in (None, "none"))),
        # an LSCB list only where the report reviews the LSCB (SIF eras): elsewhere "0" would count as a list
        "recommendation-count": [("local authority", recommendations.get("local_authority") or 0)]
        + ([("lscb", recommendations.get("lscb") or 0)] if entry["era"] in SIF_ERAS else []),
        "recommendation": [_words(w) for w in recommendations.get("first_words") or []],
        "delivery": ["stated"] if entry.get("delivery") else [],
    }


def report_keys(report: Report) -> dict[str, list]:
    """The same keys for what the reader read."""
    return {
        "era": [report.era],
        "fieldwork": [(str(report.fieldwork_start), str(report.fieldwork_end))],
        "published": [str(report.published)] if report.published else [],
        "judgement": [(j.area, j.grade) for j in report.judgements if j.grade],
        "inspector": [(_name(m.name), m.role) for m in report.team],
        "leadership": [(s.post, s.since) for s in report.leadership],
        "previous": [(p.when[:4], _grade(p.grade or p.grade_as_written.lower()), _area(p.area)) for p in report.previous],
        "recommendation-count": [("local authority", sum(1 for r in report.recommendations if not r.lscb))]
        + ([("lscb", sum(1 for r in report.recommendations if r.lscb))] if report.era in SIF_ERAS else []),
        "recommendation": [_words(r.text) for r in report.recommendations],
        "delivery": ["stated"] if report.delivery else [],
    }


def score(truth: list[dict[str, Any]], reports: dict[str, Report]) -> Score:
    """Compare what the reader read (reports by file id) with the truth set's entries."""
    result = Score()
    for entry in truth:
        if entry.get("era") == "unreadable":
            continue
        file_id = str(entry["file"])
        result.reports += 1
        report = reports.get(file_id)
        stated = truth_keys(entry)
        found = report_keys(report) if report is not None else {kind: [] for kind in KINDS}
        if report is None:
            result.unread.append(file_id)
        for kind in KINDS:
            want, got = Counter(stated[kind]), Counter(found[kind])
            hit = sum((want & got).values())
            result.true_positives[kind] += hit
            result.false_positives[kind] += sum(got.values()) - hit
            result.false_negatives[kind] += sum(want.values()) - hit
            if want != got:
                result.misses.setdefault(kind, []).append((file_id, sorted((want - got).elements(), key=str),
                                                           sorted((got - want).elements(), key=str)))
    return result
