"""Reading the changed files for a build, and checking their ids and references against the other files."""

from __future__ import annotations

import hashlib
import time

import pytest
from pyoxigraph import RdfFormat, parse

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.datafiles.reader import parse_file
from crossplan.graph.errors import DataError
from crossplan.graph.model.vocabulary import graph_iri
from crossplan.graph.rdf.quads import file_ntriples, file_quad_list
from crossplan.graph.stores.build import build_generation
from crossplan.graph.stores.manifest import (
    FACTS,
    INDEX,
    TRIPLES,
    BuildReport,
    facts_key,
    file_listing,
    index_key,
    read_json,
    triples_key,
    triples_path,
)
from crossplan.graph.stores.parsing import Parsing, checked_by_the_store, parsers

FILES = ["documents.yaml", "organisations.yaml", "programmes.yaml", "plans/alpha.yaml", "plans/beta.yaml"]
GAMMA = "plan:\n  id: gamma\n  title: Gamma\n  owners: [alpha-bord]\n"


@pytest.fixture
def mini(mini_data, monkeypatch):
    """The mini data set, with the working directory beside it so paths read ``mini/...``."""
    monkeypatch.chdir(mini_data.parent)
    return mini_data


def _parsed(data_dir, store, stale, files_index=None):
    store.mkdir(exist_ok=True)
    parsing = Parsing(data_dir, store, stale, {} if files_index is None else files_index)
    return parsing, list(parsing)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_each_file_parsed_keeps_its_hash_graph_facts_and_index_entry(mini, tmp_path):
    parsing, parsed = _parsed(mini, tmp_path / "store", FILES)
    assert [item.relpath for item in parsed] == FILES and len(parsing) == len(FILES)
    for relpath in FILES:
        digest = hashlib.sha256((mini / relpath).read_bytes()).hexdigest()
        assert parsing.hashes[relpath] == digest
        assert (tmp_path / "store" / FACTS / f"{facts_key(relpath, digest)}.json").is_file()
        assert triples_path(tmp_path / "store", relpath, digest).read_bytes() == parsing.texts[relpath]
        index = read_json(tmp_path / "store" / INDEX / f"{index_key(relpath, digest)}.json")
        assert index == parsing.files_index[relpath]
    assert parsing.texts["plans/alpha.yaml"] == file_ntriples(parse_file(mini, "plans/alpha.yaml"))[0]
    assert parsing.graphs["plans/alpha.yaml"] == graph_iri("alpha")
    assert parsing.graphs["organisations.yaml"] == graph_iri("registry/organisations")
    entry = parsing.files_index["plans/alpha.yaml"]
    assert entry["graph"] == "alpha"
    assert ["alpha/r1", "recommendation", 8] in entry["ids"]
    line = (mini / "plans/alpha.yaml").read_text(encoding="utf-8").splitlines().index("    to: beta/resettlement-1") + 1
    assert [line, "beta/resettlement-1", [], "to"] in entry["references"]
    parsing.check()  # the mini data set has no problem


def test_problems_across_files_are_worded_as_the_loader_words_them(mini, tmp_path):
    (mini / "plans/gamma.yaml").write_text(GAMMA, encoding="utf-8")
    parsing, _ = _parsed(mini, tmp_path / "store", [*FILES, "plans/gamma.yaml"])
    with pytest.raises(DataError) as caught:
        parsing.check()
    assert [str(problem) for problem in caught.value.problems] == [
        "mini/plans/gamma.yaml:4: owners 'alpha-bord' is not defined (did you mean 'alpha-board'?)"
    ]
    assert caught.value.problems == load_dataset(mini, strict=False).problems


def test_an_unreadable_file_is_reported_alone_and_leaves_no_facts_table(mini, tmp_path):
    (mini / "plans/gamma.yaml").write_text('plan:\n  id: gamma\n  title: "open\n', encoding="utf-8")
    parsing, _ = _parsed(mini, tmp_path / "store", ["plans/alpha.yaml", "plans/gamma.yaml"])
    assert parsing.unreadable and "plans/gamma.yaml" not in parsing.files_index
    with pytest.raises(DataError) as caught:
        parsing.check()  # alpha's references to the registries are not checked: they were not read
    assert [str(problem) for problem in caught.value.problems] == [
        "mini/plans/gamma.yaml:4: invalid YAML: found unexpected end of stream"
    ]
    assert len(list((tmp_path / "store" / FACTS).iterdir())) == 1  # alpha's only


