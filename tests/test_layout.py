"""The generated workbook reproduces the official tables: every label and merge, checked against
strings typed here from the official tables (国办公开办函〔2021〕30号, 〔2019〕60号; see docs/format.md),
independently of templates/, read back with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest

import govxl
from govxl.spec import edition_ids, load_edition, parse_range, range_name

# Table-relative positions (the table's top-left cell is A1), as in the official tables (docs/format.md).
T2_2021 = {
    "A1:D1": "第二十条第（一）项", "A2": "信息内容", "B2": "本年制发件数", "C2": "本年废止件数", "D2": "现行有效件数",
    "A3": "规章", "A4": "行政规范性文件",
    "A5:D5": "第二十条第（五）项", "A6": "信息内容", "B6:D6": "本年处理决定数量", "A7": "行政许可",
    "A8:D8": "第二十条第（六）项", "A9": "信息内容", "B9:D9": "本年处理决定数量", "A10": "行政处罚", "A11": "行政强制",
    "A12:D12": "第二十条第（八）项", "A13": "信息内容", "B13:D13": "本年收费金额（单位：万元）", "A14": "行政事业性收费",
}
T2_2021_INPUT_MERGES = ["B7:D7", "B10:D10", "B11:D11", "B14:D14"]

T3_HEADER = {
    "A1:C3": "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "D1:J1": "申请人情况", "D2:D3": "自然人", "E2:I2": "法人或其他组织", "J2:J3": "总计",
    "E3": "商业企业", "F3": "科研机构", "G3": "社会公益组织", "H3": "法律服务机构", "I3": "其他",
}
T3_2021 = {
    **T3_HEADER,
    "A4:C4": "一、本年新收政府信息公开申请数量",
    "A5:C5": "二、上年结转政府信息公开申请数量",
    "A6:A27": "三、本年度办理结果",
    "B6:C6": "（一）予以公开",
    "B7:C7": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "B8:B15": "（三）不予公开",
    "C8": "1.属于国家秘密", "C9": "2.其他法律行政法规禁止公开", "C10": "3.危及“三安全一稳定”",
    "C11": "4.保护第三方合法权益", "C12": "5.属于三类内部事务信息", "C13": "6.属于四类过程性信息",
    "C14": "7.属于行政执法案卷", "C15": "8.属于行政查询事项",
    "B16:B18": "（四）无法提供",
    "C16": "1.本机关不掌握相关政府信息", "C17": "2.没有现成信息需要另行制作", "C18": "3.补正后申请内容仍不明确",
    "B19:B23": "（五）不予处理",
    "C19": "1.信访举报投诉类申请", "C20": "2.重复申请", "C21": "3.要求提供公开出版物",
    "C22": "4.无正当理由大量反复申请", "C23": "5.要求行政机关确认或重新出具已获取信息",
    "B24:B26": "（六）其他处理",
    "C24": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "C25": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "C26": "3.其他",
    "B27:C27": "（七）总计",
    "A28:C28": "四、结转下年度继续办理",
}
T4 = {
    "A1:E1": "行政复议", "F1:O1": "行政诉讼",
    "A2:A3": "结果维持", "B2:B3": "结果纠正", "C2:C3": "其他结果", "D2:D3": "尚未审结", "E2:E3": "总计",
    "F2:J2": "未经复议直接起诉", "K2:O2": "复议后起诉",
    **{f"{c}3": t for c, t in zip("FGHIJ", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])},
    **{f"{c}3": t for c, t in zip("KLMNO", ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"])},
}

# 2019 (trial) edition: what differs from 2021 (docs/format.md, "The 2019 trial edition").
T2_2019 = {
    "A1:D1": "第二十条第（一）项", "A2": "信息内容", "B2": "本年新制作数量", "C2": "本年新公开数量", "D2": "对外公开总数量",
    "A3": "规章", "A4": "规范性文件",
    "A5:D5": "第二十条第（五）项",
    "A6": "信息内容", "B6": "上一年项目数量", "C6": "本年增/减", "D6": "处理决定数量",
    "A7": "行政许可", "A8": "其他对外管理服务事项",
    "A9:D9": "第二十条第（六）项",
    "A10": "信息内容", "B10": "上一年项目数量", "C10": "本年增/减", "D10": "处理决定数量",
    "A11": "行政处罚", "A12": "行政强制",
    "A13:D13": "第二十条第（八）项",
    "A14": "信息内容", "B14": "上一年项目数量", "C14:D14": "本年增/减",
    "A15": "行政事业性收费",
    "A16:D16": "第二十条第（九）项",
    "A17": "信息内容", "B17": "采购项目数量", "C17:D17": "采购总金额",
    "A18": "政府集中采购",
}
T2_2019_INPUT_MERGES = ["C15:D15", "C18:D18"]
# Table 三 is "identical except that （六）其他处理 is one row": the 2021 labels of rows 1–23, then
# the 2019 tail.
T3_2019 = {
    **{ref: text for ref, text in T3_2021.items() if parse_range(ref)[0] < 23 and ref != "A6:A27"},
    "A6:A25": "三、本年度办理结果",
    "B24:C24": "（六）其他处理",
    "B25:C25": "（七）总计",
    "A26:C26": "四、结转下年度继续办理",
}

EXPECTED = {
    "2021": [
        ("二、主动公开政府信息情况", T2_2021, T2_2021_INPUT_MERGES),
        ("三、收到和处理政府信息公开申请情况", T3_2021, []),
        ("四、政府信息公开行政复议、行政诉讼情况", T4, []),
    ],
    "2019": [
        ("二、主动公开政府信息情况", T2_2019, T2_2019_INPUT_MERGES),
        ("三、收到和处理政府信息公开申请情况", T3_2019, []),
        ("四、政府信息公开行政复议、行政诉讼情况", T4, []),
    ],
}


def test_every_shipped_edition_has_expected_labels():
    assert sorted(EXPECTED) == sorted(edition_ids())



def shift(ref: str, origin: tuple[int, int]) -> str:
    r1, c1, r2, c2 = parse_range(ref)
    return range_name(r1 + origin[0], c1 + origin[1], r2 + origin[0], c2 + origin[1])


@pytest.mark.parametrize("edition", sorted(EXPECTED))
def test_every_official_label_and_merge(tmp_path, edition):
    ed = load_edition(edition)
    path = govxl.new(tmp_path / "a.xlsx", edition=edition)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[1:] == [sheet for sheet, _, _ in EXPECTED[edition]], "official order"
    for (sheet, labels, input_merges), table in zip(EXPECTED[edition], ed.tables, strict=True):
        ws = wb[sheet]
        origin = table.origin
        for ref, text in labels.items():
            top_left = shift(ref, origin).split(":")[0]
            assert ws[top_left].value == text, f"{sheet}!{top_left}"
        r1, c1, r2, c2 = table.bounds
        merges = {str(m) for m in ws.merged_cells.ranges
                  if m.min_row - 1 >= r1 and m.max_row - 1 <= r2 and m.min_col - 1 >= c1 and m.max_col - 1 <= c2}
        expected = {shift(ref, origin) for ref in list(labels) + input_merges if ":" in ref}
        assert merges == expected, sheet


@pytest.mark.parametrize("edition", sorted(EXPECTED))
def test_no_other_text_inside_the_tables(tmp_path, edition):
    """Nothing but the official labels (and numbers) inside a table's grid."""
    ed = load_edition(edition)
    wb = openpyxl.load_workbook(govxl.new(tmp_path / "a.xlsx", edition=edition))
    for (sheet, labels, _), table in zip(EXPECTED[edition], ed.tables, strict=True):
        ws = wb[sheet]
        want = {shift(ref, table.origin).split(":")[0]: text for ref, text in labels.items()}
        r1, c1, r2, c2 = table.bounds
        for row in ws.iter_rows(min_row=r1 + 1, max_row=r2 + 1, min_col=c1 + 1, max_col=c2 + 1):
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    assert want.get(cell.coordinate) == cell.value, f"{sheet}!{cell.coordinate}"
