"""Load and validate the declarative edition specs under ``templates/``.

Everything that knows where a label, an input or a total sits asks this module;
nothing else in govxl spells out a label, a cell address or a rule.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from pathlib import Path
from typing import TypeVar

from .errors import SpecError

T = TypeVar("T")

KINDS = ("count", "amount", "signed")
CHECK_OK, CHECK_BAD = "✓", "✗"
RULE_KINDS = {"count": "V-INT", "signed": "V-INT", "amount": "V-AMT"}

_CELL_RE = re.compile(r"^([A-Z]{1,3})([1-9][0-9]*)$")


# ------------------------------------------------------------------ addresses
def col_index(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26."""
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def col_letters(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def parse_cell(ref: str) -> tuple[int, int]:
    """'B3' -> (2, 1): zero-based row, column."""
    m = _CELL_RE.match(ref.replace("$", "").upper())
    if not m:
        raise ValueError(f"不是单元格地址：{ref!r}")
    return int(m.group(2)) - 1, col_index(m.group(1))


def cell_name(row: int, col: int) -> str:
    return f"{col_letters(col)}{row + 1}"


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'A1:C3' -> (r1, c1, r2, c2), zero-based and inclusive; 'B2' is a 1x1 range."""
    a, _, b = ref.partition(":")
    r1, c1 = parse_cell(a)
    r2, c2 = parse_cell(b) if b else (r1, c1)
    if r2 < r1 or c2 < c1:
        raise ValueError(f"区域方向不对：{ref!r}")
    return r1, c1, r2, c2


def range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    a = cell_name(r1, c1)
    return a if (r1, c1) == (r2, c2) else f"{a}:{cell_name(r2, c2)}"


def compress(cells: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of cells with few rectangles (column runs, then merged sideways)."""
    by_col: dict[int, list[int]] = {}
    for r, c in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        by_col.setdefault(c, []).append(r)
    runs: dict[int, list[tuple[int, int]]] = {}
    for c, rows in by_col.items():
        out: list[tuple[int, int]] = []
        for r in rows:
            if out and out[-1][1] == r - 1:
                out[-1] = (out[-1][0], r)
            else:
                out.append((r, r))
        runs[c] = out
    rects: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for c in sorted(runs):
        for run in runs[c]:
            rect = open_.get(run)
            if rect is not None and rect[3] == c - 1:
                rect[3] = c
            else:
                rect = [run[0], c, run[1], c]
                open_[run] = rect
                rects.append(rect)  # type: ignore[arg-type]
    return sorted((tuple(r) for r in rects), key=lambda r: (r[1], r[0]))  # type: ignore[misc]


# ------------------------------------------------------------------ model
@dataclass(frozen=True)
class Label:
    """An official label: text at the top-left of an (optionally merged) range."""

    row: int
    col: int
    last_row: int
    last_col: int
    text: str

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)

    @property
    def ref(self) -> str:
        return range_name(self.row, self.col, self.last_row, self.last_col)

    @property
    def merged(self) -> bool:
        return (self.row, self.col) != (self.last_row, self.last_col)

    def covers(self, row: int, col: int) -> bool:
        return self.row <= row <= self.last_row and self.col <= col <= self.last_col


