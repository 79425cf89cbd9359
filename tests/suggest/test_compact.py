"""The rank rows of the index (graph.suggest.compact): data only, read back only in their own shape."""

import io
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from crossplan.graph.stores.embedded import open_store
from crossplan.graph.suggest.compact import (
    DATABASE,
    RANK_FORMAT,
    PlanArrays,
    RankStore,
    _detail,
    _structure,
    valid_record,
)
from crossplan.graph.suggest.corpus import make_index
from crossplan.graph.suggest.index import FOLDER

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"


@pytest.fixture
def rows(tmp_path):
    """The rank store of the north/south fixture, and its blobs and item lists by entry."""
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    make_index(open_store(data, tmp_path / "store"))
    folder = tmp_path / "store" / FOLDER
    with sqlite3.connect(folder / DATABASE) as connection:
        found = {
            entry: (blob, items) for entry, blob, items in connection.execute("SELECT entry, arrays, items FROM plans")
        }
    return RankStore(folder), found


def test_each_plan_has_a_row_read_back_as_written(rows):
    store, found = rows
    assert len(found) == 2  # north and south
    arrays, structures = store.read({f"plan{number}": entry for number, entry in enumerate(found)})
    assert set(arrays) == set(structures) == {"plan0", "plan1"}
    for plan, plan_arrays in arrays.items():
        items = structures[plan]
        kinds = [items[place][1] for place in plan_arrays["row_item"].tolist()]
        assert kinds and set(kinds) <= {"recommendation", "action", "workstream"}
        assert plan_arrays["term_ptr"][-1] == len(plan_arrays["term_ids"]) > 0
        names = store.names("terms")
        assert all(int(id_) in names for id_ in plan_arrays["term_ids"])


