"""CBS StatLine: police-registered crime per wijk and buurt (47018NED per year, 47022NED per month).

The police's registered offences (``GeregistreerdeMisdrijven``) are published by CBS as "derden"
tables on ``dataderden.cbs.nl``, per ``SoortMisdrijf`` (59 codes, ``0.0.0`` the total), per region
(``WijkenEnBuurten``: every municipality, wijk and buurt of the Netherlands) and per period
(``Perioden``: ``2017JJ00`` a year, ``2017MM12`` a month). :func:`fetch` downloads one
municipality's rows through our small OData client (:mod:`weerbaar.sources.cbs_odata`) and returns
them as canonical observations:

* **Indicators**: ``3.1.1`` Drugshandel -> ``registered.drug_trade`` (canonical; it includes the
  police codes for possession and production, which CBS does not publish apart), ``2.1.1``
  Drugs/drankoverlast -> ``registered.drug_nuisance``, ``0.0.0`` -> ``registered.total``, every other
  code ``c`` -> ``registered.<c>`` (``registered.1.1.1``). Unit ``count``.
* **Padding**: CBS pads keys with spaces (``"0.0.0 "``, ``"GM0758    "``); every key is stripped.
* **Periods**: ``2017JJ00`` -> ``2017``, ``2017MM12`` -> ``2017-12`` (also ``KW`` -> ``Qn``, ``HJ`` -> ``Hn``).
* **Status**: from the ``Perioden`` dimension: ``Definitief`` -> ``final``, ``Voorlopig`` and
  ``Nader voorlopig`` -> ``provisional``.
* **Secrecy**: a figure CBS does not publish (JSON ``null``, Atom ``m:null``, an empty number, or the
  markers ``.``/``x``/``?`` of the untyped set) is stored as ``suppressed`` without a value, never as
  0; a published 0 stays 0 (as for the KWB, docs/decisions/0003-cbs-secrecy.md).
* **Areas**: ``GMgggg`` -> the ``stad`` area, ``WK``/``BU`` codes -> the wijk or buurt of the division
  whose areas carry that CBS code (:func:`weerbaar.areas.cbs_codes.cbs_code_lookup`); where a code
  exists in two divisions (``GM0363``) the year decides: up to 2021 the 2015 division, from 2022 the
  2022 division. Codes without an area are left out with a note.

**Incremental and resumable** (docs/sources/cbs-police.md): the download state lives in
``<home>/cache/cbs/<table>/<municipality>/``: ``state.json`` (the table's ``Modified`` time, the
status and release of every stored period, and the page cursor of an unfinished period), one
Parquet file per complete period, and the pages of the period being downloaded. A rerun fetches
only periods that are new, whose status changed, or that are provisional while the table changed;
an interrupted run resumes at the page after the last stored one. :func:`fetch` returns only when
every period in scope is stored, so nothing half-done ever reaches the warehouse.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from .. import settings
from ..areas.cbs_codes import cbs_code_lookup, division_for_year
from ..contract import validate_observations
from ..errors import ConfigError, SourceError
from .base import INDICATOR_COLUMNS, SourceData, packaged_dir
from .cbs_odata import DATADERDEN, MAX_ROWS, Cursor, ODataClient

__all__ = [
    "ATTRIBUTION",
    "BASE_URL",
    "DEFAULT_MUNICIPALITY",
    "DIMENSIONS",
    "LICENCE",
    "NAMED_INDICATORS",
    "SOORT_MISDRIJF",
    "TABLES",
    "TableSpec",
    "cbs_period",
    "default_state_dir",
    "fetch",
    "indicator_catalogue",
    "indicator_for",
    "load_options",
    "packaged_amsterdam_areas",
    "period_status",
    "resolve_table",
    "rows_to_frame",
    "source_name",
    "to_observations",
]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class TableSpec:
    id: str
    frequency: str  # "year" or "month"
    title: str
    dimension: str = "SoortMisdrijf"  # the classifying dimension beside region and period
    topic_prefix: str = "GeregistreerdeMisdrijven"  # the count topic's key starts with this
    family: str = "police"  # source names cbs-<family>-<frequency>


TABLES: dict[str, TableSpec] = {
    "47018NED": TableSpec("47018NED", "year", "Geregistreerde misdrijven; soort misdrijf, wijk en buurt, per jaar"),
    "47022NED": TableSpec("47022NED", "month", "Geregistreerde misdrijven; soort misdrijf, wijk en buurt, per maand"),
    # the police's registered nuisance incidents (not offences): same shape, dimension Overlast
    "47024NED": TableSpec(
        "47024NED",
        "month",
        "Geregistreerde overlast; soort overlast, wijk en buurt, per maand",
        dimension="Overlast",
        topic_prefix="GeregistreerdeOverlast",
        family="nuisance",
    ),
}
_ALIASES = {"year": "47018NED", "month": "47022NED", "nuisance": "47024NED"}
BASE_URL = DATADERDEN
DEFAULT_MUNICIPALITY = "GM0363"
DIMENSIONS: tuple[str, str, str] = ("SoortMisdrijf", "WijkenEnBuurten", "Perioden")
#: The count topic's key starts with this (``GeregistreerdeMisdrijven_1`` in 47022NED).
TOPIC_PREFIX = "GeregistreerdeMisdrijven"
LICENCE = "CC BY 4.0"
ATTRIBUTION = "CBS / Politie, Geregistreerde misdrijven per wijk en buurt (dataderden.cbs.nl), CC BY 4.0"
#: The attribution per table family (47024NED counts nuisance incidents, not offences); Dutch, as CBS words it.
ATTRIBUTIONS = {
    "police": ATTRIBUTION,
    "nuisance": "CBS / Politie, Geregistreerde overlast per wijk en buurt (dataderden.cbs.nl), CC BY 4.0",
}

#: The 59 SoortMisdrijf codes with their CBS titles.
SOORT_MISDRIJF: dict[str, str] = {
    "0.0.0": "Totaal misdrijven",
    "1.1.1": "Diefstal/inbraak woning",
    "1.1.2": "Diefstal/inbraak box/garage/schuur",
    "1.2.1": "Diefstal uit/vanaf motorvoertuigen",
    "1.2.2": "Diefstal van motorvoertuigen",
    "1.2.3": "Diefstal van brom-, snor-, fietsen",
    "1.2.4": "Zakkenrollerij",
    "1.2.5": "Diefstal af/uit/van ov. voertuigen",
    "1.3.1": "Ongevallen (weg)",
    "1.4.1": "Zedenmisdrijf",
    "1.4.2": "Moord, doodslag",
    "1.4.3": "Openlijk geweld (persoon)",
    "1.4.4": "Bedreiging",
    "1.4.5": "Mishandeling",
    "1.4.6": "Straatroof",
    "1.4.7": "Overval",
    "1.5.2": "Diefstallen (water)",
    "1.6.1": "Brand/ontploffing",
    "1.6.2": "Overige vermogensdelicten",
    "1.6.3": "Mensenhandel",
    "2.1.1": "Drugs/drankoverlast",
    "2.2.1": "Vernieling cq. zaakbeschadiging",
    "2.4.1": "Burengerucht (relatieproblemen)",
    "2.4.2": "Huisvredebreuk",
    "2.5.1": "Diefstal/inbraak bedrijven enz.",
    "2.5.2": "Winkeldiefstal",
    "2.6.1": "Inrichting Wet Milieubeheer",
    "2.6.2": "Bodem",
    "2.6.3": "Water",
    "2.6.4": "Afval",
    "2.6.5": "Bouwstoffen",
    "2.6.7": "Mest",
    "2.6.8": "Transport gevaarlijke stoffen",
    "2.6.9": "Vuurwerk",
    "2.6.10": "Bestrijdingsmiddelen",
    "2.6.11": "Natuur en landschap",
    "2.6.12": "Ruimtelijke ordening",
    "2.6.13": "Dieren",
    "2.6.14": "Voedselveiligheid",
    "2.7.2": "Bijzondere wetten",
    "2.7.3": "Leefbaarheid (overig)",
    "3.1.1": "Drugshandel",
    "3.1.2": "Mensensmokkel",
    "3.1.3": "Wapenhandel",
    "3.2.1": "Kinderporno",
    "3.2.2": "Kinderprostitutie",
    "3.3.2": "Onder invloed (lucht)",
    "3.3.5": "Lucht (overig)",
    "3.4.2": "Onder invloed (water)",
    "3.5.2": "Onder invloed (weg)",
    "3.5.5": "Weg (overig)",
    "3.6.4": "Aantasting openbare orde",
    "3.7.1": "Discriminatie",
    "3.7.2": "Vreemdelingenzorg",
    "3.7.3": "Maatsch. integriteit (overig)",
    "3.7.4": "Cybercrime",
    "3.9.1": "Horizontale fraude",
    "3.9.2": "Verticale fraude",
    "3.9.3": "Fraude (overig)",
}

#: Codes with a name of their own; the rest become ``registered.<code>``.
NAMED_INDICATORS: dict[str, tuple[str, str, str]] = {
    "0.0.0": ("registered.total", "Geregistreerde misdrijven, totaal", "Registered offences, total"),
    "3.1.1": ("registered.drug_trade", "Geregistreerde drugshandel", "Registered drug trade"),
    "2.1.1": ("registered.drug_nuisance", "Geregistreerde drugs-/drankoverlast", "Registered drug/alcohol nuisance"),
}
#: Haaldelicten: offences the police mostly find by looking (drugs, weapons, driving under influence).
EFFORT_DEPENDENT = frozenset({"3.1.1", "2.1.1", "3.1.3", "3.3.2", "3.4.2", "3.5.2"})
#: Text values CBS uses for a figure it does not publish (the untyped set); JSON null is the typed form.
SECRECY_MARKERS = frozenset({".", "x", "?"})
_STATUS = {"definitief": "final", "voorlopig": "provisional", "nader voorlopig": "provisional"}
_PERIOD = re.compile(r"^(?P<year>\d{4})(?P<kind>JJ|MM|KW|HJ)(?P<n>\d{2})$")
_CODE = re.compile(r"^\d+(\.\d+)*$")


# -- small mappings ----------------------------------------------------------------------------
def resolve_table(table: str) -> TableSpec:
    """``47018NED``/``year`` or ``47022NED``/``month`` (any case)."""
    key = _ALIASES.get(str(table).strip().lower(), str(table).strip().upper())
    if key not in TABLES:
        raise ConfigError(
            "Unknown CBS police table.",
            received=repr(table),
            expected="47018NED (year), 47022NED (month) or 47024NED (nuisance, per month)",
            fix="pass --table year, --table month or --table nuisance",
        )
    return TABLES[key]


def normalise_municipality(code: str) -> str:
    """``GM0363``, ``gm0363`` or ``0363`` -> ``GM0363``."""
    text = str(code).strip().upper()
    text = text if text.startswith("GM") else "GM" + text
    if not re.fullmatch(r"GM\d{4}", text):
        raise ConfigError(
            "Malformed municipality code.",
            received=repr(code),
            expected="a CBS municipality code GM followed by four digits",
            fix="Amsterdam is GM0363; see https://www.cbs.nl (Gemeentelijke indeling)",
        )
    return text


def indicator_for(code: str) -> str:
    """The indicator of a SoortMisdrijf code (padding stripped)."""
    key = str(code).strip()
    if not _CODE.fullmatch(key):
        raise SourceError(
            "Unknown SoortMisdrijf key.",
            received=repr(code),
            expected="a dotted number such as 3.1.1",
            fix="the CBS table changed its offence classification; update SOORT_MISDRIJF",
        )
    return NAMED_INDICATORS[key][0] if key in NAMED_INDICATORS else f"registered.{key}"


def indicator_catalogue(titles: dict[str, str] | None = None, *, source: str | None = None) -> pd.DataFrame:
    """Catalogue rows for every code (ours, plus any new code CBS names in ``titles``)."""
    names = {**SOORT_MISDRIJF, **{k: v for k, v in (titles or {}).items() if k}}
    rows = []
    for code, title in names.items():
        ind = indicator_for(code)
        nl, en = NAMED_INDICATORS[code][1:] if code in NAMED_INDICATORS else (f"Geregistreerd: {title}", None)
        rows.append(
            {
                "indicator": ind,
                "label_nl": nl,
                "label_en": en or f"Registered offences {code} ({title})",
                "unit": "count",
                "description": f"Police-registered offences, CBS SoortMisdrijf {code} {title}",
                "source": source,
                "effort_dependent": code in EFFORT_DEPENDENT,
                "canonical": ind == "registered.drug_trade",
            }
        )
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


#: 47024NED: the nuisance categories we keep, found by their title in the ``Overlast`` dimension (so a new
#: key for the same category changes nothing): indicator, Dutch and English label, effort-dependent.
NUISANCE_INDICATORS: dict[str, tuple[str, str, str, bool]] = {
    "alcohol_drugs": (
        "registered.nuisance.alcohol_drugs",
        "Geregistreerde overlast i.v.m. alcohol/drugs (politie)",
        "Registered nuisance related to alcohol/drugs (police)",
        True,
    ),
    "total": (
        "registered.nuisance.total",
        "Geregistreerde overlast, totaal (politie)",
        "Registered nuisance incidents, total (police)",
        True,
    ),
}


def _nuisance_kind(title: str) -> str | None:
    text = re.sub(r"\s+", " ", str(title).strip().lower())
    if "alcohol" in text and "drug" in text:
        return "alcohol_drugs"
    if text.startswith("totaal"):
        return "total"
    return None


def nuisance_indicators(titles: dict[str, str], table: str = "47024NED") -> dict[str, str]:
    """Overlast code -> indicator for the categories we keep ("Overlast i.v.m. alcohol/drugs", the total)."""
    out = {code: NUISANCE_INDICATORS[kind][0] for code, title in titles.items() if (kind := _nuisance_kind(title))}
    if NUISANCE_INDICATORS["alcohol_drugs"][0] not in out.values():
        raise SourceError(
            f"The CBS table {table} has no nuisance category for alcohol and drugs.",
            received=", ".join(sorted(titles.values())[:8]) or "(no categories)",
            expected="a category titled like 'Overlast i.v.m. alcohol/drugs' in the Overlast dimension",
            fix="the police changed the nuisance classification; adapt NUISANCE_INDICATORS in "
            "weerbaar.sources.cbs_police (the warehouse was not changed)",
        )
    return out


def nuisance_catalogue(codes: dict[str, str], titles: dict[str, str], *, source: str | None = None) -> pd.DataFrame:
    """Catalogue rows of the kept nuisance categories: counts of incidents, effort-dependent, not canonical."""
    rows = []
    for code, ind in codes.items():
        _, nl, en, effort = next(v for v in NUISANCE_INDICATORS.values() if v[0] == ind)
        rows.append(
            {
                "indicator": ind,
                "label_nl": nl,
                "label_en": en,
                "unit": "count",
                "description": f"Nuisance incidents registered by the police, CBS 47024NED Overlast {code} "
                f"{titles.get(code, '')}: calls and the police's own observations, so it depends on police "
                "presence as much as on nuisance (a haaldelict-like channel).",
                "source": source,
                "effort_dependent": effort,
                "canonical": False,
            }
        )
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS)


def cbs_period(key: str) -> str:
    """A CBS period key as a contract period: ``2017JJ00`` -> ``2017``, ``2017MM12`` -> ``2017-12``,
    ``2017KW03`` -> ``2017-Q3``, ``2017HJ02`` -> ``2017-H2``."""
    m = _PERIOD.match(str(key).strip())
    n = int(m.group("n")) if m else -1
    ok = m and (
        (m.group("kind") == "JJ" and n == 0)
        or (m.group("kind") == "MM" and 1 <= n <= 12)
        or (m.group("kind") == "KW" and 1 <= n <= 4)
        or (m.group("kind") == "HJ" and 1 <= n <= 2)
    )
    if m is None or not ok:
        raise SourceError(
            "Unknown CBS period key.",
            received=repr(key),
            expected="YYYYJJ00, YYYYMMnn, YYYYKWnn or YYYYHJnn",
            fix="the CBS table changed its period coding",
        )
    year, kind = m.group("year"), m.group("kind")
    return {"JJ": year, "MM": f"{year}-{n:02d}", "KW": f"{year}-Q{n}", "HJ": f"{year}-H{n}"}[kind]


def period_status(text: Any) -> str:
    """``Definitief`` -> ``final``; ``Voorlopig``/``Nader voorlopig`` -> ``provisional``."""
    status = _STATUS.get(str(text or "").strip().lower())
    if status is None:
        raise SourceError(
            "Unknown period status in the Perioden dimension.",
            received=repr(text),
            expected="Definitief, Voorlopig or Nader voorlopig",
            fix="the CBS table changed its status coding; extend the mapping in weerbaar.sources.cbs_police",
        )
    return status


def _period_end(period: str) -> tuple[int, int]:
    year, _, rest = period.partition("-")
    if not rest:
        return int(year), 12
    if rest[0] == "Q":
        return int(year), 3 * int(rest[1])
    if rest[0] == "H":
        return int(year), 6 * int(rest[1])
    return int(year), int(rest)


def _since_start(since: str | None) -> tuple[int, int] | None:
    if since is None or str(since).strip() == "":
        return None
    text = str(since).strip()
    if _PERIOD.match(text):
        text = cbs_period(text)
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text)
    if not m or not 1 <= int(m.group(2) or 1) <= 12:
        raise ConfigError(
            "Malformed start period.",
            received=repr(since),
            expected="YYYY or YYYY-MM (or a CBS key such as 2019MM01)",
            fix="write for example --from 2019 or --from 2019-07",
        )
    return int(m.group(1)), int(m.group(2) or 1)


def source_name(table: str, municipality: str = DEFAULT_MUNICIPALITY) -> str:
    """``cbs-police-year``/``cbs-police-month``/``cbs-nuisance-month`` for Amsterdam; other municipalities get
    their code appended."""
    spec, gm = resolve_table(table), normalise_municipality(municipality)
    return f"cbs-{spec.family}-{spec.frequency}" + ("" if gm == DEFAULT_MUNICIPALITY else f"-{gm.lower()}")


def load_options(table: str, municipality: str = DEFAULT_MUNICIPALITY, data: SourceData | None = None) -> dict:
    """Keyword arguments for ``Warehouse.load`` (name, kind, title, licence, attribution, files, period)."""
    spec, gm = resolve_table(table), normalise_municipality(municipality)
    period = ""
    if data is not None and data.observations is not None and len(data.observations):
        p = data.observations["period"]
        period = f"{p.min()}..{p.max()}"
    return {
        "source": source_name(spec.id, gm),
        "kind": "real",
        "title": f"CBS {spec.id}: {spec.title} ({gm})",
        "files": f"{BASE_URL}/{spec.id}",
        "licence": LICENCE,
        "attribution": ATTRIBUTIONS.get(spec.family, ATTRIBUTION),
        "period": period,
    }


def default_state_dir(table: str, municipality: str = DEFAULT_MUNICIPALITY, home: Path | None = None) -> Path:
    """``<home>/cache/cbs/<table>/<municipality>``."""
    base = Path(home) if home is not None else settings.home()
    return base / "cache" / "cbs" / resolve_table(table).id / normalise_municipality(municipality)


# -- parsing -----------------------------------------------------------------------------------
def dimensions(table: str = "") -> tuple[str, str, str]:
    """The three dimensions of a table: its classification (``SoortMisdrijf``, ``Overlast``), region, period."""
    spec = TABLES.get(str(table).strip().upper())
    return (spec.dimension, *DIMENSIONS[1:]) if spec else DIMENSIONS


def check_schema(properties: list[dict[str, Any]], table: str) -> str:
    """Check ``DataProperties`` for our three dimensions and a count topic; return the topic's key."""
    keys = {str(p.get("Key", "")).strip(): str(p.get("Type", "")) for p in properties}
    spec = TABLES.get(str(table).strip().upper())
    prefix = spec.topic_prefix if spec else TOPIC_PREFIX
    dims = dimensions(table)
    missing = [d for d in dims if d not in keys]
    topics = [k for k, t in keys.items() if t == "Topic" and k.startswith(prefix)]
    if missing or not topics:
        raise SourceError(
            f"The CBS table {table} changed its layout.",
            received=", ".join(k for k in keys if k) or "(no properties)",
            expected=", ".join([*dims, f"a topic {prefix}_n"])
            + (f" (missing: {', '.join(missing) or 'the topic'})" if missing or not topics else ""),
            fix="the connector must be adapted to the new layout (weerbaar.sources.cbs_police); "
            "the warehouse was not changed",
        )
    return topics[0]


