"""What the app's sessions share: the settings, one runner over the store, cached picker choices and look-ups.

The settings are built once from the environment (``Settings.from_env``); the runner, its store
handle and its pool of query workers are shared by every session; the pickers' choices are cached
per store generation, so a load that publishes a new one refreshes them; so are the look-ups the network and
inspectors pages make on every run (the teams, a council's or the country's ties and tenures), which take a
third to half a second each nationally. From a SPARQL endpoint they are kept for ``REMOTE_REFRESH_S``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from councilkg.explore import choices, inspectors, network, timeline
from councilkg.query.results import Value
from councilkg.query.runner import Runner
from councilkg.settings import Settings

#: seconds after which what the app looked up from a SPARQL endpoint is looked up again: an endpoint's data can change
#: without the app seeing it, while an embedded store's new generation refreshes every look-up at once and nothing
#: else expires (the first visit after an expiry would wait for the national look-ups again)
REMOTE_REFRESH_S = 600
#: how many store generations' look-ups each cache keeps (the one in use, and the one a load has just replaced)
GENERATIONS = 2


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """The app's settings: COUNCILKG_* variables, else the defaults (read once per app)."""
    return Settings.from_env()


@st.cache_resource(show_spinner=False)
def shared_runner() -> Runner:
    """One runner (and store handle, and query-worker pool) shared by every session of the app.

    The embedded store is opened read-only and follows new generations as loads publish them.
    """
    return Runner.from_settings(settings())


def store_version(runner: Runner) -> str:
    """The key every cached look-up is kept under: it changes when a load publishes a new store generation, and for
    a SPARQL endpoint (whose generations the app cannot see) every ``REMOTE_REFRESH_S`` seconds."""
    folder = getattr(runner.backend, "folder", None)
    if folder is not None:
        current = folder.current_path()
        return str(current) if current else ""
    return f"{getattr(runner.backend, 'description', '')}@{int(time.time() // REMOTE_REFRESH_S)}"


@st.cache_data(show_spinner=False, max_entries=GENERATIONS)
def _cached_councils(version: str) -> list[tuple[str, str]]:
    return choices.councils(shared_runner())


@st.cache_data(show_spinner=False, max_entries=GENERATIONS)
def _cached_people(version: str) -> list[tuple[str, str]]:
    return choices.people(shared_runner())


@st.cache_data(show_spinner=False, max_entries=GENERATIONS)
def _cached_regions(version: str) -> list[str]:
    return choices.regions(shared_runner())


@st.cache_data(show_spinner=False, max_entries=GENERATIONS)
def _cached_roles(version: str) -> list[tuple[str, str]]:
    return choices.roles_in_use(shared_runner())


def councils(runner: Runner) -> list[tuple[str, str]]:
    """(name, IRI) of every council, cached per store generation."""
    return _cached_councils(store_version(runner))


def people(runner: Runner) -> list[tuple[str, str]]:
    """(name, IRI) of every person, cached per store generation."""
    return _cached_people(store_version(runner))


def regions(runner: Runner) -> list[str]:
    """Every region, cached per store generation."""
    return _cached_regions(store_version(runner))


def roles(runner: Runner) -> list[tuple[str, str]]:
    """(label, IRI) of every role in use, cached per store generation."""
    return _cached_roles(store_version(runner))


@st.cache_data(show_spinner=False, max_entries=GENERATIONS)
def _cached_teams(version: str) -> list[dict[str, str]]:
    return inspectors.team_rows(shared_runner())


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_council_teams(version: str, council: str) -> list[dict[str, str]]:
    return inspectors.team_rows(shared_runner(), council=council)


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_ties(version: str, council: str | None, date: str | None) -> list[network.Tie]:
    params = {"council": Value.iri(council) if council else None, "date": date}
    return network.ties_from(shared_runner().canned("role_network", params, limit=None))


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_tenures(version: str, council: str | None) -> list[timeline.Tenure]:
    return timeline.timeline(shared_runner(), council)[0]


def teams(runner: Runner) -> list[dict[str, str]]:
    """Every inspector's team memberships (the national form of inspector_inspections), per store generation."""
    return _cached_teams(store_version(runner))


def council_teams(runner: Runner, council: str) -> list[dict[str, str]]:
    """The team memberships on one authority's inspections (its IRI), per store generation: a fraction of the
    national form's time, which a council's first visit to the network page would otherwise wait for."""
    return _cached_council_teams(store_version(runner), council)


def ties_and_tenures(runner: Runner, council: str | None, date: str | None) -> tuple[list[network.Tie], list[timeline.Tenure]]:
    """The role network's ties (of a council, as at a date, or all) and the leadership timeline's tenures (of the
    council, or every council's), per store generation. The two queries run side by side (the store lets go of the
    interpreter while it answers): the country's first network waits 0.6 s for them rather than 1 s."""
    version = store_version(runner)
    context = get_script_run_ctx(suppress_warning=True)

    def timeline_tenures() -> list[timeline.Tenure]:
        if context is not None:  # the session's, so that its cache is the one filled
            add_script_run_ctx(threading.current_thread(), context)
        return _cached_tenures(version, council)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="councilkg-tenures") as pool:
        later = pool.submit(timeline_tenures)
        return _cached_ties(version, council, date), later.result()
