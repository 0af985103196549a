"""Shared HTTP plumbing of the online sources: one GET with retries and backoff, the offline error.

Used by the CBS StatLine client (:mod:`weerbaar.sources.cbs_odata`) and Amsterdam's data API
(:mod:`weerbaar.sources.amsterdam_api`). A request is retried with exponential backoff
(``backoff * 2**attempt`` seconds) on connection errors, HTTP 5xx and 429 (honouring a numeric
``Retry-After``). The ``httpx.Client`` and the ``sleep`` function are injected, so tests serve
recorded answers through ``httpx.MockTransport`` and never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypedDict

import httpx

from ..errors import SourceError, SourceOfflineError

__all__ = ["RetryOptions", "Service", "new_client", "offline_error", "request_with_retry"]

Progress = Callable[[str], None]


class RetryOptions(TypedDict):
    """The retry settings of :func:`request_with_retry`, as a client keeps them for its requests."""

    retries: int
    backoff: float
    sleep: Callable[[float], None]
    progress: Progress


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Service:
    """How an online service is named in messages, and what to say when it refuses a request.

    ``name`` is used in "No connection to <name> (<host>)", ``short`` in "<short> answered HTTP 503";
    ``rerun`` is appended to the advice to run the command again (``": it resumes where it stopped"``).
    """

    name: str
    short: str
    rerun: str = ""
    refused_expected: str = "a valid request"
    refused_fix: str = "check the request"


def new_client() -> httpx.Client:
    """The default client of an online source: 60 s timeout, redirects followed."""
    return httpx.Client(timeout=60.0, follow_redirects=True)


def offline_error(
    service: Service, url: str, last: str, *, tries: int, connect: bool, expected: str
) -> SourceOfflineError:
    """The error for a service that cannot be reached (``connect``) or dropped the connection."""
    host = httpx.URL(url).host
    what = f"No connection to {service.name} ({host})." if connect else f"The connection to {host} dropped."
    return SourceOfflineError(
        what + " Nothing was loaded; the warehouse is unchanged.",
        received=f"{last} (GET {url}, {tries} tries)",
        expected=expected,
        fix="check the internet connection (and a proxy in HTTPS_PROXY, if any), then run the command again"
        f"{service.rerun}. Without a connection, the embedded default (`weerbaar build`) needs none.",
    )


def request_with_retry(
    http: httpx.Client,
    url: str,
    params: dict[str, Any] | None = None,
    *,
    service: Service,
    expected: str,
    headers: dict[str, str] | None = None,
    retries: int = 4,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress = _quiet,
) -> httpx.Response:
    """GET ``url``, retried; returns a response with a status below 400 or raises.

    Raises SourceOfflineError after ``retries + 1`` failed connections, SourceError after as many
    HTTP 5xx/429 answers or at once on another 4xx.
    """
    for attempt in range(retries + 1):
        wait = backoff * 2**attempt
        try:
            response = http.get(url, params=params, headers=headers)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            if attempt == retries:
                connect = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                raise offline_error(service, url, last, tries=retries + 1, connect=connect, expected=expected) from None
            progress(f"  connection problem ({type(exc).__name__}), retrying in {wait:g} s")
            sleep(wait)
            continue
        code = response.status_code
        if code == 429 or code >= 500:
            if attempt == retries:
                rerun = " (a rerun resumes where this one stopped)" if service.rerun else ""
                raise SourceError(
                    f"{service.short} keeps refusing the request (HTTP {code}) after {retries + 1} tries.",
                    received=f"HTTP {code}: {response.text[:200]} for {response.request.url}",
                    expected="HTTP 200",
                    fix=f"{service.short} may be busy or down; try again later{rerun}",
                )
            after = response.headers.get("retry-after", "")
            if after.strip().isdigit():
                wait = max(wait, float(after))
            progress(f"  {service.short} answered HTTP {code}, retrying in {wait:g} s")
            sleep(wait)
            continue
        if code >= 400:
            raise SourceError(
                f"{service.short} refused the request (HTTP {code}).",
                received=f"{response.text[:300]} for {response.request.url}",
                expected=service.refused_expected,
                fix=service.refused_fix,
            )
        return response
    raise AssertionError("unreachable")  # pragma: no cover
