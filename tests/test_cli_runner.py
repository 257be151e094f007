"""tests/cli.py: `run` in this process says what `python -m govxl` says, and leaves nothing behind."""

from __future__ import annotations

import os

import pytest
from cli import run, run_process

import govxl


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("runner")
    good = govxl.new(d / "good.xlsx", agency="甲县人民政府办公室", year=2023)
    (d / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    return d, good


CASES = [
    (),  # no command: help, exit 2
    ("--version",),
    ("check",),  # a usage error
    ("check", "--help"),
    ("check", "--format", "xml", "x.xlsx"),
    ("nosuch",),
    ("check", "{good}"),
    ("check", "{good}", "{broken}", "--format", "json"),
    ("check", "{dir}", "--lang", "en"),
    ("export", "{good}", "--to", "csv"),
    ("new", "{good}"),  # refuses to overwrite
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a) or "(none)")
def test_in_process_and_child_process_say_the_same(files, args):
    d, good = files
    args = [a.format(good=good, broken=d / "broken.xlsx", dir=d) for a in args]
    here, child = run(*args), run_process(*args)
    assert here.exit_code == child.exit_code
    # the only difference: the program's name in usage lines (`python -m govxl` for the child)
    assert here.stdout == child.stdout.replace("python -m govxl", "govxl")
    assert here.stderr == child.stderr.replace("python -m govxl", "govxl")


def test_lang_cwd_and_env_hold_for_the_call_only(files, tmp_path):
    d, good = files
    assert run("check", good, lang="en").stdout == run("check", good, "--lang", "en").stdout != run("check", good).stdout
    before, environ = os.getcwd(), dict(os.environ)
    res = run("check", good.name, cwd=d, env={"GOVXL_RUNNER_PROBE": "1"})
    assert res.exit_code == run("check", good).exit_code and good.name in res.stdout
    assert os.getcwd() == before and dict(os.environ) == environ
    assert run("check", good.name).exit_code == 2  # not found from here


def test_bytes_on_request(files):
    d, good = files
    res = run("export", good, "--to", "csv", text=False)
    assert isinstance(res.stdout, bytes) and res.stdout.startswith("\ufeff".encode())
    assert res.stdout.decode() == run("export", good, "--to", "csv").stdout
    assert res.returncode == res.exit_code == 1  # a blank workbook does not pass
