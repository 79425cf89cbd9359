"""The data model's terms and records (graph/model/nodes.py): one spelling per layer, links, locations, shortening."""

from __future__ import annotations

import pytest

from crossplan.graph.model.nodes import (
    SLUG,
    Basis,
    Link,
    Location,
    Node,
    NodeType,
    Relation,
    Response,
    Status,
    StructuralRelation,
    shorten,
)
from crossplan.graph.model.vocabulary import CP, node_iri

ALL_VOCABULARIES = [NodeType, Relation, StructuralRelation, Status, Response, Basis]


def test_each_term_has_its_yaml_spelling_python_name_and_ontology_term():
    relation = Relation("feeds-into")
    assert relation is Relation.FEEDS_INTO
    assert (relation.spelling, str(relation), relation.term) == ("feeds-into", "feeds-into", CP.feedsInto)
    assert Status.NOT_APPLICABLE.term == "https://w3id.org/crossplan/ontology#NotApplicable"
    assert Response.PARTLY_AGREED.spelling == "partly-agreed"


@pytest.mark.parametrize("enum", ALL_VOCABULARIES)
def test_from_term_reads_each_term_back_and_spellings_are_in_order(enum):
    for member in enum:
        assert enum.from_term(member.term) is member
    assert enum.spellings() == [member.value for member in enum]
    assert len(set(enum.spellings())) == len(enum)
    assert all(SLUG.fullmatch(spelling) for spelling in enum.spellings())


def test_a_term_of_another_vocabulary_or_a_misspelling_is_refused():
    with pytest.raises(ValueError, match="is not a Relation"):
        Relation.from_term(Status.COMPLETE.term)
    with pytest.raises(ValueError, match=r"feedsInto is not a Status"):
        Status.from_term(CP.feedsInto)
    with pytest.raises(ValueError):
        Relation("feeds_into")  # the Python spelling is not the YAML one
    with pytest.raises(ValueError):
        NodeType("Plan")


def test_slug_is_lower_case_words_joined_by_single_hyphens():
    for good in ("r1", "hmip-resettlement", "community-3", "2020"):
        assert SLUG.fullmatch(good), good
    for bad in ("R1", "a--b", "-a", "a-", "a_b", "a/b", "", "a b"):
        assert not SLUG.fullmatch(bad), bad


def test_a_location_prints_as_file_colon_line():
    assert str(Location("plans/alpha.yaml", 12)) == "plans/alpha.yaml:12"


def test_a_node_iri_is_made_from_its_global_id():
    node = Node("alpha/r1", NodeType.RECOMMENDATION, "R1", Location("plans/alpha.yaml", 3))
    assert node.iri == node_iri("alpha/r1")
    assert node.owners == [] and node.target_dates == []
    other = Node("alpha/r2", NodeType.RECOMMENDATION, "R2", Location("plans/alpha.yaml", 9))
    other.owners.append("x")
    assert node.owners == []  # each node has lists of its own


def test_a_link_iri_depends_on_its_ends_and_relation_only():
    where = Location("plans/alpha.yaml", 20)
    link = Link("alpha/r2", "alpha/r1", Relation.DUPLICATE_OF, Basis.EXPLICIT, "a quote", where)
    assert link.key == "alpha/r2 duplicate-of alpha/r1"
    same = Link("alpha/r2", "alpha/r1", Relation.DUPLICATE_OF, Basis.JUDGED, "other words", Location("x.yaml", 1))
    assert same.iri == link.iri
    assert link.iri.startswith(node_iri("link/"))
    assert Link("alpha/r1", "alpha/r2", Relation.DUPLICATE_OF, Basis.EXPLICIT, "q", where).iri != link.iri
    assert Link("alpha/r2", "alpha/r1", Relation.RELATED_TO, Basis.EXPLICIT, "q", where).iri != link.iri


def test_shorten_cuts_at_a_word_boundary_and_ends_with_an_ellipsis():
    text = "Provide central payment of accommodation retainers where necessary"
    assert shorten(text, 30) == "Provide central payment of…"
    assert shorten(text, len(text)) == text
    assert shorten("a, b, c, d, e, f", 7) == "a, b…"  # no trailing punctuation before the ellipsis
    for width in range(1, len(text) + 1):
        assert len(shorten(text, width)) <= width


def test_shorten_cuts_a_long_word_inside_it():
    assert shorten("x" * 20, 10) == "x" * 9 + "…"
    assert shorten("short") == "short"


@pytest.mark.parametrize("enum", [NodeType, Relation, Status, Response, Basis])
def test_spellings_by_term_map_every_term_to_its_yaml_spelling(enum):
    table = enum.spellings_by_term()
    assert table == {member.term: member.value for member in enum}
    assert len(table) == len(enum)


def test_every_relation_has_one_class_and_its_words():
    from crossplan.graph.model.nodes import (
        PART_OF,
        RELATION_MEANINGS,
        Relation,
        RelationClass,
        StructuralRelation,
        relation_class,
        relation_words,
    )

    spellings = [*Relation.spellings(), *StructuralRelation.spellings(), PART_OF]
    assert sorted(RELATION_MEANINGS) == sorted(spellings)
    assert {s: relation_class(s).value for s in spellings if relation_class(s) is not RelationClass.STRUCTURE} == {
        "feeds-into": "dependency",
        "delegated-to": "dependency",
        "duplicate-of": "dependency",
        "supersedes": "dependency",
        "related-to": "overlap",
        "references": "citation",
    }
    assert Relation.RELATED_TO.relation_class is RelationClass.OVERLAP
    # an overlap reads the same both ways and never as a dependency's words
    assert relation_words("related-to") == relation_words("related-to", forward=False) == "overlaps"
    dependency_words = {
        relation_words(s, forward)
        for s in spellings
        if relation_class(s) is RelationClass.DEPENDENCY
        for forward in (True, False)
    }
    assert "overlaps" not in dependency_words and len(dependency_words) == 8


def test_a_plan_without_a_short_title_goes_by_its_title_or_id():
    from crossplan.graph.model.nodes import default_short_title

    assert default_short_title("north", "The North Plan") == "North Plan"
    assert default_short_title("hmip-resettlement", "Action plan: A thematic inspection of youth resettlement") == (
        "hmip resettlement"
    )
