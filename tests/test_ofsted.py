"""The national Ofsted loader: real releases (from ../shared/data) and fixture workbooks written here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyoxigraph as ox
import pytest

from councilkg.errors import LoadError
from councilkg.model import iris
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.sources.build import LoadPlan, load
from councilkg.sources.ofsted import AuthorityIndex, context_from, find_tables, load_ofsted, read_workbook, records_from
from councilkg.store import ReadOnlyStore, StoreFolder

from .conftest import repeated_rows, require_shared, sorted_nquads

PREFIXES = iris.sparql_prefixes()
RELEASE_2025 = iris.source("ofsted-local-authority-inspection-outcomes-as-at-31-march-2025")
RELEASE_2023 = iris.source("ofsted-childrens-social-care-data-in-england-2023")


def rows(store: ox.Store, sparql: str) -> set[tuple[str, ...]]:
    result = store.query(PREFIXES + sparql, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return {tuple("" if s[n] is None else s[n].value for n in names) for s in result}


# --------------------------------------------------------------------------------------------
# The real releases
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_paths() -> dict[str, Path]:
    return {
        "2025": require_shared("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods"),
        "2023": require_shared("data", "ofsted", "Childrens_social_care_in_England_2023_underlying_data.ods"),
        "lookup": require_shared("data", "reference", "la_lookup.csv"),
    }


@pytest.fixture(scope="module")
def national(real_paths: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    folder = StoreFolder(tmp_path_factory.mktemp("national") / "store")
    report = load(folder, LoadPlan(ofsted=[real_paths["2025"], real_paths["2023"]], lookups=[real_paths["lookup"]]))
    handle = ReadOnlyStore(folder)
    yield handle.store(), report, folder
    handle.close()


def _sheet(path: Path, name: str) -> pd.DataFrame:
    """The sheet as the release's own table, read independently of the loader (header on row 3)."""
    return pd.read_excel(path, sheet_name=name, header=2, engine="calamine")


def test_the_latest_judgements_sheet_has_153_current_authorities(real_paths: dict[str, Path]) -> None:
    book = read_workbook(real_paths["2025"])
    table = next(t for t in find_tables(book) if t.sheet == "Inspections_as_at_31_March")
    records = records_from(table)
    assert len({r.gss for r in records}) == 153 == len(records)


def test_counts_by_latest_overall_grade_equal_the_sheets_own(national, real_paths: dict[str, Path]) -> None:
    store, _report, _folder = national
    sheet = _sheet(real_paths["2025"], "Inspections_as_at_31_March")
    expected = sheet["Overall effectiveness"].value_counts().to_dict()
    runner = Runner(EmbeddedBackend(store))
    counts = {r["grade"]: int(r["councils"]) for r in runner.canned("grade_counts").strings()}
    assert counts == expected
    assert sum(counts.values()) == 153
    assert len(runner.canned("latest_grades")) == 153


def test_a_region_narrows_latest_grades_to_its_councils(national, real_paths: dict[str, Path]) -> None:
    store, _report, _folder = national
    sheet = _sheet(real_paths["2025"], "Inspections_as_at_31_March")
    london = sheet[sheet["Ofsted region"] == "London"]
    runner = Runner(EmbeddedBackend(store))
    found = runner.canned("latest_grades", {"region": "London"}).strings()
    assert {r["council"].rsplit("/", 1)[-1] for r in found} == set(london["Local authority area code"])
    assert all(r["councilRegion"] for r in found)
    counts = {r["grade"]: int(r["councils"]) for r in runner.canned("grade_counts", {"region": "London"}).strings()}
    assert counts == london["Overall effectiveness"].value_counts().to_dict()


