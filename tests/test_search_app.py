"""The text search on Home: under AppTest (widgets, filters, snippets as escaped markdown) and in a real browser
(the highlighted snippet drawn, a hostile passage shown as text, nothing leaving the machine)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from councilkg.app import navigation, state
from councilkg.paths import ROOT

from .test_browser import READY, Offline, browser, context, streamlit_app  # noqa: F401 - the browser fixtures
from .test_search import ARTICLE, build_search_store

pytestmark = pytest.mark.shared
APP = ROOT / "app.py"
TIMEOUT = 60


@pytest.fixture(scope="module")
def search_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_search_store(tmp_path_factory.mktemp("search-app"))


@pytest.fixture
def home(search_store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """Home under AppTest over the search store."""
    monkeypatch.setenv("COUNCILKG_STORE", str(search_store))
    monkeypatch.delenv("COUNCILKG_ENDPOINT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page(str(navigation.BY_SLUG["home"].file.relative_to(APP.parent)))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    state.shared_runner().backend.close()
    st.cache_resource.clear()


def _search(at: AppTest, words: str) -> AppTest:
    at.text_input(key="home_text").input(words)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _links(at: AppTest) -> list[tuple[str, str]]:
    """(label as markdown, iri) of the entity links the page shows."""
    return [(link.value, parse_qs(link.proto.query_string).get("iri", [""])[0]) for link in at.page_link]


def test_home_finds_private_fostering_with_the_words_in_bold(home: AppTest) -> None:
    at = _search(home, "private fostering")
    captions = "\n".join(c.value for c in at.caption)
    assert "passage(s) match" in captions
    snippets = [m.value for m in at.markdown if "**private fostering**" in m.value.lower()]
    assert len(snippets) >= 5, [m.value for m in at.markdown]
    labels = [label for label, _iri in _links(at)]
    assert any("Ofsted finds" in label for label in labels)  # the Inside Croydon article (seed 001)
    assert any(label.startswith("read from") for label in labels)  # a report's recommendation read from a passage


def test_home_filters_by_council_and_kind(home: AppTest) -> None:
    at = _search(home, "private fostering")
    at.selectbox(key="home_text_council").select("Nottingham")
    at.multiselect(key="home_text_kinds").select("documents")
    at.run()
    assert not at.exception
    labels = [label for label, _iri in _links(at)]
    assert any("Ofsted Inspection of Children" in label for label in labels), labels  # the 2020 minutes (seed 003)
    assert not any("Ofsted finds" in label for label in labels)
    assert "1 passage(s) match" in "\n".join(c.value for c in at.caption)


def test_home_says_when_nothing_matches_and_when_a_filter_is_wrong(home: AppTest) -> None:
    at = _search(home, "zzzyzzx")
    assert any("No passage has" in i.value for i in at.info)
    at.text_input(key="home_text_years").input("last year")
    at.text_input(key="home_text").input("care")
    at.run()
    assert any("parameter year" in w.value for w in at.warning)


def test_home_pages_through_many_results(home: AppTest) -> None:
    at = _search(home, "children")
    first = [link.value for link in at.page_link if link.value.startswith("1\\. ")]
    at.number_input(key="home_text_page").set_value(2)
    at.run()
    assert not at.exception
    labels = [link.value for link in at.page_link]
    assert any(label.startswith("21\\. ") for label in labels) and not any(label.startswith("1\\. ") for label in labels)
    assert first and "21–40 shown" in "\n".join(c.value for c in at.caption)
    at.text_input(key="home_text").input("private fostering")  # one page only: shown from its first result
    at.run()
    assert "best first; 1–" in "\n".join(c.value for c in at.caption)


def test_a_hostile_passage_is_escaped_markdown(home: AppTest) -> None:
    at = _search(home, "forged")
    shown = [m.value for m in at.markdown if "forged" in m.value]
    assert len(shown) == 1
    text = shown[0]
    assert "**forged** text" in text
    assert "<img" not in text and "<script" not in text and "](http" not in text
    assert "&lt;script&gt;" in text and "\\[a link\\]" in text


# --------------------------------------------------------------------------------------------
# In a browser
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def search_server(search_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_app(search_store, tmp_path_factory.mktemp("streamlit-search")) as base:
        yield base


@pytest.fixture
def tab(context, search_server: str) -> Iterator[Offline]:  # noqa: F811 - the browser module's context fixture
    page = Offline(context, search_server)
    yield page
    page.close()


def search_home(tab: Offline, words: str) -> None:
    """Open Home, search the text for words, and wait until the results are drawn."""
    tab.open("", READY[""])
    box = tab.page.get_by_role("textbox", name="Words")
    box.fill(words)
    box.press("Enter")
    tab.page.get_by_text("passage(s) match").first.wait_for(timeout=60_000)
    tab.settle()


def marked(tab: Offline, words: str):
    """The words drawn in bold in the page's snippets."""
    return tab.page.locator("[data-testid='stMarkdownContainer'] strong", has_text=words)


@pytest.mark.browser
def test_the_text_search_on_home_in_a_browser(tab: Offline) -> None:
    search_home(tab, "private fostering")
    assert marked(tab, "private fostering").count() >= 5
    tab.shot("home-text-search")
    # the article's link opens its source's page
    tab.page.get_by_role("link", name="Ofsted finds").first.click()
    tab.wait_for(READY["entity"])
    path, query = tab.address()
    assert (path, parse_qs(query)) == ("/entity", {"iri": [ARTICLE]})
    tab.check()


@pytest.mark.browser
def test_a_hostile_passage_is_shown_as_text_in_a_browser(tab: Offline) -> None:
    search_home(tab, "forged")
    assert tab.page.get_by_text("onerror=").count() >= 1
    tab.page.wait_for_timeout(1500)  # time for an injected element to load and run, were there one
    assert tab.page.locator("img[onerror], img[src='x']").count() == 0
    assert tab.page.locator("a[href='http://example.com']").count() == 0
    assert marked(tab, "forged").count() == 1
    tab.shot("home-text-search-hostile")
    tab.check()
