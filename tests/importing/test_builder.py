"""Turning the rows of an action-plan table into recommendations (graph.importing.builder).

The tables are built here as the readers would return them, so each rule of docs/data-format.md's import
section is checked on its own, with the place every problem is reported at.
"""

from __future__ import annotations

import pytest

from crossplan.graph.errors import ImportFileError
from crossplan.graph.importing.builder import PlanBuilder
from crossplan.graph.importing.headers import check_mappings
from crossplan.graph.importing.organisations import OrganisationIndex
from crossplan.graph.importing.readers import Table
from crossplan.graph.model.nodes import Response, Status

REGISTRY = [("moj", "Ministry of Justice", ["MoJ"]), ("dfe", "Department for Education", ["DfE"])]
NO_TEXT = "has no text (if it was removed, write 'Removed' in its Recommendation or Status cell)"


def table(rows: list[list[str]], kind: str = "csv") -> Table:
    if kind == "docx":
        return Table("plan.docx", "docx", "table 1", list(enumerate(rows, start=1)))
    return Table("plan.csv", "csv", "plan.csv", list(enumerate(rows, start=1)))


def build(rows: list[list[str]], mappings: dict[str, str] | None = None, kind: str = "csv") -> PlanBuilder:
    builder = PlanBuilder(OrganisationIndex(REGISTRY, {"moj", "dfe"}, add=False), check_mappings(mappings or {}))
    builder.read([table(rows, kind)])
    return builder


def test_title_addressees_and_updates_continued_over_rows():
    builder = build(
        [
            ["Action plan", "", "", "", ""],
            ["Rec No", "Recommendation", "Response Action Taken/Planned", "Responsible Owner", "Target Date"],
            ["The Ministry of Justice should:", "", "", "", ""],
            ["1", "Do A.", "Action Plan (January 2020)\n\nStarted.", "MoJ lead", "March 2020"],
            ["", "", "More on the first update.", "", ""],
            ["", "", "Action Plan Update (December 2020)\nFinished.", "", "31/12/2020"],
            ["DfE should:", "", "", "", ""],
            ["2", "Do B.", "", "", ""],
        ]
    )
    assert builder.problems == []
    assert builder.title == "Action plan"
    first, second = builder.recommendations
    assert (first.id, first.place, first.number, first.text) == ("r1", "plan.csv:4", "1", ["Do A."])
    assert (first.addressed_to, first.addressee_text) == (["moj"], "The Ministry of Justice should:")
    assert (second.id, second.addressed_to, second.addressee_text) == ("r2", ["dfe"], "DfE should:")
    assert [(u.place, u.title, u.date, [line for line in u.lines if line]) for u in first.updates] == [
        ("plan.csv:4", "Action Plan (January 2020)", "2020-01", ["Started.", "More on the first update."]),
        ("plan.csv:6", "Action Plan Update (December 2020)", "2020-12", ["Finished."]),
    ]
    # each row's owners and target dates go on the update of that row
    assert first.updates[0].progress.owners == [("MoJ lead", "moj")]
    assert first.updates[0].progress.target_dates == [("March 2020", "2020-03")]
    assert first.updates[1].progress.target_dates == [("31/12/2020", "2020-12-31")]
    assert first.progress.owners == [] and second.updates == []


def test_without_a_rec_no_column_text_starts_recommendations_numbered_per_workstream():
    builder = build(
        [
            ["Theme", "Recommendation", "Status"],
            ["Housing", "A.", "Complete"],
            ["", "B.", "Ongoing - by 2022"],
            ["Custody", "C.", "N/A"],
        ]
    )
    assert builder.problems == []
    assert builder.workstreams == {"housing": "Housing", "custody": "Custody"}
    assert [
        (r.id, r.workstream, r.number, r.progress.status, r.progress.status_text, r.progress.timescale)
        for r in builder.recommendations
    ] == [
        ("housing-1", "housing", None, Status.COMPLETE, "Complete", None),
        ("housing-2", "housing", None, Status.ONGOING, "Ongoing - by 2022", "by 2022"),
        ("custody-1", "custody", None, Status.NOT_APPLICABLE, "N/A", None),
    ]


