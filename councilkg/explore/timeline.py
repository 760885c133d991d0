"""Leadership timelines: what every source says about a council's single-holder posts, merged into tenures, with
the people an unnamed holder probably is.

The sources speak of a post in two ways. A council's documents name the holder ("Barbara Peacock, Executive
Director (People)", seen on 19 September 2017); Ofsted's reports say only when the holder came into post ("The
DCS has been in post since July 2016"). The canned query ``leadership_timeline`` lists each statement with the
days its source places it; this module decides which statements are about the same tenure, by one rule
(``SAME_TENURE``), and proposes identity candidates (``IDENTITY``), which are never merged silently: a person
accepts one by adding the membership to the curated data, citing both sources.

The rules, as the README and ``councilkg candidates --kind identity`` state them:

- **Same tenure** — two statements are about the same tenure when they are about the same post (council,
  organisation and role) and either name the same person, or, naming nobody, give starts that can be the same
  day (Ofsted's "since July 2016" in two reports; "2016" and "July 2016"); and their evidence overlaps or
  touches: nothing any source says of another holder of that post falls between them.
- **Identity candidate** — an unnamed tenure is probably a named one when both are tenures of the same post,
  the named holder's evidence does not end before the unnamed holder's start can have been, and the two
  overlap or the gap between them is at most ``IDENTITY_GAP`` with no other holder's evidence in it. The
  confidence is 0.8 when they overlap, 0.7 when the gap is at most three months, 0.55 otherwise, less 0.1 for
  each other named holder who fits as well, and less 0.1 when one source says interim and the other does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from councilkg.model.dates import MONTH_NAMES
from councilkg.query.results import Value
from councilkg.query.runner import Runner

#: the longest gap between an unnamed and a named tenure that can still be the same holder's
IDENTITY_GAP = dt.timedelta(days=183)
#: the gap up to which an identity is judged "close"
CLOSE_GAP = dt.timedelta(days=92)
#: the short names the journey and the candidates give the roles
SHORT_ROLES = {"Director of Children's Services": "DCS"}


def _day(value: dt.date) -> str:
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Statement:
    """One source's statement about a post: a named holder, or one whose start is all it gives."""

    council: str
    council_label: str
    role: str
    role_label: str
    organisation: str
    holder: str | None
    holder_label: str
    node: str
    title: str
    started_as_written: str
    start_latest: dt.date | None
    known_from: dt.date
    known_until: dt.date
    interim: bool
    source: str
    source_title: str
    page: str

    @property
    def post(self) -> tuple[str, str, str]:
        return self.council, self.organisation, self.role

    def cite(self) -> str:
        """Where and when it is said: "Ofsted report 50004396, 13 July 2017, p. 5", "Croydon scrutiny ..., 19 September
        2017" (an Ofsted report by its fieldwork's last day, a named holder by the days the source places them)."""
        title = self.source_title.split(":", 1)[0] if self.source_title.startswith("Ofsted report") else self.source_title
        when = _day(self.known_until) if self.holder is None or self.known_from == self.known_until \
            else f"{_day(self.known_from)} to {_day(self.known_until)}"
        return f"{title or self.source.rsplit('/', 1)[-1]}, {when}" + (f", p. {self.page}" if self.page else "")


@dataclass
class Tenure:
    """A holder's time in a post, as the statements merged into it place it."""

    statements: list[Statement] = field(default_factory=list)

    @property
    def first(self) -> Statement:
        return self.statements[0]

    @property
    def named(self) -> bool:
        return self.first.holder is not None

    @property
    def known_from(self) -> dt.date:
        return min(s.known_from for s in self.statements)

    @property
    def known_until(self) -> dt.date:
        return max(s.known_until for s in self.statements)

    @property
    def start_latest(self) -> dt.date:
        """For an unnamed holder, the latest day the start can be (the earliest statement's); else its first day."""
        return min((s.start_latest for s in self.statements if s.start_latest), default=self.known_from)

    @property
    def interim(self) -> bool:
        return any(s.interim for s in self.statements)

    @property
    def role_label(self) -> str:
        return self.first.role_label

    def label(self) -> str:
        """The holder as the journey shows them: a name, or "DCS — not named by Ofsted — in post since July 2016"."""
        if self.named:
            return self.first.holder_label or self.first.holder or ""
        role = SHORT_ROLES.get(self.role_label, self.first.title or self.role_label)
        return f"{'Interim ' if self.interim else ''}{role} — not named by Ofsted — in post since " \
               f"{self.first.started_as_written or self.known_from.isoformat()}"

    def cite(self) -> str:
        return "; ".join(dict.fromkeys(s.cite() for s in self.statements))


