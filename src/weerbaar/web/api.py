"""The open JSON API under ``/api/v1``: read-only, disclosure-controlled, documented by OpenAPI.

Every answer that carries figures says whether any input was synthetic. Downloads: add
``format=csv``, ``format=parquet`` or (for area-based answers) ``format=geojson``.
"""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ..errors import InputError
from ..public import PublicData
from . import views
from .bodies import Body

router = APIRouter(prefix="/api/v1", tags=["api"])


class Fmt(StrEnum):
    json = "json"
    csv = "csv"
    parquet = "parquet"
    geojson = "geojson"


class Level(StrEnum):
    stad = "stad"
    stadsdeel = "stadsdeel"
    gebied = "gebied"
    wijk = "wijk"
    buurt = "buurt"


class Measure(StrEnum):
    value = "value"
    rate = "rate"


class ResultKind(StrEnum):
    inventory = "inventory"
    vulnerability = "vulnerability"
    zwijgwijken = "zwijgwijken"
    hotspots = "hotspots"
    hotspots_gi = "hotspots.gi"  # the stored kind's own name, as /api/v1/results lists it
    emerging = "emerging"


class TrendTest(StrEnum):
    mk = "mk"
    hamed_rao = "hamed-rao"
    seasonal = "seasonal"


class PeriodKind(StrEnum):
    year = "year"
    half = "half"
    quarter = "quarter"
    month = "month"


PERIOD_PATTERN = r"^\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"


class Lang(StrEnum):
    nl = "nl"
    en = "en"


ERROR_SCHEMA = {
    "description": "Error (one shape for every error)",
    "content": {
        "application/json": {
            "example": {
                "error": {
                    "status": 404,
                    "type": "NotFoundError",
                    "problem": "Unknown area code.",
                    "received": "'XX99'",
                    "expected": "an area code such as AA01",
                    "fix": "look the area up in /api/v1/areas",
                }
            }
        }
    },
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: ERROR_SCHEMA,
    404: ERROR_SCHEMA,
    422: ERROR_SCHEMA,
    503: {**ERROR_SCHEMA, "description": "The figures are being updated or not built yet (see Retry-After)"},
}
#: Answers that can be downloaded (format=csv, parquet, geojson) list every content type they may have.
DOWNLOADS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON by default; CSV, Parquet or GeoJSON with format=",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            "application/geo+json": {"schema": {"type": "object"}},
        },
    },
    **ERRORS,
}
GEOJSON: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A GeoJSON FeatureCollection",
        "content": {"application/geo+json": {"schema": {"type": "object"}}},
    },
    **ERRORS,
}

Division = Annotated[str | None, Query(description="Area division (default: the configured one, 2022)", max_length=32)]
Format = Annotated[Fmt, Query(alias="format", description="json, csv, parquet or geojson")]


def data_of(request: Request) -> PublicData:
    return request.app.state.data


def _download(frame: pd.DataFrame, fmt: Fmt, name: str, meta: dict, geo: dict | None = None) -> Response:
    synthetic = "true" if meta.get("synthetic") else "false"
    headers = {"X-Weerbaar-Synthetic": synthetic}
    if fmt is Fmt.csv:
        text = frame.to_csv(index=False)
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
    if fmt is Fmt.parquet:
        buf = io.BytesIO()
        table_meta = {"weerbaar": json.dumps(meta, default=str)}
        import pyarrow as pa
        import pyarrow.parquet as pq

        tbl = pa.Table.from_pandas(frame, preserve_index=False)
        # pandas' metadata has bytes keys, ours str; pyarrow encodes both alike
        merged: dict[bytes | str, bytes | str] = dict((tbl.schema.metadata or {}).items())
        merged.update(table_meta.items())
        tbl = tbl.replace_schema_metadata(merged)  # type: ignore[arg-type]  # the stub: one key type per dict
        pq.write_table(tbl, buf)
        headers["Content-Disposition"] = f'attachment; filename="{name}.parquet"'
        return Response(buf.getvalue(), media_type="application/vnd.apache.parquet", headers=headers)
    if fmt is Fmt.geojson:
        if geo is None:
            raise InputError(
                "GeoJSON is only available for answers about areas.",
                received="format=geojson",
                expected="json, csv or parquet",
                fix="use format=csv or format=parquet",
            )
        headers["Content-Disposition"] = f'attachment; filename="{name}.geojson"'
        return Response(json.dumps(geo), media_type="application/geo+json", headers=headers)
    raise AssertionError(fmt)


