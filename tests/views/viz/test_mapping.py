"""The mapping drawing (graph/views/viz/mapping.py, svg.py): ordering, geometry and the standalone SVG, no browser."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import UnknownIdError
from crossplan.graph.questions.mapping import find_mapping
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.views.viz import (
    BASIS_STYLES,
    RELATION_STYLES,
    VizOptionError,
    build_view,
    mapping_drawing,
    mapping_svg,
    mapping_svgs,
)
from crossplan.graph.views.viz.mapping import (
    BOX_COLOURS,
    count_crossings,
    improve_by_swaps,
    layout_mapping,
    order_by_barycentre,
    order_to_cross_least,
)
from crossplan.graph.views.viz.svg import drawing_svg

FIXTURES = Path(__file__).parents[2] / "fixtures"
SVG = "{http://www.w3.org/2000/svg}"
FROM, TO = "hmip-resettlement", "yj-blueprint"


@pytest.fixture(scope="module")
def shipped():
    return open_store()


@pytest.fixture(scope="module")
def mini():
    return memory_store(load_dataset(FIXTURES / "mini"))


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_the_default_page_opens_on_the_most_linked_pair(shipped):
    view = build_view(shipped)
    assert view.initial == {"view": "mapping", "from": FROM, "to": TO}
    assert [(drawing["from"], drawing["to"]) for drawing in view.mappings] == [(FROM, TO), (TO, FROM)]
    # Presets that cut the graph down start on the graph.
    assert build_view(shipped, plans=[FROM]).initial == {"view": "graph"}
    assert build_view(shipped, mapping=(TO, FROM)).initial == {"view": "mapping", "from": TO, "to": FROM}


def test_the_shipped_mapping_is_laid_out_for_reading(shipped):
    drawing = mapping_drawing(shipped, FROM, TO)
    boxes = {box["id"]: box for box in drawing["boxes"]}
    for index, a in enumerate(drawing["boxes"]):
        for b in drawing["boxes"][index + 1 :]:
            assert not overlaps(a, b), (a["id"], b["id"])
    assert min(box["fontPx"] for box in drawing["boxes"]) >= 12
    for edge in drawing["edges"]:
        left, right = boxes[edge["left"]], boxes[edge["right"]]
        start, end = (
            (edge["points"][0], edge["points"][-1]) if edge["forward"] else (edge["points"][-1], edge["points"][0])
        )
        assert start[0] == left["x"] + left["width"] and left["y"] <= start[1] <= left["y"] + left["height"]
        assert end[0] == right["x"] and right["y"] <= end[1] <= right["y"] + right["height"]
    # Every item of the source plan is either drawn with its links or listed apart as unmapped.
    linked = {edge["left"] for edge in drawing["edges"]}
    assert set(drawing["mapped"]) == linked and not linked & set(drawing["unmapped"])
    assert drawing["crossings"]["drawn"] <= drawing["crossings"]["documentOrder"]
    # The right column keeps the target plan's order: each workstream, then its items.
    right = sorted((box for box in drawing["boxes"] if box["x"] > 400), key=lambda box: box["y"])
    assert right[0]["kind"] == "workstream"


def test_the_ordering_is_never_worse_than_the_barycentre():
    rng = random.Random(7)
    for _ in range(200):
        targets = [f"t{i}" for i in range(rng.randint(2, 12))]
        rank = {target: index for index, target in enumerate(targets)}
        sources = [f"s{i}" for i in range(rng.randint(2, 12))]
        targets_of = {source: rng.sample(targets, rng.randint(1, min(3, len(targets)))) for source in sources}
        barycentre = order_by_barycentre(sources, targets_of, rank)
        improved = improve_by_swaps(barycentre, targets_of, rank)
        assert sorted(improved) == sorted(sources)
        assert count_crossings(improved, targets_of, rank) <= count_crossings(barycentre, targets_of, rank)
        chosen = order_to_cross_least(sources, targets_of, rank)
        assert sorted(chosen) == sorted(sources)
        assert count_crossings(chosen, targets_of, rank) <= count_crossings(improved, targets_of, rank)


HOSTILE = "<script>alert('x')</script> & <img src=x onerror=alert(1)> \"quoted\" ]]>"


def test_the_svg_keeps_data_text_as_text():
    nodes = {
        "a": {"id": "a", "type": "plan", "title": HOSTILE},
        "a/r1": {"id": "a/r1", "type": "recommendation", "plan": "a", "text": HOSTILE, "position": 1},
        "a/r2": {"id": "a/r2", "type": "recommendation", "plan": "a", "text": "Unlinked " + HOSTILE, "position": 2},
        "b/ws": {"id": "b/ws", "type": "workstream", "plan": "b", "title": HOSTILE, "position": 1},
        "b/ws-1": {"id": "b/ws-1", "type": "recommendation", "plan": "b", "workstream": "b/ws", "text": HOSTILE},
    }
    edges = [
        {"id": "e1", "from": "a/r1", "to": "b/ws-1", "relation": "related-to", "basis": "judged", "quote": HOSTILE}
    ]
    drawing = layout_mapping(nodes, edges, "a", "b", {"a": HOSTILE, "b": "B & <b>"}, {"related-to": "related to"})
    text = drawing_svg(drawing, RELATION_STYLES, BASIS_STYLES, {})
    root = ElementTree.fromstring(text)  # well-formed: no data text became markup
    tags = {element.tag.replace(SVG, "") for element in root.iter()}
    assert tags <= {"svg", "title", "rect", "text", "defs", "marker", "path", "g", "line"}
    assert any("<script>" in (element.text or "") for element in root.iter(f"{SVG}text"))
    assert drawing["unmapped"] == ["a/r2"]


def test_mapping_svg_of_the_shipped_plans(shipped):
    text = mapping_svg(shipped, FROM, TO)
    root = ElementTree.fromstring(text)
    drawing = mapping_drawing(shipped, FROM, TO)
    arrows = [path for path in root.iter(f"{SVG}path") if path.get("marker-end") or path.get("marker-start")]
    assert len(arrows) == len(drawing["edges"]) > 0
    words = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert "Not linked to" in words and "r6 ·" in words


def test_several_mappings_read_the_graph_once(shipped):
    class Counting:
        def __init__(self, store):
            self.store, self.data_dir, self.selects = store, store.data_dir, 0

        def select(self, sparql, substitutions=None):
            self.selects += 1
            return self.store.select(sparql, substitutions)

    pairs = [(FROM, TO), (TO, FROM)]
    once = Counting(shipped)
    assert mapping_svgs(once, pairs) == [mapping_svg(shipped, *pair) for pair in pairs]
    single = Counting(shipped)
    mapping_svg(single, FROM, TO)
    # The graph is read once; each pair adds only its summary's queries (the headline).
    second = Counting(shipped)
    find_mapping(second, TO, FROM)
    assert once.selects == single.selects + second.selects
    assert single.selects > second.selects > 0


def test_mapping_errors(shipped):
    with pytest.raises(UnknownIdError, match="no plan 'nope'"):
        mapping_svg(shipped, FROM, "nope")
    with pytest.raises(VizOptionError, match="two different plans"):
        mapping_svg(shipped, FROM, FROM)


def test_cli_writes_the_mapping_as_svg(invoke, tmp_path):
    out = tmp_path / "mapping.svg"
    result = invoke("--data", FIXTURES / "mini", "viz", "--mapping", "alpha", "beta", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out}: how alpha maps onto beta (")
    ElementTree.parse(out)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--mapping", "alpha", "beta", "-o", "x.txt"), "Error: --mapping writes .html, .svg or .png, not '.txt'"),
        (
            ("--mapping", "alpha", "beta", "--focus", "r1", "-o", "x.svg"),
            "Error: --mapping with an .svg or .png output takes no other view option",
        ),
        (("--mapping", "alpha", "gamma", "-o", "x.svg"), "Error: no plan 'gamma'"),
    ],
)
def test_cli_mapping_image_errors_are_one_line(invoke, tmp_path, monkeypatch, options, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("--data", FIXTURES / "mini", "viz", *options)
    assert result.exit_code in (1, 2)
    assert message in result.output and "Traceback" not in result.output


def test_cli_png_without_a_renderer_says_how_to_get_one(invoke, tmp_path, monkeypatch):
    # No renderer, whatever this machine has: rsvg-convert is not on PATH and cairosvg does not import.
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    result = invoke("--data", FIXTURES / "mini", "viz", "--mapping", "alpha", "beta", "-o", tmp_path / "m.png")
    assert result.exit_code == 2
    assert "PNG needs rsvg-convert" in result.output and "write .svg instead" in result.output
    assert not (tmp_path / "m.png").exists()


def test_empty_workstreams_fold_and_heads_into_a_box_merge(shipped):
    drawing = mapping_drawing(shipped, FROM, TO)
    boxes = {box["id"]: box for box in drawing["boxes"]}
    linked = {edge["right"] for edge in drawing["edges"]}
    assert drawing["folded"]
    for workstream, members in drawing["folded"].items():
        assert "no link" in " ".join(boxes[workstream]["lines"]) and not set(members) & set(boxes)
        assert not set(members) & linked
    # every line into one box ends at one point: one arrowhead, not a saw-tooth
    ends: dict[str, set] = {}
    for edge in drawing["edges"]:
        end = edge["points"][-1] if edge["forward"] else edge["points"][0]
        ends.setdefault(edge["right"], set()).add(tuple(end))
    assert all(len(points) == 1 for points in ends.values())
    # the unlinked source items come under the linked ones
    lowest_linked = max(boxes[i]["y"] for i in drawing["mapped"])
    assert all(boxes[i]["y"] > lowest_linked for i in drawing["unmapped"])
    # the key names every box colour used
    keyed = {(entry["fill"], entry["stroke"]) for entry in drawing["legend"] if entry["kind"] == "box"}
    assert {(box["fill"], box["stroke"]) for box in drawing["boxes"]} <= keyed


def _contrast(ink: str, fill: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(ink), luminance(fill)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_box_text_contrast_is_at_least_4_5():
    assert all(_contrast(ink, fill) >= 4.5 for fill, _, ink, _ in BOX_COLOURS.values())


@pytest.mark.parametrize(
    ("size", "width", "height", "ratio"), [("slide", "1920", "1080", 16 / 9), ("a4", "297mm", "210mm", 297 / 210)]
)
def test_the_svg_fits_a_slide_or_a_landscape_page(shipped, size, width, height, ratio):
    root = ElementTree.fromstring(mapping_svg(shipped, FROM, TO, size))
    assert (root.get("width"), root.get("height")) == (width, height)
    _, _, box_width, box_height = (float(part) for part in root.get("viewBox").split())
    assert abs(box_width / box_height - ratio) < 0.01
    # item text (13 px in the drawing) lands at 16 px or more on a 1920-wide slide, 8 pt or more on A4
    smallest = min(float(text.get("font-size")) for text in root.iter(f"{SVG}text"))
    if size == "slide":
        assert smallest * 1920 / box_width >= 16
    else:
        assert smallest * (297 / box_width) / 25.4 * 72 >= 8


def test_cli_writes_a_slide(invoke, tmp_path):
    out = tmp_path / "slide.svg"
    result = invoke("--data", FIXTURES / "mini", "viz", "--mapping", "alpha", "beta", "--size", "slide", "-o", out)
    assert result.exit_code == 0, result.output
    assert ElementTree.parse(out).getroot().get("width") == "1920"
    result = invoke("--data", FIXTURES / "mini", "viz", "--size", "slide", "-o", tmp_path / "page.html")
    assert result.exit_code == 2 and "--size draws the mapping as a picture" in result.output
