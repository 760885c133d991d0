"""Recommendation themes: the scheme's rules, the themes of real recommendations read by hand, the loaders writing
them, the canned queries over them, and ``councilkg themes``."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from councilkg.cli.main import main
from councilkg.explore import themes as explore_themes
from councilkg.model import concepts, iris, themes
from councilkg.paths import THEMES_FILE
from councilkg.query.runner import Runner
from councilkg.store.shacl import validate_quads

from .conftest import FIXTURES, shared_path

CKG = iris.ckg
CROYDON = iris.council("E09000008").value
FIXTURE = FIXTURES / "themes" / "recommendations.yaml"
READ = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
REPORTS = shared_path("data", "ofsted-reports")
LOOKUP = shared_path("data", "reference", "la_lookup.csv")
OUTCOMES = shared_path("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods")
needs_reports = pytest.mark.skipif(not REPORTS.is_dir() or not LOOKUP.is_file() or not OUTCOMES.is_file(),
                                   reason="../shared/data (reports, the lookup, the outcomes table) is not beside the project")


def theme_iri(name: str) -> str:
    return iris.concept(themes.SCHEME, name).value


# --------------------------------------------------------------------------------------------
# The scheme
# --------------------------------------------------------------------------------------------


def test_every_theme_has_a_label_a_definition_and_readable_rules() -> None:
    scheme = themes.themes()
    assert len(scheme) >= 40
    for needed in ("care-leavers-accommodation", "private-fostering", "management-oversight", "supervision",
                   "permanence-planning", "missing-children"):
        assert needed in scheme, f"{THEMES_FILE.name} has no theme {needed}"
    for name, theme in scheme.items():
        assert theme.label and theme.definition and theme.rules, f"{THEMES_FILE.name}: {name}"
        assert all(b in scheme for b in theme.broader), f"{name}: broader {theme.broader}"
        assert concepts.get(themes.SCHEME, name) is not None, f"{name} is not in the concept index"


def test_the_top_concepts_are_the_themes_with_no_broader_one() -> None:
    store = ox.Store()
    store.load(path=str(THEMES_FILE), format=ox.RdfFormat.TURTLE)
    scheme = ox.NamedNode(iris.concept_scheme(themes.SCHEME).value)
    tops = {q.object.value for q in store.quads_for_pattern(scheme, iris.skos.hasTopConcept, None)}
    assert tops == {t.node.value for t in themes.themes().values() if not t.broader}


@pytest.mark.parametrize("rule, text, fires", [
    ("care leaver*", "Support care-leavers to find homes", True),
    ("care leaver*", "the leaving care service", False),
    ("16 and 17", "homeless 16- and 17-year-olds", True),
    ("children's views", "children’s views are heard", True),
    ("assess*", "reassessments", False),  # a word matches whole: from its start
    ("assess*", "Assessments are timely", True),
    ("LAC", "black and minority ethnic", False),
    ("care leaver* + accommodation", "accommodation for all care leavers", True),  # anywhere, in any order
    ("care leaver* + accommodation", "care leavers' pathway plans", False),
    ("private fostering", "private\nfostering", True),
], ids=lambda v: str(v)[:30])
def test_a_rule_matches_whole_words_in_order_ignoring_case_and_punctuation(rule: str, text: str, fires: bool) -> None:
    parsed = themes.parse_rule("t", rule)
    assert themes._first_match(parsed, text, text.lower(), []) is not None if fires else \
        themes._first_match(parsed, text, text.lower(), []) is None


@pytest.mark.parametrize("bad", ["", "care (leavers)", "a + ", "risk-of-harm"])
def test_a_malformed_rule_is_an_error_naming_it(bad: str) -> None:
    with pytest.raises(ValueError, match="phrase"):
        themes.parse_rule("t", bad)


def test_a_rule_does_not_count_inside_an_except_phrase() -> None:
    assert "missing-children" not in {a.theme for a in themes.assign("Track children missing education closely.")}
    assert "missing-children" in {a.theme for a in themes.assign("Track children missing from home closely.")}
    assert "supervision" not in {a.theme for a in themes.assign("Children subject to supervision orders.")}


def test_the_rule_that_fired_is_the_earliest_and_then_the_simplest() -> None:
    fired = {a.theme: a for a in themes.assign("Ensure that frontline management oversight is recorded by managers.")}
    oversight = fired["management-oversight"]
    assert (oversight.rule, oversight.matched) == ("management oversight", "management oversight")
    assert fired["recording"].matched == "recorded"
    assert "Frontline".lower() not in oversight.matched


def test_a_text_no_rule_fires_on_has_no_theme() -> None:
    assert themes.assign("Publish the annual report on time.") != []  # "annual report": leadership and governance
    assert themes.assign("Lorem ipsum dolor sit amet.") == []


# --------------------------------------------------------------------------------------------
# Real recommendations, read by hand
# --------------------------------------------------------------------------------------------


def test_the_fixture_holds_at_least_thirty_real_recommendations() -> None:
    assert len(READ) >= 30 and len({r["text"] for r in READ}) == len(READ)
    names = set(themes.themes())
    for entry in READ:
        assert entry["report"].isdigit() and entry["themes"], entry
        assert set(entry["themes"]) | set(entry.get("not", [])) <= names, entry


@pytest.mark.parametrize("entry", READ, ids=[f"{r['report']}-{r['text'][:40]}" for r in READ])
def test_a_real_recommendation_has_the_themes_a_reader_gives_it(entry: dict) -> None:
    given = {a.theme for a in themes.assign(entry["text"])}
    missing = set(entry["themes"]) - given
    wrong = set(entry.get("not", [])) & given
    assert not missing and not wrong, f"{FIXTURE.name}, report {entry['report']}: missing {missing}, wrong {wrong}"


@pytest.mark.slow
@needs_reports
def test_each_quoted_recommendation_is_one_of_its_reports() -> None:
    from councilkg.sources.pdf import read_pdf
    from councilkg.sources.reportparse import parse_report

    by_report: dict[str, set[str]] = defaultdict(set)
    for entry in READ:
        by_report[entry["report"]].add(entry["text"])
    for file_id, texts in sorted(by_report.items()):
        found = {r.text for r in parse_report(read_pdf(REPORTS / f"{file_id}.pdf"), file_id).recommendations}
        assert texts <= found, f"report {file_id}: not among its recommendations: {texts - found}"


# --------------------------------------------------------------------------------------------
# The loaders write the themes, in the recommendation's graph
# --------------------------------------------------------------------------------------------


def test_triples_give_the_theme_and_the_assignment_with_its_rule() -> None:
    rec = iris.entity("recommendation", "example-1")
    store = ox.Store()
    store.extend(ox.Quad(s, p, o) for s, p, o in themes.triples(rec, "Raise awareness of private fostering."))
    assert {q.object.value for q in store.quads_for_pattern(rec, CKG.theme, None)} == {theme_iri("private-fostering")}
    node = ox.NamedNode(rec.value + "/theme/private-fostering")
    assert ox.Literal("private fostering") in {q.object for q in store.quads_for_pattern(node, CKG.matchRule, None)}
    assert any(store.quads_for_pattern(node, iris.RDF_TYPE, CKG.ThemeAssignment))
    assert any(store.quads_for_pattern(node, CKG.assignedTheme, ox.NamedNode(theme_iri("private-fostering"))))


def test_a_curated_recommendation_has_its_themes(seed_store: ox.Store) -> None:
    rec = iris.entity("recommendation", "croydon-2020-rec-care-leavers-accommodation")
    got = {q.object.value for q in seed_store.quads_for_pattern(rec, CKG.theme, None)}
    assert {theme_iri("care-leavers"), theme_iri("care-leavers-accommodation")} <= got
    rules = {q.object.value for q in seed_store.quads_for_pattern(
        ox.NamedNode(rec.value + "/theme/care-leavers-accommodation"), CKG.matchRule, None)}
    assert rules == {"care leaver* + accommodation"}


@pytest.fixture(scope="module")
def croydon_reports(tmp_path_factory: pytest.TempPathFactory) -> list:
    """The lookup, the national outcomes table and Croydon's 2017 SIF and 2020 ILACS reports, as payloads."""
    from councilkg.sources import ofsted
    from councilkg.sources.reports import load_reports

    given = [ofsted.load_lookup(LOOKUP), *ofsted.load_ofsted([OUTCOMES], lookups=[LOOKUP])[0]]
    folder = tmp_path_factory.mktemp("croydon-reports")
    for file_id in ("50004396", "50149056"):
        (folder / f"{file_id}.pdf").write_bytes((REPORTS / f"{file_id}.pdf").read_bytes())
    payloads, _ = load_reports(folder, [q for p in given for q in p.quads])
    return given + payloads


