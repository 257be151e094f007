"""The catalogue holds all prose: zh and en for every code and reason, and no finding or error made
elsewhere carries Chinese text of govxl's own (official labels come from the spec, as data)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from said import said

import govxl
from govxl.catalogue import CATALOGUE, READ_ERRORS, REASONS, USAGE_ERRORS, Join, phrase
from govxl.report.findings import Finding

PACKAGE = Path(govxl.__file__).parent
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# What a finding is made with: its text may come only from the catalogue.
MAKERS = {"Finding", "Finding.of", "phrase", "Phrase", "Join"}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def every_template():
    for r in CATALOGUE.values():
        yield pytest.param(r.zh, r.en, id=f"rule {r.id}")
        yield pytest.param(r.title_zh, r.title_en, id=f"title {r.id}")
    for table, kind in ((REASONS, "reason"), (READ_ERRORS, "read error"), (USAGE_ERRORS, "usage error")):
        for code, (zh, en) in table.items():
            yield pytest.param(zh, en, id=f"{kind} {code}")


# Known exceptions, each with its reason: the placeholders of these differ between zh and en.
DIFFERENT_PLACEHOLDERS = {
    "as-given": "a text made elsewhere in both languages: {zh} and {en}",
}
EXCEPTED = {(REASONS | READ_ERRORS)[code] for code in DIFFERENT_PLACEHOLDERS}


@pytest.mark.parametrize("zh, en", list(every_template()))
def test_every_code_and_reason_has_zh_and_en_with_the_same_placeholders(zh, en):
    assert zh.strip() and en.strip()
    # a parameter that is itself text comes in both languages: {what} in zh, {what_en} in en
    assert placeholders(zh) == {p.removesuffix("_en") for p in placeholders(en)} or (zh, en) in EXCEPTED
    assert zh == en or (zh, en) in EXCEPTED or CJK.search(zh), "zh is Chinese (unless it only arranges data: {file} {cell})"
    assert not CJK.search(en), "the en text has no Chinese"



def sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name not in ("catalogue.py", "catalogue_errors.py"):
            yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def strings(node: ast.AST) -> list[str | tuple[str]]:
    """The codes an expression can give: constants, either branch of `a if c else b`; an f-string
    gives its constant head as a 1-tuple (a prefix: f"dup-{dup}")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return strings(node.body) + strings(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return [(node.values[0].value,)]
    return []


def used_codes():
    """(kind, code, where) for every rule, reason and error code (read or usage) named in govxl's source."""
    for path, tree in sources():
        for node in ast.walk(tree):
            where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("Finding.of", "Finding") and node.args:
                    yield from (("rule", s, where) for s in strings(node.args[0]))
                if name == "phrase" and node.args:
                    yield from (("reason", s, where) for s in strings(node.args[0]))
                for kw in node.keywords:
                    if kw.arg == "reason" and name in MAKERS:
                        yield from (("reason", s, where) for s in strings(kw.value))
                    if kw.arg == "code":
                        yield from (("error", s, where) for s in strings(kw.value))
            elif isinstance(node, ast.Dict):  # {"reason": "sheet-gone", ...}
                for k, v in zip(node.keys, node.values):
                    if isinstance(k, ast.Constant) and k.value == "reason" and v is not None:
                        yield from (("reason", s, where) for s in strings(v))
            elif isinstance(node, ast.Assign):  # reason, params = "layout-moved", {...}
                for target in node.targets:
                    names = target.elts if isinstance(target, ast.Tuple) else [target]
                    values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                    for t, v in zip(names, values):
                        if isinstance(t, ast.Name) and t.id == "reason":
                            yield from (("reason", s, where) for s in strings(v))


TABLES = {"rule": CATALOGUE, "reason": REASONS, "error": READ_ERRORS | USAGE_ERRORS}


def test_every_code_used_in_the_source_is_in_the_catalogue():
    used = list(used_codes())
    kinds = {kind for kind, _, _ in used}
    assert kinds == set(TABLES), "the scan finds rules, reasons and errors (else it has gone blind)"
    missing = []
    for kind, code, where in used:
        if isinstance(code, tuple):  # an f-string: some code must start with its head
            ok = any(c.startswith(code[0]) for c in TABLES[kind])
        else:
            ok = code in TABLES[kind] or (kind == "reason" and code == "")
        if not ok:
            missing.append((kind, code, where))
    assert missing == []


def test_every_reason_in_the_catalogue_is_used():
    """No dead entries: each reason is named somewhere in govxl's source (a string constant or the
    head of an f-string; a reason passed along by a helper such as _bad(..., "date") counts too)."""
    constants = {n.value for _, tree in sources() for n in ast.walk(tree)
                 if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    heads = [code[0] for kind, code, _ in used_codes() if isinstance(code, tuple)]
    assert [r for r in REASONS if r not in constants and not any(r.startswith(h) for h in heads)] == []


def test_every_usage_error_in_the_catalogue_is_used_and_none_is_also_a_read_error():
    used = {code for kind, code, _ in used_codes() if kind == "error"}
    assert [c for c in USAGE_ERRORS if c not in used] == []
    assert set(USAGE_ERRORS) & set(READ_ERRORS) == set()


def cjk_literals(node: ast.AST) -> list[str]:
    """CJK string constants in `node`, except the separator of a Join (its zh form: "、", "；")."""
    seps = {id(n.args[1]) for n in ast.walk(node) if isinstance(n, ast.Call) and ast.unparse(n.func) == "Join"
            and len(n.args) > 1}
    seps |= {id(kw.value) for n in ast.walk(node) if isinstance(n, ast.Call) and ast.unparse(n.func) == "Join"
             for kw in n.keywords if kw.arg == "sep"}
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value) and id(n) not in seps]


