"""Where a report comes from: the 26 provinces of the DR Congo and, for pilots, their places.

A location code is a province's ISO 3166-2 code, optionally ``/`` and a place slug: ``CD-KL``
(Kwilu), ``CD-KL/kikwit``. Codes are exact (``cd-kl`` and ``CD-KL/Kikwit`` are not codes), so a
code stored on a report, roster or policy means one thing only. ``hotline/data/locations.json`` is
checked strictly on load: a province list that drifts from ISO 3166-2 (as ``pycountry`` knows
it) stops the service at start rather than routing reports to a province nobody watches.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import ColumnElement, false, or_, true
from sqlalchemy.orm import QueryableAttribute

COUNTRY, COUNTRY_LABEL = "CD", "RDC"
PILOT_PROVINCES = ("CD-KN", "CD-KL", "CD-HK")
PLACE_KINDS = ("city", "territory", "commune", "district")
SMALL_KINDS = ("commune", "district")
# Shipped with the package (found in an installed wheel too); HOTLINE_LOCATIONS_FILE replaces it.
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "locations.json"

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class LocationsError(ValueError):
    """The locations file is invalid, or a code is not a known location; the message says which."""


@dataclass(frozen=True)
class Place:
    """A city, territory, commune or district inside a province; ``code`` is ``CD-XX/slug``."""

    code: str
    name: str
    kind: str
    # A name that is also an everyday word or another country ("Annexe", "Kenya"): free text names
    # this place only next to a cue ("commune de Kenya") or with its city or province in the text.
    needs_context: bool = False


@dataclass(frozen=True)
class Province:
    """A province by ISO 3166-2 code, its IANA time zone and its places (file order)."""

    code: str
    name: str
    timezone: str
    places: tuple[Place, ...] = ()


class Locations:
    """The validated set of provinces and places; build it with :meth:`Locations.load`."""

    def __init__(self, provinces: list[Province]) -> None:
        self._provinces = {p.code: p for p in provinces}
        self._places = {place.code: place for p in provinces for place in p.places}
        # Free text is searched most specific first: "Ruashi, Lubumbashi" is the commune of Ruashi.
        self._search_order = sorted(self._places.values(), key=lambda p: p.kind not in SMALL_KINDS)

    @classmethod
    def load(cls, path: Path | None = None) -> Locations:
        """Read and validate a locations file (``hotline/data/locations.json`` by default).

        Raises LocationsError naming the file and the offending code when a province is
        unknown to ISO 3166-2 or misnamed, one is missing or repeated, a slug or kind is
        malformed, a place is repeated, or a time zone does not exist.
        """
        source = Path(path) if path is not None else DEFAULT_PATH
        try:
            text = source.read_text(encoding="utf-8")
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except (OSError, ValueError) as exc:
            raise LocationsError(f"{source}: cannot read locations: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("provinces"), list):
            raise LocationsError(f'{source}: expected an object with a "provinces" list')
        _check_keys(source, "the top level", data, {"provinces"})
        official = iso_provinces()
        provinces: list[Province] = []
        for entry in data["provinces"]:
            province = _parse_province(source, entry, official)
            if any(p.code == province.code for p in provinces):
                raise LocationsError(f"{source}: province {province.code} is listed twice")
            provinces.append(province)
        missing = sorted(set(official) - {p.code for p in provinces})
        if missing:
            raise LocationsError(f"{source}: provinces missing: {', '.join(missing)}")
        return cls(provinces)

    def provinces(self, pilot_first: bool = True) -> list[Province]:
        """All provinces by name (accents ignored), the pilots first when ``pilot_first``.

        Pilots come in PILOT_PROVINCES order: Kinshasa, Kwilu, Haut-Katanga.
        """
        by_name = sorted(self._provinces.values(), key=lambda p: _fold(p.name))
        if not pilot_first:
            return by_name
        pilots = [self._provinces[code] for code in PILOT_PROVINCES if code in self._provinces]
        return pilots + [p for p in by_name if p.code not in PILOT_PROVINCES]

    def province(self, code: str) -> Province | None:
        """The province with this exact code (``CD-KL``), or None."""
        return self._provinces.get(code)

    def places(self, province_code: str) -> list[Place]:
        """The places of a province, in file order; LocationsError if it is not a province code."""
        province = self._provinces.get(province_code)
        if province is None:
            raise LocationsError(f"not a province code: {province_code!r}")
        return list(province.places)

    def is_valid(self, code: str) -> bool:
        """True for a province code, a ``CD-XX/slug`` place code (exactly as spelt), or ``CD``:
        the whole country, for a report whose place is not known (an SMS without one)."""
        return isinstance(code, str) and (code == COUNTRY or code in self._provinces or code in self._places)

    def province_of(self, code: str) -> str:
        """The ``CD-XX`` part of a valid location code (``CD`` for the country); LocationsError
        otherwise."""
        if not self.is_valid(code):
            raise LocationsError(f"not a known location code: {code!r}")
        return code.split("/", 1)[0]

    def find_in_text(self, text: str) -> str | None:
        """The most specific location named in free text (``... a Kikwit ...`` -> ``CD-KL/kikwit``)."""
        words = f" {_words(text)} "
        for place in self._search_order:
            code, name = place.code, _words(place.name.split(" (")[0])
            province_name = _words(self._provinces[code.split("/", 1)[0]].name)
            if name == province_name:
                continue  # "Kinshasa" names the city-province far more often than its commune
            if f" {name} " in words and (
                not place.needs_context or _in_context(words, name, place.name, province_name)
            ):
                return code
        for code, province in self._provinces.items():
            if f" {_words(province.name)} " in words:
                return code
        return None

    def label(self, code: str) -> str:
        """A readable name: ``Kwilu`` for a province, ``Kwilu/Kikwit`` for a place."""
        if code == COUNTRY:
            return COUNTRY_LABEL
        province = self._provinces[self.province_of(code)]
        place = self._places.get(code)
        return province.name if place is None else f"{province.name}/{place.name}"

    def covering(self, code: str) -> tuple[str, ...]:
        """The code and the areas containing it, most specific first: ``("CD-KL/kikwit", "CD-KL")``.

        Whoever watches a province also covers its places, so routing walks this tuple.
        """
        province_code = self.province_of(code)
        return (province_code,) if code == province_code else (code, province_code)

    def timezone(self, code: str) -> str:
        """The IANA time zone of a location (its province's): rosters are in local time."""
        if code == COUNTRY:
            return "Africa/Kinshasa"
        return self._provinces[self.province_of(code)].timezone


def area_covers(area: str, code: str) -> bool:
    """Whether someone scoped to ``area`` covers a location: the area itself and its places; the
    national area ``CD`` covers every province."""
    return area == COUNTRY or code == area or code.startswith(area + "/")


def areas_cover(areas: Iterable[str], column: QueryableAttribute[str]) -> ColumnElement[bool]:
    """The SQL form of ``area_covers`` for a location column: covered by any of ``areas`` (none:
    nothing; ``CD``: everything)."""
    wanted = list(areas)
    if COUNTRY in wanted:
        return true()
    if not wanted:
        return false()
    return or_(*(or_(column == area, column.startswith(area + "/", autoescape=True)) for area in wanted))


_CHUNK = 8 * 1024
_ENTRY = re.compile(rb"\{[^{}]*\}")  # one subdivision in pycountry's file: a flat object


def iso_provinces() -> dict[str, str]:
    """The DR Congo's ISO 3166-2 subdivisions as ``pycountry`` ships them: code -> name.

    The same entries as ``pycountry.subdivisions.get(country_code="CD")``, read from pycountry's
    own data file keeping only ``CD-`` codes: the lookup would load and index the ~5,000
    subdivisions of the world and keep them for the life of the process (~6 MB per process,
    web workers and the RQ worker alike) to check 26 names once. The file is read in small pieces
    of bytes and only the ``CD-`` entries are parsed: ``json.load`` of the whole file, even
    dropping the other countries' entries as they were parsed, took 2 MB more at its peak and
    left 1.5 MB resident in every process (bench/NOTES.md, "Memory (fourth round)").
    """
    found: dict[str, str] = {}
    marker = f'"{COUNTRY}-'.encode()
    rest = b""
    with open(pycountry.subdivisions.filename, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            data, end = rest + chunk, 0
            for entry in _ENTRY.finditer(data):
                end = entry.end()
                if marker in entry.group():
                    subdivision = json.loads(entry.group())
                    code = subdivision.get("code")
                    if isinstance(code, str) and code.split("-")[0] == COUNTRY:
                        found[code] = subdivision["name"]
            rest = data[end:]
    return found


@lru_cache(maxsize=1)
def default_locations() -> Locations:
    """The shipped locations (``hotline/data/locations.json``), loaded on first call and shared."""
    return Locations.load()


def _parse_province(source: Path, entry: Any, official: dict[str, str]) -> Province:
    if not isinstance(entry, dict):
        raise LocationsError(f"{source}: each province must be an object, got {entry!r}")
    code = entry.get("code")
    where = f"province {code}"
    _check_keys(source, where, entry, {"code", "name", "timezone", "places"})
    if not isinstance(code, str) or code not in official:
        raise LocationsError(f"{source}: {code!r} is not an ISO 3166-2 province of the DR Congo")
    name = _text(source, where, entry, "name")
    if _fold(name) != _fold(official[code]):
        expected = official[code]
        raise LocationsError(f"{source}: {code} is named {name!r}, ISO 3166-2 says {expected!r}")
    timezone = _text(source, where, entry, "timezone")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise LocationsError(f"{source}: {code} has an unknown time zone {timezone!r}") from exc
    raw_places = entry.get("places", [])
    if not isinstance(raw_places, list):
        raise LocationsError(f'{source}: {code} "places" must be a list')
    places = tuple(_parse_place(source, code, raw) for raw in raw_places)
    for i, place in enumerate(places):
        if any(p.code == place.code for p in places[:i]):
            raise LocationsError(f"{source}: place {place.code} is listed twice")
    return Province(code=code, name=name, timezone=timezone, places=places)


def _parse_place(source: Path, province_code: str, raw: Any) -> Place:
    if not isinstance(raw, dict):
        raise LocationsError(f"{source}: each place of {province_code} must be an object")
    slug = raw.get("slug")
    where = f"place {province_code}/{slug}"
    _check_keys(source, where, raw, {"slug", "name", "kind", "needs_context"})
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise LocationsError(f"{source}: {where}: slug {slug!r} must be lower-case ASCII words joined by '-'")
    kind = _text(source, where, raw, "kind")
    if kind not in PLACE_KINDS:
        raise LocationsError(f"{source}: {where}: kind {kind!r} is not one of {PLACE_KINDS}")
    needs_context = raw.get("needs_context", False)
    if not isinstance(needs_context, bool):
        raise LocationsError(f'{source}: {where}: "needs_context" must be true or false')
    return Place(
        code=f"{province_code}/{slug}",
        name=_text(source, where, raw, "name"),
        kind=kind,
        needs_context=needs_context,
    )


def _text(source: Path, where: str, obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise LocationsError(f'{source}: {where}: "{key}" must be a non-empty string')
    return value


def _check_keys(source: Path, where: str, obj: dict[str, Any], allowed: set[str]) -> None:
    # Keys starting with "_" are notes for people (e.g. "_review"); anything else unknown is a typo.
    unknown = sorted(k for k in obj if k not in allowed and not k.startswith("_"))
    if unknown:
        raise LocationsError(f"{source}: {where}: unknown keys {unknown}")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.load silently keeps the last of two equal keys; a repeated key here is an editing slip.
    keys = [k for k, _ in pairs]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"repeated keys {repeated}")
    return dict(pairs)


_CUES = ("commune", "commune de", "commune d", "quartier", "cite", "c")


def _in_context(words: str, name: str, full_name: str, province: str) -> bool:
    """``name`` follows a cue word, or the text also names its city (``Kenya (Lubumbashi)``) or
    province."""
    if any(f" {cue} {name} " in words for cue in _CUES):
        return True
    city = _words(full_name.split(" (", 1)[1]) if " (" in full_name else ""
    return any(f" {other} " in words for other in (city, province) if other)


def _words(text: str) -> str:
    """``Masi-Manimba.`` -> ``masi manimba``: folded words separated by single spaces."""
    return " ".join(re.findall(r"[0-9a-z]+", _fold(text)))


def _fold(text: str) -> str:
    """Case- and accent-insensitive form: ``Équateur`` and ``equateur`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
