"""govxl render -> govxl import returns the same data: HTML and Markdown, every edition,
over many generated reports (issue 9's round trip through the real renderer)."""

from __future__ import annotations

import random

import pytest
from helpers import random_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govxl
from govxl.importer import import_report
from govxl.render import render_report
from govxl.spec import edition_ids, load_edition


@pytest.mark.parametrize("edition", edition_ids())
@pytest.mark.parametrize("to", ["html", "md"])
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_render_then_import_gives_back_every_number(tmp_path_factory, edition, to, seed):
    ed = load_edition(edition)
    inputs = random_values(ed, random.Random(seed))
    d = tmp_path_factory.mktemp("rt")
    book = govxl.new(d / "r.xlsx", edition=edition, values=inputs, agency="测试县人民政府办公室", year=ed.first_year + 1)
    report = govxl.check(book)
    assert report.ok()
    rendered = render_report(report, to, d / f"r.{to}").path
    back = import_report(rendered)
    assert back.edition.id == edition and back.complete
    assert (back.agency, back.year) == ("测试县人民政府办公室", ed.first_year + 1)
    for f in ed.fields:
        assert back.values[f.key] == pytest.approx(report.values[f.key]), (f.sheet, f.cell)
