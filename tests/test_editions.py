"""Every edition has every guarantee: the same report passes in each, and each rule fires at that
edition's own cells. Cells are typed here from the official format (docs/format.md; a table starts at A2 of its sheet,
so table row r is sheet row r + 1); the 2019-only cells (signed 本年增/减, 采购总金额) are tested here."""

from __future__ import annotations

import json

import openpyxl
import pytest
from cli import run
from helpers import NANGUAN_2023, NANGUAN_AGENCY, fill_openpyxl, find, values
from said import said

import govxl
from govxl.spec import load_edition

T2 = "二、主动公开政府信息情况"
T3 = "三、收到和处理政府信息公开申请情况"

# Table 三 on the sheet: 一 row 5, 二 row 6, （七）总计 and 四、结转下年度 at the end.
T3_TOTAL_ROW = {"2021": 28, "2019": 26}
T3_CARRY_ROW = {"2021": 29, "2019": 27}


@pytest.fixture
def reference(tmp_path, ed):
    """The 南关区 report typed into a blank workbook of the edition under test (no cached results)."""
    blank = govxl.new(tmp_path / "blank.xlsx", edition=ed.id, agency=NANGUAN_AGENCY, year=ed.first_year + 1)
    return fill_openpyxl(blank, tmp_path / "reference.xlsx", ed, values(ed, NANGUAN_2023))


@pytest.fixture
def ed2019():
    return load_edition("2019")


