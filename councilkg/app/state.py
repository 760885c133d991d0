"""What the app's sessions share: the settings, one runner over the store, cached picker choices and look-ups.

The settings are built once from the environment (``Settings.from_env``); the runner, its store
handle and its pool of query workers are shared by every session; the pickers' choices are cached
per store generation, so a load that publishes a new one refreshes them; so are the look-ups the network and
inspectors pages make on every run (the teams, a council's or the country's ties and tenures), which take a
third of a second nationally.
"""

from __future__ import annotations

import streamlit as st

from councilkg.explore import choices, inspectors, network, timeline
from councilkg.query.results import Value
from councilkg.query.runner import Runner
from councilkg.settings import Settings

#: seconds a picker's choices are kept before they are looked up again (a new store generation refreshes them at once)
CHOICES_TTL = 600


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
    """Changes when a load publishes a new store generation (so cached pickers refresh)."""
    folder = getattr(runner.backend, "folder", None)
    if folder is not None:
        current = folder.current_path()
        return str(current) if current else ""
    return getattr(runner.backend, "description", "")


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL)
def _cached_councils(version: str) -> list[tuple[str, str]]:
    return choices.councils(shared_runner())


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL)
def _cached_people(version: str) -> list[tuple[str, str]]:
    return choices.people(shared_runner())


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL)
def _cached_regions(version: str) -> list[str]:
    return choices.regions(shared_runner())


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL)
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


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL)
def _cached_teams(version: str) -> list[dict[str, str]]:
    return inspectors.team_rows(shared_runner())


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL, max_entries=64)
def _cached_ties(version: str, council: str | None, date: str | None) -> list[network.Tie]:
    params = {"council": Value.iri(council) if council else None, "date": date}
    return network.ties_from(shared_runner().canned("role_network", params, limit=None))


@st.cache_data(show_spinner=False, ttl=CHOICES_TTL, max_entries=64)
def _cached_tenures(version: str, council: str | None) -> list[timeline.Tenure]:
    return timeline.timeline(shared_runner(), council)[0]


def teams(runner: Runner) -> list[dict[str, str]]:
    """Every inspector's team memberships (the national form of inspector_inspections), per store generation."""
    return _cached_teams(store_version(runner))


def role_ties(runner: Runner, council: str | None, date: str | None) -> list[network.Tie]:
    """The role network's ties (of a council, as at a date, or all), per store generation."""
    return _cached_ties(store_version(runner), council, date)


def tenures(runner: Runner, council: str | None) -> list[timeline.Tenure]:
    """The leadership timeline's tenures (of a council, or every council's), per store generation."""
    return _cached_tenures(store_version(runner), council)