def test_actions_are_split_at_bullets_and_a_single_action_takes_the_row_owner():
    builder = build(
        [
            ["Rec No", "Recommendation", "Actions", "Owner"],
            ["1", "A.", "• Map measures.\n• Consult\nwidely.", "Lead"],
            ["2", "B.", "Just one thing.", "MoJ"],
        ]
    )
    first, second = builder.recommendations
    assert [action.text for action in first.actions] == ["Map measures.", "Consult\nwidely."]
    assert first.progress.owners == [("Lead", None)]  # two actions: the owner is the recommendation's
    assert [(a.text, a.progress.owners) for a in second.actions] == [("Just one thing.", [("MoJ", "moj")])]
    assert second.progress.owners == []


def test_a_status_on_a_continuation_row_belongs_to_that_rows_update():
    builder = build(
        [
            ["Rec No", "Recommendation", "Update", "Status", "Agreed"],
            ["1", "A.", "Update (2020)\nStarted.", "Ongoing", "Partly agreed"],
            ["", "", "Update (2021)\nDone.", "Complete", ""],
        ]
    )
    [rec] = builder.recommendations
    assert (rec.response, rec.progress.status) == (Response.PARTLY_AGREED, Status.ONGOING)
    assert [(u.date, u.progress.status) for u in rec.updates] == [("2020", None), ("2021", Status.COMPLETE)]


def test_removed_recommendations_and_the_duplicate_they_name():
    builder = build(
        [
            ["Rec No", "Recommendation"],
            ["1", "Do A."],
            ["2", "Removed as a duplicate of recommendation 1."],
            ["3", "Deleted."],
        ]
    )
    assert builder.problems == []
    assert [(r.id, r.text, r.progress.status) for r in builder.recommendations] == [
        ("r1", ["Do A."], None),
        ("r2", [], Status.REMOVED),
        ("r3", [], Status.REMOVED),
    ]
    assert builder.links() == [{"from": "r2", "to": "r1", "quote": "Removed as a duplicate of recommendation 1."}]


def test_rec_numbers_become_ids_and_ones_without_a_digit_are_refused():
    builder = build(
        [["Rec No", "Recommendation"], ["Rec. No. 7", "A."], ["A2", "B."], ["Note", "C."], ["", "C continued."]]
    )
    assert [(r.id, r.number) for r in builder.recommendations] == [("r7", "Rec. No. 7"), ("a2", "A2")]
    # the rejected row's continuation is not reported again, nor added to B
    assert builder.problems == ["plan.csv:4:A: 'Note' is not a recommendation number (it needs a digit)"]
    assert builder.recommendations[1].text == ["B."]


def test_bad_and_duplicate_ids_are_reported_where_they_are():
    builder = build([["ID", "Recommendation"], ["R 1", "A."], ["", "A continued."], ["a1", "B."], ["a1", "C."]])
    assert builder.problems == [
        "plan.csv:2:A: id 'R 1' must be lower-case letters, digits and hyphens (e.g. 'r-1')",
        "plan.csv:5: duplicate id 'a1' (first at plan.csv:4)",
    ]
    with pytest.raises(ImportFileError) as error:
        builder.raise_problems()
    assert error.value.problems == builder.problems


def test_header_problems_name_their_cells():
    builder = build([["Rec No", "Owner", "Lead", "Budget"], ["1", "x", "", "10"]])
    assert builder.problems == [
        "plan.csv:1:C: columns 'Owner' and 'Lead' are both owner: leave one out with --map 'Lead=ignore'",
        "plan.csv:1:D: unknown column 'Budget': name it with --map 'Budget=FIELD' (FIELD one of: number, id, text, "
        "response, update, action, owner, target-date, status, timescale, workstream, addressed-to, note, ignore)",
        "plan.csv:1: no Recommendation column (name it with --map COLUMN=text)",
        f"plan.csv:2: recommendation 1 {NO_TEXT}",
    ]


