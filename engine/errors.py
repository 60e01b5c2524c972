"""User-facing input errors. Every one names the file, the key path, the bad value and what
is allowed, so the CLI can print it on one line and exit 2 without a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class QroadInputError(ValueError):
    """Bad user input (scenario, network or demand file, command-line override)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        path: str = "",
        value: Any = None,
        allowed: str = "",
    ) -> None:
        self.file = str(file) if file is not None else None
        self.path = path
        self.value = value
        self.allowed = allowed
        self.message = message
        super().__init__(self.format())

    def format(self) -> str:
        """``file: path: message (got VALUE; allowed: ...)`` on one line."""
        path = self.path
        if path and (not path.isprintable() or any(c.isspace() or c == ":" for c in path)):
            path = repr(path)  # a key such as "\r" or "a: b" stays visible and unambiguous
        where = ": ".join(p for p in (self.file, path) if p)
        text = f"{where}: {self.message}" if where else self.message
        if self.value is not None:
            shown = repr(self.value)
            text += f" (got {shown[:80] + '…' if len(shown) > 80 else shown}"
            text += f"; allowed: {self.allowed})" if self.allowed else ")"
        elif self.allowed:
            text += f" (allowed: {self.allowed})"
        return " ".join(text.splitlines())  # one line, whatever the parts hold
