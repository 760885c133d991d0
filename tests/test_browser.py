"""The app in a real browser: `streamlit run` on a loopback port, driven by Debian's Chromium through Playwright.

Every request that is not to 127.0.0.1 is blocked and recorded, and each test asserts none was
attempted: the app must work with no internet access. Screenshots of each page are saved under
test-output/screenshots/. Under CI (CI is set) a missing Chromium fails these tests instead of
skipping them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from councilkg.cli.serve import free_port
from councilkg.model import iris
from councilkg.paths import ROOT

from .conftest import HOSTILE_NAME

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]
WAIT_MS = 60_000


def chromium_path() -> str:
    path = os.environ.get("COUNCILKG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        message = "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextlib.contextmanager
def streamlit_app(store: Path, scratch: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free 127.0.0.1 port over ``store``, stopped on leaving."""
    port = free_port()
    env = dict(os.environ, COUNCILKG_STORE=str(store), PYTHONPATH=str(ROOT))
    env.pop("COUNCILKG_ENDPOINT", None)
    log = scratch / "streamlit.log"
    (scratch / "cwd").mkdir(exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none", "--global.developmentMode", "false"],
            cwd=scratch / "cwd", env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"streamlit did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def server(app_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the app store (seed graph and hostile labels), for the module's tests."""
    with streamlit_app(app_store, tmp_path_factory.mktemp("streamlit")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Offline:
    """A browser page whose requests may only go to 127.0.0.1; others are blocked and recorded."""

    def __init__(self, browser, base: str) -> None:
        self.base = base
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route) -> None:
        url = route.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, query: str, ready: str) -> None:
        """Open ?query and wait (processing network events) until the text `ready` is shown."""
        self.go(query)
        self.wait_for(ready)

    def go(self, query: str) -> None:
        """Open ?query without waiting for the app to draw it (to open many sessions at once)."""
        self.page.goto(f"{self.base}/?{query}")

    def wait_for(self, ready: str) -> None:
        self.page.get_by_text(ready, exact=False).first.wait_for(timeout=WAIT_MS)
        self.settle()

    def settle(self) -> None:
        """Wait until Streamlit has finished running the script and drawing."""
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT_MS)
        self.page.wait_for_timeout(800)
        skeletons = self.page.locator("[data-testid='stSkeleton']")
        deadline = time.monotonic() + 30
        while skeletons.count() and time.monotonic() < deadline:
            self.page.wait_for_timeout(300)

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def cells(self) -> list[str]:
        """The texts of the result grid's cells, once the grid has drawn them (it renders after the run ends)."""
        grid = self.page.locator("[data-testid='stDataFrame'] [role='gridcell']")
        grid.first.wait_for(state="attached", timeout=WAIT_MS)
        return grid.all_inner_texts()

    def close(self) -> None:
        self.context.close()

    def check(self) -> None:
        assert self.blocked == [], f"requests left the machine: {sorted(set(self.blocked))}"
        assert self.page.locator("[data-testid='stException']").count() == 0, "the page shows a Python exception"
        assert self.page.evaluate("() => window.__xss") is None, "a label ran as script"


@pytest.fixture
def tab(browser, server: str) -> Iterator[Offline]:
    page = Offline(browser, server)
    yield page
    page.close()


PAGES = [
    ("home", "page=home", "Where the data comes from"),
    ("questions", "page=queries", "The SPARQL behind this question"),
    ("sparql-editor", "page=editor", "Start from a catalogue query"),
    ("network", "page=network", "Colour: kind"),
    ("improvement-journey", "page=journey", "Who led each improvement"),
    ("entity", f"page=entity&iri={iris.person('eleanor-brazil').value}", "Facts, by source"),
]


@pytest.mark.parametrize("name, query, ready", PAGES, ids=[p[0] for p in PAGES])
def test_each_page_opens_offline(tab: Offline, name: str, query: str, ready: str) -> None:
    tab.open(query, ready)
    assert tab.shot(name).stat().st_size > 10_000
    tab.check()


def _choose_leaders_at_date(tab: Offline) -> None:
    """On the Questions page, pick "who held which post on a date" (its pickers default to Croydon, 2017-09-19)."""
    tab.open("page=queries", "The SPARQL behind this question")
    tab.page.get_by_test_id("stSelectbox").first.click()
    tab.page.keyboard.type("Who held")
    tab.page.get_by_role("option", name="Who held which post at a council on a date").click()
    tab.page.get_by_text("People holding a post or role at a council").first.wait_for(timeout=WAIT_MS)
    tab.settle()


