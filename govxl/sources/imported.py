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

from ..catalogue import CATALOGUE
from ..errors import ReadError
from ..report.findings import Finding, Report

# Rules that judge a workbook's structure or cells as typed, not the numbers of a report.
NOT_APPLIED = tuple(r for r in CATALOGUE if r.startswith("S-")) + ("V-TEXT",)
KIND_NAMES = {"docx": ("Word 文档", "a Word document"), "odt": ("OpenDocument 文档", "an OpenDocument text"),
              "xlsx": ("非 govxl 生成的 Excel 表格", "an Excel table not made by govxl"),
              "xls": ("旧版 Excel（.xls）表格", "an old Excel (.xls) table"),
              "ods": ("OpenDocument（.ods）表格", "an OpenDocument spreadsheet"), "pdf": ("PDF 文件", "a PDF"),
              "image": ("图片", "a picture"),
              "html": ("网页", "a web page"), "text": ("文本", "a text")}


def check_document(path: str | os.PathLike, kind: str | None = None) -> Report:
    """Import `path` in memory and check its numbers. Raises ReadError when nothing can be read."""
    from ..importer import import_report
    from ..judge import judge
    from ..judge.rules import kind_ok
    from .workbook_identity import expected_for, value_rule
    from .workbook_values import value_reason

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
    rep = judge(data)
    rep.printed = imp.printed()  # its marked copy is made from the report alone (govxl.writer_imported)
    return rep


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
