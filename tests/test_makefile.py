"""`make store` loads what councilkg.sources.shared lists, which the benchmark and the engine comparison load too."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from councilkg.paths import ROOT
from councilkg.sources.shared import load_args


def _make_load_args(shared: Path) -> list[str]:
    """The options `make rebuild` would give `councilkg load` (a dry run: nothing is built)."""
    done = subprocess.run(["make", "-n", "-C", str(ROOT), "rebuild", f"SHARED={shared}", "STAMP=", "STORE=the-store"],
                          capture_output=True, text=True, timeout=60, check=True)
    line = next(line for line in done.stdout.splitlines() if "councilkg load" in line)
    return shlex.split(line)[shlex.split(line).index("the-store") + 1:]


def test_the_makefile_loads_what_the_shared_module_lists(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    for folder in ("seeds", "data/ofsted-reports", "data/council-pages", "data/ofsted", "data/reference"):
        (shared / folder).mkdir(parents=True)
    for name in ("data/ofsted/b.ods", "data/ofsted/a.ods", "data/reference/la_lookup.csv"):
        (shared / name).write_text("")
    listed = load_args(shared)
    assert listed == ["--lookup", str(shared / "data/reference/la_lookup.csv"), "--ofsted", str(shared / "data/ofsted/a.ods"),
                      "--ofsted", str(shared / "data/ofsted/b.ods"), "--reports", str(shared / "data/ofsted-reports"),
                      "--documents", str(shared / "seeds"), "--documents", str(shared / "data/council-pages")]
    assert _make_load_args(shared) == listed


def test_without_the_shared_folder_only_the_curated_data_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "shared" / "seeds").mkdir(parents=True)
    assert load_args(tmp_path / "nothing") == [] == _make_load_args(tmp_path / "nothing")
    assert load_args(tmp_path / "shared") == ["--documents", str(tmp_path / "shared" / "seeds")] == \
        _make_load_args(tmp_path / "shared")


def _make_run_args(tmp_path: Path, *settings: str) -> list[str]:
    """The options `make run` would give `streamlit run` (a dry run, over a store that is there)."""
    (tmp_path / "store" / "current").mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["make", "-n", "-C", str(ROOT), "run", "STAMP=", f"STORE={tmp_path / 'store'}", *settings],
                          capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    start = next(n for n, line in enumerate(lines) if "streamlit run" in line)
    command = [lines[start]]
    while command[-1].endswith("\\"):  # the recipe's continued lines
        command.append(lines[start + len(command)])
    return shlex.split(" ".join(part.removesuffix("\\") for part in command))


def test_make_run_serves_on_loopback_without_watching_the_source_unless_asked(tmp_path: Path) -> None:
    args = _make_run_args(tmp_path)
    assert args[args.index("--server.address") + 1] == "127.0.0.1" and args[args.index("--server.port") + 1] == "8501"
    assert args[args.index("--server.fileWatcherType") + 1] == "none"  # half a second of a visitor's first page
    args = _make_run_args(tmp_path, "WATCH=auto", "PORT=8502")
    assert args[args.index("--server.fileWatcherType") + 1] == "auto" and args[args.index("--server.port") + 1] == "8502"
