"""crossplan: see how one government plan depends on another.

The installed package is this folder: ``crossplan.cli`` (``cli.py``) is the command line,
``crossplan.graph`` (``graph/``) the library it calls, ``crossplan.ontology`` and ``crossplan.data``
the vocabulary and the shipped plans. The public API is importable from here, each name loaded on
first use so that ``import crossplan`` stays cheap::

    from crossplan import load_dataset, open_store, validate_data
    dataset = load_dataset()               # the shipped data
    store = open_store()                   # the cached Oxigraph store, rebuilt where files changed
    problems = validate_data()             # YAML checks, quotes against sources, SHACL
"""

from __future__ import annotations

from . import graph
from .graph import __all__, __version__  # noqa: F401  (re-exported)


def __getattr__(name: str):
    if name not in graph.__all__:
        raise AttributeError(f"module 'crossplan' has no attribute {name!r}")
    value = getattr(graph, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
