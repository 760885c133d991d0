"""Precision and recall of the document loader's candidate facts against the curated data.

    .venv/bin/python bench/evaluate_documents.py [DOCUMENTS_DIR]     # default: ../shared/seeds

Loads the documents in memory with the curated data as the known names, then compares (see
councilkg/evaluate.py): every curated person of a document's curated source should be linked to
a passage of that document, and every candidate fact should state a curated fact of that source.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from councilkg.settings import Settings
from councilkg.sources.evaluate import evaluate


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Settings.from_env().seeds
    if not folder.is_dir():
        print(f"error: {folder} is not a folder of documents", file=sys.stderr)
        return 1
    print("\n".join(evaluate(folder).lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
