"""The store directory's manifest: where a store lives, and telling an up-to-date store from a stale one."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from crossplan.graph.model.vocabulary import graph_iri
from crossplan.graph.stores import manifest as manifest_module
from crossplan.graph.stores.locks import exclusive_lock
from crossplan.graph.stores.manifest import (
    FACTS,
    LOCK,
    MANIFEST,
    RACY_NS,
    STORE_FORMAT,
    TRIPLES,
    BuildReport,
    compare_listing,
    default_store_path,
    facts_key,
    file_listing,
    graph_name_of,
    ontology_fingerprint,
    read_json,
    refresh_manifest,
    triples_key,
    usable_manifest,
    write_json,
)

HOUR_NS = 3600 * 10**9


def _entry(path: Path, mtime_ns: int | None = None) -> dict:
    info = path.stat()
    return {
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns if mtime_ns is None else mtime_ns,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


@pytest.fixture
def built(tmp_path):
    """A data directory of two files dated an hour back, a store directory with their facts tables and triples,
    and a manifest that records them as built a minute ago."""
    data = tmp_path / "data"
    (data / "plans").mkdir(parents=True)
    (data / "organisations.yaml").write_text("organisations: []\n", encoding="utf-8")
    (data / "plans/gamma.yaml").write_text("plan:\n  id: gamma\n  title: G\n", encoding="utf-8")
    for relpath in ("organisations.yaml", "plans/gamma.yaml"):
        info = (data / relpath).stat()
        os.utime(data / relpath, ns=(info.st_atime_ns, info.st_mtime_ns - HOUR_NS))
    store = tmp_path / "store"
    (store / FACTS).mkdir(parents=True)
    (store / TRIPLES).mkdir(parents=True)
    files = {relpath: _entry(data / relpath) for relpath in ("organisations.yaml", "plans/gamma.yaml")}
    for relpath, entry in files.items():
        (store / FACTS / f"{facts_key(relpath, entry['sha256'])}.json").write_text("{}", encoding="utf-8")
        (store / TRIPLES / f"{triples_key(relpath, entry['sha256'])}.nt").write_bytes(b"")
    manifest = {"generation": "gen-000001", "scanned_ns": time.time_ns() - 60 * 10**9, "files": files}
    return data, store, manifest


def test_the_default_store_is_one_cache_directory_per_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSPLAN_CACHE", str(tmp_path / "cache"))
    (tmp_path / "a" / "plans").mkdir(parents=True)
    (tmp_path / "b" / "plans").mkdir(parents=True)
    first = default_store_path(tmp_path / "a" / "plans")
    assert first.parent == tmp_path / "cache" and first.name.startswith("plans-")
    assert default_store_path(tmp_path / "a" / "plans") == first
    assert default_store_path(tmp_path / "a" / ".." / "a" / "plans") == first  # the same directory, however named
    assert default_store_path(tmp_path / "b" / "plans") != first


def test_without_crossplan_cache_the_user_cache_directory_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("CROSSPLAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_store_path(tmp_path).parent == tmp_path / "xdg" / "crossplan"


def test_json_is_written_whole_and_a_damaged_or_missing_file_reads_as_none(tmp_path):
    write_json(tmp_path / "m.json", {"files": {"a.yaml": [1, 2]}, "format": STORE_FORMAT})
    assert read_json(tmp_path / "m.json") == {"files": {"a.yaml": [1, 2]}, "format": STORE_FORMAT}
    assert [path.name for path in tmp_path.iterdir()] == ["m.json"]  # no temporary file left beside it
    (tmp_path / "m.json").write_text('{"files": ', encoding="utf-8")
    assert read_json(tmp_path / "m.json") is None
    assert read_json(tmp_path / "missing.json") is None


def test_plans_and_registries_have_their_own_graph_names():
    assert graph_name_of("plans/alpha.yaml", "alpha", "plan") == graph_iri("alpha")
    assert graph_name_of("organisations.yaml", "organisations", "organisations") == graph_iri("registry/organisations")


def test_a_facts_table_is_named_by_the_files_path_and_content():
    key = facts_key("plans/a.yaml", "0" * 64)
    assert len(key) == 32 and int(key, 16) >= 0
    assert facts_key("plans/a.yaml", "0" * 64) == key
    assert facts_key("plans/b.yaml", "0" * 64) != key
    assert facts_key("plans/a.yaml", "1" * 64) != key


def test_the_listing_holds_only_data_files_with_their_size_and_mtime(built):
    data, _, _ = built
    (data / "notes.txt").write_text("not data", encoding="utf-8")
    (data / "plans" / "draft.txt").write_text("not data", encoding="utf-8")
    listing = file_listing(data)
    assert sorted(listing) == ["organisations.yaml", "plans/gamma.yaml"]
    info = (data / "plans/gamma.yaml").stat()
    assert listing["plans/gamma.yaml"] == (info.st_size, info.st_mtime_ns)


def test_files_unchanged_since_the_build_are_not_read(built, monkeypatch):
    data, store, manifest = built

    def forbidden(path):
        raise AssertionError(f"{path} was hashed")

    monkeypatch.setattr(manifest_module, "_sha256", forbidden)
    assert compare_listing(manifest, file_listing(data), data, store) == ([], [], False)


def test_new_changed_and_removed_files_are_told_apart(built):
    data, store, manifest = built
    (data / "plans/gamma.yaml").write_text("plan:\n  id: gamma\n  title: Gamma\n", encoding="utf-8")
    (data / "plans/delta.yaml").write_text("plan:\n  id: delta\n  title: D\n", encoding="utf-8")
    (data / "organisations.yaml").unlink()
    stale, removed, verified = compare_listing(manifest, file_listing(data), data, store)
    assert sorted(stale) == ["plans/delta.yaml", "plans/gamma.yaml"]
    assert removed == ["organisations.yaml"]
    assert verified is False


def test_a_touched_file_is_hashed_and_kept_when_its_content_is_the_same(built):
    data, store, manifest = built
    os.utime(data / "plans/gamma.yaml")
    listing = file_listing(data)
    assert compare_listing(manifest, listing, data, store) == ([], [], True)
    assert manifest["files"]["plans/gamma.yaml"]["mtime_ns"] == listing["plans/gamma.yaml"][1]


def test_a_file_modified_just_before_the_build_is_hashed_even_with_the_same_size_and_mtime(built):
    data, store, manifest = built
    path = data / "plans/gamma.yaml"
    info = path.stat()
    manifest["scanned_ns"] = info.st_mtime_ns + RACY_NS // 2  # the build looked at it just after it was saved
    path.write_text("plan:\n  id: gamma\n  title: X\n", encoding="utf-8")  # same size
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    stale, removed, _ = compare_listing(manifest, file_listing(data), data, store)
    assert (stale, removed) == (["plans/gamma.yaml"], [])


def test_a_file_whose_facts_table_is_gone_is_parsed_again(built):
    data, store, manifest = built
    entry = manifest["files"]["organisations.yaml"]
    (store / FACTS / f"{facts_key('organisations.yaml', entry['sha256'])}.json").unlink()
    assert compare_listing(manifest, file_listing(data), data, store) == (["organisations.yaml"], [], False)


def test_a_file_whose_triples_are_gone_is_parsed_again(built):
    data, store, manifest = built
    entry = manifest["files"]["plans/gamma.yaml"]
    (store / TRIPLES / f"{triples_key('plans/gamma.yaml', entry['sha256'])}.nt").unlink()
    assert compare_listing(manifest, file_listing(data), data, store) == (["plans/gamma.yaml"], [], False)


def test_the_triples_key_names_the_path_the_content_and_the_format():
    key = triples_key("plans/a.yaml", "0" * 64)
    assert len(key) == 32 and key != facts_key("plans/a.yaml", "0" * 64)
    assert triples_key("plans/b.yaml", "0" * 64) != key
    assert triples_key("plans/a.yaml", "1" * 64) != key


def test_a_manifest_is_used_only_if_this_version_built_it_for_this_data_directory(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    good = {
        "format": STORE_FORMAT,
        "ontology": ontology_fingerprint(),
        "data_dir": str(data.resolve()),
        "generation": "gen-000001",
        "files": {},
    }
    write_json(tmp_path / MANIFEST, good)
    assert usable_manifest(tmp_path, data) == good
    for change in (
        {"format": STORE_FORMAT - 1},
        {"ontology": "0" * 16},
        {"data_dir": "/elsewhere"},
        {"generation": ""},
    ):
        write_json(tmp_path / MANIFEST, {**good, **change})
        assert usable_manifest(tmp_path, data) is None, change
    (tmp_path / MANIFEST).unlink()
    assert usable_manifest(tmp_path, data) is None


def test_refreshing_records_the_new_scan_time_only_when_no_build_runs_and_the_generation_is_current(tmp_path):
    old = {"generation": "gen-000002", "scanned_ns": 1, "files": {}}
    write_json(tmp_path / MANIFEST, old)
    with exclusive_lock(tmp_path / LOCK):
        refresh_manifest(tmp_path, dict(old))
    assert read_json(tmp_path / MANIFEST)["scanned_ns"] == 1
    refresh_manifest(tmp_path, {**old, "generation": "gen-000001"})  # another build committed meanwhile
    assert read_json(tmp_path / MANIFEST)["scanned_ns"] == 1
    before = time.time_ns()
    refresh_manifest(tmp_path, dict(old))
    assert read_json(tmp_path / MANIFEST)["scanned_ns"] >= before


def test_a_build_report_has_changed_only_when_files_were_parsed_or_removed(tmp_path):
    report = BuildReport(tmp_path, None, reused=["a.yaml"])
    assert not report.changed
    assert BuildReport(tmp_path, None, parsed=["a.yaml"]).changed
    assert BuildReport(tmp_path, None, removed=["a.yaml"]).changed
