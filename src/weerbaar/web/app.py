"""The web application: pages, the JSON API, static files and the Vega JavaScript.

``create_app(home)`` builds a FastAPI app over the warehouse in ``home``. The Vega, Vega-Lite and
vega-embed JavaScript comes from the installed ``vl-convert-python`` package (nothing vendored),
bundled once and cached in the data folder.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__, settings
from ..errors import NotFoundError, WarehouseError, WeerbaarError
from ..public import PublicData
from . import api, pages, partner, partner_networks, report_form, reports_page, violence_page
from .bodies import Body, FastPath, ResponseCache
from .security import BodyLimit, SecurityHeaders, trusted_proxies

log = logging.getLogger(__name__)

IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
STATIC = Path(str(files("weerbaar.web") / "static"))


class HeadAsGet:
    """Answer ``HEAD`` like ``GET`` without the body (link checkers and uptime monitors ask ``HEAD /``)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


def swagger_ui_dir() -> Path:
    """Swagger UI's files from the installed ``swagger-ui-bundle-v2`` package (nothing vendored, works offline)."""
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path)


class VegaBundle:
    """The vega-embed + Vega-Lite + Vega bundle from vl-convert, built once and cached on disk."""

    def __init__(self, cache_dir: Path) -> None:
        import vl_convert

        self.version = vl_convert.get_vega_embed_version() + "-" + vl_convert.get_vega_version()
        self.path = cache_dir / f"vega-bundle-{self.version}.js"
        self._lock = threading.Lock()
        self._body: Body | None = None

    @property
    def tag(self) -> str:
        return hashlib.md5(self.version.encode(), usedforsecurity=False).hexdigest()[:8]  # a cache-busting tag

    def body(self) -> Body:
        if self._body is None:
            with self._lock:
                if self._body is None:
                    if self.path.exists():
                        self._body = Body.of(self.path.read_bytes(), "text/javascript; charset=utf-8", IMMUTABLE)
                    else:
                        import vl_convert

                        # the stub makes snippet required; at runtime it defaults to the global bundle
                        js = vl_convert.javascript_bundle().encode()  # type: ignore[call-arg]
                        self.path.parent.mkdir(parents=True, exist_ok=True)
                        tmp = self.path.with_suffix(".tmp")
                        tmp.write_bytes(js)
                        tmp.replace(self.path)
                        self._body = Body.of(js, "text/javascript; charset=utf-8", IMMUTABLE)
        return self._body


def _status_of(exc: WeerbaarError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, WarehouseError):  # missing, or locked by a writer (`weerbaar build`/`compute`)
        return 503
    return 400


