"""Reading YAML: the one module every reader of a YAML file or text uses (scenarios, the
roadmap, the technology catalogue, the physics presets, run folders, uploads).

The loader is PyYAML's safe loader with three changes:

- numbers such as ``1e6`` and ``2.0e6`` are floats, as in YAML 1.2 (PyYAML follows YAML 1.1,
  where an exponent without a dot or sign is a string; people write both forms);
- a key given twice in one mapping is an error (YAML would keep the last silently);
- alias bombs (more than ``MAX_YAML_NODES`` expanded values), recursive aliases and deep
  nesting (more than ``MAX_YAML_DEPTH`` levels) are refused before anything is built.

Every failure, and a file that is missing, not UTF-8 text or (for ``read_yaml_mapping``) not
a mapping, is a ``QroadInputError`` naming the file, the line and what is allowed.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import yaml

from engine.errors import QroadInputError

MAX_YAML_NODES = 200_000  # expanded values per document; the bundled scenarios use < 2,000
MAX_YAML_DEPTH = 64  # nesting levels; scenarios need fewer than 10
A_MAPPING = "a mapping of keys"
"""What ``read_yaml_mapping`` says is allowed unless its caller names the expected keys."""

_YAML12_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class _Loader(yaml.SafeLoader):
    """Safe loader: YAML 1.2 floats, duplicate keys refused, document size checked."""

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


_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _YAML12_FLOAT, list("-+0123456789."))


class _DocumentTooLargeError(yaml.YAMLError):
    """The document expands (through aliases) to too many nodes, nests too deeply, or
    refers to itself; raised before anything is constructed from it."""


class _DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: Any, line: int) -> None:
        super().__init__(f"duplicate key {key!r} at line {line}")
        self.key, self.line = key, line


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


def parse_yaml(text: str, *, file: str | Path) -> Any:
    """Parse YAML text with the loader of the module docstring; errors become
    QroadInputError naming ``file`` (a path, or a label such as ``x.yaml (--set a.b)``)."""
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
        raise _syntax_error(err, text, file) from None


def _syntax_error(err: yaml.YAMLError, text: str, file: str | Path) -> QroadInputError:
    """``invalid YAML at line L, column C: problem``, showing the line the construct began."""
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
    problem = getattr(err, "problem", None) or getattr(err, "reason", None) or str(err)
    if isinstance(err, yaml.reader.ReaderError):
        where = f"character {err.position + 1}"
        char = err.character if isinstance(err.character, int) else ord(err.character[:1] or "\0")
        problem = f"{err.reason} (character #x{char:04x})"
    start = getattr(err, "context_mark", None) or mark  # where the broken construct began
    lines = text.splitlines()
    line = lines[start.line] if start and start.line < len(lines) else ""
    return QroadInputError(
        f"invalid YAML at {where}: {problem}",
        file=file,
        value=line.strip() or where,
        allowed="valid YAML syntax",
    )


def _read_utf8(path: str | Path) -> str:
    """The text of a UTF-8 file; a missing file or other bytes are QroadInputError."""
    path = Path(path)
    if not path.is_file():
        raise QroadInputError(
            "file not found", file=path, value=str(path), allowed="an existing YAML file"
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise QroadInputError(
            "file is not UTF-8 text",
            file=path,
            value=f"byte 0x{raw[err.start]:02x} at line {line}",
            allowed="UTF-8 encoded text",
        ) from None


def read_yaml_mapping(path: str | Path, *, allowed: str = A_MAPPING) -> dict[str, Any]:
    """Read a UTF-8 YAML file whose document is a mapping; ``allowed`` says, when it is not,
    what the file should hold (e.g. the top-level keys the caller expects)."""
    data = parse_yaml(_read_utf8(path), file=path)
    if not isinstance(data, dict):
        raise QroadInputError(
            "the document must be a mapping of keys",
            file=path,
            value=data if data is not None else "(empty document)",
            allowed=allowed,
        )
    return data
