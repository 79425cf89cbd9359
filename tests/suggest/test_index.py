"""The text index of ``suggest`` (graph.suggest.index): kept beside the store, type-checked, and ranking exactly as
tokenising afresh does."""

import json
import os
import shutil
from pathlib import Path

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.stores.embedded import memory_store, open_store
from crossplan.graph.suggest.corpus import Corpus, make_index
from crossplan.graph.suggest.index import FOLDER, read_entry, write_entry
from crossplan.graph.suggest.similar import suggest_links

SHIPPED = Path(__file__).parents[2] / "data"
SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"


def ranked(store, from_plan, to_plan):
    return [s.to_json() for s in suggest_links(store, from_plan, to_plan, top=3, min_score=0.05)]


def entries(store_path: Path) -> dict[str, bytes]:
    """Each plan's tokens (``<key>.json``) and counts (``<key>.stats.json``) as written."""
    return {path.name: path.read_bytes() for path in sorted((store_path / FOLDER).glob("*.json"))}


def tokens(store_path: Path) -> list[Path]:
    return [path for path in sorted((store_path / FOLDER).glob("*.json")) if not path.name.endswith(".stats.json")]


def test_the_index_ranks_the_shipped_data_as_tokenising_afresh_does(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    unindexed = ranked(memory_store(load_dataset(data)), "hmip-resettlement", "yj-blueprint")
    assert unindexed
    first = ranked(open_store(data, tmp_path / "store"), "hmip-resettlement", "yj-blueprint")  # writes the index
    written = entries(tmp_path / "store")
    assert len(written) == 4  # tokens and counts, per plan
    assert len(tokens(tmp_path / "store")) == 2
    again = ranked(open_store(data, tmp_path / "store"), "hmip-resettlement", "yj-blueprint")  # reads it
    assert first == unindexed
    assert again == unindexed
    assert entries(tmp_path / "store") == written


def test_a_one_file_edit_writes_that_plans_entry_only(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    ranked(open_store(data, tmp_path / "store"), "north", "south")
    before = entries(tmp_path / "store")
    plan = next((data / "plans").glob("north*.yaml"))
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    after_edit = ranked(open_store(data, tmp_path / "store"), "north", "south")
    after = entries(tmp_path / "store")
    assert len(set(after) - set(before)) == 2  # north's new tokens and counts; south's are read as they were
    assert after_edit == ranked(memory_store(load_dataset(data)), "north", "south")


def test_a_one_text_edit_tokenises_that_text_only_and_makes_the_entry_a_fresh_index_makes(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    monkeypatch.chdir(tmp_path)  # a store named relative to the working directory
    make_index(open_store(data, "store"))
    plan = data / "plans" / "hmip-resettlement.yaml"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace("central payment of accommodation", "central payment of housing", 1),
        encoding="utf-8",
    )
    tokenised = []
    real = Corpus._tokenise
    monkeypatch.setattr(Corpus, "_tokenise", lambda self, item, text: tokenised.append(text) or real(self, item, text))
    make_index(open_store(data, "store"))
    assert len(tokenised) == 1 and "central payment of housing" in tokenised[0]
    monkeypatch.undo()
    afresh = tmp_path / "afresh"
    make_index(open_store(data, afresh))
    assert entries(tmp_path / "store") == entries(afresh)  # the same bytes as tokenising every text
    # tokens made with other entity names are not reused
    damaged = tokens(tmp_path / "store")
    for path in damaged:
        content = json.loads(path.read_text(encoding="utf-8"))
        assert content["tokens"]
        content["tokens"] = "other"
        path.write_text(json.dumps(content), encoding="utf-8")
    plan.write_text(plan.read_text(encoding="utf-8").replace("payment of housing", "payment of homes", 1), "utf-8")
    monkeypatch.setattr(Corpus, "_tokenise", lambda self, item, text: tokenised.append(text) or real(self, item, text))
    tokenised.clear()
    make_index(open_store(data, tmp_path / "store"))
    assert len(tokenised) > 1


def test_a_damaged_or_mistyped_entry_is_made_again(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    expected = ranked(open_store(data, tmp_path / "store"), "north", "south")
    paths = tokens(tmp_path / "store")
    paths[0].write_text("{not json", encoding="utf-8")
    content = json.loads(paths[1].read_text(encoding="utf-8"))
    record = next(iter(content["items"].values()))
    record["sentence_terms"] = [{"term": "1"}] * len(record["sentences"])  # a count that is not a number
    paths[1].write_text(json.dumps(content), encoding="utf-8")
    assert read_entry(paths[0]) is None
    assert read_entry(paths[1]) is None
    assert ranked(open_store(data, tmp_path / "store"), "north", "south") == expected
    assert all(read_entry(path) is not None for path in paths)  # both written again


def test_an_entry_is_read_back_only_in_its_own_shape(tmp_path):
    record = {
        "text": "Provide housing.",
        "sentences": ["Provide housing."],
        "terms": {"provide": 1, "housing": 1, "provide housing": 1},
        "sentence_terms": [{"provide": 1, "housing": 1, "provide housing": 1}],
        "phrases": ["provide housing"],
        "entities": [],
        "surface": {"provide": {"provide": 1}, "housing": {"housing": 1}},
    }
    path = tmp_path / "entry.json"
    write_entry(path, {"p/r1": record})
    assert read_entry(path) == {"p/r1": record}
    for damage in (
        {**record, "extra": 1},
        {**record, "phrases": "provide housing"},
        {**record, "sentence_terms": []},  # one per sentence
        {**record, "surface": {"provide": {"provide": True}}},
    ):
        write_entry(path, {"p/r1": damage})
        assert read_entry(path) is None
    path.write_text(json.dumps({"format": 0, "items": {"p/r1": record}}), encoding="utf-8")
    assert read_entry(path) is None


def test_without_a_target_plan_every_other_plan_is_ranked(tmp_path):
    store = memory_store(load_dataset(SHIPPED))
    everywhere = suggest_links(store, "hmip-resettlement", None, top=3, min_score=0.05)
    # the shipped data has two plans: ranking across every other plan is ranking against the one other plan
    assert [s.to_json() for s in everywhere] == ranked(store, "hmip-resettlement", "yj-blueprint")
    assert everywhere and {s.target_plan for s in everywhere} == {"yj-blueprint"}


def test_a_pair_of_three_plans_reads_the_pair_and_the_sums_of_the_others(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    north = (data / "plans" / "north.yaml").read_text(encoding="utf-8")
    west = data / "plans" / "west.yaml"
    west.write_text(north.replace("id: north", "id: west").replace("The North", "The West"), encoding="utf-8")

    def unindexed():
        return ranked(memory_store(load_dataset(data)), "north", "south")

    store_path = tmp_path / "store"
    assert ranked(open_store(data, store_path), "north", "south") == unindexed()  # every plan read: the index made
    assert ranked(open_store(data, store_path), "north", "south") == unindexed()  # the pair read, west's counts summed
    assert (store_path / FOLDER / "stats.sqlite").is_file()
    assert {item.plan for item in Corpus(open_store(data, store_path), {"north", "south"}).items.values()} == {
        "north",
        "south",
    }
    west.write_text(west.read_text(encoding="utf-8").replace("accommodation", "housing"), encoding="utf-8")
    assert ranked(open_store(data, store_path), "north", "south") == unindexed()  # west's counts replaced
    west.unlink()
    assert ranked(open_store(data, store_path), "north", "south") == unindexed()  # and taken out
    assert len(tokens(store_path)) == 2  # the entries of earlier contents are deleted once out of the sums


def test_the_build_makes_every_plans_entry_and_suggest_then_only_reads(tmp_path, invoke):
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    store_path = tmp_path / "store"
    assert invoke("--data", data, "--store", store_path, "build").exit_code == 0
    built = entries(store_path)
    assert len(tokens(store_path)) == 2 and (store_path / FOLDER / "stats.sqlite").is_file()  # north and south
    for from_plan, to_plan in (("north", None), ("north", "south")):
        found = [s.to_json() for s in suggest_links(open_store(data, store_path), from_plan, to_plan, min_score=0.05)]
        assert found == [
            s.to_json() for s in suggest_links(memory_store(load_dataset(data)), from_plan, to_plan, min_score=0.05)
        ]
    assert entries(store_path) == built  # nothing tokenised again
    plan = data / "plans" / "south.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("accommodation", "housing"), encoding="utf-8")
    assert invoke("--data", data, "--store", store_path, "build").exit_code == 0
    rebuilt = entries(store_path)  # a one-file rebuild re-makes that plan's entry (``update_index``) ...
    assert len(set(rebuilt) - set(built)) == 2  # south's new tokens and counts, north's kept
    assert ranked(open_store(data, store_path), "north", "south") == ranked(
        memory_store(load_dataset(data)), "north", "south"
    )
    assert entries(store_path) == rebuilt  # ... so that the next suggest only reads
    assert ranked(open_store(data, store_path), "north", "south") == ranked(
        memory_store(load_dataset(data)), "north", "south"
    )
    assert entries(store_path) == rebuilt


def test_a_build_of_a_store_made_without_the_index_makes_it_and_an_up_to_date_build_leaves_it(tmp_path, invoke):
    data = tmp_path / "data"
    shutil.copytree(SUGGEST, data)
    store_path = tmp_path / "store"
    assert invoke("--data", data, "--store", store_path, "show", "north").exit_code == 0  # built by a question
    assert not (store_path / FOLDER).exists()
    result = invoke("--data", data, "--store", store_path, "build")
    assert result.exit_code == 0 and "up to date" in result.output
    built = entries(store_path)
    assert len(tokens(store_path)) == 2  # made although no file changed
    assert invoke("--data", data, "--store", store_path, "build").exit_code == 0
    assert entries(store_path) == built


def test_texts_tokenised_in_worker_processes_are_those_tokenised_here(tmp_path, monkeypatch):
    from crossplan.graph.suggest import corpus as corpus_module

    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    corpus_module.make_index(open_store(data, tmp_path / "here"))
    monkeypatch.setattr(corpus_module, "_PARALLEL_TEXTS", 1)
    parent, real = os.getpid(), corpus_module._records

    def in_a_worker(*args):
        assert os.getpid() != parent, "tokenised here, not in a worker process"
        return real(*args)

    monkeypatch.setattr(corpus_module, "_records", in_a_worker)  # the workers are forked: they see this too
    corpus_module.make_index(open_store(data, tmp_path / "workers"))
    here, workers = entries(tmp_path / "here"), entries(tmp_path / "workers")
    assert len(here) == 4 and here == workers
    # the rank rows and the sums the same too: the workers' JSON, decoded, is what was tokenised
    assert rows_and_sums(tmp_path / "here") == rows_and_sums(tmp_path / "workers")
    assert rows_and_sums(tmp_path / "here")["items"]


def rows_and_sums(store_path: Path) -> dict[str, list]:
    """Every row of ``rank.sqlite`` and ``stats.sqlite`` (entries and blobs as written)."""
    import sqlite3

    out: dict[str, list] = {}
    for database, tables in (
        ("rank.sqlite", ("vocab", "plans", "items")),
        ("stats.sqlite", ("terms", "phrases", "entities", "totals", "plans")),
    ):
        connection = sqlite3.connect(store_path / FOLDER / database)
        for table in tables:
            out[table] = connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
        connection.close()
    return out
