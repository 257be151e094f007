"""Every command has help text and is documented in README.md (sqlite-utils' test_docs, STYLE.md 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from govxl.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands


def test_there_are_commands():
    assert {"new", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_text(name):
    cmd = COMMANDS[name]
    assert cmd.help and cmd.help.strip(), f"govxl {name} has no help text (its docstring)"
    for param in cmd.params:
        if param.name != "help":
            assert getattr(param, "help", None), f"govxl {name}: {param.name} has no help text"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_appears_in_readme(name):
    assert re.search(rf"(?<![\w-])govxl {re.escape(name)}\b", README), f"README.md does not document `govxl {name}`"