def test_a_canned_query_shows_its_rows(tab: Offline) -> None:
    _choose_leaders_at_date(tab)
    tab.page.get_by_role("button", name="Run").click()
    tab.page.get_by_text("rows in").first.wait_for(timeout=WAIT_MS)
    tab.settle()
    cells = tab.cells()
    assert "Barbara Peacock" in cells and "Alisa Flemming" in cells and "Robert Henderson" not in cells
    tab.shot("questions-leaders-at-date")
    tab.check()


def test_the_editor_runs_a_query(tab: Offline) -> None:
    tab.open("page=editor", "Start from a catalogue query")
    editor = tab.page.locator("textarea[data-testid='ckg-sparql-editor']")
    editor.wait_for(timeout=WAIT_MS)
    editor.fill("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                "SELECT DISTINCT ?name WHERE { ?p a foaf:Person ; rdfs:label ?name } ORDER BY ?name")
    # the highlighted copy follows the text
    assert tab.page.locator(".ckg-editor .keyword", has_text="SELECT").count() == 1
    tab.page.get_by_role("button", name="Run").click()
    tab.page.get_by_text("13 rows in").first.wait_for(timeout=WAIT_MS)
    tab.settle()
    assert "Alisa Flemming" in tab.cells()
    tab.shot("sparql-editor-result")
    tab.check()


def test_the_editor_refuses_service_in_the_browser(tab: Offline) -> None:
    tab.open("page=editor", "Start from a catalogue query")
    editor = tab.page.locator("textarea[data-testid='ckg-sparql-editor']")
    editor.fill("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    tab.page.get_by_role("button", name="Run").click()
    tab.page.get_by_text("SERVICE is not allowed").first.wait_for(timeout=WAIT_MS)
    tab.check()


def test_a_shared_link_opens_the_query(tab: Offline) -> None:
    from urllib.parse import quote

    tab.open(f"page=editor&q={quote('ASK { ?s ?p ?o }')}", "Start from a catalogue query")
    assert tab.page.locator("textarea[data-testid='ckg-sparql-editor']").input_value() == "ASK { ?s ?p ?o }"
    tab.check()


def test_a_network_node_can_be_selected(tab: Offline) -> None:
    tab.open("page=network", "Colour: kind")
    assert tab.page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").count() > 0
    details = tab.page.get_by_test_id("stSelectbox").filter(has_text="Details of")
    details.click()
    tab.page.keyboard.type("Eleanor")
    tab.page.get_by_role("option", name="Eleanor Brazil").click()
    tab.page.get_by_role("heading", name="Eleanor Brazil").wait_for(timeout=WAIT_MS)
    tab.settle()
    cells = tab.cells()
    assert "Commissioner" in cells and "Board member" in cells
    tab.shot("network-node-selected")
    tab.check()


def test_the_improvement_journey_chart_loads(tab: Offline) -> None:
    tab.open("page=journey", "Who led each improvement")
    chart = tab.page.locator("[data-testid='stVegaLiteChart']").first
    chart.wait_for(timeout=WAIT_MS)
    assert chart.locator("canvas, svg").count() > 0
    assert chart.bounding_box()["height"] > 200
    tab.shot("improvement-journey-chart")
    tab.check()


HOSTILE_VIEWS = [
    ("home-search", "page=home", "Where the data comes from"),
    ("entity", f"page=entity&iri={iris.person('hostile-name').value}", "Facts, by source"),
    ("network", "page=network", "Colour: kind"),
    ("journey", "page=journey", "Who led each improvement"),
    ("sources", f"page=entity&iri={iris.source('hostile-labels-fixture').value}", "Facts, by source"),
]


@pytest.mark.parametrize("name, query, ready", HOSTILE_VIEWS, ids=[v[0] for v in HOSTILE_VIEWS])
def test_html_in_labels_is_shown_as_text(tab: Offline, name: str, query: str, ready: str) -> None:
    tab.open(query, ready)
    if name == "home-search":
        box = tab.page.get_by_role("textbox", name="Search")
        box.fill("img src")
        box.press("Enter")
        tab.page.get_by_text("onerror=").first.wait_for(timeout=WAIT_MS)
        tab.settle()
    if name == "entity":
        assert tab.page.get_by_role("heading", name=HOSTILE_NAME).count() == 1
    tab.page.wait_for_timeout(1500)
    assert tab.page.locator("img[onerror], img[src='x']").count() == 0
    tab.shot(f"hostile-labels-{name}")
    tab.check()


PEOPLE = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
          "SELECT DISTINCT ?name WHERE { ?p a foaf:Person ; rdfs:label ?name } ORDER BY ?name")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY_LIMIT_S = 30


def test_twenty_sessions_and_a_runaway_query_during_a_rebuild(browser, cli_env: dict[str, str], tmp_path: Path) -> None:
    """Twenty browser sessions on one app run canned and editor queries while a load rebuilds the store and a
    twenty-first runs a query that never ends: every session gets its rows before the runaway is stopped, and
    the app then answers from the new store without a restart."""
    from urllib.parse import quote

    from councilkg.query.backends import EmbeddedBackend
    from councilkg.query.runner import Runner
    from councilkg.store import ReadOnlyStore, StoreFolder

    from .conftest import CLI

    def answer(query: str) -> list[dict[str, str]]:
        backend = EmbeddedBackend(ReadOnlyStore(folder))
        try:
            return Runner(backend).user(query).strings()
        finally:
            backend.close()

    built = subprocess.run([*CLI, "load", "-q"], env=cli_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    folder = StoreFolder(cli_env["COUNCILKG_STORE"])
    people = len(answer(PEOPLE))
    with streamlit_app(folder.root, tmp_path) as base:
        tabs = [Offline(browser, base) for _ in range(21)]
        try:
            canned, editors, runaway = tabs[:10], tabs[10:20], tabs[20]
            for tab in canned:
                tab.go("page=queries&question=leaders_at_date")  # its pickers default to Croydon, 2017-09-19
            for tab in editors:
                tab.go(f"page=editor&q={quote(PEOPLE)}")
            runaway.go(f"page=editor&q={quote(RUNAWAY)}")
            for tab in canned:
                tab.wait_for("People holding a post or role at a council")
            for tab in [*editors, runaway]:
                tab.wait_for("Start from a catalogue query")
            limit = runaway.page.get_by_label("Time limit (s)")
            limit.fill(str(RUNAWAY_LIMIT_S))
            limit.press("Enter")
            runaway.settle()

            before = folder.current_path()
            rebuild = subprocess.Popen([*CLI, "load", "--synthetic", "400000", "-q"], env=cli_env, cwd=tmp_path,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            started = time.monotonic()
            runaway.page.get_by_role("button", name="Run").click()
            for tab in canned + editors:
                tab.page.get_by_role("button", name="Run").click()
            assert rebuild.poll() is None, "the rebuild ended before the sessions ran their queries: make it bigger"
            # every session's answer is on its page before the runaway is stopped
            waiting = {id(tab): (tab, "rows in" if tab in canned else f"{people} rows in") for tab in canned + editors}
            deadline = started + WAIT_MS / 1000
            while waiting and time.monotonic() < deadline:
                for key, (tab, ready) in list(waiting.items()):
                    if tab.page.get_by_text(ready).count():
                        del waiting[key]
                assert runaway.page.get_by_text("the query was stopped").count() == 0, \
                    f"{len(waiting)} sessions still waiting after {time.monotonic() - started:.0f} s, when the runaway was stopped"
            seconds = time.monotonic() - started
            assert not waiting, f"{len(waiting)} sessions had no answer after {seconds:.0f} s"
            for tab in canned:
                tab.settle()
                cells = tab.cells()
                assert "Barbara Peacock" in cells and "Alisa Flemming" in cells
            for tab in editors:
                tab.settle()
                assert "Eleanor Brazil" in tab.cells()
            runaway.page.get_by_text("the query was stopped after").first.wait_for(timeout=(RUNAWAY_LIMIT_S + 60) * 1000)
            stopped = time.monotonic() - started

            _, err = rebuild.communicate(timeout=300)
            assert rebuild.returncode == 0, err
            assert folder.current_path() != before
            # a session that runs a query now reads the new store: no restart
            triples = answer(TRIPLES)[0]["n"]
            tab = editors[0]
            tab.page.locator("textarea[data-testid='ckg-sparql-editor']").fill(TRIPLES)
            tab.page.get_by_role("button", name="Run").click()
            tab.page.get_by_text("1 row in").first.wait_for(timeout=WAIT_MS)
            tab.settle()
            assert tab.cells() == [triples]
            for tab in tabs:
                tab.check()
        finally:
            for tab in tabs:
                tab.close()
    print(f"\n[app sessions] 20 browser sessions (10 canned, 10 editor) answered in {seconds:.1f} s during a rebuild; "
          f"the runaway session stopped at {stopped:.1f} s; the app then read the new store ({triples} triples); errors = 0")
