"""The one catalogue of finding codes: severity, short title and message templates (zh, en).

Templates may use {sheet} {cell} {row} {col} {expected} {actual} {detail}; the location
prefix (sheet!cell) is added by :class:`govxl.report.findings.Finding`, not by the template.
`grep T3-BAL` finds the rule here, in the spec, in its tests and in the docs.
"""

from __future__ import annotations

from dataclasses import dataclass

# why a file cannot be read, why a command cannot run: the code of a govxl.errors.GovxlError, its zh
# and en text (govxl/catalogue_errors.py), held here too
from .catalogue_errors import READ_ERRORS as READ_ERRORS
from .catalogue_errors import USAGE_ERRORS as USAGE_ERRORS


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # error | warning | info
    title_zh: str
    title_en: str
    zh: str
    en: str


_RULES = [
    # --- arithmetic identities (勾稽关系) -------------------------------------------------
    Rule("T3-BAL", "error", "表三勾稽关系：一＋二＝三（七）＋四",
         "Table 3 balance: new + carried over = results + carried forward",
         "“{col}”列：一（新收）＋二（上年结转）＝ {expected}，但（七）总计＋四（结转下年度）＝ {actual}",
         "column “{col}”: new + carried over = {expected}, but total results + carried forward = {actual}"),
    Rule("T3-SUM", "error", "表三（七）总计等于（一）至（六）之和", "Table 3 total results = sum of result rows",
         "“{col}”列：（七）总计应为（一）至（六）各项之和 {expected}，实为 {actual}",
         "column “{col}”: total results should be the sum of rows (1)–(6), {expected}, but is {actual}"),
    Rule("T3-COL", "error", "表三总计列等于各申请人之和", "Table 3 total column = sum of applicant columns",
         "“{row}”行：总计应为各类申请人之和 {expected}，实为 {actual}",
         "row “{row}”: total should be the sum of all applicant columns, {expected}, but is {actual}"),
    Rule("T4-SUM", "error", "表四各总计等于四项结果之和", "Table 4 totals = sum of their four results",
         "“{col}”应为结果维持、结果纠正、其他结果、尚未审结之和 {expected}，实为 {actual}",
         "“{col}” should be the sum of its four results, {expected}, but is {actual}"),
    # --- values ------------------------------------------------------------------------------
    Rule("V-INT", "error", "件数为不小于 0 的整数", "Counts are whole numbers ≥ 0",
         "“{row}”×“{col}”应填写{expected}，实际填的是 {actual}{detail}",
         "“{row}” × “{col}” must be {expected}; found {actual}{detail}"),
    Rule("V-AMT", "error", "金额为不小于 0 的数", "Amounts are numbers ≥ 0",
         "“{row}”×“{col}”应填写{expected}，实际填的是 {actual}{detail}",
         "“{row}” × “{col}” must be {expected}; found {actual}{detail}"),
    Rule("V-TEXT", "warning", "数字以文本形式填写", "Number typed as text",
         "“{row}”×“{col}”中的 {actual} 是文本形式的数字，已按 {expected} 计算；请改为数值",
         "“{row}” × “{col}” holds {actual} as text; read as {expected}, please enter it as a number"),
    Rule("V-BLANK", "warning", "有未填写的单元格", "Unfilled input cells",
         "{actual} 个应填单元格未填写（按 0 计算）：{detail}；没有发生的事项请填 0",
         "{actual} input cells are blank (counted as 0): {detail}; enter 0 where nothing happened"),
    Rule("V-EMPTY", "error", "整张表未填写", "A whole table is blank",
         "本表所有应填单元格都是空白；空白的年报不能通过校验，没有发生的事项请填 0",
         "every input cell of this table is blank; an empty report cannot pass, enter 0 where nothing happened"),
    # --- structure of a govxl workbook ----------------------------------------------------
    Rule("V-COVER", "error", "封面须写明填报单位和报告年度", "The cover names the agency and the year",
         "封面的“{row}”没有填写{detail}：请在 {cell} 中填写", "the cover's “{row}” is not filled in{detail}: "
         "fill in {cell}"),
    Rule("S-IDENT", "warning", "缺少模板标识", "Template identity missing",
         "文件缺少 govxl 模板标识，按表格版式识别为 {expected} 版{detail}",
         "the file carries no govxl template identity; recognised by its layout as edition {expected}{detail}"),
    Rule("S-SHEET", "error", "工作表缺失", "Sheet missing",
         "找不到工作表“{expected}”{detail}", "sheet “{expected}” is missing{detail}"),
    Rule("S-EXTRA", "info", "多出的工作表", "Extra sheet",
         "工作簿中多出工作表“{actual}”{detail}，校验时不读取", "extra sheet “{actual}”{detail} is ignored"),
    Rule("S-AGG", "info", "汇总报告的清单工作表", "Summary's list of reports",
         "这是汇总报告：工作表“{actual}”列出所汇总的各份报告（校验时不读取）",
         "this is a summary report: sheet “{actual}” lists the reports it sums (not checked)"),
    Rule("S-ORDER", "info", "工作表顺序改变", "Sheet order changed",
         "工作表顺序应为 {expected}，实为 {actual}", "sheet order should be {expected}, found {actual}"),
    Rule("S-LABEL", "error", "表格标签被改动", "Official label changed",
         "标签应为“{expected}”，实为“{actual}”", "label should read “{expected}”, found “{actual}”"),
    Rule("S-LAYOUT", "error", "表格结构被改动", "Table layout changed",
         "表格结构被改动：{detail}；本表的数值未校验。请勿插入或删除行、列，可用 govxl new 重新生成后填写",
         "the table's layout was changed: {detail}; its values were not checked. Do not insert or delete "
         "rows or columns; regenerate the workbook with govxl new"),
    Rule("S-MERGE", "warning", "合并单元格被改动", "Merged cells changed",
         "{detail}", "{detail}"),
    Rule("S-FORMULA", "error", "合计公式被改动", "Total formula replaced",
         "“{row}”×“{col}”应为公式 ={expected}，实为 {actual}",
         "“{row}” × “{col}” should hold the formula ={expected}; found {actual}"),
    Rule("S-CACHE", "error", "公式保存的结果与重新计算不符", "Stored formula result is stale",
         "“{row}”×“{col}”文件中保存的结果为 {actual}，按各项重新计算应为 {expected}（文件可能被改动，或未重新计算）",
         "“{row}” × “{col}” stores {actual}, but recomputing from the inputs gives {expected} (stale or tampered)"),
    Rule("S-LOCK", "warning", "单元格锁定状态被改动", "Cell locking changed",
         "{detail}", "{detail}"),
    Rule("S-PROTECT", "warning", "工作表保护已取消", "Sheet protection removed",
         "工作表保护已被取消，表格标签和公式可能被误改",
         "sheet protection was removed; labels and formulas may be edited by mistake"),
    Rule("S-BOOK", "warning", "工作簿结构保护已取消", "Workbook structure protection removed",
         "工作簿结构保护已被取消（撤销了“保护工作簿”，或用 LibreOffice 保存过：它不保留这项保护），"
         "工作表可能被误改名、删除、移动或新增",
         "the workbook's structure protection was removed (unprotected, or saved by LibreOffice, which drops it); "
         "sheets may be renamed, deleted, moved or added by mistake"),
    # --- across years, reports and files --------------------------------------------------
    # {detail} names last year's file and cell(s); see govxl/crossyear.py.
    Rule("X-CARRY", "warning", "上年结转等于上年的结转下年度", "Carried over = last year's carried forward",
         "“{col}”列：本年的上年结转数为 {actual}，上年报告的结转下年度数为 {expected}（{detail}）",
         "column “{col}”: carried over this year is {actual}, last year's carried forward is {expected} ({detail})"),
    Rule("X-T2", "info", "现行有效数与上年衔接", "Documents in force follow from last year",
         "“{row}”的{col}为 {actual}，按上年数推算约为 {expected}（{detail}）",
         "“{row}” “{col}” is {actual}; last year's figures suggest about {expected} ({detail})"),
    Rule("X-YEAR", "warning", "上年报告应为上一年度", "Last year's report must be for the previous year",
         "上年报告 {detail} 的报告年度为 {actual}，应为 {expected}；未做跨年度比对",
         "last year's report {detail} is for {actual}, expected {expected}; no cross-year comparison made"),
    Rule("X-AGENCY", "warning", "上年报告应为同一机关", "Last year's report must be by the same agency",
         "上年报告 {detail} 的填报单位为“{actual}”，与本报告的“{expected}”不同；请确认是同一机关（机构改革后名称可能改变）",
         "last year's report {detail} is by “{actual}”, this one by “{expected}”; make sure it is the same agency"),
    Rule("X-PREV", "info", "找不到上年报告", "Last year's report not found",
         "未做跨年度比对：{detail}", "no cross-year comparison: {detail}"),
    Rule("R-TEXT", "warning", "正文数字与表格一致", "Numbers in the text match the tables",
         "正文“{detail}”中{row}为 {actual}，与表格中的 {expected} 不一致",
         "the text “{detail}” gives {row} as {actual}, the tables say {expected}"),
    Rule("R-FEE", "warning", "报告信息处理费收取情况", "Report the information processing fee",
         "第六部分没有提到信息处理费的收取情况（即使未收取也应说明）",
         "section 6 does not mention the information processing fee (say so even if none was charged)"),
    Rule("R-SECTION", "warning", "正文缺少某一部分", "A section of the report text is missing",
         "正文中没有“{expected}”部分，报告中该部分只有标题",
         "the text has no section “{expected}”; the report shows only its heading"),
    Rule("ROLL", "warning", "汇总数等于下级之和", "Parent equals the sum of its children",
         "“{row}”×“{col}”汇总报告为 {actual}，下级报告之和为 {expected}{detail}",
         "“{row}” × “{col}”: the parent says {actual}, its children sum to {expected}{detail}"),
    # --- inputs of an aggregate (govxl aggregate, govxl check --children) -----------------
    Rule("AGG-DUP", "warning", "重复的报告未计入", "Duplicate report left out",
         "《{actual}》与《{expected}》{detail}，未计入（重复的报告只计入按文件路径排序在前的一份）",
         "“{actual}” duplicates “{expected}” ({detail}); left out (of duplicates only the first by file path counts)"),
    Rule("AGG-FAIL", "warning", "校验不通过的报告未计入", "Failing report left out",
         "《{actual}》校验不通过（{detail}），未计入",
         "“{actual}” fails its check ({detail}); left out"),
    Rule("AGG-KEPT", "warning", "校验不通过的报告仍计入", "Failing report included",
         "《{actual}》校验不通过（{detail}），按 --include-failing 仍计入；无效的单元格按 0 计入",
         "“{actual}” fails its check ({detail}) but is included (--include-failing); invalid cells count as 0"),
    Rule("AGG-READ", "warning", "无法校验的文件未计入", "Unreadable file left out",
         "《{actual}》无法校验，未计入：{detail}",
         "“{actual}” cannot be checked; left out: {detail}"),
    # --- a report matched to its unit and season (govxl desk) ------------------------------
    Rule("D-YEAR", "error", "报告年度应为本次收表的年度", "The report is for the season's year",
         "报告年度为 {actual}，本次收的是 {expected} 年度的报告", "the report is for {actual}; this season collects {expected}"),
    Rule("D-EDITION", "error", "报告格式应为本年度的版本", "The report uses the season's edition",
         "报告格式为 {actual} 版，本年度应为 {expected} 版：请下载本单位的工作簿重新填写",
         "the report uses edition {actual}; this season uses {expected}: download your workbook and fill it in again"),
    Rule("D-AGENCY", "warning", "填报单位应为本单位", "The report is by this unit",
         "报告的填报单位为“{actual}”，本单位为“{expected}”；公开办确认后才计入汇总",
         "the report is by “{actual}”, this unit is “{expected}”; it counts once the office accepts it"),
    Rule("D-COPY", "warning", "与其他单位的报告相同", "Same as another unit's report",
         "本报告与“{expected}”的报告{detail}；公开办确认后才计入汇总",
         "this report has the {detail} as the report of “{expected}”; it counts once the office accepts it"),
    # --- import of a published report (govxl import) --------------------------------------
    Rule("I-TABLE", "warning", "报告中缺少统计表", "Table missing from the report",
         "报告中找不到这张统计表", "this table is not in the report"),
    Rule("I-ROW", "warning", "统计表的行没有读全", "Row not read completely",
         "“{row}”一行的数字没有读全，已留空{detail}",
         "row “{row}”: its numbers could not all be read and were left blank{detail}"),
    Rule("I-CELL", "warning", "有内容无法放入表格", "Text that could not be placed",
         "无法放入表格的内容：{actual}{detail}",
         "could not place {actual}{detail}"),
    Rule("I-SPLIT", "warning", "连在一起的数字无法唯一拆分", "Run of digits cannot be split uniquely",
         "“{row}”一行的数字连在一起：{actual}，无法唯一确定每格的数{detail}",
         "row “{row}”: the digits ran together ({actual}) and cannot be split uniquely{detail}"),
    Rule("I-RUN", "info", "按合计关系拆分了连在一起的数字", "Run of digits split by the table's arithmetic",
         "“{row}”一行的数字连在一起：{actual}，按表格的合计关系拆分为 {expected}",
         "row “{row}”: the digits ran together ({actual}); the table's sums split them as {expected}"),
    Rule("I-SAID", "info", "按正文所述拆分了连在一起的数字", "Run of digits split as the report's text says",
         "“{row}”一行的数字连在一起：{actual}，按报告正文所述拆分为 {expected}{detail}",
         "row “{row}”: the digits ran together ({actual}); split as {expected}, as the report's text says{detail}"),
    Rule("I-LABEL", "warning", "标签与官方写法不同", "Label differs from the official text",
         "标签写作{actual}，官方为“{expected}”，已按官方标签读取",
         "label reads {actual}, officially “{expected}”; read as the official label"),
    Rule("I-NOLABEL", "warning", "报告缺少官方标签", "Official labels missing from the report",
         "报告中没有找到 {actual} 个官方标签：{detail}",
         "{actual} official labels were not found in the report: {detail}"),
    Rule("I-UNIT", "info", "换算了单元格中的单位", "Unit in a cell converted",
         "“{row}”×“{col}”原报告为{actual}，按 {expected}填入{detail}",
         "“{row}” × “{col}” reads {actual} in the report; entered as {expected}{detail}"),
    Rule("I-EDITION", "warning", "无法从标签判断格式版本", "Edition not evident from the labels",
         "报告中没有只属于某一格式版本的标签，按 {expected} 版读取（可用 --edition 指定）",
         "no label specific to one edition was found; read as edition {expected} (use --edition)"),
    Rule("I-LAYOUT", "info", "报告按较早版本的格式印制", "Report printed in an earlier edition's layout",
         "报告年度为 {actual} 年，但统计表按 {expected} 版格式印制，已按该格式读取",
         "the report is for {actual}, but its tables are printed in the {expected} edition's layout; read by that layout"),
    Rule("I-TOTAL", "error", "报告公布的合计与各项之和不符", "Printed total differs from its parts",
         "“{row}”×“{col}”：报告公布的合计为 {actual}，按各项之和应为 {expected}{detail}",
         "“{row}” × “{col}”: the report prints {actual} as the total, but its parts sum to {expected}{detail}"),
    Rule("I-NA", "info", "不适用的单元格按空白读取", "Not-applicable mark read as blank",
         "“{row}”×“{col}”印作{actual}（不适用），按空白读取，不是 0",
         "“{row}” × “{col}” reads {actual} (not applicable): read as blank, not as 0"),
    Rule("I-UNREAD", "warning", "单元格中不是数字", "Cell holds no number",
         "“{row}”×“{col}”无法读取{actual}，不是数字，数值未知，请核对原报告",
         "“{row}” × “{col}”: cannot read {actual}, which is no number; the value is unknown: check the report"),
    Rule("I-OCR", "warning", "识别存疑", "Unsure reading",
         "扫描件中这一格识别存疑，未采用，数值未知，请人工核对{detail}",
         "this cell of the scan could not be read with certainty; it was not used and its value is unknown: "
         "check it by eye{detail}"),
    Rule("I-OCR-ARITH", "warning", "识别存疑的单元格按勾稽关系取值", "Unsure reading chosen by the arithmetic",
         "扫描件中这一格识别存疑，按勾稽关系取 {actual}（只有这一读法使相关合计或平衡成立），请人工核对{detail}",
         "this cell of the scan could not be read with certainty; {actual} was taken, the only reading with which "
         "the sums and balances that need it hold: check it by eye{detail}"),
    Rule("I-TITLE", "warning", "标题中没有机关名称或年度", "Agency or year not in the title",
         "没有从报告标题中读出{detail}，请用 --agency / --year 指定",
         "could not read the {detail} from the report's title; give --agency / --year"),
]

