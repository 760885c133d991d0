"""England's children's-services authorities on a map: who existed on a date, and the land each covered.

Two reference files, both given by the user (``Settings.authorities_file`` and ``Settings.boundaries_file``):

- the list of UK authorities (mySociety's ``uk_local_authorities.csv``): each authority's GSS code, type,
  lifetime, what replaced it, the county a district belongs to (``county-la``), name variants and former codes;
- district boundaries (the ONS 2023 local authority districts, GeoJSON, code in ``LAD23CD``).

Children's services belong to upper-tier authorities (counties, unitaries, metropolitan districts, London
boroughs, the City of London). An authority's land is made of **units**: a county's districts, or the authority
itself. A unit that the 2023 file still holds is its own 2023 area; one abolished since is the 2023 area of what
replaced it, followed through ``replaced-by`` (Northamptonshire's districts are North and West Northamptonshire,
so Northamptonshire is their union). Where one 2023 area was shared by units of authorities that existed at the
same time (Bournemouth, Christchurch and Poole was Bournemouth, Poole and part of Dorset County until 2019) the
file cannot say where the old boundary ran: that area is divided among the units by their nearest centre (a
Voronoi division, from the list's ``lat``/``long`` or ``APPROXIMATE_CENTRES``) and the result is marked
approximate. Every other area is exact: the union of 2023 districts.

An authority exists on a day from its start date (none: always) until the day its successors start (else its
end date, read as its last day). Plain Python data and shapely geometry; the app draws the GeoJSON this makes.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry

from councilkg.errors import CouncilKGError

#: the reference list's types of authority that run children's services (county, unitary, metropolitan
#: district, London borough, the City of London's corporation)
CHILDRENS_SERVICES_TYPES = frozenset({"CTY", "UA", "MD", "LBO", "CC"})
#: decimal places kept in the drawn coordinates (0.001 degree is about 100 m: plenty for a map of England)
COORDINATE_PLACES = 3
#: centres (longitude, latitude) of authorities the reference list gives no position for, used only to divide a
#: 2023 area between authorities that shared it: the town centres of Bournemouth, Christchurch and Poole
APPROXIMATE_CENTRES = {
    "E06000028": (-1.880, 50.720),  # Bournemouth
    "E07000048": (-1.778, 50.735),  # Christchurch
    "E06000029": (-1.985, 50.716),  # Poole
}


class ReferenceFileError(CouncilKGError):
    """A reference file the map needs is missing or unreadable; the message names it and the setting to give."""


@dataclass(frozen=True)
class Authority:
    """One authority of the reference list."""

    code: str  # the list's own three-letter code
    gss: str
    name: str
    kind: str  # the list's local-authority-type (CTY, UA, NMD, ...)
    nation: str
    start: dt.date | None
    end: dt.date | None
    replaced_by: tuple[str, ...]
    county: str | None
    alt_names: tuple[str, ...] = ()
    former_gss: tuple[str, ...] = ()
    centre: tuple[float, float] | None = None

    @property
    def has_childrens_services(self) -> bool:
        """Whether it is an English upper-tier authority (the ones Ofsted inspects)."""
        return self.nation == "England" and self.kind in CHILDRENS_SERVICES_TYPES


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _centre(row: dict[str, str]) -> tuple[float, float] | None:
    try:
        return (float(row["long"]), float(row["lat"]))
    except (KeyError, TypeError, ValueError):
        return APPROXIMATE_CENTRES.get(row.get("gss-code", ""))


@dataclass
class Authorities:
    """The reference list of authorities, indexed by its codes and GSS codes."""

    by_code: dict[str, Authority]
    by_gss: dict[str, Authority] = field(init=False)

    def __post_init__(self) -> None:
        self.by_gss = {a.gss: a for a in self.by_code.values() if a.gss}
        for a in self.by_code.values():
            for former in a.former_gss:
                self.by_gss.setdefault(former, a)

    @classmethod
    def read(cls, path: Path) -> Authorities:
        """The list in a ``uk_local_authorities.csv`` file."""
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as exc:
            raise ReferenceFileError(f"{path}: cannot read the list of authorities ({exc.strerror})") from None
        needed = {"local-authority-code", "gss-code", "local-authority-type", "start-date", "end-date", "replaced-by"}
        if not rows or not needed <= set(rows[0]):
            raise ReferenceFileError(f"{path}: not mySociety's list of authorities (columns {', '.join(sorted(needed))})")
        authorities = {}
        for row in rows:
            authority = Authority(
                code=row["local-authority-code"], gss=row["gss-code"].strip(), name=row.get("nice-name") or row["official-name"],
                kind=row["local-authority-type"], nation=row.get("nation", ""), start=_date(row["start-date"]),
                end=_date(row["end-date"]), replaced_by=_codes(row["replaced-by"]), county=row.get("county-la") or None,
                alt_names=_codes(row.get("alt-names", "")), former_gss=_codes(row.get("former-gss-codes", "")),
                centre=_centre(row))
            authorities[authority.code] = authority
        return cls(authorities)

    def successors(self, authority: Authority) -> list[Authority]:
        return [self.by_code[c] for c in authority.replaced_by if c in self.by_code]

    def last_day(self, authority: Authority) -> dt.date | None:
        """The last day it existed: the day before its successors started, else its end date; None if it still exists."""
        starts = [s.start for s in self.successors(authority) if s.start]
        if starts:
            return min(starts) - dt.timedelta(days=1)
        return authority.end

    def exists_on(self, authority: Authority, day: dt.date) -> bool:
        """Whether the authority existed on the day."""
        last = self.last_day(authority)
        return (authority.start is None or authority.start <= day) and (last is None or day <= last)

    def lifetime_overlaps(self, a: Authority, b: Authority) -> bool:
        """Whether two authorities existed on some day together."""
        a_last, b_last = self.last_day(a), self.last_day(b)
        return ((a.start is None or b_last is None or a.start <= b_last)
                and (b.start is None or a_last is None or b.start <= a_last))

    def childrens_services(self) -> list[Authority]:
        """Every authority with children's services, past and present."""
        return [a for a in self.by_code.values() if a.has_childrens_services]

    def childrens_services_on(self, day: dt.date) -> list[Authority]:
        """The authorities with children's services that existed on the day."""
        return [a for a in self.childrens_services() if self.exists_on(a, day)]

    def county_of(self, district: Authority, seen: frozenset[str] = frozenset()) -> str | None:
        """The county a district belongs to: the county of the districts that replaced it where the list gives one
        (the newer record: the list files Forest Heath under Surrey, West Suffolk under Suffolk), else its own."""
        for successor in self.successors(district):
            if successor.kind == "NMD" and successor.code not in seen:
                county = self.county_of(successor, seen | {district.code})
                if county:
                    return county
        return district.county

    def units(self, authority: Authority) -> list[Authority]:
        """The pieces of land an authority is made of: a county's districts, else the authority itself."""
        if authority.kind == "CTY":
            return [a for a in self.by_code.values() if a.kind == "NMD" and self.county_of(a) == authority.code]
        return [authority]

    def parent(self, unit: Authority) -> Authority:
        """The children's-services authority a unit belongs to: its county, else itself."""
        return self.by_code.get(self.county_of(unit) or "", unit) if unit.kind == "NMD" else unit

    def resolve(self, unit: Authority, known: Iterable[str], seen: frozenset[str] = frozenset()) -> set[str]:
        """The codes in ``known`` (the boundary file's) that hold a unit's land: its own, else its successors'."""
        known = set(known)
        if unit.gss in known:
            return {unit.gss}
        found: set[str] = set()
        for successor in self.successors(unit):
            if successor.code not in seen:
                found |= self.resolve(successor, known, seen | {unit.code})
        return found


