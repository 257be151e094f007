"""The worst documents of issue 25, built from scratch: each one made a reader hang, crash, abort or
balloon.  `worst_cases(folder, seeds)` writes one of each and returns {name: path}; the seeds
are good documents of the same kinds (see test_document_guards.seeds)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from test_documents_bad import pdf_pages, write_pdf


def _rezip(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, edit(info.filename, data))
    return dst


def pdf_with(path: Path, objects: list[bytes], page_extra: bytes = b"", content: bytes = b"") -> Path:
    """A one-page PDF whose page has `content` and whose objects 4.. are `objects` (written by hand)."""
    stream = content or b"BT /F1 12 Tf 72 720 Td (2023) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " + page_extra + b">>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream", *objects]
    return write_pdf(path, objs)


def inflating_pdf(path: Path, mb: int = 300) -> Path:
    """A content stream of a few MB that inflates to `mb` MB of spaces."""
    z = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b"".join(z.compress(chunk) for _ in range(mb)) + z.flush()
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>", stream]
    return write_pdf(path, objs)


def cmap_pdf(path: Path) -> Path:
    """A Type0 font whose ToUnicode CMap maps the range <00000000> <FFFFFFFF> (pdfminer walks all 2**32)."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
            b"1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange "
            b"1 beginbfrange <00000000> <FFFFFFFF> <0030> endbfrange endcmap CMapName currentdict /CMap "
            b"defineresource pop end end")
    font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [6 0 R] "
            b"/ToUnicode 7 0 R >>")
    desc = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>")
    tounicode = b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"
    return pdf_with(path, [font, desc, tounicode], page_extra=b"/Resources << /Font << /F1 5 0 R >> >> ",
                    content=b"BT /F1 12 Tf 72 720 Td <00000001> Tj ET")


def huge_dimension_xlsx(src: Path, dst: Path) -> Path:
    """A hand-made .xlsx whose first sheet declares XFD1048576 and holds a cell there."""
    def edit(name: str, data: bytes) -> bytes:
        if re.fullmatch(r"xl/worksheets/sheet1\.xml", name):
            data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
            data = data.replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
        return data
    return _rezip(src, dst, edit)


def bad_ref_xlsx(src: Path, dst: Path) -> Path:
    """A sheet with a cell reference of thirteen letters (`AAAAAAAAAAAAA1`)."""
    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            data = re.sub(rb'<c r="[A-Z]+(\d+)"', rb'<c r="AAAAAAAAAAAAA\1"', data, count=1)
        return data
    return _rezip(src, dst, edit)


def docx_edit(src: Path, dst: Path, edit) -> Path:
    return _rezip(src, dst, lambda n, d: edit(d) if n == "word/document.xml" else d)


def odt(path: Path, body: str) -> Path:
    """A minimal OpenDocument text holding `body` (office:text content)."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
               f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                   'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>', zipfile.ZIP_DEFLATED)
    path.write_bytes(buf.getvalue())
    return path


def worst_cases(folder: Path, html: Path, md: Path, docx: Path, xlsx: Path) -> dict[str, Path]:
    """One of each worst case of issue 25 (the .xls ones need LibreOffice: see test_document_guards)."""
    folder.mkdir(parents=True, exist_ok=True)
    page = html.read_text(encoding="utf-8")
    lines = page.splitlines()
    out: dict[str, Path] = {}

    def put(name: str, data: bytes | str) -> None:
        p = folder / name
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        out[name] = p

    mid = len(lines) // 2
    put("repeated-lines.html", "\n".join(lines[:mid] + lines[mid:mid + 20] * 3000 + lines[mid:]))
    rows = [ln for ln in lines if ln.startswith("<tr>") and ln.endswith("</tr>")]
    put("repeated-rows.html", "\n".join(lines[:mid] + rows * 200 + lines[mid:]))
    put("nested-tables.txt", "<table><tr><td>" * 3000 + "规章 1" + "</td></tr></table>" * 3000)
    put("nested-divs.html", "<html><body>" + "<div><span>" * 50_000 + "x")
    frag = md.read_text(encoding="utf-8")
    put("repeated-fragment.md", frag[:frag.index("|")] + ("| 规章 | 0 | 1 " * 5000) + "\n" + frag)
    put("one-line-pipes.txt", "a" * 200_000 + " | x\n" + "规章 |\n" * 10)
    put("huge.txt", ("政府信息公开 1 2 3 规章 0\n" * 560_000))
    put("huge-one-line.html", "<html><body><p>" + "规章 12 " * 1_100_000 + "</p></body></html>")
    put("digits.html", page.replace(">0<", ">" + "9" * 1_000_000 + "<", 1))
    put("digits.txt", "规章 " + "7" * 1_000_000 + "\n")
    put("bom-odd.txt", b"\xff\xfe" + "规章 1\n".encode("utf-16-le") + b"\x00")
    put("overflow.md", frag.replace("| 0 |", "| 1e400 |", 1).replace("| 1 |", "| 99999999999999999999999 |", 1))
    out["inflate.pdf"] = inflating_pdf(folder / "inflate.pdf")
    out["cmap.pdf"] = cmap_pdf(folder / "cmap.pdf")
    out["geometry.pdf"] = pdf_with(folder / "geometry.pdf", [], page_extra=b"/MediaBox [0 0 0 -99999999] ")
    out["pages.pdf"] = pdf_pages(folder / "pages.pdf", 3)
    out["dimension.xlsx"] = huge_dimension_xlsx(xlsx, folder / "dimension.xlsx")
    out["cellref.xlsx"] = bad_ref_xlsx(xlsx, folder / "cellref.xlsx")
    out["gridspan.docx"] = docx_edit(docx, folder / "gridspan.docx",
                                     lambda d: re.sub(rb'w:gridSpan w:val="\d+"', 'w:gridSpan w:val="²"'.encode(), d))
    out["deep.docx"] = docx_edit(docx, folder / "deep.docx", lambda d: d.replace(
        b"<w:body>", b"<w:body>" + b"<w:tbl><w:tr><w:tc>" * 3000 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 3000, 1))
    out["space-s.odt"] = odt(folder / "space-s.odt", '<text:p>规章<text:s text:c="²"/>1</text:p>')
    out["space-c.odt"] = odt(folder / "space-c.odt", '<text:p>规章<text:s text:c="1500000000"/>1</text:p>')
    out["digits.odt"] = odt(folder / "digits.odt", "<text:p>规章 " + "5" * 1_000_000 + "</text:p>")
    out["deep.odt"] = odt(folder / "deep.odt", "<text:span>" * 5000 + "x" + "</text:span>" * 5000)
    out["encoding.odt"] = hostile_encoding(out["space-s.odt"], folder / "encoding.odt")
    return out


def hostile_encoding(src: Path, dst: Path) -> Path:
    """content.xml declaring an encoding that does not exist (found by the mutation run)."""
    return _rezip(src, dst, lambda n, d: d.replace(b'encoding="UTF-8"', b'encoding="UTF-99999999999999999999999"')
                  if n == "content.xml" else d)