CATALOGUE: dict[str, Rule] = {r.id: r for r in _RULES}

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITIES = ("error", "warning", "info")


# ------------------------------------------------------------------ reasons: the {detail} of a finding
# A finding carries a reason code and its parameters; the text is made when it is shown, in zh or en.
# A parameter may itself be a Phrase (a reason and its parameters) or a Join (a list), shown in the
# same language. A zh text and its en text use the same placeholders (tests/test_catalogue.py).
REASONS: dict[str, tuple[str, str]] = {
    # what a value of each kind should be (the {expected} of V-INT / V-AMT)
    "kind-count": ("不小于 0 的整数", "a whole number ≥ 0"),
    "kind-signed": ("整数（可为负数）", "a whole number (may be negative)"),
    "kind-amount": ("不小于 0 的数（最多 6 位小数）", "a number ≥ 0 (at most 6 decimals)"),
    # why a value is not one (V-INT, V-AMT)
    "negative": ("（不能为负数）", " (cannot be negative)"),
    "too-big": ("（数值大得不合常理）", " (implausibly large)"),
    "not-whole": ("（不是整数）", " (not a whole number)"),
    "decimals": ("（小数超过 6 位）", " (more than 6 decimals)"),
    "not-finite": ("（不是有效的数字）", " (not a valid number)"),
    "date": ("（单元格是日期格式）", " (the cell is formatted as a date)"),
    "boolean": ("（逻辑值）", " (a true/false value)"),
    "error-value": ("（错误值）", " (an error value)"),
    "date-value": ("（日期）", " (a date)"),
    "formula": ("（应填写数字，不能填写公式）", " (a number is expected, not a formula)"),
    "not-a-year": ("（或填写的不是年份）", " (or is not a year)"),
    # what a cell holds, as an {expected} or {actual}
    "blank": ("空白", "blank"),
    "constant": ("常数 {value}", "the constant {value}"),
    "cells": ("{cells}", "{cells}"),  # a list of sheet!cells (V-BLANK)
    # the workbook's identity and sheets (S-IDENT, S-SHEET, S-EXTRA)
    "regenerate": ("；请用 govxl new 重新生成后再填写", "; regenerate it with govxl new and fill that in"),
    "cover-sheet": ("（封面写有填报单位和报告年度）", " (the cover names the agency and the year)"),
    "sheet-renamed": ("（可能被改名为“{name}”）", " (perhaps renamed “{name}”)"),
    "sheet-gone": ("（工作表被删除或改名）", " (deleted or renamed)"),
    "more-sheets": ("等 {n} 张", " (the first of {n})"),
    "more-files": ("等 {n} 份", " and more ({n} in all)"),  # after the first few of n files
    "file-why": ("{name}（{why}）", "{name} ({why})"),  # a file and why it could not be read (a GovxlError)
    # a table's layout (S-LAYOUT)
    "layout-moved": ("从 {cell} 起，“{label}”等 {n} 个标签{moves}（可能{causes}）",
                     "from {cell} on, {n} labels (the first “{label}”) moved {moves} (perhaps {causes})"),
    "layout-labels": ("{n} 个标签与官方表格不符，第一个在 {cell}：应为“{label}”，实为{found}",
                      "{n} labels differ from the official table, the first at {cell}: “{label}” expected, found {found}"),
    "rows-down": ("下移了 {n} 行", "down {n} row(s)"),
    "rows-up": ("上移了 {n} 行", "up {n} row(s)"),
    "cols-right": ("右移了 {n} 列", "right {n} column(s)"),
    "cols-left": ("左移了 {n} 列", "left {n} column(s)"),
    "rows-inserted": ("插入了行", "rows inserted"),
    "rows-deleted": ("删除了行", "rows deleted"),
    "cols-inserted": ("插入了列", "columns inserted"),
    "cols-deleted": ("删除了列", "columns deleted"),
    # merges and locks (S-MERGE, S-LOCK)
    "merge-missing": ("应合并而未合并：{missing}", "not merged as they should be: {missing}"),
    "merge-extra": ("多出的合并：{extra}", "merged, but should not be: {extra}"),
    "merge-both": ("应合并而未合并：{missing}；多出的合并：{extra}",
                   "not merged as they should be: {missing}; merged, but should not be: {extra}"),
    "locked-inputs": ("{n} 个应填单元格被锁定，无法填写", "{n} input cells are locked and cannot be filled in"),
    "unlocked-labels": ("{n} 个标签或合计单元格未锁定，可能被误改",
                        "{n} label or total cells are not locked and may be edited by mistake"),
    # the judge (govxl.judge): a broken rule's likely cell; a rule that could not be verified
    "likely-cell": ("；最可能出错的单元格：{cell}", "; most likely wrong cell: {cell}"),
    "not-verified": ("{rule}（{row}）未能核对：{cells} 没有读出数字",
                     "{rule} ({row}) not verified: no number was read for {cells}"),
    "rests-on-unverified": ("汇总中以下单元格依据未读出或只公布合计的数字（按 0 计入），{n} 条规则未能核对：{cells}",
                            "these cells of the roll-up rest on numbers not read or printed only as a sum "
                            "(counted as 0); {n} rules not verified: {cells}"),
    "not-verified-head": ("未能核对的规则", "Rules not verified"),
    "state-unknown": ("未能读出这一格的数字", "no number was read for this cell"),
    "state-in_sum": ("报告只公布了这几格的合计", "the report printed only the sum of these cells"),
    "not-verified-sum": ("{rule}（{row}）未能核对：{cells} 只公布了合计",
                         "{rule} ({row}) not verified: only the sum of {cells} was published"),
    # a workbook written by govxl import (I-TABLE, I-TOTAL, I-ROW)
    "at-import": ("（导入时）", " (at import)"),
    "formula-sum": ("（工作簿中的公式给出各项之和）", " (the workbook's formula gives the sum of the parts)"),
    "not-in-report": ("（导入时报告中没有这些数）", " (the report had no numbers here at import)"),
    # a published report read by govxl import (I-TITLE, I-NOLABEL, I-ROW, I-CELL, I-SPLIT, I-UNIT, I-TOTAL)
    "names": ("{names}", "{names}"),
    "title-agency": ("机关名称", "agency name"),
    "title-year": ("年度", "year"),
    "why": ("（{why}）", " ({why})"),
    # where an unsure cell of a scan is (I-OCR): page, table on the page, row and column as printed
    "ocr-at": ("（第 {page} 页第 {table} 张表第 {row} 行第 {col} 格，识别为“{read}”）",
               " (page {page}, table {table}, row {row}, cell {col}, read as “{read}”)"),
    "ocr-arith-at": ("（第 {page} 页第 {table} 张表第 {row} 行第 {col} 格，另一读法 {others}）",
                     " (page {page}, table {table}, row {row}, cell {col}; the other reading: {others})"),
    "ocr-arith-one": ("（第 {page} 页第 {table} 张表第 {row} 行第 {col} 格）",
                      " (page {page}, table {table}, row {row}, cell {col})"),
    "ocr-at-none": ("（第 {page} 页第 {table} 张表第 {row} 行第 {col} 格，未识别出文字）",
                    " (page {page}, table {table}, row {row}, cell {col}, nothing read)"),
    "no-label": ("找不到这一行的标签", "the row's label is not in the report"),
    "no-label-then": ("找不到这一行的标签（其后读到 {n} 个数：{values}）",
                      "the row's label is not in the report ({n} numbers follow it: {values})"),
    "cut": ("报告在此处中断", "the report stops here"),
    "cut-then": ("报告在此处中断（其后读到 {n} 个数：{values}）", "the report stops here ({n} numbers follow: {values})"),
    "cut-numbers": ("报告在此处中断，这一行只读到前 {got} 个数，应有 {want} 个",
                    "the report stops here: only the first {got} of the row's {want} numbers were read"),
    "cut-cells": ("报告在此处中断，这一行只读到前 {got} 格，应有 {want} 格",
                  "the report stops here: only the first {got} of the row's {want} cells were read"),
    "count-read": ("应有 {want} 个数，读到 {n} 个", "{want} numbers expected, {n} read"),
    "count-read-values": ("应有 {want} 个数，读到 {n} 个：{values}", "{want} numbers expected, {n} read: {values}"),
    "collapsed": ("空白单元格被合并成一行“{text}”，无法确定各数所在的列",
                  "blank cells ran together into one line “{text}”, so the columns of the numbers are not certain"),
    "torn": ("行标签与数字分在两处（其后有 {n} 行数字），无法确定每行数字属于哪一行",
             "the row labels and the numbers are printed apart ({n} lines of numbers follow); which line belongs "
             "to which row is not certain"),
    "run-together": ("数字连在一起，无法唯一拆分", "the digits ran together and cannot be split uniquely"),
    "after-row": ("（位于“{after}”一行之后，不是官方表格的行）", " (after the row “{after}”; not a row of the official table)"),
    "after-cut": ("（位于“{after}”之后，报告在此处中断）", " (after “{after}”, where the report stops)"),
    "after": ("（位于“{after}”之后）", " (after “{after}”)"),
    "said": ("（依据：{sentences}）", " (according to {sentences})"),
    "prev-said": ("上年报告现行有效 {n} 件，加本年制发、减本年废止",
                  "last year's report: {n} in force, plus issued, minus repealed"),
    "no-split": ("（没有一种拆分符合本行的合计关系）", " (no split agrees with the row's sums)"),
    "too-many-splits": ("（可能的拆分太多）", " (too many possible splits)"),
    "maybe": ("（可能是 {options}）", " (perhaps {options})"),
    "maybe-more": ("（可能是 {options} 等）", " (perhaps {options}, among others)"),
    "unit-none": ("（本栏没有规定单位，按原数字填入，请核对）", " (this column has no unit; entered as printed, please check)"),
    "unit-mismatch": ("（单位与本栏不符，按原数字填入，请核对）",
                      " (the unit does not fit this column; entered as printed, please check)"),
    "kept-blank": ("（数据中保留空白，另给出各项之和）", " (the data keep the blank and give the sum of the parts beside it)"),
    # across years (X-CARRY, X-T2, X-YEAR, X-AGENCY, X-PREV)
    "last-cell": ("{file} {cell}", "{file} {cell}"),
    "text-line": ("{source} 第 {line} 行", "{source} line {line}"),  # a line of a report's text file
    "the-text": ("正文", "the text"),
    "last-terms": ("上年 {last}（{file} {cell}）{terms}", "last year {last} ({file} {cell}){terms}"),
    "plus": (" ＋ {label} {value}", " + {label} {value}"),
    "minus": (" － {label} {value}", " − {label} {value}"),
    "file": ("{file}", "{file}"),
    "prev-year-unknown": ("上一年度（本报告未填写报告年度）", "the previous year (this report gives no year)"),
    "not-filled": ("（未填写）", "(not filled in)"),
    "prev-no-key": ("本报告未填写报告年度或填报单位，无法在文件夹中找到上年报告",
                    "this report has no year or no agency, so last year's report cannot be looked up in the folder"),
    "prev-none": ("文件夹 {folder} 中没有 {year} 年“{agency}”的报告",
                  "the folder {folder} holds no report of {year} by “{agency}”"),
    "prev-none-skipped": ("文件夹 {folder} 中没有 {year} 年“{agency}”的报告（另有 {n} 个文件无法读取）",
                          "the folder {folder} holds no report of {year} by “{agency}” ({n} other files could not "
                          "be read)"),
    "prev-several": ("文件夹 {folder} 中有 {n} 份 {year} 年“{agency}”的报告（{names}），无法确定用哪一份",
                     "the folder {folder} holds {n} reports of {year} by “{agency}” ({names}); which one to use "
                     "is not clear"),
    # children and inputs of an aggregate (ROLL, AGG-*)
    "children": ("（共 {n} 份下级报告）", " ({n} child reports)"),
    "dup-sha": ("内容完全相同", "same file content"),
    "dup-agency": ("填报单位和年度相同", "same agency and year"),
    "dup-values": ("数据完全相同", "same figures"),
    "failing": ("{n} 个错误：{rules}", "{n} errors: {rules}"),
    "as-given": ("{zh}", "{en}"),
    # the desk's verdicts (govxl desk)
    "desk-not-verified": ("没有发现错误，但 {n} 条规则未能核对（{rules}）；请核对后重新上传",
                          "no rule is broken, but {n} rules were not verified ({rules}); check the file and upload it "
                          "again"),  # a text made elsewhere in both languages (an error's message)
}

