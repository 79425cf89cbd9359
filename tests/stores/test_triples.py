"""Each file's named graph kept as N-Triples beside the database: reading it back, the in-memory copy that holds
the named graphs, and which removed lines no other file states."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess

import pytest
from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, Store, Triple, parse

from crossplan.graph.errors import StoreError
from crossplan.graph.model.vocabulary import ONTOLOGY_IRI, graph_iri
from crossplan.graph.resources import ontology_text
from crossplan.graph.stores import embedded as embedded_module
from crossplan.graph.stores.embedded import open_store
from crossplan.graph.stores.manifest import TRIPLES, triples_key
from crossplan.graph.stores.triples import (
    GRAPHS,
    build_graph_database,
    graph_copy,
    lines_of,
    load_lines,
    ontology_ntriples,
    parse_triples,
    read_triples,
    unstated,
    write_triples,
)

A = b"<x:s> <x:p> <x:a> ."
B = b"<x:s> <x:p> <x:b> ."
AB = b"<x:s> <x:p> <x:ab> ."  # A's text is not a line of a text holding only this


def test_the_ontologys_n_triples_are_the_ontology():
    expected = {quad.triple for quad in parse(ontology_text(), format=RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)}
    assert set(parse_triples(ontology_ntriples())) == expected
    assert len(ontology_ntriples().splitlines()) == len(expected)


def test_a_removed_line_is_unstated_only_when_no_other_text_has_that_whole_line():
    assert unstated({A, B}, [B + b"\n"]) == {A}
    assert unstated({A}, [AB + b"\n" + b"<x:s> <x:p> <x:a> .x\n"]) == {A}  # a longer line that starts or ends alike
    assert unstated({A}, [b"# " + A + b"\n"]) == {A}
    assert unstated({A}, [b"", B + b"\n" + A]) == set()  # the last line, with no line break after it
    assert unstated(set(), [A]) == set()


def test_many_removed_lines_are_looked_up_by_splitting_the_texts():
    gone = {f"<x:s> <x:p> <x:o{number}> .".encode() for number in range(200)}
    others = [b"\n".join(sorted(gone)[:150]) + b"\n", AB + b"\n"]
    assert unstated(gone, others) == set(sorted(gone)[150:])


def test_lines_of_a_text_leave_out_blank_lines():
    assert lines_of(A + b"\n\n" + B + b"\n") == {A, B}
    assert lines_of(b"") == set()


def test_written_triples_read_back_and_load_into_the_default_graph_or_a_named_one(tmp_path):
    path = tmp_path / "one.nt"
    write_triples(path, A + b"\n" + B + b"\n")
    assert read_triples(path, tmp_path) == A + b"\n" + B + b"\n"
    assert set(parse_triples(path.read_bytes())) == {
        Triple(NamedNode("x:s"), NamedNode("x:p"), NamedNode(f"x:{name}")) for name in "ab"
    }
    store = Store()
    load_lines(store, [A])
    load_lines(store, [B], NamedNode("x:g"))
    load_lines(store, [])
    assert [quad.object.value for quad in store.quads_for_pattern(None, None, None, DefaultGraph())] == ["x:a"]
    assert [quad.object.value for quad in store.quads_for_pattern(None, None, None, NamedNode("x:g"))] == ["x:b"]


def test_missing_triples_are_a_damaged_store_with_the_way_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        read_triples(tmp_path / "store" / TRIPLES / "gone.nt", tmp_path / "store")
    message = str(caught.value)
    assert message.startswith("store: the store is damaged (a file's triples are missing: No such file or directory)")
    assert message.endswith("run `crossplan build --rebuild`")


def test_the_copy_holds_each_text_in_its_graph_the_ontology_in_its_own_and_their_union_by_default():
    copy = graph_copy([("x:g1", A + b"\n"), ("x:g2", A + b"\n" + B + b"\n"), ("x:empty", b"")])
    graphs = {graph.value for graph in copy.named_graphs()}
    assert graphs == {"x:g1", "x:g2", graph_iri("ontology")}
    default = {quad.triple for quad in copy.quads_for_pattern(None, None, None, DefaultGraph())}
    assert default == set(parse_triples(A + b"\n" + B + b"\n" + ontology_ntriples()))
    assert len(list(copy.quads_for_pattern(None, None, None, NamedNode("x:g2")))) == 2


def test_an_on_disk_store_answers_graph_queries_from_the_files_n_triples(mini_data, tmp_path):
    store = open_store(mini_data, tmp_path / "store")
    assert list(store.oxigraph.named_graphs()) == []
    counts = {
        row["g"]: row["n"]
        for row in store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    assert set(counts) == {*store.data_graphs(), graph_iri("ontology")}
    for name, count in counts.items():
        assert count == len(store.graph_triples(name)) > 0
    plain = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    from_all = store.select(
        "SELECT (COUNT(*) AS ?n) "
        + " ".join(f"FROM <{name}>" for name in counts)
        + " WHERE { ?s ?p ?o }"  # the dataset's default graph: the merge of the graphs named
    )[0]["n"]
    assert plain == from_all == len(store.oxigraph)


def test_a_graph_query_on_a_store_whose_triples_are_gone_names_the_damage(mini_data, tmp_path):
    path = tmp_path / "store"
    store = open_store(mini_data, path)
    entry = store.files["plans/alpha.yaml"]
    (path / TRIPLES / f"{triples_key('plans/alpha.yaml', entry['sha256'])}.nt").unlink()
    assert store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"] > 0  # the database answers as before
    with pytest.raises(StoreError, match="the store is damaged .* run `crossplan build --rebuild`"):
        store.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    reopened = open_store(mini_data, path)  # the next open parses that file again and writes its triples
    assert reopened.report.parsed == ["plans/alpha.yaml"]
    assert len(reopened.graph_triples(graph_iri("alpha"))) > 0


def test_a_store_rebuilt_while_a_command_reads_it_says_so(mini_data, tmp_path):
    path = tmp_path / "store"
    reader = open_store(mini_data, path)
    plan = mini_data / "plans/beta.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("Map existing", "Review existing"), encoding="utf-8")
    rebuilt = open_store(mini_data, path)  # a new generation; beta's old triples are no longer used, and go
    assert rebuilt.report.parsed == ["plans/beta.yaml"]
    with pytest.raises(StoreError, match="the store was rebuilt while this command was reading it; run the command"):
        reader.graph_triples(graph_iri("beta"))
    assert reader.graph_triples(graph_iri("alpha"))  # what is still there is read as it was


GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
SHARED_LINK = """  - from: alpha/r1
    to: resettlement-1
    relation: related-to
    basis: explicit
    quote: Adopt constructive resettlement