@dataclass(frozen=True)
class IdentityCandidate:
    """An unnamed holder who is probably a named one, with both pieces of evidence and how sure the rule is."""

    unnamed: Tenure
    named: Tenure
    confidence: float
    gap_days: int

    def sentence(self) -> str:
        u, n = self.unnamed, self.named
        role = SHORT_ROLES.get(u.role_label, u.role_label)
        return (f"the {role} in post at {u.first.council_label} since {u.first.started_as_written} ({u.cite()}) is "
                f"probably {n.label()} ({n.cite()})")


def statements(runner: Runner, council: str | None = None) -> list[Statement]:
    """The leadership_timeline query's rows as statements (every council's without ``council``)."""
    params = {"council": Value.iri(council)} if council else {}
    out = []
    for r in runner.canned("leadership_timeline", params, limit=None).strings():
        known_from = _date(r["knownFrom"])
        if known_from is None:
            continue
        out.append(Statement(r["council"], r["councilLabel"], r["role"], r["roleLabel"], r["organisation"],
                             r["holder"] or None, r["holderLabel"], r["statement"], r["title"], r["startedAsWritten"],
                             _date(r["startLatest"]), known_from, _date(r["knownUntil"]) or known_from,
                             r["interim"] == "true", r["source"], r["sourceTitle"], r["page"]))
    return out


def _same_holder(a: Statement, b: Statement) -> bool:
    if a.holder or b.holder:
        return a.holder == b.holder
    # two unnamed holders: the same when their starts can be the same day
    return a.node == b.node or (a.known_from <= (b.start_latest or b.known_from)
                                and b.known_from <= (a.start_latest or a.known_from))


def tenures(found: list[Statement]) -> list[Tenure]:
    """The statements merged into tenures by the SAME_TENURE rule, each post's oldest first."""
    by_post: dict[tuple[str, str, str], list[Statement]] = {}
    for s in sorted(found, key=lambda s: (s.known_from, s.known_until, s.source, s.node)):
        by_post.setdefault(s.post, []).append(s)
    out: list[Tenure] = []
    for post_statements in by_post.values():
        merged: list[Tenure] = []
        for s in post_statements:
            # the latest tenure of the same holder, if nothing said of another holder lies between it and this
            for tenure in reversed(merged):
                if _same_holder(tenure.first, s):
                    between = [t for t in merged if t is not tenure and not _same_holder(t.first, s)
                               and tenure.known_until < t.known_from < s.known_from]
                    if not between:
                        tenure.statements.append(s)
                        break
                    continue
            else:
                merged.append(Tenure([s]))
        out += merged
    return out


def identity_candidates(merged: list[Tenure]) -> list[IdentityCandidate]:
    """The IDENTITY rule over tenures of the same posts: each unnamed tenure with the named ones it probably is."""
    by_post: dict[tuple[str, str, str], list[Tenure]] = {}
    for t in merged:
        by_post.setdefault(t.first.post, []).append(t)
    out: list[IdentityCandidate] = []
    for post_tenures in by_post.values():
        for u in (t for t in post_tenures if not t.named):
            fits: list[tuple[Tenure, int]] = []
            for n in (t for t in post_tenures if t.named):
                if n.known_until < u.known_from:
                    continue  # the named holder's evidence ends before the unnamed one's start can be
                gap = max(dt.timedelta(0), n.known_from - u.known_until, u.known_from - n.known_until)
                if gap > IDENTITY_GAP:
                    continue
                low, high = sorted((u.known_until, n.known_from)) if n.known_from > u.known_until else (None, None)
                others = [t for t in post_tenures if t is not u and t is not n and low is not None
                          and low < t.known_from < high]
                if not others:
                    fits.append((n, gap.days))
            for n, gap_days in fits:
                confidence = 0.8 if gap_days == 0 else 0.7 if gap_days <= CLOSE_GAP.days else 0.55
                confidence -= 0.1 * (len(fits) - 1) + (0.1 if n.interim != u.interim else 0.0)
                out.append(IdentityCandidate(u, n, round(max(confidence, 0.1), 2), gap_days))
    return sorted(out, key=lambda c: (c.unnamed.first.council_label, c.unnamed.role_label, c.unnamed.known_from,
                                      -c.confidence))


def timeline(runner: Runner, council: str | None = None) -> tuple[list[Tenure], list[IdentityCandidate]]:
    """A council's (or every council's) tenures and identity candidates."""
    merged = tenures(statements(runner, council))
    return merged, identity_candidates(merged)