def _features(data: PublicData, division: str, level: str, frame: pd.DataFrame, meta: dict) -> dict:
    geo = data.geometry(division, level)
    feats = []
    for row in views.records(frame):
        code = row.get("area_code") or row.get("code")
        if code in geo.index:
            feats.append(
                {
                    "type": "Feature",
                    "properties": row,
                    "geometry": views.rounded_geometry(geo.loc[code].geometry.__geo_interface__),
                }
            )
    return {"type": "FeatureCollection", "features": feats, "properties": meta}


@router.get("", summary="Index of the API: every endpoint with its summary and address")
def index(request: Request) -> dict:
    """What this API offers, so that ``/api/v1`` itself answers (the full schema is /api/v1/openapi.json)."""
    endpoints = []
    for path, ops in request.app.openapi().get("paths", {}).items():
        if path.startswith("/api/v1/"):
            methods = sorted(m.upper() for m in ops if m.upper() != "HEAD")
            summary = next((op.get("summary") or "" for op in ops.values() if isinstance(op, dict)), "")
            endpoints.append({"path": path, "methods": methods, "summary": summary})
    return {
        "title": request.app.title,
        "version": request.app.version,
        "description": request.app.description,
        "docs": "/api/docs",
        "openapi": request.app.openapi_url,
        "endpoints": sorted(endpoints, key=lambda e: e["path"]),
    }


@router.get("/meta", summary="Snapshot, version, divisions, disclosure control and synthetic sources", responses=ERRORS)
def meta(request: Request) -> dict:
    return data_of(request).meta()


@router.get(
    "/areas",
    summary="Areas of a division (optionally one level), with simplified geometry on request",
    responses=DOWNLOADS,
)
def areas(
    request: Request,
    division: Division = None,
    level: Level | None = None,
    fmt: Format = Fmt.json,
) -> Any:
    data = data_of(request)
    division = data.division(division)
    df = data.areas(division).reset_index()
    if level is not None:
        data.level(division, level.value)
        df = df[df["level"] == level.value]
    df = df[["code", "name", "level", "parent", "cbs_code", "stadsdeel"]]
    meta = {"division": division, "level": level.value if level else None, "synthetic": False}
    if fmt is Fmt.geojson:
        if level is None:  # every level of the division, each area with its own shape
            feats = [
                f
                for lv in data.meta()["divisions"][division]
                for f in _features(data, division, lv, df[df["level"] == lv], meta)["features"]
            ]
            geo = {"type": "FeatureCollection", "features": feats, "properties": meta}
            return _download(df, fmt, f"areas-{division}", meta, geo)
        return _download(
            df, fmt, f"areas-{division}-{level.value}", meta, _features(data, division, level.value, df, meta)
        )
    if fmt is not Fmt.json:
        return _download(df, fmt, f"areas-{division}", meta)
    return {**meta, "areas": views.records(df)}


@router.get("/areas/{code}", summary="One area: place in the hierarchy, neighbours, geometry (WGS84)", responses=ERRORS)
def area(
    request: Request,
    code: Annotated[str, Path(max_length=32, description="Area code, e.g. AA01 (buurt) or A (stadsdeel)")],
    division: Division = None,
) -> dict:
    data = data_of(request)
    division, row = data.area(code, division)
    level = str(row["level"])
    geo = data.geometry(division, level)
    geometry = views.rounded_geometry(geo.loc[code].geometry.__geo_interface__) if code in geo.index else None
    areas_ = data.areas(division)
    return {
        "code": code,
        "name": row["name"],
        "level": level,
        "division": division,
        "parent": row["parent"] if isinstance(row["parent"], str) else None,
        "cbs_code": row["cbs_code"] if isinstance(row["cbs_code"], str) else None,
        "children": sorted(areas_.index[areas_["parent"] == code]),
        "neighbours": data.neighbours(division, level).get(code, []) if level != "stad" else [],
        "geometry": geometry,
    }


@router.get(
    "/indicators", summary="Indicators with data: labels, unit, levels, periods, per division", responses=ERRORS
)
def indicators(request: Request, division: Division = None) -> dict:
    data = data_of(request)
    cat = data.catalogue()
    if division:
        cat = cat[cat["division"] == data.division(division)]
    cols = [
        "division",
        "indicator",
        "label_nl",
        "label_en",
        "unit",
        "description",
        "flow",
        "canonical",
        "effort_dependent",
        "levels",
        "first",
        "last",
        "sources",
        "synthetic",
    ]
    return {"indicators": views.records(cat[cols])}


