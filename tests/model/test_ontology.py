"""The shipped ontology and shapes are valid resources, and the shipped data conforms to the shapes."""

import pyshacl
import rdflib

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.rdf.quads import to_rdflib
from crossplan.graph.rdf.validation import check_shapes
from crossplan.graph.resources import ontology_text, shapes_text


def test_ontology_is_an_owl_ontology():
    graph = rdflib.Graph().parse(data=ontology_text(), format="turtle")
    ontology = rdflib.URIRef("https://w3id.org/crossplan/ontology")
    assert (ontology, rdflib.RDF.type, rdflib.OWL.Ontology) in graph


def test_shapes_pass_shacl_shacl():
    shapes = rdflib.Graph().parse(data=shapes_text(), format="turtle")
    conforms, _, text = pyshacl.validate(rdflib.Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


def test_shipped_data_conforms_to_the_shapes():
    assert check_shapes(load_dataset()) == []


def test_shapes_catch_a_link_to_an_undefined_node_and_a_missing_text(mini_data):
    dataset = load_dataset(mini_data)
    graph = to_rdflib(dataset)
    shapes = rdflib.Graph().parse(data=shapes_text(), format="turtle")
    cp = rdflib.Namespace("https://w3id.org/crossplan/ontology#")
    link = next(graph.subjects(rdflib.RDF.type, cp.Link))
    graph.set((link, cp.to, rdflib.URIRef("https://w3id.org/crossplan/id/nowhere")))
    r1 = rdflib.URIRef("https://w3id.org/crossplan/id/alpha/r1")
    graph.remove((r1, cp.text, None))
    conforms, report, text = pyshacl.validate(graph, shacl_graph=shapes)
    assert not conforms
    assert "the link points to a node that is not defined" in text
    assert "a recommendation needs its text unless it was removed" in text
