"""The shipped examples: the 南关区 2023 report as a workbook, and a deliberately inconsistent copy,
with the output `govxl check` gives for each (golden files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli import run
from helpers import NANGUAN_2023, NANGUAN_AGENCY, values

import govxl
from govxl.spec import load_edition

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def test_nanguan_example_holds_the_published_numbers():
    ed = load_edition("2021")
    report = govxl.check(EXAMPLES / "nanguan-2023.xlsx")
    assert (report.agency, report.year) == (NANGUAN_AGENCY, 2023)
    for key, v in values(ed, NANGUAN_2023).items():
        assert report.values[key] == v, key


@pytest.mark.parametrize("name, code", [("nanguan-2023", 0), ("nanguan-2023-inconsistent", 1)])
def test_example_check_output_is_as_committed(name, code):
    r = run("check", f"examples/{name}.xlsx", cwd=ROOT)
    assert r.returncode == code
    assert r.stdout == (EXAMPLES / f"{name}.check.txt").read_text(encoding="utf-8")


def test_inconsistent_example_json_is_as_committed():
    r = run("check", "examples/nanguan-2023-inconsistent.xlsx", "--format", "json", cwd=ROOT)
    assert json.loads(r.stdout) == json.loads((EXAMPLES / "nanguan-2023-inconsistent.check.json").read_text(encoding="utf-8"))
