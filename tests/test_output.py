"""Tables fit the terminal without breaking an id inside a word."""

from __future__ import annotations

from crossplan.graph.output import render_table

IDS = ["yj-blueprint/resettlement-and-transitions-4", "welsh-yot-self-assessment-of-national-standards", "r6"]


def test_ids_break_only_after_their_slash_and_never_inside_a_word():
    rows = [
        [i + 1, node_id, "→ feeds-into", "A long label that has to wrap across several lines of the table"]
        for i, node_id in enumerate(IDS)
    ]
    table = render_table(["hops", "item", "relation", "label"], rows, width=80)
    assert all(len(line) <= 80 for line in table.splitlines())
    words = table.split()
    for node_id in IDS:
        assert node_id in words or (node_id.split("/")[0] + "/" in words and node_id.split("/")[1] in words), node_id
    assert "resettlement-and-" not in words and "transitions-4" not in words


def test_a_word_wider_than_the_whole_table_is_still_cut_to_fit():
    table = render_table(["item"], [["x" * 200]], width=80)
    assert all(len(line) <= 80 for line in table.splitlines())
