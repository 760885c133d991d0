"""Ofsted's inspectors: the inspector_inspections and inspector_record queries on the full real store (the national
data, the 377 reports and the seeds), every report's lead inspector against the reader, the co-inspection network
and its GraphML (from the explore module and the CLI), and an inspector's record page in a real browser."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from councilkg.app.markdown import md
from councilkg.cli.main import main as cli_main
from councilkg.explore import inspectors, network, timeline
from councilkg.model import iris
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.results import Value
from councilkg.query.runner import Runner
from councilkg.sources import ofsted
from councilkg.sources.build import LoadPlan, load
from councilkg.sources.reports import SUFFIXES, inspector_key, read_and_parse, resolve_authority
from councilkg.store import StoreFolder

from .apptest import app_on
from .conftest import shared_path
from .test_browser import Offline, browser, context, streamlit_app  # noqa: F401  (fixtures)

REPORTS = shared_path("data", "ofsted-reports")
LOOKUP = shared_path("data", "reference", "la_lookup.csv")
WORKBOOKS = sorted(shared_path("data", "ofsted").glob("*.ods"))
SEEDS = shared_path("seeds")
needs_shared = pytest.mark.skipif(not REPORTS.is_dir() or not LOOKUP.is_file() or len(WORKBOOKS) < 2,
                                  reason="../shared/data (reports, lookup, both Ofsted workbooks) is not beside the project")
MARCIE = iris.person("inspector-marcie-taylor").value
CROYDON = iris.council("E09000008").value


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full real store, as `make store` builds it: the lookup, both workbooks, every report and the seeds."""
    if not REPORTS.is_dir() or not LOOKUP.is_file() or len(WORKBOOKS) < 2:
        pytest.skip("../shared/data is not beside the project")
    root = tmp_path_factory.mktemp("inspectors") / "store"
    load(StoreFolder(root), LoadPlan(lookups=[LOOKUP], ofsted=WORKBOOKS, reports=[REPORTS],
                                     documents=[SEEDS] if SEEDS.is_dir() else []))
    return root


@pytest.fixture(scope="module")
def runner(real_store: Path) -> Iterator[Runner]:
    runner = Runner(EmbeddedBackend(real_store))
    yield runner
    runner.close()


@pytest.fixture(scope="module")
def every_team(runner: Runner) -> list[dict[str, str]]:
    return inspectors.team_rows(runner)


# --------------------------------------------------------------------------------------------
# The queries, with expected rows read from the reports
# --------------------------------------------------------------------------------------------


@needs_shared
def test_an_inspectors_inspections_in_every_role(runner: Runner) -> None:
    """Marcie Taylor, who led Croydon's 2017 inspection: the 18 inspections the reports name her on."""
    rows = inspectors.team_rows(runner, "Marcie Taylor")
    got = {(r["councilLabel"], r["roleLabel"], r["fieldworkStart"]) for r in rows}
    assert got == {
        ("Lambeth", "Team inspector", "2015-02-24"), ("Stoke-on-Trent", "Team inspector", "2015-06-01"),
        ("Norfolk", "Team inspector", "2015-07-06"), ("Westminster", "Deputy lead inspector", "2016-01-11"),
        ("Bromley", "Lead inspector", "2016-04-11"), ("Ealing", "Deputy lead inspector", "2016-06-13"),
        ("Redbridge", "Team inspector", "2016-09-12"), ("Havering", "Team inspector", "2016-09-27"),
        ("Sutton", "Lead inspector", "2016-11-14"), ("Gloucestershire", "Deputy lead inspector", "2017-02-27"),
        ("Croydon", "Lead inspector", "2017-06-20"), ("Richmond upon Thames", "Lead inspector", "2017-09-25"),
        ("Norfolk", "Team inspector", "2017-11-13"), ("Lambeth", "Lead inspector", "2018-01-29"),
        ("Wandsworth", "Deputy lead inspector", "2018-05-08"), ("Bexley", "Lead inspector", "2018-07-09"),
        ("Tower Hamlets", "Lead inspector", "2019-06-10"), ("Kingston upon Thames", "Lead inspector", "2019-10-21"),
    }
    assert len(rows) == 18 and {r["personLabel"] for r in rows} == {"Marcie Taylor"}
    croydon = next(r for r in rows if r["councilLabel"] == "Croydon")
    assert croydon["inspection"] == iris.inspection("E09000008", "2017-09-04").value  # the national tables' node
    assert (croydon["framework"], croydon["published"]) == ("Single inspection framework (SIF)", "2017-09-04")
    assert croydon["report"] == iris.source("ofsted-report-50004396").value and croydon["page"] == "38"
    assert [r["fieldworkStart"] for r in rows] == sorted(r["fieldworkStart"] for r in rows)  # oldest first


