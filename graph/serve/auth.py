"""Who may write: the edit token, and the checks every write request passes.

A write needs all of: the server started with ``--allow-edits``; an ``Authorization: Bearer TOKEN`` header with the
server's token (from ``CROSSPLAN_SERVE_TOKEN``, else generated at start and printed); a request from the server's
own pages, not another site's — ``Sec-Fetch-Site`` (when the browser sends it) must be ``same-origin`` or ``none``
and ``Origin`` (when sent) must be the server's own; and a JSON body. The token travels in a header that only the
page's script sets, never in a cookie, so a page on another site cannot make a browser send it; the JSON body makes
a cross-site request need a CORS preflight, which the server never grants.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from ..settings import SERVE_TOKEN


class Refusal(Exception):
    """A write the server refuses: its HTTP status and why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def edit_token(environ: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """Return the edit token and whether it was generated (False: it came from ``CROSSPLAN_SERVE_TOKEN``).

    Raises ValueError when the variable holds a token too short to be safe.
    """
    given = SERVE_TOKEN.value(environ)
    if given:
        return given, False
    return secrets.token_urlsafe(24), True


def check_write(headers, allow_edits: bool, token: str, own_origins: set[str]) -> None:
    """Raise Refusal unless a request may write (see the module's docstring for the rules)."""
    if not allow_edits:
        raise Refusal(403, "edits are off: start the server with `crossplan serve --allow-edits` to accept or reject")
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise Refusal(403, f"refused: a cross-site request ({site}) may not write")
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/") not in own_origins:
        raise Refusal(403, "refused: a request from another origin may not write")
    scheme, _, given = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Refusal(
            401, "this needs the edit token: send Authorization: Bearer TOKEN (printed when the server started)"
        )
    if not hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8")):
        raise Refusal(401, "the edit token is wrong")
    if headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Refusal(415, "send the edit as application/json")


def own_origins(host_header: str | None, bound_host: str, port: int) -> set[str]:
    """Return the origins the server's own pages have: the Host it was reached by and the address it bound."""
    origins = {f"http://{bound_host}:{port}"}
    if bound_host in ("127.0.0.1", "localhost"):
        origins |= {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
    if host_header:
        parts = urlsplit(f"http://{host_header}")
        if parts.hostname and (parts.port or 80) == port:
            origins.add(f"http://{host_header}")
    return origins
