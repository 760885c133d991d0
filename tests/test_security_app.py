"""Issue 24, findings 5 and 6: nothing from an address or from the data is drawn as markdown or HTML, and a bad
``iri`` gets a plain message, never a traceback.

A store whose labels are markdown images and links pointing at a loopback listener; the app under AppTest, every
markdown-drawing element rendered as markdown (markdown-it, plus GitHub's autolinks of bare addresses, which
Streamlit's renderer adds) must hold no image and no link; and, in a real browser, the listener is never called.
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.parse
from pathlib import Path

import pytest
import streamlit as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from councilkg.app import navigation, state
from councilkg.app.markdown import md
from councilkg.model import iris
from councilkg.paths import CURATED_DIR, ROOT

from .attacks import Listener

APP = ROOT / "app.py"
_MARKDOWN = MarkdownIt("commonmark")
#: what GitHub-flavoured markdown links in plain text by itself (Streamlit's renderer does)
_AUTOLINKED = re.compile(r"(?i)https?://|www\.|[\w.+-]+@[\w-]+\.[\w-]+")


def draws_link_or_image(markdown: str) -> str | None:
    """What a markdown text would draw that fetches or links somewhere: None if nothing."""
    rendered = _MARKDOWN.render(markdown)
    for tag in ("<img", "<a ", "<script", "<iframe"):
        if tag in rendered:
            return f"{tag} in {rendered[:300]!r}"
    text = re.sub(r"<[^>]+>", "", rendered)
    found = _AUTOLINKED.search(text)
    return f"an address GFM links: {found.group(0)!r} in {text[:300]!r}" if found else None


@pytest.fixture(scope="module")
def markdown_store(tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> Path:
    """The curated graph plus a source whose person, board and title are markdown images and links."""
    from councilkg.sources.build import LoadPlan, load
    from councilkg.store import StoreFolder

    url = listener.url.rstrip("/")
    curated = tmp_path_factory.mktemp("md-curated") / "curated"
    shutil.copytree(CURATED_DIR, curated)
    (curated / "markdown-labels.yaml").write_text(f"""source:
  id: markdown-labels-fixture
  title: "![t]({url}/md-img-source-title) [Log in again]({url}/md-link-source-title)"
  type: news-article
councils:
  - id: croydon
people:
  - id: md-person
    name: "![p]({url}/md-img-person-label) <{url}/md-autolink-person> [Log in again]({url}/md-link-person) [r][1] www.example.org"
organisations:
  - id: md-board
    kind: board
    name: "![b]({url}/md-img-board-label) [Log in]({url}/md-link-board) me@example.org"
    part_of: croydon
memberships:
  - member: md-person
    organisation: croydon
    role: dcs
    seen: [2019-10-16]
  - member: md-person
    organisation: md-board
    role: board-chair
    seen: [2019-10-16]
