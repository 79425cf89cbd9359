"""Every ``CROSSPLAN_*`` environment variable, declared once: its name, parser, default and help (``SETTINGS``).

A module reads a setting through its entry (``QUERY_MEMORY.value()``), never ``os.environ`` itself, so one parser
judges each kind of value and a bad one is named the same way everywhere: ``CROSSPLAN_QUERY_MEMORY='lots' is not a
whole number of megabytes above 0``. ``crossplan settings`` lists them (``format_settings``), with the values in force.

>>> SETTINGS["CROSSPLAN_ENDPOINT_TIMEOUT"].value({"CROSSPLAN_ENDPOINT_TIMEOUT": "2.5"})
2.5
>>> ENDPOINT_TIMEOUT.value({"CROSSPLAN_ENDPOINT_TIMEOUT": "inf"})
Traceback (most recent call last):
...
crossplan.graph.errors.SettingError: CROSSPLAN_ENDPOINT_TIMEOUT='inf' is not a number of seconds above 0 and at most 86400
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .errors import CrossplanError


MAX_SECONDS = 86_400.0
"""A day: the longest time limit one may set (a clock must be able to reach it)."""
MAX_MEGABYTES = 1 << 30
"""A petabyte: beyond it a limit in bytes overflows the system's."""


def seconds(text: str) -> float:
    """A finite number of seconds above 0 and at most a day."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        raise ValueError(f"is not a number of seconds above 0 and at most {MAX_SECONDS:g}")
    return value


def megabytes(text: str) -> int:
    """A whole number of megabytes above 0."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= MAX_MEGABYTES:
        raise ValueError(f"is not a whole number of megabytes above 0 and at most {MAX_MEGABYTES}")
    return value


def switch(text: str) -> bool | None:
    """``1`` (on) or ``0`` (off)."""
    if text not in ("0", "1"):
        raise ValueError("is neither 0 (off) nor 1 (on)")
    return text == "1"


def flag(text: str) -> bool:
    """On unless ``0``."""
    return text != "0"


def token(text: str) -> str:
    """A secret of at least 16 characters."""
    if len(text) < 16:
        raise ValueError("is shorter than 16 characters: use a long random token")
    return text


class Setting(NamedTuple):
    """One environment variable: ``parse`` turns its text into a value or raises ValueError saying why not."""

    name: str
    help: str
    parse: Callable[[str], Any] = str
    default: Any = None
    secret: bool = False

    def value(self, environ: Mapping[str, str] | None = None, error: type[CrossplanError] | None = None) -> Any:
        """Return the setting's value (``default`` when unset or blank); raise ``error`` (``SettingError``) naming it
        when it is bad."""
        text = (os.environ if environ is None else environ).get(self.name, "").strip()
        if not text:
            return self.default
        try:
            return self.parse(text)
        except ValueError as reason:
            from .errors import SettingError  # here, not at the top: `crossplan --help` reads this table
            from .text import terminal_text

            shown = self.name if self.secret else f"{self.name}='{terminal_text(text)}'"
            raise (error or SettingError)(f"{shown} {reason}") from None


DATA = Setting("CROSSPLAN_DATA", "The data directory (as --data; default: the shipped plans).", Path)
STORE = Setting(
    "CROSSPLAN_STORE", "The store directory (as --store; default: one per data directory in the cache).", Path
)
CACHE = Setting(
    "CROSSPLAN_CACHE", "Where the per-data-directory stores are kept (default: $XDG_CACHE_HOME/crossplan).", Path
)
ENDPOINT = Setting("CROSSPLAN_ENDPOINT", "A SPARQL 1.1 endpoint to ask instead of the embedded store (as --endpoint).")
ENDPOINT_USER = Setting("CROSSPLAN_ENDPOINT_USER", "The user name for the endpoint (with the password; else netrc).")
ENDPOINT_PASSWORD = Setting("CROSSPLAN_ENDPOINT_PASSWORD", "The password for the endpoint.", secret=True)
ENDPOINT_TIMEOUT = Setting("CROSSPLAN_ENDPOINT_TIMEOUT", "Seconds to wait for the endpoint's answer.", seconds, 60.0)
ENDPOINT_MAX_MB = Setting(
    "CROSSPLAN_ENDPOINT_MAX_MB", "The largest answer read from an endpoint, in MB.", megabytes, 256
)
QUERY_MEMORY = Setting(
    "CROSSPLAN_QUERY_MEMORY", "Megabytes a query may add to the process before it is stopped.", megabytes, 1024
)
SERVE_TOKEN = Setting(
    "CROSSPLAN_SERVE_TOKEN", "The server's edit token (default: a new one, printed at start).", token, secret=True
)
PROGRESS = Setting("CROSSPLAN_PROGRESS", "Progress bars: 1 always, 0 never (default: on a terminal).", switch)
DEBUG = Setting("CROSSPLAN_DEBUG", "Set (not 0): show the traceback of an internal error.", flag, False)

SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        DATA,
        STORE,
        CACHE,
        ENDPOINT,
        ENDPOINT_USER,
        ENDPOINT_PASSWORD,
        ENDPOINT_TIMEOUT,
        ENDPOINT_MAX_MB,
        QUERY_MEMORY,
        SERVE_TOKEN,
        PROGRESS,
        DEBUG,
    )
}


def format_settings(environ: Mapping[str, str] | None = None) -> str:
    """Return one paragraph per setting: its name, its value now (a secret's only as set or not), default and help."""
    environ = os.environ if environ is None else environ
    lines = []
    for setting in SETTINGS.values():
        text = environ.get(setting.name, "").strip()
        now = ("(set)" if setting.secret else text) if text else "(not set)"
        default = f" (default: {setting.default})" if setting.default not in (None, False) else ""
        lines += [f"{setting.name}={now}", f"    {setting.help}{default}"]
    return "\n".join(lines) + "\n"
