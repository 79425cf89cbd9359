"""graph/rdf/quotes.py: one file's quotes against an index of every file's nodes, and what the check read."""

from __future__ import annotations

from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.rdf.quotes import QuoteIndex, RecordingIndex, check_file_quotes, check_quotes, text_digest


@pytest.fixture
def data(mini_data, monkeypatch) -> Path:
    monkeypatch.chdir(mini_data)
    return mini_data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_file_by_file_is_the_whole_check(data):
    _edit(data / "plans" / "alpha.yaml", "quote: accommodation on release", "quote: accommodation at release")
    _edit(data / "plans" / "beta.yaml", "ONGOING - Long term.", "ONGOING - Short term.")
    dataset = load_dataset(data, strict=False)
    index = QuoteIndex.of_dataset(dataset)
    per_file = [check_file_quotes(parsed.nodes, parsed.links, index) for parsed in dataset.files]
    assert [[(p.path, p.line) for p in problems] for problems in per_file if problems] == [
        [("plans/alpha.yaml", 33)],
        [("plans/beta.yaml", 11)],
    ]
    assert sum(per_file, []) == check_quotes(dataset)


def test_the_recording_index_remembers_every_node_and_text_it_read(data):
    dataset = load_dataset(data)
    index = QuoteIndex.of_dataset(dataset)
    alpha = next(parsed for parsed in dataset.files if parsed.relpath == "plans/alpha.yaml")
    recording = RecordingIndex(index)
    assert check_file_quotes(alpha.nodes, alpha.links, recording) == []
    # its own nodes, its plan, the link's target (beta's item) and the plans whose sources hold the quotes
    assert {"alpha", "alpha/r1", "beta/resettlement-1", "beta", "alpha-source", "beta-source"} <= set(recording.nodes)
    assert recording.nodes["beta/resettlement-1"] == index.node("beta/resettlement-1")
    assert recording.texts == {
        "alpha-source": text_digest(index.text("alpha-source")),
        "beta-source": text_digest(index.text("beta-source")),
    }
    assert recording.texts["alpha-source"] != recording.texts["beta-source"]


def test_only_an_ids_first_definition_is_checked(data):
    # beta's recommendation defined a second time (same id) in alpha: the copy's text is not in alpha's source,
    # but only the first definition is the node (the duplicate itself is a reference problem)
    _edit(
        data / "plans" / "alpha.yaml",
        "  - id: r2\n",
        "  - id: r3\n    text: Words no source holds.\n  - id: r2\n",
    )
    dataset = load_dataset(data, strict=False)
    index = QuoteIndex.of_dataset(dataset)
    alpha = next(parsed for parsed in dataset.files if parsed.relpath == "plans/alpha.yaml")
    problems = check_file_quotes(alpha.nodes, alpha.links, index)
    assert [problem.message.split(" is ")[0] for problem in problems] == ["text of 'alpha/r3'"]
    index.nodes["alpha/r3"] = index.nodes["alpha/r1"]  # another node is the first definition of this id
    assert check_file_quotes(alpha.nodes, alpha.links, index) == []
