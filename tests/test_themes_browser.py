"""The Recommendations page in a real browser (the fixtures of test_browser.py: `streamlit run` on a loopback port,
Debian's Chromium through Playwright, every request off the machine refused and recorded), with screenshots."""

from __future__ import annotations

import pytest

from .test_browser import WAIT_MS, Offline, browser, context, server, tab  # noqa: F401  (the fixtures)

pytestmark = pytest.mark.browser


def test_the_recommendations_page_shows_who_was_told_a_theme_offline(tab: Offline) -> None:  # noqa: F811
    tab.open("recommendations", "Recommendations across England")
    cells = tab.cells(showing="Support care leavers to find accommodation.")
    assert "care leaver* + accommodation" in cells and "Croydon" in cells
    assert tab.shot("recommendations").stat().st_size > 10_000
    tab.check()


def test_the_year_view_draws_its_chart(tab: Offline) -> None:  # noqa: F811
    tab.open("recommendations", "Recommendations across England")
    tab.page.get_by_text("By year and framework", exact=True).click()
    chart = tab.page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=WAIT_MS)
    tab.settle()
    assert chart.locator("canvas, svg").count() > 0
    assert chart.bounding_box()["height"] > 20
    tab.shot("recommendations-by-year")
    tab.check()


def test_the_rules_view_shows_the_rules_as_written(tab: Offline) -> None:  # noqa: F811
    tab.open("recommendations", "Recommendations across England")
    tab.page.get_by_text("The themes and their rules", exact=True).click()
    tab.wait_for("The rules of")
    tab.wait_for("Words match whole and in order")
    tab.shot("recommendations-rules")
    tab.check()