@needs_reports
def test_a_report_gives_each_recommendation_its_themes_in_its_own_graph(croydon_reports: list) -> None:
    report = next(p for p in croydon_reports if p.graph == iris.source("ofsted-report-50004396"))
    recs = {q.subject for q in report.quads if q.predicate == iris.RDF_TYPE and q.object == CKG.Recommendation}
    themed = {q.subject for q in report.quads if q.predicate == CKG.theme}
    assert len(recs) >= 20 and themed == recs  # every one of Croydon's 2017 recommendations has a theme
    first = iris.entity("recommendation", "ofsted-report-50004396-1")  # "Ensure that managers have sufficient oversight…"
    assert theme_iri("management-oversight") in {q.object.value for q in report.quads
                                                 if q.subject == first and q.predicate == CKG.theme}
    assert validate_quads(report.graph.value, report.quads) == []


# --------------------------------------------------------------------------------------------
# The canned queries
# --------------------------------------------------------------------------------------------


def test_theme_authorities_on_the_seed_graph(runner: Runner) -> None:
    rows = runner.canned("theme_authorities", {"theme": "care leavers' accommodation"}).strings()
    assert {(r["councilLabel"], r["published"], r["framework"], r["text"], r["rule"], r["matchedText"]) for r in rows} == {
        ("Croydon", "2020-03-16", "ILACS", "Support care leavers to find accommodation.", "care leaver* + accommodation",
         "care leavers … accommodation")}
    # a broader theme includes its narrower ones
    broader = runner.canned("theme_authorities", {"theme": "care-leavers"}).strings()
    assert {r["assignedTheme"] for r in broader} >= {theme_iri("care-leavers"), theme_iri("care-leavers-accommodation")}


