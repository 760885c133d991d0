"""Loaders: read a kind of source, validate it, and turn it into RDF quads.

Each loader returns one graph per source (the graph's name is the source's IRI); the store
layer (councilkg.store) writes them atomically. Errors are collected into a LoadError whose
problems each name the file, the line or record, and the field.
"""

from loaders.errors import LoadError, Problem

__all__ = ["LoadError", "Problem"]
