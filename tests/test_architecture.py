"""House rules that keep the layers apart."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6")


def test_qt_is_imported_only_under_app_ui():
    offenders = []
    for path in APP.rglob("*.py"):
        if path.is_relative_to(APP / "ui"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(n.split(".")[0] in QT_MODULES for n in names):
                offenders.append(str(path.relative_to(APP)))
    assert offenders == []


def test_no_print_in_library_code():
    offenders = [
        str(p.relative_to(APP))
        for p in APP.rglob("*.py")
        if p.relative_to(APP).parts[0] != "cli"  # the command line prints; nothing else does
        and any(
            isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"
            for n in ast.walk(ast.parse(p.read_text()))
        )
    ]
    assert offenders == []


# Debts the design issue (#34) is paying off: each module or function here may stay at most as
# large as it is, and leaves the list once it meets the house limits. A new module or function
# past a limit fails at once.
MODULE_LIMIT = 450
PARAMETER_LIMIT = 6
OVERSIZED_MODULES: dict[str, int] = {}
LONG_SIGNATURES: dict[str, int] = {}

# Circles of imports inside a package (type-only ones included): none.
KNOWN_CIRCLES: set[tuple[str, ...]] = set()


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = node.args
    named = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs] if p.arg not in ("self", "cls")]
    return len(named) + (a.vararg is not None) + (a.kwarg is not None)


def test_modules_stay_small():
    over = {}
    for path in APP.rglob("*.py"):
        name = str(path.relative_to(APP))
        lines = len(path.read_text().splitlines())
        if lines > OVERSIZED_MODULES.get(name, MODULE_LIMIT):
            over[name] = lines
    assert over == {}, f"modules past {MODULE_LIMIT} lines (split them by responsibility)"
    shrunk = [n for n, most in OVERSIZED_MODULES.items() if len((APP / n).read_text().splitlines()) <= MODULE_LIMIT]
    assert shrunk == [], "within the limit now: take them off OVERSIZED_MODULES"


def test_functions_take_few_parameters():
    over, listed = {}, {}
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = f"{path.relative_to(APP)}:{node.name}"
                if _parameters(node) > LONG_SIGNATURES.get(key, PARAMETER_LIMIT):
                    over[key] = _parameters(node)
                if key in LONG_SIGNATURES:
                    listed[key] = max(listed.get(key, 0), _parameters(node))
    assert over == {}, f"functions past {PARAMETER_LIMIT} parameters (pass a request or options object)"
    mended = [k for k in LONG_SIGNATURES if listed.get(k, 0) <= PARAMETER_LIMIT]
    assert mended == [], "within the limit now: take them off LONG_SIGNATURES"


def test_no_import_circle_inside_a_package():
    """Modules of one package import each other one way (at import time and lazily alike)."""
    edges: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        module = ".".join(("app", *path.relative_to(APP).with_suffix("").parts)).removesuffix(".__init__")
        package = module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target = node.module
                if target.rsplit(".", 1)[0] == package and target != module:
                    edges.setdefault(module, set()).add(target)
    circles = set()
    for start in edges:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, trail = stack.pop()
            for nxt in edges.get(node, ()):
                if nxt == start:
                    circles.add(tuple(sorted(trail)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*trail, nxt)))
    assert circles <= KNOWN_CIRCLES, sorted(circles - KNOWN_CIRCLES)


def test_models_load_in_one_shape():
    """A class in app/ml with a `load` method is an InferenceModel (#34): loaded once under a
    lock, a clear error; only the base class itself defines `load`."""
    offenders = []
    for path in (APP / "ml").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef) or node.name == "InferenceModel":
                continue
            methods = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
            bases = {getattr(b, "id", None) for b in node.bases}
            if "load" in methods or ("_load" in methods and "InferenceModel" not in bases):
                offenders.append(f"{path.relative_to(APP)}:{node.name}")
    assert offenders == []