def prose_in_findings():
    for path, tree in sources():
        yield from prose_in(tree, str(path.relative_to(PACKAGE.parent)))


def assignments(func: ast.AST) -> dict[str, list[ast.AST]]:
    """Each local name assigned in `func` (or a module), with the values assigned to it."""
    assigned: dict[str, list[ast.AST]] = {}
    for n in ast.walk(func):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                for name in (t.elts if isinstance(t, ast.Tuple) else [t]):
                    if isinstance(name, ast.Name):
                        assigned.setdefault(name.id, []).append(n.value)
    return assigned


def prose_in(tree: ast.AST, where: str):
    """CJK string literals that go into a finding: an argument of Finding(...), Finding.of(...),
    phrase(...), Join(...), directly or through a local variable assigned in the same function."""
    for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
        assigned = assignments(func)
        for call in ast.walk(func):
            if not (isinstance(call, ast.Call) and ast.unparse(call.func) in MAKERS):
                continue
            args = [*call.args, *(kw.value for kw in call.keywords)]
            if ast.unparse(call.func) == "Join":  # its separator is the zh form of ", "
                args = call.args[:1]
            for arg in args:
                found = cjk_literals(arg)
                for name in {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}:
                    for value in assigned.get(name, []):
                        found += cjk_literals(value)
                for text in found:
                    yield f"{where}:{call.lineno}", text


def test_no_finding_is_made_with_chinese_prose_outside_the_catalogue():
    assert list(prose_in_findings()) == []


def test_the_prose_scan_sees_prose(tmp_path):
    """The scan above is not blind: the forms it must catch, caught."""
    src = '''
def a(f):
    return Finding.of("S-LOCK", detail=f"{n} 个应填单元格被锁定")
def b(f):
    where = "；".join(x)
    return Finding.of("V-BLANK", detail=where)
def c(f):
    return phrase("blank", text="空白")
'''
    assert list(prose_in(ast.parse(src), "x")) == [("x:3", " 个应填单元格被锁定"), ("x:6", "；"), ("x:8", "空白")]


# ------------------------------------------------------------------ rendering
def test_a_finding_with_a_reason_shows_it_in_either_language():
    f = Finding.of("S-LOCK", sheet="表", cell="B4", reason="locked-inputs", params={"n": 3})
    assert f.message() == said("S-LOCK", detail=said("locked-inputs", n=3)) == "3 个应填单元格被锁定，无法填写"
    assert f.message("en") == "3 input cells are locked and cannot be filled in"
    doc = f.to_dict("en")
    assert (doc["reason"], doc["params"], doc["message"]) == ("locked-inputs", {"n": 3}, f.message("en"))


def test_phrases_and_lists_in_parameters_and_values_are_shown_in_the_same_language():
    moved = phrase("layout-moved", cell="A5", label="新收", n=4,
                   moves=Join((phrase("rows-down", n=2), phrase("cols-left", n=1))),
                   causes=Join((phrase("rows-inserted"), phrase("cols-deleted"))))
    assert moved.text() == "从 A5 起，“新收”等 4 个标签下移了 2 行、左移了 1 列（可能插入了行、删除了列）"
    assert not CJK.search(moved.text("en").replace("新收", ""))
    f = Finding.of("S-ORDER", expected=Join(("封面", "表二")), actual=Join(("表二", "封面")))
    assert f.to_dict("zh")["expected"] == "封面、表二" and f.to_dict("en")["expected"] == "封面, 表二"
    blank = Finding.of("S-FORMULA", row_label="r", col_label="c", expected="SUM(A1)", actual=phrase("blank"))
    assert blank.to_dict("en")["actual"] == "blank" and blank.to_dict()["actual"] == "空白"
    assert blank.message("en") == said("S-FORMULA", "en", row="r", col="c", expected="SUM(A1)", actual="blank")
    assert Finding.of("S-SHEET", expected="x", reason="sheet-gone").to_dict()["params"] == {}
    nested = Finding.of("S-LAYOUT", reason="layout-moved", params=dict(moved.params))
    assert nested.to_dict()["params"]["moves"] == [{"reason": "rows-down", "params": {"n": 2}},
                                                   {"reason": "cols-left", "params": {"n": 1}}]


