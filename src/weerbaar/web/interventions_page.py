"""The intervention register on the web (issue 19): the public page ``/interventions`` and
``/api/v1/interventions`` at area level only, and the partners' detailed register at ``/partner/interventions``.

Public: kind, month of start and end, the buurten, the partner organisation and the programme measure, plus the
stored displacement estimates (WDD with its interval, WDQ) with plain-language caveats. Never the point, the
polygon, the title or the note: a closed premises' address is not public.

Partners: analysts and up see the detailed register (each view written to the audit log); moderators add and
edit interventions (CSRF token, every change after creation in the append-only history).
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import InputError, NotFoundError
from . import pages
from .api import ERRORS
from .i18n import t
from .partner import Field_, _guard, _link, _no_store, _refuse, _render, _require
from .report_form import store_url

__all__ = ["router", "api_router", "partner_router", "displacement_runs", "did_run"]

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["api"])
partner_router = APIRouter(prefix="/partner", include_in_schema=False)

FORM_FIELDS = ("kind", "title", "start_date", "end_date", "x", "y", "radius_m", "polygon_wkt", "areas", "partner")


def _displacement_runs(request: Request) -> list[dict]:
    return displacement_runs(pages._data(request))


def displacement_runs(data) -> list[dict]:
    """Stored displacement estimates (kind ``displacement``), newest first: areas and the test, no raw counts."""

    def make() -> list[dict]:
        with data._wh() as wh:
            runs = wh.query(
                "SELECT run_id, parameters, finished_at, synthetic FROM runs "
                "WHERE kind = 'displacement' AND status = 'ok' ORDER BY finished_at DESC LIMIT 50"
            )
        out = []
        for r in runs.itertuples():
            p = json.loads(r.parameters or "{}")
            s = p.get("summary", {})
            out.append(
                {
                    "run_id": r.run_id,
                    "target": p.get("areas", {}).get("target", []),
                    "buffer": p.get("areas", {}).get("buffer", []),
                    "count": p.get("count"),
                    "before": "..".join(p.get("before", [])),
                    "after": "..".join(p.get("after", [])),
                    "wdd": s.get("wdd"),
                    "ci_low": s.get("ci_low"),
                    "ci_high": s.get("ci_high"),
                    "p": s.get("p"),
                    "wdq": s.get("wdq"),
                    "alpha": s.get("alpha", 0.05),
                    "synthetic": bool(r.synthetic),
                }
            )
        return out

    try:
        return data.cached(("displacement_runs",), make)
    except Exception:  # noqa: BLE001 - no warehouse: the register still shows
        return []


def _did_run(request: Request) -> dict | None:
    return did_run(pages._data(request))


def did_run(data) -> dict | None:
    """The newest stored staggered-DiD result: overall effect with its interval and the event study."""

    def make():
        with data._wh() as wh:
            runs = wh.query(
                "SELECT run_id, parameters, synthetic FROM runs WHERE kind = 'did' AND status = 'ok' "
                "ORDER BY finished_at DESC LIMIT 1"
            )
            if runs.empty:
                return None
            run_id = runs["run_id"].iloc[0]
            event = wh.result(run_id)
        p = json.loads(runs["parameters"].iloc[0] or "{}")
        ev = event.reset_index()
        ev = ev[(ev["e"] >= -6) & (ev["e"] <= 12)].sort_values("e")
        return {
            "run_id": run_id,
            "indicator": p.get("indicator"),
            "from": p.get("from"),
            "to": p.get("to"),
            "treated": p.get("treated_in_window"),
            "summary": p.get("summary", {}),
            "event": ev[["e", "att", "low", "high"]].to_dict(orient="records"),
            "synthetic": bool(runs["synthetic"].iloc[0]),
        }

    try:
        return data.cached(("did_run",), make)
    except Exception:  # noqa: BLE001 - no warehouse or no result: the page still shows
        return None


def _names(request: Request) -> dict[Hashable, str]:
    try:
        data = pages._data(request)
        return data.areas(data.division(None))["name"].to_dict()
    except Exception:  # noqa: BLE001
        return {}


@router.get("/interventions", response_class=HTMLResponse)
def interventions_page(request: Request, lang: pages.Lang = "nl") -> HTMLResponse:
    """The register at area level, with the stored displacement estimates and their caveats."""
    from ..interventions import register_view

    view = register_view(store_url(request.app))
    rows = view["rows"]
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    return pages.render(
        request,
        "interventions.html",
        title=t("iv.title", lang),
        rows=rows,
        kinds=kinds,
        names=_names(request),
        estimates=view["displacement"] if view["synthetic"] else _displacement_runs(request),
        did=view["did"] if view["synthetic"] else _did_run(request),
        any_synthetic=any(r["synthetic"] for r in rows),
        synthetic_set=view["synthetic"],
    )


@api_router.get(
    "/interventions", summary="The intervention register at area level (no addresses or points)", responses=ERRORS
)
def interventions_api(
    request: Request,
    measure: Annotated[int | None, Query(ge=1, le=15, description="only interventions of this measure")] = None,
) -> dict:
    from ..interventions import KINDS, register_view

    view = register_view(store_url(request.app), measure=measure)
    out = {
        "kinds": list(KINDS),
        "synthetic": view["synthetic"],
        "interventions": view["rows"],
        "displacement": view["displacement"] if view["synthetic"] else _displacement_runs(request),
    }
    if view["synthetic"]:
        out["note"] = (
            "SYNTHETIC demonstration set: the register is empty, so made-up interventions on a grid of made-up "
            "buurten with planted effects are shown; see 'planted' and 'did'."
        )
        out["did"] = view["did"]
    return out


# ---------------------------------------------------------------------------------------------
# partners


def _partner_page(request: Request, user, *, status: int = 200, error=None, saved: str | None = None, form=None):
    from .. import store
    from ..interventions import KINDS, as_dict, intervention_history, list_interventions
    from ..store.models import AuditEntry

    url = store_url(request.app)
    with store.session(url) as s:
        rows = [as_dict(r) for r in list_interventions(s)]
        history = intervention_history(s, limit=200)
        s.add(AuditEntry(actor_id=user.id, action="interventions_view"))
    return _render(
        request,
        "partner_interventions.html",
        user,
        status=status,
        title=t("iv.partner.title", pages._lang(request)),
        rows=rows,
        history=history,
        kinds=KINDS,
        error=error,
        saved=saved,
        form=form or {},
    )


@partner_router.get("/interventions", response_class=HTMLResponse)
@_guard
def partner_interventions(request: Request, lang: pages.Lang = "nl", saved: str | None = None) -> Response:
    user = _require(request, "analyst")
    return _partner_page(request, user, saved=(saved or "")[:12] or None)


def _validated(request: Request, form: dict) -> dict:
    from ..interventions import _area_context, validate_record
    from ..settings import get

    division = get("division")
    home = pages._data(request).home
    known, geoms = _area_context(home, division)
    return validate_record(form, known_areas=known, buurten=geoms, division=division)


@partner_router.post("/interventions", response_class=HTMLResponse)
@_guard
def partner_add(
    request: Request,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    kind: Field_ = None,
    title: Field_ = None,
    start_date: Field_ = None,
    end_date: Field_ = None,
    x: Field_ = None,
    y: Field_ = None,
    radius_m: Field_ = None,
    polygon_wkt: Annotated[str | None, Form(max_length=20000)] = None,
    areas: Field_ = None,
    partner: Field_ = None,
    measure: Field_ = None,
    note: Field_ = None,
) -> Response:
    from .. import store
    from ..interventions import add
    from ..store.models import User

    user = _require(request, "moderator", csrf=csrf, post=True)
    form = {k: v for k, v in locals().items() if k in FORM_FIELDS + ("measure", "note") and v}
    try:
        record = _validated(request, form)
        with store.session(store_url(request.app)) as s:
            row = add(s, record, actor=s.get(User, user.id))
            new_id = row.id
    except InputError as exc:
        return _partner_page(request, user, status=400, error=exc, form=form)
    return _no_store(RedirectResponse(_link(request, "/partner/interventions", saved=str(new_id)), status_code=303))


@partner_router.post("/interventions/{intervention_id}", response_class=HTMLResponse)
@_guard
def partner_edit(
    request: Request,
    intervention_id: int,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    kind: Field_ = None,
    title: Field_ = None,
    start_date: Field_ = None,
    end_date: Field_ = None,
    x: Field_ = None,
    y: Field_ = None,
    radius_m: Field_ = None,
    polygon_wkt: Annotated[str | None, Form(max_length=20000)] = None,
    areas: Field_ = None,
    partner: Field_ = None,
    measure: Field_ = None,
    note: Field_ = None,
) -> Response:
    """The whole record is posted again; the fields that differ are changed and written to the history."""
    from .. import store
    from ..interventions import update
    from ..store.models import User

    user = _require(request, "moderator", csrf=csrf, post=True)
    form = {k: v for k, v in locals().items() if k in FORM_FIELDS + ("measure", "note") and v}
    try:
        record = _validated(request, form)
        record.pop("external_id", None)
        record.pop("synthetic", None)
        with store.session(store_url(request.app)) as s:
            update(s, intervention_id, record, actor=s.get(User, user.id))
    except NotFoundError:
        return _refuse(request, 404, "not_found")
    except InputError as exc:
        return _partner_page(request, user, status=400, error=exc, form=form)
    return _no_store(
        RedirectResponse(_link(request, "/partner/interventions", saved=str(intervention_id)), status_code=303)
    )


@partner_router.get("/facilities", response_class=HTMLResponse)
@_guard
def partner_facilities(
    request: Request,
    lang: pages.Lang = "nl",
    radius: Annotated[int, Query(ge=50, le=1000)] = 200,
) -> Response:
    """Residents' reports within ``radius`` of each facility (measure 11), disclosure-controlled, partners only;
    every view is written to the audit log."""
    import numpy as np

    from .. import settings, store
    from ..analysis.proximity import facility_counts
    from ..store.models import AuditEntry, Report

    user = _require(request, "analyst")
    data = pages._data(request)
    with data._wh() as wh:
        fac = wh.query("SELECT facility_id, name, type, x, y FROM facilities")
    with store.session(store_url(request.app)) as s:
        pts = np.array([(r.x, r.y) for r in s.query(Report.x, Report.y)], dtype=float).reshape(-1, 2)
        s.add(AuditEntry(actor_id=user.id, action=f"facility_counts_view:{radius}"))
    threshold = int(settings.get("disclosure_threshold"))
    counts = facility_counts(fac, pts, float(radius), threshold) if len(fac) else fac
    rows = counts[counts["shown"] != "0"].head(300).to_dict(orient="records") if len(fac) else []
    return _render(
        request,
        "partner_facilities.html",
        user,
        title=t("iv.fac.title", pages._lang(request)),
        rows=rows,
        radius=radius,
        threshold=threshold,
        reports=len(pts),
    )
