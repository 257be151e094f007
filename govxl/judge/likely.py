"""The rules as linear equations over the cells a source supplies, and the likely wrong cell.

Every cell the source supplies is a variable: the inputs, and the totals it states (printed in a
document; a constant typed over a workbook's formula). A total it does not supply is the sum of
its parts. A sum or balance is then `Σ coef × cell = 0`.

When rules break, the likely cell is the one cell whose change would make every broken rule hold
while every rule that held still holds: it lies in every broken rule, each needs the same change
of it, and no rule that held contains it. It is named only when exactly one cell fits (a digit
mistyped in one cell breaks its row's sum and its column's sum; the cell where they cross).
"""

from __future__ import annotations

from ..numbers import TOLERANCE
from ..spec import Edition, per_edition
from .data import Key, Sum
from .rules import parts_of

Terms = dict[Key, float]

_shared = per_edition(lambda edition: {})
_totals = per_edition(lambda edition: tuple(f.key for f in edition.fields if f.is_total))


class Linear:
    """The data's cells as variables: expansion of a field into supplied cells, and evaluation."""

    def __init__(self, edition: Edition, numbers: dict[Key, float], unknown: dict[Key, str], group: dict[Key, int],
                 sums: list[Sum]) -> None:
        self.edition, self.numbers, self.unknown, self.group, self.sums = edition, numbers, unknown, group, sums
        self._memo: dict | None = None

    def _memos(self) -> dict:
        """The expansions depend only on which totals are cells of their own (supplied, unknown or
        in a sum): shared by every report of the edition with the same such totals (a workbook's
        formulas: none), so that a batch expands them once."""
        if self._memo is None:
            own = frozenset(k for k in _totals(self.edition) if k in self.numbers or k in self.unknown
                            or k in self.group)
            memos = _shared(self.edition)
            if len(memos) > 64:
                memos.clear()
            self._memo = memos.setdefault(own, {"own": own, "expand": {}, "terms": {}})
        return self._memo

    def expand(self, key: Key) -> Terms:
        memo = self._memos()
        hit = memo["expand"].get(key)
        if hit is not None:
            return hit
        parts = parts_of(self.edition, key)
        if parts is None or key in memo["own"]:
            out = {key: 1.0}
        else:
            out: Terms = {}
            for p in parts:
                for v, c in self.expand(p).items():
                    out[v] = out.get(v, 0.0) + c
        memo["expand"][key] = out
        return out

    def terms(self, left, right) -> Terms:
        """`Σ left − Σ right` over supplied cells (coefficients that cancel are dropped)."""
        memo = self._memos()["terms"]
        hit = memo.get((left, right))
        if hit is not None:
            return hit
        out: Terms = {}
        for keys, sign in ((left, 1.0), (right, -1.0)):
            for k in keys:
                for v, c in self.expand(k).items():
                    out[v] = out.get(v, 0.0) + sign * c
        memo[(left, right)] = out = {v: c for v, c in out.items() if abs(c) > 1e-9}
        return out

    def value(self, terms: Terms) -> tuple[float, list[Key]]:
        """Σ coef × value, and the cells that stop it (unknown, or in a sum the terms do not hold whole)."""
        total, blockers, touched = 0.0, [], {}
        for v, c in terms.items():
            if v in self.unknown:
                blockers.append(v)
            elif v in self.group:
                touched.setdefault(self.group[v], []).append((v, c))
            else:
                total += c * self.numbers.get(v, 0)
        for g, items in touched.items():
            members = [k for k in self.sums[g].cells if k in self.group]
            coefs = {round(c, 9) for _, c in items}
            if len(items) == len(members) and len(coefs) == 1:
                total += items[0][1] * self.sums[g].figure
            else:
                blockers += [v for v, _ in items]
        return total, blockers

    def settle(self, left, right) -> tuple[list[Key], float, float]:
        """(blockers, Σ left, Σ right) of an equation; blockers empty when it can be judged."""
        _, blockers = self.value(self.terms(left, right))
        if blockers:
            return blockers, 0.0, 0.0
        lv, _ = self.value(self.terms(left, ()))
        rv, _ = self.value(self.terms(right, ()))
        return [], lv, rv


def likely_cell(lin: Linear, broken: list[tuple], held: list[tuple]) -> Key | None:
    """The one supplied cell whose change makes every broken equation hold and keeps every held one."""
    eqs = [(t, lin.value(t)[0]) for t in (lin.terms(*sides) for sides in broken)]
    in_held: set[Key] = set()
    for sides in held:
        in_held.update(lin.terms(*sides))
    first, r0 = eqs[0]
    fits = []
    for x, c0 in first.items():
        if x in in_held or x in lin.unknown or x in lin.group:
            continue
        delta = -r0 / c0
        if abs(delta) <= TOLERANCE:
            continue
        if all(x in t and abs(r + t[x] * delta) <= TOLERANCE * max(1.0, abs(r)) for t, r in eqs):
            fits.append(x)
            if len(fits) > 1:
                return None
    return fits[0] if fits else None
