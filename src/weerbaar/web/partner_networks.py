"""Partner pages for covert networks (issue 20): ``/partner/networks`` (analyst role and up).

Upload (stored pseudonymised), the network drawn with a small force layout in the browser
(``static/network_view.js``, our own), key-player and role tables on pseudonymous labels, the
disruption curves and the recovery simulation, with plain-language guidance. Every opening of a
network and every export is written to the audit log under the logged-in user. Nothing here is
reachable without a partner login, and nothing of a network appears on a public page.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..errors import InputError, NotFoundError, WeerbaarError
from . import pages
from .i18n import t
from .partner import _guard, _link, _no_store, _refuse, _render, _require
from .report_form import store_url

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["router", "MAX_UPLOAD", "DRAW_LIMIT"]

router = APIRouter(prefix="/partner/networks", include_in_schema=False)

MAX_UPLOAD = 5 * 1024 * 1024
DRAW_LIMIT = 600  # actors drawn in the browser; larger networks get the tables and curves only
EXACT_LIMIT = 400  # above this, sequential betweenness uses pivots and replaceability skips efficiency
Field_ = Annotated[str | None, Form(max_length=200)]


def _list_page(request: Request, user, *, status: int = 200, error=None, stored=None) -> Response:
    from .. import store
    from ..store.networks import list_networks

    with store.session(store_url(request.app), write=False) as s:
        rows = list_networks(s)
    return _render(
        request,
        "partner_networks.html",
        user,
        status=status,
        networks=rows,
        error=error,
        stored=stored,
        title=t("networks.title", pages._lang(request)),
    )


@router.get("", response_class=HTMLResponse)
@_guard
def networks_page(request: Request, lang: pages.Lang = "nl", stored: str | None = None) -> Response:
    user = _require(request, "analyst")
    return _list_page(request, user, stored=(stored or "")[:100] or None)


async def _save(upload: UploadFile | None, folder: Path, name: str) -> Path | None:
    if upload is None or not upload.filename:
        return None
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InputError(
            "The file is larger than 5 MB.",
            received=f"{upload.filename}",
            expected="an edge list or matrix of at most 5 MB",
            fix="split the network or use the CLI",
        )
    path = folder / name
    path.write_bytes(data)
    return path


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request,
    lang: pages.Lang = "nl",
    csrf: Field_ = None,
    name: Field_ = None,
    direction: Field_ = None,
    keep_mapping: Field_ = None,
    file: Annotated[UploadFile | None, File()] = None,
    attributes: Annotated[UploadFile | None, File()] = None,
) -> Response:
    from .partner import _Refusal

    try:
        user = _require(request, "analyst", csrf=csrf, post=True)
    except _Refusal as refusal:
        return refusal.response
    from .. import store
    from ..analysis.networks import read_attributes, read_network
    from ..store.models import User
    from ..store.networks import store_network

    try:
        with tempfile.TemporaryDirectory() as tmp:
            edges = await _save(file, Path(tmp), "network.csv")
            if edges is None:
                raise InputError(
                    "No network file was chosen.",
                    received="nothing",
                    expected="a CSV/TSV file",
                    fix="choose the edge list or adjacency matrix",
                )
            attr_path = await _save(attributes, Path(tmp), "attributes.csv")
            directed = {"directed": True, "undirected": False}.get(direction or "")
            data = read_network(edges, directed=directed)
            attrs = read_attributes(attr_path) if attr_path is not None else None
            if attrs is not None:
                attrs = attrs[attrs.index.isin(set(data.nodes))]
            with store.session(store_url(request.app)) as s:
                summary = store_network(
                    s, data, name or "", attributes=attrs, actor=s.get(User, user.id), keep_mapping=bool(keep_mapping)
                )
    except WeerbaarError as exc:
        return _list_page(request, user, status=422, error=exc)
    return _no_store(RedirectResponse(_link(request, "/partner/networks", stored=summary.name), status_code=303))


def _svg_curves(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    width: int = 560,
    height: int = 260,
    x_label: str = "",
    y_label: str = "",
    y_max: float = 1.0,
) -> str:
    """A small line chart as inline SVG (our own; values are shares 0..y_max)."""
    colours = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#555555"]
    left, bottom, top, right = 44, 36, 10, 150
    w, h = width - left - right, height - top - bottom
    x_max = max((x for pts in series.values() for x, _ in pts), default=1) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" class="net-chart" aria-label="{y_label}">']
    for frac in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + h - frac * h
        parts.append(f'<line x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{frac * y_max:.2g}</text>')
    parts.append(f'<text x="{left + w / 2:.0f}" y="{height - 4}" text-anchor="middle" font-size="11">{x_label}</text>')
    for i, (label, pts) in enumerate(series.items()):
        c = colours[i % len(colours)]
        d = " ".join(f"{left + x / x_max * w:.1f},{top + h - min(y, y_max) / y_max * h:.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{d}"/>')
        parts.append(f'<text x="{left + w + 8}" y="{top + 14 + 16 * i}" font-size="12" fill="{c}">{label}</text>')
    parts.append(
        f'<text x="{left + w / 2:.0f}" y="{top + h + 22}" text-anchor="middle" font-size="11">0 … {x_max:g}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


class _Recovery(TypedDict):
    """What the page shows of the recovery simulation after removing the key players."""

    removed: list[Any]
    frame: pd.DataFrame
    summary: dict


def _analyse(g, lang: str) -> dict:
    """Everything the network page shows, computed on the pseudonymised graph."""
    import networkx as nx

    from ..analysis.networks import (
        brokerage,
        centralities,
        communities,
        disrupt,
        key_players,
        replaceability,
        structural_holes,
    )
    from ..analysis.networks.recovery import simulate_recovery
    from ..analysis.networks.recruitment import recruitment_paths

    n = g.number_of_nodes()
    big = n > EXACT_LIMIT
    weighted = bool(g.graph.get("weighted"))
    frame = centralities(g, weighted=False)
    frame = frame.join(structural_holes(g).drop(columns="degree"))
    frame = frame.join(replaceability(g, efficiency=not big).drop(columns="degree"))
    comm = communities(g)
    frame["community"] = [comm.get(v, -1) for v in frame.index]
    roles = nx.get_node_attributes(g, "role")
    groups = nx.get_node_attributes(g, "group")
    frame["role"] = [roles.get(v, "") for v in frame.index]
    frame["group"] = [groups.get(v, "") for v in frame.index]
    if groups:
        frame = frame.join(brokerage(g, "group").add_prefix("b_"))
    k = max(1, min(5, n // 10)) if n > 3 else 1
    neg = key_players(g, k, candidates=200 if big else None) if n > k + 1 else None
    pos = key_players(g, k, kind="positive", candidates=200 if big else None) if n > k + 1 else None
    frame["kpp_neg"] = frame.index.isin(neg.members) if neg else False
    frame["kpp_pos"] = frame.index.isin(pos.members) if pos else False
    step = max(1, n // 50)
    curves = {}
    bk = 64 if big else None
    for label, strategy, measure in (
        ("betweenness (seq.)", "sequential", "betweenness"),
        ("degree (seq.)", "sequential", "degree"),
        ("collective infl. (seq.)", "sequential", "collective-influence"),
        ("betweenness (block)", "block", "betweenness"),
        ("random (mean of 10)", "block", "random"),
    ):
        res = disrupt(
            g,
            strategy=strategy,
            measure=measure,
            step=step,
            max_fraction=0.5,
            betweenness_k=bk,
            repeats=10 if measure == "random" else 1,
        )
        curves[label] = list(zip(res.removed, res.lcc_share, strict=True))
    recovery: _Recovery | None = None
    if neg and n > k + 2:
        rec = simulate_recovery(g, list(neg.members), rounds=10, repeats=10 if not big else 3)
        recovery = {"removed": list(neg.members), "frame": rec.to_frame(), "summary": rec.summary()}
    recruit = recruitment_paths(g)
    top = frame.sort_values("betweenness", ascending=False)
    draw = None
    if n <= DRAW_LIMIT:
        index = {v: i for i, v in enumerate(g.nodes())}
        hard = frame["hard_to_replace"].to_dict()
        draw = {
            "nodes": [
                {
                    "id": v,
                    "c": int(comm.get(v, 0)),
                    "h": round(float(hard.get(v, 0.0)), 3),
                    "k": bool(frame.at[v, "kpp_neg"]) if v in frame.index else False,
                }
                for v in g.nodes()
            ],
            "links": [[index[a], index[b]] for a, b in g.to_undirected().edges()],
        }
    return {
        "frame": frame,
        "top": top.head(25),
        "neg": neg,
        "pos": pos,
        "k": k,
        "curves_svg": _svg_curves(curves, x_label=t("networks.removed", lang), y_label=t("networks.lcc", lang)),
        "recovery": recovery,
        "recovery_svg": _svg_curves(
            {
                t("networks.efficiency", lang): [
                    (r, e) for r, e in zip(recovery["frame"]["round"], recovery["frame"]["efficiency"], strict=True)
                ],
                "LCC": [
                    (r, e) for r, e in zip(recovery["frame"]["round"], recovery["frame"]["lcc_share"], strict=True)
                ],
            },
            x_label=t("networks.round", lang),
            y_label=t("networks.efficiency", lang),
            y_max=max(1.0, float(recovery["frame"]["efficiency"].max()) * 1.05),
        )
        if recovery
        else "",
        "recruit": recruit,
        "draw": json.dumps(draw) if draw else None,
        "weighted": weighted,
        "approx": big,
    }


def _load(request: Request, user, name: str, purpose: str):
    from .. import store
    from ..store.models import User
    from ..store.networks import load_graph, structure

    with store.session(store_url(request.app)) as s:
        g = load_graph(s, name, actor=s.get(User, user.id), purpose=purpose)
        from ..store.networks import get_network

        info = structure(get_network(s, name))
    return g, info


@router.get("/{name}", response_class=HTMLResponse)
@_guard
def network_page(request: Request, name: str, lang: pages.Lang = "nl") -> Response:
    user = _require(request, "analyst")
    lang_ = pages._lang(request)
    try:
        g, info = _load(request, user, name, "view")
    except NotFoundError:
        return _refuse(request, 404, "network_not_found")
    result = _analyse(g, lang_)
    return _render(
        request,
        "partner_network.html",
        user,
        info=info,
        r=result,
        name=name,
        title=f"{t('networks.title', lang_)}: {name}",
    )


@router.get("/{name}/export.csv")
@_guard
def network_export(request: Request, name: str, table: str = "actors", lang: pages.Lang = "nl") -> Response:
    """Audited export on pseudonymous labels: ``table=ties`` or ``table=actors`` (the measures)."""
    user = _require(request, "analyst")
    from .. import store
    from ..store.models import User
    from ..store.networks import export_ties

    try:
        if table == "ties":
            with store.session(store_url(request.app)) as s:
                frame = export_ties(s, name, actor=s.get(User, user.id))
        elif table == "actors":
            g, _ = _load(request, user, name, "export")
            frame = _analyse(g, pages._lang(request))["frame"].reset_index()
        else:
            return _refuse(request, 404, "network_not_found")
    except NotFoundError:
        return _refuse(request, 404, "network_not_found")
    buf = io.StringIO()
    frame.round(6).to_csv(buf, index=False, lineterminator="\n")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    response = Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="network-{safe}-{table}.csv"'},
    )
    return _no_store(response)


@router.post("/{name}/key.csv")
def network_key(request: Request, name: str, lang: pages.Lang = "nl", csrf: Field_ = None) -> Response:
    """The pseudonym -> original id key as CSV, for admins only (each reading audited)."""
    from .partner import _Refusal

    try:
        user = _require(request, "admin", csrf=csrf, post=True)
    except _Refusal as refusal:
        return refusal.response
    from .. import store
    from ..store.models import User
    from ..store.networks import reveal_mapping

    try:
        with store.session(store_url(request.app)) as s:
            mapping = reveal_mapping(s, name, actor=s.get(User, user.id))
    except NotFoundError:
        return _refuse(request, 404, "network_key_missing")
    buf = io.StringIO()
    buf.write("pseudonym,original_id\n")
    for k in sorted(mapping):
        value = str(mapping[k]).replace('"', '""')
        buf.write(f'{k},"{value}"\n')
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return _no_store(
        Response(
            buf.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="network-{safe}-key.csv"'},
        )
    )
