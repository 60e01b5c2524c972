"""Loading scenario files: YAML, ``extends:`` inheritance, ``--set`` overrides, validation.

Override order, lowest to highest (the one place it is stated; scenarios/README.md repeats it):

1. model defaults (engine.scenario.models),
2. the farthest ancestor reached through ``extends:``, then each nearer ancestor,
3. the file itself,
4. ``--set key.path=value`` overrides, in the order given,
5. the ``--timeline`` flag, which also appends ``-<timeline>`` to the scenario's name (so
   one file run under early, mid and late writes three run folders) unless ``--set name=``
   names it.

Merging a file over its parent: mappings merge key by key; lists and scalars replace. Three
exceptions: ``name``, ``description`` and ``extends`` belong to each file and are never
inherited (a file without ``name`` is named after its file stem); ``demand.trust_mix`` and
``timeline`` replace as a whole; and in ``network`` a file that gives any of ``topology``,
``sites``, ``spans`` replaces all three of its parent's. ``./`` and ``../`` paths in
``network.topology`` and ``demand.pairs`` are relative to the file that writes them (they are
made absolute when the file is read); other paths are relative to the project's ``data/``.
Paths may not leave the file's own folder tree and ``data/`` (other files are given with
``--set``), and ``extends:`` stays in the folder tree of the file named on the command line
or in the project's ``scenarios/`` and ``data/``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine import yaml_io
from engine.errors import QroadInputError
from engine.paths import DATA_DIR, SCENARIOS_DIR
from engine.scenario.models import Scenario
from engine.scenario.schema import child_type, errors_from_validation, format_path, model_keys

OWN_KEYS = ("name", "description", "extends")
REPLACE_WHOLE = {("demand", "trust_mix"), ("timeline",)}
NETWORK_SOURCE_KEYS = ("topology", "sites", "spans")
RELATIVE_PATH_KEYS = (("network", "topology"), ("demand", "pairs"))
SCENARIO_MAPPING = "a mapping such as name: ..., network: ..., demand: ..."
"""What a scenario file holds, for the error when it holds something else."""


def read_yaml_mapping(path: str | Path) -> dict[str, Any]:
    """The mapping of a scenario file as written (not merged, not validated), read by
    ``engine.yaml_io``; its errors name the file."""
    return yaml_io.read_yaml_mapping(path, allowed=SCENARIO_MAPPING)


def deep_merge(
    parent: dict[str, Any], child: dict[str, Any], _at: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``child`` over ``parent`` with the merge rules of the module docstring (new dict)."""
    merged = copy.deepcopy(parent)
    if _at == ("network",) and any(k in child for k in NETWORK_SOURCE_KEYS):
        for key in NETWORK_SOURCE_KEYS:
            merged.pop(key, None)
    for key, value in child.items():
        here = (*_at, key)
        if (
            isinstance(value, dict)
            and isinstance(merged.get(key), dict)
            and here not in REPLACE_WHOLE
        ):
            merged[key] = deep_merge(merged[key], value, here)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _absolutize(
    data: dict[str, Any], base_dir: Path, *, file: Path, data_dir: Path = DATA_DIR
) -> None:
    """Make ``./`` and ``../`` paths absolute, and refuse paths that leave the file's own
    folder tree and ``data/`` (through ``..`` or an absolute path): a scenario file names only
    files beside or below it, or in ``data/``; others can be given with ``--set``."""
    for outer, inner in RELATIVE_PATH_KEYS:
        section = data.get(outer)
        if not isinstance(section, dict) or not isinstance(section.get(inner), str):
            continue
        text: str = section[inner]
        if text.startswith(("./", "../")):
            section[inner] = str((base_dir / text).resolve())
        if text.startswith("topohub:") or text in ("all", "sndlib"):
            continue
        if Path(text).is_absolute() or text.startswith(("./", "../")):
            target = Path(section[inner]).resolve()
            inside = any(target.is_relative_to(root) for root in (base_dir, data_dir.resolve()))
        else:
            inside = ".." not in Path(text).parts
        if not inside:
            raise QroadInputError(
                "path leaves the scenario's folder and data/",
                file=file,
                path=f"{outer}.{inner}",
                value=text,
                allowed="a path below this file's folder (./...) or under data/; give other "
                f"files on the command line: --set {outer}.{inner}=PATH",
            )


