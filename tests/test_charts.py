"""Server-side SVG charts: valid markup, proportions that match the numbers, text always escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hotline.casework import charts

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"
DRAWING_TAGS = {"svg", "title", "g", "rect", "line", "text"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  (our own output, parsed to prove it is well formed)
    assert root.tag == f"{SVG}svg"
    return root


def tags(root: ET.Element) -> set[str]:
    return {element.tag.removeprefix(SVG) for element in root.iter()}


def texts(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.iter()]


def rect_heights(root: ET.Element) -> list[float]:
    return [float(r.get("height", 0)) for g in root.iter(f"{SVG}g") for r in g.iter(f"{SVG}rect")]


def test_a_stacked_column_chart_is_valid_svg_with_one_segment_per_nonzero_count():
    svg = charts.stacked_columns(
        ["01/01", "02/01", "03/01"],
        [("Forced labour", [3, 0, 1]), ("Other", [1, 2, 0])],
        title="Reports per day",
        empty_text="Nothing",
    )
    root = parse(svg)
    assert root.get("viewBox", "").startswith("0 0 720 ")
    assert len(rect_heights(root)) == 4  # the two zeros draw nothing
    assert "Reports per day" in texts(root)
    assert "01/01 · Forced labour: 3" in texts(root)


def test_segments_are_as_tall_as_their_counts():
    root = parse(charts.stacked_columns(["w1"], [("a", [3]), ("b", [1])], title="t", empty_text="-"))
    tall, short = rect_heights(root)
    assert round(tall / short, 3) == 3


def test_a_category_or_place_named_like_a_script_stays_text():
    series = [(SCRIPT, [1, 2]), ('Kwilu" onload="x', [2, 0])]
    for svg in (
        charts.stacked_columns([SCRIPT, "b"], series, title=SCRIPT, empty_text="-"),
        charts.stacked_rows([SCRIPT, "b"], series, title=SCRIPT, empty_text="-"),
    ):
        root = parse(svg)
        assert tags(root) <= DRAWING_TAGS
        assert "<script>" not in svg and "&lt;script&gt;" in svg
        assert any(SCRIPT in text for text in texts(root))
        assert all(not name.startswith("on") for e in root.iter() for name in e.attrib)


def test_a_horizontal_chart_writes_each_total_at_the_end_of_its_bar():
    root = parse(
        charts.stacked_rows(
            ["category", "description"],
            [("Success", [0, 4]), ("Incomplete", [7, 2])],
            title="USSD",
            empty_text="-",
            fixed={"Success": "#009e73"},
        )
    )
    assert {"7", "6"} <= set(texts(root))
    assert root.find(f"{SVG}g").get("fill") == "#009e73"


def test_a_chart_with_nothing_to_show_says_so():
    for svg in (
        charts.stacked_columns(["a"], [("x", [0])], title="t", empty_text="No report"),
        charts.stacked_rows([], [], title="t", empty_text="No report"),
    ):
        root = parse(svg)
        assert "No report" in texts(root)
        assert root.find(f"{SVG}rect") is None


def test_a_month_of_eight_series_stays_small():
    labels = [f"{d:02d}/01" for d in range(1, 31)]
    series = [(f"Province {n}", [n + d for d in range(30)]) for n in range(8)]
    svg = charts.stacked_columns(labels, series, title="t", empty_text="-", label_every=5)
    parse(svg)
    assert len(svg.encode()) < 40_000


def test_the_other_group_is_grey_and_axis_tops_are_round_numbers():
    fills = charts.colours([("a", [1]), ("Other areas", [1])], "Other areas", None)
    assert fills == [charts.PALETTE[0], charts.OTHER_COLOUR]
    assert [charts.nice_ceiling(v) for v in (0, 1, 3, 7, 11, 180)] == [1, 1, 5, 10, 20, 200]
