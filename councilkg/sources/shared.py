"""What ``make store`` loads from the workplace's shared folder: everything in it the loaders can read.

The Makefile names the same inputs with wildcards (``tests/test_makefile.py`` holds the two to each other); the
benchmark's real data and the engine comparison load what this module lists, so all three are the same graph.
"""

from __future__ import annotations

from pathlib import Path


def load_args(shared: Path) -> list[str]:
    """``councilkg load`` options for each input the shared folder holds, in the Makefile's order: the authority
    lookup, Ofsted's outcome workbooks, Ofsted's reports, the seed documents, the council pages. A missing input is
    left out (an empty list where the folder holds none)."""
    data = shared / "data"
    lookup = data / "reference" / "la_lookup.csv"
    args = ["--lookup", str(lookup)] if lookup.is_file() else []
    args += [arg for book in sorted((data / "ofsted").glob("*.ods")) for arg in ("--ofsted", str(book))]
    if (data / "ofsted-reports").is_dir():
        args += ["--reports", str(data / "ofsted-reports")]
    args += [arg for folder in (shared / "seeds", data / "council-pages") if folder.is_dir()
             for arg in ("--documents", str(folder))]
    return args