def test_croydons_2017_sif_row(national) -> None:
    store, _report, _folder = national
    found = rows(store, f"""
        SELECT ?area ?grade ?published WHERE {{
          GRAPH <{RELEASE_2023.value}> {{
            ?j ckg:judgementOf ?i ; ckg:judgementArea ?a ; ckg:grade ?g .
            ?i ckg:inspectedAuthority council:E09000008 ; ckg:inspectionType itype:sif ; ckg:publicationDate ?published .
          }}
          ?a skos:notation|skos:prefLabel ?area . FILTER(isLiteral(?area))
          ?g skos:prefLabel ?grade .
        }}""")
    assert {p for _, _, p in found} == {"2017-09-04"}
    judgements = {(a, g) for a, g, _ in found}
    assert len(judgements) == 7
    assert ("Local Safeguarding Children Board (SIF review)", "Inadequate") in judgements
    assert ("Overall effectiveness (SIF)", "Inadequate") in judgements
    assert ("Adoption performance (SIF)", "Requires improvement to be good") in judgements


def test_croydons_2020_and_2024_ilacs_rows(national) -> None:
    store, _report, _folder = national
    found = rows(store, f"""
        SELECT ?published ?start ?type ?area ?grade WHERE {{
          GRAPH <{RELEASE_2025.value}> {{
            ?i ckg:inspectedAuthority council:E09000008 ; ckg:publicationDate ?published ; ckg:fieldworkStart ?start ;
               ckg:inspectionType ?t .
            ?j ckg:judgementOf ?i ; ckg:judgementArea ?a ; ckg:grade ?g .
          }}
          ?t skos:prefLabel ?type . ?a skos:prefLabel ?area . ?g skos:prefLabel ?grade .
        }}""")
    y2020 = {(area, grade) for pub, start, t, area, grade in found if pub == "2020-03-16"}
    assert {(pub, start, t) for pub, start, t, _, _ in found if pub == "2020-03-16"} == {
        ("2020-03-16", "2020-02-03", "ILACS standard inspection")}
    assert y2020 == {("Overall effectiveness (ILACS)", "Good"), ("Impact of leaders on social work practice (ILACS)", "Good"),
                     ("Children who need help and protection (ILACS)", "Good"),
                     ("Children in care (ILACS)", "Requires improvement to be good")}
    y2024 = {(area, grade) for pub, start, t, area, grade in found if pub == "2024-12-03"}
    assert len(y2024) == 5 and ("Care leavers (ILACS)", "Good") in y2024
    assert ("Children who need help and protection (ILACS)", "Requires improvement to be good") in y2024


@pytest.mark.parametrize("gss, name", [("E10000021", "Northamptonshire"), ("E06000028", "Bournemouth"),
                                       ("E10000006", "Cumbria"), ("E06000029", "Poole")])
def test_authorities_that_no_longer_exist_are_marked(national, gss: str, name: str) -> None:
    store, _report, _folder = national
    found = rows(store, f"SELECT ?status WHERE {{ council:{gss} ckg:authorityStatus ?status ; rdfs:label \"{name}\" }}")
    assert found == {(iris.concept("authority-status", "no-longer-exists").value,)}


def test_curated_councils_are_one_node_each(national) -> None:
    store, _report, _folder = national
    for gss, name in (("E09000008", "Croydon"), ("E08000032", "Bradford"), ("E06000018", "Nottingham"), ("E09000007", "Camden")):
        nodes = rows(store, f'SELECT DISTINCT ?c WHERE {{ ?c a ckg:LocalAuthority ; rdfs:label|skos:altLabel ?l . '
                            f'FILTER(LCASE(STR(?l)) = "{name.lower()}") }}')
        assert nodes == {(iris.council(gss).value,)}, name
        graphs = rows(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ council:{gss} a ckg:LocalAuthority }} }}")
        kinds = {g.rsplit("/", 1)[-1] for (g,) in graphs}
        assert "la-lookup" in kinds and any(k.startswith("ofsted-") for k in kinds), name


