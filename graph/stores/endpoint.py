"""Ask a SPARQL 1.1 server the same questions as the embedded store, through the SPARQL 1.1 Protocol.

``EndpointStore`` is a ``GraphStore`` (``stores/protocol.py``): ``query(sparql, substitutions)`` and
``select(sparql, substitutions)`` give the same results as the embedded ``CrossplanStore``: pyoxigraph
``QuerySolutions``/``QueryBoolean``/``QueryTriples``, and lists of plain dicts. So every question works
against the embedded store or a server alike (its ``data_dir`` is None: there is nothing local to write)::

    store = EndpointStore("http://127.0.0.1:8890/sparql")
    store.select("SELECT ?plan WHERE { ?plan a cp:Plan }")

What the embedded store does implicitly is done explicitly here:

- The query is parsed locally first (by Oxigraph, on an empty store), so a syntax error reads exactly as
  it does without ``--endpoint``, and the result kind (rows, yes/no, triples) is known before sending.
- The crossplan prefixes are declared in front of the query (on its first line, so the server's line
  numbers match the user's); prefixes the query declares itself are left alone.
- The default graph is the union of the crossplan graphs on the server (each plan's, the registries' and
  the ontology's), named with ``default-graph-uri``/``named-graph-uri``, as the embedded store's union.
- Substitutions are bound as values: a ``VALUES`` block of safely serialised terms at the start of the
  query's WHERE group, never pasted text.

Credentials come only from ``CROSSPLAN_ENDPOINT_USER``/``CROSSPLAN_ENDPOINT_PASSWORD`` or a netrc entry
for the server's host; they are sent only when the server asks (HTTP Digest, as Virtuoso's ``*-auth``
endpoints want, or Basic) and never appear in a message. Every request has a connection and a read time
limit; an HTTP error names the status and the server's own message; Virtuoso's silent cut of a result at
its ``ResultSetMaxRows`` (the ``X-SPARQL-MaxRows`` header) is reported as a warning.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..errors import EndpointError
from ..model.vocabulary import ONTOLOGY_IRI, PREFIXES, graph_iri
from ..output import escape_control
from ..settings import ENDPOINT, ENDPOINT_MAX_MB, ENDPOINT_PASSWORD, ENDPOINT_TIMEOUT, ENDPOINT_USER
from ..sparql.guard import check_read_only, run_guarded
from ..sparql.results import solution_rows
from ..sparql.text import bind_values, with_prefixes
from .protocol import BaseStore

if TYPE_CHECKING:
    from pyoxigraph import QuerySolution

    from ..sparql.results import QueryResults
    from ..sparql.text import Substitutions

ENDPOINT_VARIABLE, USER_VARIABLE, PASSWORD_VARIABLE = ENDPOINT.name, ENDPOINT_USER.name, ENDPOINT_PASSWORD.name
TIMEOUT_VARIABLE, MAX_RESPONSE_VARIABLE = ENDPOINT_TIMEOUT.name, ENDPOINT_MAX_MB.name
DEFAULT_TIMEOUT: float = ENDPOINT_TIMEOUT.default
"""Seconds a server may take to answer one request (connecting takes at most 10 of them)."""
# The largest answer (``ENDPOINT_MAX_MB``) is read after decompression: a result the query commands keep (100,000
# rows) is a few tens of MB as SPARQL JSON; an answer beyond the cap is refused while it streams in, so a hostile or
# broken server cannot fill the memory.

SELECT_RESULTS = "application/sparql-results+json"
GRAPH_RESULTS = "application/n-triples, text/turtle;q=0.9"


class EndpointWarning(UserWarning):
    """Something to know about a server's answer or connection: a result it cut short, a password sent in clear."""


@dataclass(frozen=True)
class Credentials:
    """A user name and password, and where they came from (for messages; the values are never shown)."""

    user: str
    password: str
    source: str

    def __repr__(self) -> str:
        return f"Credentials(from {self.source})"


