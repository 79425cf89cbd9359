"""The page at a desktop, a laptop and a phone size: Debian's Chromium, every non-file request blocked.

What is asserted is what ``window.crossplan.geometry()`` reports of the drawing (its contract): the first view shows
both plans' items, inside the drawing's area, at 12 px text or more, nothing covered; the details drawer takes its
own room and never lies over the drawing.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from chromium import launch

from crossplan.graph.stores.embedded import open_store
from crossplan.graph.views.viz import build_view, render_html

SIZES = [(1440, 900), (1024, 768), (390, 844)]
FROM, TO = "hmip-resettlement", "yj-blueprint"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shipped_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("screens") / "shipped.html"
    path.write_text(render_html(open_store()), encoding="utf-8")
    return path


def open_at(browser, path, size):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.route(lambda url: not url.startswith("file:"), lambda route: route.abort())
    page.goto(path.resolve().as_uri())
    page.locator("body[data-ready=true]").wait_for(state="attached", timeout=60_000)
    return page, problems


def inside(node: dict, viewport: dict) -> bool:
    return (
        node["x"] >= -0.5
        and node["y"] >= -0.5
        and node["x"] + node["width"] <= viewport["width"] + 0.5
        and node["y"] + node["height"] <= viewport["height"] + 0.5
    )


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def area_box(page) -> dict:
    return page.evaluate(
        "(() => { const r = document.getElementById('cp-mapping').getBoundingClientRect();"
        " return {x: r.left, y: r.top, width: r.width, height: r.height}; })()"
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_first_view_shows_both_plans_readable_and_uncovered(browser, shipped_file, size):
    page, problems = open_at(browser, shipped_file, size)
    shape = page.evaluate("crossplan.geometry()")
    assert shape["view"] == "mapping"
    assert shape["drawer"] == {"open": False}
    assert shape["viewport"]["width"] == size[0]  # the drawing has the whole width until something is selected
    assert shape["layout"] == ("list" if size[0] < 700 else "columns")
    seen = [node for node in shape["nodes"] if inside(node, shape["viewport"])]
    assert {node["id"].split("/")[0] for node in seen} == {FROM, TO}
    assert min(node["fontPx"] for node in shape["nodes"]) >= 12
    if shape["layout"] == "columns":
        # the columns fit the area's width: nothing to scroll sideways
        assert max(node["x"] + node["width"] for node in shape["nodes"]) <= shape["viewport"]["width"]
        boxes = shape["nodes"]
        assert not [(a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlap(a, b)]
        # every link's two ends are in the first view: the answer is there without scrolling
        ends = {end for edge in shape["edges"] for end in (edge["from"], edge["to"])}
        assert all(inside(node, shape["viewport"]) for node in boxes if node["id"] in ends)
    # nothing covers the drawing: the element at each visible node's centre belongs to the drawing
    box = area_box(page)
    for node in seen[:12]:
        x, y = box["x"] + node["x"] + node["width"] / 2, box["y"] + node["y"] + min(node["height"] / 2, 10)
        assert page.evaluate(
            "([x, y]) => document.getElementById('cp-mapping').contains(document.elementFromPoint(x, y))", [x, y]
        ), node["id"]
    assert problems == []
    page.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_selecting_opens_a_drawer_that_never_hides_the_answer(browser, shipped_file, size):
    page, problems = open_at(browser, shipped_file, size)
    drawing = build_view(open_store()).mappings[0]
    item = drawing["mapped"][0]
    targets = {edge["right"] for edge in drawing["edges"] if edge["left"] == item}
    page.evaluate("id => crossplan.select(id, {animate: false})", item)
    shape = page.evaluate("crossplan.geometry()")
    assert shape["drawer"]["open"] is True
    assert page.inner_text("#cp-panel-body .cp-id") == item
    box = area_box(page)
    drawer = shape["drawer"]
    # the drawer sits beside (or under) the drawing's area, never over it
    assert drawer["x"] >= box["x"] + box["width"] - 0.5 or drawer["y"] >= box["y"] + box["height"] - 0.5
    assert shape["viewport"]["width"] <= box["width"] + 0.5 and shape["viewport"]["height"] <= box["height"] + 0.5
    # the selected item and at least one of its targets are in view, at 12 px or more
    shown = {node["id"] for node in shape["nodes"] if inside(node, shape["viewport"]) and node["fontPx"] >= 12}
    assert item in shown and targets & shown
    page.click("#cp-panel-close")
    assert page.evaluate("crossplan.geometry().drawer.open") is False
    assert problems == []
    page.close()


def test_empty_workstreams_fold_to_one_row_and_open_on_click(browser, shipped_file):
    page, problems = open_at(browser, shipped_file, (1440, 900))
    drawing = build_view(open_store()).mappings[0]
    folded = drawing["folded"]
    assert folded  # the Blueprint has workstreams with no link from HMIP
    shape = page.evaluate("crossplan.geometry()")
    ids = {node["id"] for node in shape["nodes"]}
    for workstream, members in folded.items():
        assert workstream in ids and not ids & set(members)
    label = page.text_content(f'#cp-mapping [data-node="{next(iter(folded))}"]')
    assert "no link" in label and "item" in label
    page.click(f'#cp-mapping [data-node="{next(iter(folded))}"]')
    opened = {node["id"] for node in page.evaluate("crossplan.geometry()")["nodes"]}
    assert all(set(members) <= opened for members in folded.values())
    assert page.evaluate("crossplan.view") == "mapping"
    assert problems == []
    page.close()


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_search_keeps_the_view_and_marks_matches_in_it(browser, shipped_file, size):
    page, problems = open_at(browser, shipped_file, size)
    page.fill("#cp-search-input", "accommodation")
    page.wait_for_timeout(100)
    marked = page.evaluate("Array.from(document.querySelectorAll('#cp-mapping .cp-match')).length")
    assert marked > 0
    page.press("#cp-search-input", "Enter")
    assert page.evaluate("crossplan.view") == "mapping"
    assert page.evaluate("crossplan.geometry().drawer.open") is True
    assert problems == []
    page.close()


def test_the_matrix_is_a_list_by_workstream_on_a_phone(browser, shipped_file):
    page, problems = open_at(browser, shipped_file, (390, 844))
    page.evaluate("crossplan.show('matrix', {})")
    shape = page.evaluate("crossplan.geometry()")
    assert page.locator("#cp-matrix table").count() == 0
    headings = page.locator("#cp-matrix h3").all_inner_texts()
    assert any("Resettlement" in heading for heading in headings)
    assert min(node["fontPx"] for node in shape["nodes"]) >= 12
    assert max(node["x"] + node["width"] for node in shape["nodes"]) <= shape["viewport"]["width"]
    assert problems == []
    page.close()


@pytest.fixture(scope="module")
def many_plans_file(tmp_path_factory):
    # The synthetic plans of the page's own tests (imported by path: the tests are not a package).
    spec = importlib.util.spec_from_file_location("page_browser_data", Path(__file__).with_name("test_page_browser.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    store = module.synthetic_store(2500)
    view = build_view(store)
    assert len(view.plans) > 2
    path = tmp_path_factory.mktemp("plans") / "plans.html"
    from crossplan.graph.views.viz import page_html

    path.write_text(page_html(view), encoding="utf-8")
    return path, view


def test_many_plans_open_on_a_legible_plans_overview(browser, many_plans_file):
    path, view = many_plans_file
    page, problems = open_at(browser, path, (1440, 900))
    shape = page.evaluate("crossplan.geometry()")
    assert shape["view"] == "plans" and shape["layout"] == "plans"
    rows = shape["nodes"]
    assert {row["id"] for row in rows} == {plan["id"] for plan in view.plans}
    assert min(row["fontPx"] for row in rows) >= 12
    assert not [(a["id"], b["id"]) for i, a in enumerate(rows) for b in rows[i + 1 :] if overlap(a, b)]
    assert [row for row in rows if inside(row, shape["viewport"])]
    # cross-plan links are drawn, each between two rows, none under a label
    assert shape["edges"]
    right = max(row["x"] + row["width"] for row in rows)
    assert all(x >= right - 0.5 for edge in shape["edges"] for x, _ in edge["points"])
    # a pair opens its mapping (or both plans in the full graph); a plan its workstreams
    first = shape["edges"][0]
    page.evaluate("([a, b]) => crossplan.openPair(a, b)", [first["from"], first["to"]])
    assert page.evaluate("crossplan.view") in ("mapping", "graph")
    page.evaluate("crossplan.show('plans', {})")
    page.click(f'#cp-plans [data-node="{rows[0]["id"]}"]')
    assert page.evaluate("crossplan.view") == "graph"
    shown = set(page.evaluate("crossplan.visibleNodeIds()"))
    assert rows[0]["id"] in shown and not any(plan["id"] in shown for plan in view.plans if plan["id"] != rows[0]["id"])
    assert problems == []
    page.close()


def test_the_full_graph_never_zooms_a_selection_below_readable_text(browser, many_plans_file):
    path, view = many_plans_file
    page, problems = open_at(browser, path, (1024, 768))
    page.evaluate("crossplan.show('graph', {})")
    plan = view.plans[0]["id"]  # a plan: its neighbours (every item) spread over its whole region
    page.evaluate("id => crossplan.select(id, {animate: false})", plan)
    shape = page.evaluate("crossplan.geometry()")
    node = next(node for node in shape["nodes"] if node["id"] == plan)
    assert node["fontPx"] >= 12 and inside(node, shape["viewport"])
    assert shape["drawer"]["open"] is True
    assert problems == []
    page.close()


# ------------------------------------------------------------------------------------------------
# The README's screenshots (not a test)


def main(argv: list[str]) -> None:
    """Save the page at three sizes, with a selection, and the plans overview of a data directory of many plans.

    PYTHONPATH=tests python tests/views/viz/test_page_screens_browser.py docs/images [MANY_PLANS_DATA_DIR]
    """
    import tempfile

    from playwright.sync_api import sync_playwright

    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="crossplan-screens-") as folder, sync_playwright() as playwright:
        chromium = launch(playwright)
        path = Path(folder) / "shipped.html"
        path.write_text(render_html(open_store()), encoding="utf-8")
        for size in SIZES:
            page, _ = open_at(chromium, path, size)
            page.screenshot(path=str(out / f"mapping-{size[0]}.png"))
            page.close()
        page, _ = open_at(chromium, path, (1440, 900))
        page.evaluate("crossplan.select('hmip-resettlement/r6', {animate: false})")
        page.screenshot(path=str(out / "mapping-selected.png"))
        page.evaluate("crossplan.clearSelection(); crossplan.show('matrix', {})")
        page.screenshot(path=str(out / "matrix.png"))
        page.close()
        if len(argv) > 1:
            many = Path(folder) / "plans.html"
            many.write_text(render_html(open_store(Path(argv[1]))), encoding="utf-8")
            page, _ = open_at(chromium, many, (1440, 900))
            page.screenshot(path=str(out / "plans-overview.png"))
            page.close()
        chromium.close()


if __name__ == "__main__":
    main(sys.argv[1:])
