"""Tables fit the terminal without breaking an id, a date or a number."""

from __future__ import annotations

from crossplan.graph.output import render_table

IDS = ["yj-blueprint/resettlement-and-transitions-4", "welsh-yot-self-assessment-of-national-standards", "r6"]


def test_ids_dates_and_numbers_are_never_broken_at_any_width_from_60():
    rows = [
        [
            i + 12345,
            node_id,
            "2020-10-31",
            "feeds into",
            "A long label that has to wrap across several lines of the table",
        ]
        for i, node_id in enumerate(IDS)
    ]
    for width in range(60, 121):
        table = render_table(["hops", "item", "due", "relation", "label"], rows, width=width, max_lines=2)
        assert all(len(line) <= width for line in table.splitlines()), width
        words = table.split()
        for whole in [*IDS, "2020-10-31", "12345", "12346"]:
            assert whole in words, (width, whole)


def test_a_table_too_wide_for_its_ids_is_printed_as_records():
    rows = [[node_id, "2020-10-31", "not stated", "Youth Custody Service", "A label"] for node_id in IDS]
    table = render_table(["item", "due", "status", "owners", "label"], rows, width=60)
    assert table.splitlines()[:3] == [IDS[0], "  due: 2020-10-31", "  status: not stated"]
    assert all(len(line) <= 60 for line in table.splitlines())


def test_a_word_wider_than_the_whole_table_is_still_cut_to_fit():
    table = render_table(["item"], [["x" * 200]], width=80)
    assert all(len(line) <= 80 for line in table.splitlines())


def test_plain_prose_wraps_exactly_as_the_id_wrapper_does():
    """The quick path for prose (``_greedy_wrap``) gives the wrapper's very lines, or leaves the text to it."""
    import random

    from crossplan.graph.output import _WRAPPER_FOR, _greedy_wrap

    plain = ["a", "to", "the", "children", "resettlement", "co-ordinate", "x" * 30, "\u00e9t\u00e9", "(r1),"]
    awkward = [*plain, "/", "yj/r1", " ", "  ", "\u00a0", "\u2003", "-"]
    chance = random.Random(19)
    quick = 0
    for number in range(20_000):
        pieces = plain if number % 2 else awkward
        text = " ".join(chance.choice(pieces) for _ in range(chance.randint(1, 40)))
        width = chance.randint(1, 60)
        lines = _greedy_wrap(text, width)
        if lines is not None:
            quick += 1
            assert lines == _WRAPPER_FOR[width].wrap(text), (text, width)
    assert quick > 1_000  # the quick path was taken often enough to mean something
