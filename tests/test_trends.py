"""National trends (councilkg.explore.trends): grades in force on 31 March of each year by framework, the
transitions between consecutive overall judgements (grade_transitions), and the trends page through AppTest.
The national store and the reference files are test_map's fixtures."""

from __future__ import annotations

import datetime as dt

import pytest

from councilkg.explore import geography, trends
from councilkg.query.runner import Runner

from . import test_map
from .test_map import OFFICIAL_2025

# test_map's fixtures, for this module too
national_store, national, reference, geo, map_app = (test_map.national_store, test_map.national, test_map.reference,
                                                     test_map.geo, test_map.map_app)


@pytest.mark.shared
def test_the_2025_distribution_matches_the_official_counts(national: Runner, geo: geography.Geography) -> None:
    rows = trends.distribution(national, geo, [dt.date(2025, 3, 31)])
    assert trends.totals_by_grade(rows, 2025) == OFFICIAL_2025
    assert {row["date"] for row in rows} == {"2025-03-31"}


@pytest.mark.shared
def test_each_years_bars_count_the_authorities_of_that_day(national: Runner, geo: geography.Geography) -> None:
    days = trends.as_at_days(today=dt.date(2025, 6, 1))
    assert days[0] == dt.date(2010, 3, 31) and days[-1] == dt.date(2025, 3, 31)
    rows = trends.distribution(national, geo, days)
    years = sorted({row["year"] for row in rows})
    assert years == list(range(2014, 2026))  # no overall judgement (SIF or ILACS) was in force before 2014
    for year, authorities in ((2018, 152), (2020, 151), (2022, 152), (2024, 153)):
        assert sum(trends.totals_by_grade(rows, year).values()) == authorities, year
    frameworks_2018 = {row["framework"] for row in rows if row["year"] == 2018}
    assert {"SIF", "ILACS"} <= frameworks_2018  # ILACS began in 2018: both are in force that spring


@pytest.mark.shared
def test_transitions_count_each_pair_of_consecutive_overall_judgements(national: Runner) -> None:
    rows = trends.transitions(national)
    assert all(row["transitions"] > 0 for row in rows)
    matrix = {row["from \\ to"]: row for row in trends.transition_matrix(rows)}
    changes = national.canned("grade_changes", limit=None).strings()
    # off the diagonal, the changes grade_changes lists one by one
    off_diagonal = sum(matrix[a][b] for a in trends.GRADES for b in trends.GRADES if a != b)
    assert off_diagonal == len(changes)
    assert matrix["Requires improvement to be good"]["Inadequate"] == sum(
        1 for c in changes if c["fromGrade"] == "Requires improvement to be good" and c["toGrade"] == "Inadequate")
    assert sum(row["total"] for row in matrix.values()) == sum(row["transitions"] for row in rows)


@pytest.mark.shared
def test_judgements_by_year_and_transitions_agree(national: Runner) -> None:
    rows = trends.judgements_by_year(national)
    by_framework = {}
    for row in rows:
        by_framework.setdefault(row["framework"], set()).add(row["year"])
    assert min(by_framework["SLAC"]) == 2009 and min(by_framework["ILACS"]) == 2018
    assert max(by_framework["SIF"]) == 2018  # the last SIF reports came out as ILACS began
    overall = sum(row["judgements"] for row in rows if row["framework"] in ("SIF", "ILACS"))
    councils = len(national.canned("grades_in_force", limit=None))  # councils with an overall judgement
    # each council's overall judgements less its first are the transitions from one to the next
    assert sum(row["transitions"] for row in trends.transitions(national)) == overall - councils


@pytest.mark.shared
def test_the_trends_page(map_app) -> None:
    at = map_app("trends")
    assert at.title[0].value == "Trends"
    assert len(at.get("vega_lite_chart")) == 3
    frames = [f.value for f in at.dataframe]
    distribution = next(f for f in frames if "authorities" in f.columns)
    latest = distribution[distribution["year"] == 2025]
    assert dict(zip(latest["grade"], latest["authorities"], strict=True)) == OFFICIAL_2025
    assert any("from \\ to" in f.columns for f in frames)
    assert len(at.get("download_button")) == 3
    assert any(set(f.columns) == {"year", "framework", "grade", "gradeNotation", "judgements"} for f in frames)


@pytest.mark.shared
def test_the_trends_page_without_the_list_of_authorities(map_app, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("COUNCILKG_AUTHORITIES", str(tmp_path / "none.csv"))
    at = map_app("trends")
    assert "COUNCILKG_AUTHORITIES" in at.error[0].value
    assert not at.info  # the other charts are there; nothing says the distribution is empty
    assert len(at.get("vega_lite_chart")) == 2