""", encoding="utf-8")
    root = tmp_path_factory.mktemp("md-store") / "store"
    load(StoreFolder(root), LoadPlan(curated=curated))
    return root


@pytest.fixture
def app(markdown_store: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COUNCILKG_STORE", str(markdown_store))
    monkeypatch.delenv("COUNCILKG_ENDPOINT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()

    def open_page(slug: str | None, /, **params: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        if slug:
            at.switch_page(str(navigation.BY_SLUG[slug].file.relative_to(APP.parent)))
        at.query_params.update(params)
        at.run()
        return at

    yield open_page
    state.shared_runner().backend.close()
    st.cache_resource.clear()


def drawn(at: AppTest) -> list[tuple[str, str]]:
    """(element, markdown) of everything the page draws as markdown."""
    parts: list[tuple[str, str]] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "error", "info", "success"):
        parts += [(kind, str(e.value)) for e in getattr(at, kind)]
    parts += [("expander", e.label) for e in at.expander]
    parts += [("page_link", link.value) for link in at.page_link]
    return parts


def assert_nothing_drawn(at: AppTest, where: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for kind, text in drawn(at):
        problem = draws_link_or_image(text)
        assert problem is None, f"{where}: {kind} draws {problem}"


def _image(name: str, listener: Listener) -> str:
    return f"![x]({listener.url}md-img-{name}) [Log in again]({listener.url}md-link-{name}) <{listener.url}md-auto-{name}>"


@pytest.mark.parametrize("page, param", [(None, "page"), ("questions", "question"), ("questions", "council"),
                                         ("questions", "date"), ("home", "q"), ("entity", "iri"), ("editor", "q")],
                         ids=lambda v: str(v))
def test_markdown_in_an_address_parameter_is_drawn_as_text(app, listener: Listener, page: str | None, param: str) -> None:
    params = {param: _image(param, listener)}
    if param in ("council", "date"):
        params["question"] = "leaders_at_date"
    at = app(page, **params)
    assert_nothing_drawn(at, f"/{page or ''}?{param}=")
    if param != "q":
        shown = "\n".join(text for _, text in drawn(at))
        assert f"md\\-img\\-{param}" in shown, "the value is not said at all"


@pytest.mark.parametrize("who", ["person/md-person", "org/md-board"])
def test_markdown_in_labels_and_titles_is_drawn_as_text(app, who: str) -> None:
    at = app("entity", iri=iris.ID + who)
    assert_nothing_drawn(at, who)
    assert at.header and "md\\-img" in at.header[0].value  # the label is shown, escaped


def test_markdown_in_labels_on_a_council_page_and_the_journey(app) -> None:
    assert_nothing_drawn(app("entity", iri=iris.council("E09000008").value), "Croydon's page")
    assert_nothing_drawn(app("journey"), "journey")
    assert_nothing_drawn(app("network"), "network")


def test_a_search_hitting_a_markdown_label_draws_it_as_text(app) -> None:
    at = app("home")
    at.text_input(key="home_search").input("Log in again").run()
    assert_nothing_drawn(at, "home search")


@pytest.mark.parametrize("iri", ["not an iri <x>", "http://x y", "https://w3id.org/<script>", "\u0000"],
                         ids=["spaces-and-brackets", "space", "bracket", "nul"])
def test_a_bad_iri_gets_a_plain_message_not_a_traceback(app, iri: str) -> None:
    at = app("entity", iri=iri)
    assert not at.exception, [e.value for e in at.exception]
    assert any("is not an IRI" in w.value for w in at.warning) or any("says nothing" in w.value for w in at.warning)
    assert "Traceback" not in "\n".join(text for _, text in drawn(at))


def test_md_breaks_every_markdown_construct() -> None:
    hostile = ("![i](http://h/i) [l](http://h/l) <http://h/a> [r][1]\n\n[1]: http://h/r\n<img src=x> "
               "www.h.org me@h.org https://h/x *b* `c` $x$ :red[y] :material/home:")
    assert draws_link_or_image(md(hostile)) is None
    assert draws_link_or_image(hostile) is not None  # the check sees them when not escaped


# -- in a real browser: the visitor's browser fetches nothing ------------------------------------------------


@pytest.mark.browser
@pytest.mark.slow
def test_in_a_browser_no_markdown_from_the_data_or_the_address_fetches_or_links(markdown_store: Path, listener: Listener,
                                                                               tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from .test_browser import CHROMIUM_ARGS, chromium_path, streamlit_app

    executable = chromium_path()
    image = urllib.parse.quote(_image("browser", listener))
    addresses = [f"/?page={image}", f"/questions?question={image}",
                 f"/questions?question=leaders_at_date&council={image}&date={image}",
                 f"/entity?iri={urllib.parse.quote(iris.ID + 'person/md-person')}",
                 f"/entity?iri={urllib.parse.quote(iris.ID + 'org/md-board')}", "/entity?iri=not%20an%20iri%20%3Cx%3E"]
    before = listener.connections_so_far()
    with streamlit_app(markdown_store, tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for address in addresses:
                page = browser.new_page()
                page.goto(base + address)
                page.wait_for_selector("h1", timeout=60_000)
                time.sleep(2)  # the rest of the page draws
                port = f"127.0.0.1:{listener.port}"
                links = page.eval_on_selector_all("a[href]", f"els => els.map(e => e.href).filter(h => h.includes('{port}'))")
                images = page.eval_on_selector_all("img", f"els => els.map(e => e.src).filter(h => h.includes('{port}'))")
                assert links == [] and images == [], f"{address}: links {links}, images {images}"
                assert "Traceback" not in page.content(), address
                page.close()
        finally:
            browser.close()
    assert listener.connections_so_far() == before
