"""Loading an edition spec validates it: a malformed spec is a clear error naming the key."""

from __future__ import annotations

import re

import pytest

from govxl.errors import SpecError
from govxl.spec import Edition, load_edition, parse_edition, templates_dir


def spec_text(edition: str = "2021") -> str:
    return (templates_dir() / f"{edition}.toml").read_text(encoding="utf-8")


def test_every_shipped_spec_loads_and_is_consistent(ed: Edition):
    assert ed.tables and ed.rules
    cells = [(t.sheet, f.cell) for t in ed.tables for f in t.fields]
    assert len(cells) == len(set(cells))
    for t in ed.tables:
        for f in t.fields:
            r1, c1, r2, c2 = t.bounds
            assert r1 <= f.row <= r2 and c1 <= f.col <= c2
            assert f.col_label, f"{t.key} {f.row_key}×{f.col_key} has no column label"
        for s in t.sums:
            assert s.rule in ed.rules


def test_a_spec_is_loaded_once_per_process_and_derived_once_per_edition(ed: Edition):
    """A batch of thousands checks against one Edition object: loading or deriving it per file
    costs ~30 ms and ~300 KB a file (it happened once, and the benchmark showed 3 GB on 10,000 files)."""
    from govxl.judge import rules
    from govxl.sources import workbook_identity

    assert load_edition(ed.id) is load_edition(ed.id)
    assert workbook_identity.check_plan(ed) is workbook_identity.check_plan(ed)
    assert rules._derived(ed) is rules._derived(ed)


def test_fingerprint_is_stable_and_layout_sensitive():
    base = parse_edition(spec_text())
    again = parse_edition(spec_text())
    changed = parse_edition(spec_text().replace('text = "行政许可"', 'text = "行政许可 "'))
    assert base.fingerprint == again.fingerprint != changed.fingerprint


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.replace('header_rows = 2\nlabels', 'header_rows = 2\ncolour = "red"\nlabels', 1),
     r"tables\[0\]: 未知的键 colour"),
    (lambda s: s.replace('{ key = "commercial", col = "E" }', '{ key = "natural_person", col = "E" }'),
     r"tables\[1\]\.blocks\[0\]\.cols: 键重复：natural_person"),
    (lambda s: s.replace('{ at = "E3", text = "商业企业" }', '{ at = "D3:E3", text = "商业企业" }'), r"重叠"),
    (lambda s: s.replace('{ at = "I3", text = "其他" }', '{ at = "K3", text = "其他" }'), r"labels\[\d+\]: 超出表格范围"),
    (lambda s: s.replace('sum = "natural_person:other_org"', 'sum = "natural_person:nobody"'), r"sum 引用了未知的键"),
    (lambda s: s.replace('{ key = "carry_forward", row = 28 }', '{ key = "carry_forward", row = 29 }'), r"超出表格范围"),
    (lambda s: s.replace('rule = "T3-SUM"', 'rule = "T9-XYZ"'), r"规则 T9-XYZ 未列入 edition.rules"),
    (lambda s: s.replace('"T4-SUM", "V-INT"', '"T4-SUM", "NOPE", "V-INT"'), r"edition.rules: 未知的规则编号 NOPE"),
    (lambda s: s.replace('right = ["results.total", "carry_forward"]', 'right = ["results.total", "nowhere"]'),
     r"balances\[0\]: 引用了未知的行 nowhere"),
    (lambda s: s.replace('kind = "amount"', 'kind = "money"'), r"kind 应为"),
    (lambda s: s + "\n[oops\n", r"TOML 语法错误"),
])
def test_malformed_spec_is_a_clear_error(edit, message):
    text = edit(spec_text())
    assert text != spec_text() or "oops" in text
    with pytest.raises(SpecError) as exc:
        parse_edition(text, source="2021.toml")
    assert str(exc.value).startswith("2021.toml")
    assert re.search(message, str(exc.value)), str(exc.value)


def test_no_label_is_written_in_python(ed: Edition):
    """The spec is the only source of official labels: no Python module spells one out."""
    import govxl

    pkg = templates_dir().parent / "govxl" if (templates_dir().parent / "govxl").is_dir() else None
    root = pkg or next(iter(govxl.__path__))
    parsed = parse_edition(spec_text(ed.id))
    labels = {lb.text for t in parsed.tables for lb in t.labels if len(lb.text) >= 6}
    if parsed.report is not None:
        labels |= {s.heading for s in parsed.report.sections}  # the report's section headings too
    for py in __import__("pathlib").Path(root).rglob("*.py"):
        source = py.read_text(encoding="utf-8")
        leaked = [lb for lb in labels if lb in source]
        assert not leaked, f"{py.name} spells out official labels: {leaked[:3]}"