def test_reference_report_passes_in_every_edition(reference, ed):
    report = govxl.check(reference)
    assert report.findings == [] and report.ok(strict=True)
    assert (report.edition, report.agency, report.year) == (ed.id, NANGUAN_AGENCY, ed.first_year + 1)
    assert report.values[("requests", "results.total", "total")] == 10
    r = run("check", reference, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["edition"] == ed.id


def test_T3_BAL_at_the_editions_cells(tmp_path, reference, ed):
    bad = fill_openpyxl(reference, tmp_path / "bad.xlsx", ed, {("requests", "new", "natural_person"): 11})
    report = govxl.check(bad)
    bal = [f for f in report.findings if f.col_label == "自然人"]
    total, carry = T3_TOTAL_ROW[ed.id], T3_CARRY_ROW[ed.id]
    assert [(f.rule, f.sheet, f.cell, f.expected, f.actual) for f in bal] == [
        ("T3-BAL", T3, f"D5,D6,D{total},D{carry}", 11, 10)]
    assert bal[0].row_label.endswith("四、结转下年度继续办理")
    assert {f.rule for f in report.findings} == {"T3-BAL"}


def test_T3_SUM_and_S_FORMULA_at_the_editions_total_row(tmp_path, reference, ed):
    total = T3_TOTAL_ROW[ed.id]
    wb = openpyxl.load_workbook(reference)
    wb[T3][f"D{total}"] = 9
    wb.save(tmp_path / "bad.xlsx")
    found = {(f.rule, f.cell): f for f in govxl.check(tmp_path / "bad.xlsx").findings}
    assert found[("S-FORMULA", f"D{total}")].expected == f"SUM(D7:D{total - 1})"
    assert (found[("T3-SUM", f"D{total}")].expected, found[("T3-SUM", f"D{total}")].actual) == (10, 9)


def test_T3_COL_on_the_carry_forward_row(tmp_path, reference, ed):
    carry = T3_CARRY_ROW[ed.id]
    wb = openpyxl.load_workbook(reference)
    wb[T3][f"J{carry}"] = 2
    wb.save(tmp_path / "bad.xlsx")
    col = [f for f in govxl.check(tmp_path / "bad.xlsx").findings if f.rule == "T3-COL"]
    assert [(f.cell, f.expected, f.actual, f.row_label) for f in col] == [(f"J{carry}", 0, 2, "四、结转下年度继续办理")]


def test_S_IDENT_each_edition_is_recognised_by_its_layout(tmp_path, reference, ed):
    wb = openpyxl.load_workbook(reference)
    for k in list(wb.custom_doc_props.names):
        del wb.custom_doc_props[k]
    for k in list(wb.defined_names):
        del wb.defined_names[k]
    wb.save(tmp_path / "anon.xlsx")
    report = govxl.check(tmp_path / "anon.xlsx")
    assert [(f.rule, f.expected) for f in report.findings] == [("S-IDENT", ed.id)]
    assert report.edition == ed.id


# ------------------------------------------------------------------ 2019: signed 本年增/减
def test_V_INT_negative_change_passes_in_2019_but_a_negative_count_fails_in_2021(tmp_path, ed, reference):
    """The acceptance test of the 2019 edition: 本年增/减 is signed; the same sign in a 2021 count is an error."""
    if ed.id == "2019":
        f = find(ed, ["行政许可", "本年增/减"])
        assert (f.sheet, f.cell, f.kind) == (T2, "C8", "signed")
    else:
        f = find(ed, ["行政许可", "本年处理决定数量"])
        assert (f.sheet, f.cell, f.kind) == (T2, "B8", "count")
    report = govxl.check(fill_openpyxl(reference, tmp_path / "neg.xlsx", ed, {f.key: -3}))
    if ed.id == "2019":
        assert report.findings == [] and report.values[f.key] == -3
    else:
        assert [(x.rule, x.severity, x.cell, x.actual) for x in report.findings] == [("V-INT", "error", "B8", -3)]
        bad = report.findings[0]
        assert bad.reason == "negative" and bad.message() == said(
            "V-INT", row=f.row_label, col=f.col_label, expected=said("kind-count"), actual=-3, detail=said("negative"))


@pytest.mark.parametrize("fragments, cell, typed, rule, used", [
    (["行政强制", "本年增/减"], "C13", -12, None, -12),
    (["行政事业性收费", "本年增/减"], "C16", -1, None, -1),     # the merged C15:D15 input
    (["其他对外管理服务事项", "本年增/减"], "C9", " -2 ", "V-TEXT", -2),
    (["行政处罚", "本年增/减"], "C12", 1.5, "V-INT", None),
    (["行政处罚", "上一年项目数量"], "B12", -1, "V-INT", None),  # only 本年增/减 may be negative
    (["行政许可", "处理决定数量"], "D8", -1, "V-INT", None),
    (["政府集中采购", "采购总金额"], "C19", 1234.567891, None, 1234.567891),
    (["政府集中采购", "采购总金额"], "C19", -0.5, "V-AMT", None),
    (["政府集中采购", "采购总金额"], "C19", 1.2345678, "V-AMT", None),
    (["政府集中采购", "采购项目数量"], "B19", 2.5, "V-INT", None),
])
def test_2019_table_two_values(tmp_path, ed2019, fragments, cell, typed, rule, used):
    blank = govxl.new(tmp_path / "blank.xlsx", edition="2019", agency=NANGUAN_AGENCY, year=2020)
    f = find(ed2019, fragments)
    assert f.cell == cell
    filled = fill_openpyxl(blank, tmp_path / "v.xlsx", ed2019, {**values(ed2019, NANGUAN_2023), f.key: typed})
    report = govxl.check(filled)
    assert [(x.rule, x.cell) for x in report.findings] == ([(rule, cell)] if rule else [])
    if used is not None:
        assert report.values[f.key] == used


def test_2019_cover_and_prompts_describe_its_own_cells(tmp_path):
    """The 2019 filling notes allow a negative 本年增/减 and print no unit for 采购总金额; 2021 keeps 万元."""
    def notes_and_prompts(edition):
        wb = openpyxl.load_workbook(govxl.new(tmp_path / f"{edition}.xlsx", edition=edition))
        notes = "".join(str(c.value or "") for row in wb.worksheets[0].iter_rows() for c in row)
        prompts = {}
        for dv in wb[T2].data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                prompts[rng.coord.split(":")[0]] = (dv.promptTitle, f"{dv.prompt} {dv.error}")
        return notes, prompts

    notes19, prompts19 = notes_and_prompts("2019")
    notes21, prompts21 = notes_and_prompts("2021")
    assert "负数" in notes19 and "收费金额以万元为单位" not in notes19
    assert "收费金额以万元为单位" in notes21
    assert prompts19["C19"][0] == "填写金额" and "万元" not in prompts19["C19"][1] and "小数" in prompts19["C19"][1]
    assert "负数" in prompts19["C8"][1]
    assert prompts21["B15"][0] == "填写金额（万元）" and "单位为万元" in prompts21["B15"][1]


def test_cli_new_and_check_the_2019_edition(tmp_path, ed2019):
    out = tmp_path / "2020年报.xlsx"
    r = run("new", out, "--edition", "2019", "--agency", NANGUAN_AGENCY, "--year", 2020)
    assert r.returncode == 0, r.stderr
    r = run("check", out)
    assert r.returncode == 1 and "V-EMPTY" in r.stdout and "2019 版" in r.stdout
    filled = fill_openpyxl(out, tmp_path / "filled.xlsx", ed2019, values(ed2019, NANGUAN_2023))
    r = run("check", filled, "--strict")
    assert r.returncode == 0 and r.stdout.strip().endswith("通过")


@pytest.mark.parametrize("cover, message", [
    ('[cover]\ncolour = "red"\n', r"cover: 未知的键 colour"),
    ('[cover]\nsheet = "封皮"\n', r"cover: 未知的键 sheet"),  # the cover sheet's name is shared by every edition
])
def test_an_editions_cover_overrides_are_validated(cover, message):
    from govxl.errors import SpecError
    from govxl.spec import parse_edition, templates_dir

    text = (templates_dir() / "2021.toml").read_text(encoding="utf-8").replace("\n[[tables]]", "\n" + cover + "\n[[tables]]", 1)
    with pytest.raises(SpecError, match=message):
        parse_edition(text, source="2021.toml")
