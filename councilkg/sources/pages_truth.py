"""Score what the document loader proposes from council pages against a hand-read truth set.

The truth set (``tests/fixtures/council_pages_truth.yaml``) lists, for each page of a folder of council web pages,
the authority its own words say it is about (or "unknown"), every person named with a post, every grade it states
and every inspection or visit it dates, each with the words that say so. ``score(truth, payloads)`` compares the
candidates ``load_documents`` proposed for the same files, kind by kind:

- ``authority``: a page's stated authority is right when the ``authority`` candidate names it; a candidate on a page
  about another authority, or on a page that does not say, is wrong;
- ``address``: for a page whose words do not say, the authority its address (the folder's sources.csv) gives;
- ``person-post``: (name without honorifics and suffixes, role);
- ``post-date``: (name, role, the date the page places the post at) where the page gives one;
- ``stated-judgement``: (grade, area, year), a year left out on either side matching any year once;
- ``visit``: (kind, start, end) at the precision written.

It also counts posts held at an authority other than the page's (which must be none). ``python bench/council_pages.py``
prints the figures; ``tests/test_documents.py`` holds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import NamedNode

from councilkg.model.iris import ckg, dcterms, rdfs
from councilkg.sources.councilprose import name_key
from councilkg.sources.reports_truth import Score
from councilkg.store import GraphPayload

KINDS = ("authority", "address", "person-post", "post-date", "stated-judgement", "visit")


@dataclass
class PagesScore(Score):
    """The counts per kind (``Score``'s, with its precision and recall; ``reports`` counts the pages), what was
    wrong, and the posts held at an authority other than the page's."""

    extras: dict[str, list[tuple[str, object]]] = field(default_factory=dict)  # kind -> (file, what was wrong)
    other_authority: list[tuple[str, str]] = field(default_factory=list)  # (file, a post's authority not the page's)
    stating: int = 0  # pages whose words state their authority

    @property
    def pages(self) -> int:
        return self.reports

    def lines(self) -> list[str]:
        out = [f"{self.pages} pages, {self.stating} stating the authority they are about",
               f"{'kind':18} {'stated':>6} {'found':>6} {'right':>6} {'precision':>9} {'recall':>7}"]
        for kind in KINDS:
            tp, fp, fn = self.true_positives[kind], self.false_positives[kind], self.false_negatives[kind]
            out.append(f"{kind:18} {tp + fn:>6} {tp + fp:>6} {tp:>6} {self.precision(kind):>9.2f} {self.recall(kind):>7.2f}")
        out.append(f"posts linked to an authority the page is not about: {len(self.other_authority)}")
        for kind in KINDS:
            for file, what in self.misses.get(kind, []):
                out.append(f"  missed {kind}: {file}: {what}")
            for file, what in self.extras.get(kind, []):
                out.append(f"  wrong  {kind}: {file}: {what}")
        return out


def read_truth(path: Path) -> dict[str, dict[str, Any]]:
    """The truth set: file name -> what the page states."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["pages"]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def proposals(payloads: list[GraphPayload]) -> dict[str, list[dict[str, Any]]]:
    """The candidates of each document's candidates graph, by file name: kind, value, detail, date, subject (with its
    label where the candidates graph gives it) and organisation."""
    files: dict[NamedNode, str] = {}
    for payload in payloads:
        if payload.kind == "documents":
            files[payload.graph] = next(q.object.value for q in payload.quads
                                        if q.subject == payload.graph and q.predicate == ckg.fileName)
    out: dict[str, list[dict[str, Any]]] = {}
    for payload in payloads:
        if payload.kind != "candidates":
            continue
        props: dict[NamedNode, dict[str, Any]] = {}
        labels: dict[NamedNode, str] = {}
        document = None
        for q in payload.quads:
            if q.subject == payload.graph and q.predicate == dcterms.source:
                document = q.object
            elif q.predicate == rdfs.label:
                labels[q.subject] = q.object.value
            names = {ckg.candidateKind: "kind", ckg.candidateValue: "value", ckg.candidateDetail: "detail",
                     ckg.candidateDate: "date", ckg.candidateSubject: "subject", ckg.candidateOrganisation: "organisation",
                     ckg.candidateOrganisationName: "organisation"}
            if q.predicate in names:
                props.setdefault(q.subject, {})[names[q.predicate]] = q.object
        file = files.get(document, "") if document is not None else ""
        for candidate in props.values():
            subject = candidate.get("subject")
            candidate["label"] = labels.get(subject, "") if subject is not None else ""
            out.setdefault(file, []).append(candidate)
    return out


def _match_judgements(truth: list[tuple[str, str, int | None]], found: list[tuple[str, str, int | None]]) -> tuple[int, list, list]:
    """Pairs of the same grade and area, years equal where both give one (exact years first); (right, missed, wrong)."""
    left = list(truth)
    wrong = []
    ordered = sorted(found, key=lambda j: j[2] is None)
    for j in ordered:
        same = [t for t in left if t[:2] == j[:2] and t[2] == j[2]] or \
               [t for t in left if t[:2] == j[:2] and (t[2] is None or j[2] is None)]
        if same:
            left.remove(same[0])
        else:
            wrong.append(j)
    return len(found) - len(wrong), left, wrong


def score(truth: dict[str, dict[str, Any]], payloads: list[GraphPayload]) -> PagesScore:
    """Compare the candidates proposed for each page of the truth set with what the page states."""
    result = PagesScore()
    proposed = proposals(payloads)

    def tally(kind: str, file: str, stated: set, found: set) -> None:
        result.true_positives[kind] += len(stated & found)
        result.false_positives[kind] += len(found - stated)
        result.false_negatives[kind] += len(stated - found)
        result.misses.setdefault(kind, []).extend((file, x) for x in sorted(stated - found, key=str))
        result.extras.setdefault(kind, []).extend((file, x) for x in sorted(found - stated, key=str))

    for file, page in truth.items():
        result.reports += 1
        mine = proposed.get(file, [])
        stated_authority = page.get("authority") or "unknown"
        result.stating += stated_authority != "unknown"
        said = {_text(c["value"].value) for c in mine if c["kind"].value == "authority"
                and not c["detail"].value.startswith("address:")}
        by_address = {_text(c["value"].value) for c in mine if c["kind"].value == "authority"
                      and c["detail"].value.startswith("address:")}
        tally("authority", file, {stated_authority} - {"unknown"}, said)
        tally("address", file, {page["address"]} if stated_authority == "unknown" and page.get("address") else set(), by_address)
        posts = [c for c in mine if c["kind"].value == "person-post"]
        tally("person-post", file, {(name_key(p["name"]), p["role"]) for p in page.get("posts") or []},
              {(name_key(c["label"]), c["detail"].value) for c in posts if c.get("label")})
        tally("post-date", file, {(name_key(p["name"]), p["role"], str(p["date"])) for p in page.get("posts") or [] if p.get("date")},
              {(name_key(c["label"]), c["detail"].value, c["date"].value) for c in posts if c.get("label") and c.get("date")})
        truth_authority = page.get("authority") if page.get("authority") != "unknown" else page.get("address")
        for c in posts:
            where = c.get("organisation")
            if isinstance(where, NamedNode) and where.value.rsplit("/", 1)[-1] != truth_authority:
                result.other_authority.append((file, where.value))
        stated_j = [(j["grade"], j["area"], j.get("year")) for j in page.get("judgements") or []]
        found_j = sorted({(c["value"].value, c["detail"].value, int(c["date"].value) if c.get("date") else None)
                          for c in mine if c["kind"].value == "stated-judgement"}, key=str)
        right, missed, wrong = _match_judgements(stated_j, found_j)
        result.true_positives["stated-judgement"] += right
        result.false_positives["stated-judgement"] += len(wrong)
        result.false_negatives["stated-judgement"] += len(missed)
        result.misses.setdefault("stated-judgement", []).extend((file, m) for m in missed)
        result.extras.setdefault("stated-judgement", []).extend((file, w) for w in wrong)
        visits = set()
        for c in mine:
            if c["kind"].value == "visit":
                start, _, end = c["value"].value.partition("/")
                visits.add((c["detail"].value.split()[0], start, end or start))
        tally("visit", file, {(v["kind"], str(v["start"]), str(v["end"])) for v in page.get("visits") or []}, visits)
    return result
