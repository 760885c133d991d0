"""`councilkg doctor`: a healthy store passes; each kind of trouble is named with what to do."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from councilkg.store import StoreFolder

from .conftest import CLI


def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_healthy_store_passes(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert _cli(cli_env, tmp_path, "load", "-q").returncode == 0
    done = _cli(cli_env, tmp_path, "doctor")
    assert done.returncode == 0, done.stdout
    assert "0 error(s), 0 warning(s)" in done.stdout
    assert "curated sources match data/curated" in done.stdout
    assert "SHACL: 6 curated and lookup graph(s) conform" in done.stdout


def test_a_missing_store_is_an_error_with_advice(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = _cli(cli_env, tmp_path, "doctor")
    assert done.returncode == 1
    assert "ERROR No store at" in done.stdout and "councilkg load" in done.stdout


@pytest.mark.slow
def test_changes_leftovers_and_damage_are_reported(cli_env: dict[str, str], tmp_path: Path, curated_copy: Path) -> None:
    assert _cli(cli_env, tmp_path, "load", "--curated", str(curated_copy), "-q").returncode == 0
    folder = StoreFolder(cli_env["COUNCILKG_STORE"])
    # a curated file edited since the load
    victim = sorted(p for p in curated_copy.glob("*.yaml") if p.name != "reference.yaml")[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    # a generation an interrupted load left behind
    (folder.generations / "20000101T000000000000-1").mkdir()
    done = _cli(cli_env, tmp_path, "doctor", "--curated", str(curated_copy), "--no-shacl")
    assert done.returncode == 0
    assert "the curated data has changed since it was loaded (1 changed, 0 new, 0 removed)" in done.stdout
    assert "1 old or interrupted generation(s)" in done.stdout
    # a store changed behind councilkg's back
    current = folder.current_path()
    store = ox.Store(str(current))
    quad = next(iter(store.quads_for_pattern(None, None, None, None)))
    store.remove(quad)
    store.flush()
    del store
    done = _cli(cli_env, tmp_path, "doctor", "--curated", str(curated_copy), "--no-shacl")
    assert done.returncode == 1
    assert "do not hold the triples recorded when the store was built" in done.stdout
    assert "councilkg load --fresh" in done.stdout
