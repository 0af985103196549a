"""EUDA/SCORE wastewater monitoring: metabolite loads per city and year, and the sampling sites.

Values are mg of the measured metabolite per 1000 inhabitants per day (not of the parent
drug: benzoylecgonine for cocaine, THC-COOH for cannabis). The table is kept long: one row per
year, metabolite, site and measure (each weekday, weekday mean, weekend mean, daily mean).
Cities are matched by name in analyses, because site IDs change between releases.

:func:`read_release` reads any release in the EUDA layout (the data file and, optionally, its
site table); the adapter reads the shipped 2025 release through it, and
``weerbaar.pipeline.ingest_wastewater`` loads a newer one in its place.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, SourceError
from .base import Source, SourceData, file_checksum
from .generic import _decimal_comma, read_csv_table

__all__ = [
    "EudaWastewater",
    "MEASURES",
    "METABOLITES",
    "NAME",
    "find_release_files",
    "read_release",
    "read_sites",
    "release_label",
]

NAME = "euda-wastewater"
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MEASURES = {
    **{d: d.lower() for d in DAYS},
    "Weekday mean": "weekday_mean",
    "Weekend mean": "weekend_mean",
    "Daily mean": "daily_mean",
}
METABOLITES = {
    "MDMA": "mdma",
    "amphetamine": "amphetamine",
    "cannabis": "cannabis",
    "cocaine": "cocaine",
    "ketamine": "ketamine",
    "methamphetamine": "methamphetamine",
}
#: Metabolite labels as written in a release, compared case-insensitively; also the residue's own name.
_METABOLITE_NAMES = {
    **{k.casefold(): v for k, v in METABOLITES.items()},
    "benzoylecgonine": "cocaine",
    "thc-cooh": "cannabis",
}
ID_COLUMNS = ["Year", "Metabolite", "Site ID", "Country", "City"]
#: The data file must have these; the other measures (days, weekday and weekend means) may be absent.
REQUIRED_COLUMNS = [*ID_COLUMNS, "Daily mean"]
SITE_COLUMNS = ["SiteID", "Country", "City", "Location", "Latitude", "Longitude", "Population", "Institution"]
REQUIRED_SITE_COLUMNS = ["SiteID", "Country", "City", "Population"]
_KNOWN_EXTRA = {"website"}  # published in the site table, not kept
#: Cells read as missing, as pandas' CSV reader does by default (the shipped copies were made that way).
_NA = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A"}
_NA |= {"NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
FIRST_YEAR = 2011  # the first SCORE campaign


def column_key(name: object) -> str:
    """A header compared without case, spaces, hyphens and underscores: 'Site ID' = 'SiteID' = 'site_id'."""
    return re.sub(r"[\s_\-]+", "", str(name).lstrip("\ufeff")).casefold()


def _columns(frame: pd.DataFrame, wanted: list[str], required: list[str], *, file: str, what: str) -> tuple:
    """Rename the frame's headers to the canonical names; raise on missing or doubled columns."""
    by_key: dict[str, list[str]] = {}
    for c in frame.columns:
        by_key.setdefault(column_key(c), []).append(str(c))
    doubled = [names for k, names in by_key.items() if len(names) > 1 and k in {column_key(w) for w in wanted}]
    if doubled:
        raise SourceError(
            f"The {what} has a column twice.",
            received=", ".join(" and ".join(repr(n) for n in names) for names in doubled),
            expected="each column once",
            fix="remove or rename the copy",
            file=file,
        )
    missing = [w for w in required if column_key(w) not in by_key]
    if missing:
        raise SourceError(
            f"The {what} lacks columns: {', '.join(missing)}.",
            received=", ".join(map(str, frame.columns)),
            expected=", ".join(required) + " (case, spaces and underscores in the names do not matter)",
            fix="use the file as the EUDA publishes it (its 'Source data' download), or rename the columns",
            file=file,
        )
    rename = {by_key[column_key(w)][0]: w for w in wanted if column_key(w) in by_key}
    extra = [str(c) for c in frame.columns if c not in rename and column_key(c) not in _KNOWN_EXTRA]
    return frame.rename(columns=rename), extra


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(~values.isin(_NA), None)


