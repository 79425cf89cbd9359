"""Arrays in one file read in place (graph.suggest.arrayfile): read back as written, mapped read-only, and any
damage (a byte changed, pages moved, the file cut short, a manifest rewritten) rejected, never trusted."""

import hashlib
import json
import os
import time

import numpy as np
import pytest

from crossplan.graph.suggest import arrayfile

ARRAYS = {
    "small": np.array([3, -1, 7], dtype=np.int32),
    "wide": np.arange(5000, dtype=np.int64) * 3,
    "floats": np.array([0.5, 2.25, -1.0]),
    "text": np.array(["alpha", "beta", "a name with ünïcode"]),
    "empty": np.zeros(0, dtype=np.int32),
    "flags": np.array([True, False, True]),
    "pages": np.arange(3 * 4096, dtype=np.int32),  # several pages: pages moved change only the weighted sum
}


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "arrays"
    assert arrayfile.write_file(path, ARRAYS, {"key": "k", "number": 3})
    return path


def test_arrays_are_read_back_as_written_in_place(written):
    found = arrayfile.read_file(written)
    assert found is not None
    assert found.meta == {"key": "k", "number": 3}
    assert set(found.arrays) == set(ARRAYS)
    for name, array in ARRAYS.items():
        assert found.arrays[name].dtype == array.dtype
        assert found.arrays[name].tolist() == array.tolist()
    assert not found.arrays["wide"].flags.writeable  # a view of the file, not a copy
    assert found.extents["small"] == (-1, 7)
    assert found.extents["floats"] == (-1.0, 2.25)
    assert found.extents["empty"] is None and found.extents["text"] is None
    assert len(found.digest) == 64


def test_only_flat_arrays_of_numbers_or_text_are_written(tmp_path):
    with pytest.raises(ValueError, match="one-dimensional"):
        arrayfile.write_file(tmp_path / "a", {"two": np.zeros((2, 2))}, {})
    with pytest.raises(ValueError, match="one-dimensional"):
        arrayfile.write_file(tmp_path / "a", {"objects": np.array([{"a": 1}], dtype=object)}, {})
    assert not (tmp_path / "a").exists()


def flipped(at):
    def change(raw, start):
        raw[start + at] ^= 0x10

    return change


def data_start(path):
    raw = path.read_bytes()
    _, length, _ = arrayfile._HEADER.unpack_from(raw)
    return min(entry[3] for entry in json.loads(raw[arrayfile._HEADER.size :][:length])["arrays"])


def swap_pages(raw, start):
    at = raw.index(ARRAYS["pages"].tobytes()[:64])
    first, second = raw[at : at + 4096], raw[at + 4096 : at + 8192]
    raw[at : at + 4096], raw[at + 4096 : at + 8192] = second, first


DAMAGES = {
    "a byte of the first array": flipped(2),
    "a byte of a later array": lambda raw, start: raw.__setitem__(-100, raw[-100] ^ 0x01),
    "two pages swapped": swap_pages,
    "the magic": lambda raw, start: raw.__setitem__(0, ord("X")),
    "the manifest": lambda raw, start: raw.__setitem__(arrayfile._HEADER.size + 5, raw[arrayfile._HEADER.size + 5] ^ 1),
    "the digest": lambda raw, start: raw.__setitem__(arrayfile._HEADER.size - 1, raw[arrayfile._HEADER.size - 1] ^ 1),
    "cut short": lambda raw, start: raw.__delitem__(slice(-10, None)),
    "grown": lambda raw, start: raw.extend(b"\0" * 10),
    "emptied": lambda raw, start: raw.clear(),
    "the header cut": lambda raw, start: raw.__delitem__(slice(20, None)),
}


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_a_damaged_file_is_not_read(written, kind):
    raw = bytearray(written.read_bytes())
    DAMAGES[kind](raw, data_start(written))
    written.write_bytes(bytes(raw))
    assert arrayfile.read_file(written) is None


