"""The server's views: each page calls the library and has a JSON twin (the same path with ``.json``).

Every view takes the current store generation once and answers wholly from it. What may be slow or may fail runs
in the generation's worker processes (``tasks.py``), through one sequence, ``answer_once``: the cache, the worker
(bounded by ``PAGE_TIMEOUT``), the error as a 4xx/5xx with the library's own sentence, the answer kept. A view
returns data; ``render.py`` makes its HTML from a template, or its JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import BusyError, CrossplanError, DataDirBusyError, EngineError, QueryError, UnknownIdError
from ..model.vocabulary import ID_BASE, PREFIXES
from ..questions.plans import plan_titles
from ..questions.query import saved_queries, saved_query
from ..sparql.guard import DEFAULT_TIMEOUT
from ..sparql.text import declared_prefixes
from ..sparql.workers import engine_failure
from ..stores.protocol import ServedGraph
from ..suggest.review import accept_suggestion, reject_suggestion
from .auth import Refusal, check_write, own_origins
from .questions import QUESTIONS, check_arguments, missing_fields
from .render import answer_tables, json_href, render, render_page
from .sparql import ProtocolError, error_status, read_request
from .tasks import generation_tasks
from .workspace import Generation

PAGE_TIMEOUT = DEFAULT_TIMEOUT
"""Seconds a page may take before it is answered with 503."""

MAX_BODY_BYTES = 512 * 1024
"""Largest request body read (a SPARQL query or an edit)."""

DISPLAY_PREFIXES = {**PREFIXES, "id": ID_BASE}
"""Prefixes the console's result table abbreviates with (node IRIs shown as id:plan/item)."""

BODY_SECONDS = 10.0
"""Seconds a client may take to send its request body."""


class Timeout(Exception):
    pass


async def in_thread(function, *arguments, timeout: float = PAGE_TIMEOUT):
    """Run a blocking library call in a worker thread; raise Timeout after ``timeout`` seconds (the thread is abandoned)."""
    with anyio.move_on_after(timeout) as scope:
        return await anyio.to_thread.run_sync(function, *arguments, abandon_on_cancel=True)
    if scope.cancelled_caught:
        raise Timeout(f"the answer took longer than {timeout:g} s")


async def evaluate(
    request: Request, generation: Generation, task: str, arguments: dict, timeout: float, stopped: str | None = None
):
    """Run a task in one of the generation's worker processes (graph.serve.tasks); return its header and body.

    A worker past ``timeout`` is killed, one that dies is replaced: the caller gets the error, the server goes on.
    """
    pool = generation.pool
    if pool is None:  # an application made without workers (create_app on a bare Workspace): in a thread
        return await in_thread(generation_tasks(generation, in_worker=False)[task], arguments, timeout=timeout)
    if pool.closed:  # the data changed since the request began: the new generation's workers answer
        pool = _state(request).workspace.current.pool
    return await pool.run(task, arguments, timeout, stopped)


def _state(request: Request):
    return request.app.state.serve


def _store(request: Request) -> ServedGraph:
    return _state(request).workspace.current.store


def _notice(request: Request) -> str | None:
    problem = _state(request).workspace.problem
    return f"The data changed but could not be loaded, so the previous version is shown: {problem}" if problem else None


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json")


def _arguments(request: Request) -> dict:
    return {key: value for key, value in request.query_params.items()}


def _error_response(request: Request, status: int, message: str, title: str = "Error") -> Response:
    if _wants_json(request) or request.url.path.startswith(("/sparql", "/review/")):
        return JSONResponse({"error": message}, status_code=status)
    return render_page("error.html", {"title": title, "message": message}, status)


class Failed(Exception):
    """A view's answer could not be made: the response saying why (raised by ``answer_once``)."""

    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


