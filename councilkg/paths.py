"""Where the project's own files are, found from this file rather than the working directory."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
QUERIES_DIR = ROOT / "queries"
DATA_DIR = ROOT / "data"
CURATED_DIR = DATA_DIR / "curated"

ONTOLOGY_FILES = (ONTOLOGY_DIR / "councilkg.ttl", ONTOLOGY_DIR / "schemes.ttl")
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"


def default_store() -> Path:
    """The store the CLI and app use unless told otherwise: $COUNCILKG_STORE, else <project>/store."""
    env = os.environ.get("COUNCILKG_STORE")
    return Path(env).expanduser() if env else ROOT / "store"


def shared_dir() -> Path:
    """The workplace's shared folder (seed documents and national data): $COUNCILKG_SHARED or ../shared."""
    env = os.environ.get("COUNCILKG_SHARED")
    return Path(env).expanduser() if env else ROOT.parent / "shared"


def seeds_dir() -> Path:
    return shared_dir() / "seeds"


def shared_data_dir() -> Path:
    return shared_dir() / "data"
