"""The marked copy of a document (`govxl check DOC --annotate DIR`, the desk's marked copy) is made
from the document's check report alone (Report.printed): the document is not read again (a scan
is not read by OCR twice), and the copy is the one made before from a second import."""

from __future__ import annotations

import openpyxl
import pytest
from cli import run
from docfixtures import write_docx
from helpers import NANGUAN_2023, NANGUAN_AGENCY, values
from report_gen import text_report

import govxl
import govxl.importer
from govxl.importer import import_report
from govxl.judge.rules import evaluate
from govxl.report.annotate import annotate, read_source
from govxl.sources import check_path
from govxl.spec import load_edition
from govxl.writer_imported import write_imported_workbook, write_report_workbook

ED = load_edition("2021")
TITLE = f"2023年{NANGUAN_AGENCY}政府信息公开工作年度报告"
BAD = {**values(ED, NANGUAN_2023), ("requests", "new", "natural_person"): 11}


def contents(path) -> dict:
    """Every cell's formula or value, cached value and comment, and the workbook's custom properties."""
    wb, cached = openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)
    cells = {(ws.title, c.coordinate): (c.value, cached[ws.title][c.coordinate].value, c.comment and c.comment.text,
                                        c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None)
             for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None or c.comment is not None or (c.fill and c.fill.fill_type)}
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    return {"sheets": wb.sheetnames, "cells": cells, "props": props}


def old_copy(doc, report, out):
    """The copy as `_annotate_document` made it before: the document imported a second time."""
    book = write_imported_workbook(import_report(doc), out.with_name("old-import.xlsx"), force=True)
    return annotate(report, out, "zh", raw=read_source(book))


@pytest.fixture
def documents(tmp_path):
    """A Word report with totals printed blank and an inconsistent row; a copied page (.txt) missing
    a table (its cells unread)."""
    docx = write_docx(tmp_path / "甲.docx", ED, evaluate(ED, BAD), title=TITLE, blank_totals=True)
    txt = tmp_path / "乙.txt"
    txt.write_text(text_report(ED, evaluate(ED, BAD), "tab", agency=NANGUAN_AGENCY, skip={"appeals"}), encoding="utf-8")
    return {"docx": docx, "txt": txt}


@pytest.mark.parametrize("kind", ["docx", "txt"])
def test_copy_from_the_report_equals_the_copy_from_a_second_import(tmp_path, documents, kind):
    doc = documents[kind]
    report = check_path(doc)
    assert report.printed is not None and report.source
    imp = import_report(doc)
    if kind == "docx":
        assert report.printed.blank_total and report.printed.notes == imp.notes
    else:
        assert report.printed.unread and all(k[0] == "appeals" for k in report.printed.unread)
    before = old_copy(doc, report, tmp_path / "before.xlsx")
    assert contents(write_imported_workbook(imp, tmp_path / "a.xlsx")) == \
        contents(write_report_workbook(report, tmp_path / "b.xlsx"))
    out = tmp_path / "copies"
    r = run("check", doc, "--annotate", out)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    (now,) = out.iterdir()
    assert contents(now) == contents(before)
    marked = [k for k, (_, _, comment, _) in contents(now)["cells"].items() if comment and "T3-BAL" in comment]
    assert marked  # the finding of the inconsistent row is marked on the copy


def counting(monkeypatch) -> list[str]:
    """The documents govxl.importer.import_report reads from now on (in this process)."""
    calls = []
    real = govxl.importer.import_report

    def counted(path, **kw):
        calls.append(str(path))
        return real(path, **kw)

    monkeypatch.setattr(govxl.importer, "import_report", counted)
    return calls


def test_annotate_reads_the_document_once(tmp_path, documents, monkeypatch):
    calls = counting(monkeypatch)
    r = run("check", documents["docx"], "--annotate", tmp_path / "copies")
    assert r.returncode == 1, r.stdout + r.stderr
    assert (tmp_path / "copies" / "甲.xlsx").is_file()
    assert calls == [str(documents["docx"])]


@pytest.mark.ocr
@pytest.mark.libreoffice
def test_annotate_reads_a_scan_by_ocr_once(tmp_path, monkeypatch):
    """A scan (the 南关区 report printed and scanned at 200 dpi): --annotate and --report read it once."""
    import scans

    pdf, _ = scans.report_pdf(tmp_path, "good", values(ED, NANGUAN_2023), NANGUAN_AGENCY, 2023)
    scan = scans.save_pdf(scans.rasterise(pdf, 200), tmp_path / "扫描件.pdf", 200)
    calls = counting(monkeypatch)
    r = run("check", scan, "--annotate", tmp_path / "copies", "--report", tmp_path / "r.html")
    assert r.returncode == 0, r.stdout + r.stderr
    assert calls == [str(scan)]
    copy = tmp_path / "copies" / "扫描件.xlsx"
    again = govxl.check(copy)  # a govxl workbook holding the numbers read
    assert again.source is None and again.verdict == "passed" and again.agency == NANGUAN_AGENCY


def test_a_workbook_report_has_no_printed_copy(tmp_path):
    book = govxl.new(tmp_path / "wb.xlsx", values=BAD, agency=NANGUAN_AGENCY, year=2023)
    report = govxl.check(book)
    assert report.printed is None
    with pytest.raises(ValueError):
        write_report_workbook(report, tmp_path / "x.xlsx")
