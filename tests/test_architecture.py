"""The project's import graph: no cycles, imports run ``ui -> engine -> optimizer``
(DESIGN.md), ``engine.physics`` imports nothing of the project, and checking a scenario
loads no solver.

How the graph is built: every ``.py`` file under ``engine/``, ``optimizer/`` and ``ui/`` is
a node (a package is its ``__init__``). Every ``import`` and ``from ... import`` statement
in a file is an edge, wherever it stands: at the top, inside a function (a lazy import),
under ``if TYPE_CHECKING:`` and in ``try``/``except`` blocks; relative imports are resolved;
``importlib.import_module("a.b")`` with a literal name counts too. Computed names
(``import_module(f"engine.physics.{name}")``, ``optimizer.__getattr__``'s table) are not
seen. An edge goes to the module named: ``from engine.scenario.models import Scenario`` is an
edge to ``engine.scenario.models`` only (not to the package ``engine.scenario``, which
Python also runs first), ``from engine.scenario import Scenario`` one to the package and
``from engine import yaml_io`` one to ``engine.yaml_io``. So a package whose ``__init__``
imports its submodules is in a cycle only if one of them imports the package itself.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "optimizer", "ui")
LAYERS = ("ui", "engine", "optimizer")  # each may import only the ones after it
SOLVERS = ("pyomo", "highspy")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module name of ``from <node.module> import ...`` in ``module``."""
    if not node.level:
        return node.module or ""
    package = (module if is_package else module.rpartition(".")[0]).split(".")
    anchor = package[: len(package) - node.level + 1]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def _imports(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules ``tree`` imports anywhere in the file (rules: module docstring)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node, module, is_package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                out.add(submodule if submodule in known else base)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            out.add(str(node.args[0].value))
    return (out & known) - {module}


def import_graph() -> nx.DiGraph:
    """Module -> module edges among the project's modules (rules in the module docstring)."""
    modules = _modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = _imports(tree, module, path.name == "__init__.py", set(modules))
        graph.add_edges_from((module, target) for target in targets)
    return graph


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return import_graph()


def test_the_graph_sees_lazy_and_type_checking_imports(graph: nx.DiGraph) -> None:
    """The builder counts what the test relies on: top-level, lazy (in a function) and
    TYPE_CHECKING imports, ``from package import submodule``, and relative imports."""
    source = """
from typing import TYPE_CHECKING
from engine import yaml_io
from . import loader
if TYPE_CHECKING:
    from engine.pipeline import RunOutcome
def f():
    from engine.scenario import Scenario
    import engine.paths
"""
    known = {"engine.yaml_io", "engine.pipeline", "engine.scenario", "engine.paths"}
    known |= {"engine.scenario.loader", "engine.scenario.models"}
    found = _imports(ast.parse(source), "engine.scenario.models", False, known)
    assert found == known - {"engine.scenario.models"}
    assert graph.number_of_nodes() > 50 and graph.number_of_edges() > 100


def test_no_import_cycles(graph: nx.DiGraph) -> None:
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == [], "modules that import each other (directly or round a loop): " + "; ".join(
        " <-> ".join(c) for c in cycles
    )


def test_imports_run_ui_engine_optimizer(graph: nx.DiGraph) -> None:
    """optimizer imports nothing of engine or ui; engine nothing of ui (DESIGN.md)."""
    upward = [
        (a, b)
        for a, b in graph.edges
        if LAYERS.index(a.split(".")[0]) > LAYERS.index(b.split(".")[0])
    ]
    assert upward == []


def test_physics_imports_nothing_else_of_the_project(graph: nx.DiGraph) -> None:
    def physics(name: str) -> bool:
        return name == "engine.physics" or name.startswith("engine.physics.")

    outside = [(a, b) for a, b in graph.edges if physics(a) and not physics(b)]
    assert outside == []


CHECK = """
import json, sys
{body}
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({solvers!r}))
print(json.dumps({{"loaded": loaded, "code": code}}))
"""
IMPORT_SCENARIO = "import engine.scenario\ncode = 0"
VALIDATE = """
from pathlib import Path
from engine.cli import app
files = sorted(str(p) for p in Path("scenarios").glob("*.yaml"))
try:
    app(["validate", *files])
except SystemExit as exit:
    code = exit.code
"""


@pytest.mark.parametrize("body", [IMPORT_SCENARIO, VALIDATE], ids=["import", "validate"])
def test_checking_scenarios_loads_no_solver(body: str) -> None:
    """``import engine.scenario`` and ``qroad validate scenarios/*.yaml`` (the console
    script's ``engine.cli:app``) in a fresh interpreter leave pyomo and highspy unloaded."""
    script = CHECK.format(body=body, solvers=SOLVERS)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"loaded": [], "code": 0}, done.stderr
