"""Test helper: render an edition's tables the way published reports show them.

Deliberately small and separate from govxl (a `govxl render` may replace the HTML part):
it walks the spec's labels and data cells as a grid and prints them as an HTML table with
rowspan/colspan (plain or Word-generated markup) or as flattened text:

    tab     one cell per line, tab-indented, rows between blank lines; a cell covered by a
            rowspan from above is an empty tab line (as browsers copy tables)
    pipe    one row per line, cells between `|`
    cells   one cell per line, a blank line after every cell
    spaces  one row per line, cells separated by spaces
    glued   one row per line, nothing between the cells (numbers run together)
    bars    one cell per line ending ` |`, an empty cell a bare `|` line, a filler line of pipes
            after every row (a page whose table cells were copied one per line)
    oneline the whole page as one line: labels run together, a row's numbers after its label
            separated by spaces except the last two (run together), prose around the tables
    flipbook  space-separated rows, but the headers of table 四 split over two lines
            (`结果` / `维持`) and its 15 numbers on a line of their own (PDF flip-book text)
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from decimal import Decimal

from govxl.judge.rules import evaluate
from govxl.spec import Edition, Field, Table

STYLES = ("tab", "pipe", "cells", "spaces", "glued", "bars", "oneline", "flipbook")
BLANK_MARK = {"tab": "", "pipe": "", "cells": "/", "spaces": "—", "glued": None, "html": "", "bars": "",
              "oneline": None, "flipbook": "-"}


@dataclass
class GCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str | None = None
    field: Field | None = None


def grid(t: Table) -> dict[int, list[GCell]]:
    """Every cell that starts a (merged) range, by row; uncovered positions become empty cells."""
    cells = [GCell(lb.row, lb.col, lb.last_row - lb.row + 1, lb.last_col - lb.col + 1, text=lb.text) for lb in t.labels]
    for f in t.fields:
        last = f.span[3] if f.span else f.col
        cells.append(GCell(f.row, f.col, 1, last - f.col + 1, field=f))
    covered = {(r, c) for x in cells for r in range(x.row, x.row + x.rowspan) for c in range(x.col, x.col + x.colspan)}
    r0, c0, r1, c1 = t.bounds
    cells += [GCell(r, c, 1, 1, text="") for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) not in covered]
    rows: dict[int, list[GCell]] = {}
    for x in sorted(cells, key=lambda x: (x.row, x.col)):
        rows.setdefault(x.row, []).append(x)
    return rows


def balanced(ed: Edition, inputs: dict) -> dict:
    """Adjust the first left-hand row of every balance (新收) so that the balance holds (T3-BAL);
    where it would go negative, the other left-hand rows (上年结转) become 0 first."""
    out = dict(inputs)
    for t in ed.tables:
        for b in t.balances:
            for col in b.cols:
                first = (t.key, b.left[0], col)
                if ed.field(first).is_total:
                    continue
                values = evaluate(ed, {k: v for k, v in out.items() if v is not None})
                right = sum(values[(t.key, r, col)] for r in b.right)
                others = sum(values[(t.key, r, col)] for r in b.left[1:])
                if right < others:
                    for r in b.left[1:]:
                        out[(t.key, r, col)] = 0
                    others = 0
                out[first] = right - others
    return out


def published(ed: Edition, inputs: dict) -> dict:
    """Every field as a consistent report prints it: inputs as given (None = blank), totals summed."""
    values = evaluate(ed, {k: v for k, v in inputs.items() if v is not None})
    return {f.key: (inputs.get(f.key) if not f.is_total else values[f.key]) for f in ed.fields}


def fmt(v) -> str:
    if isinstance(v, float):
        return format(Decimal(repr(v)).normalize(), "f")
    return str(v)


def row_texts(t: Table, values: dict, blank: str | None, placeholders: bool, mangle=None) -> list[list[tuple[str, bool]]]:
    """The table's rows as lists of (cell text, is a value); placeholders: "" for rowspan-covered positions."""
    g = grid(t)
    starts = {(x.row, x.col): x for xs in g.values() for x in xs}
    out = []
    for r in sorted(g):
        row: list[str] = []
        c0, c1 = t.bounds[1], t.bounds[3]
        for c in range(c0, c1 + 1):
            x = starts.get((r, c))
            if x is None:
                if placeholders and any(y.row < r < y.row + y.rowspan and y.col == c for y in starts.values()):
                    row.append(("", False))
                continue
            if x.field is None:
                row.append((mangle(x.text) if mangle and x.text else x.text, False))
            else:
                v = values.get(x.field.key)
                if v is None:
                    assert blank is not None, "this style cannot show a blank cell"
                    row.append((blank, True))
                else:
                    row.append((fmt(v), True))
        out.append(row)
    return out


