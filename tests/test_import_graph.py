"""The import graph of govxl, counting every import statement at any depth (inside functions too):
no cycle among govxl's modules, and no `_private` name taken from another govxl module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "govxl"


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at `root`, by its dotted name (a package by its own name)."""
    out = {}
    for p in root.rglob("*.py"):
        parts = list(p.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def imports(name: str, path: Path, known: set[str]) -> list[tuple[str, str, int]]:
    """(module imported, name imported or '', line) for every import statement of a module, at any
    depth. `from . import x` imports the submodule `pkg.x` when there is one, else the package."""
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(n, ast.Import):
            out += [(a.name, "", n.lineno) for a in n.names]
        elif isinstance(n, ast.ImportFrom):
            mod = ".".join(base[: len(base) - (n.level - 1)] + ([n.module] if n.module else [])) if n.level \
                else (n.module or "")
            for a in n.names:
                sub = f"{mod}.{a.name}"
                out.append((sub, "", n.lineno) if sub in known else (mod, a.name, n.lineno))
    return [(m, a, line) for m, a, line in out if m in known and m != name]


def unresolved(root: Path) -> list[str]:
    """Every import of a module of the package at `root` (at any depth) that names no module of it:
    a relative import left pointing at the old place after a module moved to a package."""
    mods = modules(root)
    top = root.name
    out = []
    for name, path in mods.items():
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(n, ast.Import):
                targets = [a.name for a in n.names if a.name.split(".")[0] == top]
            elif isinstance(n, ast.ImportFrom):
                mod = ".".join(base[: len(base) - (n.level - 1)] + ([n.module] if n.module else [])) if n.level \
                    else (n.module or "")
                targets = [mod] if mod.split(".")[0] == top else []
            else:
                continue
            out += [f"{name}:{n.lineno} imports {t}" for t in targets if t not in mods]
    return out


def graph(root: Path) -> dict[str, set[str]]:
    mods = modules(root)
    return {m: {d for d, _, _ in imports(m, p, set(mods))} for m, p in mods.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []
    counter = 0
    for start in sorted(g):
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def test_no_import_cycle_in_govxl():
    found = cycles(graph(ROOT))
    assert found == [], "import cycles (imports inside functions counted): " + "; ".join(" <-> ".join(c) for c in found)


def test_the_scan_finds_a_cycle_planted_inside_a_function(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("x = 1\n\ndef late():\n    from .sub import c\n    return c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("def f():\n    if True:\n        from .. import a\n    return a\n")
    (pkg / "d.py").write_text("from . import a\n")  # imports a, nothing imports d: no cycle through it
    assert cycles(graph(pkg)) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    (pkg / "sub" / "c.py").write_text("def f():\n    return 1\n")
    assert cycles(graph(pkg)) == []


def test_every_import_names_a_govxl_module_that_exists():
    """Counting imports inside functions, which only fail when that function runs."""
    assert unresolved(ROOT) == []


def test_the_scan_sees_an_import_of_a_module_that_moved(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("x = 1\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .a import x\n    from ..a import x as y\n    return x, y\n")
    assert unresolved(pkg) == ["pkg.sub.b:2 imports pkg.sub.a"]


def test_no_private_name_taken_from_another_govxl_module():
    mods = modules(ROOT)
    taken = [f"{m}:{line} imports {src}.{name}" for m, p in mods.items()
             for src, name, line in imports(m, p, set(mods)) if name.startswith("_") and not name.startswith("__")]
    assert taken == []


def test_the_private_scan_sees_a_private_import(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("_hidden = 1\n")
    (pkg / "b.py").write_text("def f():\n    from .a import _hidden\n    return _hidden\n")
    mods = modules(pkg)
    assert [(s, n) for m, p in mods.items() for s, n, _ in imports(m, p, set(mods)) if n.startswith("_")] \
        == [("pkg.a", "_hidden")]
