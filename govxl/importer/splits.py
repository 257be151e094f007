"""Runs of digits whose cell boundaries were lost (`801000081`), placed by the table's arithmetic
(govxl.importer.runs), by the digits alone, or by what the report's prose says: the part of
:class:`govxl.importer.place.Placer` that splits them."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ..catalogue import Join, Phrase, phrase
from ..numbers import show
from ..report.findings import Finding
from .order import Key, Segment, cells_of, quoted, row_name
from .runs import TooMany, count_readings, possible, readings
from .text import Atom, Val


class Splits:
    """Mixed into Placer: uses its `ed`, `out`, `budget`, `constraints`, `stated`, `previous`, `ambiguous`."""

    def local(self, seg: Segment) -> list[list[tuple[int, int]]]:
        pos = {f.key: i for i, f in enumerate(seg.fields)}
        return [[(pos[k], c) for k, c in con] for con in self.constraints if all(k in pos for k, _ in con)]

    def split(self, seg: Segment, vals: list[Atom]) -> None:
        try:
            options = readings([a.val for a in vals], len(seg.fields), self.local(seg),
                                    self.budget.child(50_000), [f.kind == "signed" for f in seg.fields])
        except TooMany:
            options = None
        if options is not None and len(options) == 1:
            self.take(seg, vals, options[0])
        elif options:
            self.ambiguous.append((seg, vals, options))
        elif options == [] and len({f.row for f in seg.fields}) > 1:
            # No split fills every row after the label (the later rows' labels are missing): the
            # numbers right after it are its own row's when they are exactly that many.
            self.first_row(seg)  # type: ignore[attr-defined]
        elif options == [] and self.local(seg) and not seg.truncated:
            # No split keeps the row's own total: the digits alone decide (where the text is whole:
            # a cut row has lost digits). One split: the report printed it so (the check reports the
            # total it breaks); several: the cells they all agree on.
            try:
                free = readings([a.val for a in vals], len(seg.fields), (), self.budget.child(50_000),
                                     [f.kind == "signed" for f in seg.fields])
            except TooMany:
                free = []
            if len(free) == 1:
                self.take(seg, vals, free[0])
            else:
                self.unsplit(seg, vals, [], "no-split")
                self.common(seg, vals, free)
        else:
            self.unsplit(seg, vals, [], "no-split" if options == [] else "too-many-splits")

    def by_text(self, seg: Segment, vals: list[Atom], options: list[tuple]) -> bool:
        """Take the split that agrees with more of what the report's prose states than any other
        (`本年度制发规范性文件88件` settles `8855698` as 88 / 55 / 698), and with last year's report
        when given (its 现行有效 + 本年制发 − 本年废止 = this year's 现行有效), saying which."""
        at = {(f.row_key, f.col_key): i for i, f in enumerate(seg.fields)}
        unit = vals[-1].val.unit if vals else None
        tests: list[tuple[object, object]] = []  # (does option o agree, what says so)
        if callable(self.stated):
            self.stated = list(self.stated())
        for x in self.stated:
            # a sum of money in the text counts where the row prints the same unit; a column key
            # ending in "<=" (templates/import.toml) is an upper bound the cell cannot exceed
            col, most = (x.col[:-2], True) if x.col.endswith("<=") else (x.col, False)
            if (x.row, col) in at and (col != "amount" or x.unit == unit):
                tests.append((lambda o, i=at[x.row, col], n=x.number, most=most: o[i] is not None and
                              (o[i] <= n if most else o[i] == n), f"“{x.sentence}”"))
        for rel in self.ed.cross_year if self.previous else ():
            line = seg.fields[0].row_key
            last = self.previous.get(rel.key(rel.last, line))
            keys = [(line, k) for k in (rel.this, *rel.plus, *rel.minus)]
            if rel.each != "row" or rel.table != seg.table.key or last is None or not all(k in at for k in keys):
                continue
            this, plus, minus = at[keys[0]], [at[k] for k in keys[1:1 + len(rel.plus)]], [at[k] for k in keys[1 + len(rel.plus):]]
            tests.append((lambda o, t=this, p=plus, m=minus, last=last: None not in (o[t], *(o[j] for j in p + m)) and
                          o[t] == last + sum(o[j] for j in p) - sum(o[j] for j in m), phrase("prev-said", n=_num(last))))
        if not tests:
            return False
        agree = [[why for test, why in tests if test(o)] for o in options]
        best = max(map(len, agree))
        if best == 0 or [len(a) for a in agree].count(best) > 1:
            return False
        i = next(n for n, a in enumerate(agree) if len(a) == best)
        self.put(seg, vals, options[i])
        self.out.findings.append(Finding.of(
            "I-SAID", sheet=seg.table.sheet, cell=cells_of(seg.fields), row_label=row_name(seg.fields[0]),
            actual=quoted(vals), expected=Join(tuple(_num(v) for v in options[i])), reason="said",
            params={"sentences": Join(tuple(dict.fromkeys(agree[i])), "；")}))
        return True

    def common(self, seg: Segment, vals: list[Atom], options: list[tuple]) -> None:
        """The cells on which every possible reading of a row agrees are read; the others are not."""
        if options:
            self.put(seg, vals, options[0], [i for i in range(len(seg.fields)) if len({o[i] for o in options}) == 1])

    def put(self, seg: Segment, vals: list[Atom], reading: tuple, only: Sequence[int] | None = None) -> None:
        """Place a reading of a row (its cells `only`); a unit printed after the run is the last cell's."""
        unit = vals[-1].val.unit if vals else None
        for i, (f, v) in enumerate(zip(seg.fields, reading)):
            if only is not None and i not in only:
                continue
            last = unit and i == len(seg.fields) - 1 and v is not None
            self.out.placed[f.key] = Val("-" if v is None else str(v) + (unit if last else ""),
                                         None if v is None else Decimal(v), unit if last else None)

    def take(self, seg: Segment, vals: list[Atom], reading: tuple) -> None:
        self.put(seg, vals, reading)
        if count_readings([a.val for a in vals], len(seg.fields)) > 1:
            f = seg.fields[0]
            self.out.findings.append(Finding.of(
                "I-RUN", sheet=seg.table.sheet, cell=cells_of(seg.fields), row_label=row_name(f), actual=quoted(vals),
                expected=Join(tuple(_num(v) for v in reading))))

    def unsplit(self, seg: Segment, vals: list[Atom], options: list[tuple], reason: str) -> None:
        """An I-SPLIT finding: `reason` why (a code of govxl.catalogue.REASONS), or the first `options`."""
        f = seg.fields[0]
        params = {}
        if options:
            shown = Join(tuple(Join(tuple(_num(v) for v in o)) for o in options[:3]), "；")
            reason, params = "maybe-more" if len(options) > 3 else "maybe", {"options": shown}
        self.out.findings.append(Finding.of("I-SPLIT", sheet=seg.table.sheet, cell=cells_of(seg.fields),
                                            row_label=row_name(f), actual=quoted(vals), reason=reason, params=params))
        for g in seg.fields:
            self.out.trouble.setdefault((seg.table.key, g.row), phrase("run-together"))

    def settle_ambiguous(self) -> None:
        if not self.ambiguous:
            return
        fixed: dict[Key, Decimal | None] = {k: v.number for k, v in self.out.placed.items() if not v.junk}
        keys = [[f.key for f in seg.fields] for seg, _, _ in self.ambiguous]
        ok = possible([o for _, _, o in self.ambiguous], keys, fixed, self.constraints, self.budget)
        for s, (seg, vals, options) in enumerate(self.ambiguous):
            if len(ok[s]) == 1:
                self.take(seg, vals, options[next(iter(ok[s]))])
            elif ok[s] and self.by_text(seg, vals, [options[i] for i in sorted(ok[s])]):
                continue
            elif ok[s]:
                self.unsplit(seg, vals, [options[i] for i in sorted(ok[s])], "maybe")
                self.common(seg, vals, [options[i] for i in sorted(ok[s])])
            else:
                self.unsplit(seg, vals, options, "maybe")


def _num(v: Decimal | int | None) -> str | Phrase:
    return phrase("blank") if v is None else show(v)
