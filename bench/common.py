"""What the benchmark scripts share: where results go, and writing a report as JSON and as markdown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_results(out: Path, name: str, report: dict, render: Callable[[dict], str]) -> None:
    """``out/name.json`` and ``out/name.md`` (the markdown rendered from the JSON alone), and the markdown printed."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2))
    text = render(report)
    (out / f"{name}.md").write_text(text)
    print(text)
