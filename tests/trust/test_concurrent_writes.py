"""Writers of one data directory at once lose nothing (the data directory's lock, graph/datafiles/lock.py).

Several `crossplan accept` and `crossplan reject` processes started together, over several rounds, and several
reviewers of a real `crossplan serve` posting at the same time as command-line writers: every command that says it
wrote a link finds it in the file, and the file holds nothing else. Without the lock, three accepts at once leave
one link (each reads the file, validates for a while, then renames over the others' work).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from serve_support import TOKEN, start_serve

SUGGEST = Path(__file__).parents[1] / "fixtures" / "suggest"
WRITERS = 4
ROUNDS = 3


@pytest.fixture
def data(tmp_path) -> Path:
    shutil.copytree(SUGGEST, tmp_path / "data")
    return tmp_path / "data"


def environment(tmp_path: Path) -> dict[str, str]:
    environ = {**os.environ, "CROSSPLAN_CACHE": str(tmp_path / "cache")}
    environ.pop("CROSSPLAN_ENDPOINT", None)
    environ.pop("CROSSPLAN_DATA", None)
    return environ


def at_once(commands: list[list[str]], environ: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Start every command before waiting for any; return their results in order."""
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "crossplan", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        for command in commands
    ]
    results = []
    for command, process in zip(commands, started, strict=True):
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def links_in(data: Path) -> set[tuple[str, str, str]]:
    document = yaml.safe_load((data / "plans" / "north.yaml").read_text(encoding="utf-8"))
    return {
        (link["from"], link["to"], link["relation"])
        for link in document.get("links") or []
        if link.get("basis") == "suggested"
    }


def rejections_in(data: Path) -> set[tuple[str, str]]:
    path = data / "suggestions" / "rejected.yaml"
    if not path.exists():
        return set()
    return {(entry["from"], entry["to"]) for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["rejected"]}


def test_concurrent_accepts_and_rejects_all_land_in_the_files(data, tmp_path):
    environ = environment(tmp_path)
    assert (
        subprocess.run(
            [sys.executable, "-m", "crossplan", "--data", str(data), "build"], env=environ, capture_output=True
        ).returncode
        == 0
    )
    accepts = iter(itertools.product(("n1", "n2", "n3", "n4", "n5"), ("s1", "s2", "s3")))
    rejects = iter(itertools.product(("n1", "n2", "n3", "n4", "n5"), ("s4", "s5")))
    expected_links: set[tuple[str, str, str]] = set()
    expected_rejections: set[tuple[str, str]] = set()
    for _ in range(ROUNDS):
        commands, accepted, rejected = [], [], []
        for _ in range(WRITERS // 2 + 1):
            source, target = next(accepts)
            commands.append(["--data", str(data), "accept", source, target, "--relation", "related-to"])
            accepted.append((source, f"south/{target}", "related-to"))
        for _ in range(WRITERS // 2):
            source, target = next(rejects)
            commands.append(["--data", str(data), "reject", source, target])
            rejected.append((f"north/{source}", f"south/{target}"))
        results = at_once(commands, environ)
        assert [result.returncode for result in results] == [0] * len(commands), [r.stderr for r in results]
        assert all(r.stderr.startswith(("Added ", "Rejected ")) for r in results), [r.stderr for r in results]
        expected_links |= set(accepted)
        expected_rejections |= set(rejected)
        assert links_in(data) == expected_links
        assert rejections_in(data) == expected_rejections
    check = subprocess.run(
        [sys.executable, "-m", "crossplan", "--data", str(data), "validate"],
        env=environ,
        capture_output=True,
        text=True,
    )
    assert (check.returncode, check.stderr) == (0, "No problems found\n")


@pytest.mark.server
def test_reviewers_of_serve_and_the_command_line_at_once_lose_nothing(data, tmp_path):
    environ = environment(tmp_path)
    served = start_serve(data, tmp_path / "cache", allow_edits=True)
    headers = {"Authorization": f"Bearer {TOKEN}", "Origin": served.url.rstrip("/"), "Sec-Fetch-Site": "same-origin"}
    pairs = iter(itertools.product(("n1", "n2", "n3", "n4", "n5"), ("s1", "s2", "s3", "s4", "s5")))
    expected_links: set[tuple[str, str, str]] = set()
    expected_rejections: set[tuple[str, str]] = set()
    try:
        for _ in range(ROUNDS):
            reviews = [(action, *next(pairs)) for action in ("accept", "reject", "accept", "reject")]
            cli = [next(pairs), next(pairs)]

            def review(action: str, source: str, target: str):
                body = {"from": f"north/{source}", "to": f"south/{target}", "relation": "related-to"}
                return served.post(f"review/{action}", json=body, headers=headers)

            with ThreadPoolExecutor(len(reviews)) as pool:
                answers = [pool.submit(review, *each) for each in reviews]
                commands = [
                    ["--data", str(data), "accept", source, target, "--relation", "related-to"]
                    for source, target in cli
                ]
                results = at_once(commands, environ)
                responses = [answer.result() for answer in answers]
            assert [response.status_code for response in responses] == [200] * len(reviews), [
                response.text for response in responses
            ]
            assert [result.returncode for result in results] == [0, 0], [result.stderr for result in results]
            for action, source, target in reviews:
                if action == "accept":
                    expected_links.add((source, f"south/{target}", "related-to"))
                else:
                    expected_rejections.add((f"north/{source}", f"south/{target}"))
            expected_links |= {(source, f"south/{target}", "related-to") for source, target in cli}
            assert links_in(data) == expected_links
            assert rejections_in(data) == expected_rejections
    finally:
        assert served.stop() == 0


def test_a_writer_that_waits_too_long_says_the_data_directory_is_busy(data, invoke, monkeypatch, tmp_path):
    import threading

    from crossplan.graph.datafiles import lock

    monkeypatch.chdir(tmp_path)
    before = (data / "plans" / "north.yaml").read_text(encoding="utf-8")
    monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)
    held, release = threading.Event(), threading.Event()

    def hold():
        with lock.data_dir_lock(data):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        for command in (("accept", "n1", "s1"), ("reject", "n1", "s2")):
            result = invoke("--data", "data", *command)
            assert (result.exit_code, result.output) == (
                1,
                "Error: data: the data directory is busy (another crossplan command or a reviewer of "
                "`crossplan serve` has been writing to it for over 0.5 s); try again\n",
            )
    finally:
        release.set()
        holder.join()
    assert (data / "plans" / "north.yaml").read_text(encoding="utf-8") == before
    assert not (data / "suggestions").exists()
    assert invoke("--data", "data", "accept", "n1", "s1").exit_code == 0  # free again
