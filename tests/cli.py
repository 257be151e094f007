"""The `govxl` command line for tests: `run` in this process, `run_process` in a child process.

`run(*args)` calls the app the way the `govxl` script does, through its one error boundary
(govxl/cli/app.py, `Group.main`), so exit codes and messages are the real ones; it costs no
interpreter start-up and no imports, which is most of a command's time on a small workbook.
Output is captured as a pipe sees it (not a terminal: no colour, no rich tables, no progress bar),
80 columns wide, with stdin empty unless `input` is given; `cwd` and `env` hold for the call only.
An exception that gets past the boundary is a bug: it is raised here, with its traceback.

`run_process(*args)` starts `python -m govxl` (or `module`): only for what a process alone shows
(exit codes under signals, `python -m`, start-up, a real terminal, limits of a child process).

Both return a `Result`: exit_code (also as returncode), stdout, stderr, and output (both streams).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "govxl"]  # for a child that run_process cannot start (a pty, rlimits, a signal)

# What every run sees, whatever the terminal pytest runs in: help wraps at 80 columns, no colour.
ENV = {"COLUMNS": "80", "LINES": "24", "NO_COLOR": "1", "TERM": "dumb"}


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: Any  # str, or bytes with text=False
    stderr: Any
    output: Any  # stdout and stderr together (interleaved as written, in process)

    @property
    def returncode(self) -> int:
        return self.exit_code


def argv(args, lang: str | None) -> list[str]:
    out = [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]
    return [*out, "--lang", lang] if lang else out


@cache
def _command():
    import typer.main

    from govxl.cli import app  # registers the commands

    return typer.main.get_command(app)


def run(*args, lang: str | None = None, cwd: str | os.PathLike | None = None, input: str | bytes | None = None,
        env: dict[str, str] | None = None, text: bool = True) -> Result:
    """`govxl ARGS...` in this process; `lang` adds `--lang LANG`; `text=False` gives bytes."""
    runner = CliRunner(env={**ENV, **(env or {})})
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        res = runner.invoke(_command(), argv(args, lang), input=input, prog_name="govxl", catch_exceptions=False,
                            color=False)
    out, err = res.stdout_bytes, res.stderr_bytes
    result = Result(res.exit_code, out, err, res.output_bytes) if not text else \
        Result(res.exit_code, out.decode(), err.decode(), res.output)
    assert b"Traceback" not in err, err.decode(errors="replace")
    return result


def run_process(*args, lang: str | None = None, cwd: str | os.PathLike | None = None,
                input: str | bytes | None = None, env: dict[str, str] | None = None, text: bool = True,
                module: str = "govxl", timeout: float = 300) -> Result:
    """`python -m govxl ARGS...` (or `python -m MODULE`) as a child process of this checkout."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    full_env = {**os.environ, **ENV, "PYTHONPATH": path, **(env or {})}
    if isinstance(input, str):
        input = input.encode()
    p = subprocess.run([*COMMAND[:-1], module, *argv(args, lang)], capture_output=True, input=input,
                       cwd=cwd, env=full_env, timeout=timeout)
    result = Result(p.returncode, p.stdout, p.stderr, p.stdout + p.stderr) if not text else \
        Result(p.returncode, p.stdout.decode(), p.stderr.decode(), (p.stdout + p.stderr).decode())
    assert b"Traceback" not in p.stderr, p.stderr.decode(errors="replace")
    return result