def create_app(home: Path | None = None, *, data: PublicData | None = None) -> FastAPI:
    home = Path(home) if home else settings.home()
    data = data or PublicData(home)
    app = FastAPI(
        title="weerbaar open API",
        version=__version__,
        description=(
            "Read-only figures per Amsterdam area for the drugs programme 'Weerbare mensen, weerbare wijken'. "
            "Counts are disclosure-controlled (see /api/v1/meta). Answers say whether any input is synthetic "
            "demonstration data. Downloads: format=csv, parquet or geojson."
        ),
        docs_url=None,  # served below from the installed Swagger UI package, not from a CDN
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.data = data
    data.on_change = lambda: rewarm(app)  # a rebuilt warehouse: its figures made again at once, in the background
    app.state.responses = ResponseCache(data.version)
    app.state.warming = threading.Event()  # set while the background warm-up runs
    app.state.profiles_on_change = False  # set by a background warm-up (`weerbaar serve`): see rewarm
    app.state.vega = VegaBundle(home / "cache")
    app.state.home = home  # the operational store (residents' reports) lives here; upgraded on first use
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(FastPath, cache=app.state.responses)  # repeated URLs skip everything else
    app.add_middleware(BodyLimit)  # bodies counted as they stream, before anything parses them
    trusted_proxies(app)  # X-Forwarded-For believed only from configured proxies
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, cached ones too
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/static-vendor/swagger-ui", StaticFiles(directory=swagger_ui_dir()), name="swagger-ui")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/api/v1/openapi.json",
            title=f"{app.title} — documentation",
            swagger_js_url="/static-vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static-vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static-vendor/swagger-ui/favicon-32x32.png",
        )

    @app.get("/static-vendor/vega.js", include_in_schema=False)
    def vega_js(request: Request) -> Response:
        return app.state.responses.answer(request, app.state.vega.body)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict:
        return {"ok": True, "snapshot": data.meta()["snapshot"], "warming": app.state.warming.is_set()}

    app.include_router(api.router)
    app.include_router(report_form.api_router)
    app.include_router(pages.router)
    app.include_router(report_form.router)
    app.include_router(partner.router)
    app.include_router(partner_networks.router)  # issue 20
    app.include_router(reports_page.router)
    from . import interventions_page  # issue 19

    for r in (interventions_page.api_router, interventions_page.router, interventions_page.partner_router):
        app.include_router(r)
    app.include_router(violence_page.router)  # measure 8 (issue 18)
    app.include_router(violence_page.partner_router)
    app.include_router(violence_page.api_router)

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    @app.exception_handler(WeerbaarError)
    async def weerbaar_error(request: Request, exc: WeerbaarError):
        status = _status_of(exc)
        problem, received, expected, fix = exc.problem, exc.received, exc.expected, exc.fix
        if status == 503:  # no server paths or process ids in public answers
            problem = "The figures are being updated or are not built yet."
            received, expected = "a request while the warehouse is unavailable", "a built, readable warehouse"
            fix = "try again in a minute"
        response: Response
        if wants_json(request):
            response = api.error_response(
                status, type(exc).__name__, problem, received=received, expected=expected, fix=fix
            )
        else:
            response = pages.error_page(request, status, problem, received, expected, fix)
        if status == 503:
            response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errs = exc.errors()
        first = errs[0] if errs else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        received = first.get("input")
        expected = first.get("msg", "a valid value")
        if "ctx" in first and isinstance(first["ctx"], dict) and "expected" in first["ctx"]:
            expected = f"one of {first['ctx']['expected']}"
        problem = f"Invalid request parameter {where}." if where else "Invalid request."
        fix = "correct the parameter (see /api/docs)"
        if wants_json(request):
            return api.error_response(
                422,
                "RequestValidationError",
                problem,
                received=repr(received)[:200],
                expected=str(expected),
                fix=fix,
                details=[{"loc": [str(x) for x in e.get("loc", ())], "msg": e.get("msg")} for e in errs[:10]],
            )
        if request.url.path.startswith(("/partner", "/report")):  # form fields may be passwords or contacts
            response = pages.error_page(request, 422, problem, None, str(expected), "correct the form and retry")
            response.headers["Cache-Control"] = "no-store"
            return response
        return pages.error_page(request, 422, problem, repr(received)[:200], str(expected), fix)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        problem = "Not found." if exc.status_code == 404 else str(exc.detail)
        if exc.status_code == 413:
            problem = str(exc.detail)
        if wants_json(request):
            response = api.error_response(
                exc.status_code,
                "PayloadTooLarge" if exc.status_code == 413 else "HTTPException",
                problem,
                received=request.url.path,
                expected="a smaller body" if exc.status_code == 413 else "a path listed in /api/docs",
                fix="send less" if exc.status_code == 413 else "check the address",
            )
            response.headers.update(exc.headers or {})  # Allow on 405
            return response
        if exc.status_code == 405:
            return HTMLResponse("Method not allowed", status_code=405, headers=exc.headers)
        return pages.error_page(request, exc.status_code, problem, request.url.path, None, None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # pragma: no cover - last resort
        if wants_json(request):
            return api.error_response(
                500, "InternalError", "An unexpected error occurred.", received=type(exc).__name__
            )
        return pages.error_page(request, 500, "An unexpected error occurred.", type(exc).__name__, None, None)

    return app


def rewarm(app: FastAPI) -> None:
    """Prepare the figures again after the warehouse changed (run in a background thread by ``PublicData``
    when it notices the change): the protected cubes of the default division first (cheap from the cube
    cache on disk when the observations did not change), then, when the start-up warm-up ran in the background
    (``weerbaar serve``), every area profile as at the start, so the first ``/area/...`` request after a
    rebuild does not wait for them."""
    from . import views

    data: PublicData = app.state.data
    app.state.warming.set()
    try:
        division = data.meta()["default_division"]
        data.prefetch_cubes(division, data.count_indicators(division))
        areas = data.areas(division)
        profiled: Iterable[str] = areas.index[areas["level"] != "stad"] if app.state.profiles_on_change else []
        for code in profiled:
            for lang in ("nl", "en"):
                views.profile(data, code, division=division, lang=lang)
    except Exception:  # noqa: BLE001 - a warehouse mid-rebuild: the next request makes what it needs
        log.warning("preparing the figures again after a warehouse change failed", exc_info=True)
    finally:
        app.state.warming.clear()


def warm(app: FastAPI, progress=lambda _: None, *, background: bool = True) -> None:
    """Prepare what the first visitor needs (cubes, geometries, results, the default map, the Vega bundle),
    so the first page load is as fast as the next; every area profile follows in the background."""
    from . import views

    data: PublicData = app.state.data
    meta = data.meta()
    division = meta["default_division"]
    cat = data.catalogue()
    flows = cat.loc[(cat["division"] == division) & cat["flow"], "indicator"].tolist()
    progress(
        f"preparing the dashboard: disclosure control for {len(flows)} count indicators "
        "(half a minute when the data or the day changed; cached after)"
    )
    data.prefetch_cubes(division, flows)
    for level in meta["divisions"].get(division, []):
        data.geometry(division, level)
        if level != "stad":
            data.neighbours(division, level)
    for run_id in data.runs(division)["run_id"]:
        data.result(run_id)
    if flows:
        for lang in ("nl", "en"):
            views.map_layer(data, flows[0], division=division, level="wijk", lang=lang).geojson(data)
    app.state.vega.body()

    def profiles() -> None:
        # every area profile of the default division, in the background: later requests are cheap
        try:
            areas = data.areas(division)
            for code in areas.index[areas["level"] != "stad"]:
                for lang in ("nl", "en"):
                    views.profile(data, code, division=division, lang=lang)
        finally:
            app.state.warming.clear()

    if not background:
        return
    app.state.profiles_on_change = True
    app.state.warming.set()
    threading.Thread(target=profiles, name="weerbaar-warm-profiles", daemon=True).start()
