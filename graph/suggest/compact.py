"""What ranking across every plan needs of each plan, kept as arrays beside the store: ``suggest/rank.sqlite``.

``suggest FROM`` (no TO) compares FROM's items with every item of every other plan. Reading every plan's tokens and
gathering every item's vectors costs tens of seconds at a million triples, while most targets cannot come near the
best ones. So each plan's entry of the index (``suggest.index``) has a row here, written when the entry is: per plan
item that links are suggested for (a row), its family's term and phrase counts, its entities (with the bodies they
are part of) and its sentences' term counts, as integer arrays over ids of a shared vocabulary; and, per plan item,
its place in the plan (type, parent, workstream, position) and, fetched only for the items actually scored, its
texts, sentences and spellings (what explaining a suggestion reads). The weights (IDF) are applied when ranking, from
the index's sums, since they change whenever any plan does.

Everything is data: one ``.npy`` blob per plan (read with ``allow_pickle=False``, every section's length, order and
range checked) and JSON, in SQLite. A row that is missing or fails a check is as if the plan had no entry: it is made
again from the store.
"""

from __future__ import annotations

import array
import contextlib
import io
import json
import sqlite3
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..model.nodes import NodeType

DATABASE = "rank.sqlite"
RANK_FORMAT = 3  # 3: an item's texts are one JSON array (``Detail``)
ROW_TYPES = (NodeType.RECOMMENDATION, NodeType.ACTION, NodeType.WORKSTREAM)
_KINDS = {"terms": 0, "phrases": 1, "entities": 2}
_LOOKED_UP = 20_000  # at most this many names of a kind are looked up by name rather than the vocabulary read whole
# the sections of a plan's blob, in order; each is preceded by its length in the header
_SECTIONS = (
    "row_item",  # per row, the index of its item in the plan's item list
    "term_ptr",
    "term_ids",
    "term_counts",
    "phrase_ptr",
    "phrase_ids",
    "phrase_counts",
    "entity_ptr",
    "entity_ids",
    "sentence_ptr",  # per row, its sentences: a range of ``row_sentences``
    "row_sentences",  # indexes into the plan's sentences
    "words_ptr",  # per sentence, its terms: a range of ``words_ids`` / ``words_counts``
    "words_ids",
    "words_counts",
    "matchable",  # per sentence, 1 when it has enough words to be matched
)