def _blob(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def test_an_array_of_another_shape_is_never_trusted(rows):
    store, found = rows
    blob, items = next(iter(found.values()))
    size = max(store.names("terms")) + 10_000
    count = len(_structure(items))
    good = np.load(io.BytesIO(blob), allow_pickle=False)
    assert PlanArrays.load(blob, size, count) is not None
    head = 3 + 15
    damaged = [
        b"not an array",
        _blob(good.astype(np.float64)),  # another type
        _blob(good[:-1]),  # cut short
        _blob(good.reshape(1, -1)),  # another shape
        _blob(np.concatenate([good, good[-1:]])),  # a value too many
    ]
    for position, value in ((0, 99), (1, count + 1), (head, -1)):  # format, items, a section's length
        changed = good.copy()
        changed[position] = value
        damaged.append(_blob(changed))
    ids = good.copy()
    ids[head + int(good[3]) + int(good[4]) + 1] = size + 1  # a term id out of the vocabulary
    damaged.append(_blob(ids))
    for blob in damaged:
        assert PlanArrays.load(blob, size, count) is None
    with pytest.raises(ValueError):
        np.load(io.BytesIO(_blob(np.array([{"code": 1}], dtype=object))), allow_pickle=False)


def test_an_item_list_of_another_shape_is_never_trusted():
    assert _structure('[["p/r1", "recommendation", null, null, 1, 0, 2]]') is not None
    for text in (
        "[1]",
        "{}",
        "nonsense",
        '[["p/r1", "planet", null, null, 1, 0, 2]]',
        '[["p/r1", "action", 3, null, 1, 0, 2]]',
    ):
        assert _structure(text) is None
    assert not valid_record({"text": "x"})


def test_an_item_row_of_another_shape_is_never_trusted():
    good = '["Label", "Text.", null, ["Text."], {"text": {"Text": 1}}]'
    assert _detail(good) == ("Label", "Text.", None, ["Text."], {"text": {"Text": 1}})
    assert _detail('["Label", null, "Title", null, null]') == ("Label", None, "Title", None, None)
    for text in (
        None,
        "nonsense",
        "{}",
        '{"label": "Label", "text": null, "title": null, "direct": [], "record": {}}',  # the earlier format's
        "[1, 2, 3, 4, 5]",
        '["Label", null, null, null]',  # a field short
        '["Label", 3, null, null, null]',
        '["Label", "Text.", null, ["Text."], null]',  # sentences without spellings
        '["Label", "Text.", null, "Text.", {}]',
        '["Label", "Text.", null, [1], {}]',
        '["Label", "Text.", null, ["Text."], {"text": ["Text", 1]}]',
        '["Label", "Text.", null, ["Text."], {"text": {"Text": "1"}}]',
        '["Label", "Text.", null, ["Text."], {"text": {"Text": true}}]',
        '["Label", "Text.", null, ["Text."], {"text": {"Text": 1.5}}]',
        "[" * 100_000 + "]" * 100_000,
    ):
        assert _detail(text) is None, text


def test_rows_of_an_earlier_format_are_made_again(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    make_index(open_store(data, tmp_path / "store"))
    database = tmp_path / "store" / FOLDER / DATABASE
    with sqlite3.connect(database) as connection:
        written = connection.execute("SELECT entry, item, data FROM items ORDER BY 1, 2").fetchall()
        connection.execute("UPDATE plans SET format = ?", (RANK_FORMAT - 1,))
        connection.execute("""UPDATE items SET data = '{"label": "", "text": null, "title": null, "record": {}}'""")
    assert RankStore(database.parent).entries() == set()
    make_index(open_store(data, tmp_path / "store"))
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT DISTINCT format FROM plans").fetchall() == [(RANK_FORMAT,)]
        assert connection.execute("SELECT entry, item, data FROM items ORDER BY 1, 2").fetchall() == written
    assert all(_detail(data) is not None for _, _, data in written)
    with sqlite3.connect(database) as connection:  # the rows of an entry no longer used, in an earlier format
        connection.execute("INSERT INTO plans VALUES ('gone', ?, X'00', '[]')", (RANK_FORMAT - 1,))
        connection.execute("INSERT INTO items VALUES ('gone', 'north/n1', '{}')")
    store = RankStore(database.parent)
    store.retire(store.entries())
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM plans WHERE entry = 'gone'").fetchone() == (0,)
        assert connection.execute("SELECT COUNT(*) FROM items WHERE entry = 'gone'").fetchone() == (0,)
        assert connection.execute("SELECT entry, item, data FROM items ORDER BY 1, 2").fetchall() == written


def test_item_rows_keep_the_entries_records_and_new_names_get_the_next_ids(tmp_path):
    import json

    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.suggest.compact import PlanRows
    from crossplan.graph.suggest.corpus import Corpus, _records
    from crossplan.graph.suggest.index import encode_record

    corpus = Corpus(memory_store(load_dataset(SUGGEST)))
    items = [item for item in corpus.items if item.startswith("north/")]
    plain = PlanRows(corpus, corpus.items[items[0]].plan, items)
    encoded = PlanRows(corpus, corpus.items[items[0]].plan, items)
    records = dict(_records(corpus, [(item, corpus.own_text(item)) for item in items if corpus.own_text(item)]))
    encoded.encoded = {item: encode_record(record) for item, record in records.items()}
    assert encoded.encoded
    for item in items:  # a row keeps the texts, and the sentences and spellings of the record
        made = json.loads(encoded.detail_json(item))
        assert made == json.loads(plain.detail_json(item))
        record = records.get(item)
        texts = [corpus.items[item].label, corpus.items[item].text, corpus.items[item].title]
        assert made == texts + ([record["sentences"], record["surface"]] if record else [None, None])
        assert _detail(encoded.detail_json(item)) == tuple(made)
    store = RankStore(tmp_path)
    first = store._ids(0, ["b", "a"])
    assert first == {"b": 1, "a": 2}
    other = RankStore(tmp_path)  # another process adds names: the first one's next ids follow them
    with other.connection:
        assert other._ids(0, ["c"]) == {"c": 3}
    assert store._ids(0, ["a", "d", "c"]) == {"a": 2, "d": 4, "c": 3}
    assert dict(sqlite3.connect(tmp_path / DATABASE).execute("SELECT name, id FROM vocab")) == {
        "b": 1,
        "a": 2,
        "c": 3,
        "d": 4,
    }


def test_rows_written_a_few_plans_to_a_transaction_are_those_written_one_by_one(tmp_path):
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.suggest.compact import PlanRows
    from crossplan.graph.suggest.corpus import Corpus

    corpus = Corpus(memory_store(load_dataset(SUGGEST)))
    plans: dict[str, list[str]] = {}
    for item_id, item in corpus.items.items():
        plans.setdefault(item.plan, []).append(item_id)
    assert len(plans) >= 2

    def tables(store: RankStore) -> list:
        connection = store.connection
        return [
            connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in ("vocab", "plans", "items")
        ]  # noqa: S608

    single, batched = RankStore(tmp_path / "single"), RankStore(tmp_path / "batched")
    for number, (plan, items) in enumerate(plans.items()):
        single.write(f"entry-{number}", PlanRows(corpus, plan, items))
    with batched.batch(plans=2):
        for number, (plan, items) in enumerate(plans.items()):
            batched.write(f"entry-{number}", PlanRows(corpus, plan, items))
            # another process sees the plans of the committed transactions only
            reader = sqlite3.connect(tmp_path / "batched" / DATABASE)
            seen = reader.execute("SELECT entry FROM plans").fetchall()
            reader.close()
            assert len(seen) == (number + 1) // 2 * 2
    assert tables(batched) == tables(single) and tables(single)[1]
    assert RankStore(tmp_path / "batched").entries() == {f"entry-{number}" for number in range(len(plans))}


def test_a_failed_write_in_a_batch_undoes_its_transaction_only(tmp_path):
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.suggest.compact import PlanRows
    from crossplan.graph.suggest.corpus import Corpus

    corpus = Corpus(memory_store(load_dataset(SUGGEST)))
    plan = next(iter(corpus.items.values())).plan
    items = [item_id for item_id, item in corpus.items.items() if item.plan == plan]
    store = RankStore(tmp_path)
    broken = PlanRows(corpus, plan, items)
    broken.blob = lambda _store: (_ for _ in ()).throw(sqlite3.OperationalError("disk full"))  # type: ignore[method-assign]
    with store.batch(plans=3):
        store.write("first", PlanRows(corpus, plan, items))
        store.write("second", PlanRows(corpus, plan, items))
        store.write("third", PlanRows(corpus, plan, items))  # the first transaction: committed
        store.write("fourth", PlanRows(corpus, plan, items))
        store.write("broken", broken)  # undoes "fourth" too
        store.write("fifth", PlanRows(corpus, plan, items))
    assert store.entries() == {"first", "second", "third", "fifth"}
    assert RankStore(tmp_path).entries() == {"first", "second", "third", "fifth"}
    assert not store.connection.in_transaction


def test_a_first_plan_looked_up_by_name_gets_the_ids_of_the_vocabulary_read_whole(tmp_path):
    from crossplan.graph.datafiles.loading import load_dataset
    from crossplan.graph.stores.embedded import memory_store
    from crossplan.graph.suggest.compact import PlanRows
    from crossplan.graph.suggest.corpus import Corpus

    corpus = Corpus(memory_store(load_dataset(SUGGEST)))
    plans: dict[str, list[str]] = {}
    for item_id, item in corpus.items.items():
        plans.setdefault(item.plan, []).append(item_id)
    (first, first_items), (last, last_items) = list(plans.items())[0], list(plans.items())[-1]
    assert first != last
    tables = []
    for name, read_whole in (("looked-up", False), ("read-whole", True)):
        RankStore(tmp_path / name).write("earlier", PlanRows(corpus, first, first_items))
        known = RankStore(tmp_path / name).connection.execute("SELECT COUNT(*) FROM vocab").fetchone()[0]
        store = RankStore(tmp_path / name)  # the next process: a one-file edit writes one plan, with new names
        if read_whole:
            store.vocabulary()
        store.write("edited", PlanRows(corpus, last, last_items))
        assert (store._vocab is None) is not read_whole  # the looked-up one never read the vocabulary whole
        store.write("again", PlanRows(corpus, first, first_items))  # a second plan: the vocabulary read whole
        connection = store.connection
        tables.append(
            [connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() for table in ("vocab", "plans")]  # noqa: S608
        )
        assert known < len(tables[-1][0])  # the edited plan brought new names
    assert tables[0] == tables[1]
