"""The source saved with an imported plan: documents.yaml entry, printed date, replacing with --force."""

from __future__ import annotations

import pytest

from crossplan.graph.datafiles.datadir import init_data_dir
from crossplan.graph.errors import CrossplanError
from crossplan.graph.importing.document import PARAGRAPH, Block, Document
from crossplan.graph.importing.sources import SavedSource, printed_date


def test_printed_date_on_the_first_page():
    blocks = [Block(PARAGRAPH, 1, "Response"), Block(PARAGRAPH, 1, "Published March 2021.")]
    assert printed_date(Document("pdf", "a.pdf", 2, blocks)) == "2021-03"
    assert printed_date(Document("pdf", "a.pdf", 2, [Block(PARAGRAPH, 2, "March 2021")])) is None


def test_entry_written_and_replaced_only_with_force(tmp_path):
    data = tmp_path / "data"
    init_data_dir(data)
    original = tmp_path / "plan.pdf"
    original.write_bytes(b"%PDF")
    document = Document("pdf", "plan.pdf", 3, [Block(PARAGRAPH, 1, "Text")])
    saved = SavedSource(data, "draft", original, document, "Draft", force=False)
    saved.write()
    text = (data / "documents.yaml").read_text(encoding="utf-8")
    assert "id: draft-source" in text and "pages: 3" in text and "original: plan.pdf" in text
    assert (data / "sources/draft.txt").read_text(encoding="utf-8") == "Text\n"
    with pytest.raises(CrossplanError, match="already has a document 'draft-source'"):
        SavedSource(data, "draft", original, document, "Draft", force=False)
    SavedSource(data, "draft", original, document, "Draft again", force=True).write()
    text = (data / "documents.yaml").read_text(encoding="utf-8")
    assert text.count("id: draft-source") == 1 and "Draft again" in text
