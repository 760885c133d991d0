"""The package's shape stays what the README says: layers that import only downwards, no cycles, no
import hidden inside a function, Streamlit only in the app, one error base."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from councilkg.paths import ROOT

PACKAGE = ROOT / "councilkg"
LAYERS = ("model", "store", "sources", "query", "explore", "app", "cli")
BASE_MODULES = {"__init__.py", "errors.py", "settings.py", "paths.py", "processes.py"}
#: third-party packages only the app may import (the CLI and library install without them)
APP_ONLY = {"streamlit", "altair"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""] if node.level == 0 else []
    return [alias.name for alias in node.names]


def test_the_import_contracts_hold() -> None:
    """import-linter's contracts in pyproject.toml: the layers, and no cycles between siblings."""
    proc = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                           "sys.exit(lint_imports_command(['--no-cache']))"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f"lint-imports failed:\n{proc.stdout}\n{proc.stderr}"


def test_every_module_sits_in_a_layer() -> None:
    stray = [str(p.relative_to(ROOT)) for p in PACKAGE.glob("*.py") if p.name not in BASE_MODULES]
    stray += [str(p.relative_to(ROOT)) for p in PACKAGE.iterdir() if p.is_dir() and p.name not in LAYERS
              and p.name not in ("__pycache__",) and any(p.rglob("*.py"))]
    assert not stray, f"modules outside the layers {LAYERS}: {stray}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_councilkg_inside_a_function(path: Path) -> None:
    """Imports of the package's own modules are at the top of a module, where the layers can be read."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    hidden = []
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    hidden += [f"line {node.lineno}: {name}" for name in _imported(node)
                               if name == "councilkg" or name.startswith("councilkg.")]
    assert not hidden, f"{path.relative_to(ROOT)} imports councilkg modules inside functions: {hidden}"


def test_only_the_app_imports_streamlit() -> None:
    found = []
    for path in _modules():
        if path.is_relative_to(PACKAGE / "app"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in _imported(node)
                          if name.split(".")[0] in APP_ONLY]
    assert not found, f"outside councilkg/app: {found}"


def test_the_cli_runs_without_streamlit() -> None:
    """`councilkg` works where only the core dependencies are installed: Streamlit is blocked from importing."""
    code = ("import sys; sys.modules['streamlit'] = None; sys.modules['altair'] = None; "
            "from councilkg.cli.main import main; sys.exit(main(['queries']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "council_judgements" in proc.stdout
