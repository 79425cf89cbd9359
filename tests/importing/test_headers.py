"""The header vocabulary of action-plan tables and ``--map COLUMN=FIELD`` (graph.importing.headers)."""

from __future__ import annotations

import pytest

from crossplan.graph.errors import CrossplanError
from crossplan.graph.importing import headers
from crossplan.graph.importing.headers import (
    FIELDS,
    check_mappings,
    field_of_header,
    header_key,
    header_label,
    parse_mapping,
)


@pytest.mark.parametrize(
    "header, field",
    [
        # As printed in the HMIP action plan (data/sources/002_5ce6e7942855d53e.txt, the table header).
        ("1. \n\nRec \n\nNo ", "number"),
        ("2.  \n\nRecommendation ", "text"),
        ("3.  \n\nAgreed/ \n\nPartly \n\nAgreed/ \n\nNot Agreed ", "response"),
        ("4.  \n\nResponse \n\nAction Taken/Planned ", "update"),
        (
            "5.  \n\nResponsible Owner  \n\n(including named \n\nindividuals and \n\ntheir functional role \n\nor department)  ",
            "owner",
        ),
        ("6.  \n\nTarget Date ", "target-date"),
        # Programme plans (the Blueprint's columns) and other common spellings.
        ("Thematic Area", "workstream"),
        ("Recommendation (milestone)", "text"),
        ("Action(s) include:", "action"),
        ("Refreshed Timescale", "status"),
        ("Update", "update"),
        ("REC NO.", "number"),
        ("Status", "status"),
        ("ID", "id"),
        ("Lead officer", "owner"),
        ("Budget", None),
    ],
)
def test_template_headers_are_recognised(header, field):
    assert field_of_header(header) == field


def test_every_spelling_stands_for_the_one_field_it_is_listed_under():
    for name, variants in headers._HEADER_VARIANTS.items():
        assert name in FIELDS
        for variant in variants:
            assert field_of_header(variant) == name, variant
            assert field_of_header(variant.upper()) == name, variant


def test_header_keys_ignore_numbering_case_spacing_and_dots():
    assert header_key("  2)\tTarget   DATE: ") == "target date"
    assert header_key("Agreed /Not  Agreed*") == "agreed/not agreed"
    assert header_key("Rec. No.") == "rec no"
    assert header_key("Owner’s name") == "owner's name"  # a curly apostrophe is the straight one
    # a number that is the header itself is kept (only a leading "1. " numbering goes)
    assert header_key("2021") == "2021"


def test_bracketed_notes_are_ignored_only_when_the_rest_is_known():
    assert field_of_header("Target date (as agreed with the board)") == "target-date"
    assert field_of_header("Owner (lead)") == "owner"
    assert field_of_header("Budget (owner)") is None
    assert field_of_header("") is None


def test_header_labels_keep_the_case_but_lose_the_number():
    assert header_label("3.\nAgreed/\nPartly Agreed") == "Agreed/ Partly Agreed"
    assert header_label("Status") == "Status"


def test_mappings_are_keyed_as_headers_are_matched():
    assert check_mappings({"4. Lead  Officer": " OWNER ", "Internal RAG": "ignore"}) == {
        "lead officer": ("owner", "4. Lead  Officer"),
        "internal rag": ("ignore", "Internal RAG"),
    }
    assert check_mappings({}) == {}


def test_a_mapping_to_an_unknown_field_names_the_fields():
    with pytest.raises(CrossplanError) as error:
        check_mappings({"Due": "target_date"})
    message = str(error.value)
    assert message.startswith("--map 'Due=target_date': unknown field 'target_date' (did you mean 'target-date'?)")
    assert message.endswith(f"(fields: {', '.join(FIELDS)})")


def test_parse_mapping_splits_at_the_last_equals_sign():
    assert parse_mapping("  Lead officer =owner ") == ("Lead officer", "owner")
    assert parse_mapping("A=B=note") == ("A=B", "note")


@pytest.mark.parametrize("text", ["owner", "=owner", "Lead officer=", " = "])
def test_parse_mapping_refuses_what_is_not_column_equals_field(text):
    with pytest.raises(CrossplanError) as error:
        parse_mapping(text)
    assert str(error.value) == f"'{text}' is not COLUMN=FIELD (fields: {', '.join(FIELDS)})"
