"""The report's free text (sections 一, 五, 六) and what it must agree with (R-TEXT, R-FEE).

The text file a clerk writes (``govxl render --text 正文.md``)::

    # 报告标题                (optional; first line only; replaces the generated title)
    前言段落……                (optional; before the first section)
    ## 一、……                 (a free-text section's heading, as in the edition spec)
    每一个非空行是一个段落。
    ## 五、……
    ……
    ## 六、……
    ……

Headings are matched by their number (``一、`` … ``六、``) or their name, so a variant wording
still lands in the right place; the report always prints the official heading. Sections 二–四
are the tables and may not appear in the text. Which figures a sentence may quote, and which
table cells they must equal, is declared in the edition spec (``[[report.figures]]``); this
module only knows how numbers are written in Chinese prose.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .catalogue import Join, Phrase, phrase
from .errors import UsageError
from .judge.rules import Key
from .numbers import plain
from .report.findings import Finding
from .spec import Edition, Figure, ReportLayout

MAX_TEXT = 2 * 1024 * 1024  # a report's text is a few pages; anything bigger is the wrong file


@dataclass
class Narrative:
    """Parsed free text: an optional title, a preamble, paragraphs per section key."""

    title: str | None = None
    preamble: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=dict)


def layout_of(edition: Edition) -> ReportLayout:
    if edition.report is None:
        raise UsageError(code="U-NOREPORT", edition=edition.id, source=edition.source)
    return edition.report


# ------------------------------------------------------------------ reading
def read_text(path: str | os.PathLike, edition: Edition) -> Narrative:
    """Read a text file (UTF-8, with or without BOM; GB18030/GBK as saved by Windows Notepad)."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_TEXT:
            raise UsageError(code="U-TEXT-BIG", path=str(p))
        data = p.read_bytes()
    except FileNotFoundError:
        raise UsageError(code="U-TEXT-MISSING", path=str(p)) from None
    except IsADirectoryError:
        raise UsageError(code="U-TEXT-ISDIR", path=str(p)) from None
    except OSError as exc:
        raise UsageError(code="U-TEXT-OSERROR", path=str(p), why=str(exc.strerror or exc)) from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise UsageError(code="U-TEXT-ENCODING", path=str(p))
    if "\x00" in text:
        raise UsageError(code="U-TEXT-BINARY", path=str(p))
    return parse_text(text, edition, source=p.name)


def parse_text(text: str, edition: Edition, source: str | None = None) -> Narrative:
    layout = layout_of(edition)
    out = Narrative()
    current: str | None = None
    seen_content = False
    for n, raw in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        where = phrase("text-line", source=phrase("the-text") if source is None else source, line=n)
        if line.startswith("##") and not line.startswith("###"):
            sec = _section_for(line[2:].strip(), layout, where)
            if sec.table is not None:
                raise UsageError(code="U-TEXT-TABLE", where=where, heading=sec.heading)
            if sec.key in out.sections:
                raise UsageError(code="U-TEXT-TWICE", where=where, heading=sec.heading)
            out.sections[sec.key] = []
            current = sec.key
        elif line.startswith("#") and not line.startswith("##"):
            if seen_content:
                raise UsageError(code="U-TEXT-TITLE", where=where)
            out.title = line[1:].strip() or None
        elif current is None:
            out.preamble.append(line)
        else:
            out.sections[current].append(line)
        seen_content = True
    return out


def _section_for(heading: str, layout: ReportLayout, where: Phrase):
    ordinal, sep, name = heading.partition("、")
    for sec in layout.sections:
        if sep and ordinal.strip() == sec.ordinal:
            return sec
    name = _squash(name if sep else heading)
    for sec in layout.sections:
        if name and name == _squash(sec.heading.partition("、")[2]):
            return sec
    wanted = Join(tuple(f"“{s.heading}”" for s in layout.sections if s.table is None))
    raise UsageError(code="U-TEXT-HEADING", where=where, heading=heading, wanted=wanted)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def title_lines(edition: Edition, agency: str | None, year: int | None, text: Narrative | None = None) -> list[str]:
    """The report title in the pieces where a long one should break: `YYYY年<机关名称>` and
    `政府信息公开工作年度报告` (the spec's title split after the agency); a text file's own
    `# 标题` is one piece. Empty when neither is known."""
    if text is not None and text.title:
        return [text.title]
    if not agency or not year:
        return []
    template = layout_of(edition).title
    cut = template.find("{agency}")
    pieces = [template[: cut + 8], template[cut + 8:]] if cut >= 0 else [template]
    return [p.format(year=year, agency=agency) for p in pieces if p]