@pytest.mark.parametrize("published, curated_source", [
    ("2017-09-04", "croydon-cyp-scrutiny-2017-09-19-item-6"),
    ("2020-03-16", "croydon-cabinet-2020-ofsted-reinspection"),
])
def test_croydons_2017_and_2020_inspections_are_one_node_each(national, published: str, curated_source: str) -> None:
    store, _report, _folder = national
    nodes = rows(store, f'SELECT DISTINCT ?i WHERE {{ ?i ckg:inspectedAuthority council:E09000008 ; ckg:publicationDate ?p . '
                        f'FILTER(STR(?p) = "{published}") }}')
    assert nodes == {(iris.inspection("E09000008", published).value,)}
    node = iris.inspection("E09000008", published).value
    graphs = {g for (g,) in rows(store, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{node}> ?p ?o }} }}")}
    assert iris.source(curated_source).value in graphs
    assert RELEASE_2023.value in graphs
    # the seed's narrative facts and the official judgements sit on the same node
    narrative = rows(store, f"SELECT ?x WHERE {{ ?x ckg:identifiedIn <{iris.inspection('E09000008', published).value}> }}")
    assert narrative


def test_each_release_is_a_described_source(national) -> None:
    store, _report, _folder = national
    found = rows(store, f"""
        SELECT ?title ?publisher ?issued ?period ?licence WHERE {{
          GRAPH <{RELEASE_2025.value}> {{
            <{RELEASE_2025.value}> a ckg:Dataset ; dcterms:title ?title ; dcterms:publisher/rdfs:label ?publisher ;
                dcterms:issued ?issued ; ckg:periodCovered ?period ; dcterms:license ?licence .
          }}
        }}""")
    assert found == {("Local authority inspection outcomes as at 31 March 2025", "Ofsted", "2025-09-25",
                      "Inspections as at 31 March 2025, with a report published by 30 June 2025",
                      "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")}


def test_disagreements_between_releases_are_kept_and_listed(national) -> None:
    store, _report, _folder = national
    runner = Runner(EmbeddedBackend(store))
    result = runner.canned("source_disagreements", {"council": "Nottingham"})
    found = {(r["propertyLabel"], r["value1"], r["value2"]) for r in result.strings()}
    assert ("publication date", "2022-11-05", "2022-09-05") in found
    # the national form lists the same disagreement among all the others, with no council asked for
    everywhere = runner.canned("source_disagreements").strings()
    assert {(r["council"], r["subject"], r["propertyLabel"], r["value1"], r["value2"]) for r in everywhere} >= {
        ("", r["subject"], r["propertyLabel"], r["value1"], r["value2"]) for r in result.strings()}
    assert len({r["subject"].split("/")[-2] for r in everywhere}) > 1  # more than Nottingham's
    # one inspection node carries both dates, each in its own release's graph
    dates = rows(store, "SELECT ?g ?p WHERE { GRAPH ?g { <https://w3id.org/councilkg/id/inspection/E06000018/2022-09-05> "
                        "ckg:publicationDate ?p } }")
    assert dates == {(RELEASE_2025.value, "2022-09-05"), (RELEASE_2023.value, "2022-11-05")}


def test_grade_changes_nationally(national) -> None:
    store, _report, _folder = national
    runner = Runner(EmbeddedBackend(store))
    result = runner.canned("grade_changes")
    councils = {r["council"] for r in result.strings()}
    assert len(councils) > 100
    croydon = {(r["fromDate"], r["fromGrade"], r["toDate"], r["toGrade"], r["change"])
               for r in result.strings() if r["council"] == iris.council("E09000008").value}
    assert ("2017-09-04", "Inadequate", "2020-03-16", "Good", "improvement") in croydon
    assert {r["change"] for r in result.strings()} == {"improvement", "decline"}


def test_a_code_change_keeps_one_node(national) -> None:
    """Ofsted's 2025 tables still use Barnsley's pre-2023 code; the lookup has the new one."""
    store, _report, _folder = national
    assert rows(store, "SELECT ?old WHERE { council:E08000038 ckg:formerGssCode ?old }") == {("E08000016",)}
    assert not rows(store, "SELECT ?p WHERE { council:E08000016 ?p ?o }")


def test_the_load_reports_what_it_skipped(national) -> None:
    _store, report, _folder = national
    assert any("'Dorset'" in w and "restructure" in w for w in report.warnings)


# --------------------------------------------------------------------------------------------
# Fixture workbooks written by the tests
# --------------------------------------------------------------------------------------------


