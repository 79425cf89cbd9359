"""Export formats: every RDF format re-parses isomorphic in rdflib, pyoxigraph and rapper; nasty text survives all."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from pathlib import Path

import networkx
import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from crossplan.graph.datafiles.loading import load_dataset
from crossplan.graph.errors import CrossplanError
from crossplan.graph.model.nodes import Relation, StructuralRelation
from crossplan.graph.model.vocabulary import CP, DCTERMS, GRAPH_BASE, RDFS, SKOS, XSD, graph_iri, node_iri
from crossplan.graph.stores.embedded import CrossplanStore, memory_store, open_store
from crossplan.graph.views.export import export_formats, export_graph, flatten_graph, spelling

FIXTURES = Path(__file__).parents[1] / "fixtures"
NASTY = FIXTURES / "export_nasty"
RAPPER = "/usr/bin/rapper"

# format name -> (rdflib parser, pyoxigraph format, carries named graphs)
RDF_FORMATS = {
    "turtle": ("turtle", pyoxigraph.RdfFormat.TURTLE, False),
    "ntriples": ("nt", pyoxigraph.RdfFormat.N_TRIPLES, False),
    "nquads": ("nquads", pyoxigraph.RdfFormat.N_QUADS, True),
    "trig": ("trig", pyoxigraph.RdfFormat.TRIG, True),
    "jsonld": ("json-ld", pyoxigraph.RdfFormat.JSON_LD, False),
    "rdfxml": ("xml", pyoxigraph.RdfFormat.RDF_XML, False),
}

# The nasty fixture's values as written in its YAML (after the loader's whitespace normalisation); where a
# node has several values the flat formats join them with "; " in code-point order.
NASTY_TITLE = "Plan <b>\"Nasty\"</b> & 'friends': 50% ]]> --> \\n is not a newline"
NASTY_TEXT = (
    "Angle <brackets> & ampersands &amp; per cent %20 and %s, hash # and braces {x} ${y} "
    "run over two lines; XML ends ]]> and comments -->."
)
NASTY_UPDATE = (
    "Non-ASCII: naïve café, 日本語, مرحبا, 😀, ﬁ; a zero-width space \u200b and a right-to-left mark \u200f stay."
)
NASTY_ACTION = "Action with a backslash \\ and \\n \\t \\u0041 that are not escapes."
NASTY_STATUS = '=HYPERLINK("https://evil.example/","click")'
NASTY_ORGANISATION = 'The "Quote" Board <QB> & Partners – 100% Café'
NASTY_PROGRAMME = "Programme with tabs and new lines and CR"
NASTY_NOTE = "=cmd|' /C calc'!A0 is a classic injection"
NASTY_URL = "https://example.org/a%20b?x=1&y=<2>#frag"
NASTY_VALUES = {
    "nasty": {"label": NASTY_TITLE, "title": NASTY_TITLE},
    "nasty/r1": {
        "text": NASTY_TEXT,
        "statusText": NASTY_STATUS,
        "number": "-1",
        "timescale": "+6 months (2021/22+)",
        "addresseeText": '@The "Quote" Board should:',
        "ownerText": "-Deputy; Lead; Director <QB> & Co",
    },
    "nasty/r1-update-1": {"text": NASTY_UPDATE, "title": "Update «1» — 100%"},
    "nasty/r2-action-1": {"text": NASTY_ACTION},
    "quote-board": {"label": NASTY_ORGANISATION, "altLabel": "+QB; -QB; =SUM(A1:A9); @QB"},
    "unicode-office": {"label": "Office of naïve 日本語 مرحبا 😀 ﬁ separators", "altLabel": "U\u200bO; U\u200fO"},
    "tab-programme": {"label": NASTY_PROGRAMME},
    "nasty-source": {"url": NASTY_URL, "license": "Open Government Licence v3.0 — “OGL”"},
    "other/o1": {"text": 'Parse {"json": [1, 2]} safely; ${x} %s {0} stay as typed.'},
}


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """The embedded stores of the mini fixture, the nasty fixture and the shipped data."""
    root = tmp_path_factory.mktemp("stores")
    return {
        "mini": open_store(FIXTURES / "mini", root / "mini"),
        "nasty": open_store(NASTY, root / "nasty"),
        "shipped": open_store(None, root / "shipped"),
    }


def rdflib_term(term):
    """Convert a pyoxigraph term to rdflib term by term, without going through any serialisation."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return rdflib.URIRef(term.value)
    if kind == "BlankNode":
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD.string:  # rdflib spells a plain string without a datatype
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def expected_graphs(store, plans=None) -> dict[str, rdflib.Graph]:
    """The store's data graphs (every plan's, or only some, and the registries'), straight from the YAML: the named
    graphs of an in-memory store of the same data, made without the on-disk store's files (an in-memory store's own)."""
    reference = store if store.path is None else memory_store(load_dataset(store.data_dir))
    graphs = {}
    for graph in reference.data_graphs():
        name = graph[len(GRAPH_BASE) :]
        if plans is not None and not name.startswith("registry/") and name not in plans:
            continue
        target = graphs[graph] = rdflib.Graph()
        for quad in reference.oxigraph.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph)):
            target.add(tuple(rdflib_term(term) for term in quad.triple))
    return graphs


