"""Residents report drug dealing near schools and playgrounds (measure 11): a form that works without
JavaScript (``/report``) and a small JSON endpoint (``POST /api/v1/reports``).

Anonymous by default: no account, no tracking, no report id handed back. The location is the
representative point of the chosen buurt (or a longitude/latitude, from the form's map picker or the
JSON endpoint, linked to the buurt that contains it), coarsened to a 100 m cell by
``weerbaar.store.reports.submit_report``; contact details are optional and stored encrypted apart.

Protection: a signed double-submit CSRF token for the form (cookie ``weerbaar_csrf`` + hidden field,
HMAC of a random nonce with a per-app secret in ``app.state``), and an in-memory sliding-window rate
limit per client IP shared by the form and the JSON endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from .. import settings
from ..errors import InputError
from ..store.models import KINDS, NEAR_FACILITY_TYPES
from ..store.reports import ConflictError
from . import api, pages
from .i18n import t
from .state import store_url

__all__ = ["router", "api_router", "RateLimiter", "store_url"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["reports"])

CSRF_COOKIE = "weerbaar_csrf"
DIVISION = "2022"
RATE_LIMIT = (10, 600.0)  # the default of the report_rate_limit setting: submissions per window (s), per IP
BODY_MAX = 64 * 1024  # bytes of a JSON body
FIELD_MAX = 20_000  # characters of any one form field before validation (the store has tighter limits)

Field_ = Annotated[str | None, Form(max_length=FIELD_MAX)]


# ---------------------------------------------------------------------------------------------
# application state (made lazily, so create_app stays unchanged in cost)

_state_lock = threading.Lock()


def _secret(app) -> bytes:
    with _state_lock:
        if getattr(app.state, "csrf_secret", None) is None:
            app.state.csrf_secret = secrets.token_bytes(32)
        return app.state.csrf_secret


class RateLimiter:
    """A sliding window per key (client IP): at most ``limit`` events per ``window`` seconds.

    Keys are kept in order of their latest event, so forgetting idle clients looks only at the oldest ones:
    each check costs O(1) amortised however many addresses there are (it scanned them all above 10,000)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()

    def forgive(self, key: str) -> None:
        """Take back the newest event of ``key`` (a login that turned out right)."""
        with self._lock:
            q = self._events.get(key)
            if q:
                q.pop()

    def hit(self, key: str) -> int:
        """Record an event; 0 when allowed, else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            q: deque | None
            while self._events:  # forget idle clients, oldest first; stops at the first one still active
                oldest, q = next(iter(self._events.items()))
                if q and q[-1] > now - self.window:
                    break
                del self._events[oldest]
            q = self._events.get(key)
            if q is None:
                q = self._events[key] = deque()
            else:
                self._events.move_to_end(key)
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(1, math.ceil(q[0] + self.window - now))
            q.append(now)
            return 0

    def __len__(self) -> int:
        return len(self._events)


class _NoLimit(RateLimiter):
    """The report_rate_limit setting is off: every event is allowed."""

    def hit(self, key: str) -> int:
        return 0


def _limiter(app) -> RateLimiter:
    """The app's limiter: ``app.state.report_rate`` (tests) or the ``report_rate_limit`` setting."""
    with _state_lock:
        if getattr(app.state, "report_limiter", None) is None:
            rate = getattr(app.state, "report_rate", None) or settings.get("report_rate_limit")
            app.state.report_limiter = RateLimiter(*rate) if rate else _NoLimit(0, 0.0)
        return app.state.report_limiter


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# ---------------------------------------------------------------------------------------------
# CSRF: a signed double-submit token


def _sign(app, nonce: str) -> str:
    return hmac.new(_secret(app), nonce.encode("ascii"), hashlib.sha256).hexdigest()


def new_token(app) -> str:
    nonce = secrets.token_urlsafe(18)
    return f"{nonce}.{_sign(app, nonce)}"