HEADER_2025 = ["Web link", "Local authority\narea code", "Local authority name", "Local authority status", "Ofsted  region",
               "Inspection date", " Publication date ", "Inspection type", "OVERALL EFFECTIVENESS",
               "The impact of leaders on social work practice with children and families",
               "The experiences and progress of children who need help and protection",
               "The experiences and progress of children in care", "The experiences and progress of care leavers", "Notes"]


def history_rows(extra: list[list] | None = None) -> list[list]:
    return [
        ["Fixture: ILACS inspection history"] + [None] * 13,
        ["A note row that is not a header"] + [None] * 13,
        [None] * 14,
        HEADER_2025,
        ["link", "E09000008", "Croydon", "Current", "London", dt.datetime(2020, 2, 3), dt.datetime(2020, 3, 16),
         "ILACS Standard Inspection", "Good", "Good", "Good", "Requires Improvement", None, "x"],
        ["link", "e09000007", "Camden", "Current", "London", "2022-04-25", "21/06/2022", "ILACS Short Inspection",
         "Outstanding", "Outstanding", "Good", "Outstanding", " -", None],
        ["link", "E10000021", "Northamptonshire", "No longer exists", "East Midlands", dt.datetime(2019, 6, 17),
         dt.datetime(2019, 7, 29), "ILACS Standard Inspection", "Inadequate", "Requires improvement to be good",
         "Inadequate", "Inadequate", None, None],
        ["link", "E08000032", "Bradford", "Current", "North East", dt.datetime(2025, 3, 1), None,
         "ILACS Standard Inspection", None, None, None, None, None, "not yet published"],
        *(extra or []),
        [None] * 14,
        [None] * 14,
    ]


def _padded(sheet_rows: list[list]) -> list[list]:
    width = max(len(row) for row in sheet_rows)
    return [list(row) + [None] * (width - len(row)) for row in sheet_rows]


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    with pd.ExcelWriter(path, engine="odf") as writer:
        for name, sheet_rows in sheets.items():
            pd.DataFrame(_padded(sheet_rows)).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def write_csv(path: Path, sheet_rows: list[list]) -> Path:
    frame = pd.DataFrame([[c.isoformat()[:10] if isinstance(c, dt.datetime) else c for c in row] for row in sheet_rows])
    frame.to_csv(path, header=False, index=False)
    return path


def _inspections(payloads) -> set[tuple[str, str]]:
    return {(q.subject.value, q.object.value) for p in payloads for q in p.quads if q.predicate == iris.ckg.publicationDate}


def test_a_fixture_workbook_with_a_moved_header_and_odd_spacing(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "history.ods", {"Cover": [["Fixture release"], ["Published on:", dt.datetime(2025, 9, 25)]],
                                                  "ILACS_inspection_history": history_rows()})
    payloads, warnings = load_ofsted(path)
    assert warnings == []
    assert _inspections(payloads) == {
        (iris.inspection("E09000008", "2020-03-16").value, "2020-03-16"),
        (iris.inspection("E09000007", "2022-06-21").value, "2022-06-21"),  # dd/mm/yyyy and a lower-case code
        (iris.inspection("E10000021", "2019-07-29").value, "2019-07-29"),
    }  # Bradford's row has no publication date: not yet published, not recorded
    quads = [q for p in payloads for q in p.quads]
    grades = {(q.subject.value.rsplit("/", 1)[-1], q.object.value.rsplit("/", 1)[-1])
              for q in quads if q.predicate == iris.ckg.grade and "E09000007" in q.subject.value}
    assert ("ilacs-care-leavers", "x") not in grades and len(grades) == 4  # ' -' is no judgement
    written = {q.object.value for q in quads if q.predicate == iris.ckg.gradeAsWritten}
    assert "Requires Improvement" in written


def test_the_same_table_as_csv_gives_the_same_graph(tmp_path: Path) -> None:
    ods = load_ofsted(write_ods(tmp_path / "history.ods", {"ILACS_inspection_history": history_rows()}))[0]
    csv = load_ofsted(write_csv(tmp_path / "ILACS_inspection_history.csv", history_rows()))[0]
    assert _inspections(ods) == _inspections(csv)
    judgements = lambda ps: {(q.subject.value, q.object.value) for p in ps for q in p.quads if q.predicate == iris.ckg.grade}  # noqa: E731
    assert judgements(ods) == judgements(csv)


