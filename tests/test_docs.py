"""Every command has help text and is documented in README.md (as sqlite-utils' test_docs does); docs/format.md
agrees with the edition specs and the catalogue."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import typer.main

from govxl.catalogue import CATALOGUE as RULES
from govxl.cli import app
from govxl.spec import edition_ids, load_edition, range_name, templates_dir

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands


def test_there_are_commands():
    assert {"new", "check"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_has_help_text(name):
    cmd = COMMANDS[name]
    assert cmd.help and cmd.help.strip(), f"govxl {name} has no help text (its docstring)"
    for param in cmd.params:
        if param.name != "help":
            assert getattr(param, "help", None), f"govxl {name}: {param.name} has no help text"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_appears_in_readme(name):
    assert re.search(rf"(?<![\w-])govxl {re.escape(name)}\b", README), f"README.md does not document `govxl {name}`"


# ------------------------------------------------------------------ docs/format.md agrees with the specs
FORMAT = (Path(__file__).resolve().parent.parent / "docs" / "format.md").read_text(encoding="utf-8")
RULE_ID = re.compile(r"\b(?:[TVSXRI]\d?-[A-Z0-9]+|ROLL|AGG-[A-Z]+)\b")


def format_sections() -> list[tuple[str, str]]:
    """(heading, body) of each `## ` section of docs/format.md."""
    parts = re.split(r"^## (.+)$", FORMAT, flags=re.M)
    return list(zip(parts[1::2], parts[2::2]))


def spec_rule_ids() -> set[str]:
    """Every rule an edition spec applies: its `rules`, the rule of each total, cross-year relation,
    report figure (R-TEXT) and mention (R-FEE); R-SECTION whenever it has a [report]."""
    out: set[str] = set()
    for ed in map(load_edition, edition_ids()):
        out |= set(ed.rules) | {x.rule for x in ed.cross_year}
        out |= {s.rule for t in ed.tables for s in t.sums} | {"T3-BAL" for t in ed.tables if t.balances}
        if ed.report is not None:
            out |= {m.rule for m in ed.report.mentions} | {"R-SECTION"} | ({"R-TEXT"} if ed.report.figures else set())
    return out


def test_format_doc_documents_every_rule_of_the_specs_with_its_catalogue_severity():
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (\S+) \|.*\| (error|warning|info) \|$", FORMAT, flags=re.M)}
    assert spec_rule_ids() <= set(rows), f"docs/format.md does not document {sorted(spec_rule_ids() - set(rows))}"
    for rule, severity in rows.items():
        assert rule in RULES, f"docs/format.md documents {rule}, which govxl/catalogue.py does not know"
        assert RULES[rule].severity == severity, f"{rule}: docs/format.md says {severity}, the catalogue {RULES[rule].severity}"
    unknown = set(RULE_ID.findall(FORMAT)) - set(RULES)
    assert not unknown, f"docs/format.md names unknown rules: {sorted(unknown)}"


def test_format_doc_labels_are_where_the_spec_puts_them():
    """A `label` followed by (A1:C3) in docs/format.md is that edition's label at that table-relative
    range (sections about 2019 are checked against the 2019 spec, the others against 2021)."""
    seen = 0
    for heading, body in format_sections():
        ed = load_edition("2019" if "2019" in heading and "2021" not in heading else "2021")
        placed = {(lb.text, range_name(lb.row - t.origin[0], lb.col - t.origin[1], lb.last_row - t.origin[0],
                                       lb.last_col - t.origin[1]))
                  for t in ed.tables for lb in t.labels}
        for m in re.finditer(r"`([^`]+)` \(([A-Z]+\d+(?::[A-Z]+\d+)?)\)", body):
            assert (m.group(1), m.group(2)) in placed, f"{heading}: {m.group(0)} is not in templates/{ed.id}.toml"
            seen += 1
    assert seen >= 50


def test_format_doc_quotes_only_official_text():
    """Every Chinese string in `code` in docs/format.md is an official label, heading or placeholder of
    an edition spec, or a variant listed in templates/import.toml."""
    official: set[str] = set()
    for ed in map(load_edition, edition_ids()):
        official |= {lb.text for t in ed.tables for lb in t.labels} | {t.title for t in ed.tables}
        official |= {s.heading for s in ed.report.sections} | {ed.fee_placeholder}
    variants = tomllib.loads((templates_dir() / "import.toml").read_text(encoding="utf-8"))["variants"]
    official |= {seen for v in variants for seen in v["seen"]}
    quoted = [s for s in re.findall(r"`([^`\n]+)`", FORMAT) if len(re.findall(r"[\u4e00-\u9fff]", s)) >= 2]
    assert len(quoted) >= 50
    assert not [s for s in quoted if s not in official]


def test_format_doc_sizes_are_the_specs():
    for ed in map(load_edition, edition_ids()):
        col = 1 if ed.id == "2021" else 2
        for t in ed.tables:
            row = re.search(rf"^\| {re.escape(t.title)} \|(.+)\|$", FORMAT, flags=re.M)
            assert row, t.title
            assert row.group(1).split("|")[col - 1].strip() == f"{t.size[0]} × {t.size[1]}", (ed.id, t.title)