def _value(v: Any) -> float:
    if v is None:
        return np.nan
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    text = str(v).strip()
    if text == "" or text in SECRECY_MARKERS:
        return np.nan
    try:
        return float(text)
    except ValueError:
        raise SourceError(
            "A CBS figure is not a number.",
            received=repr(v),
            expected="a number, null or a secrecy marker (. x ?)",
            fix="the CBS table changed its value coding",
        ) from None


def rows_to_frame(rows: list[dict[str, Any]], *, topic: str, table: str = "") -> pd.DataFrame:
    """TypedDataSet rows -> ``code, region, period_key, value`` with padding stripped, NaN for secrecy."""
    dims = dimensions(table)
    need = [*dims, topic]
    for i, row in enumerate(rows):
        lacking = [c for c in need if c not in row]
        if lacking:
            raise SourceError(
                f"The CBS table {table or ''} sent rows without the expected columns.".replace("  ", " "),
                received=", ".join(row) or "(an empty row)",
                expected=", ".join(need) + f" (missing: {', '.join(lacking)})",
                fix="the connector must be adapted to the new layout; the warehouse was not changed",
                row=i + 1,
            )
    return pd.DataFrame(
        {
            "code": [str(r[dims[0]]).strip() for r in rows],
            "region": [str(r["WijkenEnBuurten"]).strip() for r in rows],
            "period_key": [str(r["Perioden"]).strip() for r in rows],
            "value": np.array([_value(r[topic]) for r in rows], dtype="float64"),
        }
    )