def test_a_file_that_is_not_utf8_is_hashed_as_it_is_and_its_place_named(mini, tmp_path):
    data = "plan:\n  id: gamma\n  title: Caf\xe9\n".encode("latin-1")
    (mini / "plans/gamma.yaml").write_bytes(data)
    parsing, _ = _parsed(mini, tmp_path / "store", ["plans/gamma.yaml"])
    assert parsing.hashes["plans/gamma.yaml"] == hashlib.sha256(data).hexdigest()
    assert [str(problem) for problem in parsing.problems] == [
        f"mini/plans/gamma.yaml:1: not UTF-8 text (invalid continuation byte at byte {data.index(0xE9)})"
    ]


def test_a_prepared_file_writes_its_triples_facts_and_index_entry(mini, tmp_path):
    (tmp_path / "store").mkdir()
    parsing = Parsing(mini, tmp_path / "store", ["plans/beta.yaml"], {})
    [item] = list(parsing.prepared(None))
    digest = parsing.hashes["plans/beta.yaml"]
    assert item.triples == tmp_path / "store" / TRIPLES / f"{triples_key('plans/beta.yaml', digest)}.nt"
    written = [quad.triple for quad in parse(item.triples.read_bytes(), format=RdfFormat.N_TRIPLES)]
    parsed = parse_file(mini, "plans/beta.yaml")
    assert len(written) == item.quads > 0
    assert set(written) == {quad.triple for quad in file_quad_list(parsed)}
    assert read_json(tmp_path / "store" / INDEX / f"{index_key('plans/beta.yaml', digest)}.json") == item.index
    assert (tmp_path / "store" / FACTS / f"{facts_key('plans/beta.yaml', digest)}.json").is_file()
    assert parsing.texts == {}  # a worker's N-Triples stay in its file: the building process holds none of them
    assert item.problems == [] and not item.unreadable
    assert parsing.graphs == {"plans/beta.yaml": graph_iri("beta")}
    assert parsing.files_index["plans/beta.yaml"]["graph"] == "beta"


def test_a_prepared_file_with_problems_carries_them_and_no_triples(mini, tmp_path):
    (mini / "plans/gamma.yaml").write_text("plan:\n  id: gamma\n  title: Gamma\n  date: soon\n", encoding="utf-8")
    (tmp_path / "store").mkdir()
    parsing = Parsing(mini, tmp_path / "store", ["plans/gamma.yaml"], {})
    [item] = list(parsing.prepared(None))
    assert (item.triples, item.quads, parsing.texts) == (None, 0, {})
    assert item.problems == [("mini/plans/gamma.yaml", 4, "invalid date 'soon': write YYYY, YYYY-MM or YYYY-MM-DD")]
    assert [str(problem) for problem in parsing.problems] == [
        "mini/plans/gamma.yaml:4: invalid date 'soon': write YYYY, YYYY-MM or YYYY-MM-DD"
    ]
    for folder in (FACTS, TRIPLES, INDEX):
        assert not list((tmp_path / "store" / folder).iterdir())


def test_a_small_data_set_is_parsed_in_this_process():
    with parsers(1000) as pool:
        assert pool is None


@pytest.fixture
def built(mini, tmp_path):
    """The mini data set built into a store: its path and manifest."""
    path = tmp_path / "store"
    path.mkdir()
    listing = file_listing(mini)
    manifest = build_generation(mini, path, None, listing, sorted(listing), [], BuildReport(mini, path), time.time_ns())
    return path, manifest


def _settled(mini, path, manifest, stale, removed=()):
    parsing, _ = _parsed(mini, path, stale)
    return checked_by_the_store(path, manifest, parsing, list(removed))


def test_an_edit_that_keeps_every_id_and_reference_is_settled_by_the_store(mini, built):
    path, manifest = built
    _edit(mini / "plans/alpha.yaml", "Improve accommodation", "Secure accommodation")
    assert _settled(mini, path, manifest, ["plans/alpha.yaml"]) is True


@pytest.mark.parametrize(
    "relpath, old, new",
    [
        ("plans/beta.yaml", "id: resettlement-1", "id: resettlement-2"),  # an id alpha refers to is gone
        ("plans/alpha.yaml", "owners: [alpha-board]", "owners: [alpha-bord]"),  # a reference to nothing
        ("plans/alpha.yaml", "owners: [alpha-board]", "owners: [beta-source]"),  # to a node of the wrong type
        ("programmes.yaml", "    name: Constructive Resettlement\n", "    name: C\n  - id: alpha-board\n    name: A\n"),
    ],
)
def test_an_edit_that_changes_ids_or_references_is_left_to_the_full_check(mini, built, relpath, old, new):
    path, manifest = built
    _edit(mini / relpath, old, new)
    assert _settled(mini, path, manifest, [relpath]) is False


def test_removing_a_file_whose_ids_are_used_elsewhere_is_left_to_the_full_check(mini, built):
    path, manifest = built
    (mini / "programmes.yaml").unlink()
    assert _settled(mini, path, manifest, [], removed=["programmes.yaml"]) is False
