"""The rows' norms kept in the index folder (graph.suggest.norms): the very floats worked out afresh, read back only
for the generation and weights they were made from, made again when damaged or stale."""

import math
import shutil

import numpy as np
import pytest

from crossplan.graph.stores.embedded import open_store
from crossplan.graph.suggest import everywhere, norms
from crossplan.graph.suggest.corpus import make_index, vector

from .test_everywhere import SHIPPED, add_reworded_copy


@pytest.fixture
def indexed(tmp_path):
    """The shipped data indexed, and the HMIP plan's indexed corpus with the vectors' logs."""
    data = tmp_path / "data"
    shutil.copytree(SHIPPED, data)
    store = open_store(data, tmp_path / "store")
    make_index(store)
    corpus = everywhere.IndexedCorpus(store, "hmip-resettlement")
    largest = max(int(corpus.joined[name].max(initial=0)) for name in ("term_counts", "phrase_counts"))
    logs = np.array([0.0] + [1.0 + math.log(count) for count in range(1, largest + 1)])
    return corpus, logs


def fresh(corpus, logs):
    return {
        "term": norms.row_norms(corpus.joined, "term", logs, corpus.term_idf),
        "phrase": norms.row_norms(corpus.joined, "phrase", logs, corpus.phrase_weight),
    }


def same(found, expected):
    return set(found) == set(expected) and all(found[name].tobytes() == expected[name].tobytes() for name in expected)


def test_the_row_norms_are_those_of_the_vectors(indexed):
    """Each row's term norm is the norm of the values ``vector`` makes for it (summed in another order)."""
    corpus, logs = indexed
    joined = corpus.joined
    found = norms.row_norms(joined, "term", logs, corpus.term_idf)
    weights = {str(id_): float(corpus.term_idf[id_]) for id_ in range(len(corpus.term_idf)) if corpus.term_idf[id_]}
    ptr, ids, counts = joined["term_ptr"], joined["term_ids"], joined["term_counts"]
    rows = len(joined["row_item"])
    assert rows > 50 and len(found) == rows
    for row in range(rows):
        start, end = ptr[row], ptr[row + 1]
        raw = {str(i): int(c) for i, c in zip(ids[start:end], counts[start:end], strict=True)}
        squares = [(1.0 + math.log(count)) * weights.get(term, 0.0) for term, count in raw.items()]
        expected = math.sqrt(math.fsum(value * value for value in squares))
        assert found[row] == pytest.approx(expected, rel=1e-12, abs=0.0)
        assert (found[row] > 0.0) == bool(vector(raw, weights))


def test_the_norms_are_kept_and_read_back_the_same(indexed, monkeypatch):
    corpus, logs = indexed
    expected = fresh(corpus, logs)
    assert same(norms.kept_norms(corpus, logs), expected)
    assert (corpus.folder / norms.NORMS).exists()

    def not_again(*args):
        raise AssertionError("worked out again")

    monkeypatch.setattr(norms, "row_norms", not_again)
    assert same(norms.kept_norms(corpus, logs), expected)


@pytest.mark.parametrize("change", ["damaged", "other generation", "negative"])
def test_stale_or_damaged_norms_are_worked_out_again(indexed, change, monkeypatch):
    corpus, logs = indexed
    expected = fresh(corpus, logs)
    norms.kept_norms(corpus, logs)
    path = corpus.folder / norms.NORMS
    if change == "damaged":
        raw = bytearray(path.read_bytes())
        raw[4096 + 3] ^= 0xFF  # in the first array's bytes (at the first page boundary after the manifest)
        path.write_bytes(bytes(raw))
        assert norms.read_file(path) is None
    elif change == "negative":  # a file written right but holding what no norm is
        bad = {name: -values for name, values in expected.items()}
        found = norms.read_file(path)
        assert found is not None
        assert norms.write_file(path, bad, dict(found.meta))
    else:
        corpus.joined.arrays["key"] = np.array(["another generation"])
    calls = []
    real = norms.row_norms
    monkeypatch.setattr(norms, "row_norms", lambda *args: calls.append(args[1]) or real(*args))
    assert same(norms.kept_norms(corpus, logs), expected)
    assert sorted(calls) == ["phrase", "term"]
    calls.clear()
    assert same(norms.kept_norms(corpus, logs), expected)  # kept again, for what they are now
    assert calls == []


