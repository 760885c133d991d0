"""Recoveries (queries/recoveries.rq and councilkg.explore.recoveries): the rules on small rows, the statistical
neighbours the lookup loader writes, and the national figures against a count made directly from Ofsted's
official statistics (read here with pandas' calamine engine, independently of the loader)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import statistics
from pathlib import Path

import pandas as pd
import pytest

from councilkg.errors import LoadError
from councilkg.explore import recoveries as rc
from councilkg.model import iris
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.sources.build import LoadPlan, load
from councilkg.sources.ofsted import load_lookup
from councilkg.store import ReadOnlyStore, StoreFolder

from .conftest import require_shared

CROYDON = iris.council("E09000008").value
RANKS = {"outstanding": 1, "good": 2, "requires improvement to be good": 3, "requires improvement": 3, "adequate": 3,
         "inadequate": 4}


# --------------------------------------------------------------------------------------------
# The rules, on rows written here
# --------------------------------------------------------------------------------------------


def _row(step: int, published: str, overall: int | None, worst: int | None = None, framework: str = "ILACS",
         council: str = "c1", recovery: str = "r1", visits: int = 0) -> dict[str, str]:
    return {"council": council, "councilLabel": council.upper(), "recovery": recovery, "opened": "", "step": f"{recovery}-{step}",
            "stepNumber": str(step), "published": published, "fieldworkStart": "", "type": "ILACS standard inspection",
            "framework": framework, "overallGrade": "", "overallNotation": "" if overall is None else str(overall),
            "worstNotation": str(worst or overall), "inadequateAreas": "", "monthsSinceOpened": "", "monthsSincePrevious": "",
            "monitoringVisits": str(visits), "visitDates": "", "inPost": "b; a", "leadInspector": ""}


def test_months_are_calendar_months_between_publications() -> None:
    assert rc.months_between(dt.date(2017, 9, 4), dt.date(2020, 3, 16)) == 30
    assert rc.months_between(dt.date(2019, 1, 31), dt.date(2019, 2, 1)) == 1


def test_times_run_from_the_first_overall_inadequate_judgement() -> None:
    # opened by an area (overall requires improvement), inadequate overall a year later, then RI, then good
    rows = [_row(0, "2015-01-10", 3, 4, "SIF"), _row(1, "2016-01-10", 4, 4, "SIF", visits=3),
            _row(2, "2018-07-01", 3, 3, visits=2), _row(3, "2020-01-05", 2)]
    (recovery,) = rc.from_rows(rows)
    assert recovery.inadequate_step.number == 1 and recovery.era == "SIF"
    assert (recovery.months_to_requires_improvement, recovery.months_to_good) == (30, 48)
    assert recovery.recovered and recovery.monitoring_visits == 5
    assert recovery.steps[0].in_post == ("a", "b")


def test_a_recovery_not_yet_good_has_no_time_to_good() -> None:
    (recovery,) = rc.from_rows([_row(0, "2019-01-10", 4), _row(1, "2022-05-01", 4), _row(2, "2024-05-01", 3)])
    assert not recovery.recovered
    assert recovery.months_to_good is None and recovery.months_to_requires_improvement == 64
    assert rc.longest_open([recovery], dt.date(2025, 1, 10)) == [(recovery, 72)]


def test_national_figures_are_medians_by_era_of_those_that_got_there() -> None:
    rows = [_row(0, "2014-01-01", 4, framework="SIF", council="a", recovery="a1"), _row(1, "2016-01-01", 2, council="a", recovery="a1"),
            _row(0, "2015-01-01", 4, framework="SIF", council="b", recovery="b1"), _row(1, "2016-01-01", 3, council="b", recovery="b1"),
            _row(2, "2019-01-01", 2, council="b", recovery="b1"),
            _row(0, "2015-06-01", 4, framework="SIF", council="c", recovery="c1"),
            _row(0, "2019-01-01", 4, council="d", recovery="d1"), _row(1, "2021-01-01", 2, council="d", recovery="d1"),
            # only an area inadequate: not in the medians
            _row(0, "2019-01-01", 3, 4, council="e", recovery="e1"), _row(1, "2020-01-01", 2, council="e", recovery="e1")]
    recs = rc.from_rows(rows)
    sif, ilacs = rc.national_figures(recs)
    assert (sif.era, sif.inadequate, sif.reached_requires_improvement, sif.median_to_requires_improvement) == ("SIF", 3, 2, 18)
    assert (sif.reached_good, sif.median_to_good, sif.not_yet_good) == (2, 36, 1)
    assert (ilacs.inadequate, ilacs.median_to_good) == (1, 24)
    assert [r.council for r in rc.fastest(recs)] == ["a", "d", "b"]
    assert [r.council for r in rc.slowest(recs, 1)] == ["b"]
    lines = rc.compare_with_neighbours(recs, "a", "A", [("B", "b"), ("E", "e"), ("Z", "z")])
    assert [(c.label, c.recoveries, c.months_to_good, c.still_open) for c in lines] == [
        ("A", 1, (24,), False), ("B", 1, (48,), False), ("E", 0, (), False), ("Z", 0, (), False)]


# --------------------------------------------------------------------------------------------
# Statistical neighbours from the lookup
# --------------------------------------------------------------------------------------------


def test_the_lookup_gives_each_authority_its_statistical_neighbours() -> None:
    path = require_shared("data", "reference", "la_lookup.csv")
    payload = load_lookup(path)
    pairs = {(q.subject.value, q.object.value) for q in payload.quads if q.predicate == iris.ckg.statisticalNeighbour}
    with path.open(encoding="utf-8-sig") as handle:
        croydon = next(r for r in csv.DictReader(handle) if r["la_code_new"] == "E09000008")
    expected = {iris.council(c.strip()).value for c in croydon["stat_neighbours_la_code"].split(",")}
    assert len(expected) == 10
    assert {o for s, o in pairs if s == CROYDON} == expected


def test_a_neighbour_that_is_not_a_gss_code_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "lookup.csv"
    path.write_text("la_code_new,local_authority_ons_name,stat_neighbours_la_code\nE09000008,Croydon,\"E09000031, 306\"\n",
                    encoding="utf-8")
    with pytest.raises(LoadError, match=r"lookup.csv.*2.*stat_neighbours_la_code.*'306'"):
        load_lookup(path)


# --------------------------------------------------------------------------------------------
# The national data: the query against a count made from the sheets themselves
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def paths() -> dict[str, Path]:
    return {"2025": require_shared("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods"),
            "2023": require_shared("data", "ofsted", "Childrens_social_care_in_England_2023_underlying_data.ods"),
            "lookup": require_shared("data", "reference", "la_lookup.csv")}


@pytest.fixture(scope="module")
def national(paths: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    folder = StoreFolder(tmp_path_factory.mktemp("recoveries") / "store")
    load(folder, LoadPlan(ofsted=[paths["2025"], paths["2023"]], lookups=[paths["lookup"]]))
    handle = ReadOnlyStore(folder)
    runner = Runner(EmbeddedBackend(handle.store()))
    yield runner, rc.recoveries(runner)
    handle.close()


def _norm(name: object) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(name).lower().replace("&", " and ")).strip()


def _rank(grade: object) -> int | None:
    return RANKS.get(_norm(grade)) if isinstance(grade, str) else None


def _official_overall_judgements(paths: dict[str, Path]) -> dict[str, set[tuple[dt.date, int, str]]]:
    """Every SIF and ILACS overall judgement in the two releases, as (publication date, rank, framework) per GSS code."""
    judged: dict[str, set[tuple[dt.date, int, str]]] = {}

    def add(gss: str, published: object, grade: object, framework: str) -> None:
        rank, day = _rank(grade), pd.to_datetime(published, errors="coerce")
        if rank is not None and not pd.isna(day):
            judged.setdefault(gss, set()).add((day.date(), rank, framework))

    # the 2025 release: its sheets give GSS codes
    former: dict[str, str] = {}
    for sheet, date_column, type_column in [("ILACS_inspection_history", "Publication date", "Inspection type"),
                                             ("In-year_inspections", "Publication date", "Inspection/Visit type"),
                                             ("Inspections_as_at_31_March", "Publication date", None)]:
        table = pd.read_excel(paths["2025"], sheet_name=sheet, header=2, engine="calamine")
        for _, row in table.iterrows():
            if type_column and "inspection" not in str(row[type_column]).lower():
                continue  # visits are not graded
            add(row["Local authority area code"], row[date_column], row["Overall effectiveness"], "ILACS")
            if str(row.get("Local authority status", "")).lower().startswith("no longer"):
                former[_norm(row["Local authority name"])] = row["Local authority area code"]
    # the 2023 release's history names authorities: current ones by the lookup's names, and those of the block after
    # the repeated header (authorities since restructured) by the code the 2025 release gives them, if any
    with paths["lookup"].open(encoding="utf-8-sig") as handle:
        names = {}
        for r in csv.DictReader(handle):
            for name in [r["local_authority_ons_name"], *r["also_known_as"].strip("[]").split(",")]:
                if name.strip():
                    names[_norm(name)] = r["la_code_new"]
    history = pd.read_excel(paths["2023"], sheet_name="LA_inspections_2009-2023", header=4, engine="calamine")
    columns = {c.strip().replace("\n", " "): c for c in history.columns}
    blocks = [("SIF", "Single Inspection of LA Children's Services (SIF)  First SIF publication date", "First SIF Overall Judgement (OE)"),
              ("SIF", "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
               "SIF Re-inspection Overall Judgement (OE)"),
              ("ILACS", "First ILACS framework publication date", "First ILACS framework overall effectiveness"),
              ("ILACS", "Second ILACS framework publication date", "Second ILACS framework overall effectiveness")]
    restructured = False
    for _, row in history.iterrows():
        name = row["Local authority name"]
        if name == "Local authority name":
            restructured = True
            continue
        gss = (former if restructured else names).get(_norm(name))
        if not isinstance(name, str) or gss is None:
            continue
        for framework, date_column, grade_column in blocks:
            add(gss, row[columns[date_column]], row[columns[grade_column]], framework)
    return judged


def _spells(judged: set[tuple[dt.date, int, str]]) -> list[dict]:
    """From the first overall inadequate judgement (none being open) to the first good or better one after it."""
    by_day: dict[dt.date, tuple[int, str]] = {}
    for day, rank, framework in sorted(judged):
        # one inspection: the same day, or a date within three months of the last in the same framework (the
        # releases' sheets sometimes date one inspection differently: Nottingham's 2022 ILACS, 5 Sep and 5 Nov)
        same = next((d for d in by_day if d == day or (0 < (day - d).days <= 92 and by_day[d][1] == framework)), day)
        by_day[same] = max(by_day.get(same, (0, "")), (rank, framework))
    spells, current = [], None
    for day, (rank, framework) in sorted(by_day.items()):
        if current is None:
            if rank == 4:
                current = {"inadequate": day, "era": framework, "ri": None, "good": None, "later": []}
            continue
        current["later"].append((day, rank))
        if current["ri"] is None and rank <= 3:
            current["ri"] = day
        if rank <= 2:
            current["good"] = day
            spells.append(current)
            current = None
    if current is not None:
        spells.append(current)
    return spells


@pytest.fixture(scope="module")
def official(paths: dict[str, Path]) -> dict[str, list[dict]]:
    return {gss: s for gss, judged in _official_overall_judgements(paths).items() if (s := _spells(judged))}


def _from_store(recs: list[rc.Recovery]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in recs:
        start = r.inadequate_step
        if start is None:
            continue
        ri, good = r.reached(rc.REQUIRES_IMPROVEMENT), r.reached(rc.GOOD)
        out.setdefault(r.council.rsplit("/", 1)[-1], []).append(
            {"inadequate": start.published, "era": start.framework, "ri": ri.published if ri else None,
             "good": good.published if good else None,
             "later": [(s.published, s.overall_rank) for s in r.steps if s.number > start.number and s.overall_rank]})
    return out


def test_every_authority_judged_inadequate_overall_is_listed_with_each_later_grade(national, official) -> None:
    _runner, recs = national
    ours = _from_store(recs)
    assert len(official) > 60  # the releases judge more than sixty authorities inadequate overall since 2013
    assert set(ours) == set(official)
    for gss, spells in official.items():
        assert ours[gss] == sorted(spells, key=lambda s: s["inadequate"]), gss


def test_national_medians_agree_with_the_count_from_the_sheets(national, official) -> None:
    _runner, recs = national
    figures = {f.era: f for f in rc.national_figures(recs)}
    for era in rc.ERAS:
        spells = [s for all_ in official.values() for s in all_ if s["era"] == era]
        to_ri = [rc.months_between(s["inadequate"], s["ri"]) for s in spells if s["ri"]]
        to_good = [rc.months_between(s["inadequate"], s["good"]) for s in spells if s["good"]]
        f = figures[era]
        assert (f.inadequate, f.reached_requires_improvement, f.reached_good) == (len(spells), len(to_ri), len(to_good)), era
        assert f.median_to_requires_improvement == statistics.median(to_ri), era
        assert f.median_to_good == statistics.median(to_good), era


def test_croydon_recovered_from_the_2017_inspection_in_thirty_months(national) -> None:
    runner, _recs = national
    rows = runner.canned("recoveries", {"council": "Croydon"}).strings()
    assert [(r["stepNumber"], r["published"], r["framework"], r["overallGrade"], r["monthsSinceOpened"], r["monthsSincePrevious"])
            for r in rows] == [("0", "2017-09-04", "SIF", "Inadequate", "0", ""), ("1", "2020-03-16", "ILACS", "Good", "30", "30")]
    assert set(rows[0]["inadequateAreas"].split("; ")) == {
        "Overall effectiveness (SIF)", "Children who need help and protection (SIF)",
        "Children looked after and achieving permanence (SIF)", "Leadership, management and governance (SIF)"}
    assert {r["recovery"] for r in rows} == {iris.inspection("E09000008", "2017-09-04").value}


def test_a_recovery_not_yet_good_lists_the_monitoring_visits_since_its_last_step(national) -> None:
    runner, recs = national
    (nottingham,) = [r for r in recs if r.label == "Nottingham"]  # inadequate in 2022, visited in 2024-25
    assert not nottingham.recovered and [s.published.isoformat() for s in nottingham.steps] == ["2022-09-05"]
    visits = rc.visits_since_last_step(runner, nottingham)
    assert [(v["fieldworkStart"], v["published"]) for v in visits] == [
        ("2024-04-03", "2024-05-15"), ("2024-07-31", "2024-09-02"), ("2024-11-12", "2024-12-12")]
    (croydon,) = [r for r in recs if r.label == "Croydon"]
    assert rc.visits_since_last_step(runner, croydon) == []  # it is over


def test_neighbours_named_by_a_former_code_are_the_council_that_had_it(national) -> None:
    runner, _recs = national
    # Rotherham's neighbours include Barnsley, which the lookup lists by its former code E08000016
    listed = dict((iri, name) for name, iri in rc.neighbours(runner, iris.council("E08000018").value))
    assert listed[iris.council("E08000038").value] == "Barnsley"
    assert len(listed) == 10 and all(listed.values())


# --------------------------------------------------------------------------------------------
# Who was in post: the seed documents and Croydon's two reports
# --------------------------------------------------------------------------------------------

CROYDON_REPORTS = ("50004396.pdf", "50149056.pdf")


def test_each_step_shows_who_was_in_post_and_the_lead_inspector(tmp_path: Path, paths: dict[str, Path]) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in CROYDON_REPORTS:
        shutil.copy(require_shared("data", "ofsted-reports", name), reports / name)
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan(ofsted=[paths["2025"]], lookups=[paths["lookup"]], reports=[reports],
                          documents=[require_shared("seeds")]))
    handle = ReadOnlyStore(folder)
    try:
        (recovery,) = rc.recoveries(Runner(EmbeddedBackend(handle.store())), "Croydon")
    finally:
        handle.close()
    first, second = recovery.steps
    assert "Director of Children's Services: not named (in post since July 2016)" in first.in_post
    assert first.lead_inspector == "Marcie Taylor"
    assert "Director of Children's Services: Robert Henderson" in second.in_post
    assert second.lead_inspector == "Tara Geere"
    assert second.monitoring_visits >= 1 and "2019-10-16" in second.visit_dates


# --------------------------------------------------------------------------------------------
# The page, through AppTest on the app store (the seed graph and hostile labels)
# --------------------------------------------------------------------------------------------


def test_the_page_shows_croydon_s_recovery_and_links_its_journey(app) -> None:
    from .apptest import links, table, texts

    at = app("recoveries")
    assert at.title[0].value == "Recoveries"
    steps = table(at, "Step", "Published", "Overall", "In post at the fieldwork")
    assert list(steps["Published"]) == ["2017-09-04", "2020-03-16"] and list(steps["Overall"]) == ["Inadequate", "Good"]
    assert "**Recovery 1: opened 2017-09-04** (Single inspection framework inspection)" in texts(at)
    national = table(at, "Era", "Recoveries", "Median months to good")
    assert list(national["Era"]) == ["SIF", "ILACS"]
    assert ("Croydon\\: improvement journey", "journey", {"council": ["E09000008"]}) in links(at)  # label as markdown


def test_the_journey_opens_on_the_council_a_link_names(app) -> None:
    at = app("journey", council="E09000008")
    assert at.selectbox(key="jr_council").value == "Croydon"
    at = app("journey", council="no-such-council")  # an unknown code leaves the page on its first council
    assert at.selectbox(key="jr_council").value == "Croydon"
