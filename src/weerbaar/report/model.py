"""The report's content as plain data: what is said, independent of how it is typeset (Typst or HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Para:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """A boxed notice (synthetic data, missing register)."""

    text: str


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...]  # "l" or "r" per column
    widths: tuple[float, ...] | None = None  # relative column widths
    note: str | None = None


@dataclass(frozen=True)
class Figure:
    key: str  # file name stem of the rendered SVG
    spec: dict[str, Any]  # the Vega-Lite spec (from weerbaar.charts)
    caption: str


Block = Para | Heading | Bullets | Notice | Table | Figure


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]
    annex: bool = False


@dataclass(frozen=True)
class Report:
    lang: str
    period: str
    title: str
    subtitle: str
    date_text: str
    cover: tuple[tuple[str, str], ...]  # label, value
    synthetic_notice: str | None
    sections: tuple[Section, ...]
    colophon: tuple[tuple[str, str], ...]
    colophon_notes: tuple[str, ...] = field(default_factory=tuple)

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