def test_an_unknown_reason_is_refused_when_made():
    with pytest.raises(KeyError):
        phrase("no-such-reason")


def test_structure_findings_in_english_carry_no_chinese_but_official_labels(tmp_path, ed2021):
    """A workbook with its sheets renamed and reordered, a merge undone, rows inserted, cells
    unlocked and a total overwritten: every message and JSON text in English is English, apart
    from quoted official labels and sheet names (data)."""
    import openpyxl
    from helpers import NANGUAN_2023, values

    path = govxl.new(tmp_path / "a.xlsx", agency="甲", year=2023, values=values(ed2021, NANGUAN_2023))
    t2, t3, t4 = (t.sheet for t in ed2021.tables)
    wb = openpyxl.load_workbook(path)
    wb[t4].title = "表四"
    wb.create_sheet("备注")
    wb.move_sheet(t3, offset=-1)
    ws = wb[t2]
    ws.unmerge_cells(str(next(iter(ws.merged_cells.ranges))))
    ws.protection.sheet = False
    wb[t3].insert_rows(8)
    for row in ws.iter_rows(min_row=1, max_row=3):
        for c in row:
            c.protection = openpyxl.styles.Protection(locked=False)
    wb.save(path)
    report = govxl.check(path)
    rules = {f.rule for f in report.findings}
    assert {"S-SHEET", "S-EXTRA", "S-ORDER", "S-MERGE", "S-LAYOUT", "S-LOCK", "S-PROTECT"} <= rules, rules
    official = {t.sheet for t in ed2021.tables} | {"表四", "备注", ed2021.cover.sheet}
    for f in report.findings:
        doc = f.to_dict("en")
        for text in (f.message("en"), str(doc["expected"]), str(doc["actual"])):
            rest = re.sub(r"“[^”]*”", "", text)
            for name in sorted(official, key=len, reverse=True):
                rest = rest.replace(name, "")
            if f.rule in ("S-LAYOUT", "S-LABEL") and text != f.message("en"):
                continue  # expected / actual of a label finding: the label itself
            assert not CJK.search(rest), (f.rule, text)
        assert f.message() == said(f.rule, sheet=f.sheet, cell=f.cell, row=f.row_label, col=f.col_label,
                                   expected=f.shown("expected"), actual=f.shown("actual"),
                                   detail=said(f.reason, **dict(f.params)) if f.reason else f.detail)


# ------------------------------------------------------------------ errors: prose from the catalogue only
def error_classes() -> set[str]:
    """govxl.errors.GovxlError and every class in govxl/ that derives from it (by name, transitively)."""
    bases: dict[str, set[str]] = {}
    for _, tree in sources():
        for n in ast.walk(tree):
            if isinstance(n, ast.ClassDef):
                bases.setdefault(n.name, set()).update(ast.unparse(b).rsplit(".", 1)[-1] for b in n.bases)
    found = {"GovxlError"}
    while grown := {c for c, b in bases.items() if b & found} - found:
        found |= grown
    return found


def prose_in_errors(tree: ast.AST, where: str, classes: set[str]):
    """CJK string literals that go into a GovxlError: as its message (a positional argument), or as a
    parameter without its English twin (`what=` needs `what_en=`), directly or through a local
    variable assigned in the same function. A parameter given as **helper(...) is the helper's
    (it gives both: govxl.importer.cellgrid.what)."""
    seen = set()
    for func in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]:
        assigned = assignments(func)
        for call in ast.walk(func):
            if not (isinstance(call, ast.Call) and ast.unparse(call.func).rsplit(".", 1)[-1] in classes):
                continue
            named = {kw.arg for kw in call.keywords}
            args = [*call.args, *(kw.value for kw in call.keywords
                                  if kw.arg is not None and not kw.arg.endswith("_en") and f"{kw.arg}_en" not in named)]
            for arg in args:
                found = cjk_literals(arg)
                for name in {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}:
                    for value in assigned.get(name, []):
                        found += cjk_literals(value)
                for text in found:
                    if (call.lineno, text) not in seen:  # the module is a scope too (a raise at its top)
                        seen.add((call.lineno, text))
                        yield f"{where}:{call.lineno}", text