def resolve_extends(
    path: str | Path, _stack: tuple[Path, ...] = (), *, data_dir: Path = DATA_DIR
) -> dict[str, Any]:
    """The file's mapping merged over its ``extends:`` chain (not yet validated). Every
    file of the chain lies in the folder tree of the file named on the command line (the
    chain's first), or in the project's scenarios/ or data/ folder."""
    path = Path(path)  # as the user wrote it, for messages
    real = path.resolve()
    top = _stack[0].parent if _stack else real.parent
    data = read_yaml_mapping(path)
    _absolutize(data, real.parent, file=path, data_dir=data_dir)
    stack = (*_stack, real)
    parent_ref = data.get("extends")
    if parent_ref is None:
        return data
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise QroadInputError(
            "extends must name one scenario file",
            file=path,
            path="extends",
            value=parent_ref,
            allowed="a path relative to this file",
        )
    parent_path = path.parent / parent_ref
    roots = (top, SCENARIOS_DIR, data_dir.resolve())
    if not any(parent_path.resolve().is_relative_to(root) for root in roots):
        raise QroadInputError(
            "extends leaves the folder of the scenario given, scenarios/ and data/",
            file=path,
            path="extends",
            value=parent_ref,
            allowed="a scenario file in the folder (or below) of the file given on the "
            "command line, or in the project's scenarios/ or data/ folder",
        )
    if parent_path.resolve() in stack:
        loop = stack[stack.index(parent_path.resolve()) :]
        cycle = [p.name for p in loop] + [parent_path.name]
        raise QroadInputError(
            "extends forms a cycle",
            file=path,
            path="extends",
            value=" -> ".join(cycle),
            allowed="a chain of files without cycles",
        )
    if not parent_path.is_file():
        raise QroadInputError(
            f"extended file not found at {parent_path}",
            file=path,
            path="extends",
            value=parent_ref,
            allowed="an existing scenario file, relative to this file",
        )
    parent = resolve_extends(parent_path, stack, data_dir=data_dir)
    for key in OWN_KEYS:
        parent.pop(key, None)
    return deep_merge(parent, data)


def _split_key(key: str) -> list[str]:
    return key.replace("[", ".").replace("]", "").split(".")


def apply_override(data: dict[str, Any], assignment: str, *, file: str | Path) -> None:
    """Apply one ``key.path=value`` (value read as YAML) to ``data`` in place. The key path
    must exist in the scenario schema; list items must already exist."""
    key, sep, raw = assignment.partition("=")
    segs = _split_key(key.strip())
    if not sep or any(s == "" for s in segs):
        raise QroadInputError(
            "bad --set override",
            file=file,
            path=key.strip(),
            value=assignment,
            allowed="key.path=value, e.g. solver.mip_gap=0.05",
        )
    value = yaml_io.parse_yaml(raw, file=f"{file} (--set {key.strip()})")
    if (
        isinstance(value, str)
        and value.startswith(("./", "../"))
        and tuple(segs) in RELATIVE_PATH_KEYS
    ):
        value = str((Path(file).resolve().parent / value).resolve())
    tp: Any = Scenario
    node: Any = data
    for i, seg in enumerate(segs):
        here = format_path(segs[: i + 1])
        step = child_type(tp, seg)
        if step is None:
            keys = model_keys(Scenario, segs[:i])
            raise QroadInputError(
                "unknown key path in --set override",
                file=file,
                path=here,
                value=seg,
                allowed=("keys: " + ", ".join(keys)) if keys else "no keys below this value",
            )
        tp, k = step
        last = i == len(segs) - 1
        if isinstance(node, list):
            if not isinstance(k, int) or not 0 <= k < len(node):
                raise QroadInputError(
                    "list index out of range in --set override",
                    file=file,
                    path=here,
                    value=seg,
                    allowed=f"0 to {len(node) - 1}",
                )
        elif not isinstance(node, dict):
            raise QroadInputError(
                "--set goes below a value that is not a mapping",
                file=file,
                path=here,
                value=node,
                allowed="a key path into mappings, or set the whole value: "
                + format_path(segs[:i])
                + "={...}",
            )
        elif not last and node.get(k) is None:
            node[k] = {}
        if last:
            node[k] = value
        else:
            node = node[k]


def load_scenario(
    path: str | Path,
    *,
    overrides: Sequence[str] = (),
    timeline: str | None = None,
    data_dir: Path = DATA_DIR,
) -> Scenario:
    """Read, resolve, override and validate one scenario file (order: module docstring)."""
    path = Path(path)
    data = resolve_extends(path, data_dir=data_dir)
    data.setdefault("name", path.stem)
    for assignment in overrides:
        apply_override(data, assignment, file=path)
    if timeline is not None:
        data["timeline"] = timeline
        if not any(a.split("=", 1)[0].strip() == "name" for a in overrides):
            data["name"] = f"{data['name']}-{timeline}"
    context = {
        "data_dir": data_dir,
        "base_dir": path.resolve().parent,
        "source_file": path.resolve(),
    }
    try:
        return Scenario.model_validate(data, context=context)
    except ValidationError as err:
        errors = errors_from_validation(err, data, file=path, model=Scenario)
        first = errors[0]
        first.all_errors = errors  # type: ignore[attr-defined]
        raise first from None


def load_scenarios(
    paths: Iterable[str | Path], *, overrides: Sequence[str] = (), timeline: str | None = None
) -> list[Scenario]:
    """Load several scenarios; their names must be unique (they name results folders)."""
    scenarios: list[Scenario] = []
    for path in paths:
        scenario = load_scenario(path, overrides=overrides, timeline=timeline)
        if any(s.name == scenario.name for s in scenarios):
            raise QroadInputError(
                "two scenarios share a name",
                file=path,
                path="name",
                value=scenario.name,
                allowed="unique names in one run",
            )
        scenarios.append(scenario)
    return scenarios


def validate_file(
    path: str | Path, *, overrides: Sequence[str] = (), timeline: str | None = None
) -> list[str]:
    """Every problem of a scenario file, one formatted line each; [] when it is valid."""
    try:
        load_scenario(path, overrides=overrides, timeline=timeline)
    except QroadInputError as err:
        return [e.format() for e in getattr(err, "all_errors", [err])]
    return []
