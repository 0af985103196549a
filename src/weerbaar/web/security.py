"""HTTP-level controls against hostile clients (issue 16; threat model in ``docs/security.md``).

* ``BodyLimit``: every request body is counted while it streams in, before anything parses it; a body over
  the limit (by its ``Content-Length`` or by what actually arrives, chunked or not) is answered 413.
* ``SecurityHeaders``: a Content-Security-Policy (no inline script, no framing), ``X-Frame-Options``,
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy`` on every answer, and ``Allow`` on 405.
* ``trusted_proxies``: the client's address (for rate limits) comes from ``X-Forwarded-For`` only when the
  direct peer is one of the configured ``trusted_proxies`` (off by default).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException

__all__ = ["BodyLimit", "SecurityHeaders", "trusted_proxies", "BODY_LIMIT", "CSP"]

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
#: FastAPI's Swagger UI page (/api/docs) is one inline script plus the swagger-ui files from jsDelivr.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net").replace(
    "style-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net"
).replace("img-src 'self' data: blob:", "img-src 'self' data: blob: https://fastapi.tiangolo.com")
DOCS_HEADERS = [(b"content-security-policy", DOCS_CSP.encode()), *HEADERS[1:]]


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
            if key == b"content-length" and (not value.isdigit() or int(value) > limit):
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

        wanted = DOCS_HEADERS if scope["path"] == "/api/docs" else HEADERS

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in wanted if k not in present]
                if extra:
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


# ---------------------------------------------------------------------------------------------
# forwarded headers


def trusted_proxies(app) -> None:
    """Take the client's address and scheme from ``X-Forwarded-For``/``-Proto`` only when the direct peer is
    one of the ``trusted_proxies`` setting (off by default: then the peer's own address counts, whatever
    headers it sends). uvicorn's own proxy handling is off in ``weerbaar serve``; this is the one place."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    from .. import settings

    trusted = settings.get("trusted_proxies")
    if trusted:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted))


# ---------------------------------------------------------------------------------------------
# failed logins: back-off per address and account, never a lock of the account


class LoginThrottle:
    """Failed logins per (address, account) and per address, with exponential back-off.

    From the ``free``-th failure of one address on one account on, each failure doubles the wait (4 s, 8 s,
    16 s ... at most ``cap``); an address that fails on many accounts (a password spray) backs off the same way
    after ``free_address`` failures. Nobody else is touched: the account's owner, from another address, logs
    in as usual, so guessing from anywhere cannot lock an account. A success clears its pair; failures are
    forgotten ``forget`` seconds after the last one. Admins see and lift blocks at /partner/blocks.
    Bookkeeping is O(1) amortised per attempt (entries in order of their last failure)."""

    def __init__(self, free: int = 5, free_address: int = 30, cap: float = 900.0, forget: float = 86_400.0,
                 max_entries: int = 100_000) -> None:  # fmt: skip
        import threading
        from collections import OrderedDict

        self.free, self.free_address, self.cap, self.forget, self.max_entries = (
            free, free_address, cap, forget, max_entries
        )  # fmt: skip
        self._entries: OrderedDict[tuple[str, str], list[float]] = OrderedDict()  # key -> [failures, last, until]
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, account: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return (address, account.casefold()[:100]), (address, "*")

    def _tidy(self, now: float) -> None:
        while self._entries:
            key, (_, last, until) = next(iter(self._entries.items()))
            if len(self._entries) <= self.max_entries and (last > now - self.forget or until > now):
                break
            del self._entries[key]

    def wait(self, address: str, account: str, now: float | None = None) -> int:
        """Seconds this address must wait before trying this account again (0: go ahead)."""
        import math
        import time

        now = time.monotonic() if now is None else now
        with self._lock:
            self._tidy(now)
            until = max((self._entries[k][2] for k in self._keys(address, account) if k in self._entries), default=0)
        return max(0, math.ceil(until - now))

    def failed(self, address: str, account: str, now: float | None = None) -> None:
        import time

        now = time.monotonic() if now is None else now
        with self._lock:
            for key, free in zip(self._keys(address, account), (self.free, self.free_address), strict=True):
                entry = self._entries.pop(key, None) or [0, now, 0.0]
                entry[0] += 1
                entry[1] = now
                if entry[0] >= free:
                    entry[2] = now + min(self.cap, 4.0 * 2.0 ** (entry[0] - free))
                self._entries[key] = entry  # to the end: the most recent failure
            self._tidy(now)

    def succeeded(self, address: str, account: str) -> None:
        with self._lock:
            self._entries.pop(self._keys(address, account)[0], None)

    def blocks(self, now: float | None = None) -> list[dict]:
        """Every address (and account) with failures on record, blocked ones first."""
        import time

        now = time.monotonic() if now is None else now
        with self._lock:
            self._tidy(now)
            rows = [
                {"address": a, "account": None if u == "*" else u, "failures": int(n),
                 "blocked_for": max(0, int(until - now + 0.999)), "last_ago": int(now - last)}
                for (a, u), (n, last, until) in self._entries.items()
            ]  # fmt: skip
        return sorted(rows, key=lambda r: (-r["blocked_for"], -r["failures"], r["address"], r["account"] or ""))

    def lift(self, address: str, account: str | None = None) -> int:
        """Forget the failures of an address (on one account, or all of them); returns how many entries went."""
        with self._lock:
            wanted = None if account is None else (account.casefold()[:100], "*")
            keys = [k for k in self._entries if k[0] == address and (wanted is None or k[1] in wanted)]
            for k in keys:
                del self._entries[k]
        return len(keys)
