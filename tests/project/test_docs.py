"""The README documents every command, opens with the two commands, and CI runs the README's test command."""

import re
from pathlib import Path

from crossplan.cli import main

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_appears_in_the_readme_with_an_example():
    for name in main.commands:
        assert re.search(rf"crossplan (--[a-z-]+ \S+ )*{name}\b", README), f"`crossplan {name}` is not in the README"


def test_every_command_has_a_one_line_help():
    for name, command in main.commands.items():
        first = (command.help or "").strip().split("\n")[0]
        assert first and first.endswith("."), name


def test_the_readme_opens_with_the_two_commands_and_ci_runs_the_second():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert first_block[0].startswith("pip install . && crossplan ")
    assert first_block[1] == "./test.sh"
    assert README.index("```sh") < README.index("##")
    assert "./test.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_images_exist():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (ROOT / image).is_file(), image
