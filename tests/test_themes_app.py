"""The Recommendations page through AppTest: every view on the app store (the seed graph), without a browser."""

from __future__ import annotations

import pytest

from councilkg.explore.themes import VIEWS

from .apptest import table, texts


def test_the_page_opens_on_who_was_told_a_theme(app) -> None:
    at = app("recommendations")
    assert at.title[0].value == "Recommendations across England"
    assert "recommendations; 0 (0.0%) have no theme" in texts(at)
    assert at.selectbox(key="rc_theme").value == "Care leavers' accommodation"
    rows = table(at, "councilLabel", "text", "rule")
    assert list(rows["text"]) == ["Support care leavers to find accommodation."]
    assert list(rows["rule"]) == ["care leaver* + accommodation"]
    assert {b.label for b in at.get("download_button")} >= {"Download CSV", "Download JSON"}


def test_another_theme_shows_its_authorities(app) -> None:
    at = app("recommendations")
    at.selectbox(key="rc_theme").set_value("Plans for children").run()
    assert not at.exception
    assert set(table(at, "councilLabel", "text")["councilLabel"]) == {"Croydon", "Nottingham"}


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_runs(app, view: str) -> None:
    at = app("recommendations")
    at.radio(key="rc_view").set_value(view).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Recommendations across England"


def test_the_year_view_draws_a_chart_and_the_authority_view_lists_croydons(app) -> None:
    at = app("recommendations")
    at.radio(key="rc_view").set_value("By year and framework").run()
    assert len(at.get("vega_lite_chart")) == 1
    years = table(at, "year", "framework", "recommendations")
    assert {"2020"} <= set(years["year"])
    at.radio(key="rc_view").set_value("An authority, inspection after inspection").run()
    rows = table(at, "text", "themes")
    assert "Support care leavers to find accommodation." in set(rows["text"])
    themed = dict(zip(rows["text"], rows["themes"], strict=True))
    assert "Care leavers' accommodation" in themed["Support care leavers to find accommodation."].split("; ")


def test_the_rules_view_shows_a_themes_rules(app) -> None:
    at = app("recommendations")
    at.radio(key="rc_view").set_value("The themes and their rules").run()
    at.selectbox(key="rc_rules_theme").set_value("Care leavers' accommodation").run()
    assert not at.exception
    assert "care leaver* + accommodation" in at.code[0].value
    counts = table(at, "theme", "recommendations", "with narrower themes")
    assert int(counts.loc[counts["theme"] == "Care leavers' accommodation", "recommendations"].iloc[0]) == 1
