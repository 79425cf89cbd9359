"""Every plan's rank rows joined per generation of the index (graph.suggest.joined): made by the build, read by
``suggest FROM`` instead of every plan's rows, checked on reading (a damaged file is joined again, never trusted), and
joined again after a one-file edit; the suggestions stay those of the unindexed ranking."""

import hashlib
import json

import numpy as np
import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.suggest import arrayfile, joined
from crossplan.graph.suggest.compact import RankStore
from crossplan.graph.suggest.corpus import make_index
from crossplan.graph.suggest.delta import POSTED
from crossplan.graph.suggest.index import FOLDER
from crossplan.graph.suggest.similar import suggest_links

from .test_everywhere import as_json


def reads_of_plan_rows(monkeypatch):
    """Count the readings of every plan's rows (what the joined arrays spare)."""
    reads = []
    real = RankStore.read

    def read(self, entries):
        reads.append(len(entries))
        return real(self, entries)

    monkeypatch.setattr(RankStore, "read", read)
    return reads


def expected(data, plan="north"):
    return as_json(suggest_links(memory_store(load_dataset(data)), plan, None, top=3))


def test_the_build_joins_the_rows_and_suggest_reads_only_them(data, tmp_path, monkeypatch):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    assert (store_path / FOLDER / joined.COMBINED).is_file()
    reads = reads_of_plan_rows(monkeypatch)
    for plan in ("north", "south", "west"):
        assert as_json(suggest_links(open_store(data, store_path), plan, None, top=3)) == expected(data, plan)
    assert reads == []
    assert expected(data)


def test_the_joined_arrays_are_the_plans_rows_end_to_end(data, tmp_path):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    rank = RankStore(store_path / FOLDER)
    entries = sorted(entry for (entry,) in rank.connection.execute("SELECT entry FROM plans"))
    by_plan = {f"p{number}": entry for number, entry in enumerate(entries)}
    arrays, structures = rank.read(by_plan)
    assert len(arrays) == len(entries) == 3
    together = joined.Combined.join("k", arrays, structures, by_plan)
    plans = sorted(arrays)
    rows = sum(len(arrays[plan]["row_item"]) for plan in plans)
    assert len(together["row_item"]) == rows
    assert len(together["item_ids"]) == sum(len(structures[plan]) for plan in plans)
    assert together.sentences == sum(arrays[plan].sentences for plan in plans)
    assert together["term_ids"].tolist() == [v for plan in plans for v in arrays[plan]["term_ids"].tolist()]
    assert together["words_counts"].tolist() == [v for plan in plans for v in arrays[plan]["words_counts"].tolist()]
    by_id = sorted(zip(together["term_ids"].tolist(), together["term_counts"].tolist(), strict=True))
    sorted_ids, sorted_counts = together["term_sorted_ids"].tolist(), together["term_sorted_counts"].tolist()
    assert sorted_ids == sorted(sorted_ids)
    assert sorted(zip(sorted_ids, sorted_counts, strict=True)) == by_id
    size = rank.connection.execute("SELECT MAX(id) FROM vocab").fetchone()[0]
    together.save(tmp_path)
    again = joined.Combined.load(tmp_path, "k", size)
    assert again is not None
    assert all(np.array_equal(again[name], together[name]) for name in joined._JOINED)
    assert joined.Combined.load(tmp_path, "another generation", size) is None


def damage(path, name, change):
    """Rewrite one array of the joined file (written soundly otherwise: only the checks of the arrays can tell)."""
    found = arrayfile.read_file(path)
    arrays = {key: np.array(value) for key, value in found.arrays.items()}
    meta = dict(found.meta)
    arrays[name] = change(arrays[name])
    if arrays[name] is None:
        del arrays[name]
    assert arrayfile.write_file(path, arrays, meta)


def flip_a_byte(path, name):
    """Change one byte of an array's data in place (the header and manifest untouched)."""
    found = arrayfile.read_file(path)
    data = found.arrays[name].tobytes()
    raw = bytearray(path.read_bytes())
    at = raw.find(data) + len(data) // 2
    assert at >= len(data) // 2
    raw[at] ^= 0x01
    path.write_bytes(bytes(raw))