def title_of(edition: Edition, agency: str | None, year: int | None, text: Narrative | None = None) -> str | None:
    """`YYYY年<机关名称>政府信息公开工作年度报告`, or the text file's own `# 标题`."""
    return "".join(title_lines(edition, agency, year, text)) or None


# ------------------------------------------------------------------ numbers in prose
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# A count in prose is a number followed by a counting word (件, 起 …), or a number after 为/是
# (“新收申请数量为10”). Percentages, years and dates never qualify.
_NUMBER = re.compile(r"(\d+(?:,\d{3})*|[零〇一二两三四五六七八九十百千万]+)(件|起|宗|例|条)?")
_SPREAD = ("各", "均", "都")
_IN_TURN = ("分别为", "分别是", "分别")
_NEGATIONS = ("未发生", "没有发生", "未出现", "未收到", "未有", "没有")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_CLAUSE = re.compile(r"[：:；;。！？!?]|(?<!\d),|,(?!\d{3}(?!\d))")  # after NFKC, ， is ,


def cn_int(s: str) -> int:
    """'十二' -> 12, '一百零五' -> 105, '两' -> 2, '3' -> 3."""
    if s.isdigit() or "," in s:
        return int(s.replace(",", ""))
    total = section = digit = 0
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            total += (section + digit) * 10000
            section = digit = 0
        else:
            section += (digit or 1) * _CN_UNITS[ch]
            digit = 0
    return total + section + digit


@dataclass(frozen=True)
class Quote:
    """A figure the text states: which figure, the number, and the sentence that says it."""

    figure: Figure
    number: int
    sentence: str


def quotes(paragraphs: list[str], figures: tuple[Figure, ...]) -> list[Quote]:
    out: list[Quote] = []
    for para in paragraphs:
        for m in _SENTENCE.finditer(para):
            sentence = m.group(0).strip()
            norm = _squash(sentence)
            for clause in _CLAUSE.split(norm):
                for fig, n in _bind(clause, figures):
                    q = Quote(fig, n, _shorten(sentence, clause))
                    if q not in out:
                        out.append(q)
    return out


def _shorten(sentence: str, clause: str, limit: int = 80) -> str:
    return sentence if len(sentence) <= limit else (clause if len(clause) <= limit else clause[: limit - 1] + "…")


def _bind(clause: str, figures: tuple[Figure, ...]) -> list[tuple[Figure, int]]:
    """Each number binds to the nearest figure phrase before it; after 各/均 to all phrases waiting,
    after 分别为 to the waiting phrases in turn."""
    events: list[tuple[int, int, object]] = []
    for fig in figures:
        starts = sorted({m.start() for p in fig.patterns for m in re.finditer(p, clause)})
        events += [(s, 0, fig) for s in starts[:1]]
    for m in _NUMBER.finditer(clause):
        lead = clause[: m.start()]
        if m.group(2) or (m.group(1)[0].isdigit() and lead.endswith(("为", "是"))):
            events.append((m.start(), 1, (cn_int(m.group(1)), lead)))
    events.sort(key=lambda e: (e[0], e[1]))
    pending: list[tuple[int, Figure]] = []
    bound: dict[str, tuple[Figure, int]] = {}
    in_turn = False
    for pos, is_number, what in events:
        if not is_number:
            pending.append((pos, what))  # type: ignore[arg-type]
            continue
        n, lead = what  # type: ignore[misc]
        if not pending:
            continue
        in_turn = in_turn or lead.endswith(_IN_TURN)
        if in_turn:
            targets, pending = pending[:1], pending[1:]
        elif lead.endswith(_SPREAD):
            targets, pending = pending, []
        else:
            targets, pending = pending[-1:], []
        for _, fig in targets:
            bound.setdefault(fig.name, (fig, n))
    # “未发生行政复议、行政诉讼案件”, “全年无行政复议”: the figures left waiting are 0.
    waiting = [(pos, fig) for pos, fig in pending if fig.none_means_zero and fig.name not in bound]
    if waiting and (any(w in clause for w in _NEGATIONS) or "无" in clause[max(0, waiting[0][0] - 11): waiting[0][0]]):
        for _, fig in waiting:
            bound[fig.name] = (fig, 0)
    return list(bound.values())