def valid_token(app, token: str | None) -> bool:
    if not token or not isinstance(token, str) or token.count(".") != 1 or len(token) > 200:
        return False
    nonce, mac = token.split(".")
    try:
        nonce.encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(mac.encode("utf-8", "replace"), _sign(app, nonce).encode("ascii"))


def _csrf_ok(request: Request, field: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not field or not valid_token(request.app, cookie):
        return False
    return hmac.compare_digest(cookie.encode("utf-8", "replace"), field.encode("utf-8", "replace"))


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/report",
    )


# ---------------------------------------------------------------------------------------------
# places


class Places:
    """What intake needs of the warehouse: the division, the buurten (code, name), their representative points
    (RD New) and an STRtree over their shapes. Made once per warehouse version and kept, so that report intake
    never waits for the warehouse (issue 16): while ``weerbaar ingest``/``compute`` holds it, the last copy
    serves."""

    def __init__(self, data, version) -> None:
        from shapely import STRtree

        meta = data.meta()
        self.version = version
        self.division = DIVISION if DIVISION in meta["divisions"] else meta["default_division"]
        gdf = data.geometry(self.division, "buurt").to_crs(28992)
        areas = data.areas(self.division)
        buurten = areas[areas["level"] == "buurt"]
        self.buurten = sorted(
            ((str(c), str(n)) for c, n in buurten["name"].items()), key=lambda cn: (cn[1].casefold(), cn[0])
        )
        self.codes = [str(c) for c in gdf.index]
        self.tree = STRtree(gdf.geometry.to_numpy())
        self.points = {
            code: (float(pt.x), float(pt.y))
            for code, pt in zip(self.codes, gdf.geometry.representative_point(), strict=True)
        }


def places(app) -> Places:
    """The current ``Places``; the last one made while the warehouse is busy or gone (its error before any)."""
    from ..errors import WarehouseError

    data = app.state.data
    current: Places | None = getattr(app.state, "report_places", None)
    try:
        version = data.version()
        if current is not None and current.version == version:
            return current
        with _state_lock:
            current = getattr(app.state, "report_places", None)
            if current is None or current.version != version:
                current = app.state.report_places = Places(data, version)
        return current
    except WarehouseError:
        if current is None:
            raise
        return current  # the warehouse is being written: intake goes on with what it knew


def _division(request: Request) -> str:
    return places(request.app).division


def _buurten(request: Request) -> list[tuple[str, str]]:
    """(code, name) of the buurten, sorted by name."""
    return places(request.app).buurten


def _buurt_point(request: Request, code) -> tuple[float, float]:
    """The representative point (RD New) of a buurt, or an InputError."""
    points = places(request.app).points
    if not isinstance(code, str) or not code or code not in points:
        raise InputError(
            "Please choose the neighbourhood where you saw it.",
            received=repr(code)[:60],
            expected="a buurt of Amsterdam from the list",
            fix="choose a neighbourhood from the list",
        )
    return points[code]