def rewrite_manifest(path, change):
    """Change the manifest and write it back with its digest made again (only its contents can tell)."""
    raw = bytearray(path.read_bytes())
    magic, length, _ = arrayfile._HEADER.unpack_from(raw)
    manifest = json.loads(raw[arrayfile._HEADER.size : arrayfile._HEADER.size + length])
    change(manifest)
    text = json.dumps(manifest).encode()
    start = manifest["arrays"][0][3]
    assert arrayfile._HEADER.size + len(text) <= start
    raw[: arrayfile._HEADER.size] = arrayfile._HEADER.pack(magic, len(text), hashlib.sha256(text).digest())
    raw[arrayfile._HEADER.size : start] = text + b"\0" * (start - arrayfile._HEADER.size - len(text))
    path.write_bytes(bytes(raw))


def listed(manifest, name):
    return next(entry for entry in manifest["arrays"] if entry[0] == name)


def the_digest_rewritten(path):
    raw = bytearray(path.read_bytes())
    raw[arrayfile._HEADER.size - 1] ^= 0x01
    path.write_bytes(bytes(raw))


DAMAGES = {
    "a byte of the data flipped": lambda path: flip_a_byte(path, "phrase_sorted_counts"),
    "the digest rewritten": the_digest_rewritten,
    "not an array file": lambda path: path.write_bytes(b"\x00\x11\x22\x33" * 100),
    "truncated": lambda path: path.write_bytes(path.read_bytes()[:-5000]),
    "empty": lambda path: path.write_bytes(b""),
    "wrong dtype": lambda path: damage(path, "term_ids", lambda a: a.astype(np.float64)),
    "object array": lambda path: rewrite_manifest(path, lambda m: listed(m, "names").__setitem__(1, "|O")),
    "past the end": lambda path: rewrite_manifest(path, lambda m: listed(m, "term_counts").__setitem__(2, 10**9)),
    "pointer going back": lambda path: damage(path, "term_ptr", lambda a: np.r_[a[:1], a[2:3], a[1:2], a[3:]]),
    "pointer short": lambda path: damage(path, "words_ptr", lambda a: a[:-1]),
    "id out of range": lambda path: damage(path, "phrase_ids", lambda a: a + 10**6),
    "zero count": lambda path: damage(path, "term_counts", lambda a: a * 0),
    "by id out of range": lambda path: damage(path, "term_sorted_ids", lambda a: a + 10**6),
    "by id rows out of range": lambda path: damage(path, "phrase_sorted_rows", lambda a: a - 1),
    "by id zero count": lambda path: damage(path, "term_sorted_counts", lambda a: a * 0),
    "item out of range": lambda path: damage(path, "row_item", lambda a: a + 10**6),
    "sentence out of range": lambda path: damage(path, "item_start", lambda a: a + 10**6),
    "kind unknown": lambda path: damage(path, "item_kind", lambda a: a + 50),
    "array missing": lambda path: damage(path, "matchable", lambda a: None),
    "another generation's key": lambda path: damage(path, "key", lambda a: np.array(["0" * 64])),
}


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_a_damaged_joined_file_is_joined_again(data, tmp_path, monkeypatch, kind):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    path = store_path / FOLDER / joined.COMBINED
    DAMAGES[kind](path)
    reads = reads_of_plan_rows(monkeypatch)
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    assert reads  # joined again from the plans' rows ...
    reads.clear()
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    assert reads == []  # ... and kept


def test_a_missing_joined_file_is_joined_again(data, tmp_path, monkeypatch):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    (store_path / FOLDER / joined.COMBINED).unlink()
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    assert (store_path / FOLDER / joined.COMBINED).is_file()


def test_the_files_of_earlier_formats_are_deleted_when_the_rows_are_joined(data, tmp_path):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    folder = store_path / FOLDER
    (folder / joined.COMBINED).unlink()
    for name in ("combined.npz", "norms.npz"):  # an index kept by an earlier version: 250 MB at 1M
        (folder / name).write_bytes(b"PK\x03\x04 earlier")
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    assert (folder / joined.COMBINED).is_file()
    assert not (folder / "combined.npz").exists() and not (folder / "norms.npz").exists()


@pytest.mark.parametrize("build_first", [True, False])
def test_after_a_one_file_edit_the_rows_are_joined_again(data, tmp_path, monkeypatch, build_first):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    west = data / "plans" / "west.yaml"
    west.write_text(west.read_text(encoding="utf-8").replace("Train the staff", "Train the officers"), encoding="utf-8")
    if build_first:
        make_index(open_store(data, store_path))
    reads = reads_of_plan_rows(monkeypatch)
    for plan in ("north", "west"):
        assert as_json(suggest_links(open_store(data, store_path), plan, None, top=3)) == expected(data, plan)
    assert len(reads) == (0 if build_first else 1)  # joined once, by the build or by the first ranking


