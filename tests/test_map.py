"""The map of grades: authorities' lifetimes and land (councilkg.explore.geography), the grades in force
(grades_in_force, councilkg.explore.grademap), the chart, and the map page through AppTest.

The national tests load the real Ofsted releases and the authority lookup from ../shared/data (skipped where
it is absent) and check the map against the official counts of the 2025 release.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import shapely
from shapely.geometry import shape

from councilkg.app import charts
from councilkg.app.markdown import md
from councilkg.explore import geography, grademap
from councilkg.model import iris
from councilkg.paths import ROOT
from councilkg.query.backends import EmbeddedBackend
from councilkg.query.runner import Runner
from councilkg.settings import Settings
from councilkg.sources.build import LoadPlan, load
from councilkg.store import ReadOnlyStore, StoreFolder

from .apptest import app_on
from .conftest import CLI, cli_env_for, require_shared

#: the 2025 release's latest overall-effectiveness grades of England's 153 authorities (as at 31 March 2025)
OFFICIAL_2025 = {"Outstanding": 36, "Good": 67, "Requires improvement to be good": 31, "Inadequate": 19}
AREA = "https://w3id.org/councilkg/id/concept/judgement-area/"
APP = ROOT / "app.py"


@pytest.fixture(scope="module")
def national_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the two Ofsted releases and the authority lookup."""
    paths = [require_shared("data", "ofsted", "LA_Inspection_Outcomes_as_at_31_March_2025.ods"),
             require_shared("data", "ofsted", "Childrens_social_care_in_England_2023_underlying_data.ods")]
    lookup = require_shared("data", "reference", "la_lookup.csv")
    root = tmp_path_factory.mktemp("map-national") / "store"
    load(StoreFolder(root), LoadPlan(ofsted=paths, lookups=[lookup]))
    return root


@pytest.fixture(scope="module")
def national(national_store: Path):
    handle = ReadOnlyStore(StoreFolder(national_store))
    runner = Runner(EmbeddedBackend(handle.store()))
    yield runner
    runner.close()
    handle.close()


@pytest.fixture(scope="module")
def reference() -> tuple[Path, Path]:
    return (require_shared("data", "reference", "uk_local_authorities.csv"),
            require_shared("data", "reference", "lad_boundaries_2023_generalised.geojson"))


@pytest.fixture(scope="module")
def geo(reference: tuple[Path, Path]) -> geography.Geography:
    return geography.geography(*reference)


def _by_name(authorities: list[geography.Authority]) -> set[str]:
    return {a.name for a in authorities}


# --------------------------------------------------------------------------------------------
# Lifetimes and land, from the reference files
# --------------------------------------------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("day, present, absent", [
    (dt.date(2018, 4, 1), {"Northamptonshire", "Cumbria", "Bournemouth", "Poole", "Dorset County", "Buckinghamshire County",
                           "North Yorkshire", "Somerset"},
     {"Bournemouth, Christchurch and Poole", "West Northamptonshire", "North Northamptonshire", "Cumberland",
      "Westmorland and Furness", "Dorset Council", "Buckinghamshire"}),
    (dt.date(2023, 3, 31), {"Cumbria", "West Northamptonshire", "Bournemouth, Christchurch and Poole"},
     {"Cumberland", "Northamptonshire", "Poole"}),
    (dt.date(2023, 4, 1), {"Cumberland", "Westmorland and Furness"}, {"Cumbria"}),
], ids=["2018-04-01", "2023-03-31", "2023-04-01"])
def test_the_authorities_of_a_date(geo: geography.Geography, day: dt.date, present: set[str], absent: set[str]) -> None:
    names = _by_name(geo.authorities.childrens_services_on(day))
    assert present <= names, present - names
    assert not absent & names, absent & names


@pytest.mark.shared
@pytest.mark.parametrize("day, count", [(dt.date(2010, 3, 31), 152), (dt.date(2018, 4, 1), 152), (dt.date(2020, 6, 1), 151),
                                        (dt.date(2025, 3, 31), 153)])
def test_how_many_authorities_had_childrens_services(geo: geography.Geography, day: dt.date, count: int) -> None:
    # 152 until Bournemouth, Poole and Dorset County became BCP and Dorset (2019); 153 since Northamptonshire (2021)
    # and Cumbria (2023) were each split in two
    assert len(geo.authorities.childrens_services_on(day)) == count


