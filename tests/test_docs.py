"""Docs that are generated or promised stay true to the code."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from councilkg.cli import docs
from councilkg.paths import ROOT
from councilkg.query import catalogue


def test_the_query_catalogue_page_is_up_to_date() -> None:
    assert docs.DOC.read_text(encoding="utf-8") == docs.render(), "docs/queries.md is stale: run `make docs`"


def test_the_catalogue_page_lists_every_query_with_an_example_call() -> None:
    page = docs.DOC.read_text(encoding="utf-8")
    for query in catalogue.catalogue().values():
        assert f"## {query.name}" in page and query.cli_example() in page


def test_the_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick and "make test" in quick


def test_the_code_is_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    if not shutil.which(ruff):
        pytest.skip("ruff is not installed")
    proc = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_package_imports_without_streamlit_side_effects() -> None:
    proc = subprocess.run([sys.executable, "-c", "import councilkg.query.runner, councilkg.store, councilkg.sources.curated"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
