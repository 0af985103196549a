"""HTTP-level controls against hostile clients (issue 16; threat model in ``docs/security.md``).

* ``BodyLimit``: every request body is counted while it streams in, before anything parses it; a body over
  the limit (by its ``Content-Length`` or by what actually arrives, chunked or not) is answered 413.
* ``SecurityHeaders``: a Content-Security-Policy (no inline script, no framing), ``X-Frame-Options``,
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` on every answer, and ``Allow`` on 405.
* ``client_address``: the client's address for rate limits, taken from ``X-Forwarded-For`` only when the
  direct peer is one of the configured ``trusted_proxies`` (off by default).
"""

from __future__ import annotations

import ipaddress
import json

from starlette.exceptions import HTTPException

__all__ = ["BodyLimit", "SecurityHeaders", "client_address", "BODY_LIMIT", "CSP"]

#: Bytes of any request body (the report form's fields are at most 20,000 characters each).
BODY_LIMIT = 256 * 1024
#: Tighter limits per path.
PATH_LIMITS = {"/api/v1/reports": 64 * 1024}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline script; Vega evaluates expressions with its interpreter, not eval
        "style-src 'self' 'unsafe-inline'",  # style attributes (bars) and the tooltip's own style element
        "img-src 'self' data: blob:",  # the charts' PNG/SVG export
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def _limit(path: str) -> int:
    return PATH_LIMITS.get(path.rstrip("/") or "/", BODY_LIMIT)


class BodyLimit:
    """ASGI middleware: refuse a body over the limit while it streams, before FastAPI or the form parser read it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = _limit(scope["path"])
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    return await _too_large(scope, send, limit, value.decode("latin-1")[:20])
        seen = 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # raised inside the body reader: FastAPI passes an HTTPException through
                    raise HTTPException(413, f"The request body is larger than {limit} bytes.")
            return message

        await self.app(scope, counted, send)


async def _too_large(scope, send, limit: int, received: str) -> None:
    body = {
        "error": {
            "status": 413,
            "type": "PayloadTooLarge",
            "problem": "The request body is too large.",
            "received": f"Content-Length {received}",
            "expected": f"at most {limit} bytes",
            "fix": "send less (shorten the description)",
        }
    }
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                        (b"connection", b"close"), *HEADERS],
        }
    )  # fmt: skip
    await send({"type": "http.response.body", "body": raw})


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer (pages, API, static files, cached bodies)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


# ---------------------------------------------------------------------------------------------
# the client's address


def _networks(value) -> tuple:
    if not value:
        return ()
    return tuple(ipaddress.ip_network(v, strict=False) for v in value)


def client_address(request) -> str:
    """The address rate limits count: the direct peer, or, when that peer is a configured trusted proxy, the
    right-most address in ``X-Forwarded-For`` that is not itself a trusted proxy."""
    from .. import settings

    peer = request.client.host if request.client else "unknown"
    trusted = getattr(request.app.state, "trusted_proxies", None)
    if trusted is None:
        trusted = request.app.state.trusted_proxies = _networks(settings.get("trusted_proxies"))
    if not trusted or not _is_in(peer, trusted):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return hop if _is_ip(hop) else peer
    return peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_in(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)