@dataclass(frozen=True)
class Field:
    """One data cell of an official table."""

    table: str
    row_key: str
    col_key: str
    sheet: str
    row: int
    col: int
    kind: str
    row_label: str
    col_label: str
    span: tuple[int, int, int, int] | None = None
    # For a total cell: the fields it sums and the rule that checks the sum.
    parts: tuple[tuple[str, str], ...] = ()
    rule: str | None = None
    unit: str = ""  # printed unit of an amount, for prompts (the official label may print none)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table, self.row_key, self.col_key)

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.col)

    @property
    def is_total(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class Sum:
    """A total line of a block: `total` = sum of `parts`, along `axis`, for each key in `across`.

    axis "row": a total row; parts and total are row keys, `across` the block's column keys.
    axis "col": a total column; parts and total are column keys, `across` the row keys.
    """

    rule: str
    table: str
    axis: str
    total: str
    parts: tuple[str, ...]
    across: tuple[str, ...]

    def cells(self, other: str) -> tuple[tuple[str, str], tuple[tuple[str, str], ...]]:
        """(total field key, part field keys) for one row/column `other` across the sum."""
        if self.axis == "row":
            return (self.total, other), tuple((p, other) for p in self.parts)
        return (other, self.total), tuple((other, p) for p in self.parts)


@dataclass(frozen=True)
class Balance:
    """An identity `sum(left rows) == sum(right rows)`, checked per column."""

    rule: str
    table: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    cols: tuple[str, ...]
    show_row: int
    show_label: str


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    title: str
    origin: tuple[int, int]
    size: tuple[int, int]
    widths: tuple[float, ...]
    landscape: bool
    header_rows: int
    labels: tuple[Label, ...]
    merges: tuple[tuple[int, int, int, int], ...]
    fields: tuple[Field, ...]
    balances: tuple[Balance, ...]
    sums: tuple[Sum, ...] = ()

    @property
    def bounds(self) -> tuple[int, int, int, int]:
        r, c = self.origin
        return r, c, r + self.size[0] - 1, c + self.size[1] - 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(f.row_key, f.col_key): f for f in self.fields})

    def field(self, row_key: str, col_key: str) -> Field:
        return self._index[(row_key, col_key)]  # type: ignore[attr-defined]

    def sum_formula(self, f: Field) -> str:
        """The formula of a total cell, e.g. SUM(D6:D26), without the leading '='."""
        cells = [parse_cell(self.field(*p).cell) for p in f.parts]
        return "SUM(" + ",".join(range_name(*r) for r in compress(cells)) + ")"

    def balance_formula(self, b: Balance, col: str) -> str:
        """The live check cell of a balance for one column: ✓ when it holds, ✗ when not."""
        side = lambda rows: "+".join(self.field(r, col).cell for r in rows)  # noqa: E731
        return f'IF({side(b.left)}={side(b.right)},"{CHECK_OK}","{CHECK_BAD}")'

    @property
    def inputs(self) -> list[Field]:
        return [f for f in self.fields if not f.is_total]

    @property
    def totals(self) -> list[Field]:
        return [f for f in self.fields if f.is_total]


@dataclass(frozen=True)
class Cover:
    sheet: str
    widths: tuple[float, ...]
    raw: dict = field(hash=False, compare=False)


@dataclass(frozen=True)
class CrossYear:
    """A relation between this year's report and last year's, checked line by line.

    For every line (a column key when `each` is "col", a row key when it is "row"):
    this year's `this` = last year's `last` + this year's `plus` − this year's `minus`, where
    `this`, `last`, `plus`, `minus` are keys on the other axis. Keys are semantic, so last
    year's report may be of another edition: the relation holds wherever both have the keys.
    `prefill`: `govxl new --from` copies last year's figures into this year's cells.
    """

    rule: str
    table: str
    each: str
    this: str
    last: str
    plus: tuple[str, ...]
    minus: tuple[str, ...]
    lines: tuple[str, ...]
    prefill: bool = False

    def key(self, fixed: str, line: str) -> tuple[str, str, str]:
        """The field key of row/column `fixed` on `line`."""
        return (self.table, line, fixed) if self.each == "row" else (self.table, fixed, line)


@dataclass(frozen=True)
class Section:
    """A section of the published report, in official order: free text, or one of the tables."""

    key: str
    heading: str
    table: str | None = None

    @property
    def ordinal(self) -> str:
        """The heading's number ('一' of '一、……'): how a heading in a clerk's text file is matched."""
        return self.heading.split("、", 1)[0]


