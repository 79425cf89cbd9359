"""The plan items of a data set, tokenised and weighed for ranking (graph.suggest.corpus).

On the hand-written north/south plans of tests/fixtures/suggest (see tests/suggest/test_similar.py).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.model.nodes import NodeType
from crossplan.graph.stores.embedded import memory_store
from crossplan.graph.suggest.corpus import Corpus, _records, cosine, vector
from crossplan.graph.suggest.index import encode_record, to_record
from crossplan.graph.suggest.words import STOPWORDS, NameFinder, names_pattern, split_sentences, straight_quotes

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
SHIPPED = Path(__file__).parents[2] / "data"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(memory_store(load_dataset(SUGGEST)))


def test_vectors_are_unit_length_tf_idf_with_sublinear_counts():
    weights = vector(Counter({"a": 1, "b": math.e**2, "unknown": 5}), {"a": 1.0, "b": 1.0})
    assert set(weights) == {"a", "b"}  # a term without an IDF is left out
    assert weights["b"] == pytest.approx(3 * weights["a"])  # 1 + log(e²) = 3 times 1 + log(1)
    assert sum(value * value for value in weights.values()) == pytest.approx(1.0)
    assert vector(Counter(), {"a": 1.0}) == {} and vector(Counter({"a": 2}), {"a": 0.0}) == {}


def test_cosine_of_unit_vectors():
    left = vector(Counter({"a": 1, "b": 1}), {"a": 1.0, "b": 1.0})
    assert cosine(left, left) == pytest.approx(1.0)
    assert cosine(left, {"c": 1.0}) == 0.0
    assert cosine(left, {"a": 1.0}) == cosine({"a": 1.0}, left) == pytest.approx(1 / math.sqrt(2))


def test_items_and_their_families(corpus):
    assert corpus.items["south/s2-action-1"].type is NodeType.ACTION
    assert corpus.items["south/s2-action-1"].parent == "south/s2"
    assert corpus.family("south/s2") == ["south/s2", "south/s2-action-1"]
    assert corpus.family("north/n2") == ["north/n2", "north/n2-update-1"]
    # a workstream's family is its recommendations, in their order, with what is under them
    assert corpus.family("south/learning") == ["south/learning", "south/s3", "south/s5"]
    assert corpus.family("south/housing") == ["south/housing", "south/s1", "south/s1-action-1"]
    assert corpus.family("north/n3") == ["north/n3"]


def test_parts_of_one_recommendation_are_never_worth_a_link(corpus):
    assert corpus.same_recommendation("south/s2", "south/s2-action-1")
    assert corpus.same_recommendation("south/s4-update-1", "south/s4")
    assert corpus.same_recommendation("south/learning", "south/s3")  # nested in the workstream
    assert not corpus.same_recommendation("south/s3", "south/s5")
    assert not corpus.same_recommendation("north/n1", "south/s1")
    assert not corpus.same_recommendation("south/housing", "south/learning")


def test_own_text_of_a_workstream_is_its_title(corpus):
    assert corpus.own_text("south/learning") == "Learning"
    assert corpus.own_text("north/n3") == "Improve school attendance for children on community orders."


def test_entities_are_found_in_texts_by_name(corpus):
    assert corpus.texts["south/s2-action-1"].entities == {"probation-service", "transitions-guidance"}
    assert corpus.texts["south/s1-action-1"].entities == {"housing-department"}
    assert corpus.texts["north/n3"].entities == set()


def test_prepare_gathers_the_family_once_with_parent_organisations(corpus):
    item = corpus.items["north/n4"]
    corpus.prepare(item)
    corpus.prepare(item)
    assert item.members == ["north/n4", "north/n4-update-1"]
    # n4 is addressed to the Custody Service, which is part of the Justice Ministry
    assert {"custody-service", "justice-ministry"} <= item.entities
    assert sum(value * value for value in item.vector.values()) == pytest.approx(1.0)
    assert [corpus.sentences[number][0] for number in item.sentences] == ["north/n4", "north/n4-update-1"]


def test_entities_named_by_fewer_recommendations_weigh_more(corpus):
    recommendations = sum(1 for item in corpus.items.values() if item.type is NodeType.RECOMMENDATION)
    assert recommendations == 10
    # the Department for Education: n3 only; the Probation Service: n2 (addressed) and s2 (its action names it)
    assert corpus.entity_idf["education-department"] == pytest.approx(math.log(11 / 2))
    assert corpus.entity_idf["probation-service"] == pytest.approx(math.log(11 / 3))


def test_distinctive_phrases_are_shared_by_a_few_texts_only(corpus):
    assert "children under youth justice supervision" in corpus.phrase_idf  # n5's update and s3
    assert "improve school attendance" in corpus.phrase_idf  # n3 and s5
    assert "school attendance" not in corpus.phrase_idf  # n3, s3 and s5: too common here
    assert "accommodation retainer" not in corpus.phrase_idf  # one text only


def test_sentences_too_short_to_be_evidence_have_no_vector(corpus):
    [number] = corpus.sentence_ranges["south/housing"]
    assert corpus.sentences[number] == ("south/housing", "Housing", {})
    [number] = corpus.sentence_ranges["north/n3"]
    assert corpus.sentences[number][2]


def test_terms_are_described_as_written(corpus):
    left, right = corpus.items["north/n2"], corpus.items["south/s2"]
    corpus.prepare(left)
    corpus.prepare(right)
    assert corpus.describe("transition guidance", left, right) == "transitions guidance"
    assert corpus.describe("nowhere", left, right) == "nowhere"


def test_names_pattern_matches_whole_names_longest_first():
    pattern = names_pattern(["Probation", "Probation Service"], 0)
    assert pattern.findall("the Probation Service, Probation-led work, Probationers, probation") == [
        "Probation Service"
    ]
    assert names_pattern([], 0) is None


# -- the tokeniser against the one it replaced ---------------------------------------------------------------
# The functions below are the tokeniser as it was before names were found by their first character and words,
# sentences and stems were worked out once (kept verbatim as the oracle): the index entries must not change.

_ORACLE_URL = re.compile(r"(?:https?://|www\.)\S+")
_ORACLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['’][A-Za-z]+)*")
_ORACLE_POSSESSIVE = re.compile(r"['’]s$")


def _oracle_stem(word):
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" else word
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" else word
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _oracle_words(text):
    out = []
    for match in _ORACLE_WORD.finditer(_ORACLE_URL.sub(" ", text)):
        written = match.group()
        if "'" in written or "’" in written:
            written = _ORACLE_POSSESSIVE.sub("", written)
        out.append((_oracle_stem(written.lower().replace("’", "'")), written))
    return out


def _oracle_phrases_of(stems, longest=5):
    found = set()
    for start, first in enumerate(stems):
        if first in STOPWORDS:
            continue
        for end in range(start + 2, min(start + longest, len(stems)) + 1):
            if stems[end - 1] not in STOPWORDS:
                found.add(" ".join(stems[start:end]))
    return found


def _oracle_terms_of(tokens):
    stems = [token for token, _ in tokens if token not in STOPWORDS and len(token) > 1]
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def _oracle_pattern(names, flags):
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(set(names), key=lambda name: (-len(name), name)))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", flags)


def _oracle_mentions(corpus, text):
    exact, folded = corpus._names
    text = straight_quotes(text)
    found = set()
    for pattern, fold in ((_oracle_pattern(exact, 0), False), (_oracle_pattern(folded, re.IGNORECASE), True)):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            found |= corpus.entity_names.get(match.group().lower() if fold else match.group(), set())
    return found


def _oracle_record(corpus, text):
    sentences = split_sentences(text)
    all_terms, sentence_terms, found_phrases, surface = Counter(), [], set(), {}
    for sentence in sentences:
        tokens = _oracle_words(sentence)
        counts = Counter(_oracle_terms_of(tokens))
        sentence_terms.append(counts)
        all_terms.update(counts)
        found_phrases |= _oracle_phrases_of([token for token, _ in tokens])
        for token, written in tokens:
            spelled = surface.get(token)
            if spelled is None:
                spelled = surface[token] = {}
            key = written if written.isupper() else written.lower()
            spelled[key] = spelled.get(key, 0) + 1
    entities = _oracle_mentions(corpus, text)
    return to_record(text, sentences, all_terms, sentence_terms, found_phrases, entities, surface)


def _same_records_as_the_oracle(corpus, texts):
    made = _records(corpus, [(str(number), text) for number, text in enumerate(texts)])
    for (_, record), text in zip(made, texts, strict=True):
        expected = _oracle_record(corpus, text)
        assert json.dumps(record, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False), text
        assert json.loads(encode_record(record)) == record, text  # as a forked worker sends it, decoded here


def test_the_tokeniser_gives_the_old_tokens_on_the_shipped_data():
    corpus = Corpus(memory_store(load_dataset(SHIPPED)))
    texts = [corpus.own_text(item) for item in corpus.items]
    texts = [text for text in texts if text]
    assert len(texts) > 100 and any(corpus.texts[item].entities for item in corpus.texts)
    _same_records_as_the_oracle(corpus, texts + texts[:20])  # texts seen again: from the memo, still the same


def test_the_tokeniser_gives_the_old_tokens_on_odd_texts(corpus):
    corpus.__dict__.pop("entity_finders", None)
    exact, folded = corpus._names
    names = sorted(set(exact) | set(folded))
    odd = [
        "The Probation Service's review; the probation service and PROBATION SERVICE. Probation-led, Probationers.",
        "the Custody Service — the custody  service, (Justice Ministry) and justice ministry's Custody Service-wide.",
        "Housing Department’s plan • www.example.org/a-b https://x.y/z the Housing Department_ and Housing Departments",
        "Transitions Guidance: TRANSITIONS GUIDANCE transitions guidance. Transitions Guidance2 and -Transitions Guidance",
        "ſome Kelvin K and İstanbul ıs odd: the probation ſervice, the PROBATİON SERVICE, Education Department.",
        "Children's services, children’s services; training trained trains trainees agencies agency's processes.",
        "A " + ", ".join(f"clause {n} about the Probation Service and adult services" for n in range(30)) + ".",
        "",
        "  ",
        "Nothing here.",
        "Services services SERVICES service's",
        "Probation",
        " ".join(names),
        " ".join(name.upper() for name in names),
        " ".join(name.lower() for name in names),
        "-".join(names),
        "_".join(names),
        "é".join(names),
        "".join(names),
    ]
    _same_records_as_the_oracle(corpus, [straight_quotes(text) if n % 2 else text for n, text in enumerate(odd)])


def test_names_are_found_as_the_pattern_finds_them():
    names = ["Probation", "Probation Service", "Service", "Custody Service", "Dept.", "A-B", "(JM)", "Ofsted", "x"]
    texts = [
        "the Probation Service, Probation-led work, Probationers, probation, Service Probation x xx x.",
        "Dept. Dept.x Dept.- (JM) (JM)x A-B A-BC -A-B Custody Service Service",
        "PROBATION SERVICE probation service İ K ſervice Probation Servİce",
        "Ofsted’s Ofsted's Ofsted_ Ofsted1 éOfsted Ofstedé",
    ]
    for fold, flags in ((False, 0), (True, re.IGNORECASE)):
        finder = NameFinder(names, fold=fold)
        for text in texts:
            expected = [m.group().lower() if fold else m.group() for m in _oracle_pattern(names, flags).finditer(text)]
            assert finder.find(text) == expected
            assert expected or not fold
    assert NameFinder([], fold=True).find("anything") == []
    assert NameFinder(["Éire", "Eire"], fold=True).find("ÉIRE eire") == ["éire", "eire"]  # left to the pattern


def test_names_are_found_as_the_pattern_finds_them_with_many_first_words():
    # more first words than the pattern of first words is made for: each text's words are looked up instead
    heads = [f"w{number}" for number in range(120)]
    names = [f"{head} Board" for head in heads] + [
        f"{head} Board of {other}" for head, other in zip(heads, heads[5:], strict=False)
    ]
    names += ["W7", "w8", "Board"]
    texts = [
        " ".join(
            f"the {head} board and {head.upper()} BOARD OF {other}"
            for head, other in zip(heads, heads[3:], strict=False)
        ),
        "nothing w1000 board here, w7- Board, w7Board w7_board W7 w8 board",
        "İ w1 board K w2 BOARD",
        "",
    ]
    for fold, flags in ((False, 0), (True, re.IGNORECASE)):
        finder = NameFinder(names, fold=fold)
        for text in texts:
            expected = [m.group().lower() if fold else m.group() for m in _oracle_pattern(names, flags).finditer(text)]
            assert finder.find(text) == expected
    assert NameFinder(names, fold=True).find(texts[0])  # found some


def test_a_rebuild_of_one_plan_updates_its_index_entries_and_leaves_many_to_suggest(data, tmp_path):
    """``update_index`` makes what the next ``suggest`` would (the changed plan's entries), not more; with more
    plans to make than it is allowed, it makes none (the next ``suggest`` does)."""
    from crossplan.graph.stores.embedded import open_store
    from crossplan.graph.suggest.corpus import make_index, update_index
    from crossplan.graph.suggest.similar import suggest_links

    store_path = tmp_path / "store"
    make_index(open_store(data, store_path))
    assert update_index(open_store(data, store_path)) == set()  # nothing changed
    for plan, old, new in (("north", "accommodation", "lodging"), ("south", "trauma-informed", "trauma-aware")):
        path = data / "plans" / f"{plan}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert update_index(open_store(data, store_path), most=1) == set()  # two plans changed: left to suggest
    assert update_index(open_store(data, store_path)) == {"north", "south"}
    assert update_index(open_store(data, store_path)) == set()
    unindexed = memory_store(load_dataset(data))
    for plan in ("north", "south"):
        found = suggest_links(open_store(data, store_path), plan, None, top=3)
        assert [s.to_json() for s in found] == [s.to_json() for s in suggest_links(unindexed, plan, None, top=3)]