@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_norms_kept_for_other_weights_are_scaled_to_at_most_the_true_ones(indexed, monkeypatch, scale):
    """The same rows with a term's weight changed: a norm is never above the one worked out afresh (what the bounds
    need), the rows without that term keep theirs, and nothing is worked out again."""
    corpus, logs = indexed
    before = fresh(corpus, logs)
    norms.kept_norms(corpus, logs)
    term = int(np.nonzero(corpus.term_idf)[0][0])
    corpus.term_idf = corpus.term_idf.copy()
    corpus.term_idf[term] *= scale
    expected = fresh(corpus, logs)
    worked = recording(monkeypatch)
    found = norms.kept_norms(corpus, logs)
    assert all(len(chosen[0]) == 0 for chosen in worked)
    joined = corpus.joined
    having = np.zeros(len(joined["row_item"]), dtype=bool)
    having[np.repeat(np.arange(len(having)), np.diff(joined["term_ptr"]))[joined["term_ids"] == term]] = True
    assert having.any() and not having.all()
    assert np.all(found["term"] <= expected["term"] * (1 + 1e-12))
    assert np.array_equal(found["term"][~having], before["term"][~having])
    if scale < 1:  # the rows having it scaled by half: at most their norms now
        assert np.array_equal(found["term"][having], before["term"][having] * 0.5)
    else:  # a weight that grew: the norms kept, below the true ones
        assert np.array_equal(found["term"], before["term"])
        assert np.all(found["term"][having] < expected["term"][having])
    assert same({"phrase": found["phrase"]}, {"phrase": before["phrase"]})


def test_norms_not_kept_when_the_folder_cannot_be_written(indexed, monkeypatch):
    corpus, logs = indexed
    monkeypatch.setattr(norms, "write_file", lambda *args: False)
    assert same(norms.kept_norms(corpus, logs), fresh(corpus, logs))
    assert not (corpus.folder / norms.NORMS).exists()


@pytest.fixture
def plans(data, tmp_path):
    """Five plans (the north/south fixture and three reworded copies of north), indexed, and north's corpus."""
    for plan, title, word in (("east", "The East", "schooling"), ("centre", "The Centre", "training")):
        add_reworded_copy(data, "north", plan, ("The North", title), ("accommodation", word))
    store = open_store(data, tmp_path / "store")
    make_index(store)
    return data, everywhere.IndexedCorpus(store, "north")


LOGS = np.array([0.0] + [1.0 + math.log(count) for count in range(1, 60)])


def edit_west(data, tmp_path, old, new):
    """North's indexed corpus after a one-file edit of west (a delta on the base)."""
    path = data / "plans" / "west.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    store = open_store(data, tmp_path / "store")
    make_index(store)
    edited = everywhere.IndexedCorpus(store, "north")
    assert edited.joined.kept_rows is not None  # a delta on the base
    return edited


def recording(monkeypatch):
    """The rows ``row_norms`` is asked for, call by call (() for every row)."""
    worked = []
    real = norms.row_norms
    monkeypatch.setattr(norms, "row_norms", lambda *args: worked.append(args[4:]) or real(*args))
    return worked


