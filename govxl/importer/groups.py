"""Two shapes of a row the official table does not quite have (issue 23).

- A group of rows printed as one: a group label with one row of numbers for its sub-rows.
  Each column's figure is the sum of the sub-rows' cells: a known sum (govxl.judge.Sum), never
  a guess of which sub-row it belongs to.
- A row printed with no numbers at all (its label, then the next label): its cells are printed
  blank, when the rows after it were read (a page that lists every label before every number
  leaves each label empty too, and is not read this way).
"""

from __future__ import annotations

from .text import Val


def one_row_sum(placer, seg, groups) -> bool:
    """The label of a group of rows followed by exactly one row of numbers: record each column's
    figure as the sum of the group's cells in that column (placer.out.sums). True if so."""
    cols = [f.col for f in groups[0]]
    if len(groups) < 2 or any([f.col for f in g] != cols for g in groups):
        return False
    head = []
    for a in seg.atoms:
        if a.kind in "TL":
            break
        if a.kind == "E":
            return False
        if a.kind == "V":
            head.append(a)
    if len(head) != len(cols) or sum(a.kind == "V" for a in seg.atoms) != len(cols):
        return False
    if any(a.val.dash or a.val.run or a.val.number is None for a in head):
        return False
    for j, a in enumerate(head):
        placer.out.sums.append((tuple(g[j].key for g in groups), a.val))
    return True


def blank_rows(placer) -> None:
    """Rows printed with no numbers (placer.out.empty) are blank when a later row of their table
    was read with a number."""
    out, ed = placer.out, placer.ed
    for row in sorted(out.empty, key=lambda fs: (fs[0].table, fs[0].row)):
        t, r = row[0].table, row[0].row
        # ... and when the row above was read whole: numbers left over there may be this row's,
        # printed before its label (then the row is not read, never blank).
        above = max((f.row for f in ed.fields if f.table == t and f.row < r), default=None)
        if above is not None and ((t, above) in out.leftover or
                                  not all(f.key in out.placed for f in ed.fields if f.table == t and f.row == above)):
            continue
        if any(k[0] == t and ed.field(k).row > r and v.number is not None for k, v in out.placed.items()):
            for f in row:
                out.placed.setdefault(f.key, Val("", None))
            out.trouble.pop((t, r), None)
