"""A generation of the joined rows as a delta on the base (graph.suggest.delta): after a one-file edit only the
changed plans' rows are written (the base stays as it is), the arrays are those joined afresh, a damaged or
foreign delta is made again, and the suggestions stay those of the unindexed ranking."""

import numpy as np
import pytest

from crossplan.graph.stores.embedded import open_store
from crossplan.graph.suggest import arrayfile, delta, joined
from crossplan.graph.suggest.compact import RankStore
from crossplan.graph.suggest.corpus import make_index
from crossplan.graph.suggest.index import FOLDER
from crossplan.graph.suggest.similar import suggest_links

from .test_everywhere import add_reworded_copy, as_json
from .test_joined import expected, postings, reads_of_plan_rows


def edit(data, plan, old, new):
    path = data / "plans" / f"{plan}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


NEW_ITEM = """
  - id: {plan}9
    number: "9"
    text: Support the custody officers with their training on probation and housing.
"""


REMOVED = """  - id: n3
    number: "3"
    text: Improve school attendance for children on community orders.
    addressed-to: [education-department]

"""


def add_item(data, plan):
    path = data / "plans" / f"{plan}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("recommendations:\n", "recommendations:" + NEW_ITEM.format(plan=plan), 1))


def current(store_path):
    folder = store_path / FOLDER
    rank = RankStore(folder)
    size = rank.connection.execute("SELECT MAX(id) FROM vocab").fetchone()[0]
    found = joined.Combined.load(folder, None, size)
    assert found is not None
    entries = dict(zip(found["plans"].tolist(), found["entries"].tolist(), strict=True))
    arrays, structures = rank.read(entries)
    return found, joined.Combined.join(str(found["key"][0]), arrays, structures, entries)


def assert_joined_afresh(store_path):
    found, again = current(store_path)
    assert found.kept_rows is not None  # a delta on the base
    for kind in delta.POSTED:
        assert postings(found, kind) == postings(again, kind), kind
    for name in joined._JOINED:
        if "_sorted_" in name:  # the base's (above)
            continue
        if name == "names":  # a name no longer used may stay
            assert set(again[name].tolist()) <= set(found[name].tolist())
        elif name in ("item_parent", "item_workstream"):  # the same names (numbered as they came)
            named = [
                [arrays["names"][at] if at >= 0 else None for at in arrays[name].tolist()] for arrays in (found, again)
            ]
            assert named[0] == named[1], name
        else:
            assert np.array_equal(found[name], again[name]), name


def stamp(path):
    found = path.stat()
    return found.st_ino, found.st_mtime_ns, found.st_size


@pytest.mark.parametrize(
    "change",
    [
        lambda data: edit(data, "west", "Train the staff", "Train the officers"),  # the same rows
        lambda data: add_item(data, "north"),  # an item, a row and sentences more: what follows moves
        lambda data: edit(data, "north", REMOVED, ""),  # an item fewer: what follows moves back
        lambda data: (add_item(data, "west"), edit(data, "south", "text: ", "text: Support staff. ")),  # two plans
    ],
)
def test_an_edit_is_kept_as_a_delta_and_the_base_left_alone(data, tmp_path, change):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    folder = store_path / FOLDER
    base = stamp(folder / joined.COMBINED)
    change(data)
    make_index(open_store(data, store_path))
    assert stamp(folder / joined.COMBINED) == base
    kept, base_arrays = arrayfile.read_file(folder / joined.DELTA), arrayfile.read_file(folder / joined.COMBINED)
    for name in ("term_ids", "phrase_ids", "words_ids"):  # only the changed plans' entries
        assert 0 < len(kept.arrays[f"{name}.data"]) < len(base_arrays.arrays[name])
    assert "term_sorted_ids" not in kept.arrays
    assert_joined_afresh(store_path)
    for plan in ("north", "south", "west"):
        assert as_json(suggest_links(open_store(data, store_path), plan, None, top=3)) == expected(data, plan)


