"""Helpers for the `crossplan serve` tests (no tests here): start the real server in a subprocess, stop it by PID.

The server is started as a user would start it, ``python -m crossplan --data DIR serve --port 0`` (the system picks a
free port, which the server prints), on 127.0.0.1, with its own store cache. ``stop`` sends SIGTERM to its PID and
returns the exit status (0 after a clean shutdown, which prints "Stopped"); a server a test left running is killed
when the test process exits.
"""

from __future__ import annotations

import atexit
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

START_TIMEOUT = 120.0
TOKEN = "test-token-0123456789abcdef"


def copy_shipped_data(target: Path) -> Path:
    """Copy the shipped data (plans, registries, sources) into ``target``, a writable data directory."""
    from crossplan.graph.resources import shipped_data_dir

    shutil.copytree(shipped_data_dir(), target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target


_STARTED: list[subprocess.Popen] = []


@atexit.register
def _stop_leftovers() -> None:
    # The fixtures stop their servers; this catches a session that ends without running them.
    for process in _STARTED:
        if process.poll() is None:
            process.kill()


@dataclass
class Served:
    """A running `crossplan serve`: its base URL (ending in /), process, data directory and printed lines."""

    url: str
    process: subprocess.Popen
    data_dir: Path
    lines: list[str] = field(default_factory=list)

    @property
    def sparql(self) -> str:
        return self.url + "sparql"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    def get(self, path: str, **options) -> requests.Response:
        return requests.get(self.url + path.lstrip("/"), timeout=60, **options)

    def post(self, path: str, **options) -> requests.Response:
        return requests.post(self.url + path.lstrip("/"), timeout=60, **options)

    def stop(self) -> int:
        """Send SIGTERM to the server's PID and wait for it; return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode


def start_serve(
    data_dir: Path, cache: Path, *, allow_edits: bool = False, token: str | None = TOKEN, extra: tuple[str, ...] = ()
) -> Served:
    """Start `crossplan serve` on a data directory; return once it answers (fail after START_TIMEOUT)."""
    environ = {
        **os.environ,
        "CROSSPLAN_CACHE": str(cache),
        "CROSSPLAN_SERVE_TOKEN": token or "",
        "PYTHONUNBUFFERED": "1",
    }
    environ.pop("CROSSPLAN_ENDPOINT", None)
    command = [sys.executable, "-m", "crossplan", "--data", str(data_dir), "serve", "--port", "0", *extra]
    if allow_edits:
        command.append("--allow-edits")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environ)
    _STARTED.append(process)
    lines: queue.Queue = queue.Queue()
    served = Served("", process, data_dir)

    def read():
        for line in process.stdout:
            served.lines.append(line.rstrip("\n"))
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not served.url:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None or time.monotonic() > deadline:
            served.stop()
            raise AssertionError("crossplan serve did not start:\n" + "\n".join(served.lines))
        match = re.search(r" at (http://127\.0\.0\.1:\d+/)$", line.rstrip())
        if match:
            served.url = match.group(1)
    while time.monotonic() < deadline:
        try:
            if requests.get(served.url + "status.json", timeout=5).status_code == 200:
                return served
        except requests.ConnectionError:
            time.sleep(0.1)
    served.stop()
    raise AssertionError("crossplan serve printed its URL but never answered:\n" + "\n".join(served.lines))


def wait_for(condition, timeout: float = 30.0, step: float = 0.2):
    """Return the first truthy ``condition()`` within ``timeout`` seconds, else fail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"not within {timeout} s")