@needs_shared
@pytest.mark.parametrize("asked", ["marcie TAYLOR", "Marcie  Taylor", MARCIE])
def test_an_inspector_by_name_in_any_case_or_by_iri(runner: Runner, asked: str) -> None:
    rows = inspectors.team_rows(runner, asked)
    assert len(rows) == 18 and {r["person"] for r in rows} == {MARCIE}


@needs_shared
def test_an_authoritys_inspection_teams_are_the_national_rows_of_that_authority(runner: Runner,
                                                                             every_team: list[dict[str, str]]) -> None:
    """The council form (who inspected an authority) gives exactly the national form's rows for it, in its order."""
    by_council: dict[str, list[dict[str, str]]] = {}
    for row in every_team:
        by_council.setdefault(row["council"], []).append(row)
    assert len(by_council) > 100
    most = max(by_council, key=lambda c: len(by_council[c]))
    for council in (CROYDON, most, sorted(by_council)[0]):
        assert inspectors.team_rows(runner, council=council) == by_council[council], council
    croydon_2017 = {r["personLabel"] for r in by_council[CROYDON] if r["fieldworkStart"] == "2017-06-20"}
    assert "Marcie Taylor" in croydon_2017 and len(croydon_2017) > 3
    both = inspectors.team_rows(runner, "Marcie Taylor", council=CROYDON)
    assert [(r["personLabel"], r["roleLabel"], r["fieldworkStart"]) for r in both] == [
        ("Marcie Taylor", "Lead inspector", "2017-06-20")]
    assert inspectors.team_rows(runner, council=iris.council("E06000999").value) == []  # no such authority


@needs_shared
def test_a_name_no_report_gives_has_no_rows(runner: Runner) -> None:
    assert inspectors.team_rows(runner, "Marcie Taylo") == []
    assert inspectors.record_rows(runner, "Robert Henderson") == []  # a DCS, not an inspector


@needs_shared
def test_an_inspectors_record_gives_the_grades_their_reports_publish(runner: Runner) -> None:
    rows = inspectors.record_rows(runner, "Marcie Taylor")
    overall = {(r["councilLabel"], r["fieldworkStart"], r["grade"]) for r in rows if r["area"].startswith("Overall")}
    assert overall == {
        ("Bromley", "2016-04-11", "Inadequate"), ("Sutton", "2016-11-14", "Good"), ("Croydon", "2017-06-20", "Inadequate"),
        ("Richmond upon Thames", "2017-09-25", "Good"), ("Lambeth", "2018-01-29", "Requires improvement to be good"),
        ("Bexley", "2018-07-09", "Outstanding"), ("Tower Hamlets", "2019-06-10", "Good"),
        ("Kingston upon Thames", "2019-10-21", "Outstanding"),
    }
    croydon = {r["area"]: (r["grade"], r["gradeNotation"]) for r in rows if r["councilLabel"] == "Croydon"}
    assert croydon == {
        "Overall effectiveness (SIF)": ("Inadequate", "4"),
        "Children who need help and protection (SIF)": ("Inadequate", "4"),
        "Children looked after and achieving permanence (SIF)": ("Inadequate", "4"),
        "Adoption performance (SIF)": ("Requires improvement to be good", "3"),
        "Experiences and progress of care leavers (SIF)": ("Requires improvement to be good", "3"),
        "Leadership, management and governance (SIF)": ("Inadequate", "4"),
        "Local Safeguarding Children Board (SIF review)": ("Inadequate", "4"),
    }
    assert {r["report"] for r in rows if r["councilLabel"] == "Croydon"} == {iris.source("ofsted-report-50004396").value}
    assert {r["reportUrl"] for r in rows if r["councilLabel"] == "Croydon"} == {"https://files.ofsted.gov.uk/v1/file/50004396"}
    table = inspectors.record_table(rows)
    assert [t["authority"] for t in table] == ["Bromley", "Sutton", "Croydon", "Richmond upon Thames", "Lambeth", "Bexley",
                                               "Tower Hamlets", "Kingston upon Thames"]
    assert table[2]["judgements"].startswith("Overall effectiveness (SIF): Inadequate; Adoption performance (SIF): Requires")
    assert table[2]["fieldwork"].startswith("2017-06-20 to")
    # a report whose publication date the reader does not find has the national tables' (Bexley's ILACS, 2018)
    assert (table[5]["authority"], table[5]["published"]) == ("Bexley", "2018-08-20")


