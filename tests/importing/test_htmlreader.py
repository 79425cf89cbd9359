"""Web pages: headings, boxes, ordered lists with their numbers, spans in tables, nothing run or fetched."""

from __future__ import annotations

from crossplan.graph.importing.document import HEADING, TABLE
from crossplan.graph.importing.htmlreader import read_html


def test_blocks_lists_boxes_and_tables(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>Response</title><script>alert(1)</script></head><body>"
        "<h2>Recommendations</h2><ol start='3' type='a'><li>Do this</li><li>Do that</li></ol>"
        "<div class='box'><p>In a box</p></div><img src='http://example.invalid/x.png'>"
        "<table><tr><td rowspan='2'>1</td><td colspan='2'>wide</td></tr><tr><td>a</td><td>b</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    document = read_html(page, "p.html")
    assert document.title == "Response"
    assert [(block.kind, block.text) for block in document.blocks if block.kind == HEADING] == [
        (HEADING, "Recommendations")
    ]
    assert [(block.number, block.text) for block in document.blocks if block.number] == [
        ("c.", "Do this"),
        ("d.", "Do that"),
    ]
    assert [block.text for block in document.blocks if block.boxed] == ["In a box"]
    [table] = [block for block in document.blocks if block.kind == TABLE]
    assert table.rows == [["1", "wide", ""], ["", "a", "b"]]
    assert not any("alert" in block.text for block in document.blocks)