def test_rows_before_the_first_recommendation_and_cells_without_a_header():
    builder = build([["Rec No", "Recommendation"], ["", "Orphan."], ["1", "A.", "stray"], ["", "", "again"]])
    assert builder.problems == [
        "plan.csv:2: no Rec No: this row follows the header, so it must start a recommendation",
        "plan.csv:3:C: 'stray' is in a column with no header: give the column a header, or delete it",
    ]


def test_map_names_columns_and_must_name_one_in_the_header():
    builder = build(
        [["Rec No", "Recommendation", "Accountable"], ["1", "A.", "MoJ"]],
        mappings={"ACCOUNTABLE": "owner", "Nowhere": "ignore"},
    )
    assert builder.recommendations[0].progress.owners == [("MoJ", "moj")]
    assert builder.problems == [
        "plan.csv: --map names a column 'Nowhere' that is not in the header "
        "(columns: 'Rec No', 'Recommendation', 'Accountable')"
    ]


def test_a_table_without_a_header_or_without_rows():
    assert build([["Budget", "Spend"], ["1", "2"]]).problems == [
        "plan.csv:1: no header row found in the first 20 rows: expected columns such as 'Rec No', 'Recommendation', "
        "'Agreed/Partly Agreed/Not Agreed', 'Response Action Taken/Planned' (name other columns with --map COLUMN=FIELD)"
    ]
    assert build([["Rec No", "Recommendation"], ["", ""]], kind="docx").problems == [
        "plan.docx: no recommendations below the header row"
    ]


def test_rows_of_a_pdf_give_their_pages_to_items_actions_and_updates():
    from crossplan.graph.importing.builder import PlanBuilder
    from crossplan.graph.importing.organisations import OrganisationIndex
    from crossplan.graph.importing.readers import Table

    table = Table(
        "plan.pdf",
        "pdf",
        "table 1 (page 3)",
        [(1, ["Rec No", "Recommendation", "Actions", "Update"]), (2, ["1", "Do it", "• First\n• Second", "Done"])],
    )
    table.pages = {1: 3, 2: 4}
    builder = PlanBuilder(OrganisationIndex([], set(), False), {}, lenient=True)
    builder.read([table])
    [rec] = builder.recommendations
    assert (rec.page, [action.page for action in rec.actions], rec.updates[0].page) == (4, [4, 4], 4)


def test_a_number_printed_at_the_start_of_the_recommendation_cells_becomes_the_rec_no():
    builder = build(
        [
            ["Milestone", "Target Date", "Responsible Party"],
            ["7.1 Make the inventory", "Dec. 31, 2021", "CIO Council"],
            ["", "", "and MoJ"],
            ["7.2 Publish it", "2022", ""],
            ["3 units of work", "", ""],
        ]
    )
    assert builder.problems == []
    assert [(r.id, r.number, r.text) for r in builder.recommendations] == [
        ("r7-1", "7.1", ["Make the inventory"]),
        ("r7-2", "7.2", ["Publish it", "3 units of work"]),  # no printed number: it continues the row above
    ]
    assert builder.recommendations[0].progress.owners[0] == ("CIO Council", None)


def test_recommendation_cells_mostly_without_a_number_keep_their_text():
    builder = build([["Recommendation", "Owner"], ["1. Do A", "MoJ"], ["Do B", "DfE"], ["Do C", "DfE"]])
    assert [(r.number, r.text) for r in builder.recommendations] == [
        (None, ["1. Do A"]),
        (None, ["Do B"]),
        (None, ["Do C"]),
    ]