WIDE_HEADER = [
    "Web link", "Local authority name", "LA region", "LA Authority Type",
    "Safeguarding & Looked After Children (SLAC) Inspection publication date", "SLAC Safeguarding Overall effectiveness (OE)",
    "SLAC Looked After Children Overall Effectiveness (OE)", "SLAC re-inspection of Safeguarding publication date",
    "SLAC re-inspection Safeguarding OE", "SLAC re-inspection of services for Children Looked After publication date",
    "SLAC re-inspection of services Children Looked After OE", "Child Protection Inspections (CPI) publication date",
    "CPI Overall Effectiveness (OE)", "Child Protection Re-Inspection (CPRI) publication date", "CPRI Overall Effectiveness (OE)",
    "Targeted Looked After Children (TLAC) inspection publication date", "TLAC Overall Effectiveness (OE)",
    "Single Inspection of LA Children's Services (SIF)  First SIF publication date", " First SIF Overall Judgement\n(OE)",
    " First SIF children who need help and protection ", " First SIF children looked after and achieving permanence ",
    " First SIF CLA Sub: Adoption Performance", " First SIF CLA Sub: Experiences and progress of care leavers",
    " First SIF leadership, management and governance", "LSCB Overall Effectiveness ",
    "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date", " SIF Re-inspection Overall Judgement\n(OE)",
    " SIF Re-inspection children who need help and protection ", " SIF Re-inspection children looked after and achieving permanence ",
    " SIF Re-inspection CLA Sub: Adoption Performance", " SIF Re-inspection CLA Sub: Experiences and progress of care leavers",
    " SIF Re-inspection leadership, management and governance", "First ILACS framework inspection type",
    "First ILACS framework publication date", "First ILACS framework overall effectiveness", "First ILACS framework impact of leaders",
    "First ILACS framework experiences and progress of children who need help and protection",
    "First ILACS framework experiences and progress of children in care and care leavers",
]


def wide_row(name: str, slac: dt.datetime | None = None, ilacs: dt.datetime | None = None, grade: str = "Good") -> list:
    row: list = ["link", name, "London", "Unitary"] + [None] * (len(WIDE_HEADER) - 4)
    if slac:
        row[4:7] = [slac, grade, grade]
    if ilacs:
        row[-6:] = ["ILACS Standard Inspection", ilacs, grade, grade, grade, grade]
    return row


def test_the_wide_history_layout_finds_every_framework(tmp_path: Path, curated) -> None:
    """Names are matched to the curated councils (the store's context) without a lookup."""
    sheet = [["A title"], [None], WIDE_HEADER, wide_row("Croydon", slac=dt.datetime(2012, 6, 28), ilacs=dt.datetime(2020, 3, 16))]
    context = context_from(q for p in curated for q in p.quads)
    payloads, _ = load_ofsted(write_ods(tmp_path / "wide.ods", {"LA_inspections_2009-2023": sheet}), context=context)
    types = {q.object.value.rsplit("/", 1)[-1] for p in payloads for q in p.quads if q.predicate == iris.ckg.inspectionType}
    assert types == {"slac", "ilacs-standard"}
    subjects = {q.subject.value for p in payloads for q in p.quads if q.predicate == iris.ckg.inspectionType}
    assert subjects == {iris.inspection("E09000008", "2012-06-28").value, iris.inspection("E09000008", "2020-03-16").value}


def test_the_wide_history_layout_names_a_missing_column(tmp_path: Path) -> None:
    header = [h for h in WIDE_HEADER if "CPRI" not in h]
    path = write_ods(tmp_path / "wide.ods", {"LA_inspections_2009-2023": [header, wide_row("Croydon")[: len(header)]]})
    with pytest.raises(LoadError, match="sheet 'LA_inspections_2009-2023': no column for the CPRI publication date"):
        load_ofsted(path)