def test_themes_by_year_on_the_seed_graph(runner: Runner) -> None:
    rows = runner.canned("themes_by_year", {"theme": "Care leavers"}).strings()
    assert {(r["year"], r["framework"], r["assignedThemeLabel"], r["recommendations"], r["authorities"]) for r in rows} == {
        ("2020", "ILACS", "Care leavers", "1", "1"), ("2020", "ILACS", "Care leavers' accommodation", "1", "1")}


def test_an_unknown_theme_lists_the_themes(runner: Runner) -> None:
    from councilkg.errors import ParameterError

    with pytest.raises(ParameterError, match="unknown theme 'astrology'") as caught:
        runner.canned("theme_authorities", {"theme": "astrology"})
    assert ("Private fostering", theme_iri("private-fostering")) in caught.value.candidates


@pytest.fixture(scope="module")
def croydon_runner(croydon_reports: list) -> Runner:
    from councilkg.query.backends import EmbeddedBackend
    from councilkg.store import new_memory_store

    return Runner(EmbeddedBackend(new_memory_store(croydon_reports)))


@needs_reports
def test_what_croydon_was_told_inspection_after_inspection(croydon_runner: Runner) -> None:
    rows = croydon_runner.canned("authority_recommendations", {"council": "Croydon"}).strings()
    assert [r["published"] for r in rows] == sorted(r["published"] for r in rows)
    assert {r["published"] for r in rows} == {"2017-09-04", "2020-03-16"}
    first = next(r for r in rows if r["published"] == "2017-09-04" and r["ordinal"] == "1")
    assert first["text"].startswith("Ensure that managers have sufficient oversight") and first["framework"] == "SIF"
    assert "Management oversight" in first["themes"].split("; ")
    assert all(r["themes"] for r in rows)


