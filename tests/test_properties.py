"""Property tests: any consistent table passes; any single perturbation is caught by the right rule,
at the perturbed cell. Tables are generated from the spec, for every edition."""

from __future__ import annotations

import pytest
from helpers import fill_openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govxl
from govxl.judge.rules import check, evaluate
from govxl.spec import edition_ids, load_edition

EDITIONS = edition_ids()


@st.composite
def consistent(draw, edition_id: str):
    """Inputs (keyed like the spec) whose tables satisfy every identity."""
    ed = load_edition(edition_id)
    inputs = {}
    for f in ed.fields:
        if f.is_total:
            continue
        if f.kind == "amount":
            inputs[f.key] = draw(st.integers(0, 10**8)) / 10**6
        elif f.kind == "signed":
            inputs[f.key] = draw(st.integers(-50, 50))
        else:
            inputs[f.key] = draw(st.integers(0, 60))
    for t in ed.tables:
        for b in t.balances:
            # choose the left side's last row so that left == right in every part column
            free, fixed = b.left[-1], b.left[:-1]
            for col in b.cols:
                f = t.field(free, col)
                if f.is_total:
                    continue
                values = evaluate(ed, inputs)
                right = sum(values[(t.key, r, col)] for r in b.right)
                rest = sum(values[(t.key, r, col)] for r in fixed)
                if right - rest < 0:  # too much came in: move the surplus to carried-forward
                    inputs[(t.key, b.right[-1], col)] += rest - right
                    right = rest
                inputs[f.key] = right - rest
    return ed, inputs


def perturbable(ed, table_keys):
    return [f for f in ed.fields if not f.is_total and f.table in table_keys and f.kind == "count"]


@pytest.mark.parametrize("edition", EDITIONS)
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_consistent_tables_pass(edition, data):
    ed, inputs = data.draw(consistent(edition))
    assert check(ed, evaluate(ed, inputs)) == []


@pytest.mark.parametrize("edition", EDITIONS)
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_a_perturbed_input_breaks_the_balance_of_its_column(edition, data):
    """Workbook semantics: totals are formulas, so only the 勾稽关系 can break."""
    ed, inputs = data.draw(consistent(edition))
    balanced = {t.key for t in ed.tables if t.balances}
    f = data.draw(st.sampled_from(perturbable(ed, balanced)))
    delta = data.draw(st.integers(1, 9))
    inputs[f.key] += delta
    found = check(ed, evaluate(ed, inputs))
    t = ed.table(f.table)
    total_col = next(s.total for s in t.sums if s.axis == "col")
    assert {x.rule for x in found} == {"T3-BAL"}
    assert {x.cell.split(",")[0] for x in found} == {t.field(t.balances[0].left[0], c).cell for c in (f.col_key, total_col)}


@pytest.mark.parametrize("edition", EDITIONS)
@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_a_perturbed_published_figure_is_caught_where_it_sits(edition, data):
    """Published semantics (import, aggregate): totals are stated figures; change one input and
    every total that sums it disagrees, at exactly those total cells."""
    ed, inputs = data.draw(consistent(edition))
    stated = {f.key: v for f, v in ((f, evaluate(ed, inputs)[f.key]) for f in ed.fields) if f.is_total}
    f = data.draw(st.sampled_from(perturbable(ed, {t.key for t in ed.tables if t.sums})))
    inputs[f.key] += data.draw(st.integers(1, 9))
    found = check(ed, evaluate(ed, inputs, stated))
    t = ed.table(f.table)
    # Expected: every sum containing the cell, and every balance whose rows include it directly.
    want = set()
    for s in t.sums:
        for other in s.across:
            total, parts = s.cells(other)
            if (f.row_key, f.col_key) in parts:
                want.add((s.rule, t.field(*total).cell))
    for b in t.balances:
        if f.row_key in b.left + b.right:
            want.add((b.rule, ",".join(t.field(r, f.col_key).cell for r in b.left + b.right)))
    assert {(x.rule, x.cell) for x in found} == want
    assert want, "every perturbable cell is covered by some rule"


@pytest.mark.parametrize("edition", EDITIONS)
@given(data=st.data())
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_workbooks_round_trip_through_check(tmp_path_factory, edition, data):
    """Consistent workbooks pass govxl check; one perturbed cell fails T3-BAL at its column."""
    ed, inputs = data.draw(consistent(edition))
    d = tmp_path_factory.mktemp("wb")
    good = govxl.new(d / "good.xlsx", edition=edition, values=inputs, agency="甲", year=ed.first_year)
    report = govxl.check(good)
    assert report.findings == []
    assert all(report.values[k] == v for k, v in inputs.items())
    f = data.draw(st.sampled_from(perturbable(ed, {"requests"})))
    bad = fill_openpyxl(good, d / "bad.xlsx", ed, {f.key: inputs[f.key] + 1})
    found = govxl.check(bad).findings
    assert {x.rule for x in found} == {"T3-BAL"}
    assert f.col_label in {x.col_label for x in found}
