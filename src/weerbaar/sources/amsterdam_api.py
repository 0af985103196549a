"""Amsterdam's data API (DSO REST API, ``https://api.data.amsterdam.nl/v1/``): areas and BBGA, online.

* ``gebieden`` (the city's area registry): ``stadsdelen``, ``ggwgebieden`` (the 25 gebieden of
  *gebiedsgericht werken*), ``wijken`` and ``buurten``, temporal tables keyed on ``identificatie`` +
  ``volgnummer`` with ``beginGeldigheid``/``eindGeldigheid``. Relations appear as ``<relation>Id``
  (``ligtInWijkId``, ``ligtInStadsdeelId``, ``ligtInGgwgebiedId``) and in ``_links.<relation>``.
  :func:`fetch_areas` keeps the currently valid record of every object and builds the 2022
  division exactly as the file source does (:func:`weerbaar.sources.amsterdam_areas.areas_2022`):
  buurt geometries from the API, higher levels dissolved from them.
* ``bbga``: ``kerncijfers`` (``jaar, gebiedcode15, indicatorDefinitieId, waarde``) and
  ``indicatoren_definities`` (``variabele, label, definitie, bron, rekeneenheid``).
  :func:`fetch_bbga` maps them with the file adapter's mapping
  (:func:`weerbaar.sources.bbga.map_long`).

Answers are HAL JSON: ``{"_links": {"self", "next"}, "_embedded": {"<table>": [...]}, "page": ...}``;
paging follows ``_links.next.href`` (absent on the last page), page size ``_pageSize``. A GeoJSON
answer (``?_format=geojson``: a FeatureCollection) is read too. Geometry comes in the source's
RD New (EPSG:28992) unless the ``Content-Crs`` header says otherwise. Requests are retried with
backoff (:mod:`weerbaar.sources.http`). Everything is downloaded before anything is returned, so a
failure stores nothing. See docs/sources/amsterdam-api.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Literal, overload

import geopandas as gpd
import httpx
import pandas as pd
import shapely.geometry

from .. import settings
from ..areas import RD_NEW
from ..areas.cbs_codes import division_for_year
from ..errors import SourceError
from .amsterdam_areas import areas_2022
from .base import SourceData
from .bbga import map_long
from .http import RetryOptions, Service, new_client, request_with_retry

__all__ = [
    "AREAS_SOURCE",
    "API_KEY_ENV",
    "AREA_TABLES",
    "BASE_URL",
    "BBGA_SOURCE",
    "DsoClient",
    "currently_valid",
    "fetch_areas",
    "fetch_bbga",
]

BASE_URL = "https://api.data.amsterdam.nl/v1"
#: The environment variable holding an API key, sent as ``X-Api-Key`` (the platform asks for one).
API_KEY_ENV = "WEERBAAR_AMSTERDAM_API_KEY"
#: Warehouse source names.
AREAS_SOURCE = "amsterdam-areas-2022"
BBGA_SOURCE = "amsterdam-api-bbga"
LICENCE = "Open data (Gemeente Amsterdam), attribution required"
ATTRIBUTION = "Gemeente Amsterdam, data API (api.data.amsterdam.nl)"

#: table -> (fields every record must carry, relations as (name, required)).
AREA_TABLES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, bool], ...]]] = {
    "stadsdelen": (("identificatie", "volgnummer", "code", "naam"), ()),
    "ggwgebieden": (("identificatie", "volgnummer", "code", "naam"), (("ligtInStadsdeel", True),)),
    "wijken": (
        ("identificatie", "volgnummer", "code", "naam"),
        (("ligtInStadsdeel", True), ("ligtInGgwgebied", False)),
    ),
    "buurten": (("identificatie", "volgnummer", "code", "naam", "geometrie"), (("ligtInWijk", True),)),
}
BBGA_FIELDS = ("jaar", "gebiedcode15", "indicatorDefinitieId", "waarde")
META_FIELDS = ("variabele", "label", "definitie", "bron", "rekeneenheid")

Progress = Callable[[str], None]
SERVICE = Service(
    "Amsterdam's data API",
    "The Amsterdam data API",
    refused_expected="a dataset and table of https://api.data.amsterdam.nl/v1/",
    refused_fix="check base_url; the API may ask for a key: set " + API_KEY_ENV,
)


def _quiet(_: str) -> None:
    pass


class DsoClient:
    """Paged, retried reads of DSO API tables (``<base_url>/<dataset>/<table>/``).

    ``client`` is an ``httpx.Client`` (tests pass one with a ``MockTransport``); ``api_key`` defaults
    to the environment variable ``WEERBAAR_AMSTERDAM_API_KEY``.
    """

    def __init__(
        self,
        *,
        base_url: str = BASE_URL,
        client: httpx.Client | None = None,
        page_size: int = 1000,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress = _quiet,
        api_key: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = client or new_client()
        self.page_size = page_size
        self.options: RetryOptions = {"retries": retries, "backoff": backoff, "sleep": sleep, "progress": progress}
        self.progress = progress
        key = api_key if api_key is not None else (settings.get("amsterdam_api_key") or "")
        self.headers = {"Accept": "application/hal+json", "Accept-Crs": RD_NEW}
        if key:
            self.headers["X-Api-Key"] = key

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.strip('/')}/"

    def pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[tuple[list[dict], str | None]]:
        """Pages of a table as (records, CRS of the geometry), following ``_links.next.href``."""
        url: str | None = self.url(path)
        query: dict[str, Any] | None = {"_pageSize": self.page_size, "_count": "true", **(params or {})}
        table = path.strip("/").rsplit("/", 1)[-1]
        seen: set[str] = set()
        number = 0
        while url:
            number += 1
            payload, crs = self._get(url, query, table)
            records, nxt, total = _parse_page(payload, table, url)
            yield records, crs
            pages = f" of {total}" if total else ""
            self.progress(f"  {path}: page {number}{pages} ({len(records):,} records)")
            if nxt and nxt in seen:
                raise SourceError(
                    "The Amsterdam data API's paging loops.",
                    received=f"next link {nxt} seen before",
                    expected="a next link to a new page, none on the last page",
                    fix="retry later; if it persists report it to dataplatform@amsterdam.nl",
                )
            seen.add(url)
            url, query = nxt, None  # the next link carries the query along

    def records(self, path: str, params: dict[str, Any] | None = None) -> tuple[list[dict], str | None]:
        """Every record of a table over all pages, and the geometry's CRS."""
        out: list[dict] = []
        crs = None
        for records, page_crs in self.pages(path, params):
            out.extend(records)
            crs = crs or page_crs
        return out, crs

    def _get(self, url: str, params: dict[str, Any] | None, table: str) -> tuple[Any, str | None]:
        response = request_with_retry(
            self.http,
            url,
            params,
            service=SERVICE,
            expected=f"an answer from {self.base_url}",
            headers=self.headers,
            **self.options,
        )
        try:
            payload = response.json()
        except ValueError:
            kind = response.headers.get("content-type", "")
            raise _shape_error(f"non-JSON {kind!r}", str(response.request.url)) from None
        crs = response.headers.get("content-crs") or None
        return payload, crs


