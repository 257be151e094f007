"""Every kind of workbook govxl writes conforms to the Office Open XML schemas (Excel opens it
without "repairing" it), and the validator is not silent: a broken part is reported."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import pytest
from cli import run
from helpers import random_values
from ooxml import assert_valid_ooxml, ooxml_errors

import govxl
from govxl.crossyear import edition_for_year
from govxl.spec import edition_ids, load_edition

ROOT = Path(__file__).resolve().parent.parent
AGENCY = "测试县人民政府办公室"


def filled(tmp: Path, edition: str, seed: int, agency: str = AGENCY, name: str | None = None) -> Path:
    ed = load_edition(edition)
    return govxl.new(tmp / (name or f"filled-{edition}-{seed}.xlsx"), edition=edition, agency=agency,
                     year=ed.first_year + 1, values=random_values(ed, random.Random(seed)))


def make_blank(tmp, edition):
    out = tmp / f"blank-{edition}.xlsx"
    assert run("new", out, "--edition", edition, "--agency", AGENCY, "--year", load_edition(edition).first_year + 1
               ).returncode == 0
    return out


def make_password(tmp, edition):
    out = tmp / "pw.xlsx"
    assert run("new", out, "--edition", edition, "--password", "密码123").returncode == 0
    return out


def make_from(tmp, edition):
    """`new --from` last year's filled report: carried-over figures pre-filled, with comments (VML)."""
    last = filled(tmp, edition, 7)
    out = tmp / "next.xlsx"
    r = run("new", out, "--from", last)
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/comments") for n in z.namelist())  # the comments are validated too
    return out


def make_imported(tmp, edition):
    """`govxl import` of the HTML report `govxl render` made from a filled workbook."""
    html = tmp / "report.html"
    assert run("render", filled(tmp, edition, 3), "-o", html).returncode == 0
    out = tmp / "imported.xlsx"
    r = run("import", html, "-o", out)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def make_aggregated(tmp, edition):
    inputs = [filled(tmp, edition, seed, agency=f"{AGENCY}{seed}") for seed in (1, 2, 3)]
    out = tmp / "sum.xlsx"
    r = run("aggregate", *inputs, "-o", out, "--agency", "测试县人民政府（汇总）", "--jobs", 1)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


def make_annotated(tmp, edition):
    """`check --annotate`: the marked-up copy of a workbook with an error (fills, comments, a first
    sheet of findings with hyperlinks)."""
    ed = load_edition(edition)
    values = random_values(ed, random.Random(5))
    first = next(f for t in ed.tables for b in t.balances for f in [t.field(b.left[0], b.cols[0])])
    values[first.key] += 1  # the balance of that column no longer holds
    src = govxl.new(tmp / "wrong.xlsx", edition=edition, agency=AGENCY, year=ed.first_year + 1, values=values)
    r = run("check", src, "--annotate", tmp / "marked")
    assert r.returncode == 1, r.stdout + r.stderr
    out = tmp / "marked" / "wrong.xlsx"
    with zipfile.ZipFile(out) as z:
        assert any(n.startswith("xl/comments") for n in z.namelist())
    return out


KINDS = {
    "blank": make_blank,
    "blank with a password": make_password,
    "filled": lambda tmp, edition: filled(tmp, edition, 11),
    "new --from": make_from,
    "imported": make_imported,
    "aggregated": make_aggregated,
    "annotated": make_annotated,
}


@pytest.mark.parametrize("edition", edition_ids())
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_workbook_govxl_writes_is_valid_ooxml(tmp_path, kind, edition):
    path = KINDS[kind](tmp_path, edition)
    assert_valid_ooxml(path)
    # (a report for the year after a 2019-edition one is in the edition current then)
    report = govxl.check(path)
    if kind == "annotated":  # the structure is locked in the copy as in every workbook govxl writes
        assert "S-BOOK" not in {f.rule for f in report.findings}
    assert report.edition == (edition if kind != "new --from" else edition_for_year(
        load_edition(edition).first_year + 2))


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.xlsx")), ids=lambda p: p.name)
def test_shipped_examples_are_valid_ooxml(example):
    assert_valid_ooxml(example)


# ------------------------------------------------------------------ the validator is not silent
def _edit(src: Path, dst: Path, part: str, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == part:
                data = change(data)
                if data is None:
                    continue
            zout.writestr(item, data)
    return dst


def _sub(old: bytes, new: bytes):
    def change(data: bytes) -> bytes:
        out, n = re.subn(old, new, data, count=1)
        assert n == 1, old
        return out
    return change


T3_PART = "xl/worksheets/sheet3.xml"
BROKEN = {
    # (part, change, the part the violation is reported in, words of the description)
    "invalid cell type": (T3_PART, _sub(rb'(<c r="A1"[^>]*?) t="s"', rb'\1 t="q"'), "/" + T3_PART, "'q'"),
    "structure protection after bookViews": (
        "xl/workbook.xml", lambda d: re.sub(rb"(<workbookProtection[^>]*/>)(<bookViews>.*?</bookViews>)", rb"\2\1", d),
        "/xl/workbook.xml", "workbookProtection"),
    "unknown element": ("xl/workbook.xml", _sub(rb"<bookViews>", rb"<bookViews><view/>"), "/xl/workbook.xml", "view"),
    "row height not a number": (T3_PART, _sub(rb'ht="30"', rb'ht="tall"'), "/" + T3_PART, "tall"),
    "truncated part": ("xl/workbook.xml", lambda d: d[: len(d) // 2], "/xl/workbook.xml", "parse"),
    "missing part": ("xl/styles.xml", lambda d: None, "/xl/_rels/workbook.xml.rels", "styles.xml"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_part_is_reported(tmp_path, case):
    part, change, reported_in, words = BROKEN[case]
    good = govxl.new(tmp_path / "good.xlsx", agency=AGENCY, year=2023)
    assert ooxml_errors(good) == []
    bad = _edit(good, tmp_path / "bad.xlsx", part, change)
    errors = ooxml_errors(bad)
    assert errors, f"{case}: the validator reported nothing"
    assert any(e.part == reported_in and words.lower() in e.description.lower() for e in errors), errors
    with pytest.raises(pytest.fail.Exception, match=re.escape(reported_in)):
        assert_valid_ooxml(bad)