@router.get("/observations", summary="Values per area and period, disclosure-controlled", responses=DOWNLOADS)
def observations(
    request: Request,
    indicator: Annotated[str, Query(max_length=200, description="Indicator, e.g. registered.drug_trade")],
    level: Level = Level.buurt,
    period: Annotated[
        str | None,
        Query(
            max_length=20,
            pattern=PERIOD_PATTERN,
            description="YYYY, YYYY-Hn, YYYY-Qn or YYYY-MM; without it every period of the kind",
        ),
    ] = None,
    kind: Annotated[PeriodKind, Query(description="Period kind when no period is given")] = PeriodKind.year,
    area: Annotated[list[str] | None, Query(max_length=32, description="Area codes (repeat the parameter)")] = None,
    division: Division = None,
    measure: Measure = Measure.value,
    fmt: Format = Fmt.json,
) -> Any:
    data = data_of(request)
    division = data.division(division)
    data.level(division, level.value)
    info = data.indicator(indicator, division)
    if period is not None:
        lay = data.layer(indicator, division=division, level=level.value, period=period, measure=measure.value)
        df = lay.frame.reset_index().rename(columns={"code": "area_code"})
        df.insert(1, "period", lay.period)
        unit = lay.unit
    else:
        if measure is Measure.rate:
            raise InputError(
                "A rate needs one period.",
                received="measure=rate without period",
                expected="a period such as 2023",
                fix="add period=2023 (for example)",
            )
        df = data.table(division, indicator, level.value, kind.value).copy()
        names = data.areas(division)["name"]
        df.insert(1, "name", names.reindex(df["area_code"]).to_numpy())
        unit = str(info["unit"])
    df["status"] = df["status"].map(views.status_public)
    if area:
        df = df[df["area_code"].isin(area)]
    keep = [
        c for c in ["area_code", "name", "period", "value", "status", "base", "count", "population"] if c in df.columns
    ]
    df = df[keep]
    min_base = info.get("min_base")
    meta = {
        "indicator": indicator,
        "division": division,
        "level": level.value,
        "measure": measure.value,
        "unit": unit,
        "synthetic": bool(info["synthetic"]),
        "sources": list(info["sources"]),
        "disclosure": data.meta()["disclosure"],
        # the disclosure policy of this indicator (decision 0013) and, for a share, its base and minimum
        "policy": {
            "kind": info.get("disclosure"),
            "base": info.get("disclosure_base"),
            "min_base": None if pd.isna(min_base) else int(min_base),
        },
    }
    name = f"{indicator}-{division}-{level.value}" + (f"-{period}" if period else "")
    if fmt is Fmt.geojson:
        if period is None:
            raise InputError(
                "GeoJSON needs one period (one value per area).",
                received="no period",
                expected="period=YYYY (for example)",
                fix="add a period, or use format=csv for every period",
            )
        return _download(df, fmt, name, meta, _features(data, division, level.value, df, meta))
    if fmt is not Fmt.json:
        return _download(df, fmt, name, meta)
    return {**meta, "observations": views.records(df)}


@router.get(
    "/map",
    summary="A map layer as GeoJSON: indicator or stored result per area, with labels",
    responses=GEOJSON,
    response_class=Response,
)
def map_layer(
    request: Request,
    layer: Annotated[
        str,
        Query(
            max_length=200,
            description="An indicator, or result:vulnerability, "
            "result:zwijgwijken, result:hotspots.gi:<indicator>, result:emerging:<indicator>[:<trend test>] "
            "(trend test mk, hamed-rao or seasonal; default the latest run)",
        ),
    ] = "registered.drug_trade",
    level: Level = Level.buurt,
    period: Annotated[str | None, Query(max_length=20, pattern=PERIOD_PATTERN)] = None,
    measure: Measure = Measure.value,
    division: Division = None,
    lang: Lang = Lang.nl,
) -> Response:
    data = data_of(request)

    def make() -> Body:
        lay = views.map_layer(
            data, layer, division=division, level=level.value, period=period, measure=measure.value, lang=lang.value
        )
        raw = json.dumps(lay.geojson(data), separators=(",", ":")).encode()
        synthetic = "true" if lay.synthetic else "false"
        return Body.of(raw, "application/geo+json", {"X-Weerbaar-Synthetic": synthetic})

    # kept only in the bounded response cache (a crawler must not fill the memory)
    return request.app.state.responses.answer(request, make)


@router.get(
    "/profile/{code}", summary="Area profile: indicators against stadsdeel and city, inventory, flags", responses=ERRORS
)
def profile(
    request: Request,
    code: Annotated[str, Path(max_length=32)],
    division: Division = None,
    lang: Lang = Lang.nl,
) -> Response:
    data = data_of(request)

    def make() -> Body:
        div, _ = data.area(code, division)
        raw = json.dumps(views.profile(data, code, division=div, lang=lang.value), separators=(",", ":")).encode()
        return Body.of(raw, "application/json")

    return request.app.state.responses.answer(request, make)