def _parse_page(payload: Any, table: str, url: str) -> tuple[list[dict], str | None, int | None]:
    """Records, next link and total pages of one HAL JSON or GeoJSON answer."""
    if not isinstance(payload, dict):
        raise _shape_error(type(payload).__name__, url)
    if payload.get("type") == "FeatureCollection":
        records = []
        for feature in payload.get("features") or []:
            rec = dict(feature.get("properties") or {})
            rec.setdefault("geometrie", feature.get("geometry"))
            records.append(rec)
    elif isinstance(payload.get("_embedded"), dict):
        embedded = payload["_embedded"]
        lists = {k: v for k, v in embedded.items() if isinstance(v, list)}
        if table in lists:
            records = lists[table]
        elif len(lists) == 1:
            records = next(iter(lists.values()))
        else:
            raise _shape_error(f"_embedded with {sorted(embedded)}", url)
    else:
        raise _shape_error(sorted(payload)[:8], url)
    links = payload.get("_links") or payload.get("links")
    nxt = None
    if isinstance(links, dict):
        n = links.get("next")
        nxt = n.get("href") if isinstance(n, dict) else n
    elif isinstance(links, list):
        nxt = next((lk.get("href") for lk in links if isinstance(lk, dict) and lk.get("rel") == "next"), None)
    page = payload.get("page")
    if not isinstance(page, dict):
        page = {}
    return list(records), nxt or None, page.get("totalPages")


