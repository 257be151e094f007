"""Load and validate an edition spec (templates/2021.toml, 2019.toml) into the model."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from functools import cache, wraps
from typing import TypeVar

from ..a1 import cell_name, col_index, parse_range, range_name
from ..catalogue import Join
from ..errors import SpecError
from .base import Keys, edition_ids, templates_dir
from .model import (
    KINDS,
    Balance,
    Cover,
    CrossYear,
    Edition,
    Field,
    Figure,
    Label,
    Mention,
    ReportLayout,
    Section,
    Sum,
    Table,
)
from .sheets import load_cover

T = TypeVar("T")


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
        raise SpecError(code="U-EDITION", edition=edition_id, known=Join(tuple(edition_ids())))
    return parse_edition(path.read_text(encoding="utf-8"), source=path.name)


def parse_edition(text: str, source: str = "<spec>") -> Edition:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(code="U-SPEC-TOML", source=source, why=str(exc)) from None
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


class _Loader(Keys):
    def edition(self, doc: dict) -> Edition:
        from ..catalogue import CATALOGUE

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
        from ..catalogue import CATALOGUE

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
