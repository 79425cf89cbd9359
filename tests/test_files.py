"""Writing files safely (graph/files.py): atomic writes, staying inside a directory, and the -o guard."""

from __future__ import annotations

import stat

import pytest

from crossplan.graph.errors import CrossplanError, OutputError
from crossplan.graph.files import (
    check_output,
    file_identity,
    names_in,
    read_json,
    resolve_inside,
    write_atomically,
    write_text_atomically,
)


def _leftovers(directory):
    return sorted(path.name for path in directory.iterdir() if path.name.endswith(".tmp"))


def test_write_text_atomically_writes_utf8_and_replaces_the_old_content(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    write_text_atomically(target, "naïve 日本語\n")
    assert target.read_bytes() == "naïve 日本語\n".encode()
    assert _leftovers(tmp_path) == []


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("the previous manifest", encoding="utf-8")

    def fail(stream):
        stream.write(b"half of the new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomically(target, fail, sync=True)
    assert target.read_text(encoding="utf-8") == "the previous manifest"
    assert _leftovers(tmp_path) == []


def test_a_missing_directory_is_a_crossplan_error_naming_it(tmp_path):
    target = tmp_path / "missing" / "out.txt"
    with pytest.raises(CrossplanError) as caught:
        write_text_atomically(target, "x")
    assert str(caught.value) == f"{target}: the directory {tmp_path / 'missing'} does not exist"
    assert not (tmp_path / "missing").exists()


def test_a_new_file_is_readable_by_all_and_an_old_file_keeps_its_mode(tmp_path):
    new = tmp_path / "new.txt"
    write_atomically(new, lambda stream: stream.write(b"x"), sync=True)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644  # not mkstemp's private 0o600
    old = tmp_path / "script.sh"
    old.write_text("echo old", encoding="utf-8")
    old.chmod(0o750)
    write_text_atomically(old, "echo new")
    assert stat.S_IMODE(old.stat().st_mode) == 0o750
    assert old.read_text(encoding="utf-8") == "echo new"


def test_a_bare_file_name_is_written_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text_atomically("here.txt", "x")
    assert (tmp_path / "here.txt").read_text(encoding="utf-8") == "x"


def test_resolve_inside_follows_dots_and_links(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    assert resolve_inside(root, root / "sub" / "file") == (root / "sub" / "file").resolve()
    assert resolve_inside(root, root) == root.resolve()
    assert resolve_inside(root, root / ".." / "outside.txt") is None
    assert resolve_inside(root, tmp_path / "rootless") is None  # a sibling sharing the name's beginning
    (root / "escape").symlink_to(tmp_path / "outside.txt")
    assert resolve_inside(root, root / "escape") is None
    (tmp_path / "in").symlink_to(root / "sub")
    assert resolve_inside(root, tmp_path / "in" / "file") == (root / "sub" / "file").resolve()


def test_resolve_inside_refuses_a_loop_of_links(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    # Path.resolve raises RuntimeError or OSError on a loop, depending on the Python version: neither escapes
    assert resolve_inside(tmp_path / "elsewhere", tmp_path / "a") is None


def test_check_output_refuses_a_data_file_a_new_yaml_file_and_an_existing_yaml_file(mini_data, tmp_path):
    with pytest.raises(OutputError) as caught:
        check_output(mini_data / "sources" / "alpha.txt", [None, mini_data])
    assert str(caught.value) == (
        f"{mini_data / 'sources' / 'alpha.txt'}: will not write over a file of the data directory {mini_data} "
        "(choose another output file; --force writes there anyway)"
    )
    with pytest.raises(OutputError, match="of the data directory"):
        check_output(mini_data / "plans" / "new.YML", [mini_data])  # a new file that would be read as data
    elsewhere = tmp_path / "settings.Yaml"
    elsewhere.write_text("keep: me\n", encoding="utf-8")
    with pytest.raises(OutputError) as caught:
        check_output(elsewhere, [mini_data])
    assert str(caught.value) == (
        f"{elsewhere}: will not replace a YAML file that crossplan did not write (choose another output file; "
        "--force replaces it)"
    )


def test_check_output_allows_new_or_non_data_files_and_force(mini_data, tmp_path):
    check_output(mini_data / "page.html", [mini_data])  # a new file of another kind in the data directory
    check_output(tmp_path / "graph.yaml", [mini_data])  # a new YAML file elsewhere
    existing = tmp_path / "page.html"
    existing.write_text("old", encoding="utf-8")
    check_output(existing, [mini_data])
    check_output(existing, [])
    check_output(mini_data / "plans" / "alpha.yaml", [mini_data], force=True)


def test_check_output_follows_links_to_data_and_to_yaml(mini_data, tmp_path):
    into_data = tmp_path / "page.html"
    into_data.symlink_to(mini_data / "documents.yaml")
    with pytest.raises(OutputError, match="of the data directory"):
        check_output(into_data, [mini_data])
    other = tmp_path / "keep.yaml"
    other.write_text("x: 1\n", encoding="utf-8")
    disguised = tmp_path / "out.txt"
    disguised.symlink_to(other)
    with pytest.raises(OutputError, match="will not replace a YAML file"):
        check_output(disguised, [mini_data])


def test_check_output_refuses_the_data_directory_itself(mini_data):
    with pytest.raises(OutputError, match="will not write over a directory of the data directory"):
        check_output(mini_data, [mini_data])
    with pytest.raises(OutputError):
        check_output(mini_data / "plans", [mini_data])
    check_output(mini_data / "plans", [mini_data], force=True)


def test_a_full_disk_names_the_file_that_could_not_be_written(tmp_path, monkeypatch):
    import errno

    from crossplan.graph.errors import WriteError

    monkeypatch.chdir(tmp_path)
    target = tmp_path / "plan.yaml"
    target.write_text("before")

    def fill(stream):
        stream.write(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(WriteError, match=r"^plan.yaml: the disk is full \(no space left on device\) writing this file"):
        write_atomically(target, fill)
    assert target.read_text() == "before" and [p.name for p in tmp_path.iterdir()] == ["plan.yaml"]
    with pytest.raises(OSError) as caught:  # still an OSError with its errno, for the store's own handling
        write_atomically(target, fill)
    assert caught.value.errno == errno.ENOSPC


def test_read_json_gives_the_content_or_none_for_what_cannot_be_read(tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_text('{"format": 1, "items": [1, 2]}', encoding="utf-8")
    assert read_json(kept) == {"format": 1, "items": [1, 2]}
    assert read_json(tmp_path / "missing.json") is None
    (tmp_path / "cut.json").write_bytes(b'{"format": 1, "ite')
    assert read_json(tmp_path / "cut.json") is None
    (tmp_path / "bytes.json").write_bytes(b"\xff\xfe\x00garbage")
    assert read_json(tmp_path / "bytes.json") is None
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    assert read_json(tmp_path / "deep.json") is None  # nested too deep for the parser: damaged, not a traceback
    assert read_json(tmp_path) is None  # a directory


def test_a_file_replaced_by_a_rename_is_known_for_another(tmp_path):
    path = tmp_path / "kept.json"
    assert file_identity(path) is None  # missing
    write_text_atomically(path, "{}")
    first = file_identity(path)
    assert first is not None and first == file_identity(path) and first[2] == 2  # (device, inode, size, ...)
    write_text_atomically(path, "{}")  # the same bytes, a new file renamed over it
    assert file_identity(path) != first


def test_names_in_a_folder_are_listed_once_or_none(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b").mkdir()
    assert names_in(tmp_path) == {"a.json", "b"}
    assert names_in(tmp_path / "missing") == set() and names_in(tmp_path / "a.json") == set()
