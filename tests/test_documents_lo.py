"""Issue 17 with documents made by a real program: LibreOffice (`soffice --convert-to`, headless)
turns govxl's own rendered report (HTML, Markdown, Word) and a govxl workbook into .docx, .odt,
.pdf, .xls and .ods; each must import to the same numbers, and `govxl check` on it must give the
same arithmetic findings as on the workbook, for the 南关区 2023 data and the inconsistent variant.
Also the untidy PDFs real offices publish (a table broken by page breaks with page numbers,
labels wrapped with the numbers on the last line, header words split over lines)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cli import run
from docfixtures import write_docx
from libreoffice import soffice_path
from test_documents import BAD, ED, GOOD, NANGUAN_AGENCY, T3, TITLE, arithmetic, same_numbers

import govxl
from govxl.judge.rules import evaluate
from govxl.render import render_report
from govxl.sources import check_path

pytestmark = pytest.mark.libreoffice


def convert(tmp: Path, target: str, sources: list[Path], outdir: Path, chunk: int = 4) -> list[Path]:
    """`soffice --convert-to target` over `sources` in chunks; every expected output must exist
    (soffice given many files has been seen to skip some and still exit 0: those are retried alone)."""
    outdir.mkdir(exist_ok=True)
    ext = target.split(":")[0]
    profile = (tmp / "lo-profile").as_uri()

    def run(files: list[Path]) -> None:
        subprocess.run([soffice_path(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
                        "--outdir", str(outdir), *map(str, files)], capture_output=True, timeout=300)

    for i in range(0, len(sources), chunk):
        run(sources[i:i + chunk])
    outs = [outdir / f"{s.stem}.{ext}" for s in sources]
    for s, o in zip(sources, outs):
        if not o.exists() or o.stat().st_size == 0:
            run([s])
    missing = [o.name for o in outs if not o.exists() or o.stat().st_size == 0]
    assert not missing, f"LibreOffice did not write {missing}"
    return outs


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """name -> (document, the workbook's report) for every conversion, both data sets."""
    d = tmp_path_factory.mktemp("lo")
    reports, rendered, books = {}, [], []
    for name, inputs in (("good", GOOD), ("bad", BAD)):
        book = govxl.new(d / f"{name}.xlsx", values=inputs, agency=NANGUAN_AGENCY, year=2023)
        reports[name] = govxl.check(book)
        books.append(book)
        for to in ("html", "md", "docx"):
            rendered.append(render_report(reports[name], to, d / f"{name}-{to}.{to}", force=True).path)
    texts = [p for p in rendered if p.suffix in (".html", ".md")]
    out = {}
    jobs = [("docx:MS Word 2007 XML", texts, "docx"), ("odt", rendered, "odt"),
            ("pdf", [p for p in rendered if p.suffix != ".md"] + books, "pdf"), ("xls", books, "xls"), ("ods", books, "ods")]
    for target, sources, ext in jobs:
        for src, doc in zip(sources, convert(d, target, sources, d / ext)):
            out[f"{src.name} -> .{ext}"] = (doc, reports[src.stem.split("-")[0]])
    assert len(out) == 4 + 6 + 6 + 2 + 2, sorted(out)
    return out


CONVERSIONS = [f"{n}-{src} -> .{ext}" for n in ("good", "bad") for ext, srcs in (
    ("docx", ("html.html", "md.md")), ("odt", ("html.html", "md.md", "docx.docx")),
    ("pdf", ("html.html", "docx.docx")), ("xls", ()), ("ods", ()))
    for src in srcs] + [f"{n}.xlsx -> .{ext}" for n in ("good", "bad") for ext in ("pdf", "xls", "ods")]


@pytest.mark.parametrize("case", CONVERSIONS)
def test_a_converted_report_imports_to_the_same_numbers_and_findings(converted, case):
    doc, report = converted[case]
    same_numbers(doc, report)
    checked = check_path(doc)
    assert checked.source == doc.suffix[1:]
    assert arithmetic(checked) == arithmetic(report)
    assert checked.ok() == report.ok() and (checked.agency, checked.year) == (NANGUAN_AGENCY, 2023)


def test_check_a_docx_an_old_xls_and_a_published_pdf(converted, tmp_path):
    """The issue's acceptance, through the command line."""
    for case in ("docx.docx -> .pdf", ".xlsx -> .xls", "html.html -> .docx"):
        for name, code in (("good", 0), ("bad", 1)):
            key = f"{name}{'' if case.startswith('.') else '-'}{case}"
            doc, report = converted[key]
            r = run("check", doc, "--format", "json")
            got = json.loads(r.stdout)
            assert r.returncode == code, (key, r.stdout, r.stderr)
            assert got["source"] == doc.suffix[1:] and "S-LOCK" in got["not_applied"]
            assert sorted((f["rule"], f["cell"]) for f in got["findings"] if f["rule"].startswith("T")) == sorted(
                (f.rule, f.cell) for f in report.findings)
    folder = tmp_path / "收到的报告"
    folder.mkdir()
    bad = [doc for key, (doc, _) in converted.items() if key.startswith("bad")]
    for i, doc in enumerate(bad):
        shutil.copy(doc, folder / f"{i:02d}-{doc.name}")
    r = run("check", folder, "--format", "jsonl", "--jobs", "2")
    docs = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert r.returncode == 1 and len(docs) == len(bad) == 10
    for d in docs:
        assert sorted((f["rule"], f["cell"]) for f in d["findings"] if f["rule"] == "T3-BAL") == [
            ("T3-BAL", "D5,D6,D28,D29"), ("T3-BAL", "J5,J6,J28,J29")], d["file"]


# ------------------------------------------------------------------ untidy PDFs
def _words(pdf: Path) -> list[tuple[int, float, float, str]]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [(p.page_number, w["top"], w["x0"], w["text"]) for p in doc.pages for w in p.extract_words()]


def test_pdf_table_three_broken_by_page_breaks_with_page_numbers(tmp_path):
    """A small page: table 三 runs over several pages, rows cut in two, the header repeated, the
    page number (`-3-`) printed between two rows of the table."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    def small_page_with_numbers(doc):
        sec = doc.sections[0]
        sec.page_height, sec.page_width = Cm(14.8), Cm(21)
        p = sec.footer.paragraphs[0]
        p.add_run("-")
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), "PAGE")
        r, t = OxmlElement("w:r"), OxmlElement("w:t")
        t.text = "1"
        r.append(t)
        fld.append(r)
        p._p.append(fld)
        p.add_run("-")

    src = write_docx(tmp_path / "分页.docx", ED, evaluate(ED, BAD), title=TITLE, setup=small_page_with_numbers)
    pdf = convert(tmp_path, "pdf", [src], tmp_path / "pdf")[0]
    words = _words(pdf)
    assert {"-3-", "-4-"} <= {w for *_, w in words}, "page numbers are printed"
    import pdfplumber

    with pdfplumber.open(pdf) as doc:  # table 三 is the table of 10 columns
        pieces = [p.page_number for p in doc.pages for t in p.find_tables() if len(t.extract()[0]) == 10]
    assert len(pieces) >= 3, "table 三 is broken over pages"
    report = check_path(pdf)
    assert [f.rule for f in report.findings if f.rule.startswith("I-")] == []
    assert arithmetic(report) == arithmetic(govxl.check(govxl.new(tmp_path / "w.xlsx", values=BAD,
                                                                  agency=NANGUAN_AGENCY, year=2023)))


def test_pdf_without_ruling_lines_wrapped_labels_numbers_on_the_last_line_split_header_words(tmp_path):
    from docx.enum.table import WD_ALIGN_VERTICAL

    def bottom(tbl, t):
        for row in tbl.rows:
            for c in row.cells:
                c.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM

    src = write_docx(tmp_path / "无框线.docx", ED, evaluate(ED, BAD), title=TITLE, borders=False, after=bottom)
    pdf = convert(tmp_path, "pdf", [src], tmp_path / "pdf")[0]
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        assert not any(p.find_tables() for p in doc.pages), "no ruled table: read from the words"
    texts = [w for *_, w in _words(pdf)]
    assert "商业企业" not in texts and "商业" in texts and "企业" in texts, "header words split over lines"
    assert "2.其他法律行政法规禁止公开" not in texts, "labels wrapped"
    words = _words(pdf)
    page, top = next((p, t) for p, t, _, w in words if w.startswith("二、上年结转"))
    same_line = [w for p, t, _, w in words if p == page and abs(t - top) < 3]
    assert not any(w.isdigit() for w in same_line), "the label's numbers are on another line"
    report = check_path(pdf)
    assert arithmetic(report) == [("T3-BAL", T3, "D5,D6,D28,D29"), ("T3-BAL", T3, "J5,J6,J28,J29")]
    same_numbers(pdf, govxl.check(govxl.new(tmp_path / "w.xlsx", values=BAD, agency=NANGUAN_AGENCY, year=2023)))


def test_an_encrypted_pdf_is_one_clear_line(tmp_path):
    src = write_docx(tmp_path / "加密.docx", ED, evaluate(ED, GOOD), title=TITLE)
    options = ('pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},'
               '"DocumentOpenPassword":{"type":"string","value":"口令123"}}')
    pdf = convert(tmp_path, options, [src], tmp_path / "pdf")[0]
    assert b"/Encrypt" in pdf.read_bytes()
    r = run("check", pdf)
    assert r.returncode == 2 and r.stderr.strip() == f"{pdf}：无法校验：PDF 文件设有打开密码，请先取消密码再检查"