"""


def _every_quad(directory) -> set:
    return set(Store.read_only(str(directory)).quads_for_pattern(None, None, None, None))


def _graph_names(quads) -> set[str]:
    return {quad.graph_name.value for quad in quads if isinstance(quad.graph_name, NamedNode)}


def _fresh_graph_database(store, directory):
    build_graph_database(directory, store._graphs._graph_texts)
    return _every_quad(directory)


def test_a_graph_query_makes_the_database_of_named_graphs_once(mini_data, tmp_path, monkeypatch):
    store = open_store(mini_data, tmp_path / "store")
    assert not (store.generation / GRAPHS).exists()
    first = store.select(GRAPH_COUNTS)
    assert (store.generation / GRAPHS / "CURRENT").exists()
    assert _graph_names(_every_quad(store.generation / GRAPHS)) >= {
        graph_iri("alpha"),
        graph_iri("ontology"),
    }

    def again(*args):
        raise AssertionError("made again")

    monkeypatch.setattr(embedded_module, "build_graph_database", again)
    assert open_store(mini_data, tmp_path / "store").select(GRAPH_COUNTS) == first


def test_a_rebuild_carries_the_database_of_named_graphs_over(mini_data, tmp_path):
    path = tmp_path / "store"
    open_store(mini_data, path).select(GRAPH_COUNTS)
    beta = mini_data / "plans/beta.yaml"
    text = beta.read_text(encoding="utf-8").replace("Map existing", "Review existing") + SHARED_LINK
    beta.write_text(text, encoding="utf-8")  # a changed text, and a triple alpha states too
    store = open_store(mini_data, path)
    assert store.report.parsed == ["plans/beta.yaml"]
    carried = store.generation / GRAPHS
    assert (carried / "CURRENT").exists()  # carried over by the rebuild, before any query asks
    assert _every_quad(carried) == _fresh_graph_database(store, tmp_path / "fresh-1")
    beta.write_text(text.replace(SHARED_LINK, ""), encoding="utf-8")  # alpha still states the link
    (mini_data / "plans/gamma.yaml").write_text("plan:\n  id: gamma\n  title: Gamma\n", encoding="utf-8")
    store = open_store(mini_data, path)
    assert _every_quad(store.generation / GRAPHS) == _fresh_graph_database(store, tmp_path / "fresh-2")
    (mini_data / "plans/gamma.yaml").unlink()
    store = open_store(mini_data, path)
    assert store.report.removed == ["plans/gamma.yaml"]
    quads = _every_quad(store.generation / GRAPHS)
    assert quads == _fresh_graph_database(store, tmp_path / "fresh-3")
    assert graph_iri("beta") in _graph_names(quads) and graph_iri("gamma") not in _graph_names(quads)


def test_where_the_database_of_named_graphs_cannot_be_written_memory_answers(mini_data, tmp_path, monkeypatch):
    store = open_store(mini_data, tmp_path / "store")
    expected = store.select(GRAPH_COUNTS)
    fresh = open_store(mini_data, tmp_path / "store")
    shutil.rmtree(fresh.generation / GRAPHS)

    def read_only(*args):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(embedded_module, "build_graph_database", read_only)
    assert fresh.select(GRAPH_COUNTS) == expected
    assert not (fresh.generation / GRAPHS).exists()


def test_a_full_disk_while_making_it_leaves_nothing_and_memory_answers(mini_data, tmp_path, monkeypatch):
    store = open_store(mini_data, tmp_path / "store")
    real = Store.bulk_load

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Store, "bulk_load", full)
    counts = store.select(GRAPH_COUNTS)
    monkeypatch.setattr(Store, "bulk_load", real)
    assert {row["g"] for row in counts} == {*store.data_graphs(), graph_iri("ontology")}
    assert [name for name in os.listdir(store.generation) if name.startswith((GRAPHS, f".{GRAPHS}"))] == [
        f"{GRAPHS}.lock"
    ]


def test_a_half_made_database_of_a_process_that_died_is_removed(mini_data, tmp_path):
    store = open_store(mini_data, tmp_path / "store")
    finished = subprocess.run(["true"], check=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = store.generation / f".{GRAPHS}-{dead.pid}-0000"
    leftover.mkdir()
    mine = store.generation / f".{GRAPHS}-{os.getpid()}-1111"  # this process is alive: not touched
    mine.mkdir()
    assert finished.returncode == 0 and store.select(GRAPH_COUNTS)
    assert not leftover.exists() and mine.exists()