def text_report(ed: Edition, values: dict, style: str, agency="测试县人民政府办公室", year=2023, mangle=None,
                glue: set[str] | None = None, skip: set[str] = frozenset()) -> str:
    """A whole report as text: title, prose, each table under its heading, closing prose.
    `glue` (style spaces): row keys whose numbers run together; `skip`: table keys left out."""
    if style == "oneline":
        return oneline_report(ed, values, agency, year)
    lines = [f"{year}年{agency}政府信息公开工作年度报告", "", "一、总体情况",
             f"{year}年，本机关主动公开政府信息 65 条，其中规章 0 件。", ""]
    for t in ed.tables:
        lines.append(t.title)
        lines.append("")
        if t.key in skip:
            lines += ["（本部分无数据。）", ""]
            continue
        rows = row_texts(t, values, BLANK_MARK[style], style in ("tab", "pipe"), mangle)
        glued_rows = {f.row for f in t.fields if glue and f.row_key in glue}
        for r, pairs in zip(sorted(grid(t)), rows):
            cells = [c for c, _ in pairs]
            if style == "tab":
                lines += ["\t" + c for c in cells] + [""]
            elif style == "pipe":
                lines.append("| " + " | ".join(cells) + " |")
            elif style == "cells":
                for c in cells:
                    if c:
                        lines += [c, ""]
            elif style == "spaces":
                if r in glued_rows:
                    lab = [c for c, is_value in pairs if c and not is_value]
                    nums = [c for c, is_value in pairs if is_value]
                    lines.append(" ".join(lab) + " " + "".join(nums))
                else:
                    lines.append(" ".join(c for c in cells if c))
            elif style == "glued":
                lines.append("".join(cells))
            elif style == "bars":
                lines += [f"{c} |" if c else "|" for c in cells] + ["|" * (2 + r % 3)]
            elif style == "flipbook":
                if t.key == "appeals" and not any(v for _, v in pairs) and r > t.bounds[0]:
                    top = [c[:len(c) // 2] if len(c) in (2, 4) else c for c in cells if c]
                    bottom = [c[len(c) // 2:] if len(c) in (2, 4) else "" for c in cells if c]
                    lines += [" ".join(top), " ".join(x for x in bottom if x)]
                else:
                    lines.append(" ".join(c for c in cells if c))
        lines.append("")
    lines += ["五、存在的主要问题及改进情况", "", "工作仍有不足，2024年将继续改进。", "",
              "六、其他需要报告的事项", "", "本年度未收取信息处理费。", ""]
    return "\n".join(lines)


def html_report(ed: Edition, values: dict, agency="测试县人民政府办公室", year=2023, word=False, mangle=None,
                skip: set[str] = frozenset()) -> str:
    """A report page with one <table> per statistics table (rowspan/colspan as in the official format).
    word=True: the markup Word's “save as web page” produces (mso styles, <p><span>, &nbsp;)."""
    title = f"{year}年{agency}政府信息公开工作年度报告"
    out = [f"<html><head><meta charset='utf-8'><title>{title}_测试县人民政府</title>",
           "<style>td{border:1px solid}</style><script>var x = '<td>1</td>';</script></head><body>",
           "<div class='nav'><a href='/'>首页</a> &gt; <a>政务公开</a></div>",
           f"<h1>{title}</h1>", "<p>一、总体情况</p>", f"<p>{year}年，本机关主动公开政府信息65条。</p>"]
    for t in ed.tables:
        out.append(f"<p class=MsoNormal><b><span>{t.title}</span></b></p>" if word else f"<h3>{t.title}</h3>")
        if t.key in skip:
            out.append("<p>（本部分无数据。）</p>")
            continue
        out.append("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
                   "mso-table-layout-alt:fixed;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'>" if word else "<table border='1'>")
        g = grid(t)
        for r in sorted(g):
            out.append("<tr style='mso-yfti-irow:%d;height:20.0pt'>" % r if word else "<tr>")
            for x in g[r]:
                span = (f" rowspan={x.rowspan}" if x.rowspan > 1 else "") + (f" colspan={x.colspan}" if x.colspan > 1 else "")
                if x.field is None:
                    text = mangle(x.text) if mangle and x.text else x.text
                else:
                    v = values.get(x.field.key)
                    text = "" if v is None else fmt(v)
                out.append(f"<td{span}{_td_style(word)}>{_cell_html(text, word)}</td>")
            out.append("</tr>")
        out.append("</table>")
    out += ["<p>五、存在的主要问题及改进情况</p><p>工作仍有不足。</p>",
            "<p>六、其他需要报告的事项</p><p>本年度未收取信息处理费。</p>", "</body></html>"]
    return "\n".join(out)


def _td_style(word: bool) -> str:
    return (" width=64 valign=center style='width:48.0pt;border:solid windowtext 1.0pt;mso-border-alt:solid "
            "windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt'") if word else ""


def _cell_html(text: str, word: bool) -> str:
    if not word:
        return html.escape(text)
    if not text:
        return "<p class=MsoNormal align=center><span lang=EN-US>&nbsp;<o:p></o:p></span></p>"
    # Word splits runs at arbitrary places and wraps long labels into separate paragraphs.
    cut = len(text) // 2
    a, b = html.escape(text[:cut]), html.escape(text[cut:])
    if len(text) > 12:
        return (f"<p class=MsoNormal align=center style='text-align:center'><span style='font-family:宋体'>{a}</span></p>"
                f"<p class=MsoNormal align=center><span style='font-family:宋体;mso-ascii-font-family:Calibri'>{b}"
                "<o:p></o:p></span></p>")
    return (f"<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US style='font-size:10.5pt'>"
            f"{a}</span><span style='font-size:10.5pt;font-family:宋体'>{b}</span><o:p></o:p></p>")


def noisy(seed: int):
    """Label spellings real reports use: ASCII brackets, `．`, spaces from wrapping, known variants."""
    rnd = random.Random(seed)

    def mangle(text: str) -> str:
        if rnd.random() < 0.3:
            text = text.replace("（", "(").replace("）", ")")
        if rnd.random() < 0.2:
            text = text.replace(".", "．", 1)
        if rnd.random() < 0.2 and len(text) > 3:
            i = rnd.randrange(1, len(text) - 1)
            text = text[:i] + " " + text[i:]
        if rnd.random() < 0.5:
            text = text.replace("只计这一情形", "只计这一情况").replace("三类内部事务信息", "三类内容事务信息")
        return text

    return mangle


def oneline_report(ed: Edition, values: dict, agency: str, year: int) -> str:
    """The page as one line (`oneline`): headings, prose and cells run together. The prose names
    the tables' headings too, as real reports do."""
    out = [f"{year}年{agency}政府信息公开工作年度报告 根据《条例》编制，本报告包括总体情况、"
           "三、收到和处理政府信息公开申请情况和四、结转下年度继续办理等内容。一、总体情况"
           f"{year}年，本机关主动公开政府信息65条。"]
    for t in ed.tables:
        out.append(" " + t.title)
        for pairs in row_texts(t, values, None, False):
            labels = "".join(c for c, is_value in pairs if c and not is_value)
            nums = [c for c, is_value in pairs if is_value]
            if len(nums) >= 2:
                nums = nums[:-2] + [nums[-2] + nums[-1]]
            out.append(labels + " ".join(nums))
        out.append("（二）其他情况" + f"{year}年，本机关共受理申请 12 件。")
    out.append("五、存在的主要问题及改进情况工作仍有不足。六、其他需要报告的事项本年度未收取信息处理费。")
    return "".join(out) + "\n"
