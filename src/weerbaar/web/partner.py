"""The partners' side of residents' reports (measure 11): login, the queue, status changes, contact
details, the export and the audit log, all under ``/partner``.

Roles grow by rank (``weerbaar.store.sessions.RANK``):

============  ===========================================================================
analyst       the queue and a report's details (never contact details), the CSV export
moderator     + status changes (new -> triaged -> forwarded -> closed, each with a reason),
              + a reporter's contact details (every view written to the audit log)
admin         + the audit log
============  ===========================================================================

Every endpoint checks the role itself (``_require``): anonymous visitors are sent to the login page
(GET) or refused with 401 (POST), a role too low gets 403, and nothing of a report is shown either way.
The session cookie is ``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS and limited to
``/partner``; every form carries a CSRF token bound to the session (HMAC), the login form a
double-submit token. Failed logins are rate limited per address. Pages are never cached.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import InputError, NotFoundError
from ..store.models import FORWARD_TARGETS, STATUSES, User
from . import pages
from .i18n import t
from .report_form import _secret as app_secret
from .report_form import new_token, store_url, valid_token
from .security import LoginThrottle

__all__ = ["router", "SESSION_COOKIE"]

router = APIRouter(prefix="/partner", include_in_schema=False)

SESSION_COOKIE = "weerbaar_session"
LOGIN_CSRF_COOKIE = "weerbaar_login_csrf"
PAGE_SIZE = 50
Field_ = Annotated[str | None, Form(max_length=2000)]


class _Refusal(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _link(request: Request, path: str, **params: str) -> str:
    query = {**({"lang": "en"} if pages._lang(request) == "en" else {}), **{k: v for k, v in params.items() if v}}
    return path + ("?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items()) if query else "")


def _session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def _csrf_for(request: Request, token: str) -> str:
    digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
    return hmac.new(app_secret(request.app), ("partner:" + digest).encode(), hashlib.sha256).hexdigest()


def _current_user(request: Request) -> User | None:
    from .. import store
    from ..store.sessions import user_for_token

    token = _session_token(request)
    if not token:
        return None
    with store.session(store_url(request.app), write=False) as s:
        return user_for_token(s, token)


def _refuse(request: Request, status: int, key: str) -> Response:
    lang = pages._lang(request)
    response = pages.error_page(request, status, t(f"partner.{key}", lang), None, None, t(f"partner.{key}.fix", lang))
    return _no_store(response)


def _require(request: Request, role: str, *, csrf: str | None = None, post: bool = False) -> User:
    """The logged-in user with at least ``role``; otherwise a refusal (raised as ``_Refusal``)."""
    from ..store.sessions import allows

    user = _current_user(request)
    if user is None:
        if post:
            raise _Refusal(_refuse(request, 401, "login_required"))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise _Refusal(_no_store(RedirectResponse(_link(request, "/partner/login", next=target), status_code=303)))
    if post:
        token = _session_token(request) or ""
        if not csrf or not _same(csrf, _csrf_for(request, token)):
            raise _Refusal(_refuse(request, 403, "csrf"))
    if not allows(user, role):
        raise _Refusal(_refuse(request, 403, "forbidden"))
    return user


def _guard(handler):
    """Turn a ``_Refusal`` into its response (so every handler can simply call ``_require``)."""
    import functools

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except _Refusal as refusal:
            return refusal.response

    return wrapper


def _render(request: Request, template: str, user: User | None, status: int = 200, **context) -> Response:
    from ..store.sessions import allows

    token = _session_token(request)
    response = pages.render(
        request,
        template,
        status=status,
        user=user,
        csrf=_csrf_for(request, token) if token and user else "",
        can=lambda role: allows(user, role),
        plink=lambda path, **params: _link(request, path, **params),
        statuses=STATUSES,
        targets=FORWARD_TARGETS,
        **context,
    )
    return _no_store(response)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


def _safe_next(value: str | None) -> str:
    """Only a path inside /partner (no scheme, no host, no backslashes) is a place to return to."""
    if value and value.startswith("/partner") and "//" not in value and "\\" not in value and len(value) < 500:
        return value
    return "/partner"


# ---------------------------------------------------------------------------------------------
# login and logout


def _login_page(request: Request, status: int = 200, *, error: str | None = None, username: str = "") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if token is None or not valid_token(request.app, token):
        token = new_token(request.app)
    response = _render(
        request,
        "partner_login.html",
        None,
        status=status,
        title=t("partner.login.title", pages._lang(request)),
        login_csrf=token,
        error=error,
        username=username,
        next=_safe_next(request.query_params.get("next")),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/partner",
    )
    return response


def _login_limiter(app) -> LoginThrottle:
    limiter = getattr(app.state, "login_limiter", None)
    if limiter is None:
        limiter = app.state.login_limiter = LoginThrottle()
    return limiter


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: pages.Lang = "nl") -> Response:
    if _current_user(request) is not None:
        return _no_store(RedirectResponse(_link(request, "/partner"), status_code=303))
    return _login_page(request)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    username: Field_ = None,
    password: Field_ = None,
    next: Field_ = None,  # noqa: A002 - the form field's name
) -> Response:
    from .. import store
    from ..store.reports import authenticate, record_access
    from ..store.sessions import end_session, start_session

    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not (cookie and csrf and valid_token(request.app, cookie) and _same(cookie, csrf)):
        return _refuse(request, 403, "csrf")
    name = (username or "").strip()
    address = request.client.host if request.client else "unknown"
    limiter = _login_limiter(request.app)
    # back-off per address and account (and per address over all accounts), never a lock of the account:
    # a stranger's failures do not keep its owner out (issue 16)
    wait = limiter.wait(address, name)
    if wait:
        response = _refuse(request, 429, "too_many")
        response.headers["Retry-After"] = str(wait)
        return response
    lang_ = pages._lang(request)
    url = store_url(request.app)
    with store.session(url, write=False) as s:  # argon2 takes a while: hold no write lock meanwhile
        user = authenticate(s, name, password or "")
    if user is None:
        limiter.failed(address, name)
        return _login_page(request, 401, error=t("partner.login.failed", lang_), username=name[:100])
    limiter.succeeded(address, name)
    with store.session(url) as s:
        end_session(s, _session_token(request))  # a new login replaces the browser's old session
        token = start_session(s, s.get_one(User, user.id))  # just authenticated; users are never deleted
        record_access(s, "login", actor=s.get(User, user.id))
    target = _safe_next(next)
    if lang_ == "en" and "lang=" not in target:
        target += ("&" if "?" in target else "?") + "lang=en"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/partner",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/partner")
    return _no_store(response)


@router.post("/logout", response_class=HTMLResponse)
@_guard
def logout(request: Request, lang: pages.Lang = "nl", csrf: Field_ = None) -> Response:
    from .. import store
    from ..store.sessions import end_session

    _require(request, "analyst", csrf=csrf, post=True)
    with store.session(store_url(request.app)) as s:
        end_session(s, _session_token(request))
    response = RedirectResponse(_link(request, "/partner/login"), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/partner")
    return _no_store(response)


# ---------------------------------------------------------------------------------------------
# the queue and one report


@router.get("", response_class=HTMLResponse)
@_guard
def queue_page(request: Request, lang: pages.Lang = "nl", status: str = "new", page: int = 1) -> Response:
    from .. import store
    from ..store.reports import queue, status_counts

    user = _require(request, "analyst")
    if status not in (*STATUSES, "all"):
        status = "new"
    page = max(1, min(int(page), 10_000))
    with store.session(store_url(request.app), write=False) as s:
        counts = status_counts(s)
        rows = queue(s, status=None if status == "all" else status, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        for r in rows:  # loaded inside the session: has contact details or not
            r._has_contact = r.contact is not None and r.contact.blob is not None
    more = len(rows) > PAGE_SIZE
    return _render(
        request,
        "partner_queue.html",
        user,
        title=t("partner.queue.title", pages._lang(request)),
        reports=rows[:PAGE_SIZE],
        counts=counts,
        current=status,
        page=page,
        more=more,
        buurt_names=_buurt_names(request),
    )


def _buurt_names(request: Request) -> dict[str, str]:
    try:
        from .report_form import _buurten

        return dict(_buurten(request))
    except Exception:  # noqa: BLE001 - names are a convenience; the codes are shown anyway
        return {}


def _report_page(request: Request, user: User, report_id: str, *, contact: str | None = None, shown=False, error=None):
    from .. import store
    from ..store.reports import get_report

    with store.session(store_url(request.app), write=False) as s:
        try:
            report = get_report(s, report_id)
        except NotFoundError:
            return _refuse(request, 404, "not_found")
        history = [
            (c, s.get_one(User, c.actor_id).username if c.actor_id is not None else None) for c in report.history
        ]
        has_contact = report.contact is not None and report.contact.blob is not None
        erased = report.contact is not None and report.contact.erased_at is not None
    if has_contact and not shown:  # every view of a report that has contact details is in the audit log
        from ..store.reports import record_access

        with store.session(store_url(request.app)) as s:
            record_access(s, "view_report", actor=s.get(User, user.id), report_id=report.id)
    from ..store.reports import ALLOWED

    return _render(
        request,
        "partner_report.html",
        user,
        status=400 if error else 200,
        title=t("partner.report.title", pages._lang(request)),
        report=report,
        history=history,
        has_contact=has_contact,
        erased=erased,
        contact=contact,
        contact_shown=shown,
        allowed=[s_ for s_ in STATUSES if s_ in ALLOWED[report.status]],
        error=error,
        buurt_names=_buurt_names(request),
    )


@router.get("/reports/{report_id}", response_class=HTMLResponse)
@_guard
def report_page(request: Request, report_id: str, lang: pages.Lang = "nl") -> Response:
    user = _require(request, "analyst")
    return _report_page(request, user, report_id[:64])


@router.post("/reports/{report_id}/status", response_class=HTMLResponse)
@_guard
def change_status_action(
    request: Request,
    report_id: str,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    to_status: Field_ = None,
    forwarded_to: Field_ = None,
    reason: Field_ = None,
) -> Response:
    from .. import store
    from ..store.reports import change_status

    user = _require(request, "moderator", csrf=csrf, post=True)
    try:
        with store.session(store_url(request.app)) as s:
            change_status(
                s,
                report_id[:64],
                to_status or "",
                reason=reason or "",
                actor=s.get(User, user.id),
                forwarded_to=(forwarded_to or None) if to_status == "forwarded" else None,
            )
    except NotFoundError:
        return _refuse(request, 404, "not_found")
    except InputError as exc:
        return _report_page(request, user, report_id[:64], error=_user_error(exc, pages._lang(request)))
    return _no_store(RedirectResponse(_link(request, f"/partner/reports/{report_id[:64]}"), status_code=303))


#: The store's messages of a status change, as the partner pages say them (Dutch and English).
_STATUS_ERRORS = {
    "Say where the report is forwarded to.": "partner.err.forward_target",
    "A status change needs a reason.": "partner.err.reason",
    "This status change is not allowed.": "partner.err.transition",
    "Unknown status.": "partner.err.status",
}


def _user_error(exc: InputError, lang: str) -> InputError:
    """The store's error in the page's language, without developer words (field names, code values)."""
    key = _STATUS_ERRORS.get(exc.problem)
    if key is None:
        return exc
    received = exc.received if key == "partner.err.transition" else None
    return InputError(t(key, lang), received=received, fix=t(key + ".fix", lang))


@router.post("/reports/{report_id}/reject", response_class=HTMLResponse)
@_guard
def reject_action(
    request: Request, report_id: str, lang: pages.Lang = "nl", csrf: Field_ = None, reason: Field_ = None
) -> Response:
    """Reject a report (abuse, a test, an impossible date): closed, kept with its history, left out of every
    figure from the next ``weerbaar ingest reports`` on; in the history and the audit log."""
    from .. import store
    from ..store.reports import reject_report

    user = _require(request, "moderator", csrf=csrf, post=True)
    try:
        with store.session(store_url(request.app)) as s:
            reject_report(s, report_id[:64], reason=reason or "", actor=s.get(User, user.id))
    except NotFoundError:
        return _refuse(request, 404, "not_found")
    except InputError as exc:
        return _report_page(request, user, report_id[:64], error=exc)
    return _no_store(RedirectResponse(_link(request, f"/partner/reports/{report_id[:64]}"), status_code=303))


@router.post("/reports/{report_id}/contact", response_class=HTMLResponse)
@_guard
def show_contact(request: Request, report_id: str, lang: pages.Lang = "nl", csrf: Field_ = None) -> Response:
    """Contact details are shown only on an explicit request (a POST), and every view is audited."""
    from .. import store
    from ..store.reports import view_contact

    user = _require(request, "moderator", csrf=csrf, post=True)
    try:
        with store.session(store_url(request.app)) as s:
            contact = view_contact(s, report_id[:64], actor=s.get(User, user.id))
    except NotFoundError:
        return _refuse(request, 404, "not_found")
    return _report_page(request, user, report_id[:64], contact=contact, shown=True)


# ---------------------------------------------------------------------------------------------
# export and audit log


@router.get("/export.csv")
@_guard
def export_csv(request: Request, lang: pages.Lang = "nl", status: str | None = None) -> Response:
    """Every report as CSV: no contact details, no free text, no staff names. The export is audited."""
    from .. import store
    from ..store.reports import EXPORT_COLUMNS, export_rows, record_access

    user = _require(request, "analyst")
    try:
        with store.session(store_url(request.app), write=False) as s:
            rows = export_rows(s, status=status or None)
    except InputError as exc:
        return _no_store(pages.error_page(request, 400, exc.problem, exc.received, exc.expected, exc.fix))
    with store.session(store_url(request.app)) as s:
        record_access(s, "export", actor=s.get(User, user.id))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    response = Response(buffer.getvalue(), media_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="weerbaar-reports.csv"'
    return _no_store(response)


@router.get("/audit", response_class=HTMLResponse)
@_guard
def audit_page(request: Request, lang: pages.Lang = "nl") -> Response:
    from .. import store
    from ..store.reports import audit_log

    user = _require(request, "admin")
    with store.session(store_url(request.app), write=False) as s:
        entries = audit_log(s, limit=500)
    return _render(
        request, "partner_audit.html", user, title=t("partner.audit.title", pages._lang(request)), entries=entries
    )


@router.get("/blocks", response_class=HTMLResponse)
@_guard
def blocks_page(request: Request, lang: pages.Lang = "nl") -> Response:
    """Failed logins by address (and account) with their back-off; admins lift a block here."""
    user = _require(request, "admin")
    return _render(
        request,
        "partner_blocks.html",
        user,
        title=t("partner.blocks.title", pages._lang(request)),
        blocks=_login_limiter(request.app).blocks(),
    )


@router.post("/blocks/lift", response_class=HTMLResponse)
@_guard
def lift_block(
    request: Request, lang: pages.Lang = "nl", csrf: Field_ = None, address: Field_ = None, account: Field_ = None
) -> Response:
    from .. import store
    from ..store.reports import record_access

    user = _require(request, "admin", csrf=csrf, post=True)
    if address:
        _login_limiter(request.app).lift(address[:100], (account or None) and account[:100])
        with store.session(store_url(request.app)) as s:
            record_access(s, "lift_login_block", actor=s.get(User, user.id))
    return _no_store(RedirectResponse(_link(request, "/partner/blocks"), status_code=303))


# ---------------------------------------------------------------------------------------------
# the programme register (issue 9): status, note and milestones per measure, every change in the history


def _programme_page(request: Request, user: User, *, status: int = 200, error=None, saved: str | None = None):
    from .. import store
    from ..programme import STATUSES as MEASURE_STATUSES
    from ..programme import load_register, measure_history

    url = store_url(request.app)
    register = load_register(url)
    with store.session(url, write=False) as s:
        history = measure_history(s, limit=200)
    return _render(
        request,
        "partner_programme.html",
        user,
        status=status,
        title=t("programme.partner.title", pages._lang(request)),
        register=register,
        measure_statuses=MEASURE_STATUSES,
        history=history,
        error=error,
        saved=saved,
    )


@router.get("/programme", response_class=HTMLResponse)
@_guard
def programme_page(request: Request, lang: pages.Lang = "nl", saved: str | None = None) -> Response:
    user = _require(request, "moderator")
    return _programme_page(request, user, saved=(saved or "")[:8] or None)


@router.post("/programme/{number}", response_class=HTMLResponse)
@_guard
def programme_update(
    request: Request,
    number: int,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    status: Field_ = None,
    status_note: Field_ = None,
    done: Annotated[list[str] | None, Form(max_length=10)] = None,
) -> Response:
    """One measure's form: ``status``, ``status_note`` and a ``done`` checkbox per milestone position."""
    from .. import store
    from ..programme import load_register, update_measure

    user = _require(request, "moderator", csrf=csrf, post=True)
    url = store_url(request.app)
    try:
        measure = load_register(url).measure(number)
        ticked = set(done or [])
        with store.session(url) as s:
            update_measure(
                s,
                number,
                status=status or measure.status,
                status_note=status_note or "",
                milestones_done={i: str(i) in ticked for i in range(len(measure.milestones))},
                actor=s.get(User, user.id),
            )
    except NotFoundError:
        return _refuse(request, 404, "not_found")
    except InputError as exc:
        return _programme_page(request, user, status=400, error=exc)
    return _no_store(RedirectResponse(_link(request, "/partner/programme", saved=str(number)), status_code=303))
