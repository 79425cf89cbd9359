"""What the server's worker processes compute: SPARQL answers, question answers, the graph page, suggestions.

Each task takes JSON arguments and returns a JSON header and a body of bytes (see ``graph.sparql.workers``). They run
in processes forked from the server once a generation is loaded, so they read that generation's in-memory graph;
a query that aborts the engine or runs past its time costs its worker, which is replaced, never the server.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..errors import QueryError
from ..questions.query import bind_parameters, saved_query
from ..settings import QUERY_MEMORY
from ..sparql.guard import (
    MEMORY_VARIABLE,
    QUERY_STACK,
    deny_network,
    network_guard_available,
)
from ..sparql.text import bind_values
from ..sparql.workers import Limits, Task, WorkerPool
from ..suggest.review import list_suggestions
from ..views.viz import render_html
from .questions import QUESTIONS
from .sparql import ProtocolError, SparqlRequest, answer_query, choose_format, write_result

if TYPE_CHECKING:
    from .workspace import Generation

REVIEW_TOP = 3
"""Suggestions per item on the review queue (as `crossplan suggest`)."""


def generation_tasks(generation: Generation, in_worker: bool = True) -> dict[str, Task]:
    """Return the tasks a worker forked for ``generation`` can run, by name (``in_worker`` False: the same tasks
    for a thread of the server itself, each query in the guard's own thread)."""
    store = generation.store

    def sparql(arguments: dict) -> tuple[dict, bytes]:
        request = SparqlRequest(
            arguments["query"], tuple(arguments.get("default_graphs", ())), tuple(arguments.get("named_graphs", ()))
        )
        result = answer_query(store, request, timeout=arguments["timeout"], in_worker=in_worker)
        try:
            chosen = choose_format(arguments.get("accept", ""), result.kind, tuple(arguments.get("formats", ())))
        except ProtocolError as error:
            return {"status": error.status, "message": error.message}, b""
        content, media_type = write_result(result, chosen)
        return {"media_type": media_type, "truncated": bool(result.truncated)}, content

    def question(arguments: dict) -> tuple[dict, bytes]:
        answer = QUESTIONS[arguments["name"]].answer(store, arguments["arguments"])
        return {}, answer.encode("utf-8")

    def graph(arguments: dict) -> tuple[dict, bytes]:
        options: dict[str, Any] = {
            name: tuple(value) if isinstance(value, list) else value for name, value in arguments.items()
        }
        return {}, render_html(store, **options).encode("utf-8")

    def suggestions(arguments: dict) -> tuple[dict, bytes]:
        found = list_suggestions(store, arguments["from"], arguments["to"], top=REVIEW_TOP, min_score=0.05)
        return {}, json.dumps([suggestion.to_json() for suggestion in found]).encode("utf-8")

    def bound_query(arguments: dict) -> tuple[dict, bytes]:
        query = saved_query(arguments["name"])
        substitutions = bind_parameters(store, query, arguments["values"])
        return {}, bind_values(query.text, substitutions).encode("utf-8")

    return {
        "sparql": sparql,
        "question": question,
        "graph": graph,
        "suggestions": suggestions,
        "bound_query": bound_query,
    }


def start_pool(generation: Generation) -> WorkerPool:
    """Fork the worker processes that answer from ``generation``: each on a thread with the guard's large stack
    and no network, stopped past the guard's memory limit (``CROSSPLAN_QUERY_MEMORY``)."""
    megabytes = QUERY_MEMORY.value()
    limits = Limits(
        stack_size=QUERY_STACK,
        prepare=_go_offline,
        memory=megabytes << 20,
        memory_message=(
            f"the query was stopped when it had taken {megabytes:,} MB of memory (it may be too broad, such as "
            f"sorting everything; allow more with {MEMORY_VARIABLE}=MEGABYTES)"
        ),
    )
    return WorkerPool(generation_tasks(generation), limits=limits)


def _go_offline() -> None:
    if not deny_network() and network_guard_available():
        raise QueryError("refused: the query could not be kept off the network (seccomp filter failed)")
