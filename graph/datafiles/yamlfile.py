"""Read YAML 1.2 with line numbers: mappings, lists and scalars that remember where they were written.

Two parsers stand behind ``read_yaml``. The fast one is libyaml (C, through PyYAML's ``CParser``) with the
YAML 1.2 core schema applied by this module, since PyYAML itself resolves plain scalars the YAML 1.1 way
(``yes``/``no``/``on`` as booleans). The reference one is ruamel.yaml (pure Python, YAML 1.2 natively). A
file that libyaml rejects, or that holds a ``%YAML`` directive, is read again by ruamel so that every error
message and every version directive means exactly what it meant before; ``tests/datafiles/test_yamlfile.py`` checks the
two parsers agree value for value and line for line. The fast path is about 20 times quicker, which is what
makes a million-triple data set load in seconds rather than minutes.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError
from ..text import describe_character, join_surrogate_pairs, unclean_character

_MAX_NODES = 2_000_000  # alias expansion guard ("billion laughs")
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings in a data file (crossplan's own go 6 deep); deeper is refused, located."""

# The YAML 1.2 implicit scalar types, exactly as ruamel.yaml resolves them (ruamel/yaml/resolver.py, version
# (1, 2)): the tag, the pattern, and the first characters a plain scalar of that type can start with. They are
# tried in this order; a plain scalar that matches none is a string.
_STR = "tag:yaml.org,2002:str"
_PLAIN = "?plain"  # the fast parser's tag for a plain scalar not yet resolved
_IMPLICIT_1_2 = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "tag:yaml.org,2002:float",
        r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        "tag:yaml.org,2002:int",
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
        "-+0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    (
        "tag:yaml.org,2002:null",
        r"""^(?: ~
        |null|Null|NULL
        | )$""",
        "~nN",
    ),
    (
        "tag:yaml.org,2002:timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    ("tag:yaml.org,2002:value", r"^(?:=)$", "="),
]
_RESOLVERS: dict[str, list[tuple[str, re.Pattern]]] = {}
for _tag, _pattern, _firsts in _IMPLICIT_1_2:
    for _first in _firsts:
        _RESOLVERS.setdefault(_first, []).append((_tag, re.compile(_pattern, re.X)))


def resolve_plain_scalar(value: str) -> str:
    """Return the YAML 1.2 tag of a plain (unquoted) scalar, as ruamel.yaml resolves it.

    >>> resolve_plain_scalar("yes"), resolve_plain_scalar("2020"), resolve_plain_scalar("")
    ('tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:null')
    """
    if not value:
        return "tag:yaml.org,2002:null"
    for tag, pattern in _RESOLVERS.get(value[0], ()):
        if pattern.match(value):
            return tag
    return _STR


class YamlInt(int):
    """An integer written as a plain scalar; ``written`` is its text as in the file (``007`` stays ``007``)."""

    written: str


class YamlFloat(float):
    """A number with a fraction written as a plain scalar; ``written`` keeps ``1.10`` where the value is 1.1."""

    written: str


class YamlDate(str):
    """A plain scalar that YAML reads as a date or time: kept as its text, but known not to be quoted text."""