async def answer_once(
    request: Request,
    generation: Generation,
    key: tuple,
    task: str,
    arguments: dict,
    decode=lambda body: body.decode("utf-8"),
    size=len,
    title: str = "Error",
):
    """The cache → worker → error → put sequence, written once: the remembered answer, else the task's (decoded)
    answer, remembered; raises Failed with the error response when the task fails."""
    answer = generation.answers.get(key)
    if answer is not None:
        return answer
    try:
        _, body = await evaluate(request, generation, task, arguments, PAGE_TIMEOUT)
    except (CrossplanError, ValueError, Timeout) as error:
        raise Failed(_error_response(request, status_of(error), str(error), title)) from None
    answer = decode(body)
    generation.answers.put(key, answer, size(answer))
    return answer


def _page(request: Request, title: str, active: str, **context) -> dict:
    return {"title": title, "active": active, "notice": _notice(request), **context}


def status_of(error: Exception) -> int:
    """Return the HTTP status a failure is answered with: 404 unknown id, 503 busy or timed out, 500 engine failure."""
    if isinstance(error, UnknownIdError):
        return 404
    if isinstance(error, (Timeout, BusyError, DataDirBusyError)):  # busy: the client may try again
        return 503
    if isinstance(error, EngineError):
        return 500
    if isinstance(error, QueryError):
        return error_status(error)
    return 400


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """Read the request body, refusing (413) one longer than ``limit`` before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"the request body is larger than {limit // 1024} KiB")
    chunks, size = [], 0
    with anyio.move_on_after(BODY_SECONDS) as scope:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ProtocolError(413, f"the request body is larger than {limit // 1024} KiB")
            chunks.append(chunk)
    if scope.cancelled_caught:
        raise ProtocolError(408, f"the request body did not arrive within {BODY_SECONDS:g} s")
    return b"".join(chunks)


# -- the graph ------------------------------------------------------------------------------------


async def graph_shell(request: Request) -> Response:
    """The workspace's home: the navigation bar above the browser graph (``/graph``, framed with the same presets)."""
    source = "/graph" + (f"?{request.url.query}" if request.url.query else "")
    return render_page("graph_shell.html", _page(request, "Graph", "/", source=source, frame=True))


async def graph_page(request: Request) -> Response:
    """The browser graph of the store (presets as query parameters: plan, focus, depth, relations, mapping=A,B)."""
    arguments = request.query_params
    options: dict[str, Any] = {}
    if arguments.getlist("plan"):
        options["plans"] = tuple(arguments.getlist("plan"))
    if arguments.get("focus"):
        options["focus"] = arguments["focus"]
    if arguments.get("depth"):
        if not arguments["depth"].isdigit():
            return _error_response(request, 400, "depth must be a whole number")
        options["depth"] = int(arguments["depth"])
    if arguments.getlist("relations"):
        options["relations"] = tuple(arguments.getlist("relations"))
    if arguments.get("mapping"):
        pair = arguments["mapping"].split(",")
        if len(pair) != 2:
            return _error_response(request, 400, "mapping takes two plan ids: ?mapping=FROM,TO")
        options["mapping"] = (pair[0].strip(), pair[1].strip())
    generation = _state(request).workspace.current
    key = ("graph", json.dumps(options, sort_keys=True))
    try:
        page = await answer_once(request, generation, key, "graph", options)
    except Failed as failed:
        return failed.response
    # The page carries its own, stricter policy (inline scripts allowed by hash only): the app's is not added.
    return Response(page, media_type="text/html", headers={"X-Crossplan-Own-Policy": "1"})


# -- the query console and saved queries -----------------------------------------------------------


def _prefix_block(text: str) -> str:
    declared = declared_prefixes(text)
    return "".join(f"PREFIX {name}: <{namespace}>\n" for name, namespace in PREFIXES.items() if name not in declared)


async def console_page(request: Request) -> Response:
    """The query console: YASGUI on /sparql, the prefixes declared, the saved queries with their parameter forms."""
    context = _page(
        request,
        "Query console",
        "/console",
        queries=saved_queries(),
        timeout=f"{_state(request).timeout:g}",
        prefixes=PREFIXES,
        display_prefixes=DISPLAY_PREFIXES,
        scripts=("yasgui/yasgui.min.js", "console.js"),
        styles=("yasgui/yasgui.min.css",),
        wide=True,
    )
    return render_page("console.html", context)


