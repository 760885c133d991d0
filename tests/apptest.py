"""The Streamlit app run through AppTest, as the page tests use it (tests/test_app.py and each page's own file).

``app_on`` points the app at a store (caches cleared, so each test opens it anew) and gives ``open_page``; the
``app`` fixture in conftest does it on the app store. The helpers read what a page shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from councilkg.app import navigation, state
from councilkg.paths import ROOT

APP = ROOT / "app.py"
TIMEOUT = 60


def page_file(slug: str) -> str:
    """A page's script, relative to the entry script (as AppTest.switch_page takes it)."""
    return str(navigation.BY_SLUG[slug].file.relative_to(APP.parent))


def run(at: AppTest) -> AppTest:
    """Run the script; it must not raise."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(page: str = "home", **params: str) -> AppTest:
    """Run the app on a page (by its address, ``questions``) with these query parameters; it must not raise."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page(page_file(page))
    at.query_params.update(params)
    return run(at)


def follow(**params: str) -> AppTest:
    """Run the app at its root address with these query parameters (an old ``?page=NAME`` link)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(params)
    return run(at)


@contextmanager
def app_on(store: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """``open_page`` on this store (no endpoint), the app's caches cleared before and after."""
    monkeypatch.setenv("COUNCILKG_STORE", str(store))
    monkeypatch.delenv("COUNCILKG_ENDPOINT", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield open_page
    finally:
        state.shared_runner().backend.close()
        st.cache_resource.clear()
        st.cache_data.clear()


def texts(at: AppTest) -> str:
    """Everything the page says in markdown, captions, metrics and titles."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value for t in at.title]
    parts += [h.value for h in at.header] + [s.value for s in at.subheader]
    parts += [f"{m.label}={m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def links(at: AppTest) -> list[tuple[str, str, dict[str, list[str]]]]:
    """Every page link: (its label as markdown, the page's address, its query parameters)."""
    return [(link.value, link.proto.page, parse_qs(link.proto.query_string)) for link in at.page_link]


def table(at: AppTest, *columns: str):
    """The first table with these columns (AppTest does not expose a dataframe's key)."""
    for frame in at.dataframe:
        if set(columns) <= set(frame.value.columns):
            return frame.value
    raise AssertionError(f"no table with columns {columns}; tables: {[list(f.value.columns) for f in at.dataframe]}")


def drawings(at: AppTest) -> dict[str, dict]:
    """The network drawings on the page (``app/network_view.py``), by key: what each was sent to draw."""
    out = {}
    for element in at.get("bidi_component"):
        if element.proto.component_name == "councilkg_network_view":
            (sent,) = json.loads(element.proto.json)  # sent in a list (network_view.py says why)
            out[element.proto.id.split("-", 2)[-1]] = sent
    return out
