"""The map and trends pages in a real browser (test_browser's app runner, Chromium and offline tab), over a store of
the national Ofsted data: the map draws offline, shows an authority's name and grade on hover, and a click opens its
improvement journey. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from . import test_browser, test_map
from .test_browser import SCREENSHOTS, WAIT_MS, Offline, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.shared]

browser, context, national_store = test_browser.browser, test_browser.context, test_map.national_store


@pytest.fixture(scope="module")
def national_server(national_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the national store, with the shared folder's reference files (the default settings)."""
    with streamlit_app(national_store, tmp_path_factory.mktemp("streamlit-map")) as base:
        yield base


@pytest.fixture
def map_tab(context, national_server: str) -> Iterator[Offline]:
    page = Offline(context, national_server)
    yield page
    page.close()


def _map_chart(tab: Offline):
    chart = tab.page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=WAIT_MS)
    chart.locator("canvas, svg").first.wait_for(timeout=WAIT_MS)
    return chart


def _hover_until_a_tooltip(tab: Offline, chart) -> str:
    """Move over the map's middle until Vega's tooltip shows an authority (the middle of England is land)."""
    box = chart.locator("canvas, svg").first.bounding_box()
    tooltip = tab.page.locator("#vg-tooltip-element")
    for dx, dy in ((0.55, 0.6), (0.5, 0.5), (0.6, 0.7), (0.45, 0.55), (0.65, 0.8)):
        tab.page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        tab.page.wait_for_timeout(400)
        if tooltip.count() and tooltip.first.is_visible() and "authority" in tooltip.first.inner_text():
            return tooltip.first.inner_text()
    raise AssertionError("no tooltip over the map")


def test_the_map_draws_offline_with_the_official_counts_and_a_tooltip(map_tab: Offline) -> None:
    map_tab.open("map", "Overall effectiveness, latest: 153 authorities")
    assert map_tab.page.get_by_text("(36 outstanding, 67 good, 31 requires improvement to be good, 19 inadequate)",
                                    exact=False).count() == 1
    chart = _map_chart(map_tab)
    assert chart.bounding_box()["height"] > 400
    text = _hover_until_a_tooltip(map_tab, chart)
    assert "grade" in text
    assert map_tab.shot("map-latest").stat().st_size > 20_000
    map_tab.check()


def test_the_map_as_at_1_april_2018(map_tab: Offline) -> None:
    map_tab.open("map?date=2018-04-01", "as at 1 April 2018: 152 authorities")
    _map_chart(map_tab)
    assert map_tab.page.get_by_test_id("stSlider").count() == 1
    assert map_tab.shot("map-2018-04-01").stat().st_size > 20_000
    map_tab.check()


def test_clicking_an_authority_opens_its_journey(map_tab: Offline) -> None:
    map_tab.open("map", "Overall effectiveness, latest: 153 authorities")
    chart = _map_chart(map_tab)
    tip = _hover_until_a_tooltip(map_tab, chart)
    name = re.search(r"authority\s+(.+)", tip).group(1).strip()
    map_tab.page.mouse.down()
    map_tab.page.mouse.up()
    map_tab.page.wait_for_url("**/journey?council=*", timeout=WAIT_MS)  # the council's IRI
    map_tab.wait_for("Improvement journey")
    path, query = map_tab.address()
    assert path == "/journey" and parse_qs(query)["council"][0].startswith("https://w3id.org/councilkg/id/council/E")
    # the journey opens on the authority clicked (its name in the council picker)
    picker = map_tab.page.get_by_test_id("stSelectbox").first
    assert name in (picker.inner_text() + " " + picker.inner_html()), (name, picker.inner_html()[:2000])
    map_tab.shot("map-click-journey")
    map_tab.check()


def test_the_trends_page_draws_offline(map_tab: Offline) -> None:
    map_tab.open("trends", "From one overall grade to the next")
    charts = map_tab.page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(2).wait_for(timeout=WAIT_MS)
    assert charts.count() == 3
    assert map_tab.shot("trends").stat().st_size > 20_000
    for index, name in ((1, "trends-judgements-by-year"), (2, "trends-transitions")):  # below the fold
        charts.nth(index).scroll_into_view_if_needed()
        charts.nth(index).locator("canvas, svg").first.wait_for(timeout=WAIT_MS)
        charts.nth(index).screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    map_tab.check()
