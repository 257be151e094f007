"""The one catalogue of finding codes: severity, short title and message templates (zh, en).

Templates may use {sheet} {cell} {row} {col} {expected} {actual} {detail}; the location
prefix (sheet!cell) is added by :class:`govxl.findings.Finding`, not by the template.
`grep T3-BAL` finds the rule here, in the spec, in its tests and in the docs.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    # --- import of a published report (govxl import) --------------------------------------
    Rule("I-TABLE", "error", "报告中缺少统计表", "Table missing from the report",
         "报告中找不到这张统计表", "this table is not in the report"),
    Rule("I-ROW", "error", "统计表的行没有读全", "Row not read completely",
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
    Rule("I-TOTAL", "error", "报告公布的合计与各项之和不符", "Printed total differs from its parts",
         "“{row}”×“{col}”：报告公布的合计为 {actual}，按各项之和应为 {expected}{detail}",
         "“{row}” × “{col}”: the report prints {actual} as the total, but its parts sum to {expected}{detail}"),
    Rule("I-NA", "info", "不适用的单元格按空白读取", "Not-applicable mark read as blank",
         "“{row}”×“{col}”印作{actual}（不适用），按空白读取，不是 0",
         "“{row}” × “{col}” reads {actual} (not applicable): read as blank, not as 0"),
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
    "more-files": ("等 {n} 份", " and {n} more"),
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
    # a workbook written by govxl import (I-TABLE, I-TOTAL, I-ROW)
    "at-import": ("（导入时）", " (at import)"),
    "formula-sum": ("（工作簿中的公式给出各项之和）", " (the workbook's formula gives the sum of the parts)"),
    "not-in-report": ("（导入时报告中没有这些数）", " (the report had no numbers here at import)"),
    # a published report read by govxl import (I-TITLE, I-NOLABEL, I-ROW, I-CELL, I-SPLIT, I-UNIT, I-TOTAL)
    "names": ("{names}", "{names}"),
    "title-agency": ("机关名称", "agency name"),
    "title-year": ("年度", "year"),
    "why": ("（{why}）", " ({why})"),
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
    "run-together": ("数字连在一起，无法唯一拆分", "the digits ran together and cannot be split uniquely"),
    "after-row": ("（位于“{after}”一行之后，不是官方表格的行）", " (after the row “{after}”; not a row of the official table)"),
    "after-cut": ("（位于“{after}”之后，报告在此处中断）", " (after “{after}”, where the report stops)"),
    "after": ("（位于“{after}”之后）", " (after “{after}”)"),
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
    "as-given": ("{zh}", "{en}"),  # a text made elsewhere in both languages (an error's message)
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


# ------------------------------------------------------------------ why a file could not be read
# The code of a govxl.errors.GovxlError; JSON shows {"error": {"code", "message"}} (R-READ: a reason
# without a code of its own yet).
READ_ERRORS: dict[str, tuple[str, str]] = {
    "R-MISSING": ("找不到文件：{path}", "file not found: {path}"),
    "R-EMPTY": ("文件是空的：{path}", "the file is empty: {path}"),
    "R-CORRUPT": ("文件已损坏或不完整，无法作为 xlsx 打开：{name}", "the file is damaged or incomplete; it cannot be "
                  "opened as an xlsx workbook: {name}"),
    "R-ENCRYPTED": ("文件已加密，请先取消密码再检查", "the file is encrypted: remove its password, then check it"),
    "R-OLDXLS": ("这是旧版 Excel（.xls）文件，请在 Excel 或 WPS 中另存为 .xlsx 后再检查",
                 "this is an old Excel (.xls) file: save it as .xlsx in Excel or WPS, then check it"),
    "R-OLDDOC": ("这是旧版 Word（.doc）文档，不是 Excel 工作簿", "this is an old Word (.doc) document, not a workbook"),
    "R-OLDOFFICE": ("这是旧版 Office 文件，不是 xlsx 工作簿；请另存为 .xlsx 后再检查",
                    "this is an old Office file, not an xlsx workbook: save it as .xlsx, then check it"),
    "R-NOTXLSX": ("不是 xlsx 工作簿：{what}", "not an xlsx workbook: {what_en}"),
    "R-LOCKFILE": ("这是 Office 的临时锁定文件，不是工作簿：{name}", "this is an Office lock file, not a workbook: {name}"),
    "R-BROKENLINK": ("这是一个失效的链接（指向的文件不存在，或链接形成循环）：{path}",
                     "this is a broken link (its target does not exist, or the links form a loop): {path}"),
    "R-FOLDER": ("这是一个文件夹，不是文件：{path}", "this is a folder, not a file: {path}"),
    "R-NOTFILE": ("这不是普通文件（可能是设备或管道）：{path}",
                  "this is not a regular file (perhaps a device or a pipe): {path}"),
    "R-DENIED": ("没有权限读取文件：{path}", "no permission to read the file: {path}"),
    "R-LONGNAME": ("文件名太长：{path}", "the file name is too long: {path}"),
    "R-LINKLOOP": ("符号链接循环：{path}", "the symbolic links form a loop: {path}"),
    "R-IO": ("磁盘读写错误：{path}", "a disk read error: {path}"),
    "R-OSERROR": ("无法读取文件：{path}（{why}）", "cannot read the file: {path} ({why})"),
    "R-XLSB": ("这是 Excel 二进制工作簿（.xlsb），请在 Excel 中另存为 .xlsx 后再检查",
               "this is an Excel binary workbook (.xlsb): save it as .xlsx in Excel, then check it"),
    "R-ODS": ("这是 OpenDocument（.ods）表格，请另存为 .xlsx 后再检查",
              "this is an OpenDocument spreadsheet (.ods): save it as .xlsx, then check it"),
    "R-DOCX": ("这是 Word 文档，不是 Excel 工作簿", "this is a Word document, not an Excel workbook"),
    "R-ZIP": ("这是一个 zip 压缩包，但不是 xlsx 工作簿", "this is a zip archive, but not an xlsx workbook"),
    # A hostile or broken package: refused before it costs more than seconds and a few hundred MB.
    "R-BOMB": ("文件解压后体积异常巨大（疑似“压缩炸弹”），已拒绝读取",
               "the file inflates to an abnormal size (a suspected zip bomb); it was not read"),
    "R-RATIO": ("{what}解压后体积异常巨大（压缩比超过 {ratio} 倍，疑似“压缩炸弹”），已拒绝读取",
                "{what_en} inflates to an abnormal size (compressed more than {ratio} times: a suspected zip bomb); "
                "the file was not read"),
    "R-PARTSIZE": ("{what}过大（解压后 {mb} MB），远超年报工作簿的规模（可能误填充了整行或整列），已拒绝读取",
                   "{what_en} is too large ({mb} MB inflated), far beyond an annual report's workbook (perhaps whole "
                   "rows or columns were filled); the file was not read"),
    "R-INFLATE": ("文件已损坏或不完整（压缩数据无法解开）", "the file is damaged or incomplete (its compressed data cannot be "
                  "unpacked)"),
    "R-ENTRIES": ("文件中的部件数量异常（{n} 个），远超工作簿应有的数量，已拒绝读取",
                  "the file holds an abnormal number of parts ({n}), far more than a workbook has; it was not read"),
    "R-DUPPART": ("文件结构异常：部件 {part} 出现了两次（文件可能被篡改），已拒绝读取",
                  "abnormal file structure: the part {part} is there twice (the file may have been tampered with); "
                  "it was not read"),
    "R-NOPART": ("工作簿缺少部件 {part}，文件可能已损坏", "the workbook lacks its part {part}; the file may be damaged"),
    "R-ELEMENTS": ("{what}的内容多得异常（超过 {limit} 个 XML 元素），远超年报工作簿的规模（可能误填充了整行或整列），已拒绝读取",
                   "{what_en} holds abnormally much (over {limit} XML elements), far beyond an annual report's "
                   "workbook (perhaps whole rows or columns were filled); the file was not read"),
    "R-DTD": ("文件包含不安全的 XML 内容（DTD/实体引用），已拒绝读取",
              "the file holds unsafe XML (a DTD or entity references); it was not read"),
    "R-BADXML": ("文件已损坏：{what}不是有效的 XML", "the file is damaged: {what_en} is not valid XML"),
    "R-SHEETS": ("工作簿中有 {n} 张工作表，远超年报工作簿应有的数量，已拒绝读取",
                 "the workbook has {n} sheets, far more than an annual report's workbook; it was not read"),
    "R-DUPSHEET": ("工作簿中有两张同名的工作表“{name}”，文件可能已损坏或被篡改",
                   "the workbook has two sheets named “{name}”; the file may be damaged or tampered with"),
    "R-NOSHEET": ("工作表“{name}”的内容缺失（部件 {part} 不存在），文件已损坏",
                  "the content of the sheet “{name}” is missing (its part {part} does not exist); the file is damaged"),
    "R-NOTGOVXL": ("不是 govxl 生成的年报工作簿：缺少模板标识", "not a workbook made by govxl: its template identity "
                   "is missing"),
    "R-LAYOUT": ("不是 govxl 生成的年报工作簿：缺少模板标识，且表格版式与 {edition} 版不符（可能插入或删除了行、列）；"
                 "请用 govxl new 重新生成后填写", "not a workbook made by govxl: its template identity is missing and its "
                 "layout differs from edition {edition} (rows or columns inserted or deleted?); regenerate it with govxl new"),
    "R-NEWER": ("模板版本 {version} 比本程序认识的版本（{edition} 版第 {known} 版）新，请升级 govxl",
                "template version {version} is newer than this govxl knows (edition {edition}, version {known}): "
                "upgrade govxl"),
    "R-EDITION": ("未知的格式版本“{edition}”：本程序认识 {known}，请升级 govxl",
                  "unknown edition “{edition}”: this govxl knows {known}; upgrade govxl"),
    "R-EMPTYDIR": ("这是一个文件夹，其中没有 .xlsx 工作簿", "this is a folder without any .xlsx workbook"),
    "R-OPENPYXL": ("文件已损坏或不是 xlsx 工作簿，无法读取：{name}（{kind}）",
                   "the file is damaged or not an xlsx workbook and cannot be read: {name} ({kind})"),
    "R-MEMORY": ("无法读取：文件内容过多，内存不足", "cannot read: too much content for the memory available"),
    "R-UNEXPECTED": ("无法读取：文件结构异常（{detail}）；如确认文件无误，请把此信息报告给 govxl 开发者",
                     "cannot read: unexpected file structure ({detail}); if the file is sound, please report this "
                     "to the govxl developers"),
}

# Why a report that is not a govxl workbook (Word, PDF, .xls, .ods, a web page) could not be read,
# why last year's report could not be, and why the inputs of an aggregate cannot be combined.
# {what} / {what_en}: the kind of document (govxl.importer.documents.KINDS).
READ_ERRORS.update({
    "R-PREVIOUS": ("上年报告 {file} 无法校验：{reason}", "last year's report {file} cannot be checked: {reason}"),
    "R-ISDIR": ("这是一个文件夹，不是文件：{path}", "this is a folder, not a file: {path}"),
    "R-NOTFILE": ("不是普通文件：{path}", "not a regular file: {path}"),
    "R-NOACCESS": ("没有权限读取文件：{path}", "no permission to read the file: {path}"),
    "R-OSERROR": ("无法读取文件：{path}（{why}）", "cannot read the file {path} ({why})"),
    "R-TOOBIG": ("文件太大（{mb} MB），不像是一份年度报告：{name}",
                 "the file is too big ({mb} MB) to be an annual report: {name}"),
    "R-NEEDS": ("读取{what}需要 {package}：pip install {package}", "reading {what_en} needs {package}: "
                "pip install {package}"),
    "R-NOTABLES": ("{where}没有找到年度报告的统计表（表二、表三、表四的标签都不在）；如果表格是图片，无法导入",
                   "no statistics table of an annual report was found in {where_en} (none of the labels of "
                   "tables 2, 3 and 4); tables that are pictures cannot be read"),
    "R-DOC-OLDDOC": ("{name}：这是旧版 Word（.doc）文档，请在 Word 或 WPS 中另存为 .docx 后再检查",
                     "{name}: this is an old Word (.doc) document: save it as .docx in Word or WPS, then check it"),
    "R-DOC-OLDOFFICE": ("{name}：这是旧版 Office 文件，请另存为 .docx 或 .xlsx 后再检查",
                        "{name}: this is an old Office file: save it as .docx or .xlsx, then check it"),
    "R-DOC-NOTKIND": ("{name}：文件内容不是{what}（可能已损坏或是其他类型的文件）",
                      "{name}: the content is not {what_en} (damaged, or another kind of file)"),
    "R-DOC-NOTPDF": ("{name}：文件名是 .pdf，但内容不是 PDF 文件", "{name}: named .pdf, but the content is not a PDF"),
    "R-DOC-NOTXLS": ("{name}：文件名是 .xls，但内容不是{what}", "{name}: named .xls, but the content is not {what_en}"),
    "R-DOC-PARTS": ("{what}中的部件数量异常（{n} 个），已拒绝读取",
                    "{what_en} holds an abnormal number of parts ({n}); refused"),
    "R-DOC-BOMB": ("{what}解压后体积异常巨大（疑似“压缩炸弹”），已拒绝读取",
                   "{what_en} inflates to an abnormal size (a suspected zip bomb); refused"),
    "R-DOC-CORRUPT": ("{name}：{what}已损坏或不完整，无法打开", "{name}: {what_en} is damaged or incomplete and "
                      "cannot be opened"),
    "R-DOC-DTD": ("{name}：文档中含有不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝读取",
                  "{name}: the document holds XML declarations that are not allowed (DOCTYPE/ENTITY); refused"),
    "R-DOC-HUGE": ("{name}：{part}多得异常，远超年度报告的规模，已拒绝读取",
                   "{name}: {part_en} is abnormally large, far beyond an annual report; refused"),
    "R-DOC-UNREADABLE": ("{name}：无法读取这个{what}（文件已损坏或格式不受支持）",
                         "{name}: cannot read {what_en} (damaged, or a format not supported)"),
    "R-DOC-SHEET": ("{name}：无法读取这个{what}的工作表“{sheet}”（文件已损坏）",
                    "{name}: cannot read sheet “{sheet}” of {what_en} (the file is damaged)"),
    "R-PDF-PASSWORD": ("PDF 文件设有打开密码，请先取消密码再检查",
                       "the PDF has an opening password: remove it, then check the file"),
    "R-PDF-CRYPT": ("PDF 文件使用了不支持的加密方式，请先取消密码再检查",
                    "the PDF uses an encryption that is not supported: remove its password, then check it"),
    "R-PDF-DEEP": ("{name}：PDF 文件结构异常（嵌套过深），已拒绝读取",
                   "{name}: the PDF's structure is abnormal (nested too deeply); refused"),
    "R-PDF-BROKEN": ("{name}：PDF 文件已损坏或结构异常，无法读取", "{name}: the PDF is damaged or malformed and "
                     "cannot be read"),
    "R-PDF-LONG": ("PDF 有 {n} 页，不像是一份年度报告（最多读 {most} 页）：{name}",
                   "the PDF has {n} pages, too many for an annual report (at most {most} are read): {name}"),
    "R-PDF-NOPAGES": ("{name}：PDF 文件没有页面", "{name}: the PDF has no pages"),
    "R-PDF-SCAN": ("{name}：PDF 没有文字层（可能是扫描件或图片），无法读取其中的数字；请提供带文字的 PDF、Word 或网页版报告",
                   "{name}: the PDF has no text layer (a scan or a picture), so its numbers cannot be read; "
                   "provide a PDF with text, a Word document or the web page of the report"),
    "R-TEXT-ENCODING": ("{name}：无法识别文字编码（不是 UTF-8 或 GBK 文本），或者不是文本文件",
                        "{name}: the text encoding is not recognised (neither UTF-8 nor GBK), or it is not a text "
                        "file"),
    "R-TEXT-BINARY": ("{name}：{what}", "{name}: {what_en}"),
    # aggregate's inputs that cannot be combined (govxl.errors.InputsError: the headline, then one line each)
    "R-AGG-MIXED": ("输入的报告不是同一版本和年度（应为 {want}{basis}），{n} 份不一致",
                    "the reports are not all of one edition and year (expected {want_en}{basis_en}); {n} differ"),
    "R-AGG-OVERLAP": ("输入中既有汇总报告，又有它已经汇总过的报告，会重复计算；请去掉其中之一",
                      "a summary report is given together with reports it already sums, which would count twice; "
                      "remove one or the other"),
    "R-AGG-EDITION": ("{edition} 版", "edition {edition}"),
    "R-AGG-YEAR": ("{year} 年", "year {year}"),
    "R-AGG-NOYEAR": ("未填写报告年度", "no report year filled in"),
    "R-AGG-INSIDE": ("已汇总了同时输入的《{name}》{more}", "already sums “{name}”{more_en}, also given"),
})


# ------------------------------------------------------------------ why a command cannot do what it was asked
# The code of a govxl.errors.UsageError (or CheckFailedError, SpecError): an impossible argument, an
# output path that cannot be written, inputs that give nothing to do. {path} and the like are data.
USAGE_ERRORS: dict[str, tuple[str, str]] = {
    # an output file (govxl.safefile.prepare_output)
    "U-SUFFIX": ("输出文件名应以 {suffix} 结尾：{path}", "the output file name must end in {suffix}: {path}"),
    "U-OUTISDIR": ("输出路径是一个文件夹：{path}", "the output path is a folder: {path}"),
    "U-OUTDIR": ("输出目录不存在：{path}", "the output folder does not exist: {path}"),
    "U-EXISTS": ("文件已存在：{path}（如需覆盖，请加 --force）", "the file already exists: {path} (add --force to "
                 "overwrite it)"),
    "U-NOWRITE": ("没有权限写入目录：{path}", "no permission to write in the folder: {path}"),
    "U-SAMEFILE": ("输出文件不能与输入文件相同：{path}（会覆盖输入，请换一个文件名）",
                   "the output file cannot be an input file: {path} (it would overwrite the input; choose another "
                   "name)"),
    # check --summary x.csv (govxl.batch.prepare_csv)
    "U-CSV-SUFFIX": ("汇总文件名应以 .csv 结尾：{path}", "the summary file name must end in .csv: {path}"),
    "U-CSV-ISDIR": ("汇总文件路径是一个文件夹：{path}", "the summary file's path is a folder: {path}"),
    "U-CSV-DIR": ("汇总文件的目录不存在：{path}", "the summary file's folder does not exist: {path}"),
    # check --annotate FOLDER (govxl.check_outputs)
    "U-ANNOTATE-FILE": ("--annotate 应为文件夹：{path}", "--annotate must be a folder: {path}"),
    "U-ANNOTATE-PARENT": ("标注副本的上级文件夹不存在：{path}",
                          "the folder that is to hold the marked-up copies' folder does not exist: {path}"),
    "U-ANNOTATE-INSIDE": ("标注副本的文件夹 {folder} 在要读取的文件夹 {inside} 之中：下次再校验时，副本会被当作报告再读一遍；"
                          "请换一个文件夹（或用以 . 开头的隐藏文件夹）",
                          "the folder of the marked-up copies, {folder}, is inside the folder being read, {inside}: "
                          "the next check would read the copies as reports again; choose another folder (or a hidden "
                          "one, whose name starts with .)"),
    "U-ANNOTATE-OVER": ("标注副本 {copy} 会覆盖输入文件 {path}；请换一个文件夹",
                        "the marked-up copy {copy} would overwrite the input file {path}; choose another folder"),
    "U-COPY-WRITE": ("无法写入 {path}：{why}", "cannot write {path}: {why}"),
    # files and folders to read (govxl.files, govxl.crossyear)
    "U-NOTFOUND": ("找不到文件或文件夹：{path}", "file or folder not found: {path}"),
    "U-EMPTYDIR": ("文件夹中没有 .xlsx 工作簿：{path}", "the folder holds no .xlsx workbook: {path}"),
    "U-NOFOLDER": ("找不到文件夹：{path}", "folder not found: {path}"),
    # last year's report (check --previous, new --from)
    "U-PREV-BOTH": ("--previous 与 --previous-dir 只能选一个", "give either --previous or --previous-dir, not both"),
    "U-PREV-MANY": ("--previous 只能用于校验一个文件；校验多个文件时请用 --previous-dir 文件夹",
                    "--previous is for checking one file; to check several, give --previous-dir FOLDER"),
    "U-PREV-SAME": ("上年报告与要校验的是同一个文件：{path}", "last year's report is the very file being checked: {path}"),
    "U-FROM-SAME": ("输出文件不能是上年报告本身：{path}", "the output file cannot be last year's report itself: {path}"),
    "U-FROM-NOYEAR": ("上年报告 {path} 未填写报告年度，请用 --year 指定本年度",
                      "last year's report {path} gives no report year: give this year with --year"),
    "U-FROM-YEAR": ("上年报告 {path} 是 {last} 年的，不能作为 {year} 年报告的上一年",
                    "last year's report {path} is for {last}, so it cannot be the year before {year}"),
    # a new workbook (govxl.writer)
    "U-YEAR": ("年度不合理：{year}", "implausible year: {year}"),
    "U-AGENCY-LONG": ("填报单位名称过长（{n} 个字符，最多 {most} 个）",
                      "the agency name is too long ({n} characters, at most {most})"),
    "U-AGENCY-CHARS": ("填报单位名称含有控制字符或无法识别的字符，请检查后重新输入",
                       "the agency name holds control characters or characters that cannot be recognised; check it "
                       "and enter it again"),
    # formats
    "U-EXPORT-FORMAT": ("不支持的导出格式：{to}（可选 json、csv）", "export format not supported: {to} (json or csv)"),
    "U-RENDER-FORMAT": ("不支持的格式：{to}（可选 {formats}）", "format not supported: {to} (one of {formats})"),
    # render a report (govxl.render, govxl.narrative)
    "U-CHECKFAILED": ("{file} 未通过校验，不能生成报告（如仍要生成，请加 --force）",
                      "{file} fails its check, so no report is made from it (add --force to make it anyway)"),
    "U-NOTITLE": ("工作簿封面没有填写填报单位或报告年度，无法生成报告标题；请在封面填写，或在正文文件第一行写“# 报告标题”",
                  "the workbook's cover gives no agency or no year, so the report has no title: fill them in on the "
                  "cover, or write \"# Title of the report\" as the first line of the text file"),
    "U-NOREPORT": ("{edition} 版的模板（{source}）没有定义报告的章节（[report]），无法生成报告",
                   "the template of edition {edition} ({source}) defines no sections of a report ([report]), so no "
                   "report can be made"),
    "U-TEXT-BIG": ("正文文件太大（超过 2 MB），请检查是否选错了文件：{path}",
                   "the text file is too big (over 2 MB): is it the right file? {path}"),
    "U-TEXT-MISSING": ("找不到正文文件：{path}", "text file not found: {path}"),
    "U-TEXT-ISDIR": ("正文文件是一个文件夹：{path}", "the text file is a folder: {path}"),
    "U-TEXT-OSERROR": ("无法读取正文文件 {path}：{why}", "cannot read the text file {path}: {why}"),
    "U-TEXT-ENCODING": ("正文文件不是 UTF-8 或 GBK 编码的文本：{path}", "the text file is not UTF-8 or GBK text: {path}"),
    "U-TEXT-BINARY": ("正文文件不是文本文件（例如 Word 文档），请另存为 .md 或 .txt：{path}",
                      "the text file is not plain text (a Word document?): save it as .md or .txt: {path}"),
    "U-TEXT-TABLE": ("{where}：“{heading}”由统计表生成，正文文件中不要写这一部分",
                     "{where}: “{heading}” is made from the tables; leave this section out of the text file"),
    "U-TEXT-TWICE": ("{where}：“{heading}”出现了两次", "{where}: “{heading}” is there twice"),
    "U-TEXT-TITLE": ("{where}：以一个 # 开头的报告标题只能写在第一行",
                     "{where}: the report's title (a line starting with one #) can only be the first line"),
    "U-TEXT-HEADING": ("{where}：不认识的部分标题“{heading}”（正文中的部分应为 {wanted}）",
                       "{where}: unknown section heading “{heading}” (the sections of the text are {wanted})"),
    # aggregate and check --children (govxl.aggregate)
    "U-AGG-NOFILES": ("没有找到 .xlsx 工作簿", "no .xlsx workbook found"),
    "U-AGG-UNREADABLE": ("没有一份可以校验的报告：{some}{more}", "not one report can be checked: {some}{more}"),
    "U-AGG-NONE": ("没有可以汇总的报告：{n} 份都未计入", "no report to sum: all {n} were left out"),
    "U-CHILDREN-NOFILES": ("没有找到下级报告（.xlsx 工作簿）", "no child reports (.xlsx workbooks) found"),
    "U-CHILDREN-NONE": ("没有可以比对的下级报告：{n} 份都未计入", "no child report to compare with: all {n} were left "
                        "out"),
    # the edition specs under templates/ (govxl.spec: a SpecError)
    "U-NOTEMPLATES": ("找不到模板目录 templates/（安装不完整？）",
                      "the template folder templates/ is missing (an incomplete installation?)"),
    "U-EDITION": ("未知的格式版本“{edition}”（已知：{known}）", "unknown edition “{edition}” (known: {known})"),
    "U-SPEC-TOML": ("{source}: TOML 语法错误：{why}", "{source}: TOML syntax error: {why}"),
    "U-SPEC-READ": ("{source}: 无法读取：{why}", "{source}: cannot be read: {why}"),
}


def text(table: dict[str, tuple[str, str]], code: str, lang: str, params: dict) -> str:
    """The template of `code` in `table`, in `lang`, filled in with `params` (a Phrase or Join shown in `lang`)."""
    zh, en = table[code]
    return (en if lang == "en" else zh).format(**{k: shown(v, lang) for k, v in params.items()})

