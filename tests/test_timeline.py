"""Leadership timelines: the rule that merges statements into tenures and the one that proposes who an unnamed
holder probably is, on literal examples and on Croydon's curated documents with its two Ofsted reports."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
import yaml

from councilkg.explore import journey, timeline
from councilkg.explore.timeline import Statement
from councilkg.model import iris
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.sources import ofsted
from councilkg.sources.reports import load_reports
from councilkg.store import GraphPayload, new_memory_store

from .conftest import CLI, require_shared

DCS = "https://w3id.org/councilkg/id/concept/role/dcs"
COUNCIL = "https://w3id.org/councilkg/id/council/E09000008"
CROYDON_REPORTS = ("50004396", "50149056")  # the 2017 SIF ("DCS in post since July 2016"), the 2020 ILACS


def said(holder: str | None, known_from: str, known_until: str | None = None, *, start_latest: str | None = None,
         source: str = "s", node: str | None = None, interim: bool = False, organisation: str = COUNCIL) -> Statement:
    day = dt.date.fromisoformat
    return Statement(COUNCIL, "Croydon", DCS, "Director of Children's Services", organisation, holder, holder or "",
                     node or f"n-{holder}-{known_from}", "", "July 2016" if holder is None else "",
                     day(start_latest) if start_latest else None, day(known_from), day(known_until or known_from),
                     interim, source, source, "")


def test_a_named_holder_seen_twice_with_nobody_between_is_one_tenure() -> None:
    merged = timeline.tenures([said("p:henderson", "2018-12-01", "2019-12-31"), said("p:henderson", "2020-03-16")])
    assert [(t.known_from, t.known_until) for t in merged] == [(dt.date(2018, 12, 1), dt.date(2020, 3, 16))]


def test_a_holder_back_in_post_after_someone_else_is_two_tenures() -> None:
    merged = timeline.tenures([said("p:a", "2015-01-01"), said("p:b", "2016-01-01"), said("p:a", "2017-01-01")])
    assert [t.first.holder for t in merged] == ["p:a", "p:b", "p:a"]


def test_unnamed_holders_are_one_tenure_when_their_starts_can_be_the_same_day() -> None:
    same = timeline.tenures([said(None, "2016-01-01", "2016-06-30", start_latest="2016-12-31", node="n1"),
                             said(None, "2016-07-01", "2017-07-13", start_latest="2016-07-31", node="n2")])
    assert len(same) == 1  # "since 2016" and "since July 2016"
    apart = timeline.tenures([said(None, "2016-07-01", "2017-07-13", start_latest="2016-07-31", node="n1"),
                              said(None, "2018-09-01", "2020-02-14", start_latest="2018-12-31", node="n2")])
    assert len(apart) == 2


@pytest.mark.parametrize(("named", "expected"), [
    (("2017-01-01", "2017-05-01"), 0.8),  # inside the unnamed holder's evidence
    (("2017-09-19", None), 0.7),  # two months after it
    (("2017-12-20", None), 0.55),  # five months after
    (("2018-03-01", None), None),  # more than six months after: too far
    (("2015-01-01", "2016-05-01"), None),  # seen only before the unnamed holder's start
])
def test_an_unnamed_holder_is_probably_the_named_one_who_fits(named: tuple[str, str | None], expected: float | None) -> None:
    unnamed = said(None, "2016-07-01", "2017-07-13", start_latest="2016-07-31")
    found = timeline.identity_candidates(timeline.tenures([unnamed, said("p:peacock", *named)]))
    assert [c.confidence for c in found] == ([expected] if expected else [])


def test_no_identity_across_a_successor_or_another_organisation() -> None:
    unnamed = said(None, "2016-07-01", "2017-07-13", start_latest="2016-07-31")
    successor = said("p:someone", "2017-08-01")
    assert [c.named.first.holder for c in timeline.identity_candidates(
        timeline.tenures([unnamed, successor, said("p:peacock", "2017-09-19")]))] == ["p:someone"]
    board = said("p:chair", "2017-01-01", organisation="https://w3id.org/councilkg/id/organisation/a-board")
    assert timeline.identity_candidates(timeline.tenures([unnamed, board])) == []


def test_two_who_fit_as_well_are_both_proposed_less_sure_and_interim_against_substantive_counts() -> None:
    unnamed = said(None, "2016-07-01", "2017-07-13", start_latest="2016-07-31")
    found = timeline.identity_candidates(timeline.tenures([unnamed, said("p:a", "2017-01-01"), said("p:b", "2017-02-01",
                                                                                                       interim=True)]))
    assert sorted((c.named.first.holder, c.confidence) for c in found) == [("p:a", 0.7), ("p:b", 0.6)]


@pytest.fixture(scope="module")
def croydon(curated: list[GraphPayload], tmp_path_factory: pytest.TempPathFactory) -> Runner:
    """The curated documents, the authority lookup and Croydon's 2017 and 2020 Ofsted reports."""
    reports = require_shared("data", "ofsted-reports")
    lookup = ofsted.load_lookup(require_shared("data", "reference", "la_lookup.csv"))
    folder = tmp_path_factory.mktemp("croydon-reports")
    for file_id in CROYDON_REPORTS:
        (folder / f"{file_id}.pdf").write_bytes((reports / f"{file_id}.pdf").read_bytes())
    payloads, warnings = load_reports(folder, lookup.quads)
    assert not warnings
    return Runner(EmbeddedBackend(new_memory_store([*curated, lookup, *payloads])), limit=None)


