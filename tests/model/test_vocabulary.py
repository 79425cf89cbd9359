"""The closed namespaces match the ontology term for term; the enums' terms exist."""

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from crossplan.graph.model.nodes import Basis, NodeType, Relation, Response, Status, StructuralRelation
from crossplan.graph.model.vocabulary import CP, PREFIXES, global_id_of, node_iri
from crossplan.graph.resources import ontology_text


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(data=ontology_text(), format="turtle")


def _declared_terms(ontology):
    base = CP.base
    return {
        str(s)[len(base) :] for s in ontology.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(base)
    }


def test_every_cp_term_in_code_is_declared_in_the_ontology_and_vice_versa(ontology):
    assert CP.terms == _declared_terms(ontology)


def test_every_ontology_term_has_an_english_label_and_comment(ontology):
    for name in _declared_terms(ontology):
        term = rdflib.URIRef(CP.base + name)
        assert ontology.value(term, RDFS.label) is not None, name
        assert ontology.value(term, RDFS.comment) is not None, name


def test_misspelt_terms_fail():
    with pytest.raises(AttributeError, match="'feedInto' is not a term"):
        CP.feedInto  # noqa: B018
    with pytest.raises(AttributeError):
        CP["hasActions"]


def test_relations_are_object_properties_under_the_property_of_their_class(ontology):
    classes = {"dependency": CP.dependencyRelation, "overlap": CP.overlapRelation, "citation": CP.citationRelation}
    for relation in Relation:
        term = rdflib.URIRef(relation.term)
        assert (term, RDF.type, OWL.ObjectProperty) in ontology
        assert (term, SKOS.notation, rdflib.Literal(relation.value)) in ontology
        supers = {str(o) for o in ontology.objects(term, RDFS.subPropertyOf) if str(o) in classes.values()}
        assert supers == {classes[relation.relation_class.value]}, relation  # the model's class, and only it
    for name, term in classes.items():
        assert (rdflib.URIRef(term), SKOS.notation, rdflib.Literal(name)) in ontology
        assert (rdflib.URIRef(term), RDFS.subPropertyOf, rdflib.URIRef(CP.linkRelation)) in ontology


@pytest.mark.parametrize(
    "enum, scheme", [(Status, CP.StatusScheme), (Response, CP.ResponseScheme), (Basis, CP.BasisScheme)]
)
def test_status_schemes_are_separate_skos_schemes_with_the_yaml_spelling_as_notation(ontology, enum, scheme):
    members = set(ontology.subjects(SKOS.inScheme, rdflib.URIRef(scheme)))
    assert members == {rdflib.URIRef(member.term) for member in enum}
    for member in enum:
        assert str(ontology.value(rdflib.URIRef(member.term), SKOS.notation)) == member.value


def test_classes_and_structure_terms_exist(ontology):
    for kind in NodeType:
        assert (rdflib.URIRef(kind.term), RDF.type, OWL.Class) in ontology
    for structural in StructuralRelation:
        assert (rdflib.URIRef(structural.term), RDF.type, OWL.ObjectProperty) in ontology
    organisation = rdflib.URIRef(CP.Organisation)
    assert (organisation, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/org#Organization")) in ontology


def test_iris_and_prefixes():
    assert node_iri("hmip-resettlement/r6") == "https://w3id.org/crossplan/id/hmip-resettlement/r6"
    assert global_id_of(node_iri("yj-blueprint/community-3")) == "yj-blueprint/community-3"
    assert global_id_of("http://example.org/x") is None
    assert PREFIXES["cp"] == "https://w3id.org/crossplan/ontology#"
    assert set(PREFIXES) == {"cp", "rdf", "rdfs", "xsd", "owl", "dcterms", "skos", "org", "prov"}
