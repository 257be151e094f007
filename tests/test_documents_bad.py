"""Issue 17: bad documents get what bad workbooks get (test_bad_input.py): one clear line, exit 2,
bounded time and memory. Encrypted Word and PDF, a 500-page PDF, a Word zip bomb, a scan."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import oddfiles as odd
import pytest
from cli import run
from docfixtures import write_docx
from helpers import sha256
from test_bad_input import run_bounded
from test_documents import ED, GOOD, TITLE

from govxl.importer.ocr import available as ocr_available
from govxl.judge.rules import evaluate


def a_docx(folder: Path, name: str = "报告.docx") -> Path:
    return write_docx(folder / name, ED, evaluate(ED, GOOD), title=TITLE)


def write_pdf(path: Path, objs: list[bytes]) -> Path:
    """A PDF of the objects `objs` (numbered 1.., object 1 the catalog), with its xref and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def pdf_pages(path: Path, n: int, text: str = "page") -> Path:
    """A plain, valid PDF of `n` pages with a line of text on each (written by hand: objects, xref)."""
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for i in range(n):
        stream = f"BT /F1 12 Tf 72 720 Td ({text} {i + 1}) Tj ET".encode()
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    b"/Contents %d 0 R >>" % len(objs))
        kids.append(len(objs))
    objs[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % n
    return write_pdf(path, objs)


def scanned_pdf(path: Path) -> Path:
    """What a scanner makes: a page that is only a picture (Pillow draws a ruled table and saves a PDF)."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    for y in range(200, 1500, 60):
        draw.line([(100, y), (1140, y)], fill=0, width=2)
        draw.text((120, y + 20), "0    0    0    0    0    0    0", fill=0)
    for x in (100, 500, 600, 700, 800, 900, 1000, 1140):
        draw.line([(x, 200), (x, 1460)], fill=0, width=2)
    img.save(path, "PDF", resolution=150)
    return path


def docx_bomb(folder: Path, lie: bool = False) -> Path:
    """word/document.xml inflating to 2 GiB of spaces (with `lie`, declared as 10 KB)."""
    head = b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/' \
           b'wordprocessingml/2006/main"><w:body>'
    chunks, crc, size = odd.repeated(head, b" " * (1 << 20), 2048, b"</w:body></w:document>", crc=False)
    return odd.with_member(a_docx(folder), folder / f"炸弹{'-lie' if lie else ''}.docx",
                           odd.Member("word/document.xml", chunks, crc, 10_000 if lie else size))


def encrypted_docx(folder: Path) -> Path:
    crypto = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool not installed")
    src, enc = a_docx(folder), folder / "加密.docx"
    with src.open("rb") as fh, enc.open("wb") as out:
        crypto.OOXMLFile(fh).encrypt("口令123", out)
    return enc


BAD = {
    "encrypted-docx": (encrypted_docx, "文件已加密，请先取消密码再检查"),
    "500-pages": (lambda d: pdf_pages(d / "年鉴.pdf", 500), "PDF 有 500 页，不像是一份年度报告"),
    "docx-bomb": (docx_bomb, "压缩炸弹"),
    "docx-bomb-lie": (lambda d: docx_bomb(d, lie=True), "已损坏"),
    "scanned": (lambda d: scanned_pdf(d / "扫描件.pdf"), "PDF 没有文字层（可能是扫描件或图片）"),
    "text-no-tables": (lambda d: pdf_pages(d / "通知.pdf", 3, "notice"), "没有找到年度报告的统计表"),
    "not-a-pdf": (lambda d: _write(d / "假的.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "PDF 文件已损坏"),
    "doc-as-docx": (lambda d: odd.cfb(d / "旧文档.docx", ["WordDocument", "1Table"]), "旧版 Word（.doc）"),
    "zip-not-docx": (lambda d: odd.rezip_new(d / "资料.docx", {"readme.txt": b"hello"}), "已损坏"),
    "broken-ods": (lambda d: _write(d / "表格.ods", b"PK\x03\x04" + zlib.compress(b"x" * 100)), "OpenDocument（.ods）"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", BAD)
def test_a_bad_document_is_one_line_exit_2_bounded(tmp_path, case):
    make, fragment = BAD[case]
    path = make(tmp_path)
    before = sha256(path)
    rc, err, cpu, rss = run_bounded("check", path)
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and fragment in lines[0] and "Traceback" not in err, err
    assert lines[0].startswith(f"{path}：无法校验：")
    ocr = case == "scanned" and ocr_available()  # govxl[ocr] reads the scan: seconds a page, ~1 GB (README)
    assert cpu < (30 if ocr else 5), f"{case}: {cpu:.1f} s of CPU"
    assert rss < (1200 if ocr else 500), f"{case}: {rss:.0f} MB peak"
    assert sha256(path) == before
    r = run("import", path, "--to", "json")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_a_folder_of_bad_documents_is_one_line_each(tmp_path):
    folder = tmp_path / "收到的文件"
    folder.mkdir()
    for case in ("500-pages", "scanned", "docx-bomb"):
        BAD[case][0](folder)
    a_docx(folder, "好.docx")
    r = run("check", folder)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 3  # the bomb's source (报告.docx) is a good report
    assert r.stdout.splitlines()[-1].startswith("共 5 个文件：2 个通过，0 个不通过，3 个无法校验")


CODES = {"encrypted-docx": "R-ENCRYPTED", "500-pages": "R-PDF-LONG", "docx-bomb": "R-DOC-BOMB",
         "docx-bomb-lie": "R-DOC-CORRUPT", "text-no-tables": "R-NOTABLES",
         # a scan without the report's tables: refused (R-PDF-SCAN), or with govxl[ocr] read and found empty
         "scanned": "R-OCR-NOTABLES" if ocr_available() else "R-PDF-SCAN",
         "not-a-pdf": "R-DOC-CORRUPT", "doc-as-docx": "R-DOC-OLDDOC", "zip-not-docx": "R-DOC-CORRUPT",
         "broken-ods": "R-DOC-CORRUPT"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.mark.parametrize("case", CODES)
def test_a_bad_document_has_a_code_and_an_english_message(tmp_path, case):
    """Issue 15: JSON gives {"error": {"code", "message"}}; --lang en says it in English (the file's
    name aside), from the catalogue's template of that code."""
    from govxl.catalogue import READ_ERRORS

    path = BAD[case][0](tmp_path)
    r = run("check", path, "--format", "json", "--lang", "en")
    assert r.returncode == 2, r.stderr
    error = json.loads(r.stdout)["error"]
    assert error["code"] == CODES[case] and error["code"] in READ_ERRORS
    assert not CJK.search(error["message"].replace(str(path), "").replace(path.name, "")), error["message"]
    zh = json.loads(run("check", path, "--format", "json").stdout)["error"]
    assert zh["code"] == CODES[case] and BAD[case][1] in zh["message"]


@pytest.mark.parametrize("part", ["word/document.xml", "word/_rels/document.xml.rels"])
def test_a_word_document_with_a_dtd_is_refused_as_a_workbook_is(tmp_path, part):
    """Entities in a .docx (a "billion laughs" or an external file) are refused before python-docx
    parses it, with the workbook's message (R-DTD), and the file is left as it was."""
    import zipfile

    good = a_docx(tmp_path)
    bad = tmp_path / "带DTD.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                head, rest = data.split(b"?>", 1)
                data = head + b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>' + rest
            out.writestr(info, data)
    before = sha256(bad)
    r = run("check", bad, "--format", "json")
    assert r.returncode == 2 and json.loads(r.stdout)["error"]["code"] == "R-DTD"
    assert sha256(bad) == before
    assert run("check", good).returncode == 0
