"""The web application: routes, the safety every response gets, and starting the server.

Starlette (routing, requests, responses) under uvicorn (the ASGI server): both small, typed, widely used and kept
up; uvicorn bounds concurrency and header sizes itself, and an ASGI app serves many readers at once from one
process and one in-memory graph, with blocking library calls in worker threads.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import signal
import socket
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ..errors import ServeError
from ..resources import shipped_data_dir
from ..sparql.guard import DEFAULT_TIMEOUT
from . import views
from .tasks import start_pool
from .workspace import Workspace

if TYPE_CHECKING:
    import uvicorn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_CONCURRENT = 1024
"""Connections held at once; more are answered 503 by uvicorn. Well above what silent clients can hold for the
``HEAD_SECONDS`` they are given (256 silent sockets deny nobody)."""

HEAD_SECONDS = 10.0
"""Seconds a client has to send a request's head (request line and headers), on a new or a kept-alive connection."""

KEEP_ALIVE_SECONDS = 5
"""Seconds an idle kept-alive connection is held."""

SHUTDOWN_SECONDS = 3
"""Seconds the server waits for answers in progress when asked to stop (their workers are killed at once)."""

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self'"
)
_ASSET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?")
_ASSET_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    "": "text/plain",
}


@dataclass
class ServeState:
    """What the views share: the workspace, the edit token, and the address the server was bound to."""

    workspace: Workspace
    token: str
    host: str
    port: int
    timeout: float = DEFAULT_TIMEOUT  # seconds a SPARQL query may run, as `crossplan query --timeout`
    cors: bool = False  # whether pages on other sites may query /sparql


def asset_files() -> dict[str, Path]:
    """Return the files the server may send from its ``assets`` folder, by name: nothing else is ever served."""
    root = Path(str(files("crossplan.graph.serve") / "assets"))
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.name.endswith(".map"):
            found[path.relative_to(root).as_posix()] = path
    return found


def create_app(
    workspace: Workspace,
    token: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout: float = DEFAULT_TIMEOUT,
    allowed_hosts: tuple[str, ...] = (),
    cors: bool = False,
) -> _Guard:
    """Return the ASGI application serving a workspace (see the package docstring for its pages)."""
    assets = asset_files()
    cache: dict[str, bytes] = {}

    async def asset(request):
        name = request.path_params["name"]
        path = assets.get(name) if _ASSET_NAME.fullmatch(name) else None
        if path is None:
            return PlainTextResponse("not found\n", status_code=404)
        if name not in cache:
            cache[name] = path.read_bytes()
        media_type = _ASSET_TYPES.get(path.suffix, "application/octet-stream")
        return Response(cache[name], media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})

    routes = [
        Route("/", views.graph_shell),
        Route("/graph", views.graph_page),
        Route("/console", views.console_page),
        Route("/queries/{name:str}.json", views.saved_query_page),
        Route("/queries/{name:str}", views.saved_query_page),
        Route("/questions", views.questions_index),
        Route("/questions/{name:str}.json", views.question_page),
        Route("/questions/{name:str}", views.question_page),
        Route("/review.json", views.review_page),
        Route("/review", views.review_page),
        Route("/review/{action:str}", views.review_edit, methods=["POST"]),
        Route("/sparql", views.sparql_endpoint, methods=["GET", "POST"]),
        Route("/status.json", views.status),
        Route("/assets/{name:path}", asset),
    ]
    app = Starlette(routes=routes)
    app.state.serve = ServeState(workspace, token, host, port, timeout, cors)
    return _Guard(app, host_names(host, port, allowed_hosts), cors)


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_warning(host: str) -> str | None:
    """Return the warning for listening on an address other machines can reach (None on loopback)."""
    if is_loopback(host):
        return None
    return (
        f"serving on {host}, not loopback: anyone who can reach this address can read the graph (and, with the "
        "token, write); requests must name this machine (or an --allowed-host) in their Host header"
    )


def host_names(host: str, port: int, extra: tuple[str, ...] = ()) -> set[str]:
    """Host headers answered, on every address: loopback names and addresses, the address listened on, this
    machine's names and addresses, and ``extra`` (``--allowed-host``); each bare and with ``:port``.

    Any other Host is refused (421): a page on another site that rebinds its DNS name to this machine cannot read it.
    """
    names = {"localhost", "127.0.0.1", "::1", host}
    if not is_loopback(host):
        with contextlib.suppress(OSError):
            names |= {socket.gethostname(), socket.getfqdn()}
            for machine in {socket.gethostname(), socket.getfqdn()}:
                names |= {str(info[4][0]) for info in socket.getaddrinfo(machine, None)}
    names |= {name.strip() for name in extra if name.strip()}
    names -= {"", "0.0.0.0", "::"}
    bare = {f"[{name}]" if ":" in name else name for name in (name.lower().strip("[]") for name in names)}
    return bare | {f"{name}:{port}" for name in bare}


