"""A small client for CBS StatLine's OData v3 API (``ODataApi/odata/<table>/``), on httpx.

CBS serves every StatLine table as an OData v3 service: ``TableInfos`` (title, ``Modified``),
``DataProperties`` (dimensions and topics), one collection per dimension (``Perioden`` with a
``Status``), and ``TypedDataSet`` (the figures). Tables of third parties such as the police live
on ``dataderden.cbs.nl``, the rest on ``opendata.cbs.nl``. Answers are JSON
(``{"odata.metadata": ..., "value": [...], "odata.nextLink": ...}``) with ``$format=json``, or
Atom XML (the bulk ``ODataFeed`` and the recorded samples). ``ODataApi`` refuses a query that
would return more than 10,000 rows, so :meth:`ODataClient.pages` asks for pages of at most that
size with ``$top``/``$skip``, and follows ``odata.nextLink`` (or Atom ``rel="next"``) when the
server offers one instead.

Requests are retried with exponential backoff on connection errors, HTTP 5xx and 429 (honouring a
numeric ``Retry-After``; shared with the other online sources in :mod:`weerbaar.sources.http`).
The ``httpx.Client`` and the ``sleep`` function are injected, so tests serve recorded answers
through ``httpx.MockTransport`` and never wait. See docs/decisions/0009-cbs-statline-client.md
for why this is our own client and not ``cbsodata``.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET  # nosec B405
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import SourceError
from .http import Service, new_client, request_with_retry

__all__ = [
    "DATADERDEN",
    "OPENDATA",
    "MAX_ROWS",
    "Cursor",
    "ODataClient",
    "Page",
    "parse_atom",
    "parse_json",
]

DATADERDEN = "https://dataderden.cbs.nl/ODataApi/odata"
OPENDATA = "https://opendata.cbs.nl/ODataApi/odata"
#: ODataApi answers at most this many rows per request.
MAX_ROWS = 10_000

_ATOM = "{http://www.w3.org/2005/Atom}"
_M = "{http://schemas.microsoft.com/ado/2007/08/dataservices/metadata}"
_D = "{http://schemas.microsoft.com/ado/2007/08/dataservices}"
_INT_TYPES = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"}
_FLOAT_TYPES = {"Edm.Double", "Edm.Single", "Edm.Decimal"}


def _quiet(_: str) -> None:
    pass


@dataclass
class Page:
    """One answer of the service: its rows, and the link to the next page if the server gave one."""

    rows: list[dict[str, Any]]
    next_url: str | None = None


@dataclass
class Cursor:
    """Where the next page starts: a server link, or a ``$skip`` offset. JSON-serialisable via ``asdict``."""

    skip: int = 0
    url: str | None = None


def _typed(text: str | None, edm_type: str | None, null: bool) -> Any:
    if null:
        return None
    if edm_type in _INT_TYPES or edm_type in _FLOAT_TYPES:
        if text is None or not text.strip():
            return None  # CBS writes an empty element for a missing number (the sample's ID)
        return int(text) if edm_type in _INT_TYPES else float(text)
    return "" if text is None else text


def parse_atom(text: str | bytes) -> Page:
    """Rows of an OData v3 Atom feed (``<entry><content><m:properties>``), typed per ``m:type``.

    Strings keep their padding (``"0.0.0 "``, ``"GM0758    "``) exactly as CBS sends them; an
    element with ``m:null="true"`` or an empty number is ``None``.
    """
    try:
        # bandit B314: Python's expat (>= 2.4.1, bundled since 3.9.7) refuses entity expansion bombs and never
        # resolves external entities; the text is an OData feed from CBS over HTTPS
        root = ET.fromstring(text)  # nosec B314
    except ET.ParseError as exc:
        raise SourceError(
            "CBS sent XML that cannot be read.",
            received=str(exc),
            expected="an OData v3 Atom feed",
            fix="retry later; if it persists the CBS service changed its format",
        ) from None
    if root.tag != f"{_ATOM}feed":
        raise SourceError(
            "CBS sent XML that is not an Atom feed.",
            received=root.tag,
            expected=f"{_ATOM}feed",
            fix="retry later; if it persists the CBS service changed its format",
        )
    rows = []
    for entry in root.iter(f"{_ATOM}entry"):
        props = entry.find(f"{_ATOM}content/{_M}properties")
        if props is None:
            continue
        row = {}
        for el in props:
            name = el.tag.removeprefix(_D)
            row[name] = _typed(el.text, el.get(f"{_M}type"), el.get(f"{_M}null") == "true")
        rows.append(row)
    nxt = next((link.get("href") for link in root.findall(f"{_ATOM}link") if link.get("rel") == "next"), None)
    return Page(rows, nxt)


def parse_json(payload: Any, url: str) -> Page:
    """Rows of an OData v3 JSON answer: ``{"value": [...], "odata.nextLink": ...}``."""
    if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
        shape = sorted(payload)[:8] if isinstance(payload, dict) else type(payload).__name__
        raise SourceError(
            "CBS answered in an unknown JSON shape.",
            received=f"{shape} from {url}",
            expected='an OData v3 answer {"odata.metadata": ..., "value": [...]}',
            fix="the CBS service may have changed; check the table on https://opendata.cbs.nl",
        )
    return Page(payload["value"], payload.get("odata.nextLink"))


class ODataClient:
    """OData v3 access to one CBS table.

    Parameters
    ----------
    table:
        The table identifier, e.g. ``47022NED``.
    base_url:
        ``DATADERDEN`` (police and other third-party tables) or ``OPENDATA``.
    client:
        An ``httpx.Client``; tests pass one with an ``httpx.MockTransport``. Default: a new client
        with a 60 s timeout.
    retries, backoff, sleep:
        A failing request (connection error, HTTP 5xx or 429) is tried ``retries`` more times,
        waiting ``backoff * 2**attempt`` seconds in between (or the server's ``Retry-After``).
    """

    def __init__(
        self,
        table: str,
        *,
        base_url: str = DATADERDEN,
        client: httpx.Client | None = None,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[str], None] = _quiet,
    ) -> None:
        self.table = table
        self.base_url = base_url.rstrip("/")
        self.http = client or new_client()
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.progress = progress

    def url(self, entity: str = "") -> str:
        return f"{self.base_url}/{self.table}/{entity}".rstrip("/")

    # -- requests ------------------------------------------------------------------------
    def get(self, url: str, params: dict[str, Any] | None = None) -> Page:
        """One request, retried; returns the parsed page."""
        response = self._request(url, params)
        kind = response.headers.get("content-type", "")
        if "xml" in kind or response.content.lstrip()[:1] == b"<":
            return parse_atom(response.content)
        try:
            payload = response.json()
        except ValueError:
            raise SourceError(
                "CBS sent an answer that is neither JSON nor Atom.",
                received=f"{kind or 'no content type'}: {response.text[:120]!r}",
                expected="application/json or application/atom+xml",
                fix="retry later; if it persists the CBS service changed",
            ) from None
        return parse_json(payload, str(response.request.url))

    def _request(self, url: str, params: dict[str, Any] | None) -> httpx.Response:
        return request_with_retry(
            self.http,
            url,
            params,
            service=Service(
                "CBS StatLine",
                "CBS",
                rerun=": it resumes where it stopped",
                refused_expected=f"table {self.table} at {self.base_url}",
                refused_fix="check the table identifier and the municipality code",
            ),
            expected=f"an answer from {self.url()}",
            retries=self.retries,
            backoff=self.backoff,
            sleep=self.sleep,
            progress=self.progress,
        )

    # -- collections ---------------------------------------------------------------------
    def collection(self, entity: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every row of a (small) collection such as ``TableInfos`` or a dimension, over all pages."""
        rows: list[dict[str, Any]] = []
        for _cursor, page in self.pages(entity, params=params):
            rows.extend(page.rows)
        return rows

    def pages(
        self,
        entity: str,
        *,
        params: dict[str, Any] | None = None,
        page_size: int = MAX_ROWS,
        start: Cursor | None = None,
    ) -> Iterator[tuple[Cursor | None, Page]]:
        """Pages of a collection; each comes with the cursor of the page *after* it (None after the last).

        Pages are asked with ``$top=page_size`` and ``$skip``; a server link (``odata.nextLink``)
        takes precedence. Paging ends at a page without a link that is shorter than ``page_size``.
        """
        if not 0 < page_size <= MAX_ROWS:
            raise ValueError(f"page_size must be 1..{MAX_ROWS}")
        cursor = start or Cursor()
        base = {"$format": "json", **(params or {})}
        while True:
            if cursor.url:
                page = self.get(cursor.url)
            else:
                page = self.get(self.url(entity), {**base, "$top": page_size, "$skip": cursor.skip})
            if page.next_url:
                nxt: Cursor | None = Cursor(skip=cursor.skip + len(page.rows), url=page.next_url)
            elif len(page.rows) >= page_size and not cursor.url:
                nxt = Cursor(skip=cursor.skip + len(page.rows))
            else:
                nxt = None
            yield nxt, page
            if nxt is None:
                return
            cursor = nxt
