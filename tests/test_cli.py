"""The command line as one piece: imports that go one way, the same option names on every command,
usage errors in the language asked for, file text always escaped, messages that lead right."""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from cli import run as invoke
from cli import run_process
from helpers import NANGUAN_2023, random_values, values
from said import said

import govxl
from govxl.cli import app

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "govxl"
COMMANDS = typer.main.get_command(app).commands


# ------------------------------------------------------------------ imports go one way
def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """The govxl modules `path` imports when it is imported (not the imports inside functions)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()

    def visit(body):
        for node in body:
            if isinstance(node, ast.Import):
                out.update(a.name for a in node.names if a.name.startswith("govxl"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                    + ([node.module] if node.module else []))
                if base.startswith("govxl"):
                    for a in node.names:  # `from . import x` imports the module x
                        sub = f"{base}.{a.name}"
                        out.add(sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists()
                                or (PACKAGE.parent / sub.replace(".", "/")).is_dir() else base)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                for h in getattr(node, "handlers", []):
                    visit(h.body)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return out - {name}


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): top_level_imports(p) for p in PACKAGE.rglob("*.py")}


def test_the_import_walker_sees_imports():
    graph = import_graph()
    assert "govxl.cli.app" in graph["govxl.cli.commands.check"]
    assert "govxl.errors" in graph["govxl.cli.app"]
    assert "govxl.cli.commands.new" in graph["govxl.cli.commands"]


def test_no_import_cycle():
    graph = import_graph()
    state: dict[str, int] = {}

    def walk(mod: str, trail: list[str]) -> None:
        state[mod] = 1
        for dep in sorted(graph.get(mod, ())):
            if state.get(dep) == 1:
                pytest.fail("import cycle: " + " -> ".join(trail[trail.index(dep):] + [dep]))
            if dep in graph and not state.get(dep):
                walk(dep, trail + [dep])
        state[mod] = 2

    for mod in sorted(graph):
        if not state.get(mod):
            walk(mod, [mod])


def test_nothing_imports_a_command_module():
    for mod, deps in import_graph().items():
        if mod != "govxl.cli.commands":
            assert not {d for d in deps if d.startswith("govxl.cli.commands.")}, f"{mod} imports a command"


def test_the_app_module_imports_no_command():
    assert not any(d.startswith("govxl.cli.commands") for d in import_graph()["govxl.cli.app"])


# ------------------------------------------------------------------ a layered base
# The bottom of govxl: modules that import nothing of govxl but its errors (not even inside a function).
BOTTOM = {"govxl.a1": set(), "govxl.numbers": set(), "govxl.safefile": {"govxl.errors"}}


def all_imports(path: Path) -> set[str]:
    """Every govxl module `path` imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("govxl"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.startswith("govxl"):
                out.add(base)
    return out - {name}


def test_the_walker_sees_imports_inside_functions():
    assert "govxl.writer" in all_imports(PACKAGE / "crossyear.py")  # `from .writer import write_workbook`, lazily
    assert "govxl.errors" in all_imports(PACKAGE / "reader" / "bounded.py")


@pytest.mark.parametrize("mod", sorted(BOTTOM))
def test_the_bottom_modules_import_nothing_above_them(mod):
    assert all_imports(PACKAGE.parent / (mod.replace(".", "/") + ".py")) <= BOTTOM[mod]


def test_the_reader_knows_nothing_of_the_specs():
    """The reader reads any workbook: it knows A1 addresses and its limits, never an edition."""
    allowed = {"govxl.errors", "govxl.a1", "govxl.numbers"}
    for path in (PACKAGE / "reader").rglob("*.py"):
        outside = {m for m in all_imports(path) if not m.startswith("govxl.reader")}
        assert outside <= allowed, (path.name, outside - allowed)
    assert not any(m.startswith("govxl.spec") for m in all_imports(PACKAGE / "reader" / "__init__.py"))


# ------------------------------------------------------------------ the road: sources → judge → report
# The report's data (govxl.report.findings: Report, Finding) is what the judge returns, so every layer may
# import it; nothing else of the report (outputs, marked copies, the page, the batch summary) below it.
ABOVE_THE_JUDGE = ("govxl.sources", "govxl.report", "govxl.importer", "govxl.session", "govxl.extras",
                   "govxl.crossyear", "govxl.aggregate", "govxl.export", "govxl.writer", "govxl.cli", "govxl.desk")
ABOVE_THE_SOURCES = ("govxl.report", "govxl.session", "govxl.extras", "govxl.crossyear", "govxl.aggregate",
                     "govxl.export", "govxl.writer", "govxl.cli", "govxl.desk")


def outside(path: Path, above: tuple[str, ...], own: str) -> set[str]:
    return {m for m in all_imports(path) if m.startswith(above) and not m.startswith(own)
            and m != "govxl.report.findings"}


def test_the_judge_knows_no_source_and_no_output():
    """One judge for every source: it takes plain data and returns a report, whoever made the data."""
    for path in (PACKAGE / "judge").rglob("*.py"):
        assert outside(path, ABOVE_THE_JUDGE, "govxl.judge") == set(), path.name


def test_a_source_knows_the_judge_but_no_output():
    """A source turns a file into the judge's data and its own findings; what is done with the report
    (marked copies, pages, summaries, sessions) is above it."""
    for path in (PACKAGE / "sources").rglob("*.py"):
        assert outside(path, ABOVE_THE_SOURCES, "govxl.sources") == set(), path.name
    assert "govxl.judge" in all_imports(PACKAGE / "sources" / "workbook.py")
    assert "govxl.judge" in all_imports(PACKAGE / "sources" / "imported.py")


def test_the_report_data_is_at_the_bottom():
    assert all_imports(PACKAGE / "report" / "findings.py") <= {"govxl.catalogue", "govxl.numbers"}


def test_the_check_command_goes_through_the_public_api():
    """`govxl check` runs as a library user would: govxl.check_many (not the session underneath)."""
    used = all_imports(PACKAGE / "cli" / "commands" / "check.py")
    assert "govxl" in used and not {m for m in used if m.startswith(("govxl.session", "govxl.sources"))}


def test_spec_and_reader_packages_keep_their_public_names():
    import govxl.reader as reader
    import govxl.spec as spec
    from govxl import a1

    for name in ("read_xlsx", "RawWorkbook", "RawSheet", "RawCell", "parse_xml", "parse_sheet_xml", "sniff", "M"):
        assert hasattr(reader, name), name
    for name in ("load_edition", "parse_edition", "edition_ids", "templates_dir", "per_edition", "load_cover",
                 "load_aggregate_sheet", "load_outputs", "Edition", "Table", "Field", "parse_cell", "range_name"):
        assert hasattr(spec, name), name
    assert spec.parse_cell is a1.parse_cell and spec.compress is a1.compress


def test_no_module_is_too_long():
    """Every module of govxl stays small enough to read (the issue's ~450 lines)."""
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}


