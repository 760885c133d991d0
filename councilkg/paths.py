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

#: the ckg: classes and properties (the closed namespace ``councilkg.model.iris.ckg`` is read from it)
ONTOLOGY_FILE = ONTOLOGY_DIR / "councilkg.ttl"
SCHEMES_FILE = ONTOLOGY_DIR / "schemes.ttl"
#: the recommendation-theme scheme, with the rules that give recommendations their themes (``councilkg.model.themes``)
THEMES_FILE = ONTOLOGY_DIR / "themes.ttl"
ONTOLOGY_FILES = (ONTOLOGY_FILE, SCHEMES_FILE, THEMES_FILE)
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
