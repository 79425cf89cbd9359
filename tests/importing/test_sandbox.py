"""The extraction child: results back as JSON, clean errors, limits that end a runaway read."""

from __future__ import annotations

import pytest

from crossplan.graph.errors import ImportFileError
from crossplan.graph.importing import sandbox
from crossplan.graph.importing.sandbox import read_document


def test_a_damaged_pdf_ends_in_a_clean_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    with pytest.raises(ImportFileError, match=r"broken.pdf: not a readable PDF"):
        read_document(path, "pdf")


def test_the_memory_limit_ends_the_child_cleanly(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text("<h1>Recommendation 1</h1><p>Text</p>", encoding="utf-8")
    monkeypatch.setattr(sandbox, "MEMORY_BYTES", 30_000_000)  # too little for the reader's libraries
    with pytest.raises(
        ImportFileError,
        match=r"page.html: (reading needed more than 30 MB|the file could not be read|the file cannot be read)",
    ):
        read_document(path, "html")


def test_a_document_comes_back(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<h1>Plan</h1><p>Recommendation 1 publish it</p>", encoding="utf-8")
    document = read_document(path, "html")
    assert [block.text for block in document.blocks] == ["Plan", "Recommendation 1 publish it"]


def test_the_cpu_limit_ends_a_runaway_read_cleanly(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text("<h1>Recommendation 1</h1><p>Text</p>", encoding="utf-8")
    monkeypatch.setattr(sandbox, "CPU_SECONDS", 0)  # any CPU time at all is over the limit
    with pytest.raises(ImportFileError, match=r"page.html: reading used more than 0 s of CPU time; refusing the file"):
        read_document(path, "html")
