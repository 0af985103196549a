"""Responses made once and sent many times.

A ``Body`` is kept raw and gzip-compressed, so a cached answer costs no compression per request (the
gzip middleware leaves responses that are already encoded). The ``ResponseCache`` holds the bodies of
pages and of the heavy API answers (map layers, profiles) by URL for one warehouse version, and
``FastPath``, a plain ASGI middleware in front of the application, answers a repeated URL straight
from it without routing, validation or rendering.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import Response


@dataclass(frozen=True)
class Body:
    raw: bytes
    gz: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def of(cls, raw: bytes, media_type: str, headers: dict[str, str] | None = None) -> Body:
        return cls(raw, gzip.compress(raw, compresslevel=6, mtime=0), media_type, tuple((headers or {}).items()))

    @property
    def size(self) -> int:
        return len(self.raw) + len(self.gz)


def send(request: Request, body: Body, headers: dict[str, str] | None = None, status_code: int = 200) -> Response:
    """The body, compressed when the client accepts gzip."""
    out = {"Vary": "Accept-Encoding", **dict(body.headers), **(headers or {})}
    if "gzip" in request.headers.get("accept-encoding", ""):
        out["Content-Encoding"] = "gzip"
        return Response(body.gz, status_code=status_code, media_type=body.media_type, headers=out)
    return Response(body.raw, status_code=status_code, media_type=body.media_type, headers=out)


def _declared(route) -> dict[str, bool] | None:
    """The query parameters a route declares, each with whether it may repeat (a list); None if unknown."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    out = {}
    for param in dependant.query_params:
        text = repr(getattr(param.field_info, "annotation", None) or getattr(param, "type_", ""))
        out[param.alias] = "list[" in text or "List[" in text
    return out


def cache_key(request: Request) -> str:
    """The query part of the cache key: only the parameters the route declares, in the order sent, a
    single-valued one once (its last value, as FastAPI reads it). Junk parameters (``?x=1``, ``?lang=nl&lang=nl``)
    then neither miss the cache (a fresh render per request) nor fill it with copies (issue 16)."""
    declared = _declared(request.scope.get("route"))
    if declared is None:
        return request.url.query
    from urllib.parse import urlencode

    pairs = request.query_params.multi_items()
    last = {k: v for k, v in pairs}
    kept, seen = [], set()
    for k, v in pairs:
        if k not in declared:
            continue
        if declared[k]:
            kept.append((k, v))
        elif k not in seen:
            seen.add(k)
            kept.append((k, last[k]))
    return urlencode(kept)


class ResponseCache:
    """Bodies by (path, query) for the current warehouse version, least recently used out first."""

    def __init__(self, version: Callable[[], object], max_bytes: int = 256 * 2**20) -> None:
        self.version = version
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str], Body] = OrderedDict()
        self._bytes = 0
        self._seen: object = None
        self._lock = threading.Lock()

    def _check(self) -> None:
        v = self.version()
        if v != self._seen:
            self._items.clear()
            self._bytes = 0
            self._seen = v

    def get(self, path: str, query: str) -> Body | None:
        with self._lock:
            self._check()
            body = self._items.get((path, query))
            if body is not None:
                self._items.move_to_end((path, query))
            return body

    def put(self, path: str, query: str, body: Body) -> None:
        with self._lock:
            self._check()
            old = self._items.pop((path, query), None)
            if old is not None:
                self._bytes -= old.size
            self._items[(path, query)] = body
            self._bytes += body.size
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= dropped.size

    def remember(self, request: Request, body: Body, version: object) -> None:
        """Keep a body made for ``version`` (taken before making it): a body made while the warehouse
        changed, or for a URL with parameters the route does not know, is sent but not kept."""
        with self._lock:
            self._check()
            if version != self._seen:
                return
        key = cache_key(request)
        if key != request.url.query:  # made for a URL with junk parameters: served, never kept for others
            return
        self.put(request.url.path, key, body)

    def answer(self, request: Request, make: Callable[[], Body]) -> Response:
        """The cached body for this URL, or a new one made and kept."""
        body = self.get(request.url.path, cache_key(request))
        if body is None:
            version = self.version()
            body = make()
            self.remember(request, body, version)
        return send(request, body)


class FastPath:
    """ASGI middleware: a GET whose URL is in the response cache is answered from it directly."""

    def __init__(self, app, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope, receive, send_):
        if scope["type"] == "http" and scope["method"] == "GET":
            try:
                body = self.cache.get(scope["path"], scope.get("query_string", b"").decode("latin-1"))
            except Exception:  # noqa: BLE001 - e.g. no warehouse: let the application answer
                body = None
            if body is not None:
                gz = any(k == b"accept-encoding" and b"gzip" in v for k, v in scope.get("headers", []))
                payload = body.gz if gz else body.raw
                headers = [
                    (b"content-type", body.media_type.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"vary", b"Accept-Encoding"),
                    *((k.lower().encode(), v.encode()) for k, v in body.headers),
                ]
                if gz:
                    headers.append((b"content-encoding", b"gzip"))
                await send_({"type": "http.response.start", "status": 200, "headers": headers})
                await send_({"type": "http.response.body", "body": payload})
                return
        await self.app(scope, receive, send_)
