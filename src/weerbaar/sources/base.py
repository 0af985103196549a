"""The source plug-in interface.

A source turns one real data file (or a small set of files that belong together) into the
canonical tables of the data contract. Built-in sources register through the entry-point
group ``weerbaar.sources`` in ``pyproject.toml``, exactly as a third party's would.

Each built-in source ships a processed copy of its output inside the package
(``weerbaar/data/<name>/*.parquet``), made by ``tools/prepare_data.py`` from the original
files; ``weerbaar build`` reads those copies and never the originals.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import ClassVar, TypedDict

import geopandas as gpd
import pandas as pd

from ..errors import SourceError

__all__ = ["Source", "SourceData", "SourceDescription", "TABLES", "file_checksum", "packaged_dir"]

#: Tables a source can provide, in the order the warehouse loads them.
TABLES: tuple[str, ...] = (
    "areas",
    "crosswalk",
    "indicators",
    "observations",
    "events",
    "facilities",
    "wastewater",
    "wastewater_sites",
    "synthetic_truth",
)

#: Columns of the indicator catalogue.
INDICATOR_COLUMNS = [
    "indicator",
    "label_nl",
    "label_en",
    "unit",
    "description",
    "source",
    "effort_dependent",
    "canonical",
]


@dataclass
class SourceData:
    """What a source read: canonical tables (any may be None) plus notes on what it skipped."""

    areas: gpd.GeoDataFrame | None = None
    crosswalk: pd.DataFrame | None = None
    indicators: pd.DataFrame | None = None
    observations: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    facilities: pd.DataFrame | None = None
    wastewater: pd.DataFrame | None = None
    wastewater_sites: pd.DataFrame | None = None
    synthetic_truth: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {t: getattr(self, t) for t in TABLES if getattr(self, t) is not None}

    def rows(self) -> int:
        return sum(len(df) for df in self.tables().values())


class SourceDescription(TypedDict):
    """What :meth:`Source.describe` tells about a source plug-in."""

    name: str
    title: str
    provides: list[str]
    files: list[str]
    licence: str
    attribution: str
    period: str
    real: bool


class Source:
    """Base class of a data source plug-in.

    Subclasses set the class attributes and implement :meth:`read`. ``provides`` names the
    tables and, as ``observations:<indicator>``, the canonical indicators the source fills.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    provides: ClassVar[tuple[str, ...]]
    files: ClassVar[tuple[str, ...]]  # paths relative to the folder of real data
    licence: ClassVar[str]
    attribution: ClassVar[str]
    period: ClassVar[str] = ""
    real: ClassVar[bool] = True

    def read(self, folder: Path) -> SourceData:
        """Parse the original files under ``folder`` into canonical tables."""
        raise NotImplementedError  # pragma: no cover - every concrete source overrides it

    def validate(self, data: SourceData) -> None:
        """Check what :meth:`read` produced; raises SourceError. Subclasses may add checks."""
        for table in self.declared_tables():
            if getattr(data, table) is None or len(getattr(data, table)) == 0:
                raise SourceError(
                    f"Source {self.name} produced no {table}.",
                    received="an empty table",
                    expected=f"rows in {table}",
                    fix="check the source files",
                )

    def declared_tables(self) -> list[str]:
        return sorted({p.split(":", 1)[0] for p in self.provides})

    # -- helpers -----------------------------------------------------------------------
    def path(self, folder: Path, file: str) -> Path:
        p = Path(folder) / file
        if not p.exists():
            raise SourceError(
                f"Source {self.name}: file not found.",
                received=str(p),
                expected=f"the real file {file}",
                fix="point --from at the folder of real data",
                file=str(p),
            )
        return p

    def describe(self) -> SourceDescription:
        return {
            "name": self.name,
            "title": self.title,
            "provides": list(self.provides),
            "files": list(self.files),
            "licence": self.licence,
            "attribution": self.attribution,
            "period": self.period,
            "real": self.real,
        }

    # -- packaged copies ---------------------------------------------------------------
    def packaged(self) -> tuple[SourceData, dict] | None:
        """The processed copy shipped in the package, with its manifest, or None."""
        folder = packaged_dir() / self.name
        manifest_file = folder / "manifest.json"
        if not manifest_file.is_file():
            return None
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        data = SourceData(notes=list(manifest.get("notes", [])))
        for table in manifest["tables"]:
            file = folder / f"{table}.parquet"
            if table == "areas":
                setattr(data, table, gpd.read_parquet(file))
            else:
                setattr(data, table, pd.read_parquet(file))
        return data, manifest


def packaged_dir() -> Path:
    return Path(str(resources.files("weerbaar") / "data"))


def file_checksum(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