def written_form(value) -> str | None:
    """Return how a plain scalar that YAML did not read as text was written (None for text, lists and mappings).

    >>> written_form(YamlDate("2020-01-01")), written_form(True), written_form("text")
    ('2020-01-01', 'true', None)
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (YamlInt, YamlFloat)):
        return value.written
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, YamlDate):
        return str(value)
    return None


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
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise DataError.at(display, 1, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise DataError.at(display, 0, f"cannot read the file: {error.strerror}") from None
    try:
        root = _compose_fast(text)
        if root is _UNREADABLE:
            root = _compose_reference(text, display)
        if root is None:
            return None
        # text can hold a control character or a surrogate only through an escape ("\x01", "\ud800") or raw
        return _Converter(display, "\\" in text or unclean_character(text) is not None).convert(root)
    except RecursionError:
        # the parsers recurse once per level: nesting deep enough to exhaust Python's stack is refused where it starts
        raise DataError.at(display, _deep_line(text), _too_deep()) from None


def _too_deep() -> str:
    return f"lists or mappings are nested more than {MAX_DEPTH} deep here: flatten them"


def _deep_line(text: str) -> int:
    """Return the line where brackets (outside quotes and comments) first nest deeper than MAX_DEPTH, else 1."""
    depth, line, quote = 0, 1, None
    previous = " "
    for character in text:
        if character == "\n":
            line += 1
        if quote:
            if character == quote and previous != "\\":
                quote = None
        elif character in "'\"" and previous in " \t[{,:\n":
            quote = character
        elif character in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif character in "]}":
            depth = max(depth - 1, 0)
        previous = character
    indents: list[int] = []  # block nesting: the indentation of each open level
    for number, written in enumerate(text.split("\n"), start=1):
        body = written.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(written) - len(body)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        dashes = _DASHES.match(body)  # always matches, if only the empty string
        opened = len(dashes.group().split("-")) - 1 if dashes else 0  # "- - - x" opens a level per dash
        if len(indents) + opened > MAX_DEPTH:
            return number
    return 1


_UNREADABLE = object()
_DASHES = re.compile(r"(?:-\s+)*")
# libyaml (YAML 1.1) takes NEL, LS and PS for line breaks; YAML 1.2 does not. Such rare files go to ruamel.
_NON_ASCII_BREAKS = re.compile("[\x85\u2028\u2029]")


def _fast_loader_class():
    """Return a libyaml parser class that resolves plain scalars by the YAML 1.2 core schema (None without libyaml)."""
    global _FAST_LOADER
    if _FAST_LOADER is False:
        try:
            from yaml._yaml import CParser
            from yaml.nodes import ScalarNode
        except ImportError:
            _FAST_LOADER = None
            return None

        class _Loader12(CParser):
            def descend_resolver(self, parent, index):
                pass

            def ascend_resolver(self):
                pass

            def resolve(self, kind, value, implicit):
                # Plain scalars are resolved later, by _Converter (with a cache): libyaml calls this for every node.
                if kind is ScalarNode:
                    return _PLAIN if implicit[0] else _STR
                return "tag:yaml.org,2002:seq" if kind.id == "sequence" else "tag:yaml.org,2002:map"

        _FAST_LOADER = _Loader12
    return _FAST_LOADER


_FAST_LOADER: type | None | bool = False  # False: not looked for yet; None: no libyaml


def _compose_fast(text: str):
    """Compose with libyaml; return _UNREADABLE when the reference parser must decide (errors, directives)."""
    loader_class = _fast_loader_class()
    if loader_class is None or "%YAML" in text or _NON_ASCII_BREAKS.search(text):
        return _UNREADABLE
    from yaml import YAMLError

    try:
        loader = loader_class(text)
    except UnicodeEncodeError:  # a lone surrogate in the text itself: the reference parser reads it, and it is refused
        return _UNREADABLE
    try:
        return loader.get_single_node()
    except YAMLError:
        return _UNREADABLE
    finally:
        loader.dispose()


def _compose_reference(text: str, display: str):
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="safe", pure=True)
    try:
        return yaml.compose(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = (error.problem or error.context or "invalid YAML").strip()
        raise DataError.at(display, line, f"invalid YAML: {problem}") from None
    except YAMLError as error:
        position, character = getattr(error, "position", None), getattr(error, "character", None)
        if isinstance(position, int) and isinstance(character, int):  # a character YAML does not allow, raw
            line = text.count("\n", 0, position) + 1
            raise DataError.at(
                display, line, f"invalid YAML: the character {describe_character(chr(character))} is not allowed"
            ) from None
        raise DataError.at(display, 1, f"invalid YAML: {error}") from None
    except (ValueError, OverflowError):  # an escape beyond Unicode ("\U00110000"): ruamel's chr() fails, unlocated
        beyond = next(
            (found for found in re.finditer(r"\\U([0-9a-fA-F]{8})", text) if int(found.group(1), 16) > 0x10FFFF), None
        )
        line = text.count("\n", 0, beyond.start()) + 1 if beyond else 1
        raise DataError.at(
            display, line, "invalid YAML: an escape names no character (Unicode ends at \\U0010FFFF)"
        ) from None
    except AssertionError:  # ruamel asserts the version of a %YAML directive it does not know (1.3, 2.0)
        directive = re.search(r"^%YAML\b[ \t]*(\S*)", text, re.MULTILINE)
        line = text.count("\n", 0, directive.start()) + 1 if directive else 1
        version = directive.group(1) if directive else "?"
        raise DataError.at(
            display, line, f"unsupported YAML version {version!r}: write %YAML 1.2 (or leave the directive out)"
        ) from None


class _Converter:
    """Turn composed nodes (libyaml's or ruamel's: both have ``id``, ``tag``, ``value`` and ``start_mark``).

    With ``check_text``, every text is checked for control characters and lone surrogates (refused, located); a
    surrogate pair written as two escapes (``"\\ud83d\\ude00"``, as JSON writes it) becomes its character."""

    def __init__(self, display: str, check_text: bool = False):
        self.display = display
        self.count = 0
        self.check_text = check_text

    def text(self, value: str, node) -> str:
        """Return a text of the file, checked when it may hold what no writer can carry."""
        if not self.check_text or unclean_character(value) is None:
            return value
        value = join_surrogate_pairs(value)
        character = unclean_character(value)
        if character is None:
            return value
        line = node.start_mark.line + 1
        if 0xD800 <= ord(character) <= 0xDFFF:
            problem = f"a lone surrogate {describe_character(character)} (half of a character): write the character"
        else:
            problem = f"the control character {describe_character(character)}: remove it"
        raise DataError.at(self.display, line, f"text holds {problem}")

    def convert(self, node, depth: int = 0):
        self.count += 1
        if self.count > _MAX_NODES:
            raise DataError.at(self.display, node.start_mark.line + 1, "the file expands to too many values (aliases?)")
        kind = node.id
        if kind == "scalar":
            return self.scalar(node)
        line = node.start_mark.line + 1
        if depth >= MAX_DEPTH:
            raise DataError.at(self.display, line, _too_deep())
        if kind == "sequence":
            children = node.value
            items = YamlList([self.convert(child, depth + 1) for child in children])
            items.line = line
            items.item_lines = [child.start_mark.line + 1 for child in children]
            return items
        if kind == "mapping":
            return self.mapping(node, line, depth)
        raise DataError.at(self.display, line, "unsupported YAML node")

    def mapping(self, node, line: int, depth: int = 0) -> YamlMapping:
        mapping = YamlMapping()
        mapping.line = line
        key_lines = mapping.key_lines = {}
        convert = self.convert
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            tag = key_node.tag
            if tag == _PLAIN:
                tag = _plain_tag(key_node.value)
            if tag == "tag:yaml.org,2002:merge":
                raise DataError.at(self.display, key_line, "merge keys (<<) are not supported")
            key = self.text(key_node.value, key_node) if tag == _STR else convert(key_node)
            if not isinstance(key, str):
                raise DataError.at(self.display, key_line, f"key {key!r} must be text")
            if key in key_lines:
                raise DataError.at(
                    self.display, key_line, f"duplicate key '{key}' (first at line {key_lines[key]}): remove one"
                )
            mapping[key] = convert(value_node, depth + 1)
            key_lines[key] = key_line
        return mapping

    def scalar(self, node):
        tag = node.tag
        value = node.value
        if tag == _PLAIN:
            tag = _plain_tag(value)
        if tag == _STR:
            return self.text(value, node) if self.check_text else value
        if tag == "tag:yaml.org,2002:timestamp":
            return YamlDate(value)  # dates stay text (the loader parses them itself), marked as written unquoted
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() == "true"
        if tag == "tag:yaml.org,2002:int":
            try:
                number = YamlInt(int(value.replace("_", ""), 0))
            except ValueError:
                return value
            number.written = value
            return number
        if tag == "tag:yaml.org,2002:float":
            try:
                fraction = YamlFloat(value.replace("_", ""))
            except ValueError:
                return value
            fraction.written = value
            return fraction
        raise DataError.at(self.display, node.start_mark.line + 1, f"unsupported YAML tag {tag}")


_PLAIN_TAGS: dict[str, str] = {}


def _plain_tag(value: str) -> str:
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        tag = resolve_plain_scalar(value)
        if len(value) <= 40 and len(_PLAIN_TAGS) < 50_000:  # keys, ids and enum values recur; long text does not
            _PLAIN_TAGS[value] = tag
    return tag
