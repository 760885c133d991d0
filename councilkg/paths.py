"""Where the project's own files are, found from this file rather than the working directory.

Locations chosen by the user (the store, an endpoint, the shared folder) are settings: see
``councilkg.settings``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
QUERIES_DIR = ROOT / "queries"
#: the look-up queries the program runs itself (hidden from the catalogue listing)
INTERNAL_QUERIES_DIR = QUERIES_DIR / "internal"
DATA_DIR = ROOT / "data"
CURATED_DIR = DATA_DIR / "curated"

ONTOLOGY_FILES = (ONTOLOGY_DIR / "councilkg.ttl", ONTOLOGY_DIR / "schemes.ttl")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