# ------------------------------------------------------------------ the rules
def check_text(text: Narrative, edition: Edition, values: Mapping[Key, float | None]) -> list[Finding]:
    """R-SECTION for an empty free-text section, R-TEXT for each quoted figure the tables
    contradict, and each mention rule (R-FEE) of the edition."""
    layout = layout_of(edition)
    findings: list[Finding] = []
    for sec in layout.sections:
        if sec.table is None and not text.sections.get(sec.key):
            findings.append(Finding.of("R-SECTION", sheet=sec.heading, expected=sec.heading))
    for sec in layout.sections:
        figures = tuple(f for f in layout.figures if f.section == sec.key)
        if not figures:
            continue
        for q in quotes(text.sections.get(sec.key, []), figures):
            parts = [values.get(k) for k in q.figure.fields]
            if any(v is None for v in parts):
                continue
            expected = sum(parts)  # type: ignore[arg-type]
            if abs(expected - q.number) > 1e-9:
                findings.append(Finding.of("R-TEXT", sheet=sec.heading, row_label=q.figure.name,
                                           expected=plain(expected), actual=q.number, detail=q.sentence))
    for m in layout.mentions:
        body = "".join(text.sections.get(m.section, []))
        if edition.fee_placeholder:  # the template's placeholder left in place reports nothing
            body = body.replace(edition.fee_placeholder, "")
        if not any(w in _squash(body) for w in m.words):
            findings.append(Finding.of(m.rule, sheet=layout.section(m.section).heading))
    return findings


# ------------------------------------------------------------------ figures a published report states
@dataclass(frozen=True)
class Said:
    """A table figure the prose of a published report states: `本年度制发规范性文件88件`."""

    row: str
    col: str
    number: Decimal
    unit: str  # the word after it: 件, 条, 元, 万元 …
    sentence: str


_SAID_NUMBER = re.compile(r"(?<![第\d.零〇一二两三四五六七八九十百千])"
                          r"(\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(万元|亿元|元|件|条|个|项|份)")


def stated(prose: str, hints, amount_units: Mapping[str, object]) -> list[Said]:
    """The figures `prose` states for the rows of `hints` ((row, subject words, ((col, words), …)),
    templates/import.toml [[stated]]).  A sentence must name the row's subject; from the clause that
    names it on, a column's words take the nearest number after them in the same clause, else the
    last one before them; an amount column takes a number with a money unit, the others a count."""
    out: list[Said] = []
    for m in _SENTENCE.finditer(_squash(prose)):
        sentence = m.group(0)
        for row, subjects, cols in hints:
            at = min((sentence.find(s) for s in subjects if s in sentence), default=-1)
            if at < 0:
                continue
            start = 0
            for clause in _CLAUSE.split(sentence):
                start += len(clause) + 1
                if start <= at:
                    continue  # a clause before the one naming the row
                nums = [(n.start(), n.group(1), n.group(2)) for n in _SAID_NUMBER.finditer(clause)]
                for col, words in cols:
                    if col.endswith("<=") and not any(s in clause for s in subjects):
                        continue  # an upper bound only from the clause that names the row itself
                    money = col == "amount"
                    fit = [(p, v, u) for p, v, u in nums if (u in amount_units) == money]
                    for w in words:
                        k = clause.find(w)
                        if k < 0 or not fit:
                            continue
                        after = [x for x in fit if x[0] >= k + len(w)]
                        p, v, u = after[0] if after else fit[-1] if fit[-1][0] < k else (None, None, None)
                        if v is None:
                            continue
                        n = Decimal(v.replace(",", "")) if v[0].isdigit() else Decimal(cn_int(v))
                        said = Said(row, col, n, u, _shorten(sentence, clause))
                        if said not in out:
                            out.append(said)
                        break
    return out