@needs_reports
def test_themes_that_come_back_at_croydons_next_inspection(croydon_runner: Runner) -> None:
    rows = croydon_runner.canned("recurring_themes", {"council": "Croydon"}).strings()
    pairs = {(r["earlierPublished"], r["laterPublished"]) for r in rows}
    assert pairs == {("2017-09-04", "2020-03-16")}
    back = {r["assignedThemeLabel"] for r in rows}
    assert {"Care leavers", "Plans for children"} <= back
    leavers = next(r for r in rows if r["assignedThemeLabel"] == "Care leavers")
    assert int(leavers["earlierRecommendations"]) >= 1 and int(leavers["laterRecommendations"]) >= 1
    # England: the same rows, as Croydon is the only authority here with two inspections
    assert len(croydon_runner.canned("recurring_themes").strings()) == len(rows)


def test_unthemed_recommendations_lists_what_no_rule_fires_on(curated, tmp_path: Path) -> None:
    from councilkg.query.backends import EmbeddedBackend
    from councilkg.store import GraphPayload, new_memory_store

    graph = iris.source("themes-test")
    rec = iris.entity("recommendation", "themes-test-1")
    inspection = iris.inspection("E09000008", "2020-03-16")
    quads = [ox.Quad(rec, iris.RDF_TYPE, CKG.Recommendation, graph), ox.Quad(rec, CKG.identifiedIn, inspection, graph),
             ox.Quad(rec, CKG.text, ox.Literal("Lorem ipsum dolor sit amet."), graph)]
    runner = Runner(EmbeddedBackend(new_memory_store([*curated, GraphPayload(graph, "test", "curated", "", "", quads)])))
    rows = runner.canned("unthemed_recommendations", {"council": "Croydon"}).strings()
    assert [(r["councilLabel"], r["published"], r["text"], r["source"]) for r in rows] == [
        ("Croydon", "2020-03-16", "Lorem ipsum dolor sit amet.", graph.value)]
    covered = explore_themes.coverage(runner)
    assert covered.unthemed == 1 and covered.recommendations >= 4
    assert f"1 ({covered.unthemed_share:.1%}) have no theme" in covered.line()


# --------------------------------------------------------------------------------------------
# What the page and the command line show
# --------------------------------------------------------------------------------------------


def test_counts_give_each_theme_with_its_narrower_ones(runner: Runner) -> None:
    rows = {r.name: r for r in explore_themes.counts(runner)}
    assert set(rows) == set(themes.themes())
    assert rows["care-leavers-accommodation"].recommendations == 1
    assert rows["care-leavers"].with_narrower == rows["care-leavers"].recommendations + 1
    assert rows["private-fostering"].recommendations == 0


def test_choices_put_narrower_themes_after_their_broader_one() -> None:
    labels = [label for label, _ in explore_themes.choices()]
    assert len(labels) == len(themes.themes())
    assert labels.index("Care leavers") < labels.index("Care leavers' accommodation")


def test_the_command_line_explains_a_text_and_prints_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes", "--explain", "Raise awareness of private fostering arrangements."]) == 0
    out = capsys.readouterr().out
    assert "Private fostering [private-fostering]: rule “private fostering” matched “private fostering”" in out
    assert main(["themes", "--explain", "Lorem ipsum."]) == 0
    assert "no theme" in capsys.readouterr().out
    assert main(["themes", "--rules"]) == 0
    rules = capsys.readouterr().out
    assert "Care leavers' accommodation [care-leavers-accommodation] (within care-leavers)" in rules
    assert "    care leaver* + accommodation" in rules


def test_the_command_line_counts_the_store(app_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["themes", "--store", str(app_store)]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "[care-leavers-accommodation]" in x)
    assert line.split()[-3:] == ["1", "1", "1"]
    assert "have no theme" in out.splitlines()[-1]
