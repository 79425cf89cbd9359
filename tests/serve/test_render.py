"""The renderer: a question's JSON answer as tables a person reads, every text escaped (graph/serve/render.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from chromium import files_only, launch

from crossplan.graph.serve import render as render_module
from crossplan.graph.serve.render import answer_tables, environment, heading, render_page


def test_headings_read_as_words():
    assert heading("from_plan") == "From plan"
    assert heading("id") == "Id"
    assert heading("existing-relations") == "Existing relations"


def test_an_answer_becomes_facts_then_titled_tables_with_ids_as_links():
    answer = {
        "from": "alpha",
        "forward": True,
        "links": [{"from": "alpha/r1", "relation": "feeds-into", "to": "beta/r2", "note": None}],
    }
    facts, links = answer_tables(answer)
    assert facts["kind"] == "facts"
    assert ("Forward", {"kind": "text", "text": "yes"}) in facts["rows"]
    assert links["title"] == "Links" and links["headers"] == ["From", "Relation", "To", "Note"]
    first = links["rows"][0]
    assert first[0] == {"kind": "link", "href": "/questions/show?id=alpha%2Fr1", "text": "alpha/r1"}
    assert first[3] == {"kind": "empty", "text": "—"}


def test_pages_escape_what_the_data_says():
    hostile = '<script>alert("x")</script>'
    page = render_page(
        "question.html",
        {
            "title": hostile,
            "description": hostile,
            "action": "/questions/show",
            "fields": [{"name": "id", "label": hostile, "value": hostile}],
            "answer": answer_tables({"label": hostile, "items": [{"id": "a/b", "text": hostile}]}),
            "json_href": "/questions/show.json?id=a",
        },
    ).body.decode()
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 4
    assert '<th scope="col">Text</th>' in page and '<a class="id" href="/questions/show?id=a%2Fb">a/<wbr>b</a>' in page
    assert environment().autoescape("x.html")


def test_no_html_is_written_in_python_strings_under_serve():
    """Pages come from templates only (issue 31): no HTML element is spelt in a Python string of graph/serve."""
    import re
    from pathlib import Path

    import crossplan.graph.serve as serve

    element = re.compile(
        r"<(?:!DOCTYPE|html|head|body|div|p|a|span|table|tr|td|th|form|input|label|select|li|ol|ul|"
        r"section|h[1-6]|iframe|script|link|main|header|nav|dl|dt|dd|pre|code|button)[\s>/]"
    )
    found = [
        f"{path.name}:{number}"
        for path in Path(serve.__file__).parent.glob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if element.search(line)
    ]
    assert found == []


def test_a_busy_data_directory_or_engine_is_a_503_and_an_engine_failure_a_500():
    from crossplan.graph.errors import BusyError, CrossplanError, DataDirBusyError, EngineError, UnknownIdError
    from crossplan.graph.serve.views import status_of

    assert status_of(DataDirBusyError("data: the data directory is busy")) == 503
    assert status_of(BusyError("busy")) == 503
    assert status_of(EngineError("the query engine failed on this query")) == 500
    assert status_of(UnknownIdError("no node 'x'")) == 404
    assert status_of(CrossplanError("bad")) == 400


def _review_page(suggestion: dict) -> str:
    return render_page(
        "review.html",
        {"title": "Review queue", "fields": [], "edits": False, "suggestions": [suggestion], "json_href": "/r.json"},
    ).body.decode()


def test_a_review_card_says_an_item_has_no_text_instead_of_quoting_nothing():
    suggestion = {
        "from": "north/n1",
        "to": "south/s1",
        "relation": "related-to",
        "score": 0.15,
        "from_label": "Recommendation 1",
        "to_label": "Recommendation 1",
        "evidence": {"from_sentence": "", "to_sentence": "Build homes.", "shared_terms": [], "shared_phrases": []},
    }
    page = _review_page(suggestion)
    assert '<p class="quote none">(no text of its own)</p>' in page
    assert '<p class="quote">“Build homes.”</p>' in page and "“”" not in page


@pytest.mark.browser
def test_a_review_card_fits_a_phone_its_two_sides_one_above_the_other(tmp_path):
    """At 390 px the quotes of a suggestion stack and nothing is wider than the screen (long ids wrap)."""
    from playwright.sync_api import sync_playwright

    long_id = "ccg-exclusion-0065/r21-action-1-update-1-with-a-very-long-identifier"
    suggestion = {
        "from": "zz-new-plan/r6",
        "to": long_id,
        "relation": "related-to",
        "score": 0.094,
        "from_label": "Recommendation 6",
        "to_label": "Recommendation 21, action 1",
        "evidence": {"from_sentence": "Publish a review.", "to_sentence": "Introduce an independent evaluation."},
    }
    page_html = _review_page(suggestion).replace('"/assets/', '"assets/')
    (tmp_path / "review.html").write_text(page_html, encoding="utf-8")
    shutil.copytree(Path(render_module.__file__).parent / "assets", tmp_path / "assets")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            blocked = files_only(page)
            page.goto((tmp_path / "review.html").as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            sides = page.eval_on_selector_all(
                ".sides blockquote", "nodes => nodes.map(n => n.getBoundingClientRect().top)"
            )
        finally:
            browser.close()
    assert blocked == [] and width <= 390
    assert len(sides) == 2 and sides[1] > sides[0]  # one above the other
