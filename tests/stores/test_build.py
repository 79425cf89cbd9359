"""Building a generation of the store, the directory it lives in, and clearing away what no one uses."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, NamedNode, Quad, Store, Triple

from crossplan.graph.errors import StoreError
from crossplan.graph.files import read_json
from crossplan.graph.model.vocabulary import CP, graph_iri, node_iri
from crossplan.graph.stores import build as build_module
from crossplan.graph.stores import triples as triples_module
from crossplan.graph.stores.build import build_generation, in_default_graph, load_ontology, prepare_directory, retire
from crossplan.graph.stores.locks import shared_lock
from crossplan.graph.stores.manifest import (
    DATABASE,
    FACTS,
    INDEX,
    LOCK,
    MANIFEST,
    TRIPLES,
    BuildReport,
    facts_key,
    file_listing,
    triples_key,
)
from crossplan.graph.stores.triples import ontology_ntriples, parse_triples

FILES = ["documents.yaml", "organisations.yaml", "programmes.yaml", "plans/alpha.yaml", "plans/beta.yaml"]


def _full_build(data_dir, path):
    path.mkdir(exist_ok=True)
    listing = file_listing(data_dir)
    report = BuildReport(data_dir, path)
    manifest = build_generation(data_dir, path, None, listing, sorted(listing), [], report, time.time_ns())
    return manifest, report


def test_a_full_build_commits_a_generation_with_every_files_entry(mini_data, tmp_path):
    path = tmp_path / "store"
    manifest, report = _full_build(mini_data, path)
    assert read_json(path / MANIFEST) == manifest
    assert manifest["generation"] == "gen-000001" and manifest["data_dir"] == str(mini_data.resolve())
    assert sorted(manifest["files"]) == sorted(FILES)
    assert manifest["files"]["plans/alpha.yaml"]["graph"] == graph_iri("alpha")
    for relpath, entry in manifest["files"].items():
        assert (path / INDEX / f"{entry['index']}.json").is_file()
        assert (path / FACTS / f"{facts_key(relpath, entry['sha256'])}.json").is_file()
        assert (path / TRIPLES / f"{triples_key(relpath, entry['sha256'])}.nt").is_file()
    assert report.full and sorted(report.parsed) == sorted(FILES) and report.quads_added > 0
    database = Store.read_only(str(path / "gen-000001" / DATABASE))
    assert list(database.named_graphs()) == []  # the named graphs are the files' N-Triples
    stated = set(parse_triples(ontology_ntriples()))
    for relpath, entry in manifest["files"].items():
        stated |= set(parse_triples((path / TRIPLES / f"{triples_key(relpath, entry['sha256'])}.nt").read_bytes()))
    assert {quad.triple for quad in database.quads_for_pattern(None, None, None, DefaultGraph())} == stated


def test_a_rebuild_copies_the_generation_and_replaces_only_the_changed_files_graph(mini_data, tmp_path):
    path = tmp_path / "store"
    first, _ = _full_build(mini_data, path)
    plan = mini_data / "plans/beta.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("Map existing", "Review existing"), encoding="utf-8")
    report = BuildReport(mini_data, path)
    listing = file_listing(mini_data)
    second = build_generation(mini_data, path, first, listing, ["plans/beta.yaml"], [], report, time.time_ns())
    assert second["generation"] == "gen-000002" and not report.full
    assert report.parsed == ["plans/beta.yaml"] and report.reused == sorted(set(FILES) - {"plans/beta.yaml"})
    assert second["files"]["plans/alpha.yaml"] == first["files"]["plans/alpha.yaml"]
    assert second["files"]["plans/beta.yaml"]["sha256"] != first["files"]["plans/beta.yaml"]["sha256"]
    assert (path / "gen-000001").is_dir()  # the build never touches the generation readers may hold


def test_a_failed_build_removes_its_half_written_generation(mini_data, tmp_path, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(build_module, "_bulk_load", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        _full_build(mini_data, tmp_path / "store")
    assert not (tmp_path / "store" / MANIFEST).exists()
    assert not [name for name in os.listdir(tmp_path / "store") if name.startswith("gen-")]


def test_a_store_directory_is_made_when_missing(tmp_path):
    prepare_directory(tmp_path / "a" / "b" / "store")
    assert (tmp_path / "a" / "b" / "store").is_dir()


def test_an_empty_or_store_like_directory_is_accepted(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    prepare_directory(store)
    for name in (MANIFEST, LOCK, "gen-000003", INDEX, FACTS, TRIPLES, "oxigraph", "index.json", ".manifest.json.x.tmp"):
        (store / name).touch()
    prepare_directory(store)


def test_a_directory_that_is_not_a_store_or_not_a_directory_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"x")
    with pytest.raises(StoreError) as caught:
        prepare_directory(tmp_path / "photos")
    assert str(caught.value) == "photos: not a crossplan store and not empty; choose another --store"
    assert os.listdir(tmp_path / "photos") == ["cat.jpg"]
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        prepare_directory(tmp_path / "file")
    assert str(caught.value) == "file: not a directory, cannot hold a store"
    with pytest.raises(StoreError) as caught:
        prepare_directory(tmp_path / "file" / "store")
    assert str(caught.value).startswith("file/store: cannot create the store directory (")


def test_retiring_keeps_the_current_and_held_generations_and_the_entries_in_use(mini_data, tmp_path):
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    for name in ("gen-000000", "gen-000009"):
        (path / name).mkdir()
        (path / name / LOCK).touch()
    held = shared_lock(path / "gen-000009" / LOCK)  # a reader still has it open
    (path / INDEX / "unused.json").write_text("{}", encoding="utf-8")
    (path / FACTS / "unused.json").write_text("{}", encoding="utf-8")
    (path / TRIPLES / "unused.nt").write_text("", encoding="utf-8")
    (path / "index.json").write_text("{}", encoding="utf-8")  # a format-1 store's leftovers
    (path / "oxigraph").mkdir()
    (path / "gen-000001" / "answers").mkdir()
    try:
        retire(path, manifest)
    finally:
        held.close()
    assert sorted(name for name in os.listdir(path) if name.startswith("gen-")) == ["gen-000001", "gen-000009"]
    assert not (path / "index.json").exists() and not (path / "oxigraph").exists()
    assert not (path / "gen-000001" / "answers").exists()
    assert sorted(os.listdir(path / INDEX)) == sorted(f"{entry['index']}.json" for entry in manifest["files"].values())
    assert len(os.listdir(path / FACTS)) == len(os.listdir(path / TRIPLES)) == len(FILES)


def test_the_ontology_is_in_its_own_graph_and_in_the_default_graph():
    alone = Store()  # a full build's database: the ontology goes into its default graph only, with the first files
    build_module._bulk_load(alone, [], BuildReport(Path("."), None), 0)
    assert list(alone.named_graphs()) == [] and len(alone) == len(ontology_ntriples().splitlines())
    store = Store()
    load_ontology(store)
    named = {quad.triple for quad in store.quads_for_pattern(None, None, None, NamedNode(graph_iri("ontology")))}
    default = {quad.triple for quad in store.quads_for_pattern(None, None, None, DefaultGraph())}
    assert named and named == default


def test_the_default_graphs_copy_of_a_quad_drops_only_its_graph_name():
    quad = Quad(NamedNode("x:s"), NamedNode("x:p"), NamedNode("x:o"), NamedNode("x:g"))
    [copy] = in_default_graph([quad])
    assert copy.graph_name == DefaultGraph() and copy.triple == quad.triple


SHARED_LINK = """  - from: alpha/r1
    to: resettlement-1
    relation: related-to
    basis: explicit
    quote: Adopt constructive resettlement
