"""Split digits whose cell boundaries were lost: `801000081` -> 80 1 0 0 0 0 81.

Text copied from a PDF often runs a row's numbers together.  The table's own arithmetic
decides where the boundaries were: first the row's own totals (T3-COL, T4-SUM) while the
row is split, then the column sums and balances (T3-SUM, T3-BAL) across rows.  A run is
split only when exactly one reading is possible; otherwise the caller reports it.  Every
search runs on a budget: when it is spent, the answer is “cannot tell”, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .text import Val

MAX_DIGITS = 9  # no count reaches a billion (rules.MAX_COUNT)
CANDIDATE_CAP = 200

Cell = Decimal | int | None
Reading = tuple[Cell, ...]
# A linear identity sum(coeff * cell) == 0, over positions (within a row) or keys (across rows).
Identity = Sequence[tuple[object, int]]


IMPOSSIBLE = object()  # a cell that no digits can fill (an identity wants a fraction)


class TooMany(Exception):
    """The search ran out of budget."""


class Budget:
    """Search steps left; a child budget also charges its parent."""

    def __init__(self, steps: int, parent: Budget | None = None) -> None:
        self.left = steps
        self.parent = parent

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise TooMany
        if self.parent is not None:
            self.parent.spend()

    def child(self, steps: int) -> Budget:
        return Budget(min(steps, self.left), self)


def _val(c: Cell) -> Decimal | int:
    return 0 if c is None else c


def _exact(d: Decimal | None) -> Cell:
    """Whole numbers as int: the search adds millions of them."""
    return int(d) if d is not None and d == d.to_integral_value() else d


def _bare(v: Val) -> str:
    return v.text[: -len(v.unit)] if v.unit and v.text.endswith(v.unit) else v.text


def _digits(v: Val) -> str:
    """The whole-number digits of a run (without its minus, decimals and unit)."""
    return _bare(v).lstrip("-").split(".")[0]


def _decimals(v: Val) -> str:
    t = _bare(v)
    return "." + t.split(".", 1)[1] if "." in t else ""


def readings(vals: Sequence[Val], k: int, identities: Sequence[Identity] = (), budget: Budget | None = None,
             negative: Sequence[bool] | None = None) -> list[Reading]:
    """Every way to read `vals` as exactly `k` cells: a run of digits may be several cells
    (no leading zeros, at most MAX_DIGITS digits each); a dash is a blank cell or the minus of
    the next cell; any other value is one cell.  Each reading satisfies `identities` (over cell
    positions 0..k-1) and has negative numbers only where `negative[i]`.  Raises TooMany."""
    budget = budget or Budget(50_000)
    negative = negative or [True] * k
    last = vals[-1] if vals else None
    if k and last and last.run and not last.text.startswith("-") and not _decimals(last) and not last.unit and \
            any(max(i for i, _ in c) == k - 1 for c in identities):
        # The row ends in a total (总计): take it from the end of the last run first, so that
        # the parts are searched against a known sum instead of every way of cutting them.
        out: list[Reading] = []
        s = last.text
        for length in range(1, min(MAX_DIGITS, len(s)) + 1):
            tail, head = s[-length:], s[:-length]
            if length > 1 and tail[0] == "0":
                continue
            front = [Val(head, Decimal(head), run=len(head) > 1)] if head else []
            out += _readings([*vals[:-1], *front, Val(tail, Decimal(tail))], k, identities, budget,
                             {k - 1: int(tail)}, negative)
        return out
    return _readings(vals, k, identities, budget, {}, negative)


def _readings(vals: Sequence[Val], k: int, identities: Sequence[Identity], budget: Budget,
              known: dict[int, int], negative: Sequence[bool]) -> list[Reading]:
    n = len(vals)
    # With no negative values, an identity total - parts = 0 whose total is known fails as soon
    # as the parts read so far exceed it.
    bounded = all(not v.dash and (v.number is None or v.number >= 0) for v in vals)
    touching: dict[int, list[Identity]] = {}
    for c in identities:
        for i, _ in c:
            touching.setdefault(i, []).append(c)
    cap = [len(_digits(v)) if v.run else 1 for v in vals]
    max_after = [0] * (n + 1)
    min_after = [0] * (n + 1)  # a dash may be no cell (a minus sign)
    for t in range(n - 1, -1, -1):
        max_after[t] = max_after[t + 1] + cap[t]
        min_after[t] = min_after[t + 1] + (0 if vals[t].dash else 1)
    due: dict[int, list[Identity]] = {}
    for c in identities:
        due.setdefault(max(i for i, _ in c), []).append(c)
    out: list[Reading] = []
    cells: list[Cell] = []

    whole = [c for c in identities if len(c) == k and all(coef < 0 for j, coef in c if j not in known)]
    digits_only = bounded and all(v.run or v.number is None or (len(v.text) == 1 and v.text.isdigit())
                                  for v in vals[:-1])

    def reachable(digits_left: int, t_next: int) -> bool:
        """Can the cells still to read reach the known total? Their sum is at most one long
        piece and single digits (a split never adds up to more)."""
        if not digits_only or not whole:
            return True
        m = k - len(cells) - len(known)
        r = digits_left + max_after[t_next] - (1 if known and t_next < n else 0)  # the total's token
        if m <= 0 or r < m:
            return True
        most = min(10 ** min(MAX_DIGITS, r - m + 1) - 1 + 9 * (m - 1), m * (10 ** MAX_DIGITS - 1))
        for c in whole:
            rest = sum(coef * (_val(cells[j]) if j < len(cells) else known[j]) for j, coef in c
                       if j < len(cells) or j in known)
            if rest > most:
                return False
        return True

    def holds() -> bool:
        i = len(cells) - 1
        if i >= k or (cells[i] is not None and cells[i] < 0 and not negative[i]):
            return False
        if not all(sum(coef * _val(cells[j]) for j, coef in c) == 0 for c in due.get(i, ())):
            return False
        if bounded:
            for c in touching.get(i, ()):
                rest = 0
                for j, coef in c:
                    if j < len(cells):
                        rest += coef * _val(cells[j])
                    elif j in known:
                        rest += coef * known[j]
                    elif coef > 0:
                        break
                else:
                    if rest < 0:
                        return False
        return True

    def forced(i: int) -> object:
        """The value cell i must have if an identity completes there: None if free,
        IMPOSSIBLE if the identity wants a fraction."""
        for c in due.get(i, ()):
            own = sum(coef for j, coef in c if j == i)
            rest = sum(coef * _val(cells[j]) for j, coef in c if j != i)
            if own == 0:
                continue
            v, r = divmod(-rest, own)
            return IMPOSSIBLE if r else int(v)
        return None

    def fits(t_next: int, digits_left: int) -> bool:
        need_min = (1 if digits_left else 0) + min_after[t_next]
        return len(cells) + need_min <= k <= len(cells) + digits_left + max_after[t_next]

    def token(t: int, minus: bool = False) -> None:
        budget.spend()
        if t == n:
            if len(cells) == k and not minus:
                out.append(tuple(cells))
                if len(out) > CANDIDATE_CAP:
                    raise TooMany
            return
        v = vals[t]
        if v.dash:
            if minus:
                return
            cells.append(None)  # a blank mark
            if fits(t + 1, 0) and holds():
                token(t + 1)
            cells.pop()
            if t + 1 < n and vals[t + 1].number is not None and not vals[t + 1].text.startswith("-"):
                token(t + 1, minus=True)  # the next cell's minus sign
        elif not v.run:
            if minus and v.number is None:
                return
            cells.append(_exact(-v.number if minus else v.number))
            if fits(t + 1, 0) and holds():
                token(t + 1)
            cells.pop()
        else:
            piece(t, _digits(v), 0, minus or v.text.startswith("-"), _decimals(v))

    def piece(t: int, s: str, pos: int, minus: bool = False, frac: str = "") -> None:
        if pos == len(s):
            token(t + 1)
            return
        must = None if frac else forced(len(cells))
        if must is None:
            lengths: Sequence[int] = range(1, min(MAX_DIGITS, len(s) - pos) + 1)
        else:
            ok = must is not IMPOSSIBLE and (must <= 0 if minus else must >= 0)  # type: ignore[operator]
            want = str(abs(must)) if ok else ""  # type: ignore[arg-type]
            lengths = [len(want)] if ok and s.startswith(want, pos) else []
        for length in lengths:
            p = s[pos: pos + length]
            if length > 1 and p[0] == "0":
                break
            budget.spend()
            value = _exact(Decimal(p + frac)) if frac and pos + length == len(s) else int(p)
            cells.append(-value if minus else value)
            if fits(t + 1, len(s) - pos - length) and holds() and reachable(len(s) - pos - length, t + 1):
                piece(t, s, pos + length, frac=frac)
            cells.pop()

    if n and fits(0, 0):
        token(0)
    return out


def count_readings(vals: Sequence[Val], k: int, cap: int = 2) -> int:
    """How many readings `readings(vals, k)` has without identities (counted up to `cap`)."""
    dist = {0: 1}
    for v in vals:
        opts = _split_counts(_digits(v), cap) if v.run else {0: 1, 1: 1} if v.dash else {1: 1}
        new: dict[int, int] = {}
        for a, wa in dist.items():
            for b, wb in opts.items():
                if a + b <= k:
                    new[a + b] = min(cap, new.get(a + b, 0) + wa * wb)
        dist = new
    return dist.get(k, 0)


def _split_counts(s: str, cap: int) -> dict[int, int]:
    ways: list[dict[int, int]] = [{} for _ in range(len(s) + 1)]
    ways[0] = {0: 1}
    for pos in range(len(s)):
        for length in range(1, min(MAX_DIGITS, len(s) - pos) + 1):
            if length > 1 and s[pos] == "0":
                break
            for j, w in ways[pos].items():
                ways[pos + length][j + 1] = min(cap, ways[pos + length].get(j + 1, 0) + w)
    return ways[len(s)]


def possible(options: Sequence[Sequence[Reading]], keys: Sequence[Sequence[object]], fixed: dict[object, Cell],
             identities: Sequence[Identity], budget: Budget) -> list[set[int]]:
    """For each ambiguous row, the readings that fit into some reading of all rows together
    with the known cells `fixed` under `identities` (across rows).  A reading whose search
    runs out of budget counts as possible.  Identities that need a cell that is neither
    known nor in an ambiguous row are not used."""
    n = len(options)
    where = {key: s for s, ks in enumerate(keys) for key in ks}
    base: list[Decimal | int] = []
    contrib: list[dict[int, list[Decimal | int]]] = []
    for c in identities:
        rows = {where[k] for k, _ in c if k in where}
        if not rows or not all(k in where or k in fixed for k, _ in c):
            continue
        base.append(sum(coef * _val(_exact(fixed[k])) for k, coef in c if k not in where))
        per: dict[int, list[Decimal | int]] = {}
        for s in rows:
            pos = {k: j for j, k in enumerate(keys[s])}
            terms = [(pos[k], coef) for k, coef in c if k in pos]
            per[s] = [sum(coef * _val(o[j]) for j, coef in terms) for o in options[s]]
        contrib.append(per)
    of_row = [[ci for ci, per in enumerate(contrib) if s in per] for s in range(n)]

    def search(restrict: dict[int, int], steps: Budget) -> list[int] | None:
        domains = [[restrict[s]] if s in restrict else list(range(len(options[s]))) for s in range(n)]
        order = sorted(range(n), key=lambda s: len(domains[s]))
        partial = list(base)
        lo = [sum(min(per[s][i] for i in domains[s]) for s in per) for per in contrib]
        hi = [sum(max(per[s][i] for i in domains[s]) for s in per) for per in contrib]
        if any(not (p + a <= 0 <= p + b) for p, a, b in zip(partial, lo, hi)):
            return None
        picks = [0] * n

        def dfs(d: int) -> bool:
            if d == n:
                return True
            s = order[d]
            mins = {ci: min(contrib[ci][s][i] for i in domains[s]) for ci in of_row[s]}
            maxs = {ci: max(contrib[ci][s][i] for i in domains[s]) for ci in of_row[s]}
            for ci in of_row[s]:
                lo[ci] -= mins[ci]
                hi[ci] -= maxs[ci]
            found = False
            for i in domains[s]:
                steps.spend()
                for ci in of_row[s]:
                    partial[ci] += contrib[ci][s][i]
                if all(partial[ci] + lo[ci] <= 0 <= partial[ci] + hi[ci] for ci in of_row[s]):
                    picks[s] = i
                    found = dfs(d + 1)
                for ci in of_row[s]:
                    partial[ci] -= contrib[ci][s][i]
                if found:
                    break
            for ci in of_row[s]:
                lo[ci] += mins[ci]
                hi[ci] += maxs[ci]
            return found

        return picks if dfs(0) else None

    seen: list[set[int]] = [set() for _ in range(n)]
    for s in range(n):
        for i in range(len(options[s])):
            if i in seen[s]:
                continue
            try:
                sol = search({s: i}, budget.child(20_000))
            except TooMany:
                seen[s].add(i)  # cannot tell: keep it possible
                continue
            if sol is not None:
                for r, j in enumerate(sol):
                    seen[r].add(j)
    return seen
