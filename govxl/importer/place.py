"""Place the atoms of a report into the fields of an edition.

The spec lists every table's labels and data cells; sorted by their top-left cell they give
the reading order (row by row, left to right) in which an HTML table, and any text flattened
from it, presents them.  The report's labels are aligned to that sequence (an edit-distance
alignment, so a missing, repeated or extra label costs a little and nothing more); the values
between two aligned labels belong to the data cells that lie between those labels in the spec.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..catalogue import Join, Phrase, phrase
from ..narrative import Said
from ..report.findings import Finding
from ..spec import Edition, Field
from .groups import blank_rows, one_row_sum
from .order import Key, Segment, align, constraints_of, quoted, reading_order
from .runs import Budget
from .splits import Splits
from .text import Atom, Val, canon, unreadable

BUDGET = 150_000  # search steps for splitting runs of digits, per report


@dataclass
class Placement:
    placed: dict[Key, Val] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    trouble: dict[tuple[str, int], Phrase | Join] = field(default_factory=dict)  # (table, row) -> why
    matched: set[tuple[str, int]] = field(default_factory=set)  # (table, label index) found
    found_tables: set[str] = field(default_factory=set)
    sums: list[tuple[tuple[Key, ...], Val]] = field(default_factory=list)  # a group printed as one row
    empty: list[list[Field]] = field(default_factory=list)  # rows printed with no numbers (groups.py)
    leftover: set[tuple[str, int]] = field(default_factory=set)  # (table, row) followed by numbers not placed


class Placer(Splits):
    def __init__(self, ed: Edition, atoms: list[Atom], kind: str = "plain", cut_value: bool = False,
                 closed: bool = False, said: Callable[[], Sequence[Said]] | Sequence[Said] = (),
                 previous: Mapping[Key, object] | None = None) -> None:
        self.ed = ed
        # Figures the report's prose states (narrative.stated; read when first needed), and last
        # year's values (`--previous`): they choose among a row's splits.
        self.stated = said
        self.previous = previous or {}
        # The text stops on a cell's closing `|`: its last cell is whole, even an empty one.
        self.closed = closed
        # The text stops right after a digit: its last value may be the start of a longer number.
        last = next((a for a in reversed(atoms) if a.kind not in "BS"), None)
        self.cut = last if cut_value and last is not None and last.kind == "V" else None
        self.last = last
        # One cell per line: an empty cell is a line of its own, so positions are kept.
        self.positional = kind == "cells"
        # Table rows, `|` or tab-separated cells: a row's cells are kept apart (running text does not).
        self.shows_cells = kind != "plain"
        # Only copied text or a saved page can stop mid-table; a Word, spreadsheet or PDF document
        # is whole, and a blank cell at its end is a blank cell.
        self.may_be_cut = kind in ("plain", "cells", "pipe", "tab", "html")
        labels = {canon(lb.text) for t in ed.tables for lb in t.labels}
        # A label of another edition is just text here.
        self.atoms = [Atom("T", a.text, a.row) if a.kind == "L" and a.label not in labels else a for a in atoms]
        self.out = Placement()
        self.constraints = constraints_of(ed)
        self.ambiguous: list[tuple[Segment, list[Atom], list[tuple]]] = []
        # Splitting runs of digits is a search; this bounds it (about a second at worst).
        self.budget = Budget(BUDGET)

    # -------------------------------------------------------------- alignment
    def run(self) -> Placement:
        order = {t.key: reading_order(t) for t in self.ed.tables}
        exp = [(t, i, it) for t in self.ed.tables for i, it in enumerate(order[t.key]) if it.label]
        doc = [j for j, a in enumerate(self.atoms) if a.kind == "L"]
        pairs = align([it.key for _, _, it in exp], [self.atoms[j].label for j in doc])
        pairs = [(e, doc[d]) for e, d in pairs]
        pairs = self.pair_leftovers(exp, pairs)
        by_table: dict[str, list[tuple[int, int]]] = {t.key: [] for t in self.ed.tables}
        for e, j in pairs:
            t, i, _ = exp[e]
            by_table[t.key].append((i, j))
            self.out.matched.add((t.key, t.labels.index(order[t.key][i].label)))
            if self.atoms[j].variant:
                lb = order[t.key][i].label
                self.out.findings.append(Finding.of("I-LABEL", sheet=t.sheet, cell=lb.cell, expected=lb.text,
                                                    actual="“" + _short(self.atoms[j].text, 60) + "”"))
        starts = [by_table[t.key][0][1] for t in self.ed.tables if by_table[t.key]]
        last_label = max((j for j, a in enumerate(self.atoms) if a.kind == "L"), default=-1)
        for t in self.ed.tables:
            anchors = by_table[t.key]
            if not anchors:
                continue
            self.out.found_tables.add(t.key)
            items = order[t.key]
            first = anchors[0][0]
            for it in items[:first]:
                if it.field:
                    self.out.trouble.setdefault((t.key, it.field.row), phrase("no-label"))
            fragments = {canon(lb.text) for lb in t.labels}
            segs: list[Segment] = []
            for (i1, j1), nxt in itertools.zip_longest(anchors, anchors[1:]):
                stop = nxt[0] if nxt else len(items)
                fields = [it.field for it in items[i1 + 1: stop] if it.field]
                later = [it.label.text for it in items[i1 + 1:] if it.label and it.pos > (fields[0].row, -1)] if fields else []
                truncated = False
                if nxt:
                    seg_atoms = self.atoms[j1 + 1: nxt[1]]
                else:
                    end = min([s for s in starts if s > j1], default=len(self.atoms))
                    seg_atoms = []
                    own_labels = {it.key for it in items[:i1] if it.label}
                    for a in self.atoms[j1 + 1: end]:
                        if a.kind == "L" and a.label in own_labels:
                            continue  # a header label printed below its row (a PDF's line order)
                        if a.kind in "TL" and not _fragment(a.text, fragments):
                            break
                        if a.kind in "TL":
                            continue  # a header split over lines (`结果` / `维持`, PDF text)
                        seg_atoms.append(a)
                    rest = [a for a in self.atoms[j1 + 1:] if a.kind in "TL"]
                    truncated = self.may_be_cut and j1 == last_label and len(rest) <= 1 and (
                        not rest or rest[0] is next(a for a in reversed(self.atoms) if a.kind not in "BS"))
                between = items[i1 + 1: stop]
                own = bool(fields) and not any(it.label for it in between[:next(
                    (n for n, it in enumerate(between) if it.field), len(between))])
                segs.append(Segment(t, fields, seg_atoms, self.atoms[j1].text, truncated, later[0] if later else "",
                                    own, self.atoms[j1].row))
            self.fit_table(segs)
        self.settle_ambiguous()
        blank_rows(self)
        return self.out

    def pair_leftovers(self, exp, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """An official label that was not found, and a piece of unrecognised text where it should
        be: if they are alike, the text is that label misspelt (reported as I-LABEL)."""
        out = list(pairs)
        for (e1, j1), (e2, j2) in zip(pairs, pairs[1:]):
            missing = list(range(e1 + 1, e2))
            texts = [j for j in range(j1 + 1, j2) if self.atoms[j].kind == "T"]
            for e in missing:
                want = exp[e][2].key
                scored = [(difflib.SequenceMatcher(None, want, canon(self.atoms[j].text)).ratio(), j) for j in texts]
                good = sorted((s for s in scored if s[0] >= 0.6), reverse=True)
                if good and (len(good) == 1 or good[0][0] > good[1][0]):
                    j = good[0][1]
                    a = self.atoms[j]
                    self.atoms[j] = Atom("L", a.text, a.row, label=want, variant=True)
                    out.append((e, j))
                    texts = [x for x in texts if x > j]
        return sorted(out)

    def fit_table(self, segs: list[Segment]) -> None:
        """Fit a table's segments in order.  A torn table (text from a PDF or Markdown): some row
        labels with no numbers after them, then lines of numbers only: the lines are paired with
        those rows by order when their number and sizes match; otherwise none of those rows is
        read (the lines may be any of them: never give a row's numbers to another)."""
        i = 0
        while i < len(segs):
            j = i
            while j < len(segs) and _one_row(segs[j]) and not any(a.kind in "VE" for a in segs[j].atoms):
                j += 1
            if j == i or j == len(segs) or not _one_row(segs[j]):
                self.fit(segs[i])
                i += 1
                continue
            lines = _number_lines(segs[j].atoms)
            if len(lines) < 2:
                for seg in segs[i: j + 1]:
                    self.fit(seg)
                i = j + 1
                continue
            run = segs[i: j + 1]
            if [len(x) for x in lines] == [len(seg.fields) for seg in run] and not any(
                    a.val.dash for x in lines for a in x):
                for seg, cells in zip(run, lines):
                    self.assign(seg.fields, cells)
                used = {id(a) for x in lines for a in x}
                self.stray(segs[j], [a for a in segs[j].atoms if a.kind in "VT" and id(a) not in used], group=True)
            else:
                for seg in run:
                    self.missing_rows(seg, _rows(seg.fields), phrase("torn", n=len(lines)))
            i = j + 1

    # -------------------------------------------------------------- one segment
    def fit(self, seg: Segment) -> None:
        k = len(seg.fields)
        seg.atoms = [a for a in seg.atoms if (a.kind != "S" or self.positional) and a is not self.cut]
        if seg.truncated:
            # Where the text stops, an empty cell may be a cell cut before its number (`\t` of `\t12`).
            if self.last is not None and self.last.kind == "E" and not self.closed and \
                    any(a is self.last for a in seg.atoms):
                while seg.atoms and seg.atoms[-1].kind in "EBS":
                    seg.atoms.pop()
            if not seg.own_row:
                # The labels of the rows after the cut are not in the text: nothing to place them by.
                n = sum(a.kind == "V" for a in seg.atoms)
                cut = phrase("cut-then", n=n, values=quoted(seg.atoms)) if n else phrase("cut")
                self.missing_rows(seg, _rows(seg.fields), cut)
                return
        vals = [a for a in seg.atoms if a.kind == "V"]
        texts = [a for a in seg.atoms if a.kind == "T"]
        if k == 0:
            self.stray(seg, [a for a in seg.atoms if a.kind in "VT"])
            return
        dashes = any(a.val.dash for a in vals)
        if len(vals) == k and not dashes and not (self.positional and any(a.kind == "E" for a in seg.atoms)):
            self.assign(seg.fields, vals)
            self.stray(seg, texts)
            return
        if self.positional:
            self.fit_cells(seg)
            return
        rows = None if dashes else self.fit_rows(seg)
        if rows is not None:
            used: set[int] = set()
            for fields, cells in rows:
                self.assign(fields, cells)
                used |= {id(c) for c in cells}
            left = [a for a in seg.atoms if a.kind in "VT" and id(a) not in used]
            for _, g in itertools.groupby(left, key=lambda a: a.row):
                g = list(g)
                # A source row of its own with a label and numbers: a row the official table does not have.
                extra = g[0].kind == "T" and any(a.kind == "V" for a in g)
                self.stray(seg, g, group=extra)
            return
        # Where the text stops, fewer numbers than cells is the cut, not digits run together: a
        # run is split there only in a single row whose own total checks the split.
        at = [n for n, a in enumerate(seg.atoms) if a.kind == "V"]
        # Words between the numbers (`16 16减12 3`), or junk instead of a number (`1O`, `*`, `不详`) on their
        # lines: where each number stands is not certain: no digits are split around them.
        worded = bool(at) and any(a.kind == "T" for a in seg.atoms[at[0]: at[-1]]) or any(a.val.junk for a in vals) or any(
            a.kind == "T" and a.row in {v.row for v in vals} and unreadable(a.text) for a in seg.atoms)
        if vals and not worded and (dashes or (len(vals) < k and any(a.val.run for a in vals))) and (
                not seg.truncated or (len(_rows(seg.fields)) == 1 and self.local(seg))):
            self.split(seg, vals)
            self.stray(seg, texts)
            return
        self.first_row(seg)

    def first_row(self, seg: Segment) -> None:
        """The values right after a label are its row's, in order: when they are exactly that
        many (the labels of the later rows are missing, or an extra row of the report's own
        follows), or, where the text ends (a truncated page), the leading cells up to the cut."""
        groups = _rows(seg.fields)
        first = groups[0]
        if not seg.own_row:
            if one_row_sum(self, seg, groups):
                return
            n = sum(a.kind == "V" for a in seg.atoms)
            why = phrase("no-label-then", n=n, values=quoted(seg.atoms)) if n else phrase("no-label")
            self.missing_rows(seg, groups, why)
            return
        if self.shows_cells:
            # The source row right after the label, empty cells included (fillers around it dropped).
            chunk: list[Atom] = []
            for a in seg.atoms:
                if a.kind in "BTL":
                    if chunk or a.kind != "B":
                        break
                    continue
                chunk.append(a)
            while len(chunk) > len(first) and chunk[0].kind == "E":
                chunk.pop(0)
            while len(chunk) > len(first) and chunk[-1].kind == "E":
                chunk.pop()
            # (a row printed all blank only on the label's own source row: not a filler row below it)
            if len(chunk) == len(first) and all(a.kind in "VE" for a in chunk) and \
                    (any(a.kind == "V" for a in chunk) or chunk[0].row == seg.row) and \
                    not any(a.kind == "V" and a.val.dash for a in chunk) and any(a.kind == "E" for a in chunk):
                self.assign(first, chunk)
                self.missing_rows(seg, groups[1:], phrase("cut" if seg.truncated else "no-label"))
                used = {id(a) for a in chunk}
                self.stray(seg, [a for a in seg.atoms if a.kind in "VT" and id(a) not in used], group=True)
                return
        head: list[Atom] = []
        for a in seg.atoms:
            if a.kind in "TL":
                break
            if a.kind == "E" and seg.truncated:
                break  # an empty cell or a filler: the positions after it are not certain
            if a.kind == "V":
                head.append(a)
        whole = len(head) >= len(first) if seg.truncated else len(head) == len(first)
        if whole and not any(a.val.dash or (a.val.run and len(head) < len(first)) for a in head[:len(first)]):
            self.assign(first, head[:len(first)])
            rest = groups[1:]
            self.missing_rows(seg, rest, phrase("cut" if seg.truncated else "no-label"))
            used = {id(a) for a in head[:len(first)]}
            self.stray(seg, [a for a in seg.atoms if a.kind in "VT" and id(a) not in used], group=True)
            return
        if seg.truncated and head and self.source_shows_cells(seg):
            if head[-1] is _last_value(seg) and seg.next_label and canon(seg.next_label).startswith(head[-1].text):
                head = head[:-1]  # `2` where the text stops: the start of the label `2.…`
            if head and not any(a.val.dash or a.val.run for a in head) and len(head) < len(first):
                self.assign(first[:len(head)], head)
                self.out.trouble[(seg.table.key, first[0].row)] = phrase("cut-numbers", got=len(head), want=len(first))
                self.missing_rows(seg, groups[1:], phrase("cut"))
                return
        if len(groups) == 1 and not seg.truncated and not any(a.kind in "VTE" for a in seg.atoms):
            self.out.empty.append(first)
        n = len([a for a in seg.atoms if a.kind == "V"]) if len(groups) == 1 else len(head)
        why = phrase("count-read", want=len(first), n=n) if not n else phrase(
            "count-read-values", want=len(first), n=n, values=quoted(seg.atoms))
        self.out.trouble.setdefault((seg.table.key, first[0].row), why)
        self.missing_rows(seg, groups[1:], phrase("cut" if seg.truncated else "no-label"))

    def source_shows_cells(self, seg: Segment) -> bool:
        """Whether the source keeps a row's cells apart (table rows, `|`, tabs): then the cells
        before a cut are in their places; in running text a blank cell leaves no trace."""
        return self.shows_cells

    def missing_rows(self, seg: Segment, groups: list[list[Field]], why: Phrase) -> None:
        for g in groups:
            self.out.trouble.setdefault((seg.table.key, g[0].row), why)

    def fit_cells(self, seg: Segment) -> None:
        """One cell per line: the first cells after a label are its row's, an empty line an
        empty cell; the lines after them are fillers (`|`) or the cells of rows whose labels
        are missing."""
        groups = _rows(seg.fields)
        first = groups[0]
        if not seg.own_row:
            self.missing_rows(seg, groups, phrase("no-label"))
            return
        cells: list[Atom] = []
        for a in seg.atoms:
            if a.kind == "S" and not cells:
                continue  # the filler after a header row
            if a.kind in "TLS" or len(cells) == len(first):
                break
            if a.kind in "VE":
                cells.append(a)
        if any(a.kind == "V" and (a.val.dash or a.val.run) for a in cells) and len(cells) < len(first):
            cells = []
        later = [a for a in seg.atoms[seg.atoms.index(cells[-1]) + 1:]] if cells else seg.atoms
        collapsed = next((a for a in later if a.kind == "S"), None) if len(cells) < len(first) else None
        if len(cells) == len(first) or (seg.truncated and cells and collapsed is None):
            if len(cells) < len(first) and cells[-1] is _last_value(seg) and seg.next_label and \
                    canon(seg.next_label).startswith(cells[-1].text):
                cells = cells[:-1]
            self.assign(first[:len(cells)], cells)
            if len(cells) < len(first):
                self.out.trouble[(seg.table.key, first[0].row)] = phrase("cut-cells", got=len(cells), want=len(first))
            self.missing_rows(seg, groups[1:], phrase("cut" if seg.truncated else "no-label"))
            used = {id(a) for a in cells}
            self.stray(seg, [a for a in later if a.kind in "VT" and id(a) not in used and len(groups) == 1], group=True)
            return
        n = sum(a.kind == "V" for a in cells)
        why = phrase("count-read", want=len(first), n=n) if not n else phrase(
            "count-read-values", want=len(first), n=n, values=quoted(cells))
        if collapsed is not None:
            why = Join((why, phrase("collapsed", text=collapsed.text)), "；")
        self.out.trouble.setdefault((seg.table.key, first[0].row), why)
        self.missing_rows(seg, groups[1:], phrase("cut" if seg.truncated else "no-label"))

    def fit_rows(self, seg: Segment) -> list[tuple[list[Field], list[Atom]]] | None:
        """Where the source shows rows: each spec row's cells are the trailing value and empty
        cells of one source row (empty cells before them are rowspan placeholders)."""
        chunks: list[list[Atom]] = [[]]
        for a in seg.atoms:
            if a.kind == "B":
                chunks.append([])
            else:
                chunks[-1].append(a)
        if len(chunks) == 1 and not any(a.kind == "E" for a in chunks[0]):
            return None
        # A row printed all blank is all empty cells; otherwise the row holds some number.
        any_value = any(a.kind == "V" for a in seg.atoms)
        out = []
        ci = 0
        for _, g in itertools.groupby(seg.fields, key=lambda f: f.row):
            group = list(g)
            while ci < len(chunks):
                chunk = chunks[ci]
                ci += 1
                tail: list[Atom] = []
                for a in reversed(chunk):
                    if a.kind not in "VE":
                        break
                    tail.insert(0, a)
                while len(tail) > len(group) and tail[0].kind == "E":
                    tail.pop(0)
                while len(tail) > len(group) and tail[-1].kind == "E":
                    tail.pop()
                if len(tail) == len(group) and (not any_value or any(a.kind == "V" for a in tail)):
                    out.append((group, tail))
                    break
            else:
                return None
        return out

    def assign(self, fields: list[Field], cells: list[Atom]) -> None:
        for f, a in zip(fields, cells):
            self.out.placed[f.key] = a.val if a.kind == "V" else Val("", None)

    def stray(self, seg: Segment, atoms: list[Atom], group: bool = False) -> None:
        if seg.fields and any(a.kind == "V" for a in atoms):
            self.out.leftover.add((seg.table.key, seg.fields[0].row))
        after = _short(seg.after)
        if group and atoms:
            # What follows a row's cells: a row the official table does not have (其他主动公开文件),
            # or the start of a cut-off row; one finding, quoted.
            shown = " ".join(a.text if a.kind == "V" or len(a.text) <= 24 else a.text[:24] + "…" for a in atoms)
            shown = "“" + (shown if len(shown) <= 160 else shown[:160] + "…") + "”"
            self.out.findings.append(Finding.of("I-CELL", sheet=seg.table.sheet, actual=shown,
                                                reason="after-row" if not seg.truncated else "after-cut",
                                                params={"after": after}))
            return
        for a in atoms:
            self.out.findings.append(Finding.of("I-CELL", sheet=seg.table.sheet, actual="“" + a.text + "”",
                                                **({"reason": "after", "params": {"after": after}} if after else {})))

def _short(text: str, limit: int = 30) -> str:
    """A label as quoted in a message: a long filling note in it shortened."""
    return text if len(text) <= limit else text[:limit] + "…"


def _rows(fields: list[Field]) -> list[list[Field]]:
    return [list(g) for _, g in itertools.groupby(fields, key=lambda f: f.row)]


def _one_row(seg: Segment) -> bool:
    """A segment that is one row of the table after its own label."""
    return bool(seg.fields) and seg.own_row and not seg.truncated and len({f.row for f in seg.fields}) == 1


def _number_lines(atoms: list[Atom]) -> list[list[Atom]]:
    """The source lines (between B atoms) made of numbers only, while there are only such lines."""
    out: list[list[Atom]] = [[]]
    for a in atoms:
        if a.kind == "B":
            out.append([])
        elif a.kind == "V":
            out[-1].append(a)
        else:
            break
    return [x for x in out if x]


def _last_value(seg: Segment) -> Atom | None:
    return next((a for a in reversed(seg.atoms) if a.kind == "V"), None)


def _fragment(text: str, labels: set[str]) -> bool:
    """Text made only of pieces of the table's labels (a header split over lines in PDF text)."""
    words = text.split()
    return bool(words) and all(len(w) <= 4 and any(canon(w) in lb for lb in labels) for w in words)
