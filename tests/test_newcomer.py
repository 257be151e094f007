"""What a newcomer meets in the first hour (issue 27): one meaning of --force, one order of findings,
a text that is not a report, years an edition was not made for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli import run
from helpers import NANGUAN_2023, values

import govxl
from govxl.cli.printer import in_workbook_order, report_lines
from govxl.findings import Finding
from govxl.spec import load_edition

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return govxl.new(tmp_path / "good.xlsx", agency="甲", year=2023, values=values(load_edition("2021"), NANGUAN_2023))


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    return govxl.new(tmp_path / "bad.xlsx", agency="甲", year=2023)  # blank: V-EMPTY, fails


def writers(tmp: Path, good: Path, bad: Path):
    """(command line writing OUT, OUT): every command that writes a file."""
    (tmp / "text.txt").write_text((ROOT / "examples" / "nanguan-2023-tables.txt").read_text("utf-8"), "utf-8")
    yield ["new", "{out}", "--agency", "甲", "--year", "2025"], tmp / "n.xlsx"
    yield ["import", tmp / "text.txt", "-o", "{out}"], tmp / "i.xlsx"
    yield ["import", tmp / "text.txt", "-o", "{out}"], tmp / "i.json"
    yield ["aggregate", good, "-o", "{out}", "--agency", "汇总"], tmp / "a.xlsx"
    yield ["render", good, "-o", "{out}"], tmp / "r.html"
    yield ["export", good, "-o", "{out}"], tmp / "e.csv"
    yield ["check", good, "--summary", "{out}"], tmp / "s.csv"
    yield ["check", good, "--report", "{out}"], tmp / "c.html"
    yield ["check", good, "-o", "{out}"], tmp / "o.csv"
    yield ["check", good, "--annotate", tmp / "ann"], tmp / "ann" / "good.xlsx"


def test_force_means_overwrite_in_every_command_that_writes(tmp_path, good, bad):
    (tmp_path / "ann").mkdir()
    for args, out in writers(tmp_path, good, bad):
        args = [out if a == "{out}" else a for a in args]
        out.write_bytes(b"keep")
        r = run(*args)
        assert r.exit_code == 2, (args, r.output)
        assert "已存在" in r.stderr and "--force" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert out.read_bytes() == b"keep", args
        r = run(*args, "--force")
        assert r.exit_code == 0, (args, r.output)
        assert out.read_bytes() != b"keep", args


def test_render_writes_a_failing_workbook_only_with_allow_errors(tmp_path, bad):
    out = tmp_path / "r.html"
    r = run("render", bad, "-o", out, "--force")
    assert r.exit_code == 1 and not out.exists() and "--allow-errors" in r.stderr
    r = run("render", bad, "-o", out, "--allow-errors")
    assert r.exit_code == 0 and out.exists()


def test_export_without_o_or_to_prints_json():
    r = run("export", "examples/nanguan-2023.xlsx", cwd=ROOT)
    assert r.exit_code == 0
    assert json.loads(r.stdout)["reports"][0]["agency"] == "长春市南关区人民政府办公室"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_text_with_no_table_is_not_a_report_in_one_line(lang):
    r = run("check", "README.md", lang=lang, cwd=ROOT)
    assert r.exit_code == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1
    assert r.stderr.startswith({"zh": "README.md：无法校验：不是年度报告", "en": "README.md: cannot check: not an annual"
                                " report"}[lang]), r.stderr
    doc = json.loads(run("check", "README.md", "--format", "json", cwd=ROOT).stdout)
    assert doc["error"]["code"] == "R-NOREPORT"


def test_findings_come_in_the_workbooks_order(bad):
    report = govxl.check(bad)
    whole = Finding.of("S-BOOK")
    report.findings = [*reversed(report.findings), whole]  # 四, 三, 二, then the whole workbook
    heads = [ln for ln in report_lines(report, "zh", False) if ln.startswith("[")]
    assert heads == ["[（整个工作簿）]", *(f"[{t.title}]" for t in load_edition("2021").tables)]
    ed = load_edition("2021")
    found = [Finding.of("T4-SUM", sheet=ed.tables[2].sheet), Finding.of("T3-SUM", sheet=ed.tables[1].sheet),
             Finding.of("V-COVER", sheet="封面"), Finding.of("I-EDITION")]
    assert [f.rule for f in in_workbook_order(found, ed)] == ["I-EDITION", "V-COVER", "T3-SUM", "T4-SUM"]


def test_a_year_before_the_edition_is_refused_and_a_later_one_warned(tmp_path):
    r = run("new", tmp_path / "a.xlsx", "--year", "1999")
    assert r.exit_code == 2 and not (tmp_path / "a.xlsx").exists()
    assert "2021 版用于 2021 年度起的报告" in r.stderr and "–的" not in r.stderr
    r = run("new", tmp_path / "b.xlsx", "--year", "2023", "--edition", "2019", lang="en")
    assert r.exit_code == 0 and "2019–2020;" in r.stderr