def test_the_wide_history_layout_names_a_cell_too_long(tmp_path: Path) -> None:
    row = wide_row("Croydon", slac=dt.datetime(2012, 6, 28))
    row[5] = "Good. " * 400
    path = write_ods(tmp_path / "wide.ods", {"LA_inspections_2009-2023": [["A title"], [None], WIDE_HEADER, row]})
    with pytest.raises(LoadError) as caught:
        load_ofsted(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("wide.ods", 4, WIDE_HEADER[5].strip().lower())
    assert f"sheet 'LA_inspections_2009-2023', row 4, column {WIDE_HEADER[5].strip().lower()!r}: 2,400 characters" in str(caught.value)


def test_name_only_rows_need_a_lookup(tmp_path: Path) -> None:
    sheet = [WIDE_HEADER] + [wide_row(name, slac=dt.datetime(2012, 1, 1)) for name in ("Atlantis", "Lyonesse", "Croydon")]
    path = write_ods(tmp_path / "wide.ods", {"LA_inspections_2009-2023": sheet})
    with pytest.raises(LoadError, match=r"names authorities without GSS codes.*--lookup"):
        load_ofsted(path)


def test_the_authority_index_handles_code_changes_and_aliases() -> None:
    index = AuthorityIndex()
    index.add("E08000038", "Barnsley", from_lookup=True)
    index.add("E06000058", "Bournemouth, Christchurch and Poole", from_lookup=True)
    index.add("E06000058", "Bournemouth", primary=False)
    assert index.canonical("E08000016", "Barnsley", "current") == ("E08000038", "E08000016")
    assert index.canonical("E06000028", "Bournemouth", "no-longer-exists") == ("E06000028", None)
    assert index.code_for("Bournemouth, Christchurch & Poole") == "E06000058"
    index.add("E06000028", "Bournemouth", status="no-longer-exists")
    assert index.code_for("Bournemouth", former_only=True) == "E06000028"


def with_cell(sheet_rows: list[list], row: int, column: int, value) -> list[list]:
    """A copy of the rows with one cell changed."""
    changed = [list(r) for r in sheet_rows]
    changed[row][column] = value
    return changed


def without_column(sheet_rows: list[list], column: int) -> list[list]:
    return [r[:column] + r[column + 1:] for r in sheet_rows]


@pytest.mark.parametrize("case, change, message", [
    ("missing column", lambda r: without_column(r, 6), "sheet 'ILACS_inspection_history': no column for published"),
    ("bad grade", lambda r: with_cell(r, 4, 8, "Excellent"),
     "sheet 'ILACS_inspection_history', row 5, column 'overall effectiveness': 'Excellent' is not an Ofsted grade"),
    ("bad date", lambda r: with_cell(r, 4, 6, "the sixteenth of March"),
     "sheet 'ILACS_inspection_history', row 5, column 'publication date'"),
    ("bad code", lambda r: with_cell(r, 4, 1, "W06000001"), "'W06000001' is not an English local authority GSS code"),
    ("bad type", lambda r: with_cell(r, 4, 7, "Surprise visit"), "unknown inspection or visit type 'Surprise visit'"),
    ("published before inspected", lambda r: with_cell(r, 4, 5, dt.datetime(2020, 5, 1)),
     "published 2020-03-16 before the inspection date 2020-05-01"),
    ("a cell too long", lambda r: with_cell(r, 4, 2, "Croydon " * 300),
     "sheet 'ILACS_inspection_history', row 5, column 'local authority name': 2,400 characters, more than the 2,000"),
])
def test_malformed_workbooks_are_clear_errors_and_change_nothing(tmp_path: Path, case: str, change, message: str) -> None:
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan())
    handle = ReadOnlyStore(folder)
    before = sorted_nquads(handle.store())
    handle.close()
    path = write_ods(tmp_path / "broken.ods", {"ILACS_inspection_history": change(history_rows())})
    with pytest.raises(LoadError) as caught:
        load(folder, LoadPlan(ofsted=[path]))
    assert message in str(caught.value) and "broken.ods" in str(caught.value)
    handle = ReadOnlyStore(folder)
    assert sorted_nquads(handle.store()) == before
    handle.close()