@dataclass(frozen=True)
class Figure:
    """A figure that section text may quote (R-TEXT): the phrases that name it and the
    table fields whose sum it is."""

    name: str
    section: str
    patterns: tuple[str, ...]
    fields: tuple[tuple[str, str, str], ...]
    none_means_zero: bool = False


@dataclass(frozen=True)
class Mention:
    """Something a section must mention (e.g. R-FEE: 信息处理费 in section 六)."""

    rule: str
    section: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class ReportLayout:
    """The published report around the tables: title, sections, and what the text must agree with."""

    title: str
    sections: tuple[Section, ...]
    figures: tuple[Figure, ...] = ()
    mentions: tuple[Mention, ...] = ()

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)


@dataclass(frozen=True)
class Edition:
    id: str
    name: str
    document: str
    issued: str
    first_year: int
    template_version: int
    rules: tuple[str, ...]
    fee_placeholder: str
    tables: tuple[Table, ...]
    cover: Cover
    source: str
    cross_year: tuple[CrossYear, ...] = ()
    # The report around the tables ([report] in the spec); None for a spec that lacks it.
    report: ReportLayout | None = None

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def fields(self) -> list[Field]:
        return [f for t in self.tables for f in t.fields]

    def field(self, key: tuple[str, str, str]) -> Field:
        return self.table(key[0]).field(key[1], key[2])

    @property
    def fingerprint(self) -> str:
        """A short hash of everything a filled workbook must keep: sheets, labels, merges, cells."""
        layout = [
            {
                "sheet": t.sheet,
                "origin": t.origin,
                "labels": [(lb.ref, lb.text) for lb in t.labels],
                "merges": sorted(t.merges),
                "fields": [(f.cell, f.kind, f.parts) for f in t.fields],
            }
            for t in self.tables
        ]
        blob = json.dumps(layout, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


# ------------------------------------------------------------------ loading
def templates_dir() -> Path:
    """Inside a wheel the specs sit in ``govxl/templates``; in a checkout, beside the package."""
    here = Path(__file__).resolve().parent
    for cand in (here / "templates", here.parent / "templates"):
        if (cand / "cover.toml").is_file():
            return cand
    raise SpecError("找不到模板目录 templates/（安装不完整？）")


def edition_ids() -> list[str]:
    """Known editions, newest first."""
    ids = [p.stem for p in templates_dir().glob("[0-9]*.toml")]
    return sorted(ids, reverse=True)


def per_edition(derive: Callable[[Edition], T]) -> Callable[[Edition], T]:
    """`derive(edition)` computed once per Edition object (an Edition is not hashable): what the
    checker and the rules derive from a spec is derived once per process, not once per file."""
    memo: dict[int, tuple[Edition, T]] = {}

    @wraps(derive)
    def get(edition: Edition) -> T:
        hit = memo.get(id(edition))
        if hit is None or hit[0] is not edition:
            hit = memo[id(edition)] = (edition, derive(edition))
        return hit[1]

    return get


@cache
def load_edition(edition_id: str = "2021") -> Edition:
    path = templates_dir() / f"{edition_id}.toml"
    if not path.is_file():
        known = "、".join(edition_ids())
        raise SpecError(f"未知的格式版本“{edition_id}”（已知：{known}）")
    return parse_edition(path.read_text(encoding="utf-8"), source=path.name)


def parse_edition(text: str, source: str = "<spec>") -> Edition:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: TOML 语法错误：{exc}") from None
    return _Loader(source).edition(doc)


_EDITION_KEYS = {"id", "name", "document", "issued", "first_year", "template_version", "rules",
                 "fee_placeholder"}
_TABLE_KEYS = {"key", "sheet", "title", "origin", "size", "widths", "landscape", "header_rows",
               "labels", "blocks", "balances"}
_BLOCK_KEYS = {"header_rows", "label_cols", "rows", "cols", "kind", "unit"}
_LINE_KEYS = {"key", "row", "col", "span", "sum", "rule", "kind", "unit"}
_BALANCE_KEYS = {"rule", "left", "right", "show_at", "show_label"}
_CROSS_KEYS = {"rule", "table", "each", "this", "last", "plus", "minus", "lines", "prefill"}
_REPORT_KEYS = {"title", "sections", "figures", "mentions"}


class _Loader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, msg: str) -> SpecError:
        return SpecError(f"{self.source}: {where}: {msg}")

    def keys(self, obj: dict, allowed: set[str], where: str, required: set[str] = frozenset()) -> None:
        if not isinstance(obj, dict):
            raise self.fail(where, "应为一个表（键值对）")
        unknown = sorted(set(obj) - allowed)
        if unknown:
            raise self.fail(where, f"未知的键 {', '.join(unknown)}")
        missing = sorted(required - set(obj))
        if missing:
            raise self.fail(where, f"缺少键 {', '.join(missing)}")

    def edition(self, doc: dict) -> Edition:
        from .catalogue import CATALOGUE

        self.keys(doc, {"edition", "tables", "cover", "cross_year", "report"}, "顶层", {"edition", "tables"})
        ed = doc["edition"]
        self.keys(ed, _EDITION_KEYS, "edition", _EDITION_KEYS - {"fee_placeholder"})
        for rule in ed["rules"]:
            if rule not in CATALOGUE:
                raise self.fail("edition.rules", f"未知的规则编号 {rule}")
        tables = [self.table(t, f"tables[{i}]") for i, t in enumerate(doc["tables"])]
        seen: set[str] = set()
        for i, t in enumerate(tables):
            for name, val in (("key", t.key), ("sheet", t.sheet)):
                if val in seen:
                    raise self.fail(f"tables[{i}].{name}", f"重复：{val}")
                seen.add(val)
            for f in t.fields:
                if f.rule and f.rule not in ed["rules"]:
                    raise self.fail(f"tables[{i}]", f"规则 {f.rule} 未列入 edition.rules")
        return Edition(
            id=str(ed["id"]), name=ed["name"], document=ed["document"], issued=str(ed["issued"]),
            first_year=int(ed["first_year"]), template_version=int(ed["template_version"]),
            rules=tuple(ed["rules"]), fee_placeholder=ed.get("fee_placeholder", ""),
            tables=tuple(tables), cover=self.cover(doc.get("cover", {})), source=self.source,
            cross_year=tuple(self.cross_year(x, f"cross_year[{i}]", tables, CATALOGUE)
                             for i, x in enumerate(doc.get("cross_year", []))),
            report=self.report(doc["report"], tables) if "report" in doc else None,
        )

    def cross_year(self, x: dict, where: str, tables: list[Table], catalogue: dict) -> CrossYear:
        """`this`, `plus`, `minus` and `lines` must exist in this edition; `last` names last year's
        key, which may belong to another edition (checked when the two reports meet)."""
        self.keys(x, _CROSS_KEYS, where, {"rule", "table", "each", "this", "last"})
        if x["rule"] not in catalogue:
            raise self.fail(where, f"未知的规则编号 {x['rule']}")
        table = next((t for t in tables if t.key == x["table"]), None)
        if table is None:
            raise self.fail(where, f"未知的表 {x['table']}")
        if x["each"] not in ("row", "col"):
            raise self.fail(where, "each 应为 row 或 col")
        # (fixed, line) of every field: (row, col) for a relation per column, (col, row) per row
        present = [(f.col_key, f.row_key) if x["each"] == "row" else (f.row_key, f.col_key) for f in table.fields]
        fixed = [x["this"], *x.get("plus", []), *x.get("minus", [])]
        lines = list(dict.fromkeys(x.get("lines") or [ln for fx, ln in present if fx == x["this"]]))
        for fx in fixed:
            for ln in lines:
                if (fx, ln) not in present:
                    raise self.fail(where, f"本版本的表 {table.key} 中没有 {fx} × {ln}")
        if not lines:
            raise self.fail(where, f"本版本的表 {table.key} 中没有 {x['this']}")
        if x.get("prefill") and (x.get("plus") or x.get("minus")):
            raise self.fail(where, "prefill 只能用于没有 plus/minus 的关系（照抄上年数）")
        return CrossYear(x["rule"], table.key, x["each"], x["this"], x["last"], tuple(x.get("plus", [])),
                         tuple(x.get("minus", [])), tuple(lines), bool(x.get("prefill", False)))

    def cover(self, over: dict) -> Cover:
        """The shared cover (cover.toml), with the keys this edition overrides (e.g. its filling notes)."""
        base = load_cover()
        self.keys(over, set(base.raw) - {"sheet"}, "cover")
        raw = {**base.raw, **over}
        return Cover(sheet=base.sheet, widths=tuple(raw["widths"]), raw=raw) if over else base

    def report(self, rep: dict, tables: list[Table]) -> ReportLayout:
        from .catalogue import CATALOGUE

        self.keys(rep, _REPORT_KEYS, "report", {"title", "sections"})
        by_key = {t.key: t for t in tables}
        sections: list[Section] = []
        for i, s in enumerate(rep["sections"]):
            w = f"report.sections[{i}]"
            self.keys(s, {"key", "heading", "table"}, w, {"key", "heading"})
            sec = Section(s["key"], s["heading"], s.get("table"))
            if "、" not in sec.heading:
                raise self.fail(w, f"标题应以“一、”这样的序号开头：{sec.heading}")
            if sec.table is not None:
                if sec.table not in by_key:
                    raise self.fail(w, f"引用了未知的表格 {sec.table}")
                if by_key[sec.table].title != sec.heading:
                    raise self.fail(w, f"标题与表格 {sec.table} 的 title 不一致")
            if any(x.key == sec.key or x.ordinal == sec.ordinal for x in sections):
                raise self.fail(w, f"重复的部分：{sec.key}（{sec.ordinal}）")
            sections.append(sec)
        keys = {s.key for s in sections}
        missing = [t.key for t in tables if t.key not in {s.table for s in sections}]
        if missing:
            raise self.fail("report.sections", f"缺少表格 {', '.join(missing)}")
        figures: list[Figure] = []
        for i, f in enumerate(rep.get("figures", [])):
            w = f"report.figures[{i}]"
            self.keys(f, {"name", "section", "patterns", "fields", "none_means_zero"}, w,
                      {"name", "section", "patterns", "fields"})
            if f["section"] not in keys:
                raise self.fail(w, f"引用了未知的部分 {f['section']}")
            for p in f["patterns"]:
                try:
                    re.compile(p)
                except re.error as exc:
                    raise self.fail(w, f"正则表达式有误 {p!r}：{exc}") from None
            for key in f["fields"]:
                try:
                    table, row_key, col_key = key
                    by_key[table].field(row_key, col_key)
                except (KeyError, ValueError, TypeError):
                    raise self.fail(w, f"引用了未知的数据单元格 {key}（应为 [表, 行键, 列键]）") from None
            figures.append(Figure(f["name"], f["section"], tuple(f["patterns"]),
                                  tuple(tuple(k) for k in f["fields"]), bool(f.get("none_means_zero", False))))
        mentions: list[Mention] = []
        for i, m in enumerate(rep.get("mentions", [])):
            w = f"report.mentions[{i}]"
            self.keys(m, {"rule", "section", "words"}, w, {"rule", "section", "words"})
            if m["rule"] not in CATALOGUE:
                raise self.fail(w, f"未知的规则编号 {m['rule']}")
            if m["section"] not in keys:
                raise self.fail(w, f"引用了未知的部分 {m['section']}")
            mentions.append(Mention(m["rule"], m["section"], tuple(m["words"])))
        return ReportLayout(rep["title"], tuple(sections), tuple(figures), tuple(mentions))

    def rng(self, ref: str, where: str) -> tuple[int, int, int, int]:
        try:
            return parse_range(ref)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None

    def table(self, t: dict, where: str) -> Table:
        self.keys(t, _TABLE_KEYS, where, _TABLE_KEYS - {"balances", "widths", "landscape"})
        o_r, o_c = self.rng(t["origin"], f"{where}.origin")[:2]
        n_rows, n_cols = t["size"]
        off = lambda r, c: (r + o_r, c + o_c)  # noqa: E731

        def inside(rect, w):
            r1, c1, r2, c2 = rect
            if r2 >= n_rows or c2 >= n_cols:
                raise self.fail(w, f"超出表格范围 {range_name(0, 0, n_rows - 1, n_cols - 1)}")

        labels: list[Label] = []
        merges: list[tuple[int, int, int, int]] = []
        taken: dict[tuple[int, int], str] = {}

        def claim(rect, w):
            r1, c1, r2, c2 = rect
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) in taken:
                        raise self.fail(w, f"与 {taken[(r, c)]} 重叠（{cell_name(r, c)}）")
                    taken[(r, c)] = w

        for i, lb in enumerate(t["labels"]):
            w = f"{where}.labels[{i}]"
            self.keys(lb, {"at", "text"}, w, {"at", "text"})
            rect = self.rng(lb["at"], w)
            inside(rect, w)
            claim(rect, f"{w}（{lb['at']}）")
            r1, c1, r2, c2 = rect
            labels.append(Label(*off(r1, c1), *off(r2, c2), lb["text"]))
            if (r1, c1) != (r2, c2):
                merges.append((*off(r1, c1), *off(r2, c2)))

        fields: list[Field] = []
        sums: list[Sum] = []
        for b_i, blk in enumerate(t["blocks"]):
            fields += self.block(blk, f"{where}.blocks[{b_i}]", t, labels, merges, claim, inside, off, sums)
        keys_seen: set[tuple[str, str]] = set()
        for f in fields:
            if (f.row_key, f.col_key) in keys_seen:
                raise self.fail(where, f"数据单元格键重复：{f.row_key} × {f.col_key}")
            keys_seen.add((f.row_key, f.col_key))

        balances = []
        for i, bal in enumerate(t.get("balances", [])):
            w = f"{where}.balances[{i}]"
            self.keys(bal, _BALANCE_KEYS, w, _BALANCE_KEYS)
            rows = {f.row_key for f in fields}
            for k in bal["left"] + bal["right"]:
                if k not in rows:
                    raise self.fail(w, f"引用了未知的行 {k}")
            cols = tuple(dict.fromkeys(f.col_key for f in fields if f.row_key == bal["left"][0]))
            balances.append(Balance(bal["rule"], t["key"], tuple(bal["left"]), tuple(bal["right"]),
                                    cols, bal["show_at"] - 1 + o_r, bal["show_label"]))
        return Table(
            key=t["key"], sheet=t["sheet"], title=t["title"], origin=(o_r, o_c),
            size=(n_rows, n_cols), widths=tuple(t.get("widths", ())),
            landscape=bool(t.get("landscape", False)), header_rows=int(t["header_rows"]),
            labels=tuple(labels), merges=tuple(merges), fields=tuple(fields), balances=tuple(balances),
            sums=tuple(sums),
        )

    def block(self, blk, where, t, labels, merges, claim, inside, off, sums) -> list[Field]:
        self.keys(blk, _BLOCK_KEYS, where, {"rows", "cols", "header_rows", "label_cols"})
        rows, cols = blk["rows"], blk["cols"]
        for kind_owner, w in [(blk, where)] + [(x, f"{where}.rows/cols") for x in rows + cols]:
            if kind_owner.get("kind", "count") not in KINDS:
                raise self.fail(w, f"kind 应为 {'/'.join(KINDS)}")
        for i, x in enumerate(rows):
            self.keys(x, _LINE_KEYS - {"col", "span"}, f"{where}.rows[{i}]", {"key", "row"})
        for i, x in enumerate(cols):
            self.keys(x, _LINE_KEYS - {"row"}, f"{where}.cols[{i}]", {"key", "col"})
        for name, lines in (("rows", rows), ("cols", cols)):
            ks = [x["key"] for x in lines]
            dup = {k for k in ks if ks.count(k) > 1}
            if dup:
                raise self.fail(f"{where}.{name}", f"键重复：{', '.join(sorted(dup))}")

        def span_of(keys: list[dict], spec: str, w: str) -> list[str]:
            a, _, b = spec.partition(":")
            names = [x["key"] for x in keys]
            if a not in names or (b or a) not in names:
                raise self.fail(w, f"sum 引用了未知的键：{spec}")
            i, j = names.index(a), names.index(b or a)
            if j < i:
                raise self.fail(w, f"sum 区间方向不对：{spec}")
            return names[i : j + 1]

        row_parts = {x["key"]: span_of(rows, x["sum"], f"{where}.rows[{x['key']}]") for x in rows if "sum" in x}
        col_parts = {x["key"]: span_of(cols, x["sum"], f"{where}.cols[{x['key']}]") for x in cols if "sum" in x}
        for x in rows + cols:
            if ("sum" in x) != ("rule" in x):
                raise self.fail(f"{where}[{x['key']}]", "sum 与 rule 须同时给出")
        row_keys, col_keys = tuple(x["key"] for x in rows), tuple(x["key"] for x in cols)
        for x in rows:
            if "sum" in x:
                sums.append(Sum(x["rule"], t["key"], "row", x["key"], tuple(row_parts[x["key"]]), col_keys))
        for x in cols:
            if "sum" in x:
                sums.append(Sum(x["rule"], t["key"], "col", x["key"], tuple(col_parts[x["key"]]), row_keys))

        hdr_rows = [r - 1 for r in blk["header_rows"]]
        lbl_cols = [col_index(c) for c in blk["label_cols"]]

        def path(cells: list[tuple[int, int]]) -> str:
            seen: list[str] = []
            for r, c in cells:
                for lb in labels:
                    if lb.covers(r + t_o[0], c + t_o[1]) and lb.text not in seen:
                        seen.append(lb.text)
            return " / ".join(seen)

        t_o = off(0, 0)
        out: list[Field] = []
        for rx in rows:
            for cx in cols:
                w = f"{where}[{rx['key']} × {cx['key']}]"
                r = rx["row"] - 1
                try:
                    c = col_index(cx["col"])
                except Exception:
                    raise self.fail(w, f"列号无效 {cx['col']!r}") from None
                rect = (r, c, r, c)
                span = None
                if "span" in cx:
                    a, _, b = cx["span"].partition(":")
                    rect = (r, col_index(a), r, col_index(b))
                    if rect[1] != c:
                        raise self.fail(w, "span 应从本列开始")
                inside(rect, w)
                claim(rect, w)
                if rect[1] != rect[3]:
                    span = (*off(rect[0], rect[1]), *off(rect[2], rect[3]))
                    merges.append(span)
                parts: tuple[tuple[str, str], ...] = ()
                rule = None
                if cx["key"] in col_parts:
                    parts, rule = tuple((rx["key"], k) for k in col_parts[cx["key"]]), cx["rule"]
                elif rx["key"] in row_parts:
                    parts, rule = tuple((k, cx["key"]) for k in row_parts[rx["key"]]), rx["rule"]
                kind = rx.get("kind") or cx.get("kind") or blk.get("kind", "count")
                unit = rx.get("unit") or cx.get("unit") or blk.get("unit", "")
                row_label = path([(r, lc) for lc in lbl_cols]) or t["title"]
                col_label = path([(hr, c) for hr in hdr_rows])
                out.append(Field(t["key"], rx["key"], cx["key"], t["sheet"], *off(r, c), kind,
                                 row_label, col_label, span, parts, rule, unit))
        return out