def test_export_and_render_never_import_xlsxwriter(tmp_path):
    """Writing JSON, CSV, HTML, Markdown and Word costs no XlsxWriter import (a fresh interpreter)."""
    code = f"""
import sys
from pathlib import Path
import govxl.export as export, govxl.render as render
import govxl.render.html, govxl.render.markdown, govxl.render.word
from govxl.sources.workbook import check_file
src = Path({str(ROOT / "examples" / "nanguan-2023.xlsx")!r})
out = Path({str(tmp_path)!r})
items = export.load([src])
for to in ("json", "csv"):
    export.write_export(items, to, out / ("x." + to))
for to, ext in render.FORMATS.items():
    render.render_report(check_file(src), to, out / ("x" + ext))
print(sorted(p.name for p in out.iterdir()), "xlsxwriter" in sys.modules)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["['x.csv',", "'x.docx',", "'x.html',", "'x.json',", "'x.md']", "False"], r.stdout


# ------------------------------------------------------------------ the same options everywhere
def test_the_commands_are_all_there():
    assert list(COMMANDS) == ["new", "check", "export", "render", "aggregate", "import", "desk"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_takes_output_and_lang(name):
    opts = {o for p in COMMANDS[name].params for o in getattr(p, "opts", ())}
    assert {"-o", "--output", "--lang"} <= opts, f"govxl {name}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_out_is_a_hidden_alias(name):
    res = invoke(name, "--help")
    assert res.exit_code == 0
    assert "--output" in res.output and "--out " not in res.output and "--out," not in res.output


@pytest.mark.parametrize("name", ["check", "aggregate"])
def test_jobs_is_one_option(name):
    jobs = [p for p in COMMANDS[name].params if "--jobs" in getattr(p, "opts", ())]
    assert len(jobs) == 1 and "-j" in jobs[0].opts


# ------------------------------------------------------------------ usage errors and help in the run's language
@pytest.mark.parametrize("args, zh, en", [
    (["check"], "错误：缺少参数", "Missing argument"),
    (["check", "x.xlsx", "--format", "foo"], "的值无效：'foo' 不是可选的值", "Invalid value for '--format'"),
    (["check", "x.xlsx", "--bogus"], "错误：没有这个选项：--bogus", "No such option: --bogus"),
    (["check", "x.xlsx", "--jobs", "0"], "超出允许的范围", "not in the range"),
    (["render", "x.xlsx"], "错误：缺少选项", "Missing option"),
])
def test_usage_errors_speak_the_language_asked(args, zh, en):
    res = invoke(*args)
    assert res.exit_code == 2
    assert zh in res.output and "Usage" not in res.output and "用法：" in res.output
    res = invoke(*args, "--lang", "en")
    assert res.exit_code == 2
    assert en in res.output and "错误" not in res.output and "Usage:" in res.output


def test_help_is_chinese_unless_english_is_asked():
    res = invoke("check", "--help")
    assert "用法：" in res.output and "选项：" in res.output and "显示本帮助后退出" in res.output
    assert "Usage" not in res.output and "[default" not in res.output
    res = invoke("check", "--help", "--lang", "en")
    assert "Usage:" in res.output and "Show this message and exit." in res.output


def test_python_dash_m_govxl_cli():
    res = run_process("--version", module="govxl.cli")  # `python -m` is a process by definition
    assert res.returncode == 0 and res.stdout.strip() == f"govxl {govxl.__version__}"


# ------------------------------------------------------------------ file text is escaped by every printer
def test_aggregate_escapes_a_file_name_with_a_bidi_override(tmp_path, ed2021):
    folder = tmp_path / "in"
    folder.mkdir()
    govxl.new(folder / "a.xlsx", agency="甲", year=2024, values=random_values(ed2021, random.Random(1)))
    (folder / "\u202egpj.xlsx").write_bytes(b"PK\x03\x04broken")
    res = invoke("aggregate", folder, "-o", tmp_path / "sum.xlsx", "--agency", "汇总")
    assert res.exit_code == 1, res.output
    assert "AGG-READ" in res.output and "\\u202egpj.xlsx" in res.output
    assert "\u202e" not in res.output


# ------------------------------------------------------------------ messages that lead right
def test_render_to_pdf_names_the_formats(tmp_path):
    res = invoke("render", tmp_path / "x.xlsx", "-o", tmp_path / "x.pdf")
    assert res.exit_code == 2
    assert "PDF" in res.output and all(s in res.output for s in (".html", ".docx", ".md"))


def test_export_to_txt_names_both_endings(tmp_path, blank):
    res = invoke("export", blank, "-o", tmp_path / "out.txt")
    assert res.exit_code == 2 and ".csv" in res.output and ".json" in res.output


def test_new_with_an_edition_for_other_years_warns(tmp_path):
    res = invoke("new", tmp_path / "a.xlsx", "--edition", "2019", "--year", "2023")
    assert res.exit_code == 0 and (tmp_path / "a.xlsx").exists()
    assert "2019–2020" in res.output
    res = invoke("new", "-o", tmp_path / "b.xlsx", "--edition", "2019", "--year", "2020")
    assert res.exit_code == 0 and "2019–2020" not in res.output and (tmp_path / "b.xlsx").exists()


def test_the_library_never_imports_the_command_line():
    """Not even inside a function: the library returns data and raises; only govxl/cli prints."""
    for path in PACKAGE.rglob("*.py"):
        mod = module_name(path)
        if mod.startswith("govxl.cli") or mod == "govxl.__main__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                target = ("." * node.level) + (node.module or "")
                assert not (target in (".cli", "govxl.cli") or target.startswith((".cli.", "govxl.cli."))), mod


# ------------------------------------------------------------------ --lang en is English everywhere
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
AGENCY = "甲县人民政府办公室"


def test_lang_en_prints_no_chinese_but_official_labels_and_agencies(tmp_path, ed2021):
    vals = values(ed2021, NANGUAN_2023)
    vals[("requests", "new", "research")] = -2  # a negative count (V-INT)
    this = govxl.new(tmp_path / "this.xlsx", agency=AGENCY, year=2023, values=vals)
    prev = tmp_path / "last"
    prev.mkdir()
    govxl.new(prev / "other.xlsx", agency="乙县人民政府办公室", year=2022, values=values(ed2021, NANGUAN_2023))
    (prev / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    sheets = {t.sheet for t in ed2021.tables} | {ed2021.cover.sheet}
    for args in ([this, bad], [this], [bad], [this, "--format", "json"], [bad, "--format", "json"]):
        res = invoke("check", *args, "--previous-dir", prev, "--lang", "en")
        out = res.stdout + res.stderr
        assert res.returncode in (1, 2)
        if "json" in args:  # the words of a JSON document: its messages and error (the rest is data)
            doc = json.loads(res.stdout)
            out = "\n".join([f["message"] for f in doc.get("findings", [])] + [doc.get("error", {}).get("message", "")
                                                                               if "error" in doc else ""])
        rest = re.sub(r"“[^”]*”", "", out).replace(AGENCY, "").replace("乙县人民政府办公室", "")
        rest = "\n".join(line for line in rest.splitlines() if line.strip("[]") not in sheets)
        assert not CJK.search(rest), f"{args}: Chinese in\n{out}"
    assert "V-INT" in out or "cannot" in out
    both = invoke("check", this, bad, "--previous-dir", prev, "--lang", "en")
    assert "V-INT" in both.stdout and "X-PREV" in both.stdout and "cannot check" in both.stderr
    assert said("negative", "en").strip() in both.stdout
    assert said("X-PREV", "en", detail=said("prev-none-skipped", "en", folder=prev, year=2022, agency=AGENCY, n=1)) \
        in both.stdout


EXAMPLE_TABLES = ROOT / "examples" / "nanguan-2023-tables.txt"


def test_import_to_json_does_not_advise_checking_the_json(tmp_path):
    res = invoke("import", EXAMPLE_TABLES, "-o", tmp_path / "x.json")  # the ending implies --to json
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))["reports"]
    assert "govxl check" not in res.output
    res = invoke("import", EXAMPLE_TABLES, "-o", tmp_path / "x.xlsx")
    assert res.exit_code == 0 and f"govxl check {tmp_path / 'x.xlsx'}" in res.output
    assert govxl.check(tmp_path / "x.xlsx").ok()


def test_V_COVER_a_report_without_agency_or_year_cannot_pass(tmp_path, ed2021):
    vals = values(ed2021, NANGUAN_2023)
    for kw, cell in (({"year": 2023}, "B3"), ({"agency": AGENCY}, "B4")):
        path = govxl.new(tmp_path / f"{cell}.xlsx", values=vals, **kw)
        report = govxl.check(path)
        assert not report.ok()
        [f] = [f for f in report.findings if f.rule == "V-COVER"]
        assert (f.sheet, f.cell, f.severity) == (ed2021.cover.sheet, cell, "error")
        res = invoke("check", path)
        assert res.exit_code == 1 and f"V-COVER {cell}：{f.message()}" in res.output
    assert govxl.check(govxl.new(tmp_path / "both.xlsx", values=vals, agency=AGENCY, year=2023)).ok()


def test_check_output_goes_by_its_ending(tmp_path, ed2021):
    path = govxl.new(tmp_path / "a.xlsx", values=values(ed2021, NANGUAN_2023), agency=AGENCY, year=2023)
    res = invoke("check", path, "-o", tmp_path / "s.csv")
    assert res.exit_code == 0 and AGENCY in (tmp_path / "s.csv").read_text(encoding="utf-8-sig")
    res = invoke("check", path, "-o", tmp_path / "s.txt")
    assert res.exit_code == 2 and ".html" in res.output and ".csv" in res.output and not (tmp_path / "s.txt").exists()