@router.get("/results", summary="Stored results (runs) the public may see", responses=ERRORS)
def results(request: Request, division: Division = None) -> dict:
    data = data_of(request)
    runs = data.runs(data.division(division) if division else None)
    cols = ["run_id", "kind", "indicator", "division", "period", "level", "synthetic", "snapshot", "areas"]
    out = views.records(runs[cols])
    for r, p in zip(out, runs["parameters"], strict=True):
        r["parameters"] = p
    return {"results": out}


@router.get("/results/{kind}", summary="The latest result of a kind, public measures only", responses=DOWNLOADS)
def result(
    request: Request,
    kind: ResultKind,
    indicator: Annotated[str | None, Query(max_length=200, description="For hotspots and emerging")] = None,
    division: Division = None,
    run_id: Annotated[str | None, Query(max_length=40, description="A specific run (default: the latest)")] = None,
    fmt: Format = Fmt.json,
    trend_test: Annotated[
        TrendTest | None,
        Query(description="Emerging hot spots: the latest run with this trend test (mk, hamed-rao or seasonal)"),
    ] = None,
) -> Any:
    data = data_of(request)
    if run_id is None:
        if kind in (ResultKind.hotspots, ResultKind.emerging) and not indicator:
            indicator = "registered.drug_trade"
        test = trend_test.value if trend_test and kind is ResultKind.emerging else None
        run = data.latest_run(kind.value, division=division, indicator=indicator, trend_test=test)
        run_id = run["run_id"]
    view = data.result(run_id)
    df = view.frame.reset_index()
    meta = {**view.run, "disclosure": data.meta()["disclosure"]}
    name = f"{view.run['kind']}-{run_id}"
    if fmt is Fmt.geojson:
        return _download(df, fmt, name, meta, _features(data, view.run["division"], view.run["level"], df, meta))
    if fmt is not Fmt.json:
        return _download(df, fmt, name, meta)
    return {"run": meta, "synthetic": bool(view.run["synthetic"]), "rows": views.records(df)}


@router.get("/sources", summary="Every source with provenance, period, licence and attribution", responses=ERRORS)
def sources(request: Request) -> dict:
    df = data_of(request).sources().copy()
    df["loaded_at"] = df["loaded_at"].astype(str)
    return {"sources": views.records(df)}


@router.get(
    "/wastewater",
    summary="Drug use from wastewater (EUDA/SCORE): a city's figures, rank, series, weekdays",
    responses=ERRORS,
)
def wastewater(
    request: Request,
    city: Annotated[str, Query(max_length=80, description="City as named in the EUDA data")] = "Amsterdam",
    substance: Annotated[str, Query(max_length=40, description="cocaine, mdma, amphetamine, ...")] = "cocaine",
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Default: the city's latest year")] = None,
    population: Annotated[
        int | None,
        Query(ge=1, le=50_000_000, description="People the grams a day are computed for (default: EUDA site table)"),
    ] = None,
) -> dict:
    ww = data_of(request).wastewater()
    name = ww.city(city)
    key = ww.substance(substance)
    summary = ww.summary(name, year, key, population=population)
    week, _ = ww.weekdays(name, summary["year"], key)
    return {
        **summary,
        "comparison": views.records(ww.comparison(summary["year"], key)),
        "series": views.records(ww.series(name, key)),
        "weekdays": views.records(week),
    }


@router.get(
    "/market", summary="Street market estimate: pure grams a day, purity and price to euros a year", responses=ERRORS
)
def market_estimate(
    pure_grams_per_day: Annotated[str, Query(max_length=60, description="a value or low:mode:high")],
    purity: Annotated[str, Query(max_length=60, description="in (0, 1]: a value or low:mode:high")],
    price: Annotated[str, Query(max_length=60, description="EUR a gram: a value or low:mode:high")],
) -> dict:
    from ..analysis.market import Uncertain, market

    result = market(Uncertain.parse(pure_grams_per_day), Uncertain.parse(purity), Uncertain.parse(price))
    return {k: v.to_dict() for k, v in result.items()}


@router.get(
    "/programme",
    summary="The programme register: the 15 measures (status, milestones, linked indicators), budget lines, risks",
    responses=ERRORS,
)
def programme(request: Request) -> dict:
    from ..programme import load_register, register_dict
    from .state import store_url

    return register_dict(load_register(store_url(request.app)))


def error_response(status: int, exc_type: str, problem: str, **parts: Any) -> JSONResponse:
    body = {"error": {"status": status, "type": exc_type, "problem": problem, **parts}}
    return JSONResponse(body, status_code=status)
