"""Read YAML 1.2 with line numbers: mappings, lists and scalars that remember where they were written."""

from __future__ import annotations

from pathlib import Path

from .errors import DataError

_MAX_NODES = 2_000_000  # alias expansion guard ("billion laughs")


class YamlMapping(dict):
    """A mapping that knows its line and the line of each key."""

    line: int
    key_lines: dict

    def line_of(self, key: str) -> int:
        """Return the line of ``key``'s value (or of the mapping when the key is absent)."""
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A list that knows its line and the line of each item."""

    line: int
    item_lines: list[int]


def read_yaml(path: Path, display: str, text: str | None = None) -> object:
    """Parse one YAML file (or ``text`` standing in for it) into YamlMapping / YamlList / scalars.

    Raises DataError with ``file:line``.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError.at(display, 1, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise DataError.at(display, 0, f"cannot read the file: {error.strerror}") from None
    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = (error.problem or error.context or "invalid YAML").strip()
        raise DataError.at(display, line, f"invalid YAML: {problem}") from None
    except YAMLError as error:
        raise DataError.at(display, 1, f"invalid YAML: {error}") from None
    if root is None:
        return None
    counter = [0]
    return _convert(root, display, counter)


def _convert(node, display: str, counter: list[int]):
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    counter[0] += 1
    if counter[0] > _MAX_NODES:
        raise DataError.at(display, node.start_mark.line + 1, "the file expands to too many values (aliases?)")
    line = node.start_mark.line + 1
    if isinstance(node, ScalarNode):
        return _scalar(node, display, line)
    if isinstance(node, SequenceNode):
        items = YamlList(_convert(child, display, counter) for child in node.value)
        items.line = line
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items
    if isinstance(node, MappingNode):
        mapping = YamlMapping()
        mapping.line = line
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise DataError.at(display, key_node.start_mark.line + 1, "merge keys (<<) are not supported")
            key = _convert(key_node, display, counter)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise DataError.at(display, key_line, f"key {key!r} must be text")
            if key in mapping:
                raise DataError.at(
                    display, key_line, f"duplicate key '{key}' (first at line {mapping.key_lines[key]}): remove one"
                )
            mapping[key] = _convert(value_node, display, counter)
            mapping.key_lines[key] = key_line
        return mapping
    raise DataError.at(display, line, "unsupported YAML node")


def _scalar(node, display: str, line: int):
    tag = node.tag
    value = node.value
    if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
        return value  # dates stay text: the loader parses them itself
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() == "true"
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(value.replace("_", ""), 0)
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(value)
        except ValueError:
            return value
    raise DataError.at(display, line, f"unsupported YAML tag {tag}")