def test_no_error_is_raised_with_chinese_prose_outside_the_catalogue():
    """Every GovxlError (UsageError, ReadError, SpecError, ...) made in govxl/ takes a code and
    parameters, so that `--lang en` shows it in English."""
    classes = error_classes()
    assert {"UsageError", "OutputExistsError", "NoIdentityError", "CheckFailedError", "InputsError"} <= classes
    found = [hit for path, tree in sources()
             for hit in prose_in_errors(tree, str(path.relative_to(PACKAGE.parent)), classes)]
    assert found == []


def test_the_error_scan_sees_prose():
    """The scan above is not blind: the forms it must catch, caught; the two-language forms passed."""
    src = '''
def a(p):
    raise UsageError(f"输出目录不存在：{p}")
def b(p):
    msg = "找不到文件：" + p
    raise errors.ReadError(msg)
def c(p):
    raise MyError(code="U-X", what="Word 文档")
def d(p):
    raise MyError(code="U-X", what="Word 文档", what_en="a Word document", **kind("PDF 文件"))
def e(p):
    raise UsageError(code="U-SUFFIX", path=str(p))
class MyError(NotGovxlError):
    pass
raise SpecError("找不到模板目录")
'''
    classes = {"GovxlError", "UsageError", "ReadError", "NotGovxlError", "SpecError", "MyError"}
    assert sorted(prose_in_errors(ast.parse(src), "x", classes)) == [
        ("x:15", "找不到模板目录"), ("x:3", "输出目录不存在："), ("x:6", "找不到文件："), ("x:8", "Word 文档")]


# ------------------------------------------------------------------ the desk's own words (govxl/desk/wording.py)
DESK = PACKAGE / "desk"
# Chinese in the desk's code that is not its prose: the accepted types' Chinese names (said through
# wording.type_names), the words a pasted list of units is read by, a spec error's detail.
DESK_NOT_PROSE = {
    ("adapter.py", "Excel 工作簿（.xlsx）"), ("adapter.py", "Excel 启用宏的工作簿（.xlsm）"),
    ("adapter.py", "Excel 97-2003 工作簿（.xls）"), ("adapter.py", "Word 文档（.docx）"), ("adapter.py", "PDF 文件（.pdf）"),
    ("adapter.py", "扫描或拍照的报告页（.tif、.png、.jpg）"),
    ("adapter.py", ": fields 应写成 table/row/column"), ("adapter.py", "；"),  # a Join's separator
    ("store.py", "单位"), ("store.py", "填报单位"), ("store.py", "单位名称"), ("store.py", "名称"), ("store.py", "序号"),
    ("store.py", "编号"), ("store.py", "[\\d\\s.、．)）]+"), ("store.py", "[,，、;；]"),
}


def desk_texts():
    from govxl.desk.wording import TEXTS

    return TEXTS


def test_every_desk_text_has_zh_and_en_with_the_same_placeholders():
    texts = desk_texts()
    assert len(texts) > 150
    for code, (zh, en) in texts.items():
        assert zh.strip() and en.strip(), code
        assert placeholders(zh) == placeholders(en), code
        assert not CJK.search(en), code
        assert CJK.search(zh) or zh == en or not re.search(r"[A-Za-z]{3}", en), code


def test_no_chinese_prose_in_the_desks_code_or_templates():
    """The desk's pages are English under --lang en only if every word of theirs comes from
    wording.py: none in a template (a user's data comes as a value), none in the code but docstrings."""
    found = []
    for path in sorted((DESK / "templates").glob("*.html")):
        found += [(path.name, m.group(0)) for m in CJK.finditer(path.read_text(encoding="utf-8"))]
    for path in sorted(DESK.glob("*.py")):
        if path.name == "wording.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        found += [(path.name, n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)
                  and isinstance(n.value, str) and CJK.search(n.value) and id(n) not in docs
                  and (path.name, n.value) not in DESK_NOT_PROSE]
    assert found == []


def test_every_desk_text_said_is_in_wording_and_every_one_is_said():
    sources = [p.read_text(encoding="utf-8") for p in (*DESK.glob("*.py"), *(DESK / "templates").glob("*.html"))
               if p.name != "wording.py"]
    said = set()
    for text in sources:
        said |= set(re.findall(r"""\b(?:t|say)\(\s*['"]([a-z0-9_-]+)['"]""", text))
    texts = desk_texts()
    assert said and said - set(texts) - set(REASONS) == set()  # the findings' catalogue says some
    quoted = {m for text in sources for m in re.findall(r"""['"]([a-z0-9_-]+)['"]""", text)}
    heads = ("status-", "flash-")  # said as f"status-{st}", f"flash-{choice}"
    assert [c for c in texts if c not in quoted and not c.startswith(heads)] == []