"""


def _default_graph(path, manifest) -> set:
    database = Store.read_only(str(path / manifest["generation"] / DATABASE))
    return {quad.triple for quad in database.quads_for_pattern(None, None, None, DefaultGraph())}


def _rebuild(data_dir, path, manifest, stale, removed=()):
    report = BuildReport(data_dir, path)
    listing = file_listing(data_dir)
    return build_generation(data_dir, path, manifest, listing, stale, list(removed), report, time.time_ns()), report


def test_a_triple_leaves_the_default_graph_only_when_no_file_states_it(mini_data, tmp_path):
    beta = mini_data / "plans/beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8") + SHARED_LINK, encoding="utf-8")  # alpha states it too
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    related = NamedNode(CP.relatedTo)
    link = (NamedNode(node_iri("alpha/r1")), related, NamedNode(node_iri("beta/resettlement-1")))
    assert Triple(*link) in _default_graph(path, manifest)
    beta.write_text(beta.read_text(encoding="utf-8").replace(SHARED_LINK, ""), encoding="utf-8")
    manifest, report = _rebuild(mini_data, path, manifest, ["plans/beta.yaml"])
    assert not report.full and Triple(*link) in _default_graph(path, manifest)  # alpha still states it
    alpha = mini_data / "plans/alpha.yaml"
    text = alpha.read_text(encoding="utf-8")
    alpha.write_text(text.replace("relation: related-to", "relation: feeds-into"), encoding="utf-8")
    manifest, report = _rebuild(mini_data, path, manifest, ["plans/alpha.yaml"])
    assert not report.full and Triple(*link) not in _default_graph(path, manifest)  # nobody states it now
    fresh, _ = _full_build(mini_data, tmp_path / "fresh")
    assert _default_graph(path, manifest) == _default_graph(tmp_path / "fresh", fresh)


def _reads_of_other_files(monkeypatch) -> list:
    """The other files' triples a rebuild reads (``read_triples`` calls), listed as they are read."""
    read: list = []
    real = build_module.read_triples
    monkeypatch.setattr(build_module, "read_triples", lambda *args: read.append(args) or real(*args))
    return read


