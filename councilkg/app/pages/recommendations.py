"""Recommendations across England: which authorities were told a theme and when, themes by year and framework, what
an authority was told inspection after inspection, themes that come back at the next inspection, and the
recommendations no rule gives a theme. Each view is a canned query (its rows to download); the themes and their rules
are ontology/themes.ttl, shown on the page."""

from __future__ import annotations

import streamlit as st

from councilkg.app import charts, elements, state
from councilkg.app.markdown import md
from councilkg.explore import themes
from councilkg.query.results import QueryResult

#: the columns shown first, where a view has them (the words before the IRIs)
FIRST_COLUMNS = ["councilLabel", "year", "published", "framework", "assignedThemeLabel", "text", "themes", "rule",
                 "matchedText", "earlierPublished", "laterPublished", "earlierExample", "laterExample"]
FIRST_THEME = "Care leavers' accommodation"
FIRST_COUNCIL = "Croydon"


def show(result: QueryResult, name: str, key: str) -> None:
    """A canned query's rows as a table (an IRI column with a label beside it shown by its label), with downloads."""
    st.caption(result.summary())
    shown = [c for c in result.columns if f"{c}Label" not in result.columns]
    shown.sort(key=lambda c: FIRST_COLUMNS.index(c) if c in FIRST_COLUMNS else len(FIRST_COLUMNS))
    elements.table(result.strings(), key=f"{key}_table", column_order=shown)
    left, right, _ = st.columns([1, 1, 4])
    left.download_button("Download CSV", result.to_csv(), file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv")
    right.download_button("Download JSON", result.to_json(), file_name=f"{name}.json",
                          mime="application/sparql-results+json", key=f"{key}_json")


def council_picker(key: str, optional: bool) -> str | None:
    """A council from the graph (its IRI), or None for England when ``optional``."""
    councils = state.councils(runner)
    names = ([elements.ANY] if optional else []) + [n for n, _ in councils]
    default = 0 if optional else (names.index(FIRST_COUNCIL) if FIRST_COUNCIL in names else 0)
    chosen = st.selectbox("Authority", names, index=default, key=key)
    return None if chosen == elements.ANY else dict(councils).get(chosen)


def theme_picker(key: str, optional: bool) -> str | None:
    """A theme of the scheme (its IRI), or None for every theme when ``optional``."""
    options = themes.choices()
    labels = ([elements.ANY] if optional else []) + [label for label, _ in options]
    default = 0 if optional else (labels.index(FIRST_THEME) if FIRST_THEME in labels else 0)
    chosen = st.selectbox("Theme", labels, index=default, key=key,
                          help="A theme includes its narrower themes (care leavers includes their accommodation).")
    return None if chosen == elements.ANY else dict(options)[chosen]


runner = state.shared_runner()
st.title("Recommendations across England")
covered = themes.coverage(runner)
st.caption(f"{covered.line()}. Themes are given by readable rules (the last view lists them): a recommendation has "
           "every theme one of whose phrases it contains, and each row says which rule fired.")
view = st.radio("View", list(themes.VIEWS), horizontal=True, key="rc_view", label_visibility="collapsed")
name = themes.VIEWS[view]
if name == "theme_authorities":
    theme = theme_picker("rc_theme", optional=False)
    show(runner.canned(name, {"theme": theme}), name, "rc_by_theme")
elif name == "themes_by_year":
    theme = theme_picker("rc_year_theme", optional=True)
    result = runner.canned(name, {"theme": theme})
    if len(result):
        st.altair_chart(charts.themes_by_year_chart(result.strings()), key="rc_year_chart")
    show(result, name, "rc_by_year")
elif name == "authority_recommendations":
    council = council_picker("rc_council", optional=False)
    if council is None:
        st.info("The graph holds no authorities.")
    else:
        show(runner.canned(name, {"council": council}), name, "rc_authority")
elif name == "recurring_themes":
    st.write("A theme an authority's recommendations had at one inspection and again at the next inspection that made "
             "recommendations to it.")
    show(runner.canned(name, {"council": council_picker("rc_recurring_council", optional=True)}), name, "rc_recurring")
elif name == "unthemed_recommendations":
    st.write("Recommendations none of the rules gives a theme: what the scheme misses.")
    show(runner.canned(name, {"council": council_picker("rc_unthemed_council", optional=True)}), name, "rc_unthemed")
else:
    elements.table([{"theme": row.label, "within": ", ".join(row.broader), "recommendations": row.recommendations,
                     "with narrower themes": row.with_narrower, "authorities": row.authorities}
                    for row in themes.counts(runner)], key="rc_counts")
    options = themes.choices()
    label = st.selectbox("The rules of", [label for label, _ in options], key="rc_rules_theme")
    theme = themes.by_iri(dict(options)[label])
    st.write(md(theme.definition))
    st.code("\n".join(rule.words for rule in theme.rules), language=None)
    if theme.excepts:
        st.caption("Not counted inside: " + md("; ".join(p.words for p in theme.excepts)))
    st.caption("Words match whole and in order, ignoring case, with anything but letters and digits between them; a "
               "word ending in * matches any word it begins; phrases joined by + must all occur. The rules are in "
               "ontology/themes.ttl; the store is rebuilt to apply a change.")
