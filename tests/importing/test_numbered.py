"""Items under numbered headings: labelled paragraphs, parts answered by a response part, group headings, sections,
and responses read only from printed labels."""

from __future__ import annotations

from crossplan.graph.importing.builder import PlanBuilder
from crossplan.graph.importing.document import HEADING, PARAGRAPH, TABLE, Block, Document
from crossplan.graph.importing.numbered import read_numbered, summary_answers
from crossplan.graph.importing.organisations import OrganisationIndex


def builder():
    return PlanBuilder(OrganisationIndex([("yjb", "Youth Justice Board", ["YJB"])], set(), False), {}, lenient=True)


def read(blocks, summary=None):
    plan = builder()
    document = Document("pdf", "r.pdf", 3, blocks)
    read_numbered(document, plan, summary_answers(document) if summary is None else summary)
    return plan.recommendations


def test_what_we_heard_parts_answered_by_our_response():
    recs = read(
        [
            Block(HEADING, 1, "B. Theme 1: Data", level=2),
            Block(PARAGRAPH, 2, "B1.1 - What We Heard\nPeople want more data."),
            Block(PARAGRAPH, 2, "And they want it sooner."),
            Block(PARAGRAPH, 3, "B1.2 - Our Response\nWe agree. The YJB will publish by March 2024."),
        ]
    )
    [rec] = recs
    assert (rec.number, rec.text, rec.page, rec.response) == (
        "B1.1",
        ["People want more data.", "And they want it sooner."],
        2,
        None,
    )
    assert rec.updates[0].lines == ["We agree. The YJB will publish by March 2024."] and rec.updates[0].page == 3
    assert rec.review == [
        "response: given in prose only, without a printed label; not set",
        "owners: none printed in an owner cell; the response names yjb (a suggestion)",
        "target-dates: 'by March 2024' is read from the response's prose (no date cell): a suggestion, check it",
    ]
    assert rec.updates[0].progress.target_dates == [("by March 2024", "2024-03")]


def test_labelled_paragraphs_a_group_heading_and_a_summary_table():
    recs = read(
        [
            Block(
                TABLE,
                1,
                rows=[["Recommendation", "Response"], ["4a", "Accepted in full"], ["4b", "Accepted in principle"]],
            ),
            Block(HEADING, 2, "4. Data on diversion", level=3),
            Block(HEADING, 2, "4a) Collection", level=3),
            Block(PARAGRAPH, 2, "Recommendation 4a: Record the ethnicity of every child."),
            Block(PARAGRAPH, 2, "Response: Recording will start next year."),
            Block(HEADING, 2, "4b) Publication", level=3),
            Block(PARAGRAPH, 2, "Recommendation 4b: Publish the outcomes."),
        ]
    )
    assert [(rec.number, rec.text, rec.response and rec.response.value) for rec in recs] == [
        ("4a", ["Record the ethnicity of every child."], "agreed"),
        ("4b", ["Publish the outcomes."], None),
    ]
    assert recs[1].review[0].startswith("response: printed 'accepted in principle'")


def test_numbers_restarting_per_section_are_qualified_and_labels_read():
    recs = read(
        [
            Block(HEADING, 1, "Part one", level=1),
            Block(HEADING, 1, "1.", level=2),
            Block(PARAGRAPH, 1, "Do the first thing.", boxed=True),
            Block(PARAGRAPH, 1, "Not accepted. We will not."),
            Block(HEADING, 2, "Part two", level=1),
            Block(HEADING, 2, "1.", level=2),
            Block(PARAGRAPH, 2, "Do another thing."),
            Block(PARAGRAPH, 2, "Partly agreed: in Wales only."),
        ],
        summary={},
    )
    assert [(rec.id, rec.workstream, rec.response.value) for rec in recs] == [
        ("part-one-1", "part-one", "not-agreed"),
        ("part-two-1", "part-two", "partly-agreed"),
    ]


def test_a_response_heading_alone_and_a_lettered_section_line_bound_the_response():
    recs = read(
        [
            Block(PARAGRAPH, 4, "B4.1 - What We Heard\nPeople want FOIA to be easier."),
            Block(PARAGRAPH, 4, "B4.2 - Our Response"),  # alone at the foot of the page
            Block(PARAGRAPH, 5, "We share the vision."),
            Block(PARAGRAPH, 5, "C. Theme 2: Increase Civic Space to Engage the Public"),
            Block(PARAGRAPH, 5, "C1.1 - What We Heard\nPeople want to take part."),
            Block(PARAGRAPH, 5, "C1.2 - Our Response\nWe agree."),
        ]
    )
    first, second = recs
    assert (first.number, first.text) == ("B4.1", ["People want FOIA to be easier."])
    assert [update.lines for update in first.updates] == [["We share the vision."]]
    assert first.updates[0].page == 5
    assert (second.number, [update.lines for update in second.updates]) == ("C1.1", [["We agree."]])