class RankStore:
    """The rank rows of a store's index entries (one SQLite file in the index folder)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(folder / DATABASE, timeout=60, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        with self.connection as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS vocab (id INTEGER PRIMARY KEY, kind INTEGER, name TEXT, UNIQUE (kind, name))"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS plans (entry TEXT PRIMARY KEY, format INTEGER, arrays BLOB, items TEXT)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS items (entry TEXT, item TEXT, data TEXT, PRIMARY KEY (entry, item))"
            )
            connection.execute("COMMIT")
        self._vocab: dict[int, dict[str, int]] | None = None
        self._top = 0  # the largest id in ``_vocab``
        self._batch, self._pending = 1, 0  # plans to a transaction (``batch``), and written in the open one
        self._first = True  # no plan written yet: the first (a one-file edit's) looks its names up (``_looked_up``)

    def entries(self) -> set[str]:
        return {row[0] for row in self.connection.execute("SELECT entry FROM plans WHERE format = ?", (RANK_FORMAT,))}

    def vocabulary(self) -> dict[int, dict[str, int]]:
        """The vocabulary as this process knows it: kind -> name -> id."""
        if self._vocab is None:
            self._vocab, self._top = {kind: {} for kind in _KINDS.values()}, 0
            self._catch_up()
        assert self._vocab is not None
        return self._vocab

    def _catch_up(self) -> None:
        """Add to the cached vocabulary the names other processes added since it was read (ids only grow)."""
        assert self._vocab is not None
        for id_, kind, name in self.connection.execute("SELECT id, kind, name FROM vocab WHERE id > ?", (self._top,)):
            self._vocab.setdefault(kind, {})[name] = id_
            self._top = max(self._top, id_)

    def _ids(self, kind: int, names: list[str]) -> dict[str, int]:
        """Ids of names, new names added to the vocabulary (run inside a write transaction)."""
        vocab = self._known(kind, names)
        return {name: vocab[name] for name in names}

    def _known(self, kind: int, names: list[str]) -> dict[str, int]:
        """The vocabulary of a kind (name -> id), new names added first (run inside a write transaction). Ids are never reused or changed, so the cache of a process stays right while other
        processes add names. A new name's id is the next after the largest (what SQLite gives an inserted row
        without one)."""
        if self._vocab is None and self._first and len(names) <= _LOOKED_UP:
            return self._looked_up(kind, names)
        vocab = self.vocabulary()[kind]
        new = [name for name in names if name not in vocab]
        if new:
            self._catch_up()
            vocab = self.vocabulary()[kind]
            new = [name for name in new if name not in vocab]
            rows = [(self._top + number, kind, name) for number, name in enumerate(new, 1)]
            self.connection.executemany("INSERT INTO vocab (id, kind, name) VALUES (?, ?, ?)", rows)
            vocab.update((name, id_) for id_, _, name in rows)
            self._top += len(rows)
        return vocab

    def _looked_up(self, kind: int, names: list[str]) -> dict[str, int]:
        """``_known`` for the first plan's names before the vocabulary is read: only theirs are looked up
        (by the ``UNIQUE (kind, name)`` index), new ones given the ids ``_known`` gives them (sorted ``names``: the
        next after the largest, in order), without reading the whole vocabulary."""
        found: dict[str, int] = {}
        for start in range(0, len(names), 500):
            chunk = names[start : start + 500]
            query = f"SELECT name, id FROM vocab WHERE kind = ? AND name IN ({','.join('?' * len(chunk))})"  # noqa: S608
            found.update(self.connection.execute(query, (kind, *chunk)))
        new = [name for name in names if name not in found]
        if new:
            top = self.largest_id()
            rows = [(top + number, kind, name) for number, name in enumerate(new, 1)]
            self.connection.executemany("INSERT INTO vocab (id, kind, name) VALUES (?, ?, ?)", rows)
            found.update((name, id_) for id_, _, name in rows)
        return found

    @contextlib.contextmanager
    def batch(self, plans: int = 32) -> Iterator[None]:
        """Write the plans' rows a few plans to a transaction (a whole index at once: fewer commits and WAL
        checkpoints); a failed write undoes its transaction's plans, whose rows are then made again next time."""
        self._batch = plans
        try:
            yield
        finally:
            self._batch = 1
            if self.connection.in_transaction:
                self._end("COMMIT")

    def write(self, entry: str, plan_rows: PlanRows) -> None:
        """Write one plan's rows (replacing any of the same entry)."""
        connection = self.connection
        try:
            if not connection.in_transaction:
                connection.execute("BEGIN IMMEDIATE")
                self._pending = 0
            blob = plan_rows.blob(self)
            self._first = False  # more plans: the vocabulary is read whole once
            connection.execute(
                "INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?)",
                (entry, RANK_FORMAT, blob, json.dumps(plan_rows.structure, ensure_ascii=False)),
            )
            connection.execute("DELETE FROM items WHERE entry = ?", (entry,))
            connection.executemany(
                "INSERT INTO items VALUES (?, ?, ?)",
                [(entry, item, plan_rows.detail_json(item)) for item in plan_rows.details],
            )
            self._pending += 1
            if self._pending >= self._batch:
                connection.execute("COMMIT")
        except sqlite3.Error:  # a read-only cache, a full disk: the plan is made again next time
            self._end("ROLLBACK")

    def _end(self, how: str) -> None:
        """Commit or undo the open transaction; the ids given in an undone one are not kept."""
        try:
            self.connection.execute(how)
        except sqlite3.Error:
            how = "ROLLBACK"
            if self.connection.in_transaction:
                try:
                    self.connection.execute(how)
                except sqlite3.Error:
                    pass
        if how == "ROLLBACK":
            self._vocab = None

    def retire(self, keep: set[str]) -> None:
        """Delete the rows of entries no longer in use (of any format)."""
        try:
            with self.connection as connection:
                stale = {row[0] for row in connection.execute("SELECT entry FROM plans")} - keep
                for entry in stale:
                    connection.execute("DELETE FROM plans WHERE entry = ?", (entry,))
                    connection.execute("DELETE FROM items WHERE entry = ?", (entry,))
        except sqlite3.Error:
            pass

    def read(self, entries: dict[str, str]) -> tuple[dict[str, PlanArrays], dict[str, list]]:
        """Read the rows of some entries (plan -> entry): each plan's arrays and item structure, checked; a plan
        whose row is missing or fails a check is left out."""
        arrays: dict[str, PlanArrays] = {}
        structures: dict[str, list] = {}
        by_entry = {entry: plan for plan, entry in entries.items()}
        keys = sorted(by_entry)
        size = self.largest_id()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT entry, format, arrays, items FROM plans WHERE entry IN ({marks})"  # noqa: S608
            for entry, format_, blob, items in self.connection.execute(query, chunk):
                if format_ != RANK_FORMAT:
                    continue
                structure = _structure(items)
                found = PlanArrays.load(blob, size, len(structure)) if structure is not None else None
                if found is not None and all(item[5] + item[6] <= found.sentences for item in structure or ()):
                    arrays[by_entry[entry]] = found
                    structures[by_entry[entry]] = structure  # type: ignore[assignment]
        return arrays, structures

    def details(self, entries: dict[str, str], items: list[tuple[str, str]]) -> dict[str, Detail]:
        """Each item's texts, sentences and spellings (items as (plan, item id)); unreadable ones left out."""
        out: dict[str, Detail] = {}
        by_entry: dict[str, list[str]] = {}
        for plan, item in items:
            if plan in entries:
                by_entry.setdefault(entries[plan], []).append(item)
        for entry, names in by_entry.items():
            for start in range(0, len(names), 500):
                chunk = names[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT item, data FROM items WHERE entry = ? AND item IN ({marks})"  # noqa: S608 - only marks
                for item, data in self.connection.execute(query, (entry, *chunk)):
                    found = _detail(data)
                    if found is not None:
                        out[item] = found
        return out

    def names(self, kind: str) -> dict[int, str]:
        """The vocabulary of one kind (id -> name)."""
        query = "SELECT id, name FROM vocab WHERE kind = ?"
        return dict(self.connection.execute(query, (_KINDS[kind],)))

    def largest_id(self) -> int:
        """The largest id of the vocabulary (0: none)."""
        found = self.connection.execute("SELECT MAX(id) FROM vocab").fetchone()[0]
        return found if type(found) is int else 0


def _structure(text: Any) -> list | None:
    """A plan's item list as written: [id, type, parent, workstream, position, first sentence, sentences] per item
    (-1, -1 for an item without text), checked."""
    try:
        items = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None
    types = {kind.value for kind in NodeType}
    if not isinstance(items, list):
        return None
    for item in items:
        if not (
            isinstance(item, list)
            and len(item) == 7
            and isinstance(item[0], str)
            and item[1] in types
            and all(value is None or isinstance(value, str) for value in item[2:4])
            and all(type(value) is int for value in item[4:])
            and item[5] >= -1
            and item[6] >= -1
        ):
            return None
    return items


class Detail(NamedTuple):
    """What explaining a suggestion reads of an item: its texts and, when it has text, its sentences and the
    spellings of its words (stem -> spelling -> count, in the order they were first met)."""

    label: str
    text: str | None
    title: str | None
    sentences: list[str] | None
    surface: dict[str, dict[str, int]] | None


def _detail(text: Any) -> Detail | None:
    """An item's row read back (a JSON array of the ``Detail`` fields), checked: each field of its type, every
    sentence a string and every spelling's count an int; None when it is not."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None
    if type(data) is not list or len(data) != len(Detail._fields):
        return None
    label, own, title, sentences, surface = data
    if type(label) is not str or not all(value is None or type(value) is str for value in (own, title)):
        return None
    if sentences is None and surface is None:
        return Detail(label, own, title, None, None)
    if type(sentences) is not list or type(surface) is not dict or not set(map(type, sentences)) <= {str}:
        return None
    try:  # (``dict.values`` of anything but a dict raises TypeError)
        counts = set(map(type, chain.from_iterable(map(dict.values, surface.values()))))
    except TypeError:
        return None
    return Detail(label, own, title, sentences, surface) if counts <= {int} else None


class PlanRows:
    """One plan's rows as the index makes them (names, not ids yet)."""

    def __init__(self, corpus: Any, plan: str, item_ids: list[str]) -> None:  # a ``suggest.corpus.Corpus``
        items = corpus.items
        place = {item_id: number for number, item_id in enumerate(item_ids)}
        self.details: dict[str, tuple[str, str | None, str | None]] = {}  # item -> its texts (``detail_json``)
        self._texts: dict[str, tuple[str, Any]] = {}  # item -> its own text and its tokens, when it has text
        for item_id in item_ids:
            item = items[item_id]
            text = corpus.texts.get(item_id)
            if text is not None:
                self._texts[item_id] = (corpus.own_text(item_id), text)
            self.details[item_id] = (item.label, item.text, item.title)
        # the sentences of the plan's texts, numbered in item order; an item without text has none (-1)
        first_sentence: dict[str, int] = {}
        self.sentences: list[dict[str, int]] = []
        self.structure: list[list] = []
        for item_id in item_ids:
            item, text = items[item_id], corpus.texts.get(item_id)
            start, count = -1, -1
            if text is not None:
                start = first_sentence[item_id] = len(self.sentences)
                count = len(text.sentence_terms)
                self.sentences += text.sentence_terms
            self.structure.append([item_id, item.type.value, item.parent, item.workstream, item.position, start, count])
        self.rows: list[tuple[int, dict[str, int], dict[str, int], list[str], list[int]]] = []
        sorted_phrases: dict[str, list[str]] = {}  # a member's phrases in order (members are in several families)
        for item_id in item_ids:
            item = items[item_id]
            if item.type not in ROW_TYPES:
                continue
            terms: dict[str, int] = {}
            phrases: dict[str, int] = {}
            entities: set[str] = set()
            sentences: list[int] = []
            for member in corpus.family(item_id):
                entities |= corpus.direct_entities.get(member, set())
                text = corpus.texts.get(member)
                if text is None or member not in place:
                    continue
                weight = 2 if member == item_id and item.type is not NodeType.WORKSTREAM else 1
                if terms:
                    for term, value in text.terms.items():
                        terms[term] = terms.get(term, 0) + value * weight
                else:  # the first: the same keys in the same order, and values
                    terms = {term: value * weight for term, value in text.terms.items()}
                ordered = sorted_phrases.get(member)
                if ordered is None:
                    ordered = sorted_phrases[member] = sorted(text.phrases)  # as ``Corpus.prepare`` counts them
                if phrases:
                    for phrase in ordered:
                        phrases[phrase] = phrases.get(phrase, 0) + 1
                else:
                    phrases = dict.fromkeys(ordered, 1)
                entities |= text.entities
                start = first_sentence[member]
                sentences += range(start, start + len(text.sentences))
            self.rows.append((place[item_id], terms, phrases, sorted(corpus._with_parents(entities)), sentences))

    def detail_json(self, item: str) -> str:
        """An item's row as JSON: the ``Detail`` fields in an array (its sentences and spellings None without text)."""
        found = self._texts.get(item)
        sentences, surface = (found[1].sentences, found[1].surface) if found is not None else (None, None)
        return json.dumps([*self.details[item], sentences, surface], ensure_ascii=False)

    def blob(self, store: RankStore) -> bytes:
        """The rows as one int32 array (header of section lengths, then the sections), ``.npy`` bytes."""
        rows, sentences = self.rows, self.sentences
        term_ids = store._known(0, sorted(set().union(*(row[1] for row in rows), *sentences)))
        phrase_ids = store._known(1, sorted(set().union(*(row[2] for row in rows))))
        entity_ids = store._known(2, sorted(set().union(*(row[3] for row in rows))))
        term, phrase, entity = term_ids.__getitem__, phrase_ids.__getitem__, entity_ids.__getitem__
        sections = {name: array.array("i") for name in _SECTIONS}
        for name in ("term_ptr", "phrase_ptr", "entity_ptr", "sentence_ptr", "words_ptr"):
            sections[name].append(0)
        row_item, term_ptr, term_list, term_counts = (sections[name] for name in _SECTIONS[:4])
        phrase_ptr, phrase_list, phrase_counts, entity_ptr, entity_list = (sections[name] for name in _SECTIONS[4:9])
        sentence_ptr, row_sentences, words_ptr, words_ids, words_counts = (sections[name] for name in _SECTIONS[9:14])
        for place, terms, phrases, entities, members in rows:
            row_item.append(place)
            term_list.extend(map(term, terms))
            term_counts.extend(terms.values())
            term_ptr.append(len(term_list))
            phrase_list.extend(map(phrase, phrases))
            phrase_counts.extend(phrases.values())
            phrase_ptr.append(len(phrase_list))
            entity_list.extend(map(entity, entities))
            entity_ptr.append(len(entity_list))
            row_sentences.extend(members)
            sentence_ptr.append(len(row_sentences))
        for counts in sentences:
            words_ids.extend(map(term, counts))
            words_counts.extend(counts.values())
            words_ptr.append(len(words_ids))
        # a sentence is matched when it has 3 words or more (terms without a space)
        sections["matchable"].extend(1 if sum(" " not in term for term in counts) >= 3 else 0 for counts in sentences)
        header = array.array("i", [RANK_FORMAT, len(self.structure), len(sentences)])
        header.extend(len(sections[name]) for name in _SECTIONS)
        joined = b"".join([header.tobytes(), *(sections[name].tobytes() for name in _SECTIONS)])
        buffer = io.BytesIO()
        np.save(buffer, np.frombuffer(joined, dtype=np.int32), allow_pickle=False)
        return buffer.getvalue()


class PlanArrays:
    """One plan's rows read back: the sections as int32 arrays, checked."""

    def __init__(self, sections: dict[str, np.ndarray], items: int, sentences: int) -> None:
        self.sections = sections
        self.items = items
        self.sentences = sentences

    def __getitem__(self, name: str) -> np.ndarray:
        return self.sections[name]

    @classmethod
    def load(cls, blob: Any, vocabulary: int, items: int) -> PlanArrays | None:
        try:
            array = np.load(io.BytesIO(blob), allow_pickle=False)
        except (ValueError, OSError, TypeError, EOFError):
            return None
        head = 3 + len(_SECTIONS)
        if array.dtype != np.int32 or array.ndim != 1 or len(array) < head or int(array[0]) != RANK_FORMAT:
            return None
        lengths = array[3:head].tolist()
        if min(lengths) < 0 or head + sum(lengths) != len(array) or int(array[1]) != items:
            return None
        sections: dict[str, np.ndarray] = {}
        at = head
        for name, length in zip(_SECTIONS, lengths, strict=True):
            sections[name] = array[at : at + length]
            at += length
        found = cls(sections, items, int(array[2]))
        return found if found._consistent(vocabulary) else None

    def _consistent(self, vocabulary: int) -> bool:
        s = self.sections
        rows = len(s["row_item"])
        if self.sentences < 0 or len(s["matchable"]) != self.sentences:
            return False
        for pointer, data in (
            ("term_ptr", "term_ids"),
            ("phrase_ptr", "phrase_ids"),
            ("entity_ptr", "entity_ids"),
            ("sentence_ptr", "row_sentences"),
            ("words_ptr", "words_ids"),
        ):
            ptr = s[pointer]
            expected = self.sentences + 1 if pointer == "words_ptr" else rows + 1
            if len(ptr) != expected or ptr[0] != 0 or ptr[-1] != len(s[data]) or np.any(np.diff(ptr) < 0):
                return False
        if len(s["term_counts"]) != len(s["term_ids"]) or len(s["phrase_counts"]) != len(s["phrase_ids"]):
            return False
        if len(s["words_counts"]) != len(s["words_ids"]):
            return False
        ids = (s["term_ids"], s["phrase_ids"], s["entity_ids"], s["words_ids"])
        if any(len(found) and (found.min() < 1 or found.max() > vocabulary) for found in ids):
            return False
        counts = (s["term_counts"], s["phrase_counts"], s["words_counts"])
        if any(len(found) and found.min() < 1 for found in counts):
            return False
        if len(s["row_item"]) and (s["row_item"].min() < 0 or s["row_item"].max() >= self.items):
            return False
        if len(s["row_sentences"]) and (s["row_sentences"].min() < 0 or s["row_sentences"].max() >= self.sentences):
            return False
        return not len(s["matchable"]) or bool(np.all((s["matchable"] == 0) | (s["matchable"] == 1)))


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(member, str) for member in value)


def counts_of_names(value: Any) -> bool:
    """Whether a value is a mapping of names to int counts."""
    return isinstance(value, dict) and set(map(type, value.values())) <= {int}


def valid_record(record: Any) -> bool:
    """Whether a value has the shape of an index token record (``suggest.index``)."""
    if not isinstance(record, dict) or set(record) != {
        "text",
        "sentences",
        "terms",
        "sentence_terms",
        "phrases",
        "entities",
        "surface",
    }:
        return False
    if not isinstance(record["text"], str) or not all(
        _strings(record[name]) for name in ("sentences", "phrases", "entities")
    ):
        return False
    terms = record["sentence_terms"]
    if (
        not counts_of_names(record["terms"])
        or not isinstance(terms, list)
        or len(terms) != len(record["sentences"])
        or not all(map(counts_of_names, terms))
    ):
        return False
    surface = record["surface"]
    return isinstance(surface, dict) and all(map(counts_of_names, surface.values()))
