"""crossplan: a knowledge graph of plans, recommendations, actions and the links between them.

The public API is importable from here; each name is loaded on first use so that ``import crossplan``
stays cheap for the command line::

    from crossplan import load_dataset, open_store, validate_data
    dataset = load_dataset()               # the shipped data
    store = open_store()                   # the cached Oxigraph store, rebuilt where files changed
    problems = validate_data()             # YAML checks, quotes against sources, SHACL

The folders are the pipeline, each importing only from those before it (``tests/project/test_layout.py``):
``model`` (the vocabulary) → ``datafiles`` (reading and writing the data directory) → ``rdf`` (quads, validation)
→ ``sparql`` (tokeniser, read-only guard, results) → ``stores`` (the ``GraphStore`` protocol, the embedded store,
a SPARQL server) → ``questions`` → ``views`` (the browser graph, exports, the matrix, the report) →
``importing`` → ``suggest`` → ``serve``; ``errors``, ``text``, ``files``, ``output``, ``progress`` and
``resources`` are shared by all.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "CrossplanError": "errors",
    "DataError": "errors",
    "QueryError": "errors",
    "UnknownIdError": "errors",
    "EndpointError": "errors",
    "Problem": "errors",
    "NodeType": "model.nodes",
    "Relation": "model.nodes",
    "Status": "model.nodes",
    "Response": "model.nodes",
    "Basis": "model.nodes",
    "Node": "model.nodes",
    "Link": "model.nodes",
    "CP": "model.vocabulary",
    "node_iri": "model.vocabulary",
    "Dataset": "datafiles.loading",
    "load_dataset": "datafiles.loading",
    "CrossplanStore": "stores.embedded",
    "open_store": "stores.embedded",
    "build_store": "stores.embedded",
    "memory_store": "stores.embedded",
    "validate_data": "rdf.validation",
    "compute_stats": "questions.stats",
    "export_graph": "views.export",
    "export_formats": "views.export",
    "EndpointStore": "stores.endpoint",
    "open_endpoint": "stores.endpoint",
    "push_graph": "stores.push",
    "shipped_data_dir": "resources",
    "render_html": "views.viz",
    "build_view": "views.viz",
    "write_html": "views.viz",
    "ExtraEdge": "views.viz",
    "ImportFileError": "errors",
    "StoreError": "errors",
    "LocalOnlyError": "errors",
    "VizOptionError": "errors",
    "ServeError": "errors",
    "OutputError": "errors",
    "import_plan": "importing.importer",
    "init_data_dir": "datafiles.datadir",
    "write_template": "datafiles.datadir",
    "run_query": "questions.query",
    "format_result": "sparql.results",
    "saved_queries": "questions.query",
    "describe_node": "questions.show",
    "find_mapping": "questions.mapping",
    "find_overdue": "questions.overdue",
    "find_gaps": "questions.gaps",
    "find_impact": "questions.network",
    "find_paths": "questions.network",
    "find_duplicate_groups": "questions.duplicates",
    "suggest_links": "suggest.similar",
    "list_suggestions": "suggest.review",
    "accept_suggestion": "suggest.review",
    "reject_suggestion": "suggest.review",
    "review_suggestions": "suggest.review",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'crossplan.graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
