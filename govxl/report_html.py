"""`govxl check --report FILE.html`: one self-contained page for all checked files.

A summary table (one row per file: verdict, counts, links), then for each file its findings and
each official table drawn on the grid every renderer uses (govxl/render/grid.py), the cells a
finding names marked with its code (``data-codes``) and the messages beside the table. Inline
CSS, no script, no network; printable on A4 with each file on new pages. All text is escaped.

A file's part is made where the file was checked (:func:`section`, in a worker); the page is
put together by :class:`HtmlReport`, which keeps only the summary rows in memory and spools the
parts to a temporary file, writing the page atomically when the batch is over.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from html import escape
from pathlib import Path

from .annotate import NOT_COPIED, marks_of, severity_word, worst
from .findings import Report
from .numbers import show
from .spec import load_edition, load_outputs
from .version import __version__

CSS = """
@page { size: A4; margin: 15mm 12mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "宋体", "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-size: 10.5pt; line-height: 1.5; color: #000; background: #fff; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 0.8em; }
h2 { font-size: 13pt; margin: 0 0 0.3em; word-break: break-all; }
h3 { font-size: 11pt; margin: 1em 0 0.3em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.75pt solid #000; padding: 2pt 3pt; vertical-align: middle; }
table.summary td, table.findings td { text-align: left; word-break: break-all; }
table.summary td.n { text-align: right; }
table.summary th, table.summary td.n, table.summary td.verdict, td.nowrap { white-space: nowrap; word-break: normal; }
.verdict.passed { color: #2E7D32; font-weight: bold; }
.verdict.not_verified { color: #B26A00; font-weight: bold; }
.verdict.failed, .verdict.unreadable { color: #C00000; font-weight: bold; }
table.official { table-layout: fixed; font-size: 8pt; line-height: 1.3; }
table.official th, table.official td { text-align: center; font-weight: normal; word-break: break-all; }
table.official td.value { font-variant-numeric: tabular-nums; background: #FFFDF3; }
table.official td.total { background: #F2F2F2; }
table.official td.mark { font-weight: bold; outline: 2pt solid #C00000; outline-offset: -2pt; }
table.official td.unknown { background: repeating-linear-gradient(45deg, #EEE, #EEE 4px, #FFF 4px, #FFF 8px); }
sup.code { font-size: 6.5pt; font-weight: normal; color: #7A0000; white-space: nowrap; }
td.sev { font-weight: bold; white-space: nowrap; }
ol.notes { margin: 0.3em 0 0.8em 1.5em; padding: 0; font-size: 9.5pt; }
span.code { font-family: monospace; font-weight: bold; white-space: nowrap; }
p.note { color: #C00000; }
section.file { break-before: page; page-break-before: always; }
table, tr { break-inside: avoid; page-break-inside: avoid; }
@media print { main { max-width: none; padding: 0; } a { color: inherit; } }
"""


def texts(lang: str) -> dict:
    out = load_outputs()["report"]
    return {**out, **out["en" if lang == "en" else "zh"]}


def fill_styles(t: dict) -> str:
    return "".join(f"td.mark.{s}, td.sev.{s} {{ background: {c} !important; }}\n" for s, c in t["fills"].items())


def anchor(index: int, sheet_key: str = "", cell: str = "") -> str:
    return f"f{index}" + (f"-{sheet_key}-{cell}" if sheet_key else "")


def section(report: Report, lang: str = "zh", strict: bool = False, copy_href: str | None = None,
            index: int = 0) -> str:
    """The part of the page for one checked workbook (without its heading, added by HtmlReport)."""
    from .catalogue import say
    from .export import usable_values
    from .render.grid import grid
    from .render.html import table_html

    t = texts(lang)
    ed = load_edition(report.edition)
    values = usable_values(report, ed)
    present = {f.sheet for f in report.findings if f.rule in ("S-LAYOUT", "S-SHEET")}
    empty = {f.sheet for f in report.findings if f.rule == "V-EMPTY"}
    unfilled = blank_cells(report)
    blanks = [f for tb in ed.tables if tb.sheet not in present | empty for f in tb.inputs
              if (f.sheet, f.row, f.col) in unfilled]
    marks = marks_of(report, ed, blanks)
    sheet_key = {tb.sheet: tb.key for tb in ed.tables}
    ok = report.ok(strict)
    out = []
    about = " · ".join(escape(str(x)) for x in (report.agency, report.year, report.edition) if x not in (None, ""))
    out.append(f'<p class="about">{about} · <span class="verdict {report.verdict if ok else "failed"}">'
               f"{escape(report.verdict_line(lang, strict))}</span>"
               + (f' · <a href="{escape(copy_href)}">{escape(t["copy"])}</a>' if copy_href else "") + "</p>")
    out.append(f'<h3>{escape(t["findings"])}</h3>')
    if not report.findings:
        out.append(f'<p>{escape(t["none"])}</p>')
    else:
        out.append('<table class="findings"><tr>' + "".join(f"<th>{escape(h)}</th>" for h in t["finding_headers"])
                   + "</tr>")
        for f in report.findings:
            where = escape(f.location or "—")
            first = f.cell.split(",")[0].split(":")[0].strip()
            if f.sheet in sheet_key and f.sheet not in present and f.rule not in NOT_COPIED and first:
                where = f'<a href="#{anchor(index, sheet_key[f.sheet], first)}">{where}</a>'
            out.append(f'<tr class="{f.severity}"><td class="sev {f.severity}">{escape(severity_word(f.severity, lang))}'
                       f'</td><td><span class="code">{escape(f.rule)}</span></td><td>{where}</td>'
                       f"<td>{escape(f.message(lang))}</td></tr>")
        out.append("</table>")
    colon = ": " if lang == "en" else "："
    if report.unverified:  # the rules that could not be verified, and the cells that stopped them
        out.append(f'<h3>{escape(say("not-verified-head", lang, {}))}</h3><ul class="unverified">' + "".join(
            f'<li><span class="code">{escape(u.rule)}</span> {escape(u.cells)}{colon}{escape(u.message(lang))}</li>'
            for u in report.unverified) + "</ul>")
    for tb in ed.tables:
        out.append(f'<h3>{escape(tb.title)}</h3>')
        if tb.sheet in present:
            rule = next(f.rule for f in report.findings if f.sheet == tb.sheet and f.rule in ("S-LAYOUT", "S-SHEET"))
            out.append(f'<p class="note">{escape(t["layout"] if rule == "S-LAYOUT" else t["missing"])}</p>')
            continue
        notes: dict[int, object] = {}

        def value_cell(c, span: str, tb=tb, notes=notes) -> str:
            f = c.field
            found = marks.get((f.sheet, f.row, f.col), [])
            cls = "value" + (" total" if f.is_total else "")
            extra = ""
            typed = next((x.shown("actual", lang) for x in found if x.rule in ("V-INT", "V-AMT")), None)
            if (f.sheet, f.row, f.col) in unfilled:
                c = type(c)(**{**c.__dict__, "text": t["blank"]})  # counted as 0, but nothing was typed
            elif typed is not None and not c.text:
                c = type(c)(**{**c.__dict__, "text": str(show(typed))})  # the value typed, not a number
            state = report.states.get(f.key)
            if state in ("unknown", "in_sum") and not found:  # not read / only its sum printed (govxl.judge)
                cls += " unknown"
                why = say({"unknown": "state-unknown", "in_sum": "state-in_sum"}[state], lang, {})
                extra = f' data-state="{state}" title="{escape(why)}"'
            if found:
                cls += f" mark {worst(found)}"
                codes = []
                for x in found:
                    notes.setdefault(id(x), x)
                    if x.rule not in codes:
                        codes.append(x.rule)
                extra = (f' data-codes="{escape(" ".join(codes))}" title="'
                         + escape("\n".join(f"{x.rule}: {x.message(lang)}" for x in found)) + '"')
                body = escape(c.text) + "".join(f'<sup class="code">{escape(code)}</sup>' for code in codes)
            else:
                body = escape(c.text)
            return (f'<td class="{cls}" id="{anchor(index, tb.key, f.cell)}" data-cell="{f.cell}"'
                    f"{extra}{span}>{body}</td>")

        out.append(table_html(tb, grid(tb, values), f' data-sheet="{escape(tb.sheet)}"', value_cell))
        if notes:
            out.append('<ol class="notes">' + "".join(
                f'<li><span class="code">{escape(x.rule)}</span> {escape(x.cell)}{colon}{escape(x.message(lang))}</li>'
                for x in notes.values()) + "</ol>")
    return "\n".join(out)


def blank_cells(report: Report) -> set[tuple[str, int, int]]:
    """(sheet, row, col) of every input cell left blank: the cells the V-BLANK finding names."""
    from .a1 import parse_cell, parse_range

    out: set[tuple[str, int, int]] = set()
    for f in report.findings:
        if f.rule != "V-BLANK":
            continue
        for item in getattr(dict(f.params).get("cells"), "items", ()):
            sheet, _, ref = str(item).rpartition("!")
            for part in filter(None, ref.split(",")):
                r1, c1, r2, c2 = parse_range(part) if ":" in part else (*parse_cell(part), *parse_cell(part))
                out |= {(sheet, r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return out


class HtmlReport:
    """The page, put together as the results come: summary rows in memory, parts spooled."""

    def __init__(self, path: Path, lang: str = "zh") -> None:
        self.path, self.lang = path, lang
        self.t = texts(lang)
        self.rows: list[str] = []
        self._parts = tempfile.TemporaryFile(mode="w+", encoding="utf-8")

    def add(self, path: str | os.PathLike, error, row, part: str | None, copy_href: str | None) -> None:
        """One file: `row` is its batch.Row (verdict and counts), `part` what section() made,
        `error` why it could not be checked (or None)."""
        from .batch import VERDICTS

        i = len(self.rows) + 1
        links = [f'<a href="#{anchor(i)}">{escape(self.t["details"])}</a>']
        if copy_href:
            links.append(f'<a href="{escape(copy_href)}">{escape(self.t["copy"])}</a>')
        cells = row.cells(self.lang)[:8]
        nowrap = ' class="nowrap"'
        tds = [f"<td{nowrap if j >= 2 else ''}>{escape(str(v))}</td>" for j, v in enumerate(cells[:4])]
        tds.append(f'<td class="verdict {row.status}">{escape(VERDICTS[self.lang][row.status])}</td>')
        tds += [f'<td class="n">{escape(str(v))}</td>' for v in cells[5:8]]
        tds.append('<td class="nowrap">' + " · ".join(links) + "</td>")
        self.rows.append("<tr>" + "".join(tds) + "</tr>")
        colon = ": " if self.lang == "en" else "："
        body = part if part is not None else \
            f'<p class="note">{escape(self.t["unreadable"])}{colon}{escape(row.reason)}</p>'
        self._parts.write(f'<section class="file" id="{anchor(i)}">\n<h2>{i}. {escape(str(path))}</h2>\n{body}\n'
                          "</section>\n")

    def close(self) -> None:
        self._parts.close()

    def finish(self, totals) -> Path:
        """Write the page (atomically, replacing an older one); returns its path."""
        from .safefile import atomic_write

        t = self.t
        head = [
            "<!DOCTYPE html>", f'<html lang="{"en" if self.lang == "en" else "zh-CN"}">', "<head>",
            '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="govxl {escape(__version__)}">',
            f"<title>{escape(t['title'])}</title>", f"<style>{CSS}{fill_styles(t)}</style>", "</head>", "<body>", "<main>",
            f"<h1>{escape(t['title'])}</h1>",
            f"<p>{escape(t['totals'].format(**totals.to_dict()))}</p>",
            '<table class="summary"><thead><tr>' + "".join(f"<th>{escape(h)}</th>" for h in t["headers"])
            + "</tr></thead><tbody>",
            *self.rows, "</tbody></table>",
        ]

        def write(tmp: str) -> None:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write("\n".join(head) + "\n")
                self._parts.seek(0)
                shutil.copyfileobj(self._parts, fh)
                fh.write("</main>\n</body>\n</html>\n")

        atomic_write(self.path, write)
        return self.path
