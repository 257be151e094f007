"""`govxl check` on a report that is not a govxl workbook: a Word document, someone's own Excel
table, an .xls/.ods, a PDF (or an HTML page or text, named one by one).

The document is imported in memory (govxl.importer: the edition spec's labels place every
number) and the numbers are checked as a workbook's would be: value rules, the arithmetic with
the totals as printed (a printed 总计 that disagrees with its parts is reported, never silently
recomputed), and whatever the caller adds (last year's report, the children's sum).  What only a
workbook has (template identity, locks, formulas, merges: the S-* rules) does not apply; the
report says so (`source`, `not_applied`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .catalogue import CATALOGUE
from .errors import GovxlError, NoIdentityError, ReadError
from .findings import Finding, Report

# Rules that judge a workbook's structure or cells as typed, not the numbers of a report.
NOT_APPLIED = tuple(r for r in CATALOGUE if r.startswith("S-")) + ("V-TEXT",)
# What the document guards say (govxl.importer.isolate): more to the point than "not a govxl workbook".
GUARDS = ("R-DOC-HUGE", "R-DOC-BUDGET", "R-DOC-SLOW", "R-DOC-MEMORY", "R-DOC-CRASH")
TEXT_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml", ".txt", ".md")

KIND_NAMES = {"docx": ("Word 文档", "a Word document"), "odt": ("OpenDocument 文档", "an OpenDocument text"),
              "xlsx": ("非 govxl 生成的 Excel 表格", "an Excel table not made by govxl"),
              "xls": ("旧版 Excel（.xls）表格", "an old Excel (.xls) table"),
              "ods": ("OpenDocument（.ods）表格", "an OpenDocument spreadsheet"), "pdf": ("PDF 文件", "a PDF"),
              "image": ("图片", "a picture"),
              "html": ("网页", "a web page"), "text": ("文本", "a text")}


def kind_of(path: str | os.PathLike) -> str | None:
    """What `check_path` reads `path` as, by its name: a document kind, `text`, or None (a workbook)."""
    from .importer.formats import document_kind

    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return None
    if suffix in TEXT_SUFFIXES:
        return "html" if suffix.startswith((".htm", ".sht", ".xht")) else "text"
    return document_kind(path)


def check_path(path: str | os.PathLike, reader=None) -> Report:
    """Check a govxl workbook (govxl.checker) or any document in the official layout.

    An .xlsx without govxl's identity is imported like any other document; if no official
    table is found in it, the workbook's own answer (not a govxl workbook) stands."""
    from .checker import check_file

    kind = kind_of(path)
    if kind == "xls" and _head(path).startswith(b"PK\x03\x04"):
        kind = None  # an .xlsx named .xls: a workbook, checked as one
    if kind is None:
        try:
            return check_file(path, reader=reader)
        except NoIdentityError as exc:  # not one that claims an edition or version govxl does not know
            try:
                return check_document(path, "xlsx")
            except GovxlError as doc:
                if getattr(doc, "code", "") in GUARDS:  # too big, too slow, too deep: that is the news
                    raise doc from None
                raise exc from None
    return check_document(path, kind)


def _head(path: str | os.PathLike) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(8)
    except OSError:
        return b""


def check_document(path: str | os.PathLike, kind: str | None = None) -> Report:
    """Import `path` in memory and check its numbers. Raises ReadError when nothing can be read."""
    from .checker import expected_for, value_reason, value_rule
    from .importer import import_report
    from .judge import judge
    from .rules import kind_ok

    try:
        imp = import_report(path)
    except ReadError as exc:
        if exc.code == "R-NOTABLES" and kind in KIND_NAMES:
            zh, en = KIND_NAMES[kind]
            raise ReadError(code="R-NOTABLES", where=f"{zh}中", where_en=en) from None
        raise
    if not any(v is not None for v in imp.inputs.values()):  # labels in prose, not one number of a table
        zh, en = KIND_NAMES.get(kind, ("文件", "the file"))
        raise ReadError(code="R-NOREPORT", where=f"{zh}中", where_en=en)
    ed = imp.edition
    bad, invalid = [], set()
    for key, v in imp.inputs.items():
        f = ed.field(key)
        if not kind_ok(f.kind, v):
            invalid.add(key)
            bad.append(Finding.of(value_rule(f.kind), sheet=f.sheet, cell=f.cell, row_label=f.row_label,
                                  col_label=f.col_label, expected=expected_for(f.kind), actual=v,
                                  reason=value_reason(f.kind, v)))
    # One judge (govxl.judge): a cell not found is unknown (the rules that need it are not
    # verified), a blank counts as 0 (V-BLANK), a refused value counts as 0 (its V-INT says why).
    data = imp.data(invalid=invalid)
    data.findings += bad
    data.source = kind or imp.source
    data.not_applied = NOT_APPLIED
    return judge(data)


def source_line(report: Report, lang: str = "zh") -> str | None:
    """The one line that says what did not apply to a report read from a document."""
    if not getattr(report, "source", None):
        return None
    zh, en = KIND_NAMES.get(report.source, (report.source, report.source))
    if lang == "en":
        return (f"{en} ({report.source}), not a govxl workbook: its numbers were read by the official labels; "
                f"values and arithmetic are checked, the structure rules (identity, locks, formulas, merges: "
                f"S-*, V-TEXT) do not apply")
    gap = " " if zh[:1].isascii() else ""  # 这是 Word 文档 / 这是旧版 Excel
    return (f"这是{gap}{zh}，不是 govxl 工作簿：已按官方标签读出数字，校验数值和勾稽关系；"
            f"结构规则（模板标识、锁定、公式、合并单元格等 S-* 及 V-TEXT）不适用")