def test_croydon_s_timeline_puts_named_and_unnamed_directors_on_one_axis(croydon: Runner) -> None:
    merged, candidates = timeline.timeline(croydon, iris.council("E09000008").value)
    directors = [(t.label(), t.known_from.isoformat(), t.known_until.isoformat())
                 for t in merged if t.role_label == "Director of Children's Services"]
    assert directors == [
        ("DCS — not named by Ofsted — in post since July 2016", "2016-07-01", "2017-07-13"),
        ("Barbara Peacock", "2017-09-19", "2017-09-19"),
        ("DCS — not named by Ofsted — in post since the end of 2018", "2018-09-01", "2020-02-14"),
        ("Robert Henderson", "2018-12-01", "2020-03-16")]
    assert [(c.named.label(), c.confidence) for c in candidates] == [("Barbara Peacock", 0.7), ("Robert Henderson", 0.8)]
    assert candidates[0].sentence().startswith(
        "the DCS in post at Croydon since July 2016 (Ofsted report 50004396, 13 July 2017, p. 5) is probably Barbara "
        "Peacock (")
    assert "19 September 2017" in candidates[0].sentence()


def test_croydon_s_journey_shows_the_unnamed_holders_honestly(croydon: Runner) -> None:
    shown = journey.journey(croydon, iris.council("E09000008").value)
    people = {t["person"] for t in shown.tenures if t["role"] == "Director of Children's Services"}
    assert "DCS — not named by Ofsted — in post since July 2016" in people and "Barbara Peacock" in people
    assert [i["probably"] for i in shown.identities] == ["Barbara Peacock", "Robert Henderson"]


def test_the_timeline_query_is_one_row_per_statement_and_source(croydon: Runner) -> None:
    rows = croydon.canned("leadership_timeline", {"council": "Croydon"}, limit=None).strings()
    keys = [(r["statement"], r["source"], r["page"]) for r in rows]
    assert len(keys) == len(set(keys))
    unnamed = [r for r in rows if not r["holder"]]
    assert {(r["roleLabel"], r["startedAsWritten"], r["page"]) for r in unnamed} >= {
        ("Director of Children's Services", "July 2016", "5"), ("Chief executive", "July 2016", "5"),
        ("Director of Children's Services", "the end of 2018", "1")}


def test_every_council_s_timeline_without_a_council(croydon: Runner) -> None:
    merged, candidates = timeline.timeline(croydon)
    alone, _ = timeline.timeline(croydon, iris.council("E09000008").value)
    assert [t.label() for t in merged if t.first.council == iris.council("E09000008").value] == [t.label() for t in alone]
    assert len(candidates) == 2


def test_a_store_without_reports_has_named_tenures_only(curated: list[GraphPayload]) -> None:
    runner = Runner(EmbeddedBackend(new_memory_store(curated)), limit=None)
    merged, candidates = timeline.timeline(runner, iris.council("E09000008").value)
    assert merged and all(t.named for t in merged) and candidates == []


def test_councilkg_candidates_lists_the_identities_with_the_rest(tmp_path: Path, cli_env: dict[str, str]) -> None:
    reports = require_shared("data", "ofsted-reports")
    folder = tmp_path / "reports"
    folder.mkdir()
    for file_id in CROYDON_REPORTS:
        (folder / f"{file_id}.pdf").write_bytes((reports / f"{file_id}.pdf").read_bytes())
    lookup = require_shared("data", "reference", "la_lookup.csv")
    subprocess.run([*CLI, "load", "--quiet", "--lookup", str(lookup), "--reports", str(folder)], env=cli_env, cwd=tmp_path,
                   check=True, capture_output=True)
    run = subprocess.run([*CLI, "candidates", "--kind", "identity", "--format", "yaml"], env=cli_env, cwd=tmp_path,
                         check=True, capture_output=True, text=True)
    listed = yaml.safe_load(run.stdout)["identities"]
    assert [(c["probably"], c["confidence"]) for c in listed] == [("Barbara Peacock", 0.7), ("Robert Henderson", 0.8)]
    assert "0 candidate fact(s), 2 identity candidate(s)" in run.stderr
    everything = subprocess.run([*CLI, "candidates"], env=cli_env, cwd=tmp_path, check=True, capture_output=True, text=True)
    assert everything.stdout.count("identity ") == 2


def test_the_network_holds_the_unnamed_holders_as_at_a_date_and_sums_itself_up(croydon: Runner) -> None:
    from councilkg.explore import network

    merged, _ = timeline.timeline(croydon, iris.council("E09000008").value)
    in_2017 = network.unnamed_ties(merged, dt.date(2017, 1, 1))
    assert {t.member_label for t in in_2017} == {
        "DCS — not named by Ofsted — in post since July 2016", "Chief executive — not named by Ofsted — in post since July 2016",
        "Chair of the Local Safeguarding Children Board — not named by Ofsted — in post since March 2016"}
    assert {t.member_label for t in network.unnamed_ties(merged, dt.date(2019, 6, 1))} == {
        "DCS — not named by Ofsted — in post since the end of 2018"}
    ties = network.ties_from(croydon.canned("role_network", {}, limit=None)) + network.unnamed_ties(merged)
    by_role, by_council = network.summary(ties, {iris.council("E09000008").value: "Croydon"})
    dcs = next(r for r in by_role if r["role"] == "Director of Children's Services")
    assert dcs["people"] == 4  # Barbara Peacock, Robert Henderson and the two Ofsted does not name
    assert by_council[0]["authority"] == "Croydon" or by_council[0]["authority"] == "outside any council"
    assert "Croydon" in {r["authority"] for r in by_council}
    graph = network.view_graph(ties, network.VIEWS[0])
    assert graph.nodes[in_2017[0].member]["kind"] == network.UNNAMED_KIND