def union(graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    merged = rdflib.Graph()
    for graph in graphs.values():
        for triple in graph:
            merged.add(triple)
    return merged


def parse_with_rdflib(data: bytes, parser: str, quads: bool):
    if quads:
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format=parser)
        return {str(g.identifier): rdflib.Graph() + g for g in dataset.graphs() if len(g)}
    return rdflib.Graph().parse(data=data, format=parser)


def parse_with_pyoxigraph(data: bytes, rdf_format, quads: bool):
    if quads:
        graphs: dict[str, rdflib.Graph] = {}
        for quad in pyoxigraph.parse(data, format=rdf_format):
            graphs.setdefault(quad.graph_name.value, rdflib.Graph()).add(tuple(rdflib_term(t) for t in quad.triple))
        return graphs
    graph = rdflib.Graph()
    for triple in pyoxigraph.parse(data, format=rdf_format):
        graph.add(tuple(rdflib_term(t) for t in (triple.subject, triple.predicate, triple.object)))
    return graph


def assert_same(parsed, expected: dict[str, rdflib.Graph], quads: bool) -> None:
    if quads:
        assert sorted(parsed) == sorted(expected)
        for name, graph in expected.items():
            assert isomorphic(parsed[name], graph), name
    else:
        assert isomorphic(parsed, union(expected))


@pytest.mark.parametrize("data_set", ["mini", "nasty", "shipped"])
@pytest.mark.parametrize("format_name", list(RDF_FORMATS))
def test_every_rdf_format_reparses_isomorphic_in_rdflib_and_pyoxigraph(stores, data_set, format_name):
    store = stores[data_set]
    parser, rdf_format, quads = RDF_FORMATS[format_name]
    data = export_graph(store, format_name)
    expected = expected_graphs(store)
    assert len(union(expected)) > 50
    assert_same(parse_with_rdflib(data, parser, quads), expected, quads)
    assert_same(parse_with_pyoxigraph(data, rdf_format, quads), expected, quads)


@pytest.mark.parametrize("format_name", ["nquads", "trig", "turtle", "jsonld"])
def test_plan_restricts_every_format_to_that_plan_and_the_registries(stores, format_name):
    store = stores["nasty"]
    parser, rdf_format, quads = RDF_FORMATS[format_name]
    data = export_graph(store, format_name, plans=["other"])
    expected = expected_graphs(store, plans=["other"])
    assert sorted(expected) == [
        graph_iri("other"),
        *(graph_iri(f"registry/{name}") for name in ("documents", "organisations", "programmes")),
    ]
    assert_same(parse_with_pyoxigraph(data, rdf_format, quads), expected, quads)


def test_named_graphs_hold_one_plan_each(stores):
    data = export_graph(stores["shipped"], "trig")
    graphs = parse_with_pyoxigraph(data, pyoxigraph.RdfFormat.TRIG, True)
    plans_in = {name: {str(o) for o in graph.objects(None, rdflib.URIRef(CP.inPlan))} for name, graph in graphs.items()}
    assert plans_in[graph_iri("yj-blueprint")] == {node_iri("yj-blueprint")}
    assert plans_in[graph_iri("hmip-resettlement")] == {node_iri("hmip-resettlement")}
    assert plans_in[graph_iri("registry/organisations")] == set()