@pytest.mark.parametrize(
    "added", [("west", "The West", "accommodation"), ("aaa", "The First", "school"), ("zzz", "The Last", "staff")]
)
def test_a_plan_added_is_kept_as_a_delta(data, tmp_path, monkeypatch, added):
    store_path = tmp_path / "store"
    (data / "plans" / "west.yaml").unlink()  # the base: north and south
    make_index(open_store(data, store_path))
    base = stamp(store_path / FOLDER / joined.COMBINED)
    plan, title, word = added
    add_reworded_copy(data, "north", plan, ("The North", title), (word, "housing"))  # first, middle or last
    reads = reads_of_plan_rows(monkeypatch)
    make_index(open_store(data, store_path))
    assert reads == [1]  # the new plan's rows only
    assert stamp(store_path / FOLDER / joined.COMBINED) == base
    assert_joined_afresh(store_path)
    for name in ("north", plan):
        assert as_json(suggest_links(open_store(data, store_path), name, None, top=3)) == expected(data, name)


def test_a_second_edit_makes_the_delta_again_from_the_base(data, tmp_path, monkeypatch):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    base = stamp(store_path / FOLDER / joined.COMBINED)
    add_item(data, "north")
    make_index(open_store(data, store_path))
    edit(data, "south", "text: ", "text: Support staff. ")
    reads = reads_of_plan_rows(monkeypatch)
    make_index(open_store(data, store_path))
    assert reads == [2]  # both plans that differ from the base
    assert stamp(store_path / FOLDER / joined.COMBINED) == base
    assert_joined_afresh(store_path)
    assert as_json(suggest_links(open_store(data, store_path), "west", None, top=3)) == expected(data, "west")


def test_an_edit_undone_needs_no_delta(data, tmp_path):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    edit(data, "west", "Train the staff", "Train the officers")
    make_index(open_store(data, store_path))
    assert (store_path / FOLDER / joined.DELTA).is_file()
    edit(data, "west", "Train the officers", "Train the staff")
    make_index(open_store(data, store_path))
    assert not (store_path / FOLDER / joined.DELTA).exists()
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)


def rewrite_delta(path, change):
    found = arrayfile.read_file(path)
    arrays = {name: np.array(value) for name, value in found.arrays.items()}
    meta = dict(found.meta)
    change(arrays, meta)
    assert arrayfile.write_file(path, arrays, meta)


def flip_last_byte(path):
    raw = bytearray(path.read_bytes())
    at = len(raw.rstrip(b"\0")) - 1
    raw[at] ^= 0x01
    path.write_bytes(bytes(raw))


DELTA_DAMAGES = {
    "a byte flipped": flip_last_byte,
    "another base": lambda path: rewrite_delta(path, lambda a, meta: meta.__setitem__("base", "0" * 64)),
    "a piece past the end": lambda path: rewrite_delta(
        path, lambda a, meta: a.__setitem__("term_ids.pieces", a["term_ids.pieces"] + 10**6)
    ),
    "pieces going back": lambda path: rewrite_delta(
        path, lambda a, meta: a.__setitem__("row_item.pieces", a["row_item.pieces"].reshape(-1, 4)[::-1].reshape(-1))
    ),
    "an id out of range": lambda path: rewrite_delta(
        path, lambda a, meta: a.__setitem__("phrase_ids.data", a["phrase_ids.data"] + 10**6)
    ),
    "a part missing": lambda path: rewrite_delta(path, lambda a, meta: a.pop("row_item.pieces")),
    "not an array file": lambda path: path.write_bytes(b"\x01" * 50),
}


@pytest.mark.parametrize("kind", sorted(DELTA_DAMAGES))
def test_a_damaged_delta_is_made_again(data, tmp_path, monkeypatch, kind):
    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    add_item(data, "west")
    make_index(open_store(data, store_path))
    DELTA_DAMAGES[kind](store_path / FOLDER / joined.DELTA)
    reads = reads_of_plan_rows(monkeypatch)
    assert as_json(suggest_links(open_store(data, store_path), "north", None, top=3)) == expected(data)
    assert reads == [1]  # the changed plan's rows only: the base is sound
    reads.clear()
    assert as_json(suggest_links(open_store(data, store_path), "west", None, top=3)) == expected(data, "west")
    assert reads == []
    assert_joined_afresh(store_path)  # the base as kept: a delta that did not fit changed nothing for good


def test_a_delta_applied_to_arrays_it_does_not_fit_gives_none():
    base = {name: np.zeros(0, dtype=np.int32) for name in delta.SPLICED}
    assert delta.apply_delta(base, {}) is None