def _shape_error(shape: object, url: str) -> SourceError:
    return SourceError(
        "The Amsterdam data API answered in an unknown shape.",
        received=f"{shape} from {url}",
        expected='HAL JSON {"_links": ..., "_embedded": {"<table>": [...]}} or a GeoJSON FeatureCollection',
        fix="the API may have changed; see https://api.data.amsterdam.nl/v1/docs/",
    )


# -- areas -------------------------------------------------------------------------------------
def _relation(rec: dict, name: str) -> str | None:
    """The ``identificatie`` a record's relation points at (``<name>Id``, ``<name>Identificatie``, links)."""
    for key in (f"{name}Id", f"{name}Identificatie"):
        if rec.get(key):
            return str(rec[key]).split(".")[0]  # "03630012052035.1" -> identificatie
    value = rec.get(name)
    link = (rec.get("_links") or {}).get(name)
    for obj in (value, link):
        if isinstance(obj, dict) and obj.get("identificatie"):
            return str(obj["identificatie"])
    return None


def _has_relation_field(rec: dict, name: str) -> bool:
    return f"{name}Id" in rec or f"{name}Identificatie" in rec or name in rec or name in (rec.get("_links") or {})


def check_schema(records: list[dict], table: str, url: str) -> None:
    """Raise a SourceError naming the fields a table's records lack (a changed schema)."""
    fields, relations = AREA_TABLES[table]
    if not records:
        raise SourceError(
            f"The Amsterdam data API returned no {table}.",
            received=f"0 records from {url}",
            expected=f"the currently valid {table}",
            fix="retry later; check the base URL",
        )
    present: set[str] = set().union(*(r.keys() for r in records))
    missing = [f for f in fields if f not in present]
    missing += [f"{name}Id" for name, _ in relations if not any(_has_relation_field(r, name) for r in records)]
    if missing:
        raise SourceError(
            f"The Amsterdam data API's {table} lack expected fields: the schema changed.",
            received=f"missing: {', '.join(missing)}; fields present: {', '.join(sorted(present))[:400]}",
            expected=", ".join([*fields, *(f"{n}Id" for n, _ in relations)]),
            fix="compare with https://schemas.data.amsterdam.nl/datasets/gebieden/ and adapt "
            "weerbaar.sources.amsterdam_api; meanwhile `weerbaar ingest areas FILE` reads the city's export",
        )


def currently_valid(records: list[dict], today: date | None = None) -> list[dict]:
    """The current record of every object: no ``eindGeldigheid`` (or one after today), then the
    highest ``volgnummer`` per ``identificatie``."""
    today_s = (today or date.today()).isoformat()
    best: dict[str, dict] = {}
    for rec in records:
        end = rec.get("eindGeldigheid")
        if end and str(end)[:10] <= today_s:
            continue
        key = str(rec["identificatie"])
        if key not in best or int(rec["volgnummer"]) > int(best[key]["volgnummer"]):
            best[key] = rec
    return list(best.values())


def _geometry(value: Any, code: str) -> Any:
    if value is None:
        return None
    try:
        return shapely.geometry.shape(value)
    except Exception:
        raise SourceError(
            "The Amsterdam data API sent a geometry that cannot be read.",
            received=f"{str(value)[:120]} (buurt {code})",
            expected="a GeoJSON Polygon or MultiPolygon",
            fix="retry later; if it persists the API changed its geometry format",
        ) from None


def fetch_areas(
    *,
    client: httpx.Client | None = None,
    progress: Progress = _quiet,
    base_url: str = BASE_URL,
    sleep: Callable[[float], None] = time.sleep,
    retries: int = 4,
    backoff: float = 1.0,
    page_size: int = 1000,
    api_key: str | None = None,
    today: date | None = None,
) -> gpd.GeoDataFrame:
    """The current area division (2022) from the API, in the area contract (validated, EPSG:28992).

    Downloads ``gebieden/stadsdelen``, ``ggwgebieden``, ``wijken`` and ``buurten`` completely, keeps
    the currently valid records, links buurt -> wijk -> gebied (or stadsdeel) -> stadsdeel -> ``STAD``
    and dissolves the higher levels from the buurten. Raises SourceOfflineError without a connection,
    SourceError on a changed schema or a broken reference.
    """
    http = client or new_client()
    try:
        dso = DsoClient(
            base_url=base_url,
            client=http,
            page_size=page_size,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            progress=progress,
            api_key=api_key,
        )
        tables: dict[str, list[dict]] = {}
        crs = None
        for table in ("stadsdelen", "ggwgebieden", "wijken", "buurten"):
            progress(f"gebieden/{table}: downloading")
            records, page_crs = dso.records(f"gebieden/{table}")
            check_schema(records, table, dso.url(f"gebieden/{table}"))
            tables[table] = currently_valid(records, today)
            if table == "buurten":
                crs = page_crs
            progress(f"gebieden/{table}: {len(tables[table]):,} currently valid of {len(records):,} records")
    finally:
        if client is None:
            http.close()
    return _build_areas(tables, crs or RD_NEW, base_url)


