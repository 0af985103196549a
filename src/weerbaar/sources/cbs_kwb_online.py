"""CBS StatLine: "Kerncijfers wijken en buurten" (KWB), the yearly tables, online.

CBS publishes the KWB as one OData table per year on ``opendata.cbs.nl`` (:data:`KWB_TABLES`). Each
table has one key dimension, ``WijkenEnBuurten`` (every municipality ``GMgggg``, wijk ``WKggggww`` and
buurt ``BUggggwwbb`` of that year, space-padded), the columns ``SoortRegio_2`` and ``Codering_3`` and
some hundred topics whose keys end in a position number that shifts between years
(``AantalInwoners_5``; ``GemiddeldeWoningwaarde_35`` in 2019, ``_99`` in 2024). Topics are therefore
matched by their stable name, the key without its ``_<n>`` suffix.

:func:`fetch_kwb` downloads one municipality's rows of one year through the shared OData client
(:mod:`weerbaar.sources.cbs_odata`: paging, retries with backoff, the offline error) and maps them
with the file adapter's own mapping and secrecy rules (:func:`weerbaar.sources.cbs_kwb.kwb_frame`,
docs/decisions/0003-cbs-secrecy.md):

* a topic of :data:`DIRECT` is the file column of the same meaning (``AantalInwoners`` ->
  ``aantal_inwoners`` -> ``population``);
* the tables give age groups and marital status as counts where the 2021 file gives percentages;
  :data:`PERCENT_OF_POPULATION` turns them into the file's whole percentages of ``AantalInwoners``;
* a figure CBS does not publish (``null``) is ``suppressed``, never 0; the 0-rules of decision 0003 apply.

Areas: ``GMgggg``, ``WK`` and ``BU`` codes are linked to the areas carrying that CBS code
(:func:`weerbaar.areas.cbs_codes.cbs_code_lookup`), the year deciding between divisions (up to 2021
the 2015 division, from 2022 the 2022 division). Incremental: the rows are cached per table under
``<home>/cache/cbs/<table>/<municipality>/kwb.json`` with the table's ``Modified`` time, and fetched
again only when CBS changed the table.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from .. import settings
from ..areas.cbs_codes import cbs_code_lookup, division_for_year
from ..contract import validate_observations
from ..errors import ConfigError, SourceError
from .base import SourceData
from .cbs_kwb import KWB_COLUMNS, kwb_catalogue, kwb_frame
from .cbs_odata import MAX_ROWS, OPENDATA, ODataClient
from .cbs_police import _in_municipality, _value, _write_atomic, normalise_municipality, packaged_amsterdam_areas

__all__ = [
    "ATTRIBUTION",
    "BASE_URL",
    "DIRECT",
    "KWB_TABLES",
    "LICENCE",
    "PERCENT_OF_POPULATION",
    "fetch_kwb",
    "kwb_load_options",
    "kwb_source_name",
    "kwb_table",
    "latest_years",
    "stable_name",
]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


#: Year -> StatLine table of "Kerncijfers wijken en buurten <year>" (OData v3 on opendata.cbs.nl).
KWB_TABLES: dict[int, str] = {
    2017: "83765NED",
    2018: "84286NED",
    2019: "84583NED",
    2020: "84799NED",
    2021: "85039NED",
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
}
BASE_URL = OPENDATA
LICENCE = "CC BY 4.0"
ATTRIBUTION = "CBS, Kerncijfers wijken en buurten (opendata.cbs.nl), CC BY 4.0"
REGION = "WijkenEnBuurten"
#: Stable topic names (any one of them) -> the KWB file column (see ``KWB_COLUMNS``) with the same meaning.
DIRECT: dict[str, tuple[str, ...]] = {
    "aantal_inwoners": ("AantalInwoners",),
    "mannen": ("Mannen",),
    "vrouwen": ("Vrouwen",),
    "geboortes_per_1000_inwoners": ("GeboorteRelatief",),
    "aantal_huishoudens": ("HuishoudensTotaal", "ParticuliereHuishoudens"),
    "gemiddelde_huishoudsgrootte": ("GemiddeldeHuishoudensgrootte",),
    "bevolkingsdichtheid_inwoners_per_km2": ("Bevolkingsdichtheid",),
    "woningvoorraad": ("Woningvoorraad",),
    "gemiddelde_woningwaarde": ("GemiddeldeWoningwaarde",),
    "personenautos_per_huishouden": ("PersonenautoSPerHuishouden",),
    "motortweewielers_totaal": ("MotortweewielersTotaal", "Motortweewielers", "Motorfietsen"),
}
#: Count topics -> the file's percentage column: 100 * count / AantalInwoners, rounded like the file.
PERCENT_OF_POPULATION: dict[str, tuple[str, ...]] = {
    "percentage_personen_0_tot_15_jaar": ("k_0Tot15Jaar",),
    "percentage_personen_15_tot_25_jaar": ("k_15Tot25Jaar",),
    "percentage_personen_25_tot_45_jaar": ("k_25Tot45Jaar",),
    "percentage_personen_45_tot_65_jaar": ("k_45Tot65Jaar",),
    "percentage_personen_65_jaar_en_ouder": ("k_65JaarOfOuder",),
    "percentage_ongehuwd": ("Ongehuwd",),
    "percentage_gehuwd": ("Gehuwd",),
    "percentage_gescheid": ("Gescheiden",),
    "percentage_verweduwd": ("Verweduwd",),
}
REQUIRED = "aantal_inwoners"
_SUFFIX = re.compile(r"_\d+$")


def stable_name(key: str) -> str:
    """``AantalInwoners_5`` -> ``AantalInwoners``; ``k_0Tot15Jaar_8`` -> ``k_0Tot15Jaar``."""
    return _SUFFIX.sub("", str(key).strip())


def kwb_table(year: int) -> str:
    """The StatLine table of a KWB year, or a ConfigError listing the known years."""
    try:
        return KWB_TABLES[int(year)]
    except (KeyError, ValueError, TypeError):
        raise ConfigError(
            "No CBS 'Kerncijfers wijken en buurten' table is known for this year.",
            received=repr(year),
            expected="one of " + ", ".join(str(y) for y in KWB_TABLES),
            fix="choose a known year, or add the year's table to KWB_TABLES in weerbaar.sources.cbs_kwb_online "
            "(find it on https://opendata.cbs.nl, search 'Kerncijfers wijken en buurten')",
        ) from None


def latest_years(n: int = 3) -> list[int]:
    """The last ``n`` years in the registry (the default of the CLI)."""
    return sorted(KWB_TABLES)[-n:]


def kwb_source_name(year: int, municipality: str = "GM0363") -> str:
    """``cbs-kwb-<year>`` for Amsterdam (the name of the embedded 2021 file source too), else with the code."""
    gm = normalise_municipality(municipality)
    return f"cbs-kwb-{int(year)}" + ("" if gm == "GM0363" else f"-{gm.lower()}")


def kwb_load_options(year: int, municipality: str = "GM0363", data: SourceData | None = None) -> dict:
    """Keyword arguments for ``Warehouse.load``: source, kind, title, files, licence, attribution, period."""
    gm, table = normalise_municipality(municipality), kwb_table(year)
    return {
        "source": kwb_source_name(year, gm),
        "kind": "real",
        "title": f"CBS {table}: Kerncijfers wijken en buurten {year} ({gm}, online)",
        "files": f"{BASE_URL}/{table}",
        "licence": LICENCE,
        "attribution": ATTRIBUTION.replace("buurten", f"buurten {year}"),
        "period": str(int(year)),
    }


# -- schema ------------------------------------------------------------------------------------
def match_topics(properties: list[dict[str, Any]], table: str) -> dict[str, str]:
    """``DataProperties`` -> {file column or ``count:<file column>``: topic key}; checks the layout."""
    keys = {str(p.get("Key", "")).strip(): str(p.get("Type", "")) for p in properties}
    by_name: dict[str, str] = {}
    for key, kind in keys.items():
        if kind == "Topic":
            by_name.setdefault(stable_name(key), key)
    found: dict[str, str] = {}
    for col, names in DIRECT.items():
        topic = next((by_name[n] for n in names if n in by_name), None)
        if topic:
            found[col] = topic
    for col, names in PERCENT_OF_POPULATION.items():
        topic = next((by_name[n] for n in names if n in by_name), None)
        if topic:
            found["count:" + col] = topic
    if REGION not in keys or REQUIRED not in found:
        lacking = [x for x, ok in ((REGION, REGION in keys), ("AantalInwoners_n", REQUIRED in found)) if not ok]
        raise SourceError(
            f"The CBS table {table} changed its layout.",
            received=", ".join(k for k in list(keys)[:12] if k) + (" ..." if len(keys) > 12 else "")
            or "(no properties)",
            expected=f"a dimension {REGION} and a topic AantalInwoners_n (missing: {', '.join(lacking)})",
            fix="the connector must be adapted to the new layout (weerbaar.sources.cbs_kwb_online); "
            "the warehouse was not changed",
        )
    return found


def rows_to_columns(rows: list[dict[str, Any]], topics: dict[str, str], *, table: str = "") -> pd.DataFrame:
    """TypedDataSet rows -> ``region`` plus the KWB file columns (percentages derived from counts)."""
    need = [REGION, *topics.values()]
    for i, row in enumerate(rows):
        lacking = [c for c in need if c not in row]
        if lacking:
            raise SourceError(
                f"The CBS table {table} sent rows without the expected columns.",
                received=", ".join(row) or "(an empty row)",
                expected=", ".join(need) + f" (missing: {', '.join(lacking)})",
                fix="the connector must be adapted to the new layout; the warehouse was not changed",
                row=i + 1,
            )
    out = pd.DataFrame({"region": [str(r[REGION]).strip() for r in rows]})
    for col, key in topics.items():
        out[col] = np.array([_value(r[key]) for r in rows], dtype="float64")
    pop = out[REQUIRED].to_numpy() if len(out) else np.array([], dtype="float64")
    for col in PERCENT_OF_POPULATION:
        if "count:" + col in out:
            count = out.pop("count:" + col).to_numpy()
            with np.errstate(divide="ignore", invalid="ignore"):
                pct = np.where(pop > 0, np.round(100.0 * count / pop), np.where(pop == 0, 0.0, np.nan))
            out[col] = np.where(np.isnan(count) | (count < 0), np.nan, pct)
    return out


# -- areas -------------------------------------------------------------------------------------
def link_areas(
    regions: pd.Series, *, year: int, areas: pd.DataFrame | None, gm: str
) -> tuple[pd.Series, pd.Series, list[str]]:
    """CBS codes -> (area code, division) of the loaded areas; unknown codes give NaN and a note."""
    lookup = cbs_code_lookup(areas) if areas is not None else pd.DataFrame(columns=["cbs_code", "division", "code"])
    lookup = lookup[_in_municipality(lookup["cbs_code"].astype(str), gm)]
    if lookup.empty:
        note = (
            f"No loaded areas carry CBS codes of {gm}: the CBS codes are kept as area codes in division 'cbs'. "
            "Load the municipality's areas with a cbs_code property first to link them."
        )
        return regions.copy(), pd.Series("cbs", index=regions.index), [note]
    preferred = division_for_year(int(year))
    lookup = lookup.assign(_rank=(lookup["division"] != preferred).astype(int)).sort_values("_rank")
    lookup = lookup.drop_duplicates("cbs_code")
    code = regions.map(dict(zip(lookup["cbs_code"], lookup["code"], strict=True)))
    division = regions.map(dict(zip(lookup["cbs_code"], lookup["division"], strict=True)))
    notes = []
    if code.isna().any():
        missing = sorted(pd.unique(regions[code.isna()]))
        notes.append(
            f"{len(missing)} CBS region codes without an area in the loaded divisions were left out "
            f"(e.g. {', '.join(missing[:5])})."
        )
    return code, division, notes


# -- fetch -------------------------------------------------------------------------------------
def default_cache(table: str, municipality: str, home: Path | None = None) -> Path:
    base = Path(home) if home is not None else settings.home()
    return base / "cache" / "cbs" / table / normalise_municipality(municipality) / "kwb.json"


def fetch_kwb(
    year: int,
    municipality: str = "GM0363",
    *,
    client: httpx.Client | None = None,
    areas: pd.DataFrame | None = None,
    home: Path | None = None,
    cache: Path | None = None,
    refetch: bool = False,
    progress: Progress = _quiet,
    sleep: Callable[[float], None] = time.sleep,
    base_url: str = BASE_URL,
    page_size: int = MAX_ROWS,
    retries: int = 4,
    backoff: float = 1.0,
) -> SourceData:
    """One year of the KWB for one municipality, as observations of that year's area division.

    Raises ConfigError for a year not in :data:`KWB_TABLES`, SourceOfflineError without a connection
    (nothing is stored), SourceError when the table's layout changed.
    """
    table, gm = kwb_table(year), normalise_municipality(municipality)
    name = kwb_source_name(year, gm)
    cache_file = Path(cache) if cache is not None else default_cache(table, gm, home)
    http = client or httpx.Client(timeout=60.0, follow_redirects=True)
    try:
        odata = ODataClient(
            table, base_url=base_url, client=http, retries=retries, backoff=backoff, sleep=sleep, progress=progress
        )
        progress(f"KWB {year} ({table}), {gm}: reading the table description from {odata.url()}")
        infos = odata.collection("TableInfos")
        modified = str(infos[0].get("Modified", "")) if infos else ""
        topics = match_topics(odata.collection("DataProperties"), table)
        cached = json.loads(cache_file.read_text(encoding="utf-8")) if cache_file.is_file() else None
        if (
            not refetch
            and cached
            and modified
            and cached.get("modified") == modified
            and cached.get("topics") == topics
        ):
            rows = cached["rows"]
            progress(f"KWB {year}: unchanged since {modified}, {len(rows):,} cached rows used")
            fetched = False
        else:
            digits = gm[2:]
            params = {
                "$filter": f"startswith({REGION},'{gm}') or startswith({REGION},'WK{digits}') "
                f"or startswith({REGION},'BU{digits}')",
                "$select": ",".join([REGION, *topics.values()]),
            }
            rows = []
            for i, (_cursor, page) in enumerate(odata.pages("TypedDataSet", params=params, page_size=page_size), 1):
                rows_to_columns(page.rows, topics, table=table)  # a changed layout fails here
                rows.extend(page.rows)
                progress(f"KWB {year}: page {i} ({len(page.rows):,} rows)")
            _write_atomic(
                cache_file, json.dumps({"table": table, "modified": modified, "topics": topics, "rows": rows}).encode()
            )
            fetched = True
    finally:
        if client is None:
            http.close()
    return to_source_data(rows, topics, year=year, gm=gm, areas=areas, table=table, name=name, fetched=fetched)


def to_source_data(
    rows: list[dict[str, Any]],
    topics: dict[str, str],
    *,
    year: int,
    gm: str,
    areas: pd.DataFrame | None,
    table: str,
    name: str,
    fetched: bool = True,
) -> SourceData:
    frame = rows_to_columns(rows, topics, table=table)
    inside = _in_municipality(frame["region"], gm)
    notes = [f"CBS {table} (KWB {year}); " + ("fetched in this run." if fetched else "unchanged, from the cache.")]
    if (~inside).any():
        notes.append(f"{int((~inside).sum()):,} rows of other municipalities than {gm} were left out.")
    frame = frame[inside].reset_index(drop=True)
    if areas is None and gm == "GM0363":
        areas = packaged_amsterdam_areas()
    code, division, more = link_areas(frame["region"], year=year, areas=areas, gm=gm)
    notes += more
    keep = code.notna().to_numpy()
    frame, code, division = frame[keep], code[keep], division[keep]
    parts = []
    for div in pd.unique(division):
        mask = (division == div).to_numpy()
        parts.append(kwb_frame(frame[mask], code[mask].to_numpy(), division=div, period=str(year)))
    obs = pd.concat(parts, ignore_index=True) if parts else kwb_frame(frame, [], division="cbs", period=str(year))
    obs = validate_observations(obs, default_source=name)
    absent = [c for c in KWB_COLUMNS if c not in frame.columns]
    if absent:
        notes.append(f"{table} has no topic for {', '.join(KWB_COLUMNS[c][0] for c in absent)}; these are left out.")
    n_supp = int((obs["status"] == "suppressed").sum())
    if n_supp:
        notes.append(f"{n_supp:,} figures CBS does not publish (secrecy) are stored as suppressed, not as 0.")
    cat = kwb_catalogue(name, f"CBS KWB {year} ({table}), as the file column {{column}}", columns=frame.columns)
    return SourceData(observations=obs, indicators=cat, notes=notes)
