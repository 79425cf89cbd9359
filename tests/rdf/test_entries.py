"""graph/rdf/entries.py: a file's validation entry survives its JSON form, and anything else is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from crossplan.graph.datafiles.parsed import Reference
from crossplan.graph.errors import Problem
from crossplan.graph.model.nodes import Location
from crossplan.graph.rdf.entries import FileEntry, decode, encode, read_entry
from crossplan.graph.rdf.quotes import NodeFacts

TERMS = [
    NamedNode("https://w3id.org/crossplan/id/alpha/r1"),
    NamedNode("https://w3id.org/crossplan/ontology#Plan"),
    NamedNode("http://www.w3.org/ns/org#Organization"),
    BlankNode("b0"),
    Literal("alpha/r1"),
    Literal("a b  c", language="en-gb"),
    Literal("2024-05", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")),
    Literal(' leading space and # < ^ " signs'),
]


@pytest.mark.parametrize("term", TERMS, ids=str)
def test_a_term_survives_encoding(term):
    assert decode(encode(term)) == term


def test_encoded_terms_are_short_and_distinct():
    assert encode(TERMS[0]) == "#alpha/r1"
    assert len({encode(term) for term in TERMS}) == len(TERMS)
    with pytest.raises(ValueError):
        decode("?what")


def _entry() -> FileEntry:
    shown = "plans/alpha.yaml"
    facts = NodeFacts("recommendation", "alpha", None, None, shown, 8, 0)
    entry = FileEntry(
        "plans/alpha.yaml",
        "k" * 32,
        shown,
        False,
        [Problem(shown, 3, "a problem")],
        [("alpha/r1", facts), ("alpha/r1", facts._replace(line=9, ordinal=1))],
        [Reference(Location(shown, 5), "alpha-board", ("organisation",), "owner")],
    )
    entry.quotes = {"problems": [], "nodes": {"alpha/r1": True, "beta": None}, "texts": {"alpha-source": "d"}}
    entry.remote = ["http://purl.org/dc/terms/identifier"]
    entry.offers = {"#alpha/r1": [['"alpha/r1']]}
    entry.inverse = {"https://w3id.org/crossplan/ontology#hasAction": [["#alpha/r1/a1", "#alpha/r1"]]}
    entry.screen = {"suspects": [], "reads": {">http://purl.org/dc/terms/identifier": {"#beta": ['"beta']}}}
    return entry


def test_an_entry_survives_its_json_form(tmp_path):
    entry = _entry()
    path = tmp_path / "entry.json"
    path.write_text(entry.to_json(), encoding="utf-8")
    read = read_entry(path, entry.relpath, entry.key, entry.shown)
    assert read is not None
    for name in ("problems", "nodes", "references", "quotes", "remote", "offers", "inverse", "subclass", "screen"):
        assert getattr(read, name) == getattr(entry, name), name
    # the file's own path is written once, as null, and read back as the path of the moment
    assert '"plans/alpha.yaml",8' not in path.read_text(encoding="utf-8")
    assert entry.own_facts() == {"alpha/r1": entry.nodes[0][1]}


def _damaged(tmp_path: Path, change) -> FileEntry | None:
    content = json.loads(_entry().to_json())
    change(content)
    path = tmp_path / "entry.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return read_entry(path, "plans/alpha.yaml", "k" * 32, "plans/alpha.yaml")


DAMAGE = {
    "another file's entry": lambda c: c.update(relpath="plans/beta.yaml"),
    "another key": lambda c: c.update(key="x"),
    "a line as text": lambda c: c["nodes"][0].__setitem__(6, "8"),
    "a short node": lambda c: c["nodes"][0].pop(),
    "a number for an id": lambda c: c["references"][0][2][0].__setitem__(1, 7),
    "a reference without its line": lambda c: c["references"][0][2][0].pop(0),
    "a problem without its line": lambda c: c["problems"][0].pop(1),
    "a read without its values": lambda c: c["screen"]["reads"][">http://purl.org/dc/terms/identifier"].update(
        {"#beta": None}
    ),
    "a read neither forward nor inverse": lambda c: c["screen"].update(reads={"?p": {}}),
    "an offer wider than the predicates": lambda c: c["offers"]["#alpha/r1"].append([]),
    "a quote read that is not facts": lambda c: c["quotes"]["nodes"].__setitem__("beta", [1, 2]),
    "a boolean for text": lambda c: c["inverse"]["https://w3id.org/crossplan/ontology#hasAction"][0].__setitem__(
        1, False
    ),
    "no subclass flag": lambda c: c.pop("subclass"),
}


@pytest.mark.parametrize("change", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_refused(tmp_path, change):
    assert _damaged(tmp_path, lambda content: None) is not None  # the check below can fail
    assert _damaged(tmp_path, change) is None


def test_an_entry_that_is_not_json_or_missing_is_refused(tmp_path):
    assert read_entry(tmp_path / "none.json", "a", "b", "c") is None
    (tmp_path / "bad.json").write_bytes(b"\xff{")
    assert read_entry(tmp_path / "bad.json", "a", "b", "c") is None