def test_word_paragraphs_of_an_owner_cell_are_owners_unless_one_continues_the_one_above():
    builder = build(
        [
            ["Rec No", "Recommendation", "Responsible Owner", "Target Date"],
            ["1", "A.", "HMPPS\nRegional Director, NPS North West", "Commencing April 2021\nCompleted"],
            ["2", "B.", "YJB Priority Lead for\nResettlement\nDivisional Director\n(NPS Midlands)", "ongoing"],
            ["3", "C.", "Police Powers Unit Crime, Policing and\nFire Group Home Office", "April 2021\nDecember 2020"],
        ],
        kind="docx",
    )
    assert builder.problems == []
    first, second, third = builder.recommendations
    assert [text for text, _ in first.progress.owners] == ["HMPPS", "Regional Director, NPS North West"]
    assert [text for text, _ in second.progress.owners] == [
        "YJB Priority Lead for Resettlement",
        "Divisional Director (NPS Midlands)",
    ]
    assert [text for text, _ in third.progress.owners] == [
        "Police Powers Unit Crime, Policing and Fire Group Home Office"
    ]
    # a status printed in the Target Date cell, as a paragraph of its own, is the status
    assert (first.progress.target_dates, first.progress.status) == (
        [("Commencing April 2021", None)],
        Status.COMPLETE,
    )
    assert (second.progress.target_dates, second.progress.status) == ([], Status.ONGOING)
    assert [text for text, _ in third.progress.target_dates] == ["April 2021", "December 2020"]


def test_pdf_owner_lines_that_each_name_a_known_organisation_are_separate_owners():
    rows = [["Rec No", "Recommendation", "Owner"], ["1", "A.", "Ministry of Justice\nDepartment for Education"]]
    builder = PlanBuilder(OrganisationIndex(REGISTRY, {"moj", "dfe"}, add=False), {}, lenient=True)
    builder.read([Table("plan.pdf", "pdf", "table 1 (page 1)", list(enumerate(rows, start=1)))])
    [rec] = builder.recommendations
    assert rec.progress.owners == [("Ministry of Justice", "moj"), ("Department for Education", "dfe")]


def test_an_update_cell_of_bullet_points_gives_one_update_per_bullet():
    builder = build(
        [
            ["Rec No", "Recommendation", "Update", "Owner"],
            ["1", "A.", "• A Pathfinder was\ncommissioned.\n\n• A survey has been completed.", "MoJ"],
            ["2", "B.", "Action Plan (January 2020)\nSee the link:\n• https://www.gov.uk/plan", ""],
        ]
    )
    first, second = builder.recommendations
    assert [u.lines for u in first.updates] == [["A Pathfinder was", "commissioned."], ["A survey has been completed."]]
    assert first.progress.owners == [("MoJ", "moj")]  # one owner for several updates: the recommendation's
    # a bullet list after a paragraph stays in its update
    assert [(u.title, u.lines) for u in second.updates] == [
        ("Action Plan (January 2020)", ["See the link:", "• https://www.gov.uk/plan"])
    ]


def test_owners_joined_by_as_well_as_or_along_with_are_two():
    rows = [
        ["Milestone", "Responsible Party"],
        ["7.3 Share it", "CIO and Chief Data Officer\nCouncils, as well as other\ninteragency bodies"],
    ]
    builder = PlanBuilder(OrganisationIndex(REGISTRY, {"moj", "dfe"}, add=False), {}, lenient=True)
    builder.read([Table("plan.pdf", "pdf", "table 1 (page 1)", list(enumerate(rows, start=1)))])
    [rec] = builder.recommendations
    assert [text for text, _ in rec.progress.owners] == [
        "CIO and Chief Data Officer Councils",
        "other interagency bodies",
    ]


def test_one_status_per_action_bullet_goes_on_each_action():
    builder = build(
        [
            ["Recommendation", "Actions", "Refreshed Timescale"],
            ["A.", "• Map measures.\n• Consider a statement.", "COMPLETE\n\nONGOING - Long term (2022/2023+)"],
            ["B.", "• Pilot ending in March\n2020. The pilot has ended.", "COMPLETE"],
        ]
    )
    first, second = builder.recommendations
    assert [(a.progress.status, a.progress.status_text) for a in first.actions] == [
        (Status.COMPLETE, "COMPLETE"),
        (Status.ONGOING, "ONGOING - Long term (2022/2023+)"),
    ]
    assert (first.progress.status, first.progress.timescale) == (Status.ONGOING, "Long term (2022/2023+)")
    # a year at a line start is not a list number
    assert [a.text for a in second.actions] == ["Pilot ending in March\n2020. The pilot has ended."]
    assert second.progress.status is Status.COMPLETE
