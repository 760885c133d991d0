"""Streamlit pieces shared by the app's pages: the shared runner, cached pickers, the SPARQL editor.

The data behind them comes from tested modules (explore, network, charts); this module only wires
them to Streamlit.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from councilkg.explore import entities as explore
from councilkg.query.backends import backend_for
from councilkg.query.runner import Runner
from councilkg.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_TIMEOUT = 10.0


@st.cache_resource(show_spinner=False)
def shared_runner() -> Runner:
    """One runner (and store handle, and query-worker pool) shared by every session of the app.

    The embedded store is opened read-only and follows new generations as loads publish them.
    """
    settings = Settings.from_env()
    return Runner(backend_for(settings), limit=settings.row_limit, timeout=settings.timeout)


def store_version(runner: Runner) -> str:
    """Changes when a load publishes a new store generation (so cached pickers refresh)."""
    folder = getattr(runner.backend, "folder", None)
    if folder is not None:
        current = folder.current_path()
        return str(current) if current else ""
    return getattr(runner.backend, "description", "")


@st.cache_data(show_spinner=False, ttl=600)
def _cached_councils(version: str) -> list[tuple[str, str]]:
    return explore.councils(shared_runner())


@st.cache_data(show_spinner=False, ttl=600)
def _cached_people(version: str) -> list[tuple[str, str]]:
    return explore.people(shared_runner())


@st.cache_data(show_spinner=False, ttl=600)
def _cached_regions(version: str) -> list[str]:
    return explore.regions(shared_runner())


@st.cache_data(show_spinner=False, ttl=600)
def _cached_roles(version: str) -> list[tuple[str, str]]:
    return explore.roles_in_use(shared_runner())


def councils(runner: Runner) -> list[tuple[str, str]]:
    return _cached_councils(store_version(runner))


def people(runner: Runner) -> list[tuple[str, str]]:
    return _cached_people(store_version(runner))


def regions(runner: Runner) -> list[str]:
    return _cached_regions(store_version(runner))


def roles(runner: Runner) -> list[tuple[str, str]]:
    return _cached_roles(store_version(runner))


_EDITOR = None


def sparql_editor(key: str, value: str) -> tuple[str, bool]:
    """A syntax-highlighted SPARQL editor; returns (its text, whether Ctrl+Enter asked to run)."""
    global _EDITOR
    if _EDITOR is None:
        _EDITOR = st.components.v2.component(
            "councilkg_sparql_editor",
            html='<div class="ckg-editor"><pre aria-hidden="true"><code></code></pre>'
                 '<textarea spellcheck="false" aria-label="SPARQL query" data-testid="ckg-sparql-editor"></textarea></div>',
            css=(STATIC / "sparql_editor.css").read_text(encoding="utf-8"),
            js=(STATIC / "sparql_editor.js").read_text(encoding="utf-8"),
        )
    result = _EDITOR(data={"value": value}, default={"value": value}, key=key,
                     on_value_change=lambda: None, on_run_change=lambda: None)
    text = getattr(result, "value", None)
    return (text if isinstance(text, str) else value), bool(getattr(result, "run", None))
