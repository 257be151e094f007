"""The free-text file (sections 一, 五, 六) and the rules on it: R-TEXT, R-FEE, R-SECTION."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import NANGUAN_2023, values

from govxl.errors import UsageError
from govxl.judge.rules import evaluate
from govxl.narrative import check_text, cn_int, parse_text, quotes, read_text, title_of
from govxl.spec import edition_ids, load_edition, parse_edition

OK_TAIL = "\n## 五、存在的主要问题及改进情况\n无。\n## 六、其他需要报告的事项\n本年度未收取信息处理费。\n"


@pytest.fixture(scope="module")
def ed():
    return load_edition("2021")


@pytest.fixture(scope="module")
def nanguan(ed):
    """南关区 2023: 新收 10, 办结 10, 予以公开 4, no 复议 or 诉讼."""
    return evaluate(ed, values(ed, NANGUAN_2023))


def findings(ed, numbers, overview: str, tail: str = OK_TAIL):
    return check_text(parse_text("## 一、总体情况\n" + overview + tail, ed), ed, numbers)


# ------------------------------------------------------------------ the spec
@pytest.mark.parametrize("edition", edition_ids())
def test_every_edition_declares_the_report_sections(edition):
    """templates/<edition>.toml has [report]: six sections in official order, the tables among them."""
    ed = load_edition(edition)
    assert ed.report is not None, f"templates/{edition}.toml lacks [report] (title, sections, figures)"
    assert [s.ordinal for s in ed.report.sections] == list("一二三四五六")
    assert [s.heading for s in ed.report.sections if s.table] == [t.title for t in ed.tables]
    assert ed.report.title.format(year=2025, agency="某机关") == "2025年某机关政府信息公开工作年度报告"
    assert {f.name for f in ed.report.figures} >= {"本年新收申请", "本年办结申请", "予以公开", "行政复议", "行政诉讼"}
    assert ("R-FEE" in {m.rule for m in ed.report.mentions}) is (edition == "2021"), "R-FEE is 2021 only"


def test_spec_report_errors_name_the_place(ed):
    text = ed_path(ed).read_text(encoding="utf-8")
    for old, new, reason in [
        ('fields = [["requests", "new", "total"]]', 'fields = [["requests", "new", "nope"]]', "未知的数据单元格"),
        ('patterns = ["办结"]', 'patterns = ["办结("]', "正则表达式有误"),
        ('heading = "二、主动公开政府信息情况"', 'heading = "二、主动公开"', "不一致"),
        ('rule = "R-FEE"', 'rule = "R-NOPE"', "未知的规则编号"),
    ]:
        assert old in text
        with pytest.raises(Exception, match=reason):
            parse_edition(text.replace(old, new), source="x.toml")


def ed_path(ed):
    from govxl.spec import templates_dir

    return templates_dir() / ed.source


# ------------------------------------------------------------------ the text file
def test_parse_text_file(ed):
    t = parse_text("\ufeff# 2023年某办政府信息公开工作年度报告\n前言一\n\n## 一、总体情况\n  甲  \n\n乙\n"
                   "##六、其他需要报告的事项\n丙\n## 五、政府信息公开工作存在的主要问题及改进情况\n丁\n", ed)
    assert t.title == "2023年某办政府信息公开工作年度报告"
    assert t.preamble == ["前言一"]
    assert t.sections == {"overview": ["甲", "乙"], "other": ["丙"], "problems": ["丁"]}, \
        "headings found by their number, whatever their wording; each line a paragraph"
    assert parse_text("## 总体情况\n甲\n", ed).sections == {"overview": ["甲"]}, "or by their name"
    assert title_of(ed, "某机关", 2024, t) == t.title
    assert title_of(ed, "某机关", 2024, parse_text("", ed)) == "2024年某机关政府信息公开工作年度报告"


def test_read_text_encodings(tmp_path, ed):
    text = "## 一、总体情况\n收到申请10件。\n"
    for enc in ("utf-8", "utf-8-sig", "gbk"):
        p = tmp_path / f"{enc}.md"
        p.write_bytes(text.encode(enc))
        assert read_text(p, ed).sections == {"overview": ["收到申请10件。"]}, enc
    p = tmp_path / "x.docx"
    p.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(UsageError) as binary:
        read_text(p, ed)
    assert (binary.value.code, binary.value.params) == ("U-TEXT-BINARY", {"path": str(p)})
    with pytest.raises(UsageError) as missing:
        read_text(tmp_path / "missing.md", ed)
    assert (missing.value.code, missing.value.params) == ("U-TEXT-MISSING", {"path": str(tmp_path / "missing.md")})


# ------------------------------------------------------------------ R-TEXT
def test_R_TEXT_matching_figures_are_silent(ed, nanguan):
    text = ("2023年，全年共收到政府信息公开申请10件，办结10件，其中予以公开4件。"
            "全年未发生政府信息公开行政复议和行政诉讼案件。主动公开政府信息65条，办结率100%。")
    assert findings(ed, nanguan, text) == []


@pytest.mark.parametrize("sentence, figure, said, tables", [
    ("全年共收到政府信息公开申请12件。", "本年新收申请", 12, 10),
    ("本年度新收政府信息公开申请十二件，上年结转0件。", "本年新收申请", 12, 10),
    ("已办结9件。", "本年办结申请", 9, 10),
    ("其中予以公开5件，不予公开0件。", "予以公开", 5, 4),
    ("被申请行政复议1起。", "行政复议", 1, 0),
    ("行政复议、行政诉讼各2件。", "行政诉讼", 2, 0),
    ("新收、办结申请分别为10件、8件。", "本年办结申请", 8, 10),
])
def test_R_TEXT_mismatch_quotes_the_sentence(ed, nanguan, sentence, figure, said, tables):
    fs = [f for f in findings(ed, nanguan, "2023年，我办认真做好公开工作。" + sentence) if f.rule == "R-TEXT"]
    mine = [f for f in fs if f.row_label == figure]
    assert [(f.actual, f.expected, f.severity) for f in mine] == [(said, tables, "warning")]
    assert mine[0].detail == sentence and mine[0].sheet == "一、总体情况"
    assert f"“{sentence}”" in mine[0].message() and str(said) in mine[0].message()


def test_R_TEXT_lawsuits_are_both_kinds(ed, nanguan):
    numbers = dict(nanguan)
    numbers[("appeals", "cases", "direct_suit.total")] = 2
    numbers[("appeals", "cases", "suit_after_review.total")] = 1
    assert findings(ed, numbers, "被提起行政诉讼3件。") == []
    fs = findings(ed, numbers, "全年无政府信息公开行政诉讼。")
    assert [(f.row_label, f.actual, f.expected) for f in fs] == [("行政诉讼", 0, 3)]


def test_R_TEXT_skips_unusable_table_values(ed, nanguan):
    numbers = {**nanguan, ("requests", "new", "total"): None}
    assert findings(ed, numbers, "收到申请12件。") == []


def test_R_TEXT_ignores_other_numbers(ed, nanguan):
    text = ("把办结工作作为一项重要内容，按时办结率100%。2023年1月1日至12月31日。"
            "收到网民留言120条。主动公开政府信息65条。")
    assert findings(ed, nanguan, text) == []


def test_cn_int():
    assert [cn_int(s) for s in ["十", "十二", "二十", "一百零五", "两", "三万二千", "1,200", "〇"]] == \
        [10, 12, 20, 105, 2, 32000, 1200, 0]


# ------------------------------------------------------------------ R-FEE, R-SECTION
@pytest.mark.parametrize("other, fires", [
    ("本年度未收取信息处理费。", False),
    ("根据《政府信息公开信息处理费管理办法》，未收取费用。", False),
    ("无。", True),
    ("（文字描述，收取信息处理费情况在此处报告。）", True),
])
def test_R_FEE(ed, nanguan, other, fires):
    tail = f"\n## 五、存在的主要问题及改进情况\n无。\n## 六、其他需要报告的事项\n{other}\n"
    rules = [f.rule for f in findings(ed, nanguan, "甲。", tail)]
    assert rules == (["R-FEE"] if fires else [])


def test_R_SECTION_and_R_FEE_when_sections_are_missing(ed, nanguan):
    fs = check_text(parse_text("## 一、总体情况\n甲。\n## 五、存在的主要问题及改进情况\n", ed), ed, nanguan)
    assert [(f.rule, f.expected) for f in fs] == [("R-SECTION", "五、存在的主要问题及改进情况"),
                                                  ("R-SECTION", "六、其他需要报告的事项"), ("R-FEE", None)]
    assert all(f.severity == "warning" for f in fs)


# ------------------------------------------------------------------ the shipped example text
EXAMPLE_TEXT = Path(__file__).resolve().parent.parent / "docs" / "example" / "nanguan-2023-text.md"


def test_example_text_quotes_every_figure_and_agrees(ed, nanguan):
    """docs/example/nanguan-2023-text.md (written for govxl, not a real report's prose) exercises
    R-TEXT on every figure section 一 may quote, and R-FEE: it passes against the 南关区 figures,
    and fails once a quoted number or the fee sentence is changed."""
    source = EXAMPLE_TEXT.read_text(encoding="utf-8")
    text = parse_text(source, ed)
    figures = tuple(f for f in ed.report.figures if f.section == "overview")
    quoted = {q.figure.name: q.number for q in quotes(text.sections["overview"], figures)}
    assert quoted == {"本年新收申请": 10, "本年办结申请": 10, "予以公开": 4, "行政复议": 0, "行政诉讼": 0}
    assert check_text(text, ed, nanguan) == []
    wrong = parse_text(source.replace("予以公开4件", "予以公开5件"), ed)
    assert [(f.rule, f.row_label, f.expected, f.actual) for f in check_text(wrong, ed, nanguan)] == [
        ("R-TEXT", "予以公开", 4, 5)]
    no_fee = parse_text(source.replace("未收取信息处理费", "未收取费用"), ed)
    assert [f.rule for f in check_text(no_fee, ed, nanguan)] == ["R-FEE"]
