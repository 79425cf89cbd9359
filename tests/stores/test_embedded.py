"""The on-disk store: built once, reused without reading YAML, rebuilt only where files changed, safe to share."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import DefaultGraph, RdfFormat, serialize
from rdflib.compare import isomorphic

from crossplan.graph.datafiles import reader
from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import DataError, StoreError
from crossplan.graph.model.vocabulary import graph_iri
from crossplan.graph.stores import build as build_module
from crossplan.graph.stores import embedded as store_module
from crossplan.graph.stores import manifest as manifest_module
from crossplan.graph.stores import parsing as parsing_module
from crossplan.graph.stores.embedded import build_store, memory_store, open_store, remove_store
from crossplan.graph.stores.manifest import default_store_path

FILES = ["documents.yaml", "organisations.yaml", "programmes.yaml", "plans/alpha.yaml", "plans/beta.yaml"]
GRAPHS = sorted(
    graph_iri(name) for name in ("alpha", "beta", "registry/documents", "registry/organisations", "registry/programmes")
)
ROOT = Path(__file__).resolve().parents[2]
GAMMA = """plan:
  id: gamma
  title: The Gamma Plan
recommendations:
  - id: r1
    text: Publish a joint protocol.
    addressed-to: [alpha-board]
"""
ALPHA_TEXT = "Improve accommodation on release for children leaving custody"


def _graph(store, name: str) -> rdflib.Graph:
    triples = store.graph_triples(name)
    graph = rdflib.Graph()
    graph.parse(data=serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return graph


def _triples(store, graph) -> set:
    return {quad.triple for quad in store.oxigraph.quads_for_pattern(None, None, None, graph)}


def assert_same_as_a_fresh_load(store, data_dir: Path) -> None:
    """Every named graph of the store is isomorphic to the one a fresh in-memory load of the YAML gives, the
    default graph (which queries read) holds exactly the union of the named graphs, and the database holds the
    default graph only (the named graphs are the files' N-Triples beside it)."""
    fresh = memory_store(load_dataset(data_dir))
    assert store.data_graphs() == fresh.data_graphs()
    for name in fresh.data_graphs() + [graph_iri("ontology")]:
        assert isomorphic(_graph(store, name), _graph(fresh, name)), name
    union = set().union(*(set(store.graph_triples(name)) for name in store.data_graphs() + [graph_iri("ontology")]))
    assert _triples(store, DefaultGraph()) == union
    assert len(union) == len(_triples(fresh, DefaultGraph()))
    assert list(store.oxigraph.named_graphs()) == []


def _generations(path: Path) -> list[str]:
    return sorted(name for name in os.listdir(path) if name.startswith("gen-"))


def _age(data_dir: Path, seconds: int = 3600) -> None:
    """Date every data file an hour back, so that no file is "racy" (modified just before a build)."""
    for relpath in FILES:
        info = (data_dir / relpath).stat()
        os.utime(data_dir / relpath, ns=(info.st_atime_ns, info.st_mtime_ns - seconds * 10**9))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _alpha_text(store) -> str:
    rows = store.select('SELECT ?text WHERE { ?r dcterms:identifier "alpha/r1" ; cp:text ?text }')
    return rows[0]["text"]


def test_the_first_open_builds_every_file_into_its_own_named_graph(mini_data, tmp_path):
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.full
    assert sorted(store.report.parsed) == sorted(FILES)
    assert store.report.reused == [] and store.report.removed == []
    assert store.data_graphs() == GRAPHS
    assert_same_as_a_fresh_load(store, mini_data)


def test_reopening_reads_no_yaml_no_index_and_hashes_nothing(mini_data, tmp_path, monkeypatch):
    _age(mini_data)
    open_store(mini_data, tmp_path / "store")

    def forbidden(*args, **kwargs):
        raise AssertionError("the up-to-date check must not read this")

    read = []
    read_json = manifest_module.read_json
    monkeypatch.setattr(parsing_module, "parse_file", forbidden)
    monkeypatch.setattr(reader, "read_yaml", forbidden)
    monkeypatch.setattr(manifest_module, "_sha256", forbidden)
    for module in (manifest_module, parsing_module, build_module):
        monkeypatch.setattr(module, "read_json", lambda path: read.append(path) or read_json(path))
    again = open_store(mini_data, tmp_path / "store")
    assert not again.report.full and again.report.parsed == [] and sorted(again.report.reused) == sorted(FILES)
    assert read == [tmp_path / "store" / "manifest.json"]
    assert _alpha_text(again).startswith(ALPHA_TEXT)


def test_the_default_store_is_a_per_directory_cache(mini_data, tmp_path):
    store = open_store(mini_data)
    assert store.path == default_store_path(mini_data)
    assert store.path.parent == Path(os.environ["CROSSPLAN_CACHE"])
    copy = tmp_path / "elsewhere" / "mini"
    copy.parent.mkdir()
    os.rename(mini_data, copy)
    assert default_store_path(copy) != store.path


def test_a_changed_file_is_the_only_one_parsed(mini_data, tmp_path):
    open_store(mini_data, tmp_path / "store")
    _edit(mini_data / "plans/alpha.yaml", "Improve accommodation", "Secure accommodation")
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.parsed == ["plans/alpha.yaml"]
    assert sorted(store.report.reused) == sorted(set(FILES) - {"plans/alpha.yaml"})
    assert not store.report.full
    assert _alpha_text(store).startswith("Secure accommodation on release")
    assert_same_as_a_fresh_load(store, mini_data)


def test_an_edit_is_listed_once_unless_the_manifest_changed_before_the_lock(mini_data, tmp_path, monkeypatch):
    open_store(mini_data, tmp_path / "store")
    listings = []
    file_listing = store_module.file_listing
    monkeypatch.setattr(store_module, "file_listing", lambda data_dir: listings.append(1) or file_listing(data_dir))
    _edit(mini_data / "plans/alpha.yaml", "Improve accommodation", "Secure accommodation")
    store = open_store(mini_data, tmp_path / "store")
    assert len(listings) == 1 and store.report.parsed == ["plans/alpha.yaml"]  # the quick check's listing stands
    assert_same_as_a_fresh_load(store, mini_data)
    del store
    gc.collect()
    # a build or refresh between the quick check and the lock (another scan time): listed and compared again
    usable = store_module.usable_manifest
    calls = []

    def moved_on(path, data_dir):
        manifest = usable(path, data_dir)
        calls.append(1)
        if manifest is not None and len(calls) == 2:
            manifest["scanned_ns"] += 1
        return manifest

    monkeypatch.setattr(store_module, "usable_manifest", moved_on)
    listings.clear()
    _edit(mini_data / "plans/alpha.yaml", "Secure accommodation", "Improve accommodation")
    store = open_store(mini_data, tmp_path / "store")
    assert len(listings) == 2 and store.report.parsed == ["plans/alpha.yaml"]
    assert _alpha_text(store).startswith(ALPHA_TEXT)


def test_an_edit_that_keeps_size_and_mtime_right_after_a_build_is_still_noticed(mini_data, tmp_path):
    # File systems stamp times coarsely: a file saved just before a build and again just after, with the same
    # size, can keep its mtime. Only its hash tells, so such a file is hashed until it is safely older.
    path = mini_data / "plans/alpha.yaml"
    os.utime(path)
    info = path.stat()
    open_store(mini_data, tmp_path / "store")
    _edit(path, "Improve accommodation", "Improve accomodation")
    _edit(path, "custody, a minimum", "custody,  a minimum")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.parsed == ["plans/alpha.yaml"]
    assert _alpha_text(store).startswith("Improve accomodation on release")


def test_a_touched_but_unchanged_file_is_not_parsed(mini_data, tmp_path):
    _age(mini_data)
    open_store(mini_data, tmp_path / "store")
    os.utime(mini_data / "plans/beta.yaml")
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.parsed == [] and not store.report.changed


def test_an_added_then_removed_file_adds_then_drops_its_graph(mini_data, tmp_path):
    open_store(mini_data, tmp_path / "store")
    (mini_data / "plans/gamma.yaml").write_text(GAMMA, encoding="utf-8")
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.parsed == ["plans/gamma.yaml"] and store.report.removed == []
    assert graph_iri("gamma") in store.data_graphs()
    assert_same_as_a_fresh_load(store, mini_data)
    (mini_data / "plans/gamma.yaml").unlink()
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.parsed == [] and store.report.removed == ["plans/gamma.yaml"]
    assert store.data_graphs() == GRAPHS
    assert_same_as_a_fresh_load(store, mini_data)


def test_a_bad_change_is_refused_with_the_loaders_messages_and_the_last_good_store_stays(mini_data, tmp_path):
    path = tmp_path / "store"
    open_store(mini_data, path)
    _edit(mini_data / "plans/alpha.yaml", "to: beta/resettlement-1", "to: beta/resettlement-9")
    line = mini_data.joinpath("plans/alpha.yaml").read_text(encoding="utf-8").splitlines().index("  - from: r1") + 1
    with pytest.raises(DataError) as caught:
        open_store(mini_data, path)
    with pytest.raises(DataError) as expected:
        load_dataset(mini_data)
    assert [str(problem) for problem in caught.value.problems] == [str(problem) for problem in expected.value.problems]
    assert [(problem.line, problem.message) for problem in caught.value.problems] == [
        (line + 1, "to 'beta/resettlement-9' is not defined (did you mean 'beta/resettlement-1'?)")
    ]
    assert _generations(path) == ["gen-000001"]
    _edit(mini_data / "plans/alpha.yaml", "to: beta/resettlement-9", "to: beta/resettlement-1")
    store = open_store(mini_data, path)
    assert store.report.parsed == [] and _alpha_text(store).startswith(ALPHA_TEXT)


def test_a_duplicate_id_across_files_is_found_without_rereading_the_other_files(mini_data, tmp_path):
    open_store(mini_data, tmp_path / "store")
    _edit(mini_data / "programmes.yaml", "id: constructive-resettlement", "id: alpha-board")
    with pytest.raises(DataError) as caught:
        open_store(mini_data, tmp_path / "store")
    with pytest.raises(DataError) as expected:
        load_dataset(mini_data)
    assert [str(problem) for problem in caught.value.problems] == [str(problem) for problem in expected.value.problems]
    assert any("duplicate id 'alpha-board'" in problem.message for problem in caught.value.problems)


def test_a_crash_mid_build_leaves_the_previous_store_and_the_next_open_recovers(mini_data, tmp_path, monkeypatch):
    path = tmp_path / "store"
    open_store(mini_data, path)
    _edit(mini_data / "plans/alpha.yaml", "Improve accommodation", "Secure accommodation")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(build_module, "_update_graphs", crash)
        with pytest.raises(RuntimeError):
            open_store(mini_data, path)
    assert json.loads((path / "manifest.json").read_text())["generation"] == "gen-000001"
    assert _generations(path) == ["gen-000001"]  # the half-built one is removed on the way out
    (path / "gen-000002").mkdir()  # as a process killed mid-build would leave it
    store = open_store(mini_data, path)
    assert store.report.parsed == ["plans/alpha.yaml"]
    assert _generations(path) == ["gen-000003"]
    assert_same_as_a_fresh_load(store, mini_data)


def test_a_process_killed_during_its_first_build_leaves_a_store_that_is_rebuilt(mini_data, tmp_path):
    path = tmp_path / "store"
    script = (
        "import os, sys\n"
        "import crossplan.graph.stores.build as s\n"
        "from crossplan.graph.stores.embedded import open_store\n"
        "load = s._bulk_load\n"
        "def die(*a, **k):\n"
        "    load(*a, **k)\n"
        "    os._exit(9)\n"
        "s._bulk_load = die\n"
        "open_store(sys.argv[1], sys.argv[2])\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(mini_data), str(path)], cwd=ROOT, timeout=120)
    assert killed.returncode == 9
    assert not (path / "manifest.json").exists() and _generations(path) == ["gen-000001"]
    store = open_store(mini_data, path)  # the lock died with the process; the leftovers go
    assert store.report.full and _generations(path) == ["gen-000002"]
    assert_same_as_a_fresh_load(store, mini_data)


def test_two_readers_at_once_in_one_process_and_in_another(mini_data, tmp_path):
    path = tmp_path / "store"
    first = open_store(mini_data, path)
    second = open_store(mini_data, path)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    count = first.select(query)[0]["n"]
    assert second.select(query)[0]["n"] == count > 0
    script = (
        "import sys\n"
        "from crossplan.graph.stores.embedded import open_store\n"
        "store = open_store(sys.argv[1], sys.argv[2])\n"
        "print(store.report.changed, store.select('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')[0]['n'])\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(mini_data), str(path)], cwd=ROOT, timeout=120, capture_output=True, text=True
    )
    assert other.returncode == 0, other.stderr
    assert other.stdout.split() == ["False", str(count)]
    assert first.select(query)[0]["n"] == count


def test_builders_in_two_processes_wait_for_each_other(tmp_path):
    from bench.generate import generate

    data = tmp_path / "data"
    generate(data, 3, seed=11)
    path = tmp_path / "store"
    script = (
        "import sys\n"
        "from crossplan.graph.stores.embedded import open_store\n"
        "store = open_store(sys.argv[1], sys.argv[2])\n"
        "print(store.report.full, store.select('SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }')[0]['n'])\n"
    )
    command = [sys.executable, "-c", script, str(data), str(path)]
    processes = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    answers = [out.split() for out, _ in outputs]
    assert sorted(full for full, _ in answers) == ["False", "True"]  # one built, the other waited and reused it
    assert answers[0][1] == answers[1][1]
    assert _generations(path) == ["gen-000001"]


def test_a_generation_in_use_is_kept_until_its_reader_lets_go(mini_data, tmp_path):
    path = tmp_path / "store"
    reader = open_store(mini_data, path)
    _edit(mini_data / "plans/alpha.yaml", "Improve accommodation", "Secure accommodation")
    newer = open_store(mini_data, path)
    assert _generations(path) == ["gen-000001", "gen-000002"]
    assert _alpha_text(reader).startswith(ALPHA_TEXT)  # still answers from its own generation
    assert _alpha_text(newer).startswith("Secure accommodation")
    del reader
    gc.collect()
    _edit(mini_data / "plans/alpha.yaml", "Secure accommodation", "Find accommodation")
    newest = open_store(mini_data, path)
    assert _generations(path) == ["gen-000002", "gen-000003"]  # gen-2 is still held by `newer`
    assert _alpha_text(newest).startswith("Find accommodation")


def test_a_damaged_manifest_or_index_means_a_full_rebuild(mini_data, tmp_path):
    path = tmp_path / "store"
    open_store(mini_data, path)
    (path / "manifest.json").write_text("{", encoding="utf-8")
    assert open_store(mini_data, path).report.full
    for shard in (path / "index").iterdir():
        shard.write_text("not json", encoding="utf-8")
    _edit(mini_data / "plans/alpha.yaml", "Improve accommodation", "Secure accommodation")
    store = open_store(mini_data, path)
    assert store.report.full
    assert_same_as_a_fresh_load(store, mini_data)


def test_a_store_of_the_previous_format_is_rebuilt_and_its_files_removed(mini_data, tmp_path):
    path = tmp_path / "store"
    (path / "oxigraph").mkdir(parents=True)
    (path / "index.json").write_text("{}", encoding="utf-8")
    (path / "manifest.json").write_text(json.dumps({"format": 1, "files": {}}), encoding="utf-8")
    store = open_store(mini_data, path)
    assert store.report.full
    assert sorted(os.listdir(path)) == ["facts", "gen-000001", "index", "lock", "manifest.json", "triples"]


def test_a_directory_that_is_not_a_store_is_refused(mini_data, tmp_path, invoke):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(StoreError) as caught:
        open_store(mini_data, other)
    assert str(caught.value) == f"{other}: not a crossplan store and not empty; choose another --store"
    result = invoke("--data", mini_data, "--store", other, "stats")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {other}: not a crossplan store and not empty; choose another --store\n"
    assert (other / "todo.txt").read_text(encoding="utf-8") == "keep me"
    a_file = tmp_path / "file"
    a_file.write_text("", encoding="utf-8")
    with pytest.raises(StoreError, match="not a directory, cannot hold a store"):
        open_store(mini_data, a_file)


def test_remove_store(mini_data, tmp_path):
    path = tmp_path / "store"
    build_store(mini_data, path)
    assert remove_store(mini_data, path) == path
    assert not path.exists()
    assert remove_store(mini_data, path) is None


def test_cli_build_says_what_it_did(invoke, mini_data, tmp_path):
    path = tmp_path / "store"
    first = invoke("--data", mini_data, "--store", path, "build")
    assert first.exit_code == 0
    built = open_store(mini_data, path)
    count = sum(len(built.graph_triples(name)) for name in built.data_graphs())
    assert first.stdout == ""
    assert first.stderr.startswith(f"Built {path}: 5 files parsed, 0 reused, 0 removed, {count} triples added in ")
    assert invoke("--data", mini_data, "--store", path, "build").stderr == f"Store is up to date: 5 files in {path}\n"
    _edit(mini_data / "plans/beta.yaml", "Map existing", "Review existing")
    assert invoke("--data", mini_data, "--store", path, "build").stderr.startswith(
        f"Built {path}: 1 file parsed, 4 reused, 0 removed, "
    )
    assert invoke("--data", mini_data, "--store", path, "build", "--rebuild").stderr.startswith(
        f"Built {path}: 5 files parsed, 0 reused, 0 removed, {count} triples added in "
    )


def test_a_yaml_syntax_error_is_reported_alone(mini_data, tmp_path):
    open_store(mini_data, tmp_path / "store")
    (mini_data / "plans/alpha.yaml").write_text('plan:\n  id: alpha\n  title: "open\n', encoding="utf-8")
    with pytest.raises(DataError) as caught:
        open_store(mini_data, tmp_path / "store")
    assert [(Path(problem.path).name, problem.line, problem.message) for problem in caught.value.problems] == [
        ("alpha.yaml", 4, "invalid YAML: found unexpected end of stream")
    ]


class _Planted:
    """A pickle that records its own loading: if anything unpickled it, code from the store directory ran."""

    def __reduce__(self):
        return (Path.touch, (Path(os.environ["CROSSPLAN_PLANTED"]),))


def test_nothing_planted_in_the_store_directory_runs_when_the_questions_are_asked(mini_data, tmp_path, monkeypatch):
    from crossplan.graph.questions import duplicates, gaps, network, overdue, show, stats

    path = tmp_path / "store"
    store = open_store(mini_data, path)
    proof = tmp_path / "code-ran"
    monkeypatch.setenv("CROSSPLAN_PLANTED", str(proof))
    generation = store.generation
    planted = pickle.dumps(_Planted())
    for where in (generation / "answers", path / "index", path):  # where pickles were kept, and beside them
        where.mkdir(exist_ok=True)
        for name in ("projection-networkx-3.4.pickle", "select-0123456789abcdef0123456789abcdef.pickle", "x.pkl"):
            (where / name).write_bytes(planted)
    del store
    gc.collect()
    store = open_store(mini_data, path)
    network.find_impact(store, "alpha/r1")
    network.find_paths(store, "alpha/r1", "alpha/r2")
    duplicates.find_duplicate_groups(store)
    overdue.find_overdue(store, "2030-01-01")
    gaps.find_gaps(store)
    show.describe_node(store, "alpha/r1")
    stats.compute_stats(store)
    store.select("SELECT ?n WHERE { ?n rdfs:label ?l }")
    assert not proof.exists()


def test_no_module_of_the_store_or_the_questions_unpickles():
    import crossplan.graph as package

    modules = sorted(Path(package.__file__).parent.rglob("*.py"))
    assert len(modules) > 30
    for module in modules:
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"\bimport (pickle|marshal|shelve|dill|joblib)\b|pickle\.loads?\(", text), module


def test_a_store_built_by_an_earlier_version_loses_its_pickled_answers(mini_data, tmp_path):
    path = tmp_path / "store"
    store = open_store(mini_data, path)
    (store.generation / "answers").mkdir()
    (store.generation / "answers" / "select-x.pickle").write_bytes(b"old")
    del store
    gc.collect()
    _edit(mini_data / "plans/alpha.yaml", ALPHA_TEXT, "Find homes for children leaving custody")
    open_store(mini_data, path)
    assert not list(path.rglob("*.pickle"))


def test_a_format_2_store_whose_queries_read_the_union_mode_is_rebuilt(mini_data, tmp_path):
    path = tmp_path / "store"
    open_store(mini_data, path)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    (path / "manifest.json").write_text(json.dumps(dict(manifest, format=2)), encoding="utf-8")
    gc.collect()
    store = open_store(mini_data, path)
    assert store.report.full
    assert_same_as_a_fresh_load(store, mini_data)


# -- faults of the store itself: damaged files, a full disk, a read-only cache ------------------------------------


def _damage(generation: Path) -> None:
    for table in (generation / "oxigraph").glob("*.sst"):
        data = table.read_bytes()
        table.write_bytes(data[: len(data) // 2])


def test_a_damaged_store_is_named_with_the_command_that_restores_it(mini_data, tmp_path, invoke, runner):
    from crossplan.cli import main

    path = tmp_path / "store"
    store = open_store(mini_data, path)
    generation = store.generation
    del store
    gc.collect()
    _damage(generation)
    with pytest.raises(StoreError) as caught:
        open_store(mini_data, path)
    assert str(caught.value).startswith(f"{path}: the store is damaged (Corruption")
    assert str(caught.value).endswith("`crossplan build --rebuild` restores it from the data files")
    result = runner.invoke(main, ["--data", str(mini_data), "--store", str(path), "show", "alpha/r1"])
    assert result.exit_code == 1
    assert "the store is damaged" in result.output and "crossplan build --rebuild" in result.output
    assert "internal error" not in result.output
    assert invoke("--data", mini_data, "--store", path, "build", "--rebuild").exit_code == 0
    assert open_store(mini_data, path).select("SELECT ?l WHERE { ?n dcterms:identifier 'alpha/r1' ; rdfs:label ?l }")


def test_a_damaged_file_read_during_a_question_is_named_too(mini_data, tmp_path, monkeypatch, runner):
    from crossplan.cli import main
    from crossplan.graph.questions import show as questions

    def damaged(*arguments, **options):
        raise RuntimeError("Corruption: block checksum mismatch: stored = 1, computed = 2 in 000011.sst")

    monkeypatch.setattr(questions, "describe_node", damaged)
    path = tmp_path / "store"
    result = runner.invoke(main, ["--data", str(mini_data), "--store", str(path), "show", "alpha/r1"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: the store is damaged (Corruption: block checksum mismatch")
    assert "`crossplan build --rebuild` restores it" in result.output


@pytest.mark.parametrize("where", ["_bulk_load", "_update_graphs", "write_json"])
def test_a_full_disk_is_said_and_the_half_written_generation_removed(mini_data, tmp_path, monkeypatch, where):
    import errno as errors

    path = tmp_path / "store"
    if where != "_bulk_load":
        open_store(mini_data, path)
        _edit(mini_data / "plans/alpha.yaml", ALPHA_TEXT, "Find homes for children leaving custody")
        gc.collect()
    before = sorted(name for name in os.listdir(path) if name.startswith("gen-")) if path.exists() else []
    original = getattr(build_module, where)

    def full(*arguments, **options):
        if where == "write_json" and not str(arguments[0]).endswith("manifest.json"):
            return original(*arguments, **options)
        raise OSError(errors.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, where, full)
    with pytest.raises(StoreError) as caught:
        open_store(mini_data, path)
    assert str(caught.value) == (
        f"{path}: the disk is full (no space left on device) while building the store; the "
        "half-written build was removed and the store is as it was: free some space and run "
        "the command again"
    )
    assert sorted(name for name in os.listdir(path) if name.startswith("gen-")) == before
    monkeypatch.setattr(build_module, where, original)
    assert "leaving custody" in _alpha_text(open_store(mini_data, path)) or where == "_bulk_load"


def test_a_full_disk_reported_by_the_database_is_said_too(mini_data, tmp_path, monkeypatch, runner):
    from crossplan.cli import main

    def full(*arguments, **options):
        raise RuntimeError("IO error: No space left on device: While appending to file: 000012.sst")

    monkeypatch.setattr(build_module, "_bulk_load", full)
    path = tmp_path / "store"
    result = runner.invoke(main, ["--data", str(mini_data), "--store", str(path), "build"])
    assert result.exit_code == 1
    assert "the disk is full" in result.output and "internal error" not in result.output
    assert not [name for name in os.listdir(path) if name.startswith("gen-")]


def test_a_read_only_cache_after_the_data_changed_answers_from_memory(mini_data, tmp_path, monkeypatch, runner):
    import errno as errors

    from crossplan.cli import main

    path = tmp_path / "store"
    open_store(mini_data, path)
    _edit(mini_data / "plans/alpha.yaml", ALPHA_TEXT, "Find homes for children leaving custody")
    gc.collect()

    @contextlib.contextmanager
    def read_only(*arguments, **options):
        raise OSError(errors.EROFS, "Read-only file system")
        yield

    monkeypatch.setattr(store_module, "exclusive_lock", read_only)
    store = open_store(mini_data, path)
    assert store.report.in_memory and "cannot be written (Read-only file system)" in store.report.warning
    assert "leaving custody" in _alpha_text(store)
    result = runner.invoke(main, ["--data", str(mini_data), "--store", str(path), "show", "alpha/r1"])
    assert result.exit_code == 0, result.output
    assert "Warning: " in result.output and "in-memory copy" in result.output
    result = runner.invoke(main, ["--data", str(mini_data), "--store", str(path), "build"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: cannot write the store (Read-only file system); make the directory "
        "writable, or choose another --store (or CROSSPLAN_CACHE)\n"
    )


def test_the_facts_of_unchanged_files_survive_an_edit(mini_data, tmp_path):
    path = tmp_path / "store"
    open_store(mini_data, path)
    before = {table.name: table.stat().st_mtime_ns for table in (path / "facts").glob("*.json")}
    _edit(mini_data / "plans/alpha.yaml", ALPHA_TEXT, "Find homes for children leaving custody")
    gc.collect()
    store = open_store(mini_data, path)
    after = {table.name: table.stat().st_mtime_ns for table in (path / "facts").glob("*.json")}
    assert len(before) == len(after) == 5
    assert len(set(before) & set(after)) == 4  # only the edited file's table is new
    assert all(before[name] == after[name] for name in set(before) & set(after))
    assert store.fact_tables() is not None


def test_a_full_build_through_the_bulk_loader_holds_the_same_graphs(mini_data, tmp_path, monkeypatch):
    # Above the threshold the named graphs stream through the bulk loader and the default graph is loaded from an
    # N-Triples file in a second pass: the same graphs as a fresh load, the union included.
    monkeypatch.setattr(build_module, "BULK_THRESHOLD_BYTES", 0)
    store = open_store(mini_data, tmp_path / "store")
    assert store.report.full and store.report.quads_added > 0
    assert_same_as_a_fresh_load(store, mini_data)
    assert not [name for name in os.listdir(store.generation) if name.startswith("crossplan-union-")]


def test_an_edit_that_removes_an_id_another_file_refers_to_is_refused_as_a_full_check_words_it(mini_data, tmp_path):
    # A rebuild settles an edit that keeps its file's ids from the previous generation; one that drops an id is
    # checked against every index entry, with the loader's own messages.
    path = tmp_path / "store"
    open_store(mini_data, path)
    beta = mini_data / "plans/beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace("resettlement-1", "resettlement-2"), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        open_store(mini_data, path)
    with pytest.raises(DataError) as expected:
        load_dataset(mini_data)
    assert [str(problem) for problem in caught.value.problems] == [str(problem) for problem in expected.value.problems]
    assert _generations(path) == ["gen-000001"]


def test_a_full_build_parsed_in_worker_processes_holds_the_same_graphs_facts_and_index(
    mini_data, tmp_path, monkeypatch
):
    # Above _PARALLEL_BYTES the files are parsed in forked workers that hand back N-Quads text: the same store.
    in_process = open_store(mini_data, tmp_path / "here")
    monkeypatch.setattr(parsing_module, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(build_module, "BULK_THRESHOLD_BYTES", 0)
    store = open_store(mini_data, tmp_path / "workers")
    assert store.report.full and store.report.quads_added == in_process.report.quads_added > 0
    assert_same_as_a_fresh_load(store, mini_data)
    for kind in ("facts", "index"):
        assert {p.name: p.read_bytes() for p in (tmp_path / "workers" / kind).iterdir()} == {
            p.name: p.read_bytes() for p in (tmp_path / "here" / kind).iterdir()
        }
    assert store.fact_tables() == in_process.fact_tables()


def test_a_full_build_in_worker_processes_reports_problems_as_in_one(mini_data, tmp_path, monkeypatch):
    _edit(mini_data / "plans/alpha.yaml", "id: r2", "id: r1")
    with pytest.raises(DataError) as here:
        open_store(mini_data, tmp_path / "here")
    monkeypatch.setattr(parsing_module, "_PARALLEL_BYTES", 0)
    with pytest.raises(DataError) as workers:
        open_store(mini_data, tmp_path / "workers")
    assert [str(problem) for problem in workers.value.problems] == [str(problem) for problem in here.value.problems]


def test_a_full_build_with_a_problem_leaves_no_generation(mini_data, tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "BULK_THRESHOLD_BYTES", 0)
    _edit(mini_data / "plans/alpha.yaml", "id: r2", "id: r1")  # a duplicate id, found once every file is read
    with pytest.raises(DataError):
        open_store(mini_data, tmp_path / "store")
    assert not [name for name in os.listdir(tmp_path / "store") if name.startswith("gen-")]
