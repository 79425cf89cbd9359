"""The resources shipped inside the package (graph/resources.py): the ontology, the shapes, the data, the queries."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, parse

import crossplan
from crossplan.graph.model.vocabulary import CP, RDF
from crossplan.graph.resources import ontology_text, queries_dir, shapes_text, shipped_data_dir

PACKAGE = Path(crossplan.__file__).parent
SHACL = "http://www.w3.org/ns/shacl#"


def _triples(text: str) -> list:
    return list(parse(text.encode("utf-8"), format=RdfFormat.TURTLE))


def test_the_ontology_is_turtle_that_declares_the_crossplan_classes():
    triples = _triples(ontology_text())
    classes = {t.subject for t in triples if t.predicate == NamedNode(RDF.type)}
    assert NamedNode(CP.Plan) in classes
    assert NamedNode(CP.Link) in classes


def test_the_shapes_are_turtle_with_node_shapes():
    triples = _triples(shapes_text())
    shapes = [t for t in triples if t.predicate == NamedNode(RDF.type) and t.object == NamedNode(SHACL + "NodeShape")]
    assert shapes


def test_the_shipped_data_holds_the_two_curated_plans_and_the_registries():
    data = shipped_data_dir()
    assert data.is_dir()
    assert data.resolve().is_relative_to(PACKAGE.resolve())
    assert len(list((data / "plans").glob("*.yaml"))) == 2
    for registry in ("organisations.yaml", "documents.yaml", "programmes.yaml"):
        assert (data / registry).is_file(), registry


def test_the_shipped_data_loads_without_errors():
    from crossplan.graph.datafiles.loading import load_dataset

    dataset = load_dataset(shipped_data_dir())
    plans = [node for parsed in dataset.files for node in parsed.nodes if node.type.value == "plan"]
    assert len(plans) == 2


def test_every_saved_query_is_a_titled_rq_file_in_the_package():
    directory = queries_dir()
    assert directory.resolve().is_relative_to(PACKAGE.resolve())
    queries = sorted(directory.glob("*.rq"))
    assert queries
    for path in queries:
        assert path.read_text(encoding="utf-8").startswith("# title: "), path.name
