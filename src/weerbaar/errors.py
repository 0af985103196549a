"""One exception tree for weerbaar.

Every error says what was received, what was expected and how to fix it. The CLI prints
these three parts; the API (later) turns them into one JSON error shape.
"""

from __future__ import annotations

__all__ = [
    "WeerbaarError",
    "InputError",
    "ConfigError",
    "WarehouseError",
    "NotBuiltError",
    "SourceError",
    "SourceOfflineError",
    "NotFoundError",
]


class WeerbaarError(Exception):
    """Base class of every error weerbaar raises on purpose.

    Parameters
    ----------
    problem:
        One sentence naming what went wrong.
    received, expected, fix:
        What was received, what was expected, and how the user can fix it.
    file, row, column:
        Where the problem was found, when it concerns an input file. ``row`` counts data rows
        from 1, as a spreadsheet would after its header row.
    """

    def __init__(
        self,
        problem: str,
        *,
        received: str | None = None,
        expected: str | None = None,
        fix: str | None = None,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problem = problem
        self.received = received
        self.expected = expected
        self.fix = fix
        self.file = file
        self.row = row
        self.column = column
        super().__init__(self.render())

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def render(self) -> str:
        lines = [self.problem]
        loc = self.location()
        if loc:
            lines.append(f"  where:    {loc}")
        if self.received is not None:
            lines.append(f"  received: {self.received}")
        if self.expected is not None:
            lines.append(f"  expected: {self.expected}")
        if self.fix is not None:
            lines.append(f"  fix:      {self.fix}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "error": type(self).__name__,
            "problem": self.problem,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "received": self.received,
            "expected": self.expected,
            "fix": self.fix,
        }


class InputError(WeerbaarError):
    """An input file or argument does not satisfy the data contract."""


class SourceError(InputError):
    """A real source file is not in the layout its adapter knows."""


class SourceOfflineError(WeerbaarError):
    """An online source cannot be reached (no connection, or the connection dropped during a download)."""


class NotFoundError(InputError):
    """A named thing (an area, an indicator, a stored result) does not exist; the API answers 404."""


class ConfigError(WeerbaarError):
    """A setting has an invalid value."""


class WarehouseError(WeerbaarError):
    """The warehouse cannot be opened, or an operation on it failed."""


class NotBuiltError(WarehouseError):
    """The warehouse does not exist yet."""