def buurt_at(request: Request, lon: float, lat: float) -> str | None:
    """The code of the buurt that contains a point given in WGS84, or None outside every buurt.

    On a shared border the first code in sort order wins, so the answer does not depend on row order.
    The tree is kept with ``Places`` (rebuilt when the warehouse changes)."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None  # the store refuses such a point with a clear message
    from shapely import Point

    from ..store.reports import _to_rd

    where = places(request.app)
    # the store's transformer of this thread: making one per call costs ~100 ms of CPU (it capped intake at
    # ~10 reports/s), so each worker thread makes one and keeps it
    x, y = _to_rd().transform(lon, lat)
    point = Point(x, y)
    hits = where.tree.query(point, predicate="intersects")
    if not len(hits):
        # the served buurt shapes are simplified, so thin gaps open along their borders: a point within
        # GAP_M of a buurt belongs to the nearest one; farther away it lies outside every buurt
        hits = where.tree.query_nearest(point, max_distance=GAP_M)
    return min(where.codes[i] for i in hits) if len(hits) else None


GAP_M = 50.0


def _outside() -> InputError:
    return InputError(
        "This place is outside Amsterdam, so we cannot take the report.",
        received="a point outside every buurt of Amsterdam",
        expected="a place in Amsterdam",
        fix="pick the place on the map of Amsterdam; outside Amsterdam, call the police on 0900-8844",
    )


# ---------------------------------------------------------------------------------------------
# the form

FIELDS = ("kind", "buurt", "seen_at", "near", "description", "contact")


def _field_of(exc: InputError) -> str:
    text = f"{exc.problem} {exc.fix or ''}".lower()
    for words, field in (
        (("what you saw",), "kind"),
        (("place nearby",), "near"),
        (("description",), "description"),
        (("contact",), "contact"),
        (("when you saw", "future", "date and time"), "seen_at"),
        (("location", "place", "neighbourhood", "amsterdam"), "buurt"),
    ):
        if any(w in text for w in words):
            return field
    return "kind"


def _form(request: Request, status: int = 200, *, values: dict | None = None, errors: dict | None = None):
    lang = pages._lang(request)
    token = request.cookies.get(CSRF_COOKIE)
    if token is None or not valid_token(request.app, token):
        token = new_token(request.app)
    values = dict(values or {})
    values.setdefault("idempotency_key", secrets.token_urlsafe(16))
    response = pages.render(
        request,
        "report.html",
        status=status,
        title=t("report.title", lang),
        kinds=KINDS,
        near_types=NEAR_FACILITY_TYPES,
        buurten=_buurten(request),
        picker_geojson=f"/api/v1/areas?division={_division(request)}&level=buurt&format=geojson",
        values=values,
        errors=errors or {},
        csrf=token,
        action="/report" + ("?lang=en" if lang == "en" else ""),
    )
    response.headers["Cache-Control"] = "no-store"
    _set_cookie(request, response, token)
    return response


def _refuse(request: Request, status: int, key: str, retry_after: int | None = None) -> HTMLResponse:
    lang = pages._lang(request)
    response = pages.error_page(request, status, t(f"report.{key}", lang), None, None, t(f"report.{key}.fix", lang))
    response.headers["Cache-Control"] = "no-store"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@router.get("/report", response_class=HTMLResponse)
def report_form(request: Request, lang: pages.Lang = "nl") -> Response:
    return _form(request)


@router.get("/report/done", response_class=HTMLResponse)
def report_done(request: Request, lang: pages.Lang = "nl") -> Response:
    response = pages.render(request, "report_done.html", title=t("report.done.title", pages._lang(request)))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/report", response_class=HTMLResponse)
def report_submit(
    request: Request,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    idempotency_key: Field_ = None,
    kind: Field_ = None,
    buurt: Field_ = None,
    lon: Field_ = None,
    lat: Field_ = None,
    seen_date: Field_ = None,
    seen_time: Field_ = None,
    near: Field_ = None,
    description: Field_ = None,
    contact: Field_ = None,
) -> Response:
    if not _csrf_ok(request, csrf):
        return _refuse(request, 403, "csrf")
    wait = _limiter(request.app).hit(_client(request))
    if wait:
        return _refuse(request, 429, "ratelimit", wait)
    values = {
        "idempotency_key": idempotency_key or None,
        "kind": kind or "",
        "buurt": buurt or "",
        "lon": lon or "",
        "lat": lat or "",
        "seen_date": seen_date or "",
        "seen_time": seen_time or "",
        "near": near or "",
        "description": description or "",
        "contact": contact or "",
    }
    lang_ = pages._lang(request)
    checked, errors = _check_fields(request, values)
    if errors:  # every problem at once, each at its field, with what was filled in kept
        return _form(
            request,
            400,
            values={k: v for k, v in values.items() if v is not None},
            errors={f: exc.problem if lang_ == "en" else t(f"report.err.{f}", lang_) for f, exc in errors.items()},
        )
    assert checked is not None  # _check_fields: the checked fields whenever there are no errors
    x, y, crs, code, seen_at = checked
    try:
        _store(
            request,
            source="form",
            kind=kind,
            x=x,
            y=y,
            crs=crs,
            seen_at=seen_at,
            near_facility_type=near or None,
            description=description or "",
            contact=contact or None,
            idempotency_key=idempotency_key or None,
            buurt_code=code,
        )
    except InputError as exc:
        field = _field_of(exc)
        message = exc.problem if lang_ == "en" else t(f"report.err.{field}", lang_)
        return _form(request, 400, values={k: v for k, v in values.items() if v is not None}, errors={field: message})
    return RedirectResponse("/report/done" + ("?lang=en" if lang_ == "en" else ""), status_code=303)


def _check_fields(request: Request, values: dict) -> tuple[tuple | None, dict[str, InputError]]:
    """Check every field of the form on its own, so that the resident sees all problems at once.

    Returns ``((x, y, crs, buurt code, seen_at), {})`` or ``(None, {field: error})``. The store checks
    again when saving; this only finds what it would refuse, field by field, in the form's order.
    """
    from ..store.models import DESCRIPTION_MAX
    from ..store.reports import CONTACT_MAX, _location, _seen_at, _text, utcnow

    errors: dict[str, InputError] = {}
    if not values["kind"] or values["kind"] not in KINDS:
        errors["kind"] = InputError("Please choose what you saw.", fix="choose one of the options")
    where = None
    try:
        where = _where(request, values["lon"], values["lat"], values["buurt"])
        _location(where[0], where[1], where[2])
    except InputError as exc:
        errors["buurt"] = exc
    if values["near"] and values["near"] not in NEAR_FACILITY_TYPES:
        errors["near"] = InputError("Unknown kind of place nearby.", fix="choose a kind of place from the list")
    seen_at = None
    try:
        if values["seen_date"]:
            seen_at = f"{values['seen_date'].strip()}T{values['seen_time'].strip() or '00:00'}"
            _seen_at(seen_at, utcnow())
        elif values["seen_time"]:
            raise InputError("We could not read when you saw it.", fix="also choose the date, or leave both empty")
    except InputError as exc:
        errors["seen_at"] = exc
    for field, limit in (("description", DESCRIPTION_MAX), ("contact", CONTACT_MAX)):
        try:
            _text(values[field], field=field, limit=limit)
        except InputError as exc:
            errors[field] = exc
    if errors or where is None:
        return None, errors
    return (*where, seen_at), {}


def _where(request: Request, lon, lat, buurt) -> tuple[float, float, str, str | None]:
    """(x, y, crs, buurt code) from a longitude/latitude pair (when both given) or a buurt code."""
    if lon not in (None, "") and lat not in (None, ""):
        try:
            x, y = float(lon), float(lat)
        except (TypeError, ValueError):
            raise InputError(
                "The location could not be read.",
                received=f"lon={str(lon)[:30]!r}, lat={str(lat)[:30]!r}",
                expected="numbers",
                fix="choose a neighbourhood from the list",
            ) from None
        code = buurt_at(request, x, y) if math.isfinite(x) and math.isfinite(y) else None
        if code is None and math.isfinite(x) and math.isfinite(y):
            raise _outside()
        return x, y, "EPSG:4326", code
    x, y = _buurt_point(request, buurt)
    return x, y, "EPSG:28992", buurt


def _store(request: Request, **fields) -> None:
    from .. import store
    from ..store.reports import submit_report

    url = store_url(request.app)
    with store.session(url) as s:
        submit_report(s, **fields)


# ---------------------------------------------------------------------------------------------
# the JSON endpoint


class ReportIn(BaseModel):
    """A resident's report. Give the place as ``lon``/``lat`` (WGS84) or as a ``buurt`` code (division 2022)."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="What was seen: " + ", ".join(KINDS))
    lon: float | None = Field(None, description="Longitude (WGS84); with lat")
    lat: float | None = Field(None, description="Latitude (WGS84); with lon")
    buurt: str | None = Field(None, max_length=20, description="A buurt code, instead of lon/lat")
    seen_at: str | None = Field(None, max_length=64, description="When, e.g. 2025-03-01T21:30 (Amsterdam time)")
    near_facility_type: str | None = Field(None, description="One of " + ", ".join(NEAR_FACILITY_TYPES))
    description: str | None = Field(None, max_length=FIELD_MAX, description="What happened (at most 2000 chars)")
    contact: str | None = Field(None, max_length=FIELD_MAX, description="Optional e-mail or phone (encrypted)")
    idempotency_key: str | None = Field(None, max_length=200, description="Send the same key when retrying")


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {
        "description": text,
        "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "object"}}}}},
    }
    for code, text in (
        (400, "The report was not accepted (see problem and fix)"),
        (413, "The body is too large"),
        (409, "The submission key was already used with a different report"),
        (415, "The body is not JSON"),
        (422, "The body does not have the expected fields"),
        (429, "Too many reports from this address; see Retry-After"),
    )
}


