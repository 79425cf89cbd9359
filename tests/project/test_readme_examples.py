"""Every console example in the README is what the tool prints.

Each ```console block is a shell session: its ``$ `` lines run in order with bash, in a fresh folder holding a
copy of ``docs/examples/`` (the files the examples use), against the installed ``crossplan``; what follows a command
up to the next ``$ `` line is what it must print (stdout and stderr, as a terminal shows them). In the README an
``…`` stands for any text (a path, a timing, the rest of a long answer); everything else must match exactly.
A block whose opening line is ```console server`` talks to a SPARQL server: it runs in the server tier, against
the Oxigraph test server, whose address stands in for the README's.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EXAMPLES = ROOT / "docs" / "examples"
README_SERVER = "http://127.0.0.1:7878"


@dataclass
class Step:
    command: str
    expected: list[str]


@dataclass
class Block:
    line: int
    server: bool
    steps: list[Step]


def console_blocks(text: str) -> list[Block]:
    blocks = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = lines[index].strip()
        if opening.startswith("```console"):
            block = Block(index + 1, "server" in opening.split()[1:], [])
            index += 1
            while index < len(lines) and lines[index].strip() != "```":
                line = lines[index]
                if line.startswith("$ "):
                    block.steps.append(Step(line[2:], []))
                elif block.steps:
                    block.steps[-1].expected.append(line)
                else:
                    raise AssertionError(f"README.md:{index + 1}: a console block must start with a `$ ` command")
                index += 1
            blocks.append(block)
        index += 1
    return blocks


def pattern(expected: list[str]) -> re.Pattern:
    """``…`` matches any text, across lines too; the rest matches itself (trailing spaces aside)."""
    text = "\n".join(line.rstrip() for line in expected).strip("\n")
    parts = [re.escape(part) for part in text.split("…")]
    return re.compile(".*?".join(parts), re.S)


BLOCKS = console_blocks(README.read_text(encoding="utf-8"))


def session_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CROSSPLAN_")}
    env.update(
        {
            "HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
            "COLUMNS": "100",
            "TERM": "dumb",
            "LC_ALL": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    return env


def run_on_a_terminal(command: str, cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    """Run ``command`` with bash, its stdout and stderr on a 100-column pseudo-terminal, as a reader's would be;
    return what the terminal showed (stdin is empty: nothing is typed)."""
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 100, 0, 0))
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], timeout)
            if not ready:
                process.kill()
                raise AssertionError(f"`{command}` did not finish within {timeout} s")
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command has ended
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        process.wait(timeout=30)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run_block(block: Block, tmp_path: Path, replace: dict[str, str] | None = None) -> None:
    work = tmp_path / "work"
    shutil.copytree(EXAMPLES, work)
    env = session_env(tmp_path)
    for step in block.steps:
        command = step.command
        for old, new in (replace or {}).items():
            command = command.replace(old, new)
        shown = run_on_a_terminal(command, work, env)
        printed = "\n".join(line.rstrip() for line in shown.splitlines()).strip("\n")
        for old, new in (replace or {}).items():
            printed = printed.replace(new, old)
        assert pattern(step.expected).fullmatch(printed), (
            f"README.md:{block.line}: `$ {step.command}` printed:\n{printed}\n--- the README shows:\n"
            + "\n".join(step.expected)
        )


@pytest.mark.parametrize(
    "block", [block for block in BLOCKS if not block.server], ids=lambda block: f"line{block.line}"
)
def test_console_example(block, tmp_path):
    run_block(block, tmp_path)


@pytest.mark.server
@pytest.mark.parametrize("block", [block for block in BLOCKS if block.server], ids=lambda block: f"line{block.line}")
def test_console_example_against_a_server(block, tmp_path, oxigraph_server):
    oxigraph_server.clear()
    base = oxigraph_server.url.rsplit("/", 1)[0]  # http://127.0.0.1:PORT, its /query, /store and /update below
    run_block(block, tmp_path, {README_SERVER: base})


def test_the_readme_has_console_examples_and_their_files():
    assert len(BLOCKS) >= 15
    used = {
        word
        for block in BLOCKS
        for step in block.steps
        for word in step.command.split()
        if re.search(r"\.(csv|xlsx|yaml)$", word) and not word.startswith("-")
    }
    for name in used:
        assert (EXAMPLES / name).exists() or not (ROOT / name).exists(), name