@pytest.mark.shared
def test_a_former_county_is_the_union_of_its_successors(geo: geography.Geography, reference: tuple[Path, Path]) -> None:
    districts = geography.read_boundaries(reference[1])
    for county, successors in (("E10000021", ("E06000061", "E06000062")), ("E10000006", ("E06000063", "E06000064"))):
        area = geo.areas[county]
        assert area.exact and area.districts == successors
        union = shapely.union_all([districts[code] for code in successors])
        assert area.geometry.symmetric_difference(union).area < 1e-9 * union.area


@pytest.mark.shared
def test_authorities_that_shared_a_2023_area_divide_it(geo: geography.Geography, reference: tuple[Path, Path]) -> None:
    bcp = geography.read_boundaries(reference[1])["E06000058"]
    parts = [geo.areas[code] for code in ("E06000028", "E06000029")]  # Bournemouth, Poole
    dorset_county = geo.areas["E10000009"]
    assert not any(p.exact for p in parts) and not dorset_county.exact
    assert parts[0].geometry.intersection(parts[1].geometry).area < 1e-9
    # with Dorset County's share (Christchurch), Bournemouth and Poole cover BCP's 2023 area
    christchurch = dorset_county.geometry.intersection(bcp)
    covered = shapely.union_all([parts[0].geometry, parts[1].geometry, christchurch])
    assert abs(covered.area - bcp.area) < 1e-6 * bcp.area
    assert parts[0].geometry.centroid.x > parts[1].geometry.centroid.x  # Bournemouth lies east of Poole
    assert geo.areas["E06000058"].exact  # BCP itself, after 2019, is its 2023 area


@pytest.mark.shared
def test_a_districts_county_is_its_successors(geo: geography.Geography) -> None:
    """The list files Forest Heath (now part of West Suffolk) under Surrey; Suffolk keeps West Suffolk."""
    assert "E07000245" in geo.areas["E10000029"].districts and geo.areas["E10000029"].exact
    assert "E07000245" not in geo.areas["E10000030"].districts


@pytest.mark.shared
def test_the_drawn_shapes_are_small_rounded_and_wound_for_vega(geo: geography.Geography) -> None:
    today = geo.authorities.childrens_services_on(dt.date(2025, 3, 31))
    shapes = [geo.shapes[a.gss] for a in today]
    assert len(json.dumps(shapes)) < 400_000  # the generalised file, rounded: small enough for the browser
    first = shapes[0]["coordinates"][0][0][0]
    assert all(round(c, 3) == c for c in first)
    for drawn in shapes[:20]:
        for polygon in shape(drawn).geoms:
            assert not polygon.exterior.is_ccw  # d3-geo draws clockwise exterior rings as the area itself