def _build_areas(tables: dict[str, list[dict]], crs: str, base_url: str) -> gpd.GeoDataFrame:
    by_id = {t: {str(r["identificatie"]): r for r in recs} for t, recs in tables.items()}

    @overload
    def lookup(table: str, ident: str | None, child: str, required: Literal[True]) -> dict: ...
    @overload
    def lookup(table: str, ident: str | None, child: str, required: bool) -> dict | None: ...
    def lookup(table: str, ident: str | None, child: str, required: bool) -> dict | None:
        if ident is None and not required:
            return None
        found = by_id[table].get(ident or "")
        if found is None:
            raise SourceError(
                f"{child} refers to a {table[:-2] if table.endswith('en') else table} that is not currently valid.",
                received=f"identificatie {ident!r}",
                expected=f"an identificatie of the current gebieden/{table}",
                fix="the API's tables may be mid-update; retry later",
                file=f"{base_url}/gebieden/",
            )
        return found

    rows = []
    for b in tables["buurten"]:
        wijk = lookup("wijken", _relation(b, "ligtInWijk"), f"Buurt {b['code']}", True)
        sd = lookup("stadsdelen", _relation(wijk, "ligtInStadsdeel"), f"Wijk {wijk['code']}", True)
        gebied = lookup("ggwgebieden", _relation(wijk, "ligtInGgwgebied"), f"Wijk {wijk['code']}", False)
        rows.append(
            {
                "code": b["code"],
                "name": b["naam"],
                "cbs_code": b.get("cbsCode") or None,
                "Wijkcode": wijk["code"],
                "Wijk": wijk["naam"],
                "Gebiedcode": gebied["code"] if gebied else None,
                "Gebied": gebied["naam"] if gebied else None,
                "Stadsdeelcode": sd["code"],
                "Stadsdeel": sd["naam"],
                "geometry": _geometry(b.get("geometrie"), b["code"]),
            }
        )
    buurten = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs).to_crs(RD_NEW)
    return areas_2022(buurten, file=f"{base_url}/gebieden/buurten/")