@dataclass(frozen=True)
class Area:
    """The land of one authority: its geometry and whether it is exact (a union of 2023 districts)."""

    geometry: BaseGeometry
    exact: bool
    districts: tuple[str, ...]  # the 2023 codes it is drawn from


def read_boundaries(path: Path) -> dict[str, BaseGeometry]:
    """The district geometries of a GeoJSON file of ONS boundaries, by code (``LAD23CD`` or any ``*CD`` property)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReferenceFileError(f"{path}: cannot read the boundary file ({exc.strerror})") from None
    except ValueError as exc:
        raise ReferenceFileError(f"{path}: not a GeoJSON file ({exc})") from None
    shapes = {}
    for feature in data.get("features", []) if isinstance(data, dict) else []:
        props = feature.get("properties") or {}
        code = props.get("LAD23CD") or next((v for k, v in props.items() if k.upper().endswith("CD") and v), None)
        if code and feature.get("geometry"):
            shapes[str(code)] = shapely.make_valid(shape(feature["geometry"]))
    if not shapes:
        raise ReferenceFileError(f"{path}: no district boundaries in it (features with a LAD23CD code and a geometry)")
    return shapes


def _divide(whole: BaseGeometry, units: list[Authority]) -> dict[str, BaseGeometry] | None:
    """A 2023 area divided among the units that shared it, each taking the part nearest its centre (None if a
    unit has no centre)."""
    if any(u.centre is None for u in units):
        return None
    cells = shapely.voronoi_polygons(MultiPoint([u.centre for u in units]), extend_to=whole.envelope.buffer(1))
    parts = {}
    for unit in units:
        cell = next((c for c in cells.geoms if c.contains(Point(unit.centre))), None)
        parts[unit.code] = whole.intersection(cell) if cell is not None else whole
    return parts


def areas(authorities: Authorities, boundaries: dict[str, BaseGeometry]) -> dict[str, Area]:
    """The land of every children's-services authority, past and present, by GSS code (see the module's notes)."""
    claims: dict[str, list[Authority]] = defaultdict(list)  # 2023 code -> the units whose land is in it
    units_of: dict[str, list[Authority]] = {}
    for authority in authorities.childrens_services():
        units_of[authority.code] = authorities.units(authority)
        for unit in units_of[authority.code]:
            for code in authorities.resolve(unit, boundaries):
                if unit not in claims[code]:
                    claims[code].append(unit)
    result = {}
    for authority in authorities.childrens_services():
        pieces, exact, districts = [], True, set()
        for unit in units_of[authority.code]:
            for code in sorted(authorities.resolve(unit, boundaries)):
                districts.add(code)
                # the units of other authorities that held part of this 2023 area while this one existed
                rivals = [u for u in claims[code] if authorities.parent(u).code != authority.code
                          and authorities.lifetime_overlaps(authorities.parent(u), authority)]
                if not rivals:
                    pieces.append(boundaries[code])
                    continue
                sharing = [u for u in claims[code] if authorities.parent(u).code == authority.code] + rivals
                parts = _divide(boundaries[code], sharing)
                exact = False
                pieces.append(parts[unit.code] if parts else boundaries[code])
        if pieces:
            result[authority.gss] = Area(shapely.union_all(pieces), exact, tuple(sorted(districts)))
    return result


def drawable(geometry: BaseGeometry, places: int = COORDINATE_PLACES) -> dict:
    """A GeoJSON geometry for Vega: coordinates rounded, rings wound clockwise as d3-geo expects."""
    rounded = shapely.set_precision(geometry, 10 ** -places)
    polygons = [g for g in getattr(rounded, "geoms", [rounded]) if g.geom_type == "Polygon" and not g.is_empty]
    oriented = [shapely.geometry.polygon.orient(p, sign=-1.0) for p in polygons]
    return json.loads(json.dumps(mapping(shapely.MultiPolygon(oriented))))


@dataclass(frozen=True)
class Geography:
    """The reference list and every authority's drawable area, read once per pair of files."""

    authorities: Authorities
    areas: dict[str, Area]
    shapes: dict[str, dict]  # GSS code -> GeoJSON geometry, ready to draw

    def area_of(self, authority: Authority) -> Area | None:
        return self.areas.get(authority.gss)


@lru_cache(maxsize=4)
def _geography(authorities_file: str, boundaries_file: str, stamp: tuple[float, float]) -> Geography:
    authorities = Authorities.read(Path(authorities_file))
    found = areas(authorities, read_boundaries(Path(boundaries_file)))
    return Geography(authorities, found, {gss: drawable(area.geometry) for gss, area in found.items()})


def geography(authorities_file: Path, boundaries_file: Path) -> Geography:
    """The geography of two reference files (cached while neither changes). Raises ReferenceFileError, saying
    which file is missing and how to give it, when one is not there."""
    for path, what, variable in ((authorities_file, "list of authorities", "COUNCILKG_AUTHORITIES"),
                                 (boundaries_file, "district boundary file", "COUNCILKG_BOUNDARIES")):
        if not path.is_file():
            raise ReferenceFileError(f"the {what} is not at {path}: set {variable} to the file (or COUNCILKG_SHARED to "
                                     "the folder whose data/reference/ holds it)")
    stamp = (authorities_file.stat().st_mtime, boundaries_file.stat().st_mtime)
    return _geography(str(authorities_file), str(boundaries_file), stamp)