def _point(text: pd.Series) -> pd.Series:
    """Decimal commas (a semicolon-separated file, as Dutch spreadsheets write) to decimal points."""
    return _decimal_comma(text.fillna("")).where(text.notna(), None)


def _numbers(values: pd.Series, *, sep: str, file: str, column: str, what: str) -> pd.Series:
    """Numbers of a text column (empty and N/A cells missing); raise on the first cell that is not a number."""
    text = _text(values)
    if sep == ";":
        text = _point(text)
    num = pd.to_numeric(text, errors="coerce")
    bad = num.isna() & text.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        cell = str(values.iloc[i])
        hint = (
            "use a decimal point (or read the file as published)"
            if re.fullmatch(r"-?\d+,\d+", cell)
            else "EUDA marks values below the limit of quantification as 0: write 0 there, or leave a cell "
            "empty when there was no measurement"
        )
        raise SourceError(
            f"Text in a number column of the {what}.",
            received=f"{cell!r} ({int(bad.sum())} such cells in this column)",
            expected="a load in mg per 1000 inhabitants per day, or an empty cell",
            fix=hint,
            file=file,
            row=i + 1,
            column=column,
        )
    return num


def read_release(data_file: str | Path, sites_file: str | Path | None = None) -> SourceData:
    """One EUDA release: the data file (``ww2025-all-data.csv`` and the like) and its site table.

    Everything is validated before anything is returned: required columns (header case, spacing and
    underscores tolerated), whole years, known metabolites, numeric non-negative loads, one row per
    year, metabolite and site. Extra columns are ignored (listed in the notes). Without a site table
    the result has no ``wastewater_sites``. Raises InputError (unreadable file) or SourceError.
    """
    data_file = Path(data_file)
    file = str(data_file)
    what = "EUDA data file"
    raw, sep = read_csv_table(data_file, what=what)
    raw, extra = _columns(raw, [*ID_COLUMNS, *MEASURES], REQUIRED_COLUMNS, file=file, what=what)
    notes = [f"columns ignored in {data_file.name}: {', '.join(extra)}"] if extra else []
    if raw.empty:
        raise SourceError(
            "The EUDA data file has no data rows.",
            received="a header row only",
            expected="one row per year, metabolite and site",
            fix="use the complete file",
            file=file,
        )
    for col in ("Year", "Metabolite", "Site ID", "City"):
        empty = _text(raw[col]).isna().to_numpy()
        if empty.any():
            raise SourceError(
                f"Empty {col} in the EUDA data.",
                received=f"an empty cell ({int(empty.sum())} in this column)",
                expected=f"a {col.lower()} on every row",
                fix="complete or remove the row",
                file=file,
                row=int(np.flatnonzero(empty)[0]) + 1,
                column=col,
            )
    years = pd.to_numeric(raw["Year"], errors="coerce")
    last = date.today().year + 1
    bad = (years.isna() | (years % 1 != 0) | (years < FIRST_YEAR) | (years > last)).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SourceError(
            "Not a year in the EUDA data.",
            received=repr(raw["Year"].iloc[i]),
            expected=f"a whole year from {FIRST_YEAR} to {last}",
            fix="check the Year column",
            file=file,
            row=i + 1,
            column="Year",
        )
    substance = raw["Metabolite"].str.strip().str.casefold().map(_METABOLITE_NAMES)
    if substance.isna().any():
        unknown = sorted(set(raw.loc[substance.isna(), "Metabolite"]))
        raise SourceError(
            "Unknown metabolite in the EUDA data.",
            received=", ".join(unknown),
            expected=", ".join(METABOLITES),
            fix="extend METABOLITES with its substance",
            file=file,
            column="Metabolite",
        )
    present = [m for m in MEASURES if m in raw.columns]
    absent = [m for m in MEASURES if m not in raw.columns]
    if absent:
        notes.append(f"measures not in {data_file.name}: {', '.join(absent)}")
    wide = pd.DataFrame(
        {
            "Year": years.astype("int32"),
            "substance": substance,
            "Site ID": raw["Site ID"],
            "Country": _text(raw["Country"]),
            "City": raw["City"],
        }
    )
    for m in present:
        wide[m] = _numbers(raw[m], sep=sep, file=file, column=m, what=what).astype("float64")
        if (wide[m] < 0).any():
            i = int(np.flatnonzero((wide[m] < 0).to_numpy())[0])
            raise SourceError(
                "Negative load in the EUDA data.",
                received=str(raw[m].iloc[i]),
                expected="a load of 0 or more",
                fix="check the value",
                file=file,
                row=i + 1,
                column=m,
            )
    long = wide.melt(
        id_vars=["Year", "substance", "Site ID", "Country", "City"],
        value_vars=present,
        var_name="measure",
        value_name="value",
    ).dropna(subset=["value"])
    ww = pd.DataFrame(
        {
            "year": long["Year"].astype("int32").to_numpy(),
            "substance": long["substance"].to_numpy(),
            "site_id": long["Site ID"].to_numpy(),
            "country": long["Country"].to_numpy(),
            "city": long["City"].to_numpy(),
            "measure": long["measure"].map(MEASURES).to_numpy(),
            "value": long["value"].astype("float64").to_numpy(),
            "unit": "mg metabolite per 1000 inhabitants per day",
            "source": NAME,
            "status": "final",
        }
    ).sort_values(["city", "substance", "year", "measure"], ignore_index=True)
    dup = wide.duplicated(["Year", "substance", "Site ID"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise SourceError(
            "Duplicate rows in the EUDA data.",
            received=f"{raw['Year'].iloc[i]}, {raw['Metabolite'].iloc[i]}, site {raw['Site ID'].iloc[i]} twice",
            expected="one row per year, metabolite and site",
            fix="check the file",
            file=file,
            row=i + 1,
        )
    sites = read_sites(sites_file) if sites_file is not None else None
    if sites is not None:
        orphan = sorted(set(ww["site_id"]) - set(sites["site_id"]))
        if orphan:
            notes.append(f"{len(orphan)} sites in the data lack site information: {', '.join(orphan[:8])}.")
    return SourceData(wastewater=ww, wastewater_sites=sites, notes=notes)


def read_sites(path: str | Path) -> pd.DataFrame:
    """The site table of a release (``ww2025-site-info-table.csv`` and the like): population served per site.

    Read with pandas' CSV defaults, cells as published (the shipped copy was made so); coordinates and
    populations that are not numbers become missing.
    """
    path = Path(path)
    what = "EUDA site table"
    read_csv_table(path, what=what)  # the file-level checks: exists, text, UTF-8, same number of fields per row
    header = path.read_text(encoding="utf-8-sig").lstrip().splitlines()[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    raw = pd.read_csv(path, sep=sep, dtype=str, encoding="utf-8-sig", decimal="," if sep == ";" else ".")
    raw, _ = _columns(raw, SITE_COLUMNS, REQUIRED_SITE_COLUMNS, file=str(path), what=what)
    if raw.empty:
        raise SourceError(
            "The EUDA site table has no rows.",
            received="a header row only",
            expected="one row per site",
            fix="use the complete file",
            file=str(path),
        )

    def col(name: str) -> pd.Series:
        return raw[name] if name in raw.columns else pd.Series([None] * len(raw), dtype=object)

    def num(name: str) -> pd.Series:
        values = col(name)
        return pd.to_numeric(_point(values) if sep == ";" else values, errors="coerce")

    sites = pd.DataFrame(
        {
            "site_id": raw["SiteID"],
            "country": col("Country"),
            "city": raw["City"],
            "location": col("Location"),
            "lat": num("Latitude"),
            "lon": num("Longitude"),
            "population": num("Population"),
            "institution": col("Institution"),
            "source": NAME,
        }
    )
    if sites["site_id"].isna().any() or sites["site_id"].duplicated().any():
        raise SourceError(
            "A site without an ID, or twice, in the EUDA site table.",
            received=", ".join(sorted(set(sites.loc[sites["site_id"].duplicated(), "site_id"].dropna())))[:200]
            or "an empty SiteID",
            expected="one row per SiteID",
            fix="check the file",
            file=str(path),
            column="SiteID",
        )
    return sites


def release_label(path: str | Path) -> str:
    """The release a file belongs to, from its name: 'ww2025-all-data.csv' -> '2025 release',
    'ww-data-long-2023-05-02.csv' -> 'release of 2023-05-02'; otherwise the file name."""
    name = Path(path).name
    if m := re.search(r"ww[-_]?(\d{4})(?!\d)", name, re.IGNORECASE):
        return f"{m.group(1)} release"
    if m := re.search(r"(\d{4}-\d{2}-\d{2})", name):
        return f"release of {m.group(1)}"
    return name


def find_release_files(path: str | Path, sites: str | Path | None = None) -> tuple[Path, Path | None]:
    """The data file and site table of a release: ``path`` is the data file or the folder holding both.

    Without ``sites`` the site table is looked for next to the data file (a CSV whose name holds
    'site'); None when there is none.
    """
    path = Path(path)
    if path.is_dir():
        data = [p for p in sorted(path.glob("*.csv")) if "site" not in p.name.lower() and "data" in p.name.lower()]
        if len(data) != 1:
            raise InputError(
                "Cannot tell which file of the folder is the EUDA data file.",
                received=", ".join(p.name for p in data) or f"no CSV with 'data' in its name in {path}",
                expected="one data file such as ww2025-all-data.csv",
                fix="pass the data file itself",
                file=str(path),
            )
        path = data[0]
    if not path.is_file():
        raise InputError(
            "File not found.",
            received=str(path),
            expected="the EUDA data file (such as ww2025-all-data.csv)",
            fix="check the path",
        )
    if sites is not None:
        return path, Path(sites)
    found = [p for p in sorted(path.parent.glob("*.csv")) if "site" in p.name.lower() and p != path]
    if len(found) > 1:  # prefer the one of the same release
        label = release_label(path)
        same = [p for p in found if release_label(p) == label]
        found = same if len(same) == 1 else found
    if len(found) > 1:
        raise InputError(
            "More than one site table next to the EUDA data file.",
            received=", ".join(p.name for p in found),
            expected="one site table, or the one to use named",
            fix="name the site table (sites=..., on the command line --sites)",
            file=str(path),
        )
    return path, (found[0] if found else None)


def release_checksum(*files: Path) -> str:
    """SHA-256 over the files' own checksums, as tools/prepare_data.py records for the shipped copy."""
    import hashlib

    parts = "".join(f"{p.name}:{file_checksum(p)};" for p in sorted(files, key=lambda p: p.name))
    return hashlib.sha256(parts.encode()).hexdigest()


class EudaWastewater(Source):
    name = NAME
    title = "EUDA/SCORE wastewater analysis, European cities 2011-2024"
    provides = ("wastewater", "wastewater_sites")
    files = ("euda-wastewater-2025/ww2025-all-data.csv", "euda-wastewater-2025/ww2025-site-info-table.csv")
    licence = "Re-use with acknowledgement (EUDA)"
    attribution = "EUDA (formerly EMCDDA) and the SCORE group, wastewater analysis and drugs (2025 release)"
    period = "2011-2024"

    def read(self, folder: Path) -> SourceData:
        return read_release(self.path(folder, self.files[0]), self.path(folder, self.files[1]))
