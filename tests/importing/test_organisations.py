"""Finding registry organisations in printed text, and adding new ones (graph.importing.organisations)."""

from __future__ import annotations

from pathlib import Path

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.importing.organisations import NewOrganisation, OrganisationIndex

REGISTRY = [
    ("moj", "Ministry of Justice", ["MoJ"]),
    ("dfe", "Department for Education", ["DfE"]),
    ("hmpps", "Her Majesty's Prison and Probation Service", ["HMPPS"]),
    ("nps", "National Probation Service", ["NPS"]),
    ("nps-midlands", "National Probation Service Midlands", ["NPS Midlands"]),
]


def index(add: bool = False, taken: set[str] | None = None) -> OrganisationIndex:
    return OrganisationIndex(REGISTRY, taken or {org_id for org_id, _, _ in REGISTRY}, add)


def found(text: str, organisations: OrganisationIndex | None = None) -> list[tuple[str, str]]:
    return [(text[start:end], org_id) for start, end, org_id in (organisations or index()).find(text)]


def test_names_match_in_any_case_and_abbreviations_in_their_own():
    assert found("the MINISTRY OF JUSTICE and the MoJ") == [("MINISTRY OF JUSTICE", "moj"), ("MoJ", "moj")]
    assert found("MOJ, moj and Moj") == []


def test_names_match_as_whole_words_longest_first():
    assert found("National Probation Service Midlands and National Probation Service") == [
        ("National Probation Service Midlands", "nps-midlands"),
        ("National Probation Service", "nps"),
    ]
    assert found("DfEs, NPSx and preMoJ") == []


def test_curly_apostrophes_and_line_breaks_match_the_registry_name():
    text = "Her Majesty’s Prison and\nProbation Service"
    assert found(text) == [(text, "hmpps")]


def test_an_owner_cell_names_one_organisation_or_none():
    organisations = index()
    assert organisations.organisation_of_owner("Divisional Director\n(NPS Midlands)") == "nps-midlands"
    assert organisations.organisation_of_owner("MoJ lead, Ministry of Justice") == "moj"
    assert organisations.organisation_of_owner("MoJ and DfE leads") is None
    assert organisations.organisation_of_owner("Head of Service") is None


def test_addressees_in_order_once_each_with_unknown_names_listed():
    organisations = index()
    ids = organisations.addressees("The Ministry of Justice, DfE, the MoJ and Local Authorities")
    assert ids == ["moj", "dfe"]
    assert organisations.unknown == ["Local Authorities"]
    assert organisations.added == []
    organisations.addressees("Local Authorities; partners, agencies, others, etc.")
    assert organisations.unknown == ["Local Authorities"]  # listed once; stop words are not names


def test_add_makes_new_organisations_with_free_ids():
    organisations = index(add=True, taken={"moj", "dfe", "ycs", "local-authorities"})
    ids = organisations.addressees("MoJ, Youth Custody Service (YCS) and Local Authorities")
    assert ids == ["moj", "ycs-2", "local-authorities-2"]
    assert organisations.added == [
        NewOrganisation("ycs-2", "Youth Custody Service", "YCS"),
        NewOrganisation("local-authorities-2", "Local Authorities", None),
    ]
    assert organisations.unknown == []
    # once added, they are found like any other: by name, or by abbreviation
    assert organisations.addressees("YCS and the youth custody service") == ["ycs-2"]
    assert len(organisations.added) == 2


def test_from_dataset_indexes_the_organisations_and_takes_every_id():
    dataset = load_dataset(Path(__file__).parents[1] / "fixtures" / "mini")
    organisations = OrganisationIndex.from_dataset(dataset, "alpha-team", add=True)
    assert organisations.organisation_of_owner("The Alpha Policy Team lead") == "alpha-policy"
    assert organisations.organisation_of_owner("AB chair") == "alpha-board"
    assert set(dataset.nodes) <= organisations.taken_ids and "alpha-team" in organisations.taken_ids
    assert organisations.addressees("Alpha Team") == ["alpha-team-2"]  # the new plan's id is taken