def test_the_first_ranking_after_an_edit_reads_the_joined_file_once(data, tmp_path, monkeypatch):
    """The delta made for the edit and the ranking after it read one base (it is not changed in between); a
    replaced file is read again."""
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    west = data / "plans" / "west.yaml"
    west.write_text(west.read_text(encoding="utf-8").replace("Train the staff", "Train the officers"), encoding="utf-8")
    opened = []
    real = joined.read_file

    def read_file(path, **options):
        opened.append(path.name)
        return real(path, **options)

    monkeypatch.setattr(joined, "read_file", read_file)
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    assert opened.count(joined.COMBINED) == 1 and joined.DELTA in opened
    opened.clear()
    folder = store_path / FOLDER
    size = RankStore(folder).connection.execute("SELECT MAX(id) FROM vocab").fetchone()[0]
    base = joined._read_base(folder, size)
    assert base is not None and opened == [joined.COMBINED]
    joined._keep(folder, size, base)
    assert joined._read_base(folder, size) is base and opened == [joined.COMBINED]  # kept once
    assert joined._read_base(folder, size) is not base and opened == [joined.COMBINED] * 2
    joined._keep(folder, size, base)
    copy = folder / "copy.arrays"
    copy.write_bytes((folder / joined.COMBINED).read_bytes())
    copy.replace(folder / joined.COMBINED)  # another file: read again
    assert joined._read_base(folder, size) is not base and opened == [joined.COMBINED] * 3


@pytest.mark.parametrize("plan", ["north", "south", "west"])
def test_a_changed_plan_patched_in_gives_the_arrays_joined_again(data, tmp_path, plan):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    folder = store_path / FOLDER
    rank = RankStore(folder)
    size = rank.connection.execute("SELECT MAX(id) FROM vocab").fetchone()[0]
    before = joined.Combined.load(folder, None, size)
    assert before is not None
    path = data / "plans" / f"{plan}.yaml"
    text = path.read_text(encoding="utf-8")
    # a sentence more, a word changed: the plan's rows, sentences and entries all move
    path.write_text(
        text.replace("text: ", "text: Support the custody officers with their training. ", 1), encoding="utf-8"
    )
    make_index(open_store(data, store_path))
    rank = RankStore(folder)
    size = rank.connection.execute("SELECT MAX(id) FROM vocab").fetchone()[0]
    after = joined.Combined.load(folder, None, size)
    assert after is not None
    entries = dict(zip(after["plans"].tolist(), after["entries"].tolist(), strict=True))
    changed = [
        name
        for name, entry in zip(before["plans"].tolist(), before["entries"].tolist(), strict=True)
        if entries[name] != entry
    ]
    assert changed == [plan]
    arrays, structures = rank.read(entries)
    again = joined.Combined.join(str(after["key"][0]), arrays, structures, entries)
    assert after.kept_rows is not None and after.posted_rows == len(before["row_item"])  # a delta on the base
    for kind in POSTED:
        assert postings(after, kind) == postings(again, kind), kind
    different = [
        name for name in joined._JOINED if "_sorted_" not in name and not np.array_equal(after[name], again[name])
    ]
    assert different in ([], ["names"])  # a name no longer used may stay in the patched list
    if different:
        assert set(again["names"].tolist()) <= set(after["names"].tolist())


def postings(arrays, kind):
    """Every (id, row, count) of a kind the entries by id give, the rows numbered as the rows in plan order: those
    of the base's rows kept moved to their places (``Combined.kept_rows``), the others' read in plan order."""
    ids, rows, counts = (arrays[f"{kind}_sorted_{part}"].tolist() for part in ("ids", "rows", "counts"))
    kept = arrays.kept_rows
    if kept is None:
        return sorted(zip(ids, rows, counts, strict=True))
    found, new_rows = [], set(range(len(arrays["row_item"])))
    for start, end, first in kept.tolist():
        new_rows -= set(range(first, first + end - start))
        found += [(i, r - start + first, c) for i, r, c in zip(ids, rows, counts, strict=True) if start <= r < end]
    ptr = arrays[f"{kind}_ptr"].tolist()
    for row in new_rows:
        for at in range(ptr[row], ptr[row + 1]):
            found.append((int(arrays[f"{kind}_ids"][at]), row, int(arrays[f"{kind}_counts"][at])))
    return sorted(found)
