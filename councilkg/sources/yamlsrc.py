"""YAML reading that remembers the line of every mapping, key and list item.

Curated files are edited by hand, so an error must point at the line to fix. Dates are left
as strings (PyYAML would turn 2017-09-19 into a date but 2019-01 into a string), so every
date goes through one parser that keeps its precision.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from councilkg.errors import LoadError


class LDict(dict):
    """A mapping with the line it starts on and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LList(list):
    """A sequence with the line it starts on and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when built with it: faster (docs/performance.md)
    pass


# Keep dates as text: precision matters and one parser handles them all.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LDict:
    result = LDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LList:
    result = LList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path, text: str | None = None) -> Any:
    """Parse a YAML file, raising LoadError naming the file and line on a syntax error."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise LoadError.single(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise LoadError.single(path, f"cannot read the file: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        # Point at the start of the construct that failed (an unclosed bracket or quote), and say
        # where the parser gave up.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem_mark:
            reason = f"{reason} ({exc.context} that starts here; the parser gave up on line {exc.problem_mark.line + 1})"
        raise LoadError.single(path, f"invalid YAML: {reason}", line=line) from None
    except yaml.YAMLError as exc:
        raise LoadError.single(path, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise LoadError.single(path, "invalid YAML: nested too deeply") from None
