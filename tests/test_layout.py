"""The package's layout: no import circles, and imports point one way only.

Layers, from the outside in: `corredor.cli` -> `corredor.dashboard` -> `corredor.outputs`
-> `corredor.analysis` -> the model at the package root (scenario, network, engine,
results, ...). A module may import from its own layer or any layer inside it, never from
one outside it. Every
import counts, including those inside functions (lazy imports), because a circle of
lazy imports is still a circle a reader has to untangle.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "corredor"
LAYERS = ("cli", "dashboard", "outputs", "analysis")  # outermost first; the rest is the model
# Doors that open outwards on purpose, each from inside a function (loaded on first use,
# never at import): the package's facade offers the analysis layer's functions as
# corredor.compare, corredor.ensemble, corredor.sweep and corredor.validate, and
# Results.plot draws with the charts of the outputs layer. Nothing else may point out.
DOORS = {
    "corredor": {"corredor.analysis.api", "corredor.analysis.validate"},
    "corredor.results": {"corredor.outputs.charts"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Corredor modules that `name` imports anywhere in its body (resolved to modules)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            # `from corredor.x import y` is the module corredor.x.y when y is a module
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        out |= {t for t in targets if t in known and t != name}
    return out


def layer(name: str) -> int:
    """0 for the model at the root, higher for layers further out."""
    parts = name.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return len(LAYERS) - LAYERS.index(parts[1])
    return 0


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    # The package itself re-exports the API; importing it is importing the model.
    return {n: imports_of(n, p, known) - {"corredor"} for n, p in mods.items()}


def test_no_import_circles():
    g = graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g[n]):
            if state.get(m) == 1:
                circles.append([*stack[stack.index(m) :], m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(g):
        if n not in state:
            visit(n)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_layers_point_inwards():
    wrong = [
        f"{n} imports {m}"
        for n, deps in graph().items()
        for m in deps
        if layer(m) > layer(n) and not m.startswith(n + ".") and m not in DOORS.get(n, ())
    ]
    assert not wrong, "imports that point outwards: " + "; ".join(sorted(wrong))


def test_doors_open_only_inside_functions():
    # A door imported at module level would load the outer layer with the model (and, for
    # the facade, make `import corredor` pull in numpy): each must sit in a function body.
    mods = modules()
    for name, targets in DOORS.items():
        tree = ast.parse(mods[name].read_text(encoding="utf-8"))
        top = {
            node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module
        } | {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        assert not (top & targets), (name, top & targets)


def test_import_corredor_and_the_cli_stay_light():
    # `import corredor` and the command line's module load neither numpy, pandas nor
    # numba: `corredor --help` and `corredor scenarios` answer at once (issue 15).
    code = (
        "import sys, corredor, corredor.cli.main\n"
        "heavy = sorted(m for m in ('numpy', 'pandas', 'numba', 'scipy', 'xarray') "
        "if m in sys.modules)\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"loaded at import: {done.stdout.strip()}"


def test_model_knows_nothing_of_cli_files_or_plots():
    # The engine core stays free of the command line and plotting libraries.
    for name in ("corredor.engine", "corredor.kernels", "corredor.interdiction"):
        text = modules()[name].read_text(encoding="utf-8")
        for banned in ("typer", "rich", "matplotlib"):
            assert f"import {banned}" not in text and f"from {banned}" not in text, (
                name,
                banned,
            )


def test_the_checker_finds_a_circle(tmp_path, monkeypatch):
    # A two-module circle written to a scratch package must be reported.
    pkg = tmp_path / "corredor"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from corredor import b\n")
    (pkg / "b.py").write_text("from corredor.a import f\n")
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    with pytest.raises(AssertionError, match="corredor.a -> corredor.b -> corredor.a"):
        test_no_import_circles()


IMPORT_EACH = """
import importlib, os, sys
# Third-party libraries are loaded once; each Corredor module is then imported in a
# forked child that has no Corredor module loaded, so no earlier import hides one missing.
for lib in ("numpy", "scipy.sparse", "pandas", "xarray", "networkx", "numba", "pydantic",
            "typer", "rich", "matplotlib", "streamlit", "plotly.graph_objects"):
    importlib.import_module(lib)
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException as exc:
            print(f"{name}: {type(exc).__name__}: {exc}", flush=True)
            os._exit(1)
        os._exit(0)
    if os.waitpid(pid, 0)[1] != 0:
        failed.append(name)
sys.exit(1 if failed else 0)
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_every_module_imports_alone():
    names = [n for n in sorted(modules()) if n != "corredor.cli.__main__"]
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH, *names], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_entry_point_module():
    assert callable(importlib.import_module("corredor.cli.main").main)
