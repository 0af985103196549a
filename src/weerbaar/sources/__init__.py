"""Data sources as plug-ins (entry-point group ``weerbaar.sources``)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from ..errors import InputError
from .base import TABLES, Source, SourceData, file_checksum, packaged_dir

__all__ = ["Source", "SourceData", "TABLES", "available", "get_source", "file_checksum", "packaged_dir"]

GROUP = "weerbaar.sources"


@cache
def available() -> dict[str, Source]:
    """Every registered source, built-in and third-party, by name, in registration order."""
    found: dict[str, Source] = {}
    for ep in entry_points(group=GROUP):
        cls = ep.load()
        src = cls()
        found[src.name] = src
    return found


def get_source(name: str) -> Source:
    sources = available()
    if name not in sources:
        raise InputError(
            "Unknown source.",
            received=repr(name),
            expected=", ".join(sources),
            fix="see `weerbaar sources` for the registered sources",
        )
    return sources[name]
