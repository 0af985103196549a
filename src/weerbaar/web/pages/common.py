"""Shared by the pages: the templates, the one router, the query types, rendering and the error page."""

from __future__ import annotations

import functools
import math
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ... import charts
from ...compute import DIVISION_BREAKS
from ...contract import LEVELS
from ...errors import InputError
from ...public import PublicData
from .. import views
from ..bodies import Body, ResponseCache, cache_key, send
from ..i18n import number, t
from ..source_texts import source_text

TEMPLATES = Jinja2Templates(directory=str(files("weerbaar.web") / "templates"))
router = APIRouter(include_in_schema=False)

Lang = Annotated[str, Query(pattern="^(nl|en)$")]
Text = Annotated[str | None, Query(max_length=200)]
DivisionQ = Annotated[str | None, Query(max_length=32)]
CLASS_SCHEMES = ("quantiles", "natural_breaks", "fixed")


def _data(request: Request) -> PublicData:
    return request.app.state.data


def cached_page(handler):
    """Serve a page from the page cache when the same URL was rendered for the same warehouse version."""

    @functools.wraps(handler)
    def wrapper(request: Request, *args, **kwargs):
        cache: ResponseCache = request.app.state.responses
        body = cache.get(request.url.path, cache_key(request))
        if body is None:
            version = cache.version()
            response = handler(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            body = Body.of(bytes(response.body), "text/html; charset=utf-8")
            cache.remember(request, body, version)
        return send(request, body)

    return wrapper


def _map_levels(data: PublicData, division: str) -> list[str]:
    """The levels of a division that can be mapped and compared (the city is one area: the reference)."""
    return [lv for lv in data.meta()["divisions"][division] if lv != "stad"]


def _chosen_first(choices: pd.DataFrame, chosen: list[str]) -> pd.DataFrame:
    """Options of a multiple select with the chosen ones on top, so the selection is visible."""
    first = [c for c in chosen if c in choices.index]
    return pd.concat([choices.loc[first], choices.drop(index=first)])


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "nl")
    return lang if lang in ("nl", "en") else "nl"


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _lang(request)
    data = _data(request)
    try:
        meta = data.meta()
    except Exception:  # noqa: BLE001 - the error page must render even without a warehouse
        meta = {"synthetic": False, "snapshot": "–", "version": "", "disclosure": {"mode": "suppress", "threshold": 5}}
    other = "en" if lang == "nl" else "nl"
    switch = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    if other == "en":
        switch.append(("lang", "en"))
    ctx = {
        "request": request,
        "lang": lang,
        "t": lambda key, **kw: t(key, lang, **kw),
        "num": lambda v, d=None: number(v, lang, d),
        "unit": lambda u: _unit(str(u or ""), lang),
        "link": lambda path, **kw: views.link(
            path,
            lang,
            **{k: (None if k == "division" and v == meta.get("default_division") else v) for k, v in kw.items()},
        ),
        "lang_url": request.url.path + ("?" + urlencode(switch) if switch else ""),
        "meta": meta,
        "path": request.url.path,
        "vega_tag": request.app.state.vega.tag,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, ctx, status_code=status)


def _short(params: dict, meta: dict) -> dict:
    """Link parameters without the default division (shorter, stable URLs)."""
    return {k: (None if k == "division" and v == meta.get("default_division") else v) for k, v in params.items()}


def error_page(request: Request, status: int, problem: str, received, expected, fix) -> HTMLResponse:
    return render(
        request,
        "error.html",
        status=status,
        title=t("error.notfound" if status == 404 else "error.title", _lang(request)),
        status_code=status,
        problem=problem,
        received=received,
        expected=expected,
        fix=fix,
    )


def chart_meta(lay: views.MapLayer, lang: str, note: str | None = None) -> charts.ChartMeta:
    return charts.ChartMeta(
        title=lay.title,
        source=lay.source,
        period=lay.period,
        unit=_unit(lay.unit, lang),
        synthetic=lay.synthetic,
        lang=lang,
        note=note,
    )


_UNITS_NL = {
    "count": "aantal",
    "percent": "%",
    "per 1,000 inhabitants": "per 1.000 inwoners",
    "category": "categorie",
    "index (city mean = 100)": "index (stadsgemiddelde = 100)",
}


def _unit(unit: str, lang: str) -> str:
    if lang == "en":
        return unit or "–"
    return _UNITS_NL.get(unit, unit or "–")


def _breaks(data: PublicData, division: str, indicator: str | None) -> list[str]:
    if not indicator:
        return []
    try:
        info = data.indicator(indicator, division)
    except InputError:
        return []
    moved = any(str(s).startswith("crosswalk:") for s in info["sources"])
    return DIVISION_BREAKS.get(division, []) if moved else []


def is_number(v: object) -> bool:
    try:
        return not math.isnan(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def amsterdam_time(value, seconds: bool = False) -> str:
    """A stored time (naive UTC, an aware datetime or ISO text) as Amsterdam wall-clock time, 2025-03-01 21:30."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


TEMPLATES.env.filters["amsterdam"] = amsterdam_time
TEMPLATES.env.globals["is_number"] = is_number
TEMPLATES.env.globals["LEVELS"] = LEVELS
TEMPLATES.env.globals["source_text"] = source_text