@needs_shared
@pytest.mark.slow  # reads every report again
def test_every_lead_inspector_of_a_loaded_report_is_there_with_that_inspection(every_team: list[dict[str, str]]) -> None:
    """Over the whole reports folder: every lead inspector the reader finds in a report is in the national rows of
    inspector_inspections with that inspection (its authority and fieldwork start, or its publication date where the
    report gives no fieldwork); a report where the reader finds none prints no lead inspector at all."""
    index = ofsted.AuthorityIndex()
    ofsted.index_from_lookup(index, ofsted.lookup_rows(LOOKUP))
    leads = {(inspector_key(r["personLabel"]), r["council"].rsplit("/", 1)[-1], r["fieldworkStart"] or r["published"])
             for r in every_team if r["role"] == inspectors.LEAD}
    checked, missing, unnamed = 0, [], []
    for path in sorted(p for p in REPORTS.iterdir() if p.suffix.lower() in SUFFIXES):
        read = read_and_parse(path)
        if isinstance(read, str):
            continue  # not a report (a saved web page): not loaded
        pdf, _digest, report = read
        gss = resolve_authority(report.authority_name, index)
        assert gss, f"{path.name}: no authority"
        when = (report.fieldwork_start or report.published).isoformat()
        named = [m.name for m in report.team if m.role == "lead-inspector"]
        if not named:  # only a report that prints no lead inspector at all names none
            assert not re.search(r"(?i)\b(?:lead|reporting)\s+inspector", "\n".join(pdf.pages)), path.name
            unnamed.append(path.name)
        for name in named:
            checked += 1
            if (inspector_key(name), gss, when) not in leads:
                missing.append(f"{path.name}: {name}, {report.authority_name}, {when}")
    assert missing == []
    assert checked + len(unnamed) >= 373 and len(unnamed) <= 5, unnamed


# --------------------------------------------------------------------------------------------
# The co-inspection network
# --------------------------------------------------------------------------------------------


def _row(person: str, inspection: str, role: str = "team-inspector") -> dict[str, str]:
    return {"person": f"p/{person}", "personLabel": person, "inspection": f"i/{inspection}", "inspectionLabel": inspection,
            "role": inspectors.LEAD if role == "lead" else role, "roleLabel": role}


def test_inspectors_on_one_team_are_joined_weighted_by_the_inspections_together() -> None:
    rows = [_row("Ann", "A", "lead"), _row("Ben", "A"), _row("Cas", "A"), _row("Ann", "B"), _row("Ben", "B", "lead"),
            _row("Dee", "C", "lead")]
    graph = inspectors.co_inspection(rows)
    assert graph.edges["p/Ann", "p/Ben"]["weight"] == 2 and graph.edges["p/Ann", "p/Ben"]["inspections"] == ["A", "B"]
    assert graph.edges["p/Ann", "p/Cas"]["weight"] == 1 and not graph.has_edge("p/Cas", "p/Dee")
    assert graph.nodes["p/Dee"] == {"label": "Dee", "kind": "person", "inspections": 1, "led": 1}  # alone on a team
    assert inspectors.summary(graph) == {"inspectors": 4, "pairs": 3, "connected groups": 2, "largest group": 3,
                                         "inspectors on no shared team": 1}
    assert inspectors.strongest_ties(graph, top=1) == [{"inspector": "Ann", "with": "Ben", "inspections together": 2}]
    back = nx.read_graphml(io.BytesIO(network.to_graphml(graph)))
    assert back.edges["p/Ann", "p/Ben"]["weight"] == 2 and back.edges["p/Ann", "p/Ben"]["inspections"] == "A; B"
    assert back.nodes["p/Ann"]["label"] == "Ann" and back.nodes["p/Ann"]["led"] == 1


@needs_shared
def test_the_croydon_2017_team_is_one_clique_of_the_real_network(every_team: list[dict[str, str]]) -> None:
    graph = inspectors.co_inspection(every_team)
    croydon = {r["person"] for r in every_team if r["inspection"] == iris.inspection("E09000008", "2017-09-04").value}
    assert len(croydon) == 10
    assert all(graph.has_edge(a, b) for a in croydon for b in croydon if a < b)
    assert graph.nodes[MARCIE]["led"] == 8 and graph.nodes[MARCIE]["inspections"] == 18
    assert set(network.ego(graph, MARCIE, 1)) >= croydon
    assert inspectors.summary(graph)["inspectors"] == len({r["person"] for r in every_team})


@needs_shared
def test_the_cli_writes_the_network_and_an_ego_network_as_graphml(real_store: Path, tmp_path: Path,
                                                                  every_team: list[dict[str, str]]) -> None:
    whole, ego = tmp_path / "all.graphml", tmp_path / "marcie.graphml"
    assert cli_main(["co-inspection", "--store", str(real_store), "-o", str(whole)]) == 0
    assert cli_main(["co-inspection", "--store", str(real_store), "--inspector", "marcie taylor", "-o", str(ego)]) == 0
    assert cli_main(["co-inspection", "--store", str(real_store), "--inspector", "nobody at all"]) == 1
    graph, around = nx.read_graphml(whole), nx.read_graphml(ego)
    assert graph.number_of_nodes() == len({r["person"] for r in every_team})
    assert MARCIE in around and set(around) < set(graph) and set(around) == {MARCIE, *graph.neighbors(MARCIE)}