def test_a_missing_boundary_file_says_what_to_give(tmp_path: Path) -> None:
    listed = tmp_path / "authorities.csv"
    listed.write_text("local-authority-code\n", encoding="utf-8")
    with pytest.raises(geography.ReferenceFileError, match="COUNCILKG_BOUNDARIES"):
        geography.geography(listed, tmp_path / "missing.geojson")
    with pytest.raises(geography.ReferenceFileError, match="COUNCILKG_AUTHORITIES"):
        geography.geography(tmp_path / "missing.csv", tmp_path / "missing.geojson")
    (tmp_path / "b.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(geography.ReferenceFileError, match="not mySociety's list"):
        geography.geography(listed, tmp_path / "b.geojson")


def test_the_reference_files_are_settings(tmp_path: Path) -> None:
    default = Settings.from_env({"COUNCILKG_SHARED": str(tmp_path)})
    assert default.boundaries_file == tmp_path / "data" / "reference" / "lad_boundaries_2023_generalised.geojson"
    assert default.authorities_file == tmp_path / "data" / "reference" / "uk_local_authorities.csv"
    given = Settings.from_env({"COUNCILKG_BOUNDARIES": str(tmp_path / "b.geojson"), "COUNCILKG_AUTHORITIES": str(tmp_path / "a.csv")})
    assert (given.boundaries_file, given.authorities_file) == (tmp_path / "b.geojson", tmp_path / "a.csv")


# --------------------------------------------------------------------------------------------
# Grades on the map (the national data)
# --------------------------------------------------------------------------------------------


def _colours(chart) -> Counter:
    """How many shapes the chart draws in each colour (the grade scale's colour of each datum)."""
    spec = chart.to_dict()
    scale = spec["encoding"]["color"]["scale"]
    colour = dict(zip(scale["domain"], scale["range"], strict=True))
    return Counter(colour[datum["grade"]] for datum in spec["data"]["values"])


@pytest.mark.shared
@pytest.mark.parametrize("day", [None, dt.date(2025, 3, 31)], ids=["latest", "2025-03-31"])
def test_the_map_draws_every_authority_with_the_official_grade(national: Runner, geo: geography.Geography,
                                                               day: dt.date | None) -> None:
    shown = grademap.grade_map(national, geo, day, today=dt.date(2025, 3, 31))
    assert len(shown.rows) == len(shown.features) == 153
    assert shown.counts() == OFFICIAL_2025
    colours = _colours(charts.grade_map_chart(shown.features, grademap.NO_GRADE))
    assert colours == Counter({charts.GRADE_COLOURS[grade]: count for grade, count in OFFICIAL_2025.items()})
    assert all(row["boundary"] == "exact" for row in shown.rows)


@pytest.mark.shared
def test_the_map_as_at_1_april_2018(national: Runner, geo: geography.Geography) -> None:
    shown = grademap.grade_map(national, geo, dt.date(2018, 4, 1))
    rows = {row["authority"]: row for row in shown.rows}
    assert len(shown.features) == 152
    assert {"Northamptonshire", "Cumbria", "Bournemouth", "Poole"} <= set(rows)
    assert not {"Bournemouth, Christchurch & Poole", "West Northamptonshire", "Cumberland"} & set(rows)
    assert rows["Northamptonshire"]["grade"] == "Requires improvement to be good"  # SIF, 2016 (inadequate from 2019)
    assert rows["Northamptonshire"]["framework"] == "SIF"
    assert rows["Cumbria"]["published"] == "2018-01-29"
    assert rows["Bournemouth"]["boundary"] == rows["Poole"]["boundary"] == "approximate"
    # a county council replaced by a unitary of the same land takes its successor's judgements, filed under its code
    assert rows["Buckinghamshire County"]["grade"] == "Inadequate"
    assert rows["Buckinghamshire County"]["council"] == iris.council("E06000060").value
    # nothing inspected after the date is in force
    assert max(row["inspected"] for row in shown.rows) <= "2018-04-01"


@pytest.mark.shared
def test_any_judgement_area_and_its_matches_in_other_frameworks(national: Runner, geo: geography.Geography) -> None:
    area = AREA + "ilacs-children-in-care"
    early = {r["authority"]: r for r in grademap.grade_map(national, geo, dt.date(2018, 1, 1), area).rows}
    late = {r["authority"]: r for r in grademap.grade_map(national, geo, dt.date(2025, 3, 31), area).rows}
    assert {r["area"] for r in early.values()} - {""} == {"Children looked after and achieving permanence (SIF)"}
    assert Counter(r["framework"] for r in late.values()) == Counter({"ILACS": 153})
    assert all(r["area"] == "Children in care (ILACS)" for r in late.values())
    choices = dict(grademap.area_choices())
    assert next(iter(choices)) == "Overall effectiveness" and choices["Children in care (ILACS)"] == area


@pytest.mark.shared
def test_grades_in_force_is_the_maps_canned_query(national: Runner) -> None:
    rows = {r["councilLabel"]: r for r in national.canned("grades_in_force", {"date": "2018-04-01"}).strings()}
    assert rows["Northamptonshire"]["grade"] == "Requires improvement to be good"
    assert rows["Northamptonshire"]["status"] == "No longer exists"
    assert rows["Croydon"]["inspection"] == iris.inspection("E09000008", "2017-09-04").value
    assert rows["Croydon"]["grade"] == "Inadequate" and rows["Croydon"]["framework"] == "SIF"
    latest = national.canned("grades_in_force").strings()
    assert Counter(r["grade"] for r in latest if r["status"] == "Current") == OFFICIAL_2025


@pytest.mark.shared
def test_the_cli_prints_the_maps_grades(national_store: Path, tmp_path: Path) -> None:
    env = {**cli_env_for(tmp_path), "COUNCILKG_STORE": str(national_store)}
    done = subprocess.run([*CLI, "query", "grades_in_force", "-p", "date=2018-04-01", "--format", "csv"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=True)
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert {"Northamptonshire", "Cumbria", "Bournemouth", "Poole"} <= {r["councilLabel"] for r in rows}
    assert all(r["inspected"] <= "2018-04-01" for r in rows)
    done = subprocess.run([*CLI, "query", "grade_transitions", "--format", "csv"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.splitlines()[0] == "fromGrade,fromNotation,toGrade,toNotation,fromFramework,toFramework,transitions"


@pytest.mark.shared
def test_the_maps_csv(national: Runner, geo: geography.Geography) -> None:
    shown = grademap.grade_map(national, geo, dt.date(2018, 4, 1))
    lines = grademap.rows_csv(shown.rows).splitlines()
    assert lines[0] == ",".join(grademap.COLUMNS)
    assert len(lines) == 153
    assert any(line.startswith("E10000021,Northamptonshire,Requires improvement to be good,3,2016-") for line in lines)


# --------------------------------------------------------------------------------------------
# The page (AppTest)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def map_app(national_store: Path, monkeypatch: pytest.MonkeyPatch):
    with app_on(national_store, monkeypatch) as open_page:
        yield open_page


@pytest.mark.shared
def test_the_map_page_latest_and_as_at_a_date(map_app) -> None:
    at = map_app("map")
    assert at.title[0].value == "Map of grades"
    captions = " ".join(c.value for c in at.caption)
    assert md("Overall effectiveness, latest: 153 authorities (36 outstanding, 67 good, 31 requires improvement to be good, "
              "19 inadequate).") in captions
    assert at.get("vega_lite_chart")
    frame = at.dataframe[0].value
    assert list(frame.columns) == list(grademap.COLUMNS) and len(frame) == 153
    at.toggle(key="map_as_at").set_value(True).run()
    assert at.slider(key="map_day").value == dt.date(2018, 4, 1)
    assert md("as at 1 April 2018: 152 authorities") in " ".join(c.value for c in at.caption)
    assert at.query_params["date"] == "2018-04-01"
    at.selectbox(key="map_journey").select("Northamptonshire").run()
    link = next(p.proto for p in at.get("page_link") if "Northamptonshire" in p.proto.label)
    assert link.page == "journey" and parse_qs(link.query_string) == {"council": [iris.council("E10000021").value]}


@pytest.mark.shared
def test_the_map_page_opens_the_view_its_address_names(map_app) -> None:
    at = map_app("map", date="2023-03-31", area=AREA + "ilacs-care-leavers")
    assert at.selectbox(key="map_area").value == "Care leavers (ILACS)"
    assert md("Care leavers (ILACS), as at 31 March 2023: 152 authorities") in " ".join(c.value for c in at.caption)


@pytest.mark.shared
def test_the_map_page_says_what_to_give_without_a_boundary_file(map_app, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("COUNCILKG_BOUNDARIES", str(tmp_path / "none.geojson"))
    at = map_app("map")
    assert "COUNCILKG_BOUNDARIES" in at.error[0].value
    assert "COUNCILKG_BOUNDARIES" in " ".join(m.value for m in at.markdown)
    assert not at.get("vega_lite_chart")


@pytest.mark.shared
def test_the_journey_page_opens_on_the_council_its_address_names(map_app) -> None:
    """The map's click-through: /journey?council=GSS code (or name, or IRI)."""
    assert map_app("journey", council="E10000021").selectbox(key="jr_council").value == "Northamptonshire"
    assert map_app("journey", council="Cumbria").selectbox(key="jr_council").value == "Cumbria"
    assert map_app("journey", council=iris.council("E06000028").value).selectbox(key="jr_council").value == "Bournemouth"
    at = map_app("journey", council="Atlantis")
    assert "No council 'Atlantis'" in at.warning[0].value


# --------------------------------------------------------------------------------------------
# The same rules on a small made-up geography (no shared folder needed)
# --------------------------------------------------------------------------------------------

HEADER = ("local-authority-code,official-name,nice-name,gss-code,start-date,end-date,replaced-by,nation,"
          "local-authority-type,county-la,alt-names,former-gss-codes,lat,long")
LIST = [
    "XO1,Exone Council,Exone,E06000991,,2019-03-31,XYZ,England,UA,,Exone,,0.5,0.5",
    'XO2,Extwo Council,Extwo,E06000992,,2019-03-31,XYZ,England,UA,,"Extwo,Ex Two",,,',  # no centre: see APPROXIMATE_CENTRES
    "XYZ,Exyz Council,Exyz,E06000993,2019-04-01,,,England,UA,,Exyz,,1.0,0.5",
    "CCC,Ceeshire County Council,Ceeshire,E10000991,,,,England,CTY,,Ceeshire,,2.5,0.5",
    "CD1,Cee One District,Cee One,E07000991,,,,England,NMD,CCC,,,2.5,0.25",
    "CD2,Cee Two District,Cee Two,E07000992,,,,England,NMD,CCC,,,2.5,0.75",
    "WAL,Welsh Council,Welsh,W06000991,,,,Wales,UA,,,,5,5",
]


def _square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


class _Rows:
    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows

    def strings(self) -> list[dict]:
        return self.rows


class _Runner:
    """Answers grades_in_force with fixed rows: the graph's councils."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows

    def canned(self, name: str, params: dict, limit=None) -> _Rows:
        assert name == "grades_in_force"
        return _Rows(self.rows)


def _council(code: str, label: str, grade: str) -> dict:
    return {"council": iris.council(code).value, "councilLabel": label, "gssCode": code, "formerGssCode": "", "status": "Current",
            "inspection": "", "published": "2018-01-01", "inspected": "2017-12-01", "areaLabel": "Overall effectiveness (ILACS)",
            "framework": "ILACS", "grade": grade, "gradeNotation": "2"}


@pytest.fixture
def made_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> geography.Geography:
    monkeypatch.setitem(geography.APPROXIMATE_CENTRES, "E06000992", (1.5, 0.5))
    (tmp_path / "list.csv").write_text("\n".join([HEADER, *LIST]) + "\n", encoding="utf-8")
    features = [{"type": "Feature", "properties": {"LAD23CD": code}, "geometry": geometry} for code, geometry in (
        ("E06000993", _square(0, 0, 2, 1)), ("E07000991", _square(2, 0, 3, 0.5)), ("E07000992", _square(2, 0.5, 3, 1)),
        ("W06000991", _square(5, 5, 6, 6)))]
    (tmp_path / "lad.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return geography.geography(tmp_path / "list.csv", tmp_path / "lad.geojson")


def test_made_up_lifetimes_districts_and_a_divided_area(made_up: geography.Geography) -> None:
    before = _by_name(made_up.authorities.childrens_services_on(dt.date(2019, 3, 31)))
    after = _by_name(made_up.authorities.childrens_services_on(dt.date(2019, 4, 1)))
    assert (before, after) == ({"Exone", "Extwo", "Ceeshire"}, {"Exyz", "Ceeshire"})  # no Welsh council
    county = made_up.areas["E10000991"]
    assert county.exact and county.districts == ("E07000991", "E07000992") and county.geometry.area == pytest.approx(1.0)
    one, two = made_up.areas["E06000991"], made_up.areas["E06000992"]
    assert not one.exact and not two.exact
    assert one.geometry.area == pytest.approx(1.0) and one.geometry.bounds == pytest.approx((0, 0, 1, 1))
    assert two.geometry.bounds == pytest.approx((1, 0, 2, 1))
    assert made_up.areas["E06000993"].exact and made_up.areas["E06000993"].geometry.area == pytest.approx(2.0)


def test_made_up_map_matches_councils_by_code_then_by_name(made_up: geography.Geography) -> None:
    runner = _Runner([_council("E06000991", "Exone", "Good"), _council("E06999999", "Ex Two", "Inadequate")])
    shown = grademap.grade_map(runner, made_up, dt.date(2018, 4, 1))
    rows = {row["authority"]: row for row in shown.rows}
    assert {name: row["grade"] for name, row in rows.items()} == {
        "Exone": "Good", "Ex Two": "Inadequate", "Ceeshire": grademap.NO_GRADE}
    assert rows["Ex Two"]["boundary"] == "approximate" and rows["Ceeshire"]["boundary"] == "exact"
    assert len(shown.features) == 3
