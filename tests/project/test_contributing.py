"""CONTRIBUTING's "add a relation" recipe names every place a relation must be added, and each place names every relation.

A relation missing from one of them is a silent gap (SHACL refusing a valid link, a page with no style for an edge, a
spreadsheet cell with no colour, a JSON-LD term missing), so each place is read here for every ``Relation``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH

from crossplan.graph.model.nodes import RELATION_MEANINGS, Relation
from crossplan.graph.model.vocabulary import CP
from crossplan.graph.views.matrix import RELATION_COLOURS
from crossplan.graph.views.viz.styles import RELATION_STYLES

ROOT = Path(__file__).resolve().parents[2]  # the checkout: CONTRIBUTING.md and docs/ are not in the wheel
PLACES = (
    "graph/model/nodes.py",
    "graph/model/vocabulary.py",
    "ontology/crossplan.ttl",
    "ontology/shapes.ttl",
    "ontology/context.jsonld",
    "graph/views/viz/styles.py",
    "graph/views/matrix.py",
    "docs/data-format.md",
)


def _recipe() -> str:
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    start = text.index("**A relation**")
    return text[start : text.index("\n**", start + 1)]


def test_the_recipe_names_every_place():
    recipe = _recipe()
    assert [place for place in PLACES if place not in recipe] == []
    assert all(name in recipe for name in ("RELATION_MEANINGS", "RELATION_STYLES", "RELATION_COLOURS", "sh:in"))


@pytest.mark.parametrize("relation", list(Relation), ids=lambda relation: relation.value)
def test_every_place_names_every_relation(relation):
    turtle = relation.local_name
    assert relation.value in RELATION_MEANINGS
    assert getattr(CP, turtle) == relation.term
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "crossplan.ttl")
    assert (rdflib.URIRef(relation.term), rdflib.RDF.type, rdflib.OWL.ObjectProperty) in ontology
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    allowed = [
        set(Collection(shapes, listed))
        for shape, listed in shapes.subject_objects(SH["in"])
        if (shape, SH.path, rdflib.URIRef(CP.iri("relation"))) in shapes
    ]
    assert allowed and all(rdflib.URIRef(relation.term) in values for values in allowed)
    assert all(
        turtle in str(message)
        for shape in shapes.subjects(SH.path, rdflib.URIRef(CP.iri("relation")))
        for message in shapes.objects(shape, SH.message)
    )
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert context[turtle]["@id"] == f"cp:{turtle}"
    assert relation.value in RELATION_STYLES and relation.value in RELATION_COLOURS
    docs = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")
    assert f"| `{relation.value}` | `cp:{turtle}` |" in docs
    spelled = re.search(r"relation: .*#(.*)", docs)
    assert spelled is not None and relation.value in [part.strip() for part in spelled.group(1).split("|")]
