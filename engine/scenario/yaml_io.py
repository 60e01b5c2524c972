"""Reading scenario YAML safely: a YAML 1.2-style safe loader that rejects duplicate keys,
alias bombs (more than ``MAX_YAML_NODES`` expanded values) and deep nesting (more than
``MAX_YAML_DEPTH`` levels), and files that are not UTF-8 text or not a mapping. Every
failure is a QroadInputError naming the file, the line and what is allowed."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import yaml

from engine.errors import QroadInputError
from engine.physics.presets import SafeLoaderYaml12Floats

MAX_YAML_NODES = 200_000  # expanded values per document; the bundled scenarios use < 2,000
MAX_YAML_DEPTH = 64  # nesting levels; scenarios need fewer than 10


class _Loader(SafeLoaderYaml12Floats):
    """Safe loader that rejects duplicate keys and reads ``2e5`` as a number (as YAML 1.2)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, typing.Hashable):
                continue  # the base class reports "found unhashable key"
            if key in seen:
                raise _DuplicateKeyError(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _check_node_graph(node)
        return node


class _DocumentTooLargeError(yaml.YAMLError):
    """The document expands (through aliases) to too many nodes, nests too deeply, or
    refers to itself; raised before anything is constructed from it."""


def _check_node_graph(root: yaml.Node) -> None:
    """Refuse alias bombs ("billion laughs"), recursive aliases and deep nesting.

    The composed graph shares aliased nodes, so it is small even when its expansion is not;
    this counts the expanded size (memoised per node, iteratively) without expanding it.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_YAML_NODES:
                raise _DocumentTooLargeError(
                    f"the document expands to more than {MAX_YAML_NODES} values "
                    "(too many aliases or items)"
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise _DocumentTooLargeError("an alias refers to a value that contains it")
        if depth > MAX_YAML_DEPTH:
            raise _DocumentTooLargeError(f"values nest more than {MAX_YAML_DEPTH} levels deep")
        on_path.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in _children(node) if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


class _DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"duplicate key {key!r} at line {line}")
        self.key, self.line = key, line


def parse_yaml(text: str, *, file: str | Path) -> Any:
    """Parse YAML text with the strict safe loader; errors become QroadInputError."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader subclass
    except _DuplicateKeyError as err:
        raise QroadInputError(
            f"duplicate key at line {err.line}",
            file=file,
            path=str(err.key),
            value=err.key,
            allowed="each key once per mapping",
        ) from None
    except _DocumentTooLargeError as err:
        raise QroadInputError(
            f"YAML document refused: {err}",
            file=file,
            allowed=f"at most {MAX_YAML_NODES} values, {MAX_YAML_DEPTH} levels, no self-reference",
        ) from None
    except RecursionError:
        raise QroadInputError(
            "YAML document refused: values nest too deeply",
            file=file,
            allowed=f"at most {MAX_YAML_DEPTH} levels of nesting",
        ) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        problem = getattr(err, "problem", None) or getattr(err, "reason", None) or str(err)
        if isinstance(err, yaml.reader.ReaderError):
            where = f"character {err.position + 1}"
            char = (
                err.character if isinstance(err.character, int) else ord(err.character[:1] or "\0")
            )
            problem = f"{err.reason} (character #x{char:04x})"
        start = getattr(err, "context_mark", None) or mark  # where the broken construct began
        lines = text.splitlines()
        line = lines[start.line] if start and start.line < len(lines) else ""
        raise QroadInputError(
            f"invalid YAML at {where}: {problem}",
            file=file,
            value=line.strip() or where,
            allowed="valid YAML syntax",
        ) from None


def read_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """Read a UTF-8 YAML file whose document is a mapping."""
    path = Path(path)
    if not path.is_file():
        raise QroadInputError(
            "file not found", file=path, value=str(path), allowed="an existing YAML file"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise QroadInputError(
            "file is not UTF-8 text",
            file=path,
            value=f"byte 0x{raw[err.start]:02x} at line {line}",
            allowed="UTF-8 encoded text",
        ) from None
    data = parse_yaml(text, file=path)
    if not isinstance(data, dict):
        raise QroadInputError(
            "the document must be a mapping of keys",
            file=path,
            value=data if data is not None else "(empty document)",
            allowed="a mapping such as name: ..., network: ..., demand: ...",
        )
    return data
