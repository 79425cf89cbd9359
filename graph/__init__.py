"""crossplan: a knowledge graph of plans, recommendations, actions and the links between them.

The public API is importable from here; each name is loaded on first use so that ``import crossplan``
stays cheap for the command line::

    from crossplan import load_dataset, open_store, validate_data
    dataset = load_dataset()               # the shipped data
    store = open_store()                   # the cached Oxigraph store, rebuilt where files changed
    problems = validate_data()             # YAML checks, quotes against sources, SHACL
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
    "NodeType": "model",
    "Relation": "model",
    "Status": "model",
    "Response": "model",
    "Basis": "model",
    "Node": "model",
    "Link": "model",
    "CP": "vocabulary",
    "node_iri": "vocabulary",
    "Dataset": "loading",
    "load_dataset": "loading",
    "CrossplanStore": "store",
    "open_store": "store",
    "build_store": "store",
    "memory_store": "store",
    "validate_data": "validation",
    "compute_stats": "stats",
    "export_graph": "export",
    "export_formats": "export",
    "EndpointStore": "endpoint",
    "open_endpoint": "endpoint",
    "push_graph": "push",
    "shipped_data_dir": "resources",
    "render_html": "viz",
    "build_view": "viz",
    "write_html": "viz",
    "ExtraEdge": "viz",
    "ImportFileError": "errors",
    "StoreError": "errors",
    "LocalOnlyError": "errors",
    "VizOptionError": "errors",
    "ServeError": "errors",
    "OutputError": "errors",
    "import_plan": "importing",
    "init_data_dir": "datadir",
    "write_template": "datadir",
    "run_query": "query",
    "format_result": "query",
    "saved_queries": "query",
    "describe_node": "questions",
    "find_mapping": "questions",
    "find_overdue": "questions",
    "find_gaps": "questions",
    "find_impact": "analysis",
    "find_paths": "analysis",
    "find_duplicate_groups": "analysis",
    "suggest_links": "suggest",
    "list_suggestions": "review",
    "accept_suggestion": "review",
    "reject_suggestion": "review",
    "review_suggestions": "review",
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