@pytest.mark.parametrize(
    ("old", "new", "some"),
    [
        ("Train the staff", "Train the officers", True),  # the same texts
        ("text: ", "text: Support staff. ", True),  # a sentence more
        ("recommendations:\n", "recommendations:\n  - id: west9\n    number: '9'\n    text: Extra work.\n", False),
    ],
)
def test_after_an_edit_the_norms_kept_are_scaled_and_the_new_rows_worked_out(
    plans, tmp_path, monkeypatch, old, new, some
):
    """The norms of the generation after a one-file edit come from those kept for the base: the new rows' worked
    out (the same floats as afresh), the others' at most the norms worked out afresh and close to them (scaled by
    how much their terms' weights shrank); all worked out when an item more moves every weight."""
    data, corpus = plans
    norms.kept_norms(corpus, LOGS)
    edited = edit_west(data, tmp_path, old, new)
    assert edited.joined.key != corpus.joined.key
    expected = fresh(edited, LOGS)
    worked = recording(monkeypatch)
    found = norms.kept_norms(edited, LOGS)
    rows = len(edited.joined["row_item"])
    new_rows = set(range(rows))
    for start, end, first in edited.joined.kept_rows.tolist():
        new_rows -= set(range(first, first + end - start))
    if some:
        assert len(worked) == 2 and all(new_rows <= set(chosen[0].tolist()) for chosen in worked)
        assert all(len(chosen[0]) < rows // 2 for chosen in worked)
        for kind in norms.KINDS:
            assert np.all(found[kind] <= expected[kind] * (1 + 1e-12))  # never above: the bounds stay bounds
            assert np.all(found[kind] >= expected[kind] * 0.9)
            assert found[kind][sorted(new_rows)].tobytes() == expected[kind][sorted(new_rows)].tobytes()
        assert np.any(found["term"] < expected["term"])  # some scaled: the edit shrank a term's weight
    else:
        assert worked == [(), ()] and same(found, expected)
    worked.clear()
    assert same(norms.kept_norms(edited, LOGS), found) and worked == []  # kept for this generation


def test_norms_scaled_too_many_times_over_are_worked_out_again(plans, tmp_path, monkeypatch):
    data, corpus = plans
    monkeypatch.setattr(norms, "_MOST_STEPS", 1)
    norms.kept_norms(corpus, LOGS)
    worked = recording(monkeypatch)
    norms.kept_norms(edit_west(data, tmp_path, "Train the staff", "Train the officers"), LOGS)
    assert len(worked) == 2 and all(chosen for chosen in worked)  # scaled once
    worked.clear()
    edited = edit_west(data, tmp_path, "Train the officers", "Train the people")
    assert same(norms.kept_norms(edited, LOGS), fresh(edited, LOGS))  # not twice: worked out afresh
    assert worked[:2] == [(), ()]


def rewrite_norms(path, change):
    found = norms.read_file(path)
    assert found is not None
    arrays = {name: np.array(values) for name, values in found.arrays.items()}
    meta = dict(found.meta)
    change(arrays, meta)
    assert norms.write_file(path, arrays, meta)


NORMS_DAMAGES = {
    "rows past the end": lambda a, meta: a.__setitem__("kept_rows", a["kept_rows"] + 10**6),
    "rows not int64": lambda a, meta: a.__setitem__("kept_rows", a["kept_rows"].astype(np.int32)),
    "rows not in threes": lambda a, meta: a.__setitem__("kept_rows", a["kept_rows"][:-1]),
    "other logs": lambda a, meta: a.__setitem__("logs", a["logs"] * 2.0),
    "steps not a number": lambda a, meta: meta.__setitem__("steps", "many"),
    "steps negative": lambda a, meta: meta.__setitem__("steps", -1),
    "term and phrase of other lengths": lambda a, meta: a.__setitem__("phrase", a["phrase"][:-1]),
}


@pytest.mark.parametrize("damage", sorted(NORMS_DAMAGES))
def test_norms_kept_that_do_not_fit_are_worked_out_afresh_after_an_edit(plans, tmp_path, damage):
    """A norms file written right but not fitting the rows it names (or of other logs, or steps) is not scaled:
    the norms after the edit are those worked out afresh."""
    data, corpus = plans
    norms.kept_norms(corpus, LOGS)
    rewrite_norms(corpus.folder / norms.NORMS, NORMS_DAMAGES[damage])
    edited = edit_west(data, tmp_path, "Train the staff", "Train the officers")
    assert same(norms.kept_norms(edited, LOGS), fresh(edited, LOGS))