@needs_shared
def test_the_ego_network_around_an_inspection_is_its_team_the_authority_and_who_was_in_post(
        runner: Runner, every_team: list[dict[str, str]]) -> None:
    croydon = iris.council("E09000008").value
    offered = network.inspections(every_team, croydon)
    assert [i.fieldwork_start.isoformat() for i in offered if i.fieldwork_start] == \
        sorted(i.fieldwork_start.isoformat() for i in offered if i.fieldwork_start)
    inspection = next(i for i in offered if i.iri == iris.inspection("E09000008", "2017-09-04").value)
    assert inspection.council == croydon and inspection.fieldwork_start is not None
    ties = network.inspection_ties(every_team, inspection)
    team = {t.member for t in ties if t.organisation == inspection.iri}
    assert len(team) == 10 and MARCIE in team
    assert [(t.organisation, t.role_label) for t in ties if t.member == inspection.iri] == [(croydon, "inspected")]
    day = inspection.fieldwork_start.isoformat()
    named = network.ties_from(runner.canned("role_network", {"council": Value.iri(croydon), "date": day}, limit=None))
    unnamed = network.unnamed_ties(timeline.timeline(runner, croydon)[0], inspection.fieldwork_start)
    # the report's own "the DCS has been in post since July 2016", as the page adds it
    assert "DCS — not named by Ofsted — in post since July 2016" in {t.member_label for t in unnamed}
    around = network.ego(network.view_graph(named + unnamed + ties, network.VIEWS[0]), inspection.iri, 2)
    assert around.nodes[inspection.iri]["kind"] == network.INSPECTION_KIND
    assert team | {croydon} <= set(network.ego(around, inspection.iri, 1))
    assert {t.member for t in named + unnamed if t.organisation == croydon} <= set(around)
    assert network.inspections(every_team, "urn:no-such-council") == []


@needs_shared
def test_the_network_page_centres_on_an_inspection_of_the_chosen_council(real_store: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with app_on(real_store, monkeypatch) as open_page:
        at = open_page("network")
        assert not [s for s in at.sidebar.selectbox if s.key == "net_inspection"]  # no council chosen: none offered
        at.sidebar.selectbox(key="net_council").select("Croydon").run()
        choice = at.sidebar.selectbox(key="net_inspection")
        assert choice.options[0] == "(none)" and len(choice.options) >= 3  # Croydon's 2017, 2020 and 2024 reports
        choice.select_index(next(n for n, o in enumerate(choice.options) if "20 June 2017" in o)).run()
        assert not at.exception
        assert any(md("Centred on Croydon: Single inspection framework inspection (20 June 2017") in c.value
                   and md("who was in post on 2017-06-20") in c.value for c in at.caption)  # shown as text
        assert any("nodes," in c.value for c in at.caption) and not at.warning  # drawn, not summarised


# --------------------------------------------------------------------------------------------
# The page, in a real browser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_app(real_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_app(real_store, tmp_path_factory.mktemp("inspectors-app")) as base:
        yield base


@needs_shared
@pytest.mark.browser
def test_an_inspectors_record_page_offline(context, real_app: str) -> None:  # noqa: F811
    from urllib.parse import quote

    tab = Offline(context, real_app)
    try:
        tab.open(f"inspectors?inspector={quote(MARCIE, safe='')}", "Inspections Marcie Taylor led")
        cells = tab.cells("Croydon")
        assert {"Croydon", "Bromley", "Kingston upon Thames"} <= set(cells)
        assert any("Overall effectiveness (SIF): Inadequate" in c for c in cells)
        tab.wait_for("What Ofsted published, no more")
        drawing = tab.page.locator("svg[data-testid='ckg-network']")
        drawing.wait_for(timeout=60_000)
        drawing.locator(f"g.ckg-selected[data-id='{MARCIE}']").wait_for(timeout=60_000)
        assert tab.page.get_by_text("Download the whole co-inspection network (GraphML)").count() == 1
        tab.shot("inspectors-record-marcie-taylor")
        other = drawing.locator(f"g.ckg-node:not([data-id='{MARCIE}'])").first  # a co-inspector: a click opens theirs
        name, picked = other.get_attribute("aria-label").removesuffix(" (person)"), other.get_attribute("data-id")
        other.locator("circle").click()
        tab.wait_for(f"Inspections {name} led")
        drawing.locator(f"g.ckg-selected[data-id='{picked}']").wait_for(timeout=60_000)
        assert drawing.locator("g.ckg-selected").count() == 1
        tab.check()
    finally:
        tab.close()
