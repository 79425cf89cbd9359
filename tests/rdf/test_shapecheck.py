"""graph/rdf/shapecheck.py: the screen flags every node pyshacl reports, and pyshacl on the suspects' neighbourhood
reports exactly what it reports over every triple."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyoxigraph import RdfFormat, parse
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import SH

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.rdf.quads import to_rdflib
from crossplan.graph.rdf.shapecheck import FileScreen, Screen, compile_shapes, report_results
from crossplan.graph.resources import shapes_text

MINI = Path(__file__).parent.parent / "fixtures" / "mini"
ID = "https://w3id.org/crossplan/id/"
CP = rdflib.Namespace("https://w3id.org/crossplan/ontology#")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def _n(local: str) -> URIRef:
    return URIRef(ID + local)


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(data=shapes_text(), format="turtle")


def _mini() -> rdflib.Graph:
    return to_rdflib(load_dataset(MINI))


def _results(data: rdflib.Graph, shapes: rdflib.Graph, focus: set[str] | None = None) -> set[tuple]:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = set()
    for result in report_results(report, focus):
        path = report.value(result, SH.resultPath)
        found.add(
            (
                str(report.value(result, SH.focusNode)),
                str(report.value(result, SH.resultMessage)),
                str(path) if isinstance(path, URIRef) else None,
                str(report.value(result, SH.value)),
                str(report.value(result, SH.sourceConstraintComponent)),
            )
        )
    return found


def _screened(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[set[str], set[tuple]]:
    compiled = compile_shapes(shapes)
    assert compiled is not None
    screen = Screen(parse(data.serialize(format="nt").encode(), format=RdfFormat.N_TRIPLES), compiled)
    suspects = screen.suspects()
    focus = {node.value for node in suspects}
    if not suspects:
        return focus, set()
    from pyoxigraph import serialize

    text = serialize(screen.neighbourhood(suspects), format=RdfFormat.N_TRIPLES)
    return focus, _results(rdflib.Graph().parse(data=text.decode(), format="nt"), shapes, focus)


def test_the_mini_fixture_has_no_suspects(shapes):
    assert _screened(_mini(), shapes) == (set(), set())


def _no_text(g):
    g.remove((_n("alpha/r1"), CP.text, None))


def _owner_not_an_organisation(g):
    g.add((_n("alpha/r1"), CP.ownedBy, _n("beta")))


def _link_to_an_undefined_node(g):
    link = next(g.subjects(CP.to, _n("constructive-resettlement")))
    g.set((link, CP.to, _n("nowhere")))


def _action_without_its_recommendation(g):
    g.remove((_n("beta/resettlement-1"), CP.hasAction, None))


def _update_claimed_by_two_items_in_two_plans(g):
    g.add((_n("beta/resettlement-1"), CP.hasUpdate, _n("alpha/r1-update-1")))


def _impossible_date(g):
    g.set((_n("alpha/r1"), CP.targetDate, Literal("2020-02-30", datatype=XSD_DATE)))


def _bad_id(g):
    g.set((_n("alpha/r1"), DCT.identifier, Literal("Alpha_R1")))


def _two_ids(g):
    g.add((_n("beta"), DCT.identifier, Literal("beta-two")))


def _unknown_status(g):
    g.set((_n("alpha/r2"), CP.status, CP.Bogus))


def _organisation_without_org_type(g):
    g.remove((_n("alpha-policy"), RDF.type, URIRef("http://www.w3.org/ns/org#Organization")))


def _empty_label(g):
    g.add((_n("beta/resettlement"), rdflib.RDFS.label, Literal("")))


def _language_tagged_quote(g):
    link = next(g.subjects(CP.to, _n("alpha/r1")))
    g.add((link, CP.quote, Literal("a quote", lang="en")))


def _workstream_is_a_plan(g):
    g.set((_n("beta/resettlement-1"), CP.inWorkstream, _n("beta")))


def _publisher_is_a_literal(g):
    g.add((_n("beta-source"), DCT.publisher, Literal("The Board")))


MUTATIONS = [
    _no_text,
    _owner_not_an_organisation,
    _link_to_an_undefined_node,
    _action_without_its_recommendation,
    _update_claimed_by_two_items_in_two_plans,
    _impossible_date,
    _bad_id,
    _two_ids,
    _unknown_status,
    _organisation_without_org_type,
    _empty_label,
    _language_tagged_quote,
    _workstream_is_a_plan,
    _publisher_is_a_literal,
]


@pytest.mark.parametrize("mutate", MUTATIONS)
def test_pyshacl_on_the_suspects_reports_what_it_reports_on_every_triple(shapes, mutate):
    data = _mini()
    mutate(data)
    everything = _results(data, shapes)
    assert everything  # the mutation breaks a shape
    suspects, screened = _screened(data, shapes)
    assert suspects and suspects <= {result[0] for result in everything}
    assert screened == everything


def test_shapes_beyond_the_screen_are_not_compiled(shapes):
    extra = rdflib.Graph().parse(data=shapes_text(), format="turtle")
    extra.add((URIRef("urn:x:shape"), SH.targetNode, _n("alpha")))
    assert compile_shapes(extra) is None
    sparql = rdflib.Graph().parse(data=shapes_text(), format="turtle")
    shape = next(sparql.subjects(SH.targetClass, CP.Action))
    sparql.add((shape, SH.closed, Literal(True)))
    assert compile_shapes(sparql) is None
    assert compile_shapes(shapes) is not None


@pytest.mark.parametrize("mutate", [None, *MUTATIONS])
def test_screening_file_by_file_finds_the_same_suspects(shapes, mutate):
    """Each part of the graph screened alone, with what the other parts offer, suspects what the whole screen does."""
    data = _mini()
    if mutate:
        mutate(data)
    compiled = compile_shapes(shapes)
    assert compiled is not None
    triples = list(parse(data.serialize(format="nt").encode(), format=RdfFormat.N_TRIPLES))
    parts: dict[str, list] = {}
    for triple in triples:  # a "file" per first segment of the subject's id: every subject in one file
        parts.setdefault(triple.subject.value.removeprefix(ID).split("/")[0], []).append(triple)
    offers: dict = {}
    inverse: dict = {}

    def lookup(node, predicate, backwards):
        if backwards:
            return frozenset(inverse.get((node, predicate), ()))
        return frozenset(offers.get(node, {}).get(predicate, ()))

    screens = [FileScreen(part, compiled, lookup) for part in parts.values()]
    for screen in screens:
        offers.update(screen.offers())
        for subject, predicate, value in screen.inverse_triples():
            inverse.setdefault((value, predicate), set()).add(subject)
    assert len(screens) > 3 and len(offers) == len({triple.subject for triple in triples})
    found = set().union(*(screen.suspects() for screen in screens))
    assert found == Screen(triples, compiled).suspects()
    assert bool(found) == bool(mutate)
    # what a part read beyond its triples: the types of other parts' nodes (sh:class), at least
    assert any(predicate.endswith("#type") for screen in screens for _, predicate, _ in screen.reads)
