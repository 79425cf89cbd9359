"""graph/rdf/quads.py: the quads each kind of node and link becomes, their literal datatypes and graph names."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.rdf.quads import (
    dataset_quads,
    date_literal,
    file_ntriples,
    file_quad_list,
    file_quads,
    link_triples,
    node_triples,
    to_rdflib,
)

MINI = Path(__file__).parent.parent / "fixtures" / "mini"

# Written out by hand (not taken from graph/model/vocabulary.py) so that a changed term there fails here.
CP = "https://w3id.org/crossplan/ontology#"
ID = "https://w3id.org/crossplan/id/"
GRAPH = "https://w3id.org/crossplan/graph/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"


def cp(name: str) -> NamedNode:
    return NamedNode(CP + name)


def node(global_id: str) -> NamedNode:
    return NamedNode(ID + global_id)


def typed(value: str, datatype: str) -> Literal:
    return Literal(value, datatype=NamedNode(XSD + datatype))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(MINI)


def triples_of(dataset, global_id: str) -> set[tuple]:
    return set(node_triples(dataset.nodes[global_id]))


def test_a_plan_is_typed_identified_labelled_and_derived_from_its_source(dataset):
    triples = triples_of(dataset, "alpha")
    s = node("alpha")
    assert (s, RDF_TYPE, cp("Plan")) in triples
    assert (s, NamedNode(DCT + "identifier"), Literal("alpha")) in triples
    assert (s, NamedNode(DCT + "title"), Literal("The Alpha Plan")) in triples
    assert (s, NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), node("alpha-source")) in triples
    assert (s, cp("ownedBy"), node("alpha-board")) in triples
    # a plan is not in a plan
    assert not any(p == cp("inPlan") for _, p, _ in triples)


def test_a_recommendation_becomes_its_fields_with_ontology_terms_and_typed_literals(dataset):
    triples = triples_of(dataset, "alpha/r1")
    s = node("alpha/r1")
    assert (s, RDF_TYPE, cp("Recommendation")) in triples
    assert (s, cp("inPlan"), node("alpha")) in triples
    assert (s, cp("response"), cp("Agreed")) in triples
    assert (s, cp("addressedTo"), node("alpha-board")) in triples
    assert (s, cp("ownedBy"), node("alpha-board")) in triples
    assert (s, cp("ownerText"), Literal("Head of Policy (Alpha Board)")) in triples
    assert (s, cp("targetDate"), typed("2020-03", "gYearMonth")) in triples
    assert (s, cp("targetDateText"), Literal("March 2020")) in triples
    # the printed number stays text; the position is an integer
    assert (s, cp("number"), typed("1", "string")) in triples
    assert (s, cp("position"), typed("1", "integer")) in triples


def test_structure_actions_updates_and_workstreams_point_the_right_way(dataset):
    # the parent is the subject of cp:hasUpdate / cp:hasAction, the child its object
    assert (node("alpha/r1"), cp("hasUpdate"), node("alpha/r1-update-1")) in triples_of(dataset, "alpha/r1-update-1")
    action = triples_of(dataset, "beta/resettlement-1-action-1")
    assert (node("beta/resettlement-1"), cp("hasAction"), node("beta/resettlement-1-action-1")) in action
    assert (node("beta/resettlement-1-action-1"), RDF_TYPE, cp("Action")) in action
    recommendation = triples_of(dataset, "beta/resettlement-1")
    assert (node("beta/resettlement-1"), cp("inWorkstream"), node("beta/resettlement")) in recommendation
    assert (node("beta/resettlement-1"), cp("status"), cp("Ongoing")) in recommendation
    update = triples_of(dataset, "alpha/r1-update-1")
    assert (node("alpha/r1-update-1"), NamedNode(DCT + "date"), typed("2020-01", "gYearMonth")) in update


def test_registry_nodes_organisations_and_documents(dataset):
    policy = triples_of(dataset, "alpha-policy")
    s = node("alpha-policy")
    assert (s, RDF_TYPE, cp("Organisation")) in policy
    assert (s, RDF_TYPE, NamedNode("http://www.w3.org/ns/org#Organization")) in policy
    # an organisation is a sub-organisation, not dcterms:isPartOf
    assert (s, NamedNode("http://www.w3.org/ns/org#subOrganizationOf"), node("alpha-board")) in policy
    assert not any(p == NamedNode(DCT + "isPartOf") for _, p, _ in policy)
    board = triples_of(dataset, "alpha-board")
    assert (node("alpha-board"), NamedNode("http://www.w3.org/2004/02/skos/core#altLabel"), Literal("AB")) in board
    beta = triples_of(dataset, "beta-source")
    assert (node("beta-source"), cp("url"), typed("https://example.org/beta", "anyURI")) in beta
    assert (node("beta-source"), cp("sourceFile"), Literal("beta.txt")) in beta
    alpha = triples_of(dataset, "alpha-source")
    assert (node("alpha-source"), NamedNode(DCT + "publisher"), node("alpha-board")) in alpha


def test_a_link_is_a_direct_triple_and_a_qualified_resource(dataset):
    link = next(link for link in dataset.links if link.key == "alpha/r1 related-to beta/resettlement-1")
    triples = set(link_triples(link, "alpha-source"))
    resource = NamedNode(link.iri)
    assert link.iri.startswith(ID + "link/")
    assert (node("alpha/r1"), cp("relatedTo"), node("beta/resettlement-1")) in triples
    assert (resource, RDF_TYPE, cp("Link")) in triples
    assert (resource, cp("from"), node("alpha/r1")) in triples
    assert (resource, cp("to"), node("beta/resettlement-1")) in triples
    assert (resource, cp("relation"), cp("relatedTo")) in triples
    assert (resource, cp("basis"), cp("Judged")) in triples
    assert (resource, cp("quote"), Literal("accommodation on release")) in triples
    assert (resource, cp("targetQuote"), Literal("accommodation in place before release")) in triples
    # with no document of its own, a link is derived from its plan's source
    assert (resource, NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), node("alpha-source")) in triples


def test_a_link_without_target_quote_or_source_has_no_such_triples(dataset):
    link = next(link for link in dataset.links if link.key == "alpha/r2 duplicate-of alpha/r1")
    predicates = {p for _, p, _ in link_triples(link, None)}
    assert cp("duplicateOf") in predicates
    assert cp("targetQuote") not in predicates
    assert NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom") not in predicates


@pytest.mark.parametrize("text, datatype", [("2020", "gYear"), ("2020-03", "gYearMonth"), ("2020-03-01", "date")])
def test_date_literal_types_a_date_by_its_precision(text, datatype):
    assert date_literal(text) == typed(text, datatype)


def test_each_file_is_its_own_named_graph(dataset):
    by_file = {parsed.relpath: parsed for parsed in dataset.files}
    alpha = file_quad_list(by_file["plans/alpha.yaml"])
    assert alpha and {quad.graph_name for quad in alpha} == {NamedNode(GRAPH + "alpha")}
    organisations = list(file_quads(by_file["organisations.yaml"]))
    assert {quad.graph_name for quad in organisations} == {NamedNode(GRAPH + "organisations")}
    # a graph IRI given replaces the file's own
    renamed = list(file_quads(by_file["plans/alpha.yaml"], "urn:x:graph"))
    assert {quad.graph_name for quad in renamed} == {NamedNode("urn:x:graph")}
    assert [quad.triple for quad in renamed] == [quad.triple for quad in alpha]


def test_dataset_quads_for_some_plans_keeps_every_registry(dataset):
    graphs = {quad.graph_name.value for quad in dataset_quads(dataset, ["alpha"])}
    assert graphs == {GRAPH + name for name in ("alpha", "organisations", "documents", "programmes")}
    everything = {quad.graph_name.value for quad in dataset_quads(dataset)}
    assert GRAPH + "beta" in everything


def test_to_rdflib_merges_the_graphs_keeping_datatypes(dataset):
    graph = to_rdflib(dataset)
    assert len(graph) == len({quad.triple for quad in dataset_quads(dataset)})
    r1 = rdflib.URIRef(ID + "alpha/r1")
    assert graph.value(r1, rdflib.URIRef(CP + "position")) == rdflib.Literal(1, datatype=rdflib.XSD.integer)
    assert graph.value(r1, rdflib.URIRef(CP + "targetDate")).datatype == rdflib.XSD.gYearMonth
    only_alpha = to_rdflib(dataset, ["alpha"])
    assert (rdflib.URIRef(ID + "beta"), None, None) not in only_alpha
    assert (r1, None, None) in only_alpha


@pytest.mark.parametrize("fixture", ["mini", "export_nasty", None])
def test_a_files_n_triples_are_exactly_what_pyoxigraph_serialises(fixture):
    """The text the store keeps and loads is pyoxigraph's own N-Triples of the file's quads, byte for byte: control
    characters, quotes, backslashes, non-ASCII text and typed literals included."""
    data_dir = Path(__file__).parents[1] / "fixtures" / fixture if fixture else None
    for parsed in load_dataset(data_dir).files:
        text, count = file_ntriples(parsed)
        quads = file_quad_list(parsed)
        assert count == len(quads)
        assert text == (serialize((quad.triple for quad in quads), format=RdfFormat.N_TRIPLES) or b"")


def test_n_triples_escape_every_character_as_pyoxigraph_does():
    """str(term) is the canonical N-Triples form, the same as serialize gives, for every awkward character."""
    awkward = "".join(chr(code) for code in [*range(0, 0x2F), 0x5C, 0x7F, 0x80, 0x9C, 0xA0, 0x2028, 0xFEFF, 0x1F600])
    for literal in (Literal(awkward), Literal(awkward, language="en"), Literal(awkward, datatype=NamedNode("x:t"))):
        triple = Triple(NamedNode("https://w3id.org/crossplan/id/a"), NamedNode("x:p"), literal)
        assert f"{triple.subject} {triple.predicate} {triple.object} .\n".encode() == serialize(
            [triple], format=RdfFormat.N_TRIPLES
        )
