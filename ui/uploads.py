"""Scenario files entering and leaving the app: checked uploads, the session's own upload
folder, and saving a new scenario without overwriting another session's file.

An upload is accepted when

1. its name ends in ``.yaml`` or ``.yml``;
2. it holds 1 to ``MAX_UPLOAD_BYTES`` bytes (1 MB; the bundled scenarios are under 3 kB);
3. it is UTF-8 text that the project's safe YAML loader (``engine.scenario``: no tags that
   run code, no alias bombs, no deep nesting, no duplicate keys) reads as a mapping;
4. it names no file outside ``data/`` and the bundled scenarios: ``extends:`` names a
   bundled scenario by its file name, and ``network.topology`` / ``demand.pairs`` are
   ``topohub:`` keys or paths below ``data/`` (no absolute path, no ``..``, no ``./``);
5. it validates as a scenario (every field checked).

Each failure becomes sentences a strategist can act on (``ui.scenario_form.friendly_errors``,
naming the key path where there is one). Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
import weakref
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from engine.errors import QroadInputError
from engine.scenario import load_scenario, read_yaml_mapping
from ui.scenario_form import friendly_errors

MAX_UPLOAD_MB = 1  # Streamlit counts a MB as 1024 * 1024 bytes
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
# What the browser's file picker offers. The MIME types are listed too: with only
# extensions, Streamlit re-checks the name on the server and a bad name raises before the
# page runs (a blank page); with them it leaves the check to ``check_upload``, which answers
# with a message and keeps the page usable.
UPLOADER_TYPES = [*YAML_SUFFIXES, "application/yaml", "application/x-yaml", "text/yaml"]
PATH_KEYS = (("network", "topology"), ("demand", "pairs"))
UPLOAD_DIR_KEY = "upload_dir"


@dataclass(frozen=True)
class UploadResult:
    """Where an accepted upload was saved, or why it was refused (one sentence each)."""

    path: Path | None
    errors: tuple[str, ...] = ()


class UploadFolder:
    """A private temporary folder, removed when the object is dropped (the session ends)."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="qroad-upload-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)


def session_upload_dir(state: MutableMapping[str, Any]) -> Path:
    """This session's upload folder (made once per session and kept in its ``state``)."""
    holder = state.get(UPLOAD_DIR_KEY)
    if not isinstance(holder, UploadFolder) or not holder.path.is_dir():
        holder = UploadFolder()
        state[UPLOAD_DIR_KEY] = holder
    return holder.path


def bundled_names(scenarios_folder: Path) -> list[str]:
    """File names an upload may ``extends:`` — every scenario file shipped in the folder."""
    return sorted(p.name for p in scenarios_folder.glob("*.yaml") if not p.name.startswith("."))


def staged_name(file_name: str) -> str:
    """``uploaded-<stem><suffix>`` with only characters a scenario name allows (the stem
    names the scenario when the file has no ``name:``)."""
    pure = PurePosixPath(file_name.replace("\\", "/")).name
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", PurePosixPath(pure).stem).strip("-.")[:60]
    return f"uploaded-{stem or 'scenario'}{PurePosixPath(pure).suffix.lower()}"


def _shown(file_name: str) -> str:
    return "`" + file_name.replace("`", "'")[:80] + "`"


def file_problems(file_name: str, data: bytes) -> list[str]:
    """Problems of the raw upload (type, size, encoding), before any YAML is read."""
    if PurePosixPath(file_name.lower()).suffix not in YAML_SUFFIXES:
        return [
            f"{_shown(file_name)} is not a YAML file. Upload a scenario saved as .yaml or .yml."
        ]
    if not data:
        return [f"{_shown(file_name)} is empty. Upload a scenario with name, network, demand…"]
    if len(data) > MAX_UPLOAD_BYTES:
        return [
            f"{_shown(file_name)} is {len(data):,} bytes; uploads are limited to "
            f"{MAX_UPLOAD_MB} MB ({MAX_UPLOAD_BYTES:,} bytes). A scenario file is a few kB: "
            "check that this is the right file."
        ]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return [
            f"{_shown(file_name)} is not UTF-8 text (byte 0x{data[err.start]:02x} at line "
            f"{line}). Save it from your editor as UTF-8 text."
        ]
    return []


def path_problems(raw: dict[str, Any], bundled: list[str]) -> list[QroadInputError]:
    """Paths in an uploaded mapping that would reach outside ``data/`` and the bundled
    scenarios (uploads have no folder of their own, so ``./`` paths are refused too)."""
    errors: list[QroadInputError] = []
    parent = raw.get("extends")
    if parent is not None and not (isinstance(parent, str) and parent in bundled):
        errors.append(
            QroadInputError(
                "an uploaded scenario can extend only a bundled scenario, named by its file name",
                path="extends",
                value=parent,
                allowed=", ".join(bundled) or "no bundled scenarios found",
            )
        )
    for outer, inner in PATH_KEYS:
        section = raw.get(outer)
        text = section.get(inner) if isinstance(section, dict) else None
        if not isinstance(text, str) or text in ("all", "sndlib"):
            continue
        rest = text.removeprefix("topohub:")
        pure = PurePosixPath(rest.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or rest.startswith(("./", "~")):
            errors.append(
                QroadInputError(
                    "an uploaded scenario can name only files under data/ or topohub: networks",
                    path=f"{outer}.{inner}",
                    value=text,
                    allowed="a topohub: key (topohub:topozoo/Janetbackbone) or a path under "
                    "data/ (networks/uk_quantum_network)",
                )
            )
    return errors


def check_upload(file_name: str, data: bytes, folder: Path, scenarios_folder: Path) -> UploadResult:
    """Check an upload and, when it passes, save it under ``folder`` and validate it.

    Each upload gets its own sub-folder ``<sha256[:12]>/`` holding copies of the bundled
    scenarios (so ``extends: base.yaml`` resolves) and the upload as ``staged_name``; a
    refused upload's sub-folder is removed, an accepted one is never rewritten.
    """
    problems = file_problems(file_name, data)
    if problems:
        return UploadResult(None, tuple(problems))
    digest = hashlib.sha256(file_name.encode("utf-8", "replace") + b"\0" + data).hexdigest()
    home = folder / digest[:12]
    target = home / staged_name(file_name)
    if target.is_file():
        return UploadResult(target)  # accepted before in this session
    bundled = bundled_names(scenarios_folder)
    home.mkdir(parents=True, exist_ok=True)
    for name in bundled:
        shutil.copyfile(scenarios_folder / name, home / name)
    target.write_bytes(data)
    try:
        raw = read_yaml_mapping(target)
        errors = path_problems(raw, bundled)
        if errors:
            first = errors[0]
            first.all_errors = errors  # type: ignore[attr-defined]
            raise first
        load_scenario(target)
    except QroadInputError as err:
        shutil.rmtree(home, ignore_errors=True)
        return UploadResult(None, tuple(friendly_errors(err)))
    return UploadResult(target)


def write_new_file(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` only if no file has that name yet.

    Two sessions saving the same name at once: one wins, the other gets ``FileExistsError``;
    nobody listing the folder meanwhile sees half a file (written aside, then linked).
    """
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    tmp.write_text(text, encoding="utf-8")
    try:
        os.link(tmp, target)  # atomic, and fails when target exists
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: exclusive create instead
        with target.open("x", encoding="utf-8") as fh:
            fh.write(text)
    finally:
        tmp.unlink(missing_ok=True)