def _in_municipality(region: pd.Series, gm: str) -> pd.Series:
    digits = gm[2:]
    return (region == gm) | region.str.startswith("WK" + digits) | region.str.startswith("BU" + digits)


def packaged_amsterdam_areas() -> pd.DataFrame:
    """The embedded 2015 and 2022 Amsterdam areas (no geometry), for the CBS code lookup."""
    cols = ["code", "level", "parent", "division", "cbs_code"]
    frames = [
        pd.read_parquet(packaged_dir() / name / "areas.parquet", columns=cols)
        for name in ("amsterdam-areas-2015", "amsterdam-areas-2022")
    ]
    return pd.concat(frames, ignore_index=True)


def to_observations(
    frame: pd.DataFrame,
    *,
    statuses: dict[str, str],
    areas: pd.DataFrame | None,
    municipality: str = DEFAULT_MUNICIPALITY,
    source: str | None = None,
    indicators: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Rows from :func:`rows_to_frame` -> canonical observations and notes.

    ``statuses`` maps period keys to ``final``/``provisional``; ``areas`` (``code, level, parent,
    division, cbs_code``) gives the CBS code lookup. Without areas carrying this municipality's
    codes, the CBS codes themselves are kept as area codes in division ``cbs``. ``indicators`` maps
    the codes of another classification (47024NED's ``Overlast``) to indicators; rows of codes it
    does not name are left out. Default: the offence codes (:func:`indicator_for`).
    """
    gm = normalise_municipality(municipality)
    notes: list[str] = []
    inside = _in_municipality(frame["region"], gm)
    if (~inside).any():
        notes.append(f"{int((~inside).sum()):,} rows of other municipalities than {gm} were left out.")
    df = frame[inside].reset_index(drop=True)
    if indicators is not None:
        df = df[df["code"].isin(list(indicators))].reset_index(drop=True)
    keys = pd.unique(df["period_key"])
    period = {k: cbs_period(k) for k in keys}
    df["period"] = df["period_key"].map(period)
    df["year"] = df["period_key"].str[:4].astype(int)
    df["indicator"] = df["code"].map(
        {c: (indicators[c] if indicators is not None else indicator_for(c)) for c in pd.unique(df["code"])}
    )
    suppressed = df["value"].isna().to_numpy()
    df["status"] = np.where(suppressed, "suppressed", df["period_key"].map(statuses).to_numpy())
    if df["status"].isna().any():
        bad = df.loc[df["status"].isna(), "period_key"].iloc[0]
        raise SourceError(
            "A period has no status.", received=bad, expected="a period of the Perioden dimension", fix="rerun"
        )

    lookup = cbs_code_lookup(areas) if areas is not None else pd.DataFrame(columns=["cbs_code", "division", "code"])
    lookup = lookup[_in_municipality(lookup["cbs_code"].astype(str), gm)]
    if lookup.empty:
        df["area_code"], df["division"] = df["region"], "cbs"
        notes.append(
            f"No loaded areas carry CBS codes of {gm}: the CBS codes are kept as area codes in division 'cbs'. "
            "Load the municipality's areas with a cbs_code property first to link them."
        )
    else:
        merged = df.merge(
            lookup[["cbs_code", "division", "code"]], left_on="region", right_on="cbs_code", how="left"
        ).rename(columns={"code_x": "code", "code_y": "area_code"})
        # a code known in several divisions (GM0363 -> STAD in 2015 and 2022): the year decides
        counts = merged.groupby(["region", "period_key", "code"])["division"].transform("count")
        preferred = merged["year"].map(division_for_year)
        merged = merged[(counts <= 1) | (merged["division"] == preferred)]
        unmapped = merged["area_code"].isna()
        if unmapped.any():
            regions = sorted(pd.unique(merged.loc[unmapped, "region"]))
            notes.append(
                f"{int(unmapped.sum()):,} rows of {len(regions)} CBS region codes without an area in the loaded "
                f"divisions were left out (e.g. {', '.join(regions[:5])})."
            )
        df = merged[~unmapped].reset_index(drop=True)
        early = sorted({y for y in df["year"] if y < 2015})
        if early:
            notes.append(
                f"Periods {early[0]}-{early[-1]} are linked through the 2015 division's CBS codes; Amsterdam's "
                "buurten before 2015 may differ slightly (unverified)."
            )
    obs = validate_observations(
        df[["area_code", "division", "period", "indicator", "value", "status"]].assign(unit="count"),
        default_source=source,
    )
    n_supp = int((obs["status"] == "suppressed").sum())
    if n_supp:
        notes.append(f"{n_supp:,} figures CBS does not publish (secrecy) are stored as suppressed, not as 0.")
    prov = sorted({p for p, s in zip(obs["period"], obs["status"], strict=True) if s == "provisional"})
    if prov:
        notes.append(f"Provisional figures (CBS 'Voorlopig'): {prov[0]}..{prov[-1]} ({len(prov)} periods).")
    return obs, notes


# -- download state ----------------------------------------------------------------------------
@dataclass
class DownloadState:
    """What is stored under one cache folder; saved atomically after every page."""

    folder: Path
    table: str
    municipality: str
    modified: str | None = None
    topic: str | None = None
    periods: dict[str, dict[str, Any]] = field(default_factory=dict)
    partial: dict[str, Any] | None = None

    @classmethod
    def load(cls, folder: Path, table: str, municipality: str) -> DownloadState:
        file = folder / "state.json"
        state = cls(folder, table, municipality)
        if file.is_file():
            raw = json.loads(file.read_text(encoding="utf-8"))
            if raw.get("table") == table and raw.get("municipality") == municipality:
                state.modified = raw.get("modified")
                state.topic = raw.get("topic")
                state.periods = {k: v for k, v in raw.get("periods", {}).items() if state.period_file(k).is_file()}
                state.partial = raw.get("partial")
        return state

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": 1,
            "table": self.table,
            "municipality": self.municipality,
            "modified": self.modified,
            "topic": self.topic,
            "periods": self.periods,
            "partial": self.partial,
        }
        _write_atomic(self.folder / "state.json", json.dumps(payload, indent=1, sort_keys=True).encode())

    def period_file(self, key: str) -> Path:
        return self.folder / "periods" / f"{key}.parquet"

    def page_dir(self, key: str) -> Path:
        return self.folder / "partial" / key


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _plan(state: DownloadState, current: dict[str, str], modified: str, refetch: bool) -> dict[str, str]:
    """Period key -> reason (``new``, ``status changed``, ``provisional, table updated``, ``refetch``)."""
    plan = {}
    for key, status in current.items():
        stored = state.periods.get(key)
        if stored is None:
            plan[key] = "new"
        elif refetch:
            plan[key] = "refetch"
        elif stored.get("status") != status:
            plan[key] = "status changed"
        elif status == "provisional" and stored.get("modified") != modified:
            plan[key] = "provisional, table updated"
    return plan


def _fetch_period(
    odata: ODataClient,
    state: DownloadState,
    key: str,
    *,
    status: str,
    modified: str,
    topic: str,
    gm: str,
    page_size: int,
    progress: Progress,
    label: str,
    codes: list[str] | None = None,
) -> int:
    pages_dir = state.page_dir(key)
    partial = state.partial
    resume = (
        partial is not None
        and partial.get("period") == key
        and partial.get("modified") == modified
        and partial.get("topic") == topic
        and partial.get("page_size") == page_size
    )
    if resume:
        assert partial is not None  # resume implies it
        done = int(partial["pages"])
        cursor = Cursor(**partial["cursor"]) if partial.get("cursor") else None
        progress(f"{label}: resuming after page {done}")
    else:
        if state.partial and state.partial.get("period"):
            shutil.rmtree(state.page_dir(state.partial["period"]), ignore_errors=True)
        shutil.rmtree(pages_dir, ignore_errors=True)
        done, cursor = 0, Cursor()
        state.partial = {
            "period": key,
            "modified": modified,
            "topic": topic,
            "page_size": page_size,
            "pages": 0,
            "cursor": asdict(cursor),
        }
        state.save()
    assert state.partial is not None  # resumed or started above
    digits = gm[2:]
    dims = dimensions(odata.table)
    params = {
        "$filter": f"Perioden eq '{key}' and (startswith(WijkenEnBuurten,'{gm}') or "
        f"startswith(WijkenEnBuurten,'WK{digits}') or startswith(WijkenEnBuurten,'BU{digits}'))"
        # only the wanted categories (their keys as CBS sends them, padding included)
        + (" and (" + " or ".join(f"{dims[0]} eq '{c}'" for c in codes) + ")" if codes else ""),
        "$select": ",".join([*dims, topic]),
    }
    if cursor is not None:
        for nxt, page in odata.pages("TypedDataSet", params=params, page_size=page_size, start=cursor):
            rows_to_frame(page.rows, topic=topic, table=odata.table)  # a changed layout fails here, before storing
            done += 1
            _write_atomic(pages_dir / f"{done:05d}.json", json.dumps(page.rows).encode())
            state.partial.update(pages=done, cursor=asdict(nxt) if nxt else None)
            state.save()
            progress(f"{label}: page {done} ({len(page.rows):,} rows)")
    rows: list[dict[str, Any]] = []
    for i in range(1, done + 1):
        rows.extend(json.loads((pages_dir / f"{i:05d}.json").read_text(encoding="utf-8")))
    frame = rows_to_frame(rows, topic=topic, table=odata.table)
    frame = frame[_in_municipality(frame["region"], gm)].reset_index(drop=True)
    target = state.period_file(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, target)
    state.periods[key] = {"status": status, "modified": modified, "rows": len(frame)}
    state.partial = None
    state.save()
    shutil.rmtree(pages_dir, ignore_errors=True)
    return len(frame)


def fetch(
    municipality: str = DEFAULT_MUNICIPALITY,
    *,
    table: str = "47022NED",
    since: str | None = None,
    client: httpx.Client | None = None,
    state_dir: Path | None = None,
    home: Path | None = None,
    areas: pd.DataFrame | None = None,
    refetch: bool = False,
    progress: Progress = _quiet,
    base_url: str = BASE_URL,
    page_size: int = MAX_ROWS,
    retries: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SourceData:
    """Download (incrementally) one municipality's police-registered crime and return it as a source.

    Parameters
    ----------
    municipality:
        CBS municipality code (``GM0363`` Amsterdam).
    table:
        ``47022NED``/``month`` or ``47018NED``/``year``.
    since:
        Only periods ending at or after this (``2019``, ``2019-07`` or ``2019MM07``) are fetched and
        returned; default all.
    client:
        An ``httpx.Client`` (tests: with a ``MockTransport``); default a new one.
    state_dir:
        The cache folder; default ``<home>/cache/cbs/<table>/<municipality>``.
    areas:
        Areas with ``cbs_code`` (e.g. ``Warehouse.areas(geometry=False)``) to link CBS codes to;
        default the embedded Amsterdam divisions for GM0363.
    refetch:
        Fetch every period again, also final ones that did not change status.

    Raises
    ------
    SourceOfflineError
        No connection (after retries); what is stored so far is kept for the next run.
    SourceError
        The table's layout changed, or CBS keeps refusing; named in the message.
    """
    spec, gm = resolve_table(table), normalise_municipality(municipality)
    start = _since_start(since)
    name = source_name(spec.id, gm)
    folder = Path(state_dir) if state_dir is not None else default_state_dir(spec.id, gm, home)
    http = client or httpx.Client(timeout=60.0, follow_redirects=True)
    try:
        odata = ODataClient(
            spec.id, base_url=base_url, client=http, retries=retries, backoff=backoff, sleep=sleep, progress=progress
        )
        return _fetch(odata, spec, gm, name, folder, start, areas=areas, refetch=refetch, page_size=page_size)
    finally:
        if client is None:
            http.close()


def _fetch(
    odata: ODataClient,
    spec: TableSpec,
    gm: str,
    name: str,
    folder: Path,
    start: tuple[int, int] | None,
    *,
    areas: pd.DataFrame | None,
    refetch: bool,
    page_size: int,
) -> SourceData:
    progress = odata.progress
    progress(f"{spec.id} ({spec.frequency}), {gm}: reading the table description from {odata.url()}")
    infos = odata.collection("TableInfos")
    if not infos or "Modified" not in infos[0]:
        raise SourceError(
            f"The CBS table {spec.id} has no TableInfos.Modified.",
            received=", ".join(infos[0]) if infos else "(no TableInfos)",
            expected="TableInfos with Modified",
            fix="the connector must be adapted to the new layout; the warehouse was not changed",
        )
    modified = str(infos[0]["Modified"])
    topic = check_schema(odata.collection("DataProperties"), spec.id)
    perioden = odata.collection("Perioden")
    if perioden and not {"Key", "Status"} <= set(perioden[0]):
        raise SourceError(
            f"The Perioden dimension of {spec.id} changed.",
            received=", ".join(perioden[0]),
            expected="Key, Status",
            fix="the connector must be adapted to the new layout; the warehouse was not changed",
        )
    current = {str(p["Key"]).strip(): period_status(p["Status"]) for p in perioden}
    if start is not None:
        current = {k: s for k, s in current.items() if _period_end(cbs_period(k)) >= start}
    categories = odata.collection(spec.dimension)
    titles = {str(r.get("Key", "")).strip(): str(r.get("Title", "")).strip() for r in categories}
    wanted: dict[str, str] | None = None  # code -> indicator, for a table of another classification
    raw_codes: list[str] | None = None
    if spec.family == "nuisance":
        wanted = nuisance_indicators(titles, spec.id)
        raw_codes = [str(r.get("Key", "")) for r in categories if str(r.get("Key", "")).strip() in wanted]

    state = DownloadState.load(folder, spec.id, gm)
    plan = _plan(state, current, modified, refetch)
    reasons = pd.Series(list(plan.values()), dtype=object).value_counts().to_dict()
    progress(
        f"{spec.id}: {len(current)} periods in scope, {len(plan)} to fetch"
        + (" (" + ", ".join(f"{n} {r}" for r, n in reasons.items()) + ")" if plan else "")
        + (f", table modified {modified}" if plan else ", all up to date")
    )
    # an unfinished period first, so a resumed run continues where it stopped
    order = sorted(plan, key=lambda k: (state.partial is None or state.partial.get("period") != k, k))
    for i, key in enumerate(order, 1):
        label = f"{spec.id} {key} [{i}/{len(order)}]"
        n = _fetch_period(
            odata,
            state,
            key,
            status=current[key],
            modified=modified,
            topic=topic,
            gm=gm,
            page_size=page_size,
            progress=progress,
            label=label,
            codes=raw_codes,
        )
        progress(f"{label}: {n:,} rows stored ({plan[key]})")
    if state.partial is not None:  # an unfinished period that is no longer wanted
        shutil.rmtree(state.page_dir(state.partial["period"]), ignore_errors=True)
        state.partial = None
    gone = [k for k in state.periods if k not in current and start is None]
    for key in gone:  # CBS withdrew the period
        state.period_file(key).unlink(missing_ok=True)
        del state.periods[key]
    state.modified, state.topic = modified, topic
    state.save()

    frames = [pd.read_parquet(state.period_file(k)) for k in sorted(current)]
    frame = pd.concat(frames, ignore_index=True) if frames else rows_to_frame([], topic=topic)
    statuses = {k: state.periods[k]["status"] for k in current}
    if areas is None and gm == DEFAULT_MUNICIPALITY:
        areas = packaged_amsterdam_areas()
    notes = [f"CBS {spec.id} as modified {modified}; {len(plan)} of {len(current)} periods fetched in this run."]
    if gone:
        notes.append(f"Periods no longer published by CBS were dropped: {', '.join(gone)}.")
    catalogue = (
        nuisance_catalogue(wanted, titles, source=name)
        if wanted is not None
        else indicator_catalogue(titles, source=name)
    )
    if frame.empty:
        return SourceData(indicators=catalogue, notes=[*notes, "No rows."])
    obs, more = to_observations(frame, statuses=statuses, areas=areas, municipality=gm, source=name, indicators=wanted)
    return SourceData(observations=obs, indicators=catalogue, notes=notes + more)
