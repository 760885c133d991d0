"""councilkg: a knowledge graph of English councils' children's services."""

__version__ = "0.1.0"
