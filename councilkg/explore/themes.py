"""Recommendations across England by theme: what the Recommendations page and ``councilkg themes`` show.

The themes and their rules are the scheme of ontology/themes.ttl (``councilkg.model.themes``); the loaders give each
recommendation its themes. This module reads what the store holds: how many recommendations each theme has, how
many have none, and the canned queries behind the page (``theme_authorities``, ``themes_by_year``,
``authority_recommendations``, ``recurring_themes``, ``unthemed_recommendations``).
"""

from __future__ import annotations

from dataclasses import dataclass

from councilkg.explore.lookup import run_internal
from councilkg.model import themes
from councilkg.query.runner import Runner

#: the Recommendations page's views, each the canned query it shows (the last, the scheme itself)
VIEWS: dict[str, str | None] = {
    "By theme": "theme_authorities", "By year and framework": "themes_by_year",
    "An authority, inspection after inspection": "authority_recommendations",
    "Themes that come back": "recurring_themes", "No theme": "unthemed_recommendations",
    "The themes and their rules": None}


@dataclass(frozen=True)
class ThemeCount:
    """A theme, its place in the scheme and how many recommendations of the store have it (and its narrower themes)."""

    name: str
    label: str
    broader: tuple[str, ...]
    recommendations: int
    with_narrower: int
    authorities: int


@dataclass(frozen=True)
class Coverage:
    """How many recommendations the store holds, and how many no rule gives a theme."""

    recommendations: int
    unthemed: int

    @property
    def unthemed_share(self) -> float:
        return self.unthemed / self.recommendations if self.recommendations else 0.0

    def line(self) -> str:
        """The figures in words: "3,461 recommendations; 10 (0.3%) have no theme"."""
        return (f"{self.recommendations:,} recommendations; {self.unthemed:,} ({self.unthemed_share:.1%}) "
                f"have no theme")


def choices() -> list[tuple[str, str]]:
    """(label, IRI) of every theme of the scheme, once each, narrower themes after their (first) broader one, for
    pickers."""
    scheme = themes.themes()
    out: dict[str, str] = {}

    def add(name: str) -> None:
        theme = scheme[name]
        out.setdefault(theme.label, theme.node.value)
        for child in sorted((t for t in scheme.values() if name in t.broader), key=lambda t: t.label):
            add(child.name)

    for top in sorted((t for t in scheme.values() if not t.broader), key=lambda t: t.label):
        add(top.name)
    return list(out.items())


def coverage(runner: Runner) -> Coverage:
    """How many recommendations the store holds and how many have no theme."""
    row = next(iter(run_internal(runner.backend, "recommendation_coverage").strings()), {})
    return Coverage(int(row.get("recommendations") or 0), int(row.get("unthemed") or 0))


def counts(runner: Runner) -> list[ThemeCount]:
    """Every theme of the scheme with how many recommendations and authorities have it, most frequent first."""
    found = {row["theme"]: row for row in run_internal(runner.backend, "theme_counts").strings()}
    scheme = themes.themes()

    def direct(name: str) -> int:
        return int(found.get(scheme[name].node.value, {}).get("recommendations") or 0)

    def narrower(name: str) -> set[str]:
        below = {t.name for t in scheme.values() if name in t.broader}
        return below.union(*(narrower(n) for n in below)) if below else set()

    rows = []
    for name, theme in scheme.items():
        row = found.get(theme.node.value, {})
        rows.append(ThemeCount(name, theme.label, theme.broader, direct(name),
                               direct(name) + sum(direct(n) for n in narrower(name)), int(row.get("authorities") or 0)))
    return sorted(rows, key=lambda r: (-r.recommendations, r.label))


def rule_lines() -> list[str]:
    """The scheme's rules as text, a theme at a time: its label, name, broader theme and each rule."""
    lines = []
    for theme in themes.themes().values():
        within = f" (within {', '.join(theme.broader)})" if theme.broader else ""
        lines.append(f"{theme.label} [{theme.name}]{within}")
        lines.extend(f"    {rule.words}" for rule in theme.rules)
        if theme.excepts:
            lines.append(f"    except in: {'; '.join(p.words for p in theme.excepts)}")
    return lines


def explain(text: str) -> list[str]:
    """The themes the rules give a text, one line each: the theme, the rule that fired and the words it matched."""
    scheme = themes.themes()
    return [f"{scheme[a.theme].label} [{a.theme}]: rule “{a.rule}” matched “{a.matched}”" for a in themes.assign(text)]


def by_iri(iri: str) -> themes.Theme:
    """The theme of the scheme with this IRI. Raises KeyError naming it when there is none."""
    for theme in themes.themes().values():
        if theme.node.value == iri:
            return theme
    raise KeyError(f"no recommendation theme {iri}")
