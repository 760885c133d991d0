"""The recoveries page in a real browser (Debian's Chromium through Playwright, nothing but 127.0.0.1), over a store
of the national data, the authority lookup and the seed documents; screenshots in test-output/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from councilkg.sources.build import LoadPlan, load
from councilkg.store import StoreFolder

from .conftest import require_shared
from .test_browser import Offline, browser, context, streamlit_app  # noqa: F401 (the browser fixtures)

pytestmark = pytest.mark.browser

READY = "National figures, by the framework of the inadequate judgement"


@pytest.fixture(scope="module")
def national_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the two official releases, the lookup and the seed documents."""
    root = tmp_path_factory.mktemp("recoveries-app") / "store"
    load(StoreFolder(root), LoadPlan(
        ofsted=[require_shared("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods"),
                require_shared("data", "ofsted", "Childrens_social_care_in_England_2023_underlying_data.ods")],
        lookups=[require_shared("data", "reference", "la_lookup.csv")], documents=[require_shared("seeds")]))
    with streamlit_app(root, tmp_path_factory.mktemp("recoveries-streamlit")) as base:
        yield base


@pytest.fixture
def tab(context, national_server: str) -> Iterator[Offline]:  # noqa: F811 (context is the browser module's fixture)
    page = Offline(context, national_server)
    yield page
    page.close()


def test_the_recoveries_page_shows_the_national_figures_and_an_authority(tab: Offline) -> None:
    tab.open("recoveries", READY)
    cells = tab.cells(showing="ILACS")
    assert "SIF" in cells and "ILACS" in cells
    assert "81.5" in cells  # the SIF era's median months to good (README, Recoveries)
    # Croydon, the authority the page opens on: its two steps, then its neighbours
    tab.page.get_by_text("Recovery 1: opened 2017-09-04").first.wait_for()
    every = tab.cells(showing="Croydon")
    assert "Barnet" in every and "Birmingham" in every
    assert "this authority" in tab.cells(showing="this authority")
    path: Path = tab.shot("recoveries")
    assert path.stat().st_size > 20_000
    tab.check()


def test_an_authority_links_to_its_journey(tab: Offline) -> None:
    tab.open("recoveries", READY)
    tab.page.get_by_test_id("stSelectbox").first.click()  # the authority picker: Birmingham rather than Croydon
    tab.page.keyboard.type("Birmingham")
    tab.page.get_by_role("option", name="Birmingham", exact=True).click()
    tab.page.get_by_role("link", name="Birmingham: improvement journey").wait_for()
    tab.settle()
    tab.page.get_by_role("link", name="Birmingham: improvement journey").click()
    tab.wait_for("Improvement journey")
    assert tab.address() == ("/journey", "council=E08000025")
    picker = tab.page.get_by_test_id("stSelectbox").first.get_by_role("combobox")
    assert picker.input_value() == "Birmingham"  # the journey opens on the authority linked
    tab.shot("recoveries-to-journey")
    tab.check()