def rapper_ntriples(path: Path, syntax: str) -> rdflib.Graph:
    done = subprocess.run(
        [RAPPER, "-q", "-i", syntax, "-o", "ntriples", str(path), "https://example.org/base"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b"", done.stderr.decode()
    return rdflib.Graph().parse(data=done.stdout, format="nt")


@pytest.mark.parametrize("data_set", ["nasty", "shipped"])
@pytest.mark.parametrize(
    "format_name, syntax",
    [("turtle", "turtle"), ("ntriples", "ntriples"), ("rdfxml", "rdfxml"), ("trig", "trig"), ("nquads", "nquads")],
)
def test_rapper_reads_the_export_as_the_same_graph(stores, tmp_path, data_set, format_name, syntax):
    store = stores[data_set]
    path = tmp_path / f"export{export_formats()[format_name].suffix}"
    export_graph(store, format_name, path)
    assert isomorphic(rapper_ntriples(path, syntax), union(expected_graphs(store)))


def test_the_nasty_values_are_in_the_store_as_written(stores):
    # The isomorphism tests compare exports with the store: check the store holds the text as the YAML wrote it.
    rows = {
        (row["id"], row["p"]): row["value"]
        for row in stores["nasty"].select(
            "SELECT ?id ?p ?value WHERE { ?n dcterms:identifier ?id ; ?p ?value . FILTER(isLiteral(?value)) }"
        )
    }
    assert rows[("nasty", DCTERMS.title)] == NASTY_TITLE
    assert rows[("nasty/r1", CP.text)] == NASTY_TEXT
    assert rows[("nasty/r1-update-1", CP.text)] == NASTY_UPDATE
    assert rows[("nasty/r2-action-1", CP.text)] == NASTY_ACTION
    assert rows[("quote-board", RDFS.label)] == NASTY_ORGANISATION
    assert rows[("tab-programme", RDFS.label)] == NASTY_PROGRAMME
    assert rows[("nasty-source", CP.url)] == NASTY_URL


def check_nasty_attributes(nodes: dict[str, dict]) -> None:
    for node, values in NASTY_VALUES.items():
        for name, value in values.items():
            assert nodes[node][name] == value, (node, name)


@pytest.mark.parametrize("format_name, read", [("graphml", networkx.read_graphml), ("gexf", networkx.read_gexf)])
def test_graph_tools_read_nodes_attributes_and_labelled_edges(stores, tmp_path, format_name, read):
    path = tmp_path / f"graph.{format_name}"
    export_graph(stores["nasty"], format_name, path)
    graph = read(path)
    assert isinstance(graph, networkx.MultiDiGraph)
    check_nasty_attributes(dict(graph.nodes(data=True)))
    assert graph.nodes["nasty/r1"]["type"] == "recommendation"
    assert graph.nodes["nasty/r1"]["position"] == 1  # typed: an integer, not text
    assert graph.nodes["nasty/r1"]["response"] == "partly-agreed"
    assert graph.nodes["nasty/r1"]["status"] == "ongoing"
    assert graph.nodes["nasty/r1"]["inPlan"] == "nasty"
    assert graph.nodes["nasty/r1"]["addressedTo"] == "quote-board; unicode-office"
    feeds = [data for _, target, data in graph.out_edges("nasty/r1", data=True) if data["label"] == "feeds-into"]
    assert [(d["basis"], d["quote"], d["targetQuote"]) for d in feeds] == [
        ("judged", "Angle <brackets> & ampersands &amp; per cent %20", '{"json": [1, 2]}')
    ]
    duplicate = [data for _, _, data in graph.out_edges("nasty/r2", data=True) if data["label"] == "duplicate-of"]
    assert [(d["basis"], d["note"]) for d in duplicate] == [("explicit", NASTY_NOTE)]
    labels = {(source, data["label"], target) for source, target, data in graph.edges(data=True)}
    assert ("nasty/r1", "in-plan", "nasty") in labels
    assert ("nasty/r1", "owned-by", "quote-board") in labels
    assert ("nasty/r1", "addressed-to", "unicode-office") in labels
    assert ("unicode-office", "sub-organization-of", "quote-board") in labels
    assert ("nasty/r1", "has-update", "nasty/r1-update-1") in labels


def test_graph_tools_get_one_node_per_entity_and_one_edge_per_relation(stores):
    store = stores["shipped"]
    from crossplan.graph.views.export import data_triples

    flat = flatten_graph(data_triples(store))
    entities = store.select(
        "SELECT (COUNT(DISTINCT ?n) AS ?count) WHERE { ?n a ?type FILTER(?type != cp:Link && STRSTARTS(STR(?n), 'https://w3id.org/crossplan/id/')) }"
    )
    assert len(flat.nodes) == entities[0]["count"]
    links = store.select("SELECT (COUNT(?link) AS ?count) WHERE { ?link a cp:Link }")
    assert len(flat.links) == links[0]["count"]
    references = store.select(
        "SELECT (COUNT(*) AS ?count) WHERE { ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), 'https://w3id.org/crossplan/id/')) FILTER NOT EXISTS { ?s a cp:Link } }"
    )
    # each dependency triple is one edge, carried by its cp:Link; every other reference is one plain edge
    assert len(flat.edges) == references[0]["count"]
    assert len({key for _, _, key, _ in flat.edges}) == len(flat.edges)  # unique edge ids (Gephi merges duplicates)


def test_edge_labels_are_the_yaml_spellings_of_the_relations():
    for relation in (*Relation, *StructuralRelation):
        assert spelling(relation.term) == relation.value


def read_csv_tables(tables: dict[str, bytes]) -> dict[str, list[dict]]:
    out = {}
    for name, content in tables.items():
        assert content.startswith(b"\xef\xbb\xbf")  # Excel needs the byte-order mark to read UTF-8
        out[name] = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    return out


DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_is_safe_in_a_spreadsheet_and_loses_nothing_else(stores, tmp_path):
    path = tmp_path / "nasty.zip"
    export_graph(stores["nasty"], "csv", path)
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["nodes.csv", "links.csv"]
        tables = read_csv_tables({name: archive.read(name) for name in archive.namelist()})
    for rows in tables.values():
        for row in rows:
            for value in row.values():
                assert not value.startswith(DANGEROUS), value
    unescaped = {
        row["id"]: {k: (v[1:] if v.startswith("'") else v) for k, v in row.items()} for row in tables["nodes.csv"]
    }
    check_nasty_attributes(unescaped)
    assert unescaped["nasty/r1"]["position"] == "1"
    assert tables["nodes.csv"][0].keys() >= {"id", "type", "label", "iri"}
    assert list(tables["links.csv"][0])[:7] == ["id", "from", "relation", "to", "basis", "quote", "targetQuote"]
    duplicate = [row for row in tables["links.csv"] if row["relation"] == "duplicate-of"]
    assert [(row["from"], row["to"], row["note"]) for row in duplicate] == [("nasty/r2", "nasty/r1", "'" + NASTY_NOTE)]


def test_csv_into_a_directory_writes_two_files(stores, tmp_path):
    assert export_graph(stores["mini"], "csv", tmp_path) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.csv", "nodes.csv"]
    tables = read_csv_tables({p.name: p.read_bytes() for p in tmp_path.iterdir()})
    # mini has 2 plans, 1 workstream, 3 recommendations, 1 action, 1 update, 2 organisations, 2 documents, 1 programme
    assert len(tables["nodes.csv"]) == 13 and len(tables["links.csv"]) == 3
    with pytest.raises(CrossplanError, match=r"^csv writes two tables: give -o FILE\.zip or -o an existing directory$"):
        export_graph(stores["mini"], "csv", tmp_path / "nodes.csv")


def test_jsonld_reads_as_plain_json(stores):
    document = json.loads(export_graph(stores["mini"], "jsonld"))
    nodes = {node["id"]: node for node in document["@graph"]}
    assert nodes["alpha/r1"] == {
        "id": "alpha/r1",
        "type": "Recommendation",
        "identifier": "alpha/r1",
        "label": "Improve accommodation on release for children leaving custody, a minimum of…",
        "text": "Improve accommodation on release for children leaving custody, a minimum of one month prior to release.",
        "number": "1",
        "position": 1,
        "inPlan": "alpha",
        "hasUpdate": ["alpha/r1-update-1"],
        "response": "Agreed",
        "addressedTo": ["alpha-board"],
        "ownedBy": ["alpha-board"],
        "ownerText": ["Head of Policy (Alpha Board)"],
        "targetDate": [{"value": "2020-03", "type": "xsd:gYearMonth"}],
        "targetDateText": ["March 2020"],
        "relatedTo": ["beta/resettlement-1"],
    }
    assert nodes["alpha-board"]["type"] == ["Organisation", "Organization"]
    link = next(node for node in nodes.values() if node["type"] == "Link" and node["relation"] == "duplicateOf")
    assert {key: link[key] for key in ("from", "to", "basis", "quote")} == {
        "from": "alpha/r2",
        "to": "alpha/r1",
        "basis": "Explicit",
        "quote": "This is a duplicate of recommendation 1 and was removed.",
    }


def test_the_context_is_shipped_exportable_and_enough_to_read_the_export(stores):
    from importlib.resources import files

    shipped = (files("crossplan.ontology") / "context.jsonld").read_bytes()
    assert export_graph(stores["mini"], "jsonld-context") == shipped
    # A reader who has only the context file (say, from a URL) reads the same graph.
    document = json.loads(export_graph(stores["nasty"], "jsonld"))
    document["@context"] = json.loads(shipped)["@context"]
    graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
    assert isomorphic(graph, union(expected_graphs(stores["nasty"])))


def test_every_context_term_names_a_term_of_the_vocabulary():
    from crossplan.graph.model.vocabulary import ORG, PROV, XSD
    from crossplan.graph.views.export import _context

    known = {CP.base + name for name in CP.terms} | {DCTERMS.base + name for name in DCTERMS.terms}
    known |= {RDFS.label, SKOS.altLabel, SKOS.note, ORG.Organization, ORG.subOrganizationOf, PROV.wasDerivedFrom}
    context = _context()
    for iri in context.by_iri:
        assert iri in known, iri
    for terms in context.by_iri.values():
        for term in terms:
            assert term.coerce in (None, "@id", "@vocab", XSD.anyURI), term


# -- text no serialiser may lose: newlines, carriage returns, tabs; and what XML cannot hold ------------


def synthetic_store(text: str) -> CrossplanStore:
    from pyoxigraph import Literal, NamedNode, Quad, Store

    store = Store()
    graph = NamedNode(graph_iri("synthetic"))
    subject = NamedNode(node_iri("synthetic/r1"))
    store.extend(
        [
            Quad(
                subject,
                NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                NamedNode(CP.Recommendation),
                graph,
            ),
            Quad(subject, NamedNode(CP.text), Literal(text), graph),
            Quad(subject, NamedNode(RDFS.label), Literal("\t" + text), graph),
        ]
    )
    return CrossplanStore(store, None, None)


RAW = "line one\nline two\r\nwindows\rmac\ttab  two  spaces \\n \"\"\" ''' ]]> &amp; é 😀"


@pytest.mark.parametrize("format_name", list(RDF_FORMATS))
def test_raw_newlines_carriage_returns_and_tabs_survive_every_rdf_format(format_name):
    store = synthetic_store(RAW)
    parser, rdf_format, quads = RDF_FORMATS[format_name]
    data = export_graph(store, format_name)
    expected = expected_graphs(store)
    assert_same(parse_with_rdflib(data, parser, quads), expected, quads)
    assert_same(parse_with_pyoxigraph(data, rdf_format, quads), expected, quads)


@pytest.mark.parametrize("format_name, syntax", [("turtle", "turtle"), ("ntriples", "ntriples"), ("rdfxml", "rdfxml")])
def test_rapper_keeps_raw_newlines_and_carriage_returns(tmp_path, format_name, syntax):
    store = synthetic_store(RAW)
    path = tmp_path / "synthetic"
    export_graph(store, format_name, path)
    assert isomorphic(rapper_ntriples(path, syntax), union(expected_graphs(store)))


@pytest.mark.parametrize("format_name, read", [("graphml", networkx.read_graphml), ("gexf", networkx.read_gexf)])
def test_raw_newlines_carriage_returns_and_tabs_survive_the_graph_formats(tmp_path, format_name, read):
    path = tmp_path / f"synthetic.{format_name}"
    export_graph(synthetic_store(RAW), format_name, path)
    node = read(path).nodes["synthetic/r1"]
    assert (node["text"], node["label"]) == (RAW, "\t" + RAW)


def test_csv_prefixes_cells_starting_with_tab_or_carriage_return():
    for start in ("\t", "\r"):
        tables = read_csv_tables(export_formats()["csv"].tables(synthetic_store(start + RAW)))
        (row,) = tables["nodes.csv"]
        assert (row["text"], row["label"]) == ("'" + start + RAW, "'\t" + start + RAW)


@pytest.mark.parametrize("format_name", ["rdfxml", "graphml", "gexf"])
def test_xml_formats_refuse_control_characters_xml_cannot_hold_and_keep_the_old_file(tmp_path, format_name):
    path = tmp_path / "out"
    path.write_text("previous")
    with pytest.raises(CrossplanError) as caught:
        export_graph(synthetic_store("bell \x07 here"), format_name, path)
    assert str(caught.value) == (
        f"{format_name} cannot hold the control character U+0007 in the text of synthetic/r1 (XML 1.0 forbids it); "
        "remove it from the data, or export as turtle, ntriples, nquads, trig, jsonld or csv"
    )
    assert path.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.parametrize("format_name", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_the_other_rdf_formats_carry_any_control_character(format_name):
    text = "".join(chr(code) for code in range(1, 32)) + "\x7f"
    store = synthetic_store(text)
    parser, rdf_format, quads = RDF_FORMATS[format_name]
    data = export_graph(store, format_name)
    assert_same(parse_with_pyoxigraph(data, rdf_format, quads), expected_graphs(store), quads)
    assert_same(parse_with_rdflib(data, parser, quads), expected_graphs(store), quads)


def test_memory_and_disk_stores_export_the_same(stores):
    memory = memory_store(load_dataset(FIXTURES / "mini"))
    assert export_graph(memory, "nquads") == export_graph(stores["mini"], "nquads")


def test_jsonld_keeps_what_the_context_does_not_foresee():
    from pyoxigraph import BlankNode, Literal, NamedNode, Triple

    from crossplan.graph.views.export import jsonld_document

    node = NamedNode(node_iri("odd/r1"))
    xsd = "http://www.w3.org/2001/XMLSchema#"
    triples = [
        Triple(node, NamedNode(CP.text), Literal("in English", language="en-gb")),
        Triple(node, NamedNode(CP.position), Literal("03", datatype=NamedNode(xsd + "integer"))),
        Triple(node, NamedNode(CP.url), Literal("not typed as a URI")),
        Triple(node, NamedNode(CP.inPlan), Literal("a literal where an IRI is expected")),
        Triple(node, NamedNode(CP.status), NamedNode("https://example.org/elsewhere#Status")),
        Triple(node, NamedNode("https://example.org/unknown"), NamedNode(node_iri("odd/../r2"))),
        Triple(node, NamedNode(CP.relatedTo), BlankNode("b1")),
        Triple(BlankNode("b1"), NamedNode(RDFS.label), Literal("a blank node")),
        Triple(
            NamedNode("https://example.org/outside"),
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode(CP.Plan),
        ),
    ]
    text = json.dumps(jsonld_document(triples))
    expected = rdflib.Graph()
    for triple in triples:
        expected.add(tuple(rdflib_term(t) for t in (triple.subject, triple.predicate, triple.object)))
    assert isomorphic(rdflib.Graph().parse(data=text, format="json-ld"), expected)
    assert isomorphic(parse_with_pyoxigraph(text.encode(), pyoxigraph.RdfFormat.JSON_LD, False), expected)