@pytest.mark.parametrize("name, content, message", [
    ("notes.txt", b"hello", "expected .ods, .xlsx or .csv"),
    ("empty.ods", b"", "cannot read it as a ODS table"),
    ("garbage.ods", b"PK\x03\x04 not really a zip", "cannot read it as a ODS table"),
    ("table.csv", b"a,b,c\n1,2,3\n", "no table with an Ofsted layout"),
])
def test_files_that_are_not_ofsted_tables(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message):
        load_ofsted(path)


@pytest.mark.slow
def test_adding_a_release_to_a_store_keeps_one_node_per_inspection(tmp_path: Path) -> None:
    """A later load of another release (here: with a different publication date) finds the existing node."""
    folder = StoreFolder(tmp_path / "store")
    load(folder, LoadPlan(ofsted=[write_ods(tmp_path / "a.ods", {"ILACS_inspection_history": history_rows()})]))
    later = history_rows()
    later = with_cell(later, 4, 6, dt.datetime(2020, 3, 20))  # a release that disagrees by four days
    cover = [["Another release"], ["Published on:", dt.datetime(2026, 1, 1)]]
    load(folder, LoadPlan(ofsted=[write_ods(tmp_path / "b.ods", {"Cover": cover, "ILACS_inspection_history": later})]))
    handle = ReadOnlyStore(folder)
    found = rows(handle.store(), "SELECT DISTINCT ?i ?p WHERE { ?i ckg:inspectedAuthority council:E09000008 ; "
                                 "ckg:publicationDate ?p . FILTER(STRSTARTS(STR(?p), '2020-03')) }")
    handle.close()
    node = iris.inspection("E09000008", "2020-03-16").value
    assert found == {(node, "2020-03-16"), (node, "2020-03-20")}


def test_a_disagreement_with_the_curated_data_is_listed(tmp_path: Path, curated) -> None:
    """The fixture release grades Croydon's 2020 inspection differently from the seed document."""
    from councilkg.store import new_memory_store

    sheet = with_cell(history_rows(), 4, 8, "Inadequate")
    payloads, _ = load_ofsted(write_ods(tmp_path / "h.ods", {"ILACS_inspection_history": sheet}),
                              context=context_from(q for p in curated for q in p.quads))
    runner = Runner(EmbeddedBackend(new_memory_store([*curated, *payloads])))
    result = runner.canned("source_disagreements", {"council": "Croydon"})
    found = {(r["propertyLabel"], r["value1"].rsplit("/", 1)[-1], r["value2"].rsplit("/", 1)[-1]) for r in result.strings()}
    assert found == {("grade", "good", "inadequate")}


@pytest.mark.parametrize("content, message", [
    ("urn,la_code,name\n1,301,Barking\n", "no column 'la_code_new'"),
    ("urn,la_code,la_code_new,local_authority_ons_name\n1,301,E09000002,Barking\n2,302,E09000002,Barnet\n", "E09000002 appears twice"),
    ("urn,la_code,la_code_new,local_authority_ons_name\n1,301,X1,Barking\n", "'X1' is not an English local authority GSS code"),
    ("", "the lookup is empty"),
])
def test_a_malformed_lookup_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    from councilkg.sources.ofsted import load_lookup

    path = tmp_path / "la_lookup.csv"
    path.write_text(content)
    with pytest.raises(LoadError, match=message):
        load_lookup(path)


def test_the_cli_loads_a_release_with_progress_and_a_summary(tmp_path: Path, cli_env: dict[str, str]) -> None:
    import subprocess

    from .conftest import CLI

    path = write_ods(tmp_path / "history.ods", {"Cover": [["Fixture release"]], "ILACS_inspection_history": history_rows()})
    proc = subprocess.run([*CLI, "load", "--ofsted", str(path)], env=cli_env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "sheet 'ILACS_inspection_history': 3 inspection(s)" in proc.stderr
    assert "Fixture release" in proc.stdout and "ofsted" in proc.stdout


def test_no_canned_query_repeats_a_row_on_the_national_data(national) -> None:
    """Releases that repeat an authority's name or an inspection's date still give one row per fact."""
    store, _, _ = national
    assert repeated_rows(Runner(EmbeddedBackend(store))) == {}