@api_router.post(
    "/reports",
    status_code=201,
    summary="Report drug dealing near a school or playground",
    responses={201: {"description": "Received; nothing personal is echoed"}, **_ERRORS},
)
def post_report(request: Request, report: ReportIn) -> JSONResponse:
    """Store a resident's report. Anonymous unless ``contact`` is given; the place is stored coarsened to a
    100 m cell. Rate limited per address."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        return api.error_response(
            415,
            "UnsupportedMediaType",
            "The report must be sent as JSON.",
            received=ctype[:100] or "no content type",
            expected="application/json",
            fix="send the body as JSON with Content-Type: application/json",
        )
    size = request.headers.get("content-length", "0")
    if size.isdigit() and int(size) > BODY_MAX:
        return api.error_response(
            413, "PayloadTooLarge", "The report is too large.", received=f"{size} bytes",
            expected=f"at most {BODY_MAX} bytes", fix="shorten the description",
        )  # fmt: skip
    limiter = _limiter(request.app)
    wait = limiter.hit(_client(request))
    if wait:
        response = api.error_response(
            429,
            "TooManyRequests",
            "Too many reports from this address.",
            received="more than the allowed number of reports",
            expected=f"at most {limiter.limit} reports in {limiter.window:g} seconds",
            fix="wait a while and try again",
        )
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        if report.lon is not None or report.lat is not None:
            if report.lon is None or report.lat is None:
                raise InputError(
                    "Give both lon and lat, or a buurt code.",
                    received=f"lon={report.lon}, lat={report.lat}",
                    expected="both lon and lat",
                    fix="send both coordinates",
                )
            x, y, crs = report.lon, report.lat, "EPSG:4326"
            code = buurt_at(request, x, y)
            if code is None and math.isfinite(x) and math.isfinite(y):
                raise _outside()
        elif report.buurt is not None:
            (x, y), crs, code = _buurt_point(request, report.buurt), "EPSG:28992", report.buurt
        else:
            raise InputError(
                "Say where you saw it.",
                received="neither lon/lat nor buurt",
                expected="lon and lat (WGS84), or a buurt code",
                fix="send lon and lat, or buurt",
            )
        _store(
            request,
            source="api",
            kind=report.kind,
            x=x,
            y=y,
            crs=crs,
            seen_at=report.seen_at,
            near_facility_type=report.near_facility_type,
            description=report.description or "",
            contact=report.contact,
            idempotency_key=report.idempotency_key,
            buurt_code=code,
        )
    except ConflictError as exc:
        return api.error_response(
            409, "ConflictError", exc.problem, received=exc.received, expected=exc.expected, fix=exc.fix
        )
    except InputError as exc:
        return api.error_response(
            400, "InputError", exc.problem, received=exc.received, expected=exc.expected, fix=exc.fix
        )
    return JSONResponse({"status": "received"}, status_code=201, headers={"Cache-Control": "no-store"})
