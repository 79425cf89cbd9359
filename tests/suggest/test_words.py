"""Splitting English text into stems, terms, phrases and sentences (graph.suggest.words)."""

from __future__ import annotations

import pytest

from crossplan.graph.suggest.words import (
    STOPWORDS,
    phrases,
    split_sentences,
    stem,
    straight_quotes,
    terms,
    words,
)


@pytest.mark.parametrize(
    "word, expected",
    [
        ("agencies", "agency"),
        ("ties", "tie"),  # too short for the -ies rule
        ("planned", "plan"),
        ("running", "run"),
        ("calling", "call"),  # a double l is kept
        ("needed", "need"),
        ("agreed", "agreed"),  # -eed is not a past tense ending
        ("status", "status"),
        ("analysis", "analysis"),
        ("process", "process"),
        ("gas", "gas"),
    ],
)
def test_stems(word, expected):
    assert stem(word) == expected


def test_plurals_and_verb_forms_meet():
    assert stem("trains") == stem("trained") == stem("training") == "train"
    assert stem("services") == stem("service")


def test_words_drop_possessives_addresses_and_numbers():
    assert words("The children's plan, see https://example.org/plan or www.gov.uk for 2021 Covid19 data") == [
        ("the", "The"),
        ("children", "children"),
        ("plan", "plan"),
        ("see", "see"),
        ("or", "or"),
        ("for", "for"),
        ("covid19", "Covid19"),
        ("data", "data"),
    ]
    assert words("don’t") == [("don't", "don’t")]  # curly and straight apostrophes stem alike


def test_terms_are_stems_without_stop_words_and_their_neighbour_pairs():
    assert terms("The x of the staff is trained") == ["staff", "train"] + ["staff train"]
    assert terms("and the of") == []
    assert all(term.split()[0] not in STOPWORDS for term in terms("Support the children in custody"))


def test_phrases_stay_within_a_sentence_and_skip_stop_word_edges():
    found = phrases("Support children. Improve school attendance for children.")
    assert found == {
        "support children",
        "improve school",
        "improve school attendance",
        "school attendance",
        "improve school attendance for children",
        "school attendance for children",
        "attendance for children",
    }
    assert "children improve" not in found


def test_phrases_are_at_most_five_words():
    assert max(len(phrase.split()) for phrase in phrases("one two three four five six seven")) == 5


def test_sentences_are_verbatim_pieces_of_the_text():
    text = (
        "The MoJ agrees that children should have accommodation in place before they leave custody. In too many "
        "cases accommodation is identified late; it is • often unsuitable."
    )
    pieces = split_sentences(text)
    assert pieces == [
        "The MoJ agrees that children should have accommodation in place before they leave custody.",
        "In too many cases accommodation is identified late",
        "it is",
        "often unsuitable.",
    ]
    assert all(piece in text for piece in pieces)


def test_a_semicolon_before_a_capital_and_a_full_stop_before_lower_case_do_not_split():
    assert split_sentences("Work with partners; YJB to lead. See e.g. the guidance.") == [
        "Work with partners; YJB to lead.",
        "See e.g. the guidance.",
    ]
    assert split_sentences("") == [] and split_sentences(" • ") == []


def test_long_sentences_are_cut_at_commas_into_verbatim_runs():
    clauses = [f"clause {number} " + "word " * 18 + "end" for number in range(5)]
    sentence = ", ".join(clauses) + "."
    assert len(sentence) > 320
    pieces = split_sentences(sentence)
    assert pieces == [", ".join(clauses[:3]), ", ".join(clauses[3:]) + "."]
    assert all(len(piece) <= 320 for piece in pieces)
    # a long sentence without a comma stays whole
    assert split_sentences("word " * 100) == ["word " * 99 + "word"]


def test_straight_quotes():
    assert straight_quotes("the YJB’s ‘plan’") == "the YJB's 'plan'"