def find_credentials(url: str, environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Return the credentials for a server: from the environment variables, else a netrc entry for its host.

    Raises EndpointError when only one of the two variables is set or the netrc file cannot be read.
    """
    environ = environ if environ is not None else os.environ
    user, password = ENDPOINT_USER.value(environ), ENDPOINT_PASSWORD.value(environ)
    if user and password:
        return Credentials(user, password, f"{USER_VARIABLE}/{PASSWORD_VARIABLE}")
    if user or password:
        missing = PASSWORD_VARIABLE if user else USER_VARIABLE
        raise EndpointError(f"{missing} is not set: set both {USER_VARIABLE} and {PASSWORD_VARIABLE}, or neither")
    import netrc

    path = environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        entry = netrc.netrc(path).authenticators(urlsplit(url).hostname or "")
    except netrc.NetrcParseError as error:
        # the parser's message may quote the file: name only the file and line
        raise EndpointError(f"{error.filename}:{error.lineno}: cannot read this netrc file") from None
    except OSError as error:
        raise EndpointError(f"{path}: cannot read this netrc file ({error.strerror})") from None
    if entry is None or not entry[0] or not entry[2]:
        return None
    return Credentials(entry[0], entry[2], path)


def endpoint_timeout(environ: Mapping[str, str] | None = None) -> float:
    """Return the per-request time limit: ``CROSSPLAN_ENDPOINT_TIMEOUT`` seconds, or 60."""
    return ENDPOINT_TIMEOUT.value(environ, EndpointError)


def response_limit(environ: Mapping[str, str] | None = None) -> int:
    """Return the largest answer read from a server, in bytes: ``CROSSPLAN_ENDPOINT_MAX_MB`` megabytes, or 256."""
    return ENDPOINT_MAX_MB.value(environ, EndpointError) << 20


def checked_url(url: str) -> str:
    """Return a server URL after checking it is http(s) and carries no credentials."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - a port out of range or not a number raises here, not later
    except ValueError as error:  # an unclosed [IPv6 bracket, a bad port
        shown = escape_control(url.strip().split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1])
        raise EndpointError(f"'{shown}' is not a valid address of a SPARQL endpoint ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EndpointError(f"'{shown_url(url)}' is not an http:// or https:// address of a SPARQL endpoint")
    if parts.username is not None or parts.password is not None:
        raise EndpointError(
            f"put the user name and password in {USER_VARIABLE} and {PASSWORD_VARIABLE} (or a netrc entry), not in the address"
        )
    return url.strip()


def shown_url(url: str) -> str:
    """Return a URL as messages show it: without credentials, query string or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


_LOOPBACK = re.compile(r"^(localhost|127(\.\d{1,3}){3}|\[?::1\]?)$")


class Connection:
    """HTTP to one server: time limits, authentication when asked for, and errors that say what happened."""

    def __init__(
        self,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        warn: Callable[[str], None] | None = None,
    ):
        import requests

        self.credentials = credentials
        self.timeout = timeout
        self.warn = warn or _warn
        self.session = requests.Session()
        # Proxies are taken from the environment below; netrc is read by find_credentials, so that a
        # password is sent only when the server asks for it, and in the way it asks.
        self.session.trust_env = False
        self.session.headers["User-Agent"] = "crossplan"
        self.auth = None
        self.limit = response_limit()

    def send(self, method: str, url: str, *, params=None, data=None, headers=None, what: str = "request", allow=()):
        """Send one request and read the whole answer; return the response or raise EndpointError.

        An error status in ``allow`` is returned rather than raised.
        """
        response = self._send(method, url, params, data, headers)
        if response.status_code == 401 and self.credentials is not None and self.auth is None:
            self.auth = self._auth_for(response, url)
            if self.auth is not None:
                response = self._send(method, url, params, data, headers)
        if 300 <= response.status_code < 400:
            # Not followed: a redirect turns a POST into a GET without the query, and may lead to another host
            # (which must not get the password). The user gives the final address instead.
            location = response.headers.get("Location") or ""
            where = f" to {shown_url(_joined(url, location))}" if location else ""
            raise EndpointError(
                f"the server at {shown_url(url)} sent a redirect ({response.status_code}){where} "
                "instead of an answer: give that address as the endpoint"
            )
        if response.status_code >= 400 and response.status_code not in allow:
            raise EndpointError(self._http_error(response, url, what))
        return response

    def _auth_for(self, response, url: str):
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        credentials = self.credentials
        if credentials is None:
            return None
        challenge = response.headers.get("WWW-Authenticate", "").lower()
        if "digest" in challenge:
            return HTTPDigestAuth(credentials.user, credentials.password)
        if "basic" in challenge:
            if urlsplit(url).scheme == "http" and not _LOOPBACK.match(urlsplit(url).hostname or ""):
                self.warn(
                    f"{shown_url(url)} asks for Basic authentication over plain http: the password travels unencrypted"
                )
            return HTTPBasicAuth(credentials.user, credentials.password)
        return None

    def _send(self, method, url, params, data, headers):
        import requests

        connect = min(10.0, self.timeout)
        proxies = {} if _LOOPBACK.match(urlsplit(url).hostname or "") else requests.utils.get_environ_proxies(url)
        deadline = time.monotonic() + self.timeout
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                auth=self.auth,
                timeout=(connect, self.timeout),
                stream=True,
                proxies=proxies,
                allow_redirects=False,
            )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.limit:
                response.close()
                raise EndpointError(self._too_large(url))
            chunks, size = [], 0
            # read1 returns whatever has arrived, so a server that trickles bytes still meets the deadline
            read1 = getattr(response.raw, "read1", None)
            while True:
                if time.monotonic() > deadline:
                    response.close()
                    raise EndpointError(self._hung(url))
                chunk = (
                    read1(1 << 16, decode_content=True) if read1 else response.raw.read(1 << 13, decode_content=True)
                )
                if not chunk:
                    break
                size += len(chunk)
                if size > self.limit:  # counted after decompression: a compressed bomb stops here too
                    response.close()
                    raise EndpointError(self._too_large(url))
                chunks.append(chunk)
            response._content = b"".join(chunks)
            response._content_consumed = True
            return response
        except requests.exceptions.ConnectTimeout:
            raise EndpointError(f"cannot connect to {shown_url(url)}: no answer within {connect:g} s") from None
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError) as error:
            if _is_read_timeout(error):
                raise EndpointError(self._hung(url)) from None
            raise EndpointError(f"cannot connect to {shown_url(url)}: {_reason(error)}") from None
        except requests.exceptions.RequestException as error:
            raise EndpointError(f"cannot talk to {shown_url(url)}: {_reason(error)}") from None

    def _too_large(self, url: str) -> str:
        return (
            f"the server at {shown_url(url)} sent an answer larger than {self.limit >> 20} MB and was cut off "
            f"(narrow the query with LIMIT, or allow more with {MAX_RESPONSE_VARIABLE}=MEGABYTES)"
        )

    def _hung(self, url: str) -> str:
        return (
            f"the server at {shown_url(url)} did not answer within {self.timeout:g} s and was given up on "
            f"(it may be overloaded; allow longer with {TIMEOUT_VARIABLE}=SECONDS)"
        )

    def _http_error(self, response, url: str, what: str) -> str:
        status = f"{response.status_code} {server_text(response.reason or '', 80)}".strip()
        message = server_message(response)
        text = f"the server at {shown_url(url)} refused the {what}: {status}"
        if message:
            text += f": {message}"
        if response.status_code in (401, 403):
            if self.credentials is None:
                host = urlsplit(url).hostname
                text += f" (it needs a user name and password: set {USER_VARIABLE} and {PASSWORD_VARIABLE}, or add a netrc entry for {host})"
            elif response.status_code == 401:
                text += f" (the user name and password from {self.credentials.source} were not accepted)"
            else:
                text += f" (the user from {self.credentials.source} may not do this)"
        return text


def _joined(url: str, location: str) -> str:
    return urljoin(url, location)


@overload
def read_results(
    response: Any, url: str, *, columns: tuple[str, ...] = (), boolean: Literal[False] = False
) -> list[QuerySolution]: ...


@overload
def read_results(response: Any, url: str, *, columns: tuple[str, ...] = (), boolean: Literal[True]) -> bool: ...


def read_results(
    response: Any, url: str, *, columns: tuple[str, ...] = (), boolean: bool = False
) -> list[QuerySolution] | bool:
    """Read a server's SPARQL JSON answer whole: a list of solutions (each with ``columns`` bound), or a boolean.

    Raises EndpointError, worded as the server's failure, when the answer is not what was asked for.
    """
    from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, parse_query_results

    def unreadable(reason: str) -> EndpointError:
        kind = server_text(response.headers.get("Content-Type") or "no content type", 80)
        return EndpointError(f"the server at {shown_url(url)} sent an answer that cannot be read ({kind}): {reason}")

    try:
        parsed = parse_query_results(response.content, format=QueryResultsFormat.JSON)
        if boolean:
            if not isinstance(parsed, QueryBoolean):
                raise unreadable("rows where a yes/no answer was asked for")
            return bool(parsed)
        if not isinstance(parsed, QuerySolutions):
            raise unreadable("a yes/no answer where rows were asked for")
        rows = list(parsed)
    except (ValueError, SyntaxError, OSError) as error:
        raise unreadable(_first_line(error)) from None
    for row in rows:
        missing = [name for name in columns if row[name] is None]
        if missing:
            raise unreadable(f"a row without ?{missing[0]}")
    return rows


def _first_line(error) -> str:
    text = str(error).strip().splitlines()
    return server_text(text[0]) if text else type(error).__name__


def _warn(message: str) -> None:
    warnings.warn(message, EndpointWarning, stacklevel=3)


def _is_read_timeout(error) -> bool:
    import requests

    if isinstance(error, requests.exceptions.ReadTimeout):
        return True
    text = str(error)
    return "Read timed out" in text


def _reason(error) -> str:
    text = str(error)
    for pattern, reason in (
        (r"Connection refused", "connection refused (is the server running?)"),
        (r"Name or service not known|nodename nor servname|getaddrinfo failed|Failed to resolve", "unknown host name"),
        (r"No route to host", "no route to host"),
        (r"Network is unreachable", "network unreachable"),
        (r"CERTIFICATE_VERIFY_FAILED|SSLError", "the server's TLS certificate could not be verified"),
        (r"RemoteDisconnected|Connection aborted|Connection reset", "the server closed the connection"),
    ):
        if re.search(pattern, text):
            return reason
    return type(error).__name__


def server_message(response, limit: int = 400) -> str:
    """Return the server's own explanation from an error response: its first paragraph, as plain text."""
    try:
        text = response.content[:65536].decode(response.encoding or "utf-8", errors="replace")
    except Exception:  # a body that cannot be read says nothing more than the status
        return ""
    if "html" in response.headers.get("Content-Type", "").lower() or text.lstrip().startswith("<"):
        import html

        # an HTML page: its body's text, on one line (the head holds only a title that repeats the status)
        text = re.sub(r"(?is)<(head|script|style)\b.*?</\1>", " ", text)
        text = html.unescape(re.sub(r"(?s)<[^>]+>", " ", text))
        text = " ".join(text.split())
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", text.strip())]
    return server_text(next((part for part in paragraphs if part), ""), limit)


def server_text(text: str, limit: int = 300) -> str:
    """Return text a server sent as a message may show it: control characters escaped (no terminal escape
    sequences), on one line, cut at ``limit`` characters."""
    text = escape_control(" ".join(str(text).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


class EndpointStore(BaseStore):
    """A SPARQL 1.1 server used like the embedded store: it runs SPARQL; ``facts`` and ``walk`` are the generic ones.

    It has no local data directory (``data_dir`` None) and is ``remote``: what needs local data asks
    ``require_local`` and is refused.
    """

    remote = True

    def __init__(
        self,
        url: str,
        *,
        credentials: Credentials | None = None,
        timeout: float | None = None,
        warn: Callable[[str], None] | None = None,
        connection: Connection | None = None,
    ) -> None:
        self.url = checked_url(url)
        if connection is None:
            credentials = credentials if credentials is not None else find_credentials(self.url)
            connection = Connection(credentials, timeout or endpoint_timeout(), warn)
        self.connection = connection
        self._graphs: list[str] | None = None  # None: the server's default graph
        self._graphs_known = False

    def __repr__(self) -> str:
        return f"EndpointStore({shown_url(self.url)!r})"

    # -- the two methods every question uses

    def query(self, sparql: str, substitutions: Substitutions | None = None) -> QueryResults:
        """Run a SPARQL query on the server over the crossplan graphs; return pyoxigraph results like the store's.

        Raises SyntaxError (as the embedded store) for a malformed query, EndpointError when the server fails.
        """
        # Refused here too (not only by run_query): the server must not be sent what the embedded store refuses.
        check_read_only(sparql)
        # The local parse evaluates an ASK at once: it runs where no socket can be opened.
        kind, variables = run_guarded(lambda: _local_parse(sparql, substitutions), self.connection.timeout)
        text = with_prefixes(bind_values(sparql, substitutions))
        if kind == "select":
            return self._solutions(text, variables)
        if kind == "ask":
            return self._boolean(text)
        return self._triples(text)

    def select(self, sparql: str, substitutions: Substitutions | None = None) -> list[dict[str, Any]]:
        """Run a SELECT query and return a list of rows mapping variable names to plain Python values."""
        return solution_rows(self.query(sparql, substitutions))

    def data_graphs(self) -> list[str]:
        """Return the IRIs of the crossplan graphs on the server that hold data (not the ontology)."""
        graphs = self.graphs() or []
        return [graph for graph in graphs if graph != graph_iri("ontology")]

    # -- the dataset

    def graphs(self) -> list[str] | None:
        """Return the named graphs the questions see (their union is the default graph), looked up once.

        None means the crossplan data is in the server's default graph and no graph needs naming.
        """
        if not self._graphs_known:
            self._graphs = self._find_graphs()
            self._graphs_known = True
        return self._graphs

    def _find_graphs(self) -> list[str] | None:
        found = self._post_query(with_prefixes(_FIND_GRAPHS), SELECT_RESULTS, dataset=False)
        graphs = sorted({row["g"].value for row in read_results(found, self.url, columns=("g",))})
        if graphs:
            return graphs
        answer = self._post_query(with_prefixes("ASK { ?plan a cp:Plan }"), SELECT_RESULTS, dataset=False)
        if read_results(answer, self.url, boolean=True):
            return None
        raise EndpointError(
            f"the server at {shown_url(self.url)} holds no crossplan graphs: load them with "
            f"`crossplan push --endpoint {shown_url(self.url)}`"
        )

    def _post_query(self, text: str, accept: str, dataset: bool = True) -> Any:
        form = [("query", text)]
        graphs = self.graphs() if dataset else None
        for graph in graphs or ():
            form += [("default-graph-uri", graph), ("named-graph-uri", graph)]
        response = self.connection.send("POST", self.url, data=form, headers={"Accept": accept}, what="query")
        rows = response.headers.get("X-SPARQL-MaxRows")
        if rows:
            self.connection.warn(
                f"the server cut the result at {server_text(rows, 20)} rows (its ResultSetMaxRows limit); "
                "narrow the query or page through it with LIMIT and OFFSET"
            )
        return response

    def _solutions(self, text: str, variables: list[str]) -> QueryResults:
        from pyoxigraph import QueryResultsFormat, QuerySolutions, parse_query_results

        response = self._post_query(text, SELECT_RESULTS)
        content = response.content
        try:
            document = json.loads(content)
            # the server may order `SELECT *` columns its own way: use the embedded store's order
            if sorted(document["head"]["vars"]) == sorted(variables) and document["head"]["vars"] != variables:
                document["head"]["vars"] = variables
                content = json.dumps(document).encode("utf-8")
            # read it whole once, so that a malformed answer is the server's error here, not a "syntax error"
            # of the user's query while the rows are read later; then hand over a fresh reading of it
            parsed = parse_query_results(content, format=QueryResultsFormat.JSON)
            if not isinstance(parsed, QuerySolutions):
                raise TypeError("a yes/no answer where rows were asked for")
            list(parsed)
            return parse_query_results(content, format=QueryResultsFormat.JSON)
        except (ValueError, KeyError, TypeError, SyntaxError, AttributeError, OSError) as error:
            raise EndpointError(self._unreadable(response, error)) from None

    def _boolean(self, text: str) -> QueryResults:
        from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

        response = self._post_query(text, SELECT_RESULTS)
        try:
            answer = parse_query_results(response.content, format=QueryResultsFormat.JSON)
        except (ValueError, SyntaxError, OSError) as error:
            raise EndpointError(self._unreadable(response, error)) from None
        if not isinstance(answer, QueryBoolean):
            raise EndpointError(self._unreadable(response, "rows where a yes/no answer was asked for"))
        return answer

    def _triples(self, text: str) -> QueryResults:
        from pyoxigraph import RdfFormat, Store

        response = self._post_query(text, GRAPH_RESULTS)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        rdf_format = RdfFormat.TURTLE if media_type in ("text/turtle", "application/x-turtle") else RdfFormat.N_TRIPLES
        # A store in memory turns the triples into the same QueryTriples the embedded store returns.
        holder = Store()
        try:
            holder.load(response.content, format=rdf_format)
        except (ValueError, SyntaxError, OSError) as error:
            raise EndpointError(self._unreadable(response, error)) from None
        return holder.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def _unreadable(self, response: Any, error: object) -> str:
        kind = server_text(response.headers.get("Content-Type", "no content type"), 80)
        return f"the server at {shown_url(self.url)} sent an answer that cannot be read ({kind}): {_first_line(error)}"


def _local_parse(sparql: str, substitutions: Substitutions | None) -> tuple[str, list[str]]:
    from pyoxigraph import QueryBoolean, QuerySolutions, Store

    bound = dict(substitutions) if substitutions is not None else None
    local = Store().query(sparql, prefixes=PREFIXES, substitutions=bound)
    if isinstance(local, QuerySolutions):
        return "select", [variable.value for variable in local.variables]
    return ("ask" if isinstance(local, QueryBoolean) else "graph"), []


_FIND_GRAPHS = f"""SELECT DISTINCT ?g WHERE {{
  {{ GRAPH ?g {{ ?s a ?type }} VALUES ?type {{ cp:Plan cp:Organisation cp:Document cp:Programme }} }}
  UNION {{ GRAPH ?g {{ <{ONTOLOGY_IRI}> a owl:Ontology }} }}
}}"""


def open_endpoint(url: str, warn: Callable[[str], None] | None = None) -> EndpointStore:
    """Return the EndpointStore of a server URL, with credentials and time limit from the environment."""
    return EndpointStore(url, warn=warn)
