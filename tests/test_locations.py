"""The location data (hotline/data/locations.json) and its loader (hotline.platform.locations)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pycountry
import pytest

from hotline.platform.locations import (
    COUNTRY,
    DEFAULT_PATH,
    PILOT_PROVINCES,
    Locations,
    LocationsError,
    Place,
    default_locations,
)

WEST = {"CD-KN", "CD-BC", "CD-KG", "CD-KL", "CD-MN", "CD-EQ", "CD-MO", "CD-NU", "CD-SU", "CD-TU"}
KINSHASA_COMMUNES = [
    "Bandalungwa",
    "Barumbu",
    "Bumbu",
    "Gombe",
    "Kalamu",
    "Kasa-Vubu",
    "Kimbanseke",
    "Kinshasa",
    "Kintambo",
    "Kisenso",
    "Lemba",
    "Limete",
    "Lingwala",
    "Makala",
    "Maluku",
    "Masina",
    "Matete",
    "Mont-Ngafula",
    "Ndjili",
    "Ngaba",
    "Ngaliema",
    "Ngiri-Ngiri",
    "Nsele",
    "Selembao",
]


@pytest.fixture(scope="module")
def locations() -> Locations:
    return Locations.load()


@pytest.fixture(scope="module")
def real_data() -> dict[str, Any]:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def _province(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(p for p in data["provinces"] if p["code"] == code)


def test_it_lists_all_26_provinces_with_pilots_first(locations: Locations) -> None:
    provinces = locations.provinces()
    assert len(provinces) == 26
    assert [p.code for p in provinces[:3]] == ["CD-KN", "CD-KL", "CD-HK"] == list(PILOT_PROVINCES)
    rest = [p.name for p in provinces[3:]]
    assert rest[:2] == ["Bas-Uélé", "Équateur"]  # accents do not push Équateur to the end
    assert len({p.code for p in provinces}) == 26


def test_without_pilots_first_provinces_are_in_name_order(locations: Locations) -> None:
    names = [p.name for p in locations.provinces(pilot_first=False)]
    assert names[:4] == ["Bas-Uélé", "Équateur", "Haut-Katanga", "Haut-Lomami"]
    assert names[-1] == "Tshuapa"


def test_every_province_has_its_iso_code_and_name_from_pycountry(locations: Locations) -> None:
    official = {s.code: s.name for s in pycountry.subdivisions.get(country_code="CD")}
    assert {p.code: p.name for p in locations.provinces()} == official


def test_the_file_keeps_provinces_in_code_order(real_data: dict[str, Any]) -> None:
    codes = [p["code"] for p in real_data["provinces"]]
    assert codes == sorted(codes)


def test_the_west_is_on_kinshasa_time_and_the_rest_on_lubumbashi_time(
    locations: Locations,
) -> None:
    for province in locations.provinces():
        expected = "Africa/Kinshasa" if province.code in WEST else "Africa/Lubumbashi"
        assert province.timezone == expected, province.code
    assert locations.timezone("CD-KL/kikwit") == "Africa/Kinshasa"
    assert locations.timezone("CD-HK/lubumbashi-ruashi") == "Africa/Lubumbashi"


def test_kwilu_has_its_two_cities_and_five_territories(locations: Locations) -> None:
    places = locations.places("CD-KL")
    assert [(p.name, p.kind) for p in places if p.kind == "city"] == [
        ("Bandundu", "city"),
        ("Kikwit", "city"),
    ]
    assert [p.code for p in places if p.kind == "territory"] == [
        "CD-KL/bagata",
        "CD-KL/bulungu",
        "CD-KL/gungu",
        "CD-KL/idiofa",
        "CD-KL/masi-manimba",
    ]
    assert Place("CD-KL/masi-manimba", "Masi-Manimba", "territory") in places


def test_haut_katanga_has_lubumbashi_and_its_communes_likasi_and_six_territories(
    locations: Locations,
) -> None:
    codes = {p.code: p.kind for p in locations.places("CD-HK")}
    assert codes["CD-HK/lubumbashi"] == "city"
    assert codes["CD-HK/likasi"] == "city"
    communes = sorted(c for c, kind in codes.items() if kind == "commune")
    assert communes == [
        f"CD-HK/lubumbashi-{name}"
        for name in ("annexe", "kamalondo", "kampemba", "katuba", "kenya", "lubumbashi", "ruashi")
    ]
    territories = sorted(c.split("/")[1] for c, kind in codes.items() if kind == "territory")
    assert territories == ["kambove", "kasenga", "kipushi", "mitwaba", "pweto", "sakania"]


def test_kinshasa_has_24_communes_flagged_for_field_review(
    locations: Locations, real_data: dict[str, Any]
) -> None:
    places = locations.places("CD-KN")
    assert [p.name for p in places] == KINSHASA_COMMUNES
    assert {p.kind for p in places} == {"commune"}
    assert "CD-KN/mont-ngafula" in {p.code for p in places}
    assert "Kinshasa" in real_data["_review"] and "field teams" in real_data["_review"]


def test_provinces_without_places_yet_have_an_empty_list(locations: Locations) -> None:
    assert locations.places("CD-TU") == []


def test_covering_lists_the_place_then_its_province(locations: Locations) -> None:
    assert locations.covering("CD-KL/kikwit") == ("CD-KL/kikwit", "CD-KL")
    assert locations.covering("CD-KL") == ("CD-KL",)


def test_label_names_the_province_and_the_place(locations: Locations) -> None:
    assert locations.label("CD-KL/kikwit") == "Kwilu/Kikwit"
    assert locations.label("CD-KL") == "Kwilu"
    assert locations.label("CD-EQ") == "Équateur"


def test_province_of_gives_the_iso_part(locations: Locations) -> None:
    assert locations.province_of("CD-HK/lubumbashi-kenya") == "CD-HK"
    assert locations.province_of("CD-KN") == "CD-KN"


def test_province_looks_up_a_province_by_exact_code(locations: Locations) -> None:
    kwilu = locations.province("CD-KL")
    assert kwilu is not None and kwilu.name == "Kwilu"
    assert locations.province("cd-kl") is None
    assert locations.province("CD-KL/kikwit") is None


@pytest.mark.parametrize("code", ["CD-KN", "CD-KL", "CD-KL/kikwit", "CD-HK/lubumbashi-annexe"])
def test_known_codes_are_valid(locations: Locations, code: str) -> None:
    assert locations.is_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "CD-XX",
        "CD-KL/",
        "CD-KL/Kikwit",
        "cd-kl",
        "CD-KL/kinshasa",
        "CD-KL/kikwit/x",
        " CD-KL",
        "",
        "cd",
        "CD/",
        "CD/kikwit",
        "CD-",
        "CG",
    ],
)
def test_malformed_or_unknown_codes_are_refused_everywhere(locations: Locations, code: str) -> None:
    assert not locations.is_valid(code)
    for lookup in (locations.province_of, locations.label, locations.covering, locations.timezone):
        with pytest.raises(LocationsError, match="not a known location code"):
            lookup(code)


def test_the_whole_country_is_a_location_for_a_report_whose_place_is_not_known(
    locations: Locations,
) -> None:
    assert COUNTRY == "CD"
    assert locations.is_valid("CD")
    assert locations.province_of("CD") == "CD"
    assert locations.covering("CD") == ("CD",)  # no province's team is alerted by area
    assert locations.label("CD") == "RDC"
    assert locations.timezone("CD") == "Africa/Kinshasa"
    assert locations.province("CD") is None
    with pytest.raises(LocationsError):
        locations.places("CD")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("Une fille est retenue a Kikwit depuis hier", "CD-KL/kikwit", id="a-city"),
        pytest.param("À KIKWIT!", "CD-KL/kikwit", id="capitals-accents-and-punctuation"),
        pytest.param(
            "des enfants travaillent a Masi-Manimba", "CD-KL/masi-manimba", id="a-hyphenated-territory"
        ),
        pytest.param("masi manimba", "CD-KL/masi-manimba", id="the-same-without-the-hyphen"),
        pytest.param(
            "commune de Ruashi", "CD-HK/lubumbashi-ruashi", id="a-commune-without-its-city-in-brackets"
        ),
        pytest.param("a Lubumbashi", "CD-HK/lubumbashi", id="the-city-before-its-commune"),
        pytest.param("pres de Kikwit, Kwilu", "CD-KL/kikwit", id="the-place-before-its-province"),
        pytest.param("dans le Kwilu", "CD-KL", id="a-province"),
        pytest.param("Kasai oriental", "CD-KE", id="the-longer-province-name"),
        pytest.param("au Kasaï", "CD-KS", id="the-shorter-province-name"),
        pytest.param("ici a Kinshasa", "CD-KN", id="kinshasa-the-city-province-not-its-commune"),
        pytest.param("Kinshasa, commune de Gombe", "CD-KN/gombe", id="a-kinshasa-commune"),
        pytest.param("Haut Lomami", "CD-HL", id="a-two-word-province"),
        pytest.param("Ruashi, Lubumbashi", "CD-HK/lubumbashi-ruashi", id="the-commune-before-its-city"),
        pytest.param("commune Kenya", "CD-HK/lubumbashi-kenya", id="a-commune-that-is-a-country-cued"),
        pytest.param(
            "quartier Kenya a Lubumbashi",
            "CD-HK/lubumbashi-kenya",
            id="a-commune-that-is-a-country-with-its-city",
        ),
        pytest.param(
            "commune de Lubumbashi",
            "CD-HK/lubumbashi-lubumbashi",
            id="the-commune-named-like-its-city-when-cued",
        ),
        pytest.param(
            "on l'a emmenee au Kenya depuis Kikwit", "CD-KL/kikwit", id="the-country-kenya-is-not-the-commune"
        ),
    ],
)
def test_a_place_named_in_free_text_is_found_most_specific_first(
    locations: Locations, text: str, code: str
) -> None:
    assert locations.find_in_text(text) == code
    assert locations.is_valid(code)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Aidez-nous",
        "kikwitois",
        "Kikwi",
        "Nord Kivu" + "x",
        "12345",
        "😀 *#",
        "des filles envoyees au Kenya",
        "voir l'annexe du contrat",
    ],
    ids=[
        "empty",
        "no-place",
        "a-longer-word",
        "a-shorter-word",
        "glued",
        "digits",
        "symbols",
        "the-country-kenya",
        "the-word-annexe",
    ],
)
def test_text_that_names_no_place_gives_none(locations: Locations, text: str) -> None:
    assert locations.find_in_text(text) is None


def test_places_of_something_that_is_not_a_province_is_an_error(locations: Locations) -> None:
    with pytest.raises(LocationsError, match="CD-KL/kikwit"):
        locations.places("CD-KL/kikwit")


def test_default_locations_is_loaded_once_and_shared() -> None:
    default_locations.cache_clear()
    first = default_locations()
    assert default_locations() is first
    assert first.is_valid("CD-KL/kikwit")


def test_names_are_compared_with_pycountry_ignoring_case_and_accents(
    tmp_path: Path, real_data: dict[str, Any]
) -> None:
    data = copy.deepcopy(real_data)
    _province(data, "CD-EQ")["name"] = "EQUATEUR"
    path = tmp_path / "locations.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert Locations.load(path).label("CD-EQ") == "EQUATEUR"


def _add_unknown_province(data: dict[str, Any]) -> None:
    data["provinces"].append({"code": "CD-XX", "name": "Nowhere", "timezone": "Africa/Kinshasa"})


def _rename_kwilu(data: dict[str, Any]) -> None:
    _province(data, "CD-KL")["name"] = "Kwango"


def _bad_slug(data: dict[str, Any]) -> None:
    _province(data, "CD-KL")["places"][1]["slug"] = "Kikwit"


def _duplicate_province(data: dict[str, Any]) -> None:
    data["provinces"].append(copy.deepcopy(_province(data, "CD-KL")))


def _duplicate_place(data: dict[str, Any]) -> None:
    places = _province(data, "CD-KL")["places"]
    places.append(dict(places[1], name="Kikwit again"))


def _missing_province(data: dict[str, Any]) -> None:
    data["provinces"] = [p for p in data["provinces"] if p["code"] != "CD-TU"]


def _bad_timezone(data: dict[str, Any]) -> None:
    _province(data, "CD-KL")["timezone"] = "Africa/Kikwit"


def _bad_kind(data: dict[str, Any]) -> None:
    _province(data, "CD-KL")["places"][1]["kind"] = "village"


def _needs_context_not_a_boolean(data: dict[str, Any]) -> None:
    _province(data, "CD-KL")["places"][1]["needs_context"] = "yes"


def _misspelt_key(data: dict[str, Any]) -> None:
    _province(data, "CD-KL")["timezon"] = "Africa/Kinshasa"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (_add_unknown_province, r"'CD-XX' is not an ISO 3166-2 province"),
        (_rename_kwilu, r"CD-KL is named 'Kwango', ISO 3166-2 says 'Kwilu'"),
        (_bad_slug, r"place CD-KL/Kikwit: slug 'Kikwit' must be lower-case"),
        (_duplicate_province, r"province CD-KL is listed twice"),
        (_duplicate_place, r"place CD-KL/kikwit is listed twice"),
        (_missing_province, r"provinces missing: CD-TU"),
        (_bad_timezone, r"CD-KL has an unknown time zone 'Africa/Kikwit'"),
        (_bad_kind, r"kind 'village' is not one of"),
        (_needs_context_not_a_boolean, r'CD-KL/kikwit: "needs_context" must be true or false'),
        (_misspelt_key, r"province CD-KL: unknown keys \['timezon'\]"),
    ],
)
def test_a_broken_file_is_refused_with_a_message_naming_the_problem(
    tmp_path: Path,
    real_data: dict[str, Any],
    breakage: Callable[[dict[str, Any]], None],
    message: str,
) -> None:
    data = copy.deepcopy(real_data)
    breakage(data)
    path = tmp_path / "locations.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LocationsError, match=message) as error:
        Locations.load(path)
    assert str(path) in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"provinces": [', r"cannot read locations"),
        ('{"provinces": [], "provinces": []}', r"repeated keys \['provinces'\]"),
        ('["CD-KL"]', r'expected an object with a "provinces" list'),
    ],
)
def test_a_file_that_is_not_a_locations_document_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "locations.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LocationsError, match=message):
        Locations.load(path)


def test_a_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(LocationsError, match=r"nowhere\.json"):
        Locations.load(path)