class _Guard:
    """ASGI middleware: refuse foreign Host headers and malformed action routes; add the security headers."""

    def __init__(self, app, allowed_hosts: set[str], cors: bool = False):
        self.app = app
        self.allowed_hosts = allowed_hosts
        self.cors = cors
        self.state = app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if headers.get("host", "").lower() not in self.allowed_hosts:
            response = PlainTextResponse(
                "refused: unknown Host (this server answers its own names only; add one with --allowed-host NAME)\n",
                status_code=421,
            )
            return await response(scope, receive, send)
        path = scope.get("path", "")
        if path == "/sparql" and self.cors and scope.get("method") == "OPTIONS":  # a preflight, with --cors only
            preflight = Response(
                status_code=204,
                headers={
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET, POST",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                },
            )
            return await preflight(scope, receive, send)
        if path == "/sparql" and not self.cors and headers.get("sec-fetch-site") == "cross-site":
            response = PlainTextResponse(
                "refused: a page on another site may not query this endpoint (start the server with --cors to allow it)\n",
                status_code=403,
            )
            return await response(scope, receive, send)
        if path.startswith("/review/") and path not in ("/review/accept", "/review/reject"):
            return await PlainTextResponse("not found\n", status_code=404)(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                present = {name.lower() for name, _ in headers}
                headers = [(name, value) for name, value in headers if name.lower() != b"x-crossplan-own-policy"]
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if b"x-crossplan-own-policy" not in present:
                    extra.append((b"content-security-policy", POLICY.encode("ascii")))
                if self.cors and path == "/sparql":
                    extra.append((b"access-control-allow-origin", b"*"))
                message = {**message, "headers": [*headers, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def run_server(
    data_dir: Path | None,
    store_path: Path | None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    allow_edits: bool = False,
    echo=print,
    token: str | None = None,
    generated: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    allowed_hosts: tuple[str, ...] = (),
    cors: bool = False,
) -> None:
    """Load the workspace, print where it is served, and serve until interrupted (Ctrl-C or SIGTERM)."""
    import uvicorn

    workspace = Workspace(data_dir, store_path, allow_edits, start_pool=start_pool)
    listener = _listen(host, port)
    port = listener.getsockname()[1]  # the port the system chose, for --port 0
    workspace.start_watching()
    app = create_app(workspace, token or "", host, port, timeout, tuple(allowed_hosts), cors)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}/"
    warning = host_warning(host)
    if warning:
        echo(f"Warning: {warning}")
    generation = workspace.current
    echo(f"Serving {generation.quads} triples from {workspace.data_dir} at {url}")
    echo(f"SPARQL endpoint: {url}sparql   query console: {url}console   review queue: {url}review")
    if allow_edits and _is_shipped(workspace.data_dir):
        echo(
            "Warning: --allow-edits on the shipped data, which is never changed: every accept and reject will be "
            "refused (make a copy with `crossplan init DIR --with-shipped` and serve it with --data DIR)"
        )
    if allow_edits:
        echo(
            f"Edits are on; the edit token is: {token}"
            if generated
            else "Edits are on; the edit token is the one in $CROSSPLAN_SERVE_TOKEN"
        )
    else:
        echo("Read-only (start with --allow-edits to accept or reject suggestions)")
    _raise_open_files_limit(MAX_CONCURRENT + 256)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=_protocol_class(),
        log_level="warning",
        access_log=False,
        lifespan="off",
        limit_concurrency=MAX_CONCURRENT,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        h11_max_incomplete_event_size=64 * 1024,
        server_header=False,
    )
    try:
        _Server(config, workspace).run(sockets=[listener])
    finally:
        workspace.stop()
        listener.close()
    echo("Stopped")


def _is_shipped(data_dir: Path) -> bool:
    return data_dir.resolve() == shipped_data_dir().resolve()


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so that a taken port is a one-line error before anything is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named explicitly: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say they
    # are TCP, and with it on, every response after the first on a kept-alive connection waits 40 ms for an ACK.
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error} (choose another --port)") from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _raise_open_files_limit(wanted: int) -> None:
    """Allow as many open files as connections held (the soft limit is often 1,024), within the hard limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _protocol_class() -> type:
    """uvicorn's HTTP/1.1 protocol (h11), with a deadline for each request's head.

    uvicorn times out idle kept-alive connections, but a client that opens a connection and sends nothing, or
    trickles its headers a byte at a time, is held forever. Here a connection that has no request in progress
    ``HEAD_SECONDS`` after it opened or after its last answer is closed.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(H11Protocol):
        _head_timer = None

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm_head_timer()

        def connection_lost(self, exc) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            super().connection_lost(exc)

        def _arm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

        def _head_too_slow(self) -> None:
            self._head_timer = None
            answering = self.cycle is not None and not self.cycle.response_complete
            if not answering and not self.transport.is_closing():
                self.transport.close()

    return Protocol


def _server_class() -> type[uvicorn.Server]:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that a stop signal ends it with exit status 0 after the graceful shutdown
        (uvicorn re-raises the signal once shut down, which a supervisor reads as a crash), and kills the
        workers at once, so that no evaluation holds the shutdown."""

        workspace: Workspace | None = None

        def handle_exit(self, sig, frame) -> None:
            if self.workspace is not None:
                self.workspace.stop()
            super().handle_exit(sig, frame)

        @contextlib.contextmanager
        def capture_signals(self):
            stops = (signal.SIGINT, signal.SIGTERM)
            previous = {number: signal.signal(number, self.handle_exit) for number in stops}
            try:
                yield
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    return Server


def _Server(config: uvicorn.Config, workspace: Workspace | None = None) -> uvicorn.Server:
    server = _server_class()(config)
    server.workspace = workspace  # type: ignore[attr-defined]
    return server