async def saved_query_page(request: Request) -> Response:
    """A saved query: its form, and its text with the parameters bound as VALUES (JSON: text and results)."""
    name = request.path_params["name"]
    arguments = _arguments(request)
    generation = _state(request).workspace.current
    try:
        query = saved_query(name)
        values = {p.name: arguments[p.name] for p in query.parameters if arguments.get(p.name)}
        bound = None
        results = None
        if len(values) == len(query.parameters):
            _, text = await evaluate(
                request, generation, "bound_query", {"name": query.name, "values": values}, PAGE_TIMEOUT
            )
            bound = _prefix_block(query.text) + text.decode("utf-8")
            if _wants_json(request):
                timeout = _state(request).timeout
                arguments_ = {"query": bound, "timeout": timeout, "formats": ["json"]}
                header, content = await evaluate(request, generation, "sparql", arguments_, timeout)
                if "status" in header:
                    raise ProtocolError(header["status"], header["message"])
                results = json.loads(content)
    except ProtocolError as error:
        return _error_response(request, error.status, error.message)
    except (CrossplanError, Timeout) as error:
        return _error_response(request, status_of(error), str(error))
    data = {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [{"name": p.name, "type": p.type, "description": p.description} for p in query.parameters],
        "text": query.text,
        "bound": bound,
        "results": results,
    }
    fields = [
        {
            "name": p.name,
            "label": f"{p.name} ({p.type})",
            "value": arguments.get(p.name),
            "required": True,
            "hint": p.description,
        }
        for p in query.parameters
    ]
    context = _page(
        request,
        query.title or query.name,
        "/console",
        description=query.description,
        action=f"/queries/{query.name}",
        fields=fields,
        bound=bound,
        json_href=json_href(f"/queries/{query.name}", arguments),
    )
    return render(request, "saved_query.html", data, context)


# -- the questions ---------------------------------------------------------------------------------


def _plan_ids(store: ServedGraph) -> tuple[str, ...]:
    return tuple(sorted(store.remembered("serve-plan-titles", lambda: plan_titles(store))))


async def questions_index(request: Request) -> Response:
    """The list of questions, each with its form."""
    plans = await in_thread(_plan_ids, _store(request))
    questions = [
        {
            "name": question.name,
            "title": question.title,
            "description": question.description,
            "fields": _question_fields(question, {}, plans),
        }
        for question in QUESTIONS.values()
    ]
    return render_page("questions.html", _page(request, "Questions", "/questions", questions=questions))


def _question_fields(question, arguments: dict, plans: tuple[str, ...]) -> list[dict]:
    """A question's form fields, from its declaration (any declared question: name, label, kind, choices)."""
    fields = []
    for field in question.fields:
        value = arguments.get(field.name, field.default)
        if field.kind == "choice":
            fields.append({"name": field.name, "label": field.label, "value": value, "choices": field.choices})
        else:
            fields.append(
                {
                    "name": field.name,
                    "label": field.label,
                    "value": value,
                    "kind": {"number": "number", "date": "date"}.get(field.kind, "text"),
                    "required": field.required,
                    "hint": field.hint,
                    "options": plans if field.kind == "plan" else (),
                }
            )
    return fields


