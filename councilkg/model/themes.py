"""Recommendation themes: the rules of ontology/themes.ttl applied to a recommendation's words.

Each theme of the ``recommendation-theme`` scheme carries its rules as readable literals (``ckg:matchPhrase``), and
may carry phrases within which its rules do not count (``ckg:exceptPhrase``). A rule is one or more phrases joined
by `` + ``; it fires when every phrase occurs in the text. In a phrase:

- words match whole and in order, ignoring case, with anything but letters and digits between them
  ("care leavers" matches "care-leavers" and "care  leavers"; "16 and 17" matches "16- and 17-year-olds");
- a word ending in ``*`` matches any word it begins ("assess*" matches "assess", "assessed", "assessments");
- ``'`` matches either apostrophe ("children's" matches "children’s").

``assign(text)`` gives every theme whose rules fire, each once, with the rule that fired first in the text and the
words it matched; ``triples(recommendation, text)`` writes them as RDF (a ``ckg:theme`` link and a
``ckg:ThemeAssignment`` node), so the loaders give each recommendation its themes in the recommendation's own graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from councilkg.model import iris
from councilkg.model.iris import RDF_TYPE, ckg, rdfs
from councilkg.paths import THEMES_FILE

SCHEME = "recommendation-theme"
#: recorded on each assignment: the rules of this version of themes.ttl
RULES_VERSION = "councilkg-themes/1"
_SEPARATOR = r"[\W_]+"


@dataclass(frozen=True)
class Phrase:
    """One phrase of a rule: its words as written, its pattern, and a word the text must contain for it to match (a
    quick test before the pattern)."""

    words: str
    needle: str
    pattern: re.Pattern[str]

    def finditer(self, text: str, lowered: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text) if self.needle in lowered else iter(())


@dataclass(frozen=True)
class Rule:
    """One ``ckg:matchPhrase`` of a theme: its words as the scheme writes them, and each of its phrases."""

    theme: str
    words: str
    parts: tuple[Phrase, ...]


@dataclass(frozen=True)
class Theme:
    """A theme of the scheme: its name (the last segment of its IRI), label, rules and exceptions."""

    name: str
    label: str
    definition: str
    rules: tuple[Rule, ...]
    excepts: tuple[Phrase, ...]
    broader: tuple[str, ...] = ()

    @property
    def node(self) -> ox.NamedNode:
        return iris.concept(SCHEME, self.name)


@dataclass(frozen=True)
class Assignment:
    """A theme a recommendation was given: the rule that fired, the words it matched and where (a character offset)."""

    theme: str
    rule: str
    matched: str
    start: int


def phrase_pattern(phrase: str) -> Phrase:
    """One phrase of a rule (see the module's docstring). Raises ValueError for an empty phrase or a word with
    characters other than letters, digits, an apostrophe and a final ``*``."""
    words = phrase.split()
    if not words:
        raise ValueError(f"an empty phrase in the rule {phrase!r}")
    out = []
    for word in words:
        stem, star = (word[:-1], True) if word.endswith("*") else (word, False)
        if not re.fullmatch(r"[\w']+", stem):
            raise ValueError(f"the phrase {phrase!r}: {word!r} is not a word (letters, digits, ' and a final *)")
        out.append(re.escape(stem).replace("'", "['’]") + (r"\w*" if star else ""))
    needle = max((part for word in words for part in word.rstrip("*").lower().split("'")), key=len)
    return Phrase(phrase, needle, re.compile(r"(?<!\w)" + _SEPARATOR.join(out) + r"(?!\w)", re.IGNORECASE))


def parse_rule(theme: str, words: str) -> Rule:
    """A rule as the scheme writes it: phrases joined by `` + ``, all of which must occur."""
    return Rule(theme, words, tuple(phrase_pattern(part) for part in words.split(" + ")))


@lru_cache(maxsize=1)
def themes() -> dict[str, Theme]:
    """Every theme of ontology/themes.ttl by name, with its rules. Raises ValueError naming a malformed rule."""
    prefix = iris.CONCEPT + SCHEME + "/"
    facts: dict[str, dict[str, list[str]]] = {}
    for t in ox.parse(path=str(THEMES_FILE), format=ox.RdfFormat.TURTLE):
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefix):
            facts.setdefault(t.subject.value[len(prefix):], {}).setdefault(t.predicate.value, []).append(t.object.value)
    out = {}
    for name, props in sorted(facts.items()):
        try:
            rules = tuple(parse_rule(name, words) for words in sorted(props.get(ckg.matchPhrase.value, [])))
            excepts = tuple(phrase_pattern(words) for words in sorted(props.get(ckg.exceptPhrase.value, [])))
        except ValueError as exc:
            raise ValueError(f"{THEMES_FILE.name}, theme {name}: {exc}") from None
        broader = tuple(sorted(b[len(prefix):] for b in props.get(iris.skos.broader.value, []) if b.startswith(prefix)))
        out[name] = Theme(name, props.get(iris.skos.prefLabel.value, [name])[0],
                          props.get(iris.skos.definition.value, [""])[0], rules, excepts, broader)
    return out


def _first_match(rule: Rule, text: str, lowered: str, excluded: list[tuple[int, int]]) -> tuple[int, str] | None:
    """Where the rule first fires in the text (the offset of its first part) and the words of each part; None when a
    part does not occur outside the excluded spans."""
    found = []
    for phrase in rule.parts:
        hit = next((m for m in phrase.finditer(text, lowered)
                    if not any(a <= m.start() and m.end() <= b for a, b in excluded)), None)
        if hit is None:
            return None
        found.append(hit)
    return found[0].start(), " … ".join(" ".join(m.group(0).split()) for m in found)


@lru_cache(maxsize=1)
def _by_needle() -> dict[str, list[Rule]]:
    """Every rule, under the needle of each of its phrases: a text can only fire the rules whose needles it holds."""
    out: dict[str, list[Rule]] = {}
    for theme in themes().values():
        for rule in theme.rules:
            for phrase in rule.parts:
                out.setdefault(phrase.needle, []).append(rule)
    return out


def assign(text: str) -> list[Assignment]:
    """The themes whose rules fire on the text, in the order of their names, each with the rule that fires earliest
    in it (where two begin at the same place: the one of fewer phrases, then the longer match, then the longer
    rule: "private fostering" rather than "private foster*")."""
    lowered = text.lower()
    present = {needle for needle in _by_needle() if needle in lowered}
    candidates: dict[str, list[Rule]] = {}
    for needle in present:
        for rule in _by_needle()[needle]:
            if all(phrase.needle in present for phrase in rule.parts):
                candidates.setdefault(rule.theme, []).append(rule)
    out = []
    for name in sorted(candidates):
        theme = themes()[name]
        excluded = [(m.start(), m.end()) for phrase in theme.excepts for m in phrase.finditer(text, lowered)]
        best: tuple[int, int, int, int, str, str] | None = None
        for rule in set(candidates[name]):
            hit = _first_match(rule, text, lowered, excluded)
            if hit is not None:  # the earliest; then the rule of fewest phrases, the longest match, the longest rule
                key = (hit[0], len(rule.parts), -len(hit[1]), -len(rule.words), rule.words, hit[1])
                best = key if best is None or key < best else best
        if best is not None:
            out.append(Assignment(name, best[4], best[5], best[0]))
    return out


Triple = tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]


def triples(recommendation: ox.NamedNode, text: str) -> list[Triple]:
    """The themes of a recommendation as RDF: ``ckg:theme`` each theme, and for each a ``ckg:ThemeAssignment``
    (``<recommendation>/theme/<name>``) with the theme, the rule that fired and the words it matched."""
    out: list[Triple] = []
    for a in assign(text):
        theme = themes()[a.theme]
        node = ox.NamedNode(f"{recommendation.value}/theme/{a.theme}")
        out += [(recommendation, ckg.theme, theme.node), (recommendation, ckg.themeAssignment, node),
                (node, RDF_TYPE, ckg.ThemeAssignment), (node, ckg.assignedTheme, theme.node),
                (node, rdfs.label, ox.Literal(f"{theme.label}: “{a.matched}” (rule: {a.rule})")),
                (node, ckg.matchRule, ox.Literal(a.rule)), (node, ckg.matchedText, ox.Literal(a.matched)),
                (node, ckg.extractorVersion, ox.Literal(RULES_VERSION))]
    return out
