"""`crossplan serve` in a real browser: Debian's Chromium driven by Playwright (never `playwright install`).

Every request the pages make to anything but the server is blocked and counted: the pages must work offline.
Run as a script to take the README's screenshots (1440×900)::

    PYTHONPATH=tests python tests/serve/test_serve_browser.py --screenshots docs/images
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from chromium import launch
from serve_support import TOKEN, copy_shipped_data, start_serve, wait_for

pytestmark = [pytest.mark.server, pytest.mark.browser]

VIEWPORT = {"width": 1440, "height": 900}


class Browser:
    """A Chromium context that only reaches the server, recording console errors and blocked requests."""

    def __init__(self, chromium, base_url: str):
        self.context = chromium.new_context(viewport=VIEWPORT)
        self.blocked: list[str] = []
        self.errors: list[str] = []

        def route(route):
            url = route.request.url
            if url.startswith((base_url, "data:", "blob:")):
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort()

        self.context.route("**/*", route)

    def page(self):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        return page


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = copy_shipped_data(tmp_path_factory.mktemp("browser") / "data")
    server = start_serve(data, tmp_path_factory.mktemp("browser-cache"), allow_edits=True)
    yield server
    assert server.stop() == 0


@pytest.fixture
def browser(chromium, served):
    opened = Browser(chromium, served.url)
    yield opened
    opened.context.close()


def _plan_count(served) -> int:
    answer = served.post("sparql", data={"query": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a cp:Plan }"}).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def test_the_console_highlights_runs_and_opens_saved_queries(served, browser):
    page = browser.page()
    page.goto(served.url + "console")
    page.wait_for_selector(".CodeMirror")
    assert page.locator(".CodeMirror .cm-keyword").count() >= 2  # syntax highlighting: PREFIX, SELECT, WHERE…
    editor_text = page.evaluate("window.crossplanConsole.getTab().getQuery()")
    assert "PREFIX cp: <https://w3id.org/crossplan/ontology#>" in editor_text  # prefixes declared for the editor
    page.click(".yasqe_queryButton")
    rows = page.locator(".yasr table.dataTable tbody tr")
    wait_for(lambda: rows.count() == _plan_count(served))
    assert "Youth Justice Blueprint Implementation Plan" in page.locator(".yasr").inner_text()

    expected = served.get("queries/recommendations.json", params={"plan": "hmip-resettlement"}).json()
    count = len(expected["results"]["results"]["bindings"])
    form = page.locator('form.saved[data-name="recommendations"]')
    form.locator('input[name="plan"]').fill("hmip-resettlement")
    form.locator("button").click()
    wait_for(lambda: "VALUES (?plan)" in page.evaluate("window.crossplanConsole.getTab().getQuery()"))
    wait_for(lambda: f"{count} results" in page.locator(".yasr").inner_text())

    form.locator('input[name="plan"]').fill("no-such-plan")
    form.locator("button").click()
    wait_for(lambda: "no-such-plan" in form.locator(".form-error").inner_text())
    assert not browser.blocked
    assert [error for error in browser.errors if "404" not in error] == []


def test_the_review_queue_accepts_rejects_and_skips_only_with_the_token(served, browser):
    page = browser.page()
    page.goto(served.url + "review?from=hmip-resettlement&to=yj-blueprint")
    cards = page.locator("li.suggestion")
    total = cards.count()
    assert total >= 3
    first, second, third = cards.nth(0), cards.nth(1), cards.nth(2)
    first_pair = (first.get_attribute("data-from"), first.get_attribute("data-to"))
    plan_file = served.data_dir / "plans" / f"{first_pair[0].split('/')[0]}.yaml"
    before = plan_file.read_text(encoding="utf-8")

    # both quotes side by side
    quotes = first.locator(".sides blockquote")
    assert quotes.count() == 2
    left, right = quotes.nth(0).bounding_box(), quotes.nth(1).bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2

    first.locator("button.accept").click()  # no token yet: refused, nothing written
    wait_for(lambda: "this needs the edit token" in first.locator(".outcome").inner_text())
    assert plan_file.read_text(encoding="utf-8") == before

    page.fill("#edit-token", "wrong-token-wrong-token")
    page.locator("#edit-token").dispatch_event("change")
    first.locator("button.accept").click()
    wait_for(lambda: "the edit token is wrong" in first.locator(".outcome").inner_text())
    assert plan_file.read_text(encoding="utf-8") == before

    page.fill("#edit-token", TOKEN)
    page.locator("#edit-token").dispatch_event("change")
    first.locator("button.accept").click()
    wait_for(lambda: first.locator(".outcome").inner_text().startswith("Accepted: "), timeout=60)
    assert "basis: suggested" in plan_file.read_text(encoding="utf-8")[len(before.rstrip()) :]
    second.locator("button.reject").click()
    wait_for(lambda: second.locator(".outcome").inner_text().startswith("Rejected: "), timeout=60)
    assert (served.data_dir / "suggestions" / "rejected.yaml").is_file()
    third.locator("button.skip").click()
    assert third.locator(".outcome").inner_text() == "Skipped"
    assert page.locator("#review-counter").inner_text() == f"{total - 3} suggestions waiting"

    page.reload()  # the token stays in this tab; the accepted and rejected pairs are gone from the queue
    assert page.locator("#edit-token").input_value() == TOKEN
    pairs = {
        (card.get_attribute("data-from"), card.get_attribute("data-to")) for card in page.locator("li.suggestion").all()
    }
    assert first_pair not in pairs
    assert not browser.blocked


def test_the_graph_and_the_question_pages_work_offline(served, browser):
    page = browser.page()
    page.goto(served.url)
    graph = page.frame_locator("iframe#graph")
    graph.locator("#cp-network canvas").wait_for(state="attached", timeout=30000)  # the page may open on another view
    frame_box = page.locator("iframe#graph").bounding_box()
    assert frame_box["y"] >= page.locator("header.bar").bounding_box()["height"] - 1
    assert frame_box["y"] + frame_box["height"] <= 900 + 1  # the graph fills the window under the navigation
    page.goto(served.url + "questions")
    page.locator('form[action="/questions/mapping"] input[name="from"]').fill("hmip-resettlement")
    page.locator('form[action="/questions/mapping"] input[name="to"]').fill("yj-blueprint")
    page.locator('form[action="/questions/mapping"] button').click()
    page.wait_for_url("**/questions/mapping?from=hmip-resettlement&to=yj-blueprint")  # a shareable address
    assert page.locator(".answer table").count() >= 1
    page.locator(".answer a", has_text="hmip-resettlement/r6").first.click()
    page.wait_for_url("**/questions/show?id=hmip-resettlement%2Fr6")
    assert not browser.blocked
    assert browser.errors == []


def take_screenshots(directory: Path) -> list[Path]:
    """Take the README's screenshots of the console and the review queue (1440×900) on a copy of the shipped data."""
    from playwright.sync_api import sync_playwright

    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        data = copy_shipped_data(Path(scratch) / "data")
        server = start_serve(data, Path(scratch) / "cache", allow_edits=True)
        try:
            with sync_playwright() as playwright:
                chromium = launch(playwright)
                browser = Browser(chromium, server.url)
                page = browser.page()
                page.goto(server.url + "console")
                page.wait_for_selector(".CodeMirror")
                form = page.locator('form.saved[data-name="recommendations"]')
                form.locator('input[name="plan"]').fill("hmip-resettlement")
                form.locator("button").click()
                page.wait_for_selector(".yasr table.dataTable tbody tr")
                page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_timeout(300)
                console = directory / "serve-console.png"
                page.screenshot(path=str(console))
                page.goto(server.url + "review?from=hmip-resettlement&to=yj-blueprint")
                page.fill("#edit-token", TOKEN)
                page.locator("#edit-token").dispatch_event("change")
                page.locator("li.suggestion").nth(1).locator("button.skip").click()
                page.locator("li.suggestion").first.locator("button.accept").click()
                page.locator("li.suggestion").first.locator(".outcome", has_text="Accepted").wait_for(timeout=60000)
                review = directory / "serve-review.png"
                page.screenshot(path=str(review))
                chromium.close()
        finally:
            server.stop()
    return [console, review]


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, required=True, metavar="DIR")
    for path in take_screenshots(parser.parse_args().screenshots):
        print(path)