@cache
def load_cover() -> Cover:
    path = templates_dir() / "cover.toml"
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["cover"]
    return Cover(sheet=raw["sheet"], widths=tuple(raw["widths"]), raw=raw)


# ------------------------------------------------------------------ the aggregate's list sheet
_AGG_KEYS = {"sheet", "hash_chars", "columns", "status", "unreadable", "no_agency", "is_aggregate", "footer",
             "totals"}
_AGG_COLUMNS = {"no", "status", "agency", "file", "hash", "totals", "verdict", "note"}


@dataclass(frozen=True)
class KeyTotal:
    """A figure shown per report in an aggregate's list: the sum of some fields (by semantic key)."""

    label: str
    fields: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class AggregateSheet:
    """templates/aggregate.toml: the list sheet `govxl aggregate` appends to a summary."""

    sheet: str
    hash_chars: int
    columns: tuple[tuple[str, str, float], ...]  # (key, label, width); key "totals" = the key totals
    totals: tuple[KeyTotal, ...]
    texts: dict = field(hash=False, compare=False)


@cache
def load_aggregate_sheet() -> AggregateSheet:
    source = "aggregate.toml"
    path = templates_dir() / source
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))["aggregate"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{source}: 无法读取：{exc}") from None
    ld = _Loader(source)
    ld.keys(raw, _AGG_KEYS, "aggregate", _AGG_KEYS)
    columns = []
    for i, c in enumerate(raw["columns"]):
        ld.keys(c, {"key", "label", "width"}, f"aggregate.columns[{i}]", {"key", "width"})
        if c["key"] not in _AGG_COLUMNS:
            raise ld.fail(f"aggregate.columns[{i}]", f"未知的列 {c['key']}")
        columns.append((c["key"], c.get("label", "").format(hash_chars=raw["hash_chars"]), float(c["width"])))
    totals = []
    for i, t in enumerate(raw["totals"]):
        ld.keys(t, {"label", "fields"}, f"aggregate.totals[{i}]", {"label", "fields"})
        keys = tuple(tuple(k.split("/")) for k in t["fields"])
        if not keys or any(len(k) != 3 for k in keys):
            raise ld.fail(f"aggregate.totals[{i}]", "fields 应写成 table/row/column")
        totals.append(KeyTotal(t["label"], keys))  # type: ignore[arg-type]
    texts = {k: raw[k] for k in ("status", "unreadable", "no_agency", "is_aggregate", "footer")}
    return AggregateSheet(raw["sheet"], int(raw["hash_chars"]), tuple(columns), tuple(totals), texts)


# ------------------------------------------------------------------ wording of check's outputs
_OUT_KEYS = {
    "annotate": ({"sheet", "fills", "widths", "zh", "en"},
                 {"title", "file", "about", "verdict", "headers", "workbook", "marked", "listed", "repaired",
                  "not_copied", "none", "help", "unplaced_title", "unplaced_headers", "unplaced_extra",
                  "unplaced_missing"}),
    "report": ({"fills", "zh", "en"},
               {"title", "summary", "headers", "details", "copy", "findings", "finding_headers", "none",
                "unreadable", "layout", "missing", "totals"}),
}


@cache
def load_outputs() -> dict:
    """templates/annotate.toml: the words of `check --annotate` (the marked-up copy, whose first
    sheet `govxl check` never reads) and `check --report` (the HTML page), in zh and en."""
    source = "annotate.toml"
    try:
        raw = tomllib.loads((templates_dir() / source).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{source}: 无法读取：{exc}") from None
    ld = _Loader(source)
    for part, (top, texts) in _OUT_KEYS.items():
        if part not in raw:
            raise ld.fail(part, "缺少这一节")
        ld.keys(raw[part], top, part, top)
        for lang in ("zh", "en"):
            ld.keys(raw[part][lang], texts, f"{part}.{lang}", texts)
    return raw
