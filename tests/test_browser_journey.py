"""The improvement journey of an authority nobody curated, in a real browser (test_browser's app runner, Chromium and
offline tab): York's judgements from the national data above the posts Ofsted's reports state without naming their
holders, and the network around York with them. Screenshots go to test-output/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from councilkg.sources.build import LoadPlan, load
from councilkg.store import StoreFolder

from . import test_browser
from .conftest import require_shared
from .test_browser import WAIT_MS, Offline, streamlit_app

pytestmark = [pytest.mark.browser, pytest.mark.shared]

browser, context = test_browser.browser, test_browser.context
YORK_REPORTS = ("50035555",)  # York's 2016 SIF: "The DCS has been in post since March 2014"


@pytest.fixture(scope="module")
def york_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The national outcomes, the authority lookup and York's report (copied into a folder of reports)."""
    reports = require_shared("data", "ofsted-reports")
    folder = tmp_path_factory.mktemp("york-reports")
    for file_id in YORK_REPORTS:
        (folder / f"{file_id}.pdf").write_bytes((reports / f"{file_id}.pdf").read_bytes())
    root = tmp_path_factory.mktemp("york") / "store"
    load(StoreFolder(root), LoadPlan(ofsted=[require_shared("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods")],
                                     lookups=[require_shared("data", "reference", "la_lookup.csv")], reports=[folder]))
    return root


@pytest.fixture
def york_tab(context, york_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Offline]:
    with streamlit_app(york_store, tmp_path_factory.mktemp("streamlit-york")) as base:
        page = Offline(context, base)
        yield page
        page.close()


def test_the_journey_of_an_authority_nobody_curated(york_tab: Offline) -> None:
    york_tab.open("journey?council=York", "Improvement journey")
    york_tab.wait_for("not named by Ofsted")
    chart = york_tab.page.locator("[data-testid='stVegaLiteChart']").first
    chart.locator("canvas, svg").first.wait_for(timeout=WAIT_MS)
    york_tab.shot("journey-york")
    york_tab.check()
    # the tenure's row in the chart, and the council picked
    york_tab.wait_for("DCS — not named by Ofsted — in post since March 2014")
    picker = york_tab.page.get_by_test_id("stSelectbox").first
    assert "York" in picker.inner_text() + " " + picker.inner_html()
    # the network around York draws its unnamed holders, the first drawing well within the page's wait
    started = time.perf_counter()
    york_tab.open("network", "Network filters")
    york_tab.page.get_by_text("Council", exact=True).first.wait_for(timeout=WAIT_MS)
    drawing = york_tab.page.locator("svg[data-testid='ckg-network']")
    drawing.locator("circle").first.wait_for(timeout=WAIT_MS)
    assert drawing.locator("g.ckg-node[aria-label$='(holder not named)']").count() > 0
    print(f"network page's first drawing: {time.perf_counter() - started:.1f} s")  # a figure, not a timed assertion
    york_tab.shot("network-york")
    york_tab.check()