def test_a_changed_text_leaves_without_reading_the_other_files_and_a_shared_triple_stays(
    mini_data, tmp_path, monkeypatch
):
    """Only a node's own file states its literals: the old text of an item leaves the default graph without the other
    files' triples being read; a triple another file may state (a link) is still looked for in them."""
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    read = _reads_of_other_files(monkeypatch)
    alpha = mini_data / "plans/alpha.yaml"
    old = "Improve accommodation on release for children leaving custody"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace(old, "Improve housing on release"), encoding="utf-8")
    manifest, report = _rebuild(mini_data, path, manifest, ["plans/alpha.yaml"])
    graph = _default_graph(path, manifest)
    assert not report.full and read == []
    assert not any(old in triple.object.value for triple in graph if not isinstance(triple.object, NamedNode))
    fresh, _ = _full_build(mini_data, tmp_path / "fresh")
    assert graph == _default_graph(tmp_path / "fresh", fresh)
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("relation: related-to", "relation: feeds-into"), "utf-8")
    manifest, report = _rebuild(mini_data, path, manifest, ["plans/alpha.yaml"])
    assert not report.full and read  # a link's triple: the others are read
    fresh, _ = _full_build(mini_data, tmp_path / "fresh2")
    assert _default_graph(path, manifest) == _default_graph(tmp_path / "fresh2", fresh)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    response: agreed", "    response: agreed\n    status: ongoing"),  # a node's value (an IRI) added
        ("    response: agreed", "    response: not-agreed"),  # and changed
        ("    addressed-to: [alpha-board]", "    addressed-to: []"),
        ("    updates:\n      - title: \"Response:\"\n        date: \"2020-01\"\n        text: The Board will work with "
         "partners.\n", ""),  # a child gone, and the triple putting it under its parent
    ],
    ids=["status", "response", "addressee", "update"],
)  # fmt: skip
def test_a_changed_value_of_a_node_leaves_without_reading_the_other_files(mini_data, tmp_path, monkeypatch, old, new):
    """What is said of a node by any property but a link's relation is said by its own file only: an old value
    leaves the default graph without the other files' triples being read, and the graph is the one built afresh."""
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    read = _reads_of_other_files(monkeypatch)
    alpha = mini_data / "plans/alpha.yaml"
    text = alpha.read_text(encoding="utf-8")
    assert old in text
    alpha.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = _default_graph(path, manifest)
    manifest, report = _rebuild(mini_data, path, manifest, ["plans/alpha.yaml"])
    graph = _default_graph(path, manifest)
    assert not report.full and read == [] and graph != before
    fresh, _ = _full_build(mini_data, tmp_path / "fresh")
    assert graph == _default_graph(tmp_path / "fresh", fresh)


def test_a_removed_file_takes_its_triples_out_of_the_default_graph(mini_data, tmp_path):
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    (mini_data / "plans/alpha.yaml").unlink()
    beta = mini_data / "plans/beta.yaml"  # alpha's links to beta go with it; nothing refers to alpha
    manifest, report = _rebuild(mini_data, path, manifest, [], ["plans/alpha.yaml"])
    assert not report.full and report.removed == ["plans/alpha.yaml"]
    fresh, _ = _full_build(mini_data, tmp_path / "fresh")
    assert _default_graph(path, manifest) == _default_graph(tmp_path / "fresh", fresh)
    assert beta.exists()


def test_a_rebuild_whose_old_triples_are_missing_builds_afresh(mini_data, tmp_path):
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    entry = manifest["files"]["plans/beta.yaml"]
    (path / TRIPLES / f"{triples_key('plans/beta.yaml', entry['sha256'])}.nt").unlink()
    plan = mini_data / "plans/beta.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("Map existing", "Review existing"), encoding="utf-8")
    manifest, report = _rebuild(mini_data, path, manifest, ["plans/beta.yaml"])
    assert report.full and sorted(report.parsed) == sorted(FILES)
    fresh, _ = _full_build(mini_data, tmp_path / "fresh")
    assert _default_graph(path, manifest) == _default_graph(tmp_path / "fresh", fresh)


def test_a_large_full_build_loads_in_chunks_as_the_files_come(mini_data, tmp_path, monkeypatch):
    """Past the bulk threshold the loader thread takes chunks while files are still being prepared."""
    monkeypatch.setattr(build_module, "BULK_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(triples_module, "CHUNK_BYTES", 1)  # every file a chunk of its own
    loaded = []
    real = Store.bulk_load

    def bulk_load(self, data, **kwargs):
        loaded.append(data)
        return real(self, data, **kwargs)

    monkeypatch.setattr(Store, "bulk_load", bulk_load)
    path = tmp_path / "store"
    manifest, _ = _full_build(mini_data, path)
    assert len(loaded) == len(FILES) + 1  # the ontology, then each file
    fresh, _ = _full_build(mini_data, tmp_path / "fresh")
    monkeypatch.undo()
    assert _default_graph(path, manifest) == _default_graph(tmp_path / "fresh", fresh)


def test_a_failed_chunk_stops_the_build_with_the_databases_own_error(mini_data, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "BULK_THRESHOLD_BYTES", 0)

    def full(self, data, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "bulk_load", full)
    with pytest.raises(OSError, match="No space left"):
        _full_build(mini_data, tmp_path / "store")
    assert not [name for name in os.listdir(tmp_path / "store") if name.startswith("gen-")]
