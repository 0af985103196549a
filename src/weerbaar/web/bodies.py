"""Response bodies made once and sent many times: kept raw and gzip-compressed, so a cached answer
costs no compression per request (the gzip middleware leaves responses that are already encoded)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response


@dataclass(frozen=True)
class Body:
    raw: bytes
    gz: bytes
    media_type: str

    @classmethod
    def of(cls, raw: bytes, media_type: str) -> Body:
        return cls(raw, gzip.compress(raw, compresslevel=6, mtime=0), media_type)


def send(request: Request, body: Body, headers: dict[str, str] | None = None, status_code: int = 200) -> Response:
    """The body, compressed when the client accepts gzip."""
    out = {"Vary": "Accept-Encoding", **(headers or {})}
    if "gzip" in request.headers.get("accept-encoding", ""):
        out["Content-Encoding"] = "gzip"
        return Response(body.gz, status_code=status_code, media_type=body.media_type, headers=out)
    return Response(body.raw, status_code=status_code, media_type=body.media_type, headers=out)
