"""The common document model: hyphenation, running headers and footers, the saved source text, JSON round trip."""

from __future__ import annotations

from crossplan.graph.importing.document import (
    PARAGRAPH,
    TABLE,
    Block,
    Document,
    join_hyphenation,
    normalise_document,
    running_lines,
    source_text,
)


def test_hyphenation_joined_where_the_document_spells_the_word_whole():
    assert join_hyphenation("accommo-\ndation; pre-\ncourt", {"accommodation"}) == "accommodation; pre-court"
    document = Document(
        "pdf", "a.pdf", 1, [Block(PARAGRAPH, 1, "the resettle-\nment plan"), Block(PARAGRAPH, 1, "resettlement")]
    )
    assert normalise_document(document).blocks[0].text == "the resettlement plan"


def test_running_headers_footers_and_page_numbers():
    pages = [["Action plan 2020", f"text {n}", "more", "body", f"Page {n} of 3"] for n in range(1, 4)]
    running = running_lines(pages)
    assert "Action plan ####" in running and "Page # of #" in running and "text #" in running
    assert running_lines([["Title", "body", "12"]]) == {"##"}  # a lone page number, even on one page


def test_source_text_has_every_block_and_cell_and_marks_pages():
    document = Document(
        "pdf",
        "a.pdf",
        2,
        [Block(PARAGRAPH, 1, "First", number="1."), Block(TABLE, 2, rows=[["a", ""], ["b", "c"]], row_pages=[2, 2])],
    )
    assert source_text(document) == "1. First\n\f\na\n\nb\n\nc\n"


def test_json_round_trip():
    document = Document("html", "a.html", 1, [Block(TABLE, 1, rows=[["x"]], row_pages=[1])], title="T", warnings=["w"])
    assert Document.from_json(document.to_json()) == document


def test_line_end_hyphens_of_prefixes_and_printed_compounds_stay_and_broken_addresses_join():
    from crossplan.graph.importing.document import Block, Document, normalise_document

    document = Document("pdf", "d.pdf", 1)
    document.blocks = [
        Block("paragraph", 1, "Plan re-\nintegration, re-\nview the reintegration and integration work; review it."),
        Block("paragraph", 1, "Report in-\ndepth; in-depth work; see https://\nwww.gov.uk/\ngovernment/plan\nThe end."),
    ]
    first, second = (block.text for block in normalise_document(document).blocks)
    assert first == "Plan re-integration, review the reintegration and integration work; review it."
    assert second == "Report in-depth; in-depth work; see https://www.gov.uk/government/plan\nThe end."