def test_a_missing_file_is_not_read(tmp_path):
    assert arrayfile.read_file(tmp_path / "none") is None


@pytest.mark.parametrize("dtype", ["|O", "[('a', '<i4')]", "<V8", "not a dtype", "<U0"])
def test_a_manifest_naming_another_kind_of_array_is_not_read(written, dtype):
    raw = bytearray(written.read_bytes())
    magic, length, _ = arrayfile._HEADER.unpack_from(raw)
    manifest = json.loads(raw[arrayfile._HEADER.size : arrayfile._HEADER.size + length])
    manifest["arrays"][0][1] = dtype
    text = json.dumps(manifest).encode()
    start = manifest["arrays"][0][3]
    raw[: arrayfile._HEADER.size] = arrayfile._HEADER.pack(magic, len(text), hashlib.sha256(text).digest())
    raw[arrayfile._HEADER.size : start] = text + b"\0" * (start - arrayfile._HEADER.size - len(text))
    written.write_bytes(bytes(raw))
    assert arrayfile.read_file(written) is None  # never an object array, never a traceback


@pytest.fixture
def settled(monkeypatch):
    """A clock a minute on: the files just written count as settled (their checking can be recorded)."""
    now = arrayfile.time.time_ns() + 60 * 10**9
    monkeypatch.setattr(arrayfile.time, "time_ns", lambda: now)


def no_checksum(monkeypatch):
    def refuse(raw):
        raise AssertionError("a checksum worked out again")

    monkeypatch.setattr(arrayfile, "_checksum", refuse)


def test_a_file_checked_once_is_not_checked_again(written, settled, monkeypatch):
    first = arrayfile.read_file(written)
    assert first is not None and (written.parent / "arrays.checked").is_file()
    no_checksum(monkeypatch)
    again = arrayfile.read_file(written)
    assert again is not None and again.digest == first.digest
    assert all(again.arrays[name].tolist() == array.tolist() for name, array in ARRAYS.items())


@pytest.mark.parametrize("kind", ["a byte of the first array", "a byte of a later array", "two pages swapped"])
def test_a_file_changed_after_its_check_is_checked_again(written, settled, kind):
    assert arrayfile.read_file(written) is not None
    stat = written.stat()
    time.sleep(0.05)  # past the file system clock's tick: the write below has a change time of its own
    raw = bytearray(written.read_bytes())
    DAMAGES[kind](raw, data_start(written))
    written.write_bytes(bytes(raw))  # the same size, the same inode; its time set back to the checked one's
    os.utime(written, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert arrayfile.read_file(written) is None  # the change time tells


def test_a_file_just_written_is_checked_until_settled(written, monkeypatch):
    assert arrayfile.read_file(written) is not None
    assert not (written.parent / "arrays.checked").exists()  # written within the clock's tick: not recorded
    raw = bytearray(written.read_bytes())
    DAMAGES["a byte of the first array"](raw, data_start(written))
    written.write_bytes(bytes(raw))
    assert arrayfile.read_file(written) is None


@pytest.mark.parametrize("record", ["not json", "[]", '{"identity": [1, 2, 3, 4, 5], "digest": "00"}'])
def test_a_record_of_another_file_or_none_is_not_trusted(written, settled, record):
    (written.parent / "arrays.checked").write_text(record, encoding="utf-8")
    raw = bytearray(written.read_bytes())
    DAMAGES["a byte of a later array"](raw, data_start(written))
    written.write_bytes(bytes(raw))
    assert arrayfile.read_file(written) is None


def test_writing_or_removing_a_file_removes_the_record_of_its_check(written, settled):
    assert arrayfile.read_file(written) is not None
    record = written.parent / "arrays.checked"
    assert record.is_file()
    assert arrayfile.write_file(written, ARRAYS, {"key": "k"})
    assert not record.exists()
    assert arrayfile.read_file(written) is not None and record.is_file()
    arrayfile.remove_file(written)
    assert not written.exists() and not record.exists()