async def question_page(request: Request) -> Response:
    """One question: its form and, when the form is filled in, its answer (``.json``: the command's --format json)."""
    name = request.path_params["name"]
    question = QUESTIONS.get(name)
    if question is None:
        return _error_response(request, 404, f"no question '{name}' (questions: {', '.join(QUESTIONS)})")
    arguments = _arguments(request)
    generation = _state(request).workspace.current
    store = generation.store
    try:
        check_arguments(question, arguments)
    except CrossplanError as error:
        return _error_response(request, 400, str(error), question.title)
    missing = missing_fields(question, arguments)
    if missing and _wants_json(request):
        return JSONResponse({"error": f"missing parameter: {missing[0].name}"}, status_code=400)
    answer = None
    if not missing:
        key = ("question", name, tuple(sorted(arguments.items())))
        try:
            answer = await answer_once(
                request,
                generation,
                key,
                "question",
                {"name": name, "arguments": arguments},
                title=question.title,
            )
        except Failed as failed:
            return failed.response
    if _wants_json(request):
        return render(request, "question.html", None, {}, raw=answer.encode("utf-8") if answer else b"null")
    plans = await in_thread(_plan_ids, store)
    context = _page(
        request,
        question.title,
        "/questions",
        description=question.description,
        action=f"/questions/{name}",
        fields=_question_fields(question, arguments, plans),
        answer=answer_tables(json.loads(answer)) if answer is not None else None,
        json_href=json_href(f"/questions/{name}", arguments),
        wide=True,
    )
    return render_page("question.html", context)


# -- the review queue ------------------------------------------------------------------------------


def _default_pair(plans: tuple[str, ...]) -> tuple[str, str]:
    if "hmip-resettlement" in plans and "yj-blueprint" in plans:
        return "hmip-resettlement", "yj-blueprint"
    return (plans[0], plans[1]) if len(plans) > 1 else ("", "")


async def review_page(request: Request) -> Response:
    """The review queue of suggested links between two plans: evidence and both quotes side by side."""
    state = _state(request)
    store = _store(request)
    plans = await in_thread(_plan_ids, store)
    default_from, default_to = _default_pair(plans)
    from_plan = request.query_params.get("from") or default_from
    to_plan = request.query_params.get("to") or default_to
    generation = state.workspace.current
    key = ("review", from_plan, to_plan)  # a reject rewrites rejected.yaml, which makes a new generation
    suggestions: list = []
    if from_plan and to_plan:
        try:
            suggestions = await answer_once(
                request,
                generation,
                key,
                "suggestions",
                {"from": from_plan, "to": to_plan},
                decode=json.loads,
                size=lambda value: len(json.dumps(value)),
                title="Review queue",
            )
        except Failed as failed:
            return failed.response
    data = {
        "from": from_plan,
        "to": to_plan,
        "edits": state.workspace.allow_edits,
        "generation": state.workspace.current.number,
        "suggestions": suggestions,
    }
    fields = [
        {"name": "from", "label": "From plan", "value": from_plan, "choices": plans},
        {"name": "to", "label": "To plan", "value": to_plan, "choices": plans},
    ]
    context = _page(
        request,
        "Review queue",
        "/review",
        fields=fields,
        edits=state.workspace.allow_edits,
        suggestions=suggestions,
        json_href=json_href("/review", {"from": from_plan, "to": to_plan}),
        scripts=("review.js",),
        wide=True,
    )
    return render(request, "review.html", data, context)


async def review_edit(request: Request) -> Response:
    """Accept or reject one suggestion (POST JSON {from, to, relation?, note?}), behind --allow-edits, the token and
    the cross-site checks; write through graph.review and reload before answering."""
    state = _state(request)
    action = request.path_params["action"]
    try:
        check_write(
            request.headers,
            state.workspace.allow_edits,
            state.token,
            own_origins(request.headers.get("host"), state.host, state.port),
        )
        body = await read_body(request, 16 * 1024)
        try:
            edit = json.loads(body)
        except RecursionError:
            raise Refusal(400, "the body is JSON nested too deeply") from None
        except ValueError:
            raise Refusal(400, "the body is not JSON") from None
        if not isinstance(edit, dict) or not isinstance(edit.get("from"), str) or not isinstance(edit.get("to"), str):
            raise Refusal(400, 'send {"from": ITEM, "to": ITEM} (and optionally "relation", "note")')
    except Refusal as refusal:
        return JSONResponse({"error": refusal.message}, status_code=refusal.status)
    except ProtocolError as error:
        return JSONResponse({"error": error.message}, status_code=error.status)
    note = edit.get("note") if isinstance(edit.get("note"), str) else None
    relation = edit.get("relation") if isinstance(edit.get("relation"), str) else None

    def write():
        with state.workspace.edit_lock:
            store = state.workspace.current.store
            choice = (edit["from"], edit["to"])
            if action == "accept":
                written = accept_suggestion(store, choice, relation=relation, note=note)
            else:
                written = reject_suggestion(store, choice, note=note)
            state.workspace.reload(force=True)
            return written

    try:
        written = await in_thread(write)
    except (CrossplanError, ValueError, Timeout) as error:
        message = "; ".join(str(p) for p in error.problems) if hasattr(error, "problems") else str(error)
        return JSONResponse(
            {"error": message}, status_code=status_of(error) if not isinstance(error, ValueError) else 400
        )
    try:  # where in the data directory: the server's own paths are no business of the page
        where = written.path.resolve().relative_to(state.workspace.data_dir.resolve()).as_posix()
    except ValueError:
        where = written.path.name
    return JSONResponse(
        {
            "done": action,
            "written": f"{where}:{written.line}",
            "link": written.description,
            "generation": state.workspace.current.number,
        }
    )


