"""The README's examples run as written, and the help it shows is the commands' own.

Every fenced block of README.md tagged `sh`, `console` or `python` is run, in order, in a copy of
the repository's tracked files (what a fresh clone holds), with the set-up's virtual environment
(the one running these tests) as `.venv` and a PATH without it, as a newcomer has it after the two
set-up commands:

- the first block is set-up command 1: its `python3 -m venv` and `pip install` steps are what made
  the environment these tests run in; the rest of it runs here;
- a line `<!-- readme-test: exit N (why) -->` before a block says the exit code README promises
  (0 otherwise); `<!-- readme-test: skip (why) -->` marks a block that is not run, the reason said
  (the test suite itself, the desk's server, minutes of benchmarks);
- `console` blocks are transcripts: each `$ command` runs and its output must be the lines below it.

A block `<!-- readme-help: CMD -->` + ```text holds `govxl CMD --help` as it prints; the test
compares them, and `GOVXL_UPDATE_README=1` rewrites them from the commands (then read the diff).
Slow (a minute or two): it runs in CI like every other test (marked `readme`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli import run

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"(?:<!-- readme-(test|help): ([^>]*?) -->\n)?^```(\w*)\n(.*?)^```\n", re.S | re.M)
RUNNABLE = {"sh", "console", "python"}
ALLOWED_SKIPS = ("the test suite itself", "starts the desk's web server", "minutes of measuring", "installs an optional extra")

pytestmark = pytest.mark.readme


@dataclass
class Block:
    line: int
    lang: str
    body: str
    marker: str | None  # "test" or "help"
    arg: str  # the marker's text


def blocks(text: str) -> list[Block]:
    return [Block(text[:m.start(3) if m.group(1) is None else m.start()].count("\n") + 1, m.group(3), m.group(4),
                  m.group(1), (m.group(2) or "").strip()) for m in FENCE.finditer(text)]


# ------------------------------------------------------------------ help shown in README = --help
def help_text(name: str) -> str:
    res = run(*([name] if name else []), "--help")
    assert res.exit_code == 0
    return res.stdout


def test_the_help_shown_in_readme_is_the_commands_own():
    text = README.read_text(encoding="utf-8")
    shown = {b.arg: b.body for b in blocks(text) if b.marker == "help"}
    import typer.main

    from govxl.cli import app  # the commands README must show

    names = ["govxl", *typer.main.get_command(app).commands]
    assert sorted(shown) == sorted(names), "README shows the help of `govxl` and of every command"
    if os.environ.get("GOVXL_UPDATE_README"):
        for name in names:
            fresh = help_text("" if name == "govxl" else name)
            text = text.replace(f"<!-- readme-help: {name} -->\n```text\n{shown[name]}```\n",
                                f"<!-- readme-help: {name} -->\n```text\n{fresh}```\n")
        README.write_text(text, encoding="utf-8")
        shown = {b.arg: b.body for b in blocks(text) if b.marker == "help"}
    for name in names:
        assert shown[name] == help_text("" if name == "govxl" else name), \
            f"README's `govxl {name} --help` differs from the command's: GOVXL_UPDATE_README=1 rewrites it"


# ------------------------------------------------------------------ every example runs as written
@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The tracked files of this checkout in a fresh folder, with the set-up's environment as .venv."""
    if not (Path(sys.prefix) / "bin" / "govxl").exists():
        pytest.skip("the tests do not run in the set-up's virtual environment (no govxl script beside python)")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    dest = tmp_path_factory.mktemp("readme") / "govxl"
    for name in filter(None, (f.decode() for f in files)):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    (dest / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return dest


def shell(cmd: str, cwd: Path, stdin: str | None = None, argv: list[str] | None = None):
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", str(cwd)), "LANG": "C.UTF-8",
           "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(argv or ["bash", "-e", "-o", "pipefail", "-c", cmd], cwd=cwd, env=env, input=stdin,
                          capture_output=True, text=True, timeout=600)


def expected_exit(block: Block) -> int | None:
    """The exit code README promises for `block`, or None when it is not to be run."""
    if block.marker != "test":
        return 0
    if block.arg.startswith("skip"):
        assert any(why in block.arg for why in ALLOWED_SKIPS), f"README line {block.line}: {block.arg}"
        return None
    m = re.match(r"exit (\d+)", block.arg)
    assert m, f"README line {block.line}: {block.arg}"
    return int(m.group(1))


def setup_steps(body: str) -> str:
    """Set-up command 1 without the steps that made this environment (venv and pip)."""
    steps = [s.strip() for s in body.strip().split("&&")]
    assert steps[0].startswith("python3 -m venv .venv") and steps[1].startswith(".venv/bin/pip install .")
    return " && ".join(steps[2:])


def test_every_example_runs_as_written(clone):
    runnable = [b for b in blocks(README.read_text(encoding="utf-8")) if b.lang in RUNNABLE]
    assert runnable[0].body.startswith("python3 -m venv .venv"), "the first example is set-up command 1"
    ran = 0
    for i, block in enumerate(runnable):
        code = expected_exit(block)
        if code is None:
            continue
        where = f"README line {block.line}"
        if i == 0:
            r = shell(setup_steps(block.body), clone)
        elif block.lang == "python":
            r = shell("", clone, stdin=block.body, argv=[str(clone / ".venv" / "bin" / "python"), "-"])
        elif block.lang == "console":
            for cmd, expected in transcript(block.body):
                r = shell(cmd + " 2>&1", clone)
                assert r.stdout == expected, f"{where}: `{cmd}` printed\n{r.stdout}"
        else:
            r = shell(block.body, clone)
        assert r.returncode == code, f"{where}: exit {r.returncode}, README says {code}\n{r.stdout[-2000:]}{r.stderr[-2000:]}"
        assert "Traceback" not in r.stderr, f"{where}\n{r.stderr}"
        ran += 1
    assert ran >= 10
    stray = sorted(p.name for p in clone.iterdir())
    assert "r.html" not in stray and not list(clone.glob("*.xlsx")), "examples write under out/ only"


def transcript(body: str) -> list[tuple[str, str]]:
    """(command, its output) of each `$ command` of a console block."""
    out: list[tuple[str, str]] = []
    for line in body.splitlines(keepends=True):
        if line.startswith("$ "):
            out.append((line[2:].strip(), ""))
        else:
            assert out, "a console block starts with `$ `"
            out[-1] = (out[-1][0], out[-1][1] + line)
    return out