# What a value of each kind should be (zh, en), by field kind.
KIND_TEXT = {k: REASONS[f"kind-{k}"] for k in ("count", "signed", "amount")}

# A Join's separator in English, by its Chinese one.
_SEP_EN = {"、": ", ", "；": "; ", "，": ", "}


@dataclass(frozen=True)
class Phrase:
    """A text made when shown: a code of REASONS and its parameters ((name, value), ...)."""

    reason: str
    params: tuple = ()

    def text(self, lang: str = "zh") -> str:
        return say(self.reason, lang, dict(self.params))

    def __str__(self) -> str:
        return self.text("zh")

    def data(self) -> dict:
        return {"reason": self.reason, "params": params_data(self.params)}


def phrase(reason: str, **params: object) -> Phrase:
    if reason not in REASONS:
        raise KeyError(reason)
    return Phrase(reason, tuple(params.items()))


@dataclass(frozen=True)
class Join:
    """A list shown joined by `sep` (its Chinese form; English uses a comma or a semicolon)."""

    items: tuple
    sep: str = "、"

    def text(self, lang: str = "zh") -> str:
        sep = _SEP_EN.get(self.sep, self.sep) if lang == "en" else self.sep
        return sep.join(str(shown(x, lang)) for x in self.items)

    def __str__(self) -> str:
        return self.text("zh")


def shown(value: object, lang: str = "zh") -> object:
    """A value as shown in `lang`: a Phrase, a Join or an error (govxl.errors.GovxlError) made into
    text, anything else as it is."""
    if isinstance(value, Phrase | Join) or callable(getattr(type(value), "text", None)):
        return value.text(lang)  # type: ignore[attr-defined]
    return value


def params_data(params: tuple) -> dict:
    """Parameters as JSON data: a Phrase as {reason, params}, a Join as a list."""
    def one(v: object) -> object:
        if isinstance(v, Phrase):
            return v.data()
        if isinstance(v, Join):
            return [one(x) for x in v.items]
        return v
    return {k: one(v) for k, v in params}


def say(reason: str, lang: str, params: dict) -> str:
    """The template of `reason` in `lang`, filled in with `params` (shown in the same language)."""
    return text(REASONS, reason, lang, params)


def text(table: dict[str, tuple[str, str]], code: str, lang: str, params: dict) -> str:
    """The template of `code` in `table`, in `lang`, filled in with `params` (a Phrase or Join shown in `lang`)."""
    zh, en = table[code]
    return (en if lang == "en" else zh).format(**{k: shown(v, lang) for k, v in params.items()})