# -- SPARQL ----------------------------------------------------------------------------------------


async def sparql_endpoint(request: Request) -> Response:
    """The SPARQL 1.1 Protocol endpoint (see graph.serve.sparql)."""
    if (
        request.method == "GET"
        and not request.query_params.get("query")
        and "text/html" in request.headers.get("accept", "")
    ):
        return render_page("sparql.html", _page(request, "SPARQL endpoint", "/sparql"))
    try:
        body = await read_body(request) if request.method == "POST" else b""
        parsed = read_request(request.method, request.headers.get("content-type", ""), request.url.query, body)
        generation = _state(request).workspace.current
        accept = request.headers.get("accept", "")
        key = ("sparql", parsed, accept)
        remembered = generation.answers.get(key)
        if remembered is None:
            timeout = _state(request).timeout
            arguments = {
                "query": parsed.query,
                "default_graphs": parsed.default_graphs,
                "named_graphs": parsed.named_graphs,
                "accept": accept,
                "formats": parsed.formats,
                "timeout": timeout,
            }
            try:
                stopped = (
                    f"the query was stopped after {timeout:g} s (it may be too broad; narrow it with LIMIT or FILTER)"
                )
                header, content = await evaluate(request, generation, "sparql", arguments, timeout, stopped)
            except EngineError as error:  # located in the query, as the command line says it
                number = re.search(r"signal (\d+)", str(error))
                raise engine_failure(parsed.query, int(number.group(1)) if number else 0) from None
            if "status" in header:
                raise ProtocolError(header["status"], header["message"])
            remembered = content, header["media_type"], header["truncated"]
            generation.answers.put(key, remembered, len(content))
        content, media_type, truncated = remembered
    except ProtocolError as error:
        return Response(error.message + "\n", status_code=error.status, media_type="text/plain")
    except EngineError as error:
        return Response(str(error) + "\n", status_code=500, media_type="text/plain")
    except QueryError as error:
        return Response(str(error) + "\n", status_code=error_status(error), media_type="text/plain")
    except (CrossplanError, Timeout) as error:
        return Response(str(error) + "\n", status_code=status_of(error), media_type="text/plain")
    headers = {"X-Crossplan-Generation": str(generation.number)}
    if truncated:
        headers["X-Crossplan-Truncated"] = "true"
    return Response(content, media_type=media_type, headers=headers)


async def status(request: Request) -> Response:
    """What the server serves: generation, size, whether edits are on, the last reload problem."""
    workspace = _state(request).workspace
    generation = workspace.current
    return JSONResponse(
        {
            "generation": generation.number,
            "quads": generation.quads,
            "in_memory": generation.in_memory,
            "loaded": generation.loaded,
            "edits": workspace.allow_edits,
            "problem": workspace.problem,
            "workers": {
                "size": generation.pool.size if generation.pool else 0,
                "busy": generation.pool.in_flight if generation.pool else 0,
                "restarts": generation.pool.restarts if generation.pool else 0,
            },
        }
    )
