"""Read an untrusted document in a child process with CPU-time and memory limits; the result comes back as JSON.

``read_document(path)`` starts ``python -m crossplan.graph.importing.sandbox KIND PATH``; the child lowers its own
limits (resource.setrlimit) before it opens the file, reads it into a ``Document`` and prints it as JSON (or
``{"error": ...}``). A file that makes the reader run away ends the child, and the parent reports a clean error
naming the file and the limit. Nothing is unpickled and nothing is fetched.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from ..errors import ImportFileError
from ..text import display_path
from .document import Document
from .htmlreader import read_html
from .pdfreader import assemble, extract_pages
from .wordreader import read_docx

CPU_SECONDS = 60
"""CPU time the reading child may use."""
MEMORY_BYTES = 1_500_000_000
"""Address space the reading child may use (the Python interpreter and its libraries take about 300 MB of it)."""
WALL_SECONDS = 120


READERS = 2
"""A PDF is read by this many children at once, each taking every second page (the machine has 2 cores)."""


def read_document(path: Path, kind: str) -> Document:
    """Read a .pdf, .docx or .html file into a Document in limited child processes; raise ImportFileError."""
    display = display_path(path)
    if kind != "pdf":
        return Document.from_json(json.dumps(_finish(display, _start(path, display, kind))["document"]))
    children = [_start(path, display, "pdf", offset, READERS) for offset in range(READERS)]
    results, errors = [], []
    for process in children:
        try:
            results.append(_finish(display, process))
        except ImportFileError as error:
            errors.append(error)
    if errors:
        raise errors[0]
    content = [page for result in results for page in result["content"]]
    return assemble(display, results[0]["pages"], results[0]["title"], content)


def _start(path: Path, display: str, kind: str, offset: int = 0, step: int = 1) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "crossplan.graph.importing.sandbox",
        kind,
        str(path),
        display,
        str(CPU_SECONDS),
        str(MEMORY_BYTES),
        str(offset),
        str(step),
    ]
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("http", "HTTP"))}
    return subprocess.Popen(  # noqa: S603 - our own module, with a path we were given
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment, stdin=subprocess.DEVNULL
    )


def _finish(display: str, process: subprocess.Popen) -> dict:
    """Wait for a reading child; return its result, or raise ImportFileError naming the limit it hit."""
    try:
        stdout, stderr = process.communicate(timeout=WALL_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise ImportFileError(f"{display}: reading took more than {WALL_SECONDS} s; refusing the file") from None
    finished = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if finished.returncode != 0:
        code = -finished.returncode
        if code in (signal.SIGXCPU, signal.SIGKILL):
            raise ImportFileError(
                f"{display}: reading used more than {CPU_SECONDS} s of CPU time; refusing the file (too complex?)"
            )
        if b"MemoryError" in finished.stderr or code == signal.SIGSEGV:
            raise ImportFileError(
                f"{display}: reading needed more than {MEMORY_BYTES // 1_000_000} MB of memory; refusing the file"
            )
        last = finished.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise ImportFileError(f"{display}: the file could not be read ({last[0][:200]})")
    try:
        result = json.loads(finished.stdout)
    except ValueError:
        raise ImportFileError(f"{display}: the document reader returned an unreadable result") from None
    if "error" in result:
        raise ImportFileError(str(result["error"]))
    return result


def _limit(cpu: int, memory: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # the child writes no files
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def child(kind: str, path: str, display: str, offset: int = 0, step: int = 1) -> dict:
    """Read one file (in the child, its limits already set): {"document": ...}, a PDF's pages (``extract_pages``)
    or {"error": message}."""
    try:
        if kind == "pdf":
            return extract_pages(Path(path), display, offset, step)
        if kind == "docx":
            document = read_docx(Path(path), display)
        else:
            document = read_html(Path(path), display)
        return {"document": json.loads(document.to_json())}
    except ImportFileError as error:
        return {"error": str(error)}
    except MemoryError:
        return {
            "error": f"{display}: reading needed more than {MEMORY_BYTES // 1_000_000} MB of memory; refusing the file"
        }
    except Exception as error:  # a damaged file makes the libraries raise anything
        return {"error": f"{display}: the file cannot be read ({type(error).__name__}: {str(error)[:160]})"}


if __name__ == "__main__":  # pragma: no cover - run as the child process
    _limit(int(sys.argv[4]), int(sys.argv[5]))
    kind, path, display = sys.argv[1:4]
    print(json.dumps(child(kind, path, display, int(sys.argv[6]), int(sys.argv[7])), ensure_ascii=False))