# -- BBGA --------------------------------------------------------------------------------------
def fetch_bbga(
    *,
    years: list[int] | None = None,
    variables: list[str] | None = None,
    areas: pd.DataFrame | None = None,
    client: httpx.Client | None = None,
    progress: Progress = _quiet,
    base_url: str = BASE_URL,
    sleep: Callable[[float], None] = time.sleep,
    retries: int = 4,
    backoff: float = 1.0,
    page_size: int = 5000,
    api_key: str | None = None,
    last_observed_year: int | None = None,
) -> SourceData:
    """BBGA kerncijfers from the API as a source (observations + indicator catalogue).

    ``years`` and ``variables`` filter on the server (``jaar[in]``, ``indicatorDefinitieId[in]``);
    default everything (large: page through it once, then load). ``areas`` (``code, division``,
    e.g. ``Warehouse.areas(geometry=False)``; default the embedded Amsterdam divisions) decide each
    code's division: a code known in one division takes it, a code in both (``STAD``, stadsdelen)
    goes by year (2015 up to 2021, 2022 after), an unknown code is left out with a note. Years after
    ``last_observed_year`` (default: the current year) are ``provisional`` (BBGA prognoses).
    """
    params: dict[str, Any] = {}
    if years:
        params["jaar[in]"] = ",".join(str(int(y)) for y in years)
    if variables:
        params["indicatorDefinitieId[in]"] = ",".join(variables)
    http = client or new_client()
    try:
        dso = DsoClient(
            base_url=base_url,
            client=http,
            page_size=page_size,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            progress=progress,
            api_key=api_key,
        )
        progress("bbga/kerncijfers: downloading")
        figures, _ = dso.records("bbga/kerncijfers", params)
        _require(figures, BBGA_FIELDS, "kerncijfers", dso.url("bbga/kerncijfers"))
        progress(f"bbga/kerncijfers: {len(figures):,} figures")
        progress("bbga/indicatoren_definities: downloading")
        meta_params = {"variabele[in]": ",".join(variables)} if variables else None
        definitions, _ = dso.records("bbga/indicatoren_definities", meta_params)
        if definitions:
            _require(definitions, META_FIELDS, "indicatoren_definities", dso.url("bbga/indicatoren_definities"))
    finally:
        if client is None:
            http.close()
    raw = pd.DataFrame(
        {
            "jaar": [int(r["jaar"]) for r in figures],
            "gebiedcode15": [str(r["gebiedcode15"]).strip() for r in figures],
            "variabele": [_variable(r) for r in figures],
            "waarde": pd.to_numeric(pd.Series([r.get("waarde") for r in figures], dtype=object), errors="coerce"),
        }
    ).drop_duplicates(["jaar", "gebiedcode15", "variabele"])
    meta = pd.DataFrame(
        {
            "Variabele": [str(d["variabele"]) for d in definitions],
            "Label": [d.get("label") for d in definitions],
            "Definitie": [d.get("definitie") for d in definitions],
            "Rekeneenheid": [None if d.get("rekeneenheid") is None else str(d["rekeneenheid"]) for d in definitions],
            "Bron": [d.get("bron") for d in definitions],
        },
        columns=["Variabele", "Label", "Definitie", "Rekeneenheid", "Bron"],
    )
    raw, notes = _divisions(raw, areas)
    if raw.empty:
        raise SourceError(
            "The Amsterdam data API returned no BBGA figures for known areas.",
            received=f"{len(figures):,} figures; " + " ".join(notes),
            expected="figures for areas of the 2015 or 2022 division",
            fix="check the years and variables asked for; load the areas first",
        )
    data = map_long(
        raw,
        meta,
        source=BBGA_SOURCE,
        file=f"{base_url}/bbga/kerncijfers/",
        last_observed_year=last_observed_year if last_observed_year is not None else date.today().year,
    )
    data.notes = notes + data.notes
    return data


def _variable(rec: dict) -> str:
    value = rec.get("indicatorDefinitieId", rec.get("indicatorDefinitie"))
    if isinstance(value, dict):
        value = value.get("variabele") or value.get("id")
    return str(value).strip()


def _require(records: list[dict], fields: tuple[str, ...], table: str, url: str) -> None:
    present: set[str] = set().union(*(r.keys() for r in records)) if records else set()
    if "indicatorDefinitie" in present:
        present.add("indicatorDefinitieId")
    missing = [f for f in fields if f not in present]
    if records and missing:
        raise SourceError(
            f"The Amsterdam data API's bbga/{table} lack expected fields: the schema changed.",
            received=f"missing: {', '.join(missing)}; fields present: {', '.join(sorted(present))[:400]}",
            expected=", ".join(fields),
            fix="compare with https://schemas.data.amsterdam.nl/datasets/bbga/ and adapt "
            "weerbaar.sources.amsterdam_api; meanwhile the BBGA file (source ois-bbga) reads the OIS export",
        )


def _divisions(raw: pd.DataFrame, areas: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    """Give every row its division by its code (and year, for a code in both divisions)."""
    if areas is None:
        from .cbs_police import packaged_amsterdam_areas

        areas = packaged_amsterdam_areas()
    known = pd.DataFrame(areas)[["code", "division"]].drop_duplicates()
    known = known[known["division"].isin(["2015", "2022"])]
    divs = {code: tuple(sorted(s)) for code, s in known.groupby("code")["division"]}
    out = raw.copy()
    found = [divs.get(c) for c in out["gebiedcode15"]]
    out["division"] = [
        None if d is None else (d[0] if len(d) == 1 else division_for_year(int(y)))
        for d, y in zip(found, out["jaar"], strict=True)
    ]
    notes = []
    unknown = out["division"].isna() & ~out["gebiedcode15"].isin(["Z", "ZX99"])
    if unknown.any():
        codes = sorted(pd.unique(out.loc[unknown, "gebiedcode15"]))
        notes.append(
            f"{int(unknown.sum()):,} figures for {len(codes)} codes without a loaded area left out "
            f"(e.g. {', '.join(codes[:8])}): other area types of the BBGA (PC4, winkelgebieden) or another division."
        )
    keep = out["division"].notna() | out["gebiedcode15"].isin(["Z", "ZX99"])
    return out[keep].reset_index(drop=True), notes
