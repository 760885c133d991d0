"""The app's pages: one file each under ``pages/``, their titles and addresses, and the old ``?page=`` links.

    /                      Home
    /questions?question=leaders_at_date&council=E09000008&date=2019-10-16
    /editor?q=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D
    /network  /journey  /entity?iri=https%3A%2F%2Fw3id.org%2Fcouncilkg%2Fid%2Fcouncil%2FE09000008

Before the app had ``st.navigation`` every page was ``/?page=NAME`` (with names such as
``queries`` or ``sparql-editor``). Such a link is still followed: ``legacy_slug`` names the page it
meant, and the entry script switches to it with the link's other parameters intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

PAGES_DIR = Path(__file__).resolve().parent / "pages"


@dataclass(frozen=True)
class PageSpec:
    """A page: its address (``url_path``, also the name of its file in ``pages/``), title and tooltip."""

    slug: str
    title: str
    help: str

    @property
    def file(self) -> Path:
        return PAGES_DIR / f"{self.slug}.py"


PAGES = (
    PageSpec("home", "Home", "What the graph holds, where its data comes from, and a search for councils, people and boards."),
    PageSpec("questions", "Questions", "The catalogue's questions with pickers for their parameters; results to download."),
    PageSpec("editor", "SPARQL editor", "Read-only SPARQL over every source graph, with the time and row limits."),
    PageSpec("network", "Network", "People, posts and organisations as a network, filtered by council, role and date."),
    PageSpec("journey", "Improvement journey", "A council's judgements on a time axis above its leaders' tenures."),
    PageSpec("entity", "Entity", "Everything the graph says about a council, person, board or inspection, by source."),
    PageSpec("map", "Map", "England's authorities coloured by grade, latest or as at a date, in any judgement area."),
    PageSpec("trends", "Trends", "Grades in force each year by framework, and transitions between consecutive grades."),
    PageSpec("recommendations", "Recommendations", "What Ofsted recommended across England, by theme, year and authority."),
    PageSpec("recoveries", "Recoveries", "Every authority judged inadequate: each step back to good, national medians, neighbours."),
    PageSpec("inspectors", "Inspectors", "The inspections an Ofsted inspector led or joined, and who they inspected with."),
)
BY_SLUG = {spec.slug: spec for spec in PAGES}
HOME = "home"

#: the names old ``?page=`` links used for each page, besides the page's own slug (only for the redirect)
LEGACY_NAMES = {
    "queries": "questions",
    "query": "questions",
    "sparql": "editor",
    "sparql-editor": "editor",
    "improvement-journey": "journey",
}


def legacy_slug(asked: str) -> str | None:
    """The page an old ``?page=NAME`` link meant (any case, spaces around ignored), or None if none."""
    name = asked.strip().lower()
    return name if name in BY_SLUG else LEGACY_NAMES.get(name)


def page(slug: str) -> st.Page:
    """The ``st.Page`` of a page, for ``st.navigation``, ``st.page_link`` and ``st.switch_page``.

    Made afresh on each call (a Page needs the running script's context); two made for one slug are the same page.
    """
    spec = BY_SLUG[slug]
    return st.Page(spec.file, title=spec.title, url_path=spec.slug, default=slug == HOME, help=spec.help)


def pages() -> list[st.Page]:
    """Every page, in the order the sidebar lists them."""
    return [page(spec.slug) for spec in PAGES]
